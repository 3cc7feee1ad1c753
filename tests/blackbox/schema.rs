//! The two migration histories (SQLite, PostgreSQL) are written by hand, side by side: this
//! test migrates both and compares what they built, table by table: the columns (name, type
//! family, nullability) and the indexes (name, columns, uniqueness).

use std::collections::BTreeMap;

use cnscd::storage::scratch::{report_skipped, ScratchDb};
use cnscd::storage::Store;
use sqlx::Row;

/// A table as both engines can describe it.
#[derive(Debug, PartialEq, Eq)]
struct Table {
    /// name → (type family, NOT NULL)
    columns: BTreeMap<String, (String, bool)>,
    /// name → (columns, unique)
    indexes: BTreeMap<String, (Vec<String>, bool)>,
}

/// INTEGER and BIGINT, TEXT and VARCHAR… are one family: what the code binds.
fn family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "integer"
    } else if t.contains("char") || t.contains("text") || t.is_empty() {
        "text"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("float")
        || t.contains("numeric")
    {
        "real"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("bool") {
        "boolean"
    } else {
        return t;
    }
    .to_owned()
}

async fn sqlite_schema(store: &Store) -> BTreeMap<String, Table> {
    let pool = store.pool();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut schema = BTreeMap::new();
    for name in names {
        let mut columns = BTreeMap::new();
        for row in sqlx::query(&format!("PRAGMA table_info(\"{name}\")"))
            .fetch_all(pool)
            .await
            .expect("columns")
        {
            let column: String = row.try_get("name").expect("name");
            let declared: String = row.try_get("type").expect("type");
            let not_null: i64 = row.try_get("notnull").expect("notnull");
            let pk: i64 = row.try_get("pk").expect("pk");
            columns.insert(column, (family(&declared), not_null != 0 || pk != 0));
        }
        let mut indexes = BTreeMap::new();
        for row in sqlx::query(&format!("PRAGMA index_list(\"{name}\")"))
            .fetch_all(pool)
            .await
            .expect("indexes")
        {
            let index: String = row.try_get("name").expect("name");
            let unique: i64 = row.try_get("unique").expect("unique");
            let origin: String = row.try_get("origin").expect("origin");
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> = sqlx::query(&format!("PRAGMA index_info(\"{index}\")"))
                .fetch_all(pool)
                .await
                .expect("index columns")
                .into_iter()
                .map(|r| r.try_get::<String, _>("name").expect("column"))
                .collect();
            // Constraint indexes are named by the engine: keyed by their columns instead.
            let key = if origin == "u" {
                format!("unique({})", cols.join(","))
            } else {
                index
            };
            indexes.insert(key, (cols, unique != 0));
        }
        schema.insert(name, Table { columns, indexes });
    }
    schema
}

async fn postgres_schema(store: &Store) -> BTreeMap<String, Table> {
    let pool = store.pool();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name NOT LIKE '_sqlx%' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut schema = BTreeMap::new();
    for name in names {
        let mut columns = BTreeMap::new();
        for row in sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS type, is_nullable::text AS nullable
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("columns")
        {
            let column: String = row.try_get("name").expect("name");
            let declared: String = row.try_get("type").expect("type");
            let nullable: String = row.try_get("nullable").expect("nullable");
            columns.insert(column, (family(&declared), nullable == "NO"));
        }
        let mut indexes = BTreeMap::new();
        for row in sqlx::query(
            "SELECT i.relname::text AS name, ix.indisunique AS is_unique, ix.indisprimary AS is_pk,
                    c.conname::text AS constraint_name,
                    array_to_string(ARRAY(
                        SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
                        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                        ORDER BY k.n), ',') AS cols
             FROM pg_class t
             JOIN pg_index ix ON ix.indrelid = t.oid
             JOIN pg_class i ON i.oid = ix.indexrelid
             LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid
             WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("indexes")
        {
            if row.try_get::<bool, _>("is_pk").expect("pk") {
                continue;
            }
            let index: String = row.try_get("name").expect("name");
            let unique: bool = row.try_get("is_unique").expect("unique");
            let constraint: Option<String> = row.try_get("constraint_name").expect("constraint");
            let cols: Vec<String> = row
                .try_get::<String, _>("cols")
                .expect("columns")
                .split(',')
                .map(str::to_owned)
                .collect();
            let key = match constraint {
                Some(_) => format!("unique({})", cols.join(",")),
                None => index,
            };
            indexes.insert(key, (cols, unique));
        }
        schema.insert(name, Table { columns, indexes });
    }
    schema
}

#[tokio::test]
async fn sqlite_and_postgresql_migrations_build_the_same_schema() {
    let Some(pg) = ScratchDb::postgres_from_env()
        .await
        .expect("scratch database")
    else {
        report_skipped("sqlite_and_postgresql_migrations_build_the_same_schema");
        return;
    };
    let lite = ScratchDb::sqlite().expect("scratch SQLite");
    let lite_store = Store::connect(lite.url()).await.expect("SQLite migrates");
    let pg_store = Store::connect(pg.url()).await.expect("PostgreSQL migrates");
    let sqlite = sqlite_schema(&lite_store).await;
    let postgres = postgres_schema(&pg_store).await;
    lite_store.close().await;
    pg_store.close().await;
    pg.destroy().await;
    assert!(
        sqlite.len() > 15,
        "the schema was read: {:?}",
        sqlite.keys()
    );
    pretty_assertions::assert_eq!(sqlite, postgres, "the two migration histories drifted");
}
