//! 人民调解 over HTTP on both backends (issue 20, item 5): a neighbours' dispute from application to
//! a written agreement, the 30-day window for 司法确认 found when it nears and refused after it,
//! the follow-up that closes it; another from failure to its transfer; who may, and the checks.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

async fn dispute(s: &TestServer, clerk: &str, title: &str) -> Value {
    s.new_case(
        clerk,
        json!({ "title": title, "description": format!("{title}，双方多次争吵，请求调解"),
                "nature": "dispute", "category": "邻里纠纷/相邻关系" }),
    )
    .await
}

async fn judicial_due(s: &TestServer, token: &str) -> usize {
    let (st, v) = s.get("/api/v1/mediations?due=judicial", token).await;
    assert_eq!(st, StatusCode::OK);
    v.as_array().unwrap().len()
}

async fn act(s: &TestServer, token: &str, m: &Value, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = m["version"].clone();
    s.post(
        &format!("/api/v1/mediations/{}/actions", m["id"].as_str().unwrap()),
        token,
        body,
    )
    .await
}

async fn walk(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let (_, street) = s.community(0);
    let c = dispute(&s, &clerk, "楼上漏水纠纷").await;
    let parties = json!([
        { "role": "applicant", "name": "王先生", "phone": "13811112222" },
        { "role": "respondent", "name": "李女士", "phone": "13933334444", "representative": "李女士之子" },
    ]);
    let apply = json!({ "case_id": c["id"], "org_unit": street, "mediators": ["调解员 张"], "parties": parties });

    // Who may, and what is checked.
    let (st, _) = s.post("/api/v1/mediations", &clerk, apply.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let complaint = s.new_case(&clerk, json!({})).await;
    let mut bad = apply.clone();
    bad["case_id"] = complaint["id"].clone();
    let (st, v) = s.post("/api/v1/mediations", &disp, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("case_id")),
        "{v}"
    );
    let mut bad = apply.clone();
    bad["parties"] = json!([{ "role": "applicant", "name": "王先生" }]);
    let (st, v) = s.post("/api/v1/mediations", &disp, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("parties")),
        "{v}"
    );
    let mut bad = apply.clone();
    bad["org_unit"] = json!("cgj");
    let (st, v) = s.post("/api/v1/mediations", &disp, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("org_unit")),
        "{v}"
    );

    let (st, m) = s.post("/api/v1/mediations", &disp, apply.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    assert_eq!(m["status"], "applied");
    assert_eq!(m["case_number"], c["number"]);
    let (st, v) = s.post("/api/v1/mediations", &disp, apply.clone()).await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "one mediation under way per case: {v}"
    );

    // 受理, a joint session with a department at the table (一揽子调处), then a written agreement.
    let (st, m) = act(&s, &disp, &m, json!({ "action": "accept" })).await;
    assert_eq!(
        (st, m["status"].as_str()),
        (StatusCode::OK, Some("mediating")),
        "{m}"
    );
    let (st, v) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "agree", "form": "written" }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, m) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "session", "place": "金桥社区调解室", "attendees": ["王先生", "李女士", "调解员 张", "城管局 刘"],
                "record": "双方陈述事实，城管局说明楼顶防水属公共部位维修",
                "units": [{ "unit": "cgj", "commitment": "七日内修复楼顶防水", "deadline": "2026-12-01" }] }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert_eq!(m["sessions"][0]["units"][0]["unit_name"], "城管局");
    let (st, m) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "agree", "form": "written", "terms": "李女士承担维修费 3000 元，12 月 15 日前付清",
                "effective_at": "2026-11-24", "performance_due": "2026-12-15" }),
    )
    .await;
    assert_eq!(
        (st, m["status"].as_str()),
        (StatusCode::OK, Some("agreed")),
        "{m}"
    );
    // Signed today (a date is the start of its day, never "in the future"): 29 whole days and
    // some hours left to apply for 司法确认.
    assert_eq!(m["judicial_days_left"], 29, "{m}");
    assert!(
        m["judicial_due"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-24"),
        "{m}"
    );

    // The 司法确认 window: not yet due, then found a week before it ends, then refused after it.
    assert_eq!(judicial_due(&s, &disp).await, 0);
    s.clock.advance(25 * DAY);
    // Sessions do not last 25 days: sign in again.
    let (disp, handler, leader, admin) = (
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("leader").await,
        s.login("admin").await,
    );
    let clerk = s.login("clerk").await;
    assert_eq!(judicial_due(&s, &disp).await, 1);
    let (st, v) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "judicial", "applied_at": "2026-12-31" }),
    )
    .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("applied_at")),
        "{v}"
    );
    let (st, m) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "judicial", "result": "confirmed" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert_eq!(m["judicial"]["result"], "confirmed");
    assert!(m["judicial_due"].is_null());
    assert_eq!(judicial_due(&s, &disp).await, 0);
    // The follow-up finds it kept: closed.
    let (st, v) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "follow_up", "note": "已付清" }),
    )
    .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kept")),
        "{v}"
    );
    let (st, m) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "follow_up", "kept": true, "note": "回访：维修费已付清，楼顶已修复" }),
    )
    .await;
    assert_eq!(
        (st, m["status"].as_str()),
        (StatusCode::OK, Some("closed")),
        "{m}"
    );

    // The record: every step, in order; the leader reads it, a department's handler does not see it.
    let path = format!("/api/v1/mediations/{}", m["id"].as_str().unwrap());
    let (st, d) = s.get(&path, &leader).await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let steps: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "applied",
            "accept",
            "session",
            "agree",
            "judicial",
            "follow_up"
        ]
    );
    assert_eq!(
        d["parties"][0]["phone"], "138****2222",
        "the leader sees phones masked"
    );
    let (st, _) = s.get(&path, &handler).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The dispatcher sees the parties' phones, and that read is in the audit log.
    let (_, d) = s.get(&path, &disp).await;
    assert_eq!(d["parties"][0]["phone"], "13811112222");
    let (_, log) = s.get("/api/v1/audit?action=mediation.view", &admin).await;
    assert_eq!(log["total"], 1, "{log}");

    // Another dispute fails and is transferred to litigation.
    let c2 = dispute(&s, &clerk, "院墙界址纠纷").await;
    let mut apply2 = apply.clone();
    apply2["case_id"] = c2["id"].clone();
    let (_, m2) = s.post("/api/v1/mediations", &disp, apply2).await;
    let (_, m2) = act(&s, &disp, &m2, json!({ "action": "accept" })).await;
    let (st, v) = act(
        &s,
        &disp,
        &m2,
        json!({ "action": "fail", "route": "court", "note": "x" }),
    )
    .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("route")),
        "{v}"
    );
    let stale = m2.clone();
    let (st, m2) = act(&s, &disp, &m2, json!({ "action": "fail", "route": "litigation", "note": "双方对界址分歧大，引导至法院立案" })).await;
    assert_eq!(
        (st, m2["status"].as_str()),
        (StatusCode::OK, Some("failed")),
        "{m2}"
    );
    assert_eq!(m2["route"]["label"], "转诉讼");
    let (st, v) = act(
        &s,
        &disp,
        &stale,
        json!({ "action": "terminate", "reason": "x" }),
    )
    .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("stale_version")),
        "{v}"
    );
    let (st, v) = act(
        &s,
        &disp,
        &m2,
        json!({ "action": "agree", "form": "oral", "terms": "x", "performance_due": "2027-01-01" }),
    )
    .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_state")),
        "{v}"
    );
    let (_, list) = s.get("/api/v1/mediations?status=failed", &disp).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (st, _) = s.get("/api/v1/mediations?status=won", &disp).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    s.shutdown().await;
}
on_both!(mediation_walk, walk);

async fn inbox(s: &TestServer, token: &str) -> Vec<Value> {
    let (st, v) = s.get("/api/v1/notifications?page_size=100", token).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "mediation_due")
        .cloned()
        .collect()
}

/// The agreement's deadlines are warned of by the deadline sweep — the performance deadline three
/// days before and on the day, the 司法确认 window a week before its end and at its end — each once,
/// to the mediating organisation's staff, with an event on the record, and without changing the
/// version (a mediator's open form does not conflict with a reminder). A failed mediation is then
/// the history of the next case about the same estate: a `history` alert.
async fn deadlines_and_history(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp) = (s.login("clerk").await, s.login("dispatcher").await);
    let (_, street) = s.community(0);
    let c = dispute(&s, &clerk, "枫林花园楼上漏水纠纷").await;
    let apply = json!({ "case_id": c["id"], "org_unit": street, "mediators": ["调解员 张"],
        "parties": [{ "role": "applicant", "name": "王先生", "phone": "13811112222" },
                    { "role": "respondent", "name": "李女士", "phone": "13933334444" }] });
    let (st, m) = s.post("/api/v1/mediations", &disp, apply).await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    let (_, m) = act(&s, &disp, &m, json!({ "action": "accept" })).await;
    // Agreed on 2026-11-24, to be paid by 2026-12-04 (end of day); 司法确认 until 2026-12-24.
    let (st, m) = act(&s, &disp, &m, json!({ "action": "agree", "form": "written",
        "terms": "李女士十日内支付维修费 3000 元", "effective_at": "2026-11-24", "performance_due": "2026-12-04" })).await;
    assert_eq!(st, StatusCode::OK, "{m}");
    s.app.sweep().await.unwrap();
    assert!(inbox(&s, &disp).await.is_empty(), "nothing due yet");

    // 2026-12-02 10:00: the performance deadline is three days off or less.
    s.clock.advance(8 * DAY);
    s.app.sweep().await.unwrap();
    s.app.sweep().await.unwrap();
    let disp = s.login("dispatcher").await;
    let got = inbox(&s, &disp).await;
    assert_eq!(got.len(), 1, "one warning, once: {got:?}");
    assert!(
        got[0]["title"].as_str().unwrap().contains("履行期限临近"),
        "{got:?}"
    );
    assert_eq!(got[0]["case_id"], c["id"]);
    // The sweep did not change the version: the mediator's step with the version read before it
    // goes through.
    let (st, m) = act(
        &s,
        &disp,
        &m,
        json!({ "action": "follow_up", "kept": false, "note": "尚未支付，约定月初前付清" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert_eq!(m["warned"], json!(["performance_near"]));

    // 2026-12-05: the performance deadline has passed; 2026-12-18: the 司法确认 window closes in a
    // week; 2026-12-25: it has closed.
    for (days, expect) in [
        (3, "履行期限已到"),
        (13, "司法确认申请期限临近"),
        (7, "司法确认申请期限已届满"),
    ] {
        s.clock.advance(days * DAY);
        s.app.sweep().await.unwrap();
        let disp = s.login("dispatcher").await;
        let got = inbox(&s, &disp).await;
        assert!(
            got[0]["title"].as_str().unwrap().contains(expect),
            "{expect}: {got:?}"
        );
    }
    let disp = s.login("dispatcher").await;
    assert_eq!(inbox(&s, &disp).await.len(), 4);
    // English readers get it in English.
    let en: Value = s
        .http
        .get(format!("{}/api/v1/notifications?page_size=100", s.base))
        .bearer_auth(&disp)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = en["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "mediation_due")
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Judicial confirmation window closed")),
        "{titles:?}"
    );
    let (_, d) = s
        .get(
            &format!("/api/v1/mediations/{}", m["id"].as_str().unwrap()),
            &disp,
        )
        .await;
    let warned: Vec<&Value> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "warned")
        .collect();
    assert_eq!(warned.len(), 4, "{d}");
    assert_eq!(warned[0]["actor_name"], "系统（时限监控）");

    // A second dispute about the same estate fails and goes to court.
    let clerk = s.login("clerk").await;
    let c2 = dispute(&s, &clerk, "枫林花园车位占用纠纷").await;
    let apply2 = json!({ "case_id": c2["id"], "org_unit": street, "mediators": ["调解员 张"],
        "parties": [{ "role": "applicant", "name": "赵先生", "phone": "13700001111" },
                    { "role": "respondent", "name": "枫林花园物业", "phone": "057100001111" }] });
    let (_, m2) = s.post("/api/v1/mediations", &disp, apply2).await;
    let (_, m2) = act(&s, &disp, &m2, json!({ "action": "accept" })).await;
    let (st, _) = act(
        &s,
        &disp,
        &m2,
        json!({ "action": "fail", "route": "litigation", "note": "物业不同意调解方案" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // Two weeks later a neighbour calls about the estate's parking again, from another phone.
    s.clock.advance(14 * DAY);
    let clerk = s.login("clerk").await;
    let sup = s.login("supervisor").await;
    let c3 = s
        .new_case(
            &clerk,
            json!({ "title": "枫林花园车位被占", "description": "枫林花园地下车位又被物业租给外来车辆，业主没地方停，之前调解也没结果",
                    "nature": "dispute", "category": "邻里纠纷/相邻关系",
                    "reporter": { "name": "孙女士", "phone": "13655556666" } }),
        )
        .await;
    let (st, r) = s.post("/api/v1/risk/scan", &sup, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (_, list) = s.get("/api/v1/risk/alerts?kind=history", &sup).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let a = &list[0];
    assert!(a["case_ids"].as_array().unwrap().contains(&c3["id"]), "{a}");
    assert_eq!(
        a["evidence"]["failed_mediations"].as_array().unwrap().len(),
        1,
        "{a}"
    );
    assert_eq!(a["evidence"]["failed_mediations"][0]["route"], "转诉讼");
    assert!(a["summary"].as_str().unwrap().contains("枫林花园"), "{a}");
    s.shutdown().await;
}
on_both!(mediation_deadlines_and_history, deadlines_and_history);
