//! The real binary, on every engine: the contracts that scripts rely on.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;
use common::{databases, kwijting, ok, scratch};

#[test]
fn import_list_and_refuse() {
    let dir = scratch("import");
    let csv = dir.join("p.csv");
    let csv_s = csv.to_str().unwrap();
    ok(
        "sqlite::memory:",
        &[
            "generate",
            "--cases",
            "300",
            "--seed",
            "9",
            "--as-of",
            "2026-11-01",
            "--out",
            csv_s,
        ],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut bad = lines.clone();
    let broken =
        lines[120]
            .replacen(",consumer,", ",somebody,", 1)
            .replacen(",business,", ",somebody,", 1);
    bad[120] = &broken;
    let bad_csv = dir.join("bad.csv");
    std::fs::write(&bad_csv, bad.join("\n")).unwrap();

    for db in databases("import", &dir) {
        ok(
            &db,
            &[
                "clients",
                "add",
                "--ref",
                "ACME",
                "--name",
                "Acme B.V.",
                "--role",
                "controller",
            ],
        );
        let out = kwijting(
            &db,
            &[
                "clients",
                "add",
                "--ref",
                "ACME",
                "--name",
                "Again",
                "--role",
                "controller",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(3),
            "{db}: a duplicate client is refused input"
        );

        let out = kwijting(
            &db,
            &[
                "import",
                "claims",
                bad_csv.to_str().unwrap(),
                "--client",
                "ACME",
            ],
        );
        assert_eq!(out.status.code(), Some(3), "{db}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(":121: field 'debtor_type'"), "{db}: {err}");
        let empty: Value = serde_json::from_str(&ok(&db, &["cases", "list", "--json"])).unwrap();
        assert_eq!(empty["total"], 0, "{db}: nothing was imported");

        let report: Value = serde_json::from_str(&ok(
            &db,
            &["import", "claims", csv_s, "--client", "ACME", "--json"],
        ))
        .unwrap();
        assert_eq!(report["cases_added"], 300, "{db}");
        let again: Value = serde_json::from_str(&ok(
            &db,
            &["import", "claims", csv_s, "--client", "ACME", "--json"],
        ))
        .unwrap();
        assert_eq!(again["claims_added"], 0, "{db}");

        let list: Value = serde_json::from_str(&ok(
            &db,
            &[
                "cases", "list", "--client", "ACME", "--limit", "5", "--json",
            ],
        ))
        .unwrap();
        assert_eq!(list["total"], 300, "{db}");
        let cases = list["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 5, "{db}");
        for c in cases {
            assert!(
                c["number"].is_string() && c["client"] == "ACME" && c["status"] == "intake",
                "{db}: {c}"
            );
            // What is owed today, or why the law engine cannot say (the
            // shipped table lacks a commercial rate for 2026 H2).
            assert!(
                c["balance_cents"].as_i64().is_some_and(|b| b > 0)
                    || c["balance_unknown"]
                        .as_str()
                        .is_some_and(|w| w.contains("commercial interest rate")),
                "{db}: {c}"
            );
            assert!(
                c["debtor"]["id"].is_i64() && c["debtor"]["name"].is_string(),
                "{db}: {c}"
            );
        }
        let number = cases[0]["number"].as_str().unwrap();
        let file: Value =
            serde_json::from_str(&ok(&db, &["cases", "show", number, "--json"])).unwrap();
        assert_eq!(file["number"], number, "{db}");
        let out = kwijting(&db, &["cases", "list", "--status", "sleeping"]);
        assert_eq!(out.status.code(), Some(2), "{db}: bad usage");
        ok(&db, &["catalog", "check"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_is_deterministic() {
    let dir = scratch("generate");
    let a = dir.join("a.csv");
    let b = dir.join("b.csv");
    for f in [&a, &b] {
        ok(
            "sqlite::memory:",
            &[
                "generate",
                "--cases",
                "50",
                "--seed",
                "4",
                "--as-of",
                "2026-11-01",
                "--out",
                f.to_str().unwrap(),
            ],
        );
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_loads_without_serving() {
    let dir = scratch("demo");
    let db = dir.join("demo.db");
    let out = ok(
        "sqlite::memory:",
        &[
            "demo",
            "--cases",
            "200",
            "--no-serve",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert!(out.contains("TELCO") && out.contains("ENERGIE"), "{out}");
    let url = format!("sqlite://{}", db.display());
    let list: Value = serde_json::from_str(&ok(&url, &["cases", "list", "--json"])).unwrap();
    assert!(list["total"].as_u64().unwrap() >= 198, "{list}");
    let clients: Value = serde_json::from_str(&ok(&url, &["clients", "list", "--json"])).unwrap();
    assert_eq!(clients["clients"].as_array().unwrap().len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_import_runs_small() {
    let dir = scratch("bench");
    let out = ok(
        "sqlite::memory:",
        &[
            "bench",
            "import",
            "--claims",
            "2000",
            "--dir",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("bench import [sqlite]") && out.contains("ratio"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operator_rate_lines_persist_and_bad_ones_are_refused() {
    let dir = scratch("rates");
    for db in databases("rates", &dir) {
        // The shipped table has no consumer rate change in July 2026.
        let interest = |db: &str| -> Value {
            serde_json::from_str(&ok(
                db,
                &[
                    "law",
                    "interest",
                    "--principal",
                    "1000.00",
                    "--from",
                    "2026-06-01",
                    "--to",
                    "2026-08-31",
                    "--kind",
                    "consumer",
                    "--json",
                ],
            ))
            .unwrap()
        };
        ok(&db, &["clients", "list"]);
        let before = interest(&db);
        assert_eq!(
            before["periods"].as_array().unwrap().len(),
            1,
            "{db}: {before}"
        );
        let out = kwijting(
            &db,
            &[
                "law",
                "rates",
                "add",
                "2026-07-01,abc,1000,provisional,typo",
            ],
        );
        assert_eq!(out.status.code(), Some(3), "{db}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("'abc'"),
            "{db}"
        );
        ok(
            &db,
            &[
                "law",
                "rates",
                "add",
                "2026-07-01,300,1000,provisional,operator test line",
            ],
        );
        let after = interest(&db);
        let periods = after["periods"].as_array().unwrap();
        assert_eq!(periods.len(), 2, "{db}: {after}");
        assert_eq!(periods[1]["rate"], "3.00", "{db}");
        assert_eq!(periods[1]["rate_mark"], "provisional", "{db}");
        let list: Value =
            serde_json::from_str(&ok(&db, &["law", "rates", "list", "--json"])).unwrap();
        let last = list["lines"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["origin"], "operator", "{db}: {list}");
        // A commercial half-year without a rate is refused until an assumption is recorded.
        let args = [
            "law",
            "interest",
            "--principal",
            "1000",
            "--from",
            "2026-06-01",
            "--to",
            "2027-03-31",
            "--kind",
            "commercial",
            "--json",
        ];
        assert_eq!(kwijting(&db, &args).status.code(), Some(3), "{db}");
        ok(
            &db,
            &[
                "law",
                "rates",
                "assume-commercial",
                "--note",
                "decree expected",
            ],
        );
        let v: Value = serde_json::from_str(&ok(&db, &args)).unwrap();
        let marks: Vec<&str> = v["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["rate_mark"].as_str().unwrap())
            .collect();
        assert!(marks.contains(&"assumed"), "{db}: {marks:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_policy_file_is_refused_naming_the_key() {
    let dir = scratch("policy");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policy/default.toml"
    ))
    .unwrap();
    let bad = text.replacen(
        "retention = \"last_contact_36m\"",
        "retention = \"forever\"",
        1,
    );
    assert_ne!(bad, text);
    let path = dir.join("bad.toml");
    std::fs::write(&path, bad).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .args([
            "--policy",
            path.to_str().unwrap(),
            "--database-url",
            "sqlite::memory:",
            "clients",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: purposes.")
            && err.contains(".retention: unknown retention rule 'forever'"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_day_reports_and_explains() {
    let dir = scratch("runday");
    let csv = dir.join("p.csv");
    ok(
        "sqlite::memory:",
        &[
            "generate",
            "--cases",
            "120",
            "--seed",
            "5",
            "--as-of",
            "2026-11-01",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    for db in databases("runday", &dir) {
        ok(
            &db,
            &[
                "clients",
                "add",
                "--ref",
                "ACME",
                "--name",
                "Acme B.V.",
                "--role",
                "controller",
            ],
        );
        ok(
            &db,
            &[
                "import",
                "claims",
                csv.to_str().unwrap(),
                "--client",
                "ACME",
            ],
        );
        ok(
            &db,
            &["law", "rates", "assume-commercial", "--note", "test"],
        );
        let s: Value =
            serde_json::from_str(&ok(&db, &["run-day", "--as-of", "2026-11-23", "--json"]))
                .unwrap();
        for key in [
            "cases_seen",
            "decisions",
            "by_action",
            "holds",
            "review_queue",
            "errors",
        ] {
            assert!(!s[key].is_null(), "{db}: {key} missing in {s}");
        }
        assert_eq!(s["cases_seen"], 120, "{db}: {s}");
        assert!(s["decisions"].as_u64().unwrap() > 0, "{db}: {s}");
        let again: Value =
            serde_json::from_str(&ok(&db, &["run-day", "--as-of", "2026-11-23", "--json"]))
                .unwrap();
        assert_eq!(again["new_decisions"], 0, "{db}: a second run adds nothing");
        assert_eq!(again["decisions"], s["decisions"], "{db}");
        let list: Value =
            serde_json::from_str(&ok(&db, &["cases", "list", "--limit", "1", "--json"])).unwrap();
        let number = list["cases"][0]["number"].as_str().unwrap().to_owned();
        let e: Value = serde_json::from_str(&ok(
            &db,
            &["cases", "explain", &number, "--lang", "en", "--json"],
        ))
        .unwrap();
        let text = e["decisions"][0]["explanation"].as_str().unwrap();
        assert!(
            text.contains("made automatically") && text.contains("article 22 GDPR"),
            "{db}: {text}"
        );
        let nl = ok(&db, &["cases", "explain", &number]);
        assert!(
            nl.contains("automatisch genomen")
                && nl.contains("artikel 22 AVG")
                && !nl.contains('_'),
            "{db}: {nl}"
        );
        ok(
            &db,
            &[
                "cases", "hold", &number, "--kind", "dispute", "--reason", "disputed",
            ],
        );
        let bad = kwijting(
            &db,
            &[
                "cases", "hold", &number, "--kind", "holiday", "--reason", "x",
            ],
        );
        assert_eq!(bad.status.code(), Some(3), "{db}");
        let holds: Value =
            serde_json::from_str(&ok(&db, &["cases", "holds", &number, "--json"])).unwrap();
        assert_eq!(holds["holds"][0]["kind"], "dispute", "{db}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn json_of(db: &str, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

#[test]
fn rights_requests_from_the_command_line() {
    let dir = scratch("rights");
    let csv = dir.join("c.csv");
    std::fs::write(
        &csv,
        "debtor_type,debtor_name,street,postcode,city,email,invoice_number,invoice_date,due_date,principal\n\
         consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,jan@example.org,F-1,2026-01-01,2026-01-31,100\n",
    )
    .unwrap();
    let html = dir.join("extract.html");
    let port_csv = dir.join("port.csv");
    for db in databases("rights", &dir) {
        ok(
            &db,
            &[
                "clients",
                "add",
                "--ref",
                "ACME",
                "--name",
                "Acme",
                "--role",
                "controller",
            ],
        );
        ok(
            &db,
            &[
                "import",
                "claims",
                csv.to_str().unwrap(),
                "--client",
                "ACME",
            ],
        );
        let cases = json_of(&db, &["cases", "list", "--json"]);
        let subject = cases["cases"][0]["debtor"]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let s = subject.as_str();

        let v = json_of(&db, &["rights", "access", "--subject", s, "--json"]);
        assert_eq!(v["status"], "awaiting_verification", "{db}");
        let id = v["id"].as_i64().unwrap().to_string();
        let text = ok(&db, &["rights", "verify", &id, "--method", "id_document"]);
        assert!(
            text.contains("completed") && text.contains("parties: 1 row(s)"),
            "{db}: {text}"
        );
        ok(
            &db,
            &["rights", "show", &id, "--html", html.to_str().unwrap()],
        );
        assert!(
            std::fs::read_to_string(&html)
                .unwrap()
                .contains("Jan de Vries"),
            "{db}"
        );

        ok(
            &db,
            &[
                "rights",
                "port",
                "--subject",
                s,
                "--verified-by",
                "id_document",
                "--csv",
                port_csv.to_str().unwrap(),
            ],
        );
        assert!(
            std::fs::read_to_string(&port_csv)
                .unwrap()
                .contains("email,jan@example.org"),
            "{db}"
        );

        let v = json_of(
            &db,
            &[
                "rights",
                "rectify",
                "--subject",
                s,
                "--verified-by",
                "id_document",
                "--set",
                "email=jan@new.example",
                "--json",
            ],
        );
        assert_eq!(v["status"], "completed", "{db}");
        let out = kwijting(
            &db,
            &[
                "rights",
                "rectify",
                "--subject",
                s,
                "--set",
                "balance_cents=0",
            ],
        );
        assert_eq!(out.status.code(), Some(3), "{db}: bad input is refused");

        let v = json_of(
            &db,
            &[
                "rights",
                "object",
                "--subject",
                s,
                "--to",
                "collection",
                "--verified-by",
                "id_document",
                "--json",
            ],
        );
        assert_eq!(v["status"], "awaiting_decision", "{db}");
        let oid = v["id"].as_i64().unwrap().to_string();
        let v = json_of(
            &db,
            &[
                "rights",
                "decide",
                &oid,
                "--uphold",
                "--reason",
                "undisputed debt",
                "--json",
            ],
        );
        assert_eq!(v["status"], "completed", "{db}");

        let v = json_of(
            &db,
            &[
                "rights",
                "restrict",
                "--subject",
                s,
                "--verified-by",
                "id_document",
                "--json",
            ],
        );
        assert_eq!(v["status"], "completed", "{db}");
        let out = kwijting(&db, &["rights", "extend", &id, "--reason", "busy"]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{db}: a completed request is not extended"
        );
        let list = json_of(&db, &["rights", "list", "--json"]);
        assert_eq!(list["requests"].as_array().unwrap().len(), 5, "{db}");
        let notes = json_of(&db, &["rights", "notifications", "--json"]);
        let first = notes["notifications"][0]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        ok(&db, &["rights", "notification", &first, "--state", "sent"]);
        let text = ok(&db, &["rights", "resume"]);
        assert!(text.is_empty(), "{db}: nothing left to run: {text}");
    }
}

/// A camt.053 with one credit naming no case.
const UNMATCHED_CAMT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>CLI-1</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>CLI-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-11-20T18:00:00</CreDtTm>
<Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">25.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>CLI-E1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>my debt, sorry</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"#;

#[test]
fn an_unmatched_credit_is_assigned_by_hand() {
    let dir = scratch("payments");
    let csv = dir.join("p.csv");
    let camt = dir.join("s.xml");
    std::fs::write(&camt, UNMATCHED_CAMT).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    ok(
        &db,
        &[
            "generate",
            "--cases",
            "5",
            "--seed",
            "3",
            "--as-of",
            "2026-11-01",
            "--out",
            &path(&csv),
        ],
    );
    ok(
        &db,
        &[
            "clients",
            "add",
            "--ref",
            "ACME",
            "--name",
            "Acme B.V.",
            "--role",
            "controller",
        ],
    );
    ok(&db, &["import", "claims", &path(&csv), "--client", "ACME"]);
    // A statement of any other account than the trust account is refused.
    let refused = common::kwijting(
        &db,
        &[
            "import",
            "statement",
            &path(&camt),
            "--trust-iban",
            "NL91ABNA0417164300",
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("NL44RABO0123456789") && said.contains("not a configured trust account"),
        "{said}"
    );
    ok(
        &db,
        &[
            "import",
            "statement",
            &path(&camt),
            "--trust-iban",
            "NL44RABO0123456789",
        ],
    );
    let queue: Value =
        serde_json::from_str(&ok(&db, &["payments", "unmatched", "--json"])).unwrap();
    assert_eq!(queue["total"], 1, "{queue}");
    let key = queue["entries"][0]["key"].as_str().unwrap().to_owned();
    let cases: Value = serde_json::from_str(&ok(&db, &["cases", "list", "--json"])).unwrap();
    let case = cases["cases"][0]["number"].as_str().unwrap().to_owned();
    let assigned: Value =
        serde_json::from_str(&ok(&db, &["payments", "assign", &key, &case, "--json"])).unwrap();
    assert_eq!(assigned["amount_cents"], 2500, "{assigned}");
    assert_eq!(assigned["case"], case.as_str());
    let queue: Value =
        serde_json::from_str(&ok(&db, &["payments", "unmatched", "--json"])).unwrap();
    assert_eq!(queue["total"], 0, "{queue}");
    assert!(ok(&db, &["ledger", "verify"]).contains("every invariant holds"));
    // Twice is refused as bad input.
    let out = kwijting(&db, &["payments", "assign", &key, &case]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The agency as creditor of its direct debits.
const CREDITOR: &[&str] = &[
    "--creditor-name",
    "Kwijting Incasso B.V.",
    "--creditor-iban",
    "NL91ABNA0417164300",
    "--creditor-id",
    "NL22ZZZ524885430000",
];

/// The day the binary acts on (`common::TODAY`): dates are counted from it.
fn today() -> kwijting_domain::Date {
    kwijting_domain::parse_date(common::TODAY).unwrap()
}

fn xmllint(file: &Path, xsd: &str) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/xsd")
        .join(xsd);
    if !schema.is_file() {
        println!("shared schemas absent; skipping validation");
        return;
    }
    match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "{} does not validate: {}",
            file.display(),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) if std::env::var_os("KWIJTING_REQUIRE_XMLLINT").is_some() => {
            panic!("xmllint could not be run ({e})")
        }
        Err(e) => println!("xmllint could not be run ({e}); skipping"),
    }
}

#[test]
fn arrangements_mandates_and_direct_debit_from_the_command_line() {
    use jiff::ToSpan;
    let dir = scratch("arrangements");
    let csv = dir.join("p.csv");
    let start = today().checked_sub(40.days()).unwrap().to_string();
    ok(
        "sqlite::memory:",
        &[
            "generate",
            "--cases",
            "20",
            "--seed",
            "5",
            "--as-of",
            &start,
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    let mut first = today().checked_add(16.days()).unwrap();
    while !kwijting_service::direct_debit::is_target_day(first) {
        first = first.tomorrow().unwrap();
    }
    let first_s = first.to_string();
    for db in databases("arrangements", &dir) {
        let db = db.as_str();
        ok(
            db,
            &[
                "clients",
                "add",
                "--ref",
                "ACME",
                "--name",
                "Acme B.V.",
                "--role",
                "controller",
            ],
        );
        ok(
            db,
            &[
                "import",
                "claims",
                csv.to_str().unwrap(),
                "--client",
                "ACME",
            ],
        );
        let cases = json_of(db, &["cases", "list", "--limit", "1", "--json"]);
        let number = cases["cases"][0]["number"].as_str().unwrap().to_owned();
        let n = number.as_str();
        let quote = json_of(db, &["arrangements", "settle", n, "--json"]);
        let owed = quote["settles_with_cents"].as_i64().unwrap();
        assert!(owed > 0, "{db}: {quote}");
        ok(
            db,
            &[
                "arrangements",
                "rules",
                "--client",
                "ACME",
                "--min-instalment",
                "20.00",
            ],
        );
        let low = json_of(
            db,
            &[
                "arrangements",
                "propose",
                n,
                "--instalments",
                "2",
                "--amount",
                "5.00",
                "--every",
                "month",
                "--first",
                &first_s,
                "--json",
            ],
        );
        assert_eq!(low["accepted"], false, "{db}: {low}");
        assert!(
            low["reason"].as_str().unwrap().contains("minimum"),
            "{db}: {low}"
        );
        let each = (owed + 2) / 3;
        let amount = format!("{}.{:02}", each / 100, each % 100);
        let acc = json_of(
            db,
            &[
                "arrangements",
                "propose",
                n,
                "--instalments",
                "3",
                "--amount",
                &amount,
                "--every",
                "month",
                "--first",
                &first_s,
                "--json",
            ],
        );
        assert_eq!(acc["accepted"], true, "{db}: {acc}");
        let sum: i64 = acc["arrangement"]["schedule"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["amount_cents"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, owed, "{db}: the schedule adds up to what is owed");
        let text = ok(db, &["arrangements", "show", n]);
        assert!(
            text.contains("active") && text.contains("rejected"),
            "{db}: {text}"
        );
        let again = kwijting(
            db,
            &[
                "arrangements",
                "propose",
                n,
                "--instalments",
                "1",
                "--amount",
                "1000.00",
                "--every",
                "week",
                "--first",
                &first_s,
            ],
        );
        assert_eq!(
            again.status.code(),
            Some(3),
            "{db}: one active arrangement per case"
        );
        ok(
            db,
            &[
                "mandates",
                "add",
                n,
                "--reference",
                "KWM-CLI-1",
                "--name",
                "J. Jansen",
                "--iban",
                "NL02ABNA0123456789",
                "--signed-on",
                &today().to_string(),
            ],
        );
        // The file of the first date, with the creditor and the extra
        // arguments given.
        let dd = |out: &Path, extra: &[&str]| {
            let mut args = vec!["sepa", "direct-debit", "--date", &first_s];
            args.extend_from_slice(&["--out", out.to_str().unwrap()]);
            args.extend_from_slice(extra);
            args.extend_from_slice(CREDITOR);
            ok(db, &args)
        };
        let file = dir.join("dd.xml");
        let out = dd(&file, &[]);
        assert!(out.contains("1 collection(s)"), "{db}: {out}");
        let written = std::fs::read(&file).unwrap();
        xmllint(&file, "pain.008.001.08.xsd");
        // Again for the same date: the same file, nothing submitted twice.
        let out = dd(&file, &[]);
        assert!(out.contains("written before"), "{db}: {out}");
        assert_eq!(std::fs::read(&file).unwrap(), written, "{db}");
        let old = dir.join("dd02.xml");
        dd(&old, &["--version", "02"]);
        xmllint(&old, "pain.008.001.02.xsd");
        let shown = json_of(db, &["arrangements", "show", n, "--json"]);
        assert_eq!(
            shown["arrangements"][0]["schedule"][0]["direct_debits"], 1,
            "{db}: {shown}"
        );
        let bad = kwijting(
            db,
            &[
                &["sepa", "direct-debit", "--date", "2020-01-06"][..],
                CREDITOR,
            ]
            .concat(),
        );
        assert_eq!(
            bad.status.code(),
            Some(3),
            "{db}: a date in the past is refused"
        );
    }
}

#[test]
fn a_clients_costs_terms_are_set_and_shown() {
    let dir = scratch("costs-terms");
    for db in databases("costs_terms", &dir) {
        common::add_client(&db, "ACME", "controller");
        let said = ok(
            &db,
            &[
                "clients",
                "settings",
                "--ref",
                "ACME",
                "--costs",
                "fixed:100",
                "--vat-not-deductible",
                "yes",
            ],
        );
        assert!(
            said.contains("EUR 100.00 agreed with business debtors"),
            "{said}"
        );
        assert!(said.contains("raised by 21%"), "{said}");
        let listed: Value = serde_json::from_str(&ok(&db, &["clients", "list", "--json"])).unwrap();
        let acme = &listed["clients"][0];
        assert_eq!(acme["costs_fixed_cents"], 10_000, "{acme}");
        assert_eq!(acme["vat_not_deductible"], true, "{acme}");
        let said = ok(
            &db,
            &[
                "clients",
                "settings",
                "--ref",
                "ACME",
                "--costs",
                "percent:12.5",
            ],
        );
        assert!(said.contains("12.50% of the principal"), "{said}");
        // Back to the scale; a made-up term is refused (exit 3) and changes nothing.
        let out = kwijting(
            &db,
            &["clients", "settings", "--ref", "ACME", "--costs", "lots"],
        );
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--costs 'lots'"));
        let said = ok(
            &db,
            &["clients", "settings", "--ref", "ACME", "--costs", "bik"],
        );
        assert!(said.contains("collection costs: the BIK scale"), "{said}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_consumer_sale_is_time_barred_after_two_years() {
    const HEADER: &str = "debtor_ref,debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal,consumer_sale";
    let dir = scratch("consumer-sale");
    let csv = dir.join("sales.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}\n\
             D1,consumer,Anna de Vries,Kerkstraat 1,1234 AB,Utrecht,S-1,2024-06-01,2024-06-30,120.00,yes\n\
             D2,consumer,Bram van 't Hof,Dorpsweg 2,2345 BC,Zwolle,S-2,2024-06-01,2024-06-30,120.00,nee\n"
        ),
    )
    .unwrap();
    let business = dir.join("business.csv");
    std::fs::write(
        &business,
        format!(
            "{HEADER},kvk_number\n\
             D3,business,Bakkerij Jansen B.V.,Markt 3,3456 CD,Gouda,S-3,2024-06-01,2024-06-30,120.00,ja,12345678\n"
        ),
    )
    .unwrap();
    for db in databases("consumer_sale", &dir) {
        common::add_client(&db, "ACME", "controller");
        // Only a consumer buys in a consumer sale: refused, naming the field.
        let out = kwijting(
            &db,
            &[
                "import",
                "claims",
                business.to_str().unwrap(),
                "--client",
                "ACME",
            ],
        );
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(":2: field 'consumer_sale'"), "{err}");
        ok(
            &db,
            &[
                "import",
                "claims",
                csv.to_str().unwrap(),
                "--client",
                "ACME",
            ],
        );
        ok(
            &db,
            &["law", "rates", "assume-commercial", "--note", "test"],
        );
        ok(&db, &["run-day", "--as-of", common::TODAY, "--json"]);
        let list: Value = serde_json::from_str(&ok(&db, &["cases", "list", "--json"])).unwrap();
        let number_of = |name: &str| {
            list["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["debtor"]["name"] == name)
                .map(|c| c["number"].as_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{name} in {list}"))
        };
        // The price of a consumer sale: 2 years from the day after it was
        // due (art. 7:28 BW), time-barred on the run day; collection stops.
        let sale = number_of("Anna de Vries");
        let shown: Value =
            serde_json::from_str(&ok(&db, &["cases", "show", &sale, "--json"])).unwrap();
        let claim = &shown["claims"][0];
        assert_eq!(claim["consumer_sale"], true, "{db}: {shown}");
        assert_eq!(claim["limitation_last_day"], "2026-06-30", "{db}: {shown}");
        assert_eq!(claim["time_barred"], true, "{db}: {shown}");
        let why = ok(&db, &["cases", "explain", &sale, "--lang", "en"]);
        assert!(
            why.contains("the claim is time-barred. We no longer ask you to pay")
                && why.contains("the last day was 30 June 2026"),
            "{db}: {why}"
        );
        assert_eq!(shown["status"], "closed_handed_over", "{db}: {shown}");
        // The statement of account shows the last day.
        let statement = ok(&db, &["cases", "statement", &sale, "--lang", "en"]);
        assert!(
            statement
                .contains("Time-barred: the last day was 30 June 2026 (a consumer sale: 2 years)"),
            "{db}: {statement}"
        );
        let statement = ok(&db, &["cases", "statement", &sale]);
        assert!(
            statement.contains("Verjaard: de laatste dag was 30 juni 2026"),
            "{db}: {statement}"
        );
        // Any other claim: 5 years (art. 3:307 BW), still being collected.
        let other = number_of("Bram van 't Hof");
        let shown: Value =
            serde_json::from_str(&ok(&db, &["cases", "show", &other, "--json"])).unwrap();
        let claim = &shown["claims"][0];
        assert_eq!(claim["consumer_sale"], false, "{db}: {shown}");
        assert_eq!(claim["limitation_last_day"], "2029-06-30", "{db}: {shown}");
        assert_eq!(claim["time_barred"], false, "{db}: {shown}");
        let why = ok(&db, &["cases", "explain", &other, "--lang", "en"]);
        assert!(
            why.contains("claimed up to and including 30 June 2029"),
            "{db}: {why}"
        );
        // What the run would decide next reads the same balance.
        let next: Value =
            serde_json::from_str(&ok(&db, &["cases", "next", &other, "--json"])).unwrap();
        assert_eq!(
            next["balance_cents"], shown["balance_cents"],
            "{db}: {next}"
        );
        assert_eq!(next["limitation_last_day"], "2029-06-30", "{db}: {next}");
        // A case the run returned is closed: the run does not act on it.
        let out = kwijting(&db, &["cases", "next", &sale]);
        assert_eq!(out.status.code(), Some(3), "{db}: {out:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A camt.053 entry without references: `(cents, CRDT|DBIT, kenmerk)`.
fn camt_entries(id: &str, entries: &[(i64, &str, Option<&str>)]) -> String {
    let mut body = String::new();
    let mut closing = 0i64;
    for (i, (cents, side, kenmerk)) in entries.iter().enumerate() {
        closing += if *side == "CRDT" { *cents } else { -cents };
        let strd = kenmerk.map_or(String::new(), |k| {
            format!(
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>\
                 <Ref>{k}</Ref></CdtrRefInf></Strd>"
            )
        });
        body.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{}.{:02}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>{id}-{i}</AcctSvcrRef>\
             <NtryDtls><TxDtls><RmtInf>{strd}</RmtInf></TxDtls></NtryDtls></Ntry>\n",
            cents / 100,
            cents % 100
        ));
    }
    let (side, abs) = if closing < 0 {
        ("DBIT", -closing)
    } else {
        ("CRDT", closing)
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>{id}</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>\
         <Stmt><Id>{id}</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-11-20T18:00:00</CreDtTm>\
         <Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{}.{:02}</Amt><CdtDbtInd>{side}</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>\n\
         {body}</Stmt></BkToCstmrStmt></Document>\n",
        abs / 100,
        abs % 100
    )
}

#[test]
fn an_unmatched_debit_is_assigned_as_what_it_was() {
    let dir = scratch("debits");
    let csv = dir.join("p.csv");
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    for db in databases("debits", &dir) {
        let json = |args: &[&str]| -> Value { serde_json::from_str(&ok(&db, args)).unwrap() };
        ok(
            &db,
            &[
                "generate",
                "--cases",
                "5",
                "--seed",
                "3",
                "--as-of",
                "2026-11-01",
                "--out",
                &path(&csv),
            ],
        );
        common::add_client(&db, "ACME", "controller");
        ok(
            &db,
            &[
                "clients",
                "agreement",
                "ACME",
                "--commission",
                "10%",
                "--costs",
                "client",
                "--interest",
                "client",
                "--payout",
                "monthly",
                "--iban",
                "NL91ABNA0417164300",
                "--from",
                "2026-11-01",
            ],
        );
        ok(&db, &["import", "claims", &path(&csv), "--client", "ACME"]);
        let cases = json(&["cases", "list", "--json"]);
        let number = |i: usize| cases["cases"][i]["number"].as_str().unwrap().to_owned();
        let (kept, taken) = (number(0), number(1));
        let kenmerk = |n: &str| {
            json(&["cases", "show", n, "--json"])["payment_reference"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (k_kept, k_taken) = (kenmerk(&kept), kenmerk(&taken));
        let owed = |n: &str| json(&["cases", "show", n, "--json"])["balance_cents"].clone();
        let owed_before = owed(&taken);
        // Two payments matched; a chargeback of the second, bank costs, and
        // a debit more than the agency's commission, none with references.
        let camt = dir.join("debits.xml");
        std::fs::write(
            &camt,
            camt_entries(
                "DEB-1",
                &[
                    (2_500, "CRDT", Some(&k_kept)),
                    (3_000, "CRDT", Some(&k_taken)),
                    (3_000, "DBIT", None),
                    (125, "DBIT", None),
                    (5_000, "DBIT", None),
                ],
            ),
        )
        .unwrap();
        let trust = ["--trust-iban", "NL44RABO0123456789"];
        let r = json(&[
            "import",
            "statement",
            &path(&camt),
            trust[0],
            trust[1],
            "--json",
        ]);
        assert_eq!(r["matched"], 2, "{db}: {r}");
        assert_ne!(owed(&taken), owed_before, "{db}: the payment counts");
        let queue = json(&["payments", "unmatched", "--json"]);
        assert_eq!(queue["total"], 3, "{db}: {queue}");
        let key_of = |cents: i64| {
            queue["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["amount_cents"] == -cents)
                .map(|e| e["key"].as_str().unwrap().to_owned())
                .unwrap()
        };
        let (chargeback, costs, too_much) = (key_of(3_000), key_of(125), key_of(5_000));

        // The chargeback takes back the case's payment: it owes it again.
        let a = json(&["payments", "assign", &chargeback, &taken, "--json"]);
        assert_eq!(a["booked_as"], "payment_taken_back", "{db}: {a}");
        assert_eq!(a["case"], taken.as_str(), "{db}: {a}");
        assert!(a["original_entry_key"].is_string(), "{db}: {a}");
        assert_eq!(
            owed(&taken),
            owed_before,
            "{db}: owed as before the payment"
        );
        // Bank costs come from the agency's commission (10% of EUR 25).
        let b = json(&["payments", "assign", &costs, "--bank-costs", "--json"]);
        assert_eq!(b["booked_as"], "bank_costs", "{db}: {b}");
        assert_eq!(b["amount_cents"], 125, "{db}: {b}");
        // More than that commission is refused, naming why; nor is it a
        // payment of a case.
        let out = kwijting(&db, &["payments", "assign", &too_much, "--bank-costs"]);
        assert_eq!(out.status.code(), Some(3), "{db}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("funds the trust account first"),
            "{db}: {said}"
        );
        let out = kwijting(&db, &["payments", "assign", &too_much, &kept]);
        assert_eq!(out.status.code(), Some(3), "{db}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("has no payment of"), "{db}: {said}");
        // Twice is refused; the last debit still waits; the ledger holds.
        let out = kwijting(&db, &["payments", "assign", &chargeback, &taken]);
        assert_eq!(out.status.code(), Some(3), "{db}");
        assert_eq!(
            json(&["payments", "unmatched", "--json"])["total"],
            1,
            "{db}"
        );
        assert!(
            ok(&db, &["ledger", "verify"]).contains("every invariant holds"),
            "{db}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
