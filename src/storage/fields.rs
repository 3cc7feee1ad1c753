//! The columns of the optional fields declared in [`crate::domain::fields`]: a member's in
//! `members`, the leader's in `teams` (`leader_<column>`). Statements that write or list
//! people add these columns from the declarations; statements reading `m.*` or `t.*` get
//! them already. A declared field without its column fails
//! `every_declared_field_has_its_column_on_both_engines`.

use sqlx::Row;

use super::{DbRow, StorageResult};
use crate::domain::{FieldKey, Fields};

/// The member columns, each after a comma (`, workplace`), with `prefix` (`m.`) before each.
pub fn member_columns(prefix: &str) -> String {
    FieldKey::of_members()
        .map(|k| format!(", {prefix}{}", k.declaration().member_column()))
        .collect()
}

/// The leader columns, each after a comma (`, leader_position`), with `prefix` before each.
pub fn leader_columns(prefix: &str) -> String {
    FieldKey::of_leader()
        .map(|k| format!(", {prefix}{}", k.declaration().leader_column()))
        .collect()
}

/// `, $first, $first+1, …`: one placeholder per member column.
pub fn member_placeholders(first: usize) -> String {
    (first..first + FieldKey::of_members().count())
        .map(|n| format!(", ${n}"))
        .collect()
}

/// `, leader_a = $first, …`: the leader columns set by an UPDATE.
pub fn leader_assignments(first: usize) -> String {
    FieldKey::of_leader()
        .zip(first..)
        .map(|(k, n)| format!(", {} = ${n}", k.declaration().leader_column()))
        .collect()
}

/// `, leader_a = NULL, …`: the leader columns cleared (the leader's data erased).
pub fn leader_cleared() -> String {
    FieldKey::of_leader()
        .map(|k| format!(", {} = NULL", k.declaration().leader_column()))
        .collect()
}

/// A member's values, in the order of [`member_columns`].
pub fn member_values(fields: &Fields) -> impl Iterator<Item = Option<String>> + '_ {
    FieldKey::of_members().map(|k| fields.get(k).map(str::to_owned))
}

/// The leader's values, in the order of [`leader_columns`].
pub fn leader_values(fields: &Fields) -> impl Iterator<Item = Option<String>> + '_ {
    FieldKey::of_leader().map(|k| fields.get(k).map(str::to_owned))
}

/// A member's fields from a row holding the member columns.
pub fn member_fields(row: &DbRow) -> StorageResult<Fields> {
    let mut fields = Fields::default();
    for key in FieldKey::of_members() {
        fields.set(key, row.try_get(key.declaration().member_column())?);
    }
    Ok(fields)
}

/// The leader's fields from a row holding the leader columns.
pub fn leader_fields(row: &DbRow) -> StorageResult<Fields> {
    let mut fields = Fields::default();
    for key in FieldKey::of_leader() {
        fields.set(
            key,
            row.try_get(key.declaration().leader_column().as_str())?,
        );
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::scratch::{report_skipped, ScratchDb};
    use crate::storage::Store;

    async fn columns_are_there(db: &ScratchDb) {
        let store = Store::connect(db.url()).await.expect("a migrated database");
        let members = format!("SELECT id{} FROM members LIMIT 0", member_columns(""));
        let teams = format!("SELECT id{} FROM teams LIMIT 0", leader_columns(""));
        for sql in [members, teams] {
            let read = sqlx::query(&sql).fetch_all(store.pool()).await;
            assert!(read.is_ok(), "{:?}: {sql}: {:?}", db.backend(), read.err());
        }
    }

    /// Each declared field has its column in the schema of both engines (a migration per
    /// engine), read through the lists the statements use.
    #[tokio::test]
    async fn every_declared_field_has_its_column_on_both_engines() {
        columns_are_there(&ScratchDb::sqlite().expect("a scratch SQLite")).await;
        match ScratchDb::postgres_from_env()
            .await
            .expect("a scratch PostgreSQL")
        {
            Some(db) => {
                columns_are_there(&db).await;
                db.destroy().await;
            }
            None => report_skipped("the declared fields' columns"),
        }
    }
}
