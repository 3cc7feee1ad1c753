//! A crash is nearly invisible in a Zalo chat: 200 village heads register over Zalo while the
//! release binary is killed with SIGKILL ten times and restarted at once, as systemd would.
//! At most the message in flight at the instant of a kill may arrive twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::{Rng, SeedableRng};

use crate::support::fake_zalo::FakeZalo;
use crate::support::zalo_heads::{
    calm_run, prepare, run_expecting, spawn_bot, wait_until_up, warm_up, Ports,
};

const CHATS: usize = 200;
const KILLS: usize = 10;
const SEED: u64 = 20_261_207;
/// The goal of issue 22: re-sent old messages per chat per crash.
const BOUND: f64 = 0.05;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zalo_heads_registering_through_ten_sigkills_get_at_most_the_message_in_flight_again() {
    // Arrange: a calm run gives every chat's messages.
    let zalo = FakeZalo::start().await;
    let calm_dir = tempfile::tempdir().expect("temporary directory");
    let calm_db = format!("sqlite://{}/calm.db", calm_dir.path().display());
    let codes = prepare(&calm_db, CHATS).await;
    let ports = Ports::free();
    let mut bot = spawn_bot(&zalo, &calm_db, ports, "zalo-heads");
    let reference = calm_run(&zalo, &calm_db, ports.listen, &codes).await;
    bot.kill().await.expect("stopped");

    // Act: the same registrations on a new database, the bot killed at random moments.
    let zalo = FakeZalo::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}/cnscd.db", dir.path().display());
    let codes = prepare(&database, CHATS).await;
    let mut bot = spawn_bot(&zalo, &database, ports, "zalo-heads");
    warm_up(&zalo, ports.listen).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let running = AtomicBool::new(true);
    let killing = async {
        let mut kills = 0;
        while kills < KILLS && running.load(Ordering::SeqCst) {
            wait_until_up(ports.ops).await;
            tokio::time::sleep(Duration::from_millis(rng.gen_range(150..700))).await;
            if !running.load(Ordering::SeqCst) {
                break;
            }
            bot.start_kill().expect("SIGKILL");
            bot.wait().await.expect("the killed bot is reaped");
            kills += 1;
            bot = spawn_bot(&zalo, &database, ports, "zalo-heads");
        }
        kills
    };
    let registering = async {
        let outcome = run_expecting(&zalo, vec![ports.listen], &codes, &reference).await;
        running.store(false, Ordering::SeqCst);
        outcome
    };
    let (kills, outcome) = tokio::join!(killing, registering);
    bot.kill().await.expect("stopped");

    // Assert: every message arrived, in order (checked by the run); few again, none astray.
    assert!(
        kills >= KILLS / 2,
        "only {kills} kills while the heads registered"
    );
    let per_chat_per_crash = outcome.repeats as f64 / (CHATS * kills) as f64;
    eprintln!(
        "zalo crash test: {CHATS} chats, {kills} SIGKILLs, {} message(s) re-sent \
         ({per_chat_per_crash:.4} per chat per crash), {} chat(s) led onto an old question",
        outcome.repeats,
        outcome.led_astray.len()
    );
    eprintln!("re-sent (times, first words): {:?}", outcome.repeated);
    assert!(
        per_chat_per_crash <= BOUND,
        "{} re-sent ({per_chat_per_crash:.3} per chat per crash), e.g. {:#?}",
        outcome.repeats,
        outcome.examples
    );
    assert!(
        outcome.led_astray.is_empty(),
        "chats led onto an old question: {:?}",
        outcome.led_astray
    );
}
