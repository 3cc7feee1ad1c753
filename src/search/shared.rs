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
        Ok(SharedIndex::new(UnitIndex::build(store.all_units().await?)))
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
