//! Renderers: the human plan ([`plan_text`]), diagnostics with source snippets
//! ([`diagnostics`]), apply progress ([`progress`], an engine [`crate::engine::Hook`]), and
//! values in HCL syntax ([`values`]). Nothing here decides anything; it only shows.

pub mod diagnostics;
pub mod json_ui;
pub mod markdown;
pub mod plan_json;
pub mod plan_text;
pub mod progress;
pub mod schema_docs;
pub mod state_text;
pub mod values;

/// ANSI colouring that can be switched off (`-no-color`, `NO_COLOR`).
#[derive(Clone, Copy, Debug)]
pub struct Colors {
    pub enabled: bool,
}

impl Colors {
    pub fn new(enabled: bool) -> Colors {
        Colors { enabled }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}
