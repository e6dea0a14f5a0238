//! Filesystem functions: file, fileexists, fileset, abspath, basename, dirname. Relative paths
//! resolve against the module directory.

use std::path::{Path, PathBuf};

use super::{arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

fn resolve(ctx: &FuncContext, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.base_dir.join(path)
    }
}

pub fn file(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    match std::fs::read(resolve(ctx, &p)) {
        Ok(b) => String::from_utf8(b).map(Value::String).or_else(|_| invalid(format!("Invalid value for \"path\" parameter: contents of \"{p}\" are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead."))),
        Err(_) => invalid(format!("Invalid value for \"path\" parameter: no file exists at \"{p}\"; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource.")),
    }
}

pub fn fileexists(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    let full = resolve(ctx, &p);
    match std::fs::metadata(&full) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => invalid(format!("Invalid value for \"path\" parameter: \"{p}\" is not a regular file, but \"directory\".")),
        Err(_) => Ok(Value::Bool(false)),
    }
}

/// Matches a path against a glob with `*`, `?`, `**` and `{a,b}`, segment by segment.
fn glob_match(pattern: &str, path: &str) -> bool {
    let expanded = expand_braces(pattern);
    expanded.iter().any(|p| {
        let ps: Vec<&str> = p.split('/').collect();
        let xs: Vec<&str> = path.split('/').collect();
        match_segments(&ps, &xs)
    })
}

fn expand_braces(p: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (p.find('{'), p.find('}')) else { return vec![p.to_string()] };
    if close < open {
        return vec![p.to_string()];
    }
    let (pre, alts, post) = (&p[..open], &p[open + 1..close], &p[close + 1..]);
    alts.split(',').flat_map(|a| expand_braces(&format!("{pre}{a}{post}"))).collect()
}

fn match_segments(ps: &[&str], xs: &[&str]) -> bool {
    match (ps.first(), xs.first()) {
        (None, None) => true,
        (Some(&"**"), _) => match_segments(&ps[1..], xs) || (!xs.is_empty() && match_segments(ps, &xs[1..])),
        (Some(p), Some(x)) => match_one(p.as_bytes(), x.as_bytes()) && match_segments(&ps[1..], &xs[1..]),
        _ => false,
    }
}

fn match_one(p: &[u8], x: &[u8]) -> bool {
    match (p.first(), x.first()) {
        (None, None) => true,
        (Some(b'*'), _) => match_one(&p[1..], x) || (!x.is_empty() && match_one(p, &x[1..])),
        (Some(b'?'), Some(_)) => match_one(&p[1..], &x[1..]),
        (Some(a), Some(b)) if a == b => match_one(&p[1..], &x[1..]),
        _ => false,
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let p = e.path();
        if p.is_dir() {
            walk(&p, &r, out);
        } else {
            out.push(r);
        }
    }
}

pub fn fileset(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    let base = arg_str(&a[0], "path")?;
    let pattern = arg_str(&a[1], "pattern")?;
    let root = resolve(ctx, &base);
    let mut all = Vec::new();
    walk(&root, "", &mut all);
    let mut hits: Vec<String> = all.into_iter().filter(|p| glob_match(&pattern, p)).collect();
    hits.sort();
    Ok(Value::set(hits.into_iter().map(Value::String).collect()))
}

pub fn abspath(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    let path = Path::new(&p);
    let abs = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(Value::String(out.to_string_lossy().into_owned()))
}

pub fn basename(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return Ok(Value::String(if p.is_empty() { ".".into() } else { "/".into() }));
    }
    Ok(Value::String(t.rsplit('/').next().unwrap_or(t).to_string()))
}

pub fn dirname(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    let d = match p.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => p[..i].trim_end_matches('/').to_string(),
        None => ".".to_string(),
    };
    Ok(Value::String(if d.is_empty() { "/".into() } else { d }))
}

fn read_bytes(a: &[Value], ctx: &FuncContext) -> Result<Vec<u8>, super::FuncError> {
    let p = arg_str(&a[0], "path")?;
    std::fs::read(resolve(ctx, &p)).or_else(|_| invalid(format!("Invalid value for \"path\" parameter: no file exists at \"{p}\"; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource.")))
}

fn b64(bytes: &[u8]) -> Value {
    use base64::Engine as _;
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub fn filebase64(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    Ok(b64(&read_bytes(&a, ctx)?))
}
pub fn filemd5(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    use sha2::Digest;
    Ok(Value::String(hex::encode(md5::Md5::digest(read_bytes(&a, ctx)?))))
}
pub fn filesha1(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    use sha2::Digest;
    Ok(Value::String(hex::encode(sha1::Sha1::digest(read_bytes(&a, ctx)?))))
}
pub fn filesha256(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    use sha2::Digest;
    Ok(Value::String(hex::encode(sha2::Sha256::digest(read_bytes(&a, ctx)?))))
}
pub fn filesha512(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    use sha2::Digest;
    Ok(Value::String(hex::encode(sha2::Sha512::digest(read_bytes(&a, ctx)?))))
}
pub fn filebase64sha256(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    use sha2::Digest;
    Ok(b64(&sha2::Sha256::digest(read_bytes(&a, ctx)?)))
}
pub fn filebase64sha512(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    use sha2::Digest;
    Ok(b64(&sha2::Sha512::digest(read_bytes(&a, ctx)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.txt", "a.txt"));
        assert!(!glob_match("*.txt", "d/a.txt"));
        assert!(glob_match("**/*.txt", "d/e/a.txt"));
        assert!(glob_match("**/*.txt", "a.txt"));
        assert!(glob_match("{a,b}.md", "b.md"));
    }
}
