//! Which strategy a case gets: assignment rules, first match wins, with a
//! champion/challenger split by a stable hash of the case number.

use std::sync::Arc;

use serde::Deserialize;

use kwijting_domain::{CaseNumber, DebtorType, Money};

use crate::error::{Collector, StrategyError};
use crate::facts::ScoreBand;
use crate::strategy::{CONDITIONS_MAX, Strategy, check_id, compile_conditions};
use crate::vars::{Condition, LetterState, Var, Variables};

/// The most rules an assignment file may have.
pub const RULES_MAX: usize = 256;
/// The most client refs one rule may name.
pub const CLIENTS_PER_RULE_MAX: usize = 1024;
/// Shares are in basis points of cases: 10,000 is all of them.
pub const BPS_ALL: u16 = 10_000;

/// FNV-1a, 64 bits (Fowler, Noll, Vo): offset basis 0xcbf29ce484222325,
/// prime 0x100000001b3; for each byte, xor then multiply (wrapping). Stable
/// on every machine and release; not a cryptographic hash.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    fnv1a_64_continue(FNV_OFFSET_BASIS, bytes)
}

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over more bytes, from the hash of the bytes before them.
fn fnv1a_64_continue(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME))
}

/// MurmurHash3's 64-bit finalizer (`fmix64`, Austin Appleby, public
/// domain): spreads every input bit over every output bit.
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The bucket (0..10,000) of a case in the split of one rule:
///
/// 1. FNV-1a 64 ([`fnv1a_64`]) of the bytes of the rule id, one 0x00 byte
///    and the case number as printed (`KW0000000019`);
/// 2. MurmurHash3's `fmix64` finalizer ([`fmix64`]), because FNV alone
///    barely moves its high bits when only the last bytes differ, so
///    consecutive case numbers would land in neighbouring buckets and
///    cases imported together would share a variant;
/// 3. scaled to 0..10,000 by the high bits: `(h * 10000) >> 64`.
///
/// Salting with the rule id keeps the splits of different rules
/// independent. A case goes to the challenger when its bucket is below the
/// challenger's share in basis points. Integer arithmetic only: the same
/// bucket on every machine and release.
pub fn split_bucket(rule_id: &str, case_number: &CaseNumber) -> u16 {
    let h = fnv1a_64_continue(fnv1a_64(rule_id.as_bytes()), &[0]);
    let h = fmix64(fnv1a_64_continue(h, case_number.as_str().as_bytes()));
    // < 10,000 by construction: (h * 10,000) / 2^64.
    ((u128::from(h) * u128::from(BPS_ALL)) >> 64) as u16
}

/// A reference to a strategy from an assignment: its id and, when pinned,
/// its version (else the lead's current version of that id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyRef {
    pub id: Arc<str>,
    pub version: Option<u32>,
}

/// A challenger: a share of the rule's cases goes to another strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenger {
    pub strategy: StrategyRef,
    pub share_bps: u16,
}

/// One assignment rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: Arc<str>,
    /// Client refs (`clients.ref`); empty means any client.
    pub clients: Vec<String>,
    /// Conditions on `debtor_type`, `balance_cents` and `score_band`.
    pub when: Vec<Condition>,
    pub champion: StrategyRef,
    pub challenger: Option<Challenger>,
}

/// The assignment rules, versioned like strategies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: String,
    pub version: u32,
    pub rules: Vec<Rule>,
}

/// What assignment needs to know about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssignmentInput<'a> {
    pub client_ref: &'a str,
    pub case_number: &'a CaseNumber,
    pub debtor_type: DebtorType,
    pub balance: Money,
    pub score_band: ScoreBand,
}

/// Champion or challenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Champion,
    Challenger,
}

/// The strategy a case gets, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned<'a> {
    pub rule: &'a Rule,
    pub variant: Variant,
    /// The case's bucket in the rule's split (0..10,000).
    pub bucket: u16,
    pub strategy: &'a StrategyRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentFile {
    id: String,
    version: i64,
    #[serde(default)]
    rules: Vec<RuleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    #[serde(default)]
    clients: Vec<String>,
    #[serde(default)]
    when: toml::Table,
    strategy: String,
    version: Option<i64>,
    challenger: Option<ChallengerFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengerFile {
    strategy: String,
    version: Option<i64>,
    share_bps: i64,
}

fn assignable(var: Var) -> bool {
    matches!(var, Var::DebtorType | Var::BalanceCents | Var::ScoreBand)
}

fn strategy_ref(
    problems: &mut Collector,
    path: &str,
    id: &str,
    version: Option<i64>,
) -> StrategyRef {
    check_id(problems, &format!("{path}strategy"), id);
    let version = version.and_then(|v| match u32::try_from(v) {
        Ok(v) if v >= 1 => Some(v),
        _ => {
            problems.add(format!("{path}version"), "must be a whole number from 1");
            None
        }
    });
    StrategyRef {
        id: Arc::from(id),
        version,
    }
}

impl Assignment {
    /// Parses and validates an assignment file, refused whole with every
    /// problem named by key path.
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Assignment, StrategyError> {
        let file: AssignmentFile =
            toml::from_str(text).map_err(|e| StrategyError::from_toml(source_name, text, &e))?;
        let mut problems = Collector::new(source_name);
        check_id(&mut problems, "id", &file.id);
        let version = match u32::try_from(file.version) {
            Ok(v) if v >= 1 => v,
            _ => {
                problems.add("version", "must be a whole number from 1");
                0
            }
        };
        if file.rules.is_empty() {
            problems.add("rules", "an assignment needs at least one rule");
        }
        if file.rules.len() > RULES_MAX {
            problems.add("rules", format!("at most {RULES_MAX} rules"));
        }
        let mut rules = Vec::with_capacity(file.rules.len());
        for (i, r) in file.rules.iter().enumerate() {
            let path = format!("rules[{i}]");
            check_id(&mut problems, &format!("{path}.id"), &r.id);
            if file.rules[..i].iter().any(|e| e.id == r.id) {
                problems.add(format!("{path}.id"), format!("'{}' is used twice", r.id));
            }
            if r.clients.len() > CLIENTS_PER_RULE_MAX {
                problems.add(
                    format!("{path}.clients"),
                    format!("at most {CLIENTS_PER_RULE_MAX} clients"),
                );
            }
            if r.clients.iter().any(|c| c.trim().is_empty()) {
                problems.add(format!("{path}.clients"), "a client ref must not be empty");
            }
            if r.when.len() > CONDITIONS_MAX {
                problems.add(format!("{path}.when"), format!("at most {CONDITIONS_MAX}"));
            }
            let when =
                compile_conditions(&mut problems, &format!("{path}.when"), &r.when, assignable);
            let champion = strategy_ref(&mut problems, &format!("{path}."), &r.strategy, r.version);
            let challenger = r.challenger.as_ref().map(|c| {
                let cpath = format!("{path}.challenger.");
                let strategy = strategy_ref(&mut problems, &cpath, &c.strategy, c.version);
                let share_bps = match u16::try_from(c.share_bps) {
                    Ok(s) if s <= BPS_ALL => s,
                    _ => {
                        problems.add(
                            format!("{cpath}share_bps"),
                            format!("must be 0 to {BPS_ALL} basis points"),
                        );
                        0
                    }
                };
                if strategy == champion {
                    problems.add(
                        format!("{cpath}strategy"),
                        "the challenger is the champion itself",
                    );
                }
                Challenger {
                    strategy,
                    share_bps,
                }
            });
            rules.push(Rule {
                id: Arc::from(r.id.as_str()),
                clients: r.clients.clone(),
                when,
                champion,
                challenger,
            });
        }
        problems.into_result()?;
        Ok(Assignment {
            id: file.id,
            version,
            rules,
        })
    }

    /// Checks that every strategy the rules name is among `strategies` (and
    /// the pinned version, when one is pinned).
    pub fn check_against(
        &self,
        strategies: &[Strategy],
        source_name: &str,
    ) -> Result<(), StrategyError> {
        let mut problems = Collector::new(source_name);
        let known = |r: &StrategyRef| {
            strategies
                .iter()
                .any(|s| s.id() == &*r.id && r.version.is_none_or(|v| v == s.version()))
        };
        for (i, rule) in self.rules.iter().enumerate() {
            if !known(&rule.champion) {
                problems.add(
                    format!("rules[{i}].strategy"),
                    format!("no strategy '{}' is known", rule.champion.id),
                );
            }
            if let Some(c) = &rule.challenger
                && !known(&c.strategy)
            {
                problems.add(
                    format!("rules[{i}].challenger.strategy"),
                    format!("no strategy '{}' is known", c.strategy.id),
                );
            }
        }
        problems.into_result()
    }

    /// The strategy for a case: the first rule whose clients and conditions
    /// match, then champion or challenger by the case's bucket. `None` when
    /// no rule matches (end the file with a rule without conditions).
    pub fn assign(&self, input: &AssignmentInput<'_>) -> Option<Assigned<'_>> {
        let vars = assignment_variables(input);
        let rule = self.rules.iter().find(|r| {
            (r.clients.is_empty() || r.clients.iter().any(|c| c == input.client_ref))
                && r.when.iter().all(|c| c.holds(&vars))
        })?;
        let bucket = split_bucket(&rule.id, input.case_number);
        Some(match &rule.challenger {
            Some(c) if bucket < c.share_bps => Assigned {
                rule,
                variant: Variant::Challenger,
                bucket,
                strategy: &c.strategy,
            },
            _ => Assigned {
                rule,
                variant: Variant::Champion,
                bucket,
                strategy: &rule.champion,
            },
        })
    }
}

/// The variables of an assignment condition; the others are never read
/// (assignment conditions are limited to the three set here).
fn assignment_variables(input: &AssignmentInput<'_>) -> Variables {
    use crate::facts::{AddressStatus, ArrangementState, DisputeState, HoldSet};
    Variables {
        debtor_type: input.debtor_type,
        balance: input.balance,
        principal: Money::ZERO,
        days_past_due: 0,
        days_in_collection: 0,
        steps_done: 0,
        letter: LetterState::NotSent,
        score_band: input.score_band,
        address: AddressStatus::Unknown,
        arrangement: ArrangementState::None,
        dispute: DisputeState::None,
        phone_known: false,
        email_known: false,
        judgment: false,
        days_to_limitation: 0,
        limitation_last_day: jiff::civil::Date::constant(1970, 1, 1),
        holds: HoldSet::EMPTY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::CaseId;

    #[test]
    fn fnv1a_64_test_vectors() {
        // From the FNV reference (Landon Curt Noll, "FNV test vectors").
        assert_eq!(fnv1a_64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fmix64_test_vectors() {
        assert_eq!(fmix64(0), 0);
        // A one-bit change in the input changes about half the output bits.
        let flipped = (fmix64(1) ^ fmix64(0)).count_ones();
        assert!((20..=44).contains(&flipped), "{flipped}");
    }

    #[test]
    fn the_bucket_is_fnv_then_fmix_then_scaled() {
        let n = CaseNumber::for_case(CaseId(1)).unwrap();
        assert_eq!(n.as_str(), "KW0000000019");
        let h = fmix64(fnv1a_64(b"consumers\0KW0000000019"));
        let expected = ((u128::from(h) * 10_000) >> 64) as u16;
        assert_eq!(split_bucket("consumers", &n), expected);
    }
}
