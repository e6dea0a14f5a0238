//! `data "aws_iam_policy_document"` against the provider's own acceptance-test fixtures
//! (`internal/service/iam/policy_document_data_source_test.go`, partition `aws`, with the
//! `"Sid": ""` lines provider 4.0 stopped writing), and the CRC-32 of the `id`.

use serde_json::json;

use super::{build, crc32};
use crate::provider::helpers::attr;
use crate::value::Value;

fn doc(config: serde_json::Value) -> Result<String, String> {
    let state = build(Value::from_json(&config))?;
    Ok(attr(&state, "json").as_str().unwrap().to_string())
}

fn statement(sid: &str, effect: &str, action: &str) -> serde_json::Value {
    json!({"sid": sid, "effect": effect, "actions": [action]})
}

#[test]
fn basic_fixture() {
    let config = json!({"policy_id": "policy_id", "statement": [
        {"sid": "1", "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "resources": ["arn:aws:s3:::*"]},
        {"actions": ["s3:ListBucket"], "resources": ["arn:aws:s3:::foo"],
         "condition": [{"test": "StringLike", "variable": "s3:prefix", "values": ["home/", "", "home/&{aws:username}/"]}],
         "not_principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}]},
        {"actions": ["s3:*"], "resources": ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
         "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}]},
        {"effect": "Deny", "not_actions": ["s3:*"], "not_resources": ["arn:aws:s3:::*"]},
        {"effect": "Allow", "actions": ["kinesis:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
        {"effect": "Allow", "actions": ["firehose:*"], "principals": [{"type": "*", "identifiers": ["*"]}]}
    ]});
    let want = r#"{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"#;
    let got = doc(config.clone()).unwrap();
    assert_eq!(got, want);
    let state = build(Value::from_json(&config)).unwrap();
    let minified: serde_json::Value = serde_json::from_str(attr(&state, "minified_json").as_str().unwrap()).unwrap();
    assert_eq!(minified, serde_json::from_str::<serde_json::Value>(want).unwrap());
    assert_eq!(attr(&state, "id").as_str().unwrap(), crc32(want.as_bytes()).to_string());
}

/// Principals of one type in several blocks are joined in the SDK's set order, which differs
/// between partitions (the provider's fixtures for `aws` and `aws-us-gov`).
#[test]
fn principals_join_in_sdk_set_order() {
    let config = |part: &str| {
        let arn = |n: &str| format!("arn:{part}:iam::{n}:root");
        json!({"statement": [{"actions": ["*"], "resources": ["*"], "sid": "StatementPrincipalIdentifiersStringAndSlice", "principals": [
            {"type": "AWS", "identifiers": [arn("111111111111"), arn("222222222222")]},
            {"type": "AWS", "identifiers": [arn("333333333333")]},
            {"type": "AWS", "identifiers": [arn("444444444444")]}
        ]}]})
    };
    let want = |part: &str, order: [&str; 4]| {
        let ids: Vec<String> = order.iter().map(|n| format!("          \"arn:{part}:iam::{n}:root\"")).collect();
        format!(
            "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"StatementPrincipalIdentifiersStringAndSlice\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\",\n      \"Principal\": {{\n        \"AWS\": [\n{}\n        ]\n      }}\n    }}\n  ]\n}}",
            ids.join(",\n")
        )
    };
    assert_eq!(doc(config("aws")).unwrap(), want("aws", ["333333333333", "444444444444", "222222222222", "111111111111"]));
    assert_eq!(doc(config("aws-us-gov")).unwrap(), want("aws-us-gov", ["333333333333", "222222222222", "111111111111", "444444444444"]));
    let string_and_slice = json!({"statement": [{"actions": ["*"], "resources": ["*"], "sid": "StatementPrincipalIdentifiersStringAndSlice", "principals": [
        {"type": "AWS", "identifiers": ["arn:aws:iam::111111111111:root"]},
        {"type": "AWS", "identifiers": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]}
    ]}]});
    let got = doc(string_and_slice).unwrap();
    let want = want("aws", ["111111111111", "333333333333", "222222222222", "0"]).replace(",\n          \"arn:aws:iam::0:root\"", "");
    assert_eq!(got, want);
}

#[test]
fn source_and_override_lists() {
    let a = doc(json!({"statement": [statement("", "Allow", "foo:ActionOne"), statement("validSidOne", "Allow", "bar:ActionOne")]})).unwrap();
    let b = doc(json!({"statement": [statement("validSidTwo", "Deny", "foo:ActionTwo")]})).unwrap();
    let c = doc(json!({"statement": [statement("", "Allow", "bar:ActionTwo")]})).unwrap();
    let merged = doc(json!({"version": "2012-10-17", "source_policy_documents": [a, b, c]})).unwrap();
    let want = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "validSidOne",
      "Effect": "Allow",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSidTwo",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    },
    {
      "Effect": "Allow",
      "Action": "bar:ActionTwo"
    }
  ]
}"#;
    assert_eq!(merged, want);

    let a = doc(json!({"statement": [statement("", "Allow", "foo:ActionOne"), statement("overrideSid", "Allow", "bar:ActionOne")]})).unwrap();
    let b = doc(json!({"statement": [statement("validSid", "Deny", "foo:ActionTwo")]})).unwrap();
    let c = doc(json!({"statement": [statement("overrideSid", "Deny", "bar:ActionOne")]})).unwrap();
    let overridden = doc(json!({"override_policy_documents": [a.clone(), b, c.clone()]})).unwrap();
    let want = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"foo:ActionOne\"\n    },\n    {\n      \"Sid\": \"overrideSid\",\n      \"Effect\": \"Deny\",\n      \"Action\": \"bar:ActionOne\"\n    },\n    {\n      \"Sid\": \"validSid\",\n      \"Effect\": \"Deny\",\n      \"Action\": \"foo:ActionTwo\"\n    }\n  ]\n}";
    assert_eq!(overridden, want);
    let conflict = doc(json!({"source_policy_documents": [a, c]})).unwrap_err();
    assert!(conflict.contains("duplicate Sid (overrideSid)"), "{conflict}");
}

#[test]
fn single_condition_value_and_errors() {
    let config = json!({"statement": [{"effect": "Deny", "principals": [{"type": "AWS", "identifiers": ["*"]}], "actions": ["elasticfilesystem:*"], "resources": ["*"],
        "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}]});
    let want = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"elasticfilesystem:*\",\n      \"Resource\": \"*\",\n      \"Principal\": {\n        \"AWS\": \"*\"\n      },\n      \"Condition\": {\n        \"Bool\": {\n          \"aws:SecureTransport\": \"false\"\n        }\n      }\n    }\n  ]\n}";
    assert_eq!(doc(config).unwrap(), want);
    let dup = json!({"statement": [statement("1", "Allow", "a:B"), statement("1", "Allow", "c:D")]});
    assert!(doc(dup).unwrap_err().contains("duplicate Sid (1)"));
    let old = json!({"version": "2008-10-17", "statement": [{"actions": ["*"], "resources": ["arn:aws:s3:::foo/home/&{aws:username}"]}]});
    assert!(doc(old).unwrap_err().contains("which is not supported in document version 2008-10-17"));
    let html = doc(json!({"statement": [{"actions": ["*"], "resources": ["a&b<c>"]}]})).unwrap();
    assert!(html.contains("\"a\\u0026b\\u003cc\\u003e\""), "{html}");
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    // Resources are sorted before `&{` becomes `${` ('&' > '%' > '$'); principals after.
    let order =
        doc(json!({"statement": [{"actions": ["*"], "resources": ["a/%", "a/&{x}"], "principals": [{"type": "AWS", "identifiers": ["a/%", "a/&{x}"]}]}]}))
            .unwrap();
    assert!(order.contains("\"Resource\": [\n        \"a/${x}\",\n        \"a/%\"\n      ]"), "{order}");
    assert!(order.contains("\"AWS\": [\n          \"a/%\",\n          \"a/${x}\"\n        ]"), "{order}");
}
