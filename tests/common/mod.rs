//! Shared fixtures: a temporary working directory with a configuration and a state store, the
//! engine wired to the built-in drivers plus the strict test driver, and a CLI runner.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use skyform::config::load_config;
use skyform::diag::Diagnostics;
use skyform::engine::{ApplyResult, Engine, NoHook, PlanOptions};
use skyform::plan::{Action, Plan};
use skyform::provider::builtin::testing::{TestFactory, TestHandle};
use skyform::provider::Registry;
use skyform::state::StateStore;
use skyform::value::Value;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub registry: Registry,
    pub cloud: TestHandle,
    pub store: StateStore,
}

impl Fixture {
    pub fn new(main_tf: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.tf"), main_tf).expect("write main.tf");
        let (factory, cloud) = TestFactory::new();
        let mut registry = Registry::builtin();
        registry.register(Arc::new(factory));
        let store = StateStore::open(&dir.path().join(".skyform/state.db")).expect("open state");
        Fixture { dir, registry, cloud, store }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    pub fn plan_with(&self, vars: &[(&str, Value)], opts: PlanOptions) -> Result<Plan, Diagnostics> {
        let (config, _) = load_config(self.dir.path()).map_err(|(d, _)| d)?;
        let engine = Engine::new(&config, &self.registry, self.dir.path(), &NoHook);
        let state = self.store.load().expect("load state");
        let inputs: BTreeMap<String, Value> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        rt().block_on(engine.plan(&state, &inputs, &opts))
    }

    pub fn plan(&self) -> Result<Plan, Diagnostics> {
        self.plan_with(&[], PlanOptions::default())
    }

    pub fn apply_plan(&self, plan: &Plan) -> ApplyResult {
        let (config, _) = load_config(self.dir.path()).map_err(|(d, _)| d).expect("config");
        let engine = Engine::new(&config, &self.registry, self.dir.path(), &NoHook);
        rt().block_on(engine.apply(plan, &self.store, 10))
    }

    /// Plans and applies; panics on a planning error.
    pub fn apply(&self) -> ApplyResult {
        let plan = self.plan().unwrap_or_else(|d| panic!("plan failed: {d}"));
        self.apply_plan(&plan)
    }

    /// `skyform import ADDRESS ID` through the engine: reads the object and commits it to state.
    pub fn import(&self, address: &str, id: &str) -> Result<(), Diagnostics> {
        let (config, _) = load_config(self.dir.path()).map_err(|(d, _)| d)?;
        let engine = Engine::new(&config, &self.registry, self.dir.path(), &NoHook);
        let state = self.store.load().expect("load state");
        let entry = rt().block_on(engine.import(&state, &BTreeMap::new(), address, id))?;
        self.store.commit_resource(None, &entry).expect("commit the imported object");
        Ok(())
    }

    pub fn addresses(&self) -> Vec<String> {
        self.store.load().expect("load").resources.keys().cloned().collect()
    }
}

/// What varies between runs in a rendered plan, for [`plan_snapshot!`]: temporary directories,
/// emulator endpoints (their ports) and the random part of [`unique`] names.
pub const PLAN_FILTERS: [(&str, &str); 3] = [
    (r#"(?:/[^/\s"]+)*/\.tmp[A-Za-z0-9]+"#, "[TMP]"),
    (r"https?://(?:127\.0\.0\.1|localhost|\[::1\]):\d+", "[ENDPOINT]"),
    (r"skyform-([a-z0-9-]+?)-\d+-[0-9a-f]{6}", "skyform-$1-[UNIQUE]"),
];

/// `plan_snapshot!(name, text)`: an insta snapshot of plan text with [`PLAN_FILTERS`] applied,
/// stored next to the calling file (`snapshots/`).
#[macro_export]
macro_rules! plan_snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({ filters => $crate::common::PLAN_FILTERS }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// The action planned for an address.
pub fn action(plan: &Plan, address: &str) -> Action {
    plan.change(address).unwrap_or_else(|| panic!("no change for {address} in {:?}", plan.changes.iter().map(|c| &c.address).collect::<Vec<_>>())).action
}

/// The non-NoOp changes as (address, action).
pub fn changes(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes.iter().filter(|c| c.action != Action::NoOp).map(|c| (c.address.clone(), c.action)).collect()
}

/// The compiled skyform binary, run in `dir`.
pub fn skyform(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("skyform").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1").env_remove("TF_VAR_project").env_remove("TF_WORKSPACE");
    cmd
}

/// Copies an example directory into a fresh temporary directory.
pub fn example(name: &str) -> tempfile::TempDir {
    copy_of(&format!("examples/{name}"))
}

/// Copies a directory of the repository (path relative to its root) into a fresh temporary directory.
pub fn copy_of(rel: &str) -> tempfile::TempDir {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    let dst = tempfile::tempdir().expect("tempdir");
    copy_dir(&src, dst.path());
    dst
}

/// The real Terraform for comparison tests (`SKYFORM_TERRAFORM`, set by `scripts/test` when
/// `../shared/tools/terraform` exists). `None` means the comparison cannot run here.
pub fn terraform() -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os("SKYFORM_TERRAFORM")?);
    p.exists().then_some(p)
}

/// Runs Terraform in `dir`, offline and without colour.
pub fn run_terraform(tf: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(tf).current_dir(dir).args(args).env("CHECKPOINT_DISABLE", "1").env("TF_IN_AUTOMATION", "1").output().expect("run terraform")
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read example") {
        let e = e.expect("entry");
        let name = e.file_name();
        if name == ".skyform" || name == "out" {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &dst.join(&name));
        } else {
            std::fs::copy(&p, dst.join(&name)).expect("copy");
        }
    }
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A cloud emulator's endpoint from `var` (set by `scripts/test`), or `None` with a "skipped"
/// note. When `scripts/test` started the emulators (`SKYFORM_REQUIRE_EMULATORS`), a missing
/// endpoint fails the test instead.
pub fn emulator(var: &str) -> Option<String> {
    let e = std::env::var(var).ok().filter(|s| !s.is_empty());
    if e.is_none() {
        assert!(std::env::var_os("SKYFORM_REQUIRE_EMULATORS").is_none(), "emulators were started but {var} is unset");
        eprintln!("skipped: no {var} (run ./scripts/test)");
    }
    e
}

/// A name no other test (or earlier run) uses: `skyform-NAME-PID-RANDOM`, lower case.
pub fn unique(name: &str) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos() & 0xffffff).unwrap_or(0);
    format!("skyform-{name}-{}-{nanos:06x}", std::process::id())
}

/// Runs skyform in `d` and requires it to succeed (showing its output otherwise).
pub fn succeeds(d: &Path, args: &[&str]) -> std::process::Output {
    let out = skyform(d).args(args).output().expect("run skyform");
    assert!(out.status.success(), "skyform {}: {}{}", args.join(" "), stdout(&out), stderr(&out));
    out
}

/// Runs `plan -detailed-exitcode` in `d` and returns its exit code and output.
pub fn plan_code(d: &Path) -> (Option<i32>, String) {
    let out = skyform(d).args(["plan", "-detailed-exitcode", "-no-color"]).output().expect("run skyform");
    (out.status.code(), format!("{}{}", stdout(&out), stderr(&out)))
}

/// One plain HTTP request (no cloud SDK): `(status, body)`.
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, Vec<u8>) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let mut req = reqwest::Client::new().request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), url).body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = resp.status().as_u16();
        (status, resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    })
}
