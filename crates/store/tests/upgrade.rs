//! A database written before storage was compacted keeps working after the upgrades: rows from
//! before migration 0007 (plain JSON), and rows written between 0007 and 0008 (text ids, event data
//! compressed on its own), move into the packed tables of 0008 (16-byte ids, one body per event)
//! and read as they were written.
#![allow(clippy::unwrap_used)]

use app::ports::Store;
use serde_json::Value;
use sqlx::migrate::Migrator;
use std::borrow::Cow;
use store::SqlStore;
use uuid::Uuid;

/// A whole case document of the synthetic history (the dictionary's last line).
const DOC: &str = include_str!("../src/case_doc_dict_v1.txt");

async fn old_database<DB>(migrator: &Migrator, pool: &sqlx::Pool<DB>, upto: i64)
where
    DB: sqlx::Database,
    <DB as sqlx::Database>::Connection: sqlx::migrate::Migrate,
{
    let mut m = Migrator {
        migrations: Cow::Owned(
            migrator
                .migrations
                .iter()
                .filter(|m| m.version <= upto)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    m.set_locking(false);
    m.run(pool).await.unwrap();
}

const INSERT_CASE: &str = "INSERT INTO cases (id, number, version, status, nature, category, urgency, source, region, hub, reporter_phone, supervised, title, reported_at, created_at, updated_at, doc) VALUES ($1, $2, $6, 'closed', 'complaint', '住房建设/物业管理', 'normal', 'phone', '330188001009', '330188', '13700000000', FALSE, $3, $4, $4, $4, $5)";
const INSERT_EVENT: &str = "INSERT INTO events (id, case_id, at, actor, actor_name, unit, action, opinion, data) VALUES ($1, $2, $3, NULL, '受理员', '330188', $4, NULL, $5)";

async fn check_upgraded(url: &str, id: Uuid, doc: &Value) {
    let store = SqlStore::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let case = store
        .get_case(id)
        .await
        .unwrap()
        .expect("the old case is still there");
    assert_eq!(case.title, doc["title"].as_str().unwrap());
    assert_eq!(case.description, doc["description"].as_str().unwrap());
    let events = store.events(id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["register", "accept", "urge"]);
    assert_eq!(events[1].data["state"]["status"], "accepted");
    assert_eq!(events[2].opinion.as_deref(), Some("0007 之后写入"));
    assert_eq!(events[2].actor, Some(ACTOR));
    assert_eq!(store.case_ids_after(None, 10).await.unwrap(), vec![id]);
    // A write after the upgrade stores the case and its new event compressed.
    let mut updated = case.clone();
    updated.version = case.version + 1;
    updated.urge_count += 1;
    let urge = domain::Event {
        id: Uuid::now_v7(),
        case_id: id,
        at: events[events.len() - 1].at + 1,
        actor: None,
        actor_name: "督办员".into(),
        unit: Some("330188".into()),
        action: "urge".into(),
        opinion: Some("请尽快办理".into()),
        data: serde_json::json!({ "state": { "status": "closed", "unit": "zjj" } }),
    };
    let saved = store
        .save_cases(vec![app::ports::CaseWrite {
            case: updated,
            expected_version: Some(case.version),
            events: vec![urge.clone()],
            due_at: None,
            warn_at: None,
            search_tokens: None,
            next_alert_at: None,
            tallies: vec![],
            metrics: Default::default(),
            notifications: vec![],
        }])
        .await
        .unwrap();
    assert!(saved);
    let events = store.events(id).await.unwrap();
    assert_eq!(events.last(), Some(&urge));
    assert_eq!(store.get_case(id).await.unwrap().unwrap().urge_count, 1);
    store.close().await;
}

/// The first byte of the case's stored document and of each stored event body, in time order:
/// `{` for plain JSON, 1 for a compressed document, 3 for a packed event (store::packed).
macro_rules! stored_tags {
    ($pool:expr, $id:expr) => {{
        let doc: Vec<u8> = sqlx::query_scalar("SELECT doc FROM cases WHERE id = $1")
            .bind($id)
            .fetch_one(&$pool)
            .await
            .unwrap();
        let data: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT body FROM events WHERE case_id = $1 ORDER BY at")
                .bind($id)
                .fetch_all(&$pool)
                .await
                .unwrap();
        (doc[0], data.iter().map(|d| d[0]).collect::<Vec<u8>>())
    }};
}

const ACTOR: Uuid = Uuid::from_u128(0x01a2_3ac0_8987_73bc_944c_a212_b7ac_0171);

/// An event written between migrations 0007 and 0008: its data compressed on its own against the
/// event-data dictionary (format tag 2), with an actor.
macro_rules! write_0007_event {
    ($pool:expr, $id:expr, $at:expr) => {{
        let dict = include_bytes!("../src/event_data_dict_v1.txt");
        let data = r#"{"state":{"handle_due":null,"sign_due":null,"status":"accepted","unit":null}}"#;
        let mut z = zstd::bulk::Compressor::with_dictionary(3, dict).unwrap();
        let mut stored = vec![2u8];
        stored.extend(z.compress(data.as_bytes()).unwrap());
        sqlx::query("INSERT INTO events (id, case_id, at, actor, actor_name, unit, action, opinion, data) VALUES ($1, $2, $3, $4, '督办员', '330188', 'urge', '0007 之后写入', $5)")
            .bind(Uuid::now_v7().to_string())
            .bind($id.to_string())
            .bind($at)
            .bind(ACTOR.to_string())
            .bind(stored)
            .execute(&$pool)
            .await
            .unwrap();
    }};
}

fn old_rows() -> (Uuid, Value) {
    let doc: Value = serde_json::from_str(DOC.lines().last().unwrap()).unwrap();
    (doc["id"].as_str().unwrap().parse().unwrap(), doc)
}

/// A closed case and the first two events of its timeline, as rows were written before 0007.
macro_rules! write_old_rows {
    ($pool:expr, $id:expr, $doc:expr) => {{
        let (pool, id, doc) = (&$pool, $id, &$doc);
        let at = doc["reported_at"].as_i64().unwrap();
        sqlx::query(INSERT_CASE)
            .bind(id.to_string())
            .bind(doc["number"].as_str().unwrap())
            .bind(doc["title"].as_str().unwrap())
            .bind(at)
            .bind(doc.to_string())
            .bind(doc["version"].as_i64().unwrap())
            .execute(pool)
            .await
            .unwrap();
        for (k, (action, data)) in [
            ("register", r#"{"source":"phone"}"#),
            (
                "accept",
                r#"{"state":{"handle_due":null,"sign_due":null,"status":"accepted","unit":null}}"#,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            sqlx::query(INSERT_EVENT)
                .bind(Uuid::now_v7().to_string())
                .bind(id.to_string())
                .bind(at + k as i64)
                .bind(action)
                .bind(data)
                .execute(pool)
                .await
                .unwrap();
        }
    }};
}

#[tokio::test]
async fn sqlite_database_before_compaction_reads_after_upgrade() {
    let dir = std::env::temp_dir().join(format!("ow-upgrade-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.display());
    let (id, doc) = old_rows();
    {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let m = sqlx::migrate!("./migrations/sqlite");
        old_database(&m, &pool, 6).await;
        write_old_rows!(pool, id, doc);
        old_database(&m, &pool, 7).await;
        write_0007_event!(pool, id, doc["reported_at"].as_i64().unwrap() + 5);
        pool.close().await;
    }
    check_upgraded(&url, id, &doc).await;
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    assert_eq!(stored_tags!(pool, id), (1, vec![3, 3, 3, 3]));
    let old: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_v1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(old, 0, "the old event table is gone");
    pool.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn postgres_database_before_compaction_reads_after_upgrade() {
    let Ok(admin) = std::env::var("ONEWINDOW_TEST_PG") else {
        eprintln!("ONEWINDOW_TEST_PG not set: PostgreSQL upgrade not checked");
        return;
    };
    let name = format!("ow_test_upgrade_{}", Uuid::now_v7().simple());
    let admin_pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin_pool)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let (id, doc) = old_rows();
    {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let m = sqlx::migrate!("./migrations/postgres");
        old_database(&m, &pool, 6).await;
        write_old_rows!(pool, id, doc);
        old_database(&m, &pool, 7).await;
        write_0007_event!(pool, id, doc["reported_at"].as_i64().unwrap() + 5);
        pool.close().await;
    }
    check_upgraded(&url, id, &doc).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    assert_eq!(stored_tags!(pool, id), (1, vec![3, 3, 3, 3]));
    pool.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin_pool)
    .await
    .unwrap();
}
