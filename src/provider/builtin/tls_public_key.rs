//! Data source `tls_public_key` (hashicorp/tls 4.x): the public key of `private_key_pem` (RSA,
//! ECDSA P-256/P-384 or ED25519, in the encodings `tls_private_key` writes) or of
//! `private_key_openssh` (an unencrypted OpenSSH private key; for it, P-521 too): `algorithm`,
//! `public_key_pem`, `public_key_openssh`, both fingerprints, and `id` (the SHA-1 of the PKIX
//! public key in hex), as `tls_private_key` sets them.

use async_trait::async_trait;

use super::tls_private_key::{seq, set_public, tlv, TlsProvider};
use super::tls_self_signed_cert::{oid, parse_key, EC_OID, ED25519_OID, P256_OID, P384_OID, RSA_OID};
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("tls_public_key")
        .implement(&[
            "private_key_pem",
            "private_key_openssh",
            "algorithm",
            "public_key_pem",
            "public_key_openssh",
            "public_key_fingerprint_md5",
            "public_key_fingerprint_sha256",
            "id",
        ])
        .sensitive(&["private_key_pem", "private_key_openssh"])
        .build()
}

/// Reads one SSH `string` from the front of `buf`.
fn ssh_field(buf: &mut &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "failed to parse openssh private key: malformed key".to_string();
    let len = u32::from_be_bytes(buf.get(..4).ok_or_else(bad)?.try_into().map_err(|_| bad())?) as usize;
    let v = buf.get(4..4 + len).ok_or_else(bad)?.to_vec();
    *buf = &buf[4 + len..];
    Ok(v)
}

/// The SSH wire public key inside an `OPENSSH PRIVATE KEY`.
fn openssh_public(text: &str) -> Result<Vec<u8>, String> {
    let body: String = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("-----")).collect();
    if !text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
        return Err("failed to parse openssh private key: ssh: no key found".into());
    }
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).map_err(|e| format!("failed to parse openssh private key: {e}"))?;
    let mut buf = der.strip_prefix(b"openssh-key-v1\0".as_slice()).ok_or("failed to parse openssh private key: invalid openssh private key format")?;
    let cipher = ssh_field(&mut buf)?;
    if cipher != b"none" {
        return Err("failed to parse openssh private key: the key is encrypted (passphrase-protected keys are not supported)".into());
    }
    ssh_field(&mut buf)?;
    ssh_field(&mut buf)?;
    buf = buf.get(4..).ok_or("failed to parse openssh private key: malformed key")?;
    ssh_field(&mut buf)
}

/// The algorithm name and PKIX DER of an SSH wire public key.
fn pkix_of_wire(wire: &[u8]) -> Result<(&'static str, &'static str, Vec<u8>), String> {
    let mut buf = wire;
    let kind = ssh_field(&mut buf)?;
    let bits = |b: &[u8]| tlv(0x03, &[&[0u8][..], b].concat());
    match kind.as_slice() {
        b"ssh-rsa" => {
            let (e, n) = (ssh_field(&mut buf)?, ssh_field(&mut buf)?);
            let rsa = seq(&[tlv(0x02, &n), tlv(0x02, &e)]);
            Ok(("RSA", "ssh-rsa", seq(&[seq(&[oid(RSA_OID), vec![0x05, 0x00]]), bits(&rsa)])))
        }
        b"ecdsa-sha2-nistp256" | b"ecdsa-sha2-nistp384" | b"ecdsa-sha2-nistp521" => {
            let (curve, point) = (ssh_field(&mut buf)?, ssh_field(&mut buf)?);
            let (name, curve_oid) = match curve.as_slice() {
                b"nistp256" => ("ecdsa-sha2-nistp256", P256_OID),
                b"nistp384" => ("ecdsa-sha2-nistp384", P384_OID),
                _ => ("ecdsa-sha2-nistp521", "1.3.132.0.35"),
            };
            Ok(("ECDSA", name, seq(&[seq(&[oid(EC_OID), oid(curve_oid)]), bits(&point)])))
        }
        b"ssh-ed25519" => Ok(("ED25519", "ssh-ed25519", seq(&[seq(&[oid(ED25519_OID)]), bits(&ssh_field(&mut buf)?)]))),
        other => Err(format!("unsupported private key type: {}", String::from_utf8_lossy(other))),
    }
}

/// Data source `tls_public_key`.
pub struct TlsPublicKey;

#[async_trait]
impl DataSourceType<TlsProvider> for TlsPublicKey {
    fn name(&self) -> &'static str {
        "tls_public_key"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &TlsProvider, config: Value) -> ReadDataResponse {
        let mut state = schema().block.normalize(config);
        let (pem_in, ssh_in) = (attr(&state, "private_key_pem").as_str().map(str::to_string), attr(&state, "private_key_openssh").as_str().map(str::to_string));
        let result = match (pem_in, ssh_in) {
            (Some(p), None) => parse_key(&p).and_then(|(signer, algorithm)| {
                let (name, wire) = signer.ssh_wire()?;
                Ok((algorithm, name, signer.public().0, wire))
            }),
            (None, Some(o)) => openssh_public(&o).and_then(|wire| pkix_of_wire(&wire).map(|(algorithm, name, pkix)| (algorithm, name, pkix, wire))),
            _ => Err("Exactly one of private_key_pem or private_key_openssh must be set.".into()),
        };
        match result {
            Ok((algorithm, name, pkix, wire)) => {
                set(&mut state, "algorithm", Value::string(algorithm));
                set_public(&mut state, &pkix, name, &wire);
                ReadDataResponse::found(state)
            }
            Err(e) => ReadDataResponse::failed(error("Failed to read the public key", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::blank;

    #[tokio::test]
    async fn the_public_key_matches_tls_private_key_from_either_encoding() {
        let p = TlsProvider;
        for (alg, curve) in [("RSA", "P256"), ("ECDSA", "P256"), ("ECDSA", "P384"), ("ED25519", "P256")] {
            let mut cfg = blank(&super::super::tls_private_key::schema().block);
            set(&mut cfg, "algorithm", Value::string(alg));
            set(&mut cfg, "ecdsa_curve", Value::string(curve));
            set(&mut cfg, "rsa_bits", Value::Number(2048.0));
            let plan =
                p.plan(PlanRequest { type_name: "tls_private_key".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
            let key = p
                .apply(ApplyRequest {
                    operation: Default::default(),
                    type_name: "tls_private_key".into(),
                    prior_state: None,
                    planned_state: Some(plan.planned_state),
                    config: cfg,
                })
                .await
                .new_state
                .unwrap();
            for input in ["private_key_pem", "private_key_openssh"] {
                let cfg = Value::object([(input, attr(&key, input).clone())]);
                let r = p.read_data(ReadDataRequest { type_name: "tls_public_key".into(), config: cfg }).await;
                assert!(!r.diagnostics.has_errors(), "{alg} {input}: {}", r.diagnostics);
                assert_eq!(attr(&r.state, "algorithm"), &Value::string(alg));
                for out in ["public_key_pem", "public_key_openssh", "public_key_fingerprint_md5", "public_key_fingerprint_sha256", "id"] {
                    assert_eq!(attr(&r.state, out), attr(&key, out), "{alg} {input} {out}");
                }
            }
        }
        let both = Value::object([("private_key_pem", Value::string("x")), ("private_key_openssh", Value::string("y"))]);
        assert!(p.read_data(ReadDataRequest { type_name: "tls_public_key".into(), config: both }).await.diagnostics.has_errors());
        assert!(schema().block.attributes["private_key_pem"].sensitive);
    }
}
