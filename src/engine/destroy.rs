//! Destroying objects in Terraform's order: an object goes only after every object that
//! depends on it and is itself going away (a pure delete, or the old half of a
//! destroy-then-create replacement) has gone, so replacing a network and its subnet destroys
//! the subnet first, then the network, then creates both. The forward walk reaches a replaced
//! object before its dependents; [`Destroys::destroy`] therefore destroys those dependents'
//! old objects first (once each: their own nodes then only create), by the dependencies
//! recorded in state. A dependent whose provider is not configured yet is left to its own node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;

use super::walk::{state_resource_addr, Ctx};
use super::{providers, provision};
use crate::diag::{Diagnostic, Diagnostics};
use crate::log::{log, Level};
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::ApplyRequest;
use crate::state::State;
use crate::value::Value;

/// The old objects an apply destroys, and which of them depend on which.
#[derive(Default)]
pub(crate) struct Destroys<'p> {
    /// Changes whose old object goes away (Delete, DeleteThenCreate), by instance address.
    changes: HashMap<&'p str, &'p ResourceChange>,
    /// For a resource address (`module.m.type.name`), the instances of those changes whose
    /// recorded dependencies name it.
    dependents: HashMap<String, Vec<&'p str>>,
    /// Each destroy's outcome, once started.
    done: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<bool>>>>,
}

impl<'p> Destroys<'p> {
    pub fn new(plan: &'p Plan, state: &'p State) -> Destroys<'p> {
        let mut d = Destroys::default();
        for c in plan.changes.iter().filter(|c| matches!(c.action, Action::Delete | Action::DeleteThenCreate)) {
            d.changes.insert(c.address.as_str(), c);
            for dep in state.resources.get(&c.address).map(|s| s.dependencies.as_slice()).unwrap_or_default() {
                d.dependents.entry(dep.clone()).or_default().push(c.address.as_str());
            }
        }
        d
    }

    /// Destroys the old object at `address` after the objects going away that depend on it;
    /// true when it is gone. Errors are reported to the context once, by the first caller.
    pub fn destroy<'s>(&'s self, ctx: &'s Ctx<'_>, address: &'s str) -> BoxFuture<'s, bool> {
        Box::pin(async move {
            let Some(&change) = self.changes.get(address) else { return true };
            let cell = self.done.lock().unwrap_or_else(|e| e.into_inner()).entry(change.address.clone()).or_default().clone();
            *cell
                .get_or_init(|| async move {
                    let resource = ctx.state.resources.get(address).map(state_resource_addr).unwrap_or_default();
                    let first: Vec<&str> = self
                        .dependents
                        .get(&resource)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|d| *d != address && self.changes.get(d).is_some_and(|c| provider_ready(ctx, c)))
                        .collect();
                    let gone = futures::future::join_all(first.iter().map(|d| self.destroy(ctx, d))).await;
                    if let Some((blocker, _)) = first.iter().zip(&gone).find(|(_, ok)| !**ok) {
                        ctx.error(
                            Diagnostic::error(
                                "Object not destroyed",
                                format!("{address} was not destroyed: {blocker}, which depends on it, could not be destroyed first."),
                            )
                            .with_address(address),
                        );
                        return false;
                    }
                    destroy_object(ctx, change).await
                })
                .await
        })
    }
}

fn provider_ready(ctx: &Ctx<'_>, c: &ResourceChange) -> bool {
    ctx.providers.get(&providers::provider_key(&c.provider)).is_some_and(|s| s.get().is_some())
}

/// Destroys one old object, reporting a failure to the context; true when it is gone.
async fn destroy_object(ctx: &Ctx<'_>, c: &ResourceChange) -> bool {
    match delete_object(ctx, c).await {
        Ok(()) => true,
        Err(d) => {
            ctx.errors(d);
            false
        }
    }
}

/// Deletes one old object (an instance's, or a deposed one): destroy-time provisioners, then
/// the driver, with the journal around the call and the state row removed the moment it
/// returns. The one delete path of an apply.
pub(crate) async fn delete_object(ctx: &Ctx<'_>, c: &ResourceChange) -> Result<(), Diagnostics> {
    let key = providers::provider_key(&c.provider);
    let Some(provider) = ctx.driver_for(&key, &c.address, &c.type_name) else {
        return Err(Diagnostic::error("Provider not configured", format!("The provider for {} was not configured.", c.address))
            .with_address(&c.address)
            .into());
    };
    let Some(store) = ctx.store else { return Err(Diagnostic::error("No state store", "Apply needs a state store.").into()) };
    let prior = c.before.clone().strip_marks();
    let id = prior.get_attr("id").and_then(Value::as_str).map(str::to_string);
    ctx.hook.pre_apply(&c.address, Action::Delete, id.as_deref());
    // Destroy-time provisioners of a resource still in the configuration run first; a
    // failure keeps the object.
    if let (Some(r), Ok(addr)) = (super::find_resource(ctx.config, &c.address), crate::state::parse_key(&c.address)) {
        if let Err(d) = provision::run(ctx, r, &addr, &c.before, true, None).await {
            ctx.hook.post_apply(&c.address, Action::Delete, id.as_deref(), std::time::Duration::ZERO, Some("provisioner failed"));
            return Err(d);
        }
    }
    let state_err = |e: crate::state::StateError| Diagnostics::from(Diagnostic::error("Failed to write state", e.to_string()));
    // As for creates and updates: only objects outside the state are journalled.
    let journal = provider.remote(&c.type_name).then(|| store.begin_operation(&c.address, "delete", Some(&prior.to_json()))).transpose().map_err(state_err)?;
    let start = std::time::Instant::now();
    log(Level::Info, "apply", || format!("{}: delete started", c.address));
    let resp = provider
        .apply(ApplyRequest {
            operation: Default::default(),
            type_name: c.type_name.clone(),
            prior_state: Some(prior),
            planned_state: None,
            config: Value::Null,
        })
        .await;
    let failed = resp.diagnostics.has_errors();
    log(if failed { Level::Error } else { Level::Info }, "apply", || {
        format!("{}: delete {} in {} ms (id {})", c.address, if failed { "failed" } else { "done" }, start.elapsed().as_millis(), id.as_deref().unwrap_or("-"))
    });
    let err_text = failed.then(|| resp.diagnostics.iter().map(|d| d.summary.clone()).collect::<Vec<_>>().join("; "));
    ctx.hook.post_apply(&c.address, Action::Delete, id.as_deref(), start.elapsed(), err_text.as_deref());
    if failed {
        journal.map_or(Ok(()), |j| store.clear_operation(j)).map_err(state_err)?;
        return Err(Diagnostics(resp.diagnostics.0.into_iter().map(|d| d.with_address(&c.address)).collect()));
    }
    store.delete_resource(journal, &c.address).map_err(state_err)?;
    ctx.counts.lock().unwrap_or_else(|e| e.into_inner()).destroyed += 1;
    Ok(())
}
