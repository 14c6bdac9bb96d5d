//! Overpayments paid back (`kwijting payments refund`): money a case did not
//! owe is held in refunds payable, never kept; this pays each overpayment
//! back to the account it came from, by pain.001.
//!
//! Idempotent through the ledger: the refund of overpayment `K` is the
//! transfer `refund:K`, whose source names its payment file and end-to-end
//! id, so the files of a day can be written again identically and nothing
//! is paid back twice. An overpayment whose payer's IBAN the bank did not
//! give waits for a person.

use std::collections::{BTreeMap, HashSet};

use kwijting_domain::{Actor, CaseNumber, Date, Money};
use kwijting_ledger::recipe::refund;
use kwijting_ledger::{AccountKind, Transfer, TransferKey, TransferKind};
use kwijting_store::StoreError;

use crate::payments::to_stored;
use crate::remit::{
    OutFile, Pain001Version, TrustAccount, bank_entry_of, credit_transfer, invalid, payment_file,
    to_second, verified,
};
use crate::{Access, Kwijting, ServiceError};

const KEY_PREFIX: &str = "refund:";

#[derive(Debug, Clone)]
pub struct RefundRequest {
    pub as_of: Date,
    pub dry_run: bool,
    pub pain001: Pain001Version,
    pub trust: Option<TrustAccount>,
}

/// One overpayment paid back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The transfer that held the overpayment.
    pub overpayment: String,
    pub case_number: Option<String>,
    pub bank_entry: Option<String>,
    pub payer_name: String,
    pub payer_iban: String,
    pub amount: Money,
    pub batch: String,
    pub end_to_end_id: String,
    /// Posted by this run (false: an earlier run on the same day).
    pub new: bool,
}

/// An overpayment not paid back, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrefunded {
    pub overpayment: String,
    pub amount: Money,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOutcome {
    pub as_of: Date,
    pub dry_run: bool,
    /// Every refund made on `as_of`, this run's and earlier ones.
    pub refunds: Vec<Refund>,
    pub waiting: Vec<Unrefunded>,
    pub posted: u64,
    pub files: Vec<OutFile>,
}

/// What a transfer put in refunds payable.
fn held(t: &Transfer) -> Money {
    Money::from_cents(
        t.postings()
            .iter()
            .filter(|p| p.account == AccountKind::RefundsPayable)
            .map(|p| -p.amount.cents())
            .sum(),
    )
}

impl Kwijting {
    /// Pays back every overpayment held on or before `as_of` whose payer's
    /// account is known; see the module documentation.
    pub fn refund_overpayments(
        &self,
        actor: &Actor,
        req: &RefundRequest,
    ) -> Result<RefundOutcome, ServiceError> {
        let access = if req.dry_run {
            Access::Read
        } else {
            Access::Write
        };
        self.door().check(
            actor,
            None,
            &["payment", "bank_account", "identity"],
            access,
            "refunds of overpayments",
        )?;
        let mut ledger = self.remit_ledger()?;
        let reversed: HashSet<&TransferKey> = ledger
            .transfers()
            .iter()
            .filter_map(|t| t.reverses())
            .collect();
        let done: HashSet<&str> = ledger
            .transfers()
            .iter()
            .filter_map(|t| t.key().as_str().strip_prefix(KEY_PREFIX))
            .collect();
        let due: Vec<(Transfer, Money)> = ledger
            .transfers()
            .iter()
            .filter(|t| {
                t.kind() != TransferKind::Refund
                    && t.on() <= req.as_of
                    && !reversed.contains(t.key())
                    && !done.contains(t.key().as_str())
            })
            .map(|t| (t.clone(), held(t)))
            .filter(|(_, amount)| amount.cents() > 0)
            .collect();
        let entries: Vec<String> = due
            .iter()
            .filter_map(|(t, _)| bank_entry_of(t, &ledger))
            .chain(
                ledger
                    .transfers()
                    .iter()
                    .filter(|t| t.kind() == TransferKind::Refund && t.on() == req.as_of)
                    .filter_map(|t| {
                        let over = t.key().as_str().strip_prefix(KEY_PREFIX)?;
                        let over = ledger.transfer(&TransferKey::parse(over).ok()?)?;
                        bank_entry_of(over, &ledger)
                    }),
            )
            .collect();
        let payers = self.store.payers(&entries)?;

        let earlier = self.store.refund_batches(req.as_of)?;
        let compact = req.as_of.to_string().replace('-', "");
        let batch = format!("KW-RFD-{}-{}", req.as_of, earlier.len() + 1);
        let created_at = to_second(self.clock().now())?;
        let mut waiting = Vec::new();
        let mut made = Vec::new();
        for (t, amount) in &due {
            let payer = bank_entry_of(t, &ledger).and_then(|e| payers.get(&e).cloned());
            let Some(iban) = payer.as_ref().and_then(|p| p.iban.clone()) else {
                waiting.push(Unrefunded {
                    overpayment: t.key().as_str().to_owned(),
                    amount: *amount,
                    reason: "the bank gave no account of the payer: refund by hand".into(),
                });
                continue;
            };
            if kwijting_domain::Iban::parse(&iban).is_err() {
                waiting.push(Unrefunded {
                    overpayment: t.key().as_str().to_owned(),
                    amount: *amount,
                    reason: format!("the payer's account '{iban}' is not a valid IBAN"),
                });
                continue;
            }
            let e2e = format!("RFD-{compact}-{}-{}", earlier.len() + 1, made.len() + 1);
            let key = TransferKey::parse(&format!("{KEY_PREFIX}{}", t.key())).map_err(invalid)?;
            let r = refund(&ledger, key, req.as_of, *amount, &format!("{batch}/{e2e}"))
                .map_err(invalid)?;
            ledger.apply(r.clone()).map_err(invalid)?;
            made.push(r);
        }
        verified(&ledger, "nothing was refunded")?;

        // Every refund of the day, from the ledger.
        let new_keys: HashSet<&TransferKey> = made.iter().map(|t| t.key()).collect();
        let mut refunds = Vec::new();
        for t in ledger
            .transfers()
            .iter()
            .filter(|t| t.kind() == TransferKind::Refund && t.on() == req.as_of)
        {
            let Some(over_key) = t.key().as_str().strip_prefix(KEY_PREFIX) else {
                continue;
            };
            let over = TransferKey::parse(over_key)
                .ok()
                .and_then(|k| ledger.transfer(&k));
            let (batch, e2e) = t
                .source()
                .reference()
                .split_once('/')
                .unwrap_or((t.source().reference(), ""));
            let entry = over.and_then(|o| bank_entry_of(o, &ledger));
            let payer = entry.as_ref().and_then(|e| payers.get(e));
            refunds.push(Refund {
                overpayment: over_key.to_owned(),
                case_number: over
                    .and_then(|o| o.postings().iter().find_map(|p| p.account.case()))
                    .and_then(|c| CaseNumber::for_case(c).ok())
                    .map(|n| n.as_str().to_owned()),
                bank_entry: entry.clone(),
                payer_name: payer
                    .and_then(|p| p.name.clone())
                    .unwrap_or_else(|| "onbekend".into()),
                payer_iban: payer.and_then(|p| p.iban.clone()).unwrap_or_default(),
                amount: Money::from_cents(
                    t.postings()
                        .iter()
                        .filter(|p| p.account == AccountKind::RefundsPayable)
                        .map(|p| p.amount.cents())
                        .sum(),
                ),
                batch: batch.to_owned(),
                end_to_end_id: e2e.to_owned(),
                new: new_keys.contains(t.key()),
            });
        }

        let mut files = Vec::new();
        let mut batches: BTreeMap<&str, Vec<&Refund>> = BTreeMap::new();
        for r in &refunds {
            batches.entry(r.batch.as_str()).or_default().push(r);
        }
        let trust = match &req.trust {
            Some(t) => Some(t),
            None if req.dry_run || batches.is_empty() => None,
            None => {
                return Err(ServiceError::Invalid(
                    "the trust account to pay from is needed to write the payment file (--trust-iban)"
                        .into(),
                ));
            }
        };
        if let Some(trust) = trust {
            for (b, rs) in &batches {
                let at = earlier
                    .iter()
                    .find(|(e, _)| e == b)
                    .map_or(created_at, |(_, at)| *at);
                let transactions = rs
                    .iter()
                    .map(|r| {
                        credit_transfer(
                            &r.end_to_end_id,
                            r.amount,
                            &r.payer_name,
                            &r.payer_iban,
                            None,
                            format!(
                                "Terugbetaling teveel betaald {}",
                                r.case_number.as_deref().unwrap_or("")
                            ),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                files.push(OutFile {
                    name: format!("pain001-{b}.xml"),
                    contents: payment_file(b, at, req.as_of, trust, transactions, req.pain001)?,
                });
            }
        }
        if !req.dry_run && !made.is_empty() {
            let stored: Vec<_> = made.iter().map(to_stored).collect();
            self.store
                .record_refunds(&batch, req.as_of, created_at, &stored)
                .map_err(|e| match e {
                    StoreError::Duplicate { key, .. } => ServiceError::Conflict {
                        what: "refund batch (another run recorded it meanwhile; run again)",
                        key,
                    },
                    e => e.into(),
                })?;
        }
        Ok(RefundOutcome {
            as_of: req.as_of,
            dry_run: req.dry_run,
            refunds,
            waiting,
            posted: if req.dry_run { 0 } else { made.len() as u64 },
            files,
        })
    }
}
