//! Reading cases: listings and the full case file.

use std::collections::HashMap;

use kwijting_domain::{Actor, CaseId, CaseStatus, Date, Money};
use kwijting_store::{CaseDetail, CaseFilter, CasePage, CaseSummary, PAGE_LIMIT_MAX};

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

/// What a case owes on a day, by its statement of account (the one
/// definition: `settle::statement_of_case`), split as the statement shows
/// it. Every surface (CLI, API, pages, letters) shows these figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStanding {
    pub as_of: Date,
    /// What the debtor owes on `as_of`: principal + interest + costs + VAT.
    pub owed: Money,
    pub principal: Money,
    pub interest: Money,
    pub costs: Money,
    pub vat: Money,
    /// Everything paid on the case and applied to it.
    pub paid: Money,
    /// Paid beyond what was owed: held for refund.
    pub overpaid: Money,
    /// Each claim's limitation on `as_of`: its last day, whether it is
    /// time-barred.
    pub limitation: Vec<crate::settle::ClaimLimitation>,
}

impl CaseStanding {
    pub(crate) fn of(
        s: &kwijting_law::statement::Statement,
        law: &kwijting_store::CaseLawRow,
    ) -> Result<CaseStanding, ServiceError> {
        Ok(CaseStanding {
            as_of: s.as_of,
            owed: s.balance,
            principal: s.outstanding.principal,
            interest: s.outstanding.interest,
            costs: s.outstanding.costs,
            vat: s.outstanding.vat,
            paid: s.paid.total().map_err(crate::settle::internal)?,
            overpaid: s.unapplied,
            limitation: crate::settle::limitation_of_case(law, s.as_of)
                .map_err(crate::settle::internal)?,
        })
    }
}

/// A case's standing, or why the law engine could not give one (a missing
/// interest rate the operator must enter, say): never a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Known(CaseStanding),
    Unknown(String),
}

/// A case in a listing with what it owes today.
#[derive(Debug, Clone)]
pub struct ListedCase {
    pub summary: CaseSummary,
    pub standing: Standing,
}

#[derive(Debug, Clone)]
pub struct CaseListing {
    pub total: u64,
    pub cases: Vec<ListedCase>,
}

impl Kwijting {
    /// Each case's standing on `as_of`, by its statement of account, in one
    /// window on the ledger.
    pub(crate) fn standings(
        &self,
        cases: &[CaseId],
        as_of: Date,
    ) -> Result<HashMap<CaseId, Standing>, ServiceError> {
        if cases.is_empty() {
            return Ok(HashMap::new());
        }
        let book = self.open_book(cases, &[])?;
        let nl = self.netherlands()?;
        let mut out = HashMap::with_capacity(cases.len());
        for (id, case) in &book.cases {
            let standing = match case.statement(&nl, as_of, None) {
                Ok(s) => Standing::Known(CaseStanding::of(&s, &case.law)?),
                Err(e) => Standing::Unknown(e.to_string()),
            };
            out.insert(*id, standing);
        }
        Ok(out)
    }

    /// A case's standing today.
    pub fn case_standing(&self, actor: &Actor, number: &str) -> Result<Standing, ServiceError> {
        let file = self.case_file(actor, number)?;
        let today = self.clock().today();
        self.standings(&[file.summary.id], today)?
            .remove(&file.summary.id)
            .ok_or_else(|| ServiceError::UnknownCase(number.to_owned()))
    }

    /// A page of cases with what each owes today.
    pub fn list_cases_owed(
        &self,
        actor: &Actor,
        q: &CaseQuery,
    ) -> Result<CaseListing, ServiceError> {
        let page = self.list_cases(actor, q)?;
        let ids: Vec<CaseId> = page.cases.iter().map(|c| c.id).collect();
        let mut standings = self.standings(&ids, self.clock().today())?;
        Ok(CaseListing {
            total: page.total,
            cases: page
                .cases
                .into_iter()
                .map(|summary| ListedCase {
                    standing: standings
                        .remove(&summary.id)
                        .unwrap_or_else(|| Standing::Unknown("the case was not found".into())),
                    summary,
                })
                .collect(),
        })
    }
}
