//! Terraform's machine-readable UI (`plan -json`): one JSON object per line, with the
//! `@level`, `@message`, `@module`, `@timestamp` and `type` keys Terraform writes
//! (`version`, `planned_change`, `change_summary`, `outputs`, `diagnostic`).

use serde_json::{json, Map, Value as J};

use crate::config::Sources;
use crate::diag::{Diagnostic, Severity};
use crate::plan::{Action, ActionReason, Plan, ResourceChange};

fn line(level: &str, message: &str, kind: &str, extra: Map<String, J>) -> String {
    let mut m = Map::new();
    m.insert("@level".into(), json!(level));
    m.insert("@message".into(), json!(message));
    m.insert("@module".into(), json!("terraform.ui"));
    m.insert("@timestamp".into(), json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)));
    m.extend(extra);
    m.insert("type".into(), json!(kind));
    J::Object(m).to_string()
}

fn obj(pairs: impl IntoIterator<Item = (&'static str, J)>) -> Map<String, J> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The first line of every stream.
pub fn version_line() -> String {
    let v = env!("CARGO_PKG_VERSION");
    line("info", &format!("skyform {v}"), "version", obj([("terraform", json!(v)), ("ui", json!("1.3"))]))
}

fn resource(rc: &ResourceChange) -> J {
    let implied = rc.type_name.split('_').next().unwrap_or(&rc.type_name);
    let resource = match rc.address.strip_prefix(&format!("{}.", rc.module)) {
        Some(r) if !rc.module.is_empty() => r.to_string(),
        _ => rc.address.clone(),
    };
    json!({
        "addr": rc.address,
        "module": rc.module,
        "resource": resource,
        "implied_provider": implied,
        "resource_type": rc.type_name,
        "resource_name": rc.name,
        "resource_key": rc.index.clone().unwrap_or(J::Null),
    })
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Read => "read",
        Action::NoOp => "noop",
        Action::Forget => "forget",
    }
}

fn reason(r: &ActionReason) -> Option<&'static str> {
    Some(match r {
        ActionReason::ReplaceBecauseCannotUpdate => "cannot_update",
        ActionReason::ReplaceByRequest => "requested",
        ActionReason::ReplaceBecauseTainted => "tainted",
        ActionReason::ReplaceByTriggers => "replace_triggered_by",
        ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
        ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
        ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
        ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
        ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
        ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
        ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
        ActionReason::CreateBecauseDeletedOutside | ActionReason::ForgetBecauseDeletedOutside => return None,
    })
}

/// The lines after the version line for a finished plan.
pub fn plan_lines(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for rc in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        let word = action_word(rc.action);
        let mut change = obj([("resource", resource(rc)), ("action", json!(word))]);
        if let Some(r) = rc.reason.as_ref().and_then(reason) {
            change.insert("reason".into(), json!(r));
        }
        out.push(line("info", &format!("{}: Plan to {word}", rc.address), "planned_change", obj([("change", J::Object(change))])));
    }
    let s = plan.summary();
    let op = if plan.destroy { "destroy" } else { "plan" };
    let message = if plan.has_changes() {
        let imports = if s.import > 0 { format!("{} to import, ", s.import) } else { String::new() };
        format!("Plan: {imports}{} to add, {} to change, {} to destroy.", s.add, s.change, s.destroy)
    } else {
        "No changes. Your infrastructure matches the configuration.".to_string()
    };
    out.push(line(
        "info",
        &message,
        "change_summary",
        obj([("changes", json!({ "add": s.add, "change": s.change, "import": s.import, "remove": s.destroy, "operation": op }))]),
    ));
    if !plan.outputs.is_empty() {
        let outputs: Map<String, J> =
            plan.outputs.iter().map(|o| (o.name.clone(), json!({ "sensitive": o.sensitive, "action": action_word(o.action) }))).collect();
        out.push(line("info", &format!("Outputs: {}", outputs.len()), "outputs", obj([("outputs", J::Object(outputs))])));
    }
    out
}

/// One `diagnostic` line (with the source range when there is one).
pub fn diagnostic_line(d: &Diagnostic, sources: &Sources) -> String {
    let severity = if d.severity == Severity::Error { "error" } else { "warning" };
    let mut diag = obj([("severity", json!(severity)), ("summary", json!(d.summary)), ("detail", json!(d.detail))]);
    if let Some(addr) = &d.address {
        diag.insert("address".into(), json!(addr));
    }
    if let Some(r) = &d.range {
        let (end_line, end_col) = sources
            .get(&r.file)
            .and_then(|text| text.get(..r.end.min(text.len())))
            .map(|before| {
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map(|l| l.chars().count() + 1).unwrap_or(1);
                (line, col)
            })
            .unwrap_or((r.line, r.col));
        diag.insert(
            "range".into(),
            json!({
                "filename": &*r.file,
                "start": { "line": r.line, "column": r.col, "byte": r.start },
                "end": { "line": end_line, "column": end_col, "byte": r.end },
            }),
        );
    }
    let prefix = if severity == "error" { "Error" } else { "Warning" };
    line(severity, &format!("{prefix}: {}", d.summary), "diagnostic", obj([("diagnostic", J::Object(diag))]))
}
