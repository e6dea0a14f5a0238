//! Decodes one parsed file's top-level blocks into the [`Module`] model: `terraform`,
//! `variable`, `locals`, `output`, `provider`, `resource`/`data` (meta-arguments, lifecycle,
//! conditions, provisioners), `module` calls (loading their sources through
//! [`super::load`]), `import`, `moved`, `removed` and `check` blocks. Every block, argument or
//! label skyform does not implement is an error at its location.

use std::collections::BTreeMap;

use super::load::{load_module, Loader, Sources};
use crate::addr::ResourceMode;
use crate::config::model::*;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::eval::eval_literal;
use crate::eval::types::Type;
use crate::syntax::{Attribute, Block, Body};
use crate::value::{AttrPath, PathStep, Value};

pub(super) fn decode_file(at: &Loader<'_>, key: &str, m: &mut Module, body: Body, sources: &mut Sources, diags: &mut Diagnostics, depth: usize) {
    for attr in &body.attributes {
        diags.push(Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected here.", attr.name)).at(Some(&attr.range)));
    }
    for block in body.blocks {
        if let Some(d) = invalid_block_name(&block) {
            diags.push(d);
            continue;
        }
        match block.kind.as_str() {
            "terraform" => decode_terraform(m, &block, diags),
            "variable" => {
                if let Some(name) = one_label(&block, "variable", diags) {
                    if let Some(v) = decode_variable(&name, &block, diags) {
                        if let Some(prev) = m.variables.get(&name) {
                            diags.push(duplicate("variable", &name, &prev.range, &block.range));
                        } else {
                            m.variables.insert(name, v);
                        }
                    }
                }
            }
            "locals" => {
                for a in block.body.attributes {
                    if let Some(prev) = m.locals.get(&a.name) {
                        diags.push(duplicate("local value", &a.name, &prev.range, &a.range));
                    } else {
                        m.locals.insert(a.name.clone(), a);
                    }
                }
            }
            "output" => {
                if let Some(name) = one_label(&block, "output", diags) {
                    if let Some(o) = decode_output(&name, block, diags) {
                        if let Some(prev) = m.outputs.get(&name) {
                            diags.push(duplicate("output", &name, &prev.range, &o.range));
                        } else {
                            m.outputs.insert(name, o);
                        }
                    }
                }
            }
            "resource" | "data" => {
                let mode = if block.kind == "data" { ResourceMode::Data } else { ResourceMode::Managed };
                if block.labels.len() != 2 {
                    diags.push(
                        Diagnostic::error("Missing name for resource", format!("A {} block needs two labels: the type and the name.", block.kind))
                            .at(Some(&block.range)),
                    );
                    continue;
                }
                if let Some(r) = decode_resource(mode, block, diags) {
                    let key = r.local_addr();
                    if let Some(prev) = m.resources.get(&key) {
                        diags.push(duplicate("resource", &key, &prev.range, &r.range));
                    } else {
                        m.resources.insert(key, r);
                    }
                }
            }
            "provider" => {
                if let Some(name) = one_label(&block, "provider", diags) {
                    let alias = block.body.attribute("alias").and_then(|a| literal_string(a, diags));
                    // In a called module, an empty block only declares that the caller passes
                    // the configuration (a proxy, as in Terraform); settings there would not be
                    // used, so they are refused rather than ignored.
                    let configures = block.body.attributes.iter().any(|a| a.name != "alias") || !block.body.blocks.is_empty();
                    if depth > 0 && configures {
                        diags.push(
                            Diagnostic::error(
                                "Provider configuration in a module not supported yet",
                                format!("skyform takes provider configurations from the root module only: move this provider \"{name}\" block to the root module and pass it to the module call with providers = {{ ... }}."),
                            )
                            .at(Some(&block.range)),
                        );
                    }
                    let p = ProviderConfig { name, alias, range: block.range.clone(), body: block.body };
                    let key = p.key();
                    if let Some(prev) = m.providers.get(&key) {
                        diags.push(duplicate("provider configuration", &key, &prev.range, &p.range));
                    } else {
                        m.providers.insert(key, p);
                    }
                }
            }
            "module" => {
                if let Some(name) = one_label(&block, "module", diags) {
                    if let Some(call) = decode_module_call(at, key, m, &name, block, sources, diags, depth) {
                        if let Some(prev) = m.module_calls.get(&name) {
                            diags.push(duplicate("module call", &name, &prev.range, &call.range));
                        } else {
                            m.module_calls.insert(name, call);
                        }
                    }
                }
            }
            "import" => match decode_import(&block, depth) {
                Ok(imp) => {
                    if imp.for_each.is_none() && m.imports.iter().any(|o| o.for_each.is_none() && o.to == imp.to) {
                        diags.push(
                            Diagnostic::error("Duplicate import configuration", format!("An import block for {} is already declared.", imp.to))
                                .at(Some(&imp.range)),
                        );
                    } else {
                        m.imports.push(imp);
                    }
                }
                Err(d) => diags.push(d),
            },
            // Checks only ever warn in Terraform too; refactoring blocks change what a plan
            // destroys, so ignoring them would be dangerous.
            "check" => {
                if let Some(name) = one_label(&block, "check", diags) {
                    if m.checks.iter().any(|c| c.name == name) {
                        diags.push(
                            Diagnostic::error("Duplicate check block", format!("A check block named \"{name}\" was already declared in this module."))
                                .at(Some(&block.range)),
                        );
                    } else if let Some(c) = decode_check(name, block, diags) {
                        m.checks.push(c);
                    }
                }
            }
            "moved" => {
                if let Some(mv) = decode_moved(&block, diags) {
                    m.moved.push(mv);
                }
            }
            "removed" => {
                if let Some(rm) = decode_removed(&block, diags) {
                    m.removed.push(rm);
                }
            }
            // Terraform's newer top-level blocks skyform does not run yet: named, never skipped.
            "ephemeral" | "action" | "list" => diags.push(
                Diagnostic::error(
                    "Block type not supported yet",
                    format!("skyform does not support \"{}\" blocks yet (Terraform's ephemeral resources, actions and list resources); remove the block or use Terraform for this configuration.", block.kind),
                )
                .at(Some(&block.range)),
            ),
            other => {
                diags.push(Diagnostic::error("Unsupported block type", format!("Blocks of type \"{other}\" are not expected here.")).at(Some(&block.range)))
            }
        }
    }
}

/// Terraform's rules for the names of variables, outputs, resources and module calls: each must
/// be an identifier (a letter or underscore, then letters, digits, underscores and dashes), and a
/// variable may not take a name that means something else in a module block.
fn invalid_block_name(block: &Block) -> Option<Diagnostic> {
    let is_ident = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    const IDENT: &str = "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.";
    let (summary, name) = match (block.kind.as_str(), block.labels.as_slice()) {
        ("variable", [name]) => {
            if ["source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals", "provider"].contains(&name.as_str()) {
                let detail = format!("The variable name \"{name}\" is reserved due to its special meaning inside module blocks.");
                return Some(Diagnostic::error("Invalid variable name", detail).at(Some(&block.range)));
            }
            ("Invalid variable name", name)
        }
        ("output", [name]) => ("Invalid output name", name),
        ("module", [name]) => ("Invalid module instance name", name),
        ("resource" | "data", [ty, _]) if !is_ident(ty) => ("Invalid resource type name", ty),
        ("resource", [_, name]) => ("Invalid resource name", name),
        ("data", [_, name]) => ("Invalid data resource name", name),
        _ => return None,
    };
    (!is_ident(name)).then(|| Diagnostic::error(summary, IDENT).at(Some(&block.range)))
}

fn duplicate(what: &str, name: &str, first: &SourceRange, second: &SourceRange) -> Diagnostic {
    Diagnostic::error(
        format!("Duplicate {what} configuration"),
        format!("A {what} named \"{name}\" was already declared at {first}. Each must have a unique name within a module."),
    )
    .at(Some(second))
}

fn one_label(block: &Block, kind: &str, diags: &mut Diagnostics) -> Option<String> {
    if block.labels.len() == 1 {
        Some(block.labels[0].clone())
    } else {
        diags.push(Diagnostic::error(format!("Invalid {kind} block"), format!("A {kind} block must have exactly one label: its name.")).at(Some(&block.range)));
        None
    }
}

fn literal(attr: &Attribute, diags: &mut Diagnostics) -> Option<Value> {
    match eval_literal(&attr.expr) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(Diagnostic::error(e.summary, e.detail).at(Some(&attr.expr_range)));
            None
        }
    }
}

fn literal_string(attr: &Attribute, diags: &mut Diagnostics) -> Option<String> {
    match literal(attr, diags)? {
        Value::String(s) => Some(s),
        other => {
            diags.push(Diagnostic::error("Invalid value", format!("A string is required here, not {}.", other.type_name())).at(Some(&attr.expr_range)));
            None
        }
    }
}

fn literal_bool(attr: &Attribute, diags: &mut Diagnostics) -> bool {
    match literal(attr, diags) {
        Some(Value::Bool(b)) => b,
        Some(other) => {
            diags.push(Diagnostic::error("Invalid value", format!("A bool is required here, not {}.", other.type_name())).at(Some(&attr.expr_range)));
            false
        }
        None => false,
    }
}

fn check_attrs(body: &Body, allowed: &[&str], blocks: &[&str], diags: &mut Diagnostics) {
    for a in &body.attributes {
        if !allowed.contains(&a.name.as_str()) {
            diags.push(Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected here.", a.name)).at(Some(&a.range)));
        }
    }
    for b in &body.blocks {
        if b.kind == "action_trigger" {
            diags.push(
                Diagnostic::error(
                    "Block type not supported yet",
                    "skyform does not run Terraform actions yet, so \"action_trigger\" blocks are not supported.",
                )
                .at(Some(&b.range)),
            );
        } else if !blocks.contains(&b.kind.as_str()) {
            diags.push(Diagnostic::error("Unsupported block type", format!("Blocks of type \"{}\" are not expected here.", b.kind)).at(Some(&b.range)));
        }
    }
    // Ephemeral variables and outputs (kept out of state and plan files) are not implemented:
    // `ephemeral = true` is refused rather than quietly persisted.
    if let Some(a) =
        body.attribute("ephemeral").filter(|a| allowed.contains(&"ephemeral") && !matches!(a.expr, hcl::Expression::Bool(false) | hcl::Expression::Null))
    {
        diags.push(
            Diagnostic::error(
                "Ephemeral values not supported yet",
                "skyform does not implement ephemeral variables and outputs yet: their values would be written to the state and plan files. Remove `ephemeral = true`, or mark the value `sensitive = true`.",
            )
            .at(Some(&a.range)),
        );
    }
}

/// A `check` block: scoped `data` blocks and `assert` blocks.
fn decode_check(name: String, block: Block, diags: &mut Diagnostics) -> Option<Check> {
    check_attrs(&block.body, &[], &["data", "assert"], diags);
    let mut data = BTreeMap::new();
    for d in block.body.blocks.iter().filter(|b| b.kind == "data") {
        if d.labels.len() != 2 {
            diags.push(Diagnostic::error("Missing name for data source", "A data block needs two labels: the type and the name.").at(Some(&d.range)));
            continue;
        }
        if let Some(r) = decode_resource(ResourceMode::Data, d.clone(), diags) {
            if r.count.is_some() || r.for_each.is_some() || !r.depends_on.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "Invalid data source in a check block",
                        "A data source scoped to a check block cannot use count, for_each or depends_on.",
                    )
                    .at(Some(&r.range)),
                );
                continue;
            }
            data.insert(format!("{}.{}", r.type_name, r.name), r);
        }
    }
    let asserts = decode_conditions(&block.body, "assert", diags);
    if asserts.is_empty() {
        diags
            .push(Diagnostic::error("Missing assert block", format!("The check block \"{name}\" must have at least one assert block.")).at(Some(&block.range)));
        return None;
    }
    Some(Check { name, data, asserts, range: block.range })
}

/// The `precondition` or `postcondition` blocks of a body.
fn decode_conditions(body: &Body, kind: &str, diags: &mut Diagnostics) -> Vec<Condition> {
    let mut out = Vec::new();
    for c in body.blocks.iter().filter(|b| b.kind == kind) {
        check_attrs(&c.body, &["condition", "error_message"], &[], diags);
        let (Some(condition), Some(error_message)) = (c.body.attribute("condition"), c.body.attribute("error_message")) else {
            diags.push(Diagnostic::error("Missing required argument", format!("A {kind} block needs both condition and error_message.")).at(Some(&c.range)));
            continue;
        };
        out.push(Condition { condition: condition.clone(), error_message: error_message.clone(), range: c.range.clone() });
    }
    out
}

/// The Terraform version whose language skyform implements: `required_version` constraints are
/// checked against it, as Terraform checks them against its own version.
pub const TERRAFORM_LANGUAGE_VERSION: &str = "1.15.5";

/// Terraform's errors for a `required_version` that is not a constraint or that excludes the
/// language version skyform implements.
fn check_required_version(constraint: &str, at: &SourceRange, diags: &mut Diagnostics) {
    use crate::modules::version::{Constraints, Version};
    let Ok(c) = Constraints::parse(constraint) else {
        diags.push(Diagnostic::error("Invalid version constraint", "This string does not use correct version constraint syntax.").at(Some(at)));
        return;
    };
    let ours = Version::parse(TERRAFORM_LANGUAGE_VERSION).expect("a valid version");
    if !c.allows(&ours) {
        diags.push(
            Diagnostic::error(
                "Unsupported Terraform Core version",
                format!("This configuration does not support Terraform version {TERRAFORM_LANGUAGE_VERSION}, the language version skyform implements. To proceed, either update this version constraint or use Terraform. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior."),
            )
            .at(Some(at)),
        );
    }
}

pub(super) fn decode_terraform(m: &mut Module, block: &Block, diags: &mut Diagnostics) {
    if let Some(a) = block.body.attribute("required_version") {
        if let Some(s) = literal_string(a, diags) {
            check_required_version(&s, &a.expr_range, diags);
            m.required_version = Some((s, a.expr_range.clone()));
        }
    }
    // Nothing here is silently ignored: providers are compiled in (so `required_providers`
    // only names them); the backend's arguments are checked where the state is opened
    // (`state::backends`), and the cloud block is refused.
    if let Some(a) = block.body.attribute("experiments") {
        diags.push(
            Diagnostic::error(
                "Module uses experimental features",
                "Experimental features are intended only for gathering early feedback on new language designs, and so are available only in alpha releases of Terraform; skyform implements none.",
            )
            .at(Some(&a.range)),
        );
    }
    check_attrs(&block.body, &["required_version", "experiments"], &["required_providers", "backend", "cloud", "provider_meta", "encryption"], diags);
    for b in &block.body.blocks {
        match b.kind.as_str() {
            "backend" => {
                if let Some(prev) = &m.backend {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate backend configuration",
                            format!("A module may have only one backend configuration. The backend was previously configured at {}.", prev.range),
                        )
                        .at(Some(&b.range)),
                    );
                    continue;
                }
                let mut args = BTreeMap::new();
                for a in &b.body.attributes {
                    if let Some(v) = literal(a, diags) {
                        args.insert(a.name.clone(), (v, a.range.clone()));
                    }
                }
                for nested in &b.body.blocks {
                    let fields: Vec<(String, Value)> = nested.body.attributes.iter().filter_map(|a| Some((a.name.clone(), literal(a, diags)?))).collect();
                    args.insert(nested.kind.clone(), (Value::object(fields), nested.range.clone()));
                }
                let block = BackendBlock { kind: b.labels.first().cloned().unwrap_or_default(), args, range: b.range.clone() };
                // The type and argument names, at once (values may still come from `init
                // -backend-config`, so missing ones are reported where the state is opened).
                diags.extend(crate::state::backends::check_names(&block));
                m.backend = Some(block);
            }
            "encryption" => {
                if let Some(prev) = &m.encryption {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate encryption configuration",
                            format!("A module may have only one encryption block. It was previously configured at {}.", prev.range),
                        )
                        .at(Some(&b.range)),
                    );
                    continue;
                }
                if let Err(d) = crate::state::encryption::Encryption::from_env(Some(b)) {
                    diags.extend(d);
                }
                m.encryption = Some(b.clone());
            }
            "cloud" => diags.push(
                Diagnostic::error(
                    "Cloud block not supported",
                    "skyform does not support HCP Terraform (the \"cloud\" block); use a backend block (pg, s3 or local) for shared state.",
                )
                .at(Some(&b.range)),
            ),
            "provider_meta" => diags.push(
                Diagnostic::warning("provider_meta ignored", "provider_meta sends module metadata to providers; skyform's compiled-in drivers take none.")
                    .at(Some(&b.range)),
            ),
            _ => {}
        }
    }
}

fn decode_variable(name: &str, block: &Block, diags: &mut Diagnostics) -> Option<Variable> {
    let b = &block.body;
    check_attrs(b, &["type", "default", "description", "sensitive", "nullable", "ephemeral"], &["validation"], diags);
    let ty = match b.attribute("type") {
        Some(a) => match Type::from_expr(&a.expr) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error("Invalid type specification", e).at(Some(&a.expr_range)));
                Type::Any
            }
        },
        None => Type::Any,
    };
    let default = match b.attribute("default") {
        Some(a) => {
            let v = literal(a, diags)?;
            match crate::eval::types::convert(v, &ty) {
                Ok(v) => Some(v),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            "Invalid default value for variable",
                            format!("This default value is not compatible with the variable's type constraint: {e}."),
                        )
                        .at(Some(&a.expr_range)),
                    );
                    None
                }
            }
        }
        None => None,
    };
    let mut validations = Vec::new();
    for v in b.blocks_of("validation") {
        let cond = v.body.attribute("condition").cloned();
        let msg = v.body.attribute("error_message").cloned();
        match (cond, msg) {
            (Some(condition), Some(error_message)) => validations.push(Validation { condition, error_message }),
            _ => diags
                .push(Diagnostic::error("Invalid validation block", "A validation block needs both \"condition\" and \"error_message\".").at(Some(&v.range))),
        }
    }
    Some(Variable {
        name: name.to_string(),
        ty,
        type_given: b.attribute("type").is_some(),
        default,
        description: b.attribute("description").and_then(|a| literal_string(a, diags)).unwrap_or_default(),
        sensitive: b.attribute("sensitive").map(|a| literal_bool(a, diags)).unwrap_or(false),
        nullable: b.attribute("nullable").map(|a| literal_bool(a, diags)).unwrap_or(true),
        validations,
        range: block.range.clone(),
    })
}

fn decode_output(name: &str, block: Block, diags: &mut Diagnostics) -> Option<Output> {
    let b = &block.body;
    check_attrs(b, &["value", "description", "sensitive", "depends_on", "ephemeral"], &["precondition"], diags);
    let preconditions = decode_conditions(b, "precondition", diags);
    let Some(value) = b.attribute("value").cloned() else {
        diags.push(Diagnostic::error("Missing required argument", "The argument \"value\" is required, but no definition was found.").at(Some(&block.range)));
        return None;
    };
    Some(Output {
        name: name.to_string(),
        value,
        description: b.attribute("description").and_then(|a| literal_string(a, diags)).unwrap_or_default(),
        sensitive: b.attribute("sensitive").map(|a| literal_bool(a, diags)).unwrap_or(false),
        depends_on: b.attribute("depends_on").map(|a| reference_list(a, diags)).unwrap_or_default(),
        preconditions,
        range: block.range.clone(),
    })
}

/// Renders a static reference expression (`aws_vpc.main`, `aws.west`) as text.
/// `import { to = aws_s3_bucket.b, id = "name" }`.
fn decode_import(block: &Block, depth: usize) -> Result<ImportBlock, Diagnostic> {
    if depth > 0 {
        return Err(Diagnostic::error("Invalid import configuration", "An import block is only allowed in the root module.").at(Some(&block.range)));
    }
    let missing = |name: &str| {
        Diagnostic::error("Missing required argument", format!("The argument \"{name}\" is required, but no definition was found.")).at(Some(&block.range))
    };
    let to_attr = block.body.attribute("to").ok_or_else(|| missing("to"))?;
    let id = block.body.attribute("id").ok_or_else(|| missing("id"))?;
    if let Some(a) = block.body.attributes.iter().find(|a| !["to", "id", "for_each", "provider"].contains(&a.name.as_str())) {
        return Err(
            Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected in an import block.", a.name)).at(Some(&a.range))
        );
    }
    if let Some(b) = block.body.blocks.first() {
        return Err(
            Diagnostic::error("Unsupported block type", format!("Blocks of type \"{}\" are not expected in an import block.", b.kind)).at(Some(&b.range))
        );
    }
    if let Some(p) = block.body.attribute("provider") {
        return Err(Diagnostic::error(
            "Argument not supported yet",
            "skyform does not take \"provider\" in import blocks yet: the target resource's own provider configuration is used; remove the argument.",
        )
        .at(Some(&p.range)));
    }
    if let Some(fe) = block.body.attribute("for_each") {
        let to = static_address(&to_attr.expr).ok_or_else(|| {
            Diagnostic::error("Invalid import address", "The \"to\" argument must be a resource instance address, like aws_s3_bucket.b[each.key].")
                .at(Some(&to_attr.expr_range))
        })?;
        crate::addr::ResourceInstanceAddr::parse(&to).map_err(|e| Diagnostic::error("Invalid import address", e.to_string()).at(Some(&to_attr.expr_range)))?;
        return Ok(ImportBlock { to, to_expr: to_attr.expr.clone(), for_each: Some(fe.clone()), id: id.clone(), range: block.range.clone() });
    }
    let to = traversal_text(&to_attr.expr).or_else(|| import_address_with_key(&to_attr.expr)).ok_or_else(|| {
        Diagnostic::error(
            "Invalid import address",
            "The \"to\" argument must be a resource instance address, like aws_s3_bucket.site or aws_s3_object.file[\"index.html\"].",
        )
        .at(Some(&to_attr.expr_range))
    })?;
    crate::addr::ResourceInstanceAddr::parse(&to).map_err(|e| Diagnostic::error("Invalid import address", e.to_string()).at(Some(&to_attr.expr_range)))?;
    Ok(ImportBlock { to, to_expr: to_attr.expr.clone(), for_each: None, id: id.clone(), range: block.range.clone() })
}

/// A traversal's text without its index steps: `module.a[each.key].t.n[each.key]` ->
/// `module.a.t.n`.
fn static_address(expr: &hcl::Expression) -> Option<String> {
    use hcl::expr::TraversalOperator;
    let hcl::Expression::Traversal(t) = expr else { return None };
    let hcl::Expression::Variable(v) = &t.expr else { return None };
    let mut s = v.as_str().to_string();
    for op in &t.operators {
        match op {
            TraversalOperator::GetAttr(id) => {
                s.push('.');
                s.push_str(id.as_str());
            }
            TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => {}
            _ => return None,
        }
    }
    Some(s)
}

/// A module call's `providers = { aws = aws.west, aws.dst = aws.east }`: the child's
/// configuration key -> the parent's, each with where it is written.
fn provider_map(a: &Attribute, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let hcl::Expression::Object(obj) = &a.expr else {
        diags.push(
            Diagnostic::error("Invalid providers argument", "A map of provider configurations is expected, such as { aws = aws.west }.")
                .at(Some(&a.expr_range)),
        );
        return out;
    };
    for (k, v) in obj {
        let key = match k {
            hcl::expr::ObjectKey::Identifier(id) => Some(id.as_str().to_string()),
            hcl::expr::ObjectKey::Expression(e) => traversal_text(e),
            _ => None,
        };
        match (key, traversal_text(v)) {
            (Some(k), Some(v)) if k.split('.').count() <= 2 && v.split('.').count() <= 2 => {
                out.insert(k, v);
            }
            _ => diags.push(
                Diagnostic::error("Invalid providers argument", "Each entry must name provider configurations, such as aws = aws.west or aws.dst = aws.east.")
                    .at(Some(&a.expr_range)),
            ),
        }
    }
    out
}

/// Rewrites the provider keys of a called module's resources (its nested modules' included,
/// already in its key space) into the caller's: those the call passes in `providers`, the
/// default configurations inherited implicitly (as in Terraform). An aliased configuration
/// the call does not pass is an error at the resource.
fn pass_providers(m: &mut Module, map: &BTreeMap<String, String>, call: &str, call_range: &SourceRange, diags: &mut Diagnostics) {
    for r in m.resources.values_mut() {
        if let Some(to) = map.get(&r.provider) {
            r.provider = to.clone();
        } else if r.provider.contains('.') {
            diags.push(
                Diagnostic::error(
                    "Provider configuration not present",
                    format!(
                        "{} uses the provider configuration {}, which module \"{call}\" (called at {}:{}) does not pass: add it to the call's providers argument, such as providers = {{ {} = {} }}.",
                        r.local_addr(),
                        r.provider,
                        call_range.file,
                        call_range.line,
                        r.provider,
                        r.provider
                    ),
                )
                .at(Some(&r.range)),
            );
        }
    }
    for c in m.module_calls.values_mut() {
        pass_providers(&mut c.module, map, call, call_range, diags);
    }
}

/// The address in a `moved` or `removed` block's argument `name`.
fn object_address(block: &Block, name: &str, diags: &mut Diagnostics) -> Option<crate::addr::ObjectAddr> {
    let Some(a) = block.body.attribute(name) else {
        diags.push(
            Diagnostic::error("Missing required argument", format!("The argument \"{name}\" is required, but no definition was found.")).at(Some(&block.range)),
        );
        return None;
    };
    let parsed = traversal_text(&a.expr).map(|t| crate::addr::ObjectAddr::parse(&t));
    match parsed {
        Some(Ok(addr)) => Some(addr),
        Some(Err(e)) => {
            diags.push(Diagnostic::error("Invalid address", e.to_string()).at(Some(&a.expr_range)));
            None
        }
        None => {
            diags.push(
                Diagnostic::error("Invalid address", "A resource or module address is expected here, such as aws_s3_bucket.b or module.app[\"eu\"].")
                    .at(Some(&a.expr_range)),
            );
            None
        }
    }
}

/// Rejects arguments and blocks a refactoring block does not have.
fn only(block: &Block, attrs: &[&str], blocks: &[&str], diags: &mut Diagnostics) {
    for a in block.body.attributes.iter().filter(|a| !attrs.contains(&a.name.as_str())) {
        diags.push(Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected here.", a.name)).at(Some(&a.range)));
    }
    for b in block.body.blocks.iter().filter(|b| !blocks.contains(&b.kind.as_str())) {
        let detail = match b.kind.as_str() {
            "provisioner" | "connection" => format!("skyform does not run provisioners yet (\"{}\" block in a {} block).", b.kind, block.kind),
            _ => format!("Blocks of type \"{}\" are not expected here.", b.kind),
        };
        diags.push(Diagnostic::error("Unsupported block type", detail).at(Some(&b.range)));
    }
}

fn decode_moved(block: &Block, diags: &mut Diagnostics) -> Option<MovedBlock> {
    only(block, &["from", "to"], &[], diags);
    let (from, to) = (object_address(block, "from", diags), object_address(block, "to", diags));
    let (from, to) = (from?, to?);
    if matches!(from, crate::addr::ObjectAddr::Module(_)) != matches!(to, crate::addr::ObjectAddr::Module(_)) {
        diags.push(
            Diagnostic::error("Invalid \"moved\" addresses", "The \"from\" and \"to\" addresses must either both refer to resources or both refer to modules.")
                .at(Some(&block.range)),
        );
        return None;
    }
    if let (crate::addr::ObjectAddr::Resource(f), crate::addr::ObjectAddr::Resource(t)) = (&from, &to) {
        if f.resource.mode == ResourceMode::Data || t.resource.mode == ResourceMode::Data {
            diags.push(
                Diagnostic::error("Invalid \"moved\" addresses", "Data sources cannot be moved: they are read again on every plan.").at(Some(&block.range)),
            );
            return None;
        }
    }
    Some(MovedBlock { from, to, range: block.range.clone() })
}

fn decode_removed(block: &Block, diags: &mut Diagnostics) -> Option<RemovedBlock> {
    only(block, &["from"], &["lifecycle"], diags);
    let mut destroy = true;
    if let Some(l) = block.body.blocks_of("lifecycle").next() {
        for a in &l.body.attributes {
            match a.name.as_str() {
                "destroy" => destroy = literal_bool(a, diags),
                other => diags.push(
                    Diagnostic::error("Unsupported argument", format!("An argument named \"{other}\" is not expected in a removed block's lifecycle."))
                        .at(Some(&a.range)),
                ),
            }
        }
        for b in &l.body.blocks {
            diags.push(Diagnostic::error("Unsupported block type", format!("Blocks of type \"{}\" are not expected here.", b.kind)).at(Some(&b.range)));
        }
    }
    let from = object_address(block, "from", diags)?;
    let keyed = match &from {
        crate::addr::ObjectAddr::Module(m) => !m.is_static(),
        crate::addr::ObjectAddr::Resource(r) => r.key.is_some() || !r.resource.module.is_static() || r.resource.mode == ResourceMode::Data,
    };
    if keyed {
        diags.push(
            Diagnostic::error(
                "Invalid \"removed\" address",
                "The \"from\" address of a removed block must be a managed resource or a module call, without instance keys: all its instances leave the configuration.",
            )
            .at(Some(&block.range)),
        );
        return None;
    }
    Some(RemovedBlock { from, destroy, range: block.range.clone() })
}

/// `type.name[0]` or `type.name["key"]`: a traversal with one literal index.
fn import_address_with_key(expr: &hcl::Expression) -> Option<String> {
    use hcl::expr::TraversalOperator;
    let hcl::Expression::Traversal(t) = expr else { return None };
    let (last, rest) = t.operators.split_last()?;
    let base = traversal_text(&hcl::Expression::Traversal(Box::new(hcl::expr::Traversal::new(t.expr.clone(), rest.to_vec()))))?;
    match last {
        TraversalOperator::Index(hcl::Expression::Number(n)) => Some(format!("{base}[{n}]")),
        TraversalOperator::Index(hcl::Expression::String(s)) => Some(format!("{base}[{}]", serde_json::Value::String(s.clone()))),
        _ => None,
    }
}

pub fn traversal_text(expr: &hcl::Expression) -> Option<String> {
    use hcl::expr::TraversalOperator;
    match expr {
        hcl::Expression::Variable(v) => Some(v.as_str().to_string()),
        hcl::Expression::Traversal(t) => {
            let mut s = traversal_text(&t.expr)?;
            for op in &t.operators {
                match op {
                    TraversalOperator::GetAttr(id) => {
                        s.push('.');
                        s.push_str(id.as_str());
                    }
                    TraversalOperator::Index(hcl::Expression::Number(n)) => s.push_str(&format!("[{n}]")),
                    TraversalOperator::Index(hcl::Expression::String(k)) => s.push_str(&format!("[{k:?}]")),
                    TraversalOperator::LegacyIndex(n) => s.push_str(&format!("[{n}]")),
                    _ => return None,
                }
            }
            Some(s)
        }
        _ => None,
    }
}

fn reference_list(attr: &Attribute, diags: &mut Diagnostics) -> Vec<(String, SourceRange)> {
    let hcl::Expression::Array(items) = &attr.expr else {
        diags.push(Diagnostic::error("Invalid depends_on", "The depends_on argument must be a list of references.").at(Some(&attr.expr_range)));
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match traversal_text(item) {
            Some(s) => out.push((s, attr.expr_range.clone())),
            None => {
                diags.push(Diagnostic::error("Invalid reference", "A static reference to a resource or module is required here.").at(Some(&attr.expr_range)))
            }
        }
    }
    out
}

/// A `provisioner "local-exec"` block: its arguments checked, `when` and `on_failure` read.
fn decode_local_exec(block: &Block, diags: &mut Diagnostics) -> Option<Provisioner> {
    let mut ok = true;
    for a in &block.body.attributes {
        if !["command", "working_dir", "interpreter", "environment", "quiet", "when", "on_failure"].contains(&a.name.as_str()) {
            diags.push(
                Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected in a local-exec provisioner.", a.name))
                    .at(Some(&a.range)),
            );
            ok = false;
        }
    }
    if let Some(b) = block.body.blocks.first() {
        let detail = if b.kind == "connection" {
            "skyform does not run remote provisioners, so \"connection\" blocks are not supported yet.".to_string()
        } else {
            format!("Blocks of type \"{}\" are not expected in a provisioner.", b.kind)
        };
        diags.push(Diagnostic::error("Unsupported block type", detail).at(Some(&b.range)));
        ok = false;
    }
    if block.body.attribute("command").is_none() {
        diags.push(Diagnostic::error("Missing required argument", "The argument \"command\" is required, but no definition was found.").at(Some(&block.range)));
        ok = false;
    }
    let keyword = |name: &str, allowed: &[&str], diags: &mut Diagnostics| -> Option<String> {
        let a = block.body.attribute(name)?;
        match traversal_text(&a.expr).filter(|k| allowed.contains(&k.as_str())) {
            Some(k) => Some(k),
            None => {
                diags.push(
                    Diagnostic::error(format!("Invalid {name} keyword"), format!("The \"{name}\" argument must be one of: {}.", allowed.join(", ")))
                        .at(Some(&a.expr_range)),
                );
                None
            }
        }
    };
    let when_destroy = keyword("when", &["create", "destroy"], diags).is_some_and(|k| k == "destroy");
    let continue_on_failure = keyword("on_failure", &["continue", "fail"], diags).is_some_and(|k| k == "continue");
    ok.then(|| Provisioner { kind: "local-exec".into(), body: block.body.clone(), when_destroy, continue_on_failure, range: block.range.clone() })
}

fn decode_lifecycle(block: &Block, diags: &mut Diagnostics) -> Lifecycle {
    let b = &block.body;
    check_attrs(b, &["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"], &["precondition", "postcondition"], diags);
    let mut lc = Lifecycle {
        create_before_destroy: b.attribute("create_before_destroy").map(|a| literal_bool(a, diags)).unwrap_or(false),
        prevent_destroy: b.attribute("prevent_destroy").map(|a| literal_bool(a, diags)).unwrap_or(false),
        preconditions: decode_conditions(b, "precondition", diags),
        postconditions: decode_conditions(b, "postcondition", diags),
        ..Lifecycle::default()
    };
    if let Some(a) = b.attribute("ignore_changes") {
        lc.ignore_changes = match &a.expr {
            hcl::Expression::Variable(v) if v.as_str() == "all" => IgnoreChanges::All,
            hcl::Expression::Array(items) => IgnoreChanges::Paths(items.iter().filter_map(|e| attr_path(e, a, diags)).collect()),
            _ => {
                diags.push(Diagnostic::error("Invalid ignore_changes", "Expected `all` or a list of attribute names.").at(Some(&a.expr_range)));
                IgnoreChanges::None
            }
        };
    }
    if let Some(a) = b.attribute("replace_triggered_by") {
        match &a.expr {
            hcl::Expression::Array(items) => {
                for e in items {
                    lc.replace_triggered_by.push(Attribute { expr: e.clone(), ..a.clone() });
                }
            }
            _ => diags.push(Diagnostic::error("Invalid replace_triggered_by", "A list of resource references is required.").at(Some(&a.expr_range))),
        }
    }
    lc
}

fn attr_path(expr: &hcl::Expression, attr: &Attribute, diags: &mut Diagnostics) -> Option<AttrPath> {
    use hcl::expr::TraversalOperator;
    let fail = |diags: &mut Diagnostics| {
        diags.push(Diagnostic::error("Invalid ignore_changes", "Each item must be an attribute name, e.g. tags or tags[\"Name\"].").at(Some(&attr.expr_range)));
        None
    };
    match expr {
        hcl::Expression::Variable(v) => Some(vec![PathStep::Key(v.as_str().to_string())]),
        hcl::Expression::String(s) => Some(vec![PathStep::Key(s.clone())]),
        hcl::Expression::Traversal(t) => {
            let mut path = attr_path(&t.expr, attr, diags)?;
            for op in &t.operators {
                match op {
                    TraversalOperator::GetAttr(id) => path.push(PathStep::Key(id.as_str().to_string())),
                    TraversalOperator::Index(hcl::Expression::String(k)) => path.push(PathStep::Key(k.clone())),
                    TraversalOperator::Index(hcl::Expression::Number(n)) => path.push(PathStep::Index(n.as_u64().unwrap_or(0))),
                    TraversalOperator::LegacyIndex(n) => path.push(PathStep::Index(*n)),
                    _ => return fail(diags),
                }
            }
            Some(path)
        }
        _ => fail(diags),
    }
}

fn decode_resource(mode: ResourceMode, block: Block, diags: &mut Diagnostics) -> Option<Resource> {
    let b = &block.body;
    let count = b.attribute("count").cloned();
    let for_each = b.attribute("for_each").cloned();
    if let (Some(_), Some(fe)) = (&count, &for_each) {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            )
            .at(Some(&fe.range)),
        );
    }
    let type_name = block.labels[0].clone();
    let provider = match b.attribute("provider") {
        Some(a) => match traversal_text(&a.expr) {
            Some(s) => s,
            None => {
                diags.push(Diagnostic::error("Invalid provider reference", "Expected a provider reference such as aws.west.").at(Some(&a.expr_range)));
                return None;
            }
        },
        None => crate::schema::provider_for_type(&type_name).to_string(),
    };
    let lifecycle = b.blocks_of("lifecycle").next().map(|l| decode_lifecycle(l, diags)).unwrap_or_default();
    let mut provisioners = Vec::new();
    for p in b.blocks.iter().filter(|x| x.kind == "provisioner" || x.kind == "connection") {
        match (p.kind.as_str(), p.labels.first().map(String::as_str)) {
            ("provisioner", Some("local-exec")) => provisioners.extend(decode_local_exec(p, diags)),
            ("provisioner", other) => diags.push(
                Diagnostic::error(
                    "Provisioner not supported yet",
                    format!(
                        "skyform runs only \"local-exec\" provisioners; \"{}\" would not run, so the configuration is refused rather than applied without it.",
                        other.unwrap_or("")
                    ),
                )
                .at(Some(&p.range)),
            ),
            _ => diags.push(
                Diagnostic::error("Block type not supported yet", "skyform does not run remote provisioners, so \"connection\" blocks are not supported yet.")
                    .at(Some(&p.range)),
            ),
        }
    }
    let depends_on = b.attribute("depends_on").map(|a| reference_list(a, diags)).unwrap_or_default();
    Some(Resource {
        mode,
        name: block.labels[1].clone(),
        type_name,
        count,
        for_each,
        depends_on,
        provider,
        lifecycle,
        provisioners,
        range: block.range,
        body: block.body,
    })
}

#[allow(clippy::too_many_arguments)]
fn decode_module_call(
    at: &Loader<'_>,
    parent_key: &str,
    parent: &Module,
    name: &str,
    block: Block,
    sources: &mut Sources,
    diags: &mut Diagnostics,
    depth: usize,
) -> Option<ModuleCall> {
    let b = &block.body;
    let Some(src_attr) = b.attribute("source") else {
        diags.push(Diagnostic::error("Missing required argument", "The argument \"source\" is required, but no definition was found.").at(Some(&block.range)));
        return None;
    };
    let source = literal_string(src_attr, diags)?;
    let version = match b.attribute("version") {
        Some(a) => Some(literal_string(a, diags)?),
        None => None,
    };
    let providers = b.attribute("providers").map(|a| provider_map(a, diags)).unwrap_or_default();
    let count = b.attribute("count").cloned();
    let for_each = b.attribute("for_each").cloned();
    if let (Some(_), Some(fe)) = (&count, &for_each) {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            )
            .at(Some(&fe.range)),
        );
    }
    let key = if parent_key.is_empty() { name.to_string() } else { format!("{parent_key}.{name}") };
    let dir = match at.installer.resolve(&key, &source, version.as_deref(), &parent.dir) {
        Ok(d) => d,
        Err(e) => {
            diags.push(Diagnostic::error("Failed to install module", format!("Module \"{key}\" (source \"{source}\"): {e}.")).at(Some(&src_attr.expr_range)));
            return None;
        }
    };
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error("Module not found", format!("Module \"{key}\" (source \"{source}\"): the module directory {} does not exist.", dir.display()))
                .at(Some(&src_attr.expr_range)),
        );
        return None;
    }
    if depth > 32 {
        diags.push(Diagnostic::error("Module nesting too deep", "Modules are nested more than 32 levels; is a module calling itself?").at(Some(&block.range)));
        return None;
    }
    let mut module = load_module(at, &key, &dir, sources, diags, depth + 1);
    pass_providers(&mut module, &providers, name, &block.range, diags);
    let depends_on = b.attribute("depends_on").map(|a| reference_list(a, diags)).unwrap_or_default();
    let mut inputs = block.body.clone();
    inputs.attributes.retain(|a| !MODULE_META.contains(&a.name.as_str()));
    for a in &inputs.attributes {
        if !module.variables.contains_key(&a.name) {
            diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!("An argument named \"{}\" is not expected here: module \"{name}\" declares no such variable.", a.name),
                )
                .at(Some(&a.range)),
            );
        }
    }
    for (vname, v) in &module.variables {
        if v.default.is_none() && inputs.attribute(vname).is_none() {
            diags.push(
                Diagnostic::error("Missing required argument", format!("The argument \"{vname}\" is required, but no definition was found."))
                    .at(Some(&block.range)),
            );
        }
    }
    Some(ModuleCall { name: name.to_string(), source, inputs, depends_on, count, for_each, module: Box::new(module), range: block.range })
}
