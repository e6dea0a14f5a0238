//! The non-cloud providers, compiled in so the embedded default works offline: `terraform`
//! (`terraform_data`), `local` (`local_file`, `local_sensitive_file`, data sources `local_file`
//! and `local_sensitive_file`), `random` (`random_id`, `random_pet`, `random_string`,
//! `random_password`, `random_integer`, `random_uuid`, `random_shuffle`, `random_bytes`), `null`
//! (`null_resource`, data source `null_data_source`), `time` (`time_static`, `time_sleep`,
//! `time_offset`, `time_rotating`), `archive` (`archive_file`, resource and data source),
//! `external` (data source `external`), `http` (data source `http`), `tls` (`tls_private_key`,
//! `tls_self_signed_cert`, `tls_cert_request`, `tls_locally_signed_cert`, data source
//! `tls_public_key`),
//! plus the strict in-memory `test` driver for engine tests
//! (not registered by default). One file per resource type or data source (`data_*.rs` where
//! the name is also a resource type's); each provider's registration list is in its client's
//! [`Dispatch`] impl.
//!
//! [`Dispatch`]: crate::provider::kit::Dispatch

pub mod archive_file;
pub mod data_archive_file;
pub mod data_local_file;
pub mod data_local_sensitive_file;
pub mod external;
pub mod http;
pub mod local_file;
pub mod local_sensitive_file;
pub mod null_data_source;
pub mod null_resource;
pub mod random_bytes;
pub mod random_id;
pub mod random_integer;
pub mod random_password;
pub mod random_pet;
pub mod random_shuffle;
pub mod random_string;
pub mod random_uuid;
pub mod terraform_data;
pub mod terraform_remote_state;
pub mod testing;
pub mod time_offset;
pub mod time_rotating;
pub mod time_sleep;
pub mod time_static;
pub mod tls_cert_request;
pub mod tls_locally_signed_cert;
pub mod tls_private_key;
pub mod tls_public_key;
pub mod tls_self_signed_cert;
