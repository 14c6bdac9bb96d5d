//! Clients (creditors) and the agency's role under each mandate (R1).

use kwijting_domain::{Actor, ClientRole};
use kwijting_store::{ClientMappingStore, ClientRow, NewClient};

use crate::intake::ColumnMapping;
use crate::{Access, Kwijting, ServiceError};

/// The longest client reference accepted.
pub const CLIENT_REF_LEN_MAX: usize = 32;

/// Checks a client reference: 1 to 32 of A-Z, a-z, 0-9, `-`, `_`.
pub fn validate_client_ref(reference: &str) -> Result<(), ServiceError> {
    if reference.is_empty()
        || reference.len() > CLIENT_REF_LEN_MAX
        || !reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ServiceError::Invalid(format!(
            "client reference '{reference}' must be 1 to {CLIENT_REF_LEN_MAX} letters, digits, '-' or '_'"
        )));
    }
    Ok(())
}

impl Kwijting {
    pub fn add_client(
        &self,
        actor: &Actor,
        reference: &str,
        name: &str,
        role: ClientRole,
        privacy_contact: Option<&str>,
    ) -> Result<ClientRow, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "clients")?;
        validate_client_ref(reference)?;
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(ServiceError::Invalid(
                "client name must be 1 to 200 characters".into(),
            ));
        }
        let row = self.store.insert_client(&NewClient {
            reference: reference.to_owned(),
            name: name.to_owned(),
            role,
            privacy_contact: privacy_contact.map(str::to_owned),
            created_at: self.clock().now(),
        })?;
        Ok(row)
    }

    /// The clients the actor may see.
    pub fn clients(&self, actor: &Actor) -> Result<Vec<ClientRow>, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Read, "clients")?;
        Ok(self
            .store
            .clients()?
            .into_iter()
            .filter(|c| actor.scope.allows(c.id))
            .collect())
    }

    pub fn client(&self, actor: &Actor, reference: &str) -> Result<ClientRow, ServiceError> {
        let row = self
            .store
            .client_by_ref(reference)?
            .ok_or_else(|| ServiceError::UnknownClient(reference.to_owned()))?;
        self.door()
            .check(actor, Some(row.id), &[], Access::Read, "client")?;
        Ok(row)
    }
}

impl Kwijting {
    /// What the client lets the agency do in collection (legal steps, their
    /// threshold, review of legal steps for business debtors).
    pub fn set_client_settings(
        &self,
        actor: &Actor,
        reference: &str,
        settings: &kwijting_store::ClientSettingsRow,
    ) -> Result<ClientRow, ServiceError> {
        let client = self.client(actor, reference)?;
        self.door().check(
            actor,
            Some(client.id),
            &[],
            Access::Write,
            "client settings",
        )?;
        if settings.legal_action_min_cents < 0 {
            return Err(ServiceError::Invalid(
                "the legal-action threshold must not be negative".into(),
            ));
        }
        self.store.set_client_settings(client.id, settings)?;
        self.client(actor, reference)
    }
}

impl Kwijting {
    /// Saves the column mapping the client's claim files are read with when
    /// they are imported without one (a new one replaces the old).
    pub fn save_client_mapping(
        &self,
        actor: &Actor,
        reference: &str,
        mapping: &ColumnMapping,
    ) -> Result<(), ServiceError> {
        let client = self.client(actor, reference)?;
        self.door()
            .check(actor, Some(client.id), &[], Access::Write, "client mapping")?;
        self.store
            .save_client_mapping(client.id, mapping.text(), self.clock().today())?;
        Ok(())
    }

    /// The client's saved column mapping, if any, named after the client.
    pub fn client_mapping(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> Result<Option<ColumnMapping>, ServiceError> {
        let client = self.client(actor, reference)?;
        let Some((text, saved_on)) = self.store.client_mapping(client.id)? else {
            return Ok(None);
        };
        let name = format!("saved for client {reference} on {saved_on}");
        // It was checked when saved; a mapping that no longer reads (a
        // column renamed since) is an internal fault, not the user's input.
        ColumnMapping::parse(&name, &text).map(Some).map_err(|e| {
            ServiceError::Store(kwijting_store::StoreError::Invariant(format!(
                "the saved mapping of client {reference} no longer reads: {e}"
            )))
        })
    }
}
