//! What the service tests share: a service over a store at a fixed time,
//! the operator, and a synthetic portfolio.

#![allow(dead_code)]

pub mod dutch;
pub mod xlsx;

use std::sync::Arc;

use kwijting_domain::{Actor, parse_date};
use kwijting_service::{FixedClock, Kwijting};

/// The moment every test runs at.
pub const NOW: &str = "2026-11-21T09:00:00Z";

pub fn service(store: Arc<dyn kwijting_store::Store>) -> Kwijting {
    service_with(
        store,
        kwijting_policy::Policy::load_default().expect("the default policy loads"),
    )
}

pub fn service_with(
    store: Arc<dyn kwijting_store::Store>,
    policy: kwijting_policy::Policy,
) -> Kwijting {
    Kwijting::new(
        store,
        Arc::new(policy),
        Arc::new(FixedClock(NOW.parse().expect("a valid instant"))),
    )
    .with_trust_accounts(vec![trust_account()])
}

/// The trust account the tests' statements are of (`money::camt`).
pub fn trust_account() -> kwijting_domain::Iban {
    kwijting_domain::Iban::dutch("RABO", 123_456_789).expect("an IBAN")
}

pub fn operator() -> Actor {
    Actor::system("test", "collection")
}

/// A synthetic portfolio in the import format, dated from 2026-11-01.
pub fn portfolio(cases: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    kwijting_synth::write_portfolio(
        &mut out,
        &kwijting_synth::PortfolioOptions::new(
            cases,
            seed,
            parse_date("2026-11-01").expect("a date"),
        ),
    )
    .expect("the generator writes to memory");
    out
}

/// Validates a payment file against the shared ISO 20022 schema with
/// `xmllint --schema`; skipped without the shared schemas, or without
/// xmllint unless `KWIJTING_REQUIRE_XMLLINT` is set (as in CI).
pub fn validate_schema(xml: &str, xsd: &str, label: &str) {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/xsd");
    if !dir.is_dir() {
        println!("shared/reference/xsd not found; skipping schema validation of {label}");
        return;
    }
    let file = std::env::temp_dir().join(format!("kwijting-{}-{label}.xml", std::process::id()));
    std::fs::write(&file, xml).expect("a temporary file");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir.join(xsd))
        .arg(&file)
        .output();
    let _ = std::fs::remove_file(&file);
    match out {
        Ok(o) => assert!(
            o.status.success(),
            "{label} does not validate against {xsd}:\n{}\n{xml}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) if std::env::var_os("KWIJTING_REQUIRE_XMLLINT").is_some() => {
            panic!("xmllint could not be run ({e}): install libxml2-utils")
        }
        Err(e) => println!("xmllint could not be run ({e}); skipping {label}"),
    }
}

/// A service with client ACME, a synthetic portfolio of `cases` imported,
/// and the last commercial rate assumed to continue (the shipped table
/// lacks 2026-07).
pub fn acme(store: Arc<dyn kwijting_store::Store>, cases: u64, seed: u64) -> Kwijting {
    let svc = service(store);
    let a = operator();
    svc.add_client(
        &a,
        "ACME",
        "Acme B.V.",
        kwijting_domain::ClientRole::Controller,
        None,
    )
    .expect("the client is added");
    svc.import_claims_csv(
        &a,
        "ACME",
        "p.csv",
        &portfolio(cases, seed)[..],
        &mut |_| {},
    )
    .expect("the portfolio imports");
    svc.assume_commercial_rate_continues(&a, "test: the last rate continues")
        .expect("the assumption is recorded");
    svc
}

/// A service over `store` whose clock stands at 09:00 UTC on `day`: the
/// tests that walk through weeks build one per day.
pub fn service_on(store: Arc<dyn kwijting_store::Store>, day: kwijting_domain::Date) -> Kwijting {
    Kwijting::new(
        store,
        Arc::new(kwijting_policy::Policy::load_default().expect("the default policy loads")),
        Arc::new(FixedClock(
            format!("{day}T09:00:00Z").parse().expect("a valid instant"),
        )),
    )
    .with_trust_accounts(vec![trust_account()])
}
