//! The deadlines of a person's requests about their data (Personal Data Protection Law
//! 91/2025/QH15, Decree 356/2025/NĐ-CP). cnscd answers every request at once, and withdraws
//! consent or erases at once; a correction is made by the village head, due within
//! [`CORRECTION_WORKING_DAYS`] working days: the decree's time to respond to a request (our
//! reading; see the README's "Personal data").

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Working days a head has to make a correction a person asked for.
pub const CORRECTION_WORKING_DAYS: u32 = 2;

/// The day `working_days` working days (Monday to Friday) after `received`.
pub fn due_by(received: NaiveDate, working_days: u32) -> NaiveDate {
    let mut day = received;
    let mut left = working_days;
    while left > 0 {
        day += Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn two_working_days_skip_the_weekend() {
        // Monday → Wednesday; Thursday → Monday; Saturday → Tuesday.
        assert_eq!(due_by(date(2026, 1, 5), 2), date(2026, 1, 7));
        assert_eq!(due_by(date(2026, 1, 8), 2), date(2026, 1, 12));
        assert_eq!(due_by(date(2026, 1, 10), 2), date(2026, 1, 13));
    }
}
