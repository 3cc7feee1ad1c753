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
    };
    let parts = Parts {
        texts: Arc::new(Texts::load().unwrap()),
        rules: Arc::new(CompositionRules::default_rules().unwrap()),
        clock: Arc::new(SystemClock),
    };
    let report = run(&options, parts).await.unwrap();
    let expected = if postgres.is_some() { 5 } else { 2 };
    assert_eq!(report.scenarios.len(), expected, "{report}");
    for scenario in &report.scenarios {
        assert_eq!(scenario.updates, 18, "{report}");
    }
    assert!(report.to_string().contains("updates/s"));
}
