//! The ways a person sends an invitation code as a message (issue 19), shared by the tests of
//! every channel, and guesses that are not even shaped like a code.

#![allow(dead_code)]

/// How `code` (as `cnscd invite` and the bot show it) may be sent: each way, named.
pub fn ways_to_send(code: &str) -> Vec<(&'static str, String)> {
    let lower = code.to_lowercase();
    vec![
        ("alone", code.to_owned()),
        ("after MOI", format!("MOI {code}")),
        ("in lower case", lower.clone()),
        (
            "with spaces, after Mã mời:",
            format!("Mã mời: {}", lower.replace('-', " ")),
        ),
        ("without its dashes", code.replace('-', "")),
        (
            "inside a pasted Zalo invitation with the link",
            format!(
                "Mã mời cho Thôn Đông Sơn: {code}\nDùng một lần, hết hạn ngày 04/05/2022.\n\
                 Người được mời mở Zalo, vào https://zalo.me/4313572100982173421 (hoặc quét \
                 ảnh mã QR), bấm “Quan tâm” rồi gửi mã trên thành một tin nhắn."
            ),
        ),
        (
            "inside a pasted Telegram link",
            format!("Đường dẫn: https://t.me/cnscd_bot?start={code}"),
        ),
    ]
}

/// `/start` with what no code looks like (a mistyped link, a link code): answered, never
/// counted toward the lockout of wrong codes.
pub const SHAPELESS: [&str; 7] = [
    "/start xyz",
    "/start 12345678",
    "/start K7QM-2XPA",
    "/start hello world",
    "/start Thôn Đông Sơn",
    "/start 0912345678",
    "/start ???",
];

/// A code of the right shape that no invitation has: it still counts.
pub const WELL_SHAPED_WRONG: &str = "2345-6789-ABCD-EFGH-JKMN";
