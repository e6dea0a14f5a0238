//! Module source addresses, classified as Terraform classifies them: local paths, module
//! registry addresses (`NAMESPACE/NAME/PROVIDER`, optionally after a hostname), git (`git::URL`,
//! `github.com/ORG/REPO`, `git@github.com:...`), http(s) archives and `s3::` objects, each with
//! an optional `//subdirectory` and, for git, `?ref=`.

/// A classified module source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `./x` or `../x`, relative to the calling module.
    Local(String),
    /// A module registry address; `host` is `registry.terraform.io` when not written.
    Registry { host: String, namespace: String, name: String, provider: String, subdir: Option<String> },
    /// A git repository: clone URL, `ref` (tag, branch or commit), subdirectory.
    Git { url: String, reference: Option<String>, subdir: Option<String> },
    /// An http(s) URL: an archive (`.zip`, `.tar.gz`, `.tgz`, or `?archive=`) or a page naming
    /// the real source in an `X-Terraform-Get` header.
    Http { url: String, subdir: Option<String> },
    /// An object in S3 (`s3::https://s3.REGION.amazonaws.com/BUCKET/KEY`).
    S3 { url: String, subdir: Option<String> },
}

pub const DEFAULT_REGISTRY: &str = "registry.terraform.io";

/// Splits `addr//sub?query` into (`addr?query`, `sub`).
fn split_subdir(s: &str) -> (String, Option<String>) {
    let (main, query) = s.split_once('?').map_or((s, None), |(m, q)| (m, Some(q)));
    // Skip the scheme's `//`.
    let start = main.find("://").map_or(0, |i| i + 3);
    match main[start..].find("//") {
        Some(i) => {
            let (a, b) = main.split_at(start + i);
            let sub = b.trim_start_matches('/').to_string();
            let a = match query {
                Some(q) => format!("{a}?{q}"),
                None => a.to_string(),
            };
            (a, (!sub.is_empty()).then_some(sub))
        }
        None => (s.to_string(), None),
    }
}

impl Source {
    pub fn parse(raw: &str) -> Result<Source, String> {
        if raw.starts_with("./") || raw.starts_with("../") || raw == "." || raw == ".." {
            return Ok(Source::Local(raw.to_string()));
        }
        if let Some(rest) = raw.strip_prefix("git::") {
            let (url, subdir) = split_subdir(rest);
            let (url, reference) = take_query(&url, "ref");
            return Ok(Source::Git { url, reference, subdir });
        }
        if let Some(rest) = raw.strip_prefix("s3::") {
            let (url, subdir) = split_subdir(rest);
            return Ok(Source::S3 { url, subdir });
        }
        if let Some(rest) = raw.strip_prefix("github.com/") {
            let (path, subdir) = split_subdir(rest);
            let (path, reference) = take_query(&path, "ref");
            return Ok(Source::Git { url: format!("https://github.com/{}.git", path.trim_end_matches(".git")), reference, subdir });
        }
        if raw.starts_with("git@") {
            let (url, subdir) = split_subdir(raw);
            let (url, reference) = take_query(&url, "ref");
            return Ok(Source::Git { url, reference, subdir });
        }
        if raw.starts_with("http://") || raw.starts_with("https://") {
            let (url, subdir) = split_subdir(raw);
            return Ok(Source::Http { url, subdir });
        }
        if raw.contains("::") {
            return Err(format!("the source \"{raw}\" uses a getter skyform does not support (supported: local paths, the module registry, git::, github.com/, http(s) archives, s3::)"));
        }
        let (addr, subdir) = split_subdir(raw);
        let parts: Vec<&str> = addr.split('/').collect();
        let (host, rest) = match parts.as_slice() {
            [ns, name, provider] => (DEFAULT_REGISTRY.to_string(), [*ns, *name, *provider]),
            [host, ns, name, provider] if host.contains('.') || host.contains(':') => (host.to_ascii_lowercase(), [*ns, *name, *provider]),
            _ => {
                return Err(format!(
                    "\"{raw}\" is not a module source skyform recognises: a local path starts with ./ or ../, a registry address is NAMESPACE/NAME/PROVIDER (optionally after a hostname)"
                ))
            }
        };
        if rest.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
            return Err(format!("\"{raw}\" is not a valid module registry address"));
        }
        Ok(Source::Registry { host, namespace: rest[0].to_string(), name: rest[1].to_string(), provider: rest[2].to_string(), subdir })
    }

    /// The subdirectory within the fetched package.
    pub fn subdir(&self) -> Option<&str> {
        match self {
            Source::Registry { subdir, .. } | Source::Git { subdir, .. } | Source::Http { subdir, .. } | Source::S3 { subdir, .. } => subdir.as_deref(),
            Source::Local(_) => None,
        }
    }
}

/// Removes `name=value` from a URL's query: (URL without it, the value).
fn take_query(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), None) };
    let mut found = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.split_once('=') {
            Some((k, v)) if k == name => {
                found = Some(v.to_string());
                false
            }
            _ => true,
        })
        .collect();
    let url = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
    (url, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources_as_terraform_does() {
        assert_eq!(Source::parse("./net").unwrap(), Source::Local("./net".into()));
        assert_eq!(
            Source::parse("terraform-aws-modules/vpc/aws").unwrap(),
            Source::Registry {
                host: DEFAULT_REGISTRY.into(),
                namespace: "terraform-aws-modules".into(),
                name: "vpc".into(),
                provider: "aws".into(),
                subdir: None
            }
        );
        assert_eq!(
            Source::parse("app.example.com/acme/s3/aws//modules/notification").unwrap(),
            Source::Registry {
                host: "app.example.com".into(),
                namespace: "acme".into(),
                name: "s3".into(),
                provider: "aws".into(),
                subdir: Some("modules/notification".into())
            }
        );
        assert_eq!(
            Source::parse("git::https://example.com/net.git//modules/vpc?ref=v1.2.0").unwrap(),
            Source::Git { url: "https://example.com/net.git".into(), reference: Some("v1.2.0".into()), subdir: Some("modules/vpc".into()) }
        );
        assert_eq!(
            Source::parse("git::file:///tmp/repo?ref=abc123").unwrap(),
            Source::Git { url: "file:///tmp/repo".into(), reference: Some("abc123".into()), subdir: None }
        );
        assert_eq!(
            Source::parse("github.com/hashicorp/example?ref=v1").unwrap(),
            Source::Git { url: "https://github.com/hashicorp/example.git".into(), reference: Some("v1".into()), subdir: None }
        );
        assert_eq!(
            Source::parse("https://example.com/vpc-module.zip//sub").unwrap(),
            Source::Http { url: "https://example.com/vpc-module.zip".into(), subdir: Some("sub".into()) }
        );
        assert!(Source::parse("hg::https://example.com/x").is_err());
        assert!(Source::parse("just-a-name").is_err());
    }
}
