use super::*;
use jiff::civil::date;

fn default_policy() -> Policy {
    match Policy::load_default() {
        Ok(p) => p,
        Err(e) => panic!("the default policy must load:\n{e}"),
    }
}

fn ids<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    it.collect()
}

#[test]
fn default_policy_has_every_purpose_of_the_mission() {
    let p = default_policy();
    assert_eq!(p.source_name(), "policy/default.toml");
    assert_eq!(
        ids(p.purposes().map(|x| x.id.as_str())),
        [
            "collection",
            "receivables_management",
            "client_relations",
            "creditworthiness",
            "aml",
            "analytics",
            "marketing",
            "accounting",
            "accountability",
            "legal_claims",
        ],
        "purpose ids and file order"
    );
}

#[test]
fn default_policy_has_the_agreed_ids() {
    let p = default_policy();
    let mut data = ids(p.data_categories().map(|x| x.id.as_str()));
    data.sort_unstable();
    assert_eq!(
        data,
        [
            "aml_screening",
            "bank_account",
            "business_contact",
            "business_identity",
            "case_history",
            "contact",
            "criminal",
            "debt",
            "financial_situation",
            "health",
            "identity",
            "marketing_preferences",
            "payment",
            "pseudonymous_key",
            "staff_identity",
        ]
    );
    let mut subjects = ids(p.subject_categories().map(|x| x.id.as_str()));
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        [
            "authority_contact",
            "client_contact",
            "co_debtor",
            "debtor",
            "form_respondent",
            "guarantor",
            "newsletter_subscriber",
            "obligor",
            "partner_contact",
            "prospect_contact",
            "representative",
            "staff",
            "supplier_contact",
        ]
    );
    for id in [
        "case_closed_60m",
        "relationship_ended_60m",
        "aml_5y",
        "last_contact_36m",
        "fiscal_7y",
        "legal_hold",
    ] {
        assert!(p.retention_rule(id).is_some(), "retention rule {id}");
    }
    let mut recipients = ids(p.recipients().map(|x| x.id.as_str()));
    recipients.sort_unstable();
    assert_eq!(
        recipients,
        [
            "accountants",
            "address_provider",
            "affiliated_companies",
            "authorities",
            "bailiffs",
            "banks_psps",
            "client",
            "courts",
            "credit_bureau",
            "foreign_collection_agencies",
            "it_suppliers",
            "legal_advisors",
            "postal_printing",
            "process_servers",
        ]
    );
    assert_eq!(
        ids(p.roles().map(|x| x.id.as_str())),
        [
            "collector",
            "team_lead",
            "legal",
            "finance",
            "compliance_officer",
            "administrator",
            "client_user",
            "debtor",
            "system",
        ]
    );
}

#[test]
fn default_purposes_say_what_the_mission_says() {
    use LegalBasis::*;
    let p = default_policy();
    let purpose = |id: &str| match p.purpose(id) {
        Some(x) => x,
        None => panic!("purpose {id}"),
    };

    let collection = purpose("collection");
    assert_eq!(collection.controller_role, ControllerRole::Controller);
    assert_eq!(
        collection.legal_bases,
        [
            Contract,
            LegalObligation,
            PublicInterest,
            LegitimateInterest
        ]
    );
    assert!(collection.automated_decisions, "R9");
    assert!(collection.automated_decisions_description_nl.is_some());
    for r in [
        "address_provider",
        "foreign_collection_agencies",
        "credit_bureau",
    ] {
        assert!(collection.may_disclose_to(r), "R5, R6, R8: {r}");
    }

    let rm = purpose("receivables_management");
    assert_eq!(rm.controller_role, ControllerRole::Processor, "R1");
    assert!(rm.controller_notice_nl.is_some());

    let legal = purpose("legal_claims");
    for b in [SpecialExplicitConsent, SpecialLegalClaims, CriminalData] {
        assert!(legal.has_basis(b), "R10: {b}");
    }
    assert!(legal.processes("health") && legal.processes("criminal"));
    assert!(
        p.retention_for("legal_claims")
            .is_some_and(RetentionRule::is_legal_hold)
    );

    assert!(purpose("analytics").pseudonymised_only, "R41");
    assert_eq!(purpose("accounting").retention, "fiscal_7y");
    assert_eq!(purpose("aml").retention, "aml_5y");
    assert_eq!(
        purpose("client_relations").retention,
        "relationship_ended_60m"
    );
    assert_eq!(
        purpose("creditworthiness").retention,
        "relationship_ended_60m"
    );
    let marketing = p.retention_for("marketing");
    assert!(
        marketing.is_some_and(|r| r.erases_at_once_on(EraseEvent::NewsletterUnsubscribe)),
        "R20, R35"
    );

    // Only these purposes use special categories, and only through 9/10.
    for purpose in p.purposes() {
        for c in &purpose.data_categories {
            if p.data_category(c).is_some_and(|d| d.special) {
                assert!(
                    ["legal_claims", "aml"].contains(&purpose.id.as_str()),
                    "{}",
                    purpose.id
                );
            }
        }
    }
}

#[test]
fn default_special_categories_are_read_by_legal_and_compliance_only() {
    let p = default_policy();
    let special: Vec<&str> = p
        .data_categories()
        .filter(|c| c.special)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(special, ["health", "criminal"]);
    for role in p.roles() {
        let reads_special = role
            .data_categories
            .iter()
            .any(|c| special.contains(&c.as_str()));
        assert_eq!(
            reads_special,
            ["legal", "compliance_officer"].contains(&role.id.as_str()),
            "role {}",
            role.id
        );
    }
    assert_eq!(
        p.role("client_user").and_then(|r| r.scoped),
        Some(Scope::Client)
    );
    assert_eq!(
        p.role("debtor").and_then(|r| r.scoped),
        Some(Scope::OwnData)
    );
    assert_eq!(p.role("collector").and_then(|r| r.scoped), None);

    assert!(p.may_read("legal", "legal_claims", "health"));
    assert!(
        !p.may_read("legal", "collection", "health"),
        "collection processes no health data"
    );
    assert!(
        !p.may_read("collector", "legal_claims", "debt"),
        "collector does not act for legal_claims"
    );
    assert!(!p.may_read("collector", "collection", "health"));
    assert!(!p.may_read("administrator", "collection", "identity"));
    assert!(!p.may_read("nobody", "collection", "identity"));
    assert!(p.may_disclose("collection", "bailiffs"));
    assert!(!p.may_disclose("marketing", "bailiffs"));
}

#[test]
fn default_policy_has_no_dead_entries() {
    let p = default_policy();
    for c in p.data_categories() {
        assert!(
            p.purposes().any(|x| x.processes(&c.id)),
            "data category {} unused",
            c.id
        );
    }
    for s in p.subject_categories() {
        assert!(
            p.purposes().any(|x| x.concerns(&s.id)),
            "subject category {} unused",
            s.id
        );
    }
    for r in p.recipients() {
        assert!(
            p.purposes().any(|x| x.may_disclose_to(&r.id)),
            "recipient {} unused",
            r.id
        );
    }
    for s in p.sources() {
        assert!(
            p.purposes().any(|x| x.sources.contains(&s.id)),
            "source {} unused",
            s.id
        );
    }
    for r in p.retention_rules() {
        assert!(
            p.purposes().any(|x| x.retention == r.id),
            "retention rule {} unused",
            r.id
        );
    }
}

#[test]
fn default_policy_covers_every_requirement() {
    let p = default_policy();
    let mut covered: Vec<&str> = Vec::new();
    covered.extend(
        p.purposes()
            .flat_map(|x| x.requirements.iter().map(String::as_str)),
    );
    covered.extend(
        p.retention_rules()
            .flat_map(|x| x.requirements.iter().map(String::as_str)),
    );
    covered.extend(
        p.rights()
            .flat_map(|x| x.requirements.iter().map(String::as_str)),
    );
    covered.extend(
        p.sources()
            .flat_map(|x| x.requirements.iter().map(String::as_str)),
    );
    covered.extend(
        p.security_measures()
            .flat_map(|x| x.requirements.iter().map(String::as_str)),
    );
    // Covered by the structure of the file rather than by one entry:
    // R23 the recipients table, R24 transfer safeguards (validated), R25
    // confidentiality_duty and `may_disclose`, R40 the register is rendered
    // from the whole policy, R42 statement.version/effective_date/change_notice.
    covered.extend(["R23", "R24", "R25", "R40", "R42"]);
    for n in 1..=42 {
        let r = format!("R{n}");
        assert!(
            covered.contains(&r.as_str()),
            "{r} is not covered by the policy"
        );
    }
}

#[test]
fn default_statement_controller_and_authority() {
    let p = default_policy();
    assert_eq!(p.statement().effective_date, date(2025, 1, 1));
    assert_eq!(p.statement().change_notice, ChangeNotice::Email);
    assert_eq!(p.controller().name, "Kwijting Incasso B.V.");
    assert!(p.controller().email.starts_with("privacy@"));
    let ap = p.supervisory_authority();
    assert_eq!(ap.name, "Autoriteit Persoonsgegevens");
    assert_eq!(ap.postal_address, "Postbus 93374");
    assert_eq!(ap.postcode, "2509 AJ");
    for right in [
        "access",
        "rectification",
        "erasure",
        "objection",
        "portability",
        "human_review",
        "complaint",
    ] {
        assert!(p.right(right).is_some(), "right {right}");
    }
}

#[test]
fn default_retention_rules_compute_the_mission_dates() {
    let p = default_policy();
    let expires = |rule: &str, trigger| p.retention_rule(rule).and_then(|r| r.expires_on(trigger));
    // R17: 60 months after the case is closed.
    assert_eq!(
        expires("case_closed_60m", date(2024, 5, 31)),
        Some(date(2029, 5, 31))
    );
    // R19: five years.
    assert_eq!(
        expires("aml_5y", date(2024, 5, 31)),
        Some(date(2029, 5, 31))
    );
    // R20: 36 months after the last contact.
    assert_eq!(
        expires("last_contact_36m", date(2024, 5, 31)),
        Some(date(2027, 5, 31))
    );
    // R21: seven years after the end of the calendar year in which the
    // financial year ended: kept through 2031-12-31.
    assert_eq!(
        expires("fiscal_7y", date(2024, 3, 31)),
        Some(date(2032, 1, 1))
    );
    // R22: no fixed end.
    assert_eq!(expires("legal_hold", date(2024, 5, 31)), None);
}

// ---------------------------------------------------------------------------
// Refusals. A minimal valid policy, edited one key at a time.
// ---------------------------------------------------------------------------

const MINIMAL: &str = r#"
[statement]
version = "1"
effective_date = 2025-01-01
change_notice = "email"
title_nl = "t"
title_en = "t"
introduction_nl = "i"
introduction_en = "i"
anonymous_data_nl = "a"
anonymous_data_en = "a"
changes_nl = "c"
changes_en = "c"

[controller]
name = "Test B.V."
street = "Straat 1"
postcode = "1234 AB"
city = "Plaats"
country = "NL"
email = "privacy@test.example"
phone = "010 000 0000"
website = "https://test.example"
kvk_number = "12345678"

[supervisory_authority]
name = "Autoriteit Persoonsgegevens"
website = "https://autoriteitpersoonsgegevens.nl"
postal_address = "Postbus 93374"
postcode = "2509 AJ"
city = "Den Haag"
country = "NL"
phone = "088 1805 250"

[purposes.marketing]
name_nl = "Marketing"
name_en = "Marketing"
description_nl = "d"
description_en = "d"
controller_role = "controller"
legal_bases = ["6.1.f"]
legitimate_interest_nl = "li"
legitimate_interest_en = "li"
data_subject_categories = ["prospect_contact"]
data_categories = ["identity"]
retention = "last_contact_36m"
recipient_categories = ["it_suppliers"]
automated_decisions = false

[data_categories.identity]
name_nl = "Identiteit"
name_en = "Identity"
direct_identifier = true

[data_categories.health]
name_nl = "Gezondheid"
name_en = "Health"
special = true

[subject_categories.prospect_contact]
name_nl = "Prospects"
name_en = "Prospects"

[retention.last_contact_36m]
trigger = "last_contact"
period_months = 36
description_nl = "d"
description_en = "d"

[recipients.it_suppliers]
name_nl = "IT"
name_en = "IT"
kind = "processor"

[roles.marketeer]
name_nl = "Marketeer"
name_en = "Marketeer"
purposes = ["marketing"]
data_categories = ["identity"]
"#;

const FILE: &str = "policy/test.toml";

/// `MINIMAL` with each `(from, to)` replaced; `from` must occur.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = MINIMAL.to_owned();
    for (from, to) in edits {
        assert!(
            text.contains(from),
            "the test edit '{from}' matches nothing"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

fn accepted(edits: &[(&str, &str)]) {
    if let Err(e) = Policy::from_toml_str(&edited(edits), FILE) {
        panic!("expected the policy to load, got:\n{e}");
    }
}

/// The policy is refused and one line of the error is exactly `expected`
/// (or starts with it, for long messages).
fn refused(edits: &[(&str, &str)], expected: &str) {
    match Policy::from_toml_str(&edited(edits), FILE) {
        Ok(_) => panic!("expected a refusal with '{expected}'"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.lines().any(|l| l.starts_with(expected)),
                "expected a line starting with\n  {expected}\ngot\n  {text}"
            );
        }
    }
}

#[test]
fn the_minimal_policy_loads() {
    accepted(&[]);
    let p = Policy::from_toml_str(MINIMAL, FILE);
    assert!(p.is_ok_and(|p| p.purpose("marketing").is_some() && p.source_name() == FILE));
}

#[test]
fn refuses_unknown_references() {
    refused(
        &[(
            r#"retention = "last_contact_36m""#,
            r#"retention = "forever""#,
        )],
        "policy/test.toml: purposes.marketing.retention: unknown retention rule 'forever'",
    );
    refused(
        &[(
            r#"data_categories = ["identity"]"#,
            r#"data_categories = ["identity", "shoe_size"]"#,
        )],
        "policy/test.toml: purposes.marketing.data_categories: unknown data category 'shoe_size'",
    );
    refused(
        &[(
            r#"data_subject_categories = ["prospect_contact"]"#,
            r#"data_subject_categories = ["alien"]"#,
        )],
        "policy/test.toml: purposes.marketing.data_subject_categories: unknown data subject category 'alien'",
    );
    refused(
        &[(
            r#"recipient_categories = ["it_suppliers"]"#,
            r#"recipient_categories = ["press"]"#,
        )],
        "policy/test.toml: purposes.marketing.recipient_categories: unknown recipient category 'press'",
    );
    refused(
        &[(
            r#"purposes = ["marketing"]"#,
            r#"purposes = ["marketing", "espionage"]"#,
        )],
        "policy/test.toml: roles.marketeer.purposes: unknown purpose 'espionage'",
    );
    refused(
        &[(
            r#"data_categories = ["identity"]
"#,
            r#"data_categories = ["identity", "identity"]
"#,
        )],
        "policy/test.toml: purposes.marketing.data_categories: 'identity' is listed twice",
    );
}

#[test]
fn sources_are_optional_and_checked() {
    // MINIMAL has no sources at all, and loads (the_minimal_policy_loads).
    refused(
        &[(
            "retention = \"last_contact_36m\"",
            "sources = [\"website\"]\nretention = \"last_contact_36m\"",
        )],
        "policy/test.toml: purposes.marketing.sources: unknown source 'website'",
    );
    let with_source = [
        (
            "retention = \"last_contact_36m\"",
            "sources = [\"website\"]\nretention = \"last_contact_36m\"",
        ),
        (
            "[roles.marketeer]",
            "[sources.website]\nname_nl = \"Website\"\nname_en = \"Website\"\n\n[roles.marketeer]",
        ),
    ];
    accepted(&with_source);
    refused(
        &[
            with_source[0],
            (
                "[roles.marketeer]",
                "[sources.website]\nname_nl = \" \"\nname_en = \"Website\"\n\n[roles.marketeer]",
            ),
        ],
        "policy/test.toml: sources.website.name_nl: must not be empty",
    );
}

#[test]
fn a_bare_policy_renders_what_it_lacks() {
    // MINIMAL: one controller purpose, no processor purpose, no sources, no
    // automated decisions, no special categories, no transfers.
    let Ok(p) = Policy::from_toml_str(MINIMAL, FILE) else {
        panic!("MINIMAL loads");
    };
    let en = render::statement(&p, render::Language::En);
    for needle in [
        "## Our role\n",
        "- the source is not in this statement; ask us at privacy@test.example",
        "We take no decisions about you that are made by a computer alone.",
        "We process no special categories of data",
        "We transfer no personal data to countries outside the European Economic Area (EEA).",
    ] {
        assert!(en.contains(needle), "{needle:?} in\n{en}");
    }
    assert!(!en.contains("two roles"));
    let nl = render::statement(&p, render::Language::Nl);
    assert!(nl.contains("## Onze rol\n"));
    assert!(nl.contains("Wij geven geen persoonsgegevens door naar landen buiten"));
    let md = render::register_markdown(&p, &render::CatalogView::default());
    assert!(md.contains("(`identity`): no stored fields in the catalog"));
    assert!(md.contains("none; every recipient is inside the EEA"));
}

#[test]
fn refuses_a_purpose_without_legal_basis() {
    refused(
        &[
            (r#"legal_bases = ["6.1.f"]"#, "legal_bases = []"),
            (r#"legitimate_interest_nl = "li""#, ""),
            (r#"legitimate_interest_en = "li""#, ""),
        ],
        "policy/test.toml: purposes.marketing.legal_bases: a purpose needs at least one legal basis",
    );
}

#[test]
fn legitimate_interest_needs_its_text_and_only_then() {
    refused(
        &[(r#"legitimate_interest_nl = "li""#, "")],
        "policy/test.toml: purposes.marketing.legitimate_interest_nl: legal basis 6.1.f needs the legitimate interest stated",
    );
    refused(
        &[(
            r#"legitimate_interest_en = "li""#,
            r#"legitimate_interest_en = " ""#,
        )],
        "policy/test.toml: purposes.marketing.legitimate_interest_en: must not be empty",
    );
    refused(
        &[(r#"legal_bases = ["6.1.f"]"#, r#"legal_bases = ["6.1.a"]"#)],
        "policy/test.toml: purposes.marketing.legitimate_interest_nl: a legitimate interest is stated but 6.1.f is not a legal basis",
    );
}

#[test]
fn special_categories_need_an_art_9_or_10_basis() {
    let with_health = (
        r#"data_categories = ["identity"]
retention"#,
        r#"data_categories = ["identity", "health"]
retention"#,
    );
    refused(
        &[with_health],
        "policy/test.toml: purposes.marketing.data_categories: 'health' is a special category (GDPR art. 9/10) and needs a 9.2.x or 10 legal basis",
    );
    accepted(&[
        with_health,
        (
            r#"legal_bases = ["6.1.f"]"#,
            r#"legal_bases = ["6.1.f", "9.2.f"]"#,
        ),
    ]);
    refused(
        &[(
            r#"legal_bases = ["6.1.f"]"#,
            r#"legal_bases = ["6.1.f", "10"]"#,
        )],
        "policy/test.toml: purposes.marketing.legal_bases: '10' applies to special categories only, and the purpose processes none",
    );
}

#[test]
fn pseudonymised_purposes_refuse_identifying_data() {
    refused(
        &[(
            r#"controller_role = "controller""#,
            "controller_role = \"controller\"\npseudonymised_only = true",
        )],
        "policy/test.toml: purposes.marketing.data_categories: 'identity' identifies a person, and the purpose is pseudonymised only (R41)",
    );
}

#[test]
fn automated_decisions_must_be_described() {
    refused(
        &[("automated_decisions = false", "automated_decisions = true")],
        "policy/test.toml: purposes.marketing.automated_decisions_description_nl: automated decisions must be described",
    );
    accepted(&[(
        "automated_decisions = false",
        "automated_decisions = true\nautomated_decisions_description_nl = \"x\"\nautomated_decisions_description_en = \"x\"",
    )]);
    refused(
        &[(
            "automated_decisions = false",
            "automated_decisions = false\nautomated_decisions_description_nl = \"x\"",
        )],
        "policy/test.toml: purposes.marketing.automated_decisions_description_nl: described, but automated_decisions is false",
    );
}

#[test]
fn a_processor_purpose_names_the_controller() {
    refused(
        &[(
            r#"controller_role = "controller""#,
            r#"controller_role = "processor""#,
        )],
        "policy/test.toml: purposes.marketing.controller_notice_nl: a processor purpose must tell the data subject who the controller is",
    );
}

#[test]
fn transfers_outside_the_eea_need_a_safeguard() {
    let kind = r#"kind = "processor""#;
    refused(
        &[(kind, "kind = \"processor\"\ncountry = \"US\"")],
        "policy/test.toml: recipients.it_suppliers.transfer_safeguard: country 'US' may be outside the EEA: a transfer needs a safeguard (R24)",
    );
    refused(
        &[(kind, "kind = \"processor\"\ncountry = \"varies\"")],
        "policy/test.toml: recipients.it_suppliers.transfer_safeguard: country 'varies' may be outside the EEA",
    );
    accepted(&[(
        kind,
        "kind = \"processor\"\ncountry = \"US\"\ntransfer_safeguard = \"standard_contractual_clauses\"",
    )]);
    accepted(&[(
        kind,
        "kind = \"processor\"\ncountry = \"GB\"\ntransfer_safeguard = \"adequacy\"",
    )]);
    accepted(&[(kind, "kind = \"processor\"\ncountry = \"DE\"")]);
    accepted(&[(kind, "kind = \"processor\"\ncountry = \"EEA\"")]);
    refused(
        &[(
            kind,
            "kind = \"processor\"\ncountry = \"BE\"\ntransfer_safeguard = \"adequacy\"",
        )],
        "policy/test.toml: recipients.it_suppliers.transfer_safeguard: country 'BE' is inside the EEA",
    );
}

#[test]
fn retention_rules_are_either_periods_or_holds() {
    refused(
        &[("period_months = 36\n", "")],
        "policy/test.toml: retention.last_contact_36m.period_months: a rule without a period is a legal hold",
    );
    refused(
        &[(
            "period_months = 36\n",
            "period_months = 36\noverrides_other_rules = true\n",
        )],
        "policy/test.toml: retention.last_contact_36m.period_months: a legal hold (overrides_other_rules) has no fixed period",
    );
    refused(
        &[("period_months = 36\n", "period_months = 1201\n")],
        "policy/test.toml: retention.last_contact_36m.period_months: 1201 months is more than the limit of 1200",
    );
    accepted(&[("period_months = 36\n", "overrides_other_rules = true\n")]);
}

#[test]
fn roles_read_only_what_their_purposes_process() {
    refused(
        &[(
            "purposes = [\"marketing\"]\ndata_categories = [\"identity\"]",
            "purposes = [\"marketing\"]\ndata_categories = [\"identity\", \"health\"]",
        )],
        "policy/test.toml: roles.marketeer.data_categories: 'health' is processed by none of the role's purposes (need-to-know, R27)",
    );
}

#[test]
fn refuses_bad_ids_texts_and_contacts() {
    refused(
        &[("[roles.marketeer]", "[roles.Marketeer]")],
        "policy/test.toml: roles.Marketeer: 'Marketeer' is not an id",
    );
    refused(
        &[(r#"name_nl = "Marketing""#, r#"name_nl = """#)],
        "policy/test.toml: purposes.marketing.name_nl: must not be empty",
    );
    refused(
        &[(r#"email = "privacy@test.example""#, r#"email = "privacy""#)],
        "policy/test.toml: controller.email: 'privacy' is not an e-mail address",
    );
    refused(
        &[(
            r#"controller_role = "controller""#,
            "controller_role = \"controller\"\nrequirements = [\"X1\"]",
        )],
        "policy/test.toml: purposes.marketing.requirements: 'X1' is not a requirement id",
    );
}

#[test]
fn reports_every_problem_at_once() {
    let text = edited(&[
        (
            r#"retention = "last_contact_36m""#,
            r#"retention = "forever""#,
        ),
        (r#"email = "privacy@test.example""#, r#"email = "x""#),
    ]);
    match Policy::from_toml_str(&text, FILE) {
        Err(e @ PolicyError::Invalid(_)) => {
            assert_eq!(e.problems().len(), 2, "{e}");
            assert_eq!(e.to_string().lines().count(), 2);
        }
        other => panic!("expected two problems, got {other:?}"),
    }
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let check = |edits: &[(&str, &str)], expected_line: usize, needle: &str| {
        let text = edited(edits);
        match Policy::from_toml_str(&text, FILE) {
            Err(e @ PolicyError::Parse { .. }) => {
                let msg = e.to_string();
                let prefix = format!("policy/test.toml: line {expected_line}, column ");
                assert!(msg.starts_with(&prefix), "{msg}");
                assert!(msg.contains(needle), "{msg}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    };
    let line_of = |needle: &str| {
        MINIMAL
            .lines()
            .position(|l| l.contains(needle))
            .map_or(0, |i| i + 1)
    };
    // An unknown key is refused (it is usually a typo).
    check(
        &[(
            "automated_decisions = false",
            "automated_decisions = false\nretension = 1",
        )],
        line_of("automated_decisions = false") + 1,
        "retension",
    );
    // An unknown legal basis.
    check(
        &[(r#"legal_bases = ["6.1.f"]"#, r#"legal_bases = ["6.1.g"]"#)],
        line_of("legal_bases"),
        "6.1.g",
    );
    // Not TOML at all.
    check(
        &[("[roles.marketeer]", "[roles.marketeer")],
        line_of("[roles.marketeer]"),
        "",
    );
    // A date with a time.
    check(
        &[(
            "effective_date = 2025-01-01",
            "effective_date = 2025-01-01T10:00:00",
        )],
        line_of("effective_date"),
        "is not a date",
    );
    // A country that is no country.
    check(
        &[(r#"country = "NL""#, r#"country = "Nederland""#)],
        line_of(r#"country = "NL""#),
        "'Nederland' is not a country",
    );
    // A section missing entirely.
    let text = MINIMAL.replace("[supervisory_authority]", "[other]");
    match Policy::from_toml_str(&text, FILE) {
        Err(e @ PolicyError::Parse { .. }) => {
            assert!(e.to_string().starts_with("policy/test.toml: "), "{e}")
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}
