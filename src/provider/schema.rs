//! Resource schemas: which attributes a resource type has and how each behaves.

use std::collections::BTreeMap;

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
}

impl AttrType {
    /// The equivalent type constraint, for conversion.
    pub fn to_type(self) -> crate::eval::types::Type {
        use crate::eval::types::Type;
        match self {
            AttrType::Any => Type::Any,
            AttrType::String => Type::String,
            AttrType::Number => Type::Number,
            AttrType::Bool => Type::Bool,
            AttrType::ListOfString => Type::List(Box::new(Type::String)),
            AttrType::SetOfString => Type::Set(Box::new(Type::String)),
            AttrType::MapOfString => Type::Map(Box::new(Type::String)),
        }
    }
}

impl AttributeSchema {
    pub const fn required() -> Self {
        AttributeSchema { required: true, optional: false, computed: false, force_new: false, sensitive: false, ty: AttrType::Any }
    }
    pub const fn optional() -> Self {
        AttributeSchema { required: false, optional: true, computed: false, force_new: false, sensitive: false, ty: AttrType::Any }
    }
    pub const fn computed() -> Self {
        AttributeSchema { required: false, optional: false, computed: true, force_new: false, sensitive: false, ty: AttrType::Any }
    }
    pub const fn optional_computed() -> Self {
        AttributeSchema { required: false, optional: true, computed: true, force_new: false, sensitive: false, ty: AttrType::Any }
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
        BlockSchema {
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            blocks: BTreeMap::new(),
            open: false,
        }
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

    /// Adds a nested block type.
    pub fn with_block(mut self, name: &str, nesting: Nesting, block: BlockSchema) -> BlockSchema {
        self.blocks.insert(name.to_string(), NestedBlock { nesting, block, min_items: 0, max_items: None, as_attribute: false });
        self
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
