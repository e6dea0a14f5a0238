//! `aws_s3_bucket_website_configuration`: `bucket` (force-new), `index_document { suffix }`,
//! `error_document { key }` or `redirect_all_requests_to { host_name, protocol }`, changed in
//! place; computed `website_endpoint` and `website_domain` (from the bucket's region, by S3's
//! two naming schemes). Destroying it deletes the website configuration. `routing_rule` and
//! `routing_rules` are not implemented.

use async_trait::async_trait;
use aws_sdk_s3::types::{ErrorDocument, IndexDocument, Protocol, RedirectAllRequestsTo, WebsiteConfiguration};

use super::s3_bucket_common::{self as common, bucket, first, invalid, opt_str};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

/// The website domain and endpoint of a bucket in `region` (S3's older regions use a dash).
pub fn endpoint_and_domain(bucket: &str, region: &str) -> (String, String) {
    const DASHED: [&str; 9] =
        ["ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "eu-west-1", "sa-east-1", "us-east-1", "us-gov-west-1", "us-west-1", "us-west-2"];
    let region = if region.is_empty() { "us-east-1" } else { region };
    let domain = if DASHED.contains(&region) {
        format!("s3-website-{region}.amazonaws.com")
    } else if region.starts_with("cn-") {
        format!("s3-website.{region}.amazonaws.com.cn")
    } else {
        format!("s3-website.{region}.amazonaws.com")
    };
    (format!("{bucket}.{domain}"), domain)
}

fn one(v: Option<Value>) -> Value {
    Value::List(v.into_iter().collect())
}

fn config(planned: &Value) -> Result<WebsiteConfiguration, Diagnostics> {
    let mut w = WebsiteConfiguration::builder();
    if let Some(d) = first(attr(planned, "index_document")) {
        w = w.index_document(IndexDocument::builder().suffix(opt_str(d, "suffix").unwrap_or_default()).build().map_err(|e| invalid("index_document", e))?);
    }
    if let Some(d) = first(attr(planned, "error_document")) {
        w = w.error_document(ErrorDocument::builder().key(opt_str(d, "key").unwrap_or_default()).build().map_err(|e| invalid("error_document", e))?);
    }
    if let Some(d) = first(attr(planned, "redirect_all_requests_to")) {
        let r = RedirectAllRequestsTo::builder()
            .host_name(opt_str(d, "host_name").unwrap_or_default())
            .set_protocol(opt_str(d, "protocol").filter(|p| !p.is_empty()).map(|p| Protocol::from(p.as_str())))
            .build()
            .map_err(|e| invalid("redirect_all_requests_to", e))?;
        w = w.redirect_all_requests_to(r);
    }
    Ok(w.build())
}

/// `aws_s3_bucket_website_configuration`.
pub struct S3BucketWebsiteConfiguration;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketWebsiteConfiguration {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_website_configuration"
    }

    fn schema(&self) -> ResourceSchema {
        common::schema(self.name(), &["index_document", "error_document", "redirect_all_requests_to", "website_endpoint", "website_domain"])
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        let has = |name: &str| first(attr(&planned, name)).is_some();
        if has("redirect_all_requests_to") && (has("index_document") || has("error_document")) {
            diags.push(Diagnostic::error(
                "Conflicting configuration arguments",
                "\"redirect_all_requests_to\": conflicts with \"index_document\" and \"error_document\": a website either redirects every request or serves documents.",
            ));
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let b = bucket(&prior);
        let r = p.s3.get_bucket_website().bucket(&b).send().await;
        let read = common::read_from(prior, "website configuration", r, |mut state, out| {
            let index = out.index_document().map(|d| Value::object([("suffix", Value::string(d.suffix()))]));
            let error = out.error_document().map(|d| Value::object([("key", Value::string(d.key()))]));
            let redirect = out.redirect_all_requests_to().map(|r| {
                let protocol = r.protocol().map(|p| p.as_str()).filter(|p| !p.is_empty()).map(Value::string).unwrap_or(Value::Null);
                Value::object([("host_name", Value::string(r.host_name())), ("protocol", protocol)])
            });
            set(&mut state, "index_document", one(index));
            set(&mut state, "error_document", one(error));
            set(&mut state, "redirect_all_requests_to", one(redirect));
            state
        });
        if read.diagnostics.has_errors() {
            return read;
        }
        let Some(mut state) = read.new_state else { return read };
        // The endpoint follows the bucket's own region (an empty constraint is us-east-1).
        let region = match p.s3.get_bucket_location().bucket(&b).send().await {
            Ok(out) => out.location_constraint().map(|c| c.as_str().to_string()).unwrap_or_default(),
            Err(e) => return ReadResponse::failed(state, super::aws_error(&format!("reading the location of S3 bucket \"{b}\""), &e)),
        };
        let (endpoint, domain) = endpoint_and_domain(&b, &region);
        set(&mut state, "website_endpoint", Value::String(endpoint));
        set(&mut state, "website_domain", Value::String(domain));
        ReadResponse::found(state)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        self.put(p, None, planned).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        self.put(p, Some(prior), planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let r = p.s3_write.delete_bucket_website().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "website configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketWebsiteConfiguration {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let w = match config(&planned) {
            Ok(w) => w,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let r = p.s3_write.put_bucket_website().bucket(bucket(&planned)).website_configuration(w).send().await;
        common::after_put(self, p, prior, planned, "website configuration", r).await
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint_and_domain;

    #[test]
    fn website_endpoints_follow_the_region_scheme() {
        assert_eq!(endpoint_and_domain("b", "eu-west-1"), ("b.s3-website-eu-west-1.amazonaws.com".into(), "s3-website-eu-west-1.amazonaws.com".into()));
        assert_eq!(endpoint_and_domain("b", "eu-central-1").1, "s3-website.eu-central-1.amazonaws.com");
        assert_eq!(endpoint_and_domain("b", "").1, "s3-website-us-east-1.amazonaws.com");
    }
}
