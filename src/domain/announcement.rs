//! Announcements: who they go to, what a text must be, why a person cannot be reached, and
//! when the sender may remind those who have not acknowledged (once a Vietnam day).

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use unicode_normalization::UnicodeNormalization;

use crate::clock::{vietnam, vietnam_date};

/// The longest announcement text, in characters.
pub const TEXT_MAX: usize = 2000;

/// The photo or document sent with an announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementFile {
    pub photo: bool,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Who in the area gets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every member and head of the registered teams.
    All,
    /// The heads (team leaders) only.
    Leaders,
    /// Every member and head of the teams that are behind: drafts, and registered villages
    /// that logged nothing for the rules' `quiet_months`.
    Behind,
}

impl Audience {
    pub fn stored(self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Leaders => "leaders",
            Audience::Behind => "behind",
        }
    }

    pub fn from_stored(text: &str) -> Option<Audience> {
        [Audience::All, Audience::Leaders, Audience::Behind]
            .into_iter()
            .find(|a| a.stored() == text)
    }
}

/// Why a recipient could not be queued, or why their message is not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unreachable {
    /// No chat is known for their number: they never shared it with the bot.
    NoChat,
    /// Their chat blocked the bot.
    Blocked,
    /// Held: Zalo lets the OA write only within its window after the person last wrote; it
    /// goes out when they write.
    ZaloWindow,
    /// The channel refused it for good.
    Failed,
}

impl Unreachable {
    pub const ALL: [Unreachable; 4] = [
        Unreachable::NoChat,
        Unreachable::Blocked,
        Unreachable::ZaloWindow,
        Unreachable::Failed,
    ];

    pub fn stored(self) -> &'static str {
        match self {
            Unreachable::NoChat => "no_chat",
            Unreachable::Blocked => "blocked",
            Unreachable::ZaloWindow => "zalo_window",
            Unreachable::Failed => "failed",
        }
    }

    pub fn from_stored(text: &str) -> Option<Unreachable> {
        Unreachable::ALL.into_iter().find(|r| r.stored() == text)
    }
}

/// Where an announcement stands, as its sender sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub id: i64,
    pub scope_code: String,
    pub audience: Option<Audience>,
    pub created_at: String,
    pub first_line: String,
    pub recipients: usize,
    /// Queued and not yet sent, nor held, nor failed.
    pub queued: usize,
    pub sent: usize,
    /// Not reachable, per reason, with the first names of those concerned.
    pub unreachable: std::collections::BTreeMap<Unreachable, Vec<String>>,
    pub acknowledged: usize,
    pub last_reminded_at: Option<DateTime<Utc>>,
}

/// Why a text cannot be announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("empty")]
    Empty,
    #[error("at most {TEXT_MAX} characters")]
    TooLong,
    #[error("no letter")]
    NoLetters,
}

/// An announcement's text: NFC, trimmed, its line breaks kept (a schedule reads by lines),
/// at least one letter, at most [`TEXT_MAX`] characters.
pub fn parse_text(input: &str) -> Result<String, TextError> {
    if input.len() > TEXT_MAX * 8 {
        return Err(TextError::TooLong);
    }
    let nfc: String = input.nfc().collect();
    let lines: Vec<String> = nfc
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let text = lines.join("\n").trim().to_owned();
    match text.chars().count() {
        0 => Err(TextError::Empty),
        n if n > TEXT_MAX => Err(TextError::TooLong),
        _ if !text.chars().any(char::is_alphabetic) => Err(TextError::NoLetters),
        _ => Ok(text),
    }
}

/// Whether the sender may remind now, given the last reminder: `Err` names the moment (the
/// next Vietnam midnight after the last one) from which they may.
pub fn may_remind(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
    let Some(last) = last else {
        return Ok(());
    };
    let day = vietnam_date(last);
    if vietnam_date(now) > day {
        return Ok(());
    }
    let next = day
        .checked_add_days(Days::new(1))
        .map(|d| d.and_time(NaiveTime::MIN))
        .and_then(|d| vietnam().from_local_datetime(&d).single())
        .map_or(now, |d| d.with_timezone(&Utc));
    Err(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn a_text_keeps_its_lines_and_needs_a_letter() {
        assert_eq!(
            parse_text("  Lịch   tập huấn:\n  thứ Hai  8h \n"),
            Ok("Lịch tập huấn:\nthứ Hai 8h".to_owned())
        );
        assert_eq!(parse_text("   \n "), Err(TextError::Empty));
        assert_eq!(parse_text("🙂 123 ..."), Err(TextError::NoLetters));
        assert_eq!(
            parse_text(&"a".repeat(TEXT_MAX)).map(|t| t.len()),
            Ok(TEXT_MAX)
        );
        assert_eq!(parse_text(&"a".repeat(10_000)), Err(TextError::TooLong));
    }

    #[test]
    fn an_nfd_text_is_stored_as_nfc() {
        let nfd: String = "Hòa".nfd().collect();
        assert_eq!(parse_text(&nfd), Ok("Hòa".to_owned()));
    }

    #[test]
    fn a_reminder_waits_for_the_next_vietnam_day() {
        assert_eq!(may_remind(None, at("2026-12-08T09:00:00+07:00")), Ok(()));
        let last = at("2026-12-08T09:00:00+07:00");
        let midnight = at("2026-12-09T00:00:00+07:00");
        assert_eq!(
            may_remind(Some(last), at("2026-12-08T23:59:00+07:00")),
            Err(midnight)
        );
        assert_eq!(may_remind(Some(last), midnight), Ok(()));
        // 20:00 UTC is already the next day in Vietnam.
        assert_eq!(may_remind(Some(last), at("2026-12-08T17:00:00Z")), Ok(()));
    }

    #[test]
    fn stored_words_read_back() {
        for audience in [Audience::All, Audience::Leaders, Audience::Behind] {
            assert_eq!(Audience::from_stored(audience.stored()), Some(audience));
        }
        for reason in Unreachable::ALL {
            assert_eq!(Unreachable::from_stored(reason.stored()), Some(reason));
        }
        assert_eq!(Audience::from_stored("everyone"), None);
    }
}
