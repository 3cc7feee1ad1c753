//! What the Zalo Bot channel sends for a reply's parts the transcripts above seldom show: a
//! picture by `sendPhoto` with a signed link the fake fetches as a PNG, a report as a signed
//! link in a message, a text over Zalo's 2,000 characters in several messages.

use cnscd::conversation::{Attachment, Reply};
use cnscd::i18n::Html;
use cnscd::pipeline::Channel;
use cnscd::zalo_bot::api::ZaloBotApi;
use cnscd::zalo_bot::channel::ZaloBotChannel;
use cnscd::zalo_bot::links::FileLinks;
use cnscd_fakes::zalo_bot::{request, MAX_TEXT_CHARS};

use super::app::{spawn_zalo_bot_app, Mode, ZaloBotApp};

const CHAT: &str = "5120000000000000001";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nqr-code";

fn channel(app: &ZaloBotApp) -> ZaloBotChannel {
    let settings = app.settings();
    let api = ZaloBotApi::new(&settings.api_url, settings.token.clone()).expect("client");
    let links = FileLinks::new(app.engine.clone(), &settings.token, settings.public_url);
    ZaloBotChannel::new(api, app.engine.clone(), links, &settings.api_url)
}

fn attachment(name: &str, bytes: &[u8], caption: &str) -> Attachment {
    Attachment {
        file_name: name.into(),
        bytes: bytes.to_vec(),
        caption: Some(caption.into()),
    }
}

#[tokio::test]
async fn a_picture_goes_by_send_photo_with_a_signed_link_that_serves_the_png() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let picture = Reply {
        image: Some(attachment("qr.png", PNG, "Mã QR mời <b>tổ trưởng</b>")),
        ..Reply::text(Html::markup(String::new()))
    };
    channel(&app).send(CHAT, &picture).await.expect("sent");
    let sent = app.bot.sent_to(CHAT);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (url, png) = sent[0].photo.clone().expect("a photo");
    assert!(png, "the fake fetched a PNG from {url}");
    assert!(
        url.starts_with(&format!("{}/zalo-bot/file/", app.public)),
        "{url}"
    );
    assert_eq!(
        sent[0].text, "Mã QR mời tổ trưởng",
        "the caption, as plain text"
    );
    app.destroy().await;
}

#[tokio::test]
async fn a_report_goes_as_a_signed_download_link_in_a_message() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let spreadsheet = b"PK\x03\x04report".to_vec();
    let report = Reply {
        document: Some(attachment(
            "bao-cao.xlsx",
            &spreadsheet,
            "Báo cáo xã Đại Sơn",
        )),
        ..Reply::text(Html::markup(String::new()))
    };
    channel(&app).send(CHAT, &report).await.expect("sent");
    let sent = app.bot.sent_to(CHAT);
    let (title, link) = sent[0]
        .text
        .split_once("\n📎 ")
        .expect("a link after the title");
    assert_eq!(title, "Báo cáo xã Đại Sơn");
    let (status, bytes) = request("GET", link, &[], b"").await.expect("answered");
    assert_eq!((status, bytes), (200, spreadsheet));
    app.destroy().await;
}

#[tokio::test]
async fn a_text_over_2000_characters_goes_in_several_messages_cut_at_line_breaks() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let line = "Thôn Đông Sơn — Nguyễn Văn An — 0912 345 678";
    let long = vec![line; 120].join("\n");
    channel(&app)
        .send(CHAT, &Reply::text(Html::text(&long)))
        .await
        .expect("sent");
    let sent = app.bot.sent_to(CHAT);
    assert!(sent.len() > 1, "one message per 2,000 characters");
    for message in &sent {
        assert!(message.text.chars().count() <= MAX_TEXT_CHARS);
        assert!(message.text.lines().all(|l| l == line), "cut inside a line");
    }
    let joined: Vec<String> = sent.into_iter().map(|s| s.text).collect();
    assert_eq!(joined.join("\n"), long);
    app.destroy().await;
}
