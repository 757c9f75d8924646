//! Key programs over HTTP on both backends (issue 21, item 2): an item turns yellow and red exactly
//! at the thresholds as the app's clock moves — behind plan in percentage points, a milestone late
//! in working days (a weekend does not count) — and a reviewed progress report puts it back on
//! plan; the ledger counts the items by light; who may, and the checks.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, T0, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

async fn item(s: &TestServer, token: &str, program: &str, n: usize) -> Value {
    let (st, p) = s.get(&format!("/api/v1/programs/{program}"), token).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    p["items"][n].clone()
}

async fn lights_over_time(db: Db) {
    let s = TestServer::start(db).await;
    let (sup, clerk) = (s.login("supervisor").await, s.login("clerk").await);
    // Who may: the clerk does not create programs.
    let body = json!({ "name": "2026 年十大民生实事", "kind": "livelihood", "year": 2026 });
    let (st, _) = s.post("/api/v1/programs", &clerk, body.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = s
        .post(
            "/api/v1/programs",
            &sup,
            json!({ "name": "x", "kind": "wish", "year": 2026 }),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let (st, program) = s.post("/api/v1/programs", &sup, body).await;
    assert_eq!(st, StatusCode::OK, "{program}");
    let pid = program["id"].as_str().unwrap().to_string();
    let items = format!("/api/v1/programs/{pid}/items");

    // Item 1: from today (Tuesday 2026-11-24) to 100% on 2026-12-24: 3⅓ points a day.
    let (st, v) = s
        .post(
            &items,
            &sup,
            json!({ "name": "老旧小区加装电梯", "lead_unit": "cgj", "start": "2026-11-24",
            "milestones": [{ "name": "完工", "planned": "2026-12-24", "planned_percent": 120 }] }),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("milestones[0].planned_percent")
        ),
        "{v}"
    );
    let (st, first) = s
        .post(
            &items,
            &sup,
            json!({ "name": "老旧小区加装电梯", "lead_unit": "cgj", "start": "2026-11-24",
            "milestones": [{ "name": "完工", "planned": "2026-12-24", "planned_percent": 100 }] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{first}");
    assert_eq!(first["light"], "on_plan");
    // Item 2: 开工 due Friday 2026-11-27 (0%), done by mid-2027: only lateness counts here.
    let (st, second) = s
        .post(&items, &sup, json!({ "name": "农贸市场提升改造", "lead_unit": "cgj", "co_units": ["zjj"], "start": "2026-11-24",
            "milestones": [{ "name": "开工", "planned": "2026-11-27", "planned_percent": 0 },
                           { "name": "竣工", "planned": "2027-06-30", "planned_percent": 100 }] }))
        .await;
    assert_eq!(st, StatusCode::OK, "{second}");

    // Day by day (10:00 each day): item 1's plan 3⅓·d, item 2's lateness in working days.
    let at = |d: i64| T0 + d * DAY;
    let expect = [
        // (days from 11-24, item 1, item 2)
        (2, "on_plan", "on_plan"), // Thu 11-26: planned 6.67; 开工 not due
        (3, "yellow", "on_plan"),  // Fri 11-27: planned 10.00 — yellow at exactly 10 points
        (5, "yellow", "on_plan"),  // Sun 11-29: 开工 two calendar days late, no working day yet
        (6, "yellow", "yellow"),   // Mon 11-30: one working day late
        (9, "yellow", "yellow"),   // Thu 12-03: planned 30.00 — exactly 30 is still yellow
        (10, "red", "yellow"),     // Fri 12-04: planned 33.33 — red beyond 30
        (16, "red", "yellow"),     // Thu 12-10: nine working days late
        (17, "red", "red"),        // Fri 12-11: ten working days late
    ];
    for (d, one, two) in expect {
        s.clock.set(at(d));
        let sup = s.login("supervisor").await;
        let (a, b) = (item(&s, &sup, &pid, 0).await, item(&s, &sup, &pid, 1).await);
        assert_eq!(
            (a["light"].as_str(), b["light"].as_str()),
            (Some(one), Some(two)),
            "day {d}: {a} {b}"
        );
        if two == "red" {
            assert!(b["reasons"][0].as_str().unwrap().contains("开工"), "{b}");
            assert_eq!(b["late_days"], 10);
        }
    }
    let (_, list) = s.get("/api/v1/programs", &s.login("leader").await).await;
    assert_eq!(list[0]["ledger"]["items"], 2);
    assert_eq!(list[0]["ledger"]["red"], 2);

    // The lead unit reports: item 1 at 60%; item 2's 开工 was on 12-09.
    let handler = s.login("handler").await;
    let street = s.login("street_handler").await;
    let a = item(&s, &handler, &pid, 0).await;
    let path = |i: &Value| {
        format!(
            "/api/v1/programs/{pid}/items/{}/reports",
            i["id"].as_str().unwrap()
        )
    };
    let (st, _) = s
        .post(
            &path(&a),
            &street,
            json!({ "version": a["version"], "percent": 60, "text": "已完成 6 台电梯安装" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "not the lead unit");
    // The page is told what each may do.
    assert_eq!(
        (a["can_report"].as_bool(), a["can_review"].as_bool()),
        (Some(true), Some(false))
    );
    let (_, seen) = s.get(&format!("/api/v1/programs/{pid}"), &street).await;
    assert_eq!(seen["office"], false);
    assert_eq!(seen["items"][0]["can_report"], false);
    let (st, v) = s
        .post(
            &path(&a),
            &handler,
            json!({ "version": a["version"], "percent": 160, "text": "已完成 6 台电梯安装" }),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("percent"))
    );
    let (st, a2) = s
        .post(&path(&a), &handler, json!({ "version": a["version"], "percent": 60, "text": "已完成 6 台电梯安装，附验收单" }))
        .await;
    assert_eq!(st, StatusCode::OK, "{a2}");
    assert_eq!(a2["reports"][0]["status"], "pending");
    assert_eq!(a2["light"], "red", "a report counts once it is approved");
    let (st, v) = s
        .post(
            &path(&a),
            &handler,
            json!({ "version": a["version"], "percent": 61, "text": "重复报送一次" }),
        )
        .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("stale_version")),
        "{v}"
    );
    let b = item(&s, &handler, &pid, 1).await;
    let (st, b2) = s
        .post(
            &path(&b),
            &handler,
            json!({ "version": b["version"], "percent": 5, "text": "12 月 9 日开工",
            "milestones_done": [{ "index": 0, "date": "2026-12-09" }] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b2}");

    // The office reviews: approved, item 1 is on plan again (planned 56.67, progress 60), item
    // 2's 开工 has its date.
    let sup = s.login("supervisor").await;
    let review = |i: &Value| {
        format!(
            "/api/v1/programs/{pid}/items/{}/reports/1/review",
            i["id"].as_str().unwrap()
        )
    };
    let (st, _) = s
        .post(
            &review(&a2),
            &handler,
            json!({ "version": a2["version"], "decision": "approve" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, a3) = s
        .post(
            &review(&a2),
            &sup,
            json!({ "version": a2["version"], "decision": "approve", "note": "核实无误" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a3}");
    assert_eq!(
        (a3["light"].as_str(), a3["progress"].as_f64()),
        (Some("on_plan"), Some(60.0)),
        "{a3}"
    );
    let (st, b3) = s
        .post(
            &review(&b2),
            &sup,
            json!({ "version": b2["version"], "decision": "approve" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b3}");
    assert_eq!(b3["milestones"][0]["actual"], "2026-12-09");
    assert_eq!(b3["light"], "on_plan", "{b3}");
    let (st, v) = s
        .post(
            &review(&b3),
            &sup,
            json!({ "version": b3["version"], "decision": "approve" }),
        )
        .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("report_reviewed"))
    );
    let (_, list) = s.get("/api/v1/programs", &sup).await;
    assert_eq!(list[0]["ledger"]["on_plan"], 2, "{list}");
    assert_eq!(list[0]["ledger"]["red"], 0);

    // The programs' progress on the 红黄黑榜: 城管局 leads both items — item 1 ahead of plan (counts
    // as 1), item 2 at 5% of 6.51% planned by Friday 12-11 (0.768): 0.884. 住建局 only co-leads.
    let admin = s.login("admin").await;
    let (_, mut rules) = s.get("/api/v1/boards/rules", &admin).await;
    rules["metrics"] = json!([{ "name": "program_progress", "weight": 100 }]);
    let (st, v) = s
        .call("PUT", "/api/v1/boards/rules", Some(&admin), Some(rules))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, b) = s
        .post(
            "/api/v1/boards/compute",
            &admin,
            json!({ "period": "2026-12" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let metric = |unit: &str| {
        b["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["entries"].as_array().unwrap())
            .find(|e| e["unit"] == unit)
            .map(|e| e["metrics"]["program_progress"].clone())
            .unwrap()
    };
    assert_eq!(metric("cgj"), json!(0.884), "{b}");
    assert_eq!(metric("zjj"), Value::Null);
    s.shutdown().await;
}
on_both!(program_lights, lights_over_time);
