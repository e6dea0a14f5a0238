//! `skyform fmt`: rewrites `.tf` and `.tfvars` files in canonical style (`-check` only reports).
//!
//! As `terraform fmt`: without paths the working directory is formatted (subdirectories too with
//! `-recursive`); each file that changes is listed; `-diff` also prints a unified diff; `-check`
//! writes nothing and exits 3 when a file is not formatted. A file that does not parse is left
//! alone and reported with its location, and the command then exits 1. The formatting itself
//! lives in [`crate::config::format`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::common::{CliError, CliResult};
use crate::config::format::format_file;
use crate::config::Sources;
use crate::diag::{Diagnostic, Diagnostics};
use crate::view::diagnostics::render_all;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Exit 3 if any file is not formatted, without rewriting.
    #[arg(long)]
    pub check: bool,
    /// Show the differences.
    #[arg(long)]
    pub diff: bool,
    /// Also process subdirectories.
    #[arg(long)]
    pub recursive: bool,
    /// Files or directories (default: the working directory).
    pub paths: Vec<std::path::PathBuf>,
    #[arg(long)]
    pub no_color: bool,
}

/// File name endings `fmt` formats (Terraform's list).
const EXTENSIONS: &[&str] = &[".tf", ".tfvars", ".tftest.hcl", ".tfmock.hcl"];

pub fn cmd_fmt(a: FmtArgs) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    let (code, diags, sources) = run_fmt(&a, &mut stdout);
    let _ = stdout.flush();
    if diags.is_empty() {
        return Ok(code);
    }
    let color = !a.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::IsTerminal::is_terminal(&std::io::stderr());
    Err(CliError::new(render_all(&diags, &sources, color)))
}

/// Does the work of `fmt`, writing the file list and diffs to `out`. Returns the exit code for
/// a run without errors, the errors, and the text of the files they point into.
fn run_fmt(a: &FmtArgs, out: &mut dyn Write) -> (i32, Diagnostics, Sources) {
    let mut run = Run { args: a, out, diags: Diagnostics::new(), sources: Sources::default(), unformatted: 0 };
    let paths = if a.paths.is_empty() { vec![PathBuf::from(".")] } else { a.paths.clone() };
    for path in &paths {
        if path.is_dir() {
            run.dir(path);
        } else if path.exists() {
            let name = path.to_string_lossy();
            if EXTENSIONS.iter().any(|ext| name.ends_with(ext)) {
                run.file(path);
            } else {
                run.diags.push(Diagnostic::error(
                    "Unsupported file",
                    format!("Only .tf, .tfvars and .tftest.hcl files can be formatted; {} is not one.", path.display()),
                ));
            }
        } else {
            run.diags.push(Diagnostic::error("No such file or directory", format!("There is no file or directory at {}.", path.display())));
            break;
        }
    }
    let code = if a.check && run.unformatted > 0 { 3 } else { 0 };
    (code, run.diags, run.sources)
}

struct Run<'a> {
    args: &'a FmtArgs,
    out: &'a mut dyn Write,
    diags: Diagnostics,
    sources: Sources,
    unformatted: usize,
}

impl Run<'_> {
    fn dir(&mut self, dir: &Path) {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                self.diags.push(Diagnostic::error("Cannot read directory", format!("Could not read {}: {e}.", dir.display())));
                return;
            }
        };
        entries.sort();
        for path in entries {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
            if is_ignored(&name) {
                continue;
            }
            if path.is_dir() {
                if self.args.recursive {
                    self.dir(&path);
                }
            } else if EXTENSIONS.iter().any(|ext| name.ends_with(ext)) {
                self.file(&path);
            }
        }
    }

    fn file(&mut self, path: &Path) {
        let shown = display_path(path);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(Diagnostic::error("Failed to read file", format!("Could not read {shown}: {e}.")));
                return;
            }
        };
        let formatted = match format_file(&shown, &text) {
            Ok(f) => f,
            Err(d) => {
                self.sources.files.insert(Arc::from(shown.as_str()), Arc::from(text.as_str()));
                self.diags.push(d);
                return;
            }
        };
        if formatted == text {
            return;
        }
        self.unformatted += 1;
        let _ = writeln!(self.out, "{shown}");
        if !self.args.check {
            if let Err(e) = std::fs::write(path, &formatted) {
                self.diags.push(Diagnostic::error("Failed to write file", format!("Could not write {shown}: {e}.")));
                return;
            }
        }
        if self.args.diff {
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            let unified = diff.unified_diff().context_radius(3).header(&format!("old/{shown}"), &format!("new/{shown}")).to_string();
            let _ = write!(self.out, "{unified}");
        }
    }
}

/// Names Terraform skips in a directory: hidden files and editor backups.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// The path as the user sees it: `./main.tf` shows as `main.tf`.
fn display_path(path: &Path) -> String {
    let p = path.strip_prefix(".").unwrap_or(path);
    p.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(check: bool, diff: bool, recursive: bool, paths: Vec<PathBuf>) -> FmtArgs {
        FmtArgs { check, diff, recursive, paths, no_color: true }
    }

    fn run(a: &FmtArgs) -> (i32, Diagnostics, String) {
        let mut out = Vec::new();
        let (code, diags, _) = run_fmt(a, &mut out);
        (code, diags, String::from_utf8(out).unwrap_or_default())
    }

    #[test]
    fn writes_lists_checks_and_diffs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("main.tf"), "a=1\nbb = 2\n").unwrap();
        std::fs::write(root.join("ok.tf"), "a = 1\n").unwrap();
        std::fs::write(root.join("vars.tfvars"), "x   =  \"y\"\n").unwrap();
        std::fs::write(root.join("sub/s.tf"), "b  =  1\n").unwrap();
        std::fs::write(root.join(".hidden.tf"), "c  =  1\n").unwrap();

        // -check writes nothing, lists unformatted files and exits 3.
        let (code, diags, out) = run(&args(true, false, false, vec![root.to_path_buf()]));
        assert!(diags.is_empty());
        assert_eq!(code, 3);
        let main = root.join("main.tf").display().to_string();
        let vars = root.join("vars.tfvars").display().to_string();
        assert_eq!(out, format!("{main}\n{vars}\n"));
        assert_eq!(std::fs::read_to_string(root.join("main.tf")).unwrap(), "a=1\nbb = 2\n");

        // -diff prints a unified diff and the file is rewritten.
        let (code, _, out) = run(&args(false, true, false, vec![root.join("main.tf")]));
        assert_eq!(code, 0);
        assert!(out.starts_with(&format!("{main}\n--- old/{main}\n+++ new/{main}\n")), "{out}");
        assert!(out.contains("-a=1\n+a  = 1\n bb = 2\n"), "{out}");
        assert_eq!(std::fs::read_to_string(root.join("main.tf")).unwrap(), "a  = 1\nbb = 2\n");

        // -recursive reaches subdirectories; hidden files are skipped.
        let (code, _, out) = run(&args(false, false, true, vec![root.to_path_buf()]));
        assert_eq!(code, 0);
        assert!(out.contains("s.tf") && !out.contains("hidden"), "{out}");
        assert_eq!(std::fs::read_to_string(root.join("sub/s.tf")).unwrap(), "b = 1\n");
        assert_eq!(std::fs::read_to_string(root.join(".hidden.tf")).unwrap(), "c  =  1\n");

        // Everything formatted now: -check passes silently.
        let (code, _, out) = run(&args(true, false, true, vec![root.to_path_buf()]));
        assert_eq!((code, out.as_str()), (0, ""));
    }

    #[test]
    fn syntax_errors_name_the_location_and_leave_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.tf");
        std::fs::write(&path, "a = 1\nb = {\n").unwrap();
        let (_, diags, _) = run(&args(false, false, false, vec![path.clone()]));
        assert_eq!(diags.0.len(), 1);
        let range = diags.0[0].range.as_ref().expect("a location");
        assert_eq!(&*range.file, path.display().to_string());
        assert!(range.line >= 2, "{range}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\nb = {\n");

        let (_, diags, _) = run(&args(false, false, false, vec![dir.path().join("missing.tf")]));
        assert!(diags.0[0].detail.contains("no file or directory"));
        std::fs::write(dir.path().join("x.txt"), "").unwrap();
        let (_, diags, _) = run(&args(false, false, false, vec![dir.path().join("x.txt")]));
        assert!(diags.0[0].detail.starts_with("Only .tf"));
    }
}
