//! The one door to personal data. Every service call that reads or changes
//! personal data asks the door first, with the actor, the client whose data
//! it is, the data categories involved and whether it reads or writes.
//!
//! The door is built from the policy file's roles (need-to-know, R27): a role
//! lists the purposes it may act for and the data categories it may see. The
//! audit log of every read (a later capability) is written here too, so that
//! no path can read around it.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use kwijting_domain::{Actor, ClientId, ClientScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Write => "change",
        })
    }
}

/// What one role may do.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub purposes: BTreeSet<String>,
    pub categories: BTreeSet<String>,
    /// The role may write (import, correct) and not only read.
    pub may_write: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{actor} may not {access} {what}: {reason}")]
pub struct Forbidden {
    pub actor: String,
    pub access: Access,
    pub what: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Door {
    grants: HashMap<String, Grant>,
}

impl Door {
    pub fn new(grants: HashMap<String, Grant>) -> Door {
        Door { grants }
    }

    /// The door as the policy file's roles describe it.
    pub fn from_policy(policy: &kwijting_policy::Policy) -> Door {
        let grants = policy
            .roles()
            .map(|role| {
                (
                    role.id.clone(),
                    Grant {
                        purposes: role.purposes.iter().cloned().collect(),
                        categories: role.data_categories.iter().cloned().collect(),
                        may_write: !role.read_only,
                    },
                )
            })
            .collect();
        Door { grants }
    }

    /// Decides one access. `client` is the client whose data it is, when the
    /// data belongs to one client.
    pub fn check(
        &self,
        actor: &Actor,
        client: Option<ClientId>,
        categories: &[&str],
        access: Access,
        what: &str,
    ) -> Result<(), Forbidden> {
        let refuse = |reason: String| Forbidden {
            actor: actor.name(),
            access,
            what: what.to_owned(),
            reason,
        };
        let Some(grant) = self.grants.get(actor.role.as_str()) else {
            return Err(refuse(format!(
                "role '{}' is not in the policy",
                actor.role.as_str()
            )));
        };
        if !grant.purposes.contains(actor.purpose.as_str()) {
            return Err(refuse(format!(
                "role '{}' does not act for purpose '{}'",
                actor.role.as_str(),
                actor.purpose.as_str()
            )));
        }
        if access == Access::Write && !grant.may_write {
            return Err(refuse(format!(
                "role '{}' may only read",
                actor.role.as_str()
            )));
        }
        if let Some(missing) = categories.iter().find(|c| !grant.categories.contains(**c)) {
            return Err(refuse(format!(
                "role '{}' has no need to know data of category '{missing}'",
                actor.role.as_str()
            )));
        }
        if let Some(client) = client
            && !actor.scope.allows(client)
        {
            return Err(refuse(format!(
                "client {client} is outside the actor's scope"
            )));
        }
        Ok(())
    }

    /// The clients a listing must be limited to (`None`: all).
    pub fn within(actor: &Actor) -> Option<Vec<ClientId>> {
        match &actor.scope {
            ClientScope::All => None,
            ClientScope::Only(ids) => Some(ids.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::{ActorKind, PurposeId, Role};

    fn door() -> Door {
        let mut grants = HashMap::new();
        grants.insert(
            "collector".to_owned(),
            Grant {
                purposes: ["collection".to_owned()].into(),
                categories: ["identity".to_owned(), "debt".to_owned()].into(),
                may_write: true,
            },
        );
        grants.insert(
            "client_user".to_owned(),
            Grant {
                purposes: ["collection".to_owned()].into(),
                categories: ["identity".to_owned(), "debt".to_owned()].into(),
                may_write: false,
            },
        );
        Door::new(grants)
    }

    fn actor(role: &str, purpose: &str, scope: ClientScope) -> Actor {
        Actor {
            kind: ActorKind::Staff("anna".into()),
            role: Role::new(role),
            scope,
            purpose: PurposeId::new(purpose),
        }
    }

    #[test]
    fn refuses_what_need_to_know_does_not_cover() {
        let d = door();
        let ok = actor("collector", "collection", ClientScope::All);
        assert!(
            d.check(&ok, Some(ClientId(1)), &["identity"], Access::Read, "case")
                .is_ok()
        );
        let cases = [
            (
                actor("intern", "collection", ClientScope::All),
                "not in the policy",
            ),
            (
                actor("collector", "marketing", ClientScope::All),
                "purpose 'marketing'",
            ),
            (
                actor(
                    "client_user",
                    "collection",
                    ClientScope::Only(vec![ClientId(1)]),
                ),
                "may only read",
            ),
        ];
        for (a, reason) in cases {
            let e = d
                .check(&a, Some(ClientId(1)), &["identity"], Access::Write, "case")
                .unwrap_err();
            assert!(e.reason.contains(reason), "{e}");
        }
        let e = d
            .check(&ok, None, &["health"], Access::Read, "case")
            .unwrap_err();
        assert!(e.reason.contains("category 'health'"), "{e}");
        let scoped = actor(
            "client_user",
            "collection",
            ClientScope::Only(vec![ClientId(1)]),
        );
        assert!(
            d.check(&scoped, Some(ClientId(1)), &["debt"], Access::Read, "case")
                .is_ok()
        );
        let e = d
            .check(&scoped, Some(ClientId(2)), &["debt"], Access::Read, "case")
            .unwrap_err();
        assert!(e.reason.contains("outside"), "{e}");
    }
}
