//! Decodes a body against a block schema: attributes, nested blocks, `dynamic` blocks.
//! Collects every problem as a diagnostic with the source range of the offending line.

use std::collections::BTreeMap;

use super::expr::{eval_expr, iteration_items};
use super::refs::{references_bound, Reference};
use super::{LocalScope, Scope};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::schema::{AttrType, BlockSchema, Nesting};
use crate::syntax::{Block, Body};
use crate::value::Value;

/// Evaluates `body` against `schema` into an object with every schema attribute present.
pub fn eval_body(body: &Body, schema: &BlockSchema, scope: &dyn Scope, skip: &[&str]) -> Result<Value, Diagnostics> {
    if schema.open {
        return Ok(Value::object(std::iter::empty::<(String, Value)>()));
    }
    let mut diags = Diagnostics::new();
    let mut out: BTreeMap<String, Value> = schema.attributes.keys().map(|k| (k.clone(), Value::Null)).collect();
    for a in &body.attributes {
        if skip.contains(&a.name.as_str()) {
            continue;
        }
        let Some(s) = schema.attributes.get(&a.name) else {
            diags.push(Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected here.", a.name)).at(Some(&a.range)));
            continue;
        };
        if s.computed && !s.optional && !s.required {
            diags.push(
                Diagnostic::error(
                    "Invalid Configuration for Read-Only Attribute",
                    format!("Cannot set value for \"{}\": the provider has marked it as read-only. Remove the configuration line setting the value.", a.name),
                )
                .at(Some(&a.range)),
            );
            continue;
        }
        match eval_expr(&a.expr, scope) {
            Ok(v) if s.unsupported && !v.is_null() => diags.push(
                Diagnostic::error(
                    "Argument not supported yet",
                    format!("The argument \"{}\" is in the provider's schema, but skyform does not implement it yet. Remove it (or set it to null) to use this resource with skyform.", a.name),
                )
                .at(Some(&a.range)),
            ),
            Ok(v) => {
                let v = match super::types::convert(v, &s.ty.into()) {
                    Ok(v) => v,
                    Err(why) => {
                        diags.push(
                            Diagnostic::error("Incorrect attribute value type", format!("Inappropriate value for attribute \"{}\": {why}.", a.name))
                                .at(Some(&a.expr_range)),
                        );
                        continue;
                    }
                };
                let v = if s.sensitive && !v.is_null() { v.mark() } else { v };
                out.insert(a.name.clone(), v);
            }
            Err(e) => diags.push(Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range))),
        }
    }
    for (name, s) in &schema.attributes {
        if s.required && body.attribute(name).is_none() {
            diags.push(Diagnostic::error("Missing required argument", format!("The argument \"{name}\" is required, but no definition was found.")));
        }
    }
    // Attributes of object-collection type written as repeated blocks.
    let mut as_blocks: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for b in &body.blocks {
        let Some(s) = schema.attributes.get(&b.kind).filter(|s| matches!(s.ty, AttrType::ListOfObject | AttrType::SetOfObject)) else { continue };
        if body.attribute(&b.kind).is_some() {
            diags.push(Diagnostic::error("Duplicate argument", format!("\"{}\" is set both as an argument and as blocks.", b.kind)).at(Some(&b.range)));
            continue;
        }
        if s.unsupported {
            diags.push(
                Diagnostic::error(
                    "Block not supported yet",
                    format!("Blocks of type \"{}\" are in the provider's schema, but skyform does not implement them yet. Remove the block to use this resource with skyform.", b.kind),
                )
                .at(Some(&b.range)),
            );
            continue;
        }
        match eval_body_dynamic(&b.body, scope, &[]) {
            Ok(v) => as_blocks.entry(b.kind.as_str()).or_default().push(v),
            Err(d) => diags.extend(d),
        }
    }
    for (name, items) in as_blocks {
        let set = schema.attributes[name].ty == AttrType::SetOfObject;
        out.insert(name.to_string(), if set { Value::set(items) } else { Value::List(items) });
    }
    for b in &body.blocks {
        let known = schema.blocks.contains_key(&b.kind)
            || schema.attributes.get(&b.kind).is_some_and(|s| matches!(s.ty, AttrType::ListOfObject | AttrType::SetOfObject))
            || (b.kind == "dynamic" && b.labels.first().is_some_and(|l| schema.blocks.contains_key(l)));
        if !known && !skip.contains(&b.kind.as_str()) {
            let what = if b.kind == "dynamic" { b.labels.first().cloned().unwrap_or_default() } else { b.kind.clone() };
            diags.push(Diagnostic::error("Unsupported block type", format!("Blocks of type \"{what}\" are not expected here.")).at(Some(&b.range)));
        }
    }
    for (name, nb) in &schema.blocks {
        let mut items = Vec::new();
        let mut unknown = false;
        for b in &body.blocks {
            let this = b.kind == *name || (b.kind == "dynamic" && b.labels.first() == Some(name));
            if this && nb.unsupported {
                diags.push(
                    Diagnostic::error(
                        "Block not supported yet",
                        format!("Blocks of type \"{name}\" are in the provider's schema, but skyform does not implement them yet. Remove the block to use this resource with skyform."),
                    )
                    .at(Some(&b.range)),
                );
                continue;
            }
            if b.kind == *name {
                match eval_body(&b.body, &nb.block, scope, &[]) {
                    Ok(v) => items.push(v),
                    Err(d) => diags.extend(d),
                }
            } else if b.kind == "dynamic" && b.labels.first() == Some(name) {
                match expand_dynamic(b, &nb.block, scope) {
                    Ok(Some(vs)) => items.extend(vs),
                    Ok(None) => unknown = true,
                    Err(d) => diags.extend(d),
                }
            }
        }
        if !unknown && items.len() < nb.min_items {
            diags.push(Diagnostic::error(format!("Insufficient {name} blocks"), format!("At least {} \"{name}\" blocks are required.", nb.min_items)));
        }
        let v = if unknown {
            Value::Unknown
        } else {
            match nb.nesting {
                Nesting::Single => {
                    if items.len() > 1 {
                        diags.push(Diagnostic::error("Too many blocks", format!("No more than 1 \"{name}\" block is allowed.")));
                    }
                    items.into_iter().next().unwrap_or(Value::Null)
                }
                Nesting::List => Value::List(items),
                Nesting::Set => Value::set(items),
            }
        };
        out.insert(name.clone(), v);
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(Value::Map(out.into()))
    }
}

/// The iterator name of a dynamic block: `iterator = name`, or the block's label.
fn iterator_name(b: &Block) -> String {
    b.body
        .attribute("iterator")
        .and_then(|a| match &a.expr {
            hcl::Expression::Variable(v) => Some(v.as_str().to_string()),
            _ => None,
        })
        .or_else(|| b.labels.first().cloned())
        .unwrap_or_default()
}

/// Expands a `dynamic` block into one object per element; None when for_each is unknown.
fn expand_dynamic(b: &Block, schema: &BlockSchema, scope: &dyn Scope) -> Result<Option<Vec<Value>>, Diagnostics> {
    let Some(fe) = b.body.attribute("for_each") else {
        return Err(Diagnostic::error("Missing required argument", "A dynamic block needs a \"for_each\" argument.").at(Some(&b.range)).into());
    };
    let Some(content) = b.body.blocks_of("content").next() else {
        return Err(Diagnostic::error("Missing content block", "A dynamic block needs a \"content\" block.").at(Some(&b.range)).into());
    };
    let coll = eval_expr(&fe.expr, scope).map_err(|e| Diagnostics::from(Diagnostic::error(e.summary, e.detail).at(Some(&fe.expr_range))))?;
    let Some((items, _)) = iteration_items(coll).map_err(|e| Diagnostics::from(Diagnostic::error(e.summary, e.detail).at(Some(&fe.expr_range))))? else {
        return Ok(None);
    };
    let it = iterator_name(b);
    let mut out = Vec::new();
    for (k, v) in items {
        let local = LocalScope { parent: scope, names: vec![(it.clone(), Value::object([("key", k), ("value", v)]))] };
        out.push(eval_body(&content.body, schema, &local, &[])?);
    }
    Ok(Some(out))
}

/// Evaluates a body without a schema: attributes into an object, blocks as lists by kind.
pub fn eval_body_dynamic(body: &Body, scope: &dyn Scope, skip: &[&str]) -> Result<Value, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut out = BTreeMap::new();
    for a in &body.attributes {
        if skip.contains(&a.name.as_str()) {
            continue;
        }
        match eval_expr(&a.expr, scope) {
            Ok(v) => {
                out.insert(a.name.clone(), v);
            }
            Err(e) => diags.push(Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range))),
        }
    }
    for b in &body.blocks {
        if skip.contains(&b.kind.as_str()) {
            continue;
        }
        match eval_body_dynamic(&b.body, scope, &[]) {
            Ok(v) => {
                if let Value::List(items) = out.entry(b.kind.clone()).or_insert_with(|| Value::List(Vec::new())) {
                    items.push(v)
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(Value::Map(out.into()))
    }
}

/// All references in a body with the range of the attribute they appear in.
pub fn body_references(body: &Body, skip: &[&str]) -> Vec<(Reference, SourceRange)> {
    let mut out = Vec::new();
    collect(body, skip, &mut Vec::new(), &mut out);
    out
}

fn collect(body: &Body, skip: &[&str], bound: &mut Vec<String>, out: &mut Vec<(Reference, SourceRange)>) {
    for a in &body.attributes {
        if skip.contains(&a.name.as_str()) {
            continue;
        }
        out.extend(references_bound(&a.expr, bound).into_iter().map(|r| (r, a.expr_range.clone())));
    }
    for b in &body.blocks {
        if skip.contains(&b.kind.as_str()) {
            continue;
        }
        if b.kind == "dynamic" {
            if let Some(fe) = b.body.attribute("for_each") {
                out.extend(references_bound(&fe.expr, bound).into_iter().map(|r| (r, fe.expr_range.clone())));
            }
            bound.push(iterator_name(b));
            for c in b.body.blocks_of("content") {
                collect(&c.body, &[], bound, out);
            }
            bound.pop();
        } else {
            collect(&b.body, &[], bound, out);
        }
    }
}
