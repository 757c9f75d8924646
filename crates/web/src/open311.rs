//! Open311 GeoReport v2 over HTTP (`/open311/v2/`): the format is chosen by the path's suffix,
//! `.xml` (the default and the one every client can read) or `.json` (the "Spark" convention:
//! lists are bare arrays, a single request is a one-element array, discovery and a service
//! definition are objects). Errors use the standard's `errors` shape in the requested format,
//! with 400, 403 or 404; their description follows `Accept-Language` (Chinese by default).
//! The use cases are in `app::open311`.

use crate::error::{status_of, wants_english};
use app::open311::{self as o, Open311Error, Params, RequestInfo};
use app::{App, AppError};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Value, json};
use std::sync::Arc;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        // A POST may carry a photo (multipart `media`): the attachment limit, not the JSON one.
        .route(
            "/{file}",
            get(top_get)
                .post(top_post)
                .layer(axum::extract::DefaultBodyLimit::max(
                    app::attachments::default_limits().max_bytes + 64 * 1024,
                )),
        )
        .route("/services/{file}", get(service_definition))
        // The `open311` Python library asks for `service/{code}` (singular).
        .route("/service/{file}", get(service_definition))
        .route("/requests/{file}", get(request))
        .route("/tokens/{file}", get(token))
        .fallback(not_found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Xml,
    Json,
}

/// `requests.json` → (`requests`, Json). Without a known suffix there is no such resource.
fn split(file: &str) -> Option<(&str, Fmt)> {
    // An id with a control character names nothing (and must not reach the database).
    if app::input::control_char(file, false).is_some() {
        return None;
    }
    let (stem, ext) = file.rsplit_once('.')?;
    let fmt = match ext.to_ascii_lowercase().as_str() {
        "xml" => Fmt::Xml,
        "json" => Fmt::Json,
        _ => return None,
    };
    (!stem.is_empty()).then_some((stem, fmt))
}

/// A response tree that renders to both formats.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Obj(Vec<(&'static str, Node)>),
    /// A container of repeated elements named by the first field: `<services><service>…`.
    List(&'static str, Vec<Node>),
}

fn text(s: impl Into<String>) -> Node {
    Node::Text(s.into())
}

fn opt(s: Option<impl Into<String>>) -> Node {
    s.map_or(Node::Null, |v| Node::Text(v.into()))
}

fn float(v: Option<f64>) -> Node {
    v.map_or(Node::Null, Node::Float)
}

fn to_json(n: &Node) -> Value {
    match n {
        Node::Null => Value::Null,
        Node::Text(s) => json!(s),
        Node::Int(i) => json!(i),
        Node::Float(f) => json!(f),
        Node::Bool(b) => json!(b),
        Node::Obj(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), to_json(v)))
                .collect(),
        ),
        Node::List(_, items) => Value::Array(items.iter().map(to_json).collect()),
    }
}

/// XML 1.0 cannot carry most control characters, even escaped: leave them out.
fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r') || (*c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect()
}

fn write_text<W: std::io::Write>(w: &mut Writer<W>, s: &str) -> std::io::Result<()> {
    // A carriage return is kept as a character reference: parsers normalise a literal one away.
    let escaped = quick_xml::escape::escape(xml_safe(s).as_str()).replace('\r', "&#13;");
    w.write_event(Event::Text(BytesText::from_escaped(escaped)))
}

fn write_element<W: std::io::Write>(
    w: &mut Writer<W>,
    name: &str,
    n: &Node,
) -> std::io::Result<()> {
    let scalar = match n {
        Node::Null => None,
        Node::Text(s) if s.is_empty() => None,
        Node::Text(s) => Some(s.clone()),
        Node::Int(i) => Some(i.to_string()),
        Node::Float(f) => Some(f.to_string()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Obj(fields) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for (k, v) in fields {
                write_element(w, k, v)?;
            }
            return w.write_event(Event::End(BytesEnd::new(name)));
        }
        Node::List(child, items) => {
            if items.is_empty() {
                return w.write_event(Event::Empty(BytesStart::new(name)));
            }
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for item in items {
                write_element(w, child, item)?;
            }
            return w.write_event(Event::End(BytesEnd::new(name)));
        }
    };
    match scalar {
        // Empty values are empty elements: `<account_id/>`.
        None => w.write_event(Event::Empty(BytesStart::new(name))),
        Some(s) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            write_text(w, &s)?;
            w.write_event(Event::End(BytesEnd::new(name)))
        }
    }
}

fn to_xml(root: &str, n: &Node) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    write_element(&mut w, root, n)?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

fn render(fmt: Fmt, status: StatusCode, root: &str, n: &Node) -> Response {
    let (body, ctype) = match fmt {
        Fmt::Json => (
            serde_json::to_vec(&to_json(n)).unwrap_or_default(),
            "application/json; charset=utf-8",
        ),
        Fmt::Xml => match to_xml(root, n) {
            Ok(b) => (b, "text/xml; charset=utf-8"),
            Err(_) => {
                let mut res = Response::new(Body::empty());
                *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                return res;
            }
        },
    };
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    res
}

/// The `errors` body: one `error` per problem, `code` being the HTTP status.
fn errors(
    fmt: Fmt,
    headers: &HeaderMap,
    status: StatusCode,
    list: &[(String, String)],
) -> Response {
    let english = wants_english(headers);
    let items = list
        .iter()
        .map(|(zh, en)| {
            Node::Obj(vec![
                ("code", Node::Int(i64::from(status.as_u16()))),
                ("description", text(if english { en } else { zh })),
            ])
        })
        .collect();
    render(fmt, status, "errors", &Node::List("error", items))
}

/// The standard knows 400, 403 and 404; a failure on our side stays a 500.
fn open311_status(e: &AppError) -> StatusCode {
    match status_of(e.kind) {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => StatusCode::BAD_REQUEST,
        StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
        s => s,
    }
}

fn fail(fmt: Fmt, headers: &HeaderMap, e: Open311Error) -> Response {
    let status = e.0.first().map_or(StatusCode::BAD_REQUEST, open311_status);
    let list: Vec<(String, String)> = e.0.iter().map(|e| (e.zh.clone(), e.en.clone())).collect();
    errors(fmt, headers, status, &list)
}

/// An error in the standard's shape for an answer made outside these handlers (axum's 405,
/// an extractor's rejection), in the format of the path's suffix.
pub(crate) fn error_for_path(
    path: &str,
    headers: &HeaderMap,
    status: StatusCode,
    zh: String,
    en: String,
) -> Response {
    let fmt = if path.to_ascii_lowercase().ends_with(".json") {
        Fmt::Json
    } else {
        Fmt::Xml
    };
    errors(fmt, headers, status, &[(zh, en)])
}

fn not_found_response(fmt: Fmt, headers: &HeaderMap) -> Response {
    errors(
        fmt,
        headers,
        StatusCode::NOT_FOUND,
        &[(
            "资源不存在。可用：discovery、services、services/{service_code}、requests、requests/{service_request_id}、tokens/{token}、servicerequestupdates，后缀 .xml 或 .json".into(),
            "no such resource; use discovery, services, services/{service_code}, requests, requests/{service_request_id}, tokens/{token} or servicerequestupdates, with .xml or .json".into(),
        )],
    )
}

async fn not_found(headers: HeaderMap) -> Response {
    not_found_response(Fmt::Xml, &headers)
}

/// Decodes `application/x-www-form-urlencoded` (and query strings), keeping repeated keys.
/// A malformed `%` escape is kept as it is; bytes that are not UTF-8 are an error.
fn decode_form(raw: &[u8]) -> Result<Vec<(String, String)>, ()> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    fn decode(part: &[u8]) -> Result<String, ()> {
        let mut out = Vec::with_capacity(part.len());
        let mut i = 0;
        while i < part.len() {
            match part[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let h = part.get(i + 1).copied().and_then(hex);
                    let l = part.get(i + 2).copied().and_then(hex);
                    if let (Some(h), Some(l)) = (h, l) {
                        out.push(h * 16 + l);
                        i += 2;
                    } else {
                        out.push(b'%');
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).map_err(|_| ())
    }
    raw.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &pair[..0]),
            };
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

fn bad_encoding() -> Open311Error {
    AppError::new(
        app::ErrorKind::BadRequest,
        "bad_encoding",
        "参数须为 UTF-8 编码的 application/x-www-form-urlencoded",
        "parameters must be UTF-8 application/x-www-form-urlencoded",
    )
    .into()
}

fn query_params(q: Option<&str>) -> Result<Params, Open311Error> {
    decode_form(q.unwrap_or_default().as_bytes())
        .map_err(|()| bad_encoding())
        .and_then(checked_text)
        .map(Params)
}

/// Refuses control characters in parameters, naming the parameter (`description` may hold
/// line breaks and tabs; see `app::input`).
fn checked_text(pairs: Vec<(String, String)>) -> Result<Vec<(String, String)>, Open311Error> {
    for (k, v) in &pairs {
        if let Some(c) = app::input::control_char(k, false) {
            return Err(app::input::control_char_error("parameter name", c).into());
        }
        app::input::check_text(k, v)?;
    }
    Ok(pairs)
}

/// The API's base URL as the client reached it (for discovery).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        })
        .unwrap_or("127.0.0.1:8080");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!(
        "{}://{host}/open311/v2",
        if https { "https" } else { "http" }
    )
}

fn discovery(headers: &HeaderMap) -> Node {
    Node::Obj(vec![
        ("changeset", text(o::CHANGESET)),
        (
            "contact",
            text("临江区社会治理综合服务中心（一窗受理），服务热线 12345"),
        ),
        (
            "key_service",
            text(
                "POST 提交诉求需要 api_key：请向区社会治理综合服务中心申请，由管理员用 `onewindow api-key create` 签发。查询无需密钥。",
            ),
        ),
        (
            "endpoints",
            // GeoReport v2, and at the same address mySociety's extension (GET
            // servicerequestupdates), which FixMyStreet uses to sync status back.
            Node::List(
                "endpoint",
                [o::SPECIFICATION, o::MYSOCIETY_SPECIFICATION]
                    .into_iter()
                    .map(|spec| {
                        Node::Obj(vec![
                            ("specification", text(spec)),
                            ("url", text(base_url(headers))),
                            ("changeset", text(o::CHANGESET)),
                            ("type", text("production")),
                            (
                                "formats",
                                Node::List(
                                    "format",
                                    vec![text("text/xml"), text("application/json")],
                                ),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

fn services(list: Vec<o::ServiceInfo>) -> Node {
    Node::List(
        "service",
        list.into_iter()
            .map(|s| {
                Node::Obj(vec![
                    ("service_code", text(s.service_code)),
                    ("service_name", text(s.service_name)),
                    ("description", text(s.description)),
                    ("metadata", Node::Bool(s.metadata)),
                    ("type", text(s.service_type)),
                    ("keywords", text(s.keywords)),
                    ("group", text(s.group)),
                ])
            })
            .collect(),
    )
}

fn definition(d: &o::ServiceDefinition) -> Node {
    let attributes = d
        .attributes
        .iter()
        .map(|a| {
            Node::Obj(vec![
                ("variable", Node::Bool(a.variable)),
                ("code", text(a.code)),
                ("datatype", text(a.datatype.code())),
                ("required", Node::Bool(a.required)),
                ("datatype_description", opt(a.datatype_description)),
                ("order", Node::Int(i64::from(a.order))),
                ("description", text(a.description)),
                (
                    "values",
                    Node::List(
                        "value",
                        a.values
                            .iter()
                            .map(|(k, n)| Node::Obj(vec![("key", text(*k)), ("name", text(*n))]))
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    Node::Obj(vec![
        ("service_code", text(d.service_code.clone())),
        ("attributes", Node::List("attribute", attributes)),
    ])
}

fn request_node(r: &RequestInfo, extensions: bool) -> Node {
    let mut fields = vec![
        ("service_request_id", text(&r.service_request_id)),
        ("status", text(r.status)),
        ("status_notes", opt(r.status_notes.clone())),
        ("service_name", text(&r.service_name)),
        ("service_code", text(&r.service_code)),
        ("description", text(&r.description)),
        ("agency_responsible", opt(r.agency_responsible.clone())),
        ("service_notice", opt(r.service_notice.clone())),
        ("requested_datetime", text(&r.requested_datetime)),
        ("updated_datetime", text(&r.updated_datetime)),
        ("expected_datetime", opt(r.expected_datetime.clone())),
        ("address", text(&r.address)),
        ("address_id", opt(r.address_id.clone())),
        ("zipcode", opt(r.zipcode.clone())),
        ("lat", float(r.lat)),
        ("long", float(r.long)),
        ("media_url", opt(r.media_url.clone())),
    ];
    if extensions {
        let e = &r.extended;
        fields.push((
            "extended_attributes",
            Node::Obj(vec![
                ("detailed_status", text(e.detailed_status)),
                ("detailed_status_label", text(e.detailed_status_label)),
                ("category", text(&e.category)),
                ("nature", text(e.nature)),
                ("urgency", text(e.urgency)),
                ("region_name", opt(e.region_name.clone())),
            ]),
        ));
    }
    Node::Obj(fields)
}

fn requests_node(items: &[RequestInfo], extensions: bool) -> Node {
    Node::List(
        "request",
        items.iter().map(|r| request_node(r, extensions)).collect(),
    )
}

fn wants_extensions(p: &Params) -> bool {
    p.get("extensions")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// GET `discovery`, `services`, `requests`.
async fn top_get(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((stem, fmt)) = split(&file) else {
        return not_found_response(Fmt::Xml, &headers);
    };
    let params = match query_params(q.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(fmt, &headers, e),
    };
    match stem {
        "discovery" => render(fmt, StatusCode::OK, "discovery", &discovery(&headers)),
        "services" => match app.check_jurisdiction(&params).await {
            Ok(()) => match app.open311_service_list().await {
                Ok(list) => render(fmt, StatusCode::OK, "services", &services(list)),
                Err(e) => fail(fmt, &headers, e.into()),
            },
            Err(e) => fail(fmt, &headers, e.into()),
        },
        "requests" => match app.open311_requests(&params).await {
            Ok(mut page) => {
                if let Err(e) = app
                    .open311_media(&mut page.items, &origin_of(&headers))
                    .await
                {
                    return fail(fmt, &headers, e.into());
                }
                let mut res = render(
                    fmt,
                    StatusCode::OK,
                    "service_requests",
                    &requests_node(&page.items, wants_extensions(&params)),
                );
                res.headers_mut()
                    .insert("x-total-count", HeaderValue::from(page.total));
                res
            }
            Err(e) => fail(fmt, &headers, e),
        },
        "servicerequestupdates" => match app.open311_updates(&params).await {
            Ok(page) => {
                let mut res = render(
                    fmt,
                    StatusCode::OK,
                    "service_request_updates",
                    &updates_node(&page.items),
                );
                res.headers_mut()
                    .insert("x-total-count", HeaderValue::from(page.total));
                res
            }
            Err(e) => fail(fmt, &headers, e),
        },
        _ => not_found_response(fmt, &headers),
    }
}

/// mySociety's `service_request_updates` → `request_update` (a bare array in JSON).
fn updates_node(items: &[o::RequestUpdate]) -> Node {
    Node::List(
        "request_update",
        items
            .iter()
            .map(|u| {
                Node::Obj(vec![
                    ("update_id", text(&u.update_id)),
                    ("service_request_id", text(&u.service_request_id)),
                    ("status", text(u.status)),
                    ("updated_datetime", text(&u.updated_datetime)),
                    ("description", text(&u.description)),
                    ("media_url", opt(u.media_url.clone())),
                    ("external_status_code", text(&u.external_status_code)),
                ])
            })
            .collect(),
    )
}

/// POST `requests`: form-encoded, `api_key` in the body (or, for clients that put every
/// parameter there, the query string).
async fn top_post(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some((stem, fmt)) = split(&file) else {
        return not_found_response(Fmt::Xml, &headers);
    };
    match stem {
        "requests" => {}
        "discovery" | "services" | "servicerequestupdates" => {
            return errors(
                fmt,
                &headers,
                StatusCode::METHOD_NOT_ALLOWED,
                &[(
                    format!("{stem} 只支持 GET"),
                    format!("{stem} supports GET only"),
                )],
            );
        }
        _ => return not_found_response(fmt, &headers),
    }
    let body = match body {
        Ok(b) => b,
        Err(rej) if rej.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return errors(
                fmt,
                &headers,
                StatusCode::PAYLOAD_TOO_LARGE,
                &[("请求体过大".into(), "the request body is too large".into())],
            );
        }
        Err(_) => {
            return fail(fmt, &headers, bad_encoding());
        }
    };
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // FixMyStreet and other clients send a photo as a `media` part of a multipart form.
    if ctype.starts_with("multipart/form-data") {
        let mut params = match query_params(q.as_deref()) {
            Ok(p) => p,
            Err(e) => return fail(fmt, &headers, e),
        };
        let form = match multipart_form(&app, &headers, body).await {
            Ok(f) => f,
            Err(e) => return fail(fmt, &headers, e.into()),
        };
        let mut fields: Vec<(String, String)> = form.fields.into_iter().collect();
        fields.append(&mut params.0);
        let media = form.file.filter(|f| !f.1.is_empty());
        return submit(&app, fmt, &headers, &Params(fields), media).await;
    }
    if !ctype.is_empty() && !ctype.starts_with("application/x-www-form-urlencoded") {
        return errors(
            fmt,
            &headers,
            StatusCode::BAD_REQUEST,
            &[(
                format!("不支持的 Content-Type「{ctype}」，请用 application/x-www-form-urlencoded"),
                format!(
                    "Content-Type '{ctype}' is not supported; use application/x-www-form-urlencoded"
                ),
            )],
        );
    }
    let mut params = match query_params(q.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(fmt, &headers, e),
    };
    match decode_form(&body)
        .map_err(|()| bad_encoding())
        .and_then(checked_text)
    {
        // Body first: its values win over the query string's.
        Ok(mut form) => {
            form.append(&mut params.0);
            params = Params(form);
        }
        Err(e) => return fail(fmt, &headers, e),
    }
    submit(&app, fmt, &headers, &params, None).await
}

/// The multipart form of a POST (its `media` file and its fields).
async fn multipart_form(
    app: &App,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<crate::attachments::Form, AppError> {
    let mut req = axum::http::Request::new(axum::body::Body::from(body));
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
    }
    let mp =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(req, &()).await;
    crate::attachments::read_form(mp, &["media"], app.file_limits.max_bytes).await
}

/// The scheme and host the client reached us at, for absolute `media_url`s.
fn origin_of(headers: &HeaderMap) -> String {
    base_url(headers)
        .trim_end_matches("/open311/v2")
        .to_string()
}

async fn submit(
    app: &App,
    fmt: Fmt,
    headers: &HeaderMap,
    params: &Params,
    media: Option<(String, Vec<u8>)>,
) -> Response {
    let headers = headers.clone();
    match app.open311_submit_with_media(params, media).await {
        Ok(r) => {
            let english = wants_english(&headers);
            let n = Node::List(
                "request",
                vec![Node::Obj(vec![
                    ("service_request_id", text(r.service_request_id)),
                    (
                        "service_notice",
                        text(if english {
                            r.service_notice_en
                        } else {
                            r.service_notice_zh
                        }),
                    ),
                    ("account_id", opt(r.account_id)),
                ])],
            );
            render(fmt, StatusCode::OK, "service_requests", &n)
        }
        Err(e) => fail(fmt, &headers, e),
    }
}

async fn service_definition(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((code, fmt)) = split(&file) else {
        return not_found_response(Fmt::Xml, &headers);
    };
    let result = match query_params(q.as_deref()) {
        Ok(p) => match app.check_jurisdiction(&p).await {
            Ok(()) => app.service_definition(code).await.map_err(Into::into),
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => render(fmt, StatusCode::OK, "service_definition", &definition(&d)),
        Err(e) => fail(fmt, &headers, e),
    }
}

async fn request(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((id, fmt)) = split(&file) else {
        return not_found_response(Fmt::Xml, &headers);
    };
    let params = match query_params(q.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(fmt, &headers, e),
    };
    match app.open311_request(&params, id).await {
        Ok(mut r) => {
            if let Err(e) = app
                .open311_media(std::slice::from_mut(&mut r), &origin_of(&headers))
                .await
            {
                return fail(fmt, &headers, e.into());
            }
            render(
                fmt,
                StatusCode::OK,
                "service_requests",
                &requests_node(&[r], wants_extensions(&params)),
            )
        }
        Err(e) => fail(fmt, &headers, e),
    }
}

/// Every service is `realtime`: a POST returns the `service_request_id` at once and no token is
/// ever issued, so every token is unknown.
async fn token(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((token, fmt)) = split(&file) else {
        return not_found_response(Fmt::Xml, &headers);
    };
    let result = match query_params(q.as_deref()) {
        Ok(p) => app.check_jurisdiction(&p).await.map_err(Into::into),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        return fail(fmt, &headers, e);
    }
    errors(
        fmt,
        &headers,
        StatusCode::NOT_FOUND,
        &[(
            format!(
                "token「{token}」不存在：本接口同步创建服务请求，直接返回 service_request_id，从不签发 token"
            ),
            format!(
                "token '{token}' not found: requests are created synchronously and return a service_request_id; no tokens are issued"
            ),
        )],
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(split("services.xml"), Some(("services", Fmt::Xml)));
        assert_eq!(split("2026-000001.JSON"), Some(("2026-000001", Fmt::Json)));
        assert_eq!(split("services"), None);
        assert_eq!(split("services.html"), None);
        assert_eq!(split(".xml"), None);
    }

    #[test]
    fn forms_keep_repeats_and_decode_utf8() {
        let f = decode_form(
            b"a=1&attribute%5BX%5D%5B%5D=p&attribute[X][]=q&d=%E5%99%AA%E5%A3%B0+%E6%89%B0%E6%B0%91&e&f=50%",
        )
        .unwrap();
        assert_eq!(
            f,
            vec![
                ("a".into(), "1".into()),
                ("attribute[X][]".into(), "p".into()),
                ("attribute[X][]".into(), "q".into()),
                ("d".into(), "噪声 扰民".into()),
                ("e".into(), String::new()),
                ("f".into(), "50%".into()),
            ]
        );
        assert!(decode_form(b"a=%FF").is_err());
    }

    #[test]
    fn xml_escapes_and_uses_empty_elements() {
        let n = Node::List(
            "request",
            vec![Node::Obj(vec![
                ("description", text("<b>噪声</b> & \"扰民\"\r\n\u{1}")),
                ("account_id", Node::Null),
                ("lat", Node::Float(30.27)),
            ])],
        );
        let xml = String::from_utf8(to_xml("service_requests", &n).unwrap()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(
            xml.contains("&lt;b&gt;噪声&lt;/b&gt; &amp; &quot;扰民&quot;&#13;\n</description>")
        );
        assert!(xml.contains("<account_id/>"));
        assert!(xml.contains("<lat>30.27</lat>"));
        assert_eq!(
            to_json(&n),
            json!([{ "description": "<b>噪声</b> & \"扰民\"\r\n\u{1}", "account_id": null, "lat": 30.27 }])
        );
    }
}
