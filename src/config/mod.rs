//! Configuration in source form: load a directory of `.tf` files (and its local child modules)
//! into a [`Config`]: variables, locals, outputs, resources, providers and module calls, each
//! with source ranges. Expressions stay unevaluated here (evaluation lives in `eval`, which
//! this module uses for literal values and type constraints; `eval` never uses `config`: both
//! read the parsed files of [`crate::syntax`]).
//!
//! Entry point: [`load::load_config`]. Variable values from the command line, `.tfvars` files and
//! the environment are gathered by [`vars::collect_input_variables`].

mod decode;
pub mod format;
pub mod load;
pub mod model;
pub mod vars;

pub use load::{load_config, load_config_for, load_config_with, Sources};
pub use model::*;
