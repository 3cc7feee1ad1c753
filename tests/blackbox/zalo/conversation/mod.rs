//! The golden transcripts of `tests/transcripts/`, replayed over Zalo: every user line
//! becomes a signed webhook event POSTed to cnscd's real server, every answer comes back
//! through the outbox and the Zalo channel to a fake Zalo, and the user must see the same
//! words and the same choices as the transcript (as plain text: Zalo shows no markup).
//!
//! Buttons are pressed as a Zalo user presses them: a template button sends its payload
//! back as text; a numbered option is answered by typing its number. `[old:…]` presses a
//! button of an earlier message by its payload. What Zalo cannot send (another person's
//! contact card) is skipped with the answers to it; messages to other chats (notices) are
//! not compared here: the transcripts print them from the outbox.

pub(crate) mod expected;
mod golden;
mod replay;

use std::collections::HashMap;

use cnscd::storage::scratch::ScratchDb;
use serde_json::Value;

use crate::support::fake_zalo::User;
use crate::support::zalo_app::{spawn_zalo_app_on, ZaloApp};
use expected::expected;

const PREFIX: &str = "#cnscd:";

/// The villages of the transcripts (see `tests/blackbox/transcripts/`).
const VILLAGES: &str = "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n11083,Thôn Tây Sơn,11083-02\n11074,Thôn Đông,11074-01\n11086,Thôn Đông,11086-01\n11089,Thôn Đông,11089-01\n11092,Thôn Đông,11092-01\n11095,Thôn Đông,11095-01\n11098,Thôn Đông,11098-01\n11101,Thôn Đông,11101-01\n11110,Thôn Đông,11110-01\n11113,Thôn Đông,11113-01\n";

/// One answer as a user sees it: its text and the labels of its choices.
pub(crate) type Seen = (String, Vec<String>);

/// A message with answer buttons, and the payload behind each label.
type Pressable = (Value, Vec<(String, String)>);

struct Replay {
    app: ZaloApp,
    users: HashMap<String, User>,
    chat: String,
    code: String,
    /// Messages already read, per user.
    read: HashMap<String, usize>,
    /// Per user, every message with answer buttons and the payloads behind its labels.
    history: HashMap<String, Vec<Pressable>>,
}

async fn replay_over_zalo(name: &str) {
    let path = format!(
        "{}/tests/transcripts/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let script = std::fs::read_to_string(&path).expect("transcript");
    let db = ScratchDb::sqlite().expect("scratch SQLite");
    let app = spawn_zalo_app_on(db, VILLAGES).await;
    let mut replay = Replay {
        app,
        users: HashMap::new(),
        chat: "1".into(),
        code: String::new(),
        read: HashMap::new(),
        history: HashMap::new(),
    };
    let mut turns = expected(&script).into_iter();
    let mut compared = 0;
    for line in script.lines() {
        if let Some(scene) = line.strip_prefix("! ") {
            replay.scene(scene).await;
            continue;
        }
        let Some(said) = line.strip_prefix("> ") else {
            continue;
        };
        let (_, expected) = turns.next().expect("a turn per user line");
        let Some(event) = replay.event(said).await else {
            continue;
        };
        replay.app.say(&event).await;
        let actual = replay.answers().await;
        pretty_assertions::assert_eq!(
            expected,
            actual,
            "{name}: after `> {said}`, Zalo showed something else"
        );
        compared += 1;
    }
    assert!(compared > 5, "{name}: only {compared} turns compared");
    eprintln!("{name}: {compared} turns compared over Zalo");
    replay.app.destroy().await;
}

macro_rules! over_zalo {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                replay_over_zalo(stringify!($name)).await;
            }
        )*
    };
}

over_zalo!(
    a_village_head_registers_a_full_team,
    residents_find_their_team_whatever_the_spelling,
    a_member_shows_or_hides_their_own_number,
    a_commune_official_registers_the_commune_team,
    a_commune_official_is_told_the_status_reports_give,
    stray_input_changes_nothing,
    every_wrong_answer_is_refused_with_a_reason,
    back_keep_and_skip_move_between_questions,
    cancel_keeps_a_draft_that_can_be_resumed,
    edit_and_remove_members_after_registration,
    invitations_are_single_use_and_expire,
    a_commune_official_keeps_the_village_list_and_invites_heads,
    a_district_official_invites_commune_officials,
    names_are_tidied_and_free_text_needs_letters,
    the_founding_decision_is_checked_and_kept_when_saving_again,
    residents_type_a_place_without_a_command,
    officials_help_lists_what_their_role_may_do,
    officials_see_the_teams_of_their_villages,
    the_official_above_revokes_an_account,
    whose_word_publishes_a_number_the_leader_included,
);
