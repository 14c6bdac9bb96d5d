//! `kwijting import claims` with the files clients really send, and
//! `kwijting clients mapping`, through the real binary on every engine.

use std::path::Path;

use serde_json::Value;

mod common;
use common::{databases, kwijting, ok, scratch};

// The service tests' workbook writer and Dutch export, shared.
#[path = "../../service/tests/common/dutch.rs"]
mod dutch;
#[path = "../../service/tests/common/xlsx.rs"]
mod xlsx;

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn add_client(db: &str, reference: &str) {
    ok(
        db,
        &[
            "clients",
            "add",
            "--ref",
            reference,
            "--name",
            "Klant B.V.",
            "--role",
            "controller",
        ],
    );
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// What a client's cases hold, as `cases list --json` shows them.
fn cases(db: &str, client: &str) -> Vec<(String, i64)> {
    let v = json(&ok(
        db,
        &[
            "cases", "list", "--client", client, "--limit", "1000", "--json",
        ],
    ));
    let mut out: Vec<(String, i64)> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["debtor"]["name"].as_str().unwrap_or("").to_owned(),
                c["principal_at_intake_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn dutch_exports_and_workbooks_import_like_the_plain_file() {
    let dir = scratch("files");
    let plain = dir.join("plain.csv");
    ok(
        "sqlite::memory:",
        &[
            "generate",
            "--cases",
            "150",
            "--seed",
            "4",
            "--as-of",
            "2026-11-01",
            "--out",
            path(&plain),
        ],
    );
    let bytes = std::fs::read(&plain).unwrap();
    let nl_csv = dir.join("export.csv");
    std::fs::write(&nl_csv, dutch::dutch_csv(&bytes)).unwrap();
    let nl_xlsx = dir.join("export.xlsx");
    std::fs::write(&nl_xlsx, dutch::dutch_xlsx(&bytes)).unwrap();
    for db in databases("files", &dir) {
        for c in ["PLAIN", "NL", "XLSX", "SAVED"] {
            add_client(&db, c);
        }
        let p = json(&ok(
            &db,
            &[
                "import",
                "claims",
                path(&plain),
                "--client",
                "PLAIN",
                "--json",
            ],
        ));
        let d = json(&ok(
            &db,
            &[
                "import",
                "claims",
                path(&nl_csv),
                "--client",
                "NL",
                "--mapping",
                "nl",
                "--json",
            ],
        ));
        assert_eq!(d["claims_added"], p["claims_added"], "{db}: {d}");
        assert_eq!(d["detected"]["separator"], ";", "{db}: {d}");
        assert_eq!(d["detected"]["number_style"], "dutch", "{db}: {d}");
        assert_eq!(d["detected"]["bom"], true, "{db}: {d}");
        assert_eq!(d["detected"]["crlf"], true, "{db}: {d}");
        assert_eq!(d["detected"]["mapping"], "nl", "{db}: {d}");
        assert_eq!(p["detected"]["separator"], ",", "{db}: {p}");
        let x = ok(
            &db,
            &[
                "import",
                "claims",
                path(&nl_xlsx),
                "--client",
                "XLSX",
                "--mapping",
                "nl",
                "--sheet",
                "Debiteuren",
            ],
        );
        assert!(
            x.contains(&format!("{} claims added", p["claims_added"]))
                && x.contains("read as: xlsx, sheet 'Debiteuren', numbers dutch"),
            "{db}: {x}"
        );
        let want = cases(&db, "PLAIN");
        assert!(
            want.len() >= 150 && want.iter().all(|c| c.1 > 0),
            "{db}: {want:?}"
        );
        assert_eq!(cases(&db, "NL"), want, "{db}");
        assert_eq!(cases(&db, "XLSX"), want, "{db}");
        // A client's saved mapping reads its files without --mapping.
        ok(&db, &["clients", "mapping", "SAVED", "--file", "nl"]);
        let shown = ok(&db, &["clients", "mapping", "SAVED", "--show"]);
        assert!(
            shown.contains("debiteurnummer = \"debtor_ref\""),
            "{db}: {shown}"
        );
        let s = ok(
            &db,
            &["import", "claims", path(&nl_csv), "--client", "SAVED"],
        );
        assert!(
            s.contains("read as: csv, separator ';', UTF-8 BOM, CRLF line ends, numbers dutch")
                && s.contains("mapping saved for client SAVED"),
            "{db}: {s}"
        );
        assert_eq!(cases(&db, "SAVED"), want, "{db}");
        // A sheet that is not there is refused, naming the sheets.
        let out = kwijting(
            &db,
            &[
                "import",
                "claims",
                path(&nl_xlsx),
                "--client",
                "XLSX",
                "--mapping",
                "nl",
                "--sheet",
                "Blad1",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{db}: {err}");
        assert!(err.contains("'Debiteuren'"), "{db}: {err}");
    }
}

#[test]
fn files_that_are_not_claims_are_refused_with_exit_3() {
    let dir = scratch("files_refused");
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let binary = dir.join("photo.csv");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0").unwrap();
    let big = dir.join("big.csv");
    std::fs::write(
        &big,
        "debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\r\nconsumer,Jan,Kerkstraat 1,1234 AB,Ede,I1,2026-01-01,2026-02-01,99999999999999.99\r\n",
    )
    .unwrap();
    let names = dir.join("names.csv");
    std::fs::write(
        &names,
        "debtor_ref,debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\nD1,consumer,Jan de Vries,Kerkstraat 1,1234 AB,Ede,I1,2026-01-01,2026-02-01,1.00\nD1,consumer,Zoë van 't Hof,Kerkstraat 1,1234 AB,Ede,I2,2026-01-01,2026-02-01,2.00\n",
    )
    .unwrap();
    let bad_mapping = dir.join("m.toml");
    std::fs::write(&bad_mapping, "[columns]\nnaam = \"nam\"\n").unwrap();
    for db in databases("files_refused", &dir) {
        add_client(&db, "ACME");
        for (file, says) in [
            (path(&empty), "is empty"),
            (path(&binary), "neither CSV text nor an xlsx workbook"),
            // Endless input: a never-ending file.
            ("/dev/zero", "neither CSV text nor an xlsx workbook"),
            (path(&big), "big.csv:2: field 'principal'"),
        ] {
            let out = kwijting(&db, &["import", "claims", file, "--client", "ACME"]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{db}: {file}: {err}");
            assert!(err.contains(says), "{db}: {file}: {err}");
        }
        let out = kwijting(
            &db,
            &[
                "import",
                "claims",
                path(&names),
                "--client",
                "ACME",
                "--strict",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{db}: {err}");
        assert!(
            err.contains("names.csv:3: field 'debtor_name'"),
            "{db}: {err}"
        );
        let out = kwijting(
            &db,
            &[
                "import",
                "claims",
                path(&names),
                "--client",
                "ACME",
                "--mapping",
                path(&bad_mapping),
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{db}: {err}");
        assert!(err.contains("columns.naam"), "{db}: {err}");
        let s = ok(&db, &["import", "claims", path(&names), "--client", "ACME"]);
        assert!(
            s.contains("debtor_ref D1: line 2 'Jan de Vries', line 3 'Zoë van 't Hof'"),
            "{db}: {s}"
        );
        let v = json(&ok(
            &db,
            &[
                "import",
                "claims",
                path(&names),
                "--client",
                "ACME",
                "--json",
            ],
        ));
        assert_eq!(v["claims_added"], 0, "{db}: a re-import adds nothing");
        assert_eq!(v["name_conflicts"][0]["first_line"], 2, "{db}: {v}");
    }
}
