//! The engine reports progress through a [`Hook`] (OpenTofu `tofu/hook.go`); it never prints.
//! The CLI's view turns these calls into progress bars or plain lines.

use std::time::Duration;

use crate::plan::Action;

pub trait Hook: Send + Sync {
    /// A resource instance is about to be re-read from its provider.
    fn pre_refresh(&self, _address: &str, _id: Option<&str>) {}
    /// A resource instance is about to be created, updated or deleted.
    fn pre_apply(&self, _address: &str, _action: Action, _id: Option<&str>) {}
    /// The provider returned for that instance; `error` is set when it failed.
    fn post_apply(&self, _address: &str, _action: Action, _id: Option<&str>, _elapsed: Duration, _error: Option<&str>) {}
    /// How many resource operations the apply will perform (for an overall progress bar).
    fn apply_total(&self, _total: usize) {}
    /// A provisioner (`local-exec`) starts for an instance.
    fn provision_start(&self, _address: &str, _kind: &str) {}
    /// One line of a provisioner's output (or its `Executing: [...]` line).
    fn provision_output(&self, _address: &str, _kind: &str, _line: &str) {}
}

/// A hook that reports nothing (tests, `validate`).
pub struct NoHook;

impl Hook for NoHook {}
