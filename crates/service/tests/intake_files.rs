//! The files clients really send (issue 11, items 9 and 11), through the
//! service on every engine: a Dutch Excel export and the same data as .xlsx
//! import to the same cases as the plain file; CRLF line numbers; empty and
//! binary files; limits of the law engine and the ledger; endless input;
//! one debtor_ref with two names; a client's saved mapping.

use kwijting_domain::{Actor, ActorKind, ClientRole, ClientScope, PurposeId, Role};
use kwijting_service::intake::{ColumnMapping, FileKind, FileOptions, IntakeError, NumberStyle};
use kwijting_service::{ImportReport, Kwijting};
use kwijting_store::testkit::fresh_stores;

mod common;
use common::dutch::{dutch_csv, dutch_xlsx};
use common::{operator, portfolio, service};

fn setup(test: &str, clients: &[&str]) -> Vec<(&'static str, Kwijting)> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = service(store);
            for c in clients {
                svc.add_client(&operator(), c, "Klant B.V.", ClientRole::Controller, None)
                    .unwrap();
            }
            (engine, svc)
        })
        .collect()
}

fn import(
    svc: &Kwijting,
    client: &str,
    source: &str,
    data: &[u8],
    options: &FileOptions,
) -> Result<ImportReport, IntakeError> {
    svc.import_claims_file(&operator(), client, source, data, options, &mut |_| {})
}

fn nl() -> FileOptions {
    FileOptions {
        mapping: ColumnMapping::built_in("nl"),
        ..FileOptions::default()
    }
}

/// Every case of a client as the data it holds (no ids, sources or
/// numbers), sorted: what must be equal whatever file it came from.
fn cases_of(svc: &Kwijting, client: &str) -> Vec<String> {
    let a = operator();
    let page = svc
        .list_cases(
            &a,
            &kwijting_service::cases::CaseQuery {
                client_ref: Some(client.to_owned()),
                limit: 10_000,
                ..Default::default()
            },
        )
        .unwrap();
    let mut out: Vec<String> = page
        .cases
        .iter()
        .map(|c| {
            let f = svc.case_file(&a, &c.number).unwrap();
            let mut parties: Vec<String> = f
                .parties
                .iter()
                .map(|p| {
                    let q = &p.party;
                    format!(
                        "{:?} {} {:?} {:?} {:?} {:?} {:?} {:?}",
                        p.role,
                        q.name,
                        q.birth_date,
                        q.kvk_number,
                        q.email,
                        q.phone,
                        q.iban,
                        q.address.as_ref().map(|a| format!(
                            "{} {} {} {}",
                            a.street, a.postcode, a.city, a.country
                        ))
                    )
                })
                .collect();
            parties.sort();
            let mut claims: Vec<String> = f
                .claims
                .iter()
                .map(|k| {
                    format!(
                        "{} {} {} {} {:?} {:?}",
                        k.invoice_number,
                        k.invoice_date,
                        k.due_date,
                        k.principal_cents,
                        k.description,
                        k.agreement_ref
                    )
                })
                .collect();
            claims.sort();
            format!(
                "{:?} {} | {} | {}",
                c.debtor_type,
                c.principal_cents,
                parties.join("; "),
                claims.join("; ")
            )
        })
        .collect();
    out.sort();
    out
}

/// A synthetic portfolio with two more debtors whose names a Dutch export
/// must keep: diacritics and tussenvoegsels, quotes and the separator.
fn plain_file() -> Vec<u8> {
    let mut text = String::from_utf8(portfolio(120, 5)).unwrap();
    let first = text.lines().next().unwrap().to_owned();
    let header: Vec<&str> = first.split(',').collect();
    let line = |pairs: &[(&str, &str)]| {
        header
            .iter()
            .map(|h| {
                pairs
                    .iter()
                    .find(|(k, _)| k == h)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    text.push_str(&line(&[
        ("debtor_ref", "X1"),
        ("debtor_type", "consumer"),
        ("debtor_name", "Zoë van 't Hof"),
        ("birth_date", "1980-02-29"),
        ("street", "Laan van Nieuw Oost-Indië 12"),
        ("postcode", "2593 BJ"),
        ("city", "'s-Gravenhage"),
        ("invoice_number", "X-1"),
        ("invoice_date", "2026-01-15"),
        ("due_date", "2026-02-14"),
        ("principal", "1234567.89"),
        ("description", "\"Levering; keuken \"\"Smeeïng\"\"\""),
    ]));
    text.push('\n');
    text.push_str(&line(&[
        ("debtor_ref", "X2"),
        ("debtor_type", "business"),
        ("debtor_name", "Bakkerij 't Hoekje B.V."),
        ("kvk_number", "12345678"),
        ("street", "Dorpsstraat 1"),
        ("postcode", "1234 AB"),
        ("city", "Ede"),
        ("invoice_number", "X-2"),
        ("invoice_date", "2026-03-01"),
        ("due_date", "2026-03-31"),
        ("principal", "0.05"),
    ]));
    text.push('\n');
    text.into_bytes()
}

#[test]
fn a_dutch_excel_export_and_the_same_xlsx_import_to_the_same_cases_as_the_plain_file() {
    let plain = plain_file();
    let dutch = dutch_csv(&plain);
    assert!(dutch.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(dutch.clone()).unwrap();
    assert!(text.contains("Zoë van 't Hof") && text.contains("1.234.567,89"));
    assert!(text.contains("\r\n") && text.contains(';'));
    let workbook = dutch_xlsx(&plain);
    for (engine, svc) in setup("files_same", &["PLAIN", "NL", "XLSX"]) {
        let p = import(&svc, "PLAIN", "plain.csv", &plain, &FileOptions::default()).unwrap();
        let d = import(&svc, "NL", "export.csv", &dutch, &nl()).unwrap();
        let x = import(&svc, "XLSX", "export.xlsx", &workbook, &nl()).unwrap();
        assert!(p.claims_added > 120, "{engine}: {p:?}");
        for r in [&d, &x] {
            assert_eq!(
                (r.lines, r.claims_added, r.cases_added, r.parties_added),
                (p.lines, p.claims_added, p.cases_added, p.parties_added),
                "{engine}: {r:?}"
            );
        }
        let pd = p.detected.as_ref().unwrap();
        assert_eq!(pd.kind, Some(FileKind::Csv));
        assert_eq!(
            (pd.separator, pd.number_style, pd.bom, pd.crlf),
            (Some(b','), NumberStyle::Plain, false, false)
        );
        let dd = d.detected.as_ref().unwrap();
        assert_eq!(
            (
                dd.separator,
                dd.number_style,
                dd.bom,
                dd.crlf,
                dd.mapping.as_deref()
            ),
            (Some(b';'), NumberStyle::Dutch, true, true, Some("nl")),
            "{engine}"
        );
        let xd = x.detected.as_ref().unwrap();
        assert_eq!(xd.kind, Some(FileKind::Xlsx));
        assert_eq!(xd.sheet.as_deref(), Some("Debiteuren"));
        // The xlsx's amounts are numbers; its Dutch due dates decide the style.
        assert_eq!(xd.number_style, NumberStyle::Dutch, "{engine}");
        let want = cases_of(&svc, "PLAIN");
        assert!(want.iter().any(|c| c.contains("Zoë van 't Hof")));
        assert_eq!(cases_of(&svc, "NL"), want, "{engine}: the Dutch CSV");
        assert_eq!(cases_of(&svc, "XLSX"), want, "{engine}: the workbook");
        // Each is idempotent as a file.
        let again = import(&svc, "NL", "export.csv", &dutch, &nl()).unwrap();
        assert_eq!(again.claims_added, 0, "{engine}");
        let again = import(&svc, "XLSX", "export.xlsx", &workbook, &nl()).unwrap();
        assert_eq!(again.claims_added, 0, "{engine}");
    }
}

const HEADER: &str = "debtor_ref,debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal";

#[test]
fn crlf_files_have_the_right_line_numbers_in_errors_and_stored_sources() {
    let good = format!(
        "{HEADER}\r\nD1,consumer,Jan de Vries,Kerkstraat 1,1234 AB,Ede,I1,2026-01-01,2026-02-01,10.00\r\n\r\n\"D2\",consumer,\"Piet Jansen\",Kerkstraat 2,1234 AB,Ede,I2,2026-01-01,2026-02-01,20.00\r\nD3,consumer,Kees Bakker,Kerkstraat 3,1234 AB,Ede,I3,2026-01-01,2026-02-01,30.00\r\n"
    );
    // A quoted field over two physical lines (refused: a name has no line
    // break) moves every later line one down.
    let bad = good
        .replace("Piet Jansen", "Piet\r\nJansen")
        .replace("30.00", "30.001");
    for (engine, svc) in setup("files_crlf", &["ACME"]) {
        let e = import(
            &svc,
            "ACME",
            "crlf.csv",
            bad.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap_err();
        let IntakeError::Refused(r) = &e else {
            panic!("{engine}: {e}")
        };
        let at: Vec<(u64, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![(4, "debtor_name"), (6, "principal")],
            "{engine}: {r}"
        );
        assert!(
            e.to_string().contains("crlf.csv:6: field 'principal'"),
            "{e}"
        );
        let report = import(
            &svc,
            "ACME",
            "crlf.csv",
            good.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap();
        assert!(report.detected.as_ref().unwrap().crlf);
        let page = svc
            .list_cases(
                &operator(),
                &kwijting_service::cases::CaseQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap();
        let mut sources: Vec<String> = page
            .cases
            .iter()
            .map(|c| {
                svc.case_file(&operator(), &c.number).unwrap().parties[0]
                    .party
                    .source
                    .clone()
            })
            .collect();
        sources.sort();
        assert_eq!(
            sources,
            vec!["crlf.csv line 2", "crlf.csv line 4", "crlf.csv line 5"],
            "{engine}"
        );
    }
}

#[test]
fn empty_and_binary_files_are_refused_saying_what_they_are() {
    for (engine, svc) in setup("files_kind", &["ACME"]) {
        for (data, says) in [
            (&b""[..], "is empty"),
            (&b"\xef\xbb\xbf\r\n\r\n"[..], "is empty"),
            (
                &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
                "neither CSV text nor an xlsx workbook",
            ),
            (
                &b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"[..],
                "old Excel workbook",
            ),
            (&b"naam;bedrag\n\xe9\xe9n;12,00\n"[..], "not UTF-8 text"),
            (&b"PK\x03\x04garbage"[..], "not a readable xlsx workbook"),
        ] {
            let e = import(&svc, "ACME", "f", data, &FileOptions::default()).unwrap_err();
            assert!(
                matches!(e, IntakeError::NotClaims { .. }) && e.to_string().contains(says),
                "{engine}: {data:?}: {e}"
            );
        }
        let e = import(
            &svc,
            "ACME",
            "h.csv",
            format!("{HEADER}\n").as_bytes(),
            &FileOptions::default(),
        );
        assert_eq!(
            e.unwrap().claims_added,
            0,
            "{engine}: a header alone adds nothing"
        );
    }
}

#[test]
fn amounts_and_dates_past_the_engines_limits_are_refused_naming_line_and_field() {
    let file = |principal: &str, due: &str| {
        format!(
            "{HEADER}\nD1,consumer,Jan de Vries,Kerkstraat 1,1234 AB,Ede,I1,2026-01-01,{due},{principal}\n"
        )
    };
    // The same limits for plain and Dutch style, as the law engine's.
    for (engine, svc) in setup("files_limits", &["ACME"]) {
        for (data, field, says) in [
            (
                file("99999999999999.99", "2026-02-01"),
                "principal",
                "largest principal of one claim",
            ),
            (
                file("10000000000.01", "2026-02-01"),
                "principal",
                "largest principal",
            ),
            (
                file("1", "2200-01-01"),
                "due_date",
                "outside the dates the law engine",
            ),
        ] {
            let e = import(
                &svc,
                "ACME",
                "big.csv",
                data.as_bytes(),
                &FileOptions::default(),
            )
            .unwrap_err();
            assert!(
                e.to_string()
                    .contains(&format!("big.csv:2: field '{field}'"))
                    && e.to_string().contains(says),
                "{engine}: {e}"
            );
        }
        let dutch = "\u{feff}naam;soort;adres;postcode;plaats;factuurnummer;factuurdatum;vervaldatum;bedrag\r\nJan;particulier;Kerkstraat 1;1234 AB;Ede;I1;01-01-2026;01-02-2026;99.999.999.999.999,99\r\n";
        let e = import(&svc, "ACME", "nl.csv", dutch.as_bytes(), &nl()).unwrap_err();
        assert!(
            e.to_string().contains("nl.csv:2: field 'principal'")
                && e.to_string().contains("law engine"),
            "{engine}: {e}"
        );
        // At the limit it comes in.
        let r = import(
            &svc,
            "ACME",
            "max.csv",
            file("10000000000.00", "2026-02-01").as_bytes(),
            &FileOptions::default(),
        );
        assert_eq!(r.unwrap().claims_added, 1, "{engine}");
        // A case whose claims together pass the ledger's limit for one posting.
        let two = format!(
            "{HEADER}\nD9,consumer,Jan de Vries,Kerkstraat 1,1234 AB,Ede,J1,2026-01-01,2026-02-01,6000000000.00\nD9,consumer,Jan de Vries,Kerkstraat 1,1234 AB,Ede,J2,2026-01-01,2026-02-01,6000000000.00\n"
        );
        let e = import(
            &svc,
            "ACME",
            "two.csv",
            two.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("two.csv:3: field 'principal'")
                && e.to_string().contains("the ledger's limit"),
            "{engine}: {e}"
        );
    }
}

#[test]
fn a_style_or_separator_error_names_what_was_detected() {
    for (engine, svc) in setup("files_style", &["ACME"]) {
        // Mostly Dutch amounts; one line in the plain style.
        let data = "naam;soort;adres;postcode;plaats;factuurnummer;factuurdatum;vervaldatum;bedrag\nJan;particulier;Kerkstraat 1;1234 AB;Ede;I1;01-01-2026;01-02-2026;1.234,56\nPiet;particulier;Kerkstraat 2;1234 AB;Ede;I2;01-01-2026;01-02-2026;12,50\nKees;particulier;Kerkstraat 3;1234 AB;Ede;I3;01-01-2026;01-02-2026;1234.56\n";
        let e = import(&svc, "ACME", "s.csv", data.as_bytes(), &nl()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("s.csv:4: field 'principal'") && msg.contains("Dutch, as 1.234,56"),
            "{engine}: {msg}"
        );
        // Dutch dates in a file of plain style.
        let data = format!(
            "{HEADER}\nD1,consumer,Jan,Kerkstraat 1,1234 AB,Ede,I1,01-01-2026,2026-02-01,1.50\n"
        );
        let msg = import(
            &svc,
            "ACME",
            "d.csv",
            data.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("d.csv:2: field 'invoice_date'") && msg.contains("detected as plain"),
            "{engine}: {msg}"
        );
        // A line split by another separator than the header's.
        let data = format!(
            "{HEADER}\nD1;consumer;Jan;Kerkstraat 1;1234 AB;Ede;I1;2026-01-01;2026-02-01;1.50\n"
        );
        let msg = import(
            &svc,
            "ACME",
            "p.csv",
            data.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("p.csv:2: field '(line)'") && msg.contains("separator detected: ','"),
            "{engine}: {msg}"
        );
        // Dutch headers without the mapping: the hint names it.
        let data = "naam;bedrag\nJan;1,00\n";
        let msg = import(
            &svc,
            "ACME",
            "h.csv",
            data.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("--mapping nl") && msg.contains("separator detected: ';'"),
            "{engine}: {msg}"
        );
    }
}

/// Endless input, from a reader that never ends: refused, having read
/// little of it.
struct Endless {
    head: Vec<u8>,
    fill: u8,
    read: u64,
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let at = self.read as usize;
        let n = if at < self.head.len() {
            let n = (self.head.len() - at).min(buf.len());
            buf[..n].copy_from_slice(&self.head[at..at + n]);
            n
        } else {
            buf.fill(self.fill);
            buf.len()
        };
        self.read += n as u64;
        Ok(n)
    }
}

#[test]
fn endless_input_is_refused_not_read_whole() {
    for (engine, svc) in setup("files_endless", &["ACME"]) {
        let cases = [
            // /dev/zero
            (Vec::new(), 0u8, "binary data"),
            // a never-ending header line
            (b"debtor_name,".to_vec(), b'a', "longer than"),
            // a never-ending field after a good line
            (
                format!("{HEADER}\nD1,consumer,Jan,Kerkstraat 1,1234 AB,Ede,I1,2026-01-01,2026-02-01,1.50\nD2,consumer,").into_bytes(),
                b'x',
                "field 'debtor_name': is longer than",
            ),
            // a quoted field that never closes, over endless short lines
            (format!("{HEADER}\nD1,consumer,\"").into_bytes(), b'\n', "longer than"),
            // endless empty lines
            (format!("{HEADER}\n").into_bytes(), b'\n', "is past line 10000000"),
        ];
        for (head, fill, says) in cases {
            let mut input = Endless {
                head,
                fill,
                read: 0,
            };
            let e = svc
                .import_claims_file(
                    &operator(),
                    "ACME",
                    "endless",
                    &mut input,
                    &FileOptions::default(),
                    &mut |_| {},
                )
                .unwrap_err();
            assert!(e.to_string().contains(says), "{engine}: {e}");
            // Bounded: a few MB, or the empty lines up to the line limit.
            assert!(input.read < 12 << 20, "{engine}: read {} bytes", input.read);
        }
        assert_eq!(
            svc.list_cases(&operator(), &Default::default())
                .unwrap()
                .total,
            0
        );
    }
}

#[test]
fn one_debtor_ref_with_two_names_is_listed_and_refused_under_strict() {
    let data = format!(
        "{HEADER}\nD1,consumer,Jan de Vries,Kerkstraat 1,1234 AB,Ede,I1,2026-01-01,2026-02-01,1.00\nD1,consumer,JAN  DE VRIES,Kerkstraat 1,1234 AB,Ede,I2,2026-01-01,2026-02-01,2.00\nD1,consumer,Jan van 't Hof,Kerkstraat 1,1234 AB,Ede,I3,2026-01-01,2026-02-01,3.00\n"
    );
    for (engine, svc) in setup("files_names", &["ACME", "STRICT"]) {
        let strict = FileOptions {
            strict: true,
            ..FileOptions::default()
        };
        let e = import(&svc, "STRICT", "n.csv", data.as_bytes(), &strict).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("n.csv:4: field 'debtor_name'")
                && msg.contains("'Jan van 't Hof' here and 'Jan de Vries' on line 2"),
            "{engine}: {msg}"
        );
        let r = import(
            &svc,
            "ACME",
            "n.csv",
            data.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap();
        assert_eq!(
            (r.claims_added, r.cases_added, r.name_conflict_count),
            (3, 1, 1),
            "{engine}"
        );
        let c = &r.name_conflicts[0];
        assert_eq!(
            (
                c.debtor_ref.as_str(),
                c.first_line,
                c.first_name.as_str(),
                c.line,
                c.name.as_str()
            ),
            ("D1", 2, "Jan de Vries", 4, "Jan van 't Hof"),
            "{engine}"
        );
    }
}

#[test]
fn a_clients_saved_mapping_reads_its_files_without_one() {
    let data = "Klantnr;Soort;Naam;Straat;Postcode;Plaats;Factuur;Datum;Vervalt;Totaal\r\nK1;P;Jan de Vries;Kerkstraat 1;1234 AB;Ede;I1;01-01-2026;01-02-2026;1.000,00\r\n";
    let toml = "[columns]\nklantnr = \"debtor_ref\"\nfactuur = \"invoice_number\"\ndatum = \"invoice_date\"\nvervalt = \"due_date\"\ntotaal = \"principal\"\nnaam = \"debtor_name\"\nstraat = \"street\"\nplaats = \"city\"\nsoort = \"debtor_type\"\n\n[values.debtor_type]\np = \"consumer\"\n";
    for (engine, svc) in setup("files_saved", &["ACME"]) {
        let e = import(
            &svc,
            "ACME",
            "k.csv",
            data.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("'Klantnr': is not a column"),
            "{engine}: {e}"
        );
        let m = ColumnMapping::parse("klant.toml", toml).unwrap();
        svc.save_client_mapping(&operator(), "ACME", &m).unwrap();
        let saved = svc.client_mapping(&operator(), "ACME").unwrap().unwrap();
        assert_eq!(saved.text(), toml);
        let r = import(
            &svc,
            "ACME",
            "k.csv",
            data.as_bytes(),
            &FileOptions::default(),
        )
        .unwrap();
        assert_eq!(r.claims_added, 1, "{engine}");
        assert!(
            r.detected
                .unwrap()
                .mapping
                .unwrap()
                .contains("saved for client ACME")
        );
        let cases = cases_of(&svc, "ACME");
        assert!(
            cases[0].contains("100000") && cases[0].contains("Consumer"),
            "{engine}: {cases:?}"
        );
        // A client user of another client may not save one.
        let other = Actor {
            kind: ActorKind::ClientUser("piet".into()),
            role: Role::new("client_user"),
            scope: ClientScope::Only(vec![kwijting_domain::ClientId(999_999)]),
            purpose: PurposeId::new("receivables_management"),
        };
        assert!(
            svc.save_client_mapping(&other, "ACME", &m).is_err(),
            "{engine}"
        );
    }
}
