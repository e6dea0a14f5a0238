//! `s3::` module sources: an archive object in S3 or an S3-compatible store, addressed as
//! go-getter addresses it (which Terraform uses): `s3::https://s3.amazonaws.com/BUCKET/KEY`,
//! `s3::https://s3-REGION.amazonaws.com/...`, `s3::https://s3.REGION.amazonaws.com/...`, or any
//! other host as a path-style endpoint (`s3::http://127.0.0.1:5000/BUCKET/KEY`, MinIO, moto).
//! Query arguments `region`, `version`, `aws_access_key_id`, `aws_access_key_secret` and
//! `aws_access_key_token` are honoured; otherwise credentials come from the standard AWS chain
//! (`AWS_*` variables, profiles).

/// Where an `s3::` URL points.
#[derive(Debug, PartialEq)]
struct Location {
    /// None for AWS itself, else the endpoint (`http://127.0.0.1:5000`).
    endpoint: Option<String>,
    region: Option<String>,
    bucket: String,
    key: String,
    version: Option<String>,
    credentials: Option<(String, String, Option<String>)>,
}

fn parse(url: &str) -> Result<Location, String> {
    let u = reqwest::Url::parse(url).map_err(|e| format!("invalid s3:: URL {url}: {e}"))?;
    let host = u.host_str().ok_or_else(|| format!("the s3:: URL {url} has no host"))?.to_string();
    let query: std::collections::HashMap<String, String> = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let path = u.path().trim_start_matches('/');
    let (bucket, key) = path
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or_else(|| format!("the s3:: URL {url} must name a bucket and a key: /BUCKET/KEY"))?;
    let aws_region = if host == "s3.amazonaws.com" {
        Some("us-east-1".to_string())
    } else {
        host.strip_suffix(".amazonaws.com").and_then(|h| h.strip_prefix("s3-").or_else(|| h.strip_prefix("s3."))).map(str::to_string)
    };
    let (endpoint, region) = match aws_region {
        Some(r) => (None, Some(r)),
        None => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            (Some(format!("{}://{host}{port}", u.scheme())), None)
        }
    };
    let credentials = query
        .get("aws_access_key_id")
        .map(|id| (id.clone(), query.get("aws_access_key_secret").cloned().unwrap_or_default(), query.get("aws_access_key_token").cloned()));
    Ok(Location {
        endpoint,
        region: query.get("region").cloned().or(region),
        bucket: percent_encoding::percent_decode_str(bucket).decode_utf8_lossy().into_owned(),
        key: percent_encoding::percent_decode_str(key).decode_utf8_lossy().into_owned(),
        version: query.get("version").cloned(),
        credentials,
    })
}

/// The archive kind of a key: `zip` or `tar.gz`.
fn archive_kind(key: &str) -> Option<&'static str> {
    let k = key.to_ascii_lowercase();
    if k.ends_with(".zip") {
        Some("zip")
    } else if k.ends_with(".tar.gz") || k.ends_with(".tgz") {
        Some("tar.gz")
    } else {
        None
    }
}

/// Downloads the object; returns its archive kind and bytes.
pub(super) fn download(url: &str) -> Result<(&'static str, Vec<u8>), String> {
    let loc = parse(url)?;
    let kind = archive_kind(&loc.key).ok_or_else(|| format!("the s3:: object {} is not an archive (.zip, .tar.gz, .tgz)", loc.key))?;
    // The fetchers are blocking and may run inside the CLI's runtime: the SDK gets its own,
    // on its own thread.
    let bytes = std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            rt.block_on(get_object(&loc))
        })
        .join()
        .map_err(|_| "the S3 download thread failed".to_string())?
    })?;
    Ok((kind, bytes))
}

/// Without the AWS driver compiled in, there is no S3 client.
#[cfg(not(feature = "aws"))]
async fn get_object(loc: &Location) -> Result<Vec<u8>, String> {
    Err(format!("cannot download s3://{}/{}: this skyform was built without the \"aws\" cargo feature, which s3:: module sources need", loc.bucket, loc.key))
}

#[cfg(feature = "aws")]
async fn get_object(loc: &Location) -> Result<Vec<u8>, String> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(r) = &loc.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some((id, secret, token)) = &loc.credentials {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(id, secret, token.clone(), None, "s3:: URL"));
    }
    let sdk = loader.load().await;
    let mut conf = aws_sdk_s3::config::Builder::from(&sdk);
    if sdk.region().is_none() {
        conf = conf.region(aws_config::Region::new("us-east-1"));
    }
    if let Some(e) = &loc.endpoint {
        conf = conf.endpoint_url(e).force_path_style(true);
    }
    let client = aws_sdk_s3::Client::from_conf(conf.build());
    let what = format!("s3://{}/{}", loc.bucket, loc.key);
    let resp = client
        .get_object()
        .bucket(&loc.bucket)
        .key(&loc.key)
        .set_version_id(loc.version.clone())
        .send()
        .await
        .map_err(|e| format!("cannot download {what}: {}", aws_sdk_s3::error::DisplayErrorContext(&e)))?;
    let body = resp.body.collect().await.map_err(|e| format!("cannot download {what}: {e}"))?;
    Ok(body.into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_go_getter_reads_them() {
        let l = parse("https://s3-eu-west-1.amazonaws.com/b/path/m.zip").unwrap();
        assert_eq!((l.endpoint, l.region.as_deref(), l.bucket.as_str(), l.key.as_str()), (None, Some("eu-west-1"), "b", "path/m.zip"));
        let l = parse("https://s3.amazonaws.com/b/m.zip?version=3").unwrap();
        assert_eq!((l.region.as_deref(), l.version.as_deref()), (Some("us-east-1"), Some("3")));
        let l = parse("http://127.0.0.1:5000/b/m.tgz?region=us-west-2&aws_access_key_id=a&aws_access_key_secret=s").unwrap();
        assert_eq!(l.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(l.region.as_deref(), Some("us-west-2"));
        assert_eq!(l.credentials, Some(("a".into(), "s".into(), None)));
        assert!(parse("https://s3.amazonaws.com/only-bucket").is_err());
        assert_eq!(archive_kind("x/m.TAR.GZ"), Some("tar.gz"));
        assert_eq!(archive_kind("m.txt"), None);
    }
}
