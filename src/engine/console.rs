//! `console`'s evaluation: expressions in the root module against the state, after a walk that
//! refreshes and plans nothing and configures no provider (resources and data sources keep
//! their stored values).

use std::collections::{BTreeMap, HashSet};

use super::{Engine, Op, PlanOptions};
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::State;
use crate::value::Value;

impl Engine<'_> {
    /// `console`: evaluates expressions in the root module against the state. Nothing is
    /// refreshed or planned and no provider is configured: resources and data sources have
    /// their stored values. `session` is called once with the evaluator.
    pub async fn console(
        &self,
        state: &State,
        inputs: &BTreeMap<String, Value>,
        session: impl FnOnce(&dyn Fn(&hcl::Expression) -> Result<Value, Diagnostics>),
    ) -> Result<(), Diagnostics> {
        let graph = self.graph(state)?;
        let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
        let mut ctx = self.context(&graph, Op::Plan, &opts, state, inputs, None, None)?;
        ctx.included = Some(HashSet::new());
        ctx.configure_providers = false;
        self.run(&ctx, &graph, opts.parallelism).await;
        ctx.take_diags().into_result()?;
        let root = crate::addr::ModulePath::root();
        let eval = |e: &hcl::Expression| -> Result<Value, Diagnostics> {
            let scope = super::scope::NodeScope::new(&ctx, &root);
            crate::eval::eval_expr(e, &scope).map_err(|e| Diagnostic::error(e.summary, e.detail).into())
        };
        session(&eval);
        Ok(())
    }
}
