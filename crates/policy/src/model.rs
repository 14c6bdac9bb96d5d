//! The typed contents of a policy file. Every struct refuses unknown keys;
//! closed sets are enums. The ids (`collection`, `identity`, ...) are the
//! table keys in the file and are filled in after parsing.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer};

/// A table of entries keyed by id, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdMap<T>(pub(crate) Vec<T>);

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        IdMap(Vec::new())
    }
}

/// An entry that carries its own table key.
pub(crate) trait Keyed {
    fn set_id(&mut self, id: String);
    fn id(&self) -> &str;
}

impl<T: Keyed> IdMap<T> {
    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.0.iter().find(|t| t.id() == id)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}

impl<'de, T: Keyed + Deserialize<'de>> Deserialize<'de> for IdMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Keyed + Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = IdMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of entries keyed by id")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((id, mut entry)) = map.next_entry::<String, T>()? {
                    entry.set_id(id);
                    entries.push(entry);
                }
                Ok(IdMap(entries))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn set_id(&mut self, id: String) {
                self.id = id;
            }
            fn id(&self) -> &str {
                &self.id
            }
        }
    )*};
}

keyed!(
    Purpose,
    DataCategory,
    SubjectCategory,
    crate::RetentionRule,
    Recipient,
    Role,
    Right,
    SecurityMeasure,
    Source
);

/// The privacy statement's own data (R42).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Statement {
    pub version: String,
    #[serde(deserialize_with = "toml_date")]
    pub effective_date: Date,
    /// How people are told of a change (R42).
    pub change_notice: ChangeNotice,
    pub title_nl: String,
    pub title_en: String,
    pub introduction_nl: String,
    pub introduction_en: String,
    /// Personal against anonymous data (R41).
    pub anonymous_data_nl: String,
    pub anonymous_data_en: String,
    pub changes_nl: String,
    pub changes_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeNotice {
    Email,
}

/// The controller: the agency itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Controller {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: Country,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub kvk_number: String,
}

/// Where complaints may go (R38).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SupervisoryAuthority {
    pub name: String,
    pub website: String,
    pub postal_address: String,
    pub postcode: String,
    pub city: String,
    pub country: Country,
    pub phone: String,
}

/// The agency's role for a purpose (R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControllerRole {
    /// The agency decides the purposes and means.
    Controller,
    /// The agency processes on a client's instructions; the client is the
    /// controller and answers the data subject.
    Processor,
}

impl ControllerRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ControllerRole::Controller => "controller",
            ControllerRole::Processor => "processor",
        }
    }
}

/// A legal basis: GDPR art. 6(1)(a..f), art. 9(2)(a..j) for special
/// categories, art. 10 for criminal-record data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum LegalBasis {
    /// Consent.
    #[serde(rename = "6.1.a")]
    Consent,
    /// Performance of a contract.
    #[serde(rename = "6.1.b")]
    Contract,
    /// Legal obligation.
    #[serde(rename = "6.1.c")]
    LegalObligation,
    /// Vital interests.
    #[serde(rename = "6.1.d")]
    VitalInterests,
    /// Public interest.
    #[serde(rename = "6.1.e")]
    PublicInterest,
    /// Legitimate interest (needs a stated interest).
    #[serde(rename = "6.1.f")]
    LegitimateInterest,
    #[serde(rename = "9.2.a")]
    SpecialExplicitConsent,
    #[serde(rename = "9.2.b")]
    SpecialEmployment,
    #[serde(rename = "9.2.c")]
    SpecialVitalInterests,
    #[serde(rename = "9.2.d")]
    SpecialNotForProfit,
    #[serde(rename = "9.2.e")]
    SpecialMadePublic,
    #[serde(rename = "9.2.f")]
    SpecialLegalClaims,
    #[serde(rename = "9.2.g")]
    SpecialPublicInterest,
    #[serde(rename = "9.2.h")]
    SpecialHealthCare,
    #[serde(rename = "9.2.i")]
    SpecialPublicHealth,
    #[serde(rename = "9.2.j")]
    SpecialArchiving,
    /// Criminal-record data under official authority or as authorised by law.
    #[serde(rename = "10")]
    CriminalData,
}

impl LegalBasis {
    /// The id as written in the policy file.
    pub fn as_str(self) -> &'static str {
        use LegalBasis::*;
        match self {
            Consent => "6.1.a",
            Contract => "6.1.b",
            LegalObligation => "6.1.c",
            VitalInterests => "6.1.d",
            PublicInterest => "6.1.e",
            LegitimateInterest => "6.1.f",
            SpecialExplicitConsent => "9.2.a",
            SpecialEmployment => "9.2.b",
            SpecialVitalInterests => "9.2.c",
            SpecialNotForProfit => "9.2.d",
            SpecialMadePublic => "9.2.e",
            SpecialLegalClaims => "9.2.f",
            SpecialPublicInterest => "9.2.g",
            SpecialHealthCare => "9.2.h",
            SpecialPublicHealth => "9.2.i",
            SpecialArchiving => "9.2.j",
            CriminalData => "10",
        }
    }

    /// An art. 9(2) exception, which allows special-category data.
    pub fn is_art9(self) -> bool {
        self.as_str().starts_with("9.")
    }

    /// Art. 10, which allows criminal-record data.
    pub fn is_art10(self) -> bool {
        self == LegalBasis::CriminalData
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A processing purpose, e.g. `collection`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Purpose {
    #[serde(skip)]
    pub id: String,
    /// The mission requirements (R1..R42) the purpose serves.
    #[serde(default)]
    pub requirements: Vec<String>,
    pub name_nl: String,
    pub name_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub controller_role: ControllerRole,
    /// For a processor purpose: where the data subject is sent (R1).
    #[serde(default)]
    pub controller_notice_nl: Option<String>,
    #[serde(default)]
    pub controller_notice_en: Option<String>,
    pub legal_bases: Vec<LegalBasis>,
    /// Required exactly when `legal_bases` has 6.1.f.
    #[serde(default)]
    pub legitimate_interest_nl: Option<String>,
    #[serde(default)]
    pub legitimate_interest_en: Option<String>,
    /// Only pseudonymised data (R41): no direct identifiers, no special
    /// categories.
    #[serde(default)]
    pub pseudonymised_only: bool,
    pub data_subject_categories: Vec<String>,
    pub data_categories: Vec<String>,
    /// Where the data comes from (GDPR art. 14(2)(f), R5, R8): source ids.
    #[serde(default)]
    pub sources: Vec<String>,
    /// A retention rule id.
    pub retention: String,
    pub recipient_categories: Vec<String>,
    /// Decisions taken without a person (R9, R39, art. 22).
    pub automated_decisions: bool,
    #[serde(default)]
    pub automated_decisions_description_nl: Option<String>,
    #[serde(default)]
    pub automated_decisions_description_en: Option<String>,
}

impl Purpose {
    pub fn has_basis(&self, basis: LegalBasis) -> bool {
        self.legal_bases.contains(&basis)
    }

    pub fn processes(&self, data_category: &str) -> bool {
        self.data_categories.iter().any(|c| c == data_category)
    }

    pub fn concerns(&self, subject_category: &str) -> bool {
        self.data_subject_categories
            .iter()
            .any(|c| c == subject_category)
    }

    pub fn may_disclose_to(&self, recipient: &str) -> bool {
        self.recipient_categories.iter().any(|c| c == recipient)
    }
}

/// A category of personal data, e.g. `identity`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DataCategory {
    #[serde(skip)]
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    /// Art. 9 or art. 10 data.
    #[serde(default)]
    pub special: bool,
    /// Names a person outright (refused in pseudonymised-only purposes).
    #[serde(default)]
    pub direct_identifier: bool,
    /// Structured values of this category (amounts, dates, states) say
    /// nothing about a person once the identifying data is erased, so
    /// erasure keeps them as anonymous aggregates; free text of the
    /// category is erased all the same.
    #[serde(default)]
    pub aggregate: bool,
}

/// A category of data subjects, e.g. `debtor`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SubjectCategory {
    #[serde(skip)]
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
}

/// Where personal data comes from, e.g. `client` or `credit_bureaus`
/// (GDPR art. 13/14, R5, R8).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Source {
    #[serde(skip)]
    pub id: String,
    #[serde(default)]
    pub requirements: Vec<String>,
    pub name_nl: String,
    pub name_en: String,
}

/// How a recipient stands towards the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// Processes on the agency's instructions under a processing agreement.
    Processor,
    /// Decides for itself what it does with the data.
    IndependentController,
    /// A public authority or court.
    Authority,
}

/// Where a recipient is established.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Country {
    /// An ISO 3166 alpha-2 code, upper case.
    Code(String),
    /// Somewhere in the European Economic Area.
    Eea,
    /// Depends on the case (e.g. the debtor's country, R6); may be outside
    /// the EEA, so it needs a safeguard.
    Varies,
}

/// EU member states plus Iceland, Liechtenstein and Norway.
pub const EEA_COUNTRIES: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];

impl Country {
    pub fn parse(s: &str) -> Option<Country> {
        match s {
            "EEA" => Some(Country::Eea),
            "varies" => Some(Country::Varies),
            _ if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
                Some(Country::Code(s.to_owned()))
            }
            _ => None,
        }
    }

    /// Certainly inside the EEA, so sharing is no transfer (R24).
    pub fn is_inside_eea(&self) -> bool {
        match self {
            Country::Code(c) => EEA_COUNTRIES.contains(&c.as_str()),
            Country::Eea => true,
            Country::Varies => false,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Country::Code(c) => c,
            Country::Eea => "EEA",
            Country::Varies => "varies",
        }
    }
}

impl Default for Country {
    fn default() -> Self {
        Country::Code("NL".to_owned())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Country::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a country: expected an ISO 3166 alpha-2 code (NL), \"EEA\" or \"varies\""
            ))
        })
    }
}

/// The legal ground for a transfer outside the EEA (R24, GDPR ch. V).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferSafeguard {
    #[default]
    None,
    /// Art. 45 adequacy decision.
    Adequacy,
    /// Art. 46(2)(c).
    StandardContractualClauses,
    /// Art. 47.
    BindingCorporateRules,
    /// Art. 49(1)(e): necessary for legal claims.
    #[serde(rename = "art_49_1_e")]
    Art49_1E,
}

/// A category of recipients, e.g. `bailiffs`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Recipient {
    #[serde(skip)]
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    pub kind: RecipientKind,
    #[serde(default)]
    pub country: Country,
    #[serde(default)]
    pub transfer_safeguard: TransferSafeguard,
    /// Bound to confidentiality by law or profession (R25).
    #[serde(default)]
    pub confidentiality_duty: bool,
}

/// Whose data a role may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the data of the user's own client.
    Client,
    /// Only the user's own data.
    #[serde(rename = "self")]
    OwnData,
}

/// A role and what it may see (R27), e.g. `collector`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Role {
    #[serde(skip)]
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    /// `None`: all clients' data (still limited by purposes and categories).
    #[serde(default)]
    pub scoped: Option<Scope>,
    pub purposes: Vec<String>,
    pub data_categories: Vec<String>,
    /// The role reads and never changes data (client users, debtors in the
    /// portal act through requests, not writes).
    #[serde(default)]
    pub read_only: bool,
}

impl Role {
    pub fn acts_for(&self, purpose: &str) -> bool {
        self.purposes.iter().any(|p| p == purpose)
    }

    pub fn reads(&self, data_category: &str) -> bool {
        self.data_categories.iter().any(|c| c == data_category)
    }
}

/// A right of the data subject as the statement describes it (R31..R39).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Right {
    #[serde(skip)]
    pub id: String,
    #[serde(default)]
    pub requirements: Vec<String>,
    /// GDPR article, e.g. `15` or `21.3`.
    pub article: String,
    pub name_nl: String,
    pub name_en: String,
    pub description_nl: String,
    pub description_en: String,
}

/// A security measure as the statement describes it (R26..R30).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SecurityMeasure {
    #[serde(skip)]
    pub id: String,
    #[serde(default)]
    pub requirements: Vec<String>,
    pub description_nl: String,
    pub description_en: String,
}

/// The file as parsed, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFile {
    pub(crate) statement: Statement,
    pub(crate) controller: Controller,
    pub(crate) supervisory_authority: SupervisoryAuthority,
    pub(crate) purposes: IdMap<Purpose>,
    pub(crate) data_categories: IdMap<DataCategory>,
    pub(crate) subject_categories: IdMap<SubjectCategory>,
    #[serde(default)]
    pub(crate) sources: IdMap<Source>,
    pub(crate) retention: IdMap<crate::RetentionRule>,
    pub(crate) recipients: IdMap<Recipient>,
    pub(crate) roles: IdMap<Role>,
    #[serde(default)]
    pub(crate) rights: IdMap<Right>,
    #[serde(default)]
    pub(crate) security_measures: IdMap<SecurityMeasure>,
}

/// A TOML local date (`2025-01-01`, unquoted) as a civil date.
fn toml_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    let dt = toml::value::Datetime::deserialize(deserializer)?;
    let invalid = || serde::de::Error::custom(format!("'{dt}' is not a date (write 2025-01-01)"));
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => {
            let year = i16::try_from(d.year).map_err(|_| invalid())?;
            let month = i8::try_from(d.month).map_err(|_| invalid())?;
            let day = i8::try_from(d.day).map_err(|_| invalid())?;
            Date::new(year, month, day).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}
