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

/// One step of a module path: a module call's name and, for a call with `count` or
/// `for_each`, the instance key (`module.app["eu"]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<InstanceKey>,
}

/// A module path: empty for the root module, else `module.a.module.b`. As a configuration
/// path (graph nodes, [`crate::config::module_at`]) its steps have no keys; as a module
/// *instance* path (resource addresses in plan and state) a step of a repeated call carries
/// its key: `module.app["eu"].module.net`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ModulePath(pub Vec<ModuleStep>);

impl ModulePath {
    pub fn root() -> ModulePath {
        ModulePath(Vec::new())
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
    /// The path of the call `name` (without a key) in this module.
    pub fn child(&self, name: &str) -> ModulePath {
        self.child_instance(name, None)
    }
    /// The path of instance `key` of the call `name` in this module.
    pub fn child_instance(&self, name: &str, key: Option<InstanceKey>) -> ModulePath {
        let mut v = self.0.clone();
        v.push(ModuleStep { name: name.to_string(), key });
        ModulePath(v)
    }
    /// The parent path and the last call's name.
    pub fn parent(&self) -> Option<(ModulePath, &str)> {
        let (last, rest) = self.0.split_last()?;
        Some((ModulePath(rest.to_vec()), last.name.as_str()))
    }
    /// The last step's instance key.
    pub fn last_key(&self) -> Option<&InstanceKey> {
        self.0.last().and_then(|s| s.key.as_ref())
    }
    /// The module call names from the root.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| s.name.as_str())
    }
    /// The configuration path of a module instance path: the same calls without keys.
    pub fn without_keys(&self) -> ModulePath {
        ModulePath(self.0.iter().map(|s| ModuleStep { name: s.name.clone(), key: None }).collect())
    }
    /// Whether every step is keyless.
    pub fn is_static(&self) -> bool {
        self.0.iter().all(|s| s.key.is_none())
    }
    /// Whether this path (a target such as `module.app["eu"]`) leads to `other`: its steps are
    /// `other`'s first steps by name and, when `keys`, by key wherever this path gives one.
    pub fn leads(&self, other: &ModulePath, keys: bool) -> bool {
        self.0.len() <= other.0.len() && self.0.iter().zip(&other.0).all(|(w, h)| w.name == h.name && (!keys || w.key.is_none() || w.key == h.key))
    }

    /// The instance of the module at configuration path `module` that this instance path lies
    /// in (`module.app["eu"]` for `module.app` and `module.app["eu"].module.x`), if any.
    pub fn instance_of(&self, module: &ModulePath) -> Option<ModulePath> {
        let n = module.0.len();
        (self.0.len() >= n && self.prefix(n).without_keys() == *module).then(|| self.prefix(n))
    }

    /// The first `n` steps.
    pub fn prefix(&self, n: usize) -> ModulePath {
        ModulePath(self.0[..n.min(self.0.len())].to_vec())
    }
    /// Parses `module.a["x"].module.b` (the whole input must be a module path).
    pub fn parse(input: &str) -> Result<ModulePath, AddrError> {
        let (path, rest) = parse_module_prefix(input).map_err(|reason| AddrError { input: input.to_string(), reason })?;
        if !rest.is_empty() {
            return Err(AddrError { input: input.to_string(), reason: "expected a module address such as module.app or module.app[\"eu\"]".into() });
        }
        Ok(path)
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ".")?;
            }
            write!(f, "module.{}", m.name)?;
            if let Some(k) = &m.key {
                write!(f, "{k}")?;
            }
        }
        Ok(())
    }
}

/// Reads leading `module.NAME[KEY].` steps; returns the path and the rest of the input (after
/// the dot that ends the last step, or empty).
fn parse_module_prefix(input: &str) -> Result<(ModulePath, &str), String> {
    let mut rest = input;
    let mut steps = Vec::new();
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let name = &after[..end];
        if name.is_empty() {
            return Err("empty module name".into());
        }
        let mut tail = &after[end..];
        let mut key = None;
        if tail.starts_with('[') {
            let (k, used) = parse_key(tail)?;
            key = Some(k);
            tail = &tail[used..];
        }
        steps.push(ModuleStep { name: name.to_string(), key });
        if tail.is_empty() {
            rest = tail;
            break;
        }
        rest = tail.strip_prefix('.').ok_or_else(|| format!("unexpected {tail:?} after module.{name}"))?;
        if rest.is_empty() {
            return Err("the address ends with a dot".into());
        }
    }
    Ok((ModulePath(steps), rest))
}

/// Parses `[0]` or `["key"]` at the start of `s`; returns the key and the bytes used.
fn parse_key(s: &str) -> Result<(InstanceKey, usize), String> {
    let inner = &s[1..];
    if inner.starts_with('"') {
        // A JSON string: find its closing quote, honouring escapes.
        let mut escaped = false;
        for (i, c) in inner.char_indices().skip(1) {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let text = &inner[..=i];
                    let key: String = serde_json::from_str(text).map_err(|_| "invalid string key".to_string())?;
                    if !inner[i + 1..].starts_with(']') {
                        return Err("expected ] after the key".into());
                    }
                    return Ok((InstanceKey::Str(key), 1 + i + 2));
                }
                _ => escaped = false,
            }
        }
        return Err("unterminated string key".into());
    }
    let close = inner.find(']').ok_or_else(|| "unterminated index".to_string())?;
    let n = inner[..close].trim().parse::<i64>().map_err(|_| "an index must be a number or a quoted string".to_string())?;
    Ok((InstanceKey::Int(n), close + 2))
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
        let (module, rest) = parse_module_prefix(input).map_err(|r| err(&r))?;
        let (body, key) = match rest.find('[') {
            Some(open) => {
                let (k, used) = parse_key(&rest[open..]).map_err(|r| err(&r))?;
                if open + used != rest.len() {
                    return Err(err("unexpected text after the instance key"));
                }
                (&rest[..open], Some(k))
            }
            None => (rest, None),
        };
        let parts: Vec<&str> = body.split('.').collect();
        let (mode, t, n) = match parts.as_slice() {
            ["data", t, n] => (ResourceMode::Data, *t, *n),
            [t, n] => (ResourceMode::Managed, *t, *n),
            _ => return Err(err("expected a resource address such as aws_s3_bucket.example")),
        };
        if t.is_empty() || n.is_empty() {
            return Err(err("empty resource type or name"));
        }
        Ok(ResourceAddr::new(module, mode, t, n).instance(key))
    }
}

/// What `state mv`, a `moved` block or a `removed` block names: a module (call or instance)
/// or a resource (or one of its instances).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectAddr {
    Module(ModulePath),
    Resource(ResourceInstanceAddr),
}

impl fmt::Display for ObjectAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectAddr::Module(m) => write!(f, "{m}"),
            ObjectAddr::Resource(r) => write!(f, "{r}"),
        }
    }
}

impl ObjectAddr {
    pub fn parse(input: &str) -> Result<ObjectAddr, AddrError> {
        match ResourceInstanceAddr::parse(input) {
            Ok(r) => Ok(ObjectAddr::Resource(r)),
            Err(e) => match ModulePath::parse(input) {
                Ok(m) if !m.is_root() => Ok(ObjectAddr::Module(m)),
                _ => Err(e),
            },
        }
    }

    /// This address inside module instance `prefix` (a `moved` block in a module names
    /// objects relative to it).
    pub fn within(&self, prefix: &ModulePath) -> ObjectAddr {
        let join = |m: &ModulePath| ModulePath(prefix.0.iter().chain(&m.0).cloned().collect());
        match self {
            ObjectAddr::Module(m) => ObjectAddr::Module(join(m)),
            ObjectAddr::Resource(r) => ObjectAddr::Resource(ResourceInstanceAddr {
                resource: ResourceAddr { module: join(&r.resource.module), ..r.resource.clone() },
                key: r.key.clone(),
            }),
        }
    }

    /// Where instance `addr` goes when `self` moves to `to`, or None when `self` does not name
    /// it. A module call or resource named without a key names all its instances, which keep
    /// their keys unless `to` gives one; with a key, only that instance.
    pub fn relocate(&self, to: &ObjectAddr, addr: &ResourceInstanceAddr) -> Option<ResourceInstanceAddr> {
        match (self, to) {
            (ObjectAddr::Module(from), ObjectAddr::Module(to)) => {
                let n = from.0.len();
                let steps = &addr.resource.module.0;
                if steps.len() < n || steps[..n - 1] != from.0[..n - 1] {
                    return None;
                }
                let (last, have) = (&from.0[n - 1], &steps[n - 1]);
                if last.name != have.name
                    || (last.key.is_some() && last.key != have.key)
                    || (last.key.is_none() && to.last_key().is_some() && have.key.is_some())
                {
                    return None;
                }
                let mut new = to.0.clone();
                if let Some(l) = new.last_mut() {
                    if l.key.is_none() && last.key.is_none() {
                        l.key = have.key.clone();
                    }
                }
                new.extend(steps[n..].iter().cloned());
                let resource = ResourceAddr { module: ModulePath(new), ..addr.resource.clone() };
                Some(ResourceInstanceAddr { resource, key: addr.key.clone() })
            }
            (ObjectAddr::Resource(from), ObjectAddr::Resource(to)) => {
                if from.resource != addr.resource {
                    return None;
                }
                let key = match (&from.key, &to.key) {
                    (Some(k), _) if addr.key.as_ref() != Some(k) => return None,
                    (Some(_), k) => k.clone(),
                    (None, Some(k)) if addr.key.is_none() => Some(k.clone()),
                    (None, Some(_)) => return None,
                    (None, None) => addr.key.clone(),
                };
                Some(ResourceInstanceAddr { resource: to.resource.clone(), key })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for s in [
            "aws_s3_bucket.b",
            "module.net.aws_subnet.a[\"x y\"]",
            "data.aws_vpc.main",
            "module.a.module.b.local_file.f[3]",
            "module.app[\"e.u]\"].module.net[2].data.aws_vpc.v",
            "module.app[0].x.y[\"k\"]",
        ] {
            assert_eq!(ResourceInstanceAddr::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(ResourceInstanceAddr::parse("justone").is_err());
        assert!(ResourceInstanceAddr::parse("a.b[x]").is_err());
        assert!(ResourceInstanceAddr::parse("module.a[\"x\"]").is_err());
        assert!(ResourceInstanceAddr::parse("module.a[\"x].b.c").is_err());
        assert!(ResourceInstanceAddr::parse("module.a.b.c[1]x").is_err());
    }

    #[test]
    fn relocation() {
        let at = |s: &str| ResourceInstanceAddr::parse(s).unwrap();
        let o = |s: &str| ObjectAddr::parse(s).unwrap();
        let mv = |from: &str, to: &str, addr: &str| o(from).relocate(&o(to), &at(addr)).map(|a| a.to_string());
        assert_eq!(mv("a.x", "a.y", "a.x[1]").as_deref(), Some("a.y[1]"));
        assert_eq!(mv("a.x[0]", "a.x[\"p\"]", "a.x[0]").as_deref(), Some("a.x[\"p\"]"));
        assert_eq!(mv("a.x[0]", "a.x[\"p\"]", "a.x[1]"), None);
        assert_eq!(mv("a.x", "a.x[0]", "a.x").as_deref(), Some("a.x[0]"));
        assert_eq!(mv("a.x", "module.m.a.x", "a.x").as_deref(), Some("module.m.a.x"));
        assert_eq!(mv("module.m", "module.n", "module.m[\"k\"].module.i.a.x").as_deref(), Some("module.n[\"k\"].module.i.a.x"));
        assert_eq!(mv("module.m[\"k\"]", "module.n", "module.m[\"k\"].a.x").as_deref(), Some("module.n.a.x"));
        assert_eq!(mv("module.m[\"k\"]", "module.n", "module.m[\"j\"].a.x"), None);
        assert_eq!(mv("module.m", "module.n", "module.mm.a.x"), None);
        assert_eq!(mv("module.m", "a.x", "module.m.a.x"), None);
    }

    #[test]
    fn module_paths() {
        let p = ModulePath::parse("module.app[\"eu\"].module.net").unwrap();
        assert_eq!(p.to_string(), "module.app[\"eu\"].module.net");
        assert_eq!(p.without_keys().to_string(), "module.app.module.net");
        assert!(ModulePath::parse("module.app.x").is_err());
    }
}
