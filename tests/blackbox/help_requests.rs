//! Issue 25 §1, below the goldens: a resident's request for help asked once per update,
//! offered to members on their own channels, and taken by exactly one of two members
//! pressing "Tôi nhận" at the same moment, on both engines.

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::{Action, Incoming, Reply, Stamp};
use cnscd::domain::RequestStatus;
use cnscd::storage::scratch::report_skipped;

use crate::erasure::team_with_binh;
use crate::security::App;

mod tests {
    use super::*;
    on_both_engines!(
        the_same_update_delivered_twice_asks_once,
        two_members_taking_at_once_leave_exactly_one_owner,
        a_telegram_member_and_a_zalo_member_are_both_offered_and_the_zalo_one_takes_it,
    );
}

/// A chat driving the engine as a channel does, with its next update id.
struct Chat<'a> {
    app: &'a App,
    key: ChatKey,
    update: u64,
    last: Vec<Reply>,
}

impl<'a> Chat<'a> {
    fn new(app: &'a App, channel: ChannelName, id: &str) -> Chat<'a> {
        Chat {
            app,
            key: ChatKey::new(channel, id),
            // A channel's update ids are the bot's, not the chat's: each chat its own range.
            update: id.bytes().map(u64::from).sum::<u64>() * 1_000,
            last: Vec::new(),
        }
    }

    async fn send(&mut self, incoming: Incoming) -> Vec<Reply> {
        self.update += 1;
        let id = self.update.to_string();
        let replies = self
            .app
            .engine
            .handle(&self.key, Some(&id), incoming)
            .await
            .expect("handled");
        if !replies.is_empty() {
            self.last = replies.clone();
        }
        replies
    }

    fn payload(&self, label: &str) -> String {
        self.last
            .iter()
            .flat_map(|r| r.buttons.iter().flatten())
            .find(|b| b.label == label)
            .unwrap_or_else(|| panic!("no button {label:?} in {:#?}", self.last))
            .payload
            .clone()
    }

    async fn press(&mut self, label: &str) -> Vec<Reply> {
        let payload = self.payload(label);
        self.send(Incoming::Button(payload)).await
    }

    /// "🙋 Nhờ tổ giúp" on Thôn Đông Sơn's card, then the questions up to the confirmation.
    async fn ask_up_to_sending(&mut self) {
        let rev = self
            .app
            .engine
            .session(&self.key)
            .await
            .expect("session")
            .rev;
        let ask = Action::HelpAsk("11083-01".into()).payload();
        self.send(Incoming::Button(Stamp::Revision(rev).write(&ask)))
            .await;
        self.press("Kích hoạt VNeID").await;
        self.press("⏭ Bỏ qua").await;
        self.press("💬 Nhắn trong cuộc trò chuyện này").await;
    }

    async fn prove(&mut self, phone: &str) {
        self.send(Incoming::Contact {
            phone: phone.into(),
            own: true,
        })
        .await;
    }
}

/// The offers queued for `channel`, by chat: the payload of their "Tôi nhận".
async fn offers(app: &App, channel: ChannelName) -> Vec<(String, String)> {
    let pending = app
        .store()
        .pending_outbox(channel.as_str(), 100)
        .await
        .expect("outbox");
    pending
        .into_iter()
        .filter_map(|m| {
            let take = m
                .reply
                .buttons
                .iter()
                .flatten()
                .find(|b| b.label == "✋ Tôi nhận")?;
            Some((m.chat_id, take.payload.clone()))
        })
        .collect()
}

async fn the_same_update_delivered_twice_asks_once(app: App) {
    // Arrange: the resident is at the confirmation.
    team_with_binh(&app).await;
    let mut resident = Chat::new(&app, ChannelName::Telegram, "7770001");
    resident.ask_up_to_sending().await;

    // Act: "Gửi", delivered twice (the same update id).
    let send = Incoming::Button(resident.payload("📨 Gửi"));
    let first = resident.send(send.clone()).await;
    resident.update -= 1;
    let again = resident.send(send).await;

    // Assert
    assert!(!first.is_empty());
    assert!(again.is_empty(), "a redelivery is not answered: {again:#?}");
    let requests = app
        .store()
        .help_requests_of_unit("11083-01")
        .await
        .expect("requests");
    assert_eq!(requests.len(), 1, "{requests:#?}");
    app.finish().await;
}

async fn two_members_taking_at_once_leave_exactly_one_owner(app: App) {
    // Arrange: Bình and Cường proved their numbers; a resident asked.
    team_with_binh(&app).await;
    let mut binh = Chat::new(&app, ChannelName::Telegram, "5550001");
    binh.prove("+84912345679").await;
    let mut cuong = Chat::new(&app, ChannelName::Telegram, "5550002");
    cuong.prove("+84912345680").await;
    let mut resident = Chat::new(&app, ChannelName::Telegram, "7770001");
    resident.ask_up_to_sending().await;
    resident.press("📨 Gửi").await;
    let offered = offers(&app, ChannelName::Telegram).await;
    let payload = |chat: &str| {
        offered
            .iter()
            .find(|(id, _)| id == chat)
            .map(|(_, p)| Incoming::Button(p.clone()))
            .unwrap_or_else(|| panic!("no offer to {chat} in {offered:#?}"))
    };
    let (to_binh, to_cuong) = (payload("5550001"), payload("5550002"));

    // Act: both press "Tôi nhận" at the same moment, each in their own step.
    let (_, _) = tokio::join!(binh.send(to_binh), cuong.send(to_cuong));

    // Assert: one owner, one "taken" in the audit log, and the request is taken.
    let requests = app
        .store()
        .help_requests_of_unit("11083-01")
        .await
        .expect("requests");
    let [request] = requests.as_slice() else {
        panic!("one request: {requests:#?}");
    };
    assert_eq!(request.status, RequestStatus::Taken);
    let owner = request.owner.as_ref().expect("an owner");
    assert!(
        ["5550001", "5550002"].contains(&owner.chat.as_str()),
        "{owner:?}"
    );
    assert_eq!(request.version, 2, "taken once");
    let taken = app
        .store()
        .audit_of_unit("11083-01")
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == cnscd::domain::AuditAction::HelpTaken)
        .count();
    assert_eq!(taken, 1);
    app.finish().await;
}

async fn a_telegram_member_and_a_zalo_member_are_both_offered_and_the_zalo_one_takes_it(app: App) {
    // Arrange: Bình on Telegram, Cường on Zalo; a resident asks.
    team_with_binh(&app).await;
    Chat::new(&app, ChannelName::Telegram, "5550001")
        .prove("+84912345679")
        .await;
    let mut cuong = Chat::new(&app, ChannelName::Zalo, "8123456789012345");
    cuong.prove("+84912345680").await;
    let mut resident = Chat::new(&app, ChannelName::Telegram, "7770001");
    resident.ask_up_to_sending().await;
    resident.press("📨 Gửi").await;

    // Act: each channel's offers, and Cường takes it from Zalo.
    let on_telegram = offers(&app, ChannelName::Telegram).await;
    let on_zalo = offers(&app, ChannelName::Zalo).await;
    let taken = cuong.send(Incoming::Button(on_zalo[0].1.clone())).await;

    // Assert
    let chats =
        |offers: &[(String, String)]| offers.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>();
    assert_eq!(chats(&on_telegram), ["5550001"]);
    assert_eq!(chats(&on_zalo), ["8123456789012345"]);
    let said = cnscd::i18n::to_plain(taken[0].text.as_str());
    assert!(said.contains("Anh/chị đã nhận yêu cầu"), "{said}");
    let request = &app
        .store()
        .help_requests_of_unit("11083-01")
        .await
        .expect("requests")[0];
    let owner = request.owner.as_ref().expect("an owner");
    assert_eq!(
        (owner.channel.as_str(), owner.name.as_str()),
        ("zalo", "Lê Văn Cường")
    );
    let told: Vec<String> = app
        .store()
        .pending_outbox("telegram", 100)
        .await
        .expect("outbox")
        .iter()
        .filter(|m| m.chat_id == "5550001")
        .map(|m| cnscd::i18n::to_plain(m.reply.text.as_str()))
        .collect();
    assert!(
        told.iter()
            .any(|t| t.contains("Lê Văn Cường đã nhận yêu cầu")),
        "{told:#?}"
    );
    app.finish().await;
}
