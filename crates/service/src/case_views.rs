//! What a case handler needs on a case (issue 11, item 12): the itemised
//! statement the Wkid requires, in Dutch and English; a search over the
//! cases by name, IBAN, postcode, invoice, reference or number; and the
//! review queue with case numbers and its real size.
//!
//! Every figure here is the one definition of what a case owes
//! (`settle::statement_of_case`, through `case_statement` and
//! `standings`): nothing is computed a second time.

use std::fmt::Write as _;

use kwijting_domain::{Actor, ClaimId, Date, Iban, Money, Postcode, Rounding};
use kwijting_law::nl::costs::{BusinessCostsAgreement, CostsRule};
use kwijting_law::nl::interest::InterestKind;
use kwijting_law::nl::rates::RateMark;
use kwijting_law::statement::{Amounts, Statement};
use kwijting_store::{CaseSearch, CaseSearchStore, ClaimRow, DecisionRow, SEARCH_LIMIT_MAX};
use kwijting_strategy::Language;

use crate::cases::{ListedCase, Standing};
use crate::{Access, Door, Kwijting, ServiceError};

/// Categories the statement shows: who owes (the name), the debt and the
/// payments, and the 14-day letter from the case's history.
const STATEMENT: &[&str] = &["identity", "debt", "payment", "case_history"];
/// Categories a search reads (it matches on names, addresses and IBANs)
/// and shows (name, status, what is owed).
const SEARCH: &[&str] = &[
    "identity",
    "contact",
    "bank_account",
    "debt",
    "case_history",
];
/// The default number of cases a search returns.
pub const SEARCH_LIMIT_DEFAULT: u32 = 50;
/// The longest search text taken (longer is no name, IBAN or invoice).
pub const SEARCH_TEXT_MAX: usize = 200;

/// The itemised statement of a case on a day: the law engine's statement
/// with what the case file knows of each claim (its invoice).
#[derive(Debug, Clone)]
pub struct CaseStatement {
    pub number: String,
    pub client_ref: String,
    pub debtor_name: String,
    pub payment_reference: String,
    pub claims: Vec<ClaimRow>,
    pub statement: Statement,
    /// Each claim's limitation on the statement's day (verjaring).
    pub limitation: Vec<crate::settle::ClaimLimitation>,
}

impl CaseStatement {
    /// The invoice of a claim on the statement.
    pub fn claim(&self, id: ClaimId) -> Option<&ClaimRow> {
        self.claims.iter().find(|c| c.id == id)
    }

    /// A claim's limitation on the statement's day.
    pub fn limitation_of(&self, id: ClaimId) -> Option<&crate::settle::ClaimLimitation> {
        self.limitation.iter().find(|l| l.claim == id)
    }

    fn invoice(&self, id: ClaimId) -> String {
        self.claim(id)
            .map(|c| c.invoice_number.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

/// Cases found by a search, each with what it owes today.
#[derive(Debug, Clone)]
pub struct FoundCases {
    pub query: String,
    pub cases: Vec<ListedCase>,
    /// The limit cut the list: there are more.
    pub more: bool,
}

/// A page of the review queue and how many wait in all.
#[derive(Debug, Clone)]
pub struct ReviewPage {
    pub total: u64,
    /// Each decision with its case number.
    pub decisions: Vec<(DecisionRow, String)>,
    /// What each case owes today (the one balance), for the reviewer.
    pub owed: std::collections::HashMap<kwijting_domain::CaseId, crate::cases::Standing>,
}

impl Kwijting {
    /// The itemised statement of account of a case on `as_of`.
    pub fn itemised_statement(
        &self,
        actor: &Actor,
        number: &str,
        as_of: Date,
    ) -> Result<CaseStatement, ServiceError> {
        let file = self
            .store
            .case_by_number(number)?
            .ok_or_else(|| ServiceError::UnknownCase(number.to_owned()))?;
        self.door().check(
            actor,
            Some(file.summary.client_id),
            STATEMENT,
            Access::Read,
            "statement of account",
        )?;
        let statement = self.case_statement(&file, as_of)?;
        let limitation = match self
            .store
            .case_law_rows(&[file.summary.id])?
            .get(&file.summary.id)
        {
            Some(law) => {
                crate::settle::limitation_of_case(law, as_of).map_err(crate::settle::internal)?
            }
            None => Vec::new(),
        };
        Ok(CaseStatement {
            limitation,
            number: file.summary.number.clone(),
            client_ref: file.summary.client_ref.clone(),
            debtor_name: file.summary.debtor.name.clone(),
            payment_reference: file.payment_reference.clone(),
            claims: file.claims,
            statement,
        })
    }

    /// Cases by the debtor's name (a part of it, any case), IBAN or
    /// postcode (with or without spaces), invoice number, payment reference
    /// or case number; at most `limit` (default 50), each with what it owes
    /// today.
    pub fn search_cases(
        &self,
        actor: &Actor,
        query: &str,
        limit: u32,
    ) -> Result<FoundCases, ServiceError> {
        let text = query.trim();
        if text.chars().count() < 2 {
            return Err(ServiceError::Invalid(
                "a search needs at least 2 characters".into(),
            ));
        }
        if text.len() > SEARCH_TEXT_MAX {
            return Err(ServiceError::Invalid(format!(
                "a search takes at most {SEARCH_TEXT_MAX} characters"
            )));
        }
        if limit == 0 || limit > SEARCH_LIMIT_MAX {
            return Err(ServiceError::Invalid(format!(
                "the limit must be 1 to {SEARCH_LIMIT_MAX}"
            )));
        }
        self.door()
            .check(actor, None, SEARCH, Access::Read, "case search")?;
        let case = crate::payments::referenced_case(text);
        let iban = Iban::parse(text).ok().map(|i| i.as_str().to_owned());
        // A case number, payment reference or IBAN is no part of a name:
        // then the search reads no table through.
        let name_part = (case.is_none() && iban.is_none()).then(|| text.to_lowercase());
        let found = self.store.search_cases(&CaseSearch {
            case,
            iban,
            postcode: Postcode::parse(text).ok().map(|p| p.as_str().to_owned()),
            invoice_number: text.to_owned(),
            name_part,
            within: Door::within(actor),
            limit,
        })?;
        let ids: Vec<_> = found.cases.iter().map(|c| c.id).collect();
        let mut standings = self.standings(&ids, self.clock().today())?;
        Ok(FoundCases {
            query: text.to_owned(),
            more: found.more,
            cases: found
                .cases
                .into_iter()
                .map(|summary| ListedCase {
                    standing: standings
                        .remove(&summary.id)
                        .unwrap_or_else(|| Standing::Unknown("the case was not found".into())),
                    summary,
                })
                .collect(),
        })
    }

    /// The decisions waiting for a person, oldest first, with their case
    /// numbers, and how many wait in all.
    pub fn review_page(&self, actor: &Actor, limit: u32) -> Result<ReviewPage, ServiceError> {
        let rows = self.review_queue(actor, limit)?;
        let total = self.store.review_queue_total()?;
        let decisions = rows
            .into_iter()
            .map(|d| Ok((kwijting_store::case_number(d.case)?, d)))
            .collect::<Result<Vec<_>, ServiceError>>()?
            .into_iter()
            .map(|(n, d)| (d, n))
            .collect::<Vec<(DecisionRow, String)>>();
        let ids: Vec<kwijting_domain::CaseId> = decisions.iter().map(|(d, _)| d.case).collect();
        let owed = self.standings(&ids, self.clock().today())?;
        Ok(ReviewPage {
            total,
            decisions,
            owed,
        })
    }
}

/// An amount as a person reads it: `EUR 1.234,56` in Dutch, `EUR 1,234.56`
/// in English.
pub fn euros(m: Money, lang: Language) -> String {
    let (thousands, decimal) = match lang {
        Language::Nl => ('.', ','),
        Language::En => (',', '.'),
    };
    let abs = m.cents().unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(thousands);
        }
        grouped.push(ch);
    }
    let sign = if m.is_negative() { "-" } else { "" };
    format!("EUR {sign}{grouped}{decimal}{:02}", abs % 100)
}

/// A date as a person reads it: `1 februari 2026`, `1 February 2026`
/// (the explanations' words).
pub fn day_text(d: Date, lang: Language) -> String {
    kwijting_strategy::day_text(d, lang)
}

/// A percentage: `8,00%` in Dutch, `8.00%` in English.
fn percent(rate: kwijting_law::RateBps, lang: Language) -> String {
    let s = rate.to_string();
    match lang {
        Language::Nl => format!("{}%", s.replace('.', ",")),
        Language::En => format!("{s}%"),
    }
}

/// A claim's limitation in words: its last day (art. 3:307, 3:308 and
/// 7:28 BW), or that it is time-barred.
pub fn limitation_text(l: &crate::settle::ClaimLimitation, lang: Language) -> String {
    let last = day_text(l.last_day, lang);
    let mut text = match (lang, l.time_barred) {
        (Language::Nl, false) => format!("Verjaring: te vorderen tot en met {last}"),
        (Language::Nl, true) => format!("Verjaard: de laatste dag was {last}"),
        (Language::En, false) => {
            format!("Time limit (limitation): can be claimed up to and including {last}")
        }
        (Language::En, true) => format!("Time-barred: the last day was {last}"),
    };
    if l.kind == kwijting_law::nl::limitation::LimitationKind::ConsumerSalePrice {
        text.push_str(match lang {
            Language::Nl => " (koop door een consument: 2 jaar)",
            Language::En => " (a consumer sale: 2 years)",
        });
    }
    if let Some(through) = l.interest_barred_through {
        let _ = write!(
            text,
            "{}",
            match lang {
                Language::Nl =>
                    format!("; rente tot en met {} is verjaard", day_text(through, lang)),
                Language::En => format!(
                    "; interest up to and including {} is time-barred",
                    day_text(through, lang)
                ),
            }
        );
    }
    text
}

/// Words in the statement, per language.
struct Words {
    title: &'static str,
    case: &'static str,
    client: &'static str,
    reference: &'static str,
    debtor: &'static str,
    claims: &'static str,
    invoice_of: &'static str,
    due_by: &'static str,
    principal: &'static str,
    interest: &'static str,
    costs: &'static str,
    costs_share: &'static str,
    vat: &'static str,
    paid: &'static str,
    open: &'static str,
    from: &'static str,
    through: &'static str,
    days: &'static str,
    over: &'static str,
    no_interest: &'static str,
    letter: &'static str,
    letter_sent: &'static str,
    letter_term: &'static str,
    costs_from: &'static str,
    costs_title: &'static str,
    computed_on: &'static str,
    no_costs: &'static str,
    payments: &'static str,
    no_payments: &'static str,
    for_invoice: &'static str,
    unapplied: &'static str,
    owed_on: &'static str,
    of_which: &'static str,
    overpaid: &'static str,
    provisional_note: &'static str,
    assumed_note: &'static str,
    order_note: &'static str,
}

const NL: Words = Words {
    title: "Specificatie van de vordering op",
    case: "Dossier",
    client: "schuldeiser",
    reference: "betalingskenmerk",
    debtor: "Schuldenaar",
    claims: "Facturen",
    invoice_of: "van",
    due_by: "te betalen uiterlijk",
    principal: "hoofdsom",
    interest: "rente",
    costs: "incassokosten",
    costs_share: "het deel van deze factuur",
    vat: "btw",
    paid: "betaald",
    open: "nog te betalen",
    from: "van",
    through: "tot en met",
    days: "dagen",
    over: "over",
    no_interest: "nog geen rente",
    letter: "14-dagenbrief",
    letter_sent: "verstuurd op",
    letter_term: "de termijn om zonder incassokosten te betalen eindigde op",
    costs_from: "incassokosten vanaf",
    costs_title: "Incassokosten",
    computed_on: "berekend over een hoofdsom van",
    no_costs: "Er zijn (nog) geen incassokosten.",
    payments: "Betalingen",
    no_payments: "Er zijn (nog) geen betalingen ontvangen.",
    for_invoice: "factuur",
    unapplied: "meer betaald dan verschuldigd, wordt terugbetaald",
    owed_on: "Nog te betalen op",
    of_which: "Dit is",
    overpaid: "U heeft meer betaald dan u verschuldigd was. Dit bedrag betalen wij terug",
    provisional_note: "Let op: voor sommige periodes is de rente nog voorlopig. Het definitieve percentage maakt de overheid later bekend.",
    assumed_note: "Let op: voor sommige periodes is het laatst bekende rentepercentage gebruikt",
    order_note: "Een betaling gaat eerst naar de incassokosten, dan naar de rente en daarna naar de hoofdsom (artikel 6:44 BW).",
};

const EN: Words = Words {
    title: "Statement of the claim on",
    case: "Case",
    client: "creditor",
    reference: "payment reference",
    debtor: "Debtor",
    claims: "Invoices",
    invoice_of: "of",
    due_by: "due by",
    principal: "principal",
    interest: "interest",
    costs: "collection costs",
    costs_share: "this invoice's share",
    vat: "VAT",
    paid: "paid",
    open: "still to pay",
    from: "from",
    through: "through",
    days: "days",
    over: "on",
    no_interest: "no interest yet",
    letter: "14-day letter",
    letter_sent: "sent on",
    letter_term: "the term to pay without collection costs ended on",
    costs_from: "collection costs from",
    costs_title: "Collection costs",
    computed_on: "computed on a principal of",
    no_costs: "There are no collection costs (yet).",
    payments: "Payments",
    no_payments: "No payments have been received (yet).",
    for_invoice: "invoice",
    unapplied: "paid more than owed, to be paid back",
    owed_on: "Still to pay on",
    of_which: "This is",
    overpaid: "You paid more than you owed. We will pay this amount back",
    provisional_note: "Note: for some periods the interest rate is still provisional. The government publishes the final rate later.",
    assumed_note: "Note: for some periods the last known interest rate was used",
    order_note: "A payment goes to the collection costs first, then to the interest and then to the principal (article 6:44 of the Dutch Civil Code).",
};

fn words(lang: Language) -> &'static Words {
    match lang {
        Language::Nl => &NL,
        Language::En => &EN,
    }
}

/// What kind of interest runs on a claim, in words.
pub fn interest_kind_text(k: InterestKind, lang: Language) -> String {
    match (lang, k) {
        (Language::Nl, InterestKind::Consumer) => "wettelijke rente (artikel 6:119 BW)".into(),
        (Language::En, InterestKind::Consumer) => {
            "statutory interest (article 6:119 Dutch Civil Code)".into()
        }
        (Language::Nl, InterestKind::Commercial) => {
            "wettelijke handelsrente (artikel 6:119a BW)".into()
        }
        (Language::En, InterestKind::Commercial) => {
            "statutory commercial interest (article 6:119a Dutch Civil Code)".into()
        }
        (Language::Nl, InterestKind::Contractual { rate, .. }) => {
            format!("afgesproken rente van {} per jaar", percent(rate, lang))
        }
        (Language::En, InterestKind::Contractual { rate, .. }) => {
            format!("agreed interest of {} a year", percent(rate, lang))
        }
    }
}

/// How sure a period's rate is, in words (empty for a confirmed rate).
pub fn rate_mark_text(m: RateMark, lang: Language) -> &'static str {
    match (lang, m) {
        (_, RateMark::Confirmed) => "",
        (Language::Nl, RateMark::Provisional) => "voorlopig",
        (Language::En, RateMark::Provisional) => "provisional",
        (Language::Nl, RateMark::Assumed) => "aangenomen",
        (Language::En, RateMark::Assumed) => "assumed",
        (Language::Nl, RateMark::Agreed) => "afgesproken",
        (Language::En, RateMark::Agreed) => "agreed",
    }
}

/// The basis of a costs line, in words: the statutory scale (BIK), its
/// minimum or maximum, or what the client agreed with a business debtor.
pub fn costs_basis_text(
    rule: CostsRule,
    agreement: BusinessCostsAgreement,
    exceeds_bik: bool,
    lang: Language,
) -> String {
    let nl = lang == Language::Nl;
    let mut s = match (rule, agreement) {
        (CostsRule::Agreed, BusinessCostsAgreement::FixedAmount(m)) => {
            if nl {
                format!(
                    "een vast bedrag van {} dat de schuldeiser met u afsprak",
                    euros(m, lang)
                )
            } else {
                format!(
                    "a fixed amount of {} agreed with the creditor",
                    euros(m, lang)
                )
            }
        }
        (CostsRule::Agreed, BusinessCostsAgreement::Percentage(r)) => {
            if nl {
                format!(
                    "{} van de hoofdsom, zoals de schuldeiser met u afsprak",
                    percent(r, lang)
                )
            } else {
                format!(
                    "{} of the principal, as agreed with the creditor",
                    percent(r, lang)
                )
            }
        }
        (CostsRule::Agreed, BusinessCostsAgreement::Bik) | (CostsRule::BikScale, _) => if nl {
            "de wettelijke staffel (Besluit vergoeding voor buitengerechtelijke incassokosten)"
        } else {
            "the statutory scale (Dutch decree on extrajudicial collection costs)"
        }
        .into(),
        (CostsRule::BikMinimum, _) => if nl {
            "het wettelijke minimum van EUR 40,00"
        } else {
            "the statutory minimum of EUR 40.00"
        }
        .into(),
        (CostsRule::BikMaximum, _) => if nl {
            "het wettelijke maximum van EUR 6.775,00"
        } else {
            "the statutory maximum of EUR 6,775.00"
        }
        .into(),
        (CostsRule::NothingUnpaid, _) => if nl {
            "niets onbetaald, dus geen kosten"
        } else {
            "nothing unpaid, so no costs"
        }
        .into(),
    };
    if exceeds_bik {
        s.push_str(if nl {
            "; dit is meer dan de wettelijke staffel, een rechter kan het verlagen"
        } else {
            "; this is more than the statutory scale, a court may lower it"
        });
    }
    s
}

fn parts_text(a: &Amounts, w: &Words, lang: Language) -> String {
    format!(
        "{} {}, {} {}, {} {}, {} {}",
        w.principal,
        euros(a.principal, lang),
        w.interest,
        euros(a.interest, lang),
        w.costs,
        euros(a.costs, lang),
        w.vat,
        euros(a.vat, lang)
    )
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl CaseStatement {
    /// The statement as a person reads it, in plain Dutch or English: each
    /// invoice with its interest periods, the 14-day letter, the costs and
    /// their basis, each payment and how it was applied, and what is owed.
    pub fn render(&self, lang: Language) -> String {
        let w = words(lang);
        let s = &self.statement;
        let mut out = String::new();
        let _ = writeln!(out, "{} {}", w.title, day_text(s.as_of, lang));
        let _ = writeln!(
            out,
            "{} {} ({} {}, {} {})",
            w.case, self.number, w.client, self.client_ref, w.reference, self.payment_reference
        );
        let _ = writeln!(out, "{}: {}", w.debtor, self.debtor_name);

        let _ = writeln!(out, "\n{}", w.claims);
        for c in &s.claims {
            let (inv, inv_date) = match self.claim(c.id) {
                Some(r) => (r.invoice_number.clone(), Some(r.invoice_date)),
                None => (c.id.to_string(), None),
            };
            let _ = writeln!(
                out,
                "- {} {}{}, {} {}",
                capital(w.for_invoice),
                inv,
                inv_date
                    .map(|d| format!(" {} {}", w.invoice_of, day_text(d, lang)))
                    .unwrap_or_default(),
                w.due_by,
                day_text(c.due_on, lang)
            );
            let _ = writeln!(
                out,
                "  {}: {}",
                capital(w.principal),
                euros(c.charged.principal, lang)
            );
            let _ = writeln!(
                out,
                "  {} {} {}:",
                capital(&interest_kind_text(c.interest_kind, lang)),
                w.from,
                day_text(c.interest_from, lang)
            );
            if c.periods.is_empty() {
                let _ = writeln!(out, "    {}", w.no_interest);
            }
            for p in &c.periods {
                let mark = rate_mark_text(p.mark, lang);
                let amount = p
                    .interest
                    .to_money(Rounding::HalfUp)
                    .map(|m| euros(m, lang))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {} {} {} {} ({} {}): {}{} {} {} = {}",
                    w.from,
                    day_text(p.from(), lang),
                    w.through,
                    day_text(p.to(), lang),
                    p.days,
                    w.days,
                    percent(p.rate, lang),
                    if mark.is_empty() {
                        String::new()
                    } else {
                        format!(" ({mark})")
                    },
                    w.over,
                    euros(p.base, lang),
                    amount
                );
            }
            let _ = writeln!(
                out,
                "  {}: {}",
                capital(w.interest),
                euros(c.charged.interest, lang)
            );
            if !c.charged.costs.is_zero() || !c.charged.vat.is_zero() {
                let _ = writeln!(
                    out,
                    "  {} ({}): {}{}",
                    capital(w.costs),
                    w.costs_share,
                    euros(c.charged.costs, lang),
                    if c.charged.vat.is_zero() {
                        String::new()
                    } else {
                        format!(", {} {}", w.vat, euros(c.charged.vat, lang))
                    }
                );
            }
            let _ = writeln!(
                out,
                "  {}: {}; {}: {}",
                capital(w.paid),
                euros(c.paid.total().unwrap_or(Money::ZERO), lang),
                w.open,
                euros(c.outstanding.total().unwrap_or(Money::ZERO), lang)
            );
            if let Some(l) = self.limitation_of(c.id) {
                let _ = writeln!(out, "  {}", limitation_text(l, lang));
            }
        }

        if let Some(l) = &s.demand_letter {
            let _ = writeln!(out, "\n{}", capital(w.letter));
            let _ = writeln!(
                out,
                "- {} {}; {} {}; {} {}",
                w.letter_sent,
                day_text(l.sent_on, lang),
                w.letter_term,
                day_text(l.last_day_to_pay, lang),
                w.costs_from,
                day_text(l.costs_from, lang)
            );
        }

        let _ = writeln!(out, "\n{}", w.costs_title);
        if s.costs.is_empty() {
            let _ = writeln!(out, "- {}", w.no_costs);
        }
        for l in &s.costs {
            let basis = costs_basis_text(l.rule, s.costs_terms.agreement, l.exceeds_bik, lang);
            let _ = writeln!(
                out,
                "- {}: {} {} {}, {} {}",
                day_text(l.on, lang),
                euros(l.costs, lang),
                w.computed_on,
                euros(l.base, lang),
                match lang {
                    Language::Nl => "volgens",
                    Language::En => "by",
                },
                basis
            );
            if !l.vat.is_zero() {
                let rate = s
                    .costs_terms
                    .vat_rate
                    .map(|r| format!(" ({})", percent(r, lang)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {}: {}{}",
                    match lang {
                        Language::Nl => "Plus btw, omdat de schuldeiser de btw niet kan verrekenen",
                        Language::En => "Plus VAT, because the creditor cannot deduct VAT",
                    },
                    euros(l.vat, lang),
                    rate
                );
            }
        }

        let _ = writeln!(out, "\n{}", w.payments);
        if s.payments.is_empty() {
            let _ = writeln!(out, "- {}", w.no_payments);
        }
        for p in &s.payments {
            let _ = writeln!(out, "- {}: {}", day_text(p.on, lang), euros(p.amount, lang));
            for sh in &p.shares {
                let _ = writeln!(
                    out,
                    "  {} {}: {} {}, {} {}, {} {}, {} {}",
                    w.for_invoice,
                    self.invoice(sh.claim),
                    w.costs,
                    euros(sh.applied.costs, lang),
                    w.vat,
                    euros(sh.applied.vat, lang),
                    w.interest,
                    euros(sh.applied.interest, lang),
                    w.principal,
                    euros(sh.applied.principal, lang)
                );
            }
            if !p.unapplied.is_zero() {
                let _ = writeln!(out, "  {}: {}", w.unapplied, euros(p.unapplied, lang));
            }
        }
        if !s.payments.is_empty() {
            let _ = writeln!(out, "{}", w.order_note);
        }

        let _ = writeln!(
            out,
            "\n{} {}: {}",
            w.owed_on,
            day_text(s.as_of, lang),
            euros(s.balance, lang)
        );
        let _ = writeln!(
            out,
            "{} {}.",
            w.of_which,
            parts_text(&s.outstanding, w, lang)
        );
        if !s.unapplied.is_zero() {
            let _ = writeln!(out, "{}: {}.", w.overpaid, euros(s.unapplied, lang));
        }
        if s.uses_provisional_rate {
            let _ = writeln!(out, "{}", w.provisional_note);
        }
        if let Some(note) = &s.assumed_rate_note {
            let _ = writeln!(out, "{} ({note}).", w.assumed_note);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_in_each_language() {
        let check = |cents: i64, nl: &str, en: &str| {
            let m = Money::from_cents(cents);
            assert_eq!(euros(m, Language::Nl), nl);
            assert_eq!(euros(m, Language::En), en);
        };
        check(123_456, "EUR 1.234,56", "EUR 1,234.56");
        check(5, "EUR 0,05", "EUR 0.05");
        check(100_000_000, "EUR 1.000.000,00", "EUR 1,000,000.00");
        check(-4_000, "EUR -40,00", "EUR -40.00");
    }
}
