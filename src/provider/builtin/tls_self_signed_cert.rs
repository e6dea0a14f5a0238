//! `tls_self_signed_cert` (hashicorp/tls 4.x): an X.509 v3 certificate signed by its own
//! `private_key_pem` (RSA as PKCS#1 or PKCS#8, ECDSA P-256/P-384 as SEC1 or PKCS#8, ED25519 as
//! PKCS#8: what `tls_private_key` writes), issued at create for `validity_period_hours`, with a
//! random 128-bit serial (`id`, in decimal). Extensions as Go's `x509.CreateCertificate` writes
//! them for the provider's template: key usage (critical) and extended key usage from
//! `allowed_uses`, basic constraints (critical; CA when `is_ca_certificate`), subject key id
//! (`set_subject_key_id`, or a CA), authority key id (`set_authority_key_id`), and subject
//! alternative names (`dns_names`, `ip_addresses`, `uris`; critical when the subject is empty).
//! Every argument but `early_renewal_hours` replaces it; once `validity_end_time` less
//! `early_renewal_hours` has passed, a refresh sets `ready_for_renewal` and the plan replaces it,
//! as in the provider.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use ring::rand::SecureRandom as _;
use ring::signature::KeyPair as _;
use sha2::Digest;

use super::tls_private_key::{pem, seq, ssh_mpint, ssh_string, tlv, TlsProvider};
use crate::provider::helpers::{attr, defaults, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

const FORCE_NEW: [&str; 9] = [
    "private_key_pem",
    "validity_period_hours",
    "allowed_uses",
    "dns_names",
    "ip_addresses",
    "uris",
    "is_ca_certificate",
    "set_subject_key_id",
    "set_authority_key_id",
];

pub fn schema() -> ResourceSchema {
    resource("tls_self_signed_cert")
        .implement(&FORCE_NEW)
        .implement(&["early_renewal_hours", "subject", "cert_pem", "ready_for_renewal", "validity_start_time", "validity_end_time", "key_algorithm", "id"])
        .force_new(&FORCE_NEW)
        .sensitive(&["private_key_pem"])
        .build()
}

/// `allowed_uses` values: a key usage bit, or an extended key usage OID.
enum Use {
    Bit(u32),
    Ext(&'static str),
}

fn allowed_use(name: &str) -> Option<Use> {
    let bits = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "cert_signing",
        "crl_signing",
        "encipher_only",
        "decipher_only",
    ];
    if let Some(i) = bits.iter().position(|b| *b == name) {
        return Some(Use::Bit(i as u32));
    }
    Some(Use::Ext(match name {
        "any_extended" => "2.5.29.37.0",
        "server_auth" => "1.3.6.1.5.5.7.3.1",
        "client_auth" => "1.3.6.1.5.5.7.3.2",
        "code_signing" => "1.3.6.1.5.5.7.3.3",
        "email_protection" => "1.3.6.1.5.5.7.3.4",
        "ipsec_end_system" => "1.3.6.1.5.5.7.3.5",
        "ipsec_tunnel" => "1.3.6.1.5.5.7.3.6",
        "ipsec_user" => "1.3.6.1.5.5.7.3.7",
        "timestamping" => "1.3.6.1.5.5.7.3.8",
        "ocsp_signing" => "1.3.6.1.5.5.7.3.9",
        "microsoft_server_gated_crypto" => "1.3.6.1.4.1.311.10.3.3",
        "netscape_server_gated_crypto" => "2.16.840.1.113730.4.1",
        "microsoft_commercial_code_signing" => "1.3.6.1.4.1.311.2.1.22",
        "microsoft_kernel_code_signing" => "1.3.6.1.4.1.311.61.1.1",
        _ => return None,
    }))
}

/// A dotted OID as DER.
pub fn oid(dotted: &str) -> Vec<u8> {
    let n: Vec<u64> = dotted.split('.').filter_map(|p| p.parse().ok()).collect();
    let mut body = Vec::new();
    for v in std::iter::once(n[0] * 40 + n.get(1).copied().unwrap_or(0)).chain(n.iter().skip(2).copied()) {
        let mut groups = vec![(v & 0x7f) as u8];
        let mut rest = v >> 7;
        while rest > 0 {
            groups.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        groups.reverse();
        body.extend(groups);
    }
    tlv(0x06, &body)
}

/// An ASN.1 string as Go marshals it: PrintableString when it can be, else UTF8String.
fn asn1_string(s: &str) -> Vec<u8> {
    let printable = s.chars().all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c));
    tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

/// The subject as Go's `pkix.Name` encodes it (C, ST, L, STREET, PC, O, OU, CN, SERIALNUMBER;
/// one attribute per RDN).
pub fn name(subject: &Value) -> Vec<u8> {
    let mut rdns = Vec::new();
    let mut add = |id: &str, s: &str| rdns.push(tlv(0x31, &seq(&[oid(id), asn1_string(s)])));
    let one = |n: &str| attr(subject, n).as_str().map(str::to_string);
    let order = [("country", "2.5.4.6"), ("province", "2.5.4.8"), ("locality", "2.5.4.7")];
    for (n, id) in order {
        if let Some(s) = one(n) {
            add(id, &s);
        }
    }
    if let Value::List(items) = attr(subject, "street_address").unmarked() {
        for s in items.iter().filter_map(Value::as_str) {
            add("2.5.4.9", s);
        }
    }
    for (n, id) in [
        ("postal_code", "2.5.4.17"),
        ("organization", "2.5.4.10"),
        ("organizational_unit", "2.5.4.11"),
        ("common_name", "2.5.4.3"),
        ("serial_number", "2.5.4.5"),
    ] {
        if let Some(s) = one(n) {
            add(id, &s);
        }
    }
    seq(&rdns)
}

/// A private key that signs the certificate.
pub enum Signer {
    Rsa(ring::signature::RsaKeyPair),
    Ec(ring::signature::EcdsaKeyPair, &'static [u8]),
    Ed(ring::signature::Ed25519KeyPair),
}

pub const RSA_OID: &str = "1.2.840.113549.1.1.1";
pub const EC_OID: &str = "1.2.840.10045.2.1";
pub const ED25519_OID: &str = "1.3.101.112";
pub const P256_OID: &str = "1.2.840.10045.3.1.7";
pub const P384_OID: &str = "1.3.132.0.34";

/// A DER element: tag, content, rest.
pub fn next(buf: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let bad = || "malformed DER".to_string();
    let (&tag, rest) = buf.split_first().ok_or_else(bad)?;
    let (&first, rest) = rest.split_first().ok_or_else(bad)?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let k = (first & 0x7f) as usize;
        (rest.get(..k).ok_or_else(bad)?.iter().fold(0usize, |a, b| (a << 8) | *b as usize), &rest[k..])
    };
    Ok((tag, rest.get(..len).ok_or_else(bad)?, &rest[len..]))
}

fn ec_alg(curve_oid: &[u8]) -> Result<(&'static ring::signature::EcdsaSigningAlgorithm, &'static [u8]), String> {
    static P256: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    static P384: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let p256 = P256.get_or_init(|| oid(P256_OID));
    let p384 = P384.get_or_init(|| oid(P384_OID));
    if curve_oid == p256.as_slice() {
        Ok((&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING, p256))
    } else if curve_oid == p384.as_slice() {
        Ok((&ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING, p384))
    } else {
        Err("only ECDSA keys on the P256 and P384 curves are implemented by skyform".into())
    }
}

/// Reads `private_key_pem`: its signer and key algorithm name.
pub fn parse_key(text: &str) -> Result<(Signer, &'static str), String> {
    let begin = text.find("-----BEGIN ").ok_or("failed to decode PEM block")?;
    let rest = &text[begin + 11..];
    let label_end = rest.find("-----").ok_or("failed to decode PEM block")?;
    let label = &rest[..label_end];
    let body_end = rest.find("-----END").ok_or("failed to decode PEM block")?;
    let b64: String = rest[label_end + 5..body_end].split_whitespace().collect();
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).map_err(|e| format!("failed to decode PEM block: {e}"))?;
    let rng = ring::rand::SystemRandom::new();
    let rejected = |e: ring::error::KeyRejected| format!("failed to parse private key given PEM preamble '{label}': {e}");
    match label {
        "RSA PRIVATE KEY" => Ok((Signer::Rsa(ring::signature::RsaKeyPair::from_der(&der).map_err(rejected)?), "RSA")),
        "EC PRIVATE KEY" => {
            // ECPrivateKey { version, privateKey, [0] parameters, [1] publicKey }
            let (_, body, _) = next(&der)?;
            let (_, _, rest) = next(body)?;
            let (_, d, mut rest) = next(rest)?;
            let (mut curve, mut point) = (None, None);
            while !rest.is_empty() {
                let (tag, inner, after) = next(rest)?;
                match tag {
                    0xa0 => curve = Some(inner.to_vec()),
                    0xa1 => point = Some(next(inner)?.1.get(1..).unwrap_or_default().to_vec()),
                    _ => {}
                }
                rest = after;
            }
            let (alg, curve_oid) = ec_alg(&curve.ok_or("the EC private key names no curve")?)?;
            let point = point.ok_or("the EC private key carries no public key")?;
            let pair = ring::signature::EcdsaKeyPair::from_private_key_and_public_key(alg, d, &point, &rng).map_err(rejected)?;
            Ok((Signer::Ec(pair, curve_oid), "ECDSA"))
        }
        "PRIVATE KEY" => {
            let (_, body, _) = next(&der)?;
            let (_, _, rest) = next(body)?;
            let (_, alg_id, _) = next(rest)?;
            let (_, alg_oid, params) = next(alg_id)?;
            let alg_oid = tlv(0x06, alg_oid);
            if alg_oid == oid(RSA_OID) {
                Ok((Signer::Rsa(ring::signature::RsaKeyPair::from_pkcs8(&der).map_err(rejected)?), "RSA"))
            } else if alg_oid == oid(EC_OID) {
                let (tag, c, _) = next(params)?;
                let (alg, curve_oid) = ec_alg(&tlv(tag, c))?;
                Ok((Signer::Ec(ring::signature::EcdsaKeyPair::from_pkcs8(alg, &der, &rng).map_err(rejected)?, curve_oid), "ECDSA"))
            } else if alg_oid == oid(ED25519_OID) {
                Ok((Signer::Ed(ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(rejected)?), "ED25519"))
            } else {
                Err("unsupported private key type".into())
            }
        }
        other => Err(format!("unable to determine parser for PEM preamble: {other}")),
    }
}

impl Signer {
    /// The SubjectPublicKeyInfo, and the bytes the provider hashes for the subject key id.
    pub fn public(&self) -> (Vec<u8>, Vec<u8>) {
        let bits = |b: &[u8]| tlv(0x03, &[&[0u8][..], b].concat());
        match self {
            Signer::Rsa(k) => {
                let pkcs1 = k.public().as_ref().to_vec();
                (seq(&[seq(&[oid(RSA_OID), vec![0x05, 0x00]]), bits(&pkcs1)]), pkcs1)
            }
            Signer::Ec(k, curve) => {
                let point = k.public_key().as_ref().to_vec();
                (seq(&[seq(&[oid(EC_OID), curve.to_vec()]), bits(&point)]), point)
            }
            Signer::Ed(k) => {
                let p = k.public_key().as_ref().to_vec();
                // Go's asn1.Marshal of an ed25519.PublicKey ([]byte) is an OCTET STRING.
                (seq(&[seq(&[oid(ED25519_OID)]), bits(&p)]), tlv(0x04, &p))
            }
        }
    }

    /// The public key's SSH type name and wire form.
    pub fn ssh_wire(&self) -> Result<(&'static str, Vec<u8>), String> {
        let mut w = Vec::new();
        match self {
            Signer::Rsa(k) => {
                // RSAPublicKey { modulus, publicExponent }: DER INTEGERs are SSH mpints.
                let (_, body, _) = next(k.public().as_ref())?;
                let (_, n, rest) = next(body)?;
                let (_, e, _) = next(rest)?;
                ssh_string(&mut w, b"ssh-rsa");
                ssh_mpint(&mut w, e);
                ssh_mpint(&mut w, n);
                Ok(("ssh-rsa", w))
            }
            Signer::Ec(k, curve) => {
                let (name, short) = if *curve == oid(P384_OID).as_slice() { ("ecdsa-sha2-nistp384", "nistp384") } else { ("ecdsa-sha2-nistp256", "nistp256") };
                ssh_string(&mut w, name.as_bytes());
                ssh_string(&mut w, short.as_bytes());
                ssh_string(&mut w, k.public_key().as_ref());
                Ok((name, w))
            }
            Signer::Ed(k) => {
                ssh_string(&mut w, b"ssh-ed25519");
                ssh_string(&mut w, k.public_key().as_ref());
                Ok(("ssh-ed25519", w))
            }
        }
    }

    pub fn algorithm(&self) -> Vec<u8> {
        match self {
            Signer::Rsa(_) => seq(&[oid("1.2.840.113549.1.1.11"), vec![0x05, 0x00]]),
            Signer::Ec(_, curve) if *curve == oid(P384_OID).as_slice() => seq(&[oid("1.2.840.10045.4.3.3")]),
            Signer::Ec(..) => seq(&[oid("1.2.840.10045.4.3.2")]),
            Signer::Ed(_) => seq(&[oid(ED25519_OID)]),
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        let rng = ring::rand::SystemRandom::new();
        match self {
            Signer::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig).map_err(|_| "failed to sign the certificate".to_string())?;
                Ok(sig)
            }
            Signer::Ec(k, _) => k.sign(&rng, msg).map(|s| s.as_ref().to_vec()).map_err(|_| "failed to sign the certificate".to_string()),
            Signer::Ed(k) => Ok(k.sign(msg).as_ref().to_vec()),
        }
    }
}

/// X.509 time: UTCTime through 2049, GeneralizedTime after.
fn x509_time(t: &DateTime<Utc>) -> Vec<u8> {
    if (1950..2050).contains(&t.year()) {
        tlv(0x17, t.format("%y%m%d%H%M%SZ").to_string().as_bytes())
    } else {
        tlv(0x18, t.format("%Y%m%d%H%M%SZ").to_string().as_bytes())
    }
}

fn extension(id: &str, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

pub fn strings(v: &Value) -> Vec<String> {
    match v.unmarked() {
        Value::List(items) | Value::Set(items) => items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

pub fn subject_of(state: &Value) -> Value {
    match attr(state, "subject").unmarked() {
        Value::List(items) | Value::Set(items) => items.first().cloned().unwrap_or(Value::Null),
        Value::Map(_) => attr(state, "subject").clone(),
        _ => Value::Null,
    }
}

/// The subject alternative names of `dns_names`, `ip_addresses` and `uris` (GeneralName DERs
/// in Go's order).
pub fn alt_names(state: &Value) -> Result<Vec<Vec<u8>>, String> {
    let mut sans = Vec::new();
    for d in strings(attr(state, "dns_names")) {
        sans.push(tlv(0x82, d.as_bytes()));
    }
    for ip in strings(attr(state, "ip_addresses")) {
        let parsed: std::net::IpAddr = ip.parse().map_err(|_| format!("Invalid IP address: failed to parse {ip:?}"))?;
        sans.push(match parsed {
            std::net::IpAddr::V4(a) => tlv(0x87, &a.octets()),
            std::net::IpAddr::V6(a) => tlv(0x87, &a.octets()),
        });
    }
    for u in strings(attr(state, "uris")) {
        reqwest::Url::parse(&u).map_err(|e| format!("Invalid URI: failed to parse {u:?}: {e}"))?;
        sans.push(tlv(0x86, u.as_bytes()));
    }
    Ok(sans)
}

/// The bytes the provider hashes into a subject key id: the key in the SubjectPublicKeyInfo
/// (for ED25519 as an OCTET STRING, as Go's `asn1.Marshal` of the key gives).
pub fn key_id_input(spki: &[u8]) -> Result<Vec<u8>, String> {
    let (_, body, _) = next(spki)?;
    let (_, alg_id, rest) = next(body)?;
    let (_, bits, _) = next(rest)?;
    let key = bits.get(1..).unwrap_or_default();
    let (_, alg_oid, _) = next(alg_id)?;
    Ok(if tlv(0x06, alg_oid) == oid(ED25519_OID) { tlv(0x04, key) } else { key.to_vec() })
}

/// Who signs a certificate, for its authority key id.
pub enum Authority {
    /// Signed by its own key: the authority key id is the subject key id, when
    /// `set_authority_key_id` asks for it.
    SelfSigned,
    /// Signed by a CA with this subject key id (Go copies it into the certificate).
    Issuer(Option<Vec<u8>>),
}

/// What a certificate says about whom.
pub struct Spec {
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    pub spki: Vec<u8>,
    pub sans: Vec<Vec<u8>>,
    pub authority: Authority,
}

/// Issues a certificate from the state's `validity_period_hours`, `allowed_uses`,
/// `is_ca_certificate`, `set_subject_key_id` (and `set_authority_key_id`), signed by `signer`,
/// and sets `cert_pem`, the validity times, `ready_for_renewal` and `id` (the serial).
pub fn sign_cert(state: &mut Value, spec: Spec, signer: &Signer, now: DateTime<Utc>) -> Result<(), String> {
    let flag = |n: &str| attr(state, n).as_bool() == Some(true);
    let subject_empty = spec.subject == seq(&[]);
    let is_ca = flag("is_ca_certificate");
    if is_ca && subject_empty {
        return Err("Invalid Certificate Subject: must contain at least one Distinguished Name when creating Certificate Authority (CA)".into());
    }
    let hours = attr(state, "validity_period_hours").as_f64().unwrap_or(0.0) as i64;
    let not_before = DateTime::<Utc>::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let not_after = not_before + chrono::Duration::hours(hours);
    let mut serial = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut serial).map_err(|_| "Failed to generate serial number")?;
    let serial_n = u128::from_be_bytes(serial);
    let serial_der = {
        let trimmed: Vec<u8> = serial.iter().copied().skip_while(|b| *b == 0).collect();
        let mut v = if trimmed.first().is_some_and(|b| b & 0x80 != 0) { vec![0] } else { Vec::new() };
        v.extend(if trimmed.is_empty() { vec![0] } else { trimmed });
        tlv(0x02, &v)
    };

    let (mut bits, mut ext_uses) = (0u32, Vec::new());
    for u in strings(attr(state, "allowed_uses")) {
        match allowed_use(&u) {
            Some(Use::Bit(b)) => bits |= 1 << b,
            Some(Use::Ext(o)) => ext_uses.push(oid(o)),
            None => {}
        }
    }
    let skid = if is_ca || flag("set_subject_key_id") { Some(sha1::Sha1::digest(key_id_input(&spec.spki)?).to_vec()) } else { None };
    let mut exts = Vec::new();
    if bits != 0 {
        let highest = 31 - bits.leading_zeros();
        let len = highest as usize / 8 + 1;
        let mut bytes = vec![0u8; len];
        for b in 0..=highest {
            if bits & (1 << b) != 0 {
                bytes[b as usize / 8] |= 0x80 >> (b % 8);
            }
        }
        let unused = (len * 8 - highest as usize - 1) as u8;
        exts.push(extension("2.5.29.15", true, tlv(0x03, &[&[unused][..], &bytes].concat())));
    }
    if !ext_uses.is_empty() {
        exts.push(extension("2.5.29.37", false, seq(&ext_uses)));
    }
    exts.push(extension("2.5.29.19", true, if is_ca { seq(&[vec![0x01, 0x01, 0xff]]) } else { seq(&[]) }));
    if let Some(id) = &skid {
        exts.push(extension("2.5.29.14", false, tlv(0x04, id)));
    }
    let akid = match spec.authority {
        Authority::SelfSigned if flag("set_authority_key_id") => {
            Some(skid.clone().ok_or("Invalid Certificate Authority: could not determine Authority Key Identifier (set set_subject_key_id)")?)
        }
        Authority::SelfSigned => None,
        Authority::Issuer(id) => id,
    };
    if let Some(id) = akid {
        exts.push(extension("2.5.29.35", false, seq(&[tlv(0x80, &id)])));
    }
    if !spec.sans.is_empty() {
        exts.push(extension("2.5.29.17", subject_empty, seq(&spec.sans)));
    }

    let alg = signer.algorithm();
    let tbs = seq(&[
        tlv(0xa0, &tlv(0x02, &[2])),
        serial_der,
        alg.clone(),
        spec.issuer,
        seq(&[x509_time(&not_before), x509_time(&not_after)]),
        spec.subject,
        spec.spki,
        tlv(0xa3, &seq(&exts)),
    ]);
    let sig = signer.sign(&tbs)?;
    let cert = seq(&[tbs, alg, tlv(0x03, &[&[0u8][..], &sig].concat())]);
    let rfc = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    set(state, "cert_pem", Value::String(pem("CERTIFICATE", &cert)));
    set(state, "validity_start_time", Value::String(rfc(&not_before)));
    set(state, "validity_end_time", Value::String(rfc(&not_after)));
    set(state, "ready_for_renewal", Value::Bool(false));
    set(state, "id", Value::String(serial_n.to_string()));
    Ok(())
}

/// Issues the self-signed certificate the planned state describes.
fn issue(state: &mut Value, now: DateTime<Utc>) -> Result<(), String> {
    let (signer, algorithm) = parse_key(attr(state, "private_key_pem").as_str().unwrap_or_default())?;
    let subject = name(&subject_of(state));
    let spec = Spec { subject: subject.clone(), issuer: subject, spki: signer.public().0, sans: alt_names(state)?, authority: Authority::SelfSigned };
    sign_cert(state, spec, &signer, now)?;
    set(state, "key_algorithm", Value::string(algorithm));
    Ok(())
}

/// Whether the certificate is within `early_renewal_hours` of its end (or past it).
pub fn due(state: &Value, now: DateTime<Utc>) -> bool {
    let Some(end) = attr(state, "validity_end_time").as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()) else { return false };
    let early = attr(state, "early_renewal_hours").as_f64().unwrap_or(0.0) as i64;
    end.with_timezone(&Utc) - chrono::Duration::hours(early) <= now
}

pub fn check(v: &Value) -> Result<(), String> {
    for u in strings(attr(v, "allowed_uses")) {
        if allowed_use(&u).is_none() {
            return Err(format!("allowed_uses: {u:?} is not a key usage or extended key usage the provider accepts."));
        }
    }
    for n in ["validity_period_hours", "early_renewal_hours"] {
        if attr(v, n).as_f64().is_some_and(|h| h < 0.0 || h.fract() != 0.0) {
            return Err(format!("{n} must be a whole number of at least 0."));
        }
    }
    if let Value::List(items) = attr(v, "subject").unmarked() {
        if items.len() > 1 {
            return Err("At most one subject block is allowed.".into());
        }
    }
    Ok(())
}

/// Plans a certificate of type `type_name`: sets the `defaults`, checks the configuration
/// (`check`), and on update replaces it where an argument of `replace_on` changed or where it
/// is due for renewal (`ready_for_renewal` unknown); on create `ready_for_renewal` is false.
pub fn plan_cert(type_name: &str, req: PlanRequest, pairs: &[(&str, Value)], replace_on: &[&str]) -> PlanResponse {
    let mut planned = req.proposed_new_state;
    defaults(&mut planned, pairs);
    if let Err(e) = check(&planned) {
        return PlanResponse::failed(error(&format!("Invalid {type_name} configuration"), e));
    }
    let mut replace = Vec::new();
    match &req.prior_state {
        None => set(&mut planned, "ready_for_renewal", Value::Bool(false)),
        Some(prior) => {
            for a in replace_on {
                if attr(prior, a) != attr(&planned, a) {
                    replace.push(vec![PathStep::Key(a.to_string())]);
                }
            }
            if due(&planned, Utc::now()) {
                set(&mut planned, "ready_for_renewal", Value::Unknown);
                replace.push(vec![PathStep::Key("ready_for_renewal".into())]);
            }
        }
    }
    PlanResponse { planned_state: planned, requires_replace: replace, diagnostics: Default::default() }
}

/// Refreshes a certificate: `ready_for_renewal` once it is due.
pub fn read_cert(prior: Value) -> ReadResponse {
    let mut state = prior;
    if due(&state, Utc::now()) {
        set(&mut state, "ready_for_renewal", Value::Bool(true));
    }
    ReadResponse::found(state)
}

/// Creates a certificate: `issue` fills the planned state in, or says why it cannot.
pub fn create_cert(planned: Value, issue: impl FnOnce(&mut Value) -> Result<(), String>) -> ApplyResponse {
    let mut state = planned;
    match issue(&mut state) {
        Ok(()) => ApplyResponse::ok(Some(state)),
        Err(e) => ApplyResponse::failed(None, error("Failed to create certificate", e)),
    }
}

/// `tls_self_signed_cert`.
pub struct TlsSelfSignedCert;

#[async_trait]
impl ResourceType<TlsProvider> for TlsSelfSignedCert {
    fn name(&self) -> &'static str {
        "tls_self_signed_cert"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TlsProvider, req: PlanRequest) -> PlanResponse {
        let pairs = [
            ("early_renewal_hours", Value::Number(0.0)),
            ("is_ca_certificate", Value::Bool(false)),
            ("set_subject_key_id", Value::Bool(false)),
            ("set_authority_key_id", Value::Bool(false)),
        ];
        plan_cert("tls_self_signed_cert", req, &pairs, &["subject"])
    }

    async fn read(&self, _c: &TlsProvider, prior: Value) -> ReadResponse {
        read_cert(prior)
    }

    async fn create(&self, _c: &TlsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        create_cert(planned, |state| issue(state, Utc::now()))
    }

    async fn update(&self, _c: &TlsProvider, _prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::ok(Some(planned))
    }

    async fn delete(&self, _c: &TlsProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }

    async fn import(&self, _c: &TlsProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "tls_self_signed_cert cannot be imported, as in the tls provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::blank;

    async fn key(algorithm: &str, curve: &str) -> String {
        let p = TlsProvider;
        let mut cfg = blank(&super::super::tls_private_key::schema().block);
        set(&mut cfg, "algorithm", Value::string(algorithm));
        set(&mut cfg, "ecdsa_curve", Value::string(curve));
        set(&mut cfg, "rsa_bits", Value::Number(2048.0));
        let plan = p.plan(PlanRequest { type_name: "tls_private_key".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        let s = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "tls_private_key".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await;
        attr(s.new_state.as_ref().unwrap(), "private_key_pem").as_str().unwrap().to_string()
    }

    fn cert_config(key: &str) -> Value {
        let mut cfg = schema().block.normalize(blank(&schema().block));
        set(&mut cfg, "private_key_pem", Value::string(key));
        set(&mut cfg, "validity_period_hours", Value::Number(12.0));
        set(&mut cfg, "allowed_uses", Value::List(vec![Value::string("key_encipherment"), Value::string("digital_signature"), Value::string("server_auth")]));
        set(&mut cfg, "dns_names", Value::List(vec![Value::string("example.com")]));
        set(&mut cfg, "ip_addresses", Value::List(vec![Value::string("127.0.0.1")]));
        set(&mut cfg, "subject", Value::List(vec![Value::object([("common_name", Value::string("example.com")), ("organization", Value::string("ACME"))])]));
        cfg
    }

    async fn issue_with(key: &str) -> Value {
        let p = TlsProvider;
        let mut cfg = cert_config(key);
        // A CA, so that openssl verifies it against itself.
        set(&mut cfg, "is_ca_certificate", Value::Bool(true));
        set(
            &mut cfg,
            "allowed_uses",
            Value::List(vec![
                Value::string("cert_signing"),
                Value::string("key_encipherment"),
                Value::string("digital_signature"),
                Value::string("server_auth"),
            ]),
        );
        let plan =
            p.plan(PlanRequest { type_name: "tls_self_signed_cert".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        assert!(!plan.diagnostics.has_errors(), "{}", plan.diagnostics);
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "tls_self_signed_cert".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await;
        r.new_state.unwrap_or_else(|| panic!("{}", r.diagnostics))
    }

    #[tokio::test]
    async fn issues_certificates_that_openssl_verifies_for_every_key_type() {
        let dir = tempfile::tempdir().unwrap();
        for (alg, curve, name) in [("RSA", "P256", "RSA"), ("ECDSA", "P256", "ECDSA"), ("ECDSA", "P384", "ECDSA"), ("ED25519", "P256", "ED25519")] {
            let s = issue_with(&key(alg, curve).await).await;
            assert_eq!(attr(&s, "key_algorithm"), &Value::string(name));
            assert_eq!(attr(&s, "ready_for_renewal"), &Value::Bool(false));
            assert!(attr(&s, "id").as_str().unwrap().parse::<u128>().is_ok());
            let path = dir.path().join("cert.pem");
            std::fs::write(&path, attr(&s, "cert_pem").as_str().unwrap()).unwrap();
            let Ok(out) = std::process::Command::new("openssl").args(["verify", "-CAfile"]).arg(&path).arg(&path).output() else {
                eprintln!("openssl not installed: certificate not verified");
                continue;
            };
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(out.status.success(), "{alg} {curve}: {text}");
            let out = std::process::Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(&path).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert!(text.contains("CN=example.com") || text.contains("CN = example.com"), "{text}");
            assert!(text.contains("DNS:example.com") && text.contains("IP Address:127.0.0.1") && text.contains("TLS Web Server Authentication"), "{text}");
        }
    }

    #[tokio::test]
    async fn a_ca_verifies_and_renewal_is_planned_when_due() {
        let mut cfg = cert_config(&key("ECDSA", "P256").await);
        set(&mut cfg, "is_ca_certificate", Value::Bool(true));
        set(&mut cfg, "set_authority_key_id", Value::Bool(true));
        set(&mut cfg, "allowed_uses", Value::List(vec![Value::string("cert_signing"), Value::string("crl_signing")]));
        let p = TlsProvider;
        let plan =
            p.plan(PlanRequest { type_name: "tls_self_signed_cert".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        let s = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "tls_self_signed_cert".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await
            .new_state
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, attr(&s, "cert_pem").as_str().unwrap()).unwrap();
        if let Ok(out) = std::process::Command::new("openssl").args(["verify", "-CAfile"]).arg(&path).arg(&path).output() {
            assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        // Not due: a no-op plan. Within early_renewal_hours: refresh marks it, plan replaces it.
        let again =
            TlsSelfSignedCert.plan(&p, PlanRequest { type_name: "x".into(), prior_state: Some(s.clone()), proposed_new_state: s.clone(), config: s.clone() });
        assert!(again.requires_replace.is_empty());
        let mut early = s.clone();
        set(&mut early, "early_renewal_hours", Value::Number(24.0));
        let read = TlsSelfSignedCert.read(&p, early.clone()).await.new_state.unwrap();
        assert_eq!(attr(&read, "ready_for_renewal"), &Value::Bool(true));
        let plan =
            TlsSelfSignedCert.plan(&p, PlanRequest { type_name: "x".into(), prior_state: Some(read.clone()), proposed_new_state: read.clone(), config: read });
        assert_eq!(plan.requires_replace, vec![vec![PathStep::Key("ready_for_renewal".into())]]);
        assert!(schema().block.attributes["private_key_pem"].sensitive && !schema().block.attributes["early_renewal_hours"].force_new);
        // A CA needs a subject; bad uses are refused at plan.
        let mut bad = cert_config("x");
        set(&mut bad, "allowed_uses", Value::List(vec![Value::string("world_domination")]));
        assert!(p
            .plan(PlanRequest { type_name: "tls_self_signed_cert".into(), prior_state: None, proposed_new_state: bad.clone(), config: bad })
            .await
            .diagnostics
            .has_errors());
    }
}
