//! Resource schemas: which attributes and nested blocks a resource type, data source or
//! provider block has, and how each behaves (required, computed, force-new, sensitive, type).
//! Shared by config decoding (`eval`), the engine, the views and the drivers; depends on none of
//! them.

pub mod builder;
pub mod generated;

use std::collections::BTreeMap;

/// Terraform's implied provider of a resource type: the prefix before the first underscore.
pub fn provider_for_type(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

/// How one attribute behaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttributeSchema {
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// The provider may set it (alone: read-only; with `optional`: defaulted by the provider).
    pub computed: bool,
    /// A change forces replacement of the resource.
    pub force_new: bool,
    /// The value is hidden from plan output.
    pub sensitive: bool,
    /// The type a configured value is converted to (an error names the attribute when it cannot be).
    pub ty: AttrType,
    /// In the provider's schema but not implemented by skyform's driver: null is accepted,
    /// any other value is an error naming it.
    pub unsupported: bool,
}

/// The value type of an attribute, as in a provider schema.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AttrType {
    /// Any value (Terraform's `dynamic`).
    #[default]
    Any,
    String,
    Number,
    Bool,
    ListOfString,
    SetOfString,
    MapOfString,
    ListOfNumber,
    SetOfNumber,
    MapOfNumber,
    MapOfBool,
    /// A list of objects; may also be written as repeated blocks (Terraform's "attributes as
    /// blocks" of SDKv2 providers, such as `aws_route_table`'s `route`).
    ListOfObject,
    /// A set of objects; may also be written as repeated blocks.
    SetOfObject,
}

impl AttrType {
    /// The type of a Terraform type-constraint string from a provider schema (`list(string)`);
    /// types with no variant here (objects, nested collections) are `Any`.
    pub fn parse(s: &str) -> AttrType {
        match s {
            "string" => AttrType::String,
            "number" => AttrType::Number,
            "bool" => AttrType::Bool,
            "list(string)" => AttrType::ListOfString,
            "set(string)" => AttrType::SetOfString,
            "map(string)" => AttrType::MapOfString,
            "list(number)" => AttrType::ListOfNumber,
            "set(number)" => AttrType::SetOfNumber,
            "map(number)" => AttrType::MapOfNumber,
            "map(bool)" => AttrType::MapOfBool,
            _ if s.starts_with("list(object(") => AttrType::ListOfObject,
            _ if s.starts_with("set(object(") => AttrType::SetOfObject,
            _ => AttrType::Any,
        }
    }
}

impl AttributeSchema {
    pub const fn required() -> Self {
        AttributeSchema { required: true, optional: false, computed: false, force_new: false, sensitive: false, ty: AttrType::Any, unsupported: false }
    }
    pub const fn optional() -> Self {
        AttributeSchema { required: false, optional: true, computed: false, force_new: false, sensitive: false, ty: AttrType::Any, unsupported: false }
    }
    pub const fn computed() -> Self {
        AttributeSchema { required: false, optional: false, computed: true, force_new: false, sensitive: false, ty: AttrType::Any, unsupported: false }
    }
    pub const fn optional_computed() -> Self {
        AttributeSchema { required: false, optional: true, computed: true, force_new: false, sensitive: false, ty: AttrType::Any, unsupported: false }
    }
    pub const fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub const fn typed(mut self, ty: AttrType) -> Self {
        self.ty = ty;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; its value is an object (or null).
    Single,
    /// Zero or more blocks; a list of objects.
    List,
    /// Zero or more blocks; a set of objects.
    Set,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub block: BlockSchema,
    pub min_items: usize,
    pub max_items: Option<usize>,
    /// Written as blocks but shown in plans as a list of objects, as Terraform shows a
    /// provider's "attributes as blocks" (`aws_security_group`'s `ingress`, say).
    pub as_attribute: bool,
    /// In the provider's schema but not implemented by skyform's driver: an error when present.
    pub unsupported: bool,
}

/// The attributes and nested block types of a block (a resource body or a nested block).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockSchema {
    pub attributes: BTreeMap<String, AttributeSchema>,
    pub blocks: BTreeMap<String, NestedBlock>,
    /// Accepts any content, unchecked and unused (azurerm's `features {}`, whose sub-blocks
    /// tune Azure Resource Manager behaviour skyform does not have).
    pub open: bool,
}

impl BlockSchema {
    /// Builds a block schema from `(name, attribute)` pairs.
    pub fn new<'a>(attrs: impl IntoIterator<Item = (&'a str, AttributeSchema)>) -> BlockSchema {
        BlockSchema { attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), blocks: BTreeMap::new(), open: false }
    }

    /// A block whose content is accepted and ignored.
    pub fn open() -> BlockSchema {
        BlockSchema { open: true, ..BlockSchema::default() }
    }

    /// Adds a nested block type that plans show as a list of objects (Terraform's "attributes
    /// as blocks").
    pub fn with_attribute_block(mut self, name: &str, nesting: Nesting, block: BlockSchema) -> BlockSchema {
        self = self.with_block(name, nesting, block);
        if let Some(b) = self.blocks.get_mut(name) {
            b.as_attribute = true;
        }
        self
    }

    /// The top-level force-new attributes whose value differs between two states: what makes
    /// a change a replacement.
    pub fn force_new_changes(&self, prior: &crate::value::Value, planned: &crate::value::Value) -> Vec<crate::value::AttrPath> {
        let get = |v: &'_ crate::value::Value, n: &str| v.get_attr(n).cloned().unwrap_or(crate::value::Value::Null);
        self.attributes
            .iter()
            .filter(|(name, a)| a.force_new && get(prior, name) != get(planned, name))
            .map(|(name, _)| vec![crate::value::PathStep::Key(name.clone())])
            .collect()
    }

    /// A value shaped as this block's schema says: every attribute and block present (null
    /// where missing; an absent list or set block empty, as configuration decodes it), and
    /// sets where the schema has sets (state stored as JSON reads them back as lists). Drivers
    /// build states from their own attribute lists; the engine compares them with
    /// configuration decoded against the complete schema, and the two must agree.
    pub fn normalize(&self, v: crate::value::Value) -> crate::value::Value {
        use crate::value::Value;
        if self.is_normal(&v) {
            // The common case (a driver's own complete state): no copy of a shared map.
            return v;
        }
        let Value::Map(mut m) = v else { return v };
        let map = std::sync::Arc::make_mut(&mut m);
        for (name, a) in &self.attributes {
            let item = map.entry(name.clone()).or_insert(Value::Null);
            if matches!(a.ty, AttrType::SetOfString | AttrType::SetOfNumber | AttrType::SetOfObject) && matches!(item, Value::List(_)) {
                if let Value::List(items) = std::mem::take(item) {
                    *item = Value::set(items);
                }
            }
        }
        for (name, nb) in &self.blocks {
            let absent = match nb.nesting {
                Nesting::Single => Value::Null,
                Nesting::List => Value::List(Vec::new()),
                Nesting::Set => Value::set(Vec::new()),
            };
            let item = map.entry(name.clone()).or_insert(absent);
            *item = match (std::mem::take(item), nb.nesting) {
                (Value::Map(o), _) => nb.block.normalize(Value::Map(o)),
                (Value::List(items), Nesting::Set) | (Value::Set(items), Nesting::Set) => {
                    Value::set(items.into_iter().map(|x| nb.block.normalize(x)).collect())
                }
                (Value::List(items), _) => Value::List(items.into_iter().map(|x| nb.block.normalize(x)).collect()),
                (Value::Set(items), _) => Value::set(items.into_iter().map(|x| nb.block.normalize(x)).collect()),
                (other, _) => other,
            };
        }
        Value::Map(m)
    }

    /// Whether `normalize` would leave the value as it is.
    fn is_normal(&self, v: &crate::value::Value) -> bool {
        use crate::value::Value;
        let Value::Map(m) = v else { return true };
        let attrs_ok = self.attributes.iter().all(|(name, a)| match m.get(name) {
            None => false,
            Some(Value::List(_)) => !matches!(a.ty, AttrType::SetOfString | AttrType::SetOfNumber | AttrType::SetOfObject),
            Some(_) => true,
        });
        attrs_ok
            && self.blocks.iter().all(|(name, nb)| match (m.get(name), nb.nesting) {
                (None, _) => false,
                (Some(Value::List(_)), Nesting::Set) => false,
                (Some(Value::Map(_)), _) => nb.block.is_normal(&m[name]),
                (Some(Value::List(items) | Value::Set(items)), _) => items.iter().all(|x| nb.block.is_normal(x)),
                (Some(_), _) => true,
            })
    }

    /// Adds a nested block type.
    pub fn with_block(mut self, name: &str, nesting: Nesting, block: BlockSchema) -> BlockSchema {
        self.blocks.insert(name.to_string(), NestedBlock { nesting, block, min_items: 0, max_items: None, as_attribute: false, unsupported: false });
        self
    }
}

/// Where the views and other readers find the schema of a resource type (`data`: a data
/// source), without knowing about providers. The provider registry is one.
pub trait SchemaSource {
    fn block(&self, data: bool, type_name: &str) -> Option<&BlockSchema>;
}

/// No schemas: every value renders as an attribute.
pub struct NoSchemas;

impl SchemaSource for NoSchemas {
    fn block(&self, _data: bool, _type_name: &str) -> Option<&BlockSchema> {
        None
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResourceSchema {
    pub version: u64,
    pub block: BlockSchema,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderSchema {
    pub provider: BlockSchema,
    pub resources: BTreeMap<String, ResourceSchema>,
    pub data_sources: BTreeMap<String, ResourceSchema>,
}
