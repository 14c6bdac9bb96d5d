//! The same claims as a Dutch client's Excel would export them: a UTF-8 BOM,
//! CR LF line ends, `;` separators, `1.234,56` amounts, `31-12-2026` dates,
//! Dutch headers (read through the built-in `nl` mapping) and Dutch words
//! for the debtor type; or as an xlsx workbook with numeric amount cells and
//! date cells. Made from a plain claim file, for tests and the benchmark.

#![allow(dead_code)]

use super::xlsx::{Cell, workbook};

pub use kwijting_synth::DUTCH_HEADERS;

fn dutch_header(ours: &str) -> &str {
    DUTCH_HEADERS
        .iter()
        .find(|(o, _)| *o == ours)
        .map(|(_, d)| *d)
        .unwrap_or(ours)
}

fn is_date(col: &str) -> bool {
    col.ends_with("_date")
}

/// `1234.56` as `1.234,56`.
pub fn dutch_amount(plain: &str) -> String {
    let (whole, decimals) = plain.split_once('.').unwrap_or((plain, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{decimals:0<2}")
}

/// `2026-12-31` as `31-12-2026`.
pub fn dutch_date(iso: &str) -> String {
    format!("{}-{}-{}", &iso[8..10], &iso[5..7], &iso[0..4])
}

fn dutch_value(col: &str, v: &str) -> String {
    match col {
        _ if v.is_empty() => String::new(),
        "debtor_type" if v == "consumer" => "Particulier".into(),
        "debtor_type" if v == "business" => "Zakelijk".into(),
        "principal" => dutch_amount(v),
        c if is_date(c) => dutch_date(v),
        _ => v.to_owned(),
    }
}

fn records(plain: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(plain);
    let headers = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn field(v: &str) -> String {
    if v.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

/// Writes one Dutch line for a plain record into `out` (CR LF ended).
pub fn dutch_line(headers: &[String], rec: &csv::StringRecord, out: &mut String) {
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(&field(&dutch_value(h, rec.get(i).unwrap_or(""))));
    }
    out.push_str("\r\n");
}

/// The Dutch header line (after the BOM), CR LF ended.
pub fn dutch_header_line(headers: &[String]) -> String {
    let mut out = headers
        .iter()
        .map(|h| field(dutch_header(h)))
        .collect::<Vec<_>>()
        .join(";");
    out.push_str("\r\n");
    out
}

/// A plain claim file as a Dutch Excel CSV export.
pub fn dutch_csv(plain: &[u8]) -> Vec<u8> {
    let mut r = csv::Reader::from_reader(plain);
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let mut out = String::from("\u{feff}");
    out.push_str(&dutch_header_line(&headers));
    for rec in r.records() {
        dutch_line(&headers, &rec.unwrap(), &mut out);
    }
    out.into_bytes()
}

/// A plain claim file as an xlsx workbook with Dutch headers: amounts as
/// numeric cells, invoice and birth dates as date cells, due dates as
/// Dutch text.
pub fn dutch_xlsx(plain: &[u8]) -> Vec<u8> {
    let (headers, rows) = records(plain);
    let mut sheet = vec![
        headers
            .iter()
            .map(|h| Cell::Text(dutch_header(h).to_owned()))
            .collect::<Vec<_>>(),
    ];
    for row in rows {
        sheet.push(
            headers
                .iter()
                .zip(&row)
                .map(|(h, v)| match h.as_str() {
                    _ if v.is_empty() => Cell::Empty,
                    "principal" => {
                        let cents: i64 = v.replace('.', "").parse().unwrap();
                        Cell::Number(cents as f64 / 100.0)
                    }
                    "due_date" => Cell::Text(dutch_date(v)),
                    h if is_date(h) => Cell::Date(
                        v[0..4].parse().unwrap(),
                        v[5..7].parse().unwrap(),
                        v[8..10].parse().unwrap(),
                    ),
                    h => Cell::Text(dutch_value(h, v)),
                })
                .collect(),
        );
    }
    workbook("Debiteuren", &sheet)
}
