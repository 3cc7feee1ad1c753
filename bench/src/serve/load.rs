//! The load generator: every chat runs its script concurrently, one message at a time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use cnscd_fakes::telegram::{text_update, FakeTelegram};

use super::Figures;

/// The longest the bot may take to answer one step before the run is called failed.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// How an update reaches the bot under test.
#[derive(Clone)]
pub enum Delivery {
    /// Queued on the fake server for `getUpdates`.
    Polling,
    /// POSTed to these webhook URLs in turn, with the secret header.
    Webhook {
        client: reqwest::Client,
        urls: Arc<Vec<String>>,
        secret: String,
    },
}

/// One chat's messages and how many messages the bot sends back to each.
#[derive(Debug, Clone)]
pub struct Script {
    pub chat: i64,
    pub steps: Vec<(String, usize)>,
}

/// Runs every script at once; fails if the bot does not answer a step in time.
pub async fn drive(
    name: &str,
    api: Arc<FakeTelegram>,
    delivery: Delivery,
    scripts: Vec<Script>,
) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let cpu_before = crate::cpu_time();
    let mut chats = Vec::new();
    for script in scripts {
        let api = api.clone();
        let delivery = delivery.clone();
        chats.push(tokio::spawn(async move {
            run_chat(&api, &delivery, script).await
        }));
    }
    let mut latencies = Vec::new();
    for chat in chats {
        latencies.extend(chat.await.context("a chat's task failed")??);
    }
    let elapsed = started.elapsed();
    let cpu = crate::cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    latencies.sort_unstable();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    Ok(Figures {
        name: name.to_owned(),
        updates: latencies.len(),
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
        cpu,
    })
}

async fn run_chat(
    api: &FakeTelegram,
    delivery: &Delivery,
    script: Script,
) -> anyhow::Result<Vec<Duration>> {
    let mut answers = api.listen(script.chat);
    let mut latencies = Vec::with_capacity(script.steps.len());
    for (text, replies) in &script.steps {
        let sent = Instant::now();
        deliver(api, delivery, script.chat, text).await?;
        for _ in 0..*replies {
            match tokio::time::timeout(STEP_TIMEOUT, answers.recv()).await {
                Ok(Some(())) => {}
                _ => bail!("chat {} got no answer to {text:?} in time", script.chat),
            }
        }
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

async fn deliver(
    api: &FakeTelegram,
    delivery: &Delivery,
    chat: i64,
    text: &str,
) -> anyhow::Result<()> {
    match delivery {
        Delivery::Polling => api.push_update_with(|id| text_update(id, chat, text)),
        Delivery::Webhook {
            client,
            urls,
            secret,
        } => {
            let id = api.next_update_id();
            let update = text_update(id, chat, text);
            let url = &urls[id as usize % urls.len()];
            let response = client
                .post(url)
                .header("X-Telegram-Bot-Api-Secret-Token", secret)
                .json(&update)
                .send()
                .await
                .context("the webhook request failed")?;
            if !response.status().is_success() {
                bail!("the webhook answered {}", response.status());
            }
        }
    }
    Ok(())
}
