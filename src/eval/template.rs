//! String templates: interpolation, `%{ if }` and `%{ for }` directives, strip markers (`~`),
//! heredocs, and `templatefile`.

use hcl::expr::TemplateExpr;
use hcl::template::{Directive, Element, Strip, Template};

use super::expr::{eval_expr, iteration_items};
use super::{EvalError, EvalResult, LocalScope, Scope};
use crate::value::{format_number, Value};

/// Result of evaluating template parts: the text so far, whether an unknown was met, whether a
/// sensitive value was included.
#[derive(Default)]
struct Out {
    text: String,
    unknown: bool,
    marked: bool,
}

pub(crate) fn eval_template_expr(t: &TemplateExpr, scope: &dyn Scope) -> EvalResult<Value> {
    let template = Template::from_expr(t).map_err(|e| EvalError::new("Invalid template", e.to_string()))?;
    eval_template(&template, scope)
}

/// Evaluates a parsed template. A template that is a single interpolation returns that value
/// unchanged, as in Terraform (`"${var.list}"` is the list).
pub(crate) fn eval_template(template: &Template, scope: &dyn Scope) -> EvalResult<Value> {
    if let [Element::Interpolation(i)] = template.elements() {
        return eval_expr(&i.expr, scope);
    }
    let mut out = Out::default();
    render(&mut out, template, scope, Strip::None, Strip::None)?;
    let v = if out.unknown { Value::Unknown } else { Value::String(out.text) };
    Ok(v.mark_if(out.marked))
}

fn strip_of(e: &Element) -> Strip {
    match e {
        Element::Literal(_) => Strip::None,
        Element::Interpolation(i) => i.strip,
        Element::Directive(d) => {
            let (start, end) = match &**d {
                Directive::If(dir) => (dir.if_strip, dir.endif_strip),
                Directive::For(dir) => (dir.for_strip, dir.endfor_strip),
            };
            Strip::from((start.strip_start(), end.strip_end()))
        }
    }
}

fn render(out: &mut Out, template: &Template, scope: &dyn Scope, prev_strip: Strip, next_strip: Strip) -> EvalResult<()> {
    let elems = template.elements();
    let len = elems.len();
    for (i, elem) in elems.iter().enumerate() {
        let prev = if i == 0 { prev_strip } else { strip_of(&elems[i - 1]) };
        let next = if i + 1 == len { next_strip } else { strip_of(&elems[i + 1]) };
        match elem {
            Element::Literal(lit) => out.text.push_str(strip_literal(lit, prev, next)),
            Element::Interpolation(interp) => {
                let (v, m) = eval_expr(&interp.expr, scope)?.unmark();
                out.marked |= m;
                match v {
                    Value::Unknown => out.unknown = true,
                    v => out.text.push_str(&to_template_string(v)?),
                }
            }
            Element::Directive(d) => match &**d {
                Directive::If(dir) => {
                    let (c, m) = eval_expr(&dir.cond_expr, scope)?.unmark();
                    out.marked |= m;
                    let cond = match c {
                        Value::Unknown => {
                            out.unknown = true;
                            continue;
                        }
                        Value::Bool(b) => b,
                        Value::String(s) if s == "true" || s == "false" => s == "true",
                        other => {
                            return Err(EvalError::new(
                                "Invalid template directive",
                                format!("The condition of an if directive must be a bool, not {}.", other.type_name()),
                            ))
                        }
                    };
                    if cond {
                        let next = if dir.false_template.is_some() { dir.else_strip } else { dir.endif_strip };
                        render(out, &dir.true_template, scope, dir.if_strip, next)?;
                    } else if let Some(f) = &dir.false_template {
                        render(out, f, scope, dir.else_strip, dir.endif_strip)?;
                    }
                }
                Directive::For(dir) => {
                    let Some((items, m)) = iteration_items(eval_expr(&dir.collection_expr, scope)?)? else {
                        out.unknown = true;
                        continue;
                    };
                    out.marked |= m;
                    for (k, v) in items {
                        let mut names = vec![(dir.value_var.as_str().to_string(), v)];
                        if let Some(kv) = &dir.key_var {
                            names.push((kv.as_str().to_string(), k));
                        }
                        let local = LocalScope { parent: scope, names };
                        render(out, &dir.template, &local, dir.for_strip, dir.endfor_strip)?;
                    }
                }
            },
        }
    }
    Ok(())
}

fn to_template_string(v: Value) -> EvalResult<String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(format_number(n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => {
            Err(EvalError::new("Invalid template interpolation value", "The expression result is null. Cannot include a null value in a string template."))
        }
        other => Err(EvalError::new(
            "Invalid template interpolation value",
            format!("Cannot include the given value in a string template: string required, not {}.", other.type_name()),
        )),
    }
}

fn strip_literal(mut literal: &str, prev: Strip, next: Strip) -> &str {
    let is_space = |c: char| c.is_whitespace() && c != '\r' && c != '\n';
    if prev.strip_end() {
        literal = literal.trim_start_matches(is_space);
        literal = literal.strip_prefix("\r\n").or_else(|| literal.strip_prefix('\n')).unwrap_or(literal);
    }
    if next.strip_start() {
        literal = literal.trim_end_matches(is_space);
        literal = literal.strip_suffix("\r\n").or_else(|| literal.strip_suffix('\n')).unwrap_or(literal);
    }
    literal
}

/// A scope holding only the variables passed to `templatefile`.
struct TemplateScope<'a> {
    vars: std::collections::BTreeMap<String, Value>,
    parent: &'a dyn Scope,
}

impl Scope for TemplateScope<'_> {
    fn lookup(&self, name: &str, _attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        self.vars.get(name).cloned().map(|v| (v, 0)).ok_or_else(|| {
            EvalError::new(
                "Invalid function argument",
                format!("Invalid value for \"vars\" parameter: vars map does not contain key \"{name}\", referenced in the template."),
            )
        })
    }
    fn func_context(&self) -> &super::functions::FuncContext {
        self.parent.func_context()
    }
}

/// `templatefile(path, vars)`: reads the file relative to the module directory and renders it
/// with only `vars` in scope.
pub(crate) fn eval_template_file(args: Vec<Value>, scope: &dyn Scope) -> EvalResult<Value> {
    if args.len() != 2 {
        return Err(EvalError::new("Invalid function argument", "Function \"templatefile\" expects 2 arguments: path and vars."));
    }
    let mut args = args.into_iter();
    let (path, pm) = args.next().unwrap_or_default().unmark();
    let (vars, vm) = args.next().unwrap_or_default().unmark();
    let path = match path {
        Value::String(s) => s,
        Value::Unknown => return Ok(Value::Unknown),
        other => {
            return Err(EvalError::new(
                "Invalid function argument",
                format!("Invalid value for \"path\" parameter: string required, not {}.", other.type_name()),
            ))
        }
    };
    let vars = match vars {
        Value::Map(m) => m,
        Value::Unknown => return Ok(Value::Unknown),
        Value::Null => Default::default(),
        other => {
            return Err(EvalError::new(
                "Invalid function argument",
                format!("Invalid value for \"vars\" parameter: map of values required, not {}.", other.type_name()),
            ))
        }
    };
    let full = scope.func_context().base_dir.join(&path);
    let text = std::fs::read_to_string(&full)
        .map_err(|e| EvalError::new("Error in function call", format!("Call to function \"templatefile\" failed: no file exists at \"{path}\": {e}.")))?;
    let template: Template =
        text.parse().map_err(|e: hcl::Error| EvalError::new("Error in function call", format!("Call to function \"templatefile\" failed: {path}: {e}.")))?;
    let local = TemplateScope { vars: std::sync::Arc::unwrap_or_clone(vars), parent: scope };
    let v = eval_template(&template, &local)?;
    Ok(v.mark_if(pm || vm))
}
