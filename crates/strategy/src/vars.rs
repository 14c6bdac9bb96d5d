//! The case variables a strategy decides on (R9: "predetermined variables"),
//! computed once per decision from [`CaseFacts`] and the date, and the
//! conditions that test them.

use kwijting_domain::{Date, DebtorType, Money};
use kwijting_law::calendar::day_number;
use kwijting_law::nl::deadline::demand_letter_deadline;
use kwijting_law::nl::holidays::Holidays;

use crate::StrategyError;
use crate::facts::{
    AddressStatus, ArrangementState, CaseFacts, DisputeState, Hold, HoldSet, ScoreBand, names,
};

names! {
    /// Where the 14-day letter (art. 6:96(6) BW) stands.
    LetterPhase {
        NotSent = "not_sent",
        /// Sent; the debtor may still pay without costs.
        TermRunning = "term_running",
        /// Sent and the term has passed: costs may be charged.
        TermPassed = "term_passed",
    }
}

/// The 14-day letter with its dates, from the law crate's
/// `demand_letter_deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterState {
    NotSent,
    TermRunning { sent_on: Date, costs_from: Date },
    TermPassed { sent_on: Date, costs_from: Date },
}

impl LetterState {
    pub fn phase(self) -> LetterPhase {
        match self {
            LetterState::NotSent => LetterPhase::NotSent,
            LetterState::TermRunning { .. } => LetterPhase::TermRunning,
            LetterState::TermPassed { .. } => LetterPhase::TermPassed,
        }
    }
}

names! {
    /// A variable a condition can test, by its name in strategy files.
    Var {
        DebtorType = "debtor_type",
        BalanceCents = "balance_cents",
        PrincipalCents = "principal_cents",
        DaysPastDue = "days_past_due",
        DaysInCollection = "days_in_collection",
        StepsDone = "steps_done",
        Letter = "letter",
        ScoreBand = "score_band",
        Address = "address",
        Arrangement = "arrangement",
        Dispute = "dispute",
        PhoneKnown = "phone_known",
        EmailKnown = "email_known",
        Judgment = "judgment",
        DaysToLimitation = "days_to_limitation",
        /// Not testable in a condition: any hold stops the strategy.
        Holds = "holds",
    }
}

/// What kind of value a variable holds, and for enums the allowed names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Enum(&'static [&'static str]),
    Int,
    Bool,
    /// Reported in decisions, not testable.
    Holds,
}

const DEBTOR_TYPES: &[&str] = &["consumer", "business"];
const LETTER_PHASES: &[&str] = &["not_sent", "term_running", "term_passed"];
const SCORE_BANDS: &[&str] = &["A", "B", "C", "D", "E", "unknown"];
const ADDRESS: &[&str] = &["verified", "unverified", "unknown", "abroad"];
const ARRANGEMENT: &[&str] = &["none", "active", "broken"];
const DISPUTE: &[&str] = &["none", "open", "resolved"];

impl Var {
    pub fn kind(self) -> VarKind {
        match self {
            Var::DebtorType => VarKind::Enum(DEBTOR_TYPES),
            Var::Letter => VarKind::Enum(LETTER_PHASES),
            Var::ScoreBand => VarKind::Enum(SCORE_BANDS),
            Var::Address => VarKind::Enum(ADDRESS),
            Var::Arrangement => VarKind::Enum(ARRANGEMENT),
            Var::Dispute => VarKind::Enum(DISPUTE),
            Var::BalanceCents
            | Var::PrincipalCents
            | Var::DaysPastDue
            | Var::DaysInCollection
            | Var::StepsDone
            | Var::DaysToLimitation => VarKind::Int,
            Var::PhoneKnown | Var::EmailKnown | Var::Judgment => VarKind::Bool,
            Var::Holds => VarKind::Holds,
        }
    }
}

/// A set of variables (those a decision consulted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VarSet(u32);

impl VarSet {
    pub const EMPTY: VarSet = VarSet(0);

    pub fn insert(&mut self, var: Var) {
        self.0 |= 1 << var.code();
    }

    pub fn contains(self, var: Var) -> bool {
        self.0 & (1 << var.code()) != 0
    }

    /// In the order of [`Var::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Var> {
        Var::ALL.iter().copied().filter(move |v| self.contains(*v))
    }
}

/// The values of all variables of one case on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variables {
    pub debtor_type: DebtorType,
    pub balance: Money,
    pub principal: Money,
    pub days_past_due: i32,
    pub days_in_collection: i32,
    pub steps_done: u16,
    pub letter: LetterState,
    pub score_band: ScoreBand,
    pub address: AddressStatus,
    pub arrangement: ArrangementState,
    pub dispute: DisputeState,
    pub phone_known: bool,
    pub email_known: bool,
    pub judgment: bool,
    /// Days from `as_of` to the last day before limitation; negative once
    /// the claim is time-barred.
    pub days_to_limitation: i32,
    pub limitation_last_day: Date,
    /// The recorded holds plus those derived from the facts.
    pub holds: HoldSet,
}

/// A variable's value, as a condition sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value {
    Code(u8),
    Int(i64),
    Bool(bool),
    Holds,
}

fn debtor_code(t: DebtorType) -> u8 {
    match t {
        DebtorType::Consumer => 0,
        DebtorType::Business => 1,
    }
}

impl Variables {
    /// Computes the variables. Fails only when the 14-day letter's dates
    /// cannot be computed (a send date outside the years the law crate
    /// knows the public holidays of).
    pub fn compute(
        facts: &CaseFacts,
        as_of: Date,
        holidays: &Holidays,
    ) -> Result<Variables, StrategyError> {
        let today = day_number(as_of);
        let letter = match facts.fourteen_day_letter_sent_on {
            None => LetterState::NotSent,
            Some(sent_on) => {
                let dl = demand_letter_deadline(sent_on, holidays)?;
                if as_of >= dl.costs_from {
                    LetterState::TermPassed {
                        sent_on,
                        costs_from: dl.costs_from,
                    }
                } else {
                    LetterState::TermRunning {
                        sent_on,
                        costs_from: dl.costs_from,
                    }
                }
            }
        };
        let days_to_limitation = day_number(facts.limitation_last_day) - today;
        let mut holds = facts.holds;
        if facts.dispute == DisputeState::Open {
            holds = holds.with(Hold::Dispute);
        }
        if facts.arrangement == ArrangementState::Active {
            holds = holds.with(Hold::ActiveArrangement);
        }
        if days_to_limitation < 0 {
            holds = holds.with(Hold::LimitationExpired);
        }
        Ok(Variables {
            debtor_type: facts.debtor_type,
            balance: facts.balance,
            principal: facts.principal,
            days_past_due: today - day_number(facts.due_on),
            days_in_collection: today - day_number(facts.received_on),
            steps_done: facts.steps_done,
            letter,
            score_band: facts.score_band,
            address: facts.address,
            arrangement: facts.arrangement,
            dispute: facts.dispute,
            phone_known: facts.phone_known,
            email_known: facts.email_known,
            judgment: facts.judgment_on.is_some_and(|d| d <= as_of),
            days_to_limitation,
            limitation_last_day: facts.limitation_last_day,
            holds,
        })
    }

    pub(crate) fn value(&self, var: Var) -> Value {
        match var {
            Var::DebtorType => Value::Code(debtor_code(self.debtor_type)),
            Var::BalanceCents => Value::Int(self.balance.cents()),
            Var::PrincipalCents => Value::Int(self.principal.cents()),
            Var::DaysPastDue => Value::Int(i64::from(self.days_past_due)),
            Var::DaysInCollection => Value::Int(i64::from(self.days_in_collection)),
            Var::StepsDone => Value::Int(i64::from(self.steps_done)),
            Var::Letter => Value::Code(self.letter.phase().code()),
            Var::ScoreBand => Value::Code(self.score_band.code()),
            Var::Address => Value::Code(self.address.code()),
            Var::Arrangement => Value::Code(self.arrangement.code()),
            Var::Dispute => Value::Code(self.dispute.code()),
            Var::PhoneKnown => Value::Bool(self.phone_known),
            Var::EmailKnown => Value::Bool(self.email_known),
            Var::Judgment => Value::Bool(self.judgment),
            Var::DaysToLimitation => Value::Int(i64::from(self.days_to_limitation)),
            Var::Holds => Value::Holds,
        }
    }

    /// A variable's value as a typed value, for explanations and for the
    /// stored form of a decision's inputs.
    pub fn typed(&self, var: Var) -> VarValue {
        match var {
            Var::DebtorType => VarValue::DebtorType(self.debtor_type),
            Var::BalanceCents => VarValue::Money(self.balance),
            Var::PrincipalCents => VarValue::Money(self.principal),
            Var::DaysPastDue => VarValue::Days(i64::from(self.days_past_due)),
            Var::DaysInCollection => VarValue::Days(i64::from(self.days_in_collection)),
            Var::StepsDone => VarValue::Count(i64::from(self.steps_done)),
            Var::Letter => VarValue::Letter(self.letter),
            Var::ScoreBand => VarValue::ScoreBand(self.score_band),
            Var::Address => VarValue::Address(self.address),
            Var::Arrangement => VarValue::Arrangement(self.arrangement),
            Var::Dispute => VarValue::Dispute(self.dispute),
            Var::PhoneKnown => VarValue::Bool(self.phone_known),
            Var::EmailKnown => VarValue::Bool(self.email_known),
            Var::Judgment => VarValue::Bool(self.judgment),
            Var::DaysToLimitation => VarValue::Limitation {
                days: i64::from(self.days_to_limitation),
                last_day: self.limitation_last_day,
            },
            Var::Holds => VarValue::Holds(self.holds),
        }
    }

    /// A variable's value as stored with a decision (`name=value` lines, see
    /// [`VarValue::stored`]).
    pub fn text(&self, var: Var) -> String {
        self.typed(var).stored()
    }
}

/// A variable's value with its type: what a decision stores of each
/// variable it used, and what explanations render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarValue {
    DebtorType(DebtorType),
    Money(Money),
    Days(i64),
    Count(i64),
    Letter(LetterState),
    ScoreBand(ScoreBand),
    Address(AddressStatus),
    Arrangement(ArrangementState),
    Dispute(DisputeState),
    Bool(bool),
    /// Days to the last day before limitation (negative once time-barred)
    /// and that day.
    Limitation {
        days: i64,
        last_day: Date,
    },
    Holds(HoldSet),
}

impl VarValue {
    /// The stored spelling: amounts as integer cents (the variables are
    /// named `..._cents`, like their conditions in strategy files), enum
    /// values in the spelling of strategy files, dates ISO, the 14-day
    /// letter with its dates (`term_running (sent on D, costs from D)`),
    /// limitation with its last day (`1777 (last day 2030-10-15)`), holds
    /// by name (`dispute, client_hold` or `none`).
    pub fn stored(&self) -> String {
        match *self {
            VarValue::DebtorType(t) => t.as_str().to_owned(),
            VarValue::Money(m) => m.cents().to_string(),
            VarValue::Days(n) | VarValue::Count(n) => n.to_string(),
            VarValue::Letter(LetterState::NotSent) => LetterPhase::NotSent.as_str().to_owned(),
            VarValue::Letter(
                l @ (LetterState::TermRunning {
                    sent_on,
                    costs_from,
                }
                | LetterState::TermPassed {
                    sent_on,
                    costs_from,
                }),
            ) => format!("{} (sent on {sent_on}, costs from {costs_from})", l.phase()),
            VarValue::ScoreBand(b) => b.as_str().to_owned(),
            VarValue::Address(a) => a.as_str().to_owned(),
            VarValue::Arrangement(a) => a.as_str().to_owned(),
            VarValue::Dispute(d) => d.as_str().to_owned(),
            VarValue::Bool(b) => b.to_string(),
            VarValue::Limitation { days, last_day } => format!("{days} (last day {last_day})"),
            VarValue::Holds(h) => h.to_string(),
        }
    }

    /// Reads a stored value back, also as rows written before amounts were
    /// stored in cents: an amount with a decimal point (`26.92`) is euros,
    /// one without (`2692`) cents. `None` for a value that is not of the
    /// variable's type.
    pub fn parse_stored(var: Var, text: &str) -> Option<VarValue> {
        let text = text.trim();
        let int = || text.parse::<i64>().ok();
        let dated = |rest: &str| -> Option<(Date, Date)> {
            let inner = rest.trim().strip_prefix("(sent on ")?.strip_suffix(')')?;
            let (sent_on, costs_from) = inner.split_once(", costs from ")?;
            Some((
                sent_on.trim().parse().ok()?,
                costs_from.trim().parse().ok()?,
            ))
        };
        Some(match var {
            Var::DebtorType => VarValue::DebtorType(DebtorType::parse(text)?),
            Var::BalanceCents | Var::PrincipalCents => VarValue::Money(if text.contains('.') {
                Money::parse(text).ok()?
            } else {
                Money::from_cents(int()?)
            }),
            Var::DaysPastDue | Var::DaysInCollection => VarValue::Days(int()?),
            Var::StepsDone => VarValue::Count(int()?),
            Var::Letter => {
                let (phase, rest) = text.split_once(' ').unwrap_or((text, ""));
                VarValue::Letter(match LetterPhase::parse(phase)? {
                    LetterPhase::NotSent => LetterState::NotSent,
                    LetterPhase::TermRunning => {
                        let (sent_on, costs_from) = dated(rest)?;
                        LetterState::TermRunning {
                            sent_on,
                            costs_from,
                        }
                    }
                    LetterPhase::TermPassed => {
                        let (sent_on, costs_from) = dated(rest)?;
                        LetterState::TermPassed {
                            sent_on,
                            costs_from,
                        }
                    }
                })
            }
            Var::ScoreBand => VarValue::ScoreBand(ScoreBand::parse(text)?),
            Var::Address => VarValue::Address(AddressStatus::parse(text)?),
            Var::Arrangement => VarValue::Arrangement(ArrangementState::parse(text)?),
            Var::Dispute => VarValue::Dispute(DisputeState::parse(text)?),
            Var::PhoneKnown | Var::EmailKnown | Var::Judgment => VarValue::Bool(text.parse().ok()?),
            Var::DaysToLimitation => {
                let (days, rest) = text.split_once(' ')?;
                let last_day = rest
                    .trim()
                    .strip_prefix("(last day ")?
                    .strip_suffix(')')?
                    .parse()
                    .ok()?;
                VarValue::Limitation {
                    days: days.parse().ok()?,
                    last_day,
                }
            }
            Var::Holds => {
                if text == "none" {
                    VarValue::Holds(HoldSet::EMPTY)
                } else {
                    let mut set = HoldSet::EMPTY;
                    for name in text.split(',') {
                        set = set.with(Hold::parse(name.trim())?);
                    }
                    VarValue::Holds(set)
                }
            }
        })
    }
}

/// What a condition requires of its variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// One of the enum values whose bits are set (bit = position in the
    /// variable's list of names).
    OneOf(u32),
    /// An integer between `min` and `max`, both inclusive.
    Range {
        min: i64,
        max: i64,
    },
    Is(bool),
}

/// One condition of a step or an assignment rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub var: Var,
    pub test: Test,
}

impl Condition {
    pub(crate) fn holds(&self, vars: &Variables) -> bool {
        match (self.test, vars.value(self.var)) {
            (Test::OneOf(mask), Value::Code(c)) => mask & (1 << c) != 0,
            (Test::Range { min, max }, Value::Int(n)) => min <= n && n <= max,
            (Test::Is(want), Value::Bool(b)) => want == b,
            // Compilation pairs every test with a variable of its kind.
            _ => false,
        }
    }

    /// Compiles `name = value` from a strategy or assignment file. Enum
    /// variables take a name or a list of names; integers a number or
    /// `{ min = .., max = .. }` (inclusive, either may be left out); booleans
    /// `true` or `false`.
    pub(crate) fn compile(name: &str, value: &toml::Value) -> Result<Condition, String> {
        let var = Var::parse(name).ok_or_else(|| {
            format!(
                "unknown variable '{name}' (known: {})",
                Var::ALL
                    .iter()
                    .filter(|v| v.kind() != VarKind::Holds)
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let test = match var.kind() {
            VarKind::Holds => {
                return Err(
                    "holds cannot be tested: any hold stops the strategy by itself".to_owned(),
                );
            }
            VarKind::Enum(names) => {
                let one = |v: &toml::Value| -> Result<u32, String> {
                    let s = v
                        .as_str()
                        .ok_or_else(|| format!("expected a name, one of {}", names.join(", ")))?;
                    let pos = names.iter().position(|n| *n == s).ok_or_else(|| {
                        format!(
                            "'{s}' is not a value of {name} (one of {})",
                            names.join(", ")
                        )
                    })?;
                    Ok(1 << pos)
                };
                let mask = match value {
                    toml::Value::Array(items) if !items.is_empty() => {
                        items.iter().try_fold(0, |m, v| one(v).map(|b| m | b))?
                    }
                    toml::Value::Array(_) => return Err("an empty list matches nothing".into()),
                    v => one(v)?,
                };
                Test::OneOf(mask)
            }
            VarKind::Int => match value {
                toml::Value::Integer(n) => Test::Range { min: *n, max: *n },
                toml::Value::Table(t) => {
                    let mut min = i64::MIN;
                    let mut max = i64::MAX;
                    for (k, v) in t {
                        let n = v
                            .as_integer()
                            .ok_or_else(|| format!("{k} must be a whole number"))?;
                        match k.as_str() {
                            "min" => min = n,
                            "max" => max = n,
                            other => {
                                return Err(format!("unknown key '{other}' (use min and max)"));
                            }
                        }
                    }
                    if t.is_empty() {
                        return Err("give min, max or both".into());
                    }
                    if min > max {
                        return Err(format!("min {min} is larger than max {max}"));
                    }
                    Test::Range { min, max }
                }
                _ => {
                    return Err("expected a whole number or { min = .., max = .. }".to_owned());
                }
            },
            VarKind::Bool => Test::Is(
                value
                    .as_bool()
                    .ok_or_else(|| "expected true or false".to_owned())?,
            ),
        };
        Ok(Condition { var, test })
    }
}

impl std::fmt::Display for Condition {
    /// In the spelling of strategy files: `score_band in [A, B]`,
    /// `balance_cents >= 50000`, `phone_known = true`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.var.as_str();
        match (self.test, self.var.kind()) {
            (Test::OneOf(mask), VarKind::Enum(names)) => {
                let chosen: Vec<&str> = names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, n)| *n)
                    .collect();
                if chosen.len() == 1 {
                    write!(f, "{name} = {}", chosen[0])
                } else {
                    write!(f, "{name} in [{}]", chosen.join(", "))
                }
            }
            (Test::Range { min, max }, _) if min == max => write!(f, "{name} = {min}"),
            (Test::Range { min, max: i64::MAX }, _) => write!(f, "{name} >= {min}"),
            (Test::Range { min: i64::MIN, max }, _) => write!(f, "{name} <= {max}"),
            (Test::Range { min, max }, _) => write!(f, "{min} <= {name} <= {max}"),
            (Test::Is(b), _) => write!(f, "{name} = {b}"),
            (Test::OneOf(mask), _) => write!(f, "{name} in {mask:#b}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(name: &str, toml_value: &str) -> Result<Condition, String> {
        let t: toml::Table =
            toml::from_str(&format!("x = {toml_value}")).map_err(|e| e.to_string())?;
        Condition::compile(name, &t["x"])
    }

    #[test]
    fn conditions_compile_and_print() {
        let check = |name: &str, value: &str, expected: &str| {
            let c = compile(name, value).map(|c| c.to_string());
            assert_eq!(c.as_deref(), Ok(expected), "{name} = {value}");
        };
        check("score_band", r#"["A", "B"]"#, "score_band in [A, B]");
        check("address", r#""abroad""#, "address = abroad");
        check("balance_cents", "{ min = 50000 }", "balance_cents >= 50000");
        check("days_past_due", "{ max = 30 }", "days_past_due <= 30");
        check("steps_done", "{ min = 1, max = 3 }", "1 <= steps_done <= 3");
        check("steps_done", "0", "steps_done = 0");
        check("phone_known", "true", "phone_known = true");
    }

    #[test]
    fn bad_conditions_are_refused_with_a_reason() {
        let check = |name: &str, value: &str, needle: &str| {
            let e = compile(name, value).err().unwrap_or_default();
            assert!(e.contains(needle), "{name} = {value}: {e}");
        };
        check("colour", r#""red""#, "unknown variable 'colour'");
        check("score_band", r#""F""#, "'F' is not a value of score_band");
        check("score_band", "[]", "empty list");
        check("balance_cents", "{ min = 5, max = 1 }", "larger than max");
        check("balance_cents", "{ least = 5 }", "unknown key 'least'");
        check("balance_cents", r#""5""#, "whole number");
        check("phone_known", "1", "true or false");
        check("holds", r#""dispute""#, "cannot be tested");
    }
}
