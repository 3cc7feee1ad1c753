//! A number from a form that does not prove it (Zalo's share-info form) becomes the chat's own
//! only when the head of a team listing it confirms: the chat is shown a one-time code, tells
//! it to the head (in person, by phone), and the head types `/xacnhan CODE`. Until then the
//! number reads nothing private and changes nothing.

use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::{record, Applied, EffectEnv};
use crate::conversation::Effect;
use crate::domain::invitation_code::hash_code;
use crate::domain::AuditAction;
use crate::domain::PhoneNumber;
use crate::i18n::{Html, K};
use crate::storage::accounts::{account_with_unit_at, Account};
use crate::storage::limits::{self, Limit};
use crate::storage::proofs::{confirm_claim, create_number_proof, pending_claim};
use crate::storage::sessions::chat_lang;
use crate::storage::{directory, outbox, units, StorageError, Tx};

/// How long the code works: the member has to reach their head.
const PROOF_CODE_HOURS: i64 = 48;

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    effect: &Effect,
    applied: &mut Applied,
) -> Result<(), StorageError> {
    let (actor, now) = (env.chat.actor(), env.now);
    match effect {
        Effect::ProveNumber { phone } => {
            // Eight digits, single use; wrong codes count against the head's chat.
            let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
            let expires = now + Duration::hours(PROOF_CODE_HOURS);
            let chat = (env.chat.channel.as_str(), env.chat.id.as_str());
            create_number_proof(tx, &hash_code(&code), phone, chat, expires, now).await?;
            let args = [
                ("phone", Html::text(&phone.national())),
                ("code", Html::text(&code)),
                ("hours", Html::text(&PROOF_CODE_HOURS.to_string())),
            ];
            let text = env.texts.fill(env.lang, K::NumberProofCode, &args);
            applied.replies.push(crate::conversation::Reply::text(text));
        }
        Effect::ConfirmNumber { code } => {
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            let code_sha256 = hash_code(code.trim());
            let chat = (env.chat.channel.as_str(), env.chat.id.as_str());
            let account = account_with_unit_at(tx, chat.0, chat.1, Some(now)).await?;
            let claim = pending_claim(tx, &code_sha256, now).await?;
            let found = match (account, claim) {
                (Some(account), Some(claim)) => listed_in_scope(tx, &account.account, &claim.phone)
                    .await?
                    .map(|listed| (account.account, claim, listed)),
                _ => None,
            };
            let Some((account, claim, (unit, name))) = found else {
                let detail = json!({ "reason": "number proof" });
                record(tx, env, effect, AuditAction::WrongCode, None, &detail).await?;
                let text = env.texts.get(env.lang, K::NumberProofInvalid);
                applied.replies.push(crate::conversation::Reply::text(text));
                return Ok(());
            };
            confirm_claim(tx, &code_sha256, &claim, &actor, now).await?;
            let detail = json!({ "role": account.role.code() });
            record(
                tx,
                env,
                effect,
                AuditAction::NumberProven,
                Some(&unit),
                &detail,
            )
            .await?;
            let phone = Html::text(&claim.phone.national());
            let args = [("name", Html::text(&name)), ("phone", phone.clone())];
            let text = env.texts.fill(env.lang, K::NumberProven, &args);
            applied.replies.push(crate::conversation::Reply::text(text));
            let lang = chat_lang(tx, &claim.channel, &claim.chat_id).await?;
            let told = env
                .texts
                .fill(lang, K::NumberProvenToMember, &[("phone", phone)]);
            let told = crate::conversation::Reply::text(told);
            outbox::enqueue(tx, &claim.channel, &claim.chat_id, &told, None, now).await?;
        }
        _ => {}
    }
    Ok(())
}

/// The team (unit code) and name under which `phone` is listed where `account` may vouch for
/// it: the head's own village, or a commune official's commune and its villages.
async fn listed_in_scope(
    tx: &mut Tx<'_>,
    account: &Account,
    phone: &PhoneNumber,
) -> Result<Option<(String, String)>, StorageError> {
    for (unit_code, name, _) in directory::memberships(tx, phone).await? {
        let parent = units::unit_in_tx(tx, &unit_code)
            .await?
            .and_then(|unit| unit.parent_code);
        if unit_code == account.unit_code || parent.as_deref() == Some(&account.unit_code) {
            return Ok(Some((unit_code, name)));
        }
    }
    Ok(None)
}
