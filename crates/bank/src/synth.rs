//! A synthetic camt.053.001.02 statement for benchmarks (the issue's
//! "100,000 entries"): deterministic from a seed, credits only, each paying
//! a case by its 16-digit betalingskenmerk.

use std::fmt::Write as _;

use kwijting_domain::{Betalingskenmerk, Date, Iban, Money};

use crate::amount::format_amount;

/// A deterministic generator (SplitMix64): no randomness from outside.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// One credit of a synthetic statement: a debtor paying a case by its
/// 16-digit betalingskenmerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticCredit {
    pub case_id: u64,
    pub amount: Money,
    /// The payer's name and account.
    pub debtor_name: String,
    pub debtor_iban: Iban,
}

/// Writes a camt.053.001.02 file with one statement of `entries` credit
/// entries booked on `date` to `account`. Entry `i` pays case id
/// `1 + (random mod entries)` with that case's 16-digit betalingskenmerk as
/// `CUR` reference, an amount of 1.00 to 2,500.00 euro and a debtor with a
/// Dutch IBAN. The balances reconcile. The same arguments give the same
/// text.
pub fn generate_camt053(entries: usize, seed: u64, account: &Iban, date: Date) -> String {
    let mut rng = SplitMix(seed);
    let cases = u64::try_from(entries.max(1)).unwrap_or(u64::MAX);
    let mut credits = Vec::with_capacity(entries);
    for _ in 0..entries {
        let case_id = 1 + rng.next() % cases;
        let cents = 100 + i64::try_from(rng.next() % 249_901).unwrap_or(0);
        let debtor = rng.next() % 10_000_000_000;
        let Ok(debtor_iban) = Iban::dutch("INGB", debtor) else {
            continue;
        };
        credits.push(SyntheticCredit {
            case_id,
            amount: Money::from_cents(cents),
            debtor_name: format!("Debiteur {debtor}"),
            debtor_iban,
        });
    }
    camt053(&credits, &format!("BENCH-{seed}"), account, date)
}

/// Writes a camt.053.001.02 file with one statement `id` of `credits`
/// booked on `date` to `account`, opening at zero; the balances reconcile.
pub fn camt053(credits: &[SyntheticCredit], id: &str, account: &Iban, date: Date) -> String {
    let mut body = String::with_capacity(credits.len() * 1100);
    let mut total: i64 = 0;
    for (i, c) in credits.iter().enumerate() {
        total = total.saturating_add(c.amount.cents());
        let kenmerk = Betalingskenmerk::generate16(c.case_id)
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default();
        let amount = format_amount(c.amount);
        let (debtor, debtor_iban) = (&c.debtor_name, c.debtor_iban.as_str());
        let _ = write!(
            body,
            "      <Ntry>
        <Amt Ccy=\"EUR\">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{date}</Dt></BookgDt>
        <ValDt><Dt>{date}</Dt></ValDt>
        <AcctSvcrRef>{id}-{i}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <RltdPties>
              <Dbtr><Nm>{debtor}</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>{debtor_iban}</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf>
              <Ustrd>BETALINGSKENMERK {kenmerk}</Ustrd>
              <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp><Ref>{kenmerk}</Ref></CdtrRefInf></Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
"
        );
    }
    let closing = format_amount(Money::from_cents(total));
    let iban = account.as_str();
    let mut out = String::with_capacity(body.len() + 2000);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>{id}</MsgId>
      <CreDtTm>{date}T18:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>{id}-{date}</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>{date}T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>
"
    );
    out.push_str(&body);
    out.push_str("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n");
    out
}

/// The benchmark baseline: reads every XML event of a file with the parser
/// library and counts the elements, doing nothing else.
pub fn scan_xml(xml: &[u8]) -> Result<u64, crate::BankError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut elements = 0u64;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(_)) | Ok(quick_xml::events::Event::Empty(_)) => {
                elements += 1
            }
            Ok(quick_xml::events::Event::Eof) => return Ok(elements),
            Ok(_) => {}
            Err(e) => {
                return Err(crate::BankError::File {
                    file: "scan".into(),
                    problem: e.to_string(),
                });
            }
        }
        buf.clear();
    }
}
