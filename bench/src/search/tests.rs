use super::*;

#[tokio::test]
async fn the_search_benchmark_runs_on_tu_ky_with_a_few_villages() {
    let opts = SearchBenchOptions {
        communes_csv: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/tu-ky-communes.csv"),
        villages_per_commune: 3,
        members_per_team: 2,
        queries: 300,
        db_path: None,
    };
    let report = run(opts).await.unwrap();
    assert_eq!(
        (report.communes, report.villages, report.units),
        (23, 69, 94)
    );
    assert_eq!((report.teams, report.members), (92, 184));
    assert_eq!(report.queries, 300);
    assert_eq!(
        report.top_named, 300,
        "every query finds its name first: {report}"
    );
    assert!(report.found > 250, "most find the unit itself: {report}");
    let search = report.search;
    assert!(search.p50 <= search.p90 && search.p90 <= search.p99 && search.p99 <= search.max);
    assert!(report.search_and_fetch.p50 >= search.p50);
    let text = report.to_string();
    assert!(
        text.contains("23 communes, 69 villages (94 units), 92 teams of 2 members"),
        "{text}"
    );
}

#[tokio::test]
async fn the_search_benchmark_refuses_an_existing_database() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("taken.db");
    std::fs::write(&path, b"").unwrap();
    let opts = SearchBenchOptions {
        db_path: Some(path),
        ..SearchBenchOptions::default()
    };
    let error = run(opts).await.unwrap_err();
    assert!(error.to_string().contains("exists"), "{error}");
}
