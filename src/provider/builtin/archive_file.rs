//! `archive_file` (hashicorp/archive 2.x): writes a zip of `source_file`, `source_dir` (less
//! `excludes`, doublestar globs), `source_content` (as `source_content_filename`) or `source`
//! blocks to `output_path`, and reports its size and hashes; `id` is the SHA-1 in hex. Every
//! argument but `exclude_symlink_directories` replaces it; a refresh writes the archive again
//! and takes its new hashes, and destroy leaves the file, as the provider does. Entries carry
//! the provider's fixed timestamp (1980-01-01) and come in its order (a directory walked in
//! name order, `source` blocks sorted by file name), so the same input gives the same bytes
//! and `output_base64sha256` is stable across runs. `type` is `zip` or `tar.gz` (ustar entries
//! dated 1970-01-01, gzipped).
//!
//! Also the `archive` provider's client and registration list, and the archiving shared with
//! the data source (`data_archive_file.rs`).

use std::io::Write as _;
use std::path::Path;

use async_trait::async_trait;
use base64::Engine as _;
use sha2::Digest;

use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

/// The arguments and computed attributes the resource and the data source share.
pub const ATTRIBUTES: [&str; 18] = [
    "type",
    "source",
    "source_content",
    "source_content_filename",
    "source_file",
    "source_dir",
    "excludes",
    "exclude_symlink_directories",
    "output_path",
    "output_file_mode",
    "output_size",
    "output_md5",
    "output_sha",
    "output_sha256",
    "output_base64sha256",
    "output_sha512",
    "output_base64sha512",
    "id",
];

/// The arguments whose change replaces the resource (the `source` block's are handled in
/// `plan`, as the kit's force-new is for top-level attributes).
const FORCE_NEW: [&str; 8] = ["type", "source_content", "source_content_filename", "source_file", "source_dir", "excludes", "output_path", "output_file_mode"];

pub fn schema() -> ResourceSchema {
    resource("archive_file").implement(&ATTRIBUTES).force_new(&FORCE_NEW).build()
}

/// The `archive` provider's client: nothing to configure.
#[derive(Default)]
pub struct ArchiveProvider;

impl Dispatch for ArchiveProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<ArchiveProvider>> = std::sync::OnceLock::new();
        table(&TYPES, || Types::new(&[&ArchiveFile], &[&super::data_archive_file::ArchiveFileData]))
    }
}

/// The `archive` provider's factory.
pub fn factory() -> SimpleFactory<ArchiveProvider> {
    SimpleFactory::new("archive")
}

/// What goes into the archive.
#[derive(Debug)]
enum Source {
    File(String),
    Dir { dir: String, excludes: Vec<String>, skip_symlink_dirs: bool },
    Content { filename: String, content: String },
    Blocks(Vec<(String, String)>),
}

fn strings(v: &Value) -> Vec<String> {
    match v.unmarked() {
        Value::List(items) | Value::Set(items) => items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn blocks(v: &Value) -> &[Value] {
    match v.unmarked() {
        Value::List(items) | Value::Set(items) => items,
        _ => &[],
    }
}

fn is_set(v: &Value, name: &str) -> bool {
    !attr(v, name).is_null()
}

/// Checks the configuration as the provider's validators do and says what to archive.
fn source(v: &Value) -> Result<Source, String> {
    match attr(v, "type").as_str() {
        Some("zip" | "tar.gz") | None => {}
        Some(other) => return Err(format!("archive type not supported: {other}")),
    }
    let has_blocks = !blocks(attr(v, "source")).is_empty();
    let (file, dir) = (is_set(v, "source_file"), is_set(v, "source_dir"));
    let content = is_set(v, "source_content") || is_set(v, "source_content_filename");
    if !(has_blocks || file || dir || is_set(v, "source_content_filename")) {
        return Err("At least one of source, source_content_filename, source_file or source_dir must be set.".into());
    }
    let conflicts = [(has_blocks, "source"), (file, "source_file"), (dir, "source_dir"), (content, "source_content and source_content_filename")];
    let chosen: Vec<&str> = conflicts.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    if chosen.len() > 1 {
        return Err(format!(
            "Only one of source, source_file, source_dir or source_content (with source_content_filename) can be set; this configuration sets {}.",
            chosen.join(", ")
        ));
    }
    if is_set(v, "excludes") && (file || content) {
        return Err("excludes cannot be used with source_file or source_content.".into());
    }
    if let Some(mode) = attr(v, "output_file_mode").as_str() {
        file_mode(mode)?;
    }
    let text = |n: &str| attr(v, n).as_str().unwrap_or_default().to_string();
    Ok(if dir {
        Source::Dir {
            dir: text("source_dir"),
            excludes: strings(attr(v, "excludes")),
            skip_symlink_dirs: attr(v, "exclude_symlink_directories").as_bool() == Some(true),
        }
    } else if file {
        Source::File(text("source_file"))
    } else if has_blocks {
        Source::Blocks(blocks(attr(v, "source")).iter().map(|b| (text_of(b, "filename"), text_of(b, "content"))).collect())
    } else {
        Source::Content { filename: text("source_content_filename"), content: text("source_content") }
    })
}

fn text_of(v: &Value, name: &str) -> String {
    attr(v, name).as_str().unwrap_or_default().to_string()
}

/// `output_file_mode` as Go's `strconv.ParseUint(s, 0, 32)` reads it: `0x`, `0o`, `0b`
/// prefixes, a leading `0` for octal ("0666"), decimal otherwise; only the permission bits
/// are kept.
fn file_mode(s: &str) -> Result<u32, String> {
    let bad = || format!("error parsing output_file_mode value: {s}");
    let t = s.replace('_', "");
    let (digits, radix) = match t.get(..2) {
        Some("0x" | "0X") => (&t[2..], 16),
        Some("0o" | "0O") => (&t[2..], 8),
        Some("0b" | "0B") => (&t[2..], 2),
        _ if t.len() > 1 && t.starts_with('0') => (&t[1..], 8),
        _ => (t.as_str(), 10),
    };
    u32::from_str_radix(digits, radix).map(|m| m & 0o777).map_err(|_| bad())
}

/// A doublestar-style glob match of a slash-separated relative path: `*` and `?` within one
/// segment, `[...]` classes, `{a,b}` alternatives, and `**` as a whole segment for any number
/// of directories.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    expand_braces(pattern).iter().any(|p| {
        let ps: Vec<&str> = p.split('/').collect();
        let xs: Vec<&str> = path.split('/').collect();
        match_segments(&ps, &xs)
    })
}

fn expand_braces(p: &str) -> Vec<String> {
    let Some(open) = p.find('{') else { return vec![p.to_string()] };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, c) in p[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    let Some(close) = close else { return vec![p.to_string()] };
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let (head, tail) = (&p[..open], &p[close + 1..]);
    bounds.windows(2).flat_map(|w| expand_braces(&format!("{head}{}{tail}", &p[w[0] + 1..w[1]]))).collect()
}

fn match_segments(ps: &[&str], xs: &[&str]) -> bool {
    match ps.split_first() {
        None => xs.is_empty(),
        Some((&"**", rest)) => (0..=xs.len()).any(|i| match_segments(rest, &xs[i..])),
        Some((p, rest)) => xs.split_first().is_some_and(|(x, xrest)| match_segment(p.as_bytes(), x.as_bytes()) && match_segments(rest, xrest)),
    }
}

fn match_segment(p: &[u8], x: &[u8]) -> bool {
    match p.split_first() {
        None => x.is_empty(),
        Some((b'*', rest)) => (0..=x.len()).any(|i| match_segment(rest, &x[i..])),
        Some((b'?', rest)) => !x.is_empty() && match_segment(rest, &x[1..]),
        Some((b'[', rest)) => {
            let Some(end) = rest.iter().skip(1).position(|&c| c == b']').map(|i| i + 1) else {
                return x.first() == Some(&b'[') && match_segment(rest, &x[1..]);
            };
            let Some((&c, xrest)) = x.split_first() else { return false };
            let (negate, class) = match rest[..end].split_first() {
                Some((b'!' | b'^', cls)) => (true, cls),
                _ => (false, &rest[..end]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && match_segment(&rest[end + 1..], xrest)
        }
        Some((b'\\', rest)) if !rest.is_empty() => x.first() == Some(&rest[0]) && match_segment(&rest[1..], &x[1..]),
        Some((c, rest)) => x.first() == Some(c) && match_segment(rest, &x[1..]),
    }
}

/// One file of the archive: its name, its bytes and its mode (None: the zip default, as for
/// content the provider adds with `Create`).
struct Entry {
    name: String,
    bytes: Vec<u8>,
    mode: Option<u32>,
}

fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

/// Walks `dir` in name order (Go's `filepath.Walk`), following symbolic links to files and,
/// unless `skip_symlink_dirs`, to directories, leaving out what `excludes` matches.
fn walk(dir: &Path, prefix: &str, excludes: &[String], skip_symlink_dirs: bool, out: &mut Vec<Entry>) -> Result<(), String> {
    let mut names: Vec<std::ffi::OsString> =
        std::fs::read_dir(dir).map_err(|e| format!("error encountered during file walk: {e}"))?.filter_map(|e| e.ok().map(|e| e.file_name())).collect();
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for name in names {
        let path = dir.join(&name);
        let rel = format!("{prefix}{}", name.to_string_lossy());
        let excluded = excludes.iter().any(|e| !e.is_empty() && glob_match(e, &rel));
        if excluded {
            continue;
        }
        let lmeta = std::fs::symlink_metadata(&path).map_err(|e| format!("error encountered during file walk: {e}"))?;
        let is_link = lmeta.file_type().is_symlink();
        let meta = if is_link { std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))? } else { lmeta };
        if meta.is_dir() {
            if is_link && skip_symlink_dirs {
                continue;
            }
            walk(&path, &format!("{rel}/"), excludes, skip_symlink_dirs, out)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("error reading file for archival: {e}"))?;
        out.push(Entry { name: rel, bytes, mode: Some(mode_of(&meta)) });
    }
    Ok(())
}

fn entries(src: Source, output_mode: Option<u32>) -> Result<Vec<Entry>, String> {
    let with_mode = |mut es: Vec<Entry>| {
        if let Some(m) = output_mode {
            es.iter_mut().for_each(|e| e.mode = Some(m));
        }
        es
    };
    Ok(match src {
        Source::File(f) => {
            let meta = std::fs::metadata(&f).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!("could not archive missing file: {f}"),
                _ => format!("{f}: {e}"),
            })?;
            let bytes = std::fs::read(&f).map_err(|e| format!("{f}: {e}"))?;
            let name = Path::new(&f).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(f.clone());
            with_mode(vec![Entry { name, bytes, mode: Some(mode_of(&meta)) }])
        }
        Source::Dir { dir, excludes, skip_symlink_dirs } => {
            match std::fs::metadata(&dir) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(format!("could not archive missing directory: {dir}")),
                Err(e) => return Err(format!("{dir}: {e}")),
                Ok(m) if !m.is_dir() => return Err(format!("could not archive directory that is a file: {dir}")),
                Ok(_) => {}
            }
            let mut out = Vec::new();
            walk(Path::new(&dir), "", &excludes, skip_symlink_dirs, &mut out)?;
            if out.is_empty() {
                return Err("archive has not been created as it would be empty".into());
            }
            with_mode(out)
        }
        Source::Content { filename, content } => vec![Entry { name: filename, bytes: content.into_bytes(), mode: None }],
        Source::Blocks(mut files) => {
            files.sort_by(|a, b| a.0.cmp(&b.0));
            files.dedup_by(|a, b| a.0 == b.0);
            files.into_iter().map(|(name, content)| Entry { name, bytes: content.into_bytes(), mode: None }).collect()
        }
    })
}

/// The zip of the entries, deflated, every entry dated 1980-01-01 00:00.
fn zip_bytes(entries: Vec<Entry>) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for e in entries {
        let mut opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .large_file(e.bytes.len() as u64 >= u32::MAX as u64);
        if let Some(m) = e.mode {
            opts = opts.unix_permissions(m);
        }
        w.start_file(e.name.replace('\\', "/"), opts).map_err(|x| format!("error creating file inside archive: {x}"))?;
        w.write_all(&e.bytes).map_err(|x| format!("error creating file inside archive: {x}"))?;
    }
    w.finish().map(|c| c.into_inner()).map_err(|e| format!("error creating archive: {e}"))
}

/// The gzipped tar of the entries: ustar headers with mtime 0, owner 0, and the mode of the
/// file or `output_file_mode` (content entries: `output_file_mode` or 0, as the provider's).
fn tar_gz_bytes(entries: Vec<Entry>, output_mode: Option<u32>) -> Result<Vec<u8>, String> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    for e in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(e.bytes.len() as u64);
        h.set_mode(e.mode.or(output_mode).unwrap_or(0));
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, e.name.replace('\\', "/"), e.bytes.as_slice()).map_err(|x| format!("could not write header, got error '{x}'"))?;
    }
    let gz = b.into_inner().map_err(|e| format!("error closing tarwriter : {e}"))?;
    gz.finish().map_err(|e| format!("error closing compressionWriter : {e}"))
}

/// Builds the archive a configuration describes, writes it to `output_path` (creating its
/// directory) and sets the size and hashes on `state`.
pub fn archive(state: &mut Value) -> Result<(), Diagnostics> {
    let src = source(state).map_err(|e| error("Invalid archive_file configuration", e))?;
    let mode = attr(state, "output_file_mode").as_str().and_then(|m| file_mode(m).ok());
    let tar = attr(state, "type").as_str() == Some("tar.gz");
    let bytes = entries(src, mode)
        .and_then(|es| if tar { tar_gz_bytes(es, mode) } else { zip_bytes(es) })
        .map_err(|e| error("Archive creation error", format!("error creating archive: {e}")))?;
    let out = attr(state, "output_path").as_str().unwrap_or_default().to_string();
    if let Some(dir) = Path::new(&out).parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::create_dir_all(dir).map_err(|e| error("Output path error", format!("error creating output path: {e}")))?;
    }
    std::fs::write(&out, &bytes).map_err(|e| error("Archive creation error", format!("error creating archive: {out}: {e}")))?;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let sha1 = hex::encode(sha1::Sha1::digest(&bytes));
    set(state, "output_size", Value::Number(bytes.len() as f64));
    for (k, v) in [
        ("output_md5", hex::encode(md5::Md5::digest(&bytes))),
        ("output_sha", sha1.clone()),
        ("output_sha256", hex::encode(sha2::Sha256::digest(&bytes))),
        ("output_base64sha256", b64(&sha2::Sha256::digest(&bytes))),
        ("output_sha512", hex::encode(sha2::Sha512::digest(&bytes))),
        ("output_base64sha512", b64(&sha2::Sha512::digest(&bytes))),
        ("id", sha1),
    ] {
        set(state, k, Value::String(v));
    }
    Ok(())
}

/// `archive_file`.
pub struct ArchiveFile;

#[async_trait]
impl ResourceType<ArchiveProvider> for ArchiveFile {
    fn name(&self) -> &'static str {
        "archive_file"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &ArchiveProvider, req: PlanRequest) -> PlanResponse {
        let planned = req.proposed_new_state;
        if planned.is_wholly_known() {
            if let Err(e) = source(&planned) {
                return PlanResponse::failed(error("Invalid archive_file configuration", e));
            }
        }
        let mut resp = PlanResponse::planned(planned);
        if let Some(prior) = &req.prior_state {
            if attr(prior, "source") != attr(&resp.planned_state, "source") {
                resp.requires_replace.push(vec![PathStep::Key("source".into())]);
            }
        }
        resp
    }

    async fn read(&self, _c: &ArchiveProvider, prior: Value) -> ReadResponse {
        let mut state = prior;
        match archive(&mut state) {
            Ok(()) => ReadResponse::found(state),
            Err(d) => ReadResponse::failed(state, d),
        }
    }

    async fn create(&self, _c: &ArchiveProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let mut state = planned;
        match archive(&mut state) {
            Ok(()) => ApplyResponse::ok(Some(state)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    async fn update(&self, _c: &ArchiveProvider, _prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::ok(Some(planned))
    }

    async fn delete(&self, _c: &ArchiveProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }

    async fn import(&self, _c: &ArchiveProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "archive_file cannot be imported, as in the archive provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::blank;
    use std::io::Read as _;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v = blank(&schema().block);
        for (k, x) in pairs {
            set(&mut v, k, x.clone());
        }
        schema().block.normalize(v)
    }

    fn names(path: &str) -> Vec<(String, u32, String)> {
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                (f.name().to_string(), f.unix_mode().unwrap_or(0) & 0o777, s)
            })
            .collect()
    }

    #[test]
    fn globs_match_as_doublestar_does() {
        assert!(glob_match("*.txt", "a.txt") && !glob_match("*.txt", "d/a.txt"));
        assert!(glob_match("**/*.txt", "a.txt") && glob_match("**/*.txt", "d/e/a.txt"));
        assert!(glob_match("d/**", "d/e/a.txt") && glob_match("{a,b}.md", "b.md") && !glob_match("{a,b}.md", "c.md"));
        assert!(glob_match("f?le[0-9].txt", "file1.txt") && !glob_match("f?le[!0-9].txt", "file1.txt"));
        assert!(glob_match("node_modules", "node_modules") && !glob_match("node_modules", "src/node_modules"));
        assert_eq!((file_mode("0666"), file_mode("0o644"), file_mode("420")), (Ok(0o666), Ok(0o644), Ok(0o644)));
        assert!(file_mode("rw").is_err());
    }

    #[tokio::test]
    async fn zips_a_directory_deterministically_with_excludes_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("sub/deep")).unwrap();
        std::fs::create_dir_all(src.join("skip")).unwrap();
        for (p, c) in [("b.txt", "b"), ("a.txt", "a"), ("sub/deep/c.txt", "c"), ("sub/x.log", "x"), ("skip/y.txt", "y")] {
            std::fs::write(src.join(p), c).unwrap();
        }
        let out = dir.path().join("out/a.zip").to_string_lossy().into_owned();
        let cfg = config(&[
            ("type", Value::string("zip")),
            ("source_dir", Value::string(src.to_string_lossy())),
            ("excludes", Value::set(vec![Value::string("skip"), Value::string("**/*.log")])),
            ("output_path", Value::string(&out)),
            ("output_file_mode", Value::string("0666")),
        ]);
        let mut first = cfg.clone();
        archive(&mut first).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(names(&out), vec![("a.txt".into(), 0o666, "a".into()), ("b.txt".into(), 0o666, "b".into()), ("sub/deep/c.txt".into(), 0o666, "c".into())]);
        assert_eq!(attr(&first, "output_size"), &Value::Number(bytes.len() as f64));
        assert_eq!(attr(&first, "id"), attr(&first, "output_sha"));
        // The same input gives the same bytes, whatever the files' times.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::write(src.join("a.txt"), "a").unwrap();
        let mut second = cfg.clone();
        archive(&mut second).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), bytes);
        assert_eq!(attr(&first, "output_base64sha256"), attr(&second, "output_base64sha256"));
        let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(z.len(), 3);
    }

    #[tokio::test]
    async fn content_blocks_file_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("c.zip").to_string_lossy().into_owned();
        let blocks = Value::set(vec![
            Value::object([("filename", Value::string("z.txt")), ("content", Value::string("z"))]),
            Value::object([("filename", Value::string("a.txt")), ("content", Value::string("a"))]),
        ]);
        let mut s = config(&[("type", Value::string("zip")), ("source", blocks), ("output_path", Value::string(&out))]);
        archive(&mut s).unwrap();
        assert_eq!(names(&out).into_iter().map(|n| n.0).collect::<Vec<_>>(), vec!["a.txt", "z.txt"]);
        let mut s = config(&[
            ("type", Value::string("zip")),
            ("source_content", Value::string("hello")),
            ("source_content_filename", Value::string("hello.txt")),
            ("output_path", Value::string(&out)),
        ]);
        archive(&mut s).unwrap();
        assert_eq!(names(&out)[0].2, "hello");
        let file = dir.path().join("one.sh");
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        let mut s = config(&[("type", Value::string("zip")), ("source_file", Value::string(file.to_string_lossy())), ("output_path", Value::string(&out))]);
        archive(&mut s).unwrap();
        assert_eq!(names(&out)[0].0, "one.sh");
        for bad in [
            config(&[("type", Value::string("zip")), ("output_path", Value::string(&out))]),
            config(&[("type", Value::string("rar")), ("source_file", Value::string("x")), ("output_path", Value::string(&out))]),
            config(&[
                ("type", Value::string("zip")),
                ("source_file", Value::string("x")),
                ("source_dir", Value::string("y")),
                ("output_path", Value::string(&out)),
            ]),
            config(&[("type", Value::string("zip")), ("source_file", Value::string("/no/such/file")), ("output_path", Value::string(&out))]),
        ] {
            let mut b = bad;
            assert!(archive(&mut b).is_err());
        }
    }

    #[tokio::test]
    async fn tar_gz_archives_are_deterministic_too() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("d")).unwrap();
        std::fs::write(src.join("d/x.txt"), "x").unwrap();
        std::fs::write(src.join("a.txt"), "a").unwrap();
        let out = dir.path().join("a.tar.gz").to_string_lossy().into_owned();
        let cfg = config(&[("type", Value::string("tar.gz")), ("source_dir", Value::string(src.to_string_lossy())), ("output_path", Value::string(&out))]);
        let (mut one, mut two) = (cfg.clone(), cfg);
        archive(&mut one).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::write(src.join("a.txt"), "a").unwrap();
        archive(&mut two).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), bytes);
        assert_eq!(attr(&one, "output_sha256"), attr(&two, "output_sha256"));
        let mut t = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        let names: Vec<(String, u64)> =
            t.entries().unwrap().map(|e| e.unwrap()).map(|e| (e.path().unwrap().to_string_lossy().into_owned(), e.header().mtime().unwrap())).collect();
        assert_eq!(names, vec![("a.txt".to_string(), 0), ("d/x.txt".to_string(), 0)]);
    }

    #[tokio::test]
    async fn resource_replaces_on_source_changes_and_refreshes_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.zip").to_string_lossy().into_owned();
        let block = |c: &str| Value::set(vec![Value::object([("filename", Value::string("f")), ("content", Value::string(c))])]);
        let cfg = config(&[("type", Value::string("zip")), ("source", block("1")), ("output_path", Value::string(&out))]);
        let p = ArchiveProvider;
        let plan = p.plan(PlanRequest { type_name: "archive_file".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        assert!(!plan.diagnostics.has_errors(), "{}", plan.diagnostics);
        assert_eq!(attr(&plan.planned_state, "output_sha"), &Value::Unknown);
        let state = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "archive_file".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await
            .new_state
            .unwrap();
        assert!(Path::new(&out).exists());
        let mut changed = state.clone();
        set(&mut changed, "source", block("2"));
        let plan = ArchiveFile
            .plan(&p, PlanRequest { type_name: "archive_file".into(), prior_state: Some(state.clone()), proposed_new_state: changed.clone(), config: changed });
        assert_eq!(plan.requires_replace, vec![vec![PathStep::Key("source".into())]]);
        assert!(schema().block.attributes["output_path"].force_new && !schema().block.attributes["exclude_symlink_directories"].force_new);
        std::fs::remove_file(&out).unwrap();
        let read = p.read(ReadRequest { type_name: "archive_file".into(), prior_state: state.clone() }).await;
        assert_eq!(read.new_state.as_ref().map(|s| attr(s, "output_sha").clone()), Some(attr(&state, "output_sha").clone()));
        assert!(Path::new(&out).exists());
    }
}
