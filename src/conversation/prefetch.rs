//! What a turn reads before the core runs. The core names what it will look at — the
//! invitation a `/start CODE` carries, the teams of a number the chat shared or proved, the
//! chat's saved team — so the engine reads exactly that and knows no command nor state.
//! Lookups that depend on the answer itself go through [`super::Need`] instead.

use super::input::{offered_invitation, Offered};
use super::{Incoming, Session, State};
use crate::domain::{InvitationCode, PhoneNumber};

/// The reads a turn needs before the core runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefetch {
    /// The code of an invitation to check (`/start CODE`, or a code typed or pasted).
    pub invitation: Option<InvitationCode>,
    /// The number whose teams the member's menu shows.
    pub memberships_of: Option<PhoneNumber>,
    /// Whether the team of the chat's unit (from the invitation or the account) is read.
    pub team: bool,
    /// Whether what the person logged last is read (the menus offer to repeat it): by the
    /// member's number, or for the head's account.
    pub last_activity: bool,
    /// The request a pressed ticket button names: read as this chat may see it, with the
    /// teams of the number the chat proved (who may take it).
    pub help_request: Option<i64>,
}

/// What `incoming` in `session` will read.
pub fn prefetch(session: &Session, incoming: &Incoming) -> Prefetch {
    let invitation = match incoming {
        Incoming::Text(text) => match offered_invitation(text) {
            Some(Offered::Code(code)) => Some(code),
            _ => None,
        },
        _ => None,
    };
    let memberships_of = match (incoming, &session.state) {
        (Incoming::Contact { phone, own: true }, _) => PhoneNumber::parse(phone).ok(),
        (_, State::Member { phone }) => Some(phone.clone()),
        (_, State::Logging(logging)) => logging.member.clone(),
        _ => None,
    };
    Prefetch {
        invitation,
        memberships_of,
        // Any state but a registration may open `/myteam` (a search, a member's menu…); a
        // registration works on its own draft.
        team: !matches!(session.state, State::Registering(_)),
        last_activity: !matches!(session.state, State::Registering(_)),
        help_request: help_request(incoming),
    }
}

fn help_request(incoming: &Incoming) -> Option<i64> {
    let Incoming::Button(payload) = incoming else {
        return None;
    };
    match super::action::Stamp::read(payload)?.1 {
        super::Action::HelpTake(id)
        | super::Action::HelpSolved(id)
        | super::Action::HelpUnsolved(id)
        | super::Action::HelpAbuse(id)
        | super::Action::HelpRate(id, _)
        | super::Action::HelpReopen(id) => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle() -> Session {
        Session::default()
    }

    #[test]
    fn an_invitation_is_read_for_every_text_that_offers_a_code_and_only_for_those() {
        let code = Some(InvitationCode::Typable("K7QM2XPA3BCD4EFG5HJK".into()));
        for typed in [
            "/start K7QM-2XPA-3BCD-4EFG-5HJK",
            "K7QM-2XPA-3BCD-4EFG-5HJK",
            "MOI k7qm 2xpa 3bcd 4efg 5hjk",
            "Mã mời: k7qm-2xpa-3bcd-4efg-5hjk",
            "https://t.me/cnscd_bot?start=K7QM-2XPA-3BCD-4EFG-5HJK",
        ] {
            let read = prefetch(&idle(), &Incoming::Text(typed.into())).invitation;
            assert_eq!(read, code, "{typed}");
        }
        for typed in [
            "/start",
            "/start ABC123",
            "ABC123",
            "/lienket 12345678",
            "Đông Sơn",
        ] {
            let read = prefetch(&idle(), &Incoming::Text(typed.into())).invitation;
            assert_eq!(read, None, "{typed}");
        }
    }

    #[test]
    fn a_shared_own_contact_or_a_proven_number_reads_its_teams_and_anothers_does_not() {
        let own = Incoming::Contact {
            phone: "0912 345 678".into(),
            own: true,
        };
        let other = Incoming::Contact {
            phone: "0912 345 678".into(),
            own: false,
        };
        let phone = PhoneNumber::parse("0912 345 678").expect("phone");
        assert_eq!(prefetch(&idle(), &own).memberships_of, Some(phone.clone()));
        assert_eq!(prefetch(&idle(), &other).memberships_of, None);
        // A number from a form that proves nothing (Zalo's) reads no teams.
        let claimed = Incoming::ClaimedNumber {
            phone: "0912 345 678".into(),
        };
        assert_eq!(prefetch(&idle(), &claimed).memberships_of, None);
        let member = Session {
            state: State::Member {
                phone: phone.clone(),
            },
            ..Session::default()
        };
        let text = Incoming::Text("hi".into());
        assert_eq!(prefetch(&member, &text).memberships_of, Some(phone));
    }

    #[test]
    fn a_registration_does_not_read_the_saved_team_and_everything_else_does() {
        let text = Incoming::Text("hi".into());
        assert!(prefetch(&idle(), &text).team);
        let registering = Session {
            state: State::Registering(Default::default()),
            ..Session::default()
        };
        assert!(!prefetch(&registering, &text).team);
    }
}
