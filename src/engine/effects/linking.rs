//! `/lienket`: a one-time code shown in one chat and typed in another makes them one
//! person's (an official on Telegram and on Zalo), who then gets alerts wherever they can
//! be delivered.

use chrono::Duration;
use rand::Rng;

use super::{Applied, EffectEnv};
use crate::conversation::{notices, Effect};
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
                env.chat.channel.as_str(),
                &env.chat.id,
                expires,
                now,
            )
            .await?;
            applied.replies.push(notices::link_code(
                env.texts,
                env.lang,
                &code,
                LINK_CODE_MINUTES,
            ));
        }
        Effect::LinkWith { code } => {
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            let code = code.trim();
            let linked = redeem_link_code(
                tx,
                &hash_code(code),
                env.chat.channel.as_str(),
                &env.chat.id,
                now,
            )
            .await?;
            let done = match linked {
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
                    true
                }
                Linked::Invalid => {
                    let detail = serde_json::json!({ "reason": "link code" });
                    audit(tx, &actor, WRONG_CODE, None, &detail, now).await?;
                    false
                }
            };
            applied
                .replies
                .push(notices::link_result(env.texts, env.lang, done));
        }
        _ => {}
    }
    Ok(())
}
