//! One index shared by every chat: searches read it concurrently, writes of units refresh it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{SearchHit, UnitIndex};
use crate::storage::{StorageResult, Store, UnitLevel};

/// A [`UnitIndex`] behind a lock, cheap to clone, with the version of the place tree it was
/// built from.
#[derive(Debug, Clone, Default)]
pub struct SharedIndex {
    index: Arc<RwLock<UnitIndex>>,
    /// The database's units version when the index was built; `None` for an index built from
    /// a list of units (benchmarks), which follows no database.
    built_from: Arc<BuiltFrom>,
}

#[derive(Debug, Default)]
struct BuiltFrom(Option<AtomicI64>);

impl SharedIndex {
    pub fn new(index: UnitIndex) -> SharedIndex {
        SharedIndex {
            index: Arc::new(RwLock::new(index)),
            built_from: Arc::default(),
        }
    }

    /// Builds the index from every unit of the database.
    #[tracing::instrument(skip_all)]
    pub async fn load(store: &Store) -> StorageResult<SharedIndex> {
        let (index, version) = read_all(store).await?;
        Ok(SharedIndex {
            index: Arc::new(RwLock::new(index)),
            built_from: Arc::new(BuiltFrom(Some(AtomicI64::new(version)))),
        })
    }

    /// Rebuilds the index when the place tree changed since it was built (an import, a
    /// reorganisation, another replica's edit); `true` if it did.
    #[tracing::instrument(skip_all)]
    pub async fn reload_if_changed(&self, store: &Store) -> StorageResult<bool> {
        let Some(built_from) = &self.built_from.0 else {
            return Ok(false);
        };
        if store.units_version().await? == built_from.load(Ordering::Acquire) {
            return Ok(false);
        }
        let (index, version) = read_all(store).await?;
        *self.write() = index;
        built_from.store(version, Ordering::Release);
        Ok(true)
    }

    /// Re-reads the unit of `code` after it was written: updated if it exists, dropped if not.
    #[tracing::instrument(skip(self, store))]
    pub async fn refresh_unit(&self, store: &Store, code: &str) -> StorageResult<()> {
        let unit = store.unit(code).await?;
        let mut index = self.write();
        match unit {
            Some(unit) => index.upsert(unit),
            None => index.remove(code),
        }
        Ok(())
    }

    /// See [`UnitIndex::search`].
    pub fn search(&self, query: &str, levels: &[UnitLevel], limit: usize) -> Vec<SearchHit> {
        self.read().search(query, levels, limit)
    }

    /// See [`UnitIndex::children`].
    pub fn children(&self, parent: Option<&str>) -> Vec<SearchHit> {
        self.read().children(parent)
    }

    /// The index for several reads in a row.
    pub fn read(&self) -> RwLockReadGuard<'_, UnitIndex> {
        // A write that panicked half-way leaves at worst one unit stale: better to go on
        // answering residents than to fail every chat from then on.
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, UnitIndex> {
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Every unit and alias, and the version read before them: a write that lands while they are
/// read moves the version past it, so the next check reads again.
async fn read_all(store: &Store) -> StorageResult<(UnitIndex, i64)> {
    let version = store.units_version().await?;
    let mut index = UnitIndex::build(store.all_units().await?);
    for (old_code, old_name, new_code) in store.unit_aliases().await? {
        index.add_alias(&old_code, &old_name, &new_code);
    }
    Ok((index, version))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::import::{import_villages, load_default_units_if_empty};

    fn codes(hits: &[SearchHit]) -> Vec<&str> {
        hits.iter().map(|hit| hit.code.as_str()).collect()
    }

    #[tokio::test]
    async fn the_shared_index_loads_the_database_and_follows_a_new_village() {
        let dir = tempfile::TempDir::new().unwrap();
        let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
        let store = Store::connect(&url).await.unwrap();
        load_default_units_if_empty(&store, Utc::now())
            .await
            .unwrap();
        let shared = SharedIndex::load(&store).await.unwrap();
        assert_eq!(
            shared.read().len(),
            25,
            "23 communes, the district, the province"
        );
        assert_eq!(codes(&shared.search("Đại Sơn", &[], 1)), ["11083"]);

        let file = "commune_code,name\n11083,Thôn Cầu Dòng\n";
        let report = import_villages(&store, file.as_bytes(), Utc::now())
            .await
            .unwrap();
        let village = &report.villages[0].code;
        assert_eq!(shared.search("cau dong", &[], 10), []);
        shared.refresh_unit(&store, village).await.unwrap();
        let hits = shared.search("cau dong", &[], 10);
        assert_eq!(codes(&hits), [village.as_str()]);
        assert_eq!(hits[0].parent_name.as_deref(), Some("Xã Đại Sơn"));
        shared.refresh_unit(&store, village).await.unwrap();
        assert_eq!(shared.read().len(), 26, "refreshing twice adds nothing");
        shared.refresh_unit(&store, "no-such-unit").await.unwrap();
        assert_eq!(shared.read().len(), 26);
    }

    #[tokio::test]
    async fn an_index_rebuilds_itself_after_another_process_imports_units_and_only_then() {
        let dir = tempfile::TempDir::new().unwrap();
        let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
        let serving = Store::connect(&url).await.unwrap();
        load_default_units_if_empty(&serving, Utc::now())
            .await
            .unwrap();
        let shared = SharedIndex::load(&serving).await.unwrap();
        assert!(!shared.reload_if_changed(&serving).await.unwrap());

        // `cnscd import villages` in another process: its own connections.
        let importing = Store::connect(&url).await.unwrap();
        let file = "commune_code,name\n11083,Thôn Cầu Dòng\n";
        import_villages(&importing, file.as_bytes(), Utc::now())
            .await
            .unwrap();
        importing.close().await;
        assert_eq!(shared.search("cau dong", &[], 10), []);

        assert!(shared.reload_if_changed(&serving).await.unwrap());
        assert_eq!(shared.search("cau dong", &[], 10).len(), 1);
        assert!(!shared.reload_if_changed(&serving).await.unwrap());
    }
}
