//! Running jobs over a dependency graph: a job starts the moment its last
//! dependency is done, at most `limit` at once, driven by completions (no
//! polling). The first failure cancels the traversal's token (so what
//! still waits stops waiting) and no new job starts after a failure or a
//! cancel; running jobs return once their waits are cut short.

use std::collections::{HashMap, VecDeque};
use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};

use super::cancel::{Cancel, CancelReason};

/// How a traversal ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Jobs that completed, in completion order.
    pub done: Vec<String>,
    /// The first failure: job and message.
    pub failed: Option<(String, String)>,
    /// Jobs never started (after a failure or cancel).
    pub skipped: Vec<String>,
    /// Why the traversal was cancelled from outside (not by a failure).
    pub cancelled: Option<CancelReason>,
}

/// Runs `job(name)` for every node once all its `requires` are done.
/// `requires` may name nodes outside `nodes` (already satisfied). `cancel`
/// is the traversal's own token: jobs should wait on it (or a child), and
/// the first failure cancels it with [`CancelReason::Failed`].
pub async fn run<F, Fut>(
    nodes: &[String],
    requires: &HashMap<String, Vec<String>>,
    limit: usize,
    cancel: &Cancel,
    job: F,
) -> Outcome
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut waiting: Vec<usize> = vec![0; nodes.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for r in requires.get(n).into_iter().flatten() {
            if let Some(&j) = index.get(r.as_str()) {
                if j != i {
                    waiting[i] += 1;
                    dependents[j].push(i);
                }
            }
        }
    }
    let mut ready: VecDeque<usize> = (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
    let limit = if limit == 0 { usize::MAX } else { limit };
    let mut running = FuturesUnordered::new();
    let mut started = vec![false; nodes.len()];
    let mut out = Outcome::default();
    loop {
        let stop = out.failed.is_some() || cancel.is_cancelled();
        while !stop && running.len() < limit {
            let Some(i) = ready.pop_front() else { break };
            started[i] = true;
            let name = nodes[i].clone();
            let fut = job(name.clone());
            running.push(async move { (i, fut.await) });
        }
        let Some((i, result)) = running.next().await else {
            break;
        };
        match result {
            Ok(()) => {
                out.done.push(nodes[i].clone());
                for &d in &dependents[i] {
                    waiting[d] -= 1;
                    if waiting[d] == 0 {
                        ready.push_back(d);
                    }
                }
            }
            Err(message) => {
                if out.failed.is_none() && cancel.reason().is_none() {
                    out.failed = Some((nodes[i].clone(), message));
                    cancel.cancel(CancelReason::Failed);
                }
            }
        }
    }
    if out.failed.is_none() {
        out.cancelled = cancel.reason();
    }
    out.skipped = (0..nodes.len())
        .filter(|&i| !started[i])
        .map(|i| nodes[i].clone())
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn jobs_run_after_their_requirements() {
        let nodes: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let requires = HashMap::from([
            ("b".to_string(), vec!["a".to_string()]),
            ("c".to_string(), vec!["a".to_string()]),
            ("d".to_string(), vec!["b".to_string(), "c".to_string()]),
        ]);
        let order = Mutex::new(Vec::new());
        let cancel = Cancel::new();
        let out = futures::executor::block_on(run(&nodes, &requires, 0, &cancel, |n| {
            order.lock().unwrap().push(n);
            async { Ok(()) }
        }));
        assert_eq!(out.done.len(), 4);
        let order = order.into_inner().unwrap();
        assert_eq!(order[0], "a");
        assert_eq!(order[3], "d");
    }

    #[test]
    fn a_failure_stops_new_jobs() {
        let nodes: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let requires = HashMap::from([("b".to_string(), vec!["a".to_string()])]);
        let cancel = Cancel::new();
        let out = futures::executor::block_on(run(&nodes, &requires, 1, &cancel, |n| async move {
            if n == "a" {
                Err("boom".to_string())
            } else {
                Ok(())
            }
        }));
        assert_eq!(out.failed, Some(("a".to_string(), "boom".to_string())));
        assert_eq!(out.skipped, vec!["b"]);
        assert_eq!(cancel.reason(), Some(CancelReason::Failed));
    }

    #[test]
    fn the_first_failure_cuts_the_other_waits_short() {
        let nodes: Vec<String> = ["slow", "bad"].map(String::from).to_vec();
        let cancel = Cancel::new();
        let token = cancel.clone();
        let out = futures::executor::block_on(run(&nodes, &HashMap::new(), 0, &cancel, |n| {
            let token = token.clone();
            async move {
                if n == "bad" {
                    return Err("boom".to_string());
                }
                // Waits forever unless cancelled.
                match token.guard(futures::future::pending::<()>()).await {
                    Ok(()) => Ok(()),
                    Err(r) => Err(format!("{r:?}")),
                }
            }
        }));
        assert_eq!(out.failed, Some(("bad".to_string(), "boom".to_string())));
        assert_eq!(out.cancelled, None);
    }
}
