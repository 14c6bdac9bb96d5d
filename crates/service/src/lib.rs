//! Kwijting's services: the use cases the CLI and the HTTP server call.
//!
//! Invariants:
//! - Every function that reads or changes personal data takes an `&Actor`
//!   and passes the [`door`] first. Interfaces never hold a `Store`.
//! - Services know no HTTP and no terminal; they return typed results and
//!   `thiserror` errors that interfaces render.
//! - Time comes from a [`Clock`] given at construction (tests fix it).

pub mod arrangements;
pub mod case_views;
pub mod cases;
pub mod clients;
pub mod collect;
pub mod daily_run;
pub mod direct_debit;
pub mod disclose;
pub mod door;
pub mod erasure;
pub mod intake;
pub mod keys;
pub mod payments;
pub mod rates;
pub mod recipients;
pub mod refunds;
pub mod remit;
mod restate;
pub mod rights;
pub mod rights_extract;
pub mod settle;
pub mod special;

use std::sync::Arc;

use kwijting_domain::Date;
use kwijting_policy::Policy;
use kwijting_store::{Store, StoreError, Timestamp};

pub use door::{Access, Door, Forbidden, Grant};
pub use intake::{IdempotentError, ImportReport, IntakeError};

/// Where the current time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
    /// The current civil date (UTC).
    fn today(&self) -> Date {
        self.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }
}

/// The system clock, used at the binary's edge only.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock moved to another day, time running on: for a run that
/// must act as on that day (a replay, a test written for a date), while
/// timestamps keep their order.
pub struct ShiftedClock {
    offset: jiff::SignedDuration,
}

impl ShiftedClock {
    /// The clock that says `today` now, at the system clock's time of day.
    pub fn to_day(today: Date) -> ShiftedClock {
        let now = Timestamp::now();
        let utc = now.to_zoned(jiff::tz::TimeZone::UTC);
        let offset = match today
            .to_datetime(utc.time())
            .to_zoned(jiff::tz::TimeZone::UTC)
        {
            Ok(then) => then.timestamp().duration_since(now),
            Err(_) => jiff::SignedDuration::ZERO,
        };
        ShiftedClock { offset }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let now = Timestamp::now();
        now.checked_add(self.offset).unwrap_or(now)
    }
}

/// A clock that always says the same instant, for tests and replays.
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// The service layer over one store.
#[derive(Clone)]
pub struct Kwijting {
    store: Arc<dyn Store>,
    policy: Arc<Policy>,
    door: Arc<Door>,
    clock: Arc<dyn Clock>,
    /// The agency's trust accounts (derdengeldrekeningen): the only
    /// accounts whose statements are booked.
    trust_accounts: Arc<Vec<kwijting_domain::Iban>>,
}

impl Kwijting {
    /// The services over a store, under a processing policy whose roles
    /// make the door.
    pub fn new(store: Arc<dyn Store>, policy: Arc<Policy>, clock: Arc<dyn Clock>) -> Kwijting {
        Kwijting {
            door: Arc::new(Door::from_policy(&policy)),
            store,
            policy,
            clock,
            trust_accounts: Arc::new(Vec::new()),
        }
    }

    /// The same services, booking statements of these trust accounts only.
    pub fn with_trust_accounts(mut self, accounts: Vec<kwijting_domain::Iban>) -> Kwijting {
        self.trust_accounts = Arc::new(accounts);
        self
    }

    /// The trust accounts whose statements are booked.
    pub fn trust_accounts(&self) -> &[kwijting_domain::Iban] {
        &self.trust_accounts
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn door(&self) -> &Door {
        &self.door
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Which engine the data lives in, for status output.
    pub fn engine(&self) -> kwijting_store::Engine {
        self.store.engine()
    }

    /// The live schema compared with the personal-data catalog; an operator
    /// check (`kwijting catalog check`) and a test use it.
    pub fn catalog_check(&self) -> Result<(), ServiceError> {
        let cols = self.store.schema_columns()?;
        kwijting_store::catalog::check(&cols).map_err(ServiceError::Catalog)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("no client with reference '{0}'")]
    UnknownClient(String),
    #[error("no case with number '{0}'")]
    UnknownCase(String),
    #[error("{0}")]
    Invalid(String),
    /// The policy does not allow it; the refusal was logged.
    #[error("refused: {0}")]
    Refused(String),
    #[error("{what} '{key}' already exists")]
    Conflict { what: &'static str, key: String },
    #[error("the database schema and the personal-data catalog differ:\n{}", .0.iter().map(|m| format!("  {m}")).collect::<Vec<_>>().join("\n"))]
    Catalog(Vec<kwijting_store::catalog::Mismatch>),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate { what, key } => ServiceError::Conflict { what, key },
            e => ServiceError::Store(e),
        }
    }
}
