//! Tests of reading the admin chats that hear of a refused Zalo token refresh.

use super::*;
use crate::chat::{ChannelName, ChatKey};

#[test]
fn admin_chats_are_channel_and_id() {
    let chats = [
        "telegram:42".to_owned(),
        " zalo:8011 ".to_owned(),
        String::new(),
    ];
    assert_eq!(
        parse_admin_chats(&chats).unwrap(),
        vec![
            ChatKey::new(ChannelName::Telegram, "42"),
            ChatKey::new(ChannelName::Zalo, "8011")
        ]
    );
    assert!(matches!(
        parse_admin_chats(&["42".to_owned()]),
        Err(TokensError::AdminChat(_))
    ));
    assert!(matches!(
        parse_admin_chats(&["telgram:42".to_owned()]),
        Err(TokensError::AdminChat(_))
    ));
}
