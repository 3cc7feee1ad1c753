//! What a member types when logging an activity, checked where it comes in: the number of
//! people (and of households) helped, the day it was done and a note. Chat and the CSV
//! import read them alike.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{ActivityKind, ActivityRules};
use crate::domain::decision::{parse_date, DateError};
use crate::domain::text::{clean, fold};

/// At most this many people (or households) in one entry: a village's whole population in
/// one sitting is already far-fetched; more is a typo.
pub const MAX_COUNT: u32 = 10_000;

/// The longest note, in characters.
pub const NOTE_MAX: usize = 300;

/// Why a typed value of an entry was refused. The chat names the reason; the import writes it
/// after the line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("not a whole number")]
    NotANumber,
    #[error("must be at least {min}")]
    TooFew { min: u32 },
    #[error("must be at most {max}")]
    TooMany { max: u32 },
    #[error("not a date (dd/mm, dd/mm/yyyy, yyyy-mm-dd, today or yesterday)")]
    NotADay,
    #[error("no such day in the calendar")]
    NoSuchDay,
    #[error("the day is in the future")]
    Future,
    #[error("the day is before {0} (more than a year back)")]
    TooEarly(NaiveDate),
    #[error("the note is empty")]
    EmptyNote,
    #[error("the note is longer than {max} characters")]
    NoteTooLong { max: usize },
}

/// The number of people helped: a whole number from 1 to [`MAX_COUNT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct People(u32);

impl People {
    /// "3", " 3 ", "3 người", "3 nguoi", "3 people".
    pub fn parse(input: &str) -> Result<People, EntryError> {
        count(input, &["nguoi", "people", "person", "persons"], 1).map(People)
    }

    /// A count already checked (a stored entry, a button's number).
    pub fn new(n: u32) -> Option<People> {
        (1..=MAX_COUNT).contains(&n).then_some(People(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The number of households reached: a whole number from 0 to [`MAX_COUNT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Households(u32);

impl Households {
    /// "3", "3 hộ", "3 ho", "3 households".
    pub fn parse(input: &str) -> Result<Households, EntryError> {
        count(input, &["ho", "ho gia dinh", "households", "household"], 0).map(Households)
    }

    pub fn new(n: u32) -> Option<Households> {
        (n <= MAX_COUNT).then_some(Households(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A whole number, optionally followed by one of `units` (folded), `min..=`[`MAX_COUNT`].
fn count(input: &str, units: &[&str], min: u32) -> Result<u32, EntryError> {
    if input.len() > 64 {
        return Err(EntryError::NotANumber);
    }
    let folded = fold(input);
    let digits_end = folded
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(folded.len());
    let (digits, rest) = folded.split_at(digits_end);
    let rest = rest.trim();
    if folded.starts_with('-')
        && folded[1..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(EntryError::TooFew { min });
    }
    if digits.is_empty() || !(rest.is_empty() || units.contains(&rest)) {
        return Err(EntryError::NotANumber);
    }
    match digits.parse::<u64>() {
        Ok(n) if n < u64::from(min) => Err(EntryError::TooFew { min }),
        Ok(n) if n <= u64::from(MAX_COUNT) => Ok(n as u32),
        _ => Err(EntryError::TooMany { max: MAX_COUNT }),
    }
}

/// The day an activity was done: not in the future, and at most a year back (an entry
/// older than that belongs to a period long reported; a typo more likely).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayDone(NaiveDate);

impl DayDone {
    /// "hôm nay"/"today", "hôm qua"/"hom qua"/"yesterday", "dd/mm" (the latest such day up
    /// to `today`: on 5 January "28/12" is last December's), "dd/mm/yyyy" or "yyyy-mm-dd".
    pub fn parse(input: &str, today: NaiveDate) -> Result<DayDone, EntryError> {
        if input.len() > 40 {
            return Err(EntryError::NotADay);
        }
        let folded = fold(input);
        let day = match folded.as_str() {
            "hom nay" | "homnay" | "today" => today,
            "hom qua" | "homqua" | "yesterday" => today - Days::new(1),
            text => read_date(text, today)?,
        };
        DayDone::new(day, today)
    }

    /// `day` checked against `today`.
    pub fn new(day: NaiveDate, today: NaiveDate) -> Result<DayDone, EntryError> {
        let earliest = earliest(today);
        if day > today {
            Err(EntryError::Future)
        } else if day < earliest {
            Err(EntryError::TooEarly(earliest))
        } else {
            Ok(DayDone(day))
        }
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// The earliest day an entry may be done on: the same day a year before `today`.
pub fn earliest(today: NaiveDate) -> NaiveDate {
    today.checked_sub_months(Months::new(12)).unwrap_or(today)
}

fn read_date(text: &str, today: NaiveDate) -> Result<NaiveDate, EntryError> {
    let iso = text.split('-').collect::<Vec<_>>();
    if let [y, m, d] = iso.as_slice() {
        if y.len() == 4 {
            let n = |s: &str| s.parse::<u32>().map_err(|_| EntryError::NotADay);
            return NaiveDate::from_ymd_opt(n(y)? as i32, n(m)?, n(d)?)
                .ok_or(EntryError::NoSuchDay);
        }
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    if let [d, m] = parts.as_slice() {
        let n = |s: &str| -> Result<u32, EntryError> {
            if s.is_empty() || s.len() > 2 || !s.chars().all(|c| c.is_ascii_digit()) {
                return Err(EntryError::NotADay);
            }
            s.parse().map_err(|_| EntryError::NotADay)
        };
        let (d, m) = (n(d)?, n(m)?);
        let this_year = NaiveDate::from_ymd_opt(today.year(), m, d);
        let last_year = NaiveDate::from_ymd_opt(today.year() - 1, m, d);
        return match (this_year, last_year) {
            (Some(day), _) if day <= today => Ok(day),
            (_, Some(day)) => Ok(day),
            (Some(day), None) => Ok(day),
            (None, None) => Err(EntryError::NoSuchDay),
        };
    }
    parse_date(text).map_err(|error| match error {
        DateError::NoSuchDay => EntryError::NoSuchDay,
        _ => EntryError::NotADay,
    })
}

/// A free note: trimmed, at most [`NOTE_MAX`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    pub fn parse(input: &str) -> Result<Note, EntryError> {
        if input.len() > NOTE_MAX * 8 {
            return Err(EntryError::NoteTooLong { max: NOTE_MAX });
        }
        let text = clean(input);
        match text.chars().count() {
            0 => Err(EntryError::EmptyNote),
            n if n > NOTE_MAX => Err(EntryError::NoteTooLong { max: NOTE_MAX }),
            _ => Ok(Note(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What the author of an entry may still add to it, from the dialogue that saved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    Households(Households),
    Day(DayDone),
    Note(Note),
}

impl ActivityRules {
    /// The kind a person or a file names: its code, or its Vietnamese or English name, with
    /// or without diacritics, in any case.
    pub fn kind_named(&self, text: &str) -> Option<&ActivityKind> {
        let folded = fold(text);
        if folded.is_empty() {
            return None;
        }
        self.kinds.iter().find(|k| {
            k.code == folded.replace(' ', "_") || fold(&k.vi) == folded || fold(&k.en) == folded
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_number_of_people_is_read_with_or_without_its_word_and_spaces() {
        for typed in [
            "3",
            " 3 ",
            "3 người",
            "3 nguoi",
            "3 NGƯỜI",
            "3người",
            "3 people",
        ] {
            assert_eq!(People::parse(typed).map(People::get), Ok(3), "{typed:?}");
        }
        assert_eq!(People::parse("10000").map(People::get), Ok(10_000));
    }

    #[test]
    fn zero_negative_too_many_and_words_are_refused_as_people() {
        assert_eq!(People::parse("0"), Err(EntryError::TooFew { min: 1 }));
        assert_eq!(People::parse("-2"), Err(EntryError::TooFew { min: 1 }));
        assert_eq!(
            People::parse("10001"),
            Err(EntryError::TooMany { max: 10_000 })
        );
        assert_eq!(
            People::parse("99999999999999999999999"),
            Err(EntryError::TooMany { max: 10_000 })
        );
        for typed in ["ba", "three", "", "3 con gà", "3.5", "x3", &"9".repeat(100)] {
            assert!(People::parse(typed).is_err(), "{typed:?}");
        }
    }

    #[test]
    fn households_may_be_zero_and_take_their_own_word() {
        assert_eq!(Households::parse("0").map(Households::get), Ok(0));
        assert_eq!(Households::parse("2 hộ").map(Households::get), Ok(2));
        assert_eq!(Households::parse("2 ho").map(Households::get), Ok(2));
        assert!(Households::parse("2 người").is_err());
    }

    #[test]
    fn a_day_is_today_yesterday_or_a_date_within_the_last_year() {
        let today = day(2026, 11, 20);
        let read = |s: &str| DayDone::parse(s, today).map(DayDone::date);
        assert_eq!(read("hôm nay"), Ok(today));
        for typed in ["hôm qua", "hom qua", "Hôm Qua", "yesterday", " homqua "] {
            assert_eq!(read(typed), Ok(day(2026, 11, 19)), "{typed:?}");
        }
        assert_eq!(read("15/11"), Ok(day(2026, 11, 15)));
        assert_eq!(read("15/11/2026"), Ok(day(2026, 11, 15)));
        assert_eq!(read("2026-11-15"), Ok(day(2026, 11, 15)));
        assert_eq!(read("20/11/2025"), Ok(day(2025, 11, 20)));
        // A day and month still to come this year is last year's.
        assert_eq!(read("28/12"), Ok(day(2025, 12, 28)));
    }

    #[test]
    fn a_future_day_an_old_one_and_no_day_are_refused() {
        let today = day(2026, 11, 20);
        let read = |s: &str| DayDone::parse(s, today).map(DayDone::date);
        assert_eq!(read("21/11/2026"), Err(EntryError::Future));
        assert_eq!(
            read("19/11/2025"),
            Err(EntryError::TooEarly(day(2025, 11, 20)))
        );
        assert_eq!(read("31/02/2026"), Err(EntryError::NoSuchDay));
        assert_eq!(read("mai"), Err(EntryError::NotADay));
        assert_eq!(read(&"1".repeat(10_000)), Err(EntryError::NotADay));
    }

    #[test]
    fn a_note_is_trimmed_and_at_most_300_characters() {
        assert_eq!(
            Note::parse("  hướng dẫn   cài VNeID ").map(Note::into_string),
            Ok("hướng dẫn cài VNeID".to_owned())
        );
        assert_eq!(
            Note::parse(&"ă".repeat(300)).map(|n| n.as_str().chars().count()),
            Ok(300)
        );
        assert_eq!(
            Note::parse(&"a".repeat(301)),
            Err(EntryError::NoteTooLong { max: 300 })
        );
        assert_eq!(
            Note::parse(&"a".repeat(10_000)),
            Err(EntryError::NoteTooLong { max: 300 })
        );
        assert_eq!(Note::parse("   "), Err(EntryError::EmptyNote));
    }

    #[test]
    fn a_kind_is_found_by_its_code_or_either_name_without_diacritics() {
        let rules = ActivityRules::default();
        let code = |s: &str| rules.kind_named(s).map(|k| k.code.as_str());
        assert_eq!(code("vneid"), Some("vneid"));
        assert_eq!(code("Kích hoạt VNeID"), Some("vneid"));
        assert_eq!(code("kich hoat vneid"), Some("vneid"));
        assert_eq!(code("ONLINE SHOPPING"), Some("online_shopping"));
        assert_eq!(code("online_payment"), Some("online_payment"));
        assert_eq!(code("bán hàng"), None);
        assert_eq!(code(""), None);
    }
}
