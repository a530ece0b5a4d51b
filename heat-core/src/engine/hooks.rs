//! Environment hooks (breakpoints), as Heat has them: a resource the
//! environment gives a `pre-create`, `pre-update` or `pre-delete` hook
//! (`resource_registry: {resources: {NAME: {hooks: [...]}}}`, patterns
//! allowed) waits before that action, with the event `CREATE paused until
//! Hook pre-create is cleared`, until the hook is cleared by a signal to
//! the resource with `{"unset_hook": "pre-create"}` (`heat stack hook
//! clear`, `openstack stack hook clear`), from any process: the clear is
//! stored like a signal. The `post-*` hooks pause after the action.

use std::time::Duration;

use serde_json::Value as Json;

use super::cancel::Cancel;
use super::lifecycle::Op;
use super::model::{Action, Event, Signal, StackRecord, Status};
use super::store::Write;
use super::{Engine, EngineError};
use crate::environment::{Registry, HOOK_TYPES};

/// Where a hook pauses: before or after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    /// Before the action (`pre-`).
    Pre,
    /// After it (`post-`).
    Post,
}

fn hook_name(when: When, action: Action) -> String {
    let prefix = match when {
        When::Pre => "pre",
        When::Post => "post",
    };
    format!("{prefix}-{}", action.name().to_lowercase())
}

/// The stored id of the `n`th clear of a hook.
fn clear_id(hook: &str, n: usize) -> String {
    format!("unset_hook:{hook}:{n}")
}

/// Whether a stored signal clears a hook (not one for a wait condition).
pub(super) fn is_hook_clear(signal: &Signal) -> bool {
    signal.id.starts_with("unset_hook:")
}

fn registry(stack: &StackRecord) -> Registry {
    let mut r = Registry::default();
    let _ = r.load(&stack.source.resource_registry);
    r
}

impl Engine {
    /// Pauses at a resource's hook for `action`, if the environment sets
    /// one, until it is cleared; `Err` when the operation stops first.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn hook_pause(
        &self,
        op: &Op,
        cancel: &Cancel,
        stack: &StackRecord,
        resource: &str,
        type_name: &str,
        when: When,
        action: Action,
        state: (Action, Status),
    ) -> Result<(), String> {
        let hook = hook_name(when, action);
        if !registry(stack).hooks(resource).contains(&hook) {
            return Ok(());
        }
        let clears = |signals: &[Signal]| {
            signals
                .iter()
                .filter(|s| s.id.starts_with(&format!("unset_hook:{hook}:")))
                .count()
        };
        let store_error = |e: super::StoreError| e.to_string();
        let before = clears(
            &self
                .store
                .signals(&stack.id, resource)
                .await
                .map_err(store_error)?,
        );
        let event = |reason: String| Event {
            id: self.ids.next(),
            stack_id: stack.id.clone(),
            time: self.clock.now(),
            resource_name: resource.to_string(),
            physical_id: None,
            resource_type: type_name.to_string(),
            action: state.0,
            status: state.1,
            reason,
        };
        let paused = event(format!(
            "{} paused until Hook {hook} is cleared",
            action.name()
        ));
        self.write_op(op, vec![Write::AddEvent(paused)])
            .await
            .map_err(|e| e.to_string())?;
        let mut delay = Duration::from_millis(50);
        loop {
            let woken = self.signalled.listen();
            let signals = self
                .store
                .signals(&stack.id, resource)
                .await
                .map_err(store_error)?;
            if clears(&signals) > before {
                let cleared = event(format!("Hook {hook} is cleared"));
                return self
                    .write_op(op, vec![Write::AddEvent(cleared)])
                    .await
                    .map_err(|e| e.to_string());
            }
            let sleep = self.clock.sleep(delay);
            if cancel
                .guard(futures::future::select(woken, sleep))
                .await
                .is_err()
            {
                return Err(format!(
                    "resources.{resource}: {} cancelled while paused at Hook {hook}",
                    action.name()
                ));
            }
            delay = (delay * 2).min(self.config.poll);
        }
    }

    /// Clears a hook of a resource (a signal `{"unset_hook": HOOK}`): the
    /// operation paused there, in any process, goes on.
    pub(super) async fn clear_hook(
        &self,
        stack: &StackRecord,
        resource: &str,
        hook: &Json,
    ) -> Result<(), EngineError> {
        let hook = hook.as_str().unwrap_or_default();
        if !HOOK_TYPES.contains(&hook) {
            return Err(EngineError::Invalid(format!(
                "Invalid hook type \"{hook}\" for {resource}; acceptable hook types are: {}",
                HOOK_TYPES.join(", ")
            )));
        }
        if !registry(stack).hooks(resource).iter().any(|h| h == hook) {
            return Err(EngineError::Invalid(format!(
                "The \"{hook}\" hook is not defined on {resource}"
            )));
        }
        let n = self.store.signals(&stack.id, resource).await?.len() + 1;
        self.store
            .add_signal(&Signal {
                stack_id: stack.id.clone(),
                resource: resource.to_string(),
                id: clear_id(hook, n),
                status: "UNSET_HOOK".into(),
                reason: format!("Hook {hook} is cleared"),
                data: Json::Null,
            })
            .await?;
        self.signalled.notify(usize::MAX);
        Ok(())
    }
}
