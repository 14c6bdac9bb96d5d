//! Claim files as clients send them: CSV text (separator, number style, BOM
//! and line ends detected per file) or an xlsx workbook, with the header
//! read through a column mapping. What was detected is reported with the
//! import. Format: docs/claims-csv.md.

use std::collections::VecDeque;
use std::io::{BufReader, Cursor, Read};

use kwijting_domain::Actor;

use super::format::{
    Detected, FileKind, NumberStyle, Vote, amount_vote, decide_style, is_dutch_date, separator_name,
};
use super::mapping::ColumnMapping;
use super::text::{CsvRecords, Record, RecordError, Records, Typed};
use super::xlsx::{self, XLSX_BYTES_MAX, XlsxRecords};
use super::{
    COLUMNS, Col, FieldError, ImportReport, IntakeError, LineSource, Progress, RawRow, Refusal,
    column_name,
};
use crate::Kwijting;

/// Bytes looked at to tell what kind of file it is.
pub const SNIFF_BYTES: usize = 8 * 1024;
/// Lines (and bytes) read ahead to detect the number style.
pub const SAMPLE_RECORDS: usize = 1_000;
pub const SAMPLE_BYTES: usize = 1 << 20;
/// The read buffer of a CSV file.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// How a claim file is to be read.
#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    /// The column mapping; `None`: the client's saved one, if any.
    pub mapping: Option<ColumnMapping>,
    /// The sheet of a workbook; `None`: the first.
    pub sheet: Option<String>,
    /// Refuse the file when one `debtor_ref` comes with different names.
    pub strict: bool,
}

fn not_claims(source: &str, message: impl Into<String>) -> IntakeError {
    IntakeError::NotClaims {
        input: source.to_owned(),
        message: message.into(),
    }
}

fn read_error(source: &str, e: std::io::Error) -> IntakeError {
    IntakeError::Read {
        input: source.to_owned(),
        message: e.to_string(),
    }
}

/// A CSV file's first bytes, looked at.
struct Sniffed {
    bom: bool,
    separator: u8,
    crlf: bool,
}

/// What kind of file the first bytes show; a file that is neither CSV text
/// nor an xlsx workbook is refused saying what it is.
fn sniff(source: &str, prefix: &[u8], complete: bool) -> Result<Option<Sniffed>, IntakeError> {
    if prefix.is_empty() {
        return Err(not_claims(source, "is empty"));
    }
    if prefix.starts_with(b"PK\x03\x04") {
        return Ok(None);
    }
    if prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(not_claims(
            source,
            "is an old Excel workbook (.xls); save it as .xlsx or as CSV UTF-8",
        ));
    }
    if prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]) {
        return Err(not_claims(
            source,
            "is UTF-16 text; save it as CSV UTF-8 or as .xlsx",
        ));
    }
    let bom = prefix.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = &prefix[if bom { 3 } else { 0 }..];
    if body
        .iter()
        .any(|b| *b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n'))
    {
        return Err(not_claims(
            source,
            "is neither CSV text nor an xlsx workbook (it holds binary data)",
        ));
    }
    if let Err(e) = std::str::from_utf8(body)
        && (e.error_len().is_some() || complete)
    {
        return Err(not_claims(
            source,
            "is neither CSV text nor an xlsx workbook: it is not UTF-8 text (save it as CSV UTF-8 or as .xlsx)",
        ));
    }
    if complete && body.iter().all(u8::is_ascii_whitespace) {
        return Err(not_claims(source, "is empty (it has no header line)"));
    }
    // The separator is the one the header line uses most, outside quotes.
    let mut counts = [(b';', 0usize), (b'\t', 0), (b',', 0)];
    let mut quoted = false;
    let mut crlf = false;
    for (i, b) in body.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                crlf = i > 0 && body[i - 1] == b'\r';
                break;
            }
            _ if !quoted => {
                for c in counts.iter_mut() {
                    if c.0 == *b {
                        c.1 += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let separator = counts
        .iter()
        .filter(|c| c.1 > 0)
        .max_by_key(|c| c.1)
        .map(|c| c.0)
        .unwrap_or(b',');
    Ok(Some(Sniffed {
        bom,
        separator,
        crlf,
    }))
}

/// A table file's records as claim lines, through the header's columns.
struct TableLines<'m, S: Records> {
    records: S,
    /// Records read ahead to detect the style, given out first.
    pending: VecDeque<Result<Record, RecordError>>,
    rec: Record,
    headers: Vec<String>,
    columns: Vec<Option<Col>>,
    mapping: Option<&'m ColumnMapping>,
    /// Per field: whether the mapping names values for its column.
    mapped_values: Vec<bool>,
    detected: Detected,
    source: String,
    scratch: String,
    done: bool,
}

impl<S: Records> TableLines<'_, S> {
    fn field_name(&self, i: Option<usize>) -> String {
        match i.and_then(|i| self.columns.get(i).copied().flatten()) {
            Some(c) => column_name(c).to_owned(),
            None => match i.and_then(|i| self.headers.get(i)) {
                Some(h) if !h.trim().is_empty() => h.trim().to_owned(),
                _ => "(line)".to_owned(),
            },
        }
    }

    /// The separator for messages about the shape of a line.
    fn separator_note(&self) -> String {
        match self.detected.separator {
            Some(s) if self.detected.kind == Some(FileKind::Csv) => {
                format!(" (separator detected: {})", separator_name(s))
            }
            _ => String::new(),
        }
    }
}

/// A typed cell as text for its column; `true` when the text is in the
/// canonical form (`1234.56`, `2026-12-31`) whatever the file's style.
fn cell_text(col: Col, typed: &Typed, out: &mut String) -> Result<bool, String> {
    use std::fmt::Write as _;
    out.clear();
    let amount = col == Col::Principal;
    match typed {
        Typed::Text => return Ok(false),
        Typed::Error(e) => return Err(e.clone()),
        Typed::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Typed::Date(y, m, d, timed) => {
            if amount {
                return Err("is a date, not an amount".into());
            }
            if *timed {
                return Err(format!(
                    "{y:04}-{m:02}-{d:02} has a time of day; a date is needed"
                ));
            }
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        }
        Typed::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Typed::Float(f) if amount => {
            let cents = xlsx::cents_of_number(*f)?;
            let sign = if cents < 0 { "-" } else { "" };
            let abs = cents.unsigned_abs();
            let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
        }
        Typed::Float(f) => {
            // A number in a text column (a phone or customer number typed
            // as a number): its digits.
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
        }
    }
    Ok(true)
}

impl<S: Records + Send> LineSource for TableLines<'_, S> {
    fn next_line(
        &mut self,
        row: &mut RawRow,
    ) -> Result<Option<Result<u64, Vec<FieldError>>>, IntakeError> {
        row.clear();
        loop {
            if self.done {
                return Ok(None);
            }
            let next = match self.pending.pop_front() {
                Some(Ok(rec)) => {
                    self.rec = rec;
                    Ok(true)
                }
                Some(Err(e)) => Err(e),
                None => self.records.next_record(&mut self.rec),
            };
            match next {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(RecordError::Io(e)) => return Err(read_error(&self.source, e)),
                Err(RecordError::Refused {
                    line,
                    field,
                    message,
                }) => {
                    // Nothing after this point is read: the file is refused.
                    self.done = true;
                    return Ok(Some(Err(vec![FieldError {
                        line,
                        field: self.field_name(field),
                        message,
                    }])));
                }
            }
            let line = self.rec.line;
            if self.rec.bad_utf8 {
                return Ok(Some(Err(vec![FieldError {
                    line,
                    field: "(line)".into(),
                    message: "is not valid UTF-8".into(),
                }])));
            }
            if self.rec.is_blank() {
                // Empty lines, and the empty rows a spreadsheet leaves.
                continue;
            }
            let n = self.rec.len();
            let wide = match self.detected.kind {
                // A sheet's row may stop early; a cell past the header is an error.
                Some(FileKind::Xlsx) => {
                    (self.columns.len()..n).any(|i| !self.rec.field(i).trim().is_empty())
                }
                _ => n != self.columns.len(),
            };
            if wide {
                return Ok(Some(Err(vec![FieldError {
                    line,
                    field: "(line)".into(),
                    message: format!(
                        "has {n} fields where the header has {}{}",
                        self.columns.len(),
                        self.separator_note()
                    ),
                }])));
            }
            let mut errors = Vec::new();
            for i in 0..n.min(self.columns.len()) {
                let Some(col) = self.columns[i] else { continue };
                let canonical = match cell_text(col, self.rec.typed(i), &mut self.scratch) {
                    Ok(c) => c,
                    Err(message) => {
                        errors.push(FieldError {
                            line,
                            field: column_name(col).to_owned(),
                            message,
                        });
                        continue;
                    }
                };
                let value = if canonical {
                    self.scratch.as_str()
                } else {
                    self.rec.field(i)
                };
                let value = match self.mapping {
                    Some(m) if self.mapped_values[i] => m.value(col, value),
                    _ => value,
                };
                row.set(col, value);
                if canonical {
                    row.set_canonical(col);
                }
            }
            return Ok(Some(if errors.is_empty() {
                Ok(line)
            } else {
                Err(errors)
            }));
        }
    }

    fn bytes_read(&self) -> u64 {
        self.records.bytes_read()
    }

    fn style(&self) -> Option<NumberStyle> {
        Some(self.detected.number_style)
    }
}

/// Reads the header and the first lines: the columns (through the mapping)
/// and the number style.
fn open_table<'m, S: Records>(
    source: &str,
    mut records: S,
    mapping: Option<&'m ColumnMapping>,
    mut detected: Detected,
) -> Result<TableLines<'m, S>, IntakeError> {
    let mut header = Record::default();
    let refused = |errors: Vec<FieldError>| {
        IntakeError::Refused(Refusal {
            source: source.to_owned(),
            error_count: errors.len() as u64,
            errors,
        })
    };
    match records.next_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(not_claims(source, "is empty (it has no header line)")),
        Err(RecordError::Io(e)) => return Err(read_error(source, e)),
        Err(RecordError::Refused { line, message, .. }) => {
            return Err(refused(vec![FieldError {
                line,
                field: "(header)".into(),
                message,
            }]));
        }
    }
    if header.bad_utf8 {
        return Err(refused(vec![FieldError {
            line: header.line,
            field: "(header)".into(),
            message: "is not valid UTF-8".into(),
        }]));
    }
    let sep_note = match (detected.kind, detected.separator) {
        (Some(FileKind::Csv), Some(s)) => format!(" (separator detected: {})", separator_name(s)),
        _ => String::new(),
    };
    let header_line = header.line;
    let headers: Vec<String> = (0..header.len())
        .map(|i| header.field(i).trim().to_owned())
        .collect();
    let nl = ColumnMapping::built_in("nl");
    let mut errors = Vec::new();
    let mut columns: Vec<Option<Col>> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() && header.typed(i) == &Typed::Text {
            // A column without a name is ignored (what a spreadsheet's
            // stray cells leave): no mapping can name it.
            columns.push(None);
            continue;
        }
        let col = match mapping {
            Some(m) => m.column(h),
            None => super::column_by_name(&super::mapping::match_key(h)),
        };
        match col {
            None => {
                let mut message =
                    "is not a column of the claim format (see docs/claims-csv.md)".to_owned();
                if let Some(m) = mapping {
                    message.push_str(&format!(" nor of the mapping {}", m.name()));
                } else if nl.as_ref().is_some_and(|nl| nl.column(h).is_some()) {
                    message.push_str("; the header looks Dutch: try --mapping nl");
                }
                errors.push(FieldError {
                    line: header_line,
                    field: h.clone(),
                    message,
                });
            }
            Some(c) => {
                if let Some(j) = columns.iter().position(|o| *o == Some(c)) {
                    errors.push(FieldError {
                        line: header_line,
                        field: h.clone(),
                        message: if headers[j].eq_ignore_ascii_case(h) {
                            "appears twice in the header".into()
                        } else {
                            format!(
                                "is column '{}', and so is '{}' in the same header",
                                column_name(c),
                                headers[j]
                            )
                        },
                    });
                }
            }
        }
        columns.push(col);
    }
    for (col, name, required) in COLUMNS {
        if *required && !columns.contains(&Some(*col)) {
            errors.push(FieldError {
                line: header_line,
                field: (*name).to_owned(),
                message: format!("required column is missing from the header{sep_note}"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    // The first lines decide the number style.
    let principal = columns.iter().position(|c| *c == Some(Col::Principal));
    let dates: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            matches!(
                c,
                Some(
                    Col::InvoiceDate
                        | Col::DueDate
                        | Col::BirthDate
                        | Col::CoBirthDate
                        | Col::GBirthDate
                )
            )
        })
        .map(|(i, _)| i)
        .collect();
    let (mut plain, mut dutch, mut dutch_dates) = (0usize, 0usize, false);
    let mut pending = VecDeque::new();
    let mut sampled = 0usize;
    while pending.len() < SAMPLE_RECORDS && sampled < SAMPLE_BYTES {
        let mut rec = Record::default();
        match records.next_record(&mut rec) {
            Ok(true) => {
                sampled += rec.text.len();
                if let Some(p) = principal.filter(|p| *p < rec.len())
                    && rec.typed(p) == &Typed::Text
                {
                    match amount_vote(rec.field(p)) {
                        Vote::Plain => plain += 1,
                        Vote::Dutch => dutch += 1,
                        Vote::Undecided => {}
                    }
                }
                dutch_dates |= dates.iter().any(|d| {
                    *d < rec.len() && rec.typed(*d) == &Typed::Text && is_dutch_date(rec.field(*d))
                });
                pending.push_back(Ok(rec));
            }
            Ok(false) => break,
            Err(e) => {
                pending.push_back(Err(e));
                break;
            }
        }
    }
    let (style, basis) = decide_style(plain, dutch, dutch_dates, detected.separator);
    detected.number_style = style;
    detected.style_basis = basis;
    detected.mapping = mapping.map(|m| m.name().to_owned());
    let mapped_values = columns
        .iter()
        .map(|c| matches!((c, mapping), (Some(c), Some(m)) if m.maps_values_of(*c)))
        .collect();
    Ok(TableLines {
        records,
        pending,
        rec: Record::default(),
        headers,
        columns,
        mapping,
        mapped_values,
        detected,
        source: source.to_owned(),
        scratch: String::new(),
        done: false,
    })
}

impl Kwijting {
    /// Imports a claim file as clients send it: CSV text with its separator
    /// and number style detected, or an xlsx workbook; all or nothing. The
    /// report says what was detected.
    pub fn import_claims_file<R: Read + Send>(
        &self,
        actor: &Actor,
        client_ref: &str,
        source: &str,
        mut input: R,
        options: &FileOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport, IntakeError> {
        let saved;
        let mapping = match &options.mapping {
            Some(m) => Some(m),
            None => {
                saved = self.client_mapping(actor, client_ref)?;
                saved.as_ref()
            }
        };
        let mut prefix = Vec::with_capacity(SNIFF_BYTES);
        (&mut input)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut prefix)
            .map_err(|e| read_error(source, e))?;
        let complete = prefix.len() < SNIFF_BYTES;
        let (mut report, detected) = match sniff(source, &prefix, complete)? {
            Some(s) => {
                let offset = if s.bom { 3 } else { 0 };
                let rest = Cursor::new(prefix).chain(input);
                let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, rest);
                if s.bom {
                    let mut bom = [0u8; 3];
                    reader
                        .read_exact(&mut bom)
                        .map_err(|e| read_error(source, e))?;
                }
                let records = CsvRecords::new(reader, s.separator, offset);
                let mut lines = open_table(
                    source,
                    records,
                    mapping,
                    Detected {
                        kind: Some(FileKind::Csv),
                        separator: Some(s.separator),
                        bom: s.bom,
                        crlf: s.crlf,
                        ..Detected::default()
                    },
                )?;
                let detected = lines.detected.clone();
                let report = self.import_lines(
                    actor,
                    client_ref,
                    source,
                    &mut lines,
                    true,
                    options.strict,
                    progress,
                )?;
                (report, detected)
            }
            None => {
                let mut bytes = prefix;
                input
                    .take(XLSX_BYTES_MAX + 1 - bytes.len() as u64)
                    .read_to_end(&mut bytes)
                    .map_err(|e| read_error(source, e))?;
                if bytes.len() as u64 > XLSX_BYTES_MAX {
                    return Err(not_claims(
                        source,
                        format!(
                            "is a workbook larger than {} MB; save it as CSV",
                            XLSX_BYTES_MAX >> 20
                        ),
                    ));
                }
                let size = bytes.len() as u64;
                let mut wb = xlsx::open(bytes).map_err(|m| not_claims(source, m))?;
                let sheet = xlsx::sheet_name(&wb, options.sheet.as_deref())
                    .map_err(|m| not_claims(source, m))?;
                let cells = wb.worksheet_cells_reader(&sheet).map_err(|e| {
                    not_claims(source, format!("sheet '{sheet}' cannot be read: {e}"))
                })?;
                let mut lines = open_table(
                    source,
                    XlsxRecords::new(cells, size),
                    mapping,
                    Detected {
                        kind: Some(FileKind::Xlsx),
                        sheet: Some(sheet.clone()),
                        ..Detected::default()
                    },
                )?;
                let detected = lines.detected.clone();
                let report = self.import_lines(
                    actor,
                    client_ref,
                    source,
                    &mut lines,
                    true,
                    options.strict,
                    progress,
                )?;
                (report, detected)
            }
        };
        report.detected = Some(detected);
        Ok(report)
    }
}
