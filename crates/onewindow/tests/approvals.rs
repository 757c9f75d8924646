//! 工程建设项目审批 over HTTP on both backends (issue 22, item 3): a project walks the four stages
//! with parallel reviews, a 补正 pause and an intermediary's (中介) pause, and joint acceptance;
//! every figure below is counted by hand on the calendar (late November to mid December 2026,
//! Monday to Friday).
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

const DAY: i64 = 86_400_000;
const PASS: &str = "nine ferries at dawn";
const UNITS: [&str; 6] = ["zrzyj", "sthjj", "jtysj", "nyncj", "zjj", "cgj"];

async fn sign_in(s: &TestServer, username: &str) -> String {
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": username, "password": PASS })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_string()
}

/// Everyone signed in again (the clock moves by days).
async fn tokens(s: &TestServer) -> HashMap<&'static str, String> {
    let mut m = HashMap::new();
    for u in UNITS {
        m.insert(u, sign_in(s, &format!("a_{u}")).await);
    }
    m.insert("clerk", s.login("clerk").await);
    m
}

fn review<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["reviews"].as_array().unwrap())
        .find(|r| r["code"] == code)
        .unwrap()
}

fn stage<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap()
}

async fn act(
    s: &TestServer,
    token: &str,
    a: &Value,
    code: &str,
    action: &str,
    kind: Option<&str>,
) -> (StatusCode, Value) {
    let r = review(a, code);
    let mut body = json!({ "action": action, "version": r["version"], "opinion": "同意" });
    if let Some(k) = kind {
        body["kind"] = json!(k);
    }
    s.post(
        &format!(
            "/api/v1/approvals/{}/reviews/{code}/actions",
            a["id"].as_str().unwrap()
        ),
        token,
        body,
    )
    .await
}

async fn ok(
    s: &TestServer,
    t: &HashMap<&str, String>,
    unit: &str,
    a: &Value,
    code: &str,
    action: &str,
    kind: Option<&str>,
) -> Value {
    let (st, v) = act(s, &t[unit], a, code, action, kind).await;
    assert_eq!(st, StatusCode::OK, "{code} {action}: {v}");
    v
}

async fn submit(s: &TestServer, t: &HashMap<&str, String>, a: &Value, stage: &str) -> Value {
    let (st, v) = s
        .post(&format!("/api/v1/approvals/{}/stages/{stage}/submit", a["id"].as_str().unwrap()), &t["clerk"],
            json!({ "version": a["version"], "form": { "建设规模": "地上 6 层，建筑面积 1.2 万平方米", "总投资": "8000 万元" } }))
        .await;
    assert_eq!(st, StatusCode::OK, "{stage}: {v}");
    v
}

async fn walk(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    for u in UNITS {
        let (st, v) = s
            .post("/api/v1/users", &admin, json!({ "username": format!("a_{u}"), "password": PASS, "role": "handler", "unit": u, "name": format!("{u}审查员") }))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    // Tuesday 2026-11-24.
    let mut t = tokens(&s).await;
    let (st, _) = s
        .post(
            "/api/v1/approvals",
            &t["zjj"],
            json!({ "name": "x", "applicant": { "name": "x", "phone": "13800001234" } }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the window registers projects");
    let (st, a) = s
        .post(
            "/api/v1/approvals",
            &t["clerk"],
            json!({ "name": "临江科创园二期", "project_code": "2026-330188-47-01-000123",
            "applicant": { "name": "临江科创发展有限公司", "phone": "0571-86001234" } }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["stages"].as_array().unwrap().len(), 4);
    assert_eq!(stage(&a, "completion_acceptance")["joint"], true);
    let (st, v) = s
        .post(
            &format!(
                "/api/v1/approvals/{}/stages/building_permit/submit",
                a["id"].as_str().unwrap()
            ),
            &t["clerk"],
            json!({ "version": a["version"], "form": { "x": "y" } }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "stage 2 before stage 1: {v}");

    // Stage 1 (立项用地规划许可), submitted Tue 11-24: three reviews in parallel.
    let a = submit(&s, &t, &a, "land_planning").await;
    assert!(
        stage(&a, "land_planning")["started"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-24")
    );
    let (st, _) = act(&s, &t["zjj"], &a, "site_selection", "approve", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "another department's review");
    let (st, v) = act(&s, &t["zrzyj"], &a, "land_use_permit", "pause", None).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    // Wed 11-25: the land-use permit waits for the applicant (补正) until Mon 11-30.
    s.clock.set(common::T0 + DAY);
    t = tokens(&s).await;
    let a = ok(
        &s,
        &t,
        "zrzyj",
        &a,
        "land_use_permit",
        "pause",
        Some("correction"),
    )
    .await;
    s.clock.set(common::T0 + 2 * DAY);
    t = tokens(&s).await;
    let a = ok(&s, &t, "zrzyj", &a, "site_selection", "approve", None).await;
    let (st, v) = s
        .post(
            &format!(
                "/api/v1/approvals/{}/reviews/site_selection/actions",
                a["id"].as_str().unwrap()
            ),
            &t["zrzyj"],
            json!({ "action": "approve", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    s.clock.set(common::T0 + 3 * DAY);
    t = tokens(&s).await;
    let a = ok(&s, &t, "sthjj", &a, "eia_approval", "approve", None).await;
    s.clock.set(common::T0 + 6 * DAY);
    t = tokens(&s).await;
    let a = ok(&s, &t, "zrzyj", &a, "land_use_permit", "resume", None).await;
    s.clock.set(common::T0 + 7 * DAY);
    t = tokens(&s).await;
    let a = ok(&s, &t, "zrzyj", &a, "land_use_permit", "approve", None).await;
    // Own days: site 11-25, 11-26 = 2; EIA 11-25..27 = 3; land use 11-25..12-01 = 5 less the
    // three paused (11-25, 26, 27) = 2. The stage: 11-25..12-01 = 5, each day someone at work.
    assert_eq!(review(&a, "site_selection")["working_days"], 2);
    assert_eq!(review(&a, "eia_approval")["working_days"], 3);
    assert_eq!(review(&a, "land_use_permit")["working_days"], 2);
    assert_eq!(review(&a, "land_use_permit")["paused_working_days"], 3);
    let s1 = stage(&a, "land_planning");
    assert_eq!(
        (s1["status"].as_str(), s1["working_days"].as_i64()),
        (Some("approved"), Some(5)),
        "{s1}"
    );
    assert!(s1["finished"].as_str().unwrap().starts_with("2026-12-01"));

    // Stage 2 (工程建设许可), Tue 12-01: design review with an intermediary 12-02 to 12-07.
    let a = submit(&s, &t, &a, "building_permit").await;
    s.clock.set(common::T0 + 8 * DAY);
    t = tokens(&s).await;
    let a = ok(
        &s,
        &t,
        "zrzyj",
        &a,
        "design_review",
        "pause",
        Some("intermediary"),
    )
    .await;
    let a = ok(&s, &t, "zrzyj", &a, "planning_permit", "approve", None).await;
    let a = ok(&s, &t, "jtysj", &a, "traffic_review", "approve", None).await;
    let a = ok(&s, &t, "nyncj", &a, "soil_water_plan", "approve", None).await;
    s.clock.set(common::T0 + 13 * DAY);
    t = tokens(&s).await;
    let a = ok(&s, &t, "zrzyj", &a, "design_review", "resume", None).await;
    s.clock.set(common::T0 + 14 * DAY);
    t = tokens(&s).await;
    let a = ok(&s, &t, "zrzyj", &a, "design_review", "approve", None).await;
    // Design: 12-02..12-08 = 5, paused 12-02..04 = 3 → 2; the others 1 each. The stage: 12-02
    // (three at work), 12-03 and 12-04 everything waits for the intermediary, 12-07, 12-08 → 3.
    assert_eq!(review(&a, "design_review")["working_days"], 2);
    assert_eq!(stage(&a, "building_permit")["working_days"], 3);

    // Stage 3 (施工许可), Tue 12-08 → Thu 12-10, four reviews at once: 2 days each, the stage 2.
    let mut a = submit(&s, &t, &a, "construction_permit").await;
    s.clock.set(common::T0 + 16 * DAY);
    t = tokens(&s).await;
    for (unit, code) in [
        ("zjj", "drawing_review"),
        ("zjj", "fire_design_review"),
        ("cgj", "drainage_permit"),
        ("zjj", "construction_license"),
    ] {
        a = ok(&s, &t, unit, &a, code, "approve", None).await;
    }
    assert_eq!(stage(&a, "construction_permit")["working_days"], 2);

    // Stage 4 (竣工验收): 联合验收, five checks in one round, Thu 12-10 → Mon 12-14: 12-11, 12-14.
    let mut a = submit(&s, &t, &a, "completion_acceptance").await;
    s.clock.set(common::T0 + 20 * DAY);
    t = tokens(&s).await;
    for (unit, code) in [
        ("zrzyj", "planning_verification"),
        ("zjj", "fire_acceptance"),
        ("cgj", "greening_check"),
        ("zjj", "archive_acceptance"),
        ("zjj", "completion_filing"),
    ] {
        a = ok(&s, &t, unit, &a, code, "approve", None).await;
    }
    assert_eq!(a["status"], "completed");
    assert_eq!(stage(&a, "completion_acceptance")["working_days"], 2);
    // In parallel: 5 + 3 + 2 + 2 = 12. One after another: (2 + 3 + 2) + (2 + 1 + 1 + 1) + 4 × 2 + 5 × 2 = 30.
    assert_eq!(a["working_days"], 12);
    assert_eq!(a["report"]["parallel_working_days"], 12);
    assert_eq!(a["report"]["serial_working_days"], 30);
    assert_eq!(a["report"]["saved_working_days"], 18);
    let (st, got) = s
        .get(
            &format!("/api/v1/approvals/{}", a["id"].as_str().unwrap()),
            &t["clerk"],
        )
        .await;
    assert_eq!((st, &got["working_days"]), (StatusCode::OK, &json!(12)));
    let (_, report) = s.get("/api/v1/approvals/report", &t["clerk"]).await;
    assert_eq!(
        (
            report["completed"].as_u64(),
            report["avg_parallel_working_days"].as_f64(),
            report["avg_serial_working_days"].as_f64()
        ),
        (Some(1), Some(12.0), Some(30.0)),
        "{report}"
    );
    let first = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "land_planning")
        .unwrap();
    assert_eq!(first["avg_working_days"], 5.0);
    let citizen = s.login("citizen").await;
    let (st, _) = s.get("/api/v1/approvals", &citizen).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

/// A refusal ends the stage and the project; the stage's other reviews stop with it, so their
/// clocks do not run on.
async fn refusal(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    for u in ["zrzyj", "sthjj"] {
        let (st, v) = s
            .post("/api/v1/users", &admin, json!({ "username": format!("a_{u}"), "password": PASS, "role": "handler", "unit": u, "name": format!("{u}审查员") }))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let clerk = s.login("clerk").await;
    let (_, a) = s
        .post("/api/v1/approvals", &clerk, json!({ "name": "再生资源分拣中心", "applicant": { "name": "某公司", "phone": "13800001234" } }))
        .await;
    let (_, a) = s
        .post(
            &format!(
                "/api/v1/approvals/{}/stages/land_planning/submit",
                a["id"].as_str().unwrap()
            ),
            &clerk,
            json!({ "version": a["version"], "form": { "用地面积": "12 亩" } }),
        )
        .await;
    s.clock.set(common::T0 + DAY);
    let (zr, st_) = (sign_in(&s, "a_zrzyj").await, sign_in(&s, "a_sthjj").await);
    let (_, a) = act(&s, &zr, &a, "site_selection", "pause", Some("correction")).await;
    let (st, v) = act(&s, &st_, &a, "eia_approval", "refuse", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let a = v;
    assert_eq!(a["status"], "refused");
    assert_eq!(stage(&a, "land_planning")["status"], "refused");
    assert_eq!(review(&a, "site_selection")["status"], "stopped");
    assert_eq!(review(&a, "land_use_permit")["status"], "stopped");
    // A week later nothing has grown: 11-25 counted for the review that worked that day.
    s.clock.set(common::T0 + 8 * DAY);
    let clerk = s.login("clerk").await;
    let (_, a) = s
        .get(
            &format!("/api/v1/approvals/{}", a["id"].as_str().unwrap()),
            &clerk,
        )
        .await;
    assert_eq!(review(&a, "land_use_permit")["working_days"], 1, "{a}");
    assert_eq!(
        review(&a, "site_selection")["working_days"],
        0,
        "paused on its only day: {a}"
    );
    assert_eq!(stage(&a, "land_planning")["working_days"], 1, "{a}");
    let (st, _) = s
        .post(
            &format!(
                "/api/v1/approvals/{}/stages/building_permit/submit",
                a["id"].as_str().unwrap()
            ),
            &clerk,
            json!({ "version": a["version"], "form": { "x": "y" } }),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "a refused project goes no further"
    );
}

on_both!(approval_project_walk, walk);
on_both!(approval_refusal_stops_the_stage, refusal);
