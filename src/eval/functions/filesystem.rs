//! Filesystem functions: file, fileexists, fileset, the file hashes, abspath, basename,
//! dirname, pathexpand. Relative paths resolve against the module directory; path strings follow
//! Go's `path/filepath` rules (`dirname` cleans `.` and `..`).

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
        (Some(p), Some(x)) => {
            let (p, x): (Vec<char>, Vec<char>) = (p.chars().collect(), x.chars().collect());
            match_one(&p, &x) && match_segments(&ps[1..], &xs[1..])
        }
        _ => false,
    }
}

/// The end (index after `]`) of a character class starting at `p[0] == '['`, if closed.
fn class_end(p: &[char]) -> Option<usize> {
    let mut i = 1;
    if matches!(p.get(i), Some('^' | '!')) {
        i += 1;
    }
    let mut first = true;
    while i < p.len() {
        match p[i] {
            ']' if !first => return Some(i + 1),
            '\\' => i += 2,
            _ => i += 1,
        }
        first = false;
    }
    None
}

/// Whether `c` is in the class `p` (`[abc]`, `[a-z]`, `[^x]`).
fn class_match(p: &[char], c: char) -> bool {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('^' | '!'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let end = p.len() - 1;
    while i < end {
        let mut lo = p[i];
        if lo == '\\' && i + 1 < end {
            i += 1;
            lo = p[i];
        }
        i += 1;
        let mut hi = lo;
        if i + 1 < end && p[i] == '-' {
            let escaped = p[i + 1] == '\\';
            hi = *p.get(if escaped { i + 2 } else { i + 1 }).unwrap_or(&lo);
            i += if escaped { 3 } else { 2 };
        }
        hit |= lo <= c && c <= hi;
    }
    hit != negate
}

fn match_one(p: &[char], x: &[char]) -> bool {
    match (p.first(), x.first()) {
        (None, None) => true,
        (Some('*'), _) => match_one(&p[1..], x) || (!x.is_empty() && match_one(p, &x[1..])),
        (Some('?'), Some(_)) => match_one(&p[1..], &x[1..]),
        (Some('['), Some(c)) => match class_end(p) {
            Some(end) => class_match(&p[..end], *c) && match_one(&p[end..], &x[1..]),
            None => false,
        },
        (Some('\\'), Some(c)) if p.len() > 1 => p[1] == *c && match_one(&p[2..], &x[1..]),
        (Some(a), Some(b)) if a == b => match_one(&p[1..], &x[1..]),
        _ => false,
    }
}

/// Whether a glob is well formed (every `[` closed).
fn glob_valid(pattern: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => i += 2,
            '[' => match class_end(&p[i..]) {
                Some(n) => i += n,
                None => return false,
            },
            _ => i += 1,
        }
    }
    true
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
    if !glob_valid(&pattern) {
        return invalid(format!("Invalid value for \"pattern\" parameter: failed to glob pattern \"{pattern}\": syntax error in pattern."));
    }
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

/// Go's `filepath.Clean`: no `.` segments, `..` resolved where possible, single slashes.
fn clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

pub fn dirname(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    let dir = match p.rfind('/') {
        Some(i) => &p[..i + 1],
        None => "",
    };
    Ok(Value::String(clean(dir)))
}

/// `pathexpand`: a leading `~` (alone or before `/`) becomes the home directory.
pub fn pathexpand(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let p = arg_str(&a[0], "path")?;
    if !p.starts_with('~') {
        return Ok(Value::String(p));
    }
    if p.len() > 1 && !p[1..].starts_with('/') {
        return invalid("Invalid value for \"path\" parameter: cannot expand user-specific home dir.");
    }
    let home = std::env::var("HOME").unwrap_or_default();
    Ok(Value::String(format!("{home}{}", &p[1..])))
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
        assert!(glob_match("[a-c].txt", "b.txt") && !glob_match("[^a-c].txt", "b.txt") && glob_match("[\\]x].txt", "x.txt"));
        // Malformed classes neither match nor panic.
        for p in ["[", "[a-", "[a-\\", "[\\", "[]", "[a-\\]]"] {
            let _ = glob_match(p, "a");
            let _ = glob_valid(p);
        }
    }
}
