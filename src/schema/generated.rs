//! The providers' own schemas, generated from their published machine-readable form by
//! `scripts/gen-schemas` into `src/schema/generated/<provider>.jsonl` (format and sources in
//! that folder's README). They tell every resource type and data source of every provider
//! skyform knows, with every argument and nested block, whether or not skyform implements it.
//!
//! Nothing is parsed until asked for: the first lookup in a provider indexes its file by type
//! name (a scan for line ends), and each type's line is decoded on first use and kept for the
//! process. [`merge`] lays a driver's own schema (what it implements, with behaviour the
//! published schemas do not carry: force-new, defaults) over the generated one, so a driver
//! accepts every argument of the provider's schema and rejects, when set, those it does not
//! implement.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::{AttrType, AttributeSchema, BlockSchema, NestedBlock, Nesting, ResourceSchema};

/// Whether a type is a managed resource or a data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Resource,
    Data,
}

/// One provider's generated file: `(local name, file text)`.
const FILES: &[(&str, &str)] = &[
    ("archive", include_str!("generated/archive.jsonl")),
    ("aws", include_str!("generated/aws.jsonl")),
    ("azurerm", include_str!("generated/azurerm.jsonl")),
    ("digitalocean", include_str!("generated/digitalocean.jsonl")),
    ("external", include_str!("generated/external.jsonl")),
    ("google", include_str!("generated/google.jsonl")),
    ("http", include_str!("generated/http.jsonl")),
    ("local", include_str!("generated/local.jsonl")),
    ("null", include_str!("generated/null.jsonl")),
    ("random", include_str!("generated/random.jsonl")),
    ("time", include_str!("generated/time.jsonl")),
    ("tls", include_str!("generated/tls.jsonl")),
];

/// The local names of the providers whose schemas skyform knows.
pub fn providers() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _)| *n)
}

/// A provider's file, indexed by type.
struct Index {
    /// The header line's fields: source address and provider version.
    source: String,
    version: String,
    provider_line: Option<&'static str>,
    lines: HashMap<(Kind, &'static str), &'static str>,
}

fn index(provider: &str) -> Option<&'static Index> {
    static INDEXES: OnceLock<Mutex<HashMap<&'static str, &'static Index>>> = OnceLock::new();
    let (name, text) = FILES.iter().find(|(n, _)| *n == provider)?;
    let mut all = INDEXES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = all.get(name) {
        return Some(i);
    }
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next()?).ok()?;
    let field = |k: &str| header.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let mut idx = Index { source: field("source"), version: field("version"), provider_line: None, lines: HashMap::new() };
    for line in lines {
        // Keys are sorted, so a line ends `"kind":"...","type":"..."}` (the provider line has no type).
        if line.ends_with(r#""kind":"provider"}"#) {
            idx.provider_line = Some(line);
            continue;
        }
        let Some((head, ty)) = line.rsplit_once(r#","type":""#) else { continue };
        let ty = ty.trim_end_matches("\"}");
        let kind = if head.ends_with(r#""kind":"data""#) { Kind::Data } else { Kind::Resource };
        idx.lines.insert((kind, ty), line);
    }
    let leaked: &'static Index = Box::leak(Box::new(idx));
    all.insert(name, leaked);
    Some(leaked)
}

/// The provider's source address and version the generated schema describes
/// (`("hashicorp/aws", "6.45.0")`).
pub fn provider_version(provider: &str) -> Option<(&'static str, &'static str)> {
    index(provider).map(|i| (i.source.as_str(), i.version.as_str()))
}

/// Every type name of a kind in a provider's schema, sorted.
pub fn type_names(provider: &str, kind: Kind) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = index(provider).map(|i| i.lines.keys().filter(|(k, _)| *k == kind).map(|(_, t)| *t).collect()).unwrap_or_default();
    v.sort_unstable();
    v
}

/// The generated schema of a resource type or data source, decoded once per process.
pub fn schema(provider: &str, kind: Kind, type_name: &str) -> Option<&'static ResourceSchema> {
    static DECODED: OnceLock<Mutex<HashMap<(Kind, String), &'static ResourceSchema>>> = OnceLock::new();
    let idx = index(provider)?;
    let line = *idx.lines.get(&(kind, type_name))?;
    let mut all = DECODED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = all.get(&(kind, type_name.to_string())) {
        return Some(s);
    }
    let decoded = ResourceSchema { version: 0, block: decode_line(line)? };
    let leaked: &'static ResourceSchema = Box::leak(Box::new(decoded));
    all.insert((kind, type_name.to_string()), leaked);
    Some(leaked)
}

/// The generated schema of a provider's own configuration block.
pub fn provider_block(provider: &str) -> Option<BlockSchema> {
    decode_line(index(provider)?.provider_line?)
}

/// A provider factory's own `provider` block schema completed with the published one (its
/// other arguments accepted when null, rejected when set); the own one alone for a provider
/// with no published schema.
pub fn provider_block_with(provider: &str, own: BlockSchema) -> BlockSchema {
    match provider_block(provider) {
        Some(g) => merge(&g, own),
        None => own,
    }
}

fn decode_line(line: &str) -> Option<BlockSchema> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v.get("block").map(decode_block)
}

/// Decodes `{"a":{name:[type,flags]},"b":{name:[nesting,min,max,block]}}`.
fn decode_block(v: &serde_json::Value) -> BlockSchema {
    let mut out = BlockSchema::default();
    if let Some(attrs) = v.get("a").and_then(|a| a.as_object()) {
        for (name, spec) in attrs {
            let ty = spec.get(0).and_then(|t| t.as_str()).unwrap_or("dynamic");
            let flags = spec.get(1).and_then(|f| f.as_str()).unwrap_or("o");
            let a = AttributeSchema {
                required: flags.contains('r'),
                optional: flags.contains('o'),
                computed: flags.contains('c'),
                sensitive: flags.contains('s'),
                ty: AttrType::parse(ty),
                ..AttributeSchema::default()
            };
            out.attributes.insert(name.clone(), a);
        }
    }
    if let Some(blocks) = v.get("b").and_then(|b| b.as_object()) {
        for (name, spec) in blocks {
            let nesting = match spec.get(0).and_then(|n| n.as_str()) {
                Some("single") => Nesting::Single,
                Some("set") => Nesting::Set,
                _ => Nesting::List,
            };
            let min_items = spec.get(1).and_then(|m| m.as_u64()).unwrap_or(0) as usize;
            let max_items = spec.get(2).and_then(|m| m.as_u64()).map(|m| m as usize);
            let block = spec.get(3).map(decode_block).unwrap_or_default();
            out.blocks.insert(name.clone(), NestedBlock { nesting, block, min_items, max_items, as_attribute: false, unsupported: false });
        }
    }
    out
}

/// A driver's schema laid over the provider's: the driver's attributes and blocks as it declares
/// them, plus every other argument and block of the provider's schema, marked unsupported
/// (accepted when null or absent, an error when set). Computed-only attributes the driver does
/// not fill are left out, so a reference to one is an error rather than a silent null.
pub fn merge(generated: &BlockSchema, own: BlockSchema) -> BlockSchema {
    let mut out = own;
    for (name, a) in &generated.attributes {
        if out.attributes.contains_key(name) || out.blocks.contains_key(name) || !(a.optional || a.required) {
            continue;
        }
        let a = AttributeSchema { required: false, optional: true, computed: false, force_new: false, unsupported: true, ..*a };
        out.attributes.insert(name.clone(), a);
    }
    for (name, nb) in &generated.blocks {
        match out.blocks.get_mut(name) {
            Some(mine) => {
                let merged = merge(&nb.block, std::mem::take(&mut mine.block));
                mine.block = merged;
            }
            None if !out.attributes.contains_key(name) => {
                let mut b = nb.clone();
                b.unsupported = true;
                b.min_items = 0;
                out.blocks.insert(name.clone(), b);
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_file_indexes_and_decodes() {
        for p in providers() {
            let (source, version) = provider_version(p).unwrap_or_else(|| panic!("{p}: no header"));
            assert!(source.ends_with(p) && !version.is_empty(), "{p}: {source} {version}");
            assert!(provider_block(p).is_some(), "{p}: no provider block");
            let types = type_names(p, Kind::Resource);
            let data = type_names(p, Kind::Data);
            assert!(!types.is_empty() || !data.is_empty(), "{p}: no types");
            for t in types.iter().take(50) {
                assert!(schema(p, Kind::Resource, t).is_some(), "{p}: {t} does not decode");
            }
        }
    }

    #[test]
    fn aws_instance_has_every_argument() {
        let s = schema("aws", Kind::Resource, "aws_instance").expect("aws_instance");
        let args = s.block.attributes.values().filter(|a| a.optional || a.required).count() + s.block.blocks.len();
        assert_eq!(args, 53, "aws_instance arguments");
        assert!(s.block.attributes["public_ip"].computed);
        assert_eq!(s.block.attributes["vpc_security_group_ids"].ty, AttrType::SetOfString);
        // A block of at most one is a list of one, as in Terraform's schema and state.
        let root = &s.block.blocks["root_block_device"];
        assert_eq!((root.nesting, root.max_items), (Nesting::List, Some(1)));
        assert_eq!(s.block.blocks["timeouts"].nesting, Nesting::Single);
    }

    #[test]
    fn merge_keeps_the_drivers_behaviour_and_marks_the_rest_unsupported() {
        let generated = schema("aws", Kind::Resource, "aws_vpc").expect("aws_vpc").block.clone();
        let own = BlockSchema::new([("cidr_block", AttributeSchema::required().force_new().typed(AttrType::String)), ("id", AttributeSchema::computed())]);
        let m = merge(&generated, own);
        assert!(m.attributes["cidr_block"].force_new && !m.attributes["cidr_block"].unsupported);
        assert!(m.attributes["instance_tenancy"].unsupported);
        assert!(!m.attributes.contains_key("dhcp_options_id"), "computed-only attributes the driver does not fill stay out");
    }
}
