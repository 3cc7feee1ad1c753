//! The README's "Zalo → Setting it up, step by step", as far as it runs on one machine: the
//! first token (`ZALO_REFRESH_TOKEN=… cnscd zalo token set`), `cnscd serve` with the `ZALO_*`
//! variables, Zalo posting to `/zalo/webhook`, an invitation made by an official in a Zalo
//! chat, and the head it invites sending the code as a message. The fake Zalo stands in for
//! Zalo's hosts (`ZALO_OPENAPI_URL`, `ZALO_OAUTH_URL`); steps 1 to 4 happen on Zalo's sites.

use std::process::Stdio;
use std::time::Duration;

use cnscd::domain::invitation_code::code_in;
use serde_json::Value;

use super::free_port;
use super::sigkills::{deliver, log_file, wait_until_up};
use crate::support::fake_zalo::{payload_of, FakeZalo, User, APP_ID, APP_SECRET, OA_SECRET_KEY};

/// The OA's public link (`ZALO_OA_URL`, step 1).
const OA_URL: &str = "https://zalo.me/4313572100982173421";

/// `cnscd ARGS` with the settings of steps 1 to 4, Zalo's hosts being the fake's.
fn cnscd(zalo: &FakeZalo, database: &str, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"));
    command
        .args(args)
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("ZALO_REFRESH_TOKEN")
        .env_remove("ZALO_REFRESH_TOKEN_FILE")
        .env("DATABASE_URL", database)
        .env("ZALO_APP_ID", APP_ID)
        .env("ZALO_APP_SECRET", APP_SECRET)
        .env("ZALO_OA_SECRET_KEY", OA_SECRET_KEY)
        .env("ZALO_OA_URL", OA_URL)
        .env("ZALO_OPENAPI_URL", &zalo.base)
        .env("ZALO_OAUTH_URL", &zalo.base)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    command
}

/// Runs a one-shot command; its standard output.
async fn output(command: &mut tokio::process::Command) -> String {
    let out = command.output().await.expect("cnscd runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `user` sends `text`; the OA's messages to them until one shows `expected` (in its text or
/// a button).
async fn say(
    http: &reqwest::Client,
    listen: u16,
    zalo: &FakeZalo,
    user: &User,
    text: &str,
    expected: &str,
) -> Vec<Value> {
    let before = zalo.sent_to(&user.id).len();
    deliver(http, listen, &user.text(text)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let new = zalo.sent_to(&user.id).split_off(before);
        if new.iter().any(|m| m.to_string().contains(expected)) {
            return new;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no message showing {expected:?} after {text:?}: {new:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The payload of the button `label` in `messages`, which Zalo sends back as the user's text;
/// or, where a menu had more buttons than a Zalo template holds and came as numbered options,
/// the number the user types for it.
fn press(messages: &[Value], label: &str) -> String {
    let numbered = |m: &Value| {
        let text = m["text"].as_str()?;
        text.lines().find_map(|line| {
            let (number, rest) = line.split_once(". ")?;
            (rest == label && number.chars().all(|c| c.is_ascii_digit())).then(|| number.to_owned())
        })
    };
    messages
        .iter()
        .rev()
        .find_map(|m| payload_of(m, label).or_else(|| numbered(m)))
        .unwrap_or_else(|| panic!("no button {label:?} in {messages:#?}"))
}

#[tokio::test]
async fn the_readmes_zalo_walk_through_seeds_the_token_serves_and_redeems_a_code_sent_as_a_message()
{
    // Arrange: villages, as in the console trial.
    let zalo = FakeZalo::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}/cnscd.db", dir.path().display());
    let csv = dir.path().join("villages.csv");
    std::fs::write(&csv, "commune_code,name\n11083,Thôn Đông Sơn\n").expect("csv");
    let csv = csv.display().to_string();
    output(&mut cnscd(&zalo, &database, &["units", "example"])).await;
    output(&mut cnscd(&zalo, &database, &["import", "villages", &csv])).await;

    // 7. The first tokens: `ZALO_REFRESH_TOKEN=… cnscd zalo token set`.
    let mut token_set = cnscd(&zalo, &database, &["zalo", "token", "set"]);
    token_set.env("ZALO_REFRESH_TOKEN", zalo.current_refresh_token());
    output(&mut token_set).await;
    assert_eq!(zalo.refreshes(), 1, "the refresh token was exchanged");

    // A commune official's invitation, from the command line.
    let printed = output(&mut cnscd(
        &zalo,
        &database,
        &["invite", "--role", "commune-official", "--unit", "11083"],
    ))
    .await;
    let official_code = printed
        .lines()
        .find_map(|line| line.trim().strip_prefix("code:"))
        .map(str::trim)
        .expect("the code is printed")
        .to_owned();

    // 8. Run `cnscd serve` with the ZALO_* variables and CNSCD_PUBLIC_URL (the refresh
    // token is now stored).
    let (listen, ops) = (free_port(), free_port());
    let mut bot = cnscd(&zalo, &database, &["serve"])
        .env("CNSCD_PUBLIC_URL", "https://cnscd.example.gov.vn")
        .args(["--listen", &format!("127.0.0.1:{listen}")])
        .args(["--ops-listen", &format!("127.0.0.1:{ops}")])
        .stdout(Stdio::null())
        .stderr(log_file())
        .spawn()
        .expect("cnscd serves");
    let http = reqwest::Client::new();
    wait_until_up(&http, ops).await;

    // Act: the official follows the OA and sends the code as a message…
    let official = User::new("801");
    deliver(&http, listen, &official.follow()).await;
    let welcome = say(
        &http,
        listen,
        &zalo,
        &official,
        &format!("MOI {official_code}"),
        "🏘",
    )
    .await;
    // …and makes an invitation for the head of Thôn Đông Sơn in the Zalo chat.
    let list = say(
        &http,
        listen,
        &zalo,
        &official,
        &press(&welcome, "🏘 Danh sách thôn"),
        "1. Thôn Đông Sơn",
    )
    .await;
    let village = say(
        &http,
        listen,
        &zalo,
        &official,
        &press(&list, "1. Thôn Đông Sơn"),
        "✉️ Tạo mã mời",
    )
    .await;
    let made = say(
        &http,
        listen,
        &zalo,
        &official,
        &press(&village, "✉️ Tạo mã mời"),
        "thành một tin nhắn",
    )
    .await;
    let invitation = made
        .iter()
        .filter_map(|m| m["text"].as_str())
        .find(|t| t.contains("thành một tin nhắn"))
        .expect("the invitation")
        .to_owned();
    let code = code_in(&invitation)
        .expect("the invitation shows a code")
        .shown();
    // The head opens the OA's link, follows it and sends the code above as a message.
    let head = User::new("802");
    deliver(&http, listen, &head.follow()).await;
    let redeemed = say(&http, listen, &zalo, &head, &code, "Họ và tên đầy đủ").await;

    // Assert
    assert!(
        welcome
            .iter()
            .any(|m| m.to_string().contains("cán bộ phụ trách")),
        "{welcome:#?}"
    );
    assert!(invitation.contains(OA_URL), "the OA's link: {invitation}");
    assert!(invitation.contains(&code), "{invitation}");
    let texts: Vec<&str> = redeemed.iter().filter_map(|m| m["text"].as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("xác nhận là trưởng thôn: Thôn Đông Sơn")),
        "{texts:#?}"
    );
    assert_eq!(zalo.refreshes(), 1, "serve used the stored token");
    bot.kill().await.expect("stopped");
}
