//! The writing half of `units reorganize`: inside its one transaction, communes created,
//! villages moved, officials moved or ended (and told in chat), campaigns and emptied
//! districts handled, villages of divided communes placed or listed "to assign".

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::conversation::Reply;
use crate::domain::AccountRole;
use crate::i18n::{Html, Texts, K};
use crate::import::units::{commune_kind_of_name, province_kind};
use crate::storage::outbox;
use crate::storage::reorganize::{self as sql, BoundChat, Succession};
use crate::storage::units::upsert_units;
use crate::storage::{NewUnit, StorageError, Tx, Unit, UnitLevel};

mod emptied;

use emptied::end_emptied;

/// Tells officials in chat what the reorganisation did to their account.
pub(super) struct Tell<'a> {
    pub(super) texts: &'a Texts,
    pub(super) now: DateTime<Utc>,
    pub(super) on: NaiveDate,
}

impl Tell<'_> {
    async fn say(
        &self,
        tx: &mut Tx<'_>,
        chat: &BoundChat,
        key: K,
        args: &[(&str, &str)],
    ) -> Result<(), StorageError> {
        let Some((channel, chat_id)) = chat.chat.split_once(':') else {
            return Ok(());
        };
        let lang = crate::storage::sessions::chat_lang(tx, channel, chat_id).await?;
        let day = self.on.format("%d/%m/%Y").to_string();
        let mut html: Vec<(&str, Html)> = vec![("date", Html::text(&day))];
        html.extend(args.iter().map(|(name, value)| (*name, Html::text(value))));
        let reply = Reply::text(self.texts.fill(lang, key, &html));
        outbox::enqueue(tx, channel, chat_id, &reply, None, self.now).await?;
        Ok(())
    }
}

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    todo: &[&MapRow],
    units: &HashMap<String, Unit>,
    options: &Options,
    tell: &Tell<'_>,
    report: &mut Report,
) -> Result<(), StorageError> {
    let now = tell.now;
    if todo.is_empty() {
        return Ok(());
    }
    let on = options.effective_on;
    let new_codes: HashSet<&str> = todo.iter().map(|r| r.new_code.as_str()).collect();
    // 1. Old communes whose code a new commune takes over are copied to a history row first.
    let mut history: HashMap<&str, String> = HashMap::new();
    for row in todo {
        let kept = if new_codes.contains(row.old_code.as_str()) {
            let kept = history_code(&row.old_code, on);
            sql::keep_as_history(tx, &row.old_code, &kept).await?;
            kept
        } else {
            row.old_code.clone()
        };
        history.insert(row.old_code.as_str(), kept);
    }
    // 2. The new provinces and communes.
    let mut wanted: BTreeMap<&str, NewUnit> = BTreeMap::new();
    let mut provinces: BTreeMap<&str, NewUnit> = BTreeMap::new();
    for row in todo {
        if !units.contains_key(&row.new_province_code) {
            provinces
                .entry(&row.new_province_code)
                .or_insert_with(|| NewUnit {
                    code: row.new_province_code.clone(),
                    name: row.new_province_name.clone(),
                    kind: province_kind(&row.new_province_name)
                        .unwrap_or_default()
                        .to_owned(),
                    level: UnitLevel::Province,
                    parent_code: None,
                });
        }
        wanted.entry(&row.new_code).or_insert_with(|| NewUnit {
            code: row.new_code.clone(),
            name: row.new_name.clone(),
            kind: commune_kind_of_name(&row.new_name)
                .unwrap_or_default()
                .to_owned(),
            level: UnitLevel::Commune,
            parent_code: Some(row.new_province_code.clone()),
        });
    }
    let provinces: Vec<NewUnit> = provinces.into_values().collect();
    upsert_units(tx, &provinces, now).await?;
    let communes: Vec<NewUnit> = wanted.values().cloned().collect();
    upsert_units(tx, &communes, now).await?;
    for commune in &communes {
        sql::revive_unit(tx, &commune.code).await?;
    }
    // 3. Each old commune: ended, its villages (unless divided) and officials to the new one.
    let mut per_new: BTreeMap<&str, Vec<FromCommune>> = BTreeMap::new();
    for row in todo {
        let old = &units[&row.old_code];
        let kept = history[row.old_code.as_str()].clone();
        sql::end_unit(tx, &kept, on, Some(&row.new_code)).await?;
        sql::record_succession(
            tx,
            &Succession {
                old_code: row.old_code.clone(),
                history_code: kept.clone(),
                new_code: row.new_code.clone(),
                old_name: old.name.clone(),
                split: row.split,
                effective_on: on.format("%Y-%m-%d").to_string(),
            },
            now,
        )
        .await?;
        let (villages, teams) = if row.split {
            (Vec::new(), 0)
        } else {
            sql::villages_with_teams(tx, &kept).await?
        };
        sql::move_villages(tx, &kept, &row.new_code, &villages).await?;
        let new_name = row.new_name.as_str();
        move_or_end_officials(tx, &kept, row, options, tell, (&old.name, new_name), report).await?;
        move_campaigns(tx, &kept, &row.new_code, report).await?;
        per_new.entry(&row.new_code).or_default().push(FromCommune {
            code: row.old_code.clone(),
            name: old.name.clone(),
            history_code: kept,
            split: row.split,
            villages: villages.len(),
            teams,
        });
    }
    // 4. Districts (and provinces) left without a current commune end, with their officials.
    end_emptied(tx, todo, units, tell, report).await?;
    report.new_communes = wanted
        .values()
        .map(|unit| {
            let province = provinces
                .iter()
                .find(|p| Some(&p.code) == unit.parent_code.as_ref())
                .map(|p| p.name.clone())
                .or_else(|| {
                    let code = unit.parent_code.as_ref()?;
                    units.get(code).map(|p| p.name.clone())
                })
                .unwrap_or_default();
            let existed = units
                .get(&unit.code)
                .is_some_and(|u| !under_district(u, units));
            NewCommune {
                code: unit.code.clone(),
                name: unit.name.clone(),
                province_code: unit.parent_code.clone().unwrap_or_default(),
                province_name: province,
                created: !existed,
                from: per_new.remove(unit.code.as_str()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(())
}

pub(super) async fn move_or_end_officials(
    tx: &mut Tx<'_>,
    kept: &str,
    row: &MapRow,
    options: &Options,
    tell: &Tell<'_>,
    (old_name, new_name): (&str, &str),
    report: &mut Report,
) -> Result<(), StorageError> {
    let officials = sql::bound_chats(tx, kept, AccountRole::CommuneOfficial).await?;
    let args = [("old", old_name), ("new", new_name)];
    // A merged commune may keep its name ("Xã Đại Sơn" into the new "Xã Đại Sơn"): "Xã Đại
    // Sơn thuộc Xã Đại Sơn" would read as nonsense, so that case has its own words.
    let same_name = old_name == new_name;
    let (ended, moved) = if same_name {
        (
            K::NoticeCommuneOfficialEndedSameName,
            K::NoticeCommuneOfficialMovedSameName,
        )
    } else {
        (K::NoticeCommuneOfficialEnded, K::NoticeCommuneOfficialMoved)
    };
    if options.revoke_officials {
        for chat in &officials {
            tell.say(tx, chat, ended, &args).await?;
        }
        sql::end_accounts(tx, kept, AccountRole::CommuneOfficial, BY, tell.now).await?;
        report.officials_revoked.extend(officials);
    } else {
        sql::move_officials(tx, kept, &row.new_code).await?;
        for chat in &officials {
            tell.say(tx, chat, moved, &args).await?;
        }
        report.officials_moved.extend(
            officials
                .into_iter()
                .map(|o| (o.chat, row.old_code.clone(), row.new_code.clone())),
        );
    }
    Ok(())
}

/// An open campaign of the old commune becomes the new commune's, unless it has one.
pub(super) async fn move_campaigns(
    tx: &mut Tx<'_>,
    kept: &str,
    new_code: &str,
    report: &mut Report,
) -> Result<(), StorageError> {
    for (id, name) in sql::campaigns_of(tx, kept).await? {
        if sql::campaigns_of(tx, new_code).await?.is_empty() {
            sql::move_campaign(tx, id, new_code).await?;
            report.campaigns_moved.push((id, new_code.to_owned()));
        } else {
            report.campaigns_left.push((id, name, kept.to_owned()));
        }
    }
    Ok(())
}
