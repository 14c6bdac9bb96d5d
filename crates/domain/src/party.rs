//! Parties and their roles on a case (R2) and the agency's role per client
//! mandate (R1).

use std::fmt;

/// A natural person or an organisation. Only natural persons are data
/// subjects, but a sole trader's business data is personal data too, so the
/// catalog treats every party column as personal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyKind {
    Person,
    Organisation,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<PartyKind> {
        match s {
            "person" => Some(PartyKind::Person),
            "organisation" => Some(PartyKind::Organisation),
            _ => None,
        }
    }
}

/// A party's part in a case (R2). Each is a separate data subject: a debtor
/// and a guarantor on one case get separate extracts and separate erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyRole {
    Debtor,
    /// Acts for the debtor: lawyer, debt counsellor, bewindvoerder
    /// (court-appointed administrator), guardian.
    Representative,
    /// Jointly and severally liable (hoofdelijk aansprakelijk), e.g. a partner.
    CoDebtor,
    /// Borg: answers for the debt if the debtor does not pay.
    Guarantor,
    /// Owes a non-monetary obligation, e.g. to return or replace goods.
    Obligor,
}

impl PartyRole {
    pub const ALL: [PartyRole; 5] = [
        PartyRole::Debtor,
        PartyRole::Representative,
        PartyRole::CoDebtor,
        PartyRole::Guarantor,
        PartyRole::Obligor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Debtor => "debtor",
            PartyRole::Representative => "representative",
            PartyRole::CoDebtor => "co_debtor",
            PartyRole::Guarantor => "guarantor",
            PartyRole::Obligor => "obligor",
        }
    }

    pub fn parse(s: &str) -> Option<PartyRole> {
        PartyRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the party can be asked to pay the claim.
    pub fn is_liable(self) -> bool {
        matches!(
            self,
            PartyRole::Debtor | PartyRole::CoDebtor | PartyRole::Guarantor
        )
    }
}

/// The agency's role under a client's mandate (R1): for collection it is the
/// controller; for receivables management (invoicing, reminders, customer
/// service on the client's behalf) it is the client's processor, and rights
/// requests go to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientRole {
    Controller,
    Processor,
}

impl ClientRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientRole::Controller => "controller",
            ClientRole::Processor => "processor",
        }
    }

    pub fn parse(s: &str) -> Option<ClientRole> {
        match s {
            "controller" => Some(ClientRole::Controller),
            "processor" => Some(ClientRole::Processor),
            _ => None,
        }
    }

    /// The processing purpose the mandate serves.
    pub fn purpose(self) -> &'static str {
        match self {
            ClientRole::Controller => "collection",
            ClientRole::Processor => "receivables_management",
        }
    }
}

/// Dutch Chamber of Commerce number: eight digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KvkNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a KvK number (eight digits)")]
pub struct KvkError(pub String);

impl KvkNumber {
    pub fn parse(input: &str) -> Result<KvkNumber, KvkError> {
        let t = input.trim();
        if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(KvkNumber(t.to_owned()))
        } else {
            Err(KvkError(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KvkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
