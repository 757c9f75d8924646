//! Administration and reference data: users, units, categories and the routing catalogue.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use app::App;
use app::ports::Route;
use app::routing::CategoryView;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, description = "All users")), security(("bearer" = [])))]
pub async fn list_users(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.list_users(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", responses((status = 201, description = "Created"), (status = 403), (status = 409, description = "Username taken"), (status = 422)), security(("bearer" = [])))]
pub async fn create_user(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.admin_create_user(&p, &body).await?),
    ))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "admin", responses((status = 200, description = "The unit as stored"), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn put_unit(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.put_unit(&p, &body).await?))
}

#[utoipa::path(patch, path = "/api/v1/units/{code}", tag = "admin", params(("code" = String, Path)),
    request_body(content = Object, description = "{name?, disabled?}: rename, or take out of service (停用) and back"),
    responses((status = 200, description = "The unit as stored"), (status = 403), (status = 404), (status = 422, description = "E.g. the unit still holds open cases or users")), security(("bearer" = [])))]
pub async fn update_unit(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(code): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.update_unit(&p, &code, &body).await?))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path)),
    request_body(content = Object, description = "{name?, role?, unit?, disabled?}; disabling, or a new role or unit, ends the user's sessions"),
    responses((status = 200, description = "The user"), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn update_user(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.update_user(&p, &id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "admin", params(("id" = String, Path)),
    request_body(content = Object, description = "{password?}: a temporary password, generated when not given; the user must change it at the next sign-in"),
    responses((status = 200, description = "{temporary_password} when generated"), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn reset_password(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.reset_password(&p, &id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth",
    request_body(content = Object, description = "{current, new}"),
    responses((status = 200, description = "{changed: true}; the user's other sessions end"), (status = 422)), security(("bearer" = [])))]
pub async fn change_password(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_string()))
        .unwrap_or_default();
    Ok(Json(app.change_own_password(&p, &token, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "admin", responses((status = 200, description = "Every category of the taxonomy with its state: [{category, disabled}]"), (status = 403)), security(("bearer" = [])))]
pub async fn taxonomy(State(app): State<Arc<App>>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.taxonomy_json(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/taxonomy", tag = "admin", request_body(content = Object, description = "{category: '一级/二级'}"),
    responses((status = 201, description = "Added"), (status = 403), (status = 409, description = "It exists already"), (status = 422)), security(("bearer" = [])))]
pub async fn add_category(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.add_category(&p, &body).await?),
    ))
}

#[utoipa::path(patch, path = "/api/v1/taxonomy", tag = "admin", request_body(content = Object, description = "{category, disabled}: take a category out of use (停用) or back"),
    responses((status = 200, description = "The category's state"), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn set_category(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.set_category_disabled(&p, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/categories", tag = "org", responses((status = 200, description = "The taxonomy with each category's catalogue unit", body = [CategoryView])))]
pub async fn categories(State(app): State<Arc<App>>) -> Result<Json<Vec<CategoryView>>, ApiError> {
    Ok(Json(app.categories().await?))
}

#[utoipa::path(get, path = "/api/v1/catalogue", tag = "org", responses((status = 200, description = "The routing catalogue (派单目录)")), security(("bearer" = [])))]
pub async fn catalogue(
    State(app): State<Arc<App>>,
    Auth(_p): Auth,
) -> Result<Json<Vec<Route>>, ApiError> {
    Ok(Json(app.catalogue().await?))
}

#[utoipa::path(put, path = "/api/v1/catalogue", tag = "org", request_body = Vec<Route>,
    responses((status = 200, description = "The stored catalogue"), (status = 403), (status = 422, description = "A row names an unknown unit, region or a bad category")), security(("bearer" = [])))]
pub async fn put_catalogue(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    crate::extract::JsonBody(body): crate::extract::JsonBody,
) -> Result<Json<Vec<Route>>, ApiError> {
    Ok(Json(app.set_catalogue(&p, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "admin",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("actor" = Option<String>, Query),
        ("action" = Option<String>, Query), ("subject" = Option<String>, Query, description = "a case number"),
        ("page" = Option<u64>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "{items, total, page, page_size, actions}: the audit log of personal-data reads and exports, newest first"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn audit_log(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.audit_page(&p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/audit/export.xlsx", tag = "admin",
    responses((status = 200, description = "The filtered audit log as an Excel workbook (the export is logged)"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn audit_export(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let bytes = app.audit_export_xlsx(&p, &q).await?;
    Ok(crate::reports::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "audit.xlsx",
        "审计日志.xlsx",
    ))
}
