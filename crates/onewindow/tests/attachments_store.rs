//! Where attachments live, tested against the real thing (issue 23):
//! - S3-compatible object storage: moto's standalone server (PyPI `moto[server]`, installed by
//!   `scripts/test.sh` into `target/moto-venv`), through the HTTP API on both databases, and
//!   `onewindow serve --files s3://bucket/prefix` with the usual AWS_* environment;
//! - a process killed in the middle of an upload: after a restart no row refers to a missing
//!   file, the half-received upload left nothing, and uploading works again.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer, multipart};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// moto's server, if installed; in CI its absence is a failure, elsewhere the test says it skipped.
fn moto_server() -> Option<std::path::PathBuf> {
    let p = std::env::var("ONEWINDOW_MOTO_SERVER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/moto-venv/bin/moto_server")
        });
    if p.exists() {
        Some(p)
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "moto_server not found at {}: scripts/test.sh installs it",
            p.display()
        );
    } else {
        eprintln!(
            "SKIPPED: moto_server not installed ({}); run scripts/test.sh",
            p.display()
        );
        None
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_for(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not come up");
}

/// A moto server on a free port with an empty bucket `onewindow-test`; its endpoint.
async fn moto_with_bucket() -> Option<(Kill, String)> {
    let bin = moto_server()?;
    let port = free_port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let guard = Kill(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_for(&endpoint).await;
    let res = reqwest::Client::new()
        .put(format!("{endpoint}/onewindow-test"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "create bucket: {}", res.status());
    Some((guard, endpoint))
}

async fn upload(
    base: &str,
    token: &str,
    case_id: &str,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let (ct, body) = multipart(&[("file", Some(name), bytes), ("step", None, b"intake")]);
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/cases/{case_id}/attachments"))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

/// Objects under `prefix` in the bucket, by moto's ListObjectsV2.
async fn keys_in_bucket(endpoint: &str, prefix: &str) -> Vec<String> {
    let xml = reqwest::Client::new()
        .get(format!(
            "{endpoint}/onewindow-test?list-type=2&prefix={prefix}"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|s| s.split("</Key>").next())
        .map(str::to_string)
        .collect()
}

async fn s3_over_http(db: Db) {
    let Some((_moto, endpoint)) = moto_with_bucket().await else {
        return;
    };
    let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
    let files = store::files::S3Files::with_credentials(
        &format!("s3://onewindow-test/{prefix}"),
        &endpoint,
        "testing",
        "testing",
        "us-east-1",
    )
    .unwrap();
    let s = TestServer::start_full(
        db,
        web::WebConfig::default(),
        Some(std::sync::Arc::new(files)),
    )
    .await;
    let clerk = s.login("clerk").await;
    let case = s.new_case(&clerk, json!({})).await;
    let id = case["id"].as_str().unwrap();
    let photo = files::samples::jpeg_with_gps(640, 480, 30.27, 120.0);
    let (st, a) = upload(&s.base, &clerk, id, "现场.jpg", &photo).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    // The photo and its thumbnail are objects in the bucket under the prefix.
    let keys = keys_in_bucket(&endpoint, &prefix).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.contains(&format!("{prefix}/{}", files::content_key(&photo))),
        "{keys:?}"
    );
    // And they come back through the API.
    let res = s
        .http
        .get(format!("{}{}", s.base, a["url"].as_str().unwrap()))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), photo.as_slice());
    let res = s
        .http
        .get(format!(
            "{}{}",
            s.base,
            a["thumbnail_url"].as_str().unwrap()
        ))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // An orphan in the bucket is listed and, being new, kept.
    let orphan = files::content_key(b"orphan");
    s.app.files.put(&orphan, b"orphan".to_vec()).await.unwrap();
    assert_eq!(s.app.files.list().await.unwrap().len(), 3);
    assert_eq!(s.app.collect_orphan_files().await.unwrap(), 0);
    s.app.files.delete(&orphan).await.unwrap();
    assert!(s.app.files.get(&orphan).await.unwrap().is_none());
    s.shutdown().await;
}
on_both!(s3_compatible_storage, s3_over_http);

fn onewindow(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args(args)
        .env("ONEWINDOW_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn serve(db: &str, port: u16, extra: &[&str], env: &[(&str, &str)]) -> Kill {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onewindow"));
    cmd.args([
        "serve",
        "--db",
        db,
        "--bind",
        &format!("127.0.0.1:{port}"),
        "--no-jobs",
    ])
    .args(extra)
    .env("ONEWINDOW_LOG", "warn")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Kill(cmd.spawn().unwrap())
}

async fn login(base: &str, user: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": user, "password": common::PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().unwrap().to_string()
}

async fn new_case(base: &str, token: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(token)
        .json(&json!({
            "title": "路灯不亮", "description": "小区门口两盏路灯连续三晚不亮，夜间出行不便。",
            "nature": "complaint", "category": "城市管理/市容环境", "urgency": "normal", "source": "phone",
            "reporter": { "name": "李女士", "phone": "13812340000" },
            "location": { "address": "临江区文昌路 18 号", "region": "330188001001" }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_files_on_s3_from_the_environment() {
    let Some((_moto, endpoint)) = moto_with_bucket().await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("ow-s3-serve-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("o.db").display());
    onewindow(&["seed", "--db", &db, "--cases", "0"]);
    let port = free_port();
    let _server = serve(
        &db,
        port,
        &["--files", "s3://onewindow-test/district-a"],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", &endpoint),
        ],
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/healthz")).await;
    let token = login(&base, "clerk").await;
    let case = new_case(&base, &token).await;
    let pdf = b"%PDF-1.4\n%%EOF\n";
    let (st, a) = upload(&base, &token, &case, "说明.pdf", pdf).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(
        keys_in_bucket(&endpoint, "district-a").await,
        vec![format!("district-a/{}", files::content_key(pdf))]
    );
    let res = reqwest::Client::new()
        .get(format!("{base}{}", a["url"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf);
    // Nothing went to the default directory beside the database.
    assert!(
        !dir.join("o.db.files")
            .join(&files::content_key(pdf)[..2])
            .exists()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_upload_leaves_no_row_without_its_file() {
    let dir = std::env::temp_dir().join(format!("ow-kill-upload-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("o.db").display());
    onewindow(&["seed", "--db", &db, "--cases", "0"]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = serve(&db, port, &[], &[]);
    wait_for(&format!("{base}/healthz")).await;
    let token = login(&base, "clerk").await;
    let case = new_case(&base, &token).await;
    let (st, first) = upload(
        &base,
        &token,
        &case,
        "before.pdf",
        b"%PDF-1.4\nfirst\n%%EOF\n",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{first}");

    // An 8 MB photo upload, cut off half way by killing the server.
    let photo = {
        let mut p = files::samples::sample_jpeg(64, 64);
        p.resize(8 * 1024 * 1024, 0);
        p
    };
    let (ct, body) = multipart(&[("file", Some("big.jpg"), &photo)]);
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        sock,
        "POST /api/v1/cases/{case}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    sock.write_all(&body[..body.len() / 2]).unwrap();
    sock.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(server); // SIGKILL
    drop(sock);

    // Restarted: the list has the first file only, every listed file is readable, no
    // temporary file is left, and a new upload works.
    let server = serve(&db, port, &[], &[]);
    wait_for(&format!("{base}/healthz")).await;
    let token = login(&base, "clerk").await;
    let list: Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/cases/{case}/attachments"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    for a in list {
        let res = reqwest::Client::new()
            .get(format!("{base}{}", a["url"].as_str().unwrap()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let tmp = dir.join("o.db.files").join(".tmp");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    let (st, v) = upload(
        &base,
        &token,
        &case,
        "after.pdf",
        b"%PDF-1.4\nafter\n%%EOF\n",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}
