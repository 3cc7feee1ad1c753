//! The founding decision (Quyết định thành lập): its number, date and signed scan, plus the
//! short free-text answers of the registration (workplace, a role not in the list).

use chrono::NaiveDate;

use super::text::clean;

/// A decision number as written on the document, e.g. `125/QĐ-UBND`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DecisionNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecisionNumberError {
    #[error("no decision number given")]
    Empty,
    #[error("a decision number has at most {max} characters")]
    TooLong { max: usize },
    #[error("a decision number contains a number")]
    NoDigit,
}

impl DecisionNumber {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(input: &str) -> Result<DecisionNumber, DecisionNumberError> {
        if input.len() > Self::MAX_CHARS * 8 {
            return Err(DecisionNumberError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let text = clean(input);
        if text.is_empty() {
            return Err(DecisionNumberError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(DecisionNumberError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if !text.chars().any(|c| c.is_ascii_digit()) {
            return Err(DecisionNumberError::NoDigit);
        }
        Ok(DecisionNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("dates are written dd/mm/yyyy")]
    Format,
    #[error("no such day in the calendar")]
    NoSuchDay,
    #[error("the date is in the future")]
    Future,
    #[error("the date is before {0}")]
    TooEarly(NaiveDate),
}

/// Parses `dd/mm/yyyy` (also with `-` or `.`), refusing days that do not exist, are after
/// `today` or before `earliest` (no team was founded before the programme began).
pub fn parse_past_date(
    input: &str,
    earliest: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, DateError> {
    let date = parse_date(input)?;
    if date > today {
        return Err(DateError::Future);
    }
    if date < earliest {
        return Err(DateError::TooEarly(earliest));
    }
    Ok(date)
}

/// Parses `dd/mm/yyyy` (also with `-` or `.`), refusing days that do not exist. A two-digit
/// year is of this century: "20/4/22" is 20/04/2022.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let text = input.trim();
    if text.len() > 20 {
        return Err(DateError::Format);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    let [day, month, year] = parts.as_slice() else {
        return Err(DateError::Format);
    };
    let number = |s: &str, max_len: usize| -> Result<u32, DateError> {
        if s.is_empty() || s.len() > max_len || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(DateError::Format);
        }
        s.parse().map_err(|_| DateError::Format)
    };
    let (day, month, year) = (number(day, 2)?, number(month, 2)?, number(year, 4)?);
    let year = match year_digits(parts[2]) {
        2 => 2000 + year,
        4 if year >= 1000 => year,
        _ => return Err(DateError::Format),
    };
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(DateError::NoSuchDay)
}

fn year_digits(year: &str) -> usize {
    year.trim().len()
}

/// Short optional free text (a workplace, a role not in the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FreeTextError {
    #[error("empty")]
    Empty,
    #[error("at most {max} characters")]
    TooLong { max: usize },
    /// "🙂" or "..." would show on the residents' card as if it were a workplace.
    #[error("no letter")]
    NoLetters,
}

pub fn parse_short_text(input: &str, max: usize) -> Result<String, FreeTextError> {
    if input.len() > max * 8 {
        return Err(FreeTextError::TooLong { max });
    }
    let text = clean(input);
    match text.chars().count() {
        0 => Err(FreeTextError::Empty),
        n if n > max => Err(FreeTextError::TooLong { max }),
        _ if !text.chars().any(char::is_alphabetic) => Err(FreeTextError::NoLetters),
        _ => Ok(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 4, 20).unwrap()
    }

    fn earliest() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()
    }

    #[test]
    fn dates_are_read_day_first() {
        let expected = NaiveDate::from_ymd_opt(2022, 4, 15).unwrap();
        for input in [
            "15/04/2022",
            "15/4/2022",
            "15-04-2022",
            "15.04.2022",
            " 15 / 04 / 2022 ",
            "15/4/22",
        ] {
            assert_eq!(
                parse_past_date(input, earliest(), today()),
                Ok(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn impossible_malformed_and_future_dates_are_refused() {
        let cases = [
            ("31/02/2022", DateError::NoSuchDay),
            ("2022-04-15x", DateError::Format),
            ("15/04", DateError::Format),
            ("hôm qua", DateError::Format),
            ("15/04/022", DateError::Format),
            ("15/04/2", DateError::Format),
            ("21/04/2022", DateError::Future),
            ("15/04/1990", DateError::TooEarly(earliest())),
            ("31/12/2020", DateError::TooEarly(earliest())),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_past_date(input, earliest(), today()),
                Err(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn decision_numbers_need_a_digit_and_a_sane_length() {
        assert_eq!(
            DecisionNumber::parse(" 125/QĐ-UBND ").unwrap().as_str(),
            "125/QĐ-UBND"
        );
        assert_eq!(
            DecisionNumber::parse("QĐ"),
            Err(DecisionNumberError::NoDigit)
        );
        assert_eq!(DecisionNumber::parse(""), Err(DecisionNumberError::Empty));
        assert_eq!(
            DecisionNumber::parse(&"1".repeat(10_000)),
            Err(DecisionNumberError::TooLong { max: 40 })
        );
    }

    #[test]
    fn short_text_is_cleaned_and_bounded() {
        assert_eq!(
            parse_short_text("  Trường  TH Đại Sơn ", 60),
            Ok("Trường TH Đại Sơn".into())
        );
        assert_eq!(parse_short_text("  ", 60), Err(FreeTextError::Empty));
        for no_letters in ["🙂", "🙂🙂 👍", "...", "123", "#!"] {
            assert_eq!(
                parse_short_text(no_letters, 60),
                Err(FreeTextError::NoLetters),
                "{no_letters:?}"
            );
        }
        assert_eq!(
            parse_short_text(&"x".repeat(61), 60),
            Err(FreeTextError::TooLong { max: 60 })
        );
    }
}
