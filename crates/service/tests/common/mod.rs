//! What the service tests share: a service over a store at a fixed time,
//! the operator, and a synthetic portfolio.

#![allow(dead_code)]

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
