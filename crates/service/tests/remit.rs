//! Remittance to clients on both engines: agreements divide collected money
//! (commission rounding, who keeps costs and interest), a payout run is
//! idempotent per client and period, a client below its minimum waits, the
//! statement adds up to the posted remittance, the ledger stays green, and
//! the pain.001 file validates against the official schema.

use kwijting_domain::{
    Betalingskenmerk, CaseId, CaseNumber, ClientRole, Date, Iban, Money, Rounding, parse_date,
};
use kwijting_ledger::recipe::Beneficiary;
use kwijting_ledger::{
    AccountKind, Posting, Source, SourceKind, Transfer, TransferKey, TransferKind,
};
use kwijting_service::cases::CaseQuery;
use kwijting_service::refunds::RefundRequest;
use kwijting_service::remit::{
    AgreementTerms, Pain001Version, PayoutFrequency, RemitOutcome, RemitRequest, Remittance,
    TrustAccount,
};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;

mod common;
use common::operator;

fn date(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn eur(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn trust() -> TrustAccount {
    TrustAccount {
        name: "Kwijting Incasso B.V. Stichting Derdengelden".into(),
        iban: Iban::dutch("RABO", 123_456_789).unwrap(),
        bic: None,
    }
}

fn terms(commission_bps: u32, rounding: Rounding) -> AgreementTerms {
    AgreementTerms {
        commission_bps,
        commission_rounding: rounding,
        costs_to: Beneficiary::Client,
        interest_to: Beneficiary::Client,
        frequency: PayoutFrequency::Monthly,
        min_payout: Money::ZERO,
        iban: Iban::dutch("INGB", 7_654_321).unwrap(),
        bic: None,
        name: "Client B.V.".into(),
        effective_from: date("2026-11-01"),
    }
}

/// A client with a small portfolio; returns its case ids.
fn client(svc: &Kwijting, reference: &str, seed: u64) -> Vec<CaseId> {
    svc.add_client(
        &operator(),
        reference,
        &format!("{reference} B.V."),
        ClientRole::Controller,
        None,
    )
    .unwrap();
    let csv = not_yet_due(&common::portfolio(3, seed));
    svc.import_claims_csv(&operator(), reference, "p.csv", &csv[..], &mut |_| {})
        .unwrap();
    svc.list_cases(
        &operator(),
        &CaseQuery {
            client_ref: Some(reference.into()),
            status: None,
            limit: 100,
            offset: 0,
        },
    )
    .unwrap()
    .cases
    .iter()
    .map(|c| CaseNumber::parse(&c.number).unwrap().case_id())
    .collect()
}

/// The portfolio with every claim due at the end of January 2027: no
/// interest runs in these tests' months, so a payment is principal and the
/// division between client and agency is what the agreement says of it (how
/// the law divides a payment over costs, interest and principal is tested in
/// `ledger_money.rs`).
fn not_yet_due(csv: &[u8]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (invoice, due) = (col("invoice_date"), col("due_date"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let row: Vec<&str> = record
            .iter()
            .enumerate()
            .map(|(i, v)| match i {
                i if i == invoice => "2026-10-01",
                i if i == due => "2027-01-31",
                _ => v,
            })
            .collect();
        writer.write_record(&row).unwrap();
    }
    writer.into_inner().unwrap()
}

/// A camt.053 paying each (case, amount) by its betalingskenmerk on `on`.
fn statement(id: &str, on: Date, payments: &[(CaseId, Money)]) -> Vec<u8> {
    statement_from(id, on, payments, None)
}

/// The same, every payment from `payer` when given.
fn statement_from(
    id: &str,
    on: Date,
    payments: &[(CaseId, Money)],
    payer: Option<&Iban>,
) -> Vec<u8> {
    let parties = payer.map_or(String::new(), |iban| {
        format!(
            "<RltdPties><Dbtr><Nm>J. Betaler</Nm></Dbtr><DbtrAcct><Id><IBAN>{}</IBAN></Id></DbtrAcct></RltdPties>",
            iban.as_str()
        )
    });
    let mut entries = String::new();
    let mut total = Money::ZERO;
    for (i, (case, amount)) in payments.iter().enumerate() {
        total = total.checked_add(*amount).unwrap();
        let kenmerk = Betalingskenmerk::generate16(case.0 as u64).unwrap();
        entries.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{on}</Dt></BookgDt><ValDt><Dt>{on}</Dt></ValDt><AcctSvcrRef>{id}-{i}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>{parties}\
             <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>\
             <Ref>{}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
            kenmerk.as_str()
        ));
    }
    let iban = trust().iban;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>{id}</MsgId><CreDtTm>{on}T18:00:00</CreDtTm></GrpHdr>\
         <Stmt><Id>{id}</Id><CreDtTm>{on}T18:00:00</CreDtTm>\
         <Acct><Id><IBAN>{}</IBAN></Id><Ccy>EUR</Ccy></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{on}</Dt></Dt></Bal>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{on}</Dt></Dt></Bal>\n\
         {entries}</Stmt></BkToCstmrStmt></Document>\n",
        iban.as_str()
    )
    .into_bytes()
}

fn pay(svc: &Kwijting, id: &str, on: &str, payments: &[(CaseId, Money)]) {
    let r = svc
        .import_statement(&operator(), id, &statement(id, date(on), payments))
        .unwrap();
    assert_eq!(r.matched, payments.len() as u64, "{r:?}");
}

fn run(svc: &Kwijting, as_of: &str) -> RemitOutcome {
    svc.remit(&operator(), &request(as_of, Pain001Version::V09))
        .unwrap()
}

fn request(as_of: &str, pain001: Pain001Version) -> RemitRequest {
    RemitRequest {
        as_of: date(as_of),
        clients: Vec::new(),
        dry_run: false,
        pain001,
        trust: Some(trust()),
    }
}

fn csv_of<'a>(o: &'a RemitOutcome, client: &str) -> &'a str {
    &o.files
        .iter()
        .find(|f| f.name.starts_with(&format!("statement-{client}-")))
        .unwrap_or_else(|| panic!("no statement for {client}: {:?}", o.files))
        .contents
}

/// The statement's lines and totals add up, and its net total is what was
/// remitted.
fn check_statement(csv: &str, remitted: Money) {
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][11], "net_to_client");
    let body = &rows[1..rows.len() - 2];
    let total = &rows[rows.len() - 2];
    assert_eq!(total[0], "total");
    for col in 4..=11 {
        let sum = body
            .iter()
            .map(|r| eur(r[col]))
            .fold(Money::ZERO, |a, b| a.checked_add(b).unwrap());
        assert_eq!(sum, eur(total[col]), "column {col} of\n{csv}");
    }
    for r in body.iter().chain([total]) {
        let parts = (5..=8).map(|c| eur(r[c]).cents()).sum::<i64>();
        assert_eq!(eur(r[4]).cents(), parts, "received = parts: {r:?}");
        let split = (9..=11).map(|c| eur(r[c]).cents()).sum::<i64>();
        assert_eq!(
            eur(r[4]).cents(),
            split,
            "received = commission + agency + net: {r:?}"
        );
    }
    assert_eq!(eur(total[11]), remitted, "{csv}");
    let last = &rows[rows.len() - 1];
    assert_eq!((last[0], eur(last[11])), ("remitted", remitted), "{csv}");
}

/// Each line divides what was received as the agreement says: commission
/// on its principal part, rounded as agreed; costs and interest to whom
/// they belong; the rest to the client; the payout is the sum of the nets.
fn check_split(r: &Remittance, t: &AgreementTerms) {
    let agreement = kwijting_ledger::recipe::ClientAgreement::new(
        kwijting_domain::ClientId(0),
        t.commission_bps,
        t.commission_rounding,
        t.costs_to,
        t.interest_to,
    )
    .unwrap();
    let mut net = Money::ZERO;
    for l in &r.lines {
        assert_eq!(
            l.commission,
            agreement.commission_on(l.principal).unwrap(),
            "{l:?}"
        );
        let mut keeps = 0;
        if t.costs_to == Beneficiary::Agency {
            keeps += l.costs.cents() + l.vat.cents();
        }
        if t.interest_to == Beneficiary::Agency {
            keeps += l.interest.cents();
        }
        assert_eq!(l.agency_keeps.cents(), keeps, "{l:?}");
        assert_eq!(
            l.net.cents(),
            l.received.cents() - l.commission.cents() - keeps,
            "{l:?}"
        );
        net = net.checked_add(l.net).unwrap();
    }
    assert_eq!(r.amount, net, "{}", r.client_ref);
}

fn verify_green(svc: &Kwijting, engine: &str) {
    if let Err(p) = svc.verify_ledger(&operator()).unwrap() {
        panic!("{engine}: ledger verify: {p:?}");
    }
}

#[test]
fn agreements_divide_collected_money_and_the_payout_matches_the_statement() {
    for (engine, store) in fresh_stores("remit_variants") {
        let svc = common::service(store.clone());
        // (client, agreement, payment, expected commission, agency keeps, net)
        let mut expected = Vec::new();
        for (i, (name, rounding, amount, commission)) in [
            ("HALFUP", Rounding::HalfUp, "10.05", "1.26"),
            ("DOWN", Rounding::Down, "10.05", "1.25"),
            ("UP", Rounding::Up, "10.01", "1.26"),
            ("HALFUP2", Rounding::HalfUp, "10.01", "1.25"),
        ]
        .into_iter()
        .enumerate()
        {
            let cases = client(&svc, name, 10 + i as u64);
            svc.set_client_agreement(&operator(), name, &terms(1250, rounding))
                .unwrap();
            pay(
                &svc,
                &format!("S-{name}"),
                "2026-11-20",
                &[(cases[0], eur(amount))],
            );
            let c = eur(commission);
            expected.push((name, c, Money::ZERO, eur(amount).checked_sub(c).unwrap()));
        }
        // Who keeps costs and interest routes only those parts; the claims
        // are not yet due, so 150.00 pays principal (up to what is owed) and
        // the rest is held for refund.
        let mut principal_paid = Money::ZERO;
        for (i, (name, costs_to, interest_to)) in [
            ("COSTS", Beneficiary::Agency, Beneficiary::Client),
            ("INTEREST", Beneficiary::Client, Beneficiary::Agency),
        ]
        .into_iter()
        .enumerate()
        {
            let cases = client(&svc, name, 20 + i as u64);
            svc.set_client_agreement(
                &operator(),
                name,
                &AgreementTerms {
                    costs_to,
                    interest_to,
                    ..terms(1500, Rounding::HalfUp)
                },
            )
            .unwrap();
            pay(
                &svc,
                &format!("S-{name}"),
                "2026-11-21",
                &[(cases[0], eur("150.00"))],
            );
            let principal = svc
                .case_file(
                    &operator(),
                    CaseNumber::for_case(cases[0]).unwrap().as_str(),
                )
                .unwrap()
                .summary
                .principal_cents;
            let paid = Money::from_cents(principal).min(eur("150.00"));
            if name == "COSTS" {
                principal_paid = paid;
            }
            let commission = paid.mul_ratio(1500, 10_000, Rounding::HalfUp).unwrap();
            expected.push((
                name,
                commission,
                Money::ZERO,
                paid.checked_sub(commission).unwrap(),
            ));
        }

        let out = run(&svc, "2026-11-30");
        assert_eq!(out.remittances.len(), expected.len(), "{engine}: {out:?}");
        for (name, commission, keeps, net) in expected {
            let r = out
                .remittances
                .iter()
                .find(|r| r.client_ref == name)
                .unwrap();
            assert_eq!(
                (r.commission, r.agency_keeps, r.amount),
                (commission, keeps, net),
                "{engine}: {name}"
            );
            assert_eq!(r.period, "2026-11");
            let versions = svc.client_agreements(&operator(), name).unwrap();
            check_split(r, &versions[0].terms);
            check_statement(csv_of(&out, name), r.amount);
            let account = svc.client_account(&operator(), name).unwrap();
            assert_eq!(account.paid_out, net, "{engine}: {name}");
            assert_eq!(
                account.payable,
                account.collected.checked_sub(account.paid_out).unwrap(),
                "{engine}: {name}: payable = collected - paid out"
            );
            assert_eq!(account.payable, Money::ZERO, "{engine}: {name}");
        }
        let costs = out
            .remittances
            .iter()
            .find(|r| r.client_ref == "COSTS")
            .unwrap();
        let line = &costs.lines[0];
        assert_eq!(
            (line.principal, line.interest, line.costs),
            (principal_paid, Money::ZERO, Money::ZERO),
            "{engine}"
        );
        assert!(
            !line.invoices.is_empty() && line.bank_entry.is_some(),
            "{engine}: {line:?}"
        );
        verify_green(&svc, engine);
        let pain = out
            .files
            .iter()
            .find(|f| f.name.starts_with("pain001-"))
            .unwrap();
        assert_eq!(
            pain.contents.matches("<CdtTrfTxInf>").count(),
            6,
            "{engine}"
        );
        common::validate_schema(
            &pain.contents,
            "pain.001.001.09.xsd",
            &format!("remit-{engine}-09"),
        );
    }
}

/// Cases of a client whose first demand with collection costs was carried
/// out.
fn with_costs_demanded(svc: &Kwijting, reference: &str) -> Vec<CaseId> {
    svc.list_cases(
        &operator(),
        &CaseQuery {
            client_ref: Some(reference.into()),
            status: None,
            limit: 100,
            offset: 0,
        },
    )
    .unwrap()
    .cases
    .iter()
    .filter(|c| {
        svc.decisions(&operator(), &c.number)
            .unwrap()
            .1
            .iter()
            .any(|d| d.action == "first_demand" && d.review_state == "automatic")
    })
    .map(|c| CaseNumber::parse(&c.number).unwrap().case_id())
    .collect()
}

#[test]
fn costs_and_interest_really_due_are_split_at_remittance_as_agreed() {
    for (engine, store) in fresh_stores("remit_costs_due") {
        let svc = common::service(store);
        let clients = [
            ("COSTS", Beneficiary::Agency, Beneficiary::Client),
            ("INTEREST", Beneficiary::Client, Beneficiary::Agency),
        ];
        for (i, (name, costs_to, interest_to)) in clients.into_iter().enumerate() {
            svc.add_client(
                &operator(),
                name,
                &format!("{name} B.V."),
                ClientRole::Controller,
                None,
            )
            .unwrap();
            let csv = common::portfolio(30, 40 + i as u64);
            svc.import_claims_csv(&operator(), name, "p.csv", &csv[..], &mut |_| {})
                .unwrap();
            svc.set_client_agreement(
                &operator(),
                name,
                &AgreementTerms {
                    costs_to,
                    interest_to,
                    ..terms(1500, Rounding::HalfUp)
                },
            )
            .unwrap();
        }
        svc.assume_commercial_rate_continues(&operator(), "test: the last rate continues")
            .unwrap();
        // The daily runs send the 14-day letter, then the first demand with
        // collection costs (BIK); interest runs from the due dates.
        for d in [
            "2026-11-21",
            "2026-11-24",
            "2026-12-12",
            "2026-12-26",
            "2027-01-23",
        ] {
            let s = svc.run_day(&operator(), date(d), 1, &|_, _| {}).unwrap();
            assert_eq!(s.errors, 0, "{engine}: {:?}", s.error_reasons);
        }
        let mut expected = Vec::new();
        for (name, costs_to, interest_to) in clients {
            let case = *with_costs_demanded(&svc, name)
                .first()
                .unwrap_or_else(|| panic!("{engine}: {name}: no first demand in 30 cases"));
            let number = CaseNumber::for_case(case).unwrap();
            // A first euro charges what is due; the second payment pays the
            // costs and interest in full (art. 6:44 BW) and some principal.
            pay(
                &svc,
                &format!("S1-{name}"),
                "2027-02-01",
                &[(case, eur("1.00"))],
            );
            let owed = svc.case_ledger(&operator(), number.as_str()).unwrap();
            assert!(
                owed.costs.cents() > 0 && owed.interest.cents() > 0,
                "{engine}: {name}: {owed:?}"
            );
            let second = Money::from_cents(
                owed.costs.cents() + owed.vat.cents() + owed.interest.cents() + 2_000,
            );
            pay(&svc, &format!("S2-{name}"), "2027-02-02", &[(case, second)]);
            expected.push((name, costs_to, interest_to));
        }
        verify_green(&svc, engine);

        let out = run(&svc, "2027-02-28");
        for (name, costs_to, interest_to) in expected {
            let r = out
                .remittances
                .iter()
                .find(|r| r.client_ref == name)
                .unwrap_or_else(|| panic!("{engine}: {name} not paid: {out:?}"));
            let sum = |f: fn(&kwijting_service::remit::StatementLine) -> Money| {
                r.lines.iter().map(|l| f(l).cents()).sum::<i64>()
            };
            let (costs, vat, interest, principal) = (
                sum(|l| l.costs),
                sum(|l| l.vat),
                sum(|l| l.interest),
                sum(|l| l.principal),
            );
            assert!(
                costs > 0 && interest > 0 && principal > 0,
                "{engine}: {name}: {:?}",
                r.lines
            );
            let keeps = match (costs_to, interest_to) {
                (Beneficiary::Agency, Beneficiary::Client) => costs + vat,
                (Beneficiary::Client, Beneficiary::Agency) => interest,
                _ => unreachable!(),
            };
            assert_eq!(r.agency_keeps.cents(), keeps, "{engine}: {name}");
            let versions = svc.client_agreements(&operator(), name).unwrap();
            check_split(r, &versions[0].terms);
            // The client statement shows the same split, line by line.
            let csv = csv_of(&out, name);
            check_statement(csv, r.amount);
            let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
            let body = &rows[1..rows.len() - 2];
            assert_eq!(body.len(), r.lines.len(), "{engine}: {name}\n{csv}");
            for (row, l) in body.iter().zip(&r.lines) {
                assert_eq!(
                    (eur(row[6]), eur(row[7]), eur(row[10])),
                    (l.interest, l.costs, l.agency_keeps),
                    "{engine}: {name}\n{csv}"
                );
            }
            let total = &rows[rows.len() - 2];
            assert_eq!(
                (
                    eur(total[6]).cents(),
                    eur(total[7]).cents(),
                    eur(total[10]).cents()
                ),
                (interest, costs, keeps),
                "{engine}: {name}\n{csv}"
            );
            let account = svc.client_account(&operator(), name).unwrap();
            assert_eq!(account.paid_out, r.amount, "{engine}: {name}");
            assert_eq!(account.payable, Money::ZERO, "{engine}: {name}");
        }
        verify_green(&svc, engine);
    }
}

#[test]
fn a_payout_is_made_once_per_client_and_period() {
    for (engine, store) in fresh_stores("remit_idempotent") {
        let svc = common::service(store);
        let cases = client(&svc, "ACME", 4);
        svc.set_client_agreement(&operator(), "ACME", &terms(1000, Rounding::HalfUp))
            .unwrap();
        pay(
            &svc,
            "S1",
            "2026-11-10",
            &[(cases[0], eur("8.00")), (cases[1], eur("2.00"))],
        );
        let first = run(&svc, "2026-11-30");
        assert_eq!(first.remittances.len(), 1, "{engine}");
        let t = terms(1000, Rounding::HalfUp);
        check_split(&first.remittances[0], &t);
        assert_eq!(first.remittances[0].lines.len(), 2, "{engine}");
        assert!(first.posted >= 2, "{engine}: remittance and commission");
        let again = run(&svc, "2026-11-30");
        assert_eq!(again.posted, 0, "{engine}: nothing new");
        assert_eq!(again.files, first.files, "{engine}: the same files again");
        assert!(!again.remittances[0].new, "{engine}");

        // Money collected later in the month waits for the next period.
        pay(&svc, "S2", "2026-11-30", &[(cases[2], eur("5.00"))]);
        let later = run(&svc, "2026-12-01");
        assert_eq!(later.remittances.len(), 1, "{engine}: {later:?}");
        check_split(&later.remittances[0], &t);
        assert_eq!(later.remittances[0].period, "2026-12", "{engine}");
        assert_eq!(
            later.remittances[0].lines.len(),
            1,
            "{engine}: only the new amount"
        );
        pay(&svc, "S3", "2026-12-02", &[(cases[2], eur("1.00"))]);
        let same_period = run(&svc, "2026-12-03");
        assert!(same_period.remittances.is_empty(), "{engine}");
        assert!(
            same_period.skipped[0]
                .reason
                .contains("paid for period 2026-12"),
            "{engine}: {same_period:?}"
        );
        let account = svc.client_account(&operator(), "ACME").unwrap();
        let paid = first.remittances[0]
            .amount
            .checked_add(later.remittances[0].amount)
            .unwrap();
        assert_eq!(account.paid_out, paid, "{engine}");
        assert_eq!(
            account.payable,
            account.collected.checked_sub(paid).unwrap(),
            "{engine}"
        );
        assert_eq!(
            account.payable, same_period.skipped[0].payable,
            "{engine}: S3 waits"
        );
        assert!(account.payable.cents() > 0, "{engine}");
        verify_green(&svc, engine);
        let v03 = svc
            .remit(&operator(), &request("2026-12-01", Pain001Version::V03))
            .unwrap();
        let pain = v03
            .files
            .iter()
            .find(|f| f.name.starts_with("pain001-"))
            .unwrap();
        assert!(pain.contents.contains("pain.001.001.03"), "{engine}");
        common::validate_schema(
            &pain.contents,
            "pain.001.001.03.xsd",
            &format!("remit-{engine}-03"),
        );
    }
}

#[test]
fn nothing_is_paid_below_the_minimum_and_on_demand_waits_to_be_asked() {
    for (engine, store) in fresh_stores("remit_minimum") {
        let svc = common::service(store);
        let cases = client(&svc, "SMALL", 5);
        let demand = client(&svc, "DEMAND", 6);
        svc.set_client_agreement(
            &operator(),
            "SMALL",
            &AgreementTerms {
                min_payout: eur("15.00"),
                frequency: PayoutFrequency::Weekly,
                ..terms(0, Rounding::HalfUp)
            },
        )
        .unwrap();
        svc.set_client_agreement(
            &operator(),
            "DEMAND",
            &AgreementTerms {
                frequency: PayoutFrequency::OnDemand,
                ..terms(0, Rounding::HalfUp)
            },
        )
        .unwrap();
        pay(
            &svc,
            "S1",
            "2026-11-16",
            &[(cases[0], eur("9.00")), (demand[0], eur("3.00"))],
        );
        let out = run(&svc, "2026-11-17");
        assert!(out.remittances.is_empty(), "{engine}: {out:?}");
        assert_eq!(out.posted, 0, "{engine}");
        assert!(out.files.is_empty(), "{engine}");
        let reasons: Vec<&str> = out.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert!(
            reasons.iter().any(|r| r.contains("below the minimum")),
            "{engine}: {reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("on demand")),
            "{engine}: {reasons:?}"
        );
        assert_eq!(
            svc.client_account(&operator(), "SMALL").unwrap().payable,
            eur("9.00")
        );

        // Same week: more money brings it over the minimum; both amounts go.
        pay(&svc, "S2", "2026-11-18", &[(cases[1], eur("7.00"))]);
        let out = run(&svc, "2026-11-19");
        assert_eq!(out.remittances.len(), 1, "{engine}: {out:?}");
        let r = &out.remittances[0];
        assert_eq!(
            (r.amount, r.lines.len(), r.period.as_str()),
            (eur("16.00"), 2, "2026-W47")
        );
        check_statement(csv_of(&out, "SMALL"), r.amount);

        // On demand: paid when named.
        let asked = svc
            .remit(
                &operator(),
                &RemitRequest {
                    clients: vec!["DEMAND".into()],
                    ..request("2026-11-19", Pain001Version::V09)
                },
            )
            .unwrap();
        let demanded: Vec<_> = asked.remittances.iter().filter(|r| r.new).collect();
        assert_eq!(demanded.len(), 1, "{engine}: {asked:?}");
        assert_eq!(demanded[0].amount, eur("3.00"));
        assert_ne!(
            demanded[0].batch, r.batch,
            "{engine}: a later run of the day is a new file"
        );
        let first_file = out.files.iter().find(|f| f.name.starts_with("pain001-"));
        assert!(
            first_file.is_some_and(|f| asked.files.contains(f)),
            "{engine}: the earlier file of the day is written again whole"
        );
        verify_green(&svc, engine);
    }
}

#[test]
fn agreements_are_validated_and_versions_only_move_forward() {
    for (engine, store) in fresh_stores("remit_agreements") {
        let svc = common::service(store);
        client(&svc, "ACME", 7);
        let first = svc
            .set_client_agreement(&operator(), "ACME", &terms(1500, Rounding::HalfUp))
            .unwrap();
        // The same terms again change nothing; different ones on the same
        // day conflict; an earlier day is refused.
        assert_eq!(
            svc.set_client_agreement(&operator(), "ACME", &terms(1500, Rounding::HalfUp))
                .unwrap()
                .terms,
            first.terms
        );
        let e = svc
            .set_client_agreement(&operator(), "ACME", &terms(2000, Rounding::HalfUp))
            .unwrap_err();
        assert!(matches!(e, ServiceError::Conflict { .. }), "{engine}: {e}");
        let e = svc
            .set_client_agreement(
                &operator(),
                "ACME",
                &AgreementTerms {
                    effective_from: date("2026-10-01"),
                    ..terms(2000, Rounding::HalfUp)
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("from 2026-11-01"), "{engine}: {e}");
        for bad in [
            AgreementTerms {
                commission_bps: 10_001,
                ..terms(0, Rounding::HalfUp)
            },
            AgreementTerms {
                name: " ".into(),
                ..terms(0, Rounding::HalfUp)
            },
            AgreementTerms {
                min_payout: eur("-1.00"),
                ..terms(0, Rounding::HalfUp)
            },
        ] {
            let e = svc
                .set_client_agreement(
                    &operator(),
                    "ACME",
                    &AgreementTerms {
                        effective_from: date("2026-12-01"),
                        ..bad
                    },
                )
                .unwrap_err();
            assert!(matches!(e, ServiceError::Invalid(_)), "{engine}: {e}");
        }
        svc.set_client_agreement(
            &operator(),
            "ACME",
            &AgreementTerms {
                effective_from: date("2026-12-01"),
                ..terms(2000, Rounding::Down)
            },
        )
        .unwrap();
        let versions = svc.client_agreements(&operator(), "ACME").unwrap();
        assert_eq!(versions.len(), 2, "{engine}");
        assert_eq!(versions[1].terms.commission_bps, 2000);
        assert!(matches!(
            svc.client_agreements(&operator(), "NOPE"),
            Err(ServiceError::UnknownClient(_))
        ));
    }
    for (text, bps) in [
        ("15%", 1500),
        ("12.5", 1250),
        ("0.75 %", 75),
        ("100%", 10_000),
        ("0", 0),
    ] {
        assert_eq!(
            kwijting_service::remit::parse_commission(text).unwrap(),
            bps,
            "{text}"
        );
    }
    for bad in ["", "15.%", "100.01%", "-1%", "1.234", "abc", "1000"] {
        assert!(
            kwijting_service::remit::parse_commission(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn overpayments_are_paid_back_once_to_the_account_they_came_from() {
    for (engine, store) in fresh_stores("remit_refunds") {
        let svc = common::service(store.clone());
        client(&svc, "ACME", 8);
        svc.set_client_agreement(&operator(), "ACME", &terms(1000, Rounding::HalfUp))
            .unwrap();
        let cases = svc
            .list_cases(
                &operator(),
                &CaseQuery {
                    client_ref: Some("ACME".into()),
                    status: None,
                    limit: 10,
                    offset: 0,
                },
            )
            .unwrap()
            .cases;
        let over = |i: usize, extra: &str| {
            (
                cases[i].id,
                Money::from_cents(cases[i].principal_cents)
                    .checked_add(eur(extra))
                    .unwrap(),
            )
        };
        let payer = Iban::dutch("INGB", 1_234_567).unwrap();
        let r = svc
            .import_statement(
                &operator(),
                "S1",
                &statement_from("S1", date("2026-11-20"), &[over(0, "512.34")], Some(&payer)),
            )
            .unwrap();
        // Interest the case owes (where it is charged) takes its part first.
        let held = Money::from_cents(r.refunds_cents);
        assert!(held.cents() > 0, "{engine}: {r:?}");
        pay(&svc, "S2", "2026-11-20", &[over(1, "300.00")]);
        svc.import_statement(
            &operator(),
            "S3",
            &statement_from("S3", date("2026-11-21"), &[over(2, "400.00")], Some(&payer)),
        )
        .unwrap();
        // A person refunded S3's overpayment already (`refund:ENTRY`).
        let person = svc
            .refund_overpayments(
                &operator(),
                &RefundRequest {
                    as_of: date("2026-11-21"),
                    dry_run: true,
                    pain001: Pain001Version::V09,
                    trust: None,
                },
            )
            .unwrap()
            .refunds
            .into_iter()
            .find(|r| r.case_number.as_deref() == Some(cases[2].number.as_str()))
            .unwrap();
        let entry = person.entry.clone();
        let by_hand = Transfer::new(
            TransferKey::parse(&format!("refund:{entry}")).unwrap(),
            TransferKind::Refund,
            Source::new(SourceKind::Refund, &entry).unwrap(),
            date("2026-11-22"),
            vec![
                Posting {
                    account: AccountKind::RefundsPayable,
                    amount: person.amount,
                },
                Posting {
                    account: AccountKind::BankTrust,
                    amount: Money::from_cents(-person.amount.cents()),
                },
            ],
            None,
            None,
        )
        .unwrap();
        store
            .record_statement(&[], &[kwijting_service::payments::to_stored(&by_hand)])
            .unwrap();

        let refund = |dry_run| {
            svc.refund_overpayments(
                &operator(),
                &RefundRequest {
                    as_of: date("2026-11-30"),
                    dry_run,
                    pain001: Pain001Version::V09,
                    trust: Some(trust()),
                },
            )
            .unwrap()
        };
        let dry = refund(true);
        assert_eq!((dry.refunds.len(), dry.posted), (1, 0), "{engine}: {dry:?}");
        let out = refund(false);
        assert_eq!(out.refunds.len(), 1, "{engine}: {out:?}");
        let r = &out.refunds[0];
        assert_eq!(
            (r.amount, r.payer_iban.as_str(), r.new),
            (held, payer.as_str(), true),
            "{engine}"
        );
        assert_eq!(
            out.waiting.len(),
            1,
            "{engine}: no account given for the other"
        );
        assert!(
            out.refunds.iter().all(|r| r.entry != entry),
            "{engine}: refunded by hand, never again by file"
        );
        assert!(out.waiting[0].amount.cents() > 0, "{engine}");
        assert_eq!(out.files.len(), 1);
        common::validate_schema(
            &out.files[0].contents,
            "pain.001.001.09.xsd",
            &format!("refund-{engine}"),
        );
        let again = refund(false);
        assert_eq!(again.posted, 0, "{engine}");
        assert_eq!(again.files, out.files, "{engine}: the same file again");
        assert!(!again.refunds[0].new);
        verify_green(&svc, engine);
        // The client is paid what the cases owed, never the overpayment.
        let remitted = run(&svc, "2026-11-30");
        let r = &remitted.remittances[0];
        check_split(r, &terms(1000, Rounding::HalfUp));
        let principal: i64 = cases[..3].iter().map(|c| c.principal_cents).sum();
        let paid_principal: i64 = r.lines.iter().map(|l| l.principal.cents()).sum();
        assert_eq!(paid_principal, principal, "{engine}");
        verify_green(&svc, engine);
    }
}

/// A deterministic generator for the sequence test (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below
    }
}

/// Any sequence of payments (over- and underpaying), payout runs and refund
/// runs keeps the ledger verified, each client's payable equal to what was
/// collected minus what was paid out, and a run repeated on its day posts
/// nothing.
#[test]
fn any_sequence_of_payments_payouts_and_refunds_keeps_the_books() {
    for (engine, store) in fresh_stores("remit_sequence") {
        let svc = common::service(store);
        let mut all = Vec::new();
        for (i, (name, frequency, min)) in [
            ("WEEK", PayoutFrequency::Weekly, "0.00"),
            ("MONTH", PayoutFrequency::Monthly, "25.00"),
            ("ASK", PayoutFrequency::OnDemand, "0.00"),
        ]
        .into_iter()
        .enumerate()
        {
            for c in client(&svc, name, 30 + i as u64) {
                all.push(c);
            }
            svc.set_client_agreement(
                &operator(),
                name,
                &AgreementTerms {
                    frequency,
                    min_payout: eur(min),
                    costs_to: Beneficiary::Agency,
                    ..terms(1234 + 100 * i as u32, Rounding::HalfUp)
                },
            )
            .unwrap();
        }
        let payer = Iban::dutch("INGB", 9_876_543).unwrap();
        let mut rng = Rng(7);
        let mut day = date("2026-11-02");
        let (mut paid, mut refunded) = (0, 0);
        for step in 0..24 {
            day = day
                .checked_add(jiff::Span::new().days(1 + rng.next(5) as i64))
                .unwrap();
            let on = day.to_string();
            match rng.next(3) {
                0 => {
                    let payments: Vec<(CaseId, Money)> = (0..1 + rng.next(3))
                        .map(|_| {
                            let case = all[rng.next(all.len() as u64) as usize];
                            (case, Money::from_cents(1 + rng.next(40_000) as i64))
                        })
                        .collect();
                    let id = format!("Q{step}");
                    svc.import_statement(
                        &operator(),
                        &id,
                        &statement_from(&id, day, &payments, Some(&payer)),
                    )
                    .unwrap();
                }
                1 => {
                    let mut req = request(&on, Pain001Version::V09);
                    if rng.next(2) == 0 {
                        req.clients = vec!["ASK".into(), "WEEK".into()];
                    }
                    let first = svc.remit(&operator(), &req).unwrap();
                    let again = svc.remit(&operator(), &req).unwrap();
                    assert_eq!(again.posted, 0, "{engine}: step {step}");
                    assert_eq!(again.files, first.files, "{engine}: step {step}");
                    for r in &first.remittances {
                        check_statement(csv_of(&first, &r.client_ref), r.amount);
                    }
                    paid += first.posted;
                }
                _ => {
                    let req = RefundRequest {
                        as_of: day,
                        dry_run: false,
                        pain001: Pain001Version::V03,
                        trust: Some(trust()),
                    };
                    let first = svc.refund_overpayments(&operator(), &req).unwrap();
                    let again = svc.refund_overpayments(&operator(), &req).unwrap();
                    refunded += first.posted;
                    assert_eq!(
                        (again.posted, &again.files),
                        (0, &first.files),
                        "{engine}: step {step}"
                    );
                }
            }
            verify_green(&svc, engine);
            for name in ["WEEK", "MONTH", "ASK"] {
                let a = svc.client_account(&operator(), name).unwrap();
                assert_eq!(
                    a.payable,
                    a.collected.checked_sub(a.paid_out).unwrap(),
                    "{engine}: step {step}: {name}"
                );
                assert!(!a.payable.is_negative(), "{engine}: step {step}: {name}");
            }
        }
        assert!(
            paid > 3 && refunded > 1,
            "{engine}: {paid} payout and {refunded} refund transfers"
        );
    }
}
