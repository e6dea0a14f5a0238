//! The parts of Terraform's CLI configuration file that module installation reads: `host`
//! blocks that override a hostname's service discovery (air-gapped registries, and tests), and
//! `credentials` blocks (plus `TF_TOKEN_<host>` variables) that give registry tokens. The file
//! is `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`.

use std::collections::HashMap;
use std::path::PathBuf;

/// Service overrides and tokens by hostname.
#[derive(Debug, Default)]
pub struct CliConfig {
    /// `host "NAME" { services = { "modules.v1" = "URL" } }`.
    pub services: HashMap<String, HashMap<String, String>>,
    /// `credentials "NAME" { token = "..." }`.
    pub tokens: HashMap<String, String>,
}

impl CliConfig {
    /// Reads the CLI configuration file (none is fine; an unreadable one is an error).
    pub fn load() -> Result<CliConfig, String> {
        // As in Terraform: a missing `~/.terraformrc` is no configuration, and a missing file
        // named by TF_CLI_CONFIG_FILE a warning (once per process); any other failure to read
        // either is an error.
        let (path, named) = match std::env::var_os("TF_CLI_CONFIG_FILE") {
            Some(p) if !p.is_empty() => (Some(PathBuf::from(p)), true),
            _ => (std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".terraformrc")), false),
        };
        let mut cfg = match path.map(|p| (std::fs::read_to_string(&p), p)) {
            Some((Ok(text), p)) => CliConfig::parse(&text).map_err(|e| format!("{}: {e}", p.display()))?,
            Some((Err(e), p)) if e.kind() == std::io::ErrorKind::NotFound => {
                static WARNED: std::sync::Once = std::sync::Once::new();
                if named {
                    WARNED.call_once(|| {
                        eprintln!("Warning: Unable to open CLI configuration file\n\nThe CLI configuration file at \"{}\" does not exist.\n", p.display())
                    });
                }
                CliConfig::default()
            }
            Some((Err(e), p)) => return Err(format!("cannot read the CLI configuration {}: {e}", p.display())),
            None => CliConfig::default(),
        };
        for (k, v) in std::env::vars() {
            if let Some(host) = k.strip_prefix("TF_TOKEN_") {
                // Terraform's encoding: `.` as `_`, `-` as `__`.
                let host = host.replace("__", "\u{0}").replace('_', ".").replace('\u{0}', "-").to_ascii_lowercase();
                cfg.tokens.insert(host, v);
            }
        }
        Ok(cfg)
    }

    pub fn parse(text: &str) -> Result<CliConfig, String> {
        let body: hcl::Body = hcl::from_str(text).map_err(|e| e.to_string())?;
        let mut cfg = CliConfig::default();
        for block in body.blocks() {
            let Some(host) = block.labels().first().map(|l| l.as_str().to_ascii_lowercase()) else { continue };
            match block.identifier() {
                "host" => {
                    let mut services = HashMap::new();
                    for a in block.body().attributes().filter(|a| a.key() == "services") {
                        if let hcl::Expression::Object(o) = a.expr() {
                            for (k, v) in o.iter() {
                                let key = match k {
                                    hcl::ObjectKey::Identifier(i) => i.to_string(),
                                    hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s.clone(),
                                    _ => continue,
                                };
                                if let hcl::Expression::String(url) = v {
                                    services.insert(key, url.clone());
                                }
                            }
                        }
                    }
                    cfg.services.insert(host, services);
                }
                "credentials" => {
                    if let Some(hcl::Expression::String(t)) = block.body().attributes().find(|a| a.key() == "token").map(|a| a.expr()) {
                        cfg.tokens.insert(host, t.clone());
                    }
                }
                _ => {}
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_host_overrides_and_credentials() {
        let cfg = CliConfig::parse(
            r#"
host "registry.terraform.io" {
  services = {
    "modules.v1" = "http://127.0.0.1:8080/v1/modules/"
  }
}
credentials "app.example.com" {
  token = "secret"
}
plugin_cache_dir = "/tmp"
"#,
        )
        .unwrap();
        assert_eq!(cfg.services["registry.terraform.io"]["modules.v1"], "http://127.0.0.1:8080/v1/modules/");
        assert_eq!(cfg.tokens["app.example.com"], "secret");
    }
}
