//! The OpenAPI 3 document, generated from the handlers' annotations. The request-body types here
//! document the shapes; bodies are parsed field by field in `app` so errors can name the field.

use app::views::{CaseView, EventView, ExtensionView, LocationView, ReporterView, UnitView};
use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct LoginDoc {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponseDoc {
    pub token: String,
    pub token_type: String,
    pub expires_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReporterDoc {
    pub name: String,
    /// Required on every channel but Open311 (and ledger rows).
    pub phone: String,
    /// For the follow-up (回访) when there is no phone.
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LocationDoc {
    pub address: String,
    /// Region code of the community, street or district.
    pub region: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A new case. Enumerations accept the English code or the Chinese label.
#[derive(Serialize, ToSchema)]
pub struct NewCaseDoc {
    /// Derived from the description when absent.
    pub title: Option<String>,
    pub description: String,
    /// complaint, help, consult, suggestion, report, dispute, praise (or 投诉 … 表扬).
    pub nature: String,
    /// `一级/二级` of the taxonomy (`GET /categories`); suggested by triage when absent. Staff and
    /// API keys only (a citizen's account and the portal get 403 `field_not_permitted`).
    pub category: Option<String>,
    /// normal, urgent, critical (一般, 紧急, 特急); default normal. Staff and API keys only.
    pub urgency: Option<String>,
    /// Staff: window (default), phone, visit, grid, inspector, transfer, leader, media; API keys:
    /// transfer (default), app, grid, media; citizens and the portal: web.
    pub source: Option<String>,
    pub reporter: ReporterDoc,
    pub location: LocationDoc,
    /// RFC 3339 or YYYY-MM-DD; default now. Staff and API keys only.
    pub reported_at: Option<String>,
}

/// A transition. Arguments by action: dispatch `unit`, `co_units`; return and reject `reason`;
/// request_extension `working_days`, `reason`; decide_extension `approve`; resolve and answer
/// `reply` (resolve also `outcome`: resolved, partly, unresolved); follow_up `satisfaction`
/// (satisfied, basically_satisfied, unsatisfied) and `resolved`; escalate `unit`; merge `into`.
#[derive(Serialize, ToSchema)]
pub struct TransitionDoc {
    pub action: String,
    /// The version of the case you read (optimistic concurrency).
    pub version: i64,
    pub opinion: Option<String>,
    pub reason: Option<String>,
    pub unit: Option<String>,
    pub co_units: Option<Vec<String>>,
    pub working_days: Option<u32>,
    pub approve: Option<bool>,
    pub reply: Option<String>,
    pub outcome: Option<String>,
    pub satisfaction: Option<String>,
    pub resolved: Option<bool>,
    pub into: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TriageDoc {
    pub text: String,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "onewindow API", description = "一窗 — one-window case platform of a district social-governance service center"),
    paths(
        crate::handlers::login, crate::handlers::logout, crate::handlers::me, crate::handlers::units,
        crate::handlers::dictionaries, crate::handlers::create_case, crate::handlers::list_cases,
        crate::handlers::get_case, crate::handlers::case_events, crate::handlers::transition, crate::handlers::triage,
        crate::handlers::related, crate::handlers::duplicates, crate::reports::queues, crate::reports::cockpit,
        crate::reports::export_xlsx, crate::reports::export_csv, crate::admin::audit_log, crate::admin::audit_export,
        crate::engine::apply_mediation, crate::engine::mediations, crate::engine::mediation, crate::engine::mediation_action,
        crate::boards::board, crate::boards::compute, crate::boards::rules, crate::boards::put_rules, crate::boards::appeal, crate::boards::decide, crate::boards::publish, crate::boards::public_board, crate::boards::history,
        crate::boards::programs, crate::boards::create_program, crate::boards::program, crate::boards::add_item, crate::boards::report, crate::boards::review,
        crate::bundles::templates, crate::bundles::put_template, crate::bundles::create, crate::bundles::list, crate::bundles::get, crate::bundles::stats, crate::bundles::transition, crate::bundles::create_approval, crate::bundles::approvals, crate::bundles::approval_report, crate::bundles::approval, crate::bundles::submit_stage, crate::bundles::review_action, crate::boards::campaigns, crate::boards::create_campaign, crate::boards::record_visit, crate::boards::campaign_summary, crate::boards::campaign_visits, crate::boards::visit_subjects, crate::ledger::import_visits, crate::ledger::import_registry, crate::ledger::registry_template_csv,
        crate::engine::risk_scan, crate::engine::risk_settings, crate::engine::put_risk_settings, crate::engine::risk_alerts, crate::engine::risk_alert, crate::engine::risk_action, crate::portal::submit, crate::portal::track, crate::portal::rate,
        crate::admin::list_users, crate::admin::create_user, crate::admin::put_unit, crate::admin::update_unit, crate::admin::update_user, crate::admin::reset_password, crate::admin::change_password, crate::admin::categories, crate::admin::taxonomy, crate::admin::add_category, crate::admin::set_category, crate::admin::catalogue, crate::admin::put_catalogue,
        crate::engine::list, crate::engine::count, crate::engine::read, crate::engine::get_policy, crate::engine::put_policy,
        crate::engine::calendars, crate::engine::import_year, crate::engine::set_region, crate::engine::put_webhook, crate::engine::unit_metrics, crate::engine::unit_metric_cases,
        crate::ledger::import, crate::ledger::template_xlsx, crate::ledger::template_csv,
        crate::knowledge::list, crate::knowledge::create, crate::knowledge::propose, crate::knowledge::get, crate::knowledge::edit, crate::knowledge::action, crate::knowledge::uses, crate::knowledge::portal,
        crate::attachments::upload, crate::attachments::list, crate::attachments::body, crate::attachments::thumbnail, crate::attachments::set_public, crate::attachments::public_body, crate::attachments::public_thumbnail, crate::attachments::portal_upload, crate::attachments::policy, crate::attachments::put_policy,
        crate::map::regions, crate::map::put_regions, crate::map::locate, crate::map::cases, crate::map::config, crate::map::put_config,
        crate::engine::triage_models, crate::engine::triage_train, crate::engine::triage_activate, crate::engine::intake_settings, crate::engine::put_intake_settings,
    ),
    components(schemas(CaseView, EventView, UnitView, ReporterView, LocationView, ExtensionView, LoginDoc, LoginResponseDoc, NewCaseDoc, TransitionDoc, TriageDoc, ReporterDoc, LocationDoc)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
