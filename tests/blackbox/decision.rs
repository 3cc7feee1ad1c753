//! `cnscd decision draft` with the real binary: the founding decision of a village's team
//! and of a commune's villages, read back from the DOCX it writes; its refusals; and
//! `--decision-template`.

use std::path::Path;
use std::process::Output;

use cnscd::domain::{ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team};

use crate::support::app::TestApp;

const VILLAGES: &str =
    "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n11083,Thôn Tây Sơn,11083-02\n";

fn cnscd(db: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .env_remove("CNSCD_DECISION_TEMPLATE")
        .output()
        .expect("cnscd runs")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn docx_text(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("the decision was written");
    docx_rs::read_docx(&bytes).expect("a readable DOCX").json()
}

/// Thôn Đông Sơn's team: the head (number shown), Bình (shown), Cường (hidden).
async fn register_dong_son(app: &TestApp) {
    let member = |name: &str, role, phone: &str, consent| Member {
        name: PersonName::parse(name).expect("name"),
        role,
        role_detail: None,
        phone: PhoneNumber::parse(phone).expect("phone"),
        fields: Default::default(),
        zalo: None,
        consent,
    };
    let team = Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        leader_consent: Some(ConsentSource::Member),
        members: vec![
            member(
                "Trần Thị Bình",
                MemberRole::YouthUnionSecretary,
                "0912 345 679",
                Some(ConsentSource::Paper),
            ),
            member(
                "Lê Văn Cường",
                MemberRole::FarmersAssociationHead,
                "0912 345 680",
                None,
            ),
        ],
        ..Team::default()
    };
    let mut tx = app.store.begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, chrono::Utc::now())
        .await
        .expect("saved");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn decision_draft_writes_a_villages_decision_and_a_communes_with_its_annex() {
    // Arrange
    let app = TestApp::builder()
        .villages(VILLAGES)
        .no_invitation()
        .build()
        .await;
    register_dong_son(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let village = dir.path().join("thon.docx");
    let commune = dir.path().join("xa.docx");
    let db = app.db_url().to_owned();
    // Act
    let one = cnscd(
        &db,
        &[
            "decision",
            "draft",
            "--unit",
            "11083-01",
            "--out",
            village.to_str().unwrap(),
        ],
    );
    let all = cnscd(
        &db,
        &[
            "decision",
            "draft",
            "--unit",
            "11083",
            "--out",
            commune.to_str().unwrap(),
        ],
    );
    // Assert
    assert!(one.status.success(), "{}", said(&one));
    assert!(
        said(&one).contains("Thôn Đông Sơn (Xã Đại Sơn, 3 people)"),
        "{}",
        said(&one)
    );
    let text = docx_text(&village);
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "XÃ ĐẠI SƠN",
        "Số: …/QĐ-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Đại Sơn, ngày … tháng … năm …",
        "Về việc thành lập Tổ Công nghệ số cộng đồng thôn Đông Sơn",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐẠI SƠN",
        "Nguyễn Văn An",
        "Trưởng thôn",
        "0912 345 678",
        "Trần Thị Bình",
        "Bí thư Chi đoàn",
        "0912 345 679",
        "Lê Văn Cường",
        "Chi hội trưởng Nông dân",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is in the village's decision"
        );
    }
    assert!(
        !text.contains("0912 345 680"),
        "Cường's hidden number is absent"
    );

    assert!(all.status.success(), "{}", said(&all));
    let out = said(&all);
    assert!(out.contains("Xã Đại Sơn for 1 village teams"), "{out}");
    assert!(
        out.contains("without a registered team: Thôn Tây Sơn"),
        "{out}"
    );
    let text = docx_text(&commune);
    assert!(text.contains("PHỤ LỤC"));
    assert_eq!(
        text.matches("Tổ Công nghệ số cộng đồng thôn Đông Sơn")
            .count(),
        2
    );
    assert!(
        !text.contains("Tây Sơn"),
        "a village without a team is not in it"
    );
    assert!(!text.contains("0912 345 680"));
    app.destroy().await;
}

#[tokio::test]
async fn decision_draft_refuses_an_unknown_unit_a_village_without_a_team_and_an_ended_one() {
    // Arrange: Thôn Đông Sơn registered, then ended (merged away).
    let app = TestApp::builder()
        .villages(VILLAGES)
        .no_invitation()
        .build()
        .await;
    register_dong_son(&app).await;
    sqlx::query("UPDATE units SET ended_on = '2025-07-01' WHERE code = '11083-01'")
        .execute(app.store.pool())
        .await
        .expect("ended");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("qd.docx");
    let out = out.to_str().unwrap();
    let db = app.db_url().to_owned();
    for (unit, says) in [
        ("99999", "There is no unit with code \"99999\""),
        ("11083-02", "Thôn Tây Sơn (11083-02) has no registered team"),
        ("11083-01", "Thôn Đông Sơn (11083-01) ended on 2025-07-01"),
    ] {
        // Act
        let refused = cnscd(&db, &["decision", "draft", "--unit", unit, "--out", out]);
        // Assert
        assert!(!refused.status.success(), "{unit} is refused");
        assert!(said(&refused).contains(says), "{unit}: {}", said(&refused));
    }
    assert!(!Path::new(out).exists(), "nothing is written");
    app.destroy().await;
}

#[tokio::test]
async fn decision_draft_takes_its_words_from_the_template_given_and_refuses_a_broken_one() {
    // Arrange
    let app = TestApp::builder()
        .villages(VILLAGES)
        .no_invitation()
        .build()
        .await;
    register_dong_son(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("template.toml");
    std::fs::write(
        &template,
        "grounds = [\"Căn cứ Nghị quyết của tỉnh về chuyển đổi số;\"]\n\
         tasks = [\"Hỗ trợ người dân {commune}.\"]\n\
         executors = [\"Các ông (bà) có tên tại Điều 1 thi hành.\"]\n\
         recipients = [\"Lưu: VT.\"]\n",
    )
    .expect("template");
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "grounds = []\ntasks = [\"x\"]\nexecutors = [\"x\"]\nrecipients = [\"x\"]\n",
    )
    .expect("template");
    let out = dir.path().join("qd.docx");
    let db = app.db_url().to_owned();
    let args = |template: &Path| {
        [
            "--decision-template".to_owned(),
            template.display().to_string(),
            "decision".into(),
            "draft".into(),
            "--unit".into(),
            "11083-01".into(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    // Act
    let drafted = cnscd(&db, &args(&template).each_ref().map(String::as_str));
    let refused = cnscd(&db, &args(&broken).each_ref().map(String::as_str));
    // Assert
    assert!(drafted.status.success(), "{}", said(&drafted));
    let text = docx_text(&out);
    assert!(text.contains("Căn cứ Nghị quyết của tỉnh về chuyển đổi số;"));
    assert!(text.contains("Hỗ trợ người dân xã Đại Sơn."));
    assert!(!text.contains("Luật Tổ chức chính quyền địa phương"));
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("`grounds` lists nothing"),
        "{}",
        said(&refused)
    );
    app.destroy().await;
}
