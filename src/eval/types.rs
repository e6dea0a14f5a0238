//! Terraform type constraints (`string`, `list(number)`, `map(object({ a = optional(string, "x") }))`,
//! `any`, ...) and conversion of values to them, with Terraform's rules: numbers and bools convert
//! to and from strings, tuples to lists and sets, objects to maps, optional attributes get their
//! defaults, unknowns stay unknown and marks are kept.

use std::collections::BTreeMap;

use hcl::expr::{FuncCall, ObjectKey};
use hcl::Expression;

use crate::schema::AttrType;
use crate::value::{format_number, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, ObjectAttr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectAttr {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
}

impl Type {
    /// Parses a type constraint expression.
    pub fn from_expr(expr: &Expression) -> Result<Type, String> {
        match expr {
            Expression::Variable(v) => match v.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "any" => Ok(Type::Any),
                other => Err(format!("The keyword \"{other}\" is not a valid type specification.")),
            },
            Expression::FuncCall(f) => Type::from_call(f),
            Expression::Parenthesis(e) => Type::from_expr(e),
            _ => {
                Err("A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string)."
                    .into())
            }
        }
    }

    fn from_call(f: &FuncCall) -> Result<Type, String> {
        let name = f.name.name.as_str();
        let one = || -> Result<Type, String> {
            match f.args.as_slice() {
                [a] => Type::from_expr(a),
                _ => Err(format!("The {name} type constructor requires one argument specifying the element type.")),
            }
        };
        match name {
            "list" => Ok(Type::List(Box::new(one()?))),
            "set" => Ok(Type::Set(Box::new(one()?))),
            "map" => Ok(Type::Map(Box::new(one()?))),
            "tuple" => match f.args.as_slice() {
                [Expression::Array(items)] => Ok(Type::Tuple(items.iter().map(Type::from_expr).collect::<Result<_, _>>()?)),
                _ => Err("The tuple type constructor requires one argument specifying the element types as a list.".into()),
            },
            "object" => match f.args.as_slice() {
                [Expression::Object(obj)] => {
                    let mut attrs = BTreeMap::new();
                    for (k, v) in obj.iter() {
                        let key = match k {
                            ObjectKey::Identifier(id) => id.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.clone(),
                            ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                            _ => return Err("Object constructor map keys must be attribute names.".into()),
                        };
                        attrs.insert(key, ObjectAttr::from_expr(v)?);
                    }
                    Ok(Type::Object(attrs))
                }
                _ => Err("The object type constructor requires one argument specifying the attribute types as a map.".into()),
            },
            "optional" => Err("Keyword \"optional\" is valid only as a modifier for object type attributes.".into()),
            other => Err(format!("Keyword \"{other}\" is not a valid type constructor.")),
        }
    }

    /// The type's name as Terraform prints it.
    pub fn name(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list of {}", t.name()),
            Type::Set(t) => format!("set of {}", t.name()),
            Type::Map(t) => format!("map of {}", t.name()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }
}

impl From<AttrType> for Type {
    /// The type constraint a provider schema's attribute type converts values to.
    fn from(t: AttrType) -> Type {
        match t {
            AttrType::Any => Type::Any,
            AttrType::String => Type::String,
            AttrType::Number => Type::Number,
            AttrType::Bool => Type::Bool,
            AttrType::ListOfString => Type::List(Box::new(Type::String)),
            AttrType::SetOfString => Type::Set(Box::new(Type::String)),
            AttrType::MapOfString => Type::Map(Box::new(Type::String)),
            AttrType::ListOfNumber => Type::List(Box::new(Type::Number)),
            AttrType::SetOfNumber => Type::Set(Box::new(Type::Number)),
            AttrType::MapOfNumber => Type::Map(Box::new(Type::Number)),
            AttrType::MapOfBool => Type::Map(Box::new(Type::Bool)),
            AttrType::ListOfObject | AttrType::SetOfObject => Type::Any,
        }
    }
}

impl ObjectAttr {
    fn from_expr(expr: &Expression) -> Result<ObjectAttr, String> {
        if let Expression::FuncCall(f) = expr {
            if f.name.name.as_str() == "optional" {
                let ty = match f.args.first() {
                    Some(a) => Type::from_expr(a)?,
                    None => return Err("The optional modifier requires a type argument.".into()),
                };
                let default = match f.args.get(1) {
                    Some(d) => Some(convert(super::eval_literal(d).map_err(|e| e.detail)?, &ty)?),
                    None => None,
                };
                return Ok(ObjectAttr { ty, optional: true, default });
            }
        }
        Ok(ObjectAttr { ty: Type::from_expr(expr)?, optional: false, default: None })
    }
}

/// Converts a value to a type constraint; the error says what was wrong, Terraform-style.
pub fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    let (v, marked) = value.unmark();
    let out = convert_plain(v, ty)?;
    Ok(out.mark_if(marked))
}

fn convert_plain(v: Value, ty: &Type) -> Result<Value, String> {
    if matches!(v, Value::Unknown | Value::Null) || *ty == Type::Any {
        return Ok(v);
    }
    match ty {
        Type::Any => Ok(v),
        Type::String => match v {
            Value::String(_) => Ok(v),
            Value::Number(n) => Ok(Value::String(format_number(n))),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(format!("string required, but have {}", other.type_name())),
        },
        Type::Number => match v {
            Value::Number(_) => Ok(v),
            // As cty: a finite decimal number, without surrounding spaces.
            Value::String(s) => match s.parse::<f64>() {
                Ok(n) if n.is_finite() && s.trim() == s => Ok(Value::Number(n)),
                _ => Err(format!("a number is required, but \"{s}\" is not a number")),
            },
            other => Err(format!("number required, but have {}", other.type_name())),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v),
            // As cty: "1" and "0" convert too.
            Value::String(s) if matches!(s.as_str(), "true" | "false" | "1" | "0") => Ok(Value::Bool(s == "true" || s == "1")),
            other => Err(format!("bool required, but have {}", other.type_name())),
        },
        Type::List(et) | Type::Set(et) => {
            let items = match v {
                Value::List(items) | Value::Set(items) => items,
                other => return Err(format!("{} required, but have {}", ty.name(), other.type_name())),
            };
            let items = items.into_iter().enumerate().map(|(i, x)| convert(x, et).map_err(|e| format!("element {i}: {e}"))).collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) { Value::set(items) } else { Value::List(items) })
        }
        Type::Map(et) => match v {
            Value::Map(m) => Ok(Value::Map(
                std::sync::Arc::unwrap_or_clone(m)
                    .into_iter()
                    .map(|(k, x)| convert(x, et).map(|x| (k.clone(), x)).map_err(|e| format!("element {k:?}: {e}")))
                    .collect::<Result<BTreeMap<_, _>, _>>()?
                    .into(),
            )),
            other => Err(format!("{} required, but have {}", ty.name(), other.type_name())),
        },
        Type::Tuple(types) => match v {
            Value::List(items) | Value::Set(items) if items.len() == types.len() => Ok(Value::List(
                items.into_iter().zip(types).enumerate().map(|(i, (x, t))| convert(x, t).map_err(|e| format!("element {i}: {e}"))).collect::<Result<_, _>>()?,
            )),
            Value::List(items) | Value::Set(items) => Err(format!("tuple required with {} elements, but have {}", types.len(), items.len())),
            other => Err(format!("tuple required, but have {}", other.type_name())),
        },
        Type::Object(attrs) => match v {
            Value::Map(m) => {
                let mut out = BTreeMap::new();
                for (name, a) in attrs {
                    match m.get(name).cloned() {
                        Some(x) if !(x.is_null() && a.optional) => {
                            out.insert(name.clone(), convert(x, &a.ty).map_err(|e| format!("attribute \"{name}\": {e}"))?);
                        }
                        _ if a.optional => {
                            out.insert(name.clone(), a.default.clone().unwrap_or(Value::Null));
                        }
                        _ => return Err(format!("attribute \"{name}\" is required")),
                    }
                }
                Ok(Value::Map(out.into()))
            }
            other => Err(format!("object required, but have {}", other.type_name())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        let body: hcl::Body = hcl::from_str(&format!("t = {src}")).unwrap();
        Type::from_expr(body.attributes().next().unwrap().expr()).unwrap()
    }

    #[test]
    fn parses_and_converts() {
        assert_eq!(convert(Value::Number(5.0), &ty("string")).unwrap(), Value::string("5"));
        assert_eq!(convert(Value::string("2"), &ty("number")).unwrap(), Value::Number(2.0));
        assert!(convert(Value::string("x"), &ty("number")).is_err());
        // cty's string conversions: no spaces around a number; "1" and "0" are bools.
        assert!(convert(Value::string(" 42"), &ty("number")).is_err());
        assert!(convert(Value::string("inf"), &ty("number")).is_err());
        assert_eq!(convert(Value::string("1"), &ty("bool")).unwrap(), Value::Bool(true));
        assert_eq!(convert(Value::string("0"), &ty("bool")).unwrap(), Value::Bool(false));
        assert!(convert(Value::string("True"), &ty("bool")).is_err());
        let t = ty("object({ a = string, b = optional(number, 7) })");
        let v = convert(Value::object([("a", Value::string("x"))]), &t).unwrap();
        assert_eq!(v, Value::object([("a", Value::string("x")), ("b", Value::Number(7.0))]));
        assert!(convert(Value::object([("b", Value::Number(1.0))]), &t).unwrap_err().contains("\"a\" is required"));
        let s = convert(Value::List(vec![Value::string("b"), Value::string("a"), Value::string("b")]), &ty("set(string)")).unwrap();
        assert_eq!(s, Value::Set(vec![Value::string("a"), Value::string("b")]));
        assert_eq!(convert(Value::Unknown, &ty("list(string)")).unwrap(), Value::Unknown);
        assert!(convert(Value::string("s").mark(), &ty("string")).unwrap().is_sensitive());
    }
}
