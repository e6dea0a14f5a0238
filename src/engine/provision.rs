//! Provisioners: a resource's `local-exec` commands, run after its object is created (in order,
//! before the create is reported complete) or, with `when = destroy`, before it is destroyed.
//! `self` is the object. A failing create-time provisioner taints the object (the next plan
//! replaces it) and fails the apply; a failing destroy-time one stops the destroy; with
//! `on_failure = continue` the failure is reported and ignored. Output lines go to the hook as
//! Terraform prints them; a command built from sensitive values has its output suppressed.

use std::process::Stdio;

use super::scope::NodeScope;
use super::walk::Ctx;
use crate::addr::{InstanceKey, ResourceInstanceAddr};
use crate::config::{Provisioner, Resource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::eval_expr;
use crate::value::Value;

/// Runs the create-time (`destroy = false`) or destroy-time provisioners of `r` for instance
/// `addr`, whose object is `object`; `each` is the instance's `each` (create time).
pub(crate) async fn run(
    ctx: &Ctx<'_>,
    r: &Resource,
    addr: &ResourceInstanceAddr,
    object: &Value,
    destroy: bool,
    each: Option<(Value, Value)>,
) -> Result<(), Diagnostics> {
    for p in r.provisioners.iter().filter(|p| p.when_destroy == destroy) {
        match run_one(ctx, p, addr, object, each.clone()).await {
            Ok(()) => {}
            Err(d) if p.continue_on_failure => {
                let warnings =
                    d.0.into_iter()
                        .map(|x| Diagnostic::warning(x.summary, format!("{}\n\non_failure = continue: the apply goes on.", x.detail)).at(Some(&p.range)));
                ctx.errors(Diagnostics(warnings.map(|w| w.with_address(addr)).collect()));
            }
            Err(d) => return Err(Diagnostics(d.0.into_iter().map(|x| x.at(Some(&p.range)).with_address(addr)).collect())),
        }
    }
    Ok(())
}

/// The scope a provisioner is evaluated in: the instance's module, its `count.index` /
/// `each.key` (`each.value` only at create), and `self`.
fn scope<'c, 'a>(ctx: &'c Ctx<'a>, addr: &ResourceInstanceAddr, object: &Value, r_each: Option<(Value, Value)>) -> NodeScope<'c, 'a> {
    let mut s = NodeScope::new(ctx, &addr.resource.module);
    match &addr.key {
        Some(InstanceKey::Int(i)) => s.count_index = Some(*i),
        Some(InstanceKey::Str(k)) => s.each = Some(r_each.unwrap_or((Value::string(k), Value::Unknown))),
        None => {}
    }
    s.self_value = Some(object.clone());
    s
}

async fn run_one(ctx: &Ctx<'_>, p: &Provisioner, addr: &ResourceInstanceAddr, object: &Value, each: Option<(Value, Value)>) -> Result<(), Diagnostics> {
    let address = addr.to_string();
    let scope = scope(ctx, addr, object, each);
    let eval = |name: &str| -> Result<Option<Value>, Diagnostics> {
        match p.body.attribute(name) {
            None => Ok(None),
            Some(a) => eval_expr(&a.expr, &scope).map(Some).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range)).into()),
        }
    };
    let command = eval("command")?.unwrap_or(Value::Null);
    let sensitive = command.contains_sensitive();
    let Value::String(command) = command.strip_marks() else {
        return Err(Diagnostic::error("Invalid local-exec command", "The \"command\" argument must be a known string.").into());
    };
    let interpreter: Vec<String> = match eval("interpreter")?.map(Value::strip_marks) {
        None | Some(Value::Null) => vec!["/bin/sh".into(), "-c".into()],
        Some(Value::List(items)) => {
            items.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().filter(|v| !v.is_empty()).ok_or_else(|| {
                Diagnostics::from(Diagnostic::error("Invalid local-exec interpreter", "The \"interpreter\" argument must be a non-empty list of strings."))
            })?
        }
        Some(other) => {
            return Err(Diagnostic::error("Invalid local-exec interpreter", format!("A list of strings is required, not {}.", other.type_name())).into())
        }
    };
    let mut environment = Vec::new();
    if let Some(Value::Map(m)) = eval("environment")?.map(Value::strip_marks) {
        for (k, v) in m.iter() {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => crate::value::format_number(*n),
                Value::Bool(b) => b.to_string(),
                Value::Null => continue,
                other => {
                    return Err(
                        Diagnostic::error("Invalid local-exec environment", format!("The value of {k} must be a string, not {}.", other.type_name())).into()
                    )
                }
            };
            environment.push((k.clone(), v));
        }
    }
    let working_dir = match eval("working_dir")?.map(Value::strip_marks) {
        Some(Value::String(d)) if !d.is_empty() => Some(d),
        _ => None,
    };
    let quiet = matches!(eval("quiet")?.map(Value::strip_marks), Some(Value::Bool(true)));
    let hook = ctx.hook;
    hook.provision_start(&address, "local-exec");
    let mut argv = interpreter.clone();
    argv.push(command.clone());
    if sensitive {
        hook.provision_output(&address, "local-exec", "(output suppressed due to sensitive value in config)");
    } else if quiet {
        hook.provision_output(&address, "local-exec", "Executing: (suppressed by quiet=true)");
    } else {
        let shown: Vec<String> = argv.iter().map(|a| serde_json::Value::String(a.clone()).to_string()).collect();
        hook.provision_output(&address, "local-exec", &format!("Executing: [{}]", shown.join(" ")));
    }
    let base_dir = ctx.root_dir.to_path_buf();
    let show = !sensitive;
    let addr_line = address.clone();
    // The command runs as a child process awaited without blocking: instances of one resource
    // provision side by side within one task.
    let result = async {
        use tokio::io::AsyncBufReadExt;
        let mut cmd = tokio::process::Command::new(&argv[0]);
        cmd.args(&argv[1..]).envs(environment).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        cmd.current_dir(working_dir.map(|d| base_dir.join(d)).unwrap_or(base_dir));
        let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", argv[0]))?;
        let (out, err) = (child.stdout.take(), child.stderr.take());
        let collected = std::sync::Mutex::new(String::new());
        let pump = |stream: Option<Box<dyn tokio::io::AsyncRead + Send + Unpin>>| {
            let (collected, addr_line) = (&collected, &addr_line);
            async move {
                let Some(stream) = stream else { return };
                let mut lines = tokio::io::BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if show {
                        hook.provision_output(addr_line, "local-exec", &line);
                    }
                    let mut c = collected.lock().unwrap_or_else(|e| e.into_inner());
                    c.push_str(&line);
                    c.push('\n');
                }
            }
        };
        futures::join!(pump(out.map(|o| Box::new(o) as _)), pump(err.map(|e| Box::new(e) as _)));
        let status = child.wait().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((status.code().unwrap_or(-1), collected.into_inner().unwrap_or_else(|e| e.into_inner())))
    }
    .await;
    let shown_command = if sensitive { "(sensitive value)".to_string() } else { command };
    match result {
        Ok((0, _)) => Ok(()),
        Ok((code, output)) => {
            let output = if sensitive { "(output suppressed due to sensitive value in config)".to_string() } else { output };
            Err(Diagnostic::error("local-exec provisioner error", format!("Error running command '{shown_command}': exit status {code}. Output: {output}"))
                .into())
        }
        Err(e) => Err(Diagnostic::error("local-exec provisioner error", format!("Error running command '{shown_command}': {e}")).into()),
    }
}
