//! A fake Zalo on 127.0.0.1: the Official Account API (`message/cs`, uploads), the OAuth v4
//! token endpoint, and files users "sent" (served for the bot to download, until a test
//! expires them as Zalo's links expire). It checks the access token on every call, issues a
//! new token pair per refresh and refuses a refresh token used twice; error codes can be
//! scripted per user. Webhook events (private, group, links…) are signed here as Zalo signs
//! them, from the formula, not from cnscd's code. Like Zalo it refuses a file upload that is
//! not a PDF, DOC or DOCX of at most 5 MB, and a share-info form (`request_user_info`) without
//! its `image_url`; a test can make it refuse the Official Account itself (its package,
//! permissions or status) on every call.

mod events;
mod handlers;
mod shown;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::sync::Notify;

pub use events::{signature, signed, Event, User};
use handlers::{access_token, file, message, upload_file, upload_image};
pub use shown::{numbered_options, payload_of, shown};

pub const APP_ID: &str = "4313572100982173421";
pub const OA_SECRET_KEY: &str = "fake-oa-secret-key";
pub const APP_SECRET: &str = "fake-app-secret";
/// The access token the fake takes from the start (tests that skip OAuth use it).
pub const FIRST_ACCESS_TOKEN: &str = "access-0";
/// The refresh token the fake takes first.
pub const FIRST_REFRESH_TOKEN: &str = "refresh-0";

/// A message the OA sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub user_id: String,
    pub message: Value,
}

#[derive(Default)]
struct Inner {
    sent: Vec<Sent>,
    uploads: usize,
    access_tokens: HashSet<String>,
    refresh_token: String,
    used_refresh_tokens: HashSet<String>,
    refreshes: usize,
    issued: usize,
    /// Error codes to answer, per user, before sending succeeds again.
    scripted: HashMap<String, VecDeque<i64>>,
    files: HashMap<String, Vec<u8>>,
    /// `/files/NAME` answered with a redirect to this URL.
    redirects: HashMap<String, String>,
    downloads: usize,
    /// Files uploaded to `upload/file` and taken: (name, bytes).
    uploaded_files: Vec<(String, Vec<u8>)>,
    /// Error codes to answer to the next file uploads, one each.
    upload_errors: VecDeque<i64>,
    /// An account-level error code every call answers while set.
    account_refused: Option<i64>,
}

#[derive(Clone)]
pub struct FakeZalo {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    sent_one: Arc<Notify>,
    /// While `true`, a file download is held open, its answer not given (a slow link).
    held: Arc<tokio::sync::watch::Sender<bool>>,
}

impl FakeZalo {
    pub async fn start() -> FakeZalo {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Zalo");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let inner = Inner {
            access_tokens: HashSet::from([FIRST_ACCESS_TOKEN.to_owned()]),
            refresh_token: FIRST_REFRESH_TOKEN.to_owned(),
            ..Inner::default()
        };
        let fake = FakeZalo {
            base,
            inner: Arc::new(Mutex::new(inner)),
            sent_one: Arc::new(Notify::new()),
            held: Arc::new(tokio::sync::watch::Sender::new(false)),
        };
        let app = Router::new()
            .route("/v3.0/oa/message/cs", post(message))
            .route("/v2.0/oa/upload/image", post(upload_image))
            .route("/v2.0/oa/upload/file", post(upload_file))
            .route("/v4/oa/access_token", post(access_token))
            .route("/files/{name}", get(file))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Everything the OA sent, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// What the OA sent from the `from`-th message on (all users), in order: for a test that
    /// follows many chats and reads only what is new.
    pub fn sent_from(&self, from: usize) -> Vec<Sent> {
        self.lock()
            .sent
            .get(from..)
            .map(<[Sent]>::to_vec)
            .unwrap_or_default()
    }

    /// What the OA sent to `user_id`, in order.
    pub fn sent_to(&self, user_id: &str) -> Vec<Value> {
        self.lock()
            .sent
            .iter()
            .filter(|s| s.user_id == user_id)
            .map(|s| s.message.clone())
            .collect()
    }

    /// Waits until at least `count` messages went to `user_id`. Only a stuck test is stopped:
    /// with the bot killed every few hundred milliseconds on a loaded two-core machine, an
    /// answer can take several lives of the process to go out.
    pub async fn wait_for(&self, user_id: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
        loop {
            let notified = self.sent_one.notified();
            let sent = self.sent_to(user_id);
            if sent.len() >= count {
                return sent;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "{user_id} got {} messages, not {count}: {sent:#?}",
                    sent.len()
                );
            }
        }
    }

    /// Answers the next calls to `user_id` with these error codes, one each.
    pub fn script_errors(&self, user_id: &str, codes: &[i64]) {
        self.lock()
            .scripted
            .entry(user_id.to_owned())
            .or_default()
            .extend(codes);
    }

    /// Answers the next file uploads with these error codes, one each.
    pub fn script_upload_errors(&self, codes: &[i64]) {
        self.lock().upload_errors.extend(codes);
    }

    /// Answers every message and upload with `code` (−224: the OA's package does not allow
    /// it, …) until [`FakeZalo::accept_account`].
    pub fn refuse_account(&self, code: i64) {
        self.lock().account_refused = Some(code);
    }

    /// Takes the Official Account's calls again (an operator fixed it).
    pub fn accept_account(&self) {
        self.lock().account_refused = None;
    }

    /// The files `upload/file` took, as (file name, bytes), in order.
    pub fn uploaded_files(&self) -> Vec<(String, Vec<u8>)> {
        self.lock().uploaded_files.clone()
    }

    /// Stops serving `/files/NAME` (404 from now on), as Zalo's attachment links stop
    /// working some time after the message.
    pub fn expire_file(&self, name: &str) {
        self.lock().files.remove(name);
    }

    /// The URL `/files/NAME` has or had: an attachment link (404 when nothing is hosted).
    pub fn file_url(&self, name: &str) -> String {
        format!("{}/files/{name}", self.base)
    }

    /// Serves `bytes` at `/files/NAME`; its URL.
    pub fn host_file(&self, name: &str, bytes: Vec<u8>) -> String {
        self.lock().files.insert(name.to_owned(), bytes);
        format!("{}/files/{name}", self.base)
    }

    /// Answers `/files/NAME` with a redirect (302) to `to`; its URL.
    pub fn redirect_file(&self, name: &str, to: &str) -> String {
        self.lock().redirects.insert(name.to_owned(), to.to_owned());
        format!("{}/files/{name}", self.base)
    }

    /// How many refreshes the token endpoint granted.
    pub fn refreshes(&self) -> usize {
        self.lock().refreshes
    }

    /// How many times cnscd downloaded a file a user sent.
    pub fn downloads(&self) -> usize {
        self.lock().downloads
    }

    /// From now on, file downloads are held open without an answer (a link that stalls),
    /// until [`FakeZalo::release_downloads`].
    pub fn hold_downloads(&self) {
        self.held.send_replace(true);
    }

    /// The downloads held open are answered, and the next ones at once.
    pub fn release_downloads(&self) {
        self.held.send_replace(false);
    }

    /// Waits until cnscd asked for `count` file downloads (counting those held open).
    pub async fn wait_for_downloads(&self, count: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while self.downloads() < count {
            assert!(
                tokio::time::Instant::now() < deadline,
                "fake Zalo: {} downloads asked for, waiting for {count}",
                self.downloads()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn uploads(&self) -> usize {
        self.lock().uploads
    }

    /// Makes every access token issued so far invalid (as when it expires early).
    pub fn expire_access_tokens(&self) {
        self.lock().access_tokens.clear();
    }

    /// The refresh token the endpoint takes now.
    pub fn current_refresh_token(&self) -> String {
        self.lock().refresh_token.clone()
    }

    /// A fresh refresh token, as an operator gets one from Zalo's console (the old one
    /// stops working).
    pub fn issue_refresh_token(&self) -> String {
        let mut inner = self.lock();
        inner.issued += 1;
        let token = format!("console-refresh-{}", inner.issued);
        inner.refresh_token = token.clone();
        token
    }
}
