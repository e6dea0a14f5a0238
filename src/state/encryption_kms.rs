//! The `aws_kms` key provider of state encryption ([`super::encryption`]): a data key from KMS
//! `GenerateDataKey` seals the state; its encrypted copy (the ciphertext blob) is kept in the
//! envelope's metadata and turned back into the key with `Decrypt`. Credentials and region come
//! from the environment as for the AWS provider (`AWS_*`, the shared files; `AWS_ENDPOINT_URL_KMS`
//! or the key provider's `endpoint`). The state backends call it from inside the engine's
//! runtime, so each call runs on a thread of its own.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;

/// Runs one KMS call on its own thread and runtime.
#[cfg(feature = "aws")]
fn call(operation: &'static str, body: serde_json::Value, region: Option<&str>, endpoint: Option<&str>) -> Result<serde_json::Value, String> {
    let (region, endpoint) = (region.map(str::to_string), endpoint.map(str::to_string));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        rt.block_on(async {
            use crate::provider::aws::json_api::{JsonApi, KMS};
            let api = JsonApi::from_environment(region.as_deref(), endpoint.as_deref()).await;
            api.call(&KMS, operation, body).await.map_err(|e| format!("KMS {operation} failed: {e}"))
        })
    })
    .join()
    .map_err(|_| format!("KMS {operation} failed"))?
}

/// Without the AWS driver compiled in, there is no KMS client.
#[cfg(not(feature = "aws"))]
fn call(operation: &'static str, _body: serde_json::Value, _region: Option<&str>, _endpoint: Option<&str>) -> Result<serde_json::Value, String> {
    Err(format!("KMS {operation} is not available: this skyform was built without the \"aws\" cargo feature, which the aws_kms key provider needs"))
}

fn bytes(answer: &serde_json::Value, field: &str) -> Result<Vec<u8>, String> {
    let text = answer[field].as_str().ok_or_else(|| format!("KMS answered without {field}"))?;
    B64.decode(text).map_err(|e| format!("KMS answered with an unreadable {field} ({e})"))
}

/// A new data key: (the key, its encrypted copy).
pub fn generate_data_key(key_id: &str, key_spec: &str, region: Option<&str>, endpoint: Option<&str>) -> Result<(Vec<u8>, Vec<u8>), String> {
    let answer = call("GenerateDataKey", json!({"KeyId": key_id, "KeySpec": key_spec}), region, endpoint)?;
    Ok((bytes(&answer, "Plaintext")?, bytes(&answer, "CiphertextBlob")?))
}

/// The data key an encrypted copy stands for.
pub fn decrypt(key_id: &str, blob: &[u8], region: Option<&str>, endpoint: Option<&str>) -> Result<Vec<u8>, String> {
    let answer = call("Decrypt", json!({"KeyId": key_id, "CiphertextBlob": B64.encode(blob)}), region, endpoint)?;
    bytes(&answer, "Plaintext")
}
