//! Whole-database export and import as JSON lines, identical on SQLite and PostgreSQL: every
//! table is read and written through the same typed column lists, so a dump taken from one backend
//! loads into the other losslessly. The search index is not dumped; it is rebuilt from the cases.

use crate::{Db, SqlStore, backend_err, on_pool};
use app::error::StoreError;
use app::ports::StoreResult;
use serde_json::{Map, Value, json};
use sqlx::Row;

#[derive(Clone, Copy)]
pub enum Col {
    Text,
    Int,
    /// A floating-point number (an attachment's EXIF position).
    Real,
    Bool,
    /// A case or event id: 16 bytes in the database, text in the dump.
    Uuid,
    /// A JSON value compressed in the database (see `packed`), JSON text in the dump.
    Packed(crate::packed::Kind),
}

/// A table's typed columns.
pub type Columns = &'static [(&'static str, Col)];
/// A table: name, key columns (for keyset paging), columns.
pub type TableSpec = (&'static str, &'static [&'static str], Columns);

/// Tables in dependency order.
pub const TABLES: &[TableSpec] = &[
    (
        "units",
        &["code"],
        &[
            ("code", Col::Text),
            ("name", Col::Text),
            ("level", Col::Text),
            ("kind", Col::Text),
            ("parent", Col::Text),
            ("region", Col::Text),
            ("position", Col::Int),
            ("disabled", Col::Bool),
        ],
    ),
    (
        "users",
        &["id"],
        &[
            ("id", Col::Text),
            ("username", Col::Text),
            ("display_name", Col::Text),
            ("role", Col::Text),
            ("unit", Col::Text),
            ("password_hash", Col::Text),
            ("disabled", Col::Bool),
            ("created_at", Col::Int),
            ("must_change_password", Col::Bool),
        ],
    ),
    (
        "api_keys",
        &["id"],
        &[
            ("id", Col::Text),
            ("name", Col::Text),
            ("key_hash", Col::Text),
            ("created_at", Col::Int),
            ("revoked", Col::Bool),
        ],
    ),
    (
        "settings",
        &["key"],
        &[("key", Col::Text), ("value", Col::Text)],
    ),
    (
        "calendars",
        &["name", "year"],
        &[
            ("name", Col::Text),
            ("year", Col::Int),
            ("body", Col::Text),
            ("updated_at", Col::Int),
        ],
    ),
    (
        "calendar_regions",
        &["region"],
        &[("region", Col::Text), ("name", Col::Text)],
    ),
    (
        "catalogue",
        &["category", "region"],
        &[
            ("category", Col::Text),
            ("region", Col::Text),
            ("unit", Col::Text),
            ("co_street", Col::Bool),
            ("position", Col::Int),
        ],
    ),
    (
        "triage_models",
        &["version"],
        &[
            ("version", Col::Text),
            ("created_at", Col::Int),
            ("source", Col::Text),
            ("examples", Col::Int),
            ("metrics", Col::Text),
            ("body", Col::Text),
            ("active", Col::Bool),
        ],
    ),
    (
        "case_counters",
        &["year"],
        &[("year", Col::Int), ("last", Col::Int)],
    ),
    (
        "cases",
        &["id"],
        &[
            ("id", Col::Uuid),
            ("number", Col::Text),
            ("version", Col::Int),
            ("status", Col::Text),
            ("nature", Col::Text),
            ("category", Col::Text),
            ("urgency", Col::Text),
            ("source", Col::Text),
            ("region", Col::Text),
            ("hub", Col::Text),
            ("unit", Col::Text),
            ("created_by", Col::Uuid),
            ("reporter_phone", Col::Text),
            ("supervised", Col::Bool),
            ("title", Col::Text),
            ("reported_at", Col::Int),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
            ("due_at", Col::Int),
            ("warn_at", Col::Int),
            ("doc", Col::Packed(crate::packed::Kind::CaseDoc)),
            ("sign_due", Col::Int),
            ("signed_at", Col::Int),
            ("handle_due", Col::Int),
            ("resolved_at", Col::Int),
            ("closed_at", Col::Int),
            ("satisfaction", Col::Text),
            ("merged_into", Col::Uuid),
            ("next_alert_at", Col::Int),
            ("pending", Col::Text),
        ],
    ),
    (
        "case_units",
        &["case_id", "unit"],
        &[
            ("case_id", Col::Uuid),
            ("unit", Col::Text),
            ("main", Col::Bool),
        ],
    ),
    (
        "events",
        &["case_id", "at", "id"],
        &[
            ("id", Col::Uuid),
            ("case_id", Col::Uuid),
            ("at", Col::Int),
            ("actor", Col::Uuid),
            ("actor_name", Col::Text),
            ("unit", Col::Text),
            ("action", Col::Text),
            ("opinion", Col::Text),
            ("data", Col::Packed(crate::packed::Kind::EventData)),
        ],
    ),
    (
        "case_alerts",
        &["case_id", "alert_key"],
        &[
            ("case_id", Col::Uuid),
            ("alert_key", Col::Text),
            ("at", Col::Int),
        ],
    ),
    (
        "notifications",
        &["id"],
        &[
            ("id", Col::Text),
            ("user_id", Col::Text),
            ("case_id", Col::Uuid),
            ("kind", Col::Text),
            ("title", Col::Text),
            ("body", Col::Text),
            ("created_at", Col::Int),
            ("read_at", Col::Int),
            ("data", Col::Text),
            ("digest_key", Col::Text),
        ],
    ),
    (
        "audit_log",
        &["id"],
        &[
            ("id", Col::Text),
            ("at", Col::Int),
            ("actor_id", Col::Text),
            ("actor", Col::Text),
            ("actor_name", Col::Text),
            ("role", Col::Text),
            ("unit", Col::Text),
            ("action", Col::Text),
            ("subjects", Col::Text),
            ("subject_count", Col::Int),
            ("detail", Col::Text),
            ("client", Col::Text),
        ],
    ),
    (
        "risk_alerts",
        &["id"],
        &[
            ("id", Col::Text),
            ("kind", Col::Text),
            ("alert_key", Col::Text),
            ("level", Col::Text),
            ("status", Col::Text),
            ("case_ids", Col::Text),
            ("phone", Col::Text),
            ("summary", Col::Text),
            ("evidence", Col::Text),
            ("region", Col::Text),
            ("owner_unit", Col::Text),
            ("level_by_hand", Col::Bool),
            ("version", Col::Int),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
            ("closed_at", Col::Int),
            ("result", Col::Text),
            ("reviewed_at", Col::Int),
            ("review_reminded", Col::Int),
        ],
    ),
    (
        "risk_events",
        &["id"],
        &[
            ("id", Col::Text),
            ("alert_id", Col::Text),
            ("at", Col::Int),
            ("actor", Col::Text),
            ("actor_name", Col::Text),
            ("action", Col::Text),
            ("note", Col::Text),
            ("data", Col::Text),
        ],
    ),
    (
        "mediations",
        &["id"],
        &[
            ("id", Col::Text),
            ("case_id", Col::Text),
            ("alert_id", Col::Text),
            ("org_unit", Col::Text),
            ("status", Col::Text),
            ("doc", Col::Text),
            ("judicial_due", Col::Int),
            ("performance_due", Col::Int),
            ("version", Col::Int),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
            ("warned", Col::Text),
        ],
    ),
    (
        "mediation_events",
        &["id"],
        &[
            ("id", Col::Text),
            ("mediation_id", Col::Text),
            ("at", Col::Int),
            ("actor", Col::Text),
            ("actor_name", Col::Text),
            ("action", Col::Text),
            ("data", Col::Text),
        ],
    ),
    (
        "boards",
        &["period", "version"],
        &[
            ("period", Col::Text),
            ("version", Col::Int),
            ("status", Col::Text),
            ("doc", Col::Text),
            ("computed_at", Col::Int),
            ("appeal_due", Col::Int),
            ("published_at", Col::Int),
            ("published_by", Col::Text),
            ("reason", Col::Text),
        ],
    ),
    (
        "board_appeals",
        &["id"],
        &[
            ("id", Col::Text),
            ("period", Col::Text),
            ("unit", Col::Text),
            ("reason", Col::Text),
            ("status", Col::Text),
            ("note", Col::Text),
            ("created_by", Col::Text),
            ("created_by_name", Col::Text),
            ("created_at", Col::Int),
            ("decided_by_name", Col::Text),
            ("decided_at", Col::Int),
        ],
    ),
    (
        "programs",
        &["id"],
        &[
            ("id", Col::Text),
            ("name", Col::Text),
            ("kind", Col::Text),
            ("year", Col::Int),
            ("doc", Col::Text),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
        ],
    ),
    (
        "program_items",
        &["id"],
        &[
            ("id", Col::Text),
            ("program_id", Col::Text),
            ("seq", Col::Int),
            ("lead_unit", Col::Text),
            ("doc", Col::Text),
            ("version", Col::Int),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
        ],
    ),
    (
        "campaigns",
        &["id"],
        &[
            ("id", Col::Text),
            ("name", Col::Text),
            ("starts_on", Col::Text),
            ("ends_on", Col::Text),
            ("doc", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "visit_subjects",
        &["id"],
        &[
            ("id", Col::Text),
            ("community", Col::Text),
            ("kind", Col::Text),
            ("name", Col::Text),
            ("address", Col::Text),
            ("doc", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "visits",
        &["id"],
        &[
            ("id", Col::Text),
            ("campaign_id", Col::Text),
            ("unit", Col::Text),
            ("subject_id", Col::Text),
            ("kind", Col::Text),
            ("visited_at", Col::Int),
            ("doc", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "bundle_templates",
        &["code"],
        &[
            ("code", Col::Text),
            ("doc", Col::Text),
            ("updated_at", Col::Int),
            ("updated_by", Col::Text),
        ],
    ),
    (
        "bundles",
        &["id"],
        &[
            ("id", Col::Text),
            ("template", Col::Text),
            ("status", Col::Text),
            ("channel", Col::Text),
            ("submitted_at", Col::Int),
            ("finished_at", Col::Int),
            ("created_by", Col::Text),
            ("version", Col::Int),
            ("doc", Col::Text),
        ],
    ),
    (
        "bundle_tasks",
        &["bundle_id", "task_id"],
        &[
            ("bundle_id", Col::Text),
            ("task_id", Col::Text),
            ("unit", Col::Text),
            ("status", Col::Text),
        ],
    ),
    (
        "approvals",
        &["id"],
        &[
            ("id", Col::Text),
            ("name", Col::Text),
            ("status", Col::Text),
            ("created_at", Col::Int),
            ("created_by", Col::Text),
            ("version", Col::Int),
            ("doc", Col::Text),
        ],
    ),
    (
        "knowledge_articles",
        &["id"],
        &[
            ("id", Col::Text),
            ("question", Col::Text),
            ("answer", Col::Text),
            ("category", Col::Text),
            ("unit", Col::Text),
            ("source", Col::Text),
            ("valid_from", Col::Text),
            ("valid_until", Col::Text),
            ("review_at", Col::Text),
            ("status", Col::Text),
            ("uses", Col::Int),
            ("version", Col::Int),
            ("proposed_from", Col::Text),
            ("tokens", Col::Text),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
            ("created_by", Col::Text),
            ("notified", Col::Text),
            ("doc", Col::Text),
        ],
    ),
    (
        "knowledge_uses",
        &["article_id", "case_id"],
        &[
            ("article_id", Col::Text),
            ("case_id", Col::Text),
            ("used_at", Col::Int),
            ("used_by", Col::Text),
        ],
    ),
    (
        "attachments",
        &["id"],
        &[
            ("id", Col::Text),
            ("case_id", Col::Text),
            ("name", Col::Text),
            ("size", Col::Int),
            ("content_type", Col::Text),
            ("kind", Col::Text),
            ("step", Col::Text),
            ("source", Col::Text),
            ("public", Col::Bool),
            ("file_key", Col::Text),
            ("thumb_key", Col::Text),
            ("lat", Col::Real),
            ("lon", Col::Real),
            ("uploaded_by", Col::Text),
            ("uploaded_by_name", Col::Text),
            ("uploaded_at", Col::Int),
        ],
    ),
    (
        "unit_webhooks",
        &["unit"],
        &[
            ("unit", Col::Text),
            ("url", Col::Text),
            ("secret", Col::Text),
        ],
    ),
    (
        "webhook_deliveries",
        &["id"],
        &[
            ("id", Col::Text),
            ("unit", Col::Text),
            ("url", Col::Text),
            ("payload", Col::Text),
            ("attempts", Col::Int),
            ("next_attempt_at", Col::Int),
            ("delivered_at", Col::Int),
            ("failed", Col::Bool),
            ("last_error", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
];

fn spec(table: &str) -> StoreResult<(&'static [&'static str], Columns)> {
    TABLES
        .iter()
        .find(|(t, _, _)| *t == table)
        .map(|(_, k, c)| (*k, *c))
        .ok_or_else(|| StoreError::Backend(format!("unknown table {table}")))
}

/// A dump's text id as the id it is.
fn uuid_of(v: &Value, name: &str) -> StoreResult<Option<uuid::Uuid>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => uuid::Uuid::parse_str(s)
            .map(Some)
            .map_err(|e| StoreError::Backend(format!("{name}: {e}"))),
        _ => Err(StoreError::Backend(format!("{name}: not an id"))),
    }
}

/// The dump's form of a timeline event: the columns events had before their bodies were packed
/// (store::event_row), so dumps read the same whatever the storage.
fn event_to_row(e: &domain::Event) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(e.id.to_string()));
    m.insert("case_id".into(), json!(e.case_id.to_string()));
    m.insert("at".into(), json!(e.at));
    m.insert(
        "actor".into(),
        e.actor.map_or(Value::Null, |a| json!(a.to_string())),
    );
    m.insert("actor_name".into(), json!(e.actor_name));
    m.insert(
        "unit".into(),
        e.unit.clone().map_or(Value::Null, Value::String),
    );
    m.insert("action".into(), json!(e.action));
    m.insert(
        "opinion".into(),
        e.opinion.clone().map_or(Value::Null, Value::String),
    );
    m.insert("data".into(), Value::String(e.data.to_string()));
    m
}

fn event_of_row(row: &Map<String, Value>) -> StoreResult<domain::Event> {
    let null = Value::Null;
    let get = |k: &str| row.get(k).unwrap_or(&null);
    let text = |k: &str| get(k).as_str().map(str::to_string);
    let need =
        |k: &str| uuid_of(get(k), k)?.ok_or_else(|| StoreError::Backend(format!("{k} missing")));
    Ok(domain::Event {
        id: need("id")?,
        case_id: need("case_id")?,
        at: get("at").as_i64().unwrap_or_default(),
        actor: uuid_of(get("actor"), "actor")?,
        actor_name: text("actor_name").unwrap_or_default(),
        unit: text("unit"),
        action: text("action").unwrap_or_default(),
        opinion: text("opinion"),
        data: serde_json::from_str(get("data").as_str().unwrap_or("null"))
            .map_err(|e| StoreError::Backend(format!("event data: {e}")))?,
    })
}

impl SqlStore {
    /// One page of a table in key order, after the row whose key values are `after`.
    pub async fn export_page(
        &self,
        table: &str,
        after: Option<&Map<String, Value>>,
        limit: u32,
    ) -> StoreResult<Vec<Map<String, Value>>> {
        let (keys, cols) = spec(table)?;
        let stored: Vec<&str> = if table == "events" {
            vec!["case_id", "at", "id", "body"]
        } else {
            cols.iter().map(|(n, _)| *n).collect()
        };
        let key_types: Vec<Col> = keys
            .iter()
            .map(|k| {
                cols.iter()
                    .find(|(n, _)| n == k)
                    .map_or(Col::Text, |(_, t)| *t)
            })
            .collect();
        let mut sql = format!("SELECT {} FROM {table}", stored.join(", "));
        if after.is_some() {
            let ps: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(
                " WHERE ({}) > ({})",
                keys.join(", "),
                ps.join(", ")
            ));
        }
        sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", keys.join(", ")));
        on_pool!(self, read, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(a) = after {
                for (k, t) in keys.iter().zip(&key_types) {
                    q = match t {
                        Col::Int => q.bind(a.get(*k).and_then(Value::as_i64).unwrap_or_default()),
                        Col::Real => q.bind(a.get(*k).and_then(Value::as_f64).unwrap_or_default()),
                        Col::Bool => q.bind(a.get(*k).and_then(Value::as_bool).unwrap_or_default()),
                        Col::Uuid => q.bind(
                            uuid_of(a.get(*k).unwrap_or(&Value::Null), k)?.unwrap_or_default(),
                        ),
                        Col::Text | Col::Packed(_) => q.bind(
                            a.get(*k)
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                        ),
                    };
                }
            }
            let rows = q.fetch_all(p).await.map_err(backend_err)?;
            if table == "events" {
                return rows
                    .iter()
                    .map(|r| crate::codec::event_from(r).map(|e| event_to_row(&e)))
                    .collect();
            }
            rows.iter()
                .map(|r| {
                    let mut m = Map::new();
                    for (name, t) in cols {
                        let v = match t {
                            Col::Text => r
                                .try_get::<Option<String>, _>(*name)
                                .map_err(backend_err)?
                                .map_or(Value::Null, Value::String),
                            Col::Int => r
                                .try_get::<Option<i64>, _>(*name)
                                .map_err(backend_err)?
                                .map_or(Value::Null, |v| json!(v)),
                            Col::Real => r
                                .try_get::<Option<f64>, _>(*name)
                                .map_err(backend_err)?
                                .map_or(Value::Null, |v| json!(v)),
                            Col::Bool => r
                                .try_get::<Option<bool>, _>(*name)
                                .map_err(backend_err)?
                                .map_or(Value::Null, Value::Bool),
                            Col::Uuid => r
                                .try_get::<Option<uuid::Uuid>, _>(*name)
                                .map_err(backend_err)?
                                .map_or(Value::Null, |u| Value::String(u.to_string())),
                            Col::Packed(_) => match r
                                .try_get::<Option<Vec<u8>>, _>(*name)
                                .map_err(backend_err)?
                            {
                                Some(b) => Value::String(crate::packed::decode(&b)?),
                                None => Value::Null,
                            },
                        };
                        m.insert((*name).to_string(), v);
                    }
                    Ok(m)
                })
                .collect()
        })
    }

    /// Begins loading a dump: every row goes into one transaction, committed by
    /// [`DumpLoad::commit`]. A load that fails, or a process killed part way, leaves the
    /// database as it was (empty), so the same import can simply be run again.
    pub async fn begin_load(&self) -> StoreResult<DumpLoad> {
        let tx = match &self.db {
            Db::Sqlite { write, .. } => LoadTx::Sqlite(write.begin().await.map_err(backend_err)?),
            Db::Postgres(p) => LoadTx::Postgres(p.begin().await.map_err(backend_err)?),
        };
        Ok(DumpLoad {
            tx,
            search_insert: self.search_insert(),
        })
    }

    /// Whether the database holds no cases and no users (import only into an empty database).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        on_pool!(self, read, |p| {
            let n: i64 = sqlx::query("SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM units) AS n")
                .fetch_one(p)
                .await
                .and_then(|r| r.try_get("n"))
                .map_err(backend_err)?;
            Ok(n == 0)
        })
    }

    /// Makes PostgreSQL's sequences and SQLite's autoincrement agree with imported ids (only
    /// login_failures uses one; it is not dumped, so nothing to do).
    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}

/// A dump being loaded in one transaction (see [`SqlStore::begin_load`]); dropped without
/// [`DumpLoad::commit`], it rolls back.
pub struct DumpLoad {
    tx: LoadTx,
    search_insert: &'static str,
}

enum LoadTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same block against whichever transaction the load holds; `$t` is bound to it.
macro_rules! on_tx {
    ($self:expr, |$t:ident| $body:expr) => {
        match &mut $self.tx {
            LoadTx::Sqlite($t) => $body,
            LoadTx::Postgres($t) => $body,
        }
    };
}

/// A dump's value checked against its column's type: a value of another type is an error, not
/// a NULL; text may not hold a NUL (PostgreSQL cannot store one; SQLite is held to the same).
fn checked<'v>(name: &str, t: Col, v: &'v Value) -> StoreResult<&'v Value> {
    let ok = match (t, v) {
        (_, Value::Null) => true,
        (Col::Text | Col::Uuid | Col::Packed(_), Value::String(_)) => true,
        (Col::Int, Value::Number(n)) => n.is_i64(),
        (Col::Real, Value::Number(n)) => n.as_f64().is_some_and(f64::is_finite),
        (Col::Bool, Value::Bool(_)) => true,
        _ => false,
    };
    if !ok {
        let want = match t {
            Col::Text | Col::Packed(_) => "text",
            Col::Uuid => "an id",
            Col::Int => "an integer",
            Col::Real => "a number",
            Col::Bool => "true or false",
        };
        return Err(StoreError::Backend(format!(
            "column {name}: expected {want}, found {v}"
        )));
    }
    if let (Col::Text, Value::String(s)) = (t, v)
        && s.contains('\0')
    {
        return Err(StoreError::Backend(format!(
            "column {name}: contains a NUL character (\\u0000), which PostgreSQL cannot store; remove it from the dump"
        )));
    }
    Ok(v)
}

impl DumpLoad {
    /// Inserts rows of a table; on failure, the index of the row that failed and why.
    pub async fn insert(
        &mut self,
        table: &str,
        rows: &[Map<String, Value>],
    ) -> Result<(), (usize, StoreError)> {
        let (_, cols) = spec(table).map_err(|e| (0, e))?;
        if table == "events" {
            for (i, row) in rows.iter().enumerate() {
                let e = event_of_row(row).map_err(|e| (i, e))?;
                for (name, t) in cols {
                    checked(name, *t, row.get(*name).unwrap_or(&Value::Null))
                        .map_err(|e| (i, e))?;
                }
                let done: StoreResult<()> = on_tx!(self, |tx| async {
                    crate::codec::bind_event!(sqlx::query(crate::codec::INSERT_EVENT), &e)
                        .execute(&mut **tx)
                        .await
                        .map_err(backend_err)?;
                    Ok(())
                }
                .await);
                done.map_err(|e| (i, e))?;
            }
            return Ok(());
        }
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let ps: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            ps.join(", ")
        );
        for (i, row) in rows.iter().enumerate() {
            if let Some(unknown) = row.keys().find(|k| !names.contains(&k.as_str())) {
                return Err((
                    i,
                    StoreError::Backend(format!("table {table} has no column {unknown}")),
                ));
            }
            let done: StoreResult<()> = on_tx!(self, |tx| async {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for (name, t) in cols {
                    let v = checked(name, *t, row.get(*name).unwrap_or(&Value::Null))?;
                    q = match t {
                        Col::Text => q.bind(v.as_str().map(str::to_string)),
                        Col::Int => q.bind(v.as_i64()),
                        Col::Real => q.bind(v.as_f64()),
                        // Every flag column is NOT NULL DEFAULT FALSE: a dump from before a flag
                        // existed has none, and means false.
                        Col::Bool => q.bind(v.as_bool().unwrap_or_default()),
                        Col::Uuid => q.bind(uuid_of(v, name)?),
                        Col::Packed(k) => q.bind(v.as_str().map(|j| crate::packed::encode(*k, j))),
                    };
                }
                q.execute(&mut **tx).await.map_err(backend_err)?;
                Ok(())
            }
            .await);
            done.map_err(|e| (i, e))?;
        }
        Ok(())
    }

    /// Adds the search index entries of loaded cases (the database was empty: nothing to
    /// replace).
    pub async fn put_search_tokens(&mut self, entries: &[(uuid::Uuid, String)]) -> StoreResult<()> {
        let insert = self.search_insert;
        for (id, tokens) in entries {
            on_tx!(self, |tx| sqlx::query(insert)
                .bind(*id)
                .bind(tokens.clone())
                .execute(&mut **tx)
                .await
                .map(|_| ())
                .map_err(backend_err))?;
        }
        Ok(())
    }

    /// Makes the whole load visible at once.
    pub async fn commit(self) -> StoreResult<()> {
        match self.tx {
            LoadTx::Sqlite(t) => t.commit().await.map_err(backend_err),
            LoadTx::Postgres(t) => t.commit().await.map_err(backend_err),
        }
    }
}
