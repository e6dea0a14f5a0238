//! `backend "azurerm"` against a real Azurite (started by `scripts/test`, blob endpoint in
//! `SKYFORM_AZURITE_BLOB_ENDPOINT`): the state is Terraform's state file in a blob, workspaces
//! are `KEYenv:NAME`, the lock is a lease on the state blob with Terraform's lock record in its
//! metadata; two applies racing, a killed apply taken over, migration local -> azurerm -> local
//! and `terraform_remote_state` reading it. Each test has a container of its own. Results are
//! checked with the `azure_storage_blob` SDK, not through skyform.

use std::path::Path;
use std::time::{Duration, Instant};

use azure_storage_blob::models::{
    BlobClientAcquireLeaseOptions, BlobClientGetPropertiesResultHeaders, BlobClientSetMetadataOptions, BlobContainerClientListBlobsOptions, LeaseState,
    ListBlobsIncludeItem,
};
use azure_storage_blob::BlobContainerClient;
use base64::Engine as _;

use crate::common::{emulator, plan_code, rt, skyform, stderr, stdout, succeeds, unique};
use crate::test_azure::{sdk, ACCOUNT, KEY};
use crate::test_backends::{check_consumer, consumer, dir_with, lineage_serial, lock_race_and_kill, output, slow, DATA, PRODUCER};

/// A fresh container on Azurite: its name and an SDK client for it.
pub(crate) fn container(endpoint: &str) -> (String, BlobContainerClient) {
    let name = unique("tfstate");
    let client = sdk(endpoint, &name);
    rt().block_on(client.create(None)).unwrap();
    (name, client)
}

/// The backend block keeping state at `key` in `container`. The endpoint is skyform's
/// `blob_endpoint` argument, so no environment variable is needed.
pub(crate) fn backend(endpoint: &str, container: &str, key: &str) -> String {
    format!(
        r#"
terraform {{
  backend "azurerm" {{
    storage_account_name = "{ACCOUNT}"
    container_name       = "{container}"
    key                  = "{key}"
    access_key           = "{KEY}"
    blob_endpoint        = "{endpoint}"
  }}
}}
"#
    )
}

/// The blob names of the container starting with `prefix`.
fn blobs(client: &BlobContainerClient, prefix: &str, snapshots: bool) -> Vec<String> {
    use futures::TryStreamExt;
    let options = BlobContainerClientListBlobsOptions {
        prefix: Some(prefix.to_string()),
        include: snapshots.then(|| vec![ListBlobsIncludeItem::Snapshots]),
        ..Default::default()
    };
    let mut pages = client.list_blobs(Some(options)).unwrap().into_pages();
    let mut names = Vec::new();
    rt().block_on(async {
        while let Some(page) = pages.try_next().await.unwrap() {
            names.extend(page.into_model().unwrap().blob_items.into_iter().filter_map(|b| b.name));
        }
    });
    names
}

fn download(client: &BlobContainerClient, name: &str) -> Vec<u8> {
    rt().block_on(async { client.blob_client(name).download(None).await.unwrap().body.collect().await.unwrap().to_vec() })
}

/// The state blob's lease state and its lock record (decoded), if any.
fn lease(client: &BlobContainerClient, name: &str) -> (Option<LeaseState>, Option<serde_json::Value>) {
    let props = rt().block_on(client.blob_client(name).get_properties(None)).unwrap();
    let record = props.metadata().unwrap().get("terraformlockid").map(|v| {
        let body = base64::engine::general_purpose::STANDARD.decode(v).unwrap();
        serde_json::from_slice(&body).unwrap()
    });
    (props.lease_state().unwrap(), record)
}

fn connection_string(endpoint: &str) -> String {
    format!("DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={endpoint};")
}

#[test]
fn azurerm_state_is_terraforms_blob_with_workspaces() {
    let Some(endpoint) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    let (name, client) = container(&endpoint);
    let d = dir_with(&format!("{DATA}{}", backend(&endpoint, &name, "app/terraform.tfstate")));
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    succeeds(p, &["workspace", "new", "dev"]);
    succeeds(p, &["apply", "-auto-approve"]);
    assert_eq!(stdout(&succeeds(p, &["workspace", "list"])), "  default\n* dev\n\n");

    // Terraform's names and format: the state file at KEY and KEYenv:NAME, unleased after the
    // runs; skyform's journal and history below `KEY.skyform/`, which Terraform's workspace
    // listing (names after `KEYenv:` without a '/') does not take for workspaces.
    let state: serde_json::Value = serde_json::from_slice(&download(&client, "app/terraform.tfstate")).unwrap();
    assert_eq!(state["version"], 4);
    assert_eq!(state["outputs"]["a"]["value"], "a-default");
    let dev: serde_json::Value = serde_json::from_slice(&download(&client, "app/terraform.tfstateenv:dev")).unwrap();
    assert_eq!(dev["outputs"]["a"]["value"], "a-dev");
    let listed: Vec<String> = blobs(&client, "app/terraform.tfstateenv:", false)
        .iter()
        .map(|n| n["app/terraform.tfstateenv:".len()..].to_string())
        .filter(|n| !n.contains('/'))
        .collect();
    assert_eq!(listed, ["dev"]);
    assert!(blobs(&client, "app/terraform.tfstate.skyform/", false).contains(&"app/terraform.tfstate.skyform/history".to_string()));
    let (state, record) = lease(&client, "app/terraform.tfstate");
    assert_ne!(state, Some(LeaseState::Leased));
    assert_eq!(record, None, "the lock record goes with the lease");

    // Another checkout sees both workspaces, with nothing on its disk; this one finds Azurite
    // through AZURE_STORAGE_CONNECTION_STRING (endpoint and key) instead of the block.
    let other = dir_with(&format!(
        "{DATA}\nterraform {{\n  backend \"azurerm\" {{\n    storage_account_name = \"{ACCOUNT}\"\n    container_name       = \"{name}\"\n    key                  = \"app/terraform.tfstate\"\n  }}\n}}\n"
    ));
    let conn = connection_string(&endpoint);
    let run = |args: &[&str], workspace: &str| {
        skyform(other.path()).args(args).env("AZURE_STORAGE_CONNECTION_STRING", &conn).env("TF_WORKSPACE", workspace).output().unwrap()
    };
    let out = run(&["plan", "-detailed-exitcode"], "default");
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&run(&["output", "-raw", "a"], "dev")), "a-dev");
    assert_eq!(stdout(&run(&["workspace", "list"], "default")), "* default\n  dev\n\n");

    // Deleting a workspace removes its blobs.
    succeeds(p, &["workspace", "select", "default"]);
    succeeds(p, &["workspace", "delete", "-force", "dev"]);
    assert_eq!(blobs(&client, "app/terraform.tfstateenv:", false), Vec::<String>::new());
    assert_eq!(stdout(&succeeds(p, &["workspace", "list"])), "* default\n\n");
    assert_eq!(plan_code(p).0, Some(0));
}

#[test]
fn azurerm_lock_is_a_lease_with_terraforms_lock_record() {
    let Some(endpoint) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    let (name, client) = container(&endpoint);
    let d = dir_with(&format!("{}{}", slow(3), backend(&endpoint, &name, "terraform.tfstate")));
    let p = d.path();
    let bin = assert_cmd::cargo::cargo_bin("skyform");
    let mut first = std::process::Command::new(&bin).current_dir(p).args(["apply", "-auto-approve"]).stdout(std::process::Stdio::null()).spawn().unwrap();
    // The state blob is created empty to hold the lease, and leased with the record.
    let start = Instant::now();
    let record = loop {
        if blobs(&client, "terraform.tfstate", false).contains(&"terraform.tfstate".to_string()) {
            if let (Some(LeaseState::Leased), Some(record)) = lease(&client, "terraform.tfstate") {
                break record;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the apply never leased the state blob");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(record["Path"], format!("{name}/terraform.tfstate"));
    assert!(record["Who"].as_str().unwrap().contains('@'), "{record}");
    assert!(!record["ID"].as_str().unwrap().is_empty(), "{record}");
    // Another run is refused at once, naming the holder; the lease ID is the lock ID.
    let out = skyform(p).args(["plan", "-lock-timeout=0s"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains(&format!("pid {}", first.id())), "{err}");
    assert!(first.wait().unwrap().success());
    let (state, record) = lease(&client, "terraform.tfstate");
    assert_ne!(state, Some(LeaseState::Leased));
    assert_eq!(record, None);
    assert_eq!(output_count(p), 2);
    assert_eq!(plan_code(p).0, Some(0));

    // A lock Terraform holds (its record has no skyform details): named, and force-unlock
    // with its ID (the lease ID) clears it.
    let id = "1b6f0c53-2d0c-4d6a-9a53-0c9f3b3f1e01";
    let blob = client.blob_client("terraform.tfstate");
    let options = BlobClientAcquireLeaseOptions { proposed_lease_id: Some(id.into()), ..Default::default() };
    rt().block_on(blob.acquire_lease(-1, Some(options))).unwrap();
    let record = serde_json::json!({"ID": id, "Operation": "OperationTypeApply", "Info": "", "Who": "alice@laptop", "Version": "1.9.8", "Created": "2026-01-01T00:00:00Z", "Path": format!("{name}/terraform.tfstate")});
    let metadata = [("terraformlockid".to_string(), base64::engine::general_purpose::STANDARD.encode(record.to_string()))].into();
    rt().block_on(blob.set_metadata(&metadata, Some(BlobClientSetMetadataOptions { lease_id: Some(id.into()), ..Default::default() }))).unwrap();
    let out = skyform(p).args(["plan", "-lock-timeout=0s"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains("alice@laptop") && err.contains("OperationTypeApply") && err.contains(id), "{err}");
    succeeds(p, &["force-unlock", "-force", id]);
    assert_ne!(lease(&client, "terraform.tfstate").0, Some(LeaseState::Leased));
    assert_eq!(plan_code(p).0, Some(0));
}

fn output_count(p: &Path) -> usize {
    stdout(&succeeds(p, &["state", "list"])).lines().filter(|l| !l.is_empty()).count()
}

#[test]
fn azurerm_lock_one_apply_at_a_time_and_a_killed_holder_is_taken_over() {
    let Some(endpoint) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    let (name, _) = container(&endpoint);
    let d = dir_with(&format!("{}{}", slow(3), backend(&endpoint, &name, "race/terraform.tfstate")));
    lock_race_and_kill(d.path(), false);
}

#[test]
fn azurerm_migrations_local_azurerm_local_keep_everything() {
    let Some(endpoint) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    let (name, client) = container(&endpoint);
    let d = dir_with(DATA);
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    succeeds(p, &["workspace", "new", "blue"]);
    succeeds(p, &["apply", "-auto-approve"]);
    succeeds(p, &["workspace", "select", "default"]);
    let start = lineage_serial(p);
    let azure = backend(&endpoint, &name, "mig.tfstate");
    for backend in [azure.as_str(), ""] {
        crate::test_backends::migrate_to(p, backend, &start);
        if !backend.is_empty() {
            let state: serde_json::Value = serde_json::from_slice(&download(&client, "mig.tfstate")).unwrap();
            assert_eq!((state["lineage"].as_str().unwrap(), state["serial"].as_u64().unwrap()), (start.0.as_str(), start.1));
        }
    }
}

#[test]
fn azurerm_remote_state_reads_workspaces() {
    let Some(endpoint) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    let (name, _) = container(&endpoint);
    let a = dir_with(&format!("{PRODUCER}{}", backend(&endpoint, &name, "net.tfstate")));
    succeeds(a.path(), &["apply", "-auto-approve"]);
    succeeds(a.path(), &["workspace", "new", "prod"]);
    succeeds(a.path(), &["apply", "-auto-approve"]);
    let config = |workspace: &str| {
        format!(
            r#"{{
    storage_account_name = "{ACCOUNT}"
    container_name       = "{name}"
    key                  = "net.tfstate"
    access_key           = "{KEY}"
    blob_endpoint        = "{endpoint}"
  }}
  workspace = "{workspace}""#
        )
    };
    let b = dir_with(&consumer("azurerm", &config("prod")));
    check_consumer(b.path(), "net-prod");
    let c = dir_with(&consumer("azurerm", &config("default")));
    check_consumer(c.path(), "net-default");
    // A workspace with no state is "no stored state", and reading creates nothing.
    let e = dir_with(&consumer("azurerm", &config("nope")));
    let out = skyform(e.path()).args(["plan"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("Unable to find remote state"), "{}", stderr(&out));
}

#[test]
fn azurerm_errors_name_the_container_and_snapshots_are_kept() {
    let Some(endpoint) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    // A container that does not exist: said plainly, with the state's place.
    let missing = unique("nostate");
    let d = dir_with(&format!("{DATA}{}", backend(&endpoint, &missing, "terraform.tfstate")));
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains(&format!("the container \"{missing}\" does not exist")), "{err}");
    assert!(err.contains(&format!("azurerm://{ACCOUNT}/{missing}: ")), "{err}");

    // Arguments: required ones, Terraform's that skyform does not take, a bad container name.
    let d = dir_with("terraform {\n  backend \"azurerm\" {\n    container_name = \"c-1\"\n    metadata_host = \"x\"\n  }\n}\n");
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains("\"metadata_host\" is not supported") && err.contains("main.tf:4:5"), "{err}");
    let d = dir_with("terraform {\n  backend \"azurerm\" {\n    container_name = \"c-1\"\n  }\n}\n");
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains("needs \"storage_account_name\"") && err.contains("needs \"key\""), "{err}");
    let d = dir_with(&format!("{DATA}{}", backend(&endpoint, "c-1", "k").replace("\n    key ", "\n    environment          = \"china\"\n    key ")));
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains("environment \"china\" is not supported"), "{err}");
    let d = dir_with(&format!("{DATA}{}", backend(&endpoint, "Bad_Name", "k")));
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains("\"container_name\" may contain only"), "{err}");

    // snapshot = true: the state blob is snapshotted before each write of it.
    let (name, client) = container(&endpoint);
    let block = backend(&endpoint, &name, "snap.tfstate").replace("\n    key ", "\n    snapshot             = true\n    key ");
    let d = dir_with(&format!("{DATA}{block}"));
    succeeds(d.path(), &["apply", "-auto-approve"]);
    std::fs::write(d.path().join("main.tf"), format!("{}{block}", DATA.replace("a-$", "b-$"))).unwrap();
    succeeds(d.path(), &["apply", "-auto-approve"]);
    let versions = blobs(&client, "snap.tfstate", true).iter().filter(|n| *n == "snap.tfstate").count();
    assert!(versions >= 2, "the blob and its snapshots: {versions}");
    assert_eq!(output(d.path(), "a"), "b-default");
}
