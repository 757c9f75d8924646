//! Issue 21's instruments: the 红黄黑榜 boards (rules, appeals, publication; published boards and a
//! unit's history are public) and the key programs (items, progress reports, reviews).

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use app::{App, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/boards", tag = "boards",
    params(("period" = Option<String>, Query, description = "YYYY-MM; the latest period with a board when absent"), ("draft" = Option<bool>, Query, description = "the board office: the draft even when a version is published")),
    responses((status = 200, description = "{period, status: draft|published, version, groups: [{name, entries: [{unit, unit_name, rank, score, board: red|yellow|black|null, reasons, sample, metrics}]}], appeals, …}; on a draft a unit sees its own entries"), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn board(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.board(&p, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/boards/compute", tag = "boards",
    responses((status = 200, description = "The period's draft, computed from the unit metrics"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn compute(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.board_compute(&p, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/boards/rules", tag = "boards",
    responses((status = 200, description = "Peer groups, metrics and weights, list rules, minimum sample, exemptions")), security(("bearer" = [])))]
pub async fn rules(State(app): State<Arc<App>>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.board_rules_json(&p).await?))
}

#[utoipa::path(put, path = "/api/v1/boards/rules", tag = "boards",
    responses((status = 200, description = "The rules as stored"), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn put_rules(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.put_board_rules(&p, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/boards/appeals", tag = "boards",
    responses((status = 200, description = "The appeal, pending"), (status = 403), (status = 409, description = "appeal_pending"), (status = 422, description = "no draft, appeal_closed, unit not on the board")),
    security(("bearer" = [])))]
pub async fn appeal(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.board_appeal(&p, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/boards/appeals/{id}/decide", tag = "boards", params(("id" = String, Path)),
    responses((status = 200, description = "The appeal, decided (accepted: the unit is kept off yellow and black and the draft recomputed)"), (status = 403), (status = 404), (status = 409, description = "appeal_decided")),
    security(("bearer" = [])))]
pub async fn decide(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::not_found("申诉", "appeal"))?;
    Ok(Json(app.decide_board_appeal(&p, id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/boards/publish", tag = "boards",
    responses((status = 200, description = "The board, published (never changes again)"), (status = 403), (status = 422, description = "no draft, appeals_pending, a correction without its reason")),
    security(("bearer" = [])))]
pub async fn publish(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.publish_board(&p, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/public/boards", tag = "boards", params(("period" = Option<String>, Query)),
    responses((status = 200, description = "{periods, board}: the published board (latest version) with each unit's reasons"), (status = 404)))]
pub async fn public_board(
    State(app): State<Arc<App>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.public_board(&q).await?))
}

#[utoipa::path(get, path = "/api/v1/public/boards/history", tag = "boards", params(("unit" = String, Query)),
    responses((status = 200, description = "{unit, unit_name, months: [{period, rank, score, board, reasons}], red, yellow, black}"), (status = 404), (status = 422)))]
pub async fn history(
    State(app): State<Arc<App>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.board_history(&q).await?))
}

// ---- Key programs (十大攻坚, 十大民生实事, 整治清单)

fn program_id(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| AppError::not_found("重点工作", "program"))
}

#[utoipa::path(get, path = "/api/v1/programs", tag = "programs",
    responses((status = 200, description = "Every program with its ledger {items, done, on_plan, yellow, red, reports_pending}")), security(("bearer" = [])))]
pub async fn programs(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.programs(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/programs", tag = "programs",
    responses((status = 200, description = "The program"), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_program(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.create_program(&p, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/programs/{id}", tag = "programs", params(("id" = String, Path)),
    responses((status = 200, description = "The program with its items, each with its light (done, on_plan, yellow, red), planned and approved progress, late days and reasons"), (status = 404)),
    security(("bearer" = [])))]
pub async fn program(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.program_detail(&p, program_id(&id)?).await?))
}

#[utoipa::path(post, path = "/api/v1/programs/{id}/items", tag = "programs", params(("id" = String, Path)),
    responses((status = 200, description = "The item"), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn add_item(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        app.add_program_item(&p, program_id(&id)?, &body).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/programs/{id}/items/{item}/reports", tag = "programs",
    params(("id" = String, Path), ("item" = String, Path)),
    responses((status = 200, description = "The item with the report, pending review"), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn report(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, item)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        app.report_program_progress(&p, program_id(&id)?, program_id(&item)?, &body)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/programs/{id}/items/{item}/reports/{n}/review", tag = "programs",
    params(("id" = String, Path), ("item" = String, Path), ("n" = usize, Path)),
    responses((status = 200, description = "The item; an approved report's percent is its progress"), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn review(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path((id, item, n)): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let n: usize = n
        .parse()
        .map_err(|_| AppError::not_found("进度报告", "report"))?;
    Ok(Json(
        app.review_program_report(&p, program_id(&id)?, program_id(&item)?, n, &body)
            .await?,
    ))
}

// ---- Visit campaigns (走访)

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, description = "The campaigns with their units and targets")), security(("bearer" = [])))]
pub async fn campaigns(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.campaigns(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, description = "The campaign"), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_campaign(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.create_campaign(&p, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/visits", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, description = "The visit, with the cases its problems became (source visit)"), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn record_visit(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::not_found("走访活动", "campaign"))?;
    Ok(Json(app.record_visit(&p, id, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/summary", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, description = "{campaign, totals, units: [{unit, households, enterprises, problems, solved, overdue, …targets and rates}]}"), (status = 404)),
    security(("bearer" = [])))]
pub async fn campaign_summary(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::not_found("走访活动", "campaign"))?;
    Ok(Json(app.campaign_summary(&p, id).await?))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/visits", tag = "campaigns",
    params(("id" = String, Path), ("unit" = Option<String>, Query, description = "the visits of this unit and below"), ("kind" = Option<String>, Query, description = "household or enterprise"), ("q" = Option<String>, Query, description = "name, address or visitor contains"), ("page" = Option<usize>, Query), ("page_size" = Option<usize>, Query, description = "1 to 200, default 20")),
    responses((status = 200, description = "{total, page, page_size, items: [{id, unit, unit_name, kind, visited_at, visitor, found, subject, problems, imported}]}"), (status = 404)),
    security(("bearer" = [])))]
pub async fn campaign_visits(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::not_found("走访活动", "campaign"))?;
    Ok(Json(app.campaign_visits(&p, id, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/visit-subjects", tag = "campaigns", params(("community" = Option<String>, Query, description = "region code prefix; the caller's area when absent")),
    responses((status = 200, description = "The registry of households and enterprises"), (status = 403)), security(("bearer" = [])))]
pub async fn visit_subjects(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let community = q.get("community").map(|s| s.trim()).unwrap_or_default();
    Ok(Json(app.visit_subjects(&p, community).await?))
}
