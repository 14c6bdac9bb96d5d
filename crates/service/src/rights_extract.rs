//! The access extract (GDPR art. 15, R31) and the portability export (art.
//! 20, R36), generically over the personal-data catalog: every table whose
//! rows lead to the subject is read through its subject link, so a table
//! added to the catalog is in the extract without code here.
//!
//! Several people on one case stay apart: a table about a case's parties
//! gives each party the debt data, but the columns that describe one
//! person (identity, contact, bank account, financial situation) only to
//! the case's debtor, whom they are about.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kwijting_domain::{Actor, CaseId, ClientRole, PartyId};
use kwijting_policy::Policy;
use kwijting_store::catalog::{self, Class};
use kwijting_store::rights::{SubjectExtract, Value};
use kwijting_strategy::Language;
use serde_json::{Map, Value as Json, json};

use crate::{Access, Kwijting, ServiceError};

/// Categories that describe one person: on a table shared by a case's
/// parties they belong to the case's debtor only.
const ONE_PERSON: &[&str] = &["identity", "contact", "bank_account", "financial_situation"];

/// Categories a person provides or that come from the contract (art. 20):
/// not what the agency derived (scores, decisions, keys).
const PROVIDED: &[&str] = &[
    "identity",
    "contact",
    "business_identity",
    "bank_account",
    "debt",
    "payment",
];

/// Columns that hold an answer already given (an earlier extract): shown
/// as a reference, not copied again, so extracts do not nest.
const ANSWERS: &[(&str, &str)] = &[("rights_requests", "outcome")];

fn column_class(table: &str, column: &str) -> Option<(&'static str, &'static [&'static str])> {
    catalog::table(table)?
        .columns
        .iter()
        .find(|c| c.name == column)
        .and_then(|c| match c.class {
            Class::Personal { category, purposes } => Some((category, purposes)),
            Class::NotPersonal => None,
        })
}

fn json_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        Value::Text(t) => json!(t),
    }
}

fn text(lang: Language, nl: &str, en: &str) -> String {
    match lang {
        Language::Nl => nl.to_owned(),
        _ => en.to_owned(),
    }
}

/// The subject's rows, with the columns the subject may see, as JSON
/// tables; `keep` filters columns by category. Returns the tables and the
/// (category, purposes) pairs shown.
fn data_tables(
    x: &SubjectExtract,
    processor: bool,
    keep: &dyn Fn(&str) -> bool,
) -> (Vec<Json>, BTreeMap<&'static str, BTreeSet<&'static str>>) {
    let debtor_of: BTreeSet<CaseId> = x
        .cases
        .iter()
        .filter(|c| c.role == "debtor")
        .map(|c| c.case)
        .collect();
    let excluded_purpose = if processor {
        "collection"
    } else {
        "receivables_management"
    };
    let mut used: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    let mut tables = Vec::new();
    for t in &x.tables {
        let classes: Vec<_> = t.columns.iter().map(|c| column_class(t.table, c)).collect();
        let mut rows = Vec::new();
        for r in &t.rows {
            let shared = r.case.is_some_and(|c| !debtor_of.contains(&c));
            let mut obj = Map::new();
            for ((col, v), class) in t.columns.iter().zip(&r.values).zip(&classes) {
                let Some((category, purposes)) = class else {
                    continue;
                };
                if !keep(category) || (shared && ONE_PERSON.contains(category)) {
                    continue;
                }
                used.entry(category)
                    .or_default()
                    .extend(purposes.iter().copied().filter(|p| *p != excluded_purpose));
                let v = if ANSWERS.contains(&(t.table, *col)) {
                    json!("(the answer given to this request)")
                } else {
                    json_value(v)
                };
                obj.insert((*col).to_owned(), v);
            }
            if obj.is_empty() {
                continue;
            }
            if let Some((import, line)) = r.import {
                obj.insert("_source".into(), json!({ "import": import, "line": line }));
            }
            rows.push(Json::Object(obj));
        }
        if !rows.is_empty() {
            tables.push(json!({ "table": t.table, "rows": rows }));
        }
    }
    (tables, used)
}

impl Kwijting {
    /// The complete art. 15 extract of one data subject as JSON: their data
    /// from every catalogued table, with purposes, legal bases, categories,
    /// actual recipients, retention, sources, the logic of automated
    /// decisions, their rights and the supervisory authority.
    pub fn access_extract(
        &self,
        actor: &Actor,
        party: PartyId,
        lang: Language,
    ) -> Result<Json, ServiceError> {
        let client = self.subject_client_row(party)?;
        let x = self.store.subject_extract(party)?;
        let processor = client.role == ClientRole::Processor;
        let (tables, used) = data_tables(&x, processor, &|_| true);
        let categories: Vec<&str> = used.keys().copied().collect();
        self.door().check(
            actor,
            Some(client.id),
            &categories,
            Access::Read,
            "an access extract",
        )?;
        let policy = self.policy();
        let disclosures = self.store.disclosures_for_party(party)?;
        let debtor_of: BTreeSet<CaseId> = x
            .cases
            .iter()
            .filter(|c| c.role == "debtor")
            .map(|c| c.case)
            .collect();
        let mut decisions = Vec::new();
        let mut rules: HashMap<(String, i64, String), crate::daily_run::StoredRule> =
            HashMap::new();
        for c in &x.cases {
            for mut d in self.store.decisions_for_case(c.case)? {
                // The data a decision used describes the debtor.
                if !debtor_of.contains(&c.case) {
                    d.inputs.clear();
                }
                let key = (d.strategy_id.clone(), d.strategy_version, d.rule.clone());
                if !rules.contains_key(&key) {
                    rules.insert(key.clone(), self.stored_rule(&d)?);
                }
                let rule = rules.get(&key).and_then(|r| r.as_ref());
                decisions.push(json!({
                    "case": c.number,
                    "run_date": d.run_date.to_string(),
                    "action": d.action,
                    "rule": d.rule,
                    "strategy": format!("{} v{}", d.strategy_id, d.strategy_version),
                    "needs_review": d.needs_review,
                    "review_state": d.review_state,
                    "explanation": crate::daily_run::explain_row(&d, rule, lang),
                }));
            }
        }
        Ok(json!({
            "kind": "access_extract",
            "article": "GDPR art. 15",
            "generated_at": self.clock().now().to_string(),
            "language": if matches!(lang, Language::Nl) { "nl" } else { "en" },
            "controller": controller_json(policy),
            "subject": {
                "party_id": party.0,
                "client": client.reference,
                "cases": x.cases.iter().map(|c| json!({
                    "case": c.number, "role": c.role, "open": c.open,
                })).collect::<Vec<_>>(),
            },
            "data": tables,
            "categories": used.iter().map(|(cat, purposes)| {
                let name = policy.data_category(cat).map(|c| text(lang, &c.name_nl, &c.name_en));
                json!({
                    "category": cat,
                    "name": name,
                    "purposes": purposes,
                    "retention": purposes.iter().filter_map(|p| {
                        policy.retention_for(p).map(|r| json!({
                            "purpose": p,
                            "rule": r.id,
                            "period_months": r.period_months,
                            "description": text(lang, &r.description_nl, &r.description_en),
                        }))
                    }).collect::<Vec<_>>(),
                })
            }).collect::<Vec<_>>(),
            "purposes": used.values().flatten().collect::<BTreeSet<_>>().into_iter().filter_map(|p| {
                policy.purpose(p).map(|p| json!({
                    "purpose": p.id,
                    "name": text(lang, &p.name_nl, &p.name_en),
                    "description": text(lang, &p.description_nl, &p.description_en),
                    "legal_bases": p.legal_bases.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
                    "legitimate_interest": match lang {
                        Language::Nl => p.legitimate_interest_nl.clone(),
                        _ => p.legitimate_interest_en.clone(),
                    },
                    "agency_role": p.controller_role.as_str(),
                }))
            }).collect::<Vec<_>>(),
            "recipients": disclosures.iter().filter(|d| d.refused.is_none()).map(|d| json!({
                "recipient": d.recipient,
                "category_name": policy.recipient(&d.recipient).map(|r| text(lang, &r.name_nl, &r.name_en)),
                // The actual recipient where one was named, else its category.
                "name": d.recipient_name.clone().or_else(|| policy.recipient(&d.recipient).map(|r| text(lang, &r.name_nl, &r.name_en))),
                "actual_recipient": d.recipient_name,
                "safeguard_reference": d.safeguard_ref,
                "categories": d.categories.split(',').collect::<Vec<_>>(),
                "purpose": d.purpose,
                "legal_basis": d.legal_basis,
                "country": d.country,
                "safeguard": d.safeguard,
                "disclosed_on": d.disclosed_on.to_string(),
            })).collect::<Vec<_>>(),
            "sources": x.imports.iter().map(|i| json!({
                "import": i.id, "client": i.client_ref, "source": i.source, "at": i.at,
            })).collect::<Vec<_>>(),
            "automated_decisions": {
                "logic": policy.purposes().filter(|p| p.automated_decisions).map(|p| match lang {
                    Language::Nl => p.automated_decisions_description_nl.clone(),
                    _ => p.automated_decisions_description_en.clone(),
                }).collect::<Vec<_>>(),
                "decisions": decisions,
            },
            "rights": policy.rights().map(|r| json!({
                "right": r.id,
                "article": r.article,
                "name": text(lang, &r.name_nl, &r.name_en),
                "description": text(lang, &r.description_nl, &r.description_en),
            })).collect::<Vec<_>>(),
            "supervisory_authority": {
                "name": policy.supervisory_authority().name,
                "website": policy.supervisory_authority().website,
                "postal_address": format!("{}, {} {}",
                    policy.supervisory_authority().postal_address,
                    policy.supervisory_authority().postcode,
                    policy.supervisory_authority().city),
                "phone": policy.supervisory_authority().phone,
            },
        }))
    }

    /// The art. 20 export: the data the person provided or that is
    /// processed for the contract or by consent, as JSON and as one CSV in
    /// long format (`table,row,column,value`: one file whatever the tables).
    pub fn portability_export(
        &self,
        actor: &Actor,
        party: PartyId,
    ) -> Result<(Json, String), ServiceError> {
        let client = self.subject_client_row(party)?;
        let x = self.store.subject_extract(party)?;
        let processor = client.role == ClientRole::Processor;
        let policy = self.policy();
        // Only categories a contract or consent purpose processes here.
        let portable = |category: &str| {
            PROVIDED.contains(&category)
                && policy.purposes().any(|p| {
                    p.data_categories.iter().any(|c| c == category)
                        && p.legal_bases
                            .iter()
                            .any(|b| matches!(b.as_str(), "6.1.a" | "6.1.b"))
                })
        };
        let (tables, used) = data_tables(&x, processor, &portable);
        let categories: Vec<&str> = used.keys().copied().collect();
        self.door().check(
            actor,
            Some(client.id),
            &categories,
            Access::Read,
            "a portability export",
        )?;
        let mut csv = String::from("table,row,column,value\n");
        for t in &tables {
            let name = t["table"].as_str().unwrap_or_default();
            for (i, row) in t["rows"].as_array().into_iter().flatten().enumerate() {
                for (col, v) in row.as_object().into_iter().flatten() {
                    if col.starts_with('_') {
                        continue;
                    }
                    let v = match v {
                        Json::Null => String::new(),
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    csv.push_str(&format!("{name},{},{col},{}\n", i + 1, csv_field(&v)));
                }
            }
        }
        Ok((
            json!({
                "kind": "portability_export",
                "article": "GDPR art. 20",
                "generated_at": self.clock().now().to_string(),
                "subject": { "party_id": party.0, "client": client.reference },
                "format": "tables of rows; the CSV is long format: table,row,column,value",
                "data": tables,
            }),
            csv,
        ))
    }
}

fn controller_json(policy: &Policy) -> Json {
    let c = policy.controller();
    json!({
        "name": c.name,
        "address": format!("{}, {} {}", c.street, c.postcode, c.city),
        "email": c.email,
        "phone": c.phone,
    })
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn scalar(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The extract as a readable, printable HTML document (PDF-ready: no
/// scripts, no external resources). Every value is escaped.
pub fn extract_html(x: &Json) -> String {
    let nl = x["language"] == "nl";
    let t = |nl_s: &'static str, en_s: &'static str| if nl { nl_s } else { en_s };
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">");
    h.push_str(&format!(
        "<title>{}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}\
         table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #999;padding:.2em .4em;text-align:left;vertical-align:top}}</style></head><body>\n",
        t("Inzageverzoek: uittreksel", "Access request: register extract")
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p>{} {} &middot; {}</p>\n",
        t(
            "Uittreksel van uw persoonsgegevens",
            "Extract of your personal data"
        ),
        esc(&scalar(&x["controller"]["name"])),
        esc(&scalar(&x["controller"]["address"])),
        esc(&scalar(&x["generated_at"]))
    ));
    let list = |h: &mut String, title: &str, items: &[Json], fields: &[(&str, &str)]| {
        h.push_str(&format!("<h2>{}</h2>\n", esc(title)));
        if items.is_empty() {
            h.push_str("<p>&mdash;</p>\n");
            return;
        }
        h.push_str("<table><tr>");
        for (_, label) in fields {
            h.push_str(&format!("<th>{}</th>", esc(label)));
        }
        h.push_str("</tr>\n");
        for it in items {
            h.push_str("<tr>");
            for (key, _) in fields {
                h.push_str(&format!("<td>{}</td>", esc(&scalar(&it[*key]))));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    };
    let arr = |v: &Json| v.as_array().cloned().unwrap_or_default();
    list(
        &mut h,
        t("Dossiers", "Cases"),
        &arr(&x["subject"]["cases"]),
        &[("case", t("dossier", "case")), ("role", t("rol", "role"))],
    );
    h.push_str(&format!("<h2>{}</h2>\n", t("Uw gegevens", "Your data")));
    for table in arr(&x["data"]) {
        h.push_str(&format!("<h3>{}</h3>\n", esc(&scalar(&table["table"]))));
        for row in arr(&table["rows"]) {
            h.push_str("<table>");
            for (k, v) in row.as_object().into_iter().flatten() {
                let v = if k == "_source" {
                    format!(
                        "import {} line {}",
                        scalar(&v["import"]),
                        scalar(&v["line"])
                    )
                } else {
                    scalar(v)
                };
                h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v)));
            }
            h.push_str("</table>\n");
        }
    }
    list(
        &mut h,
        t("Doeleinden en grondslagen", "Purposes and legal bases"),
        &arr(&x["purposes"]),
        &[
            ("name", t("doel", "purpose")),
            (
                "legal_bases",
                t("grondslag (art. 6 AVG)", "legal basis (GDPR art. 6)"),
            ),
            (
                "legitimate_interest",
                t("gerechtvaardigd belang", "legitimate interest"),
            ),
            ("description", t("omschrijving", "description")),
        ],
    );
    h.push_str(&format!(
        "<h2>{}</h2>\n<table>",
        t("Categorieën en bewaartermijnen", "Categories and retention")
    ));
    for c in arr(&x["categories"]) {
        let ret = arr(&c["retention"])
            .iter()
            .map(|r| scalar(&r["description"]))
            .collect::<Vec<_>>()
            .join(" / ");
        h.push_str(&format!(
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            esc(&scalar(&c["name"])),
            esc(&scalar(&c["purposes"])),
            esc(&ret)
        ));
    }
    h.push_str("</table>\n");
    list(
        &mut h,
        t("Ontvangers", "Recipients"),
        &arr(&x["recipients"]),
        &[
            ("name", t("ontvanger", "recipient")),
            ("category_name", t("soort ontvanger", "kind of recipient")),
            ("categories", t("gegevens", "data")),
            ("purpose", t("doel", "purpose")),
            ("country", t("land", "country")),
            ("safeguard", t("waarborg", "safeguard")),
            ("safeguard_reference", t("vastgelegd in", "recorded in")),
            ("disclosed_on", t("datum", "date")),
        ],
    );
    list(
        &mut h,
        t("Herkomst", "Sources"),
        &arr(&x["sources"]),
        &[
            ("import", "import"),
            ("client", t("opdrachtgever", "client")),
            ("source", t("bron", "source")),
            ("at", t("datum", "date")),
        ],
    );
    h.push_str(&format!(
        "<h2>{}</h2>\n",
        t("Geautomatiseerde besluiten", "Automated decisions")
    ));
    for l in arr(&x["automated_decisions"]["logic"]) {
        h.push_str(&format!("<p>{}</p>\n", esc(&scalar(&l))));
    }
    for d in arr(&x["automated_decisions"]["decisions"]) {
        h.push_str(&format!("<pre>{}</pre>\n", esc(&scalar(&d["explanation"]))));
    }
    list(
        &mut h,
        t("Uw rechten", "Your rights"),
        &arr(&x["rights"]),
        &[
            ("name", t("recht", "right")),
            ("article", t("artikel", "article")),
            ("description", t("omschrijving", "description")),
        ],
    );
    let sa = &x["supervisory_authority"];
    h.push_str(&format!(
        "<h2>{}</h2>\n<p>{}, {}, {}, {}</p>\n</body></html>\n",
        t("Toezichthouder", "Supervisory authority"),
        esc(&scalar(&sa["name"])),
        esc(&scalar(&sa["postal_address"])),
        esc(&scalar(&sa["phone"])),
        esc(&scalar(&sa["website"]))
    ));
    h
}
