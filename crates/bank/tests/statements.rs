//! The crate's own fixtures (tests/fixtures): camt.053 v8 with a batch, a
//! return and a reversal; camt.054 with a prefixed namespace; MT940 in the
//! ING, Rabobank and ABN AMRO flavours. Plus property tests.

use kwijting_bank::{
    AccountId, BankError, CamtMessage, CreditDebit, EntryStatus, RefIssuer, ReturnConsequence,
    ReturnReason, Statement, StatementFormat, parse_camt, parse_mt940,
};
use kwijting_domain::{Money, parse_date};
use proptest::prelude::*;

const CAMT053: &str = include_str!("fixtures/camt053_batch_return.xml");
const CAMT054: &str = include_str!("fixtures/camt054_notification.xml");
const ING: &str = include_str!("fixtures/ing_structured.sta");
const RABO_ABN: &str = include_str!("fixtures/rabo_abn_mixed.sta");

fn cents(c: i64) -> Money {
    Money::from_cents(c)
}

fn date(s: &str) -> kwijting_domain::Date {
    parse_date(s).unwrap()
}

#[test]
fn camt053_batch_return_reversal() {
    let s = parse_camt(CAMT053.as_bytes(), "camt053_batch_return.xml").unwrap();
    assert_eq!(s.len(), 2, "two Stmt, the second without entries");
    let st = &s[0];
    assert_eq!(
        st.format,
        StatementFormat::Camt {
            message: CamtMessage::Statement,
            version: 8
        }
    );
    assert_eq!(st.account.as_str(), "NL91ABNA0417164300");
    assert!(matches!(st.account, AccountId::Iban(_)));
    assert_eq!(
        (st.statement_id.as_str(), st.sequence.as_deref()),
        ("KW-FIX-STMT-1", Some("101"))
    );
    assert_eq!(st.opening_balance.as_ref().unwrap().amount, cents(-100_000));
    st.reconcile().unwrap();
    s[1].reconcile().unwrap();

    let batch = &st.entries[0];
    assert_eq!(
        batch.entry_ref.as_deref(),
        Some("ACCT-REF-0001"),
        "AcctSvcrRef before NtryRef"
    );
    assert_eq!(
        batch.booking_date,
        Some(date("2025-06-02")),
        "date part of DtTm as written"
    );
    assert_eq!(batch.status, EntryStatus::Booked);
    assert_eq!(batch.transactions.len(), 2);
    let (a, b) = (&batch.transactions[0], &batch.transactions[1]);
    assert_eq!(
        (a.amount, b.amount),
        (Some(cents(105_000)), Some(cents(12_549)))
    );
    assert_eq!(a.end_to_end_id.as_deref(), Some("KW000000017-T03"));
    assert_eq!(a.mandate_id.as_deref(), Some("KW000000017-M1"));
    assert_eq!(a.creditor_id.as_deref(), Some("NL22ZZZ524885430000"));
    assert_eq!(a.counterparty_name.as_deref(), Some("J. Jansen & Zn"));
    assert_eq!(a.counterparty_iban.as_deref(), Some("NL02ABNA0123456789"));
    assert_eq!(a.counterparty_bic.as_deref(), Some("ABNANL2A"));
    let r = a.structured_reference.as_ref().unwrap();
    assert_eq!(
        (&r.issuer, r.reference.as_str()),
        (&RefIssuer::Cur, "5000056789012345")
    );
    assert_eq!(b.end_to_end_id, None, "NOTPROVIDED");
    assert_eq!(
        b.remittance_unstructured,
        vec!["Dossier KW000000018", "termijn 2"]
    );

    // The returned direct debit: a debit; the counterparty is the debtor,
    // not our own account on the creditor side.
    let ret = &st.entries[1];
    assert_eq!(ret.credit_debit, CreditDebit::Debit);
    let t = &ret.transactions[0];
    assert_eq!(t.counterparty_name.as_deref(), Some("P. de Boer"));
    assert_eq!(t.return_reason_code(), Some(ReturnReason::RefundRequest));
    assert_eq!(
        t.return_reason_code().unwrap().consequence(),
        ReturnConsequence::ReopenInstalment
    );

    // The reversal of a credit, booked as a debit.
    let rev = &st.entries[2];
    assert!(rev.reversal);
    assert_eq!(rev.credit_debit, CreditDebit::Debit);
    assert_eq!(
        rev.transactions[0].counterparty_name.as_deref(),
        Some("H. Bakker")
    );

    // Idempotency keys: account, statement, sequence, entry ref, tx index.
    assert_eq!(
        batch.idempotency_key(st, 1),
        "NL91ABNA0417164300|KW-FIX-STMT-1|101|ACCT-REF-0001|1"
    );
}

#[test]
fn camt054_prefixed_namespace_and_entry_without_details() {
    let s = parse_camt(CAMT054.as_bytes(), "camt054_notification.xml").unwrap();
    assert_eq!(
        s[0].format,
        StatementFormat::Camt {
            message: CamtMessage::Notification,
            version: 2
        }
    );
    assert_eq!(s[0].opening_balance, None);
    s[0].reconcile().unwrap();
    let e = &s[0].entries[0];
    assert_eq!(
        e.transactions.len(),
        1,
        "one transaction derived from the entry"
    );
    assert_eq!(e.transactions[0].amount, Some(cents(1999)));
    assert_eq!(
        e.transactions[0]
            .structured_reference
            .as_ref()
            .map(|r| r.reference.as_str()),
        Some("1067931951601240")
    );
    let code = e.bank_tx_code.as_ref().unwrap();
    assert_eq!(
        (
            code.proprietary.as_deref(),
            code.proprietary_issuer.as_deref()
        ),
        (Some("N541"), Some("ABNAMRO"))
    );
}

fn refused(xml: &str, pieces: &[&str]) {
    let e = parse_camt(xml.as_bytes(), "edited.xml").unwrap_err();
    let msg = e.to_string();
    for p in pieces {
        assert!(msg.contains(p), "'{p}' not in: {msg}");
    }
}

#[test]
fn camt_refusals_name_file_statement_entry_and_element() {
    // A batch whose parts do not add up.
    refused(
        &CAMT053.replace(
            "<Amt Ccy=\"EUR\">1050.00</Amt>",
            "<Amt Ccy=\"EUR\">1050.01</Amt>",
        ),
        &[
            "edited.xml",
            "statement KW-FIX-STMT-1",
            "entry 1 (line",
            "adds up to 1175.50",
            "1175.49",
        ],
    );
    // A part without an amount while another has one.
    refused(
        &CAMT053.replace(
            "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">125.49000</Amt></TxAmt></AmtDtls>",
            "",
        ),
        &["entry 1", "transaction 2 has no amount in EUR"],
    );
    // A non-zero digit past the cent: refused, not rounded.
    refused(
        &CAMT053.replace(
            "<Amt Ccy=\"EUR\">125.49</Amt>",
            "<Amt Ccy=\"EUR\">125.49001</Amt>",
        ),
        &[
            "entry 2",
            "Amt",
            "'125.49001' has a non-zero digit past the cent",
        ],
    );
    refused(
        &CAMT053.replace(
            "<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>",
            "<CdtDbtInd>DEBIT</CdtDbtInd>\n        <RvslInd>",
        ),
        &["entry 3", "CdtDbtInd", "'DEBIT'"],
    );
    refused(
        &CAMT053.replace("<Dt>2025-06-02</Dt></ValDt>", "<Dt>2025-06-31</Dt></ValDt>"),
        &["ValDt", "2025-06-31"],
    );
    refused(
        &CAMT053.replace("camt.053.001.08", "camt.053.001.99"),
        &["edited.xml", "camt.053.001.99"],
    );
    refused(
        &CAMT053.replace("</Stmt>\n    <Stmt>", "</Stmtx>\n    <Stmt>"),
        &["not well-formed XML at line"],
    );
}

#[test]
fn reconciliation_refusal_names_the_statement() {
    let mut s = parse_camt(CAMT053.as_bytes(), "f.xml").unwrap().remove(0);
    s.entries[2].amount = cents(4_999);
    let e = s.reconcile().unwrap_err();
    assert!(matches!(e, BankError::Unreconciled { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("f.xml, statement KW-FIX-STMT-1: does not reconcile"),
        "{msg}"
    );
    assert!(
        msg.contains("= 0.01, but the closing balance is 0.00"),
        "{msg}"
    );
    // Pending entries are not in the booked balance.
    s.entries[2].amount = cents(5_000);
    s.entries[0].status = EntryStatus::Pending;
    assert!(s.reconcile().is_err());
}

#[test]
fn mt940_ing_structured_and_reversal() {
    let s = parse_mt940(ING, "ing.sta").unwrap();
    assert_eq!(s.len(), 2);
    for st in &s {
        st.reconcile().unwrap();
        assert_eq!(st.account.as_str(), "NL20INGB0001234567");
        assert_eq!(st.currency.as_deref(), Some("EUR"));
    }
    assert_eq!(s[0].sequence.as_deref(), Some("00042"));
    let credit = &s[0].entries[0];
    assert_eq!(credit.entry_ref.as_deref(), Some("25153000000001"));
    assert_eq!(credit.owner_ref.as_deref(), Some("EREF"));
    assert_eq!(credit.additional_info.as_deref(), Some("/TRCD/00100/"));
    let t = &credit.transactions[0];
    assert_eq!(t.end_to_end_id.as_deref(), Some("KW000000017-T03"));
    assert_eq!(t.counterparty_iban.as_deref(), Some("NL02ABNA0123456789"));
    assert_eq!(
        t.counterparty_name.as_deref(),
        Some("J. JANSEN"),
        "wrapped mid-word"
    );
    assert_eq!(
        t.structured_reference.as_ref().unwrap().reference,
        "5000056789012345"
    );
    let ret = &s[0].entries[1].transactions[0];
    assert_eq!(ret.return_reason.as_deref(), Some("AM04"));
    assert_eq!(ret.mandate_id.as_deref(), Some("KW000000018-M1"));
    assert_eq!(ret.creditor_id.as_deref(), Some("NL22ZZZ524885430000"));
    assert_eq!(
        ret.remittance_unstructured,
        vec!["Storno termijn 2"],
        "key wrapped as /REMI/U + STD"
    );
    let rev = &s[1].entries[0];
    assert!(rev.reversal, "RC is the reversal of a credit");
    assert_eq!(rev.credit_debit, CreditDebit::Debit);
}

#[test]
fn mt940_rabobank_year_rollover_and_abn_labels() {
    let s = parse_mt940(RABO_ABN, "mixed.sta").unwrap();
    assert_eq!(s.len(), 2);
    for st in &s {
        st.reconcile().unwrap();
    }
    let rabo = &s[0];
    assert_eq!(rabo.account.as_str(), "NL39RABO0300065264");
    assert_eq!(
        rabo.opening_balance.as_ref().unwrap().amount,
        cents(-10_000)
    );
    let e = &rabo.entries[0];
    assert_eq!(e.value_date, Some(date("2025-12-31")));
    assert_eq!(
        e.booking_date,
        Some(date("2026-01-02")),
        "entry date in January after a December value date"
    );
    let t = &e.transactions[0];
    assert_eq!(t.counterparty_name.as_deref(), Some("J. Jansen"));
    assert_eq!(
        t.counterparty_iban.as_deref(),
        Some("NL02ABNA0123456789"),
        "from the :61: second line"
    );
    assert_eq!(
        t.structured_reference.as_ref().unwrap().reference,
        "5000056789012345"
    );
    let r = rabo.entries[1].transactions[0]
        .structured_reference
        .as_ref()
        .unwrap();
    assert_eq!(
        (&r.issuer, r.reference.as_str()),
        (&RefIssuer::Cur, "1067931951601240")
    );
    assert_eq!(rabo.entries[1].entry_ref, None);
    assert_eq!(
        rabo.entries[1].idempotency_key(rabo, 0),
        "NL39RABO0300065264|940S251231|1|#1:2025-12-31:D10.00|0"
    );

    let abn = &s[1];
    assert_eq!(abn.account, AccountId::Other("123456789".into()));
    let t = &abn.entries[0].transactions[0];
    assert_eq!(t.counterparty_iban.as_deref(), Some("NL02ABNA0123456789"));
    assert_eq!(t.counterparty_name.as_deref(), Some("J. JANSEN"));
    assert_eq!(
        t.structured_reference.as_ref().unwrap().reference,
        "5000056789012345"
    );
    assert_eq!(abn.entries[1].transactions[0].counterparty_name, None);
    assert!(abn.entries[1].transactions[0].remittance_unstructured[0].starts_with("BEA"));
}

#[test]
fn mt940_refusals_name_the_line() {
    let bad = ING.replace(":61:2506020602D12,50", ":61:2506020602X12,50");
    let msg = parse_mt940(&bad, "ing.sta").unwrap_err().to_string();
    assert!(
        msg.contains("ing.sta, statement P250602000000001") && msg.contains("line 12 (:61:)"),
        "{msg}"
    );
    let bad = ING.replace("D12,50N", "D12,505N");
    let msg = parse_mt940(&bad, "ing.sta").unwrap_err().to_string();
    assert!(msg.contains("past the cent"), "{msg}");
    assert!(parse_mt940("nothing here", "x").is_err());
}

/// An MT940 statement with one entry whose :86: text is wrapped at `widths`.
fn wrapped_statement(info: &str, widths: &[usize]) -> String {
    let mut lines = Vec::new();
    let mut rest = info.to_owned();
    let mut i = 0;
    while !rest.is_empty() {
        let w = widths[i % widths.len()].max(1);
        let cut = rest.char_indices().nth(w).map_or(rest.len(), |(p, _)| p);
        lines.push(rest[..cut].to_owned());
        rest = rest[cut..].to_owned();
        i += 1;
    }
    // The tag starts the first line; the text wraps anywhere after it.
    if let Some(first) = lines.first_mut() {
        first.insert_str(0, ":86:");
    }
    format!(
        ":20:PROP\n:25:NL20INGB0001234567\n:28C:1\n:60F:C250601EUR0,00\n:61:2506020602C1,00NTRFNONREF//X1\n{}\n:62F:C250602EUR1,00\n",
        lines.join("\n")
    )
}

fn parse_one(text: &str) -> Statement {
    parse_mt940(text, "prop.sta").unwrap().remove(0)
}

proptest! {
    #[test]
    fn amounts_round_trip_through_camt(c in 0i64..100_000_000_000, extra_zeros in 0usize..4) {
        let m = Money::from_cents(c);
        let text = format!("{m}{}", "0".repeat(extra_zeros));
        let xml = CAMT054.replace(">19.99<", &format!(">{text}<"));
        let s = parse_camt(xml.as_bytes(), "p.xml").unwrap();
        prop_assert_eq!(s[0].entries[0].amount, m);
        let comma = format!("{},{:02}", c / 100, c % 100);
        let sta = wrapped_statement("x", &[65]).replace("C1,00NTRF", &format!("C{comma}NTRF")).replace("EUR1,00", &format!("EUR{comma}"));
        let st = parse_one(&sta);
        prop_assert_eq!(st.entries[0].amount, m);
        st.reconcile().unwrap();
    }

    #[test]
    fn mt940_wrapping_at_any_position_parses_the_same(
        widths in proptest::collection::vec(1usize..70, 1..8),
        name in "[A-Z][A-Za-z .]{0,30}",
        remi in "[A-Za-z0-9 .,]{0,120}",
    ) {
        let info = format!("/EREF/E2E-{}//CNTP/NL02ABNA0123456789/ABNANL2A/{name}///REMI/USTD//{remi}/", remi.len());
        let one_line = parse_one(&wrapped_statement(&info, &[100_000]));
        let wrapped = parse_one(&wrapped_statement(&info, &widths));
        prop_assert_eq!(&one_line, &wrapped);
        prop_assert_eq!(one_line.entries[0].transactions[0].counterparty_name.as_deref(), Some(name.trim()).filter(|n| !n.is_empty()));
    }

    #[test]
    fn batch_parts_sum_to_the_entry(parts in proptest::collection::vec(1i64..1_000_000, 2..12), off_by in -3i64..3) {
        let total: i64 = parts.iter().sum::<i64>() + off_by;
        prop_assume!(total > 0);
        let tx: String = parts
            .iter()
            .map(|p| format!("<TxDtls><Amt Ccy=\"EUR\">{}</Amt></TxDtls>", Money::from_cents(*p)))
            .collect();
        let xml = CAMT054.replace(
            "<n:AddtlNtryInf>",
            &format!("<NtryDtls xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\">{tx}</NtryDtls><n:AddtlNtryInf>"),
        ).replace(">19.99<", &format!(">{}<", Money::from_cents(total)));
        match parse_camt(xml.as_bytes(), "b.xml") {
            Ok(s) => {
                prop_assert_eq!(off_by, 0);
                let e = &s[0].entries[0];
                prop_assert_eq!(e.transactions.len(), parts.len());
                let sum: i64 = e.transactions.iter().map(|t| t.amount.map_or(0, |a| a.cents())).sum();
                prop_assert_eq!(sum, e.amount.cents());
            }
            Err(err) => {
                prop_assert_ne!(off_by, 0);
                prop_assert!(err.to_string().contains("entry 1"));
            }
        }
    }
}
