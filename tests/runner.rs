//! The one integration-test binary (one link step): engine tests on the strict in-memory
//! driver, CLI tests that run the real binary, and the bad-input suite.

mod common;
mod test_aws;
mod test_azure;
mod test_cli;
mod test_engine;
mod test_errors;
mod test_fuzz;
mod test_gcs;
mod test_multicloud;
mod test_retries;
mod test_review;
mod test_schemas;
mod test_terraform;
