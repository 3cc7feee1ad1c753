//! What every black-box harness starts from: the day of the district letter, an engine on
//! the test's database, and invitations.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use cnscd::clock::{Clock, ManualClock};
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::storage::Store;

/// 20 April 2022, 09:00 in Vietnam: five days before the deadline of the district letter.
pub fn today() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2022-04-20T09:00:00+07:00")
        .expect("valid date")
        .with_timezone(&Utc)
}

/// An engine with the built-in texts and rules on `store`, on the test's clock.
pub fn engine(store: Store, clock: &Arc<ManualClock>) -> Engine {
    let texts = Texts::load().expect("dialogues load");
    let rules = CompositionRules::default_rules().expect("built-in rules");
    let clock: Arc<dyn Clock> = clock.clone();
    Engine::new(store, Arc::new(texts), Arc::new(rules), clock)
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
