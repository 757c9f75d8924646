//! `onewindow export` / `import`: SQLite → PostgreSQL → SQLite round-trips byte for byte, and the
//! imported database works (search index rebuilt, logins kept).
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: Option<&std::path::Path>, stdout: Option<&std::path::Path>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onewindow"));
    cmd.args(args).env("ONEWINDOW_LOG", "warn");
    if let Some(p) = stdin {
        cmd.stdin(Stdio::from(std::fs::File::open(p).unwrap()));
    }
    if let Some(p) = stdout {
        cmd.stdout(Stdio::from(std::fs::File::create(p).unwrap()));
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {err}");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_postgres_sqlite_round_trip() {
    let dir = std::env::temp_dir().join(format!("ow-dump-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = format!("sqlite://{}", dir.join("a.db").display());
    let c = format!("sqlite://{}", dir.join("c.db").display());
    let (pg, cleanup) = common::fresh_db(common::Db::Postgres).await;
    run(&["seed", "--db", &a, "--cases", "400"], None, None);
    run(
        &["api-key", "create", "--db", &a, "--name", "city-app"],
        None,
        None,
    );
    let (fa, fb, fc) = (
        dir.join("a.jsonl"),
        dir.join("b.jsonl"),
        dir.join("c.jsonl"),
    );
    // Attachments travel as references in the dump and as bytes in a directory beside it.
    let (out_a, pg_files, out_b) = (
        dir.join("files-a"),
        dir.join("pg-files"),
        dir.join("files-b"),
    );
    let (out_a_s, pg_files_s, out_b_s) = (
        out_a.display().to_string(),
        pg_files.display().to_string(),
        out_b.display().to_string(),
    );
    let err = run(
        &["export", "--db", &a, "--files-out", &out_a_s],
        None,
        Some(&fa),
    );
    assert!(err.contains("attachment files"), "{err}");
    let err = run(
        &[
            "import",
            "--db",
            &pg,
            "--files",
            &pg_files_s,
            "--files-in",
            &out_a_s,
        ],
        Some(&fa),
        None,
    );
    assert!(err.contains("imported"), "{err}");
    run(
        &[
            "export",
            "--db",
            &pg,
            "--files",
            &pg_files_s,
            "--files-out",
            &out_b_s,
        ],
        None,
        Some(&fb),
    );
    run(
        &["import", "--db", &c, "--files-in", &out_b_s],
        Some(&fb),
        None,
    );
    run(&["export", "--db", &c], None, Some(&fc));
    let count = |d: &std::path::Path| {
        std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().len() == 2)
            .map(|e| std::fs::read_dir(e.path()).unwrap().count())
            .sum::<usize>()
    };
    let n = count(&out_a);
    assert!(n > 50, "{n} files exported");
    assert_eq!(count(&out_b), n);
    assert_eq!(count(&dir.join("c.db.files")), n);
    // A damaged file stops an export that copies files, naming it.
    let victim = std::fs::read_dir(&out_b)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().len() == 2)
        .unwrap();
    let victim = std::fs::read_dir(victim.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&victim, b"damaged").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args([
            "export",
            "--db",
            &c,
            "--files",
            &out_b_s,
            "--files-out",
            &dir.join("files-x").display().to_string(),
        ])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
    let (ta, tb, tc) = (
        std::fs::read_to_string(&fa).unwrap(),
        std::fs::read_to_string(&fb).unwrap(),
        std::fs::read_to_string(&fc).unwrap(),
    );
    assert!(ta.lines().count() > 3000, "{}", ta.lines().count());
    for table in [
        "\"table\":\"units\"",
        "\"table\":\"users\"",
        "\"table\":\"cases\"",
        "\"table\":\"events\"",
        "\"table\":\"api_keys\"",
        "\"table\":\"catalogue\"",
        "\"table\":\"boards\"",
        "\"table\":\"programs\"",
        "\"table\":\"program_items\"",
        "\"table\":\"campaigns\"",
        "\"table\":\"visits\"",
        "\"table\":\"bundle_templates\"",
        "\"table\":\"bundles\"",
        "\"table\":\"bundle_tasks\"",
        "\"table\":\"approvals\"",
        "\"table\":\"knowledge_articles\"",
        "\"table\":\"attachments\"",
    ] {
        assert!(ta.contains(table), "{table} exported");
    }
    assert!(ta == tb, "SQLite → PostgreSQL changed the data");
    assert!(tb == tc, "PostgreSQL → SQLite changed the data");
    // Importing into a database that has data is refused.
    let out = Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args(["import", "--db", &c])
        .stdin(Stdio::from(std::fs::File::open(&fa).unwrap()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    // The imported PostgreSQL database works: search finds a case by its words.
    let store = std::sync::Arc::new(store::SqlStore::connect(&pg).await.unwrap());
    let app = app::App::new(
        store.clone(),
        std::sync::Arc::new(app::clock::SystemClock),
        common::shared_triage(),
    );
    let r = app
        .login("dispatcher", common::PASSWORD, &Default::default())
        .await
        .unwrap();
    let p = app.authenticate(&r.token).await.unwrap();
    let any = app.list_cases(&p, &Default::default()).await.unwrap();
    let first = &any.items[0];
    let word: String = first.title.chars().take(4).collect();
    let found = app
        .list_cases(&p, &[("q".to_string(), word.clone())].into_iter().collect())
        .await
        .unwrap();
    assert!(
        found.items.iter().any(|x| x.id == first.id),
        "search for {word} after import"
    );
    store.close().await;
    common::drop_db(cleanup).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs `onewindow import` and returns (success, stderr).
fn try_import(db: &str, dump: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args(["import", "--db", db])
        .env("ONEWINDOW_LOG", "warn")
        .stdin(Stdio::from(std::fs::File::open(dump).unwrap()))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn is_empty(url: &str) -> bool {
    let store = store::SqlStore::connect(url).await.unwrap();
    let empty = store.is_empty().await.unwrap();
    store.close().await;
    empty
}

/// An import is all or nothing: a bad line in the middle (malformed JSON, or a NUL in a case's
/// text, which PostgreSQL cannot store and SQLite is held to alike) stops it naming the line and
/// leaves the target empty; the same target then takes the good dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_line_leaves_the_target_empty() {
    let dir = std::env::temp_dir().join(format!("ow-dump-bad-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = format!("sqlite://{}", dir.join("a.db").display());
    run(&["seed", "--db", &a, "--cases", "60"], None, None);
    let good = dir.join("good.jsonl");
    run(&["export", "--db", &a], None, Some(&good));
    let text = std::fs::read_to_string(&good).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let case_lines: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("\"table\":\"cases\""))
        .map(|(i, _)| i)
        .collect();
    let events_at = lines
        .iter()
        .position(|l| l.contains("\"table\":\"events\""))
        .unwrap();
    let write = |name: &str, at: usize, line: String| {
        let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        l[at] = line;
        let p = dir.join(name);
        std::fs::write(&p, l.join("\n") + "\n").unwrap();
        p
    };
    // Malformed JSON after the cases, among the events: everything before it was sent.
    let broken = write(
        "broken.jsonl",
        events_at + 5,
        "{\"table\": \"events\", ".into(),
    );
    // A NUL in the title of a case in the middle of the cases.
    let mid = case_lines[case_lines.len() / 2];
    let nul = write(
        "nul.jsonl",
        mid,
        lines[mid].replacen("\"title\":\"", "\"title\":\"\\u0000", 1),
    );
    assert_ne!(std::fs::read(&nul).unwrap(), text.as_bytes());
    let (pg, cleanup) = common::fresh_db(common::Db::Postgres).await;
    let b = format!("sqlite://{}", dir.join("b.db").display());
    for target in [&pg, &b] {
        for (dump, line, why) in [(&broken, events_at + 6, "EOF"), (&nul, mid + 1, "NUL")] {
            let (ok, err) = try_import(target, dump);
            assert!(!ok, "{target}: {err}");
            assert!(err.contains(&format!("line {line}")), "{target}: {err}");
            assert!(err.contains(why), "{target}: {err}");
            assert!(err.contains("nothing was imported"), "{err}");
            assert!(is_empty(target).await, "{target} is left empty");
        }
        let (ok, err) = try_import(target, &good);
        assert!(ok, "{target}: {err}");
        assert!(!is_empty(target).await);
    }
    common::drop_db(cleanup).await;
    let _ = std::fs::remove_dir_all(dir);
}
