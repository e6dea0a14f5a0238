//! The `.tftest.hcl` file: its blocks decoded into a [`TestFile`], with every block and argument
//! skyform does not implement yet reported at its location (nothing is skipped silently).

use crate::config::load::traversal_text;
use crate::config::ProviderConfig;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::eval::eval_literal;
use crate::syntax::{Attribute, Block, Body};
use crate::value::Value;

/// What a run block does to the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunCommand {
    Plan,
    Apply,
}

/// An `assert` block.
#[derive(Clone, Debug)]
pub struct Assert {
    pub condition: Attribute,
    pub error_message: Attribute,
}

/// A checkable object named in `expect_failures`.
#[derive(Clone, Debug)]
pub struct Expected {
    /// `var.name`, `output.name`, `check.name`, or a resource address (`aws_s3_bucket.b`).
    pub address: String,
    pub range: SourceRange,
}

/// An `override_resource` or `override_data` block: the instances at `target` never reach
/// their provider; their computed attributes come from `values`, else are made up.
#[derive(Clone, Debug)]
pub struct Override {
    /// A resource (`aws_s3_bucket.b`, `data.aws_ami.x`) or instance address.
    pub target: String,
    pub values: Value,
}

/// A `mock_provider` block: every resource and data source of provider `name` is faked.
#[derive(Clone, Debug)]
pub struct MockProvider {
    pub name: String,
    pub range: SourceRange,
    /// `mock_resource "TYPE" { defaults = {...} }`, by type.
    pub resources: Vec<(String, Value)>,
    /// `mock_data "TYPE" { defaults = {...} }`, by type.
    pub data: Vec<(String, Value)>,
    pub overrides: Vec<Override>,
}

/// A `run` block.
#[derive(Clone, Debug)]
pub struct Run {
    pub name: String,
    pub range: SourceRange,
    pub command: RunCommand,
    pub variables: Vec<Attribute>,
    pub asserts: Vec<Assert>,
    pub expect_failures: Vec<Expected>,
    /// `plan_options`.
    pub refresh: bool,
    pub replace: Vec<String>,
    pub targets: Vec<String>,
    /// `module { source = "./local/path" }`: the configuration this run plans instead of the
    /// one under test.
    pub module: Option<(String, SourceRange)>,
    pub overrides: Vec<Override>,
}

/// One test file.
#[derive(Clone, Debug, Default)]
pub struct TestFile {
    pub variables: Vec<Attribute>,
    pub runs: Vec<Run>,
    pub mocks: Vec<MockProvider>,
    pub overrides: Vec<Override>,
    /// `provider` blocks: configurations used instead of the root module's, by key.
    pub providers: Vec<ProviderConfig>,
}

/// Decodes a parsed test file; all problems are reported together.
pub fn decode(body: &Body) -> Result<TestFile, Diagnostics> {
    let mut d = Diagnostics::new();
    let mut file = TestFile::default();
    only(body, &[], &["variables", "run", "mock_provider", "override_resource", "override_data", "provider"], "a test file", &mut d);
    for b in &body.blocks {
        match b.kind.as_str() {
            "variables" => file.variables.extend(variables(b, &mut d)),
            "run" => {
                if let Some(r) = run(b, &mut d) {
                    if file.runs.iter().any(|x| x.name == r.name) {
                        d.push(
                            Diagnostic::error("Duplicate \"run\" block names", format!("This test file already has a run named {}.", r.name))
                                .at(Some(&b.range)),
                        );
                    }
                    file.runs.push(r);
                }
            }
            "mock_provider" => file.mocks.extend(mock_provider(b, &mut d)),
            "override_resource" | "override_data" => file.overrides.extend(override_block(b, &mut d)),
            "provider" => match b.labels.first() {
                Some(name) => {
                    let alias = b.body.attribute("alias").and_then(|a| literal(a, &mut d)).and_then(|v| v.as_str().map(str::to_string));
                    file.providers.push(ProviderConfig { name: name.clone(), alias, body: b.body.clone(), range: b.range.clone() });
                }
                None => d.push(Diagnostic::error("Missing name for provider block", "A provider block needs the provider's name.").at(Some(&b.range))),
            },
            _ => {}
        }
    }
    d.into_result().map(|()| file)
}

/// Reports every attribute and block of `body` not in the allowed lists: Terraform's test
/// blocks skyform does not implement yet are named, the rest are unexpected.
fn only(body: &Body, attrs: &[&str], blocks: &[&str], what: &str, d: &mut Diagnostics) {
    const KNOWN_LATER: &[&str] = &["test", "override_module", "state_key", "parallel", "providers", "override_during", "alias", "source", "version", "mode"];
    for a in body.attributes.iter().filter(|a| !attrs.contains(&a.name.as_str())) {
        d.push(unsupported(&a.name, "argument", what, KNOWN_LATER.contains(&a.name.as_str())).at(Some(&a.range)));
    }
    for b in body.blocks.iter().filter(|b| !blocks.contains(&b.kind.as_str())) {
        d.push(unsupported(&b.kind, "block", what, KNOWN_LATER.contains(&b.kind.as_str())).at(Some(&b.range)));
    }
}

fn unsupported(name: &str, kind: &str, what: &str, terraform_has_it: bool) -> Diagnostic {
    if terraform_has_it {
        Diagnostic::error(
            format!("Test {kind} not supported yet"),
            format!("skyform test does not implement the \"{name}\" {kind} in {what} yet; remove it, or run this file with Terraform."),
        )
    } else {
        let detail = if kind == "block" {
            format!("Blocks of type \"{name}\" are not expected in {what}.")
        } else {
            format!("An argument named \"{name}\" is not expected in {what}.")
        };
        Diagnostic::error(format!("Unsupported {kind}"), detail)
    }
}

fn variables(b: &Block, d: &mut Diagnostics) -> Vec<Attribute> {
    for inner in &b.body.blocks {
        d.push(
            Diagnostic::error("Unsupported block type", format!("Blocks of type \"{}\" are not expected in a variables block.", inner.kind))
                .at(Some(&inner.range)),
        );
    }
    b.body.attributes.clone()
}

fn literal(a: &Attribute, d: &mut Diagnostics) -> Option<Value> {
    eval_literal(&a.expr).map_err(|e| d.push(Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range)))).ok()
}

fn address(a: &Attribute, d: &mut Diagnostics) -> Option<String> {
    let text = traversal_text(&a.expr);
    if text.is_none() {
        d.push(
            Diagnostic::error("Invalid address", format!("The \"{}\" argument must be an address, such as aws_s3_bucket.b.", a.name)).at(Some(&a.expr_range)),
        );
    }
    text
}

/// The addresses of a list of references (`expect_failures`, `target`, `replace`).
fn addresses(a: &Attribute, d: &mut Diagnostics) -> Vec<Expected> {
    let hcl::Expression::Array(items) = &a.expr else {
        d.push(Diagnostic::error("Invalid argument", format!("\"{}\" must be a list of references.", a.name)).at(Some(&a.expr_range)));
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in items {
        match traversal_text(e) {
            Some(address) => out.push(Expected { address, range: a.expr_range.clone() }),
            None => {
                d.push(Diagnostic::error("Invalid reference", format!("Each item of \"{}\" must be a reference to an object.", a.name)).at(Some(&a.expr_range)))
            }
        }
    }
    out
}

fn run(b: &Block, d: &mut Diagnostics) -> Option<Run> {
    let Some(name) = b.labels.first() else {
        d.push(Diagnostic::error("Missing name for run block", "A run block needs a name: run \"NAME\" { ... }.").at(Some(&b.range)));
        return None;
    };
    only(&b.body, &["command", "expect_failures"], &["variables", "assert", "plan_options", "module", "override_resource", "override_data"], "a run block", d);
    let command = match b.body.attribute("command").map(|a| (traversal_text(&a.expr), a)) {
        None => RunCommand::Apply,
        Some((Some(c), _)) if c == "apply" => RunCommand::Apply,
        Some((Some(c), _)) if c == "plan" => RunCommand::Plan,
        Some((_, a)) => {
            d.push(
                Diagnostic::error(
                    "Invalid \"command\" keyword",
                    "The \"command\" argument requires one of the following keywords without quotes: apply or plan.",
                )
                .at(Some(&a.expr_range)),
            );
            RunCommand::Apply
        }
    };
    let mut r = Run {
        name: name.clone(),
        range: b.range.clone(),
        command,
        variables: Vec::new(),
        asserts: Vec::new(),
        expect_failures: b.body.attribute("expect_failures").map(|a| addresses(a, d)).unwrap_or_default(),
        refresh: true,
        replace: Vec::new(),
        targets: Vec::new(),
        module: None,
        overrides: Vec::new(),
    };
    for inner in &b.body.blocks {
        match inner.kind.as_str() {
            "variables" => r.variables.extend(variables(inner, d)),
            "assert" => {
                only(&inner.body, &["condition", "error_message"], &[], "an assert block", d);
                match (inner.body.attribute("condition"), inner.body.attribute("error_message")) {
                    (Some(c), Some(m)) => r.asserts.push(Assert { condition: c.clone(), error_message: m.clone() }),
                    _ => d.push(
                        Diagnostic::error("Missing required argument", "An assert block needs \"condition\" and \"error_message\".").at(Some(&inner.range)),
                    ),
                }
            }
            "plan_options" => {
                only(&inner.body, &["refresh", "replace", "target"], &[], "a plan_options block", d);
                if let Some(v) = inner.body.attribute("refresh").and_then(|a| literal(a, d)) {
                    r.refresh = v.as_bool().unwrap_or(true);
                }
                r.replace = inner.body.attribute("replace").map(|a| addresses(a, d)).unwrap_or_default().into_iter().map(|e| e.address).collect();
                r.targets = inner.body.attribute("target").map(|a| addresses(a, d)).unwrap_or_default().into_iter().map(|e| e.address).collect();
            }
            "module" => {
                only(&inner.body, &["source"], &[], "a run's module block", d);
                match inner.body.attribute("source").and_then(|a| literal(a, d)) {
                    Some(Value::String(s)) if s.starts_with("./") || s.starts_with("../") => r.module = Some((s, inner.range.clone())),
                    Some(_) => d.push(
                        Diagnostic::error(
                            "Test module source not supported yet",
                            "skyform test runs local modules only (a source starting with ./ or ../); registry and remote sources are not supported in run blocks yet.",
                        )
                        .at(Some(&inner.range)),
                    ),
                    None => d.push(Diagnostic::error("Missing required argument", "A module block needs a \"source\".").at(Some(&inner.range))),
                }
            }
            "override_resource" | "override_data" => r.overrides.extend(override_block(inner, d)),
            _ => {}
        }
    }
    Some(r)
}

fn override_block(b: &Block, d: &mut Diagnostics) -> Option<Override> {
    only(&b.body, &["target", "values"], &[], &format!("an {} block", b.kind), d);
    let target = address(b.body.attribute("target")?, d)?;
    let data = b.kind == "override_data";
    if data != target.starts_with("data.") {
        let want = if data { "a data source" } else { "a managed resource" };
        d.push(Diagnostic::error("Invalid override target", format!("The target of an {} block must be {want}, not {target}.", b.kind)).at(Some(&b.range)));
        return None;
    }
    let values = match b.body.attribute("values") {
        Some(a) => literal(a, d)?,
        None => Value::Map(Default::default()),
    };
    Some(Override { target, values })
}

fn mock_provider(b: &Block, d: &mut Diagnostics) -> Option<MockProvider> {
    let Some(name) = b.labels.first() else {
        d.push(Diagnostic::error("Missing name for mock_provider block", "A mock_provider block needs the provider's name.").at(Some(&b.range)));
        return None;
    };
    only(&b.body, &[], &["mock_resource", "mock_data", "override_resource", "override_data"], "a mock_provider block", d);
    let mut m = MockProvider { name: name.clone(), range: b.range.clone(), resources: Vec::new(), data: Vec::new(), overrides: Vec::new() };
    for inner in &b.body.blocks {
        match inner.kind.as_str() {
            "mock_resource" | "mock_data" => {
                only(&inner.body, &["defaults"], &[], &format!("a {} block", inner.kind), d);
                let Some(type_name) = inner.labels.first() else {
                    d.push(Diagnostic::error("Missing type", format!("A {} block needs the type it mocks.", inner.kind)).at(Some(&inner.range)));
                    continue;
                };
                let defaults = inner.body.attribute("defaults").and_then(|a| literal(a, d)).unwrap_or(Value::Map(Default::default()));
                let list = if inner.kind == "mock_resource" { &mut m.resources } else { &mut m.data };
                list.push((type_name.clone(), defaults));
            }
            "override_resource" | "override_data" => m.overrides.extend(override_block(inner, d)),
            _ => {}
        }
    }
    Some(m)
}
