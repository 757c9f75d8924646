//! The case lifecycle over HTTP, on SQLite and PostgreSQL: every path of DESIGN.md's diagram,
//! with its timeline, role and scope checks.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn actions(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

/// register → accept → dispatch → sign → extension → resolve → unsatisfied (reopen) → resolve →
/// satisfied → closed; the timeline has every step.
async fn main_loop(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, dispatcher, handler, supervisor) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("supervisor").await,
    );
    let (_, street) = s.community(0);
    let c = s.new_case(&clerk, json!({})).await;
    assert_eq!(c["status"], "registered");
    assert_eq!(c["status_label"], "待受理");
    assert_eq!(c["nature_label"], "投诉");
    assert!(
        c["number"].as_str().unwrap().starts_with("2026-"),
        "{}",
        c["number"]
    );
    assert_eq!(
        c["reporter"]["phone"], "13812341234",
        "the clerk sees the full number"
    );

    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s
        .act(
            &dispatcher,
            &c,
            "dispatch",
            json!({ "unit": "cgj", "co_units": [street], "opinion": "请城管局牵头处理" }),
        )
        .await;
    assert_eq!(c["status"], "dispatched");
    assert_eq!(c["unit"], "cgj");
    assert_eq!(c["co_units"], json!([street]));
    // Dispatched Tuesday 10:00; sign-for is 1 working day: end of Wednesday.
    assert_eq!(c["sign_due"], "2026-11-25T23:59:59+08:00");

    s.clock.advance(3_600_000);
    let c = s.act(&handler, &c, "sign", json!({})).await;
    assert_eq!(c["status"], "in_progress");
    // Handling is 5 working days from signing on Tuesday: the next Tuesday.
    assert_eq!(c["handle_due"], "2026-12-01T23:59:59+08:00");

    let c = s
        .act(
            &handler,
            &c,
            "request_extension",
            json!({ "working_days": 3, "reason": "需协调市场监管部门" }),
        )
        .await;
    assert_eq!(c["pending_extension"]["working_days"], 3);
    assert_eq!(
        c["allowed_actions"],
        json!(["resolve", "suspend"]),
        "the handler may not ask twice"
    );
    let c = s
        .act(
            &dispatcher,
            &c,
            "decide_extension",
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(
        c["handle_due"], "2026-12-04T23:59:59+08:00",
        "extension moves the due date by 3 working days"
    );
    assert_eq!(c["extension_count"], 1);

    let c = s
        .act(
            &supervisor,
            &c,
            "supervise",
            json!({ "opinion": "群众反映强烈，请加快办理" }),
        )
        .await;
    let c = s.act(&supervisor, &c, "urge", json!({})).await;
    assert_eq!(
        (c["supervised"].as_bool(), c["urge_count"].as_i64()),
        (Some(true), Some(1))
    );

    let c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": "已联合执法清理流动摊贩，并加强夜间巡查。", "outcome": "resolved" }),
        )
        .await;
    assert_eq!(c["status"], "resolved");
    assert!(c["follow_up_due"].is_string());

    let c = s
        .act(
            &clerk,
            &c,
            "follow_up",
            json!({ "satisfaction": "unsatisfied", "resolved": false, "opinion": "晚上仍有摊贩" }),
        )
        .await;
    assert_eq!(c["status"], "in_progress", "unsatisfied reopens");
    assert_eq!(c["reopen_count"], 1);
    assert_eq!(c["unit"], "cgj");

    s.clock.advance(86_400_000);
    // Sessions last a working day (12 h): sign in again the next day.
    let (clerk, handler) = (s.login("clerk").await, s.login("handler").await);
    let (st, _) = s.get("/api/v1/auth/me", &supervisor).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "an expired session is refused"
    );
    let c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": "已安排每晚定点值守，摊贩已全部清退。", "outcome": "resolved" }),
        )
        .await;
    let c = s
        .act(
            &clerk,
            &c,
            "follow_up",
            json!({ "satisfaction": "满意", "resolved": true }),
        )
        .await;
    assert_eq!(c["status"], "closed");
    assert_eq!(c["satisfaction"], "satisfied");
    assert_eq!(
        c["allowed_actions"],
        json!([]),
        "the clerk cannot act on a closed case"
    );

    let events = s.events(&clerk, &c).await;
    assert_eq!(
        actions(&events),
        [
            "register",
            "accept",
            "dispatch",
            "sign",
            "request_extension",
            "decide_extension",
            "supervise",
            "urge",
            "resolve",
            "follow_up",
            "resolve",
            "follow_up"
        ]
    );
    assert_eq!(events[2]["opinion"], "请城管局牵头处理");
    assert_eq!(events[2]["actor_name"], "派单员 李娜");
    assert_eq!(events[2]["unit"], "330188");
    assert_eq!(events[2]["action_label"], "派单");
    assert_eq!(events[9]["data"]["reopened"], true);
    s.shutdown().await;
}
on_both!(main_loop_with_extension_and_reopen, main_loop);

/// dispatch → return (within the sign window) → re-dispatch to the street → sign.
async fn return_and_redispatch(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, dispatcher, handler, street_handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("street_handler").await,
    );
    let (_, street) = s.community(0);
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s
        .act(&dispatcher, &c, "dispatch", json!({ "unit": "cgj" }))
        .await;
    let (st, e) = s.try_act(&handler, &c, "return", json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "reason");
    let c = s
        .act(
            &handler,
            &c,
            "return",
            json!({ "reason": "属于属地管理事项" }),
        )
        .await;
    assert_eq!(c["status"], "accepted");
    assert_eq!(c["return_count"], 1);
    assert!(c["unit"].is_null());
    let c = s
        .act(&dispatcher, &c, "dispatch", json!({ "unit": street }))
        .await;
    // The department that returned it no longer sees it.
    let (st, _) = s
        .get(
            &format!("/api/v1/cases/{}", c["id"].as_str().unwrap()),
            &handler,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let c = s.act(&street_handler, &c, "sign", json!({})).await;
    assert_eq!(c["status"], "in_progress");
    // Past the sign window a unit can no longer return.
    let c2 = s.new_case(&clerk, json!({})).await;
    let c2 = s.act(&clerk, &c2, "accept", json!({})).await;
    let c2 = s
        .act(&dispatcher, &c2, "dispatch", json!({ "unit": "cgj" }))
        .await;
    s.clock.advance(3 * 86_400_000);
    let handler = s.login("handler").await;
    let (st, e) = s
        .try_act(&handler, &c2, "return", json!({ "reason": "不归我们管" }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "return_window_passed");
    let events = s.events(&s.login("dispatcher").await, &c).await;
    assert_eq!(
        actions(&events),
        [
            "register", "accept", "dispatch", "return", "dispatch", "sign"
        ]
    );
    assert_eq!(events[3]["data"]["reason"], "属于属地管理事项");
    s.shutdown().await;
}
on_both!(return_then_redispatch, return_and_redispatch);

/// 直接办结, 不予受理 and 并单.
async fn answer_reject_merge(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, dispatcher) = (s.login("clerk").await, s.login("dispatcher").await);
    let q = s.new_case(&clerk, json!({ "nature": "咨询", "title": "咨询加装电梯补贴", "description": "请问老旧小区加装电梯有没有补贴？", "category": "住房建设/加装电梯" })).await;
    let q = s
        .act(
            &clerk,
            &q,
            "answer",
            json!({ "reply": "每台补贴20万元，向街道申请。" }),
        )
        .await;
    assert_eq!(
        (q["status"].as_str(), q["outcome"].as_str()),
        (Some("resolved"), Some("resolved"))
    );
    let q = s
        .act(
            &clerk,
            &q,
            "follow_up",
            json!({ "satisfaction": "basically_satisfied", "resolved": true }),
        )
        .await;
    assert_eq!(q["status"], "closed");

    let r = s.new_case(&clerk, json!({})).await;
    let r = s
        .act(
            &dispatcher,
            &r,
            "reject",
            json!({ "reason": "已进入诉讼程序" }),
        )
        .await;
    assert_eq!(
        (r["status"].as_str(), r["reject_reason"].as_str()),
        (Some("rejected"), Some("已进入诉讼程序"))
    );
    assert_eq!(r["allowed_actions"], json!([]));

    let main = s.new_case(&clerk, json!({})).await;
    let dup = s
        .new_case(
            &clerk,
            json!({ "reporter": { "name": "李女士", "phone": "13900001111" } }),
        )
        .await;
    let (st, e) = s
        .try_act(&dispatcher, &dup, "merge", json!({ "into": dup["id"] }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (st, e) = s
        .try_act(&dispatcher, &dup, "merge", json!({ "into": r["id"] }))
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot merge into a rejected case: {e}"
    );
    let dup = s
        .act(&dispatcher, &dup, "merge", json!({ "into": main["id"] }))
        .await;
    assert_eq!(dup["status"], "merged");
    assert_eq!(dup["merged_into"], main["id"]);
    assert_eq!(
        dup["reporter"]["phone"], "13900001111",
        "the duplicate keeps its reporter for follow-up"
    );
    let (_, m) = s
        .get(
            &format!("/api/v1/cases/{}", main["id"].as_str().unwrap()),
            &dispatcher,
        )
        .await;
    assert_eq!(m["repeat_count"], 1);
    assert_eq!(m["version"], main["version"].as_i64().unwrap() + 1);
    let ev = s.events(&dispatcher, &m).await;
    assert_eq!(actions(&ev), ["register", "merged_in"]);
    s.shutdown().await;
}
on_both!(answer_reject_and_merge, answer_reject_merge);

/// A community registers, the street escalates to the district, the district dispatches.
async fn escalate(db: Db) {
    let s = TestServer::start(db).await;
    let (cclerk, sdisp, disp) = (
        s.login("community_clerk").await,
        s.login("street_dispatcher").await,
        s.login("dispatcher").await,
    );
    let c = s.new_case(&cclerk, json!({ "source": "window" })).await;
    let (community, street) = s.community(0);
    assert_eq!(
        c["hub"],
        community.as_str(),
        "a community window registers for its own hub"
    );
    let c = s.act(&cclerk, &c, "accept", json!({})).await;
    // The street dispatcher (above the community) may act; escalation must go up, to a hub.
    let (st, e) = s
        .try_act(&sdisp, &c, "escalate", json!({ "unit": "cgj" }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let c = s
        .act(&sdisp, &c, "escalate", json!({ "unit": street }))
        .await;
    assert_eq!(c["hub"], street.as_str());
    let c = s
        .act(&sdisp, &c, "escalate", json!({ "unit": "330188" }))
        .await;
    assert_eq!(
        (c["hub"].as_str(), c["status"].as_str()),
        (Some("330188"), Some("accepted"))
    );
    // Now only the district may dispatch it.
    let (st, _) = s
        .try_act(&sdisp, &c, "dispatch", json!({ "unit": "cgj" }))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    assert_eq!(c["status"], "dispatched");
    s.shutdown().await;
}
on_both!(escalate_to_higher_hub, escalate);

/// Reopen by the dispatcher, close without follow-up.
async fn reopen_and_close(db: Db) {
    let s = TestServer::start(db).await;
    let (clerk, disp, handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    let c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": "已处理", "outcome": "partly" }),
        )
        .await;
    let c = s
        .act(&disp, &c, "reopen", json!({ "opinion": "答复不完整" }))
        .await;
    assert_eq!(
        (c["status"].as_str(), c["reopen_count"].as_i64()),
        (Some("in_progress"), Some(1))
    );
    let c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": "已全部处理", "outcome": "resolved" }),
        )
        .await;
    let c = s
        .act(
            &disp,
            &c,
            "close",
            json!({ "opinion": "来电人无法联系，按期结案" }),
        )
        .await;
    assert_eq!(c["status"], "closed");
    s.shutdown().await;
}
on_both!(reopen_then_close, reopen_and_close);
