//! What arrived, read: a slash command, a button's action, words meaning one, or plain input
//! for the state's handler. [`super::router`] decides who handles it.

use super::FileUpload;
use crate::domain::invitation_code::{code_in, InvitationCode};
use crate::domain::text::fold;

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
    Report,
    Notices,
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
        "report" | "baocao" => Command::Report,
        "notices" | "thongbao" => Command::Notices,
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
