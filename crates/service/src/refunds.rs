//! Overpayments paid back (`kwijting payments refund`): money a case did not
//! owe is held in refunds payable, never kept; this pays each overpayment
//! back to the account it came from, by pain.001.
//!
//! Idempotent through the ledger: the refund of what statement entry `E`
//! paid too much is the transfer `refund:E` (the key a person's refund of
//! one entry uses too), whose source names its payment file and end-to-end
//! id, so the files of a day can be written again identically and nothing
//! is paid back twice. An overpayment whose payer's IBAN the bank did not
//! give waits for a person.

use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// The statement entry that paid too much.
    pub entry: String,
    pub case_number: Option<String>,
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
    /// The statement entry that paid too much.
    pub entry: String,
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
        // What each statement entry holds for refund, and which entries were
        // refunded (by a run or by a person): `refund:ENTRY`.
        let mut due: BTreeMap<String, Money> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut case_of: HashMap<String, String> = HashMap::new();
        for t in ledger.transfers().iter().filter(|t| {
            !matches!(t.kind(), TransferKind::Refund | TransferKind::Reversal)
                && !reversed.contains(t.key())
        }) {
            let amount = held(t);
            if amount.cents() == 0 {
                continue;
            }
            let Some(entry) = bank_entry_of(t, &ledger) else {
                continue;
            };
            if let Some(n) = t
                .postings()
                .iter()
                .find_map(|p| p.account.case())
                .and_then(|c| CaseNumber::for_case(c).ok())
            {
                case_of
                    .entry(entry.clone())
                    .or_insert_with(|| n.as_str().to_owned());
            }
            if t.on() <= req.as_of {
                let slot = due.entry(entry.clone()).or_insert_with(|| {
                    order.push(entry);
                    Money::ZERO
                });
                *slot = slot.checked_add(amount).map_err(invalid)?;
            }
        }
        for t in ledger.transfers() {
            if let Some(entry) = t.key().as_str().strip_prefix(KEY_PREFIX) {
                due.remove(entry);
            }
        }
        // This day's refunds paid by file (a person's refund names no file).
        let of_file = |t: &Transfer| -> Option<(String, String, String)> {
            let entry = t.key().as_str().strip_prefix(KEY_PREFIX)?;
            let (batch, e2e) = t.source().reference().split_once('/')?;
            (t.kind() == TransferKind::Refund
                && t.on() == req.as_of
                && batch.starts_with("KW-RFD-"))
            .then(|| (entry.to_owned(), batch.to_owned(), e2e.to_owned()))
        };
        let entries: Vec<String> = due
            .keys()
            .cloned()
            .chain(
                ledger
                    .transfers()
                    .iter()
                    .filter_map(|t| of_file(t).map(|f| f.0)),
            )
            .collect();
        let payers = self.store.payers(&entries)?;

        let earlier = self.store.refund_batches(req.as_of)?;
        let compact = req.as_of.to_string().replace('-', "");
        let batch = format!("KW-RFD-{}-{}", req.as_of, earlier.len() + 1);
        let created_at = to_second(self.clock().now())?;
        let mut waiting = Vec::new();
        let mut made = Vec::new();
        for entry in order.iter().filter(|e| due.contains_key(*e)) {
            let amount = &due[entry];
            let wait = |reason: String| Unrefunded {
                entry: entry.clone(),
                amount: *amount,
                reason,
            };
            if amount.cents() < 0 {
                waiting.push(wait(
                    "more was taken back than held: a person books it".into(),
                ));
                continue;
            }
            let iban = payers.get(entry).and_then(|p| p.iban.clone());
            match iban.as_deref().map(kwijting_domain::Iban::parse) {
                None => {
                    waiting.push(wait(
                        "the bank gave no account of the payer: refund by hand".into(),
                    ));
                    continue;
                }
                Some(Err(_)) => {
                    waiting.push(wait(format!(
                        "the payer's account '{}' is not a valid IBAN",
                        iban.unwrap_or_default()
                    )));
                    continue;
                }
                Some(Ok(_)) => {}
            }
            let e2e = format!("RFD-{compact}-{}-{}", earlier.len() + 1, made.len() + 1);
            let key = TransferKey::parse(&format!("{KEY_PREFIX}{entry}")).map_err(invalid)?;
            let r = refund(&ledger, key, req.as_of, *amount, &format!("{batch}/{e2e}"))
                .map_err(invalid)?;
            ledger.apply(r.clone()).map_err(invalid)?;
            made.push(r);
        }
        verified(&ledger, "nothing was refunded")?;

        // Every refund of the day paid by file, from the ledger.
        let new_keys: HashSet<&TransferKey> = made.iter().map(|t| t.key()).collect();
        let mut refunds = Vec::new();
        for t in ledger.transfers() {
            let Some((entry, batch, e2e)) = of_file(t) else {
                continue;
            };
            let payer = payers.get(&entry);
            refunds.push(Refund {
                case_number: case_of.get(&entry).cloned(),
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
                entry,
                batch,
                end_to_end_id: e2e,
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
