//! One lifecycle for every cloud resource type, driven through the engine as a library against
//! the real emulators. A resource type declares a [`Case`] (configurations and what each plan
//! must show, a change made outside skyform with the cloud SDK, an import id, and how to ask the
//! cloud whether the object exists); [`run`] owns the steps, in this order:
//!
//! create -> update -> replace -> drift -> import -> destroy -> gone
//!
//! Create, update, replace and drift each plan exactly the declared changes, apply them (the
//! counts must match the plan), run the step's cloud checks, and must then plan no changes. The
//! create plan's text is an insta snapshot (`snapshots/`, via `plan_snapshot!`). Import forgets
//! the instance with the state store, imports it with the engine, and plans no changes except
//! the attributes the case declares (what Terraform shows too). Destroy deletes everything, and
//! the cloud is asked that the object is gone.
//!
//! The cases are in `aws*.rs`, `azure.rs`, `gcs.rs` and `digitalocean.rs`; checks that are not
//! about one type's lifecycle (bulk refresh, errors, CLI, examples) stay in `test_*.rs`.

mod aws;
mod aws_asg;
mod aws_dns_db;
mod aws_ebs;
mod aws_ec2_eni;
mod aws_ec2_more;
mod aws_iam;
mod aws_lambda;
mod aws_lb;
mod aws_more;
mod aws_net;
mod aws_s3;
mod aws_s3_more;
mod aws_services;
mod aws_sns;
mod azure;
mod digitalocean;
mod gcs;

use std::path::Path;
use std::time::Instant;

use skyform::engine::PlanOptions;
use skyform::plan::{Action, Plan};
use skyform::state::State;
use skyform::view::plan_text::render_plan;
use skyform::view::Colors;

use crate::common::{changes, emulator, Fixture};

/// Looks at the cloud (or changes it), given the current state and the emulator's endpoint.
pub type Probe<T = ()> = Box<dyn Fn(&State, &str) -> T>;

/// One configuration and what planning and applying it must do.
#[derive(Default)]
pub struct Step {
    /// `main.tf`.
    pub config: String,
    /// Other files written first (relative path, content), e.g. an object's `source`.
    pub files: Vec<(&'static str, String)>,
    /// A change made outside skyform with the cloud SDK before planning (drift).
    pub outside: Option<Probe>,
    /// Every change the plan must hold, as (address, action); everything else is a no-op.
    pub changes: Vec<(&'static str, Action)>,
    /// Text the rendered plan must contain, and must not contain.
    pub shows: Vec<String>,
    pub hides: Vec<String>,
    /// Ask the cloud, after the apply, that it holds what the step configured.
    pub checks: Vec<Probe>,
}

impl Step {
    pub fn new(config: String, changes: &[(&'static str, Action)]) -> Step {
        Step { config, changes: changes.to_vec(), ..Step::default() }
    }
    pub fn file(mut self, path: &'static str, content: &str) -> Step {
        self.files.push((path, content.to_string()));
        self
    }
    pub fn outside(mut self, f: impl Fn(&State, &str) + 'static) -> Step {
        self.outside = Some(Box::new(f));
        self
    }
    pub fn shows(mut self, text: impl Into<String>) -> Step {
        self.shows.push(text.into());
        self
    }
    pub fn hides(mut self, text: impl Into<String>) -> Step {
        self.hides.push(text.into());
        self
    }
    pub fn check(mut self, f: impl Fn(&State, &str) + 'static) -> Step {
        self.checks.push(Box::new(f));
        self
    }
}

/// Forget one instance, import it again by id, and plan.
pub struct Import {
    pub address: &'static str,
    /// The provider's id for the object, from the state before it is forgotten (and the
    /// endpoint).
    pub id: Probe<String>,
    /// The attributes the plan after import may update (what the state cannot know, as in
    /// Terraform, e.g. a blob's `source`); empty when the plan must show no changes.
    pub differs: Vec<&'static str>,
    /// Text the plan after import must contain.
    pub shows: Vec<String>,
}

pub struct Case {
    /// Applied first: the create plan's text is snapshotted as `<test name>_create`.
    pub create: Step,
    /// An in-place update of the object.
    pub update: Step,
    /// A change that replaces it.
    pub replace: Step,
    /// The last configuration again, after `outside` changed or deleted the object.
    pub drift: Option<Step>,
    pub import: Import,
    /// Asks the cloud whether the object is there, given the state before destroy (and the
    /// endpoint): checked true before the destroy and false after it.
    pub exists: Probe<bool>,
}

/// Runs the lifecycle of `case`, built for the endpoint in `emulator_var` and the working
/// directory (drivers read a relative `source` from the process's directory, as Terraform's
/// do, so cases name files by absolute path); returns early, as a skip, without that emulator.
pub fn run(name: &str, emulator_var: &str, case: fn(&str, &Path) -> Case) {
    let Some(endpoint) = emulator(emulator_var) else { return };
    let started = Instant::now();
    let fx = Fixture::new("");
    let case = case(&endpoint, fx.path());
    let l = Lifecycle { fx, endpoint };
    let text = l.step("create", &case.create);
    crate::plan_snapshot!(format!("{name}_create"), text);
    l.step("update", &case.update);
    l.step("replace", &case.replace);
    if let Some(drift) = &case.drift {
        l.step("drift", drift);
    }
    l.import(&case.import);
    l.destroy(&case.exists);
    eprintln!("{name}: lifecycle in {:.1?}", started.elapsed());
}

/// A case's working directory and state, and the emulator's endpoint.
struct Lifecycle {
    fx: Fixture,
    endpoint: String,
}

impl Lifecycle {
    /// Writes, plans and checks the plan, applies, checks the cloud, and requires convergence.
    /// Returns the plan text.
    fn step(&self, label: &str, s: &Step) -> String {
        for (path, content) in &s.files {
            self.fx.write(path, content);
        }
        self.fx.write("main.tf", &s.config);
        if let Some(outside) = &s.outside {
            outside(&self.state(), &self.endpoint);
        }
        let plan = self.plan(label, PlanOptions::default());
        let text = self.text(&plan);
        let want = s.changes.iter().map(|(a, x)| (a.to_string(), *x)).collect();
        assert_eq!(sorted(changes(&plan)), sorted(want), "{label}: planned changes\n{text}");
        shows(label, &text, &s.shows);
        for t in &s.hides {
            assert!(!text.contains(t.as_str()), "{label}: the plan must not show {t:?}\n{text}");
        }
        self.apply(label, &plan);
        let after = self.state();
        for check in &s.checks {
            check(&after, &self.endpoint);
        }
        self.converged(label);
        text
    }

    /// Forgets the instance (`state rm`), imports it by id, and plans: no changes, or an
    /// update of exactly the declared attributes. Applies, and requires convergence.
    fn import(&self, imp: &Import) {
        let before = self.state();
        let id = (imp.id)(&before, &self.endpoint);
        self.fx.store.remove_resource(imp.address).expect("state rm");
        self.fx.import(imp.address, &id).unwrap_or_else(|d| panic!("import {} {id}: {d}", imp.address));
        let plan = self.plan("import", PlanOptions::default());
        let text = self.text(&plan);
        let expected = if imp.differs.is_empty() { vec![] } else { vec![(imp.address.to_string(), Action::Update)] };
        assert_eq!(changes(&plan), expected, "import: planned changes\n{text}");
        if let Some(c) = plan.change(imp.address).filter(|c| c.action == Action::Update) {
            let (old, new) = (c.before.as_map().expect("before"), c.after.as_map().expect("after"));
            let differ: Vec<&str> = new.keys().filter(|k| old.get(*k) != new.get(*k)).map(String::as_str).collect();
            let mut declared = imp.differs.clone();
            declared.sort();
            assert_eq!(differ, declared, "import: the attributes that differ\n{text}");
        }
        shows("import", &text, &imp.shows);
        self.apply("import", &plan);
        self.converged("import");
        // As in Terraform, planning and applying record the dependencies again: destroy orders
        // deletes by them.
        let deps = |s: &State| s.resources.get(imp.address).map(|r| r.dependencies.clone());
        assert_eq!(deps(&self.state()), deps(&before), "import: the dependencies recorded in state");
    }

    /// Destroys everything, then asks the cloud that the object is gone.
    fn destroy(&self, exists: &Probe<bool>) {
        let before = self.state();
        assert!(exists(&before, &self.endpoint), "destroy: the object must exist before the destroy");
        let plan = self.plan("destroy", PlanOptions { destroy: true, ..PlanOptions::default() });
        let all: Vec<(String, Action)> = before.resources.keys().map(|a| (a.clone(), Action::Delete)).collect();
        assert_eq!(sorted(changes(&plan)), all, "destroy: planned changes");
        self.apply("destroy", &plan);
        assert!(self.state().resources.is_empty(), "destroy: state left {:?}", self.fx.addresses());
        assert!(!exists(&before, &self.endpoint), "destroy: the object is still in the cloud");
    }

    fn plan(&self, label: &str, opts: PlanOptions) -> Plan {
        self.fx.plan_with(&[], opts).unwrap_or_else(|d| panic!("{label}: plan failed: {d}"))
    }

    /// Applies; the counts must match the plan's summary.
    fn apply(&self, label: &str, plan: &Plan) {
        let r = self.fx.apply_plan(plan);
        assert!(!r.diagnostics.has_errors(), "{label}: apply failed: {}", r.diagnostics);
        let s = plan.summary();
        assert_eq!((r.counts.added, r.counts.changed, r.counts.destroyed), (s.add, s.change, s.destroy), "{label}: applied counts");
    }

    fn converged(&self, label: &str) {
        let plan = self.plan(label, PlanOptions::default());
        assert!(!plan.has_changes(), "{label}: the next plan must show no changes\n{}", self.text(&plan));
    }

    fn text(&self, plan: &Plan) -> String {
        render_plan(plan, &self.fx.registry, Colors::new(false))
    }

    fn state(&self) -> State {
        self.fx.store.load().expect("load state")
    }
}

fn shows(label: &str, text: &str, wanted: &[String]) {
    for t in wanted {
        assert!(text.contains(t.as_str()), "{label}: the plan must show {t:?}\n{text}");
    }
}

/// In address order (addresses are unique in a plan).
fn sorted(mut v: Vec<(String, Action)>) -> Vec<(String, Action)> {
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// A string attribute of an instance in state (panics when missing).
pub fn attr(state: &State, address: &str, name: &str) -> String {
    let r = state.resources.get(address).unwrap_or_else(|| panic!("{address} is not in state"));
    r.attributes.get_attr(name).and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{address} has no string {name}")).to_string()
}
