//! The one place that wires a state store, a cloud and an engine into a
//! [`StackService`]: what the CLI's local mode and the server run. The
//! state lives in a SQLite file (the default) or a PostgreSQL database
//! that several heat-server processes share ([`Database`]). By default the
//! cloud is the simulated one, its objects kept beside the state; a real
//! cloud (OpenStack) can be given instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use heat_core::engine::{
    Clock, Engine, EngineConfig, EngineParts, Spawner, StateStore, StoreError,
};
use heat_core::service::StackService;
use heat_resources::sim::{SimCloud, SimConfig, SimPersistence};
use heat_resources::{Catalog, Cloud, GuestKeys, ResourceDriver};

use crate::store::postgres::redacted;
use crate::store::sim::SimStore;
use crate::{PgSimStore, PostgresStore, SqliteStore, SystemClock, TokioSpawner};

/// Where a service keeps its state.
#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    /// A SQLite file (the default): one machine, processes take turns.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://user:password@host/db`): shared
    /// by several heat-server processes, on one machine or several.
    Postgres(String),
}

impl Database {
    /// A `postgres://` (or `postgresql://`) URL, else a SQLite file's path.
    pub fn parse(s: &str) -> Database {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Database::Postgres(s.to_string())
        } else {
            Database::Sqlite(PathBuf::from(s))
        }
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => write!(f, "{}", redacted(url)),
        }
    }
}

/// A service on a state file, with its parts.
pub struct Local {
    /// The stack service (what callers use).
    pub service: StackService,
    /// The engine under it.
    pub engine: Arc<Engine>,
    /// The store.
    pub store: Arc<dyn StateStore>,
    /// The simulated cloud (present even when a real cloud is used, empty).
    pub cloud: Arc<SimCloud>,
    /// The server key and address of signal URLs and stack credentials.
    pub guest: Arc<GuestKeys>,
    /// What runs in the simulated cloud's servers (idle on a real cloud).
    pub agent: Arc<crate::guest::SimulatedGuest>,
}

/// A real cloud and the name the state file records for it.
pub struct RealCloud {
    /// The name, for example `openstack:mycloud`.
    pub name: String,
    /// The cloud.
    pub cloud: Arc<dyn Cloud>,
}

/// The default state file, shared by `heat` and `heat-server`:
/// `$XDG_DATA_HOME/heat-rs/state.sqlite`, or under `~/.local/share`.
pub fn default_state() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    base.join("heat-rs").join("state.sqlite")
}

/// The OpenStack cloud the environment configures (`OS_CLOUD` and
/// clouds.yaml, or `OS_*` variables), if any, with the name state files
/// record for it.
pub fn openstack_from_env() -> Result<Option<(String, Arc<heat_openstack::OpenStackCloud>)>, String>
{
    let Some(config) = heat_openstack::CloudConfig::from_env().map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let name = format!("openstack:{}", config.name);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let session = heat_openstack::Session::new(config, clock.clone()).map_err(|e| e.to_string())?;
    Ok(Some((
        name,
        Arc::new(heat_openstack::OpenStackCloud::new(session, clock)),
    )))
}

/// What a state file records for the simulated cloud.
pub const SIMULATED: &str = "simulated";

/// An engine with the catalog of every type, over a cloud (simulated or
/// OpenStack) and a store.
pub fn engine(
    cloud: Arc<dyn Cloud>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    spawner: Arc<dyn Spawner>,
    config: EngineConfig,
) -> Arc<Engine> {
    let guest = Arc::new(GuestKeys::random(DEFAULT_CFN_URL));
    engine_with(cloud, store, clock, spawner, config, guest)
}

/// Where guests reach the Query API unless told otherwise (`HEAT_CFN_URL`,
/// or the server's `cfn_public_url`).
pub const DEFAULT_CFN_URL: &str = "http://127.0.0.1:8000";

/// An engine whose signal URLs and stack credentials use `guest`.
pub fn engine_with(
    cloud: Arc<dyn Cloud>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    spawner: Arc<dyn Spawner>,
    config: EngineConfig,
    guest: Arc<GuestKeys>,
) -> Arc<Engine> {
    Engine::new(EngineParts {
        driver: Arc::new(ResourceDriver::new(cloud, clock.clone()).with_guest_keys(guest)),
        store,
        clock,
        spawner,
        catalog: Arc::new(Catalog),
        config,
    })
}

/// Opens a state file with the simulated cloud.
pub async fn open(state: &Path, sim: SimConfig, config: EngineConfig) -> Result<Local, StoreError> {
    open_on(state, sim, None, config).await
}

/// Opens a state file; resources live on `real` when given (an OpenStack
/// cloud) and on the persisted simulated cloud otherwise. A state file
/// stays bound to the cloud its first operation used; opening it on another
/// is refused, so no stack is ever operated on against the wrong cloud
/// (which would forget real resources instead of deleting them).
pub async fn open_on(
    state: &Path,
    sim: SimConfig,
    real: Option<RealCloud>,
    config: EngineConfig,
) -> Result<Local, StoreError> {
    let url = std::env::var("HEAT_CFN_URL").unwrap_or_else(|_| DEFAULT_CFN_URL.to_string());
    open_with(state, sim, real, config, &url).await
}

/// The server key of a state file: beside it, `<state>.key`.
pub fn key_file(state: &Path) -> std::path::PathBuf {
    let mut name = state.as_os_str().to_os_string();
    name.push(".key");
    std::path::PathBuf::from(name)
}

/// An engine over the simulated cloud whose servers run
/// [`SimulatedGuest`](crate::guest::SimulatedGuest): they signal the wait
/// condition handles their user data names.
pub fn sim_engine(
    cloud: Arc<SimCloud>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    spawner: Arc<dyn Spawner>,
    config: EngineConfig,
) -> Arc<Engine> {
    let keys = Arc::new(GuestKeys::random(DEFAULT_CFN_URL));
    let agent = crate::guest::SimulatedGuest::new(keys.clone());
    cloud.set_guest(agent.clone());
    let engine = engine_with(cloud.clone(), store, clock, spawner, config, keys);
    agent.attach(StackService::new(engine.clone()), &cloud);
    engine
}

/// A stack service over a fresh simulated cloud (its servers running the
/// simulated guest) and an in-memory store, on the system clock: for
/// tests and sweeps over many templates.
pub fn memory_sim() -> (StackService, Arc<SimCloud>) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(clock.clone(), SimConfig::default()));
    let engine = sim_engine(
        cloud.clone(),
        Arc::new(heat_core::engine::MemoryStore::new()),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
    );
    (StackService::new(engine), cloud)
}

/// [`open_on`], guests reaching the Query API at `cfn_url`.
pub async fn open_with(
    state: &Path,
    sim: SimConfig,
    real: Option<RealCloud>,
    config: EngineConfig,
    cfn_url: &str,
) -> Result<Local, StoreError> {
    open_database(
        &Database::Sqlite(state.to_path_buf()),
        sim,
        real,
        config,
        cfn_url,
    )
    .await
}

/// A store opened with what goes with it: the cloud it is bound to, the
/// server key, and (for the simulated cloud) where its objects are kept.
struct Opened {
    store: Arc<dyn StateStore>,
    bound: String,
    guest: GuestKeys,
    sim: Option<(Arc<dyn SimPersistence>, Vec<heat_resources::sim::SimObject>)>,
}

async fn open_store(
    database: &Database,
    wanted: &str,
    cfn_url: &str,
) -> Result<Opened, StoreError> {
    match database {
        Database::Sqlite(state) => {
            let store = Arc::new(SqliteStore::open(state).await?);
            // Beside the state file, which opening made sure has a directory.
            let guest = GuestKeys::load_or_create(&key_file(state), cfn_url).map_err(|e| {
                StoreError::Backend(format!("the server key {}: {e}", key_file(state).display()))
            })?;
            let bound = store.bind_cloud(wanted).await?;
            let sim = if wanted == SIMULATED {
                let saved = SimStore::open(state).await?;
                let objects = saved.objects().await?;
                Some((Arc::new(saved) as Arc<dyn SimPersistence>, objects))
            } else {
                None
            };
            Ok(Opened {
                store,
                bound,
                guest,
                sim,
            })
        }
        Database::Postgres(url) => {
            let store = Arc::new(PostgresStore::open(url).await?);
            let guest = GuestKeys::new(store.server_key().await?, cfn_url);
            let bound = store.bind_cloud(wanted).await?;
            let sim = if wanted == SIMULATED {
                // Loaded by the cloud's first refresh, and kept in step.
                let shared = PgSimStore::open(store.pool().clone()).await?;
                Some((Arc::new(shared) as Arc<dyn SimPersistence>, Vec::new()))
            } else {
                None
            };
            Ok(Opened {
                store,
                bound,
                guest,
                sim,
            })
        }
    }
}

/// Opens a service on `database`; resources live on `real` when given and
/// on the persisted simulated cloud otherwise; guests reach the Query API
/// at `cfn_url`. A database stays bound to the cloud its first operation
/// used; opening it on another is refused, so no stack is ever operated on
/// against the wrong cloud (which would forget real resources instead of
/// deleting them).
pub async fn open_database(
    database: &Database,
    sim: SimConfig,
    real: Option<RealCloud>,
    config: EngineConfig,
    cfn_url: &str,
) -> Result<Local, StoreError> {
    let wanted = real.as_ref().map_or(SIMULATED, |r| r.name.as_str());
    let opened = open_store(database, wanted, cfn_url).await?;
    if opened.bound != wanted {
        let bound = &opened.bound;
        let other = match database {
            Database::Sqlite(_) => "use another --state file",
            Database::Postgres(_) => "use another database",
        };
        return Err(StoreError::Backend(format!(
            "{database} holds stacks on the {bound} cloud, not on {wanted}; {}",
            match bound.strip_prefix("openstack:") {
                Some(name) => format!("pass --os-cloud {name} (or set OS_CLOUD={name})"),
                None => format!("unset OS_CLOUD and drop --os-cloud, or {other}"),
            }
        )));
    }
    let guest = Arc::new(opened.guest);
    let store = opened.store;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = match opened.sim {
        None => Arc::new(SimCloud::new(clock.clone(), sim)),
        Some((persistence, objects)) => Arc::new(SimCloud::with_persistence(
            clock.clone(),
            sim,
            persistence,
            objects,
        )),
    };
    let agent = crate::guest::SimulatedGuest::new(guest.clone());
    let target: Arc<dyn Cloud> = match real {
        Some(real) => real.cloud,
        None => {
            cloud.set_guest(agent.clone());
            cloud.clone()
        }
    };
    let engine = engine_with(
        target,
        store.clone(),
        clock,
        Arc::new(TokioSpawner),
        config,
        guest.clone(),
    );
    agent.attach(StackService::new(engine.clone()), &cloud);
    // The servers the state holds run their agents in this process too
    // (an update may deploy to them again).
    agent.collect_existing();
    Ok(Local {
        service: StackService::new(engine.clone()),
        engine,
        store,
        cloud,
        guest,
        agent,
    })
}
