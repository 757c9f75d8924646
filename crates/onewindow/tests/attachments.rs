//! Files on cases over HTTP on both backends (issue 23): upload with thumbnail and EXIF position,
//! the data scope (another street's file is 404), what the public sees (the citizen's photo and
//! what the unit published, without EXIF), refusals by type, size, pixels and count, evidence
//! required to resolve by policy, Open311 photos (multipart `media`, fetched `media_url`, a link
//! kept when it cannot be fetched) and `media_url` in GET, and orphaned bytes collected.
#![allow(clippy::unwrap_used)]

mod common;

use app::ports::Store as _;
use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::multipart;

async fn send(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
    parts: &[(&str, Option<&str>, &[u8])],
) -> (StatusCode, Value) {
    let (ct, body) = multipart(parts);
    let mut req = s
        .http
        .post(format!("{}{path}", s.base))
        .header("content-type", ct)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let st = res.status();
    let text = res.text().await.unwrap();
    (
        st,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn bytes(s: &TestServer, path: &str, token: Option<&str>) -> (StatusCode, Vec<u8>, String) {
    let mut req = s.http.get(format!("{}{path}", s.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let st = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (st, res.bytes().await.unwrap().to_vec(), ct)
}

fn upload_path(case: &Value) -> String {
    format!("/api/v1/cases/{}/attachments", case["id"].as_str().unwrap())
}

async fn upload_scope_and_public(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let case = s.new_case(&clerk, json!({})).await;
    let photo = files::samples::jpeg_with_gps(640, 480, 30.2712, 120.0035);

    // A clerk attaches a phone photo: 201 with its thumbnail and position.
    let (st, a) = send(
        &s,
        &upload_path(&case),
        Some(&clerk),
        &[
            ("file", Some("现场照片.jpg"), &photo),
            ("step", None, b"intake"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["name"], "现场照片.jpg");
    assert_eq!(a["size"], photo.len());
    assert_eq!(a["content_type"], "image/jpeg");
    assert_eq!(a["kind"], "image");
    assert_eq!(a["step"], "intake");
    assert_eq!(a["source"], "staff");
    assert_eq!(a["public"], false);
    assert!((a["location"]["lat"].as_f64().unwrap() - 30.2712).abs() < 1e-5);
    let url = a["url"].as_str().unwrap().to_string();
    let thumb = a["thumbnail_url"].as_str().unwrap().to_string();

    // The original, as sent (EXIF kept for staff); the thumbnail a real, smaller JPEG.
    let (st, body, ct) = bytes(&s, &url, Some(&clerk)).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(body, photo);
    let (st, t, ct) = bytes(&s, &thumb, Some(&clerk)).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(t.starts_with(&[0xFF, 0xD8]) && t.len() < photo.len());
    assert_eq!(files::gps_location(&t), None);

    // A document is listed with size and type, no thumbnail.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (st, d) = send(
        &s,
        &upload_path(&case),
        Some(&clerk),
        &[("file", Some("情况说明.pdf"), &pdf)],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    assert_eq!(
        (d["kind"].as_str(), d["thumbnail_url"].is_null()),
        (Some("document"), true)
    );
    assert_eq!(d["step"], "other");
    let (st, list) = s.get(&upload_path(&case), &clerk).await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["现场照片.jpg", "情况说明.pdf"]);

    // Another street's handler: the list, the bytes, the thumbnail and an upload are all 404.
    let other = s.login("street2_handler").await;
    assert_eq!(
        s.get(&upload_path(&case), &other).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(bytes(&s, &url, Some(&other)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        bytes(&s, &thumb, Some(&other)).await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _) = send(
        &s,
        &upload_path(&case),
        Some(&other),
        &[("file", Some("x.pdf"), &pdf)],
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(bytes(&s, &url, None).await.0, StatusCode::UNAUTHORIZED);

    // The public sees nothing the unit did not publish.
    let public = format!("/api/v1/public/attachments/{}", a["id"].as_str().unwrap());
    assert_eq!(bytes(&s, &public, None).await.0, StatusCode::NOT_FOUND);
    let number = case["number"].as_str().unwrap();
    let (st, track) = s
        .get(
            &format!("/api/v1/portal/cases/{number}?phone=13812341234"),
            "",
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{track}");
    assert_eq!(track["attachments"], json!([]));

    // The citizen adds a photo from the portal: public at once, without its EXIF position.
    let (st, mine) = send(
        &s,
        &format!("/api/v1/portal/cases/{number}/attachments"),
        None,
        &[
            ("phone", None, b"13812341234"),
            ("file", Some("IMG_2041.JPG"), &photo),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{mine}");
    assert!(mine.get("location").is_none() && mine.get("url").is_none());
    let (st, body, _) = bytes(&s, mine["public_url"].as_str().unwrap(), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(files::gps_location(&body), None);
    assert!(body.len() < photo.len());
    let (st, _, ct) = bytes(&s, mine["public_thumbnail_url"].as_str().unwrap(), None).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "image/jpeg"));
    // A wrong phone is not told the case exists.
    let (st, _) = send(
        &s,
        &format!("/api/v1/portal/cases/{number}/attachments"),
        None,
        &[
            ("phone", None, b"13900000000"),
            ("file", Some("a.jpg"), &photo),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Staff see it with its position and source.
    let (_, list) = s.get(&upload_path(&case), &clerk).await;
    let citizen = &list.as_array().unwrap()[2];
    assert_eq!(
        (citizen["source"].as_str(), citizen["public"].as_bool()),
        (Some("citizen"), Some(true))
    );
    assert!(citizen["location"]["lon"].as_f64().is_some());

    // The dispatching hub publishes the clerk's photo; it then shows on the portal, stripped.
    let aid = a["id"].as_str().unwrap();
    let (st, v) = s
        .call(
            "PATCH",
            &format!("{}/{aid}", upload_path(&case)),
            Some(&other),
            Some(json!({ "public": true })),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (st, v) = s
        .call(
            "PATCH",
            &format!("{}/{aid}", upload_path(&case)),
            Some(&clerk),
            Some(json!({ "public": "yes" })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = s
        .call(
            "PATCH",
            &format!("{}/{aid}", upload_path(&case)),
            Some(&clerk),
            Some(json!({ "public": true })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["public"], true);
    let (st, body, _) = bytes(&s, &public, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(files::gps_location(&body), None);
    let (_, track) = s
        .get(
            &format!("/api/v1/portal/cases/{number}?phone=13812341234"),
            "",
        )
        .await;
    assert_eq!(track["attachments"].as_array().unwrap().len(), 2);
    assert!(track["attachments"][0].get("location").is_none());
    s.shutdown().await;
}
on_both!(upload_scope_and_public_files, upload_scope_and_public);

async fn refusals(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let case = s.new_case(&clerk, json!({})).await;
    let path = upload_path(&case);
    let check = |st: StatusCode, v: &Value, want: StatusCode, code: &str| {
        assert_eq!(st, want, "{v}");
        assert_eq!(v["error"]["code"], code, "{v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    };
    // By content, not by name: a page named .jpg, a program named .pdf, an SVG.
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[(
            "file",
            Some("photo.jpg"),
            b"<html><script>alert(1)</script></html>",
        )],
    )
    .await;
    check(st, &v, StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type");
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[("file", Some("a.pdf"), b"MZ\x90\x00\x03\x00\x00\x00")],
    )
    .await;
    check(st, &v, StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type");
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[(
            "file",
            Some("a.svg"),
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )],
    )
    .await;
    check(st, &v, StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type");
    // A damaged image; a picture claiming 60,000 × 60,000 pixels in a few bytes.
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[("file", Some("a.jpg"), b"\xFF\xD8\xFF\xE0 broken")],
    )
    .await;
    check(st, &v, StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_damaged");
    let mut bomb = files::samples::sample_png(2, 2);
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[("file", Some("bomb.png"), &bomb)],
    )
    .await;
    assert!(
        st == StatusCode::PAYLOAD_TOO_LARGE || st == StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{st} {v}"
    );
    // Too large: 413 with the limit in the message.
    let big = vec![b'a'; 10 * 1024 * 1024 + 10];
    let (st, v) = send(&s, &path, Some(&clerk), &[("file", Some("big.txt"), &big)]).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    // No file, an empty file, a bad step, not multipart at all.
    let (st, v) = send(&s, &path, Some(&clerk), &[("step", None, b"intake")]).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file")),
        "{v}"
    );
    let (st, v) = send(&s, &path, Some(&clerk), &[("file", Some("e.pdf"), b"")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[("file", Some("a.txt"), b"words"), ("step", None, b"delete")],
    )
    .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("step")),
        "{v}"
    );
    let (st, v) = s.post(&path, &clerk, json!({ "file": "x" })).await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (st, v) = send(
        &s,
        "/api/v1/cases/not-a-uuid/attachments",
        Some(&clerk),
        &[("file", Some("a.txt"), b"words")],
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    // Nothing of the above was kept.
    let (_, list) = s.get(&path, &clerk).await;
    assert_eq!(list, json!([]));
    // At most 30 per case.
    for i in 0..30 {
        let text = format!("第{i}份说明");
        let (st, v) = send(
            &s,
            &path,
            Some(&clerk),
            &[("file", Some("说明.txt"), text.as_bytes())],
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{i}: {v}");
    }
    let (st, v) = send(
        &s,
        &path,
        Some(&clerk),
        &[("file", Some("说明.txt"), b"one more")],
    )
    .await;
    check(st, &v, StatusCode::UNPROCESSABLE_ENTITY, "too_many_files");
    let (_, list) = s.get(&path, &clerk).await;
    assert_eq!(list.as_array().unwrap().len(), 30);
    s.shutdown().await;
}
on_both!(refused_files_change_nothing, refusals);

async fn evidence(db: Db) {
    let s = TestServer::start(db).await;
    let (admin, clerk, disp, handler) = (
        s.login("admin").await,
        s.login("clerk").await,
        s.login("dispatcher").await,
        s.login("handler").await,
    );
    let (st, v) = s
        .call(
            "PUT",
            "/api/v1/attachments/policy",
            Some(&clerk),
            Some(json!({ "categories": ["城市管理"] })),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, v) = s
        .call(
            "PUT",
            "/api/v1/attachments/policy",
            Some(&admin),
            Some(json!({ "categories": ["不存在的类别"] })),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("categories")),
        "{v}"
    );
    let (st, v) = s
        .call(
            "PUT",
            "/api/v1/attachments/policy",
            Some(&admin),
            Some(json!({ "categories": ["城市管理"] })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        s.get("/api/v1/attachments/policy", &clerk).await.1,
        json!({ "categories": ["城市管理"] })
    );

    let c = s.new_case(&clerk, json!({})).await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    let done = json!({ "reply": "已清理占道摊贩，恢复通行", "outcome": "resolved" });
    let (st, v) = s.try_act(&handler, &c, "resolve", done.clone()).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("evidence")),
        "{v}"
    );
    assert_eq!(s.case(&handler, &c).await["status"], "in_progress");
    // A file of another step is not evidence of the result.
    let photo = files::samples::sample_jpeg(320, 240);
    let (st, _) = send(
        &s,
        &upload_path(&c),
        Some(&handler),
        &[
            ("file", Some("before.jpg"), &photo),
            ("step", None, b"intake"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(
        s.try_act(&handler, &c, "resolve", done.clone()).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let after = files::samples::sample_jpeg(320, 241);
    let (st, v) = send(
        &s,
        &upload_path(&c),
        Some(&handler),
        &[
            ("file", Some("整改后.jpg"), &after),
            ("step", None, b"resolve"),
            ("public", None, b"true"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["public"], true);
    let c = s.act(&handler, &c, "resolve", done.clone()).await;
    assert_eq!(c["status"], "resolved");
    // Unsatisfied: the case is reopened and the old photo is no evidence of the new work.
    s.clock.advance(60_000);
    let clerk = s.login("clerk").await;
    let handler = s.login("handler").await;
    let c = s
        .act(
            &clerk,
            &c,
            "follow_up",
            json!({ "satisfaction": "unsatisfied", "resolved": false }),
        )
        .await;
    assert_eq!(c["status"], "in_progress", "{c}");
    let (st, v) = s.try_act(&handler, &c, "resolve", done.clone()).await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("evidence")),
        "{v}"
    );
    let again = files::samples::sample_jpeg(320, 242);
    let (st, _) = send(
        &s,
        &upload_path(&c),
        Some(&handler),
        &[
            ("file", Some("复查后.jpg"), &again),
            ("step", None, b"resolve"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let c = s.act(&handler, &c, "resolve", done).await;
    assert_eq!(c["status"], "resolved");

    // Another category is resolved without evidence.
    let c = s
        .new_case(
            &clerk,
            json!({ "category": "环境保护/噪声污染", "title": "夜间施工噪声" }),
        )
        .await;
    let c = s.act(&clerk, &c, "accept", json!({})).await;
    let c = s.act(&disp, &c, "dispatch", json!({ "unit": "cgj" })).await;
    let c = s.act(&handler, &c, "sign", json!({})).await;
    s.act(
        &handler,
        &c,
        "resolve",
        json!({ "reply": "已处理", "outcome": "resolved" }),
    )
    .await;
    s.shutdown().await;
}
on_both!(evidence_required_by_policy, evidence);

/// A one-route HTTP server on loopback serving `body` at `/photo.jpg`.
async fn media_server(body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/photo.jpg",
        axum::routing::get(move || {
            let b = body.clone();
            async move { b }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

async fn open311_media(db: Db) {
    let s = TestServer::start(db).await;
    let key = s.app.create_api_key("fms").await.unwrap();
    let (community, _) = s.community(0);
    let photo = files::samples::jpeg_with_gps(800, 600, 30.27, 120.0);
    let post = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
        let s = &s;
        async move {
            let borrowed: Vec<(&str, Option<&str>, &[u8])> = parts
                .iter()
                .map(|(a, b, c)| (*a, *b, c.as_slice()))
                .collect();
            send(s, "/open311/v2/requests.json", None, &borrowed).await
        }
    };
    let fields = |desc: &str| -> Vec<(&'static str, Option<&'static str>, Vec<u8>)> {
        vec![
            ("api_key", None, key.clone().into_bytes()),
            ("jurisdiction_id", None, b"linjiang.gov.cn".to_vec()),
            ("service_code", None, b"CSGL-ZDJY".to_vec()),
            ("description", None, desc.as_bytes().to_vec()),
            ("address_id", None, community.clone().into_bytes()),
            ("lat", None, b"30.27".to_vec()),
            ("long", None, b"120.0".to_vec()),
        ]
    };
    // A FixMyStreet-style multipart POST with a `media` photo.
    let mut parts = fields("路灯不亮，夜间行人看不清路面，附现场照片");
    parts.push(("media", Some("lamp.jpg"), photo.clone()));
    let (st, v) = post(parts).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let number = v[0]["service_request_id"].as_str().unwrap().to_string();
    let (st, r) = s
        .get(&format!("/open311/v2/requests/{number}.json"), "")
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let media = r[0]["media_url"].as_str().unwrap().to_string();
    assert!(
        media.starts_with("http://") && media.ends_with("/thumbnail"),
        "{media}"
    );
    let res = s.http.get(&media).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    // A refused media file refuses the request: no case.
    let mut parts = fields("井盖缺失");
    parts.push(("media", Some("evil.jpg"), b"<html>".to_vec()));
    let (st, v) = post(parts).await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    assert!(
        v[0]["description"].as_str().unwrap().contains("evil.jpg"),
        "{v}"
    );

    // `media_url` is fetched (here from loopback, which production never fetches from).
    let base = media_server(photo.clone()).await;
    let mut parts = fields("垃圾堆放多日无人清运");
    parts.push(("media_url", None, format!("{base}/photo.jpg").into_bytes()));
    let (st, v) = post(parts).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let n2 = v[0]["service_request_id"].as_str().unwrap().to_string();
    let case = s.store.get_case_by_number(&n2).await.unwrap().unwrap();
    let files_of = s.app.store.attachments_of_case(case.id).await.unwrap();
    assert_eq!(files_of.len(), 1);
    assert_eq!(
        (files_of[0].kind.as_str(), files_of[0].public),
        ("image", true)
    );
    // One that cannot be fetched is kept as a link for staff, not shown to the public.
    let mut parts = fields("路面塌陷");
    parts.push((
        "media_url",
        None,
        format!("{base}/missing.jpg").into_bytes(),
    ));
    let (st, v) = post(parts).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let n3 = v[0]["service_request_id"].as_str().unwrap().to_string();
    let case = s.store.get_case_by_number(&n3).await.unwrap().unwrap();
    let files_of = s.app.store.attachments_of_case(case.id).await.unwrap();
    assert_eq!((files_of.len(), files_of[0].kind.as_str()), (1, "link"));
    let (_, r) = s.get(&format!("/open311/v2/requests/{n3}.json"), "").await;
    assert!(r[0].get("media_url").is_none_or(Value::is_null), "{r}");
    s.shutdown().await;
}
on_both!(open311_photos, open311_media);

async fn orphans(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let case = s.new_case(&clerk, json!({})).await;
    let (st, a) = send(
        &s,
        &upload_path(&case),
        Some(&clerk),
        &[("file", Some("a.txt"), b"kept")],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    // Bytes written by an upload killed before its row: an orphan, old enough to collect, and
    // one young enough to belong to an upload in flight.
    let old = files::content_key(b"orphan");
    s.app.files.put(&old, b"orphan".to_vec()).await.unwrap();
    let young = files::content_key(b"in flight");
    s.app
        .files
        .put(&young, b"in flight".to_vec())
        .await
        .unwrap();
    let path = s.files_dir.join(&old[..2]).join(&old);
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
    let kept = s
        .files_dir
        .join(&files::content_key(b"kept")[..2])
        .join(files::content_key(b"kept"));
    let f = std::fs::File::options().write(true).open(&kept).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
    assert_eq!(s.app.collect_orphan_files().await.unwrap(), 1);
    assert!(s.app.files.get(&old).await.unwrap().is_none());
    assert!(s.app.files.get(&young).await.unwrap().is_some());
    let (st, body, _) = bytes(&s, a["url"].as_str().unwrap(), Some(&clerk)).await;
    assert_eq!((st, body.as_slice()), (StatusCode::OK, b"kept".as_slice()));
    s.shutdown().await;
}
on_both!(orphaned_bytes_are_collected, orphans);

async fn ledger_photos(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let (community, _) = s.community(0);
    let photo = files::samples::street_scene(7, true);
    let base = media_server(photo.clone()).await;
    let csv = format!(
        "\u{feff}走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话,走访情况,照片链接\r\n\
         王建国,住户,2026-11-02,李明,楼道里堆满杂物，消防通道被堵,金桥花园3幢,{community},,,,{base}/photo.jpg；{base}/gone.jpg\r\n\
         李四,住户,2026-11-02,李明,路灯坏了,金桥路,{community},,,,ftp://x/y.jpg\r\n"
    );
    let post = |mode: &'static str, body: String| {
        let s = &s;
        let clerk = clerk.clone();
        async move {
            let r = s
                .http
                .post(format!("{}/api/v1/ledger/import?mode={mode}", s.base))
                .bearer_auth(&clerk)
                .header("content-type", "text/csv")
                .body(body.into_bytes())
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    // A link that is not http/https is named in the report.
    let (st, rep) = post("all_or_nothing", csv.clone()).await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(rep["imported"], 0);
    assert!(
        rep["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["column"] == "照片链接" && e["row"] == 3),
        "{rep}"
    );
    // The valid row's photo is fetched onto its case; the missing one is kept as a link.
    let (st, rep) = post("valid_only", csv).await;
    assert_eq!(
        (st, rep["imported"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{rep}"
    );
    let (_, list) = s.get("/api/v1/cases?q=消防通道", &clerk).await;
    let case = &list["items"][0];
    let (_, files_of) = s.get(&upload_path(case), &clerk).await;
    let files_of = files_of.as_array().unwrap();
    assert_eq!(files_of.len(), 2, "{files_of:?}");
    assert_eq!(
        (files_of[0]["kind"].as_str(), files_of[0]["source"].as_str()),
        (Some("image"), Some("staff"))
    );
    assert_eq!(files_of[0]["public"], false);
    let (st, body, _) = bytes(&s, files_of[0]["url"].as_str().unwrap(), Some(&clerk)).await;
    assert_eq!((st, body.len()), (StatusCode::OK, photo.len()));
    assert_eq!(files_of[1]["kind"], "link");
    assert!(files_of[1]["url"].as_str().unwrap().ends_with("/gone.jpg"));
    s.shutdown().await;
}
on_both!(ledger_rows_bring_their_photos, ledger_photos);
