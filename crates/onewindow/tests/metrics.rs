//! Unit metrics of a month agree with a direct, independent recount from the events.
#![allow(clippy::unwrap_used)]

mod common;

use app::ports::Store;
use common::{Db, TestServer};
use domain::Event;
use reqwest::StatusCode;
use seed::DemoSeed as _;
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Default, Debug, PartialEq)]
struct Count {
    dispatched: usize,
    signed_on_time: usize,
    signed: usize,
    resolved: usize,
    resolved_on_time: usize,
    returned: usize,
    reopened: usize,
    extensions: usize,
    rated: usize,
    satisfied: usize,
    solved: usize,
}

fn unit_of(e: &Event) -> Option<String> {
    e.data["state"]["unit"].as_str().map(str::to_string)
}

/// A straightforward recount, written independently of app::metrics: for each counted event,
/// look backwards or forwards in the case's own timeline for what it needs.
fn recount(timelines: &[Vec<Event>], from: i64, to: i64, within: &dyn Fn(&str) -> bool) -> Count {
    let mut c = Count::default();
    let inp = |t: i64| t >= from && t < to;
    for tl in timelines {
        for (i, e) in tl.iter().enumerate() {
            let u = unit_of(e);
            let mine = u.as_deref().is_some_and(within);
            match e.action.as_str() {
                "dispatch" if mine && inp(e.at) => {
                    c.dispatched += 1;
                    let due = e.data["state"]["sign_due"].as_i64().unwrap();
                    let next = tl[i + 1..].iter().find(|x| {
                        matches!(
                            x.action.as_str(),
                            "sign" | "return" | "escalate" | "dispatch"
                        )
                    });
                    if next.is_some_and(|x| x.action == "sign" && x.at <= due) {
                        c.signed_on_time += 1;
                    }
                }
                "sign" if mine && inp(e.at) => c.signed += 1,
                "resolve" if mine && inp(e.at) => {
                    c.resolved += 1;
                    // The deadline in force: the latest earlier event that set one.
                    let due = tl[..i].iter().rev().find_map(|x| match x.action.as_str() {
                        "sign" | "decide_extension" | "resume" | "reopen" | "follow_up" => {
                            x.data["state"]["handle_due"].as_i64()
                        }
                        _ => None,
                    });
                    if due.is_some_and(|d| e.at <= d) {
                        c.resolved_on_time += 1;
                    }
                }
                "return" if inp(e.at) && e.data["unit"].as_str().is_some_and(within) => {
                    c.returned += 1
                }
                "request_extension" if mine && inp(e.at) => c.extensions += 1,
                "reopen" if mine && inp(e.at) => c.reopened += 1,
                "follow_up" if mine && inp(e.at) => {
                    c.rated += 1;
                    if e.data["reopened"] == true {
                        c.reopened += 1;
                    }
                    if e.data["satisfaction"] == "satisfied"
                        || e.data["satisfaction"] == "basically_satisfied"
                    {
                        c.satisfied += 1;
                    }
                    if e.data["resolved"] == true {
                        c.solved += 1;
                    }
                }
                _ => {}
            }
        }
    }
    c
}

fn from_api(u: &Value) -> Count {
    let n = |k: &str, part: &str| u[k][part].as_u64().unwrap() as usize;
    Count {
        dispatched: n("sign_on_time", "denominator"),
        signed_on_time: n("sign_on_time", "numerator"),
        signed: n("extension_rate", "denominator"),
        resolved: n("handle_on_time", "denominator"),
        resolved_on_time: n("handle_on_time", "numerator"),
        returned: n("return_rate", "numerator"),
        reopened: n("reopen_rate", "numerator"),
        extensions: n("extension_rate", "numerator"),
        rated: n("satisfaction", "denominator"),
        satisfied: n("satisfaction", "numerator"),
        solved: n("resolution", "numerator"),
    }
}

async fn month(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(1500, 11, 500).await.unwrap();
    let leader = s.login("leader").await;
    let (st, m) = s.get("/api/v1/metrics/units?period=2026-10", &leader).await;
    assert_eq!(st, StatusCode::OK, "{m}");
    let rows = m["units"].as_array().unwrap();
    assert!(rows.len() > 10, "{m}");
    // Every timeline, straight from storage.
    let q = app::ports::CaseQuery {
        limit: 100_000,
        ..Default::default()
    };
    let (cases, _) = s.store.list_cases(&q).await.unwrap();
    let mut timelines = vec![];
    for c in &cases {
        timelines.push(app::ports::Store::events(&*s.store, c.id).await.unwrap());
    }
    let (from, to) = app::metrics::month_bounds("2026-10").unwrap();
    let tree = s.app.org.tree().await.unwrap();
    let district = "330188".to_string();
    // A street that handled cases this month (returned cases are re-dispatched to the street).
    let street = rows
        .iter()
        .map(|r| r["unit"].as_str().unwrap().to_string())
        .find(|u| u.len() == 9)
        .expect("a street with activity");
    for unit in ["cgj", street.as_str(), district.as_str(), "sfj"] {
        let row = rows
            .iter()
            .find(|r| r["unit"] == unit)
            .unwrap_or_else(|| panic!("{unit} missing"));
        let expected = recount(&timelines, from, to, &|u: &str| tree.is_within(u, unit));
        assert_eq!(from_api(row), expected, "{unit}");
    }
    let root = rows.iter().find(|r| r["unit"] == "330188").unwrap();
    assert!(
        root["sign_on_time"]["denominator"].as_u64().unwrap() > 50,
        "{root}"
    );
    let sat = root["satisfaction"]["rate"].as_f64().unwrap();
    assert!((0.8..=1.0).contains(&sat), "{sat}");
    // Drill-down: the cases behind a numerator.
    let n = root["satisfaction"]["numerator"].as_u64().unwrap();
    let (st, list) = s
        .get(
            "/api/v1/metrics/units/330188/cases?period=2026-10&metric=satisfied",
            &leader,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len() as u64, n.min(500));
    let (st, _) = s.get("/api/v1/metrics/units?period=2026-13", &leader).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // A street handler sees only units of its subtree.
    let sh = s.login("street_handler").await;
    let (_, m2) = s.get("/api/v1/metrics/units?period=2026-10", &sh).await;
    let (_, first_street) = s.community(0);
    assert!(
        m2["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| tree.is_within(u["unit"].as_str().unwrap(), &first_street))
    );
    let (st, _) = s
        .get(
            "/api/v1/metrics/units/cgj/cases?period=2026-10&metric=rated",
            &sh,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let _: HashMap<(), ()> = HashMap::new();
    s.shutdown().await;
}
on_both!(unit_metrics_match_a_recount_from_events, month);

/// A month's metrics, once computed, are served for `metrics_cache_ms` of the app's clock and
/// computed afresh after it.
async fn cached_month(db: Db) {
    let s = TestServer::start(db).await;
    let mut app = app::App::new(s.store.clone(), s.clock.clone(), common::shared_triage());
    app.settings.metrics_cache_ms = 60_000;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let leader = app.authenticate(&s.login("leader").await).await.unwrap();
    let period = "2026-11";
    let dispatched = |v: &Value| {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "cgj")
            .map_or(0, |u| u["sign_on_time"]["denominator"].as_i64().unwrap())
    };
    let before = app.unit_metrics(&leader, period, None).await.unwrap();
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let cached = app.unit_metrics(&leader, period, None).await.unwrap();
    assert_eq!(
        dispatched(&cached),
        dispatched(&before),
        "served from the cache"
    );
    s.clock.advance(61_000);
    let fresh = app.unit_metrics(&leader, period, None).await.unwrap();
    assert_eq!(
        dispatched(&fresh),
        dispatched(&before) + 1,
        "computed again"
    );
    s.shutdown().await;
}
on_both!(unit_metrics_are_cached_for_a_minute, cached_month);

/// The months' metrics from the stored counters and recounted from every timeline (both over
/// HTTP, the recount as an administrator); they must be equal.
async fn assert_metrics_equal(s: &TestServer, label: &str) {
    let admin = s.login("admin").await;
    for period in ["2026-09", "2026-10", "2026-11", "2026-12"] {
        let (st, stored) = s
            .get(&format!("/api/v1/metrics/units?period={period}"), &admin)
            .await;
        assert_eq!(st, StatusCode::OK, "{stored}");
        let (st, recount) = s
            .get(
                &format!("/api/v1/metrics/units?period={period}&recount=true"),
                &admin,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{recount}");
        assert_eq!(stored, recount, "{label}: {period} differs from a recount");
    }
}

/// The stored unit metrics stay equal to a recount from the timelines through the synthetic
/// history, every kind of transition the metrics count (dispatch, sign, return and re-dispatch,
/// extension, suspension, resolution on time and late, follow-up satisfied and not, with its
/// reopening), the passing of deadlines, and a rebuild.
async fn metrics_in_step(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(800, 31, 200).await.unwrap();
    assert_metrics_equal(&s, "after the synthetic history").await;
    let (clerk, disp, h) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let reply =
        json!({ "reply": "已现场处理完毕，并电话告知来电人处理结果。", "outcome": "resolved" });
    for i in 0..6 {
        let c = s.new_case(&clerk, json!({})).await;
        let c = s.act(&clerk, &c, "accept", json!({})).await;
        let mut c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
        if i == 1 {
            // Returned, then dispatched again to the same unit.
            c = s
                .act(
                    &h,
                    &c,
                    "return",
                    json!({ "reason": "不属于本单位职责，申请退回改派。" }),
                )
                .await;
            c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
        }
        if i == 0 {
            continue; // waits to be signed
        }
        let mut c = s.act(&h, &c, "sign", json!({})).await;
        if i == 2 {
            c = s
                .act(
                    &h,
                    &c,
                    "request_extension",
                    json!({ "working_days": 3, "reason": "需协调多部门。" }),
                )
                .await;
            c = s
                .act(&disp, &c, "decide_extension", json!({ "approve": true }))
                .await;
        }
        if i == 3 {
            continue; // its handling clock runs
        }
        if i == 4 {
            c = s
                .act(&h, &c, "suspend", json!({ "reason": "等待群众补充材料。" }))
                .await;
            c = s.act(&h, &c, "resume", json!({})).await;
        }
        let c = s.act(&h, &c, "resolve", reply.clone()).await;
        let satisfied = i % 2 == 0;
        s.act(
            &clerk,
            &c,
            "follow_up",
            json!({ "satisfaction": if satisfied { "satisfied" } else { "unsatisfied" }, "resolved": satisfied }),
        )
        .await;
    }
    assert_metrics_equal(&s, "after live transitions").await;
    // Weeks later, in December, the running clocks are past their deadlines; a late resolution.
    s.clock.advance(20 * 86_400_000);
    assert_metrics_equal(&s, "after the deadlines passed").await;
    let admin = s.login("admin").await;
    let (_, list) = s
        .get(
            "/api/v1/cases?status=in_progress&unit=cgj&page_size=100",
            &admin,
        )
        .await;
    let late = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["created_at"]
                .as_str()
                .unwrap_or_default()
                .starts_with("2026-11-24")
        })
        .cloned()
        .expect("a case of today still in progress");
    let h = s.login("handler").await;
    s.act(&h, &late, "resolve", reply.clone()).await;
    assert_metrics_equal(&s, "after a late resolution").await;
    // The drill-down lists the cases behind 超期 of November for cgj.
    let (st, cases) = s
        .get(
            "/api/v1/metrics/units/cgj/cases?period=2026-11&metric=overdue",
            &admin,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{cases}");
    let (_, m) = s
        .get("/api/v1/metrics/units?period=2026-11&unit=cgj", &admin)
        .await;
    let overdue = m["units"][0]["overdue"].as_u64().unwrap();
    assert!(overdue > 0, "{m}");
    assert_eq!(cases.as_array().unwrap().len() as u64, overdue.min(500));
    // Rebuilt from scratch, the counters are the same.
    let before = s.app.stored_unit_metrics("2026-11").await.unwrap();
    s.app.rebuild_unit_metrics().await.unwrap();
    assert_eq!(s.app.stored_unit_metrics("2026-11").await.unwrap(), before);
    // Only administrators may ask for a recount.
    let leader = s.login("leader").await;
    let (st, _) = s
        .get("/api/v1/metrics/units?period=2026-11&recount=true", &leader)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    s.shutdown().await;
}
on_both!(unit_metrics_stay_equal_to_a_recount, metrics_in_step);
