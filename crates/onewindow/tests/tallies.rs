//! The cockpit's pre-aggregated counters (`case_tallies`) equal a recount from the case rows:
//! after synthetic history, after live transitions over HTTP (dispatch, sign, resolve, follow-up,
//! reopen, merge, escalation by the sweeper), for whole-month, mid-month and year periods, the
//! district and a street, and after a rebuild.
#![allow(clippy::unwrap_used)]

mod common;

use app::ports::{CaseQuery, Scope, Store};
use common::{Db, T0, TestServer};
use domain::tally::{day_of_civil, shanghai_day};
use reqwest::StatusCode;
use seed::DemoSeed as _;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

/// The cockpit for a query string, from the tallies and recounted; both must answer 200.
async fn both(s: &TestServer, admin: &str, query: &str) -> (Value, Value) {
    let (st, fast) = s
        .get(&format!("/api/v1/stats/cockpit?{query}"), admin)
        .await;
    assert_eq!(st, StatusCode::OK, "{fast}");
    let (st, slow) = s
        .get(
            &format!("/api/v1/stats/cockpit?{query}&recount=true"),
            admin,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{slow}");
    (fast, slow)
}

async fn assert_cockpit_equal(s: &TestServer, admin: &str, street: &str, label: &str) {
    for q in [
        "from=2026-11-01&to=2026-11-30".to_string(),
        "from=2026-10-17&to=2026-11-24".to_string(),
        "from=2025-11-01&to=2026-10-31".to_string(),
        "from=2025-06-03&to=2026-12-31".to_string(),
        "from=2026-11-24&to=2026-11-24".to_string(),
        String::new(),
        format!("from=2025-12-15&to=2026-11-24&unit={street}"),
    ] {
        let (fast, slow) = both(s, admin, &q).await;
        assert_eq!(
            fast, slow,
            "{label}: tallies differ from a recount for `{q}`"
        );
    }
}

async fn tallies_equal_recount(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(1200, 23, 300).await.unwrap();
    let admin = s.login("admin").await;
    let (_, street_code) = s.community(0);
    // The history has something to count in every part of the answer.
    let (fast, _) = both(&s, &admin, "from=2025-11-01&to=2026-11-30").await;
    assert!(fast["total"].as_i64().unwrap() > 1000, "{fast}");
    for k in [
        "by_day",
        "by_category",
        "by_street",
        "unit_rates",
        "satisfaction",
    ] {
        assert!(!fast[k].as_array().unwrap().is_empty(), "{k} is empty");
    }
    assert_cockpit_equal(&s, &admin, &street_code, "after the synthetic history").await;

    // Live work moves cases between tally rows: every kind of transition that changes a counted
    // field (unit, signing, resolution, rating, closing, merge), each checked against a recount.
    let (clerk, disp, h) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let mut open = Vec::new();
    for i in 0..6 {
        let c = s.new_case(&clerk, json!({})).await;
        let c = s.act(&clerk, &c, "accept", json!({})).await;
        let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
        if i == 0 {
            open.push(c);
            continue;
        }
        let c = s.act(&h, &c, "sign", json!({})).await;
        let c = s
            .act(
                &h,
                &c,
                "resolve",
                json!({ "reply": "已现场处理完毕，并电话告知来电人处理结果。", "outcome": "resolved" }),
            )
            .await;
        let satisfaction = if i % 2 == 0 {
            "satisfied"
        } else {
            "unsatisfied"
        };
        let c = s
            .act(
                &clerk,
                &c,
                "follow_up",
                json!({ "satisfaction": satisfaction, "resolved": i % 2 == 0 }),
            )
            .await;
        open.push(c);
    }
    let dup = s.new_case(&clerk, json!({})).await;
    let dup = s.act(&clerk, &dup, "accept", json!({})).await;
    s.act(&disp, &dup, "merge", json!({ "into": open[0]["id"] }))
        .await;
    assert_cockpit_equal(&s, &admin, &street_code, "after live transitions").await;

    // The sweeper's escalations write cases too; weeks later the open ones are overdue.
    s.clock.advance(20 * DAY);
    s.app.sweep().await.unwrap();
    let admin = s.login("admin").await; // sessions last 12 hours
    assert_cockpit_equal(&s, &admin, &street_code, "after the sweeper").await;

    // Day by day over the history, the store's two answers agree (mid-month edges included).
    let q = |first: i64, last: i64| CaseQuery {
        scope: Some(Scope::All),
        now: T0,
        reported_from: Some(first * DAY - 8 * 3_600_000),
        reported_to: Some((last + 1) * DAY - 8 * 3_600_000 - 1),
        ..CaseQuery::default()
    };
    let today = shanghai_day(T0);
    for (first, last) in [
        (today - 400, today),
        (day_of_civil(2026, 2, 11), day_of_civil(2026, 3, 9)),
        (day_of_civil(2026, 1, 1), day_of_civil(2026, 1, 31)),
        (today - 3, today - 1),
    ] {
        let mut live = s.store.stats(&q(first, last)).await.unwrap();
        live.overdue_by_unit.clear();
        let tallied = s.store.tally_stats(first, last, None).await.unwrap();
        assert_eq!(live, tallied, "days {first}..={last}");
    }

    // A rebuild from the case rows lands on the same figures.
    let before = s.store.tally_stats(today - 400, today, None).await.unwrap();
    let counted = s.store.rebuild_tallies().await.unwrap();
    assert!(counted >= 1207, "{counted}");
    let after = s.store.tally_stats(today - 400, today, None).await.unwrap();
    assert_eq!(before, after);

    // Only administrators may ask for a recount.
    let leader = s.login("leader").await;
    let (st, _) = s.get("/api/v1/stats/cockpit?recount=true", &leader).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    s.shutdown().await;
}
on_both!(cockpit_tallies_equal_a_recount, tallies_equal_recount);

/// A list counts its matches only up to the cap it is given (plus one, to say "more").
async fn list_counts_stop_at_the_cap(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(300, 3, 300).await.unwrap();
    let q = |cap: Option<u64>| CaseQuery {
        scope: Some(Scope::All),
        now: T0,
        limit: 5,
        count_limit: cap,
        ..CaseQuery::default()
    };
    let (items, exact) = s.store.list_cases(&q(None)).await.unwrap();
    assert_eq!((items.len(), exact), (5, 300));
    let (items, capped) = s.store.list_cases(&q(Some(100))).await.unwrap();
    assert_eq!((items.len(), capped), (5, 101));
    let (_, under) = s.store.list_cases(&q(Some(1000))).await.unwrap();
    assert_eq!(under, 300);
    // Over HTTP a page below the cap has an exact total and no `total_capped`.
    let disp = s.login("dispatcher").await;
    let (st, page) = s.get("/api/v1/cases?page_size=5", &disp).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(page["total"], 300);
    assert!(page.get("total_capped").is_none(), "{page}");
    s.shutdown().await;
}
on_both!(list_counts_are_capped, list_counts_stop_at_the_cap);

/// A cockpit answer is served from the cache for `cockpit_cache_ms` of the app's clock, per
/// caller's scope and query; a recount is never cached.
async fn cockpit_cached(db: Db) {
    let s = TestServer::start(db).await;
    let mut app = app::App::new(s.store.clone(), s.clock.clone(), common::shared_triage());
    app.settings.cockpit_cache_ms = 10_000;
    let clerk = s.login("clerk").await;
    let leader = app.authenticate(&s.login("leader").await).await.unwrap();
    let params: std::collections::HashMap<String, String> =
        [("from", "2026-11-01"), ("to", "2026-11-30")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let before = app.cockpit(&leader, &params).await.unwrap();
    s.new_case(&clerk, json!({})).await;
    let cached = app.cockpit(&leader, &params).await.unwrap();
    assert_eq!(cached["total"], before["total"], "served from the cache");
    s.clock.advance(11_000);
    let fresh = app.cockpit(&leader, &params).await.unwrap();
    assert_eq!(
        fresh["total"].as_i64().unwrap(),
        before["total"].as_i64().unwrap() + 1,
        "computed again"
    );
    s.shutdown().await;
}
on_both!(cockpit_answers_are_cached_briefly, cockpit_cached);
