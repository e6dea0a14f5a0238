//! `provider "digitalocean"`: Spaces, DigitalOcean's S3-compatible object storage (buckets and
//! objects), on the AWS driver's S3 code path. This module owns the provider block and the
//! Spaces clients; one file per resource type.
//!
//! Provider attributes (Terraform's names): `spaces_access_id` (or `SPACES_ACCESS_KEY_ID`),
//! `spaces_secret_key` (or `SPACES_SECRET_ACCESS_KEY`), `spaces_endpoint` (or
//! `SPACES_ENDPOINT_URL`; default `https://{{.Region}}.digitaloceanspaces.com`, where
//! `{{.Region}}` becomes the resource's region) and `token` (accepted: no type implemented
//! yet calls the DigitalOcean API). Each endpoint the resources use gets its own S3 client, built
//! by the AWS driver's factory ([`AwsFactory::connect`]) with the Spaces keys as static
//! credentials and SigV4 signing region `us-east-1` (as Terraform's provider signs), so the
//! requests, retries, request counting and error handling are the AWS driver's. A configured
//! `spaces_endpoint` is addressed path-style (`ENDPOINT/BUCKET/KEY`), which every S3-compatible
//! store accepts; DigitalOcean's own endpoint virtual-hosted (`BUCKET.REGION.digitaloceanspaces.com`).
//! The keys are asked for on first use, so a configuration with no Spaces resource needs none;
//! they never reach state or plans.

pub mod spaces_bucket;
pub mod spaces_bucket_object;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use super::aws::{AwsFactory, AwsProvider};
use super::kit::table;
use super::{AttrType, AttributeSchema, BlockSchema, Dispatch, Provider, ProviderFactory, ProviderSchema, Types};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::Value;

/// Terraform's default `spaces_endpoint`.
pub const DEFAULT_ENDPOINT: &str = "https://{{.Region}}.digitaloceanspaces.com";
/// The region of a bucket that does not name one (Terraform's default).
pub const DEFAULT_REGION: &str = "nyc3";
/// The SigV4 region every Spaces request is signed for (Spaces and most S3-compatible stores
/// accept it whatever the bucket's region).
const SIGNING_REGION: &str = "us-east-1";

/// The digitalocean provider factory.
pub struct DigitalOceanFactory {
    /// Built on first use: a configuration without this provider never pays for its schema.
    schema: OnceLock<ProviderSchema>,
}

impl Default for DigitalOceanFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl DigitalOceanFactory {
    pub fn new() -> DigitalOceanFactory {
        DigitalOceanFactory { schema: OnceLock::new() }
    }

    /// The provider block (the published one, with the arguments implemented here), resource
    /// and data source schemas.
    fn provider_schema() -> ProviderSchema {
        let s = || AttributeSchema::optional().typed(AttrType::String);
        let own = BlockSchema::new([
            ("token", s().sensitive()),
            ("spaces_access_id", s().sensitive()),
            ("spaces_secret_key", s().sensitive()),
            ("spaces_endpoint", s()),
        ]);
        let (resources, data_sources) = DigitalOceanProvider::types().schemas();
        let provider = crate::schema::generated::provider_block_with("digitalocean", own);
        ProviderSchema { provider, resources, data_sources }
    }

    /// Builds the driver with its concrete type (tests read its request counter).
    pub async fn connect(&self, config: &Value) -> Result<Arc<DigitalOceanProvider>, Diagnostics> {
        let text = |name: &str| config.get_attr(name).and_then(|v| v.as_str()).map(str::to_string).filter(|s| !s.is_empty());
        let env = |name: &str| std::env::var(name).ok().filter(|s| !s.is_empty());
        let access = text("spaces_access_id").or_else(|| env("SPACES_ACCESS_KEY_ID"));
        let secret = text("spaces_secret_key").or_else(|| env("SPACES_SECRET_ACCESS_KEY"));
        let configured = text("spaces_endpoint").or_else(|| env("SPACES_ENDPOINT_URL"));
        let endpoint = configured.clone().unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let example = render(&endpoint, DEFAULT_REGION);
        if !example.starts_with("http://") && !example.starts_with("https://") {
            return Err(Diagnostic::error(
                "Invalid spaces_endpoint",
                format!("spaces_endpoint \"{endpoint}\" is not an http(s) URL (e.g. \"https://{{{{.Region}}}}.digitaloceanspaces.com\", or \"http://127.0.0.1:9000\" for a local S3-compatible store)."),
            )
            .for_attribute("spaces_endpoint")
            .into());
        }
        Ok(Arc::new(DigitalOceanProvider {
            credentials: access.zip(secret),
            endpoint,
            path_style: configured.is_some(),
            clients: tokio::sync::Mutex::new(BTreeMap::new()),
        }))
    }
}

#[async_trait]
impl ProviderFactory for DigitalOceanFactory {
    fn name(&self) -> &'static str {
        "digitalocean"
    }
    fn schema(&self) -> &ProviderSchema {
        self.schema.get_or_init(Self::provider_schema)
    }
    async fn configure(&self, config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(self.connect(&config).await?)
    }
}

/// The endpoint template with `{{.Region}}` replaced by the (lower-case) region, as Terraform's
/// provider executes it.
fn render(template: &str, region: &str) -> String {
    let region = region.to_lowercase();
    template.replace("{{.Region}}", &region).replace("{{ .Region }}", &region)
}

/// A configured digitalocean driver: the Spaces keys and endpoint, and one S3 client per
/// endpoint used so far.
pub struct DigitalOceanProvider {
    /// (access id, secret key); `None` when not configured (an error on first use).
    credentials: Option<(String, String)>,
    /// The endpoint template (`{{.Region}}` is the resource's region).
    endpoint: String,
    /// Whether requests are addressed path-style (a configured endpoint).
    path_style: bool,
    clients: tokio::sync::Mutex<BTreeMap<String, Arc<AwsProvider>>>,
}

impl DigitalOceanProvider {
    /// The Spaces endpoint of a region.
    pub fn endpoint(&self, region: &str) -> String {
        render(&self.endpoint, region)
    }

    /// The S3 client (an AWS driver) of a region's endpoint, built on first use.
    pub(crate) async fn spaces(&self, region: &str) -> Result<Arc<AwsProvider>, Diagnostics> {
        let Some((access, secret)) = &self.credentials else {
            return Err(Diagnostic::error(
                "Spaces credentials not configured",
                "Spaces buckets and objects need an access key: set spaces_access_id and spaces_secret_key in the provider \"digitalocean\" block, or the SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY environment variables (keys are made under API > Spaces Keys in the DigitalOcean control panel, or by the S3-compatible store).",
            )
            .into());
        };
        let url = self.endpoint(region);
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(&url) {
            return Ok(c.clone());
        }
        let config = Value::object([
            ("region", Value::string(SIGNING_REGION)),
            ("access_key", Value::string(access)),
            ("secret_key", Value::string(secret)),
            ("s3_use_path_style", Value::Bool(self.path_style)),
            ("skip_credentials_validation", Value::Bool(true)),
            ("endpoints", Value::object([("s3", Value::string(&url))])),
        ]);
        let client = AwsFactory::new().connect(&config).await?;
        clients.insert(url, client.clone());
        Ok(client)
    }

    /// HTTP requests sent so far (every attempt, to every endpoint).
    pub async fn requests(&self) -> u64 {
        self.clients.lock().await.values().map(|c| c.requests()).sum()
    }
}

/// The AWS driver's diagnostics in Spaces' words: the title names Spaces, and the hint about
/// credentials names the Spaces keys instead of AWS's.
pub(crate) fn spaces_error(d: Diagnostics) -> Diagnostics {
    let mut out = Diagnostics::new();
    for x in d.iter() {
        let mut x = x.clone();
        x.summary = x.summary.replace("AWS API error", "Spaces API error");
        if let Some(at) = x.detail.find("\n\nCheck the credentials (AWS_ACCESS_KEY_ID") {
            x.detail.truncate(at);
            x.detail.push_str("\n\nCheck the Spaces keys (spaces_access_id/spaces_secret_key, or SPACES_ACCESS_KEY_ID/SPACES_SECRET_ACCESS_KEY).");
        }
        x.detail = x.detail.replace("S3 bucket", "Spaces bucket").replace("S3 object", "Spaces object");
        out.push(x);
    }
    out
}

/// The canned ACLs Spaces knows (for buckets and objects).
pub(crate) const ACLS: &[&str] = &["private", "public-read"];

/// A configured `acl` that Spaces does not know, as a diagnostic.
pub(crate) fn acl_problem(v: &Value) -> Option<Diagnostic> {
    let acl = v.get_attr("acl").and_then(|a| a.as_str())?;
    (!ACLS.contains(&acl)).then(|| Diagnostic::error("Invalid acl", format!("acl must be \"private\" or \"public-read\", not \"{acl}\".")).for_attribute("acl"))
}

/// The canned ACL that grants amount to: `public-read` when everyone may read, else `private`.
pub(crate) fn canned_acl(grants: &[aws_sdk_s3::types::Grant]) -> &'static str {
    let public = grants.iter().any(|g| {
        let everyone = g.grantee().and_then(|e| e.uri()).is_some_and(|u| u.ends_with("/global/AllUsers"));
        everyone && matches!(g.permission(), Some(aws_sdk_s3::types::Permission::Read))
    });
    if public {
        "public-read"
    } else {
        "private"
    }
}

impl Dispatch for DigitalOceanProvider {
    /// The digitalocean registration list: one line per resource type.
    fn types() -> &'static Types<Self> {
        static TYPES: OnceLock<Types<DigitalOceanProvider>> = OnceLock::new();
        table(&TYPES, || Types::new(&[&spaces_bucket::SpacesBucket, &spaces_bucket_object::SpacesBucketObject], &[]))
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn endpoint_template_takes_the_region() {
        assert_eq!(render(super::DEFAULT_ENDPOINT, "NYC3"), "https://nyc3.digitaloceanspaces.com");
        assert_eq!(render("https://{{ .Region }}.example.com", "fra1"), "https://fra1.example.com");
        assert_eq!(render("http://127.0.0.1:9000", "ams3"), "http://127.0.0.1:9000");
    }
}
