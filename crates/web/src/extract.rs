//! Request extractors: the bearer principal, and JSON bodies read as values so that every problem
//! is reported in our error format (400 for syntax, 413 for size, 422 for fields).

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
        let p = app.authenticate(&token).await?;
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
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
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
            .into()
        })
    }
}
