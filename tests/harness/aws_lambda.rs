//! Lambda cases, against moto: a function whose code is a zip made by the `archive_file` data
//! source (`filename` + `source_code_hash = data.archive_file.x.output_base64sha256`, so a
//! change to the source sends the code again), run by an `aws_iam_role` (moto checks that the
//! role exists), and a permission on it. Results are checked with direct REST calls (the
//! library's signed client, not the resource types). Nothing is invoked.

use std::path::Path;

use serde_json::Value as Json;
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::provider::aws::rest_api::{segment, Request, RestApi, LAMBDA};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{rt, unique};
use crate::test_aws::provider_block;

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_lambda_function() {
    run("aws_lambda_function", MOTO, function);
}

#[test]
fn aws_lambda_permission() {
    run("aws_lambda_permission", MOTO, permission);
}

/// The provider block with IAM, STS and Lambda at the emulator.
fn provider(endpoint: &str) -> String {
    let lines: String = ["iam", "sts", "lambda"].iter().map(|s| format!("    {s} = \"{endpoint}\"\n")).collect();
    provider_block(endpoint).replace("    s3 = ", &format!("{lines}    s3 = "))
}

/// One call to the emulator, outside skyform: the answer, or the error code.
fn call(endpoint: &str, req: Request) -> Result<Json, String> {
    let api = RestApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    rt().block_on(api.call(&LAMBDA, req)).map_err(|e| e.code)
}

/// GetFunction's answer, or `None` when the function does not exist.
fn get_function(endpoint: &str, name: &str) -> Option<Json> {
    call(endpoint, Request::new("GET", format!("/2015-03-31/functions/{}", segment(name)))).ok()
}

/// The statements of a function's policy (none when it has no policy).
fn statements(endpoint: &str, function: &str) -> Vec<Json> {
    let Ok(p) = call(endpoint, Request::new("GET", format!("/2015-03-31/functions/{}/policy", segment(function)))) else { return vec![] };
    let doc: Json = p.get("Policy").and_then(Json::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    doc.get("Statement").and_then(Json::as_array).cloned().unwrap_or_default()
}

/// The role, the zipped source and the function (`extra` goes into the function's block).
fn config(endpoint: &str, dir: &Path, role: &str, name: &str, memory: u32, extra: &str) -> String {
    let d = dir.display();
    format!(
        r#"{}
resource "aws_iam_role" "lambda" {{
  name = "{role}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
}}

data "archive_file" "code" {{
  type        = "zip"
  source_file = "{d}/index.py"
  output_path = "{d}/code.zip"
}}

resource "aws_lambda_function" "f" {{
  function_name    = "{name}"
  role             = aws_iam_role.lambda.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  filename         = data.archive_file.code.output_path
  source_code_hash = data.archive_file.code.output_base64sha256
  memory_size      = {memory}
  environment {{
    variables = {{
      STAGE = "dev"
    }}
  }}
  tags = {{
    env = "dev"
  }}
{extra}}}
"#,
        provider(endpoint)
    )
}

const SOURCE: &str = "def handler(event, context):\n    return 'one'\n";
const SOURCE2: &str = "def handler(event, context):\n    return 'two'\n";

fn function(endpoint: &str, dir: &Path) -> Case {
    const F: &str = "aws_lambda_function.f";
    let (role, name, renamed) = (unique("lambdarole"), unique("fn"), unique("fn2"));
    let cfg = {
        let (endpoint, dir, role) = (endpoint.to_string(), dir.to_path_buf(), role.clone());
        move |name: &str, memory: u32| config(&endpoint, &dir, &role, name, memory, "")
    };
    let runs = |memory: f64| {
        move |s: &State, e: &str| {
            let f = get_function(e, &attr(s, F, "function_name")).expect("the function exists");
            let c = &f["Configuration"];
            assert_eq!(c["MemorySize"].as_f64(), Some(memory));
            assert_eq!(c["Handler"].as_str(), Some("index.handler"));
            assert_eq!(c["Role"].as_str().map(str::to_string), Some(attr(s, "aws_iam_role.lambda", "arn")));
            assert_eq!(c["Environment"]["Variables"]["STAGE"].as_str(), Some("dev"));
            assert_eq!(f["Tags"]["env"].as_str(), Some("dev"));
            assert_eq!(f["Tags"]["managed"].as_str(), Some("skyform"));
            assert_eq!(attr(s, F, "id"), attr(s, F, "function_name"));
            assert_eq!(c["CodeSha256"].as_str().map(str::to_string), Some(attr(s, F, "code_sha256")));
            assert_eq!(attr(s, F, "code_sha256"), attr(s, F, "source_code_hash"), "the zip uploaded is the archive's");
            let arn = attr(s, F, "arn");
            assert_eq!(attr(s, F, "invoke_arn"), format!("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{arn}/invocations"));
            assert_eq!((attr(s, F, "version"), attr(s, F, "qualified_arn")), ("$LATEST".to_string(), format!("{arn}:$LATEST")));
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(cfg(&name, 128), &[("aws_iam_role.lambda", Create), (F, Create)]).file("index.py", SOURCE).check(runs(128.0)),
        update: Step::new(cfg(&name, 256), &[(F, Update)]).file("index.py", SOURCE2).shows("128 -> 256").shows("source_code_hash").check(runs(256.0)),
        replace: Step::new(cfg(&renamed, 256), &[(F, DeleteThenCreate)]).check(runs(256.0)).check(move |_, e| {
            assert!(get_function(e, &old).is_none(), "the old function is deleted");
        }),
        drift: Some(
            Step::new(cfg(&renamed, 256), &[(F, Update)])
                .outside(|s, e| {
                    let path = format!("/2015-03-31/functions/{}/configuration", attr(s, F, "function_name"));
                    call(e, Request::new("PUT", path).body(serde_json::json!({ "MemorySize": 512 }))).expect("UpdateFunctionConfiguration");
                })
                .shows("512 -> 256")
                .check(runs(256.0)),
        ),
        // As in Terraform, the file and the hash given for it are not read back: the plan after
        // import sends the code again (so the code's computed attributes are unknown).
        import: Import {
            address: F,
            id: Box::new(|s, _| attr(s, F, "function_name")),
            differs: vec!["code_sha256", "filename", "last_modified", "source_code_hash", "source_code_size"],
            shows: vec![],
        },
        exists: Box::new(|s, e| get_function(e, &attr(s, F, "function_name")).is_some()),
    }
}

fn permission(endpoint: &str, dir: &Path) -> Case {
    const P: &str = "aws_lambda_permission.p";
    const F: &str = "aws_lambda_function.f";
    let (role, name) = (unique("permrole"), unique("permfn"));
    let cfg = {
        let (endpoint, dir) = (endpoint.to_string(), dir.to_path_buf());
        move |memory: u32, source: &str| {
            let permission = format!(
                r#"
resource "aws_lambda_permission" "p" {{
  statement_id  = "AllowFromEvents"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.f.function_name
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:eu-west-1:123456789012:rule/{source}"
}}
"#
            );
            format!("{}{permission}", config(&endpoint, &dir, &role, &name, memory, ""))
        }
    };
    let allows = |rule: &'static str| {
        move |s: &State, e: &str| {
            let st = statements(e, &attr(s, F, "function_name"));
            let ours: Vec<&Json> = st.iter().filter(|x| x["Sid"].as_str() == Some("AllowFromEvents")).collect();
            assert_eq!(ours.len(), 1, "{st:?}");
            assert_eq!(ours[0]["Action"].as_str(), Some("lambda:InvokeFunction"));
            assert_eq!(ours[0]["Principal"]["Service"].as_str(), Some("events.amazonaws.com"));
            assert_eq!(
                ours[0]["Condition"]["ArnLike"]["AWS:SourceArn"].as_str().map(str::to_string),
                Some(format!("arn:aws:events:eu-west-1:123456789012:rule/{rule}"))
            );
            assert_eq!(attr(s, P, "id"), "AllowFromEvents");
            assert_eq!(attr(s, P, "function_name"), attr(s, F, "function_name"));
        }
    };
    let creates = [("aws_iam_role.lambda", Create), (F, Create), (P, Create)];
    Case {
        create: Step::new(cfg(128, "nightly"), &creates).file("index.py", SOURCE).check(allows("nightly")),
        // Every argument of a permission replaces it: the update is the function's.
        update: Step::new(cfg(256, "nightly"), &[(F, Update)]).check(allows("nightly")),
        replace: Step::new(cfg(256, "hourly"), &[(P, DeleteThenCreate)]).shows("must be replaced").check(allows("hourly")),
        drift: Some(
            Step::new(cfg(256, "hourly"), &[(P, Create)])
                .outside(|s, e| {
                    let path = format!("/2015-03-31/functions/{}/policy/AllowFromEvents", attr(s, F, "function_name"));
                    call(e, Request::new("DELETE", path)).expect("RemovePermission");
                })
                .check(allows("hourly")),
        ),
        import: Import {
            address: P,
            id: Box::new(|s, _| format!("{}/{}", attr(s, F, "function_name"), attr(s, P, "statement_id"))),
            differs: vec![],
            shows: vec![],
        },
        exists: Box::new(|s, e| statements(e, &attr(s, F, "function_name")).iter().any(|x| x["Sid"].as_str() == Some("AllowFromEvents"))),
    }
}
