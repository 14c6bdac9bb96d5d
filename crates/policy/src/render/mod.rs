//! The register of processing (GDPR art. 30, R40) and the privacy statement
//! (R42), rendered from a [`Policy`] so that neither is written by hand.
//!
//! The facts (purposes, bases, categories, recipients, retention, rights,
//! measures, contacts) come from the policy; the framing sentences and the
//! wording of the legal bases and transfer safeguards are fixed here, per
//! language. Entries appear in file order, so the output is deterministic.
//!
//! The register also lists where each category of data is stored. The
//! policy crate knows no database, so the caller describes the store's
//! personal-data catalog as a [`CatalogView`].

mod register;
mod statement;

pub use register::{register_json, register_markdown};
pub use statement::statement;

use jiff::civil::Date;

use crate::{Country, LegalBasis, Policy, RecipientKind, TransferSafeguard};

/// A plain description of the store's personal-data catalog, built by the
/// caller (the CLI builds it from `kwijting_store::catalog::CATALOG`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogView {
    pub tables: Vec<CatalogTable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTable {
    pub name: String,
    /// How a row leads to its data subject, in words ("the row is the
    /// party itself").
    pub subject_link: String,
    pub columns: Vec<CatalogColumn>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    pub name: String,
    /// The data category id; `None` for a column that is not personal data.
    pub category: Option<String>,
    /// The purpose ids the column is processed for.
    pub purposes: Vec<String>,
}

impl CatalogView {
    /// The stored fields (`table.column`) of a data category processed for
    /// a purpose, in catalog order.
    pub fn fields(&self, data_category: &str, purpose: &str) -> Vec<String> {
        self.tables
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| {
                        c.category.as_deref() == Some(data_category)
                            && c.purposes.iter().any(|p| p == purpose)
                    })
                    .map(move |c| format!("{}.{}", t.name, c.name))
            })
            .collect()
    }

    /// Every category or purpose the catalog names that the policy does not
    /// know, one message per column and id. Empty when they agree.
    pub fn unknown_to(&self, policy: &Policy) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.tables {
            for c in &t.columns {
                let Some(category) = &c.category else {
                    continue;
                };
                if policy.data_category(category).is_none() {
                    out.push(format!(
                        "{}.{}: data category '{category}' is not in the policy",
                        t.name, c.name
                    ));
                }
                for p in &c.purposes {
                    if policy.purpose(p).is_none() {
                        out.push(format!(
                            "{}.{}: purpose '{p}' is not in the policy",
                            t.name, c.name
                        ));
                    }
                }
            }
        }
        out
    }
}

/// The language of the privacy statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Nl,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Nl, Language::En];

    /// `nl` or `en`.
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "nl" => Some(Language::Nl),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
        }
    }

    /// The Dutch or the English of a pair.
    pub(crate) fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Nl => nl,
            Language::En => en,
        }
    }
}

/// A policy text on one line: runs of white space, line breaks included,
/// become one space. Keeps list items and table cells whole.
pub(crate) fn oneline(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The article of a legal basis as a reader cites it: `GDPR art. 6(1)(b)`,
/// `artikel 6 lid 1 sub b AVG`.
pub fn legal_basis_article(basis: LegalBasis, lang: Language) -> String {
    article(basis.as_str(), lang)
}

/// A dotted article id (`15`, `21.3`, `6.1.b`) as a reader cites it.
pub fn article(id: &str, lang: Language) -> String {
    let mut parts = id.split('.');
    let number = parts.next().unwrap_or(id);
    let paragraph = parts.next();
    let point = parts.next();
    match lang {
        Language::Nl => {
            let mut s = format!("artikel {number}");
            if let Some(p) = paragraph {
                s.push_str(&format!(" lid {p}"));
            }
            if let Some(p) = point {
                s.push_str(&format!(" sub {p}"));
            }
            s.push_str(" AVG");
            s
        }
        Language::En => {
            let mut s = format!("GDPR art. {number}");
            if let Some(p) = paragraph {
                s.push_str(&format!("({p})"));
            }
            if let Some(p) = point {
                s.push_str(&format!("({p})"));
            }
            s
        }
    }
}

/// What a legal basis allows, in the words of GDPR art. 6(1), 9(2) and 10.
pub fn legal_basis_text(basis: LegalBasis, lang: Language) -> &'static str {
    use LegalBasis::*;
    match basis {
        Consent => lang.pick("u hebt toestemming gegeven", "you gave your consent"),
        Contract => lang.pick(
            "noodzakelijk voor de uitvoering van een overeenkomst",
            "necessary for the performance of a contract",
        ),
        LegalObligation => lang.pick(
            "noodzakelijk om te voldoen aan een wettelijke verplichting",
            "necessary to comply with a legal obligation",
        ),
        VitalInterests => lang.pick(
            "noodzakelijk om de vitale belangen van iemand te beschermen",
            "necessary to protect someone's vital interests",
        ),
        PublicInterest => lang.pick(
            "noodzakelijk voor een taak van algemeen belang",
            "necessary for a task in the public interest",
        ),
        LegitimateInterest => lang.pick(
            "noodzakelijk voor een gerechtvaardigd belang",
            "necessary for a legitimate interest",
        ),
        SpecialExplicitConsent => lang.pick(
            "u hebt uitdrukkelijk toestemming gegeven",
            "you gave your explicit consent",
        ),
        SpecialEmployment => lang.pick(
            "noodzakelijk op grond van het arbeidsrecht of het socialezekerheidsrecht",
            "necessary under employment or social security law",
        ),
        SpecialVitalInterests => lang.pick(
            "noodzakelijk om vitale belangen te beschermen wanneer u geen toestemming kunt geven",
            "necessary to protect vital interests when you cannot give consent",
        ),
        SpecialNotForProfit => lang.pick(
            "verwerking door een organisatie zonder winstoogmerk",
            "processing by a not-for-profit body",
        ),
        SpecialMadePublic => lang.pick(
            "gegevens die u zelf openbaar hebt gemaakt",
            "data you made public yourself",
        ),
        SpecialLegalClaims => lang.pick(
            "noodzakelijk om een rechtsvordering vast te stellen, uit te oefenen of te verdedigen",
            "necessary to establish, exercise or defend a legal claim",
        ),
        SpecialPublicInterest => lang.pick(
            "noodzakelijk om redenen van zwaarwegend algemeen belang",
            "necessary for reasons of substantial public interest",
        ),
        SpecialHealthCare => lang.pick(
            "noodzakelijk voor gezondheidszorg of sociale zorg",
            "necessary for health or social care",
        ),
        SpecialPublicHealth => lang.pick(
            "noodzakelijk voor de volksgezondheid",
            "necessary for public health",
        ),
        SpecialArchiving => lang.pick(
            "noodzakelijk voor archivering, onderzoek of statistiek",
            "necessary for archiving, research or statistics",
        ),
        CriminalData => lang.pick(
            "strafrechtelijke gegevens, voor zover de wet dat toestaat",
            "criminal-record data, as far as the law allows",
        ),
    }
}

/// The ground for a transfer outside the EEA (GDPR ch. V).
pub fn safeguard_text(safeguard: TransferSafeguard, lang: Language) -> &'static str {
    match safeguard {
        TransferSafeguard::None => lang.pick("geen (binnen de EER)", "none (inside the EEA)"),
        TransferSafeguard::Adequacy => lang.pick(
            "een adequaatheidsbesluit van de Europese Commissie (artikel 45 AVG)",
            "an adequacy decision of the European Commission (GDPR art. 45)",
        ),
        TransferSafeguard::StandardContractualClauses => lang.pick(
            "de modelcontractbepalingen van de Europese Commissie (artikel 46 lid 2 sub c AVG)",
            "the European Commission's standard contractual clauses (GDPR art. 46(2)(c))",
        ),
        TransferSafeguard::BindingCorporateRules => lang.pick(
            "bindende bedrijfsvoorschriften (artikel 47 AVG)",
            "binding corporate rules (GDPR art. 47)",
        ),
        TransferSafeguard::Art49_1E => lang.pick(
            "noodzakelijk voor een rechtsvordering (artikel 49 lid 1 sub e AVG)",
            "necessary for a legal claim (GDPR art. 49(1)(e))",
        ),
    }
}

/// Where a recipient is: `NL`, the EEA, or the case's country.
pub(crate) fn country_text(country: &Country, lang: Language) -> String {
    match country {
        Country::Code(c) if c == "NL" => lang.pick("Nederland", "the Netherlands").to_owned(),
        Country::Code(c) => c.clone(),
        Country::Eea => lang
            .pick(
                "binnen de Europese Economische Ruimte (EER)",
                "within the European Economic Area (EEA)",
            )
            .to_owned(),
        Country::Varies => lang
            .pick(
                "wisselend, afhankelijk van het geval (ook buiten de EER)",
                "varies with the case (also outside the EEA)",
            )
            .to_owned(),
    }
}

pub(crate) fn recipient_kind_text(kind: RecipientKind, lang: Language) -> &'static str {
    match kind {
        RecipientKind::Processor => lang.pick(
            "werkt in onze opdracht, met een verwerkersovereenkomst",
            "works on our instructions, under a processing agreement",
        ),
        RecipientKind::IndependentController => lang.pick(
            "bepaalt zelf wat er met de gegevens gebeurt",
            "decides for itself what it does with the data",
        ),
        RecipientKind::Authority => lang.pick("overheid of rechter", "authority or court"),
    }
}

/// `1 januari 2025`, `1 January 2025`.
pub(crate) fn date_text(date: Date, lang: Language) -> String {
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let names = match lang {
        Language::Nl => NL,
        Language::En => EN,
    };
    let month = usize::try_from(date.month() - 1)
        .ok()
        .and_then(|i| names.get(i))
        .copied()
        .unwrap_or("?");
    format!("{} {month} {}", date.day(), date.year())
}
