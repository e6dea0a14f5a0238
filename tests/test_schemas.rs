//! The providers' published schemas at work: every argument of a known type is checked, types
//! skyform does not implement yet are reported once each with their locations, a resource of
//! such a type that expands to no instances plans like any other, and arguments of implemented
//! types that the driver does not implement are accepted when null and rejected when set.

use crate::common::{skyform, Fixture};

fn stdout_and_stderr(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn validate(main_tf: &str) -> (Option<i32>, String) {
    let f = Fixture::new(main_tf);
    let out = skyform(f.path()).args(["validate", "-no-color"]).output().expect("run validate");
    (out.status.code(), stdout_and_stderr(&out))
}

#[test]
fn validate_checks_every_argument_and_lists_each_unimplemented_type_once() {
    let (code, text) = validate(
        r#"
resource "aws_sns_topic_policy" "a" {
  arn    = "arn:aws:sns:eu-west-1:123456789012:a"
  policy = "{}"
}

resource "aws_sns_topic_policy" "b" {
  arn              = "arn:aws:sns:eu-west-1:123456789012:b"
  policy           = "{}"
  no_such_argument = 1
}

resource "aws_sns_topic_policy" "c" {
  arn = "arn:aws:sns:eu-west-1:123456789012:c"
}

resource "digitalocean_ssh_key" "n" {
  name       = "deploy"
  public_key = "ssh-ed25519 AAAA"
}

resource "aws_placement_group" "web" {
  name            = "web"
  strategy        = "partition"
  partition_count = 3
  spread_level    = "rack"
}

data "aws_kms_key" "d" {
  key_id = "alias/app"
}
"#,
    );
    assert_eq!(code, Some(1), "{text}");
    // The full argument check ran: the unknown argument and the missing required one.
    assert!(text.contains("An argument named \"no_such_argument\" is not expected here"), "{text}");
    assert!(text.contains("The argument \"policy\" is required"), "{text}");
    // Each unimplemented type once, naming every place it is used.
    assert_eq!(text.matches("Resource type not implemented yet").count(), 3, "{text}");
    assert_eq!(text.matches("Data source not implemented yet").count(), 1, "{text}");
    let role = text.split("\"aws_sns_topic_policy\" is in the aws provider's schema").nth(1).unwrap_or_else(|| panic!("{text}"));
    for addr in ["aws_sns_topic_policy.a", "aws_sns_topic_policy.b", "aws_sns_topic_policy.c"] {
        assert!(role.contains(addr), "{addr} missing from {text}");
    }
    assert!(text.contains("hashicorp/aws 6."), "{text}");
    // `ingress` blocks are the attribute-as-blocks form Terraform accepts.
    assert!(!text.contains("Blocks of type \"ingress\" are not expected"), "{text}");
    assert!(!text.contains("Invalid resource type"), "{text}");
}

#[test]
fn unimplemented_types_that_expand_to_nothing_plan_and_apply() {
    let f = Fixture::new(
        r#"
variable "enabled" {
  default = false
}

resource "digitalocean_ssh_key" "optional" {
  count      = var.enabled ? 1 : 0
  name       = "deploy"
  public_key = "ssh-ed25519 AAAA"
}

resource "digitalocean_tag" "tag" {
  for_each = var.enabled ? toset(["a"]) : toset([])
  name     = "a"
}

resource "terraform_data" "always" {
  input = length(digitalocean_ssh_key.optional)
}

output "waits" {
  value = length(digitalocean_tag.tag)
}
"#,
    );
    let plan = f.plan().unwrap_or_else(|d| panic!("plan failed: {d}"));
    assert_eq!(plan.changes.iter().filter(|c| c.address.starts_with("terraform_data")).count(), 1);
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert_eq!(f.addresses(), vec!["terraform_data.always".to_string()]);

    // Switched on, the same configuration stops at the plan with the type named once.
    let err = f.plan_with(&[("enabled", skyform::value::Value::Bool(true))], Default::default()).expect_err("unimplemented types must not plan");
    let text = err.to_string();
    assert!(text.contains("digitalocean_ssh_key") && text.contains("digitalocean_tag"), "{text}");
    assert_eq!(text.matches("not implemented yet").count(), 2, "{text}");
}

#[test]
fn unimplemented_arguments_of_implemented_types_are_null_or_an_error() {
    let ok = r#"
resource "aws_vpc" "v" {
  cidr_block       = "10.0.0.0/16"
  instance_tenancy = null
  region           = null
}
"#;
    let (code, text) = validate(ok);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = validate(&ok.replace("instance_tenancy = null", "instance_tenancy = \"dedicated\""));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Argument not supported yet") && text.contains("\"instance_tenancy\""), "{text}");
    assert!(text.contains("main.tf:4:"), "the error points at the argument: {text}");
    let bucket =
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n  cors_rule {\n    allowed_methods = [\"GET\"]\n    allowed_origins = [\"*\"]\n  }\n}\n";
    let (code, text) = validate(bucket);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Block not supported yet") && text.contains("\"cors_rule\""), "{text}");
}

#[test]
fn provider_blocks_know_every_argument() {
    let (code, text) = validate("provider \"aws\" {\n  region = \"eu-west-1\"\n  retry_mode = null\n}\n");
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = validate("provider \"aws\" {\n  region = \"eu-west-1\"\n  no_such = 1\n}\n");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("\"no_such\" is not expected"), "{text}");
}

#[test]
fn unknown_provider_prefix_is_located_with_a_suggestion() {
    let (code, text) = validate("resource \"terraform_data\" \"ok\" {}\n\nresource \"awz_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Provider not available") && text.contains("Did you mean \"aws\""), "{text}");
    assert!(text.contains("main.tf:3:"), "located at the resource: {text}");
}

#[test]
fn missing_aws_credentials_say_which_sources_were_tried() {
    let f = Fixture::new("provider \"aws\" {\n  region = \"eu-west-1\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"no-credentials-here\"\n}\n");
    let home = tempfile::tempdir().unwrap();
    let mut cmd = skyform(f.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd.env("HOME", home.path()).env("AWS_EC2_METADATA_DISABLED", "true").args(["plan", "-no-color"]).output().unwrap();
    let text = stdout_and_stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("No valid credential sources found"), "{text}");
    assert!(text.contains("AWS_ACCESS_KEY_ID") && text.contains("skip_credentials_validation"), "{text}");
    assert!(text.len() < 2000 && text.matches("No valid credential sources found").count() == 1, "one short message: {text}");
}

/// The resource tables of `docs/providers/*.md` are generated from the drivers' schemas; this
/// fails when they differ (`SKYFORM_UPDATE_DOCS=1` rewrites them).
#[test]
fn docs_provider_tables_match_the_schemas() {
    use skyform::view::schema_docs::{provider_tables, splice};
    let registry = skyform::provider::Registry::builtin();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (file, provider) in [
        ("docs/providers/aws.md", "aws"),
        ("docs/providers/azure.md", "azurerm"),
        ("docs/providers/gcp.md", "google"),
        ("docs/providers/digitalocean.md", "digitalocean"),
    ] {
        let path = root.join(file);
        let doc = std::fs::read_to_string(&path).unwrap();
        let schema = registry.get(provider).unwrap().schema();
        let want = splice(&doc, &provider_tables(schema)).unwrap_or_else(|| panic!("{file} has no generated-part markers"));
        if std::env::var_os("SKYFORM_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).unwrap();
        } else {
            assert!(doc == want, "{file} is out of date with the schemas: run SKYFORM_UPDATE_DOCS=1 cargo test docs_");
        }
    }
}

/// Blocks skyform does not run yet are refused (or, where Terraform only warns, warned about),
/// all in one run, each at its location: never silently ignored.
#[test]
fn unsupported_blocks_are_refused_not_ignored() {
    let (code, text) = validate(include_str!("fixtures/not_silently_ignored.tf"));
    assert_eq!(code, Some(1), "{text}");
    for (what, at) in [
        ("Unsupported backend type", "main.tf:6:"),
        ("\"remote-exec\" would not run", "main.tf:11:"),
        ("\"provisioner\" block in a removed block", "main.tf:23:"),
        ("uses a getter skyform does not support", "main.tf:33:"),
    ] {
        assert!(text.contains(what) && text.contains(at), "{what} at {at}: {text}");
    }
    let (code, text) = validate("terraform {\n  backend \"local\" {}\n  required_providers {\n    random = { source = \"hashicorp/random\" }\n  }\n}\n");
    assert_eq!(code, Some(0), "{text}");
}
