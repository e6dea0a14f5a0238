//! The `s3` backend: the document backend ([`super::document`]) on S3 or an S3-compatible
//! store (DigitalOcean Spaces, MinIO). The lock is Terraform 1.10+'s lock object
//! (`KEY.tflock`, `use_lockfile = true`) written with a conditional put; workspaces other than
//! `default` live at `WORKSPACE_KEY_PREFIX/NAME/KEY`, as Terraform keeps them.

use std::future::Future;

use aws_sdk_s3::primitives::ByteStream;

use super::document::{lock_body, parse_lock, DocumentBackend, ObjectStore, Worker};
use super::store::{LockInfo, StateError, StateResult};

/// The backend block's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct S3Settings {
    pub bucket: String,
    pub key: String,
    pub region: String,
    pub workspace_key_prefix: String,
    pub encrypt: bool,
    pub use_lockfile: bool,
    pub endpoint: Option<String>,
    pub use_path_style: bool,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
}

impl S3Settings {
    /// The object key of a workspace's state.
    pub fn state_key(&self, workspace: &str) -> String {
        if workspace == "default" {
            self.key.clone()
        } else {
            format!("{}/{workspace}/{}", self.workspace_key_prefix, self.key)
        }
    }

    pub fn describe(&self, workspace: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.state_key(workspace))
    }
}

/// An S3 client for the settings (credentials: the block, else the usual AWS chain).
async fn client(settings: S3Settings) -> aws_sdk_s3::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(settings.region.clone()));
    if let (Some(ak), Some(sk)) = (&settings.access_key, &settings.secret_key) {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(ak, sk, settings.token.clone(), None, "skyform-backend-block"));
    } else if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    let sdk = loader.load().await;
    let mut s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(settings.use_path_style);
    if let Some(url) = &settings.endpoint {
        s3 = s3.endpoint_url(url);
    }
    aws_sdk_s3::Client::from_conf(s3.build())
}

/// The object's bytes, or None when it does not exist.
async fn get(client: aws_sdk_s3::Client, bucket: String, key: String) -> Result<Option<Vec<u8>>, String> {
    match client.get_object().bucket(&bucket).key(&key).send().await {
        Ok(out) => out.body.collect().await.map(|b| Some(b.into_bytes().to_vec())).map_err(|e| e.to_string()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
        Err(e) => Err(sdk_error(&e)),
    }
}

fn sdk_error<E: std::error::Error + aws_sdk_s3::error::ProvideErrorMetadata + 'static>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    match e {
        aws_sdk_s3::error::SdkError::ServiceError(s) => {
            let meta = s.raw().status().as_u16();
            let code = e.code().unwrap_or("error");
            let msg = e.message().unwrap_or("");
            format!("{code} (HTTP {meta}) {msg}").trim().to_string()
        }
        other => {
            let mut text = other.to_string();
            let mut src = std::error::Error::source(other);
            while let Some(s) = src {
                text = format!("{text}: {s}");
                src = s.source();
            }
            text
        }
    }
}

/// The S3 side of the document backend.
pub struct S3Store {
    settings: S3Settings,
    client: aws_sdk_s3::Client,
    worker: Worker,
}

impl S3Store {
    pub fn new(settings: &S3Settings) -> StateResult<S3Store> {
        let place = format!("s3://{}", settings.bucket);
        let worker = Worker::new("skyform-s3-state")
            .map_err(|e| StateError::Remote { place: place.clone(), detail: format!("could not start its request thread: {e}") })?;
        let client = worker.run(client(settings.clone())).ok_or_else(|| StateError::Remote { place, detail: "the request thread stopped".into() })?;
        Ok(S3Store { settings: settings.clone(), client, worker })
    }

    fn err(&self, key: &str, detail: impl std::fmt::Display) -> StateError {
        StateError::Remote { place: self.place(key), detail: detail.to_string() }
    }

    fn run<T: Send + 'static>(&self, key: &str, fut: impl Future<Output = Result<T, String>> + Send + 'static) -> StateResult<T> {
        self.worker.run(fut).ok_or_else(|| self.err(key, "the request thread stopped"))?.map_err(|e| self.err(key, e))
    }

    /// Writes the object; with `only_if_absent`, only if there is none (false: there was).
    fn put_object(&self, key: &str, body: Vec<u8>, only_if_absent: bool) -> StateResult<bool> {
        let (client, bucket, k, encrypt) = (self.client.clone(), self.settings.bucket.clone(), key.to_string(), self.settings.encrypt);
        self.run(key, async move {
            let mut req = client.put_object().bucket(bucket).key(k).body(ByteStream::from(body)).content_type("application/json");
            if encrypt {
                req = req.server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256);
            }
            if only_if_absent {
                req = req.if_none_match("*");
            }
            match req.send().await {
                Ok(_) => Ok(true),
                Err(e) if only_if_absent && e.raw_response().is_some_and(|r| r.status().as_u16() == 412 || r.status().as_u16() == 409) => Ok(false),
                Err(e) => Err(sdk_error(&e)),
            }
        })
    }
}

impl ObjectStore for S3Store {
    fn place(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.settings.bucket)
    }

    fn get(&self, key: &str) -> StateResult<Option<Vec<u8>>> {
        self.run(key, get(self.client.clone(), self.settings.bucket.clone(), key.to_string()))
    }

    fn put(&self, key: &str, body: Vec<u8>) -> StateResult<()> {
        self.put_object(key, body, false).map(|_| ())
    }

    fn delete(&self, key: &str) -> StateResult<()> {
        let (client, bucket, k) = (self.client.clone(), self.settings.bucket.clone(), key.to_string());
        self.run(key, async move { client.delete_object().bucket(bucket).key(k).send().await.map(|_| ()).map_err(|e| sdk_error(&e)) })
    }

    fn locks(&self) -> bool {
        self.settings.use_lockfile
    }

    fn lock(&self, key: &str, info: LockInfo) -> StateResult<Result<LockInfo, LockInfo>> {
        let path = format!("{}/{key}", self.settings.bucket);
        loop {
            if self.put_object(&format!("{key}.tflock"), lock_body(&info, &path), true)? {
                return Ok(Ok(info));
            }
            // Released between the refused put and this read: try again.
            if let Some(holder) = self.read_lock(key)? {
                return Ok(Err(holder));
            }
        }
    }

    fn read_lock(&self, key: &str) -> StateResult<Option<LockInfo>> {
        Ok(self.get(&format!("{key}.tflock"))?.map(|b| parse_lock(&b)))
    }

    fn unlock(&self, key: &str, _id: &str) -> StateResult<()> {
        self.delete(&format!("{key}.tflock"))
    }
}

/// Opens a workspace's state.
pub fn open(settings: &S3Settings, workspace: &str, cipher: Option<std::sync::Arc<super::encryption::Cipher>>) -> StateResult<DocumentBackend> {
    DocumentBackend::open(Box::new(S3Store::new(settings)?), settings.state_key(workspace), cipher)
}

/// The workspaces with a state object: "default" and every `PREFIX/NAME/KEY`.
pub fn workspaces(settings: &S3Settings) -> StateResult<Vec<String>> {
    let place = settings.describe("default");
    let err = |detail: String| StateError::Remote { place: place.clone(), detail };
    let worker = Worker::new("skyform-s3-state").map_err(|e| err(e.to_string()))?;
    let s = settings.clone();
    let fut = async move {
        let client = client(s.clone()).await;
        let prefix = format!("{}/", s.workspace_key_prefix);
        let mut names = Vec::new();
        let mut pages = client.list_objects_v2().bucket(&s.bucket).prefix(&prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error(&e))?;
            for o in page.contents() {
                let Some(rest) = o.key().and_then(|k| k.strip_prefix(&prefix)) else { continue };
                if let Some((name, key)) = rest.split_once('/') {
                    if key == s.key {
                        names.push(name.to_string());
                    }
                }
            }
        }
        Ok::<_, String>(names)
    };
    worker.run(fut).ok_or_else(|| err("the request thread stopped".into()))?.map_err(err)
}

/// Deletes a workspace's objects (state, journal, history).
pub fn delete_workspace(settings: &S3Settings, workspace: &str) -> StateResult<()> {
    let store = S3Store::new(settings)?;
    let key = settings.state_key(workspace);
    store.delete(&format!("{key}.tflock"))?;
    DocumentBackend::new(Box::new(store), key, None).delete_all()
}
