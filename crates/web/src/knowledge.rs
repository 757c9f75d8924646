//! The knowledge base over HTTP (issue 23): staff search at intake, writing and review by the
//! owning unit, proposals from answered consultations, the uses of an article, and the portal's
//! public FAQ.

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

fn article_id(s: &str) -> Result<Uuid, ApiError> {
    Ok(Uuid::parse_str(s).map_err(|_| AppError::not_found("知识条目", "article"))?)
}

#[utoipa::path(get, path = "/api/v1/knowledge", tag = "knowledge",
    params(("q" = Option<String>, Query, description = "Text searched in question and answer (CJK bigrams, as cases)"),
        ("status" = Option<String>, Query, description = "all | draft | proposed | published | retired; default: published and in force"),
        ("match" = Option<String>, Query, description = "all (default): every token of q; any: articles sharing at least two of q's tokens, ranked by how many (a clerk's whole sentence)"),
        ("category" = Option<String>, Query), ("unit" = Option<String>, Query), ("limit" = Option<u32>, Query, description = "at most 200; default 50")),
    responses((status = 200, description = "[{id, question, answer, category, unit, unit_name, source, valid_from, valid_until, review_at, status, expired, uses, version, proposed_from, created_at, updated_at, history}], best match first"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.articles(&p, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/knowledge", tag = "knowledge",
    responses((status = 201, description = "The article, status draft"), (status = 403), (status = 422, description = "A missing or bad field: question, answer, category (taxonomy), unit, source, valid_from, valid_until, review_at")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_article(&p, &body).await?),
    ))
}

#[utoipa::path(post, path = "/api/v1/knowledge/proposals", tag = "knowledge",
    responses((status = 201, description = "The article, status proposed, drafted from the case"), (status = 403), (status = 409, description = "Already proposed from this case"), (status = 422, description = "case_id: not visible, not a consultation, not answered")),
    security(("bearer" = [])))]
pub async fn propose(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.propose_article(&p, &body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/knowledge/{id}", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "The article"), (status = 404)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.article(&p, article_id(&id)?).await?))
}

#[utoipa::path(patch, path = "/api/v1/knowledge/{id}", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "The article after the edit"), (status = 403), (status = 404), (status = 409, description = "Stale version"), (status = 422)),
    security(("bearer" = [])))]
pub async fn edit(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.edit_article(&p, article_id(&id)?, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/knowledge/{id}/actions", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "{action: publish | reject | retire | renew, version, note?, valid_until?} → the article"), (status = 403, description = "Not the owning unit's lead, an administrator or a supervisor"), (status = 404), (status = 409, description = "Stale version"), (status = 422, description = "The action does not apply in this status, or a bad date")),
    security(("bearer" = [])))]
pub async fn action(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.article_action(&p, article_id(&id)?, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/knowledge/{id}/uses", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "[{case_id, number, title, status, used_at, used_by}] of the cases the article answered that the caller sees"), (status = 404)),
    security(("bearer" = [])))]
pub async fn uses(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.article_uses(&p, article_id(&id)?).await?))
}

#[utoipa::path(get, path = "/api/v1/portal/knowledge", tag = "portal",
    params(("q" = Option<String>, Query, description = "Text searched; without it, the most used articles"), ("match" = Option<String>, Query, description = "all | any, as on /knowledge")),
    responses((status = 200, description = "[{id, question, answer, category, unit_name, source}]: published articles in force"), (status = 422)))]
pub async fn portal(
    State(app): State<Arc<App>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(
        app.portal_articles(
            q.get("q").map(String::as_str),
            q.get("match").map(String::as_str),
        )
        .await?,
    ))
}
