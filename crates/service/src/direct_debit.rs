//! SEPA direct debit for arrangements: mandates (with their amendments,
//! reported to the bank with the next collection), the pain.008 file of a
//! collection date, and what a returned collection does.
//!
//! The file for a date is written once: its collections are stored when it
//! is first written, and a second run for the same date writes the same
//! file from them, submitting nothing again. Each collection carries the
//! case's betalingskenmerk as structured remittance, so its credit on the
//! statement matches the case like any transfer, and an end-to-end id
//! `CASE-INSTALMENT-ATTEMPT` by which a return finds its instalment.
//!
//! Timing (EPC SDD Core rulebook; `sepa.md` names the formats, not the
//! dates): the file reaches the bank at least one TARGET2 business day
//! before the collection date (D-1, FRST and RCUR alike since 2016), the
//! collection date is a TARGET2 business day, and the debtor was told the
//! date and amount `prenotification_days` (14 unless agreed) before: the
//! schedule sent at acceptance, or the notice of a retry.

use std::collections::HashSet;

use jiff::ToSpan;
use kwijting_bank::{
    Account, Bic, CreditorId, DirectDebit, DirectDebitBatch, EndToEndId, LocalInstrument, Mandate,
    MandateAmendment, MandateId, MessageId, Pain008Version, Party, RefIssuer, Remittance,
    ReturnConsequence, ReturnReason, SequenceType, StructuredRef, write_pain008_file,
};
use kwijting_domain::{Actor, Date, Iban, Money};
use kwijting_store::{
    DdBatchRow, DdCollectionRow, MandateRow, NewDecision, NewMandate, ReturnUpdate,
};
use kwijting_strategy::arrangement::{
    ARRANGEMENT_RULES_VERSION, ArrangementAction, ArrangementInput as Input,
};

use crate::arrangements::{RulesCache, midnight};
use crate::{Access, Kwijting, ServiceError};

/// Submission lead time: TARGET2 business days between the day the file is
/// written and the collection date.
pub const DD_LEAD_TARGET_DAYS: u32 = 1;
/// Direct-debit attempts of one instalment at most: the first and one
/// retry after insufficient funds.
pub const DD_ATTEMPTS_MAX: i64 = 2;
/// The letter a return queues: the debtor is told of the retry (its
/// pre-notification) or asked to pay by transfer.
pub const RETURN_NOTICE_WORK: &str = "dd_return_notice";
/// The data a mandate and a collection hold.
const MANDATE_DATA: &[&str] = &["bank_account", "identity", "payment"];

/// The agency as creditor of its direct debits.
#[derive(Debug, Clone)]
pub struct Creditor {
    pub name: String,
    pub iban: Iban,
    pub bic: Option<Bic>,
    pub id: CreditorId,
}

/// A pain.008 file for a collection date.
#[derive(Debug, Clone)]
pub struct DirectDebitFile {
    pub collection_date: Date,
    /// `None` when nothing is due on the date (no file is written then).
    pub xml: Option<String>,
    pub transactions: u64,
    pub total: Money,
    /// `false` when the file had been written before and is written again
    /// from what was stored.
    pub new: bool,
    /// Instalments due but not collected on the date, with why.
    pub skipped: Vec<(String, String)>,
}

/// What a return did to its instalment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnOutcome {
    pub end_to_end_id: String,
    pub case_number: String,
    pub instalment: i64,
    /// `dd_retry`, `dd_reopen`, `mandate_stopped` or `dd_return_review`.
    pub action: String,
    pub retry_on: Option<Date>,
}

/// TARGET2 is closed on weekends, New Year's Day, Good Friday, Easter
/// Monday, 1 May and 25 and 26 December.
pub fn is_target_day(d: Date) -> bool {
    use jiff::civil::Weekday;
    if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        return false;
    }
    if matches!((d.month(), d.day()), (1, 1) | (5, 1) | (12, 25) | (12, 26)) {
        return false;
    }
    let easter = kwijting_law::nl::holidays::easter_sunday(d.year());
    let good_friday = easter.checked_sub(2.days()).ok();
    let easter_monday = easter.checked_add(1.days()).ok();
    Some(d) != good_friday && Some(d) != easter_monday
}

/// The TARGET2 business day `n` business days before `d`.
fn target_days_before(d: Date, n: u32) -> Date {
    let mut day = d;
    let mut left = n;
    while left > 0 {
        match day.yesterday() {
            Ok(y) => day = y,
            Err(_) => return day,
        }
        if is_target_day(day) {
            left -= 1;
        }
    }
    day
}

/// The bank code of an IBAN (characters 5 to 8 for NL): a change of it is
/// a change of the debtor's bank (`SMNDA`).
fn bank_code(iban: &str) -> &str {
    iban.get(4..8).unwrap_or("")
}

/// A debtor's name as a bank takes it: 1 to 70 characters that have a SEPA
/// spelling (accents are dropped when the file is written).
fn sepa_name(name: &str) -> Result<&str, ServiceError> {
    let name = name.trim();
    let sepa = kwijting_bank::to_sepa_text(name).map_err(|c| {
        ServiceError::Invalid(format!(
            "the debtor's name '{name}' has '{c}', which has no spelling in the SEPA character set"
        ))
    })?;
    if sepa.is_empty() || sepa.chars().count() > 70 {
        return Err(ServiceError::Invalid(format!(
            "the debtor's name '{name}' must have 1 to 70 characters"
        )));
    }
    Ok(name)
}

fn invalid(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

impl Kwijting {
    /// Records a mandate the debtor signed, linked to the case's active
    /// arrangement: its instalments are collected by direct debit from then
    /// on.
    pub fn add_mandate(
        &self,
        actor: &Actor,
        number: &str,
        reference: &str,
        debtor_name: &str,
        debtor_iban: &str,
        signed_on: Date,
    ) -> Result<MandateRow, ServiceError> {
        let file = self.checked_case(actor, number, MANDATE_DATA, Access::Write, "mandates")?;
        let reference = MandateId::parse(reference.trim()).map_err(invalid)?;
        let iban = Iban::parse(debtor_iban)
            .map_err(|e| ServiceError::Invalid(format!("debtor IBAN '{debtor_iban}': {e}")))?;
        let name = sepa_name(debtor_name)?;
        if signed_on > self.clock().today() {
            return Err(ServiceError::Invalid(format!(
                "the date of signature {signed_on} lies in the future"
            )));
        }
        let case = file.summary.id;
        let arrangement = self
            .store
            .arrangements_for_case(case)?
            .into_iter()
            .find(|a| a.status == "active")
            .ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "case {number} has no active arrangement to collect by direct debit"
                ))
            })?;
        if self
            .store
            .mandates_for_case(case)?
            .iter()
            .any(|m| m.status == "active" && m.arrangement == Some(arrangement.id))
        {
            return Err(ServiceError::Conflict {
                what: "active mandate for the arrangement of case",
                key: number.to_owned(),
            });
        }
        self.store.insert_mandate(&NewMandate {
            reference: reference.as_str().to_owned(),
            case,
            arrangement: Some(arrangement.id),
            debtor_name: name.to_owned(),
            debtor_iban: iban.as_str().to_owned(),
            signed_on,
            created_by: actor.name(),
        })?;
        self.store
            .mandate_by_reference(reference.as_str())?
            .ok_or_else(|| ServiceError::Invalid("the mandate was not stored".into()))
    }

    /// Records an amendment of a mandate (new reference, IBAN or name): the
    /// next collection tells the bank (amendment indicator with the
    /// original values; a new bank as `SMNDA`, collected as FRST).
    pub fn amend_mandate(
        &self,
        actor: &Actor,
        reference: &str,
        new_reference: Option<&str>,
        new_iban: Option<&str>,
        new_name: Option<&str>,
        on: Date,
    ) -> Result<MandateRow, ServiceError> {
        let m = self
            .store
            .mandate_by_reference(reference)?
            .ok_or_else(|| ServiceError::Invalid(format!("no mandate '{reference}'")))?;
        let detail = self
            .store
            .case_by_number(&kwijting_store::case_number(m.case)?)?
            .ok_or_else(|| ServiceError::UnknownCase(m.case.to_string()))?;
        self.door().check(
            actor,
            Some(detail.summary.client_id),
            MANDATE_DATA,
            Access::Write,
            "mandates",
        )?;
        let mut changes = Vec::new();
        if let Some(r) = new_reference {
            let r = MandateId::parse(r.trim()).map_err(invalid)?;
            if r.as_str() != m.reference {
                changes.push((
                    "reference".into(),
                    m.reference.clone(),
                    r.as_str().to_owned(),
                ));
            }
        }
        if let Some(i) = new_iban {
            let i = Iban::parse(i)
                .map_err(|e| ServiceError::Invalid(format!("debtor IBAN '{i}': {e}")))?;
            if i.as_str() != m.debtor_iban {
                changes.push((
                    "debtor_iban".into(),
                    m.debtor_iban.clone(),
                    i.as_str().to_owned(),
                ));
            }
        }
        if let Some(n) = new_name.map(str::trim).filter(|n| !n.is_empty())
            && n != m.debtor_name
        {
            let n = sepa_name(n)?;
            changes.push(("debtor_name".into(), m.debtor_name.clone(), n.to_owned()));
        }
        if changes.is_empty() {
            return Err(ServiceError::Invalid(
                "nothing to amend: give a new reference, IBAN or name that differs".into(),
            ));
        }
        if m.status != "active" {
            return Err(ServiceError::Invalid(format!(
                "mandate '{reference}' is {}",
                m.status
            )));
        }
        self.store
            .amend_mandate(m.id, m.case, &changes, on, &actor.name())?;
        let now = changes
            .iter()
            .find(|c| c.0 == "reference")
            .map(|c| c.2.clone())
            .unwrap_or(m.reference);
        self.store
            .mandate_by_reference(&now)?
            .ok_or_else(|| ServiceError::Invalid("the mandate was not stored".into()))
    }

    /// The mandates of a case.
    pub fn mandates(&self, actor: &Actor, number: &str) -> Result<Vec<MandateRow>, ServiceError> {
        let file = self.checked_case(actor, number, MANDATE_DATA, Access::Read, "mandates")?;
        Ok(self.store.mandates_for_case(file.summary.id)?)
    }

    /// The pain.008 file for the instalments to collect on `on`. Written
    /// the first time (the collections stored, the instalments marked
    /// submitted); every later call for the date gives the same file.
    pub fn direct_debit_file(
        &self,
        actor: &Actor,
        on: Date,
        version: Pain008Version,
        creditor: Option<&Creditor>,
    ) -> Result<DirectDebitFile, ServiceError> {
        self.door()
            .check(actor, None, MANDATE_DATA, Access::Write, "direct debits")?;
        if let Some((batch, collections)) = self.store.dd_batch(on)? {
            return render(&batch, &collections, version, false, Vec::new());
        }
        let Some(creditor) = creditor else {
            return Err(ServiceError::Invalid(
                "the creditor (name, IBAN, creditor id) is needed to write a new direct-debit file"
                    .into(),
            ));
        };
        if !is_target_day(on) {
            return Err(ServiceError::Invalid(format!(
                "{on} is not a TARGET2 business day: no collection can be requested on it"
            )));
        }
        let today = self.clock().today();
        let submit_by = target_days_before(on, DD_LEAD_TARGET_DAYS);
        if today > submit_by {
            return Err(ServiceError::Invalid(format!(
                "a collection on {on} must reach the bank by {submit_by} ({DD_LEAD_TARGET_DAYS} TARGET2 business day before); today is {today}"
            )));
        }
        let (collections, reported, skipped) = self.due_collections(on)?;
        if collections.is_empty() {
            return Ok(DirectDebitFile {
                collection_date: on,
                xml: None,
                transactions: 0,
                total: Money::ZERO,
                new: false,
                skipped,
            });
        }
        let compact = on.strftime("%Y%m%d").to_string();
        let batch = DdBatchRow {
            collection_date: on,
            message_id: format!("KWDD-{compact}"),
            created_at: self.clock().now(),
            creditor_name: creditor.name.clone(),
            creditor_iban: creditor.iban.as_str().to_owned(),
            creditor_bic: creditor.bic.as_ref().map(|b| b.as_str().to_owned()),
            creditor_id: creditor.id.as_str().to_owned(),
            created_by: actor.name(),
        };
        // Check the file can be written before anything is stored.
        render(&batch, &collections, version, true, Vec::new())?;
        self.store.write_dd_batch(&batch, &collections, &reported)?;
        let (batch, stored) = self
            .store
            .dd_batch(on)?
            .ok_or_else(|| ServiceError::Invalid("the direct-debit file was not stored".into()))?;
        render(&batch, &stored, version, true, skipped)
    }

    /// The collections due on `on`: per active arrangement with an active
    /// mandate, the instalments not covered by payments, not in
    /// collection, due (or to be retried) by then and pre-notified; the
    /// amendments they report; and what was left out with why.
    #[allow(clippy::type_complexity)]
    fn due_collections(
        &self,
        on: Date,
    ) -> Result<
        (
            Vec<DdCollectionRow>,
            Vec<(i64, String)>,
            Vec<(String, String)>,
        ),
        ServiceError,
    > {
        let mut out = Vec::new();
        let mut reported = Vec::new();
        let mut skipped = Vec::new();
        let mut rules_of = RulesCache::default();
        self.watched_pages(&mut |page| {
            for w in page {
                let Some(m) = &w.mandate else { continue };
                let a = &w.arrangement;
                let number = kwijting_store::case_number(a.case)?;
                let (_, kenmerk, _) = kwijting_store::case_references(a.case)?;
                let rules = rules_of.get(self, w.client)?;
                let notified = a.decided_on.max(m.signed_on);
                let prenotified = notified
                    .checked_add(i64::from(rules.prenotification_days).days())
                    .map_err(invalid)?
                    <= on;
                let mut paid = w.receipts_cents - a.receipts_before_cents;
                let mut first_taken = false;
                for i in &a.schedule {
                    // Payments cover the oldest instalments first; a part
                    // paid by transfer is not collected again.
                    let part = paid.clamp(0, i.amount_cents);
                    paid -= part;
                    let to_collect = i.amount_cents - part;
                    if to_collect == 0 {
                        continue;
                    }
                    let wanted = match &i.collection {
                        Some((_, s)) if s == "submitted" => false,
                        _ if i.reopened_on.is_some() => false,
                        Some(_) => {
                            i.retry_on.is_some_and(|r| r <= on) && i.dd_attempts < DD_ATTEMPTS_MAX
                        }
                        None => i.due_on <= on && i.due_on >= m.signed_on,
                    };
                    if !wanted {
                        continue;
                    }
                    if i.collection.is_none() && !prenotified {
                        skipped.push((
                            number.clone(),
                            format!(
                                "instalment {} waits for the pre-notification period ({} days from {notified})",
                                i.seq, rules.prenotification_days
                            ),
                        ));
                        continue;
                    }
                    // A mandate's first collection goes alone (FRST); the
                    // rest follow as RCUR on a later date.
                    let pending: Vec<_> = m
                        .amendments
                        .iter()
                        .filter(|x| x.reported_in.is_none())
                        .collect();
                    let original_ref = pending
                        .iter()
                        .find(|x| x.field == "reference")
                        .map(|x| x.old_value.clone());
                    let original_iban = pending
                        .iter()
                        .find(|x| x.field == "debtor_iban")
                        .map(|x| x.old_value.clone());
                    let bank_changed = original_iban
                        .as_deref()
                        .is_some_and(|old| bank_code(old) != bank_code(&m.debtor_iban));
                    let first = !m.collected || bank_changed;
                    if first && first_taken {
                        skipped.push((
                            number.clone(),
                            format!(
                                "instalment {} follows the mandate's first collection on a later date",
                                i.seq
                            ),
                        ));
                        continue;
                    }
                    let e2e = format!("{number}-{}-{}", i.id, i.dd_attempts + 1);
                    let carries_amendment =
                        !first_taken && (original_ref.is_some() || original_iban.is_some());
                    if carries_amendment || (!first_taken && !pending.is_empty()) {
                        reported.extend(pending.iter().map(|x| (x.id, e2e.clone())));
                    }
                    out.push(DdCollectionRow {
                        id: 0,
                        collection_date: on,
                        instalment: i.id,
                        mandate: m.id,
                        case: a.case,
                        end_to_end_id: e2e,
                        sequence_type: if first { "FRST" } else { "RCUR" }.into(),
                        amount_cents: to_collect,
                        mandate_ref: m.reference.clone(),
                        signed_on: m.signed_on,
                        debtor_name: m.debtor_name.clone(),
                        debtor_iban: m.debtor_iban.clone(),
                        remittance_ref: kenmerk.clone(),
                        original_mandate_ref: original_ref.clone().filter(|_| carries_amendment),
                        original_debtor_iban: original_iban
                            .clone()
                            .filter(|_| carries_amendment && !bank_changed),
                        debtor_bank_changed: carries_amendment && bank_changed,
                        state: "submitted".into(),
                        return_reason: None,
                        returned_on: None,
                    });
                    first_taken = true;
                    if first {
                        // Nothing more on this mandate in this file.
                        break;
                    }
                }
            }
            Ok(())
        })?;
        Ok((out, reported, skipped))
    }

    /// A collection came back (a return on a statement): the instalment is
    /// reopened and retried or left for payment by transfer, and the
    /// mandate stopped, as the reason says. AM04 and MS03 (no funds, no
    /// reason given): retried once, at the later of the next instalment's
    /// date and the pre-notification period; a second failure leaves it for
    /// a transfer. MS02 (refused by the debtor) and MD06 (refund asked):
    /// reopened for a transfer, the mandate stays. AC04, AC06, MD01, MD07
    /// and the other account or mandate errors: the mandate is stopped and
    /// the arrangement goes on with transfers. Anything else: a person
    /// looks. The decision is stored like the daily run's. `None` when the
    /// id is not one of our collections or was handled before.
    pub fn on_direct_debit_return(
        &self,
        end_to_end_id: &str,
        reason: &ReturnReason,
        on: Date,
    ) -> Result<Option<ReturnOutcome>, ServiceError> {
        let Some(c) = self
            .store
            .collection_by_end_to_end_id(end_to_end_id.trim())?
        else {
            return Ok(None);
        };
        if c.state != "submitted" {
            return Ok(None);
        }
        let arrangement = self
            .store
            .arrangements_for_case(c.case)?
            .into_iter()
            .find(|a| a.schedule.iter().any(|i| i.id == c.instalment));
        let instalment = arrangement
            .as_ref()
            .and_then(|a| a.schedule.iter().find(|i| i.id == c.instalment).cloned());
        let client = self.store.case_state(c.case)?.map(|(_, _, client)| client);
        let rules = match client {
            Some(client) => self.rules_for(client)?,
            None => Default::default(),
        };
        let attempts = instalment.as_ref().map(|i| i.dd_attempts).unwrap_or(1);
        let notice_until = on
            .checked_add(i64::from(rules.prenotification_days).days())
            .map_err(invalid)?;
        let next_due = arrangement.as_ref().and_then(|a| {
            a.schedule
                .iter()
                .map(|i| i.due_on)
                .filter(|d| *d > on)
                .min()
        });
        let mut retry_on = None;
        let mut stop = None;
        let action = match reason.consequence() {
            ReturnConsequence::Retry
                if !matches!(reason, ReturnReason::RefusedByDebtor)
                    && attempts < DD_ATTEMPTS_MAX =>
            {
                retry_on = Some(next_due.map_or(notice_until, |d| d.max(notice_until)));
                ArrangementAction::DirectDebitRetry
            }
            ReturnConsequence::Retry | ReturnConsequence::ReopenInstalment => {
                ArrangementAction::DirectDebitReopen
            }
            ReturnConsequence::StopMandate => {
                stop = Some((c.mandate, format!("return {} on {on}", reason.code())));
                ArrangementAction::MandateStopped
            }
            ReturnConsequence::Review => ArrangementAction::DirectDebitReturnReview,
        }
        .as_str();
        let inputs = [
            Input::EndToEndId.line(&c.end_to_end_id),
            Input::ReturnReason.line(reason.code()),
            Input::CollectionDate.line(c.collection_date),
            Input::AmountCents.line(c.amount_cents),
            Input::Attempt.line(attempts),
            Input::AttemptsMax.line(DD_ATTEMPTS_MAX),
            Input::PrenotificationDays.line(rules.prenotification_days),
            Input::RetryOn.line(
                retry_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "none".into()),
            ),
        ]
        .join("\n");
        let due = midnight(on)?;
        let work = if action == "dd_return_review" {
            "dd_return_review"
        } else {
            RETURN_NOTICE_WORK
        };
        let done = self.store.record_return(&ReturnUpdate {
            collection: c.id,
            instalment: c.instalment,
            reason_code: reason.code().to_owned(),
            on,
            retry_on,
            reopened_on: retry_on.is_none().then_some(on),
            stop_mandate: stop,
            decision: NewDecision {
                case: c.case,
                strategy_id: "direct_debit".into(),
                strategy_version: i64::from(ARRANGEMENT_RULES_VERSION),
                rule: format!("return_{}", reason.code().to_ascii_lowercase()),
                action: action.into(),
                inputs,
                needs_review: false,
                work: Some((work.into(), due)),
            },
        })?;
        if !done {
            return Ok(None);
        }
        Ok(Some(ReturnOutcome {
            end_to_end_id: c.end_to_end_id,
            case_number: kwijting_store::case_number(c.case)?,
            instalment: c.instalment,
            action: action.into(),
            retry_on,
        }))
    }
}

/// The pain.008 of stored (or about to be stored) collections: a FRST
/// block, then a RCUR block, each in the order written.
fn render(
    batch: &DdBatchRow,
    collections: &[DdCollectionRow],
    version: Pain008Version,
    new: bool,
    skipped: Vec<(String, String)>,
) -> Result<DirectDebitFile, ServiceError> {
    let message_id = MessageId::parse(&batch.message_id).map_err(invalid)?;
    let created_at = batch
        .created_at
        .in_tz("Europe/Amsterdam")
        .map_err(invalid)?
        .datetime()
        .round(jiff::Unit::Second)
        .map_err(invalid)?;
    let creditor_account = Account {
        iban: Iban::parse(&batch.creditor_iban).map_err(invalid)?,
        bic: batch
            .creditor_bic
            .as_deref()
            .map(Bic::parse)
            .transpose()
            .map_err(invalid)?,
    };
    let creditor_id = CreditorId::parse(&batch.creditor_id).map_err(invalid)?;
    let mut blocks = Vec::new();
    let mut total = Money::ZERO;
    let mut seen = HashSet::new();
    for (seq, code) in [
        (SequenceType::First, "FRST"),
        (SequenceType::Recurring, "RCUR"),
    ] {
        let mut transactions = Vec::new();
        for c in collections.iter().filter(|c| c.sequence_type == code) {
            seen.insert(c.end_to_end_id.as_str());
            total = total
                .checked_add(Money::from_cents(c.amount_cents))
                .map_err(invalid)?;
            let amendment = (c.original_mandate_ref.is_some()
                || c.original_debtor_iban.is_some()
                || c.debtor_bank_changed)
                .then(|| {
                    Ok::<_, ServiceError>(MandateAmendment {
                        original_mandate_id: c
                            .original_mandate_ref
                            .as_deref()
                            .map(MandateId::parse)
                            .transpose()
                            .map_err(invalid)?,
                        original_creditor_id: None,
                        original_debtor_iban: c
                            .original_debtor_iban
                            .as_deref()
                            .map(Iban::parse)
                            .transpose()
                            .map_err(invalid)?,
                        debtor_bank_changed: c.debtor_bank_changed,
                    })
                })
                .transpose()?;
            transactions.push(DirectDebit {
                end_to_end_id: EndToEndId::parse(&c.end_to_end_id).map_err(invalid)?,
                amount: Money::from_cents(c.amount_cents),
                mandate: Mandate {
                    id: MandateId::parse(&c.mandate_ref).map_err(invalid)?,
                    signed_on: c.signed_on,
                    amendment,
                },
                debtor: Party {
                    name: c.debtor_name.clone(),
                    address: None,
                },
                debtor_account: Account {
                    iban: Iban::parse(&c.debtor_iban).map_err(invalid)?,
                    bic: None,
                },
                remittance: Some(Remittance::Structured(StructuredRef {
                    issuer: RefIssuer::Cur,
                    reference: c.remittance_ref.clone(),
                })),
            });
        }
        if transactions.is_empty() {
            continue;
        }
        blocks.push(DirectDebitBatch {
            message_id: message_id.clone(),
            created_at,
            initiating_party: batch.creditor_name.clone(),
            payment_info_id: MessageId::parse(&format!("{}-{code}", batch.message_id))
                .map_err(invalid)?,
            creditor: Party {
                name: batch.creditor_name.clone(),
                address: None,
            },
            creditor_account: creditor_account.clone(),
            creditor_id: creditor_id.clone(),
            collection_date: batch.collection_date,
            sequence_type: seq,
            local_instrument: LocalInstrument::Core,
            transactions,
        });
    }
    if seen.len() != collections.len() {
        return Err(ServiceError::Invalid(format!(
            "direct-debit file {}: a collection has an unknown sequence type",
            batch.message_id
        )));
    }
    let xml = write_pain008_file(&blocks, version).map_err(invalid)?;
    Ok(DirectDebitFile {
        collection_date: batch.collection_date,
        xml: Some(xml),
        transactions: collections.len() as u64,
        total,
        new,
        skipped,
    })
}
