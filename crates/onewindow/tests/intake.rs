//! After intake: automatic dispatch along the catalogue when the classifier is confident, high-risk
//! cases reaching supervisors at once, and retraining with versioned, revertible models.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn submit(s: &TestServer, text: &str, phone: &str) -> Value {
    let (community, _) = s.community(0);
    let body = json!({ "description": text, "nature": "complaint", "reporter": { "name": "市民", "phone": phone }, "location": { "address": "金桥路1号", "region": community } });
    let (st, r) = s
        .call("POST", "/api/v1/portal/cases", None, Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let disp = s.login("dispatcher").await;
    let (_, l) = s
        .get(
            &format!("/api/v1/cases?number={}", r["number"].as_str().unwrap()),
            &disp,
        )
        .await;
    l["items"][0].clone()
}

async fn auto_dispatch(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let (_, st) = s.get("/api/v1/triage/settings", &admin).await;
    assert_eq!(st["auto_dispatch"], true);
    let (code, e) = s
        .call(
            "PUT",
            "/api/v1/triage/settings",
            Some(&admin),
            Some(json!({ "min_confidence": 2.0 })),
        )
        .await;
    assert_eq!(
        (code, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("min_confidence"))
    );
    // Above the threshold: accepted and dispatched to the catalogue's unit, the street as co-unit.
    s.call(
        "PUT",
        "/api/v1/triage/settings",
        Some(&admin),
        Some(json!({ "min_confidence": 0.0 })),
    )
    .await;
    let c = submit(
        &s,
        "晚上十一点隔壁工地还在打桩施工，噪音太大睡不着觉",
        "13911112222",
    )
    .await;
    assert_eq!(c["status"], "dispatched", "{c}");
    assert_eq!(c["unit"], "sthjj");
    assert_eq!(c["co_units"], json!([s.community(0).1]));
    let ev = s.events(&s.login("dispatcher").await, &c).await;
    let actions: Vec<&str> = ev.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["register", "accept", "dispatch"]);
    assert_eq!(ev[2]["actor_name"], "智能分拨");
    assert!(
        ev[0]["data"]["triage"]["model"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "the model version is recorded"
    );
    // Below the threshold, it waits for the dispatcher with the suggestions.
    s.call(
        "PUT",
        "/api/v1/triage/settings",
        Some(&admin),
        Some(json!({ "min_confidence": 1.0 })),
    )
    .await;
    let d = submit(
        &s,
        "晚上十一点隔壁工地还在打桩施工，噪音太大睡不着觉",
        "13911113333",
    )
    .await;
    assert_eq!(d["status"], "registered");
    // Staff intake at the window is never auto-dispatched.
    s.call(
        "PUT",
        "/api/v1/triage/settings",
        Some(&admin),
        Some(json!({ "min_confidence": 0.0 })),
    )
    .await;
    let w = s.new_case(&s.login("clerk").await, json!({})).await;
    assert_eq!(w["status"], "registered");
    s.shutdown().await;
}
on_both!(confident_cases_are_dispatched_automatically, auto_dispatch);

async fn high_risk(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    s.call(
        "PUT",
        "/api/v1/triage/settings",
        Some(&admin),
        Some(json!({ "auto_dispatch": false })),
    )
    .await;
    let c = submit(&s, "老板拖欠我们三个月工资，再不给钱我就从工地塔吊上跳下去，我们几十个工友明天去市政府门口拉横幅", "13922223333").await;
    assert_eq!(c["risk_level"], "high", "{c}");
    let sup = s.login("supervisor").await;
    let (_, n) = s.get("/api/v1/notifications", &sup).await;
    let hit: Vec<&Value> = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "high_risk")
        .collect();
    assert_eq!(hit.len(), 1, "{n}");
    assert_eq!(hit[0]["case_id"], c["id"]);
    let ev = s.events(&sup, &c).await;
    assert!(ev.iter().any(|e| e["action"] == "risk_alert"));
    // An ordinary request raises nothing.
    let d = submit(&s, "请问小区门口的公交站什么时候恢复", "13922224444").await;
    assert_ne!(d["risk_level"], "high");
    let (_, n) = s.get("/api/v1/notifications/count", &sup).await;
    assert_eq!(n["unread"], 1);
    s.shutdown().await;
}
on_both!(high_risk_reaches_supervisors_at_once, high_risk);

async fn retrain_and_roll_back(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(300, 5, 300).await.unwrap();
    let admin = s.login("admin").await;
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/triage/models/train",
            Some(&s.login("dispatcher").await),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, m) = s
        .call("POST", "/api/v1/triage/models/train", Some(&admin), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert!(
        m["examples"].as_i64().unwrap() > 100,
        "closed district cases are training data: {m}"
    );
    let trained = m["version"].as_str().unwrap().to_string();
    let (_, list) = s.get("/api/v1/triage/models", &admin).await;
    assert!(
        list["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["version"] == trained.as_str())
    );
    let builtin = list["builtin"].as_str().unwrap().to_string();
    // Roll back to the shipped model, then forward again.
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/triage/models/builtin/activate",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, t) = s
        .post("/api/v1/triage", &admin, json!({ "text": "路灯坏了" }))
        .await;
    assert_eq!(t["model_version"], builtin.as_str());
    let (st, _) = s
        .call(
            "POST",
            &format!("/api/v1/triage/models/{trained}/activate"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, t) = s
        .post("/api/v1/triage", &admin, json!({ "text": "路灯坏了" }))
        .await;
    assert_eq!(t["model_version"], trained.as_str());
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/triage/models/nope/activate",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}
on_both!(
    retrained_models_are_versioned_and_revertible,
    retrain_and_roll_back
);
