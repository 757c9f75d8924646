//! The edge's guards (issue 19, items 2, 4, 8, 9), over HTTP on SQLite and PostgreSQL: readiness that
//! asks the database, rate limits of the public portal and of sign-in (per client address behind a
//! trusted proxy, per case number, per phone, per username, with a known browser passing its
//! owner's lock), the password policy, and the security headers.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use std::time::Duration;

/// A request with extra headers (a forwarded address, a cookie), answering status, headers and body.
async fn send(
    s: &TestServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut rb = s
        .http
        .request(method.parse().unwrap(), format!("{}{path}", s.base))
        .timeout(Duration::from_secs(60));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let res = rb.send().await.unwrap();
    let (status, h) = (res.status(), res.headers().clone());
    let text = res.text().await.unwrap();
    (
        status,
        h,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn from(addr: &str) -> [(&str, &str); 1] {
    [("x-forwarded-for", addr)]
}

/// A server that believes X-Forwarded-For from 127.0.0.1 (the tests play the load balancer).
async fn behind_proxy(db: Db) -> TestServer {
    TestServer::start_with(
        db,
        web::WebConfig {
            trusted_proxies: web::guard::TrustedProxies::parse("127.0.0.1").unwrap(),
            ..Default::default()
        },
    )
    .await
}

async fn health(s: &TestServer, path: &str) -> (StatusCode, Value) {
    let (st, _, v) = send(s, "GET", path, &[], None).await;
    (st, v)
}

// ---- item 2: readiness asks the database, with a timeout, and recovers.

async fn readiness(db: Db) {
    let s = TestServer::start(db).await;
    for p in ["/healthz", "/readyz", "/livez"] {
        assert_eq!(health(&s, p).await.0, StatusCode::OK, "{p}");
    }
    match db {
        Db::Sqlite => {
            let file = s.sqlite_path().unwrap();
            let away = file.with_extension("moved");
            // The file removed: no longer ready (it was 200 for ever); alive all the same.
            std::fs::rename(&file, &away).unwrap();
            let (st, v) = health(&s, "/healthz").await;
            assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
            let reason = v["reason"].as_str().unwrap();
            assert!(reason.contains("not there"), "{v}");
            assert!(
                !reason.contains("t.db"),
                "no path on a public endpoint: {v}"
            );
            assert_eq!(health(&s, "/livez").await.0, StatusCode::OK);
            // Another file in its place is not the database this process writes to.
            std::fs::write(&file, b"SQLite format 3\0 but not ours").unwrap();
            let (st, v) = health(&s, "/readyz").await;
            assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
            std::fs::remove_file(&file).unwrap();
            // Put back: ready again.
            std::fs::rename(&away, &file).unwrap();
            assert_eq!(health(&s, "/healthz").await.0, StatusCode::OK);
            // Damaged (its header overwritten in place): not ready; repaired: ready.
            let overwrite = |head: &[u8]| {
                let mut f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
                std::io::Write::write_all(&mut f, head).unwrap();
                f.sync_all().unwrap();
            };
            let head = std::fs::read(&file).unwrap()[..16].to_vec();
            overwrite(b"garbagegarbage!!");
            let (st, v) = health(&s, "/healthz").await;
            assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
            assert!(v["reason"].as_str().unwrap().contains("damaged"), "{v}");
            overwrite(&head);
            assert_eq!(health(&s, "/healthz").await.0, StatusCode::OK);
            // Unreadable (not for root, whom permissions do not stop).
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
                if std::fs::File::open(&file).is_err() {
                    let (st, v) = health(&s, "/healthz").await;
                    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
                }
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
                assert_eq!(health(&s, "/healthz").await.0, StatusCode::OK);
            }
        }
        Db::Postgres => {
            let name = s.pg_database().unwrap();
            let mut admin = sqlx::PgConnection::connect(&common::pg_admin_url())
                .await
                .unwrap();
            let exec = |sql: String| sqlx::raw_sql(sqlx::AssertSqlSafe(sql));
            // Connections refused: not ready (it was 200 for 30 s).
            exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
                .execute(&mut admin)
                .await
                .unwrap();
            exec(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut admin)
            .await
            .unwrap();
            let (st, v) = health(&s, "/healthz").await;
            assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
            assert_eq!(health(&s, "/livez").await.0, StatusCode::OK);
            exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
                .execute(&mut admin)
                .await
                .unwrap();
            assert_eq!(health(&s, "/healthz").await.0, StatusCode::OK);
            // A database that hangs (a table it reads locked): 503 when the timeout runs out,
            // not a health check that hangs with it.
            let mut locker = sqlx::PgConnection::connect(&s.pg_url().unwrap())
                .await
                .unwrap();
            exec("BEGIN; LOCK TABLE units IN ACCESS EXCLUSIVE MODE".into())
                .execute(&mut locker)
                .await
                .unwrap();
            let (st, v) = health(&s, "/healthz").await;
            assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
            assert!(v["reason"].as_str().unwrap().contains("within"), "{v}");
            exec("ROLLBACK".into()).execute(&mut locker).await.unwrap();
            drop(locker);
            assert_eq!(health(&s, "/healthz").await.0, StatusCode::OK);
            // The database dropped: not ready; created and migrated again: ready.
            exec(format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap();
            let (st, v) = health(&s, "/healthz").await;
            assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
            exec(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            let again = store::SqlStore::connect(&s.pg_url().unwrap())
                .await
                .unwrap();
            again.migrate().await.unwrap();
            again.close().await;
            assert_eq!(health(&s, "/healthz").await.0, StatusCode::OK);
        }
    }
    s.shutdown().await;
}
on_both!(readiness_asks_the_database_and_recovers, readiness);

// ---- item 4: the portal's rate limits.

fn portal_case(phone: &str, region: &str) -> Value {
    json!({ "description": "小区路灯坏了一个月了，晚上很黑，老人出门不安全。", "nature": "help",
            "reporter": { "name": "陈阿姨", "phone": phone },
            "location": { "address": "金桥花园5幢", "region": region } })
}

/// Counts the answers by status.
fn tally(statuses: &[StatusCode]) -> (usize, usize) {
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    (statuses.len() - refused, refused)
}

async fn portal_limits(db: Db) {
    let s = behind_proxy(db).await;
    let (community, _) = s.community(0);
    let hour = 3_600_000;
    let (st, r) = s
        .call(
            "POST",
            "/api/v1/portal/cases",
            None,
            Some(portal_case("13955556666", &community)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let number = r["number"].as_str().unwrap().to_string();

    // The probe: 1,000 wrong phones for one case number (was 70,826 in 8 s, none refused).
    let mut answers = vec![];
    let mut last = None;
    for i in 0..1000 {
        let (st, h, v) = send(
            &s,
            "GET",
            &format!("/api/v1/portal/cases/{number}?phone=1390000{i:04}"),
            &[],
            None,
        )
        .await;
        answers.push(st);
        if st == StatusCode::TOO_MANY_REQUESTS {
            last = Some((h, v));
        }
    }
    let (answered, refused) = tally(&answers);
    println!(
        "1,000 wrong phones for one number: {answered} answered (404), {refused} refused (429)"
    );
    assert_eq!((answered, refused), (20, 980));
    assert!(answers[..20].iter().all(|s| *s == StatusCode::NOT_FOUND));
    let (h, v) = last.unwrap();
    // The window is the hour the guesses began in (T0 is on the hour).
    assert_eq!(h["retry-after"], "3600");
    assert_eq!(v["error"]["code"], "too_many_requests");
    assert!(v["error"]["message"].as_str().unwrap().contains("60 分钟"));
    assert_eq!(v["error"]["details"]["retry_after"], 3600);
    // The same guesses spread over 1,000 addresses behind the balancer: the number's own limit holds.
    s.clock.advance(hour);
    let mut answers = vec![];
    for i in 0..1000 {
        let addr = format!("203.0.{}.{}", i / 250, i % 250 + 1);
        let path = format!("/api/v1/portal/cases/{number}?phone=1391111{i:04}");
        answers.push(send(&s, "GET", &path, &from(&addr), None).await.0);
    }
    assert_eq!(tally(&answers), (20, 980));
    // The citizen's own phone works again once the window has passed.
    s.clock.advance(hour);
    let (st, _) = s
        .call(
            "GET",
            &format!("/api/v1/portal/cases/{number}?phone=13955556666"),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // Knowing one phone, walking the sequential numbers (was: all 6 cases found in 1.6 s).
    s.clock.advance(hour);
    let clerk = s.login("clerk").await;
    for _ in 0..6 {
        s.new_case(
            &clerk,
            json!({ "reporter": { "name": "刘先生", "phone": "13700001111" } }),
        )
        .await;
    }
    let year = &number[..4];
    let mut answers = vec![];
    let mut found = 0;
    for n in 1..=300 {
        // A new address for every guess: only the phone's limit can stop this one.
        let addr = format!("198.51.100.{}", n % 250 + 1);
        let path = format!("/api/v1/portal/cases/{year}-{n:06}?phone=13700001111");
        let (st, _, _) = send(&s, "GET", &path, &from(&addr), None).await;
        found += usize::from(st == StatusCode::OK);
        answers.push(st);
    }
    println!(
        "walking 300 numbers with one phone: {found} found, {:?}",
        tally(&answers)
    );
    assert_eq!(tally(&answers), (20, 280));
    // From one address, the address's own limit stops a walk with ever new phones.
    s.clock.advance(hour);
    let mut answers = vec![];
    for n in 1..=100 {
        let path = format!("/api/v1/portal/cases/{year}-{n:06}?phone=1380000{n:04}");
        answers.push(send(&s, "GET", &path, &from("192.0.2.7"), None).await.0);
    }
    assert_eq!(tally(&answers), (60, 40));
    // Ratings are look-ups too.
    let (st, _, v) = send(
        &s,
        "POST",
        &format!("/api/v1/portal/cases/{number}/rating"),
        &from("192.0.2.7"),
        Some(json!({ "phone": "13955556666", "satisfaction": "satisfied", "resolved": true })),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");

    // Anonymous submissions (was: 7,625 cases in 5 s): per address, and per phone.
    s.clock.advance(hour);
    let before = s.store.count_cases().await.unwrap();
    let mut answers = vec![];
    for i in 0..100 {
        let (st, h, v) = send(
            &s,
            "POST",
            "/api/v1/portal/cases",
            &[("x-forwarded-for", "192.0.2.50"), ("accept-language", "en")],
            Some(portal_case(&format!("1360000{i:04}"), &community)),
        )
        .await;
        if st == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(h["retry-after"], "600");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("too many requests"),
                "{v}"
            );
        }
        answers.push(st);
    }
    println!("100 submissions from one address: {:?}", tally(&answers));
    assert_eq!(tally(&answers), (20, 80));
    let mut answers = vec![];
    for i in 0..20 {
        let addr = format!("192.0.2.{}", 100 + i);
        let body = portal_case("13500002222", &community);
        answers.push(
            send(&s, "POST", "/api/v1/portal/cases", &from(&addr), Some(body))
                .await
                .0,
        );
    }
    assert_eq!(tally(&answers), (5, 15), "one phone from many addresses");
    assert_eq!(s.store.count_cases().await.unwrap(), before + 25);

    // Without a trusted proxy the header names nobody: a client cannot dodge its limit by it.
    let plain = TestServer::start(db).await;
    let mut answers = vec![];
    for i in 0..30 {
        let addr = format!("10.9.9.{}", i + 1);
        let body = portal_case(&format!("1350000{i:04}"), &community);
        answers.push(
            send(
                &plain,
                "POST",
                "/api/v1/portal/cases",
                &from(&addr),
                Some(body),
            )
            .await
            .0,
        );
    }
    assert_eq!(tally(&answers), (20, 10));
    plain.shutdown().await;
    s.shutdown().await;
}
on_both!(portal_is_rate_limited, portal_limits);

// ---- item 8: sign-in throttling per address and per username; a known browser passes.

async fn login_as(
    s: &TestServer,
    username: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    send(
        s,
        "POST",
        "/api/v1/auth/login",
        headers,
        Some(json!({ "username": username, "password": password })),
    )
    .await
}

async fn login_limits(db: Db) {
    let s = behind_proxy(db).await;
    let quarter = 15 * 60_000;
    // One client trying 100 usernames (was: unhindered, 3.5 s).
    let mut answers = vec![];
    for i in 0..100 {
        let (st, _, _) =
            login_as(&s, &format!("user{i}"), "Guess-123456", &from("192.0.2.9")).await;
        answers.push(st);
    }
    println!("100 usernames from one address: {:?}", tally(&answers));
    assert_eq!(tally(&answers), (20, 80));
    assert!(answers[..20].iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    // That address is refused even with a right password; another address is not.
    let (st, h, v) = login_as(&s, "clerk", common::PASSWORD, &from("192.0.2.9")).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["error"]["code"], "too_many_attempts");
    assert_eq!(h["retry-after"], "900");

    // A script signing in is given no device cookie (browsers announce themselves by Sec-Fetch-*).
    let (st, h, v) = login_as(&s, "handler", common::PASSWORD, &from("198.51.100.20")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(h.get("set-cookie").is_none());
    // The handler signs in from the office: the browser becomes known (an HttpOnly cookie).
    let browser = [
        ("x-forwarded-for", "198.51.100.20"),
        ("sec-fetch-site", "same-origin"),
    ];
    let (st, h, v) = login_as(&s, "handler", common::PASSWORD, &browser).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let set = h["set-cookie"].to_str().unwrap().to_string();
    for attr in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/v1/auth/login",
    ] {
        assert!(set.contains(attr), "{set}");
    }
    let device = set.split(';').next().unwrap().to_string();
    assert!(device.starts_with("ow_device="), "{device}");
    // Someone who knows the username guesses from elsewhere: five failures lock the username...
    for _ in 0..5 {
        let (st, _, _) = login_as(&s, "handler", "wrong-password", &from("203.0.113.66")).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    for addr in ["203.0.113.66", "198.51.100.21"] {
        let (st, _, v) = login_as(&s, "handler", common::PASSWORD, &from(addr)).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{addr}: {v}");
    }
    // ...but not for its owner's known browser (was: locked out for 15 minutes).
    let cookie = [
        ("x-forwarded-for", "198.51.100.20"),
        ("cookie", device.as_str()),
    ];
    let (st, h, v) = login_as(&s, "handler", common::PASSWORD, &cookie).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(
        h.get("set-cookie").is_none(),
        "a known browser keeps its cookie"
    );
    // A known browser is known for its user only.
    let (st, _, _) = login_as(
        &s,
        "handler",
        common::PASSWORD,
        &[
            ("x-forwarded-for", "198.51.100.22"),
            ("cookie", "ow_device=00"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    // A stolen cookie is no way around the limits: the browser has its own.
    let mut answers = vec![];
    for _ in 0..12 {
        answers.push(login_as(&s, "handler", "wrong-again", &cookie).await.0);
    }
    assert_eq!(tally(&answers), (10, 2));
    // The window passes: the username and the addresses are free again.
    s.clock.advance(quarter);
    for addr in ["192.0.2.9", "203.0.113.66"] {
        let (st, _, v) = login_as(&s, "handler", common::PASSWORD, &from(addr)).await;
        assert_eq!(st, StatusCode::OK, "{addr}: {v}");
    }
    s.shutdown().await;
}
on_both!(login_is_throttled_per_address_and_username, login_limits);

// ---- item 8: the password policy, wherever a password is set.

async fn password_policy(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await; // the seeded demo password still works
    let user = |password: &str| json!({ "username": "zhaoliu", "password": password, "role": "clerk", "unit": "330188" });
    for weak in [
        "Demo@2026",
        "password1234",
        "1qaz2wsx3edc",
        "Sunshine!2026#",
        "zhaoliu-2026-spring",
        "aaaaaaaaaaaaaaaa",
    ] {
        let (st, e) = s.post("/api/v1/users", &admin, user(weak)).await;
        assert_eq!(
            (st, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("password")),
            "{weak}: {e}"
        );
    }
    let (st, u) = s
        .post("/api/v1/users", &admin, user("west lake in light rain"))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let (st, _, v) = login_as(&s, "zhaoliu", "west lake in light rain", &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // The same policy for a password the user changes...
    let token = v["token"].as_str().unwrap().to_string();
    for (new, ok) in [
        ("1qaz2wsx3edc", false),
        ("zhaoliu-at-the-lake", false),
        ("a kite over the pagoda", true),
    ] {
        let (st, e) = s
            .post(
                "/api/v1/auth/password",
                &token,
                json!({ "current": "west lake in light rain", "new": new }),
            )
            .await;
        if ok {
            assert_eq!(st, StatusCode::OK, "{new}: {e}");
        } else {
            assert_eq!(
                (st, e["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("new")),
                "{new}: {e}"
            );
        }
    }
    // ...and for one an administrator sets.
    let id = u["id"].as_str().unwrap();
    let path = format!("/api/v1/users/{id}/password");
    let (st, e) = s
        .post(&path, &admin, json!({ "password": "password1234" }))
        .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password")),
        "{e}"
    );
    let (st, r) = s.post(&path, &admin, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let temporary = r["temporary_password"].as_str().unwrap();
    assert_eq!(
        app::auth::check_password("password", temporary, "zhaoliu").ok(),
        Some(())
    );
    s.shutdown().await;
}
on_both!(passwords_follow_the_policy, password_policy);

// ---- item 9: security headers; bearer tokens keep working.

async fn headers(db: Db) {
    let s = TestServer::start(db).await;
    for page in ["/", "/portal", "/cases/123"] {
        let (st, h, _) = send(&s, "GET", page, &[], None).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert!(
            !csp.contains("script-src") || csp.contains("script-src 'self';"),
            "no inline script: {csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-content-type-options"], "nosniff");
    }
    let token = s.login("clerk").await;
    let (st, h, _) = send(
        &s,
        "GET",
        "/api/v1/cases",
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    for (method, path) in [
        ("GET", "/api/v1/units"),
        ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/open311/v2/services.json"),
    ] {
        let (_, h, _) = send(&s, method, path, &[], None).await;
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    // HSTS only for what came over HTTPS through a proxy we trust: a client cannot claim it.
    let (_, h, _) = send(&s, "GET", "/", &[("x-forwarded-proto", "https")], None).await;
    assert!(h.get("strict-transport-security").is_none());
    let proxied = behind_proxy(db).await;
    let (_, h, _) = send(&proxied, "GET", "/", &[], None).await;
    assert!(h.get("strict-transport-security").is_none(), "plain HTTP");
    for path in ["/", "/api/v1/units"] {
        let (_, h, _) = send(
            &proxied,
            "GET",
            path,
            &[("x-forwarded-proto", "https")],
            None,
        )
        .await;
        assert_eq!(
            h["strict-transport-security"], "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    proxied.shutdown().await;
    s.shutdown().await;
}
on_both!(answers_carry_security_headers, headers);

/// A citizen's own account submits under the portal's limits: per account (as per phone), so
/// a script signed in as one citizen cannot flood the window either.
async fn citizen_account_limits(db: Db) {
    let s = TestServer::start(db).await;
    let (community, _) = s.community(0);
    let citizen = s.login("citizen").await;
    let auth = format!("Bearer {citizen}");
    let mut answers = vec![];
    for i in 0..10 {
        let (st, h, v) = send(
            &s,
            "POST",
            "/api/v1/cases",
            &[("authorization", auth.as_str())],
            Some(portal_case(&format!("1370000{i:04}"), &community)),
        )
        .await;
        if st == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(h["retry-after"], "3600", "{v}");
        } else {
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        answers.push(st);
    }
    assert_eq!(tally(&answers), (5, 5));
    s.shutdown().await;
}
on_both!(citizen_account_is_rate_limited, citizen_account_limits);
