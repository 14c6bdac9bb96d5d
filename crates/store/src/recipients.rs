//! The register of actual recipients (R23 to R25) and the end of a
//! client's mandate (R1): the storage behind disclosures outside the EEA
//! and the retention of data the agency holds as a processor.

use crate::{CaseId, ClientId, Date, Result, Timestamp};

/// A recipient to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecipient {
    /// The organisation, unique in the register.
    pub name: String,
    /// A recipient category id from the policy, e.g. `foreign_collection_agencies`.
    pub category: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// `none`, `adequacy`, `standard_contractual_clauses`,
    /// `binding_corporate_rules` or `art_49_1_e`.
    pub safeguard: String,
    /// The date the safeguard was recorded (signed, decided).
    pub safeguard_on: Option<Date>,
    /// The document it is recorded in (contract, decision, reference).
    pub safeguard_ref: Option<String>,
    /// Art. 49(1)(e): the one case (legal claim) the derogation covers.
    pub claim_case: Option<CaseId>,
    pub legal_claim: Option<String>,
    pub recorded_at: Timestamp,
    pub recorded_by: String,
}

/// A registered recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRow {
    pub id: i64,
    pub recipient: NewRecipient,
    /// The number of `claim_case`, for showing.
    pub claim_case_number: Option<String>,
}

pub trait RecipientStore {
    /// Registers a recipient; `Duplicate` when the name is taken.
    fn add_recipient(&self, r: &NewRecipient) -> Result<RecipientRow>;
    /// The register, by name.
    fn recipients(&self) -> Result<Vec<RecipientRow>>;
    fn recipient_by_name(&self, name: &str) -> Result<Option<RecipientRow>>;
    /// Records the end of a client's mandate; `false` when no such client.
    fn end_client_mandate(&self, client: ClientId, on: Date) -> Result<bool>;
    /// The end of a client's mandate, if recorded.
    fn client_mandate_end(&self, client: ClientId) -> Result<Option<Date>>;
}

/// The columns a recipient is read with, in [`RecipientRow`] order.
pub(crate) const RECIPIENT_SELECT: &str = "SELECT id, name, category, country, safeguard, safeguard_on, \
     safeguard_ref, claim_case_id, legal_claim, recorded_at, recorded_by FROM recipients";
