//! The public portal's API (no login): submit, track by number and phone, rate.

use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::guard::ClientInfo;
use app::{App, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

#[utoipa::path(post, path = "/api/v1/portal/cases", tag = "portal", request_body = crate::openapi::NewCaseDoc,
    responses((status = 201, description = "Receipt with the case number"), (status = 422, description = "A field is missing or wrong"), (status = 429, description = "Too many submissions from this address or phone; see Retry-After")))]
pub async fn submit(
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.portal_submit(&body, &client).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/portal/cases/{number}", tag = "portal", params(("number" = String, Path), ("phone" = String, Query, description = "The reporter's phone")),
    responses((status = 200, description = "Status, reply and public timeline"), (status = 404, description = "No case with this number and phone"), (status = 429, description = "Too many look-ups from this address, of this number or with this phone; see Retry-After")))]
pub async fn track(
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    Path(number): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let phone = q.get("phone").cloned().unwrap_or_default();
    if phone.trim().is_empty() {
        return Err(AppError::field(
            "phone",
            "请输入登记时的手机号",
            "the phone given at registration is required",
        )
        .into());
    }
    Ok(Json(app.portal_track(&number, &phone, &client).await?))
}

#[utoipa::path(post, path = "/api/v1/portal/cases/{number}/rating", tag = "portal", params(("number" = String, Path)),
    responses((status = 200, description = "Rated; the case is closed, or reopened when unsatisfied"), (status = 422, description = "Not resolved yet, or a bad field"), (status = 429, description = "Too many look-ups; see Retry-After")))]
pub async fn rate(
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    Path(number): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.portal_rate(&number, &body, &client).await?))
}
