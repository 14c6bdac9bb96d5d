//! The 14-day letter (14-dagenbrief) of art. 6:96(6) BW: for a consumer, the
//! earliest day on which collection costs may be charged.
//!
//! Kwijting's computation is the cautious reading of nl-law.md section 2, so
//! that costs never start too early:
//! 1. [`assumed_delivery_date`]: the second counted day after sending, where
//!    Sundays, Mondays and public holidays do not count;
//! 2. [`nominal_last_day_of_term`]: 14 days from the day after delivery;
//! 3. [`term_extended_past_weekend_and_holidays`]: a term ending on a
//!    Saturday, Sunday or public holiday runs on (Algemene termijnenwet art. 1);
//! 4. [`costs_chargeable_from`]: the day after the last day of the term.

use kwijting_domain::Date;

use crate::LawError;
use crate::calendar::{add_days, check_range, date_of, day_number, weekday_index};
use crate::nl::holidays::{Holidays, YearHolidays};

/// The length of the payment term of art. 6:96(6) BW, in days.
pub const TERM_DAYS: i32 = 14;
/// Ordinary post is assumed delivered on the second counted day.
pub const DELIVERY_COUNTED_DAYS: u8 = 2;

/// Every date of one 14-day letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemandLetterDeadline {
    pub sent_on: Date,
    pub delivered_on: Date,
    /// Delivery + 14 days, before the Algemene termijnenwet extends it.
    pub nominal_last_day: Date,
    /// The last day on which the debtor can pay without costs.
    pub last_day_to_pay: Date,
    /// The first day on which the costs are owed (HR 13-06-2014,
    /// ECLI:NL:HR:2014:1405: no further activity needed).
    pub costs_from: Date,
}

/// Public holidays of the (at most two) years a letter's dates span.
struct Calendar<'h> {
    holidays: &'h Holidays,
    years: [Option<YearHolidays>; 2],
}

impl<'h> Calendar<'h> {
    fn new(holidays: &'h Holidays) -> Calendar<'h> {
        Calendar {
            holidays,
            years: [None, None],
        }
    }

    fn is_holiday(&mut self, day: i32) -> Result<bool, LawError> {
        if let Some(y) = self.years.iter().flatten().find(|y| y.covers(day)) {
            return Ok(y.contains(day, self.holidays));
        }
        let y = self.holidays.days_of_year(date_of(day).year())?;
        let is = y.contains(day, self.holidays);
        // Dates of one letter span at most two years.
        self.years.rotate_right(1);
        self.years[0] = Some(y);
        Ok(is)
    }
}

const SATURDAY: i32 = 5;
const SUNDAY: i32 = 6;
const MONDAY: i32 = 0;

fn delivery_day(sent_on: i32, cal: &mut Calendar<'_>) -> Result<i32, LawError> {
    let mut day = sent_on;
    let mut counted = 0;
    while counted < DELIVERY_COUNTED_DAYS {
        day += 1;
        let wd = weekday_index(day);
        if wd != SUNDAY && wd != MONDAY && !cal.is_holiday(day)? {
            counted += 1;
        }
    }
    Ok(day)
}

fn extended_day(last_day: i32, cal: &mut Calendar<'_>) -> Result<i32, LawError> {
    let mut day = last_day;
    loop {
        let wd = weekday_index(day);
        if wd != SATURDAY && wd != SUNDAY && !cal.is_holiday(day)? {
            return Ok(day);
        }
        day += 1;
    }
}

/// Art. 6:96(6) BW with HR 25-11-2016 (ECLI:NL:HR:2016:2704): ordinary post is
/// assumed delivered on the second day after sending, where Sundays, Mondays
/// and public holidays do not count. Steps forward from the send date one day
/// at a time; the second counted day is the delivery date.
pub fn assumed_delivery_date(sent_on: Date, holidays: &Holidays) -> Result<Date, LawError> {
    check_range(sent_on)?;
    let mut cal = Calendar::new(holidays);
    Ok(date_of(delivery_day(day_number(sent_on), &mut cal)?))
}

/// Art. 6:96(6) BW: a term of 14 days starting the day after receipt; its
/// nominal last day is delivery + 14 days.
pub fn nominal_last_day_of_term(delivered_on: Date) -> Date {
    add_days(delivered_on, TERM_DAYS)
}

/// Algemene termijnenwet art. 1: a statutory term that ends on a Saturday,
/// Sunday or public holiday runs on to the next day that is none of these.
pub fn term_extended_past_weekend_and_holidays(
    last_day: Date,
    holidays: &Holidays,
) -> Result<Date, LawError> {
    check_range(last_day)?;
    let mut cal = Calendar::new(holidays);
    Ok(date_of(extended_day(day_number(last_day), &mut cal)?))
}

/// Art. 6:96(6) BW: the costs are owed when the term has passed unused, so
/// from the day after its last day.
pub fn costs_chargeable_from(last_day_to_pay: Date) -> Date {
    add_days(last_day_to_pay, 1)
}

/// All dates of a 14-day letter sent on `sent_on` (art. 6:96(6) BW): the four
/// steps of the module docs, on day numbers.
pub fn demand_letter_deadline(
    sent_on: Date,
    holidays: &Holidays,
) -> Result<DemandLetterDeadline, LawError> {
    check_range(sent_on)?;
    let mut cal = Calendar::new(holidays);
    let delivered = delivery_day(day_number(sent_on), &mut cal)?;
    let nominal = delivered + TERM_DAYS;
    let last = extended_day(nominal, &mut cal)?;
    Ok(DemandLetterDeadline {
        sent_on,
        delivered_on: date_of(delivered),
        nominal_last_day: date_of(nominal),
        last_day_to_pay: date_of(last),
        costs_from: date_of(last + 1),
    })
}

/// The language of a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Dutch,
    English,
}

/// The words that state the term correctly (HR 25-11-2016,
/// ECLI:NL:HR:2016:2704, the Supreme Court's model wording). Never "from
/// today" or "from the date of this letter": such a term cannot be repaired
/// and no costs are owed.
pub fn term_wording(language: Language) -> &'static str {
    match language {
        Language::Dutch => "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd",
        Language::English => "within 14 days after the day you received this letter",
    }
}

/// The sentence of a 14-day letter that states the consequence of not paying,
/// with the exact costs (art. 6:96(6) BW) and, where it applies, the VAT
/// declaration (art. 2(3) BIK).
pub fn costs_warning(
    language: Language,
    costs: kwijting_domain::Money,
    vat: kwijting_domain::Money,
) -> String {
    let term = term_wording(language);
    match (language, vat.is_zero()) {
        (Language::Dutch, true) => format!(
            "Betaalt u niet {term}, dan bent u incassokosten verschuldigd van {}.",
            costs.to_dutch()
        ),
        (Language::Dutch, false) => format!(
            "Betaalt u niet {term}, dan bent u incassokosten verschuldigd van {} plus {} btw. \
             Onze opdrachtgever kan de btw niet verrekenen.",
            costs.to_dutch(),
            vat.to_dutch()
        ),
        (Language::English, true) => {
            format!("If you do not pay {term}, you will owe collection costs of EUR {costs}.")
        }
        (Language::English, false) => format!(
            "If you do not pay {term}, you will owe collection costs of EUR {costs} plus EUR \
             {vat} VAT. Our client cannot deduct the VAT."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;
    use kwijting_domain::{Money, parse_date};

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    /// Checks (sent, delivered, last day to pay, costs from).
    fn check(sent: &str, delivered: &str, last_day: &str, costs_from: &str) {
        let dl = demand_letter_deadline(d(sent), &Holidays::statutory()).unwrap();
        assert_eq!(
            (dl.delivered_on, dl.last_day_to_pay, dl.costs_from),
            (d(delivered), d(last_day), d(costs_from)),
            "sent {sent}"
        );
    }

    #[test]
    fn worked_example_of_the_reference() {
        // Source: nl-law.md section 2, "Example: sent Friday 2025-12-19".
        let dl = demand_letter_deadline(d("2025-12-19"), &Holidays::statutory()).unwrap();
        assert_eq!(dl.delivered_on, d("2025-12-23"));
        assert_eq!(dl.nominal_last_day, d("2026-01-06"));
        assert_eq!(dl.last_day_to_pay, d("2026-01-06"));
        assert_eq!(dl.costs_from, d("2026-01-07"));
    }

    #[test]
    fn across_year_ends() {
        // Christmas, Boxing Day, then Sunday and Monday do not count.
        check("2025-12-24", "2025-12-30", "2026-01-13", "2026-01-14");
        // New Year's Day does not count; the term ends on a Saturday and runs
        // on past Sunday to Monday.
        check("2026-12-30", "2027-01-02", "2027-01-18", "2027-01-19");
        // Sent on New Year's Eve 2025 (Wednesday): Thursday 1 January does not
        // count, Friday and Saturday do.
        check("2025-12-31", "2026-01-03", "2026-01-19", "2026-01-20");
    }

    #[test]
    fn around_easter_and_may() {
        // Good Friday 2025-04-18 does not count; the nominal last day,
        // Saturday 3 May, runs on past Sunday and 5 May to Tuesday 6 May.
        check("2025-04-16", "2025-04-19", "2025-05-06", "2025-05-07");
        // Easter Monday 2026-04-06 would not count anyway (a Monday); sent on
        // Maundy Thursday: Good Friday 3 April does not count.
        check("2026-04-02", "2026-04-07", "2026-04-21", "2026-04-22");
        // Ascension Day 2026-05-14 does not count.
        check("2026-05-13", "2026-05-16", "2026-06-01", "2026-06-02");
    }

    #[test]
    fn kings_day_on_a_sunday() {
        // 27 April 2025 is a Sunday, so King's Day is Saturday 26 April and
        // does not count; Sunday 27 and Monday 28 do not either.
        check("2025-04-24", "2025-04-29", "2025-05-13", "2025-05-14");
        // A term ending on King's Day (Tuesday 27 April 2027) runs on.
        let dl = demand_letter_deadline(d("2027-04-09"), &Holidays::statutory()).unwrap();
        assert_eq!(dl.delivered_on, d("2027-04-13"));
        assert_eq!(dl.nominal_last_day, d("2027-04-27"));
        assert_eq!(dl.last_day_to_pay, d("2027-04-28"));
        assert_eq!(dl.costs_from, d("2027-04-29"));
    }

    #[test]
    fn the_steps_agree_with_the_whole() {
        let h = Holidays::with_bridge_days(vec![d("2026-05-15")]);
        let first = day_number(d("2014-01-01"));
        for day in first..first + 365 * 20 {
            let sent = date_of(day);
            let dl = demand_letter_deadline(sent, &h).unwrap();
            assert_eq!(dl.delivered_on, assumed_delivery_date(sent, &h).unwrap());
            assert_eq!(
                dl.nominal_last_day,
                nominal_last_day_of_term(dl.delivered_on)
            );
            assert_eq!(
                dl.last_day_to_pay,
                term_extended_past_weekend_and_holidays(dl.nominal_last_day, &h).unwrap()
            );
            assert_eq!(dl.costs_from, costs_chargeable_from(dl.last_day_to_pay));
            // Delivery never falls on a Sunday, Monday or holiday; the last
            // day never on a weekend or holiday.
            assert!(!matches!(
                dl.delivered_on.weekday(),
                Weekday::Sunday | Weekday::Monday
            ));
            assert!(!h.is_public_holiday(dl.delivered_on).unwrap());
            assert!(!matches!(
                dl.last_day_to_pay.weekday(),
                Weekday::Saturday | Weekday::Sunday
            ));
            assert!(!h.is_public_holiday(dl.last_day_to_pay).unwrap());
        }
    }

    #[test]
    fn leap_years() {
        // Friday 25 February 2028: Saturday counts, Sunday and Monday do not,
        // Tuesday 29 February counts.
        assert_eq!(d("2028-02-25").weekday(), Weekday::Friday);
        check("2028-02-25", "2028-02-29", "2028-03-14", "2028-03-15");
        // In 2027 the same letter is delivered on 1 March.
        check("2027-02-26", "2027-03-02", "2027-03-16", "2027-03-17");
    }

    #[test]
    fn bridge_days_do_not_count() {
        let h = Holidays::with_bridge_days(vec![d("2026-05-15")]);
        // Without the bridge day Friday 15 and Saturday 16 count; with it,
        // Saturday 16 and Tuesday 19.
        let dl = demand_letter_deadline(d("2026-05-13"), &h).unwrap();
        assert_eq!(dl.delivered_on, d("2026-05-19"));
        let dl = demand_letter_deadline(d("2026-05-12"), &h).unwrap();
        // Wednesday 13 counts, Thursday 14 (Ascension) and Friday 15 (bridge)
        // do not, Saturday 16 counts.
        assert_eq!(dl.delivered_on, d("2026-05-16"));
    }

    #[test]
    fn the_wording_never_says_from_today() {
        // Source: nl-law.md section 2, HR 25-11-2016 (ECLI:NL:HR:2016:2704).
        assert_eq!(
            term_wording(Language::English),
            "within 14 days after the day you received this letter"
        );
        assert!(
            term_wording(Language::Dutch)
                .contains("vanaf de dag nadat deze brief bij u is bezorgd")
        );
        let costs = Money::from_cents(395_00);
        for lang in [Language::Dutch, Language::English] {
            for vat in [Money::ZERO, Money::from_cents(82_95)] {
                let s = costs_warning(lang, costs, vat);
                assert!(!s.contains("from today") && !s.contains("vandaag"), "{s}");
                assert!(s.contains(term_wording(lang)));
                assert!(s.contains("395"), "{s}");
            }
        }
    }
}
