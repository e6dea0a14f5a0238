//! The one integration-test binary (one link step): engine tests on the strict in-memory
//! driver, CLI tests that run the real binary, the bad-input suite, and the lifecycle harness
//! that runs every cloud resource type against its emulator (`harness/`).

mod common;
mod harness;
mod test_aws;
mod test_azure;
mod test_azurerm_backend;
mod test_backends;
mod test_blocks;
mod test_cli;
mod test_community_modules;
mod test_crash;
mod test_digitalocean;
mod test_encryption;
mod test_engine;
mod test_errors;
mod test_faults;
mod test_fuzz;
mod test_gcs;
mod test_lambda;
mod test_module_repetition;
mod test_modules;
mod test_multicloud;
mod test_newuser;
mod test_pg_backend;
mod test_provisioners;
mod test_refactoring;
mod test_retries;
mod test_review;
mod test_schemas;
mod test_secrets;
mod test_state_migration;
mod test_terraform;
mod test_testing;
mod test_tracing;
mod test_utility;
mod test_utility_providers;
