//! MT940 customer statements as Dutch banks export them (ING, Rabobank,
//! ABN AMRO, Knab, SNS, Triodos, ...).
//!
//! Reading rules:
//! - A statement starts at `:20:`; everything before the first `:20:` and
//!   lines that are not a known tag (`{1:...}` headers, `940`, `-}`) outside
//!   a field are ignored. A line is a new field only when it starts with a
//!   known tag (`:20:`, `:25:`, `:28C:`, `:60F:`, `:61:`, `:86:`, `:62F:`,
//!   ...); any other line continues the field before it, so `:00:00/` inside
//!   a wrapped text is text.
//! - Lines wrap at a fixed width in the middle of a word or a subfield key
//!   (`/REM` + `I/USTD`), so continuation lines are joined without a
//!   separator before subfields are split. The text keeps the bank's spaces.
//! - Years are two digits: 70-99 are 19xx, 00-69 are 20xx. The `:61:` entry
//!   date (MMDD) takes the year that puts it nearest the value date (an entry
//!   on 2 January for a value date of 31 December is in the next year).

use kwijting_domain::{Date, Iban, Money};

use crate::amount::parse_amount;
use crate::error::{BankError, StmtCtx, file_err};
use crate::model::{
    AccountId, Balance, BankTxCode, CreditDebit, Entry, EntryStatus, RefIssuer, Statement,
    StatementFormat, StructuredRef, Transaction,
};
use crate::textref::find_structured_ref;

const TAGS: [&str; 19] = [
    "20", "21", "25", "28", "28C", "60F", "60M", "61", "62F", "62M", "64", "65", "86", "13", "13D",
    "34F", "90C", "90D", "NS",
];

/// Subfield keys of structured `:86:` text (ING, Rabobank, ABN AMRO).
const KEYS: [&str; 33] = [
    "EREF",
    "CNTP",
    "REMI",
    "RTRN",
    "MARF",
    "CSID",
    "PURP",
    "ORDP",
    "BENM",
    "NAME",
    "IBAN",
    "BIC",
    "TRTP",
    "ADDR",
    "ISDT",
    "ID",
    "CDTRREFTP",
    "CDTRREF",
    "CD",
    "ISSR",
    "ULTC",
    "ULTD",
    "ULTB",
    "PREF",
    "BUSP",
    "SUM",
    "TRCD",
    "EXCH",
    "CHGS",
    "IREF",
    "RTYP",
    "SVCL",
    "FX",
];

/// Longest `:86:` text accepted for one entry (SWIFT allows 6 x 65; banks
/// write more, never this much).
const INFO_CHARS_MAX: usize = 100_000;

struct Field {
    tag: String,
    line: usize,
    first: String,
    more: Vec<String>,
}

impl Field {
    /// The content with continuation lines joined without a separator.
    fn joined(&self) -> String {
        let mut s = self.first.clone();
        for m in &self.more {
            s.push_str(m);
        }
        s
    }
}

/// Splits the text into fields; `None` for lines outside any field.
fn fields(text: &str) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw
            .strip_suffix('\r')
            .unwrap_or(raw)
            .trim_start_matches(|c: char| c == '\u{feff}' || (c.is_control() && c != '\t'));
        if let Some((tag, rest)) = tag_of(line) {
            out.push(Field {
                tag: tag.to_owned(),
                line: i + 1,
                first: rest.to_owned(),
                more: Vec::new(),
            });
        } else if let Some(last) = out.last_mut() {
            last.more.push(line.to_owned());
        }
    }
    out
}

fn tag_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let (tag, content) = rest.split_once(':')?;
    TAGS.contains(&tag).then_some((tag, content))
}

/// Parses an MT940 file into its statements. `source` names the file in
/// errors. All or nothing: the first problem refuses the whole file, naming
/// the statement, the line and the field.
pub fn parse_mt940(text: &str, source: &str) -> Result<Vec<Statement>, BankError> {
    let all = fields(text);
    let mut groups: Vec<Vec<Field>> = Vec::new();
    for f in all {
        if f.tag == "20" {
            groups.push(vec![f]);
        } else if let Some(g) = groups.last_mut() {
            g.push(f);
        }
    }
    if groups.is_empty() {
        return Err(file_err(source, "no MT940 statement (no :20: field)"));
    }
    groups
        .into_iter()
        .map(|g| parse_statement(g, source))
        .collect()
}

struct Pending {
    entry: Entry,
    owner_ref: String,
    supplementary: String,
    info: Vec<String>,
    info_line: usize,
}

fn parse_statement(fields: Vec<Field>, source: &str) -> Result<Statement, BankError> {
    let first_line = fields.first().map_or(0, |f| f.line);
    let id = fields
        .first()
        .map(|f| f.first.trim().to_owned())
        .unwrap_or_default();
    let ctx = StmtCtx {
        file: source,
        statement: format!("{id} (line {first_line})"),
    };
    let mut account: Option<AccountId> = None;
    let mut sequence = None;
    let mut currency: Option<String> = None;
    let mut opening = None;
    let mut closing = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut pending: Option<Pending> = None;
    for f in &fields[1..] {
        let at = format!("line {} (:{}:)", f.line, f.tag);
        match f.tag.as_str() {
            "25" => account = Some(parse_account(f.first.trim())),
            "28" | "28C" => sequence = Some(f.first.trim().to_owned()),
            "60F" | "60M" => {
                let (b, ccy) = parse_balance(f.first.trim()).map_err(|e| ctx.err(&at, e))?;
                opening = Some(b);
                currency = Some(ccy);
            }
            "62F" | "62M" => {
                if let Some(p) = pending.take() {
                    entries.push(finish_entry(p, &ctx)?);
                }
                let (b, ccy) = parse_balance(f.first.trim()).map_err(|e| ctx.err(&at, e))?;
                if currency.as_deref().is_some_and(|c| c != ccy) {
                    return Err(ctx.err(
                        &at,
                        format!("closing balance in {ccy}, opening balance in another currency"),
                    ));
                }
                closing = Some(b);
            }
            "61" => {
                if let Some(p) = pending.take() {
                    entries.push(finish_entry(p, &ctx)?);
                }
                if entries.len() >= crate::ENTRIES_PER_STATEMENT_MAX {
                    return Err(ctx.err(
                        &at,
                        format!(
                            "more than {} entries in one statement",
                            crate::ENTRIES_PER_STATEMENT_MAX
                        ),
                    ));
                }
                let ccy = currency
                    .as_deref()
                    .ok_or_else(|| ctx.err(&at, "entry before the :60F: opening balance"))?;
                pending = Some(parse_61(f, entries.len(), ccy).map_err(|e| ctx.err(&at, e))?);
            }
            "86" => {
                // After an entry: its information; after the closing
                // balance: statement information, not needed here.
                if let Some(p) = pending.as_mut() {
                    if p.info.is_empty() {
                        p.info_line = f.line;
                    }
                    p.info.push(f.joined());
                }
            }
            _ => {}
        }
    }
    if let Some(p) = pending.take() {
        entries.push(finish_entry(p, &ctx)?);
    }
    let here = format!("line {first_line}");
    let account = account.ok_or_else(|| ctx.err(&here, "no :25: account field"))?;
    let opening = opening.ok_or_else(|| ctx.err(&here, "no :60F: opening balance"))?;
    let closing =
        closing.ok_or_else(|| ctx.err(&here, "no :62F: closing balance (statement cut off?)"))?;
    Ok(Statement {
        source: source.to_owned(),
        format: StatementFormat::Mt940,
        account,
        statement_id: id,
        sequence,
        currency,
        opening_balance: Some(opening),
        closing_balance: Some(closing),
        entries,
    })
}

/// `:25:` as an IBAN when it is one (with or without a currency suffix,
/// `NL54INGB0001234500EUR`), else as written.
fn parse_account(s: &str) -> AccountId {
    if let Ok(iban) = Iban::parse(s) {
        return AccountId::Iban(iban);
    }
    let b = s.as_bytes();
    if b.len() > 3
        && b[b.len() - 3..].iter().all(u8::is_ascii_uppercase)
        && let Ok(iban) = Iban::parse(s[..s.len() - 3].trim())
    {
        return AccountId::Iban(iban);
    }
    AccountId::Other(s.to_owned())
}

fn yymmdd(s: &str) -> Result<Date, String> {
    let err = || format!("'{s}' is not a date (YYMMDD)");
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<i8>().map_err(|_| err());
    let yy = i16::from(n(0..2)?);
    let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
    Date::new(year, n(2..4)?, n(4..6)?).map_err(|_| err())
}

/// `C150226EUR1000,89`: mark, date, currency, amount.
fn parse_balance(s: &str) -> Result<(Balance, String), String> {
    let err = || format!("'{s}' is not a balance (C|D, YYMMDD, currency, amount)");
    let sign = s.get(..1).ok_or_else(err)?;
    let date = yymmdd(s.get(1..7).ok_or_else(err)?)?;
    let ccy = s.get(7..10).ok_or_else(err)?;
    if !ccy.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(err());
    }
    let amount = parse_amount(s.get(10..).ok_or_else(err)?, ',')
        .map_err(|e| e.describe(s.get(10..).unwrap_or("")))?;
    let amount = match sign {
        "C" => amount,
        "D" => Money::from_cents(-amount.cents()),
        _ => return Err(err()),
    };
    Ok((
        Balance {
            amount,
            date,
            currency: ccy.to_owned(),
        },
        ccy.to_owned(),
    ))
}

/// The entry date (MMDD) in the year nearest the value date.
fn entry_date(mmdd: &str, value: Date) -> Result<Date, String> {
    let err = || format!("'{mmdd}' is not an entry date (MMDD)");
    let m: i8 = mmdd[..2].parse().map_err(|_| err())?;
    let d: i8 = mmdd[2..].parse().map_err(|_| err())?;
    let mut best: Option<(i64, Date)> = None;
    for y in [value.year() - 1, value.year(), value.year() + 1] {
        if let Ok(c) = Date::new(y, m, d) {
            let dist = (c - value).get_days().abs();
            let dist = i64::from(dist);
            if best.is_none_or(|(b, _)| dist < b) {
                best = Some((dist, c));
            }
        }
    }
    best.map(|(_, d)| d).ok_or_else(err)
}

/// `:61:` value date, optional entry date, mark, optional funds code,
/// amount, transaction type, references, supplementary details.
fn parse_61(f: &Field, index: usize, currency: &str) -> Result<Pending, String> {
    let s = f.first.trim_end();
    let err = |what: &str| format!("'{s}': {what}");
    let value_date = yymmdd(s.get(..6).ok_or_else(|| err("too short"))?)?;
    let mut rest = &s[6..];
    let mut booking_date = value_date;
    if rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        booking_date = entry_date(&rest[..4], value_date)?;
        rest = &rest[4..];
    }
    let (credit_debit, reversal, after) = if let Some(r) = rest.strip_prefix("RC") {
        (CreditDebit::Debit, true, r)
    } else if let Some(r) = rest.strip_prefix("RD") {
        (CreditDebit::Credit, true, r)
    } else if let Some(r) = rest.strip_prefix('C') {
        (CreditDebit::Credit, false, r)
    } else if let Some(r) = rest.strip_prefix('D') {
        (CreditDebit::Debit, false, r)
    } else {
        return Err(err("no debit/credit mark (C, D, RC, RD) after the dates"));
    };
    rest = after;
    if rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        rest = &rest[1..]; // funds code
    }
    let amount_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b',')
        .count();
    let amount_text = &rest[..amount_len];
    let amount = parse_amount(amount_text, ',').map_err(|e| e.describe(amount_text))?;
    rest = &rest[amount_len..];
    let tx_type = rest
        .get(..4)
        .ok_or_else(|| err("no transaction type after the amount"))?;
    if !tx_type.starts_with(['N', 'S', 'F']) {
        return Err(err("transaction type must start with N, S or F"));
    }
    rest = &rest[4..];
    let (owner_ref, bank_ref, mut supplementary) = match rest.split_once("//") {
        Some((owner, bank)) => {
            let cut = bank.char_indices().nth(16).map_or(bank.len(), |(i, _)| i);
            (
                owner.trim(),
                bank[..cut].trim(),
                bank[cut..].trim().to_owned(),
            )
        }
        None => {
            let cut = rest.char_indices().nth(16).map_or(rest.len(), |(i, _)| i);
            (rest[..cut].trim(), "", rest[cut..].trim().to_owned())
        }
    };
    for m in &f.more {
        let m = m.trim();
        if !m.is_empty() {
            if !supplementary.is_empty() {
                supplementary.push(' ');
            }
            supplementary.push_str(m);
        }
    }
    let entry = Entry {
        index,
        line: f.line,
        entry_ref: (!bank_ref.is_empty()).then(|| bank_ref.to_owned()),
        owner_ref: (!owner_ref.is_empty()).then(|| owner_ref.to_owned()),
        booking_date: Some(booking_date),
        value_date: Some(value_date),
        amount,
        currency: currency.to_owned(),
        credit_debit,
        reversal,
        status: EntryStatus::Booked,
        bank_tx_code: Some(BankTxCode {
            iso: None,
            proprietary: Some(tx_type.to_owned()),
            proprietary_issuer: None,
        }),
        additional_info: None,
        transactions: Vec::new(),
    };
    Ok(Pending {
        entry,
        owner_ref: owner_ref.to_owned(),
        supplementary,
        info: Vec::new(),
        info_line: f.line,
    })
}

fn finish_entry(p: Pending, ctx: &StmtCtx<'_>) -> Result<Entry, BankError> {
    let Pending {
        mut entry,
        owner_ref,
        supplementary,
        info,
        info_line,
    } = p;
    let text = info.join(" ");
    let mut tx = parse_86(&text);
    tx.amount = Some(entry.amount);
    // Rabobank gives the counterparty account on the second line of :61:.
    if tx.counterparty_iban.is_none() && looks_like_account(&supplementary) {
        tx.counterparty_iban = Some(supplementary.clone());
    }
    if tx.structured_reference.is_none()
        && owner_ref.len() == 16
        && owner_ref.bytes().all(|b| b.is_ascii_digit())
    {
        // ING puts a betalingskenmerk it paid with in the :61: reference.
        tx.structured_reference = Some(StructuredRef {
            issuer: RefIssuer::Cur,
            reference: owner_ref.clone(),
        });
    }
    if !supplementary.is_empty() {
        entry.additional_info = Some(supplementary);
    }
    if text.len() > INFO_CHARS_MAX {
        return Err(ctx.err(
            format!("line {info_line} (:86:)"),
            format!("information text longer than {INFO_CHARS_MAX} characters"),
        ));
    }
    entry.transactions.push(tx);
    Ok(entry)
}

fn looks_like_account(s: &str) -> bool {
    let b = s.as_bytes();
    (15..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b.iter().all(u8::is_ascii_alphanumeric)
}

/// Splits structured `:86:` text on known `/KEY/` markers. A value may hold
/// slashes (`/EREF/REF17/22/4444/`), so only known keys split.
fn subfields(text: &str) -> Option<Vec<(&str, &str)>> {
    let b = text.as_bytes();
    let mut marks: Vec<(usize, usize, &str)> = Vec::new(); // (start, value start, key)
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/'
            && let Some(key) = KEYS
                .iter()
                .find(|k| text[i + 1..].starts_with(**k) && b.get(i + 1 + k.len()) == Some(&b'/'))
        {
            marks.push((i, i + key.len() + 2, key));
            i += key.len() + 1;
            continue;
        }
        i += 1;
    }
    if marks.first().is_none_or(|m| m.0 != 0) {
        return None;
    }
    let mut out = Vec::with_capacity(marks.len());
    for (n, (_, value_start, key)) in marks.iter().enumerate() {
        let end = marks.get(n + 1).map_or(text.len(), |m| m.0);
        let value = &text[(*value_start).min(end)..end];
        out.push((*key, value.strip_suffix('/').unwrap_or(value)));
    }
    Some(out)
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The transaction details in `:86:` text: structured subfields when the
/// text starts with a known key, else free text (with ABN AMRO's labelled
/// layout `IBAN: ... NAAM: ...` read where present).
fn parse_86(text: &str) -> Transaction {
    let mut tx = Transaction::empty(0);
    let trimmed = text.trim();
    if let Some(fields) = subfields(trimmed) {
        let mut remi: Vec<String> = Vec::new();
        let mut issuer: Option<String> = None;
        let mut cdtr_ref: Option<String> = None;
        for (key, value) in fields {
            match key {
                "EREF" => {
                    tx.end_to_end_id =
                        non_empty(value).filter(|v| !v.eq_ignore_ascii_case("NOTPROVIDED"));
                }
                "MARF" => tx.mandate_id = non_empty(value),
                "CSID" => tx.creditor_id = non_empty(value),
                "RTRN" => tx.return_reason = non_empty(value.split('/').next().unwrap_or("")),
                "NAME" if tx.counterparty_name.is_none() => {
                    tx.counterparty_name = non_empty(value);
                }
                "IBAN" => tx.counterparty_iban = non_empty(value),
                "BIC" => tx.counterparty_bic = non_empty(value),
                "CNTP" => {
                    // ING: account/BIC/name/city.
                    let mut parts = value.split('/');
                    tx.counterparty_iban = parts.next().and_then(non_empty);
                    tx.counterparty_bic = parts.next().and_then(non_empty);
                    tx.counterparty_name = parts.next().and_then(non_empty);
                }
                "REMI" => {
                    if let Some(u) = value.strip_prefix("USTD//") {
                        remi.extend(non_empty(u.strip_suffix('/').unwrap_or(u)));
                    } else if let Some(s) = value.strip_prefix("STRD/") {
                        // ING: STRD/CUR/reference/
                        let mut parts = s.split('/');
                        issuer = parts.next().and_then(non_empty);
                        cdtr_ref = parts.next().and_then(non_empty);
                    } else {
                        remi.extend(non_empty(value));
                    }
                }
                "ISSR" => issuer = non_empty(value),
                "CDTRREF" => cdtr_ref = non_empty(value),
                _ => {}
            }
        }
        tx.remittance_unstructured = remi;
        tx.structured_reference = match cdtr_ref {
            Some(reference) => Some(StructuredRef {
                issuer: match issuer.as_deref() {
                    Some(i) if i.eq_ignore_ascii_case("CUR") => RefIssuer::Cur,
                    Some(i) if i.eq_ignore_ascii_case("ISO") => RefIssuer::Iso,
                    other => RefIssuer::Other(other.unwrap_or("").to_owned()),
                },
                reference,
            }),
            None => tx
                .remittance_unstructured
                .iter()
                .find_map(|t| find_structured_ref(t)),
        };
    } else if !trimmed.is_empty() {
        labelled(trimmed, &mut tx);
        tx.structured_reference = find_structured_ref(trimmed);
        tx.remittance_unstructured.push(trimmed.to_owned());
    }
    tx
}

/// ABN AMRO's older SEPA layout: `SEPA OVERBOEKING  IBAN: NL.. BIC: ..
/// NAAM: .. OMSCHRIJVING: .. KENMERK: ..`; a value runs to the next label.
fn labelled(text: &str, tx: &mut Transaction) {
    const LABELS: [&str; 9] = [
        "IBAN:",
        "BIC:",
        "NAAM:",
        "OMSCHRIJVING:",
        "KENMERK:",
        "BETALINGSKENM.:",
        "MACHTIGING:",
        "INCASSANT:",
        "ID DEBITEUR:",
    ];
    let mut found: Vec<(usize, &str)> = Vec::new();
    for l in LABELS {
        let mut from = 0;
        while let Some(p) = text[from..].find(l) {
            let at = from + p;
            found.push((at, l));
            from = at + l.len();
        }
    }
    if !found.iter().any(|(_, l)| *l == "IBAN:" || *l == "NAAM:") {
        return;
    }
    found.sort_unstable();
    for (n, (at, label)) in found.iter().enumerate() {
        let end = found.get(n + 1).map_or(text.len(), |m| m.0);
        let start = (at + label.len()).min(end);
        let value = non_empty(&text[start..end]);
        match *label {
            "IBAN:" => tx.counterparty_iban = value,
            "BIC:" => tx.counterparty_bic = value,
            "NAAM:" => tx.counterparty_name = value,
            "MACHTIGING:" => tx.mandate_id = value,
            "INCASSANT:" => tx.creditor_id = value,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        kwijting_domain::parse_date(s).unwrap()
    }

    #[test]
    fn entry_date_year_rollover() {
        assert_eq!(
            entry_date("0102", d("2014-12-31")).unwrap(),
            d("2015-01-02")
        );
        assert_eq!(
            entry_date("1231", d("2019-01-01")).unwrap(),
            d("2018-12-31")
        );
        assert_eq!(
            entry_date("0113", d("2014-01-11")).unwrap(),
            d("2014-01-13")
        );
        assert!(entry_date("1340", d("2014-01-11")).is_err());
    }

    #[test]
    fn subfields_split_on_known_keys_only() {
        let f = subfields("/EREF/REF17/22/4444 555555/DEC- 16/ORDP//NAME/AAAA/REMI/x").unwrap();
        assert_eq!(
            f,
            vec![
                ("EREF", "REF17/22/4444 555555/DEC- 16"),
                ("ORDP", ""),
                ("NAME", "AAAA"),
                ("REMI", "x")
            ]
        );
        assert!(subfields("GIRO 428428 KPN").is_none());
    }

    #[test]
    fn abn_labels() {
        let tx = parse_86(
            "SEPA OVERBOEKING                 IBAN: NL86INGB0002445588BIC: INGBNL2A                    NAAM: BELASTINGDIENST APELDOORNBETALINGSKENM.: 1234123412345678",
        );
        assert_eq!(tx.counterparty_iban.as_deref(), Some("NL86INGB0002445588"));
        assert_eq!(tx.counterparty_bic.as_deref(), Some("INGBNL2A"));
        assert_eq!(
            tx.counterparty_name.as_deref(),
            Some("BELASTINGDIENST APELDOORN")
        );
        assert_eq!(
            tx.structured_reference.unwrap().reference,
            "1234123412345678"
        );
    }
}
