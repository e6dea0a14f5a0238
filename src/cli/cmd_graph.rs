//! `skyform graph`: the dependency graph in DOT.

use clap::Args;

use super::common::{CliError, CliResult, ColorFlag, Workspace};

#[derive(Args, Debug)]
pub struct GraphArgs {
    #[command(flatten)]
    pub color: ColorFlag,
}

pub fn cmd_graph(a: GraphArgs) -> CliResult {
    let colors = a.color.colors();
    let ws = Workspace::load(colors)?;
    let graph = crate::graph::build_graph(&ws.config, &[]).map_err(|d| CliError::diags(&d, &ws.sources, colors))?;
    print!("{}", graph.to_dot());
    Ok(0)
}
