//! The audit log of personal data (issue 19.15) over HTTP on both backends: what is logged (a case
//! opened, a search by phone, related cases, exports), what is not (masked roles' lists), who may
//! review it (administrators, each within their units), bad filters, and that the database refuses
//! to change or delete an entry.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

async fn log(s: &TestServer, admin: &str, query: &str) -> Vec<Value> {
    let (st, v) = s.get(&format!("/api/v1/audit?{query}"), admin).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["total"].as_u64().unwrap() as usize >= v["items"].as_array().unwrap().len());
    v["items"].as_array().unwrap().clone()
}

fn names(entry: &Value, number: &str) -> bool {
    entry["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == number)
}

async fn reads_and_exports_are_logged(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, admin, supervisor) = (
        s.login("clerk").await,
        s.login("admin").await,
        s.login("supervisor").await,
    );
    let c = s
        .new_case(
            &clerk,
            json!({ "reporter": { "name": "李女士", "phone": "13955556666" } }),
        )
        .await;
    let number = c["number"].as_str().unwrap().to_string();
    // Registering is the case's own event, not a read: nothing logged yet.
    assert!(log(&s, &admin, "").await.is_empty());

    // The clerk opens the case: its phone is shown, so the read is logged with who, whose, where from.
    let seen = s.case(&clerk, &c).await;
    assert_eq!(seen["reporter"]["phone"], "13955556666");
    let entries = log(&s, &admin, "action=case.view").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e["actor"], "clerk");
    assert_eq!(e["action_label"], "查看工单");
    assert!(names(e, &number), "{e}");
    assert_eq!(e["client"], "127.0.0.1");
    assert!(e["at"].as_str().unwrap().starts_with("2026-"), "{e}");

    // A search by the caller's last digits is logged with the digits asked for.
    let (st, page) = s.get("/api/v1/cases?phone=6666", &clerk).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(page["items"][0]["number"], number.as_str());
    let lists = log(&s, &admin, "action=case.list&actor=clerk").await;
    assert_eq!(lists.len(), 1, "{lists:?}");
    assert!(lists[0]["detail"].as_str().unwrap().contains("phone=6666"));
    assert!(names(&lists[0], &number));
    // The intake's duplicate check and the related cases are reads as well: a second request of
    // the same caller is found by both.
    let c2 = s
        .new_case(&clerk, json!({ "title": "楼上漏水", "reporter": { "name": "李女士", "phone": "13955556666" } }))
        .await;
    let number2 = c2["number"].as_str().unwrap().to_string();
    let (st, d) = s.get("/api/v1/duplicates?phone=13955556666", &clerk).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(d.as_array().unwrap().len(), 2, "{d}");
    let (st, r) = s
        .get(
            &format!("/api/v1/cases/{}/related", c["id"].as_str().unwrap()),
            &clerk,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["same_reporter"][0]["number"], number2.as_str(), "{r}");
    let lists = log(&s, &admin, "action=case.list&actor=clerk").await;
    assert_eq!(lists.len(), 3, "{lists:?}");
    // Newest first: the related cases name the other case only, the duplicates both.
    assert_eq!(lists[0]["detail"], format!("related={number}"));
    assert!(names(&lists[0], &number2) && !names(&lists[0], &number));
    assert!(names(&lists[1], &number2) && names(&lists[1], &number));

    // A supervisor sees numbers masked: their list reveals nothing and is not logged...
    let (st, page) = s.get("/api/v1/cases", &supervisor).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !page["items"][0]["reporter"]["phone"]
            .as_str()
            .unwrap()
            .contains("5555")
    );
    assert!(log(&s, &admin, "actor=supervisor").await.is_empty());
    // ...but every export is, with each case it holds and the filter.
    let r = s
        .http
        .get(format!(
            "{}/api/v1/cases/export.csv?status=registered",
            s.base
        ))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let exports = log(&s, &admin, "action=case.export").await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0]["actor"], "supervisor");
    assert!(names(&exports[0], &number));
    assert_eq!(exports[0]["detail"], "format=csv&status=registered");

    // Every entry naming a case, whoever made it: the reviewer's question "who saw this citizen".
    let about = log(&s, &admin, &format!("subject={number}")).await;
    assert_eq!(about.len(), 4, "{about:?}");
    assert_eq!(
        log(&s, &admin, &format!("subject={number2}")).await.len(),
        3
    );
    assert!(log(&s, &admin, "subject=2026-99999").await.is_empty());
    // A period: today's entries, none the day before.
    assert_eq!(
        log(&s, &admin, "from=2026-11-24&to=2026-11-24").await.len(),
        5
    );
    assert!(log(&s, &admin, "to=2026-11-23").await.is_empty());

    // Reviewing the log is for administrators.
    for who in [&clerk, &supervisor] {
        let (st, v) = s.get("/api/v1/audit", who).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("管理员"),
            "{v}"
        );
    }
    // Bad filters are refused, naming the field.
    for (q, field) in [
        ("from=2026-13-01", "from"),
        ("action=case.delete", "action"),
        ("from=2026-11-25&to=2026-11-24", "to"),
        ("page=0", "page"),
        ("page_size=1000", "page_size"),
    ] {
        let (st, v) = s.get(&format!("/api/v1/audit?{q}"), &admin).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        assert_eq!(v["error"]["field"], field, "{q}: {v}");
    }

    // The log's own export is a workbook, and is logged too.
    let r = s
        .http
        .get(format!("{}/api/v1/audit/export.xlsx", s.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit.xlsx")
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK");
    assert_eq!(log(&s, &admin, "action=audit.export").await.len(), 1);

    // Append-only: the database itself refuses to change or delete an entry.
    refuse_rewrites(&s).await;
    assert_eq!(log(&s, &admin, &format!("subject={number}")).await.len(), 4);
    s.shutdown().await;
}
on_both!(reads_and_exports, reads_and_exports_are_logged);

async fn refuse_rewrites(s: &TestServer) {
    let statements = [
        "UPDATE audit_log SET actor = 'nobody'",
        "DELETE FROM audit_log",
    ];
    if let Some(path) = s.sqlite_path() {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        for sql in statements {
            let e = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        conn.close().await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(&s.pg_url().unwrap())
            .await
            .unwrap();
        for sql in statements.iter().chain(&["TRUNCATE audit_log"]) {
            let e = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut conn)
                .await
                .unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        conn.close().await.unwrap();
    }
}

/// A street's administrator reviews what the street's staff did, not the district's.
async fn street_admin_sees_own_units(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, admin, street_disp) = (
        s.login("clerk").await,
        s.login("admin").await,
        s.login("street_dispatcher").await,
    );
    let (_, street) = s.community(0);
    let c = s.new_case(&clerk, json!({})).await;
    s.case(&clerk, &c).await;
    // The case is in the street's region: its dispatcher sees it in the list.
    let (st, page) = s.get("/api/v1/cases", &street_disp).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(page["items"][0]["id"], c["id"], "{page}");
    let (st, u) = s
        .post(
            "/api/v1/users",
            &admin,
            json!({ "username": "street_admin", "password": "nine ferries at dawn", "role": "admin", "unit": street, "name": "街道管理员" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": "street_admin", "password": "nine ferries at dawn" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let street_admin = v["token"].as_str().unwrap().to_string();
    let mine = log(&s, &street_admin, "").await;
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|e| e["actor"] == "street_dispatcher"),
        "{mine:?}"
    );
    let all = log(&s, &admin, "").await;
    assert!(all.iter().any(|e| e["actor"] == "clerk"));
    s.shutdown().await;
}
on_both!(street_admin, street_admin_sees_own_units);

/// Entries of concurrent reads are appended together (one commit for many): every one is kept.
async fn concurrent_entries_all_kept(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let c = s.new_case(&clerk, json!({})).await;
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (http, url, token) = (
            s.http.clone(),
            format!("{}/api/v1/cases/{}", s.base, c["id"].as_str().unwrap()),
            clerk.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let admin = s.login("admin").await;
    let (st, v) = s
        .get("/api/v1/audit?action=case.view&page_size=100", &admin)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["total"], 40, "{v}");
    let ids: std::collections::HashSet<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 40);
    s.shutdown().await;
}
on_both!(concurrent, concurrent_entries_all_kept);
