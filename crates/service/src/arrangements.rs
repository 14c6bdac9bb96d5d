//! Payment arrangements (betalingsregelingen, R4): a debtor's proposal
//! checked against the client's rules, the schedule of an accepted one (its
//! total the statement of account's balance at acceptance) with the
//! `active_arrangement` hold, the daily monitoring (missed instalment:
//! reminder; past the grace: broken, the hold lifted so the strategy
//! resumes; everything paid: completed and the case closed as paid), and
//! the early-settlement quote.
//!
//! The monitoring reads the active arrangements a page at a time (a few
//! queries per 5,000 arrangements), never case by case: a day's cost grows
//! with the arrangements, not with the portfolio.

use std::collections::HashMap;

use jiff::ToSpan;
use kwijting_domain::{Actor, CaseId, ClientId, Date, Money};
use kwijting_law::statement::Statement;
use kwijting_store::{
    ArrangementRow, ArrangementRulesRow, ArrangementUpdate, CaseDetail, MandateRow, NewArrangement,
    NewDecision, WatchedArrangement,
};
use kwijting_strategy::arrangement::{
    ARRANGEMENT_RULES_VERSION, ArrangementAction, ArrangementInput as Input, ArrangementRules,
    DD_STATEMENT_LAG_DAYS, Proposal, Verdict, Watched, monitor, schedule,
};

use crate::{Access, Kwijting, ServiceError};

/// Active arrangements read and decided per page in the daily run.
pub const ARRANGEMENTS_PER_PAGE: u32 = 5_000;
/// The work item a missed instalment queues: a reminder letter.
pub const REMINDER_WORK: &str = "arrangement_reminder";
/// The data an arrangement touches.
const CATEGORIES: &[&str] = &["debt", "payment", "case_history"];

/// A proposal's outcome: accepted with its schedule, or rejected with why
/// (both are stored).
#[derive(Debug, Clone)]
pub enum ProposalOutcome {
    Accepted(Box<ArrangementView>),
    Rejected { id: i64, reason: String },
}

/// An arrangement with what has been paid on it.
#[derive(Debug, Clone)]
pub struct ArrangementView {
    pub case_number: String,
    pub arrangement: ArrangementRow,
    /// Received since the acceptance.
    pub paid: Money,
    /// What is left of the schedule's total.
    pub remaining: Money,
    /// The mandates linked to it.
    pub mandates: Vec<MandateRow>,
}

/// What settles a case today.
#[derive(Debug, Clone)]
pub struct SettlementQuote {
    pub case_number: String,
    pub as_of: Date,
    /// The statement of account's balance today (interest run on).
    pub statement_balance: Money,
    /// The active arrangement, if any: its total stands while it is kept.
    pub arrangement: Option<ArrangementView>,
    /// Paying this today settles the case (and completes the arrangement).
    pub settles_with: Money,
}

/// What a day's monitoring did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonitorSummary {
    pub watched: u64,
    pub reminders: u64,
    pub broken: u64,
    pub completed: u64,
    pub decisions: u64,
}

pub(crate) fn rules_from_row(r: Option<ArrangementRulesRow>) -> ArrangementRules {
    let d = ArrangementRules::default();
    let Some(r) = r else { return d };
    let days = |v: i64, default: u16| u16::try_from(v).unwrap_or(default);
    ArrangementRules {
        min_instalment: Money::from_cents(r.min_instalment_cents),
        max_term_months: days(r.max_term_months, d.max_term_months),
        grace_days: days(r.grace_days, d.grace_days),
        prenotification_days: days(r.prenotification_days, d.prenotification_days),
    }
}

/// Each client's rules, read once per run.
#[derive(Default)]
pub(crate) struct RulesCache(HashMap<ClientId, ArrangementRules>);

impl RulesCache {
    pub(crate) fn get(
        &mut self,
        svc: &Kwijting,
        client: ClientId,
    ) -> Result<ArrangementRules, ServiceError> {
        if let Some(r) = self.0.get(&client) {
            return Ok(*r);
        }
        let r = svc.rules_for(client)?;
        self.0.insert(client, r);
        Ok(r)
    }
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

/// The day by which an instalment's money should be in: reopened for a
/// transfer on a day, a retry or a submitted collection (plus the time the
/// credit takes to reach the statement), or its due date.
pub(crate) fn expected_by(i: &kwijting_store::InstalmentRow, by_direct_debit: bool) -> Date {
    let lag = if by_direct_debit {
        DD_STATEMENT_LAG_DAYS
    } else {
        0
    };
    if let Some(d) = i.reopened_on {
        return d;
    }
    if let Some(d) = i.retry_on {
        return add_days(d, lag);
    }
    match &i.collection {
        Some((d, state)) if state == "submitted" => add_days(*d, DD_STATEMENT_LAG_DAYS),
        _ => add_days(i.due_on, lag),
    }
}

/// The monitoring's view of an arrangement's instalments.
pub(crate) fn watched(w: &WatchedArrangement) -> Vec<Watched> {
    let dd = w.mandate.is_some();
    w.arrangement
        .schedule
        .iter()
        .map(|i| Watched {
            seq: u16::try_from(i.seq).unwrap_or(u16::MAX),
            expected_by: expected_by(i, dd),
            amount: Money::from_cents(i.amount_cents),
            reminded: i.reminded_on.is_some(),
        })
        .collect()
}

pub(crate) fn midnight(on: Date) -> Result<kwijting_store::Timestamp, ServiceError> {
    on.to_datetime(jiff::civil::Time::midnight())
        .in_tz("Europe/Amsterdam")
        .map(|z| z.timestamp())
        .map_err(|e| ServiceError::Invalid(format!("time zone: {e}")))
}

impl Kwijting {
    pub(crate) fn rules_for(&self, client: ClientId) -> Result<ArrangementRules, ServiceError> {
        Ok(rules_from_row(self.store.arrangement_rules(client)?))
    }

    /// A client's acceptance rules (the defaults when none are stored).
    pub fn arrangement_rules(
        &self,
        actor: &Actor,
        client_ref: &str,
    ) -> Result<ArrangementRules, ServiceError> {
        let client = self.client(actor, client_ref)?;
        self.rules_for(client.id)
    }

    /// Stores a client's acceptance rules.
    pub fn set_arrangement_rules(
        &self,
        actor: &Actor,
        client_ref: &str,
        rules: &ArrangementRules,
    ) -> Result<(), ServiceError> {
        let client = self.client(actor, client_ref)?;
        self.door().check(
            actor,
            Some(client.id),
            &[],
            Access::Write,
            "client settings",
        )?;
        if rules.min_instalment.cents() <= 0 || rules.max_term_months == 0 {
            return Err(ServiceError::Invalid(
                "the minimum instalment and the maximum term must be positive".into(),
            ));
        }
        self.store.set_arrangement_rules(
            client.id,
            &ArrangementRulesRow {
                min_instalment_cents: rules.min_instalment.cents(),
                max_term_months: i64::from(rules.max_term_months),
                grace_days: i64::from(rules.grace_days),
                prenotification_days: i64::from(rules.prenotification_days),
            },
        )?;
        Ok(())
    }

    /// The case, checked for reading or changing these categories of its
    /// data.
    pub(crate) fn checked_case(
        &self,
        actor: &Actor,
        number: &str,
        categories: &[&str],
        access: Access,
        what: &str,
    ) -> Result<CaseDetail, ServiceError> {
        let file = self.case_file(actor, number)?;
        self.door().check(
            actor,
            Some(file.summary.client_id),
            categories,
            access,
            what,
        )?;
        Ok(file)
    }

    fn arrangement_case(
        &self,
        actor: &Actor,
        number: &str,
        access: Access,
    ) -> Result<CaseDetail, ServiceError> {
        self.checked_case(actor, number, CATEGORIES, access, "payment arrangements")
    }

    /// The law engine's statement of account of a case on `as_of`: its
    /// claims, the 14-day letter and the costs as the collection steps
    /// carried out say, and the payments booked on it.
    pub fn statement_of_account(
        &self,
        actor: &Actor,
        number: &str,
        as_of: Date,
    ) -> Result<Statement, ServiceError> {
        let file = self.arrangement_case(actor, number, Access::Read)?;
        self.case_statement(&file, as_of)
    }

    /// One definition of a case's statement of account: the ledger's
    /// (`settle::CaseBook`), with the payments allocated to the case.
    pub(crate) fn case_statement(
        &self,
        file: &CaseDetail,
        as_of: Date,
    ) -> Result<Statement, ServiceError> {
        let case = file.summary.id;
        let book = self.open_book(&[case], &[])?;
        let law = book
            .cases
            .get(&case)
            .ok_or_else(|| ServiceError::UnknownCase(file.summary.number.clone()))?;
        law.statement(&self.netherlands()?, as_of, None)
            .map_err(|e| {
                ServiceError::Invalid(format!(
                    "case {}: no statement of account: {e}",
                    file.summary.number
                ))
            })
    }

    fn receipts_total(&self, case: CaseId) -> Result<i64, ServiceError> {
        Ok(self
            .store
            .case_receipts(case)?
            .iter()
            .map(|(_, c)| *c)
            .sum())
    }

    fn view(
        &self,
        number: &str,
        a: ArrangementRow,
        receipts: i64,
        mandates: &[MandateRow],
    ) -> ArrangementView {
        let paid = if a.status == "rejected" {
            0
        } else {
            (receipts - a.receipts_before_cents).max(0)
        };
        ArrangementView {
            case_number: number.to_owned(),
            paid: Money::from_cents(paid),
            remaining: Money::from_cents((a.total_cents - paid).max(0)),
            mandates: mandates
                .iter()
                .filter(|m| m.arrangement == Some(a.id))
                .cloned()
                .collect(),
            arrangement: a,
        }
    }

    /// Decides a debtor's proposal today: checked against the client's
    /// rules with the statement of account's balance as the total. An
    /// accepted one gets its schedule and holds the strategy; a rejected one
    /// is stored with its reason.
    pub fn propose_arrangement(
        &self,
        actor: &Actor,
        number: &str,
        proposal: &Proposal,
    ) -> Result<ProposalOutcome, ServiceError> {
        let file = self.arrangement_case(actor, number, Access::Write)?;
        if !file.summary.status.is_open() {
            return Err(ServiceError::Invalid(format!(
                "case {number} is {}: no arrangement on a closed case",
                file.summary.status
            )));
        }
        let case = file.summary.id;
        if self
            .store
            .arrangements_for_case(case)?
            .iter()
            .any(|a| a.status == "active")
        {
            return Err(ServiceError::Conflict {
                what: "active arrangement for case",
                key: number.to_owned(),
            });
        }
        let today = self.clock().today();
        let owed = self.case_statement(&file, today)?.balance;
        let rules = self.rules_for(file.summary.client_id)?;
        let outcome = schedule(proposal, owed, &rules, today);
        let mut new = NewArrangement {
            case,
            status: String::new(),
            frequency: proposal.frequency.as_str().to_owned(),
            instalments: i64::from(proposal.instalments),
            instalment_cents: proposal.amount.cents(),
            first_due_on: proposal.first_on,
            total_cents: owed.cents(),
            receipts_before_cents: self.receipts_total(case)?,
            decided_on: today,
            rules: rules.describe(),
            reason: None,
            created_by: actor.name(),
            schedule: Vec::new(),
        };
        match outcome {
            Ok(s) => {
                new.status = "active".into();
                new.schedule = s
                    .iter()
                    .map(|i| (i64::from(i.seq), i.due_on, i.amount.cents()))
                    .collect();
                self.store.insert_arrangement(&new)?;
                let a = self
                    .store
                    .arrangements_for_case(case)?
                    .into_iter()
                    .find(|a| a.status == "active")
                    .ok_or_else(|| {
                        ServiceError::Invalid("the accepted arrangement was not stored".into())
                    })?;
                let receipts = new.receipts_before_cents;
                Ok(ProposalOutcome::Accepted(Box::new(self.view(
                    number,
                    a,
                    receipts,
                    &[],
                ))))
            }
            Err(rejection) => {
                let reason = rejection.to_string();
                new.status = "rejected".into();
                new.reason = Some(reason.clone());
                let id = self.store.insert_arrangement(&new)?;
                Ok(ProposalOutcome::Rejected { id, reason })
            }
        }
    }

    /// A case's arrangements, newest first, with what was paid on each.
    pub fn arrangements(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<Vec<ArrangementView>, ServiceError> {
        // The views carry the mandates: the debtor's name and IBAN too.
        let file = self.checked_case(
            actor,
            number,
            &[
                "debt",
                "payment",
                "case_history",
                "bank_account",
                "identity",
            ],
            Access::Read,
            "payment arrangements",
        )?;
        let case = file.summary.id;
        let receipts = self.receipts_total(case)?;
        let mandates = self.store.mandates_for_case(case)?;
        Ok(self
            .store
            .arrangements_for_case(case)?
            .into_iter()
            .map(|a| self.view(number, a, receipts, &mandates))
            .collect())
    }

    /// What settles the case today: under an active arrangement what is
    /// left of its total (the arrangement completes when it is in),
    /// otherwise the statement of account's balance.
    pub fn settlement_quote(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<SettlementQuote, ServiceError> {
        let file = self.arrangement_case(actor, number, Access::Read)?;
        let today = self.clock().today();
        let statement_balance = self.case_statement(&file, today)?.balance;
        let arrangement = self
            .arrangements(actor, number)?
            .into_iter()
            .find(|v| v.arrangement.status == "active");
        let settles_with = arrangement
            .as_ref()
            .map(|v| v.remaining)
            .unwrap_or(statement_balance);
        Ok(SettlementQuote {
            case_number: number.to_owned(),
            as_of: today,
            statement_balance,
            arrangement,
            settles_with,
        })
    }

    /// Every active arrangement, a page at a time, in id order.
    pub(crate) fn watched_pages(
        &self,
        f: &mut dyn FnMut(&[WatchedArrangement]) -> Result<(), ServiceError>,
    ) -> Result<(), ServiceError> {
        let mut after = 0;
        loop {
            let page = self
                .store
                .watched_arrangements(after, ARRANGEMENTS_PER_PAGE)?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.arrangement.id;
            f(&page)?;
        }
    }

    /// The daily monitoring of every active arrangement on `as_of` (called
    /// by the daily run after the strategy's chunks, so a broken
    /// arrangement's case is taken up by the strategy from the next day).
    /// Idempotent per day: a reminder goes out once per instalment, an
    /// ended arrangement is no longer watched.
    pub(crate) fn monitor_arrangements(&self, as_of: Date) -> Result<MonitorSummary, ServiceError> {
        let mut summary = MonitorSummary::default();
        let mut rules = RulesCache::default();
        let due = midnight(as_of)?;
        self.watched_pages(&mut |page| {
            let mut updates = Vec::new();
            for w in page {
                summary.watched += 1;
                let r = rules.get(self, w.client)?;
                if let Some(u) = decide(w, &r, as_of, due, &mut summary) {
                    updates.push(u);
                }
            }
            summary.decisions += self.store.apply_arrangement_updates(as_of, &updates)?;
            Ok(())
        })?;
        Ok(summary)
    }
}

/// One arrangement's day: instalment states, and the decision when one is
/// due. `None` when nothing changes.
fn decide(
    w: &WatchedArrangement,
    rules: &ArrangementRules,
    as_of: Date,
    due: kwijting_store::Timestamp,
    summary: &mut MonitorSummary,
) -> Option<ArrangementUpdate> {
    let a = &w.arrangement;
    let paid = w.receipts_cents - a.receipts_before_cents;
    let instalments = watched(w);
    let check = monitor(
        &instalments,
        Money::from_cents(paid),
        as_of,
        rules.grace_days,
    );
    let states: Vec<(i64, String)> = a
        .schedule
        .iter()
        .enumerate()
        .filter_map(|(k, i)| {
            let want = if k < check.covered { "paid" } else { "open" };
            (i.state != want).then(|| (i.id, want.to_owned()))
        })
        .collect();
    let due_so_far: i64 = instalments
        .iter()
        .filter(|i| i.expected_by < as_of)
        .map(|i| i.amount.cents())
        .sum();
    let mut inputs = vec![
        Input::Arrangement.line(a.id),
        Input::AsOf.line(as_of),
        Input::TotalCents.line(a.total_cents),
        Input::PaidSinceAcceptanceCents.line(paid),
        Input::DueSoFarCents.line(due_so_far),
        Input::GraceDays.line(rules.grace_days),
        Input::ByDirectDebit.line(w.mandate.is_some()),
    ];
    let decision = |action: &str, inputs: Vec<String>, work: Option<&str>| NewDecision {
        case: a.case,
        strategy_id: "arrangement".into(),
        strategy_version: i64::from(ARRANGEMENT_RULES_VERSION),
        rule: check.verdict.rule().into(),
        action: action.into(),
        inputs: inputs.join("\n"),
        needs_review: false,
        work: work.map(|k| (k.to_owned(), due)),
    };
    let mut u = ArrangementUpdate {
        arrangement: a.id,
        case: a.case,
        states,
        reminded: None,
        end: None,
        close_case: false,
        decision: None,
    };
    match check.verdict {
        Verdict::Kept => {}
        Verdict::Remind {
            seq,
            expected_by,
            grace_until,
        } => {
            summary.reminders += 1;
            inputs.push(Input::Instalment.line(seq));
            inputs.push(Input::ExpectedBy.line(expected_by));
            inputs.push(Input::GraceUntil.line(grace_until));
            u.reminded = a
                .schedule
                .iter()
                .find(|i| i.seq == i64::from(seq))
                .map(|i| i.id);
            u.decision = Some(decision(
                ArrangementAction::Reminder.as_str(),
                inputs,
                Some(REMINDER_WORK),
            ));
        }
        Verdict::Broken {
            seq,
            expected_by,
            grace_until,
        } => {
            summary.broken += 1;
            inputs.push(Input::Instalment.line(seq));
            inputs.push(Input::ExpectedBy.line(expected_by));
            inputs.push(Input::GraceUntil.line(grace_until));
            u.end = Some((
                "broken".into(),
                format!(
                    "instalment {seq}, expected by {expected_by}, was not paid by the end of the grace period on {grace_until}"
                ),
            ));
            u.decision = Some(decision(ArrangementAction::Broken.as_str(), inputs, None));
        }
        Verdict::Completed => {
            summary.completed += 1;
            u.end = Some(("completed".into(), "paid in full".into()));
            u.close_case = true;
            u.decision = Some(decision(
                ArrangementAction::Completed.as_str(),
                inputs,
                None,
            ));
        }
    }
    (!u.states.is_empty() || u.decision.is_some()).then_some(u)
}
