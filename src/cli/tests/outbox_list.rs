//! `cnscd outbox list`: what waits, for every chat or one, without what a message hides.

use super::*;

#[tokio::test]
async fn outbox_list_shows_what_waits_for_any_chat_or_one_with_only_file_names_of_attachments() {
    use crate::conversation::{Attachment, Reply};
    use crate::i18n::Html;
    use crate::storage::outbox::enqueue;

    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let store = engine.store();
    let now = engine.now();
    let long = format!("<b>Nhắc hạn</b>: {}\nsecond line", "x".repeat(100));
    let notice = Reply {
        image: Some(Attachment {
            file_name: "qr-11083-01.png".into(),
            bytes: b"PNG secret bytes".to_vec(),
            caption: Some("for Nguyễn Văn An".into()),
        }),
        ..Reply::text(Html::text("Lời mời mới"))
    };
    let mut tx = store.begin().await.unwrap();
    enqueue(
        &mut tx,
        "telegram",
        "42",
        &Reply::text(Html::markup(long)),
        Some(crate::storage::outbox::DedupKey::Alert {
            campaign: 1,
            channel: "telegram",
            chat_id: "42",
            slot: "d-7",
        }),
        now,
    )
    .await
    .unwrap();
    enqueue(&mut tx, "console", "an", &notice, None, now)
        .await
        .unwrap();
    enqueue(
        &mut tx,
        "console",
        "an",
        &Reply::text(Html::text("đã gửi")),
        None,
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    store.mark_outbox_sent(3, now).await.unwrap();

    let list = |chat: Option<&str>| {
        let chat = chat.map(str::to_owned);
        async move {
            let mut out = Vec::new();
            outbox::run(store, crate::config::OutboxCommand::List { chat }, &mut out)
                .await
                .unwrap();
            String::from_utf8(out).unwrap()
        }
    };
    let all = list(None).await;
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 2, "the sent message is not listed: {all}");
    let alert: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(alert[..2], ["1", "telegram:42"], "{all}");
    assert_eq!(alert[3], "alert", "{all}");
    assert!(alert[4].starts_with("Nhắc hạn: xxx"), "plain text: {all}");
    assert!(
        alert[4].ends_with('…') && !all.contains("second line"),
        "{all}"
    );
    assert!(
        lines[1].ends_with("\tmessage\tLời mời mới [file: qr-11083-01.png]"),
        "{all}"
    );
    assert!(!all.contains("secret") && !all.contains("Nguyễn"), "{all}");

    let one = list(Some("console:an")).await;
    assert!(one.starts_with("2\tconsole:an\t"), "{one}");
    assert_eq!(one.lines().count(), 1, "{one}");
    assert_eq!(
        list(Some("console:nobody")).await,
        "Nothing waits to be sent.\n"
    );

    let mut out = Vec::new();
    let bad = crate::config::OutboxCommand::List {
        chat: Some("an".into()),
    };
    let refused = outbox::run(store, bad, &mut out).await.unwrap_err();
    assert!(refused.to_string().contains("CHANNEL:ID"), "{refused}");
}
