//! CSV text as records, read with bounded memory: RFC 4180 quoting, any of
//! the separators `,` `;` tab, LF, CR LF or CR line ends, and line numbers
//! that count physical lines (a quoted field may span several). A field or
//! a record far over the limits stops the reading at once: the rest of it is
//! never read, so endless input (a never-ending line, /dev/zero) ends in a
//! refusal, not in memory running out.

use std::io::BufRead;

/// Bytes of one field at most, far over the longest valid field (500
/// characters of up to 4 bytes): past it the file is refused without
/// reading the rest of the field.
pub const FIELD_BYTES_MAX: usize = 4 * 1024;
/// Bytes of one record (line) at most.
pub const RECORD_BYTES_MAX: usize = 64 * 1024;
/// Fields of one record at most.
pub const FIELDS_MAX: usize = 256;
/// Physical lines read at most: twice the lines a file may hold, room for
/// empty lines, so that endless empty lines end too.
pub const PHYSICAL_LINES_MAX: u64 = 2 * super::LINES_MAX;

/// One cell of a record as the file gave it: text, or a typed spreadsheet
/// value that is turned into text for its column.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Typed {
    /// The record's text between its ends.
    Text,
    Int(i64),
    /// A numeric cell: a double as the workbook stores it.
    Float(f64),
    /// A date cell (year, month, day) and whether it has a time of day.
    Date(i16, i8, i8, bool),
    Bool(bool),
    /// An error value (`#N/A`).
    Error(String),
}

/// One record: its first physical line, its fields' text and ends.
#[derive(Debug, Default, Clone)]
pub(super) struct Record {
    pub line: u64,
    pub text: String,
    /// The end of each field in `text` (a field starts at the previous end).
    pub ends: Vec<u32>,
    /// Per field, for workbooks; empty for CSV (all text).
    pub typed: Vec<Typed>,
    /// The record is not valid UTF-8 (`text` is then empty).
    pub bad_utf8: bool,
}

impl Record {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn typed(&self, i: usize) -> &Typed {
        self.typed.get(i).unwrap_or(&Typed::Text)
    }

    pub fn is_blank(&self) -> bool {
        !self.bad_utf8
            && (0..self.len())
                .all(|i| self.field(i).trim().is_empty() && matches!(self.typed(i), Typed::Text))
    }
}

/// Why reading stopped.
#[derive(Debug)]
pub(super) enum RecordError {
    /// The input is refused at this line (and field, by index); nothing
    /// after it is read.
    Refused {
        line: u64,
        field: Option<usize>,
        message: String,
    },
    Io(std::io::Error),
}

impl From<std::io::Error> for RecordError {
    fn from(e: std::io::Error) -> Self {
        RecordError::Io(e)
    }
}

/// A source of records: CSV text or a workbook's sheet.
pub(super) trait Records {
    /// Reads the next record into `rec`; `false` at the end.
    fn next_record(&mut self, rec: &mut Record) -> Result<bool, RecordError>;
    fn bytes_read(&self) -> u64;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: the end of the quotes or the first of `""`.
    QuoteSeen,
}

pub(super) struct CsvRecords<R: BufRead> {
    input: R,
    sep: u8,
    /// The physical line the next byte is on.
    line: u64,
    bytes_read: u64,
    /// The last record ended in CR: a LF right after it belongs to it.
    after_cr: bool,
}

impl<R: BufRead> CsvRecords<R> {
    /// Records from `input`, whose first byte is on line 1 and at offset
    /// `offset` of the file (after a byte-order mark).
    pub fn new(input: R, sep: u8, offset: u64) -> CsvRecords<R> {
        CsvRecords {
            input,
            sep,
            line: 1,
            bytes_read: offset,
            after_cr: false,
        }
    }

    fn consume(&mut self, n: usize) {
        self.input.consume(n);
        self.bytes_read += n as u64;
    }

    /// Skips empty lines; `false` at the end of the input. Endless empty
    /// lines end at [`PHYSICAL_LINES_MAX`].
    fn skip_blank_lines(&mut self) -> Result<bool, RecordError> {
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(false);
            }
            let mut i = 0;
            let mut lines = 0u64;
            let mut at_record = false;
            let mut after_cr = self.after_cr;
            while i < chunk.len() {
                match chunk[i] {
                    b'\n' if after_cr => after_cr = false,
                    b'\n' => lines += 1,
                    b'\r' => {
                        lines += 1;
                        after_cr = true;
                    }
                    _ => {
                        after_cr = false;
                        at_record = true;
                        break;
                    }
                }
                i += 1;
            }
            self.after_cr = after_cr;
            self.line += lines;
            self.consume(i);
            if self.line > PHYSICAL_LINES_MAX {
                return Err(RecordError::Refused {
                    line: self.line,
                    field: None,
                    message: format!(
                        "is past line {PHYSICAL_LINES_MAX}; the file was not read further"
                    ),
                });
            }
            if at_record {
                return Ok(true);
            }
        }
    }
}

impl<R: BufRead> Records for CsvRecords<R> {
    fn next_record(&mut self, rec: &mut Record) -> Result<bool, RecordError> {
        let mut buf = std::mem::take(&mut rec.text).into_bytes();
        buf.clear();
        rec.ends.clear();
        rec.typed.clear();
        rec.bad_utf8 = false;
        if !self.skip_blank_lines()? {
            rec.text = String::from_utf8(buf).unwrap_or_default();
            return Ok(false);
        }
        let start_line = self.line;
        rec.line = start_line;
        let sep = self.sep;
        let mut state = State::FieldStart;
        let mut field_start = 0usize;
        let too_long = |field: Option<usize>, what: String| RecordError::Refused {
            line: start_line,
            field,
            message: format!("{what}; the file was not read further"),
        };
        'record: loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                // The end of the input ends the record.
                if state == State::Quoted {
                    rec.text = String::new();
                    return Err(RecordError::Refused {
                        line: start_line,
                        field: Some(rec.ends.len()),
                        message: "has a quote (\") that is never closed".into(),
                    });
                }
                rec.ends.push(buf.len() as u32);
                break 'record;
            }
            let mut i = 0;
            let mut newlines = 0u64;
            let mut ended = false;
            while i < chunk.len() {
                match state {
                    State::FieldStart => {
                        if chunk[i] == b'"' {
                            state = State::Quoted;
                            i += 1;
                        } else {
                            state = State::Unquoted;
                        }
                    }
                    State::Unquoted => {
                        let rest = &chunk[i..];
                        let at = memchr::memchr3(sep, b'\n', b'\r', rest);
                        let run = at.unwrap_or(rest.len());
                        buf.extend_from_slice(&rest[..run]);
                        i += run;
                        if at.is_some() {
                            let b = chunk[i];
                            i += 1;
                            rec.ends.push(buf.len() as u32);
                            field_start = buf.len();
                            if b == sep {
                                state = State::FieldStart;
                            } else {
                                newlines += 1;
                                self.after_cr = b == b'\r';
                                ended = true;
                                break;
                            }
                        }
                    }
                    State::Quoted => {
                        let rest = &chunk[i..];
                        let at = memchr::memchr2(b'"', b'\n', rest);
                        let run = at.unwrap_or(rest.len());
                        buf.extend_from_slice(&rest[..run]);
                        i += run;
                        if at.is_some() {
                            let b = chunk[i];
                            i += 1;
                            if b == b'\n' {
                                newlines += 1;
                                buf.push(b'\n');
                            } else {
                                state = State::QuoteSeen;
                            }
                        }
                    }
                    State::QuoteSeen => {
                        if chunk[i] == b'"' {
                            buf.push(b'"');
                            i += 1;
                            state = State::Quoted;
                        } else {
                            // After the closing quote: like the csv crate, what
                            // follows up to the separator belongs to the field.
                            state = State::Unquoted;
                        }
                    }
                }
                if buf.len() - field_start > FIELD_BYTES_MAX {
                    rec.text = String::new();
                    let field = rec.ends.len();
                    self.line += newlines;
                    return Err(too_long(
                        Some(field),
                        format!("is longer than {FIELD_BYTES_MAX} bytes"),
                    ));
                }
                if buf.len() > RECORD_BYTES_MAX {
                    rec.text = String::new();
                    return Err(too_long(
                        None,
                        format!("is longer than {RECORD_BYTES_MAX} bytes"),
                    ));
                }
                if rec.ends.len() > FIELDS_MAX {
                    rec.text = String::new();
                    return Err(too_long(None, format!("has more than {FIELDS_MAX} fields")));
                }
            }
            self.line += newlines;
            self.consume(i);
            if ended {
                break 'record;
            }
        }
        match String::from_utf8(buf) {
            Ok(s) => rec.text = s,
            Err(e) => {
                let mut b = e.into_bytes();
                b.clear();
                rec.text = String::from_utf8(b).unwrap_or_default();
                rec.ends.clear();
                rec.bad_utf8 = true;
            }
        }
        Ok(true)
    }

    fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8], sep: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = CsvRecords::new(std::io::BufReader::with_capacity(7, text), sep, 0);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while r.next_record(&mut rec).unwrap() {
            out.push((
                rec.line,
                (0..rec.len()).map(|i| rec.field(i).to_owned()).collect(),
            ));
        }
        out
    }

    #[test]
    fn line_numbers_count_physical_lines_whatever_the_line_ends() {
        let lf = records(b"a,b\n1,2\n\"x\ny\",3\n4,5\n", b',');
        let crlf = records(b"a,b\r\n1,2\r\n\"x\r\ny\",3\r\n4,5\r\n", b',');
        let cr = records(b"a,b\r1,2\r\r4,5", b',');
        assert_eq!(lf.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2, 3, 5]);
        assert_eq!(
            crlf.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![1, 2, 3, 5]
        );
        assert_eq!(crlf[2].1, vec!["x\r\ny", "3"]);
        assert_eq!(cr.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2, 4]);
    }

    #[test]
    fn quotes_and_separators() {
        let r = records(b"a;b;c\n\"van 't Hof, J.\";\"say \"\"hi\"\"\";\n", b';');
        assert_eq!(r[1].1, vec!["van 't Hof, J.", "say \"hi\"", ""]);
        let r = records(b"a\tb\n1\t2", b'\t');
        assert_eq!(r[1].1, vec!["1", "2"]);
    }

    #[test]
    fn an_endless_field_is_refused_without_reading_it_whole() {
        struct Endless(u64);
        impl std::io::Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                buf.fill(b'x');
                self.0 += buf.len() as u64;
                Ok(buf.len())
            }
        }
        let mut src = Endless(0);
        let mut r = CsvRecords::new(std::io::BufReader::new(&mut src), b',', 0);
        let mut rec = Record::default();
        match r.next_record(&mut rec) {
            Err(RecordError::Refused {
                line: 1,
                field: Some(0),
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        assert!(src.0 < 64 * 1024, "read {} bytes", src.0);
    }
}
