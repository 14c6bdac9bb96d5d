//! Payment arrangements (betalingsregelingen, R4) as pure rules: whether a
//! debtor's proposal is acceptable under the client's rules, the schedule
//! it gives, and what a day's monitoring decides about a kept, missed,
//! broken or completed arrangement.
//!
//! The schedule's total is the amount owed at acceptance (the statement of
//! account of the law engine); while the arrangement is kept that total is
//! what the debtor pays. Payments count towards the instalments oldest
//! first, whatever instalment the debtor had in mind.

use std::fmt;

use jiff::ToSpan;
use kwijting_domain::{Date, Money};

use crate::explain::Language;
use crate::facts::names;

/// The version of the rules below; stored with every decision they make.
pub const ARRANGEMENT_RULES_VERSION: u32 = 1;
/// The most instalments one arrangement may have (ten years of months).
pub const INSTALMENTS_MAX: u16 = 520;
/// A direct-debit credit is booked on the statement a day or two after the
/// collection date; until then an instalment in collection is not missed.
pub const DD_STATEMENT_LAG_DAYS: i64 = 2;

names! {
    /// What a decision of the arrangement monitoring or of a direct-debit
    /// return does: its stored `action`.
    ArrangementAction {
        /// An instalment was missed: a reminder.
        Reminder = "arrangement_reminder",
        /// Past the grace days: the arrangement ends.
        Broken = "arrangement_broken",
        /// Everything paid: the case closes.
        Completed = "arrangement_completed",
        /// A returned direct debit is collected once more.
        DirectDebitRetry = "dd_retry",
        /// A returned instalment is open again, to be paid by transfer.
        DirectDebitReopen = "dd_reopen",
        /// The mandate is no longer used.
        MandateStopped = "mandate_stopped",
        /// A person looks at the return.
        DirectDebitReturnReview = "dd_return_review",
    }
}

names! {
    /// The inputs an arrangement or direct-debit decision stores, one
    /// `name=value` line each (amounts in integer cents, dates ISO).
    ArrangementInput {
        Arrangement = "arrangement",
        AsOf = "as_of",
        TotalCents = "total_cents",
        PaidSinceAcceptanceCents = "paid_since_acceptance_cents",
        DueSoFarCents = "due_so_far_cents",
        GraceDays = "grace_days",
        ByDirectDebit = "by_direct_debit",
        Instalment = "instalment",
        ExpectedBy = "expected_by",
        GraceUntil = "grace_until",
        EndToEndId = "end_to_end_id",
        ReturnReason = "return_reason",
        CollectionDate = "collection_date",
        AmountCents = "amount_cents",
        Attempt = "attempt",
        AttemptsMax = "attempts_max",
        PrenotificationDays = "prenotification_days",
        /// A date, or `none`.
        RetryOn = "retry_on",
    }
}

/// What kind of value an [`ArrangementInput`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrangementInputKind {
    /// An arrangement or instalment by its number.
    Numbered,
    Count,
    Days,
    Cents,
    Date,
    DateOrNone,
    Bool,
    /// A payment reference or a bank's reason code.
    Reference,
}

impl ArrangementInput {
    pub fn kind(self) -> ArrangementInputKind {
        use ArrangementInput as I;
        use ArrangementInputKind as K;
        match self {
            I::Arrangement | I::Instalment => K::Numbered,
            I::Attempt | I::AttemptsMax => K::Count,
            I::GraceDays | I::PrenotificationDays => K::Days,
            I::TotalCents | I::PaidSinceAcceptanceCents | I::DueSoFarCents | I::AmountCents => {
                K::Cents
            }
            I::AsOf | I::ExpectedBy | I::GraceUntil | I::CollectionDate => K::Date,
            I::RetryOn => K::DateOrNone,
            I::ByDirectDebit => K::Bool,
            I::EndToEndId | I::ReturnReason => K::Reference,
        }
    }

    /// The stored line `name=value`.
    pub fn line(self, value: impl fmt::Display) -> String {
        format!("{}={value}", self.as_str())
    }
}

/// How often an instalment falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Weekly,
    Monthly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        match s.trim().to_ascii_lowercase().as_str() {
            "week" | "weekly" | "w" => Some(Frequency::Weekly),
            "month" | "monthly" | "m" => Some(Frequency::Monthly),
            _ => None,
        }
    }

    /// The due date of instalment `index` (0-based): counted from the first
    /// date each time, so the 31st stays the 31st where a month has one.
    pub fn due_on(self, first: Date, index: u16) -> Option<Date> {
        match self {
            Frequency::Weekly => first.checked_add((i64::from(index) * 7).days()).ok(),
            Frequency::Monthly => first.checked_add(i64::from(index).months()).ok(),
        }
    }
}

/// A client's acceptance rules for arrangements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrangementRules {
    /// No instalment below this, unless it pays everything.
    pub min_instalment: Money,
    /// The last instalment falls due at most this many months after the
    /// acceptance.
    pub max_term_months: u16,
    /// Days after a missed instalment before the arrangement is broken.
    pub grace_days: u16,
    /// Days between telling the debtor a collection date and the direct
    /// debit (SEPA pre-notification; 14 unless agreed otherwise).
    pub prenotification_days: u16,
}

impl Default for ArrangementRules {
    fn default() -> Self {
        ArrangementRules {
            min_instalment: Money::from_cents(2_500),
            max_term_months: 12,
            grace_days: 7,
            prenotification_days: 14,
        }
    }
}

impl ArrangementRules {
    /// The rules as `name=value` lines, stored with what they decided.
    pub fn describe(&self) -> String {
        format!(
            "rules_version={ARRANGEMENT_RULES_VERSION}\nmin_instalment_cents={}\nmax_term_months={}\ngrace_days={}\nprenotification_days={}",
            self.min_instalment.cents(),
            self.max_term_months,
            self.grace_days,
            self.prenotification_days
        )
    }
}

/// A debtor's proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    pub instalments: u16,
    pub amount: Money,
    pub frequency: Frequency,
    pub first_on: Date,
}

/// One instalment of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instalment {
    /// 1-based.
    pub seq: u16,
    pub due_on: Date,
    pub amount: Money,
}

/// Why a proposal is not acceptable; each names what would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    NothingOwed,
    InstalmentCount {
        given: u16,
    },
    AmountNotPositive,
    BelowMinimum {
        amount: Money,
        minimum: Money,
    },
    FirstInThePast {
        first: Date,
        today: Date,
    },
    /// The instalments before the last already pay everything.
    TooManyInstalments {
        needed: u64,
    },
    /// The instalments do not add up to what is owed.
    DoesNotCover {
        covered: Money,
        owed: Money,
        amount_needed: Money,
    },
    TooLong {
        last_due: Date,
        latest: Date,
        months: u16,
    },
    DateOutOfRange,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NothingOwed => write!(f, "nothing is owed on this case"),
            Rejection::InstalmentCount { given } => write!(
                f,
                "{given} instalments: between 1 and {INSTALMENTS_MAX} are possible"
            ),
            Rejection::AmountNotPositive => write!(f, "the instalment amount must be positive"),
            Rejection::BelowMinimum { amount, minimum } => write!(
                f,
                "an instalment of EUR {amount} is below the client's minimum of EUR {minimum}"
            ),
            Rejection::FirstInThePast { first, today } => write!(
                f,
                "the first instalment ({first}) lies before today ({today})"
            ),
            Rejection::TooManyInstalments { needed } => write!(
                f,
                "fewer instalments pay everything: {needed} instalments of this amount suffice"
            ),
            Rejection::DoesNotCover {
                covered,
                owed,
                amount_needed,
            } => write!(
                f,
                "the instalments add up to EUR {covered} but EUR {owed} is owed: with this number of instalments each must be at least EUR {amount_needed}"
            ),
            Rejection::TooLong {
                last_due,
                latest,
                months,
            } => write!(
                f,
                "the last instalment would fall due on {last_due}, after {latest} (the client allows at most {months} months)"
            ),
            Rejection::DateOutOfRange => write!(f, "the schedule's dates are out of range"),
        }
    }
}

/// Checks a proposal against the rules and gives its schedule: every
/// instalment the proposed amount except the last, which takes the rest,
/// so the schedule adds up to `owed` exactly.
pub fn schedule(
    proposal: &Proposal,
    owed: Money,
    rules: &ArrangementRules,
    today: Date,
) -> Result<Vec<Instalment>, Rejection> {
    let n = proposal.instalments;
    if owed.cents() <= 0 {
        return Err(Rejection::NothingOwed);
    }
    if n == 0 || n > INSTALMENTS_MAX {
        return Err(Rejection::InstalmentCount { given: n });
    }
    let amount = proposal.amount;
    if amount.cents() <= 0 {
        return Err(Rejection::AmountNotPositive);
    }
    if amount < rules.min_instalment && amount < owed {
        return Err(Rejection::BelowMinimum {
            amount,
            minimum: rules.min_instalment,
        });
    }
    if proposal.first_on < today {
        return Err(Rejection::FirstInThePast {
            first: proposal.first_on,
            today,
        });
    }
    let a = i128::from(amount.cents());
    let total = i128::from(owed.cents());
    let before_last = a * i128::from(n - 1);
    if before_last >= total {
        let needed = (total + a - 1) / a;
        return Err(Rejection::TooManyInstalments {
            needed: u64::try_from(needed).unwrap_or(u64::MAX),
        });
    }
    let last = total - before_last;
    if last > a {
        let n128 = i128::from(n);
        let needed = (total + n128 - 1) / n128;
        return Err(Rejection::DoesNotCover {
            covered: Money::from_cents(i64::try_from(a * n128).unwrap_or(i64::MAX)),
            owed,
            amount_needed: Money::from_cents(i64::try_from(needed).unwrap_or(i64::MAX)),
        });
    }
    let last_due = proposal
        .frequency
        .due_on(proposal.first_on, n - 1)
        .ok_or(Rejection::DateOutOfRange)?;
    let latest = today
        .checked_add(i64::from(rules.max_term_months).months())
        .map_err(|_| Rejection::DateOutOfRange)?;
    if last_due > latest {
        return Err(Rejection::TooLong {
            last_due,
            latest,
            months: rules.max_term_months,
        });
    }
    let last = i64::try_from(last).map_err(|_| Rejection::DateOutOfRange)?;
    (0..n)
        .map(|i| {
            Ok(Instalment {
                seq: i + 1,
                due_on: proposal
                    .frequency
                    .due_on(proposal.first_on, i)
                    .ok_or(Rejection::DateOutOfRange)?,
                amount: if i + 1 == n {
                    Money::from_cents(last)
                } else {
                    amount
                },
            })
        })
        .collect()
}

/// An instalment as the monitoring sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watched {
    pub seq: u16,
    /// The day by which the money should be in: the due date, a retry or
    /// collection date (plus the statement lag), or the day a return
    /// reopened it for payment by transfer.
    pub expected_by: Date,
    pub amount: Money,
    /// A reminder for this instalment went out already.
    pub reminded: bool,
}

/// What a day's monitoring decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing overdue (or only overdue and reminded, within the grace).
    Kept,
    /// An instalment is overdue: remind the debtor once, and wait until
    /// `grace_until`.
    Remind {
        seq: u16,
        expected_by: Date,
        grace_until: Date,
    },
    /// An overdue instalment's grace has passed: the arrangement ends and
    /// the strategy resumes.
    Broken {
        seq: u16,
        expected_by: Date,
        grace_until: Date,
    },
    /// Everything is paid.
    Completed,
}

impl Verdict {
    /// The rule's name, stored with the decision.
    pub fn rule(&self) -> &'static str {
        match self {
            Verdict::Kept => "kept",
            Verdict::Remind { .. } => "instalment_missed",
            Verdict::Broken { .. } => "grace_expired",
            Verdict::Completed => "paid_in_full",
        }
    }
}

/// The outcome of monitoring one arrangement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// How many instalments (oldest first) the payments cover.
    pub covered: usize,
    pub verdict: Verdict,
}

/// Monitors an arrangement on `as_of`: `paid` is what came in since the
/// acceptance, applied to the instalments oldest first. An instalment is
/// overdue the day after its `expected_by`; it is broken the day after
/// `expected_by + grace_days`.
pub fn monitor(instalments: &[Watched], paid: Money, as_of: Date, grace_days: u16) -> Check {
    let mut cumulative: i128 = 0;
    let paid = i128::from(paid.cents());
    let mut covered = 0;
    let mut remind: Option<Verdict> = None;
    let mut broken: Option<Verdict> = None;
    for (i, w) in instalments.iter().enumerate() {
        cumulative += i128::from(w.amount.cents());
        if paid >= cumulative {
            covered = i + 1;
            continue;
        }
        if w.expected_by >= as_of {
            continue;
        }
        let grace_until = w
            .expected_by
            .checked_add(i64::from(grace_days).days())
            .unwrap_or(w.expected_by);
        if as_of > grace_until {
            let v = Verdict::Broken {
                seq: w.seq,
                expected_by: w.expected_by,
                grace_until,
            };
            if !matches!(broken, Some(Verdict::Broken { expected_by, .. }) if expected_by <= w.expected_by)
            {
                broken = Some(v);
            }
        } else if !w.reminded && remind.is_none() {
            remind = Some(Verdict::Remind {
                seq: w.seq,
                expected_by: w.expected_by,
                grace_until,
            });
        }
    }
    let verdict = if covered == instalments.len() && !instalments.is_empty() {
        Verdict::Completed
    } else {
        broken.or(remind).unwrap_or(Verdict::Kept)
    };
    Check { covered, verdict }
}

/// Why the monitoring or a direct-debit return decided as it did, for the
/// explanation of a stored decision (`source` is its `strategy_id`).
pub fn why(source: &str, rule: &str, lang: Language) -> Option<String> {
    let dutch = lang == Language::Nl;
    let text = match (source, rule, dutch) {
        ("arrangement", "instalment_missed", true) => {
            "een termijn van de betalingsregeling was niet betaald op de dag dat die verwacht werd. U krijgt een herinnering; de regeling loopt door als de termijn binnen de respijttermijn alsnog betaald wordt.".to_owned()
        }
        ("arrangement", "instalment_missed", false) => {
            "an instalment of the payment arrangement was not paid by the day it was expected. You are sent a reminder; the arrangement continues if the instalment is paid within the grace period.".to_owned()
        }
        ("arrangement", "grace_expired", true) => {
            "een termijn van de betalingsregeling was ook na de respijttermijn niet betaald. Daarmee is de regeling vervallen en gaat de incasso verder.".to_owned()
        }
        ("arrangement", "grace_expired", false) => {
            "an instalment of the payment arrangement was still unpaid after the grace period. The arrangement has therefore ended and collection resumes.".to_owned()
        }
        ("arrangement", "paid_in_full", true) => {
            "alles wat volgens de betalingsregeling verschuldigd was, is betaald; de zaak is afgesloten.".to_owned()
        }
        ("arrangement", "paid_in_full", false) => {
            "everything owed under the payment arrangement has been paid; the case is closed.".to_owned()
        }
        ("direct_debit", r, nl) => {
            let code = r.strip_prefix("return_")?.to_ascii_uppercase();
            if nl {
                format!("de bank heeft een automatische incasso teruggeboekt (reden {code}). Bij onvoldoende saldo proberen wij het één keer opnieuw; anders betaalt u de termijn per overboeking, en bij een opgeheven of geblokkeerde rekening of een ontbrekende machtiging stopt de incasso via deze machtiging.")
            } else {
                format!("the bank returned a direct debit (reason {code}). After insufficient funds we try once more; otherwise you pay the instalment by transfer, and after a closed or blocked account or a missing mandate we stop collecting on this mandate.")
            }
        }
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::parse_date;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn eur(c: i64) -> Money {
        Money::from_cents(c)
    }

    fn proposal(n: u16, cents: i64, f: Frequency, first: &str) -> Proposal {
        Proposal {
            instalments: n,
            amount: eur(cents),
            frequency: f,
            first_on: d(first),
        }
    }

    #[test]
    fn the_last_instalment_takes_the_rest() {
        let rules = ArrangementRules::default();
        let s = schedule(
            &proposal(4, 100_00, Frequency::Monthly, "2026-01-31"),
            eur(350_01),
            &rules,
            d("2026-01-20"),
        )
        .unwrap();
        let amounts: Vec<i64> = s.iter().map(|i| i.amount.cents()).collect();
        assert_eq!(amounts, vec![100_00, 100_00, 100_00, 50_01]);
        let dates: Vec<String> = s.iter().map(|i| i.due_on.to_string()).collect();
        assert_eq!(
            dates,
            vec!["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
        );
        let weekly = schedule(
            &proposal(3, 40_00, Frequency::Weekly, "2026-01-20"),
            eur(100_00),
            &rules,
            d("2026-01-20"),
        )
        .unwrap();
        assert_eq!(weekly[2].due_on, d("2026-02-03"));
        assert_eq!(weekly[2].amount, eur(20_00));
    }

    #[test]
    fn rejections_say_what_would_do() {
        let rules = ArrangementRules::default();
        let today = d("2026-01-20");
        let r = |p: Proposal, owed: i64| schedule(&p, eur(owed), &rules, today).unwrap_err();
        assert!(matches!(
            r(
                proposal(10, 10_00, Frequency::Monthly, "2026-02-01"),
                100_00
            ),
            Rejection::BelowMinimum { .. }
        ));
        assert_eq!(
            r(proposal(5, 50_00, Frequency::Monthly, "2026-02-01"), 100_00),
            Rejection::TooManyInstalments { needed: 2 }
        );
        let e = r(proposal(3, 30_00, Frequency::Monthly, "2026-02-01"), 100_00);
        assert!(e.to_string().contains("at least EUR 33.34"), "{e}");
        assert!(matches!(
            r(
                proposal(24, 50_00, Frequency::Monthly, "2026-02-01"),
                1_200_00
            ),
            Rejection::TooLong { .. }
        ));
        assert!(matches!(
            r(proposal(1, 50_00, Frequency::Monthly, "2026-01-19"), 50_00),
            Rejection::FirstInThePast { .. }
        ));
        assert_eq!(
            r(proposal(1, 50_00, Frequency::Monthly, "2026-02-01"), 0),
            Rejection::NothingOwed
        );
        // A small debt in one payment below the minimum is fine.
        assert!(
            schedule(
                &proposal(1, 10_00, Frequency::Monthly, "2026-02-01"),
                eur(10_00),
                &rules,
                today
            )
            .is_ok()
        );
    }

    fn watched(s: &[Instalment]) -> Vec<Watched> {
        s.iter()
            .map(|i| Watched {
                seq: i.seq,
                expected_by: i.due_on,
                amount: i.amount,
                reminded: false,
            })
            .collect()
    }

    #[test]
    fn missed_then_reminded_then_broken() {
        let rules = ArrangementRules::default();
        let s = schedule(
            &proposal(3, 100_00, Frequency::Monthly, "2026-02-01"),
            eur(250_00),
            &rules,
            d("2026-01-20"),
        )
        .unwrap();
        let mut w = watched(&s);
        assert_eq!(
            monitor(&w, eur(0), d("2026-02-01"), 7).verdict,
            Verdict::Kept
        );
        let v = monitor(&w, eur(0), d("2026-02-02"), 7).verdict;
        assert_eq!(
            v,
            Verdict::Remind {
                seq: 1,
                expected_by: d("2026-02-01"),
                grace_until: d("2026-02-08")
            }
        );
        w[0].reminded = true;
        assert_eq!(
            monitor(&w, eur(0), d("2026-02-08"), 7).verdict,
            Verdict::Kept
        );
        assert!(matches!(
            monitor(&w, eur(0), d("2026-02-09"), 7).verdict,
            Verdict::Broken { seq: 1, .. }
        ));
        // Paid late but within the grace: kept.
        let c = monitor(&w, eur(100_00), d("2026-02-09"), 7);
        assert_eq!((c.covered, c.verdict), (1, Verdict::Kept));
        assert_eq!(
            monitor(&w, eur(250_00), d("2026-02-09"), 7).verdict,
            Verdict::Completed
        );
    }

    #[test]
    fn every_rule_is_explained() {
        for rule in ["instalment_missed", "grace_expired", "paid_in_full"] {
            assert!(
                why("arrangement", rule, Language::Nl).is_some()
                    && why("arrangement", rule, Language::En).is_some()
            );
        }
        assert!(
            why("direct_debit", "return_am04", Language::En)
                .unwrap()
                .contains("AM04")
        );
        assert_eq!(why("consumer", "first_demand", Language::Nl), None);
    }

    proptest! {
        #[test]
        fn an_accepted_schedule_adds_up_exactly(
            owed in 1i64..10_000_000,
            n in 1u16..60,
            amount in 1i64..1_000_000,
            monthly in any::<bool>(),
        ) {
            let rules = ArrangementRules {
                min_instalment: eur(1),
                max_term_months: 600,
                ..ArrangementRules::default()
            };
            let f = if monthly { Frequency::Monthly } else { Frequency::Weekly };
            let p = Proposal { instalments: n, amount: eur(amount), frequency: f, first_on: d("2026-01-31") };
            if let Ok(s) = schedule(&p, eur(owed), &rules, d("2026-01-01")) {
                let sum: i64 = s.iter().map(|i| i.amount.cents()).sum();
                prop_assert_eq!(sum, owed);
                prop_assert_eq!(s.len(), usize::from(n));
                let last = s[s.len() - 1].amount.cents();
                prop_assert!(last > 0 && last <= amount);
                prop_assert!(s.windows(2).all(|w| w[0].due_on < w[1].due_on));
            }
        }
    }
}
