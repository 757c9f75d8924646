//! The API's guarantees over HTTP on both backends: errors with the right status that change
//! nothing, optimistic concurrency, data scope, authentication, lists and search.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn case_count(s: &TestServer) -> i64 {
    s.store.count_cases().await.unwrap()
}

async fn snapshot(s: &TestServer, token: &str, c: &Value) -> (Value, usize) {
    let v = s.case(token, c).await;
    let n = s.events(token, c).await.len();
    (v, n)
}

async fn bad_input(db: Db) {
    let s = TestServer::start_with(
        db,
        web::WebConfig {
            body_limit: 64 * 1024,
            ..Default::default()
        },
    )
    .await;
    let clerk = s.login("clerk").await;
    let before = case_count(&s).await;
    let url = format!("{}/api/v1/cases", s.base);
    // Malformed JSON: 400.
    let r = s
        .http
        .post(&url)
        .bearer_auth(&clerk)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "malformed_json");
    // Over the body limit: 413.
    let big = json!({ "description": "长".repeat(40_000) }).to_string();
    let r = s
        .http
        .post(&url)
        .bearer_auth(&clerk)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Missing and wrong fields: 422 naming the field.
    let (community, _) = s.community(0);
    let good = json!({ "description": "路灯坏了", "nature": "help", "reporter": { "name": "张", "phone": "13800001111" }, "location": { "address": "金桥路", "region": community } });
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "description": null }), "description"),
        (json!({ "nature": "angry" }), "nature"),
        (json!({ "nature": 3 }), "nature"),
        (json!({ "reporter": { "name": "张" } }), "reporter.phone"),
        (
            json!({ "reporter": { "name": "张", "phone": "call me" } }),
            "reporter.phone",
        ),
        (
            json!({ "location": { "address": "x", "region": "999999" } }),
            "location.region",
        ),
        (
            json!({ "location": { "address": "x", "region": community, "lat": 123.0 } }),
            "location.lat",
        ),
        (json!({ "reported_at": "2026-13-45" }), "reported_at"),
        (json!({ "reported_at": "2030-01-01" }), "reported_at"),
        (json!({ "urgency": "very" }), "urgency"),
        (json!({ "title": "题".repeat(201) }), "title"),
        (json!({ "category": "没有斜杠" }), "category"),
    ];
    for (patch, field) in cases {
        let mut body = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, e) = s.post("/api/v1/cases", &clerk, body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {e}");
        assert_eq!(e["error"]["field"], field, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field));
    }
    let (st, _) = s.post("/api/v1/cases", &clerk, json!([1, 2])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        case_count(&s).await,
        before,
        "no bad request created a case"
    );
    // The good body works, and Chinese labels are accepted for enumerations.
    let mut ok = good.clone();
    ok["nature"] = json!("求助");
    ok["urgency"] = json!("紧急");
    let (st, c) = s.post("/api/v1/cases", &clerk, ok).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(
        (
            c["nature"].as_str(),
            c["urgency"].as_str(),
            c["urgency_label"].as_str()
        ),
        (Some("help"), Some("urgent"), Some("紧急"))
    );
    assert_eq!(c["title"], "路灯坏了", "title derived from the description");
    assert!(
        !c["category"].as_str().unwrap().is_empty(),
        "triage fills the category"
    );
    // Transitions: bad bodies change nothing.
    let (snap, n) = snapshot(&s, &clerk, &c).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/transitions");
    for (body, status, field) in [
        (
            json!({ "action": "accept" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("version"),
        ),
        (
            json!({ "action": "accept", "version": "one" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("version"),
        ),
        (
            json!({ "action": "fly", "version": 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("action"),
        ),
        (
            json!({ "action": "reject", "version": 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reason"),
        ),
        (
            json!({ "action": "reject", "version": 1, "reason": 5 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reason"),
        ),
    ] {
        let (st, e) = s.post(&path, &clerk, body.clone()).await;
        assert_eq!(st, status, "{body}: {e}");
        assert_eq!(e["error"]["field"].as_str(), field, "{e}");
    }
    let r = s
        .http
        .post(format!("{}{path}", s.base))
        .bearer_auth(&clerk)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(snapshot(&s, &clerk, &c).await, (snap, n), "nothing changed");
    // Unknown and malformed ids: 404.
    for bad in ["0190a0a0-0000-7000-8000-000000000000", "not-a-uuid"] {
        let (st, _) = s.get(&format!("/api/v1/cases/{bad}"), &clerk).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{bad}/transitions"),
                &clerk,
                json!({ "action": "accept", "version": 1 }),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    // Bad list filters: 422 naming the parameter.
    for (q, field) in [
        ("status=open", "status"),
        ("page_size=1000", "page_size"),
        ("from=yesterday", "from"),
        ("due=soon", "due"),
        ("page=0", "page"),
    ] {
        let (st, e) = s.get(&format!("/api/v1/cases?{q}"), &clerk).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(e["error"]["field"], field);
    }
    s.shutdown().await;
}
on_both!(bad_input_is_refused_and_changes_nothing, bad_input);

async fn versions_and_states(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp, handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let c = s.new_case(&clerk, json!({})).await;
    let c1 = s.act(&clerk, &c, "accept", json!({})).await;
    // A stale version gets 409 whatever else is wrong with the request.
    let (snap, n) = snapshot(&s, &clerk, &c1).await;
    for body in [
        json!({ "action": "accept" }),
        json!({ "action": "no-such-action" }),
        json!({ "action": "sign" }),
    ] {
        let (st, e) = s
            .try_act(&disp, &c, body["action"].as_str().unwrap(), json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        assert_eq!(e["error"]["code"], "stale_version");
        assert_eq!(e["error"]["details"]["current_version"], c1["version"]);
    }
    assert_eq!(snapshot(&s, &clerk, &c1).await, (snap.clone(), n));
    // Not allowed from this status: 422 listing what is allowed; nothing changes.
    let (st, e) = s
        .try_act(
            &clerk,
            &c1,
            "follow_up",
            json!({ "satisfaction": "satisfied", "resolved": true }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "transition_not_allowed");
    assert_eq!(
        e["error"]["details"]["allowed"],
        json!([
            "reject",
            "answer",
            "dispatch",
            "supervise",
            "urge",
            "escalate",
            "merge"
        ])
    );
    assert_eq!(snapshot(&s, &clerk, &c1).await, (snap, n));
    // Wrong role: 403.
    let supervisor = s.login("supervisor").await;
    let (st, e) = s
        .try_act(&supervisor, &c1, "dispatch", json!({ "unit": "cgj" }))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("派单"),
        "{e}"
    );
    // A handler cannot even see an undispatched case: 404, not 403.
    let (st, _) = s
        .try_act(&handler, &c1, "dispatch", json!({ "unit": "cgj" }))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let admin = s.login("admin").await;
    let (st, e) = s
        .try_act(&admin, &c1, "dispatch", json!({ "unit": "cgj" }))
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "admin configures but does not handle: {e}"
    );
    let leader = s.login("leader").await;
    let (st, _) = s.try_act(&leader, &c1, "urge", json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Unknown dispatch target: 422 naming it.
    let (st, e) = s
        .try_act(&disp, &c1, "dispatch", json!({ "unit": "nosuch" }))
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unit"))
    );
    let (st, e) = s
        .try_act(
            &disp,
            &c1,
            "dispatch",
            json!({ "unit": "cgj", "co_units": ["cgj"] }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("co_units"))
    );
    s.shutdown().await;
}
on_both!(stale_versions_and_invalid_transitions, versions_and_states);

/// Two transitions with the same version at the same time: exactly one wins.
async fn concurrent(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    for round in 0..5 {
        let c = s.new_case(&clerk, json!({})).await;
        let c = s.act(&clerk, &c, "accept", json!({})).await;
        let a = s.try_act(&disp, &c, "dispatch", json!({ "unit": "cgj" }));
        let b = s.try_act(&clerk, &c, "reject", json!({ "reason": "重复" }));
        let ((sa, va), (sb, vb)) = tokio::join!(a, b);
        let mut statuses = [sa, sb];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}: {va} / {vb}"
        );
        let now = s.case(&disp, &c).await;
        assert_eq!(now["version"], c["version"].as_i64().unwrap() + 1);
        let events = s.events(&disp, &c).await;
        assert_eq!(events.len(), 3, "register, accept and exactly one winner");
        let winner = if sa == StatusCode::OK {
            "dispatched"
        } else {
            "rejected"
        };
        assert_eq!(now["status"], winner);
    }
    s.shutdown().await;
}
on_both!(concurrent_transitions_one_wins, concurrent);

/// Many transitions at once, on different cases and stale copies of them: they are committed
/// together (one transaction, a savepoint each), so this checks that a stale one is undone
/// alone, the fresh ones all land with their events, and the cockpit's counters stay equal to a
/// recount.
async fn batched(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, admin) = (s.login("clerk").await, s.login("admin").await);
    let mut cases = vec![];
    for _ in 0..12 {
        cases.push(s.new_case(&clerk, json!({})).await);
    }
    // Each case accepted twice with the same version, all 24 requests in flight together.
    let calls: Vec<_> = cases
        .iter()
        .flat_map(|c| [c.clone(), c.clone()])
        .map(|c| {
            let (http, base, token) = (s.http.clone(), s.base.clone(), clerk.clone());
            tokio::spawn(async move {
                let r = http
                    .post(format!(
                        "{base}/api/v1/cases/{}/transitions",
                        c["id"].as_str().unwrap()
                    ))
                    .bearer_auth(token)
                    .json(&json!({ "action": "accept", "version": c["version"] }))
                    .send()
                    .await
                    .unwrap();
                let st = r.status();
                (st, r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut results = vec![];
    for h in calls {
        results.push(h.await.unwrap());
    }
    for (i, c) in cases.iter().enumerate() {
        let mut statuses = [results[2 * i].0, results[2 * i + 1].0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "case {i}: {} / {}",
            results[2 * i].1,
            results[2 * i + 1].1
        );
        let now = s.case(&clerk, c).await;
        assert_eq!(now["version"], c["version"].as_i64().unwrap() + 1);
        assert_eq!(now["status"], "accepted");
        assert_eq!(
            s.events(&clerk, c).await.len(),
            2,
            "register and one accept"
        );
    }
    for q in ["", "from=2026-01-01&to=2026-12-31"] {
        let (_, fast) = s.get(&format!("/api/v1/stats/cockpit?{q}"), &admin).await;
        let (_, slow) = s
            .get(&format!("/api/v1/stats/cockpit?{q}&recount=true"), &admin)
            .await;
        assert_eq!(fast, slow, "cockpit {q}");
    }
    s.shutdown().await;
}
on_both!(batched_transitions_commit_each_alone, batched);

async fn scope(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let (street_h, street2_h, handler, leader) = (
        s.login("street_handler").await,
        s.login("street2_handler").await,
        s.login("handler").await,
        s.login("leader").await,
    );
    let (_, street) = s.community(0);
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s
        .act(
            &disp,
            &c,
            "dispatch",
            json!({ "unit": "cgj", "co_units": [street] }),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    // Another street's handler: 404 for reading, for the timeline and for acting.
    for path in [
        format!("/api/v1/cases/{id}"),
        format!("/api/v1/cases/{id}/events"),
    ] {
        let (st, _) = s.get(&path, &street2_h).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (st, _) = s.try_act(&street2_h, &c, "sign", json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, l) = s.get("/api/v1/cases", &street2_h).await;
    assert!(
        l["items"].as_array().unwrap().iter().all(|x| x["id"] != id),
        "not listed for another street"
    );
    // The street of the address sees it (co-unit) but may not sign for the main unit.
    let (st, v) = s.get(&format!("/api/v1/cases/{id}"), &street_h).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["allowed_actions"], json!([]));
    let (st, _) = s.try_act(&street_h, &c, "sign", json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The assigned department sees it with its actions; the leader sees it read-only, phone masked.
    let (_, v) = s.get(&format!("/api/v1/cases/{id}"), &handler).await;
    assert_eq!(v["allowed_actions"], json!(["sign", "return"]));
    assert_eq!(v["reporter"]["phone"], "13812341234");
    let (st, v) = s.get(&format!("/api/v1/cases/{id}"), &leader).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["reporter"]["phone"], "138****1234");
    assert_eq!(v["allowed_actions"], json!([]));
    // A citizen sees only their own cases.
    let citizen = s.login("citizen").await;
    let (st, _) = s.get(&format!("/api/v1/cases/{id}"), &citizen).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // (A citizen leaves category, urgency and source to the center: see tests/case_fields.rs.)
    let mine = s
        .new_case(
            &citizen,
            json!({ "source": null, "category": null, "urgency": null }),
        )
        .await;
    assert_eq!(mine["source"], "web");
    let (_, l) = s.get("/api/v1/cases", &citizen).await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["id"], mine["id"]);
    s.shutdown().await;
}
on_both!(data_scope, scope);

async fn auth(db: Db) {
    let s = TestServer::start(db).await;
    // Missing and forged tokens: 401 with a WWW-Authenticate challenge.
    let r = s
        .http
        .get(format!("{}/api/v1/cases", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let (st, _) = s.get("/api/v1/cases", "forged-token").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = s.get("/api/v1/cases", "owk_forged").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Logout ends the session.
    let t = s.login("clerk").await;
    let (st, me) = s.get("/api/v1/auth/me", &t).await;
    assert_eq!(
        (st, me["role"].as_str(), me["unit"].as_str()),
        (StatusCode::OK, Some("clerk"), Some("330188"))
    );
    let (st, _) = s.call("POST", "/api/v1/auth/logout", Some(&t), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.get("/api/v1/auth/me", &t).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Repeated failures are throttled, even with the right password afterwards; the count lives in
    // the database.
    for _ in 0..5 {
        let (st, _) = s
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({ "username": "handler", "password": "wrong-password" })),
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, e) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": "handler", "password": common::PASSWORD })),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{e}");
    s.clock.advance(16 * 60_000);
    s.login("handler").await;
    // An API key works for intake and sees only its own cases.
    let key = s.app.create_api_key("city-app").await.unwrap();
    let c = s.new_case(&key, json!({ "source": "app" })).await;
    let (_, l) = s.get("/api/v1/cases", &key).await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["id"], c["id"]);
    // English errors on request.
    let r = s
        .http
        .get(format!("{}/api/v1/cases", s.base))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not signed in"),
        "{v}"
    );
    s.shutdown().await;
}
on_both!(authentication, auth);

async fn lists(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let (c2, _) = s.community(1);
    let a = s.new_case(&clerk, json!({})).await;
    let b = s.new_case(&clerk, json!({ "title": "楼上装修噪声扰民", "description": "楼上住户装修电钻声音很大，中午和晚上都在施工。", "nature": "complaint", "category": "环境保护/噪声污染", "location": { "address": "东湖路1号", "region": c2 } })).await;
    let c = s.new_case(&clerk, json!({ "title": "咨询社保缴纳", "description": "灵活就业人员社保怎么缴纳？", "nature": "consult", "category": "劳动社保/社保缴纳", "reporter": { "name": "赵", "phone": "13700002222" } })).await;
    let total = |v: &Value| v["total"].as_u64().unwrap();
    let ids = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (_, all) = s.get("/api/v1/cases", &disp).await;
    assert_eq!(total(&all), 3);
    // Free text over Chinese: whole words, fragments of them, and no match.
    for (q, want) in [
        ("占道经营", &a),
        ("占道", &a),
        ("装修噪声", &b),
        ("社保", &c),
        ("电钻", &b),
    ] {
        let (st, v) = s.get(&format!("/api/v1/cases?q={q}"), &disp).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            ids(&v),
            vec![want["id"].as_str().unwrap().to_string()],
            "q={q}"
        );
    }
    let (_, v) = s
        .get(
            &format!("/api/v1/cases?q={}", c["number"].as_str().unwrap()),
            &disp,
        )
        .await;
    assert_eq!(
        ids(&v),
        vec![c["id"].as_str().unwrap().to_string()],
        "a case number in the search box"
    );
    let (_, v) = s.get("/api/v1/cases?q=火箭发射", &disp).await;
    assert_eq!(total(&v), 0);
    // Totals: the district's dispatcher with only words counts in the index alone; with a
    // filter the count checks each case.
    for (q, want) in [
        ("装修", 1),
        ("装修&nature=complaint", 1),
        ("装修&nature=consult", 0),
        ("社保&status=closed", 0),
    ] {
        let (_, v) = s.get(&format!("/api/v1/cases?q={q}"), &disp).await;
        assert_eq!(total(&v), want, "q={q}: {v}");
    }
    let (_, v) = s.get("/api/v1/cases?q=吵", &disp).await;
    assert_eq!(
        total(&v),
        0,
        "single-character fallback is a substring match"
    );
    // A single character found in a description only (not in any title).
    let (_, v) = s.get("/api/v1/cases?q=钻", &disp).await;
    assert_eq!(ids(&v), vec![b["id"].as_str().unwrap().to_string()], "q=钻");
    // Filters.
    let (_, v) = s.get("/api/v1/cases?nature=consult", &disp).await;
    assert_eq!(ids(&v), vec![c["id"].as_str().unwrap().to_string()]);
    let (_, v) = s.get("/api/v1/cases?category=环境保护", &disp).await;
    assert_eq!(total(&v), 1);
    let (_, v) = s.get(&format!("/api/v1/cases?region={c2}"), &disp).await;
    assert_eq!(total(&v), 1);
    let (_, v) = s.get("/api/v1/cases?phone=13700002222", &disp).await;
    assert_eq!(total(&v), 1);
    let (_, v) = s
        .get(
            &format!("/api/v1/cases?number={}", a["number"].as_str().unwrap()),
            &disp,
        )
        .await;
    assert_eq!(total(&v), 1);
    let (_, v) = s
        .get(
            "/api/v1/cases?from=2026-11-24&to=2026-11-24&status=registered",
            &disp,
        )
        .await;
    assert_eq!(total(&v), 3);
    let (_, v) = s.get("/api/v1/cases?from=2026-11-25", &disp).await;
    assert_eq!(total(&v), 0);
    // Stable paging: pages of one, in number order, cover everything once.
    let mut seen = vec![];
    for page in 1..=4 {
        let (_, v) = s
            .get(
                &format!("/api/v1/cases?page_size=1&page={page}&sort=-number"),
                &disp,
            )
            .await;
        assert_eq!(total(&v), 3);
        seen.extend(ids(&v));
    }
    assert_eq!(seen.len(), 3);
    let (_, first) = s.get("/api/v1/cases?page_size=1&sort=-number", &disp).await;
    assert_eq!(first["items"][0]["id"], c["id"]);
    // Time: dispatched today, the sign clock runs out at the end of tomorrow.
    let a = s.act(&clerk, &a, "accept", json!({})).await;
    s.act(&disp, &a, "dispatch", json!({ "unit": "cgj" })).await;
    let (_, v) = s.get("/api/v1/cases?due=overdue", &disp).await;
    assert_eq!(total(&v), 0);
    s.clock.set(common::T0 + 36 * 3_600_000); // Wednesday 22:00: 临期
    let disp = s.login("dispatcher").await;
    let (_, v) = s.get("/api/v1/cases?due=near", &disp).await;
    assert_eq!(ids(&v), vec![a["id"].as_str().unwrap().to_string()]);
    assert_eq!(v["items"][0]["due_state"], "near");
    s.clock.set(common::T0 + 40 * 3_600_000); // Thursday 02:00: 超期
    let (_, v) = s.get("/api/v1/cases?due=overdue", &disp).await;
    assert_eq!(ids(&v), vec![a["id"].as_str().unwrap().to_string()]);
    assert_eq!(v["items"][0]["due_state"], "overdue");
    s.shutdown().await;
}
on_both!(lists_filters_search_and_paging, lists);

/// A search in the default order is walked in the full-text index newest first and stops after
/// the page: the newest match comes first, pages do not overlap, and a filter still applies.
async fn search_newest_first(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let mut made = vec![];
    for (i, nature) in ["complaint", "consult", "complaint"].iter().enumerate() {
        s.clock.set(common::T0 + i as i64 * 60_000);
        let c = s.new_case(&clerk, json!({ "title": format!("夜间施工噪声扰民{i}"), "description": "工地夜间施工噪声很大，影响休息。", "nature": nature })).await;
        made.push(c["id"].as_str().unwrap().to_string());
    }
    s.new_case(&clerk, json!({ "title": "咨询社保缴纳", "description": "灵活就业人员社保怎么缴纳？", "nature": "consult" })).await;
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    let (st, v) = s.get("/api/v1/cases?q=施工噪声", &disp).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(ids(&v), newest_first);
    assert_eq!(v["total"], 3);
    let mut paged = vec![];
    for page in 1..=3 {
        let (_, v) = s
            .get(
                &format!("/api/v1/cases?q=施工噪声&page_size=1&page={page}"),
                &disp,
            )
            .await;
        assert_eq!(v["total"], 3, "page {page}: {v}");
        paged.extend(ids(&v));
    }
    assert_eq!(paged, newest_first, "pages of one, newest first, each once");
    let (_, v) = s
        .get("/api/v1/cases?q=施工噪声&nature=complaint", &disp)
        .await;
    assert_eq!(ids(&v), vec![made[2].clone(), made[0].clone()]);
    assert_eq!(v["total"], 2);
    let (_, v) = s
        .get("/api/v1/cases?q=施工噪声&sort=reported_at", &disp)
        .await;
    assert_eq!(ids(&v), made, "another order is sorted, not walked");
    s.shutdown().await;
}
on_both!(search_lists_newest_first, search_newest_first);

/// The search index refers to case rows by their `seq`; VACUUM, which may renumber an implicit
/// rowid after rows went missing, keeps it, so search still finds the right cases.
#[tokio::test]
async fn search_survives_vacuum_after_a_gap() {
    use sqlx::Connection;
    let s = TestServer::start(Db::Sqlite).await;
    let clerk = s.login("clerk").await;
    let disp = s.login("dispatcher").await;
    let first = s.new_case(&clerk, json!({})).await;
    s.new_case(&clerk, json!({ "title": "咨询社保缴纳", "description": "灵活就业人员社保怎么缴纳？", "nature": "consult" })).await;
    let last = s.new_case(&clerk, json!({ "title": "楼上装修噪声扰民", "description": "楼上住户装修电钻声音很大。", "nature": "complaint" })).await;
    let path = s.sqlite_path().unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let id: uuid::Uuid = first["id"].as_str().unwrap().parse().unwrap();
    sqlx::query("DELETE FROM cases WHERE id = $1")
        .bind(id)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("VACUUM").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let (st, v) = s.get("/api/v1/cases?q=电钻", &disp).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let found: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, vec![last["id"].as_str().unwrap()]);
    s.shutdown().await;
}

async fn public_endpoints(db: Db) {
    let s = TestServer::start(db).await;
    let r = s
        .http
        .get(format!("{}/api/v1/units", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let units: Vec<Value> = r.json().await.unwrap();
    assert_eq!(units.iter().filter(|u| u["level"] == "street").count(), 12);
    assert!(units.iter().filter(|u| u["level"] == "community").count() >= 180);
    assert!(units.iter().any(|u| u["code"] == "cgj"
        && u["name"] == "城管局"
        && u["kind"] == "department"
        && u["parent"] == "330188"));
    let r = s
        .http
        .get(format!("{}/api/v1/openapi.json", s.base))
        .send()
        .await
        .unwrap();
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/events",
        "/api/v1/cases/{id}/transitions",
        "/api/v1/auth/login",
        "/api/v1/triage",
        "/api/v1/units",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} documented");
    }
    assert!(doc["components"]["schemas"]["CaseView"].is_object());
    let r = s
        .http
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let m = s
        .http
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("onewindow_http_requests_total"), "{m}");
    let (st, _) = s.call("GET", "/api/v1/nope", None, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Triage suggestions.
    let clerk = s.login("clerk").await;
    let (st, t) = s
        .post(
            "/api/v1/triage",
            &clerk,
            json!({ "text": "工地老板拖欠我们农民工工资三个月了，再不给我们就去市政府拉横幅" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["category"], "劳动社保/拖欠工资");
    assert_eq!(t["unit"], "rsj");
    assert!(t["candidates"].as_array().unwrap().len() >= 3);
    assert_ne!(t["risk"]["level"], "none");
    s.shutdown().await;
}
on_both!(public_and_operational_endpoints, public_endpoints);
