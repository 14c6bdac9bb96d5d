//! `kwijting recipients add|list` and `kwijting clients end-mandate`
//! through the real binary, on every engine.

use serde_json::Value;

mod common;
use common::{databases, kwijting, ok, scratch};

#[test]
fn recipients_are_registered_listed_and_a_mandate_ends() {
    let dir = scratch("recipients");
    for db in databases("recipients", &dir) {
        let db = db.as_str();
        ok(
            db,
            &[
                "clients",
                "add",
                "--ref",
                "SHOP",
                "--name",
                "Shop B.V.",
                "--role",
                "processor",
            ],
        );
        let out = ok(
            db,
            &[
                "recipients",
                "add",
                "--name",
                "Acme Collections LLC",
                "--category",
                "foreign_collection_agencies",
                "--country",
                "US",
                "--safeguard",
                "standard_contractual_clauses",
                "--recorded-on",
                "2026-03-02",
                "--reference",
                "SCC 2021/914 module 1, DMS-17",
                "--json",
            ],
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["safeguard"], "standard_contractual_clauses", "{db}");
        // A safeguard without its document is refused: exit code 3.
        let refused = kwijting(
            db,
            &[
                "recipients",
                "add",
                "--name",
                "Other LLC",
                "--category",
                "foreign_collection_agencies",
                "--country",
                "US",
                "--safeguard",
                "standard_contractual_clauses",
            ],
        );
        assert_eq!(refused.status.code(), Some(3), "{db}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("document reference"),
            "{db}"
        );
        let list = ok(db, &["recipients", "list"]);
        assert!(
            list.contains("Acme Collections LLC") && list.contains("SCC 2021/914"),
            "{db}: {list}"
        );
        assert!(!list.contains("Other LLC"), "{db}");
        let json: Value = serde_json::from_str(&ok(db, &["recipients", "list", "--json"])).unwrap();
        assert_eq!(json["recipients"].as_array().unwrap().len(), 1, "{db}");

        let out = ok(
            db,
            &["clients", "end-mandate", "SHOP", "--on", "2026-12-31"],
        );
        assert!(out.contains("2026-12-31"), "{db}: {out}");
        let bad = kwijting(
            db,
            &["clients", "end-mandate", "NOPE", "--on", "2026-12-31"],
        );
        assert_eq!(bad.status.code(), Some(3), "{db}");
    }
}
