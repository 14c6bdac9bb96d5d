//! Money in: bank statements booked on the trust-account ledger, matched to
//! cases and allocated by the law (art. 6:43/6:44 BW); what cannot be
//! matched waits in suspense for a person; `ledger verify` checks every
//! invariant over what is stored.

use std::collections::HashSet;

use kwijting_bank::{CreditDebit, Statement};
use kwijting_domain::{Actor, CaseId, ClaimId, Date, Iban, Money};
use kwijting_ledger::matching::{
    CaseLookup, CreditLine, MatchOutcome, StructuredReference, match_credit,
};
use kwijting_ledger::recipe::{AllocationRequest, ClaimBalance, allocate, charge, receipt};
use kwijting_ledger::{
    AccountKind, CaseBalance, Ledger, Posting, Source, SourceKind, Transfer, TransferKey,
    TransferKind,
};
use kwijting_store::{BankEntry, StoredPosting, StoredTransfer};

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
    pub debits: u64,
    /// Credits beyond what the case owed, held for refund.
    pub refunds_cents: i64,
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

/// Case look-ups for matching, from the states fetched for the statement
/// at once, falling back to the store for a case not foreseen.
struct StoreLookup<'a> {
    svc: &'a Kwijting,
    states: std::collections::HashMap<CaseId, (bool, i64, kwijting_domain::ClientId)>,
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

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

impl Kwijting {
    /// The ledger as stored, checked by replaying every transfer.
    fn load_ledger(&self) -> Result<Ledger, ServiceError> {
        let transfers = self
            .store
            .ledger_transfers()?
            .iter()
            .map(from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        Ledger::replay(transfers).map_err(internal)
    }

    /// Checks every invariant of the stored ledger: each transfer balances,
    /// the trust account equals what is owed to clients plus suspense plus
    /// refunds plus agency income not transferred, nothing on the wrong side.
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
        Ok(if problems.is_empty() {
            Ok(stored.len() as u64)
        } else {
            Err(problems)
        })
    }

    /// Statement credits waiting for a person to assign them.
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
        let mut ledger = self.load_ledger()?;
        // The cases the statement's references point at, fetched at once.
        let mut candidates = Vec::new();
        for s in &statements {
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
        let lookup = StoreLookup {
            svc: self,
            states: self.store.case_states(&candidates)?,
        };
        let mut entries = Vec::new();
        let mut new_transfers: Vec<Transfer> = Vec::new();
        let mut seen = HashSet::new();
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
                    let mut entry = BankEntry {
                        key: key_text.clone(),
                        source: source.to_owned(),
                        account: s.account.as_str().to_owned(),
                        booked_on: e.date(),
                        amount_cents: if e.credit_debit == CreditDebit::Credit {
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
                    if e.credit_debit != CreditDebit::Credit || e.reversal || amount.cents() <= 0 {
                        // Debits and reversals are recorded for the
                        // statement; reversing a receipt is a person's
                        // booking for now.
                        entry.match_state = if e.reversal { "reversal" } else { "debit" }.into();
                        report.debits += 1;
                        if let (Some(reason), Some(e2e)) =
                            (t.return_reason_code(), t.end_to_end_id.as_deref())
                        {
                            dd_returns.push((e2e.to_owned(), reason, on));
                        }
                        entries.push(entry);
                        continue;
                    }
                    let key = TransferKey::parse(&format!("rcpt:{key_text}")).map_err(internal)?;
                    let r = receipt(key.clone(), on, amount, &key_text).map_err(internal)?;
                    ledger.apply(r.clone()).map_err(internal)?;
                    new_transfers.push(r);
                    let line = CreditLine {
                        amount,
                        structured: t
                            .structured_reference
                            .as_ref()
                            .map(|r| StructuredReference {
                                issuer: Some(format!("{:?}", r.issuer)),
                                text: r.reference.clone(),
                            }),
                        unstructured: t.remittance_unstructured.clone(),
                        counterparty_iban: t.counterparty_iban.clone(),
                    };
                    match match_credit(&line, &lookup) {
                        MatchOutcome::Matched {
                            case,
                            confidence,
                            rule,
                            reason,
                        } => {
                            let state = lookup.state(case);
                            let made = self.allocate_to_case(
                                &mut ledger,
                                &key,
                                case,
                                state,
                                amount,
                                on,
                                &reason,
                            )?;
                            report.refunds_cents += made.1;
                            new_transfers.extend(made.0);
                            report.matched += 1;
                            entry.match_state = "matched".into();
                            entry.case = Some(case);
                            entry.confidence = Some(format!("{confidence:?}").to_lowercase());
                            entry.reason = Some(format!("{}: {reason}", rule.as_str()));
                        }
                        MatchOutcome::Unmatched { reason } => {
                            report.unmatched += 1;
                            entry.match_state = "unmatched".into();
                            entry.reason = Some(reason);
                        }
                    }
                    entries.push(entry);
                }
            }
        }
        ledger.verify().map_err(|v| {
            ServiceError::Invalid(format!(
                "the ledger would not balance; nothing was booked: {}",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })?;
        let stored: Vec<StoredTransfer> = new_transfers.iter().map(to_stored).collect();
        self.store.record_statement(&entries, &stored)?;
        for (e2e, reason, on) in &dd_returns {
            self.on_direct_debit_return(e2e, reason, *on)?;
        }
        Ok(report)
    }

    /// Takes the case onto the ledger when first paid (its principal as a
    /// charge), then allocates the money: art. 6:44 within the case. The
    /// interest and costs the law engine charges are booked by later work;
    /// until then a payment settles principal.
    #[allow(clippy::too_many_arguments)]
    fn allocate_to_case(
        &self,
        ledger: &mut Ledger,
        receipt_key: &TransferKey,
        case: CaseId,
        state: Option<(bool, i64, kwijting_domain::ClientId)>,
        amount: Money,
        on: Date,
        reason: &str,
    ) -> Result<(Vec<Transfer>, i64), ServiceError> {
        let mut made = Vec::new();
        let Some((_, principal, client)) = state else {
            return Err(ServiceError::UnknownCase(case.to_string()));
        };
        let open_key = TransferKey::parse(&format!("open:{}", case.0)).map_err(internal)?;
        if ledger.transfer(&open_key).is_none() && principal > 0 {
            let parts = CaseBalance {
                principal: Money::from_cents(principal),
                ..CaseBalance::default()
            };
            let t = charge(open_key, on, case, &parts, "principal taken on at intake")
                .map_err(internal)?;
            ledger.apply(t.clone()).map_err(internal)?;
            made.push(t);
        }
        let owed = ledger.case_balance(case);
        let agreement = self.agreement_on(client, on)?;
        let alloc_key =
            TransferKey::parse(&format!("alloc:{}", receipt_key.as_str())).map_err(internal)?;
        let plan = allocate(
            ledger,
            &AllocationRequest {
                key: &alloc_key,
                receipt: receipt_key,
                case,
                amount,
                on,
                agreement: &agreement,
                reason,
            },
            &[ClaimBalance {
                claim: ClaimId(case.0),
                due_on: on,
                onerousness: 0,
                owed,
            }],
            None,
        )
        .map_err(internal)?;
        ledger.apply(plan.transfer.clone()).map_err(internal)?;
        made.push(plan.transfer);
        Ok((made, plan.refund.cents()))
    }
}

/// The case a reference or a word of free text may point at: a 16-digit
/// betalingskenmerk, an RF reference or a case number. A superset of what
/// matching accepts: it only decides what to fetch.
fn referenced_case(text: &str) -> Option<CaseId> {
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
