//! Reading cases: listings and the full case file.

use kwijting_domain::{Actor, CaseStatus};
use kwijting_store::{CaseDetail, CaseFilter, CasePage, PAGE_LIMIT_MAX};

use crate::{Access, Door, Kwijting, ServiceError};

/// Categories a case listing shows: the debtor's name, the debt, the status.
const LISTING: &[&str] = &["identity", "debt", "case_history"];
/// Categories the full case file shows.
const CASE_FILE: &[&str] = &[
    "identity",
    "contact",
    "business_identity",
    "bank_account",
    "debt",
    "case_history",
];

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub client_ref: Option<String>,
    pub status: Option<CaseStatus>,
    pub limit: u32,
    pub offset: u64,
}

impl Kwijting {
    pub fn list_cases(&self, actor: &Actor, q: &CaseQuery) -> Result<CasePage, ServiceError> {
        let client = match &q.client_ref {
            Some(r) => Some(self.client(actor, r)?.id),
            None => None,
        };
        self.door()
            .check(actor, client, LISTING, Access::Read, "cases")?;
        Ok(self.store.list_cases(&CaseFilter {
            client,
            within: Door::within(actor),
            status: q.status,
            limit: q.limit.min(PAGE_LIMIT_MAX),
            offset: q.offset,
        })?)
    }

    pub fn case_file(&self, actor: &Actor, number: &str) -> Result<CaseDetail, ServiceError> {
        let detail = self
            .store
            .case_by_number(number)?
            .ok_or_else(|| ServiceError::UnknownCase(number.to_owned()))?;
        self.door().check(
            actor,
            Some(detail.summary.client_id),
            CASE_FILE,
            Access::Read,
            "case file",
        )?;
        Ok(detail)
    }
}
