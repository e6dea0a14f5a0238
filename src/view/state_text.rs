//! The state as text, in the form of Terraform's `show`: each instance's attributes (sensitive
//! values hidden), then the root outputs. Used by `show` and by `skyform test -verbose`.

use super::values::render;
use crate::state::State;
use crate::value::Value;

/// The state in Terraform's `show` form.
pub fn render_state(state: &State) -> String {
    if state.is_empty() {
        return "The state is empty.\n".into();
    }
    let mut out = String::new();
    for r in state.resources.values() {
        let kind = if r.mode == "data" { "data" } else { "resource" };
        out.push_str(&format!("# {}:\n{kind} \"{}\" \"{}\" {{\n", r.address, r.type_name, r.name));
        if let Value::Map(m) = r.marked_attributes() {
            let shown: Vec<_> = m.iter().filter(|(_, v)| !v.is_null()).collect();
            let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in shown {
                out.push_str(&format!("    {k:width$} = {}\n", render(v, 4)));
            }
        }
        out.push_str("}\n\n");
    }
    if !state.outputs.is_empty() {
        out.push_str("\nOutputs:\n\n");
        for (name, o) in &state.outputs {
            let v = if o.sensitive { "(sensitive value)".to_string() } else { render(&o.value, 0) };
            out.push_str(&format!("{name} = {v}\n"));
        }
    }
    out
}
