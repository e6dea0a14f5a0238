//! Shared Key authorization for Azure Storage, as an `azure_core` per-try policy.
//!
//! `azure_storage_blob` 1.x signs requests with Microsoft Entra ID tokens only; storage
//! accounts (and Azurite) also accept requests signed with the account key. This policy sets
//! `x-ms-date` and `Authorization: SharedKey ACCOUNT:SIGNATURE` on every attempt (a retry is
//! signed again with a fresh date), where the signature is the HMAC-SHA256, keyed with the
//! account key, of the string built by [`string_to_sign`] as "Authorize with Shared Key"
//! (Blob, Queue and File services, version 2009-09-19 and later) specifies.
//!
//! [`SasPolicy`] is the other account-scoped scheme: it appends a SAS token's query parameters.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use azure_core::credentials::Secret;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Request, Url};

/// Signs requests with a storage account's name and key.
#[derive(Debug)]
pub struct SharedKeyPolicy {
    account: String,
    key: Secret,
}

impl SharedKeyPolicy {
    pub fn new(account: impl Into<String>, key: impl Into<String>) -> SharedKeyPolicy {
        SharedKeyPolicy { account: account.into(), key: Secret::new(key.into()) }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl Policy for SharedKeyPolicy {
    async fn send(&self, ctx: &Context, request: &mut Request, next: &[Arc<dyn Policy>]) -> PolicyResult {
        let now = azure_core::time::to_rfc7231(&azure_core::time::OffsetDateTime::now_utc());
        request.insert_header("x-ms-date", now);
        let headers: Vec<(String, String)> = request.headers().iter().map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.as_str().to_string())).collect();
        let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).or_else(|| request.body().len()).unwrap_or(0);
        let text = string_to_sign(request.method().as_ref(), request.url(), &headers, length, &self.account);
        let signature = azure_core::hmac::hmac_sha256(&text, &self.key)?;
        request.insert_header("authorization", format!("SharedKey {}:{}", self.account, signature));
        next[0].send(ctx, request, &next[1..]).await
    }
}

/// The string a Shared Key signature covers: the verb, eleven standard headers (Content-Length
/// empty when zero, as for version 2015-02-21 and later), the canonicalized `x-ms-` headers
/// and the canonicalized resource. `headers` are (lower-case name, value) pairs.
pub fn string_to_sign(method: &str, url: &Url, headers: &[(String, String)], content_length: u64, account: &str) -> String {
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    let length = if content_length == 0 { String::new() } else { content_length.to_string() };
    let mut out = String::new();
    out.push_str(&method.to_ascii_uppercase());
    out.push('\n');
    for value in [
        header("content-encoding"),
        header("content-language"),
        &length,
        header("content-md5"),
        header("content-type"),
        header("date"),
        header("if-modified-since"),
        header("if-match"),
        header("if-none-match"),
        header("if-unmodified-since"),
        header("range"),
    ] {
        out.push_str(value);
        out.push('\n');
    }
    out.push_str(&canonicalized_headers(headers));
    out.push_str(&canonicalized_resource(url, account));
    out
}

/// Every `x-ms-` header, lower-case, sorted by name, `name:value\n` with the value trimmed and
/// inner runs of whitespace folded to one space.
pub fn canonicalized_headers(headers: &[(String, String)]) -> String {
    let mut ms: Vec<(&str, String)> =
        headers.iter().filter(|(k, _)| k.starts_with("x-ms-")).map(|(k, v)| (k.as_str(), v.split_whitespace().collect::<Vec<_>>().join(" "))).collect();
    ms.sort_by(|a, b| a.0.cmp(b.0));
    ms.iter().map(|(k, v)| format!("{k}:{v}\n")).collect()
}

/// `/ACCOUNT/PATH` (the path as sent, still percent-encoded), then each query parameter on its
/// own line as `name:value[,value...]`: names lower-case and sorted, values decoded and sorted.
pub fn canonicalized_resource(url: &Url, account: &str) -> String {
    let mut out = format!("/{account}{}", url.path());
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in url.query_pairs() {
        params.entry(k.to_ascii_lowercase()).or_default().push(v.into_owned());
    }
    for (k, mut values) in params {
        values.sort();
        out.push('\n');
        out.push_str(&k);
        out.push(':');
        out.push_str(&values.join(","));
    }
    out
}

/// Authorizes requests with a shared access signature: appends the token's query parameters
/// (those the request does not already carry).
pub struct SasPolicy {
    pairs: Vec<(String, String)>,
}

/// Names the parameters only: the signature is a secret.
impl std::fmt::Debug for SasPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SasPolicy").field("parameters", &self.pairs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()).finish()
    }
}

impl SasPolicy {
    /// From a SAS token, with or without its leading `?`.
    pub fn new(token: &str) -> SasPolicy {
        let token = token.trim_start_matches('?');
        let pairs = url_pairs(token);
        SasPolicy { pairs }
    }
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    Url::parse(&format!("http://x/?{query}")).map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()).unwrap_or_default()
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl Policy for SasPolicy {
    async fn send(&self, ctx: &Context, request: &mut Request, next: &[Arc<dyn Policy>]) -> PolicyResult {
        let present: Vec<String> = request.url().query_pairs().map(|(k, _)| k.into_owned()).collect();
        {
            let url = request.url_mut();
            let mut q = url.query_pairs_mut();
            for (k, v) in &self.pairs {
                if !present.contains(k) {
                    q.append_pair(k, v);
                }
            }
        }
        next[0].send(ctx, request, &next[1..]).await
    }
}

#[cfg(test)]
mod tests {
    //! The expected strings are the examples in Microsoft's "Authorize with Shared Key" article
    //! (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key).
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn canonicalized_resource_matches_the_documented_examples() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            canonicalized_resource(&u("https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata"), "myaccount"),
            "/myaccount/mycontainer\ncomp:metadata\nrestype:container"
        );
        assert_eq!(
            canonicalized_resource(
                &u("https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs"),
                "myaccount"
            ),
            "/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container"
        );
        assert_eq!(
            canonicalized_resource(&u("https://myaccount-secondary.blob.core.windows.net/mycontainer/myblob"), "myaccount"),
            "/myaccount/mycontainer/myblob"
        );
        // The emulator's path-style URL keeps the account in the path, so it appears twice.
        assert_eq!(
            canonicalized_resource(&u("http://127.0.0.1:10000/devstoreaccount1/c1/a%20b.txt?comp=metadata"), "devstoreaccount1"),
            "/devstoreaccount1/devstoreaccount1/c1/a%20b.txt\ncomp:metadata"
        );
    }

    #[test]
    fn canonicalized_headers_sorts_lowercases_and_folds_whitespace() {
        let headers =
            h(&[("x-ms-version", "2009-09-19"), ("content-type", "text/plain"), ("x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"), ("x-ms-meta-m", "  a   b ")]);
        assert_eq!(canonicalized_headers(&headers), "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-meta-m:a b\nx-ms-version:2009-09-19\n");
    }

    #[test]
    fn string_to_sign_matches_the_documented_example() {
        // GET of a container's metadata with a timeout, signed with x-ms-date and x-ms-version.
        let url = Url::parse("http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata&timeout=20").unwrap();
        let headers = h(&[("x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"), ("x-ms-version", "2009-09-19")]);
        let expected = "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20";
        assert_eq!(string_to_sign("GET", &url, &headers, 0, "myaccount"), expected);
    }

    #[test]
    fn string_to_sign_places_the_standard_headers_in_order() {
        let url = Url::parse("https://a.blob.core.windows.net/c/b").unwrap();
        let headers =
            h(&[("content-type", "text/plain"), ("content-md5", "MD5"), ("if-match", "\"e\""), ("range", "bytes=0-9"), ("x-ms-version", "2015-02-21")]);
        assert_eq!(string_to_sign("put", &url, &headers, 11, "a"), "PUT\n\n\n11\nMD5\ntext/plain\n\n\n\"e\"\n\n\nbytes=0-9\nx-ms-version:2015-02-21\n/a/c/b");
    }

    #[test]
    fn signature_is_hmac_sha256_of_the_string_with_the_decoded_key() {
        // Cross-checked with an independent HMAC implementation (the sha2 and base64 crates).
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD.encode(b"secret-key-bytes");
        let sig = azure_core::hmac::hmac_sha256("GET\n", &Secret::new(key)).unwrap();
        let mut inner = [0x36u8; 64];
        let mut outer = [0x5cu8; 64];
        for (i, b) in b"secret-key-bytes".iter().enumerate() {
            inner[i] ^= b;
            outer[i] ^= b;
        }
        use sha2::Digest;
        let ih = sha2::Sha256::new().chain_update(inner).chain_update(b"GET\n").finalize();
        let oh = sha2::Sha256::new().chain_update(outer).chain_update(ih).finalize();
        assert_eq!(sig, base64::engine::general_purpose::STANDARD.encode(oh));
    }

    #[test]
    fn sas_token_pairs_are_parsed_with_or_without_question_mark() {
        assert_eq!(SasPolicy::new("?sv=2022-11-02&sig=a%2Bb").pairs, vec![("sv".into(), "2022-11-02".into()), ("sig".into(), "a+b".into())]);
        assert_eq!(SasPolicy::new("sv=1").pairs, vec![("sv".to_string(), "1".to_string())]);
    }
}
