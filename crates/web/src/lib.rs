//! HTTP edge of onewindow: the JSON API under `/api/v1` (with its OpenAPI document), health and
//! Prometheus metrics. Errors of every layer are mapped to a status and a JSON body here, once, in
//! the language the client asks for.

mod admin;
mod attachments;
mod boards;
mod bundles;
mod engine;
mod error;
mod extract;
pub mod guard;
mod handlers;
mod knowledge;
mod ledger;
mod map;
pub mod media;
mod open311;
mod openapi;
mod portal;
mod reports;
mod ui;

use app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};

pub use error::ApiError;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body accepted (413 above it).
    pub body_limit: usize,
    /// Proxies (load balancers) whose `X-Forwarded-For` names the client (see `guard`).
    pub trusted_proxies: guard::TrustedProxies,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            body_limit: 1024 * 1024,
            trusted_proxies: guard::TrustedProxies::default(),
        }
    }
}

/// The process-wide Prometheus recorder (a recorder can be installed only once per process).
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub fn router(app: Arc<App>, cfg: WebConfig) -> Router {
    metrics_handle();
    let api = Router::new()
        .route("/auth/login", post(handlers::login))
        .route("/auth/logout", post(handlers::logout))
        .route("/auth/me", get(handlers::me))
        .route("/dictionaries", get(handlers::dictionaries))
        .route(
            "/cases",
            post(handlers::create_case).get(handlers::list_cases),
        )
        .route("/cases/export.xlsx", get(reports::export_xlsx))
        .route("/cases/export.csv", get(reports::export_csv))
        .route("/cases/{id}", get(handlers::get_case))
        .route("/cases/{id}/related", get(handlers::related))
        .route("/duplicates", get(handlers::duplicates))
        .route("/queues", get(reports::queues))
        .route("/stats/cockpit", get(reports::cockpit))
        .route("/portal/cases", post(portal::submit))
        .route("/portal/cases/{number}", get(portal::track))
        .route("/portal/cases/{number}/rating", post(portal::rate))
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/{id}", axum::routing::patch(admin::update_user))
        .route("/users/{id}/password", post(admin::reset_password))
        .route("/auth/password", post(admin::change_password))
        .route("/units", get(handlers::units).post(admin::put_unit))
        .route("/units/{code}", axum::routing::patch(admin::update_unit))
        .route(
            "/mediations",
            get(engine::mediations).post(engine::apply_mediation),
        )
        .route("/mediations/{id}", get(engine::mediation))
        .route("/mediations/{id}/actions", post(engine::mediation_action))
        .route("/boards", get(boards::board))
        .route("/boards/compute", post(boards::compute))
        .route("/boards/rules", get(boards::rules).put(boards::put_rules))
        .route("/boards/appeals", post(boards::appeal))
        .route("/boards/appeals/{id}/decide", post(boards::decide))
        .route("/boards/publish", post(boards::publish))
        .route("/public/boards", get(boards::public_board))
        .route("/public/boards/history", get(boards::history))
        .route(
            "/programs",
            get(boards::programs).post(boards::create_program),
        )
        .route(
            "/campaigns",
            get(boards::campaigns).post(boards::create_campaign),
        )
        .route(
            "/campaigns/{id}/visits",
            get(boards::campaign_visits).post(boards::record_visit),
        )
        .route("/campaigns/{id}/summary", get(boards::campaign_summary))
        .route("/visit-subjects", get(boards::visit_subjects))
        .route("/programs/{id}", get(boards::program))
        .route("/programs/{id}/items", post(boards::add_item))
        .route("/programs/{id}/items/{item}/reports", post(boards::report))
        .route(
            "/programs/{id}/items/{item}/reports/{n}/review",
            post(boards::review),
        )
        .route("/risk/scan", post(engine::risk_scan))
        .route(
            "/risk/settings",
            get(engine::risk_settings).put(engine::put_risk_settings),
        )
        .route("/risk/alerts", get(engine::risk_alerts))
        .route("/risk/alerts/{id}", get(engine::risk_alert))
        .route("/risk/alerts/{id}/actions", post(engine::risk_action))
        .route("/audit", get(admin::audit_log))
        .route("/audit/export.xlsx", get(admin::audit_export))
        .route("/categories", get(admin::categories))
        .route(
            "/taxonomy",
            get(admin::taxonomy)
                .post(admin::add_category)
                .patch(admin::set_category),
        )
        .route(
            "/catalogue",
            get(admin::catalogue).put(admin::put_catalogue),
        )
        .route(
            "/ledger/import",
            post(ledger::import).layer(DefaultBodyLimit::max(ledger::ledger_limit())),
        )
        .route("/ledger/template.xlsx", get(ledger::template_xlsx))
        .route("/ledger/template.csv", get(ledger::template_csv))
        .route(
            "/campaigns/{id}/visits/import",
            post(ledger::import_visits).layer(DefaultBodyLimit::max(ledger::ledger_limit())),
        )
        .route(
            "/visit-subjects/import",
            post(ledger::import_registry).layer(DefaultBodyLimit::max(ledger::ledger_limit())),
        )
        .route("/bundles", get(bundles::list).post(bundles::create))
        .route("/bundles/templates", get(bundles::templates))
        .route("/bundles/stats", get(bundles::stats))
        .route("/bundles/templates/{code}", put(bundles::put_template))
        .route("/bundles/{id}", get(bundles::get))
        .route(
            "/approvals",
            get(bundles::approvals).post(bundles::create_approval),
        )
        .route("/approvals/report", get(bundles::approval_report))
        .route("/approvals/{id}", get(bundles::approval))
        .route(
            "/approvals/{id}/stages/{stage}/submit",
            post(bundles::submit_stage),
        )
        .route(
            "/approvals/{id}/reviews/{review}/actions",
            post(bundles::review_action),
        )
        .route(
            "/bundles/{id}/tasks/{task}/transitions",
            post(bundles::transition),
        )
        .route(
            "/visit-subjects/template.csv",
            get(ledger::registry_template_csv),
        )
        // Issue 23: files on cases.
        .route(
            "/cases/{id}/attachments",
            get(attachments::list)
                .post(attachments::upload)
                .layer(DefaultBodyLimit::max(attachments::upload_limit(&app))),
        )
        .route(
            "/cases/{id}/attachments/{aid}",
            get(attachments::body).patch(attachments::set_public),
        )
        .route(
            "/cases/{id}/attachments/{aid}/thumbnail",
            get(attachments::thumbnail),
        )
        .route("/public/attachments/{aid}", get(attachments::public_body))
        .route(
            "/public/attachments/{aid}/thumbnail",
            get(attachments::public_thumbnail),
        )
        .route(
            "/portal/cases/{number}/attachments",
            post(attachments::portal_upload)
                .layer(DefaultBodyLimit::max(attachments::upload_limit(&app))),
        )
        .route(
            "/attachments/policy",
            get(attachments::policy).put(attachments::put_policy),
        )
        // Issue 23: the knowledge base (知识库).
        .route("/knowledge", get(knowledge::list).post(knowledge::create))
        .route("/knowledge/proposals", post(knowledge::propose))
        .route(
            "/knowledge/{id}",
            get(knowledge::get).patch(knowledge::edit),
        )
        .route("/knowledge/{id}/actions", post(knowledge::action))
        .route("/knowledge/{id}/uses", get(knowledge::uses))
        .route("/portal/knowledge", get(knowledge::portal))
        // Issue 23: the district map.
        .route(
            "/map/regions",
            get(map::regions)
                .put(map::put_regions)
                .layer(DefaultBodyLimit::max(map::regions_limit())),
        )
        .route("/map/locate", get(map::locate))
        .route("/map/cases", get(map::cases))
        .route("/map/config", get(map::config).put(map::put_config))
        .route("/triage/models", get(engine::triage_models))
        .route("/triage/models/train", post(engine::triage_train))
        .route(
            "/triage/models/{version}/activate",
            post(engine::triage_activate),
        )
        .route(
            "/triage/settings",
            get(engine::intake_settings).put(engine::put_intake_settings),
        )
        .route("/metrics/units", get(engine::unit_metrics))
        .route(
            "/metrics/units/{unit}/cases",
            get(engine::unit_metric_cases),
        )
        .route("/notifications", get(engine::list))
        .route("/notifications/count", get(engine::count))
        .route("/notifications/{id}/read", post(engine::read))
        .route("/policies", get(engine::get_policy).put(engine::put_policy))
        .route("/calendars", get(engine::calendars))
        .route("/calendars/regions", post(engine::set_region))
        .route("/calendars/{name}/years", post(engine::import_year))
        .route(
            "/units/{code}/webhook",
            axum::routing::put(engine::put_webhook),
        )
        .route("/cases/{id}/events", get(handlers::case_events))
        .route("/cases/{id}/transitions", post(handlers::transition))
        .route("/triage", post(handlers::triage))
        .route("/openapi.json", get(openapi::document))
        .fallback(handlers::api_not_found);
    // Issue 19: control characters in an API path or query are refused before any handler.
    let api = api.layer(axum::middleware::from_fn(extract::refuse_control_chars));
    Router::new()
        .nest("/api/v1", api)
        .nest("/open311/v2", open311::router())
        // Health (issue 19): /healthz and /readyz ask the database; /livez only the process.
        .route("/healthz", get(handlers::healthz))
        .route("/readyz", get(handlers::healthz))
        .route("/livez", get(handlers::livez))
        .route("/metrics", get(handlers::metrics))
        .fallback(ui::serve)
        .layer(DefaultBodyLimit::max(cfg.body_limit))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(handlers::track_metrics))
        // The edge's guards (issue 19): security headers on every answer; the client's address.
        .layer(axum::middleware::from_fn(guard::security_headers))
        .layer(axum::Extension(Arc::new(guard::Edge {
            trusted_proxies: cfg.trusted_proxies,
        })))
        .with_state(app)
}
