//! The XLSX files, written then read back with an independent reader, and who may read
//! the files written; the export helper the other formats share.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use pretty_assertions::assert_eq;
use tempfile::TempDir;

use super::super::listing::{columns, header};
use super::super::scene::{now, scene, Scene};
use super::super::*;
use crate::i18n::K;

pub(super) async fn export(scene: &Scene, format: ReportFormat, name: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join(name);
    let job = ReportJob {
        scope: Some("298"),
        format,
        out: &out,
        lang: Lang::Vi,
        now: now(),
    };
    write_report(&scene.store, &scene.rules, &scene.texts, job)
        .await
        .unwrap();
    (dir, out)
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(text)) => text.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

fn number(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(n)) => *n,
        Some(Data::Int(n)) => *n as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.worksheet_range(name).unwrap()
}

/// The listing's column of `key`: those after the leader's phone move when an optional
/// field is declared.
pub(super) fn col(key: K) -> usize {
    columns()
        .iter()
        .position(|k| *k == key)
        .unwrap_or_else(|| panic!("no column {key:?}"))
}

/// The listing row of the member called `name`.
fn member_row(range: &Range<Data>, name: &str) -> u32 {
    let member = col(K::ReportColMember) as u32;
    (0..range.height() as u32)
        .find(|row| text(range, *row, member) == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

#[tokio::test]
async fn the_xlsx_summary_lists_every_commune_with_its_counts_and_coverage() {
    let scene = scene().await;
    let (_dir, path) = export(&scene, ReportFormat::Xlsx, "report.xlsx").await;
    let book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Tổng hợp", "Thôn còn thiếu", "Danh sách tổ", "Thành phần"]
    );
    let summary = sheet(&path, "Tổng hợp");
    assert_eq!(
        text(&summary, 0, 0),
        "Báo cáo Tổ Công nghệ số cộng đồng — Huyện Tứ Kỳ"
    );
    assert_eq!(text(&summary, 1, 0), "Số liệu đến 25/04/2022.");
    let headers: Vec<String> = (0..12).map(|col| text(&summary, 3, col)).collect();
    assert_eq!(
        headers[..4],
        [
            "Mã xã",
            "Xã, phường, thị trấn",
            "Trực thuộc",
            "Số thôn, khu dân cư"
        ]
    );
    assert_eq!(headers[10..], ["Tỉ lệ thôn có tổ", "Tổ cấp xã"]);
    // Thị trấn Tứ Kỳ (11074) comes first, then Đại Sơn.
    assert_eq!(text(&summary, 5, 0), "11083");
    assert_eq!(text(&summary, 5, 1), "Xã Đại Sơn");
    assert_eq!(text(&summary, 5, 2), "Huyện Tứ Kỳ");
    let counts: Vec<f64> = (3..10).map(|col| number(&summary, 5, col)).collect();
    assert_eq!(counts, [4.0, 3.0, 1.0, 1.0, 2.0, 1.0, 6.0]);
    assert!((number(&summary, 5, 10) - 0.75).abs() < 1e-9);
    assert_eq!(text(&summary, 5, 11), "Hoàn thành");
    // Thị trấn Tứ Kỳ has no village listed: no coverage, rather than 0 %.
    assert_eq!(text(&summary, 4, 1), "Thị trấn Tứ Kỳ");
    assert_eq!(text(&summary, 4, 10), "chưa có danh sách thôn");
    let total = 4 + 23;
    assert_eq!(
        text(&summary, total + 1, 1),
        "Xã chưa có danh sách thôn trong hệ thống: 21"
    );
    assert_eq!(text(&summary, total, 1), "Tổng cộng");
    assert_eq!(number(&summary, total, 3), 6.0);
    assert!((number(&summary, total, 10) - 0.667).abs() < 1e-9);
}

#[tokio::test]
async fn the_xlsx_listing_has_a_row_per_member_with_a_real_decision_date() {
    let scene = scene().await;
    let (_dir, path) = export(&scene, ReportFormat::Xlsx, "report.xlsx").await;
    let listing = sheet(&path, "Danh sách tổ");
    let expected: Vec<String> = header(&scene.texts, Lang::Vi)
        .iter()
        .map(Cell::to_text)
        .collect();
    let headers: Vec<String> = (0..expected.len() as u32)
        .map(|col| text(&listing, 0, col))
        .collect();
    assert_eq!(headers, expected);
    assert_eq!(
        listing.height(),
        1 + 12 + 1 + 22,
        "header, 11 members, one draft without members, a village and 22 communes without a team"
    );
    let row = member_row(&listing, "Lê Thị Hoa");
    let after_leader = [
        K::ReportColRole,
        K::ReportColRoleDetail,
        K::ReportColPhone,
        K::ReportColWorkplace,
        K::ReportColConsent,
        K::ReportColDecisionNumber,
    ];
    let cells: Vec<String> = [0, 1, 2, 3, 5, 6, 7, 8, 9]
        .into_iter()
        .chain(after_leader.map(col))
        .map(|col| text(&listing, row, col as u32))
        .collect();
    assert_eq!(
        cells,
        [
            "Tỉnh Hải Dương",
            "Huyện Tứ Kỳ",
            "11083",
            "Xã Đại Sơn",
            "Thôn Đông",
            "Hoàn thành",
            "",
            "Trần Văn Đông",
            "+84987000001",
            "Chi hội trưởng Phụ nữ",
            "",
            "+84912345678",
            "Trường Tiểu học Đại Sơn",
            "Có",
            "125/QĐ-UBND",
        ]
    );
    assert_eq!(text(&listing, row, 4), scene.village("Thôn Đông"));
    assert_eq!(number(&listing, row, col(K::ReportColMemberNo) as u32), 2.0);
    match listing.get_value((row, col(K::ReportColDecisionDate) as u32)) {
        // 20/04/2022 is day 44,671 of Excel's calendar.
        Some(Data::DateTime(date)) => {
            assert!(date.is_datetime());
            assert_eq!(date.as_f64(), 44_671.0);
        }
        other => panic!("the decision date is not a date: {other:?}"),
    }
    let incomplete = member_row(&listing, "Mai Thị Em");
    assert_eq!(text(&listing, incomplete, 6), "Chưa đủ thành phần");
    assert_eq!(
        text(&listing, incomplete, 7),
        "Tổ cần ít nhất 2 thành viên, hiện có 1."
    );
    let roles = sheet(&path, "Thành phần");
    assert_eq!(text(&roles, 0, 0), "Vai trò");
    assert_eq!(text(&roles, 1, 0), "Bí thư Chi đoàn");
    assert_eq!(number(&roles, 1, 1), 1.0);
}

#[tokio::test]
async fn the_villages_still_missing_are_a_sheet_and_a_csv_sorted_by_commune() {
    let scene = scene().await;
    let expected = [
        (
            "Xã Đại Sơn",
            "Thôn Tây",
            "Đã đăng ký, chưa đủ hồ sơ quyết định",
        ),
        ("Xã Đại Sơn", "Thôn Nam", "Chưa đủ thành phần"),
        ("Xã Đại Sơn", "Thôn Bắc", "Đang soạn"),
        (
            "Xã Hưng Đạo",
            "Thôn Hạ",
            "Đã đăng ký, chưa đủ hồ sơ quyết định",
        ),
        ("Xã Hưng Đạo", "Thôn Thượng", "Chưa có tổ"),
    ];
    let (_dir, path) = export(&scene, ReportFormat::Xlsx, "report.xlsx").await;
    let missing = sheet(&path, "Thôn còn thiếu");
    assert_eq!(text(&missing, 0, 5), "Đơn vị");
    let rows: Vec<(String, String, String)> = (1..missing.height() as u32)
        .map(|row| {
            (
                text(&missing, row, 3),
                text(&missing, row, 5),
                text(&missing, row, 6),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(c, v, s)| (c.to_string(), v.to_string(), s.to_string()))
        .collect();
    let mut sorted = expected.clone();
    sorted.sort_by_key(|(commune, _, _)| commune != "Xã Đại Sơn");
    assert_eq!(rows.len(), 5, "{rows:?}");
    for (row, village) in rows.iter().zip(&sorted) {
        assert_eq!(row.0, village.0, "by commune: {rows:?}");
    }
    for village in &expected {
        assert!(rows.contains(village), "{village:?} missing from {rows:?}");
    }
    let (_dir, path) = export(&scene, ReportFormat::MissingCsv, "missing.csv").await;
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(csv_file::BOM), "no byte-order mark");
    let mut reader = ::csv::Reader::from_reader(&bytes[csv_file::BOM.len()..]);
    let csv: Vec<(String, String, String)> = reader
        .records()
        .map(Result::unwrap)
        .map(|r| (r[3].to_owned(), r[5].to_owned(), r[6].to_owned()))
        .collect();
    assert_eq!(csv, rows, "the CSV lists what the sheet lists");
}

#[tokio::test]
async fn report_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let scene = scene().await;
    for (format, name) in [
        (ReportFormat::Xlsx, "report.xlsx"),
        (ReportFormat::Csv, "report.csv"),
    ] {
        let (_dir, path) = export(&scene, format, name).await;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
}

#[tokio::test]
async fn report_files_as_of_a_day_are_readable_by_their_owner_only_even_when_they_existed() {
    use std::os::unix::fs::PermissionsExt;
    let scene = scene().await;
    let day = now().date_naive();
    for (format, name) in [
        (ReportFormat::Text, "report.txt"),
        (ReportFormat::Json, "report.json"),
        (ReportFormat::Png, "report.png"),
    ] {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join(name);
        let job = ReportJob {
            scope: Some("298"),
            format,
            out: &out,
            lang: Lang::Vi,
            now: now(),
        };
        std::fs::write(&out, b"old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();

        write_report_as_of(&scene.store, &scene.rules, &scene.texts, job, day)
            .await
            .unwrap();

        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
        assert_ne!(std::fs::read(&out).unwrap(), b"old", "{name} written");
    }
}

#[tokio::test]
async fn a_report_as_of_a_day_in_a_format_it_cannot_take_leaves_no_file() {
    let scene = scene().await;
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("report.xlsx");
    let job = ReportJob {
        scope: Some("298"),
        format: ReportFormat::Xlsx,
        out: &out,
        lang: Lang::Vi,
        now: now(),
    };

    let written = write_report_as_of(
        &scene.store,
        &scene.rules,
        &scene.texts,
        job,
        now().date_naive(),
    )
    .await;

    assert!(
        matches!(written, Err(ReportError::AsOfFormat)),
        "{written:?}"
    );
    assert!(!out.exists(), "no empty file left behind");
}
