//! Acceptance for modules as public configurations use them: a root configuration calling
//! modules shaped like the community VPC, S3 bucket and EC2 instance modules (written here, to
//! the same shape and idioms: `count = var.create ? 1 : 0`, `try`, `element`, `merge` of tags,
//! `lookup`, `length`, `for` expressions) from the local test registry with version
//! constraints and a submodule, `for_each` on module calls, a provider passed with
//! `providers = { aws = aws.west }`, and a git-sourced module at a tag. Installed with `init`,
//! applied on moto, checked with the SDK, then planned again (nothing to do) and destroyed.

use crate::common::{emulator, rt, unique};
use crate::test_aws::{ec2_client, sdk, AMI};
use crate::test_modules::{git, run, Server};

const VPC: &str = r#"
variable "create_vpc" {
  type    = bool
  default = true
}
variable "name" {
  type    = string
  default = ""
}
variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}
variable "azs" {
  type    = list(string)
  default = []
}
variable "public_subnets" {
  type    = list(string)
  default = []
}
variable "private_subnets" {
  type    = list(string)
  default = []
}
variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  create_vpc = var.create_vpc
  vpc_id     = try(aws_vpc.this[0].id, "")
}

resource "aws_vpc" "this" {
  count                = local.create_vpc ? 1 : 0
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = merge({ "Name" = var.name }, var.tags)
}

resource "aws_internet_gateway" "this" {
  count  = local.create_vpc && length(var.public_subnets) > 0 ? 1 : 0
  vpc_id = local.vpc_id
  tags   = merge({ "Name" = var.name }, var.tags)
}

resource "aws_subnet" "public" {
  count                   = local.create_vpc ? length(var.public_subnets) : 0
  vpc_id                  = local.vpc_id
  cidr_block              = element(concat(var.public_subnets, [""]), count.index)
  availability_zone       = length(regexall("^[a-z]{2}-", element(var.azs, count.index))) > 0 ? element(var.azs, count.index) : null
  map_public_ip_on_launch = true
  tags = merge(
    { Name = format("${var.name}-public-%s", element(var.azs, count.index)) },
    var.tags,
  )
}

resource "aws_subnet" "private" {
  count             = local.create_vpc ? length(var.private_subnets) : 0
  vpc_id            = local.vpc_id
  cidr_block        = var.private_subnets[count.index]
  availability_zone = element(var.azs, count.index)
  tags              = merge({ Name = "${var.name}-private-${element(var.azs, count.index)}" }, var.tags)
}

resource "aws_route_table" "public" {
  count  = local.create_vpc && length(var.public_subnets) > 0 ? 1 : 0
  vpc_id = local.vpc_id
  tags   = merge({ "Name" = "${var.name}-public" }, var.tags)
}

resource "aws_route" "public_internet_gateway" {
  count                  = local.create_vpc && length(var.public_subnets) > 0 ? 1 : 0
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count          = local.create_vpc ? length(var.public_subnets) : 0
  subnet_id      = element(aws_subnet.public[*].id, count.index)
  route_table_id = aws_route_table.public[0].id
}

output "vpc_id" {
  value = try(aws_vpc.this[0].id, null)
}
output "public_subnets" {
  value = aws_subnet.public[*].id
}
output "private_subnets" {
  value = aws_subnet.private[*].id
}
output "module_version" {
  value = "VERSION"
}
"#;

const S3_BUCKET: &str = r#"
variable "create_bucket" {
  type    = bool
  default = true
}
variable "bucket" {
  type    = string
  default = null
}
variable "force_destroy" {
  type    = bool
  default = false
}
variable "versioning" {
  type    = map(string)
  default = {}
}
variable "block_public" {
  type    = bool
  default = true
}
variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_s3_bucket" "this" {
  count         = var.create_bucket ? 1 : 0
  bucket        = var.bucket
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_versioning" "this" {
  count  = var.create_bucket && length(keys(var.versioning)) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status = try(tobool(var.versioning["enabled"]) ? "Enabled" : "Suspended", tostring(var.versioning["status"]), null)
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count                   = var.create_bucket && var.block_public ? 1 : 0
  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "s3_bucket_id" {
  value = try(aws_s3_bucket.this[0].id, "")
}
output "s3_bucket_arn" {
  value = try(aws_s3_bucket.this[0].arn, "")
}
"#;

const S3_OBJECT_SUBMODULE: &str = r#"
variable "bucket" {
  type = string
}
variable "key" {
  type = string
}
variable "content" {
  type    = string
  default = null
}
resource "aws_s3_object" "this" {
  bucket       = var.bucket
  key          = var.key
  content      = var.content
  content_type = lookup({ html = "text/html", txt = "text/plain" }, reverse(split(".", var.key))[0], "application/octet-stream")
}
output "s3_object_id" {
  value = aws_s3_object.this.id
}
"#;

const EC2_INSTANCE: &str = r#"
variable "create" {
  type    = bool
  default = true
}
variable "name" {
  type = string
}
variable "ami" {
  type = string
}
variable "instance_type" {
  type    = string
  default = "t3.micro"
}
variable "subnet_id" {
  type    = string
  default = null
}
variable "vpc_security_group_ids" {
  type    = list(string)
  default = null
}
variable "tags" {
  type    = map(string)
  default = {}
}
resource "aws_instance" "this" {
  count                  = var.create ? 1 : 0
  ami                    = var.ami
  instance_type          = var.instance_type
  subnet_id              = var.subnet_id
  vpc_security_group_ids = var.vpc_security_group_ids
  tags                   = merge({ "Name" = var.name }, var.tags)
}
output "id" {
  value = try(aws_instance.this[0].id, null)
}
output "private_ip" {
  value = try(aws_instance.this[0].private_ip, null)
}
"#;

const LABELS: &str = r#"
variable "namespace" {
  type = string
}
variable "stage" {
  type = string
}
variable "name" {
  type = string
}
locals {
  id = join("-", compact([var.namespace, var.stage, var.name]))
}
output "id" {
  value = lower(local.id)
}
output "tags" {
  value = { Namespace = var.namespace, Stage = var.stage, Name = local.id }
}
"#;

fn providers(endpoint: &str) -> String {
    let block = |alias: &str, region: &str| {
        format!(
            r#"provider "aws" {{
{alias}  region                      = "{region}"
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  endpoints {{
    s3  = "{endpoint}"
    ec2 = "{endpoint}"
    iam = "{endpoint}"
    sts = "{endpoint}"
  }}
}}
"#
        )
    };
    format!("{}\n{}", block("", "eu-west-1"), block("  alias = \"west\"\n", "us-west-2"))
}

#[test]
fn community_shaped_modules_install_from_the_registry_and_apply_on_moto() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let server = Server::start();
    server.registry_module("terraform-aws-modules/vpc/aws", &["4.0.2", "5.1.0", "5.8.1", "6.0.0"], &[("main.tf", VPC)]);
    server.registry_module(
        "terraform-aws-modules/s3-bucket/aws",
        &["3.15.1", "4.1.2", "4.2.0"],
        &[("main.tf", S3_BUCKET), ("modules/object/main.tf", S3_OBJECT_SUBMODULE)],
    );
    server.registry_module("terraform-aws-modules/ec2-instance/aws", &["5.6.1", "5.7.0"], &[("main.tf", EC2_INSTANCE)]);
    let work = tempfile::tempdir().unwrap();
    let cli_config = server.cli_config(work.path());
    let repo = work.path().join("labels");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("main.tf"), LABELS).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "labels"]);
    git(&repo, &["tag", "0.25.0"]);

    let prefix = unique("cm");
    let cfg = work.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    let main = format!(
        r#"{providers}
module "label" {{
  source    = "git::file://{repo}?ref=0.25.0"
  namespace = "{prefix}"
  stage     = "Prod"
  name      = "app"
}}

module "vpc" {{
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name            = module.label.id
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b"]
  public_subnets  = ["10.0.1.0/24", "10.0.2.0/24"]
  private_subnets = ["10.0.101.0/24", "10.0.102.0/24"]
  tags            = module.label.tags
}}

module "buckets" {{
  source   = "terraform-aws-modules/s3-bucket/aws"
  version  = ">= 4.1, < 5.0"
  for_each = toset(["logs", "assets"])

  bucket        = "${{module.label.id}}-${{each.key}}"
  force_destroy = true
  versioning    = each.key == "logs" ? {{ enabled = true }} : {{}}
  tags          = module.label.tags
}}

module "replica" {{
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.1"
  providers = {{
    aws = aws.west
  }}
  bucket        = "${{module.label.id}}-replica"
  force_destroy = true
}}

module "index" {{
  source  = "terraform-aws-modules/s3-bucket/aws//modules/object"
  version = "~> 4.1"
  bucket  = module.buckets["assets"].s3_bucket_id
  key     = "index.html"
  content = "<h1>hello</h1>"
}}

resource "aws_security_group" "web" {{
  name   = "${{module.label.id}}-web"
  vpc_id = module.vpc.vpc_id
}}

module "web" {{
  source   = "terraform-aws-modules/ec2-instance/aws"
  version  = "~> 5.6"
  for_each = {{ a = 0, b = 1 }}

  name                   = "${{module.label.id}}-web-${{each.key}}"
  ami                    = "{AMI}"
  subnet_id              = module.vpc.public_subnets[each.value]
  vpc_security_group_ids = [aws_security_group.web.id]
}}

output "buckets" {{
  value = {{ for k, b in module.buckets : k => b.s3_bucket_id }}
}}
output "instances" {{
  value = [for k in sort(keys(module.web)) : module.web[k].id]
}}
output "vpc_version" {{
  value = module.vpc.module_version
}}
"#,
        providers = providers(&endpoint),
        repo = repo.display(),
    );
    std::fs::write(cfg.join("main.tf"), main).unwrap();

    let (code, text) = run(&cfg, &cli_config, &["init", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    for line in [
        "Downloading terraform-aws-modules/vpc/aws 5.8.1 for vpc...",
        "Downloading terraform-aws-modules/s3-bucket/aws 4.2.0 for buckets...",
        "Downloading terraform-aws-modules/ec2-instance/aws 5.7.0 for web...",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }

    let (code, text) = run(&cfg, &cli_config, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    for addr in [
        "module.buckets[\"logs\"].aws_s3_bucket_versioning.this[0]: Creation complete",
        "module.web[\"b\"].aws_instance.this[0]: Creation complete",
        "module.vpc.aws_route.public_internet_gateway[0]: Creation complete",
        "module.replica.aws_s3_bucket.this[0]: Creation complete",
    ] {
        assert!(text.contains(addr), "{addr}: {text}");
    }
    let (_, buckets) = run(&cfg, &cli_config, &["output", "-json", "buckets"]);
    let label = format!("{}-prod-app", prefix.to_lowercase());
    assert_eq!(buckets.trim(), format!("{{\"assets\":\"{label}-assets\",\"logs\":\"{label}-logs\"}}"));
    let (_, version) = run(&cfg, &cli_config, &["output", "-raw", "vpc_version"]);
    assert_eq!(version.trim(), "5.8.1");

    // What the cloud has, read with the SDKs.
    let rt = rt();
    let s3 = rt.block_on(sdk(&endpoint));
    // Read over plain HTTP: moto answers with a root element the SDK refuses.
    let body = reqwest::blocking::get(format!("{endpoint}/{label}-logs?versioning")).unwrap().text().unwrap();
    assert!(body.contains("<Status>Enabled</Status>"), "{body}");
    let object = rt.block_on(s3.get_object().bucket(format!("{label}-assets")).key("index.html").send()).unwrap();
    assert_eq!(object.content_type(), Some("text/html"));
    let location = rt.block_on(s3.get_bucket_location().bucket(format!("{label}-replica")).send()).unwrap();
    assert_eq!(location.location_constraint().map(|l| l.as_str()), Some("us-west-2"), "the replica went through providers = {{ aws = aws.west }}");
    let ec2 = rt.block_on(ec2_client(&endpoint));
    let (_, ids) = run(&cfg, &cli_config, &["output", "-json", "instances"]);
    let ids: Vec<String> = serde_json::from_str(ids.trim()).unwrap();
    let described = rt.block_on(ec2.describe_instances().set_instance_ids(Some(ids.clone())).send()).unwrap();
    let subnets: std::collections::BTreeSet<String> =
        described.reservations().iter().flat_map(|r| r.instances()).filter_map(|i| i.subnet_id().map(str::to_string)).collect();
    assert_eq!(subnets.len(), 2, "one instance in each public subnet: {described:?}");

    // Nothing to do on a second plan; destroy removes everything.
    let (code, text) = run(&cfg, &cli_config, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&cfg, &cli_config, &["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(rt.block_on(s3.head_bucket().bucket(format!("{label}-replica")).send()).is_err());
}

/// `s3::` sources: a zip archive in a bucket (moto's S3 as the endpoint, credentials from the
/// standard AWS variables), with a subdirectory.
#[test]
fn an_s3_module_source_installs_from_a_bucket() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let rt = rt();
    let s3 = rt.block_on(sdk(&endpoint));
    let bucket = unique("modules");
    let cfg = aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1).build();
    rt.block_on(s3.create_bucket().bucket(&bucket).create_bucket_configuration(cfg).send()).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("labels/main.tf", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, LABELS.as_bytes()).unwrap();
    let body = zip.finish().unwrap().into_inner();
    rt.block_on(s3.put_object().bucket(&bucket).key("v1/labels.zip").body(body.into()).send()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = format!(
        "module \"label\" {{\n  source    = \"s3::{endpoint}/{bucket}/v1/labels.zip//labels\"\n  namespace = \"acme\"\n  stage     = \"dev\"\n  name      = \"S3\"\n}}\noutput \"id\" {{\n  value = module.label.id\n}}\n"
    );
    std::fs::write(d.join("main.tf"), main).unwrap();
    let cmd = |args: &[&str]| {
        crate::common::skyform(d)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "eu-west-1")
            .args(args)
            .output()
            .unwrap()
    };
    let out = cmd(&["init", "-no-color"]);
    assert!(out.status.success(), "{}{}", crate::common::stdout(&out), crate::common::stderr(&out));
    let out = cmd(&["apply", "-auto-approve", "-no-color"]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    assert_eq!(crate::common::stdout(&cmd(&["output", "-raw", "id"])), "acme-dev-s3");
    // A key that is not there names the object.
    std::fs::write(d.join("main.tf"), format!("module \"label\" {{\n  source = \"s3::{endpoint}/{bucket}/v2/missing.zip\"\n}}\n")).unwrap();
    let out = cmd(&["init", "-no-color"]);
    assert_eq!(out.status.code(), Some(1));
    let err = crate::common::stderr(&out);
    assert!(err.contains(&format!("s3://{bucket}/v2/missing.zip")) && err.contains("main.tf:2:"), "{err}");
}

#[test]
fn an_aliased_provider_a_module_is_not_passed_is_an_error_at_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("m")).unwrap();
    std::fs::write(d.join("m/main.tf"), "resource \"random_pet\" \"p\" {\n  provider = random.other\n}\n").unwrap();
    std::fs::write(d.join("main.tf"), "provider \"random\" {\n  alias = \"b\"\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n").unwrap();
    let out = crate::common::skyform(d).args(["validate", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = crate::common::stderr(&out);
    assert!(err.contains("Provider configuration not present") && err.contains("m/main.tf:1:") && err.contains("random.other"), "{err}");
    // Passed, it plans.
    std::fs::write(
        d.join("main.tf"),
        "provider \"random\" {\n  alias = \"b\"\n}\nmodule \"m\" {\n  source    = \"./m\"\n  providers = {\n    random.other = random.b\n  }\n}\n",
    )
    .unwrap();
    let out = crate::common::skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    assert!(crate::common::stdout(&out).contains("module.m.random_pet.p will be created"));
    // A provider block with settings inside a module would not be used: refused. An empty one
    // only declares what the caller passes.
    std::fs::write(d.join("m/providers.tf"), "provider \"random\" {\n  alias = \"other\"\n}\n").unwrap();
    assert!(crate::common::skyform(d).args(["validate"]).output().unwrap().status.success());
    std::fs::write(d.join("m/providers.tf"), "provider \"aws\" {\n  region = \"us-east-1\"\n}\n").unwrap();
    let out = crate::common::skyform(d).args(["validate", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = crate::common::stderr(&out);
    assert!(err.contains("Provider configuration in a module not supported yet") && err.contains("m/providers.tf:1:"), "{err}");
}
