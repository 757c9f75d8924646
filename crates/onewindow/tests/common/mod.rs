//! Test harness: a real server on an ephemeral port, over a fresh SQLite file or a fresh
//! PostgreSQL database (created here and dropped when the test ends), driven over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use app::App;
use app::clock::ManualClock;
use reqwest::StatusCode;
use seed::DemoSeed as _;
use serde_json::{Value, json};
use sqlx::Connection;
use std::sync::Arc;
use store::SqlStore;

pub const PASSWORD: &str = seed::DEMO_PASSWORD;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server every development and CI machine runs.
pub fn pg_admin_url() -> String {
    std::env::var("ONEWINDOW_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub app: Arc<App>,
    pub store: Arc<SqlStore>,
    pub clock: Arc<ManualClock>,
    pub units: Vec<Value>,
    /// The attachments' directory (a fresh temporary one, unless a test gave its own store).
    pub files_dir: std::path::PathBuf,
    cleanup: Option<Cleanup>,
    server: tokio::task::JoinHandle<()>,
}

pub enum Cleanup {
    File(std::path::PathBuf),
    PgDatabase(String),
}

/// The name prefix of the databases this run creates: `scripts/test.sh` gives each run its own
/// (`ONEWINDOW_TEST_DB_PREFIX`), so that its clean-up of leftovers never drops the databases of
/// another run going on at the same time on the same server.
pub fn test_db_prefix() -> String {
    std::env::var("ONEWINDOW_TEST_DB_PREFIX")
        .ok()
        .filter(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .unwrap_or_else(|| "ow_test_".into())
}

/// Tuesday 2026-11-24 10:00 in Shanghai.
pub const T0: i64 = 1_795_485_600_000;

pub async fn fresh_db(db: Db) -> (String, Cleanup) {
    match db {
        Db::Sqlite => {
            let dir = std::env::temp_dir().join(format!("ow-test-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir).unwrap();
            (
                format!("sqlite://{}", dir.join("t.db").display()),
                Cleanup::File(dir),
            )
        }
        Db::Postgres => {
            let admin = pg_admin_url();
            let name = format!("{}{}", test_db_prefix(), uuid::Uuid::now_v7().simple());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("PostgreSQL must be reachable at ONEWINDOW_TEST_PG or 127.0.0.1:5432");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(b, _)| b)
                .to_string();
            (format!("{base}/{name}"), Cleanup::PgDatabase(name))
        }
    }
}

impl TestServer {
    pub async fn start(db: Db) -> TestServer {
        Self::start_with(db, web::WebConfig::default()).await
    }

    pub async fn start_with(db: Db, cfg: web::WebConfig) -> TestServer {
        Self::start_full(db, cfg, None).await
    }

    /// A server whose attachments go to `files` (the S3 test), or to a temporary directory.
    pub async fn start_full(
        db: Db,
        cfg: web::WebConfig,
        files: Option<app::attachments::Files>,
    ) -> TestServer {
        let (url, cleanup) = fresh_db(db).await;
        let store = Arc::new(SqlStore::connect(&url).await.unwrap());
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(T0));
        let mut app = App::new(store.clone(), clock.clone(), shared_triage());
        // Tests change cases and read metrics at once, at a manual clock: no cached months.
        app.settings.metrics_cache_ms = 0;
        app.settings.cockpit_cache_ms = 0;
        let files_dir =
            std::env::temp_dir().join(format!("ow-test-files-{}", uuid::Uuid::now_v7()));
        app.files = match files {
            Some(f) => f,
            None => store::files::open(&files_dir.to_string_lossy()).unwrap(),
        };
        // Tests serve media from a server on loopback.
        app.media = Arc::new(web::media::HttpFetcher::new(true));
        let app = Arc::new(app);
        app.install_demo_district().await.unwrap();
        app.install_demo_users().await.unwrap();
        let units: Vec<Value> = serde_json::from_value(
            serde_json::to_value(app.org.tree().await.unwrap().units.clone()).unwrap(),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = web::router(app.clone(), cfg);
        let server = tokio::spawn(async move {
            // With the peer's address, as `onewindow serve` does (rate limits count per client).
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestServer {
            base,
            http: reqwest::Client::new(),
            app,
            store,
            clock,
            units,
            files_dir,
            cleanup: Some(cleanup),
            server,
        }
    }

    pub async fn login(&self, username: &str) -> String {
        let (s, v) = self
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({ "username": username, "password": PASSWORD })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "login {username}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let res = rb.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// The SQLite file of a server started on SQLite.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.cleanup {
            Some(Cleanup::File(dir)) => Some(dir.join("t.db")),
            _ => None,
        }
    }

    /// The PostgreSQL database of a server started on PostgreSQL (issue 19: readiness tests).
    pub fn pg_database(&self) -> Option<String> {
        match &self.cleanup {
            Some(Cleanup::PgDatabase(name)) => Some(name.clone()),
            _ => None,
        }
    }

    /// The URL of that database.
    pub fn pg_url(&self) -> Option<String> {
        let name = self.pg_database()?;
        let admin = pg_admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(format!("{base}/{name}"))
    }

    /// A community of the first street, and the street.
    pub fn community(&self, street_index: usize) -> (String, String) {
        let streets: Vec<&Value> = self
            .units
            .iter()
            .filter(|u| u["level"] == "street")
            .collect();
        let street = streets[street_index]["code"].as_str().unwrap().to_string();
        let community = self
            .units
            .iter()
            .find(|u| u["parent"] == street.as_str())
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string();
        (community, street)
    }

    pub async fn new_case(&self, token: &str, overrides: Value) -> Value {
        let (community, _) = self.community(0);
        let mut body = json!({
            "title": "小区门口占道经营",
            "description": "市民来电反映：金桥社区南门口每天晚上有流动摊贩占道经营，油烟和噪声扰民，希望尽快处理。",
            "nature": "complaint",
            "category": "城市管理/占道经营",
            "urgency": "normal",
            "source": "phone",
            "reporter": { "name": "王先生", "phone": "13812341234" },
            "location": { "address": "临江区金桥社区南门", "region": community, "lat": 30.27, "lon": 120.01 }
        });
        if let (Some(b), Some(o)) = (body.as_object_mut(), overrides.as_object()) {
            for (k, v) in o {
                b.insert(k.clone(), v.clone());
            }
        }
        let (s, v) = self.post("/api/v1/cases", token, body).await;
        assert_eq!(s, StatusCode::CREATED, "create: {v}");
        v
    }

    /// Takes a transition with the case's current version and expects 200.
    pub async fn act(&self, token: &str, case: &Value, action: &str, args: Value) -> Value {
        let (s, v) = self.try_act(token, case, action, args).await;
        assert_eq!(s, StatusCode::OK, "{action}: {v}");
        v
    }

    pub async fn try_act(
        &self,
        token: &str,
        case: &Value,
        action: &str,
        args: Value,
    ) -> (StatusCode, Value) {
        let id = case["id"].as_str().unwrap();
        let mut body = json!({ "action": action, "version": case["version"] });
        if let (Some(b), Some(o)) = (body.as_object_mut(), args.as_object()) {
            for (k, v) in o {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post(&format!("/api/v1/cases/{id}/transitions"), token, body)
            .await
    }

    /// A case read back as `token` sees it (must be visible).
    pub async fn case(&self, token: &str, case: &Value) -> Value {
        let (s, v) = self
            .get(
                &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                token,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    pub async fn events(&self, token: &str, case: &Value) -> Vec<Value> {
        let (s, v) = self
            .get(
                &format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()),
                token,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v.as_array().unwrap().clone()
    }

    pub async fn shutdown(mut self) {
        self.server.abort();
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.files_dir);
        if let Some(c) = self.cleanup.take() {
            drop_db(c).await;
        }
    }
}

pub async fn drop_db(c: Cleanup) {
    match c {
        Cleanup::File(dir) => {
            let _ = std::fs::remove_dir_all(dir);
        }
        Cleanup::PgDatabase(name) => {
            let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }
}

/// jieba's dictionary takes a moment to load; tests share one instance.
pub fn shared_triage() -> Arc<triage::Triage> {
    static T: std::sync::OnceLock<Arc<triage::Triage>> = std::sync::OnceLock::new();
    T.get_or_init(|| Arc::new(triage::Triage::new())).clone()
}

/// Runs an async test body on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::common::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::common::Db::Postgres).await;
            }
        }
    };
}

/// A multipart body of `(field, file name, bytes)` parts; `None` file name for a text field.
#[allow(dead_code)]
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----onewindowtestboundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
