//! Nothing lost when the process dies: the real `cnscd serve` binary, long polling a fake Bot
//! API, while 50 village heads register their teams at once; it is killed with SIGKILL at
//! random (seeded) moments and started again at once, as systemd would.
//!
//! Every chat must finish its registration, every answer must arrive (the only repeats
//! allowed are the README's stated exception: a message Telegram took just before the kill,
//! before it was marked sent, sent again after the restart; they are counted), and the teams
//! stored must equal those of a run without kills.

mod download;
mod heads;
mod setup;

use std::collections::HashMap;
use std::time::Duration;

use rand::{Rng, SeedableRng};

use heads::{drive, repeats, teams, texts, Pace, Run};
use setup::{chat_id, prepare, spawn_bot};

const CHATS: usize = 50;
const KILLS: usize = 10;
const SEED: u64 = 20_221_010;
/// A run with kills takes a few seconds; this only stops a stuck test.
const DEADLINE: Duration = Duration::from_secs(240);

/// What a head does next.
#[derive(Clone, Copy, Debug)]
enum Action {
    Say(&'static str),
    Press(&'static str),
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_heads_registering_through_ten_sigkills_lose_no_answer_and_no_team() {
    // Arrange: a run without kills gives the answers each chat must get, and the teams.
    let calm_dir = tempfile::tempdir().expect("temporary directory");
    let (calm_url, calm_codes) = prepare(&calm_dir.path().join("calm.db")).await;
    let mut calm = Run::start().await;
    let mut bot = spawn_bot(&calm_url, &calm.tg.url());
    let counts = drive(&mut calm, &calm_codes, Pace::Calibrate).await;
    bot.kill().await.expect("killed");
    let want: HashMap<i64, Vec<String>> = calm
        .messages_per_chat()
        .into_iter()
        .map(|(chat, messages)| (chat, texts(&messages)))
        .collect();
    let calm_teams = teams(&calm_url).await;

    // Act: the same registrations while the bot is killed ten times at random moments.
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, codes) = prepare(&dir.path().join("crash.db")).await;
    let mut run = Run::start().await;
    let api = run.tg.url();
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mut bot = spawn_bot(&url, &api);
    let killing = async {
        for _ in 0..KILLS {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(150..700))).await;
            bot.start_kill().expect("SIGKILL sent");
            bot.wait().await.expect("the killed bot is reaped");
            bot = spawn_bot(&url, &api);
        }
    };
    let pace = Pace::Expect {
        counts: &counts,
        want: &want,
    };
    let ((), _) = tokio::join!(killing, drive(&mut run, &codes, pace));
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.kill().await.expect("killed");

    // Assert: every answer, in order, once (or repeated within the stated window), and the
    // same teams as without kills.
    let got = run.messages_per_chat();
    let mut repeated = 0;
    for chat in 0..CHATS {
        let id = chat_id(chat);
        let got = texts(got.get(&id).map_or(&[][..], Vec::as_slice));
        match repeats(&want[&id], &got) {
            Some(n) => repeated += n,
            None => panic!("chat {chat} did not get its answers in order: {got:#?}"),
        }
    }
    eprintln!("crash test: {KILLS} SIGKILLs, {repeated} message(s) repeated (sent just before a kill, not yet marked)");
    assert_eq!(
        teams(&url).await,
        calm_teams,
        "the same teams as without kills"
    );
}
