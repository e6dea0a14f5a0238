//! The configuration model: one [`Module`] per directory, the root at the top of [`Config`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::addr::ModulePath;
use crate::addr::ResourceMode;
use crate::diag::SourceRange;
use crate::eval::types::Type;
use crate::syntax::{Attribute, Body};
use crate::value::{AttrPath, Value};

/// The whole configuration: the root module, whose calls hold their child modules.
#[derive(Debug)]
pub struct Config {
    pub root: Module,
    /// The selected workspace (`terraform.workspace`); the CLI sets it, loading says "default".
    pub workspace: String,
}

#[derive(Debug, Default)]
pub struct Module {
    /// The directory the module was loaded from (`path.module`).
    pub dir: PathBuf,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Attribute>,
    pub outputs: BTreeMap<String, Output>,
    /// Keyed by local address: `type.name` or `data.type.name`.
    pub resources: BTreeMap<String, Resource>,
    /// Keyed by `name` or `name.alias`.
    pub providers: BTreeMap<String, ProviderConfig>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    pub required_version: Option<(String, SourceRange)>,
    /// `import { to = ADDR, id = "..." }` blocks (root module only, as in Terraform).
    pub imports: Vec<ImportBlock>,
    /// `moved { from, to }` blocks, addresses relative to this module.
    pub moved: Vec<MovedBlock>,
    /// `removed { from }` blocks, addresses relative to this module.
    pub removed: Vec<RemovedBlock>,
    /// `check "name" {}` blocks.
    pub checks: Vec<Check>,
    /// `terraform { backend "TYPE" {} }`: where the state lives (read from the root module).
    pub backend: Option<BackendBlock>,
    /// `terraform { encryption {} }`: how state and plan files are encrypted at rest (root
    /// module; decoded with `TF_ENCRYPTION` by `state::encryption`).
    pub encryption: Option<crate::syntax::Block>,
}

/// A `backend` block: its type and its arguments, each a constant (Terraform allows no
/// references here), with where they were written.
#[derive(Debug, Clone)]
pub struct BackendBlock {
    pub kind: String,
    /// Arguments and nested blocks (a nested block is an object of its arguments).
    pub args: BTreeMap<String, (Value, SourceRange)>,
    pub range: SourceRange,
}

/// A `check` block: assertions evaluated after each plan and apply (a failure warns, as in
/// Terraform), with data sources of its own read just before them.
#[derive(Debug)]
pub struct Check {
    pub name: String,
    /// Scoped `data` blocks, by `type.name`.
    pub data: BTreeMap<String, Resource>,
    pub asserts: Vec<Condition>,
    pub range: SourceRange,
}

/// A `moved` block: the objects at `from` are now at `to` (both modules or both resources).
#[derive(Debug, Clone)]
pub struct MovedBlock {
    pub from: crate::addr::ObjectAddr,
    pub to: crate::addr::ObjectAddr,
    pub range: SourceRange,
}

/// A `removed` block: the objects at `from` (a resource or module call, without keys) leave
/// the configuration; `lifecycle { destroy = false }` forgets them instead of destroying them.
#[derive(Debug, Clone)]
pub struct RemovedBlock {
    pub from: crate::addr::ObjectAddr,
    pub destroy: bool,
    pub range: SourceRange,
}

/// An `import {}` block: adopt the existing object `id` at the instance address `to`.
#[derive(Debug)]
pub struct ImportBlock {
    /// The target instance address; with `for_each`, the target resource's address (the keys
    /// come from `to_expr`, evaluated per element).
    pub to: String,
    /// The `to` expression as written (`aws_s3_bucket.b[each.key]`).
    pub to_expr: hcl::Expression,
    /// `for_each` over the objects to import (a map or set, known at plan time).
    pub for_each: Option<Attribute>,
    pub id: Attribute,
    pub range: SourceRange,
}

#[derive(Debug)]
pub struct Variable {
    pub name: String,
    pub ty: Type,
    /// Whether the block has a `type` argument (`ty` is `Any` both without one and for `any`).
    pub type_given: bool,
    pub default: Option<Value>,
    pub description: String,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<Validation>,
    pub range: SourceRange,
}

#[derive(Debug)]
pub struct Validation {
    pub condition: Attribute,
    pub error_message: Attribute,
}

#[derive(Debug)]
pub struct Output {
    pub name: String,
    pub value: Attribute,
    pub description: String,
    pub sensitive: bool,
    pub depends_on: Vec<(String, SourceRange)>,
    pub preconditions: Vec<Condition>,
    pub range: SourceRange,
}

#[derive(Debug, Clone, Default)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    Paths(Vec<AttrPath>),
}

#[derive(Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    /// References (`aws_s3_bucket.b`, `terraform_data.x.output`) whose change replaces this.
    pub replace_triggered_by: Vec<Attribute>,
    /// Checked before planning or applying each instance.
    pub preconditions: Vec<Condition>,
    /// Checked on each instance's planned and new state (`self`).
    pub postconditions: Vec<Condition>,
}

/// A `precondition` or `postcondition` block: a condition and the message when it is false.
#[derive(Debug, Clone)]
pub struct Condition {
    pub condition: Attribute,
    pub error_message: Attribute,
    pub range: SourceRange,
}

#[derive(Debug)]
pub struct Resource {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
    /// The body, including meta-arguments (skipped when evaluated against the schema).
    pub body: Body,
    pub count: Option<Attribute>,
    pub for_each: Option<Attribute>,
    /// Reference expressions as written: `aws_vpc.main`, `module.net`.
    pub depends_on: Vec<(String, SourceRange)>,
    /// The provider configuration key (`aws` or `aws.west`).
    pub provider: String,
    pub lifecycle: Lifecycle,
    /// `provisioner "local-exec"` blocks, in order.
    pub provisioners: Vec<Provisioner>,
    pub range: SourceRange,
}

/// A `provisioner "local-exec"` block: its body (evaluated when it runs, with `self`), when it
/// runs and what a failure does.
#[derive(Debug)]
pub struct Provisioner {
    pub kind: String,
    pub body: Body,
    /// `when = destroy`: before the object is destroyed (else after it is created).
    pub when_destroy: bool,
    /// `on_failure = continue`: a failure is reported and ignored (else it fails the apply and,
    /// for a create-time provisioner, taints the object).
    pub continue_on_failure: bool,
    pub range: SourceRange,
}

impl Resource {
    /// The address inside its module: `type.name` or `data.type.name`.
    pub fn local_addr(&self) -> String {
        match self.mode {
            ResourceMode::Managed => format!("{}.{}", self.type_name, self.name),
            ResourceMode::Data => format!("data.{}.{}", self.type_name, self.name),
        }
    }
}

/// Meta-arguments skipped when a resource body is evaluated against its schema.
pub const RESOURCE_META: &[&str] = &["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"];

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub range: SourceRange,
}

impl ProviderConfig {
    pub fn key(&self) -> String {
        match &self.alias {
            Some(a) => format!("{}.{}", self.name, a),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    /// Input variable assignments (the call's body minus `source`, `depends_on`, ...).
    pub inputs: Body,
    pub depends_on: Vec<(String, SourceRange)>,
    /// `count` or `for_each` (at most one): the call is repeated, one module instance per key.
    pub count: Option<Attribute>,
    pub for_each: Option<Attribute>,
    pub module: Box<Module>,
    pub range: SourceRange,
}

/// Arguments of a `module` block that are not input variables.
pub const MODULE_META: &[&str] = &["source", "version", "count", "for_each", "providers", "depends_on"];

/// Whether `pred` holds for the root module or any module it calls.
pub fn any_module(m: &Module, pred: &dyn Fn(&Module) -> bool) -> bool {
    pred(m) || m.module_calls.values().any(|c| any_module(&c.module, pred))
}

/// Returns the module at `path`, following module calls from the root.
pub fn module_at<'a>(root: &'a Module, path: &ModulePath) -> Option<&'a Module> {
    let mut m = root;
    for name in path.names() {
        m = &m.module_calls.get(name)?.module;
    }
    Some(m)
}

/// The module calls (`module.a`, `module.a.module.b`) whose module holds `file`, a file name
/// relative to the root module's directory as diagnostics show it. For
/// [`crate::diag::Diagnostics::merge_repeated`].
pub fn calls_loading(root: &Module, file: &str) -> Vec<String> {
    fn lexical(p: &std::path::Path) -> PathBuf {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir if out.file_name().is_some() => {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    }
    fn walk(m: &Module, prefix: &str, dir: &std::path::Path, out: &mut Vec<String>) {
        for (name, call) in &m.module_calls {
            let addr = format!("{prefix}module.{name}");
            if lexical(&call.module.dir) == dir {
                out.push(addr.clone());
            }
            walk(&call.module, &format!("{addr}."), dir, out);
        }
    }
    let mut out = Vec::new();
    if let Some(dir) = lexical(&root.dir.join(file)).parent() {
        walk(root, "", dir, &mut out);
    }
    out
}
