//! Hash and crypto functions: md5, sha1, sha256, sha512, base64sha256, base64sha512, uuid,
//! uuidv5, bcrypt, rsadecrypt.

use base64::Engine as _;
use sha2::Digest;

use super::{arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

fn input(a: &[Value]) -> Result<String, super::FuncError> {
    arg_str(&a[0], "str")
}

pub fn md5(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(hex::encode(md5::Md5::digest(input(&a)?.as_bytes()))))
}
pub fn sha1(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(hex::encode(sha1::Sha1::digest(input(&a)?.as_bytes()))))
}
pub fn sha256(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(hex::encode(sha2::Sha256::digest(input(&a)?.as_bytes()))))
}
pub fn sha512(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(hex::encode(sha2::Sha512::digest(input(&a)?.as_bytes()))))
}
pub fn base64sha256(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(input(&a)?.as_bytes()))))
}
pub fn base64sha512(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(input(&a)?.as_bytes()))))
}
pub fn uuid(_: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

/// `uuidv5(namespace, name)`: SHA-1 name-based UUID; the namespace is `dns`, `url`, `oid`,
/// `x500` or a UUID.
pub fn uuidv5(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let ns = arg_str(&a[0], "namespace")?;
    let name = arg_str(&a[1], "name")?;
    let ns_text = match ns.as_str() {
        "dns" => "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "url" => "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
        "oid" => "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
        "x500" => "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
        other => other,
    };
    let Ok(ns_id) = uuid::Uuid::parse_str(ns_text) else {
        return invalid(format!("Invalid value for \"namespace\" parameter: uuidv5() doesn't support namespace {ns} (invalid UUID length: {}).", ns.len()));
    };
    let mut h = sha1::Sha1::new();
    h.update(ns_id.as_bytes());
    h.update(name.as_bytes());
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(Value::String(uuid::Uuid::from_bytes(b).to_string()))
}

/// `bcrypt(str, cost = 10)`: a salted `$2a$` hash; costs below 4 mean the default 10.
pub fn bcrypt(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = input(&a)?;
    let mut cost = match a.get(1) {
        Some(c) => super::string::arg_int(c, "cost")?,
        None => 10,
    };
    if cost < 4 {
        cost = 10;
    }
    if cost > 31 {
        return invalid(format!("Invalid value for \"cost\" parameter: crypto/bcrypt: cost {cost} is outside allowed inclusive range 4..31."));
    }
    if s.len() > 72 {
        return invalid("Invalid value for \"str\" parameter: bcrypt: password length exceeds 72 bytes.");
    }
    bcrypt::hash_with_result(s.as_bytes(), cost as u32)
        .map(|h| Value::String(h.format_for_version(bcrypt::Version::TwoA)))
        .or_else(|e| invalid(format!("error occurred generating password {e}")))
}

/// The DER bytes of the first PEM block in `text`, with its label.
fn pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_string();
    let body_start = label_end + 5;
    let end = rest.find(&format!("-----END {label}-----"))?;
    let body: String = rest[body_start..end].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok().map(|d| (label, d))
}

/// `rsadecrypt(ciphertext, privatekey)`: PKCS #1 v1.5 decryption of base64 ciphertext with a PEM
/// RSA key (PKCS #1 or PKCS #8).
pub fn rsadecrypt(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    let ct = arg_str(&a[0], "ciphertext")?;
    let key = arg_str(&a[1], "privatekey")?;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(ct.as_bytes()) else {
        return invalid("Invalid value for \"ciphertext\" parameter: failed to decode input \"ciphertext\": cipher text must be base64-encoded.");
    };
    let parsed = match pem_block(&key) {
        Some((label, der)) if label == "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der).ok(),
        Some((label, der)) if label == "PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs8_der(&der).ok(),
        _ => None,
    };
    let Some(k) = parsed else {
        return invalid("Invalid value for \"privatekey\" parameter: invalid private key: failed to parse a PEM-encoded RSA private key.");
    };
    let out = k
        .decrypt(rsa::Pkcs1v15Encrypt, &bytes)
        .or_else(|_| invalid("Invalid value for \"ciphertext\" parameter: failed to decrypt: crypto/rsa: decryption error."))?;
    String::from_utf8(out).map(Value::String).or_else(|_| invalid("Invalid value for \"ciphertext\" parameter: the decrypted text is not valid UTF-8."))
}
