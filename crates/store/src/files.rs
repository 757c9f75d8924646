//! Where attachments' bytes live (issue 23): a directory beside the SQLite file (one server), or
//! S3-compatible object storage (several replicas on PostgreSQL), chosen by `--files`.
//! Keys are SHA-256 hex strings (content addressing); nothing else is accepted as a key, so a key
//! can never name a path outside the store.

use app::attachments::FileStore;
use app::error::AppError;
use async_trait::async_trait;
use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn check_key(key: &str) -> Result<(), AppError> {
    if key.len() == 64
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(AppError::internal(format!("not a content key: {key:?}")))
    }
}

fn io_err(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("file store: {e}"))
}

/// Files in a directory: `ROOT/ab/abcdef…` (two-character fan-out keeps directories small).
/// A write goes to `ROOT/.tmp/`, is flushed, renamed into place and the directory flushed, so a
/// crash leaves either the whole file or a temporary one (removed by [`DirFiles::new`]).
pub struct DirFiles {
    root: PathBuf,
}

impl DirFiles {
    /// Opens (creating) the directory and removes temporary files a killed process left.
    pub fn new(root: impl Into<PathBuf>) -> Result<DirFiles, AppError> {
        let root = root.into();
        std::fs::create_dir_all(root.join(".tmp")).map_err(io_err)?;
        if let Ok(entries) = std::fs::read_dir(root.join(".tmp")) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(DirFiles { root })
    }

    fn path_of(&self, key: &str) -> PathBuf {
        self.root.join(&key[..2]).join(key)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl FileStore for DirFiles {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        check_key(key)?;
        let path = self.path_of(key);
        let tmp_dir = self.root.join(".tmp");
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if path.exists() {
                return Ok(());
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let tmp = tmp_dir.join(format!("{}.{}", uuid::Uuid::now_v7(), std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &path)?;
            sync_dir(dir)
        })
        .await
        .map_err(io_err)?
        .map_err(io_err)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        check_key(key)?;
        match tokio::fs::read(self.path_of(key)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), AppError> {
        check_key(key)?;
        match tokio::fs::remove_file(self.path_of(key)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(e)),
        }
    }

    async fn list(&self) -> Result<Vec<(String, i64)>, AppError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<Vec<(String, i64)>> {
            let mut out = Vec::new();
            for fan in std::fs::read_dir(&root)?.flatten() {
                let name = fan.file_name().to_string_lossy().to_string();
                if name.len() != 2 || !fan.path().is_dir() {
                    continue;
                }
                for f in std::fs::read_dir(fan.path())?.flatten() {
                    let key = f.file_name().to_string_lossy().to_string();
                    if check_key(&key).is_err() {
                        continue;
                    }
                    let modified = f
                        .metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| d.as_millis() as i64)
                        .unwrap_or(0);
                    out.push((key, modified));
                }
            }
            Ok(out)
        })
        .await
        .map_err(io_err)?
        .map_err(io_err)
    }

    fn describe(&self) -> String {
        format!("dir:{}", self.root.display())
    }
}

/// Files in an S3-compatible bucket under a prefix, through the `object_store` crate. The
/// credentials, region and endpoint come from the usual environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` for a
/// non-AWS server such as MinIO or moto; plain http is allowed only for such an endpoint).
pub struct S3Files {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    url: String,
}

impl S3Files {
    /// `url` is `s3://bucket` or `s3://bucket/prefix`; everything else from the environment.
    pub fn from_env(url: &str) -> Result<S3Files, AppError> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .ok();
        let mut b = object_store::aws::AmazonS3Builder::from_env();
        match std::env::var("AWS_REGION") {
            Ok(r) => b = b.with_region(r),
            Err(_) if std::env::var("AWS_DEFAULT_REGION").is_err() => {
                b = b.with_region("us-east-1");
            }
            Err(_) => {}
        }
        Self::build(b, url, endpoint)
    }

    /// The same with explicit settings (tests against a local S3-compatible server).
    pub fn with_credentials(
        url: &str,
        endpoint: &str,
        key_id: &str,
        secret: &str,
        region: &str,
    ) -> Result<S3Files, AppError> {
        let b = object_store::aws::AmazonS3Builder::new()
            .with_access_key_id(key_id)
            .with_secret_access_key(secret)
            .with_region(region);
        Self::build(b, url, Some(endpoint.to_string()))
    }

    fn build(
        mut b: object_store::aws::AmazonS3Builder,
        url: &str,
        endpoint: Option<String>,
    ) -> Result<S3Files, AppError> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| io_err(format!("not an s3:// URL: {url}")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(io_err(format!("no bucket in {url}")));
        }
        b = b.with_bucket_name(bucket);
        if let Some(e) = endpoint {
            let http = e.starts_with("http://");
            b = b.with_endpoint(e).with_allow_http(http);
        }
        let store = b.build().map_err(io_err)?;
        Ok(S3Files {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_string(),
            url: url.to_string(),
        })
    }

    fn path_of(&self, key: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        }
    }
}

#[async_trait]
impl FileStore for S3Files {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        check_key(key)?;
        self.store
            .put(&self.path_of(key), bytes.into())
            .await
            .map_err(io_err)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        check_key(key)?;
        match self.store.get(&self.path_of(key)).await {
            Ok(r) => Ok(Some(r.bytes().await.map_err(io_err)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io_err(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), AppError> {
        check_key(key)?;
        match self.store.delete(&self.path_of(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io_err(e)),
        }
    }

    async fn list(&self) -> Result<Vec<(String, i64)>, AppError> {
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        let metas: Vec<object_store::ObjectMeta> = self
            .store
            .list(prefix.as_ref())
            .try_collect()
            .await
            .map_err(io_err)?;
        Ok(metas
            .into_iter()
            .filter_map(|m| {
                let key = m.location.filename()?.to_string();
                check_key(&key)
                    .ok()
                    .map(|_| (key, m.last_modified.timestamp_millis()))
            })
            .collect())
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}

/// The file store `--files` names: `s3://bucket/prefix`, `file:///path` or a path.
pub fn open(spec: &str) -> Result<Arc<dyn FileStore>, AppError> {
    if spec.starts_with("s3://") {
        Ok(Arc::new(S3Files::from_env(spec)?))
    } else {
        let path = spec.strip_prefix("file://").unwrap_or(spec);
        Ok(Arc::new(DirFiles::new(path)?))
    }
}

/// The default directory for a database: beside a SQLite file (`o.db` → `o.db.files/`), or
/// `./onewindow-files` for PostgreSQL (several replicas need `--files s3://…`).
pub fn default_dir(db_url: &str) -> PathBuf {
    match db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"))
    {
        Some(path) => {
            let path = path.split('?').next().unwrap_or(path);
            PathBuf::from(format!("{path}.files"))
        }
        None => PathBuf::from("onewindow-files"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_directory_keeps_what_it_was_given_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("ow-files-{}", uuid::Uuid::now_v7()));
        let fs = DirFiles::new(&dir).unwrap();
        let key = files::content_key(b"photo");
        fs.put(&key, b"photo".to_vec()).await.unwrap();
        fs.put(&key, b"photo".to_vec()).await.unwrap();
        assert_eq!(fs.get(&key).await.unwrap().unwrap(), b"photo");
        assert_eq!(fs.list().await.unwrap().len(), 1);
        assert!(fs.get("../../etc/passwd").await.is_err());
        assert!(fs.put("ab/../x", vec![]).await.is_err());
        fs.delete(&key).await.unwrap();
        assert_eq!(fs.get(&key).await.unwrap(), None);
        // A temporary file of a killed write is gone when the store is opened again.
        std::fs::write(dir.join(".tmp").join("half"), b"x").unwrap();
        DirFiles::new(&dir).unwrap();
        assert_eq!(std::fs::read_dir(dir.join(".tmp")).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn default_directory_beside_sqlite() {
        assert_eq!(
            default_dir("sqlite:///var/lib/ow/o.db?mode=rwc"),
            PathBuf::from("/var/lib/ow/o.db.files")
        );
        assert_eq!(
            default_dir("postgres://x/y"),
            PathBuf::from("onewindow-files")
        );
    }
}
