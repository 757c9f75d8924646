//! The knowledge base over HTTP on both backends (issue 23): an article written, reviewed by its
//! owning unit and published, then found by a Chinese query (a draft and an expired one are not;
//! the portal sees only what is published); the hourly job telling the owners once; edits at a
//! stale version refused; an article proposed from an answered consultation; a 直接办结 that names
//! its article counts a use (and one not published is refused); who may do what; bad input; the
//! demo's articles; export/import carrying the tables.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASS: &str = "nine ferries at dawn";

/// A user of `role` at `unit`, signed in.
async fn user_of(s: &TestServer, admin: &str, role: &str, unit: &str) -> String {
    let username = format!("{role}_{unit}");
    let (st, v) = s
        .post("/api/v1/users", admin, json!({ "username": username, "password": PASS, "role": role, "unit": unit, "name": format!("{unit}{role}") }))
        .await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::CONFLICT,
        "{st} {v}"
    );
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

fn article(question: &str, answer: &str) -> Value {
    json!({
        "question": question,
        "answer": answer,
        "category": "卫生健康/医保报销",
        "unit": "ybj",
        "source": "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
        "valid_until": "2027-12-31",
        "review_at": "2027-06-30"
    })
}

async fn search(s: &TestServer, token: &str, q: &str) -> Vec<Value> {
    let (st, v) = s
        .get(&format!("/api/v1/knowledge?q={}", urlencode(q)), token)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

async fn portal(s: &TestServer, q: &str) -> Vec<Value> {
    let (st, v) = s
        .call(
            "GET",
            &format!("/api/v1/portal/knowledge?q={}", urlencode(q)),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|a| a["id"].as_str().unwrap()).collect()
}

async fn act(
    s: &TestServer,
    token: &str,
    a: &Value,
    action: &str,
    extra: Value,
) -> (StatusCode, Value) {
    let mut body = json!({ "action": action, "version": a["version"] });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    s.post(
        &format!("/api/v1/knowledge/{}/actions", a["id"].as_str().unwrap()),
        token,
        body,
    )
    .await
}

struct NoWebhooks;

#[async_trait::async_trait]
impl app::alerts::WebhookSender for NoWebhooks {
    async fn post(&self, _url: &str, _body: &str, _signature: &str) -> Result<(), String> {
        Ok(())
    }
}

async fn write_review_search(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let clerk = s.login("clerk").await;
    let cgj_lead = s.login("unitlead").await;
    let cgj_handler = s.login("handler").await;
    let ybj_lead = user_of(&s, &admin, "unit_lead", "ybj").await;

    // A clerk drafts an article for the 医保局.
    let (st, a) = s
        .post(
            "/api/v1/knowledge",
            &clerk,
            article(
                "异地就医怎么备案？",
                "可通过国家医保服务平台APP或浙里办办理跨省异地就医备案，备案后在就医地定点医疗机构直接结算。",
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["status"], "draft");
    assert_eq!(a["unit"], "ybj");
    assert_eq!(a["unit_name"], "医保局");
    assert_eq!(a["version"], 1);
    assert_eq!(a["uses"], 0);
    assert_eq!(a["expired"], false);
    assert!(a["created_at"].as_str().unwrap().ends_with("+08:00"));
    let id = a["id"].as_str().unwrap().to_string();

    // A draft is not found by search, nor on the portal.
    assert!(search(&s, &clerk, "异地就医").await.is_empty());
    assert!(portal(&s, "异地就医").await.is_empty());
    // Managers find it among drafts.
    let (_, drafts) = s.get("/api/v1/knowledge?status=draft", &admin).await;
    assert!(ids(drafts.as_array().unwrap()).contains(&id.as_str()));

    // Only the owning unit's lead (or an administrator or supervisor) publishes: not the clerk
    // who wrote it, not the lead or a handler of another unit.
    for token in [&clerk, &cgj_lead, &cgj_handler] {
        let (st, v) = act(&s, token, &a, "publish", json!({})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    }
    let (st, a) = act(
        &s,
        &ybj_lead,
        &a,
        "publish",
        json!({ "note": "政策依据已核对" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "published");
    assert_eq!(a["version"], 2);
    assert_eq!(a["history"].as_array().unwrap().len(), 2);
    // Publishing twice is not an action of a published article.
    let (st, v) = act(&s, &ybj_lead, &a, "publish", json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "action");

    // A Chinese query finds it, by any two characters of it; another text does not.
    for q in ["异地就医", "备案", "定点医疗机构", "医保服务平台"] {
        let found = search(&s, &clerk, q).await;
        assert_eq!(ids(&found), vec![id.as_str()], "{q}");
        assert_eq!(found[0]["question"], "异地就医怎么备案？");
        assert_eq!(found[0]["category"], "卫生健康/医保报销");
        assert_eq!(found[0]["unit"], "ybj");
    }
    assert!(search(&s, &clerk, "占道经营").await.is_empty());
    // A handler of any unit may search.
    assert_eq!(search(&s, &cgj_handler, "备案").await.len(), 1);
    // The portal sees the published article, without the staff's fields.
    let p = portal(&s, "异地就医").await;
    assert_eq!(ids(&p), vec![id.as_str()]);
    assert_eq!(p[0]["unit_name"], "医保局");
    assert!(p[0]["source"].as_str().unwrap().contains("医保发"));
    assert!(p[0].get("status").is_none() && p[0].get("uses").is_none());
    let (st, all) = s.call("GET", "/api/v1/portal/knowledge", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(all.as_array().unwrap().len(), 1);
    // Staff search needs a login.
    let (st, _) = s.call("GET", "/api/v1/knowledge?q=备案", None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let citizen = s.login("citizen").await;
    let (st, _) = s.get("/api/v1/knowledge?q=备案", &citizen).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Ranking: the question outranks the answer.
    let (st, b) = s
        .post(
            "/api/v1/knowledge",
            &ybj_lead,
            article(
                "医保报销比例是多少？",
                "在职职工住院报销比例按医院等级确定；办理备案后异地就医的，按就医地目录和参保地比例结算。",
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, b) = act(&s, &ybj_lead, &b, "publish", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let found = search(&s, &clerk, "异地就医").await;
    assert_eq!(
        ids(&found),
        vec![id.as_str(), b["id"].as_str().unwrap()],
        "the one asking it first"
    );
    let found = search(&s, &clerk, "报销比例").await;
    assert_eq!(ids(&found), vec![b["id"].as_str().unwrap()]);

    // Editing at a stale version is refused whatever else is wrong; at the current one it works.
    let url = format!("/api/v1/knowledge/{id}");
    let (st, v) = s
        .call(
            "PATCH",
            &url,
            Some(&ybj_lead),
            Some(json!({ "version": 1, "answer": "新答复", "category": "不存在/分类" })),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["details"]["current_version"], 2);
    let (st, v) = s
        .call(
            "PATCH",
            &url,
            Some(&cgj_handler),
            Some(json!({ "version": 2, "answer": "别的单位改" })),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, a) = s
        .call(
            "PATCH",
            &url,
            Some(&ybj_lead),
            Some(json!({ "version": 2, "answer": "请通过国家医保服务平台APP办理异地就医备案，长期居住人员需提交承诺书。" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["version"], 3);
    assert_eq!(a["status"], "published");
    assert_eq!(search(&s, &clerk, "承诺书").await.len(), 1, "reindexed");

    // Bad input: clear 4xx naming the field.
    for (body, field) in [
        (
            json!({ "answer": "x", "category": "卫生健康/医保报销" }),
            "question",
        ),
        (
            json!({ "question": "q", "answer": "x", "category": "不存在/分类" }),
            "category",
        ),
        (
            json!({ "question": "q", "answer": "x", "category": "卫生健康/医保报销", "unit": "nope" }),
            "unit",
        ),
        (
            json!({ "question": "q", "answer": "x", "category": "卫生健康/医保报销", "valid_until": "2026-02-30" }),
            "valid_until",
        ),
        (
            json!({ "question": "q", "answer": "x", "category": "卫生健康/医保报销", "valid_from": "2027-01-01", "valid_until": "2026-12-01" }),
            "valid_until",
        ),
        (
            json!({ "question": "q".repeat(301), "answer": "x", "category": "卫生健康/医保报销" }),
            "question",
        ),
        (
            json!({ "question": 5, "answer": "x", "category": "卫生健康/医保报销" }),
            "question",
        ),
    ] {
        let (st, v) = s.post("/api/v1/knowledge", &clerk, body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let (st, _) = s.get("/api/v1/knowledge/not-an-id", &clerk).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .get(
            &format!("/api/v1/knowledge/{}", uuid::Uuid::now_v7()),
            &clerk,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = s.get("/api/v1/knowledge?status=maybe", &admin).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = act(&s, &ybj_lead, &a, "explode", json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = s
        .get(&format!("/api/v1/knowledge?q={}", "长".repeat(101)), &clerk)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, _) = s
        .call("POST", "/api/v1/knowledge", Some(&clerk), None)
        .await;
    assert!(st.is_client_error());

    // An article whose validity ends: hidden from search and the portal the day after, listed
    // as expired for managers, its owners told once by the hourly job, renewed by its lead.
    let mut short = article(
        "门诊慢特病待遇怎么申请？",
        "由定点医疗机构医生在线申报，或到区医保服务窗口申请认定。",
    );
    short["valid_until"] = json!("2026-12-31");
    short["review_at"] = Value::Null;
    let (_, c) = s.post("/api/v1/knowledge", &ybj_lead, short).await;
    let (st, c) = act(&s, &ybj_lead, &c, "publish", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(search(&s, &clerk, "慢特病").await.len(), 1);
    assert_eq!(
        s.app.knowledge_review().await.unwrap(),
        0,
        "nothing due yet"
    );
    s.clock.set(common::T0 + 40 * 86_400_000); // 2027-01-03
    // Sessions last hours, not weeks: sign in again.
    let (admin, clerk, cgj_lead) = (
        s.login("admin").await,
        s.login("clerk").await,
        s.login("unitlead").await,
    );
    let ybj_lead = user_of(&s, &admin, "unit_lead", "ybj").await;
    assert!(search(&s, &clerk, "慢特病").await.is_empty());
    assert!(portal(&s, "慢特病").await.is_empty());
    let (_, listed) = s
        .get("/api/v1/knowledge?status=published&q=慢特病", &admin)
        .await;
    assert_eq!(listed[0]["expired"], true, "{listed}");
    // The hourly job (under its lease in the jobs table) tells the owners; once.
    let jobs = app::alerts::JobSettings {
        risk_scan_interval_ms: 0,
        retrain_interval_ms: 0,
        board_interval_ms: 0,
        ..Default::default()
    };
    s.app.run_due_jobs("w1", &NoWebhooks, &jobs).await.unwrap();
    assert_eq!(s.app.knowledge_review().await.unwrap(), 0, "told once");
    let (_, n) = s.get("/api/v1/notifications", &ybj_lead).await;
    let told: Vec<&Value> = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "knowledge_expired")
        .collect();
    assert_eq!(told.len(), 1, "{n}");
    assert!(told[0]["title"].as_str().unwrap().contains("门诊慢特病"));
    assert!(told[0]["body"].as_str().unwrap().contains("2026-12-31"));
    // In English for a reader who asks for it.
    let en: Value = s
        .http
        .get(format!("{}/api/v1/notifications", s.base))
        .bearer_auth(&ybj_lead)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let en_told = en["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "knowledge_expired")
        .unwrap();
    assert!(
        en_told["title"]
            .as_str()
            .unwrap()
            .starts_with("Knowledge article expired"),
        "{en_told}"
    );
    // An expired article cannot answer a call.
    let mut cons = s
        .new_case(
            &clerk,
            json!({ "nature": "consult", "category": "卫生健康/医保报销", "title": "咨询慢特病" }),
        )
        .await;
    let (st, v) = s
        .try_act(
            &clerk,
            &cons,
            "answer",
            json!({ "reply": "已答复", "knowledge_id": c["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "knowledge_id");
    // Renewed by its lead: found again, and told again when the new date passes.
    let (st, v) = act(
        &s,
        &cgj_lead,
        &c,
        "renew",
        json!({ "valid_until": "2027-12-31" }),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, v) = act(
        &s,
        &ybj_lead,
        &c,
        "renew",
        json!({ "valid_until": "2026-12-31" }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, c) = act(
        &s,
        &ybj_lead,
        &c,
        "renew",
        json!({ "valid_until": "2027-12-31" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["expired"], false);
    assert_eq!(search(&s, &clerk, "慢特病").await.len(), 1);
    cons = s
        .act(
            &clerk,
            &cons,
            "answer",
            json!({ "reply": "已按知识库答复", "knowledge_id": c["id"] }),
        )
        .await;
    assert_eq!(cons["status"], "resolved");
    // Retired: gone from search.
    let (st, c) = act(&s, &admin, &c, "retire", json!({ "note": "政策调整" })).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert!(search(&s, &clerk, "慢特病").await.is_empty());
    assert_eq!(c["uses"], 1);
    s.shutdown().await;
}
on_both!(write_review_search_expire, write_review_search);

async fn proposals_and_uses(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let clerk = s.login("clerk").await;
    let rsj_lead = user_of(&s, &admin, "unit_lead", "rsj").await;

    // A consultation answered directly (直接办结) becomes a proposal for the owning unit.
    let case = s
        .new_case(
            &clerk,
            json!({
                "title": "灵活就业人员如何缴纳养老保险",
                "description": "市民来电咨询：自己是自由职业者，想知道怎么缴纳职工养老保险。",
                "nature": "consult",
                "category": "劳动社保/社保缴纳",
            }),
        )
        .await;
    // Not before it is answered.
    let (st, v) = s
        .post(
            "/api/v1/knowledge/proposals",
            &clerk,
            json!({ "case_id": case["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "case_id");
    let reply = "可持身份证到区社保经办窗口或通过浙里办办理灵活就业人员参保登记，自选缴费基数档次，按月或按季缴费。";
    let case = s
        .act(&clerk, &case, "answer", json!({ "reply": reply }))
        .await;
    assert_eq!(case["status"], "resolved");
    let (st, p) = s
        .post(
            "/api/v1/knowledge/proposals",
            &clerk,
            json!({ "case_id": case["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(p["status"], "proposed");
    assert_eq!(p["proposed_from"], case["id"]);
    assert_eq!(p["answer"], reply);
    assert!(
        p["question"]
            .as_str()
            .unwrap()
            .contains("灵活就业人员如何缴纳养老保险")
    );
    assert_eq!(p["category"], "劳动社保/社保缴纳");
    // Once per case.
    let (st, v) = s
        .post(
            "/api/v1/knowledge/proposals",
            &clerk,
            json!({ "case_id": case["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    // Not from a complaint, not from a case one cannot see, not from a made-up id.
    let complaint = s.new_case(&clerk, json!({})).await;
    let complaint = s
        .act(&clerk, &complaint, "answer", json!({ "reply": "已解释" }))
        .await;
    let (st, v) = s
        .post(
            "/api/v1/knowledge/proposals",
            &clerk,
            json!({ "case_id": complaint["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let street2 = s.login("street2_handler").await;
    let (st, v) = s
        .post(
            "/api/v1/knowledge/proposals",
            &street2,
            json!({ "case_id": case["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, _) = s
        .post(
            "/api/v1/knowledge/proposals",
            &clerk,
            json!({ "case_id": "nope" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let leader = s.login("leader").await;
    let (st, _) = s
        .post(
            "/api/v1/knowledge/proposals",
            &leader,
            json!({ "case_id": case["id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The owning unit is the hub here (answered at the window, never dispatched): its
    // reviewers are administrators and supervisors; hand it to the 人社局, whose lead publishes.
    let (st, p) = s
        .call(
            "PATCH",
            &format!("/api/v1/knowledge/{}", p["id"].as_str().unwrap()),
            Some(&admin),
            Some(json!({ "version": p["version"], "unit": "rsj", "source": "《中华人民共和国社会保险法》第十条" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    // Proposals are listed for the unit's lead.
    let (_, listed) = s.get("/api/v1/knowledge?status=proposed", &rsj_lead).await;
    assert_eq!(
        ids(listed.as_array().unwrap()),
        vec![p["id"].as_str().unwrap()]
    );

    // A 直接办结 naming an article not yet published is refused, the case unchanged.
    let call = s
        .new_case(
            &clerk,
            json!({ "title": "咨询自由职业社保", "nature": "consult", "category": "劳动社保/社保缴纳" }),
        )
        .await;
    for bad in [
        p["id"].clone(),
        json!(uuid::Uuid::now_v7()),
        json!("not-an-id"),
    ] {
        let (st, v) = s
            .try_act(
                &clerk,
                &call,
                "answer",
                json!({ "reply": "按知识库答复", "knowledge_id": bad }),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "knowledge_id", "{v}");
    }
    assert_eq!(s.case(&clerk, &call).await["version"], call["version"]);
    let (st, p) = act(&s, &rsj_lead, &p, "publish", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let answered = s
        .act(
            &clerk,
            &call,
            "answer",
            json!({ "reply": reply, "knowledge_id": p["id"] }),
        )
        .await;
    assert_eq!(answered["status"], "resolved");
    let url = format!("/api/v1/knowledge/{}", p["id"].as_str().unwrap());
    let (_, now) = s.get(&url, &clerk).await;
    assert_eq!(now["uses"], 1);
    let (st, uses) = s.get(&format!("{url}/uses"), &clerk).await;
    assert_eq!(st, StatusCode::OK, "{uses}");
    assert_eq!(uses.as_array().unwrap().len(), 1);
    assert_eq!(uses[0]["case_id"], call["id"]);
    assert_eq!(uses[0]["number"], call["number"]);
    // Another handler's scope does not show the case.
    let (_, theirs) = s.get(&format!("{url}/uses"), &street2).await;
    assert!(theirs.as_array().unwrap().is_empty(), "{theirs}");
    // The article's version did not move with its use count.
    assert_eq!(now["version"], p["version"]);
    // The case's timeline is unchanged in form: an answer event.
    let ev = s.events(&clerk, &answered).await;
    assert_eq!(ev.last().unwrap()["action"], "answer");

    s.shutdown().await;
}
on_both!(proposals_and_knowledge_uses, proposals_and_uses);

async fn demo_articles(db: Db) {
    use seed::DemoSeed as _;
    let s = TestServer::start(db).await;
    let n = s.app.seed_knowledge().await.unwrap();
    assert!((30..=60).contains(&n), "{n}");
    assert_eq!(s.app.seed_knowledge().await.unwrap(), 0, "only once");
    let clerk = s.login("clerk").await;
    let admin = s.login("admin").await;
    let (_, all) = s
        .get("/api/v1/knowledge?status=all&limit=200", &admin)
        .await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), n);
    let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|a| f(a)).count();
    assert!(count(&|a| a["status"] == "proposed") >= 1);
    assert!(count(&|a| a["status"] == "published" && a["expired"] == true) >= 1);
    assert!(count(&|a| a["source"].as_str().unwrap_or_default().contains('《')) >= n - 2);
    let units: std::collections::BTreeSet<&str> =
        all.iter().map(|a| a["unit"].as_str().unwrap()).collect();
    assert!(units.len() >= 8, "{units:?}");
    // The published, unexpired ones are searchable; the most used first without a query.
    let found = search(&s, &clerk, "拖欠工资").await;
    assert!(!found.is_empty());
    // A clerk's whole sentence: nothing has all its words, the any-word mode ranks by how many.
    let sentence = "来电人退休后长期住在外地，想问看病怎么报销";
    assert!(search(&s, &clerk, sentence).await.is_empty());
    let (st, ranked) = s
        .get(
            &format!("/api/v1/knowledge?match=any&q={}", urlencode(sentence)),
            &clerk,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ranked}");
    assert!(
        ranked[0]["question"].as_str().unwrap().contains("异地就医"),
        "{ranked}"
    );
    let (st, _) = s.get("/api/v1/knowledge?match=some&q=x", &clerk).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, p) = s
        .call(
            "GET",
            &format!(
                "/api/v1/portal/knowledge?match=any&q={}",
                urlencode(sentence)
            ),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        p[0]["question"].as_str().unwrap().contains("异地就医"),
        "{p}"
    );
    let (_, faq) = s.call("GET", "/api/v1/portal/knowledge", None, None).await;
    let faq = faq.as_array().unwrap();
    assert!(faq.len() >= 25, "{}", faq.len());
    // Ages: the demo's expired articles are not on the portal.
    for a in all.iter().filter(|a| a["expired"] == true) {
        assert!(!faq.iter().any(|f| f["id"] == a["id"]));
    }
    s.shutdown().await;
}
on_both!(demo_knowledge, demo_articles);
