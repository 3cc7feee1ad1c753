//! `/lienket`: a one-time code shown in the chat holding a role and typed in another, then
//! confirmed in the first, makes them one person's (an official on Telegram and on Zalo), who
//! then gets alerts wherever they can be delivered. The typed chat holds the same account:
//! one expiry, one revocation.

use chrono::Duration;
use rand::Rng;

use serde_json::json;

use super::{record, Applied, EffectEnv};
use crate::conversation::{notices, Effect};
use crate::domain::invitation_code::hash_code;
use crate::domain::AuditAction;
use crate::i18n::K;
use crate::storage::accounts::account_with_unit_at;
use crate::storage::limits::{self, Limit};
use crate::storage::outbox;
use crate::storage::people::{claim_link_code, confirm_link, create_link_code, Claimed, Confirmed};
use crate::storage::sessions::chat_lang;
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
    let (channel, chat_id) = (env.chat.channel.as_str(), env.chat.id.as_str());
    match effect {
        Effect::ShowLinkCode => {
            // Only the chat holding the role shows a code: a code shown by a role-less chat
            // and typed by an official would hand the role away (issue 20).
            if account_with_unit_at(tx, channel, chat_id, Some(now))
                .await?
                .is_none()
            {
                say(env, applied, K::LinkNeedsRole);
                return Ok(());
            }
            // Eight digits: easy to type on a phone; single use, ten minutes, and wrong
            // codes count against the chat's limit, so guessing gets nowhere.
            let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
            let expires = now + Duration::minutes(LINK_CODE_MINUTES);
            create_link_code(tx, &hash_code(&code), channel, chat_id, expires, now).await?;
            applied.replies.push(notices::link_code(
                env.texts,
                env.lang,
                &code,
                LINK_CODE_MINUTES,
            ));
        }
        Effect::LinkWith { code } => {
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            let claimed =
                claim_link_code(tx, &hash_code(code.trim()), channel, chat_id, now).await?;
            match claimed {
                Claimed::Waiting {
                    channel: shown_channel,
                    chat_id: shown_chat,
                    account,
                } => {
                    record(
                        tx,
                        env,
                        effect,
                        AuditAction::ChatsLinkAsked,
                        None,
                        &json!({}),
                    )
                    .await?;
                    let unit = crate::storage::units::unit_in_tx(tx, &account.unit_code)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_default();
                    let lang = chat_lang(tx, &shown_channel, &shown_chat).await?;
                    let ask = notices::link_confirm_ask(
                        env.texts,
                        lang,
                        &chat_label(channel, chat_id),
                        account.role,
                        &unit,
                    );
                    outbox::enqueue(tx, &shown_channel, &shown_chat, &ask, None, now).await?;
                    say(env, applied, K::LinkWaiting);
                }
                Claimed::Invalid => {
                    let detail = json!({ "reason": "link code" });
                    record(tx, env, effect, AuditAction::WrongCode, None, &detail).await?;
                    say(env, applied, K::LinkCodeInvalid);
                }
            }
        }
        Effect::ConfirmLink => match confirm_link(tx, channel, chat_id, now).await? {
            Confirmed::Linked {
                channel: other_channel,
                chat_id: other_chat,
            } => {
                let detail = json!({ "with": format!("{other_channel}:{other_chat}") });
                record(tx, env, effect, AuditAction::ChatsLinked, None, &detail).await?;
                let lang = chat_lang(tx, &other_channel, &other_chat).await?;
                let done = notices::link_result(env.texts, lang, K::LinkDone);
                outbox::enqueue(tx, &other_channel, &other_chat, &done, None, now).await?;
                say(env, applied, K::LinkDone);
            }
            Confirmed::Nothing => say(env, applied, K::LinkNothingToConfirm),
        },
        _ => {}
    }
    Ok(())
}

fn say(env: &EffectEnv<'_>, applied: &mut Applied, key: K) {
    applied
        .replies
        .push(notices::link_result(env.texts, env.lang, key));
}

/// How the chat holding the role sees the chat that typed its code: the channel and the end
/// of the chat's id (enough to recognise one's own, nothing more).
fn chat_label(channel: &str, chat_id: &str) -> String {
    let tail: String = chat_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let app = match channel {
        "telegram" => "Telegram",
        "zalo" => "Zalo",
        other => other,
    };
    format!("{app} …{tail}")
}
