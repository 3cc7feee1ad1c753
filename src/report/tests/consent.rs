//! Personal Data Protection Law 91/2025/QH15: the files say what residents see. A member's own word (shown / hidden
//! in chat) reaches the consent column of the CSV and of the XLSX, as it reaches the head's
//! card — all through `storage::consent`.

use calamine::{open_workbook, Data, Reader, Xlsx};
use pretty_assertions::assert_eq;
use tempfile::TempDir;

use super::super::scene::{now, scene, Scene};
use super::super::*;
use crate::conversation::state::ConsentSource;
use crate::domain::PhoneNumber;
use crate::storage::directory::set_phone_consent;

/// Bùi Văn Bình was registered "not agreed" and shows his number himself; Nguyễn Văn An
/// was registered "agreed" by the head and hides his.
async fn members_speak_for_themselves(scene: &Scene) {
    let mut tx = scene.store.begin().await.unwrap();
    let binh = PhoneNumber::parse("0912 000 003").unwrap();
    let an = PhoneNumber::parse("0912 000 001").unwrap();
    set_phone_consent(&mut tx, &binh, true, now())
        .await
        .unwrap();
    set_phone_consent(&mut tx, &an, false, now()).await.unwrap();
    tx.commit().await.unwrap();
}

async fn write(scene: &Scene, format: ReportFormat, name: &str) -> (TempDir, std::path::PathBuf) {
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

/// (member, consent) of every member row of a table whose first row is its header.
fn consents(rows: Vec<Vec<String>>) -> Vec<(String, String)> {
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (member, consent) = (col("Thành viên"), col("Đồng ý công khai SĐT"));
    rows[1..]
        .iter()
        .filter(|r| !r[member].is_empty())
        .map(|r| (r[member].clone(), r[consent].clone()))
        .collect()
}

fn of<'a>(found: &'a [(String, String)], name: &str) -> &'a str {
    let row = found.iter().find(|(n, _)| n == name);
    row.unwrap_or_else(|| panic!("no row for {name} in {found:?}"))
        .1
        .as_str()
}

#[tokio::test]
async fn a_members_own_word_reaches_the_csv_and_xlsx_consent_columns() {
    let scene = scene().await;
    members_speak_for_themselves(&scene).await;

    let (_dir, csv) = write(&scene, ReportFormat::Csv, "report.csv").await;
    let bytes = std::fs::read(&csv).unwrap();
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[csv_file::BOM.len()..]);
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let found = consents(rows);
    assert_eq!(of(&found, "Bùi Văn Bình"), "Có");
    assert_eq!(of(&found, "Nguyễn Văn An"), "Không");
    assert_eq!(of(&found, "Lê Thị Hoa"), "Có", "the head's word stands");

    let (_dir, xlsx) = write(&scene, ReportFormat::Xlsx, "report.xlsx").await;
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("Danh sách tổ").unwrap();
    let rows = sheet
        .rows()
        .map(|r| r.iter().map(Data::to_string).collect())
        .collect();
    let found = consents(rows);
    assert_eq!(of(&found, "Bùi Văn Bình"), "Có");
    assert_eq!(of(&found, "Nguyễn Văn An"), "Không");
}

#[tokio::test]
async fn a_members_own_word_reaches_the_team_as_the_head_sees_it() {
    let scene = scene().await;
    members_speak_for_themselves(&scene).await;
    let team = scene.store.team(scene.village("Thôn Đông")).await.unwrap();
    let consent = |name: &str| {
        let members = &team.as_ref().unwrap().team.members;
        members
            .iter()
            .find(|m| m.name.as_str() == name)
            .unwrap()
            .consent
    };
    assert_eq!(consent("Bùi Văn Bình"), Some(ConsentSource::Member));
    assert_eq!(consent("Nguyễn Văn An"), None);
    assert_eq!(consent("Lê Thị Hoa"), Some(ConsentSource::Head));
}
