//! The azurerm provider against a real emulator (Azurite, started by `scripts/test`, blob
//! endpoint in `SKYFORM_AZURITE_BLOB_ENDPOINT`). Each test uses its own container names, so
//! they run in parallel. Results are checked over plain HTTP (public containers) or with the
//! `azure_storage_blob` SDK, not through skyform. Each type's lifecycle is in `harness/azure.rs`.

use std::sync::Arc;

use azure_core::http::{ClientOptions, RequestContent, Url};
use azure_storage_blob::models::{BlobClientGetPropertiesResultHeaders, BlockBlobClientUploadOptions};
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};
use skyform::provider::azure::shared_key::SharedKeyPolicy;
use skyform::provider::azure::{AzureFactory, AzureProvider};
use skyform::provider::{ApplyRequest, PlanRequest, Provider, ReadRequest};
use skyform::value::Value;

use crate::common::{emulator, rt, skyform, stderr, stdout, succeeds, unique};

/// Azurite's well-known account and key (public, documented by Microsoft).
pub(crate) const ACCOUNT: &str = "devstoreaccount1";
pub(crate) const KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn azurite() -> Option<String> {
    emulator("SKYFORM_AZURITE_BLOB_ENDPOINT")
}

pub(crate) fn provider_block(endpoint: &str) -> String {
    // `features` sub-blocks are common in real configurations; they are accepted and ignored.
    format!(
        "provider \"azurerm\" {{\n  features {{\n    resource_group {{\n      prevent_deletion_if_contains_resources = false\n    }}\n  }}\n  access_key    = \"{KEY}\"\n  blob_endpoint = \"{endpoint}\"\n}}\n"
    )
}

/// An SDK client for a container, signed with the account key.
pub(crate) fn sdk(endpoint: &str, container: &str) -> BlobContainerClient {
    let url = Url::parse(&format!("{endpoint}/{container}")).unwrap();
    let options = BlobContainerClientOptions {
        client_options: ClientOptions { per_try_policies: vec![Arc::new(SharedKeyPolicy::new(ACCOUNT, KEY))], ..Default::default() },
        ..Default::default()
    };
    BlobContainerClient::new(url, None, Some(options)).unwrap()
}

pub(crate) fn upload(client: &BlobContainerClient, name: &str, body: &str) {
    let options = BlockBlobClientUploadOptions { blob_content_type: Some("text/plain".into()), ..Default::default() };
    rt().block_on(client.blob_client(name).upload(RequestContent::from(body.as_bytes().to_vec()), Some(options))).unwrap();
}

#[test]
fn blob_refresh_lists_the_container_once() {
    let Some(endpoint) = azurite() else { return };
    let container = unique("azbulk");
    let client = sdk(&endpoint, &container);
    rt().block_on(client.create(None)).unwrap();
    let n = 60;
    let mut prior = Vec::new();
    for i in 0..n {
        let name = format!("obj/{i:03}.txt");
        let body = format!("object {i}");
        let md5 = md5_hex(body.as_bytes());
        let options =
            BlockBlobClientUploadOptions { blob_content_md5: Some(hex_bytes(&md5)), blob_content_type: Some("text/plain".into()), ..Default::default() };
        rt().block_on(client.blob_client(&name).upload(RequestContent::from(body.into_bytes()), Some(options))).unwrap();
        prior.push(Value::object([
            ("name", Value::string(&name)),
            ("storage_account_name", Value::string(ACCOUNT)),
            ("storage_container_name", Value::string(&container)),
            ("type", Value::string("Block")),
            ("content_type", Value::string("text/plain")),
            ("content_md5", Value::string(&md5)),
            ("metadata", Value::Map(Default::default())),
        ]));
    }
    // One changed outside skyform, one deleted.
    let options = BlockBlobClientUploadOptions { blob_content_md5: Some(hex_bytes(&md5_hex(b"changed"))), ..Default::default() };
    rt().block_on(client.blob_client("obj/007.txt").upload(RequestContent::from(b"changed".to_vec()), Some(options))).unwrap();
    rt().block_on(client.blob_client("obj/009.txt").delete(None)).unwrap();

    let config = Value::object([("access_key", Value::string(KEY)), ("blob_endpoint", Value::string(&endpoint))]);
    let driver: Arc<AzureProvider> = AzureFactory::new().connect(&config).unwrap();
    let reqs: Vec<ReadRequest> = prior.iter().map(|p| ReadRequest { type_name: "azurerm_storage_blob".into(), prior_state: p.clone() }).collect();
    let before = driver.requests();
    let responses = rt().block_on(driver.read_batch(reqs));
    let sent = driver.requests() - before;

    assert_eq!(responses.len(), n);
    assert!(responses.iter().all(|r| r.diagnostics.is_empty()), "{:?}", responses.iter().find(|r| !r.diagnostics.is_empty()));
    assert!(responses[9].new_state.is_none(), "the deleted blob must read as gone");
    let changed = responses[7].new_state.as_ref().unwrap();
    assert_eq!(changed.get_attr("content_md5"), Some(&Value::string(md5_hex(b"changed"))));
    let same = responses[0].new_state.as_ref().unwrap();
    assert_eq!(same.get_attr("content_md5"), prior[0].get_attr("content_md5"));
    assert_eq!(same.get_attr("content_type"), Some(&Value::string("text/plain")));
    // 60 blobs = one List Blobs page; Terraform reads each blob (60+ requests).
    assert_eq!(sent, 1, "refresh of {n} blobs sent {sent} requests");
    rt().block_on(client.delete(None)).unwrap();

    // The container deleted outside skyform: every blob reads as gone, not as an error.
    let reqs: Vec<ReadRequest> = prior.iter().map(|p| ReadRequest { type_name: "azurerm_storage_blob".into(), prior_state: p.clone() }).collect();
    let responses = rt().block_on(driver.read_batch(reqs));
    assert!(responses.iter().all(|r| r.new_state.is_none() && r.diagnostics.is_empty()));
}

pub(crate) fn md5_hex(b: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(b))
}

pub(crate) fn hex_bytes(h: &str) -> Vec<u8> {
    hex::decode(h).unwrap()
}

#[test]
fn azure_errors_name_the_resource() {
    let Some(endpoint) = azurite() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An invalid container name is caught at plan, with its place in the file.
    let bad = format!(
        "{}\nresource \"azurerm_storage_container\" \"bad\" {{\n  name                 = \"Bad_Name\"\n  storage_account_name = \"{ACCOUNT}\"\n}}\n",
        provider_block(&endpoint)
    );
    std::fs::write(d.join("main.tf"), &bad).unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // At the argument's value, not the resource header.
    let line = provider_block(&endpoint).lines().count() + 3;
    assert!(err.contains("Invalid container name") && err.contains(&format!("main.tf:{line}:26")) && err.contains("azurerm_storage_container.bad"), "{err}");

    // Metadata keys the service would lower-case are refused at plan.
    let upper = bad.replace("name                 = \"Bad_Name\"", "name                 = \"good-name\"\n  metadata             = { Env = \"x\" }");
    std::fs::write(d.join("main.tf"), &upper).unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Invalid metadata key") && stderr(&out).contains("\"Env\""), "{}", stderr(&out));

    // A container that already exists: the service's error, with the address and what to do.
    let taken = unique("taken");
    rt().block_on(sdk(&endpoint, &taken).create(None)).unwrap();
    std::fs::write(d.join("main.tf"), bad.replace("Bad_Name", &taken)).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("ContainerAlreadyExists") && err.contains("azurerm_storage_container.bad") && err.contains("skyform import"), "{err}");

    // A blob into a container that does not exist: the service's error, with the address.
    let missing = unique("nothere");
    let cfg = format!(
        "{}\nresource \"azurerm_storage_blob\" \"x\" {{\n  name                   = \"x.txt\"\n  storage_account_name   = \"{ACCOUNT}\"\n  storage_container_name = \"{missing}\"\n  type                   = \"Block\"\n  source_content         = \"x\"\n}}\n",
        provider_block(&endpoint)
    );
    std::fs::write(d.join("main.tf"), &cfg).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("ContainerNotFound") && err.contains("azurerm_storage_blob.x"), "{err}");

    // A wrong account key: the request is refused, and the diagnostic says what to check.
    let wrong = cfg.replace(KEY, "d3Jvbmcta2V5");
    std::fs::write(d.join("main.tf"), &wrong).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("AuthenticationFailed") || err.contains("HTTP 403"), "{err}");
    assert!(err.contains("access_key"), "{err}");
    // Nothing was recorded for the failed creates.
    let out = succeeds(d, &["state", "list"]);
    assert_eq!(stdout(&out), "");
}

/// An account SAS for the blob service (read, write, delete, list, add, create), built as
/// "Create an account SAS" specifies for version 2020-12-06 and later.
fn account_sas() -> String {
    let (sv, ss, srt, sp, se, spr) = ("2020-12-06", "b", "sco", "rwdlac", "2099-01-01T00:00:00Z", "https,http");
    let text = format!("{ACCOUNT}\n{sp}\n{ss}\n{srt}\n\n{se}\n\n{spr}\n{sv}\n\n");
    let sig = azure_core::hmac::hmac_sha256(&text, &azure_core::credentials::Secret::new(KEY.to_string())).unwrap();
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("sv={sv}&ss={ss}&srt={srt}&sp={sp}&se={}&spr={}&sig={}", enc(se), enc(spr), enc(&sig))
}

#[test]
fn sas_token_authorizes_without_the_account_key() {
    let Some(endpoint) = azurite() else { return };
    let container = unique("azsas");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = format!(
        r#"variable "sas" {{
  type      = string
  sensitive = true
}}

provider "azurerm" {{
  features {{}}
  sas_token     = var.sas
  blob_endpoint = "{endpoint}"
}}

resource "azurerm_storage_container" "c" {{
  name                 = "{container}"
  storage_account_name = "{ACCOUNT}"
}}

resource "azurerm_storage_blob" "b" {{
  name                   = "hello.txt"
  storage_account_name   = "{ACCOUNT}"
  storage_container_name = azurerm_storage_container.c.name
  type                   = "Block"
  source_content         = "hello via SAS"
}}
"#
    );
    std::fs::write(d.join("main.tf"), config).unwrap();
    let sas = format!("-var=sas=?{}", account_sas());
    let out = succeeds(d, &["apply", "-auto-approve", &sas]);
    assert!(stdout(&out).contains("Apply complete! Resources: 2 added"), "{}", stdout(&out));
    // Checked with the account key, independently of the SAS.
    let mut buf = vec![0u8; 64];
    let got = rt().block_on(sdk(&endpoint, &container).blob_client("hello.txt").download_into(&mut buf, None)).unwrap();
    assert_eq!(&buf[..got.len], b"hello via SAS");
    let out = skyform(d).args(["plan", "-detailed-exitcode", &sas]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // The token is not in the saved state or plan output.
    let sig = account_sas().split("sig=").nth(1).unwrap().to_string();
    for f in std::fs::read_dir(d.join(".skyform")).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(&sig));
    }
    succeeds(d, &["destroy", "-auto-approve", &sas]);
    assert!(!rt().block_on(sdk(&endpoint, &container).exists()).unwrap());
}

#[test]
fn blob_properties_and_metadata_change_without_an_upload() {
    let Some(endpoint) = azurite() else { return };
    let container = unique("azprops");
    let client = sdk(&endpoint, &container);
    rt().block_on(client.create(None)).unwrap();
    let config = Value::object([("access_key", Value::string(KEY)), ("blob_endpoint", Value::string(&endpoint))]);
    let driver = AzureFactory::new().connect(&config).unwrap();
    let cfg = Value::object([
        ("name", Value::string("p.txt")),
        ("storage_account_name", Value::string(ACCOUNT)),
        ("storage_container_name", Value::string(&container)),
        ("type", Value::string("Block")),
        ("source_content", Value::string("bytes")),
        ("content_type", Value::string("text/plain")),
        ("metadata", Value::object([("a", Value::string("1"))])),
    ]);
    let plan = rt().block_on(driver.plan(PlanRequest {
        type_name: "azurerm_storage_blob".into(),
        prior_state: None,
        proposed_new_state: cfg.clone(),
        config: cfg.clone(),
    }));
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let created = rt().block_on(driver.apply(ApplyRequest {
        operation: Default::default(),
        type_name: "azurerm_storage_blob".into(),
        prior_state: None,
        planned_state: Some(plan.planned_state),
        config: cfg,
    }));
    let prior = created.new_state.unwrap();

    // Same bytes (same content_md5), new content type, cache control and metadata, and a body
    // source that cannot be read: the update must not upload.
    let mut planned = prior.clone();
    if let Value::Map(m) = &mut planned {
        let m = Arc::make_mut(m);
        m.insert("source_content".into(), Value::Null);
        m.insert("source".into(), Value::string("/nonexistent/file"));
        m.insert("content_type".into(), Value::string("text/html"));
        m.insert("cache_control".into(), Value::string("no-cache"));
        m.insert("metadata".into(), Value::object([("b", Value::string("2"))]));
    }
    let before = driver.requests();
    let r = rt().block_on(driver.apply(ApplyRequest {
        operation: Default::default(),
        type_name: "azurerm_storage_blob".into(),
        prior_state: Some(prior),
        planned_state: Some(planned.clone()),
        config: planned,
    }));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(driver.requests() - before, 2, "Set Blob Properties and Set Blob Metadata");
    let props = rt().block_on(client.blob_client("p.txt").get_properties(None)).unwrap();
    assert_eq!(props.content_type().unwrap().as_deref(), Some("text/html"));
    assert_eq!(props.cache_control().unwrap().as_deref(), Some("no-cache"));
    assert_eq!(props.content_md5().unwrap(), Some(hex_bytes(&md5_hex(b"bytes"))));
    let meta = props.metadata().unwrap();
    assert_eq!((meta.get("b").map(String::as_str), meta.contains_key("a")), (Some("2"), false));
    let mut buf = vec![0u8; 16];
    let got = rt().block_on(client.blob_client("p.txt").download_into(&mut buf, None)).unwrap();
    assert_eq!(&buf[..got.len], b"bytes");
    rt().block_on(client.delete(None)).unwrap();
}
