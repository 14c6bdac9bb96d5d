//! A small camt.053 writer for the money tests: credits, debits, returns
//! and reversals with the references the matching and return rules read.

#![allow(dead_code)]

use std::fmt::Write as _;

/// One statement entry.
#[derive(Debug, Clone, Default)]
pub struct Line {
    /// Cents, always positive; the direction is `credit`.
    pub cents: i64,
    pub credit: bool,
    /// `RvslInd`.
    pub reversal: bool,
    pub end_to_end_id: Option<String>,
    /// A 16-digit betalingskenmerk (`CUR`).
    pub kenmerk: Option<String>,
    pub text: Option<String>,
    pub iban: Option<String>,
    /// `RtrInf/Rsn/Cd`.
    pub return_reason: Option<String>,
    pub date: String,
}

impl Line {
    pub fn credit(cents: i64, date: &str) -> Line {
        Line {
            cents,
            credit: true,
            date: date.to_owned(),
            ..Line::default()
        }
    }

    pub fn debit(cents: i64, date: &str) -> Line {
        Line {
            cents,
            credit: false,
            date: date.to_owned(),
            ..Line::default()
        }
    }
}

fn amount(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A camt.053.001.02 file with one statement `id` of `lines` on account
/// NL..RABO 123456789, opening at zero and closing at the sum.
pub fn camt(id: &str, lines: &[Line]) -> String {
    let mut body = String::new();
    let mut closing: i64 = 0;
    for (i, l) in lines.iter().enumerate() {
        closing += if l.credit { l.cents } else { -l.cents };
        let mut rmt = String::new();
        if let Some(t) = &l.text {
            let _ = write!(rmt, "<Ustrd>{t}</Ustrd>");
        }
        if let Some(k) = &l.kenmerk {
            let _ = write!(
                rmt,
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp><Ref>{k}</Ref></CdtrRefInf></Strd>"
            );
        }
        let party = l.iban.as_deref().map_or(String::new(), |iban| {
            format!(
                "<RltdPties><Dbtr><Nm>Payer</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>"
            )
        });
        let _ = writeln!(
            body,
            "<Ntry><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{}</CdtDbtInd>{}<Sts>BOOK</Sts>\
             <BookgDt><Dt>{}</Dt></BookgDt><ValDt><Dt>{}</Dt></ValDt><AcctSvcrRef>{id}-{i}</AcctSvcrRef>\
             <NtryDtls><TxDtls><Refs><EndToEndId>{}</EndToEndId></Refs>{party}\
             <RmtInf>{rmt}</RmtInf>{}</TxDtls></NtryDtls></Ntry>",
            amount(l.cents),
            if l.credit { "CRDT" } else { "DBIT" },
            if l.reversal {
                "<RvslInd>true</RvslInd>"
            } else {
                ""
            },
            l.date,
            l.date,
            l.end_to_end_id.as_deref().unwrap_or("NOTPROVIDED"),
            l.return_reason
                .as_deref()
                .map_or(String::new(), |r| format!(
                    "<RtrInf><Rsn><Cd>{r}</Cd></Rsn></RtrInf>"
                )),
        );
    }
    let (sign, abs) = if closing < 0 {
        ("DBIT", -closing)
    } else {
        ("CRDT", closing)
    };
    let date = lines.first().map_or("2026-11-20", |l| l.date.as_str());
    let trust = kwijting_domain::Iban::dutch("RABO", 123_456_789).expect("an IBAN");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>{id}</MsgId><CreDtTm>{date}T18:00:00</CreDtTm></GrpHdr>\
         <Stmt><Id>{id}</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>{date}T18:00:00</CreDtTm>\
         <Acct><Id><IBAN>{trust}</IBAN></Id><Ccy>EUR</Ccy></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>\n\
         {body}</Stmt></BkToCstmrStmt></Document>\n",
        amount(abs)
    )
}

/// The 16-digit betalingskenmerk of case `id`.
pub fn kenmerk(id: u64) -> String {
    kwijting_domain::Betalingskenmerk::generate16(id)
        .expect("a case id")
        .as_str()
        .to_owned()
}

/// The idempotency key of line `i` of the file [`camt`] wrote as `id`.
pub fn entry_key(id: &str, i: usize) -> String {
    let trust = kwijting_domain::Iban::dutch("RABO", 123_456_789).expect("an IBAN");
    format!("{}|{id}|1|{id}-{i}|0", trust.as_str())
}

/// The same lines as a camt.054.001.02 debit/credit notification (no
/// balances, `Ntfctn` for `Stmt`).
pub fn camt054(id: &str, lines: &[Line]) -> String {
    let stmt = camt(id, lines);
    let mut out = String::with_capacity(stmt.len());
    for part in stmt.split("<Bal>") {
        match part.split_once("</Bal>") {
            Some((_, rest)) => out.push_str(rest),
            None => out.push_str(part),
        }
    }
    out.replace("camt.053.001.02", "camt.054.001.02")
        .replace("BkToCstmrStmt", "BkToCstmrDbtCdtNtfctn")
        .replace("<Stmt>", "<Ntfctn>")
        .replace("</Stmt>", "</Ntfctn>")
}
