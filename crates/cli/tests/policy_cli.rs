//! `kwijting policy ...` through the real binary: the register and the
//! statement come from the compiled-in policy and the store's catalog.

use std::process::{Command, Output};

fn kwijting(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = kwijting(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

#[test]
fn register_markdown_lists_the_stored_fields() {
    let md = stdout(&["policy", "register"]);
    assert!(md.starts_with("# Register of processing activities\n"));
    assert!(
        md.contains("(`identity`): `parties.debtor_ref`, `parties.name`, `parties.birth_date`")
    );
    assert_eq!(md, stdout(&["policy", "register", "--format", "md"]));
}

#[test]
fn register_json_is_json() {
    let text = stdout(&["policy", "register", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert_eq!(v["processing_activities"][0]["id"], "collection");
    assert_eq!(v["statement"]["version"], "2025.1");
    assert_eq!(v["catalog_unknown_ids"], serde_json::json!([]));
}

#[test]
fn statement_in_both_languages() {
    let nl = stdout(&["policy", "statement"]);
    assert!(nl.starts_with("# Privacyverklaring\n"));
    assert!(nl.contains("Autoriteit Persoonsgegevens"));
    assert_eq!(nl, stdout(&["policy", "statement", "--lang", "nl"]));
    let en = stdout(&["policy", "statement", "--lang", "en"]);
    assert!(en.starts_with("# Privacy statement\n"));
}

#[test]
fn check_prints_one_line() {
    let s = stdout(&["policy", "check"]);
    assert!(s.starts_with("policy/default.toml: valid and matches the personal-data catalog;"));
    assert_eq!(s.lines().count(), 1);
}

#[test]
fn bad_arguments_are_refused() {
    for args in [
        &["policy", "statement", "--lang", "de"][..],
        &["policy", "register", "--format", "pdf"][..],
    ] {
        let out = kwijting(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value"));
    }
}
