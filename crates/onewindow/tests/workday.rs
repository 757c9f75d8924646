//! A staff member's working day (issue 18) over HTTP: who is told what, the 待审批 queue, 撤回,
//! 回访 attempts and 无法回访, finding a caller by phone, and the limits a form states.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, T0, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn inbox(s: &TestServer, token: &str) -> Vec<Value> {
    let (st, v) = s.get("/api/v1/notifications?page_size=100", token).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

fn kinds(items: &[Value], case: &Value) -> Vec<String> {
    items
        .iter()
        .filter(|n| n["case_id"] == case["id"])
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn who_is_told(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp, handler, lead) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("unitlead").await,
    );
    let (_, street) = s.community(0);
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    // Dispatch: the unit's handler and lead hear of it; the co-unit too; not the dispatcher.
    let c = s
        .act(
            &disp,
            &c,
            "dispatch",
            json!({ "unit": "cgj", "co_units": [street], "opinion": "请今日内处理" }),
        )
        .await;
    for t in [&handler, &lead] {
        assert_eq!(kinds(&inbox(&s, t).await, &c), ["dispatched"]);
    }
    assert!(kinds(&inbox(&s, &disp).await, &c).is_empty());
    let street_handler = s.login("street_handler").await;
    let co = inbox(&s, &street_handler).await;
    let co: Vec<&Value> = co.iter().filter(|n| n["case_id"] == c["id"]).collect();
    assert_eq!(co.len(), 1);
    assert!(
        co[0]["title"].as_str().unwrap().contains("协办"),
        "{}",
        co[0]
    );
    // Dates in a notification read as people write them, never ISO.
    let body = co[0]["body"].as_str().unwrap();
    assert!(body.contains("月") && !body.contains("T23:59"), "{body}");

    // 撤回 before signing: the case waits for dispatch again, the unit is told, nothing to sign.
    let c = s
        .act(&disp, &c, "recall", json!({ "opinion": "派错单位" }))
        .await;
    assert_eq!(c["status"], "accepted");
    assert!(c["unit"].is_null() && c["sign_due"].is_null());
    assert_eq!(c["return_count"], 0);
    assert!(kinds(&inbox(&s, &handler).await, &c).contains(&"recalled".to_string()));
    let (_, q) = s.get("/api/v1/queues", &handler).await;
    assert_eq!(q["dispatched"], 0, "nothing left to sign at 城管局");
    // Once signed, it cannot be recalled.
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    let (st, e) = s.try_act(&disp, &c, "recall", json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        !c["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("recall"))
    );

    // An extension of more working days than the rule allows is refused with the limit, never cut.
    assert_eq!(c["limits"]["extension_max_days"], 10);
    let (st, e) = s
        .try_act(
            &handler,
            &c,
            "request_extension",
            json!({ "working_days": 15, "reason": "需协调多部门" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "working_days");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("10"),
        "{e}"
    );
    let v = s.case(&handler, &c).await;
    assert!(v["pending_extension"].is_null(), "nothing changed");
    // A request within the limit: the dispatchers are told and it waits in 待审批.
    let c = s
        .act(
            &handler,
            &c,
            "request_extension",
            json!({ "working_days": 5, "reason": "需协调多部门" }),
        )
        .await;
    assert!(kinds(&inbox(&s, &disp).await, &c).contains(&"extension_requested".to_string()));
    let (_, q) = s.get("/api/v1/queues", &disp).await;
    assert_eq!(q["pending_approval"], 1);
    let (_, l) = s.get("/api/v1/cases?pending=extension", &disp).await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["id"], c["id"]);
    let (st, _) = s.get("/api/v1/cases?pending=whatever", &disp).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Decided: the unit is told; the queue is empty again.
    let c = s
        .act(&disp, &c, "decide_extension", json!({ "approve": true }))
        .await;
    assert!(kinds(&inbox(&s, &handler).await, &c).contains(&"extension_decided".to_string()));
    let (_, q) = s.get("/api/v1/queues", &disp).await;
    assert_eq!(q["pending_approval"], 0);

    // Reopened after an unsatisfied follow-up: the unit is told.
    let c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": "已处理", "outcome": "resolved" }),
        )
        .await;
    let c = s
        .act(
            &clerk,
            &c,
            "follow_up",
            json!({ "satisfaction": "unsatisfied", "resolved": false, "method": "visit" }),
        )
        .await;
    assert_eq!(c["status"], "in_progress");
    assert!(kinds(&inbox(&s, &lead).await, &c).contains(&"reopened".to_string()));

    // A return reaches the hub's dispatchers with the reason.
    let d = s.new_case(&clerk, json!({})).await;
    let d = s.act(&clerk, &d, "accept", json!({})).await;
    let d = s.act(&disp, &d, "dispatch", json!({ "unit": "cgj" })).await;
    s.act(
        &handler,
        &d,
        "return",
        json!({ "reason": "不属于城管职责" }),
    )
    .await;
    let mine = inbox(&s, &disp).await;
    let ret: Vec<&Value> = mine
        .iter()
        .filter(|n| n["case_id"] == d["id"] && n["kind"] == "returned")
        .collect();
    assert_eq!(ret.len(), 1);
    assert!(ret[0]["body"].as_str().unwrap().contains("不属于城管职责"));

    // English readers get English text.
    let r = s
        .http
        .get(format!("{}/api/v1/notifications", s.base))
        .bearer_auth(&disp)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let en: Value = r.json().await.unwrap();
    let t = en["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "returned")
        .unwrap()["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(t.starts_with("Returned"), "{t}");
    // Paging, and marking all read.
    let (_, p1) = s
        .get("/api/v1/notifications?page=1&page_size=1", &disp)
        .await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 1);
    assert!(p1["total"].as_u64().unwrap() >= 2);
    let (_, p2) = s
        .get("/api/v1/notifications?page=2&page_size=1", &disp)
        .await;
    assert_ne!(p1["items"][0]["id"], p2["items"][0]["id"]);
    let (st, _) = s.get("/api/v1/notifications?page=0", &disp).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    s.post("/api/v1/notifications/all/read", &disp, json!({}))
        .await;
    let (_, n) = s.get("/api/v1/notifications/count", &disp).await;
    assert_eq!(n["unread"], 0);
    s.shutdown().await;
}
on_both!(units_and_dispatchers_are_told, who_is_told);

/// 临期/超期 gather in one digest per user, unit and day; a clock found already overdue is not
/// also reported near due.
async fn deadline_digest(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp, handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let mut cases = vec![];
    for _ in 0..3 {
        let c = s.new_case(&clerk, json!({})).await;
        let c = s.act(&clerk, &c, "accept", json!({})).await;
        cases.push(s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await);
    }
    s.post("/api/v1/notifications/all/read", &handler, json!({}))
        .await;
    // Wednesday 14:50: all three are near their sign-for deadline (end of Wednesday).
    s.clock.set(T0 + 28 * 3_600_000 + 50 * 60_000);
    s.app.sweep().await.unwrap();
    // (Sessions last 12 hours: sign in again after each jump of the clock.)
    let handler = s.login("handler").await;
    let items = inbox(&s, &handler).await;
    let digests: Vec<&Value> = items
        .iter()
        .filter(|n| n["kind"] == "deadline_digest")
        .collect();
    assert_eq!(digests.len(), 1, "one digest, not a bell per case");
    assert_eq!(digests[0]["items"].as_array().unwrap().len(), 3);
    assert!(digests[0]["title"].as_str().unwrap().contains("临期 3 件"));
    let (_, n) = s.get("/api/v1/notifications/count", &handler).await;
    assert_eq!(n["unread"], 1);
    // Read, then the next morning (a new day) they turn overdue: a new digest of that day.
    s.post("/api/v1/notifications/all/read", &handler, json!({}))
        .await;
    s.clock.set(T0 + 47 * 3_600_000);
    s.app.sweep().await.unwrap();
    let handler = s.login("handler").await;
    let items = inbox(&s, &handler).await;
    let digests: Vec<&Value> = items
        .iter()
        .filter(|n| n["kind"] == "deadline_digest")
        .collect();
    assert_eq!(digests.len(), 2);
    assert!(digests[0]["title"].as_str().unwrap().contains("超期 3 件"));
    let (_, n) = s.get("/api/v1/notifications/count", &handler).await;
    assert_eq!(n["unread"], 1);

    // A case dispatched and first swept after its deadline: 超期 only.
    s.clock.set(T0 + 48 * 3_600_000);
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    s.clock.set(T0 + 96 * 3_600_000);
    s.app.sweep().await.unwrap();
    let disp = s.login("dispatcher").await;
    let ev = s.events(&disp, &c).await;
    let actions: Vec<&str> = ev.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"overdue"), "{actions:?}");
    assert!(!actions.contains(&"near_due"), "{actions:?}");
    s.shutdown().await;
}
on_both!(deadline_warnings_are_one_digest_a_day, deadline_digest);

/// 未联系上 attempts are counted; the policy's last one closes the case as 无法回访, counted apart
/// from satisfaction in the unit metrics.
async fn follow_up_attempts(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp, handler, leader) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("leader").await,
    );
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    let mut c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": "已处理", "outcome": "resolved" }),
        )
        .await;
    assert_eq!(c["limits"]["follow_up_attempts"], 3);
    let (st, e) = s
        .try_act(
            &clerk,
            &c,
            "follow_up",
            json!({ "method": "fax", "reached": false }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "method");
    for (i, method) in ["phone", "sms", "phone"].into_iter().enumerate() {
        c = s
            .act(
                &clerk,
                &c,
                "follow_up",
                json!({ "method": method, "reached": false }),
            )
            .await;
        assert_eq!(c["follow_up_attempts"], i as i64 + 1);
        assert_eq!(c["follow_up_method"], method);
    }
    assert_eq!(c["status"], "closed");
    assert_eq!(c["unreachable"], true);
    assert!(c["satisfaction"].is_null());
    let (_, m) = s
        .get("/api/v1/metrics/units?period=2026-11&unit=cgj", &leader)
        .await;
    let row = &m["units"][0];
    assert_eq!(row["unreachable"], 1);
    assert_eq!(row["satisfaction"]["denominator"], 0, "not a rating");
    let (_, cases) = s
        .get(
            "/api/v1/metrics/units/cgj/cases?period=2026-11&metric=unreachable",
            &leader,
        )
        .await;
    assert_eq!(cases.as_array().unwrap().len(), 1);
    s.shutdown().await;
}
on_both!(unreachable_follow_ups_close_apart, follow_up_attempts);

/// A caller is found by the whole number (with or without dashes) or its last digits, in the
/// keyword box and in the phone filter.
async fn phone_lookup(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let mine = s
        .new_case(
            &clerk,
            json!({ "reporter": { "name": "李女士", "phone": "0571-8877 6655" } }),
        )
        .await;
    let other = s
        .new_case(
            &clerk,
            json!({ "reporter": { "name": "赵先生", "phone": "13900006655" }, "description": "家门口6655号路灯不亮，晚上看不清路" }),
        )
        .await;
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let id = |c: &Value| c["id"].as_str().unwrap().to_string();
    for q in ["057188776655", "0571-88776655", "0571%208877%206655"] {
        let (st, l) = s.get(&format!("/api/v1/cases?q={q}"), &clerk).await;
        assert_eq!(st, StatusCode::OK, "{l}");
        assert_eq!(ids(&l), [id(&mine)], "q={q}");
        let (_, l) = s.get(&format!("/api/v1/cases?phone={q}"), &clerk).await;
        assert_eq!(ids(&l), [id(&mine)], "phone={q}");
    }
    // The last four digits find both callers ending in 6655; five digits narrow it.
    let (_, l) = s.get("/api/v1/cases?q=6655", &clerk).await;
    let mut both = ids(&l);
    both.sort();
    let mut want = vec![id(&mine), id(&other)];
    want.sort();
    assert_eq!(both, want);
    let (_, l) = s.get("/api/v1/cases?q=76655", &clerk).await;
    assert_eq!(ids(&l), [id(&mine)]);
    let (_, l) = s.get("/api/v1/cases?phone=06655", &clerk).await;
    assert_eq!(ids(&l), [id(&other)]);
    let (st, e) = s.get("/api/v1/cases?phone=55", &clerk).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "phone");
    s.shutdown().await;
}
on_both!(callers_are_found_by_phone, phone_lookup);

/// What triage suggested at intake comes with the case (the dispatch desk does not ask again).
async fn triage_kept(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let c = s.new_case(&clerk, json!({})).await;
    let disp = s.login("dispatcher").await;
    let (_, l) = s.get("/api/v1/cases?status=registered", &disp).await;
    let row = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == c["id"])
        .unwrap()
        .clone();
    assert!(row["triage"]["category"].as_str().unwrap().contains('/'));
    assert!(!row["triage"]["candidates"].as_array().unwrap().is_empty());
    assert!(row["triage"]["unit"].is_string(), "{}", row["triage"]);
    s.shutdown().await;
}
on_both!(triage_is_kept_with_the_case, triage_kept);

/// Triage below the fill threshold is only shown; a high-risk text is never suggested as 一般.
async fn triage_suggestions(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, admin) = (s.login("clerk").await, s.login("admin").await);
    let text = "老板拖欠我们三个月工资，再不给钱我就从工地塔吊上跳下去，我们几十个工友明天去市政府门口拉横幅";
    for (threshold, fill) in [(1.0, false), (0.0, true)] {
        let (st, _) = s
            .call(
                "PUT",
                "/api/v1/triage/settings",
                Some(&admin),
                Some(json!({ "fill_min_confidence": threshold })),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, t) = s
            .post("/api/v1/triage", &clerk, json!({ "text": text }))
            .await;
        assert_eq!(t["fill"], fill, "{t}");
        assert_eq!(t["risk"]["level"], "high");
        assert_ne!(t["urgency"], "normal", "{t}");
    }
    let (st, e) = s
        .call(
            "PUT",
            "/api/v1/triage/settings",
            Some(&admin),
            Some(json!({ "fill_min_confidence": 1.5 })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "fill_min_confidence");
    s.shutdown().await;
}
on_both!(triage_fills_only_when_sure, triage_suggestions);

/// Administration (issue 18 item 11, 19 item 11): edit, disable and re-enable users and units,
/// reset a password (changed at the next sign-in), sessions end at once, within the admin's scope.
async fn administration(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let (_, users) = s.get("/api/v1/users", &admin).await;
    let find = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let clerk_id = find("community_clerk");
    let admin_id = find("admin");
    let clerk = s.login("community_clerk").await;
    // Rename, then disable: the session ends at once and sign-in is refused.
    let (st, u) = s
        .call(
            "PATCH",
            &format!("/api/v1/users/{clerk_id}"),
            Some(&admin),
            Some(json!({ "name": "金桥社区受理员", "disabled": true })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(
        (u["name"].as_str(), u["disabled"].as_bool()),
        (Some("金桥社区受理员"), Some(true))
    );
    let (st, _) = s.get("/api/v1/auth/me", &clerk).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the disabled user's session ended"
    );
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": "community_clerk", "password": common::PASSWORD })),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Re-enabled.
    s.call(
        "PATCH",
        &format!("/api/v1/users/{clerk_id}"),
        Some(&admin),
        Some(json!({ "disabled": false })),
    )
    .await;
    let clerk = s.login("community_clerk").await;
    // A password reset: a temporary password, sessions end, and the next sign-in must change it.
    let (st, r) = s
        .post(
            &format!("/api/v1/users/{clerk_id}/password"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let temp = r["temporary_password"].as_str().unwrap().to_string();
    let (st, _) = s.get("/api/v1/auth/me", &clerk).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, l) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": "community_clerk", "password": temp })),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(l["user"]["must_change_password"], true);
    let t = l["token"].as_str().unwrap().to_string();
    let (st, e) = s.get("/api/v1/cases", &t).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(e["error"]["code"], "password_change_required");
    let (st, e) = s
        .post(
            "/api/v1/auth/password",
            &t,
            json!({ "current": "wrong-one", "new": "Jinqiao#2027" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("current"))
    );
    let (st, e) = s
        .post(
            "/api/v1/auth/password",
            &t,
            json!({ "current": temp, "new": "short" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("new"))
    );
    let (st, _) = s
        .post(
            "/api/v1/auth/password",
            &t,
            json!({ "current": temp, "new": "Jinqiao#2027" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, me) = s.get("/api/v1/auth/me", &t).await;
    assert_eq!(
        (st, me["must_change_password"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (st, _) = s.get("/api/v1/cases", &t).await;
    assert_eq!(st, StatusCode::OK);
    // Administrators cannot lock themselves out.
    let (st, e) = s
        .call(
            "PATCH",
            &format!("/api/v1/users/{admin_id}"),
            Some(&admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("disabled"))
    );
    // Units: a unit with open cases or users is not disabled; an empty one is, and is then
    // refused for dispatch; re-enabled it takes work again.
    let (clerk2, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let c = s.new_case(&clerk2, json!({})).await;
    let c = s.act(&clerk2, &c, "accept", json!({})).await;
    let (st, e) = s
        .call(
            "PATCH",
            "/api/v1/units/cgj",
            Some(&admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_in_use"))
    );
    let (st, u) = s
        .call(
            "PATCH",
            "/api/v1/units/scjgj",
            Some(&admin),
            Some(json!({ "name": "市场监督管理局（临江分局）" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    let spare = s
        .units
        .iter()
        .find(|u| u["kind"] == "department" && u["code"] != "cgj" && u["code"] != "sthjj")
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    // (Its users, if any, are disabled first.)
    let (_, all) = s.get("/api/v1/users", &admin).await;
    for u in all
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["unit"] == spare.as_str())
    {
        s.call(
            "PATCH",
            &format!("/api/v1/users/{}", u["id"].as_str().unwrap()),
            Some(&admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    }
    let (st, u) = s
        .call(
            "PATCH",
            &format!("/api/v1/units/{spare}"),
            Some(&admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(
        (st, u["disabled"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{u}"
    );
    let (st, e) = s
        .try_act(&disp, &c, "dispatch", json!({ "unit": spare }))
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unit"))
    );
    s.call(
        "PATCH",
        &format!("/api/v1/units/{spare}"),
        Some(&admin),
        Some(json!({ "disabled": false })),
    )
    .await;
    s.act(&disp, &c, "dispatch", json!({ "unit": spare })).await;
    // Another unit's administrator would be out of scope; only administrators act at all.
    let (st, _) = s
        .call(
            "PATCH",
            &format!("/api/v1/users/{clerk_id}"),
            Some(&disp),
            Some(json!({ "name": "x" })),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    s.shutdown().await;
}
on_both!(administrators_edit_disable_and_reset, administration);

/// The taxonomy is data an administrator edits: a category added is usable at once; one taken out
/// of use (停用) is refused for new cases and gone from the pickers, and its cases stay.
async fn taxonomy_is_data(db: Db) {
    let s = TestServer::start(db).await;
    let (admin, clerk) = (s.login("admin").await, s.login("clerk").await);
    let (st, _) = s
        .post(
            "/api/v1/taxonomy",
            &admin,
            json!({ "category": "城市管理/共享单车" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, e) = s
        .post(
            "/api/v1/taxonomy",
            &admin,
            json!({ "category": "城市管理/共享单车" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("category_exists"))
    );
    for bad in ["共享单车", "<b>x</b>/y", "a/b/c"] {
        let (st, e) = s
            .post("/api/v1/taxonomy", &admin, json!({ "category": bad }))
            .await;
        assert_eq!(
            (st, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("category")),
            "{bad}"
        );
    }
    let c = s
        .new_case(&clerk, json!({ "category": "城市管理/共享单车" }))
        .await;
    assert_eq!(c["category"], "城市管理/共享单车");
    let (_, cats) = s.get("/api/v1/categories", &clerk).await;
    assert!(
        cats.as_array()
            .unwrap()
            .iter()
            .any(|x| x["category"] == "城市管理/共享单车")
    );
    // Taken out of use.
    let (st, _) = s
        .call(
            "PATCH",
            "/api/v1/taxonomy",
            Some(&admin),
            Some(json!({ "category": "城市管理/共享单车", "disabled": true })),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, cats) = s.get("/api/v1/categories", &clerk).await;
    assert!(
        !cats
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["category"] == "城市管理/共享单车")
    );
    let (st, e) = s
        .post(
            "/api/v1/cases",
            &clerk,
            json!({ "description": "共享单车乱停放堵住了小区门口", "nature": "complaint", "category": "城市管理/共享单车",
                    "reporter": { "name": "钱女士", "phone": "13700001111" },
                    "location": { "address": "金桥社区东门", "region": s.community(0).0 } }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("category"))
    );
    assert!(
        e["error"]["message"].as_str().unwrap().contains("已停用"),
        "{e}"
    );
    let (_, l) = s
        .get("/api/v1/cases?category=城市管理/共享单车", &clerk)
        .await;
    assert_eq!(l["total"], 1, "the earlier case keeps its category");
    let (st, _) = s.get("/api/v1/taxonomy", &clerk).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, all) = s.get("/api/v1/taxonomy", &admin).await;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|x| x["category"] == "城市管理/共享单车" && x["disabled"] == true)
    );
    s.shutdown().await;
}
on_both!(the_taxonomy_is_edited_as_data, taxonomy_is_data);
