//! The time-limit engine with a controllable clock: warnings and escalations fire at the right
//! instant, once, across weekends, holidays, 调休 workdays, lunch breaks and pauses; policies and
//! calendars are data; webhooks retry.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Epoch ms of a Shanghai wall-clock time.
fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
    app::deadlines::start_of_day(jiff::civil::date(y, m, d))
        + (i64::from(h) * 60 + i64::from(min)) * 60_000
}

async fn events_of(s: &TestServer, c: &Value, action: &str) -> Vec<Value> {
    let t = s.login("dispatcher").await;
    s.events(&t, c)
        .await
        .into_iter()
        .filter(|e| e["action"] == action)
        .collect()
}

async fn sweep_at(s: &TestServer, ms: i64) -> app::alerts::SweepReport {
    s.clock.set(ms);
    s.app.sweep().await.unwrap()
}

/// A case dispatched to 城管局 at `when`.
async fn dispatched_at(s: &TestServer, when: i64) -> Value {
    s.clock.set(when);
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await
}

async fn sign_clock(db: Db) {
    let s = TestServer::start(db).await;
    // Tuesday 10:00; sign-for is 1 working day: due at the end of Wednesday. The working time is
    // Tue 10:00–12:00, 13:30–17:30 (360 min) + Wed (450 min) = 810 min; 临期 when 20% (162 min)
    // is left: Wednesday 14:48.
    let c = dispatched_at(&s, at(2026, 11, 24, 10, 0)).await;
    assert_eq!(c["sign_due"], "2026-11-25T23:59:59+08:00");
    sweep_at(&s, at(2026, 11, 25, 14, 47)).await;
    assert!(events_of(&s, &c, "near_due").await.is_empty(), "not yet");
    let v = s.case(&s.login("dispatcher").await, &c).await;
    assert_eq!(v["due_state"], "normal");
    let r = sweep_at(&s, at(2026, 11, 25, 14, 48)).await;
    assert_eq!(r.recorded, 1);
    let near = events_of(&s, &c, "near_due").await;
    assert_eq!(near.len(), 1);
    assert_eq!(near[0]["data"]["clock"], "sign");
    assert_eq!(near[0]["action_label"], "临期预警");
    // The handler and the unit lead of 城管局 find it in the day's deadline digest (besides the
    // notice of the dispatch itself).
    let h = s.login("handler").await;
    let (_, n) = s.get("/api/v1/notifications/count", &h).await;
    assert_eq!(n["unread"], 2);
    let (_, list) = s.get("/api/v1/notifications", &h).await;
    let list = &list["items"];
    assert_eq!(list[0]["kind"], "deadline_digest");
    assert!(
        list[0]["title"].as_str().unwrap().contains("临期 1 件"),
        "{}",
        list[0]
    );
    assert_eq!(list[0]["items"][0]["case_id"], c["id"]);
    assert_eq!(
        list[0]["items"][0]["number"], c["number"],
        "shown with the case's number"
    );
    assert_eq!(list[1]["kind"], "dispatched");
    assert_eq!(list[1]["case_number"], c["number"]);
    // Sweeping again records nothing new.
    assert_eq!(sweep_at(&s, at(2026, 11, 25, 20, 0)).await.recorded, 0);
    assert_eq!(events_of(&s, &c, "near_due").await.len(), 1);
    // Past the end of Wednesday: 超期, once.
    sweep_at(&s, at(2026, 11, 26, 0, 0)).await;
    sweep_at(&s, at(2026, 11, 26, 0, 30)).await;
    assert_eq!(events_of(&s, &c, "overdue").await.len(), 1);
    let disp = s.login("dispatcher").await;
    let (_, v) = s.get("/api/v1/cases?due=overdue", &disp).await;
    assert_eq!(v["total"], 1);
    // Not signed 2 hours after the deadline: automatic 催办 to the unit lead, once.
    sweep_at(&s, at(2026, 11, 26, 1, 58)).await;
    assert!(events_of(&s, &c, "urge").await.is_empty());
    sweep_at(&s, at(2026, 11, 26, 2, 0)).await;
    sweep_at(&s, at(2026, 11, 26, 9, 0)).await;
    let urges = events_of(&s, &c, "urge").await;
    assert_eq!(urges.len(), 1);
    assert_eq!(urges[0]["data"]["automatic"], true);
    let lead = s.login("unitlead").await;
    let (_, list) = s.get("/api/v1/notifications?unread=true", &lead).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "urge")
    );
    let v = s.case(&lead, &c).await;
    assert_eq!(v["urge_count"], 1);
    // Marking read.
    let (_, m) = s
        .post("/api/v1/notifications/all/read", &lead, json!({}))
        .await;
    assert!(m["marked"].as_u64().unwrap() >= 2);
    let (_, n) = s.get("/api/v1/notifications/count", &lead).await;
    assert_eq!(n["unread"], 0);

    // Signing starts the handling clock (5 working days: due Thursday 12-03); 3 working days
    // past it (end of Tuesday 12-08) brings 督办 and the supervisor's notification.
    let v = s
        .act(&s.login("handler").await, &v, "sign", json!({}))
        .await;
    assert_eq!(v["handle_due"], "2026-12-03T23:59:59+08:00");
    sweep_at(&s, at(2026, 12, 4, 9, 0)).await;
    let overdue: Vec<Value> = events_of(&s, &c, "overdue").await;
    assert_eq!(overdue.len(), 2);
    assert_eq!(overdue[1]["data"]["clock"], "handle");
    sweep_at(&s, at(2026, 12, 8, 23, 0)).await;
    assert!(events_of(&s, &c, "supervise").await.is_empty());
    sweep_at(&s, at(2026, 12, 9, 0, 1)).await;
    sweep_at(&s, at(2026, 12, 9, 10, 0)).await;
    assert_eq!(events_of(&s, &c, "supervise").await.len(), 1);
    let sup = s.login("supervisor").await;
    let (_, n) = s.get("/api/v1/notifications", &sup).await;
    assert!(
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "supervise")
    );
    let v = s.case(&sup, &c).await;
    assert_eq!(v["supervised"], true);
    s.shutdown().await;
}
on_both!(sign_and_handle_clocks_warn_and_escalate_once, sign_clock);

async fn holidays_and_tiaoxiu(db: Db) {
    let s = TestServer::start(db).await;
    // Wednesday 2026-09-30 16:00, before National Day (10-01..10-07): sign-for due at the end of
    // Thursday 10-08. Working time: 90 min on 09-30 + 450 on 10-08; 临期 at 108 min left: 10-08 15:42.
    let c = dispatched_at(&s, at(2026, 9, 30, 16, 0)).await;
    assert_eq!(c["sign_due"], "2026-10-08T23:59:59+08:00");
    sweep_at(&s, at(2026, 10, 5, 12, 0)).await;
    sweep_at(&s, at(2026, 10, 8, 15, 41)).await;
    assert!(events_of(&s, &c, "near_due").await.is_empty());
    sweep_at(&s, at(2026, 10, 8, 15, 42)).await;
    assert_eq!(events_of(&s, &c, "near_due").await.len(), 1);
    // Saturday 2026-09-19: the next working day is the 调休 Sunday 09-20.
    let d = dispatched_at(&s, at(2026, 9, 19, 10, 0)).await;
    assert_eq!(d["sign_due"], "2026-09-20T23:59:59+08:00");
    // Its whole working time is Sunday's 450 min; 临期 with 90 min left: Sunday 16:00.
    sweep_at(&s, at(2026, 9, 20, 15, 59)).await;
    assert!(events_of(&s, &d, "near_due").await.is_empty());
    sweep_at(&s, at(2026, 9, 20, 16, 0)).await;
    assert_eq!(events_of(&s, &d, "near_due").await.len(), 1);
    s.shutdown().await;
}
on_both!(holidays_and_adjusted_workdays, holidays_and_tiaoxiu);

async fn pause_extension_reopen(db: Db) {
    let s = TestServer::start(db).await;
    let c = dispatched_at(&s, at(2026, 11, 24, 10, 0)).await;
    let h = s.login("handler").await;
    let c = s.act(&h, &c, "sign", json!({})).await; // handle due Tue 12-01
    assert_eq!(c["handle_due"], "2026-12-01T23:59:59+08:00");
    // 挂起 on Wednesday 11-25 at 09:00 with 4 working days left (Thu, Fri, Mon, Tue).
    s.clock.set(at(2026, 11, 25, 9, 0));
    let h = s.login("handler").await;
    let c = s
        .act(
            &h,
            &c,
            "suspend",
            json!({ "reason": "等待群众提供房产证复印件" }),
        )
        .await;
    assert_eq!(c["suspended"]["reason"], "等待群众提供房产证复印件");
    assert!(
        c["due_state"].is_null(),
        "the clock does not run while suspended"
    );
    assert_eq!(c["allowed_actions"], json!(["resolve", "resume"]));
    // Nothing fires while suspended, long past the old due date.
    sweep_at(&s, at(2026, 12, 3, 10, 0)).await;
    assert!(events_of(&s, &c, "overdue").await.is_empty());
    assert!(events_of(&s, &c, "near_due").await.is_empty());
    // Resumed Thursday 12-03: 4 working days left → due Wednesday 12-09.
    s.clock.set(at(2026, 12, 3, 10, 0));
    let h = s.login("handler").await;
    let c = s.act(&h, &c, "resume", json!({})).await;
    assert_eq!(c["handle_due"], "2026-12-09T23:59:59+08:00");
    // An extension moves the due date; the warnings follow the new date.
    let c = s
        .act(
            &h,
            &c,
            "request_extension",
            json!({ "working_days": 2, "reason": "需现场复核" }),
        )
        .await;
    let c = s
        .act(
            &s.login("dispatcher").await,
            &c,
            "decide_extension",
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(c["handle_due"], "2026-12-11T23:59:59+08:00");
    sweep_at(&s, at(2026, 12, 10, 0, 5)).await;
    assert!(
        events_of(&s, &c, "overdue").await.is_empty(),
        "the old due date passed without 超期"
    );
    sweep_at(&s, at(2026, 12, 12, 0, 5)).await;
    assert_eq!(events_of(&s, &c, "overdue").await.len(), 1);
    // Resolve, unsatisfied follow-up: a new handling clock with its own warnings.
    s.clock.set(at(2026, 12, 14, 9, 0));
    let h = s.login("handler").await;
    let c = s
        .act(
            &h,
            &c,
            "resolve",
            json!({ "reply": "已处理", "outcome": "resolved" }),
        )
        .await;
    let c = s
        .act(
            &s.login("clerk").await,
            &c,
            "follow_up",
            json!({ "satisfaction": "unsatisfied", "resolved": false }),
        )
        .await;
    assert_eq!(c["handle_due"], "2026-12-21T23:59:59+08:00");
    sweep_at(&s, at(2026, 12, 22, 0, 5)).await;
    let overdue = events_of(&s, &c, "overdue").await;
    assert_eq!(
        overdue.len(),
        2,
        "the reopened clock warns again: {overdue:?}"
    );
    s.shutdown().await;
}
on_both!(
    pause_extension_and_reopen_move_the_clock,
    pause_extension_reopen
);

async fn rules_as_data(db: Db) {
    let s = TestServer::start(db).await;
    let (admin, disp) = (s.login("admin").await, s.login("dispatcher").await);
    let (st, mut p) = s.get("/api/v1/policies", &disp).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p["working_hours"][0], json!({ "start": 510, "end": 720 }));
    // Only admins change it; a bad policy is refused and changes nothing.
    let (st, _) = s
        .call("PUT", "/api/v1/policies", Some(&disp), Some(p.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, e) = s
        .call(
            "PUT",
            "/api/v1/policies",
            Some(&admin),
            Some(json!({ "rules": [] })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // 供水 problems: handling within 4 working hours.
    p["rules"].as_array_mut().unwrap().push(json!({ "category": "水电气", "clocks": { "sign": { "unit": "minutes", "value": 30 }, "handle": { "unit": "working_minutes", "value": 240 }, "follow_up": { "unit": "working_days", "value": 2 }, "extension_max_days": 3, "extension_times": 1, "near_due_share": 0.25 } }));
    let (st, v) = s
        .call("PUT", "/api/v1/policies", Some(&admin), Some(p.clone()))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    s.clock.set(at(2026, 11, 26, 11, 0));
    let clerk = s.login("clerk").await;
    let c = s
        .new_case(
            &clerk,
            json!({ "category": "水电气/供水", "title": "停水", "description": "小区停水一天了" }),
        )
        .await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s
        .act(
            &s.login("dispatcher").await,
            &c,
            "dispatch",
            json!({ "unit": "swjt" }),
        )
        .await;
    assert_eq!(c["sign_due"], "2026-11-26T11:30:00+08:00");
    // Sign at 11:10: 240 working minutes = 50 before lunch + 190 after → 16:40.
    s.clock.set(at(2026, 11, 26, 11, 10));
    s.app
        .create_user("swjt1", "swjt-lantern-river-7", "handler", "swjt", None)
        .await
        .unwrap();
    let (_, l) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": "swjt1", "password": "swjt-lantern-river-7" })),
        )
        .await;
    let h = l["token"].as_str().unwrap().to_string();
    let c = s.act(&h, &c, "sign", json!({})).await;
    assert_eq!(c["handle_due"], "2026-11-26T16:40:00+08:00");
    // At 15:45 the clock is near its end (临期) under the stored rule: a quarter of the 240
    // working minutes before 16:40 is 15:40 (the built-in fifth would be 15:52). A second
    // instance on the same database (another replica, or this one restarted) that has neither
    // written nor been told of the change shows the same from its first read, not the defaults.
    s.clock.set(at(2026, 11, 26, 15, 45));
    let disp = s.login("dispatcher").await;
    let seen = s.case(&disp, &c).await;
    assert_eq!(seen["due_state"], "near", "{seen}");
    let other = app::App::new(s.store.clone(), s.clock.clone(), common::shared_triage());
    let hub = s
        .app
        .org
        .tree()
        .await
        .unwrap()
        .district_hub()
        .unwrap()
        .code
        .clone();
    let dispatcher = app::scope::Principal {
        id: uuid::Uuid::now_v7(),
        username: "d2".into(),
        name: "调度".into(),
        role: domain::Role::Dispatcher,
        unit: Some(hub),
        kind: app::scope::PrincipalKind::User,
        must_change_password: false,
        client: None,
    };
    let id = uuid::Uuid::parse_str(c["id"].as_str().unwrap()).unwrap();
    let fresh = other.get_case(&dispatcher, id).await.unwrap();
    assert_eq!(fresh.due_state, Some("near"));
    let listed = other
        .list_cases(&dispatcher, &Default::default())
        .await
        .unwrap();
    let row = listed.items.iter().find(|v| v.id == id).unwrap();
    assert_eq!(row.due_state, Some("near"));
    let (st, e) = s
        .try_act(
            &h,
            &c,
            "request_extension",
            json!({ "working_days": 5, "reason": "x" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("working_days")),
        "the category's extension cap applies"
    );
    // Calendars: 2027 is not covered yet — due dates there are provisional until it is imported.
    let admin = s.login("admin").await;
    let (_, cals) = s.get("/api/v1/calendars", &admin).await;
    assert_eq!(cals[0]["name"], "cn");
    assert!(cals[0]["years"].as_array().unwrap().contains(&json!(2026)));
    s.clock.set(at(2026, 12, 31, 16, 0));
    let (clerk, admin) = (s.login("clerk").await, s.login("admin").await);
    let d = s.new_case(&clerk, json!({})).await;
    let d = s.act(&clerk, &d, "accept", json!({})).await;
    let d = s
        .act(
            &s.login("dispatcher").await,
            &d,
            "dispatch",
            json!({ "unit": "cgj" }),
        )
        .await;
    assert_eq!(d["due_provisional"], true);
    let year =
        "year 2027\n2027-01-01 holiday 元旦\n2027-01-02 holiday 元旦\n2027-01-03 holiday 元旦\n";
    let (st, e) = s
        .post(
            "/api/v1/calendars/cn/years",
            &admin,
            json!({ "text": "year 2027\n2027-02-30 holiday 坏日期\n" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message"].as_str().unwrap().contains('2'), "{e}");
    let (st, r) = s
        .post(
            "/api/v1/calendars/cn/years",
            &admin,
            json!({ "text": year }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (_, d2) = s
        .get(
            &format!("/api/v1/cases/{}", d["id"].as_str().unwrap()),
            &admin,
        )
        .await;
    assert_eq!(d2["due_provisional"], false);
    // A region that keeps its own days: 2026-12-31 is a local rest day for the second street.
    let local = "year 2026\n2026-12-31 holiday 地方休息日\n";
    let (st, _) = s
        .post(
            "/api/v1/calendars/local/years",
            &admin,
            json!({ "text": local }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = s
        .post(
            "/api/v1/calendars/regions",
            &admin,
            json!({ "region": s.community(1).1, "calendar": "nope" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar"))
    );
    let (st, _) = s
        .post(
            "/api/v1/calendars/regions",
            &admin,
            json!({ "region": s.community(1).1, "calendar": "local" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, cals) = s.get("/api/v1/calendars", &admin).await;
    assert!(
        cals.as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "local" && c["regions"] == json!([s.community(1).1]))
    );
    s.clock.set(at(2026, 12, 30, 16, 0));
    let clerk = s.login("clerk").await;
    let loc = s
        .new_case(
            &clerk,
            json!({ "location": { "address": "东湖路", "region": s.community(1).0 } }),
        )
        .await;
    let loc = s.act(&clerk, &loc, "accept", json!({})).await;
    let loc = s
        .act(
            &s.login("dispatcher").await,
            &loc,
            "dispatch",
            json!({ "unit": "cgj" }),
        )
        .await;
    // A calendar is complete per year: "local" has 12-31 as a rest day and no 2027 yet, so the
    // next working day is Friday 2027-01-01, counted Monday–Friday and marked provisional.
    assert_eq!(loc["sign_due"], "2027-01-01T23:59:59+08:00");
    assert_eq!(loc["due_provisional"], true);
    s.clock.set(at(2026, 12, 31, 16, 0));
    // The next dispatch on 12-31 skips the imported 元旦 holidays: due Monday 2027-01-04.
    let clerk = s.login("clerk").await;
    let e2 = s.new_case(&clerk, json!({})).await;
    let e2 = s.act(&clerk, &e2, "accept", json!({})).await;
    let e2 = s
        .act(
            &s.login("dispatcher").await,
            &e2,
            "dispatch",
            json!({ "unit": "cgj" }),
        )
        .await;
    assert_eq!(e2["sign_due"], "2027-01-04T23:59:59+08:00");
    s.shutdown().await;
}
on_both!(policies_and_calendars_are_data, rules_as_data);

struct Recorder {
    calls: std::sync::Mutex<Vec<(String, String, String)>>,
    fail_first: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl app::alerts::WebhookSender for Recorder {
    async fn post(&self, url: &str, body: &str, signature: &str) -> Result<(), String> {
        self.calls
            .lock()
            .unwrap()
            .push((url.into(), body.into(), signature.into()));
        if self.fail_first.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            self.fail_first
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            return Err("HTTP 503".into());
        }
        Ok(())
    }
}

async fn webhooks(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let (st, _) = s
        .call(
            "PUT",
            "/api/v1/units/cgj/webhook",
            Some(&admin),
            Some(json!({ "url": "ftp://x", "secret": "s" })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = s
        .call(
            "PUT",
            "/api/v1/units/cgj/webhook",
            Some(&admin),
            Some(json!({ "url": "http://127.0.0.1:9/hook", "secret": "top-secret" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let c = dispatched_at(&s, at(2026, 11, 24, 10, 0)).await;
    sweep_at(&s, at(2026, 11, 25, 15, 0)).await;
    let rec = Recorder {
        calls: Default::default(),
        fail_first: 2.into(),
    };
    // First attempt fails; the retry waits a minute; the second fails; five more minutes; then it goes.
    assert_eq!(s.app.deliver_webhooks(&rec).await.unwrap(), 0);
    assert_eq!(
        s.app.deliver_webhooks(&rec).await.unwrap(),
        0,
        "not retried before the backoff"
    );
    s.clock.advance(61_000);
    assert_eq!(s.app.deliver_webhooks(&rec).await.unwrap(), 0);
    s.clock.advance(5 * 60_000 + 1000);
    assert_eq!(s.app.deliver_webhooks(&rec).await.unwrap(), 1);
    s.clock.advance(3_600_000);
    assert_eq!(
        s.app.deliver_webhooks(&rec).await.unwrap(),
        0,
        "delivered once"
    );
    let calls = rec.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3);
    let (url, body, sig) = &calls[2];
    assert_eq!(url, "http://127.0.0.1:9/hook");
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "case.near_due");
    assert_eq!(payload["case"]["number"], c["number"]);
    assert_eq!(
        sig,
        &format!(
            "sha256={}",
            app::alerts::hmac_sha256_hex(b"top-secret", body.as_bytes())
        )
    );
    s.shutdown().await;
}
on_both!(webhooks_retry_with_backoff_and_are_signed, webhooks);
