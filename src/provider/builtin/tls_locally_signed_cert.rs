//! `tls_locally_signed_cert` (hashicorp/tls 4.x): a certificate for the subject, key and
//! alternative names of `cert_request_pem`, issued by the CA of `ca_cert_pem` and signed with
//! `ca_private_key_pem` (which must be that CA's key), with the same validity, usages, serial,
//! renewal and extensions as `tls_self_signed_cert` (`sign_cert`); the authority key id is the
//! CA's subject key id when it has one, as Go's `x509.CreateCertificate` sets it. Every argument
//! but `early_renewal_hours` replaces it; `ca_key_algorithm` is the CA key's algorithm.

use async_trait::async_trait;
use chrono::Utc;

use super::tls_private_key::TlsProvider;
use super::tls_self_signed_cert::{create_cert, next, oid, parse_key, plan_cert, read_cert, sign_cert, Authority, Spec};
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const FORCE_NEW: [&str; 7] =
    ["cert_request_pem", "ca_cert_pem", "ca_private_key_pem", "validity_period_hours", "allowed_uses", "is_ca_certificate", "set_subject_key_id"];

pub fn schema() -> ResourceSchema {
    resource("tls_locally_signed_cert")
        .implement(&FORCE_NEW)
        .implement(&["early_renewal_hours", "cert_pem", "ca_key_algorithm", "ready_for_renewal", "validity_start_time", "validity_end_time", "id"])
        .force_new(&FORCE_NEW)
        .sensitive(&["ca_private_key_pem"])
        .build()
}

/// The DER inside a PEM block with this label.
fn pem_der(text: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let start = text.find(&begin).ok_or_else(|| format!("failed to decode PEM block: no {label}"))? + begin.len();
    let end = text[start..].find("-----END").ok_or("failed to decode PEM block")? + start;
    let b64: String = text[start..end].split_whitespace().collect();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).map_err(|e| format!("failed to decode PEM block: {e}"))
}

/// The whole DER element at the front of `buf` and the bytes after it.
fn element(buf: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (_, _, rest) = next(buf)?;
    Ok((&buf[..buf.len() - rest.len()], rest))
}

/// Calls `f` with the value (the OCTET STRING's content) of each extension with the OID `id`
/// in `exts`, the content of an `Extensions` SEQUENCE; a critical flag is passed over.
fn each_extension(mut exts: &[u8], id: &str, mut f: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    while !exts.is_empty() {
        let (_, ext, after) = next(exts)?;
        exts = after;
        let (ext_oid, mut rest) = element(ext)?;
        if ext_oid != oid(id).as_slice() {
            continue;
        }
        if rest.first() == Some(&0x01) {
            rest = element(rest)?.1;
        }
        let (_, value, _) = next(rest)?;
        f(value)?;
    }
    Ok(())
}

/// A request's subject, public key and requested alternative names (DER).
struct Request {
    subject: Vec<u8>,
    spki: Vec<u8>,
    sans: Vec<Vec<u8>>,
}

/// A CA certificate's subject, public key and subject key id (DER).
struct Ca {
    subject: Vec<u8>,
    spki: Vec<u8>,
    skid: Option<Vec<u8>>,
}

fn parse_request(text: &str) -> Result<Request, String> {
    let der = pem_der(text, "CERTIFICATE REQUEST")?;
    let (_, body, _) = next(&der)?;
    let (_, info, _) = next(body)?;
    let (_, _, rest) = next(info)?; // version
    let (subject, rest) = element(rest)?;
    let (spki, rest) = element(rest)?;
    let mut sans = Vec::new();
    if let Ok((0xa0, mut attrs, _)) = next(rest) {
        while !attrs.is_empty() {
            let (_, attribute, after) = next(attrs)?;
            attrs = after;
            let (attr_oid, values) = element(attribute)?;
            if attr_oid != oid("1.2.840.113549.1.9.14").as_slice() {
                continue;
            }
            let (_, set_body, _) = next(values)?;
            let (_, exts, _) = next(set_body)?;
            each_extension(exts, "2.5.29.17", |value| {
                let (_, mut names, _) = next(value)?;
                while !names.is_empty() {
                    let (n, after) = element(names)?;
                    sans.push(n.to_vec());
                    names = after;
                }
                Ok(())
            })?;
        }
    }
    Ok(Request { subject: subject.to_vec(), spki: spki.to_vec(), sans })
}

fn parse_ca(text: &str) -> Result<Ca, String> {
    let der = pem_der(text, "CERTIFICATE")?;
    let (_, body, _) = next(&der)?;
    let (_, tbs, _) = next(body)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.1; // version
    }
    let rest = element(rest)?.1; // serial
    let rest = element(rest)?.1; // signature algorithm
    let rest = element(rest)?.1; // issuer
    let rest = element(rest)?.1; // validity
    let (subject, rest) = element(rest)?;
    let (spki, mut rest) = element(rest)?;
    let mut skid = None;
    while !rest.is_empty() {
        let (tag, content, after) = next(rest)?;
        rest = after;
        if tag != 0xa3 {
            continue;
        }
        let (_, exts, _) = next(content)?;
        each_extension(exts, "2.5.29.14", |value| {
            skid = Some(next(value)?.1.to_vec());
            Ok(())
        })?;
    }
    Ok(Ca { subject: subject.to_vec(), spki: spki.to_vec(), skid })
}

fn issue(state: &mut Value) -> Result<(), String> {
    let text = |n: &str| attr(state, n).as_str().unwrap_or_default().to_string();
    let req = parse_request(&text("cert_request_pem")).map_err(|e| format!("failed to parse cert_request_pem: {e}"))?;
    let ca = parse_ca(&text("ca_cert_pem")).map_err(|e| format!("failed to parse ca_cert_pem: {e}"))?;
    let (signer, ca_algorithm) = parse_key(&text("ca_private_key_pem"))?;
    if signer.public().0 != ca.spki {
        return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
    }
    let spec = Spec { subject: req.subject, issuer: ca.subject, spki: req.spki, sans: req.sans, authority: Authority::Issuer(ca.skid) };
    sign_cert(state, spec, &signer, Utc::now())?;
    set(state, "ca_key_algorithm", Value::string(ca_algorithm));
    Ok(())
}

/// `tls_locally_signed_cert`.
pub struct TlsLocallySignedCert;

#[async_trait]
impl ResourceType<TlsProvider> for TlsLocallySignedCert {
    fn name(&self) -> &'static str {
        "tls_locally_signed_cert"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TlsProvider, req: PlanRequest) -> PlanResponse {
        let pairs = [("early_renewal_hours", Value::Number(0.0)), ("is_ca_certificate", Value::Bool(false)), ("set_subject_key_id", Value::Bool(false))];
        plan_cert("tls_locally_signed_cert", req, &pairs, &[])
    }

    async fn read(&self, _c: &TlsProvider, prior: Value) -> ReadResponse {
        read_cert(prior)
    }

    async fn create(&self, _c: &TlsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        create_cert(planned, issue)
    }

    async fn update(&self, _c: &TlsProvider, _prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::ok(Some(planned))
    }

    async fn delete(&self, _c: &TlsProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }

    async fn import(&self, _c: &TlsProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "tls_locally_signed_cert cannot be imported, as in the tls provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::blank;

    async fn create(p: &TlsProvider, type_name: &str, block: &BlockSchema, pairs: Vec<(&str, Value)>) -> Result<Value, String> {
        let mut cfg = block.normalize(blank(block));
        for (k, v) in pairs {
            set(&mut cfg, k, v);
        }
        let plan = p.plan(PlanRequest { type_name: type_name.into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        if plan.diagnostics.has_errors() {
            return Err(plan.diagnostics.to_string());
        }
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: type_name.into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await;
        r.new_state.ok_or_else(|| r.diagnostics.to_string())
    }

    fn text(v: &Value, n: &str) -> Value {
        attr(v, n).clone()
    }

    #[tokio::test]
    async fn a_ca_signs_a_request_and_openssl_verifies_the_chain() {
        let p = TlsProvider;
        let key_schema = super::super::tls_private_key::schema().block;
        let key = |alg: &'static str| {
            let ks = key_schema.clone();
            let p = &p;
            async move { create(p, "tls_private_key", &ks, vec![("algorithm", Value::string(alg)), ("ecdsa_curve", Value::string("P256"))]).await.unwrap() }
        };
        let (ca_key, leaf_key) = (key("ECDSA").await, key("ED25519").await);
        let subject = |cn: &str| Value::List(vec![Value::object([("common_name", Value::string(cn))])]);
        let ca = create(
            &p,
            "tls_self_signed_cert",
            &super::super::tls_self_signed_cert::schema().block,
            vec![
                ("private_key_pem", text(&ca_key, "private_key_pem")),
                ("validity_period_hours", Value::Number(24.0)),
                ("allowed_uses", Value::List(vec![Value::string("cert_signing")])),
                ("is_ca_certificate", Value::Bool(true)),
                ("subject", subject("Test CA")),
            ],
        )
        .await
        .unwrap();
        let csr = create(
            &p,
            "tls_cert_request",
            &super::super::tls_cert_request::schema().block,
            vec![
                ("private_key_pem", text(&leaf_key, "private_key_pem")),
                ("dns_names", Value::List(vec![Value::string("app.example.com")])),
                ("subject", subject("app")),
            ],
        )
        .await
        .unwrap();
        assert_eq!(attr(&csr, "key_algorithm"), &Value::string("ED25519"));
        // The arguments signing the request with a CA key, for these uses.
        let signing = |ca_private_key_pem: Value, uses: Vec<Value>| {
            vec![
                ("cert_request_pem", text(&csr, "cert_request_pem")),
                ("ca_cert_pem", text(&ca, "cert_pem")),
                ("ca_private_key_pem", ca_private_key_pem),
                ("validity_period_hours", Value::Number(12.0)),
                ("allowed_uses", Value::List(uses)),
            ]
        };
        let uses = vec![Value::string("digital_signature"), Value::string("server_auth")];
        let cert = create(&p, "tls_locally_signed_cert", &schema().block, signing(text(&ca_key, "private_key_pem"), uses)).await.unwrap();
        assert_eq!(attr(&cert, "ca_key_algorithm"), &Value::string("ECDSA"));
        let dir = tempfile::tempdir().unwrap();
        let (ca_path, leaf_path, csr_path) = (dir.path().join("ca.pem"), dir.path().join("leaf.pem"), dir.path().join("req.pem"));
        std::fs::write(&ca_path, attr(&ca, "cert_pem").as_str().unwrap()).unwrap();
        std::fs::write(&leaf_path, attr(&cert, "cert_pem").as_str().unwrap()).unwrap();
        std::fs::write(&csr_path, attr(&csr, "cert_request_pem").as_str().unwrap()).unwrap();
        if let Ok(out) = std::process::Command::new("openssl").args(["verify", "-CAfile"]).arg(&ca_path).arg(&leaf_path).output() {
            assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let out = std::process::Command::new("openssl").args(["req", "-noout", "-verify", "-in"]).arg(&csr_path).output().unwrap();
            assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let out = std::process::Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(&leaf_path).output().unwrap();
            let t = String::from_utf8_lossy(&out.stdout);
            assert!(
                t.contains("DNS:app.example.com") && t.contains("Authority Key Identifier") && (t.contains("CN=Test CA") || t.contains("CN = Test CA")),
                "{t}"
            );
        }
        // The wrong CA key is refused.
        let wrong = create(&p, "tls_locally_signed_cert", &schema().block, signing(text(&leaf_key, "private_key_pem"), vec![])).await;
        assert!(wrong.unwrap_err().contains("doesn't match"));
    }
}
