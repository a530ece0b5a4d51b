//! Local mode: the engine, the SQLite store and the simulated cloud in one
//! process, on one state file. What `heat` runs when no server or
//! OpenStack cloud is configured.

use std::path::Path;
use std::sync::Arc;

use heat_core::engine::{Clock, Engine, EngineConfig, StateStore, StoreError};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_resources::{Catalog, Cloud, ResourceDriver};

use crate::{SqliteStore, SystemClock};

/// An engine on a state file with the simulated cloud persisted beside it
/// (or a real cloud).
pub struct Local {
    /// The engine.
    pub engine: Engine,
    /// The store.
    pub store: Arc<SqliteStore>,
    /// The simulated cloud (present even when a real cloud is used, empty).
    pub cloud: Arc<SimCloud>,
}

/// Opens a state file and wires engine, store and simulated cloud.
pub async fn open(state: &Path, sim: SimConfig, config: EngineConfig) -> Result<Local, StoreError> {
    open_observed(state, sim, config, |s| s).await
}

/// Like [`open`], the engine writing through `observe(store)` (a wrapper
/// that watches events, for progress displays).
pub async fn open_observed(
    state: &Path,
    sim: SimConfig,
    config: EngineConfig,
    observe: impl FnOnce(Arc<dyn StateStore>) -> Arc<dyn StateStore>,
) -> Result<Local, StoreError> {
    open_on(state, sim, None, config, observe).await
}

/// A real cloud and the name the state file records for it.
pub struct RealCloud {
    /// The name, for example `openstack:mycloud`.
    pub name: String,
    /// The cloud.
    pub cloud: Arc<dyn Cloud>,
}

/// What a state file records for the simulated cloud.
pub const SIMULATED: &str = "simulated";

/// Like [`open_observed`], resources living on `real` when given (an
/// OpenStack cloud) and on the persisted simulated cloud otherwise. A state
/// file stays bound to the cloud its first operation used; opening it on
/// another is refused, so no stack is ever operated on against the wrong
/// cloud (which would forget real resources instead of deleting them).
pub async fn open_on(
    state: &Path,
    sim: SimConfig,
    real: Option<RealCloud>,
    config: EngineConfig,
    observe: impl FnOnce(Arc<dyn StateStore>) -> Arc<dyn StateStore>,
) -> Result<Local, StoreError> {
    let store = Arc::new(SqliteStore::open(state).await?);
    let wanted = real.as_ref().map_or(SIMULATED, |r| r.name.as_str());
    let bound = store.bind_cloud(wanted).await?;
    if bound != wanted {
        return Err(StoreError::Backend(format!(
            "{} holds stacks on the {bound} cloud, not on {wanted}; {}",
            state.display(),
            match bound.strip_prefix("openstack:") {
                Some(name) => format!("pass --os-cloud {name} (or set OS_CLOUD={name})"),
                None => "unset OS_CLOUD and drop --os-cloud, or use another --state file".into(),
            }
        )));
    }
    let real = real.map(|r| r.cloud);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let saved = if real.is_some() {
        Vec::new()
    } else {
        store.sim_objects().await?
    };
    let cloud = Arc::new(SimCloud::with_persistence(
        clock.clone(),
        sim,
        store.clone(),
        saved,
    ));
    let target: Arc<dyn Cloud> = match real {
        Some(real) => real,
        None => cloud.clone(),
    };
    let driver = Arc::new(ResourceDriver::new(target, clock.clone()));
    let engine = Engine::new(
        driver,
        observe(store.clone()),
        clock,
        Arc::new(Catalog),
        config,
    );
    Ok(Local {
        engine,
        store,
        cloud,
    })
}
