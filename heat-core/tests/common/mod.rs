//! Shared helpers of the engine tests: a tokio clock (virtual time in
//! paused tests), a crashing store, a test catalog and stack builders.

#![allow(dead_code, unused_imports, missing_docs, clippy::new_without_default)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use heat_core::definition::{PropertyRule, TypeCatalog, TypeInfo};
pub use heat_core::engine::testing::CrashingStore;
use heat_core::engine::testing::FakeDriver;
use heat_core::engine::{
    Engine, EngineConfig, EngineError, EngineParts, RequestContext, ResourceRecord, StackOptions,
    StackRecord, StackSource, StateStore,
};
use heat_core::service::{SourceParts, StackService, UpdateRequest};
pub use heat_server::SystemClock as TokioClock;
use heat_server::TokioSpawner;

/// Values update in place; `immutable` never changes; the rest replaces.
pub struct TestCatalog;

impl TypeCatalog for TestCatalog {
    fn lookup(&self, _: &str) -> TypeInfo {
        TypeInfo::Known { attributes: None }
    }
    fn property_rule(&self, _type_name: &str, property: &str) -> PropertyRule {
        match property {
            "value" => PropertyRule::UpdateAllowed,
            "immutable" => PropertyRule::Immutable,
            _ => PropertyRule::Replace,
        }
    }
}

pub fn engine_with(
    driver: Arc<FakeDriver>,
    store: Arc<dyn StateStore>,
    config: EngineConfig,
) -> TestEngine {
    let engine = Engine::new(EngineParts {
        driver,
        store,
        clock: Arc::new(TokioClock::new()),
        spawner: Arc::new(TokioSpawner),
        catalog: Arc::new(TestCatalog),
        config,
    });
    TestEngine {
        service: StackService::new(engine),
        ctx: RequestContext::default(),
    }
}

/// Runs tasks on tokio and can kill them all at once, as a process's
/// death would.
#[derive(Default)]
pub struct Killable {
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

impl heat_core::engine::Spawner for Killable {
    fn spawn(&self, task: futures::future::BoxFuture<'static, ()>) {
        let handle = tokio::spawn(task).abort_handle();
        self.tasks.lock().unwrap().push(handle);
    }
}

impl Killable {
    /// Ends every task this spawner started.
    pub fn kill(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// An engine whose tasks can be killed (a process that dies).
pub fn mortal_engine(
    driver: Arc<FakeDriver>,
    store: Arc<dyn StateStore>,
    concurrency: usize,
) -> (TestEngine, Arc<Killable>) {
    let spawner = Arc::new(Killable::default());
    let engine = Engine::new(EngineParts {
        driver,
        store,
        clock: Arc::new(TokioClock::new()),
        spawner: spawner.clone(),
        catalog: Arc::new(TestCatalog),
        config: EngineConfig {
            concurrency,
            retry_backoff: Duration::from_millis(100),
            ..EngineConfig::default()
        },
    });
    let e = TestEngine {
        service: StackService::new(engine),
        ctx: RequestContext::default(),
    };
    (e, spawner)
}

pub fn engine(driver: Arc<FakeDriver>, store: Arc<dyn StateStore>, concurrency: usize) -> TestEngine {
    let config = EngineConfig {
        concurrency,
        retry_backoff: Duration::from_millis(100),
        ..EngineConfig::default()
    };
    engine_with(driver, store, config)
}

/// The engine behind the stack service, with operations that wait for
/// their end (the way the CLI follows them).
#[derive(Clone)]
pub struct TestEngine {
    pub service: StackService,
    pub ctx: RequestContext,
}

impl TestEngine {
    pub fn engine(&self) -> &Arc<Engine> {
        self.service.engine()
    }

    pub async fn find(&self, name: &str) -> Result<StackRecord, EngineError> {
        self.engine()
            .store()
            .find_stack(&self.ctx.project, name)
            .await?
            .ok_or_else(|| EngineError::NotFound(name.to_string()))
    }

    /// Waits for the end of the operation on a stack: its final record
    /// (`DELETE_COMPLETE` once it is gone).
    pub async fn wait(&self, accepted: StackRecord) -> StackRecord {
        match self.engine().wait(&accepted.id).await.unwrap() {
            Some(s) => s,
            None => StackRecord {
                action: heat_core::engine::Action::Delete,
                status: heat_core::engine::Status::Complete,
                reason: "Stack DELETE completed successfully".into(),
                ..accepted
            },
        }
    }

    pub async fn create_stack(
        &self,
        name: &str,
        source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let accepted = self.engine().create_stack(&self.ctx, name, source, options).await?;
        Ok(self.wait(accepted).await)
    }

    pub async fn update_stack(
        &self,
        name: &str,
        source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().update_stack(&stack, source, options).await?;
        Ok(self.wait(accepted).await)
    }

    /// A PATCH update: new parameter values over the stack's, some cleared.
    pub async fn patch(
        &self,
        name: &str,
        parameters: serde_json::Map<String, serde_json::Value>,
        clear: Vec<String>,
    ) -> StackRecord {
        let request = UpdateRequest {
            parts: SourceParts {
                parameters,
                ..SourceParts::default()
            },
            existing: true,
            clear_parameters: clear,
            options: StackOptions::default(),
        };
        let accepted = self.service.update(&self.ctx, name, &request).await.unwrap();
        self.wait(accepted).await
    }

    pub async fn delete_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().delete_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    pub async fn check_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().check_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    pub async fn suspend_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().suspend_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    pub async fn resume_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().resume_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    pub async fn preview_update(
        &self,
        name: &str,
        source: StackSource,
    ) -> Result<Vec<heat_core::engine::Change>, EngineError> {
        let stack = self.find(name).await?;
        self.engine().preview_update(&stack, &source).await
    }

    pub async fn cancel_update(&self, name: &str, rollback: bool) -> Result<(), EngineError> {
        let stack = self.find(name).await?;
        self.engine().cancel_update(&stack, rollback).await
    }

    /// Takes over every abandoned stack (once their leases expired) and
    /// finishes their operations: the final records.
    pub async fn recover(&self) -> Vec<StackRecord> {
        tokio::time::sleep(self.engine().config().lease + Duration::from_secs(1)).await;
        let taken = self.engine().resume_all_abandoned().await.unwrap();
        let mut out = Vec::new();
        for t in taken {
            out.push(self.wait(t).await);
        }
        out
    }

    pub async fn signal(&self, name: &str, resource: &str, data: serde_json::Value) -> Result<(), EngineError> {
        let stack = self.find(name).await?;
        self.engine().signal(&stack, resource, data).await
    }
}

pub fn source(template: &str) -> StackSource {
    StackSource {
        template: template.to_string(),
        ..StackSource::default()
    }
}

/// A HOT template of `OS::Heat::Value` resources `r0..` with the given
/// requirements (`deps[i]` lists the indices resource `i` depends on).
pub fn dag_template(deps: &[Vec<usize>]) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for (i, ds) in deps.iter().enumerate() {
        t.push_str(&format!(
            "  r{i}:\n    type: OS::Heat::Value\n    properties:\n      value: v{i}\n"
        ));
        if !ds.is_empty() {
            let names: Vec<String> = ds.iter().map(|d| format!("r{d}")).collect();
            t.push_str(&format!("    depends_on: [{}]\n", names.join(", ")));
        }
    }
    t.push_str("outputs:\n  first: {value: {get_attr: [r0, value]}}\n");
    t
}

/// The physical ids the store knows for a stack, and the objects the cloud
/// holds for it: they must be equal (nothing leaked, nothing forgotten).
pub async fn assert_no_leaks(driver: &FakeDriver, store: &dyn StateStore) {
    let mut known: Vec<String> = Vec::new();
    for s in store.stacks(None).await.unwrap() {
        for r in store.resources(&s.id).await.unwrap() {
            if let Some(p) = r.physical_id {
                if !(r.action == heat_core::engine::Action::Delete
                    && r.status == heat_core::engine::Status::Complete)
                {
                    known.push(p);
                }
            }
        }
    }
    known.sort();
    let mut held: Vec<String> = driver.objects().into_iter().map(|o| o.id).collect();
    held.sort();
    assert_eq!(held, known, "cloud objects differ from the store's records");
}

pub fn names(records: &[ResourceRecord]) -> HashMap<String, ResourceRecord> {
    records
        .iter()
        .filter(|r| r.current)
        .map(|r| (r.name.clone(), r.clone()))
        .collect()
}
