//! `examples/multi-cloud-storage` against all three emulators at once (moto, Azurite,
//! gcp-storage-emulator): the same files published to S3, Azure Blob Storage and Cloud
//! Storage in one apply; a changed file plans exactly one update per cloud.

use std::collections::BTreeSet;

use crate::common::{emulator, example, http, skyform, stdout, succeeds, unique};

#[test]
fn one_changed_file_updates_its_copy_in_all_three_clouds() {
    let (Some(moto), Some(azurite), Some(gcs)) =
        (emulator("SKYFORM_MOTO_ENDPOINT"), emulator("SKYFORM_AZURITE_BLOB_ENDPOINT"), emulator("SKYFORM_GCS_ENDPOINT"))
    else {
        return;
    };
    let dir = example("multi-cloud-storage");
    let d = dir.path();
    let name = unique("multi");
    let vars = [
        format!("-var=name={name}"),
        format!("-var=aws_endpoint={moto}"),
        format!("-var=azure_blob_endpoint={azurite}"),
        format!("-var=azure_access_key={}", crate::test_azure::KEY),
        format!("-var=gcs_endpoint={gcs}"),
    ];
    let with = |args: &[&str]| -> Vec<String> { args.iter().map(|s| s.to_string()).chain(vars.iter().cloned()).collect() };
    let run = |args: &[&str]| {
        let a = with(args);
        succeeds(d, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let out = run(&["apply", "-auto-approve"]);
    assert!(stdout(&out).contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."), "{}", stdout(&out));
    let a = with(&["plan", "-detailed-exitcode"]);
    let out = skyform(d).args(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Change one file: the saved plan updates exactly that object, once per cloud.
    std::fs::write(d.join("artifacts/manifest.json"), "{\n  \"name\": \"skyform-demo\",\n  \"version\": \"1.0.1\"\n}\n").unwrap();
    run(&["plan", "-out=tfplan"]);
    let json = stdout(&succeeds(d, &["show", "-json", "tfplan"]));
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changed: BTreeSet<(String, String)> = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"]))
        .map(|c| (c["address"].as_str().unwrap().to_string(), c["change"]["actions"].to_string()))
        .collect();
    let update = r#"["update"]"#.to_string();
    let expected: BTreeSet<(String, String)> = [
        "aws_s3_object.artifact[\"manifest.json\"]",
        "azurerm_storage_blob.artifact[\"manifest.json\"]",
        "google_storage_bucket_object.artifact[\"manifest.json\"]",
    ]
    .iter()
    .map(|a| (a.to_string(), update.clone()))
    .collect();
    assert_eq!(changed, expected);
    let out = succeeds(d, &["apply", "tfplan"]);
    assert!(stdout(&out).contains("Resources: 0 added, 3 changed, 0 destroyed."), "{}", stdout(&out));
    let a = with(&["plan", "-detailed-exitcode", "-no-color"]);
    let out = skyform(d).args(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // The new bytes are in each cloud (read with each one's own API, not through skyform).
    let want = std::fs::read(d.join("artifacts/manifest.json")).unwrap();
    assert_eq!(http("GET", &format!("{gcs}b/{name}/o/manifest.json?alt=media"), &[], vec![]), (200, want.clone()));
    let rt = crate::common::rt();
    let s3 = rt.block_on(crate::test_aws::sdk(&moto));
    let got = rt.block_on(async { s3.get_object().bucket(&name).key("manifest.json").send().await.unwrap().body.collect().await.unwrap().into_bytes() });
    assert_eq!(got.to_vec(), want);
    let blob = crate::test_azure::sdk(&azurite, &name).blob_client("manifest.json");
    let mut buf = vec![0u8; 4096];
    let got = rt.block_on(blob.download_into(&mut buf, None)).unwrap();
    assert_eq!(&buf[..got.len], &want[..]);

    let out = run(&["destroy", "-auto-approve"]);
    assert!(stdout(&out).contains("Destroy complete! Resources: 12 destroyed."), "{}", stdout(&out));
}

/// Object names with spaces, reserved URL characters and non-ASCII letters survive signing,
/// encoding and the bulk refresh (4 objects: the list path) in Azure and Cloud Storage.
#[test]
fn odd_object_names_round_trip_in_azure_and_gcs() {
    let (Some(azurite), Some(gcs)) = (emulator("SKYFORM_AZURITE_BLOB_ENDPOINT"), emulator("SKYFORM_GCS_ENDPOINT")) else {
        return;
    };
    let name = unique("odd");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = format!(
        r#"provider "azurerm" {{
  features {{}}
  access_key    = "{key}"
  blob_endpoint = "{azurite}"
}}

provider "google" {{
  project                 = "skyform-test"
  storage_custom_endpoint = "{gcs}"
}}

locals {{
  names = ["a b (1).txt", "x+y=z;w@v!.txt", "dir/ü ñ.txt", "q?&#%.txt"]
}}

resource "azurerm_storage_container" "c" {{
  name                 = "{name}"
  storage_account_name = "devstoreaccount1"
}}

resource "azurerm_storage_blob" "f" {{
  for_each               = toset(local.names)
  name                   = each.value
  storage_account_name   = "devstoreaccount1"
  storage_container_name = azurerm_storage_container.c.name
  type                   = "Block"
  source_content         = each.value
}}

resource "google_storage_bucket" "b" {{
  name          = "{name}"
  location      = "US"
  force_destroy = true
}}

resource "google_storage_bucket_object" "o" {{
  for_each = toset(local.names)
  name     = each.value
  bucket   = google_storage_bucket.b.name
  content  = each.value
}}
"#,
        key = crate::test_azure::KEY
    );
    std::fs::write(d.join("main.tf"), config).unwrap();
    let out = succeeds(d, &["apply", "-auto-approve"]);
    assert!(stdout(&out).contains("Resources: 10 added"), "{}", stdout(&out));
    let out = skyform(d).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let rt = crate::common::rt();
    let mut buf = vec![0u8; 64];
    let got = rt.block_on(crate::test_azure::sdk(&azurite, &name).blob_client("dir/ü ñ.txt").download_into(&mut buf, None)).unwrap();
    assert_eq!(&buf[..got.len], "dir/ü ñ.txt".as_bytes());
    let out = succeeds(d, &["destroy", "-auto-approve"]);
    assert!(stdout(&out).contains("Resources: 10 destroyed"), "{}", stdout(&out));
}
