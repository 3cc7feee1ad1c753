//! What each simulated village head says: a whole registration with three members.

use cnscd::conversation::Reply;
use cnscd::domain::MemberRole;

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Typed text.
    Say(String),
    /// The button (of the bot's last replies) whose action is this, e.g. `role:other`.
    Press(String),
}

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const MIDDLE: [&str; 4] = ["Văn", "Thị", "Đức", "Minh"];
const GIVEN: [&str; 10] = [
    "An", "Bình", "Cường", "Dung", "Hà", "Hoa", "Lan", "Nam", "Sơn", "Tâm",
];
/// The members' roles, and a mobile prefix for each person of a team.
const ROLES: [MemberRole; 3] = [
    MemberRole::YouthUnionSecretary,
    MemberRole::WomensUnionHead,
    MemberRole::PrimaryTeacher,
];
const PREFIXES: [&str; 4] = ["091", "098", "097", "090"];
pub const MEMBERS: usize = ROLES.len();

/// A Vietnamese name for person `person` of team `team` (letters only, as names must be).
fn name(team: usize, person: usize) -> String {
    let n = team * 4 + person;
    format!(
        "{} {} {}",
        FAMILY[n % FAMILY.len()],
        MIDDLE[(n / FAMILY.len()) % MIDDLE.len()],
        GIVEN[(n / 3) % GIVEN.len()]
    )
}

/// A mobile number unique to person `person` of team `team`.
fn phone(team: usize, person: usize) -> String {
    format!(
        "{}{:07}",
        PREFIXES[person % PREFIXES.len()],
        team % 10_000_000
    )
}

/// The registration of team `team`, redeeming invitation `code`.
pub fn registration(team: usize, code: &str) -> Vec<Step> {
    let say = |text: String| Step::Say(text);
    let press = |action: &str| Step::Press(action.to_owned());
    let mut steps = vec![
        say(format!("/start {code}")),
        say(name(team, 0)),
        say(phone(team, 0)),
        press("consent:yes"),
    ];
    for (i, role) in ROLES.iter().enumerate() {
        let person = i + 1;
        steps.push(say(name(team, person)));
        steps.push(press(&format!("role:{}", role.code())));
        steps.push(say(phone(team, person)));
        steps.push(press("consent:yes"));
        steps.push(press("skip"));
        steps.push(press(if person < MEMBERS { "add" } else { "done" }));
    }
    steps.push(press("confirm"));
    steps.push(press("dec:no"));
    steps
}

/// The payload of the button for `action` among `replies` (payloads are `<rev>:<action>`).
pub fn find_button(replies: &[Reply], action: &str) -> Option<String> {
    replies
        .iter()
        .flat_map(|reply| reply.buttons.iter().flatten())
        .find(|button| button.payload.split_once(':').map(|(_, a)| a) == Some(action))
        .map(|button| button.payload.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnscd::domain::{PersonName, PhoneNumber};

    #[test]
    fn every_generated_name_and_phone_is_valid_and_phones_differ_within_a_team() {
        for team in [0, 1, 7, 199, 9_999] {
            let phones: Vec<String> = (0..=MEMBERS).map(|p| phone(team, p)).collect();
            for (person, phone) in phones.iter().enumerate() {
                PersonName::parse(&name(team, person)).unwrap();
                PhoneNumber::parse(phone).unwrap();
            }
            let mut unique = phones.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), phones.len(), "{phones:?}");
        }
    }

    #[test]
    fn a_registration_is_twenty_four_events() {
        assert_eq!(registration(0, "CODE").len(), 24);
    }
}
