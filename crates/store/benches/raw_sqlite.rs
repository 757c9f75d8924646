//! The raw storage limit, for comparison with intake over HTTP: the same case and event rows
//! inserted straight into SQLite with the durability the server uses (WAL, synchronous=FULL), one
//! row per transaction and in batches. `cargo bench -p store --bench raw_sqlite`.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Instant;

const DOC: &str = r#"{"id":"0190","number":"2026-000001","title":"小区门口路灯不亮","description":"市民来电反映：小区门口路灯不亮，晚上出行不便，希望尽快维修。","nature":"help","category":"城市管理/市容环境","urgency":"normal","source":"phone","reporter":{"name":"张先生","phone":"13800001234"},"location":{"address":"临江区金桥路1号","region":"330188001001","lat":null,"lon":null},"status":"registered","version":1}"#;

async fn run(label: &str, n: usize, batch: usize) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("ow-raw-{}-{}", std::process::id(), batch));
    std::fs::create_dir_all(&dir)?;
    let opts =
        SqliteConnectOptions::from_str(&format!("sqlite://{}", dir.join("raw.db").display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    sqlx::query("CREATE TABLE cases (id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, status TEXT NOT NULL, reported_at BIGINT NOT NULL, doc TEXT NOT NULL)").execute(&pool).await?;
    sqlx::query("CREATE TABLE events (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, at BIGINT NOT NULL, action TEXT NOT NULL, data TEXT NOT NULL)").execute(&pool).await?;
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        let mut tx = pool.begin().await?;
        for _ in 0..batch.min(n - i) {
            sqlx::query("INSERT INTO cases (id, number, status, reported_at, doc) VALUES ($1, $2, 'registered', $3, $4)")
                .bind(format!("case-{i}"))
                .bind(format!("2026-{i:06}"))
                .bind(i as i64)
                .bind(DOC)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO events (id, case_id, at, action, data) VALUES ($1, $2, $3, 'register', '{}')")
                .bind(format!("ev-{i}"))
                .bind(format!("case-{i}"))
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
            i += 1;
        }
        tx.commit().await?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:<40} {n:>7} cases in {secs:>6.2} s = {:>9.0} cases/s",
        n as f64 / secs
    );
    pool.close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        run("raw SQLite, one case per transaction", 3_000, 1).await?;
        run("raw SQLite, 64 cases per transaction", 50_000, 64).await?;
        run("raw SQLite, 512 cases per transaction", 100_000, 512).await
    })
}
