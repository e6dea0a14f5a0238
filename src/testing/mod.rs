//! `skyform test`: runs the `run` blocks of `*.tftest.hcl` files against the configuration, as
//! Terraform's test command does. Owns test-file discovery, each file's run sequence (variables,
//! plan or apply, `assert` blocks, `expect_failures`), the state a file builds up (a scratch
//! database per configuration under test, destroyed in reverse order when the file ends), and
//! the fakes of `mock_provider` and `override_*` blocks ([`mock`]). The CLI prints the events.

pub mod file;
pub mod mock;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, Sources};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::engine::console::Probe;
use crate::engine::{Engine, NoHook, PlanOptions};
use crate::eval::functions::FuncContext;
use crate::eval::{eval_expr, EvalError, Scope};
use crate::provider::Registry;
use crate::state::StateStore;
use crate::syntax::Attribute;
use crate::value::Value;
use file::{Run, RunCommand, TestFile};

/// How a run block, or a whole file, ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// Not run: an earlier run block failed with an error.
    Skip,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// What the runner reports as it goes; `sources` has every file a diagnostic can point into.
pub enum Event<'e> {
    FileStart(&'e str),
    /// `verbose`: the run's plan (`command = plan`) or the state after it (`apply`), as text,
    /// when the runner was asked for it.
    Run {
        name: &'e str,
        status: Status,
        diagnostics: Diagnostics,
        sources: &'e Sources,
        verbose: Option<String>,
    },
    TearDown(&'e str),
    FileEnd {
        name: &'e str,
        status: Status,
        diagnostics: Diagnostics,
        sources: &'e Sources,
    },
}

/// The test files under the root module and under `test_dir` (relative to it), sorted; with a
/// non-empty `filter`, only those named in it.
pub fn find_files(root_dir: &Path, test_dir: &str, filter: &[String]) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for dir in [PathBuf::new(), PathBuf::from(test_dir)] {
        let full = root_dir.join(&dir);
        if !full.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&full)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tftest.hcl") {
                out.push(dir.join(&name).to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    if !filter.is_empty() {
        out.retain(|f| filter.iter().any(|x| Path::new(x) == Path::new(f)));
    }
    Ok(out)
}

/// Runs test files against one configuration.
pub struct TestRunner<'a> {
    pub config: &'a Config,
    pub root_dir: &'a Path,
    /// Root variables from the command line (`-var`, `-var-file`, `TF_VAR_`, tfvars files).
    pub inputs: BTreeMap<String, Value>,
    /// Every file read so far, for rendering diagnostics (test files and run modules too).
    pub sources: Sources,
    /// Report each run's plan or resulting state (`-verbose`), in these colours.
    pub verbose: Option<crate::view::Colors>,
}

/// A configuration a file's runs plan: the one under test (`config: None`), or a run's `module`.
struct Target {
    config: Option<Arc<Config>>,
    dir: PathBuf,
    store: StateStore,
    /// The variables of the last run applied to it, to destroy it with.
    inputs: BTreeMap<String, Value>,
    applied: bool,
    /// A run module's files (named relative to it, as its diagnostics name them) and their
    /// path from the root module (`setup/`), under which they are kept in the sources.
    files: Option<(String, HashSet<Arc<str>>)>,
}

impl TestRunner<'_> {
    /// Runs one test file, reporting its runs; returns how the file ended.
    pub async fn run_file(&mut self, name: &str, report: &mut dyn FnMut(Event<'_>)) -> Status {
        report(Event::FileStart(name));
        let parsed = std::fs::read_to_string(self.root_dir.join(name))
            .map_err(|e| Diagnostic::error("Failed to read test file", format!("{name}: {e}")).into())
            .and_then(|text| {
                self.sources.files.insert(Arc::from(name), Arc::from(text.as_str()));
                crate::syntax::parse_file(name, &text).map_err(Diagnostics::from).and_then(|b| file::decode(&b))
            });
        let test = match parsed {
            Ok(t) => t,
            Err(d) => {
                report(Event::FileEnd { name, status: Status::Fail, diagnostics: d, sources: &self.sources });
                return Status::Fail;
            }
        };
        let (registry, unknown) = mock::registry_with_mocks(&test.mocks);
        if !unknown.is_empty() {
            let d =
                unknown.iter().map(|m| Diagnostic::error("Unknown provider", format!("skyform has no provider \"{}\" to mock.", m.name)).at(Some(&m.range)));
            report(Event::FileEnd { name, status: Status::Fail, diagnostics: Diagnostics(d.collect()), sources: &self.sources });
            return Status::Fail;
        }
        let scratch = std::env::temp_dir().join(format!("skyform-test-{}", uuid::Uuid::new_v4()));
        let mut targets: Vec<(String, Target)> = Vec::new();
        let mut outputs: BTreeMap<String, Value> = BTreeMap::new();
        let mut status = Status::Pass;
        let mut errored = false;
        for run in &test.runs {
            if errored {
                report(Event::Run { name: &run.name, status: Status::Skip, diagnostics: Diagnostics::new(), sources: &self.sources, verbose: None });
                continue;
            }
            let (s, mut diags, run_outputs, verbose) = self.run_block(&test, run, &registry, &scratch, &mut targets, &outputs).await;
            // A run module's own files are shown under their path from the root module.
            if let Some((prefix, files)) = targets.iter().find(|(k, _)| *k == target_key(run)).and_then(|(_, t)| t.files.as_ref()) {
                for r in diags.0.iter_mut().filter_map(|d| d.range.as_mut()).filter(|r| files.contains(&r.file)) {
                    r.file = Arc::from(format!("{prefix}{}", r.file));
                }
            }
            if s == Status::Fail {
                status = Status::Fail;
                errored |= diags.iter().any(|d| d.is_error() && d.summary != "Test assertion failed");
            }
            outputs.insert(run.name.clone(), Value::Map(Arc::new(run_outputs)));
            report(Event::Run { name: &run.name, status: s, diagnostics: diags, sources: &self.sources, verbose });
        }
        report(Event::TearDown(name));
        let mut left = Diagnostics::new();
        let overrides = mock::Overrides::new(&registry, test.overrides.iter().chain(test.mocks.iter().flat_map(|m| &m.overrides)), &test.providers);
        for (key, t) in targets.iter().rev() {
            if let Err(d) = self.destroy(t, &registry, &overrides).await {
                left.extend(d);
                let remaining = t.store.load().map(|s| s.resources.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
                left.push(Diagnostic::error(
                    "Failed to clean up after tests",
                    format!(
                        "skyform left the following resources of {key} in state after executing {name}, and they need to be cleaned up manually:\n  {}",
                        remaining.join("\n  ")
                    ),
                ));
            }
        }
        drop(targets);
        let _ = std::fs::remove_dir_all(&scratch);
        if left.has_errors() {
            status = Status::Fail;
        }
        report(Event::FileEnd { name, status, diagnostics: left, sources: &self.sources });
        status
    }

    /// The configuration a run plans, with its state (created on first use).
    fn target<'t>(&mut self, run: &Run, scratch: &Path, targets: &'t mut Vec<(String, Target)>) -> Result<&'t mut Target, Diagnostics> {
        let key = target_key(run);
        if let Some(i) = targets.iter().position(|(k, _)| *k == key) {
            return Ok(&mut targets[i].1);
        }
        let (config, dir, files) = match &run.module {
            None => (None, self.root_dir.to_path_buf(), None),
            Some((source, range)) => {
                let dir = self.root_dir.join(source);
                let installer = crate::modules::Installer::new(&dir, false);
                // Its files keep their text under their path from the root module, so that its
                // `main.tf` does not replace the root module's.
                let prefix = format!("{}/", source.trim_start_matches("./").trim_end_matches('/'));
                let (loaded, sources) = match crate::config::load::load_config_with(&dir, &installer) {
                    Ok((c, sources)) => (Ok(c), sources),
                    Err((d, sources)) => (Err(d), sources),
                };
                let names: HashSet<Arc<str>> = sources.files.keys().cloned().collect();
                self.sources.files.extend(sources.files.into_iter().map(|(k, v)| (Arc::from(format!("{prefix}{k}")), v)));
                match loaded {
                    Ok(c) => (Some(Arc::new(c)), dir, Some((prefix, names))),
                    Err(mut d) => {
                        for r in d.0.iter_mut().filter_map(|d| d.range.as_mut()) {
                            r.file = Arc::from(format!("{prefix}{}", r.file));
                        }
                        d.push(Diagnostic::error("Failed to load the run's module", format!("The module at {source} could not be loaded.")).at(Some(range)));
                        return Err(d);
                    }
                }
            }
        };
        std::fs::create_dir_all(scratch).map_err(|e| Diagnostics::from(Diagnostic::error("Failed to create the test state", e.to_string())))?;
        let path = scratch.join(format!("{}.db", targets.len()));
        let store = StateStore::open(&path).map_err(|e| Diagnostics::from(Diagnostic::error("Failed to create the test state", e.to_string())))?;
        targets.push((key, Target { config, dir, store, inputs: BTreeMap::new(), applied: false, files }));
        Ok(&mut targets.last_mut().expect("pushed").1)
    }

    /// Runs one run block: its status, its diagnostics, and the root outputs it leaves.
    async fn run_block(
        &mut self,
        test: &TestFile,
        run: &Run,
        registry: &Registry,
        scratch: &Path,
        targets: &mut Vec<(String, Target)>,
        runs: &BTreeMap<String, Value>,
    ) -> (Status, Diagnostics, BTreeMap<String, Value>, Option<String>) {
        let base = FuncContext { base_dir: self.root_dir.to_path_buf() };
        // File variables, then the run's, each able to use the command line's and earlier runs' outputs.
        let mut vars = self.inputs.clone();
        let mut diags = Diagnostics::new();
        for list in [&test.variables, &run.variables] {
            let evaluated = eval_all(list, &TestScope { inner: None, outputs: None, runs, vars: &vars, func: &base });
            match evaluated {
                Ok(v) => vars.extend(v),
                Err(d) => diags.extend(d),
            }
        }
        if diags.has_errors() {
            return (Status::Fail, diags, BTreeMap::new(), None);
        }
        let overrides =
            mock::Overrides::new(registry, run.overrides.iter().chain(&test.overrides).chain(test.mocks.iter().flat_map(|m| &m.overrides)), &test.providers);
        let target = match self.target(run, scratch, targets) {
            Ok(t) => t,
            Err(d) => return (Status::Fail, d, BTreeMap::new(), None),
        };
        let owned = target.config.clone();
        let config: &Config = owned.as_deref().unwrap_or(self.config);
        let inputs: BTreeMap<String, Value> =
            vars.iter().filter(|(k, _)| config.root.variables.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let engine = Engine::new(config, registry, &target.dir, &NoHook).with_substitutes(&overrides);
        let opts = PlanOptions { refresh: run.refresh, replace: run.replace.clone(), targets: run.targets.clone(), ..PlanOptions::default() };
        let state = match target.store.load() {
            Ok(s) => s,
            Err(e) => return (Status::Fail, Diagnostic::error("Failed to load the test state", e.to_string()).into(), BTreeMap::new(), None),
        };
        let assess = |p: &Probe<'_>| {
            let scope = TestScope { inner: Some(p.scope), outputs: Some(&p.outputs), runs, vars: &vars, func: &base };
            (assertions(run, &scope), p.outputs.clone())
        };
        let mut verbose = None;
        let outcome = match run.command {
            RunCommand::Plan => engine.plan_probed(&state, &inputs, &opts, assess).await.map(|(plan, r)| {
                if let Some(c) = self.verbose {
                    verbose = Some(crate::view::plan_text::render_plan(&plan, registry, c));
                }
                (plan.warnings, r)
            }),
            RunCommand::Apply => match engine.plan(&state, &inputs, &opts).await {
                Err(d) => {
                    // An expected failure while planning still stops the apply: the run fails.
                    diags.extend(failed_while_planning(config, run, d));
                    return (Status::Fail, diags, BTreeMap::new(), None);
                }
                Ok(plan) => {
                    let (result, probed) = engine.apply_probed(&plan, &target.store, opts.parallelism, assess).await;
                    target.inputs = inputs.clone();
                    target.applied = true;
                    let mut found = plan.warnings;
                    found.extend(result.diagnostics);
                    match probed {
                        Some(r) if !found.has_errors() => Ok((found, r)),
                        _ => Err(found),
                    }
                }
            },
        };
        let (found, assertion_diags, outputs) = match outcome {
            Ok((found, (a, outputs))) => (found, a, outputs),
            Err(d) => (d, Diagnostics::new(), BTreeMap::new()),
        };
        // A check block that fails is a warning in a plan or apply, but fails a test run.
        let found = expected_failures(config, run, found);
        diags.extend(Diagnostics(
            found.0.into_iter().map(|d| if d.summary == "Check block assertion failed" { Diagnostic { severity: Severity::Error, ..d } } else { d }).collect(),
        ));
        diags.extend(assertion_diags);
        if let (Some(_), RunCommand::Apply) = (self.verbose, run.command) {
            verbose = target.store.load().ok().map(|s| crate::view::state_text::render_state(&s));
        }

        let status = if diags.has_errors() { Status::Fail } else { Status::Pass };
        (status, diags, outputs.into_iter().map(|(k, v)| (k, v.strip_marks())).collect(), verbose)
    }

    /// Destroys what a file's runs created in one configuration.
    async fn destroy(&self, t: &Target, registry: &Registry, overrides: &mock::Overrides) -> Result<(), Diagnostics> {
        let state = t.store.load().map_err(|e| Diagnostics::from(Diagnostic::error("Failed to load the test state", e.to_string())))?;
        if !t.applied || state.resources.is_empty() {
            return Ok(());
        }
        let engine = Engine::new(t.config.as_deref().unwrap_or(self.config), registry, &t.dir, &NoHook).with_substitutes(overrides);
        let opts = PlanOptions { destroy: true, ..PlanOptions::default() };
        let plan = engine.plan(&state, &t.inputs, &opts).await?;
        let result = engine.apply(&plan, &t.store, opts.parallelism).await;
        Diagnostics(result.diagnostics.0.into_iter().filter(Diagnostic::is_error).collect()).into_result()
    }
}

/// Which configuration a run plans: the one under test, or its `module`'s.
fn target_key(run: &Run) -> String {
    run.module.as_ref().map_or_else(|| "the configuration under test".to_string(), |(s, _)| format!("module {s}"))
}

/// Evaluates a `variables` block.
fn eval_all(attrs: &[Attribute], scope: &TestScope<'_>) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let mut out = BTreeMap::new();
    let mut d = Diagnostics::new();
    for a in attrs {
        match eval_expr(&a.expr, scope) {
            Ok(v) => {
                out.insert(a.name.clone(), v);
            }
            Err(e) => d.push(Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range))),
        }
    }
    d.into_result().map(|()| out)
}

/// Checks a run's `assert` blocks: a false condition fails the run with its `error_message`;
/// one not known yet (a `plan` run) is an error, as in Terraform.
fn assertions(run: &Run, scope: &TestScope<'_>) -> Diagnostics {
    let mut d = Diagnostics::new();
    for a in &run.asserts {
        let at = Some(&a.condition.expr_range);
        match eval_expr(&a.condition.expr, scope).map(|v| v.unmark().0) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => {
                let message = match eval_expr(&a.error_message.expr, scope) {
                    Ok(v) if v.contains_sensitive() => "The error message included a sensitive value, so it will not be displayed.".to_string(),
                    Ok(Value::String(s)) => s,
                    Ok(other) => other.to_string(),
                    Err(e) => format!("The error message could not be evaluated: {}", e.detail),
                };
                d.push(Diagnostic::error("Test assertion failed", message).at(at));
            }
            Ok(Value::Unknown) => d.push(
                Diagnostic::error(
                    "Unknown condition value",
                    "Condition expression could not be evaluated at this time. This means you have executed a `run` block with `command = plan` and one of the values your condition depended on is not known until after the plan has been applied. Either remove this value from your condition, or execute an `apply` command from this `run` block.",
                )
                .at(at),
            ),
            Ok(Value::Null) => d.push(Diagnostic::error("Invalid condition result", "Condition expression must return either true or false, not null.").at(at)),
            Ok(other) => d.push(Diagnostic::error("Invalid condition result", format!("Invalid condition result value: a bool is required, not {}.", other.type_name())).at(at)),
            Err(e) => d.push(Diagnostic::error(e.summary, e.detail).at(at)),
        }
    }
    d
}

/// The problems a run's plan or apply reported, with the expected failures (`expect_failures`)
/// taken out, and an error for each expected failure that did not happen.
fn expected_failures(config: &Config, run: &Run, found: Diagnostics) -> Diagnostics {
    if run.expect_failures.is_empty() {
        return found;
    }
    let mut seen: HashMap<&str, bool> = run.expect_failures.iter().map(|e| (e.address.as_str(), false)).collect();
    let mut out = Diagnostics::new();
    for d in found.0 {
        match checkable_of(config, &d).filter(|_| custom_failure(&d)).and_then(|c| seen.get_mut(c.as_str())) {
            Some(hit) => *hit = true,
            None => out.push(d),
        }
    }
    for e in &run.expect_failures {
        if !seen[e.address.as_str()] {
            out.push(
                Diagnostic::error("Missing expected failure", format!("The checkable object, {}, was expected to report an error but did not.", e.address))
                    .at(Some(&e.range)),
            );
        }
    }
    out
}

/// A plan that failed in an `apply` run: its problems, each expected failure among them with
/// Terraform's warning that the apply could not run.
fn failed_while_planning(config: &Config, run: &Run, found: Diagnostics) -> Diagnostics {
    let mut out = Diagnostics::new();
    for d in found.0 {
        let expected = custom_failure(&d).then(|| checkable_of(config, &d)).flatten().and_then(|c| run.expect_failures.iter().find(|e| e.address == c));
        if let Some(e) = expected {
            out.push(
                Diagnostic::warning(
                    "Expected failure while planning",
                    format!("A custom condition within {} failed during the planning stage and prevented the requested apply operation. While this was an expected failure, the apply operation could not be executed and so the overall test case will be marked as a failure and the original diagnostic included in the test report.", e.address),
                )
                .at(Some(&e.range)),
            );
        }
        out.push(d);
    }
    out
}

/// Whether a problem is a custom condition's failure (what `expect_failures` can expect).
fn custom_failure(d: &Diagnostic) -> bool {
    matches!(
        d.summary.as_str(),
        "Invalid value for variable"
            | "Resource precondition failed"
            | "Resource postcondition failed"
            | "Module output value precondition failed"
            | "Check block assertion failed"
    )
}

/// The checkable object (`var.x`, `output.x`, `check.x`, a resource) a condition failure
/// belongs to: its address, else the root-module block around its location.
fn checkable_of(config: &Config, d: &Diagnostic) -> Option<String> {
    if let Some(a) = d.address.as_deref().and_then(|a| crate::addr::ResourceInstanceAddr::parse(a).ok()) {
        return Some(a.resource.to_string());
    }
    let at = d.range.as_ref()?;
    let m = &config.root;
    let blocks = m
        .variables
        .iter()
        .map(|(n, v)| (format!("var.{n}"), &v.range))
        .chain(m.outputs.iter().map(|(n, o)| (format!("output.{n}"), &o.range)))
        .chain(m.resources.iter().map(|(k, r)| (k.clone(), &r.range)))
        .chain(m.checks.iter().map(|c| (format!("check.{}", c.name), &c.range)));
    blocks.filter(|(_, r)| r.file == at.file && r.start <= at.start).max_by_key(|(_, r)| r.start).map(|(a, _)| a)
}

/// The scope of test-file expressions: `run.NAME.OUTPUT`, and in assertions the run's
/// configuration (`output.NAME`, resources, `var.`, `local.`); `var.` falls back to the test's
/// own variables.
struct TestScope<'s> {
    inner: Option<&'s dyn Scope>,
    outputs: Option<&'s BTreeMap<String, Value>>,
    runs: &'s BTreeMap<String, Value>,
    vars: &'s BTreeMap<String, Value>,
    func: &'s FuncContext,
}

impl Scope for TestScope<'_> {
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        let first = attrs.first().copied();
        match (name, first, self.outputs) {
            ("run", Some(r), _) => match self.runs.get(r) {
                Some(v) => Ok((v.clone(), 1)),
                None => Err(EvalError::new("Reference to unknown run block", format!("There is no run block named \"{r}\" before this one in the test file."))),
            },
            ("output", Some(o), Some(outputs)) => match outputs.get(o) {
                Some(v) => Ok((v.clone(), 1)),
                None => Err(EvalError::new("Reference to undeclared output value", format!("An output value with the name \"{o}\" has not been declared."))),
            },
            ("var", Some(v), _) => match self.inner.map(|s| s.lookup(name, attrs)) {
                Some(Ok(found)) => Ok(found),
                found => match self.vars.get(v) {
                    Some(value) => Ok((value.clone(), 1)),
                    None => found.unwrap_or_else(|| {
                        Err(EvalError::new("Reference to undeclared input variable", format!("An input variable with the name \"{v}\" has not been declared.")))
                    }),
                },
            },
            _ => match self.inner {
                Some(s) => s.lookup(name, attrs),
                None => Err(EvalError::new("Invalid reference", format!("Only var. and run. references may be used here (found {name}))."))),
            },
        }
    }

    fn func_context(&self) -> &FuncContext {
        self.inner.map_or(self.func, |s| s.func_context())
    }
}

/// The number of runs by status, for the summary line.
pub fn summary(counts: &BTreeMap<&'static str, usize>) -> String {
    let get = |k| counts.get(k).copied().unwrap_or(0);
    let mut s = format!("{} passed, {} failed", get("pass"), get("fail"));
    if get("skip") > 0 {
        s.push_str(&format!(", {} skipped", get("skip")));
    }
    s.push('.');
    s
}
