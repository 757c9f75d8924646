//! Two `onewindow serve` processes on one PostgreSQL database, 1,000 cases crossing their due
//! times, one process killed and restarted midway: every warning exists exactly once.
#![allow(clippy::unwrap_used)]

mod common;

use app::App;
use app::clock::SystemClock;
use app::ports::Store;
use seed::DemoSeed as _;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::SqlStore;

fn serve(db: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args([
            "serve",
            "--db",
            db,
            "--bind",
            "127.0.0.1:0",
            "--sweep-interval-ms",
            "200",
            "--job-tick-ms",
            "50",
            "--job-lock-ms",
            "3000",
        ])
        .env("ONEWINDOW_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_warn_exactly_once() {
    let (url, cleanup) = common::fresh_db(common::Db::Postgres).await;
    let store = Arc::new(SqlStore::connect(&url).await.unwrap());
    store.migrate().await.unwrap();
    let app = App::new(
        store.clone(),
        Arc::new(SystemClock),
        common::shared_triage(),
    );
    app.install_demo_district().await.unwrap();
    app.install_demo_users().await.unwrap();
    // Sign-for on calendar minutes so the test does not depend on the time of day it runs.
    let mut policy = app.policy_json().await.unwrap();
    for r in policy["rules"].as_array_mut().unwrap() {
        r["clocks"]["sign"] = json!({ "unit": "minutes", "value": 1 });
    }
    policy["escalations"] = json!([]);
    app.set_policy(None, &policy).await.unwrap();

    // One real case through the lifecycle, then 1,000 copies dispatched 50 s ago whose sign-for
    // deadlines fall over the next 6 seconds.
    let clerk = app::scope::Principal {
        id: uuid::Uuid::now_v7(),
        username: "t".into(),
        name: "测试".into(),
        role: domain::Role::Clerk,
        unit: Some("330188".into()),
        kind: app::scope::PrincipalKind::User,
        must_change_password: false,
        client: None,
    };
    let (community, _) = ("330188001001", ());
    let v = app
        .create_case(&clerk, &json!({ "description": "路灯不亮", "nature": "help", "category": "城市管理/市容环境", "reporter": { "name": "张", "phone": "13800000000" }, "location": { "address": "金桥路", "region": community } }))
        .await
        .unwrap();
    let template = store.get_case(v.id).await.unwrap().unwrap();
    let now = app.now();
    let mut writes = vec![];
    let rules = app.rules().await.unwrap();
    for i in 0..1000i64 {
        let mut c = template.clone();
        c.id = uuid::Uuid::now_v7();
        c.status = domain::Status::Dispatched;
        c.unit = Some("cgj".into());
        c.dispatched_at = Some(now - 50_000);
        // 临期 from about 14 s on, 超期 from 30 s on: each case gets both, one after the other,
        // unless the replicas first sweep it after its deadline (then 超期 only).
        c.sign_due = Some(now + 30_000 + i * 5);
        writes.push((app.write_of_new(&rules, c), 2026));
    }
    store.insert_cases_bulk(writes).await.unwrap();

    let count = |action: &'static str| {
        let store = store.clone();
        async move {
            let q = app::ports::CaseQuery {
                limit: 2000,
                unit: Some("cgj".into()),
                ..Default::default()
            };
            let (cases, _) = store.list_cases(&q).await.unwrap();
            let mut per_case = vec![];
            for c in cases {
                let n = app::ports::Store::events(&*store, c.id)
                    .await
                    .unwrap()
                    .iter()
                    .filter(|e| e.action == action)
                    .count();
                per_case.push(n);
            }
            per_case
        }
    };
    let mut a = serve(&url);
    let b = serve(&url);
    // Kill one replica mid-run: once the 临期 warnings are being written.
    let started = Instant::now();
    while count("near_due").await.iter().all(|n| *n == 0)
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.kill().unwrap(); // SIGKILL
    a.wait().unwrap();
    let mut a2 = serve(&url);
    let mut b = b;

    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let overdue = count("overdue").await;
        if overdue.iter().filter(|n| **n >= 1).count() == 1000 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Let both replicas sweep a few more times: nothing may be repeated.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let near = count("near_due").await;
    let overdue = count("overdue").await;
    a2.kill().unwrap();
    b.kill().unwrap();
    let _ = (a2.wait(), b.wait());
    let hist = |v: &[usize]| {
        let mut h = std::collections::BTreeMap::new();
        for n in v {
            *h.entry(*n).or_insert(0) += 1;
        }
        h
    };
    eprintln!(
        "near_due per case: {:?}; overdue per case: {:?}",
        hist(&near),
        hist(&overdue)
    );
    assert_eq!(near.len(), 1000);
    // 临期 at most once; none for a clock a loaded machine first swept after its deadline.
    assert!(near.contains(&1), "no 临期 at all");
    assert!(
        near.iter().all(|n| *n <= 1),
        "near_due per case: {:?}",
        near.iter().filter(|n| **n > 1).count()
    );
    assert!(
        overdue.iter().all(|n| *n == 1),
        "overdue per case: {:?}",
        overdue.iter().filter(|n| **n != 1).count()
    );
    // Handler and unit lead of 城管局: the warnings gather in one digest each per day (its newest
    // entries kept), and no entry is there twice.
    let users = store.users().await.unwrap();
    let warned = (near.iter().sum::<usize>() + overdue.iter().sum::<usize>()) as i64;
    let mut told = 0;
    for u in users.iter().filter(|u| u.unit == "cgj") {
        let (rows, _) = store.notifications_page(u.id, false, 0, 100).await.unwrap();
        let digests: Vec<&serde_json::Value> = rows
            .iter()
            .filter(|n| n.kind == "deadline_digest")
            .filter_map(|n| n.data.as_ref())
            .collect();
        // Two only when the run crosses midnight in Shanghai.
        assert!(
            (1..=2).contains(&digests.len()),
            "{} digests",
            digests.len()
        );
        // Every warning counted exactly once, also beyond the entries a digest lists.
        let counted: i64 = digests
            .iter()
            .map(|d| {
                d["counts"]["near"].as_i64().unwrap_or(0)
                    + d["counts"]["overdue"].as_i64().unwrap_or(0)
            })
            .sum();
        assert_eq!(counted, warned, "{}", u.username);
        for d in digests {
            let items = d["items"].as_array().unwrap();
            let mut seen = std::collections::HashSet::new();
            for i in items {
                assert!(
                    seen.insert((i["case_id"].to_string(), i["warning"].to_string())),
                    "twice in a digest: {i}"
                );
            }
            assert!(!items.is_empty());
        }
        told += 1;
    }
    assert_eq!(told, 2);
    store.close().await;
    common::drop_db(cleanup).await;
}
