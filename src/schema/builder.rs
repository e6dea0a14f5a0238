//! Short driver schemas: a driver names the attributes and blocks it implements, and their
//! types and required/optional/computed flags come from the provider's published schema
//! ([`super::generated`]); only behaviour the published schemas do not carry (force-new,
//! sensitive, a provider default making an optional argument computed) is added by hand.
//!
//! ```
//! use skyform::schema::builder::resource;
//! let s = resource("random_pet")
//!     .implement(&["keepers", "length", "prefix", "separator", "id"])
//!     .force_new(&["keepers", "length", "prefix", "separator"])
//!     .build();
//! assert!(s.block.attributes["length"].force_new);
//! ```

use super::generated::{self, Kind};
use super::{BlockSchema, ResourceSchema};

/// A schema being built from a type's published schema.
pub struct Builder {
    published: &'static BlockSchema,
    type_name: String,
    version: u64,
    block: BlockSchema,
}

/// Starts a managed resource type's schema.
pub fn resource(type_name: &str) -> Builder {
    builder(Kind::Resource, type_name)
}

/// Starts a data source's schema.
pub fn data(type_name: &str) -> Builder {
    builder(Kind::Data, type_name)
}

fn builder(kind: Kind, type_name: &str) -> Builder {
    let provider = super::provider_for_type(type_name);
    let published = generated::schema(provider, kind, type_name).map(|s| &s.block);
    // A type missing from the generated schemas is a programming error caught by every test
    // that builds the registry; an empty schema keeps release builds from panicking.
    static EMPTY: BlockSchema = BlockSchema { attributes: std::collections::BTreeMap::new(), blocks: std::collections::BTreeMap::new(), open: false };
    debug_assert!(published.is_some(), "{type_name} is not in the generated schemas");
    Builder { published: published.unwrap_or(&EMPTY), type_name: type_name.to_string(), version: 0, block: BlockSchema::default() }
}

impl Builder {
    /// Implements these attributes or blocks, as the provider's schema declares them.
    pub fn implement(mut self, names: &[&str]) -> Builder {
        for name in names {
            if let Some(a) = self.published.attributes.get(*name) {
                self.block.attributes.insert(name.to_string(), *a);
            } else if let Some(b) = self.published.blocks.get(*name) {
                self.block.blocks.insert(name.to_string(), b.clone());
            } else {
                debug_assert!(false, "{} has no argument or block {name}", self.type_name);
            }
        }
        self
    }

    /// A change to these arguments replaces the object.
    pub fn force_new(mut self, names: &[&str]) -> Builder {
        for name in names {
            if let Some(a) = self.block.attributes.get_mut(*name) {
                a.force_new = true;
            }
        }
        self
    }

    /// These values are hidden in plans and output.
    pub fn sensitive(mut self, names: &[&str]) -> Builder {
        for name in names {
            if let Some(a) = self.block.attributes.get_mut(*name) {
                a.sensitive = true;
            }
        }
        self
    }

    /// `tags` (the resource's own) and `tags_all` (with the provider's default tags, computed),
    /// as every taggable AWS type has them.
    pub fn tags(self) -> Builder {
        self.implement(&["tags", "tags_all"]).computed_only(&["tags_all"])
    }

    /// These are set by the provider only (published schemas mark `id` and `tags_all` optional
    /// too, for reasons of the SDK the drivers do not share).
    pub fn computed_only(mut self, names: &[&str]) -> Builder {
        for name in names {
            if let Some(a) = self.block.attributes.get_mut(*name) {
                (a.required, a.optional, a.computed) = (false, false, true);
            }
        }
        self
    }

    /// These must be set, where the published schema allows alternatives skyform does not
    /// implement (`cidr_block` or an IPAM pool).
    pub fn required(mut self, names: &[&str]) -> Builder {
        for name in names {
            if let Some(a) = self.block.attributes.get_mut(*name) {
                (a.required, a.optional, a.computed) = (true, false, false);
            }
        }
        self
    }

    /// These have a provider default the driver fills in at plan (the published schemas carry
    /// SDK defaults as plain optional arguments): optional and computed.
    pub fn defaulted(mut self, names: &[&str]) -> Builder {
        for name in names {
            if let Some(a) = self.block.attributes.get_mut(*name) {
                (a.required, a.optional, a.computed) = (false, true, true);
            }
        }
        self
    }

    /// The schema version written to state (for `upgrade_state`).
    pub fn version(mut self, v: u64) -> Builder {
        self.version = v;
        self
    }

    pub fn build(self) -> ResourceSchema {
        ResourceSchema { version: self.version, block: self.block }
    }
}
