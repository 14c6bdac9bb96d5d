//! Who is acting, in which role, for which clients and for which purpose.
//!
//! Every service function that reads or changes personal data takes an
//! `&Actor`. This is the single door where authorization sits and where the
//! audit log of reads plugs in; nothing reaches storage around it.

use crate::ids::ClientId;

/// A processing purpose from the policy file, e.g. `collection`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PurposeId(pub String);

impl PurposeId {
    pub fn new(s: &str) -> PurposeId {
        PurposeId(s.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A role from the policy file, e.g. `collector` or `compliance_officer`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Role(pub String);

impl Role {
    pub fn new(s: &str) -> Role {
        Role(s.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    /// A member of the agency's staff, by user name.
    Staff(String),
    /// A client's user in the client portal.
    ClientUser(String),
    /// A debtor in the debtor portal.
    Debtor(String),
    /// A batch job or the command line run by the operator: a named system
    /// actor, so the audit log says which job touched the data.
    System(String),
}

/// Which clients' data the actor may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientScope {
    All,
    Only(Vec<ClientId>),
}

impl ClientScope {
    pub fn allows(&self, client: ClientId) -> bool {
        match self {
            ClientScope::All => true,
            ClientScope::Only(ids) => ids.contains(&client),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub role: Role,
    pub scope: ClientScope,
    pub purpose: PurposeId,
}

impl Actor {
    /// A named system job acting for a purpose over all clients.
    pub fn system(job: &str, purpose: &str) -> Actor {
        Actor {
            kind: ActorKind::System(job.to_owned()),
            role: Role::new("system"),
            scope: ClientScope::All,
            purpose: PurposeId::new(purpose),
        }
    }

    /// The same actor acting for another purpose. Used where the purpose
    /// follows from the data, e.g. a client's mandate decides whether claims
    /// are processed for collection or for receivables management (R1); the
    /// door then checks that the actor's role may act for it.
    pub fn acting_for(&self, purpose: &str) -> Actor {
        Actor {
            purpose: PurposeId::new(purpose),
            ..self.clone()
        }
    }

    /// The name recorded in logs: `staff:jan`, `system:import`.
    pub fn name(&self) -> String {
        match &self.kind {
            ActorKind::Staff(n) => format!("staff:{n}"),
            ActorKind::ClientUser(n) => format!("client:{n}"),
            ActorKind::Debtor(n) => format!("debtor:{n}"),
            ActorKind::System(n) => format!("system:{n}"),
        }
    }
}
