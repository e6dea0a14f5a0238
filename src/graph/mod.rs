//! The dependency graph over petgraph: one node per variable, local, output, resource, module
//! call and provider configuration (module by module), one edge per reference or `depends_on`, built by
//! small named steps (OpenTofu's transformers) in [`build`], and walked in dependency order with
//! bounded parallelism by [`walk::walk`]. An edge `a -> b` means `b` depends on `a`.

pub mod build;
pub mod walk;

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::addr::ModulePath;
use crate::diag::SourceRange;

pub use build::build_graph;

/// What a node stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Variable {
        module: ModulePath,
        name: String,
    },
    Local {
        module: ModulePath,
        name: String,
    },
    Output {
        module: ModulePath,
        name: String,
    },
    /// A resource (all its instances); `key` is the local address (`type.name`, `data.type.name`).
    Resource {
        module: ModulePath,
        key: String,
    },
    /// A module call in `module`: evaluates its `count` / `for_each` into the instances of the
    /// called module; every node in that module depends on it.
    ModuleCall {
        module: ModulePath,
        name: String,
    },
    /// A root provider configuration; `key` is `name` or `name.alias`.
    Provider {
        key: String,
    },
}

impl NodeKind {
    /// The address shown to users (`module.a.var.x`, `aws_s3_bucket.b`, `provider["aws"]`).
    pub fn address(&self) -> String {
        let prefix = |m: &ModulePath| if m.is_root() { String::new() } else { format!("{m}.") };
        match self {
            NodeKind::Variable { module, name } => format!("{}var.{name}", prefix(module)),
            NodeKind::Local { module, name } => format!("{}local.{name}", prefix(module)),
            NodeKind::Output { module, name } => format!("{}output.{name}", prefix(module)),
            NodeKind::Resource { module, key } => format!("{}{key}", prefix(module)),
            NodeKind::ModuleCall { module, name } => format!("{}module.{name}", prefix(module)),
            NodeKind::Provider { key } => format!("provider.{key}"),
        }
    }

    pub fn module(&self) -> ModulePath {
        match self {
            NodeKind::Variable { module, .. }
            | NodeKind::Local { module, .. }
            | NodeKind::Output { module, .. }
            | NodeKind::Resource { module, .. }
            | NodeKind::ModuleCall { module, .. } => module.clone(),
            NodeKind::Provider { .. } => ModulePath::root(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// Where the object is declared (None for implied provider configurations).
    pub range: Option<SourceRange>,
}

/// The built graph plus a lookup from node kind to index.
#[derive(Debug, Default)]
pub struct Graph {
    pub dag: DiGraph<Node, ()>,
    pub index: HashMap<NodeKind, NodeIndex>,
    /// Every attribute read of a declared resource or data source (`aws_instance.web.az`),
    /// for checking it against what the type's driver implements.
    pub attribute_uses: Vec<AttributeUse>,
}

/// One read of an attribute of a resource (`data`: of a data source) of type `type_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeUse {
    pub data: bool,
    pub type_name: String,
    pub attribute: String,
    pub range: crate::diag::SourceRange,
}

impl Graph {
    pub fn node(&self, kind: &NodeKind) -> Option<NodeIndex> {
        self.index.get(kind).copied()
    }

    /// Renders the graph in DOT, dependencies pointing at their dependents' prerequisites as
    /// Terraform draws them (dependent -> dependency).
    pub fn to_dot(&self) -> String {
        let mut names: Vec<(String, NodeIndex)> = self.dag.node_indices().map(|i| (self.dag[i].kind.address(), i)).collect();
        names.sort();
        let mut out = String::from("digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  subgraph \"root\" {\n");
        for (name, _) in &names {
            out.push_str(&format!("    \"[root] {name}\" [label = \"{name}\", shape = \"box\"]\n"));
        }
        let mut edges: Vec<(String, String)> =
            self.dag.edge_indices().filter_map(|e| self.dag.edge_endpoints(e)).map(|(a, b)| (self.dag[b].kind.address(), self.dag[a].kind.address())).collect();
        edges.sort();
        for (from, to) in edges {
            out.push_str(&format!("    \"[root] {from}\" -> \"[root] {to}\"\n"));
        }
        out.push_str("  }\n}\n");
        out
    }
}
