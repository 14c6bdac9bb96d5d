//! The table of statutory interest rates (art. 6:119 and 6:119a BW) as data.
//!
//! The table ships as `data/nl-rates.csv` (embedded at compile time) with a
//! source and a confirmed/provisional mark per line. An operator adds lines at
//! run time with [`RateTable::add_operator_line`] (the service layer persists
//! them and passes them in), so a new half-year needs no release.
//!
//! A missing rate is handled as nl-law.md section 3 says:
//! - the consumer rate (6:119) stays in force until a decree changes it
//!   (art. 6:120(1)): the last consumer rate continues, keeping the mark of
//!   its line;
//! - the commercial rate (6:119a) is new every half-year: a half-year without
//!   an entered commercial rate is refused with
//!   [`LawError::MissingCommercialRate`] naming it, unless the operator has
//!   recorded [`RateTable::assume_commercial_rate_continues`]; then the last
//!   rate is used and every such period is marked [`RateMark::Assumed`].

use kwijting_domain::{Date, parse_date};

use crate::calendar::{date_of, day_number, half_year_start};
use crate::{LawError, RateBps, RateError};

/// The rate table shipped with this release.
pub const SHIPPED_RATES_CSV: &str = include_str!("../../data/nl-rates.csv");

/// Lines an operator may add in one go; more is a mistake, not a rate table.
const RATE_LINES_MAX: usize = 1_000;

/// Whether a rate line has been checked against its official publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateStatus {
    Confirmed,
    /// Derived from the rule that sets the rate; to be checked against the
    /// decree in the Staatsblad before letters rely on it.
    Provisional,
}

impl RateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RateStatus::Confirmed => "confirmed",
            RateStatus::Provisional => "provisional",
        }
    }

    pub fn parse(s: &str) -> Option<RateStatus> {
        match s.trim() {
            "confirmed" => Some(RateStatus::Confirmed),
            "provisional" => Some(RateStatus::Provisional),
            _ => None,
        }
    }
}

/// Where a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineOrigin {
    Shipped,
    Operator,
}

/// How sure the rate of an interest period is; statements show every mark
/// other than `Confirmed` and `Agreed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateMark {
    Confirmed,
    Provisional,
    /// No commercial rate was entered for the half-year; the last one was
    /// assumed to continue, as the operator recorded.
    Assumed,
    /// A contractual rate: what the parties agreed.
    Agreed,
}

impl RateMark {
    pub fn as_str(self) -> &'static str {
        match self {
            RateMark::Confirmed => "confirmed",
            RateMark::Provisional => "provisional",
            RateMark::Assumed => "assumed",
            RateMark::Agreed => "agreed",
        }
    }

    fn of(status: RateStatus) -> RateMark {
        match status {
            RateStatus::Confirmed => RateMark::Confirmed,
            RateStatus::Provisional => RateMark::Provisional,
        }
    }
}

/// One line of the rate table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLine {
    pub effective_from: Date,
    /// The consumer rate (6:119) from this date; `None`: unchanged.
    pub consumer: Option<RateBps>,
    /// The commercial rate (6:119a) for the half-year from this date.
    pub commercial: Option<RateBps>,
    pub status: RateStatus,
    pub source: String,
    pub origin: LineOrigin,
}

/// A rate in force on a day, with its mark and the line it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedRate {
    pub rate: RateBps,
    pub mark: RateMark,
    pub line_from: Date,
}

/// A rate and the first day on which a different rate may apply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateSegment {
    pub rate: RateBps,
    pub mark: RateMark,
    /// Day number of the next possible change (exclusive end).
    pub next_change_day: i32,
}

/// The statutory rates, validated and indexed for fast lookup.
#[derive(Debug, Clone)]
pub struct RateTable {
    lines: Vec<RateLine>,
    commercial_assumption: Option<String>,
    /// (day number, rate, status) where the consumer rate changes, ascending.
    consumer: Vec<(i32, RateBps, RateStatus, Date)>,
    /// Half-year index (`year * 2 + second half`) of `commercial[0]`.
    commercial_first: i32,
    /// The commercial rate per half-year from `commercial_first`; `None`
    /// when no rate was entered for it.
    commercial: Vec<Option<(RateBps, RateStatus, Date)>>,
    /// Day numbers of the starts of the half-years of `commercial`, plus
    /// the start of the half-year after the last.
    commercial_starts: Vec<i32>,
}

fn half_year_index(date: Date) -> i32 {
    i32::from(date.year()) * 2 + i32::from(date.month() > 6)
}

fn half_year_start_day(index: i32) -> i32 {
    let (y, second) = (index.div_euclid(2), index.rem_euclid(2) == 1);
    crate::calendar::days_from_civil(y, if second { 7 } else { 1 }, 1)
}

impl RateTable {
    /// The table shipped with this release (`data/nl-rates.csv`).
    pub fn shipped() -> Result<RateTable, RateError> {
        RateTable::parse(SHIPPED_RATES_CSV, LineOrigin::Shipped)
    }

    /// Parses a whole table: `#` comments, an optional header line starting
    /// with `effective_from`, then one [`RateTable::parse_line`] per line.
    pub fn parse(csv: &str, origin: LineOrigin) -> Result<RateTable, RateError> {
        let mut table = RateTable {
            lines: Vec::new(),
            commercial_assumption: None,
            consumer: Vec::new(),
            commercial_first: 0,
            commercial: Vec::new(),
            commercial_starts: Vec::new(),
        };
        for (i, raw) in csv.lines().enumerate() {
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with("effective_from") {
                continue;
            }
            let line = RateTable::parse_line(t, i + 1, origin)?;
            table.merge(line, i + 1)?;
        }
        if table.lines.is_empty() {
            return Err(RateError::Line {
                line: 0,
                message: "the rate table has no lines".into(),
            });
        }
        table.reindex();
        Ok(table)
    }

    /// Parses one line `effective_from,consumer_bps,commercial_bps,status,source`.
    /// The source is the rest of the line and may contain commas.
    pub fn parse_line(
        line: &str,
        line_no: usize,
        origin: LineOrigin,
    ) -> Result<RateLine, RateError> {
        let err = |message: String| RateError::Line {
            line: line_no,
            message,
        };
        let fields: Vec<&str> = line.splitn(5, ',').map(str::trim).collect();
        let [from, consumer, commercial, status, source] = fields[..] else {
            return Err(err(format!(
                "expected 5 fields (effective_from,consumer_bps,commercial_bps,status,source), got {}",
                fields.len()
            )));
        };
        let effective_from = parse_date(from).map_err(|e| err(e.to_string()))?;
        crate::calendar::check_range(effective_from).map_err(|e| err(e.to_string()))?;
        let rate = |cell: &str| -> Result<Option<RateBps>, RateError> {
            if cell.is_empty() {
                Ok(None)
            } else {
                RateBps::parse_bps(cell)
                    .map(Some)
                    .map_err(|e| err(e.to_string()))
            }
        };
        let consumer = rate(consumer)?;
        let commercial = rate(commercial)?;
        if consumer.is_none() && commercial.is_none() {
            return Err(err(
                "the line sets neither a consumer nor a commercial rate".into(),
            ));
        }
        if commercial.is_some() && half_year_start(effective_from) != effective_from {
            return Err(err(format!(
                "a commercial rate (art. 6:119a) takes effect on 1 January or 1 July, not {effective_from}"
            )));
        }
        let status = RateStatus::parse(status).ok_or_else(|| {
            err(format!(
                "status must be confirmed or provisional, not '{status}'"
            ))
        })?;
        if source.is_empty() {
            return Err(err("every rate line needs its source".into()));
        }
        Ok(RateLine {
            effective_from,
            consumer,
            commercial,
            status,
            source: source.to_owned(),
            origin,
        })
    }

    /// Adds an operator's line (same format as the shipped file). A line for a
    /// new date is inserted; a line for a date with a provisional line replaces
    /// it; a line for a date with a confirmed line must repeat it exactly
    /// (adding the same line twice is a no-op).
    pub fn add_operator_line(&mut self, line: &str) -> Result<(), RateError> {
        let parsed =
            RateTable::parse_line(line.trim(), self.lines.len() + 1, LineOrigin::Operator)?;
        self.add_line(parsed)
    }

    /// Adds a parsed line; see [`RateTable::add_operator_line`].
    pub fn add_line(&mut self, line: RateLine) -> Result<(), RateError> {
        let line_no = self.lines.len() + 1;
        self.merge(line, line_no)?;
        self.reindex();
        Ok(())
    }

    fn merge(&mut self, line: RateLine, line_no: usize) -> Result<(), RateError> {
        if self.lines.len() >= RATE_LINES_MAX {
            return Err(RateError::Line {
                line: line_no,
                message: format!("the rate table holds at most {RATE_LINES_MAX} lines"),
            });
        }
        match self
            .lines
            .binary_search_by_key(&line.effective_from, |l| l.effective_from)
        {
            Ok(i) => {
                let old = &self.lines[i];
                let same = old.consumer == line.consumer
                    && old.commercial == line.commercial
                    && old.status == line.status;
                if old.status == RateStatus::Confirmed {
                    if !same {
                        return Err(RateError::ConflictsWithConfirmed {
                            effective_from: line.effective_from.to_string(),
                        });
                    }
                } else {
                    self.lines[i] = line;
                }
            }
            Err(i) => self.lines.insert(i, line),
        }
        Ok(())
    }

    fn reindex(&mut self) {
        self.consumer.clear();
        for l in &self.lines {
            if let Some(rate) = l.consumer {
                self.consumer.push((
                    day_number(l.effective_from),
                    rate,
                    l.status,
                    l.effective_from,
                ));
            }
        }
        let with_commercial: Vec<&RateLine> = self
            .lines
            .iter()
            .filter(|l| l.commercial.is_some())
            .collect();
        self.commercial.clear();
        self.commercial_starts.clear();
        if let (Some(first), Some(last)) = (with_commercial.first(), with_commercial.last()) {
            self.commercial_first = half_year_index(first.effective_from);
            let len = half_year_index(last.effective_from) - self.commercial_first + 1;
            self.commercial = vec![None; len as usize];
            for l in with_commercial {
                if let Some(rate) = l.commercial {
                    let i = (half_year_index(l.effective_from) - self.commercial_first) as usize;
                    self.commercial[i] = Some((rate, l.status, l.effective_from));
                }
            }
            self.commercial_starts = (0..=len)
                .map(|i| half_year_start_day(self.commercial_first + i))
                .collect();
        }
    }

    /// Records the operator's decision that the last commercial rate is
    /// assumed to continue for half-years without an entered rate. Every
    /// period that relies on it is marked [`RateMark::Assumed`].
    pub fn assume_commercial_rate_continues(&mut self, note: impl Into<String>) {
        self.commercial_assumption = Some(note.into());
    }

    /// The recorded assumption, if any.
    pub fn commercial_assumption(&self) -> Option<&str> {
        self.commercial_assumption.as_deref()
    }

    pub fn lines(&self) -> &[RateLine] {
        &self.lines
    }

    /// The first day for which the table knows a rate.
    pub fn first_known(&self) -> Date {
        self.lines
            .first()
            .map(|l| l.effective_from)
            .unwrap_or(Date::MIN)
    }

    /// The consumer rate (art. 6:119 BW) on `date`; the last rate continues
    /// until a decree changes it (art. 6:120(1)).
    pub fn consumer_rate_on(&self, date: Date) -> Result<AppliedRate, LawError> {
        let seg = self.consumer_segment(day_number(date))?;
        let i = self.consumer_index(day_number(date))?;
        Ok(AppliedRate {
            rate: seg.rate,
            mark: seg.mark,
            line_from: self.consumer[i].3,
        })
    }

    /// The commercial rate (art. 6:119a BW) on `date`: the rate entered for
    /// its half-year; see the module docs for a missing half-year.
    pub fn commercial_rate_on(&self, date: Date) -> Result<AppliedRate, LawError> {
        let (rate, mark, line_from) =
            self.commercial_lookup(half_year_index(date), day_number(date))?;
        Ok(AppliedRate {
            rate,
            mark,
            line_from,
        })
    }

    fn consumer_index(&self, day: i32) -> Result<usize, LawError> {
        let i = self.consumer.partition_point(|c| c.0 <= day);
        if i == 0 {
            return Err(LawError::BeforeFirstRate {
                date: date_of(day),
                first_known: self.consumer.first().map(|c| c.3).unwrap_or(Date::MIN),
            });
        }
        Ok(i - 1)
    }

    pub(crate) fn consumer_segment(&self, day: i32) -> Result<RateSegment, LawError> {
        let i = self.consumer_index(day)?;
        let (_, rate, status, _) = self.consumer[i];
        // Lines that repeat the rate and status do not split a period.
        let mut j = i + 1;
        while j < self.consumer.len() && self.consumer[j].1 == rate && self.consumer[j].2 == status
        {
            j += 1;
        }
        let next_change_day = self.consumer.get(j).map(|c| c.0).unwrap_or(i32::MAX);
        Ok(RateSegment {
            rate,
            mark: RateMark::of(status),
            next_change_day,
        })
    }

    fn commercial_lookup(
        &self,
        index: i32,
        day: i32,
    ) -> Result<(RateBps, RateMark, Date), LawError> {
        if index < self.commercial_first || self.commercial.is_empty() {
            let first_known = self
                .commercial
                .iter()
                .flatten()
                .next()
                .map(|c| c.2)
                .unwrap_or(Date::MIN);
            return Err(LawError::BeforeFirstRate {
                date: date_of(day),
                first_known,
            });
        }
        let i = (index - self.commercial_first) as usize;
        if let Some(Some((rate, status, from))) = self.commercial.get(i) {
            return Ok((*rate, RateMark::of(*status), *from));
        }
        if self.commercial_assumption.is_some() {
            let last = self.commercial[..i.min(self.commercial.len())]
                .iter()
                .rev()
                .flatten()
                .next();
            if let Some((rate, _, from)) = last {
                return Ok((*rate, RateMark::Assumed, *from));
            }
        }
        Err(LawError::MissingCommercialRate {
            half_year_start: date_of(half_year_start_day(index)),
        })
    }

    pub(crate) fn commercial_segment(&self, day: i32) -> Result<RateSegment, LawError> {
        // Inside the table the half-year is found among the precomputed
        // starts; outside it (before, or assumed after) by the calendar.
        let index = match self.commercial_starts.partition_point(|s| *s <= day) {
            i if i > 0 && i < self.commercial_starts.len() => self.commercial_first + i as i32 - 1,
            _ => half_year_index(date_of(day)),
        };

        let (rate, mark, _) = self.commercial_lookup(index, day)?;
        Ok(RateSegment {
            rate,
            mark,
            next_change_day: half_year_start_day(index + 1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn shipped_table_matches_the_reference() {
        // Source: nl-law.md section 3, the rate table.
        let t = RateTable::shipped().unwrap();
        let check = |date: &str, consumer: u32, commercial: u32, mark: RateMark| {
            let c = t.consumer_rate_on(d(date)).unwrap();
            let k = t.commercial_rate_on(d(date)).unwrap();
            assert_eq!(
                (c.rate.bps(), k.rate.bps()),
                (consumer, commercial),
                "{date}"
            );
            assert_eq!(k.mark, mark, "{date}");
        };
        check("2010-01-01", 300, 800, RateMark::Confirmed);
        check("2011-12-31", 400, 800, RateMark::Confirmed);
        check("2013-03-01", 300, 775, RateMark::Confirmed);
        check("2015-09-01", 200, 805, RateMark::Confirmed);
        check("2020-05-05", 200, 800, RateMark::Confirmed);
        check("2023-06-30", 400, 1050, RateMark::Confirmed);
        check("2023-07-01", 600, 1200, RateMark::Confirmed);
        check("2024-07-01", 700, 1225, RateMark::Confirmed);
        check("2025-06-30", 600, 1115, RateMark::Confirmed);
        check("2025-07-01", 500, 1015, RateMark::Provisional);
        check("2026-06-30", 400, 1015, RateMark::Provisional);
        for l in t.lines() {
            assert!(!l.source.is_empty());
        }
    }

    #[test]
    fn consumer_rate_continues_but_commercial_half_year_is_refused() {
        // Source: nl-law.md section 3, "A missing rate".
        let mut t = RateTable::shipped().unwrap();
        let c = t.consumer_rate_on(d("2031-01-01")).unwrap();
        assert_eq!((c.rate.bps(), c.line_from), (400, d("2026-01-01")));
        let e = t.commercial_rate_on(d("2026-08-15")).unwrap_err();
        assert_eq!(
            e,
            LawError::MissingCommercialRate {
                half_year_start: d("2026-07-01")
            }
        );
        assert!(e.to_string().contains("2026-07-01"));
        t.assume_commercial_rate_continues("operator: ECB rate unchanged, decree pending");
        let k = t.commercial_rate_on(d("2026-08-15")).unwrap();
        assert_eq!((k.rate.bps(), k.mark), (1015, RateMark::Assumed));
    }

    #[test]
    fn a_gap_inside_the_table_is_refused_too() {
        let mut t = RateTable::shipped().unwrap();
        t.add_operator_line("2027-01-01,,1000,confirmed,Staatsblad (operator)")
            .unwrap();
        assert!(t.commercial_rate_on(d("2027-02-01")).is_ok());
        assert_eq!(
            t.commercial_rate_on(d("2026-07-01")).unwrap_err(),
            LawError::MissingCommercialRate {
                half_year_start: d("2026-07-01")
            }
        );
    }

    #[test]
    fn operator_lines_are_validated_and_merged() {
        let mut t = RateTable::shipped().unwrap();
        t.add_operator_line("2026-07-01,,1000,provisional,ECB MRO 2.00 + 8 (operator)")
            .unwrap();
        assert_eq!(
            t.commercial_rate_on(d("2026-07-01")).unwrap().rate.bps(),
            1000
        );
        // A confirmed line replaces the provisional one.
        t.add_operator_line("2026-07-01,,1015,confirmed,Staatscourant (operator)")
            .unwrap();
        assert_eq!(
            t.commercial_rate_on(d("2026-07-01")).unwrap().mark,
            RateMark::Confirmed
        );
        // The same line again is a no-op; a different one is refused.
        t.add_operator_line("2026-07-01,,1015,confirmed,again")
            .unwrap();
        assert!(matches!(
            t.add_operator_line("2026-07-01,,1020,confirmed,typo"),
            Err(RateError::ConflictsWithConfirmed { .. })
        ));
        for bad in [
            "2026-07-01,,1015,confirmed",
            "2026-07-02,,1015,confirmed,not a half-year start",
            "2026-07-01,,,confirmed,no rate",
            "2026-07-01,5%,1015,confirmed,not bps",
            "2026-07-01,,1015,maybe,bad status",
            "2026-07-01,,1015,confirmed,",
            "26-07-01,,1015,confirmed,bad date",
            "2026-07-01,,99999,confirmed,too high",
        ] {
            assert!(t.add_operator_line(bad).is_err(), "{bad}");
        }
        // A consumer decree may take effect on any day.
        t.add_operator_line("2026-09-15,300,,confirmed,decree (operator)")
            .unwrap();
        assert_eq!(t.consumer_rate_on(d("2026-09-15")).unwrap().rate.bps(), 300);
    }

    #[test]
    fn before_the_first_rate_is_refused() {
        let t = RateTable::shipped().unwrap();
        assert!(matches!(
            t.consumer_rate_on(d("2009-12-31")),
            Err(LawError::BeforeFirstRate { .. })
        ));
        assert!(matches!(
            t.commercial_rate_on(d("2009-12-31")),
            Err(LawError::BeforeFirstRate { .. })
        ));
    }
}
