//! Plain-language explanations of decisions (R39, GDPR art. 22; Wkid: plain
//! language, level B1), in Dutch and English, addressed to the person
//! concerned.

use std::fmt::Write as _;

use jiff::civil::DateTime;
use kwijting_domain::{Date, DebtorType, Money};
use kwijting_law::calendar::add_days;

use crate::action::{Action, LegalRoute};
use crate::engine::{Blocked, Decision, Outcome, SkipReason, WaitReason};
use crate::facts::{AddressStatus, ArrangementState, DisputeState, Hold, ScoreBand};
use crate::vars::{Condition, LetterState, Test, Var, VarKind, Variables};

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

fn date(d: Date, lang: Language) -> String {
    let months = match lang {
        Nl => &MONTHS_NL,
        En => &MONTHS_EN,
    };
    let month = months[usize::from(d.month().unsigned_abs()).saturating_sub(1) % 12];
    format!("{} {month} {}", d.day(), d.year())
}

fn date_time(dt: DateTime, lang: Language) -> String {
    let day = date(dt.date(), lang);
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

/// One enum value of a variable in words, by its code (position in the
/// variable's list of names).
fn code_text(v: Var, code: usize, lang: Language) -> String {
    let s: &str = match v {
        Var::DebtorType => match (lang, code) {
            (Nl, 0) => "consument",
            (Nl, _) => "bedrijf",
            (En, 0) => "consumer",
            (En, _) => "business",
        },
        Var::Letter => match (lang, code) {
            (Nl, 0) => "niet verstuurd",
            (Nl, 1) => "verstuurd, de betaaltermijn loopt nog",
            (Nl, _) => "verstuurd, de betaaltermijn is voorbij",
            (En, 0) => "not sent",
            (En, 1) => "sent, the term to pay is still running",
            (En, _) => "sent, the term to pay has passed",
        },
        Var::ScoreBand => {
            return match ScoreBand::ALL.get(code) {
                Some(ScoreBand::Unknown) | None => {
                    if lang == Nl { "onbekend" } else { "unknown" }.to_owned()
                }
                Some(b) => b.as_str().to_owned(),
            };
        }
        Var::Address => match (lang, AddressStatus::ALL.get(code)) {
            (Nl, Some(AddressStatus::Verified)) => "gecontroleerd",
            (Nl, Some(AddressStatus::Unverified)) => "nog niet gecontroleerd",
            (Nl, Some(AddressStatus::Abroad)) => "in het buitenland",
            (Nl, _) => "onbekend",
            (En, Some(AddressStatus::Verified)) => "checked",
            (En, Some(AddressStatus::Unverified)) => "not yet checked",
            (En, Some(AddressStatus::Abroad)) => "abroad",
            (En, _) => "unknown",
        },
        Var::Arrangement => match (lang, ArrangementState::ALL.get(code)) {
            (Nl, Some(ArrangementState::Active)) => "loopt, u houdt zich eraan",
            (Nl, Some(ArrangementState::Broken)) => "niet nagekomen",
            (Nl, _) => "geen",
            (En, Some(ArrangementState::Active)) => "running, you keep to it",
            (En, Some(ArrangementState::Broken)) => "not kept",
            (En, _) => "none",
        },
        Var::Dispute => match (lang, DisputeState::ALL.get(code)) {
            (Nl, Some(DisputeState::Open)) => "loopt nog",
            (Nl, Some(DisputeState::Resolved)) => "afgehandeld",
            (Nl, _) => "geen",
            (En, Some(DisputeState::Open)) => "still open",
            (En, Some(DisputeState::Resolved)) => "resolved",
            (En, _) => "none",
        },
        _ => "?",
    };
    s.to_owned()
}

fn int_text(v: Var, n: i64, lang: Language) -> String {
    match v {
        Var::BalanceCents | Var::PrincipalCents => money(Money::from_cents(n), lang),
        Var::StepsDone => n.to_string(),
        _ => match lang {
            Nl => format!("{n} dagen"),
            En => format!("{n} days"),
        },
    }
}

/// A condition in words: "risicoscore is A of B", "amount owed is at least
/// EUR 500.00".
fn condition_text(c: &Condition, lang: Language) -> String {
    let name = var_name(c.var, lang);
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
            let values: Vec<String> = (0..names.len())
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

fn value_text(vars: &Variables, v: Var, lang: Language) -> String {
    match v {
        Var::DebtorType => match (lang, vars.debtor_type) {
            (Nl, DebtorType::Consumer) => "consument".into(),
            (Nl, DebtorType::Business) => "bedrijf".into(),
            (En, DebtorType::Consumer) => "consumer".into(),
            (En, DebtorType::Business) => "business".into(),
        },
        Var::BalanceCents => money(vars.balance, lang),
        Var::PrincipalCents => money(vars.principal, lang),
        Var::DaysPastDue => int_text(v, i64::from(vars.days_past_due), lang),
        Var::DaysInCollection => int_text(v, i64::from(vars.days_in_collection), lang),
        Var::StepsDone => vars.steps_done.to_string(),
        Var::Letter => match (lang, vars.letter) {
            (Nl, LetterState::NotSent) => "niet verstuurd".into(),
            (En, LetterState::NotSent) => "not sent".into(),
            (
                Nl,
                LetterState::TermRunning {
                    sent_on,
                    costs_from,
                }
                | LetterState::TermPassed {
                    sent_on,
                    costs_from,
                },
            ) => format!(
                "verstuurd op {}. Zonder incassokosten betalen kon tot en met {}",
                date(sent_on, lang),
                date(add_days(costs_from, -1), lang)
            ),
            (
                En,
                LetterState::TermRunning {
                    sent_on,
                    costs_from,
                }
                | LetterState::TermPassed {
                    sent_on,
                    costs_from,
                },
            ) => format!(
                "sent on {}. Paying without collection costs was possible up to and including {}",
                date(sent_on, lang),
                date(add_days(costs_from, -1), lang)
            ),
        },
        Var::ScoreBand => code_text(v, usize::from(vars.score_band.code()), lang),
        Var::Address => code_text(v, usize::from(vars.address.code()), lang),
        Var::Arrangement => code_text(v, usize::from(vars.arrangement.code()), lang),
        Var::Dispute => code_text(v, usize::from(vars.dispute.code()), lang),
        Var::PhoneKnown => yes_no(vars.phone_known, lang).into(),
        Var::EmailKnown => yes_no(vars.email_known, lang).into(),
        Var::Judgment => yes_no(vars.judgment, lang).into(),
        Var::DaysToLimitation => {
            let last = date(vars.limitation_last_day, lang);
            match (lang, vars.days_to_limitation >= 0) {
                (Nl, true) => format!("de vordering verjaart niet vóór {last}"),
                (Nl, false) => format!("de vordering is verjaard sinds {last}"),
                (En, true) => format!("the claim is not time-barred before {last}"),
                (En, false) => format!("the claim has been time-barred since {last}"),
            }
        }
        Var::Holds => {
            if vars.holds.is_empty() {
                if lang == Nl { "geen" } else { "none" }.into()
            } else {
                vars.holds
                    .iter()
                    .map(|h| hold_text(h, lang))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
    }
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
    }
}

impl Decision {
    /// The decision in plain language (level B1), for the person concerned:
    /// what was decided, why, on which data, and how to ask for a person to
    /// look again (GDPR art. 22).
    pub fn explain(&self, lang: Language) -> String {
        let mut out = String::with_capacity(2048);
        let day = date(self.as_of, lang);
        let step_action = self.step.as_ref().map(|s| s.action);
        // Writing to a String cannot fail.
        let _ = match lang {
            Nl => writeln!(out, "Beslissing over uw dossier op {day}\n"),
            En => writeln!(out, "Decision on your case on {day}\n"),
        };

        // What was decided.
        let what = match (&self.outcome, lang) {
            (Outcome::Act(a), Nl) => format!("Wij gaan {}.", action_text(*a, lang)),
            (Outcome::Act(a), En) => format!("We will {}.", action_text(*a, lang)),
            (Outcome::Wait { until, reason }, _) => {
                let next = step_action.map(|a| action_text(a, lang)).unwrap_or("");
                match (reason, lang) {
                    (WaitReason::WaitingPeriod, Nl) => format!(
                        "Wij doen vandaag niets. Op zijn vroegst op {} gaan wij {next}.",
                        date(*until, lang)
                    ),
                    (WaitReason::WaitingPeriod, En) => format!(
                        "We do nothing today. On {} at the earliest, we will {next}.",
                        date(*until, lang)
                    ),
                    (WaitReason::FourteenDayTerm { costs_from, .. }, Nl) => format!(
                        "Wij doen vandaag niets. U kunt nog zonder incassokosten betalen tot en \
                         met {}. Pas vanaf {} mogen wij {next}.",
                        date(add_days(*costs_from, -1), lang),
                        date(*costs_from, lang)
                    ),
                    (WaitReason::FourteenDayTerm { costs_from, .. }, En) => format!(
                        "We do nothing today. You can still pay without collection costs up to \
                         and including {}. Only from {} may we {next}.",
                        date(add_days(*costs_from, -1), lang),
                        date(*costs_from, lang)
                    ),
                    (WaitReason::NotInDefault { in_default_from }, Nl) => format!(
                        "Wij doen vandaag niets. De betaaltermijn is nog niet voorbij. Pas vanaf \
                         {} bent u te laat met betalen (in verzuim). Dan mogen wij {next}.",
                        date(*in_default_from, lang)
                    ),
                    (WaitReason::NotInDefault { in_default_from }, En) => format!(
                        "We do nothing today. The time to pay has not ended yet. Only from {} \
                         are you late in paying (in default). Then we may {next}.",
                        date(*in_default_from, lang)
                    ),
                    (WaitReason::ConditionNotMet(c), Nl) => format!(
                        "Wij doen vandaag niets. De volgende stap is: {next}. Die stap wacht tot \
                         {}. Wij kijken opnieuw op {}.",
                        condition_text(c, lang),
                        date(*until, lang)
                    ),
                    (WaitReason::ConditionNotMet(c), En) => format!(
                        "We do nothing today. The next step is: {next}. That step waits until \
                         {}. We will look again on {}.",
                        condition_text(c, lang),
                        date(*until, lang)
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
        let _ = match lang {
            Nl => writeln!(out, "Wat hebben wij besloten?\n{what}"),
            En => writeln!(out, "What did we decide?\n{what}"),
        };
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
        let _ = match lang {
            Nl => writeln!(out, "\nWaarom?"),
            En => writeln!(out, "\nWhy?"),
        };
        let key = &self.strategy;
        let _ = match lang {
            Nl => writeln!(
                out,
                "Wij werken met vaste stappen (aanpak '{}', versie {}).",
                key.id, key.version
            ),
            En => writeln!(
                out,
                "We work with fixed steps (approach '{}', version {}).",
                key.id, key.version
            ),
        };
        if let Some(step) = &self.step {
            let n = usize::from(step.index) + 1;
            let _ = match (lang, step.wait_days) {
                (Nl, 0) => writeln!(out, "Dit is stap {n} ('{}').", step.id),
                (Nl, w) => writeln!(
                    out,
                    "Dit is stap {n} ('{}'). Deze stap komt {w} dagen na de vorige stap.",
                    step.id
                ),
                (En, 0) => writeln!(out, "This is step {n} ('{}').", step.id),
                (En, w) => writeln!(
                    out,
                    "This is step {n} ('{}'). It comes {w} days after the previous step.",
                    step.id
                ),
            };
        }
        if let (Outcome::Act(_), Some(step)) = (&self.outcome, &self.step)
            && !step.conditions.is_empty()
        {
            let _ = match lang {
                Nl => writeln!(out, "Deze stap geldt omdat:"),
                En => writeln!(out, "This step applies because:"),
            };
            for c in step.conditions.iter() {
                let _ = writeln!(out, "- {}.", condition_text(c, lang));
            }
        }
        if !self.skipped.is_empty() {
            let _ = match lang {
                Nl => writeln!(out, "Deze stappen hebben wij overgeslagen:"),
                En => writeln!(out, "We skipped these steps:"),
            };
            for s in &self.skipped {
                let _ = writeln!(
                    out,
                    "- stap {} ('{}'): {}.",
                    usize::from(s.step.index) + 1,
                    s.step.id,
                    skip_text(&s.reason, lang)
                );
            }
        }

        // On which data.
        let _ = match lang {
            Nl => writeln!(out, "\nWelke gegevens hebben wij gebruikt?"),
            En => writeln!(out, "\nWhich data did we use?"),
        };
        for v in self.used.iter() {
            let _ = writeln!(
                out,
                "- {}: {}.",
                var_name(v, lang),
                value_text(&self.variables, v, lang)
            );
        }

        // Review.
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
        if self.needs_review {
            let _ = match lang {
                Nl => writeln!(
                    out,
                    "Een medewerker bekijkt deze beslissing voordat wij iets doen."
                ),
                En => writeln!(
                    out,
                    "A member of staff checks this decision before we do anything."
                ),
            };
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
        out
    }
}
