//! Telegram as a [`Channel`] of the pipeline: one part of a reply per Bot API call, and
//! Telegram's answers read as the pipeline needs them (wait, give up the chat, retry, skip).

use std::time::Duration;

use futures::future::BoxFuture;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::ChatId;
use teloxide::{ApiError, RequestError};

use super::{outgoing, Api, CHANNEL};
use crate::chat::ChannelName;
use crate::conversation::Reply;
use crate::pipeline::{Channel, FetchError, Fetched, SendError};

/// Where a download streams to: hashed as it comes, kept only when asked, and refused past
/// the limit (Telegram's size may be missing or wrong).
struct HashingSink {
    hasher: sha2::Sha256,
    len: u64,
    max: u64,
    kept: Option<Vec<u8>>,
}

impl HashingSink {
    fn new(max: u64, keep: bool) -> HashingSink {
        use sha2::Digest;
        HashingSink {
            hasher: sha2::Sha256::new(),
            len: 0,
            max,
            kept: keep.then(Vec::new),
        }
    }

    fn over_limit(&self) -> bool {
        self.len > self.max
    }

    fn finish(self) -> Fetched {
        use sha2::Digest;
        Fetched {
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.kept,
        }
    }
}

impl tokio::io::AsyncWrite for HashingSink {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        use sha2::Digest;
        self.len += buf.len() as u64;
        if self.over_limit() {
            let error = std::io::Error::other("the file is larger than allowed");
            return std::task::Poll::Ready(Err(error));
        }
        self.hasher.update(buf);
        if let Some(kept) = self.kept.as_mut() {
            kept.extend_from_slice(buf);
        }
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Sends through `bot` (throttled in production); downloads through the plain bot, since
/// downloads are not rate-limited.
pub(super) struct TelegramChannel<R> {
    bot: R,
    files: Bot,
}

impl<R: Api> TelegramChannel<R> {
    pub(super) fn new(bot: R, files: Bot) -> TelegramChannel<R> {
        TelegramChannel { bot, files }
    }
}

/// The bot users' files are downloaded with: `bot`'s token and Bot API server
/// (`api.telegram.org`, or `--telegram-api-url` when configured), on a client that follows
/// no redirect, so a file comes from that server or not at all.
pub(super) fn files_bot(bot: &Bot) -> Bot {
    // An error, not `Policy::none()`: teloxide would take the redirect's empty body for
    // the file.
    let no_redirect =
        reqwest::redirect::Policy::custom(|attempt| attempt.error("a file download redirected"));
    let client = teloxide::net::default_reqwest_settings()
        .redirect(no_redirect)
        .build();
    match client {
        Ok(client) => Bot::with_client(bot.token(), client).set_api_url(bot.api_url()),
        Err(error) => {
            // Only when TLS cannot start, which stops the bot's own client too.
            tracing::error!(%error, "no client for downloads; the bot's own is used");
            bot.clone()
        }
    }
}

impl<R: Api> Channel for TelegramChannel<R> {
    fn name(&self) -> ChannelName {
        CHANNEL
    }

    fn send<'a>(
        &'a self,
        chat_id: &'a str,
        part: &'a Reply,
    ) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let Ok(chat) = chat_id.parse::<i64>() else {
                return Err(SendError::Refused("not a Telegram chat id".into()));
            };
            match outgoing::send_part(&self.bot, ChatId(chat), part).await {
                Ok(()) => Ok(()),
                Err(error) => classify(&error),
            }
        })
    }

    fn fetch<'a>(
        &'a self,
        file_id: &'a str,
        max_bytes: u64,
        keep: bool,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        Box::pin(async move {
            let file = self
                .files
                .get_file(teloxide::types::FileId(file_id.to_owned()))
                .await
                .map_err(|error| {
                    tracing::warn!(kind = kind_of(&error), "getFile failed");
                    FetchError::Unavailable
                })?;
            if u64::from(file.size) > max_bytes {
                return Err(FetchError::TooLarge);
            }
            let mut sink = HashingSink::new(max_bytes, keep);
            if let Err(error) = self.files.download_file(&file.path, &mut sink).await {
                if sink.over_limit() {
                    return Err(FetchError::TooLarge);
                }
                tracing::warn!(%error, "download failed");
                return Err(FetchError::Unavailable);
            }
            Ok(sink.finish())
        })
    }
}

/// What Telegram's refusal means for the pipeline. Only kinds are kept: Telegram's
/// descriptions may quote the message.
fn classify(error: &RequestError) -> Result<(), SendError> {
    match error {
        RequestError::RetryAfter(seconds) => Err(SendError::RetryAfter(Duration::from_secs(
            u64::from(seconds.seconds()),
        ))),
        RequestError::Api(ApiError::MessageNotModified) => Ok(()),
        RequestError::Api(ApiError::BotBlocked) => Err(SendError::Unreachable("blocked")),
        RequestError::Api(ApiError::UserDeactivated) => Err(SendError::Unreachable("deactivated")),
        RequestError::Api(ApiError::ChatNotFound) => Err(SendError::Unreachable("chat not found")),
        RequestError::Api(_) => Err(SendError::Refused(kind_of(error).into())),
        RequestError::MigrateToChatId(_) => Err(SendError::Refused("chat migrated".into())),
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Err(SendError::Transient(kind_of(error).into()))
        }
    }
}

/// A name for an error that holds nothing of the message: Telegram's raw answer (which
/// `InvalidJson` carries) echoes the names and phone numbers sent.
pub(super) fn kind_of(error: &RequestError) -> &'static str {
    match error {
        RequestError::Api(_) => "api error",
        RequestError::MigrateToChatId(_) => "chat migrated",
        RequestError::RetryAfter(_) => "rate limited",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "unreadable answer",
        RequestError::Io(_) => "io",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves `GET /file/{anything}` with `answer`, counting the requests; its base URL.
    async fn file_server(
        answer: axum::response::Response<axum::body::Body>,
    ) -> (url::Url, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use axum::response::IntoResponse;
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = hits.clone();
        let (status, headers) = (answer.status(), answer.headers().clone());
        let app = axum::Router::new().route(
            "/file/{*path}",
            axum::routing::get(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let headers = headers.clone();
                async move { (status, headers, "%PDF-1.4 elsewhere").into_response() }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url::Url::parse(&base).unwrap(), hits)
    }

    #[tokio::test]
    async fn a_file_download_redirected_elsewhere_is_not_followed() {
        use axum::http::{header, StatusCode};
        use teloxide::net::Download;
        let (elsewhere, elsewhere_hits) = file_server(
            axum::response::Response::builder()
                .status(StatusCode::OK)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        let (api, _) = file_server(
            axum::response::Response::builder()
                .status(StatusCode::FOUND)
                .header(
                    header::LOCATION,
                    elsewhere.join("file/x.pdf").unwrap().as_str(),
                )
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        let bot = Bot::new("123:token").set_api_url(api);

        let mut sink = HashingSink::new(1 << 20, true);
        let downloaded = files_bot(&bot)
            .download_file("documents/x.pdf", &mut sink)
            .await;

        assert!(downloaded.is_err(), "a redirect is not a file");
        assert_eq!(
            elsewhere_hits.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "the other host was never asked"
        );
    }

    #[test]
    fn telegrams_refusals_are_read_as_wait_give_up_skip_or_success() {
        let retry = RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(7));
        assert_eq!(
            classify(&retry),
            Err(SendError::RetryAfter(Duration::from_secs(7)))
        );
        let blocked = RequestError::Api(ApiError::BotBlocked);
        assert_eq!(classify(&blocked), Err(SendError::Unreachable("blocked")));
        let not_modified = RequestError::Api(ApiError::MessageNotModified);
        assert_eq!(classify(&not_modified), Ok(()));
        let other = RequestError::Api(ApiError::Unknown("Bad Request: secret name".into()));
        assert_eq!(
            classify(&other),
            Err(SendError::Refused("api error".into()))
        );
    }

    #[tokio::test]
    async fn a_download_is_hashed_as_it_streams_and_cut_off_past_the_limit() {
        use tokio::io::AsyncWriteExt;
        let mut sink = HashingSink::new(8, false);
        sink.write_all(b"abc").await.expect("within the limit");
        let fetched = sink.finish();
        assert_eq!(
            fetched.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(fetched.bytes, None, "only the hash is kept");
        let mut sink = HashingSink::new(8, true);
        assert!(sink.write_all(b"0123456789").await.is_err());
        assert!(sink.over_limit());
    }

    #[test]
    fn a_garbled_answer_is_recorded_by_its_kind_never_with_the_message_it_echoes() {
        let raw = r#"{"ok":true,"result":{"text":"Nguyễn Văn An 0912 345 678""#.to_owned();
        let source = serde_json::from_str::<serde_json::Value>(&raw).unwrap_err();
        let error = RequestError::InvalidJson {
            source: std::sync::Arc::new(source),
            raw: raw.into_boxed_str(),
        };
        let recorded = classify(&error).unwrap_err().to_string();
        assert!(
            !recorded.contains("0912") && !recorded.contains("Nguyễn"),
            "{recorded}"
        );
        assert_eq!(kind_of(&error), "unreadable answer");
    }
}
