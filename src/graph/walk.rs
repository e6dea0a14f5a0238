//! Walks a DAG in dependency order with bounded parallelism. A node that fails stops only its
//! dependents (transitively); independent branches finish. Cancellation (Ctrl-C) stops
//! scheduling new nodes while in-flight ones finish.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{FuturesUnordered, StreamExt};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

/// What happened to the nodes that did not succeed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WalkOutcome {
    pub failed: Vec<NodeIndex>,
    /// Nodes not run because something they depend on failed.
    pub skipped: Vec<NodeIndex>,
    /// Nodes not run because the walk was cancelled.
    pub cancelled: Vec<NodeIndex>,
}

impl WalkOutcome {
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && self.cancelled.is_empty()
    }
}

/// Visits every node after all its predecessors, at most `parallelism` at a time. `visit`
/// returns whether the node succeeded. With `reverse`, edges are followed backwards (destroy
/// order: dependents first).
pub async fn walk<N, F, Fut>(dag: &DiGraph<N, ()>, parallelism: usize, reverse: bool, cancel: &AtomicBool, mut visit: F) -> WalkOutcome
where
    F: FnMut(NodeIndex) -> Fut,
    Fut: Future<Output = bool>,
{
    let (incoming, outgoing) = if reverse { (Direction::Outgoing, Direction::Incoming) } else { (Direction::Incoming, Direction::Outgoing) };
    let n = dag.node_count();
    let mut waiting: Vec<usize> = dag.node_indices().map(|i| dag.neighbors_directed(i, incoming).count()).collect();
    let mut blocked = vec![false; n];
    let mut ready: VecDeque<NodeIndex> = dag.node_indices().filter(|i| waiting[i.index()] == 0).collect();
    let mut outcome = WalkOutcome::default();
    let mut in_flight = FuturesUnordered::new();
    let parallelism = parallelism.max(1);
    loop {
        while in_flight.len() < parallelism {
            let Some(idx) = ready.pop_front() else { break };
            if blocked[idx.index()] {
                outcome.skipped.push(idx);
                release(dag, idx, outgoing, &mut waiting, &mut ready);
                continue;
            }
            if cancel.load(Ordering::SeqCst) {
                outcome.cancelled.push(idx);
                continue;
            }
            let fut = visit(idx);
            in_flight.push(async move { (idx, fut.await) });
        }
        let Some((idx, ok)) = in_flight.next().await else { break };
        if !ok {
            outcome.failed.push(idx);
            block_descendants(dag, idx, outgoing, &mut blocked);
        }
        release(dag, idx, outgoing, &mut waiting, &mut ready);
    }
    outcome
}

fn release<N>(dag: &DiGraph<N, ()>, idx: NodeIndex, dir: Direction, waiting: &mut [usize], ready: &mut VecDeque<NodeIndex>) {
    for next in dag.neighbors_directed(idx, dir) {
        let w = &mut waiting[next.index()];
        *w -= 1;
        if *w == 0 {
            ready.push_back(next);
        }
    }
}

fn block_descendants<N>(dag: &DiGraph<N, ()>, idx: NodeIndex, dir: Direction, blocked: &mut [bool]) {
    let mut stack = vec![idx];
    while let Some(i) = stack.pop() {
        for next in dag.neighbors_directed(i, dir) {
            if !blocked[next.index()] {
                blocked[next.index()] = true;
                stack.push(next);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn chain() -> DiGraph<&'static str, ()> {
        // a -> b -> c, and an independent d
        let mut g = DiGraph::new();
        let a = g.add_node("a");
        let b = g.add_node("b");
        let c = g.add_node("c");
        g.add_node("d");
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        g
    }

    #[tokio::test]
    async fn visits_in_dependency_order() {
        let g = chain();
        let order = Mutex::new(Vec::new());
        let out = walk(&g, 2, false, &AtomicBool::new(false), |i| {
            order.lock().unwrap().push(g[i]);
            async { true }
        })
        .await;
        assert!(out.ok());
        let order = order.into_inner().unwrap();
        let pos = |n| order.iter().position(|x| *x == n).unwrap();
        assert!(pos("a") < pos("b") && pos("b") < pos("c"));
        assert_eq!(order.len(), 4);
    }

    #[tokio::test]
    async fn reverse_walks_dependents_first() {
        let g = chain();
        let order = Mutex::new(Vec::new());
        walk(&g, 1, true, &AtomicBool::new(false), |i| {
            order.lock().unwrap().push(g[i]);
            async { true }
        })
        .await;
        let order = order.into_inner().unwrap();
        let pos = |n| order.iter().position(|x| *x == n).unwrap();
        assert!(pos("c") < pos("b") && pos("b") < pos("a"));
    }

    #[tokio::test]
    async fn failure_skips_only_dependents() {
        let g = chain();
        let ran = Mutex::new(Vec::new());
        let out = walk(&g, 4, false, &AtomicBool::new(false), |i| {
            ran.lock().unwrap().push(g[i]);
            let ok = g[i] != "b";
            async move { ok }
        })
        .await;
        assert_eq!(out.failed.len(), 1);
        assert_eq!(out.skipped.iter().map(|i| g[*i]).collect::<Vec<_>>(), vec!["c"]);
        assert!(ran.into_inner().unwrap().contains(&"d"));
    }

    #[tokio::test]
    async fn cancellation_stops_scheduling() {
        let g = chain();
        let cancel = AtomicBool::new(false);
        let out = walk(&g, 1, false, &cancel, |i| {
            if g[i] == "a" {
                cancel.store(true, Ordering::SeqCst);
            }
            async { true }
        })
        .await;
        assert!(!out.cancelled.is_empty());
    }

    #[tokio::test]
    async fn respects_parallelism_bound() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        for _ in 0..20 {
            g.add_node(());
        }
        let current = std::sync::atomic::AtomicUsize::new(0);
        let peak = std::sync::atomic::AtomicUsize::new(0);
        walk(&g, 3, false, &AtomicBool::new(false), |_| {
            let (current, peak) = (&current, &peak);
            async move {
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                current.fetch_sub(1, Ordering::SeqCst);
                true
            }
        })
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
