//! The deadline engine's API: notifications, time-limit policy, calendars, unit webhooks.

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use app::{App, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(("unread" = Option<bool>, Query), ("page" = Option<u64>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "{items, total, unread, page, page_size}: the caller's notifications, newest first, in the language of Accept-Language")), security(("bearer" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    headers: axum::http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let unread = q.get("unread").is_some_and(|v| v == "true" || v == "1");
    let num = |k: &str, default: u64| -> Result<u64, AppError> {
        q.get(k).map_or(Ok(default), |s| {
            s.trim()
                .parse::<u64>()
                .ok()
                .filter(|v| (1..=1_000_000).contains(v))
                .ok_or_else(|| AppError::field(k, "应为正整数", "must be a positive integer"))
        })
    };
    let page = num("page", 1)?;
    let size = u32::try_from(num("page_size", 20)?.min(100)).unwrap_or(100);
    Ok(Json(
        app.notification_page(
            &p,
            unread,
            page,
            size,
            crate::error::wants_english(&headers),
        )
        .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/notifications/count", tag = "notifications", responses((status = 200, description = "{\"unread\": n}")), security(("bearer" = [])))]
pub async fn count(State(app): State<Arc<App>>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "unread": app.unread_notifications(&p).await? }),
    ))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = String, Path, description = "A notification id, or `all`")),
    responses((status = 200, description = "{\"marked\": n}")), security(("bearer" = [])))]
pub async fn read(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let target = if id == "all" {
        None
    } else {
        Some(Uuid::parse_str(&id).map_err(|_| AppError::not_found("通知", "notification"))?)
    };
    Ok(Json(
        json!({ "marked": app.mark_notifications_read(&p, target).await? }),
    ))
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "admin", responses((status = 200, description = "The time-limit policy (时限规则)")), security(("bearer" = [])))]
pub async fn get_policy(
    State(app): State<Arc<App>>,
    Auth(_p): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.policy_json().await?))
}

#[utoipa::path(put, path = "/api/v1/policies", tag = "admin", responses((status = 200, description = "The stored policy"), (status = 403), (status = 422, description = "Invalid policy")), security(("bearer" = [])))]
pub async fn put_policy(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.set_policy(Some(&p), &body).await?))
}

#[utoipa::path(get, path = "/api/v1/calendars", tag = "admin", responses((status = 200, description = "Calendars, the years they cover, their regions")), security(("bearer" = [])))]
pub async fn calendars(
    State(app): State<Arc<App>>,
    Auth(_p): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.calendars().await?))
}

/// Body: `{"text": "year 2027\n2027-01-01 holiday 元旦\n…"}` (the calendar data-file format).
#[utoipa::path(post, path = "/api/v1/calendars/{name}/years", tag = "admin", params(("name" = String, Path, description = "Calendar name; `cn` is the national one")),
    responses((status = 200, description = "Imported"), (status = 422, description = "A line is wrong (line number given)")), security(("bearer" = [])))]
pub async fn import_year(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(name): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let f = app::input::Fields::of(&body, "")?;
    let text = f.req_str("text", 100_000)?;
    Ok(Json(
        app.import_calendar_year(Some(&p), &name, &text).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/calendars/regions", tag = "admin", responses((status = 200, description = "The region now uses the calendar")), security(("bearer" = [])))]
pub async fn set_region(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.set_calendar_region(&p, &body).await?))
}

#[utoipa::path(put, path = "/api/v1/units/{code}/webhook", tag = "admin", params(("code" = String, Path)),
    responses((status = 200, description = "Configured: deadline warnings of the unit's cases are POSTed there, signed")), security(("bearer" = [])))]
pub async fn put_webhook(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(code): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.set_unit_webhook(&p, &code, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/metrics/units", tag = "stats", params(("period" = String, Query, description = "YYYY-MM, or a range of months YYYY-MM..YYYY-MM"), ("unit" = Option<String>, Query), ("recount" = Option<bool>, Query, description = "administrators: recount from every timeline instead of the stored counters")),
    responses((status = 200, description = "Per-unit rates with numerator and denominator, over each unit's subtree")), security(("bearer" = [])))]
pub async fn unit_metrics(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let period = q.get("period").cloned().unwrap_or_default();
    let recount = q.get("recount").is_some_and(|v| v == "true" || v == "1");
    Ok(Json(
        app.unit_metrics_from(&p, &period, q.get("unit").map(String::as_str), recount)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/metrics/units/{unit}/cases", tag = "stats", params(("unit" = String, Path), ("period" = String, Query), ("metric" = String, Query)),
    responses((status = 200, description = "The cases behind a number", body = [app::views::CaseView])), security(("bearer" = [])))]
pub async fn unit_metric_cases(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(unit): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<app::views::CaseView>>, ApiError> {
    let period = q.get("period").cloned().unwrap_or_default();
    let metric = q.get("metric").cloned().unwrap_or_default();
    Ok(Json(
        app.unit_metric_cases(&p, &unit, &period, &metric).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/triage/models", tag = "triage", responses((status = 200, description = "Stored model versions, the one in use")), security(("bearer" = [])))]
pub async fn triage_models(
    State(app): State<Arc<App>>,
    Auth(_p): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.triage_models().await?))
}

#[utoipa::path(post, path = "/api/v1/triage/models/train", tag = "triage", responses((status = 200, description = "The new model version and its held-out figures")), security(("bearer" = [])))]
pub async fn triage_train(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<app::ports::ModelRecord>, ApiError> {
    Ok(Json(app.train_triage(Some(&p), None).await?))
}

#[utoipa::path(post, path = "/api/v1/triage/models/{version}/activate", tag = "triage", params(("version" = String, Path, description = "A stored version, or `builtin`")),
    responses((status = 200, description = "Activated (rollback = activating an earlier version)"), (status = 404)), security(("bearer" = [])))]
pub async fn triage_activate(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(version): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.activate_triage_model(Some(&p), &version).await?))
}

#[utoipa::path(get, path = "/api/v1/triage/settings", tag = "triage", responses((status = 200, description = "Auto-dispatch settings")), security(("bearer" = [])))]
pub async fn intake_settings(
    State(app): State<Arc<App>>,
    Auth(_p): Auth,
) -> Result<Json<app::intake::IntakeSettings>, ApiError> {
    Ok(Json(app.intake_settings().await?))
}

#[utoipa::path(put, path = "/api/v1/triage/settings", tag = "triage", responses((status = 200, description = "Stored settings"), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn put_intake_settings(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<app::intake::IntakeSettings>, ApiError> {
    Ok(Json(app.set_intake_settings(&p, &body).await?))
}

// ---- 矛盾风险预警 (issue 20)

#[utoipa::path(post, path = "/api/v1/risk/scan", tag = "risk",
    responses((status = 200, description = "The scan ran: {as_of, cases_scanned, signals, created, updated}"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn risk_scan(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let r = app.risk_scan(&p, &body).await?;
    Ok(Json(serde_json::to_value(r).map_err(AppError::internal)?))
}

#[utoipa::path(get, path = "/api/v1/risk/alerts", tag = "risk",
    params(("kind" = Option<String>, Query), ("level" = Option<String>, Query), ("status" = Option<String>, Query), ("unit" = Option<String>, Query), ("case_id" = Option<String>, Query, description = "alerts this case belongs to")),
    responses((status = 200, description = "The caller's alerts, newest first: {id, kind, level, status, case_ids, phone, summary, evidence, version, …}"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn risk_alerts(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.risk_alerts(&p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/risk/alerts/{id}", tag = "risk", params(("id" = String, Path)),
    responses((status = 200, description = "The alert with its cases and events"), (status = 404)),
    security(("bearer" = [])))]
pub async fn risk_alert(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.risk_alert(&p, alert_id(&id)?).await?))
}

#[utoipa::path(post, path = "/api/v1/risk/alerts/{id}/actions", tag = "risk", params(("id" = String, Path)),
    responses((status = 200, description = "The alert after the step"), (status = 403), (status = 404), (status = 409, description = "stale_version"), (status = 422)),
    security(("bearer" = [])))]
pub async fn risk_action(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        app.risk_alert_action(&p, alert_id(&id)?, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/risk/settings", tag = "risk",
    responses((status = 200, description = "The scan's windows and thresholds")), security(("bearer" = [])))]
pub async fn risk_settings(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.risk_settings_json(&p).await?))
}

#[utoipa::path(put, path = "/api/v1/risk/settings", tag = "risk",
    responses((status = 200, description = "The settings as stored"), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn put_risk_settings(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.put_risk_settings(&p, &body).await?))
}

fn alert_id(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| AppError::not_found("风险预警", "risk alert"))
}

// ---- 人民调解 (issue 20)

#[utoipa::path(post, path = "/api/v1/mediations", tag = "mediation",
    responses((status = 201, description = "The mediation, applied for"), (status = 403), (status = 409, description = "mediation_exists"), (status = 422)),
    security(("bearer" = [])))]
pub async fn apply_mediation(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    JsonBody(body): JsonBody,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    Ok((
        axum::http::StatusCode::CREATED,
        Json(app.apply_mediation(&p, &body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/mediations", tag = "mediation",
    params(("status" = Option<String>, Query), ("case_id" = Option<String>, Query), ("due" = Option<String>, Query, description = "judicial: 司法确认 windows ending within 7 days or ended")),
    responses((status = 200, description = "The caller's units' mediations, newest first"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn mediations(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(app.mediations(&p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/mediations/{id}", tag = "mediation", params(("id" = String, Path)),
    responses((status = 200, description = "The mediation with its events"), (status = 404)), security(("bearer" = [])))]
pub async fn mediation(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::not_found("调解", "mediation"))?;
    Ok(Json(app.mediation_detail(&p, id).await?))
}

#[utoipa::path(post, path = "/api/v1/mediations/{id}/actions", tag = "mediation", params(("id" = String, Path)),
    responses((status = 200, description = "The mediation after the step"), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn mediation_action(
    State(app): State<Arc<App>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::not_found("调解", "mediation"))?;
    Ok(Json(app.mediation_action(&p, id, &body).await?))
}
