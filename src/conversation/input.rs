//! What arrived, read: a slash command, a button's action, words meaning one, or plain input
//! for the state's handler. [`super::router`] decides who handles it.

use super::{Button, FileUpload};
use crate::domain::invitation_code::{code_in, InvitationCode};
use crate::domain::text::{fold, label_key};
use crate::domain::AccountRole;
use crate::i18n::Lang;

pub use super::action::Action;

/// What a state handler receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    Action(Action),
    Contact { phone: String, own: bool },
    File(FileUpload),
}

/// A slash command, in Vietnamese or English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/start`, or what a message offers as an invitation (`/start CODE`, a code typed or
    /// pasted: see [`offered_invitation`]).
    Start(Option<Offered>),
    Help,
    Cancel,
    Language,
    MyTeam,
    Back,
    Skip,
    Find,
    Invite,
    /// `/baocao` the area's report; `/baocao 2026-11` (or `2026-Q4`) its teams' work in that
    /// period. The argument as typed (at most 20 characters).
    Report(String),
    /// `/quyetdinh`: the founding decision drafted for a commune's villages.
    Decision,
    Notices,
    /// `/guithongbao` (`/announce`): an official's announcement to the teams of their area.
    Announce,
    Deadline(String),
    /// `/lienket` shows a code to link another chat; `/lienket CODE` links this one.
    Link(Option<String>),
    /// `/xacnhan CODE`: a head confirms that the chat shown the code is the person whose
    /// number it claimed.
    ConfirmNumber(Option<String>),
    /// `/dulieu`: what cnscd holds about the person and where it is shown; correct, withdraw
    /// consent, erase.
    MyData,
    /// `/thanhvien`, or the link `?start=thanhvien` a head sends a member: "I am a team
    /// member", to give one's own word on one's number.
    Member,
    Unknown(String),
}

/// What a person types (`/thanhvien`), or opens as a Telegram link (`?start=thanhvien`), to
/// reach their own member's menu and give their own word on their number.
pub const MEMBER_START: &str = "thanhvien";

/// `/start abc`, `/huy@cnscd_bot`… → the command; `None` for ordinary text.
pub fn parse_command(text: &str) -> Option<Command> {
    let rest = text.trim().strip_prefix('/')?;
    let (head, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = head.split('@').next().unwrap_or(head).to_lowercase();
    let arg = arg.trim();
    let command = match name.as_str() {
        "start" if arg.eq_ignore_ascii_case(MEMBER_START) => Command::Member,
        "start" => Command::Start((!arg.is_empty()).then(|| {
            InvitationCode::parse(arg)
                .or_else(|| code_in(arg))
                .map_or(Offered::NotACode, Offered::Code)
        })),
        "help" | "trogiup" => Command::Help,
        "dulieu" | "mydata" => Command::MyData,
        "thanhvien" | "member" => Command::Member,
        "cancel" | "huy" => Command::Cancel,
        "lang" | "language" | "ngonngu" => Command::Language,
        "myteam" | "todoi" | "tocuatoi" => Command::MyTeam,
        "back" | "quaylai" => Command::Back,
        "skip" | "boqua" => Command::Skip,
        "find" | "tim" => Command::Find,
        "invite" | "moi" | "villages" | "thon" => Command::Invite,
        "report" | "baocao" => Command::Report(arg.chars().take(20).collect()),
        "decision" | "quyetdinh" => Command::Decision,
        "notices" | "thongbao" => Command::Notices,
        "announce" | "guithongbao" => Command::Announce,
        "deadline" | "hanchot" => Command::Deadline(arg.chars().take(20).collect()),
        "link" | "lienket" => {
            Command::Link((!arg.is_empty()).then(|| arg.chars().take(20).collect()))
        }
        "xacnhan" | "confirm" => {
            Command::ConfirmNumber((!arg.is_empty()).then(|| arg.chars().take(20).collect()))
        }
        _ => Command::Unknown(name.chars().take(32).collect()),
    };
    Some(command)
}

/// What a message offers as an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offered {
    /// A well-formed code: the database says whether it is valid.
    Code(InvitationCode),
    /// `/start` with something that is not even shaped like a code (a mistyped link): no
    /// guess at a code, so it is answered without counting against the chat.
    NotACode,
}

/// The invitation a message offers: `/start CODE`, or a code typed alone, after "MOI", in
/// any case or grouping, or inside a pasted invitation. The one reading the router and the
/// prefetch share, so that what is redeemed is always what was looked up.
pub fn offered_invitation(text: &str) -> Option<Offered> {
    match parse_command(text) {
        Some(Command::Start(offered)) => offered,
        Some(_) => None,
        None => code_in(text).map(Offered::Code),
    }
}

/// Words people type instead of pressing "Back" or "Skip".
pub(super) fn word_action(text: &str) -> Option<Action> {
    if text.len() > 40 {
        return None;
    }
    match fold(text).as_str() {
        "back" | "quay lai" | "tro lai" => Some(Action::Back),
        "skip" | "bo qua" => Some(Action::Skip),
        _ => None,
    }
}

/// What a text typed with no dialogue open, or at a place search, means besides a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Meant {
    /// A phone number: no place is named by one; most likely a member proving theirs.
    Phone,
    Action(Action),
    Command(Command),
}

/// A phone number, a menu button's words or a command word, for someone of `role` (a
/// resident when `None`); `None` for anything else (a place to look up). Words meant for
/// another role stay a search: "thêm thôn" is a command for a commune official only.
pub(super) fn meant(text: &str, role: Option<AccountRole>) -> Option<Meant> {
    if looks_like_phone(text) {
        return Some(Meant::Phone);
    }
    if text.chars().count() > 60 {
        return None;
    }
    let typed = label_key(text);
    WORDS
        .iter()
        .find(|(who, words, _)| words.contains(&typed.as_str()) && who.includes(role))
        .map(|(_, _, meant)| meant())
}

/// Who a command word is for.
#[derive(Clone, Copy)]
enum Who {
    Anyone,
    /// Those whose menu opens a team: village heads and commune officials.
    TeamKeepers,
    Officials,
    CommuneOfficials,
}

impl Who {
    fn includes(self, role: Option<AccountRole>) -> bool {
        use AccountRole::*;
        match self {
            Who::Anyone => true,
            Who::TeamKeepers => matches!(role, Some(VillageHead | CommuneOfficial)),
            Who::Officials => matches!(
                role,
                Some(CommuneOfficial | DistrictOfficial | ProvinceOfficial)
            ),
            Who::CommuneOfficials => role == Some(CommuneOfficial),
        }
    }
}

type Words = (Who, &'static [&'static str], fn() -> Meant);

/// Command words, folded as [`label_key`] folds: every menu button's label in both
/// languages (a test checks it) and what people type for it.
const WORDS: &[Words] = &[
    (
        Who::Anyone,
        &[
            "toi la thanh vien to",
            "toi la thanh vien",
            "thanh vien to",
            "la thanh vien to",
            "i am a team member",
            "im a team member",
            "i am a member",
            "team member",
        ],
        || Meant::Action(Action::ImMember),
    ),
    (
        Who::Anyone,
        &[
            "tim to ho tro",
            "tim to",
            "tim",
            "tim kiem",
            "tim noi khac",
            "tim nguoi ho tro",
            "find who helps me",
            "find",
            "search",
            "find a team",
        ],
        || Meant::Action(Action::Find),
    ),
    (
        Who::Anyone,
        &[
            "can ho tro",
            "toi can ho tro",
            "nho giup",
            "nho to giup",
            "nho ho tro",
            "can giup",
            "can giup do",
            "ask the team for help",
            "i need help",
            "need help",
        ],
        || Meant::Action(Action::HelpStart),
    ),
    (
        Who::Anyone,
        &["huong dan", "tro giup", "giup", "giup do", "help", "menu"],
        || Meant::Command(Command::Help),
    ),
    (
        Who::Anyone,
        &["ngon ngu", "doi ngon ngu", "language"],
        || Meant::Command(Command::Language),
    ),
    (Who::Anyone, &["english", "tieng anh"], || {
        Meant::Action(Action::Language(Lang::En))
    }),
    (Who::Anyone, &["tieng viet", "vietnamese"], || {
        Meant::Action(Action::Language(Lang::Vi))
    }),
    (
        Who::TeamKeepers,
        &[
            "to cua thon",
            "to cap xa",
            "to cua xa",
            "to cua toi",
            "village team",
            "commune team",
            "my team",
            "xem to",
            "sua to",
            "dang ky to",
        ],
        || Meant::Command(Command::MyTeam),
    ),
    (
        Who::Officials,
        &[
            "danh sach thon",
            "cac thon",
            "thon",
            "villages",
            "cac xa",
            "danh sach xa",
            "communes",
        ],
        || Meant::Action(Action::Units),
    ),
    (Who::Officials, &["bao cao", "report"], || {
        Meant::Command(Command::Report(String::new()))
    }),
    (
        Who::CommuneOfficials,
        &[
            "them thon",
            "them thon moi",
            "them mot thon",
            "tao thon",
            "add village",
            "add a village",
        ],
        || Meant::Action(Action::AddVillage),
    ),
];

/// Digits, with the spaces, dots, dashes, brackets and "+" people write numbers with: 9 to
/// 12 digits, as a Vietnamese mobile or landline number has (with or without +84).
fn looks_like_phone(text: &str) -> bool {
    let text = text.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (9..=12).contains(&digits)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')' | '+'))
}

/// The action of the button in `buttons` (unstamped payloads) that a typed text names: its
/// label, compared without case, diacritics, emoji or punctuation; a listed label without its
/// number ("Le Thi Hoa" for "2. Lê Thị Hoà"); or, on a yes/no question, a word meaning yes or
/// no ("có", "đồng ý", "không"…). Buttons are what people see: they answer in those words.
pub(super) fn named_button(text: &str, buttons: &[Button]) -> Option<Action> {
    if text.chars().count() > 100 {
        return None;
    }
    let typed = label_key(text);
    if typed.is_empty() {
        return None;
    }
    let actions: Vec<(String, Action)> = buttons
        .iter()
        .filter_map(|b| Some((label_key(&b.label), Action::parse(&b.payload)?)))
        .collect();
    let named = actions
        .iter()
        .find(|(label, _)| *label == typed || without_number(label) == Some(typed.as_str()));
    if let Some((_, action)) = named {
        return Some(action.clone());
    }
    let yes = yes_or_no(&typed)?;
    let has = |wanted: &Action| actions.iter().any(|(_, a)| a == wanted);
    YES_NO
        .iter()
        .find(|(y, n)| has(y) && has(n))
        .map(|(y, n)| if yes { y.clone() } else { n.clone() })
}

/// The buttons that together ask a yes/no question: (yes, no).
const YES_NO: [(Action, Action); 3] = [
    (Action::ConsentYes, Action::ConsentNo),
    (Action::DecisionYes, Action::DecisionNo),
    (Action::ConfirmRemoveMember, Action::Back),
];

/// `true` for a word meaning yes, `false` for no, of a text already folded by [`label_key`].
fn yes_or_no(folded: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "co",
        "co a",
        "co roi",
        "da co",
        "dong y",
        "da dong y",
        "toi dong y",
        "co dong y",
        "dong y a",
        "vang",
        "vang a",
        "da",
        "u",
        "uh",
        "ok",
        "oke",
        "okay",
        "dung",
        "dung roi",
        "dung vay",
        "chac chan",
        "yes",
        "y",
        "yeah",
        "yep",
        "sure",
        "agree",
        "i agree",
        "agreed",
    ];
    const NO: &[&str] = &[
        "khong",
        "ko",
        "k",
        "kg",
        "khg",
        "khong a",
        "khong co",
        "khong dong y",
        "toi khong dong y",
        "chua",
        "chua a",
        "chua co",
        "chua dong y",
        "no",
        "n",
        "nope",
        "not yet",
        "disagree",
        "i disagree",
        "do not agree",
        "dont agree",
        "i do not agree",
        "not agreed",
    ];
    if YES.contains(&folded) {
        Some(true)
    } else if NO.contains(&folded) {
        Some(false)
    } else {
        None
    }
}

/// "3 le thi hoa" → "le thi hoa": a listed label without its number.
fn without_number(label: &str) -> Option<&str> {
    let (number, rest) = label.split_once(' ')?;
    number.chars().all(|c| c.is_ascii_digit()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_with_their_argument_and_bot_suffix() {
        assert_eq!(
            parse_command("/start abc123"),
            Some(Command::Start(Some(Offered::NotACode)))
        );
        assert_eq!(
            parse_command("/start k7qm-2xpa-3bcd-4efg-5hjk"),
            Some(Command::Start(Some(Offered::Code(
                InvitationCode::Typable("K7QM2XPA3BCD4EFG5HJK".into())
            ))))
        );
        assert_eq!(parse_command("/start"), Some(Command::Start(None)));
        assert_eq!(parse_command("/start thanhvien"), Some(Command::Member));
        assert_eq!(parse_command("/thanhvien"), Some(Command::Member));
        assert_eq!(parse_command("/dulieu"), Some(Command::MyData));
        assert_eq!(parse_command("/huy@cnscd_bot"), Some(Command::Cancel));
        assert_eq!(parse_command("/HELP"), Some(Command::Help));
        assert_eq!(parse_command("hello"), None);
    }

    #[test]
    fn a_head_confirms_a_number_with_xacnhan_or_confirm_and_its_code() {
        assert_eq!(
            parse_command("/xacnhan 12345678"),
            Some(Command::ConfirmNumber(Some("12345678".into())))
        );
        assert_eq!(
            parse_command("/confirm"),
            Some(Command::ConfirmNumber(None))
        );
    }
}

#[cfg(test)]
mod typed_answers {
    use super::*;

    fn buttons(actions: &[(&str, Action)]) -> Vec<Button> {
        actions
            .iter()
            .map(|(label, action)| Button {
                label: (*label).into(),
                payload: action.payload(),
            })
            .collect()
    }

    fn consent() -> Vec<Button> {
        buttons(&[
            ("✅ Đồng ý", Action::ConsentYes),
            ("Không đồng ý", Action::ConsentNo),
            ("« Quay lại", Action::Back),
        ])
    }

    #[test]
    fn natural_yes_and_no_words_press_the_buttons_of_a_yes_no_question() {
        for yes in [
            "có",
            "Có.",
            "co",
            "Đồng ý",
            "đồng ý ạ",
            "dong y",
            "ok",
            "Yes",
            "co\u{301}",
        ] {
            assert_eq!(
                named_button(yes, &consent()),
                Some(Action::ConsentYes),
                "{yes:?}"
            );
        }
        for no in [
            "không",
            "KHÔNG",
            "ko",
            "chưa đồng ý",
            "Chưa",
            "no",
            "not yet",
        ] {
            assert_eq!(
                named_button(no, &consent()),
                Some(Action::ConsentNo),
                "{no:?}"
            );
        }
        assert_eq!(named_button("có lẽ", &consent()), None);
    }

    #[test]
    fn a_listed_name_is_chosen_without_its_number_whatever_its_spelling() {
        let list = buttons(&[
            ("Tổ trưởng", Action::EditWhich(0)),
            ("1. Trần Thị Bình", Action::EditWhich(1)),
            ("2. Lê Thị Hòa", Action::EditWhich(2)),
        ]);
        for typed in ["Le Thi Hoa", "Lê Thị Hoà", "le thi hoa", "2. Lê Thị Hòa"] {
            assert_eq!(
                named_button(typed, &list),
                Some(Action::EditWhich(2)),
                "{typed:?}"
            );
        }
        assert_eq!(named_button("tổ trưởng", &list), Some(Action::EditWhich(0)));
        assert_eq!(named_button("Lê Thị", &list), None);
    }

    #[test]
    fn yes_and_no_press_nothing_where_the_buttons_ask_no_yes_no_question() {
        let keep_or_change = buttons(&[
            ("Giữ nguyên", Action::Keep),
            ("Sửa quyết định", Action::DecisionYes),
            ("« Quay lại", Action::Back),
        ]);
        assert_eq!(named_button("có", &keep_or_change), None);
        assert_eq!(named_button("không", &keep_or_change), None);
        let confirm = buttons(&[
            ("🗑 Đúng, bỏ người này", Action::ConfirmRemoveMember),
            ("« Quay lại", Action::Back),
        ]);
        assert_eq!(
            named_button("có", &confirm),
            Some(Action::ConfirmRemoveMember)
        );
        assert_eq!(named_button("không", &confirm), Some(Action::Back));
    }
}

#[cfg(test)]
mod free_text {
    use super::*;
    use crate::i18n::{Texts, K};
    use AccountRole::*;

    #[test]
    fn a_phone_number_is_recognised_in_the_ways_people_write_it() {
        for typed in [
            "0388 123 456",
            "0388.123.456",
            "+84 388 123 456",
            "(024) 3825 1234",
        ] {
            assert_eq!(meant(typed, None), Some(Meant::Phone), "{typed:?}");
        }
        for typed in ["11083", "Thôn 3", "0388 123 456 Đông Sơn", "2022"] {
            assert_ne!(meant(typed, None), Some(Meant::Phone), "{typed:?}");
        }
    }

    #[test]
    fn every_menu_buttons_words_are_understood_for_the_role_that_sees_it() {
        let texts = Texts::load().expect("texts");
        let menus = [
            (None, vec![K::ButtonFind, K::ButtonImMember]),
            (Some(VillageHead), vec![K::ButtonMyTeam, K::ButtonFind]),
            (
                Some(CommuneOfficial),
                vec![K::ButtonCommuneTeam, K::ButtonVillages, K::ButtonFind],
            ),
            (
                Some(DistrictOfficial),
                vec![K::ButtonCommunes, K::ButtonFind],
            ),
            (Some(ProvinceOfficial), vec![K::ButtonCommunes]),
        ];
        for (role, keys) in menus {
            for key in keys.into_iter().chain([K::ButtonLanguage, K::ButtonHelp]) {
                for lang in [Lang::Vi, Lang::En] {
                    let label = crate::i18n::to_plain(texts.template(lang, key));
                    assert!(
                        matches!(
                            meant(&label, role),
                            Some(Meant::Action(_) | Meant::Command(_))
                        ),
                        "{label:?} typed by {role:?} is not understood"
                    );
                }
            }
        }
    }

    #[test]
    fn command_words_are_understood_without_diacritics_and_only_for_their_role() {
        let nfd = "To\u{302}i la\u{300} tha\u{300}nh vie\u{302}n to\u{302}\u{309}";
        for typed in ["Tôi là thành viên tổ", "toi la thanh vien", nfd] {
            assert_eq!(
                meant(typed, None),
                Some(Meant::Action(Action::ImMember)),
                "{typed:?}"
            );
        }
        assert_eq!(
            meant("Thêm thôn", Some(CommuneOfficial)),
            Some(Meant::Action(Action::AddVillage))
        );
        assert_eq!(meant("them thon", None), None);
        assert_eq!(meant("Thêm thôn", Some(DistrictOfficial)), None);
        assert_eq!(meant("Đông Sơn", Some(CommuneOfficial)), None);
    }
}
