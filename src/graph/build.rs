//! Builds the [`Graph`] from a [`Config`] in named steps: module nodes, provider nodes,
//! reference edges, `depends_on` edges, then a cycle check that names every node on a cycle.

use petgraph::algo::tarjan_scc;

use super::{Graph, Node, NodeKind};
use crate::addr::ModulePath;
use crate::config::{Config, Module, RESOURCE_META};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::eval::{body_references, references, Reference};

/// Where a node's references are evaluated and what they are.
struct PendingRefs {
    node: NodeKind,
    scope: ModulePath,
    refs: Vec<(Reference, SourceRange)>,
    depends_on: Vec<(String, SourceRange)>,
}

pub use crate::config::module_at;

/// Builds the graph. `state_providers` are provider keys used by resources in state, so that
/// resources removed from the config can still be refreshed and destroyed.
pub fn build_graph(config: &Config, state_providers: &[String]) -> Result<Graph, Diagnostics> {
    let mut g = Graph::default();
    let mut pending = Vec::new();
    let mut diags = Diagnostics::new();
    add_module_nodes(&mut g, &mut pending, &config.root, &ModulePath::root(), None);
    add_import_references(&mut pending, config);
    add_provider_nodes(&mut g, &mut pending, config, state_providers, &mut diags);
    add_module_call_edges(&mut g);
    add_reference_edges(&mut g, &pending, config, &mut diags);
    if diags.has_errors() {
        // A module used by several calls is checked once per call: report each problem once.
        return Err(diags.merge_repeated(|file| crate::config::model::calls_loading(&config.root, file)));
    }
    check_cycles(&g)?;
    Ok(g)
}

fn add(g: &mut Graph, kind: NodeKind, range: Option<SourceRange>) {
    let idx = g.dag.add_node(Node { kind: kind.clone(), range });
    g.index.insert(kind, idx);
}

/// Step 1: one node per variable, local, output, resource and module call, recursively through
/// module calls.
/// A child module's variables are evaluated in the parent: their references are the call's
/// input expressions.
fn add_module_nodes(g: &mut Graph, pending: &mut Vec<PendingRefs>, m: &Module, path: &ModulePath, call: Option<(&ModulePath, &crate::config::ModuleCall)>) {
    for (name, v) in &m.variables {
        let kind = NodeKind::Variable { module: path.clone(), name: name.clone() };
        add(g, kind.clone(), Some(v.range.clone()));
        if let Some((parent, call)) = call {
            let refs = call.inputs.attribute(name).map(|a| references(&a.expr).into_iter().map(|r| (r, a.expr_range.clone())).collect()).unwrap_or_default();
            pending.push(PendingRefs { node: kind, scope: parent.clone(), refs, depends_on: Vec::new() });
        }
    }
    for (name, a) in &m.locals {
        let kind = NodeKind::Local { module: path.clone(), name: name.clone() };
        add(g, kind.clone(), Some(a.range.clone()));
        let refs = references(&a.expr).into_iter().map(|r| (r, a.expr_range.clone())).collect();
        pending.push(PendingRefs { node: kind, scope: path.clone(), refs, depends_on: Vec::new() });
    }
    for (name, o) in &m.outputs {
        let kind = NodeKind::Output { module: path.clone(), name: name.clone() };
        add(g, kind.clone(), Some(o.range.clone()));
        let mut refs: Vec<_> = references(&o.value.expr).into_iter().map(|r| (r, o.value.expr_range.clone())).collect();
        refs.extend(condition_references(&o.preconditions));
        pending.push(PendingRefs { node: kind, scope: path.clone(), refs, depends_on: o.depends_on.clone() });
    }
    for (key, r) in &m.resources {
        let kind = NodeKind::Resource { module: path.clone(), key: key.clone() };
        add(g, kind.clone(), Some(r.range.clone()));
        let skip: Vec<&str> = RESOURCE_META.iter().copied().filter(|m| *m != "count" && *m != "for_each").collect();
        let mut refs = body_references(&r.body, &skip);
        for t in &r.lifecycle.replace_triggered_by {
            refs.extend(references(&t.expr).into_iter().map(|x| (x, t.expr_range.clone())));
        }
        refs.extend(condition_references(&r.lifecycle.preconditions));
        refs.extend(condition_references(&r.lifecycle.postconditions));
        // What a create-time provisioner's command uses must exist before it runs.
        for p in r.provisioners.iter().filter(|p| !p.when_destroy) {
            refs.extend(body_references(&p.body, &["when", "on_failure"]));
        }
        // The resource's own name may appear in `self`-less conditions; drop self-references.
        refs.retain(|(x, _)| !(x.root == r.type_name && x.attrs.first() == Some(&r.name)));
        pending.push(PendingRefs { node: kind, scope: path.clone(), refs, depends_on: r.depends_on.clone() });
    }
    for (name, c) in &m.module_calls {
        let kind = NodeKind::ModuleCall { module: path.clone(), name: name.clone() };
        add(g, kind.clone(), Some(c.range.clone()));
        let refs = c.count.iter().chain(&c.for_each).flat_map(|a| references(&a.expr).into_iter().map(|r| (r, a.expr_range.clone()))).collect();
        pending.push(PendingRefs { node: kind, scope: path.clone(), refs, depends_on: c.depends_on.clone() });
        add_module_nodes(g, pending, &c.module, &path.child(name), Some((path, c)));
    }
}

/// Step 2b: every node in a called module (module calls in it included) depends on the call's
/// node, which decides the module's instances; a call's `depends_on` so holds for all of it.
fn add_module_call_edges(g: &mut Graph) {
    let nodes: Vec<_> = g.dag.node_indices().collect();
    for i in nodes {
        let Some((parent, name)) = g.dag[i].kind.module().parent().map(|(p, n)| (p, n.to_string())) else { continue };
        if let Some(call) = g.node(&NodeKind::ModuleCall { module: parent, name }) {
            g.dag.add_edge(call, i, ());
        }
    }
}

/// Step 1b: an `import` block's target depends on what its `id`, `for_each` and the keys in
/// its `to` refer to (evaluated in the root module).
fn add_import_references(pending: &mut Vec<PendingRefs>, config: &Config) {
    for b in &config.root.imports {
        let Ok(addr) = crate::addr::ResourceInstanceAddr::parse(&b.to) else { continue };
        let node = NodeKind::Resource { module: addr.resource.module.without_keys(), key: addr.resource.local() };
        let mut refs: Vec<(Reference, SourceRange)> = references(&b.id.expr).into_iter().map(|r| (r, b.id.expr_range.clone())).collect();
        if let Some(fe) = &b.for_each {
            refs.extend(references(&fe.expr).into_iter().map(|r| (r, fe.expr_range.clone())));
        }
        // The keys in `to` (the target itself is not a dependency of itself).
        let target_root = addr.resource.module.0.first().map(|_| "module".to_string()).unwrap_or_else(|| addr.resource.type_name.clone());
        refs.extend(references(&b.to_expr).into_iter().filter(|r| r.root != target_root && r.root != "data").map(|r| (r, b.range.clone())));
        pending.push(PendingRefs { node, scope: ModulePath::root(), refs, depends_on: Vec::new() });
    }
}

/// What custom conditions refer to (their condition and error message).
fn condition_references(conds: &[crate::config::Condition]) -> Vec<(Reference, SourceRange)> {
    conds.iter().flat_map(|c| [&c.condition, &c.error_message]).flat_map(|a| references(&a.expr).into_iter().map(move |r| (r, a.expr_range.clone()))).collect()
}

fn collect_provider_keys(m: &Module, out: &mut Vec<(String, SourceRange)>) {
    for r in m.resources.values().chain(m.checks.iter().flat_map(|c| c.data.values())) {
        out.push((r.provider.clone(), r.range.clone()));
    }
    for c in m.module_calls.values() {
        collect_provider_keys(&c.module, out);
    }
}

/// Step 2: one node per root provider configuration: declared ones, implied ones (a resource
/// type whose provider has no block), and those that resources in state still need. Every
/// resource depends on its provider's node.
fn add_provider_nodes(g: &mut Graph, pending: &mut Vec<PendingRefs>, config: &Config, state: &[String], diags: &mut Diagnostics) {
    for (key, p) in &config.root.providers {
        let kind = NodeKind::Provider { key: key.clone() };
        add(g, kind.clone(), Some(p.range.clone()));
        let refs = body_references(&p.body, &["alias"]);
        pending.push(PendingRefs { node: kind, scope: ModulePath::root(), refs, depends_on: Vec::new() });
    }
    let mut used = Vec::new();
    collect_provider_keys(&config.root, &mut used);
    for (key, range) in used {
        if g.node(&NodeKind::Provider { key: key.clone() }).is_some() {
            continue;
        }
        if key.contains('.') {
            diags.push(
                Diagnostic::error(
                    "Provider configuration not present",
                    format!("There is no provider \"{key}\" block: declare one with alias = \"{}\".", key.split_once('.').map(|x| x.1).unwrap_or("")),
                )
                .at(Some(&range)),
            );
            continue;
        }
        add(g, NodeKind::Provider { key }, None);
    }
    for key in state {
        if g.node(&NodeKind::Provider { key: key.clone() }).is_none() {
            add(g, NodeKind::Provider { key: key.clone() }, None);
        }
    }
    for m_path in all_module_paths(&config.root, &ModulePath::root()) {
        let Some(m) = module_at(&config.root, &m_path) else { continue };
        for (key, r) in &m.resources {
            let (Some(p), Some(res)) =
                (g.node(&NodeKind::Provider { key: r.provider.clone() }), g.node(&NodeKind::Resource { module: m_path.clone(), key: key.clone() }))
            else {
                continue;
            };
            g.dag.add_edge(p, res, ());
        }
    }
}

fn all_module_paths(m: &Module, path: &ModulePath) -> Vec<ModulePath> {
    let mut out = vec![path.clone()];
    for name in m.module_calls.keys() {
        out.extend(all_module_paths(&m.module_calls[name].module, &path.child(name)));
    }
    out
}

/// Resolves a reference made in module `scope` to the nodes it depends on. Returns an error
/// (summary, detail) for a reference to something undeclared.
pub fn resolve(root: &Module, scope: &ModulePath, r: &Reference) -> Result<Vec<NodeKind>, (String, String)> {
    let Some(m) = module_at(root, scope) else { return Ok(Vec::new()) };
    let first = r.attrs.first().map(String::as_str);
    let undeclared = |what: &str, summary: &str, name: &str| Err((summary.to_string(), format!("A {what} named \"{name}\" has not been declared.")));
    match (r.root.as_str(), first) {
        ("count" | "each" | "path" | "self" | "terraform", _) => Ok(Vec::new()),
        ("var", Some(name)) => match m.variables.contains_key(name) {
            true => Ok(vec![NodeKind::Variable { module: scope.clone(), name: name.to_string() }]),
            false => Err((
                "Reference to undeclared input variable".into(),
                format!(
                    "An input variable with the name \"{name}\" has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."
                ),
            )),
        },
        ("local", Some(name)) => match m.locals.contains_key(name) {
            true => Ok(vec![NodeKind::Local { module: scope.clone(), name: name.to_string() }]),
            false => undeclared("local value", "Reference to undeclared local value", name),
        },
        ("module", Some(name)) => {
            let Some(call) = m.module_calls.get(name) else {
                return undeclared("module call", "Reference to undeclared module", name);
            };
            let child = scope.child(name);
            match r.attrs.get(1) {
                Some(out) if call.module.outputs.contains_key(out) => Ok(vec![NodeKind::Output { module: child, name: out.clone() }]),
                Some(out) => Err((
                    "Unsupported attribute".into(),
                    format!("This object does not have an attribute named \"{out}\": module \"{name}\" has no such output."),
                )),
                None => Ok(call.module.outputs.keys().map(|o| NodeKind::Output { module: child.clone(), name: o.clone() }).collect()),
            }
        }
        ("data", Some(t)) => match r.attrs.get(1) {
            Some(n) => {
                let key = format!("data.{t}.{n}");
                match m.resources.contains_key(&key) {
                    true => Ok(vec![NodeKind::Resource { module: scope.clone(), key }]),
                    false => undeclared("data resource", "Reference to undeclared resource", &key),
                }
            }
            None => Err(("Invalid reference".into(), "A reference to a data source must have a type and a name.".into())),
        },
        ("var" | "local" | "module" | "data", None) => {
            Err(("Invalid reference".into(), format!("The \"{}\" object cannot be accessed directly. Instead, access one of its attributes.", r.root)))
        }
        (t, Some(n)) => {
            let key = format!("{t}.{n}");
            match m.resources.contains_key(&key) {
                true => Ok(vec![NodeKind::Resource { module: scope.clone(), key }]),
                false => Err((
                    "Reference to undeclared resource".into(),
                    format!(
                        "A managed resource \"{t}\" \"{n}\" has not been declared in {}.",
                        if scope.is_root() { "the root module".to_string() } else { scope.to_string() }
                    ),
                )),
            }
        }
        (t, None) => Err((
            "Invalid reference".into(),
            format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name (found \"{t}\")."),
        )),
    }
}

fn resolve_depends_on(root: &Module, scope: &ModulePath, text: &str) -> Result<Vec<NodeKind>, (String, String)> {
    let parts: Vec<&str> = text.split('[').next().unwrap_or(text).split('.').collect();
    let (root_name, attrs) = match parts.as_slice() {
        ["module", name, ..] => {
            let Some(m) = module_at(root, scope).and_then(|m| m.module_calls.get(*name)) else {
                return Err(("Reference to undeclared module".into(), format!("No module call named \"{name}\" is declared.")));
            };
            let child = scope.child(name);
            let mut out: Vec<NodeKind> = m.module.outputs.keys().map(|o| NodeKind::Output { module: child.clone(), name: o.clone() }).collect();
            out.extend(m.module.resources.keys().map(|k| NodeKind::Resource { module: child.clone(), key: k.clone() }));
            return Ok(out);
        }
        [first, rest @ ..] => (first.to_string(), rest.iter().take(2).map(|s| s.to_string()).collect()),
        [] => return Ok(Vec::new()),
    };
    resolve(root, scope, &Reference { root: root_name, attrs, attribute: None })
}

/// Step 3: an edge from every referenced node to the node that refers to it.
fn add_reference_edges(g: &mut Graph, pending: &[PendingRefs], config: &Config, diags: &mut Diagnostics) {
    for p in pending {
        let Some(to) = g.node(&p.node) else { continue };
        let mut targets = Vec::new();
        for (r, range) in &p.refs {
            match resolve(&config.root, &p.scope, r) {
                Ok(t) => {
                    if let (Some(attribute), Some(NodeKind::Resource { .. })) = (&r.attribute, t.first()) {
                        let (data, type_name) = if r.root == "data" { (true, r.attrs[0].clone()) } else { (false, r.root.clone()) };
                        g.attribute_uses.push(super::AttributeUse { data, type_name, attribute: attribute.clone(), range: range.clone() });
                    }
                    targets.extend(t)
                }
                Err((summary, detail)) => diags.push(Diagnostic::error(summary, detail).at(Some(range))),
            }
        }
        for (text, range) in &p.depends_on {
            match resolve_depends_on(&config.root, &p.scope, text) {
                Ok(t) => targets.extend(t),
                Err((summary, detail)) => diags.push(Diagnostic::error(summary, detail).at(Some(range))),
            }
        }
        targets.sort_by_key(|k| k.address());
        targets.dedup();
        for t in targets {
            if let Some(from) = g.node(&t) {
                g.dag.update_edge(from, to, ());
            }
        }
    }
}

/// Step 4: refuses a graph with a cycle, naming every node on it with its `file:line`.
fn check_cycles(g: &Graph) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for scc in tarjan_scc(&g.dag) {
        let self_loop = scc.len() == 1 && g.dag.contains_edge(scc[0], scc[0]);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let mut names: Vec<String> = scc
            .iter()
            .map(|i| {
                let n = &g.dag[*i];
                match &n.range {
                    Some(r) => format!("{} ({}:{})", n.kind.address(), r.file, r.line),
                    None => n.kind.address(),
                }
            })
            .collect();
        names.sort();
        let first = scc.iter().filter_map(|i| g.dag[*i].range.clone()).min_by_key(|r| (r.file.clone(), r.line));
        diags.push(Diagnostic::error("Cycle in configuration", format!("These objects depend on each other: {}.", names.join(", "))).at(first.as_ref()));
    }
    diags.into_result()
}
