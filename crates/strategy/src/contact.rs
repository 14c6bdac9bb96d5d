//! The Wkid contact hours (nl-law.md section 6): no contact with a debtor
//! between 20:00 and 07:00, nor on Sundays and public holidays.
//!
//! Times are local civil times in the Netherlands (Europe/Amsterdam); the
//! caller converts from an instant. Public holidays are those of the
//! Algemene termijnenwet art. 3 with the bridge days passed in, from the law
//! crate.

use jiff::civil::{DateTime, Time, Weekday};
use kwijting_law::nl::holidays::Holidays;

use crate::StrategyError;

/// The first hour of the day at which contact is allowed.
pub const CONTACT_FROM_HOUR: i8 = 7;
/// From this hour on no contact is allowed (20:00 itself is too late).
pub const CONTACT_UNTIL_HOUR: i8 = 20;
/// A Sunday followed by Christmas and Boxing Day, or Easter Sunday and
/// Monday, closes at most three days in a row; seven is a safe bound.
const CLOSED_DAYS_MAX: usize = 7;

fn day_open(date: jiff::civil::Date, holidays: &Holidays) -> Result<bool, StrategyError> {
    Ok(date.weekday() != Weekday::Sunday && !holidays.is_public_holiday(date)?)
}

/// Whether a debtor may be contacted at `at` (Wkid): from 07:00 up to but
/// not including 20:00, on a day that is not a Sunday nor a public holiday.
pub fn is_contact_allowed(at: DateTime, holidays: &Holidays) -> Result<bool, StrategyError> {
    let hour = at.hour();
    Ok((CONTACT_FROM_HOUR..CONTACT_UNTIL_HOUR).contains(&hour) && day_open(at.date(), holidays)?)
}

/// The first moment at or after `at` at which a debtor may be contacted:
/// `at` itself when allowed, else 07:00 of the first open day (today when
/// `at` is before 07:00 on an open day).
pub fn next_contact_slot(at: DateTime, holidays: &Holidays) -> Result<DateTime, StrategyError> {
    if is_contact_allowed(at, holidays)? {
        return Ok(at);
    }
    let opening = Time::constant(CONTACT_FROM_HOUR, 0, 0, 0);
    let mut date = at.date();
    if at.hour() >= CONTACT_FROM_HOUR {
        date = next_day(date)?;
    }
    for _ in 0..CLOSED_DAYS_MAX {
        if day_open(date, holidays)? {
            return Ok(date.to_datetime(opening));
        }
        date = next_day(date)?;
    }
    // Unreachable with the Dutch calendar; bridge days are data, so say so
    // rather than loop.
    Err(StrategyError::NoContactDay { from: at.date() })
}

fn next_day(date: jiff::civil::Date) -> Result<jiff::civil::Date, StrategyError> {
    date.tomorrow()
        .map_err(|_| StrategyError::NoContactDay { from: date })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> DateTime {
        date(y, m, d).at(h, min, 0, 0)
    }

    fn check(from: DateTime, expected: DateTime) {
        let h = Holidays::statutory();
        assert_eq!(
            next_contact_slot(from, &h).unwrap(),
            expected,
            "from {from}"
        );
        assert!(is_contact_allowed(expected, &h).unwrap(), "{expected}");
    }

    #[test]
    fn contact_hours_are_seven_to_eight() {
        let h = Holidays::statutory();
        // Tuesday 2026-01-06.
        let allowed = |t: DateTime| is_contact_allowed(t, &h).unwrap();
        assert!(!allowed(at(2026, 1, 6, 6, 59)));
        assert!(allowed(at(2026, 1, 6, 7, 0)));
        assert!(allowed(at(2026, 1, 6, 19, 59)));
        assert!(!allowed(at(2026, 1, 6, 20, 0)));
        assert!(!allowed(at(2026, 1, 6, 23, 30)));
        // Saturday is allowed, Sunday is not.
        assert!(allowed(at(2026, 1, 10, 10, 0)));
        assert!(!allowed(at(2026, 1, 11, 10, 0)));
        // Christmas Day 2025 is a Thursday, a public holiday.
        assert!(!allowed(at(2025, 12, 25, 10, 0)));
    }

    #[test]
    fn the_next_slot() {
        // Within hours: unchanged.
        check(at(2026, 1, 6, 9, 15), at(2026, 1, 6, 9, 15));
        // Early morning: 07:00 the same day.
        check(at(2026, 1, 6, 5, 0), at(2026, 1, 6, 7, 0));
        // Evening: 07:00 the next day.
        check(at(2026, 1, 6, 20, 0), at(2026, 1, 7, 7, 0));
        // Saturday evening: past Sunday to Monday.
        check(at(2026, 1, 10, 21, 0), at(2026, 1, 12, 7, 0));
        // Christmas Eve 2025 (Wednesday) evening: past Christmas and Boxing
        // Day to Saturday 27 December.
        check(at(2025, 12, 24, 20, 30), at(2025, 12, 27, 7, 0));
        // Saturday 2026-04-04 evening: Easter Sunday, Easter Monday, then
        // Tuesday.
        check(at(2026, 4, 4, 20, 0), at(2026, 4, 7, 7, 0));
        // King's Day 2025 is Saturday 26 April; Sunday 27 follows.
        check(at(2025, 4, 26, 8, 0), at(2025, 4, 28, 7, 0));
    }

    #[test]
    fn bridge_days_close_too() {
        let h = Holidays::with_bridge_days(vec![date(2026, 5, 15)]);
        // Ascension Day Thursday 14 May, bridge day Friday 15 May.
        assert_eq!(
            next_contact_slot(at(2026, 5, 13, 20, 0), &h).unwrap(),
            at(2026, 5, 16, 7, 0)
        );
    }
}
