//! Hash functions: md5, sha1, sha256, sha512, base64sha256, base64sha512, uuid.

use base64::Engine as _;
use sha2::Digest;

use super::{arg_str, FuncContext, FuncResult};
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
