//! The rules a parsed policy must keep before it is accepted. Each rule adds a
//! problem naming the key path; all problems are reported together.

use std::collections::BTreeSet;

use crate::error::Problem;
use crate::model::{ControllerRole, IdMap, Keyed, LegalBasis, PolicyFile, TransferSafeguard};
use crate::retention::{CountFrom, PERIOD_MONTHS_MAX};

struct Check<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Check<'_> {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_owned(),
            path: path.into(),
            message: message.into(),
        });
    }

    fn text(&mut self, path: String, value: &str) {
        if value.trim().is_empty() {
            self.fail(path, "must not be empty");
        }
    }

    fn id(&mut self, path: String, id: &str) {
        let ok = id.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            self.fail(
                path,
                format!("'{id}' is not an id: use lower-case letters, digits and '_', starting with a letter"),
            );
        }
    }

    fn requirements(&mut self, path: String, requirements: &[String]) {
        for r in requirements {
            let ok =
                r.len() > 1 && r.starts_with('R') && r.bytes().skip(1).all(|b| b.is_ascii_digit());
            if !ok {
                self.fail(
                    path.clone(),
                    format!("'{r}' is not a requirement id (R1, R2, ...)"),
                );
            }
        }
        self.no_duplicates(path, requirements.iter().map(String::as_str));
    }

    fn no_duplicates<'s>(&mut self, path: String, items: impl Iterator<Item = &'s str>) {
        let mut seen = BTreeSet::new();
        for item in items {
            if !seen.insert(item) {
                self.fail(path.clone(), format!("'{item}' is listed twice"));
            }
        }
    }

    /// Every id in `ids` must exist in `table`.
    fn references<T: Keyed>(&mut self, path: String, ids: &[String], table: &IdMap<T>, what: &str) {
        for id in ids {
            if !table.contains(id) {
                self.fail(path.clone(), format!("unknown {what} '{id}'"));
            }
        }
        self.no_duplicates(path, ids.iter().map(String::as_str));
    }

    fn keys<T: Keyed>(&mut self, table_name: &str, table: &IdMap<T>) {
        for entry in &table.0 {
            self.id(format!("{table_name}.{}", entry.id()), entry.id());
        }
    }
}

pub(crate) fn validate(file: &str, p: &PolicyFile) -> Vec<Problem> {
    let mut c = Check {
        file,
        problems: Vec::new(),
    };
    statement_and_parties(&mut c, p);
    c.keys("purposes", &p.purposes);
    c.keys("data_categories", &p.data_categories);
    c.keys("subject_categories", &p.subject_categories);
    c.keys("sources", &p.sources);
    c.keys("retention", &p.retention);
    c.keys("recipients", &p.recipients);
    c.keys("roles", &p.roles);
    c.keys("rights", &p.rights);
    c.keys("security_measures", &p.security_measures);
    purposes(&mut c, p);
    categories(&mut c, p);
    retention(&mut c, p);
    recipients(&mut c, p);
    roles(&mut c, p);
    texts(&mut c, p);
    c.problems
}

fn statement_and_parties(c: &mut Check, p: &PolicyFile) {
    let s = &p.statement;
    for (key, value) in [
        ("version", &s.version),
        ("title_nl", &s.title_nl),
        ("title_en", &s.title_en),
        ("introduction_nl", &s.introduction_nl),
        ("introduction_en", &s.introduction_en),
        ("anonymous_data_nl", &s.anonymous_data_nl),
        ("anonymous_data_en", &s.anonymous_data_en),
        ("changes_nl", &s.changes_nl),
        ("changes_en", &s.changes_en),
    ] {
        c.text(format!("statement.{key}"), value);
    }
    let k = &p.controller;
    for (key, value) in [
        ("name", &k.name),
        ("street", &k.street),
        ("postcode", &k.postcode),
        ("city", &k.city),
        ("phone", &k.phone),
        ("website", &k.website),
    ] {
        c.text(format!("controller.{key}"), value);
    }
    if !is_email(&k.email) {
        c.fail(
            "controller.email",
            format!("'{}' is not an e-mail address", k.email),
        );
    }
    if !(k.kvk_number.len() == 8 && k.kvk_number.bytes().all(|b| b.is_ascii_digit())) {
        c.fail(
            "controller.kvk_number",
            format!("'{}' is not a KvK number (eight digits)", k.kvk_number),
        );
    }
    let a = &p.supervisory_authority;
    for (key, value) in [
        ("name", &a.name),
        ("website", &a.website),
        ("postal_address", &a.postal_address),
        ("postcode", &a.postcode),
        ("city", &a.city),
        ("phone", &a.phone),
    ] {
        c.text(format!("supervisory_authority.{key}"), value);
    }
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn purposes(c: &mut Check, p: &PolicyFile) {
    if p.purposes.0.is_empty() {
        c.fail("purposes", "the policy has no purposes");
    }
    for purpose in &p.purposes.0 {
        let at = |key: &str| format!("purposes.{}.{key}", purpose.id);
        c.requirements(at("requirements"), &purpose.requirements);
        c.text(at("name_nl"), &purpose.name_nl);
        c.text(at("name_en"), &purpose.name_en);
        c.text(at("description_nl"), &purpose.description_nl);
        c.text(at("description_en"), &purpose.description_en);

        // Legal bases (R3, R10).
        if purpose.legal_bases.is_empty() {
            c.fail(
                at("legal_bases"),
                "a purpose needs at least one legal basis",
            );
        }
        c.no_duplicates(
            at("legal_bases"),
            purpose.legal_bases.iter().map(|b| b.as_str()),
        );
        let li = purpose.has_basis(LegalBasis::LegitimateInterest);
        for (key, text) in [
            ("legitimate_interest_nl", &purpose.legitimate_interest_nl),
            ("legitimate_interest_en", &purpose.legitimate_interest_en),
        ] {
            match (li, text) {
                (true, None) => c.fail(
                    at(key),
                    "legal basis 6.1.f needs the legitimate interest stated",
                ),
                (false, Some(_)) => c.fail(
                    at(key),
                    "a legitimate interest is stated but 6.1.f is not a legal basis",
                ),
                (_, Some(t)) => c.text(at(key), t),
                (false, None) => {}
            }
        }

        // Categories.
        if purpose.data_subject_categories.is_empty() {
            c.fail(
                at("data_subject_categories"),
                "a purpose concerns at least one category of data subjects",
            );
        }
        c.references(
            at("data_subject_categories"),
            &purpose.data_subject_categories,
            &p.subject_categories,
            "data subject category",
        );
        if purpose.data_categories.is_empty() {
            c.fail(
                at("data_categories"),
                "a purpose processes at least one data category",
            );
        }
        c.references(
            at("data_categories"),
            &purpose.data_categories,
            &p.data_categories,
            "data category",
        );

        // Special categories need an art. 9 or 10 basis, and such a basis
        // needs a special category to apply to.
        let special_basis = purpose
            .legal_bases
            .iter()
            .any(|b| b.is_art9() || b.is_art10());
        let mut has_special = false;
        for id in &purpose.data_categories {
            let Some(category) = p.data_categories.get(id) else {
                continue;
            };
            if category.special {
                has_special = true;
                if !special_basis {
                    c.fail(
                        at("data_categories"),
                        format!("'{id}' is a special category (GDPR art. 9/10) and needs a 9.2.x or 10 legal basis"),
                    );
                }
            }
            if purpose.pseudonymised_only && (category.special || category.direct_identifier) {
                c.fail(
                    at("data_categories"),
                    format!(
                        "'{id}' identifies a person, and the purpose is pseudonymised only (R41)"
                    ),
                );
            }
        }
        if !has_special {
            for basis in purpose
                .legal_bases
                .iter()
                .filter(|b| b.is_art9() || b.is_art10())
            {
                c.fail(
                    at("legal_bases"),
                    format!("'{basis}' applies to special categories only, and the purpose processes none"),
                );
            }
        }

        c.references(at("sources"), &purpose.sources, &p.sources, "source");

        if !p.retention.contains(&purpose.retention) {
            c.fail(
                at("retention"),
                format!("unknown retention rule '{}'", purpose.retention),
            );
        }
        c.references(
            at("recipient_categories"),
            &purpose.recipient_categories,
            &p.recipients,
            "recipient category",
        );

        // Automated decisions (R9, R39).
        for (key, text) in [
            (
                "automated_decisions_description_nl",
                &purpose.automated_decisions_description_nl,
            ),
            (
                "automated_decisions_description_en",
                &purpose.automated_decisions_description_en,
            ),
        ] {
            match (purpose.automated_decisions, text) {
                (true, None) => c.fail(
                    at(key),
                    "automated decisions must be described to the data subject",
                ),
                (false, Some(_)) => c.fail(at(key), "described, but automated_decisions is false"),
                (_, Some(t)) => c.text(at(key), t),
                (false, None) => {}
            }
        }

        // Processor purposes point the data subject to the controller (R1).
        let processor = purpose.controller_role == ControllerRole::Processor;
        for (key, text) in [
            ("controller_notice_nl", &purpose.controller_notice_nl),
            ("controller_notice_en", &purpose.controller_notice_en),
        ] {
            match (processor, text) {
                (true, None) => c.fail(
                    at(key),
                    "a processor purpose must tell the data subject who the controller is",
                ),
                (false, Some(_)) => {
                    c.fail(at(key), "only a processor purpose has a controller notice")
                }
                (_, Some(t)) => c.text(at(key), t),
                (false, None) => {}
            }
        }
    }
}

fn categories(c: &mut Check, p: &PolicyFile) {
    for d in &p.data_categories.0 {
        c.text(format!("data_categories.{}.name_nl", d.id), &d.name_nl);
        c.text(format!("data_categories.{}.name_en", d.id), &d.name_en);
    }
    for s in &p.subject_categories.0 {
        c.text(format!("subject_categories.{}.name_nl", s.id), &s.name_nl);
        c.text(format!("subject_categories.{}.name_en", s.id), &s.name_en);
    }
    for s in &p.sources.0 {
        c.requirements(format!("sources.{}.requirements", s.id), &s.requirements);
        c.text(format!("sources.{}.name_nl", s.id), &s.name_nl);
        c.text(format!("sources.{}.name_en", s.id), &s.name_en);
    }
}

fn retention(c: &mut Check, p: &PolicyFile) {
    for r in &p.retention.0 {
        let at = |key: &str| format!("retention.{}.{key}", r.id);
        c.requirements(at("requirements"), &r.requirements);
        c.text(at("description_nl"), &r.description_nl);
        c.text(at("description_en"), &r.description_en);
        match (r.period_months, r.overrides_other_rules) {
            (None, false) => c.fail(
                at("period_months"),
                "a rule without a period is a legal hold: set overrides_other_rules = true",
            ),
            (Some(_), true) => c.fail(
                at("period_months"),
                "a legal hold (overrides_other_rules) has no fixed period",
            ),
            (Some(m), false) if m > PERIOD_MONTHS_MAX => c.fail(
                at("period_months"),
                format!("{m} months is more than the limit of {PERIOD_MONTHS_MAX}"),
            ),
            _ => {}
        }
        if r.period_months.is_none() && r.count_from != CountFrom::TriggerDate {
            c.fail(at("count_from"), "count_from needs a period");
        }
        if r.overrides_other_rules && !r.erase_at_once_on.is_empty() {
            c.fail(
                at("erase_at_once_on"),
                "a legal hold is never erased at once",
            );
        }
        let mut seen = Vec::new();
        for e in &r.erase_at_once_on {
            if seen.contains(e) {
                c.fail(at("erase_at_once_on"), format!("{e:?} is listed twice"));
            }
            seen.push(*e);
        }
    }
}

fn recipients(c: &mut Check, p: &PolicyFile) {
    for r in &p.recipients.0 {
        let at = |key: &str| format!("recipients.{}.{key}", r.id);
        c.text(at("name_nl"), &r.name_nl);
        c.text(at("name_en"), &r.name_en);
        // R24: no transfer outside the EEA without a safeguard.
        let inside = r.country.is_inside_eea();
        match (inside, r.transfer_safeguard) {
            (false, TransferSafeguard::None) => c.fail(
                at("transfer_safeguard"),
                format!(
                    "country '{}' may be outside the EEA: a transfer needs a safeguard (R24)",
                    r.country.as_str()
                ),
            ),
            (true, s) if s != TransferSafeguard::None => c.fail(
                at("transfer_safeguard"),
                format!(
                    "country '{}' is inside the EEA: there is no transfer to safeguard (use \"none\")",
                    r.country.as_str()
                ),
            ),
            _ => {}
        }
    }
}

fn roles(c: &mut Check, p: &PolicyFile) {
    for role in &p.roles.0 {
        let at = |key: &str| format!("roles.{}.{key}", role.id);
        c.text(at("name_nl"), &role.name_nl);
        c.text(at("name_en"), &role.name_en);
        c.references(at("purposes"), &role.purposes, &p.purposes, "purpose");
        c.references(
            at("data_categories"),
            &role.data_categories,
            &p.data_categories,
            "data category",
        );
        // Need-to-know (R27): a role reads a category only for a purpose of
        // its own that processes it.
        for category in &role.data_categories {
            if !p.data_categories.contains(category) {
                continue;
            }
            let needed = role
                .purposes
                .iter()
                .filter_map(|id| p.purposes.get(id))
                .any(|purpose| purpose.processes(category));
            if !needed {
                c.fail(
                    at("data_categories"),
                    format!("'{category}' is processed by none of the role's purposes (need-to-know, R27)"),
                );
            }
        }
    }
}

fn texts(c: &mut Check, p: &PolicyFile) {
    for r in &p.rights.0 {
        let at = |key: &str| format!("rights.{}.{key}", r.id);
        c.requirements(at("requirements"), &r.requirements);
        c.text(at("article"), &r.article);
        c.text(at("name_nl"), &r.name_nl);
        c.text(at("name_en"), &r.name_en);
        c.text(at("description_nl"), &r.description_nl);
        c.text(at("description_en"), &r.description_en);
    }
    for m in &p.security_measures.0 {
        let at = |key: &str| format!("security_measures.{}.{key}", m.id);
        c.requirements(at("requirements"), &m.requirements);
        c.text(at("description_nl"), &m.description_nl);
        c.text(at("description_en"), &m.description_en);
    }
}
