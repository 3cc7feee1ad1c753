//! Two webhook replicas of the release binary on PostgreSQL, behind a load balancer, while 200
//! village heads register over Zalo; one replica is killed with SIGKILL while it sends.
//! Restarted at once under its name (as systemd would), it takes its messages back and at most
//! the one in flight at the kill arrives twice. Not restarted, the other replica takes them
//! over after the takeover time: nothing is lost, but it cannot know which of them the dead one
//! delivered without marking (PostgreSQL has no delivery journal), so those arrive again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::Backend;
use rand::{Rng, SeedableRng};

use crate::support::app::scratch;
use crate::support::fake_zalo::FakeZalo;
use crate::support::zalo_heads::{
    calm_run, prepare, run_expecting, spawn_bot, wait_until_up, warm_up, Outcome, Ports, Reference,
};

const CHATS: usize = 200;
const SEED: u64 = 20_261_208;
/// The goal of issue 22: re-sent old messages per chat per crash.
const BOUND: f64 = 0.05;

/// Every chat's messages, from one replica on SQLite without kills (the texts are the same
/// on both engines: the golden transcripts run on both).
async fn reference() -> Reference {
    let zalo = FakeZalo::start().await;
    let db = ScratchDb::sqlite().expect("scratch SQLite");
    let codes = prepare(db.url(), CHATS).await;
    let ports = Ports::free();
    let mut bot = spawn_bot(&zalo, db.url(), ports, "calm");
    let reference = calm_run(&zalo, db.url(), ports.listen, &codes).await;
    bot.kill().await.expect("stopped");
    reference
}

/// The heads register through replicas `a` and `b` on `db`; `a` is killed `kills` times
/// while it sends, and restarted at once when `restart`. The number of kills made, and the
/// outcome.
async fn register_through_kills(
    db: &ScratchDb,
    reference: &Reference,
    kills: usize,
    restart: bool,
) -> (usize, Outcome) {
    let zalo = FakeZalo::start().await;
    let codes = prepare(db.url(), CHATS).await;
    let (a_ports, b_ports) = (Ports::free(), Ports::free());
    let mut a = spawn_bot(&zalo, db.url(), a_ports, "replica-a");
    warm_up(&zalo, a_ports.listen).await;
    let mut b = spawn_bot(&zalo, db.url(), b_ports, "replica-b");
    wait_until_up(b_ports.ops).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let running = AtomicBool::new(true);
    let killing = async {
        let mut made = 0;
        while made < kills && running.load(Ordering::SeqCst) {
            wait_until_up(a_ports.ops).await;
            tokio::time::sleep(Duration::from_millis(rng.gen_range(150..700))).await;
            if !running.load(Ordering::SeqCst) {
                break;
            }
            a.start_kill().expect("SIGKILL");
            a.wait().await.expect("the killed replica is reaped");
            made += 1;
            if restart {
                a = spawn_bot(&zalo, db.url(), a_ports, "replica-a");
            }
        }
        made
    };
    let registering = async {
        let listen = vec![a_ports.listen, b_ports.listen];
        let outcome = run_expecting(&zalo, listen, &codes, reference).await;
        running.store(false, Ordering::SeqCst);
        outcome
    };
    let (made, outcome) = tokio::join!(killing, registering);
    let _ = a.kill().await;
    b.kill().await.expect("stopped");
    eprintln!(
        "replicas on PostgreSQL, {}: {CHATS} chats, {made} SIGKILL(s) of one replica, {} \
         message(s) re-sent ({:.4} per chat per crash), {} chat(s) led onto an old question",
        if restart {
            "restarted at once"
        } else {
            "not restarted"
        },
        outcome.repeats,
        outcome.repeats as f64 / (CHATS * made.max(1)) as f64,
        outcome.led_astray.len()
    );
    eprintln!("re-sent (times, first words): {:?}", outcome.repeated);
    (made, outcome)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_sigkilled_while_sending_and_restarted_at_once_sends_at_most_the_message_in_flight_again_on_postgresql(
) {
    let test = "replica killed and restarted";
    let Some(db) = scratch(Backend::Postgres, test).await else {
        return;
    };
    let reference = reference().await;

    let (kills, outcome) = register_through_kills(&db, &reference, 10, true).await;

    assert!(kills >= 5, "only {kills} kills while the heads registered");
    let per_chat_per_crash = outcome.repeats as f64 / (CHATS * kills) as f64;
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
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_sigkilled_while_sending_and_not_restarted_leaves_every_message_to_the_other_on_postgresql(
) {
    let test = "replica killed, not restarted";
    let Some(db) = scratch(Backend::Postgres, test).await else {
        return;
    };
    let reference = reference().await;

    let (kills, outcome) = register_through_kills(&db, &reference, 1, false).await;

    // Every chat got all its messages in order (checked by the run), the dead replica's
    // through the other one. What the dead replica delivered in its last milliseconds, before
    // its marks were committed, the survivor sends again after 15 s, and it may come after a
    // newer message the chat got through the survivor meanwhile: the README's stated window
    // for replicas not restarted (0–4 chats of 200 in runs on a 2-core machine). It is
    // counted here, not bounded, until the sender keeps a chat's order across replicas.
    assert_eq!(kills, 1);
    eprintln!(
        "not restarted: chats that got an old message after a newer one: {:?}",
        outcome.led_astray
    );
    assert!(
        outcome.led_astray.len() <= CHATS / 10,
        "chats led onto an old question: {:?}",
        outcome.led_astray
    );
    db.destroy().await;
}
