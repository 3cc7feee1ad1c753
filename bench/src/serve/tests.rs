use std::sync::Arc;

use super::{run, LoadOptions, Parts};
use cnscd::clock::SystemClock;
use cnscd::domain::CompositionRules;
use cnscd::i18n::Texts;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_bench_drives_every_scenario_to_the_end_on_a_small_load() {
    let postgres = std::env::var(cnscd::storage::scratch::POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty());
    let options = LoadOptions {
        chats: 3,
        messages: 6,
        postgres: postgres.clone(),
        only: Vec::new(),
        members: 40,
        bulk_rates: cnscd::pipeline::BulkRates::default(),
    };
    let parts = Parts {
        texts: Arc::new(Texts::load().unwrap()),
        rules: Arc::new(CompositionRules::default_rules().unwrap()),
        clock: Arc::new(SystemClock),
    };
    let report = run(&options, parts).await.unwrap();
    // The echo floor and SQLite; on PostgreSQL three more; the announcement, two per engine.
    let expected = if postgres.is_some() { 5 + 4 } else { 2 + 2 };
    assert_eq!(report.scenarios.len(), expected, "{report}");
    for scenario in &report.scenarios {
        assert_eq!(scenario.updates, 18, "{report}");
    }
    let engines = if postgres.is_some() { 2 } else { 1 };
    assert_eq!(report.announcements.len(), engines, "{report}");
    assert!(report.to_string().contains("updates/s"));
    assert!(
        report.to_string().contains("announcement to 40 members"),
        "{report}"
    );
}
