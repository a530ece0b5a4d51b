//! Running jobs over a dependency graph: a job starts the moment its last
//! dependency is done, at most `limit` at once, driven by completions (no
//! polling). After a failure or a cancel no new job starts; running ones
//! finish.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{FuturesUnordered, StreamExt};

/// How a traversal ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Jobs that completed, in completion order.
    pub done: Vec<String>,
    /// The first failure: job and message.
    pub failed: Option<(String, String)>,
    /// Jobs never started (after a failure or cancel).
    pub skipped: Vec<String>,
    /// Whether the traversal was cancelled.
    pub cancelled: bool,
}

/// Runs `job(name)` for every node once all its `requires` are done.
/// `requires` may name nodes outside `nodes` (already satisfied).
pub async fn run<F, Fut>(
    nodes: &[String],
    requires: &HashMap<String, Vec<String>>,
    limit: usize,
    cancel: &AtomicBool,
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
        let stop = out.failed.is_some() || cancel.load(Ordering::SeqCst);
        if stop && cancel.load(Ordering::SeqCst) {
            out.cancelled = true;
        }
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
                if out.failed.is_none() {
                    out.failed = Some((nodes[i].clone(), message));
                }
            }
        }
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
        let cancel = AtomicBool::new(false);
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
        let cancel = AtomicBool::new(false);
        let out = futures::executor::block_on(run(&nodes, &requires, 1, &cancel, |n| async move {
            if n == "a" {
                Err("boom".to_string())
            } else {
                Ok(())
            }
        }));
        assert_eq!(out.failed, Some(("a".to_string(), "boom".to_string())));
        assert_eq!(out.skipped, vec!["b"]);
    }
}
