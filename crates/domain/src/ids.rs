//! Database identities as distinct types, so a case id is never passed where
//! a party id is meant.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A creditor that hands claims to the agency.
    ClientId
);
id_type!(
    /// A natural person or organisation: a data subject when a person.
    PartyId
);
id_type!(
    /// One client's claims against one debtor.
    CaseId
);
id_type!(
    /// One invoice or other debt within a case.
    ClaimId
);
