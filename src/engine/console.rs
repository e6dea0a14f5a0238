//! Evaluation against the state alone (`console`, and `skyform test`'s assertions after an
//! apply): a walk that refreshes and plans nothing and configures no provider, so resources and
//! data sources keep their stored values, and locals and outputs are computed from them.

use std::collections::{BTreeMap, HashSet};

use super::walk::Ctx;
use super::{Engine, Op, PlanOptions};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::Scope;
use crate::state::State;
use crate::value::Value;

/// What an expression outside the configuration is evaluated in: the root module's scope, and
/// the root outputs (marked sensitive where declared so; unknown where not known yet).
pub struct Probe<'s> {
    pub scope: &'s dyn Scope,
    pub outputs: BTreeMap<String, Value>,
}

impl Probe<'_> {
    /// The probe of a finished walk.
    pub(crate) fn of<R>(ctx: &Ctx<'_>, probe: impl FnOnce(&Probe<'_>) -> R) -> R {
        let scope = super::scope::NodeScope::new(ctx, &crate::addr::ModulePath::root());
        let outputs = ctx.root_outputs().into_iter().map(|(name, (v, sensitive))| (name, v.unwrap_or(Value::Unknown).mark_if(sensitive))).collect();
        probe(&Probe { scope: &scope, outputs })
    }
}

impl Engine<'_> {
    /// Evaluates in the root module against the state: nothing is refreshed or planned and no
    /// provider is configured. `probe` is called once, after the walk.
    pub async fn probe_state<R>(&self, state: &State, inputs: &BTreeMap<String, Value>, probe: impl FnOnce(&Probe<'_>) -> R) -> Result<R, Diagnostics> {
        let graph = self.graph(state)?;
        let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
        let mut ctx = self.context(&graph, Op::Plan, &opts, state, inputs, None, None)?;
        ctx.included = Some(HashSet::new());
        ctx.state_only = true;
        ctx.configure_providers = false;
        self.run(&ctx, &graph, opts.parallelism).await;
        ctx.take_diags().into_result()?;
        Ok(Probe::of(&ctx, probe))
    }

    /// `console`: [`Engine::probe_state`] with an evaluator of expressions in the root module.
    pub async fn console(
        &self,
        state: &State,
        inputs: &BTreeMap<String, Value>,
        session: impl FnOnce(&dyn Fn(&hcl::Expression) -> Result<Value, Diagnostics>),
    ) -> Result<(), Diagnostics> {
        self.probe_state(state, inputs, |p| {
            let eval = |e: &hcl::Expression| -> Result<Value, Diagnostics> {
                crate::eval::eval_expr(e, p.scope).map_err(|e| Diagnostic::error(e.summary, e.detail).into())
            };
            session(&eval)
        })
        .await
    }
}
