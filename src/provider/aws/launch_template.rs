//! `aws_launch_template`: an EC2 launch template. Replaced when `name` (else one generated
//! from `name_prefix`, else from `terraform-`) or `name_prefix` changes. A change of the
//! template data makes a new version (`CreateLaunchTemplateVersion`), which becomes the default
//! version when `update_default_version` is true; `default_version` set alone moves the default
//! (`ModifyLaunchTemplate`); `tags` change in place. The template data implemented:
//! `description` (of the version), `image_id`, `instance_type`, `key_name`, `user_data`
//! (base64, sent as it is), `vpc_security_group_ids`, `security_group_names`, `ebs_optimized`,
//! `disable_api_termination`, `disable_api_stop`, `instance_initiated_shutdown_behavior`, and
//! the blocks `iam_instance_profile`, `monitoring`, `metadata_options` (AWS chooses its unset
//! arguments) and `tag_specifications`. Reads show the latest version, as the provider does.
//! Computed: `id` (the import id), `arn`, `latest_version`, `default_version` (unless set),
//! `tags_all`.
//!
//! moto 5 lists the template's own tags among the data's tag specifications (resource type
//! `launch-template`, which template data cannot hold): reads leave those out.
//!
//! Not implemented: `block_device_mappings`, `network_interfaces`, `placement`,
//! `cpu_options`, `credit_specification`, `instance_market_options`,
//! `instance_requirements`, `capacity_reservation_specification`, the other option blocks,
//! `kernel_id`, `ram_disk_id`, `region`.

use aws_sdk_ec2::types::{
    InstanceType, LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecificationRequest, LaunchTemplateInstanceMetadataEndpointState,
    LaunchTemplateInstanceMetadataOptionsRequest, LaunchTemplateInstanceMetadataProtocolIpv6, LaunchTemplateInstanceMetadataTagsState,
    LaunchTemplateTagSpecificationRequest, LaunchTemplatesMonitoringRequest, RequestLaunchTemplateData, ResourceType as Ec2ResourceType,
    ResponseLaunchTemplateData, ShutdownBehavior, Tag, TagSpecification,
};

use super::ec2::{is_not_found, plan_common, set_tags, sync_tags, tag_map};
use super::errors::aws_error;
use super::iam_common::{name_prefix_of, resource_name};
use super::json_api::updated;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_launch_template")
        .implement(&[
            "arn",
            "default_version",
            "description",
            "disable_api_stop",
            "disable_api_termination",
            "ebs_optimized",
            "iam_instance_profile",
            "id",
            "image_id",
            "instance_initiated_shutdown_behavior",
            "instance_type",
            "key_name",
            "latest_version",
            "metadata_options",
            "monitoring",
            "name",
            "name_prefix",
            "security_group_names",
            "tag_specifications",
            "update_default_version",
            "user_data",
            "vpc_security_group_ids",
        ])
        .tags()
        .computed_only(&["id"])
        .force_new(&["name", "name_prefix"])
        .build()
}

/// `aws_launch_template`.
pub struct LaunchTemplate;

/// The arguments that are template data: a change makes a new version.
const DATA: [&str; 14] = [
    "description",
    "disable_api_stop",
    "disable_api_termination",
    "ebs_optimized",
    "iam_instance_profile",
    "image_id",
    "instance_initiated_shutdown_behavior",
    "instance_type",
    "key_name",
    "metadata_options",
    "monitoring",
    "security_group_names",
    "tag_specifications",
    "user_data",
];

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Set(items) | Value::List(items) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()),
        _ => None,
    }
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items) | Value::Set(items) => items.clone(),
        _ => Vec::new(),
    }
}

fn first<'a>(v: &'a Value, block: &str) -> Option<&'a Value> {
    match attr(v, block) {
        Value::List(items) => items.first(),
        _ => None,
    }
}

fn opt(v: &Value, arg: &str) -> Option<String> {
    attr(v, arg).as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

fn tags_of(v: &Value) -> Vec<Tag> {
    v.as_map().map(|m| m.iter().map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build()).collect()).unwrap_or_default()
}

/// The template data of the planned state.
fn request_data(planned: &Value) -> RequestLaunchTemplateData {
    let mut d = RequestLaunchTemplateData::builder()
        .set_image_id(opt(planned, "image_id"))
        .set_instance_type(opt(planned, "instance_type").map(|t| InstanceType::from(t.as_str())))
        .set_key_name(opt(planned, "key_name"))
        .set_user_data(opt(planned, "user_data"))
        .set_security_group_ids(strings(attr(planned, "vpc_security_group_ids")).filter(|v| !v.is_empty()))
        .set_security_groups(strings(attr(planned, "security_group_names")).filter(|v| !v.is_empty()))
        .set_ebs_optimized(opt(planned, "ebs_optimized").and_then(|s| s.parse::<bool>().ok()))
        .set_disable_api_termination(attr(planned, "disable_api_termination").as_bool())
        .set_disable_api_stop(attr(planned, "disable_api_stop").as_bool())
        .set_instance_initiated_shutdown_behavior(opt(planned, "instance_initiated_shutdown_behavior").map(|s| ShutdownBehavior::from(s.as_str())));
    if let Some(p) = first(planned, "iam_instance_profile") {
        d = d.iam_instance_profile(LaunchTemplateIamInstanceProfileSpecificationRequest::builder().set_arn(opt(p, "arn")).set_name(opt(p, "name")).build());
    }
    if let Some(m) = first(planned, "monitoring") {
        d = d.monitoring(LaunchTemplatesMonitoringRequest::builder().set_enabled(attr(m, "enabled").as_bool()).build());
    }
    if let Some(m) = first(planned, "metadata_options") {
        let o = LaunchTemplateInstanceMetadataOptionsRequest::builder()
            .set_http_endpoint(opt(m, "http_endpoint").map(|s| LaunchTemplateInstanceMetadataEndpointState::from(s.as_str())))
            .set_http_protocol_ipv6(opt(m, "http_protocol_ipv6").map(|s| LaunchTemplateInstanceMetadataProtocolIpv6::from(s.as_str())))
            .set_http_put_response_hop_limit(attr(m, "http_put_response_hop_limit").as_f64().map(|n| n as i32))
            .set_http_tokens(opt(m, "http_tokens").map(|s| LaunchTemplateHttpTokensState::from(s.as_str())))
            .set_instance_metadata_tags(opt(m, "instance_metadata_tags").map(|s| LaunchTemplateInstanceMetadataTagsState::from(s.as_str())));
        d = d.metadata_options(o.build());
    }
    for t in items(attr(planned, "tag_specifications")) {
        let spec = LaunchTemplateTagSpecificationRequest::builder()
            .set_resource_type(opt(&t, "resource_type").map(|s| Ec2ResourceType::from(s.as_str())))
            .set_tags(Some(tags_of(attr(&t, "tags"))));
        d = d.tag_specifications(spec.build());
    }
    d.build()
}

/// Sets the template data arguments from a version's data.
fn fill_data(s: &mut Value, d: &ResponseLaunchTemplateData) {
    let string = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
    set(s, "image_id", string(d.image_id()));
    set(s, "instance_type", string(d.instance_type().map(|t| t.as_str())));
    set(s, "key_name", string(d.key_name()));
    set(s, "user_data", string(d.user_data()));
    let ids: Vec<Value> = d.security_group_ids().iter().map(Value::string).collect();
    set(s, "vpc_security_group_ids", if ids.is_empty() && attr(s, "vpc_security_group_ids").is_null() { Value::Null } else { Value::set(ids) });
    let names: Vec<Value> = d.security_groups().iter().map(Value::string).collect();
    set(s, "security_group_names", if names.is_empty() && attr(s, "security_group_names").is_null() { Value::Null } else { Value::set(names) });
    set(s, "ebs_optimized", d.ebs_optimized().map(|b| Value::String(b.to_string())).unwrap_or(Value::Null));
    set(s, "disable_api_termination", d.disable_api_termination().map(Value::Bool).unwrap_or(Value::Null));
    set(s, "disable_api_stop", d.disable_api_stop().map(Value::Bool).unwrap_or(Value::Null));
    set(s, "instance_initiated_shutdown_behavior", string(d.instance_initiated_shutdown_behavior().map(|b| b.as_str())));
    let profile = d.iam_instance_profile().map(|p| Value::object([("arn", string(p.arn())), ("name", string(p.name()))]));
    set(s, "iam_instance_profile", Value::List(profile.into_iter().collect()));
    let monitoring = d.monitoring().map(|m| Value::object([("enabled", Value::Bool(m.enabled() == Some(true)))]));
    set(s, "monitoring", Value::List(monitoring.into_iter().collect()));
    let metadata = d.metadata_options().map(|m| {
        Value::object([
            ("http_endpoint", string(m.http_endpoint().map(|x| x.as_str()))),
            ("http_protocol_ipv6", string(m.http_protocol_ipv6().map(|x| x.as_str()))),
            ("http_put_response_hop_limit", m.http_put_response_hop_limit().map(|n| Value::Number(n as f64)).unwrap_or(Value::Null)),
            ("http_tokens", string(m.http_tokens().map(|x| x.as_str()))),
            ("instance_metadata_tags", string(m.instance_metadata_tags().map(|x| x.as_str()))),
        ])
    });
    set(s, "metadata_options", Value::List(metadata.into_iter().collect()));
    // Template data cannot tag the template itself: moto 5 reports the template's own tags
    // (`launch-template`) among the data's tag specifications, which AWS does not.
    let specs: Vec<Value> = d
        .tag_specifications()
        .iter()
        .filter(|t| t.resource_type() != Some(&Ec2ResourceType::LaunchTemplate))
        .map(|t| {
            let tags = tag_map(t.tags());
            let tags =
                if tags.is_empty() { Value::Null } else { Value::Map(std::sync::Arc::new(tags.into_iter().map(|(k, v)| (k, Value::String(v))).collect())) };
            Value::object([("resource_type", string(t.resource_type().map(|r| r.as_str()))), ("tags", tags)])
        })
        .collect();
    set(s, "tag_specifications", Value::List(specs));
}

/// Plans `metadata_options`: AWS chooses its unset arguments (their prior values, unknown on
/// create); the block read from AWS when not configured.
fn plan_metadata(planned: &mut Value, prior: Option<&Value>) {
    let prior_block = prior.and_then(|p| first(p, "metadata_options"));
    let Some(mut m) = first(planned, "metadata_options").cloned() else {
        set(planned, "metadata_options", prior.map(|p| attr(p, "metadata_options").clone()).unwrap_or(Value::Unknown));
        return;
    };
    for a in ["http_endpoint", "http_protocol_ipv6", "http_put_response_hop_limit", "http_tokens", "instance_metadata_tags"] {
        if attr(&m, a).is_null() {
            let had = prior_block.map(|p| attr(p, a).clone()).unwrap_or(Value::Unknown);
            set(&mut m, a, had);
        }
    }
    set(planned, "metadata_options", Value::List(vec![m]));
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if !attr(config, "default_version").is_null() && attr(config, "update_default_version").as_bool() == Some(true) {
        d.push(
            Diagnostic::error("Conflicting configuration arguments", "\"default_version\": conflicts with update_default_version")
                .for_attribute("default_version"),
        );
    }
    if !attr(config, "name").is_null() && !attr(config, "name_prefix").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"name\": conflicts with name_prefix").for_attribute("name"));
    }
    if let Some(n) = attr(config, "name").as_str() {
        if n.len() < 3 || n.len() > 128 || !n.chars().all(|c| c.is_ascii_alphanumeric() || "()./_-".contains(c)) {
            d.push(
                Diagnostic::error("Invalid value", format!("\"name\": expected 3 to 128 characters from letters, digits and ()./_- , got {n:?}"))
                    .for_attribute("name"),
            );
        }
    }
    d
}

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for LaunchTemplate {
    fn name(&self) -> &'static str {
        "aws_launch_template"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        plan_metadata(planned, prior.as_ref());
        match &prior {
            None => {
                if attr(&config, "name").is_null() {
                    set(planned, "name", Value::Unknown);
                }
                if attr(&config, "name_prefix").is_null() {
                    set(planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
                }
                if attr(&config, "default_version").is_null() {
                    set(planned, "default_version", Value::Unknown);
                }
            }
            Some(prior) => {
                let changed =
                    DATA.iter().any(|a| attr(prior, a) != attr(planned, a)) || attr(prior, "vpc_security_group_ids") != attr(planned, "vpc_security_group_ids");
                if changed {
                    set(planned, "latest_version", Value::Unknown);
                    if attr(&config, "update_default_version").as_bool() == Some(true) {
                        set(planned, "default_version", Value::Unknown);
                    }
                }
                if attr(&config, "default_version").is_null() && attr(&config, "update_default_version").as_bool() != Some(true) {
                    set(planned, "default_version", attr(prior, "default_version").clone());
                }
            }
        }
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let t = match p.ec2.describe_launch_templates().launch_template_ids(&id).send().await {
            Ok(o) => match o.launch_templates().first() {
                Some(t) => t.clone(),
                None => return ReadResponse::gone(),
            },
            Err(e) if is_not_found(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading EC2 launch template {id}"), &e)),
        };
        let latest = t.latest_version_number().unwrap_or(1);
        let version = match p.ec2.describe_launch_template_versions().launch_template_id(&id).versions(latest.to_string()).send().await {
            Ok(o) => o.launch_template_versions().first().cloned(),
            Err(e) if is_not_found(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading EC2 launch template {id} version {latest}"), &e)),
        };
        let name = t.launch_template_name().unwrap_or_default().to_string();
        let mut s = prior;
        set(&mut s, "id", Value::string(&id));
        set(
            &mut s,
            "arn",
            Value::String(format!("arn:aws:ec2:{}:{}:launch-template/{id}", p.region, t.created_by().and_then(|c| c.split(':').nth(4)).unwrap_or_default())),
        );
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        set(&mut s, "latest_version", Value::Number(latest as f64));
        set(&mut s, "default_version", t.default_version_number().map(|n| Value::Number(n as f64)).unwrap_or(Value::Null));
        if let Some(v) = &version {
            set(&mut s, "description", v.version_description().filter(|d| !d.is_empty()).map(Value::string).unwrap_or(Value::Null));
            if let Some(d) = v.launch_template_data() {
                fill_data(&mut s, d);
            }
        }
        set_tags(p, &mut s, &tag_map(t.tags()));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let mut call = p
            .ec2_write
            .create_launch_template()
            .launch_template_name(&name)
            .set_version_description(opt(&planned, "description"))
            .launch_template_data(request_data(&planned));
        let tags = tags_of(attr(&planned, "tags_all"));
        if !tags.is_empty() {
            call = call.tag_specifications(TagSpecification::builder().resource_type(Ec2ResourceType::LaunchTemplate).set_tags(Some(tags)).build());
        }
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating EC2 launch template {name}"), &e)),
        };
        let Some(id) = out.launch_template().and_then(|t| t.launch_template_id()).map(str::to_string) else {
            return ApplyResponse::failed(None, Diagnostic::error("No launch template created", "CreateLaunchTemplate returned no id.").into());
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "name", Value::string(&name));
        if let Some(v) = attr(&state, "default_version").as_f64().filter(|v| *v != 1.0) {
            if let Err(e) = p.ec2.modify_launch_template().launch_template_id(&id).default_version(format!("{}", v as i64)).send().await {
                return ApplyResponse::failed(Some(state), aws_error(&format!("setting the default version of EC2 launch template {id}"), &e));
            }
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            let changed =
                DATA.iter().any(|a| attr(&prior, a) != attr(&planned, a)) || attr(&prior, "vpc_security_group_ids") != attr(&planned, "vpc_security_group_ids");
            let mut default = attr(config, "default_version").as_f64().filter(|v| Some(*v) != attr(&prior, "default_version").as_f64()).map(|v| v as i64);
            if changed {
                let out = p
                    .ec2
                    .create_launch_template_version()
                    .launch_template_id(&id)
                    .set_version_description(opt(&planned, "description"))
                    .launch_template_data(request_data(&planned))
                    .send()
                    .await
                    .map_err(|e| aws_error(&format!("creating a version of EC2 launch template {id}"), &e))?;
                let version = out.launch_template_version().and_then(|v| v.version_number());
                if attr(&planned, "update_default_version").as_bool() == Some(true) {
                    default = version;
                }
            }
            if let Some(v) = default {
                p.ec2
                    .modify_launch_template()
                    .launch_template_id(&id)
                    .default_version(v.to_string())
                    .send()
                    .await
                    .map_err(|e| aws_error(&format!("setting the default version of EC2 launch template {id}"), &e))?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        match p.ec2_write.delete_launch_template().launch_template_id(&id).send().await {
            Err(e) if !is_not_found(&e) => ApplyResponse::failed(Some(prior), aws_error(&format!("deleting EC2 launch template {id}"), &e)),
            _ => ApplyResponse::ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_options_and_conflicts() {
        let mut planned = Value::object([("metadata_options", Value::List(vec![Value::object([("http_tokens", Value::string("required"))])]))]);
        plan_metadata(&mut planned, None);
        let m = first(&planned, "metadata_options").unwrap();
        assert_eq!((attr(m, "http_tokens"), attr(m, "http_endpoint")), (&Value::string("required"), &Value::Unknown));
        let both = Value::object([("default_version", Value::Number(2.0)), ("update_default_version", Value::Bool(true))]);
        assert!(check(&both).has_errors());
        let data = request_data(&Value::object([("image_id", Value::string("ami-1")), ("vpc_security_group_ids", Value::set(vec![Value::string("sg-1")]))]));
        assert_eq!((data.image_id(), data.security_group_ids()), (Some("ami-1"), &["sg-1".to_string()][..]));
    }
}
