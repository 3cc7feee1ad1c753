//! Long polling, cnscd's own `getUpdates` loop: a batch is recorded in the inbox (one
//! transaction) before its offset is confirmed to Telegram by the next call. A crash at any
//! instant loses nothing: an update not yet recorded is fetched again, one recorded twice is
//! kept once.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;

use super::startup::Started;
use super::translate::{translate, translator};
use super::{Api, TelegramError};
use crate::ops::metrics::Outcome;

/// How long one `getUpdates` waits for something to arrive.
const POLL_SECONDS: u32 = 10;
/// The longest pause after Telegram or the database failed.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub(super) async fn run<R: Api>(
    started: &Started,
    bot: R,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let mut shutdown = pin!(shutdown);
    let translator = translator();
    let mut offset: i32 = 0;
    let mut backoff = Duration::from_millis(500);
    loop {
        let request = bot
            .get_updates()
            .offset(offset)
            .timeout(POLL_SECONDS)
            .allowed_updates(vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
            .send();
        let updates = tokio::select! {
            () = &mut shutdown => break,
            updates = request => updates,
        };
        let updates = match updates {
            Ok(updates) => updates,
            Err(error) => {
                tracing::warn!(%error, ?backoff, "polling Telegram failed");
                if pause(&mut shutdown, &mut backoff).await {
                    break;
                }
                continue;
            }
        };
        let Some(last) = updates.last().map(|u| u.id.0) else {
            continue;
        };
        let mut events = Vec::with_capacity(updates.len());
        let mut buttons = Vec::new();
        for update in updates {
            if let Some(translated) = translate(&translator, update).await {
                buttons.extend(translated.callback_id);
                events.push(translated.event);
            }
        }
        // Not confirmed until recorded: keep trying, Telegram keeps the updates meanwhile.
        let recorded = loop {
            match started.pipeline.recorder().record(events.clone()).await {
                Ok(recorded) => break recorded,
                Err(_) => {
                    if pause(&mut shutdown, &mut backoff).await {
                        return Ok(());
                    }
                }
            }
        };
        for _ in 0..recorded.duplicates {
            started
                .metrics
                .update_handled(Outcome::Duplicate, std::time::Duration::ZERO);
        }
        backoff = Duration::from_millis(500);
        offset = i32::try_from(u64::from(last) + 1).unwrap_or(i32::MAX);
        for id in buttons {
            answer_button(&bot, id);
        }
    }
    confirm(&bot, offset).await;
    Ok(())
}

/// Sleeps `backoff` (doubled for next time) unless shutdown comes first: `true` then.
async fn pause(shutdown: &mut (impl Future<Output = ()> + Unpin), backoff: &mut Duration) -> bool {
    let stop = tokio::select! {
        () = shutdown => true,
        () = tokio::time::sleep(*backoff) => false,
    };
    *backoff = (*backoff * 2).min(MAX_BACKOFF);
    stop
}

/// Tells Telegram the button press was received, so it stops spinning (not durable: the
/// press itself is recorded).
fn answer_button<R: Api>(bot: &R, id: String) {
    let sending = bot
        .answer_callback_query(teloxide::types::CallbackQueryId(id))
        .send();
    tokio::spawn(async move {
        if let Err(error) = sending.await {
            tracing::debug!(%error, "could not answer a button press");
        }
    });
}

/// At a clean stop, confirms the last recorded batch, so the next start does not fetch it
/// again (it would be recognised, but there is no need).
async fn confirm<R: Api>(bot: &R, offset: i32) {
    if offset == 0 {
        return;
    }
    let request = bot.get_updates().offset(offset).limit(1).timeout(0).send();
    if let Err(error) = tokio::time::timeout(Duration::from_secs(2), request).await {
        tracing::debug!(%error, "the last offset was not confirmed; it is at next start");
    }
}
