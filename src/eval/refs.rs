//! Finds the references an expression makes, for the dependency graph: each traversal's root
//! name and its first two attribute names, skipping names bound by `for` expressions and
//! template `for` directives.

use hcl::expr::{ObjectKey, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use hcl::Expression;

/// A reference: root name plus up to its first two attribute names (`var.x`, `aws_vpc.main.id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    pub root: String,
    pub attrs: Vec<String>,
    /// For a resource or data source: the attribute read from it, past its name and any
    /// index or splat (`az` in `aws_instance.web[0].az`, `data.aws_vpc.v.id`).
    pub attribute: Option<String>,
}

/// The attribute a traversal from `root` reads of a resource: the first attribute name after
/// the resource's name (two names for `data.TYPE.NAME`), skipping indexes and splats.
fn resource_attribute(root: &str, operators: &[TraversalOperator]) -> Option<String> {
    let names_first = if root == "data" { 2 } else { 1 };
    let mut names = 0;
    for op in operators {
        match op {
            TraversalOperator::GetAttr(_) if names < names_first => names += 1,
            TraversalOperator::GetAttr(id) => return Some(id.as_str().to_string()),
            TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) | TraversalOperator::AttrSplat | TraversalOperator::FullSplat
                if names == names_first => {}
            _ => return None,
        }
    }
    None
}

/// References in an expression.
pub fn references(expr: &Expression) -> Vec<Reference> {
    references_bound(expr, &[])
}

pub(crate) fn references_bound(expr: &Expression, bound: &[String]) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut bound = bound.to_vec();
    walk(expr, &mut bound, &mut out);
    out
}

fn push(out: &mut Vec<Reference>, bound: &[String], root: &str, attrs: Vec<String>, attribute: Option<String>) {
    if bound.iter().any(|b| b == root) {
        return;
    }
    let r = Reference { root: root.to_string(), attrs, attribute };
    if !out.contains(&r) {
        out.push(r);
    }
}

fn walk(expr: &Expression, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    match expr {
        Expression::Variable(v) => push(out, bound, v.as_str(), Vec::new(), None),
        Expression::Traversal(t) => {
            match &t.expr {
                Expression::Variable(v) => {
                    let attrs = t
                        .operators
                        .iter()
                        .map_while(|op| match op {
                            TraversalOperator::GetAttr(id) => Some(id.as_str().to_string()),
                            _ => None,
                        })
                        .take(2)
                        .collect();
                    push(out, bound, v.as_str(), attrs, resource_attribute(v.as_str(), &t.operators));
                }
                other => walk(other, bound, out),
            }
            for op in &t.operators {
                if let TraversalOperator::Index(e) = op {
                    walk(e, bound, out);
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|e| walk(e, bound, out)),
        Expression::Object(obj) => {
            for (k, v) in obj.iter() {
                if let ObjectKey::Expression(e) = k {
                    walk(e, bound, out);
                }
                walk(v, bound, out);
            }
        }
        Expression::TemplateExpr(t) => {
            if let Ok(tpl) = Template::from_expr(t) {
                walk_template(&tpl, bound, out);
            }
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|e| walk(e, bound, out)),
        Expression::Parenthesis(e) => walk(e, bound, out),
        Expression::Conditional(c) => {
            walk(&c.cond_expr, bound, out);
            walk(&c.true_expr, bound, out);
            walk(&c.false_expr, bound, out);
        }
        Expression::Operation(op) => match &**op {
            hcl::expr::Operation::Unary(u) => walk(&u.expr, bound, out),
            hcl::expr::Operation::Binary(b) => {
                walk(&b.lhs_expr, bound, out);
                walk(&b.rhs_expr, bound, out);
            }
        },
        Expression::ForExpr(f) => {
            walk(&f.collection_expr, bound, out);
            let n = bound.len();
            bound.push(f.value_var.as_str().to_string());
            if let Some(k) = &f.key_var {
                bound.push(k.as_str().to_string());
            }
            if let Some(k) = &f.key_expr {
                walk(k, bound, out);
            }
            walk(&f.value_expr, bound, out);
            if let Some(c) = &f.cond_expr {
                walk(c, bound, out);
            }
            bound.truncate(n);
        }
        _ => {}
    }
}

fn walk_template(t: &Template, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    for e in t.elements() {
        match e {
            Element::Literal(_) => {}
            Element::Interpolation(i) => walk(&i.expr, bound, out),
            Element::Directive(d) => match &**d {
                Directive::If(dir) => {
                    walk(&dir.cond_expr, bound, out);
                    walk_template(&dir.true_template, bound, out);
                    if let Some(f) = &dir.false_template {
                        walk_template(f, bound, out);
                    }
                }
                Directive::For(dir) => {
                    walk(&dir.collection_expr, bound, out);
                    let n = bound.len();
                    bound.push(dir.value_var.as_str().to_string());
                    if let Some(k) = &dir.key_var {
                        bound.push(k.as_str().to_string());
                    }
                    walk_template(&dir.template, bound, out);
                    bound.truncate(n);
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<String> {
        let body: hcl::Body = hcl::from_str(&format!("v = {src}")).unwrap();
        let expr = body.attributes().next().unwrap().expr().clone();
        references(&expr).into_iter().map(|r| format!("{}.{}", r.root, r.attrs.join("."))).collect()
    }

    #[test]
    fn finds_roots_and_skips_bound_names() {
        assert_eq!(refs("var.a + local.b"), vec!["var.a", "local.b"]);
        assert_eq!(refs("[for x in var.l : x.id if x.ok]"), vec!["var.l"]);
        assert_eq!(refs("aws_instance.web[0].id"), vec!["aws_instance.web"]);
        assert_eq!(refs("module.net.subnet_ids"), vec!["module.net.subnet_ids"]);
        assert_eq!(refs("\"%{for s in var.xs}${s}-${local.sep}%{endfor}\""), vec!["var.xs", "local.sep"]);
        assert_eq!(refs("upper(each.value)"), vec!["each.value"]);
    }
}
