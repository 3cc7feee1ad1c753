//! The Telegram adapter end to end: the real dispatcher against a fake Bot API server, with a
//! fresh database per test. The steps below are the village head's, in Vietnamese.

mod announce;
mod downloads;
mod durability;
mod http_limits;
mod messages;
mod places;
mod registration;
mod resilience;
mod webhook;

use crate::support::telegram_app::{joined, TelegramApp};

const ASK_LEADER_NAME: &str = "Họ và tên đầy đủ của anh/chị (tổ trưởng)?";
const ASK_LEADER_PHONE: &str = "Số điện thoại di động của anh/chị?";
const ASK_LEADER_CONSENT: &str = "trên thẻ của tổ để gọi khi cần giúp. Anh/chị có đồng ý không?";
const ASK_MEMBER_1: &str = "Thành viên thứ 1";
const ASK_ROLE: &str = "giữ vai trò gì trong tổ?";
const ASK_WORKPLACE: &str = "làm việc hoặc dạy ở đâu?";
const ASK_ADD_MORE: &str = "Thêm thành viên nữa?";
const REVIEW: &str = "Anh/chị kiểm tra lại rồi bấm";
const ASK_DECISION: &str = "Quyết định thành lập";
const ASK_DECISION_FILE: &str = "tệp PDF của quyết định đã ký";
const ASK_CONSENT: &str = "đã ký giấy đồng ý chưa?";
const SAVED: &str = "Đã lưu tổ";

/// `/start CODE`: ends at the leader's name.
async fn start(app: &mut TelegramApp) {
    let start = format!("/start {}", app.invitation);
    let welcome = app.say(&start, ASK_LEADER_NAME).await;
    assert!(
        joined(&welcome).contains("trưởng thôn: <b>Thôn Đông Sơn</b>, Xã Đại Sơn"),
        "the welcome names the village: {}",
        joined(&welcome)
    );
}

/// `/start CODE`, then the leader: ends at "member 1: full name?".
async fn start_and_enter_the_leader(app: &mut TelegramApp) {
    start(app).await;
    app.say("Nguyễn Văn An", ASK_LEADER_PHONE).await;
    app.say("0912 345 678", ASK_LEADER_CONSENT).await;
    app.press("✅ Đồng ý", ASK_MEMBER_1).await;
}

/// A member as the head enters them; `role` is the label of a role button.
struct NewMember {
    name: &'static str,
    role: &'static str,
    phone: &'static str,
    workplace: &'static str,
}

const YOUTH_SECRETARY: NewMember = NewMember {
    name: "Trần Thị Bình",
    role: "Bí thư Chi đoàn",
    phone: "0987 654 321",
    workplace: "Đoàn xã Đại Sơn",
};

const TEACHER: NewMember = NewMember {
    name: "Lê Văn Cường",
    role: "Giáo viên Tiểu học",
    phone: "+84 903 123 456",
    workplace: "Trường Tiểu học Đại Sơn",
};

/// One member, from the name question to "add another member?".
async fn enter_member(app: &mut TelegramApp, member: &NewMember) {
    app.say(member.name, ASK_ROLE).await;
    let ask_phone = format!("Số điện thoại di động của {}?", member.name);
    app.press(member.role, &ask_phone).await;
    app.say(member.phone, ASK_CONSENT).await;
    app.press("Đã ký giấy đồng ý", ASK_WORKPLACE).await;
    let saved = app.say(member.workplace, ASK_ADD_MORE).await;
    let expected = format!("Đã ghi thành viên {}", member.name);
    assert!(joined(&saved).contains(&expected), "{}", joined(&saved));
}

/// After the first member: the teacher as the second, confirmed without a decision.
async fn add_the_teacher_and_save(app: &mut TelegramApp) {
    app.press("Thêm thành viên", "Thành viên thứ 2").await;
    enter_member(app, &TEACHER).await;
    app.press("Xong", REVIEW).await;
    app.press("Xác nhận", ASK_DECISION).await;
    app.press("Chưa có", SAVED).await;
}

/// A team of two, confirmed, with the decision's number and date: ends at the scan question.
async fn reach_the_decision_scan(app: &mut TelegramApp) {
    start_and_enter_the_leader(app).await;
    enter_member(app, &YOUTH_SECRETARY).await;
    app.press("Thêm thành viên", "Thành viên thứ 2").await;
    enter_member(app, &TEACHER).await;
    app.press("Xong", REVIEW).await;
    app.press("Xác nhận", ASK_DECISION).await;
    app.press("Có, nhập quyết định", "Số quyết định?").await;
    app.say("125/QĐ-UBND", "Ngày ký quyết định").await;
    app.say("15/04/2022", ASK_DECISION_FILE).await;
}
