//! What the CLI tests share: the real binary against a database URL, a
//! scratch folder, and the databases of every engine configured.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The day the CLI tests act on: their claims, statements and runs carry
/// fixed dates, which must not slide into the past as the calendar moves.
pub const TODAY: &str = "2026-11-21";

pub fn kwijting(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .env("KWIJTING_DATABASE_URL", db)
        .env("KWIJTING_TODAY", TODAY)
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn ok(db: &str, args: &[&str]) -> String {
    let out = kwijting(db, args);
    assert!(
        out.status.success(),
        "kwijting {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kwijting-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// SQLite in a scratch file, and PostgreSQL when configured.
pub fn databases(test: &str, dir: &Path) -> Vec<String> {
    let mut out = vec![format!("sqlite://{}", dir.join("k.db").display())];
    if let Some(url) = kwijting_store::testkit::fresh_pg_url(&format!("cli_{test}")) {
        out.push(url);
    }
    out
}

/// `clients add` with a synthetic name.
pub fn add_client(db: &str, reference: &str, role: &str) {
    let name = format!("{reference} B.V.");
    ok(
        db,
        &[
            "clients", "add", "--ref", reference, "--name", &name, "--role", role,
        ],
    );
}
