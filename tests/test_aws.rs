//! The AWS provider against a real emulator (moto, started by `scripts/test`, endpoint in
//! `SKYFORM_MOTO_ENDPOINT`): bulk refresh, errors, import, aliases and the examples through the
//! CLI. Each type's lifecycle is in `harness/aws.rs`. Each test uses its own bucket names, so
//! they run in parallel.

use std::sync::Arc;

use skyform::provider::aws::{AwsFactory, AwsProvider};
use skyform::provider::{Provider, ReadRequest};
use skyform::value::Value;

use crate::common::{emulator, rt, skyform, stderr, stdout, succeeds, unique};

fn moto() -> Option<String> {
    emulator("SKYFORM_MOTO_ENDPOINT")
}

pub(crate) fn provider_block(endpoint: &str) -> String {
    format!(
        r#"provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  endpoints {{
    s3 = "{endpoint}"
  }}
  default_tags {{
    tags = {{ managed = "skyform" }}
  }}
}}
"#
    )
}

pub(crate) async fn sdk(endpoint: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// Creates a bucket in eu-west-1 with the SDK (an object that exists before skyform sees it).
pub(crate) fn create_bucket(rt: &tokio::runtime::Runtime, s3: &aws_sdk_s3::Client, bucket: &str) {
    let cfg = aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1).build();
    rt.block_on(s3.create_bucket().bucket(bucket).create_bucket_configuration(cfg).send()).unwrap();
}

#[test]
fn s3_errors_name_the_resource() {
    let Some(endpoint) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), format!("{}\nresource \"aws_s3_bucket\" \"bad\" {{\n  bucket = \"Not_A_Valid_Name\"\n}}\n", provider_block(&endpoint)))
        .unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("aws_s3_bucket.bad"), "{err}");
    assert!(err.contains("InvalidBucketName") || err.contains("Bucket names"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn refresh_of_many_objects_uses_list_calls() {
    let Some(endpoint) = moto() else { return };
    let bucket = unique("bulk");
    let rt = rt();
    let s3 = rt.block_on(sdk(&endpoint));
    create_bucket(&rt, &s3, &bucket);
    // 500 objects, as if created by skyform: their state is what HeadObject would give.
    let n = 500;
    let mut prior = Vec::new();
    for i in 0..n {
        let key = format!("obj/{i:04}.txt");
        let out = rt.block_on(s3.put_object().bucket(&bucket).key(&key).body(format!("object {i}").into_bytes().into()).send()).unwrap();
        prior.push(Value::object([
            ("bucket", Value::string(&bucket)),
            ("key", Value::string(&key)),
            ("id", Value::string(&key)),
            ("etag", Value::string(out.e_tag().unwrap().trim_matches('"'))),
        ]));
    }
    // One changed outside skyform, one deleted.
    rt.block_on(s3.put_object().bucket(&bucket).key("obj/0007.txt").body(b"changed".to_vec().into()).send()).unwrap();
    rt.block_on(s3.delete_object().bucket(&bucket).key("obj/0009.txt").send()).unwrap();

    let config = Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("s3_use_path_style", Value::Bool(true)),
        ("endpoints", Value::object([("s3", Value::string(&endpoint))])),
    ]);
    let driver: Arc<AwsProvider> = rt.block_on(AwsFactory::new().connect(&config)).unwrap();
    let reqs: Vec<ReadRequest> = prior.iter().map(|p| ReadRequest { type_name: "aws_s3_object".into(), prior_state: p.clone() }).collect();
    let before = driver.requests();
    let responses = rt.block_on(driver.read_batch(reqs));
    let sent = driver.requests() - before;

    assert_eq!(responses.len(), n);
    assert!(responses[9].new_state.is_none(), "the deleted object must read as gone");
    let changed = responses[7].new_state.as_ref().unwrap();
    assert_ne!(changed.get_attr("etag"), prior[7].get_attr("etag"), "the changed object must show its new ETag");
    // Unchanged: the prior state, completed with the schema's other (null) attributes.
    let unchanged = responses[0].new_state.as_ref().unwrap();
    for (k, v) in prior[0].as_map().unwrap().iter() {
        assert_eq!(unchanged.get_attr(k), Some(v), "{k}");
    }
    let added_empty = |v: &Value| v.is_null() || *v == Value::List(vec![]) || *v == Value::set(vec![]);
    assert!(unchanged.as_map().unwrap().iter().all(|(k, v)| prior[0].get_attr(k).is_some() || added_empty(v)), "{unchanged:?}");
    // 500 objects = 1 list page of 1,000 keys, plus HeadObject and GetObjectTagging for the one
    // changed object. Terraform would send 500+ reads.
    assert!(sent <= 4, "refresh of {n} objects sent {sent} requests");
    println!("refresh of {n} objects: {sent} requests (Terraform: at least {n})");
}

#[test]
fn import_brings_existing_bucket_and_object_under_management() {
    let Some(endpoint) = moto() else { return };
    let bucket = unique("import");
    let rt = rt();
    let s3 = rt.block_on(sdk(&endpoint));
    create_bucket(&rt, &s3, &bucket);
    rt.block_on(
        s3.put_bucket_tagging()
            .bucket(&bucket)
            .tagging(
                aws_sdk_s3::types::Tagging::builder()
                    .tag_set(aws_sdk_s3::types::Tag::builder().key("managed").value("skyform").build().unwrap())
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .unwrap();
    rt.block_on(s3.put_object().bucket(&bucket).key("a.txt").body(b"hello".to_vec().into()).content_type("text/plain").send()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        format!(
            "{}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{bucket}\"\n}}\n\nresource \"aws_s3_object\" \"o\" {{\n  bucket       = aws_s3_bucket.b.id\n  key          = \"a.txt\"\n  content      = \"hello\"\n  content_type = \"text/plain\"\n}}\n",
            provider_block(&endpoint)
        ),
    )
    .unwrap();
    let out = succeeds(d, &["import", "aws_s3_bucket.b", &bucket]);
    assert!(stdout(&out).contains("Import successful!"));
    succeeds(d, &["import", "aws_s3_object.o", &format!("{bucket}/a.txt")]);
    // Importing twice, or to an address the configuration lacks, is refused.
    let out = skyform(d).args(["import", "aws_s3_bucket.b", &bucket]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already managing"), "{}", stderr(&out));
    let out = skyform(d).args(["import", "aws_s3_bucket.nope", &bucket]).output().unwrap();
    assert!(stderr(&out).contains("Configuration for import target does not exist"), "{}", stderr(&out));

    let list = stdout(&skyform(d).args(["state", "list"]).output().unwrap());
    assert_eq!(list, "aws_s3_bucket.b\naws_s3_object.o\n");
    // The bucket matches its configuration; the object's body is not read back (as in
    // Terraform), but its ETag is the MD5 of the configured content, so nothing is re-created.
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    let text = stdout(&out);
    assert!(!text.contains("aws_s3_bucket.b will be") && !text.contains("must be replaced") && !text.contains("will be created"), "{text}");
}

/// moto's first AMI (it ships a fixed catalogue).
pub(crate) const AMI: &str = "ami-03cf127a";

pub(crate) fn ec2_provider(endpoint: &str) -> String {
    provider_block(endpoint).replace("    s3 = ", "    ec2 = \"EC2\"\n    s3 = ").replace("EC2", endpoint)
}

pub(crate) async fn ec2_client(endpoint: &str) -> aws_sdk_ec2::Client {
    let conf = aws_sdk_ec2::config::Builder::new()
        .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
        .region(aws_sdk_ec2::config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_ec2::Client::from_conf(conf)
}

#[test]
fn refresh_of_many_instances_uses_one_describe_call() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let ec2 = rt.block_on(ec2_client(&endpoint));
    let n = 50;
    let out = rt.block_on(ec2.run_instances().image_id(AMI).instance_type(aws_sdk_ec2::types::InstanceType::T3Micro).min_count(n).max_count(n).send()).unwrap();
    let ids: Vec<String> = out.instances().iter().map(|i| i.instance_id().unwrap().to_string()).collect();
    assert_eq!(ids.len(), n as usize);
    rt.block_on(ec2.terminate_instances().instance_ids(&ids[3]).send()).unwrap();

    let config = Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("endpoints", Value::object([("ec2", Value::string(&endpoint))])),
    ]);
    let driver: Arc<AwsProvider> = rt.block_on(AwsFactory::new().connect(&config)).unwrap();
    let reqs: Vec<ReadRequest> = ids
        .iter()
        .map(|id| ReadRequest { type_name: "aws_instance".into(), prior_state: Value::object([("id", Value::string(id)), ("ami", Value::string(AMI))]) })
        .collect();
    let before = driver.requests();
    let responses = rt.block_on(driver.read_batch(reqs));
    let sent = driver.requests() - before;
    assert_eq!(responses.len(), ids.len());
    assert!(responses[3].new_state.is_none(), "the terminated instance must read as gone");
    let first = responses[0].new_state.as_ref().unwrap();
    assert_eq!(first.get_attr("instance_type").and_then(|v| v.as_str()), Some("t3.micro"));
    assert!(first.get_attr("private_ip").and_then(|v| v.as_str()).is_some());
    assert!(sent <= 2, "refresh of {n} instances sent {sent} requests");
    println!("refresh of {n} instances: {sent} requests (Terraform: at least {n})");
    rt.block_on(ec2.terminate_instances().set_instance_ids(Some(ids)).send()).unwrap();
}

#[test]
fn data_sources_find_an_existing_vpc_and_bucket() {
    // (The security group's own lifecycle is in harness/aws.rs.)
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let ec2 = rt.block_on(ec2_client(&endpoint));
    let s3 = rt.block_on(sdk(&endpoint));
    // An existing VPC and bucket, found through data sources.
    let name = unique("net");
    let net = 10 + ((std::process::id() + 100) % 200);
    let vpc = rt.block_on(ec2.create_vpc().cidr_block(format!("172.{}.0.0/16", net % 16 + 16)).send()).unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    rt.block_on(ec2.create_tags().resources(&vpc_id).tags(aws_sdk_ec2::types::Tag::builder().key("Name").value(&name).build()).send()).unwrap();
    let bucket = unique("data");
    create_bucket(&rt, &s3, &bucket);

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = format!(
        "{}\ndata \"aws_vpc\" \"net\" {{\n  tags = {{ Name = \"{name}\" }}\n}}\n\ndata \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{bucket}\"\n}}\n\nresource \"aws_security_group\" \"web\" {{\n  name   = \"{name}-web\"\n  vpc_id = data.aws_vpc.net.id\n  ingress {{\n    from_port   = 80\n    to_port     = 80\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n  egress {{\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n}}\n\noutput \"bucket_arn\" {{\n  value = data.aws_s3_bucket.b.arn\n}}\n",
        ec2_provider(&endpoint)
    );
    std::fs::write(d.join("main.tf"), config).unwrap();
    let out = succeeds(d, &["apply", "-auto-approve"]);
    assert!(stdout(&out).contains(&format!("bucket_arn = \"arn:aws:s3:::{bucket}\"")), "{}", stdout(&out));
    let out = skyform(d).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    // The group is in the VPC the data source found.
    let groups = rt
        .block_on(ec2.describe_security_groups().filters(aws_sdk_ec2::types::Filter::builder().name("group-name").values(format!("{name}-web")).build()).send())
        .unwrap();
    assert_eq!(groups.security_groups()[0].vpc_id(), Some(vpc_id.as_str()));
    succeeds(d, &["destroy", "-auto-approve"]);
}

#[test]
fn examples_apply_and_converge_against_moto() {
    // Versioning stays off for the site: moto 5.2.5 fails to delete the delete markers that
    // emptying a versioned bucket leaves (FakeDeleteMarker has no attribute 'dispose').
    let Some(endpoint) = moto() else { return };
    let bucket = unique("example");
    for (name, vars) in [
        ("aws-static-site", vec![format!("-var=endpoint={endpoint}"), format!("-var=bucket_name={bucket}"), "-var=versioning=Disabled".to_string()]),
        ("aws-web-server", vec![format!("-var=endpoint={endpoint}")]),
        ("aws-serverless", vec![format!("-var=endpoint={endpoint}")]),
        ("aws-network", vec![format!("-var=endpoint={endpoint}")]),
    ] {
        let dir = crate::common::example(name);
        let d = dir.path();
        let out = skyform(d).arg("apply").arg("-auto-approve").args(&vars).output().unwrap();
        assert!(out.status.success(), "{name}: {}{}", stdout(&out), stderr(&out));
        let out = skyform(d).arg("plan").arg("-detailed-exitcode").args(&vars).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name} does not converge: {}{}", stdout(&out), stderr(&out));
        if name == "aws-static-site" {
            // Change one file: exactly that object is updated.
            std::fs::write(d.join("site/style.css"), "body { color: teal; }\n").unwrap();
            let out = skyform(d).arg("plan").arg("-no-color").args(&vars).output().unwrap();
            let text = stdout(&out);
            assert!(text.contains("# aws_s3_object.file[\"style.css\"] will be updated in-place"), "{text}");
            assert!(text.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{text}");
        }
        if name == "aws-network" {
            // More web servers: the group changes in place.
            let out = skyform(d).arg("plan").arg("-no-color").args(&vars).arg("-var=web_servers=3").output().unwrap();
            let text = stdout(&out);
            assert!(text.contains("# aws_autoscaling_group.web will be updated in-place"), "{text}");
            assert!(text.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{text}");
        }
        if name == "aws-serverless" {
            // New code: the zip's hash changes, and only the function is updated.
            std::fs::write(d.join("src/handler.py"), "def handler(event, context):\n    return {\"statusCode\": 204}\n").unwrap();
            let out = skyform(d).arg("plan").arg("-no-color").args(&vars).output().unwrap();
            let text = stdout(&out);
            assert!(text.contains("# aws_lambda_function.hello will be updated in-place"), "{text}");
            assert!(text.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{text}");
        }
        let out = skyform(d).arg("destroy").arg("-auto-approve").args(&vars).output().unwrap();
        assert!(out.status.success(), "{name}: {}{}", stdout(&out), stderr(&out));
    }
}

#[test]
fn refresh_of_many_subnets_and_groups_uses_one_call_per_type() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let ec2 = rt.block_on(ec2_client(&endpoint));
    let vpc = rt.block_on(ec2.create_vpc().cidr_block("10.250.0.0/16").send()).unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let tag = unique("bulk-net");
    let mut prior = Vec::new();
    for i in 0..20 {
        let s = rt.block_on(ec2.create_subnet().vpc_id(&vpc_id).cidr_block(format!("10.250.{i}.0/24")).send()).unwrap();
        prior.push(ReadRequest {
            type_name: "aws_subnet".into(),
            prior_state: Value::object([("id", Value::string(s.subnet().unwrap().subnet_id().unwrap()))]),
        });
        let g = rt.block_on(ec2.create_security_group().group_name(format!("{tag}-{i}")).description("bulk").vpc_id(&vpc_id).send()).unwrap();
        prior.push(ReadRequest { type_name: "aws_security_group".into(), prior_state: Value::object([("id", Value::string(g.group_id().unwrap()))]) });
    }
    let config = Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("endpoints", Value::object([("ec2", Value::string(&endpoint))])),
    ]);
    let driver: Arc<AwsProvider> = rt.block_on(AwsFactory::new().connect(&config)).unwrap();
    let before = driver.requests();
    let responses = rt.block_on(driver.read_batch(prior));
    let sent = driver.requests() - before;
    assert_eq!(responses.len(), 40);
    assert!(responses.iter().all(|r| r.new_state.is_some() && r.diagnostics.is_empty()));
    assert_eq!(responses[0].new_state.as_ref().unwrap().get_attr("cidr_block").and_then(|v| v.as_str()), Some("10.250.0.0/24"));
    assert_eq!(responses[1].new_state.as_ref().unwrap().get_attr("vpc_id").and_then(|v| v.as_str()), Some(vpc_id.as_str()));
    assert!(sent <= 2, "refresh of 20 subnets and 20 security groups sent {sent} requests");
}

#[test]
fn import_blocks_adopt_objects_during_plan_and_apply() {
    let Some(endpoint) = moto() else { return };
    let bucket = unique("importblock");
    let rt = rt();
    let s3 = rt.block_on(sdk(&endpoint));
    create_bucket(&rt, &s3, &bucket);
    rt.block_on(s3.put_object().bucket(&bucket).key("a.txt").body(b"hello".to_vec().into()).content_type("text/plain").tagging("managed=skyform").send())
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        format!(
            r#"{}
variable "bucket" {{
  default = "{bucket}"
}}

import {{
  to = aws_s3_bucket.b
  id = var.bucket
}}

import {{
  to = aws_s3_object.o["a.txt"]
  id = "${{var.bucket}}/a.txt"
}}

resource "aws_s3_bucket" "b" {{
  bucket = var.bucket
  tags   = {{ team = "web" }}
}}

resource "aws_s3_object" "o" {{
  for_each     = toset(["a.txt"])
  bucket       = aws_s3_bucket.b.id
  key          = each.key
  content_type = "text/plain"
  etag         = "5d41402abc4b2a76b9719d911017c592"
}}
"#,
            provider_block(&endpoint)
        ),
    )
    .unwrap();
    let out = skyform(d).args(["plan", "-no-color", "-out=p.tfplan"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("# aws_s3_bucket.b will be updated in-place"), "{text}");
    assert!(text.contains(&format!("# (imported from \"{bucket}\")")), "{text}");
    assert!(text.contains("# aws_s3_object.o[\"a.txt\"] will be imported"), "{text}");
    assert!(text.contains("Plan: 2 to import, 0 to add, 1 to change, 0 to destroy."), "{text}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&skyform(d).args(["show", "-json", "p.tfplan"]).output().unwrap())).unwrap();
    let importing: Vec<&serde_json::Value> = json["resource_changes"].as_array().unwrap().iter().filter_map(|c| c["change"].get("importing")).collect();
    assert_eq!(importing.len(), 2);

    succeeds(d, &["apply", "p.tfplan"]);
    assert_eq!(stdout(&skyform(d).args(["state", "list"]).output().unwrap()), "aws_s3_bucket.b\naws_s3_object.o[\"a.txt\"]\n");
    // The tag update was applied to the imported bucket; the import blocks are now no-ops.
    let tags = rt.block_on(s3.get_bucket_tagging().bucket(&bucket).send()).unwrap();
    assert!(tags.tag_set().iter().any(|t| t.key() == "team" && t.value() == "web"));
    let out = skyform(d).args(["plan", "-detailed-exitcode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    // An import of an object that does not exist fails the plan, naming the address.
    let text = std::fs::read_to_string(d.join("main.tf"))
        .unwrap()
        .replace("aws_s3_bucket.b\n", "aws_s3_bucket.c\n")
        .replace(
            "resource \"aws_s3_bucket\" \"b\"",
            "resource \"aws_s3_bucket\" \"c\" {\n  bucket = \"no-such-bucket-skyform\"\n}\n\nresource \"aws_s3_bucket\" \"b\"",
        )
        .replace("id = var.bucket", "id = \"no-such-bucket-skyform\"");
    std::fs::write(d.join("main.tf"), text).unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("aws_s3_bucket.c") && stderr(&out).contains("non-existent"), "{}", stderr(&out));
}

#[test]
fn refresh_of_many_vpcs_reads_related_objects_in_bulk() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let ec2 = rt.block_on(ec2_client(&endpoint));
    let n = 8;
    let mut prior = Vec::new();
    for i in 0..n {
        let vpc = rt.block_on(ec2.create_vpc().cidr_block(format!("10.{}.0.0/16", 200 + i)).send()).unwrap();
        let id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
        prior.push(ReadRequest { type_name: "aws_vpc".into(), prior_state: Value::object([("id", Value::string(&id))]) });
    }
    let changed = prior[3].prior_state.get_attr("id").and_then(|v| v.as_str()).unwrap().to_string();
    let on = aws_sdk_ec2::types::AttributeBooleanValue::builder().value(true).build();
    rt.block_on(ec2.modify_vpc_attribute().vpc_id(&changed).enable_dns_hostnames(on).send()).unwrap();
    let config = Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("endpoints", Value::object([("ec2", Value::string(&endpoint))])),
    ]);
    let driver: Arc<AwsProvider> = rt.block_on(AwsFactory::new().connect(&config)).unwrap();
    let before = driver.requests();
    let responses = rt.block_on(driver.read_batch(prior.clone()));
    let sent = driver.requests() - before;
    assert!(responses.iter().all(|r| r.diagnostics.is_empty()), "{:?}", responses.iter().find(|r| !r.diagnostics.is_empty()));
    let get = |i: usize, k: &str| responses[i].new_state.as_ref().unwrap().get_attr(k).cloned().unwrap_or(Value::Null);
    assert_eq!(get(0, "cidr_block"), Value::string("10.200.0.0/16"));
    assert_eq!(get(3, "enable_dns_hostnames"), Value::Bool(true));
    assert_eq!(get(4, "enable_dns_hostnames"), Value::Bool(false));
    assert!(get(5, "default_security_group_id").as_str().is_some_and(|g| g.starts_with("sg-")));
    assert!(get(5, "main_route_table_id").as_str().is_some_and(|t| t.starts_with("rtb-")));
    // One DescribeVpcs, one DescribeSecurityGroups, one DescribeRouteTables, and the two DNS
    // attributes per VPC (EC2 has no bulk read for them); one by one it is 5 per VPC.
    assert_eq!(sent, 3 + 2 * n as u64, "refresh of {n} VPCs");

    // A VPC deleted outside skyform reads as gone (that batch falls back to one by one).
    let gone = prior[6].prior_state.get_attr("id").and_then(|v| v.as_str()).unwrap().to_string();
    rt.block_on(ec2.delete_vpc().vpc_id(&gone).send()).unwrap();
    let responses = rt.block_on(driver.read_batch(prior));
    assert!(responses[6].new_state.is_none() && responses[6].diagnostics.is_empty());
    assert!(responses[0].new_state.is_some());
}

#[test]
fn creates_and_deletes_get_a_raised_retry_budget() {
    let config = |retries: Option<f64>| {
        let mut pairs = vec![("region", Value::string("eu-west-1")), ("access_key", Value::string("test")), ("secret_key", Value::string("test"))];
        if let Some(n) = retries {
            pairs.push(("max_retries", Value::Number(n)));
        }
        Value::object(pairs)
    };
    let connect = |c: Value| rt().block_on(AwsFactory::new().connect(&c)).unwrap().retry_attempts();
    assert_eq!(connect(config(None)), (5, 10));
    assert_eq!(connect(config(Some(1.0))), (2, 10));
    assert_eq!(connect(config(Some(24.0))), (25, 25));
}

#[test]
fn ec2_errors_name_the_resource_and_say_what_to_fix() {
    let Some(endpoint) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = format!(
        r#"{}
resource "aws_vpc" "v" {{
  cidr_block = "10.77.0.0/16"
}}

resource "aws_subnet" "a" {{
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.77.1.0/24"
}}

resource "aws_subnet" "overlap" {{
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.77.1.0/25"
  depends_on = [aws_subnet.a]
}}
"#,
        ec2_provider(&endpoint)
    );
    std::fs::write(d.join("main.tf"), config).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("aws_subnet.overlap") && err.contains("InvalidSubnet.Conflict") && err.contains("overlaps"), "{err}");
    // (moto 5.2.5 accepts any AMI id, so the AMI-not-found hint cannot be exercised here.)
    // What did succeed is in state; the failures are not.
    let out = succeeds(d, &["state", "list"]);
    assert_eq!(stdout(&out), "aws_subnet.a\naws_vpc.v\n");
    succeeds(d, &["destroy", "-auto-approve"]);
}

#[test]
fn provider_alias_puts_a_bucket_in_a_second_region() {
    let Some(endpoint) = moto() else { return };
    let (home, away) = (unique("home"), unique("away"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let second = provider_block(&endpoint).replacen("provider \"aws\" {", "provider \"aws\" {\n  alias = \"us\"", 1).replace("eu-west-1", "us-west-2");
    let config = format!(
        r#"{}
{second}
resource "aws_s3_bucket" "home" {{
  bucket = "{home}"
}}

resource "aws_s3_bucket" "away" {{
  provider = aws.us
  bucket   = "{away}"
}}

output "regions" {{
  value = [aws_s3_bucket.home.region, aws_s3_bucket.away.region]
}}
"#,
        provider_block(&endpoint)
    );
    std::fs::write(d.join("main.tf"), config).unwrap();
    succeeds(d, &["apply", "-auto-approve"]);
    assert_eq!(stdout(&succeeds(d, &["output", "-json", "regions"])).trim(), r#"["eu-west-1","us-west-2"]"#);
    let s3 = rt().block_on(sdk(&endpoint));
    let loc = rt().block_on(s3.get_bucket_location().bucket(&away).send()).unwrap();
    assert_eq!(loc.location_constraint().map(|c| c.as_str()), Some("us-west-2"));
    let out = skyform(d).args(["plan", "-detailed-exitcode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    succeeds(d, &["destroy", "-auto-approve"]);
}

/// `data "aws_s3_object"` reads an object's metadata, and its body for a text content type
/// only, as Terraform's provider does; `data "aws_s3_objects"` lists keys and common prefixes up
/// to `max_keys`; arguments not implemented yet are errors.
#[test]
fn data_s3_object_and_objects_read_metadata_text_bodies_and_listings() {
    let Some(endpoint) = moto() else { return };
    let bucket = unique("dataobj");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = format!(
        "{}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{bucket}\"\n  force_destroy = true\n}}\nresource \"aws_s3_object\" \"t\" {{\n  bucket = aws_s3_bucket.b.id\n  key = \"notes/a.txt\"\n  content = \"hello\"\n  content_type = \"text/plain\"\n  metadata = {{ owner = \"ops\" }}\n}}\nresource \"aws_s3_object\" \"bin\" {{\n  bucket = aws_s3_bucket.b.id\n  key = \"b.bin\"\n  content = \"xx\"\n  content_type = \"application/octet-stream\"\n}}\ndata \"aws_s3_object\" \"t\" {{\n  bucket = aws_s3_bucket.b.id\n  key = aws_s3_object.t.key\n  depends_on = [aws_s3_object.t]\n}}\ndata \"aws_s3_object\" \"bin\" {{\n  bucket = aws_s3_bucket.b.id\n  key = aws_s3_object.bin.key\n  depends_on = [aws_s3_object.bin]\n}}\noutput \"t\" {{\n  value = {{ id = data.aws_s3_object.t.id, body = data.aws_s3_object.t.body, type = data.aws_s3_object.t.content_type, length = data.aws_s3_object.t.content_length, etag_matches = data.aws_s3_object.t.etag == aws_s3_object.t.etag, owner = data.aws_s3_object.t.metadata[\"owner\"], class = data.aws_s3_object.t.storage_class, arn = data.aws_s3_object.t.arn }}\n}}\noutput \"bin_body\" {{\n  value = data.aws_s3_object.bin.body == null\n}}\ndata \"aws_s3_objects\" \"all\" {{\n  bucket = aws_s3_bucket.b.id\n  delimiter = \"/\"\n  depends_on = [aws_s3_object.t, aws_s3_object.bin]\n}}\ndata \"aws_s3_objects\" \"one\" {{\n  bucket = aws_s3_bucket.b.id\n  max_keys = 1\n  depends_on = [aws_s3_object.t, aws_s3_object.bin]\n}}\noutput \"listed\" {{\n  value = {{ keys = data.aws_s3_objects.all.keys, prefixes = data.aws_s3_objects.all.common_prefixes, id = data.aws_s3_objects.all.id, one = data.aws_s3_objects.one.keys }}\n}}\n",
        provider_block(&endpoint)
    );
    std::fs::write(d.join("main.tf"), &main).unwrap();
    succeeds(d, &["apply", "-auto-approve"]);
    let out = succeeds(d, &["output", "-json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let t = &v["t"]["value"];
    assert_eq!(t["id"], format!("{bucket}/notes/a.txt"));
    assert_eq!((t["body"].as_str(), t["type"].as_str(), t["length"].as_f64()), (Some("hello"), Some("text/plain"), Some(5.0)), "{t}");
    assert_eq!((t["etag_matches"].as_bool(), t["owner"].as_str(), t["class"].as_str()), (Some(true), Some("ops"), Some("STANDARD")), "{t}");
    assert_eq!(t["arn"], format!("arn:aws:s3:::{bucket}/notes/a.txt"));
    assert_eq!(v["bin_body"]["value"], true, "a binary object's body is not read");
    let listed = &v["listed"]["value"];
    assert_eq!(listed["keys"], serde_json::json!(["b.bin"]), "{listed}");
    assert_eq!(listed["prefixes"], serde_json::json!(["notes/"]), "{listed}");
    assert_eq!((listed["id"].as_str(), listed["one"].as_array().map(Vec::len)), (Some(bucket.as_str()), Some(1)), "{listed}");
    std::fs::write(d.join("main.tf"), main.replace("  depends_on = [aws_s3_object.t]\n", "  depends_on = [aws_s3_object.t]\n  range = \"bytes=0-1\"\n"))
        .unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("range"), "{}", stderr(&out));
    succeeds(d, &["destroy", "-auto-approve"]);
}

/// `assume_role` in the provider block: STS AssumeRole, and every call made with the temporary
/// credentials (moto reports the assumed role as the caller).
#[test]
fn provider_assume_role_signs_with_the_assumed_role() {
    let Some(endpoint) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let provider = provider_block(&endpoint).replace(
        "  endpoints {\n",
        &format!("  assume_role {{\n    role_arn     = \"arn:aws:iam::123456789012:role/deployer\"\n    session_name = \"ci-run\"\n    duration     = \"15m\"\n    policy_arns  = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n    source_identity = \"ci\"\n    tags = {{ team = \"platform\" }}\n    transitive_tag_keys = [\"team\"]\n  }}\n  endpoints {{\n    sts = \"{endpoint}\"\n"),
    );
    std::fs::write(
        d.join("main.tf"),
        format!("{provider}\ndata \"aws_caller_identity\" \"me\" {{}}\noutput \"arn\" {{ value = data.aws_caller_identity.me.arn }}\n"),
    )
    .unwrap();
    succeeds(d, &["apply", "-auto-approve"]);
    let out = succeeds(d, &["output", "-raw", "arn"]);
    assert_eq!(stdout(&out), "arn:aws:sts::123456789012:assumed-role/deployer/ci-run");
}

/// `assume_role_with_web_identity` in the provider block: STS AssumeRoleWithWebIdentity with the
/// token file's content, and every call made with the temporary credentials. Arguments left out
/// come from AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME and AWS_WEB_IDENTITY_TOKEN_FILE.
#[test]
fn provider_assume_role_with_web_identity_signs_with_the_assumed_role() {
    let Some(endpoint) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl\n").unwrap();
    let caller = |block: &str| {
        let provider = provider_block(&endpoint).replace("  endpoints {\n", &format!("{block}  endpoints {{\n    sts = \"{endpoint}\"\n"));
        format!("{provider}\ndata \"aws_caller_identity\" \"me\" {{}}\noutput \"arn\" {{ value = data.aws_caller_identity.me.arn }}\n")
    };
    let arn_with = |d: &std::path::Path, env: &[(&str, &str)]| {
        let out = skyform(d).envs(env.iter().copied()).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
        assert!(out.status.success(), "apply: {}{}", stdout(&out), stderr(&out));
        stdout(&succeeds(d, &["output", "-raw", "arn"]))
    };
    let configured = dir.path().join("configured");
    std::fs::create_dir(&configured).unwrap();
    let block = format!(
        "  assume_role_with_web_identity {{\n    role_arn                = \"arn:aws:iam::123456789012:role/ci\"\n    session_name            = \"oidc-run\"\n    web_identity_token_file = \"{}\"\n    duration                = \"1h\"\n  }}\n",
        token.display()
    );
    std::fs::write(configured.join("main.tf"), caller(&block)).unwrap();
    assert_eq!(arn_with(&configured, &[]), "arn:aws:sts::123456789012:assumed-role/ci/oidc-run");
    let from_env = dir.path().join("env");
    std::fs::create_dir(&from_env).unwrap();
    std::fs::write(from_env.join("main.tf"), caller("  assume_role_with_web_identity {}\n")).unwrap();
    let env = [
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/from-env"),
        ("AWS_ROLE_SESSION_NAME", "env-run"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
    ];
    assert_eq!(arn_with(&from_env, &env), "arn:aws:sts::123456789012:assumed-role/from-env/env-run");
}
