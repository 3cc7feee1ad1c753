use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use super::*;
use crate::clock::ManualClock;
use crate::conversation::{Button, FileKind};
use crate::domain::{AccountRole, CompositionRules, MemberRole};
use crate::i18n::{to_plain, Lang, Texts, K};
use crate::import::{import_villages, load_default_units_if_empty};
use crate::invitation::create_invitation;
use crate::storage::{Store, TeamStatus};

struct Trial {
    _dir: TempDir,
    engine: Engine,
    village: String,
    code: String,
}

async fn trial() -> Trial {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let store = Store::connect(&url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2022, 4, 20, 2, 0, 0).unwrap();
    load_default_units_if_empty(&store, now).await.unwrap();
    let csv = "commune_code,name\n11083,Thôn Đông\n";
    let report = import_villages(&store, csv.as_bytes(), now).await.unwrap();
    let village = report.villages[0].code.clone();
    let invitation = create_invitation(
        &store,
        AccountRole::VillageHead,
        &village,
        Duration::days(14),
        "test",
        now,
    )
    .await
    .unwrap();
    let engine = Engine::new(
        store,
        Arc::new(Texts::load().unwrap()),
        Arc::new(CompositionRules::default_rules().unwrap()),
        Arc::new(ManualClock::new(now)),
    );
    Trial {
        _dir: dir,
        engine,
        village,
        code: invitation.code,
    }
}

async fn play(engine: &Engine, invite: Option<String>, script: &str) -> String {
    let options = ConsoleOptions {
        chat: "an".into(),
        invite: invite.map(Invite::Code),
        interactive: false,
    };
    let mut output = Vec::new();
    run(engine, &options, script.as_bytes(), &mut output)
        .await
        .unwrap();
    String::from_utf8(output).unwrap()
}

#[tokio::test]
async fn a_village_head_registers_a_whole_team_by_typing_numbers_and_button_names() {
    let trial = trial().await;
    let dir = TempDir::new().unwrap();
    let scan = dir.path().join("Quyet-dinh.PDF");
    std::fs::write(&scan, b"%PDF-1.4 decision").unwrap();
    let script = format!(
        "Nguyễn Văn An\n0912 345 678\nda dong y\n\
         Trần Thị Bình\nbi thu chi doan\n0987 654 321\nda ky giay dong y\nBỏ qua\nthem thanh vien\n\
         Lê Văn Cường\n2\n0977 111 222\n1\nHợp tác xã Đại Sơn\n1\n\
         Phạm Thị Dung\nGIÁO VIÊN TIỂU HỌC\n/contact 0905 333 444\nchua, de nguoi do tu xac nhan\nbo qua\n2\n\
         xac nhan\n1\n125/QĐ-UBND\n15/04/2022\n/file {missing}\n/file {scan}\n",
        missing = dir.path().join("nothing.pdf").display(),
        scan = scan.display(),
    );

    let transcript = play(&trial.engine, Some(trial.code.clone()), &script).await;

    let texts = trial.engine.texts();
    let hint = to_plain(texts.get(Lang::Vi, K::ConsoleChoiceHint).as_str());
    let missing = to_plain(texts.get(Lang::Vi, K::ConsoleFileMissing).as_str());
    assert!(
        transcript.contains("  [1] Bí thư Chi đoàn\n"),
        "{transcript}"
    );
    assert!(transcript.contains(&hint), "{transcript}");
    assert!(transcript.contains(&missing), "{transcript}");
    assert!(transcript.contains("> Nguyễn Văn An\n"), "{transcript}");
    assert!(!transcript.contains("<b>"), "markup left in {transcript}");

    let team = trial.engine.store().team(&trial.village).await.unwrap();
    let team = team.expect("the team is stored");
    assert_eq!(team.status, TeamStatus::Registered, "{transcript}");
    let draft = team.team;
    assert_eq!(draft.leader_name.unwrap().as_str(), "Nguyễn Văn An");
    assert_eq!(draft.leader_phone.unwrap().e164(), "+84912345678");
    let members: Vec<(&str, MemberRole, &str, Option<&str>)> = draft
        .members
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.role,
                m.phone.e164(),
                m.fields.named("workplace"),
            )
        })
        .collect();
    assert_eq!(
        members,
        vec![
            (
                "Trần Thị Bình",
                MemberRole::YouthUnionSecretary,
                "+84987654321",
                None
            ),
            (
                "Lê Văn Cường",
                MemberRole::FarmersAssociationHead,
                "+84977111222",
                Some("Hợp tác xã Đại Sơn")
            ),
            (
                "Phạm Thị Dung",
                MemberRole::PrimaryTeacher,
                "+84905333444",
                None
            ),
        ]
    );
    assert_eq!(draft.decision.number.unwrap().as_str(), "125/QĐ-UBND");
    let file = draft.decision.file.expect("the scan is stored");
    let sha256 = hex::encode(Sha256::digest(b"%PDF-1.4 decision"));
    assert_eq!(file.kind, FileKind::Pdf);
    assert_eq!(file.file_id, format!("console:{sha256}"));
    assert_eq!(file.sha256.as_deref(), Some(sha256.as_str()));
}

#[test]
fn numbers_out_of_range_and_unknown_words_are_sent_as_text() {
    let choices = crate::conversation::Choices {
        buttons: vec![
            Button {
                label: "✅ Xác nhận".into(),
                payload: "3:confirm".into(),
            },
            Button {
                label: "« Quay lại".into(),
                payload: "3:back".into(),
            },
        ],
        numbered: true,
    };
    let choose = |line: &str| choices.choose(line).cloned();
    assert_eq!(choose("2").map(|b| b.payload), Some("3:back".to_owned()));
    assert_eq!(
        choose("XÁC NHẬN").map(|b| b.payload),
        Some("3:confirm".to_owned())
    );
    assert_eq!(choose("0"), None);
    assert_eq!(choose("3"), None);
    assert_eq!(choose("0912345678"), None);
    assert_eq!(choose("»"), None);
    assert_eq!(choose("xác nhận ngay"), None);
}

#[tokio::test]
async fn the_input_ending_ends_the_console_cleanly() {
    let trial = trial().await;
    let transcript = play(&trial.engine, None, "").await;
    assert_eq!(transcript, "");
    let transcript = play(&trial.engine, None, "/start\n\n").await;
    assert!(transcript.starts_with("> /start\n"), "{transcript}");
}

#[tokio::test]
async fn a_console_restarted_mid_dialogue_asks_the_pending_question_and_takes_its_answer() {
    let trial = trial().await;
    // Half a registration: the leader, then the first member up to the role question.
    let first = play(
        &trial.engine,
        Some(trial.code.clone()),
        "Nguyễn Văn An\n0912 345 678\n1\nTrần Thị Bình\n",
    )
    .await;
    assert!(
        first.contains("  [1] Bí thư Chi đoàn\n"),
        "the role question is asked: {first}"
    );

    // The same chat again, as `cnscd console --chat an` on the same database.
    let second = play(&trial.engine, None, "1\n").await;

    let (question, answer) = second.split_once("> 1\n").expect("the answer is echoed");
    assert!(
        question.contains("  [1] Bí thư Chi đoàn\n"),
        "the pending question comes first, with its buttons: {second}"
    );
    let session = trial
        .engine
        .session(&ChatKey::new(CHANNEL, "an"))
        .await
        .unwrap();
    let crate::conversation::State::Registering(reg) = session.state else {
        panic!("the registration goes on: {second}");
    };
    assert_eq!(
        reg.draft.pending.role,
        Some(MemberRole::YouthUnionSecretary),
        "the number answered the role question: {answer}"
    );
    assert_eq!(
        reg.step,
        crate::conversation::state::Step::Member(crate::conversation::state::MemberField::Phone),
        "{answer}"
    );
}

/// Issue 21, item 15: the report's spreadsheet was announced as a picture.
#[tokio::test]
async fn a_report_sent_to_the_console_says_a_file_was_saved_and_a_chart_a_picture() {
    let trial = trial().await;
    let now = Utc.with_ymd_and_hms(2022, 4, 20, 2, 0, 0).unwrap();
    let invitation = create_invitation(
        trial.engine.store(),
        AccountRole::CommuneOfficial,
        "11083",
        Duration::days(14),
        "test",
        now,
    )
    .await
    .unwrap();
    let transcript = play(&trial.engine, Some(invitation.code), "/baocao\n").await;
    let saved: Vec<&str> = transcript
        .lines()
        .filter(|line| line.contains("đã lưu vào"))
        .collect();
    assert!(
        saved
            .iter()
            .any(|line| line.starts_with("(tệp đã lưu vào") && line.contains(".xlsx")),
        "{transcript}"
    );
    assert!(
        saved
            .iter()
            .all(|line| line.starts_with("(tệp") || !line.contains(".xlsx")),
        "{transcript}"
    );
}

#[tokio::test]
async fn a_console_restarted_at_rest_still_presses_the_options_it_showed_last() {
    let trial = trial().await;
    let texts = Texts::load().unwrap();
    let first = play(&trial.engine, None, "/start\n").await;
    let find = to_plain(texts.template(Lang::Vi, K::ButtonFind));
    assert!(first.contains(&format!("  [1] {find}\n")), "{first}");

    // The same chat again, nothing open: "1" is the first option shown before, not a place.
    let second = play(&trial.engine, None, "1\n").await;

    let ask = to_plain(texts.get(Lang::Vi, K::AskPlaceName).as_str());
    assert!(second.contains(&ask), "\"1\" pressed “{find}”: {second}");
    let session = trial
        .engine
        .session(&ChatKey::new(CHANNEL, "an"))
        .await
        .unwrap();
    assert_eq!(
        session.state,
        crate::conversation::State::Searching,
        "{second}"
    );
}

/// The console of `trial` with the invitation read from the input, piped or typed.
async fn play_invited_from_input(trial: &Trial, interactive: bool, script: &str) -> String {
    let options = ConsoleOptions {
        chat: "an".into(),
        invite: Some(Invite::FromInput),
        interactive,
    };
    let mut output = Vec::new();
    run(&trial.engine, &options, script.as_bytes(), &mut output)
        .await
        .unwrap();
    String::from_utf8(output).unwrap()
}

#[tokio::test]
async fn an_invitation_read_from_the_first_line_of_input_is_redeemed_and_the_rest_answers_it() {
    let trial = trial().await;
    let script = format!(
        "{}\nNguyễn Văn An\n0912 345 678\n1\nTrần Thị Bình\n",
        trial.code
    );

    let piped = play_invited_from_input(&trial, false, &script).await;

    assert!(
        piped.starts_with(&format!("> /start {}\n", trial.code)),
        "{piped}"
    );
    assert!(piped.contains("  [1] Bí thư Chi đoàn\n"), "{piped}");
    assert!(!piped.contains(&format!("> {}\n", trial.code)), "{piped}");
}

#[tokio::test]
async fn a_person_typing_is_asked_for_the_invitation_code_and_it_is_not_printed_again() {
    let trial = trial().await;
    let prompt = to_plain(
        trial
            .engine
            .texts()
            .get(Lang::Vi, K::ConsoleInviteCode)
            .as_str(),
    );

    let typed = play_invited_from_input(&trial, true, &format!("{}\n", trial.code)).await;

    assert!(typed.starts_with(&format!("{prompt} ")), "{typed}");
    assert!(!typed.contains(&trial.code), "{typed}");
    assert!(typed.contains("trưởng thôn: Thôn Đông"), "{typed}");
    let session = trial
        .engine
        .session(&ChatKey::new(CHANNEL, "an"))
        .await
        .unwrap();
    assert!(
        matches!(session.state, crate::conversation::State::Registering(_)),
        "the invitation was redeemed: {typed}"
    );
}

#[tokio::test]
async fn an_empty_input_instead_of_an_invitation_code_redeems_nothing() {
    let trial = trial().await;

    let transcript = play_invited_from_input(&trial, false, "\n").await;

    assert_eq!(transcript, "");
}
