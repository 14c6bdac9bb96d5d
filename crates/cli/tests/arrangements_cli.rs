//! `kwijting arrangements`, `mandates` and `sepa direct-debit` through the
//! real binary, on every engine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jiff::ToSpan;
use kwijting_domain::Date;
use kwijting_service::direct_debit::is_target_day;
use serde_json::Value;

fn kwijting(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .env("KWIJTING_DATABASE_URL", db)
        .env("KWIJTING_SEPA_CREDITOR_NAME", "Kwijting Incasso B.V.")
        .env("KWIJTING_SEPA_CREDITOR_IBAN", "NL91ABNA0417164300")
        .env("KWIJTING_SEPA_CREDITOR_ID", "NL22ZZZ524885430000")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok(db: &str, args: &[&str]) -> String {
    let out = kwijting(db, args);
    assert!(
        out.status.success(),
        "kwijting {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &str, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kwijting-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn databases(test: &str, dir: &Path) -> Vec<String> {
    let mut out = vec![format!("sqlite://{}", dir.join("k.db").display())];
    if let Some(url) = kwijting_store::testkit::fresh_pg_url(&format!("cli_{test}")) {
        out.push(url);
    }
    out
}

/// The binary reads the system clock: dates are counted from today.
fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
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
fn propose_show_settle_mandate_and_direct_debit() {
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
    while !is_target_day(first) {
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
        let cases = json(db, &["cases", "list", "--limit", "1", "--json"]);
        let number = cases["cases"][0]["number"].as_str().unwrap().to_owned();
        let n = number.as_str();
        let quote = json(db, &["arrangements", "settle", n, "--json"]);
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
        let low = json(
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
        let acc = json(
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
        let file = dir.join("dd.xml");
        let out = ok(
            db,
            &[
                "sepa",
                "direct-debit",
                "--date",
                &first_s,
                "--out",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.contains("1 collection(s)"), "{db}: {out}");
        let written = std::fs::read(&file).unwrap();
        xmllint(&file, "pain.008.001.08.xsd");
        // Again for the same date: the same file, nothing submitted twice.
        let out = ok(
            db,
            &[
                "sepa",
                "direct-debit",
                "--date",
                &first_s,
                "--out",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.contains("written before"), "{db}: {out}");
        assert_eq!(std::fs::read(&file).unwrap(), written, "{db}");
        let old = dir.join("dd02.xml");
        ok(
            db,
            &[
                "sepa",
                "direct-debit",
                "--date",
                &first_s,
                "--version",
                "02",
                "--out",
                old.to_str().unwrap(),
            ],
        );
        xmllint(&old, "pain.008.001.02.xsd");
        let shown = json(db, &["arrangements", "show", n, "--json"]);
        assert_eq!(
            shown["arrangements"][0]["schedule"][0]["direct_debits"], 1,
            "{db}: {shown}"
        );
        let bad = kwijting(db, &["sepa", "direct-debit", "--date", "2020-01-06"]);
        assert_eq!(
            bad.status.code(),
            Some(3),
            "{db}: a date in the past is refused"
        );
    }
}
