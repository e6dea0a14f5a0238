//! The saved plan file (`plan -out=FILE`): a self-contained JSON document holding the plan,
//! the variable values, the config hash and the state lineage/serial it was made against; and
//! the rule for applying one ([`check_fresh`]): same state lineage and serial, same files.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Plan;
use crate::config::Sources;
use crate::state::encryption::Cipher;

const FORMAT: &str = "skyform-plan";
const VERSION: u32 = 1;

#[derive(Deserialize)]
struct PlanFile {
    format: String,
    version: u32,
    plan: Plan,
}

/// The same document, borrowing the plan to write it.
#[derive(Serialize)]
struct PlanFileRef<'p> {
    format: &'static str,
    version: u32,
    skyform_version: &'static str,
    plan: &'p Plan,
}

/// Why a saved plan may not be applied any more.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum StalePlan {
    #[error("The plan was made against state lineage {planned}, but the state now has lineage {now}. Create a new plan.")]
    OtherState { planned: String, now: String },
    #[error("The given plan file can no longer be applied because the state was changed by another operation after the plan was created (state serial {planned} when planned, {now} now). Create a new plan.")]
    StateChanged { planned: u64, now: u64 },
    #[error("The configuration files changed after the plan was created. Create a new plan from the current configuration.")]
    ConfigChanged,
}

impl StalePlan {
    /// The diagnostic's summary line.
    pub fn summary(&self) -> &'static str {
        match self {
            StalePlan::OtherState { .. } => "Saved plan is for a different state",
            StalePlan::StateChanged { .. } => "Saved plan is stale",
            StalePlan::ConfigChanged => "Saved plan does not match the configuration",
        }
    }
}

/// Refuses a saved plan whose state moved on (lineage, serial) or whose configuration files
/// changed since it was made.
pub fn check_fresh(plan: &Plan, lineage: &str, serial: u64, sources: &Sources) -> Result<(), StalePlan> {
    if plan.lineage != lineage {
        return Err(StalePlan::OtherState { planned: plan.lineage.clone(), now: lineage.to_string() });
    }
    if plan.serial != serial {
        return Err(StalePlan::StateChanged { planned: plan.serial, now: serial });
    }
    if plan.config_hash != config_hash(sources) {
        return Err(StalePlan::ConfigChanged);
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("Failed to write the plan file {path}: {source}.")]
    Write { path: String, source: std::io::Error },
    #[error("Failed to read the plan file {path}: {source}.")]
    Read { path: String, source: std::io::Error },
    #[error("The file {path} is not a skyform plan file ({detail}).")]
    Invalid { path: String, detail: String },
    #[error("Cannot read the plan file {path}: {detail}.")]
    Encrypted { path: String, detail: String },
}

/// Writes the plan atomically (a temporary file renamed into place), sealed by `cipher` when
/// plan encryption is configured.
pub fn write(path: &Path, plan: &Plan, cipher: Option<&Cipher>) -> Result<(), PlanFileError> {
    let doc = PlanFileRef { format: FORMAT, version: VERSION, skyform_version: env!("CARGO_PKG_VERSION"), plan };
    let err = |source| PlanFileError::Write { path: path.display().to_string(), source };
    let mut bytes = serde_json::to_vec(&doc).map_err(|e| err(std::io::Error::other(e)))?;
    if let Some(c) = cipher {
        bytes = c.seal(&bytes).map_err(|e| err(std::io::Error::other(e)))?;
    }
    let tmp = path.with_extension("tmp-skyform");
    // A plan holds the values it will apply, secrets included: only its owner may read it.
    {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp).map_err(err)?;
        f.write_all(&bytes).map_err(err)?;
    }
    std::fs::rename(&tmp, path).map_err(err)
}

/// Reads a plan file, opening it with `cipher` when it is sealed (or when plan encryption
/// requires it to be).
pub fn read(path: &Path, cipher: Option<&Cipher>) -> Result<Plan, PlanFileError> {
    let p = path.display().to_string();
    let mut bytes = std::fs::read(path).map_err(|source| PlanFileError::Read { path: p.clone(), source })?;
    match cipher {
        Some(c) => bytes = c.open(&bytes).map_err(|e| PlanFileError::Encrypted { path: p.clone(), detail: e.to_string() })?.data,
        None if crate::state::encryption::is_sealed(&bytes) => {
            return Err(PlanFileError::Encrypted {
                path: p,
                detail: "it is encrypted, and no plan encryption is configured (terraform { encryption { plan { ... } } } or TF_ENCRYPTION)".into(),
            })
        }
        None => {}
    }
    let doc: PlanFile = serde_json::from_slice(&bytes).map_err(|e| PlanFileError::Invalid { path: p.clone(), detail: e.to_string() })?;
    if doc.format != FORMAT || doc.version != VERSION {
        return Err(PlanFileError::Invalid { path: p, detail: format!("format {} version {}, expected {FORMAT} version {VERSION}", doc.format, doc.version) });
    }
    Ok(doc.plan)
}

/// A hash over every configuration file's name and text.
pub fn config_hash(sources: &Sources) -> String {
    let mut h = Sha256::new();
    for (name, text) in &sources.files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn plan_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.tfplan");
        super::write(&path, &crate::plan::Plan::default(), None).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
