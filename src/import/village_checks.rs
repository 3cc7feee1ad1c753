//! A commune official's village file cannot take another commune's codes nor store names the
//! chat would refuse (issue 14, items 2 and 12).

use chrono::{TimeZone, Utc};
use tempfile::TempDir;

use super::*;
use crate::storage::directory::add_village;
use crate::storage::units::upsert_unit;
use crate::storage::{NewUnit, UnitLevel};

async fn store_with_tu_ky() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let store = Store::connect(&url).await.unwrap();
    load_default_units_if_empty(&store, now()).await.unwrap();
    (dir, store)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 4, 15, 8, 0, 0).unwrap()
}

fn refused(result: Result<ImportReport, ImportError>) -> Vec<(u64, String)> {
    match result {
        Err(ImportError::BadRows(rows)) => rows.into_iter().map(|r| (r.line, r.reason())).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    }
}

#[tokio::test]
async fn a_commune_officials_file_cannot_give_its_village_another_communes_code() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = "commune_code,name,code\n11083,Thôn Đông,11086-01\n11083,Thôn Tây,11083-07\n";

    let result = import_villages_of_commune(&store, "11083", file.as_bytes(), now()).await;

    let rows = refused(result);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, 2);
    assert!(rows[0].1.contains("must start with"), "{rows:?}");
    assert_eq!(store.unit("11086-01").await.unwrap(), None);
}

#[tokio::test]
async fn adding_a_village_skips_a_code_of_its_prefix_stored_under_another_commune() {
    let (_dir, store) = store_with_tu_ky().await;
    let mut tx = store.begin().await.unwrap();
    // A code stored before codes were checked: 11086's prefix under 11083.
    let squatter = NewUnit {
        code: "11086-01".into(),
        name: "Thôn Đông".into(),
        kind: "thôn".into(),
        level: UnitLevel::Village,
        parent_code: Some("11083".into()),
    };
    upsert_unit(&mut tx, &squatter, now()).await.unwrap();

    let code = add_village(&mut tx, "11086", "Thôn Mới", now()).await;

    assert_eq!(code.unwrap(), "11086-02");
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn village_names_from_a_file_have_the_limits_of_the_chat() {
    let (_dir, store) = store_with_tu_ky().await;
    let long = "Thôn ".repeat(1000);
    let file = format!("commune_code,name\n11083,{long}\n11083,12345\n11083,Thôn Hợp Lệ\n");

    let rows = refused(import_villages(&store, file.as_bytes(), now()).await);

    let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 3], "{rows:?}");
    assert!(rows[0].1.len() < 200, "the long name is not echoed back");
    assert_eq!(store.children(Some("11083")).await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_village_file_with_control_characters_in_a_name_is_refused() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = "commune_code,name\n11083,Thôn\x07Chuông\x1b[31m Đỏ\n11083,Thôn Hợp Lệ\n";

    let rows = refused(import_villages(&store, file.as_bytes(), now()).await);

    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, 2);
    assert!(rows[0].1.contains("control characters"), "{rows:?}");
    assert_eq!(store.children(Some("11083")).await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_units_file_gets_the_name_checks_of_the_chat() {
    let (_dir, store) = store_with_tu_ky().await;
    let header = "code,name,kind,district_code,district_name,province_code,province_name\n";
    let file = format!(
        "{header}11083,Xã Đại\x1b[31mSơn,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n\
         11086,12345,xã,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương\n"
    );

    let rows = refused(import_units(&store, file.as_bytes(), now()).await);

    let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 3], "{rows:?}");
    assert!(rows[0].1.contains("control characters"), "{rows:?}");
    let dai_son = store.unit("11083").await.unwrap().unwrap();
    assert_eq!(dai_son.name, "Xã Đại Sơn");
}
