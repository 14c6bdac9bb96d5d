//! The erasure engine (GDPR art. 17) and the retention engine (art. 5(1)(e),
//! R17 to R22), one engine for both.
//!
//! What to erase is decided per datum, generically over the personal-data
//! catalog: every personal column of a table whose rows lead to a party or
//! a case is a datum with a category and purposes. A datum is erased when
//! its category identifies or describes the person (the policy's data
//! categories not marked `aggregate`) or when it is free text; structured
//! values of aggregate categories (amounts, dates, states) stay and are
//! anonymous once the identifying data is gone. A datum is kept when a
//! ground applies: an open claim (17(3)(e)), a legal hold (R22), a
//! statutory period of one of its purposes counted from the record's own
//! date (bookkeeping 7 years, 17(3)(b); AML 5 years, Wwft art. 33), or, for
//! a retention run, the retention period itself. Parties on one case stay
//! separate subjects: a case's own data is erased with its debtor, never
//! with a guarantor or co-debtor.

use std::collections::{BTreeMap, BTreeSet};

use kwijting_domain::{Actor, CaseId, Date, PartyId};
use kwijting_policy::RetentionRule;
use kwijting_store::catalog::{CATALOG, Class, Subject};
use kwijting_store::erasure::{BatchHead, Cutoffs, FieldCount, FieldPlan, Scope, SubjectFacts};

use crate::{Access, Kwijting, ServiceError};

/// Why data is erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErasureCause {
    /// The person asked (art. 17); the request's reference.
    Request { reference: String },
    /// A retention rule's period ended.
    Retention { rule: String },
    /// The person unsubscribed from the newsletter or objected to direct
    /// marketing: their marketing data goes at once (R20, R35).
    Unsubscribe,
}

impl ErasureCause {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErasureCause::Request { .. } => "request",
            ErasureCause::Retention { .. } => "retention",
            ErasureCause::Unsubscribe => "unsubscribe",
        }
    }
}

/// A personal column the erasure engine can erase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datum {
    pub table: &'static str,
    pub column: &'static str,
    pub category: &'static str,
    pub purposes: &'static [&'static str],
    pub scope: Scope,
}

/// The date a record's own statutory period counts from, for the tables
/// that hold records with such a period (a payment's fiscal year, the date
/// of an AML check). Elsewhere a statutory purpose keeps the whole datum.
pub const RECORD_DATES: &[(&str, &str)] = &[
    ("bank_entries", "booked_on"),
    ("criminal_records", "recorded_on"),
    ("dd_collections", "collection_date"),
    ("health_records", "recorded_on"),
    // A mandate is the authority for the collections it carried; dated by
    // its signature, as the collections keep their own copy of it.
    ("mandate_amendments", "amended_on"),
    ("mandates", "signed_on"),
];

/// Why a datum is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptGround {
    /// An open claim: needed to establish or exercise it (art. 17(3)(e)).
    OpenClaim,
    /// A legal hold (R22, art. 17(3)(e)) with its reason and owner.
    LegalHold { reason: String, owner: String },
    /// Bookkeeping records (art. 17(3)(b); art. 2:10 BW, art. 52 AWR).
    Accounting,
    /// AML records (art. 17(3)(b); Wwft art. 33).
    AntiMoneyLaundering,
    /// The retention period has not ended (a retention run only).
    RetentionPeriod { rule: String },
    /// The case's own data belongs to its debtor too, and is erased with
    /// the debtor, not with another party on the case.
    OtherPartysCase,
    /// Unsubscribing erases marketing data only.
    OtherPurpose,
}

impl KeptGround {
    /// The legal ground, as the answer to the person names it.
    pub fn article(&self) -> &'static str {
        match self {
            KeptGround::OpenClaim | KeptGround::LegalHold { .. } => "GDPR art. 17(3)(e)",
            KeptGround::Accounting => {
                "GDPR art. 17(3)(b); art. 2:10 BW and art. 52 AWR (7-year bookkeeping duty)"
            }
            KeptGround::AntiMoneyLaundering => "GDPR art. 17(3)(b); Wwft art. 33 (5 years)",
            KeptGround::RetentionPeriod { .. } => "GDPR art. 5(1)(e): the retention period runs",
            KeptGround::OtherPartysCase => "GDPR art. 17(1): the data is also another person's",
            KeptGround::OtherPurpose => "GDPR art. 21(3): only marketing stops",
        }
    }

    pub fn reason(&self) -> String {
        match self {
            KeptGround::OpenClaim => "a claim against you is still open".into(),
            KeptGround::LegalHold { reason, owner } => {
                format!("a legal hold applies ({reason}; owner {owner})")
            }
            KeptGround::Accounting => "the agency must keep its accounts for 7 years".into(),
            KeptGround::AntiMoneyLaundering => {
                "anti-money-laundering records are kept 5 years".into()
            }
            KeptGround::RetentionPeriod { rule } => format!("rule {rule} has not expired"),
            KeptGround::OtherPartysCase => {
                "the case's own data is also the debtor's; your own data is erased".into()
            }
            KeptGround::OtherPurpose => {
                "unsubscribing ends marketing, not the other purposes".into()
            }
        }
    }
}

/// One field erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasedField {
    pub table: String,
    pub column: String,
    pub category: String,
    pub purposes: Vec<String>,
    pub rows: u64,
}

/// Data kept, why and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// `table.column` of every datum kept on this ground.
    pub fields: Vec<String>,
    pub categories: Vec<String>,
    /// The cases concerned (numbers), if the ground is per case.
    pub cases: Vec<String>,
    pub ground: KeptGround,
    /// `None`: no fixed end (until the claim closes or the hold is lifted).
    pub until: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct ErasureOutcome {
    pub party: PartyId,
    pub cause: ErasureCause,
    pub as_of: Date,
    pub dry_run: bool,
    pub erased: Vec<ErasedField>,
    pub erased_cases: Vec<String>,
    pub kept: Vec<Kept>,
}

/// A retention run's report.
#[derive(Debug, Clone)]
pub struct RetentionReport {
    pub as_of: Date,
    pub dry_run: bool,
    pub rule: String,
    /// Cases closed before this date had expired.
    pub closed_before: Date,
    /// The rule for data held as a client's processor (R1).
    pub processor_rule: String,
    /// Every case of a processor client whose mandate ended before this
    /// date had expired.
    pub mandate_ended_before: Date,
    pub cases: u64,
    pub parties: u64,
    pub fields: Vec<ErasedField>,
    pub per_category: BTreeMap<String, u64>,
    pub per_purpose: BTreeMap<String, u64>,
    pub active_legal_holds: u64,
}

/// Every personal column erasure may erase, from the catalog and the
/// policy's categories.
pub fn erasable(policy: &kwijting_policy::Policy) -> Vec<Datum> {
    let mut out = Vec::new();
    for t in CATALOG {
        let scope = match t.subject {
            Subject::Party | Subject::PartyColumn(_) => Scope::Party,
            Subject::CaseParties(_) => Scope::Case,
            // Amounts on ledger accounts are aggregates; logs name staff.
            Subject::CaseInAccount(_)
            | Subject::CaseTransfer(_)
            | Subject::Staff(_)
            | Subject::None => continue,
        };
        for c in t.columns {
            let Class::Personal { category, purposes } = c.class else {
                continue;
            };
            if c.subject.is_some() {
                continue; // a staff column in a subject's table
            }
            let aggregate = policy.data_category(category).is_some_and(|d| d.aggregate);
            if c.free_text || !aggregate {
                out.push(Datum {
                    table: t.name,
                    column: c.name,
                    category,
                    purposes,
                    scope,
                });
            }
        }
    }
    out
}

/// The first day whose records `rule` still keeps on `as_of`: records
/// dated before it have expired.
pub fn first_kept_day(rule: &RetentionRule, as_of: Date) -> Date {
    let (mut lo, mut hi) = (Date::MIN, as_of.tomorrow().unwrap_or(Date::MAX));
    // Expiry grows with the record's date: find the first day expiring later.
    while lo < hi {
        let days = (hi - lo).get_days() / 2;
        let mid = lo.checked_add(jiff::Span::new().days(days)).unwrap_or(hi);
        if rule.is_expired(mid, as_of) {
            lo = mid.tomorrow().unwrap_or(hi);
        } else {
            hi = mid;
        }
    }
    lo
}

/// The tables that record per row the purpose it was processed for (in
/// their `purpose` column): a statutory period of one of the table's
/// purposes keeps only the rows of that purpose.
pub const PER_ROW_PURPOSE: &[&str] = &["criminal_records", "health_records"];

/// The statutory rule of the datum's purposes (bookkeeping, AML), if any,
/// with the purpose it belongs to.
fn statutory_of<'p>(
    policy: &'p kwijting_policy::Policy,
    d: &Datum,
) -> Option<(&'static str, &'p RetentionRule)> {
    d.purposes
        .iter()
        .filter_map(|p| policy.retention_for(p).map(|r| (*p, r)))
        .find(|(_, r)| r.statutory)
}

fn statutory<'p>(policy: &'p kwijting_policy::Policy, d: &Datum) -> Option<&'p RetentionRule> {
    statutory_of(policy, d).map(|(_, r)| r)
}

fn ground_of(rule: &RetentionRule) -> KeptGround {
    if rule.trigger == kwijting_policy::Trigger::FiscalYearEnd {
        KeptGround::Accounting
    } else {
        KeptGround::AntiMoneyLaundering
    }
}

impl Kwijting {
    /// The field plans for the data: statutory periods keep the records
    /// dated on or after their first kept day.
    fn plans(&self, data: &[Datum], as_of: Date) -> Vec<FieldPlan> {
        data.iter()
            .filter_map(|d| {
                let (keep_from, keep_purpose) = match statutory_of(self.policy(), d) {
                    None => (None, None),
                    Some((purpose, rule)) => {
                        let col = RECORD_DATES.iter().find(|(t, _)| *t == d.table)?.1;
                        (
                            Some((col.to_owned(), first_kept_day(rule, as_of))),
                            PER_ROW_PURPOSE
                                .contains(&d.table)
                                .then(|| purpose.to_owned()),
                        )
                    }
                };
                Some(FieldPlan {
                    table: d.table.to_owned(),
                    column: d.column.to_owned(),
                    category: d.category.to_owned(),
                    scope: d.scope,
                    keep_from,
                    keep_purpose,
                })
            })
            .collect()
    }

    fn check_erasure(
        &self,
        actor: &Actor,
        client: Option<kwijting_domain::ClientId>,
        data: &[Datum],
    ) -> Result<(), ServiceError> {
        // Erasure overwrites special-category data without reading it, so
        // the door checks the other categories it changes.
        let categories: BTreeSet<&str> = data
            .iter()
            .map(|d| d.category)
            .filter(|c| !self.policy().data_category(c).is_some_and(|d| d.special))
            .collect();
        let categories: Vec<&str> = categories.into_iter().collect();
        self.door().check(
            actor,
            client,
            &categories,
            Access::Write,
            "personal data to erase",
        )?;
        Ok(())
    }

    fn erased_fields(&self, counts: Vec<FieldCount>, data: &[Datum]) -> Vec<ErasedField> {
        counts
            .into_iter()
            .filter(|c| c.rows > 0)
            .map(|c| {
                let purposes = data
                    .iter()
                    .find(|d| d.table == c.table && d.column == c.column)
                    .map(|d| d.purposes.iter().map(|p| (*p).to_owned()).collect())
                    .unwrap_or_default();
                ErasedField {
                    table: c.table,
                    column: c.column,
                    category: c.category,
                    purposes,
                    rows: c.rows,
                }
            })
            .collect()
    }

    /// Carries out an erasure request (art. 17) once. The erasure commits on
    /// its own; a request step that stopped after it finds its batch in the
    /// journal by the reference and reports that erasure again instead of
    /// erasing twice (what is kept is decided anew: it changes only with time).
    pub fn erase_for_request(
        &self,
        actor: &Actor,
        party: PartyId,
        reference: &str,
        as_of: Date,
    ) -> Result<ErasureOutcome, ServiceError> {
        let cause = ErasureCause::Request {
            reference: reference.to_owned(),
        };
        let done = self.store.erasure_batches_for(reference)?;
        let Some(batch) = done.into_iter().find(|b| b.cause == cause.as_str()) else {
            return self.erase_subject(actor, party, cause, as_of, false);
        };
        let mut outcome = self.erase_subject(actor, party, cause, batch.as_of, true)?;
        let counts = batch
            .fields
            .into_iter()
            .map(|(f, rows)| FieldCount {
                table: f.table,
                column: f.column,
                category: f.category,
                rows,
            })
            .collect();
        outcome.erased = self.erased_fields(counts, &erasable(self.policy()));
        outcome.dry_run = false;
        Ok(outcome)
    }

    /// Erases what may be erased of one party's data and says what is kept,
    /// why and until when. With `dry_run` nothing changes.
    pub fn erase_subject(
        &self,
        actor: &Actor,
        party: PartyId,
        cause: ErasureCause,
        as_of: Date,
        dry_run: bool,
    ) -> Result<ErasureOutcome, ServiceError> {
        let all = erasable(self.policy());
        let facts = self
            .store
            .subject_facts(party)?
            .ok_or_else(|| ServiceError::Invalid(format!("no party with id {}", party.0)))?;
        self.check_erasure(actor, Some(facts.client), &all)?;
        let mut kept = Vec::new();
        let (parties, cases, data) = match &cause {
            ErasureCause::Unsubscribe => {
                let data: Vec<Datum> = all
                    .iter()
                    .filter(|d| d.purposes.iter().all(|p| *p == "marketing"))
                    .copied()
                    .collect();
                kept.push(Kept {
                    fields: Vec::new(),
                    categories: Vec::new(),
                    cases: Vec::new(),
                    ground: KeptGround::OtherPurpose,
                    until: None,
                });
                (vec![party], Vec::new(), data)
            }
            _ => self.decide(&facts, &cause, as_of, &all, &mut kept),
        };
        let rule = match &cause {
            ErasureCause::Retention { rule } => Some(rule.clone()),
            _ => None,
        };
        let head = BatchHead {
            cause: cause.as_str().to_owned(),
            reference: match &cause {
                ErasureCause::Request { reference } => Some(reference.clone()),
                _ => None,
            },
            rule,
            as_of,
            actor: actor.name(),
            at: self.clock().now(),
        };
        let erased_cases: Vec<String> = facts
            .cases
            .iter()
            .filter(|c| cases.contains(&c.id))
            .map(|c| c.number.clone())
            .collect();
        let fields: Vec<FieldPlan> = self
            .plans(&data, as_of)
            .into_iter()
            .filter(|f| match f.scope {
                Scope::Party => !parties.is_empty(),
                Scope::Case => !cases.is_empty(),
            })
            .collect();
        let counts = if fields.is_empty() {
            Vec::new()
        } else {
            self.store
                .erase(&head, &parties, &cases, &fields, dry_run)?
        };
        Ok(ErasureOutcome {
            party,
            cause,
            as_of,
            dry_run,
            erased: self.erased_fields(counts, &all),
            erased_cases,
            kept,
        })
    }

    /// Decides, per datum, what of a party's data may go: the parties and
    /// cases whose rows are erased and the data to erase in them, with the
    /// grounds for what is kept.
    fn decide(
        &self,
        facts: &SubjectFacts,
        cause: &ErasureCause,
        as_of: Date,
        all: &[Datum],
        kept: &mut Vec<Kept>,
    ) -> (Vec<PartyId>, Vec<CaseId>, Vec<Datum>) {
        let names = |scope: Scope| -> (Vec<String>, Vec<String>) {
            let data: Vec<&Datum> = all.iter().filter(|d| d.scope == scope).collect();
            let fields = data
                .iter()
                .map(|d| format!("{}.{}", d.table, d.column))
                .collect();
            let cats: BTreeSet<String> = data.iter().map(|d| d.category.to_owned()).collect();
            (fields, cats.into_iter().collect())
        };
        let (party_fields, party_cats) = names(Scope::Party);
        let (case_fields, case_cats) = names(Scope::Case);
        let mut keep_party: Option<(KeptGround, Option<Date>)> = None;
        let retention = match cause {
            ErasureCause::Retention { rule } => self
                .policy()
                .retention_rule(rule)
                .map(|r| (r.id.clone(), r.clone())),
            _ => None,
        };

        let party_hold = facts
            .holds
            .iter()
            .find(|h| h.lifted_on.is_none() && h.case.is_none() && h.party == facts.party);
        let held_cases: BTreeMap<CaseId, &kwijting_store::erasure::LegalHoldRow> = facts
            .holds
            .iter()
            .filter(|h| h.lifted_on.is_none())
            .filter_map(|h| h.case.map(|c| (c, h)))
            .collect();
        if let Some(h) = party_hold {
            kept.push(Kept {
                fields: party_fields.iter().chain(&case_fields).cloned().collect(),
                categories: party_cats
                    .iter()
                    .chain(&case_cats)
                    .cloned()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                cases: facts.cases.iter().map(|c| c.number.clone()).collect(),
                ground: KeptGround::LegalHold {
                    reason: h.reason.clone(),
                    owner: h.owner.clone(),
                },
                until: None,
            });
            return (Vec::new(), Vec::new(), Vec::new());
        }

        let mut erase_cases = Vec::new();
        let mut per_ground: BTreeMap<String, (KeptGround, Option<Date>, Vec<String>, bool)> =
            BTreeMap::new();
        let mut note = |ground: KeptGround, until: Option<Date>, case: &str, case_level: bool| {
            let e = per_ground.entry(format!("{ground:?}")).or_insert((
                ground,
                until,
                Vec::new(),
                case_level,
            ));
            e.1 = match (e.1, until) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            e.2.push(case.to_owned());
        };
        for c in facts.cases.iter().filter(|c| !c.erased) {
            let ground = if let Some(h) = held_cases.get(&c.id) {
                Some((
                    KeptGround::LegalHold {
                        reason: h.reason.clone(),
                        owner: h.owner.clone(),
                    },
                    None,
                ))
            } else if c.is_open() {
                Some((KeptGround::OpenClaim, None))
            } else if let Some((id, rule)) = &retention {
                let expires = c.closed_on.and_then(|d| rule.expires_on(d));
                match expires {
                    Some(e) if e <= as_of => None,
                    e => Some((KeptGround::RetentionPeriod { rule: id.clone() }, e)),
                }
            } else {
                None
            };
            match ground {
                Some((g, until)) => {
                    // What keeps a case keeps its parties' own data too.
                    if keep_party.is_none() {
                        keep_party = Some((g.clone(), until));
                    }
                    note(g, until, &c.number, true);
                }
                None if c.is_debtor => erase_cases.push(c.id),
                None => note(KeptGround::OtherPartysCase, None, &c.number, true),
            }
        }
        for (_, (ground, until, cases, _)) in per_ground {
            let party_too = matches!(
                ground,
                KeptGround::OpenClaim
                    | KeptGround::LegalHold { .. }
                    | KeptGround::RetentionPeriod { .. }
            );
            let mut fields = case_fields.clone();
            let mut cats = case_cats.clone();
            if party_too {
                fields.extend(party_fields.iter().cloned());
                cats.extend(party_cats.iter().cloned());
            }
            let cats: BTreeSet<String> = cats.into_iter().collect();
            kept.push(Kept {
                fields,
                categories: cats.into_iter().collect(),
                cases,
                ground,
                until,
            });
        }

        // Statutory periods of the records themselves.
        for d in all {
            let Some(rule) = statutory(self.policy(), d) else {
                continue;
            };
            let last = match rule.trigger {
                kwijting_policy::Trigger::FiscalYearEnd => facts
                    .cases
                    .iter()
                    .filter(|c| erase_cases.contains(&c.id))
                    .filter_map(|c| c.last_booking)
                    .max(),
                _ if keep_party.is_none() => facts.last_aml_record,
                _ => None,
            };
            let Some(last) = last else { continue };
            if rule.is_expired(last, as_of) {
                continue;
            }
            let ground = ground_of(rule);
            let until = rule.expires_on(last);
            let field = format!("{}.{}", d.table, d.column);
            match kept.iter_mut().find(|k| k.ground == ground) {
                Some(k) => {
                    k.fields.push(field);
                    if !k.categories.iter().any(|c| c == d.category) {
                        k.categories.push(d.category.to_owned());
                    }
                }
                None => kept.push(Kept {
                    fields: vec![field],
                    categories: vec![d.category.to_owned()],
                    cases: Vec::new(),
                    ground,
                    until,
                }),
            }
        }

        let parties = if keep_party.is_some() || facts.erased {
            Vec::new()
        } else {
            vec![facts.party]
        };
        (parties, erase_cases, all.to_vec())
    }

    /// The retention run of a day: erases what expired, in chunks that a
    /// stopped run resumes, and reports counts per purpose and category.
    pub fn retention_run(
        &self,
        actor: &Actor,
        as_of: Date,
        dry_run: bool,
    ) -> Result<RetentionReport, ServiceError> {
        let all = erasable(self.policy());
        self.check_erasure(actor, None, &all)?;
        let rule = self
            .policy()
            .retention_for("collection")
            .ok_or_else(|| {
                ServiceError::Invalid("the policy has no retention rule for collection".into())
            })?
            .clone();
        // Data held as a client's processor (R1) follows the client's
        // mandate, not the agency's own periods.
        let processor_rule = self
            .policy()
            .retention_for("receivables_management")
            .ok_or_else(|| {
                ServiceError::Invalid(
                    "the policy has no retention rule for receivables_management".into(),
                )
            })?
            .clone();
        let cutoff = Cutoffs {
            closed_before: first_kept_day(&rule, as_of),
            mandate_ended_before: first_kept_day(&processor_rule, as_of),
        };
        let fields = self.plans(&all, as_of);
        let head = BatchHead {
            cause: "retention".into(),
            reference: None,
            rule: Some(format!("{},{}", rule.id, processor_rule.id)),
            as_of,
            actor: actor.name(),
            at: self.clock().now(),
        };
        let totals = if dry_run {
            let mut t = self
                .store
                .retention_chunk(&head, cutoff, &fields, true)?
                .unwrap_or_default();
            // The sweep's own dry run sees the database before the chunks.
            for swept in self.store.retention_sweep(&head, &fields, true)? {
                match t
                    .fields
                    .iter_mut()
                    .find(|f| f.table == swept.table && f.column == swept.column)
                {
                    Some(f) => f.rows += swept.rows,
                    None => t.fields.push(swept),
                }
            }
            t
        } else {
            self.store.plan_retention(as_of, cutoff, RETENTION_CHUNK)?;
            while self
                .store
                .retention_chunk(&head, cutoff, &fields, false)?
                .is_some()
            {}
            self.store.retention_sweep(&head, &fields, false)?;
            self.store.retention_totals(as_of)?
        };
        let fields = self.erased_fields(totals.fields, &all);
        let mut per_category = BTreeMap::new();
        let mut per_purpose = BTreeMap::new();
        for f in &fields {
            *per_category.entry(f.category.clone()).or_insert(0) += f.rows;
            for p in &f.purposes {
                *per_purpose.entry(p.clone()).or_insert(0) += f.rows;
            }
        }
        Ok(RetentionReport {
            as_of,
            dry_run,
            rule: rule.id.clone(),
            closed_before: cutoff.closed_before,
            processor_rule: processor_rule.id.clone(),
            mandate_ended_before: cutoff.mandate_ended_before,
            cases: totals.cases,
            parties: totals.parties,
            fields,
            per_category,
            per_purpose,
            active_legal_holds: self.store.legal_holds(true)?.len() as u64,
        })
    }
}

impl Kwijting {
    /// Records that a case was closed on a date (`closed_paid`,
    /// `closed_withdrawn`, ...): the event that starts its retention period.
    pub fn close_case_on(
        &self,
        actor: &Actor,
        number: &str,
        status: kwijting_domain::CaseStatus,
        on: Date,
    ) -> Result<(), ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history"],
            Access::Write,
            "a case's status",
        )?;
        if status.is_open() {
            return Err(ServiceError::Invalid(format!(
                "{status} is not a closed state"
            )));
        }
        let case = self
            .store
            .case_by_number(number)?
            .ok_or_else(|| ServiceError::UnknownCase(number.to_owned()))?;
        self.store
            .close_case(case.summary.id, status.as_str(), on)?;
        Ok(())
    }
}

impl Kwijting {
    /// Where any of the needles still occurs: every column of every table
    /// of the live schema (not the catalog), as text. Names the places,
    /// never returns the values.
    pub fn residual_scan(
        &self,
        actor: &Actor,
        needles: &[String],
    ) -> Result<Vec<kwijting_store::erasure::ResidualHit>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["identity"],
            Access::Read,
            "the residual-data scan",
        )?;
        Ok(self.store.scan_values(needles)?)
    }

    /// A consistent copy of the whole database in `path`.
    pub fn backup(&self, actor: &Actor, path: &std::path::Path) -> Result<(), ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "a backup of the database")?;
        if path.exists() {
            return Err(ServiceError::Invalid(format!(
                "{} exists; a backup never overwrites a file",
                path.display()
            )));
        }
        Ok(self.store.backup(path)?)
    }

    /// Replaces the database with a backup and re-applies every erasure
    /// journalled since, so a restore never brings erased data back.
    /// Returns how many erasure batches were re-applied.
    pub fn restore(
        &self,
        actor: &Actor,
        path: &std::path::Path,
        journal: &[kwijting_store::erasure::JournalBatch],
    ) -> Result<u64, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "a restore of the database")?;
        if !path.is_file() {
            return Err(ServiceError::Invalid(format!(
                "no backup file {}",
                path.display()
            )));
        }
        Ok(self.store.restore(path, journal)?)
    }

    /// The erasure journal, to keep apart from the backups: a restore into
    /// a new database re-applies it (`kwijting restore --journal`). Ids,
    /// fields, dates and rules only; never the erased values.
    pub fn erasure_journal(
        &self,
        actor: &Actor,
    ) -> Result<Vec<kwijting_store::erasure::JournalBatch>, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Read, "the erasure journal")?;
        Ok(self.store.erasure_journal()?)
    }
}

/// Cases per retention chunk: one transaction each.
pub const RETENTION_CHUNK: usize = 25_000;

/// What was kept, as the answer to the person and the CLI's `--json` give it.
pub fn kept_json(k: &Kept) -> serde_json::Value {
    serde_json::json!({
        "ground": format!("{:?}", k.ground).split([' ', '{']).next().unwrap_or_default(),
        "article": k.ground.article(),
        "reason": k.ground.reason(),
        "until": k.until.map(|d| d.to_string()),
        "fields": k.fields,
        "categories": k.categories,
        "cases": k.cases,
    })
}

/// A legal hold as JSON (the API and the CLI's `--json`).
pub fn hold_json(h: &kwijting_store::erasure::LegalHoldRow) -> serde_json::Value {
    serde_json::json!({
        "id": h.id, "party": h.party.0, "case": h.case.map(|c| c.0),
        "case_number": h.case.and_then(|c| kwijting_store::case_number(c).ok()),
        "reason": h.reason, "owner": h.owner,
        "placed_on": h.placed_on.to_string(),
        "lifted_on": h.lifted_on.map(|d| d.to_string()),
        "lifted_by": h.lifted_by,
    })
}

/// A retention run's report (or a dry run's preview) as JSON: counts per
/// purpose, category and field, never values.
pub fn report_json(r: &RetentionReport) -> serde_json::Value {
    serde_json::json!({
        "as_of": r.as_of.to_string(),
        "dry_run": r.dry_run,
        "rule": r.rule,
        "closed_before": r.closed_before.to_string(),
        "processor_rule": r.processor_rule,
        "mandate_ended_before": r.mandate_ended_before.to_string(),
        "cases": r.cases,
        "parties": r.parties,
        "per_purpose": r.per_purpose,
        "per_category": r.per_category,
        "fields": r.fields.iter().map(|f| serde_json::json!({
            "table": f.table, "column": f.column, "category": f.category, "rows": f.rows,
        })).collect::<Vec<_>>(),
        "active_legal_holds": r.active_legal_holds,
    })
}

/// An erasure's outcome: what was erased (fields and row counts, never
/// values) and what is kept, why and until when.
pub fn outcome_json(o: &ErasureOutcome) -> serde_json::Value {
    serde_json::json!({
        "party": o.party.0,
        "cause": o.cause.as_str(),
        "as_of": o.as_of.to_string(),
        "dry_run": o.dry_run,
        "erased": o.erased.iter().map(|f| serde_json::json!({
            "table": f.table, "column": f.column, "category": f.category,
            "purposes": f.purposes, "rows": f.rows,
        })).collect::<Vec<_>>(),
        "erased_cases": o.erased_cases,
        "kept": o.kept.iter().map(kept_json).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn first_kept_day_matches_expiry() {
        let policy = kwijting_policy::Policy::load_default().unwrap();
        let cases = policy.retention_rule("case_closed_60m").unwrap();
        assert_eq!(
            first_kept_day(cases, date(2026, 11, 21)),
            date(2021, 11, 22)
        );
        let fiscal = policy.retention_rule("fiscal_7y").unwrap();
        // Booked in 2019: kept through 2026-12-31; 2018 expired on 2026-01-01.
        assert_eq!(first_kept_day(fiscal, date(2026, 11, 21)), date(2019, 1, 1));
        assert_eq!(first_kept_day(fiscal, date(2027, 1, 1)), date(2020, 1, 1));
    }

    #[test]
    fn every_statutory_datum_has_a_record_date() {
        let policy = kwijting_policy::Policy::load_default().unwrap();
        for d in erasable(&policy) {
            if statutory(&policy, &d).is_some() {
                assert!(
                    RECORD_DATES.iter().any(|(t, _)| *t == d.table),
                    "{}.{} has a statutory purpose but no record date in RECORD_DATES",
                    d.table,
                    d.column
                );
            }
        }
    }

    #[test]
    fn identifying_data_and_free_text_are_erasable_aggregates_are_not() {
        let policy = kwijting_policy::Policy::load_default().unwrap();
        let data = erasable(&policy);
        let has = |t: &str, c: &str| data.iter().any(|d| d.table == t && d.column == c);
        assert!(has("parties", "name") && has("parties", "iban") && has("parties", "birth_date"));
        assert!(has("bank_entries", "counterparty_name") && has("bank_entries", "remittance"));
        assert!(has("claims", "description") && has("health_records", "content"));
        assert!(!has("cases", "principal_cents") && !has("claims", "due_date"));
        assert!(
            !has("holds", "placed_by"),
            "staff columns are not the subject's"
        );
    }
}
