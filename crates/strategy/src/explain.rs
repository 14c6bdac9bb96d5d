//! Plain-language explanations of decisions (R39, GDPR art. 22; Wkid: plain
//! language, level B1), in Dutch and English, addressed to the person
//! concerned.

use std::fmt::Write as _;

use jiff::civil::DateTime;
use kwijting_domain::{Date, DebtorType, Money};
use kwijting_law::calendar::add_days;

use crate::action::{Action, LegalRoute};
use crate::arrangement::{ArrangementAction, ArrangementInput, ArrangementInputKind};
use crate::engine::{Blocked, Decision, Outcome, SkipReason, WaitReason};
use crate::facts::{AddressStatus, ArrangementState, DisputeState, Hold, ScoreBand};
use crate::strategy::Step;
use crate::vars::{Condition, LetterPhase, LetterState, Test, Var, VarKind, VarValue};

/// The language of an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Nl,
    En,
}

use Language::{En, Nl};

const MONTHS_NL: [&str; 12] = [
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
const MONTHS_EN: [&str; 12] = [
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

/// A date as a person reads it: `1 februari 2026`, `1 February 2026`.
pub fn day_text(d: Date, lang: Language) -> String {
    let months = match lang {
        Nl => &MONTHS_NL,
        En => &MONTHS_EN,
    };
    let month = months[usize::from(d.month().unsigned_abs()).saturating_sub(1) % 12];
    format!("{} {month} {}", d.day(), d.year())
}

fn date_time(dt: DateTime, lang: Language) -> String {
    let day = day_text(dt.date(), lang);
    match lang {
        Nl => format!("{day} om {:02}:{:02} uur", dt.hour(), dt.minute()),
        En => format!("{day} at {:02}:{:02}", dt.hour(), dt.minute()),
    }
}

fn money(m: Money, lang: Language) -> String {
    match lang {
        Nl => m.to_dutch(),
        En => format!("EUR {m}"),
    }
}

fn yes_no(b: bool, lang: Language) -> &'static str {
    match (lang, b) {
        (Nl, true) => "ja",
        (Nl, false) => "nee",
        (En, true) => "yes",
        (En, false) => "no",
    }
}

/// What the action does, as the end of "we will ...".
fn action_text(a: Action, lang: Language) -> &'static str {
    match (lang, a) {
        (Nl, Action::Reminder) => "u een herinnering sturen, zonder extra kosten",
        (En, Action::Reminder) => "send you a reminder, without extra costs",
        (Nl, Action::FourteenDayLetter) => {
            "u de wettelijke 14-dagenbrief sturen. Daarin krijgt u 14 dagen om te betalen \
             zonder incassokosten"
        }
        (En, Action::FourteenDayLetter) => {
            "send you the statutory 14-day letter. It gives you 14 days to pay without \
             collection costs"
        }
        (Nl, Action::FirstDemand) => "u een aanmaning (sommatie) sturen, met incassokosten",
        (En, Action::FirstDemand) => "send you a formal demand, with collection costs",
        (Nl, Action::SecondDemand) => {
            "u een tweede aanmaning sturen en u een betalingsregeling aanbieden"
        }
        (En, Action::SecondDemand) => "send you a second demand and offer you a payment plan",
        (Nl, Action::SummonsWarning) => {
            "u een laatste aanmaning sturen. Daarin staat dat wij naar de rechter gaan als u \
             niet betaalt"
        }
        (En, Action::SummonsWarning) => {
            "send you a final demand. It says that we will go to court if you do not pay"
        }
        (Nl, Action::ProposeLegalAction(LegalRoute::Court)) => {
            "voorstellen om naar de rechter te gaan (dagvaarding). Een medewerker beslist \
             daarover"
        }
        (En, Action::ProposeLegalAction(LegalRoute::Court)) => {
            "propose to go to court (a writ of summons). A member of staff decides on this"
        }
        (Nl, Action::ProposeLegalAction(LegalRoute::PaymentOrder)) => {
            "voorstellen om de rechter om een betalingsbevel te vragen. Een medewerker beslist \
             daarover"
        }
        (En, Action::ProposeLegalAction(LegalRoute::PaymentOrder)) => {
            "propose to ask the court for a payment order. A member of staff decides on this"
        }
        (Nl, Action::ProposeLegalAction(LegalRoute::Bailiff)) => {
            "voorstellen dat een deurwaarder het vonnis uitvoert. Een medewerker beslist daarover"
        }
        (En, Action::ProposeLegalAction(LegalRoute::Bailiff)) => {
            "propose that a bailiff enforces the judgment. A member of staff decides on this"
        }
        (Nl, Action::AddressCheck) => "controleren of uw adres klopt",
        (En, Action::AddressCheck) => "check that your address is correct",
        (Nl, Action::CreditCheck) => {
            "gegevens over uw financiële situatie opvragen bij een kredietbureau"
        }
        (En, Action::CreditCheck) => {
            "ask a credit bureau for information about your financial situation"
        }
        (Nl, Action::PhoneTask) => "u laten bellen door een medewerker",
        (En, Action::PhoneTask) => "ask a member of staff to call you",
        (Nl, Action::CloseCase) => "het dossier sluiten",
        (En, Action::CloseCase) => "close the case",
        (Nl, Action::ReturnToClient) => "het dossier teruggeven aan onze opdrachtgever",
        (En, Action::ReturnToClient) => "return the case to our client",
    }
}

fn hold_text(h: Hold, lang: Language) -> &'static str {
    match (lang, h) {
        (Nl, Hold::Dispute) => "u betwist de vordering. Wij wachten tot dat is opgelost",
        (En, Hold::Dispute) => "you dispute the claim. We wait until this is resolved",
        (Nl, Hold::DebtCounselling) => "u krijgt hulp bij uw schulden (schuldhulpverlening)",
        (En, Hold::DebtCounselling) => "you get help with your debts (debt counselling)",
        (Nl, Hold::Wsnp) => "de wettelijke schuldsanering (Wsnp) geldt voor u",
        (En, Hold::Wsnp) => "the statutory debt relief scheme (Wsnp) applies to you",
        (Nl, Hold::GdprRestriction) => {
            "u heeft gevraagd het gebruik van uw gegevens te beperken (artikel 18 AVG)"
        }
        (En, Hold::GdprRestriction) => {
            "you asked us to restrict the use of your data (article 18 GDPR)"
        }
        (Nl, Hold::PendingObjection) => {
            "wij bekijken uw bezwaar tegen het gebruik van uw gegevens (artikel 21 AVG)"
        }
        (En, Hold::PendingObjection) => {
            "we are looking at your objection to the use of your data (article 21 GDPR)"
        }
        (Nl, Hold::Deceased) => "de schuldenaar is overleden",
        (En, Hold::Deceased) => "the debtor has died",
        (Nl, Hold::LimitationExpired) => {
            "de vordering is verjaard. Wij vragen u niet meer om te betalen"
        }
        (En, Hold::LimitationExpired) => "the claim is time-barred. We no longer ask you to pay",
        (Nl, Hold::ActiveArrangement) => "u heeft een betalingsregeling en u houdt zich eraan",
        (En, Hold::ActiveArrangement) => "you have a payment plan and you keep to it",
        (Nl, Hold::ClientHold) => "onze opdrachtgever heeft gevraagd te wachten",
        (En, Hold::ClientHold) => "our client asked us to wait",
        (Nl, Hold::HumanReviewRequested) => {
            "u heeft gevraagd dat een medewerker opnieuw naar uw dossier kijkt"
        }
        (En, Hold::HumanReviewRequested) => {
            "you asked for a member of staff to look at your case again"
        }
        (Nl, Hold::ObjectionAccepted) => "uw bezwaar tegen de incasso is gehonoreerd",
        (En, Hold::ObjectionAccepted) => "your objection to collection was accepted",
    }
}

/// What an arrangement or direct-debit decision does, as the end of "we
/// will ...".
fn arrangement_action_text(a: ArrangementAction, lang: Language) -> &'static str {
    match (lang, a) {
        (Nl, ArrangementAction::Reminder) => {
            "u een herinnering sturen voor een termijn van uw betalingsregeling"
        }
        (En, ArrangementAction::Reminder) => {
            "send you a reminder about an instalment of your payment plan"
        }
        (Nl, ArrangementAction::Broken) => {
            "uw betalingsregeling beëindigen. De incasso gaat daarna verder"
        }
        (En, ArrangementAction::Broken) => "end your payment plan. Collection then continues",
        (Nl, ArrangementAction::Completed) => "het dossier sluiten, omdat u alles heeft betaald",
        (En, ArrangementAction::Completed) => "close the case, because you have paid everything",
        (Nl, ArrangementAction::DirectDebitRetry) => {
            "het bedrag nog één keer van uw rekening afschrijven"
        }
        (En, ArrangementAction::DirectDebitRetry) => {
            "collect the amount from your account once more"
        }
        (Nl, ArrangementAction::DirectDebitReopen) => "u vragen de termijn zelf over te maken",
        (En, ArrangementAction::DirectDebitReopen) => {
            "ask you to pay the instalment yourself by bank transfer"
        }
        (Nl, ArrangementAction::MandateStopped) => {
            "stoppen met afschrijven via deze machtiging. U betaalt de termijnen zelf"
        }
        (En, ArrangementAction::MandateStopped) => {
            "stop collecting on this direct debit mandate. You pay the instalments yourself"
        }
        (Nl, ArrangementAction::DirectDebitReturnReview) => {
            "een medewerker laten kijken naar de terugboeking door uw bank"
        }
        (En, ArrangementAction::DirectDebitReturnReview) => {
            "ask a member of staff to look at the payment your bank returned"
        }
    }
}

/// A legal step whose route is not known (a stored decision whose strategy
/// version is gone), as the end of "we will ...".
fn legal_step_text(lang: Language) -> &'static str {
    match lang {
        Nl => "voorstellen om juridische stappen te zetten. Een medewerker beslist daarover",
        En => "propose to take legal steps. A member of staff decides on this",
    }
}

fn var_name(v: Var, lang: Language) -> &'static str {
    match (lang, v) {
        (Nl, Var::DebtorType) => "soort schuldenaar",
        (En, Var::DebtorType) => "type of debtor",
        (Nl, Var::BalanceCents) => "openstaand bedrag",
        (En, Var::BalanceCents) => "amount owed",
        (Nl, Var::PrincipalCents) => "hoofdsom (het oorspronkelijke bedrag)",
        (En, Var::PrincipalCents) => "principal (the original amount)",
        (Nl, Var::DaysPastDue) => "dagen na de uiterste betaaldatum",
        (En, Var::DaysPastDue) => "days after the due date",
        (Nl, Var::DaysInCollection) => "dagen sinds wij het dossier kregen",
        (En, Var::DaysInCollection) => "days since we received the case",
        (Nl, Var::StepsDone) => "aantal eerdere stappen",
        (En, Var::StepsDone) => "number of earlier steps",
        (Nl, Var::Letter) => "14-dagenbrief",
        (En, Var::Letter) => "14-day letter",
        (Nl, Var::ScoreBand) => "risicoscore (A is het laagste risico, E het hoogste)",
        (En, Var::ScoreBand) => "risk score (A is the lowest risk, E the highest)",
        (Nl, Var::Address) => "adres",
        (En, Var::Address) => "address",
        (Nl, Var::Arrangement) => "betalingsregeling",
        (En, Var::Arrangement) => "payment plan",
        (Nl, Var::Dispute) => "betwisting",
        (En, Var::Dispute) => "dispute",
        (Nl, Var::PhoneKnown) => "telefoonnummer bekend",
        (En, Var::PhoneKnown) => "phone number known",
        (Nl, Var::EmailKnown) => "e-mailadres bekend",
        (En, Var::EmailKnown) => "e-mail address known",
        (Nl, Var::Judgment) => "vonnis van de rechter",
        (En, Var::Judgment) => "court judgment",
        (Nl, Var::DaysToLimitation) => "verjaring",
        (En, Var::DaysToLimitation) => "time limit (limitation)",
        (Nl, Var::Holds) => "redenen om te stoppen",
        (En, Var::Holds) => "reasons to stop",
    }
}

/// The variable as the subject of a condition ("... is at least 30 days").
fn condition_subject(v: Var, lang: Language) -> &'static str {
    match (lang, v) {
        (Nl, Var::DaysToLimitation) => "de tijd tot de verjaring",
        (En, Var::DaysToLimitation) => "the time until the claim is time-barred",
        (_, v) => var_name(v, lang),
    }
}

/// One enum value of a variable in words, by its code (position in the
/// variable's list of names, [`VarKind::Enum`]).
fn code_text(v: Var, code: usize, lang: Language) -> &'static str {
    match v {
        Var::DebtorType => match (lang, code) {
            (Nl, 0) => "consument",
            (Nl, _) => "bedrijf",
            (En, 0) => "consumer",
            (En, _) => "business",
        },
        Var::Letter => match (lang, LetterPhase::ALL.get(code)) {
            (Nl, Some(LetterPhase::NotSent) | None) => "niet verstuurd",
            (Nl, Some(LetterPhase::TermRunning)) => "verstuurd, de betaaltermijn loopt nog",
            (Nl, Some(LetterPhase::TermPassed)) => "verstuurd, de betaaltermijn is voorbij",
            (En, Some(LetterPhase::NotSent) | None) => "not sent",
            (En, Some(LetterPhase::TermRunning)) => "sent, the term to pay is still running",
            (En, Some(LetterPhase::TermPassed)) => "sent, the term to pay has passed",
        },
        Var::ScoreBand => match (lang, ScoreBand::ALL.get(code)) {
            (
                _,
                Some(
                    b @ (ScoreBand::A | ScoreBand::B | ScoreBand::C | ScoreBand::D | ScoreBand::E),
                ),
            ) => b.as_str(),
            (Nl, Some(ScoreBand::Unknown) | None) => "onbekend",
            (En, Some(ScoreBand::Unknown) | None) => "unknown",
        },
        Var::Address => match (lang, AddressStatus::ALL.get(code)) {
            (Nl, Some(AddressStatus::Verified)) => "gecontroleerd",
            (Nl, Some(AddressStatus::Unverified)) => "nog niet gecontroleerd",
            (Nl, Some(AddressStatus::Abroad)) => "in het buitenland",
            (Nl, Some(AddressStatus::Unknown) | None) => "onbekend",
            (En, Some(AddressStatus::Verified)) => "checked",
            (En, Some(AddressStatus::Unverified)) => "not yet checked",
            (En, Some(AddressStatus::Abroad)) => "abroad",
            (En, Some(AddressStatus::Unknown) | None) => "unknown",
        },
        Var::Arrangement => match (lang, ArrangementState::ALL.get(code)) {
            (Nl, Some(ArrangementState::Active)) => "loopt, u houdt zich eraan",
            (Nl, Some(ArrangementState::Broken)) => "niet nagekomen",
            (Nl, Some(ArrangementState::None) | None) => "geen",
            (En, Some(ArrangementState::Active)) => "running, you keep to it",
            (En, Some(ArrangementState::Broken)) => "not kept",
            (En, Some(ArrangementState::None) | None) => "none",
        },
        Var::Dispute => match (lang, DisputeState::ALL.get(code)) {
            (Nl, Some(DisputeState::Open)) => "loopt nog",
            (Nl, Some(DisputeState::Resolved)) => "afgehandeld",
            (Nl, Some(DisputeState::None) | None) => "geen",
            (En, Some(DisputeState::Open)) => "still open",
            (En, Some(DisputeState::Resolved)) => "resolved",
            (En, Some(DisputeState::None) | None) => "none",
        },
        // Not enumerated: conditions on them are ranges or yes/no.
        Var::BalanceCents
        | Var::PrincipalCents
        | Var::DaysPastDue
        | Var::DaysInCollection
        | Var::StepsDone
        | Var::PhoneKnown
        | Var::EmailKnown
        | Var::Judgment
        | Var::DaysToLimitation
        | Var::Holds => "",
    }
}

fn days(n: i64, lang: Language) -> String {
    match (lang, n) {
        (Nl, 1 | -1) => format!("{n} dag"),
        (Nl, _) => format!("{n} dagen"),
        (En, 1 | -1) => format!("{n} day"),
        (En, _) => format!("{n} days"),
    }
}

fn int_text(v: Var, n: i64, lang: Language) -> String {
    match v {
        Var::BalanceCents | Var::PrincipalCents => money(Money::from_cents(n), lang),
        Var::StepsDone => n.to_string(),
        _ => days(n, lang),
    }
}

/// A condition in words: "risicoscore is A of B", "amount owed is at least
/// EUR 500.00".
fn condition_text(c: &Condition, lang: Language) -> String {
    let name = condition_subject(c.var, lang);
    let (is, or, at_least, at_most, between, and) = match lang {
        Nl => (
            "is",
            "of",
            "is minstens",
            "is hoogstens",
            "ligt tussen",
            "en",
        ),
        En => ("is", "or", "is at least", "is at most", "is between", "and"),
    };
    match (c.test, c.var.kind()) {
        (Test::OneOf(mask), VarKind::Enum(names)) => {
            let values: Vec<&str> = (0..names.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| code_text(c.var, i, lang))
                .collect();
            let list = match values.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} {or} {last}", rest.join(", "))
                }
                _ => values.concat(),
            };
            format!("{name} {is} {list}")
        }
        (Test::Range { min, max }, _) if min == max => {
            format!("{name} {is} {}", int_text(c.var, min, lang))
        }
        (Test::Range { min, max: i64::MAX }, _) => {
            format!("{name} {at_least} {}", int_text(c.var, min, lang))
        }
        (Test::Range { min: i64::MIN, max }, _) => {
            format!("{name} {at_most} {}", int_text(c.var, max, lang))
        }
        (Test::Range { min, max }, _) => format!(
            "{name} {between} {} {and} {}",
            int_text(c.var, min, lang),
            int_text(c.var, max, lang)
        ),
        (Test::Is(b), _) => format!("{name} {is} {}", yes_no(b, lang)),
        (Test::OneOf(_), _) => name.to_owned(),
    }
}

/// A variable's value in words.
fn value_text(value: &VarValue, lang: Language) -> String {
    let code = |v: Var, c: u8| code_text(v, usize::from(c), lang).to_owned();
    match *value {
        VarValue::DebtorType(DebtorType::Consumer) => code(Var::DebtorType, 0),
        VarValue::DebtorType(DebtorType::Business) => code(Var::DebtorType, 1),
        VarValue::Money(m) => money(m, lang),
        VarValue::Days(n) => days(n, lang),
        VarValue::Count(n) => n.to_string(),
        VarValue::Letter(LetterState::NotSent) => code(Var::Letter, LetterPhase::NotSent.code()),
        VarValue::Letter(LetterState::TermRunning {
            sent_on,
            costs_from,
        }) => match lang {
            Nl => format!(
                "verstuurd op {}. Zonder incassokosten betalen kan tot en met {}",
                day_text(sent_on, lang),
                day_text(add_days(costs_from, -1), lang)
            ),
            En => format!(
                "sent on {}. Paying without collection costs is possible up to and including {}",
                day_text(sent_on, lang),
                day_text(add_days(costs_from, -1), lang)
            ),
        },
        VarValue::Letter(LetterState::TermPassed {
            sent_on,
            costs_from,
        }) => match lang {
            Nl => format!(
                "verstuurd op {}. Zonder incassokosten betalen kon tot en met {}",
                day_text(sent_on, lang),
                day_text(add_days(costs_from, -1), lang)
            ),
            En => format!(
                "sent on {}. Paying without collection costs was possible up to and including {}",
                day_text(sent_on, lang),
                day_text(add_days(costs_from, -1), lang)
            ),
        },
        VarValue::ScoreBand(b) => code(Var::ScoreBand, b.code()),
        VarValue::Address(a) => code(Var::Address, a.code()),
        VarValue::Arrangement(a) => code(Var::Arrangement, a.code()),
        VarValue::Dispute(d) => code(Var::Dispute, d.code()),
        VarValue::Bool(b) => yes_no(b, lang).to_owned(),
        VarValue::Limitation { days, last_day } => {
            let last = day_text(last_day, lang);
            match (lang, days >= 0) {
                (Nl, true) => format!("de vordering kan nog worden geëist tot en met {last}"),
                (Nl, false) => format!("de vordering is verjaard: de laatste dag was {last}"),
                (En, true) => format!("the claim can still be claimed up to and including {last}"),
                (En, false) => format!("the claim is time-barred: the last day was {last}"),
            }
        }
        VarValue::Holds(holds) => {
            if holds.is_empty() {
                if lang == Nl { "geen" } else { "none" }.into()
            } else {
                holds
                    .iter()
                    .map(|h| hold_text(h, lang))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
    }
}

fn arrangement_input_name(i: ArrangementInput, lang: Language) -> &'static str {
    use ArrangementInput as A;
    match (lang, i) {
        (Nl, A::Arrangement) => "betalingsregeling",
        (En, A::Arrangement) => "payment plan",
        (Nl, A::AsOf) => "datum van de controle",
        (En, A::AsOf) => "date of the check",
        (Nl, A::TotalCents) => "totaal van de regeling",
        (En, A::TotalCents) => "total of the plan",
        (Nl, A::PaidSinceAcceptanceCents) => "betaald sinds de start van de regeling",
        (En, A::PaidSinceAcceptanceCents) => "paid since the plan started",
        (Nl, A::DueSoFarCents) => "tot nu toe te betalen",
        (En, A::DueSoFarCents) => "due so far",
        (Nl, A::GraceDays) => "extra tijd om een termijn alsnog te betalen",
        (En, A::GraceDays) => "extra time to pay an instalment late",
        (Nl, A::ByDirectDebit) => "betaling via automatische incasso",
        (En, A::ByDirectDebit) => "payment by direct debit",
        (Nl, A::Instalment) => "termijn",
        (En, A::Instalment) => "instalment",
        (Nl, A::ExpectedBy) => "verwachte betaaldatum van de termijn",
        (En, A::ExpectedBy) => "day the instalment was expected",
        (Nl, A::GraceUntil) => "laatste dag om de termijn alsnog te betalen",
        (En, A::GraceUntil) => "last day to pay the instalment late",
        (Nl, A::EndToEndId) => "kenmerk van de afschrijving",
        (En, A::EndToEndId) => "reference of the direct debit",
        (Nl, A::ReturnReason) => "reden die de bank gaf",
        (En, A::ReturnReason) => "reason the bank gave",
        (Nl, A::CollectionDate) => "datum van de afschrijving",
        (En, A::CollectionDate) => "date of the direct debit",
        (Nl, A::AmountCents) => "bedrag",
        (En, A::AmountCents) => "amount",
        (Nl, A::Attempt) => "aantal pogingen tot nu toe",
        (En, A::Attempt) => "attempts so far",
        (Nl, A::AttemptsMax) => "hoogste aantal pogingen",
        (En, A::AttemptsMax) => "most attempts allowed",
        (Nl, A::PrenotificationDays) => "dagen dat wij een afschrijving vooraf aankondigen",
        (En, A::PrenotificationDays) => "days of notice before a direct debit",
        (Nl, A::RetryOn) => "nieuwe poging op",
        (En, A::RetryOn) => "next attempt on",
    }
}

/// An arrangement input's stored value in words; `None` when it is not of
/// the input's type.
fn arrangement_input_value(i: ArrangementInput, raw: &str, lang: Language) -> Option<String> {
    use ArrangementInputKind as K;
    let raw = raw.trim();
    Some(match i.kind() {
        K::Numbered => {
            let n: u64 = raw.parse().ok()?;
            match lang {
                Nl => format!("nummer {n}"),
                En => format!("number {n}"),
            }
        }
        K::Count => raw.parse::<u64>().ok()?.to_string(),
        K::Days => days(raw.parse().ok()?, lang),
        K::Cents => money(Money::from_cents(raw.parse().ok()?), lang),
        K::Date => day_text(raw.parse().ok()?, lang),
        K::DateOrNone if raw == "none" => if lang == Nl { "geen" } else { "none" }.to_owned(),
        K::DateOrNone => day_text(raw.parse().ok()?, lang),
        K::Bool => yes_no(raw.parse().ok()?, lang).to_owned(),
        // A reference the debtor may see on a bank statement, or a bank's
        // reason code (AM04): shown as given, if it is one.
        K::Reference
            if !raw.is_empty()
                && raw
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.')) =>
        {
            raw.to_owned()
        }
        K::Reference => return None,
    })
}

fn skip_text(reason: &SkipReason, lang: Language) -> String {
    match (lang, reason) {
        (_, SkipReason::ConditionNotMet(c)) => match lang {
            Nl => format!("deze stap geldt alleen als {}", condition_text(c, lang)),
            En => format!("this step is only for when {}", condition_text(c, lang)),
        },
        (Nl, SkipReason::LetterOnlyForConsumers) => {
            "de 14-dagenbrief is alleen voor consumenten".into()
        }
        (En, SkipReason::LetterOnlyForConsumers) => {
            "the 14-day letter is only for consumers".into()
        }
        (Nl, SkipReason::LetterAlreadySent) => "er is al een 14-dagenbrief verstuurd".into(),
        (En, SkipReason::LetterAlreadySent) => "a 14-day letter was already sent".into(),
        (
            Nl,
            SkipReason::NoLegalStepsForClaim {
                legal_action_allowed: false,
                ..
            },
        ) => "onze opdrachtgever laat geen juridische stappen zetten. Wij dreigen daar dus ook \
              niet mee"
            .into(),
        (
            En,
            SkipReason::NoLegalStepsForClaim {
                legal_action_allowed: false,
                ..
            },
        ) => "our client does not let us take legal steps. So we do not threaten with them \
              either"
            .into(),
        (Nl, SkipReason::NoLegalStepsForClaim { min_balance, .. }) => format!(
            "wij zetten pas juridische stappen als er minstens {} openstaat. Wij dreigen niet \
             met stappen die wij niet zetten",
            money(*min_balance, lang)
        ),
        (En, SkipReason::NoLegalStepsForClaim { min_balance, .. }) => format!(
            "we only take legal steps when at least {} is owed. We do not threaten with steps \
             we will not take",
            money(*min_balance, lang)
        ),
        (Nl, SkipReason::NoJudgment) => {
            "er is geen vonnis. Zonder vonnis kan een deurwaarder niets uitvoeren".into()
        }
        (En, SkipReason::NoJudgment) => {
            "there is no judgment. Without one a bailiff cannot enforce anything".into()
        }
        (Nl, SkipReason::OutsideProcessorMandate) => {
            "wij beheren deze factuur alleen namens de verkoper. Dan sturen wij herinneringen \
             en helpen wij u, maar wij doen geen incassostappen"
                .into()
        }
        (En, SkipReason::OutsideProcessorMandate) => {
            "we only manage this invoice on behalf of the seller. We send reminders and help \
             you, but we take no collection steps"
                .into()
        }
    }
}

// ---- The parts both explainers write ----
//
// Writing to a String cannot fail, so the results of `writeln!` are
// dropped.

fn write_heading(out: &mut String, day: Date, lang: Language) {
    let day = day_text(day, lang);
    let _ = match lang {
        Nl => writeln!(out, "Beslissing over uw dossier op {day}\n"),
        En => writeln!(out, "Decision on your case on {day}\n"),
    };
}

fn write_decided(out: &mut String, what: &str, lang: Language) {
    let _ = match lang {
        Nl => writeln!(out, "Wat hebben wij besloten?\n{what}"),
        En => writeln!(out, "What did we decide?\n{what}"),
    };
}

/// "We will {action}."
fn we_will(action: &str, lang: Language) -> String {
    match lang {
        Nl => format!("Wij gaan {action}."),
        En => format!("We will {action}."),
    }
}

/// Which rules decided: the version only. Strategy and step ids are staff
/// references and are left out of the text; they are stored with the
/// decision and shown next to it (`strategy_id`, `rule` in the JSON).
fn write_rules(out: &mut String, kind: RulesKind, version: i64, lang: Language) {
    let _ = match lang {
        Nl => writeln!(out, "\nWaarom?"),
        En => writeln!(out, "\nWhy?"),
    };
    let _ = match (lang, kind) {
        (Nl, RulesKind::Strategy) => writeln!(
            out,
            "Wij werken met vaste stappen, die vooraf zijn vastgelegd (versie {version})."
        ),
        (En, RulesKind::Strategy) => {
            writeln!(
                out,
                "We work with fixed steps, set in advance (version {version})."
            )
        }
        (Nl, RulesKind::Arrangement) => writeln!(
            out,
            "Wij werken met vaste regels voor betalingsregelingen (versie {version})."
        ),
        (En, RulesKind::Arrangement) => writeln!(
            out,
            "We work with fixed rules for payment plans (version {version})."
        ),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RulesKind {
    Strategy,
    Arrangement,
}

/// The step by its number (index + 1), its waiting period, and the
/// conditions that held.
fn write_step(
    out: &mut String,
    index: u16,
    wait_days: u16,
    conditions: Option<&[Condition]>,
    lang: Language,
) {
    let n = usize::from(index) + 1;
    let _ = match (lang, wait_days) {
        (Nl, 0) => writeln!(out, "Dit is stap {n}."),
        (Nl, w) => writeln!(
            out,
            "Dit is stap {n}. Deze stap komt {} na de vorige stap.",
            days(i64::from(w), lang)
        ),
        (En, 0) => writeln!(out, "This is step {n}."),
        (En, w) => writeln!(
            out,
            "This is step {n}. It comes {} after the previous step.",
            days(i64::from(w), lang)
        ),
    };
    if let Some(conditions) = conditions.filter(|c| !c.is_empty()) {
        let _ = match lang {
            Nl => writeln!(out, "Deze stap geldt omdat:"),
            En => writeln!(out, "This step applies because:"),
        };
        for c in conditions {
            let _ = writeln!(out, "- {}.", condition_text(c, lang));
        }
    }
}

fn write_data(out: &mut String, items: impl Iterator<Item = (String, String)>, lang: Language) {
    let _ = match lang {
        Nl => writeln!(out, "\nWelke gegevens hebben wij gebruikt?"),
        En => writeln!(out, "\nWhich data did we use?"),
    };
    for (name, value) in items {
        let _ = writeln!(out, "- {name}: {value}.");
    }
}

/// Where a decision stands with a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// Carried out without a person.
    Automatic,
    /// A person looks before anything is carried out.
    Pending,
    Approved,
    Rejected,
}

fn write_review(out: &mut String, review: Review, lang: Language) {
    let _ = match lang {
        Nl => writeln!(out, "\nWilt u dat een medewerker opnieuw kijkt?"),
        En => writeln!(out, "\nDo you want a member of staff to look again?"),
    };
    let _ = match lang {
        Nl => writeln!(
            out,
            "Deze beslissing is automatisch genomen, met vaste regels en de gegevens \
             hierboven."
        ),
        En => writeln!(
            out,
            "This decision was made automatically, with fixed rules and the data above."
        ),
    };
    let state = match (lang, review) {
        (_, Review::Automatic) => None,
        (Nl, Review::Pending) => {
            Some("Een medewerker bekijkt deze beslissing voordat wij iets doen.")
        }
        (En, Review::Pending) => {
            Some("A member of staff checks this decision before we do anything.")
        }
        (Nl, Review::Approved) => {
            Some("Een medewerker heeft deze beslissing bekeken en goedgekeurd.")
        }
        (En, Review::Approved) => Some("A member of staff has checked and approved this decision."),
        (Nl, Review::Rejected) => Some(
            "Een medewerker heeft deze beslissing bekeken en afgewezen. Wij voeren haar niet uit.",
        ),
        (En, Review::Rejected) => Some(
            "A member of staff has checked and rejected this decision. We will not carry it out.",
        ),
    };
    if let Some(state) = state {
        let _ = writeln!(out, "{state}");
    }
    let _ = match lang {
        Nl => writeln!(
            out,
            "U mag altijd vragen dat een medewerker de beslissing opnieuw bekijkt. U mag \
             ook uw mening geven en de beslissing aanvechten (artikel 22 AVG). Neem contact \
             met ons op en noem uw dossiernummer. Tot de medewerker heeft gekeken, zetten \
             wij de incasso stil."
        ),
        En => writeln!(
            out,
            "You may always ask for a member of staff to look at the decision again. You \
             may also give your view and challenge the decision (article 22 GDPR). Contact \
             us and give your case number. Until the member of staff has looked, we pause \
             collection."
        ),
    };
}

impl Decision {
    /// The decision in plain language (level B1), for the person concerned:
    /// what was decided, why, on which data, and how to ask for a person to
    /// look again (GDPR art. 22).
    pub fn explain(&self, lang: Language) -> String {
        let mut out = String::with_capacity(2048);
        let step_action = self.step.as_ref().map(|s| s.action);
        write_heading(&mut out, self.as_of, lang);

        // What was decided.
        let what = match (&self.outcome, lang) {
            (Outcome::Act(a), _) => we_will(action_text(*a, lang), lang),
            (Outcome::Wait { until, reason }, _) => {
                let next = step_action.map(|a| action_text(a, lang)).unwrap_or("");
                match (reason, lang) {
                    (WaitReason::WaitingPeriod, Nl) => format!(
                        "Wij doen vandaag niets. Op zijn vroegst op {} gaan wij {next}.",
                        day_text(*until, lang)
                    ),
                    (WaitReason::WaitingPeriod, En) => format!(
                        "We do nothing today. On {} at the earliest, we will {next}.",
                        day_text(*until, lang)
                    ),
                    (WaitReason::FourteenDayTerm { costs_from, .. }, Nl) => format!(
                        "Wij doen vandaag niets. U kunt nog zonder incassokosten betalen tot en \
                         met {}. Pas vanaf {} mogen wij {next}.",
                        day_text(add_days(*costs_from, -1), lang),
                        day_text(*costs_from, lang)
                    ),
                    (WaitReason::FourteenDayTerm { costs_from, .. }, En) => format!(
                        "We do nothing today. You can still pay without collection costs up to \
                         and including {}. Only from {} may we {next}.",
                        day_text(add_days(*costs_from, -1), lang),
                        day_text(*costs_from, lang)
                    ),
                    (WaitReason::NotInDefault { in_default_from }, Nl) => format!(
                        "Wij doen vandaag niets. De betaaltermijn is nog niet voorbij. Pas vanaf \
                         {} bent u te laat met betalen (in verzuim). Dan mogen wij {next}.",
                        day_text(*in_default_from, lang)
                    ),
                    (WaitReason::NotInDefault { in_default_from }, En) => format!(
                        "We do nothing today. The time to pay has not ended yet. Only from {} \
                         are you late in paying (in default). Then we may {next}.",
                        day_text(*in_default_from, lang)
                    ),
                    (WaitReason::ConditionNotMet(c), Nl) => format!(
                        "Wij doen vandaag niets. De volgende stap is: {next}. Die stap wacht tot \
                         {}. Wij kijken opnieuw op {}.",
                        condition_text(c, lang),
                        day_text(*until, lang)
                    ),
                    (WaitReason::ConditionNotMet(c), En) => format!(
                        "We do nothing today. The next step is: {next}. That step waits until \
                         {}. We will look again on {}.",
                        condition_text(c, lang),
                        day_text(*until, lang)
                    ),
                }
            }
            (Outcome::Held(holds), _) => {
                let stop = holds.iter().any(|h| !h.is_pause());
                let mut s = match (lang, stop) {
                    (Nl, false) => "Wij hebben de incasso gepauzeerd. Dit is de reden:".to_owned(),
                    (Nl, true) => "Wij hebben de incasso gestopt. Dit is de reden:".to_owned(),
                    (En, false) => "We have paused collection. This is the reason:".to_owned(),
                    (En, true) => "We have stopped collection. This is the reason:".to_owned(),
                };
                for h in holds.iter() {
                    s.push_str("\n- ");
                    s.push_str(hold_text(h, lang));
                    s.push('.');
                }
                s
            }
            (Outcome::Blocked(Blocked::CostsWithoutFourteenDayLetter), Nl) => {
                "Wij doen vandaag niets. Een medewerker kijkt eerst naar uw dossier. De volgende \
                 stap vraagt incassokosten, maar u heeft geen 14-dagenbrief gekregen. Zonder die \
                 brief mogen wij geen incassokosten vragen."
                    .to_owned()
            }
            (Outcome::Blocked(Blocked::CostsWithoutFourteenDayLetter), En) => {
                "We do nothing today. A member of staff will look at your case first. The next \
                 step asks for collection costs, but you have not received a 14-day letter. \
                 Without that letter we may not ask for collection costs."
                    .to_owned()
            }
            (Outcome::Finished, Nl) => {
                "Alle stappen zijn gedaan. Wij doen niets meer zonder dat een medewerker naar \
                 uw dossier kijkt."
                    .to_owned()
            }
            (Outcome::Finished, En) => {
                "All steps are done. We do nothing more until a member of staff has looked at \
                 your case."
                    .to_owned()
            }
            (Outcome::NothingOwed, Nl) => {
                "U hoeft niets meer te betalen. Wij doen niets meer.".to_owned()
            }
            (Outcome::NothingOwed, En) => {
                "You owe nothing more. We take no further steps.".to_owned()
            }
        };
        write_decided(&mut out, &what, lang);
        if let Some(at) = self.contact_from {
            let _ = match lang {
                Nl => writeln!(
                    out,
                    "Wij nemen alleen contact op tussen 07:00 en 20:00 uur, en niet op zondag of \
                     een feestdag. Dit gebeurt dus niet eerder dan {}.",
                    date_time(at, lang)
                ),
                En => writeln!(
                    out,
                    "We only contact you between 07:00 and 20:00, and not on Sundays or public \
                     holidays. So this will not happen before {}.",
                    date_time(at, lang)
                ),
            };
        }

        // Why.
        write_rules(
            &mut out,
            RulesKind::Strategy,
            i64::from(self.strategy.version),
            lang,
        );
        if let Some(step) = &self.step {
            let applied = matches!(self.outcome, Outcome::Act(_)).then_some(&*step.conditions);
            write_step(&mut out, step.index, step.wait_days, applied, lang);
        }
        if !self.skipped.is_empty() {
            let _ = match lang {
                Nl => writeln!(out, "Deze stappen hebben wij overgeslagen:"),
                En => writeln!(out, "We skipped these steps:"),
            };
            for s in &self.skipped {
                let _ = match lang {
                    Nl => writeln!(
                        out,
                        "- stap {}: {}.",
                        usize::from(s.step.index) + 1,
                        skip_text(&s.reason, lang)
                    ),
                    En => writeln!(
                        out,
                        "- step {}: {}.",
                        usize::from(s.step.index) + 1,
                        skip_text(&s.reason, lang)
                    ),
                };
            }
        }

        // On which data.
        write_data(
            &mut out,
            self.used.iter().map(|v| {
                (
                    var_name(v, lang).to_owned(),
                    value_text(&self.variables.typed(v), lang),
                )
            }),
            lang,
        );

        // Review.
        let review = if self.needs_review {
            Review::Pending
        } else {
            Review::Automatic
        };
        write_review(&mut out, review, lang);
        out
    }
}

/// A decision as stored (R39: every automated decision stores its inputs,
/// its rule and the rules' version), to explain later, when the facts of
/// the day are gone: from the daily run (a strategy's step) or from the
/// monitoring of payment arrangements and direct debits
/// (`source` `arrangement` or `direct_debit`, [`crate::arrangement::why`]).
#[derive(Debug, Clone, Copy)]
pub struct StoredDecision<'a> {
    pub made_on: Date,
    /// The strategy id, or `arrangement` / `direct_debit`.
    pub source: &'a str,
    pub version: i64,
    /// The step id, or the arrangement rule.
    pub rule: &'a str,
    /// The action as stored (`Action::as_str`, or [`ArrangementAction`]).
    pub action: &'a str,
    /// `name=value` lines: [`VarValue::stored`] for a strategy's
    /// variables, [`ArrangementInput`] for arrangements.
    pub inputs: &'a str,
    /// The step as it stood in the strategy version that decided, with its
    /// index; `None` when that version is not stored.
    pub step: Option<(u16, &'a Step)>,
    pub review: Review,
}

impl StoredDecision<'_> {
    fn is_arrangement(&self) -> bool {
        matches!(self.source, "arrangement" | "direct_debit")
    }

    /// The stored decision in plain language (level B1), with the same
    /// texts as [`Decision::explain`]. Identifiers (strategy, step and
    /// action ids, variable names) are not in it: each is said in words.
    pub fn explain(&self, lang: Language) -> String {
        let mut out = String::with_capacity(2048);
        write_heading(&mut out, self.made_on, lang);
        let action = if let Some((_, step)) = self.step {
            action_text(step.action(), lang)
        } else if let Some(a) = ArrangementAction::parse(self.action) {
            arrangement_action_text(a, lang)
        } else if self.action == Action::ProposeLegalAction(LegalRoute::Court).as_str() {
            legal_step_text(lang)
        } else if let Some(a) = Action::parse(self.action, None) {
            action_text(a, lang)
        } else {
            match lang {
                Nl => "een volgende stap zetten in uw dossier",
                En => "take a next step in your case",
            }
        };
        write_decided(&mut out, &we_will(action, lang), lang);

        if self.is_arrangement() {
            write_rules(&mut out, RulesKind::Arrangement, self.version, lang);
            if let Some(why) = crate::arrangement::why(self.source, self.rule, lang) {
                let mut chars = why.chars();
                if let Some(first) = chars.next() {
                    let _ = writeln!(out, "{}{}", first.to_uppercase(), chars.as_str());
                }
            }
        } else {
            write_rules(&mut out, RulesKind::Strategy, self.version, lang);
            if let Some((index, step)) = self.step {
                write_step(
                    &mut out,
                    index,
                    step.wait_days(),
                    Some(step.conditions()),
                    lang,
                );
            }
        }

        let items = self
            .inputs
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(name, raw)| self.input_text(name.trim(), raw, lang));
        write_data(&mut out, items, lang);
        write_review(&mut out, self.review, lang);
        out
    }

    /// One stored input in words. An input this release does not know, or
    /// a value not of its type, is shown as stored: the person is told all
    /// data the decision used, even in a spelling meant for staff.
    fn input_text(&self, name: &str, raw: &str, lang: Language) -> (String, String) {
        let known = if self.is_arrangement() {
            ArrangementInput::parse(name).and_then(|i| {
                Some((
                    arrangement_input_name(i, lang),
                    arrangement_input_value(i, raw, lang)?,
                ))
            })
        } else {
            Var::parse(name).and_then(|v| {
                Some((
                    var_name(v, lang),
                    value_text(&VarValue::parse_stored(v, raw)?, lang),
                ))
            })
        };
        match known {
            Some((name, value)) => (name.to_owned(), value),
            None => (name.to_owned(), raw.trim().to_owned()),
        }
    }
}

/// What in an explanation is an identifier rather than words: snake_case
/// (`term_passed`, `balance_cents`), lists and tests in the spelling of
/// strategy files (`[`, `]`, `=`), and, in Dutch, any name a strategy file
/// or a stored decision uses (`verified`, `dispute`, `reminder`). Strategy
/// and step ids of the shipped strategies are checked in both languages.
#[cfg(test)]
pub(crate) fn untranslated(text: &str, lang: Language) -> Vec<String> {
    use crate::vars::VarKind;
    let mut found = Vec::new();
    for bad in ["_", "[", "]", "=", "cents", "'"] {
        if text.contains(bad) {
            found.push(bad.to_owned());
        }
    }
    let mut ids: Vec<String> = Vec::new();
    if let Ok(defaults) = crate::defaults() {
        for s in &defaults.strategies {
            ids.push(s.id().to_owned());
            ids.extend(
                s.steps()
                    .iter()
                    .map(|st| st.id().to_owned())
                    .filter(|id| id.contains(['_', '-'])),
            );
        }
    }
    if lang == Nl {
        let mut names: Vec<&str> = Vec::new();
        names.extend(Var::ALL.iter().map(|v| v.as_str()));
        names.extend(Hold::ALL.iter().map(|h| h.as_str()));
        names.extend(crate::ACTION_NAMES);
        names.extend(LegalRoute::ALL.iter().map(|r| r.as_str()));
        names.extend(ArrangementAction::ALL.iter().map(|a| a.as_str()));
        names.extend(ArrangementInput::ALL.iter().map(|a| a.as_str()));
        for v in Var::ALL {
            if let VarKind::Enum(values) = v.kind() {
                names.extend(values.iter().filter(|n| n.len() > 1));
            }
        }
        ids.extend(names.into_iter().map(str::to_owned));
    }
    let words: std::collections::HashSet<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .collect();
    found.extend(ids.into_iter().filter(|id| words.contains(id.as_str())));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrangement::{ARRANGEMENT_RULES_VERSION, why};
    use crate::facts::HoldSet;

    fn day(y: i16, m: i8, d: i8) -> Date {
        jiff::civil::date(y, m, d)
    }

    const LANGS: [Language; 2] = [Nl, En];

    fn clean(text: &str, lang: Language, what: &str) {
        let bad = untranslated(text, lang);
        assert!(bad.is_empty(), "{what} ({lang:?}): {bad:?} in\n{text}");
    }

    /// Every action of a strategy, with every route.
    fn actions() -> Vec<Action> {
        let mut all = Vec::new();
        for name in crate::ACTION_NAMES {
            if let Some(a) = Action::parse(name, None) {
                all.push(a);
            }
        }
        all.extend(
            LegalRoute::ALL
                .iter()
                .map(|r| Action::ProposeLegalAction(*r)),
        );
        all
    }

    /// Every value of `var`, enumerated from its type.
    fn values(var: Var) -> Vec<VarValue> {
        let on = day(2026, 11, 21);
        let later = day(2026, 12, 8);
        match var.kind() {
            VarKind::Enum(names) => {
                let vs: Vec<VarValue> = names
                    .iter()
                    .filter_map(|n| VarValue::parse_stored(var, n))
                    .collect();
                let mut vs = if var == Var::Letter {
                    // A letter sent has its dates.
                    vec![
                        VarValue::Letter(LetterState::NotSent),
                        VarValue::Letter(LetterState::TermRunning {
                            sent_on: on,
                            costs_from: later,
                        }),
                        VarValue::Letter(LetterState::TermPassed {
                            sent_on: on,
                            costs_from: later,
                        }),
                    ]
                } else {
                    vs
                };
                vs.dedup();
                assert_eq!(vs.len(), names.len(), "{var}: every name is a value");
                vs
            }
            VarKind::Bool => vec![VarValue::Bool(true), VarValue::Bool(false)],
            VarKind::Holds => {
                let mut vs = vec![VarValue::Holds(HoldSet::EMPTY)];
                vs.extend(
                    Hold::ALL
                        .iter()
                        .map(|h| VarValue::Holds(HoldSet::of(&[*h]))),
                );
                vs.push(VarValue::Holds(HoldSet::of(Hold::ALL)));
                vs
            }
            VarKind::Int => match var {
                Var::BalanceCents | Var::PrincipalCents => vec![
                    VarValue::Money(Money::from_cents(26_92)),
                    VarValue::Money(Money::from_cents(1_234_567_89)),
                    VarValue::Money(Money::from_cents(-5_00)),
                ],
                Var::StepsDone => vec![VarValue::Count(0), VarValue::Count(3)],
                Var::DaysToLimitation => vec![
                    VarValue::Limitation {
                        days: 1777,
                        last_day: later,
                    },
                    VarValue::Limitation {
                        days: -3,
                        last_day: on,
                    },
                ],
                _ => vec![VarValue::Days(1), VarValue::Days(45)],
            },
        }
    }

    /// Every form a condition on `var` can take.
    fn conditions(var: Var) -> Vec<Condition> {
        let tests = match var.kind() {
            VarKind::Enum(names) => {
                let mut t: Vec<Test> = (0..names.len()).map(|i| Test::OneOf(1 << i)).collect();
                t.push(Test::OneOf(0b11));
                t.push(Test::OneOf((1 << names.len()) - 1));
                t
            }
            VarKind::Int => vec![
                Test::Range { min: 30, max: 30 },
                Test::Range {
                    min: 50_000,
                    max: i64::MAX,
                },
                Test::Range {
                    min: i64::MIN,
                    max: 30,
                },
                Test::Range { min: 1, max: 3 },
            ],
            VarKind::Bool => vec![Test::Is(true), Test::Is(false)],
            VarKind::Holds => vec![],
        };
        tests
            .into_iter()
            .map(|test| Condition { var, test })
            .collect()
    }

    fn stored<'a>(
        source: &'a str,
        rule: &'a str,
        action: &'a str,
        inputs: &'a str,
        step: Option<(u16, &'a Step)>,
        review: Review,
    ) -> StoredDecision<'a> {
        StoredDecision {
            made_on: day(2026, 11, 21),
            source,
            version: 1,
            rule,
            action,
            inputs,
            step,
            review,
        }
    }

    #[test]
    fn every_variable_value_and_condition_is_in_words() {
        let all_values: String = Var::ALL
            .iter()
            .flat_map(|v| {
                values(*v)
                    .into_iter()
                    .map(move |x| format!("{v}={}", x.stored()))
            })
            .collect::<Vec<_>>()
            .join("\n");
        for lang in LANGS {
            for v in Var::ALL {
                clean(var_name(*v, lang), lang, v.as_str());
                let texts: Vec<String> = values(*v).iter().map(|x| value_text(x, lang)).collect();
                for (x, t) in values(*v).iter().zip(&texts) {
                    assert!(!t.is_empty(), "{v} {x:?}: no text");
                    clean(t, lang, v.as_str());
                    // The stored spelling reads back as the same value.
                    assert_eq!(VarValue::parse_stored(*v, &x.stored()), Some(*x), "{v}");
                }
                let mut distinct = texts.clone();
                distinct.sort();
                distinct.dedup();
                assert_eq!(
                    distinct.len(),
                    texts.len(),
                    "{v}: two values, one text: {texts:?}"
                );
                for c in conditions(*v) {
                    clean(&condition_text(&c, lang), lang, &c.to_string());
                }
            }
            // All of them as the inputs of one stored decision.
            let text = stored(
                "consumer-standard",
                "first_demand",
                "first_demand",
                &all_values,
                None,
                Review::Automatic,
            )
            .explain(lang);
            clean(&text, lang, "all values stored");
        }
    }

    #[test]
    fn every_action_is_in_words() {
        let defaults = crate::defaults().unwrap();
        for lang in LANGS {
            let mut texts: Vec<&str> = actions().iter().map(|a| action_text(*a, lang)).collect();
            texts.extend(
                ArrangementAction::ALL
                    .iter()
                    .map(|a| arrangement_action_text(*a, lang)),
            );
            texts.push(legal_step_text(lang));
            for t in &texts {
                clean(t, lang, "action");
            }
            let n = texts.len();
            texts.sort_unstable();
            texts.dedup();
            assert_eq!(texts.len(), n, "two actions, one text");
            // Stored, by the action's name alone (the strategy version gone).
            for name in crate::ACTION_NAMES {
                for review in [
                    Review::Automatic,
                    Review::Pending,
                    Review::Approved,
                    Review::Rejected,
                ] {
                    let text =
                        stored("consumer-standard", name, name, "", None, review).explain(lang);
                    clean(&text, lang, name);
                }
            }
            // Stored, with each shipped step as its strategy version had it.
            for s in &defaults.strategies {
                for (i, step) in s.steps().iter().enumerate() {
                    let index = u16::try_from(i).unwrap();
                    let text = stored(
                        s.id(),
                        step.id(),
                        step.action().as_str(),
                        "balance_cents=2692",
                        Some((index, step)),
                        Review::Pending,
                    )
                    .explain(lang);
                    clean(&text, lang, step.id());
                    assert!(text.contains(action_text(step.action(), lang)), "{text}");
                }
            }
        }
    }

    #[test]
    fn every_arrangement_decision_is_in_words() {
        let value = |i: ArrangementInput| match i.kind() {
            ArrangementInputKind::Numbered | ArrangementInputKind::Count => "2",
            ArrangementInputKind::Days => "14",
            ArrangementInputKind::Cents => "12500",
            ArrangementInputKind::Date | ArrangementInputKind::DateOrNone => "2026-12-02",
            ArrangementInputKind::Bool => "true",
            ArrangementInputKind::Reference => "KW0000000123-7-1",
        };
        let inputs: String = ArrangementInput::ALL
            .iter()
            .map(|i| i.line(value(*i)))
            .chain(["retry_on=none".to_owned()])
            .collect::<Vec<_>>()
            .join("\n");
        let cases = [
            ("arrangement", "instalment_missed"),
            ("arrangement", "grace_expired"),
            ("arrangement", "paid_in_full"),
            ("direct_debit", "return_am04"),
        ];
        for lang in LANGS {
            for i in ArrangementInput::ALL {
                clean(arrangement_input_name(*i, lang), lang, i.as_str());
                let v = arrangement_input_value(*i, value(*i), lang);
                assert!(v.is_some(), "{i}: its value reads");
                clean(&v.unwrap_or_default(), lang, i.as_str());
            }
            for (source, rule) in cases {
                assert!(why(source, rule, lang).is_some(), "{source} {rule}");
                for a in ArrangementAction::ALL {
                    let text = stored(source, rule, a.as_str(), &inputs, None, Review::Automatic)
                        .explain(lang);
                    clean(&text, lang, a.as_str());
                    assert!(text.contains(arrangement_action_text(*a, lang)), "{text}");
                }
            }
        }
        let text = stored(
            "arrangement",
            "grace_expired",
            "arrangement_broken",
            "total_cents=35001\ngrace_until=2026-12-02",
            None,
            Review::Automatic,
        )
        .explain(En);
        assert!(
            text.contains("- total of the plan: EUR 350.01.\n")
                && text.contains("- last day to pay the instalment late: 2 December 2026.\n")
                && text.contains(&format!(
                    "fixed rules for payment plans (version {ARRANGEMENT_RULES_VERSION})"
                )),
            "{text}"
        );
    }

    #[test]
    fn rows_stored_before_amounts_in_cents_still_explain() {
        // Before: the amount in euros under a `_cents` name.
        let old = "balance_cents=26.92\nletter=term_passed (sent on 2026-11-01, costs from \
                   2026-11-17)\naddress=verified\ndays_to_limitation=1777 (last day \
                   2031-10-15)\nholds=none";
        let new = old.replace("26.92", "2692");
        for inputs in [old, new.as_str()] {
            let nl = stored(
                "consumer-standard",
                "first_demand",
                "first_demand",
                inputs,
                None,
                Review::Automatic,
            )
            .explain(Nl);
            clean(&nl, Nl, inputs);
            assert!(
                nl.contains("- openstaand bedrag: € 26,92.\n")
                    && nl.contains(
                        "- 14-dagenbrief: verstuurd op 1 november 2026. Zonder incassokosten \
                         betalen kon tot en met 16 november 2026.\n"
                    )
                    && nl.contains("- adres: gecontroleerd.\n")
                    && nl.contains("kan nog worden geëist tot en met 15 oktober 2031.\n"),
                "{nl}"
            );
            let en = stored(
                "consumer-standard",
                "first_demand",
                "first_demand",
                inputs,
                None,
                Review::Automatic,
            )
            .explain(En);
            assert!(en.contains("- amount owed: EUR 26.92.\n"), "{en}");
        }
    }

    #[test]
    fn a_stored_decision_explained() {
        let s = crate::defaults().unwrap().strategies.remove(0);
        let index = s.index_of("address_check").unwrap();
        let step = &s.steps()[usize::from(index)];
        let got = stored(
            s.id(),
            step.id(),
            step.action().as_str(),
            "debtor_type=consumer\nbalance_cents=2692\naddress=unverified\nholds=none",
            Some((index, step)),
            Review::Automatic,
        )
        .explain(Nl);
        let expected = "\
Beslissing over uw dossier op 21 november 2026

Wat hebben wij besloten?
Wij gaan controleren of uw adres klopt.

Waarom?
Wij werken met vaste stappen, die vooraf zijn vastgelegd (versie 1).
Dit is stap 1.
Deze stap geldt omdat:
- adres is nog niet gecontroleerd of onbekend.

Welke gegevens hebben wij gebruikt?
- soort schuldenaar: consument.
- openstaand bedrag: € 26,92.
- adres: nog niet gecontroleerd.
- redenen om te stoppen: geen.

Wilt u dat een medewerker opnieuw kijkt?
Deze beslissing is automatisch genomen, met vaste regels en de gegevens hierboven.
U mag altijd vragen dat een medewerker de beslissing opnieuw bekijkt. U mag ook uw mening geven en de beslissing aanvechten (artikel 22 AVG). Neem contact met ons op en noem uw dossiernummer. Tot de medewerker heeft gekeken, zetten wij de incasso stil.
";
        assert_eq!(got, expected, "\n{got}");
    }

    #[test]
    fn the_check_finds_identifiers() {
        let check = |text: &str, lang: Language, expected: &[&str]| {
            assert_eq!(untranslated(text, lang), expected, "{text}");
        };
        check(
            "adres in [verified, unverified]",
            Nl,
            &["[", "]", "verified", "unverified"],
        );
        check("- letter: term_passed", En, &["_"]);
        check("balance_cents: 26.92", Nl, &["_", "cents", "balance_cents"]);
        check("stap 4 van consumer-standard", En, &["consumer-standard"]);
        check("Wij gaan u een herinnering sturen.", Nl, &[]);
    }

    #[test]
    fn an_unknown_input_is_shown_as_stored() {
        let text = stored(
            "consumer-standard",
            "x",
            "reminder",
            "colour=red",
            None,
            Review::Automatic,
        )
        .explain(En);
        assert!(text.contains("- colour: red.\n"), "{text}");
    }
}
