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

    /// The schema version written to state (for `upgrade_state`).
    pub fn version(mut self, v: u64) -> Builder {
        self.version = v;
        self
    }

    pub fn build(self) -> ResourceSchema {
        ResourceSchema { version: self.version, block: self.block }
    }
}
