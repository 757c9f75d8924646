//! 一件事 bundles over HTTP (issue 22): the catalogue (public), applications at the window or on
//! the portal, the departments' task transitions.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use app::{App, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

fn bundle_id(s: &str) -> Result<Uuid, ApiError> {
    Ok(Uuid::parse_str(s).map_err(|_| AppError::not_found("一件事申请", "bundle"))?)
}

#[utoipa::path(get, path = "/api/v1/bundles/templates", tag = "bundles",
    responses((status = 200, description = "[{code, name, kind, stage, promised_working_days, critical_path_working_days, fields: [{name, label, type, required, options?}], materials, eligibility, matters: [{code, name, unit, unit_name, working_days, legal_working_days, depends_on, fields, materials}]}]")))]
pub async fn templates(State(app): State<Arc<App>>) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.bundle_template_views().await?))
}

#[utoipa::path(put, path = "/api/v1/bundles/templates/{code}", tag = "bundles", params(("code" = String, Path)),
    responses((status = 200, description = "The stored template"), (status = 403), (status = 422, description = "A cycle, an unmapped field, an unknown department…: field names the first, details.errors lists all")),
    security(("bearer" = [])))]
pub async fn put_template(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(code): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.put_bundle_template(&p, &code, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/bundles", tag = "bundles",
    responses((status = 201, description = "{id, template, submitted_at, status, due, tasks: [{id, matter, unit, status, due, depends_on, version, …}], …}"), (status = 403), (status = 422, description = "A form field, a missing material, or ineligible (code ineligible, details.reasons)")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_bundle(&p, &body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/bundles", tag = "bundles",
    params(("status" = Option<String>, Query), ("template" = Option<String>, Query), ("todo" = Option<bool>, Query, description = "a department's: bundles with a task waiting for it")),
    responses((status = 200, description = "Applications visible to the caller, newest first")),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.bundles(&p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/bundles/stats", tag = "bundles",
    responses((status = 200, description = "{total, in_progress, finished, completed, online, avg_working_days, avg_promised_working_days, on_time_rate, avg_visits, by_template: [...], by_matter: [...]}")),
    security(("bearer" = [])))]
pub async fn stats(State(app): State<Arc<App>>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.bundle_stats(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/bundles/{id}", tag = "bundles", params(("id" = String, Path)),
    responses((status = 200, description = "The application with its tasks and clocks"), (status = 404)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.bundle(&p, bundle_id(&id)?).await?))
}

#[utoipa::path(post, path = "/api/v1/bundles/{id}/tasks/{task}/transitions", tag = "bundles",
    params(("id" = String, Path), ("task" = String, Path)),
    responses((status = 200, description = "The application after the transition"), (status = 403), (status = 404), (status = 409, description = "Stale task version, or the action does not apply in the task's state"), (status = 422)),
    security(("bearer" = [])))]
pub async fn transition(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, task)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        app.bundle_task_transition(&p, bundle_id(&id)?, &task, &body)
            .await?,
    ))
}

fn approval_id(s: &str) -> Result<Uuid, ApiError> {
    Ok(Uuid::parse_str(s).map_err(|_| AppError::not_found("审批项目", "approval project"))?)
}

#[utoipa::path(post, path = "/api/v1/approvals", tag = "approvals",
    responses((status = 201, description = "The project with its stages (the district's process)"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create_approval(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_approval(&p, &body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals",
    responses((status = 200, description = "Projects, newest first")), security(("bearer" = [])))]
pub async fn approvals(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.approvals(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/approvals/report", tag = "approvals",
    responses((status = 200, description = "By stage: average working days of finished stages against the limit; completed projects: parallel against serial totals")), security(("bearer" = [])))]
pub async fn approval_report(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.approval_report(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals", params(("id" = String, Path)),
    responses((status = 200, description = "{id, name, status, stages: [{code, name, lead_unit, limit_working_days, joint, status, started, finished, working_days, reviews: [...]}], working_days, report: {parallel_working_days, serial_working_days}}"), (status = 404)),
    security(("bearer" = [])))]
pub async fn approval(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.approval(&p, approval_id(&id)?).await?))
}

#[utoipa::path(post, path = "/api/v1/approvals/{id}/stages/{stage}/submit", tag = "approvals",
    params(("id" = String, Path), ("stage" = String, Path)),
    responses((status = 200, description = "The project; the stage's reviews started together"), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn submit_stage(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, stage)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        app.submit_approval_stage(&p, approval_id(&id)?, &stage, &body)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/approvals/{id}/reviews/{review}/actions", tag = "approvals",
    params(("id" = String, Path), ("review" = String, Path)),
    responses((status = 200, description = "The project after the action"), (status = 403), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn review_action(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, review)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        app.approval_review_action(&p, approval_id(&id)?, &review, &body)
            .await?,
    ))
}
