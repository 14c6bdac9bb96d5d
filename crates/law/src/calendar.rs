//! Calendar arithmetic on day numbers, fast enough for millions of statements.
//!
//! A day number counts days since 1970-01-01 (negative before it). The
//! conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`,
//! exact for the whole proleptic Gregorian calendar.

use kwijting_domain::Date;

use crate::LawError;

/// The earliest date the engine accepts. Older dates are typos.
pub const DATE_MIN: (i16, i8, i8) = (1900, 1, 1);
/// The latest date the engine accepts (room for 20-year terms on top).
pub const DATE_MAX: (i16, i8, i8) = (2199, 12, 31);

/// Refuses a date outside [`DATE_MIN`, `DATE_MAX`], so that every date derived
/// from it by the rules here (terms of at most 20 years) is a valid date.
pub fn check_range(date: Date) -> Result<Date, LawError> {
    let ymd = (date.year(), date.month(), date.day());
    if ymd < DATE_MIN || ymd > DATE_MAX {
        return Err(LawError::DateOutOfRange(date));
    }
    Ok(date)
}

/// Days since 1970-01-01.
pub fn day_number(date: Date) -> i32 {
    days_from_civil(
        i32::from(date.year()),
        i32::from(date.month()),
        i32::from(date.day()),
    )
}

/// Days since 1970-01-01 of a year, month and day (not validated).
pub(crate) fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, i32, i32) {
    // Unsigned arithmetic (divisions by constants become multiplications)
    // for every day from 0000-03-01 on; the signed form before it.
    if z >= -719_468 {
        let z = (z + 719_468) as u32;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = (yoe + era * 400) as i32;
        return (if m <= 2 { y + 1 } else { y }, m as i32, d as i32);
    }
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The date of a day number. Day numbers in the engine come from dates checked
/// by [`check_range`] plus terms of at most a few decades, so they are always
/// valid dates; one outside jiff's range is a bug, and stops.
pub fn date_of(day: i32) -> Date {
    let (y, m, d) = civil_from_days(day);
    // The casts cannot truncate for days within jiff's range (years -9999..=9999).
    Date::new(y as i16, m as i8, d as i8)
        .expect("day numbers stay within the calendar (dates are range-checked on input)")
}

/// Adds days to a date.
pub fn add_days(date: Date, days: i32) -> Date {
    date_of(day_number(date) + days)
}

/// The weekday of a day number, 0 = Monday .. 6 = Sunday (1970-01-01 was a
/// Thursday).
pub fn weekday_index(day: i32) -> i32 {
    (day + 3).rem_euclid(7)
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The day `years` calendar years after `start`: the same month and day, or
/// 1 March when `start` is 29 February and the target year is no leap year.
///
/// A period of `n` years starting on `start` ends on the day before
/// `anniversary(start, n)`; a year from 29 February 2024 ends on 28 February
/// 2025 and never runs short.
pub fn anniversary(start: Date, years: i32) -> Date {
    date_of(anniversary_day(start, years))
}

/// [`anniversary`] as a day number.
pub fn anniversary_day(start: Date, years: i32) -> i32 {
    let y = i32::from(start.year()) + years;
    let (m, d) = (i32::from(start.month()), i32::from(start.day()));
    if m == 2 && d == 29 && !is_leap_year(y) {
        days_from_civil(y, 3, 1)
    } else {
        days_from_civil(y, m, d)
    }
}

/// The first day of the half-year (1 January or 1 July) that holds `date`.
pub fn half_year_start(date: Date) -> Date {
    let m = if date.month() <= 6 { 1 } else { 7 };
    Date::new(date.year(), m, 1).expect("1 January and 1 July exist in every year")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::parse_date;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn day_numbers_match_jiff() {
        assert_eq!(day_number(d("1970-01-01")), 0);
        assert_eq!(day_number(d("2024-03-01")) - day_number(d("2024-02-28")), 2);
        assert_eq!(day_number(d("2023-03-01")) - day_number(d("2023-02-28")), 1);
        assert_eq!(date_of(day_number(d("2000-02-29"))), d("2000-02-29"));
    }

    #[test]
    fn anniversaries_of_29_february_fall_on_1_march() {
        let check = |start: &str, years: i32, expected: &str| {
            assert_eq!(
                anniversary(d(start), years),
                d(expected),
                "{start} + {years}"
            );
        };
        check("2024-02-29", 1, "2025-03-01");
        check("2024-02-29", 4, "2028-02-29");
        check("2023-07-01", 1, "2024-07-01");
        check("2023-12-31", 2, "2025-12-31");
    }

    #[test]
    fn range_is_checked() {
        assert!(check_range(d("1899-12-31")).is_err());
        assert!(check_range(d("2200-01-01")).is_err());
        assert!(check_range(d("2025-06-30")).is_ok());
    }

    proptest! {
        #[test]
        fn day_number_round_trips_and_agrees_with_jiff(n in -800_000i32..90_000) {
            let date = date_of(n);
            prop_assert_eq!(day_number(date), n);
            let next = date.tomorrow().unwrap();
            prop_assert_eq!(day_number(next), n + 1);
            prop_assert_eq!(weekday_index(n), i32::from(date.weekday().to_monday_zero_offset()));
        }
    }
}
