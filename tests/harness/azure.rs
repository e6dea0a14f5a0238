//! Azure cases, against Azurite: storage containers and blobs. Results are checked over plain
//! HTTP (anonymous reads of public containers) or with the `azure_storage_blob` SDK.

use std::collections::HashMap;
use std::path::Path;

use azure_storage_blob::models::{BlobClientGetPropertiesResultHeaders, BlobContainerClientGetPropertiesResultHeaders};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{http, rt, unique};
use crate::test_azure::{hex_bytes, md5_hex, provider_block, sdk, upload, ACCOUNT};

const AZURITE: &str = "SKYFORM_AZURITE_BLOB_ENDPOINT";

#[test]
fn azurerm_storage_container() {
    run("azurerm_storage_container", AZURITE, container);
}

#[test]
fn azurerm_storage_blob() {
    run("azurerm_storage_blob", AZURITE, blob);
}

/// A container's metadata, `None` when it does not exist.
fn container_metadata(endpoint: &str, name: &str) -> Option<HashMap<String, String>> {
    rt().block_on(sdk(endpoint, name).get_properties(None)).ok()?.metadata().ok()
}

fn container_exists(endpoint: &str, name: &str) -> bool {
    rt().block_on(sdk(endpoint, name).exists()).unwrap()
}

/// The output `url` of the state.
fn output_url(s: &State) -> String {
    s.outputs.get("url").and_then(|o| o.value.as_str()).expect("output url").to_string()
}

fn container(endpoint: &str, _dir: &Path) -> Case {
    const C: &str = "azurerm_storage_container.c";
    const INLINE: &str = "azurerm_storage_blob.inline";
    let (first, renamed) = (unique("az"), unique("az-renamed"));
    // dev: public blobs and two metadata keys; prod: the defaults (private) and one key.
    let config = |name: &str, env: &str| {
        let (access, metadata) =
            if env == "dev" { ("container_access_type = \"blob\"", "{ env = \"dev\", team = \"a\" }") } else { ("", "{ env = \"prod\" }") };
        format!(
            r#"{}
resource "azurerm_storage_container" "c" {{
  name                 = "{name}"
  storage_account_name = "{ACCOUNT}"
  metadata             = {metadata}
  {access}
}}

resource "azurerm_storage_blob" "inline" {{
  name                   = "inline.json"
  storage_account_name   = "{ACCOUNT}"
  storage_container_name = azurerm_storage_container.c.name
  type                   = "Block"
  source_content         = jsonencode({{ env = "dev" }})
  content_type           = "application/json"
}}

output "url" {{
  value = azurerm_storage_blob.inline.url
}}
"#,
            provider_block(endpoint)
        )
    };
    let prod = |s: &State, e: &str| {
        let meta = container_metadata(e, &attr(s, C, "name")).expect("the container exists");
        assert_eq!((meta.get("env").map(String::as_str), meta.contains_key("team")), (Some("prod"), false), "container metadata");
    };
    let old = first.clone();
    Case {
        create: Step::new(config(&first, "dev"), &[(C, Create), (INLINE, Create)]).check(|s, e| {
            // Really there: read anonymously (public container), not through skyform.
            let url = format!("{e}/{}/inline.json", attr(s, C, "name"));
            assert_eq!(http("GET", &url, &[], vec![]), (200, br#"{"env":"dev"}"#.to_vec()));
            assert_eq!(output_url(s), url);
        }),
        // Metadata changed and the access type back to its default (private).
        update: Step::new(config(&first, "prod"), &[(C, Update)])
            .shows("~ container_access_type = \"blob\" -> \"private\"")
            .check(|s, e| {
                // Azure answers 404 to an anonymous read of a private container, Azurite 403.
                let url = format!("{e}/{}/inline.json", attr(s, C, "name"));
                assert!(matches!(http("GET", &url, &[], vec![]).0, 403 | 404), "the container is private now");
            })
            .check(prod),
        replace: Step::new(config(&renamed, "prod"), &[(C, DeleteThenCreate), (INLINE, DeleteThenCreate)]).check(move |s, e| {
            assert!(container_exists(e, &attr(s, C, "name")) && !container_exists(e, &old), "the container must be replaced");
        }),
        // The container's metadata edited outside skyform.
        drift: Some(
            Step::new(config(&renamed, "prod"), &[(C, Update)])
                .outside(|s, e| {
                    let edited: HashMap<String, String> = [("env".to_string(), "hacked".to_string())].into();
                    rt().block_on(sdk(e, &attr(s, C, "name")).set_metadata(&edited, None)).unwrap();
                })
                .shows("\"hacked\" -> \"prod\"")
                .check(prod),
        ),
        import: Import { address: C, id: Box::new(|s, e| format!("{e}/{}", attr(s, C, "name"))), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| container_exists(e, &attr(s, C, "name"))),
    }
}

fn blob(endpoint: &str, dir: &Path) -> Case {
    const A: &str = "azurerm_storage_blob.f[\"a.txt\"]";
    const B: &str = "azurerm_storage_blob.f[\"b.txt\"]";
    const INLINE: &str = "azurerm_storage_blob.inline";
    let (container, dir) = (unique("azblob"), dir.display());
    let config = |prefix: &str, env: &str| {
        format!(
            r#"{}
resource "azurerm_storage_container" "c" {{
  name                  = "{container}"
  storage_account_name  = "{ACCOUNT}"
  container_access_type = "blob"
}}

resource "azurerm_storage_blob" "f" {{
  for_each               = fileset("${{path.module}}/files", "*")
  name                   = "{prefix}${{each.value}}"
  storage_account_name   = "{ACCOUNT}"
  storage_container_name = azurerm_storage_container.c.name
  type                   = "Block"
  source                 = "{dir}/files/${{each.value}}"
  content_type           = "text/plain"
  metadata               = {{ env = "{env}" }}
}}

resource "azurerm_storage_blob" "inline" {{
  name                   = "inline.json"
  storage_account_name   = "{ACCOUNT}"
  storage_container_name = azurerm_storage_container.c.name
  type                   = "Block"
  source_content         = jsonencode({{ env = "{env}" }})
  content_type           = "application/json"
}}

output "url" {{
  value = azurerm_storage_blob.inline.url
}}
"#,
            provider_block(endpoint)
        )
    };
    // An anonymous read of blob `a.txt` (public blobs) gives `want`.
    let a_reads = |want: &'static str| {
        move |s: &State, e: &str| {
            assert_eq!(
                http("GET", &format!("{e}/{}/{}", attr(s, A, "storage_container_name"), attr(s, A, "name")), &[], vec![]),
                (200, want.as_bytes().to_vec())
            )
        }
    };
    Case {
        create: Step::new(config("files/", "dev"), &[("azurerm_storage_container.c", Create), (A, Create), (B, Create), (INLINE, Create)])
            .file("files/a.txt", "alpha\n")
            .file("files/b.txt", "beta\n")
            .check(a_reads("alpha\n"))
            .check(|s, e| {
                let url = format!("{e}/{}/inline.json", attr(s, "azurerm_storage_container.c", "name"));
                assert_eq!(http("GET", &url, &[], vec![]).1, br#"{"env":"dev"}"#.to_vec());
                assert_eq!(output_url(s), url);
            }),
        // A local edit and new metadata.
        update: Step::new(config("files/", "prod"), &[(A, Update), (B, Update), (INLINE, Update)])
            .file("files/a.txt", "alpha 2\n")
            .check(a_reads("alpha 2\n"))
            .check(|s, e| {
                let client = sdk(e, &attr(s, A, "storage_container_name"));
                let props = rt().block_on(client.blob_client(&attr(s, A, "name")).get_properties(None)).unwrap();
                assert_eq!(props.metadata().unwrap().get("env").map(String::as_str), Some("prod"));
                assert_eq!(props.content_md5().unwrap(), Some(hex_bytes(&md5_hex(b"alpha 2\n"))));
            }),
        replace: Step::new(config("data/", "prod"), &[(A, DeleteThenCreate), (B, DeleteThenCreate)]).check(a_reads("alpha 2\n")).check(|s, e| {
            let old = format!("{e}/{}/files/a.txt", attr(s, A, "storage_container_name"));
            assert_eq!(http("GET", &old, &[], vec![]).0, 404, "the old blob must be gone");
        }),
        // One blob overwritten and one deleted outside skyform.
        drift: Some(
            Step::new(config("data/", "prod"), &[(A, Update), (B, Create)])
                .outside(|s, e| {
                    let client = sdk(e, &attr(s, A, "storage_container_name"));
                    upload(&client, &attr(s, A, "name"), "edited elsewhere");
                    rt().block_on(client.blob_client(&attr(s, B, "name")).delete(None)).unwrap();
                })
                .shows("Plan: 1 to add, 1 to change, 0 to destroy.")
                .check(a_reads("alpha 2\n")),
        ),
        // The blob's `source` is what the state cannot know, as in Terraform.
        import: Import { address: A, id: Box::new(|s, _| attr(s, A, "url")), differs: vec!["source"], shows: vec!["+ source = ".into()] },
        exists: Box::new(|s, e| rt().block_on(sdk(e, &attr(s, A, "storage_container_name")).blob_client(&attr(s, A, "name")).get_properties(None)).is_ok()),
    }
}
