//! Disclosures of personal data to recipients outside the agency (R23 to
//! R25): allowed only for a purpose whose policy lists the recipient's
//! category; outside the EEA only to an actual recipient from the register
//! (`recipients.rs`) with a recorded transfer safeguard (R24, GDPR ch. V),
//! an art. 49(1)(e) derogation only for the case it names; and every
//! disclosure, and every refusal, is logged with the actual recipient,
//! country and safeguard.

use kwijting_domain::{Actor, Date, PartyId};
use kwijting_policy::{Country, TransferSafeguard};
use kwijting_store::Disclosure;

use crate::recipients::{in_eea, parse_safeguard, safeguard_name};
use crate::{Access, Kwijting, ServiceError};

/// What is about to be disclosed, and to whom.
#[derive(Debug, Clone)]
pub struct DisclosureRequest<'a> {
    pub party: PartyId,
    /// A recipient category id from the policy, e.g. `address_provider`.
    pub recipient: &'a str,
    /// The actual recipient, by its name in the register. Required outside
    /// the EEA; inside it the category suffices (e.g. the providers).
    pub actual: Option<&'a str>,
    /// The data categories sent; they must be ones the purpose processes.
    pub categories: &'a [&'a str],
    pub purpose: &'a str,
    /// Where the data goes (ISO 3166 alpha-2). With an actual recipient it
    /// may be empty: the register's country applies.
    pub country: &'a str,
    /// The case (number) the disclosure serves: an art. 49(1)(e) safeguard
    /// holds only for the case it was recorded for.
    pub case: Option<&'a str>,
    pub on: Date,
}

#[derive(Debug, thiserror::Error)]
#[error("disclosure to {recipient} refused: {reason}")]
pub struct DisclosureRefused {
    pub recipient: String,
    pub reason: String,
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
            recipient_id: None,
            recipient_name: None,
            safeguard_ref: None,
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
            let mut country = req.country.trim().to_ascii_uppercase();
            let mut safeguard = recipient.transfer_safeguard;
            if let Some(name) = req.actual {
                let actual = self
                    .store
                    .recipient_by_name(name)
                    .map_err(|e| format!("the recipients register could not be read: {e}"))?
                    .ok_or_else(|| format!("'{name}' is not in the recipients register"))?;
                let r = &actual.recipient;
                entry.recipient_id = Some(actual.id);
                entry.recipient_name = Some(r.name.clone());
                if r.category != req.recipient {
                    return Err(format!(
                        "'{name}' is registered as a recipient of category '{}', not '{}'",
                        r.category, req.recipient
                    ));
                }
                if !country.is_empty() && country != r.country {
                    return Err(format!(
                        "'{name}' is registered in {}, not {country}",
                        r.country
                    ));
                }
                country.clone_from(&r.country);
                entry.country.clone_from(&r.country);
                safeguard = parse_safeguard(&r.safeguard).unwrap_or_default();
                entry.safeguard.clone_from(&r.safeguard);
                entry.safeguard_ref.clone_from(&r.safeguard_ref);
                if safeguard == TransferSafeguard::Art49_1E && !in_eea(&country) {
                    let limited = actual.claim_case_number.as_deref().unwrap_or("?");
                    if req.case != Some(limited) {
                        return Err(format!(
                            "the art. 49(1)(e) derogation recorded for '{name}' holds for case {limited} ({}) only, not for {}",
                            r.legal_claim.as_deref().unwrap_or("its legal claim"),
                            req.case
                                .map_or("a disclosure without a case".to_owned(), |c| format!(
                                    "case {c}"
                                ))
                        ));
                    }
                    self.party_on_case(req.party, limited)?;
                }
            }
            if let Country::Code(c) = &recipient.country
                && *c != country
            {
                return Err(format!(
                    "recipient '{}' is registered in {c}, not {country}",
                    req.recipient
                ));
            }
            if !in_eea(&country) {
                let Some(name) = req.actual else {
                    return Err(format!(
                        "{country} is outside the EEA: a transfer goes only to an actual recipient from the register with a recorded safeguard (kwijting recipients add)"
                    ));
                };
                if safeguard == TransferSafeguard::None {
                    return Err(format!(
                        "{country} is outside the EEA and no transfer safeguard (adequacy, standard clauses, binding rules or art. 49(1)(e)) is recorded for '{name}'"
                    ));
                }
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

    /// That the party is a party of the case (its debtor or on
    /// `case_parties`): a derogation for a case covers its parties only.
    fn party_on_case(&self, party: PartyId, number: &str) -> Result<(), String> {
        let case = self
            .store
            .case_by_number(number)
            .map_err(|e| format!("case {number} could not be read: {e}"))?
            .ok_or_else(|| format!("case {number} does not exist"))?;
        if case.summary.debtor.id == party || case.parties.iter().any(|p| p.party.id == party) {
            Ok(())
        } else {
            Err(format!("party {} is not a party of case {number}", party.0))
        }
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
