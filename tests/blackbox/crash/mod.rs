//! A crash the people in the chats barely notice: the real `cnscd serve` binary, built in
//! release, long polling a fake Bot API while 50 village heads register their teams at once;
//! it is killed with SIGKILL at 10 random (seeded) moments and started again at once, as
//! systemd would.
//!
//! Every chat must finish its registration with every answer, in order; the teams stored
//! must equal those of a run without kills; and what a chat receives twice is bounded by
//! the README's window: only the message in flight at the instant of a kill (the channel
//! took it, its line in the delivery journal not yet written) may arrive again: re-sent
//! messages older than their chat's latest stay within 0.05 per chat per crash (25 for 50
//! chats × 10 kills; none in practice), **no chat is led onto an old question** (no message
//! older than the chat's latest one ever arrives again, so a head answering the latest
//! message it sees never answers a question it had already answered before its last one),
//! and no chat gets more copies than there were kills. The copies of the message in flight
//! are counted, not bounded by a rate: how many chats have a message in flight at the
//! instant of a kill depends on the machine's load (0.002–0.068 per chat per crash on a
//! loaded 2-core machine, up to 1 after a round that answered every chat at once). Issue 22's burst (every mark still waiting for the
//! write lock lost, and those messages sent again) breaks both: a typical run without the
//! journal re-sends hundreds of messages, most chats getting older ones back.
//! `CNSCD_CRASH_WITHOUT_JOURNAL=1` runs it so, to see it fail: a directory stands where each
//! journal file would be, and the bot, unable to open it, marks deliveries in the database
//! only, as it did before the journal.

mod download;
mod setup;

use std::time::Duration;

use cnscd_fakes::crowd::{drive, tally, Act, Crowd, Kills, Pace};
use setup::{chat_id, prepare, release_bot, spawn_bot, teams};

const CHATS: usize = 50;
const KILLS: usize = 10;
const SEED: u64 = 20_221_010;
/// A run with kills takes a few seconds; this only stops a stuck test.
const DEADLINE: Duration = Duration::from_secs(240);
/// Issue 22's goal: at most 0.05 re-sent old messages per chat per crash.
const OLDER_PER_CHAT_PER_CRASH: f64 = 0.05;

/// A whole registration: the leader, two members, confirmed, no decision yet. The first
/// action, `/start CODE`, is added per chat; `{n}` is the chat's number (phones differ).
const SCRIPT: &[Action] = &[
    Action::Say("Nguyễn Văn An"),
    Action::Say("0912 345 6{n}"),
    Action::Press("✅ Đồng ý"),
    Action::Say("Trần Thị Bình"),
    Action::Press("Bí thư Chi đoàn"),
    Action::Say("0987 654 3{n}"),
    Action::Press("Đã ký giấy đồng ý"),
    Action::Say("Đoàn xã Đại Sơn"),
    Action::Press("Thêm thành viên"),
    Action::Say("Lê Văn Cường"),
    Action::Press("Giáo viên Tiểu học"),
    Action::Say("+84 903 123 4{n}"),
    Action::Press("Đã ký giấy đồng ý"),
    Action::Say("Trường Tiểu học Đại Sơn"),
    Action::Press("Xong"),
    Action::Press("Xác nhận"),
    Action::Press("Chưa có"),
];

/// What a head does next, as the script says it.
#[derive(Clone, Copy, Debug)]
enum Action {
    Say(&'static str),
    Press(&'static str),
}

/// Every head, with its script: `/start` with its invitation, then [`SCRIPT`].
fn heads(codes: &[String]) -> Vec<(i64, Vec<Act>)> {
    codes
        .iter()
        .enumerate()
        .map(|(chat, code)| {
            let mut script = vec![Act::Say(format!("/start {code}"))];
            script.extend(SCRIPT.iter().map(|action| match *action {
                Action::Say(text) => Act::Say(text.replace("{n}", &format!("{chat:02}"))),
                Action::Press(label) => Act::Press(label.to_owned()),
            }));
            (chat_id(chat), script)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_sigkills_under_fifty_heads_resend_at_most_the_message_in_flight_and_lose_nothing() {
    release_bot();
    // Arrange: a run without kills gives the answers each chat must get, and the teams.
    let calm_dir = tempfile::tempdir().expect("temporary directory");
    let (calm_url, calm_codes) = prepare(&calm_dir.path().join("calm.db")).await;
    let mut calm = Crowd::start(heads(&calm_codes)).await;
    let mut bot = spawn_bot(&calm_url, &calm.tg.url());
    let counts = drive(&mut calm, Pace::Calibrate, DEADLINE)
        .await
        .unwrap_or_else(|stuck| panic!("{stuck}"));
    bot.kill().await.expect("killed");
    let want = calm.conversations();
    let calm_teams = teams(&calm_url).await;

    // Act: the same registrations while the bot is killed ten times at random moments.
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, codes) = prepare(&dir.path().join("crash.db")).await;
    if std::env::var_os("CNSCD_CRASH_WITHOUT_JOURNAL").is_some() {
        setup::stand_in_the_journals_way(&dir.path().join("crash.db"));
    }
    let mut run = Crowd::start(heads(&codes)).await;
    let api = run.tg.url();
    let kills = Kills {
        count: KILLS,
        apart_ms: 150..600,
        seed: SEED,
    };
    let killing = kills.run(spawn_bot(&url, &api), || spawn_bot(&url, &api));
    let pace = Pace::Expect {
        counts: &counts,
        want: &want,
    };
    let (mut bot, driven) = tokio::join!(killing, drive(&mut run, pace, DEADLINE));
    driven.unwrap_or_else(|stuck| panic!("{stuck}"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.kill().await.expect("killed");

    // Assert: every answer in order, only the messages in flight again, and the same teams.
    let tally = tally(&want, &run.conversations()).unwrap_or_else(|stuck| panic!("{stuck}"));
    eprintln!(
        "crash test: {KILLS} SIGKILLs, {} messages, {} re-sent ({:.3} per chat per crash; \
         at most {} in one chat), {} of them older than their chat's latest, {} chat(s) led \
         onto an old question",
        tally.messages,
        tally.resent,
        tally.resent as f64 / (CHATS * KILLS) as f64,
        tally.most_resent_in_a_chat,
        tally.older,
        tally.led_to_old_question.len()
    );
    let bound = (OLDER_PER_CHAT_PER_CRASH * (CHATS * KILLS) as f64) as usize;
    assert!(
        tally.older <= bound,
        "re-sent messages older than their chat's latest: {}, bound {bound}",
        tally.older
    );
    assert_eq!(
        tally.led_to_old_question,
        Vec::<i64>::new(),
        "chats that got a message older than their latest one again"
    );
    assert!(
        tally.most_resent_in_a_chat <= KILLS,
        "at most the message in flight at each kill arrives twice: a chat got {} again",
        tally.most_resent_in_a_chat
    );
    assert_eq!(
        teams(&url).await,
        calm_teams,
        "the same teams as without kills"
    );
}
