//! Input variable values from outside the configuration, with Terraform's precedence (later
//! wins): `TF_VAR_name` environment variables, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` / `*.auto.tfvars.json` in lexical order, then `-var` and `-var-file` in
//! command-line order.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::model::{Module, Variable};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::eval_literal;
use crate::eval::types::Type;
use crate::syntax::parse_file;
use crate::value::Value;

/// A `-var` or `-var-file` argument, in command-line order.
#[derive(Clone, Debug, PartialEq)]
pub enum VarArg {
    /// `-var NAME=VALUE`
    Var(String),
    /// `-var-file FILE`
    File(String),
}

/// A value given for a root module variable, before type conversion.
#[derive(Clone, Debug)]
pub struct RawVar {
    pub value: Value,
    /// Where it came from, for messages (`-var`, `terraform.tfvars:3:1`, `TF_VAR_x`).
    pub origin: String,
}

/// Gathers the raw values for the root module's variables. Unknown names in files are warnings
/// (as in Terraform); an unknown `-var` name is an error.
pub fn collect_input_variables(
    root: &Module,
    dir: &Path,
    args: &[VarArg],
    env: &[(String, String)],
) -> Result<(BTreeMap<String, RawVar>, Diagnostics), Diagnostics> {
    let mut out = BTreeMap::new();
    let mut diags = Diagnostics::new();
    for (k, v) in env {
        if let Some(name) = k.strip_prefix("TF_VAR_") {
            if let Some(decl) = root.variables.get(name) {
                match parse_cli_value(v, decl) {
                    Ok(value) => {
                        out.insert(name.to_string(), RawVar { value, origin: k.clone() });
                    }
                    Err(e) => diags.push(Diagnostic::error("Invalid value for variable", format!("{k}: {e}"))),
                }
            }
        }
    }
    let mut auto: Vec<_> = std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    auto.retain(|p: &std::path::PathBuf| {
        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
    });
    auto.sort();
    let mut files = vec![dir.join("terraform.tfvars"), dir.join("terraform.tfvars.json")];
    files.retain(|p| p.is_file());
    files.extend(auto);
    for f in files {
        load_var_file(root, &f, dir, false, &mut out, &mut diags);
    }
    for a in args {
        match a {
            VarArg::Var(s) => {
                let Some((name, raw)) = s.split_once('=') else {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option {s:?} is not correctly specified. It must be NAME=VALUE."),
                    ));
                    continue;
                };
                let Some(decl) = root.variables.get(name) else {
                    diags.push(Diagnostic::error(
                        "Value for undeclared variable",
                        format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."),
                    ));
                    continue;
                };
                match parse_cli_value(raw, decl) {
                    Ok(value) => {
                        out.insert(name.to_string(), RawVar { value, origin: "-var".into() });
                    }
                    Err(e) => diags.push(Diagnostic::error("Invalid value for variable", format!("-var {name}: {e}"))),
                }
            }
            VarArg::File(f) => {
                let p = dir.join(f);
                if !p.is_file() {
                    diags.push(Diagnostic::error("Failed to read variables file", format!("Given variables file {f} does not exist.")));
                    continue;
                }
                load_var_file(root, &p, dir, true, &mut out, &mut diags);
            }
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((out, diags))
    }
}

/// Terraform's rule (its variable parsing mode): a variable with no `type`, or with a primitive
/// one (`string`, `number`, `bool`), takes the raw text, which the type conversion then turns
/// into a number or bool; any other type, `any` included, parses the text as an HCL expression.
fn parse_cli_value(raw: &str, decl: &Variable) -> Result<Value, String> {
    if !decl.type_given || matches!(decl.ty, Type::String | Type::Number | Type::Bool) {
        return Ok(Value::String(raw.to_string()));
    }
    match hcl::parse(&format!("v = {raw}")) {
        Ok(body) => match body.attributes().next() {
            Some(attr) => eval_literal(attr.expr()).map_err(|e| e.detail),
            None => Err("the value is not an expression".into()),
        },
        Err(e) => Err(format!("the value is not valid HCL: {e}")),
    }
}

fn load_var_file(root: &Module, path: &Path, dir: &Path, explicit: bool, out: &mut BTreeMap<String, RawVar>, diags: &mut Diagnostics) {
    let name = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().into_owned();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error("Failed to read variables file", format!("Could not read {name}: {e}.")));
            return;
        }
    };
    if name.ends_with(".json") {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => {
                for (k, v) in m {
                    assign(root, out, diags, &k, Value::from_json(&v), name.to_string(), explicit);
                }
            }
            _ => diags.push(Diagnostic::error("Invalid variables file", format!("{name} must hold a JSON object."))),
        }
        return;
    }
    match parse_file(&name, &text) {
        Ok(body) => {
            for b in &body.blocks {
                diags.push(Diagnostic::error("Unexpected block", "Blocks are not allowed in a variables file.").at(Some(&b.range)));
            }
            for a in &body.attributes {
                match eval_literal(&a.expr) {
                    Ok(v) => assign(root, out, diags, &a.name, v, a.range.to_string(), explicit),
                    Err(e) => diags.push(Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range))),
                }
            }
        }
        Err(d) => diags.push(d),
    }
}

fn assign(root: &Module, out: &mut BTreeMap<String, RawVar>, diags: &mut Diagnostics, name: &str, value: Value, origin: String, explicit: bool) {
    if !root.variables.contains_key(name) {
        let msg = format!("The variables file {origin} assigns a value to \"{name}\", but the root module does not declare a variable of that name.");
        diags.push(if explicit { Diagnostic::error("Value for undeclared variable", msg) } else { Diagnostic::warning("Value for undeclared variable", msg) });
        return;
    }
    out.insert(name.to_string(), RawVar { value, origin });
}
