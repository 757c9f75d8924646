//! One formula per figure: the cockpit's rates are the unit metrics of the same unit and period
//! (and equal a recount from the timelines), its 超期 is the workbench's 超期, and a month's
//! satisfaction counts the 不满意 ratings that reopened cases.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use seed::DemoSeed as _;
use serde_json::{Value, json};

fn rows(v: &Value) -> &Vec<Value> {
    v["units"].as_array().unwrap()
}

async fn cockpit_is_the_unit_metrics(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(600, 11, 300).await.unwrap();
    let (clerk, disp, handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    // November: one case rated 不满意 (reopened), then 满意 after the rework.
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    let done = json!({ "reply": "已清理", "outcome": "resolved" });
    let c = s.act(&handler, &c, "resolve", done.clone()).await;
    let c = s
        .act(
            &clerk,
            &c,
            "follow_up",
            json!({ "satisfaction": "unsatisfied", "resolved": false }),
        )
        .await;
    assert_eq!(c["status"], "in_progress");
    let c = s.act(&handler, &c, "resolve", done).await;
    s.act(
        &clerk,
        &c,
        "follow_up",
        json!({ "satisfaction": "satisfied", "resolved": true }),
    )
    .await;

    let (leader, admin) = (s.login("leader").await, s.login("admin").await);
    let (st, k) = s
        .get("/api/v1/stats/cockpit?from=2026-09&to=2026-11", &leader)
        .await;
    assert_eq!(st, StatusCode::OK, "{k}");
    assert_eq!(k["metrics_period"], "2026-09..2026-11");
    let district = k["unit"].as_str().unwrap().to_string();
    // The cockpit's rates are the unit metrics row of the district for the same months…
    let (st, m) = s
        .get(
            &format!("/api/v1/metrics/units?period=2026-09..2026-11&unit={district}"),
            &leader,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert_eq!(k["rates"], rows(&m)[0]);
    // … which a recount from every timeline confirms.
    let (_, r) = s
        .get(
            &format!("/api/v1/metrics/units?period=2026-09..2026-11&unit={district}&recount=true"),
            &admin,
        )
        .await;
    assert_eq!(k["rates"], rows(&r)[0]);
    assert!(k["rates"]["satisfaction"]["denominator"].as_i64().unwrap() > 0);
    // Each month's satisfaction is that month's metric, not 100% by construction.
    let sat = k["satisfaction"].as_array().unwrap();
    assert_eq!(sat.len(), 3);
    for month in sat {
        let (_, mm) = s
            .get(
                &format!(
                    "/api/v1/metrics/units?period={}&unit={district}",
                    month["month"].as_str().unwrap()
                ),
                &leader,
            )
            .await;
        let want = &rows(&mm)[0]["satisfaction"];
        assert_eq!(month["rated"], want["denominator"], "{month}");
        assert_eq!(month["satisfied"], want["numerator"], "{month}");
    }
    let nov = &sat[2];
    assert!(
        nov["satisfied"].as_i64().unwrap() < nov["rated"].as_i64().unwrap(),
        "the 不满意 rating counts: {nov}"
    );
    // Every unit row of the chart is the unit metrics row of that unit.
    for row in k["unit_rates"].as_array().unwrap() {
        let (_, um) = s
            .get(
                &format!(
                    "/api/v1/metrics/units?period=2026-09..2026-11&unit={}",
                    row["unit"].as_str().unwrap()
                ),
                &leader,
            )
            .await;
        assert_eq!(row, &rows(&um)[0]);
    }
    // 超期 is the workbench's 超期 for the same caller.
    let (_, q) = s.get("/api/v1/queues", &leader).await;
    assert!(q["overdue"].as_i64().unwrap() > 0);
    assert_eq!(k["overdue_now"], q["overdue"]);
    let (_, l) = s
        .get("/api/v1/cases?due=overdue&page_size=1", &leader)
        .await;
    assert_eq!(k["overdue_now"], l["total"]);
    // A street's cockpit: its own metrics row.
    let (_, street) = s.community(0);
    let (_, ks) = s
        .get(
            &format!("/api/v1/stats/cockpit?from=2026-11&to=2026-11&unit={street}"),
            &leader,
        )
        .await;
    let (_, ms) = s
        .get(
            &format!("/api/v1/metrics/units?period=2026-11&unit={street}"),
            &leader,
        )
        .await;
    assert_eq!(ks["rates"], rows(&ms)[0]);
    // The default period is the last three months and includes today.
    let (_, d) = s.get("/api/v1/stats/cockpit", &leader).await;
    assert_eq!(d["metrics_period"], "2026-09..2026-11");
    assert!(
        d["to"].as_str().unwrap().starts_with("2026-11-24"),
        "{}",
        d["to"]
    );
    // Bad periods are refused, naming the field.
    for bad in [
        "period=2026-13",
        "period=2026-11..2026-01",
        "period=2020-01..2026-01",
    ] {
        let (st, e) = s
            .get(&format!("/api/v1/metrics/units?{bad}"), &leader)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert_eq!(e["error"]["field"], "period");
    }
    s.shutdown().await;
}
on_both!(
    cockpit_figures_are_the_unit_metrics,
    cockpit_is_the_unit_metrics
);
