//! The digitalocean provider's Spaces types through the CLI, against moto's S3 as an
//! S3-compatible endpoint (`spaces_endpoint`, from `SKYFORM_MOTO_ENDPOINT`): a bucket and its
//! objects applied, re-planned without changes and destroyed; the bulk refresh of objects by
//! listing; and the errors that need no endpoint (missing keys, a bad ACL, an argument not
//! implemented). Each type's lifecycle is in `harness/digitalocean.rs`.

use crate::common::{emulator, rt, skyform, stderr, stdout, succeeds, unique};

pub(crate) fn provider_block(endpoint: &str) -> String {
    format!(
        r#"provider "digitalocean" {{
  spaces_access_id  = "test"
  spaces_secret_key = "test"
  spaces_endpoint   = "{endpoint}"
}}
"#
    )
}

/// A bucket with versioning off, two objects from files and one inline.
fn site(endpoint: &str, bucket: &str) -> String {
    format!(
        r#"{}
resource "digitalocean_spaces_bucket" "site" {{
  name          = "{bucket}"
  region        = "nyc3"
  acl           = "public-read"
  force_destroy = true
}}

resource "digitalocean_spaces_bucket_object" "page" {{
  for_each     = fileset("${{path.module}}/site", "*.html")
  region       = digitalocean_spaces_bucket.site.region
  bucket       = digitalocean_spaces_bucket.site.name
  key          = each.value
  source       = "${{path.module}}/site/${{each.value}}"
  content_type = "text/html"
  acl          = "public-read"
}}

resource "digitalocean_spaces_bucket_object" "robots" {{
  region  = digitalocean_spaces_bucket.site.region
  bucket  = digitalocean_spaces_bucket.site.name
  key     = "robots.txt"
  content = "User-agent: *\n"
}}

output "url" {{
  value = "https://${{digitalocean_spaces_bucket.site.bucket_domain_name}}/index.html"
}}
"#,
        provider_block(endpoint)
    )
}

#[test]
fn spaces_bucket_and_objects_apply_converge_and_destroy() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let bucket = unique("do-site");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("site")).unwrap();
    std::fs::write(d.join("site/index.html"), "<h1>hello</h1>\n").unwrap();
    std::fs::write(d.join("site/about.html"), "<p>about</p>\n").unwrap();
    std::fs::write(d.join("main.tf"), site(&endpoint, &bucket)).unwrap();

    let out = succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let text = stdout(&out);
    assert!(text.contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."), "{text}");
    assert!(text.contains(&format!("url = \"https://{bucket}.nyc3.digitaloceanspaces.com/index.html\"")), "{text}");
    let out = skyform(d).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "the second plan must show no changes: {}{}", stdout(&out), stderr(&out));

    // What the store holds, asked with the AWS SDK.
    rt().block_on(async {
        let s3 = crate::test_aws::sdk(&endpoint).await;
        let head = s3.head_object().bucket(&bucket).key("index.html").send().await.expect("index.html uploaded");
        assert_eq!(head.content_type(), Some("text/html"));
        let body = s3.get_object().bucket(&bucket).key("robots.txt").send().await.unwrap().body.collect().await.unwrap().into_bytes();
        assert_eq!(&body[..], b"User-agent: *\n");
    });

    // One page edited: exactly that object is updated.
    std::fs::write(d.join("site/about.html"), "<p>about us</p>\n").unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("# digitalocean_spaces_bucket_object.page[\"about.html\"] will be updated in-place"), "{text}");
    assert!(text.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{text}");

    let out = succeeds(d, &["destroy", "-auto-approve", "-no-color"]);
    assert!(stdout(&out).contains("Destroy complete! Resources: 4 destroyed."), "{}", stdout(&out));
    let gone = rt().block_on(async { crate::test_aws::sdk(&endpoint).await.head_bucket().bucket(&bucket).send().await.is_err() });
    assert!(gone, "the bucket must be deleted");
}

/// A Spaces resource without keys fails at apply, once, saying where keys come from; a bad ACL
/// and an argument skyform does not implement fail at plan. No endpoint is contacted.
#[test]
fn spaces_errors_say_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bucket = "resource \"digitalocean_spaces_bucket\" \"b\" {\n  name = \"no-keys-here\"\n}\n";
    std::fs::write(d.join("main.tf"), format!("provider \"digitalocean\" {{\n  spaces_endpoint = \"http://127.0.0.1:9\"\n}}\n\n{bucket}")).unwrap();
    let run = |args: &[&str]| skyform(d).env_remove("SPACES_ACCESS_KEY_ID").env_remove("SPACES_SECRET_ACCESS_KEY").args(args).output().unwrap();
    let out = run(&["apply", "-auto-approve", "-no-color"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(text.matches("Error: Spaces credentials not configured").count(), 1, "{text}");
    assert!(text.contains("SPACES_ACCESS_KEY_ID") && text.contains("digitalocean_spaces_bucket.b"), "{text}");

    std::fs::write(d.join("main.tf"), bucket.replace("}\n", "  acl  = \"authenticated-read\"\n}\n")).unwrap();
    let out = run(&["plan", "-no-color"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Invalid acl") && text.contains("main.tf:3"), "{text}");

    std::fs::write(d.join("main.tf"), format!("provider \"digitalocean\" {{\n  api_endpoint = \"https://api.example.com\"\n}}\n\n{bucket}")).unwrap();
    let out = run(&["validate", "-no-color"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Argument not supported yet") && text.contains("\"api_endpoint\""), "{text}");
}

/// The endpoint of a region in `spaces_endpoint`'s template, for a configured driver.
#[test]
fn spaces_endpoint_template_names_the_region() {
    let config = skyform::value::Value::object([("spaces_endpoint", skyform::value::Value::string("https://{{.Region}}.example.com"))]);
    let provider = rt().block_on(skyform::provider::digitalocean::DigitalOceanFactory::new().connect(&config)).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(provider.endpoint("FRA1"), "https://fra1.example.com");
    let bad = skyform::value::Value::object([("spaces_endpoint", skyform::value::Value::string("fra1.example.com"))]);
    let err = rt().block_on(skyform::provider::digitalocean::DigitalOceanFactory::new().connect(&bad)).err().expect("not a URL");
    assert!(err.to_string().contains("Invalid spaces_endpoint"), "{err}");
}

/// 50 objects of one bucket refresh with one listing, plus the reads of the one object changed
/// outside skyform (HeadObject, GetObjectAcl); the deleted one reads as gone.
#[test]
fn refresh_of_many_spaces_objects_uses_one_listing() {
    use skyform::provider::{Provider, ReadRequest};
    use skyform::value::Value;
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let (bucket, n) = (unique("do-bulk"), 50);
    let rt = rt();
    let s3 = rt.block_on(crate::test_aws::sdk(&endpoint));
    crate::test_aws::create_bucket(&rt, &s3, &bucket);
    let mut prior = Vec::new();
    for i in 0..n {
        let key = format!("obj/{i:03}.txt");
        let out = rt.block_on(s3.put_object().bucket(&bucket).key(&key).body(format!("object {i}").into_bytes().into()).send()).unwrap();
        let etag = out.e_tag().unwrap().trim_matches('"').to_string();
        prior.push(Value::object(
            [("region", "nyc3"), ("bucket", bucket.as_str()), ("key", key.as_str()), ("id", key.as_str()), ("etag", etag.as_str())]
                .map(|(k, v)| (k, Value::string(v))),
        ));
    }
    rt.block_on(s3.put_object().bucket(&bucket).key("obj/007.txt").body(b"changed".to_vec().into()).send()).unwrap();
    rt.block_on(s3.delete_object().bucket(&bucket).key("obj/009.txt").send()).unwrap();

    let config = Value::object(
        [("spaces_access_id", "test"), ("spaces_secret_key", "test"), ("spaces_endpoint", endpoint.as_str())].map(|(k, v)| (k, Value::string(v))),
    );
    let driver = rt.block_on(skyform::provider::digitalocean::DigitalOceanFactory::new().connect(&config)).unwrap_or_else(|d| panic!("{d}"));
    let reqs = prior.iter().map(|p| ReadRequest { type_name: "digitalocean_spaces_bucket_object".into(), prior_state: p.clone() }).collect();
    let responses = rt.block_on(driver.read_batch(reqs));
    let sent = rt.block_on(driver.requests());

    assert_eq!(responses.len(), n);
    assert!(responses.iter().all(|r| r.diagnostics.is_empty()), "{:?}", responses.iter().map(|r| r.diagnostics.to_string()).collect::<Vec<_>>());
    assert!(responses[9].new_state.is_none(), "the deleted object must read as gone");
    assert_ne!(responses[7].new_state.as_ref().unwrap().get_attr("etag"), prior[7].get_attr("etag"), "the changed object shows its new ETag");
    assert_eq!(responses[0].new_state.as_ref().unwrap().get_attr("etag"), prior[0].get_attr("etag"));
    assert!(sent <= 3, "refresh of {n} objects sent {sent} requests");
}
