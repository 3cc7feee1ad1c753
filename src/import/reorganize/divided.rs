//! Villages of divided communes: placed by the village file, or listed "to assign".

use super::{Report, ToAssign};
use crate::storage::reorganize as sql;
use crate::storage::{StorageError, Tx};

pub(super) async fn assign(
    tx: &mut Tx<'_>,
    placed: &[(String, String)],
    report: &mut Report,
) -> Result<(), StorageError> {
    for (village, commune) in placed {
        let Some(unit) = crate::storage::units::unit_in_tx(tx, village).await? else {
            continue;
        };
        let from = unit.parent_code.unwrap_or_default();
        sql::move_villages(tx, &from, commune, std::slice::from_ref(village)).await?;
        report.assigned.push((village.clone(), commune.clone()));
    }
    Ok(())
}

/// The villages still under a divided commune's history row.
pub(super) async fn list_to_assign(
    tx: &mut Tx<'_>,
    report: &mut Report,
) -> Result<(), StorageError> {
    let divided: Vec<(String, String, String)> = sql::successions(tx)
        .await?
        .into_iter()
        .filter(|s| s.split)
        .map(|s| (s.history_code, s.old_name, s.new_code))
        .collect();
    for (history, old_name, suggested) in divided {
        for village in crate::storage::units::children_in_tx(tx, &history).await? {
            report.to_assign.push(ToAssign {
                village_code: village.code,
                village_name: village.name,
                old_commune: old_name.clone(),
                suggested: suggested.clone(),
            });
        }
    }
    Ok(())
}
