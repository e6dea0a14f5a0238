//! skyform: a Terraform-style declarative infrastructure planner.
//!
//! The pipeline, one module per stage:
//! `config` (load and parse `.tf` files, keeping source spans) -> `eval` (expressions over
//! [`value::Value`], with unknowns and sensitive marks) -> `graph` (the dependency DAG and its
//! bounded-parallel walk) -> `engine` (refresh + diff into a [`plan::Plan`]; apply it through the
//! drivers in `provider`, committing each result to `state`). `view` renders plans, progress and
//! diagnostics; `schema` describes resource types for all of them; `cli` is the thin command layer over all of it.

// Diagnostics (a source range, address and texts) are the error type of config and state
// operations; they travel on the cold path, so their size is not worth boxing.
#![allow(clippy::result_large_err)]

pub mod addr;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
pub mod eval;
pub mod graph;
pub mod log;
pub mod modules;
pub mod plan;
pub mod provider;
pub mod schema;
pub mod state;
pub mod syntax;
pub mod testing;
pub mod trace;
pub mod value;
pub mod view;
