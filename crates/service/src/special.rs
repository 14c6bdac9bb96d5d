//! Special categories of data (R10, GDPR art. 9 and 10), kept apart, each
//! record with its basis, read only by roles the policy permits, every read
//! and every refusal logged; legal holds (R22); and notices of a changed
//! privacy statement (R42).

use kwijting_domain::{Actor, ActorKind, CaseId, Date, PartyId};
use kwijting_policy::ChangeNotice;
use kwijting_store::erasure::{LegalHoldRow, SpecialRead, SpecialRecord};

use crate::{Access, Kwijting, ServiceError};

/// The special categories the store keeps apart.
pub const SPECIAL_CATEGORIES: [&str; 2] = ["health", "criminal"];

/// A special-category record to store.
#[derive(Debug, Clone)]
pub struct NewSpecialRecord<'a> {
    /// `health` or `criminal`.
    pub category: &'a str,
    pub party: PartyId,
    pub case: Option<CaseId>,
    /// `9.2.a` (consent), `9.2.f` (a legal claim) or `10` (criminal data).
    pub basis: &'a str,
    /// The legal claim the data is needed for (9(2)(f), art. 10).
    pub legal_claim: Option<&'a str>,
    /// The recorded consent (9(2)(a)).
    pub consent_ref: Option<&'a str>,
    pub purpose: &'a str,
    pub content: &'a str,
    pub on: Date,
}

fn role_of(actor: &Actor) -> String {
    actor.role.as_str().to_owned()
}

impl Kwijting {
    fn special_category(&self, category: &str) -> Result<(), ServiceError> {
        if !SPECIAL_CATEGORIES.contains(&category) {
            return Err(ServiceError::Invalid(format!(
                "category '{category}' is not kept apart: use health or criminal"
            )));
        }
        Ok(())
    }

    /// Stores a health or criminal-record datum with its basis.
    pub fn record_special(
        &self,
        actor: &Actor,
        r: &NewSpecialRecord<'_>,
    ) -> Result<i64, ServiceError> {
        self.special_category(r.category)?;
        let facts = self
            .store
            .subject_facts(r.party)?
            .ok_or_else(|| ServiceError::Invalid(format!("no party with id {}", r.party.0)))?;
        self.door().check(
            actor,
            Some(facts.client),
            &[r.category],
            Access::Write,
            "special-category data",
        )?;
        let (claim, consent) = (blank(r.legal_claim), blank(r.consent_ref));
        match (r.category, r.basis) {
            ("health", "9.2.a") if consent.is_none() => {
                return Err(ServiceError::Invalid(
                    "basis 9.2.a (consent) needs --consent-ref naming the recorded consent".into(),
                ));
            }
            ("health", "9.2.f") if claim.is_none() => {
                return Err(ServiceError::Invalid(
                    "basis 9.2.f needs --legal-claim naming the claim the data is needed for"
                        .into(),
                ));
            }
            ("health", "9.2.a" | "9.2.f") => {}
            ("criminal", "10") if claim.is_none() && r.purpose != "aml" => {
                return Err(ServiceError::Invalid(
                    "criminal-record data (art. 10) needs --legal-claim, or purpose aml (Wwft)"
                        .into(),
                ));
            }
            ("criminal", "10") => {}
            (c, b) => {
                return Err(ServiceError::Invalid(format!(
                    "basis '{b}' is not a basis for {c} data: health takes 9.2.a or 9.2.f, criminal takes 10"
                )));
            }
        }
        let purpose = self.policy().purpose(r.purpose).ok_or_else(|| {
            ServiceError::Invalid(format!("purpose '{}' is not in the policy", r.purpose))
        })?;
        if !purpose.processes(r.category)
            || !purpose.legal_bases.iter().any(|b| b.as_str() == r.basis)
        {
            return Err(ServiceError::Invalid(format!(
                "purpose '{}' does not process {} data on basis {}",
                r.purpose, r.category, r.basis
            )));
        }
        if r.content.trim().is_empty() {
            return Err(ServiceError::Invalid("the record is empty".into()));
        }
        Ok(self.store.add_special(
            r.category,
            &SpecialRecord {
                id: 0,
                party: r.party,
                case: r.case,
                basis: r.basis.to_owned(),
                legal_claim: claim.map(str::to_owned),
                consent_ref: consent.map(str::to_owned),
                purpose: r.purpose.to_owned(),
                content: r.content.to_owned(),
                recorded_on: r.on,
                recorded_by: actor.name(),
            },
        )?)
    }

    /// A party's records of one special category. Every read, and every
    /// refusal, is logged.
    pub fn read_special(
        &self,
        actor: &Actor,
        category: &str,
        party: PartyId,
    ) -> Result<Vec<SpecialRecord>, ServiceError> {
        self.special_category(category)?;
        let client = self.store.subject_facts(party)?.map(|f| f.client);
        let mut entry = SpecialRead {
            party,
            category: category.to_owned(),
            records: 0,
            actor: actor.name(),
            role: role_of(actor),
            purpose: actor.purpose.as_str().to_owned(),
            outcome: "read".into(),
            reason: None,
            read_at: self.clock().now(),
        };
        if let Err(e) = self.door().check(
            actor,
            client,
            &[category],
            Access::Read,
            "special-category data",
        ) {
            entry.outcome = "refused".into();
            entry.reason = Some(e.reason.clone());
            self.store.log_special_read(&entry)?;
            return Err(e.into());
        }
        let records = self.store.special_records(category, party)?;
        entry.records = records.len() as i64;
        self.store.log_special_read(&entry)?;
        Ok(records)
    }

    /// The log of reads of a party's special-category data (accountability).
    pub fn special_reads(
        &self,
        actor: &Actor,
        party: PartyId,
    ) -> Result<Vec<SpecialRead>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["staff_identity"],
            Access::Read,
            "the special-data read log",
        )?;
        Ok(self.store.special_reads(party)?)
    }

    /// Places a legal hold (R22) on a party, or on one case (`case`, whose
    /// debtor `party` is).
    pub fn add_legal_hold(
        &self,
        actor: &Actor,
        party: PartyId,
        case: Option<CaseId>,
        reason: &str,
        owner: &str,
        on: Date,
    ) -> Result<i64, ServiceError> {
        self.door()
            .check(actor, None, &["case_history"], Access::Write, "legal holds")?;
        if reason.trim().is_empty() || owner.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "a legal hold needs a reason and an owner".into(),
            ));
        }
        if self.store.subject_facts(party)?.is_none() {
            return Err(ServiceError::Invalid(format!(
                "no party with id {}",
                party.0
            )));
        }
        Ok(self.store.add_legal_hold(party, case, reason, owner, on)?)
    }

    pub fn lift_legal_hold(&self, actor: &Actor, id: i64, on: Date) -> Result<(), ServiceError> {
        self.door()
            .check(actor, None, &["case_history"], Access::Write, "legal holds")?;
        if !self.store.lift_legal_hold(id, &actor.name(), on)? {
            return Err(ServiceError::Invalid(format!(
                "no active legal hold with id {id}"
            )));
        }
        Ok(())
    }

    pub fn legal_holds(
        &self,
        actor: &Actor,
        active_only: bool,
    ) -> Result<Vec<LegalHoldRow>, ServiceError> {
        self.door()
            .check(actor, None, &["case_history"], Access::Read, "legal holds")?;
        Ok(self.store.legal_holds(active_only)?)
    }

    /// Queues a notice of the policy's statement version for everyone with
    /// an e-mail address on file (R42): once per person and version, so a
    /// second call queues nothing. Returns (version, notices queued).
    pub fn notify_statement_change(&self, actor: &Actor) -> Result<(String, u64), ServiceError> {
        self.door().check(
            actor,
            None,
            &["contact"],
            Access::Write,
            "statement-change notices",
        )?;
        let statement = self.policy().statement();
        match statement.change_notice {
            ChangeNotice::Email => {}
        }
        let n = self
            .store
            .queue_statement_notices(&statement.version, self.clock().now())?;
        Ok((statement.version.clone(), n))
    }
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A member of staff acting in a role for a purpose (the CLI's `--user`).
pub fn staff_actor(user: &str, role: &str, purpose: &str) -> Actor {
    Actor {
        kind: ActorKind::Staff(user.to_owned()),
        role: kwijting_domain::Role::new(role),
        scope: kwijting_domain::ClientScope::All,
        purpose: kwijting_domain::PurposeId::new(purpose),
    }
}
