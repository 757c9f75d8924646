//! Administration and reference data: users, units, categories and the routing catalogue.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use app::App;
use app::ports::Route;
use app::routing::CategoryView;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;
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
