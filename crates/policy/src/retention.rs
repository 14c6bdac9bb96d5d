//! Retention rules (storage limitation, R17..R22): a trigger event and a
//! period counted from it.

use jiff::civil::Date;
use serde::Deserialize;

/// The longest period a rule may have: 100 years. A limit on everything.
pub const PERIOD_MONTHS_MAX: u32 = 1200;

/// The event whose date starts a retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The collection case was closed (R17).
    CaseClosed,
    /// The relationship ended and mutual claims were settled (R18).
    RelationshipEndedAndSettled,
    /// The transaction took place or, for a business relationship, the
    /// relationship ended (R19).
    TransactionOrRelationshipEnd,
    /// The last contact with the person (R20).
    LastContact,
    /// The end of the financial year the record belongs to (R21).
    FiscalYearEnd,
    /// The legal claim that needed the data was finally resolved (R22).
    LegalClaimResolved,
    /// The client's mandate under which the agency acted as processor ended
    /// (R1, GDPR art. 28(3)(g)).
    MandateEnded,
    /// A log entry was written (who did what, R28).
    Recorded,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::CaseClosed => "case_closed",
            Trigger::RelationshipEndedAndSettled => "relationship_ended_and_settled",
            Trigger::TransactionOrRelationshipEnd => "transaction_or_relationship_end",
            Trigger::LastContact => "last_contact",
            Trigger::FiscalYearEnd => "fiscal_year_end",
            Trigger::LegalClaimResolved => "legal_claim_resolved",
            Trigger::MandateEnded => "mandate_ended",
            Trigger::Recorded => "recorded",
        }
    }
}

/// Where the period starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountFrom {
    /// From the trigger date itself.
    #[default]
    TriggerDate,
    /// From the end of the calendar year in which the trigger date falls
    /// (R21: "7 years after the end of the calendar year in which the
    /// financial year ended").
    EndOfCalendarYear,
}

/// An event on which the data is erased at once, whatever the period says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EraseEvent {
    /// The person unsubscribed from the newsletter (R20).
    NewsletterUnsubscribe,
    /// The person objected to direct marketing (R35, art. 21(3)).
    MarketingObjection,
}

/// A retention rule from the policy file, e.g. `case_closed_60m`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RetentionRule {
    #[serde(skip)]
    pub id: String,
    #[serde(default)]
    pub requirements: Vec<String>,
    pub trigger: Trigger,
    /// `None`: no fixed end (a legal hold).
    #[serde(default)]
    pub period_months: Option<u32>,
    #[serde(default)]
    pub count_from: CountFrom,
    /// The period is set by law (and follows the law if it changes).
    #[serde(default)]
    pub statutory: bool,
    /// The data may be erased before the period ends once it is no longer
    /// relevant (R18).
    #[serde(default)]
    pub earlier_when_no_longer_relevant: bool,
    #[serde(default)]
    pub erase_at_once_on: Vec<EraseEvent>,
    /// A legal hold: while it applies, the data is kept whatever the other
    /// rules say (R22).
    #[serde(default)]
    pub overrides_other_rules: bool,
    pub description_nl: String,
    pub description_en: String,
}

impl RetentionRule {
    /// The first day on which the data is no longer covered by this rule:
    /// the day the daily retention run erases it. `None` when the rule has no
    /// fixed end (legal hold).
    ///
    /// The period is counted in calendar months from the trigger date, so a
    /// 60-month period from 2024-03-15 ends on 2029-03-15 and the data is
    /// kept for exactly 60 months (2024-03-15 up to and including
    /// 2029-03-14). A day that does not exist in the final month is clamped
    /// to that month's last day (2024-02-29 + 12 months = 2025-02-28).
    ///
    /// With `count_from = end_of_calendar_year` the period starts when the
    /// trigger's calendar year has ended, i.e. on 1 January of the next year:
    /// a fiscal year ending 2024-06-30 (or 2024-12-31) is kept through
    /// 2031-12-31 and expires on 2032-01-01.
    ///
    /// A result beyond the last representable date (year 9999) saturates to
    /// that date.
    pub fn expires_on(&self, trigger_date: Date) -> Option<Date> {
        let months = self.period_months?;
        let start = match self.count_from {
            CountFrom::TriggerDate => trigger_date,
            CountFrom::EndOfCalendarYear => match trigger_date.last_of_year().tomorrow() {
                Ok(d) => d,
                Err(_) => return Some(Date::MAX),
            },
        };
        let span = match jiff::Span::new().try_months(i64::from(months)) {
            Ok(span) => span,
            Err(_) => return Some(Date::MAX),
        };
        Some(start.checked_add(span).unwrap_or(Date::MAX))
    }

    /// Whether the period has run out on `as_of` (so the data is due for
    /// erasure, unless another rule or a legal hold keeps it).
    pub fn is_expired(&self, trigger_date: Date, as_of: Date) -> bool {
        self.expires_on(trigger_date)
            .is_some_and(|expires_on| as_of >= expires_on)
    }

    /// Whether `event` erases the data at once (R20, R35).
    pub fn erases_at_once_on(&self, event: EraseEvent) -> bool {
        self.erase_at_once_on.contains(&event)
    }

    /// A legal hold has no fixed end and overrides the other rules.
    pub fn is_legal_hold(&self) -> bool {
        self.overrides_other_rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rule(months: Option<u32>, count_from: CountFrom) -> RetentionRule {
        RetentionRule {
            id: "test".into(),
            requirements: vec![],
            trigger: Trigger::CaseClosed,
            period_months: months,
            count_from,
            statutory: false,
            earlier_when_no_longer_relevant: false,
            erase_at_once_on: vec![],
            overrides_other_rules: months.is_none(),
            description_nl: String::new(),
            description_en: String::new(),
        }
    }

    fn check(months: Option<u32>, count_from: CountFrom, trigger: Date, expected: Option<Date>) {
        assert_eq!(
            rule(months, count_from).expires_on(trigger),
            expected,
            "{months:?} months from {trigger} ({count_from:?})"
        );
    }

    #[test]
    fn months_from_the_trigger_date() {
        use CountFrom::TriggerDate as T;
        // R17: 60 months after the case is closed.
        check(Some(60), T, date(2024, 3, 15), Some(date(2029, 3, 15)));
        // R20: 36 months after the last contact.
        check(Some(36), T, date(2025, 1, 31), Some(date(2028, 1, 31)));
        // Month ends are clamped, never rolled into the next month.
        check(Some(1), T, date(2025, 1, 31), Some(date(2025, 2, 28)));
        check(Some(1), T, date(2024, 1, 31), Some(date(2024, 2, 29)));
        check(Some(12), T, date(2024, 2, 29), Some(date(2025, 2, 28)));
        check(Some(48), T, date(2024, 2, 29), Some(date(2028, 2, 29)));
        // A zero period ends on the trigger day itself.
        check(Some(0), T, date(2025, 6, 1), Some(date(2025, 6, 1)));
    }

    #[test]
    fn seven_years_after_the_end_of_the_calendar_year() {
        use CountFrom::EndOfCalendarYear as E;
        // R21: a fiscal year that ends mid-year and one that ends on 31
        // December both count from the end of calendar year 2024.
        check(Some(84), E, date(2024, 6, 30), Some(date(2032, 1, 1)));
        check(Some(84), E, date(2024, 12, 31), Some(date(2032, 1, 1)));
        check(Some(84), E, date(2024, 1, 1), Some(date(2032, 1, 1)));
        check(Some(84), E, date(2025, 1, 1), Some(date(2033, 1, 1)));
    }

    #[test]
    fn a_legal_hold_has_no_end() {
        check(None, CountFrom::TriggerDate, date(2024, 3, 15), None);
        let hold = rule(None, CountFrom::TriggerDate);
        assert!(!hold.is_expired(date(2000, 1, 1), date(9999, 12, 31)));
        assert!(hold.is_legal_hold());
    }

    #[test]
    fn expiry_is_on_the_day_not_before() {
        let r = rule(Some(60), CountFrom::TriggerDate);
        let closed = date(2024, 3, 15);
        assert!(!r.is_expired(closed, date(2029, 3, 14)));
        assert!(r.is_expired(closed, date(2029, 3, 15)));
        assert!(r.is_expired(closed, date(2030, 1, 1)));
    }

    #[test]
    fn saturates_at_the_end_of_the_calendar() {
        check(
            Some(24),
            CountFrom::TriggerDate,
            date(9998, 6, 1),
            Some(Date::MAX),
        );
        check(
            Some(12),
            CountFrom::EndOfCalendarYear,
            date(9999, 3, 1),
            Some(Date::MAX),
        );
    }
}
