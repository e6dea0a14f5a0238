//! `aws_db_instance`: an RDS DB instance created empty (`CreateDBInstance`). Replaced when
//! these change: `engine` (letter case does not matter), `db_name`, `username`,
//! `availability_zone`, `storage_encrypted`, `kms_key_id`. In place (`ModifyDBInstance`,
//! sent with `apply_immediately`, then waited for until `available`): `identifier` (renamed;
//! else one generated from `identifier_prefix` or `terraform-`), `instance_class`,
//! `allocated_storage` (storage that autoscaling grew beyond it is no change),
//! `max_allocated_storage`, `engine_version` (a configured prefix such as `15` of the running
//! `15.4` is no change; `allow_major_version_upgrade`), `password` (sensitive, never read
//! back), `port`, `db_subnet_group_name`, `vpc_security_group_ids`, `parameter_group_name`,
//! `option_group_name`, `publicly_accessible`, `multi_az`, `storage_type`,
//! `backup_retention_period` (0 when unset, as the provider sends), `backup_window`,
//! `maintenance_window`, `ca_cert_identifier`, `license_model`, `auto_minor_version_upgrade`,
//! `copy_tags_to_snapshot`, `deletion_protection`, `iam_database_authentication_enabled`,
//! `tags`. Kept in state only and used on delete: `skip_final_snapshot`,
//! `final_snapshot_identifier` (required unless the snapshot is skipped),
//! `delete_automated_backups`; `apply_immediately`. Computed: `id` and `resource_id` (the
//! `db-...` resource id), `arn`, `address`, `endpoint` (`address:port`), `hosted_zone_id`,
//! `status`, `engine_version_actual`, `latest_restorable_time`, `replicas`, `tags_all`.
//!
//! Import by identifier (as Terraform: `skip_final_snapshot` and `delete_automated_backups`
//! are then true; the password is unknown until applied). Not implemented: replicas
//! (`replicate_source_db`), restores (`snapshot_identifier`, `restore_to_point_in_time`,
//! `s3_import`), `blue_green_update`, managed master passwords, `password_wo`, Performance
//! Insights, enhanced monitoring, `iops`/`storage_throughput`, custom engines and domains,
//! CloudWatch log exports, and the remaining character-set, network and time-zone settings.
//!
//! moto makes every instance `available` at once, reports no endpoint hosted zone id, and
//! gives every instance the same resource id: reads therefore look an instance up by its
//! `identifier` first (checking the resource id) and by resource id only when it was renamed.

use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::db_subnet_group::{gone, sync_tags, tag_params};
use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, unique_name};
use super::json_api::{provider_defaults, read_back, ApiError};
use super::query_api::{Params, Xml, RDS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_db_instance")
        .implement(&[
            "address",
            "allocated_storage",
            "allow_major_version_upgrade",
            "apply_immediately",
            "arn",
            "auto_minor_version_upgrade",
            "availability_zone",
            "backup_retention_period",
            "backup_window",
            "ca_cert_identifier",
            "copy_tags_to_snapshot",
            "db_name",
            "db_subnet_group_name",
            "delete_automated_backups",
            "deletion_protection",
            "endpoint",
            "engine",
            "engine_version",
            "engine_version_actual",
            "final_snapshot_identifier",
            "hosted_zone_id",
            "iam_database_authentication_enabled",
            "id",
            "identifier",
            "identifier_prefix",
            "instance_class",
            "kms_key_id",
            "latest_restorable_time",
            "license_model",
            "maintenance_window",
            "max_allocated_storage",
            "multi_az",
            "option_group_name",
            "parameter_group_name",
            "password",
            "port",
            "publicly_accessible",
            "replicas",
            "resource_id",
            "skip_final_snapshot",
            "status",
            "storage_encrypted",
            "storage_type",
            "username",
            "vpc_security_group_ids",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&[
            "apply_immediately",
            "auto_minor_version_upgrade",
            "copy_tags_to_snapshot",
            "delete_automated_backups",
            "deletion_protection",
            "iam_database_authentication_enabled",
            "publicly_accessible",
            "skip_final_snapshot",
            "storage_encrypted",
        ])
        .sensitive(&["password"])
        .force_new(&["availability_zone", "db_name", "engine", "kms_key_id", "storage_encrypted", "username"])
        .build()
}

/// `aws_db_instance`.
pub struct DbInstance;

/// Provider defaults of the optional arguments that have one.
const DEFAULTS: [(&str, bool); 9] = [
    ("apply_immediately", false),
    ("auto_minor_version_upgrade", true),
    ("copy_tags_to_snapshot", false),
    ("delete_automated_backups", true),
    ("deletion_protection", false),
    ("iam_database_authentication_enabled", false),
    ("publicly_accessible", false),
    ("skip_final_snapshot", false),
    ("storage_encrypted", false),
];

/// Optional arguments RDS chooses when they are not configured (unknown on create).
const CHOSEN_BY_RDS: [&str; 19] = [
    "allocated_storage",
    "availability_zone",
    "backup_retention_period",
    "backup_window",
    "ca_cert_identifier",
    "db_name",
    "db_subnet_group_name",
    "engine_version",
    "kms_key_id",
    "license_model",
    "maintenance_window",
    "multi_az",
    "option_group_name",
    "parameter_group_name",
    "port",
    "storage_type",
    "username",
    "vpc_security_group_ids",
    "engine",
];

/// String arguments sent as they are, on create and (when changed) on modify:
/// (argument, `CreateDBInstance` parameter, `ModifyDBInstance` parameter, `DBInstance` field).
const STRINGS: [(&str, &str, &str, &str); 9] = [
    ("instance_class", "DBInstanceClass", "DBInstanceClass", "DBInstanceClass"),
    ("backup_window", "PreferredBackupWindow", "PreferredBackupWindow", "PreferredBackupWindow"),
    ("maintenance_window", "PreferredMaintenanceWindow", "PreferredMaintenanceWindow", "PreferredMaintenanceWindow"),
    ("license_model", "LicenseModel", "LicenseModel", "LicenseModel"),
    ("storage_type", "StorageType", "StorageType", "StorageType"),
    ("db_subnet_group_name", "DBSubnetGroupName", "DBSubnetGroupName", ""),
    ("option_group_name", "OptionGroupName", "OptionGroupName", ""),
    ("parameter_group_name", "DBParameterGroupName", "DBParameterGroupName", ""),
    ("ca_cert_identifier", "", "CACertificateIdentifier", "CACertificateIdentifier"),
];

/// Number arguments: (argument, create parameter, modify parameter, field).
const NUMBERS: [(&str, &str, &str, &str); 4] = [
    ("allocated_storage", "AllocatedStorage", "AllocatedStorage", "AllocatedStorage"),
    ("max_allocated_storage", "MaxAllocatedStorage", "MaxAllocatedStorage", "MaxAllocatedStorage"),
    ("backup_retention_period", "BackupRetentionPeriod", "BackupRetentionPeriod", "BackupRetentionPeriod"),
    ("port", "Port", "DBPortNumber", ""),
];

/// Bool arguments: (argument, create and modify parameter, field).
const BOOLS: [(&str, &str, &str); 6] = [
    ("auto_minor_version_upgrade", "AutoMinorVersionUpgrade", "AutoMinorVersionUpgrade"),
    ("copy_tags_to_snapshot", "CopyTagsToSnapshot", "CopyTagsToSnapshot"),
    ("iam_database_authentication_enabled", "EnableIAMDatabaseAuthentication", "IAMDatabaseAuthenticationEnabled"),
    ("multi_az", "MultiAZ", "MultiAZ"),
    ("publicly_accessible", "PubliclyAccessible", "PubliclyAccessible"),
    ("deletion_protection", "DeletionProtection", "DeletionProtection"),
];

/// Arguments whose change alone needs no `ModifyDBInstance`.
const STATE_ONLY: [&str; 7] =
    ["allow_major_version_upgrade", "delete_automated_backups", "final_snapshot_identifier", "skip_final_snapshot", "tags", "tags_all", "apply_immediately"];

fn number(n: f64) -> String {
    format!("{}", n as i64)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn security_groups(mut params: Params, planned: &Value) -> Params {
    for (i, g) in strings(attr(planned, "vpc_security_group_ids")).iter().enumerate() {
        params = params.add(&format!("VpcSecurityGroupIds.VpcSecurityGroupId.{}", i + 1), g);
    }
    params
}

/// Checks identifiers and snapshot names as the provider's validators do.
fn check(config: &Value, creating: bool) -> Diagnostics {
    let mut d = Diagnostics::new();
    let mut bad = |arg: &str, why: &str| d.push(Diagnostic::error("Invalid value", format!("\"{arg}\": {why}")).for_attribute(arg));
    let name_rules = |s: &str, prefix: bool| -> Option<&'static str> {
        if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            Some("only lowercase alphanumeric characters and hyphens allowed")
        } else if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            Some("first character must be a letter")
        } else if s.contains("--") {
            Some("cannot contain two consecutive hyphens")
        } else if !prefix && s.ends_with('-') {
            Some("cannot end with a hyphen")
        } else {
            None
        }
    };
    if let Some(why) = attr(config, "identifier").as_str().and_then(|s| name_rules(s, false)) {
        bad("identifier", why);
    }
    if let Some(why) = attr(config, "identifier_prefix").as_str().and_then(|s| name_rules(s, true)) {
        bad("identifier_prefix", why);
    }
    if let Some(s) = attr(config, "final_snapshot_identifier").as_str() {
        if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
            bad("final_snapshot_identifier", "must begin with alphabetic character");
        } else if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            bad("final_snapshot_identifier", "must only contain alphanumeric characters and hyphens");
        } else if s.contains("--") {
            bad("final_snapshot_identifier", "cannot contain two consecutive hyphens");
        } else if s.ends_with('-') {
            bad("final_snapshot_identifier", "cannot end in a hyphen");
        }
    }
    if let Some(n) = attr(config, "backup_retention_period").as_f64().filter(|n| !(0.0..=35.0).contains(n)) {
        bad("backup_retention_period", &format!("expected to be in the range (0 - 35), got {n}"));
    }
    if !attr(config, "identifier").is_null() && !attr(config, "identifier_prefix").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"identifier\": conflicts with identifier_prefix").for_attribute("identifier"));
    }
    if creating {
        for arg in ["allocated_storage", "engine", "username"] {
            if attr(config, arg).is_null() {
                d.push(Diagnostic::error("Missing required argument", format!("\"{arg}\": required field is not set")).for_attribute(arg));
            }
        }
    }
    d
}

/// The `DescribeDBInstances` entries for `params`.
async fn describe(p: &AwsProvider, params: Params) -> Result<Vec<Xml>, ApiError> {
    match p.query.call(&RDS, "DescribeDBInstances", params).await {
        Ok(x) => Ok(x.find("DBInstances").map(|l| l.all("DBInstance").cloned().collect()).unwrap_or_default()),
        Err(e) if gone(&e) => Ok(vec![]),
        Err(e) => Err(e),
    }
}

/// The instance whose resource id is `id` (`db-...`; an identifier when imported): looked up
/// by its `identifier` first, then, if it was renamed, by resource id.
async fn find(p: &AwsProvider, id: &str, identifier: &str) -> Result<Option<Xml>, ApiError> {
    let resource_id = |i: &Xml| i.text_of("DbiResourceId").unwrap_or_default();
    let by_name = if identifier.is_empty() { id } else { identifier };
    let named = describe(p, Params::new().add("DBInstanceIdentifier", by_name)).await?;
    if let Some(i) = named.into_iter().find(|i| !id.starts_with("db-") || resource_id(i) == id) {
        return Ok(Some(i));
    }
    if !id.starts_with("db-") {
        return Ok(None);
    }
    let params = Params::new().add("Filters.Filter.1.Name", "dbi-resource-id").add("Filters.Filter.1.Values.Value.1", id);
    Ok(describe(p, params).await?.into_iter().find(|i| resource_id(i) == id))
}

/// Waits until the instance is `available` (40 minutes at most; at once on moto).
async fn wait_available(p: &AwsProvider, id: &str, identifier: &str) -> Result<(), ApiError> {
    let started = Instant::now();
    loop {
        let found = find(p, id, identifier).await?;
        if found.is_none() && started.elapsed() > Duration::from_secs(120) {
            return Err(ApiError { code: "DBInstanceNotFound".into(), message: format!("DB instance {identifier} not found while waiting for it"), status: 0 });
        }
        let status = found.and_then(|i| i.text_of("DBInstanceStatus")).unwrap_or_default();
        match status.as_str() {
            "available" | "storage-optimization" => return Ok(()),
            "failed" | "incompatible-parameters" | "incompatible-restore" | "incompatible-network" | "storage-full" => {
                return Err(ApiError { code: "InvalidDBInstanceState".into(), message: format!("DB instance {id} is {status}"), status: 0 })
            }
            _ => {}
        }
        if started.elapsed() > Duration::from_secs(40 * 60) {
            return Err(ApiError { code: "Timeout".into(), message: format!("DB instance {id} is still {status:?} after 40 minutes"), status: 0 });
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
}

/// Waits until the instance named `identifier` is gone (60 minutes at most).
async fn wait_deleted(p: &AwsProvider, identifier: &str) -> Result<(), ApiError> {
    let started = Instant::now();
    while let Some(i) = describe(p, Params::new().add("DBInstanceIdentifier", identifier)).await?.into_iter().next() {
        if started.elapsed() > Duration::from_secs(60 * 60) {
            let status = i.text_of("DBInstanceStatus").unwrap_or_default();
            return Err(ApiError { code: "Timeout".into(), message: format!("DB instance {identifier} is still {status:?} after 60 minutes"), status: 0 });
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
    Ok(())
}

/// `engine_version` as state keeps it: the configured version where the running one is it or
/// starts with it and a dot (`15` of `15.4`), else the running one.
fn engine_version(configured: &Value, actual: &str) -> Value {
    match configured.as_str() {
        Some(c) if actual == c || actual.starts_with(&format!("{c}.")) => Value::string(c),
        _ => Value::string(actual),
    }
}

/// The state of an instance from its `DBInstance` element, over `prior` (whose state-only
/// arguments and password it keeps).
fn state_of(p: &AwsProvider, prior: Value, i: &Xml) -> Value {
    let mut s = prior;
    let get = |k: &str| i.text_of(k).filter(|v| !v.is_empty());
    let string = |k: &str| get(k).map(Value::String).unwrap_or(Value::Null);
    let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null);
    let boolean = |k: &str| Value::Bool(get(k).as_deref() == Some("true"));
    let identifier = get("DBInstanceIdentifier").unwrap_or_default();
    let resource_id = get("DbiResourceId").unwrap_or_default();
    set(&mut s, "id", Value::string(&resource_id));
    set(&mut s, "resource_id", Value::string(&resource_id));
    set(&mut s, "identifier", Value::string(&identifier));
    set(&mut s, "identifier_prefix", name_prefix_of(&identifier));
    set(&mut s, "arn", string("DBInstanceArn"));
    set(&mut s, "status", string("DBInstanceStatus"));
    let engine = get("Engine").unwrap_or_default();
    let keep = attr(&s, "engine").as_str().filter(|c| c.eq_ignore_ascii_case(&engine)).map(str::to_string);
    set(&mut s, "engine", Value::String(keep.unwrap_or(engine)));
    let actual = get("EngineVersion").unwrap_or_default();
    let version = engine_version(attr(&s, "engine_version"), &actual);
    set(&mut s, "engine_version", version);
    set(&mut s, "engine_version_actual", Value::string(&actual));
    set(&mut s, "username", string("MasterUsername"));
    set(&mut s, "db_name", string("DBName"));
    for (arg, _, _, field) in STRINGS.iter().filter(|t| !t.3.is_empty()) {
        set(&mut s, arg, string(field));
    }
    // The maintenance window is kept in lower case, as the provider's state function does.
    let window = attr(&s, "maintenance_window").as_str().map(str::to_lowercase).map(Value::String).unwrap_or(Value::Null);
    set(&mut s, "maintenance_window", window);
    for (arg, _, _, field) in NUMBERS.iter().filter(|t| !t.3.is_empty()) {
        set(&mut s, arg, num(field));
    }
    for (arg, _, field) in BOOLS {
        set(&mut s, arg, boolean(field));
    }
    set(&mut s, "storage_encrypted", boolean("StorageEncrypted"));
    set(&mut s, "kms_key_id", string("KmsKeyId"));
    set(&mut s, "availability_zone", string("AvailabilityZone"));
    set(&mut s, "latest_restorable_time", string("LatestRestorableTime"));
    let first = |list: &str, item: &str, field: &str| {
        i.child(list).and_then(|l| l.all(item).next()).and_then(|g| g.text_of(field)).map(Value::String).unwrap_or(Value::Null)
    };
    set(&mut s, "db_subnet_group_name", i.child("DBSubnetGroup").and_then(|g| g.text_of("DBSubnetGroupName")).map(Value::String).unwrap_or(Value::Null));
    set(&mut s, "parameter_group_name", first("DBParameterGroups", "DBParameterGroup", "DBParameterGroupName"));
    set(&mut s, "option_group_name", first("OptionGroupMemberships", "OptionGroupMembership", "OptionGroupName"));
    let groups: Vec<Value> = i
        .child("VpcSecurityGroups")
        .map(|l| l.all("VpcSecurityGroupMembership").filter_map(|g| g.text_of("VpcSecurityGroupId")).map(Value::String).collect())
        .unwrap_or_default();
    set(&mut s, "vpc_security_group_ids", Value::set(groups));
    let replicas: Vec<Value> =
        i.child("ReadReplicaDBInstanceIdentifiers").map(|l| l.children.iter().map(|r| Value::string(&r.text)).collect()).unwrap_or_default();
    set(&mut s, "replicas", Value::List(replicas));
    let endpoint = i.child("Endpoint");
    let address = endpoint.and_then(|e| e.text_of("Address"));
    let port = endpoint.and_then(|e| e.text_of("Port")).or_else(|| get("DbInstancePort")).and_then(|p| p.parse::<f64>().ok());
    set(&mut s, "address", address.clone().map(Value::String).unwrap_or(Value::Null));
    set(&mut s, "port", port.map(Value::Number).unwrap_or(Value::Null));
    set(
        &mut s,
        "endpoint",
        match (&address, port) {
            (Some(a), Some(p)) => Value::String(format!("{a}:{}", number(p))),
            _ => Value::Null,
        },
    );
    set(&mut s, "hosted_zone_id", endpoint.and_then(|e| e.text_of("HostedZoneId")).filter(|h| !h.is_empty()).map(Value::String).unwrap_or(Value::Null));
    for (arg, default) in DEFAULTS.iter().filter(|(a, _)| ["apply_immediately", "delete_automated_backups", "skip_final_snapshot"].contains(a)) {
        if attr(&s, arg).is_null() {
            set(&mut s, arg, Value::Bool(*default));
        }
    }
    let tags: std::collections::BTreeMap<String, String> = i
        .child("TagList")
        .map(|l| {
            l.all("Tag")
                .map(|t| (t.text_of("Key").unwrap_or_default(), t.text_of("Value").unwrap_or_default()))
                .filter(|(k, _)| !k.starts_with("aws:"))
                .collect()
        })
        .unwrap_or_default();
    set_tags(p, &mut s, &tags);
    s
}

/// `ModifyDBInstance`'s parameters for the arguments that changed (None when nothing but
/// state-only arguments did).
fn modify_params(prior: &Value, planned: &Value) -> Option<Params> {
    let changed = |a: &str| attr(prior, a) != attr(planned, a);
    let keys: Vec<&String> = planned.as_map().map(|m| m.keys().collect()).unwrap_or_default();
    if !keys.iter().any(|k| !STATE_ONLY.contains(&k.as_str()) && changed(k)) {
        return None;
    }
    let apply = attr(planned, "apply_immediately").as_bool() == Some(true);
    let mut params = Params::new().add("DBInstanceIdentifier", text(prior, "identifier")).add("ApplyImmediately", apply.to_string());
    if changed("identifier") {
        params = params.add("NewDBInstanceIdentifier", text(planned, "identifier"));
    }
    for (arg, _, param, _) in STRINGS {
        if let Some(v) = attr(planned, arg).as_str().filter(|_| changed(arg)) {
            params = params.add(param, v);
        }
    }
    for (arg, _, param, _) in NUMBERS {
        if let Some(n) = attr(planned, arg).as_f64().filter(|_| changed(arg)) {
            params = params.add(param, number(n));
        }
    }
    for (arg, param, _) in BOOLS {
        // DeletionProtection is always sent, as the provider does.
        if changed(arg) || arg == "deletion_protection" {
            if let Some(b) = attr(planned, arg).as_bool() {
                params = params.add(param, b.to_string());
            }
        }
    }
    if changed("engine_version") {
        if let Some(v) = attr(planned, "engine_version").as_str() {
            params = params
                .add("EngineVersion", v)
                .add("AllowMajorVersionUpgrade", (attr(planned, "allow_major_version_upgrade").as_bool() == Some(true)).to_string());
        }
    }
    if changed("password") {
        if let Some(pw) = attr(planned, "password").as_str() {
            params = params.add("MasterUserPassword", pw);
        }
    }
    if changed("vpc_security_group_ids") && !strings(attr(planned, "vpc_security_group_ids")).is_empty() {
        params = security_groups(params, planned);
    }
    Some(params)
}

#[async_trait]
impl ResourceType<AwsProvider> for DbInstance {
    fn name(&self) -> &'static str {
        "aws_db_instance"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior, creating) = (req.config.clone(), req.prior_state.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &CHOSEN_BY_RDS);
        let planned = &mut resp.planned_state;
        let defaults: Vec<(&str, Value)> = DEFAULTS.iter().map(|(a, b)| (*a, Value::Bool(*b))).collect();
        provider_defaults(planned, &config, &defaults);
        if creating {
            if attr(&config, "identifier").is_null() {
                set(planned, "identifier", Value::Unknown);
            }
            if attr(&config, "identifier_prefix").is_null() {
                set(planned, "identifier_prefix", if attr(&config, "identifier").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        if let Some(prior) = &prior {
            // Letter case of the engine, and a version prefix of the running one, are no change.
            if let (Some(old), Some(new)) = (attr(prior, "engine").as_str(), attr(planned, "engine").as_str()) {
                if old != new && old.eq_ignore_ascii_case(new) {
                    let old = Value::string(old);
                    set(planned, "engine", old);
                }
            }
            if let Some(w) = attr(planned, "maintenance_window").as_str().map(str::to_lowercase) {
                set(planned, "maintenance_window", Value::String(w));
            }
            if attr(prior, "identifier") != attr(planned, "identifier") || attr(prior, "port") != attr(planned, "port") {
                for a in ["address", "endpoint", "arn"] {
                    set(planned, a, Value::Unknown);
                }
            }
            // Storage grown by autoscaling beyond the configured size is no change.
            if let (Some(had), Some(want), Some(max)) =
                (attr(prior, "allocated_storage").as_f64(), attr(planned, "allocated_storage").as_f64(), attr(planned, "max_allocated_storage").as_f64())
            {
                if had > want && max > want {
                    set(planned, "allocated_storage", Value::Number(had));
                }
            }
            if attr(prior, "engine_version") != attr(planned, "engine_version") {
                set(planned, "engine_version_actual", Value::Unknown);
            }
        }
        resp.diagnostics.extend(check(&config, creating));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        match find(p, &id, &text(&prior, "identifier")).await {
            Ok(Some(i)) => ReadResponse::found(state_of(p, prior, &i)),
            Ok(None) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(prior, e.diagnostics(&format!("reading RDS DB instance {id}"))),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        self.create_tracked(p, planned, config, &Operation::default()).await
    }

    /// Creates the instance, reports it as started (its id is journalled before the long wait
    /// for `available`), then waits. A retried create whose instance an interrupted attempt
    /// made (same `identifier`) takes that instance over.
    async fn create_tracked(&self, p: &AwsProvider, planned: Value, _config: &Value, op: &Operation) -> ApplyResponse {
        if let (true, Some(name)) = (op.retry, attr(&planned, "identifier").as_str()) {
            match describe(p, Params::new().add("DBInstanceIdentifier", name)).await {
                Ok(found) if !found.is_empty() => {
                    let resource_id = found[0].find("DbiResourceId").map(|r| r.text.clone()).unwrap_or_default();
                    let mut state = planned.clone();
                    set(&mut state, "id", Value::string(if resource_id.is_empty() { name } else { &resource_id }));
                    op.started(&state).await;
                    return match wait_available(p, &resource_id, name).await {
                        Ok(()) => read_back(self, p, state).await,
                        Err(e) => ApplyResponse::failed(Some(state), e.diagnostics(&format!("waiting for RDS DB instance {name} to be created"))),
                    };
                }
                Ok(_) => {}
                Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("looking for RDS DB instance {name}"))),
            }
        }
        let identifier = match (attr(&planned, "identifier").as_str(), attr(&planned, "identifier_prefix").as_str()) {
            (Some(n), _) => n.to_string(),
            (None, Some(prefix)) => unique_name(prefix),
            (None, None) => unique_name("terraform-"),
        };
        let mut params = Params::new()
            .add("DBInstanceIdentifier", &identifier)
            .add("Engine", text(&planned, "engine"))
            .add("MasterUsername", text(&planned, "username"))
            .add("StorageEncrypted", (attr(&planned, "storage_encrypted").as_bool() == Some(true)).to_string())
            // Unset, the provider sends 0 (no automated backups).
            .add("BackupRetentionPeriod", number(attr(&planned, "backup_retention_period").as_f64().unwrap_or(0.0)));
        for (arg, param, _, _) in STRINGS.iter().filter(|t| !t.1.is_empty()) {
            if let Some(v) = attr(&planned, arg).as_str() {
                params = params.add(param, v);
            }
        }
        for (arg, param, _, _) in NUMBERS.iter().filter(|t| t.0 != "backup_retention_period") {
            if let Some(n) = attr(&planned, arg).as_f64() {
                params = params.add(param, number(n));
            }
        }
        for (arg, param, _) in BOOLS {
            if let Some(b) = attr(&planned, arg).as_bool() {
                params = params.add(param, b.to_string());
            }
        }
        for (arg, param) in [
            ("db_name", "DBName"),
            ("engine_version", "EngineVersion"),
            ("availability_zone", "AvailabilityZone"),
            ("kms_key_id", "KmsKeyId"),
            ("password", "MasterUserPassword"),
        ] {
            if let Some(v) = attr(&planned, arg).as_str() {
                params = params.add(param, v);
            }
        }
        let params = tag_params(security_groups(params, &planned), attr(&planned, "tags_all"));
        let created = match p.query.write(&RDS, "CreateDBInstance", params).await {
            Ok(x) => x,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating RDS DB instance {identifier}"))),
        };
        let resource_id = created.find("DbiResourceId").map(|r| r.text.clone()).unwrap_or_default();
        let mut state = planned;
        set(&mut state, "id", Value::string(if resource_id.is_empty() { &identifier } else { &resource_id }));
        set(&mut state, "identifier", Value::string(&identifier));
        op.started(&state).await;
        let result: Result<(), Diagnostics> = async {
            wait_available(p, &resource_id, &identifier)
                .await
                .map_err(|e| e.diagnostics(&format!("waiting for RDS DB instance {identifier} to be created")))?;
            // A CA certificate other than the default is set after the create.
            let ca = created.find("CACertificateIdentifier").map(|c| c.text.clone());
            if let Some(want) = attr(&state, "ca_cert_identifier").as_str().filter(|w| ca.as_deref() != Some(*w)) {
                let params = Params::new().add("DBInstanceIdentifier", &identifier).add("ApplyImmediately", "true").add("CACertificateIdentifier", want);
                p.query.call(&RDS, "ModifyDBInstance", params).await.map_err(|e| e.diagnostics(&format!("updating RDS DB instance {identifier}")))?;
                wait_available(p, &resource_id, &identifier)
                    .await
                    .map_err(|e| e.diagnostics(&format!("waiting for RDS DB instance {identifier} to be updated")))?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => read_back(self, p, state).await,
            Err(d) => ApplyResponse::failed(Some(state), d),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let identifier = text(&planned, "identifier");
        let result: Result<(), Diagnostics> = async {
            if let Some(params) = modify_params(&prior, &planned) {
                p.query
                    .call(&RDS, "ModifyDBInstance", params)
                    .await
                    .map_err(|e| e.diagnostics(&format!("updating RDS DB instance {}", text(&prior, "identifier"))))?;
                wait_available(p, &text(&prior, "id"), &identifier)
                    .await
                    .map_err(|e| e.diagnostics(&format!("waiting for RDS DB instance {identifier} to be updated")))?;
            }
            if attr(&prior, "tags_all") != attr(&planned, "tags_all") {
                // The ARN names the identifier, which may just have changed.
                let arn = find(p, &text(&prior, "id"), &identifier)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|i| i.text_of("DBInstanceArn"))
                    .unwrap_or_else(|| text(&prior, "arn"));
                sync_tags(p, &arn, attr(&prior, "tags_all"), attr(&planned, "tags_all"))
                    .await
                    .map_err(|e| e.diagnostics(&format!("updating the tags of RDS DB instance {identifier}")))?;
            }
            Ok(())
        }
        .await;
        match result {
            Err(d) => ApplyResponse::failed(Some(prior), d),
            Ok(()) => {
                let mut state = planned;
                set(&mut state, "id", attr(&prior, "id").clone());
                read_back(self, p, state).await
            }
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let identifier = text(&prior, "identifier");
        let mut params = Params::new()
            .add("DBInstanceIdentifier", &identifier)
            .add("DeleteAutomatedBackups", (attr(&prior, "delete_automated_backups").as_bool() != Some(false)).to_string());
        if attr(&prior, "skip_final_snapshot").as_bool() == Some(true) {
            params = params.add("SkipFinalSnapshot", "true");
        } else {
            match attr(&prior, "final_snapshot_identifier").as_str() {
                Some(snapshot) => params = params.add("SkipFinalSnapshot", "false").add("FinalDBSnapshotIdentifier", snapshot),
                None => {
                    let d = Diagnostic::error(
                        "Missing final snapshot identifier",
                        format!("deleting RDS DB instance {identifier}: final_snapshot_identifier is required when skip_final_snapshot is false"),
                    );
                    return ApplyResponse::failed(Some(prior), d.into());
                }
            }
        }
        match p.query.write(&RDS, "DeleteDBInstance", params).await {
            Err(e) if gone(&e) => return ApplyResponse::ok(None),
            Err(e) if !(e.code == "InvalidDBInstanceState" && e.message.contains("is already being deleted")) => {
                return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting RDS DB instance {identifier}")));
            }
            _ => {}
        }
        match wait_deleted(p, &identifier).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("waiting for RDS DB instance {identifier} to be deleted"))),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        // Neither snapshot setting can be read: as in the provider, an imported instance skips
        // the final snapshot and deletes its automated backups.
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "skip_final_snapshot", Value::Bool(true));
        set(&mut state, "delete_automated_backups", Value::Bool(true));
        crate::provider::helpers::imported(self.read(p, state).await, || format!("There is no RDS DB instance with identifier \"{id}\"."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_identifiers() {
        assert_eq!(engine_version(&Value::string("15"), "15.4"), Value::string("15"));
        assert_eq!(engine_version(&Value::string("15.4"), "15.4"), Value::string("15.4"));
        assert_eq!(engine_version(&Value::string("1"), "15.4"), Value::string("15.4"));
        assert_eq!(engine_version(&Value::Null, "15.4"), Value::string("15.4"));
        assert!(check(&Value::object([("identifier", Value::string("Main"))]), false).has_errors());
        assert!(check(&Value::object([("identifier", Value::string("main-"))]), false).has_errors());
        assert!(!check(&Value::object([("identifier", Value::string("main-db1"))]), false).has_errors());
        assert!(check(&Value::object([("identifier", Value::string("db"))]), true).has_errors(), "engine, username and storage are needed");
        assert!(check(&Value::object([("final_snapshot_identifier", Value::string("1final"))]), false).has_errors());
    }

    #[test]
    fn only_real_changes_modify() {
        let prior =
            Value::object([("identifier", Value::string("db")), ("instance_class", Value::string("db.t3.micro")), ("skip_final_snapshot", Value::Bool(false))]);
        let same =
            Value::object([("identifier", Value::string("db")), ("instance_class", Value::string("db.t3.micro")), ("skip_final_snapshot", Value::Bool(true))]);
        assert!(modify_params(&prior, &same).is_none());
        let bigger = Value::object([
            ("identifier", Value::string("db2")),
            ("instance_class", Value::string("db.t3.small")),
            ("deletion_protection", Value::Bool(false)),
            ("apply_immediately", Value::Bool(true)),
        ]);
        let params = modify_params(&prior, &bigger).unwrap().0;
        let has = |k: &str, v: &str| params.iter().any(|(a, b)| a == k && b == v);
        assert!(has("DBInstanceIdentifier", "db") && has("NewDBInstanceIdentifier", "db2") && has("DBInstanceClass", "db.t3.small"), "{params:?}");
        assert!(has("ApplyImmediately", "true") && has("DeletionProtection", "false"), "{params:?}");
    }
}
