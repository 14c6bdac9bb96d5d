//! `kwijting bench law --claims N`: statements of account per second on one
//! core, for N synthetic claims (3 years of interest, 3 payments each, a
//! 14-day letter and collection costs), with a same-run baseline.
//!
//! The claims are generated deterministically (a tiny xorshift generator, fixed
//! seed) in chunks outside the timed section; only the statements are timed.
//! The baseline runs over the same chunks and only sums the principals and
//! payments, so the ratio shows what the law costs over touching the data.
//! Integer arithmetic only.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use kwijting_domain::{ClaimId, Date, DebtorType, Money};
use kwijting_law::calendar::add_days;
use kwijting_law::nl::Netherlands;
use kwijting_law::nl::interest::InterestKind;
use kwijting_law::statement::{
    CaseInput, ClaimInput, CostsSettings, Event, EventKind, statement_of_account,
};

/// Claims generated (and then timed) at a time.
const CHUNK: usize = 10_000;
/// The most claims one run accepts.
const CLAIMS_MAX: usize = 100_000_000;
/// The target of issue 3.
const TARGET_PER_SECOND: u128 = 1_000_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

struct Synthetic {
    debtor: DebtorType,
    claim: [ClaimInput; 1],
    events: [Event; 5],
    event_count: usize,
}

fn synthesize(rng: &mut Rng, id: i64, first_due: Date) -> Synthetic {
    let principal_cents = 5_000 + rng.below(2_000_000); // EUR 50 to 20,050
    let due = add_days(first_due, rng.below(184) as i32);
    let consumer = rng.next() & 1 == 0;
    let (debtor, kind) = if consumer {
        (DebtorType::Consumer, InterestKind::Consumer)
    } else {
        (DebtorType::Business, InterestKind::Commercial)
    };
    let payment = |rng: &mut Rng, after: i32| Event {
        on: add_days(due, after + rng.below(300) as i32),
        kind: EventKind::Payment {
            amount: Money::from_cents(principal_cents * (5 + rng.below(25)) / 100),
            designated: None,
        },
    };
    let p1 = payment(rng, 60);
    let p2 = payment(rng, 400);
    let p3 = payment(rng, 800);
    let (events, event_count) = if consumer {
        let letter = Event {
            on: add_days(due, 7),
            kind: EventKind::DemandLetter,
        };
        let costs = Event {
            on: add_days(due, 45),
            kind: EventKind::CollectionCosts,
        };
        ([letter, costs, p1, p2, p3], 5)
    } else {
        let costs = Event {
            on: add_days(due, 10),
            kind: EventKind::CollectionCosts,
        };
        ([costs, p1, p2, p3, p3], 4)
    };
    Synthetic {
        debtor,
        claim: [ClaimInput {
            id: ClaimId(id),
            principal: Money::from_cents(principal_cents),
            due_on: due,
            interest_from: add_days(due, 1),
            interest: kind,
            onerousness: 0,
        }],
        events,
        event_count,
    }
}

fn per_second(count: usize, elapsed: Duration) -> u128 {
    (count as u128 * 1_000_000_000) / elapsed.as_nanos().max(1)
}

pub fn run(claims: usize) -> Result<()> {
    if claims == 0 || claims > CLAIMS_MAX {
        bail!("--claims must be between 1 and {CLAIMS_MAX}");
    }
    let nl = Netherlands::new()?;
    let first_due = kwijting_domain::parse_date("2022-07-01")?;
    let as_of = kwijting_domain::parse_date("2025-12-31")?;
    let costs = CostsSettings::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut chunk: Vec<Synthetic> = Vec::with_capacity(CHUNK);
    let (mut law_time, mut base_time) = (Duration::ZERO, Duration::ZERO);
    let (mut balance_cents, mut baseline_cents) = (0i128, 0i128);
    let (mut periods, mut done) = (0usize, 0usize);
    while done < claims {
        let n = CHUNK.min(claims - done);
        chunk.clear();
        for i in 0..n {
            chunk.push(synthesize(&mut rng, (done + i) as i64 + 1, first_due));
        }

        let start = Instant::now();
        for s in &chunk {
            let statement = statement_of_account(
                &nl,
                &CaseInput {
                    debtor: s.debtor,
                    claims: &s.claim,
                    events: &s.events[..s.event_count],
                    costs,
                    as_of,
                },
            )
            .with_context(|| format!("synthetic claim {}", s.claim[0].id))?;
            balance_cents += i128::from(statement.balance.cents());
            periods += statement.claims[0].periods.len();
            black_box(&statement);
        }
        law_time += start.elapsed();

        let start = Instant::now();
        for s in black_box(&chunk) {
            let mut sum = s.claim[0].principal.cents();
            for e in &s.events[..s.event_count] {
                if let EventKind::Payment { amount, .. } = e.kind {
                    sum -= amount.cents();
                }
            }
            baseline_cents += i128::from(black_box(sum));
        }
        base_time += start.elapsed();
        done += n;
    }
    let rate = per_second(claims, law_time);
    let baseline_rate = per_second(claims, base_time);
    let slower_x10 = baseline_rate * 10 / rate.max(1);
    println!(
        "law bench: {claims} statements of account (1 claim, ~3.3 years of interest, 3 payments, \
         costs) in {} ms on one thread: {rate} claims/s (target {TARGET_PER_SECOND}: {}); \
         baseline (sum principal and payments): {baseline_rate} claims/s, {}.{}x faster; \
         {periods} interest periods; balance checksum {balance_cents} cents",
        law_time.as_millis(),
        if rate >= TARGET_PER_SECOND {
            "met"
        } else {
            "NOT met"
        },
        slower_x10 / 10,
        slower_x10 % 10,
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "law_statements",
            "claims": claims,
            "threads": 1,
            "elapsed_ms": law_time.as_millis() as u64,
            "claims_per_second": rate as u64,
            "target_claims_per_second": TARGET_PER_SECOND as u64,
            "meets_target": rate >= TARGET_PER_SECOND,
            "baseline": "sum of principal minus payments over the same claims",
            "baseline_claims_per_second": baseline_rate as u64,
            "baseline_faster_x10": slower_x10 as u64,
            "interest_periods": periods,
            "balance_checksum_cents": balance_cents.to_string(),
            "baseline_checksum_cents": baseline_cents.to_string(),
        })
    );
    Ok(())
}
