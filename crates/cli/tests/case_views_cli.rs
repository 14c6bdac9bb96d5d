//! What a case handler needs on a case (issue 11, item 12), through the
//! command line on every engine: the itemised statement in Dutch and
//! English with the same balance as `cases show` and the settlement quote,
//! the case as text, the search, and the review queue's real total.

use serde_json::Value;

mod common;
use common::{databases, kwijting, ok, scratch};

/// Two debtors of one client; the first with two invoices, an IBAN and a
/// name with a tussenvoegsel.
const CLAIMS: &str = "\
debtor_ref,debtor_type,debtor_name,street,postcode,city,iban,invoice_number,invoice_date,due_date,principal,description
D1,consumer,Jan van 't Hof,Dorpsstraat 1,1234 AB,Ergens,NL20INGB0001234567,INV-A1,2026-08-01,2026-08-31,1234.56,Keuken
D1,consumer,Jan van 't Hof,Dorpsstraat 1,1234 AB,Ergens,NL20INGB0001234567,INV-A2,2026-09-01,2026-09-30,250.00,Montage
D2,consumer,Piet Jansen,Kerkweg 9,5678 CD,Elders,,INV-B1,2026-08-15,2026-09-14,99.95,
";

/// EUR 500.00 on 18 December 2026 with the first case's betalingskenmerk.
const PAYMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>VIEWS-1</MsgId><CreDtTm>2026-12-18T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>VIEWS-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-12-18T18:00:00</CreDtTm>
<Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-12-18</Dt></BookgDt><AcctSvcrRef>VIEWS-E1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Strd><CdtrRefInf><Ref>9000000000000001</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"#;

const FIRST: &str = "KW0000000019";
const SECOND: &str = "KW0000000027";

fn json_on(db: &str, today: &str, args: &[&str]) -> Value {
    let mut all = vec!["--today", today];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).unwrap()
}

fn text_on(db: &str, today: &str, args: &[&str]) -> String {
    let mut all = vec!["--today", today];
    all.extend_from_slice(args);
    ok(db, &all)
}

/// A case with a 14-day letter, collection costs and a payment, as the
/// daily run and a bank statement leave it.
fn collected(db: &str, dir: &std::path::Path) {
    let claims = dir.join("claims.csv");
    let payment = dir.join("pay.xml");
    std::fs::write(&claims, CLAIMS).unwrap();
    std::fs::write(&payment, PAYMENT).unwrap();
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
            claims.to_str().unwrap(),
            "--client",
            "ACME",
        ],
    );
    // Address check, 14-day letter, then the first demand with costs.
    for day in ["2026-11-21", "2026-11-24", "2026-12-15"] {
        text_on(db, day, &["run-day", "--as-of", day]);
    }
    text_on(
        db,
        "2026-12-18",
        &[
            "import",
            "statement",
            payment.to_str().unwrap(),
            "--trust-iban",
            "NL44RABO0123456789",
        ],
    );
}

/// Words of the engines that a person must never read on a statement.
const CODE_WORDS: &[&str] = &[
    "bik-",
    "bik_",
    "settled-by",
    "added-to-base",
    "nothing-unpaid",
    "contractual",
    "_",
];
/// English words of the engines that have no place in the Dutch text.
const ENGLISH: &[&str] = &["provisional", "consumer", "commercial", "interest", "costs"];

#[test]
fn the_statement_is_the_one_balance_in_both_languages() {
    let dir = scratch("case-statement");
    for db in databases("case_statement", &dir) {
        let db = db.as_str();
        collected(db, &dir);
        for today in ["2026-12-19", "2026-12-20"] {
            let statement = json_on(db, today, &["cases", "statement", FIRST, "--json"]);
            let show = json_on(db, today, &["cases", "show", FIRST, "--json"]);
            let quote = json_on(db, today, &["arrangements", "settle", FIRST, "--json"]);
            let balance = statement["balance_cents"].as_i64().unwrap();
            assert!(balance > 0, "{db}: {statement}");
            assert_eq!(
                show["balance_cents"].as_i64(),
                Some(balance),
                "{db} {today}"
            );
            assert_eq!(
                quote["statement_balance_cents"].as_i64(),
                Some(balance),
                "{db} {today}"
            );
            assert_eq!(quote["settles_with_cents"].as_i64(), Some(balance), "{db}");
            assert_eq!(statement["as_of"], today, "{db}");
        }
        // A day asked for is the day shown; interest runs on.
        let earlier = json_on(
            db,
            "2026-12-20",
            &[
                "cases",
                "statement",
                FIRST,
                "--as-of",
                "2026-12-19",
                "--json",
            ],
        );
        let later = json_on(db, "2026-12-20", &["cases", "statement", FIRST, "--json"]);
        assert_eq!(earlier["as_of"], "2026-12-19");
        assert!(
            earlier["balance_cents"].as_i64() < later["balance_cents"].as_i64(),
            "{db}: interest runs from day to day"
        );

        // Each item the Wkid asks for.
        let s = later;
        let claims = s["claims"].as_array().unwrap();
        let invoices: Vec<&str> = claims
            .iter()
            .map(|c| c["invoice_number"].as_str().unwrap())
            .collect();
        assert_eq!(invoices, ["INV-A1", "INV-A2"], "{db}");
        assert_eq!(claims[0]["principal_cents"], 123_456);
        assert_eq!(claims[0]["invoice_date"], "2026-08-01");
        assert_eq!(claims[0]["due_on"], "2026-08-31");
        let periods = claims[0]["interest_periods"].as_array().unwrap();
        assert!(!periods.is_empty(), "{db}: {s}");
        assert!(periods[0]["rate_percent"].is_string() && periods[0]["provisional"].is_boolean());
        assert_eq!(s["demand_letter"]["sent_on"], "2026-11-24", "{db}: {s}");
        assert!(s["demand_letter"]["term_ends_on"].is_string());
        let costs = s["costs"].as_array().unwrap();
        assert_eq!(costs.len(), 1, "{db}: {s}");
        assert_eq!(costs[0]["basis"], "bik_scale");
        // 15% of the principal unpaid when the term ended (art. 2 BIK).
        assert_eq!(costs[0]["base_cents"], 148_456);
        assert_eq!(costs[0]["costs_cents"], 22_268);
        let payments = s["payments"].as_array().unwrap();
        assert_eq!(payments.len(), 1, "{db}: {s}");
        assert_eq!(payments[0]["amount_cents"], 50_000);
        let applied = &payments[0]["applied"][0];
        assert_eq!(
            applied["invoice_number"], "INV-A1",
            "{db}: oldest first (6:43)"
        );
        let parts: i64 = [
            "costs_cents",
            "vat_cents",
            "interest_cents",
            "principal_cents",
        ]
        .iter()
        .map(|k| applied[k].as_i64().unwrap())
        .sum();
        assert_eq!(parts, 50_000, "{db}: every cent applied");
        assert!(
            applied["costs_cents"].as_i64().unwrap() > 0,
            "{db}: costs first (6:44)"
        );

        // The text, in Dutch and English, euros as each language writes them.
        let nl = text_on(db, "2026-12-20", &["cases", "statement", FIRST]);
        let en = text_on(
            db,
            "2026-12-20",
            &["cases", "statement", FIRST, "--lang", "en"],
        );
        let euros_nl = format!(
            "EUR {},{:02}",
            thousands(balance_of(&s) / 100, '.'),
            balance_of(&s) % 100
        );
        let euros_en = format!(
            "EUR {}.{:02}",
            thousands(balance_of(&s) / 100, ','),
            balance_of(&s) % 100
        );
        assert!(
            nl.contains("Specificatie") && nl.contains("14-dagenbrief"),
            "{nl}"
        );
        assert!(
            nl.contains("EUR 1.234,56") && nl.contains("EUR 500,00") && nl.contains(&euros_nl),
            "{nl}"
        );
        assert!(
            nl.contains("INV-A1") && nl.contains("24 november 2026"),
            "{nl}"
        );
        assert!(
            en.contains("EUR 1,234.56")
                && en.contains(&euros_en)
                && en.contains("24 November 2026"),
            "{en}"
        );
        for text in [&nl, &en] {
            for word in CODE_WORDS {
                assert!(!text.contains(word), "{db}: '{word}' in\n{text}");
            }
        }
        for word in ENGLISH {
            assert!(!nl.contains(word), "{db}: '{word}' in\n{nl}");
        }
        assert_eq!(
            s["text"].as_str(),
            Some(nl.as_str()),
            "{db}: the API's text"
        );

        // A wrong language or day is refused as input.
        let bad = kwijting(db, &["cases", "statement", FIRST, "--lang", "fr"]);
        assert_eq!(bad.status.code(), Some(3));
        let bad = kwijting(db, &["cases", "statement", FIRST, "--as-of", "2026-13-01"]);
        assert_eq!(bad.status.code(), Some(3));
        let bad = kwijting(db, &["cases", "statement", "KW0000000035"]);
        assert_eq!(bad.status.code(), Some(3));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn balance_of(s: &Value) -> i64 {
    s["balance_cents"].as_i64().unwrap()
}

fn thousands(n: i64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

#[test]
fn show_prints_the_case_as_text() {
    let dir = scratch("case-show-text");
    for db in databases("case_show_text", &dir) {
        let db = db.as_str();
        collected(db, &dir);
        ok(
            db,
            &[
                "--today",
                "2026-12-20",
                "cases",
                "hold",
                SECOND,
                "--kind",
                "dispute",
                "--reason",
                "the debtor says it was paid",
            ],
        );
        let owed = json_on(db, "2026-12-20", &["cases", "show", FIRST, "--json"])["balance_cents"]
            .as_i64()
            .unwrap();
        let text = text_on(db, "2026-12-20", &["cases", "show", FIRST, "--lang", "en"]);
        assert!(
            !text.contains('{') && !text.contains("\"number\""),
            "{text}"
        );
        let owed_en = format!("EUR {}.{:02}", thousands(owed / 100, ','), owed % 100);
        for part in [
            "Case KW0000000019",
            "Jan van 't Hof",
            "1234 AB",
            &format!("Owed today (20 December 2026): {owed_en}"),
            "INV-A1",
            "INV-A2",
            "Holds",
            "Payment arrangements",
            "Recent decisions",
            "Recent payments",
            "18 December 2026: EUR 500.00",
        ] {
            assert!(text.contains(part), "{db}: '{part}' missing in\n{text}");
        }
        let nl = text_on(db, "2026-12-20", &["cases", "show", SECOND]);
        assert!(
            nl.contains("Nu te betalen") && nl.contains("betwisting") && nl.contains("paid"),
            "{db}: the hold and its reason\n{nl}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn search_finds_a_case_by_what_a_handler_has_at_hand() {
    let dir = scratch("case-search");
    for db in databases("case_search", &dir) {
        let db = db.as_str();
        collected(db, &dir);
        let found = |q: &str| -> Vec<String> {
            json_on(db, "2026-12-20", &["cases", "search", q, "--json"])["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["number"].as_str().unwrap().to_owned())
                .collect()
        };
        for (q, want) in [
            ("van 't hof", vec![FIRST]),
            ("JAN VAN", vec![FIRST]),
            ("jans", vec![SECOND]),
            ("an", vec![FIRST, SECOND]),
            ("NL20 INGB 0001 2345 67", vec![FIRST]),
            ("nl20ingb0001234567", vec![FIRST]),
            ("1234AB", vec![FIRST]),
            ("5678 cd", vec![SECOND]),
            ("INV-B1", vec![SECOND]),
            ("INV-A2", vec![FIRST]),
            ("9000000000000001", vec![FIRST]),
            ("RF92KW0000000019", vec![FIRST]),
            ("kw0000000027", vec![SECOND]),
            ("nobody", vec![]),
            ("100%_", vec![]),
        ] {
            assert_eq!(found(q), want, "{db}: search '{q}'");
        }
        // Owed today is the one balance, as `cases show` says it.
        let hit = json_on(db, "2026-12-20", &["cases", "search", "Hof", "--json"]);
        let show = json_on(db, "2026-12-20", &["cases", "show", FIRST, "--json"]);
        assert_eq!(
            hit["cases"][0]["balance_cents"], show["balance_cents"],
            "{db}"
        );
        assert_eq!(hit["cases"][0]["client"], "ACME");
        assert_eq!(hit["cases"][0]["debtor"]["name"], "Jan van 't Hof");
        // Bounded: the limit cuts and says so.
        let one = json_on(
            db,
            "2026-12-20",
            &["cases", "search", "an", "--limit", "1", "--json"],
        );
        assert_eq!(one["cases"].as_array().unwrap().len(), 1);
        assert_eq!(one["more"], true, "{db}: {one}");
        let text = text_on(db, "2026-12-20", &["cases", "search", "an", "--limit", "1"]);
        assert!(
            text.contains(FIRST) && text.contains("there are more"),
            "{text}"
        );
        // Too short is refused as input.
        let short = kwijting(db, &["cases", "search", "a"]);
        assert_eq!(short.status.code(), Some(3));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_review_queue_shows_case_numbers_and_its_real_total() {
    let dir = scratch("review-total");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .current_dir(&dir)
        .args(["demo", "--no-serve", "--cases", "200", "--db", "demo.db"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = format!("sqlite://{}", dir.join("demo.db").display());
    let page: Value =
        serde_json::from_str(&ok(&db, &["review", "list", "--limit", "2", "--json"])).unwrap();
    let total = page["total"].as_u64().unwrap();
    let decisions = page["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2, "{page}");
    assert!(total > 2, "the total counts every waiting decision: {page}");
    for d in decisions {
        let number = d["case"].as_str().unwrap();
        assert!(kwijting_domain::CaseNumber::parse(number).is_ok(), "{d}");
        // The reviewer sees what the case owes: the case's own figure.
        let case: Value =
            serde_json::from_str(&ok(&db, &["cases", "show", number, "--json"])).unwrap();
        assert_eq!(d["balance_cents"], case["balance_cents"], "{d}");
        assert!(d["balance_cents"].as_i64().unwrap() > 0, "{d}");
    }
    let text = ok(&db, &["review", "list", "--limit", "2"]);
    assert!(
        text.contains(&format!("2 of {total} waiting for review"))
            && text.contains(decisions[0]["case"].as_str().unwrap()),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
