//! `tls_cert_request` (hashicorp/tls 4.x): a PKCS#10 certificate signing request for
//! `private_key_pem` (the keys `tls_self_signed_cert` reads), with the `subject` and the
//! alternative names (`dns_names`, `ip_addresses`, `uris`, requested as an extension, critical
//! when the subject is empty), signed by the key. Every argument replaces it; `id` is the
//! SHA-1 of the request in hex; `key_algorithm` is the key's. No import, as in the provider.

use async_trait::async_trait;
use sha2::Digest;

use super::tls_private_key::{pem, seq, tlv, TlsProvider};
use super::tls_self_signed_cert::{alt_names, check, name, oid, parse_key, subject_of};
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

const ARGUMENTS: [&str; 4] = ["private_key_pem", "dns_names", "ip_addresses", "uris"];

pub fn schema() -> ResourceSchema {
    resource("tls_cert_request")
        .implement(&ARGUMENTS)
        .implement(&["subject", "cert_request_pem", "key_algorithm", "id"])
        .force_new(&ARGUMENTS)
        .sensitive(&["private_key_pem"])
        .build()
}

/// The DER request for the state's key, subject and names.
fn request(state: &Value) -> Result<(Vec<u8>, &'static str), String> {
    let (signer, algorithm) = parse_key(attr(state, "private_key_pem").as_str().unwrap_or_default())?;
    let subject = name(&subject_of(state));
    let sans = alt_names(state)?;
    let attributes = if sans.is_empty() {
        Vec::new()
    } else {
        let mut san = vec![oid("2.5.29.17")];
        if subject == seq(&[]) {
            san.push(vec![0x01, 0x01, 0xff]);
        }
        san.push(tlv(0x04, &seq(&sans)));
        // extensionRequest (PKCS#9) { Extensions }
        seq(&[oid("1.2.840.113549.1.9.14"), tlv(0x31, &seq(&[seq(&san)]))])
    };
    let info = seq(&[tlv(0x02, &[0]), subject, signer.public().0, tlv(0xa0, &attributes)]);
    let sig = signer.sign(&info)?;
    Ok((seq(&[info, signer.algorithm(), tlv(0x03, &[&[0u8][..], &sig].concat())]), algorithm))
}

/// `tls_cert_request`.
pub struct TlsCertRequest;

#[async_trait]
impl LogicalType<TlsProvider> for TlsCertRequest {
    fn name(&self) -> &'static str {
        "tls_cert_request"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TlsProvider, req: PlanRequest) -> PlanResponse {
        if let Err(e) = check(&req.proposed_new_state) {
            return PlanResponse::failed(error("Invalid tls_cert_request configuration", e));
        }
        let mut resp = PlanResponse::planned(req.proposed_new_state);
        if req.prior_state.as_ref().is_some_and(|p| attr(p, "subject") != attr(&resp.planned_state, "subject")) {
            resp.requires_replace.push(vec![PathStep::Key("subject".into())]);
        }
        resp
    }

    async fn create(&self, _c: &TlsProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        match request(&state) {
            Ok((der, algorithm)) => {
                set(&mut state, "cert_request_pem", Value::String(pem("CERTIFICATE REQUEST", &der)));
                set(&mut state, "key_algorithm", Value::string(algorithm));
                set(&mut state, "id", Value::String(hex::encode(sha1::Sha1::digest(&der))));
                ApplyResponse::ok(Some(state))
            }
            Err(e) => ApplyResponse::failed(None, error("Failed to create certificate request", e)),
        }
    }
}
