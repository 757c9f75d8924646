//! 走访问题台账 import over HTTP, and its template.

use crate::error::ApiError;
use crate::extract::Auth;
use app::ledger::{ImportMode, LedgerInput, LedgerReport};
use app::{App, AppError, ErrorKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// Largest ledger file accepted over HTTP: the readers' file limit (see `app::sheet`).
pub fn ledger_limit() -> usize {
    usize::try_from(app::ledger::limits().max_file_bytes).unwrap_or(usize::MAX)
}

/// Body: the file itself (`text/csv` or the xlsx content type, or `?format=csv|xlsx`).
/// `mode=all_or_nothing|valid_only` (default all_or_nothing), `dry_run=true` validates only.
#[utoipa::path(post, path = "/api/v1/ledger/import", tag = "ledger",
    params(("mode" = Option<String>, Query, description = "all_or_nothing (default) or valid_only"), ("dry_run" = Option<bool>, Query), ("format" = Option<String>, Query, description = "csv or xlsx; else from Content-Type"), ("filename" = Option<String>, Query)),
    responses((status = 200, description = "The report: rows, valid, rejected (row, column, reason), imported"), (status = 413, description = "Over a limit (code limit_exceeded; details.limit names it): file 64 MiB, decompressed part 256 MiB / all parts 384 MiB, compression ratio 200, zip entries 10,000, rows 100,001 with the header, columns 256, cell 64 KiB, shared strings 1,000,000 / 64 MiB"), (status = 422, description = "Unreadable file or bad parameter")),
    security(("bearer" = [])))]
pub async fn import(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LedgerReport>, ApiError> {
    let u = Upload::of(&q, &headers, body)?;
    Ok(Json(
        app.import_ledger(&p, &u.input, &u.file, u.mode, u.dry_run, &|_, _| {})
            .await?,
    ))
}

/// A campaign's visit ledger (走访台账): the ledger template, every row a visit of campaign
/// `id`, 问题描述 optional; rows with a problem also become cases linked from their visit.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/visits/import", tag = "campaigns",
    params(("id" = String, Path), ("mode" = Option<String>, Query, description = "all_or_nothing (default) or valid_only"), ("dry_run" = Option<bool>, Query), ("format" = Option<String>, Query), ("filename" = Option<String>, Query)),
    responses((status = 200, description = "The report: rows, valid, rejected (row, column, reason), imported visits"), (status = 404, description = "No such campaign"), (status = 413, description = "Over a limit"), (status = 422, description = "Unreadable file or bad parameter")),
    security(("bearer" = [])))]
pub async fn import_visits(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LedgerReport>, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::not_found("走访活动", "campaign"))?;
    let u = Upload::of(&q, &headers, body)?;
    Ok(Json(
        app.import_visit_ledger(&p, id, &u.input, &u.file, u.mode, u.dry_run, &|_, _| {})
            .await?,
    ))
}

/// A registry of households and enterprises (走访对象名册) for the caller's area.
#[utoipa::path(post, path = "/api/v1/visit-subjects/import", tag = "campaigns",
    params(("mode" = Option<String>, Query, description = "all_or_nothing (default) or valid_only"), ("dry_run" = Option<bool>, Query), ("format" = Option<String>, Query)),
    responses((status = 200, description = "The report; imported counts the entries that were new"), (status = 413, description = "Over a limit"), (status = 422, description = "Unreadable file or bad parameter")),
    security(("bearer" = [])))]
pub async fn import_registry(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LedgerReport>, ApiError> {
    let u = Upload::of(&q, &headers, body)?;
    Ok(Json(
        app.import_visit_registry(&p, &u.input, u.mode, u.dry_run)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/visit-subjects/template.csv", tag = "campaigns", responses((status = 200, description = "The registry template (CSV, UTF-8 with BOM)")))]
pub async fn registry_template_csv(State(app): State<Arc<App>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"visit-registry-template.csv\"",
            ),
        ],
        app.visit_registry_template_csv(),
    )
        .into_response()
}

/// An uploaded sheet and how to import it, as every import endpoint takes them.
struct Upload {
    input: LedgerInput,
    mode: ImportMode,
    dry_run: bool,
    file: String,
}

impl Upload {
    /// Body: the file itself (`text/csv` or the xlsx content type, or `?format=csv|xlsx`);
    /// `mode`, `dry_run`, `filename` from the query.
    fn of(
        q: &HashMap<String, String>,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Upload, ApiError> {
        let limits = app::ledger::limits();
        let body = body.map_err(|rej| -> ApiError {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                app::sheet::over_limit(
                    "file_bytes",
                    limits.max_file_bytes,
                    format!("文件超过上限 {} 字节", limits.max_file_bytes),
                    format!(
                        "the file is over the limit of {} bytes",
                        limits.max_file_bytes
                    ),
                )
                .into()
            } else {
                AppError::new(
                    ErrorKind::BadRequest,
                    "bad_body",
                    "无法读取请求体",
                    "could not read the request body",
                )
                .into()
            }
        })?;
        let mode = match q.get("mode") {
            None => ImportMode::AllOrNothing,
            Some(m) => ImportMode::parse(m).ok_or_else(|| {
                AppError::field(
                    "mode",
                    "应为 all_or_nothing 或 valid_only",
                    "must be all_or_nothing or valid_only",
                )
            })?,
        };
        let dry_run = q.get("dry_run").is_some_and(|v| v == "true" || v == "1");
        let ctype = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let is_xlsx = match q.get("format").map(String::as_str) {
            Some("xlsx") => true,
            Some("csv") => false,
            Some(o) => {
                return Err(AppError::field(
                    "format",
                    format!("「{o}」无效，应为 csv 或 xlsx"),
                    "must be csv or xlsx",
                )
                .into());
            }
            None => ctype.contains("spreadsheetml") || body.starts_with(b"PK"),
        };
        if body.is_empty() {
            return Err(AppError::new(
                ErrorKind::BadRequest,
                "empty_body",
                "请上传文件",
                "send the file as the request body",
            )
            .into());
        }
        // `Vec::from` takes the body's buffer over without a copy when it is the only owner.
        let bytes = Arc::new(Vec::from(body));
        let input = if is_xlsx {
            LedgerInput::Xlsx(bytes)
        } else {
            LedgerInput::Csv(bytes)
        };
        let file = q
            .get("filename")
            .cloned()
            .unwrap_or_else(|| "upload".into());
        Ok(Upload {
            input,
            mode,
            dry_run,
            file,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/ledger/template.xlsx", tag = "ledger", responses((status = 200, description = "The import template")))]
pub async fn template_xlsx(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let bytes = app.ledger_template_xlsx()?;
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (header::CONTENT_DISPOSITION, "attachment; filename=\"ledger-template.xlsx\"; filename*=UTF-8''%E8%B5%B0%E8%AE%BF%E9%97%AE%E9%A2%98%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx")],
        bytes,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/ledger/template.csv", tag = "ledger", responses((status = 200, description = "The import template (CSV, UTF-8 with BOM)")))]
pub async fn template_csv(State(app): State<Arc<App>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger-template.csv\"",
            ),
        ],
        app.ledger_template_csv(),
    )
        .into_response()
}
