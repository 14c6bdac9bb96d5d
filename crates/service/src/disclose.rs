//! Disclosures of personal data to recipients outside the agency (R23 to
//! R25): allowed only for a purpose whose policy lists the recipient, only
//! to a country in the EEA or with a recorded safeguard (R24, GDPR ch. V),
//! and every disclosure, and every refusal, is logged.

use kwijting_domain::{Actor, Date, PartyId};
use kwijting_policy::{Country, EEA_COUNTRIES, TransferSafeguard};
use kwijting_store::Disclosure;

use crate::{Access, Kwijting, ServiceError};

/// What is about to be disclosed, and to whom.
#[derive(Debug, Clone)]
pub struct DisclosureRequest<'a> {
    pub party: PartyId,
    /// A recipient category id from the policy, e.g. `address_provider`.
    pub recipient: &'a str,
    /// The data categories sent; they must be ones the purpose processes.
    pub categories: &'a [&'a str],
    pub purpose: &'a str,
    /// Where the data goes (ISO 3166 alpha-2); for a recipient category
    /// whose country varies (e.g. a collection agency abroad, R6) this is
    /// the actual recipient's country.
    pub country: &'a str,
    pub on: Date,
}

#[derive(Debug, thiserror::Error)]
#[error("disclosure to {recipient} refused: {reason}")]
pub struct DisclosureRefused {
    pub recipient: String,
    pub reason: String,
}

fn safeguard_name(s: TransferSafeguard) -> &'static str {
    match s {
        TransferSafeguard::None => "none",
        TransferSafeguard::Adequacy => "adequacy",
        TransferSafeguard::StandardContractualClauses => "standard_contractual_clauses",
        TransferSafeguard::BindingCorporateRules => "binding_corporate_rules",
        TransferSafeguard::Art49_1E => "art_49_1_e",
    }
}

impl Kwijting {
    /// Decides a disclosure by the policy and logs it, allowed or refused.
    /// The caller sends the data only on `Ok`.
    pub fn disclose(
        &self,
        actor: &Actor,
        req: &DisclosureRequest<'_>,
    ) -> Result<Disclosure, ServiceError> {
        self.door().check(
            actor,
            None,
            req.categories,
            Access::Read,
            "data for a disclosure",
        )?;
        let policy = self.policy();
        // Restriction, objection or withdrawn consent stop it at once.
        let stopped = self.processing_stopped(req.party, req.purpose)?;
        let mut entry = Disclosure {
            party: req.party,
            recipient: req.recipient.to_owned(),
            categories: req.categories.join(","),
            purpose: req.purpose.to_owned(),
            legal_basis: String::new(),
            country: req.country.to_owned(),
            safeguard: "none".to_owned(),
            refused: None,
            disclosed_on: req.on,
            actor: actor.name(),
        };
        let refusal = (|| {
            let purpose = policy
                .purpose(req.purpose)
                .ok_or_else(|| format!("purpose '{}' is not in the policy", req.purpose))?;
            entry.legal_basis = purpose
                .legal_bases
                .iter()
                .map(|b| b.as_str())
                .collect::<Vec<_>>()
                .join(",");
            if let Some(reason) = &stopped {
                return Err(reason.clone());
            }
            if !purpose.may_disclose_to(req.recipient) {
                return Err(format!(
                    "the policy gives purpose '{}' no basis to disclose to '{}'",
                    req.purpose, req.recipient
                ));
            }
            if let Some(c) = req
                .categories
                .iter()
                .find(|c| !purpose.data_categories.iter().any(|p| p == *c))
            {
                return Err(format!(
                    "purpose '{}' does not process data of category '{c}'",
                    req.purpose
                ));
            }
            let recipient = policy
                .recipient(req.recipient)
                .ok_or_else(|| format!("recipient '{}' is not in the policy", req.recipient))?;
            entry.safeguard = safeguard_name(recipient.transfer_safeguard).to_owned();
            let country = req.country.to_ascii_uppercase();
            let in_eea = EEA_COUNTRIES.contains(&country.as_str());
            if let Country::Code(c) = &recipient.country
                && *c != country
            {
                return Err(format!(
                    "recipient '{}' is registered in {c}, not {country}",
                    req.recipient
                ));
            }
            if !in_eea && recipient.transfer_safeguard == TransferSafeguard::None {
                return Err(format!(
                    "{country} is outside the EEA and no transfer safeguard (adequacy, standard clauses, binding rules or art. 49(1)(e)) is recorded for '{}'",
                    req.recipient
                ));
            }
            Ok(())
        })();
        if let Err(reason) = refusal {
            entry.refused = Some(reason.clone());
            self.store.record_disclosure(&entry)?;
            return Err(ServiceError::Refused(reason));
        }
        Ok(entry)
    }

    /// The disclosure log of a party.
    pub fn disclosures(
        &self,
        actor: &Actor,
        party: PartyId,
    ) -> Result<Vec<Disclosure>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history"],
            Access::Read,
            "disclosure log",
        )?;
        Ok(self.store.disclosures_for_party(party)?)
    }
}
