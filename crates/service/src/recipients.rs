//! The register of actual recipients (R23 to R25): the organisations data
//! is disclosed to, with their country and, outside the EEA, the transfer
//! safeguard (GDPR ch. V) recorded with its date and document. An
//! art. 49(1)(e) derogation is recorded for one legal claim (a case) and
//! holds for that case only. Also the end of a client's mandate (R1), the
//! trigger of the retention of data held as the client's processor.

use kwijting_domain::{Actor, Date};
use kwijting_policy::{EEA_COUNTRIES, TransferSafeguard};
use kwijting_store::{NewRecipient, RecipientRow};

use crate::{Access, Kwijting, ServiceError};

/// Countries with a Commission adequacy decision (GDPR art. 45): Andorra,
/// Argentina, Canada, the Faroe Islands, Guernsey, Israel, the Isle of Man,
/// Japan, Jersey, New Zealand, the Republic of Korea, Switzerland, the United
/// Kingdom, the United States (certified organisations, EU-US Data Privacy
/// Framework) and Uruguay.
pub const ADEQUACY_COUNTRIES: [&str; 15] = [
    "AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "GB", "US", "UY",
];

pub fn safeguard_name(s: TransferSafeguard) -> &'static str {
    match s {
        TransferSafeguard::None => "none",
        TransferSafeguard::Adequacy => "adequacy",
        TransferSafeguard::StandardContractualClauses => "standard_contractual_clauses",
        TransferSafeguard::BindingCorporateRules => "binding_corporate_rules",
        TransferSafeguard::Art49_1E => "art_49_1_e",
    }
}

pub fn parse_safeguard(s: &str) -> Option<TransferSafeguard> {
    [
        TransferSafeguard::None,
        TransferSafeguard::Adequacy,
        TransferSafeguard::StandardContractualClauses,
        TransferSafeguard::BindingCorporateRules,
        TransferSafeguard::Art49_1E,
    ]
    .into_iter()
    .find(|g| safeguard_name(*g) == s)
}

pub fn in_eea(country: &str) -> bool {
    EEA_COUNTRIES.contains(&country)
}

/// A recipient to register, as staff or the API give it.
#[derive(Debug, Clone, Default)]
pub struct RecipientInput {
    pub name: String,
    pub category: String,
    pub country: String,
    pub safeguard: String,
    pub safeguard_on: Option<Date>,
    pub safeguard_ref: Option<String>,
    /// Art. 49(1)(e): the case number of the legal claim.
    pub case: Option<String>,
    pub legal_claim: Option<String>,
}

fn invalid(m: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(m.into())
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Kwijting {
    /// Registers an actual recipient. Refused, with nothing stored, when
    /// the category is not in the policy, the country is no ISO code, a
    /// safeguard lacks its date or document, adequacy is claimed for a
    /// country without an adequacy decision, a safeguard is given for a
    /// country inside the EEA (no transfer needs one), or art. 49(1)(e)
    /// names no case and claim.
    pub fn add_recipient(
        &self,
        actor: &Actor,
        input: &RecipientInput,
    ) -> Result<RecipientRow, ServiceError> {
        let claim_categories: &[&str] = if input.case.is_some() {
            &["case_history"]
        } else {
            &[]
        };
        self.door().check(
            actor,
            None,
            claim_categories,
            Access::Write,
            "the recipients register",
        )?;
        let name = input.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(invalid("name: 1 to 200 characters"));
        }
        let policy = self.policy();
        let category = policy.recipient(input.category.trim()).ok_or_else(|| {
            invalid(format!(
                "category: '{}' is not a recipient category of the policy",
                input.category
            ))
        })?;
        let country = input.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(format!(
                "country: '{}' is not an ISO 3166 alpha-2 code",
                input.country
            )));
        }
        if let kwijting_policy::Country::Code(c) = &category.country
            && *c != country
        {
            return Err(invalid(format!(
                "country: the policy places recipients of category '{}' in {c}, not {country}",
                category.id
            )));
        }
        if category.country == kwijting_policy::Country::Eea && !in_eea(&country) {
            return Err(invalid(format!(
                "country: the policy places recipients of category '{}' inside the EEA, and {country} is not",
                category.id
            )));
        }
        let safeguard = parse_safeguard(input.safeguard.trim()).ok_or_else(|| {
            invalid(format!(
                "safeguard: '{}' is not none, adequacy, standard_contractual_clauses, binding_corporate_rules or art_49_1_e",
                input.safeguard
            ))
        })?;
        let reference = nonempty(&input.safeguard_ref);
        let legal_claim = nonempty(&input.legal_claim);
        let case = nonempty(&input.case);
        if safeguard == TransferSafeguard::None {
            if reference.is_some() || input.safeguard_on.is_some() || case.is_some() {
                return Err(invalid(
                    "safeguard: a date, document or case needs a safeguard to belong to",
                ));
            }
        } else {
            if in_eea(&country) {
                return Err(invalid(format!(
                    "safeguard: {country} is inside the EEA; sharing there is no transfer and needs no safeguard"
                )));
            }
            if input.safeguard_on.is_none() || reference.is_none() {
                return Err(invalid(
                    "safeguard: record the date (--recorded-on) and the document reference (--reference)",
                ));
            }
        }
        if safeguard == TransferSafeguard::Adequacy
            && !ADEQUACY_COUNTRIES.contains(&country.as_str())
        {
            return Err(invalid(format!(
                "safeguard: {country} has no adequacy decision (GDPR art. 45)"
            )));
        }
        let claim_case = match (safeguard, &case, &legal_claim) {
            (TransferSafeguard::Art49_1E, Some(number), Some(_)) => Some(
                self.store
                    .case_by_number(number)?
                    .ok_or_else(|| ServiceError::UnknownCase(number.clone()))?
                    .summary
                    .id,
            ),
            (TransferSafeguard::Art49_1E, _, _) => {
                return Err(invalid(
                    "safeguard: art. 49(1)(e) holds for one legal claim: name its case (--case) and the claim (--legal-claim)",
                ));
            }
            (_, None, None) => None,
            _ => {
                return Err(invalid(
                    "case: only an art. 49(1)(e) derogation is limited to a case",
                ));
            }
        };
        Ok(self.store.add_recipient(&NewRecipient {
            name: name.to_owned(),
            category: category.id.clone(),
            country,
            safeguard: safeguard_name(safeguard).to_owned(),
            safeguard_on: input.safeguard_on,
            safeguard_ref: reference,
            claim_case,
            legal_claim,
            recorded_at: self.clock().now(),
            recorded_by: actor.name(),
        })?)
    }

    /// The recipients register.
    pub fn recipients(&self, actor: &Actor) -> Result<Vec<RecipientRow>, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Read, "the recipients register")?;
        Ok(self.store.recipients()?)
    }

    /// Records the end of a client's mandate. Where the agency is the
    /// client's processor (R1), the retention run returns-or-erases the
    /// client's data by the policy's `mandate_ended` rule from that date.
    pub fn end_mandate(
        &self,
        actor: &Actor,
        client_ref: &str,
        on: Date,
    ) -> Result<(), ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "clients")?;
        let client = self
            .store
            .client_by_ref(client_ref)?
            .ok_or_else(|| ServiceError::UnknownClient(client_ref.to_owned()))?;
        self.store.end_client_mandate(client.id, on)?;
        Ok(())
    }

    /// When a client's mandate ended, if it did.
    pub fn mandate_end(
        &self,
        actor: &Actor,
        client_ref: &str,
    ) -> Result<Option<Date>, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Read, "clients")?;
        let client = self
            .store
            .client_by_ref(client_ref)?
            .ok_or_else(|| ServiceError::UnknownClient(client_ref.to_owned()))?;
        Ok(self.store.client_mandate_end(client.id)?)
    }
}

/// A registered recipient as JSON (the API and the CLI's `--json`).
pub fn recipient_json(r: &RecipientRow) -> serde_json::Value {
    let n = &r.recipient;
    serde_json::json!({
        "id": r.id,
        "name": n.name,
        "category": n.category,
        "country": n.country,
        "safeguard": n.safeguard,
        "safeguard_recorded_on": n.safeguard_on.map(|d| d.to_string()),
        "safeguard_reference": n.safeguard_ref,
        "case": r.claim_case_number,
        "legal_claim": n.legal_claim,
        "recorded_at": n.recorded_at.to_string(),
        "recorded_by": n.recorded_by,
    })
}

impl Kwijting {
    /// Switches a client's mandate from a day (R1): from `from` the agency
    /// is its processor or a controller. The mandate before the first
    /// switch is recorded as in force until then, so the daily run of any
    /// day knows which applied. A switch on or before today takes effect at
    /// once; a later one when the daily run reaches its day.
    pub fn switch_mandate(
        &self,
        actor: &Actor,
        client_ref: &str,
        role: kwijting_domain::ClientRole,
        from: Date,
    ) -> Result<Vec<kwijting_store::MandateChange>, ServiceError> {
        use kwijting_store::{MandateChange, MandateStore};
        self.door()
            .check(actor, None, &[], Access::Write, "clients")?;
        let client = self
            .store
            .client_by_ref(client_ref)?
            .ok_or_else(|| ServiceError::UnknownClient(client_ref.to_owned()))?;
        let today = self.clock().today();
        let history: Vec<MandateChange> = self
            .store
            .mandate_changes()?
            .into_iter()
            .filter(|c| c.client == client.id)
            .collect();
        if history.is_empty() {
            // What held until now, from the first day the engines know.
            let since =
                kwijting_domain::parse_date("1900-01-01").map_err(crate::settle::internal)?;
            self.store.record_mandate_change(&MandateChange {
                client: client.id,
                role: client.role,
                effective_from: since,
                recorded_on: today,
                recorded_by: actor.name(),
            })?;
        }
        if !self.store.record_mandate_change(&MandateChange {
            client: client.id,
            role,
            effective_from: from,
            recorded_on: today,
            recorded_by: actor.name(),
        })? {
            return Err(ServiceError::Conflict {
                what: "mandate change of client on day",
                key: format!("{client_ref} {from}"),
            });
        }
        self.store.apply_mandate_changes(today)?;
        Ok(self
            .store
            .mandate_changes()?
            .into_iter()
            .filter(|c| c.client == client.id)
            .collect())
    }
}

/// The mandate of each client on `on` from the recorded changes; clients
/// without any keep the role they have.
pub(crate) fn mandates_on(
    changes: &[kwijting_store::MandateChange],
    on: Date,
) -> std::collections::HashMap<kwijting_domain::ClientId, kwijting_domain::ClientRole> {
    let mut out = std::collections::HashMap::new();
    // Ordered by client and day: the last one on or before `on` wins.
    for c in changes.iter().filter(|c| c.effective_from <= on) {
        out.insert(c.client, c.role);
    }
    out
}
