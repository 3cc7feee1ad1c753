//! Tests of reading the admin chats that hear of a refused Zalo token refresh.

use super::*;

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
            ("telegram".to_owned(), "42".to_owned()),
            ("zalo".to_owned(), "8011".to_owned())
        ]
    );
    assert!(matches!(
        parse_admin_chats(&["42".to_owned()]),
        Err(TokensError::AdminChat(_))
    ));
}
