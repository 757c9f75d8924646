//! Fuzzing the HTTP edges (issue 19): random JSON bodies for the case API and the portal,
//! random Open311 forms and query strings, against the real server on SQLite and PostgreSQL.
//! Whatever comes in, the answer is a success or a 4xx in the endpoint's error format, never a
//! 5xx, and the server keeps answering. Case counts are fixed (3,000 requests per backend, about
//! 10 s here); `FUZZ_CASES=N` multiplies them.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

fn config(cases: u32) -> Config {
    let factor = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    Config {
        cases: cases * factor.max(1),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Text with what troubles parsers and databases: control characters, quotes, long runs.
fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => proptest::char::range('一', '龥'),
        3 => proptest::char::range('a', 'z'),
        1 => Just('\u{0}'),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just('\u{1b}'),
        1 => Just('\''),
        1 => Just('%'),
        1 => Just('&'),
        1 => any::<char>(),
    ];
    prop_oneof![
        6 => proptest::collection::vec(ch, 0..40).prop_map(|v| v.into_iter().collect::<String>()),
        1 => (1usize..6000).prop_map(|n| "长".repeat(n)),
    ]
}

fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => Just(json!([])),
        1 => Just(json!({})),
    ]
}

/// A case body with each field present or not, of its type or another.
fn case_body(region: String) -> impl Strategy<Value = Value> {
    // Each steering field is given one time in five: with seven of them, most bodies must still
    // be acceptable ones, or the fuzzing never gets past the first check.
    let field = |name: &'static str| {
        proptest::option::weighted(0.2, json_scalar()).prop_map(move |v| (name, v))
    };
    (
        field("title"),
        field("description"),
        field("nature"),
        field("category"),
        field("urgency"),
        field("source"),
        field("reported_at"),
        (
            proptest::option::weighted(0.2, json_scalar()),
            proptest::option::weighted(0.2, json_scalar()),
        ),
        (
            proptest::option::weighted(0.2, json_scalar()),
            any::<bool>(),
        ),
        prop_oneof![Just("help"), Just("complaint"), Just("咨询"), Just("x")],
    )
        .prop_map(
            move |(a, b, c, d, e, f, g, (name, phone), (address, good_region), nature)| {
                let mut body = json!({
                    "description": "路灯坏了",
                    "nature": nature,
                    "reporter": { "name": "张三", "phone": "13800001111" },
                    "location": { "address": "金桥路", "region": region.clone() },
                });
                for (k, v) in [a, b, c, d, e, f, g] {
                    if let Some(v) = v {
                        body[k] = v;
                    }
                }
                if let Some(n) = name {
                    body["reporter"]["name"] = n;
                }
                if let Some(p) = phone {
                    body["reporter"]["phone"] = p;
                }
                if let Some(a) = address {
                    body["location"]["address"] = a;
                }
                if !good_region {
                    body["location"]["region"] = json!("33018800");
                }
                body
            },
        )
}

fn form_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(),
        1 => Just("CSGL-ZDJY".to_string()),
        1 => Just("30.2712".to_string()),
        1 => Just("9e999".to_string()),
        1 => Just("-1".to_string()),
        1 => Just("9223372036854775807".to_string()),
    ]
}

/// An Open311 form: the usual fields, each kept, dropped or replaced, plus stray ones.
fn open311_form() -> impl Strategy<Value = Vec<(String, String)>> {
    let keys = [
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "description",
        "first_name",
        "last_name",
        "phone",
        "email",
        "attribute[WHEN]",
        "page",
        "page_size",
        "start_date",
        "status",
    ];
    (
        proptest::collection::vec((0..keys.len(), form_value()), 0..8),
        proptest::collection::vec((text(), text()), 0..3),
    )
        .prop_map(move |(replaced, stray)| {
            let mut f: Vec<(String, String)> = vec![
                ("jurisdiction_id".into(), "linjiang.gov.cn".into()),
                ("service_code".into(), "CSGL-ZDJY".into()),
                ("lat".into(), "30.2712".into()),
                ("long".into(), "120.0035".into()),
                ("description".into(), "占道经营".into()),
                ("phone".into(), "13812345678".into()),
            ];
            for (k, v) in replaced {
                f.retain(|(fk, _)| fk != keys[k]);
                f.push((keys[k].to_string(), v));
            }
            f.extend(stray);
            f
        })
}

fn is_json_error(v: &Value) -> bool {
    v["error"]["code"].is_string() && v["error"]["message"].is_string()
}

fn fuzz_http(db: Db) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(TestServer::start(db));
    let clerk = rt.block_on(s.login("clerk"));
    let key = rt.block_on(s.app.create_api_key("fuzz")).unwrap();
    let (community, _) = s.community(0);

    // Each part must also see inputs it accepts, or it fuzzes only the first check.
    let ok = std::sync::atomic::AtomicUsize::new(0);
    let seen_ok = |st: reqwest::StatusCode| {
        if st.is_success() {
            ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let take_ok = || ok.swap(0, std::sync::atomic::Ordering::Relaxed);

    // The case API and the portal.
    TestRunner::new(config(1000))
        .run(&(case_body(community), any::<bool>()), |(body, portal)| {
            let (st, v) = rt.block_on(async {
                if portal {
                    s.call("POST", "/api/v1/portal/cases", None, Some(body.clone()))
                        .await
                } else {
                    s.post("/api/v1/cases", &clerk, body.clone()).await
                }
            });
            seen_ok(st);
            prop_assert!(
                st.is_success() || (st.is_client_error() && is_json_error(&v)),
                "{} for {}: {}",
                st,
                body,
                v
            );
            Ok(())
        })
        .unwrap();
    assert!(take_ok() > 0, "some cases were registered");

    // Open311 POSTs (the form) and GETs (the query), in both formats.
    TestRunner::new(config(1000))
        .run(
            &(open311_form(), any::<bool>(), any::<bool>()),
            |(form, xml, get)| {
                let path = if xml { "requests.xml" } else { "requests.json" };
                let url = format!("{}/open311/v2/{path}", s.base);
                let (st, body) = rt.block_on(async {
                    let mut form = form.clone();
                    let rb = if get {
                        // A URL has room for short values only.
                        for (k, v) in form.iter_mut() {
                            *k = k.chars().take(50).collect();
                            *v = v.chars().take(50).collect();
                        }
                        s.http.get(&url).query(&form)
                    } else {
                        form.push(("api_key".into(), key.clone()));
                        s.http.post(&url).form(&form)
                    };
                    let r = rb.send().await.unwrap();
                    (r.status(), r.text().await.unwrap())
                });
                seen_ok(st);
                prop_assert!(!st.is_server_error(), "{} for {:?}: {}", st, form, body);
                if !st.is_success() {
                    prop_assert!(
                        if xml {
                            body.contains("<errors>")
                        } else {
                            body.starts_with('[')
                        },
                        "{} {}",
                        st,
                        body
                    );
                }
                Ok(())
            },
        )
        .unwrap();
    assert!(take_ok() > 0, "some Open311 requests succeeded");

    // Lists: any query string.
    let short = form_value().prop_map(|v| v.chars().take(50).collect::<String>());
    let params = proptest::collection::vec(
        (
            prop_oneof![
                Just("page"),
                Just("page_size"),
                Just("q"),
                Just("status"),
                Just("from"),
                Just("to"),
                Just("sort"),
                Just("region"),
                Just("phone"),
                Just("due"),
            ],
            short,
        ),
        0..5,
    );
    TestRunner::new(config(1000))
        .run(&params, |params| {
            let (st, v) = rt.block_on(async {
                let r = s
                    .http
                    .get(format!("{}/api/v1/cases", s.base))
                    .bearer_auth(&clerk)
                    .query(&params)
                    .send()
                    .await
                    .unwrap();
                let st = r.status();
                (st, r.json::<Value>().await.unwrap_or(Value::Null))
            });
            seen_ok(st);
            prop_assert!(
                st.is_success() || (st.is_client_error() && is_json_error(&v)),
                "{} for {:?}: {}",
                st,
                params,
                v
            );
            Ok(())
        })
        .unwrap();
    assert!(take_ok() > 0, "some lists were served");

    let alive = rt.block_on(async {
        s.http
            .get(format!("{}/healthz", s.base))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(alive.is_success());
    rt.block_on(s.shutdown());
}

#[test]
fn fuzz_http_sqlite() {
    fuzz_http(Db::Sqlite);
}

#[test]
fn fuzz_http_postgres() {
    fuzz_http(Db::Postgres);
}
