//! Holds, the review queue and the address and credit providers: the parts
//! of collection a person or an outside service takes part in.

use kwijting_domain::{Actor, CaseId, Date, PartyId};
use kwijting_store::{DecisionRow, Disclosure, HoldRow, ProviderResult};

use crate::disclose::DisclosureRequest;
use crate::keys::Fnv128;
use crate::{Access, Kwijting, ServiceError};

/// Holds a person places: why collection stops or pauses. A hold is never
/// overridden by a strategy; the daily run leaves a held case alone. (An
/// active arrangement and an expired limitation are holds the system
/// derives itself.)
pub const HOLD_KINDS: &[&str] = &[
    "dispute",
    "debt_counselling",
    "wsnp",
    "gdpr_restriction",
    "pending_objection",
    // An objection to collection was accepted (GDPR art. 21(1)).
    "objection_accepted",
    "deceased",
    "client_hold",
    "human_review_requested",
];

impl Kwijting {
    fn case_id(
        &self,
        actor: &Actor,
        number: &str,
        access: Access,
    ) -> Result<(CaseId, kwijting_store::CaseDetail), ServiceError> {
        let file = self.case_file(actor, number)?;
        self.door().check(
            actor,
            Some(file.summary.client_id),
            &["case_history"],
            access,
            "case holds",
        )?;
        Ok((file.summary.id, file))
    }

    pub fn place_hold(
        &self,
        actor: &Actor,
        number: &str,
        kind: &str,
        reason: &str,
        on: Date,
    ) -> Result<i64, ServiceError> {
        if !HOLD_KINDS.contains(&kind) {
            return Err(ServiceError::Invalid(format!(
                "'{kind}' is not a hold; one of: {}",
                HOLD_KINDS.join(", ")
            )));
        }
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid("a hold needs a reason".into()));
        }
        let (case, _) = self.case_id(actor, number, Access::Write)?;
        Ok(self
            .store
            .place_hold(case, kind, reason.trim(), on, &actor.name())?)
    }

    pub fn lift_hold(
        &self,
        actor: &Actor,
        number: &str,
        kind: &str,
        on: Date,
    ) -> Result<u64, ServiceError> {
        let (case, _) = self.case_id(actor, number, Access::Write)?;
        Ok(self.store.lift_hold(case, kind, on)?)
    }

    pub fn holds(&self, actor: &Actor, number: &str) -> Result<Vec<HoldRow>, ServiceError> {
        let (case, _) = self.case_id(actor, number, Access::Read)?;
        Ok(self.store.holds_for_case(case)?)
    }

    /// The debtor asks for a person to look at an automated decision (GDPR
    /// art. 22(3), R39): the case pauses until a reviewer lifts the hold.
    pub fn request_human_review(
        &self,
        actor: &Actor,
        number: &str,
        reason: &str,
        on: Date,
    ) -> Result<i64, ServiceError> {
        let reason = if reason.trim().is_empty() {
            "the debtor asked for a human review of an automated decision"
        } else {
            reason
        };
        self.place_hold(actor, number, "human_review_requested", reason, on)
    }

    /// A case's decisions, newest first.
    pub fn decisions(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<(kwijting_store::CaseDetail, Vec<DecisionRow>), ServiceError> {
        let (case, file) = self.case_id(actor, number, Access::Read)?;
        Ok((file, self.store.decisions_for_case(case)?))
    }

    pub fn review_queue(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> Result<Vec<DecisionRow>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history", "debt"],
            Access::Read,
            "review queue",
        )?;
        Ok(self.store.review_queue(limit)?)
    }

    /// A person approves or rejects a decision with legal effect. An
    /// approved decision's action is queued now.
    pub fn review(&self, actor: &Actor, decision: i64, approve: bool) -> Result<(), ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history", "debt"],
            Access::Write,
            "review queue",
        )?;
        let now = self.clock().now();
        if !self.store.review_decision(
            decision,
            approve,
            &actor.name(),
            now,
            self.clock().today(),
            now,
        )? {
            return Err(ServiceError::Invalid(format!(
                "decision {decision} is not waiting for review"
            )));
        }
        // An approved costs demand may make costs due on a day the case's
        // ledger has posted past already.
        if approve && let Some(case) = self.store.decision_case(decision)? {
            self.restate_on_ledger(&[case], &format!("decision {decision} approved"))?;
        }
        Ok(())
    }
}

/// What is sent to a provider: as little as identifies the person (data
/// minimisation), never the debt.
#[derive(Debug, Clone)]
pub struct ProviderQuery {
    pub party: PartyId,
    pub name: String,
    pub birth_date: Option<Date>,
    pub postcode: String,
    pub country: String,
}

/// Checks whether a postal address is current (R5).
pub trait AddressProvider: Send + Sync {
    /// The provider's name, recorded as the source of its answers.
    fn name(&self) -> &str;
    /// `verified`, `moved` or `unknown`.
    fn check(&self, q: &ProviderQuery) -> String;
}

/// Credit information: a band A (good) to E (poor) (R8, R12).
pub trait CreditProvider: Send + Sync {
    fn name(&self) -> &str;
    fn band(&self, q: &ProviderQuery) -> String;
}

/// A deterministic stand-in for both providers, for the demo and tests:
/// the same person always gets the same answer.
pub struct SimulatedProvider;

impl SimulatedProvider {
    fn roll(q: &ProviderQuery, salt: &str) -> u64 {
        Fnv128::new()
            .field(salt)
            .i64(q.party.0)
            .field(&q.name)
            .field(&q.postcode)
            .finish() as u64
            % 100
    }
}

impl AddressProvider for SimulatedProvider {
    fn name(&self) -> &str {
        "simulated address provider"
    }

    fn check(&self, q: &ProviderQuery) -> String {
        match Self::roll(q, "address") {
            0..=84 => "verified",
            85..=94 => "moved",
            _ => "unknown",
        }
        .to_owned()
    }
}

impl CreditProvider for SimulatedProvider {
    fn name(&self) -> &str {
        "simulated credit bureau"
    }

    fn band(&self, q: &ProviderQuery) -> String {
        match Self::roll(q, "credit") {
            0..=19 => "A",
            20..=44 => "B",
            45..=69 => "C",
            70..=87 => "D",
            _ => "E",
        }
        .to_owned()
    }
}

/// How many provider checks a run of the work queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProviderWork {
    pub address_checks: u64,
    pub credit_checks: u64,
    pub refused: u64,
}

/// Queued checks handled per call, at most.
pub const PROVIDER_BATCH_MAX: u32 = 10_000;

impl Kwijting {
    /// Carries out queued address and credit checks: each sends the least
    /// data that identifies the debtor, logs the disclosure, and stores the
    /// answer with its source and date (GDPR art. 14).
    pub fn run_provider_checks(
        &self,
        actor: &Actor,
        on: Date,
        address: &dyn AddressProvider,
        credit: &dyn CreditProvider,
    ) -> Result<ProviderWork, ServiceError> {
        let mut done = ProviderWork::default();
        for (kind, recipient) in [
            ("address_check", "address_provider"),
            ("credit_check", "credit_bureau"),
        ] {
            loop {
                let items = self.store.queued_work(kind, PROVIDER_BATCH_MAX)?;
                if items.is_empty() {
                    break;
                }
                let mut batch = Vec::with_capacity(items.len());
                let mut refused = Vec::new();
                for item in items {
                    let q = ProviderQuery {
                        party: item.party,
                        name: item.name,
                        birth_date: item.birth_date,
                        postcode: item.postcode,
                        country: item.country,
                    };
                    let req = DisclosureRequest {
                        party: item.party,
                        recipient,
                        actual: None,
                        case: None,
                        categories: &["identity", "contact"],
                        purpose: "collection",
                        country: "NL",
                        on,
                    };
                    let disclosure: Disclosure = match self.disclose(actor, &req) {
                        Ok(d) => d,
                        Err(ServiceError::Refused(_)) => {
                            done.refused += 1;
                            refused.push(item.id);
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let (result_kind, result, provider) = if kind == "address_check" {
                        done.address_checks += 1;
                        ("address", address.check(&q), address.name().to_owned())
                    } else {
                        done.credit_checks += 1;
                        ("credit", credit.band(&q), credit.name().to_owned())
                    };
                    batch.push((
                        item.id,
                        ProviderResult {
                            party: item.party,
                            kind: result_kind.into(),
                            result,
                            provider,
                            obtained_on: on,
                        },
                        disclosure,
                    ));
                }
                self.store.record_provider_work(&batch)?;
                if !refused.is_empty() {
                    // A refused check will not become allowed by asking
                    // again today; the policy has to change first.
                    self.store.set_work_state(&refused, "refused")?;
                }
            }
        }
        Ok(done)
    }
}
