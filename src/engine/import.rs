//! `skyform import ADDR ID`: one object read by its provider id into a state entry.

use super::*;

impl Engine<'_> {
    /// `skyform import ADDR ID`: configures the resource's provider (evaluating its block as a
    /// plan would), asks the driver to read the object `id`, and returns the state entry to
    /// commit. The address must be declared in the configuration and not yet in state.
    pub async fn import(
        &self,
        state: &State,
        inputs: &BTreeMap<String, Value>,
        address: &str,
        id: &str,
    ) -> Result<crate::state::ResourceInstanceState, Diagnostics> {
        use crate::addr::{ResourceInstanceAddr, ResourceMode};
        let err = |summary: &str, detail: String| -> Diagnostics { Diagnostic::error(summary, detail).into() };
        let addr = ResourceInstanceAddr::parse(address).map_err(|e| err("Invalid address", e.to_string()))?;
        if addr.resource.mode == ResourceMode::Data {
            return Err(err("Invalid import address", "Data sources cannot be imported: they are read on every plan.".into()));
        }
        let module = crate::graph::build::module_at(&self.config.root, &addr.resource.module)
            .ok_or_else(|| err("Configuration for import target does not exist", format!("The module of {address} is not in the configuration.")))?;
        let r = module.resources.get(&addr.resource.local()).ok_or_else(|| {
            err(
                "Configuration for import target does not exist",
                format!("The configuration does not declare {}. Add a resource block for it before importing.", addr.resource),
            )
        })?;
        let key_ok = matches!(
            (&addr.key, r.count.is_some(), r.for_each.is_some()),
            (None, false, false) | (Some(crate::addr::InstanceKey::Int(_)), true, _) | (Some(crate::addr::InstanceKey::Str(_)), _, true)
        );
        if !key_ok {
            return Err(err("Invalid instance key", format!("{address} does not match how {} is declared (count, for_each, or neither).", addr.resource)));
        }
        if state.resources.contains_key(&addr.to_string()) {
            return Err(err(
                "Resource already managed by skyform",
                format!("skyform is already managing a remote object for {address}. To import to this address you must first remove the existing object from the state (`skyform state rm {address}`)."),
            ));
        }
        let graph = self.graph(state)?;
        let opts = PlanOptions { refresh: false, targets: vec![addr.resource.to_string()], ..PlanOptions::default() };
        let ctx = self.context(&graph, Op::Plan, &opts, state, inputs, None, None)?;
        self.run(&ctx, &graph, opts.parallelism).await;
        let diags = ctx.take_diags();
        if diags.has_errors() {
            return Err(diags);
        }
        let driver = ctx
            .providers
            .get(&r.provider)
            .and_then(|slot| slot.get())
            .cloned()
            .ok_or_else(|| err("Provider not configured", format!("The provider {} for {address} could not be configured.", r.provider)))?;
        let attributes = instance::read_import(driver.as_ref(), &r.type_name, id, &addr.to_string(), None).await?;
        let schema = self
            .registry
            .resource_schema(&r.type_name)
            .ok_or_else(|| err("Unknown resource type", format!("No provider has the resource type {}.", r.type_name)))?;
        let node = graph.node(&NodeKind::Resource { module: addr.resource.module.without_keys(), key: addr.resource.local() });
        let deps = node.map(|idx| resource::resource_dependencies(&ctx, idx, &addr.resource.module)).unwrap_or_default();
        Ok(instance::state_entry(&addr, &r.provider, schema, attributes, &[], deps))
    }
}
