//! Limitation (verjaring) of claims and their interest, and its interruption
//! (stuiting). Book 3 BW, title 11.
//!
//! A period of `n` years starting on day `s` ends on the day before the
//! `n`-th anniversary of `s` (see [`crate::calendar::anniversary`]). The
//! engine does not extend a limitation period that ends on a weekend or a
//! holiday: the earlier date is the cautious one for a creditor.

use kwijting_domain::Date;

use crate::LawError;
use crate::calendar::{add_days, anniversary, check_range, date_of, day_number};

/// What kind of right runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitationKind {
    /// Art. 3:307 BW: a claim to performance of a contractual obligation,
    /// 5 years from the day after it became due.
    ContractualClaim,
    /// Art. 7:28 BW: the price in a consumer sale, 2 years.
    ConsumerSalePrice,
    /// Art. 3:308 BW: interest, 5 years for each amount from the day after it
    /// became due.
    Interest,
    /// Art. 3:324 BW: a judgment can be enforced for 20 years.
    Judgment,
}

impl LimitationKind {
    pub fn years(self) -> i32 {
        match self {
            LimitationKind::ContractualClaim | LimitationKind::Interest => 5,
            LimitationKind::ConsumerSalePrice => 2,
            LimitationKind::Judgment => 20,
        }
    }
}

/// What interrupted the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interruption {
    /// Art. 3:317 BW: a written demand (aanmaning) or a written notice in which
    /// the creditor unequivocally reserves its right to performance.
    WrittenDemand,
    /// Art. 3:318 BW: an acknowledgment by the debtor.
    Acknowledgment,
}

/// One running limitation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitationPeriod {
    pub kind: LimitationKind,
    pub starts_on: Date,
    pub years: i32,
    /// The last day on which the claim is not yet time-barred.
    pub last_day: Date,
}

impl LimitationPeriod {
    /// The claim is time-barred on `as_of`.
    pub fn expired(&self, as_of: Date) -> bool {
        as_of > self.last_day
    }
}

fn period(kind: LimitationKind, starts_on: Date, years: i32) -> LimitationPeriod {
    LimitationPeriod {
        kind,
        starts_on,
        years,
        last_day: add_days(anniversary(starts_on, years), -1),
    }
}

/// Art. 3:307 / 3:308 BW and art. 7:28 BW: the period starts on the day after
/// the claim (or the interest amount) became due.
pub fn limitation_period(kind: LimitationKind, due_on: Date) -> Result<LimitationPeriod, LawError> {
    check_range(due_on)?;
    Ok(period(kind, add_days(due_on, 1), kind.years()))
}

/// Art. 3:319(1) BW: after an interruption a new period starts on the next
/// day, as long as the original but never longer than 5 years. `None` when
/// the interruption came after the period had run out: a time-barred claim is
/// not revived.
pub fn new_period_after_interruption(
    current: &LimitationPeriod,
    interrupted_on: Date,
) -> Option<LimitationPeriod> {
    if current.expired(interrupted_on) {
        return None;
    }
    let original = current.kind.years();
    Some(period(
        current.kind,
        add_days(interrupted_on, 1),
        original.min(5),
    ))
}

/// The limitation of one claim on a day, with what was taken into account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitationStatus {
    pub period: LimitationPeriod,
    /// Interruptions that started a new period.
    pub interruptions: Vec<(Date, Interruption)>,
    /// Interruptions that came too late (after expiry) and changed nothing.
    pub too_late: Vec<(Date, Interruption)>,
    /// A fact for the strategy engine: the claim is time-barred on `as_of`.
    pub expired: bool,
}

/// The limitation of a claim due on `due_on`, on `as_of`, after the given
/// interruptions (art. 3:307, 3:308, 3:317-3:319 BW, 7:28 BW). Interruptions
/// after `as_of` are ignored (time is an input).
pub fn limitation(
    kind: LimitationKind,
    due_on: Date,
    interruptions: &[(Date, Interruption)],
    as_of: Date,
) -> Result<LimitationStatus, LawError> {
    check_range(as_of)?;
    let mut current = limitation_period(kind, due_on)?;
    let mut sorted: Vec<(Date, Interruption)> = interruptions
        .iter()
        .copied()
        .filter(|(on, _)| *on <= as_of)
        .collect();
    sorted.sort_by_key(|(on, _)| *on);
    let mut applied = Vec::new();
    let mut too_late = Vec::new();
    for (on, by) in sorted {
        check_range(on)?;
        if on < current.starts_on {
            // Before the current period began: nothing to interrupt.
            continue;
        }
        match new_period_after_interruption(&current, on) {
            Some(next) => {
                current = next;
                applied.push((on, by));
            }
            None => too_late.push((on, by)),
        }
    }
    Ok(LimitationStatus {
        period: current,
        interruptions: applied,
        too_late,
        expired: current.expired(as_of),
    })
}

/// Art. 3:308 BW: interest is time-barred per amount, each from the day after
/// it became due. Taking each day's interest as due on that day, returns the
/// last day of interest from `interest_from` on that is time-barred on
/// `as_of`, or `None` when none is.
pub fn interest_time_barred_through(
    interest_from: Date,
    interruptions: &[(Date, Interruption)],
    as_of: Date,
) -> Result<Option<Date>, LawError> {
    let barred = |day: i32| -> Result<bool, LawError> {
        Ok(limitation(LimitationKind::Interest, date_of(day), interruptions, as_of)?.expired)
    };
    let (first, last) = (day_number(interest_from), day_number(as_of));
    if last < first || !barred(first)? {
        return Ok(None);
    }
    // Barred is monotone: older amounts run out first. Binary search the
    // last barred day.
    let (mut lo, mut hi) = (first, last);
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if barred(mid)? {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(Some(date_of(lo)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn five_and_two_years_from_the_day_after_due() {
        // Source: nl-law.md section 5, art. 3:307 and 7:28 BW.
        let check = |kind: LimitationKind, due: &str, last_day: &str| {
            let p = limitation_period(kind, d(due)).unwrap();
            assert_eq!(p.last_day, d(last_day), "{kind:?} {due}");
        };
        check(LimitationKind::ContractualClaim, "2020-03-15", "2025-03-15");
        check(
            LimitationKind::ConsumerSalePrice,
            "2020-03-15",
            "2022-03-15",
        );
        check(LimitationKind::Interest, "2020-12-31", "2025-12-31");
        check(LimitationKind::Judgment, "2020-03-15", "2040-03-15");
        // Due on 28 February of a leap year: the period starts on 29 February
        // and ends on 28 February five years on.
        check(LimitationKind::ContractualClaim, "2024-02-28", "2029-02-28");
        check(LimitationKind::ContractualClaim, "2024-02-29", "2029-02-28");
    }

    #[test]
    fn expired_is_a_fact_on_a_day() {
        let s = limitation(
            LimitationKind::ContractualClaim,
            d("2020-03-15"),
            &[],
            d("2025-03-15"),
        )
        .unwrap();
        assert!(!s.expired);
        let s = limitation(
            LimitationKind::ContractualClaim,
            d("2020-03-15"),
            &[],
            d("2025-03-16"),
        )
        .unwrap();
        assert!(s.expired);
    }

    #[test]
    fn interruption_starts_a_new_period_the_next_day() {
        // Source: nl-law.md section 5, art. 3:317-3:319 BW.
        let events = [
            (d("2023-06-01"), Interruption::WrittenDemand),
            (d("2027-01-10"), Interruption::Acknowledgment),
        ];
        let s = limitation(
            LimitationKind::ContractualClaim,
            d("2020-03-15"),
            &events,
            d("2030-01-01"),
        )
        .unwrap();
        assert_eq!(s.period.starts_on, d("2027-01-11"));
        assert_eq!(s.period.last_day, d("2032-01-10"));
        assert_eq!(s.interruptions.len(), 2);
        assert!(!s.expired);
        // A consumer sale: the new period is 2 years, as long as the original.
        let s = limitation(
            LimitationKind::ConsumerSalePrice,
            d("2020-03-15"),
            &[(d("2022-03-01"), Interruption::WrittenDemand)],
            d("2024-03-02"),
        )
        .unwrap();
        assert_eq!(s.period.last_day, d("2024-03-01"));
        assert!(s.expired);
        // A judgment's new period is never longer than 5 years (3:319).
        let s = limitation(
            LimitationKind::Judgment,
            d("2020-03-15"),
            &[(d("2030-01-01"), Interruption::WrittenDemand)],
            d("2030-01-02"),
        )
        .unwrap();
        assert_eq!(s.period.last_day, d("2035-01-01"));
    }

    #[test]
    fn a_late_interruption_does_not_revive() {
        let s = limitation(
            LimitationKind::ConsumerSalePrice,
            d("2020-03-15"),
            &[(d("2022-03-16"), Interruption::WrittenDemand)],
            d("2025-01-01"),
        )
        .unwrap();
        assert!(s.expired);
        assert_eq!(s.too_late.len(), 1);
        // One after as_of is ignored.
        let s = limitation(
            LimitationKind::ContractualClaim,
            d("2020-03-15"),
            &[(d("2025-03-01"), Interruption::WrittenDemand)],
            d("2025-02-01"),
        )
        .unwrap();
        assert!(s.interruptions.is_empty());
    }

    #[test]
    fn interest_runs_out_per_amount() {
        // Source: nl-law.md section 5, art. 3:308 BW.
        let barred = interest_time_barred_through(d("2018-01-01"), &[], d("2025-06-30")).unwrap();
        // The amount of 2020-06-29 runs out after 2025-06-29.
        assert_eq!(barred, Some(d("2020-06-29")));
        assert_eq!(
            interest_time_barred_through(d("2021-01-01"), &[], d("2025-06-30")).unwrap(),
            None
        );
        let demand = [(d("2024-01-01"), Interruption::WrittenDemand)];
        // The demand interrupts every amount still running on 2024-01-01.
        assert_eq!(
            interest_time_barred_through(d("2018-01-01"), &demand, d("2025-06-30")).unwrap(),
            Some(d("2018-12-31"))
        );
    }
}
