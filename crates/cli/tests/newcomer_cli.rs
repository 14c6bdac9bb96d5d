//! A newcomer's first ten minutes: the demo's hints work as printed, a
//! mistyped value says what would do, and `| head` is not an error.

use std::process::{Command, Stdio};

mod common;
use common::{kwijting, ok, scratch};

#[test]
fn the_demos_hints_work_as_printed() {
    let dir = scratch("demo-hints");
    let out = Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .current_dir(&dir)
        .env_remove("KWIJTING_DATABASE_URL")
        .args(["demo", "--no-serve", "--cases", "200", "--db", "demo.db"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hints: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("try: "))
        .collect();
    assert!(hints.len() >= 3, "{stdout}");
    // The README's walkthrough: a statement, a payment, an arrangement, an
    // access request, each on a case the demo picked for it.
    for step in [
        "cases statement",
        "import statement",
        "arrangements propose",
        "rights access",
    ] {
        assert!(
            hints.iter().any(|h| h.contains(step)),
            "no '{step}' hint: {stdout}"
        );
    }
    // Elsewhere, as a newcomer pastes them: the paths are full.
    let elsewhere = scratch("demo-hints-elsewhere");
    for hint in hints {
        let words: Vec<&str> = hint.split_whitespace().collect();
        let out = Command::new(words[0])
            .args(&words[1..])
            .current_dir(&elsewhere)
            .env_remove("KWIJTING_DATABASE_URL")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{hint}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{hint} printed nothing");
    }
    assert!(
        !elsewhere.join("kwijting.db").exists(),
        "the hints use the demo's database, not the default one"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&elsewhere);
}

#[test]
fn generate_says_what_it_wrote() {
    let dir = scratch("generate-summary");
    let csv = dir.join("p.csv");
    let out = kwijting(
        "sqlite::memory:",
        &["generate", "--cases", "50", "--out", csv.to_str().unwrap()],
    );
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with(&format!("wrote {}: 50 cases (", csv.display()))
            && said.contains(" claims, principal EUR ")
            && !said.contains('{'),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_status_is_bad_usage_and_names_the_good_ones() {
    let out = kwijting("sqlite::memory:", &["cases", "list", "--status", "open"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--status 'open' is not a case status")
            && err.contains("intake, active, legal, closed_paid"),
        "{err}"
    );
}

/// Runs the binary with its stdout a pipe whose reading end is closed at
/// once, like `| head -0`: every write it makes fails.
fn with_closed_stdout(db: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .env("KWIJTING_DATABASE_URL", db)
        .env("KWIJTING_TODAY", common::TODAY)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let dir = scratch("closed-pipe");
    let csv = dir.join("p.csv");
    let db = format!("sqlite://{}", dir.join("k.db").display());
    ok(
        &db,
        &[
            "generate",
            "--cases",
            "300",
            "--as-of",
            "2026-11-01",
            "--out",
            csv.to_str().unwrap(),
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
    for args in [
        &["cases", "list", "--limit", "300"][..],
        &["cases", "list", "--limit", "300", "--json"],
        &["policy", "register"],
    ] {
        let (code, err) = with_closed_stdout(&db, args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?} said: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
