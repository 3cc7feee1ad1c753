//! Village lists as commune officials have them, sent in chat: Excel's encodings,
//! separators and Vietnamese headers, a spreadsheet, a list of names only; and every answer
//! in the chat's language (issue 21, items 4–7).

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::ReportFile;
use cnscd::engine::Job;
use cnscd::i18n::Lang;

use crate::support::app::TestApp;

const DAI_SON: &str = "11083";

/// Sends `file` as commune Đại Sơn's official's village list; the answer's text.
async fn send_village_file(app: &TestApp, lang: Lang, file: Vec<u8>) -> String {
    let chat = ChatKey::new(ChannelName::Telegram, "77");
    let job = Job::ImportVillages {
        commune: DAI_SON.into(),
        csv: file,
    };
    let reply = app
        .engine
        .run_job(&chat, lang, job, ReportFile::Spreadsheet)
        .await;
    reply.text.as_str().to_owned()
}

/// The villages of Đại Sơn, besides the test app's own (Thôn Đông Sơn), sorted.
async fn village_names(app: &TestApp) -> Vec<String> {
    let units = app.store.children(Some(DAI_SON)).await.expect("villages");
    let mut names: Vec<String> = units
        .into_iter()
        .map(|unit| unit.name)
        .filter(|name| name != "Thôn Đông Sơn")
        .collect();
    names.sort();
    names
}

fn spreadsheet(rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(number) => sheet.write_number(r, c, number),
                Err(_) => sheet.write_string(r, c, *cell),
            }
            .expect("cell");
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn a_refused_village_file_is_explained_in_the_chats_language() {
    let app = TestApp::builder().build().await;
    let file = "commune_code,name\n11083,Thôn Nam Sơn\n11086,Thôn Lạ\n11083,12345\n";

    let vi = send_village_file(&app, Lang::Vi, file.as_bytes().to_vec()).await;
    let en = send_village_file(&app, Lang::En, file.as_bytes().to_vec()).await;

    assert!(
        vi.contains("Dòng 3: xã 11086 không phải xã của anh/chị (11083)"),
        "{vi}"
    );
    assert!(vi.contains("Dòng 4: tên thôn cần có chữ cái"), "{vi}");
    for english in ["bad row", "line ", "is not yours", "village name"] {
        assert!(
            !vi.contains(english),
            "English {english:?} in Vietnamese: {vi}"
        );
    }
    assert!(
        en.contains("Line 3: commune 11086 is not yours (11083)"),
        "{en}"
    );
    assert_eq!(village_names(&app).await, Vec::<String>::new());
    app.destroy().await;
}

#[tokio::test]
async fn a_windows_1258_file_with_semicolons_and_vietnamese_headers_is_imported() {
    let app = TestApp::builder().build().await;
    // Windows-1258 writes a tone as a mark after its letter: "Cầu" is C, â, ◌̀, u.
    let text = "STT;Ma\u{303} xa\u{303};Tên thôn;Trươ\u{309}ng thôn\n\
                1;11083;Thôn Câ\u{300}u Do\u{300}ng;Nguyê\u{303}n Văn Â\u{301}t\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(text);
    assert!(!unmappable);

    let answer = send_village_file(&app, Lang::Vi, bytes.into_owned()).await;

    assert!(answer.contains("thêm 1"), "{answer}");
    assert_eq!(village_names(&app).await, ["Thôn Cầu Dòng"]);
    app.destroy().await;
}

#[tokio::test]
async fn a_tab_separated_utf16_file_as_excel_saves_unicode_text_is_imported() {
    let app = TestApp::builder().build().await;
    let text = "Mã xã\tTên thôn\r\n11083\tThôn Đồng Lạc\r\n11083\tKhu dân cư số 2\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));

    let answer = send_village_file(&app, Lang::Vi, bytes).await;

    assert!(answer.contains("thêm 2"), "{answer}");
    assert_eq!(
        village_names(&app).await,
        ["Khu dân cư số 2", "Thôn Đồng Lạc"]
    );
    app.destroy().await;
}

#[tokio::test]
async fn a_list_of_names_only_goes_into_the_officials_commune_and_the_chat_says_so() {
    let app = TestApp::builder().build().await;
    let file = "Tên thôn\nThôn Bắc\nThôn Nam\n";

    let answer = send_village_file(&app, Lang::Vi, file.as_bytes().to_vec()).await;

    assert!(answer.contains("thêm 2"), "{answer}");
    assert!(
        answer.contains("các thôn được nhập vào Xã Đại Sơn"),
        "the chat says which commune: {answer}"
    );
    assert_eq!(village_names(&app).await, ["Thôn Bắc", "Thôn Nam"]);
    app.destroy().await;
}

#[tokio::test]
async fn an_xlsx_spreadsheet_is_read_as_a_spreadsheet() {
    let app = TestApp::builder().build().await;
    let file = spreadsheet(&[
        &["STT", "Mã xã", "Tên thôn"],
        &["1", DAI_SON, "Thôn Văn Minh"],
        &["2", DAI_SON, "Thôn Hạ Lý"],
    ]);

    let answer = send_village_file(&app, Lang::Vi, file).await;

    assert!(answer.contains("thêm 2"), "{answer}");
    assert_eq!(village_names(&app).await, ["Thôn Hạ Lý", "Thôn Văn Minh"]);
    app.destroy().await;
}

#[tokio::test]
async fn a_control_character_in_a_spreadsheet_cell_is_refused_not_stored() {
    let app = TestApp::builder().build().await;
    let file = spreadsheet(&[
        &["Mã xã", "Tên thôn"],
        &[DAI_SON, "Thôn\u{7}Chuông\u{1b}[31m Đỏ"],
    ]);

    let answer = send_village_file(&app, Lang::Vi, file).await;

    assert!(
        answer.contains("Dòng 2: tên thôn có ký tự điều khiển"),
        "{answer}"
    );
    assert_eq!(village_names(&app).await, Vec::<String>::new());
    app.destroy().await;
}

#[tokio::test]
async fn a_file_longer_than_a_chat_may_send_is_refused_plainly_before_any_work() {
    let app = TestApp::builder().build().await;
    let mut file = String::from("commune_code,name\n");
    for i in 0..=cnscd::import::MAX_CHAT_ROWS {
        file.push_str(&format!("11083,Thôn Số {i}\n"));
    }

    let answer = send_village_file(&app, Lang::Vi, file.into_bytes()).await;

    assert!(
        answer.contains("Tệp có 1001 dòng; mỗi lần chỉ nhận tối đa 1000 thôn"),
        "{answer}"
    );
    assert_eq!(village_names(&app).await, Vec::<String>::new());
    app.destroy().await;
}
