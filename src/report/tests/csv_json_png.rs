//! The CSV, JSON and PNG files: written, then read back with their own parsers.

use pretty_assertions::assert_eq;

use super::super::scene::{now, scene};
use super::super::*;
use super::exports::{col, export};
use crate::i18n::K;

#[tokio::test]
async fn the_csv_listing_starts_with_a_bom_and_parses() {
    let scene = scene().await;
    let (_dir, path) = export(&scene, ReportFormat::Csv, "report.csv").await;
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(csv_file::BOM), "no byte-order mark");
    let mut reader = ::csv::Reader::from_reader(&bytes[csv_file::BOM.len()..]);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers[..4],
        [
            "Tỉnh, thành phố",
            "Quận, huyện",
            "Mã xã",
            "Xã, phường, thị trấn"
        ]
    );
    let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 12 + 1 + 22);
    let member = col(K::ReportColMember);
    let hoa = records.iter().find(|r| r[member] == *"Lê Thị Hoa").unwrap();
    let number = &hoa[col(K::ReportColMemberNo)];
    let phone = &hoa[col(K::ReportColPhone)];
    let consent = &hoa[col(K::ReportColConsent)];
    assert_eq!((number, phone, consent), ("2", "+84912345678", "Có"));
    let decision = (
        &hoa[col(K::ReportColDecisionNumber)],
        &hoa[col(K::ReportColDecisionDate)],
    );
    assert_eq!(decision, ("125/QĐ-UBND", "20/04/2022"));
    let draft = records.iter().find(|r| &r[6] == "Đang soạn").unwrap();
    assert_eq!((&draft[5], &draft[member]), ("Thôn Bắc", ""));
}

#[tokio::test]
async fn the_json_report_reads_back_equal() {
    let scene = scene().await;
    let (_dir, path) = export(&scene, ReportFormat::Json, "report.json").await;
    let read: Report = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let (_, built) = load_report(&scene.store, &scene.rules, Some("298"), now())
        .await
        .unwrap();
    assert_eq!(read, built);
}

#[tokio::test]
async fn the_png_chart_decodes_to_one_bar_per_commune_and_is_not_blank() {
    let scene = scene().await;
    let (_dir, path) = export(&scene, ReportFormat::Png, "report.png").await;
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (chart::WIDTH, chart::height(23)));
    let rgb: Vec<&[u8]> = pixels.chunks(3).collect();
    let dark = rgb.iter().filter(|p| p.iter().all(|c| *c < 80)).count();
    assert!(dark > 2_000, "hardly any text drawn: {dark} dark pixels");
    let amber = rgb.iter().filter(|p| **p == [249, 168, 37]).count();
    assert!(
        amber > 1_000,
        "the bars of Đại Sơn (75%) and Hưng Đạo (50%) are missing"
    );
}

#[tokio::test]
async fn the_listing_has_a_row_for_every_village_and_commune_even_without_a_team() {
    let scene = scene().await;
    let (_dir, path) = export(&scene, ReportFormat::Csv, "report.csv").await;
    let bytes = std::fs::read(&path).unwrap();
    let mut reader = ::csv::Reader::from_reader(&bytes[csv_file::BOM.len()..]);
    let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |code: &str| {
        let found = records.iter().find(|r| &r[4] == code);
        found.unwrap_or_else(|| panic!("no row for {code}")).clone()
    };
    let thuong = row(scene.village("Thôn Thượng"));
    assert_eq!(
        (&thuong[5], &thuong[6], &thuong[8]),
        ("Thôn Thượng", "Chưa có tổ", "")
    );
    let hung_dao = row(super::super::scene::HUNG_DAO);
    assert_eq!((&hung_dao[5], &hung_dao[6]), ("Xã Hưng Đạo", "Chưa có tổ"));
    let nam = row(scene.village("Thôn Nam"));
    assert_eq!(
        (&nam[6], &nam[7]),
        (
            "Chưa đủ thành phần",
            "Tổ cần ít nhất 2 thành viên, hiện có 1."
        )
    );
}

/// Issue 21, item 11: `cnscd erase --phone` of a leader (every leader of the scene shares
/// one number) and of a team's first member.
#[tokio::test]
async fn a_team_whose_leader_was_erased_is_incomplete_and_its_members_are_numbered_from_one() {
    use crate::domain::PhoneNumber;
    use crate::storage::erasure::{erase_phone, Reach};
    let scene = scene().await;
    let (_, before) = load_report(&scene.store, &scene.rules, Some("298"), now())
        .await
        .unwrap();
    assert!(before.totals.complete > 0, "Thôn Đông is complete");
    let mut tx = scene.store.begin().await.unwrap();
    for phone in ["0987 000 001", "0912 000 001"] {
        let phone = PhoneNumber::parse(phone).unwrap();
        erase_phone(&mut tx, &phone, Reach::Everywhere, None)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let (_, after) = load_report(&scene.store, &scene.rules, Some("298"), now())
        .await
        .unwrap();
    assert_eq!(
        after.totals.complete, 0,
        "no team is complete without its leader"
    );
    assert_eq!(after.totals.registered, before.totals.registered);
    let (_dir, path) = export(&scene, ReportFormat::Csv, "report.csv").await;
    let bytes = std::fs::read(&path).unwrap();
    let mut reader = ::csv::Reader::from_reader(&bytes[csv_file::BOM.len()..]);
    let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let hoa = records
        .iter()
        .find(|r| r[col(K::ReportColMember)] == *"Lê Thị Hoa")
        .unwrap();
    assert_eq!(
        (&hoa[6], &hoa[7]),
        ("Chưa đủ thành phần", "Tổ chưa có tổ trưởng.")
    );
    assert_eq!(
        (&hoa[8], &hoa[9]),
        ("", ""),
        "the leader's name and number are gone"
    );
    assert_eq!(
        &hoa[col(K::ReportColMemberNo)],
        "1",
        "Thôn Đông's first member now is Lê Thị Hoa"
    );
}
