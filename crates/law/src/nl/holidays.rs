//! Public holidays in the sense of the Algemene termijnenwet (art. 3): the
//! days on which post is not assumed delivered and on which a term does not
//! end.

use jiff::civil::Weekday;
use kwijting_domain::Date;

use crate::LawError;
use crate::calendar::{day_number, days_from_civil};

/// An "algemeen erkende feestdag" (Algemene termijnenwet art. 3) or a day
/// equated with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicHoliday {
    NewYearsDay,
    /// Equated by art. 3(2) Algemene termijnenwet.
    GoodFriday,
    EasterMonday,
    KingsDay,
    /// 5 May, every year.
    LiberationDay,
    AscensionDay,
    WhitMonday,
    ChristmasDay,
    BoxingDay,
    /// A bridge day designated by decree; data, passed in.
    BridgeDay,
}

impl PublicHoliday {
    pub fn name_nl(self) -> &'static str {
        match self {
            PublicHoliday::NewYearsDay => "Nieuwjaarsdag",
            PublicHoliday::GoodFriday => "Goede Vrijdag",
            PublicHoliday::EasterMonday => "Tweede Paasdag",
            PublicHoliday::KingsDay => "Koningsdag",
            PublicHoliday::LiberationDay => "5 mei",
            PublicHoliday::AscensionDay => "Hemelvaartsdag",
            PublicHoliday::WhitMonday => "Tweede Pinksterdag",
            PublicHoliday::ChristmasDay => "Eerste Kerstdag",
            PublicHoliday::BoxingDay => "Tweede Kerstdag",
            PublicHoliday::BridgeDay => "gelijkgestelde dag",
        }
    }
}

/// The first year whose holidays the engine knows: King's Day replaced
/// Queen's Day in 2014, and the engine does not guess the older rule.
pub const FIRST_KNOWN_HOLIDAY_YEAR: i16 = 2014;

/// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // Month is 3 or 4 and day 1..=31 by construction.
    Date::new(year, month as i8, day as i8).expect("Easter falls in March or April")
}

/// King's Day (Algemene termijnenwet art. 3(1), "de dag waarop de verjaardag
/// van de Koning wordt gevierd"): 27 April, or 26 April when the 27th is a
/// Sunday.
pub fn kings_day(year: i16) -> Date {
    let the_27th = Date::new(year, 4, 27).expect("27 April exists");
    if the_27th.weekday() == Weekday::Sunday {
        Date::new(year, 4, 26).expect("26 April exists")
    } else {
        the_27th
    }
}

/// The public holidays of the Algemene termijnenwet, art. 3, plus the bridge
/// days designated by decree (data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    bridge_days: Vec<Date>,
    bridge_day_numbers: Vec<i32>,
}

impl Holidays {
    /// The statutory holidays and no bridge days.
    pub fn statutory() -> Holidays {
        Holidays::default()
    }

    /// The statutory holidays plus the bridge days designated by decree.
    pub fn with_bridge_days(mut bridge_days: Vec<Date>) -> Holidays {
        bridge_days.sort();
        bridge_days.dedup();
        let bridge_day_numbers = bridge_days.iter().map(|d| day_number(*d)).collect();
        Holidays {
            bridge_days,
            bridge_day_numbers,
        }
    }

    /// Which public holiday `date` is, if any (Algemene termijnenwet art. 3).
    /// Refuses years before [`FIRST_KNOWN_HOLIDAY_YEAR`].
    pub fn public_holiday(&self, date: Date) -> Result<Option<PublicHoliday>, LawError> {
        let year = date.year();
        if year < FIRST_KNOWN_HOLIDAY_YEAR {
            return Err(LawError::HolidaysUnknown { year });
        }
        let fixed = match (date.month(), date.day()) {
            (1, 1) => Some(PublicHoliday::NewYearsDay),
            (5, 5) => Some(PublicHoliday::LiberationDay),
            (12, 25) => Some(PublicHoliday::ChristmasDay),
            (12, 26) => Some(PublicHoliday::BoxingDay),
            _ => None,
        };
        if fixed.is_some() {
            return Ok(fixed);
        }
        if (3..=6).contains(&date.month()) {
            if date.month() == 4
                && (date.day() == 26 || date.day() == 27)
                && date == kings_day(year)
            {
                return Ok(Some(PublicHoliday::KingsDay));
            }
            let from_easter = day_number(date) - day_number(easter_sunday(year));
            let movable = match from_easter {
                -2 => Some(PublicHoliday::GoodFriday),
                1 => Some(PublicHoliday::EasterMonday),
                39 => Some(PublicHoliday::AscensionDay),
                50 => Some(PublicHoliday::WhitMonday),
                _ => None,
            };
            if movable.is_some() {
                return Ok(movable);
            }
        }
        if self.bridge_days.binary_search(&date).is_ok() {
            return Ok(Some(PublicHoliday::BridgeDay));
        }
        Ok(None)
    }

    pub fn is_public_holiday(&self, date: Date) -> Result<bool, LawError> {
        Ok(self.public_holiday(date)?.is_some())
    }

    /// The day numbers of the public holidays of `year` (statutory ones, then
    /// the bridge days of that year), for fast repeated checks.
    pub(crate) fn days_of_year(&self, year: i16) -> Result<YearHolidays, LawError> {
        if year < FIRST_KNOWN_HOLIDAY_YEAR {
            return Err(LawError::HolidaysUnknown { year });
        }
        let y = i32::from(year);
        let easter = day_number(easter_sunday(year));
        let days = [
            days_from_civil(y, 1, 1),
            easter - 2,
            easter + 1,
            day_number(kings_day(year)),
            days_from_civil(y, 5, 5),
            easter + 39,
            easter + 50,
            days_from_civil(y, 12, 25),
            days_from_civil(y, 12, 26),
        ];
        Ok(YearHolidays {
            first_day: days_from_civil(y, 1, 1),
            last_day: days_from_civil(y, 12, 31),
            days,
        })
    }
}

/// The public holidays of one year as day numbers.
#[derive(Debug, Clone)]
pub(crate) struct YearHolidays {
    first_day: i32,
    last_day: i32,
    /// The statutory holidays; bridge days are looked up in [`Holidays`].
    days: [i32; 9],
}

impl YearHolidays {
    pub(crate) fn covers(&self, day: i32) -> bool {
        (self.first_day..=self.last_day).contains(&day)
    }

    pub(crate) fn contains(&self, day: i32, holidays: &Holidays) -> bool {
        self.days.contains(&day) || holidays.bridge_day_numbers.binary_search(&day).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn easter_by_the_anonymous_gregorian_algorithm() {
        let check = |year: i16, expected: &str| assert_eq!(easter_sunday(year), d(expected));
        check(2000, "2000-04-23");
        check(2008, "2008-03-23");
        check(2011, "2011-04-24");
        check(2019, "2019-04-21");
        check(2024, "2024-03-31");
        check(2025, "2025-04-20");
        check(2026, "2026-04-05");
        check(2027, "2027-03-28");
        check(2038, "2038-04-25");
    }

    #[test]
    fn kings_day_moves_to_the_26th_when_the_27th_is_a_sunday() {
        // Source: nl-law.md section 2, public holidays.
        assert_eq!(d("2025-04-27").weekday(), Weekday::Sunday);
        assert_eq!(kings_day(2025), d("2025-04-26"));
        assert_eq!(kings_day(2026), d("2026-04-27"));
        assert_eq!(kings_day(2014), d("2014-04-26"));
    }

    #[test]
    fn the_holidays_of_2025_and_2026() {
        // Source: nl-law.md section 2, Algemene termijnenwet art. 3.
        let h = Holidays::statutory();
        let check = |date: &str, expected: Option<PublicHoliday>| {
            assert_eq!(h.public_holiday(d(date)).unwrap(), expected, "{date}");
        };
        use PublicHoliday::*;
        check("2025-01-01", Some(NewYearsDay));
        check("2025-04-18", Some(GoodFriday));
        check("2025-04-20", None); // Easter Sunday is a Sunday, not listed
        check("2025-04-21", Some(EasterMonday));
        check("2025-04-26", Some(KingsDay));
        check("2025-04-27", None);
        check("2025-05-05", Some(LiberationDay));
        check("2025-05-29", Some(AscensionDay));
        check("2025-06-09", Some(WhitMonday));
        check("2025-12-25", Some(ChristmasDay));
        check("2025-12-26", Some(BoxingDay));
        check("2026-04-03", Some(GoodFriday));
        check("2026-04-06", Some(EasterMonday));
        check("2026-04-27", Some(KingsDay));
        check("2026-05-14", Some(AscensionDay));
        check("2026-05-25", Some(WhitMonday));
        check("2026-05-04", None);
        check("2028-02-29", None);
    }

    #[test]
    fn bridge_days_are_data() {
        let h = Holidays::with_bridge_days(vec![d("2026-05-15")]);
        assert_eq!(
            h.public_holiday(d("2026-05-15")).unwrap(),
            Some(PublicHoliday::BridgeDay)
        );
        assert_eq!(
            Holidays::statutory()
                .public_holiday(d("2026-05-15"))
                .unwrap(),
            None
        );
    }

    #[test]
    fn the_fast_table_agrees_with_the_rules() {
        let h = Holidays::with_bridge_days(vec![d("2026-05-15")]);
        for year in 2014..2100 {
            let fast = h.days_of_year(year).unwrap();
            let first = day_number(Date::new(year, 1, 1).unwrap());
            let last = day_number(Date::new(year, 12, 31).unwrap());
            for day in first..=last {
                let date = crate::calendar::date_of(day);
                assert_eq!(
                    fast.contains(day, &h),
                    h.is_public_holiday(date).unwrap(),
                    "{date}"
                );
            }
        }
    }

    #[test]
    fn years_before_kings_day_are_refused() {
        assert_eq!(
            Holidays::statutory().public_holiday(d("2013-04-30")),
            Err(LawError::HolidaysUnknown { year: 2013 })
        );
    }
}
