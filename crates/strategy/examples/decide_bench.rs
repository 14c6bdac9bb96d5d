//! Times `decide` on synthetic cases and prints decisions per second.
//!
//! ```text
//! cargo run --release -p kwijting-strategy --example decide_bench -- [cases]
//! ```
//!
//! The cases are spread over the whole consumer and business flows (letters
//! sent or not, terms running or passed, steps done, a few holds), so the
//! timing covers every path. The library reads no clock; this example does.

use std::hint::black_box;
use std::time::Instant;

use kwijting_domain::{Date, DebtorType, Money};
use kwijting_law::calendar::add_days;
use kwijting_strategy::{
    AddressStatus, ArrangementState, CaseFacts, ClientSettings, DisputeState, Hold, HoldSet,
    Holidays, Outcome, ScoreBand, StepDone, decide, defaults,
};

/// A small deterministic generator (SplitMix64) for the synthetic cases.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn synthetic(rng: &mut SplitMix, as_of: Date, steps: u16) -> CaseFacts {
    let received = add_days(as_of, -(rng.below(200) as i32));
    let business = rng.below(4) == 0;
    let principal = 5_000 + rng.below(500_000) as i64;
    let last_step = match rng.below(steps as u64 + 1) {
        0 => None,
        n => Some(StepDone {
            index: (n - 1) as u16,
            on: add_days(as_of, -(rng.below(40) as i32)),
        }),
    };
    let letter = if business || rng.below(3) == 0 {
        None
    } else {
        Some(add_days(as_of, -(rng.below(60) as i32)))
    };
    let holds = match rng.below(50) {
        0 => HoldSet::of(&[Hold::DebtCounselling]),
        1 => HoldSet::of(&[Hold::ClientHold]),
        _ => HoldSet::EMPTY,
    };
    CaseFacts {
        debtor_type: if business {
            DebtorType::Business
        } else {
            DebtorType::Consumer
        },
        principal: Money::from_cents(principal),
        balance: Money::from_cents(principal + rng.below(20_000) as i64),
        due_on: add_days(received, -30),
        received_on: received,
        steps_done: last_step.map_or(0, |s| s.index + 1),
        last_step,
        fourteen_day_letter_sent_on: letter,
        score_band: ScoreBand::ALL[rng.below(6) as usize],
        address: AddressStatus::ALL[rng.below(4) as usize],
        phone_known: rng.below(2) == 0,
        email_known: rng.below(2) == 0,
        arrangement: ArrangementState::ALL[(rng.below(10) / 8) as usize],
        dispute: DisputeState::ALL[(rng.below(40) / 39) as usize],
        judgment_on: None,
        limitation_last_day: add_days(received, 5 * 365),
        holds,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 1_000_000,
    };
    let d = defaults()?;
    let [consumer, business] = [&d.strategies[0], &d.strategies[1]];
    let as_of = Date::new(2026, 3, 2)?;
    let holidays = Holidays::statutory();
    let settings = ClientSettings::default();

    let mut rng = SplitMix(42);
    let cases: Vec<CaseFacts> = (0..n)
        .map(|_| synthetic(&mut rng, as_of, consumer.steps().len() as u16))
        .collect();

    // Warm up, then time.
    for f in cases.iter().take(10_000) {
        let s = if f.debtor_type == DebtorType::Consumer {
            consumer
        } else {
            business
        };
        black_box(decide(f, s, as_of, &holidays, &settings)?);
    }
    let mut acts = 0usize;
    let mut held = 0usize;
    let started = Instant::now();
    for f in &cases {
        let s = if f.debtor_type == DebtorType::Consumer {
            consumer
        } else {
            business
        };
        let decision = decide(black_box(f), s, as_of, &holidays, &settings)?;
        match decision.outcome {
            Outcome::Act(_) => acts += 1,
            Outcome::Held(_) => held += 1,
            _ => {}
        }
        black_box(&decision);
    }
    let elapsed = started.elapsed();
    let ns = elapsed.as_nanos().max(1);
    println!(
        "{n} decisions in {} ms: {} decisions/s, {} ns per decision ({acts} actions, {held} held)",
        elapsed.as_millis(),
        (n as u128 * 1_000_000_000) / ns,
        ns / n.max(1) as u128,
    );
    Ok(())
}
