//! Lambda through the CLI against moto, beyond the lifecycle in `harness/aws_lambda.rs`: code
//! from an S3 object, `publish` (a version per change), a permission naming the function by
//! ARN with a generated statement id, and arguments skyform does not implement refused at
//! plan. Nothing is invoked.

use serde_json::Value as Json;
use skyform::provider::aws::rest_api::{segment, Request, RestApi, LAMBDA};

use crate::common::{emulator, plan_code, rt, succeeds, unique};
use crate::test_aws::provider_block;

/// GetFunction's answer, or `None` when the function does not exist.
fn get_function(endpoint: &str, name: &str) -> Option<Json> {
    let api = RestApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    rt().block_on(api.call(&LAMBDA, Request::new("GET", format!("/2015-03-31/functions/{}", segment(name))))).ok()
}

/// The statement ids of a function's policy.
fn statement_ids(endpoint: &str, name: &str) -> Vec<String> {
    let api = RestApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    let Ok(p) = rt().block_on(api.call(&LAMBDA, Request::new("GET", format!("/2015-03-31/functions/{}/policy", segment(name))))) else { return vec![] };
    let doc: Json = p.get("Policy").and_then(Json::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let statements = doc.get("Statement").and_then(Json::as_array).cloned().unwrap_or_default();
    statements.iter().filter_map(|s| s.get("Sid").and_then(Json::as_str).map(str::to_string)).collect()
}

#[test]
fn lambda_code_from_s3_with_published_versions() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("index.py"), "def handler(event, context):\n    return 1\n").unwrap();
    let (bucket, role, name) = (unique("lambdacode"), unique("pubrole"), unique("pubfn"));
    let lines: String = ["iam", "sts", "lambda"].iter().map(|s| format!("    {s} = \"{endpoint}\"\n")).collect();
    let provider = provider_block(&endpoint).replace("    s3 = ", &format!("{lines}    s3 = "));
    let write = |timeout: u32, extra: &str| {
        let config = format!(
            r#"{provider}
resource "aws_iam_role" "lambda" {{
  name               = "{role}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Action = "sts:AssumeRole", Effect = "Allow", Principal = {{ Service = "lambda.amazonaws.com" }} }}] }})
}}

data "archive_file" "code" {{
  type        = "zip"
  source_file = "index.py"
  output_path = "code.zip"
}}

resource "aws_s3_bucket" "code" {{
  bucket = "{bucket}"
}}

resource "aws_s3_object" "code" {{
  bucket = aws_s3_bucket.code.id
  key    = "code.zip"
  source = data.archive_file.code.output_path
}}

resource "aws_lambda_function" "f" {{
  function_name    = "{name}"
  role             = aws_iam_role.lambda.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  s3_bucket        = aws_s3_object.code.bucket
  s3_key           = aws_s3_object.code.key
  source_code_hash = data.archive_file.code.output_base64sha256
  timeout          = {timeout}
  publish          = true
{extra}}}

# The function named by its ARN, and a statement id generated from a prefix.
resource "aws_lambda_permission" "by_arn" {{
  statement_id_prefix = "sns-"
  action              = "lambda:InvokeFunction"
  function_name       = aws_lambda_function.f.arn
  principal           = "sns.amazonaws.com"
  source_account      = "123456789012"
}}

output "version" {{
  value = aws_lambda_function.f.version
}}

output "qualified_arn" {{
  value = aws_lambda_function.f.qualified_arn
}}
"#
        );
        std::fs::write(d.join("main.tf"), config).unwrap();
    };
    let outputs = || {
        let out = succeeds(d, &["output", "-json"]);
        let v: Json = serde_json::from_slice(&out.stdout).expect("output -json");
        (v["version"]["value"].as_str().unwrap_or_default().to_string(), v["qualified_arn"]["value"].as_str().unwrap_or_default().to_string())
    };
    write(10, "");
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let f = get_function(&endpoint, &name).expect("the function exists");
    assert_eq!(f["Configuration"]["Timeout"].as_f64(), Some(10.0));
    let (version, qualified) = outputs();
    assert_eq!(version, "1", "publish = true publishes version 1 on create");
    assert!(qualified.ends_with(&format!("function:{name}:1")), "{qualified}");
    assert_eq!(plan_code(d).0, Some(0), "no changes after the apply");
    let sids = statement_ids(&endpoint, &name);
    assert!(sids.len() == 1 && sids[0].starts_with("sns-") && sids[0].len() == 4 + 26, "{sids:?}");

    write(20, "");
    let (code, text) = plan_code(d);
    assert!(code == Some(2) && text.contains("10 -> 20") && text.contains("version") && !text.contains("must be replaced"), "{text}");
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(get_function(&endpoint, &name).expect("the function exists")["Configuration"]["Timeout"].as_f64(), Some(20.0));
    assert_eq!(outputs().0, "2", "a change publishes the next version");
    assert_eq!(plan_code(d).0, Some(0), "no changes after the update");

    write(20, "  kms_key_arn = \"arn:aws:kms:eu-west-1:123456789012:key/1234\"\n");
    let (code, text) = plan_code(d);
    assert!(code == Some(1) && text.contains("kms_key_arn") && text.contains("does not implement"), "{text}");

    write(20, "");
    succeeds(d, &["destroy", "-auto-approve", "-no-color"]);
    assert!(get_function(&endpoint, &name).is_none(), "the function is deleted");
}
