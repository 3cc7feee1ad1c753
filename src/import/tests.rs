use std::path::Path;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use pretty_assertions::assert_eq;
use tempfile::TempDir;

use super::*;
use crate::storage::UnitLevel;

mod village_lists;

const HEADER: &str = "code,name,kind,district_code,district_name,province_code,province_name\n";
const DAI_SON: &str = "11083";

async fn fresh_store() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("cnscd.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    (dir, store)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 4, 15, 8, 0, 0).unwrap()
}

async fn store_with_tu_ky() -> (TempDir, Store) {
    let (dir, store) = fresh_store().await;
    load_default_units_if_empty(&store, now()).await.unwrap();
    (dir, store)
}

/// Tứ Kỳ as a deployment's own units: a village of its own hangs on them, so a units file
/// updates them rather than replacing an untouched example.
async fn deployment_in_tu_ky() -> (TempDir, Store) {
    let (dir, store) = store_with_tu_ky().await;
    villages(&store, "commune_code,name\n11083,Thôn Đông Sơn\n").await;
    (dir, store)
}

async fn level_count(store: &Store, level: UnitLevel) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE level = $1")
        .bind(level.as_str())
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn bad_lines(error: ImportError) -> Vec<u64> {
    match error {
        ImportError::BadRows(rows) => rows.iter().map(|row| row.line).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    }
}

async fn villages(store: &Store, file: &str) -> ImportReport {
    import_villages(store, file.as_bytes(), now())
        .await
        .unwrap()
}

fn codes(report: &ImportReport) -> Vec<&str> {
    report.villages.iter().map(|v| v.code.as_str()).collect()
}

#[tokio::test]
async fn loading_tu_ky_into_an_empty_database_gives_23_communes_one_district_and_one_province() {
    let (_dir, store) = fresh_store().await;
    let report = load_default_units_if_empty(&store, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (25, 0, 0)
    );
    assert_eq!(level_count(&store, UnitLevel::Province).await, 1);
    assert_eq!(level_count(&store, UnitLevel::District).await, 1);
    assert_eq!(level_count(&store, UnitLevel::Commune).await, 23);
    let district = store.unit("298").await.unwrap().unwrap();
    assert_eq!(district.kind, "huyện");
    assert_eq!(district.parent_code.as_deref(), Some("30"));
    assert_eq!(store.unit("30").await.unwrap().unwrap().kind, "tỉnh");
    assert_eq!(store.children(Some("298")).await.unwrap().len(), 23);
    assert!(load_default_units_if_empty(&store, now())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn reimporting_the_same_units_reports_everything_unchanged() {
    let (_dir, store) = deployment_in_tu_ky().await;
    let report = import_units(&store, DEFAULT_UNITS.as_bytes(), now())
        .await
        .unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 0, 25)
    );
}

#[tokio::test]
async fn a_renamed_commune_is_reported_as_updated() {
    let (_dir, store) = deployment_in_tu_ky().await;
    let file = format!("{HEADER}11083,Xã Đại Sơn Mới,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n");
    let report = import_units(&store, file.as_bytes(), now()).await.unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 2)
    );
    assert_eq!(
        store.unit(DAI_SON).await.unwrap().unwrap().name,
        "Xã Đại Sơn Mới"
    );
}

#[tokio::test]
async fn a_file_with_two_bad_rows_reports_both_lines_and_writes_nothing() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = format!(
        "{HEADER}11083,Xã Đại Sơn Mới,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n\
         11086,Xã Hưng Đạo,làng,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n\
         99001,Xã Mới,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n\
         99002,Xã Khác,xã,298,Huyện Tứ Kì,30\n"
    );
    let error = import_units(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("line 3: kind \"làng\""), "{message}");
    assert!(
        message.contains("line 5: expected 7 columns, found 6"),
        "{message}"
    );
    assert_eq!(bad_lines(error), vec![3, 5]);
    assert_eq!(store.unit_count().await.unwrap(), 25);
    assert_eq!(
        store.unit(DAI_SON).await.unwrap().unwrap().name,
        "Xã Đại Sơn"
    );
}

#[tokio::test]
async fn a_district_named_differently_on_two_rows_is_refused() {
    let (_dir, store) = fresh_store().await;
    let file = format!(
        "{HEADER}11083,Xã Đại Sơn,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n\
         11086,Xã Hưng Đạo,xã,298,Huyện Tứ Kì,30,Tỉnh Hải Dương\n\
         11089,Xã Ngọc Kỳ,xã,298,Huyện Tứ Kỳ,30,Hải Dương\n"
    );
    let error = import_units(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    assert_eq!(bad_lines(error), vec![3, 4]);
    assert_eq!(store.unit_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_byte_order_mark_at_the_start_of_a_file_is_accepted() {
    let (_dir, store) = fresh_store().await;
    let units = format!("\u{feff}{DEFAULT_UNITS}");
    let report = import_units(&store, units.as_bytes(), now()).await.unwrap();
    assert_eq!(report.inserted, 25);
    let report = villages(&store, "\u{feff}commune_code,name\n11083,Thôn Đông\n").await;
    assert_eq!(codes(&report), ["11083-01"]);
}

#[tokio::test]
async fn the_whole_country_imports_in_one_go() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/vn-communes.csv");
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!("skipped: {} is not there", path.display());
        return;
    };
    let (_dir, store) = fresh_store().await;
    let started = Instant::now();
    let report = import_units(&store, std::io::BufReader::new(file), now())
        .await
        .unwrap();
    eprintln!("whole country imported in {:?}", started.elapsed());
    assert_eq!(level_count(&store, UnitLevel::Commune).await, 10_599);
    assert_eq!(report.inserted as i64, store.unit_count().await.unwrap());
}

const HEADER_2025: &str = "code,name,kind,province_code,province_name\n";

#[tokio::test]
async fn the_whole_country_in_the_2025_structure_gives_34_provinces_and_3321_communes() {
    let (_dir, store) = fresh_store().await;
    let file =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/vn-communes-2025.csv"))
            .unwrap();
    let report = import_units(&store, file.as_slice(), now()).await.unwrap();
    assert_eq!((report.inserted, report.updated), (34 + 3321, 0));
    assert_eq!(level_count(&store, UnitLevel::Province).await, 34);
    assert_eq!(level_count(&store, UnitLevel::District).await, 0);
    assert_eq!(level_count(&store, UnitLevel::Commune).await, 3321);
    let tu_ky = store.unit("11074").await.unwrap().unwrap();
    assert_eq!(
        (tu_ky.name.as_str(), tu_ky.parent_code.as_deref()),
        ("Xã Tứ Kỳ", Some("31"))
    );
    assert_eq!(store.unit("31").await.unwrap().unwrap().kind, "thành phố");
    let zones: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE kind = 'đặc khu'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(zones, 13);
    let again = import_units(&store, file.as_slice(), now()).await.unwrap();
    assert_eq!(
        (again.inserted, again.updated),
        (0, 0),
        "a second run changes nothing"
    );
}

#[tokio::test]
async fn a_two_level_file_is_checked_row_by_row_like_the_old_one() {
    let (_dir, store) = fresh_store().await;
    let file = format!(
        "{HEADER_2025}11074,Xã Tứ Kỳ,xã,31,Thành phố Hải Phòng\n\
         11075,Xã Lạ,huyện,31,Thành phố Hải Phòng\n\
         11076,,xã,3x,Hải Phòng\n"
    );
    let error = import_units(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    assert_eq!(bad_lines(error), vec![3, 4]);
    assert_eq!(store.unit_count().await.unwrap(), 0, "nothing was imported");
}

#[tokio::test]
async fn a_two_level_file_does_not_silently_move_communes_that_sit_under_a_district() {
    let (_dir, store) = deployment_in_tu_ky().await;
    let file = format!("{HEADER_2025}11074,Xã Tứ Kỳ,xã,31,Thành phố Hải Phòng\n");
    let error = import_units(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    let ImportError::BadRows(rows) = error else {
        panic!("expected bad rows")
    };
    assert_eq!(rows[0].line, 2);
    assert!(
        rows[0].reason().contains("units reorganize"),
        "{}",
        rows[0].reason()
    );
    let stored = store.unit("11074").await.unwrap().unwrap();
    assert_eq!(stored.parent_code.as_deref(), Some("298"));
}

async fn figures_of(store: &Store, code: &str) -> (Option<i64>, Option<i64>) {
    sqlx::query_as("SELECT population, households FROM units WHERE code = $1")
        .bind(code)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_units_file_may_carry_residents_and_households_and_an_empty_cell_keeps_the_figure() {
    let (_dir, store) = deployment_in_tu_ky().await;
    let file = "code,name,kind,district_code,district_name,province_code,province_name,population,households\n\
                11083,Xã Đại Sơn,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương,9.500,2600\n";
    import_units(&store, file.as_bytes(), now()).await.unwrap();
    assert_eq!(figures_of(&store, DAI_SON).await, (Some(9500), Some(2600)));
    let file = "code,name,kind,district_code,district_name,province_code,province_name,population,households\n\
                11083,Xã Đại Sơn,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương,9700,\n";
    import_units(&store, file.as_bytes(), now()).await.unwrap();
    assert_eq!(figures_of(&store, DAI_SON).await, (Some(9700), Some(2600)));
    // Without the columns, the figures stay.
    let file = format!("{HEADER}11083,Xã Đại Sơn,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n");
    import_units(&store, file.as_bytes(), now()).await.unwrap();
    assert_eq!(figures_of(&store, DAI_SON).await, (Some(9700), Some(2600)));
}

#[tokio::test]
async fn a_figure_that_is_not_a_whole_number_refuses_the_file_with_its_line() {
    let (_dir, store) = deployment_in_tu_ky().await;
    let file =
        "commune_code,name,population\n11083,Thôn Tây Sơn,800\n11083,Thôn Nam Sơn,tám trăm\n";
    let error = import_villages(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    let ImportError::BadRows(rows) = &error else {
        panic!("{error}");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 3);
    assert!(rows[0].reason().contains("population"), "{error}");
    assert_eq!(
        level_count(&store, UnitLevel::Village).await,
        1,
        "nothing imported"
    );
}
