//! A reporting period: a month (`2026-11`) or a quarter (`2026-Q4`), as officials write them
//! and as `cnscd report --period` takes them. A period covers whole days, first to last.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};

/// A month or a quarter of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a period: write a month as 2026-11 or a quarter as 2026-Q4")]
pub struct PeriodError(pub String);

impl Period {
    /// Reads `2026-11`, `2026-Q4` (also `2026-q4`, `Q4/2026`, `11/2026`), trimmed.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let error = || PeriodError(text.chars().take(40).collect());
        let trimmed = text.trim();
        let (year, rest) = match trimmed.split_once(['-', '/']) {
            Some((a, b)) if a.len() == 4 => (a, b),
            // `11/2026`, `Q4/2026`: the year last, as Vietnamese dates are written
            Some((a, b)) if b.len() == 4 => (b, a),
            _ => return Err(error()),
        };
        let year: i32 = year.parse().map_err(|_| error())?;
        if !(2000..=2999).contains(&year) {
            return Err(error());
        }
        let period = match rest.strip_prefix(['Q', 'q']) {
            Some(quarter) => Period::Quarter {
                year,
                quarter: quarter.parse().map_err(|_| error())?,
            },
            None => Period::Month {
                year,
                month: rest.parse().map_err(|_| error())?,
            },
        };
        match period {
            Period::Month { month, .. } if (1..=12).contains(&month) => Ok(period),
            Period::Quarter { quarter, .. } if (1..=4).contains(&quarter) => Ok(period),
            _ => Err(error()),
        }
    }

    /// The month `day` is in.
    pub fn month_of(day: NaiveDate) -> Period {
        Period::Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// The quarter `day` is in.
    pub fn quarter_of(day: NaiveDate) -> Period {
        Period::Quarter {
            year: day.year(),
            quarter: day.month0() / 3 + 1,
        }
    }

    /// The period's first day.
    pub fn first_day(self) -> NaiveDate {
        let (year, month) = match self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2),
        };
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
    }

    /// The period's last day.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }

    /// Whether `day` falls in the period.
    pub fn contains(self, day: NaiveDate) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// The period of the same length right after this one.
    pub fn next(self) -> Period {
        let months = match self {
            Period::Month { .. } => 1,
            Period::Quarter { .. } => 3,
        };
        self.shifted(self.first_day() + Months::new(months))
    }

    /// The period of the same length right before this one.
    pub fn previous(self) -> Period {
        self.shifted(self.first_day() - Months::new(1))
    }

    fn shifted(self, day: NaiveDate) -> Period {
        match self {
            Period::Month { .. } => Period::month_of(day),
            Period::Quarter { .. } => Period::quarter_of(day),
        }
    }
}

/// `2026-11` or `2026-Q4`: the form stored and typed.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
        }
    }
}

/// Kept in a chat's saved state as it is typed (`"2026-11"`).
impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Period, D::Error> {
        let text = String::deserialize(deserializer)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        Period::parse(text)
    }
}

/// Where a commune's report for a period stands (see `storage::period_reports`): submitted
/// and waiting for the province, returned to the commune with a reason, or approved (the
/// period is locked for the commune).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    Submitted,
    Returned,
    Approved,
}

impl ReportStatus {
    /// As stored in `period_reports.status`.
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Approved => "approved",
        }
    }

    pub fn parse(code: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Submitted,
            ReportStatus::Returned,
            ReportStatus::Approved,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_month_and_a_quarter_read_as_officials_write_them() {
        for (text, period) in [
            (
                "2026-11",
                Period::Month {
                    year: 2026,
                    month: 11,
                },
            ),
            (
                " 2026-1 ",
                Period::Month {
                    year: 2026,
                    month: 1,
                },
            ),
            (
                "11/2026",
                Period::Month {
                    year: 2026,
                    month: 11,
                },
            ),
            (
                "2026-Q4",
                Period::Quarter {
                    year: 2026,
                    quarter: 4,
                },
            ),
            (
                "2026-q1",
                Period::Quarter {
                    year: 2026,
                    quarter: 1,
                },
            ),
            (
                "Q2/2026",
                Period::Quarter {
                    year: 2026,
                    quarter: 2,
                },
            ),
        ] {
            assert_eq!(Period::parse(text), Ok(period), "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_how_to_write_it() {
        for text in [
            "",
            "2026",
            "2026-13",
            "2026-0",
            "2026-Q5",
            "2026-Q0",
            "26-11",
            "tháng 11",
            "1999-01",
            "2026-11-01",
        ] {
            let error = Period::parse(text).unwrap_err();
            assert!(error.to_string().contains("2026-Q4"), "{text}");
        }
    }

    #[test]
    fn a_period_is_shown_as_it_is_typed() {
        for text in ["2026-11", "2026-01", "2026-Q4"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn a_period_covers_its_whole_days() {
        let november = Period::parse("2026-11").unwrap();
        assert_eq!(november.first_day(), day(2026, 11, 1));
        assert_eq!(november.last_day(), day(2026, 11, 30));
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!(q4.first_day(), day(2026, 10, 1));
        assert_eq!(q4.last_day(), day(2026, 12, 31));
        assert!(q4.contains(day(2026, 12, 31)) && !q4.contains(day(2027, 1, 1)));
        let february = Period::parse("2028-02").unwrap();
        assert_eq!(february.last_day(), day(2028, 2, 29));
    }

    #[test]
    fn periods_follow_each_other_across_years() {
        let december = Period::parse("2026-12").unwrap();
        assert_eq!(december.next().to_string(), "2027-01");
        assert_eq!(december.next().previous(), december);
        let q1 = Period::parse("2027-Q1").unwrap();
        assert_eq!(q1.previous().to_string(), "2026-Q4");
        assert_eq!(Period::quarter_of(day(2026, 11, 5)).to_string(), "2026-Q4");
    }
}
