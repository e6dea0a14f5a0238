//! `aws_flow_log`: a flow log of exactly one of `vpc_id`, `subnet_id`, `eni_id`,
//! `transit_gateway_id`, `transit_gateway_attachment_id` or `regional_nat_gateway_id`, sent to
//! `log_destination` (`log_destination_type` `cloud-watch-logs` (default), `s3` or
//! `kinesis-data-firehose`), with `traffic_type`, `log_format` (AWS's default format when unset),
//! `max_aggregation_interval` (60 or 600, default 600), `iam_role_arn`,
//! `deliver_cross_account_role` and `destination_options { file_format (default plain-text),
//! hive_compatible_partitions, per_hour_partition }`. Every argument but `tags` replaces the
//! flow log, as in the provider; tags change in place. Computed `id`, `arn`, `tags_all`. Import
//! by flow log id. Not implemented: `region`.

use aws_sdk_ec2::types::{
    DestinationFileFormat, DestinationOptionsRequest, FlowLog, FlowLogsResourceType, LogDestinationType, ResourceType as Ec2ResourceType, TrafficType,
};

use super::ec2::{deleted, described, plan_common, set_tags, tag_specification, update_tags};
use super::errors::aws_error;
use super::s3_bucket_common::{block_at, blocks, defaulted};
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, defaults, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The attributes naming what is logged, each with its API resource type.
const TARGETS: [(&str, &str); 6] = [
    ("vpc_id", "VPC"),
    ("subnet_id", "Subnet"),
    ("eni_id", "NetworkInterface"),
    ("transit_gateway_id", "TransitGateway"),
    ("transit_gateway_attachment_id", "TransitGatewayAttachment"),
    ("regional_nat_gateway_id", "RegionalNatGateway"),
];

const ARGUMENTS: [&str; 14] = [
    "vpc_id",
    "subnet_id",
    "eni_id",
    "transit_gateway_id",
    "transit_gateway_attachment_id",
    "regional_nat_gateway_id",
    "traffic_type",
    "log_destination",
    "log_destination_type",
    "log_format",
    "max_aggregation_interval",
    "iam_role_arn",
    "deliver_cross_account_role",
    "destination_options",
];

pub fn schema() -> ResourceSchema {
    let mut s = resource("aws_flow_log")
        .implement(&ARGUMENTS)
        .implement(&["id", "arn"])
        .tags()
        .computed_only(&["id", "arn"])
        .defaulted(&["log_destination_type", "max_aggregation_interval"])
        .force_new(&ARGUMENTS)
        .build();
    let options = block_at(&mut s.block, &["destination_options"]);
    defaulted(options, &["file_format", "hive_compatible_partitions", "per_hour_partition"]);
    for a in options.attributes.values_mut() {
        a.force_new = true;
    }
    s
}

fn opt(s: Option<&str>) -> Value {
    s.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null)
}

fn fill(p: &AwsProvider, mut state: Value, f: &FlowLog) -> Value {
    let id = f.flow_log_id().unwrap_or_default();
    set(&mut state, "id", Value::string(id));
    let resource = f.resource_id().unwrap_or_default();
    let target = match resource {
        r if r.starts_with("vpc-") => "vpc_id",
        r if r.starts_with("subnet-") => "subnet_id",
        r if r.starts_with("eni-") => "eni_id",
        r if r.starts_with("tgw-attach-") => "transit_gateway_attachment_id",
        r if r.starts_with("tgw-") => "transit_gateway_id",
        _ => "regional_nat_gateway_id",
    };
    for (name, _) in TARGETS {
        set(&mut state, name, if name == target { Value::string(resource) } else { Value::Null });
    }
    if !resource.starts_with("tgw-") {
        set(&mut state, "traffic_type", opt(f.traffic_type().map(|t| t.as_str())));
    }
    set(&mut state, "log_destination", opt(f.log_destination()));
    set(&mut state, "log_destination_type", opt(f.log_destination_type().map(|t| t.as_str())));
    set(&mut state, "log_format", opt(f.log_format()));
    set(&mut state, "max_aggregation_interval", f.max_aggregation_interval().map(|n| Value::Number(f64::from(n))).unwrap_or(Value::Null));
    set(&mut state, "iam_role_arn", opt(f.deliver_logs_permission_arn()));
    if let Some(role) = f.deliver_cross_account_role() {
        set(&mut state, "deliver_cross_account_role", opt(Some(role)));
    }
    // Where the API reports no destination options (moto keeps none), the configured ones stand.
    if let Some(o) = f.destination_options() {
        let item = Value::object([
            ("file_format", opt(o.file_format().map(|f| f.as_str()))),
            ("hive_compatible_partitions", Value::Bool(o.hive_compatible_partitions() == Some(true))),
            ("per_hour_partition", Value::Bool(o.per_hour_partition() == Some(true))),
        ]);
        set(&mut state, "destination_options", Value::List(vec![item]));
    }
    set_tags(p, &mut state, &super::ec2::tag_map(f.tags()));
    state
}

/// Sets `id` and `arn` (the EC2 API returns no ARN for a flow log: it is built from the
/// caller's account, as the provider builds it).
async fn identify(p: &AwsProvider, state: &mut Value, id: &str) {
    set(state, "id", Value::string(id));
    let account = super::ec2::account_id(p).await;
    set(state, "arn", Value::String(format!("arn:aws:ec2:{}:{account}:vpc-flow-log/{id}", p.region)));
}

/// `aws_flow_log`.
pub struct AwsFlowLog;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsFlowLog {
    fn name(&self) -> &'static str {
        "aws_flow_log"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let set_targets: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).filter(|n| !attr(&req.config, n).is_null()).collect();
        let mut resp = plan_common(p, req, &["log_destination", "log_format"]);
        if set_targets.len() != 1 {
            let names = TARGETS.iter().map(|(n, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
            resp.diagnostics.push(
                Diagnostic::error("Invalid combination of arguments", format!("Exactly one of {names} must be set, not {}.", set_targets.len()))
                    .for_attribute(set_targets.get(1).or(set_targets.first()).copied().unwrap_or("vpc_id")),
            );
        }
        defaults(&mut resp.planned_state, &[("log_destination_type", Value::string("cloud-watch-logs")), ("max_aggregation_interval", Value::Number(600.0))]);
        let interval = attr(&resp.planned_state, "max_aggregation_interval").as_f64();
        if interval.is_some_and(|n| n != 60.0 && n != 600.0) {
            resp.diagnostics.push(
                Diagnostic::error("Invalid max_aggregation_interval", "max_aggregation_interval must be 60 or 600.").for_attribute("max_aggregation_interval"),
            );
        }
        let options: Vec<Value> = blocks(attr(&resp.planned_state, "destination_options"))
            .iter()
            .map(|o| {
                let mut o = o.clone();
                defaults(
                    &mut o,
                    &[
                        ("file_format", Value::string("plain-text")),
                        ("hive_compatible_partitions", Value::Bool(false)),
                        ("per_hour_partition", Value::Bool(false)),
                    ],
                );
                o
            })
            .collect();
        if !options.is_empty() {
            set(&mut resp.planned_state, "destination_options", Value::List(options));
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let result = p.ec2.describe_flow_logs().flow_log_ids(&id).send().await;
        match described(&prior, result, |o| o.flow_logs().first(), &format!("flow log {id}")) {
            Ok(f) => ReadResponse::found(fill(p, prior, &f)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let Some((target, kind)) = TARGETS.iter().find(|(n, _)| !attr(&planned, n).is_null()) else {
            return ApplyResponse::failed(None, crate::provider::helpers::error("Invalid combination of arguments", "No resource to log is set."));
        };
        let resource_id = text(&planned, target);
        let s = |name: &str| attr(&planned, name).as_str().map(str::to_string);
        let mut call = p
            .ec2_write
            .create_flow_logs()
            .resource_ids(&resource_id)
            .resource_type(FlowLogsResourceType::from(*kind))
            .log_destination_type(LogDestinationType::from(text(&planned, "log_destination_type").as_str()))
            .set_log_destination(s("log_destination").map(|d| d.trim_end_matches(":*").to_string()))
            .set_log_format(s("log_format"))
            .set_deliver_logs_permission_arn(s("iam_role_arn"))
            .set_deliver_cross_account_role(s("deliver_cross_account_role"))
            .set_max_aggregation_interval(attr(&planned, "max_aggregation_interval").as_f64().map(|n| n as i32))
            .set_tag_specifications(tag_specification(Ec2ResourceType::VpcFlowLog, attr(&planned, "tags_all")));
        if !kind.starts_with("TransitGateway") {
            call = call.set_traffic_type(s("traffic_type").map(|t| TrafficType::from(t.as_str())));
        }
        if let Some(o) = blocks(attr(&planned, "destination_options")).first() {
            let options = DestinationOptionsRequest::builder()
                .set_file_format(attr(o, "file_format").as_str().map(DestinationFileFormat::from))
                .set_hive_compatible_partitions(attr(o, "hive_compatible_partitions").as_bool())
                .set_per_hour_partition(attr(o, "per_hour_partition").as_bool())
                .build();
            call = call.destination_options(options);
        }
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating flow log of {resource_id}"), &e)),
        };
        if let Some(u) = out.unsuccessful().first() {
            let why = u.error().and_then(|e| e.message()).unwrap_or("no reason given");
            return ApplyResponse::failed(
                None,
                crate::provider::helpers::error("Failed to create the flow log", format!("Creating a flow log of {resource_id}: {why}.")),
            );
        }
        let id = out.flow_log_ids().first().cloned().unwrap_or_default();
        let mut state = planned.clone();
        identify(p, &mut state, &id).await;
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        update_tags(p, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result = p.ec2_write.delete_flow_logs().flow_log_ids(&id).send().await;
        deleted(prior, result, &format!("flow log {id}"))
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let mut state = blank;
        identify(p, &mut state, &id).await;
        crate::provider::helpers::imported(self.read(p, state).await, || format!("No flow log {id} exists."))
    }
}
