//! `TestApp`: how every black-box test starts. A scratch database (SQLite unless the test
//! gives one), the Tứ Kỳ communes and a village list, a manual clock at [`today`], an engine
//! with the built-in texts and rules, and an invitation for the head of [`VILLAGE`].
//!
//! ```ignore
//! let app = TestApp::builder().on(db).villages(CSV).build().await;
//! ```
//!
//! The Telegram and Zalo harnesses wrap it and add their fake servers.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use cnscd::clock::{Clock, ManualClock};
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::storage::scratch::{report_skipped, ScratchDb};
use cnscd::storage::{Backend, Store};

/// The village whose head is invited unless the test says otherwise.
pub const VILLAGE: &str = "11083-01";
/// The default village list: [`VILLAGE`] alone, in Xã Đại Sơn.
pub const ONE_VILLAGE: &str = "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n";

/// 20 April 2022, 09:00 in Vietnam: five days before the deadline of the district letter.
pub fn today() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2022-04-20T09:00:00+07:00")
        .expect("valid date")
        .with_timezone(&Utc)
}

/// An engine with the built-in texts and rules on `store`, on the test's clock.
pub fn engine(store: Store, clock: &Arc<ManualClock>) -> Engine {
    let rules = CompositionRules::default_rules().expect("built-in rules");
    engine_with_rules(store, clock, Arc::new(rules))
}

fn engine_with_rules(
    store: Store,
    clock: &Arc<ManualClock>,
    rules: Arc<CompositionRules>,
) -> Engine {
    let texts = Texts::load().expect("dialogues load");
    let clock: Arc<dyn Clock> = clock.clone();
    Engine::new(store, Arc::new(texts), rules, clock)
}

/// The code of a fresh 14-day invitation for `role` of `unit`, made `now`.
pub async fn invitation(
    store: &Store,
    role: AccountRole,
    unit: &str,
    now: DateTime<Utc>,
) -> String {
    cnscd::invitation::create_invitation(store, role, unit, chrono::Duration::days(14), "test", now)
        .await
        .expect("invitation")
        .code
}

/// A scratch database on `backend`; `None` (and `test` reported skipped) for PostgreSQL when
/// no server is configured.
pub async fn scratch(backend: Backend, test: &str) -> Option<ScratchDb> {
    match backend {
        Backend::Sqlite => Some(ScratchDb::sqlite().expect("scratch SQLite")),
        Backend::Postgres => {
            let db = ScratchDb::postgres_from_env()
                .await
                .expect("scratch database");
            if db.is_none() {
                report_skipped(test);
            }
            db
        }
    }
}

pub struct TestApp {
    /// The test's own connection, for arranging and asserting.
    pub store: Store,
    pub clock: Arc<ManualClock>,
    /// The rules new engines get ([`TestApp::restart`]); the built-in ones unless changed.
    pub rules: Arc<CompositionRules>,
    /// An engine on the same connection as `store`.
    pub engine: Engine,
    /// The code of an invitation for the head of [`VILLAGE`]; empty after `no_invitation`.
    pub invitation: String,
    db: Option<ScratchDb>,
}

pub struct Builder {
    db: Option<ScratchDb>,
    villages: String,
    invite_head: bool,
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder {
            db: None,
            villages: ONE_VILLAGE.to_owned(),
            invite_head: true,
        }
    }

    pub fn db_url(&self) -> &str {
        self.db.as_ref().expect("the database exists").url()
    }

    /// An engine on a new connection to the database, as a new process would have.
    pub async fn fresh_engine(&self) -> Engine {
        let store = Store::connect(self.db_url()).await.expect("database opens");
        engine_with_rules(store, &self.clock, self.rules.clone())
    }

    /// Closes the engine's connection and opens a new one with a new engine (and the current
    /// `rules`), as a restarted process would.
    pub async fn restart(&mut self) {
        self.engine.store().close().await;
        self.engine = self.fresh_engine().await;
        self.store = self.engine.store().clone();
    }

    /// Closes the test's connections and drops a PostgreSQL scratch database.
    pub async fn destroy(mut self) {
        self.store.close().await;
        self.engine.store().close().await;
        if let Some(db) = self.db.take() {
            db.destroy().await;
        }
    }
}

impl Builder {
    /// Runs on `db` instead of a new SQLite file.
    pub fn on(mut self, db: ScratchDb) -> Builder {
        self.db = Some(db);
        self
    }

    /// The village list (a CSV as `cnscd villages import` reads it) instead of [`ONE_VILLAGE`].
    pub fn villages(mut self, csv: &str) -> Builder {
        self.villages = csv.to_owned();
        self
    }

    /// No invitation is made: the test makes its own.
    pub fn no_invitation(mut self) -> Builder {
        self.invite_head = false;
        self
    }

    pub async fn build(self) -> TestApp {
        let db = match self.db {
            Some(db) => db,
            None => ScratchDb::sqlite().expect("scratch SQLite"),
        };
        let store = Store::connect(db.url()).await.expect("database opens");
        cnscd::import::load_default_units_if_empty(&store, today())
            .await
            .expect("communes import");
        cnscd::import::import_villages(&store, self.villages.as_bytes(), today())
            .await
            .expect("villages import");
        let invitation = match self.invite_head {
            true => invitation(&store, AccountRole::VillageHead, VILLAGE, today()).await,
            false => String::new(),
        };
        let clock = Arc::new(ManualClock::new(today()));
        let rules = Arc::new(CompositionRules::default_rules().expect("built-in rules"));
        let engine = engine_with_rules(store.clone(), &clock, rules.clone());
        TestApp {
            store,
            clock,
            rules,
            engine,
            invitation,
            db: Some(db),
        }
    }
}
