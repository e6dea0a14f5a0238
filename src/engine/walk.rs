//! The walk context shared by every node of one operation (validate, plan or apply), and the
//! visitors for variables, locals, outputs and provider configurations. Resource nodes are in
//! [`super::resource`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

use petgraph::graph::NodeIndex;

use super::expand::{expand, Expansion, ModuleInstance, ModuleInstances};
use super::hook::Hook;
use super::scope::NodeScope;
use super::{Op, PlanOptions};
use crate::addr::ModulePath;
use crate::config::{Config, Module};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{eval_body, eval_body_dynamic, eval_expr, types::convert};
use crate::graph::build::module_at;
use crate::graph::{Graph, NodeKind};
use crate::plan::{Plan, ResourceChange};
use crate::provider::{Provider, ReadRequest, Registry};
use crate::state::{ResourceInstanceState, State, StateStore};
use crate::value::Value;

/// Counts of applied changes, for the summary line and the audit log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplyCounts {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
}

pub(crate) struct Ctx<'a> {
    pub config: &'a Config,
    pub graph: &'a Graph,
    pub registry: &'a Registry,
    pub root_dir: &'a Path,
    pub op: Op,
    pub opts: &'a PlanOptions,
    pub state: &'a State,
    /// Root variable values before conversion.
    pub inputs: &'a BTreeMap<String, Value>,
    /// The plan being applied (apply only).
    pub plan: Option<&'a Plan>,
    pub store: Option<&'a StateStore>,
    pub hook: &'a dyn Hook,
    /// Each node's value in each instance of its module.
    pub values: Vec<OnceLock<NodeValues>>,
    /// The instances of every module, filled by the module call nodes.
    pub modules: ModuleInstances,
    /// Resource addresses (`module.app["eu"].aws_s3_bucket.b`) the walk visited: a resource in
    /// state under any other address is no longer in the configuration.
    pub visited: Mutex<HashSet<String>>,
    pub providers: HashMap<String, OnceLock<Arc<dyn Provider>>>,
    /// Refreshed states by instance address (None: gone).
    pub refreshed: Mutex<HashMap<String, Option<Value>>>,
    pub changes: Mutex<Vec<ResourceChange>>,
    /// Resources (`module.x.aws_s3_bucket.b`, no instance key) with a change planned other
    /// than no-op or read: a data source depending on one is read at apply, as in Terraform.
    pub pending: Mutex<HashSet<String>>,
    pub diags: Mutex<Diagnostics>,
    /// Resource nodes included by `-target` (None: all).
    pub included: Option<HashSet<NodeIndex>>,
    /// State instances grouped by resource address (`module.m.type.name`).
    pub state_by_resource: HashMap<String, Vec<&'a ResourceInstanceState>>,
    pub counts: Mutex<ApplyCounts>,
    pub cancel: AtomicBool,
    /// Instances of types skyform knows but does not implement, reported once per type.
    pub unimplemented: Mutex<Unimplemented>,
    /// False for walks that only evaluate (`console`): no provider is configured.
    pub configure_providers: bool,
    /// The old objects an apply destroys, in Terraform's order.
    pub destroys: super::destroy::Destroys<'a>,
    /// Provider operations at once across the walk (`-parallelism`): instances of one
    /// resource run side by side within it.
    pub slots: tokio::sync::Semaphore,
    /// Set by Ctrl-C (the engine's flag): no new operation starts.
    pub interrupt: Arc<AtomicBool>,
    /// Creates an interrupted run started without hearing back (journal entries without an
    /// object), by address: retried under the same entry, so with the same idempotency token.
    pub retries: Mutex<HashMap<String, i64>>,
    /// Instances whose driver `skyform test` replaces.
    pub substitutes: Option<&'a dyn super::Substitutes>,
    /// Every resource keeps its stored value, and locals and outputs are evaluated from them
    /// (`console`, `skyform test`'s assertions after an apply).
    pub state_only: bool,
}

/// A node's values: one for a node of the root module or of a module called once, else one per
/// module instance.
pub(crate) enum NodeValues {
    One(Value),
    Many(HashMap<ModulePath, Value>),
}

impl NodeValues {
    pub fn from_instances(mut values: Vec<(ModulePath, Value)>) -> NodeValues {
        if values.len() == 1 && values[0].0.is_static() {
            return NodeValues::One(values.pop().map(|x| x.1).unwrap_or(Value::Null));
        }
        NodeValues::Many(values.into_iter().collect())
    }

    /// The value in module instance `at` (None: that instance has no value).
    pub fn at(&self, at: &ModulePath) -> Option<&Value> {
        match self {
            NodeValues::One(v) => Some(v),
            NodeValues::Many(m) => m.get(at),
        }
    }
}

/// The instances of known but unimplemented types met during a walk, by type.
#[derive(Default)]
pub(crate) struct Unimplemented {
    /// By (is data source, type): each use's (block location, address), and whether every use
    /// is under count or for_each during validation.
    by_type: BTreeMap<(bool, String), (Vec<Use>, bool)>,
    /// Objects of such types already in state: kept as they are, not managed.
    kept: BTreeMap<String, Vec<String>>,
}

/// Where an unimplemented type is used: the block and the instance address.
type Use = (Option<crate::diag::SourceRange>, String);

impl Unimplemented {
    /// Records one instance (`guarded`: validation, which cannot tell whether `count` or
    /// `for_each` leave any instance).
    pub fn record(&mut self, r: &crate::config::Resource, address: &str, guarded: bool) {
        let key = (r.mode == crate::addr::ResourceMode::Data, r.type_name.clone());
        let entry = self.by_type.entry(key).or_insert_with(|| (Vec::new(), true));
        entry.0.push((Some(r.range.clone()), address.to_string()));
        entry.1 &= guarded;
    }

    /// Records an object in state of a type skyform does not implement: it stays as it is.
    pub fn keep(&mut self, type_name: &str, address: &str) {
        self.kept.entry(type_name.to_string()).or_default().push(address.to_string());
    }

    /// One diagnostic per type: an error, or a warning when every use is under `count` or
    /// `for_each` during validation; and one warning listing the objects kept, not managed.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut out = Diagnostics::new();
        if !self.kept.is_empty() {
            let list: Vec<String> = self.kept.iter().flat_map(|(t, addrs)| addrs.iter().map(move |a| format!("  {a} ({t})"))).collect();
            out.push(Diagnostic::warning(
                "Resources kept, not managed",
                format!(
                    "skyform does not implement these resource types yet. Their objects stay in the state exactly as they are, and no change is planned for them (not even when their configuration changes): manage them with Terraform until skyform supports them.\n{}",
                    list.join("\n")
                ),
            ));
        }
        for ((data, type_name), (uses, guarded)) in &self.by_type {
            let kind = if *data { "data source" } else { "resource type" };
            let provider = crate::provider::registry::provider_for_type(type_name);
            let version = crate::schema::generated::provider_version(provider).map(|(s, v)| format!(" ({s} {v})")).unwrap_or_default();
            let places: Vec<String> = uses
                .iter()
                .map(|(r, a)| match r {
                    Some(r) => format!("  {r}: {a}"),
                    None => format!("  {a}"),
                })
                .collect();
            let why = match crate::provider::registry::compiled_out(provider) {
                Some(feature) => format!(
                    "this skyform was built without the \"{feature}\" cargo feature, which the {provider} driver needs (it is on by default: rebuild without --no-default-features)"
                ),
                None => "skyform does not implement it yet".to_string(),
            };
            let mut detail = format!(
                "The {kind} \"{type_name}\" is in the {provider} provider's schema{version}, and its arguments were checked, but {why}. Used at:\n{}",
                places.join("\n")
            );
            let d = if *guarded {
                detail.push_str("\n\nEach use is under count or for_each: a plan works while they expand to no instances.");
                Diagnostic::warning(format!("{} not implemented yet", if *data { "Data source" } else { "Resource type" }), detail)
            } else {
                Diagnostic::error(format!("{} not implemented yet", if *data { "Data source" } else { "Resource type" }), detail)
            };
            out.push(d.at(uses.first().and_then(|(r, _)| r.as_ref())));
        }
        out
    }
}

/// The resource address (without instance key) of a state entry.
pub(crate) fn state_resource_addr(r: &ResourceInstanceState) -> String {
    let local = if r.mode == "data" { format!("data.{}.{}", r.type_name, r.name) } else { format!("{}.{}", r.type_name, r.name) };
    if r.module.is_empty() {
        local
    } else {
        format!("{}.{local}", r.module)
    }
}

impl<'a> Ctx<'a> {
    /// Whether the walk is stopping (an interrupt, or an earlier failure that cancels it).
    pub fn interrupted(&self) -> bool {
        self.interrupt.load(std::sync::atomic::Ordering::SeqCst) || self.cancel.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn error(&self, d: Diagnostic) {
        self.diags.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    pub fn errors(&self, ds: Diagnostics) {
        self.diags.lock().unwrap_or_else(|e| e.into_inner()).extend(ds);
    }

    /// Every diagnostic of the walk so far, with one per unimplemented type used; one of each
    /// set of identical ones (a module used by several calls is evaluated once per call).
    pub fn take_diags(&self) -> Diagnostics {
        let mut d = std::mem::take(&mut *self.diags.lock().unwrap_or_else(|e| e.into_inner()));
        d.extend(std::mem::take(&mut *self.unimplemented.lock().unwrap_or_else(|e| e.into_inner())).diagnostics());
        d.merge_repeated(|file| crate::config::model::calls_loading(&self.config.root, file))
    }

    pub fn module(&self, path: &ModulePath) -> &'a Module {
        module_at(&self.config.root, path).unwrap_or(&self.config.root)
    }

    /// Records a node's values, one per instance of its module.
    pub fn set_values(&self, idx: NodeIndex, values: Vec<(ModulePath, Value)>) {
        let _ = self.values[idx.index()].set(NodeValues::from_instances(values));
    }

    /// A node's value in module instance `at`.
    pub fn value_at(&self, idx: NodeIndex, at: &ModulePath) -> Option<Value> {
        self.values[idx.index()].get()?.at(at).cloned()
    }

    /// Evaluates `f` in every instance of `module` (a configuration path) and records the
    /// values; every instance's errors are reported.
    fn per_instance(&self, idx: NodeIndex, module: &ModulePath, f: impl Fn(&ModuleInstance) -> Result<Value, Diagnostics>) -> Result<(), Diagnostics> {
        let mut values = Vec::new();
        let mut diags = Diagnostics::new();
        for inst in self.modules.of(module) {
            match f(&inst) {
                Ok(v) => values.push((inst.path, v)),
                Err(d) => diags.extend(d),
            }
        }
        diags.into_result()?;
        self.set_values(idx, values);
        Ok(())
    }

    /// Visits one node; returns whether it succeeded.
    pub async fn visit(&self, idx: NodeIndex) -> bool {
        let node = &self.graph.dag[idx];
        let range = node.range.clone();
        let result = match &node.kind {
            NodeKind::Output { .. } | NodeKind::Local { .. } if !self.targeted(idx) => Ok(()),
            NodeKind::Variable { module, name } => self.per_instance(idx, module, |inst| self.visit_variable(inst, name)),
            NodeKind::Local { module, name } => {
                let attr = &self.module(module).locals[name];
                self.per_instance(idx, module, |inst| {
                    let scope = NodeScope::new(self, &inst.path);
                    eval_expr(&attr.expr, &scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&attr.expr_range)).into())
                })
            }
            NodeKind::Output { module, name } => self.per_instance(idx, module, |inst| self.visit_output(&inst.path, name)),
            NodeKind::ModuleCall { module, name } => self.visit_module_call(module, name),
            NodeKind::Provider { key } => self.visit_provider(key).await,
            NodeKind::Resource { module, key } => super::resource::visit_resource(self, idx, module, key).await,
        };
        // From the state alone, a local or output that cannot be computed (its resource is not
        // in state yet) has no value: unknown where referenced, not an error.
        let result = match (&node.kind, result) {
            (NodeKind::Output { .. } | NodeKind::Local { .. }, Err(_)) if self.state_only => Ok(()),
            (_, result) => result,
        };
        match result {
            Ok(()) => true,
            Err(d) => {
                let d = Diagnostics(d.0.into_iter().map(|x| x.at(range.as_ref())).collect());
                self.errors(d);
                false
            }
        }
    }

    /// Expands a module call in every instance of the calling module: the called module's
    /// instances. Validation, which knows no values, checks one instance.
    fn visit_module_call(&self, module: &ModulePath, name: &str) -> Result<(), Diagnostics> {
        let call = &self.module(module).module_calls[name];
        let repeated = call.count.is_some() || call.for_each.is_some();
        let mut calls = Vec::new();
        let mut diags = Diagnostics::new();
        for parent in self.modules.of(module) {
            let expansion = if self.op == Op::Validate {
                Expansion::Single
            } else {
                match expand(call.count.as_ref(), call.for_each.as_ref(), &NodeScope::new(self, &parent.path)) {
                    Ok(e) => e,
                    Err(d) => {
                        diags.extend(d);
                        continue;
                    }
                }
            };
            let instances = expansion
                .instances()
                .into_iter()
                .map(|(key, count_index, each)| {
                    let validating = self.op == Op::Validate && repeated;
                    ModuleInstance {
                        path: parent.path.child_instance(name, key),
                        count_index: count_index.or((validating && call.count.is_some()).then_some(0)),
                        each: each.or((validating && call.for_each.is_some()).then_some((Value::Unknown, Value::Unknown))),
                    }
                })
                .collect();
            calls.push(super::expand::CallInstances { parent: parent.path, expansion, instances });
        }
        self.modules.set(module.child(name), calls);
        diags.into_result()
    }

    fn visit_variable(&self, inst: &ModuleInstance, name: &str) -> Result<Value, Diagnostics> {
        let module = &inst.path;
        let decl = &self.module(module).variables[name];
        let given = if self.op == Op::Validate {
            Some(Value::Unknown)
        } else if let Some((parent, call_name)) = module.parent() {
            let call = &self.module(&parent).module_calls[call_name];
            match call.inputs.attribute(name) {
                Some(a) => {
                    let mut scope = NodeScope::new(self, &parent);
                    scope.count_index = inst.count_index;
                    scope.each = inst.each.clone();
                    Some(eval_expr(&a.expr, &scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range)))?)
                }
                None => None,
            }
        } else {
            self.inputs.get(name).cloned()
        };
        let value = match given {
            Some(v) if v.is_null() && decl.default.is_some() && decl.nullable => v,
            Some(v) if v.is_null() && !decl.nullable => decl.default.clone().unwrap_or(v),
            Some(v) => v,
            None => match &decl.default {
                Some(d) => d.clone(),
                None => {
                    return Err(Diagnostic::error(
                        "No value for required variable",
                        format!("The root module input variable \"{name}\" is not set, and has no default value. Use a -var or -var-file command line argument, a terraform.tfvars file, or the TF_VAR_{name} environment variable to provide a value for this variable."),
                    )
                    .at(Some(&decl.range))
                    .into())
                }
            },
        };
        if value.is_null() && !decl.nullable {
            return Err(Diagnostic::error(
                "Required variable not set",
                format!("Unsuitable value for var.{name}: the variable is not nullable, so a value is required."),
            )
            .at(Some(&decl.range))
            .into());
        }
        let value = convert(value.clone(), &decl.ty).map_err(|e| {
            let secrets = if decl.sensitive { value.clone().mark().sensitive_texts() } else { Vec::new() };
            Diagnostic::error("Invalid value for input variable", format!("The given value is not suitable for var.{name} declared at {}: {e}.", decl.range))
                .redact(&secrets)
                .at(Some(&decl.range))
        })?;
        let value = value.mark_if(decl.sensitive);
        self.check_validations(module, name, &value)?;
        Ok(value)
    }

    fn check_validations(&self, module: &ModulePath, name: &str, value: &Value) -> Result<(), Diagnostics> {
        let decl = &self.module(module).variables[name];
        if decl.validations.is_empty() || !value.is_wholly_known() {
            return Ok(());
        }
        let scope = ValidationScope { inner: NodeScope::new(self, module), name, value };
        let mut diags = Diagnostics::new();
        for v in &decl.validations {
            let ok = eval_expr(&v.condition.expr, &scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&v.condition.expr_range)))?;
            match ok.unmarked() {
                Value::Bool(true) | Value::Unknown => {}
                Value::Bool(false) => {
                    let msg = match eval_expr(&v.error_message.expr, &scope) {
                        // As in Terraform, a message built from sensitive values is withheld.
                        Ok(m) if m.contains_sensitive() => "The error message refers to sensitive values, so skyform does not display it. Remove the references to sensitive values, or use nonsensitive() where the message cannot reveal them.".to_string(),
                        Ok(m) => m.as_str().map(str::to_string).unwrap_or_else(|| "The value is not valid.".into()),
                        Err(_) => "The value is not valid.".into(),
                    };
                    diags.push(
                        Diagnostic::error("Invalid value for variable", format!("{msg}\n\nThis was checked by the validation rule at {}.", v.condition.range))
                            .at(Some(&decl.range)),
                    );
                }
                other => diags.push(
                    Diagnostic::error("Invalid validation result", format!("The condition must return a bool, not {}.", other.type_name()))
                        .at(Some(&v.condition.expr_range)),
                ),
            }
        }
        diags.into_result()
    }

    /// Under `-target` (and during an import), a local or output is evaluated only when every
    /// resource it depends on is included, as in Terraform: the others are not planned, and
    /// may not even be in the state yet. (Anything an included resource needs has all its
    /// dependencies included.) A skipped node keeps no value.
    fn targeted(&self, idx: NodeIndex) -> bool {
        let Some(included) = self.included.as_ref().filter(|_| !self.state_only) else { return true };
        let mut seen = HashSet::new();
        let mut stack = vec![idx];
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            if matches!(self.graph.dag[i].kind, NodeKind::Resource { .. }) && !included.contains(&i) {
                return false;
            }
            stack.extend(self.graph.dag.neighbors_directed(i, petgraph::Direction::Incoming));
        }
        true
    }

    fn visit_output(&self, module: &ModulePath, name: &str) -> Result<Value, Diagnostics> {
        // Destroying everything removes the root outputs; their expressions are not evaluated
        // (the objects they name are going away), as in Terraform. A child module's outputs are
        // still evaluated, from the values in state, because other modules' inputs (their
        // validation rules, locals, ...) use them; one that cannot be evaluated any more is
        // unknown, as nothing a destroy does needs it.
        let destroying = self.opts.destroy || self.plan.is_some_and(|p| p.destroy);
        if destroying && module.is_root() {
            return Ok(Value::Null);
        }
        let o = &self.module(module).outputs[name];
        let scope = NodeScope::new(self, module);
        if self.op != Op::Validate {
            super::conditions::check(&o.preconditions, &scope, super::conditions::Kind::OutputPrecondition)?;
        }
        let v = match eval_expr(&o.value.expr, &scope) {
            Ok(v) => v,
            Err(_) if destroying => return Ok(Value::Unknown),
            Err(e) => return Err(Diagnostic::error(e.summary, e.detail).at(Some(&o.value.expr_range)).into()),
        };
        if module.is_root() && !o.sensitive && v.contains_sensitive() && self.op != Op::Validate {
            return Err(Diagnostic::error(
                "Output refers to sensitive values",
                "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
            )
            .at(Some(&o.range))
            .into());
        }
        Ok(v.mark_if(o.sensitive))
    }

    async fn visit_provider(&self, key: &str) -> Result<(), Diagnostics> {
        let name = key.split('.').next().unwrap_or(key);
        let Some(factory) = self.registry.get(name) else {
            let names: Vec<&str> = self.registry.names().copied().collect();
            let hint = crate::diag::did_you_mean(name, names.iter().copied()).map(|n| format!(" Did you mean \"{n}\"?")).unwrap_or_default();
            return Err(Diagnostic::error(
                "Provider not available",
                format!("skyform has no built-in provider \"{name}\".{hint} Known providers: {}.", names.join(", ")),
            )
            .at(self.first_use(key).as_ref())
            .into());
        };
        let block = self.substitutes.and_then(|s| s.provider_config(key)).or_else(|| self.config.root.providers.get(key));
        let config = match block {
            Some(p) => {
                let scope = NodeScope::new(self, &ModulePath::root());
                let schema = &factory.schema().provider;
                let v = if schema.attributes.is_empty() && schema.blocks.is_empty() {
                    eval_body_dynamic(&p.body, &scope, &["alias"])?
                } else {
                    eval_body(&p.body, schema, &scope, &["alias", "version"])?
                };
                v.strip_marks()
            }
            None => Value::Map(Default::default()),
        };
        if self.op == Op::Validate || !self.configure_providers {
            return Ok(());
        }
        let driver = crate::trace::traced(name, factory.configure(config).await?);
        // A destroy refreshes first too, as Terraform's does (unless `-refresh=false`): objects
        // already gone are dropped from state rather than deleted again.
        if self.op == Op::Plan && (!self.opts.destroy || self.opts.refresh) {
            self.refresh(key, &driver, factory.as_ref(), self.opts.refresh).await?;
        }
        let _ = self.providers.get(key).map(|slot| slot.set(driver));
        Ok(())
    }

    /// Where a provider configuration is declared, else the first resource that uses it.
    fn first_use(&self, key: &str) -> Option<crate::diag::SourceRange> {
        fn find(m: &Module, key: &str) -> Option<crate::diag::SourceRange> {
            if let Some(p) = m.providers.get(key) {
                return Some(p.range.clone());
            }
            m.resources.values().find(|r| r.provider == key).map(|r| r.range.clone()).or_else(|| m.module_calls.values().find_map(|c| find(&c.module, key)))
        }
        find(&self.config.root, key)
    }

    /// Re-reads, in one batch, every managed instance in state that uses this provider.
    /// States written by an older schema version of their type are upgraded first (the
    /// upgraded state stands in for the stored one even without `read`: `-refresh=false`).
    async fn refresh(&self, key: &str, driver: &Arc<dyn Provider>, factory: &dyn crate::provider::ProviderFactory, read: bool) -> Result<(), Diagnostics> {
        let addr = super::providers::provider_address(key);
        // Objects of types the driver does not implement (kept, not managed) are not read.
        let mine: Vec<&ResourceInstanceState> = self
            .state
            .resources
            .values()
            .filter(|r| r.mode == "managed" && r.provider == addr)
            .filter(|r| {
                matches!(self.registry.lookup(crate::addr::ResourceMode::Managed, &r.type_name), crate::provider::registry::TypeSupport::Implemented(_))
            })
            .collect();
        // An instance `skyform test` overrides is never read from the real provider.
        let (mine, substituted): (Vec<_>, Vec<_>) = mine.into_iter().partition(|r| self.substitute(&r.address, &r.type_name).is_none());
        for r in substituted {
            self.refreshed.lock().unwrap_or_else(|e| e.into_inner()).insert(r.address.clone(), Some(r.attributes.clone()));
        }
        if mine.is_empty() {
            return Ok(());
        }
        let mut diags = Diagnostics::new();
        let mut priors = Vec::with_capacity(mine.len());
        for r in &mine {
            let current = factory.schema().resources.get(&r.type_name).map_or(r.schema_version, |s| s.version);
            if r.schema_version >= current {
                priors.push(r.attributes.clone());
                continue;
            }
            let req = crate::provider::UpgradeStateRequest { type_name: r.type_name.clone(), version: r.schema_version, raw: r.attributes.clone() };
            let resp = driver.upgrade_state(req).await;
            diags.extend(Diagnostics(resp.diagnostics.0.into_iter().map(|d| d.with_address(&r.address)).collect()));
            if !read {
                self.refreshed.lock().unwrap_or_else(|e| e.into_inner()).insert(r.address.clone(), Some(resp.state.clone()));
            }
            priors.push(resp.state);
        }
        if !read || diags.has_errors() {
            return diags.into_result();
        }
        for r in &mine {
            self.hook.pre_refresh(&r.address, r.attributes.get_attr("id").and_then(Value::as_str));
        }
        let reqs = mine.iter().zip(priors).map(|(r, prior)| ReadRequest { type_name: r.type_name.clone(), prior_state: prior }).collect();
        let responses = driver.read_batch(reqs).await;
        let mut map = self.refreshed.lock().unwrap_or_else(|e| e.into_inner());
        for (r, resp) in mine.iter().zip(responses) {
            for d in resp.diagnostics.0 {
                diags.push(d.with_address(&r.address));
            }
            map.insert(r.address.clone(), resp.new_state.map(Value::strip_marks));
        }
        diags.into_result()
    }

    /// The driver `skyform test` substitutes for instance `address`, if any.
    pub fn substitute(&self, address: &str, type_name: &str) -> Option<Arc<dyn Provider>> {
        let subs = self.substitutes?;
        subs.substitute(&crate::addr::ResourceInstanceAddr::parse(address).ok()?, type_name)
    }

    /// The driver for an instance: its substitute, else its provider configuration's driver.
    pub fn driver_for(&self, provider_key: &str, address: &str, type_name: &str) -> Option<Arc<dyn Provider>> {
        self.substitute(address, type_name).or_else(|| self.providers.get(provider_key).and_then(|s| s.get().cloned()))
    }

    /// Root output values after the walk (None for an output whose node did not finish).
    pub fn root_outputs(&self) -> BTreeMap<String, (Option<Value>, bool)> {
        self.config
            .root
            .outputs
            .iter()
            .map(|(name, o)| {
                let root = ModulePath::root();
                let v = self.graph.node(&NodeKind::Output { module: root.clone(), name: name.clone() }).and_then(|i| self.value_at(i, &root));
                (name.clone(), (v, o.sensitive))
            })
            .collect()
    }
}

/// A scope for validation conditions: `var.<name>` is the value being validated.
struct ValidationScope<'s, 'c, 'a> {
    inner: NodeScope<'c, 'a>,
    name: &'s str,
    value: &'s Value,
}

impl crate::eval::Scope for ValidationScope<'_, '_, '_> {
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), crate::eval::EvalError> {
        if name == "var" && attrs.first() == Some(&self.name) {
            return Ok((self.value.clone(), 1));
        }
        self.inner.lookup(name, attrs)
    }
    fn func_context(&self) -> &crate::eval::functions::FuncContext {
        self.inner.func_context()
    }
}
