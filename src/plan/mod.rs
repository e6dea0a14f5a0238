//! Plans: what will change. [`Action`] uses Terraform's vocabulary; a [`Plan`] holds one
//! [`ResourceChange`] per resource instance and one [`OutputChange`] per root output, plus what
//! is needed to apply it later exactly as planned (variables, config hash, state lineage/serial).
//! The plan file format lives in [`file`].

pub mod file;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::value::{AttrPath, Value};

/// Terraform's plan actions (`plans/action.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
    /// Drop the object from state and leave it alone (`removed` with `destroy = false`).
    Forget,
}

impl Action {
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    /// The symbol the human plan shows before an address.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Read => "<=",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
            Action::Forget => ".",
        }
    }

    /// Terraform's JSON `actions` list.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Read => &["read"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
            Action::Forget => &["forget"],
        }
    }
}

/// Why an action was chosen, where Terraform reports one (`action_reason` in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionReason {
    /// A change to an attribute that cannot be updated in place.
    ReplaceBecauseCannotUpdate,
    /// `-replace=ADDR` on the command line.
    ReplaceByRequest,
    /// The object is tainted (a create-time provisioner failed, or `taint`).
    ReplaceBecauseTainted,
    /// `lifecycle.replace_triggered_by`.
    ReplaceByTriggers,
    /// The object is gone from the config.
    DeleteBecauseNoResourceConfig,
    /// `count` shrank.
    DeleteBecauseCountIndex,
    /// A `for_each` key went away.
    DeleteBecauseEachKey,
    /// The module instance holding it went away (a module call's key or the call itself).
    DeleteBecauseNoModule,
    /// Its key is of the wrong kind: the resource switched between count, for_each and neither.
    DeleteBecauseWrongRepetition,
    /// The object was deleted outside skyform and will be created again.
    CreateBecauseDeletedOutside,
    /// A data source read at apply because its configuration has values not known yet.
    ReadBecauseConfigUnknown,
    /// A data source read at apply because a resource it depends on has changes pending.
    ReadBecauseDependencyPending,
    /// The object was deleted outside skyform and is not configured (or is being destroyed):
    /// its row is removed from state, nothing is called (action `Forget`).
    ForgetBecauseDeletedOutside,
}

impl ActionReason {
    /// Terraform's JSON spelling.
    pub fn json(&self) -> Option<&'static str> {
        Some(match self {
            ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
            ActionReason::ReplaceByRequest => "replace_by_request",
            ActionReason::ReplaceBecauseTainted => "replace_because_tainted",
            ActionReason::ReplaceByTriggers => "replace_by_triggers",
            ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
            ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
            ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
            ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
            ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
            ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
            ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
            ActionReason::CreateBecauseDeletedOutside | ActionReason::ForgetBecauseDeletedOutside => return None,
        })
    }
}

/// The planned change of one resource instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    pub module: String,
    pub mode: String,
    pub type_name: String,
    pub name: String,
    pub index: Option<serde_json::Value>,
    pub provider: String,
    pub action: Action,
    pub reason: Option<ActionReason>,
    /// Prior state (Null for a create), with sensitive marks.
    pub before: Value,
    /// Planned state (Null for a delete), with marks and unknowns.
    pub after: Value,
    /// Attribute paths whose change forces the replacement.
    pub requires_replace: Vec<AttrPath>,
    /// The provider id of an existing object an `import {}` block brings in with this change.
    #[serde(default)]
    pub importing: Option<String>,
    /// The address the object had in state before a `moved` block moved it here.
    #[serde(default)]
    pub previous_address: Option<String>,
    /// The configuration `plan -generate-config-out` wrote for this imported object.
    #[serde(default)]
    pub generated_config: Option<String>,
}

/// The planned change of one root module output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Value,
    pub after: Value,
    pub sensitive: bool,
}

/// A whole plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Resource changes in address order (NoOp included, for apply).
    pub changes: Vec<ResourceChange>,
    pub outputs: Vec<OutputChange>,
    /// The root variable values the plan was made with.
    pub variables: BTreeMap<String, Value>,
    /// Whether this is a destroy plan.
    pub destroy: bool,
    /// The state this plan was made against.
    pub lineage: String,
    pub serial: u64,
    /// A hash of every configuration file, to refuse a plan whose config changed.
    pub config_hash: String,
    /// `-target` addresses, if any.
    pub targets: Vec<String>,
    /// Whether the plan was made after a refresh.
    pub refreshed: bool,
    /// Warnings found while planning (drivers' warnings, moves that could not be made, ...).
    #[serde(default)]
    pub warnings: crate::diag::Diagnostics,
    /// The changes by address, built on first lookup ([`Plan::change`]).
    #[serde(skip)]
    pub index: ChangeIndex,
}

/// Where each address's change is in [`Plan::changes`]: built once, so that an apply looks each
/// instance's change up in constant time instead of searching the list. Not part of the plan's
/// value: clones start without it and comparisons ignore it.
#[derive(Default)]
pub struct ChangeIndex(std::sync::OnceLock<std::collections::HashMap<String, usize>>);

impl Clone for ChangeIndex {
    fn clone(&self) -> Self {
        ChangeIndex::default()
    }
}

impl PartialEq for ChangeIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for ChangeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeIndex")
    }
}

/// Counts for `Plan: X to add, Y to change, Z to destroy.`
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub import: usize,
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            if c.importing.is_some() {
                s.import += 1;
            }
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    s.add += 1;
                    s.destroy += 1
                }
                Action::NoOp | Action::Read | Action::Forget => {}
            }
        }
        s
    }

    /// True when applying would change any resource or output.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| !matches!(c.action, Action::NoOp | Action::Read) || c.importing.is_some() || c.previous_address.is_some())
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
    }

    /// The change of one instance (or deposed object). The index is checked against the list,
    /// so a plan whose changes were edited after a lookup still answers correctly.
    pub fn change(&self, address: &str) -> Option<&ResourceChange> {
        let index = self.index.0.get_or_init(|| self.changes.iter().enumerate().map(|(i, c)| (c.address.clone(), i)).collect());
        match index.get(address).map(|&i| self.changes.get(i)) {
            Some(Some(c)) if c.address == address => Some(c),
            None if index.len() == self.changes.len() => None,
            _ => self.changes.iter().find(|c| c.address == address),
        }
    }
}
