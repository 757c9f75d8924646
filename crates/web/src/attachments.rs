//! Files on cases over HTTP (issue 23): multipart uploads by staff and by citizens on the portal,
//! the bytes and thumbnails for those who may see the case, the public copies.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::guard::ClientInfo;
use app::attachments::{FileBody, Upload};
use app::{App, AppError, ErrorKind};
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Body limit of the upload routes: one file at its limit and the form's other fields.
pub fn upload_limit(app: &App) -> usize {
    app.file_limits.max_bytes + 64 * 1024
}

fn id_of(s: &str, zh: &str, en: &str) -> Result<Uuid, ApiError> {
    Ok(Uuid::parse_str(s).map_err(|_| AppError::not_found(zh, en))?)
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(
            ErrorKind::PayloadTooLarge,
            "payload_too_large",
            "上传内容过大",
            "the upload is too large",
        )
    } else {
        AppError::new(
            ErrorKind::BadRequest,
            "bad_multipart",
            format!("上传格式错误：{}", e.body_text()),
            format!("malformed multipart body: {}", e.body_text()),
        )
    }
}

/// A multipart form: the file (its name and bytes) and the other fields as text.
pub(crate) struct Form {
    pub file: Option<(String, Vec<u8>)>,
    pub fields: HashMap<String, String>,
}

/// Reads a multipart body: the first part named one of `file_fields` as the file (at most
/// `max_file` bytes, refused with 413 beyond, read chunk by chunk so nothing larger is held),
/// other parts as short texts.
pub(crate) async fn read_form(
    mp: Result<Multipart, MultipartRejection>,
    file_fields: &[&str],
    max_file: usize,
) -> Result<Form, AppError> {
    let mut mp = mp.map_err(|e| {
        AppError::new(
            ErrorKind::UnsupportedMediaType,
            "multipart_required",
            format!("请以 multipart/form-data 上传文件（{}）", e.body_text()),
            format!("upload files as multipart/form-data ({})", e.body_text()),
        )
    })?;
    let mut form = Form {
        file: None,
        fields: HashMap::new(),
    };
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if file_fields.contains(&name.as_str()) && form.file.is_none() {
            let file_name = field.file_name().unwrap_or("附件").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if bytes.len() + chunk.len() > max_file {
                    return Err(AppError::new(
                        ErrorKind::PayloadTooLarge,
                        "file_too_large",
                        format!("文件过大，单个附件不超过 {} MB", max_file / 1_048_576),
                        format!(
                            "the file is too large; at most {} MB per file",
                            max_file / 1_048_576
                        ),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            form.file = Some((file_name, bytes));
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if text.len() + chunk.len() > 4096 {
                    return Err(AppError::field(&name, "内容过长", "the value is too long"));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text)
                .map_err(|_| AppError::field(&name, "须为 UTF-8 文本", "must be UTF-8 text"))?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

fn file_of(form: &mut Form, field: &str) -> Result<(String, Vec<u8>), AppError> {
    let file = form
        .file
        .take()
        .ok_or_else(|| AppError::field(field, "请选择要上传的文件", "choose a file to upload"))?;
    if file.1.is_empty() {
        return Err(AppError::field(field, "文件为空", "the file is empty"));
    }
    Ok(file)
}

fn flag(form: &Form, key: &str) -> Result<Option<bool>, AppError> {
    match form.fields.get(key).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some("true" | "1" | "on") => Ok(Some(true)),
        Some("false" | "0" | "off") => Ok(Some(false)),
        Some(_) => Err(AppError::field(
            key,
            "应为 true 或 false",
            "expected true or false",
        )),
    }
}

/// `filename*=UTF-8''…` (RFC 5987), so Chinese names survive every browser.
fn disposition(name: &str, inline: bool) -> HeaderValue {
    let mut enc = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!("{kind}; filename*=UTF-8''{enc}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

fn send(f: FileBody, public: bool) -> Response {
    let inline = f.content_type.starts_with("image/") || f.content_type == "application/pdf";
    let mut r = (StatusCode::OK, f.bytes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&f.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition(&f.name, inline));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, max-age=3600"
        } else {
            "private, max-age=3600"
        }),
    );
    // Nothing a file holds may run as a page of this origin.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "attachments", params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file (required), step (intake | resolve | return | follow_up | extension | mediation | report | other), public (true/false)"),
    responses((status = 201, description = "{id, name, size, content_type, kind, step, source, public, url, thumbnail_url, public_url, public_thumbnail_url, location, uploaded_at, uploaded_by}"),
        (status = 404, description = "No such case in the caller's scope"), (status = 413, description = "File too large"),
        (status = 415, description = "Type not accepted (by content)"), (status = 422, description = "Too many files, a bad step")),
    security(("bearer" = [])))]
pub async fn upload(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let case_id = id_of(&id, "工单", "case")?;
    // The case first: a caller who cannot see it learns nothing from the upload's checks.
    app.visible_case(&p, case_id).await?;
    let mut form = read_form(mp, &["file"], app.file_limits.max_bytes).await?;
    let (name, bytes) = file_of(&mut form, "file")?;
    let up = Upload {
        name,
        bytes,
        step: form.fields.get("step").cloned(),
        public: flag(&form, "public")?,
    };
    Ok((
        StatusCode::CREATED,
        Json(app.upload_attachment(&p, case_id, up).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", tag = "attachments", params(("id" = String, Path)),
    responses((status = 200, description = "The case's files, oldest first"), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let case_id = id_of(&id, "工单", "case")?;
    Ok(Json(app.case_attachments(&p, case_id).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{aid}", tag = "attachments",
    params(("id" = String, Path), ("aid" = String, Path)),
    responses((status = 200, description = "The bytes"), (status = 404, description = "Not a file of a case the caller may see")),
    security(("bearer" = [])))]
pub async fn body(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let case_id = id_of(&id, "附件", "attachment")?;
    let aid = id_of(&aid, "附件", "attachment")?;
    Ok(send(
        app.attachment_body(&p, case_id, aid, false).await?,
        false,
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{aid}/thumbnail", tag = "attachments",
    params(("id" = String, Path), ("aid" = String, Path)),
    responses((status = 200, description = "JPEG thumbnail"), (status = 404)),
    security(("bearer" = [])))]
pub async fn thumbnail(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let case_id = id_of(&id, "附件", "attachment")?;
    let aid = id_of(&aid, "附件", "attachment")?;
    Ok(send(
        app.attachment_body(&p, case_id, aid, true).await?,
        false,
    ))
}

#[utoipa::path(patch, path = "/api/v1/cases/{id}/attachments/{aid}", tag = "attachments",
    params(("id" = String, Path), ("aid" = String, Path)),
    request_body(content = Value, description = "{public: bool}"),
    responses((status = 200, description = "The file"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn set_public(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, aid)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let case_id = id_of(&id, "附件", "attachment")?;
    let aid = id_of(&aid, "附件", "attachment")?;
    Ok(Json(
        app.set_attachment_public(&p, case_id, aid, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/public/attachments/{aid}", tag = "attachments", params(("aid" = String, Path)),
    responses((status = 200, description = "A public file, without EXIF/XMP metadata"), (status = 404)))]
pub async fn public_body(
    State(app): State<Arc<App>>,
    Path(aid): Path<String>,
) -> Result<Response, ApiError> {
    let aid = id_of(&aid, "附件", "attachment")?;
    Ok(send(app.public_attachment_body(aid, false).await?, true))
}

#[utoipa::path(get, path = "/api/v1/public/attachments/{aid}/thumbnail", tag = "attachments", params(("aid" = String, Path)),
    responses((status = 200, description = "JPEG thumbnail of a public image"), (status = 404)))]
pub async fn public_thumbnail(
    State(app): State<Arc<App>>,
    Path(aid): Path<String>,
) -> Result<Response, ApiError> {
    let aid = id_of(&aid, "附件", "attachment")?;
    Ok(send(app.public_attachment_body(aid, true).await?, true))
}

#[utoipa::path(post, path = "/api/v1/portal/cases/{number}/attachments", tag = "portal", params(("number" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file, phone (the phone given at registration)"),
    responses((status = 201, description = "{id, name, size, content_type, kind, public_url, public_thumbnail_url}"),
        (status = 404, description = "No case with this number and phone"), (status = 409, description = "The case is closed"),
        (status = 413), (status = 415), (status = 429)))]
pub async fn portal_upload(
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    Path(number): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut form = read_form(mp, &["file"], app.file_limits.max_bytes).await?;
    let phone = form.fields.get("phone").cloned().unwrap_or_default();
    if phone.trim().is_empty() {
        return Err(AppError::field(
            "phone",
            "请输入登记时的手机号",
            "the phone given at registration is required",
        )
        .into());
    }
    let (name, bytes) = file_of(&mut form, "file")?;
    let up = Upload {
        name,
        bytes,
        step: None,
        public: None,
    };
    Ok((
        StatusCode::CREATED,
        Json(app.portal_upload(&number, &phone, up, &client).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/attachments/policy", tag = "attachments",
    responses((status = 200, description = "{categories: [...]}: categories resolved only with evidence")),
    security(("bearer" = [])))]
pub async fn policy(State(app): State<Arc<App>>, Auth(_p): Auth) -> Result<Json<Value>, ApiError> {
    let p = app.evidence_policy().await?;
    Ok(Json(serde_json::to_value(p).map_err(AppError::internal)?))
}

#[utoipa::path(put, path = "/api/v1/attachments/policy", tag = "attachments",
    request_body(content = Value, description = "{categories: [\"城市管理\", \"环境保护/噪声污染\"]}"),
    responses((status = 200), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn put_policy(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let policy = app.put_evidence_policy(&p, &body).await?;
    Ok(Json(
        serde_json::to_value(policy).map_err(AppError::internal)?,
    ))
}
