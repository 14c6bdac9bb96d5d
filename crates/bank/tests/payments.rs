//! Every pain.008 and pain.001 file this crate writes validates against the
//! official schema (`xmllint --noout --schema`), in both versions; and the
//! writers refuse what a bank would refuse.

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::civil::date;
use kwijting_bank::{
    Account, BankError, Bic, CreditTransfer, CreditTransferBatch, CreditorId, DirectDebit,
    DirectDebitBatch, EndToEndId, LocalInstrument, Mandate, MandateAmendment, MandateId, MessageId,
    PAYMENTS_PER_FILE_MAX, Pain001Version, Pain008Version, Party, PostalAddress, RefIssuer,
    Remittance, SequenceType, StructuredRef, generate_camt053, write_pain001, write_pain008,
    write_pain008_file,
};
use kwijting_domain::{Betalingskenmerk, Iban, Money};

fn xsd_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/xsd");
    dir.is_dir().then_some(dir)
}

/// Validates `xml` against `xsd_name`; skipped when the shared schemas are
/// absent, or when xmllint is, unless `KWIJTING_REQUIRE_XMLLINT` is set (CI
/// sets it, so there a missing xmllint fails).
fn validate(xml: &str, xsd_name: &str, label: &str) {
    let Some(dir) = xsd_dir() else {
        println!("shared/reference/xsd not found; skipping schema validation of {label}");
        return;
    };
    let file =
        std::env::temp_dir().join(format!("kwijting-bank-{}-{label}.xml", std::process::id()));
    std::fs::write(&file, xml).expect("write temp file");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir.join(xsd_name))
        .arg(&file)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) if std::env::var_os("KWIJTING_REQUIRE_XMLLINT").is_some() => panic!(
            "xmllint could not be run ({e}): install libxml2-utils (apt-get install -y libxml2-utils) to validate payment files"
        ),
        Err(e) => {
            let _ = std::fs::remove_file(&file);
            println!(
                "xmllint could not be run ({e}); skipping schema validation of {label} (install libxml2-utils)"
            );
            return;
        }
    };
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{label} does not validate against {xsd_name}:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn iban(s: &str) -> Iban {
    Iban::parse(s).unwrap()
}

fn address() -> PostalAddress {
    PostalAddress {
        street: Some("Keizersgracht".into()),
        building_number: Some("123-A".into()),
        postcode: Some("1015 CJ".into()),
        town: "Amsterdam".into(),
        country: "NL".into(),
    }
}

fn kenmerk(case: u64) -> Remittance {
    Remittance::Structured(StructuredRef {
        issuer: RefIssuer::Cur,
        reference: Betalingskenmerk::generate16(case)
            .unwrap()
            .as_str()
            .to_owned(),
    })
}

fn direct_debits() -> DirectDebitBatch {
    DirectDebitBatch {
        message_id: MessageId::parse("KW-DD-2025-06-01-001").unwrap(),
        created_at: date(2025, 6, 1).at(9, 30, 0, 0),
        initiating_party: "Kwijting Incasso B.V.".into(),
        payment_info_id: MessageId::parse("KW-DD-2025-06-01-001-RCUR").unwrap(),
        creditor: Party {
            name: "Kwijting Incasso B.V. & Partners".into(),
            address: Some(address()),
        },
        creditor_account: Account {
            iban: iban("NL91ABNA0417164300"),
            bic: Some(Bic::parse("ABNANL2A").unwrap()),
        },
        creditor_id: CreditorId::parse("NL22ZZZ524885430000").unwrap(),
        collection_date: date(2025, 6, 5),
        sequence_type: SequenceType::Recurring,
        local_instrument: LocalInstrument::Core,
        transactions: vec![
            DirectDebit {
                end_to_end_id: EndToEndId::parse("KW000000017-T03").unwrap(),
                amount: Money::from_cents(12_550),
                mandate: Mandate {
                    id: MandateId::parse("KW000000017-M1").unwrap(),
                    signed_on: date(2025, 3, 14),
                    amendment: None,
                },
                debtor: Party {
                    name: "Jörg O'Brien-Çelik (jr)".into(),
                    address: Some(PostalAddress {
                        street: None,
                        building_number: None,
                        postcode: None,
                        town: "Utrecht".into(),
                        country: "NL".into(),
                    }),
                },
                debtor_account: Account {
                    iban: iban("NL02ABNA0123456789"),
                    bic: None,
                },
                remittance: Some(kenmerk(17)),
            },
            DirectDebit {
                end_to_end_id: EndToEndId::parse("KW000000018-T01").unwrap(),
                amount: Money::from_cents(4_999),
                mandate: Mandate {
                    id: MandateId::parse("KW000000018-M2").unwrap(),
                    signed_on: date(2024, 11, 2),
                    amendment: Some(MandateAmendment {
                        original_mandate_id: Some(MandateId::parse("KW000000018-M1").unwrap()),
                        original_creditor_id: None,
                        original_debtor_iban: Some(iban("NL91ABNA0417164300")),
                        debtor_bank_changed: true,
                    }),
                },
                debtor: Party {
                    name: "A. de Vries".into(),
                    address: None,
                },
                debtor_account: Account {
                    iban: iban("NL20INGB0001234567"),
                    bic: Some(Bic::parse("INGBNL2A").unwrap()),
                },
                remittance: Some(Remittance::Unstructured(
                    "Termijn 1 van 6, dossier KW000000018 (zie brief)".into(),
                )),
            },
        ],
    }
}

fn credit_transfers() -> CreditTransferBatch {
    CreditTransferBatch {
        message_id: MessageId::parse("KW-CT-2025-06-01-001").unwrap(),
        created_at: date(2025, 6, 1).at(9, 30, 0, 0),
        initiating_party: "Kwijting Incasso B.V.".into(),
        payment_info_id: MessageId::parse("KW-CT-2025-06-01-001-A").unwrap(),
        debtor: Party {
            name: "Kwijting Incasso B.V. Derdengelden".into(),
            address: Some(address()),
        },
        debtor_account: Account {
            iban: iban("NL91ABNA0417164300"),
            bic: Some(Bic::parse("ABNANL2A").unwrap()),
        },
        execution_date: date(2025, 6, 2),
        transactions: vec![
            CreditTransfer {
                end_to_end_id: EndToEndId::parse("KW-AFDR-2025-06-0001").unwrap(),
                amount: Money::from_cents(1_234_567),
                creditor: Party {
                    name: "Woningcorporatie \"Thuis\" & Co".into(),
                    address: Some(address()),
                },
                creditor_account: Account {
                    iban: iban("NL20INGB0001234567"),
                    bic: Some(Bic::parse("INGBNL2A").unwrap()),
                },
                remittance: Some(Remittance::Structured(StructuredRef {
                    issuer: RefIssuer::Iso,
                    reference: "RF18539007547034".into(),
                })),
            },
            CreditTransfer {
                end_to_end_id: EndToEndId::parse("KW-AFDR-2025-06-0002").unwrap(),
                amount: Money::from_cents(1),
                creditor: Party {
                    name: "Energie B.V.".into(),
                    address: None,
                },
                creditor_account: Account {
                    iban: iban("NL02ABNA0123456789"),
                    bic: None,
                },
                remittance: Some(Remittance::Unstructured("Afdracht juni 2025".into())),
            },
        ],
    }
}

#[test]
fn pain008_both_versions_validate() {
    let batch = direct_debits();
    for (version, xsd) in [
        (Pain008Version::V08, "pain.008.001.08.xsd"),
        (Pain008Version::V02, "pain.008.001.02.xsd"),
    ] {
        let xml = write_pain008(&batch, version).unwrap();
        assert!(xml.contains("<NbOfTxs>2</NbOfTxs>"));
        assert!(xml.contains("<CtrlSum>175.49</CtrlSum>"));
        assert!(
            xml.contains("<Nm>Jorg O&apos;Brien-Celik (jr)</Nm>"),
            "{xml}"
        );
        assert!(xml.contains("Kwijting Incasso B.V. + Partners"));
        assert!(xml.contains("<Id>SMNDA</Id>"));
        validate(&xml, xsd, &format!("{version:?}"));
    }
    let new = write_pain008(&batch, Pain008Version::default()).unwrap();
    assert!(new.contains("pain.008.001.08") && new.contains("<TwnNm>Amsterdam</TwnNm>"));
    let old = write_pain008(&batch, Pain008Version::V02).unwrap();
    assert!(
        old.contains("<AdrLine>1015 CJ Amsterdam</AdrLine>") && old.contains("<BIC>ABNANL2A</BIC>")
    );
}

/// FRST and RCUR collections of one date in one file: two payment
/// information blocks under one group header counting both.
#[test]
fn pain008_file_with_two_blocks_validates() {
    let rcur = direct_debits();
    let mut frst = direct_debits();
    frst.payment_info_id = MessageId::parse("KW-DD-2025-06-01-001-FRST").unwrap();
    frst.sequence_type = SequenceType::First;
    frst.transactions.truncate(1);
    frst.transactions[0].end_to_end_id = EndToEndId::parse("KW000000019-T01").unwrap();
    for (version, xsd) in [
        (Pain008Version::V08, "pain.008.001.08.xsd"),
        (Pain008Version::V02, "pain.008.001.02.xsd"),
    ] {
        let xml = write_pain008_file(&[frst.clone(), rcur.clone()], version).unwrap();
        assert_eq!(xml.matches("<PmtInf>").count(), 2);
        assert!(xml.contains("<NbOfTxs>3</NbOfTxs>") && xml.contains("<SeqTp>FRST</SeqTp>"));
        validate(&xml, xsd, &format!("two-blocks-{version:?}"));
    }
    // The same end-to-end id in two blocks is refused; so is a block of
    // another message.
    let mut twice = frst.clone();
    twice.transactions[0].end_to_end_id = rcur.transactions[0].end_to_end_id.clone();
    refusal(
        write_pain008_file(&[twice, rcur.clone()], Pain008Version::V08),
        "used twice",
    );
    let mut other = frst.clone();
    other.message_id = MessageId::parse("OTHER").unwrap();
    refusal(
        write_pain008_file(&[rcur, other], Pain008Version::V08),
        "share message id",
    );
}

#[test]
fn pain001_both_versions_validate() {
    let batch = credit_transfers();
    for (version, xsd) in [
        (Pain001Version::V09, "pain.001.001.09.xsd"),
        (Pain001Version::V03, "pain.001.001.03.xsd"),
    ] {
        let xml = write_pain001(&batch, version).unwrap();
        assert!(xml.contains("<CtrlSum>12345.68</CtrlSum>"));
        assert!(
            xml.contains("Woningcorporatie &apos;Thuis&apos; + Co"),
            "{xml}"
        );
        validate(&xml, xsd, &format!("{version:?}"));
    }
}

#[test]
fn synthetic_statement_validates_and_reconciles() {
    let account = iban("NL91ABNA0417164300");
    let xml = generate_camt053(50, 7, &account, date(2025, 6, 2));
    assert_eq!(xml, generate_camt053(50, 7, &account, date(2025, 6, 2)));
    validate(&xml, "camt.053.001.02.xsd", "synthetic-camt053");
    let statements = kwijting_bank::parse_camt(xml.as_bytes(), "synthetic.xml").unwrap();
    assert_eq!(statements[0].entries.len(), 50);
    statements[0].reconcile().unwrap();
    for e in &statements[0].entries {
        let r = e.transactions[0].structured_reference.as_ref().unwrap();
        assert_eq!(r.issuer, RefIssuer::Cur);
        Betalingskenmerk::parse(&r.reference).unwrap();
    }
}

fn refusal(r: Result<String, BankError>, piece: &str) {
    let e = r.unwrap_err();
    assert!(matches!(e, BankError::Payment { .. }));
    assert!(e.to_string().contains(piece), "{e}");
}

#[test]
fn writers_refuse_what_a_bank_refuses() {
    let mut b = direct_debits();
    b.transactions[1].end_to_end_id = b.transactions[0].end_to_end_id.clone();
    refusal(write_pain008(&b, Pain008Version::V08), "used twice");

    let mut b = direct_debits();
    b.transactions[0].amount = Money::ZERO;
    refusal(write_pain008(&b, Pain008Version::V08), "outside 0.01");

    let mut b = direct_debits();
    b.transactions[0].remittance = Some(Remittance::Structured(StructuredRef {
        issuer: RefIssuer::Cur,
        reference: "4420043232693268".into(),
    }));
    refusal(write_pain008(&b, Pain008Version::V08), "reference");

    let mut b = direct_debits();
    b.transactions[0].debtor.name = "Ελένη".into();
    refusal(write_pain008(&b, Pain008Version::V08), "SEPA character set");

    let mut b = direct_debits();
    b.transactions[0].debtor.name = "<script>".into();
    refusal(write_pain008(&b, Pain008Version::V08), "character '<'");

    let mut b = direct_debits();
    b.transactions[0].remittance = Some(Remittance::Unstructured("x".repeat(141)));
    refusal(write_pain008(&b, Pain008Version::V08), "longer than 140");

    let mut b = direct_debits();
    b.transactions.clear();
    refusal(write_pain008(&b, Pain008Version::V08), "at least one");

    let mut b = credit_transfers();
    let t = b.transactions[1].clone();
    b.transactions = (0..=PAYMENTS_PER_FILE_MAX)
        .map(|i| CreditTransfer {
            end_to_end_id: EndToEndId::parse(&format!("E{i}")).unwrap(),
            ..t.clone()
        })
        .collect();
    refusal(write_pain001(&b, Pain001Version::V09), "at most 10000");

    let mut b = credit_transfers();
    b.debtor.address = Some(PostalAddress {
        country: "Nederland".into(),
        ..address()
    });
    refusal(write_pain001(&b, Pain001Version::V09), "country code");
}

/// The benchmark size. Run with
/// `cargo test -p kwijting-bank --release --test payments -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: 100,000 entries"]
fn hundred_thousand_entries() {
    let account = iban("NL91ABNA0417164300");
    let started = std::time::Instant::now();
    let xml = generate_camt053(100_000, 1, &account, date(2025, 6, 2));
    let generated = started.elapsed();
    let statements = kwijting_bank::parse_camt(xml.as_bytes(), "bench.xml").unwrap();
    let parsed = started.elapsed() - generated;
    statements[0].reconcile().unwrap();
    assert_eq!(statements[0].entries.len(), 100_000);
    println!(
        "{} MB generated in {generated:?}, parsed in {parsed:?}",
        xml.len() / 1_000_000
    );
}
