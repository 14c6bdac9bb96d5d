//! A workbook's sheet as records, streamed cell by cell with calamine (no
//! sheet is held whole in memory). Line numbers are the sheet's row numbers
//! as a spreadsheet shows them.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader};

use super::text::{FIELD_BYTES_MAX, FIELDS_MAX, Record, RecordError, Records, Typed};

/// The largest workbook accepted, in bytes (it is read into memory whole:
/// a zip archive is read from its end).
pub const XLSX_BYTES_MAX: u64 = 256 * 1024 * 1024;

pub(super) type Workbook = Xlsx<Cursor<Vec<u8>>>;

/// Opens a workbook from its bytes.
pub(super) fn open(bytes: Vec<u8>) -> Result<Workbook, String> {
    Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("is not a readable xlsx workbook: {e}"))
}

/// The sheet to read: the one named, or the first.
pub(super) fn sheet_name(wb: &Workbook, wanted: Option<&str>) -> Result<String, String> {
    let names = wb.sheet_names();
    match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "has no sheet '{w}'; its sheets are: {}",
                    names
                        .iter()
                        .map(|n| format!("'{n}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "has no sheets".to_owned()),
    }
}

pub(super) struct XlsxRecords<'a> {
    cells: XlsxCellReader<'a, Cursor<Vec<u8>>>,
    /// The first cell of the next row, read ahead.
    ahead: Option<(u32, u32, Typed, String)>,
    size: u64,
    done: bool,
}

impl<'a> XlsxRecords<'a> {
    pub fn new(cells: XlsxCellReader<'a, Cursor<Vec<u8>>>, size: u64) -> XlsxRecords<'a> {
        XlsxRecords {
            cells,
            ahead: None,
            size,
            done: false,
        }
    }

    fn next_cell(&mut self) -> Result<Option<(u32, u32, Typed, String)>, RecordError> {
        if let Some(c) = self.ahead.take() {
            return Ok(Some(c));
        }
        if self.done {
            return Ok(None);
        }
        loop {
            let cell = self.cells.next_cell().map_err(|e| RecordError::Refused {
                line: 0,
                field: None,
                message: format!("the workbook cannot be read: {e}"),
            })?;
            let Some(cell) = cell else {
                self.done = true;
                return Ok(None);
            };
            let (row, col) = cell.get_position();
            let (typed, text) = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::String(s) => (Typed::Text, s.clone()),
                DataRef::SharedString(s) => (Typed::Text, (*s).to_owned()),
                DataRef::Int(i) => (Typed::Int(*i), String::new()),
                DataRef::Float(f) => (Typed::Float(*f), String::new()),
                DataRef::Bool(b) => (Typed::Bool(*b), String::new()),
                DataRef::DateTime(dt) if dt.is_datetime() => {
                    let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
                    let timed = (hh, mm, ss, ms) != (0, 0, 0, 0);
                    (
                        Typed::Date(y as i16, m as i8, d as i8, timed),
                        String::new(),
                    )
                }
                DataRef::DateTime(_) | DataRef::DurationIso(_) => (
                    Typed::Error("is a duration, not a date or an amount".into()),
                    String::new(),
                ),
                // An ISO date the workbook stored as such: its date part.
                DataRef::DateTimeIso(s) => {
                    let date = match s.split_once('T') {
                        Some((d, "00:00:00")) | Some((d, "")) => d,
                        _ => s.as_str(),
                    };
                    (Typed::Text, date.to_owned())
                }
                DataRef::Error(e) => (
                    Typed::Error(format!("holds the error value {e}")),
                    String::new(),
                ),
            };
            return Ok(Some((row, col, typed, text)));
        }
    }
}

impl Records for XlsxRecords<'_> {
    fn next_record(&mut self, rec: &mut Record) -> Result<bool, RecordError> {
        rec.text.clear();
        rec.ends.clear();
        rec.typed.clear();
        rec.bad_utf8 = false;
        let Some(first) = self.next_cell()? else {
            return Ok(false);
        };
        let row = first.0;
        rec.line = u64::from(row) + 1;
        let mut cell = Some(first);
        while let Some((r, col, typed, text)) = cell.take() {
            if r != row {
                self.ahead = Some((r, col, typed, text));
                break;
            }
            let col = col as usize;
            if col >= FIELDS_MAX {
                return Err(RecordError::Refused {
                    line: rec.line,
                    field: None,
                    message: format!("has a cell beyond column {FIELDS_MAX}"),
                });
            }
            if text.len() > FIELD_BYTES_MAX {
                return Err(RecordError::Refused {
                    line: rec.line,
                    field: Some(col),
                    message: format!("is longer than {FIELD_BYTES_MAX} bytes"),
                });
            }
            // Cells are given left to right; the ones left out are empty.
            while rec.ends.len() < col {
                rec.ends.push(rec.text.len() as u32);
                rec.typed.push(Typed::Text);
            }
            if rec.ends.len() == col {
                rec.text.push_str(&text);
                rec.ends.push(rec.text.len() as u32);
                rec.typed.push(typed);
            }
            cell = self.next_cell()?;
        }
        Ok(true)
    }

    fn bytes_read(&self) -> u64 {
        // Progress is not known inside the archive: the whole file once done.
        if self.done { self.size } else { 0 }
    }
}

/// An amount from a numeric cell, in cents. A workbook stores numbers as
/// doubles, so 1234.56 arrives as the double nearest to it; it is rounded
/// to whole cents here, explicitly and once, and accepted only when the
/// double was within 1e-6 euro of that whole number of cents (what any
/// typed or rounded amount is: a double is off by far less); a cell holding a fraction of a cent (1234.565) is
/// refused, never rounded silently. Values beyond 10^13 euros are refused
/// before the conversion, where a double no longer holds every cent.
pub(super) fn cents_of_number(v: f64) -> Result<i64, String> {
    if !v.is_finite() || v.abs() > 1e13 {
        return Err(format!("{v} is not an amount in euros"));
    }
    let cents = (v * 100.0).round();
    if (v * 100.0 - cents).abs() > 1e-6 * 100.0 {
        return Err(format!(
            "{v} is not a whole number of cents (round it in the workbook)"
        ));
    }
    Ok(cents as i64)
}

#[cfg(test)]
mod tests {
    use super::cents_of_number;

    #[test]
    fn numeric_cells_become_exact_cents_or_are_refused() {
        assert_eq!(cents_of_number(1234.56), Ok(123_456));
        assert_eq!(cents_of_number(0.1 + 0.2), Ok(30));
        assert_eq!(cents_of_number(1_000_000.07), Ok(100_000_007));
        assert_eq!(cents_of_number(-5.5), Ok(-550));
        assert!(cents_of_number(1234.565).is_err());
        assert!(cents_of_number(f64::NAN).is_err());
        assert!(cents_of_number(1e14).is_err());
    }
}
