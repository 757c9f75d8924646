//! Route handlers: thin translations between HTTP and the use cases.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody, bearer};
use crate::guard::{self, ClientInfo};
use crate::metrics_handle;
use app::deadlines::format_instant;
use app::input::Fields;
use app::views::{CaseView, EventView, Page, UnitView, unit_view};
use app::{App, AppError};
use axum::Json;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use domain::{
    Action, FollowUpMethod, Level, Nature, Outcome, Role, Satisfaction, Source, Status, UnitKind,
    Urgency,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

type ApiResult<T> = Result<T, ApiError>;

/// A malformed id names no case: 404, like an unknown one.
fn case_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::not_found("工单", "case"))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = crate::openapi::LoginDoc,
    responses((status = 200, description = "Bearer token", body = crate::openapi::LoginResponseDoc), (status = 401, description = "Wrong username or password"), (status = 429, description = "Too many failed attempts")))]
pub async fn login(
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let f = Fields::of(&body, "")?;
    let username = f.req_str("username", 64)?;
    let password = f.req_str("password", 256)?;
    let r = app.login(&username, &password, &client).await?;
    let tree = app.org.tree().await?;
    let mut res = Json(json!({
        "token": r.token,
        "token_type": "Bearer",
        "expires_at": format_instant(r.expires_at),
        "user": user_json(&r.user.username, &r.user.display_name, r.user.role, Some(&r.user.unit), r.user.must_change_password, &tree),
    }))
    .into_response();
    // A browser that signed in becomes a known device: its owner's right password passes a lock
    // of the username that someone else's guesses caused.
    if let Some(cookie) = r.device.as_deref().and_then(guard::device_cookie) {
        res.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(res)
}

fn user_json(
    username: &str,
    name: &str,
    role: Role,
    unit: Option<&str>,
    must_change_password: bool,
    tree: &app::org::OrgTree,
) -> Value {
    json!({
        "must_change_password": must_change_password,
        "username": username,
        "name": name,
        "role": role.code(),
        "role_label": role.label_zh(),
        "unit": unit,
        "unit_name": unit.map(|u| tree.name(u)),
        "unit_level": unit.and_then(|u| tree.get(u)).map(|u| u.level.code()),
    })
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204, description = "Signed out")), security(("bearer" = [])))]
pub async fn logout(State(app): State<Arc<App>>, req: Request) -> ApiResult<StatusCode> {
    let (parts, _) = req.into_parts();
    let token = bearer(&parts).ok_or_else(AppError::unauthorized)?;
    app.authenticate(&token).await?;
    app.logout(&token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, description = "The signed-in user")), security(("bearer" = [])))]
pub async fn me(State(app): State<Arc<App>>, Auth(p): Auth) -> ApiResult<Json<Value>> {
    let tree = app.org.tree().await?;
    Ok(Json(user_json(
        &p.username,
        &p.name,
        p.role,
        p.unit.as_deref(),
        p.must_change_password,
        &tree,
    )))
}

#[utoipa::path(get, path = "/api/v1/units", tag = "org", responses((status = 200, description = "The org tree, flat", body = [UnitView])))]
pub async fn units(State(app): State<Arc<App>>) -> ApiResult<Json<Vec<UnitView>>> {
    let tree = app.org.tree().await?;
    Ok(Json(tree.units.iter().map(unit_view).collect()))
}

/// The enumerations with their codes and labels (字典), for forms and filters.
#[utoipa::path(get, path = "/api/v1/dictionaries", tag = "org", responses((status = 200, description = "Codes and labels of every enumeration")))]
pub async fn dictionaries() -> Json<Value> {
    fn list<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        zh: fn(T) -> &'static str,
        en: fn(T) -> &'static str,
    ) -> Value {
        all.iter()
            .map(|v| json!({ "code": code(*v), "label": zh(*v), "label_en": en(*v) }))
            .collect()
    }
    Json(json!({
        "nature": list(Nature::ALL, Nature::code, Nature::label_zh, Nature::label_en),
        "urgency": list(Urgency::ALL, Urgency::code, Urgency::label_zh, Urgency::label_en),
        "source": list(Source::ALL, Source::code, Source::label_zh, Source::label_en),
        "status": list(Status::ALL, Status::code, Status::label_zh, Status::label_en),
        "role": list(Role::ALL, Role::code, Role::label_zh, Role::label_en),
        "action": list(Action::ALL, Action::code, Action::label_zh, Action::label_en),
        "satisfaction": list(Satisfaction::ALL, Satisfaction::code, Satisfaction::label_zh, Satisfaction::label_en),
        "outcome": list(Outcome::ALL, Outcome::code, Outcome::label_zh, Outcome::label_en),
        "follow_up_method": list(FollowUpMethod::ALL, FollowUpMethod::code, FollowUpMethod::label_zh, FollowUpMethod::label_en),
        "level": list(Level::ALL, Level::code, Level::label_zh, Level::label_en),
        "unit_kind": list(UnitKind::ALL, UnitKind::code, UnitKind::label_zh, UnitKind::label_en),
    }))
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = crate::openapi::NewCaseDoc,
    responses((status = 201, description = "The registered case", body = CaseView), (status = 400, description = "Malformed JSON"), (status = 403, description = "The role may not register cases, or may not set a field it gave (`field_not_permitted`, the field named)"), (status = 413, description = "Body too large"), (status = 422, description = "A field is missing or wrong, or names a category or region that does not exist")),
    security(("bearer" = [])))]
pub async fn create_case(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    let view = app.create_case(&p, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    params(
        ("status" = Option<String>, Query, description = "Comma-separated statuses"),
        ("nature" = Option<String>, Query, description = "Comma-separated natures"),
        ("urgency" = Option<String>, Query), ("source" = Option<String>, Query),
        ("unit" = Option<String>, Query, description = "Main or co-unit code"),
        ("category" = Option<String>, Query, description = "一级/二级, or 一级"),
        ("region" = Option<String>, Query, description = "Region code prefix"),
        ("from" = Option<String>, Query, description = "Reported on or after (YYYY-MM-DD or RFC 3339)"),
        ("to" = Option<String>, Query, description = "Reported on or before"),
        ("due" = Option<String>, Query, description = "near (临期) or overdue (超期)"),
        ("q" = Option<String>, Query, description = "Free text (Chinese, segmented with jieba)"),
        ("number" = Option<String>, Query), ("phone" = Option<String>, Query), ("supervised" = Option<bool>, Query),
        ("sort" = Option<String>, Query, description = "-reported_at (default), reported_at, due, -number"),
        ("page" = Option<u64>, Query), ("page_size" = Option<u32>, Query, description = "At most 100")
    ),
    responses((status = 200, description = "A page of cases in the caller's scope", body = Page<CaseView>), (status = 422, description = "A bad filter")),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Page<CaseView>>> {
    Ok(Json(app.list_cases(&p, &params).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseView), (status = 404, description = "Unknown or not in your scope")), security(("bearer" = [])))]
pub async fn get_case(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(app.get_case(&p, case_id(&id)?).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The timeline, oldest first", body = [EventView]), (status = 404)), security(("bearer" = [])))]
pub async fn case_events(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<EventView>>> {
    Ok(Json(app.case_events(&p, case_id(&id)?).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", params(("id" = Uuid, Path)), request_body = crate::openapi::TransitionDoc,
    responses(
        (status = 200, description = "The updated case", body = CaseView),
        (status = 403, description = "Your role or unit may not take this action"),
        (status = 404, description = "Unknown or not in your scope"),
        (status = 409, description = "Stale version: the case changed since you read it"),
        (status = 422, description = "Not allowed from this status (allowed actions listed), or a bad argument"),
    ), security(("bearer" = [])))]
pub async fn transition(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<CaseView>> {
    let id = case_id(&id)?;
    let view = app.transition(&p, id, &body).await?;
    metrics::counter!("onewindow_transitions_total", "action" => view_action(&body)).increment(1);
    Ok(Json(view))
}

fn view_action(body: &Value) -> String {
    body.get("action")
        .and_then(Value::as_str)
        .and_then(Action::parse)
        .map_or("unknown", |a| a.code())
        .to_string()
}

#[utoipa::path(post, path = "/api/v1/triage", tag = "triage", request_body = crate::openapi::TriageDoc,
    responses((status = 200, description = "Category, department, nature, urgency, risk and candidates")), security(("bearer" = [])))]
pub async fn triage(
    State(app): State<Arc<App>>,
    Auth(_p): Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.triage(&body).await?))
}

pub async fn api_not_found() -> ApiError {
    AppError::new(
        app::ErrorKind::NotFound,
        "no_such_endpoint",
        "接口不存在",
        "no such endpoint",
    )
    .into()
}

/// Readiness (`/healthz`, `/readyz`): 200 when the database answered just now, within the
/// readiness timeout; 503 with the reason otherwise. For load balancers' health checks.
pub async fn healthz(State(app): State<Arc<App>>) -> Response {
    match app.ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "database unavailable", "reason": reason })),
            )
                .into_response()
        }
    }
}

/// Liveness (`/livez`): the process answers HTTP. Asks nothing of the database, so that an
/// orchestrator does not restart replicas for an outage of the database they share.
pub async fn livez() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

pub async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics_handle().render(),
    )
}

/// The status page of a build without the UI; its one inline style is allowed by its own policy.
pub async fn index() -> impl IntoResponse {
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )],
        Html(include_str!("index.html")),
    )
}

/// Counts requests and their latency by route template (not the raw path, which has ids).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("onewindow_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("onewindow_http_request_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/related", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, description = "Merged duplicates, same reporter, same place")), security(("bearer" = [])))]
pub async fn related(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.related(&p, case_id(&id)?).await?))
}

#[utoipa::path(get, path = "/api/v1/duplicates", tag = "cases",
    params(("phone" = Option<String>, Query), ("region" = Option<String>, Query), ("address" = Option<String>, Query)),
    responses((status = 200, description = "Possible duplicates of a request being registered", body = [CaseView])), security(("bearer" = [])))]
pub async fn duplicates(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<CaseView>>> {
    Ok(Json(app.duplicates(&p, &q).await?))
}
