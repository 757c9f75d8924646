//! The district map over HTTP (issue 23): the boundaries (read by anyone signed in, replaced by
//! administrators), locating a point's street, the cases as points, the optional tile URL.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use app::App;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The body limit of `PUT /map/regions`: a district's boundaries are larger than a form.
pub fn regions_limit() -> usize {
    app::map::MAX_REGIONS_BYTES
}

#[utoipa::path(get, path = "/api/v1/map/regions", tag = "map",
    responses((status = 200, description = "GeoJSON FeatureCollection: one Feature per street/town (properties {code, name, level: street}) and the district outline (level: district); Polygon/MultiPolygon, [lon, lat]. Empty when none was imported")),
    security(("bearer" = [])))]
pub async fn regions(State(app): State<Arc<App>>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.map_regions(&p).await?))
}

#[utoipa::path(put, path = "/api/v1/map/regions", tag = "map",
    responses((status = 200, description = "{features: n}"), (status = 403), (status = 413, description = "Larger than 5 MiB"), (status = 422, description = "Not a FeatureCollection, a ring not closed, a coordinate not a number or out of range, an unknown street code…: field is the path of the first problem, details.errors lists them")),
    security(("bearer" = [])))]
pub async fn put_regions(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.put_map_regions(&p, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/map/locate", tag = "map",
    params(("lat" = f64, Query), ("lon" = f64, Query)),
    responses((status = 200, description = "{code, name} of the street/town containing the point"), (status = 404, description = "Outside the district"), (status = 422)),
    security(("bearer" = [])))]
pub async fn locate(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.map_locate(&p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/map/cases", tag = "map",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("status" = Option<String>, Query),
        ("category" = Option<String>, Query), ("nature" = Option<String>, Query), ("street" = Option<String>, Query, description = "a street/town's region code")),
    responses((status = 200, description = "{total, truncated, points: [{id, number, title, lat, lon, status, urgency, street}], streets: [{code, name, count}]}: the newest 5,000 cases the caller may see"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn cases(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.map_cases(&p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/map/config", tag = "map",
    responses((status = 200, description = "{tile_url: null | string}")),
    security(("bearer" = [])))]
pub async fn config(State(app): State<Arc<App>>, Auth(_p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.map_config().await?))
}

#[utoipa::path(put, path = "/api/v1/map/config", tag = "map",
    responses((status = 200, description = "{tile_url}"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn put_config(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.put_map_config(&p, &body).await?))
}
