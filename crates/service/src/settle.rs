//! Booking on a window of the stored ledger: the accounts and transfers one
//! batch touches, loaded from the kept balances instead of replaying the
//! ledger. A case is kept equal to the law engine's statement of account:
//! before a payment is allocated the missing interest and costs are charged
//! (or a statement that changed is restated), the payment is posted as the
//! statement applied it (art. 6:44 BW: costs, interest, principal), and
//! after a return the case is restated without the returned payment.

use std::collections::HashMap;

use kwijting_domain::{CaseId, ClaimId, ClientId, Date, DebtorType, Money};
use kwijting_law::LawError;
use kwijting_law::nl::Netherlands;
use kwijting_law::nl::holidays::Holidays;
use kwijting_law::nl::interest::InterestKind;
use kwijting_law::nl::limitation::{
    Interruption, LimitationKind, interest_time_barred_through, limitation,
};
use kwijting_law::statement::{
    CaseInput, ClaimInput, CostsSettings, Event, EventKind, PaymentApplication, Statement,
    statement_of_account,
};
use kwijting_ledger::recipe::{
    AllocationRequest, allocate, allocate_applied, claims_from_statement, from_amounts, restate,
    return_receipt,
};
use kwijting_ledger::{
    AccountKind, CaseBalance, Ledger, Posting, Source, SourceKind, Transfer, TransferKey,
    TransferKind,
};
use kwijting_store::{
    CaseLawRow, CaseSettled, DesignationStore, PaymentDesignation, StoredPosting, StoredTransfer,
};

use crate::{Kwijting, ServiceError};

pub(crate) fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

pub(crate) fn key(text: &str) -> Result<TransferKey, ServiceError> {
    TransferKey::parse(text).map_err(internal)
}

/// A transfer as the store keeps it.
pub fn to_stored(t: &Transfer) -> StoredTransfer {
    StoredTransfer {
        key: t.key().as_str().to_owned(),
        kind: t.kind().as_str().to_owned(),
        source_kind: t.source().kind().as_str().to_owned(),
        source_ref: t.source().reference().to_owned(),
        reverses: t.reverses().map(|k| k.as_str().to_owned()),
        parent: t.parent().map(|k| k.as_str().to_owned()),
        booked_on: t.on(),
        postings: t
            .postings()
            .iter()
            .map(|p| StoredPosting {
                account: p.account.name(),
                amount_cents: p.amount.cents(),
            })
            .collect(),
    }
}

pub(crate) fn from_stored(s: &StoredTransfer) -> Result<Transfer, ServiceError> {
    let bad = |what: &str| ServiceError::Invalid(format!("stored transfer {}: {what}", s.key));
    let key = |k: &str| TransferKey::parse(k).map_err(|e| bad(&e.to_string()));
    let postings = s
        .postings
        .iter()
        .map(|p| {
            Ok(Posting {
                account: AccountKind::parse(&p.account)
                    .ok_or_else(|| bad(&format!("account {}", p.account)))?,
                amount: Money::from_cents(p.amount_cents),
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Transfer::new(
        key(&s.key)?,
        TransferKind::parse(&s.kind).ok_or_else(|| bad("kind"))?,
        Source::new(
            SourceKind::parse(&s.source_kind).ok_or_else(|| bad("source kind"))?,
            &s.source_ref,
        )
        .map_err(|e| bad(&e.to_string()))?,
        s.booked_on,
        postings,
        s.reverses.as_deref().map(key).transpose()?,
        s.parent.as_deref().map(key).transpose()?,
    )
    .map_err(|e| bad(&e.to_string()))
}

/// The five accounts of a case.
pub(crate) fn case_accounts(case: CaseId) -> [AccountKind; 5] {
    [
        AccountKind::CasePrincipal(case),
        AccountKind::CaseInterest(case),
        AccountKind::CaseCosts(case),
        AccountKind::CaseVat(case),
        AccountKind::CaseEntitlement(case),
    ]
}

fn touches_case(t: &Transfer, case: CaseId) -> bool {
    t.postings().iter().any(|p| p.account.case() == Some(case))
}

/// What the statement has outstanding after a payment plus what the payment
/// took: the case before it.
fn plus_applied(after: &Statement, a: &PaymentApplication) -> Result<CaseBalance, ServiceError> {
    let mut b = from_amounts(&after.outstanding);
    for share in &a.shares {
        let add = |x: Money, y: Money| x.checked_add(y).map_err(internal);
        b.principal = add(b.principal, share.applied.principal)?;
        b.interest = add(b.interest, share.applied.interest)?;
        b.costs = add(b.costs, share.applied.costs)?;
        b.vat = add(b.vat, share.applied.vat)?;
    }
    Ok(b)
}

/// The transfers of a ledger per case they post to, in the order applied.
pub(crate) fn transfers_by_case(ledger: &Ledger) -> HashMap<CaseId, Vec<&Transfer>> {
    let mut by_case: HashMap<CaseId, Vec<&Transfer>> = HashMap::new();
    for t in ledger.transfers() {
        let mut seen: Option<CaseId> = None;
        for p in t.postings() {
            if let Some(c) = p.account.case()
                && seen != Some(c)
            {
                seen = Some(c);
                by_case.entry(c).or_default().push(t);
            }
        }
    }
    by_case
}

/// A payment the statement of account counts: a live allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paid {
    pub on: Date,
    pub amount: Money,
    pub allocation: TransferKey,
    /// The claim the debtor designated it to (art. 6:43(1) BW).
    pub designated: Option<ClaimId>,
}

/// A case as the batch knows it: its law data, the payments on the ledger,
/// and the last day anything was posted to it.
#[derive(Debug, Clone)]
pub(crate) struct CaseBook {
    pub law: CaseLawRow,
    /// The client's costs terms the statement applies.
    pub costs: CostsSettings,
    pub payments: Vec<Paid>,
    pub last_on: Option<Date>,
}

impl CaseBook {
    /// The case's payments and last posting day from the transfers that
    /// post to it (all of them, in the order written), each payment with
    /// the claim `designations` (allocation key to claim, as stored) says
    /// the debtor designated it to.
    pub(crate) fn from_ledger<'a>(
        law: CaseLawRow,
        costs: CostsSettings,
        ledger: &Ledger,
        transfers: impl IntoIterator<Item = &'a Transfer>,
        designations: &HashMap<String, ClaimId>,
    ) -> CaseBook {
        let case = law.case;
        let mut book = CaseBook {
            law,
            costs,
            payments: Vec::new(),
            last_on: None,
        };
        for t in transfers.into_iter().filter(|t| touches_case(t, case)) {
            book.last_on = book.last_on.max(Some(t.on()));
            if t.kind() == TransferKind::Allocation && ledger.reversed_by(t.key()).is_none() {
                book.payments.push(Paid {
                    on: t.on(),
                    amount: t.amount_on(AccountKind::Suspense),
                    allocation: t.key().clone(),
                    designated: designations.get(t.key().as_str()).copied(),
                });
            }
        }
        book
    }

    /// The statement of account on `as_of` with the payments on the ledger
    /// (and `extra`, a payment being allocated): [`statement_of_case`].
    pub(crate) fn statement(
        &self,
        nl: &Netherlands,
        as_of: Date,
        extra: Option<Payment>,
    ) -> Result<Statement, LawError> {
        let paid = self.payments.iter().map(|p| (p.on, p.amount, p.designated));
        statement_of_case(nl, &self.law, self.costs, paid.chain(extra), as_of)
    }
}

/// A payment as the statement of account takes it: its day, its amount and
/// the claim the debtor designated it to (art. 6:43(1) BW), if any.
pub(crate) type Payment = (Date, Money, Option<ClaimId>);

/// How long a claim can still be claimed (verjaring, limitation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimLimitation {
    pub claim: kwijting_domain::ClaimId,
    pub kind: LimitationKind,
    /// The last day the claim is not time-barred, after the written
    /// demands so far (art. 3:317 and 3:319 BW).
    pub last_day: Date,
    pub time_barred: bool,
    /// Interest up to and including this day is time-barred (art. 3:308
    /// BW: 5 years per amount), when any is.
    pub interest_barred_through: Option<Date>,
}

/// The limitation of each claim of a case on `as_of`: the price in a
/// consumer sale 2 years (art. 7:28 BW), other claims 5 (art. 3:307 BW),
/// each from the day after it was due; the last written demand started a
/// new period. The daily run, the case views and the statement read this.
pub(crate) fn limitation_of_case(
    law: &CaseLawRow,
    as_of: Date,
) -> Result<Vec<ClaimLimitation>, LawError> {
    let interruptions = interruptions(law);
    law.claims
        .iter()
        .map(|c| {
            let kind = limitation_kind(c);
            let status = limitation(kind, c.due_on, &interruptions, as_of)?;
            let interest_from = c
                .due_on
                .tomorrow()
                .map_err(|_| LawError::DateOutOfRange(c.due_on))?;
            Ok(ClaimLimitation {
                claim: c.id,
                kind,
                last_day: status.period.last_day,
                time_barred: status.expired,
                interest_barred_through: interest_time_barred_through(
                    interest_from,
                    &interruptions,
                    as_of,
                )?,
            })
        })
        .collect()
}

/// What interrupted the case's limitation: the last written demand (art.
/// 3:317 BW; a new period runs from the day after, art. 3:319 BW).
fn interruptions(law: &CaseLawRow) -> Vec<(Date, Interruption)> {
    law.last_demand_on
        .map(|d| (d, Interruption::WrittenDemand))
        .into_iter()
        .collect()
}

/// The kind of limitation a claim runs under.
fn limitation_kind(c: &kwijting_store::LawClaim) -> LimitationKind {
    if c.consumer_sale {
        LimitationKind::ConsumerSalePrice
    } else {
        LimitationKind::ContractualClaim
    }
}

/// The last day of the first of the case's claims to run out: the daily
/// run's limitation (a demand may not include a time-barred claim). The
/// same periods as [`limitation_of_case`], without the interest's.
pub(crate) fn first_limitation_last_day(
    law: &CaseLawRow,
    as_of: Date,
) -> Result<Option<Date>, LawError> {
    let interruptions = interruptions(law);
    let mut first: Option<Date> = None;
    for c in &law.claims {
        let last = limitation(limitation_kind(c), c.due_on, &interruptions, as_of)?
            .period
            .last_day;
        first = Some(first.map_or(last, |f| f.min(last)));
    }
    Ok(first)
}

/// The one definition of what a case owes on `as_of`: the law engine's
/// statement of account over the case's claims, its 14-day letter, the
/// costs from the first costs demand carried out (where the law allows
/// them then) and the payments allocated to it, each to the claim the
/// debtor designated it to first (art. 6:43(1) BW), as stored with its
/// allocation. The ledger, the daily run,
/// the case views, arrangements and the settlement quote all read this.
///
/// Within a day the letter comes first, then the costs, then the payments
/// in the order booked: a payment on the day costs became due pays them
/// (art. 6:44 BW), so paying the balance quoted for a day settles the case
/// on that day.
pub(crate) fn statement_of_case(
    nl: &Netherlands,
    law: &CaseLawRow,
    costs: CostsSettings,
    payments: impl IntoIterator<Item = Payment>,
    as_of: Date,
) -> Result<Statement, LawError> {
    let kind = match law.debtor_type {
        DebtorType::Consumer => InterestKind::Consumer,
        DebtorType::Business => InterestKind::Commercial,
    };
    let claims = law
        .claims
        .iter()
        .map(|c| {
            Ok(ClaimInput {
                id: c.id,
                principal: Money::from_cents(c.principal_cents),
                due_on: c.due_on,
                interest_from: c
                    .due_on
                    .tomorrow()
                    .map_err(|_| LawError::DateOutOfRange(c.due_on))?,
                interest: kind,
                onerousness: 0,
            })
        })
        .collect::<Result<Vec<_>, LawError>>()?;
    let payments = payments.into_iter();
    let mut events: Vec<Event> = Vec::with_capacity(payments.size_hint().0 + 2);
    if let Some(on) = law.demand_letter_sent_on {
        events.push(Event {
            on,
            kind: EventKind::DemandLetter,
        });
    }
    if let Some(on) = law.costs_demanded_on {
        events.push(Event {
            on,
            kind: EventKind::CollectionCosts,
        });
    }
    for (on, amount, designated) in payments {
        events.push(Event {
            on,
            kind: EventKind::Payment { amount, designated },
        });
    }
    // Stable: within a day the letter, then costs, then payments in order.
    events.sort_by_key(|e| e.on);
    let run = |events: &[Event]| {
        statement_of_account(
            nl,
            &CaseInput {
                debtor: law.debtor_type,
                claims: &claims,
                events,
                costs,
                as_of,
            },
        )
    };
    match run(&events) {
        // A letter sent before the debtor was in default does not count
        // (6:83(a) BW), nor the costs that leaned on it.
        Err(LawError::LetterBeforeDefault { .. }) => {
            events.retain(|e| {
                !matches!(e.kind, EventKind::DemandLetter | EventKind::CollectionCosts)
            });
            run(&events)
        }
        // Costs the law does not allow on that day are not due (yet).
        Err(
            LawError::NoDemandLetter { .. }
            | LawError::CostsBeforeTermEnded { .. }
            | LawError::CostsBeforeDefault { .. }
            | LawError::CostsAlreadyCharged { .. },
        ) if law.costs_demanded_on.is_some() => {
            events.retain(|e| e.kind != EventKind::CollectionCosts);
            run(&events)
        }
        other => other,
    }
}

/// A receipt a bank return or reversal undid: the seam for what depends on
/// the money having arrived (a direct-debit instalment reopens on MD06,
/// AM04 ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedReceipt {
    /// The statement entry of the return.
    pub entry_key: String,
    /// The credit entry it undid.
    pub original_entry_key: String,
    /// The case the credit had been allocated to, if any.
    pub case: Option<CaseId>,
    pub amount: Money,
    pub on: Date,
    /// The SEPA return reason code (`MD06`, `AM04` ...), when given.
    pub reason_code: Option<String>,
    pub end_to_end_id: Option<String>,
    pub mandate_id: Option<String>,
}

/// A batch's window on the ledger, the cases it books on, and what it made.
pub(crate) struct Book {
    pub ledger: Ledger,
    /// Where the transfers this batch made start in the window.
    made_from: usize,
    pub cases: HashMap<CaseId, CaseBook>,
    nl: Netherlands,
    /// The agreement versions of the window's clients, read when it opens:
    /// a statement settles many payments of few clients, and settling reads
    /// nothing from the store.
    agreements: HashMap<ClientId, Vec<kwijting_store::ClientAgreementRow>>,
    /// Cases this batch paid off, or that owe again after a return, in the
    /// order booked: written with the transfers.
    pub settled: Vec<CaseSettled>,
    /// Allocations this batch made that the debtor designated to a claim:
    /// written with the transfers.
    pub designations: Vec<PaymentDesignation>,
}

/// The costs terms a client's settings give the statement of account: the
/// agreement with business debtors (ignored for consumers, for whom the BIK
/// is mandatory) and the VAT raise when the client cannot deduct VAT.
pub(crate) fn costs_settings(s: &kwijting_store::ClientSettingsRow) -> CostsSettings {
    use kwijting_law::nl::costs::BusinessCostsAgreement;
    let agreement = match (s.costs_fixed_cents, s.costs_percent_bps) {
        (Some(cents), _) => BusinessCostsAgreement::FixedAmount(Money::from_cents(cents)),
        (None, Some(bps)) => u32::try_from(bps)
            .ok()
            .and_then(|b| kwijting_law::RateBps::new(b).ok())
            .map_or(
                BusinessCostsAgreement::Bik,
                BusinessCostsAgreement::Percentage,
            ),
        (None, None) => BusinessCostsAgreement::Bik,
    };
    CostsSettings {
        vat_rate: s
            .vat_not_deductible
            .then_some(kwijting_law::RateBps::VAT_NL),
        agreement,
        recalculate_after_a_year: false,
    }
}

impl Kwijting {
    /// Each client's costs terms.
    pub(crate) fn costs_terms(&self) -> Result<HashMap<ClientId, CostsSettings>, ServiceError> {
        Ok(self
            .store
            .clients()?
            .iter()
            .map(|c| (c.id, costs_settings(&c.settings)))
            .collect())
    }

    /// The law with the rate table in force.
    pub(crate) fn netherlands(&self) -> Result<Netherlands, ServiceError> {
        Ok(Netherlands::with_data(
            self.rate_table()?,
            Holidays::statutory(),
            Default::default(),
        ))
    }

    /// Opens a window on the stored ledger for `cases` (their accounts,
    /// their clients' payables, the trust accounts) and the stored
    /// transfers keyed in `keys` with the transfers spending from them.
    pub(crate) fn open_book(
        &self,
        cases: &[CaseId],
        keys: &[String],
    ) -> Result<Book, ServiceError> {
        let law = self.store.case_law_rows(cases)?;
        let mut accounts: Vec<AccountKind> = vec![
            AccountKind::BankTrust,
            AccountKind::Suspense,
            AccountKind::RefundsPayable,
            AccountKind::AgencyCommission,
            AccountKind::AgencyCostRevenue,
        ];
        let mut clients: Vec<ClientId> = law.values().map(|l| l.client).collect();
        clients.sort_unstable();
        clients.dedup();
        accounts.extend(clients.iter().copied().map(AccountKind::ClientPayable));
        let mut agreements = HashMap::with_capacity(clients.len());
        for client in clients {
            agreements.insert(client, self.store.client_agreements(Some(client))?);
        }
        // A case's first transfer posts to its entitlement: only cases with
        // an entitlement balance kept have other balances to read.
        accounts.extend(law.keys().map(|c| AccountKind::CaseEntitlement(*c)));
        let names: Vec<String> = accounts.iter().map(|a| a.name()).collect();
        let mut balances = self.store.ledger_balances(&names)?;
        let more: Vec<String> = law
            .keys()
            .filter(|c| balances.contains_key(&AccountKind::CaseEntitlement(**c).name()))
            .flat_map(|c| {
                case_accounts(*c)[..4]
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
            })
            .collect();
        if !more.is_empty() {
            balances.extend(self.store.ledger_balances(&more)?);
        }
        // Only cases already on the ledger have transfers to read.
        let history: Vec<CaseId> = law
            .keys()
            .filter(|c| balances.contains_key(&AccountKind::CaseEntitlement(**c).name()))
            .copied()
            .collect();
        let stored = if history.is_empty() && keys.is_empty() {
            Vec::new()
        } else {
            self.store.ledger_transfers_for(&history, keys)?
        };
        let transfers = stored
            .iter()
            .map(from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        let window = balances
            .iter()
            .map(|(name, cents)| {
                AccountKind::parse(name)
                    .map(|a| (a, Money::from_cents(*cents)))
                    .ok_or_else(|| internal(format!("stored balance of unknown account {name}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ledger = Ledger::window(window, transfers);
        let designations = self.store.payment_designations(&history)?;
        let terms = self.costs_terms()?;
        let by_case = transfers_by_case(&ledger);
        let cases = law
            .into_iter()
            .map(|(id, row)| {
                let mine = by_case.get(&id).map(Vec::as_slice).unwrap_or_default();
                let costs = terms.get(&row.client).copied().unwrap_or_default();
                let book =
                    CaseBook::from_ledger(row, costs, &ledger, mine.iter().copied(), &designations);
                (id, book)
            })
            .collect();
        Ok(Book {
            made_from: ledger.transfers().len(),
            ledger,
            cases,
            nl: self.netherlands()?,
            agreements,
            settled: Vec::new(),
            designations: Vec::new(),
        })
    }
}

impl Book {
    /// The transfers this batch made, in the order applied.
    pub(crate) fn made(&self) -> &[Transfer] {
        &self.ledger.transfers()[self.made_from..]
    }

    pub(crate) fn apply(&mut self, t: Transfer) -> Result<(), ServiceError> {
        for p in t.postings() {
            if let Some(c) = p.account.case()
                && let Some(book) = self.cases.get_mut(&c)
            {
                book.last_on = book.last_on.max(Some(t.on()));
            }
        }
        self.ledger.apply(t).map_err(internal)?;
        Ok(())
    }

    fn restate_to(
        &mut self,
        case: CaseId,
        key_text: &str,
        on: Date,
        target: &CaseBalance,
        why: &str,
    ) -> Result<(), ServiceError> {
        let t = restate(
            &self.ledger,
            key(key_text)?,
            on,
            case,
            target,
            &format!("statement of account of {on}: {why}"),
        )
        .map_err(internal)?;
        if let Some(t) = t {
            self.apply(t)?;
        }
        Ok(())
    }

    /// Brings each of `cases` the window holds with a posting to its
    /// statement of account on its last posting day (claims added, costs
    /// due since): the ledger follows a statement that changed without a
    /// payment. The key counts the case's transfers so far, so it is new
    /// each time the case changed. Returns the cases restated.
    pub(crate) fn restate_cases(
        &mut self,
        cases: &[CaseId],
        why: &str,
    ) -> Result<Vec<CaseId>, ServiceError> {
        let mut count: HashMap<CaseId, usize> = HashMap::new();
        for (case, ts) in transfers_by_case(&self.ledger) {
            count.insert(case, ts.len());
        }
        let mut restated = Vec::new();
        for case in cases {
            let Some(book) = self.cases.get(case) else {
                continue;
            };
            let Some(on) = book.last_on else { continue };
            let s = book
                .statement(&self.nl, on, None)
                .map_err(|e| internal(format!("case {case}: the law engine refused: {e}")))?;
            let n = count.get(case).copied().unwrap_or(0);
            let before = self.ledger.transfers().len();
            self.restate_to(
                *case,
                &format!("chg:rst:{}:{n}", case.0),
                on,
                &from_amounts(&s.outstanding),
                why,
            )?;
            if self.ledger.transfers().len() > before {
                restated.push(*case);
            }
        }
        Ok(restated)
    }

    /// Allocates `amount` of `receipt` to `case` as the statement of account
    /// applies it on `on`, to the claim `designated` first when the debtor
    /// named one (art. 6:43(1) BW), after charging what the statement has
    /// that the ledger lacks. Returns what was held for refund. Nothing is
    /// applied when the law engine refuses the case.
    pub(crate) fn settle(
        &mut self,
        case: CaseId,
        receipt: &TransferKey,
        amount: Money,
        on: Date,
        designated: Option<ClaimId>,
        reason: &str,
    ) -> Result<Money, ServiceError> {
        let book = self
            .cases
            .get(&case)
            .ok_or_else(|| ServiceError::UnknownCase(case.to_string()))?;
        let client = book.law.client;
        let versions = self.agreements.get(&client).map_or(&[][..], Vec::as_slice);
        let agreement = &crate::remit::agreement_in(versions, client, on)?;
        // Interest runs to the payment day; a payment older than what is
        // already posted is counted in the statement on the later day.
        let as_of = book.last_on.map_or(on, |l| l.max(on));
        let law = |e: LawError| internal(format!("case {case}: the law engine refused: {e}"));
        let after = book
            .statement(&self.nl, as_of, Some((on, amount, designated)))
            .map_err(law)?;
        // Paid in date order, the case stood before the payment at what it
        // stands at after it plus what the payment took: one statement of
        // account per payment, not two.
        let application = after
            .payments
            .iter()
            .rev()
            .find(|p| p.on == on && p.amount == amount)
            .filter(|_| as_of == on)
            .cloned();
        let before = match &application {
            Some(_) => None,
            None => Some(book.statement(&self.nl, as_of, None).map_err(law)?),
        };
        let target = match (&application, &before) {
            (Some(a), _) => plus_applied(&after, a)?,
            (None, Some(b)) => from_amounts(&b.outstanding),
            (None, None) => return Err(internal("no statement before the payment")),
        };
        let alloc_key = format!("alloc:{}", receipt.as_str());
        self.restate_to(
            case,
            &format!("chg:{alloc_key}"),
            as_of,
            &target,
            "before payment",
        )?;
        let req = AllocationRequest {
            key: &key(&alloc_key)?,
            receipt,
            case,
            amount,
            on,
            agreement,
            reason,
        };
        let applied = application
            .as_ref()
            .and_then(|a| allocate_applied(&self.ledger, &req, a).ok());
        let plan = match applied {
            Some(p) => p,
            None => {
                // By the law's rules over the ledger's whole cents, from the
                // statement before the payment.
                let before = match before {
                    Some(b) => b,
                    None => self.cases[&case]
                        .statement(&self.nl, as_of, None)
                        .map_err(law)?,
                };
                self.restate_to(
                    case,
                    &format!("chg1:{alloc_key}"),
                    as_of,
                    &from_amounts(&before.outstanding),
                    "before payment",
                )?;
                allocate(
                    &self.ledger,
                    &req,
                    &claims_from_statement(&before, &[]),
                    designated,
                )
                .map_err(internal)?
            }
        };
        let refund = plan.refund;
        // A payment the case took nothing of (all held for refund) leaves no
        // trace on the case's accounts, so a statement rebuilt from the
        // ledger cannot count it: it does not count here either.
        let counts = touches_case(&plan.transfer, case);
        self.apply(plan.transfer)?;
        if !counts {
            return Ok(refund);
        }
        if let Some(book) = self.cases.get_mut(&case) {
            book.payments.push(Paid {
                on,
                amount,
                allocation: key(&alloc_key)?,
                designated,
            });
        }
        if let Some(claim) = designated {
            self.designations.push(PaymentDesignation {
                allocation_key: alloc_key.clone(),
                case,
                claim,
            });
        }
        self.restate_to(
            case,
            &format!("chg2:{alloc_key}"),
            as_of,
            &from_amounts(&after.outstanding),
            "after payment",
        )?;
        // Nothing owed after the payment: the case is paid (kwijting).
        if after.balance.is_zero() {
            self.settled.push(CaseSettled::PaidOff { case, on: as_of });
        }
        Ok(refund)
    }

    /// Undoes a receipt and every allocation made from it (a bank return),
    /// then restates each case it was allocated to without the payment.
    /// Returns the cases it had reached.
    pub(crate) fn unbook_receipt(
        &mut self,
        receipt: &TransferKey,
        on: Date,
        return_key: &str,
        source: &Source,
    ) -> Result<Vec<CaseId>, ServiceError> {
        let reversals = return_receipt(&self.ledger, receipt, on, key(return_key)?, source)
            .map_err(internal)?;
        let mut cases: Vec<CaseId> = Vec::new();
        for t in &reversals {
            for p in t.postings() {
                if let Some(c) = p.account.case()
                    && !cases.contains(&c)
                {
                    cases.push(c);
                }
            }
        }
        let undone: Vec<TransferKey> = reversals
            .iter()
            .filter_map(|t| t.reverses().cloned())
            .collect();
        for t in &reversals {
            for p in t.postings() {
                if let Some(c) = p.account.case()
                    && let Some(book) = self.cases.get_mut(&c)
                {
                    book.last_on = book.last_on.max(Some(t.on()));
                }
            }
        }
        self.ledger.apply_all(reversals).map_err(internal)?;
        for c in &cases {
            let Some(book) = self.cases.get_mut(c) else {
                return Err(internal(format!(
                    "case {c} of a returned payment was not loaded"
                )));
            };
            book.payments.retain(|p| !undone.contains(&p.allocation));
            let as_of = book.last_on.map_or(on, |l| l.max(on));
            let s = book
                .statement(&self.nl, as_of, None)
                .map_err(|e| internal(format!("case {c}: the law engine refused: {e}")))?;
            self.restate_to(
                *c,
                &format!("chg:{return_key}:{}", c.0),
                as_of,
                &from_amounts(&s.outstanding),
                "payment returned",
            )?;
            if s.balance.cents() > 0 {
                self.settled.push(CaseSettled::OwingAgain { case: *c });
            }
        }
        Ok(cases)
    }
}
