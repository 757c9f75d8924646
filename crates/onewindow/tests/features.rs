//! Portal, queues, cockpit, export, related cases, catalogue and administration over HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use seed::DemoSeed as _;
use serde_json::{Value, json};

async fn portal(db: Db) {
    let s = TestServer::start(db).await;
    // This test walks the manual path; automatic dispatch is covered in intake.rs.
    let admin = s.login("admin").await;
    let (st, _) = s
        .call(
            "PUT",
            "/api/v1/triage/settings",
            Some(&admin),
            Some(json!({ "auto_dispatch": false })),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (community, _) = s.community(0);
    let body = json!({ "description": "小区路灯坏了一个月了，晚上很黑，老人出门不安全。", "nature": "求助", "reporter": { "name": "陈阿姨", "phone": "13955556666" }, "location": { "address": "金桥花园5幢", "region": community } });
    let (st, r) = s
        .call("POST", "/api/v1/portal/cases", None, Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let number = r["number"].as_str().unwrap().to_string();
    assert!(r["message"].as_str().unwrap().contains(&number));
    // Validation is the same as for staff.
    let (st, e) = s
        .call(
            "POST",
            "/api/v1/portal/cases",
            None,
            Some(json!({ "description": "x", "nature": "help" })),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reporter"))
    );
    // Tracking needs the right phone; a wrong one looks like an unknown number.
    let track = |phone: &'static str| {
        let path = format!("/api/v1/portal/cases/{number}?phone={phone}");
        let s = &s;
        async move { s.call("GET", &path, None, None).await }
    };
    let (st, t) = track("13955556666").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(
        (t["status"].as_str(), t["can_rate"].as_bool()),
        (Some("registered"), Some(false))
    );
    let (st, e) = track("13900000000").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st2, e2) = s
        .call(
            "GET",
            "/api/v1/portal/cases/2026-999999?phone=13955556666",
            None,
            None,
        )
        .await;
    assert_eq!((st2, &e2), (StatusCode::NOT_FOUND, &e), "indistinguishable");
    // Staff handle it; the citizen rates it; the case closes.
    let (clerk, disp, h) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let (_, l) = s
        .get(&format!("/api/v1/cases?number={number}"), &clerk)
        .await;
    let c = l["items"][0].clone();
    assert_eq!(c["source"], "web");
    let (st, _) = s
        .call(
            "POST",
            &format!("/api/v1/portal/cases/{number}/rating"),
            None,
            Some(json!({ "phone": "13955556666", "satisfaction": "satisfied", "resolved": true })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "not resolved yet");
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&h, &c, "sign", json!({})).await;
    s.act(
        &h,
        &c,
        "resolve",
        json!({ "reply": "路灯已修复。", "outcome": "resolved" }),
    )
    .await;
    let (_, t) = track("13955556666").await;
    assert_eq!(
        (
            t["status"].as_str(),
            t["can_rate"].as_bool(),
            t["reply"].as_str()
        ),
        (Some("resolved"), Some(true), Some("路灯已修复。"))
    );
    let labels: Vec<&str> = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "已登记",
            "已受理",
            "已派至承办单位",
            "承办单位已签收",
            "已办结答复"
        ]
    );
    let (st, t) = s.call("POST", &format!("/api/v1/portal/cases/{number}/rating"), None, Some(json!({ "phone": "13955556666", "satisfaction": "satisfied", "resolved": true, "comment": "谢谢" }))).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["status"], "closed");
    s.shutdown().await;
}
on_both!(public_portal_submit_track_rate, portal);

async fn queues_cockpit_export(db: Db) {
    let s = TestServer::start(db).await;
    s.app.seed_cases(400, 7, 200).await.unwrap();
    let (clerk, disp, h, leader) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("leader").await,
    );
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    // Queues agree with the list.
    let (st, q) = s.get("/api/v1/queues", &disp).await;
    assert_eq!(st, StatusCode::OK, "{q}");
    for (key, filter) in [
        ("registered", "status=registered"),
        ("accepted", "status=accepted"),
        ("dispatched", "status=dispatched"),
        ("in_progress", "status=in_progress"),
        ("resolved", "status=resolved"),
        ("overdue", "due=overdue"),
        ("near", "due=near"),
    ] {
        let (_, l) = s
            .get(&format!("/api/v1/cases?{filter}&page_size=1"), &disp)
            .await;
        assert_eq!(q[key], l["total"], "{key}");
    }
    let (_, hq) = s.get("/api/v1/queues", &h).await;
    let (_, hl) = s
        .get("/api/v1/cases?status=dispatched&unit=cgj&page_size=1", &h)
        .await;
    assert_eq!(
        hq["dispatched"], hl["total"],
        "the handler's queue is its unit's"
    );
    assert!(hq["dispatched"].as_i64().unwrap() >= 1);
    // The cockpit: totals agree with the list for the same period.
    let (st, k) = s
        .get(
            "/api/v1/stats/cockpit?from=2026-01-01&to=2026-11-24",
            &leader,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{k}");
    let (_, l) = s
        .get(
            "/api/v1/cases?from=2026-01-01&to=2026-11-24&page_size=1",
            &leader,
        )
        .await;
    assert_eq!(k["total"], l["total"]);
    let sum = |key: &str| {
        k[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["count"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(sum("by_day"), k["total"].as_i64().unwrap());
    assert_eq!(sum("by_category"), k["total"].as_i64().unwrap());
    assert_eq!(sum("by_street"), k["total"].as_i64().unwrap());
    assert!(
        k["unit_rates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["unit"] == "cgj")
    );
    // 超期 is the workbench's count for the same caller, split by unit.
    let (_, lq) = s.get("/api/v1/queues", &leader).await;
    assert_eq!(k["overdue_now"], lq["overdue"]);
    let listed: i64 = k["overdue_top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["count"].as_i64().unwrap())
        .sum();
    assert_eq!(
        listed + k["overdue_other"].as_i64().unwrap(),
        k["overdue_now"].as_i64().unwrap(),
        "the overdue list adds up to the card"
    );
    let sat = k["satisfaction"].as_array().unwrap();
    assert!(!sat.is_empty() && sat.iter().all(|m| m["rate"].as_f64().unwrap() <= 1.0));
    let street = k["by_street"][0]["unit"].as_str().unwrap().to_string();
    let (_, ks) = s
        .get(
            &format!("/api/v1/stats/cockpit?from=2026-01-01&to=2026-11-24&unit={street}"),
            &leader,
        )
        .await;
    assert_eq!(
        ks["total"], k["by_street"][0]["count"],
        "drill-down to a street"
    );
    let (st, _) = s
        .get(
            "/api/v1/stats/cockpit?from=2026-12-01&to=2026-11-01",
            &leader,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Export: the filter's rows, phones masked for the leader.
    let r = s
        .http
        .get(format!(
            "{}/api/v1/cases/export.csv?category=城市管理",
            s.base
        ))
        .bearer_auth(&leader)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let (_, l) = s
        .get("/api/v1/cases?category=城市管理&page_size=1", &leader)
        .await;
    assert_eq!(
        text.lines().count() as i64 - 1,
        l["total"].as_i64().unwrap()
    );
    assert!(text.starts_with("工单编号,标题"));
    assert!(text.contains("138****1234"), "masked for the leader");
    assert!(!text.contains("13812341234"));
    let r = s
        .http
        .get(format!("{}/api/v1/cases/export.xlsx?status=closed", s.base))
        .bearer_auth(&leader)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let x = r.bytes().await.unwrap();
    assert_eq!(&x[..2], b"PK", "an xlsx is a zip");
    s.shutdown().await;
}
on_both!(queues_cockpit_and_export, queues_cockpit_export);

async fn related_and_catalogue(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp, admin) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("admin").await,
    );
    let a = s.new_case(&clerk, json!({})).await;
    let b = s.new_case(&clerk, json!({})).await;
    let b = s.act(&disp, &b, "merge", json!({ "into": a["id"] })).await;
    let c = s.new_case(&clerk, json!({ "title": "又来反映", "location": { "address": "别处", "region": s.community(3).0 } })).await;
    let (st, r) = s
        .get(
            &format!("/api/v1/cases/{}/related", a["id"].as_str().unwrap()),
            &disp,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["merged"][0]["id"], b["id"]);
    let same: Vec<&Value> = r["same_reporter"].as_array().unwrap().iter().collect();
    assert!(same.iter().any(|x| x["id"] == c["id"]) && same.iter().all(|x| x["id"] != a["id"]));
    let (_, d) = s
        .get(
            &format!(
                "/api/v1/duplicates?phone=13812341234&region={}&address=临江区金桥社区南门",
                s.community(0).0
            ),
            &clerk,
        )
        .await;
    assert!(d.as_array().unwrap().len() >= 3, "{d}");
    // Categories and catalogue.
    let (_, cats) = s.call("GET", "/api/v1/categories", None, None).await;
    assert_eq!(cats.as_array().unwrap().len(), 44);
    assert!(
        cats.as_array()
            .unwrap()
            .iter()
            .any(|x| x["category"] == "水电气/燃气" && x["unit"] == "rqgs")
    );
    let (_, cat) = s.get("/api/v1/catalogue", &disp).await;
    assert_eq!(cat.as_array().unwrap().len(), 44);
    let (_, t) = s.post("/api/v1/triage", &clerk, json!({ "text": "晚上十一点了隔壁工地还在打桩，吵得睡不着", "region": s.community(0).0 })).await;
    assert_eq!(t["category"], "环境保护/噪声污染");
    assert_eq!(t["unit"], "sthjj");
    assert_eq!(t["co_units"], json!([s.community(0).1]));
    // The catalogue is admin data: a region may route a category to its own unit.
    let (_, mut cat) = s.get("/api/v1/catalogue", &admin).await;
    let street2 = s.community(1).1;
    cat.as_array_mut().unwrap().push(json!({ "category": "环境保护/噪声污染", "region": street2, "unit": street2, "co_street": false }));
    let (st, _) = s
        .call("PUT", "/api/v1/catalogue", Some(&disp), Some(cat.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let mut bad = cat.clone();
    bad.as_array_mut()
        .unwrap()
        .push(json!({ "category": "环境保护/噪声污染", "unit": "nowhere" }));
    let (st, e) = s
        .call("PUT", "/api/v1/catalogue", Some(&admin), Some(bad))
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("[45].unit")),
        "{e}"
    );
    let (st, stored) = s
        .call("PUT", "/api/v1/catalogue", Some(&admin), Some(cat))
        .await;
    assert_eq!(st, StatusCode::OK, "{stored}");
    assert_eq!(
        stored.as_array().unwrap().len(),
        45,
        "44 defaults + the street route"
    );
    let (_, t) = s.post("/api/v1/triage", &clerk, json!({ "text": "晚上十一点了隔壁工地还在打桩，吵得睡不着", "region": s.community(1).0 })).await;
    assert_eq!(
        (t["unit"].as_str(), t["co_units"].clone()),
        (Some(street2.as_str()), json!([])),
        "the street's own route wins there"
    );
    // Administration: admin only.
    let (st, _) = s
        .post(
            "/api/v1/users",
            &disp,
            json!({ "username": "x1", "password": "nine ferries at dawn", "role": "clerk", "unit": "330188" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, u) = s.post("/api/v1/users", &admin, json!({ "username": "x1", "password": "nine ferries at dawn", "role": "clerk", "unit": "330188", "name": "新受理员" })).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let (st, _) = s
        .post(
            "/api/v1/users",
            &admin,
            json!({ "username": "x1", "password": "nine ferries at dawn", "role": "clerk", "unit": "330188" }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, e) = s
        .post(
            "/api/v1/users",
            &admin,
            json!({ "username": "x2", "password": "short", "role": "clerk", "unit": "330188" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password"))
    );
    let (_, users) = s.get("/api/v1/users", &admin).await;
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "x1" && u["name"] == "新受理员")
    );
    let (st, u) = s.post("/api/v1/units", &admin, json!({ "code": "330188001099", "name": "新建社区", "level": "community", "kind": "hub", "parent": "330188001", "region": "330188001099" })).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    let (st, e) = s.post("/api/v1/units", &admin, json!({ "code": "330188001", "name": "x", "level": "street", "kind": "hub", "parent": "330188001099", "region": "330188001" })).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("parent")),
        "no cycles"
    );
    let (_, units) = s.call("GET", "/api/v1/units", None, None).await;
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["code"] == "330188001099")
    );
    s.shutdown().await;
}
on_both!(related_cases_catalogue_and_admin, related_and_catalogue);
