//! Money in: bank statements booked on the trust-account ledger, matched to
//! cases and allocated by the law (art. 6:43/6:44 BW) after the interest and
//! costs of the statement of account are charged; returns and reversals undo
//! the receipt they refer to; what cannot be matched waits in suspense for a
//! person, who assigns it; `ledger verify` checks every invariant over what
//! is stored, including that each case equals its statement of account.

use std::collections::{HashMap, HashSet};

use kwijting_bank::{CreditDebit, EntryStatus, Statement};
use kwijting_domain::{Actor, CaseId, Date, Iban, Money};
use kwijting_ledger::keymap::KeyMap;
use kwijting_ledger::matching::{
    CaseLookup, CreditLine, Designation, MatchOutcome, StructuredReference, designated_claim,
    match_credit,
};
use kwijting_ledger::recipe::{bank_costs, receipt};
use kwijting_ledger::{AccountKind, Ledger, Source, SourceKind};
use kwijting_store::{
    BankEntry, CreditProbe, DesignationStore, EntryLinks, EntryUpdate, LedgerBatch,
    PaymentAssignment, UnmatchedStore,
};

pub(crate) use crate::settle::from_stored;
pub use crate::settle::to_stored;
use crate::settle::{Book, CaseBook, ReturnedReceipt, internal, key};
use crate::{Access, Kwijting, ServiceError};

/// What a statement import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementReport {
    pub statements: u64,
    pub transactions: u64,
    /// Booked before (a re-import): nothing done.
    pub known: u64,
    pub matched: u64,
    pub unmatched: u64,
    /// Debits and reversals, including returns.
    pub debits: u64,
    /// Entries the bank has not booked yet (pending, information only):
    /// recorded, not booked; they come again booked.
    pub pending: u64,
    /// Debits that are neither our payouts nor returns: in the queue.
    pub unmatched_debits: u64,
    /// Credits beyond what the case owed, held for refund.
    pub refunds_cents: i64,
    /// Receipts a return or reversal undid, with the return reason.
    pub returns: Vec<ReturnedReceipt>,
}

/// Rows per table and every kept ledger balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerFingerprint {
    pub tables: Vec<(String, i64)>,
    pub balances: Vec<(String, i64)>,
}

/// Unmatched money assigned by a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub entry_key: String,
    pub case: CaseId,
    pub case_number: String,
    pub amount: Money,
    /// Beyond what the case owed, held for refund.
    pub refund: Money,
}

/// What a person says an unmatched debit (neither our payout nor a
/// return the bank marked) was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebitAs<'a> {
    /// It takes back a payment booked to this case (by its number): a
    /// chargeback or a recall of a credit that came without return
    /// information. Booked as a return of that payment.
    TakesBackPaymentOf(&'a str),
    /// The bank's costs of the trust account, paid from the agency's
    /// commission.
    BankCosts,
}

/// An unmatched debit booked as what a person said it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebitAssigned {
    pub entry_key: String,
    /// What left the trust account (positive).
    pub amount: Money,
    /// `payment_taken_back` or `bank_costs`.
    pub booked_as: &'static str,
    /// The case whose payment it took back.
    pub case_number: Option<String>,
    /// The credit entry it took back.
    pub original_entry_key: Option<String>,
}

/// A person's assignment of an entry of the unmatched queue to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    /// A credit, allocated to the case.
    Credit(Assigned),
    /// A debit, booked as taking back a payment of the case.
    Debit(DebitAssigned),
}

/// Case look-ups for matching, from the states fetched for the statement
/// at once, falling back to the store for a case not foreseen.
struct StoreLookup<'a> {
    svc: &'a Kwijting,
    states: HashMap<CaseId, (bool, i64, kwijting_domain::ClientId)>,
}

impl StoreLookup<'_> {
    fn state(&self, id: CaseId) -> Option<(bool, i64, kwijting_domain::ClientId)> {
        match self.states.get(&id) {
            Some(s) => Some(*s),
            None => self.svc.store.case_state(id).ok().flatten(),
        }
    }
}

impl CaseLookup for StoreLookup<'_> {
    fn case_open(&self, id: CaseId) -> Option<bool> {
        self.state(id).map(|(open, _, _)| open)
    }

    fn open_cases_of_debtor_iban(&self, iban: &Iban) -> Vec<CaseId> {
        self.svc
            .store
            .open_cases_by_debtor_iban(iban.as_str())
            .unwrap_or_default()
    }
}

/// What a statement transaction will do once the ledger window is open.
enum Plan {
    /// Money in for a case, or for suspense; matched, to the claim its
    /// remittance designates first.
    Credit {
        outcome: MatchOutcome,
        line: CreditLine,
        designation: Option<Designation>,
    },
    /// Money in that undoes a debit of ours (a reversal or a returned
    /// payout): suspense, for a person.
    CreditBack {
        reason: String,
    },
    /// A credit returned or reversed; the original when recognised.
    Return {
        original: Option<Original>,
        mandate_id: Option<String>,
    },
    Debit,
    /// Not booked by the bank (pending, information only).
    Info,
}

struct Planned {
    entry: BankEntry,
    links: EntryLinks,
    amount: Money,
    on: Date,
    plan: Plan,
}

/// The credit a return undoes: its entry key, its case when allocated,
/// and the rule that found it.
struct Original {
    key: String,
    case: Option<CaseId>,
    rule: &'static str,
}

/// A way to find a return's credit: the return's value, the rule's name,
/// and the same field of a credit of this file.
type Probe<'a> = (
    Option<&'a str>,
    &'static str,
    fn(&CreditSeen) -> Option<&str>,
);

/// A credit of this file or the store a return may refer to.
struct CreditSeen {
    key: String,
    amount_cents: i64,
    end_to_end_id: Option<String>,
    structured_ref: Option<String>,
    iban: Option<String>,
}

impl Kwijting {
    /// Checks every invariant of the stored ledger: each transfer balances,
    /// the trust account equals what is owed to clients plus suspense plus
    /// refunds plus agency income not transferred, nothing on the wrong side,
    /// the kept balances equal the postings, and each case on the ledger
    /// equals the law engine's statement of account on its last posting day.
    pub fn verify_ledger(&self, actor: &Actor) -> Result<Result<u64, Vec<String>>, ServiceError> {
        self.door()
            .check(actor, None, &["payment"], Access::Read, "the ledger")?;
        let stored = self.store.ledger_transfers()?;
        let mut transfers = Vec::with_capacity(stored.len());
        let mut problems = Vec::new();
        for s in &stored {
            match from_stored(s) {
                Ok(t) => transfers.push(t),
                Err(e) => problems.push(e.to_string()),
            }
        }
        let ledger = Ledger::load_unchecked(transfers);
        if let Err(v) = ledger.verify() {
            problems.extend(v.iter().map(|v| v.to_string()));
        }
        problems.extend(self.kept_balance_problems(&ledger)?);
        problems.extend(self.statement_problems(&ledger)?);
        Ok(if problems.is_empty() {
            Ok(stored.len() as u64)
        } else {
            Err(problems)
        })
    }

    fn kept_balance_problems(&self, ledger: &Ledger) -> Result<Vec<String>, ServiceError> {
        let mut problems = Vec::new();
        let mut kept_accounts = HashSet::new();
        for (name, cents) in self.store.all_ledger_balances()? {
            let Some(account) = AccountKind::parse(&name) else {
                problems.push(format!("a balance is kept for unknown account {name}"));
                continue;
            };
            kept_accounts.insert(account);
            let posted = ledger.balance(account);
            if posted.cents() != cents {
                problems.push(format!(
                    "{name}: the kept balance is {} but its postings sum to {posted}",
                    Money::from_cents(cents)
                ));
            }
        }
        for (account, posted) in ledger.balances() {
            if !kept_accounts.contains(&account) {
                problems.push(format!(
                    "{account}: postings sum to {posted} but no balance is kept"
                ));
            }
        }
        Ok(problems)
    }

    fn statement_problems(&self, ledger: &Ledger) -> Result<Vec<String>, ServiceError> {
        let by_case = crate::settle::transfers_by_case(ledger);
        let mut cases: Vec<CaseId> = by_case.keys().copied().collect();
        cases.sort_unstable();
        let mut law = self.store.case_law_rows(&cases)?;
        let nl = self.netherlands()?;
        let terms = self.costs_terms()?;
        let designations = self.store.payment_designations(&cases)?;
        let mut problems = Vec::new();
        for case in cases {
            let Some(row) = law.remove(&case) else {
                problems.push(format!("case {case} is on the ledger but not stored"));
                continue;
            };
            let costs = terms.get(&row.client).copied().unwrap_or_default();
            let book = CaseBook::from_ledger(
                row,
                costs,
                ledger,
                by_case[&case].iter().copied(),
                &designations,
            );
            let Some(as_of) = book.last_on else { continue };
            match book.statement(&nl, as_of, None) {
                Ok(s) => {
                    if let Err(v) = kwijting_ledger::recipe::statement_agrees(ledger, case, &s) {
                        problems.push(format!("{v} (as of {as_of})"));
                    }
                }
                Err(e) => problems.push(format!("case {case}: the law engine refused: {e}")),
            }
        }
        Ok(problems)
    }

    /// Rows per table and every kept ledger balance: what a re-import must
    /// leave unchanged (for tests and `ledger verify` reports).
    pub fn ledger_fingerprint(&self, actor: &Actor) -> Result<LedgerFingerprint, ServiceError> {
        self.door()
            .check(actor, None, &["payment"], Access::Read, "the ledger")?;
        Ok(LedgerFingerprint {
            tables: self.store.table_counts()?,
            balances: self.store.all_ledger_balances()?,
        })
    }

    /// A case by its number, with its client, for the door.
    fn case_by_number(
        &self,
        case_number: &str,
    ) -> Result<
        (
            kwijting_domain::CaseNumber,
            CaseId,
            kwijting_domain::ClientId,
        ),
        ServiceError,
    > {
        let unknown = || ServiceError::UnknownCase(case_number.to_owned());
        let number =
            kwijting_domain::CaseNumber::parse(case_number.trim()).map_err(|_| unknown())?;
        let case = number.case_id();
        let (_, _, client) = self.store.case_state(case)?.ok_or_else(unknown)?;
        Ok((number, case, client))
    }

    /// What a case owes on the ledger, part by part.
    pub fn case_ledger(
        &self,
        actor: &Actor,
        case_number: &str,
    ) -> Result<kwijting_ledger::CaseBalance, ServiceError> {
        let (_, case, client) = self.case_by_number(case_number)?;
        self.door().check(
            actor,
            Some(client),
            &["payment", "debt"],
            Access::Read,
            "the case's ledger",
        )?;
        let accounts = crate::settle::case_accounts(case);
        let names: Vec<String> = accounts.iter().map(|a| a.name()).collect();
        let kept = self.store.ledger_balances(&names)?;
        let get = |a: AccountKind| Money::from_cents(kept.get(&a.name()).copied().unwrap_or(0));
        Ok(kwijting_ledger::CaseBalance {
            principal: get(accounts[0]),
            interest: get(accounts[1]),
            costs: get(accounts[2]),
            vat: get(accounts[3]),
        })
    }

    /// Statement credits and unrecognised returns waiting for a person.
    pub fn unmatched_payments(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> Result<(u64, Vec<BankEntry>), ServiceError> {
        self.door().check(
            actor,
            None,
            &["payment", "bank_account"],
            Access::Read,
            "unmatched payments",
        )?;
        Ok(self.store.unmatched_entries(limit)?)
    }

    /// Called once for every receipt a return or reversal undid, after the
    /// return is stored. The seam for what depends on the money having
    /// arrived: the direct-debit work reopens, retries or stops the
    /// instalment here by the return reason (MD06, AM04 ...).
    pub(crate) fn on_returned_receipt(
        &self,
        _actor: &Actor,
        _returned: &ReturnedReceipt,
    ) -> Result<(), ServiceError> {
        Ok(())
    }

    /// Books a bank statement file (camt.052/053/054 or MT940): all or
    /// nothing, idempotent per transaction. Refused when a statement's
    /// balances do not reconcile.
    pub fn import_statement(
        &self,
        actor: &Actor,
        source: &str,
        bytes: &[u8],
    ) -> Result<StatementReport, ServiceError> {
        self.door().check(
            actor,
            None,
            &["payment", "bank_account", "identity"],
            Access::Write,
            "bank statements",
        )?;
        let statements = parse_statement(source, bytes)?;
        for s in &statements {
            check_amount_limits(source, s)?;
            self.check_trust_account(source, s)?;
            s.reconcile()
                .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        }
        let mut report = StatementReport {
            statements: statements.len() as u64,
            ..StatementReport::default()
        };
        let mut keys = Vec::new();
        for s in &statements {
            for e in &s.entries {
                for t in &e.transactions {
                    keys.push(e.idempotency_key(s, t.index));
                }
            }
        }
        let known = self.store.known_bank_entries(&keys)?;
        let lookup = StoreLookup {
            svc: self,
            states: self.store.case_states(&referenced_cases(&statements))?,
        };

        // 1. What each new transaction will do, before the ledger is read.
        let mut planned: Vec<Planned> = Vec::new();
        let mut seen = HashSet::new();
        let mut credits: Vec<CreditSeen> = Vec::new();
        let mut claimed: HashSet<String> = HashSet::new();
        // Direct-debit returns, handed to the arrangements once booked.
        let mut dd_returns = Vec::new();
        for s in &statements {
            for e in &s.entries {
                for t in &e.transactions {
                    report.transactions += 1;
                    let key_text = e.idempotency_key(s, t.index);
                    if known.contains(&key_text) || !seen.insert(key_text.clone()) {
                        report.known += 1;
                        continue;
                    }
                    let amount = t.amount.unwrap_or(e.amount);
                    let on = e.date().unwrap_or(self.clock().today());
                    let credit = e.credit_debit == CreditDebit::Credit;
                    let entry = BankEntry {
                        key: key_text.clone(),
                        source: source.to_owned(),
                        account: s.account.as_str().to_owned(),
                        booked_on: e.date(),
                        amount_cents: if credit {
                            amount.cents()
                        } else {
                            -amount.cents()
                        },
                        counterparty_name: t.counterparty_name.clone(),
                        counterparty_iban: t.counterparty_iban.clone(),
                        remittance: (!t.remittance_unstructured.is_empty())
                            .then(|| t.remittance_unstructured.join(" ")),
                        structured_ref: t
                            .structured_reference
                            .as_ref()
                            .map(|r| r.reference.clone()),
                        match_state: String::new(),
                        case: None,
                        confidence: None,
                        reason: None,
                    };
                    let links = EntryLinks {
                        end_to_end_id: t.end_to_end_id.clone(),
                        return_reason: t.return_reason.clone(),
                        reverses_entry: None,
                    };
                    let undoes = e.reversal || t.return_reason.is_some();
                    let plan = if e.status != EntryStatus::Booked {
                        // Pending and information-only lines (camt.052)
                        // come again booked: recorded, never booked twice.
                        Plan::Info
                    } else if amount.cents() <= 0 {
                        Plan::Debit
                    } else if credit && undoes {
                        Plan::CreditBack {
                            reason: format!(
                                "money back of a debit ({}); book it by hand",
                                t.return_reason
                                    .as_deref()
                                    .map_or("reversal".to_owned(), |r| format!(
                                        "return reason {r}"
                                    ))
                            ),
                        }
                    } else if credit {
                        credits.push(CreditSeen {
                            key: key_text.clone(),
                            amount_cents: amount.cents(),
                            end_to_end_id: t.end_to_end_id.clone(),
                            structured_ref: entry.structured_ref.clone(),
                            iban: t.counterparty_iban.clone(),
                        });
                        let line = CreditLine {
                            amount,
                            structured: t.structured_reference.as_ref().map(|r| {
                                StructuredReference {
                                    issuer: Some(format!("{:?}", r.issuer)),
                                    text: r.reference.clone(),
                                }
                            }),
                            unstructured: t.remittance_unstructured.clone(),
                            counterparty_iban: t.counterparty_iban.clone(),
                        };
                        Plan::Credit {
                            outcome: match_credit(&line, &lookup),
                            line,
                            designation: None,
                        }
                    } else if undoes {
                        // A direct-debit return reopens its instalment
                        // whether or not its collection is found here (a
                        // collection may have been booked as one batch).
                        if let (Some(reason), Some(e2e)) =
                            (t.return_reason_code(), t.end_to_end_id.as_deref())
                        {
                            dd_returns.push((e2e.to_owned(), reason, on));
                        }
                        let original =
                            self.original_credit(&entry, &links, &credits, &mut claimed)?;
                        Plan::Return {
                            original,
                            mandate_id: t.mandate_id.clone(),
                        }
                    } else {
                        Plan::Debit
                    };
                    planned.push(Planned {
                        entry,
                        links,
                        amount,
                        on,
                        plan,
                    });
                }
            }
        }

        // 2. The claim each matched credit designates, by the invoice
        // numbers of its case's claims (art. 6:43(1) BW).
        self.designate(&mut planned)?;

        // 3. One window on the ledger for every case and receipt involved.
        let mut cases: Vec<CaseId> = Vec::new();
        let mut receipts: Vec<String> = Vec::new();
        let in_file: HashSet<&str> = credits.iter().map(|c| c.key.as_str()).collect();
        for p in &planned {
            match &p.plan {
                Plan::Credit {
                    outcome: MatchOutcome::Matched { case, .. },
                    ..
                } => cases.push(*case),
                Plan::Return {
                    original: Some(Original { key: k, case, .. }),
                    ..
                } => {
                    cases.extend(*case);
                    if !in_file.contains(k.as_str()) {
                        receipts.push(format!("rcpt:{k}"));
                    }
                }
                _ => {}
            }
        }
        cases.sort_unstable();
        cases.dedup();
        let mut book = self.open_book(&cases, &receipts)?;

        // 4. Book in statement order, while a second thread writes what is
        // booked: the booking of a chunk overlaps the writing of the one
        // before, in one transaction (all or nothing).
        let dd_returns = std::thread::scope(|scope| -> Result<_, ServiceError> {
            let (to_writer, from_booking) = std::sync::mpsc::sync_channel(WRITE_QUEUE_CHUNKS);
            let store = &self.store;
            let writer = scope.spawn(move || {
                store.book_ledger_stream(&mut Chunks {
                    from_booking,
                    done: false,
                })
            });
            let booked = book_planned(&mut book, planned, &mut report, &to_writer);
            if booked.is_ok() {
                // A writer that stopped has its own error to tell.
                let _ = to_writer.send(Chunk::Done);
            }
            drop(to_writer);
            // The window's hundreds of thousands of allocations are freed
            // while the writer commits.
            drop(book);
            let written = writer
                .join()
                .map_err(|_| internal("the ledger writer stopped unexpectedly"))?;
            // A writer that failed on its own tells why (the booking only
            // saw it hang up); one that was abandoned leaves the booking's.
            match (booked, written) {
                (Ok(()), Ok(())) => Ok(dd_returns),
                (Err(e), Ok(()) | Err(kwijting_store::StoreError::Abandoned)) => Err(e),
                (_, Err(e)) => Err(e.into()),
            }
        })?;
        for r in &report.returns {
            self.on_returned_receipt(actor, r)?;
        }
        for (e2e, reason, on) in &dd_returns {
            self.on_direct_debit_return(e2e, reason, *on)?;
        }
        Ok(report)
    }

    /// Fills in the claim each matched credit's remittance designates
    /// (`matching::designated_claim`, the one definition), reading the
    /// invoice numbers of the claims of the cases credits with a
    /// remittance were matched to.
    fn designate(&self, planned: &mut [Planned]) -> Result<(), ServiceError> {
        let has_text =
            |l: &CreditLine| l.structured.is_some() || l.unstructured.iter().any(|u| !u.is_empty());
        let mut cases: Vec<CaseId> = planned
            .iter()
            .filter_map(|p| match &p.plan {
                Plan::Credit {
                    outcome: MatchOutcome::Matched { case, .. },
                    line,
                    ..
                } if has_text(line) => Some(*case),
                _ => None,
            })
            .collect();
        cases.sort_unstable();
        cases.dedup();
        let invoices = self.store.claim_invoice_numbers(&cases)?;
        for p in planned.iter_mut() {
            if let Plan::Credit {
                outcome: MatchOutcome::Matched { case, .. },
                line,
                designation,
            } = &mut p.plan
                && let Some(claims) = invoices.get(case)
            {
                *designation =
                    designated_claim(line, claims.iter().map(|(id, n)| (*id, n.as_str())));
            }
        }
        Ok(())
    }

    /// A statement is booked only for one of the agency's trust accounts:
    /// money on any other account is not client money held in trust.
    fn check_trust_account(&self, source: &str, s: &Statement) -> Result<(), ServiceError> {
        let configured = self.trust_accounts();
        if configured.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "{source}: no trust account is configured (--trust-iban or KWIJTING_TRUST_IBAN); \
                 nothing was booked"
            )));
        }
        let iban = s.account.as_iban();
        if iban.as_ref().is_some_and(|i| configured.contains(i)) {
            return Ok(());
        }
        let list: Vec<&str> = configured.iter().map(|i| i.as_str()).collect();
        let what = match iban {
            Some(_) => "which is not a configured trust account",
            None => "which is not a valid IBAN, so not a trust account",
        };
        Err(ServiceError::Invalid(format!(
            "{source}: statement '{}' is for account {}, {what} ({}); nothing was booked",
            s.statement_id,
            s.account.as_str(),
            list.join(", ")
        )))
    }

    /// The credit a return or reversal undoes: by end-to-end id, then by
    /// structured reference, then by counterparty IBAN, each with the same
    /// amount; in this file first, then among the credits booked before and
    /// still standing. Each credit is undone at most once.
    fn original_credit(
        &self,
        entry: &BankEntry,
        links: &EntryLinks,
        in_file: &[CreditSeen],
        claimed: &mut HashSet<String>,
    ) -> Result<Option<Original>, ServiceError> {
        let amount = -entry.amount_cents;
        let probes: [Probe<'_>; 3] = [
            (links.end_to_end_id.as_deref(), "end-to-end id", |c| {
                c.end_to_end_id.as_deref()
            }),
            (entry.structured_ref.as_deref(), "reference", |c| {
                c.structured_ref.as_deref()
            }),
            (
                entry.counterparty_iban.as_deref(),
                "amount and counterparty",
                |c| c.iban.as_deref(),
            ),
        ];
        for (i, (value, rule, field)) in probes.into_iter().enumerate() {
            let Some(value) = value else { continue };
            if let Some(c) = in_file.iter().find(|c| {
                c.amount_cents == amount && field(c) == Some(value) && !claimed.contains(&c.key)
            }) {
                claimed.insert(c.key.clone());
                // The case is known once the credit is booked in step 3.
                return Ok(Some(Original {
                    key: c.key.clone(),
                    case: None,
                    rule,
                }));
            }
            let probe = match i {
                0 => CreditProbe::EndToEndId(value),
                1 => CreditProbe::StructuredRef(value),
                _ => CreditProbe::CounterpartyIban(value),
            };
            if let Some(found) = self
                .store
                .standing_credits(probe, amount)?
                .into_iter()
                .find(|c| !claimed.contains(&c.key))
            {
                claimed.insert(found.key.clone());
                return Ok(Some(Original {
                    key: found.key,
                    case: found.case,
                    rule,
                }));
            }
        }
        Ok(None)
    }

    /// Assigns an entry of the unmatched queue to a case, whichever way the
    /// money went: a credit is allocated to the case
    /// ([`assign_payment`](Self::assign_payment)), a debit takes back a
    /// payment of the case ([`assign_debit`](Self::assign_debit)). The one
    /// action of `payments assign` and the API's `.../assign`.
    pub fn assign_entry(
        &self,
        actor: &Actor,
        entry_key: &str,
        case_number: &str,
    ) -> Result<Assignment, ServiceError> {
        let debit = self
            .store
            .bank_entry(entry_key)?
            .is_some_and(|e| e.match_state == "unmatched_debit");
        Ok(if debit {
            Assignment::Debit(self.assign_debit(
                actor,
                entry_key,
                DebitAs::TakesBackPaymentOf(case_number),
            )?)
        } else {
            Assignment::Credit(self.assign_payment(actor, entry_key, case_number)?)
        })
    }

    /// Books an unmatched debit as what a person says it was, logged with
    /// who did it, all or nothing:
    ///
    /// - taking back a payment of a case: a debit leaves the trust account
    ///   when the bank gives money back to a payer (a chargeback, a recall
    ///   without return information). A bookkeeper books that as the return
    ///   of the payment it takes back, exactly as a return the bank marked:
    ///   the receipt and its allocations are reversed, the case is restated
    ///   without the payment (and opens again when it was closed as paid),
    ///   the credit is marked returned. The payment is the case's latest
    ///   standing credit of the same amount; a case without one is refused
    ///   (the ledger reverses whole transfers only, so a part of a payment
    ///   is not taken back);
    /// - bank costs: the bank's charges on the trust account are the
    ///   agency's running costs, paid from its commission still in the
    ///   account (`recipe::bank_costs`); refused when that does not cover
    ///   them (the trust account keeps covering what clients are owed).
    pub fn assign_debit(
        &self,
        actor: &Actor,
        entry_key: &str,
        debit_as: DebitAs<'_>,
    ) -> Result<DebitAssigned, ServiceError> {
        let case = match debit_as {
            DebitAs::TakesBackPaymentOf(number) => Some(self.case_by_number(number)?),
            DebitAs::BankCosts => None,
        };
        self.door().check(
            actor,
            case.as_ref().map(|(_, _, client)| *client),
            &["payment", "bank_account"],
            Access::Write,
            "assigning a debit",
        )?;
        let entry = self
            .store
            .bank_entry(entry_key)?
            .ok_or_else(|| ServiceError::Invalid(format!("no statement entry '{entry_key}'")))?;
        if entry.match_state != "unmatched_debit" || entry.amount_cents >= 0 {
            return Err(ServiceError::Invalid(format!(
                "entry '{entry_key}' is {}: only unmatched debits can be booked this way",
                entry.match_state
            )));
        }
        let amount = Money::from_cents(-entry.amount_cents);
        let on = entry.booked_on.unwrap_or(self.clock().today());
        let who = actor.name();
        let log = PaymentAssignment {
            entry_key: entry_key.to_owned(),
            kind: "assign".into(),
            case: case.as_ref().map(|(_, c, _)| *c),
            amount_cents: entry.amount_cents,
            actor: who.clone(),
            at: self.clock().now(),
        };
        let Some((number, case, _)) = case else {
            let mut book = self.open_book(&[], &[])?;
            let t = bank_costs(
                &book.ledger,
                key(&format!("bankcosts:{entry_key}"))?,
                on,
                amount,
                entry_key,
            )
            .map_err(|e| {
                ServiceError::Invalid(format!(
                    "entry '{entry_key}': bank costs of {amount} are paid from the agency's \
                     commission in the trust account, and {e}; the agency funds the trust account \
                     first; nothing was booked"
                ))
            })?;
            book.apply(t)?;
            self.store.book_ledger(&LedgerBatch {
                updates: vec![EntryUpdate {
                    key: entry_key.to_owned(),
                    match_state: "bank_costs".into(),
                    case: None,
                    reason: Some(format!(
                        "bank costs of the trust account, paid from the agency's commission; \
                         assigned by {who}"
                    )),
                }],
                transfers: book.made().iter().map(to_stored).collect(),
                assignments: vec![log],
                ..LedgerBatch::default()
            })?;
            return Ok(DebitAssigned {
                entry_key: entry_key.to_owned(),
                amount,
                booked_as: "bank_costs",
                case_number: None,
                original_entry_key: None,
            });
        };
        let original = self
            .store
            .standing_credits_of_case(case, amount.cents())?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "case {} has no payment of {amount} booked that was not returned: a debit \
                     assigned to a case takes back one of its payments, whole; nothing was booked",
                    number.as_str()
                ))
            })?;
        let rk = key(&format!("rcpt:{original}"))?;
        let mut book = self.open_book(&[case], &[rk.as_str().to_owned()])?;
        let source = Source::new(SourceKind::StatementEntry, entry_key).map_err(internal)?;
        book.unbook_receipt(&rk, on, &format!("rtn:{entry_key}"), &source)?;
        self.store.book_ledger(&LedgerBatch {
            updates: vec![
                EntryUpdate {
                    key: entry_key.to_owned(),
                    match_state: "return".into(),
                    case: Some(case),
                    reason: Some(format!(
                        "takes back {original} of {}: assigned by {who}",
                        number.as_str()
                    )),
                },
                EntryUpdate {
                    key: original.clone(),
                    match_state: "returned".into(),
                    case: None,
                    reason: Some(format!("returned by {entry_key}")),
                },
            ],
            transfers: book.made().iter().map(to_stored).collect(),
            assignments: vec![log],
            settled: std::mem::take(&mut book.settled),
            ..LedgerBatch::default()
        })?;
        self.on_returned_receipt(
            actor,
            &ReturnedReceipt {
                entry_key: entry_key.to_owned(),
                original_entry_key: original.clone(),
                case: Some(case),
                amount,
                on,
                reason_code: None,
                end_to_end_id: None,
                mandate_id: None,
            },
        )?;
        Ok(DebitAssigned {
            entry_key: entry_key.to_owned(),
            amount,
            booked_as: "payment_taken_back",
            case_number: Some(number.as_str().to_owned()),
            original_entry_key: Some(original),
        })
    }

    /// Assigns an unmatched credit to a case by hand: the money moves from
    /// suspense to the case and is allocated as a matched payment would be,
    /// logged with who assigned it.
    pub fn assign_payment(
        &self,
        actor: &Actor,
        entry_key: &str,
        case_number: &str,
    ) -> Result<Assigned, ServiceError> {
        let (number, case, client) = self.case_by_number(case_number)?;
        self.door().check(
            actor,
            Some(client),
            &["payment", "bank_account"],
            Access::Write,
            "assigning a payment",
        )?;
        let entry = self
            .store
            .bank_entry(entry_key)?
            .ok_or_else(|| ServiceError::Invalid(format!("no statement entry '{entry_key}'")))?;
        if entry.match_state != "unmatched" || entry.amount_cents <= 0 {
            return Err(ServiceError::Invalid(format!(
                "entry '{entry_key}' is {}: only unmatched credits can be assigned",
                entry.match_state
            )));
        }
        let rk = key(&format!("rcpt:{entry_key}"))?;
        let mut book = self.open_book(&[case], &[rk.as_str().to_owned()])?;
        let (amount, on) = match book.ledger.transfer(&rk) {
            Some(t) => (book.ledger.unspent(&rk).map_err(internal)?, t.on()),
            None => {
                return Err(ServiceError::Invalid(format!(
                    "entry '{entry_key}' has no receipt on the ledger"
                )));
            }
        };
        // The remittance designates a claim of the case it is assigned to
        // as it would have if matched (art. 6:43(1) BW).
        let line = CreditLine {
            amount,
            structured: entry
                .structured_ref
                .clone()
                .map(|text| StructuredReference { issuer: None, text }),
            unstructured: entry.remittance.clone().into_iter().collect(),
            counterparty_iban: None,
        };
        let invoices = self.store.claim_invoice_numbers(&[case])?;
        let designation = invoices.get(&case).and_then(|claims| {
            designated_claim(&line, claims.iter().map(|(id, n)| (*id, n.as_str())))
        });
        let who = actor.name();
        let refund = book.settle(
            case,
            &rk,
            amount,
            on,
            designation.as_ref().map(|d| d.claim),
            &format!("assigned by {who}"),
        )?;
        self.store.book_ledger(&LedgerBatch {
            entries: Vec::new(),
            updates: vec![EntryUpdate {
                key: entry_key.to_owned(),
                match_state: "assigned".into(),
                case: Some(case),
                reason: Some(format!(
                    "assigned to {} by {who}{}",
                    number.as_str(),
                    designated_note(designation.as_ref())
                )),
            }],
            transfers: book.made().iter().map(to_stored).collect(),
            designations: std::mem::take(&mut book.designations),
            assignments: vec![PaymentAssignment {
                entry_key: entry_key.to_owned(),
                kind: "assign".into(),
                case: Some(case),
                amount_cents: amount.cents(),
                actor: who,
                at: self.clock().now(),
            }],
            settled: std::mem::take(&mut book.settled),
        })?;
        Ok(Assigned {
            entry_key: entry_key.to_owned(),
            case,
            case_number: number.as_str().to_owned(),
            amount,
            refund,
        })
    }
}

/// Statement entries per chunk handed to the ledger writer.
const WRITE_CHUNK_ENTRIES: usize = 2_000;
/// Chunks booked ahead of the writer at most (memory stays bounded).
const WRITE_QUEUE_CHUNKS: usize = 4;

/// What the booking hands the ledger writer.
enum Chunk {
    Batch(LedgerBatch),
    /// Everything is booked: commit.
    Done,
}

/// The writer's side of the channel: batches until [`Chunk::Done`]; a
/// booking that stopped before it (an error, a panic) ends the channel
/// without it, and the store rolls everything back.
struct Chunks {
    from_booking: std::sync::mpsc::Receiver<Chunk>,
    done: bool,
}

impl Iterator for Chunks {
    type Item = kwijting_store::Result<LedgerBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.from_booking.recv() {
            Ok(Chunk::Batch(b)) => Some(Ok(b)),
            Ok(Chunk::Done) => {
                self.done = true;
                None
            }
            Err(_) => {
                self.done = true;
                Some(Err(kwijting_store::StoreError::Abandoned))
            }
        }
    }
}

/// Hands the writer the entries, updates and transfers booked since the
/// last chunk.
fn send(
    book: &mut Book,
    entries: &mut Vec<(BankEntry, EntryLinks)>,
    updates: &mut Vec<EntryUpdate>,
    made: &mut usize,
    to_writer: &std::sync::mpsc::SyncSender<Chunk>,
) -> Result<(), ServiceError> {
    let transfers: Vec<_> = book.made()[*made..].iter().map(to_stored).collect();
    *made += transfers.len();
    let batch = LedgerBatch {
        entries: std::mem::take(entries),
        updates: std::mem::take(updates),
        transfers,
        assignments: Vec::new(),
        designations: std::mem::take(&mut book.designations),
        settled: std::mem::take(&mut book.settled),
    };
    // A writer that hung up failed; its error is told when it is joined.
    to_writer
        .send(Chunk::Batch(batch))
        .map_err(|_| internal("the ledger writer stopped"))
}

/// Books the planned transactions in statement order on the ledger window
/// and hands what is booked to the writer chunk by chunk. Reads nothing
/// from the store: the writer holds it (on SQLite, its one connection).
fn book_planned(
    book: &mut Book,
    planned: Vec<Planned>,
    report: &mut StatementReport,
    to_writer: &std::sync::mpsc::SyncSender<Chunk>,
) -> Result<(), ServiceError> {
    // Key -> (position in the file, case), for returns of this file's credits.
    let mut position: KeyMap<String, (usize, Option<CaseId>)> = KeyMap::default();
    position.reserve(planned.len());
    // A receipt, a charge and an allocation per credit at most, mostly.
    book.ledger.reserve(planned.len() * 3);
    let mut entries: Vec<(BankEntry, EntryLinks)> = Vec::with_capacity(WRITE_CHUNK_ENTRIES);
    let mut updates: Vec<EntryUpdate> = Vec::new();
    // Entries and transfers handed to the writer so far.
    let mut sent = 0;
    let mut made = 0;
    for Planned {
        mut entry,
        mut links,
        amount,
        on,
        plan,
    } in planned
    {
        match plan {
            Plan::Credit {
                outcome,
                designation,
                ..
            } => {
                let rk = key(&format!("rcpt:{}", entry.key))?;
                book.apply(receipt(rk.clone(), on, amount, &entry.key).map_err(internal)?)?;
                match outcome {
                    MatchOutcome::Matched {
                        case,
                        confidence,
                        rule,
                        reason,
                    } => match book.settle(
                        case,
                        &rk,
                        amount,
                        on,
                        designation.as_ref().map(|d| d.claim),
                        &reason,
                    ) {
                        Ok(refund) => {
                            report.refunds_cents += refund.cents();
                            report.matched += 1;
                            entry.match_state = "matched".into();
                            entry.case = Some(case);
                            entry.confidence = Some(format!("{confidence:?}").to_lowercase());
                            entry.reason = Some(format!(
                                "{}: {reason}{}",
                                rule.as_str(),
                                designated_note(designation.as_ref())
                            ));
                        }
                        Err(e) => {
                            report.unmatched += 1;
                            entry.match_state = "unmatched".into();
                            entry.reason =
                                Some(format!("{}: {reason}; not allocated: {e}", rule.as_str()));
                        }
                    },
                    MatchOutcome::Unmatched { reason } => {
                        report.unmatched += 1;
                        entry.match_state = "unmatched".into();
                        entry.reason = Some(reason);
                    }
                }
            }
            Plan::CreditBack { reason } => {
                let rk = key(&format!("rcpt:{}", entry.key))?;
                book.apply(receipt(rk, on, amount, &entry.key).map_err(internal)?)?;
                report.unmatched += 1;
                entry.match_state = "unmatched".into();
                entry.reason = Some(reason);
            }
            Plan::Return {
                original,
                mandate_id,
            } => {
                report.debits += 1;
                let code = links.return_reason.clone();
                let why = code
                    .as_deref()
                    .map_or("a reversal".to_owned(), |c| format!("a return ({c})"));
                match original {
                    Some(Original {
                        key: orig,
                        case,
                        rule,
                    }) => {
                        // A credit of this file got its case in this loop.
                        let case = case.or_else(|| position.get(&orig).and_then(|&(_, c)| c));
                        let source = Source::new(SourceKind::StatementEntry, &entry.key)
                            .map_err(internal)?;
                        let undone = book.unbook_receipt(
                            &key(&format!("rcpt:{orig}"))?,
                            on,
                            &format!("rtn:{}", entry.key),
                            &source,
                        );
                        match undone {
                            Ok(_) => {
                                entry.match_state = "return".into();
                                entry.case = case;
                                entry.reason = Some(format!("{why} of {orig}, found by {rule}"));
                                links.reverses_entry = Some(orig.clone());
                                let note = Some(format!("returned by {}", entry.key));
                                // An entry of this file still in hand changes
                                // before it is written; one written already
                                // (or of an earlier file) is updated.
                                match position.get(&orig) {
                                    Some(&(i, _)) if i >= sent => {
                                        entries[i - sent].0.match_state = "returned".into();
                                        entries[i - sent].0.reason = note;
                                    }
                                    _ => updates.push(EntryUpdate {
                                        key: orig.clone(),
                                        match_state: "returned".into(),
                                        case: None,
                                        reason: note,
                                    }),
                                }
                                report.returns.push(ReturnedReceipt {
                                    entry_key: entry.key.clone(),
                                    original_entry_key: orig,
                                    case,
                                    amount,
                                    on,
                                    reason_code: code,
                                    end_to_end_id: links.end_to_end_id.clone(),
                                    mandate_id,
                                });
                            }
                            Err(e) => {
                                entry.match_state = "unmatched_return".into();
                                entry.reason =
                                    Some(format!("{why} of {orig} could not be booked: {e}"));
                            }
                        }
                    }
                    None => {
                        entry.match_state = "unmatched_return".into();
                        entry.reason = Some(format!(
                            "{why} that matches no booked credit (by end-to-end id, reference \
                             or amount and counterparty); book it by hand"
                        ));
                    }
                }
            }
            Plan::Debit => {
                // The agency's own payouts (remittances, refunds) were
                // booked when their pain.001 was written; any other debit
                // waits in the queue for a person, never nowhere.
                let ours = links
                    .end_to_end_id
                    .as_deref()
                    .is_some_and(|e| e.starts_with("RMT-") || e.starts_with("RFD-"));
                entry.match_state = if ours { "payout" } else { "unmatched_debit" }.into();
                if !ours {
                    entry.reason = Some(
                        "a debit that is not one of our payouts or a return: a person says what it was"
                            .into(),
                    );
                    report.unmatched_debits += 1;
                }
                report.debits += 1;
            }
            Plan::Info => {
                entry.match_state = "info".into();
                report.pending += 1;
            }
        }
        position.insert(entry.key.clone(), (sent + entries.len(), entry.case));
        entries.push((entry, links));
        if entries.len() == WRITE_CHUNK_ENTRIES {
            sent += entries.len();
            send(book, &mut entries, &mut updates, &mut made, to_writer)?;
        }
    }
    send(book, &mut entries, &mut updates, &mut made, to_writer)?;
    Ok(())
}

/// The largest amount one statement entry or transaction may carry: what
/// both the ledger (one posting, `transfer::POSTING_AMOUNT_MAX`) and the law
/// engine (one payment, `statement::PRINCIPAL_MAX`) take, whichever is less
/// (both are EUR 10,000,000,000.00 today). The bank parsers read larger
/// amounts exactly (up to 15 integer digits), so a statement over the limit
/// would otherwise be refused half-way by the ledger or leave a case the
/// law engine refuses.
pub const STATEMENT_AMOUNT_MAX: Money = {
    let ledger = kwijting_ledger::transfer::POSTING_AMOUNT_MAX;
    let law = kwijting_law::statement::PRINCIPAL_MAX;
    if ledger.cents() < law.cents() {
        ledger
    } else {
        law
    }
};

/// Refuses a statement with an entry or transaction amount over
/// [`STATEMENT_AMOUNT_MAX`], naming the file, the statement, the entry (its
/// position in the statement, from 1, and the line of the file where it
/// starts: the `:61:` line in MT940, the `<Ntry>` element in camt) and, in
/// a batch, the transaction. Checked before anything is booked.
fn check_amount_limits(source: &str, s: &Statement) -> Result<(), ServiceError> {
    let refuse = |amount: Money, at: String| {
        ServiceError::Invalid(format!(
            "{source}, statement {}, {at}: amount {amount} is more than {STATEMENT_AMOUNT_MAX}, \
             the most the ledger and the law engine take; nothing was booked",
            s.statement_id
        ))
    };
    for e in &s.entries {
        let entry = format!("entry {} (line {})", e.index + 1, e.line);
        if e.amount > STATEMENT_AMOUNT_MAX {
            return Err(refuse(e.amount, entry));
        }
        for t in &e.transactions {
            if let Some(amount) = t.amount
                && amount > STATEMENT_AMOUNT_MAX
            {
                return Err(refuse(
                    amount,
                    format!("{entry}, transaction {}", t.index + 1),
                ));
            }
        }
    }
    Ok(())
}

/// What the match reason adds for a designated payment.
fn designated_note(designation: Option<&Designation>) -> String {
    designation.map_or(String::new(), |d| {
        format!(
            "; the remittance names invoice {}: applied to that claim first (art. 6:43(1) BW)",
            d.invoice_number
        )
    })
}

/// The cases the statement's references point at, to fetch at once.
fn referenced_cases(statements: &[Statement]) -> Vec<CaseId> {
    let mut candidates = Vec::new();
    for s in statements {
        for e in &s.entries {
            for t in &e.transactions {
                if let Some(r) = &t.structured_reference {
                    candidates.extend(referenced_case(&r.reference));
                }
                for line in &t.remittance_unstructured {
                    candidates.extend(
                        line.split(|c: char| !c.is_ascii_alphanumeric())
                            .filter_map(referenced_case),
                    );
                }
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    candidates
}

/// The case a reference or a word of free text may point at: a 16-digit
/// betalingskenmerk, an RF reference or a case number. A superset of what
/// matching accepts: it only decides what to fetch.
pub(crate) fn referenced_case(text: &str) -> Option<CaseId> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if kwijting_domain::Betalingskenmerk::parse(&compact).is_ok() && compact.len() == 16 {
        return compact[1..].parse::<i64>().ok().map(CaseId);
    }
    if let Ok(rf) = kwijting_domain::CreditorReference::parse(&compact) {
        return kwijting_domain::CaseNumber::parse(&rf.as_str()[4..])
            .ok()
            .map(|n| n.case_id());
    }
    kwijting_domain::CaseNumber::parse(&compact)
        .ok()
        .map(|n| n.case_id())
}

fn parse_statement(source: &str, bytes: &[u8]) -> Result<Vec<Statement>, ServiceError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let parsed = if start.map(|i| bytes[i] == b'<').unwrap_or(false) {
        kwijting_bank::parse_camt(bytes, source)
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            ServiceError::Invalid(format!("{source}: an MT940 file must be UTF-8 text"))
        })?;
        kwijting_bank::parse_mt940(text, source)
    };
    parsed.map_err(|e| ServiceError::Invalid(e.to_string()))
}
