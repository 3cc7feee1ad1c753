//! One index shared by every chat: searches read it concurrently, writes of units refresh it.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{SearchHit, UnitIndex};
use crate::storage::{StorageResult, Store, UnitLevel};

/// A [`UnitIndex`] behind a lock, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SharedIndex(Arc<RwLock<UnitIndex>>);

impl SharedIndex {
    pub fn new(index: UnitIndex) -> SharedIndex {
        SharedIndex(Arc::new(RwLock::new(index)))
    }

    /// Builds the index from every unit of the database.
    #[tracing::instrument(skip_all)]
    pub async fn load(store: &Store) -> StorageResult<SharedIndex> {
        let mut index = UnitIndex::build(store.all_units().await?);
        for (old_code, old_name, new_code) in store.unit_aliases().await? {
            index.add_alias(&old_code, &old_name, &new_code);
        }
        Ok(SharedIndex::new(index))
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
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, UnitIndex> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
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
}
