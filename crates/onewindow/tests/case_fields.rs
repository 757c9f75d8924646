//! Who may set which field of a new case (`app::case_fields`, issue 19.5), every reference checked
//! against the taxonomy and the org tree (`app::references`: intake, filters, time-limit rules,
//! the routing catalogue, calendar regions; issues 19.6 and 18.5), and which case a concurrent
//! merge conflicted on (19.10). Over HTTP, on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A request every channel may send: only the matter, the reporter and the place.
/// A plain request; each from another phone, so the portal's per-phone submission limit (five
/// an hour) is not what the test meets.
fn plain(region: &str) -> Value {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    json!({
        "description": "小区门口每天晚上有流动摊贩占道经营，油烟和噪声扰民。",
        "nature": "complaint",
        "reporter": { "name": "王先生", "phone": format!("1381234{n:04}") },
        "location": { "address": "金桥社区南门", "region": region },
    })
}

fn with(mut body: Value, k: &str, v: Value) -> Value {
    body[k] = v;
    body
}

/// Who registers, and through which door.
#[derive(Clone, Copy, Debug)]
enum Door {
    Portal,
    Api,
}

struct Caller {
    name: &'static str,
    door: Door,
    token: Option<String>,
    /// May set category, urgency and reported_at.
    steers: bool,
    /// The source stored when none is given, one more it may give, and one it may not.
    default_source: &'static str,
    other_source: Option<&'static str>,
    refused_source: &'static str,
    allowed_sources: Value,
}

async fn register(s: &TestServer, c: &Caller, body: Value) -> (StatusCode, Value) {
    match c.door {
        Door::Portal => {
            s.call("POST", "/api/v1/portal/cases", None, Some(body))
                .await
        }
        Door::Api => {
            if c.name == "citizen" {
                // A citizen's account submits 5 an hour (the portal's per-phone limit): each
                // request of this test in an hour of its own.
                s.clock.advance(3_600_000);
            }
            s.call("POST", "/api/v1/cases", c.token.as_deref(), Some(body))
                .await
        }
    }
}

/// The stored case behind an answer of either door, as the district clerk sees it.
async fn stored(s: &TestServer, clerk: &str, answer: &Value) -> Value {
    let number = answer["number"].as_str().unwrap();
    let (_, l) = s
        .get(&format!("/api/v1/cases?number={number}"), clerk)
        .await;
    l["items"][0].clone()
}

async fn field_rights(db: Db) {
    let s = TestServer::start(db).await;
    let (region, _) = s.community(0);
    let clerk = s.login("clerk").await;
    let key = s.app.create_api_key("hotline-12345").await.unwrap();
    let callers = vec![
        Caller {
            name: "portal",
            door: Door::Portal,
            token: None,
            steers: false,
            default_source: "web",
            other_source: None,
            refused_source: "leader",
            allowed_sources: json!(["web"]),
        },
        Caller {
            name: "citizen",
            door: Door::Api,
            token: Some(s.login("citizen").await),
            steers: false,
            default_source: "web",
            other_source: None,
            refused_source: "leader",
            allowed_sources: json!(["web"]),
        },
        Caller {
            name: "clerk",
            door: Door::Api,
            token: Some(clerk.clone()),
            steers: true,
            default_source: "window",
            other_source: Some("leader"),
            refused_source: "open311",
            allowed_sources: json!([
                "window",
                "phone",
                "visit",
                "grid",
                "inspector",
                "transfer",
                "leader",
                "media"
            ]),
        },
        Caller {
            name: "dispatcher",
            door: Door::Api,
            token: Some(s.login("dispatcher").await),
            steers: true,
            default_source: "window",
            other_source: Some("phone"),
            refused_source: "web",
            allowed_sources: json!([
                "window",
                "phone",
                "visit",
                "grid",
                "inspector",
                "transfer",
                "leader",
                "media"
            ]),
        },
        Caller {
            name: "api key",
            door: Door::Api,
            token: Some(key),
            steers: true,
            default_source: "transfer",
            other_source: Some("app"),
            refused_source: "leader",
            allowed_sources: json!(["transfer", "app", "grid", "media"]),
        },
    ];
    let steering = [
        ("category", json!("环境保护/噪声污染")),
        ("urgency", json!("critical")),
        ("reported_at", json!("2020-01-01")),
    ];
    let mut backdated = 0;
    for c in &callers {
        let who = c.name;
        for (field, value) in &steering {
            let before = s.store.count_cases().await.unwrap();
            let (st, v) = register(&s, c, with(plain(&region), field, value.clone())).await;
            if c.steers {
                assert_eq!(st, StatusCode::CREATED, "{who} sets {field}: {v}");
                let case = stored(&s, &clerk, &v).await;
                match *field {
                    "category" => assert_eq!(case["category"], "环境保护/噪声污染"),
                    "urgency" => assert_eq!(case["urgency"], "critical"),
                    _ => {
                        assert!(
                            case["reported_at"]
                                .as_str()
                                .unwrap()
                                .starts_with("2020-01-01")
                        );
                        backdated += 1;
                    }
                }
            } else {
                assert_eq!(st, StatusCode::FORBIDDEN, "{who} may not set {field}: {v}");
                assert_eq!(v["error"]["code"], "field_not_permitted");
                assert_eq!(v["error"]["field"], *field, "{v}");
                assert!(v["error"]["message"].as_str().unwrap().contains(field));
                assert_eq!(
                    s.store.count_cases().await.unwrap(),
                    before,
                    "{who}: nothing stored"
                );
            }
        }
        // The source: the default, another allowed one, and one refused with the allowed list.
        let (st, v) = register(&s, c, plain(&region)).await;
        assert_eq!(st, StatusCode::CREATED, "{who}: {v}");
        let case = stored(&s, &clerk, &v).await;
        assert_eq!(case["source"], c.default_source, "{who}");
        assert_eq!(case["urgency"], "normal", "{who}");
        if let Some(o) = c.other_source {
            let (st, v) = register(&s, c, with(plain(&region), "source", json!(o))).await;
            assert_eq!(st, StatusCode::CREATED, "{who} source {o}: {v}");
            assert_eq!(stored(&s, &clerk, &v).await["source"], o);
        }
        let (st, v) = register(
            &s,
            c,
            with(plain(&region), "source", json!(c.default_source)),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::CREATED,
            "{who} may name its own source: {v}"
        );
        let (st, v) = register(
            &s,
            c,
            with(plain(&region), "source", json!(c.refused_source)),
        )
        .await;
        assert_eq!(
            (st, v["error"]["field"].as_str()),
            (StatusCode::FORBIDDEN, Some("source")),
            "{who}: {v}"
        );
        assert_eq!(v["error"]["details"]["allowed"], c.allowed_sources, "{who}");
        // null and "" are absent.
        let body = with(
            with(plain(&region), "category", Value::Null),
            "urgency",
            json!(""),
        );
        let (st, v) = register(&s, c, body).await;
        assert_eq!(st, StatusCode::CREATED, "{who}: {v}");
    }
    // Only the staff's and the integration's backdated cases count in January 2020.
    let (_, jan) = s
        .get("/api/v1/cases?from=2020-01-01&to=2020-01-31", &clerk)
        .await;
    assert_eq!(jan["total"], backdated, "{jan}");
    assert_eq!(backdated, 3);
    // Roles that do not register cases at all.
    for role in ["handler", "unitlead", "supervisor", "leader", "admin"] {
        let t = s.login(role).await;
        let (st, v) = s.post("/api/v1/cases", &t, plain(&region)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role}: {v}");
    }
    // The portal still needs the phone it tracks by; English on request.
    let mut body = plain(&region);
    body["reporter"] = json!({ "name": "陈阿姨" });
    let (st, v) = s
        .call("POST", "/api/v1/portal/cases", None, Some(body))
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reporter.phone"))
    );
    let r = s
        .http
        .post(format!("{}/api/v1/cases", s.base))
        .bearer_auth(callers[1].token.clone().unwrap())
        .header("accept-language", "en")
        .json(&with(plain(&region), "urgency", json!("critical")))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("field urgency: role citizen may not set it"),
        "{v}"
    );
    s.shutdown().await;
}
on_both!(each_channel_sets_only_its_fields, field_rights);

async fn ledger_rights(db: Db) {
    let s = TestServer::start(db).await;
    let (community, _) = s.community(0);
    let file = |category: &str| {
        format!(
            "\u{feff}走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话\r\n张三,住户,2026-11-20,李干部,楼道堆物影响通行,金桥花园1幢,{community},{category},\r\n"
        )
        .into_bytes()
    };
    let upload = |token: String, body: Vec<u8>| {
        let s = &s;
        async move {
            let r = s
                .http
                .post(format!(
                    "{}/api/v1/ledger/import?mode=all_or_nothing&dry_run=true",
                    s.base
                ))
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for role in ["clerk", "dispatcher", "admin"] {
        let (st, rep) = upload(s.login(role).await, file("城市管理/市容环境")).await;
        assert_eq!(st, StatusCode::OK, "{role}: {rep}");
        assert_eq!(rep["rejected_rows"], 0, "{role}: {rep}");
    }
    for role in ["citizen", "handler", "leader"] {
        let (st, _) = upload(s.login(role).await, file("城市管理/市容环境")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role}");
    }
    // The same taxonomy as intake: a category nobody defined is pointed out on its row.
    let (st, rep) = upload(s.login("clerk").await, file("城市管理/<b>不存在</b>")).await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(rep["rejected_rows"], 1, "{rep}");
    assert_eq!(rep["errors"][0]["column"], "问题分类");
    s.shutdown().await;
}
on_both!(ledger_import_rights_and_categories, ledger_rights);

// ---------------------------------------------------------------------------------------------
// 19.6: categories and regions are references, checked on every channel; filters match nothing.

async fn references(db: Db) {
    let s = TestServer::start(db).await;
    let (community, street) = s.community(0);
    let clerk = s.login("clerk").await;
    let key = s.app.create_api_key("city-app").await.unwrap();
    let before = s.store.count_cases().await.unwrap();
    let payload = "<img src=x onerror=alert(1)>/<script>alert(2)</script>";
    let refused: Vec<(Value, &str)> = vec![
        (
            with(plain(&community), "category", json!(payload)),
            "category",
        ),
        (
            with(plain(&community), "category", json!("城市管理/不存在")),
            "category",
        ),
        (
            with(plain(&community), "category", json!("城市管理")),
            "category",
        ),
        (plain("330188999"), "location.region"),
        (plain(&format!("{community}9")), "location.region"),
        (plain("330188<b>"), "location.region"),
        (plain("110101"), "location.region"),
    ];
    for (body, field) in &refused {
        for token in [&clerk, &key] {
            let (st, v) = s.post("/api/v1/cases", token, body.clone()).await;
            assert_eq!(
                (st, v["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(*field)),
                "{body}: {v}"
            );
        }
    }
    // The portal checks the region the same way.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/portal/cases",
            None,
            Some(plain("330188999")),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("location.region"))
    );
    assert_eq!(
        s.store.count_cases().await.unwrap(),
        before,
        "nothing stored"
    );
    // The district, a street and a community are regions; a catalogue category is a category.
    for region in ["330188", street.as_str(), community.as_str()] {
        let (st, v) = s.post("/api/v1/cases", &clerk, plain(region)).await;
        assert_eq!(st, StatusCode::CREATED, "{region}: {v}");
    }
    // Filters: an unknown value matches nothing; an oversized or control-character one is a 422,
    // never a 500.
    let (st, l) = s
        .get("/api/v1/cases?category=%E5%9F%8E%E5%B8%82%E7%AE%A1%E7%90%86/%E4%B8%8D%E5%AD%98%E5%9C%A8", &clerk)
        .await;
    assert_eq!((st, l["total"].as_u64()), (StatusCode::OK, Some(0)), "{l}");
    for q in [
        "category=%3Cscript%3E",
        "region=999999",
        "unit=nope",
        "region=330188%25",
    ] {
        let (st, l) = s.get(&format!("/api/v1/cases?{q}"), &clerk).await;
        assert_eq!(
            (st, l["total"].as_u64()),
            (StatusCode::OK, Some(0)),
            "{q}: {l}"
        );
        let (st, _) = s
            .get(&format!("/api/v1/cases/export.csv?{q}"), &clerk)
            .await;
        assert_eq!(st, StatusCode::OK, "export {q}");
    }
    let long = "长".repeat(65);
    for q in [
        format!("category={long}"),
        "region=3301%0088".to_string(),
        "unit=c%0Agj".to_string(),
    ] {
        let (st, e) = s.get(&format!("/api/v1/cases?{q}"), &clerk).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {e}");
        assert!(e["error"]["field"].is_string(), "{e}");
    }
    s.shutdown().await;
}
on_both!(categories_and_regions_are_references, references);

// ---------------------------------------------------------------------------------------------
// 18.5: admin tables that name categories, units and regions check them on save; the error names
// the row and the field, and nothing is stored.

async fn admin_references(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let (community, street) = s.community(0);
    let (_, policy) = s.get("/api/v1/policies", &admin).await;
    let n = policy["rules"].as_array().unwrap().len();
    let rule = |category: Value, region: Value| {
        let mut r = policy["rules"][0].clone();
        r["nature"] = Value::Null;
        r["urgency"] = json!("urgent");
        r["category"] = category;
        r["region"] = region;
        r
    };
    let put = |rules: Vec<Value>| {
        let mut p = policy.clone();
        for r in rules {
            p["rules"].as_array_mut().unwrap().push(r);
        }
        p
    };
    for (r, field, mention) in [
        (
            rule(json!("城市管理/不存在"), Value::Null),
            "category",
            "城市管理/不存在",
        ),
        (rule(json!("不存在"), Value::Null), "category", "不存在"),
        (rule(Value::Null, json!("330188999")), "region", "330188999"),
    ] {
        let (st, e) = s
            .call("PUT", "/api/v1/policies", Some(&admin), Some(put(vec![r])))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], format!("rules[{n}].{field}"), "{e}");
        assert_eq!(e["error"]["details"]["rule"], n);
        assert_eq!(e["error"]["details"]["field"], field);
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!("第 {} 条规则", n + 1)) && msg.contains(mention),
            "{msg}"
        );
    }
    let (_, now) = s.get("/api/v1/policies", &admin).await;
    assert_eq!(now, policy, "nothing was saved");
    // A group, a category, a street and a community are all references that exist.
    let ok = put(vec![
        rule(json!("城市管理"), json!(street)),
        rule(json!("城市管理/占道经营"), json!(community)),
    ]);
    let (st, v) = s
        .call("PUT", "/api/v1/policies", Some(&admin), Some(ok))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["rules"].as_array().unwrap().len(), n + 2);
    // The clocks' own checks name their rule and field the same way.
    let mut zero = rule(Value::Null, Value::Null);
    zero["clocks"]["handle"] = json!({ "unit": "working_days", "value": 0 });
    let (st, e) = s
        .call(
            "PUT",
            "/api/v1/policies",
            Some(&admin),
            Some(put(vec![zero])),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], format!("rules[{n}].clocks.handle"));

    // The routing catalogue: category, unit and region of each row.
    let (_, cat) = s.get("/api/v1/catalogue", &admin).await;
    let rows = cat.as_array().unwrap().len();
    for (k, v, field) in [
        ("category", json!("城市管理/不存在"), "category"),
        ("category", json!("<b>x</b>/y"), "category"),
        ("unit", json!("nope"), "unit"),
        ("region", json!("330188999"), "region"),
    ] {
        let mut row = json!({ "category": "城市管理/占道经营", "unit": "cgj", "region": street, "co_street": false });
        row[k] = v;
        let mut next = cat.clone();
        next.as_array_mut().unwrap().push(row);
        let (st, e) = s
            .call("PUT", "/api/v1/catalogue", Some(&admin), Some(next))
            .await;
        assert_eq!(
            (st, e["error"]["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(format!("[{rows}].{field}").as_str())
            ),
            "{e}"
        );
    }
    let (_, now) = s.get("/api/v1/catalogue", &admin).await;
    assert_eq!(now, cat, "nothing was saved");

    // Calendar regions.
    let (st, e) = s
        .post(
            "/api/v1/calendars/regions",
            &admin,
            json!({ "region": "330188999", "calendar": "cn" }),
        )
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("region"))
    );
    let (_, cals) = s.get("/api/v1/calendars", &admin).await;
    assert!(!cals.to_string().contains("330188999"), "nothing was saved");
    let (st, v) = s
        .post(
            "/api/v1/calendars/regions",
            &admin,
            json!({ "region": street, "calendar": "cn" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    s.shutdown().await;
}
on_both!(admin_tables_check_their_references, admin_references);

// ---------------------------------------------------------------------------------------------
// 19.10: merges into one main case at the same moment. One at a time wins on the main case; a
// loser is told that the main case conflicted (its number), and that its own case is unchanged.

async fn concurrent_merges(db: Db) {
    let s = TestServer::start(db).await;
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
    let disp = s.login("dispatcher").await;
    let main = s.new_case(&disp, json!({})).await;
    let main_number = main["number"].as_str().unwrap().to_string();
    let mut conflicts = vec![];
    let mut merged = 0;
    // Rounds of eight merges at once, until one has lost on the main case.
    for _ in 0..25 {
        let mut dups = vec![];
        for _ in 0..8 {
            dups.push(s.new_case(&disp, json!({})).await);
        }
        let tasks: Vec<_> = dups
            .iter()
            .map(|d| {
                let http = s.http.clone();
                let url = format!(
                    "{}/api/v1/cases/{}/transitions",
                    s.base,
                    d["id"].as_str().unwrap()
                );
                let body =
                    json!({ "action": "merge", "version": d["version"], "into": main["id"] });
                let token = disp.clone();
                tokio::spawn(async move {
                    let r = http
                        .post(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    (r.status(), r.json::<Value>().await.unwrap())
                })
            })
            .collect();
        let mut results = vec![];
        for t in tasks {
            results.push(t.await.unwrap());
        }
        for ((st, v), d) in results.into_iter().zip(&dups) {
            match st {
                StatusCode::OK => merged += 1,
                StatusCode::CONFLICT => conflicts.push((v, d.clone())),
                _ => panic!("{st}: {v}"),
            }
        }
        if !conflicts.is_empty() {
            break;
        }
    }
    assert!(!conflicts.is_empty(), "no two merges ever met");
    for (e, dup) in &conflicts {
        let err = &e["error"];
        assert_eq!(err["code"], "stale_version");
        let msg = err["message"].as_str().unwrap();
        assert!(msg.contains(&main_number), "names the main case: {msg}");
        assert_eq!(err["details"]["conflict"]["number"], main_number.as_str());
        assert_eq!(err["details"]["conflict"]["main"], true);
        assert_eq!(err["details"]["conflict"]["case_id"], main["id"]);
        // The caller's own case is unchanged: its version is the one it sent, and a retry works.
        assert_eq!(err["details"]["current_version"], dup["version"]);
        let (_, now) = s
            .get(
                &format!("/api/v1/cases/{}", dup["id"].as_str().unwrap()),
                &disp,
            )
            .await;
        assert_eq!(now["status"], dup["status"]);
        s.act(&disp, &now, "merge", json!({ "into": main["id"] }))
            .await;
        merged += 1;
    }
    let (_, m) = s
        .get(
            &format!("/api/v1/cases/{}", main["id"].as_str().unwrap()),
            &disp,
        )
        .await;
    assert_eq!(m["repeat_count"], merged, "every merge counted once");
    // A stale version of one's own case names that case.
    let dup = s.new_case(&disp, json!({})).await;
    let mut old = dup.clone();
    old["version"] = json!(dup["version"].as_i64().unwrap() - 1);
    let (st, e) = s
        .try_act(&disp, &old, "merge", json!({ "into": main["id"] }))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(e["error"]["details"]["conflict"]["number"], dup["number"]);
    assert_eq!(e["error"]["details"]["conflict"]["main"], false);
    assert_eq!(e["error"]["details"]["current_version"], dup["version"]);
    s.shutdown().await;
}
on_both!(concurrent_merges_name_the_main_case, concurrent_merges);
