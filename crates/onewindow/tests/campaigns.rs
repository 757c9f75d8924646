//! Visit campaigns over HTTP on both backends (issue 21, item 1): a campaign of a few hundred
//! visits gives the right summary (households and enterprises counted once however often they
//! were visited, problems found as cases with source `visit`), solving its cases moves the solved
//! rate, and a case past its deadline counts as overdue; who may, and the checks.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

async fn summary(s: &TestServer, token: &str, id: &str) -> Value {
    let (st, v) = s
        .get(&format!("/api/v1/campaigns/{id}/summary"), token)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

async fn campaign_walk(db: Db) {
    let s = TestServer::start(db).await;
    let (sup, cadre) = (
        s.login("supervisor").await,
        s.login("community_clerk").await,
    );
    let (community, street) = s.community(0);
    let (_, street2) = s.community(1);
    let body = json!({ "name": "大走访大排查", "starts_on": "2026-11-01", "ends_on": "2026-12-31",
        "units": [{ "unit": street, "households": 200, "enterprises": 30 },
                  { "unit": street2, "households": 150, "enterprises": 20 }] });
    let (st, _) = s.post("/api/v1/campaigns", &cadre, body.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let mut bad = body.clone();
    bad["units"][1]["households"] = json!(-1);
    let (st, v) = s.post("/api/v1/campaigns", &sup, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("units[1].households")
        )
    );
    let (st, c) = s.post("/api/v1/campaigns", &sup, body).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let visits = format!("/api/v1/campaigns/{id}/visits");

    // 240 visits by the community's cadre: 180 households (150 distinct: 30 visited twice), 60
    // enterprises (20 distinct, three visits each); 12 problems found on household visits.
    let mut cases: Vec<Value> = Vec::new();
    for i in 0..240usize {
        let (kind, n) = if i < 180 {
            ("household", i % 150)
        } else {
            ("enterprise", i % 20)
        };
        let mut v = json!({ "subject": { "kind": kind, "name": format!("{}{n}", if kind == "household" { "住户" } else { "企业" }),
                                         "address": format!("金桥社区{n}号"), "community": community, "contact": "13700000000" },
                            "visited_at": "2026-11-20", "found": "了解生产生活情况，无异常" });
        if i < 12 {
            v["found"] = json!("反映楼道灯不亮");
            v["problems"] = json!([{ "title": format!("楼道灯不亮（{i}）"), "description": format!("走访发现：{n}号楼道灯坏了一个多月，老人晚上出行不便"), "category": "城市管理/市容环境" }]);
        }
        let (st, r) = s.post(&visits, &cadre, v).await;
        assert_eq!(st, StatusCode::OK, "{i}: {r}");
        if let Some(p) = r["problems"].as_array().and_then(|l| l.first()) {
            cases.push(p.clone());
        }
    }
    assert_eq!(cases.len(), 12);
    // The problems are cases with source `visit`, routed like any.
    let (_, c0) = s
        .get(
            &format!("/api/v1/cases/{}", cases[0]["case_id"].as_str().unwrap()),
            &sup,
        )
        .await;
    assert_eq!(c0["source"], "visit", "{c0}");

    // Checks: outside the campaign's period; a unit not taking part; neither subject nor id.
    let (st, v) = s
        .post(&visits, &cadre, json!({ "subject": { "kind": "household", "name": "住户1", "address": "金桥社区1号" }, "visited_at": "2026-10-20", "found": "x" }))
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("visited_at")),
        "{v}"
    );
    let (st, v) = s.post(&visits, &cadre, json!({ "found": "x" })).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("subject")),
        "{v}"
    );
    // A problem with no phone anywhere (the new household has none on record) is refused before
    // anything is written: no registry entry, no case.
    let (st, v) = s
        .post(&visits, &cadre, json!({ "subject": { "kind": "household", "name": "新住户", "address": "金桥社区999号", "community": community },
            "visited_at": "2026-11-21", "found": "反映噪声", "problems": [{ "title": "噪声", "description": "夜间施工噪声扰民" }] }))
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("problems[0].phone")),
        "{v}"
    );
    let handler = s.login("handler").await;
    let (st, _) = s
        .post(&visits, &handler, json!({ "subject": { "kind": "household", "name": "住户1", "address": "金桥社区1号" }, "found": "x" }))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "城管局 does not take part");

    let sum = summary(&s, &sup, &id).await;
    let t = &sum["totals"];
    assert_eq!(
        (
            t["visits"].as_i64(),
            t["households"].as_i64(),
            t["enterprises"].as_i64()
        ),
        (Some(240), Some(150), Some(20)),
        "{sum}"
    );
    assert_eq!(
        (
            t["problems"].as_i64(),
            t["solved"].as_i64(),
            t["overdue"].as_i64()
        ),
        (Some(12), Some(0), Some(0))
    );
    assert_eq!(
        (
            t["households_target"].as_i64(),
            t["enterprises_target"].as_i64()
        ),
        (Some(350), Some(50))
    );
    let u0 = &sum["units"][0];
    assert_eq!(u0["unit"], street.as_str());
    assert_eq!(
        (u0["households"].as_i64(), u0["households_rate"].as_f64()),
        (Some(150), Some(0.75))
    );
    assert_eq!(
        sum["units"][1]["households"], 0,
        "the other street visited nobody"
    );

    // Two problems are solved (dispatched, signed, resolved); a third is dispatched and left.
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    for (n, p) in cases.iter().take(3).enumerate() {
        let (_, c) = s
            .get(
                &format!("/api/v1/cases/{}", p["case_id"].as_str().unwrap()),
                &clerk,
            )
            .await;
        let c = s.act(&clerk, &c, "accept", json!({})).await;
        let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
        if n < 2 {
            let c = s.act(&handler, &c, "sign", json!({})).await;
            s.act(
                &handler,
                &c,
                "resolve",
                json!({ "reply": "已更换灯具", "outcome": "resolved" }),
            )
            .await;
        }
    }
    let t = summary(&s, &sup, &id).await["totals"].clone();
    assert_eq!(
        (t["solved"].as_i64(), t["solved_rate"].as_f64()),
        (Some(2), Some(0.1667)),
        "{t}"
    );
    // Weeks later the third is past its sign-for deadline: overdue.
    s.clock.advance(10 * DAY);
    let sup = s.login("supervisor").await;
    let t = summary(&s, &sup, &id).await["totals"].clone();
    assert_eq!(t["overdue"], 1, "{t}");
    // The registry: the community's households and enterprises, each once.
    let cadre = s.login("community_clerk").await;
    let (st, reg) = s.get("/api/v1/visit-subjects", &cadre).await;
    assert_eq!(st, StatusCode::OK, "{reg}");
    assert_eq!(reg.as_array().unwrap().len(), 170);

    // The campaign's figures on the 红黄黑榜: coverage 170 of 230 targeted, 2 of 12 problems solved.
    let admin = s.login("admin").await;
    let (_, mut rules) = s.get("/api/v1/boards/rules", &admin).await;
    rules["metrics"] = json!([{ "name": "visit_coverage", "weight": 50 }, { "name": "visit_solved", "weight": 50 }]);
    let (st, v) = s
        .call("PUT", "/api/v1/boards/rules", Some(&admin), Some(rules))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, b) = s
        .post(
            "/api/v1/boards/compute",
            &admin,
            json!({ "period": "2026-11" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let entry = b["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["entries"].as_array().unwrap())
        .find(|e| e["unit"] == street.as_str())
        .unwrap();
    assert_eq!(entry["metrics"]["visit_coverage"], json!(0.7391), "{entry}");
    assert_eq!(entry["metrics"]["visit_solved"], json!(0.1667), "{entry}");
    s.shutdown().await;
}
on_both!(campaign_summary, campaign_walk);
