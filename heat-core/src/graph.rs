//! The dependency graph of a stack's resources (petgraph): creation levels
//! (waves that can run in parallel) and cycles named in order.

use std::collections::BTreeSet;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

/// Resources and what each requires, in document order.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    names: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    requires: Vec<BTreeSet<usize>>,
}

impl Graph {
    /// A graph of the given resources, no edges yet.
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut g = Graph::default();
        for n in names {
            g.index.insert(n.clone(), g.names.len());
            g.names.push(n);
            g.requires.push(BTreeSet::new());
        }
        g
    }

    /// Records that `requirer` needs `required` first. Unknown names are ignored.
    pub fn add_edge(&mut self, requirer: &str, required: &str) {
        if let (Some(&a), Some(&b)) = (self.index.get(requirer), self.index.get(required)) {
            self.requires[a].insert(b);
        }
    }

    /// Resource names in document order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// What a resource requires, sorted by name.
    pub fn requires(&self, name: &str) -> Vec<String> {
        let Some(&i) = self.index.get(name) else {
            return Vec::new();
        };
        let mut v: Vec<String> = self.requires[i]
            .iter()
            .map(|&j| self.names[j].clone())
            .collect();
        v.sort();
        v
    }

    /// The resources that require `name`.
    pub fn required_by(&self, name: &str) -> Vec<String> {
        let Some(&i) = self.index.get(name) else {
            return Vec::new();
        };
        let mut v: Vec<String> = (0..self.names.len())
            .filter(|&j| self.requires[j].contains(&i))
            .map(|j| self.names[j].clone())
            .collect();
        v.sort();
        v
    }

    /// Creation waves: each resource in the first wave after all it
    /// requires; names sorted in each wave. `Err` holds a cycle in order.
    pub fn levels(&self) -> Result<Vec<Vec<String>>, Vec<String>> {
        let n = self.names.len();
        let mut remaining: Vec<usize> = self.requires.iter().map(BTreeSet::len).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (a, reqs) in self.requires.iter().enumerate() {
            for &b in reqs {
                dependents[b].push(a);
            }
        }
        let mut wave: Vec<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
        let mut done = 0;
        let mut levels = Vec::new();
        while !wave.is_empty() {
            done += wave.len();
            let mut next = Vec::new();
            for &i in &wave {
                for &d in &dependents[i] {
                    remaining[d] -= 1;
                    if remaining[d] == 0 {
                        next.push(d);
                    }
                }
            }
            let mut names: Vec<String> = wave.iter().map(|&i| self.names[i].clone()).collect();
            names.sort();
            levels.push(names);
            wave = next;
        }
        if done < n {
            return Err(self.find_cycle());
        }
        Ok(levels)
    }

    fn find_cycle(&self) -> Vec<String> {
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..self.names.len()).map(|i| g.add_node(i)).collect();
        for (a, reqs) in self.requires.iter().enumerate() {
            for &b in reqs {
                g.add_edge(nodes[a], nodes[b], ());
            }
        }
        for scc in tarjan_scc(&g) {
            let members: BTreeSet<usize> = scc.iter().map(|n| g[*n]).collect();
            let is_cycle =
                members.len() > 1 || members.iter().any(|&m| self.requires[m].contains(&m));
            if !is_cycle {
                continue;
            }
            // Walk from the first member (document order) inside the SCC.
            let start = *members.iter().next().expect("non-empty");
            let mut path = vec![start];
            let mut seen = BTreeSet::from([start]);
            let mut cur = start;
            loop {
                let next = self.requires[cur]
                    .iter()
                    .copied()
                    .find(|x| members.contains(x))
                    .expect("in a cycle");
                if next == start || seen.contains(&next) {
                    if let Some(pos) = path.iter().position(|&p| p == next) {
                        path.drain(..pos);
                    }
                    break;
                }
                seen.insert(next);
                path.push(next);
                cur = next;
            }
            return path.into_iter().map(|i| self.names[i].clone()).collect();
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_waves() {
        let mut g = Graph::new(["a", "b", "c", "d"].map(String::from));
        g.add_edge("b", "a");
        g.add_edge("c", "a");
        g.add_edge("d", "b");
        g.add_edge("d", "c");
        assert_eq!(
            g.levels().unwrap(),
            vec![
                vec!["a".to_string()],
                vec!["b".into(), "c".into()],
                vec!["d".into()]
            ]
        );
    }

    #[test]
    fn cycles_are_named_in_order() {
        let mut g = Graph::new(["x", "a", "b", "c"].map(String::from));
        g.add_edge("a", "b");
        g.add_edge("b", "c");
        g.add_edge("c", "a");
        g.add_edge("x", "a");
        assert_eq!(g.levels().unwrap_err(), vec!["a", "b", "c"]);
    }
}
