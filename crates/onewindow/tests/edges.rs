//! What every edge does with text and with requests it cannot serve (issue 19): a control
//! character in any text field is a 422 naming the field, alike on both backends (a NUL was a
//! 500 on PostgreSQL and stored on SQLite) and nothing is written; absurd page numbers, wrong
//! methods, content types, ids and query encodings are JSON errors with a 4xx (they were 500s
//! and empty 405s), Open311's in its own shape.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const JURISDICTION: &str = "linjiang.gov.cn";

/// Sends a request and returns status, headers and the body (JSON when it parses).
async fn send(rb: reqwest::RequestBuilder) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let r = rb.send().await.unwrap();
    let (st, h) = (r.status(), r.headers().clone());
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (st, h, v)
}

/// A JSON error with this status naming this field.
fn refused_field(got: &(StatusCode, Value), field: &str) {
    let (st, v) = got;
    assert_eq!(*st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
    assert_eq!(v["error"]["field"], field, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("控制字符"),
        "{v}"
    );
}

fn open311_form<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("api_key", key),
        ("jurisdiction_id", JURISDICTION),
        ("service_code", "CSGL-ZDJY"),
        ("lat", "30.2712"),
        ("long", "120.0035"),
        ("description", "临江路菜场门口每天傍晚有流动摊贩占道经营。"),
        ("first_name", "小明"),
        ("last_name", "王"),
        ("phone", "13812345678"),
    ];
    f.retain(|(fk, _)| !extra.iter().any(|(k, _)| k == fk));
    f.extend_from_slice(extra);
    f
}

async fn control_characters(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let (community, _) = s.community(0);
    let before = s.store.count_cases().await.unwrap();
    let body = |title: &str, description: &str, name: &str| {
        json!({
            "title": title, "description": description, "nature": "help",
            "reporter": { "name": name, "phone": "13800001111" },
            "location": { "address": "金桥路", "region": community },
        })
    };
    // The JSON API: any text field, by its path; tab and line breaks only where text is multi-line.
    for (b, field) in [
        (body("路灯\u{0}坏了", "路灯坏了", "张"), "title"),
        (body("路灯坏了", "路灯\u{0}坏了", "张"), "description"),
        (body("路灯坏了", "路灯\u{7}坏了", "张"), "description"),
        (body("路灯坏了", "路灯坏了", "张\u{0}"), "reporter.name"),
        (body("路灯\n坏了", "路灯坏了", "张"), "title"),
        (body("路灯坏了", "路灯坏了", "张\t三"), "reporter.name"),
    ] {
        refused_field(&s.post("/api/v1/cases", &clerk, b).await, field);
    }
    // Portal (anonymous).
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/portal/cases",
            None,
            Some(body("路灯坏了", "路灯坏了\u{0}", "张")),
        )
        .await;
    refused_field(&(st, v), "description");
    assert_eq!(
        s.store.count_cases().await.unwrap(),
        before,
        "nothing stored"
    );
    // Multi-line text keeps its line breaks and tabs.
    let c = s
        .new_case(&clerk, json!({ "description": "第一行\n第二行\r\n\t缩进" }))
        .await;
    assert_eq!(c["description"], "第一行\n第二行\r\n\t缩进");
    // A transition's opinion; the case is unchanged.
    let (st, v) = s
        .try_act(&clerk, &c, "accept", json!({ "opinion": "同意\u{0}" }))
        .await;
    refused_field(&(st, v), "opinion");
    assert_eq!(s.case(&clerk, &c).await["version"], c["version"]);
    // Query strings and paths of the API.
    let (st, v) = s.get("/api/v1/cases?q=%E8%B7%AF%00", &clerk).await;
    refused_field(&(st, v), "q");
    let (st, v) = s
        .call(
            "GET",
            "/api/v1/portal/cases/2026-000001%00?phone=13800001111",
            None,
            None,
        )
        .await;
    refused_field(&(st, v), "path");
    let (st, v) = s.get("/api/v1/cases?q=a%FFb", &clerk).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_encoding")),
        "{v}"
    );

    // Open311: form fields by name (400, the only client error of the standard), both formats.
    let key = s.app.create_api_key("edges").await.unwrap();
    let url = |f: &str| format!("{}/open311/v2/{f}", s.base);
    for (fmt, extra) in [
        ("requests.json", ("description", "占道\u{0}经营")),
        ("requests.xml", ("first_name", "小\u{1}明")),
        ("requests.json", ("first_name", "小\n明")),
    ] {
        let (st, _, v) = send(s.http.post(url(fmt)).form(&open311_form(&key, &[extra]))).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{extra:?}: {v}");
        let text = v.to_string();
        assert!(
            text.contains(extra.0) && text.contains("控制字符"),
            "{text}"
        );
    }
    let (st, _, v) = send(s.http.post(url("requests.json")).form(&open311_form(
        &key,
        &[("description", "占道经营\n已经一周")],
    )))
    .await;
    assert_eq!(st, StatusCode::OK, "a multi-line description: {v}");
    let (st, _, _) = send(s.http.get(url("requests/2026-000001%00.json"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        s.store.count_cases().await.unwrap(),
        before + 2,
        "only the two good cases"
    );
    s.shutdown().await;
}
on_both!(control_characters_refused_at_every_edge, control_characters);

async fn error_answers(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let api = |p: &str| format!("{}{p}", s.base);
    let json_error = |got: &(StatusCode, reqwest::header::HeaderMap, Value), status: StatusCode| {
        let (st, h, v) = got;
        assert_eq!(*st, status, "{v}");
        assert!(
            h.get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{h:?}"
        );
        assert!(v["error"]["code"].is_string(), "{v}");
        assert!(v["error"]["message"].is_string(), "{v}");
    };
    // Absurd page numbers and sizes: 422 naming the parameter.
    for (q, field) in [
        ("page=9223372036854775807", "page"),
        ("page=18446744073709551616", "page"),
        ("page=100001", "page"),
        ("page=-1", "page"),
        ("page_size=99999999999999999999", "page_size"),
        ("page=abc", "page"),
    ] {
        let got = send(
            s.http
                .get(api(&format!("/api/v1/cases?{q}")))
                .bearer_auth(&clerk),
        )
        .await;
        json_error(&got, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(got.2["error"]["field"], field, "{q}");
    }
    let (st, v) = s
        .get("/api/v1/cases?page=100000&page_size=100", &clerk)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["items"], json!([]));
    // Wrong methods: 405 with a JSON body and Allow.
    let got = send(s.http.put(api("/api/v1/cases")).bearer_auth(&clerk)).await;
    json_error(&got, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(got.2["error"]["code"], "method_not_allowed");
    let allow = got.1.get("allow").unwrap().to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    json_error(
        &send(s.http.delete(api("/healthz"))).await,
        StatusCode::METHOD_NOT_ALLOWED,
    );
    json_error(
        &send(s.http.post(api("/"))).await,
        StatusCode::METHOD_NOT_ALLOWED,
    );
    // Open311 answers in its own shape and format.
    let (st, h, v) = send(s.http.patch(api("/open311/v2/requests.xml"))).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert!(h["content-type"].to_str().unwrap().contains("xml"));
    assert!(v.as_str().unwrap().contains("<errors>"), "{v}");
    let (st, _, v) = send(s.http.get(api(&format!(
        "/open311/v2/requests.json?jurisdiction_id={JURISDICTION}&page=9223372036854775807"
    ))))
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v[0]["code"], 400, "{v}");
    // A body that says it is not JSON: 415.
    let case = json!({ "description": "路灯坏了" }).to_string();
    for ctype in ["text/plain", "application/x-www-form-urlencoded"] {
        let got = send(
            s.http
                .post(api("/api/v1/cases"))
                .bearer_auth(&clerk)
                .header("content-type", ctype)
                .body(case.clone()),
        )
        .await;
        json_error(&got, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    // Ids and query values that are not what they should be.
    for (path, status) in [
        ("/api/v1/cases/not-a-uuid", StatusCode::NOT_FOUND),
        ("/api/v1/cases/%FF", StatusCode::BAD_REQUEST),
        (
            "/api/v1/cases/9223372036854775807/events",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/cases?status=%FF", StatusCode::BAD_REQUEST),
        (
            "/api/v1/cases?supervised=maybe",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/cases?from=yesterday",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/notifications/not-an-id/read",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        ("/api/v1/no-such-thing", StatusCode::NOT_FOUND),
    ] {
        let got = send(s.http.get(api(path)).bearer_auth(&clerk)).await;
        json_error(&got, status);
    }
    // Oversized and empty bodies. The server may answer 413 and close before it has read the
    // whole body, so the client can see the connection end while still sending: a refusal all
    // the same, after which the server must still serve (the next request).
    let over = s
        .http
        .post(api("/api/v1/cases"))
        .bearer_auth(&clerk)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await;
    match over {
        Ok(r) => {
            let (st, h) = (r.status(), r.headers().clone());
            let text = r.text().await.unwrap_or_default();
            let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
            json_error(&(st, h, v), StatusCode::PAYLOAD_TOO_LARGE);
        }
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    json_error(
        &send(
            s.http
                .post(api("/api/v1/cases"))
                .bearer_auth(&clerk)
                .header("content-type", "application/json"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    s.shutdown().await;
}
on_both!(every_error_is_a_json_4xx, error_answers);
