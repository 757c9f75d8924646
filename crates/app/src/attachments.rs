//! Files on cases (issue 23): photos a citizen sends, evidence a handler attaches when resolving,
//! documents of any step.
//!
//! Durability: the bytes are written to the file store (and flushed to disk, or acknowledged by
//! the object store) before the row that refers to them is inserted; a process killed in between
//! leaves an unreferenced file, which [`App::collect_orphan_files`] removes after a grace period,
//! never a row pointing at nothing. Files are content-addressed (SHA-256), so the same photo sent
//! twice is stored once and a retried upload is harmless.
//!
//! Visibility: staff see the files of the cases they may see (another unit's file is 404, like
//! its case). The public sees only what the citizen sent and what the handling unit published,
//! served without the metadata (EXIF location, device, author) the original keeps for staff.

use crate::App;
use crate::deadlines::format_instant;
use crate::error::{AppError, ErrorKind};
use crate::ports::AttachmentRow;
use crate::scope::Principal;
use async_trait::async_trait;
use domain::{Action, Role, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

/// Where the bytes live: a directory beside the SQLite file, or S3-compatible object storage
/// shared by several replicas (`store::files`). Keys are SHA-256 hex strings.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `key`; returns only once they are durable.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError>;
    async fn delete(&self, key: &str) -> Result<(), AppError>;
    /// Every stored key with when it was written (epoch ms).
    async fn list(&self) -> Result<Vec<(String, i64)>, AppError>;
    /// For logs and the readiness report: `dir:/path` or `s3://bucket/prefix`.
    fn describe(&self) -> String;
}

/// The store of a process started without one (command-line tools): every use is refused.
pub struct NoFiles;

fn no_storage() -> AppError {
    AppError::new(
        ErrorKind::Internal,
        "no_file_storage",
        "未配置附件存储（--files）",
        "no file storage is configured (--files)",
    )
}

#[async_trait]
impl FileStore for NoFiles {
    async fn put(&self, _: &str, _: Vec<u8>) -> Result<(), AppError> {
        Err(no_storage())
    }
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, AppError> {
        Ok(None)
    }
    async fn delete(&self, _: &str) -> Result<(), AppError> {
        Ok(())
    }
    async fn list(&self) -> Result<Vec<(String, i64)>, AppError> {
        Ok(Vec::new())
    }
    fn describe(&self) -> String {
        "none".into()
    }
}

/// Fetches a file a client named by URL (Open311's `media_url`): http/https only, never a private
/// or loopback address, bounded in size and time (`web::media`).
#[async_trait]
pub trait MediaFetcher: Send + Sync {
    /// The bytes and the file name the URL suggests; the reason when it cannot be fetched.
    async fn fetch(&self, url: &str, max_bytes: usize) -> Result<(Vec<u8>, String), String>;
}

/// No fetching: every `media_url` is kept as a link.
pub struct NoFetch;

#[async_trait]
impl MediaFetcher for NoFetch {
    async fn fetch(&self, _: &str, _: usize) -> Result<(Vec<u8>, String), String> {
        Err("fetching is not enabled".into())
    }
}

/// The limits a process starts with (the HTTP layer sizes its upload routes by them).
pub fn default_limits() -> files::Limits {
    files::Limits::default()
}

/// The steps a file can belong to.
pub const STEPS: &[(&str, &str)] = &[
    ("intake", "受理"),
    ("resolve", "办结"),
    ("return", "退回"),
    ("follow_up", "回访"),
    ("extension", "延期"),
    ("mediation", "调解"),
    ("report", "报告"),
    ("other", "其他"),
];

/// The setting of which categories need evidence to be resolved.
pub const EVIDENCE_SETTING: &str = "evidence_policy";

/// 办结佐证: categories (a `一级` or a full `一级/二级`) whose cases are resolved only with a file
/// attached at the resolve step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidencePolicy {
    #[serde(default)]
    pub categories: Vec<String>,
}

impl EvidencePolicy {
    pub fn requires(&self, category: &str) -> bool {
        self.categories.iter().any(|c| {
            category == c
                || category
                    .strip_prefix(c.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

/// One upload.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
    pub step: Option<String>,
    pub public: Option<bool>,
}

/// Thumbnails fit this square.
const THUMB_SIDE: u32 = 320;
/// An orphan (bytes without a row) younger than this may belong to an upload in flight.
const ORPHAN_GRACE_MS: i64 = 3_600_000;

fn check_step(step: Option<&str>) -> Result<String, AppError> {
    let step = step
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("other");
    if STEPS.iter().any(|(c, _)| *c == step) {
        Ok(step.to_string())
    } else {
        let codes: Vec<&str> = STEPS.iter().map(|(c, _)| *c).collect();
        Err(AppError::field(
            "step",
            format!("「{step}」无效，可选：{}", codes.join("、")),
            format!("'{step}' is not a step; use one of {}", codes.join(", ")),
        ))
    }
}

fn attachment_not_found() -> AppError {
    AppError::not_found("附件", "attachment")
}

/// The staff view of a file.
pub fn staff_view(a: &AttachmentRow) -> Value {
    let base = format!("/api/v1/cases/{}/attachments/{}", a.case_id, a.id);
    let public = public_view(a);
    json!({
        "id": a.id,
        "case_id": a.case_id,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "kind": a.kind,
        "step": a.step,
        "step_label": STEPS.iter().find(|(c, _)| *c == a.step).map(|(_, l)| *l),
        "source": a.source,
        "public": a.public,
        "uploaded_at": format_instant(a.uploaded_at),
        "uploaded_by": a.uploaded_by_name,
        // A link (an Open311 media_url that could not be fetched) points where the client said.
        "url": if a.kind == "link" { a.name.clone() } else { base.clone() },
        "thumbnail_url": a.thumb_key.as_ref().map(|_| format!("{base}/thumbnail")),
        "public_url": public["public_url"],
        "public_thumbnail_url": public["public_thumbnail_url"],
        "location": match (a.lat, a.lon) {
            (Some(lat), Some(lon)) => json!({ "lat": lat, "lon": lon }),
            _ => Value::Null,
        },
    })
}

/// What the public sees of a public file: no uploader, no location, URLs of the stripped copy.
pub fn public_view(a: &AttachmentRow) -> Value {
    let base = format!("/api/v1/public/attachments/{}", a.id);
    let public = a.public;
    json!({
        "id": a.id,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "kind": a.kind,
        "public_url": public.then(|| base.clone()),
        "public_thumbnail_url": (public && a.thumb_key.is_some()).then(|| format!("{base}/thumbnail")),
    })
}

/// Bytes to send, with their type and the name to offer.
pub struct FileBody {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub name: String,
}

impl App {
    /// The evidence policy (empty when none is set).
    pub async fn evidence_policy(&self) -> Result<EvidencePolicy, AppError> {
        Ok(match self.store.get_setting(EVIDENCE_SETTING).await? {
            Some(t) => serde_json::from_str(&t).unwrap_or_default(),
            None => EvidencePolicy::default(),
        })
    }

    /// Replaces the evidence policy (admin); every category must be in the taxonomy.
    pub async fn put_evidence_policy(
        &self,
        p: &Principal,
        body: &Value,
    ) -> Result<EvidencePolicy, AppError> {
        if p.role != Role::Admin {
            return Err(AppError::forbidden(
                "只有管理员可以设置办结佐证要求",
                "only an administrator sets the evidence policy",
            ));
        }
        let policy: EvidencePolicy = serde_json::from_value(body.clone()).map_err(|e| {
            AppError::field(
                "categories",
                format!("应为类别列表：{e}"),
                format!("expected a list of categories: {e}"),
            )
        })?;
        let taxonomy = self.taxonomy().await?;
        for c in &policy.categories {
            let known = taxonomy.iter().any(|t| {
                t.category == *c
                    || t.category
                        .strip_prefix(c.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            });
            if !known {
                return Err(AppError::field(
                    "categories",
                    format!("类别「{c}」不在分类目录中"),
                    format!("category '{c}' is not in the taxonomy"),
                ));
            }
        }
        self.store
            .put_setting(
                EVIDENCE_SETTING,
                &serde_json::to_string(&policy).map_err(AppError::internal)?,
            )
            .await?;
        Ok(policy)
    }

    /// Refuses to resolve a case whose category needs evidence when no file was attached at the
    /// resolve step (since the case was last reopened).
    pub(crate) async fn check_evidence(&self, case: &domain::Case) -> Result<(), AppError> {
        if !self.evidence_policy().await?.requires(&case.category) {
            return Ok(());
        }
        // Evidence of this round of work: a case sent back to work (重办, an unsatisfied
        // follow-up, a return to the hub) needs new evidence, not the photo of the work that did
        // not satisfy. (A follow-up that closed the case is never followed by a resolve.)
        let since = self
            .store
            .events(case.id)
            .await?
            .iter()
            .filter(|e| {
                [Action::Reopen, Action::FollowUp, Action::Return]
                    .iter()
                    .any(|a| e.action == a.code())
            })
            .map(|e| e.at)
            .max()
            .unwrap_or(i64::MIN);
        let files = self.store.attachments_of_case(case.id).await?;
        if files
            .iter()
            .any(|a| a.step == "resolve" && a.uploaded_at >= since)
        {
            return Ok(());
        }
        Err(AppError::field(
            "evidence",
            "该类事项办结须上传办结照片等佐证材料",
            "cases of this category are resolved only with evidence: attach a photo or document at the resolve step first",
        ))
    }

    /// The type of a file, or why it is refused (size, then type by content). Cheap: channels
    /// call it before registering the case the file comes with, so a refused file changes nothing.
    pub fn check_file(&self, name: &str, bytes: &[u8]) -> Result<files::Sniffed, AppError> {
        let limits = self.file_limits;
        if bytes.len() > limits.max_bytes {
            return Err(AppError::new(
                ErrorKind::PayloadTooLarge,
                "file_too_large",
                format!(
                    "文件过大（{:.1} MB），单个附件不超过 {} MB",
                    bytes.len() as f64 / 1_048_576.0,
                    limits.max_bytes / 1_048_576
                ),
                format!(
                    "the file is too large ({:.1} MB); at most {} MB per file",
                    bytes.len() as f64 / 1_048_576.0,
                    limits.max_bytes / 1_048_576
                ),
            ));
        }
        files::sniff(bytes, name).ok_or_else(|| {
            AppError::new(
                ErrorKind::UnsupportedMediaType,
                "file_type",
                format!(
                    "不支持的文件类型（「{name}」）：可上传图片（JPG、PNG、GIF、WebP）、PDF、OFD、Word、Excel、PowerPoint、WPS 或文本文件"
                ),
                format!(
                    "'{name}' is not an accepted type: images (JPG, PNG, GIF, WebP), PDF, OFD, Word, Excel, PowerPoint, WPS or text"
                ),
            )
        })
    }

    /// Checks, stores and records one file; the row is written after the bytes are durable.
    async fn store_attachment(
        &self,
        case: &domain::Case,
        up: Upload,
        source: &str,
        public: bool,
        by: Option<(Option<Uuid>, String)>,
        at: i64,
    ) -> Result<AttachmentRow, AppError> {
        let limits = self.file_limits;
        let step = check_step(up.step.as_deref())?;
        let name = files::clean_name(&up.name, "附件");
        let kind = self.check_file(&name, &up.bytes)?;
        if self.store.attachments_of_case(case.id).await?.len() >= limits.max_per_case {
            return Err(too_many(limits.max_per_case));
        }
        let bytes = up.bytes;
        let (thumb, location, bytes) = if kind.kind == files::Kind::Image {
            let max_pixels = limits.max_pixels;
            let (thumb, location, bytes) = tokio::task::spawn_blocking(move || {
                let t = files::thumbnail(&bytes, THUMB_SIDE, max_pixels);
                let l = files::gps_location(&bytes);
                (t, l, bytes)
            })
            .await
            .map_err(AppError::internal)?;
            let thumb = thumb.map_err(|e| match e {
                files::ThumbError::TooLarge { width, height } => AppError::new(
                    ErrorKind::PayloadTooLarge,
                    "image_too_large",
                    format!("图片像素过大（{width}×{height}），请压缩后上传"),
                    format!(
                        "the image is too large ({width}×{height} pixels); reduce it and retry"
                    ),
                ),
                files::ThumbError::Undecodable(_) => AppError::new(
                    ErrorKind::UnsupportedMediaType,
                    "file_damaged",
                    format!("图片「{name}」已损坏或无法识别"),
                    format!("the image '{name}' is damaged or cannot be read"),
                ),
            })?;
            (Some(thumb), location, bytes)
        } else {
            (None, None, bytes)
        };
        let size = bytes.len() as i64;
        let file_key = files::content_key(&bytes);
        // Bytes first, durably; then the row.
        self.files.put(&file_key, bytes).await?;
        let thumb_key = match thumb {
            Some(t) => {
                let k = files::content_key(&t);
                self.files.put(&k, t).await?;
                Some(k)
            }
            None => None,
        };
        let row = AttachmentRow {
            id: Uuid::now_v7(),
            case_id: case.id,
            name,
            size,
            content_type: kind.content_type.to_string(),
            kind: kind.kind.code().to_string(),
            step,
            source: source.to_string(),
            public,
            file_key,
            thumb_key,
            lat: location.map(|l| l.0),
            lon: location.map(|l| l.1),
            uploaded_by: by.as_ref().and_then(|b| b.0),
            uploaded_by_name: by.map(|b| b.1),
            uploaded_at: at,
        };
        if !self
            .store
            .insert_attachment(&row, limits.max_per_case)
            .await?
        {
            return Err(too_many(limits.max_per_case));
        }
        metrics::counter!("onewindow_attachments_total", "source" => source.to_string())
            .increment(1);
        Ok(row)
    }

    /// A staff member attaches a file to a case they may see.
    pub async fn upload_attachment(
        &self,
        p: &Principal,
        case_id: Uuid,
        up: Upload,
    ) -> Result<Value, AppError> {
        let (case, _) = self.visible_case(p, case_id).await?;
        if !p.is_staff() {
            return Err(AppError::forbidden(
                "只有工作人员可以在此上传附件",
                "only staff attach files here",
            ));
        }
        let public = up.public.unwrap_or(false);
        let row = self
            .store_attachment(
                &case,
                up,
                "staff",
                public,
                Some((Some(p.id), p.name.clone())),
                self.now(),
            )
            .await?;
        Ok(staff_view(&row))
    }

    /// A case's files (staff who may see the case).
    pub async fn case_attachments(&self, p: &Principal, case_id: Uuid) -> Result<Value, AppError> {
        self.visible_case(p, case_id).await?;
        let rows = self.store.attachments_of_case(case_id).await?;
        Ok(Value::Array(rows.iter().map(staff_view).collect()))
    }

    async fn visible_attachment(
        &self,
        p: &Principal,
        case_id: Uuid,
        id: Uuid,
    ) -> Result<(AttachmentRow, domain::Case), AppError> {
        let (case, _) = self
            .visible_case(p, case_id)
            .await
            .map_err(|_| attachment_not_found())?;
        match self.store.attachment(id).await? {
            Some(a) if a.case_id == case_id => Ok((a, case)),
            _ => Err(attachment_not_found()),
        }
    }

    /// The original bytes (or the thumbnail) for staff who may see the case; 404 otherwise.
    pub async fn attachment_body(
        &self,
        p: &Principal,
        case_id: Uuid,
        id: Uuid,
        thumbnail: bool,
    ) -> Result<FileBody, AppError> {
        let (a, _) = self.visible_attachment(p, case_id, id).await?;
        self.file_body(&a, thumbnail, false).await
    }

    async fn file_body(
        &self,
        a: &AttachmentRow,
        thumbnail: bool,
        stripped: bool,
    ) -> Result<FileBody, AppError> {
        if a.kind == "link" {
            return Err(attachment_not_found());
        }
        let key = if thumbnail {
            a.thumb_key.as_deref().ok_or_else(attachment_not_found)?
        } else {
            &a.file_key
        };
        let bytes = self.files.get(key).await?.ok_or_else(|| {
            tracing::error!(attachment = %a.id, key, "attachment bytes missing from the file store");
            attachment_not_found()
        })?;
        if thumbnail {
            return Ok(FileBody {
                bytes,
                content_type: "image/jpeg".into(),
                name: format!("thumbnail-{}.jpg", a.id),
            });
        }
        let bytes = if stripped && a.kind == "image" {
            files::strip_metadata(&bytes, &a.content_type).ok_or_else(attachment_not_found)?
        } else {
            bytes
        };
        Ok(FileBody {
            bytes,
            content_type: a.content_type.clone(),
            name: a.name.clone(),
        })
    }

    /// Publishes or withdraws a file (the handling unit, the hub that dispatched it, an admin).
    pub async fn set_attachment_public(
        &self,
        p: &Principal,
        case_id: Uuid,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let (mut a, case) = self.visible_attachment(p, case_id, id).await?;
        let Some(public) = body.get("public").and_then(Value::as_bool) else {
            return Err(AppError::field(
                "public",
                "应为 true 或 false",
                "expected true or false",
            ));
        };
        let tree = self.org.tree().await?;
        let unit = p.unit.as_deref().unwrap_or_default();
        let handling = case.unit.as_deref() == Some(unit);
        let hub = tree
            .get(unit)
            .is_some_and(|u| u.kind == domain::UnitKind::Hub)
            && tree.is_within(&case.hub, unit);
        if !(p.is_staff() && (handling || hub || p.role == Role::Admin)) {
            return Err(AppError::forbidden(
                "只有承办单位或受理中心可以公开或撤回附件",
                "only the handling unit or the dispatching hub publishes or withdraws files",
            ));
        }
        self.store.set_attachment_public(id, public).await?;
        a.public = public;
        Ok(staff_view(&a))
    }

    /// A public file's bytes without metadata (or its thumbnail); 404 for anything not public.
    pub async fn public_attachment_body(
        &self,
        id: Uuid,
        thumbnail: bool,
    ) -> Result<FileBody, AppError> {
        match self.store.attachment(id).await? {
            Some(a) if a.public => self.file_body(&a, thumbnail, true).await,
            _ => Err(attachment_not_found()),
        }
    }

    /// The public files of a case (the portal's tracking page).
    pub(crate) async fn public_attachments(&self, case_id: Uuid) -> Result<Vec<Value>, AppError> {
        Ok(self
            .store
            .attachments_of_case(case_id)
            .await?
            .iter()
            .filter(|a| a.public)
            .map(public_view)
            .collect())
    }

    /// A citizen adds a photo to their own open case from the portal (number and registration
    /// phone, rationed like a look-up). Citizens' files are public: they are what they sent.
    pub async fn portal_upload(
        &self,
        number: &str,
        phone: &str,
        up: Upload,
        client: &crate::throttle::Client,
    ) -> Result<Value, AppError> {
        self.ration_lookup(number, phone, client).await?;
        let case = self.portal_case(number, phone).await?;
        if matches!(
            case.status,
            Status::Closed | Status::Rejected | Status::Merged
        ) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "case_closed",
                "该工单已办结归档，不能再补充材料",
                "this case is closed; no more files can be added",
            ));
        }
        let up = Upload {
            step: Some("intake".into()),
            public: Some(true),
            ..up
        };
        let row = self
            .store_attachment(&case, up, "citizen", true, None, self.now())
            .await?;
        Ok(public_view(&row))
    }

    /// A file that came with a case from a channel (Open311 `media`, a fetched `media_url`):
    /// the citizen's, public.
    pub async fn attach_citizen_file(
        &self,
        case: &domain::Case,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<AttachmentRow, AppError> {
        self.store_attachment(
            case,
            Upload {
                name: name.to_string(),
                bytes,
                step: Some("intake".into()),
                public: Some(true),
            },
            "citizen",
            true,
            None,
            self.now(),
        )
        .await
    }

    /// Installers (the demo district's history): a file on a case as of `at`, by `by` (a name) or
    /// by the citizen when `by` is `None`.
    pub async fn install_attachment(
        &self,
        case: &domain::Case,
        up: Upload,
        by: Option<&str>,
        at: i64,
    ) -> Result<AttachmentRow, AppError> {
        let source = if by.is_some() { "staff" } else { "citizen" };
        let public = up.public.unwrap_or(by.is_none());
        self.store_attachment(
            case,
            up,
            source,
            public,
            by.map(|b| (None, b.to_string())),
            at,
        )
        .await
    }

    /// Removes stored files no row refers to, once older than the grace period (an upload killed
    /// between its bytes and its row). Returns how many were removed.
    pub async fn collect_orphan_files(&self) -> Result<usize, AppError> {
        // File times are the machine's (not the app's clock, which a test may have moved).
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut removed = 0;
        for (key, written) in self.files.list().await? {
            if wall - written < ORPHAN_GRACE_MS {
                continue;
            }
            if !self.store.file_key_used(&key).await? {
                self.files.delete(&key).await?;
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "orphan files collected");
        }
        Ok(removed)
    }
}

impl App {
    /// A file named by URL onto a case, by staff (a ledger's 照片链接): fetched under the same
    /// rules as Open311's `media_url`, or kept on the case as a link when it cannot be (an
    /// intranet photo server the fetcher must not reach, a type refused, an error).
    pub async fn attach_from_url(
        &self,
        case: &domain::Case,
        url: &str,
        by: &str,
    ) -> Result<(), AppError> {
        if let Ok((bytes, name)) = self.media.fetch(url, self.file_limits.max_bytes).await {
            let up = Upload {
                name,
                bytes,
                step: Some("intake".into()),
                public: Some(false),
            };
            match self
                .store_attachment(
                    case,
                    up,
                    "staff",
                    false,
                    Some((None, by.to_string())),
                    self.now(),
                )
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if e.kind == ErrorKind::Internal => return Err(e),
                Err(_) => {}
            }
        }
        self.keep_link(case, url, "staff", Some(by)).await
    }

    /// A URL kept on a case as a link (never public: staff open it where they can reach it).
    async fn keep_link(
        &self,
        case: &domain::Case,
        url: &str,
        source: &str,
        by: Option<&str>,
    ) -> Result<(), AppError> {
        let row = AttachmentRow {
            id: Uuid::now_v7(),
            case_id: case.id,
            name: url.to_string(),
            size: 0,
            content_type: "text/uri-list".into(),
            kind: "link".into(),
            step: "intake".into(),
            source: source.to_string(),
            public: false,
            file_key: String::new(),
            thumb_key: None,
            lat: None,
            lon: None,
            uploaded_by: None,
            uploaded_by_name: by.map(str::to_string),
            uploaded_at: self.now(),
        };
        self.store
            .insert_attachment(&row, self.file_limits.max_per_case)
            .await?;
        Ok(())
    }
}

/// Longest `media_url` kept.
const MAX_MEDIA_URL: usize = 1000;

impl App {
    /// Open311 POST with its media: a `media` file sent with the request (multipart, as
    /// FixMyStreet sends it) or a `media_url` the server fetches. A refused file refuses the
    /// request before anything is written; a URL that cannot be fetched (private address, too
    /// large, unreachable) is kept as a link for staff.
    pub async fn open311_submit_with_media(
        &self,
        params: &crate::open311::Params,
        media: Option<(String, Vec<u8>)>,
    ) -> Result<crate::open311::Receipt, crate::open311::Open311Error> {
        if let Some((name, bytes)) = &media {
            self.check_file(&files::clean_name(name, "media"), bytes)?;
        }
        let mut link = None;
        let media = match media {
            Some(m) => Some(m),
            None => match params.get("media_url") {
                Some(url) if url.chars().count() <= MAX_MEDIA_URL => {
                    match self.media.fetch(url, self.file_limits.max_bytes).await {
                        Ok((bytes, name))
                            if self
                                .check_file(&files::clean_name(&name, "media"), &bytes)
                                .is_ok() =>
                        {
                            Some((name, bytes))
                        }
                        Ok(_) => {
                            link = Some(url.to_string());
                            None
                        }
                        Err(why) => {
                            tracing::info!(%url, %why, "media_url kept as a link");
                            link = Some(url.to_string());
                            None
                        }
                    }
                }
                Some(_) => {
                    return Err(AppError::field(
                        "media_url",
                        format!("最多 {MAX_MEDIA_URL} 个字符"),
                        format!("at most {MAX_MEDIA_URL} characters"),
                    )
                    .into());
                }
                None => None,
            },
        };
        let receipt = self.open311_submit(params).await?;
        let Some(case) = self
            .store
            .get_case_by_number(&receipt.service_request_id)
            .await?
        else {
            return Ok(receipt);
        };
        if let Some((name, bytes)) = media {
            // The request is registered: a file that fails now (a damaged image) is logged,
            // not turned into a failure of a request that exists.
            if let Err(e) = self.attach_citizen_file(&case, &name, bytes).await {
                tracing::warn!(case = %case.number, error = %e, "Open311 media not attached");
            }
        } else if let Some(url) = link {
            self.keep_link(&case, &url, "citizen", None).await?;
        }
        Ok(receipt)
    }

    /// Sets each request's `media_url` to the public thumbnail of its case's first public
    /// image, as an absolute URL under `base` (scheme and host the client used).
    pub async fn open311_media(
        &self,
        items: &mut [crate::open311::RequestInfo],
        base: &str,
    ) -> Result<(), AppError> {
        let ids: Vec<Uuid> = items.iter().map(|i| i.case_id).collect();
        let firsts = self.store.first_public_images(&ids).await?;
        for item in items.iter_mut() {
            if let Some(a) = firsts.iter().find(|a| a.case_id == item.case_id) {
                item.media_url = Some(format!(
                    "{}/api/v1/public/attachments/{}/thumbnail",
                    base.trim_end_matches('/'),
                    a.id
                ));
            }
        }
        Ok(())
    }
}

fn too_many(max: usize) -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "too_many_files",
        format!("每件工单最多 {max} 个附件"),
        format!("a case holds at most {max} files"),
    )
}

/// Shared handle type for wiring.
pub type Files = Arc<dyn FileStore>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn evidence_policy_by_category_or_its_top_level() {
        let p = EvidencePolicy {
            categories: vec!["城市管理".into(), "环境保护/噪声污染".into()],
        };
        assert!(p.requires("城市管理/占道经营"));
        assert!(p.requires("环境保护/噪声污染"));
        assert!(!p.requires("环境保护/大气污染"));
        assert!(!p.requires("城市管理员/x"));
        assert!(!EvidencePolicy::default().requires("城市管理/占道经营"));
    }

    #[test]
    fn steps_are_checked() {
        assert_eq!(check_step(None).unwrap(), "other");
        assert_eq!(check_step(Some(" resolve ")).unwrap(), "resolve");
        assert!(check_step(Some("delete")).is_err());
    }
}
