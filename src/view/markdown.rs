//! A plan as a pull-request comment (GitHub and GitLab Markdown): a one-line summary,
//! destructive changes first, a table of changed resources, then one collapsible `<details>`
//! section per resource with its diff in a ```` ```diff ```` fence, and the output changes.
//! Bodies over the size limit are trimmed resource by resource with a note saying what was cut.

use super::plan_text::{change_reason, render_change, render_output_text};
use super::Colors;
use crate::plan::{Action, Plan, ResourceChange};

/// GitHub refuses comments over 65,536 characters; keep a margin.
pub const MAX_COMMENT: usize = 65_000;

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "destroy",
        Action::DeleteThenCreate => "replace (destroy, then create)",
        Action::CreateThenDelete => "replace (create, then destroy)",
        Action::Read => "read",
        Action::NoOp => "no-op",
        Action::Forget => "forget (left in place, no longer managed)",
    }
}

fn icon(a: Action) -> &'static str {
    match a {
        Action::Create => "🟢",
        Action::Update => "🟡",
        Action::Delete => "🔴",
        Action::DeleteThenCreate | Action::CreateThenDelete => "🟠",
        _ => "⚪",
    }
}

/// Terraform's plan text turned into diff-fence lines: the change symbol moves to column 0 so
/// the fence colours it (`!` for in-place changes and replacements).
fn to_diff_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let (sym, len) = if trimmed.starts_with("-/+") || trimmed.starts_with("+/-") {
            ('!', 3)
        } else if let Some(first) = trimmed.chars().next().filter(|ch| matches!(ch, '+' | '-' | '~')) {
            (if first == '~' { '!' } else { first }, 1)
        } else {
            (' ', 0)
        };
        if sym == ' ' {
            out.push_str(&format!(" {line}\n"));
        } else {
            out.push_str(&format!("{sym}{}{}\n", " ".repeat(lead + len), &trimmed[len..]));
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn fence(body: &str) -> String {
    // A fence longer than any backtick run inside, so content cannot close it.
    let longest = body.split(|ch| ch != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    format!("{ticks}diff\n{body}{ticks}\n")
}

/// Renders the comment body, at most `limit` characters (a trimmed body says what it left out).
pub fn render_markdown(plan: &Plan, schemas: &dyn crate::schema::SchemaSource, limit: usize) -> String {
    let changed: Vec<&ResourceChange> =
        plan.changes.iter().filter(|c| !matches!(c.action, Action::NoOp) || c.importing.is_some() || c.previous_address.is_some()).collect();
    let outputs_changed = plan.outputs.iter().any(|o| o.action != Action::NoOp);
    if changed.is_empty() && !outputs_changed {
        return "**skyform plan:** no changes. Your infrastructure matches the configuration.\n".into();
    }
    let s = plan.summary();
    let imports = if s.import > 0 { format!("{} to import, ", s.import) } else { String::new() };
    let mut head = format!("### skyform plan\n\n**Plan: {imports}{} to add, {} to change, {} to destroy.**\n\n", s.add, s.change, s.destroy);
    if plan.destroy {
        head.push_str("This is a **destroy** plan.\n\n");
    }
    let destructive: Vec<&&ResourceChange> = changed.iter().filter(|c| matches!(c.action, Action::Delete) || c.action.is_replace()).collect();
    if !destructive.is_empty() {
        head.push_str(&format!("> [!CAUTION]\n> **{} resource(s) will be destroyed or replaced:**\n", destructive.len()));
        for c in &destructive {
            head.push_str(&format!("> - `{}`: {}{}\n", c.address, action_word(c.action), change_reason(c).map(|r| format!(" ({r})")).unwrap_or_default()));
        }
        head.push('\n');
    }

    // Destructive changes first, then the rest, each group in address order.
    let mut ordered = changed.clone();
    ordered.sort_by_key(|c| (!(matches!(c.action, Action::Delete) || c.action.is_replace()), c.address.clone()));

    let mut table = String::from("| | Resource | Action | Reason |\n|---|---|---|---|\n");
    for c in &ordered {
        let action = match (c.action, &c.importing, &c.previous_address) {
            (Action::NoOp, Some(_), _) => "import",
            (Action::NoOp, None, Some(_)) => "move",
            (a, _, _) => action_word(a),
        };
        let mut reasons: Vec<String> = change_reason(c).or_else(|| c.importing.as_ref().map(|id| format!("imported from `{id}`"))).into_iter().collect();
        if let Some(prev) = &c.previous_address {
            reasons.push(format!("moved from `{prev}`"));
        }
        table.push_str(&format!("| {} | `{}` | {action} | {} |\n", icon(c.action), md_escape(&c.address), md_escape(&reasons.join("; "))));
    }

    let outputs = if outputs_changed {
        let text = render_output_text(plan, Colors::new(false));
        format!("#### Changes to outputs\n\n{}\n", fence(&to_diff_lines(text.trim_start_matches('\n'))))
    } else {
        String::new()
    };

    let sections: Vec<String> = ordered
        .iter()
        .map(|c| {
            let diff = to_diff_lines(&render_change(c, schemas, Colors::new(false)));
            format!("<details><summary>{} <code>{}</code>: {}</summary>\n\n{}\n</details>\n", icon(c.action), c.address, action_word(c.action), fence(&diff))
        })
        .collect();

    let note = |cut: usize, what: &str| {
        format!("\n> [!NOTE]\n> {cut} {what} left out to keep this comment under {limit} characters. Run `skyform show PLANFILE` for the whole plan.\n")
    };
    let reserve = 400; // room for the note
    let mut body = head;
    if body.len() + table.len() + outputs.len() + reserve > limit {
        // Even the table does not fit: keep as many rows as fit.
        let mut rows = table.lines();
        let mut kept = String::new();
        let mut n: usize = 0;
        for line in rows.by_ref() {
            if body.len() + kept.len() + line.len() + 1 + reserve > limit {
                break;
            }
            kept.push_str(line);
            kept.push('\n');
            n += 1;
        }
        let shown = n.saturating_sub(2);
        body.push_str(&kept);
        body.push_str(&note(ordered.len() - shown, "rows of the table and every resource diff were"));
        return body;
    }
    body.push_str(&table);
    body.push('\n');
    let mut used = body.len() + outputs.len() + reserve;
    let mut cut = 0;
    let mut details = String::new();
    for sec in &sections {
        if cut > 0 || used + sec.len() > limit {
            cut += 1;
            continue;
        }
        used += sec.len();
        details.push_str(sec);
    }
    body.push_str(&details);
    body.push('\n');
    body.push_str(&outputs);
    if cut > 0 {
        body.push_str(&note(cut, "resource diffs were"));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_move_symbols_to_column_zero() {
        let text =
            "  # x will be updated in-place\n  ~ resource \"t\" \"x\" {\n      ~ a = 1 -> 2\n      + b = 3\n        # (1 unchanged attribute hidden)\n    }\n";
        let d = to_diff_lines(text);
        assert!(d.contains("\n!    resource \"t\" \"x\" {\n"), "{d}");
        assert!(d.contains("\n!        a = 1 -> 2\n"), "{d}");
        assert!(d.contains("\n+        b = 3\n"), "{d}");
        assert!(d.starts_with("   # x will"), "{d}");
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert!(fence("a ``` b\n").starts_with("````diff\n"));
        assert!(fence("plain\n").starts_with("```diff\n"));
    }
}
