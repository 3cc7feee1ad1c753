//! The decision read back: drafted from the report scene's teams, written as DOCX, and read
//! again by docx-rs's reader (every text of the document is in its JSON).

use super::super::scene::{scene, DAI_SON};
use super::*;
use crate::domain::DecisionTemplate;

fn text_of(bytes: &[u8]) -> String {
    docx_rs::read_docx(bytes).expect("a readable DOCX").json()
}

fn template() -> DecisionTemplate {
    DecisionTemplate::default_template().unwrap()
}

#[tokio::test]
async fn a_villages_decision_has_the_heading_the_title_and_every_member_but_no_hidden_number() {
    // Arrange: Thôn Đông's team: Bùi Văn Bình never agreed to show 0912 000 003, and the
    // leader's 0987 000 001 is not published either.
    let scene = scene().await;
    let village = scene.village("Thôn Đông").to_owned();
    // Act
    let drafted = scene
        .store
        .decision_draft(&scene.texts, &village)
        .await
        .unwrap();
    let text = text_of(&decision_docx(&drafted.draft, &template()).unwrap());
    // Assert
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "XÃ ĐẠI SƠN",
        "Số: …/QĐ-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đại Sơn, ngày … tháng … năm …",
        "QUYẾT ĐỊNH",
        "Về việc thành lập Tổ Công nghệ số cộng đồng thôn Đông",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐẠI SƠN",
        "Căn cứ Luật Tổ chức chính quyền địa phương",
        "QUYẾT ĐỊNH:",
        "Điều 1.",
        "Điều 2.",
        "Điều 3.",
        "Văn phòng HĐND và UBND xã Đại Sơn",
        "Nơi nhận:",
        "CHỦ TỊCH",
        "Trần Văn Đông",
        "Trưởng thôn",
        "Tổ trưởng",
        "Nguyễn Văn An",
        "Bí thư Chi đoàn",
        "0912 000 001",
        "Lê Thị Hoa",
        "Chi hội trưởng Phụ nữ",
        "Bùi Văn Bình",
        "Giáo viên Tiểu học",
    ] {
        assert!(text.contains(expected), "{expected:?} is in the decision");
    }
    for hidden in ["0912 000 003", "0987 000 001", "PHỤ LỤC"] {
        assert!(!text.contains(hidden), "{hidden:?} is not in the decision");
    }
}

#[tokio::test]
async fn a_communes_decision_names_each_registered_village_once_in_its_annex() {
    // Arrange: Đại Sơn has Thôn Đông, Tây and Nam registered, Thôn Bắc only a draft.
    let scene = scene().await;
    // Act
    let drafted = scene
        .store
        .decision_draft(&scene.texts, DAI_SON)
        .await
        .unwrap();
    let text = text_of(&decision_docx(&drafted.draft, &template()).unwrap());
    // Assert
    assert_eq!(drafted.without_team, vec!["Thôn Bắc".to_owned()]);
    assert!(text.contains("PHỤ LỤC"));
    assert!(text.contains("Thành lập 3 Tổ Công nghệ số cộng đồng"));
    for village in ["Đông", "Tây", "Nam"] {
        let team = format!("Tổ Công nghệ số cộng đồng thôn {village}");
        // Article 1 names it, the annex lists its members under it: twice in all.
        assert_eq!(text.matches(&team).count(), 2, "{team:?}");
    }
    assert!(!text.contains("thôn Bắc"), "a draft is not founded");
    for member in [
        "Nguyễn Văn An",
        "Ngô Văn Cường",
        "Đinh Thị Dung",
        "Mai Thị Em",
    ] {
        assert_eq!(text.matches(member).count(), 1, "{member:?} listed once");
    }
    assert!(
        !text.contains("0912 000 003"),
        "a hidden number stays out of the annex"
    );
}

#[tokio::test]
async fn no_decision_is_drafted_for_an_unknown_unit_a_village_without_a_team_or_a_district() {
    let scene = scene().await;
    let draft_village = scene.village("Thôn Bắc").to_owned();
    let cases = [
        ("99999", "There is no unit"),
        (draft_village.as_str(), "has no registered team"),
        ("298", "not a village nor a commune"),
        ("11086-99", "There is no unit"),
    ];
    for (code, says) in cases {
        let error = scene
            .store
            .decision_draft(&scene.texts, code)
            .await
            .expect_err(code)
            .to_string();
        assert!(error.contains(says), "{code}: {error:?} says {says:?}");
    }
}

#[test]
fn a_units_name_is_written_with_its_kind_in_capitals_in_a_sentence_and_as_a_place() {
    let issuer = Issuer {
        name: "Xã Đại Sơn".into(),
        kind: "xã".into(),
    };
    assert_eq!(issuer.upper(), "XÃ ĐẠI SƠN");
    assert_eq!(issuer.in_sentence(), "xã Đại Sơn");
    assert_eq!(issuer.place(), "Đại Sơn");
    let town = Issuer {
        name: "Tứ Kỳ".into(),
        kind: "thị trấn".into(),
    };
    assert_eq!(town.upper(), "THỊ TRẤN TỨ KỲ");
    assert_eq!(town.place(), "Tứ Kỳ");
    let special = Issuer {
        name: "Đặc khu Phú Quốc".into(),
        kind: "đặc khu".into(),
    };
    assert_eq!(special.upper(), "ĐẶC KHU PHÚ QUỐC");
    assert_eq!(special.in_sentence(), "đặc khu Phú Quốc");
    assert_eq!(special.place(), "Phú Quốc");
}
