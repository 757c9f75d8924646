//! Workbench queue counts, the cockpit, and exports.

use crate::error::ApiError;
use crate::extract::Auth;
use app::App;
use app::ports::QueueCounts;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

#[utoipa::path(get, path = "/api/v1/queues", tag = "cases", responses((status = 200, description = "Counts per work queue for the caller", body = QueueCounts)), security(("bearer" = [])))]
pub async fn queues(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<QueueCounts>, ApiError> {
    Ok(Json(app.queues(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/stats/cockpit", tag = "stats",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD, default 30 days before `to`"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, default today"), ("unit" = Option<String>, Query, description = "A unit of your scope")),
    responses((status = 200, description = "Volume by day, category mix, by street, unit on-time rates, overdue top, satisfaction by month")), security(("bearer" = [])))]
pub async fn cockpit(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.cockpit(&p, &q).await?))
}

/// A file to save: `fallback` is the plain ASCII name for old clients, `name` the real (Chinese)
/// one, percent-encoded for RFC 5987's `filename*`.
pub(crate) fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    fallback: &str,
    name: &str,
) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/cases/export.xlsx", tag = "cases", responses((status = 200, description = "The current filter as an Excel workbook")), security(("bearer" = [])))]
pub async fn export_xlsx(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let views = app.export_views(&p, &q, "xlsx").await?;
    let bytes = app.export_xlsx(&views)?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "cases.xlsx",
        "工单导出.xlsx",
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/export.csv", tag = "cases", responses((status = 200, description = "The current filter as CSV (UTF-8 with BOM)")), security(("bearer" = [])))]
pub async fn export_csv(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let views = app.export_views(&p, &q, "csv").await?;
    Ok(download(
        app.export_csv(&views),
        "text/csv; charset=utf-8",
        "cases.csv",
        "工单导出.csv",
    ))
}
