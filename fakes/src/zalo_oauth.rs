//! An in-process fake of Zalo's OAuth v4 token endpoint on `127.0.0.1`:
//! `POST /v4/oa/access_token` with the form `refresh_token`, `app_id`,
//! `grant_type=refresh_token` and the header `secret_key`. Each refresh token works once:
//! a good one gets a new pair (`expires_in` as a string of seconds, as Zalo sends it), a
//! reused or unknown one gets Zalo's error answer.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

pub const APP_ID: &str = "4318118090";
pub const APP_SECRET: &str = "fake-zalo-app-secret";

#[derive(Default)]
struct Counts {
    valid: HashSet<String>,
    /// Every token the fake made, to check none is ever printed.
    made: Vec<String>,
    next: u32,
    calls: usize,
    refused: usize,
    delay: Duration,
}

pub struct FakeZaloOauth {
    shared: Arc<Mutex<Counts>>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl FakeZaloOauth {
    pub async fn start() -> FakeZaloOauth {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Zalo OAuth: cannot bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Zalo OAuth: no address");
        let shared = Arc::new(Mutex::new(Counts::default()));
        let app = Router::new()
            .route("/v4/oa/access_token", post(access_token))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Zalo OAuth server failed");
        });
        FakeZaloOauth { shared, addr, task }
    }

    /// What `ZALO_OAUTH_URL` is set to.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.addr)).expect("URL")
    }

    /// A refresh token Zalo would accept, as an operator gets one from developers.zalo.me.
    pub fn issue_refresh_token(&self) -> String {
        let mut counts = self.counts();
        let token = make(&mut counts, "REF");
        counts.valid.insert(token.clone());
        token
    }

    /// Refresh requests received (answered or refused).
    pub fn calls(&self) -> usize {
        self.counts().calls
    }

    /// Refresh requests refused.
    pub fn refused(&self) -> usize {
        self.counts().refused
    }

    /// Every access and refresh token the fake made.
    pub fn tokens_made(&self) -> Vec<String> {
        self.counts().made.clone()
    }

    /// Answers this much later (so two replicas' refreshes would overlap).
    pub fn set_delay(&self, delay: Duration) {
        self.counts().delay = delay;
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeZaloOauth {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn make(counts: &mut Counts, kind: &str) -> String {
    counts.next += 1;
    let token = format!("{kind}-{}-{:08x}", counts.next, rand::random::<u32>());
    counts.made.push(token.clone());
    token
}

#[derive(serde::Deserialize)]
struct Refresh {
    refresh_token: String,
    app_id: String,
    grant_type: String,
}

async fn access_token(
    State(shared): State<Arc<Mutex<Counts>>>,
    headers: HeaderMap,
    Form(form): Form<Refresh>,
) -> Json<Value> {
    let delay = {
        let mut counts = shared.lock().unwrap_or_else(|e| e.into_inner());
        counts.calls += 1;
        counts.delay
    };
    tokio::time::sleep(delay).await;
    let mut counts = shared.lock().unwrap_or_else(|e| e.into_inner());
    let secret_ok = headers.get("secret_key").and_then(|v| v.to_str().ok()) == Some(APP_SECRET);
    if !secret_ok || form.app_id != APP_ID || form.grant_type != "refresh_token" {
        counts.refused += 1;
        return Json(json!({
            "error": -14002,
            "error_name": "Invalid app secret or app id",
        }));
    }
    if !counts.valid.remove(&form.refresh_token) {
        counts.refused += 1;
        return Json(json!({
            "error": -14014,
            "error_name": "Invalid refresh token",
            "error_reason": "Refresh token is invalid or expired",
            "error_description": "Refresh token is invalid or used",
        }));
    }
    let access = make(&mut counts, "ACC");
    let refresh = make(&mut counts, "REF");
    counts.valid.insert(refresh.clone());
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": "90000",
    }))
}
