//! The decision: which step of a strategy applies to a case today, after the
//! holds and the compliance guards.

use std::sync::Arc;

use jiff::civil::{DateTime, Time};
use kwijting_domain::{Date, DebtorType, Money};
use kwijting_law::calendar::{add_days, check_range, day_number};
use kwijting_law::nl::holidays::Holidays;

use crate::StrategyError;
use crate::action::{Action, LegalRoute};
use crate::contact::{CONTACT_FROM_HOUR, next_contact_slot};
use crate::facts::{CaseFacts, HoldSet};
use crate::strategy::{Otherwise, Strategy, StrategyKey};
use crate::vars::{Condition, LetterState, Var, VarSet, Variables};

/// What a client has agreed with the agency about legal steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSettings {
    /// A person reviews every legal step for business debtors too. For
    /// consumers a person always reviews a legal step (GDPR art. 22 protects
    /// natural persons), whatever this says. Sole traders are natural
    /// persons: turn this off only for portfolios of legal entities.
    pub review_all_legal_steps: bool,
    /// The client lets the agency take legal steps at all.
    pub legal_action_allowed: bool,
    /// The smallest balance for which the agency takes legal steps. Below
    /// it a summons warning would be an empty threat (Wkid) and is skipped.
    pub legal_action_min_balance: Money,
    /// The agency is the client's processor (R1): only what the purpose
    /// `receivables_management` lists (reminders, customer service, payment
    /// processing, handing the case back) may happen; no 14-day letter,
    /// costs, provider checks or legal steps.
    pub processor: bool,
}

impl Default for ClientSettings {
    /// Review on, legal steps allowed from EUR 250.00 (the default until a
    /// client sets its own threshold).
    fn default() -> ClientSettings {
        ClientSettings {
            review_all_legal_steps: true,
            legal_action_allowed: true,
            legal_action_min_balance: Money::from_cents(25_000),
            processor: false,
        }
    }
}

/// A step of the strategy, as named in a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    /// Position in the strategy, 0 = the first step.
    pub index: u16,
    pub id: Arc<str>,
    pub wait_days: u16,
    pub action: Action,
    /// The step's conditions, as written.
    pub conditions: Arc<[Condition]>,
}

/// Why a step was passed over today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The first condition of the step that did not hold.
    ConditionNotMet(Condition),
    /// Guard: the 14-day letter is for consumers only (art. 6:96(6) BW).
    LetterOnlyForConsumers,
    /// Guard: a 14-day letter was already sent.
    LetterAlreadySent,
    /// Guard (Wkid, no empty threats): the agency will not take legal steps
    /// for this case, so it does not announce or propose them.
    NoLegalStepsForClaim {
        legal_action_allowed: bool,
        min_balance: Money,
    },
    /// Guard: a bailiff can only enforce a judgment, and there is none.
    NoJudgment,
    /// Guard (R1): the agency is the client's processor, and the purpose
    /// receivables management does not list this action.
    OutsideProcessorMandate,
}

/// A step passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub step: StepRef,
    pub reason: SkipReason,
}

/// Why nothing happens today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// The step's waiting period has not passed.
    WaitingPeriod,
    /// Guard: costs may not be demanded from a consumer before the 14-day
    /// term has passed (art. 6:96(6) BW).
    FourteenDayTerm { sent_on: Date, costs_from: Date },
    /// The step waits for its conditions (`otherwise = "wait"`).
    ConditionNotMet(Condition),
    /// Guard: the debtor is not in default (verzuim) before the day after
    /// the payment deadline (art. 6:81, 6:83(a) BW): no demand, letter,
    /// costs or legal step before `in_default_from`.
    NotInDefault { in_default_from: Date },
}

/// A guard refused the step and no later step may pass it: a person must
/// look at the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Costs demanded from a consumer without a 14-day letter: they would
    /// never be owed (art. 6:96(6) BW).
    CostsWithoutFourteenDayLetter,
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Carry out the step's action.
    Act(Action),
    /// Nothing today; look again on `until`.
    Wait {
        until: Date,
        reason: WaitReason,
    },
    /// Holds stop or pause collection; the strategy is not consulted.
    Held(HoldSet),
    Blocked(Blocked),
    /// Every step is done or passed over.
    Finished,
    /// The balance is zero or less: nothing to collect.
    NothingOwed,
}

/// A decision with everything needed to explain it (R9, R39).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub strategy: StrategyKey,
    pub as_of: Date,
    pub outcome: Outcome,
    /// The step that fired, is waited for or was blocked.
    pub step: Option<StepRef>,
    /// Steps passed over today, in order.
    pub skipped: Vec<Skip>,
    /// The values of all variables on `as_of`.
    pub variables: Variables,
    /// The variables the decision consulted.
    pub used: VarSet,
    /// A person must look before anything is carried out: a legal step
    /// (GDPR art. 22), or a step a guard blocked.
    pub needs_review: bool,
    /// For an action that contacts the debtor: the first moment the Wkid
    /// contact hours allow it (07:00 on `as_of`, or the next open day).
    pub contact_from: Option<DateTime>,
}

impl Decision {
    /// The action to carry out, if any.
    pub fn action(&self) -> Option<Action> {
        match self.outcome {
            Outcome::Act(a) => Some(a),
            _ => None,
        }
    }

    /// The decision has legal effect: it proposes a legal step.
    pub fn has_legal_effect(&self) -> bool {
        self.action().is_some_and(Action::is_legal_step)
    }

    /// The variables the decision used, name and value as text, in a fixed
    /// order.
    pub fn variables_used(&self) -> Vec<(&'static str, String)> {
        self.used
            .iter()
            .map(|v| (v.as_str(), self.variables.text(v)))
            .collect()
    }
}

struct Trail {
    used: VarSet,
    skipped: Vec<Skip>,
}

/// Decides what happens to a case on `as_of` under `strategy`.
///
/// In order: the holds (any hold gives [`Outcome::Held`], the strategy is
/// not consulted); nothing owed; then the steps after the last one carried
/// out, each after its waiting period, its conditions and the guards. Pure:
/// the same facts, strategy, date, holidays and settings always give the
/// same decision.
///
/// Fails only on dates outside 1900..2199, or on a 14-day letter sent (or a
/// contact action decided) before 2014, the first year whose public
/// holidays the law crate knows; it refuses rather than guesses.
pub fn decide(
    facts: &CaseFacts,
    strategy: &Strategy,
    as_of: Date,
    holidays: &Holidays,
    settings: &ClientSettings,
) -> Result<Decision, StrategyError> {
    check_range(as_of)?;
    check_range(facts.received_on)?;
    let variables = Variables::compute(facts, as_of, holidays)?;
    let mut trail = Trail {
        used: VarSet::EMPTY,
        skipped: Vec::new(),
    };
    for v in [
        Var::Holds,
        Var::Dispute,
        Var::Arrangement,
        Var::DaysToLimitation,
    ] {
        trail.used.insert(v);
    }
    let decision = |trail: Trail, outcome: Outcome, step: Option<StepRef>| Decision {
        strategy: strategy.key().clone(),
        as_of,
        outcome,
        step,
        skipped: trail.skipped,
        variables,
        used: trail.used,
        needs_review: false,
        contact_from: None,
    };

    if !variables.holds.is_empty() {
        return Ok(decision(trail, Outcome::Held(variables.holds), None));
    }
    trail.used.insert(Var::BalanceCents);
    if variables.balance.cents() <= 0 {
        return Ok(decision(trail, Outcome::NothingOwed, None));
    }

    let (start, anchor) = match facts.last_step {
        Some(done) => (usize::from(done.index) + 1, check_range(done.on)?),
        None => (0, facts.received_on),
    };
    let today = day_number(as_of);
    let anchor_day = day_number(anchor);
    let steps = strategy.steps();
    for (index, step) in steps.iter().enumerate().skip(start) {
        let step_ref = || StepRef {
            // At most STEPS_MAX steps: the index fits.
            index: index as u16,
            id: step.id_arc().clone(),
            wait_days: step.wait_days(),
            action: step.action(),
            conditions: step.conditions_arc().clone(),
        };
        let due_day = anchor_day + i32::from(step.wait_days());
        if today < due_day {
            let until = add_days(anchor, i32::from(step.wait_days()));
            let outcome = Outcome::Wait {
                until,
                reason: WaitReason::WaitingPeriod,
            };
            return Ok(decision(trail, outcome, Some(step_ref())));
        }
        if let Some(failed) = first_failing(step.conditions(), &variables, &mut trail.used) {
            match step.otherwise() {
                Otherwise::Skip => {
                    trail.skipped.push(Skip {
                        step: step_ref(),
                        reason: SkipReason::ConditionNotMet(failed),
                    });
                    continue;
                }
                Otherwise::Wait => {
                    let outcome = Outcome::Wait {
                        until: add_days(as_of, 1),
                        reason: WaitReason::ConditionNotMet(failed),
                    };
                    return Ok(decision(trail, outcome, Some(step_ref())));
                }
            }
        }
        match guard(step.action(), &variables, settings, as_of, &mut trail.used) {
            Guarded::Go => {}
            Guarded::Skip(reason) => {
                trail.skipped.push(Skip {
                    step: step_ref(),
                    reason,
                });
                continue;
            }
            Guarded::Wait(until, reason) => {
                let outcome = Outcome::Wait { until, reason };
                return Ok(decision(trail, outcome, Some(step_ref())));
            }
            Guarded::Block(why) => {
                let mut d = decision(trail, Outcome::Blocked(why), Some(step_ref()));
                d.needs_review = true;
                return Ok(d);
            }
        }
        let action = step.action();
        let mut d = decision(trail, Outcome::Act(action), Some(step_ref()));
        if action.is_legal_step() {
            d.used.insert(Var::DebtorType);
            d.needs_review =
                variables.debtor_type == DebtorType::Consumer || settings.review_all_legal_steps;
        }
        if action.is_contact() {
            let opening = as_of.to_datetime(Time::constant(CONTACT_FROM_HOUR, 0, 0, 0));
            d.contact_from = Some(next_contact_slot(opening, holidays)?);
        }
        return Ok(d);
    }
    Ok(decision(trail, Outcome::Finished, None))
}

fn first_failing(
    conditions: &[Condition],
    variables: &Variables,
    used: &mut VarSet,
) -> Option<Condition> {
    for c in conditions {
        used.insert(c.var);
        if !c.holds(variables) {
            return Some(*c);
        }
    }
    None
}

enum Guarded {
    Go,
    Skip(SkipReason),
    Wait(Date, WaitReason),
    Block(Blocked),
}

/// The compliance guards of an action. A guard never makes a step happen;
/// it only skips, defers or blocks it.
fn guard(
    action: Action,
    vars: &Variables,
    settings: &ClientSettings,
    as_of: Date,
    used: &mut VarSet,
) -> Guarded {
    let consumer = vars.debtor_type == DebtorType::Consumer;
    if settings.processor && !action.within_receivables_management() {
        return Guarded::Skip(SkipReason::OutsideProcessorMandate);
    }
    if action.is_contact() || action.demands_costs() || action.announces_or_takes_legal_steps() {
        used.insert(Var::DaysPastDue);
        if vars.days_past_due < 1 {
            // In default from the day after the deadline: 1 - days past due
            // days from today.
            let in_default_from = add_days(as_of, 1 - vars.days_past_due);
            return Guarded::Wait(
                in_default_from,
                WaitReason::NotInDefault { in_default_from },
            );
        }
    }
    if action == Action::FourteenDayLetter {
        used.insert(Var::DebtorType);
        if !consumer {
            return Guarded::Skip(SkipReason::LetterOnlyForConsumers);
        }
        used.insert(Var::Letter);
        if vars.letter != LetterState::NotSent {
            return Guarded::Skip(SkipReason::LetterAlreadySent);
        }
    }
    if action.announces_or_takes_legal_steps() {
        used.insert(Var::BalanceCents);
        if !settings.legal_action_allowed || vars.balance < settings.legal_action_min_balance {
            return Guarded::Skip(SkipReason::NoLegalStepsForClaim {
                legal_action_allowed: settings.legal_action_allowed,
                min_balance: settings.legal_action_min_balance,
            });
        }
    }
    if action == Action::ProposeLegalAction(LegalRoute::Bailiff) {
        used.insert(Var::Judgment);
        if !vars.judgment {
            return Guarded::Skip(SkipReason::NoJudgment);
        }
    }
    if action.demands_costs() {
        used.insert(Var::DebtorType);
        if consumer {
            used.insert(Var::Letter);
            match vars.letter {
                LetterState::NotSent => {
                    return Guarded::Block(Blocked::CostsWithoutFourteenDayLetter);
                }
                LetterState::TermRunning {
                    sent_on,
                    costs_from,
                } => {
                    return Guarded::Wait(
                        costs_from,
                        WaitReason::FourteenDayTerm {
                            sent_on,
                            costs_from,
                        },
                    );
                }
                LetterState::TermPassed { .. } => {}
            }
        }
    }
    Guarded::Go
}
