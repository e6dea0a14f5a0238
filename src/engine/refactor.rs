//! Refactoring blocks. `moved` blocks are checked (an object that is still declared, two
//! destinations for one source or two sources for one destination, chains that form a cycle, a
//! change of resource type) and then applied to a copy of the prior state before planning, in
//! chain order, in every instance of the module that declares them: the plan shows each moved
//! instance with its previous address, and apply renames the state rows first, in one
//! transaction. `removed` blocks say that objects left the configuration on purpose: with
//! `lifecycle { destroy = false }` their instances are forgotten instead of destroyed.

use std::collections::{BTreeMap, HashMap};

use petgraph::graph::DiGraph;

use crate::addr::{ModulePath, ObjectAddr, ResourceInstanceAddr};
use crate::config::{module_at, Config, Module, MovedBlock, RemovedBlock};
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::State;

/// The result of applying the `moved` blocks to a state.
#[derive(Debug, Default)]
pub(crate) struct Moves {
    /// New instance address -> its address in the stored state.
    pub previous: HashMap<String, String>,
}

/// Every `moved` / `removed` block with the configuration path of its module.
fn blocks<'c, T>(m: &'c Module, path: &ModulePath, pick: fn(&Module) -> &[T], out: &mut Vec<(ModulePath, &'c T)>) {
    out.extend(pick(m).iter().map(|b| (path.clone(), b)));
    for (name, c) in &m.module_calls {
        blocks(&c.module, &path.child(name), pick, out);
    }
}

fn moved_blocks(config: &Config) -> Vec<(ModulePath, &MovedBlock)> {
    let mut out = Vec::new();
    blocks(&config.root, &ModulePath::root(), |m| &m.moved, &mut out);
    out
}

/// The `removed` blocks with their module's configuration path.
pub(crate) fn removed_blocks(config: &Config) -> Vec<(ModulePath, &RemovedBlock)> {
    let mut out = Vec::new();
    blocks(&config.root, &ModulePath::root(), |m| &m.removed, &mut out);
    out
}

/// Where an object named relative to module `at` is declared, if it still is.
fn declared(config: &Config, at: &ModulePath, addr: &ObjectAddr) -> Option<crate::diag::SourceRange> {
    let module = module_at(&config.root, at)?;
    match addr {
        ObjectAddr::Resource(r) => module_at(module, &r.resource.module)?.resources.get(&r.resource.local()).map(|x| x.range.clone()),
        ObjectAddr::Module(m) => {
            let (parent, name) = m.parent()?;
            module_at(module, &parent)?.module_calls.get(name).map(|c| c.range.clone())
        }
    }
}

/// How a statement's address reads in a cycle report: a whole resource or call gets `[*]`.
fn cycle_name(a: &ObjectAddr) -> String {
    match a {
        ObjectAddr::Resource(r) if r.key.is_none() => format!("{r}[*]"),
        ObjectAddr::Module(m) if m.last_key().is_none() => format!("{m}[*]"),
        other => other.to_string(),
    }
}

/// Checks every `moved` and `removed` block; all problems in one report.
pub(crate) fn validate(config: &Config) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    let moved = moved_blocks(config);
    let mut by_from: HashMap<(ModulePath, String), &MovedBlock> = HashMap::new();
    let mut by_to: HashMap<(ModulePath, String), &MovedBlock> = HashMap::new();
    for (at, b) in &moved {
        if let (ObjectAddr::Resource(f), ObjectAddr::Resource(t)) = (&b.from, &b.to) {
            if f.resource.type_name != t.resource.type_name {
                diags.push(
                    Diagnostic::error(
                        "Resource type mismatch",
                        format!("This statement declares a move from {} to {}, which is a resource of a different type. skyform does not move objects between resource types.", b.from, b.to),
                    )
                    .at(Some(&b.range)),
                );
            }
        }
        let same_object = match (&b.from, &b.to) {
            (ObjectAddr::Resource(f), ObjectAddr::Resource(t)) => f.resource == t.resource,
            (ObjectAddr::Module(f), ObjectAddr::Module(t)) => f.without_keys() == t.without_keys(),
            _ => false,
        };
        let whole = match &b.from {
            ObjectAddr::Resource(r) => r.key.is_none(),
            ObjectAddr::Module(m) => m.last_key().is_none(),
        };
        if whole && !same_object {
            if let Some(range) = declared(config, at, &b.from) {
                let what = if matches!(b.from, ObjectAddr::Module(_)) { "module call" } else { "resource" };
                diags.push(
                    Diagnostic::error(
                        "Moved object still exists",
                        format!(
                            "This statement declares a move from {}, but that {what} is still declared at {}:{},{}.\n\nChange your configuration so that this {what} will be declared as {} instead.",
                            b.from, range.file, range.line, range.col, b.to
                        ),
                    )
                    .at(Some(&b.range)),
                );
            }
        }
        match by_from.get(&(at.clone(), b.from.to_string())) {
            Some(first) if first.to != b.to => diags.push(
                Diagnostic::error(
                    "Ambiguous move statements",
                    format!(
                        "A statement at {}:{},{} declared that {} moved to {}, but this statement instead declares that it moved to {}.\n\nEach resource can move to only one destination resource.",
                        first.range.file, first.range.line, first.range.col, b.from, first.to, b.to
                    ),
                )
                .at(Some(&b.range)),
            ),
            Some(_) => {}
            None => {
                by_from.insert((at.clone(), b.from.to_string()), b);
                match by_to.get(&(at.clone(), b.to.to_string())) {
                    Some(first) if first.from != b.from => diags.push(
                        Diagnostic::error(
                            "Ambiguous move statements",
                            format!(
                                "A statement at {}:{},{} declared that {} moved to {}, but this statement instead declares that {} moved there.\n\nEach resource can have moved from only one source resource.",
                                first.range.file, first.range.line, first.range.col, first.from, b.to, b.from
                            ),
                        )
                        .at(Some(&b.range)),
                    ),
                    _ => {
                        by_to.insert((at.clone(), b.to.to_string()), b);
                    }
                }
            }
        }
    }
    if let Err(cycles) = chain_order(&moved) {
        for cycle in cycles {
            let lines: Vec<String> = cycle
                .iter()
                .map(|(_, b)| format!("  - {}:{},{}: {} \u{2192} {}", b.range.file, b.range.line, b.range.col, cycle_name(&b.from), cycle_name(&b.to)))
                .collect();
            diags.push(Diagnostic::error(
                "Cyclic dependency in move statements",
                format!("The following chained move statements form a cycle, and so there is no final location to move objects to:\n{}\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.", lines.join("\n")),
            ));
        }
    }
    for (at, b) in removed_blocks(config) {
        if let Some(range) = declared(config, &at, &b.from) {
            let what = if matches!(b.from, ObjectAddr::Module(_)) { "module call" } else { "resource" };
            diags.push(
                Diagnostic::error(
                    format!("Removed {what} still exists"),
                    format!(
                        "This statement declares that {} was removed, but it is still declared in configuration at {}:{},{}.",
                        b.from, range.file, range.line, range.col
                    ),
                )
                .at(Some(&b.range)),
            );
        }
        if moved.iter().any(|(m, mv)| *m == at && (mv.from == b.from || mv.to == b.from)) {
            diags.push(Diagnostic::error("Conflicting refactoring blocks", format!("{} is both moved and removed.", b.from)).at(Some(&b.range)));
        }
    }
    diags.into_result()
}

type Statement<'c> = (ModulePath, &'c MovedBlock);

/// The statements in chain order (one whose destination is another's source runs first), or
/// the cycles.
fn chain_order<'c>(moved: &[Statement<'c>]) -> Result<Vec<Statement<'c>>, Vec<Vec<Statement<'c>>>> {
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<_> = (0..moved.len()).map(|i| g.add_node(i)).collect();
    let mut by_from: HashMap<(&ModulePath, String), Vec<usize>> = HashMap::new();
    for (i, (at, b)) in moved.iter().enumerate() {
        by_from.entry((at, b.from.to_string())).or_default().push(i);
    }
    for (i, (at, b)) in moved.iter().enumerate() {
        for j in by_from.get(&(at, b.to.to_string())).into_iter().flatten() {
            g.add_edge(nodes[i], nodes[*j], ());
        }
    }
    match petgraph::algo::toposort(&g, None) {
        Ok(order) => Ok(order.into_iter().map(|n| moved[g[n]].clone()).collect()),
        Err(_) => Err(petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .filter(|scc| scc.len() > 1 || g.contains_edge(scc[0], scc[0]))
            .map(|scc| {
                let mut v: Vec<usize> = scc.into_iter().map(|n| g[n]).collect();
                v.sort();
                v.into_iter().map(|i| moved[i].clone()).collect()
            })
            .collect()),
    }
}

/// Applies the `moved` blocks to `state` (validated first). Returns the moves made and
/// warnings for moves whose destination is already in state (those objects stay put).
pub(crate) fn apply_moves(config: &Config, state: &mut State) -> (Moves, Diagnostics) {
    let mut moves = Moves::default();
    let mut warnings = Diagnostics::new();
    let Ok(order) = chain_order(&moved_blocks(config)) else { return (moves, warnings) };
    for (at, b) in order {
        let mut renames: Vec<(String, ResourceInstanceAddr)> = Vec::new();
        for address in state.resources.keys() {
            let Ok(addr) = ResourceInstanceAddr::parse(address) else { continue };
            let Some(prefix) = addr.resource.module.instance_of(&at) else { continue };
            if let Some(new) = b.from.within(&prefix).relocate(&b.to.within(&prefix), &addr) {
                renames.push((address.clone(), new));
            }
        }
        let sources: std::collections::HashSet<&String> = renames.iter().map(|r| &r.0).collect();
        let mut moved: BTreeMap<String, crate::state::ResourceInstanceState> = BTreeMap::new();
        let mut skipped = Vec::new();
        for (old, new) in &renames {
            let new_text = new.to_string();
            if state.resources.contains_key(&new_text) && !sources.contains(&new_text) {
                skipped.push(format!("{old} (already at {new_text})"));
                continue;
            }
            let Some(mut r) = state.resources.get(old).cloned() else { continue };
            r.address = new_text.clone();
            r.module = new.resource.module.to_string();
            r.type_name = new.resource.type_name.clone();
            r.name = new.resource.name.clone();
            r.index_key = new.key.as_ref().map(|k| match k {
                crate::addr::InstanceKey::Int(n) => serde_json::json!(n),
                crate::addr::InstanceKey::Str(s) => serde_json::json!(s),
            });
            let original = moves.previous.remove(old).unwrap_or_else(|| old.clone());
            moves.previous.insert(new_text.clone(), original);
            moved.insert(new_text, r);
        }
        for (old, new) in &renames {
            if moved.contains_key(&new.to_string()) {
                state.resources.remove(old);
            }
        }
        state.resources.extend(moved);
        if !skipped.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    "Moved object not moved",
                    format!(
                        "This statement moves {} to {}, but the destination already has an object in state, so these stay where they are: {}.",
                        b.from,
                        b.to,
                        skipped.join(", ")
                    ),
                )
                .at(Some(&b.range)),
            );
        }
    }
    implied_moves(config, state, &mut moves);
    // A chain can end where it started for some instance; that is no move.
    moves.previous.retain(|new, old| new != old);
    (moves, warnings)
}

/// Whether any instance in state would take an implied move (cheap: no copy of the state).
pub(crate) fn implied_moves_possible(config: &Config, state: &State) -> bool {
    state.resources.values().any(|r| {
        let keyless = r.index_key.is_none();
        let zero = r.index_key.as_ref().is_some_and(|k| k == &serde_json::json!(0));
        if !keyless && !zero {
            return false;
        }
        let Ok(addr) = ResourceInstanceAddr::parse(&r.address) else { return false };
        module_at(&config.root, &addr.resource.module)
            .and_then(|m| m.resources.get(&addr.resource.local()))
            .is_some_and(|d| (keyless && d.count.is_some()) || (zero && d.count.is_none() && d.for_each.is_none()))
    })
}

/// Terraform's implied moves: a resource that gained `count` takes its keyless object as
/// `[0]`, and one that lost `count` takes `[0]` as its keyless object, when the destination is
/// free.
fn implied_moves(config: &Config, state: &mut State, moves: &mut Moves) {
    let mut renames = Vec::new();
    for (address, r) in &state.resources {
        let Ok(addr) = ResourceInstanceAddr::parse(address) else { continue };
        let Some(decl) = module_at(&config.root, &addr.resource.module).and_then(|m| m.resources.get(&addr.resource.local())) else { continue };
        let key = match (&addr.key, decl.count.is_some(), decl.for_each.is_some()) {
            (None, true, _) => Some(crate::addr::InstanceKey::Int(0)),
            (Some(crate::addr::InstanceKey::Int(0)), false, false) => None,
            _ => continue,
        };
        let new = addr.resource.instance(key);
        if !state.resources.contains_key(&new.to_string()) && r.mode == "managed" {
            renames.push((address.clone(), new));
        }
    }
    for (old, new) in renames {
        let Some(mut r) = state.resources.remove(&old) else { continue };
        let text = new.to_string();
        r.address = text.clone();
        r.index_key = new.key.as_ref().map(|_| serde_json::json!(0));
        let original = moves.previous.remove(&old).unwrap_or(old);
        moves.previous.insert(text.clone(), original);
        state.resources.insert(text, r);
    }
}

/// Whether instance `address` is under a `removed` block with `destroy = false`.
pub(crate) fn forgotten(config: &Config, address: &str) -> bool {
    let Ok(addr) = ResourceInstanceAddr::parse(address) else { return false };
    removed_blocks(config).into_iter().filter(|(_, b)| !b.destroy).any(|(at, b)| {
        let Some(prefix) = addr.resource.module.instance_of(&at) else { return false };
        let from = b.from.within(&prefix);
        from.relocate(&from, &addr).is_some()
    })
}
