//! Progress while a stack operation runs: a live bar on a terminal
//! (resources done of total, what is in progress), plain event lines
//! otherwise. Events come from the store the engine writes through.

use std::io::IsTerminal;
use std::sync::Arc;

use async_trait::async_trait;
use heat_core::engine::{Event, ResourceRecord, StackRecord, StateStore, Status, StoreError};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// A store that reports every event it stores.
pub struct Observed {
    inner: Arc<dyn StateStore>,
    tx: UnboundedSender<Event>,
}

/// Wraps a store; the receiver gets its events.
pub fn observe(inner: Arc<dyn StateStore>) -> (Arc<dyn StateStore>, UnboundedReceiver<Event>) {
    let (tx, rx) = unbounded_channel();
    (Arc::new(Observed { inner, tx }), rx)
}

#[async_trait]
impl StateStore for Observed {
    async fn insert_stack(&self, s: &StackRecord) -> Result<(), StoreError> {
        self.inner.insert_stack(s).await
    }
    async fn update_stack(&self, s: &StackRecord, e: u64) -> Result<(), StoreError> {
        self.inner.update_stack(s, e).await
    }
    async fn stack(&self, id: &str) -> Result<Option<StackRecord>, StoreError> {
        self.inner.stack(id).await
    }
    async fn stacks(&self) -> Result<Vec<StackRecord>, StoreError> {
        self.inner.stacks().await
    }
    async fn remove_stack(&self, id: &str) -> Result<(), StoreError> {
        self.inner.remove_stack(id).await
    }
    async fn put_resource(&self, r: &ResourceRecord) -> Result<(), StoreError> {
        self.inner.put_resource(r).await
    }
    async fn remove_resource(&self, s: &str, r: &str) -> Result<(), StoreError> {
        self.inner.remove_resource(s, r).await
    }
    async fn resources(&self, s: &str) -> Result<Vec<ResourceRecord>, StoreError> {
        self.inner.resources(s).await
    }
    async fn add_event(&self, e: &Event) -> Result<(), StoreError> {
        self.inner.add_event(e).await?;
        let _ = self.tx.send(e.clone());
        Ok(())
    }
    async fn events(&self, s: &str) -> Result<Vec<Event>, StoreError> {
        self.inner.events(s).await
    }
}

/// One event as `openstack stack event list` prints it.
pub fn event_line(e: &Event) -> String {
    let reason = if e.reason.is_empty() {
        String::new()
    } else {
        format!("  {}", e.reason)
    };
    format!(
        "{} [{}]: {}_{}{}",
        crate::views::time(e.time),
        e.resource_name,
        e.action.name(),
        e.status.name(),
        reason
    )
}

/// Shows events until the channel closes; `total` resources are expected.
pub async fn show(mut rx: UnboundedReceiver<Event>, total: usize, stack_type: &'static str) {
    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let b = ProgressBar::new(total as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .expect("a valid template"),
        );
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    });
    let mut running: Vec<String> = Vec::new();
    while let Some(e) = rx.recv().await {
        match &bar {
            Some(b) => {
                if e.resource_type != stack_type {
                    match e.status {
                        Status::InProgress => running.push(e.resource_name.clone()),
                        _ => {
                            running.retain(|n| *n != e.resource_name);
                            if e.status == Status::Complete {
                                b.inc(1);
                            }
                        }
                    }
                }
                b.println(event_line(&e));
                b.set_message(running.join(", "));
            }
            None => eprintln!("{}", event_line(&e)),
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}
