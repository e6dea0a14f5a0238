//! Apply progress: an overall bar plus a spinner line per in-flight resource (with its elapsed
//! time) when stdout is a terminal; plain Terraform-style lines otherwise
//! (`addr: Creating...`, `addr: Creation complete after 1s [id=...]`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::Hook;
use crate::plan::Action;

pub struct ProgressHook {
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    lines: Mutex<HashMap<String, ProgressBar>>,
}

impl ProgressHook {
    /// A line above the bars, or on stdout without them.
    fn line(&self, text: &str) {
        match &self.bars {
            Some(b) => {
                let _ = b.multi.println(text);
            }
            None => println!("{text}"),
        }
    }

    /// Bars when `tty`, plain lines otherwise; the bar is coloured only when `color`.
    pub fn new(tty: bool, color: bool) -> ProgressHook {
        let bars = tty.then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout());
            let overall = multi.add(ProgressBar::new(0));
            overall.set_style(
                ProgressStyle::with_template(if color {
                    "{bar:40.green/white} {pos}/{len} resources  [{elapsed}]"
                } else {
                    "{bar:40} {pos}/{len} resources  [{elapsed}]"
                })
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Bars { multi, overall, lines: Mutex::new(HashMap::new()) }
        });
        ProgressHook { bars }
    }

    /// Clears the bars (call before printing the summary).
    pub fn finish(&self) {
        if let Some(b) = &self.bars {
            b.overall.finish_and_clear();
            let _ = b.multi.clear();
        }
    }
}

fn verbs(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("Creating...", "Creation complete"),
        Action::Update => ("Modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        _ => ("Working...", "Complete"),
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl Hook for ProgressHook {
    fn pre_refresh(&self, address: &str, id: Option<&str>) {
        if self.bars.is_none() {
            match id {
                Some(id) => println!("{address}: Refreshing state... [id={id}]"),
                None => println!("{address}: Refreshing state..."),
            }
        }
    }

    fn provision_start(&self, address: &str, kind: &str) {
        self.line(&format!("{address}: Provisioning with '{kind}'..."));
    }

    fn provision_output(&self, address: &str, kind: &str, line: &str) {
        self.line(&format!("{address} ({kind}): {line}"));
    }

    fn apply_total(&self, total: usize) {
        if let Some(b) = &self.bars {
            b.overall.set_length(total as u64);
        }
    }

    fn pre_apply(&self, address: &str, action: Action, id: Option<&str>) {
        let (start, _) = verbs(action);
        let id = match (action, id) {
            (Action::Create, _) | (_, None) => String::new(),
            (_, Some(id)) => format!(" [id={id}]"),
        };
        match &self.bars {
            Some(b) => {
                let pb = b.multi.insert_before(&b.overall, ProgressBar::new_spinner());
                pb.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner()));
                pb.set_message(format!("{address}: {start}{id}"));
                pb.enable_steady_tick(Duration::from_millis(120));
                b.lines.lock().unwrap_or_else(|e| e.into_inner()).insert(address.to_string(), pb);
            }
            None => println!("{address}: {start}{id}"),
        }
    }

    fn post_apply(&self, address: &str, action: Action, id: Option<&str>, elapsed: Duration, error: Option<&str>) {
        let (_, done) = verbs(action);
        let line = match error {
            Some(e) => format!("{address}: failed after {}: {e}", secs(elapsed)),
            None => match (action, id) {
                (Action::Delete, _) | (_, None) => format!("{address}: {done} after {}", secs(elapsed)),
                (_, Some(id)) => format!("{address}: {done} after {} [id={id}]", secs(elapsed)),
            },
        };
        match &self.bars {
            Some(b) => {
                if let Some(pb) = b.lines.lock().unwrap_or_else(|e| e.into_inner()).remove(address) {
                    pb.finish_and_clear();
                    b.multi.remove(&pb);
                }
                let _ = b.multi.println(&line);
                b.overall.inc(1);
            }
            None => println!("{line}"),
        }
    }
}
