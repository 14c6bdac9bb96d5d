//! The store contract: every behaviour, on every engine available (SQLite
//! always; PostgreSQL when KWIJTING_TEST_PG_URL is set, which CI requires).

use kwijting_domain::{CaseStatus, ClientRole, DebtorType, PartyKind, PartyRole, parse_date};
use kwijting_store::testkit::fresh_stores;
use kwijting_store::*;

fn ts() -> Timestamp {
    "2026-11-21T09:00:00Z".parse().unwrap()
}

fn client(store: &dyn Store, reference: &str) -> ClientRow {
    store
        .insert_client(&NewClient {
            reference: reference.into(),
            name: format!("{reference} B.V."),
            role: ClientRole::Controller,
            privacy_contact: None,
            created_at: ts(),
        })
        .unwrap()
}

fn key(k: &str) -> DebtorKey {
    let mut out = [0u8; 16];
    for (o, b) in out.iter_mut().zip(k.bytes()) {
        *o = b;
    }
    out
}

fn party(name: &str, k: &str) -> NewParty {
    NewParty {
        kind: PartyKind::Person,
        debtor_ref: None,
        debtor_key: Some(key(k)),
        name: name.into(),
        birth_date: Some(parse_date("1980-02-29").unwrap()),
        kvk_number: None,
        email: Some("a@example.nl".into()),
        phone: None,
        iban: None,
        address: NewAddress {
            street: "Dorpsstraat 1".into(),
            postcode: "1234 AB".into(),
            city: "Ergens".into(),
            country: "NL".into(),
        },
        line: 2,
    }
}

fn claim(case: Ref<CaseId>, invoice: &str, cents: i64) -> NewClaim {
    NewClaim {
        case,
        invoice_number: invoice.into(),
        invoice_date: parse_date("2026-01-01").unwrap(),
        due_date: parse_date("2026-01-31").unwrap(),
        principal_cents: cents,
        description: Some("it's a \"test\"\twith tab".into()),
        agreement_ref: None,
        consumer_sale: false,
        fingerprint: cents,
        line: 3,
    }
}

fn import(tx: &mut dyn ImportTx, client: ClientId) -> ImportId {
    tx.open_import(&NewImport {
        client,
        source: "test.csv".into(),
        actor: "system:test".into(),
        created_at: ts(),
    })
    .unwrap()
}

fn one_case_chunk(client: ClientId, import: ImportId) -> ImportChunk {
    let mut chunk = ImportChunk::new(client, import, parse_date("2026-11-21").unwrap());
    chunk.parties.push(party("Jan de Vries", "k1"));
    chunk.parties.push(party("Els de Vries", "k2"));
    chunk.cases.push(NewCase {
        debtor: Ref::New(0),
        debtor_type: DebtorType::Consumer,
        opened_on: parse_date("2026-11-21").unwrap(),
        principal_cents: 30_000,
        first_due_on: parse_date("2026-01-31").unwrap(),
    });
    chunk.case_parties.push(NewCaseParty {
        case: Ref::New(0),
        party: Ref::New(1),
        role: PartyRole::CoDebtor,
    });
    chunk.claims.push(claim(Ref::New(0), "F-1", 10_000));
    chunk.claims.push(claim(Ref::New(0), "F-2", 20_000));
    chunk
}

#[test]
fn live_schema_matches_the_catalog() {
    for (engine, store) in fresh_stores("catalog") {
        let cols = store.schema_columns().unwrap();
        assert!(!cols.is_empty(), "{engine}");
        if let Err(m) = catalog::check(&cols) {
            panic!("{engine}: {m:?}");
        }
    }
}

#[test]
fn clients_are_unique_by_reference() {
    for (engine, store) in fresh_stores("clients") {
        let a = client(store.as_ref(), "ACME");
        let e = store
            .insert_client(&NewClient {
                reference: "ACME".into(),
                name: "Other".into(),
                role: ClientRole::Processor,
                privacy_contact: None,
                created_at: ts(),
            })
            .unwrap_err();
        assert!(matches!(e, StoreError::Duplicate { .. }), "{engine}: {e}");
        assert_eq!(
            store.client_by_ref("ACME").unwrap(),
            Some(a.clone()),
            "{engine}"
        );
        assert_eq!(store.client_by_ref("NOPE").unwrap(), None, "{engine}");
        assert_eq!(store.clients().unwrap(), vec![a], "{engine}");
    }
}

#[test]
fn an_import_chunk_round_trips() {
    for (engine, store) in fresh_stores("chunk") {
        let c = client(store.as_ref(), "ACME");
        let mut ids = ChunkIds::default();
        store
            .import(&mut |tx| {
                ids = {
                    let i = import(tx, c.id);
                    tx.write_chunk(&one_case_chunk(c.id, i))?
                };
                Ok(Finish::Commit)
            })
            .unwrap();
        assert_eq!(ids.parties.len(), 2, "{engine}");
        let page = store
            .list_cases(&CaseFilter {
                limit: 10,
                ..CaseFilter::default()
            })
            .unwrap();
        assert_eq!(page.total, 1, "{engine}");
        let s = &page.cases[0];
        assert_eq!(s.status, CaseStatus::Intake, "{engine}");
        assert_eq!(s.principal_cents, 30_000, "{engine}");
        assert_eq!(s.debtor.name, "Jan de Vries", "{engine}");
        let d = store.case_by_number(&s.number).unwrap().unwrap();
        assert_eq!(d.parties.len(), 2, "{engine}");
        assert_eq!(d.parties[0].role, PartyRole::Debtor, "{engine}");
        assert_eq!(d.parties[1].role, PartyRole::CoDebtor, "{engine}");
        assert_eq!(
            d.parties[0].party.birth_date,
            Some(parse_date("1980-02-29").unwrap()),
            "{engine}"
        );
        assert_eq!(
            d.parties[0].party.address.as_ref().unwrap().postcode,
            "1234 AB",
            "{engine}"
        );
        assert_eq!(d.claims.len(), 2, "{engine}");
        assert_eq!(
            d.claims[0].description.as_deref(),
            Some("it's a \"test\"\twith tab"),
            "{engine}: text survives the bulk path byte for byte"
        );
        assert!(kwijting_domain::Betalingskenmerk::parse(&d.payment_reference).is_ok());
        assert!(kwijting_domain::CreditorReference::parse(&d.rf_reference).is_ok());

        // What the next import sees.
        store
            .import(&mut |tx| {
                let debtors = tx.known_debtors(c.id)?;
                assert_eq!(debtors.len(), 2, "{engine}");
                let jan = debtors.iter().find(|d| d.key == key("k1")).unwrap();
                assert_eq!(jan.open_case.map(|(_, t)| t), Some(DebtorType::Consumer));
                let els = debtors.iter().find(|d| d.key == key("k2")).unwrap();
                assert_eq!(
                    tx.find_debtor(c.id, &key("k2"))?.map(|d| d.party),
                    Some(els.party)
                );
                assert!(tx.find_debtor(c.id, &key("k9"))?.is_none());
                assert_eq!(tx.find_claim(c.id, "F-2")?, Some(20_000));
                assert_eq!(tx.find_claim(c.id, "F-9")?, None);
                assert_eq!(
                    els.open_case, None,
                    "{engine}: a co-debtor is not a case's debtor"
                );
                let mut claims = tx.known_claims(c.id)?;
                claims.sort();
                assert_eq!(claims.len(), 2);
                assert_eq!(claims[0].0, "F-1");
                let case = jan.open_case.unwrap().0;
                tx.add_to_case_totals(Ref::Existing(case), 5, parse_date("2025-12-31").unwrap())?;
                // Linking an existing pair again is not an error.
                let i = import(tx, c.id);
                let mut again = ImportChunk::new(c.id, i, parse_date("2026-11-21").unwrap());
                again.case_parties.push(NewCaseParty {
                    case: Ref::Existing(case),
                    party: Ref::Existing(els.party),
                    role: PartyRole::CoDebtor,
                });
                tx.write_chunk(&again)?;
                Ok(Finish::Commit)
            })
            .unwrap();
        let d = store.case_by_number(&s.number).unwrap().unwrap();
        assert_eq!(d.summary.principal_cents, 30_005, "{engine}");
        assert_eq!(d.summary.first_due_on.to_string(), "2025-12-31", "{engine}");
        assert_eq!(d.parties.len(), 2, "{engine}");
    }
}

#[test]
fn a_rolled_back_import_leaves_nothing() {
    for (engine, store) in fresh_stores("rollback") {
        let c = client(store.as_ref(), "ACME");
        let before = store.table_counts().unwrap();
        store
            .import(&mut |tx| {
                {
                    let i = import(tx, c.id);
                    tx.write_chunk(&one_case_chunk(c.id, i))?
                };
                Ok(Finish::Rollback)
            })
            .unwrap();
        assert_eq!(store.table_counts().unwrap(), before, "{engine}");
        // A failing body rolls back too, and the error comes out.
        let r = store.import(&mut |tx| {
            {
                let i = import(tx, c.id);
                tx.write_chunk(&one_case_chunk(c.id, i))?
            };
            {
                let i = import(tx, c.id);
                tx.write_chunk(&one_case_chunk(c.id, i))?
            }; // duplicate invoice numbers
            Ok(Finish::Commit)
        });
        assert!(matches!(r, Err(ImportAbort::Store(_))), "{engine}");
        assert_eq!(store.table_counts().unwrap(), before, "{engine}");
        // A bulk import may drop the IBAN index for its duration: after a
        // rollback and after a commit it is there.
        let iban_indexed = |store: &dyn Store| {
            store
                .leading_index_columns()
                .unwrap()
                .iter()
                .any(|(t, c)| t == "parties" && c == "iban")
        };
        assert!(iban_indexed(store.as_ref()), "{engine}: after rollback");
        store
            .import(&mut |tx| {
                let i = import(tx, c.id);
                tx.write_chunk(&one_case_chunk(c.id, i))?;
                Ok(Finish::Commit)
            })
            .unwrap();
        assert!(iban_indexed(store.as_ref()), "{engine}: after commit");
    }
}

#[test]
fn listing_filters_and_pages() {
    for (engine, store) in fresh_stores("listing") {
        let a = client(store.as_ref(), "A");
        let b = client(store.as_ref(), "B");
        for (c, n) in [(a.id, 3), (b.id, 2)] {
            store
                .import(&mut |tx| {
                    let i = import(tx, c);
                    let mut chunk = ImportChunk::new(c, i, parse_date("2026-11-21").unwrap());
                    for i in 0..n {
                        chunk
                            .parties
                            .push(party(&format!("P{i}"), &format!("{c}-{i}")));
                        chunk.cases.push(NewCase {
                            debtor: Ref::New(i),
                            debtor_type: DebtorType::Consumer,
                            opened_on: parse_date("2026-11-21").unwrap(),
                            principal_cents: 100,
                            first_due_on: parse_date("2026-01-31").unwrap(),
                        });
                        chunk
                            .claims
                            .push(claim(Ref::New(i), &format!("{c}-{i}"), 100));
                    }
                    tx.write_chunk(&chunk)?;
                    Ok(Finish::Commit)
                })
                .unwrap();
        }
        let page = |f: CaseFilter| store.list_cases(&f).unwrap();
        let all = page(CaseFilter {
            limit: 2,
            ..Default::default()
        });
        assert_eq!((all.total, all.cases.len()), (5, 2), "{engine}");
        let only_b = page(CaseFilter {
            client: Some(b.id),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(only_b.total, 2, "{engine}");
        assert!(only_b.cases.iter().all(|c| c.client_ref == "B"));
        let scoped = page(CaseFilter {
            within: Some(vec![a.id]),
            limit: 10,
            offset: 1,
            ..Default::default()
        });
        assert_eq!((scoped.total, scoped.cases.len()), (3, 2), "{engine}");
        let none = page(CaseFilter {
            within: Some(vec![]),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(none.total, 0, "{engine}");
        let active = page(CaseFilter {
            status: Some(CaseStatus::Active),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(active.total, 0, "{engine}");
    }
}

#[test]
fn idempotency_keys_store_the_first_answer() {
    for (engine, store) in fresh_stores("idem") {
        let r = IdempotentResponse {
            request_hash: "h1".into(),
            status: 201,
            body: "{\"claims_added\":1}".into(),
        };
        assert_eq!(store.idempotency_get("k", "s").unwrap(), None, "{engine}");
        assert!(store.idempotency_put("k", "s", &r, ts()).unwrap());
        let other = IdempotentResponse {
            request_hash: "h2".into(),
            ..r.clone()
        };
        assert!(
            !store.idempotency_put("k", "s", &other, ts()).unwrap(),
            "{engine}"
        );
        assert_eq!(
            store.idempotency_get("k", "s").unwrap(),
            Some(r),
            "{engine}"
        );
    }
}

#[test]
fn a_column_added_without_classification_fails_the_catalog_check() {
    for (engine, store) in fresh_stores("catalog_neg") {
        store
            .import(&mut |tx| {
                tx.execute_plain("ALTER TABLE parties ADD COLUMN nickname TEXT")?;
                Ok(Finish::Commit)
            })
            .unwrap();
        let errs = catalog::check(&store.schema_columns().unwrap()).unwrap_err();
        assert_eq!(
            errs,
            vec![catalog::Mismatch::Unclassified {
                table: "parties".into(),
                column: "nickname".into()
            }],
            "{engine}"
        );
    }
}

fn seed_cases(store: &dyn Store, n: usize) -> ClientId {
    let c = client(store, "RUN");
    store
        .import(&mut |tx| {
            let i = import(tx, c.id);
            let mut chunk = ImportChunk::new(c.id, i, parse_date("2026-11-01").unwrap());
            for k in 0..n {
                chunk
                    .parties
                    .push(party(&format!("P{k}"), &format!("r{k}")));
                chunk.cases.push(NewCase {
                    debtor: Ref::New(k),
                    debtor_type: DebtorType::Consumer,
                    opened_on: parse_date("2026-11-01").unwrap(),
                    principal_cents: 1000 + k as i64,
                    first_due_on: parse_date("2026-10-01").unwrap(),
                });
                chunk
                    .claims
                    .push(claim(Ref::New(k), &format!("R-{k}"), 1000 + k as i64));
            }
            tx.write_chunk(&chunk)?;
            Ok(Finish::Commit)
        })
        .unwrap();
    c.id
}

/// A decision for every case whose balance is odd; progress for all.
fn odd_ones(cases: &[RunCase]) -> ChunkWork {
    let mut w = ChunkWork::default();
    for c in cases {
        if c.principal_cents % 2 == 1 && c.holds.is_empty() {
            w.decisions.push(NewDecision {
                case: c.id,
                strategy_id: "s".into(),
                strategy_version: 1,
                rule: "odd".into(),
                action: if c.principal_cents % 4 == 1 {
                    "reminder"
                } else {
                    "propose_legal_action"
                }
                .into(),
                inputs: format!("balance={}", c.principal_cents),
                needs_review: c.principal_cents % 4 == 3,
                work: Some(("letter".into(), ts())),
            });
        }
        w.progress.push(CaseProgress {
            case: c.id,
            strategy: ("s".into(), 1, "champion".into()),
            steps_taken: c.steps_taken + 1,
            last_step: Some("odd".into()),
            last_step_on: Some(parse_date("2026-11-21").unwrap()),
            demand_letter_sent_on: None,
            last_demand_on: None,
            costs_demanded_on: None,
            status: CaseStatus::Active,
        });
    }
    w
}

#[test]
fn the_daily_run_is_chunked_idempotent_and_resumable() {
    let day = parse_date("2026-11-21").unwrap();
    for (engine, store) in fresh_stores("run_day") {
        seed_cases(store.as_ref(), 25);
        let held = store
            .list_cases(&CaseFilter {
                limit: 1,
                ..Default::default()
            })
            .unwrap()
            .cases[0]
            .id;
        store
            .place_hold(
                held,
                "dispute",
                "debtor disputes the invoice",
                day,
                "staff:anna",
            )
            .unwrap();
        assert_eq!(store.plan_run(day, 10).unwrap(), 3, "{engine}");
        assert_eq!(
            store.plan_run(day, 10).unwrap(),
            0,
            "{engine}: planned once"
        );
        // A chunk whose work fails to write (a crash, here a decision for a
        // case that does not exist) leaves nothing and stays to do.
        let failing = |cases: &[RunCase]| {
            let mut w = odd_ones(cases);
            w.decisions.push(NewDecision {
                case: CaseId(999_999),
                ..w.decisions[0].clone()
            });
            w
        };
        assert!(store.run_chunk(day, &failing).is_err(), "{engine}");
        assert_eq!(store.run_totals(day).unwrap().decisions, 0, "{engine}");
        assert_eq!(store.run_totals(day).unwrap().chunks_todo, 3, "{engine}");
        let mut seen = 0;
        while let Some(done) = store.run_chunk(day, &odd_ones).unwrap() {
            seen += done.cases_seen;
        }
        assert_eq!(seen, 25, "{engine}");
        let totals = store.run_totals(day).unwrap();
        assert_eq!((totals.chunks_done, totals.chunks_todo), (3, 0), "{engine}");
        assert_eq!(
            totals.cases_seen, 25,
            "{engine}: counted per chunk, so a resumed day counts whole"
        );
        assert_eq!(
            totals.decisions, 12,
            "{engine}: odd balances 1001..1023 less the held one"
        );
        assert_eq!(totals.review_queue, 6, "{engine}");
        // Running the day again adds nothing.
        assert!(
            store.run_chunk(day, &odd_ones).unwrap().is_none(),
            "{engine}"
        );
        assert_eq!(store.run_totals(day).unwrap(), totals, "{engine}");
        // A pending review pauses the case on the next day.
        let next = parse_date("2026-11-22").unwrap();
        store.plan_run(next, 100).unwrap();
        let paused = std::sync::Mutex::new(0);
        store
            .run_chunk(next, &|cases: &[RunCase]| {
                *paused.lock().unwrap() = cases.iter().filter(|c| c.review_pending).count();
                ChunkWork::default()
            })
            .unwrap();
        assert_eq!(*paused.lock().unwrap(), 6, "{engine}");
        // Review: approve one, reject one; neither can be reviewed twice.
        let queue = store.review_queue(10).unwrap();
        assert_eq!(queue.len(), 6, "{engine}");
        // The queue's total is every waiting decision, not the page.
        use kwijting_store::CaseSearchStore;
        assert_eq!(store.review_queue(2).unwrap().len(), 2, "{engine}");
        assert_eq!(store.review_queue_total().unwrap(), 6, "{engine}");
        assert!(
            store
                .review_decision(queue[0].id, true, "staff:jan", ts(), next, ts())
                .unwrap()
        );
        assert!(
            store
                .review_decision(queue[1].id, false, "staff:jan", ts(), next, ts())
                .unwrap()
        );
        assert!(
            !store
                .review_decision(queue[0].id, false, "staff:jan", ts(), next, ts())
                .unwrap(),
            "{engine}"
        );
        assert_eq!(store.review_queue(10).unwrap().len(), 4, "{engine}");
        assert_eq!(store.review_queue_total().unwrap(), 4, "{engine}");
        // An approved legal step takes the case to legal collection.
        let number = kwijting_domain::CaseNumber::for_case(queue[0].case).unwrap();
        let approved = store.case_by_number(number.as_str()).unwrap().unwrap();
        assert_eq!(approved.summary.status, CaseStatus::Legal, "{engine}");
        let d = store.decisions_for_case(queue[0].case).unwrap();
        assert_eq!(d[0].review_state, "approved", "{engine}");
        assert_eq!(d[0].reviewed_by.as_deref(), Some("staff:jan"), "{engine}");
        assert!(d[0].inputs.starts_with("balance="), "{engine}");
        // Holds.
        let holds = store.holds_for_case(held).unwrap();
        assert_eq!(
            (holds.len(), holds[0].kind.as_str()),
            (1, "dispute"),
            "{engine}"
        );
        assert_eq!(
            store.lift_hold(held, "dispute", next).unwrap(),
            1,
            "{engine}"
        );
        assert_eq!(
            store.holds_for_case(held).unwrap()[0].lifted_on,
            Some(next),
            "{engine}"
        );
    }
}

#[test]
fn strategies_keep_every_version() {
    for (engine, store) in fresh_stores("strategies") {
        assert!(store.add_strategy("consumer", 1, "v1", ts()).unwrap());
        assert!(
            !store.add_strategy("consumer", 1, "changed", ts()).unwrap(),
            "{engine}"
        );
        assert!(store.add_strategy("consumer", 2, "v2", ts()).unwrap());
        assert!(store.add_strategy("business", 1, "b1", ts()).unwrap());
        assert_eq!(
            store.strategies().unwrap(),
            vec![
                ("business".into(), 1, "b1".into()),
                ("consumer".into(), 2, "v2".into())
            ],
            "{engine}"
        );
        assert_eq!(
            store.strategy("consumer", 1).unwrap().as_deref(),
            Some("v1"),
            "{engine}"
        );
        assert_eq!(store.strategy("consumer", 9).unwrap(), None, "{engine}");
    }
}

/// A receipt of `cents` from statement entry `key`, as the service books it.
fn receipt_batch(key: &str, cents: i64) -> LedgerBatch {
    LedgerBatch {
        entries: vec![(
            BankEntry {
                key: key.to_owned(),
                source: "s.xml".into(),
                account: "NL44RABO0123456789".into(),
                booked_on: Some(parse_date("2026-11-20").unwrap()),
                amount_cents: cents,
                counterparty_name: None,
                counterparty_iban: None,
                remittance: Some("no reference".into()),
                structured_ref: None,
                match_state: "unmatched".into(),
                case: None,
                confidence: None,
                reason: Some("no reference".into()),
            },
            EntryLinks::default(),
        )],
        updates: Vec::new(),
        transfers: vec![StoredTransfer {
            key: format!("rcpt:{key}"),
            kind: "receipt".into(),
            source_kind: "statement_entry".into(),
            source_ref: key.to_owned(),
            reverses: None,
            parent: None,
            booked_on: parse_date("2026-11-20").unwrap(),
            postings: vec![
                StoredPosting {
                    account: "bank_trust".into(),
                    amount_cents: cents,
                },
                StoredPosting {
                    account: "suspense".into(),
                    amount_cents: -cents,
                },
            ],
        }],
        assignments: Vec::new(),
        designations: Vec::new(),
        settled: Vec::new(),
    }
}

#[test]
fn a_streamed_ledger_write_is_all_or_nothing() {
    for (engine, store) in fresh_stores("ledger_stream") {
        let before = store.table_counts().unwrap();
        // The caller stops after one batch: nothing of it is kept.
        let mut stopped = vec![
            Ok(receipt_batch("E1", 500)),
            Err(StoreError::Abandoned),
            Ok(receipt_batch("E2", 700)),
        ]
        .into_iter();
        let err = store.book_ledger_stream(&mut stopped).unwrap_err();
        assert!(matches!(err, StoreError::Abandoned), "{engine}: {err}");
        assert_eq!(store.table_counts().unwrap(), before, "{engine}");
        assert!(store.all_ledger_balances().unwrap().is_empty(), "{engine}");
        // Two batches and an update of the first one's entry, committed
        // together; the kept balances add up across batches.
        let mut second = receipt_batch("E2", 700);
        second.updates.push(EntryUpdate {
            key: "E1".into(),
            match_state: "returned".into(),
            case: None,
            reason: Some("returned by E3".into()),
        });
        let mut both = vec![Ok(receipt_batch("E1", 500)), Ok(second)].into_iter();
        store.book_ledger_stream(&mut both).unwrap();
        let balances = store.all_ledger_balances().unwrap();
        assert_eq!(
            balances,
            vec![("bank_trust".into(), 1_200), ("suspense".into(), -1_200)],
            "{engine}"
        );
        let e1 = store.bank_entry("E1").unwrap().unwrap();
        assert_eq!(e1.match_state, "returned", "{engine}");
        assert_eq!(
            store
                .ledger_transfers_for(&[], &["rcpt:E2".into()])
                .unwrap()
                .len(),
            1
        );
    }
}

#[test]
fn a_search_keeps_to_the_actors_clients_and_its_limit() {
    for (engine, store) in fresh_stores("case_search") {
        let one = seed_cases(&*store, 3);
        let other = client(&*store, "OTHER");
        let q = |within: Option<Vec<ClientId>>, name: &str, limit: u32| {
            store
                .search_cases(&CaseSearch {
                    invoice_number: name.into(),
                    name_part: Some(name.into()),
                    within,
                    limit,
                    ..Default::default()
                })
                .unwrap()
        };
        // "p" is in every name (P0, P1, P2), lowered as the service lowers it.
        let all = q(None, "p", 50);
        assert_eq!(all.cases.len(), 3, "{engine}");
        assert!(!all.more);
        assert_eq!(q(Some(vec![one]), "p", 50).cases.len(), 3, "{engine}");
        assert!(
            q(Some(vec![other.id]), "p", 50).cases.is_empty(),
            "{engine}"
        );
        assert!(q(Some(vec![]), "p", 50).cases.is_empty(), "{engine}");
        assert_eq!(
            q(Some(vec![other.id, one]), "p", 50).cases.len(),
            3,
            "{engine}"
        );
        let page = q(None, "p", 2);
        assert_eq!((page.cases.len(), page.more), (2, true), "{engine}");
        // An invoice number is exact; a wildcard typed is a character.
        assert_eq!(q(None, "R-1", 50).cases.len(), 1, "{engine}");
        assert!(q(None, "%", 50).cases.is_empty(), "{engine}");
        assert!(q(None, "R-", 50).cases.is_empty(), "{engine}");
    }
}
