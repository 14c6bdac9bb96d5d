//! `kwijting clients agreement` and `kwijting remit` through the binary, on
//! every engine: files written into a directory, the same files again on a
//! second run, bad input refused with exit code 3.

use std::path::Path;
use std::process::{Command, Output};

use kwijting_domain::{Iban, parse_date};
use serde_json::Value;

fn kwijting(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .env("KWIJTING_DATABASE_URL", db)
        // The day its fixed dates were written for (as in `common`).
        .env("KWIJTING_TODAY", "2026-11-21")
        .env_remove("KWIJTING_TRUST_IBAN")
        .env_remove("KWIJTING_SEPA_CREDITOR_IBAN")
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
    serde_json::from_str(&ok(db, args)).expect("JSON output")
}

fn read_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn xmllint(file: &Path, xsd: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/xsd");
    if !dir.is_dir() {
        return;
    }
    match Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(dir.join(xsd))
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
            panic!("xmllint could not be run: {e}")
        }
        Err(_) => {}
    }
}

#[test]
fn remit_and_refund_write_their_files_once() {
    let dir = std::env::temp_dir().join(format!("kwijting-cli-remit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![format!("sqlite://{}", dir.join("k.db").display())];
    dbs.extend(kwijting_store::testkit::fresh_pg_url("cli_remit"));
    let csv = dir.join("p.csv");
    let camt = dir.join("camt.xml");
    let trust = Iban::dutch("RABO", 123_456_789).unwrap();
    std::fs::write(
        &camt,
        kwijting_bank::generate_camt053(20, 5, &trust, parse_date("2026-11-20").unwrap()),
    )
    .unwrap();
    let payout = Iban::dutch("INGB", 7_654_321).unwrap();
    for (i, db) in dbs.iter().enumerate() {
        let db = db.as_str();
        ok(
            db,
            &[
                "generate",
                "--cases",
                "20",
                "--seed",
                "3",
                "--as-of",
                "2026-11-01",
                "--out",
            ]
            .into_iter()
            .chain([csv.to_str().unwrap()])
            .collect::<Vec<_>>(),
        );
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
        let bad = kwijting(
            db,
            &[
                "clients",
                "agreement",
                "ACME",
                "--commission",
                "150%",
                "--iban",
                payout.as_str(),
            ],
        );
        assert_eq!(
            bad.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&bad.stderr)
        );
        assert!(String::from_utf8_lossy(&bad.stderr).contains("commission '150%'"));
        let bad = kwijting(db, &["clients", "agreement", "ACME", "--commission", "15%"]);
        assert_eq!(
            bad.status.code(),
            Some(3),
            "a first agreement needs the payout account"
        );
        let set = json(
            db,
            &[
                "clients",
                "agreement",
                "ACME",
                "--commission",
                "15%",
                "--costs",
                "agency",
                "--interest",
                "client",
                "--payout",
                "monthly",
                "--iban",
                payout.as_str(),
                "--from",
                "2026-11-01",
                "--json",
            ],
        );
        assert_eq!(set["commission_bps"], 1500);
        ok(
            db,
            &[
                "import",
                "statement",
                camt.to_str().unwrap(),
                "--trust-iban",
                trust.as_str(),
            ],
        );

        let dry = dir.join(format!("dry-{i}"));
        let would = json(
            db,
            &[
                "remit",
                "--as-of",
                "2026-11-30",
                "--dry-run",
                "--json",
                "--out",
                dry.to_str().unwrap(),
            ],
        );
        assert_eq!(would["posted_transfers"], 0);
        assert!(!dry.exists(), "a dry run writes nothing");

        let out = dir.join(format!("out-{i}"));
        let args = [
            "remit",
            "--as-of",
            "2026-11-30",
            "--out",
            out.to_str().unwrap(),
            "--trust-iban",
            trust.as_str(),
            "--json",
        ];
        let first = json(db, &args);
        assert_eq!(first["remittances"].as_array().unwrap().len(), 1, "{first}");
        assert_eq!(
            first["total_cents"], would["total_cents"],
            "the dry run showed what was paid"
        );
        assert!(first["posted_transfers"].as_u64().unwrap() >= 2);
        let files = read_dir(&out);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "pain001-KW-RMT-2026-11-30-1.xml",
                "statement-ACME-2026-11.csv"
            ]
        );
        xmllint(&out.join(names[0]), "pain.001.001.09.xsd");
        let statement = String::from_utf8(files[1].1.clone()).unwrap();
        let remitted = statement
            .lines()
            .last()
            .unwrap()
            .rsplit(',')
            .next()
            .unwrap();
        let remitted_cents = kwijting_domain::Money::parse(remitted).unwrap().cents();
        assert_eq!(
            first["remittances"][0]["amount_cents"], remitted_cents,
            "{statement}"
        );

        let again = json(db, &args);
        assert_eq!(again["posted_transfers"], 0);
        assert_eq!(read_dir(&out), files, "the same files again");
        ok(db, &["ledger", "verify"]);
        let shown = json(db, &["clients", "agreement", "ACME", "--json"]);
        assert_eq!(shown["account"]["payable_cents"], 0, "{shown}");
        assert_eq!(shown["account"]["paid_out_cents"], remitted_cents);
        let refunds = dir.join(format!("refunds-{i}"));
        let args = [
            "payments",
            "pay-refunds",
            "--as-of",
            "2026-11-30",
            "--out",
            refunds.to_str().unwrap(),
            "--trust-iban",
            trust.as_str(),
            "--json",
        ];
        let first = json(db, &args);
        let paid = first["refunds"].as_array().unwrap().len();
        assert!(
            paid > 0,
            "the generated statement overpays some cases: {first}"
        );
        let files = read_dir(&refunds);
        assert_eq!(files.len(), 1, "{first}");
        xmllint(&refunds.join(&files[0].0), "pain.001.001.09.xsd");
        assert_eq!(json(db, &args)["posted_transfers"], 0);
        assert_eq!(read_dir(&refunds), files, "the same file again");
        ok(db, &["ledger", "verify"]);
        let bad = kwijting(
            db,
            &[
                "payments",
                "pay-refunds",
                "--as-of",
                "2026-11-30",
                "--pain001-version",
                "02",
            ],
        );
        assert_eq!(bad.status.code(), Some(3));
        let text = ok(db, &["clients", "agreement", "ACME"]);
        assert!(text.contains("commission 15%"), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
