//! `tls_private_key` (hashicorp/tls 4.x): a key pair generated at create and kept in state
//! (every argument replaces it; no import, as in the provider). `RSA` (`rsa_bits`, default
//! 2048), `ECDSA` with `ecdsa_curve` `P256` or `P384`, and `ED25519`. The provider's default
//! curve `P224` and `P521` are refused with an error at plan: skyform's crypto (ring) has
//! neither. Encodings as the provider writes them: `private_key_pem` (PKCS#1 for RSA, SEC1 for
//! ECDSA, PKCS#8 for ED25519), `private_key_pem_pkcs8`, `private_key_openssh` (all three
//! sensitive), `public_key_pem` (PKIX), `public_key_openssh` (authorized_keys line with its
//! newline) and its MD5 and SHA256 fingerprints; `id` is the SHA-1 of the PKIX public key in hex.
//! Also the `tls` provider's client, its registration list, and the DER, PEM and SSH wire
//! encoders.

use async_trait::async_trait;
use base64::Engine as _;
use ring::rand::SecureRandom as _;
use ring::signature::KeyPair as _;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use sha2::Digest;

use crate::provider::helpers::{attr, defaults, error, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The `tls` provider's client: nothing to configure (its `proxy` block is for the
/// `tls_certificate` data source, not implemented).
#[derive(Default)]
pub struct TlsProvider;

impl Dispatch for TlsProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<TlsProvider>> = std::sync::OnceLock::new();
        use super::{
            tls_cert_request::TlsCertRequest, tls_locally_signed_cert::TlsLocallySignedCert, tls_public_key::TlsPublicKey,
            tls_self_signed_cert::TlsSelfSignedCert,
        };
        table(&TYPES, || Types::new(&[&TlsPrivateKey, &TlsSelfSignedCert, &TlsCertRequest, &TlsLocallySignedCert], &[&TlsPublicKey]))
    }
}

/// The `tls` provider's factory.
pub fn factory() -> SimpleFactory<TlsProvider> {
    SimpleFactory::new("tls")
}

const COMPUTED: [&str; 8] = [
    "private_key_pem",
    "private_key_pem_pkcs8",
    "private_key_openssh",
    "public_key_pem",
    "public_key_openssh",
    "public_key_fingerprint_md5",
    "public_key_fingerprint_sha256",
    "id",
];

pub fn schema() -> ResourceSchema {
    resource("tls_private_key")
        .implement(&["algorithm", "rsa_bits", "ecdsa_curve"])
        .implement(&COMPUTED)
        .force_new(&["algorithm", "rsa_bits", "ecdsa_curve"])
        .sensitive(&["private_key_pem", "private_key_pem_pkcs8", "private_key_openssh"])
        .version(1)
        .build()
}

// ---- DER, PEM and SSH wire encoding -------------------------------------------------------

/// One DER element.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A DER element's tag, content and the bytes after it.
fn read_tlv(buf: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = buf.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let k = (first & 0x7f) as usize;
        let len = rest.get(..k)?.iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[k..])
    };
    Some((tag, rest.get(..len)?, &rest[len..]))
}

/// PEM text as Go's `pem.EncodeToMemory` writes it (64-column lines, final newline).
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub fn ssh_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend((s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// An SSH `mpint` from big-endian unsigned bytes.
pub fn ssh_mpint(out: &mut Vec<u8>, be: &[u8]) {
    let trimmed: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend(trimmed);
    ssh_string(out, &v);
}

const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

/// A generated key: the encodings the state needs.
pub struct Key {
    /// `private_key_pem`'s label and DER.
    pub private: (&'static str, Vec<u8>),
    pub pkcs8: Vec<u8>,
    pub pkix: Vec<u8>,
    /// The SSH wire form of the public key and its type name.
    pub ssh_public: (&'static str, Vec<u8>),
    /// The key-specific part of the OpenSSH private key section.
    pub ssh_private: Vec<u8>,
}

/// ECDSA curves skyform generates: name, ring algorithm, DER OID, SSH names, scalar size.
struct Curve {
    alg: &'static ring::signature::EcdsaSigningAlgorithm,
    oid: &'static [u8],
    ssh: &'static str,
    ssh_curve: &'static str,
}

fn curve(name: &str) -> Result<Curve, String> {
    match name {
        "P256" => Ok(Curve { alg: &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING, oid: OID_P256, ssh: "ecdsa-sha2-nistp256", ssh_curve: "nistp256" }),
        "P384" => Ok(Curve { alg: &ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING, oid: OID_P384, ssh: "ecdsa-sha2-nistp384", ssh_curve: "nistp384" }),
        "P224" | "P521" => {
            Err(format!("ecdsa_curve \"{name}\" is not implemented by skyform yet (the provider's default is P224): set ecdsa_curve = \"P256\" or \"P384\"."))
        }
        other => Err(format!("ecdsa_curve must be one of \"P224\", \"P256\", \"P384\" or \"P521\", not {other:?}.")),
    }
}

fn ecdsa(name: &str) -> Result<Key, String> {
    let c = curve(name)?;
    let rng = ring::rand::SystemRandom::new();
    let doc = ring::signature::EcdsaKeyPair::generate_pkcs8(c.alg, &rng).map_err(|_| "failed to generate an ECDSA key".to_string())?;
    let pair = ring::signature::EcdsaKeyPair::from_pkcs8(c.alg, doc.as_ref(), &rng).map_err(|e| format!("failed to read the generated key: {e}"))?;
    let point = pair.public_key().as_ref().to_vec();
    // PrivateKeyInfo { version, algorithm, OCTET STRING { ECPrivateKey { version, OCTET STRING d, .. } } }
    let d = (|| {
        let (_, info, _) = read_tlv(doc.as_ref())?;
        let (_, _, rest) = read_tlv(info)?;
        let (_, _, rest) = read_tlv(rest)?;
        let (_, inner, _) = read_tlv(rest)?;
        let (_, ec, _) = read_tlv(inner)?;
        let (_, _, rest) = read_tlv(ec)?;
        let (tag, d, _) = read_tlv(rest)?;
        (tag == 0x04).then(|| d.to_vec())
    })()
    .ok_or("failed to read the generated ECDSA key")?;
    let alg_id = seq(&[OID_EC_PUBLIC_KEY.to_vec(), c.oid.to_vec()]);
    let bits = [&[0u8][..], &point].concat();
    let sec1 = seq(&[tlv(0x02, &[1]), tlv(0x04, &d), tlv(0xa0, c.oid), tlv(0xa1, &tlv(0x03, &bits))]);
    let sec1_inner = seq(&[tlv(0x02, &[1]), tlv(0x04, &d), tlv(0xa1, &tlv(0x03, &bits))]);
    let mut wire = Vec::new();
    ssh_string(&mut wire, c.ssh.as_bytes());
    ssh_string(&mut wire, c.ssh_curve.as_bytes());
    ssh_string(&mut wire, &point);
    let mut private = wire.clone();
    ssh_mpint(&mut private, &d);
    Ok(Key {
        private: ("EC PRIVATE KEY", sec1),
        pkcs8: seq(&[tlv(0x02, &[0]), alg_id.clone(), tlv(0x04, &sec1_inner)]),
        pkix: seq(&[alg_id, tlv(0x03, &bits)]),
        ssh_public: (c.ssh, wire),
        ssh_private: private,
    })
}

fn ed25519() -> Result<Key, String> {
    let mut seed = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut seed).map_err(|_| "failed to generate ED25519 key".to_string())?;
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|e| format!("failed to generate ED25519 key: {e}"))?;
    let public = pair.public_key().as_ref().to_vec();
    let pkcs8 = seq(&[tlv(0x02, &[0]), seq(&[OID_ED25519.to_vec()]), tlv(0x04, &tlv(0x04, &seed))]);
    let mut wire = Vec::new();
    ssh_string(&mut wire, b"ssh-ed25519");
    ssh_string(&mut wire, &public);
    let mut private = wire.clone();
    ssh_string(&mut private, &[&seed[..], &public].concat());
    Ok(Key {
        private: ("PRIVATE KEY", pkcs8.clone()),
        pkcs8,
        pkix: seq(&[seq(&[OID_ED25519.to_vec()]), tlv(0x03, &[&[0u8][..], &public].concat())]),
        ssh_public: ("ssh-ed25519", wire),
        ssh_private: private,
    })
}

fn rsa_key(bits: usize) -> Result<Key, String> {
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
    let k = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).map_err(|e| format!("failed to generate an RSA key: {e}"))?;
    let der = |r: Result<Vec<u8>, String>| r;
    let pkcs1 = der(k.to_pkcs1_der().map(|d| d.as_bytes().to_vec()).map_err(|e| e.to_string()))?;
    let pkcs8 = der(k.to_pkcs8_der().map(|d| d.as_bytes().to_vec()).map_err(|e| e.to_string()))?;
    let pkix = der(k.to_public_key().to_public_key_der().map(|d| d.as_bytes().to_vec()).map_err(|e| e.to_string()))?;
    let (n, e) = (k.n().to_bytes_be(), k.e().to_bytes_be());
    let mut wire = Vec::new();
    ssh_string(&mut wire, b"ssh-rsa");
    ssh_mpint(&mut wire, &e);
    ssh_mpint(&mut wire, &n);
    let mut private = Vec::new();
    ssh_string(&mut private, b"ssh-rsa");
    ssh_mpint(&mut private, &n);
    ssh_mpint(&mut private, &e);
    ssh_mpint(&mut private, &k.d().to_bytes_be());
    ssh_mpint(&mut private, &k.crt_coefficient().map(|c| c.to_bytes_be()).unwrap_or_default());
    ssh_mpint(&mut private, &k.primes()[0].to_bytes_be());
    ssh_mpint(&mut private, &k.primes()[1].to_bytes_be());
    Ok(Key { private: ("RSA PRIVATE KEY", pkcs1), pkcs8, pkix, ssh_public: ("ssh-rsa", wire), ssh_private: private })
}

/// The OpenSSH private key file (`openssh-key-v1`, unencrypted, empty comment).
fn openssh_private(k: &Key) -> String {
    let mut check = [0u8; 4];
    let _ = ring::rand::SystemRandom::new().fill(&mut check);
    let mut section = Vec::new();
    section.extend(check);
    section.extend(check);
    section.extend(&k.ssh_private);
    ssh_string(&mut section, b"");
    let mut pad = 1u8;
    while !section.len().is_multiple_of(8) {
        section.push(pad);
        pad += 1;
    }
    let mut out = b"openssh-key-v1\0".to_vec();
    ssh_string(&mut out, b"none");
    ssh_string(&mut out, b"none");
    ssh_string(&mut out, b"");
    out.extend(1u32.to_be_bytes());
    ssh_string(&mut out, &k.ssh_public.1);
    ssh_string(&mut out, &section);
    pem("OPENSSH PRIVATE KEY", &out)
}

/// Sets every computed attribute of the key on `state`.
pub fn set_key(state: &mut Value, k: &Key) {
    set(state, "private_key_pem", Value::String(pem(k.private.0, &k.private.1)));
    set(state, "private_key_pem_pkcs8", Value::String(pem("PRIVATE KEY", &k.pkcs8)));
    set(state, "private_key_openssh", Value::String(openssh_private(k)));
    set_public(state, &k.pkix, k.ssh_public.0, &k.ssh_public.1);
}

/// Sets the public key's attributes (`public_key_pem`, `public_key_openssh`, both
/// fingerprints, `id`) from its PKIX DER and SSH wire form, as the provider does for
/// `tls_private_key` and data `tls_public_key`.
pub fn set_public(state: &mut Value, pkix: &[u8], ssh_type: &str, wire: &[u8]) {
    let md5 = md5::Md5::digest(wire).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":");
    let sha = format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha2::Sha256::digest(wire)));
    let values = [
        ("public_key_pem", pem("PUBLIC KEY", pkix)),
        ("public_key_openssh", format!("{ssh_type} {}\n", base64::engine::general_purpose::STANDARD.encode(wire))),
        ("public_key_fingerprint_md5", md5),
        ("public_key_fingerprint_sha256", sha),
        ("id", hex::encode(sha1::Sha1::digest(pkix))),
    ];
    for (name, v) in values {
        set(state, name, Value::String(v));
    }
}

/// Checks the configuration: the algorithm, and a curve or size skyform can generate.
fn check(v: &Value) -> Result<(), String> {
    match attr(v, "algorithm").as_str() {
        Some("RSA") => match attr(v, "rsa_bits").as_f64() {
            Some(b) if b.fract() != 0.0 || !(1024.0..=16384.0).contains(&b) => Err(format!("rsa_bits must be a whole number from 1024 to 16384, not {b}.")),
            _ => Ok(()),
        },
        Some("ECDSA") => attr(v, "ecdsa_curve").as_str().map_or(Ok(()), |c| curve(c).map(|_| ())),
        Some("ED25519") | None => Ok(()),
        Some(other) => Err(format!("algorithm must be one of \"RSA\", \"ECDSA\" or \"ED25519\", not {other:?}.")),
    }
}

/// `tls_private_key`.
pub struct TlsPrivateKey;

#[async_trait]
impl LogicalType<TlsProvider> for TlsPrivateKey {
    fn name(&self) -> &'static str {
        "tls_private_key"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TlsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        defaults(&mut planned, &[("rsa_bits", Value::Number(2048.0)), ("ecdsa_curve", Value::string("P224"))]);
        match check(&planned) {
            Ok(()) => PlanResponse::planned(planned),
            Err(e) => PlanResponse::failed(error("Invalid tls_private_key configuration", e)),
        }
    }

    async fn create(&self, _c: &TlsProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let algorithm = attr(&state, "algorithm").as_str().unwrap_or_default().to_string();
        let bits = attr(&state, "rsa_bits").as_f64().unwrap_or(2048.0) as usize;
        let curve = attr(&state, "ecdsa_curve").as_str().unwrap_or("P224").to_string();
        let key = tokio::task::spawn_blocking(move || match algorithm.as_str() {
            "RSA" => rsa_key(bits),
            "ECDSA" => ecdsa(&curve),
            "ED25519" => ed25519(),
            other => Err(format!("Key Algorithm {other:?} is not supported")),
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        match key {
            Ok(k) => {
                set_key(&mut state, &k);
                ApplyResponse::ok(Some(state))
            }
            Err(e) => ApplyResponse::failed(None, error("Unable to generate Key from configuration", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::blank;

    fn pem_der(text: &str, label: &str) -> Vec<u8> {
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(text.starts_with(&format!("-----BEGIN {label}-----\n")) && text.ends_with(&format!("-----END {label}-----\n")), "{text}");
        assert!(text.lines().all(|l| l.len() <= 64));
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    }

    async fn create(algorithm: &str, extra: &[(&str, Value)]) -> Result<Value, String> {
        let p = TlsProvider;
        let mut cfg = blank(&schema().block);
        set(&mut cfg, "algorithm", Value::string(algorithm));
        for (k, v) in extra {
            set(&mut cfg, k, v.clone());
        }
        let plan = p.plan(PlanRequest { type_name: "tls_private_key".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        if plan.diagnostics.has_errors() {
            return Err(plan.diagnostics.to_string());
        }
        assert_eq!(attr(&plan.planned_state, "private_key_pem"), &Value::Unknown);
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "tls_private_key".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await;
        r.new_state.ok_or_else(|| r.diagnostics.to_string())
    }

    fn text<'a>(s: &'a Value, n: &str) -> &'a str {
        attr(s, n).as_str().unwrap()
    }

    fn check_ssh(s: &Value, kind: &str) {
        let line = text(s, "public_key_openssh");
        assert!(line.starts_with(&format!("{kind} ")) && line.ends_with('\n'), "{line}");
        let wire = base64::engine::general_purpose::STANDARD.decode(line.trim_end().split(' ').nth(1).unwrap()).unwrap();
        let sha = format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha2::Sha256::digest(&wire)));
        assert_eq!(text(s, "public_key_fingerprint_sha256"), sha);
        assert_eq!(text(s, "public_key_fingerprint_md5").split(':').count(), 16);
        let der = pem_der(text(s, "private_key_openssh"), "OPENSSH PRIVATE KEY");
        assert!(der.starts_with(b"openssh-key-v1\0"));
        // The public key inside the private key file is the authorized_keys one.
        assert!(der.windows(wire.len()).any(|w| w == wire.as_slice()));
        assert_eq!(text(s, "id"), hex::encode(sha1::Sha1::digest(pem_der(text(s, "public_key_pem"), "PUBLIC KEY"))));
    }

    #[tokio::test]
    async fn ecdsa_and_ed25519_keys_parse_and_sign() {
        let s = create("ECDSA", &[("ecdsa_curve", Value::string("P256"))]).await.unwrap();
        let pkcs8 = pem_der(text(&s, "private_key_pem_pkcs8"), "PRIVATE KEY");
        let rng = ring::rand::SystemRandom::new();
        let pair = ring::signature::EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &rng).unwrap();
        let sig = pair.sign(&rng, b"msg").unwrap();
        let pkix = pem_der(text(&s, "public_key_pem"), "PUBLIC KEY");
        let point = &pkix[pkix.len() - 65..];
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, point).verify(b"msg", sig.as_ref()).unwrap();
        // SEC1 carries the curve, as OpenSSL needs.
        let sec1 = pem_der(text(&s, "private_key_pem"), "EC PRIVATE KEY");
        assert!(sec1.windows(OID_P256.len()).any(|w| w == OID_P256));
        check_ssh(&s, "ecdsa-sha2-nistp256");
        let s = create("ECDSA", &[("ecdsa_curve", Value::string("P384"))]).await.unwrap();
        check_ssh(&s, "ecdsa-sha2-nistp384");

        let s = create("ED25519", &[]).await.unwrap();
        let pkcs8 = pem_der(text(&s, "private_key_pem"), "PRIVATE KEY");
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).unwrap();
        let pkix = pem_der(text(&s, "public_key_pem"), "PUBLIC KEY");
        assert_eq!(&pkix[pkix.len() - 32..], pair.public_key().as_ref());
        assert_eq!(text(&s, "private_key_pem"), text(&s, "private_key_pem_pkcs8"));
        check_ssh(&s, "ssh-ed25519");
    }

    #[tokio::test]
    async fn rsa_keys_parse_and_unsupported_curves_are_refused_at_plan() {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePublicKey as _;
        let s = create("RSA", &[("rsa_bits", Value::Number(1024.0))]).await.unwrap();
        let k = rsa::RsaPrivateKey::from_pkcs1_der(&pem_der(text(&s, "private_key_pem"), "RSA PRIVATE KEY")).unwrap();
        assert_eq!(k.size(), 128);
        let public = rsa::RsaPublicKey::from_public_key_der(&pem_der(text(&s, "public_key_pem"), "PUBLIC KEY")).unwrap();
        assert_eq!(public.n(), k.n());
        check_ssh(&s, "ssh-rsa");
        let err = create("ECDSA", &[]).await.unwrap_err();
        assert!(err.contains("P224") && err.contains("P256"), "{err}");
        assert!(create("DSA", &[]).await.is_err());
        let s = schema();
        assert!(s.block.attributes["private_key_pem"].sensitive && s.block.attributes["private_key_openssh"].sensitive);
        assert!(!s.block.attributes["public_key_pem"].sensitive && s.block.attributes["algorithm"].force_new && s.version == 1);
    }
}
