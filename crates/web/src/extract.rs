//! Request extractors: the bearer principal, and JSON bodies read as values so that every problem
//! is reported in our error format (400 for syntax, 413 for size, 415 for a body that says it is
//! not JSON, 422 for fields — a control character in any text among them); and the check of
//! query strings and paths for control characters.

use crate::error::ApiError;
use app::scope::Principal;
use app::{App, AppError, ErrorKind};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use std::sync::Arc;

/// The caller, from `Authorization: Bearer <token or API key>` (or `X-Api-Key`).
pub struct Auth(pub Principal);

pub fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = v.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| rest.trim().to_string())
            .filter(|t| !t.is_empty());
    }
    parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

impl FromRequestParts<Arc<App>> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(AppError::unauthorized)?;
        let mut p = app.authenticate(&token).await?;
        p.client = crate::guard::client_addr(parts).map(|a| a.to_string());
        // After an administrator's reset, the user sets their own password before anything else.
        // (Inside the nested API router the path is seen without its `/api/v1` prefix.)
        let path = parts.uri.path();
        let allowed = ["/auth/me", "/auth/password", "/auth/logout"]
            .iter()
            .any(|p| path.ends_with(p));
        if p.must_change_password && !allowed {
            return Err(AppError::new(
                app::ErrorKind::Forbidden,
                "password_change_required",
                "管理员已重置您的密码，请先修改密码",
                "your password was reset by an administrator; change it first",
            )
            .into());
        }
        Ok(Auth(p))
    }
}

/// A JSON body as a value.
pub struct JsonBody(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // No Content-Type is taken as JSON (scripts, curl); another one is refused, which also
        // keeps a cross-site form or `text/plain` post from reaching an endpoint.
        if let Some(ctype) = req.headers().get(header::CONTENT_TYPE) {
            let c = ctype.to_str().unwrap_or_default().to_ascii_lowercase();
            let essence = c.split(';').next().unwrap_or_default().trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(AppError::new(
                    ErrorKind::UnsupportedMediaType,
                    "unsupported_media_type",
                    format!("请求体应为 JSON（Content-Type: application/json），收到「{essence}」"),
                    format!(
                        "the body must be JSON (Content-Type: application/json), got '{essence}'"
                    ),
                )
                .into());
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    ErrorKind::PayloadTooLarge,
                    "payload_too_large",
                    "请求体过大",
                    "the request body is too large",
                )
            } else {
                AppError::new(
                    ErrorKind::BadRequest,
                    "bad_body",
                    "无法读取请求体",
                    "could not read the request body",
                )
            }
        })?;
        if bytes.is_empty() {
            return Err(AppError::new(
                ErrorKind::BadRequest,
                "empty_body",
                "请求体为空，应为 JSON 对象",
                "the request body is empty; send a JSON object",
            )
            .into());
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::new(
                ErrorKind::BadRequest,
                "malformed_json",
                format!("JSON 格式错误（第 {} 行第 {} 列）", e.line(), e.column()),
                format!(
                    "malformed JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        app::input::check_json_text(&value)?;
        Ok(JsonBody(value))
    }
}

/// Percent-decodes one part of a query string or path (`+` is a space in a query).
fn percent_decode(raw: &str, plus_is_space: bool) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match (
                    (b[i + 1] as char).to_digit(16),
                    (b[i + 2] as char).to_digit(16),
                ) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The first problem of a request's path and query: a part that is not UTF-8 (400) or a
/// control character (422 naming the query parameter, or `path`). Query values are one line.
pub fn url_problem(path: &str, query: Option<&str>) -> Option<AppError> {
    let not_utf8 = |what: &str| {
        AppError::new(
            ErrorKind::BadRequest,
            "bad_encoding",
            format!("{what} 不是有效的 UTF-8 编码"),
            format!("the {what} is not valid UTF-8"),
        )
    };
    match percent_decode(path, false) {
        None => return Some(not_utf8("path")),
        Some(p) => {
            if let Some(c) = app::input::control_char(&p, false) {
                return Some(app::input::control_char_error("path", c));
            }
        }
    }
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (percent_decode(k, true), percent_decode(v, true)) else {
            return Some(not_utf8("query"));
        };
        if let Some(c) = app::input::control_char(&k, false) {
            return Some(app::input::control_char_error("query", c));
        }
        if let Some(c) = app::input::control_char(&v, false) {
            return Some(app::input::control_char_error(&k, c));
        }
    }
    None
}

/// Refuses control characters in the path and query of an API request before any handler or
/// database sees them (a NUL in a query is a PostgreSQL error, and stored as it is by SQLite).
pub async fn refuse_control_chars(
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match url_problem(req.uri().path(), req.uri().query()) {
        Some(e) => ApiError(e).into_response(),
        None => next.run(req).await,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_control_characters() {
        assert!(url_problem("/api/v1/cases", Some("q=%E8%B7%AF%E7%81%AF&page=2")).is_none());
        let e = url_problem("/api/v1/cases", Some("q=a%00b")).unwrap();
        assert_eq!(e.field.as_deref(), Some("q"));
        let e = url_problem("/api/v1/cases", Some("q=a%0Ab")).unwrap();
        assert_eq!(e.field.as_deref(), Some("q"));
        let e = url_problem("/api/v1/portal/cases/2026%00", None).unwrap();
        assert_eq!(e.field.as_deref(), Some("path"));
        assert_eq!(
            url_problem("/x", Some("a=%FF")).unwrap().code,
            "bad_encoding"
        );
        assert!(url_problem("/x", Some("a=50%&b=%2")).is_none());
        assert_eq!(percent_decode("a+b%20c", true).unwrap(), "a b c");
    }
}
