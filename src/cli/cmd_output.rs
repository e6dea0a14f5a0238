//! `skyform output [NAME]`: root output values from the state (`-json`, `-raw`). As in
//! Terraform, `-json` and `-raw` print sensitive values: the user asked for them.

use clap::Args;

use super::common::{CliError, CliResult, StateFlags};
use crate::value::Value;
use crate::view::values::render;

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// The output to show; all outputs when omitted.
    pub name: Option<String>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print a string, number or bool value as is, without quotes or a newline.
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub state: StateFlags,
    #[arg(long, hide = true)]
    pub no_color: bool,
}

pub fn cmd_output(a: OutputArgs) -> CliResult {
    let outputs = match a.state.open_existing()? {
        Some(store) => store.load().map_err(|e| CliError::plain("Failed to load the state", e))?.outputs,
        None => Default::default(),
    };
    match &a.name {
        Some(name) => {
            let Some(o) = outputs.get(name) else {
                return Err(CliError::plain(
                    "Output not found",
                    format!("The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `skyform apply`, since the state won't be updated with new output variables until that command is run. (output \"{name}\")"),
                ));
            };
            if a.raw {
                match &o.value {
                    Value::String(s) => print!("{s}"),
                    Value::Number(n) => print!("{}", crate::value::format_number(*n)),
                    Value::Bool(b) => print!("{b}"),
                    _ => {
                        return Err(CliError::plain(
                            "Unsupported value for raw output",
                            format!("The -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is {}. Use the -json option for machine-readable representations of output values that have complex types.", o.value.type_name()),
                        ))
                    }
                }
            } else if a.json {
                println!("{}", serde_json::to_string(&o.value.to_json()).unwrap_or_default());
            } else if o.sensitive {
                println!("<sensitive>");
            } else {
                println!("{}", render(&o.value, 0));
            }
        }
        None if a.json => {
            let obj: serde_json::Map<String, serde_json::Value> = outputs
                .iter()
                .map(|(k, o)| {
                    (k.clone(), serde_json::json!({"sensitive": o.sensitive, "type": crate::view::plan_json::type_json(&o.value), "value": o.value.to_json()}))
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&serde_json::Value::Object(obj)).unwrap_or_default());
        }
        None => {
            if outputs.is_empty() {
                eprintln!("Warning: No outputs found\n\nThe state file either has no outputs defined, or all the defined outputs are empty.");
            }
            for (k, o) in &outputs {
                let v = if o.sensitive { "<sensitive>".to_string() } else { render(&o.value, 0) };
                println!("{k} = {v}");
            }
        }
    }
    Ok(0)
}
