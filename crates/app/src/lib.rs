//! Use cases of onewindow: intake, the lifecycle transitions, lists and search, authentication and
//! data scope. Owns the storage trait ([`ports::Store`]) that the `store` crate implements; knows
//! nothing of SQL or HTTP.

pub mod admin;
pub mod alerts;
pub mod approvals;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod boards;
pub mod bundles;
pub mod campaigns;
pub mod cases;
pub mod clock;
pub mod deadlines;
pub mod district;
pub mod error;
pub mod export;
pub mod health;
pub mod input;
pub mod intake;
// Issue 23: the knowledge base (知识库) and the district map.
pub mod knowledge;
pub mod learning;
pub mod ledger;
pub mod map;
pub mod mediation;
pub mod metrics;
pub mod notify;
pub mod open311;
pub mod org;
pub mod portal;
pub mod ports;
pub mod programs;
pub mod visit_registry;
// Issue 19.5/19.6, 18.5: references to the taxonomy and org tree; who may set which case field.
pub mod case_fields;
pub mod references;
pub mod related;
pub mod risk;
pub mod routing;
pub mod rules;
pub mod scope;
pub mod search;
// Bounded spreadsheet readers (issue 19).
pub mod sheet;
pub mod stats;
pub mod taxonomy;
pub mod throttle;
pub mod ttl;
pub mod views;

use std::sync::Arc;

pub use error::{AppError, ErrorKind};

/// Configuration of the use cases that operators may change.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a login token lives.
    pub session_ttl_ms: i64,
    /// Rate limits of sign-in and the public portal (see `throttle`).
    pub limits: throttle::Limits,
    /// How long the readiness check waits for the database (see `health`).
    pub ready_timeout_ms: i64,
    /// How long a month's unit metrics, once computed, are served as they are (ms of the app's
    /// clock). Computing them reads every event of the cases active in the month; leaders and
    /// boards ask for the same months all day. 0 computes every time.
    pub metrics_cache_ms: i64,
    /// How long a cockpit answer (one scope, one query) is served as it is. 0: never cached.
    pub cockpit_cache_ms: i64,
    /// How long a checked credential is trusted without looking it up again (ms of the app's
    /// clock). 0 looks up every request.
    pub auth_cache_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_ttl_ms: 12 * 3_600_000,
            limits: throttle::Limits::default(),
            ready_timeout_ms: 2_000,
            metrics_cache_ms: 60_000,
            cockpit_cache_ms: 10_000,
            auth_cache_ms: 5_000,
        }
    }
}

/// How long settings and catalogues read from the database are kept (another replica's change is
/// seen at most this late; this process's own changes at once).
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// Everything a use case needs: storage, clock, calendar, policy, triage, org cache.
pub struct App {
    pub store: Arc<dyn ports::Store>,
    pub clock: Arc<dyn clock::Clock>,
    /// Time-limit policy and calendars (data, cached).
    pub rules: rules::RulesCache,
    /// Segmentation for search (its dictionary does not change with the model).
    pub triage: Arc<triage::Triage>,
    /// The classifier in use: the active model version, swapped when a retrained one is activated.
    pub classifier: learning::Classifier,
    pub org: org::OrgCache,
    pub settings: Settings,
    /// Read by every intake, changed a few times a year: kept for 30 s (see `ttl`).
    pub(crate) intake_settings_cache: ttl::TtlCache<intake::IntakeSettings>,
    pub(crate) catalogue_cache: ttl::TtlCache<Vec<ports::Route>>,
    pub(crate) taxonomy_cache: ttl::TtlCache<Vec<taxonomy::TaxonomyEntry>>,
    pub(crate) district_cache: ttl::TtlCache<district::DistrictProfile>,
    /// Users, for finding whom to notify of a high-risk case.
    pub(crate) users_cache: ttl::TtlCache<Vec<ports::UserRecord>>,
    /// Unit metrics per month, with the instant they were computed (see `Settings::metrics_cache_ms`).
    pub(crate) metrics_cache: metrics::MetricsCache,
    /// Held while a month's metrics are computed (see `metrics::tallies`).
    pub(crate) metrics_compute: tokio::sync::Mutex<()>,
    /// Cockpit answers per (caller's scope, query), with the instant computed (`cockpit_cache_ms`).
    pub(crate) cockpit_cache: stats::CockpitCache,
    pub(crate) cockpit_compute: tokio::sync::Mutex<()>,
    /// Credentials checked recently: token hash → (when, principal). See `authenticate`.
    pub(crate) credentials_cache:
        std::sync::Mutex<std::collections::HashMap<String, (i64, scope::Principal)>>,
    /// Rate-limit buckets known to be over their limit, until their window ends (see `throttle`).
    pub(crate) throttle: throttle::Memory,
    /// Where attachments' bytes live (issue 23); `NoFiles` until the binary wires a store.
    pub files: attachments::Files,
    /// Fetches Open311 `media_url`s; `NoFetch` keeps them as links.
    pub media: std::sync::Arc<dyn attachments::MediaFetcher>,
    /// Size, count and pixel limits of attachments.
    pub file_limits: files::Limits,
}

impl App {
    pub fn new(
        store: Arc<dyn ports::Store>,
        clock: Arc<dyn clock::Clock>,
        triage: Arc<triage::Triage>,
    ) -> App {
        App {
            org: org::OrgCache::new(store.clone()),
            rules: rules::RulesCache::new(store.clone()),
            store,
            clock,
            classifier: learning::Classifier::new(triage.clone()),
            triage,
            settings: Settings::default(),
            intake_settings_cache: ttl::TtlCache::new(CACHE_TTL),
            catalogue_cache: ttl::TtlCache::new(CACHE_TTL),
            taxonomy_cache: ttl::TtlCache::new(CACHE_TTL),
            district_cache: ttl::TtlCache::new(CACHE_TTL),
            users_cache: ttl::TtlCache::new(CACHE_TTL),
            metrics_cache: metrics::MetricsCache::default(),
            metrics_compute: tokio::sync::Mutex::new(()),
            cockpit_cache: stats::CockpitCache::default(),
            cockpit_compute: tokio::sync::Mutex::new(()),
            credentials_cache: Default::default(),
            throttle: Default::default(),
            files: std::sync::Arc::new(attachments::NoFiles),
            media: std::sync::Arc::new(attachments::NoFetch),
            file_limits: files::Limits::default(),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}
