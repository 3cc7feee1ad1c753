//! The period report (`cnscd report --period`), on both engines: activities seeded with plain
//! SQL (the chat logging is another feature's), the outputs read back as a person would open
//! them: the workbook with calamine, the Word document with docx-rs's reader.

use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::{DateTime, Utc};
use cnscd::domain::period::Period;
use cnscd::i18n::{Lang, Texts};
use cnscd::report::period::{load_period_report, period_docx, PeriodReport, HEADER_ROW};
use cnscd::report::{ReportFormat, ReportJob};
use cnscd::storage::{Backend, Store};

use crate::support::app::{scratch, TestApp};

/// Three villages of Xã Đại Sơn (one without residents or households) and one of Xã Hưng
/// Đạo, with their figures in the villages file's optional columns.
const VILLAGES: &str = "commune_code,name,code,population,households
11083,Thôn Đông Sơn,11083-01,1.200,300
11083,Thôn Tây Sơn,11083-02,800,210
11083,Thôn Nam Sơn,11083-03,,
11086,Thôn Bắc Hưng,11086-01,1000,250
";

fn now() -> DateTime<Utc> {
    "2026-12-07T03:00:00Z".parse().unwrap()
}

async fn activity(
    store: &Store,
    unit: &str,
    kind: &str,
    people: i64,
    done_on: &str,
    recorded_at: &str,
) {
    sqlx::query(
        "INSERT INTO activities (unit_code, kind, people, households, done_on, source, recorded_at)
         VALUES ($1, $2, $3, $4, $5, 'import', $6)",
    )
    .bind(unit)
    .bind(kind)
    .bind(people)
    .bind(people / 3)
    .bind(done_on)
    .bind(recorded_at)
    .execute(store.pool())
    .await
    .expect("activity inserted");
}

async fn registered_team(store: &Store, unit: &str) {
    sqlx::query(
        "INSERT INTO teams (unit_code, status, leader_name, leader_phone, created_at, updated_at)
         VALUES ($1, 'registered', 'Nguyễn Văn An', '+84912345678', $2, $2)",
    )
    .bind(unit)
    .bind("2026-01-05T02:00:00.000Z")
    .execute(store.pool())
    .await
    .expect("team inserted");
}

/// November 2026 in Tứ Kỳ: Đông Sơn and Bắc Hưng active, Tây Sơn (a team, quiet since
/// August), Nam Sơn without a population.
async fn seeded(backend: Backend, test: &str) -> Option<TestApp> {
    let db = scratch(backend, test).await?;
    let app = TestApp::builder().on(db).villages(VILLAGES).build().await;
    let store = &app.store;
    for unit in ["11083-01", "11083-02", "11086-01"] {
        registered_team(store, unit).await;
    }
    let recorded = "2026-11-28T10:00:00.000Z";
    activity(store, "11083-01", "vneid", 12, "2026-11-03", recorded).await;
    activity(
        store,
        "11083-01",
        "online_payment",
        9,
        "2026-11-10",
        recorded,
    )
    .await;
    activity(
        store,
        "11083-01",
        "online_payment",
        6,
        "2026-11-30",
        recorded,
    )
    .await;
    activity(store, "11083-02", "vneid", 4, "2026-08-02", recorded).await;
    activity(
        store,
        "11083-03",
        "public_services",
        5,
        "2026-11-15",
        recorded,
    )
    .await;
    activity(
        store,
        "11086-01",
        "online_safety",
        30,
        "2026-11-20",
        recorded,
    )
    .await;
    // October's and December's are outside November.
    activity(store, "11083-01", "vneid", 100, "2026-10-31", recorded).await;
    activity(store, "11083-01", "vneid", 100, "2026-12-01", recorded).await;
    Some(app)
}

async fn november(store: &Store, scope: &str) -> PeriodReport {
    let rules = cnscd::domain::activity::ActivityRules::default();
    load_period_report(
        store,
        &rules,
        Some(scope),
        Period::parse("2026-11").unwrap(),
        now(),
    )
    .await
    .expect("the period report")
}

async fn write(
    store: &Store,
    format: ReportFormat,
    name: &str,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    let job = ReportJob {
        scope: Some("298"),
        format,
        out: &out,
        lang: Lang::Vi,
        now: now(),
    };
    let rules = cnscd::domain::activity::ActivityRules::default();
    let texts = Texts::load().unwrap();
    cnscd::report::period::write_period_report(
        store,
        &rules,
        &texts,
        job,
        Period::parse("2026-11").unwrap(),
    )
    .await
    .expect("the report is written");
    (dir, out)
}

/// A sheet's rows under the header, the totals row apart.
fn sheet(
    workbook: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    name: &str,
) -> (Vec<String>, Vec<Vec<Data>>, Vec<Data>) {
    let range = workbook.worksheet_range(name).expect(name);
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[HEADER_ROW as usize]
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut body: Vec<Vec<Data>> = rows[HEADER_ROW as usize + 1..].to_vec();
    let total = body.pop().expect("a totals row");
    assert_eq!(
        total[1].to_string(),
        "Tổng cộng",
        "{name}: the totals row is last"
    );
    (header, body, total)
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(value) => *value,
        Data::Int(value) => *value as f64,
        other => panic!("{other:?} is not a number"),
    }
}

async fn the_workbook_has_every_village_once_and_every_level_sums_its_parts(
    backend: Backend,
    test: &str,
) {
    let Some(app) = seeded(backend, test).await else {
        return;
    };
    let (_dir, path) = write(&app.store, ReportFormat::Xlsx, "hoat-dong.xlsx").await;
    let mut workbook: Xlsx<_> = open_workbook(&path).expect("a workbook");
    let (header, villages, village_total) = sheet(&mut workbook, "Thôn");
    let codes: Vec<String> = villages.iter().map(|row| row[0].to_string()).collect();
    let stored: Vec<(String,)> = sqlx::query_as(
        "SELECT code FROM units WHERE level = 'village' AND parent_code IN
             (SELECT code FROM units WHERE parent_code = '298') ORDER BY code",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        stored.into_iter().map(|(c,)| c).collect::<Vec<_>>(),
        "every village exactly once"
    );
    let people = header
        .iter()
        .position(|h| h == "Người được hỗ trợ")
        .expect("people column");
    let entries = header
        .iter()
        .position(|h| h == "Lượt hoạt động")
        .expect("entries column");
    // Đông Sơn 27, Nam Sơn 5, Bắc Hưng 30: October, December and August are outside.
    assert_eq!(number(&village_total[people]), 62.0);
    assert_eq!(number(&village_total[entries]), 5.0);
    let rows_sum: f64 = villages.iter().map(|row| number(&row[people])).sum();
    assert_eq!(rows_sum, 62.0, "the villages' total is the sum of its rows");
    for level in ["Xã", "Huyện"] {
        let (level_header, rows, total) = sheet(&mut workbook, level);
        assert_eq!(level_header[people], "Người được hỗ trợ");
        let sum: f64 = rows.iter().map(|row| number(&row[people])).sum();
        assert_eq!(
            sum,
            number(&total[people]),
            "{level}: total is the sum of its rows"
        );
        assert_eq!(
            number(&total[people]),
            62.0,
            "{level}: the same people as the villages"
        );
        assert_eq!(number(&total[entries]), 5.0, "{level}");
    }
    let nam_son = villages.iter().find(|row| row[0] == "11083-03").unwrap();
    let ratio = header
        .iter()
        .position(|h| h == "Thành viên/100 dân")
        .unwrap();
    assert_eq!(
        nam_son[ratio].to_string(),
        "chưa có số dân",
        "no division by zero"
    );
    let dong_son = villages.iter().find(|row| row[0] == "11083-01").unwrap();
    assert_eq!(
        number(&dong_son[ratio]),
        0.08,
        "1 member per 1,200 residents"
    );
    let quiet = workbook.worksheet_range("Thôn không hoạt động").unwrap();
    let quiet: Vec<String> = quiet
        .rows()
        .skip(HEADER_ROW as usize + 1)
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(
        quiet,
        ["11083-02"],
        "Tây Sơn has a team and nothing since August"
    );
    app.destroy().await;
}

#[tokio::test]
async fn the_workbook_has_every_village_once_and_every_level_sums_its_parts_on_sqlite() {
    the_workbook_has_every_village_once_and_every_level_sums_its_parts(
        Backend::Sqlite,
        "workbook sqlite",
    )
    .await;
}

#[tokio::test]
async fn the_workbook_has_every_village_once_and_every_level_sums_its_parts_on_postgres() {
    the_workbook_has_every_village_once_and_every_level_sums_its_parts(
        Backend::Postgres,
        "the_workbook_has_every_village_once_and_every_level_sums_its_parts_on_postgres",
    )
    .await;
}

async fn an_approved_period_is_unchanged_by_a_later_entry_which_shows_as_late(
    backend: Backend,
    test: &str,
) {
    let Some(app) = seeded(backend, test).await else {
        return;
    };
    sqlx::query(
        "INSERT INTO period_reports (unit_code, period, status, submitted_at, submitted_by, decided_at, decided_by)
         VALUES ('11083', '2026-11', 'approved', '2026-12-02T01:00:00.000Z', 'console:xa',
                 '2026-12-03T02:00:00.000Z', 'console:tinh')",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let before = november(&app.store, "298").await;
    // Recorded after the approval, about a day of November.
    activity(
        &app.store,
        "11083-02",
        "vneid",
        40,
        "2026-11-25",
        "2026-12-04T08:00:00.000Z",
    )
    .await;
    // Xã Hưng Đạo's report is not approved: its late entry counts.
    activity(
        &app.store,
        "11086-01",
        "vneid",
        7,
        "2026-11-26",
        "2026-12-04T08:00:00.000Z",
    )
    .await;
    let after = november(&app.store, "298").await;
    let dai_son = |report: &PeriodReport| {
        report
            .communes
            .iter()
            .find(|row| row.code == "11083")
            .unwrap()
            .figures
            .clone()
    };
    let (locked, now_locked) = (dai_son(&before), dai_son(&after));
    assert_eq!(
        now_locked.people, locked.people,
        "the approved figures stay"
    );
    assert_eq!(now_locked.entries, locked.entries);
    assert_eq!(now_locked.people_by_kind, locked.people_by_kind);
    assert_eq!((now_locked.late_entries, now_locked.late_people), (1, 40));
    assert_eq!(
        after.total.people,
        before.total.people + 7,
        "Hưng Đạo is not locked"
    );
    assert_eq!(
        after
            .quiet
            .iter()
            .map(|q| q.code.as_str())
            .collect::<Vec<_>>(),
        ["11083-02"],
        "a late entry does not wake a village in a locked period"
    );
    let texts = Texts::load().unwrap();
    let summary = cnscd::report::period::period_summary(&after, &texts, Lang::Vi).into_string();
    assert!(summary.contains("Ghi sau khi duyệt"), "{summary}");
    app.destroy().await;
}

#[tokio::test]
async fn an_approved_period_is_unchanged_by_a_later_entry_which_shows_as_late_on_sqlite() {
    an_approved_period_is_unchanged_by_a_later_entry_which_shows_as_late(
        Backend::Sqlite,
        "late sqlite",
    )
    .await;
}

#[tokio::test]
async fn an_approved_period_is_unchanged_by_a_later_entry_which_shows_as_late_on_postgres() {
    an_approved_period_is_unchanged_by_a_later_entry_which_shows_as_late(
        Backend::Postgres,
        "an_approved_period_is_unchanged_by_a_later_entry_which_shows_as_late_on_postgres",
    )
    .await;
}

#[tokio::test]
async fn the_word_report_is_laid_out_as_an_administrative_report() {
    let app = seeded(Backend::Sqlite, "docx").await.unwrap();
    let report = november(&app.store, "298").await;
    let texts = Texts::load().unwrap();
    let bytes = period_docx(&report, &texts, Lang::Vi).unwrap();
    let text = docx_rs::read_docx(&bytes).expect("a readable DOCX").json();
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "HUYỆN TỨ KỲ",
        "Huyện Tứ Kỳ, ngày … tháng … năm …",
        "BÁO CÁO",
        "Kết quả hoạt động của Tổ Công nghệ số cộng đồng tháng 11/2026",
        "I. TÌNH HÌNH CHUNG",
        "II. KẾT QUẢ HOẠT ĐỘNG",
        "III. ĐỀ XUẤT, KIẾN NGHỊ",
        "Xã Đại Sơn",
        "Xã Hưng Đạo",
        "Tổng cộng",
        "TM. ỦY BAN NHÂN DÂN",
    ] {
        assert!(text.contains(expected), "{expected:?} is in the document");
    }
    app.destroy().await;
}

/// `cnscd units population` and `cnscd report --period` with the real binary.
#[tokio::test]
async fn the_command_line_sets_residents_and_writes_the_period_report() {
    let app = seeded(Backend::Sqlite, "cli").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dan-so.csv"),
        "code,population,households\n11083,9.500,2600\n11083-03,640,\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
            .args(args)
            .current_dir(dir.path())
            .env("DATABASE_URL", app.db_url())
            .env("RUST_LOG", "warn")
            .env_remove("TELOXIDE_TOKEN")
            .output()
            .expect("cnscd runs")
    };
    let set = run(&["units", "population", "dan-so.csv"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(String::from_utf8_lossy(&set.stdout).contains("of 2 unit(s)"));
    let figures: (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT population, households FROM units WHERE code = '11083-03'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(figures, (Some(640), None));
    std::fs::write(
        dir.path().join("sai.csv"),
        "code,population\n11083,9500\n11086,mười\n99999,5\n",
    )
    .unwrap();
    let refused = run(&["units", "population", "sai.csv"]);
    assert!(!refused.status.success());
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(
        error.contains("line 3") && error.contains("line 4"),
        "{error}"
    );
    let kept: (Option<i64>,) = sqlx::query_as("SELECT population FROM units WHERE code = '11083'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(kept, (Some(9500),), "all or nothing");
    for (format, file) in [
        ("text", "bao-cao.txt"),
        ("docx", "bao-cao.docx"),
        ("png", "bao-cao.png"),
        ("xlsx", "bao-cao.xlsx"),
    ] {
        let written = run(&[
            "report", "--scope", "298", "--period", "2026-Q4", "--format", format, "--out", file,
        ]);
        assert!(
            written.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&written.stderr)
        );
    }
    let text = std::fs::read_to_string(dir.path().join("bao-cao.txt")).unwrap();
    assert!(text.contains("quý IV/2026"), "{text}");
    assert!(
        text.contains("Lượt hoạt động: 7"),
        "Q4: November's, October's and December's: {text}"
    );
    assert!(std::fs::read(dir.path().join("bao-cao.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));
    let refused = run(&["report", "--period", "2026-13", "--out", "x.xlsx"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("2026-Q4"));
    let refused = run(&[
        "report", "--period", "2026-11", "--format", "csv", "--out", "x.csv",
    ]);
    assert!(!refused.status.success());
    app.destroy().await;
}

/// What the chat's report job gets: the summary, the chart, and the file its channel takes
/// (Zalo: the Word document).
#[tokio::test]
async fn a_chat_gets_the_period_summary_the_chart_and_the_file_its_channel_takes() {
    use cnscd::conversation::ReportFile;
    let app = seeded(Backend::Sqlite, "chat").await.unwrap();
    let rules = cnscd::domain::activity::ActivityRules::default();
    let texts = Texts::load().unwrap();
    let period = Period::parse("2026-11").unwrap();
    for (file, extension) in [
        (ReportFile::Spreadsheet, "xlsx"),
        (ReportFile::Document, "docx"),
    ] {
        let ask = cnscd::report::period::PeriodAsk {
            scope: "11083",
            period,
            lang: Lang::En,
            now: now(),
        };
        let reply =
            cnscd::report::period::chat_period_report(&app.store, &rules, &texts, ask, file)
                .await
                .unwrap();
        assert!(
            reply.text.as_str().contains("month 11/2026"),
            "{}",
            reply.text.as_str()
        );
        assert!(reply.image.unwrap().bytes.starts_with(b"\x89PNG"));
        let document = reply.document.unwrap();
        assert_eq!(
            document.file_name,
            format!("hoat-dong-11083-2026-11.{extension}")
        );
        assert!(document.bytes.starts_with(b"PK"), "a zip: XLSX or DOCX");
    }
    app.destroy().await;
}
