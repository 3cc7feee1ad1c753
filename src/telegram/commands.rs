//! The command menu Telegram shows next to the input field, in the user's app language:
//! Vietnamese by default, English for English apps.

use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::RequestError;

use super::Api;
use crate::i18n::{to_plain, Lang, Texts, K};

/// The menu of `lang`. The commands themselves are the ones the core understands (see
/// [`crate::conversation::parse_command`]); "cancel" is `/huy` in Vietnamese.
pub fn bot_commands(texts: &Texts, lang: Lang) -> Vec<BotCommand> {
    let (cancel, find, invite, report, member, my_data) = match lang {
        Lang::Vi => ("huy", "tim", "moi", "baocao", "thanhvien", "dulieu"),
        Lang::En => ("cancel", "find", "invite", "report", "member", "mydata"),
    };
    [
        ("start", K::CmdStart),
        (find, K::CmdFind),
        ("myteam", K::CmdMyTeam),
        (member, K::CmdMember),
        (my_data, K::CmdMyData),
        (invite, K::CmdInvite),
        (report, K::CmdReport),
        ("help", K::CmdHelp),
        (cancel, K::CmdCancel),
        ("lang", K::CmdLanguage),
        ("back", K::CmdBack),
        ("skip", K::CmdSkip),
    ]
    .into_iter()
    .map(|(command, key)| BotCommand::new(command, to_plain(texts.template(lang, key))))
    .collect()
}

/// Sets the menu for Vietnamese apps, English apps and every other app (in Vietnamese).
pub(super) async fn set_commands<R: Api>(bot: &R, texts: &Texts) -> Result<(), RequestError> {
    let menus = [
        (None, Lang::Vi),
        (Some("vi"), Lang::Vi),
        (Some("en"), Lang::En),
    ];
    for (language_code, lang) in menus {
        // Built in a block: the request builder need not be `Send`, only its future is.
        let setting = {
            let request = bot.set_my_commands(bot_commands(texts, lang));
            match language_code {
                Some(code) => request.language_code(code).send(),
                None => request.send(),
            }
        };
        setting.await?;
    }
    Ok(())
}
