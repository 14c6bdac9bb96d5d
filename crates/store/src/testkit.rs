//! Stores for tests: a fresh SQLite database in memory and, when
//! `KWIJTING_TEST_PG_URL` is set, a fresh schema on PostgreSQL. With
//! `KWIJTING_REQUIRE_PG=1` (as CI sets it) a missing URL fails the test
//! instead of skipping PostgreSQL, so the suite cannot pass without it.

use std::sync::Arc;

use crate::Store;

pub fn pg_url() -> Option<String> {
    match std::env::var("KWIJTING_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("KWIJTING_REQUIRE_PG").is_err(),
                "KWIJTING_REQUIRE_PG is set but KWIJTING_TEST_PG_URL is not: the PostgreSQL tests must run"
            );
            None
        }
    }
}

/// A PostgreSQL URL for a schema of this test's own, emptied first. The
/// name is the test's, so reruns clean up after themselves.
pub fn fresh_pg_url(test: &str) -> Option<String> {
    let url = pg_url()?;
    let schema: String = format!("kwt_{test}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let mut client = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to KWIJTING_TEST_PG_URL {url}: {e}"));
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .unwrap_or_else(|e| panic!("cannot drop test schema {schema}: {e}"));
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}schema={schema}"))
}

/// One fresh store per engine available: SQLite always, PostgreSQL when
/// configured. Each comes with the engine's name for assertion messages.
pub fn fresh_stores(test: &str) -> Vec<(&'static str, Arc<dyn Store>)> {
    let mut out: Vec<(&'static str, Arc<dyn Store>)> = Vec::new();
    let sqlite = crate::open("sqlite::memory:").unwrap_or_else(|e| panic!("SQLite: {e}"));
    out.push(("sqlite", sqlite));
    if let Some(url) = fresh_pg_url(test) {
        let pg = crate::open(&url).unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
        out.push(("postgres", pg));
    }
    out
}
