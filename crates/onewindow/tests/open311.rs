//! Open311 GeoReport v2 over HTTP on both backends, item by item along the conformance checklist of
//! `reference/open311-georeport-v2.md` §19. XML is parsed (quick-xml), not compared as strings.
//! Checklist item 11: the mySociety `servicerequestupdates` GET (not its POST), and an optional
//! `phone` (FixMyStreet often sends none).
#![allow(clippy::unwrap_used)]

mod common;

use app::ports::Store;
use common::{Db, T0, TestServer};
use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

type Form<'a> = Vec<(&'a str, &'a str)>;
const JURISDICTION: &str = "linjiang.gov.cn";

// ---------------------------------------------------------------------------------------------
// A small XML tree, enough to check shapes.

#[derive(Debug, Clone, Default)]
struct Xml {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Xml>,
    /// `<x/>` rather than `<x></x>`.
    empty: bool,
}

impl Xml {
    fn all(&self, name: &str) -> Vec<&Xml> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    fn child(&self, name: &str) -> &Xml {
        let v = self.all(name);
        assert_eq!(
            v.len(),
            1,
            "<{}> must have one <{name}>: {self:?}",
            self.name
        );
        v[0]
    }
    fn has(&self, name: &str) -> bool {
        !self.all(name).is_empty()
    }
    fn get(&self, name: &str) -> &str {
        &self.child(name).text
    }
    /// Child element names, in order.
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parses a document; returns its declared encoding and the root element.
fn parse_xml(doc: &str) -> (Option<String>, Xml) {
    let mut r = Reader::from_str(doc);
    let mut stack: Vec<Xml> = vec![Xml::default()];
    let mut encoding = None;
    let open = |e: &quick_xml::events::BytesStart<'_>| Xml {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (a.key.as_ref().to_string(), a.value.to_string())
            })
            .collect(),
        ..Xml::default()
    };
    loop {
        match r.read_event().unwrap() {
            Event::Decl(d) => {
                encoding = d.encoding().map(|e| e.unwrap().to_string());
            }
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let mut x = open(&e);
                x.empty = true;
                stack.last_mut().unwrap().children.push(x);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::CData(t) => stack.last_mut().unwrap().text.push_str(&t),
            Event::GeneralRef(g) => {
                let s = if let Some(c) = g.resolve_char_ref().unwrap() {
                    c.to_string()
                } else {
                    quick_xml::escape::resolve_predefined_entity(&g.xml10_content())
                        .unwrap()
                        .to_string()
                };
                stack.last_mut().unwrap().text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    let mut root = doc.children.remove(0);
    trim(&mut root);
    (encoding, root)
}

/// Indentation around child elements is not content.
fn trim(x: &mut Xml) {
    if !x.children.is_empty() {
        assert!(x.text.trim().is_empty(), "mixed content in <{}>", x.name);
        x.text.clear();
    }
    for c in &mut x.children {
        trim(c);
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers.

struct Res {
    status: StatusCode,
    ctype: String,
    body: String,
    total: Option<u64>,
}

impl Res {
    fn xml(&self) -> Xml {
        assert!(
            self.ctype.starts_with("text/xml"),
            "{} {}",
            self.ctype,
            self.body
        );
        let (enc, root) = parse_xml(&self.body);
        assert_eq!(
            enc.as_deref().map(str::to_ascii_uppercase).as_deref(),
            Some("UTF-8")
        );
        root
    }
    fn json(&self) -> Value {
        assert!(
            self.ctype.starts_with("application/json"),
            "{} {}",
            self.ctype,
            self.body
        );
        serde_json::from_str(&self.body).unwrap()
    }
}

async fn finish(r: reqwest::Response) -> Res {
    let status = r.status();
    let ctype = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let total = r
        .headers()
        .get("x-total-count")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    Res {
        status,
        ctype,
        body: r.text().await.unwrap(),
        total,
    }
}

async fn get(s: &TestServer, path: &str) -> Res {
    finish(
        s.http
            .get(format!("{}/open311/v2/{path}", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn get_en(s: &TestServer, path: &str) -> Res {
    finish(
        s.http
            .get(format!("{}/open311/v2/{path}", s.base))
            .header("accept-language", "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn post(s: &TestServer, path: &str, form: &[(&str, &str)]) -> Res {
    finish(
        s.http
            .post(format!("{}/open311/v2/{path}", s.base))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A valid POST body; `extra` replaces the fields of the same names (and may repeat a key).
fn form<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("api_key", key),
        ("jurisdiction_id", JURISDICTION),
        ("service_code", "CSGL-ZDJY"),
        ("lat", "30.2712"),
        ("long", "120.0035"),
        (
            "description",
            "临江路菜场门口每天傍晚有流动摊贩占道经营，行人只能走机动车道。",
        ),
        ("first_name", "小明"),
        ("last_name", "王"),
        ("phone", "13812345678"),
        ("email", "wang@example.cn"),
    ];
    f.retain(|(fk, _)| !extra.iter().any(|(k, _)| k == fk));
    f.extend_from_slice(extra);
    f
}

fn without<'a>(mut f: Vec<(&'a str, &'a str)>, keys: &[&str]) -> Vec<(&'a str, &'a str)> {
    f.retain(|(k, _)| !keys.contains(k));
    f
}

async fn start(db: Db) -> (TestServer, String) {
    let s = TestServer::start(db).await;
    let key = s.app.create_api_key("open311-test").await.unwrap();
    // These tests follow requests through the manual path; automatic dispatch is tested in intake.rs.
    s.store
        .put_setting(
            "triage",
            r#"{"auto_dispatch":false,"min_confidence":0.9,"channels":[]}"#,
        )
        .await
        .unwrap();
    (s, key)
}

/// Submits and returns the new service_request_id.
async fn submit(s: &TestServer, f: &[(&str, &str)]) -> String {
    let r = post(s, "requests.json", f).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The case behind a service_request_id, as the district clerk sees it.
async fn staff_case(s: &TestServer, token: &str, number: &str) -> Value {
    let (st, l) = s
        .get(&format!("/api/v1/cases?number={number}"), token)
        .await;
    assert_eq!(st, StatusCode::OK, "{l}");
    assert_eq!(l["items"].as_array().unwrap().len(), 1, "{l}");
    l["items"][0].clone()
}

/// Asserts an error response: the status, the format's `errors` shape with `code` = the status,
/// and returns the descriptions.
fn assert_errors(r: &Res, status: StatusCode, json_fmt: bool) -> Vec<String> {
    assert_eq!(r.status, status, "{}", r.body);
    if json_fmt {
        let v = r.json();
        let list = v.as_array().expect("errors are a JSON array");
        assert!(!list.is_empty());
        list.iter()
            .map(|e| {
                assert_eq!(e["code"], json!(status.as_u16()), "{e}");
                e["description"].as_str().unwrap().to_string()
            })
            .collect()
    } else {
        let x = r.xml();
        assert_eq!(x.name, "errors");
        let list = x.all("error");
        assert!(!list.is_empty());
        assert_eq!(x.children.len(), list.len(), "only <error> children");
        list.iter()
            .map(|e| {
                assert_eq!(e.names(), vec!["code", "description"]);
                assert_eq!(e.get("code"), status.as_u16().to_string());
                e.get("description").to_string()
            })
            .collect()
    }
}

fn is_w3c_with_offset(s: &str) -> bool {
    s.parse::<jiff::Timestamp>().is_ok() && (s.ends_with("+08:00") || s.ends_with('Z'))
}

const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

// ---------------------------------------------------------------------------------------------
// Checklist 1, 2, 3: every route, in XML (always) and JSON; UTF-8, an XML declaration, no
// namespace; `text/xml` / `application/json` with `charset=utf-8`; JSON lists as bare arrays,
// discovery and a definition as objects.

async fn routes_and_formats(db: Db) {
    let (s, key) = start(db).await;
    let id = submit(&s, &form(&key, &[])).await;
    let single = format!("requests/{id}");
    let paths = [
        ("discovery", "discovery", false),
        ("services", "services", true),
        ("services/HJBH-ZSWR", "service_definition", false),
        ("requests", "service_requests", true),
        (single.as_str(), "service_requests", true),
    ];
    for (path, root, array) in paths {
        let x = get(&s, &format!("{path}.xml")).await;
        assert_eq!(x.status, StatusCode::OK, "{path}: {}", x.body);
        assert_eq!(x.ctype, "text/xml; charset=utf-8");
        assert!(
            x.body
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        );
        let root_el = x.xml();
        assert_eq!(root_el.name, root, "{path}");
        assert!(
            root_el.attrs.iter().all(|(k, _)| !k.starts_with("xmlns")),
            "no namespace"
        );
        let j = get(&s, &format!("{path}.json")).await;
        assert_eq!(j.status, StatusCode::OK, "{path}");
        assert_eq!(j.ctype, "application/json; charset=utf-8");
        let v = j.json();
        assert_eq!(v.is_array(), array, "{path}: {v}");
        assert_eq!(v.is_object(), !array, "{path}: {v}");
    }
    // A single request is a one-element array in JSON and one <request> in XML.
    assert_eq!(
        get(&s, &format!("requests/{id}.json"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(&s, &format!("requests/{id}.xml"))
            .await
            .xml()
            .all("request")
            .len(),
        1
    );
    // POST answers in both formats too (checked in detail below); tokens exist as a route.
    let x = post(&s, "requests.xml", &form(&key, &[])).await;
    assert_eq!(
        (x.status, x.xml().name.as_str()),
        (StatusCode::OK, "service_requests")
    );
    let t = get(&s, "tokens/abc.xml").await;
    assert_errors(&t, StatusCode::NOT_FOUND, false);
    let t = get(&s, "tokens/abc.json").await;
    assert_errors(&t, StatusCode::NOT_FOUND, true);
    // The `open311` Python library's singular `service/{code}` path.
    assert_eq!(
        get(&s, "service/SDQ-RQ.xml").await.xml().name,
        "service_definition"
    );
    // Unknown resources and suffixes are 404 with an errors body (XML, the default format).
    for path in ["nothing.xml", "services.html", "requests", "a/b/c.xml"] {
        assert_errors(&get(&s, path).await, StatusCode::NOT_FOUND, false);
    }
    s.shutdown().await;
}
on_both!(routes_and_formats_, routes_and_formats);

// ---------------------------------------------------------------------------------------------
// §5 Discovery: all fields, in both formats.

async fn discovery(db: Db) {
    let (s, _) = start(db).await;
    let x = get(&s, "discovery.xml").await.xml();
    assert_eq!(
        x.names(),
        vec!["changeset", "contact", "key_service", "endpoints"]
    );
    for f in ["changeset", "contact", "key_service"] {
        assert!(!x.get(f).is_empty(), "{f}");
    }
    let eps = x.child("endpoints").all("endpoint");
    assert_eq!(eps.len(), 2, "GeoReport v2 and mySociety's extension");
    assert_eq!(
        eps[1].get("specification"),
        "https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311"
    );
    assert_eq!(eps[1].get("url"), format!("{}/open311/v2", s.base));
    let ep = eps[0];
    assert_eq!(
        ep.get("specification"),
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(ep.get("url"), format!("{}/open311/v2", s.base));
    assert_eq!(ep.get("type"), "production");
    assert!(!ep.get("changeset").is_empty());
    let formats: Vec<&str> = ep
        .child("formats")
        .all("format")
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(formats, vec!["text/xml", "application/json"]);
    let j = get(&s, "discovery.json").await.json();
    assert_eq!(j["changeset"].as_str(), Some(x.get("changeset")));
    assert_eq!(
        j["contact"].as_str(),
        Some(x.get("contact")),
        "Chinese text equal in both"
    );
    assert_eq!(
        j["endpoints"][0]["formats"],
        json!(["text/xml", "application/json"])
    );
    assert_eq!(
        j["endpoints"][0]["url"],
        json!(format!("{}/open311/v2", s.base))
    );
    s.shutdown().await;
}
on_both!(discovery_, discovery);

// ---------------------------------------------------------------------------------------------
// §6, §7 Service list and definitions: 44 services with stable codes, group = 一级, keywords,
// metadata exactly where a definition has attributes; the definition's shape and datatypes.

async fn services_and_definitions(db: Db) {
    let (s, _) = start(db).await;
    let x = get(&s, "services.xml").await.xml();
    let list = x.all("service");
    assert_eq!(list.len(), 44);
    assert_eq!(x.children.len(), 44);
    let j = get(&s, "services.json").await.json();
    let arr = j.as_array().unwrap();
    assert_eq!(arr.len(), 44);
    let mut codes = vec![];
    for (el, v) in list.iter().zip(arr) {
        let code = el.get("service_code");
        assert!(code.is_ascii() && !code.is_empty(), "{code}");
        assert_eq!(v["service_code"], json!(code), "string in JSON, same order");
        codes.push(code.to_string());
        for f in ["service_name", "description", "keywords", "group"] {
            assert!(!el.get(f).is_empty(), "{code} {f}");
            assert_eq!(v[f].as_str(), Some(el.get(f)));
        }
        assert_eq!(el.get("type"), "realtime");
        let metadata = el.get("metadata");
        assert!(metadata == "true" || metadata == "false");
        assert_eq!(v["metadata"], json!(metadata == "true"));
        // metadata ⇔ the definition has attributes.
        let d = get(&s, &format!("services/{code}.xml")).await;
        assert_eq!(d.status, StatusCode::OK);
        let d = d.xml();
        assert_eq!(d.get("service_code"), code);
        let n = d.child("attributes").all("attribute").len();
        assert_eq!(n > 0, metadata == "true", "{code}");
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 44, "unique codes");
    // Stable codes and the taxonomy's groups.
    let by_code = |c: &str| arr.iter().find(|v| v["service_code"] == c).unwrap().clone();
    let noise = by_code("HJBH-ZSWR");
    assert_eq!(
        (
            noise["service_name"].as_str(),
            noise["group"].as_str(),
            noise["metadata"].as_bool()
        ),
        (Some("噪声污染"), Some("环境保护"), Some(true))
    );
    assert!(noise["keywords"].as_str().unwrap().contains("扰民"));
    let street = by_code("CSGL-ZDJY");
    assert_eq!(
        (street["group"].as_str(), street["metadata"].as_bool()),
        (Some("城市管理"), Some(false))
    );
    let groups: std::collections::BTreeSet<&str> =
        arr.iter().map(|v| v["group"].as_str().unwrap()).collect();
    assert_eq!(groups.len(), 12);

    // Definition shape (XML): attributes wrapped in <attributes>, values in <values><value>.
    let d = get(&s, "services/HJBH-ZSWR.xml").await.xml();
    assert_eq!(d.names(), vec!["service_code", "attributes"]);
    let attrs = d.child("attributes").all("attribute");
    let time = attrs
        .iter()
        .find(|a| a.get("code") == "NOISE_TIME")
        .unwrap();
    assert_eq!(
        time.names(),
        vec![
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values"
        ]
    );
    assert_eq!(
        (
            time.get("variable"),
            time.get("datatype"),
            time.get("required"),
            time.get("order")
        ),
        ("true", "singlevaluelist", "true", "1")
    );
    assert!(
        time.child("datatype_description").empty,
        "empty value as <x/>"
    );
    let keys: Vec<&str> = time
        .child("values")
        .all("value")
        .iter()
        .map(|v| v.get("key"))
        .collect();
    assert_eq!(keys, vec!["day", "night", "allday"]);
    assert!(
        time.child("values").all("value")[1]
            .get("name")
            .contains("夜间")
    );
    // JSON: an object with an array of attributes; null for empty values; numbers and booleans.
    let j = get(&s, "services/LDSB-TQGZ.json").await.json();
    assert_eq!(j["service_code"], "LDSB-TQGZ");
    let a = j["attributes"].as_array().unwrap();
    let find = |c: &str| a.iter().find(|x| x["code"] == c).unwrap().clone();
    let amount = find("WAGE_AMOUNT");
    assert_eq!(
        (
            amount["datatype"].as_str(),
            amount["required"].as_bool(),
            amount["order"].as_i64()
        ),
        (Some("number"), Some(true), Some(2))
    );
    assert_eq!(find("WAGE_EMPLOYER")["datatype"], "string");
    assert_eq!(find("WAGE_EMPLOYER")["datatype_description"], Value::Null);
    assert_eq!(find("WAGE_SINCE")["datatype"], "datetime");
    let orders: Vec<i64> = a.iter().map(|x| x["order"].as_i64().unwrap()).collect();
    assert_eq!(orders, vec![1, 2, 3, 4]);
    // Every datatype of the standard is used somewhere, and informational attributes exist.
    let mut datatypes = std::collections::BTreeSet::new();
    let mut informational = 0;
    for code in ["HJBH-ZSWR", "LDSB-TQGZ", "JTYS-DLSS", "SDQ-RQ", "LLJF-XLGX"] {
        let j = get(&s, &format!("services/{code}.json")).await.json();
        for a in j["attributes"].as_array().unwrap() {
            datatypes.insert(a["datatype"].as_str().unwrap().to_string());
            if a["variable"] == false {
                informational += 1;
                assert_eq!(a["required"], false);
            }
        }
    }
    assert_eq!(datatypes.len(), 6, "{datatypes:?}");
    assert!(informational >= 1);
    // A service without extra fields still has a (empty) definition; an unknown code is 404.
    let d = get(&s, "services/CSGL-ZDJY.xml").await.xml();
    assert!(d.child("attributes").children.is_empty());
    assert_errors(
        &get(&s, "services/NOPE.xml").await,
        StatusCode::NOT_FOUND,
        false,
    );
    assert_errors(
        &get(&s, "services/NOPE.json").await,
        StatusCode::NOT_FOUND,
        true,
    );
    s.shutdown().await;
}
on_both!(services_and_definitions_, services_and_definitions);

// ---------------------------------------------------------------------------------------------
// Checklist 6: api_key on POST only, in the form body (the query string is accepted too);
// missing or invalid → 403 with an errors body, and nothing is created. GETs need no key.

async fn api_key_required(db: Db) {
    let (s, key) = start(db).await;
    let before = s.store.count_cases().await.unwrap();
    let r = post(&s, "requests.xml", &without(form(&key, &[]), &["api_key"])).await;
    assert!(assert_errors(&r, StatusCode::FORBIDDEN, false)[0].contains("api_key"));
    let r = post(&s, "requests.json", &form("owk_0000", &[])).await;
    assert_errors(&r, StatusCode::FORBIDDEN, true);
    let r = post(&s, "requests.json", &form("", &[])).await;
    assert_errors(&r, StatusCode::FORBIDDEN, true);
    // A staff session token is not an API key.
    let session = s.login("clerk").await;
    let r = post(&s, "requests.xml", &form(&session, &[])).await;
    assert_errors(&r, StatusCode::FORBIDDEN, false);
    // The key is checked before the rest of the request.
    let r = post(
        &s,
        "requests.xml",
        &[("api_key", "bad"), ("service_code", "NOPE")],
    )
    .await;
    assert_errors(&r, StatusCode::FORBIDDEN, false);
    assert_eq!(
        s.store.count_cases().await.unwrap(),
        before,
        "nothing created"
    );
    // In the query string (node-open311 style).
    let r = finish(
        s.http
            .post(format!("{}/open311/v2/requests.json?api_key={key}", s.base))
            .form(&without(form(&key, &[]), &["api_key"]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // GETs need none.
    for p in [
        "discovery.xml",
        "services.xml",
        "services/SDQ-RQ.xml",
        "requests.xml",
    ] {
        assert_eq!(get(&s, p).await.status, StatusCode::OK, "{p}");
    }
    s.shutdown().await;
}
on_both!(api_key_required_, api_key_required);

// ---------------------------------------------------------------------------------------------
// Checklist 7: POST validation — service_code (400 missing, 404 unknown), one location form,
// required attributes, datatype checks, multivaluelist via `attribute[code][]`, description ≤ 4000
// characters; several problems reported at once; nothing is created on any error.

async fn post_validation(db: Db) {
    let (s, key) = start(db).await;
    let before = s.store.count_cases().await.unwrap();
    let k = key.as_str();
    let cases: Vec<(Form<'_>, StatusCode, &str)> = vec![
        (
            without(form(k, &[]), &["service_code"]),
            StatusCode::BAD_REQUEST,
            "service_code",
        ),
        (
            form(k, &[("service_code", "NOPE")]),
            StatusCode::NOT_FOUND,
            "NOPE",
        ),
        (
            without(form(k, &[]), &["lat", "long"]),
            StatusCode::BAD_REQUEST,
            "address_string",
        ),
        (
            without(form(k, &[]), &["long"]),
            StatusCode::BAD_REQUEST,
            "long",
        ),
        (
            form(k, &[("lat", "北纬30度")]),
            StatusCode::BAD_REQUEST,
            "lat",
        ),
        (form(k, &[("long", "200")]), StatusCode::BAD_REQUEST, "long"),
        (
            form(k, &[("email", "not-an-address")]),
            StatusCode::BAD_REQUEST,
            "email",
        ),
        (
            form(k, &[("phone", "打我电话")]),
            StatusCode::BAD_REQUEST,
            "phone",
        ),
        (
            form(k, &[("service_code", "HJBH-ZSWR")]),
            StatusCode::BAD_REQUEST,
            "NOISE_TIME",
        ),
        (
            form(
                k,
                &[
                    ("service_code", "HJBH-ZSWR"),
                    ("attribute[NOISE_TIME]", "noon"),
                ],
            ),
            StatusCode::BAD_REQUEST,
            "noon",
        ),
        (
            form(
                k,
                &[
                    ("service_code", "LDSB-TQGZ"),
                    ("attribute[WAGE_EMPLOYER]", "临江建工"),
                    ("attribute[WAGE_AMOUNT]", "一万二"),
                ],
            ),
            StatusCode::BAD_REQUEST,
            "WAGE_AMOUNT",
        ),
        (
            form(
                k,
                &[
                    ("service_code", "LDSB-TQGZ"),
                    ("attribute[WAGE_EMPLOYER]", "临江建工"),
                    ("attribute[WAGE_AMOUNT]", "12000"),
                    ("attribute[WAGE_SINCE]", "2026-09-01T00:00:00"),
                ],
            ),
            StatusCode::BAD_REQUEST,
            "WAGE_SINCE",
        ),
        (
            form(
                k,
                &[
                    ("service_code", "JTYS-DLSS"),
                    ("attribute[ROAD_ITEMS][]", "ufo"),
                ],
            ),
            StatusCode::BAD_REQUEST,
            "ufo",
        ),
    ];
    for (f, status, mention) in &cases {
        let r = post(&s, "requests.xml", f).await;
        let d = assert_errors(&r, *status, false);
        assert!(d.iter().any(|d| d.contains(mention)), "{mention}: {d:?}");
    }
    let long = "长".repeat(4001);
    let r = post(&s, "requests.json", &form(k, &[("description", &long)])).await;
    assert!(assert_errors(&r, StatusCode::BAD_REQUEST, true)[0].contains("4000"));
    // Several problems at once, each its own <error>.
    let r = post(
        &s,
        "requests.xml",
        &without(
            form(k, &[("service_code", "LDSB-TQGZ")]),
            &["phone", "lat", "long"],
        ),
    )
    .await;
    let d = assert_errors(&r, StatusCode::BAD_REQUEST, false);
    assert!(d.len() >= 3, "location, two attributes: {d:?}");
    assert_eq!(
        s.store.count_cases().await.unwrap(),
        before,
        "nothing created"
    );

    // The valid forms: 4000 characters; each location form alone; attributes of every datatype.
    let ok = "好".repeat(4000);
    submit(&s, &form(k, &[("description", &ok)])).await;
    submit(
        &s,
        &without(
            form(k, &[("address_string", "临江路 88 号")]),
            &["lat", "long"],
        ),
    )
    .await;
    submit(
        &s,
        &without(form(k, &[("address_id", "330188001")]), &["lat", "long"]),
    )
    .await;
    let id = submit(
        &s,
        &form(
            k,
            &[
                ("service_code", "LDSB-TQGZ"),
                ("attribute[WAGE_EMPLOYER]", "临江建工有限公司"),
                ("attribute[WAGE_AMOUNT]", "12000.5"),
                ("attribute[WAGE_SINCE]", "2026-09-01T00:00:00Z"),
                ("attribute[fixmystreet_id]", "123"),
            ],
        ),
    )
    .await;
    let d = get(&s, &format!("requests/{id}.json")).await.json();
    let desc = d[0]["description"].as_str().unwrap();
    assert!(desc.contains("欠薪单位：临江建工有限公司"), "{desc}");
    assert!(desc.contains("欠薪金额（元）：12000.5"), "{desc}");
    assert!(
        desc.contains("拖欠起始时间：2026-09-01T08:00:00+08:00"),
        "{desc}"
    );
    let id = submit(
        &s,
        &form(
            k,
            &[
                ("service_code", "JTYS-DLSS"),
                ("attribute[ROAD_ITEMS][]", "pothole"),
                ("attribute[ROAD_ITEMS][]", "streetlight"),
            ],
        ),
    )
    .await;
    let d = get(&s, &format!("requests/{id}.json")).await.json();
    assert!(
        d[0]["description"]
            .as_str()
            .unwrap()
            .contains("设施问题：路面坑洼、路灯不亮")
    );
    let id = submit(
        &s,
        &form(
            k,
            &[
                ("service_code", "HJBH-ZSWR"),
                ("attribute[NOISE_TIME]", "night"),
                ("attribute[NOISE_SOURCE]", "business"),
            ],
        ),
    )
    .await;
    let d = get(&s, &format!("requests/{id}.json")).await.json();
    assert!(
        d[0]["description"]
            .as_str()
            .unwrap()
            .contains("噪声时段：夜间")
    );
    s.shutdown().await;
}
on_both!(post_validation_, post_validation);

// ---------------------------------------------------------------------------------------------
// Checklist 8 (realtime: `service_request_id`, never a `token`) and the case behind it: a
// registered case with source `open311`, created through intake (triage ran), with the reporter,
// the category of the service code, and the region from address_id / address_string / lat-long.

async fn post_creates_case(db: Db) {
    let (s, key) = start(db).await;
    let clerk = s.login("clerk").await;
    let (community, street) = s.community(0);
    let community_name = s
        .units
        .iter()
        .find(|u| u["code"] == community.as_str())
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    // XML response: service_requests → one request with the id, a notice, no token.
    let r = post(
        &s,
        "requests.xml",
        &without(
            form(
                &key,
                &[("address_id", &community), ("account_id", "acct-7")],
            ),
            &["lat", "long"],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let x = r.xml();
    assert_eq!(x.name, "service_requests");
    let reqs = x.all("request");
    assert_eq!(reqs.len(), 1);
    assert!(!reqs[0].has("token"), "realtime: no token");
    let number = reqs[0].get("service_request_id").to_string();
    assert!(reqs[0].get("service_notice").contains(&number));
    assert_eq!(reqs[0].get("account_id"), "acct-7");
    // JSON response: a one-element array; account_id null when not sent.
    let r = post(&s, "requests.json", &form(&key, &[])).await;
    let j = r.json();
    assert_eq!(j.as_array().unwrap().len(), 1);
    assert!(j[0]["service_request_id"].is_string());
    assert!(j[0].get("token").is_none());
    assert_eq!(j[0]["account_id"], Value::Null);
    let en = finish(
        s.http
            .post(format!("{}/open311/v2/requests.json", s.base))
            .header("accept-language", "en")
            .form(&form(&key, &[]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        en.json()[0]["service_notice"]
            .as_str()
            .unwrap()
            .starts_with("Registered as case")
    );

    // The case, as staff see it.
    let c = staff_case(&s, &clerk, &number).await;
    assert_eq!(c["status"], "registered");
    assert_eq!(c["source"], "open311");
    assert_eq!(c["category"], "城市管理/占道经营");
    assert_eq!(c["reporter"]["name"], "王小明");
    assert_eq!(c["location"]["region"], community.as_str());
    assert_eq!(
        c["location"]["address"],
        community_name.as_str(),
        "address from address_id"
    );
    assert_eq!(c["hub"], "330188");
    let events = s.events(&clerk, &c).await;
    assert_eq!(events[0]["action"], "register");
    assert!(
        events[0]["data"]["triage"]["category"].is_string(),
        "triage ran"
    );
    // lat/long: the nearest street centre (西塘街道 330188004 at 30.2768, 119.9687).
    let n = submit(&s, &form(&key, &[("lat", "30.2770"), ("long", "119.9690")])).await;
    let c = staff_case(&s, &clerk, &n).await;
    assert_eq!(c["location"]["region"], "330188004");
    assert_eq!(
        (c["location"]["lat"].as_f64(), c["location"]["lon"].as_f64()),
        (Some(30.277), Some(119.969))
    );
    // address_string naming a community.
    let addr = format!("{community_name}3幢东侧");
    let n = submit(
        &s,
        &without(form(&key, &[("address_string", &addr)]), &["lat", "long"]),
    )
    .await;
    let c = staff_case(&s, &clerk, &n).await;
    assert_eq!(
        (
            c["location"]["region"].as_str(),
            c["location"]["address"].as_str()
        ),
        (Some(community.as_str()), Some(addr.as_str()))
    );
    // An address we cannot place, and a point far away: the district hub's region.
    let n = submit(
        &s,
        &without(
            form(&key, &[("address_string", "某路某号")]),
            &["lat", "long"],
        ),
    )
    .await;
    assert_eq!(
        staff_case(&s, &clerk, &n).await["location"]["region"],
        "330188"
    );
    let n = submit(&s, &form(&key, &[("lat", "39.9"), ("long", "116.4")])).await;
    assert_eq!(
        staff_case(&s, &clerk, &n).await["location"]["region"],
        "330188"
    );
    // A street code as address_id; the street's co-unit is not our concern here.
    let n = submit(
        &s,
        &without(form(&key, &[("address_id", &street)]), &["lat", "long"]),
    )
    .await;
    assert_eq!(
        staff_case(&s, &clerk, &n).await["location"]["region"],
        street.as_str()
    );
    // No description: the service name stands in, so intake still has a text.
    let n = submit(&s, &without(form(&key, &[]), &["description"])).await;
    assert!(
        staff_case(&s, &clerk, &n).await["description"]
            .as_str()
            .unwrap()
            .contains("占道经营")
    );
    s.shutdown().await;
}
on_both!(post_creates_case_, post_creates_case);

// ---------------------------------------------------------------------------------------------
// UTF-8 (checklist 3): Chinese, markup characters, an emoji and line breaks go in through a form
// and come out identical in XML and JSON.

async fn chinese_round_trip(db: Db) {
    let (s, key) = start(db).await;
    let text = "噪声扰民：楼下「欢乐颂」KTV 每晚 <22:00> 后仍营业 & \"音响\" 很吵 🎤\r\n第二行：请尽快处理！";
    let address = "临江区文昌街道 <金桥> 路 & 7 号";
    let id = submit(
        &s,
        &without(
            form(&key, &[("description", text), ("address_string", address)]),
            &["lat", "long"],
        ),
    )
    .await;
    let x = get(&s, &format!("requests/{id}.xml")).await.xml();
    let r = x.child("request");
    assert_eq!(r.get("description"), text);
    assert_eq!(r.get("address"), address);
    let j = get(&s, &format!("requests/{id}.json")).await.json();
    assert_eq!(j[0]["description"], text);
    assert_eq!(j[0]["address"], address);
    // The list, too.
    let x = get(&s, "requests.xml").await.xml();
    assert!(
        x.all("request")
            .iter()
            .any(|r| r.get("description") == text)
    );
    // Chinese error descriptions, in both formats.
    let e = assert_errors(
        &get(&s, "services/不存在.xml").await,
        StatusCode::NOT_FOUND,
        false,
    );
    assert!(e[0].contains("不存在"), "{e:?}");
    let e = assert_errors(
        &get(&s, "services/不存在.json").await,
        StatusCode::NOT_FOUND,
        true,
    );
    assert!(e[0].contains("不存在"), "{e:?}");
    s.shutdown().await;
}
on_both!(chinese_round_trip_, chinese_round_trip);

// ---------------------------------------------------------------------------------------------
// Checklist 4 and 9: the list's filters — `service_request_id` (comma list) overrides all other
// arguments; `service_code` and `status` comma lists; `start_date`/`end_date` on
// requested_datetime, `Z` and `±HH:MM` accepted, at most 90 days apart; the default window (last
// 90 days, at most 1000 results); paging with `page`/`page_size`.

async fn list_filters_and_window(db: Db) {
    let (s, key) = start(db).await;
    let clerk = s.login("clerk").await;
    // One request 100 days ago, one 35 days ago, three now (two services).
    s.clock.set(T0 - 100 * DAY);
    let old = submit(&s, &form(&key, &[])).await;
    s.clock.set(T0 - 35 * DAY);
    let mid = submit(&s, &form(&key, &[("service_code", "SDQ-GS")])).await;
    s.clock.set(T0);
    let a = submit(&s, &form(&key, &[])).await;
    let b = submit(&s, &form(&key, &[("service_code", "SDQ-GS")])).await;
    let c = submit(&s, &form(&key, &[("service_code", "SDQ-GD")])).await;
    // A case taken at the window is not an Open311 request: never listed, never found.
    let staff = s.new_case(&clerk, json!({})).await;
    let staff_number = staff["number"].as_str().unwrap().to_string();
    // Close `a` (rejected).
    let ca = staff_case(&s, &clerk, &a).await;
    s.act(
        &clerk,
        &ca,
        "reject",
        json!({ "reason": "重复反映，已另案办理" }),
    )
    .await;

    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |q: String| {
        let s = &s;
        async move {
            let r = get(s, &format!("requests.json{q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            (ids(&r.json()), r.total)
        }
    };
    // Default: the last 90 days, newest first.
    let (l, total) = list(String::new()).await;
    assert_eq!(l, vec![c.clone(), b.clone(), a.clone(), mid.clone()]);
    assert_eq!(total, Some(4));
    // service_request_id overrides every other argument (even a status that excludes them, and a
    // window they are not in); unknown and non-Open311 ids are left out.
    let (l, _) = list(format!(
        "?service_request_id={old},{b},2026-999999,{staff_number}&status=closed&service_code=SDQ-GD"
    ))
    .await;
    assert_eq!(l, vec![old.clone(), b.clone()]);
    // Same in XML.
    let x = get(&s, &format!("requests.xml?service_request_id={a}"))
        .await
        .xml();
    assert_eq!(x.all("request")[0].get("service_request_id"), a);
    // service_code, one and a comma list.
    assert_eq!(
        list("?service_code=SDQ-GS".into()).await.0,
        vec![b.clone(), mid.clone()]
    );
    assert_eq!(
        list("?service_code=SDQ-GS,SDQ-GD".into()).await,
        (vec![c.clone(), b.clone(), mid.clone()], Some(3))
    );
    assert_eq!(
        list("?service_code=SDQ-GS,SDQ-GD&page=2&page_size=2".into())
            .await
            .0,
        vec![mid.clone()]
    );
    // status: open, closed, both.
    assert_eq!(list("?status=closed".into()).await.0, vec![a.clone()]);
    assert_eq!(
        list("?status=open".into()).await.0,
        vec![c.clone(), b.clone(), mid.clone()]
    );
    assert_eq!(list("?status=open,closed".into()).await.0.len(), 4);
    // Present-but-empty is absent.
    assert_eq!(
        list("?status=&service_code=&start_date=".into())
            .await
            .0
            .len(),
        4
    );
    // Dates: Z and +08:00; start alone covers 90 days from it; end alone the 90 days before it.
    let w3 = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
    let (l, _) = list(format!(
        "?start_date={}&end_date={}",
        w3(T0 - 120 * DAY),
        w3(T0 - 90 * DAY)
    ))
    .await;
    assert_eq!(l, vec![old.clone()]);
    let (l, _) = list(format!("?start_date={}", w3(T0 - 120 * DAY))).await;
    assert_eq!(l, vec![mid.clone(), old.clone()], "120 to 30 days ago");
    let (l, _) = list(format!("?end_date={}", w3(T0 - 30 * DAY))).await;
    assert_eq!(l, vec![mid.clone(), old.clone()], "120 to 30 days ago");
    let (l, _) = list("?start_date=2026-11-24T00:00:00%2B08:00".into()).await;
    assert_eq!(l, vec![c.clone(), b.clone(), a.clone()], "+08:00");
    let (l, _) =
        list("?start_date=2026-11-23T16:00:00Z&end_date=2026-11-24T02:00:00Z".into()).await;
    assert_eq!(
        l,
        vec![c.clone(), b.clone(), a.clone()],
        "Z; 10:00 Shanghai is 02:00Z"
    );
    let (l, _) =
        list("?start_date=2026-11-23T16:00:00Z&end_date=2026-11-24T01:59:59Z".into()).await;
    assert!(l.is_empty(), "inclusive bounds on requested_datetime");
    // Paging.
    let (p1, _) = list("?page_size=2".into()).await;
    let (p2, _) = list("?page_size=2&page=2".into()).await;
    let (p3, _) = list("?page_size=2&page=3".into()).await;
    assert_eq!((p1.len(), p2.len(), p3.len()), (2, 2, 0));
    assert_eq!(
        [p1, p2].concat(),
        vec![c.clone(), b.clone(), a.clone(), mid.clone()]
    );
    // Bad arguments: 400 with errors.
    for q in [
        "status=pending",
        "service_code=NOPE",
        "start_date=yesterday",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
        "page=0",
        "page_size=1001",
        "page_size=x",
    ] {
        let r = get(&s, &format!("requests.xml?{q}")).await;
        assert_errors(&r, StatusCode::BAD_REQUEST, false);
        let r = get(&s, &format!("requests.json?{q}")).await;
        assert_errors(&r, StatusCode::BAD_REQUEST, true);
    }

    // The default limit: 1000 results per answer. Add 1,000 copies of `c` registered in the last
    // hour (written directly, as bulk imports are).
    let template = s.store.get_case_by_number(&c).await.unwrap().unwrap();
    let rules = s.app.rules().await.unwrap();
    let writes = (0..1000i64)
        .map(|i| {
            let mut x = template.clone();
            x.id = uuid::Uuid::now_v7();
            x.number = String::new();
            x.reported_at = T0 - 60_000 - i * 1000;
            x.created_at = x.reported_at;
            (s.app.write_of_new(&rules, x), 2026)
        })
        .collect();
    s.store.insert_cases_bulk(writes).await.unwrap();
    let (l, total) = list(String::new()).await;
    assert_eq!((l.len(), total), (1000, Some(1004)));
    assert_eq!(&l[..2], &[c.clone(), b.clone()], "newest first");
    // Page 2 of the default 1000: the last three copies and `mid`.
    let (l, _) = list("?page=2".into()).await;
    assert_eq!(l.len(), 4);
    assert_eq!(l.last(), Some(&mid));
    let x = get(&s, "requests.xml").await.xml();
    assert_eq!(x.all("request").len(), 1000);
    s.shutdown().await;
}
on_both!(list_filters_and_window_, list_filters_and_window);

// ---------------------------------------------------------------------------------------------
// Checklist 10 and 12: our lifecycle mapped to open/closed, the detailed state or the reply in
// status_notes, expected_datetime from the handling due date, agency_responsible from the main
// unit; every field present, ids as strings, empty values `<x/>` in XML and null in JSON,
// datetimes with an offset; the `extensions=true` extension.

async fn lifecycle_mapping(db: Db) {
    let (s, key) = start(db).await;
    let (clerk, disp, handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let n = submit(&s, &form(&key, &[])).await;
    let one = |n: String| {
        let s = &s;
        async move {
            let x = get(s, &format!("requests/{n}.xml")).await.xml();
            let j = get(s, &format!("requests/{n}.json")).await.json();
            (x.child("request").clone(), j[0].clone())
        }
    };
    let (x, j) = one(n.clone()).await;
    assert_eq!(
        x.names(),
        REQUEST_FIELDS.to_vec(),
        "all fields, in the standard's order"
    );
    for f in REQUEST_FIELDS {
        assert!(j.get(f).is_some(), "{f} in JSON");
    }
    assert_eq!(
        (x.get("status"), j["status"].as_str()),
        ("open", Some("open"))
    );
    assert_eq!(x.get("status_notes"), "待受理");
    assert_eq!(x.get("service_code"), "CSGL-ZDJY");
    assert_eq!(x.get("service_name"), "占道经营");
    assert!(j["service_request_id"].is_string());
    assert_eq!(j["service_request_id"], json!(n));
    for f in ["requested_datetime", "updated_datetime"] {
        assert!(is_w3c_with_offset(x.get(f)), "{f}: {}", x.get(f));
        assert!(x.get(f).ends_with("+08:00"));
    }
    assert_eq!(x.get("requested_datetime"), "2026-11-24T10:00:00+08:00");
    for f in [
        "expected_datetime",
        "media_url",
        "zipcode",
        "service_notice",
    ] {
        assert!(x.child(f).empty && x.get(f).is_empty(), "<{f}/>");
        assert_eq!(j[f], Value::Null, "{f}");
    }
    assert_eq!(j["lat"], json!(30.2712));
    assert_eq!(j["long"], json!(120.0035));
    assert_eq!(x.get("lat"), "30.2712");
    assert_eq!(j["address_id"], "330188001", "our region code");
    assert_eq!(
        j["agency_responsible"], "临江区社会治理综合服务中心",
        "the hub until dispatched"
    );
    assert!(!x.has("extended_attributes"));

    // Dispatched and signed: the main unit is responsible; the handling due date is expected.
    let c = staff_case(&s, &clerk, &n).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    s.clock.advance(3_600_000);
    let c = s.act(&handler, &c, "sign", json!({})).await;
    let (x, j) = one(n.clone()).await;
    assert_eq!((x.get("status"), x.get("status_notes")), ("open", "办理中"));
    assert_eq!(j["agency_responsible"], "城管局");
    assert_eq!(j["expected_datetime"], c["handle_due"]);
    assert!(is_w3c_with_offset(x.get("expected_datetime")));
    assert_eq!(x.get("updated_datetime"), "2026-11-24T11:00:00+08:00");
    // Resolved (waiting for follow-up) is still open, with the reply as the note.
    let reply = "已联合执法清理流动摊贩，并加强傍晚巡查。";
    let c = s
        .act(
            &handler,
            &c,
            "resolve",
            json!({ "reply": reply, "outcome": "resolved" }),
        )
        .await;
    let (x, _) = one(n.clone()).await;
    assert_eq!((x.get("status"), x.get("status_notes")), ("open", reply));
    // Closed after the follow-up: closed, updated at the close time.
    s.clock.advance(3_600_000);
    s.act(
        &clerk,
        &c,
        "follow_up",
        json!({ "satisfaction": "satisfied", "resolved": true }),
    )
    .await;
    let (x, j) = one(n.clone()).await;
    assert_eq!((x.get("status"), x.get("status_notes")), ("closed", reply));
    assert_eq!(j["updated_datetime"], "2026-11-24T12:00:00+08:00");
    // Rejected: closed, with the reason; merged: closed.
    let r = submit(&s, &form(&key, &[])).await;
    let c = staff_case(&s, &clerk, &r).await;
    s.act(&clerk, &c, "reject", json!({ "reason": "不属于本区管辖" }))
        .await;
    let (x, _) = one(r.clone()).await;
    assert_eq!(
        (x.get("status"), x.get("status_notes")),
        ("closed", "不予受理：不属于本区管辖")
    );
    let main = staff_case(&s, &clerk, &submit(&s, &form(&key, &[])).await).await;
    let dup = submit(&s, &form(&key, &[])).await;
    let c = staff_case(&s, &clerk, &dup).await;
    s.act(&disp, &c, "merge", json!({ "into": main["id"] }))
        .await;
    let (x, _) = one(dup.clone()).await;
    assert_eq!(
        (x.get("status"), x.get("status_notes")),
        ("closed", "已与同一诉求合并办理")
    );
    // status=closed finds exactly those three.
    let l = get(&s, "requests.json?status=closed").await.json();
    let mut closed: Vec<&str> = l
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect();
    closed.sort_unstable();
    let mut want = vec![n.as_str(), r.as_str(), dup.as_str()];
    want.sort_unstable();
    assert_eq!(closed, want);
    // extensions=true adds our detailed state and classification.
    let x = get(
        &s,
        &format!("requests.xml?service_request_id={dup}&extensions=true"),
    )
    .await
    .xml();
    let e = x.child("request").child("extended_attributes");
    assert_eq!(
        (e.get("detailed_status"), e.get("detailed_status_label")),
        ("merged", "已并单")
    );
    assert_eq!(e.get("category"), "城市管理/占道经营");
    let j = get(&s, &format!("requests/{n}.json?extensions=true"))
        .await
        .json();
    assert_eq!(j[0]["extended_attributes"]["detailed_status"], "closed");
    s.shutdown().await;
}
on_both!(lifecycle_mapping_, lifecycle_mapping);

// ---------------------------------------------------------------------------------------------
// Checklist 5: `jurisdiction_id` accepted on every method, absent or empty or ours; any other
// value is 404 (jurisdiction not found) in the requested format.

async fn jurisdiction(db: Db) {
    let (s, key) = start(db).await;
    let id = submit(&s, &form(&key, &[])).await;
    for suffix in ["", "?jurisdiction_id=", "?jurisdiction_id=linjiang.gov.cn"] {
        for p in [
            "services.xml".to_string(),
            "services/SDQ-RQ.json".into(),
            "requests.json".into(),
            format!("requests/{id}.xml"),
        ] {
            let r = get(&s, &format!("{p}{suffix}")).await;
            assert_eq!(r.status, StatusCode::OK, "{p}{suffix}");
        }
    }
    for p in [
        "services.xml".to_string(),
        "services/SDQ-RQ.json".into(),
        "requests.json".into(),
        format!("requests/{id}.xml"),
        "tokens/t1.json".into(),
    ] {
        let r = get(&s, &format!("{p}?jurisdiction_id=sfgov.org")).await;
        let d = assert_errors(&r, StatusCode::NOT_FOUND, p.ends_with(".json"));
        assert!(d[0].contains("jurisdiction_id"), "{p}: {d:?}");
    }
    let r = post(
        &s,
        "requests.xml",
        &form(&key, &[("jurisdiction_id", "sfgov.org")]),
    )
    .await;
    assert_errors(&r, StatusCode::NOT_FOUND, false);
    let r = post(&s, "requests.json", &form(&key, &[("jurisdiction_id", "")])).await;
    assert_eq!(r.status, StatusCode::OK, "empty means absent");
    s.shutdown().await;
}
on_both!(jurisdiction_, jurisdiction);

// ---------------------------------------------------------------------------------------------
// Checklist 13 (and §12): errors in the requested format, 404 for what does not exist, 403 for a
// key, 400 for the rest; several at once; English on request; cases of other channels are not
// exposed; tokens are never issued (realtime), so every token is 404.

async fn errors_and_status_codes(db: Db) {
    let (s, key) = start(db).await;
    let clerk = s.login("clerk").await;
    let staff = s.new_case(&clerk, json!({})).await;
    let staff_number = staff["number"].as_str().unwrap();
    for fmt in ["xml", "json"] {
        let json_fmt = fmt == "json";
        let r = get(&s, &format!("requests/2026-999999.{fmt}")).await;
        assert_errors(&r, StatusCode::NOT_FOUND, json_fmt);
        let r = get(&s, &format!("requests/{staff_number}.{fmt}")).await;
        assert_errors(&r, StatusCode::NOT_FOUND, json_fmt);
        let r = get(&s, &format!("tokens/12345.{fmt}")).await;
        assert!(assert_errors(&r, StatusCode::NOT_FOUND, json_fmt)[0].contains("token"));
        let r = post(&s, &format!("requests.{fmt}"), &[("api_key", "")]).await;
        assert_errors(&r, StatusCode::FORBIDDEN, json_fmt);
        let r = post(&s, &format!("requests.{fmt}"), &[("api_key", key.as_str())]).await;
        assert_errors(&r, StatusCode::BAD_REQUEST, json_fmt);
        let r = post(&s, &format!("services.{fmt}"), &[("api_key", key.as_str())]).await;
        assert_errors(&r, StatusCode::METHOD_NOT_ALLOWED, json_fmt);
    }
    // English on request.
    let e = assert_errors(
        &get_en(&s, "services/NOPE.json").await,
        StatusCode::NOT_FOUND,
        true,
    );
    assert!(e[0].contains("not found"), "{e:?}");
    // A body that is not a form.
    let r = finish(
        s.http
            .post(format!("{}/open311/v2/requests.xml", s.base))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_errors(&r, StatusCode::BAD_REQUEST, false);
    // Bytes that are not UTF-8.
    let r = finish(
        s.http
            .post(format!("{}/open311/v2/requests.json", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("api_key=x&description=%C4%E3")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_errors(&r, StatusCode::BAD_REQUEST, true);
    // The rest of the server is unaffected by the Open311 error format.
    let (st, v) = s.get("/api/v1/cases/nope", &clerk).await;
    assert!(st.is_client_error() && v["error"].is_object(), "{v}");
    s.shutdown().await;
}
on_both!(errors_and_status_codes_, errors_and_status_codes);

/// Checklist 9: the `updated_after` / `updated_before` extension filters on the last change.
async fn updated_window(db: Db) {
    let (s, key) = start(db).await;
    let first = submit(&s, &form(&key, &[])).await;
    s.clock.advance(3_600_000);
    let second = submit(&s, &form(&key, &[])).await;
    let ids = |r: &Res| -> Vec<String> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["service_request_id"].as_str().unwrap().to_string())
            .collect()
    };
    let cut = app::deadlines::format_instant(T0 + 1_800_000).replace('+', "%2B");
    let after = get(&s, &format!("requests.json?updated_after={cut}")).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert_eq!(ids(&after), vec![second.clone()]);
    let before = get(&s, &format!("requests.json?updated_before={cut}")).await;
    assert_eq!(ids(&before), vec![first.clone()]);
    let bad = get(&s, "requests.json?updated_after=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    s.shutdown().await;
}
on_both!(updated_after_before_, updated_window);

// ---------------------------------------------------------------------------------------------
// GeoReport v2 makes `phone` optional (FixMyStreet often sends none): the case keeps the email and
// is followed up by email, or shows as not reachable for 回访 — on the case and in the follow-up
// queue (status resolved).

async fn phone_is_optional(db: Db) {
    let (s, key) = start(db).await;
    let (clerk, disp, handler, leader) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
        s.login("leader").await,
    );
    let by_email = submit(&s, &without(form(&key, &[]), &["phone"])).await;
    let c = staff_case(&s, &clerk, &by_email).await;
    assert_eq!(c["reporter"]["phone"], "");
    assert_eq!(c["reporter"]["email"], "wang@example.cn");
    assert_eq!(
        (
            c["reporter"]["contact"].as_str(),
            c["reporter"]["contact_label"].as_str()
        ),
        (Some("email"), Some("邮件回访"))
    );
    // Masked like the phone for a role that does not need it.
    let (_, v) = s
        .get(
            &format!("/api/v1/cases/{}", c["id"].as_str().unwrap()),
            &leader,
        )
        .await;
    assert_eq!(v["reporter"]["email"], "w***@example.cn");

    let unreachable = submit(&s, &without(form(&key, &[]), &["phone", "email"])).await;
    let c = staff_case(&s, &clerk, &unreachable).await;
    assert_eq!(c["reporter"]["email"], Value::Null);
    assert_eq!(
        (
            c["reporter"]["contact"].as_str(),
            c["reporter"]["contact_label"].as_str()
        ),
        (Some("none"), Some("无法回访（无联系方式）"))
    );
    // Two reporters without a phone are not "the same reporter".
    let (st, rel) = s
        .get(
            &format!("/api/v1/cases/{}/related", c["id"].as_str().unwrap()),
            &clerk,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rel}");
    assert_eq!(rel["same_reporter"], json!([]));
    // With a phone, as before.
    let by_phone = submit(&s, &form(&key, &[])).await;
    let p = staff_case(&s, &clerk, &by_phone).await;
    assert_eq!(p["reporter"]["contact"], "phone");

    // In the follow-up queue (待回访) the row says how 回访 can reach the reporter.
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    s.act(
        &handler,
        &c,
        "resolve",
        json!({ "reply": "已清理。", "outcome": "resolved" }),
    )
    .await;
    let (_, q) = s.get("/api/v1/cases?status=resolved", &clerk).await;
    let rows = q["items"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["number"] == unreachable.as_str())
        .expect("in the follow-up queue");
    assert_eq!(row["reporter"]["contact"], "none");
    assert_eq!(row["reporter"]["contact_label"], "无法回访（无联系方式）");
    s.shutdown().await;
}
on_both!(phone_is_optional_, phone_is_optional);

// ---------------------------------------------------------------------------------------------
// mySociety's `servicerequestupdates` (GET): the public steps of Open311 requests in a time range,
// in both formats, so FixMyStreet can sync status back.

const UPDATE_FIELDS: [&str; 7] = [
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
    "external_status_code",
];

async fn service_request_updates(db: Db) {
    let (s, key) = start(db).await;
    let (clerk, disp, handler) = (
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    // T0 = 10:00. A: accepted 10:10, dispatched 10:20, signed 10:30, resolved 10:40.
    let a = submit(&s, &form(&key, &[])).await;
    let b = submit(&s, &form(&key, &[])).await;
    let c = staff_case(&s, &clerk, &a).await;
    let step = || s.clock.advance(10 * 60_000);
    step();
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    step();
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    step();
    let c = s.act(&handler, &c, "sign", json!({})).await;
    step();
    let reply = "已联合执法清理流动摊贩。";
    s.act(
        &handler,
        &c,
        "resolve",
        json!({ "reply": reply, "outcome": "resolved" }),
    )
    .await;
    // B: not accepted, 10:50. A case taken by phone is not public: none of its steps shows.
    step();
    let bc = staff_case(&s, &clerk, &b).await;
    s.act(&clerk, &bc, "reject", json!({ "reason": "不属于本区管辖" }))
        .await;
    let phone_case = s.new_case(&clerk, json!({})).await;
    s.act(&clerk, &phone_case, "accept", json!({})).await;
    s.clock.advance(60_000);

    let range = "start_date=2026-11-24T10:00:00%2B08:00&end_date=2026-11-24T12:00:00%2B08:00";
    let r = get(&s, &format!("servicerequestupdates.xml?{range}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.total, Some(5));
    let x = r.xml();
    assert_eq!(x.name, "service_request_updates");
    let ups = x.all("request_update");
    assert_eq!(ups.len(), 5, "{x:?}");
    for u in &ups {
        assert_eq!(u.names(), UPDATE_FIELDS.to_vec(), "all fields, in order");
        assert!(is_w3c_with_offset(u.get("updated_datetime")));
        assert!(u.child("media_url").empty);
    }
    let seen: Vec<(&str, &str, &str)> = ups
        .iter()
        .map(|u| {
            (
                u.get("service_request_id"),
                u.get("status"),
                u.get("updated_datetime"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (a.as_str(), "OPEN", "2026-11-24T10:10:00+08:00"),
            (a.as_str(), "ACTION_SCHEDULED", "2026-11-24T10:20:00+08:00"),
            (a.as_str(), "IN_PROGRESS", "2026-11-24T10:30:00+08:00"),
            (a.as_str(), "FIXED", "2026-11-24T10:40:00+08:00"),
            (b.as_str(), "NO_FURTHER_ACTION", "2026-11-24T10:50:00+08:00"),
        ],
        "oldest first"
    );
    assert_eq!(ups[1].get("description"), "已派至城管局办理");
    assert_eq!(ups[3].get("description"), reply);
    assert_eq!(ups[3].get("external_status_code"), "resolve");
    assert_eq!(ups[4].get("description"), "不予受理：不属于本区管辖");
    let mut ids: Vec<&str> = ups.iter().map(|u| u.get("update_id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "update ids are unique");

    // JSON: a bare array with the same updates.
    let j = get(&s, &format!("servicerequestupdates.json?{range}"))
        .await
        .json();
    let list = j.as_array().expect("a bare array");
    assert_eq!(list.len(), 5);
    for (u, x) in list.iter().zip(&ups) {
        for f in UPDATE_FIELDS {
            assert!(u.get(f).is_some(), "{f}");
        }
        assert_eq!(u["update_id"].as_str(), Some(x.get("update_id")));
        assert_eq!(u["status"].as_str(), Some(x.get("status")));
        assert_eq!(u["media_url"], Value::Null);
    }
    // The same update again in a later, overlapping window: the same id (clients dedupe).
    let later = get(
        &s,
        "servicerequestupdates.json?start_date=2026-11-24T10:35:00%2B08:00&end_date=2026-11-24T12:00:00%2B08:00",
    )
    .await
    .json();
    let later: Vec<&str> = later
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["update_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        later,
        vec![ups[3].get("update_id"), ups[4].get("update_id")]
    );
    // Before anything happened: an empty list.
    let r = get(
        &s,
        "servicerequestupdates.xml?start_date=2026-11-23T00:00:00Z&end_date=2026-11-23T12:00:00Z",
    )
    .await;
    let x = r.xml();
    assert!(
        x.children.is_empty() && x.empty,
        "<service_request_updates/>"
    );
    assert_eq!(r.total, Some(0));
    // Without dates: the last 24 hours.
    let j = get(&s, "servicerequestupdates.json").await.json();
    assert_eq!(j.as_array().unwrap().len(), 5);
    // Paging: page_size and page.
    let r = get(
        &s,
        &format!("servicerequestupdates.json?{range}&page_size=2&page=3"),
    )
    .await;
    assert_eq!(r.total, Some(5));
    let p3 = r.json();
    assert_eq!(p3.as_array().unwrap().len(), 1);
    assert_eq!(p3[0]["update_id"].as_str(), Some(ups[4].get("update_id")));
    // Jurisdiction as everywhere.
    let r = get(
        &s,
        &format!("servicerequestupdates.xml?{range}&jurisdiction_id={JURISDICTION}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get(&s, "servicerequestupdates.xml?jurisdiction_id=sfgov.org").await;
    assert_errors(&r, StatusCode::NOT_FOUND, false);
    // Bad ranges: 400 with the standard's errors, in the requested format.
    for (q, mention) in [
        ("start_date=yesterday", "start_date"),
        (
            "start_date=2026-11-24T12:00:00Z&end_date=2026-11-24T10:00:00Z",
            "end_date",
        ),
        ("start_date=2026-01-01&end_date=2026-11-24", "90"),
        ("page_size=5000", "page_size"),
    ] {
        let r = get(&s, &format!("servicerequestupdates.json?{q}")).await;
        let d = assert_errors(&r, StatusCode::BAD_REQUEST, true);
        assert!(d.iter().any(|d| d.contains(mention)), "{q}: {d:?}");
    }
    // Read-only here: a POST is 405.
    let r = post(
        &s,
        "servicerequestupdates.xml",
        &[("api_key", key.as_str())],
    )
    .await;
    assert_errors(&r, StatusCode::METHOD_NOT_ALLOWED, false);
    s.shutdown().await;
}
on_both!(service_request_updates_, service_request_updates);

// ---------------------------------------------------------------------------
// The services are the district's taxonomy (issue 19.13): what an administrator adds is offered
// with a stable code and accepted; what is taken out of use is neither.

async fn services_follow_the_taxonomy(db: Db) {
    let (s, key) = start(db).await;
    let admin = s.login("admin").await;
    let (st, v) = s
        .post(
            "/api/v1/taxonomy",
            &admin,
            json!({ "category": "民生服务/电动车充电" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = s
        .call(
            "PATCH",
            "/api/v1/taxonomy",
            Some(&admin),
            Some(json!({ "category": "城市管理/户外广告", "disabled": true })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    let r = get(&s, "services.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["service_code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"CSGL-HWGG"),
        "停用 category offered: {codes:?}"
    );
    let added = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["service_name"] == "电动车充电")
        .expect("the added category is a service");
    let code = added["service_code"].as_str().unwrap().to_string();
    assert!(code.starts_with("X-"), "{code}");
    assert_eq!(added["group"], "民生服务");
    // Its definition, a request with it, and the request's code read back.
    let r = get(&s, &format!("services/{code}.json")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let number = submit(&s, &form(&key, &[("service_code", code.as_str())])).await;
    let clerk = s.login("clerk").await;
    assert_eq!(
        staff_case(&s, &clerk, &number).await["category"],
        "民生服务/电动车充电"
    );
    let r = get(&s, &format!("requests/{number}.json")).await;
    assert_eq!(r.json()[0]["service_code"], code.as_str());
    // The code taken out of use is refused like an unknown one.
    let r = post(
        &s,
        "requests.json",
        &form(&key, &[("service_code", "CSGL-HWGG")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    s.shutdown().await;
}
on_both!(services_follow_the_taxonomy_, services_follow_the_taxonomy);
