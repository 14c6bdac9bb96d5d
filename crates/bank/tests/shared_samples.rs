//! Every real camt and MT940 file in the shared reference samples
//! (`CARGO_MANIFEST_DIR/../../../shared/reference/samples`) parses, or is
//! refused with a clear message where it is broken on purpose. Where a
//! genkgo sample has the expected parse of another library next to it (a
//! `.json`), amounts, dates, references and counterparties are compared.
//! Skipped, with a message, when the shared folder is absent.

use std::path::{Path, PathBuf};

use kwijting_bank::{BankError, CreditDebit, Entry, Statement, parse_camt, parse_mt940};
use serde_json::Value;

/// Files refused on purpose, with a piece of the expected message.
const EXPECTED_REFUSALS: &[(&str, &str)] = &[
    // A camt.053 message without any <Stmt>.
    ("camt053.v2.wrong.xml", "no <Stmt> in <BkToCstmrStmt>"),
    // The first statement is cut off before its closing balance.
    ("knab_invalid.txt", "no :62F: closing balance"),
];

/// Real bank exports whose balances must reconcile (the others are test
/// files written by hand, many with balances that do not add up).
const MUST_RECONCILE: &[&str] = &["rabobank-export/CAMT053.xml"];

fn samples_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/samples");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

enum Kind {
    Camt,
    Mt940,
}

fn kind(path: &Path, bytes: &[u8]) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    if name.starts_with("MANIFEST") {
        return None;
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(600)]).to_string();
    match ext {
        "xml" if head.contains("camt.05") => Some(Kind::Camt),
        "txt" | "swi" | "sta" | "940" => Some(Kind::Mt940),
        _ => None,
    }
}

#[test]
fn every_shared_statement_file_parses_or_is_refused_on_purpose() {
    let Some(dir) = samples_dir() else {
        println!("shared samples folder not found next to the workspace; skipping");
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    let mut parsed = 0;
    let mut compared = 0;
    let mut refused = Vec::new();
    let mut failures = Vec::new();
    for path in &all {
        let bytes = std::fs::read(path).expect("read sample");
        let Some(kind) = kind(path, &bytes) else {
            continue;
        };
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let result = match kind {
            Kind::Camt => parse_camt(&bytes, &rel),
            Kind::Mt940 => {
                // Exports are Latin-1 or UTF-8; these samples are ASCII.
                let text = String::from_utf8_lossy(&bytes);
                parse_mt940(&text, &rel)
            }
        };
        let expected = EXPECTED_REFUSALS.iter().find(|(n, _)| *n == name);
        match (result, expected) {
            (Ok(statements), None) => {
                parsed += 1;
                check_statements(&rel, &statements, &mut failures);
                if MUST_RECONCILE.contains(&rel.as_str()) {
                    for s in &statements {
                        if let Err(e) = s.reconcile() {
                            failures.push(format!("{e}"));
                        }
                    }
                }
                let json = path.with_extension("json");
                if json.is_file() {
                    let text = std::fs::read_to_string(&json).expect("read json");
                    let v: Value = serde_json::from_str(&text).expect("json");
                    compare_with_genkgo(&rel, &statements, &v, &mut failures);
                    compared += 1;
                }
            }
            (Ok(_), Some(_)) => failures.push(format!("{rel}: parsed, but should be refused")),
            (Err(e), Some((_, piece))) => {
                let msg = e.to_string();
                if !msg.contains(piece) || !msg.contains(&rel) {
                    failures.push(format!("{rel}: refused with '{msg}', expected '{piece}'"));
                }
                refused.push(msg);
            }
            (Err(e), None) => failures.push(format!("{rel}: {e}")),
        }
    }
    println!("{parsed} files parsed; refused on purpose:");
    for r in &refused {
        println!("  {r}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        refused.len(),
        EXPECTED_REFUSALS.len(),
        "expected refusals not all seen"
    );
    assert!(parsed >= 85, "only {parsed} files parsed");
    assert!(
        compared >= 24,
        "only {compared} files compared with genkgo's parse"
    );
}

/// Invariants every parse keeps.
fn check_statements(rel: &str, statements: &[Statement], failures: &mut Vec<String>) {
    if statements.is_empty() {
        failures.push(format!("{rel}: no statements"));
    }
    for s in statements {
        for (i, e) in s.entries.iter().enumerate() {
            if e.index != i || e.transactions.is_empty() || e.amount.is_negative() {
                failures.push(format!("{rel}: entry {i} malformed: {e:?}"));
            }
            let with_amount: Vec<i64> = e
                .transactions
                .iter()
                .filter_map(|t| t.amount.map(|a| a.cents()))
                .collect();
            if !with_amount.is_empty() && with_amount.iter().sum::<i64>() != e.amount.cents() {
                failures.push(format!("{rel}: entry {i} parts do not add up"));
            }
            let keys: std::collections::HashSet<String> = (0..e.transactions.len())
                .map(|t| e.idempotency_key(s, t))
                .collect();
            if keys.len() != e.transactions.len() {
                failures.push(format!("{rel}: entry {i} idempotency keys collide"));
            }
        }
    }
}

fn obj(v: &Value) -> Option<&Value> {
    v.is_object().then_some(v)
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut n = v;
    for p in path {
        n = n.get(p)?;
    }
    match n {
        Value::String(s) if s != "__RECURSIVITY__" && !s.is_empty() => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        _ => None,
    }
}

fn day(v: &Value, key: &str) -> Option<String> {
    text(v, &[key, "0"]).map(|s| s[..10].to_owned())
}

fn compare_with_genkgo(rel: &str, statements: &[Statement], v: &Value, failures: &mut Vec<String>) {
    let mut check = |what: String, ours: Option<String>, theirs: Option<String>| {
        if ours != theirs {
            failures.push(format!("{rel}: {what}: ours {ours:?}, genkgo {theirs:?}"));
        }
    };
    let entries = v
        .get("getEntries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // The entries listed belong to the record named in the first entry.
    let record = entries
        .first()
        .and_then(|e| e.get("getRecord"))
        .and_then(obj)
        .or_else(|| v.get("getRecords").and_then(|r| r.get(0)).and_then(obj));
    let id = record.and_then(|r| text(r, &["getId"]));
    let Some(first) = statements
        .iter()
        .find(|s| Some(&s.statement_id) == id.as_ref())
        .or(statements.first())
    else {
        return;
    };
    if let Some(rec) = record {
        check(
            "statement id".into(),
            Some(first.statement_id.clone()),
            text(rec, &["getId"]),
        );
        check(
            "sequence".into(),
            first.sequence.clone(),
            text(rec, &["getElectronicSequenceNumber"]),
        );
        check(
            "account".into(),
            Some(first.account.as_str().to_owned()),
            text(rec, &["getAccount", "getIdentification"]),
        );
        for b in rec
            .get("getBalances")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ours = match text(b, &["getType"]).as_deref() {
                Some("opening") => first.opening_balance.as_ref(),
                Some("closing") => first.closing_balance.as_ref(),
                _ => continue,
            };
            // genkgo lists PRCD as "opening" too; compare the first of each.
            if let Some(o) = ours
                && text(b, &["getAmount", "getAmount"]) == Some(o.amount.cents().to_string())
            {
                check(
                    "balance date".into(),
                    Some(o.date.to_string()),
                    day(b, "getDate"),
                );
            }
        }
        let opening = rec
            .get("getBalances")
            .and_then(Value::as_array)
            .and_then(|bs| {
                bs.iter()
                    .find(|b| text(b, &["getType"]).as_deref() == Some("opening"))
            });
        if let Some(o) = opening {
            check(
                "opening balance".into(),
                first
                    .opening_balance
                    .as_ref()
                    .map(|b| b.amount.cents().to_string()),
                text(o, &["getAmount", "getAmount"]),
            );
        }
    }
    for e in &entries {
        let index = e.get("getIndex").and_then(Value::as_u64).unwrap_or(0) as usize;
        let Some(ours) = first.entries.get(index) else {
            failures.push(format!("{rel}: entry {index} missing"));
            continue;
        };
        compare_entry(rel, index, ours, first.account.as_str(), e, failures);
    }
}

fn compare_entry(
    rel: &str,
    index: usize,
    ours: &Entry,
    own_account: &str,
    e: &Value,
    failures: &mut Vec<String>,
) {
    let mut check = |what: &str, o: Option<String>, t: Option<String>| {
        if o != t {
            failures.push(format!(
                "{rel}: entry {index}: {what}: ours {o:?}, genkgo {t:?}"
            ));
        }
    };
    check(
        "amount",
        Some(ours.signed_amount().cents().to_string()),
        text(e, &["getAmount", "getAmount"]),
    );
    check(
        "booking date",
        ours.booking_date.map(|d| d.to_string()),
        day(e, "getBookingDate"),
    );
    check(
        "value date",
        ours.value_date.map(|d| d.to_string()),
        day(e, "getValueDate"),
    );
    check(
        "entry ref",
        ours.entry_ref.clone(),
        text(e, &["getAccountServicerReference"]).or_else(|| text(e, &["getReference"])),
    );
    check(
        "reversal",
        Some(ours.reversal.to_string()),
        e.get("getReversalIndicator")
            .and_then(Value::as_bool)
            .map(|b| b.to_string()),
    );
    let details: Vec<&Value> = match e.get("getTransactionDetails").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .enumerate()
            .filter_map(|(i, d)| match d {
                Value::Object(_) => Some(d),
                _ if i == 0 => e.get("getTransactionDetail").and_then(obj),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    if details.len() > 1 {
        check(
            "transaction count",
            Some(ours.transactions.len().to_string()),
            Some(details.len().to_string()),
        );
    }
    for (i, d) in details.iter().enumerate() {
        let Some(tx) = ours.transactions.get(i) else {
            continue;
        };
        let what = |w: &str| format!("tx {i} {w}");
        let e2e = text(d, &["getReference", "getEndToEndId"]).filter(|s| s != "NOTPROVIDED");
        check(&what("end-to-end id"), tx.end_to_end_id.clone(), e2e);
        check(
            &what("mandate id"),
            tx.mandate_id.clone(),
            text(d, &["getReference", "getMandateId"]),
        );
        let their_ref = text(
            d,
            &[
                "getRemittanceInformation",
                "getCreditorReferenceInformation",
                "getRef",
            ],
        );
        if their_ref.is_some() {
            check(
                &what("structured reference"),
                tx.structured_reference
                    .as_ref()
                    .map(|r| r.reference.clone()),
                their_ref,
            );
        }
        let blocks = d
            .get("getRemittanceInformation")
            .and_then(|r| r.get("getUnstructuredBlocks"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for b in blocks {
            if let Some(m) = text(&b, &["getMessage"])
                && !tx.remittance_unstructured.contains(&m)
            {
                check(&what("unstructured remittance"), None, Some(m));
            }
        }
        check(
            &what("return reason"),
            tx.return_reason.clone(),
            text(d, &["getReturnInformation", "getCode"]),
        );
        // The counterparty: the debtor of a credit, the creditor of a debit,
        // else the one party named.
        // A party on our own account is not the counterparty.
        let parties: Vec<&Value> = d
            .get("getRelatedParties")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|p| p.is_object())
                    .filter(|p| {
                        text(p, &["getAccount", "getIdentification"]).as_deref()
                            != Some(own_account)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let class_of =
            |p: &Value| text(p, &["getRelatedPartyType", "__CLASS__"]).unwrap_or_default();
        let wanted = match (ours.credit_debit, ours.reversal) {
            (CreditDebit::Credit, false) | (CreditDebit::Debit, true) => "\\Debtor",
            _ => "\\Creditor",
        };
        let primary = parties
            .iter()
            .find(|p| class_of(p).ends_with(wanted))
            .or_else(|| {
                parties.iter().find(|p| {
                    let c = class_of(p);
                    c.ends_with("\\Debtor") || c.ends_with("\\Creditor")
                })
            });
        if let Some(p) = primary {
            check(
                &what("counterparty name"),
                tx.counterparty_name.clone(),
                text(p, &["getRelatedPartyType", "getName"]),
            );
            check(
                &what("counterparty account"),
                tx.counterparty_iban.clone(),
                text(p, &["getAccount", "getIdentification"]),
            );
        }
    }
}

#[test]
fn refusals_name_the_file() {
    let e = parse_camt(b"<Document/>", "x.xml").unwrap_err();
    assert!(matches!(e, BankError::File { .. }));
    assert!(e.to_string().starts_with("x.xml: "), "{e}");
}
