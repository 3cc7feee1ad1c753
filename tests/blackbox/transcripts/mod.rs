//! Golden transcripts: each file in `tests/transcripts/` is a conversation. Lines starting
//! with `>` are what the user does and `!` lines set the scene; everything else is what the
//! bot answered, regenerated on every run and compared. `UPDATE_GOLDEN=1` rewrites the files.
//!
//! User lines: `> text`, `> [Label]` presses a button of the latest message that has one,
//! `> [old:Label]` presses it on an earlier message, `> (sticker)`, `> (voice)`,
//! `> (location)`, `> (photo ID)`, `> (pdf ID)`, `> (document ID)`, `> (contact PHONE)`,
//! `> (empty)`, `> (long N)` (N letters), `> (payload RAW)` (a forged button).
//! Scene lines: `! invite VILLAGE` (the code is then `$CODE`), `! now RFC3339`,
//! `! restart` (a new engine on the same database), `! bot NAME` (the bot's username is
//! known from now on), `! lang en`, `! team VILLAGE` (prints the team as stored), `! rules
//! FILE` (composition rules from `data/rules/`), `! traces PHONE CHAT NAME` (what the database
//! still holds about a person and their chat), `! erase PHONE` (`cnscd erase --phone`),
//! `! reorganize [VILLAGES]` (`cnscd units reorganize` with Tứ Kỳ's map, and a village file
//! of `tests/data/`; `! restart` afterwards to search the new structure), `! seed VILLAGE KIND
//! PEOPLE HOUSEHOLDS DAY` (an activity, as if logged), `! requests VILLAGE` (its residents'
//! requests for help as stored).

mod render;
mod scene;
mod user;

use std::path::{Path, PathBuf};

use cnscd::conversation::Reply;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::Backend;

use crate::support::app::{scratch, TestApp};

/// Two villages in Xã Đại Sơn, and a "Thôn Đông" in nine other communes (namesakes that
/// only their commune tells apart).
const VILLAGES: &str = "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n11083,Thôn Tây Sơn,11083-02\n11074,Thôn Đông,11074-01\n11086,Thôn Đông,11086-01\n11089,Thôn Đông,11089-01\n11092,Thôn Đông,11092-01\n11095,Thôn Đông,11095-01\n11098,Thôn Đông,11098-01\n11101,Thôn Đông,11101-01\n11110,Thôn Đông,11110-01\n11113,Thôn Đông,11113-01\n";

struct Scene {
    /// `! restart` and `! rules` give it a new engine; no invitation until `! invite`.
    app: TestApp,
    code: String,
    chat: String,
    replies: std::collections::HashMap<String, Vec<Reply>>,
    update: u64,
}

impl Scene {
    async fn new(db: ScratchDb) -> Scene {
        let app = TestApp::builder()
            .on(db)
            .villages(VILLAGES)
            .no_invitation()
            .build()
            .await;
        Scene {
            app,
            code: String::new(),
            chat: "1".into(),
            replies: Default::default(),
            update: 0,
        }
    }
}

async fn replay(path: &Path, db: ScratchDb) -> String {
    let script =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut scene = Scene::new(db).await;
    let mut out = String::new();
    for line in script.lines() {
        if line.starts_with('>')
            || line.starts_with('!')
            || line.starts_with('#')
            || line.is_empty()
        {
            out.push_str(line);
            out.push('\n');
        }
        if let Some(said) = line.strip_prefix('>') {
            scene
                .say(said.strip_prefix(' ').unwrap_or(said), &mut out)
                .await;
        } else if let Some(set) = line.strip_prefix("! ") {
            scene.scene(set, &mut out).await;
        }
    }
    scene.app.destroy().await;
    out
}

fn unfilled_placeholder(text: &str) -> Option<&str> {
    let start = text.find('{')?;
    let end = text[start..].find('}')? + start;
    let name = &text[start + 1..end];
    name.chars()
        .all(|c| c.is_ascii_lowercase() || c == '_')
        .then_some(name)
}

/// Replays a transcript on SQLite, or on PostgreSQL when [`POSTGRES_URL_VAR`] names a
/// server (skipped otherwise): both engines must hold the same conversation.
async fn check(name: &str, backend: Backend) {
    let Some(db) = scratch(backend, name).await else {
        return;
    };
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "transcripts",
        &format!("{name}.txt"),
    ]
    .iter()
    .collect();
    let actual = replay(&path, db).await;
    if let Some(placeholder) = unfilled_placeholder(&actual) {
        panic!("{name}: the bot sent an unfilled placeholder {{{placeholder}}}");
    }
    if backend == Backend::Sqlite && std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("golden");
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "{name}: the conversation changed (UPDATE_GOLDEN=1 to accept)"
    );
}

macro_rules! golden {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                check(stringify!($name), Backend::Sqlite).await;
            }
        )*
        /// The same conversations with PostgreSQL underneath.
        mod on_postgresql {
            use cnscd::storage::Backend;
            $(
                #[tokio::test]
                async fn $name() {
                    super::check(stringify!($name), Backend::Postgres).await;
                }
            )*
        }
    };
}

golden!(
    a_village_head_registers_a_full_team,
    every_wrong_answer_is_refused_with_a_reason,
    back_keep_and_skip_move_between_questions,
    the_two_to_five_rule_comes_from_the_rules_file,
    cancel_keeps_a_draft_that_can_be_resumed,
    stray_input_changes_nothing,
    edit_and_remove_members_after_registration,
    invitations_are_single_use_and_expire,
    residents_find_their_team_whatever_the_spelling,
    a_member_shows_or_hides_their_own_number,
    a_commune_official_keeps_the_village_list_and_invites_heads,
    a_commune_official_registers_the_commune_team,
    a_district_official_invites_commune_officials,
    other_provinces_rules_apply_from_the_rules_file,
    two_heads_editing_one_team_cannot_overwrite_each_other,
    a_whole_campaign_of_deadline_alerts,
    whose_word_publishes_a_number_the_leader_included,
    names_are_tidied_and_free_text_needs_letters,
    a_commune_team_follows_the_commune_rules,
    the_founding_decision_is_checked_and_kept_when_saving_again,
    residents_type_a_place_without_a_command,
    a_district_official_sets_one_deadline_for_the_district,
    a_deadline_over_another_campaigns_area_is_refused,
    officials_help_lists_what_their_role_may_do,
    a_commune_official_is_told_the_status_reports_give,
    invitations_made_in_chat_carry_their_link_and_a_captioned_qr_code,
    officials_see_the_teams_of_their_villages,
    erasure_leaves_nothing_that_names_the_person,
    the_official_above_revokes_an_account,
    a_province_official_follows_the_communes_after_the_reform,
    a_members_own_word_outlives_a_heads_stale_edit,
    a_person_sees_corrects_withdraws_and_erases_their_own_data,
    people_answer_buttons_in_their_own_words,
    typed_words_are_understood_before_a_place_is_searched,
    decision_a_commune_official_gets_the_founding_decision_to_sign,
    period_report_the_commune_submits_and_the_province_returns_then_approves,
    activity_a_member_logs_in_two_taps_and_completes_the_entry,
    activity_a_head_repeats_yesterdays_entry_in_one_tap,
    help_a_request_is_taken_by_the_second_member_while_the_first_is_slower,
    help_a_request_closed_as_not_solved_is_rated_and_reopened,
    help_requests_refused_politely_change_nothing,
    help_a_request_nobody_takes_is_escalated_to_the_commune,
    announce_to_three_villages_where_one_leader_cannot_be_reached,
);
