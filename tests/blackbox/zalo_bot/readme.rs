//! The README's "Zalo Bot", run with the real binary as an operator would: the shell block's
//! settings and `cnscd serve` answer a message taken by long polling; the webhook settings
//! register the webhook and answer a message POSTed to it; a token Zalo refuses stops `serve`
//! with a message naming the setting, never the token; and every `ZALO_BOT_*` setting the
//! section names is in `serve --help`. The fake Zalo Bot stands in for Zalo's API
//! (`ZALO_BOT_API_URL`, hidden); Zalo Bot Creator (step 1) happens in Zalo.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use cnscd_fakes::zalo_bot::{request, FakeZaloBot, TOKEN};

fn section() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("\n## Zalo Bot\n")
        .expect("the README has a Zalo Bot section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_owned()
}

/// The `export NAME=…` lines and the command of the section's shell block.
fn shell_block() -> (Vec<String>, String) {
    let section = section();
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a shell block");
    let mut exported = Vec::new();
    let mut command = String::new();
    for line in block.lines() {
        match line.strip_prefix("export ") {
            Some(assignment) => {
                let (name, _) = assignment.split_once('=').expect("NAME=value");
                exported.push(name.to_owned());
            }
            None => command = line.to_owned(),
        }
    }
    (exported, command)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

/// A database with the example units and Thôn Đông Sơn, and a commune official's code.
async fn database(dir: &Path) -> (String, String) {
    let database = format!("sqlite://{}/cnscd.db", dir.display());
    let csv = dir.join("villages.csv");
    std::fs::write(&csv, "commune_code,name\n11083,Thôn Đông Sơn\n").expect("csv");
    let run = |args: Vec<String>| {
        let database = database.clone();
        async move {
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
                .args(args)
                .env("DATABASE_URL", &database)
                .env("RUST_LOG", "warn")
                .output()
                .await
                .expect("cnscd runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).expect("utf-8")
        }
    };
    run(vec!["units".into(), "example".into()]).await;
    run(vec![
        "import".into(),
        "villages".into(),
        csv.display().to_string(),
    ])
    .await;
    let printed = run(["invite", "--role", "commune-official", "--unit", "11083"]
        .map(String::from)
        .to_vec())
    .await;
    let code = printed
        .lines()
        .find_map(|line| line.trim().strip_prefix("code:"))
        .map(|code| code.trim().to_owned())
        .expect("the code is printed");
    (database, code)
}

/// `cnscd serve` with the README's settings given the fake's values, on free ports.
fn serve(bot: &FakeZaloBot, database: &str, listen: u16, ops: u16) -> tokio::process::Command {
    let (exported, command) = shell_block();
    assert_eq!(command, "cnscd serve", "the block ends by serving");
    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"));
    serve
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{listen}")])
        .args(["--ops-listen", &format!("127.0.0.1:{ops}")])
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("ZALO_APP_ID")
        .env("DATABASE_URL", database)
        .env("ZALO_BOT_API_URL", &bot.base)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in exported {
        let value = match name.as_str() {
            "ZALO_BOT_TOKEN" => TOKEN.to_owned(),
            "ZALO_BOT_PUBLIC_URL" => format!("http://127.0.0.1:{listen}"),
            other => panic!("the README exports {other}, which this test does not know"),
        };
        serve.env(name, value);
    }
    serve
}

async fn wait_until_up(ops: u16) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let url = format!("http://127.0.0.1:{ops}/healthz");
    while tokio::time::Instant::now() < deadline {
        if let Ok((200, _)) = request("GET", &url, &[], b"").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("cnscd did not come up");
}

const CHAT: &str = "6600000000000000042";

#[tokio::test]
async fn the_readmes_zalo_bot_settings_serve_a_message_taken_by_long_polling() {
    let bot = FakeZaloBot::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let (database, code) = database(dir.path()).await;
    let (listen, ops) = (free_port(), free_port());
    let mut cnscd = serve(&bot, &database, listen, ops)
        .spawn()
        .expect("cnscd serves");
    wait_until_up(ops).await;
    bot.queue(bot.text(CHAT, &format!("/start {code}")));
    let answers = bot.wait_for(CHAT, 1).await;
    assert!(
        answers.iter().any(|a| a.text.contains("Xã Đại Sơn")),
        "the official is welcomed to their commune: {answers:?}"
    );
    assert_eq!(bot.calls()[..2], ["getMe", "deleteWebhook"]);
    let _ = cnscd.kill().await;
}

#[tokio::test]
async fn the_readmes_webhook_settings_register_the_webhook_and_answer_a_message_posted_to_it() {
    let bot = FakeZaloBot::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let (database, code) = database(dir.path()).await;
    let (listen, ops) = (free_port(), free_port());
    let url = format!("http://127.0.0.1:{listen}/zalo-bot/hook");
    let mut cnscd = serve(&bot, &database, listen, ops)
        .env("ZALO_BOT_WEBHOOK_URL", &url)
        .env("ZALO_BOT_WEBHOOK_SECRET", "a-secret-of-some-length")
        .spawn()
        .expect("cnscd serves");
    wait_until_up(ops).await;
    assert_eq!(
        bot.webhook(),
        Some((url, "a-secret-of-some-length".to_owned())),
        "setWebhook was called with the URL and secret"
    );
    let status = bot
        .post_webhook(&bot.text(CHAT, &format!("/start {code}")))
        .await;
    assert_eq!(status, 200);
    let answers = bot.wait_for(CHAT, 1).await;
    assert!(
        answers.iter().any(|a| a.text.contains("Xã Đại Sơn")),
        "{answers:?}"
    );
    assert!(!bot.calls().contains(&"getUpdates".to_owned()));
    let _ = cnscd.kill().await;
}

#[tokio::test]
async fn a_token_zalo_refuses_stops_serve_naming_the_setting_but_not_the_token() {
    let bot = FakeZaloBot::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let (database, _) = database(dir.path()).await;
    let (listen, ops) = (free_port(), free_port());
    let output = serve(&bot, &database, listen, ops)
        .env("ZALO_BOT_TOKEN", "1:a-wrong-token")
        .output()
        .await
        .expect("cnscd runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ZALO_BOT_TOKEN"), "{stderr}");
    assert!(!stderr.contains("a-wrong-token"), "{stderr}");
}

#[test]
fn every_zalo_bot_setting_the_readme_names_is_in_serve_help() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args(["serve", "--help"])
        .output()
        .expect("cnscd runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let section = section();
    let mut named: Vec<&str> = section
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|word| word.starts_with("ZALO_BOT_"))
        .collect();
    named.sort_unstable();
    named.dedup();
    assert!(named.len() >= 5, "{named:?}");
    for name in named {
        let base = name.strip_suffix("_FILE").unwrap_or(name);
        assert!(help.contains(base), "serve --help lacks {base}");
    }
}
