//! 矛盾风险预警 over HTTP on both backends (issue 20, items 2–4): the scan finds a repeat caller
//! and a crowd of workers among ordinary cases, keeps one alert per key as cases join, measures
//! its windows on `reported_at` (`as_of`), and supervisors work the alerts with version checks.
#![allow(clippy::unwrap_used)]

mod common;

use app::ports::Store as _;
use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

fn at(day: u32, hour: u32) -> String {
    format!("2026-11-{day:02}T{hour:02}:00:00+08:00")
}

async fn register(s: &TestServer, clerk: &str, community: &str, over: Value) -> Value {
    let mut body = json!({
        "title": "来电反映", "description": "来电反映问题", "nature": "complaint",
        "category": "城市管理/市容环境", "urgency": "normal", "source": "phone",
        "reporter": { "name": "市民", "phone": "13800000000" },
        "location": { "address": "临江区", "region": community },
    });
    for (k, v) in over.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (st, v) = s.post("/api/v1/cases", clerk, body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v
}

async fn alerts(s: &TestServer, token: &str, q: &str) -> Vec<Value> {
    let (st, v) = s.get(&format!("/api/v1/risk/alerts{q}"), token).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

async fn scan(s: &TestServer, token: &str, body: Value) -> Value {
    let (st, v) = s.post("/api/v1/risk/scan", token, body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

async fn risk_flow(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, sup) = (s.login("clerk").await, s.login("supervisor").await);
    let (community, _) = s.community(0);
    let (other, _) = s.community(1);
    // Ordinary requests of the last three weeks, each from its own phone.
    let ordinary = [
        ("城市管理/占道经营", "菜场门口有流动摊贩占道经营"),
        ("环境保护/噪声污染", "楼下棋牌室半夜很吵"),
        ("交通运输/停车管理", "小区门口乱停车"),
        ("住房建设/物业管理", "电梯坏了物业不修"),
    ];
    for i in 0..12u32 {
        let (cat, text) = ordinary[i as usize % ordinary.len()];
        register(
            &s,
            &clerk,
            if i % 2 == 0 { &community } else { &other },
            json!({ "title": text, "description": text, "category": cat, "reported_at": at(3 + i, 9),
                    "reporter": { "name": "市民", "phone": format!("1390000{i:04}") } }),
        )
        .await;
    }
    // One resident, five times in a week about the same noise, angrier each time.
    let mut repeat = vec![];
    for (i, text) in [
        "楼上装修太吵",
        "又是楼上装修噪音",
        "楼上还在吵你们管不管",
        "第四次反映了装修噪音",
        "反映很多次了还是没人处理，再不处理我就从楼上跳下去，不想活了",
    ]
    .iter()
    .enumerate()
    {
        let c = register(
            &s,
            &clerk,
            &community,
            json!({ "title": text, "description": text, "category": "环境保护/噪声污染",
                    "reported_at": at(18 + i as u32, 10),
                    "reporter": { "name": "李女士", "phone": "13912345678" } }),
        )
        .await;
        repeat.push(c["id"].as_str().unwrap().to_string());
    }
    // Six workers of one factory, from two communities, over five days.
    let mut workers = vec![];
    for i in 0..6u32 {
        let c = register(
            &s,
            &clerk,
            if i % 2 == 0 { &community } else { &other },
            json!({ "title": "宏达电子厂拖欠工资", "description": format!("我在宏达电子厂上班，工资已经{}个月没发了", 2 + i % 3),
                    "category": "劳动社保/拖欠工资", "nature": "help", "reported_at": at(18 + i % 5, 14),
                    "reporter": { "name": "工人", "phone": format!("1353333{i:04}") } }),
        )
        .await;
        workers.push(c["id"].as_str().unwrap().to_string());
    }

    // Who may: the clerk neither scans nor reads alerts.
    let (st, _) = s.post("/api/v1/risk/scan", &clerk, json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get("/api/v1/risk/alerts", &clerk).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A bad instant is refused naming the field.
    let (st, v) = s
        .post("/api/v1/risk/scan", &sup, json!({ "as_of": "yesterday" }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "as_of");

    // The district hub takes webhook calls: a red alert is sent there too.
    let district = s
        .units
        .iter()
        .find(|u| u["parent"].is_null() && u["kind"] == "hub")
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    s.store
        .put_unit_webhook(&district, "http://127.0.0.1:9/hook", "s3cret")
        .await
        .unwrap();
    // Scanned as of before the week of calls (imported history as it happened): nothing.
    let r = scan(&s, &sup, json!({ "as_of": "2026-11-17T00:00:00+08:00" })).await;
    assert_eq!(r["created"], 0, "{r}");
    assert!(alerts(&s, &sup, "").await.is_empty());

    // Now: the repeat caller, its last call's language, and the crowd; nothing of the ordinary
    // cases.
    let r = scan(&s, &sup, json!({})).await;
    assert_eq!(r["created"], 3, "{r}");
    let all = alerts(&s, &sup, "").await;
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(alerts(&s, &sup, "?kind=language").await.len(), 1);
    let caller = alerts(&s, &sup, "?kind=repeat_caller").await;
    assert_eq!(caller.len(), 1);
    let ids = |a: &Value| {
        let mut v: Vec<String> = a["case_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let mut want = repeat.clone();
    want.sort();
    assert_eq!(ids(&caller[0]), want);
    // A supervisor sees the number masked, as on cases.
    assert_eq!(caller[0]["phone"], "139****5678");
    assert_eq!(caller[0]["status"], "open");
    // The last call reads as high risk: the rising tone makes it red, and the district's
    // supervisors and leaders are told at once (the clerk is not).
    assert_eq!(caller[0]["level"], "red", "{}", caller[0]);
    for (who, told) in [(&sup, 1), (&s.login("leader").await, 1), (&clerk, 0)] {
        let (st, v) = s.get("/api/v1/notifications?page_size=100", who).await;
        assert_eq!(st, StatusCode::OK);
        let n = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "risk_alert")
            .count();
        assert_eq!(n, told, "{v}");
    }
    let hooks = s.store.due_deliveries(i64::MAX / 2, 100).await.unwrap();
    let red: Vec<_> = hooks
        .iter()
        .filter(|d| d.payload.contains("risk.alert.red"))
        .collect();
    assert_eq!(red.len(), 1, "{hooks:?}");
    assert_eq!(red[0].unit, district);
    assert!(red[0].payload.contains(caller[0]["id"].as_str().unwrap()));
    let crowd = alerts(&s, &sup, "?kind=cluster").await;
    assert_eq!(crowd.len(), 1);
    let mut want = workers.clone();
    want.sort();
    assert_eq!(ids(&crowd[0]), want);
    assert_eq!(crowd[0]["evidence"]["object"], "宏达电子厂");
    // A case's page asks which alerts it belongs to.
    let of = alerts(&s, &sup, &format!("?case_id={}", workers[0])).await;
    assert_eq!(of.len(), 1);
    assert_eq!(of[0]["id"], crowd[0]["id"]);
    let (st, v) = s.get("/api/v1/risk/alerts?case_id=nope", &sup).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("case_id"))
    );
    assert_eq!(crowd[0]["evidence"]["reporters"], 6);

    // Scanned again: the same alerts, untouched.
    let r = scan(&s, &sup, json!({})).await;
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
    // A seventh worker joins the crowd's alert instead of making another.
    let seventh = register(
        &s,
        &clerk,
        &community,
        json!({ "title": "宏达电子厂欠薪", "description": "宏达电子厂三个月没发工资，老板也找不到",
                "category": "劳动社保/拖欠工资", "nature": "help", "reported_at": at(24, 8),
                "reporter": { "name": "工人", "phone": "13533339999" } }),
    )
    .await;
    let r = scan(&s, &sup, json!({})).await;
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(0), Some(1)),
        "{r}"
    );
    let crowd_now = alerts(&s, &sup, "?kind=cluster").await;
    assert_eq!(crowd_now.len(), 1);
    assert_eq!(crowd_now[0]["id"], crowd[0]["id"]);
    assert_eq!(crowd_now[0]["case_count"], 7);
    assert!(ids(&crowd_now[0]).contains(&seventh["id"].as_str().unwrap().to_string()));

    // Working the alert: acknowledge, a stale version, a comment without text, relevel, close.
    let id = crowd_now[0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/risk/alerts/{id}/actions");
    let v0 = crowd_now[0]["version"].as_i64().unwrap();
    let (st, a) = s
        .post(
            &path,
            &sup,
            json!({ "action": "acknowledge", "version": v0 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "acknowledged");
    let (st, e) = s
        .post(
            &path,
            &sup,
            json!({ "action": "comment", "version": v0, "note": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "stale_version");
    let v1 = a["version"].as_i64().unwrap();
    let (st, e) = s
        .post(&path, &sup, json!({ "action": "comment", "version": v1 }))
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
    );
    let (st, e) = s
        .post(
            &path,
            &sup,
            json!({ "action": "relevel", "version": v1, "level": "purple", "note": "x" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("level"))
    );
    let (st, a) = s
        .post(&path, &sup, json!({ "action": "relevel", "version": v1, "level": "red", "note": "工人准备聚集讨薪" }))
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(
        (a["level"].as_str(), a["level_by_hand"].as_bool()),
        (Some("red"), Some(true))
    );
    let (st, e) = s
        .post(
            &path,
            &clerk,
            json!({ "action": "comment", "version": a["version"], "note": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    let (st, a) = s
        .post(&path, &sup, json!({ "action": "close", "version": a["version"], "result": "人社局约谈企业，工资已发放" }))
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "closed");
    // Closed with these cases, it is not raised again by the next scan...
    let r = scan(&s, &sup, json!({})).await;
    assert_eq!(r["created"], 0, "{r}");
    // ...until a new worker calls: then a new alert opens.
    register(
        &s,
        &clerk,
        &other,
        json!({ "title": "宏达电子厂欠薪", "description": "宏达电子厂工资还是没发",
                "category": "劳动社保/拖欠工资", "nature": "help", "reported_at": at(24, 9),
                "reporter": { "name": "工人", "phone": "13533338888" } }),
    )
    .await;
    let r = scan(&s, &sup, json!({})).await;
    assert_eq!(r["created"], 1, "{r}");
    assert_eq!(alerts(&s, &sup, "?kind=cluster&status=open").await.len(), 1);
    let (st, e) = s
        .post(
            &path,
            &sup,
            json!({ "action": "comment", "version": a["version"], "note": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // The alert's page: its cases and every step, the scan's included.
    let (st, d) = s.get(&format!("/api/v1/risk/alerts/{id}"), &sup).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(d["cases"].as_array().unwrap().len(), 7);
    let steps: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["raised", "updated", "acknowledge", "relevel", "close"]
    );
    assert_eq!(alerts(&s, &sup, "?status=closed").await.len(), 1);
    let (st, v) = s.get("/api/v1/risk/alerts?level=purple", &sup).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, _) = s
        .get(
            &format!("/api/v1/risk/alerts/{}", uuid::Uuid::now_v7()),
            &sup,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}
on_both!(risk_alerts, risk_flow);

/// The scan's windows and thresholds are administrators' data, checked on save.
async fn settings(db: Db) {
    let s = TestServer::start(db).await;
    let (admin, sup) = (s.login("admin").await, s.login("supervisor").await);
    let (st, v) = s.get("/api/v1/risk/settings", &sup).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["repeat_min_cases"], 3);
    let put = |token: &str, body: Value| {
        let token = token.to_string();
        let s = &s;
        async move {
            s.call("PUT", "/api/v1/risk/settings", Some(&token), Some(body))
                .await
        }
    };
    let (st, _) = put(&sup, json!({ "repeat_min_cases": 4 })).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for (body, field) in [
        (json!({ "repeat_window_days": 0 }), "repeat_window_days"),
        (json!({ "similarity": 2.5 }), "similarity"),
        (
            json!({ "cluster_min_reporters": "five" }),
            "cluster_min_reporters",
        ),
        (
            json!({ "cluster_orange": 30, "cluster_red": 20 }),
            "cluster_red",
        ),
    ] {
        let (st, v) = put(&admin, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let (st, v) = put(
        &admin,
        json!({ "repeat_min_cases": 4, "repeat_window_days": 10 }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, v) = s.get("/api/v1/risk/settings", &sup).await;
    assert_eq!(
        (
            v["repeat_min_cases"].as_i64(),
            v["repeat_window_days"].as_i64()
        ),
        (Some(4), Some(10))
    );
    assert_eq!(v["cluster_min_reporters"], 5, "the rest kept");
    s.shutdown().await;
}
on_both!(risk_settings, settings);

/// Scans running at once (the job on one replica, a supervisor's on another) make one alert
/// per key, never two, and none of them fails.
async fn concurrent_scans(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, sup) = (s.login("clerk").await, s.login("supervisor").await);
    let (community, _) = s.community(0);
    for i in 0..4u32 {
        register(
            &s,
            &clerk,
            &community,
            json!({ "title": "楼下烧烤油烟", "description": "楼下烧烤店油烟很大", "category": "环境保护/大气污染",
                    "reported_at": at(20 + i, 20), "reporter": { "name": "张先生", "phone": "13700001111" } }),
        )
        .await;
    }
    let mut tasks = vec![];
    for _ in 0..6 {
        let (http, url, token) = (
            s.http.clone(),
            format!("{}/api/v1/risk/scan", s.base),
            sup.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut created = 0;
    for t in tasks {
        let (st, v) = t.await.unwrap();
        assert_eq!(st, StatusCode::OK, "{v}");
        created += v["created"].as_u64().unwrap();
    }
    assert_eq!(created, 1);
    assert_eq!(alerts(&s, &sup, "?kind=repeat_caller").await.len(), 1);
    s.shutdown().await;
}
on_both!(scans_at_once, concurrent_scans);

/// The review cadence (复核周期): an open alert nobody has worked on is due for review after its
/// level's days (orange: 3); the sweep reminds the owner's supervisors once per missed review, the
/// queue lists it under `review=overdue`, and a supervisor's step starts the cadence again. The
/// words that weighed are in the evidence.
async fn review_cadence(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, sup) = (s.login("clerk").await, s.login("supervisor").await);
    let (community, _) = s.community(0);
    let c = register(
        &s,
        &clerk,
        &community,
        json!({ "title": "欠薪", "description": "老板跑路了，三个月工资没发，我实在活不下去了，明天就去区政府门口拉横幅",
                "category": "劳动社保/拖欠工资", "reporter": { "name": "工人", "phone": "13566667777" } }),
    )
    .await;
    scan(&s, &sup, json!({})).await;
    let list = alerts(&s, &sup, "?kind=language").await;
    assert_eq!(list.len(), 1, "{list:?}");
    let a = &list[0];
    assert_eq!(a["case_ids"][0], c["id"]);
    assert!(
        !a["evidence"]["words"].as_array().unwrap().is_empty(),
        "the words that weighed: {a}"
    );
    let level = a["level"].as_str().unwrap().to_string();
    let days = match level.as_str() {
        "red" => 1,
        "orange" => 3,
        "yellow" => 7,
        _ => 14,
    };
    assert_eq!(a["review_overdue"], false);
    assert!(alerts(&s, &sup, "?review=overdue").await.is_empty());
    let (st, v) = s.get("/api/v1/risk/alerts?review=soon", &sup).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("review"))
    );

    // The cadence passes: one reminder, however often the sweep runs.
    s.clock.advance(days * DAY + 60_000);
    s.app.sweep().await.unwrap();
    s.app.sweep().await.unwrap();
    let sup = s.login("supervisor").await;
    let (_, inbox) = s.get("/api/v1/notifications?page_size=100", &sup).await;
    let reminders: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "risk_review")
        .collect();
    assert_eq!(reminders.len(), 1, "{inbox}");
    assert!(reminders[0]["title"].as_str().unwrap().contains("待复核"));
    let overdue = alerts(&s, &sup, "?review=overdue").await;
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["review_overdue"], true);
    assert_eq!(
        overdue[0]["version"], a["version"],
        "a reminder does not change the version"
    );

    // A supervisor's step is a review: the cadence starts again from it.
    let id = a["id"].as_str().unwrap();
    let (st, v) = s
        .post(
            &format!("/api/v1/risk/alerts/{id}/actions"),
            &sup,
            json!({ "action": "acknowledge", "version": a["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["review_overdue"], false);
    assert!(alerts(&s, &sup, "?review=overdue").await.is_empty());
    let (_, d) = s.get(&format!("/api/v1/risk/alerts/{id}"), &sup).await;
    let steps: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["raised", "review_overdue", "acknowledge"], "{d}");

    // The cadence is administrators' data, checked against its range.
    let admin = s.login("admin").await;
    let (st, v) = s
        .call(
            "PUT",
            "/api/v1/risk/settings",
            Some(&admin),
            Some(json!({ "review_days_red": 0 })),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("review_days_red")),
        "{v}"
    );
    let (st, v) = s
        .call(
            "PUT",
            "/api/v1/risk/settings",
            Some(&admin),
            Some(json!({ "review_days_orange": 2 })),
        )
        .await;
    assert_eq!(
        (st, v["review_days_orange"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{v}"
    );
    s.shutdown().await;
}
on_both!(risk_review_cadence, review_cadence);
