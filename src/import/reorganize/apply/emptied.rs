//! Ending the districts (and provinces) the reorganisation emptied, with their officials'
//! accounts; what could not end yet is reported.

use std::collections::{BTreeMap, HashSet};

use super::super::{MapRow, Report, BY};
use super::Tell;
use crate::domain::AccountRole;
use crate::i18n::K;
use crate::storage::reorganize as sql;
use crate::storage::{StorageError, Tx, Unit};
use std::collections::HashMap;

pub(super) async fn end_emptied(
    tx: &mut Tx<'_>,
    todo: &[&MapRow],
    units: &HashMap<String, Unit>,
    tell: &Tell<'_>,
    report: &mut Report,
) -> Result<(), StorageError> {
    let (on, now) = (tell.on, tell.now);
    let mut districts: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for row in todo {
        districts
            .entry(&row.old_district_code)
            .or_default()
            .insert(&row.new_province_code);
    }
    let mut provinces: BTreeMap<String, HashSet<&str>> = BTreeMap::new();
    for (district, into) in &districts {
        let current = crate::storage::units::children_in_tx(tx, district).await?;
        let left: Vec<&Unit> = current.iter().filter(|u| u.is_current()).collect();
        if !left.is_empty() {
            report.unmapped.extend(
                left.into_iter()
                    .map(|u| (u.code.clone(), u.name.clone(), district.to_string())),
            );
            continue;
        }
        let merged_into = (into.len() == 1).then(|| *into.iter().next().expect("one"));
        sql::end_unit(tx, district, on, merged_into).await?;
        let name = units
            .get(*district)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        report
            .units_ended
            .push((district.to_string(), name.clone()));
        let chats = sql::bound_chats(tx, district, AccountRole::DistrictOfficial).await?;
        // Who may invite them again, by name: a "thành phố" (Hải Phòng) is no "tỉnh".
        let mut by: Vec<&str> = todo
            .iter()
            .filter(|row| into.contains(row.new_province_code.as_str()))
            .map(|row| row.new_province_name.as_str())
            .collect();
        by.sort_unstable();
        by.dedup();
        let by = by.join(", ");
        for chat in &chats {
            tell.say(
                tx,
                chat,
                K::NoticeDistrictOfficialEnded,
                &[("district", &name), ("province", &by)],
            )
            .await?;
        }
        sql::end_accounts(tx, district, AccountRole::DistrictOfficial, BY, now).await?;
        report.district_officials_ended.extend(chats);
        for (id, name) in sql::campaigns_of(tx, district).await? {
            report.campaigns_left.push((id, name, district.to_string()));
        }
        if let Some(province) = units.get(*district).and_then(|d| d.parent_code.clone()) {
            provinces.entry(province).or_default().extend(into.iter());
        }
    }
    for (province, into) in &provinces {
        let current = crate::storage::units::children_in_tx(tx, province).await?;
        if current.iter().any(Unit::is_current) {
            continue;
        }
        let merged_into = (into.len() == 1).then(|| *into.iter().next().expect("one"));
        sql::end_unit(tx, province, on, merged_into).await?;
        let name = units
            .get(province)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        report.units_ended.push((province.clone(), name));
        for (id, name) in sql::campaigns_of(tx, province).await? {
            report.campaigns_left.push((id, name, province.clone()));
        }
    }
    Ok(())
}
