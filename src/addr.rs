//! Addresses of resources, module instances and providers.
//!
//! Immutable values; `Display` prints HCL syntax (`module.net.aws_subnet.a["x"]`) and
//! [`ResourceInstanceAddr::parse`] reads it back (for `-target`, `-replace`, `state` commands).

use std::fmt;

/// The key of one instance of a resource with `count` (Int) or `for_each` (Str).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum InstanceKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// A module instance path: empty for the root module, else `module.a.module.b`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ModulePath(pub Vec<String>);

impl ModulePath {
    pub fn root() -> ModulePath {
        ModulePath(Vec::new())
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
    pub fn child(&self, name: &str) -> ModulePath {
        let mut v = self.0.clone();
        v.push(name.to_string());
        ModulePath(v)
    }
    pub fn parent(&self) -> Option<(ModulePath, &str)> {
        let (last, rest) = self.0.split_last()?;
        Some((ModulePath(rest.to_vec()), last))
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ".")?;
            }
            write!(f, "module.{m}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum ResourceMode {
    Managed,
    Data,
}

/// A resource in a module (all of its instances): `module.m.aws_s3_bucket.b`, `data.aws_vpc.main`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ResourceAddr {
    pub module: ModulePath,
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn new(module: ModulePath, mode: ResourceMode, type_name: &str, name: &str) -> ResourceAddr {
        ResourceAddr { module, mode, type_name: type_name.to_string(), name: name.to_string() }
    }
    pub fn instance(&self, key: Option<InstanceKey>) -> ResourceInstanceAddr {
        ResourceInstanceAddr { resource: self.clone(), key }
    }
    /// The address inside its module, without the module path (`aws_s3_bucket.b`).
    pub fn local(&self) -> String {
        match self.mode {
            ResourceMode::Managed => format!("{}.{}", self.type_name, self.name),
            ResourceMode::Data => format!("data.{}.{}", self.type_name, self.name),
        }
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        write!(f, "{}", self.local())
    }
}

/// One instance of a resource: `aws_instance.web[0]`, `local_file.page["index"]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ResourceInstanceAddr {
    pub resource: ResourceAddr,
    pub key: Option<InstanceKey>,
}

impl fmt::Display for ResourceInstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        if let Some(k) = &self.key {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("Invalid address {input:?}: {reason}.")]
pub struct AddrError {
    pub input: String,
    pub reason: String,
}

impl ResourceInstanceAddr {
    /// Parses `module.a.type.name[key]` or `data.type.name`. A resource address without a key
    /// parses with `key: None`; callers that target whole resources treat that as "all instances".
    pub fn parse(input: &str) -> Result<ResourceInstanceAddr, AddrError> {
        let err = |reason: &str| AddrError { input: input.to_string(), reason: reason.to_string() };
        let (body, key) = split_key(input).map_err(|r| err(&r))?;
        let parts: Vec<&str> = body.split('.').collect();
        let mut i = 0;
        let mut module = Vec::new();
        while i + 1 < parts.len() && parts[i] == "module" {
            module.push(parts[i + 1].to_string());
            i += 2;
        }
        let rest = &parts[i..];
        let (mode, t, n) = match rest {
            ["data", t, n] => (ResourceMode::Data, *t, *n),
            [t, n] => (ResourceMode::Managed, *t, *n),
            _ => return Err(err("expected a resource address such as aws_s3_bucket.example")),
        };
        if t.is_empty() || n.is_empty() {
            return Err(err("empty resource type or name"));
        }
        Ok(ResourceAddr::new(ModulePath(module), mode, t, n).instance(key))
    }
}

fn split_key(input: &str) -> Result<(&str, Option<InstanceKey>), String> {
    let Some(open) = input.rfind('[') else { return Ok((input, None)) };
    if !input.ends_with(']') {
        return Err("unterminated index".into());
    }
    let inner = &input[open + 1..input.len() - 1];
    let key = if let Ok(i) = inner.parse::<i64>() {
        InstanceKey::Int(i)
    } else if inner.starts_with('"') && inner.ends_with('"') && inner.len() >= 2 {
        InstanceKey::Str(serde_json::from_str(inner).map_err(|_| "invalid string key".to_string())?)
    } else {
        return Err("an index must be a number or a quoted string".into());
    };
    Ok((&input[..open], Some(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for s in ["aws_s3_bucket.b", "module.net.aws_subnet.a[\"x y\"]", "data.aws_vpc.main", "module.a.module.b.local_file.f[3]"] {
            assert_eq!(ResourceInstanceAddr::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(ResourceInstanceAddr::parse("justone").is_err());
        assert!(ResourceInstanceAddr::parse("a.b[x]").is_err());
    }
}
