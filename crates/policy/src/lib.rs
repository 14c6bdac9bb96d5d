//! The processing policy as data: purposes, legal bases, categories of data
//! and of data subjects, retention rules, recipients, roles, and the texts of
//! the privacy statement.
//!
//! The default policy (`policy/default.toml` at the repository root) is
//! compiled into the binary; an operator may load its own file with
//! [`Policy::from_toml_str`]. A policy is validated when it is loaded and
//! refused whole, with every problem named by file and key path, so the rest
//! of the system can rely on every id it finds in a [`Policy`] to exist.
//!
//! Invariant: pure core. No I/O (the caller reads the file), no clock
//! (retention takes the trigger date as an argument).

mod error;
mod model;
pub mod render;
mod retention;
mod validate;

pub use error::{PolicyError, Problem};
pub use model::{
    ChangeNotice, Controller, ControllerRole, Country, DataCategory, EEA_COUNTRIES, LegalBasis,
    Purpose, Recipient, RecipientKind, Right, Role, Scope, SecurityMeasure, Source, Statement,
    SubjectCategory, SupervisoryAuthority, TransferSafeguard,
};
pub use retention::{CountFrom, EraseEvent, PERIOD_MONTHS_MAX, RetentionRule, Trigger};

use model::{IdMap, PolicyFile};

/// The text of the default policy, as compiled in.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../policy/default.toml");

/// The name under which the default policy reports problems.
pub const DEFAULT_POLICY_NAME: &str = "policy/default.toml";

/// A validated processing policy. Every id referenced inside it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    source_name: String,
    statement: Statement,
    controller: Controller,
    supervisory_authority: SupervisoryAuthority,
    purposes: IdMap<Purpose>,
    data_categories: IdMap<DataCategory>,
    subject_categories: IdMap<SubjectCategory>,
    sources: IdMap<Source>,
    retention: IdMap<RetentionRule>,
    recipients: IdMap<Recipient>,
    roles: IdMap<Role>,
    rights: IdMap<Right>,
    security_measures: IdMap<SecurityMeasure>,
}

impl Policy {
    /// The policy compiled into the binary.
    pub fn load_default() -> Result<Policy, PolicyError> {
        Policy::from_toml_str(DEFAULT_POLICY_TOML, DEFAULT_POLICY_NAME)
    }

    /// Parses and validates a policy. `source_name` (usually the file path)
    /// is only used in error messages.
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::from_toml(source_name, text, &e))?;
        let problems = validate::validate(source_name, &file);
        if !problems.is_empty() {
            return Err(PolicyError::Invalid(problems));
        }
        Ok(Policy {
            source_name: source_name.to_owned(),
            statement: file.statement,
            controller: file.controller,
            supervisory_authority: file.supervisory_authority,
            purposes: file.purposes,
            data_categories: file.data_categories,
            subject_categories: file.subject_categories,
            sources: file.sources,
            retention: file.retention,
            recipients: file.recipients,
            roles: file.roles,
            rights: file.rights,
            security_measures: file.security_measures,
        })
    }

    /// Where the policy came from, as given to [`Policy::from_toml_str`].
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    pub fn supervisory_authority(&self) -> &SupervisoryAuthority {
        &self.supervisory_authority
    }

    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.get(id)
    }

    pub fn data_category(&self, id: &str) -> Option<&DataCategory> {
        self.data_categories.get(id)
    }

    pub fn subject_category(&self, id: &str) -> Option<&SubjectCategory> {
        self.subject_categories.get(id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    pub fn recipient(&self, id: &str) -> Option<&Recipient> {
        self.recipients.get(id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.get(id)
    }

    pub fn retention_rule(&self, id: &str) -> Option<&RetentionRule> {
        self.retention.get(id)
    }

    pub fn right(&self, id: &str) -> Option<&Right> {
        self.rights.get(id)
    }

    /// In file order, as the register and the statement list them.
    pub fn purposes(&self) -> impl Iterator<Item = &Purpose> {
        self.purposes.0.iter()
    }

    pub fn data_categories(&self) -> impl Iterator<Item = &DataCategory> {
        self.data_categories.0.iter()
    }

    pub fn subject_categories(&self) -> impl Iterator<Item = &SubjectCategory> {
        self.subject_categories.0.iter()
    }

    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.0.iter()
    }

    pub fn recipients(&self) -> impl Iterator<Item = &Recipient> {
        self.recipients.0.iter()
    }

    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.0.iter()
    }

    pub fn retention_rules(&self) -> impl Iterator<Item = &RetentionRule> {
        self.retention.0.iter()
    }

    pub fn rights(&self) -> impl Iterator<Item = &Right> {
        self.rights.0.iter()
    }

    pub fn security_measures(&self) -> impl Iterator<Item = &SecurityMeasure> {
        self.security_measures.0.iter()
    }

    /// The retention rule of a purpose. Validation guarantees it exists for
    /// every purpose of this policy; `None` only for an unknown purpose.
    pub fn retention_for(&self, purpose_id: &str) -> Option<&RetentionRule> {
        self.purpose(purpose_id)
            .and_then(|p| self.retention_rule(&p.retention))
    }

    /// Need-to-know (R27): whether `role` may read `data_category` while
    /// acting for `purpose`. True only when the role lists both and the
    /// purpose processes the category. Scope (own client, own data) is
    /// checked by the caller, which knows whose data it is.
    pub fn may_read(&self, role: &str, purpose: &str, data_category: &str) -> bool {
        let Some(role) = self.role(role) else {
            return false;
        };
        let Some(purpose) = self.purpose(purpose) else {
            return false;
        };
        role.acts_for(&purpose.id) && role.reads(data_category) && purpose.processes(data_category)
    }

    /// Whether data may be disclosed to `recipient` for `purpose` (R25).
    pub fn may_disclose(&self, purpose: &str, recipient: &str) -> bool {
        self.purpose(purpose)
            .is_some_and(|p| p.may_disclose_to(recipient))
    }
}

#[cfg(test)]
mod tests;
