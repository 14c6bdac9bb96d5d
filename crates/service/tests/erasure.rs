//! Erasure and retention on both engines: an unrestricted erasure leaves no
//! value of the subject anywhere (a scan of every column of every table,
//! by schema introspection), a restored backup does not bring it back, an
//! open claim, a legal hold and the bookkeeping duty keep what they must
//! and say why, and parties on one case stay separate subjects.

use kwijting_domain::{
    CaseStatus, ClientRole, ClosureReason, Iban, PartyId, PartyRole, parse_date,
};
use kwijting_service::erasure::{ErasureCause, KeptGround};
use kwijting_service::special::{NewSpecialRecord, staff_actor};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;
use kwijting_store::{CaseId, case_number};

mod common;
use common::operator;

const HEADER: &str = "debtor_ref,debtor_type,debtor_name,birth_date,kvk_number,street,postcode,city,country,email,phone,iban,invoice_number,invoice_date,due_date,principal,description,agreement_ref,co_debtor_name,co_debtor_birth_date,co_debtor_street,co_debtor_postcode,co_debtor_city,co_debtor_country,co_debtor_email,guarantor_name,guarantor_birth_date,guarantor_street,guarantor_postcode,guarantor_city,guarantor_country";

/// A synthetic person with values unique in the database.
struct Person {
    name: &'static str,
    birth: &'static str,
    street: &'static str,
    postcode: &'static str,
    city: &'static str,
    email: &'static str,
    phone: &'static str,
    iban: String,
}

impl Person {
    fn needles(&self) -> Vec<String> {
        vec![
            self.name.into(),
            self.birth.into(),
            self.street.into(),
            self.postcode.into(),
            self.city.into(),
            self.email.into(),
            self.phone[2..].into(),
            self.iban.clone(),
        ]
    }
}

fn person(n: u64, name: &'static str, street: &'static str, city: &'static str) -> Person {
    let births = [
        "1971-03-14",
        "1966-07-29",
        "1983-11-02",
        "1958-01-23",
        "1990-09-17",
        "1949-12-05",
    ];
    let postcodes = [
        "9981 ZX", "9982 ZW", "9983 ZV", "9984 ZT", "9985 ZS", "9986 ZR",
    ];
    let emails = [
        "jantine@mail.example",
        "otto@mail.example",
        "pieter@mail.example",
        "dirk@mail.example",
        "gerrit@mail.example",
        "bea@mail.example",
    ];
    let phones = [
        "0698765431",
        "0698765432",
        "0698765433",
        "0698765434",
        "0698765435",
        "0698765436",
    ];
    let i = n as usize;
    Person {
        name,
        birth: births[i],
        street,
        postcode: postcodes[i],
        city,
        email: emails[i],
        phone: phones[i],
        iban: Iban::dutch("INGB", 7_300_000 + n)
            .unwrap()
            .as_str()
            .to_owned(),
    }
}

struct World {
    jantine: Person,
    otto: Person,
    pieter: Person,
    dirk: Person,
    gerrit: Person,
    bea: Person,
}

fn world() -> World {
    World {
        jantine: person(0, "Jantine Voorbeeldmaker", "Kwastenlaan 17", "Zandwerven"),
        otto: person(1, "Otto Openstaand", "Vorderingsweg 3", "Eisendam"),
        pieter: person(2, "Pieter Boekhoudt", "Grootboekpad 8", "Balansdorp"),
        dirk: person(3, "Dirk Debiteurs", "Schuldstraat 44", "Aflosveen"),
        gerrit: person(4, "Gerrit Borgsteller", "Garantielaan 5", "Zekerwoude"),
        bea: person(5, "Bea Borgvrouw", "Waarborgkade 12", "Borgum"),
    }
}

fn line(
    r: &str,
    p: &Person,
    invoice: &str,
    date: &str,
    desc: &str,
    guarantor: Option<&Person>,
) -> String {
    let g = guarantor.map_or(",,,,,".to_owned(), |g| {
        format!(
            "{},{},{},{},{},NL",
            g.name, g.birth, g.street, g.postcode, g.city
        )
    });
    format!(
        "{r},consumer,{},{},,{},{},{},NL,{},{},{},{invoice},{date},{date},250.00,{desc},,,,,,,,,{g}",
        p.name, p.birth, p.street, p.postcode, p.city, p.email, p.phone, p.iban
    )
}

/// Case 1: Jantine (guarantor Gerrit), closed 2016, paid 2016.
/// Case 2: Otto, open. Case 3: Pieter, closed 2022, paid 2020.
/// Case 4: Dirk (guarantor Bea), closed 2016.
fn csv(w: &World) -> String {
    [
        HEADER.to_owned(),
        line(
            "R1",
            &w.jantine,
            "F-1",
            "2015-02-01",
            "Abonnement Jantine Voorbeeldmaker",
            Some(&w.gerrit),
        ),
        line("R2", &w.otto, "F-2", "2025-02-01", "Levering", None),
        line("R3", &w.pieter, "F-3", "2019-02-01", "Levering", None),
        line(
            "R4",
            &w.dirk,
            "F-4",
            "2015-03-01",
            "Reparatie Dirk Debiteurs",
            Some(&w.bea),
        ),
    ]
    .join("\n")
}

fn trust() -> Iban {
    Iban::dutch("RABO", 123_456_789).unwrap()
}

/// A statement paying `case` from `payer`, booked on `on`.
fn payment(seed: u64, case: i64, payer: &Person, on: &str) -> String {
    let xml = kwijting_bank::generate_camt053(1, seed, &trust(), parse_date(on).unwrap());
    let k1 = kwijting_domain::Betalingskenmerk::generate16(1).unwrap();
    let kc = kwijting_domain::Betalingskenmerk::generate16(case as u64).unwrap();
    let start = xml.find("<Nm>").unwrap();
    let end = xml[start..].find("</Nm>").unwrap() + start;
    let mut xml = format!("{}<Nm>{}{}", &xml[..start], payer.name, &xml[end..]);
    let s = xml.find("<DbtrAcct><Id><IBAN>").unwrap() + "<DbtrAcct><Id><IBAN>".len();
    let e = xml[s..].find("</IBAN>").unwrap() + s;
    xml.replace_range(s..e, &payer.iban);
    xml.replace(k1.as_str(), kc.as_str()).replace(
        "BETALINGSKENMERK",
        &format!("{} BETALINGSKENMERK", payer.name),
    )
}

fn party_of(svc: &Kwijting, case: i64, role: PartyRole) -> PartyId {
    let file = svc
        .case_file(&operator(), &case_number(CaseId(case)).unwrap())
        .unwrap();
    file.parties
        .iter()
        .find(|p| p.role == role)
        .map(|p| p.party.id)
        .unwrap_or_else(|| panic!("case {case} has no {role:?}"))
}

fn close(svc: &Kwijting, case: i64, on: &str) {
    svc.close_case_on(
        &operator(),
        &case_number(CaseId(case)).unwrap(),
        CaseStatus::Closed(ClosureReason::Paid),
        parse_date(on).unwrap(),
    )
    .unwrap();
}

fn legal() -> kwijting_domain::Actor {
    staff_actor("lena", "legal", "legal_claims")
}

/// A service over the store with client ACME and the world's claims.
fn imported(store: std::sync::Arc<dyn kwijting_store::Store>, w: &World) -> Kwijting {
    let svc = common::service(store);
    svc.add_client(
        &operator(),
        "ACME",
        "Acme B.V.",
        ClientRole::Controller,
        None,
    )
    .unwrap();
    svc.import_claims_csv(&operator(), "ACME", "p.csv", csv(w).as_bytes(), &mut |_| {})
        .unwrap();
    svc
}

fn setup(test: &str) -> Vec<(&'static str, Kwijting, World)> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let w = world();
            let svc = imported(store, &w);
            for (seed, case, who, on) in [
                (1, 1, &w.jantine, "2016-03-01"),
                (2, 3, &w.pieter, "2020-05-04"),
            ] {
                svc.import_statement(
                    &operator(),
                    "camt.xml",
                    payment(seed, case, who, on).as_bytes(),
                )
                .unwrap();
            }
            let jantine = party_of(&svc, 1, PartyRole::Debtor);
            svc.record_special(
                &legal(),
                &NewSpecialRecord {
                    category: "health",
                    party: jantine,
                    case: Some(CaseId(1)),
                    basis: "9.2.f",
                    legal_claim: Some("claim F-1"),
                    consent_ref: None,
                    purpose: "legal_claims",
                    content: "Jantine Voorbeeldmaker was in hospital in 2015",
                    on: parse_date("2015-06-01").unwrap(),
                },
            )
            .unwrap();
            svc.notify_statement_change(&operator()).unwrap();
            close(&svc, 1, "2016-06-30");
            close(&svc, 3, "2022-03-10");
            close(&svc, 4, "2016-04-30");
            // After the closings: cases 1, 3 and 4 are long time-barred, and
            // a run would return them to the client today.
            svc.run_day(
                &operator(),
                parse_date("2026-11-21").unwrap(),
                1,
                &|_, _| {},
            )
            .unwrap();
            (engine, svc, w)
        })
        .collect()
}

fn residue(svc: &Kwijting, p: &Person) -> Vec<String> {
    svc.residual_scan(&operator(), &p.needles())
        .unwrap()
        .into_iter()
        .map(|h| format!("{}.{} has {:?}", h.table, h.column, h.needle))
        .collect()
}

fn as_of() -> kwijting_domain::Date {
    parse_date("2026-11-21").unwrap()
}

#[test]
fn retention_erases_expired_subjects_and_no_value_is_left() {
    for (engine, svc, w) in setup("retention_scan") {
        // Before: the values are there (the scan sees them).
        assert!(!residue(&svc, &w.jantine).is_empty(), "{engine}");
        let dry = svc.retention_run(&operator(), as_of(), true).unwrap();
        assert_eq!((dry.cases, dry.parties), (2, 4), "{engine}: {dry:?}");
        assert!(
            !residue(&svc, &w.jantine).is_empty(),
            "{engine}: a dry run changes nothing"
        );

        let r = svc.retention_run(&operator(), as_of(), false).unwrap();
        assert_eq!(
            (r.cases, r.parties),
            (2, 4),
            "{engine}: cases 1 and 4, four parties: {r:?}"
        );
        assert_eq!(r.per_category, dry.per_category, "{engine}");
        assert!(
            r.per_category["identity"] >= 4,
            "{engine}: {:?}",
            r.per_category
        );
        assert!(
            r.per_purpose.contains_key("accounting"),
            "{engine}: {:?}",
            r.per_purpose
        );
        for p in [&w.jantine, &w.gerrit, &w.dirk, &w.bea] {
            assert_eq!(
                residue(&svc, p),
                Vec::<String>::new(),
                "{engine}: {}",
                p.name
            );
        }
        // Otto's open claim and Pieter's case (closed 2021) stay.
        assert!(!residue(&svc, &w.otto).is_empty(), "{engine}");
        assert!(!residue(&svc, &w.pieter).is_empty(), "{engine}");
        // Aggregates stay: the cases and their amounts.
        let page = svc.list_cases(&operator(), &Default::default()).unwrap();
        assert_eq!(page.total, 4, "{engine}");

        // Resumed or repeated, the run erases nothing twice and reports the
        // whole day.
        let again = svc.retention_run(&operator(), as_of(), false).unwrap();
        assert_eq!((again.cases, again.parties), (2, 4), "{engine}");
        assert_eq!(again.per_category, r.per_category, "{engine}");
    }
}

#[test]
fn values_in_rights_requests_are_erased_with_their_subject() {
    use kwijting_service::rights::{NewRequest, RequestKind, RequestParams};
    for (engine, svc, w) in setup("rights_values") {
        let jantine = party_of(&svc, 1, PartyRole::Debtor);
        svc.rights_submit(
            &operator(),
            &NewRequest {
                kind: RequestKind::Rectify,
                subject: jantine,
                channel: "staff".into(),
                verified_by_method: Some("id_document".into()),
                params: RequestParams::Rectify(vec![(
                    "email".into(),
                    Some("jantine.nieuw@mail.example".into()),
                )]),
            },
        )
        .unwrap();
        let new = vec!["jantine.nieuw@mail.example".to_owned()];
        assert!(
            !svc.residual_scan(&operator(), &new).unwrap().is_empty(),
            "{engine}"
        );
        svc.retention_run(&operator(), as_of(), false).unwrap();
        assert_eq!(residue(&svc, &w.jantine), Vec::<String>::new(), "{engine}");
        let left = svc.residual_scan(&operator(), &new).unwrap();
        assert!(left.is_empty(), "{engine}: {left:?}");
    }
}

#[test]
fn restoring_a_backup_does_not_bring_erased_data_back() {
    for (engine, svc, w) in setup("restore") {
        let dir =
            std::env::temp_dir().join(format!("kwijting-restore-{engine}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("before.backup");
        let _ = std::fs::remove_file(&file);
        svc.backup(&operator(), &file).unwrap();
        let jantine = party_of(&svc, 1, PartyRole::Debtor);
        let out = svc
            .erase_subject(
                &operator(),
                jantine,
                ErasureCause::Request {
                    reference: "REQ-1".into(),
                },
                as_of(),
                false,
            )
            .unwrap();
        assert!(!out.erased.is_empty(), "{engine}: {out:?}");
        assert_eq!(residue(&svc, &w.jantine), Vec::<String>::new(), "{engine}");
        let reapplied = svc.restore(&operator(), &file, &[]).unwrap();
        assert_eq!(reapplied, 1, "{engine}");
        assert_eq!(
            residue(&svc, &w.jantine),
            Vec::<String>::new(),
            "{engine}: the restore re-applied the erasure"
        );
        // Everything else came back from the backup.
        assert!(!residue(&svc, &w.otto).is_empty(), "{engine}");
        assert!(!residue(&svc, &w.gerrit).is_empty(), "{engine}");
        // And the store goes on: a later erasure gets a new journal entry.
        let otto = party_of(&svc, 2, PartyRole::Debtor);
        svc.erase_subject(
            &operator(),
            otto,
            ErasureCause::Request {
                reference: "REQ-2".into(),
            },
            as_of(),
            false,
        )
        .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn an_open_claim_keeps_the_claim_data_and_says_why() {
    for (engine, svc, w) in setup("open_claim") {
        let otto = party_of(&svc, 2, PartyRole::Debtor);
        let out = svc
            .erase_subject(
                &operator(),
                otto,
                ErasureCause::Request {
                    reference: "REQ-9".into(),
                },
                as_of(),
                false,
            )
            .unwrap();
        assert!(out.erased.is_empty(), "{engine}: {out:?}");
        let open = out
            .kept
            .iter()
            .find(|k| k.ground == KeptGround::OpenClaim)
            .unwrap_or_else(|| panic!("{engine}: {out:?}"));
        assert_eq!(open.ground.article(), "GDPR art. 17(3)(e)");
        assert!(
            open.fields.iter().any(|f| f == "parties.name"),
            "{engine}: {open:?}"
        );
        assert!(
            open.cases.contains(&case_number(CaseId(2)).unwrap()),
            "{engine}"
        );
        assert!(
            residue(&svc, &w.otto)
                .iter()
                .any(|h| h.starts_with("parties.name")),
            "{engine}"
        );
    }
}

#[test]
fn bookkeeping_keeps_recent_payments_until_seven_years_after_their_year() {
    for (engine, svc, w) in setup("bookkeeping") {
        let pieter = party_of(&svc, 3, PartyRole::Debtor);
        let out = svc
            .erase_subject(
                &operator(),
                pieter,
                ErasureCause::Request {
                    reference: "REQ-3".into(),
                },
                as_of(),
                false,
            )
            .unwrap();
        let acc = out
            .kept
            .iter()
            .find(|k| k.ground == KeptGround::Accounting)
            .unwrap_or_else(|| panic!("{engine}: {out:?}"));
        assert_eq!(
            acc.until,
            Some(parse_date("2028-01-01").unwrap()),
            "{engine}"
        );
        assert!(
            acc.fields
                .iter()
                .any(|f| f == "bank_entries.counterparty_iban"),
            "{engine}"
        );
        // The payment keeps its payer; nothing else of Pieter is left.
        let left = residue(&svc, &w.pieter);
        assert!(!left.is_empty(), "{engine}");
        assert!(
            left.iter().all(|h| h.starts_with("bank_entries.")),
            "{engine}: {left:?}"
        );
        // Seven years after 2020, the retention run takes the payment too.
        let later = parse_date("2028-01-01").unwrap();
        svc.retention_run(&operator(), later, false).unwrap();
        assert_eq!(residue(&svc, &w.pieter), Vec::<String>::new(), "{engine}");
    }
}

#[test]
fn erasing_a_guarantor_leaves_the_debtor_alone() {
    for (engine, svc, w) in setup("guarantor") {
        let bea = party_of(&svc, 4, PartyRole::Guarantor);
        let out = svc
            .erase_subject(
                &operator(),
                bea,
                ErasureCause::Request {
                    reference: "REQ-4".into(),
                },
                as_of(),
                false,
            )
            .unwrap();
        assert!(out.erased_cases.is_empty(), "{engine}: {out:?}");
        assert!(
            out.kept
                .iter()
                .any(|k| k.ground == KeptGround::OtherPartysCase),
            "{engine}"
        );
        assert_eq!(residue(&svc, &w.bea), Vec::<String>::new(), "{engine}");
        let dirk = residue(&svc, &w.dirk);
        assert!(
            dirk.iter().any(|h| h.starts_with("parties.name")),
            "{engine}: {dirk:?}"
        );
        assert!(
            dirk.iter().any(|h| h.starts_with("claims.description")),
            "{engine}: {dirk:?}"
        );
    }
}

#[test]
fn a_legal_hold_keeps_data_past_its_period_until_lifted() {
    for (engine, svc, w) in setup("legal_hold") {
        let jantine = party_of(&svc, 1, PartyRole::Debtor);
        let hold = svc
            .add_legal_hold(
                &operator(),
                jantine,
                Some(CaseId(1)),
                "dispute over F-1",
                "mr. Lena",
                as_of(),
            )
            .unwrap();
        let r = svc.retention_run(&operator(), as_of(), false).unwrap();
        assert_eq!(
            (r.cases, r.active_legal_holds),
            (1, 1),
            "{engine}: only Dirk's case: {r:?}"
        );
        assert!(!residue(&svc, &w.jantine).is_empty(), "{engine}");
        assert!(
            !residue(&svc, &w.gerrit).is_empty(),
            "{engine}: the held case keeps its guarantor"
        );
        let out = svc
            .erase_subject(
                &operator(),
                jantine,
                ErasureCause::Request {
                    reference: "R".into(),
                },
                as_of(),
                true,
            )
            .unwrap();
        assert!(
            out.kept.iter().any(
                |k| matches!(&k.ground, KeptGround::LegalHold { owner, .. } if owner == "mr. Lena")
            ),
            "{engine}: {out:?}"
        );
        svc.lift_legal_hold(&operator(), hold, as_of()).unwrap();
        let next = parse_date("2026-11-22").unwrap();
        let r = svc.retention_run(&operator(), next, false).unwrap();
        assert_eq!(r.cases, 1, "{engine}: {r:?}");
        assert_eq!(residue(&svc, &w.jantine), Vec::<String>::new(), "{engine}");
        assert!(
            svc.legal_holds(&operator(), true).unwrap().is_empty(),
            "{engine}"
        );
    }
}

#[test]
fn special_data_is_read_only_by_permitted_roles_and_every_read_is_logged() {
    for (engine, svc, _w) in setup("special") {
        let jantine = party_of(&svc, 1, PartyRole::Debtor);
        let collector = staff_actor("kees", "collector", "collection");
        let e = svc.read_special(&collector, "health", jantine).unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden(_)), "{engine}: {e}");
        let records = svc.read_special(&legal(), "health", jantine).unwrap();
        assert_eq!(records.len(), 1, "{engine}");
        assert_eq!(records[0].basis, "9.2.f");
        assert_eq!(records[0].legal_claim.as_deref(), Some("claim F-1"));
        let log = svc
            .special_reads(
                &staff_actor("cora", "compliance_officer", "accountability"),
                jantine,
            )
            .unwrap();
        let outcomes: Vec<(&str, &str)> = log
            .iter()
            .map(|r| (r.actor.as_str(), r.outcome.as_str()))
            .collect();
        assert_eq!(
            outcomes,
            [("staff:kees", "refused"), ("staff:lena", "read")],
            "{engine}: {log:?}"
        );
        // A basis the category does not take is refused.
        let e = svc
            .record_special(
                &legal(),
                &NewSpecialRecord {
                    category: "health",
                    party: jantine,
                    case: None,
                    basis: "9.2.a",
                    legal_claim: None,
                    consent_ref: None,
                    purpose: "legal_claims",
                    content: "x",
                    on: as_of(),
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("consent"), "{engine}: {e}");
    }
}

#[test]
fn a_statement_change_is_queued_once_per_version() {
    for (engine, svc, _w) in setup("notices") {
        // setup() queued the notices already: one per address on file.
        let (version, n) = svc.notify_statement_change(&operator()).unwrap();
        assert_eq!((version.as_str(), n), ("2025.1", 0), "{engine}");
    }
    for (engine, store) in fresh_stores("notices_first") {
        let svc = imported(store, &world());
        let (_, n) = svc.notify_statement_change(&operator()).unwrap();
        assert_eq!(n, 4, "{engine}: the four debtors have an e-mail address");
    }
}

#[test]
fn unsubscribing_erases_marketing_only_and_a_later_request_still_erases() {
    for (engine, svc, w) in setup("unsubscribe") {
        let dirk = party_of(&svc, 4, PartyRole::Debtor);
        let out = svc
            .erase_subject(&operator(), dirk, ErasureCause::Unsubscribe, as_of(), false)
            .unwrap();
        assert!(
            out.erased
                .iter()
                .all(|f| f.purposes.iter().all(|p| p == "marketing")),
            "{engine}: {out:?}"
        );
        assert!(
            out.kept
                .iter()
                .any(|k| k.ground == KeptGround::OtherPurpose),
            "{engine}"
        );
        assert!(
            !residue(&svc, &w.dirk).is_empty(),
            "{engine}: collection data stays"
        );
        svc.erase_subject(
            &operator(),
            dirk,
            ErasureCause::Request {
                reference: "R-5".into(),
            },
            as_of(),
            false,
        )
        .unwrap();
        assert_eq!(residue(&svc, &w.dirk), Vec::<String>::new(), "{engine}");
    }
}

#[test]
fn an_erasure_request_erases_once_even_when_its_step_stops_half_way() {
    use kwijting_service::rights::{NewRequest, RequestKind, RequestParams};
    for (engine, svc, w) in setup("erase_request") {
        // Jantine's only case closed more than 60 months ago: nothing keeps her data.
        let jantine = party_of(&svc, 1, PartyRole::Debtor);
        let req = NewRequest {
            kind: RequestKind::Erase,
            subject: jantine,
            channel: "staff".into(),
            verified_by_method: Some("id_document".into()),
            params: RequestParams::None,
        };
        // The erasure commits, then the step stops before it is recorded.
        assert!(
            svc.rights_submit_with(&operator(), &req, Some("erase"))
                .is_err(),
            "{engine}"
        );
        assert_eq!(residue(&svc, &w.jantine), Vec::<String>::new(), "{engine}");
        let resumed = svc.rights_resume(&operator()).unwrap();
        assert!(
            resumed.iter().any(|(_, s)| s == "completed"),
            "{engine}: {resumed:?}"
        );
        let journal = svc.erasure_journal(&operator()).unwrap();
        let batches: Vec<_> = journal
            .iter()
            .filter(|b| {
                b.reference
                    .as_deref()
                    .is_some_and(|r| r.starts_with("rights request"))
            })
            .collect();
        assert_eq!(batches.len(), 1, "{engine}: erased exactly once");
        let (id, _) = resumed
            .iter()
            .find(|(_, s)| s == "completed")
            .expect("completed");
        let view = svc.rights_show(&operator(), *id).unwrap();
        let out: serde_json::Value = serde_json::from_str(&view.request.outcome).unwrap();
        let erased = out["erasure"]["erased"].as_array().unwrap();
        assert!(
            erased
                .iter()
                .any(|f| f["table"] == "parties" && f["column"] == "name" && f["rows"] == 1),
            "{engine}: the answer reports the erasure that happened: {out}"
        );
        assert_eq!(residue(&svc, &w.jantine), Vec::<String>::new(), "{engine}");
    }
}
