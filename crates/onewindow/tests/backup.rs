//! `onewindow backup` / `restore` (issue 19.16) on both backends: a backup taken while cases keep
//! being registered is one consistent snapshot, it restores into a new database that works (sign
//! in, read, register the next case), the backup is in the audit log, and neither command ever
//! overwrites what exists.
#![allow(clippy::unwrap_used)]

mod common;

use app::ports::Store as _;
use common::{Db, TestServer};
use serde_json::json;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn onewindow(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args(args)
        .env("ONEWINDOW_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn backup_while_writing_then_restore(db: Db) {
    let s = Arc::new(TestServer::start(db).await);
    let clerk = s.login("clerk").await;
    for _ in 0..10 {
        s.new_case(&clerk, json!({})).await;
    }
    let url = match db {
        Db::Sqlite => format!("sqlite://{}", s.sqlite_path().unwrap().display()),
        Db::Postgres => s.pg_url().unwrap(),
    };
    let dir = std::env::temp_dir().join(format!("ow-backup-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("onewindow.backup");
    let file_s = file.display().to_string();
    // A stale partial file from a killed backup is no obstacle.
    std::fs::write(dir.join("onewindow.backup.partial"), b"half").unwrap();

    // Cases keep coming in while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (s, stop, clerk) = (s.clone(), stop.clone(), clerk.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 200 {
                s.new_case(&clerk, json!({ "title": format!("备份期间登记 {n}") }))
                    .await;
                n += 1;
            }
            n
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let (ok, err) = {
        let (url, file_s) = (url.clone(), file_s.clone());
        tokio::task::spawn_blocking(move || onewindow(&["backup", "--db", &url, &file_s]))
            .await
            .unwrap()
    };
    stop.store(true, Ordering::Relaxed);
    let during = writer.await.unwrap();
    assert!(ok, "backup: {err}");
    assert!(err.contains("backup written"), "{err}");
    assert!(file.is_file());
    assert!(!dir.join("onewindow.backup.partial").exists());
    let total = s.store.count_cases().await.unwrap();
    assert_eq!(total, 10 + during);

    // A second backup to the same file is refused and leaves it as it was.
    let before = std::fs::read(&file).unwrap();
    let (ok, err) = onewindow(&["backup", "--db", &url, &file_s]);
    assert!(!ok && err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // The backup is in the source's audit log, with the operator and the file.
    let (entries, _) = app::ports::AuditLog::audit_page(
        &*s.store,
        &app::ports::AuditQuery {
            action: Some("db.backup".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].detail.contains(&file_s), "{entries:?}");
    assert_eq!(entries[0].role, "operator");

    // Restore into a new database.
    let (target, cleanup) = common::fresh_db(db).await;
    let (ok, err) = onewindow(&["restore", "--db", &target, &file_s]);
    assert!(ok, "restore: {err}");
    // Not twice: the target now has data.
    let (ok, err) = onewindow(&["restore", "--db", &target, &file_s]);
    assert!(!ok, "{err}");
    assert!(
        err.contains("exists") || err.contains("has tables"),
        "{err}"
    );

    let restored = Arc::new(store::SqlStore::connect(&target).await.unwrap());
    let n = restored.count_cases().await.unwrap();
    eprintln!("backup taken with {during} cases registered meanwhile: {n} of {total} restored");
    assert!((10..=total).contains(&n), "{n} of {total}");
    // One snapshot: the restored cases are exactly the first n registered, each with its events.
    let app = app::App::new(
        restored.clone(),
        Arc::new(app::clock::SystemClock),
        common::shared_triage(),
    );
    let login = app
        .login("clerk", common::PASSWORD, &Default::default())
        .await
        .unwrap();
    let p = app.authenticate(&login.token).await.unwrap();
    let source_p = s.app.authenticate(&clerk).await.unwrap();
    let params: std::collections::HashMap<String, String> = [
        ("sort".to_string(), "-number".to_string()),
        ("page_size".to_string(), "100".to_string()),
    ]
    .into_iter()
    .collect();
    let mut got: Vec<String> = Vec::new();
    let mut want: Vec<String> = Vec::new();
    for page in 1..=3 {
        let mut params = params.clone();
        params.insert("page".into(), page.to_string());
        got.extend(
            app.list_cases(&p, &params)
                .await
                .unwrap()
                .items
                .iter()
                .map(|c| c.number.clone()),
        );
        want.extend(
            s.app
                .list_cases(&source_p, &params)
                .await
                .unwrap()
                .items
                .iter()
                .map(|c| c.number.clone()),
        );
    }
    got.sort();
    want.sort();
    assert_eq!(got.len() as i64, n);
    assert_eq!(
        got,
        want[..got.len()],
        "the restored cases are the first {n}"
    );
    for number in got.iter().take(5) {
        let c = restored.get_case_by_number(number).await.unwrap().unwrap();
        assert!(
            !restored.events(c.id).await.unwrap().is_empty(),
            "{number} has its events"
        );
    }
    // The restored database takes new cases, numbered after the restored ones.
    let (community, _) = s.community(0);
    let fresh = app
        .create_case(
            &p,
            &json!({
                "title": "恢复后第一件", "description": "恢复之后登记的第一件诉求，用来检查编号接着往下走。",
                "nature": "help", "category": "城市管理/占道经营", "urgency": "normal", "source": "phone",
                "reporter": { "name": "张先生", "phone": "13800001111" },
                "location": { "address": "临江区金桥社区", "region": community }
            }),
        )
        .await
        .unwrap();
    assert!(!got.contains(&fresh.number), "{} is new", fresh.number);
    restored.close().await;
    common::drop_db(cleanup).await;
    let _ = std::fs::remove_dir_all(dir);
    Arc::try_unwrap(s).ok().unwrap().shutdown().await;
}
on_both!(backup_restore, backup_while_writing_then_restore);
