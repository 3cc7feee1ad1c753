use std::path::Path;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use pretty_assertions::assert_eq;
use tempfile::TempDir;

use super::*;
use crate::storage::UnitLevel;

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
    let (_dir, store) = store_with_tu_ky().await;
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
    let (_dir, store) = store_with_tu_ky().await;
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
async fn villages_keep_their_generated_codes_across_reimports() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = "commune_code,name\n11083,Thôn An Nhân\n11083,Khu dân cư số 1\n\
                11086,Tổ dân phố 2\n11083,Thôn Bình\n";
    let first = villages(&store, file).await;
    let expected = ["11083-01", "11083-02", "11086-01", "11083-03"];
    assert_eq!(codes(&first), expected);
    assert!(first.villages.iter().all(|v| v.generated_code));
    assert_eq!((first.inserted, first.updated, first.unchanged), (4, 0, 0));
    let kinds: Vec<String> = store
        .children(Some(DAI_SON))
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.kind)
        .collect();
    assert_eq!(kinds, ["thôn", "khu dân cư", "thôn"]);
    assert_eq!(
        store.unit("11086-01").await.unwrap().unwrap().kind,
        "tổ dân phố"
    );

    let again = villages(&store, file).await;
    assert_eq!(codes(&again), expected);
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 4));

    let grown = villages(&store, &format!("{file}11083,Thôn Mới\n")).await;
    assert_eq!(codes(&grown)[4], "11083-04");
    assert_eq!((grown.inserted, grown.updated, grown.unchanged), (1, 0, 4));
}

#[tokio::test]
async fn nfd_village_names_are_stored_as_nfc_and_matched_on_reimport() {
    let (_dir, store) = store_with_tu_ky().await;
    let nfd = "commune_code,name\n11083,Tho\u{302}n  Hoa\u{300} Bi\u{300}nh\n";
    let first = villages(&store, nfd).await;
    let stored = store.unit("11083-01").await.unwrap().unwrap();
    assert_eq!(stored.name, "Thôn Hoà Bình");
    assert_eq!(first.villages[0].name, "Thôn Hoà Bình");

    let again = villages(&store, "commune_code,name\n11083,Thôn Hoà Bình\n").await;
    assert_eq!(codes(&again), ["11083-01"]);
    assert_eq!((again.inserted, again.unchanged), (0, 1));
    let respelled = villages(&store, "commune_code,name\n11083,thôn hòa bình\n").await;
    assert_eq!(codes(&respelled), ["11083-01"]);
    assert_eq!((respelled.updated, respelled.unchanged), (0, 1));
    assert_eq!(respelled.names_kept[0].file, "thôn hòa bình");
    let stored = store.unit("11083-01").await.unwrap().unwrap();
    assert_eq!(
        stored.name, "Thôn Hoà Bình",
        "a lowercase file does not rename"
    );
}

#[tokio::test]
async fn a_village_under_an_unknown_commune_or_a_district_is_refused_with_its_line() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = "commune_code,name\n11083,Thôn Đông\n99999,Thôn Tây\n298,Thôn Nam\n";
    let error = import_villages(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("line 3: commune 99999 does not exist"),
        "{message}"
    );
    assert!(message.contains("line 4: 298 is the district"), "{message}");
    assert_eq!(bad_lines(error), vec![3, 4]);
    assert_eq!(store.unit_count().await.unwrap(), 25);
}

#[tokio::test]
async fn written_codes_must_be_unique_and_stay_in_their_commune() {
    let (_dir, store) = store_with_tu_ky().await;
    villages(
        &store,
        "commune_code,name,code\n11083,Thôn Đông,11083-DS1\n",
    )
    .await;
    let file = "code,commune_code,name\n11083-DS1,11086,Thôn Đông\n11083-X1,11083,Thôn A\n\
                11083-X1,11083,Thôn B\n,11083,Thôn A\n";
    let error = import_villages(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    assert_eq!(bad_lines(error), vec![2, 4, 5]);
}

#[tokio::test]
async fn village_heads_are_checked_and_reported_but_not_stored() {
    let (_dir, store) = store_with_tu_ky().await;
    let bad = "commune_code,name,head_name,head_phone\n11083,Thôn Đông,Lê Văn Tám,0220 3852 123\n\
               11083,Thôn Tây,12345,\n";
    let error = import_villages(&store, bad.as_bytes(), now())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("line 2: head_phone: a landline"),
        "{message}"
    );
    assert!(
        message.contains("line 3: head_name: a name is made of letters"),
        "{message}"
    );

    let good = "commune_code,name,head_name,head_phone\n11083,Thôn Đông,Lê Văn Tám,0912 345 678\n";
    let village = villages(&store, good).await.villages.remove(0);
    assert_eq!(village.head_name.as_deref(), Some("Lê Văn Tám"));
    assert_eq!(village.head_phone.as_deref(), Some("+84912345678"));
}

#[tokio::test]
async fn an_unknown_column_or_a_row_of_broken_text_is_refused_with_its_line() {
    let (_dir, store) = store_with_tu_ky().await;
    let misspelt = "commune_code,name,head_phon\n11083,Thôn Đông,0912345678\n";
    let error = import_villages(&store, misspelt.as_bytes(), now())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("line 1: unknown column \"head_phon\""),
        "{error}"
    );
    let mut broken = b"commune_code,name\n11083,Th\xF4n\n".to_vec();
    broken.extend_from_slice("11083,Thôn Tây\n11083,Thôn Tây\n".as_bytes());
    let error = import_villages(&store, &broken[..], now())
        .await
        .unwrap_err();
    assert_eq!(bad_lines(error), vec![2, 4]);
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
    let (_dir, store) = store_with_tu_ky().await;
    let file = format!("{HEADER_2025}11074,Xã Tứ Kỳ,xã,31,Thành phố Hải Phòng\n");
    let error = import_units(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    let ImportError::BadRows(rows) = error else {
        panic!("expected bad rows")
    };
    assert_eq!(rows[0].line, 2);
    assert!(
        rows[0].reason.contains("units reorganize"),
        "{}",
        rows[0].reason
    );
    let stored = store.unit("11074").await.unwrap().unwrap();
    assert_eq!(stored.parent_code.as_deref(), Some("298"));
}
