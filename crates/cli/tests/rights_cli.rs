//! `kwijting rights ...` through the real binary, on every engine.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn kwijting(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .env("KWIJTING_DATABASE_URL", db)
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

fn databases(dir: &Path) -> Vec<String> {
    let mut out = vec![format!("sqlite://{}", dir.join("k.db").display())];
    if let Some(url) = kwijting_store::testkit::fresh_pg_url("cli_rights") {
        out.push(url);
    }
    out
}

#[test]
fn rights_requests_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("kwijting-cli-rights-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("c.csv");
    std::fs::write(
        &csv,
        "debtor_type,debtor_name,street,postcode,city,email,invoice_number,invoice_date,due_date,principal\n\
         consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,jan@example.org,F-1,2026-01-01,2026-01-31,100\n",
    )
    .unwrap();
    let html = dir.join("extract.html");
    let port_csv = dir.join("port.csv");
    for db in databases(&dir) {
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
        let cases = json(&db, &["cases", "list", "--json"]);
        let subject = cases["cases"][0]["debtor"]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let s = subject.as_str();

        let v = json(&db, &["rights", "access", "--subject", s, "--json"]);
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

        let v = json(
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

        let v = json(
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
        let v = json(
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

        let v = json(
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
        let list = json(&db, &["rights", "list", "--json"]);
        assert_eq!(list["requests"].as_array().unwrap().len(), 5, "{db}");
        let notes = json(&db, &["rights", "notifications", "--json"]);
        let first = notes["notifications"][0]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        ok(&db, &["rights", "notification", &first, "--state", "sent"]);
        let text = ok(&db, &["rights", "resume"]);
        assert!(text.is_empty(), "{db}: nothing left to run: {text}");
    }
}
