//! `/lienket`: a one-time code shown in one chat and typed in another makes them one
//! person's (an official on Telegram and on Zalo), who then gets alerts wherever they can
//! be delivered.

use chrono::Duration;
use rand::Rng;

use super::{Applied, EffectEnv};
use crate::conversation::{Effect, Reply};
use crate::i18n::{Html, K};
use crate::invitation::hash_code;
use crate::storage::audit::audit;
use crate::storage::limits::{self, Limit, WRONG_CODE};
use crate::storage::people::{create_link_code, redeem_link_code, Linked};
use crate::storage::{StorageError, Tx};

/// How long a link code works: long enough to open the other app.
const LINK_CODE_MINUTES: i64 = 10;

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    effect: &Effect,
    applied: &mut Applied,
) -> Result<(), StorageError> {
    let (actor, now) = (env.chat.actor(), env.now);
    match effect {
        Effect::ShowLinkCode => {
            // Eight digits: easy to type on a phone; single use, ten minutes, and wrong
            // codes count against the chat's limit, so guessing gets nowhere.
            let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
            let expires = now + Duration::minutes(LINK_CODE_MINUTES);
            create_link_code(
                tx,
                &hash_code(&code),
                env.chat.channel,
                &env.chat.id,
                expires,
                now,
            )
            .await?;
            let args = [
                ("code", Html::text(&code)),
                ("minutes", Html::text(&LINK_CODE_MINUTES.to_string())),
            ];
            applied.replies.push(Reply::text(env.texts.fill(
                env.lang,
                K::LinkCodeShown,
                &args,
            )));
        }
        Effect::LinkWith { code } => {
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            let code = code.trim();
            let linked =
                redeem_link_code(tx, &hash_code(code), env.chat.channel, &env.chat.id, now).await?;
            let key = match linked {
                Linked::Done => {
                    audit(
                        tx,
                        &actor,
                        "chats.linked",
                        None,
                        &serde_json::json!({}),
                        now,
                    )
                    .await?;
                    K::LinkDone
                }
                Linked::Invalid => {
                    let detail = serde_json::json!({ "reason": "link code" });
                    audit(tx, &actor, WRONG_CODE, None, &detail, now).await?;
                    K::LinkCodeInvalid
                }
            };
            applied
                .replies
                .push(Reply::text(env.texts.get(env.lang, key)));
        }
        _ => {}
    }
    Ok(())
}
