//! Zalo's access token, shared by the replicas through the database, against a fake OAuth
//! endpoint: refreshed ahead of expiry, once however many replicas are due, paused (admins
//! told once) when Zalo refuses the refresh token, resumed by `zalo token set`, and never
//! printed. The replica tests run on SQLite and, when `CNSCD_TEST_POSTGRES_URL` names a
//! server, on PostgreSQL.

mod refresh;
mod token_set;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cnscd::clock::ManualClock;
use cnscd::domain::CompositionRules;
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::ops::metrics::Metrics;
use cnscd::secrets::Secret;
use cnscd::storage::Store;
use cnscd::zalo::config::{ZaloSecrets, ZaloSettings};
use cnscd::zalo::tokens::{TokenPolicy, Tokens};

use crate::support::fake_zalo_oauth::{APP_ID, APP_SECRET};

const ADMINS: [&str; 2] = ["telegram:111", "zalo:222"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap()
}

fn hours(h: f64) -> chrono::Duration {
    chrono::Duration::seconds((h * 3600.0) as i64)
}

fn settings(oauth: &url::Url, seed: Option<&str>) -> ZaloSettings {
    let url = |u: &str| url::Url::parse(u).expect("URL");
    ZaloSettings {
        app_id: APP_ID.to_owned(),
        secrets: ZaloSecrets {
            app_secret: Secret::from(APP_SECRET.to_owned()),
            oa_secret_key: Secret::from("fake-oa-secret-key".to_owned()),
            refresh_token: seed.map(|s| Secret::from(s.to_owned())),
        },
        openapi_url: url("http://127.0.0.1:9/"),
        oauth_url: oauth.clone(),
        oa_url: None,
        form_image_url: None,
        event_max_age: Duration::from_secs(3600),
        free_window: Duration::from_secs(48 * 3600),
        window: Duration::from_secs(168 * 3600),
        admin_chats: ADMINS.iter().map(|c| c.to_string()).collect(),
        verification: None,
    }
}

/// One replica: its own pool on the shared database, its own engine, tokens and metrics.
struct Replica {
    engine: Engine,
    tokens: Tokens,
    metrics: Metrics,
}

async fn replica(
    db: &str,
    name: &str,
    clock: &Arc<ManualClock>,
    oauth: &url::Url,
    seed: Option<&str>,
) -> Replica {
    let store = Store::connect(db).await.expect("database opens");
    let engine = Engine::new(
        store,
        Arc::new(Texts::load().expect("texts")),
        Arc::new(CompositionRules::default_rules().expect("rules")),
        clock.clone(),
    );
    let metrics = Metrics::new();
    let policy = TokenPolicy {
        poll: Duration::from_millis(20),
        request_timeout: Duration::from_secs(3),
        ..TokenPolicy::default()
    };
    let tokens = Tokens::new(
        engine.clone(),
        &settings(oauth, seed),
        name,
        metrics.clone(),
    )
    .expect("tokens")
    .with_policy(policy)
    .expect("policy");
    Replica {
        engine,
        tokens,
        metrics,
    }
}

fn metric(metrics: &Metrics, line: &str) -> bool {
    metrics
        .render()
        .expect("metrics")
        .lines()
        .any(|l| l == line)
}

async fn info(engine: &Engine) -> String {
    let mut out = Vec::new();
    cnscd::cli::zalo::info(engine.store(), engine.now(), &mut out)
        .await
        .expect("info");
    String::from_utf8(out).expect("UTF-8")
}
