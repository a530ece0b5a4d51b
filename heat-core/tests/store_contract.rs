//! The state store contract on the in-memory store (the SQLite store runs
//! the same suite in heat-server).

use std::sync::Arc;

use async_trait::async_trait;
use heat_core::engine::testing::contract::Harness;
use heat_core::engine::{MemoryStore, StateStore};

struct Memory;

#[async_trait]
impl Harness for Memory {
    async fn fresh(&self) -> (Arc<dyn StateStore>, Arc<dyn StateStore>) {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        (store.clone(), store)
    }
}

heat_core::store_contract_tests!(Memory);
