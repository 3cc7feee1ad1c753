//! The benchmark's made-up data: villages named as real ones are (the same few names in
//! every commune), registered teams, and the ways residents type a place's name.

use std::fmt::Write;

use anyhow::Context;
use rand::Rng;
use unicode_normalization::UnicodeNormalization;

use cnscd::domain::text::{fold, same_words};
use cnscd::domain::{ConsentSource, Fields, Member, MemberRole, PersonName, PhoneNumber, Team};
use cnscd::storage::{Unit, UnitLevel};

/// Each commune takes consecutive names from here, starting at a different place.
const VILLAGE_NAMES: [&str; 24] = [
    "Thôn Đông",
    "Thôn Tây",
    "Thôn Nam",
    "Thôn Bắc",
    "Thôn Thượng",
    "Thôn Hạ",
    "Thôn Trung",
    "Thôn Đoài",
    "Khu dân cư số 1",
    "Khu dân cư số 2",
    "Khu dân cư số 3",
    "Thôn An Lạc",
    "Thôn Phú Mỹ",
    "Thôn Tân Hoà",
    "Thôn Thuỷ Lợi",
    "Thôn Hưng Thịnh",
    "Thôn Đồng Tâm",
    "Thôn Quyết Tiến",
    "Thôn Thắng Lợi",
    "Thôn Cầu Dòng",
    "Thôn Văn Minh",
    "Thôn Hoà Bình",
    "Tổ dân phố 1",
    "Tổ dân phố 2",
];
const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const MIDDLE: [&str; 4] = ["Văn", "Thị", "Đức", "Minh"];
const GIVEN: [&str; 10] = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Lan", "Mai", "Nam", "Thảo",
];
const ROLES: [MemberRole; 6] = [
    MemberRole::YouthUnionSecretary,
    MemberRole::FarmersAssociationHead,
    MemberRole::WomensUnionHead,
    MemberRole::VeteransAssociationHead,
    MemberRole::PrimaryTeacher,
    MemberRole::LowerSecondaryTeacher,
];
/// Distinct phone numbers to draw from; a team takes consecutive ones.
const PHONES: usize = 997;
/// Kind words the "without kind word" query drops.
const KIND_WORDS: [&str; 6] = [
    "Khu dân cư ",
    "Tổ dân phố ",
    "Thị trấn ",
    "Phường ",
    "Thôn ",
    "Xã ",
];

/// A villages import file: `per_commune` villages for each commune.
pub(super) fn villages_csv(communes: &[Unit], per_commune: usize) -> String {
    let mut csv = String::from("commune_code,name\n");
    for (at, commune) in communes.iter().enumerate() {
        for number in 0..per_commune {
            let name = match VILLAGE_NAMES.get(number) {
                Some(_) => VILLAGE_NAMES[(at * 7 + number) % VILLAGE_NAMES.len()].to_owned(),
                None => format!("Thôn {}", number + 1),
            };
            let _ = writeln!(csv, "{},{name}", commune.code);
        }
    }
    csv
}

/// Names and phone numbers, checked once and handed out to the teams.
pub(super) struct People {
    names: Vec<PersonName>,
    phones: Vec<PhoneNumber>,
}

impl People {
    pub(super) fn new() -> anyhow::Result<People> {
        let mut names = Vec::new();
        for family in FAMILY {
            for middle in MIDDLE {
                for given in GIVEN {
                    names.push(PersonName::parse(&format!("{family} {middle} {given}"))?);
                }
            }
        }
        let phones = (0..PHONES)
            .map(|n| PhoneNumber::parse(&format!("0912{:06}", 100_000 + n * 887)))
            .collect::<Result<_, _>>()
            .context("Failed to make the benchmark's phone numbers")?;
        Ok(People { names, phones })
    }

    /// The `number`th unit's team: a leader and `members` members, all agreeing to be listed.
    pub(super) fn team(&self, number: usize, members: usize) -> Team {
        let name = |n: usize| self.names[(number * 7 + n) % self.names.len()].clone();
        let phone = |n: usize| self.phones[(number + n) % self.phones.len()].clone();
        Team {
            leader_name: Some(name(0)),
            leader_phone: Some(phone(0)),
            leader_fields: Default::default(),
            members: (1..=members)
                .map(|n| Member {
                    name: name(n),
                    role: ROLES[n % ROLES.len()],
                    role_detail: None,
                    phone: phone(n),
                    fields: Fields::default(),
                    zalo: None,
                    consent: Some(ConsentSource::Head),
                })
                .collect(),
            ..Team::default()
        }
    }
}

/// How a resident may type `name`; `variant` picks one of six ways.
pub(super) fn query(name: &str, variant: usize) -> String {
    match variant % 6 {
        0 => name.to_owned(),
        1 => fold(name),
        2 => name.nfd().collect(),
        3 => name.to_uppercase(),
        4 => typo(&fold(name)).unwrap_or_else(|| fold(name)),
        _ => without_kind(name).to_owned(),
    }
}

/// True when two names are the same once their kind words are dropped: "Thôn Văn Minh" and
/// "Xã Văn Minh" are both what "Văn Minh" asks for.
pub(super) fn same_place_name(a: &str, b: &str) -> bool {
    same_words(without_kind(a), without_kind(b))
}

fn without_kind(name: &str) -> &str {
    KIND_WORDS
        .iter()
        .find_map(|kind| name.strip_prefix(kind))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// One edit the index tolerates: two letters of the name's longest word swapped, or its
/// last letter replaced when that word is short. `None` when no word can carry a typo.
fn typo(folded: &str) -> Option<String> {
    let core = without_kind_folded(folded);
    let words: Vec<&str> = core.split(' ').collect();
    let longest = words.iter().copied().max_by_key(|w| w.len())?;
    let typo = match longest.as_bytes() {
        [a, b, c, d, rest @ ..] if b != c => {
            let mut word = vec![*a, *c, *b, *d];
            word.extend_from_slice(rest);
            String::from_utf8(word).ok()?
        }
        [_, _, _, _, ..] => format!("{}x", longest),
        [a, b, _] if words.len() > 1 => format!("{}{}q", *a as char, *b as char),
        _ => return None,
    };
    Some(core.replacen(longest, &typo, 1))
}

fn without_kind_folded(folded: &str) -> &str {
    KIND_WORDS
        .iter()
        .find_map(|kind| {
            folded
                .strip_prefix(&fold(kind))
                .and_then(|r| r.strip_prefix(' '))
        })
        .unwrap_or(folded)
}

/// A unit to look for, chosen at random among the communes and villages.
pub(super) fn pick<'a>(
    targets: &'a [(String, String)],
    rng: &mut impl Rng,
) -> &'a (String, String) {
    &targets[rng.gen_range(0..targets.len())]
}

/// Communes and villages as (code, name): what residents look for.
pub(super) fn targets(units: &[Unit]) -> Vec<(String, String)> {
    units
        .iter()
        .filter(|u| matches!(u.level, UnitLevel::Commune | UnitLevel::Village))
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_the_ways_residents_type_a_name() {
        let name = "Thôn Hưng Thịnh";
        let queries: Vec<String> = (0..6).map(|v| query(name, v)).collect();
        assert_eq!(queries[1], "thon hung thinh");
        assert_eq!(queries[3], "THÔN HƯNG THỊNH");
        assert_eq!(queries[4], "hung tihnh");
        assert_eq!(queries[5], "Hưng Thịnh");
        assert_eq!(query("Xã Đại Sơn", 4), "dai soq");
        assert_eq!(query("Thôn Hạ", 4), "thon ha", "too short for a typo");
        assert_eq!(query("Thôn Đông", 4), "dnog");
    }
}
