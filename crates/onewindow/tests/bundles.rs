//! 一件事 bundles over HTTP on both backends (issue 22): the catalogue; templates refused for a
//! cycle, an unmapped field or an unknown department; a 出生一件事 from the portal walked with its
//! dependencies, a 补正 pause and a refusal, its clocks checked against the working-day calendar
//! across the National Day holiday and its 调休 Saturday; a 企业开办 at the window to 统一出件; a
//! refusal cancelling what depends on it; who may see and act.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;
const PASS: &str = "nine ferries at dawn";

/// A handler of department `unit`, signed in.
async fn handler_of(s: &TestServer, admin: &str, unit: &str) -> String {
    let username = format!("h_{unit}");
    let (st, _) = s
        .post("/api/v1/users", admin, json!({ "username": username, "password": PASS, "role": "handler", "unit": unit, "name": format!("{unit}经办人") }))
        .await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::CONFLICT,
        "{st}"
    );
    login_as(s, &username).await
}

async fn login_as(s: &TestServer, username: &str) -> String {
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": username, "password": PASS })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_string()
}

fn task<'a>(b: &'a Value, matter: &str) -> &'a Value {
    b["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["matter"] == matter)
        .unwrap()
}

async fn act(
    s: &TestServer,
    token: &str,
    b: &Value,
    matter: &str,
    action: &str,
    opinion: Option<&str>,
) -> (StatusCode, Value) {
    let t = task(b, matter);
    let mut body = json!({ "action": action, "version": t["version"] });
    if let Some(o) = opinion {
        body["opinion"] = json!(o);
    }
    s.post(
        &format!(
            "/api/v1/bundles/{}/tasks/{}/transitions",
            b["id"].as_str().unwrap(),
            t["id"].as_str().unwrap()
        ),
        token,
        body,
    )
    .await
}

async fn ok(s: &TestServer, token: &str, b: &Value, matter: &str, action: &str) -> Value {
    let (st, v) = act(s, token, b, matter, action, Some("同意")).await;
    assert_eq!(st, StatusCode::OK, "{matter} {action}: {v}");
    v
}

fn birth_form() -> Value {
    json!({ "child_name": "王小禾", "gender": "女", "birth_date": "2026-09-20", "born_in_hospital": "是",
        "hospital_name": "临江区妇幼保健院", "mother_name": "李梅", "mother_id_card": "11010519491231002X",
        "father_name": "王强", "father_id_card": "110105194912310038", "settle_with": "随父落户",
        "hukou_address": "临江区东湖街道金桥花园3幢501", "card_bank": "中国工商银行", "contact_phone": "13800001234",
        "mailing_address": "临江区东湖街道金桥花园3幢501" })
}

const BIRTH_MATERIALS: [&str; 6] = [
    "mother_id",
    "father_id",
    "household_register",
    "marriage_cert",
    "delivery_record",
    "vaccine_record",
];

async fn catalogue_and_templates(db: Db) {
    let s = TestServer::start(db).await;
    let r = s
        .http
        .get(format!("{}/api/v1/bundles/templates", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Vec<Value> = r.json().await.unwrap();
    for code in ["birth", "company_setup", "retirement", "after_death"] {
        let t = list
            .iter()
            .find(|t| t["code"] == code)
            .unwrap_or_else(|| panic!("{code}"));
        assert!(
            t["promised_working_days"].as_u64().unwrap()
                >= t["critical_path_working_days"].as_u64().unwrap()
        );
        for f in t["fields"].as_array().unwrap() {
            assert!(
                ["text", "date", "phone", "id_card", "number", "choice"]
                    .contains(&f["type"].as_str().unwrap()),
                "{f}"
            );
            assert!(f["name"].is_string() && f["label"].is_string() && f["required"].is_boolean());
        }
        for m in t["matters"].as_array().unwrap() {
            assert!(
                m["code"].is_string()
                    && m["unit"].is_string()
                    && m["working_days"].is_u64()
                    && m["depends_on"].is_array(),
                "{m}"
            );
        }
    }
    let birth = list.iter().find(|t| t["code"] == "birth").unwrap().clone();
    let hukou = birth["matters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "hukou_registration")
        .unwrap();
    assert_eq!(hukou["depends_on"], json!(["birth_certificate"]));
    assert!(
        list.iter().any(|t| t["stage"] == "企业开办") && list.iter().any(|t| t["stage"] == "身后")
    );

    // Admins edit; the checks name what is wrong.
    let admin = s.login("admin").await;
    let clerk = s.login("clerk").await;
    let mut t: Value = birth.clone();
    // The view's extras are not part of a template.
    for k in ["critical_path_working_days", "legal_working_days_total"] {
        t.as_object_mut().unwrap().remove(k);
    }
    for m in t["matters"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("unit_name");
    }
    let put = |body: Value, token: String| {
        let s = &s;
        async move {
            s.call(
                "PUT",
                "/api/v1/bundles/templates/birth",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (st, _) = put(t.clone(), clerk.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = put(t.clone(), admin.clone()).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // A cycle: the birth certificate waiting for the hukou that waits for it.
    let mut cyc = t.clone();
    let i = cyc["matters"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["code"] == "birth_certificate")
        .unwrap();
    cyc["matters"][i]["depends_on"] = json!(["hukou_registration"]);
    let (st, v) = put(cyc, admin.clone()).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("matters")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("循环"),
        "{v}"
    );
    // An unmapped field.
    let mut unmapped = t.clone();
    unmapped["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "pet_name", "label": "宠物名", "type": "text", "required": false }));
    let n = unmapped["fields"].as_array().unwrap().len() - 1;
    let (st, v) = put(unmapped, admin.clone()).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("fields[{n}]").as_str())
        ),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("没有映射"),
        "{v}"
    );
    // An unknown department.
    let mut unknown = t.clone();
    unknown["matters"][0]["unit"] = json!("gjj");
    let (st, v) = put(unknown, admin.clone()).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("matters[0].unit")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("gjj"),
        "{v}"
    );
    // Malformed.
    let (st, v) = put(json!({ "code": "birth", "nonsense": 1 }), admin.clone()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Nothing wrong was stored.
    let list: Vec<Value> = s
        .http
        .get(format!("{}/api/v1/bundles/templates", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let again = list.iter().find(|t| t["code"] == "birth").unwrap();
    assert_eq!(again["matters"], birth["matters"]);
}

async fn birth_walk(db: Db) {
    let s = TestServer::start(db).await;
    // Tuesday 2026-09-29 10:00: before the National Day holiday (10-01..07) and its 调休 Saturday 10-10.
    s.clock.set(common::T0 - 56 * DAY);
    let admin = s.login("admin").await;
    let (wjw, gaj, _ybj, _rsj) = (
        handler_of(&s, &admin, "wjw").await,
        handler_of(&s, &admin, "gaj").await,
        handler_of(&s, &admin, "ybj").await,
        handler_of(&s, &admin, "rsj").await,
    );
    let citizen = s.login("citizen").await;
    let mut body = json!({ "template": "birth", "applicant": { "name": "王强", "phone": "13800001234" },
        "form": birth_form(), "materials": BIRTH_MATERIALS });
    // The checks first: a bad ID number, a missing material, ineligible.
    let mut bad = body.clone();
    bad["form"]["mother_id_card"] = json!("110105194912310021");
    let (st, v) = s.post("/api/v1/bundles", &citizen, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("form.mother_id_card")
        ),
        "{v}"
    );
    let mut bad = body.clone();
    bad["materials"] = json!(["mother_id", "father_id"]);
    let (st, v) = s.post("/api/v1/bundles", &citizen, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("materials")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("户口簿")
            || v["error"]["message"].as_str().unwrap().contains("缺少"),
        "{v}"
    );
    let mut bad = body.clone();
    bad["form"]["born_in_hospital"] = json!("否");
    let (st, v) = s.post("/api/v1/bundles", &citizen, bad).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ineligible")),
        "{v}"
    );
    assert_eq!(
        v["error"]["details"]["reasons"].as_array().unwrap().len(),
        1,
        "{v}"
    );
    let (st, _) = s.post("/api/v1/bundles", &wjw, body.clone()).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "a department does not take applications"
    );

    // Submitted on the portal: the child's photo may follow (容缺).
    body["materials"] = json!(BIRTH_MATERIALS);
    let (st, b) = s.post("/api/v1/bundles", &citizen, body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(b["template"], "birth");
    assert_eq!(b["status"], "in_progress");
    // 5 working days after Tuesday 09-29: 09-30, 10-08, 10-09, 10-10 (调休), 10-12.
    assert_eq!(b["due"], "2026-10-12", "{b}");
    assert_eq!(b["deferred"], json!(["child_photo"]));
    assert_eq!(b["visits"], 0);
    assert_eq!(task(&b, "birth_certificate")["status"], "pending");
    assert_eq!(task(&b, "birth_certificate")["due"], "2026-09-30");
    assert_eq!(task(&b, "hukou_registration")["status"], "waiting");
    assert!(task(&b, "hukou_registration")["due"].is_null());
    assert_eq!(
        task(&b, "hukou_registration")["depends_on"],
        json!(["birth_certificate"])
    );

    // Who may see and act: the public security bureau sees it (it has a task), the cityscape
    // bureau does not; the hukou cannot be accepted before it is released.
    let cgj = s.login("handler").await;
    let (st, _) = s.get(&format!("/api/v1/bundles/{id}"), &cgj).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = act(&s, &gaj, &b, "birth_certificate", "accept", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = act(&s, &gaj, &b, "hukou_registration", "accept", None).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_transition")),
        "{v}"
    );
    let (_, todo) = s.get("/api/v1/bundles?todo=true", &gaj).await;
    assert_eq!(
        todo.as_array().unwrap().len(),
        0,
        "nothing released to 公安 yet: {todo}"
    );
    let (_, todo) = s.get("/api/v1/bundles?todo=true", &wjw).await;
    assert_eq!(todo.as_array().unwrap().len(), 1, "{todo}");

    // 卫健 accepts and approves the birth certificate; a stale version is refused.
    let b = ok(&s, &wjw, &b, "birth_certificate", "accept").await;
    let stale = json!({ "action": "approve", "version": 1 });
    let (st, v) = s
        .post(
            &format!(
                "/api/v1/bundles/{id}/tasks/{}/transitions",
                task(&b, "birth_certificate")["id"].as_str().unwrap()
            ),
            &wjw,
            stale,
        )
        .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("stale_version")),
        "{v}"
    );
    let b = ok(&s, &wjw, &b, "birth_certificate", "approve").await;
    // Released the same day: 2 working days → 09-30, 10-08.
    assert_eq!(task(&b, "hukou_registration")["status"], "pending");
    assert_eq!(task(&b, "hukou_registration")["due"], "2026-10-08", "{b}");
    assert_eq!(task(&b, "birth_certificate")["elapsed_working_days"], 0);

    // 公安 asks for a correction (补正): the clocks stop.
    let b = ok(&s, &gaj, &b, "hukou_registration", "accept").await;
    let (st, v) = act(
        &s,
        &gaj,
        &b,
        "hukou_registration",
        "request_correction",
        None,
    )
    .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("opinion")),
        "{v}"
    );
    let (st, b) = act(
        &s,
        &gaj,
        &b,
        "hukou_registration",
        "request_correction",
        Some("拟落户地址门牌号不完整"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "correction");
    // The citizen hands it in ten days later, Friday 10-09: three working days paused (09-30, 10-08, 10-09).
    s.clock.set(common::T0 - 46 * DAY);
    let citizen = s.login("citizen").await;
    let (_, b) = s.get(&format!("/api/v1/bundles/{id}"), &citizen).await;
    // While the correction is open its days show as paused already.
    assert_eq!(b["paused_working_days"], 3, "{b}");
    assert_eq!(
        task(&b, "hukou_registration")["paused_working_days"],
        3,
        "{b}"
    );
    let (st, b) = act(
        &s,
        &citizen,
        &b,
        "hukou_registration",
        "resubmit",
        Some("已补充门牌号：3幢2单元501"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "in_progress");
    assert_eq!(task(&b, "hukou_registration")["paused_working_days"], 3);
    // 10-08 + 3 working days: 10-09, 10-10 (调休), 10-12; the bundle's 10-12 + 3: 10-13, 10-14, 10-15.
    assert_eq!(task(&b, "hukou_registration")["due"], "2026-10-12", "{b}");
    assert_eq!(b["due"], "2026-10-15", "{b}");
    assert_eq!(b["paused_working_days"], 3);
    assert_eq!(b["visits"], 0, "handed in online");
    // The department's request stays what it said; the applicant's note is kept beside it.
    assert_eq!(
        task(&b, "hukou_registration")["opinion"],
        "拟落户地址门牌号不完整"
    );
    assert_eq!(
        task(&b, "hukou_registration")["resubmit_note"],
        "已补充门牌号：3幢2单元501"
    );
    let gaj = login_as(&s, "h_gaj").await;
    let b = ok(&s, &gaj, &b, "hukou_registration", "approve").await;
    // Released on 10-09: medical insurance and the social security card, 1 working day → 10-10 (调休 Saturday).
    assert_eq!(task(&b, "resident_medical_insurance")["status"], "pending");
    assert_eq!(task(&b, "social_security_card")["due"], "2026-10-10", "{b}");
    // 09-29 → 10-09 is 3 working days, all paused: none elapsed.
    assert_eq!(
        task(&b, "hukou_registration")["elapsed_working_days"],
        0,
        "{b}"
    );

    // Monday 10-12: the rest is decided; 人社 refuses the card.
    s.clock.set(common::T0 - 43 * DAY);
    let (wjw, ybj, rsj) = (
        login_as(&s, "h_wjw").await,
        login_as(&s, "h_ybj").await,
        login_as(&s, "h_rsj").await,
    );
    let (_, b) = s.get(&format!("/api/v1/bundles/{id}"), &wjw).await;
    let b = ok(&s, &wjw, &b, "vaccination_cert", "accept").await;
    let b = ok(&s, &wjw, &b, "vaccination_cert", "approve").await;
    // 09-29 → 10-12: 09-30, 10-08, 10-09, 10-10, 10-12 = 5 working days.
    assert_eq!(
        task(&b, "vaccination_cert")["elapsed_working_days"],
        5,
        "{b}"
    );
    let b = ok(&s, &ybj, &b, "maternity_reimbursement", "accept").await;
    let b = ok(&s, &ybj, &b, "maternity_reimbursement", "approve").await;
    let b = ok(&s, &ybj, &b, "resident_medical_insurance", "accept").await;
    let b = ok(&s, &ybj, &b, "resident_medical_insurance", "approve").await;
    let (st, v) = act(&s, &rsj, &b, "social_security_card", "refuse", None).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("opinion")),
        "{v}"
    );
    let (st, b) = act(
        &s,
        &rsj,
        &b,
        "social_security_card",
        "refuse",
        Some("所选发卡银行暂停办理，请另行申领"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "partly_completed", "{b}");
    // 09-29 → 10-12 is 5 working days, 3 of them paused.
    assert_eq!(b["elapsed_working_days"], 2, "{b}");
    assert!(b["notified_at"].is_string());
    // Told once.
    let citizen = s.login("citizen").await;
    let (_, n) = s.get("/api/v1/notifications", &citizen).await;
    let ready: Vec<&Value> = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "bundle_ready")
        .collect();
    assert_eq!(ready.len(), 1, "{n}");
    let (st, v) = act(&s, &ybj, &b, "resident_medical_insurance", "approve", None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let (_, mine) = s.get("/api/v1/bundles", &citizen).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["status"], "partly_completed");
}

async fn window_and_refusal(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let clerk = s.login("clerk").await;
    let scj = handler_of(&s, &admin, "scjgj").await;
    let mut others = Vec::new();
    for u in ["gaj", "swj", "rsj", "ybj"] {
        others.push((u, handler_of(&s, &admin, u).await));
    }
    let form = json!({ "company_name": "临江禾田餐饮管理有限公司", "company_type": "有限责任公司", "registered_capital": 50,
        "business_scope": "餐饮管理；食品销售", "address": "临江区东湖街道金桥路18号", "legal_rep_name": "陈禾",
        "legal_rep_id_card": "11010519491231002X", "contact_phone": "13900001111", "seal_set": "仅公章",
        "taxpayer_type": "小规模纳税人", "invoice_type": "数电发票（普通发票）", "finance_contact": "陈禾", "employee_count": 3 });
    let body = json!({ "template": "company_setup", "applicant": { "name": "陈禾", "phone": "13900001111" }, "form": form,
        "materials": ["legal_rep_id", "articles", "investor_ids", "premises_proof", "employee_roster"] });
    let (st, b) = s.post("/api/v1/bundles", &clerk, body.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["channel"].as_str(), b["visits"].as_i64()),
        (Some("window"), Some(1))
    );
    let b = ok(&s, &scj, &b, "business_license", "accept").await;
    let mut b = ok(&s, &scj, &b, "business_license", "approve").await;
    for (u, token) in &others {
        let m = match *u {
            "gaj" => "seal_filing",
            "swj" => "tax_invoice",
            "rsj" => "pension_registration",
            _ => "medical_registration",
        };
        b = ok(&s, token, &b, m, "accept").await;
        b = ok(&s, token, &b, m, "approve").await;
    }
    assert_eq!(b["status"], "completed", "{b}");
    assert_eq!(b["elapsed_working_days"], 0, "all on the day");
    assert_eq!(b["visits"], 1);

    // A refusal of the licence cancels what waits for it.
    let (_, b) = s.post("/api/v1/bundles", &clerk, body.clone()).await;
    let (st, b) = act(
        &s,
        &scj,
        &b,
        "business_license",
        "refuse",
        Some("名称与已登记企业重名"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for m in [
        "seal_filing",
        "tax_invoice",
        "pension_registration",
        "medical_registration",
    ] {
        assert_eq!(task(&b, m)["status"], "cancelled", "{m}");
    }
    assert_eq!(b["status"], "refused");
    // Personal data: lists mask the phone and leave the form out; opening one is logged; a
    // community's window does not see what the district centre's took in.
    let (_, list) = s.get("/api/v1/bundles", &clerk).await;
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b["id"])
        .unwrap();
    assert!(
        row["form"].is_null() && row["applicant"]["phone"].as_str().unwrap().contains('*'),
        "{row}"
    );
    let (st, full) = s
        .get(
            &format!("/api/v1/bundles/{}", b["id"].as_str().unwrap()),
            &clerk,
        )
        .await;
    assert_eq!(
        (st, full["applicant"]["phone"].as_str()),
        (StatusCode::OK, Some("13900001111"))
    );
    assert_eq!(full["form"]["legal_rep_id_card"], "11010519491231002X");
    let (_, log) = s.get("/api/v1/audit?action=bundle.view", &admin).await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == &b["id"])),
        "{log}"
    );
    let community = s.login("community_clerk").await;
    let (st, _) = s
        .get(
            &format!("/api/v1/bundles/{}", b["id"].as_str().unwrap()),
            &community,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, theirs) = s.get("/api/v1/bundles", &community).await;
    assert_eq!(theirs.as_array().unwrap().len(), 0, "{theirs}");
    let mut bad = body.clone();
    bad["applicant"]["id_card"] = json!("110105194912310021");
    let (st, v) = s.post("/api/v1/bundles", &clerk, bad).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("applicant.id_card")),
        "{v}"
    );
    // The district centre's clerk has no tasks of its own to do.
    let (_, todo) = s.get("/api/v1/bundles?todo=true", &clerk).await;
    assert_eq!(todo.as_array().unwrap().len(), 0, "{todo}");
    // Unknown ids.
    let (st, _) = s.get("/api/v1/bundles/not-an-id", &clerk).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .post(
            &format!(
                "/api/v1/bundles/{}/tasks/nope/transitions",
                b["id"].as_str().unwrap()
            ),
            &clerk,
            json!({ "action": "resubmit", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// The demo's applications and projects, in every state; the cockpit's figures recounted from them.
async fn demo_and_stats(db: Db) {
    use seed::DemoSeed as _;
    let s = TestServer::start(db).await;
    assert_eq!(s.app.seed_bundles().await.unwrap(), 9);
    assert_eq!(s.app.seed_bundles().await.unwrap(), 0, "only once");
    let sup = s.login("supervisor").await;
    let (_, list) = s.get("/api/v1/bundles", &sup).await;
    let list = list.as_array().unwrap();
    let mut statuses: Vec<&str> = list.iter().map(|b| b["status"].as_str().unwrap()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        vec![
            "completed",
            "correction",
            "in_progress",
            "partly_completed",
            "refused"
        ]
    );
    let (_, projects) = s.get("/api/v1/approvals", &sup).await;
    let mut ps: Vec<&str> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    ps.sort_unstable();
    assert_eq!(
        ps,
        vec!["completed", "in_progress", "in_progress", "refused"]
    );
    // The figures, recounted from the applications themselves.
    let (_, st) = s.get("/api/v1/bundles/stats", &sup).await;
    let finished: Vec<&Value> = list
        .iter()
        .filter(|b| !b["finished_at"].is_null())
        .collect();
    assert_eq!(st["total"], list.len());
    assert_eq!(st["finished"], finished.len());
    assert_eq!(
        st["completed"],
        list.iter().filter(|b| b["status"] == "completed").count()
    );
    assert_eq!(
        st["online"],
        list.iter().filter(|b| b["channel"] == "portal").count()
    );
    let visits: f64 = list
        .iter()
        .map(|b| b["visits"].as_f64().unwrap())
        .sum::<f64>()
        / list.len() as f64;
    assert_eq!(
        st["avg_visits"].as_f64().unwrap(),
        (visits * 10.0).round() / 10.0
    );
    let days: f64 = finished
        .iter()
        .map(|b| b["elapsed_working_days"].as_f64().unwrap())
        .sum::<f64>()
        / finished.len() as f64;
    assert_eq!(
        st["avg_working_days"].as_f64().unwrap(),
        (days * 10.0).round() / 10.0
    );
    let birth = st["by_template"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "birth")
        .unwrap();
    assert_eq!(
        birth["count"],
        list.iter().filter(|b| b["template"] == "birth").count()
    );
}

on_both!(bundle_demo_and_stats, demo_and_stats);
on_both!(bundle_catalogue_and_templates, catalogue_and_templates);
on_both!(bundle_birth_walk, birth_walk);
on_both!(bundle_window_and_refusal, window_and_refusal);
