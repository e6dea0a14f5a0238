//! The non-cloud providers, compiled in so the embedded default works offline: `terraform`
//! (`terraform_data`), `local` (`local_file`), `random` (`random_id`, `random_string`), plus the
//! strict in-memory `test` driver for engine tests (not registered by default). One file per
//! resource type; each provider's registration list is in its client's [`Dispatch`] impl.
//!
//! [`Dispatch`]: crate::provider::kit::Dispatch

pub mod local_file;
pub mod random_id;
pub mod random_string;
pub mod terraform_data;
pub mod testing;
