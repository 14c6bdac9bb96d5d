//! The register of processing (R40) and the privacy statement (R42) are
//! rendered from the policy: golden snapshots of both, the statement's
//! coverage of the mission's requirements, and proof that a change in the
//! policy shows up in both, so they cannot drift apart.
//!
//! Snapshots live in `tests/snapshots/`; after an intended change,
//! regenerate them with `UPDATE_SNAPSHOTS=1 cargo test -p kwijting-policy`
//! and review the diff.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kwijting_policy::render::{
    CatalogColumn, CatalogTable, CatalogView, Language, register_json, register_markdown, statement,
};
use kwijting_policy::{ControllerRole, DEFAULT_POLICY_TOML, Policy};

fn default_policy() -> Policy {
    match Policy::load_default() {
        Ok(p) => p,
        Err(e) => panic!("the default policy must load:\n{e}"),
    }
}

fn load(text: &str) -> Policy {
    match Policy::from_toml_str(text, "policy/edited.toml") {
        Ok(p) => p,
        Err(e) => panic!("the edited policy must load:\n{e}"),
    }
}

/// A fixed slice of the store's catalog (the policy crate does not depend
/// on the store; the CLI builds the real view).
fn catalog() -> CatalogView {
    const CASE: &[&str] = &["collection", "receivables_management"];
    let col = |name: &str, category: Option<&str>, purposes: &[&str]| CatalogColumn {
        name: name.to_owned(),
        category: category.map(str::to_owned),
        purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
    };
    let table = |name: &str, link: &str, columns: Vec<CatalogColumn>| CatalogTable {
        name: name.to_owned(),
        subject_link: link.to_owned(),
        columns,
    };
    CatalogView {
        tables: vec![
            table(
                "clients",
                "no personal data",
                vec![col("id", None, &[]), col("name", None, &[])],
            ),
            table(
                "parties",
                "the row is the party (person or organisation) itself",
                vec![
                    col("id", None, &[]),
                    col("debtor_key", Some("pseudonymous_key"), CASE),
                    col("name", Some("identity"), CASE),
                    col("birth_date", Some("identity"), CASE),
                    col("email", Some("contact"), CASE),
                    col("iban", Some("bank_account"), CASE),
                ],
            ),
            table(
                "cases",
                "every party of the case in column `id`",
                vec![
                    col("id", None, &[]),
                    col("status", Some("case_history"), CASE),
                    col("balance_cents", Some("debt"), CASE),
                ],
            ),
            table(
                "imports",
                "the staff member or job named in column `actor`",
                vec![
                    col("id", None, &[]),
                    col("actor", Some("staff_identity"), &["accountability"]),
                ],
            ),
        ],
    }
}

// ---------------------------------------------------------------------------
// Golden snapshots.
// ---------------------------------------------------------------------------

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

/// Compares `actual` with the snapshot file, or writes it when
/// `UPDATE_SNAPSHOTS` is set.
fn check_snapshot(name: &str, actual: &str) {
    let path = snapshot_path(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        if let Err(e) = std::fs::write(&path, actual) {
            panic!("writing {}: {e}", path.display());
        }
        return;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => panic!(
            "reading {}: {e}\n(run with UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        ),
    };
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the snapshot from line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             If the change is intended, run UPDATE_SNAPSHOTS=1 cargo test -p kwijting-policy \
             and review the diff.",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn register_markdown_snapshot() {
    check_snapshot(
        "register.md",
        &register_markdown(&default_policy(), &catalog()),
    );
}

#[test]
fn register_json_snapshot() {
    let value = register_json(&default_policy(), &catalog());
    let text = match serde_json::to_string_pretty(&value) {
        Ok(s) => s + "\n",
        Err(e) => panic!("{e}"),
    };
    check_snapshot("register.json", &text);
    // The JSON is complete enough to read back what the policy says.
    let activities = value["processing_activities"].as_array().map(Vec::len);
    assert_eq!(activities, Some(default_policy().purposes().count()));
    assert_eq!(value["processing_activities"][0]["id"], "collection");
    let stored = &value["processing_activities"][0]["data_categories"][0]["stored_fields"];
    assert_eq!(
        stored,
        &serde_json::json!(["parties.name", "parties.birth_date"])
    );
}

#[test]
fn statement_snapshots() {
    let p = default_policy();
    check_snapshot("statement.nl.md", &statement(&p, Language::Nl));
    check_snapshot("statement.en.md", &statement(&p, Language::En));
}

#[test]
fn rendering_is_deterministic() {
    let (p, c) = (default_policy(), catalog());
    assert_eq!(register_markdown(&p, &c), register_markdown(&p, &c));
    assert_eq!(register_json(&p, &c), register_json(&p, &c));
    for lang in Language::ALL {
        assert_eq!(statement(&p, lang), statement(&p, lang));
    }
}

// ---------------------------------------------------------------------------
// What the register must hold (art. 30(1)).
// ---------------------------------------------------------------------------

#[test]
fn register_holds_every_art_30_item() {
    let p = default_policy();
    let md = register_markdown(&p, &catalog());
    for needle in [
        "## Controller (art. 30(1)(a))",
        "privacy@kwijting.example",
        "- Purpose (art. 30(1)(b))",
        "- Categories of data subjects (art. 30(1)(c))",
        "- Categories of personal data (art. 30(1)(c))",
        "- Recipients (art. 30(1)(d), (e))",
        "- Transfers outside the EEA (art. 30(1)(e))",
        "- Retention (art. 30(1)(f))",
        "## Technical and organisational security measures (art. 30(1)(g))",
        "## Roles and need-to-know (R27)",
        "version 2025.1, effective 2025-01-01",
        "GDPR art. 6(1)(b): necessary for the performance of a contract",
        "GDPR art. 9(2)(f): necessary to establish, exercise or defend a legal claim",
        "`parties.name`, `parties.birth_date`",
        "Role: processor (art. 30(2))",
        "binding corporate rules (GDPR art. 47)",
        "`case_closed_60m`: 60 months from case_closed.",
        "84 months from the end of the calendar year of fiscal_year_end, statutory",
        "legal hold until legal_claim_resolved",
        "erased at once on newsletter_unsubscribe, marketing_objection",
        "Automated decisions (art. 22): yes.",
        "Tables without personal data: `clients`.",
    ] {
        assert!(md.contains(needle), "the register lacks {needle:?}");
    }
    for purpose in p.purposes() {
        assert!(
            md.contains(&format!("(`{}`)", purpose.id)),
            "purpose {}",
            purpose.id
        );
        if let Some(li) = &purpose.legitimate_interest_en {
            assert!(
                md.contains(&oneline(li)),
                "legitimate interest of {}",
                purpose.id
            );
        }
    }
    for r in p.recipients() {
        assert!(md.contains(&format!("(`{}`)", r.id)), "recipient {}", r.id);
    }
    for m in p.security_measures() {
        assert!(md.contains(&oneline(&m.description_en)), "measure {}", m.id);
    }
    for role in p.roles() {
        assert!(md.contains(&format!("(`{}`)", role.id)), "role {}", role.id);
    }
}

#[test]
fn register_flags_catalog_ids_the_policy_does_not_know() {
    let mut c = catalog();
    c.tables[1].columns.push(CatalogColumn {
        name: "shoe_size".to_owned(),
        category: Some("physique".to_owned()),
        purposes: vec!["collection".to_owned(), "fashion".to_owned()],
    });
    let p = default_policy();
    let unknown = c.unknown_to(&p);
    assert_eq!(
        unknown,
        [
            "parties.shoe_size: data category 'physique' is not in the policy",
            "parties.shoe_size: purpose 'fashion' is not in the policy",
        ]
    );
    let md = register_markdown(&p, &c);
    assert!(md.contains("| `shoe_size` | physique (not in the policy) |"));
    assert_eq!(
        register_json(&p, &c)["catalog_unknown_ids"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert!(catalog().unknown_to(&p).is_empty());
}

// ---------------------------------------------------------------------------
// What the statement must say.
// ---------------------------------------------------------------------------

fn oneline(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pick<'a>(lang: Language, nl: &'a str, en: &'a str) -> &'a str {
    match lang {
        Language::Nl => nl,
        Language::En => en,
    }
}

/// Asserts that `text` is in the statement and returns `requirements` as
/// covered by it.
fn says<'r>(
    statement: &str,
    lang: Language,
    text: &str,
    requirements: impl IntoIterator<Item = &'r str>,
    covered: &mut BTreeSet<String>,
) {
    let text = oneline(text);
    assert!(
        statement.contains(&text),
        "the {} statement lacks {text:?}",
        lang.code()
    );
    covered.extend(requirements.into_iter().map(str::to_owned));
}

fn reqs(list: &[String]) -> impl Iterator<Item = &str> {
    list.iter().map(String::as_str)
}

/// Every requirement the statement should mention is shown by text from the
/// policy that appears in it. All 42 are: each is either a promise to the
/// data subject or (R40) the register the statement is made from.
#[test]
fn statement_covers_the_mission_in_both_languages() {
    let p = default_policy();
    for lang in Language::ALL {
        let s = statement(&p, lang);
        let mut covered = BTreeSet::new();
        let c = &mut covered;
        for purpose in p.purposes() {
            says(
                &s,
                lang,
                pick(lang, &purpose.name_nl, &purpose.name_en),
                [],
                c,
            );
            says(
                &s,
                lang,
                pick(lang, &purpose.description_nl, &purpose.description_en),
                reqs(&purpose.requirements),
                c,
            );
            if let (Some(nl), Some(en)) =
                (&purpose.controller_notice_nl, &purpose.controller_notice_en)
            {
                says(&s, lang, pick(lang, nl, en), ["R1"], c);
            }
            if let (Some(nl), Some(en)) = (
                &purpose.legitimate_interest_nl,
                &purpose.legitimate_interest_en,
            ) {
                says(&s, lang, pick(lang, nl, en), ["R3"], c);
            }
            if let (Some(nl), Some(en)) = (
                &purpose.automated_decisions_description_nl,
                &purpose.automated_decisions_description_en,
            ) {
                says(&s, lang, pick(lang, nl, en), ["R9"], c);
            }
            if let Some(rule) = p.retention_rule(&purpose.retention) {
                says(
                    &s,
                    lang,
                    pick(lang, &rule.description_nl, &rule.description_en),
                    reqs(&rule.requirements),
                    c,
                );
            }
            if purpose.controller_role == ControllerRole::Controller {
                for id in &purpose.data_subject_categories {
                    if let Some(x) = p.subject_category(id) {
                        says(&s, lang, pick(lang, &x.name_nl, &x.name_en), ["R2"], c);
                    }
                }
                for id in &purpose.data_categories {
                    if let Some(x) = p.data_category(id) {
                        let r = if x.special { "R10" } else { "R7" };
                        says(&s, lang, pick(lang, &x.name_nl, &x.name_en), [r], c);
                    }
                }
                for id in &purpose.sources {
                    if let Some(x) = p.source(id) {
                        says(
                            &s,
                            lang,
                            pick(lang, &x.name_nl, &x.name_en),
                            reqs(&x.requirements),
                            c,
                        );
                    }
                }
            }
        }
        for r in p.recipients() {
            says(&s, lang, pick(lang, &r.name_nl, &r.name_en), ["R23"], c);
        }
        for r in p.rights() {
            says(&s, lang, pick(lang, &r.name_nl, &r.name_en), [], c);
            says(
                &s,
                lang,
                pick(lang, &r.description_nl, &r.description_en),
                reqs(&r.requirements),
                c,
            );
        }
        for m in p.security_measures() {
            says(
                &s,
                lang,
                pick(lang, &m.description_nl, &m.description_en),
                reqs(&m.requirements),
                c,
            );
        }
        // Fixed wording around the facts.
        says(
            &s,
            lang,
            pick(lang, "sub f AVG", "GDPR art. 6(1)(f)"),
            ["R34"],
            c,
        );
        says(
            &s,
            lang,
            pick(lang, "artikel 9 lid 2 sub f AVG", "GDPR art. 9(2)(f)"),
            ["R10"],
            c,
        );
        says(
            &s,
            lang,
            pick(
                lang,
                "alleen als er eerst passende waarborgen zijn",
                "only do this once appropriate safeguards",
            ),
            ["R24"],
            c,
        );
        says(
            &s,
            lang,
            pick(
                lang,
                "modelcontractbepalingen van de Europese Commissie (artikel 46 lid 2 sub c AVG)",
                "standard contractual clauses (GDPR art. 46(2)(c))",
            ),
            ["R24"],
            c,
        );
        says(
            &s,
            lang,
            pick(
                lang,
                "heeft een wettelijke of beroepsplicht tot geheimhouding",
                "has a legal or professional duty of confidentiality",
            ),
            ["R25"],
            c,
        );
        says(
            &s,
            lang,
            pick(
                lang,
                "alleen aan een ander als dat nodig is voor het doel",
                "only when the purpose needs it",
            ),
            ["R25"],
            c,
        );
        let ap = p.supervisory_authority();
        says(&s, lang, &ap.name, ["R38"], c);
        says(&s, lang, &ap.postal_address, ["R38"], c);
        says(
            &s,
            lang,
            &format!("{} {}", ap.postcode, ap.city),
            ["R38"],
            c,
        );
        says(&s, lang, &p.controller().email, ["R38"], c);
        says(&s, lang, &p.controller().phone, ["R38"], c);
        says(
            &s,
            lang,
            pick(lang, "artikel 22 AVG", "GDPR art. 22"),
            ["R39"],
            c,
        );
        let st = p.statement();
        says(
            &s,
            lang,
            pick(lang, &st.anonymous_data_nl, &st.anonymous_data_en),
            ["R41"],
            c,
        );
        says(
            &s,
            lang,
            pick(lang, "(artikel 30 AVG)", "(GDPR art. 30)"),
            ["R40"],
            c,
        );
        says(
            &s,
            lang,
            pick(lang, &st.changes_nl, &st.changes_en),
            ["R42"],
            c,
        );
        says(
            &s,
            lang,
            pick(
                lang,
                "versie 2025.1, geldig vanaf 1 januari 2025",
                "version 2025.1, effective 1 January 2025",
            ),
            ["R42"],
            c,
        );
        says(&s, lang, "e-mail", ["R42"], c);

        let missing: Vec<String> = (1..=42)
            .map(|n| format!("R{n}"))
            .filter(|r| !covered.contains(r))
            .collect();
        assert!(
            missing.is_empty(),
            "the {} statement does not show {missing:?}",
            lang.code()
        );
    }
}

#[test]
fn statement_follows_the_seed_structure() {
    let p = default_policy();
    for (lang, headings) in [
        (
            Language::Nl,
            [
                "# Privacyverklaring",
                "## Wie wij zijn",
                "## Onze twee rollen",
                "### Wij werken in opdracht: Debiteurenbeheer in opdracht",
                "### Wij zijn zelf verantwoordelijk",
                "## Van wie wij gegevens verwerken",
                "## Welke gegevens wij verwerken",
                "## Waarom wij uw gegevens gebruiken, en op welke grondslag",
                "## Geautomatiseerde beslissingen",
                "## Bijzondere persoonsgegevens",
                "## Waar uw gegevens vandaan komen",
                "## Met wie wij gegevens delen",
                "### Doorgifte buiten de Europese Economische Ruimte",
                "## Hoe lang wij uw gegevens bewaren",
                "## Hoe wij uw gegevens beveiligen",
                "## Uw rechten",
                "### Een klacht indienen",
                "## Wijzigingen",
            ],
        ),
        (
            Language::En,
            [
                "# Privacy statement",
                "## Who we are",
                "## Our two roles",
                "### We work for a client: Receivables management on behalf of clients",
                "### We are responsible ourselves",
                "## Whose data we process",
                "## Which data we process",
                "## Why we use your data, and on which legal basis",
                "## Automated decisions",
                "## Special categories of data",
                "## Where your data comes from",
                "## Who we share data with",
                "### Transfers outside the European Economic Area",
                "## How long we keep your data",
                "## How we protect your data",
                "## Your rights",
                "### Making a complaint",
                "## Changes",
            ],
        ),
    ] {
        let s = statement(&p, lang);
        let found: Vec<&str> = s.lines().filter(|l| l.starts_with('#')).collect();
        let mut at = 0;
        for h in headings {
            match found.iter().skip(at).position(|l| *l == h) {
                Some(i) => at += i + 1,
                None => panic!(
                    "{}: heading {h:?} missing or out of order in {found:?}",
                    lang.code()
                ),
            }
        }
        // The processor purpose is not explained as the agency's own.
        let why = s
            .split("\n## ")
            .find(|x| x.starts_with(pick(lang, "Waarom", "Why")));
        let rm = p
            .purpose("receivables_management")
            .map(|x| pick(lang, &x.name_nl, &x.name_en).to_owned());
        assert!(
            why.zip(rm)
                .is_some_and(|(why, rm)| !why.contains(&format!("### {rm}"))),
            "{}",
            lang.code()
        );
    }
}

// ---------------------------------------------------------------------------
// One source: a change in the policy shows up in the register and in both
// statements.
// ---------------------------------------------------------------------------

/// The default policy with each `(from, to)` replaced once; `from` must
/// occur.
fn edited(edits: &[(&str, &str)]) -> Policy {
    let mut text = DEFAULT_POLICY_TOML.to_owned();
    for (from, to) in edits {
        assert!(
            text.contains(from),
            "the test edit {from:?} matches nothing"
        );
        text = text.replacen(from, to, 1);
    }
    load(&text)
}

#[test]
fn a_new_recipient_shows_up_everywhere() {
    let p = edited(&[
        (
            r#"recipient_categories = ["client", "postal_printing""#,
            r#"recipient_categories = ["debt_counsellors", "client", "postal_printing""#,
        ),
        (
            "[recipients.client]",
            r#"[recipients.debt_counsellors]
name_nl = "Schuldhulpverleners"
name_en = "Debt counsellors"
kind = "independent_controller"
country = "CH"
transfer_safeguard = "adequacy"

[recipients.client]"#,
        ),
    ]);
    let md = register_markdown(&p, &catalog());
    assert!(
        md.contains(
            "| Debt counsellors (`debt_counsellors`) | independent_controller | CH | an adequacy \
             decision of the European Commission (GDPR art. 45) | no |"
        ),
        "{md}"
    );
    assert!(md.contains("  - Debt counsellors (country: CH): an adequacy decision"));
    let json = register_json(&p, &catalog());
    assert_eq!(
        json["processing_activities"][0]["recipients"][0]["id"],
        "debt_counsellors"
    );
    assert_eq!(
        json["processing_activities"][0]["recipients"][0]["inside_eea"],
        false
    );
    let nl = statement(&p, Language::Nl);
    assert!(nl.contains(
        "- Schuldhulpverleners: bepaalt zelf wat er met de gegevens gebeurt (voor: Incasso)"
    ));
    assert!(nl.contains("- Schuldhulpverleners: land CH; waarborg: een adequaatheidsbesluit"));
    let en = statement(&p, Language::En);
    assert!(en.contains(
        "- Debt counsellors: decides for itself what it does with the data (for: Debt collection)"
    ));
    assert!(en.contains("- Debt counsellors: country CH; safeguard: an adequacy decision"));
    // And the default policy says none of it.
    let d = default_policy();
    assert!(!register_markdown(&d, &catalog()).contains("Debt counsellors"));
    assert!(!statement(&d, Language::En).contains("Debt counsellors"));
}

/// The default policy text with collection's automated decisions switched
/// off (the flag and both descriptions).
fn without_automation(text: &str) -> String {
    let (Some(start), Some(end)) = (
        text.find("automated_decisions = true"),
        text.find("\n[purposes.receivables_management]"),
    ) else {
        panic!("the default policy no longer has collection's automated decisions");
    };
    format!(
        "{}automated_decisions = false\n{}",
        &text[..start],
        &text[end..]
    )
}

#[test]
fn a_changed_retention_period_and_automation_show_up_everywhere() {
    let text = without_automation(DEFAULT_POLICY_TOML).replacen(
        "trigger = \"case_closed\"\nperiod_months = 60\ndescription_nl = \"Tot 60 maanden",
        "trigger = \"case_closed\"\nperiod_months = 24\ndescription_nl = \"Tot 24 maanden",
        1,
    );
    let p = load(&text);
    assert_eq!(
        p.retention_rule("case_closed_60m")
            .and_then(|r| r.period_months),
        Some(24)
    );
    let md = register_markdown(&p, &catalog());
    assert!(md.contains("`case_closed_60m`: 24 months from case_closed. Until 60"));
    assert!(!md.contains("Automated decisions (art. 22): yes"));
    let json = register_json(&p, &catalog());
    assert_eq!(
        json["processing_activities"][0]["retention"]["period_months"],
        24
    );
    assert_eq!(
        json["processing_activities"][0]["automated_decisions"]["present"],
        false
    );
    let nl = statement(&p, Language::Nl);
    assert!(nl.contains("- **Incasso**: Tot 24 maanden na afsluiting"));
    assert!(nl.contains("Wij nemen geen beslissingen over u die alleen door een computer"));
    let en = statement(&p, Language::En);
    assert!(en.contains("We take no decisions about you that are made by a computer alone."));
    let d = default_policy();
    assert!(!statement(&d, Language::En).contains("made by a computer alone"));
}

#[test]
fn without_transfers_the_statement_says_so() {
    // Affiliated companies and foreign agencies are the only recipients
    // that may be outside the EEA; move them inside.
    let p = edited(&[
        (
            "country = \"varies\"\ntransfer_safeguard = \"binding_corporate_rules\"",
            "country = \"EEA\"",
        ),
        (
            "country = \"varies\"\ntransfer_safeguard = \"standard_contractual_clauses\"",
            "country = \"NL\"",
        ),
    ]);
    let md = register_markdown(&p, &catalog());
    assert!(!md.contains("- Transfers outside the EEA (art. 30(1)(e)):\n"));
    assert!(md.contains("none; every recipient is inside the EEA"));
    assert!(statement(&p, Language::Nl).contains(
        "Wij geven geen persoonsgegevens door naar landen buiten de Europese Economische Ruimte (EER)."
    ));
    assert!(statement(&p, Language::En).contains(
        "We transfer no personal data to countries outside the European Economic Area (EEA)."
    ));
    assert!(!statement(&default_policy(), Language::En).contains("We transfer no personal data"));
}
