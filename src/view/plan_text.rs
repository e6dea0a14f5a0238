//! The human plan, in Terraform's shape: a legend, one block per changed resource instance
//! with attribute-level differences (`+`, `~`, `-`, `-/+`, `(known after apply)`,
//! `# forces replacement`, hidden unchanged attributes), the `Plan:` summary and output changes.

use std::collections::BTreeMap;

use super::values::{attr_key, key, render, render_signed};
use super::Colors;
use crate::plan::{Action, ActionReason, OutputChange, Plan, ResourceChange};
use crate::schema::{BlockSchema, SchemaSource};
use crate::value::{AttrPath, PathStep, Value};

/// Renders a whole plan; `schemas` tells which values are nested blocks.
pub fn render_plan(plan: &Plan, schemas: &dyn SchemaSource, c: Colors) -> String {
    let changed: Vec<&ResourceChange> =
        plan.changes.iter().filter(|rc| rc.action != Action::NoOp || rc.importing.is_some() || rc.previous_address.is_some()).collect();
    let outputs: Vec<&OutputChange> = plan.outputs.iter().filter(|o| o.action != Action::NoOp).collect();
    let mut out = String::new();
    if changed.is_empty() && outputs.is_empty() {
        out.push_str(&format!(
            "\n{}\n\nskyform has compared your real infrastructure against your configuration and found no differences, so no changes are needed.\n",
            c.bold("No changes. Your infrastructure matches the configuration.")
        ));
        return out;
    }
    if !changed.is_empty() {
        out.push_str(
            "\nskyform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:\n",
        );
        for (action, text) in [
            (Action::Create, "create"),
            (Action::Update, "update in-place"),
            (Action::Delete, "destroy"),
            (Action::DeleteThenCreate, "destroy and then create replacement"),
            (Action::CreateThenDelete, "create replacement and then destroy"),
            (Action::Read, "read (data resources)"),
        ] {
            if changed.iter().any(|rc| rc.action == action) {
                out.push_str(&format!("{} {text}\n", symbol(action, c)));
            }
        }
        out.push_str("\nskyform will perform the following actions:\n\n");
        for rc in &changed {
            out.push_str(&render_change(rc, schemas, c));
            out.push('\n');
        }
    }
    let s = plan.summary();
    let imports = if s.import > 0 { format!("{} to import, ", s.import) } else { String::new() };
    out.push_str(&format!("{} {imports}{} to add, {} to change, {} to destroy.\n", c.bold("Plan:"), s.add, s.change, s.destroy));
    if !outputs.is_empty() {
        out.push_str(&render_output_changes(&outputs, c));
    }
    let forgotten: Vec<&str> = changed
        .iter()
        .filter(|rc| rc.action == Action::Forget && rc.reason != Some(ActionReason::ForgetBecauseDeletedOutside))
        .map(|rc| rc.address.as_str())
        .collect();
    if !forgotten.is_empty() {
        out.push_str(&format!(
            "\n{} Some objects will no longer be managed by skyform\n\nIf you apply this plan, skyform will discard its tracking information for the following objects, but it will not delete them:\n{}\n\nAfter applying this plan, skyform will no longer manage these objects. You will need to import them into skyform to manage them again.\n",
            c.bold("Warning:"),
            forgotten.iter().map(|a| format!(" - {a}")).collect::<Vec<_>>().join("\n")
        ));
    }
    out
}

/// The "Changes to Outputs" section alone (empty when no output changes).
pub fn render_output_text(plan: &Plan, c: Colors) -> String {
    let outputs: Vec<&OutputChange> = plan.outputs.iter().filter(|o| o.action != Action::NoOp).collect();
    if outputs.is_empty() {
        return String::new();
    }
    render_output_changes(&outputs, c)
}

/// Why a resource is replaced, deleted or re-created, in a few words (for summaries).
pub fn change_reason(rc: &ResourceChange) -> Option<String> {
    let attr_list = || {
        let names: Vec<String> = rc.requires_replace.iter().map(|p| format!("`{}`", crate::value::path_to_string(p))).collect();
        match names.len() {
            0 => "a change forces replacement".to_string(),
            1 => format!("{} forces replacement", names[0]),
            _ => format!("{} force replacement", names.join(", ")),
        }
    };
    Some(match &rc.reason {
        Some(ActionReason::ReplaceBecauseCannotUpdate) => attr_list(),
        Some(ActionReason::ReplaceByRequest) => "replacement requested with `-replace`".into(),
        Some(ActionReason::ReplaceBecauseTainted) => "tainted (a provisioner failed, or `taint`)".into(),
        Some(ActionReason::ReplaceByTriggers) => "`replace_triggered_by` changed".into(),
        Some(ActionReason::DeleteBecauseNoResourceConfig) => "no longer in the configuration".into(),
        Some(ActionReason::DeleteBecauseCountIndex) => "index out of range for `count`".into(),
        Some(ActionReason::DeleteBecauseEachKey) => "key no longer in `for_each`".into(),
        Some(ActionReason::DeleteBecauseNoModule) => "its module instance is no longer in the configuration".into(),
        Some(ActionReason::DeleteBecauseWrongRepetition) => "the resource switched between count, for_each and neither".into(),
        Some(ActionReason::CreateBecauseDeletedOutside | ActionReason::ForgetBecauseDeletedOutside) => "deleted outside skyform".into(),
        Some(ActionReason::ReadBecauseConfigUnknown) => "its configuration is not known yet".into(),
        Some(ActionReason::ReadBecauseDependencyPending) => "a resource it depends on has changes pending".into(),
        None if rc.action.is_replace() => attr_list(),
        None => return None,
    })
}

fn symbol(action: Action, c: Colors) -> String {
    let s = format!("{:>3}", action.symbol());
    match action {
        Action::Create => c.green(&s),
        Action::Update => c.yellow(&s),
        Action::Delete => c.red(&s),
        Action::DeleteThenCreate | Action::CreateThenDelete => format!("{}{}", c.red(&s[..2]), c.green(&s[2..])),
        _ => c.cyan(&s),
    }
}

/// The resource address of a change (its address without the instance key).
fn resource_of(rc: &ResourceChange) -> String {
    crate::addr::ResourceInstanceAddr::parse(&rc.address).map(|a| a.resource.to_string()).unwrap_or_else(|_| rc.address.clone())
}

fn header(rc: &ResourceChange) -> String {
    let a = &rc.address;
    if let Some(id) = &rc.importing {
        let generated = if rc.generated_config.is_some() { "  # (config will be generated)\n" } else { "" };
        if rc.action == Action::NoOp {
            return format!("  # {a} will be imported\n{generated}");
        }
        let rest = header(&ResourceChange { importing: None, ..rc.clone() });
        return format!("{rest}  # (imported from \"{id}\")\n{generated}");
    }
    if let Some(prev) = &rc.previous_address {
        if rc.action == Action::NoOp {
            return format!("  # {prev} has moved to {a}\n");
        }
        let rest = header(&ResourceChange { previous_address: None, ..rc.clone() });
        return format!("{rest}  # (moved from {prev})\n");
    }
    let phrase = match (rc.action, &rc.reason) {
        (Action::Create, Some(ActionReason::CreateBecauseDeletedOutside)) => {
            return format!("  # {a} will be created\n  # (the object was deleted outside skyform)\n");
        }
        (Action::Create, _) => "will be created",
        (Action::Update, _) => "will be updated in-place",
        (Action::Read, _) => "will be read during apply",
        (Action::Delete, _) => "will be destroyed",
        (_, Some(ActionReason::ReplaceByRequest)) => "will be replaced, as requested",
        (_, Some(ActionReason::ReplaceBecauseTainted)) => "is tainted, so must be replaced",
        (_, Some(ActionReason::ReplaceByTriggers)) => "will be replaced due to changes in replace_triggered_by",
        (Action::DeleteThenCreate | Action::CreateThenDelete, _) => "must be replaced",
        (Action::NoOp, _) => "is unchanged",
        (Action::Forget, Some(ActionReason::ForgetBecauseDeletedOutside)) => {
            return format!("  # {a} has been deleted outside skyform: it is removed from the state\n");
        }
        (Action::Forget, _) => {
            return format!(" # {a} will no longer be managed by skyform, but will not be destroyed\n # (destroy = false is set in the configuration)\n");
        }
    };
    let mut s = format!("  # {a} {phrase}\n");
    let because = match &rc.reason {
        Some(ActionReason::DeleteBecauseNoResourceConfig) => Some(format!("because {} is not in configuration", resource_of(rc))),
        Some(ActionReason::DeleteBecauseNoModule) => Some(format!("because {} is not in configuration", rc.module)),
        Some(ActionReason::DeleteBecauseWrongRepetition) => Some(
            match &rc.index {
                None => "because resource uses count or for_each",
                Some(serde_json::Value::Number(_)) => "because resource does not use count",
                Some(_) => "because resource does not use for_each",
            }
            .to_string(),
        ),
        Some(ActionReason::DeleteBecauseCountIndex) => Some(format!("because index {} is out of range for count", &a[a.rfind('[').unwrap_or(a.len())..])),
        Some(ActionReason::DeleteBecauseEachKey) => Some(format!("because key {} is not in for_each map", &a[a.rfind('[').unwrap_or(a.len())..])),
        Some(ActionReason::ReadBecauseConfigUnknown) => Some("config refers to values not yet known".to_string()),
        Some(ActionReason::ReadBecauseDependencyPending) => Some("depends on a resource or a module with changes pending".to_string()),
        _ => None,
    };
    if let Some(b) = because {
        s.push_str(&format!("  # ({b})\n"));
    }
    s
}

/// Renders one resource instance's change.
pub fn render_change(rc: &ResourceChange, schemas: &dyn SchemaSource, c: Colors) -> String {
    let mut out = header(rc);
    let kind = if rc.mode == "data" { "data" } else { "resource" };
    out.push_str(&format!("{} {kind} \"{}\" \"{}\" {{\n", symbol(rc.action, c), rc.type_name, rc.name));
    let empty = BTreeMap::new();
    let before = match &rc.before {
        Value::Map(m) => m,
        _ => &empty,
    };
    let after = match &rc.after {
        Value::Map(m) => m,
        // A forgotten object stays as it is.
        _ if rc.action == Action::Forget => before,
        _ => &empty,
    };
    let mode = match rc.action {
        Action::Create | Action::Read => Mode::Create,
        Action::Delete => Mode::Delete,
        _ => Mode::Update,
    };
    let schema = schemas.block(rc.mode == "data", &rc.type_name);
    out.push_str(&diff_object(before, after, mode, &rc.requires_replace, &[], 6, c, false, schema));
    out.push_str("    }\n");
    out
}

/// The elements of a nested block's value (`None` while unknown).
fn block_elements(v: &Value) -> Option<Vec<&BTreeMap<String, Value>>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Map(m) => Some(vec![m]),
        Value::List(items) | Value::Set(items) => items.iter().map(|i| if let Value::Map(m) = i { Some(&**m) } else { None }).collect(),
        _ => None,
    }
}

/// Nested blocks as Terraform shows them, after the attributes: `~ name {` with the element's
/// own diff, `+`/`-` for added and removed elements (list blocks pair up by position, set
/// blocks by equality), and unchanged blocks folded into a count.
#[allow(clippy::too_many_arguments)]
fn diff_blocks(
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    mode: Mode,
    schema: &BlockSchema,
    requires: &[AttrPath],
    path: &[PathStep],
    indent: usize,
    c: Colors,
) -> String {
    let pad = " ".repeat(indent);
    let empty = BTreeMap::new();
    let null = Value::Null;
    let mut out = String::new();
    let mut hidden = 0;
    let mut block = |sym: &str, name: &str, b: &BTreeMap<String, Value>, a: &BTreeMap<String, Value>, m: Mode, p: Vec<PathStep>, nested: &BlockSchema| {
        let colored = match sym {
            "+" => c.green("+"),
            "-" => c.red("-"),
            _ => c.yellow("~"),
        };
        let inner = diff_object(b, a, m, requires, &p, indent + 4, c, false, Some(nested));
        out.push_str(&format!("\n{pad}{colored} {name} {{\n{inner}{pad}  }}\n"));
    };
    for (name, nb) in schema.blocks.iter().filter(|(_, nb)| !nb.as_attribute) {
        let (bv, av) = (before.get(name).unwrap_or(&null), after.get(name).unwrap_or(&null));
        let (Some(bs), Some(afs)) = (block_elements(bv), block_elements(av)) else { continue };
        let step = |i: usize| {
            let mut p = path.to_vec();
            p.push(PathStep::Key(name.clone()));
            if nb.nesting != crate::schema::Nesting::Single {
                p.push(PathStep::Index(i as u64));
            }
            p
        };
        match mode {
            Mode::Create => afs.iter().enumerate().for_each(|(i, a)| block("+", name, &empty, a, Mode::Create, step(i), &nb.block)),
            Mode::Delete => bs.iter().enumerate().for_each(|(i, b)| block("-", name, b, &empty, Mode::Delete, step(i), &nb.block)),
            Mode::Update if nb.nesting == crate::schema::Nesting::Set => {
                for (i, b) in bs.iter().enumerate() {
                    if afs.contains(b) {
                        hidden += 1;
                    } else {
                        block("-", name, b, &empty, Mode::Delete, step(i), &nb.block);
                    }
                }
                for (i, a) in afs.iter().enumerate().filter(|(_, a)| !bs.contains(a)) {
                    block("+", name, &empty, a, Mode::Create, step(i), &nb.block);
                }
            }
            Mode::Update => {
                for i in 0..bs.len().max(afs.len()) {
                    match (bs.get(i), afs.get(i)) {
                        (Some(b), Some(a)) if b == a => hidden += 1,
                        (Some(b), Some(a)) => block("~", name, b, a, Mode::Update, step(i), &nb.block),
                        (Some(b), None) => block("-", name, b, &empty, Mode::Delete, step(i), &nb.block),
                        (None, Some(a)) => block("+", name, &empty, a, Mode::Create, step(i), &nb.block),
                        (None, None) => {}
                    }
                }
            }
        }
    }
    if hidden > 0 {
        let plural = if hidden == 1 { "" } else { "s" };
        out.push_str(&format!("\n{pad}  # ({hidden} unchanged block{plural} hidden)\n"));
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Create,
    Delete,
    Update,
}

fn forces(requires: &[AttrPath], path: &[PathStep]) -> bool {
    requires.iter().any(|r| r.as_slice() == path)
}

/// Lines for the attributes of an object, or the entries of a map (`quoted`: map keys, always
/// quoted as Terraform does; an object's attribute names are bare when they are identifiers).
/// `schema` (the resource's, at the top level) tells map-typed attributes and nested blocks.
#[allow(clippy::too_many_arguments)]
fn diff_object(
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    mode: Mode,
    requires: &[AttrPath],
    path: &[PathStep],
    indent: usize,
    c: Colors,
    quoted: bool,
    schema: Option<&BlockSchema>,
) -> String {
    // Nested blocks (those known as blocks, with known values) are shown after the attributes.
    let is_block = |k: &str| {
        schema.and_then(|s| s.blocks.get(k)).is_some_and(|nb| {
            !nb.as_attribute
                && block_elements(before.get(k).unwrap_or(&Value::Null)).is_some()
                && block_elements(after.get(k).unwrap_or(&Value::Null)).is_some()
        })
    };
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).filter(|k| !is_block(k)).collect();
    keys.sort();
    keys.dedup();
    let name = |k: &str| if quoted { key(k) } else { attr_key(k) };
    // Whether an attribute's value is a map (its keys quoted) rather than an object.
    let map_typed = |k: &str| match schema.and_then(|s| s.attributes.get(k)) {
        Some(a) => matches!(a.ty, crate::schema::AttrType::MapOfString | crate::schema::AttrType::MapOfNumber | crate::schema::AttrType::MapOfBool),
        None => quoted,
    };
    let mut lines: Vec<(String, String, String)> = Vec::new(); // (symbol, name, rest)
    let mut hidden = 0;
    let null = Value::Null;
    for k in keys {
        let b = before.get(k).unwrap_or(&null);
        let a = after.get(k).unwrap_or(&null);
        let mut p = path.to_vec();
        p.push(PathStep::Key(k.clone()));
        let force = if forces(requires, &p) { c.red(" # forces replacement") } else { String::new() };
        let sub = indent + 2;
        let (plus, minus) = (c.green("+"), c.red("-"));
        let mk = map_typed(k);
        match mode {
            Mode::Create if !a.is_null() => {
                let shown = json_document(a, sub, &plus).unwrap_or_else(|| render_signed(a, sub, &plus, mk));
                lines.push(("+".into(), name(k), format!("{shown}{force}")))
            }
            Mode::Delete if !b.is_null() => {
                let shown = json_document(b, sub, &minus).unwrap_or_else(|| render_signed(b, sub, &minus, mk));
                lines.push(("-".into(), name(k), format!("{shown} -> null")))
            }
            Mode::Create | Mode::Delete => {}
            Mode::Update => {
                if b.is_null() && a.is_null() {
                    continue;
                }
                if b == a {
                    if path.is_empty() && (k == "id" || k == "name") {
                        lines.push((" ".into(), name(k), render(a, sub)));
                    } else {
                        hidden += 1;
                    }
                    continue;
                }
                if b.is_null() {
                    lines.push(("+".into(), name(k), format!("{}{force}", render_signed(a, sub, &plus, mk))));
                } else if a.is_null() {
                    lines.push(("-".into(), name(k), format!("{} -> null{force}", render_signed(b, sub, &minus, mk))));
                } else if let (Value::Map(bm), Value::Map(am)) = (b, a) {
                    let inner = diff_object(bm, am, Mode::Update, requires, &p, indent + 4, c, mk, None);
                    lines.push(("~".into(), name(k), format!("{{{force}\n{inner}{}}}", " ".repeat(indent + 2))));
                } else if let Some(text) = list_diff(b, a, indent, c) {
                    lines.push(("~".into(), name(k), format!("[{force}\n{text}{}]", " ".repeat(indent + 2))));
                } else if let Some(text) = string_diff(b, a, indent, c) {
                    lines.push(("~".into(), name(k), format!("{text}{force}")));
                } else {
                    // A collection becoming unknown shows what goes, as Terraform does.
                    let old = if matches!(a, Value::Unknown) { render_signed(b, sub, &minus, mk) } else { render(b, sub) };
                    lines.push(("~".into(), name(k), format!("{old} -> {}{force}", render(a, sub))));
                }
            }
        }
    }
    let width = lines.iter().map(|l| l.1.len()).max().unwrap_or(0);
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (sym, n, rest) in lines {
        let sym = match sym.as_str() {
            "+" => c.green("+"),
            "-" => c.red("-"),
            "~" => c.yellow("~"),
            _ => " ".into(),
        };
        out.push_str(&format!("{pad}{sym} {n:width$} = {rest}\n"));
    }
    if hidden > 0 {
        let what = if quoted { "element" } else { "attribute" };
        let plural = if hidden == 1 { "" } else { "s" };
        out.push_str(&format!("{pad}  # ({hidden} unchanged {what}{plural} hidden)\n"));
    }
    if let Some(s) = schema {
        out.push_str(&diff_blocks(before, after, mode, s, requires, path, indent, c));
    }
    out
}

/// Two known lists (or sets) diffed element by element, as Terraform shows them: removed
/// elements with `-`, added with `+`, unchanged ones folded into a count.
fn list_diff(b: &Value, a: &Value, indent: usize, c: Colors) -> Option<String> {
    let (Value::List(old) | Value::Set(old), Value::List(new) | Value::Set(new)) = (b, a) else { return None };
    if !b.is_wholly_known() || !a.is_wholly_known() {
        return None;
    }
    let pad = " ".repeat(indent + 4);
    // Compared in a neutral form, shown with their signs.
    let ro: Vec<String> = old.iter().map(|v| render(v, indent + 4)).collect();
    let rn: Vec<String> = new.iter().map(|v| render(v, indent + 4)).collect();
    let (so, sn): (Vec<String>, Vec<String>) = (
        old.iter().map(|v| render_signed(v, indent + 6, &c.red("-"), false)).collect(),
        new.iter().map(|v| render_signed(v, indent + 6, &c.green("+"), false)).collect(),
    );
    let mut out = String::new();
    let mut hidden = 0;
    let flush = |out: &mut String, hidden: &mut usize| {
        if *hidden > 0 {
            out.push_str(&format!("{pad}  # ({} unchanged element{} hidden)\n", hidden, if *hidden == 1 { "" } else { "s" }));
            *hidden = 0;
        }
    };
    // Terraform pairs elements by position when both sequences have the same length (a tuple
    // of the same type): a deletion right before an insertion of as many elements is then a
    // replacement, `~ old -> new`. Otherwise they stay a `-` and a `+`.
    let positional = old.len() == new.len();
    let mut ops: Vec<similar::DiffOp> = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &ro, &rn) {
        match (ops.last().copied(), op) {
            (Some(similar::DiffOp::Delete { old_index, old_len, .. }), similar::DiffOp::Insert { new_index, new_len, .. })
                if positional && old_len == new_len =>
            {
                ops.pop();
                ops.push(similar::DiffOp::Replace { old_index, old_len, new_index, new_len });
            }
            _ => ops.push(op),
        }
    }
    let last = ops.len().saturating_sub(1);
    for (n, op) in ops.into_iter().enumerate() {
        match op {
            // Unchanged elements next to a change are shown, as context; the rest are counted.
            similar::DiffOp::Equal { new_index, len, .. } => {
                let show_first = n > 0;
                let show_last = n < last;
                for (j, x) in rn[new_index..new_index + len].iter().enumerate() {
                    let context = (show_first && j == 0) || (show_last && j == len - 1);
                    if context {
                        flush(&mut out, &mut hidden);
                        out.push_str(&format!("{pad}  {x},\n"));
                    } else {
                        hidden += 1;
                    }
                }
            }
            similar::DiffOp::Delete { old_index, old_len, .. } => {
                flush(&mut out, &mut hidden);
                for x in &so[old_index..old_index + old_len] {
                    out.push_str(&format!("{pad}{} {x},\n", c.red("-")));
                }
            }
            similar::DiffOp::Insert { new_index, new_len, .. } => {
                flush(&mut out, &mut hidden);
                for x in &sn[new_index..new_index + new_len] {
                    out.push_str(&format!("{pad}{} {x},\n", c.green("+")));
                }
            }
            // One value for another in the same place: `~ old -> new`, as Terraform shows it.
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len }
                if positional
                    && old_len == new_len
                    && old[old_index..old_index + old_len]
                        .iter()
                        .chain(&new[new_index..new_index + new_len])
                        .all(|v| !matches!(v, Value::List(_) | Value::Set(_) | Value::Map(_))) =>
            {
                flush(&mut out, &mut hidden);
                for (x, y) in ro[old_index..old_index + old_len].iter().zip(&rn[new_index..new_index + new_len]) {
                    out.push_str(&format!("{pad}{} {x} -> {y},\n", c.yellow("~")));
                }
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                flush(&mut out, &mut hidden);
                for x in &so[old_index..old_index + old_len] {
                    out.push_str(&format!("{pad}{} {x},\n", c.red("-")));
                }
                for x in &sn[new_index..new_index + new_len] {
                    out.push_str(&format!("{pad}{} {x},\n", c.green("+")));
                }
            }
        }
    }
    flush(&mut out, &mut hidden);
    Some(out)
}

/// A string holding a JSON object or array, shown being created or destroyed as Terraform shows
/// it: `jsonencode(` with the document as HCL, every element signed.
fn json_document(v: &Value, indent: usize, sign: &str) -> Option<String> {
    let Value::String(s) = v else { return None };
    if !s.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let doc = crate::value::parse_json(s).ok()?;
    Some(format!("jsonencode(\n{}{}\n{})", " ".repeat(indent + 4), render_signed(&doc, indent + 4, sign, false), " ".repeat(indent)))
}

/// Two strings shown as a change of their content: JSON documents compared as JSON (a
/// reformatting alone is said to be one), multi-line text as a line diff with three lines of
/// context. `None` for short single-line strings, which print as `"old" -> "new"`.
fn string_diff(b: &Value, a: &Value, indent: usize, c: Colors) -> Option<String> {
    let (Value::String(old), Value::String(new)) = (b, a) else { return None };
    let as_json = |s: &str| match serde_json::from_str::<serde_json::Value>(s) {
        Ok(j @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => Some(j),
        _ => None,
    };
    let pad = " ".repeat(indent + 4);
    let close = " ".repeat(indent + 2);
    if let (Some(jo), Some(jn)) = (as_json(old), as_json(new)) {
        if jo == jn {
            return Some("jsonencode(...) # only formatting and key order differ; the JSON is the same".to_string());
        }
        let po = serde_json::to_string_pretty(&jo).ok()?;
        let pn = serde_json::to_string_pretty(&jn).ok()?;
        return Some(format!("jsonencode(\n{}{close})", line_diff(&po, &pn, &pad, c)));
    }
    if !old.contains('\n') && !new.contains('\n') {
        return None;
    }
    Some(format!("<<-EOT\n{}{close}EOT", line_diff(old, new, &pad, c)))
}

/// A unified line diff (similar), each line prefixed by `pad` and `+`, `-` or a space; runs of
/// unchanged lines beyond three lines of context are folded into a comment.
fn line_diff(old: &str, new: &str, pad: &str, c: Colors) -> String {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let groups = diff.grouped_ops(3);
    let total_old = old.lines().count();
    let mut shown_old = 0;
    for (gi, group) in groups.iter().enumerate() {
        let first_old = group.first().map(|op| op.old_range().start).unwrap_or(0);
        let skipped = if gi == 0 { first_old } else { first_old - shown_old };
        if skipped > 0 {
            out.push_str(&format!("{pad}  # ({skipped} unchanged line{} hidden)\n", if skipped == 1 { "" } else { "s" }));
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches('\n');
                match change.tag() {
                    ChangeTag::Delete => out.push_str(&format!("{pad}{} {text}\n", c.red("-"))),
                    ChangeTag::Insert => out.push_str(&format!("{pad}{} {text}\n", c.green("+"))),
                    ChangeTag::Equal => out.push_str(&format!("{pad}  {text}\n")),
                }
            }
            shown_old = op.old_range().end;
        }
    }
    let rest = total_old.saturating_sub(shown_old);
    if rest > 0 && !groups.is_empty() {
        out.push_str(&format!("{pad}  # ({rest} unchanged line{} hidden)\n", if rest == 1 { "" } else { "s" }));
    }
    out
}

/// An output's new value against its old one: objects and lists diffed entry by entry, as for
/// resource attributes; anything else as `old -> new`.
fn output_update(o: &OutputChange, c: Colors) -> String {
    if o.sensitive {
        return "(sensitive value)".into();
    }
    match (&o.before, &o.after) {
        (Value::Map(bm), Value::Map(am)) if o.after.is_wholly_known() => {
            format!("{{\n{}    }}", diff_object(bm, am, Mode::Update, &[], &[PathStep::Key(o.name.clone())], 6, c, false, None))
        }
        (b, a) => match list_diff(b, a, 2, c) {
            Some(text) => format!("[\n{text}    ]"),
            None => format!("{} -> {}", render(b, 2), render(a, 2)),
        },
    }
}

fn render_output_changes(outputs: &[&OutputChange], c: Colors) -> String {
    let mut out = String::from("\nChanges to Outputs:\n");
    let width = outputs.iter().map(|o| o.name.len()).max().unwrap_or(0);
    for o in outputs {
        let shown = |v: &Value, sign: &str| if o.sensitive { "(sensitive value)".to_string() } else { render_signed(v, 4, sign, false) };
        let (sym, rest) = match o.action {
            Action::Create => (c.green("+"), shown(&o.after, &c.green("+"))),
            Action::Delete => (c.red("-"), format!("{} -> null", shown(&o.before, &c.red("-")))),
            _ => (c.yellow("~"), output_update(o, c)),
        };
        out.push_str(&format!("  {sym} {:width$} = {rest}\n", o.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(action: Action, before: Value, after: Value) -> ResourceChange {
        ResourceChange {
            address: "terraform_data.x".into(),
            module: String::new(),
            mode: "managed".into(),
            type_name: "terraform_data".into(),
            name: "x".into(),
            index: None,
            provider: "provider[\"terraform.io/builtin/terraform\"]".into(),
            action,
            reason: None,
            before,
            after,
            requires_replace: vec![vec![PathStep::Key("triggers_replace".into())]],
            importing: None,
            previous_address: None,
            generated_config: None,
        }
    }

    fn bucket(versioning: &[bool], class: &str) -> Value {
        let blocks = versioning.iter().map(|e| Value::object([("enabled", Value::Bool(*e))])).collect();
        Value::object([("name", Value::string("b")), ("storage_class", Value::string(class)), ("versioning", Value::List(blocks))])
    }

    fn bucket_change(action: Action, before: Value, after: Value) -> String {
        let mut change = rc(action, before, after);
        change.type_name = "google_storage_bucket".into();
        change.requires_replace = Vec::new();
        render_change(&change, &crate::provider::Registry::builtin(), Colors::new(false))
    }

    #[test]
    fn nested_blocks_render_as_blocks_after_the_attributes() {
        let s = bucket_change(Action::Update, bucket(&[true], "STANDARD"), bucket(&[false], "STANDARD"));
        assert!(s.contains("      ~ versioning {\n          ~ enabled = true -> false\n        }\n"), "{s}");
        assert!(s.contains("# (1 unchanged attribute hidden)"), "blocks are not counted as attributes: {s}");
        let s = bucket_change(Action::Update, bucket(&[true], "STANDARD"), bucket(&[true], "NEARLINE"));
        assert!(s.contains("# (1 unchanged block hidden)") && !s.contains("versioning {"), "{s}");
        let s = bucket_change(Action::Update, bucket(&[], "STANDARD"), bucket(&[true], "STANDARD"));
        assert!(s.contains("      + versioning {\n          + enabled = true\n        }\n"), "{s}");
        let s = bucket_change(Action::Create, Value::Null, bucket(&[true], "STANDARD"));
        assert!(s.contains("\n\n      + versioning {\n          + enabled = true\n        }\n    }\n"), "{s}");
        // Attributes-as-blocks (security group rules) stay a list of objects, as in Terraform.
        let mut change = rc(Action::Create, Value::Null, Value::object([("ingress", Value::Set(vec![Value::object([("protocol", Value::string("tcp"))])]))]));
        change.type_name = "aws_security_group".into();
        let s = render_change(&change, &crate::provider::Registry::builtin(), Colors::new(false));
        assert!(s.contains("+ ingress = [") && !s.contains("ingress {"), "{s}");
    }

    #[test]
    fn create_shows_known_after_apply_and_skips_nulls() {
        let after = Value::object([("id", Value::Unknown), ("input", Value::string("a")), ("triggers_replace", Value::Null)]);
        let s = render_change(&rc(Action::Create, Value::Null, after), &crate::provider::Registry::builtin(), Colors::new(false));
        assert!(s.contains("  # terraform_data.x will be created"));
        assert!(s.contains("  + resource \"terraform_data\" \"x\" {"));
        assert!(s.contains("      + id    = (known after apply)"), "{s}");
        assert!(!s.contains("triggers_replace"));
    }

    #[test]
    fn replace_marks_forcing_attribute_and_hides_unchanged() {
        let before = Value::object([
            ("id", Value::string("1")),
            ("input", Value::string("a")),
            ("triggers_replace", Value::string("v1")),
            ("other", Value::Number(1.0)),
        ]);
        let after =
            Value::object([("id", Value::Unknown), ("input", Value::string("a")), ("triggers_replace", Value::string("v2")), ("other", Value::Number(1.0))]);
        let s = render_change(&rc(Action::DeleteThenCreate, before, after), &crate::provider::Registry::builtin(), Colors::new(false));
        assert!(s.contains("-/+ resource"), "{s}");
        assert!(s.contains("~ triggers_replace = \"v1\" -> \"v2\" # forces replacement"), "{s}");
        assert!(s.contains("# (2 unchanged attributes hidden)"), "{s}");

        let list = |xs: &[&str]| Value::List(xs.iter().map(|x| Value::string(*x)).collect());
        let before = Value::object([("id", Value::string("1")), ("triggers_replace", list(&["a", "b", "c", "d"]))]);
        let after = Value::object([("id", Value::string("1")), ("triggers_replace", list(&["a", "b", "x", "d"]))]);
        let s = render_change(&rc(Action::DeleteThenCreate, before, after), &crate::provider::Registry::builtin(), Colors::new(false));
        assert!(s.contains("~ triggers_replace = [ # forces replacement\n"), "{s}");
        // As Terraform 1.15 shows it: one element of context on each side of the change.
        assert!(
            s.contains("\n            # (1 unchanged element hidden)\n            \"b\",\n          ~ \"c\" -> \"x\",\n            \"d\",\n        ]\n"),
            "{s}"
        );
    }

    #[test]
    fn multi_line_strings_show_a_line_diff() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 10\n", "line ten\n");
        let before = Value::object([("id", Value::string("1")), ("input", Value::String(old))]);
        let after = Value::object([("id", Value::string("1")), ("input", Value::String(new))]);
        let s = render_change(&rc(Action::Update, before, after), &crate::provider::Registry::builtin(), Colors::new(false));
        assert!(s.contains("~ input = <<-EOT"), "{s}");
        assert!(s.contains("  # (6 unchanged lines hidden)"), "{s}");
        assert!(s.contains("- line 10\n") && s.contains("+ line ten\n") && s.contains("  line 9\n"), "{s}");
        assert!(!s.contains("line 2\n"), "{s}");
        assert!(s.contains("  # (7 unchanged lines hidden)"), "{s}");
    }

    #[test]
    fn json_strings_compare_as_json() {
        let rc_json = |old: &str, new: &str| {
            let before = Value::object([("id", Value::string("1")), ("input", Value::string(old))]);
            let after = Value::object([("id", Value::string("1")), ("input", Value::string(new))]);
            render_change(&rc(Action::Update, before, after), &crate::provider::Registry::builtin(), Colors::new(false))
        };
        let s = rc_json(r#"{"b":1,"a":[1,2]}"#, "{\n  \"a\": [1, 2],\n  \"b\": 1\n}");
        assert!(s.contains("only formatting and key order differ"), "{s}");
        let s = rc_json(r#"{"Version":"2012","Statement":[{"Effect":"Allow"}]}"#, r#"{"Version":"2012","Statement":[{"Effect":"Deny"}]}"#);
        assert!(s.contains("~ input = jsonencode("), "{s}");
        assert!(s.contains("-       \"Effect\": \"Allow\"\n") && s.contains("+       \"Effect\": \"Deny\"\n"), "{s}");
    }

    #[test]
    fn sensitive_values_are_hidden() {
        let after = Value::object([("input", Value::string("hunter2").mark())]);
        let s = render_change(&rc(Action::Create, Value::Null, after), &crate::provider::Registry::builtin(), Colors::new(false));
        assert!(s.contains("(sensitive value)"));
        assert!(!s.contains("hunter2"));
    }
}
