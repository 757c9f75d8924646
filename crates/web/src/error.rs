//! One mapping from [`AppError`] to HTTP: the status from the error kind, and the body
//! `{"error": {"code", "message", "field"?, "details"?}}` in the language of `Accept-Language`
//! (zh-CN by default, English when asked).

use app::{AppError, ErrorKind};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The error travels to [`render_errors`] in the response extensions, where the request's
/// language is known.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = status_of(self.0.kind);
        res.extensions_mut().insert(self.0);
        res
    }
}

pub fn wants_english(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"))
}

pub fn body_of(e: &AppError, english: bool) -> serde_json::Value {
    let mut err = json!({ "code": e.code, "message": if english { &e.en } else { &e.zh } });
    if let Some(f) = &e.field {
        err["field"] = json!(f);
    }
    if let Some(d) = &e.details {
        err["details"] = d.clone();
    }
    json!({ "error": err })
}

/// The error of an answer that axum made before or instead of a handler (405 with an empty
/// body, an extractor's plain-text rejection, the UI's plain 404), so that every error a client
/// gets is in one format.
fn framework_error(status: StatusCode, text: &str, allow: Option<&str>) -> AppError {
    let detail: String = text.chars().take(300).collect();
    match status {
        StatusCode::METHOD_NOT_ALLOWED => AppError::new(
            ErrorKind::BadRequest,
            "method_not_allowed",
            format!("此地址不支持该请求方法；可用：{}", allow.unwrap_or("-")),
            format!(
                "this method is not allowed here; allowed: {}",
                allow.unwrap_or("-")
            ),
        ),
        StatusCode::NOT_FOUND => AppError::new(
            ErrorKind::NotFound,
            "not_found",
            "地址不存在",
            "no such resource",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::new(
            ErrorKind::PayloadTooLarge,
            "payload_too_large",
            "请求体过大",
            "the request body is too large",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::new(
            ErrorKind::UnsupportedMediaType,
            "unsupported_media_type",
            "不支持的 Content-Type",
            "unsupported Content-Type",
        ),
        s if s.is_server_error() => AppError::new(
            ErrorKind::Internal,
            "internal",
            "服务器内部错误，请稍后重试",
            "internal server error; please try again later",
        ),
        _ => AppError::new(
            ErrorKind::BadRequest,
            "bad_request",
            format!("请求格式错误：{detail}"),
            format!("bad request: {detail}"),
        ),
    }
}

/// Whether an error answer is already in a format of ours (JSON, or Open311's XML).
fn has_body_format(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| !c.starts_with("text/plain"))
}

/// Renders an [`AppError`] in the request's language, and logs the failures an operator (or a
/// failed browser test) needs to find afterwards: every server error, and the refusals of a
/// signed-in page (401, 403, 429) that would otherwise leave only a message on someone's screen.
/// Errors made by axum itself (see [`framework_error`]) are rewritten into the same format
/// (Open311's under `/open311/`), keeping their status and `Allow` header.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let english = wants_english(req.headers());
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let req_headers = req.headers().clone();
    let mut res = next.run(req).await;
    let status = res.status();
    if (status.is_client_error() || status.is_server_error())
        && res.extensions().get::<AppError>().is_none()
        && !has_body_format(&res)
    {
        let allow = res.headers().get(header::ALLOW).cloned();
        let (_, body) = res.into_parts();
        let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
        let e = framework_error(
            status,
            &String::from_utf8_lossy(&text),
            allow.as_ref().and_then(|v| v.to_str().ok()),
        );
        let mut out = if uri.path().starts_with("/open311/") {
            crate::open311::error_for_path(
                uri.path(),
                &req_headers,
                status,
                e.zh.clone(),
                e.en.clone(),
            )
        } else {
            (status, axum::Json(body_of(&e, english))).into_response()
        };
        if let Some(a) = allow {
            out.headers_mut().insert(header::ALLOW, a);
        }
        return out;
    }
    if let Some(e) = res.extensions_mut().remove::<AppError>() {
        let status = res.status();
        if status.is_server_error() {
            tracing::error!(%method, path = uri.path(), code = %e.code, message = %e.en, "request failed");
        } else if matches!(status.as_u16(), 401 | 403 | 429) {
            tracing::info!(%method, path = uri.path(), status = status.as_u16(), code = %e.code, "request refused");
        }
        let mut out = (status, axum::Json(body_of(&e, english))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            out.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        // A rate limit says when to come back (issue 19): the seconds are in the details.
        if status == StatusCode::TOO_MANY_REQUESTS
            && let Some(secs) = e
                .details
                .as_ref()
                .and_then(|d| d.get("retry_after"))
                .and_then(serde_json::Value::as_u64)
        {
            out.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        return out;
    }
    res
}
