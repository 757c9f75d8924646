//! 红黄黑榜 (issue 21): the boards, their rules, appeals and publication; published boards and a
//! unit's history are public.

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
