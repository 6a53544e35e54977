//! The blocking store: object_store behind a small tokio runtime.

use crate::{Location, StoreError};
use futures::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{
    ClientConfigKey, ObjectStore, ObjectStoreExt, ObjectStoreScheme, PutPayload, WriteMultipart,
};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

/// Part size of multipart uploads, and the largest file [`Store::put_file`] sends in a single
/// request. S3 wants parts of at least 5 MiB; 8 MiB keeps the number of requests low while
/// bounding memory (a few parts in flight at once).
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// Parts uploaded concurrently by one [`Store::put_file`]; with one part being read, memory
/// per upload stays below `(PARTS_IN_FLIGHT + 1) * part size`.
const PARTS_IN_FLIGHT: usize = 4;

/// S3 allows at most 10,000 parts per object; files too big for that at [`PART_SIZE`] (about
/// 70 GiB) use bigger parts. A margin below the limit costs nothing.
const MAX_PARTS: u64 = 9_000;

/// Client settings thresher changes from object_store's defaults, unless the environment sets
/// them (`{AWS,GOOGLE,AZURE}_{TIMEOUT,READ_TIMEOUT}`) or an option does.
///
/// object_store limits a whole request to 30 s, which a multi-gigabyte object cannot be
/// downloaded in; a generous total limit plus a read timeout (reset by every successful read)
/// still catches stalled connections.
const CLIENT_DEFAULTS: &[(ClientConfigKey, &str, &str)] = &[
    (ClientConfigKey::Timeout, "TIMEOUT", "30m"),
    (ClientConfigKey::ReadTimeout, "READ_TIMEOUT", "60s"),
];

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectInfo {
    /// The key, relative to the store's location (`/`-separated, no leading `/`).
    pub key: String,
    /// Size in bytes.
    pub size: u64,
}

/// Blocking access to the objects under one [`Location`]: a bucket (or container) and prefix,
/// or a local folder.
///
/// Keys are relative to the location the store was opened for: a store opened for
/// `s3://bucket/runs/7` reads key `out/a.jsonl` from `s3://bucket/runs/7/out/a.jsonl`. Keys are
/// `/`-separated; leading and trailing `/` are ignored, and empty, `.` or `..` parts are refused.
///
/// Each store owns its runtime (two worker threads) and connection pool, so open one per
/// location and reuse it. A `Store` is `Send + Sync`: share one between threads (for example behind an `Arc`, or by
/// reference in a rayon scope). Its methods must not be called from inside an async runtime
/// (tokio panics when a runtime blocks inside another).
#[derive(Debug)]
pub struct Store {
    location: Location,
    /// `location` as text, for error messages.
    url: String,
    inner: Arc<dyn ObjectStore>,
    runtime: tokio::runtime::Runtime,
}

impl Store {
    /// Opens the store for a location: a local path, `file://`, `s3://bucket/prefix`,
    /// `gs://bucket/prefix`, `az://container/prefix` or
    /// `abfs[s]://container@account.dfs.core.windows.net/prefix`.
    ///
    /// Settings come from the environment, read by object_store's builders (`from_env`):
    ///
    /// * S3: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`
    ///   (or `AWS_DEFAULT_REGION`; `us-east-1` if neither), `AWS_ENDPOINT_URL` (an
    ///   S3-compatible server such as MinIO, R2 or moto), `AWS_ALLOW_HTTP=true` for a plain
    ///   `http://` endpoint, `AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN` and the container and
    ///   instance-metadata credentials; not `~/.aws` profiles.
    /// * GCS: `GOOGLE_APPLICATION_CREDENTIALS` or `GOOGLE_SERVICE_ACCOUNT` (a key file),
    ///   `GOOGLE_SERVICE_ACCOUNT_KEY` (the key itself), else gcloud's application-default
    ///   credentials or the metadata server.
    /// * Azure: `AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`,
    ///   `AZURE_STORAGE_CLIENT_ID`/`_SECRET`/`_TENANT_ID`, `AZURE_STORAGE_SAS_KEY`,
    ///   `AZURE_STORAGE_USE_EMULATOR`, managed identity.
    ///
    /// A local folder is created if missing.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with_options(url, std::iter::empty::<(&str, &str)>())
    }

    /// Like [`Store::open`], with settings that override the environment: object_store's
    /// configuration keys for the URL's cloud, such as `aws_endpoint`, `aws_allow_http`,
    /// `aws_access_key_id`, `google_service_account`, `azure_storage_account_name` or the
    /// client keys `timeout` and `read_timeout` (case-insensitive). An unknown key, or any key
    /// for a local location, is an error.
    pub fn open_with_options<I, K, V>(url: &str, options: I) -> Result<Store, StoreError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let location = Location::parse(url)?;
        let url = location.to_string();
        let options: Vec<(String, String)> = options
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.into()))
            .collect();
        let fail = |message: String| StoreError::Open {
            url: url.clone(),
            message,
        };
        // reqwest is built without a default TLS provider (see Cargo.toml): ring's is made
        // the process default once; an error means one is installed already, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let inner = build(&location, options).map_err(fail)?;
        // Two workers drive connections and concurrent multipart parts while the calling
        // thread, inside `block_on`, does the file I/O; a store does not need more.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("thresher-store")
            .enable_all()
            .build()
            .map_err(|e| fail(format!("cannot start the I/O runtime: {e}")))?;
        Ok(Store {
            location,
            url,
            inner,
            runtime,
        })
    }

    /// The location this store was opened for.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Every object under `prefix` (a folder-like key prefix: `"a"` lists `a/…`, not `ab`;
    /// `""` lists everything), recursively, sorted by key.
    pub fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let path = if prefix.trim_matches('/').is_empty() {
            None
        } else {
            Some(self.path(prefix)?)
        };
        let mut objects: Vec<ObjectInfo> = self
            .runtime
            .block_on(
                self.inner
                    .list(path.as_ref())
                    .map_ok(|meta| ObjectInfo {
                        key: meta.location.to_string(),
                        size: meta.size,
                    })
                    .try_collect(),
            )
            .map_err(self.object_error("list", prefix))?;
        // Stores list in their own order (S3 by UTF-8 bytes, a local folder by directory
        // order); callers get one deterministic order everywhere.
        objects.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    /// The objects directly under `prefix` (a folder-like key prefix; `""` is the top), not
    /// those in deeper "folders", sorted by key: one listing request per 1,000 objects of
    /// this level only.
    pub fn list_dir(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let path = if prefix.trim_matches('/').is_empty() {
            None
        } else {
            Some(self.path(prefix)?)
        };
        let result = self
            .runtime
            .block_on(self.inner.list_with_delimiter(path.as_ref()))
            .map_err(self.object_error("list", prefix))?;
        let mut objects: Vec<ObjectInfo> = result
            .objects
            .into_iter()
            .map(|meta| ObjectInfo {
                key: meta.location.to_string(),
                size: meta.size,
            })
            .collect();
        objects.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    /// Downloads an object to `local_path` and returns its size. Streams into a temporary file
    /// beside `local_path` (`.{name}.tmp-{pid}-…`) and renames it into place when complete,
    /// so `local_path` never holds a partial object; a failed download leaves no temporary
    /// file. Missing parent folders are created.
    pub fn get_to_file(&self, key: &str, local_path: impl AsRef<Path>) -> Result<u64, StoreError> {
        let local_path = local_path.as_ref();
        let path = self.path(key)?;
        let local_error = self.local_error("get", key, local_path);
        let name = local_path.file_name().ok_or_else(|| {
            local_error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file name",
            ))
        })?;
        let dir = match local_path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(&local_error)?;
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(
                ".{}.tmp-{}-",
                name.to_string_lossy(),
                std::process::id()
            ))
            .tempfile_in(dir)
            .map_err(&local_error)?;

        let object_error = self.object_error("get", key);
        let size = self.runtime.block_on(async {
            let mut stream = self
                .inner
                .get(&path)
                .await
                .map_err(&object_error)?
                .into_stream();
            // Writing on the calling thread is fine: `block_on` runs this future here, while
            // the runtime's workers keep the connection going.
            let mut out = BufWriter::with_capacity(1 << 20, temp.as_file_mut());
            let mut size = 0u64;
            while let Some(chunk) = stream.try_next().await.map_err(&object_error)? {
                out.write_all(&chunk).map_err(&local_error)?;
                size += chunk.len() as u64;
            }
            out.flush().map_err(&local_error)?;
            Ok::<u64, StoreError>(size)
        })?;
        // Durable before visible: a crash after the rename must not leave a truncated file
        // under the final name.
        temp.as_file().sync_all().map_err(&local_error)?;
        temp.persist(local_path).map_err(|e| local_error(e.error))?;
        Ok(size)
    }

    /// Reads a whole object into memory: for small objects (markers, manifests, stats).
    pub fn get_bytes(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(key)?;
        let bytes = self
            .runtime
            .block_on(async { self.inner.get(&path).await?.bytes().await })
            .map_err(self.object_error("get", key))?;
        Ok(bytes.into())
    }

    /// Uploads a local file as `key` and returns its size. A file of up to [`PART_SIZE`]
    /// bytes goes up in one request, a bigger one as a multipart upload read part by part
    /// (memory stays bounded whatever the size). Either way the object appears only when
    /// complete, replacing any previous object of that key; a failed multipart upload is
    /// aborted so that its parts do not linger (and cost) in the bucket.
    pub fn put_file(&self, local_path: impl AsRef<Path>, key: &str) -> Result<u64, StoreError> {
        let local_path = local_path.as_ref();
        let path = self.path(key)?;
        let local_error = self.local_error("put", key, local_path);
        let object_error = self.object_error("put", key);
        let mut file = File::open(local_path).map_err(&local_error)?;
        let len = file.metadata().map_err(&local_error)?.len();

        if len <= PART_SIZE as u64 {
            let mut data = Vec::with_capacity(len as usize);
            file.read_to_end(&mut data).map_err(&local_error)?;
            let size = data.len() as u64;
            self.runtime
                .block_on(self.inner.put(&path, PutPayload::from(data)))
                .map_err(&object_error)?;
            return Ok(size);
        }

        let part_size = (PART_SIZE as u64).max(len.div_ceil(MAX_PARTS));
        self.runtime.block_on(async {
            let upload = self
                .inner
                .put_multipart(&path)
                .await
                .map_err(&object_error)?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, part_size as usize);
            let mut buffer = Vec::with_capacity(part_size as usize);
            let mut size = 0u64;
            loop {
                // Back pressure: read the next part only when a slot is free.
                if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                    let _ = writer.abort().await;
                    return Err(object_error(e));
                }
                buffer.clear();
                // Blocking reads on the calling thread, as in `get_to_file`.
                match (&mut file).take(part_size).read_to_end(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => size += n as u64,
                    Err(e) => {
                        let _ = writer.abort().await;
                        return Err(local_error(e));
                    }
                }
                writer.write(&buffer);
            }
            // `finish` aborts the upload itself when a part or the completion fails.
            writer.finish().await.map_err(&object_error)?;
            Ok(size)
        })
    }

    /// Writes `data` as `key` in one request, replacing any previous object.
    pub fn put_bytes(&self, key: &str, data: impl Into<Vec<u8>>) -> Result<(), StoreError> {
        let path = self.path(key)?;
        let payload = PutPayload::from(data.into());
        self.runtime
            .block_on(self.inner.put(&path, payload))
            .map_err(self.object_error("put", key))?;
        Ok(())
    }

    /// Deletes an object. Deleting a missing object is not an error (S3 and GCS already
    /// behave so; a local folder does not), so retried clean-ups are harmless.
    pub fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path(key)?;
        match self.runtime.block_on(self.inner.delete(&path)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.object_error("delete", key)(e)),
        }
    }

    /// The size of an object, `None` when there is none (a metadata request).
    pub fn size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        let path = self.path(key)?;
        match self.runtime.block_on(self.inner.head(&path)) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.object_error("head", key)(e)),
        }
    }

    /// Whether an object exists (a metadata request; no data is read).
    pub fn exists(&self, key: &str) -> Result<bool, StoreError> {
        let path = self.path(key)?;
        match self.runtime.block_on(self.inner.head(&path)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.object_error("head", key)(e)),
        }
    }

    /// The object path of a key, checked rather than silently re-encoded, so that the key a
    /// caller names is the key that is written.
    fn path(&self, key: &str) -> Result<ObjectPath, StoreError> {
        let invalid = |reason: String| StoreError::InvalidKey {
            url: self.url.clone(),
            key: key.to_string(),
            reason,
        };
        if key.trim_matches('/').is_empty() {
            return Err(invalid("empty key".into()));
        }
        ObjectPath::parse(key).map_err(|e| invalid(e.to_string()))
    }

    fn object_error<'a>(
        &'a self,
        op: &'static str,
        key: &'a str,
    ) -> impl Fn(object_store::Error) -> StoreError + 'a {
        move |source| StoreError::Object {
            op,
            url: self.url.clone(),
            key: key.to_string(),
            source: Box::new(source),
        }
    }

    fn local_error<'a>(
        &'a self,
        op: &'static str,
        key: &'a str,
        path: &'a Path,
    ) -> impl Fn(std::io::Error) -> StoreError + 'a {
        move |source| StoreError::Local {
            op,
            url: self.url.clone(),
            key: key.to_string(),
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Builds a cloud store: the builder's `from_env()`, thresher's client defaults where the
/// environment does not set them, the URL, then explicit options (so they win).
macro_rules! cloud_store {
    ($builder:ty, $key:ty, $env_prefix:literal, $url:expr, $options:expr) => {{
        let mut builder = <$builder>::from_env();
        for (key, env, value) in CLIENT_DEFAULTS {
            if std::env::var_os(concat!($env_prefix, "_").to_string() + env).is_none() {
                builder = builder.with_config(<$key>::Client(key.clone()), *value);
            }
        }
        builder = builder.with_url($url.as_str());
        for (key, value) in $options {
            let parsed = key
                .parse::<$key>()
                .map_err(|_| format!("unknown option {key:?} for a {} location", $env_prefix))?;
            builder = builder.with_config(parsed, value);
        }
        Arc::new(builder.build().map_err(|e| e.to_string())?) as Arc<dyn ObjectStore>
    }};
}

/// The object_store for a location, rooted at the location's prefix.
fn build(
    location: &Location,
    options: Vec<(String, String)>,
) -> Result<Arc<dyn ObjectStore>, String> {
    let url = match location {
        Location::Local(dir) => {
            if let Some((key, _)) = options.first() {
                return Err(format!("option {key:?} does not apply to a local folder"));
            }
            // LocalFileSystem needs an existing root; creating it matches object stores,
            // where a prefix exists as soon as something is written under it.
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            let local = LocalFileSystem::new_with_prefix(dir).map_err(|e| e.to_string())?;
            return Ok(Arc::new(local));
        }
        Location::Remote(url) => url,
    };
    let (scheme, prefix) = ObjectStoreScheme::parse(url).map_err(|e| e.to_string())?;
    let store = match scheme {
        ObjectStoreScheme::AmazonS3 => {
            cloud_store!(AmazonS3Builder, AmazonS3ConfigKey, "AWS", url, options)
        }
        ObjectStoreScheme::GoogleCloudStorage => {
            cloud_store!(
                GoogleCloudStorageBuilder,
                GoogleConfigKey,
                "GOOGLE",
                url,
                options
            )
        }
        ObjectStoreScheme::MicrosoftAzure => {
            cloud_store!(MicrosoftAzureBuilder, AzureConfigKey, "AZURE", url, options)
        }
        other => return Err(format!("unsupported store {other:?}")),
    };
    // Keys are relative to the URL's path, so a store opened for a prefix cannot touch
    // objects outside it.
    Ok(if prefix.is_root() {
        store
    } else {
        Arc::new(PrefixStore::new(store, prefix))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let store = Store::open(root.to_str().unwrap()).unwrap();
        (dir, store)
    }

    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Store>();
    }

    #[test]
    fn local_round_trip() {
        let (dir, store) = local_store();
        assert!(!store.location().is_remote());
        assert!(store.list("").unwrap().is_empty());
        assert!(!store.exists("a/x.txt").unwrap());

        store.put_bytes("a/x.txt", "hello").unwrap();
        store.put_bytes("a/sub/y z ü.txt", vec![1u8, 2, 3]).unwrap();
        store.put_bytes("ab.txt", "").unwrap();
        assert!(store.exists("a/x.txt").unwrap());
        assert_eq!(store.get_bytes("a/x.txt").unwrap(), b"hello");

        let keys = |prefix: &str| -> Vec<(String, u64)> {
            let list = store.list(prefix).unwrap();
            list.into_iter().map(|o| (o.key, o.size)).collect()
        };
        assert_eq!(
            keys(""),
            [
                ("a/sub/y z ü.txt".to_string(), 3),
                ("a/x.txt".to_string(), 5),
                ("ab.txt".to_string(), 0)
            ]
        );
        // A prefix is a folder: `a` does not match `ab.txt`.
        assert_eq!(keys("a").len(), 2);
        assert_eq!(keys("a/").len(), 2);
        assert!(keys("nothing").is_empty());

        // Files: small (one request) and bigger than a part (multipart).
        let big: Vec<u8> = (0..PART_SIZE + 12_345).map(|i| (i % 251) as u8).collect();
        let src = dir.path().join("big.bin");
        std::fs::write(&src, &big).unwrap();
        assert_eq!(store.put_file(&src, "big.bin").unwrap(), big.len() as u64);
        let dst = dir.path().join("down/load/big.bin");
        assert_eq!(
            store.get_to_file("big.bin", &dst).unwrap(),
            big.len() as u64
        );
        assert_eq!(std::fs::read(&dst).unwrap(), big);
        // No temporary file left beside the download.
        let names: Vec<_> = std::fs::read_dir(dst.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);

        store.delete("a/x.txt").unwrap();
        store.delete("a/x.txt").unwrap();
        assert!(!store.exists("a/x.txt").unwrap());
    }

    #[test]
    fn errors_name_the_location_and_key() {
        let (dir, store) = local_store();
        let err = store.get_bytes("missing/key.txt").unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("missing/key.txt"), "{text}");
        assert!(text.contains(&store.location().to_string()), "{text}");

        // A failed download leaves nothing behind.
        let dst = dir.path().join("d/out.bin");
        assert!(store
            .get_to_file("missing", &dst)
            .unwrap_err()
            .is_not_found());
        assert_eq!(std::fs::read_dir(dir.path().join("d")).unwrap().count(), 0);

        for key in ["", "/", "a//b", "a/../b", "a/./b", "tab\there"] {
            let err = store.put_bytes(key, "x").unwrap_err();
            assert!(
                matches!(err, StoreError::InvalidKey { .. }),
                "{key:?}: {err}"
            );
        }
        let err = store
            .put_file(dir.path().join("no-such-file"), "k")
            .unwrap_err();
        assert!(matches!(err, StoreError::Local { .. }), "{err}");
        assert!(err.to_string().contains("no-such-file"), "{err}");
    }

    #[test]
    fn open_refuses_bad_options() {
        let dir = tempfile::tempdir().unwrap();
        let err = Store::open_with_options(dir.path().to_str().unwrap(), [("aws_region", "x")])
            .unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err}");
        // Unknown keys are refused before any network access.
        let err = Store::open_with_options("s3://bucket/p", [("no_such_option", "1")]).unwrap_err();
        assert!(err.to_string().contains("no_such_option"), "{err}");
        assert!(err.to_string().contains("s3://bucket/p"), "{err}");
    }

    #[test]
    fn remote_stores_open_without_network() {
        // Building a client does no I/O, so these work offline with explicit settings.
        let s3 = Store::open_with_options(
            "s3://bucket/some/prefix",
            [("aws_region", "eu-west-1"), ("aws_skip_signature", "true")],
        )
        .unwrap();
        assert!(s3.location().is_remote());
        let az = Store::open_with_options(
            "az://container/p",
            [
                ("azure_storage_account_name", "acct"),
                ("azure_skip_signature", "true"),
            ],
        )
        .unwrap();
        assert_eq!(az.location().to_string(), "az://container/p");
    }
}
