//! Renders a provider's implemented resource types and data sources as the Markdown tables of
//! `docs/providers/*.md`, so the documentation is generated from the schemas the drivers
//! declare and cannot drift from them (a test compares the files with this output).

use crate::schema::{BlockSchema, ProviderSchema, ResourceSchema};

/// The marker lines around the generated part of a provider's documentation.
pub const BEGIN: &str = "<!-- BEGIN generated from the schemas: do not edit; SKYFORM_UPDATE_DOCS=1 cargo test docs_ regenerates -->";
pub const END: &str = "<!-- END generated -->";

/// The resource and data source tables of a provider.
pub fn provider_tables(schema: &ProviderSchema) -> String {
    let mut out = String::new();
    out.push_str("### Resource types\n\n");
    out.push_str(&table(schema.resources.iter(), true));
    if !schema.data_sources.is_empty() {
        out.push_str("\n### Data sources\n\n");
        out.push_str(&table(schema.data_sources.iter(), false));
    }
    out
}

fn table<'a>(types: impl Iterator<Item = (&'a String, &'a ResourceSchema)>, managed: bool) -> String {
    let mut out = String::from(if managed {
        "| Type | Arguments (**required**) | Computed | Replaced when it changes | In the provider's schema, not implemented yet (null only) |\n|---|---|---|---|---|\n"
    } else {
        "| Data source | Arguments (**required**) | Computed | | In the provider's schema, not implemented yet (null only) |\n|---|---|---|---|---|\n"
    });
    for (name, s) in types {
        let b = &s.block;
        let replaced: Vec<String> = b.attributes.iter().filter(|(_, a)| a.force_new).map(|(n, _)| code(n)).collect();
        out.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} |\n",
            list(arguments(b)),
            list(b.attributes.iter().filter(|(_, a)| a.computed && !a.optional && !a.required).map(|(n, _)| code(n)).collect()),
            if managed { list(replaced) } else { String::new() },
            list(unsupported(b)),
        ));
    }
    out
}

/// The implemented arguments and blocks (blocks with their own arguments in braces).
fn arguments(b: &BlockSchema) -> Vec<String> {
    let mut out: Vec<String> = b
        .attributes
        .iter()
        .filter(|(_, a)| (a.optional || a.required) && !a.unsupported)
        .map(|(n, a)| if a.required { format!("**{}**", code(n)) } else { code(n) })
        .collect();
    for (n, nb) in b.blocks.iter().filter(|(_, nb)| !nb.unsupported) {
        let inner = arguments(&nb.block);
        out.push(if inner.is_empty() { format!("`{n} {{}}`") } else { format!("`{n} {{` {} `}}`", inner.join(", ")) });
    }
    out
}

/// The arguments and blocks of the provider's schema the driver does not implement, as
/// dotted paths (`versioning_configuration.mfa_delete`; a block as `name {}`).
fn unsupported(b: &BlockSchema) -> Vec<String> {
    fn walk(b: &BlockSchema, prefix: &str, out: &mut Vec<String>) {
        out.extend(b.attributes.iter().filter(|(_, a)| a.unsupported).map(|(n, _)| format!("`{prefix}{n}`")));
        out.extend(b.blocks.iter().filter(|(_, nb)| nb.unsupported).map(|(n, _)| format!("`{prefix}{n} {{}}`")));
        for (n, nb) in b.blocks.iter().filter(|(_, nb)| !nb.unsupported) {
            walk(&nb.block, &format!("{prefix}{n}."), out);
        }
    }
    let mut out = Vec::new();
    walk(b, "", &mut out);
    out
}

fn code(s: &str) -> String {
    format!("`{s}`")
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// A documentation file with its generated part replaced by `tables` (None when it has no
/// markers).
pub fn splice(doc: &str, tables: &str) -> Option<String> {
    let start = doc.find(BEGIN)? + BEGIN.len();
    let end = doc[start..].find(END)? + start;
    Some(format!("{}\n\n{}\n{}", &doc[..start], tables.trim_end(), &doc[end..]))
}
