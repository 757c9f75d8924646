//! `onewindow`: the one binary — CLI, configuration, wiring of store + use cases + HTTP.

use app::App;
use app::clock::SystemClock;
use clap::{Parser, Subcommand};
use seed::DemoSeed;
use std::process::ExitCode;
use std::sync::Arc;
use store::SqlStore;

mod backup;
mod dump;

/// mimalloc instead of the system allocator: a case's intake or bulk insert makes and drops
/// hundreds of small buffers (JSON, SQL binds, compression), and glibc's malloc/free took a fifth
/// of the CPU of a bulk seed (see BENCHMARKS.md); mimalloc's per-thread free lists cost a fraction.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "onewindow",
    version,
    about = "一窗 — one-window case platform of a district social-governance service center"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start a fresh demo district in a temporary SQLite file and serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Synthetic cases over the past year.
        #[arg(long, default_value_t = 8000)]
        cases: usize,
        #[command(flatten)]
        edge: EdgeArgs,
    },
    /// Serve a database (migrating it first).
    Serve {
        /// sqlite://PATH or postgres://USER@HOST/DB
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        #[arg(long, env = "ONEWINDOW_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Largest request body in bytes (413 above it).
        #[arg(long, env = "ONEWINDOW_BODY_LIMIT", default_value_t = 1024 * 1024)]
        body_limit: usize,
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        edge: EdgeArgs,
    },
    /// Apply database migrations.
    Migrate {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
    },
    /// Install the demo district (org tree, taxonomy, one user per role) and N synthetic cases.
    Seed {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        #[arg(long, default_value_t = 0)]
        cases: usize,
        /// Seed of the synthetic data (same seed, same cases).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// How many years back the history reaches (cases are spread over them).
        #[arg(long, default_value_t = 1)]
        years: u32,
        /// Cases per transaction (larger batches rewrite fewer hot index pages per case: 10,000
        /// seeds 300k cases a quarter faster than 2,000, for 0.4 GB more memory).
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Manage API keys for integrations.
    ApiKey {
        #[command(subcommand)]
        cmd: ApiKeyCmd,
    },
    /// Working-day calendar (China's statutory holidays and 调休).
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// Write the whole database as JSON lines to standard output. Attachments are in the dump as
    /// references (content hashes); `--files-out DIR` writes their bytes to DIR beside it.
    Export {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        /// The attachment store the database uses (as `serve --files`; default beside SQLite).
        #[arg(long, env = "ONEWINDOW_FILES")]
        files: Option<String>,
        /// A directory to copy every attached file into (content-addressed, like the store).
        #[arg(long)]
        files_out: Option<std::path::PathBuf>,
    },
    /// Load a dump made by `export` from standard input into a new, empty database;
    /// `--files-in DIR` copies the attachments an export wrote there into the file store.
    Import {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        /// The attachment store of the new database (as `serve --files`; default beside SQLite).
        #[arg(long, env = "ONEWINDOW_FILES")]
        files: Option<String>,
        /// The directory `export --files-out` wrote.
        #[arg(long)]
        files_in: Option<std::path::PathBuf>,
    },
    /// A consistent copy of the running database: SQLite by VACUUM INTO, PostgreSQL by pg_dump
    /// (custom format). Written as FILE.partial, checked, then renamed; never overwrites FILE.
    Backup {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        file: std::path::PathBuf,
    },
    /// Restore a backup into a new database (a new SQLite file, an empty PostgreSQL database).
    Restore {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        file: std::path::PathBuf,
    },
    /// Triage: evaluate, retrain on the district's closed cases, list and activate model versions.
    Triage {
        #[command(subcommand)]
        cmd: TriageCmd,
    },
    /// 走访问题台账: import a visit-campaign problem ledger (.xlsx or .csv).
    Ledger {
        #[command(subcommand)]
        cmd: LedgerCmd,
    },
    /// Time-limit policy (时限规则) as a JSON file.
    Policy {
        #[command(subcommand)]
        cmd: PolicyCmd,
    },
    /// 矛盾风险预警: run the scan across cases now (the server runs it every 10 minutes).
    RiskScan {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        /// Scan as of this instant (RFC 3339), e.g. to scan imported history as it happened.
        #[arg(long)]
        as_of: Option<String>,
    },
}

/// Background jobs (deadline sweep, webhook delivery). Every `serve` runs them; the jobs table
/// in the database makes sure each runs in one process at a time.
#[derive(clap::Args, Clone, Copy)]
struct JobArgs {
    /// How often the deadline sweeper runs.
    #[arg(long, env = "ONEWINDOW_SWEEP_INTERVAL_MS", default_value_t = 30_000)]
    sweep_interval_ms: i64,
    /// How often queued webhook calls are sent.
    #[arg(long, env = "ONEWINDOW_WEBHOOK_INTERVAL_MS", default_value_t = 10_000)]
    webhook_interval_ms: i64,
    /// How often the triage model is retrained on closed cases (0: never; default weekly).
    #[arg(long, env = "ONEWINDOW_RETRAIN_INTERVAL_MS", default_value_t = 7 * 86_400_000)]
    retrain_interval_ms: i64,
    /// How often the conflict-risk scan (风险预警) runs (0: only on demand; default every 10 min).
    #[arg(long, env = "ONEWINDOW_RISK_SCAN_INTERVAL_MS", default_value_t = 10 * 60_000)]
    risk_scan_interval_ms: i64,
    /// How long a claimed job stays locked to this process (a killed process delays it at most
    /// this long).
    #[arg(long, env = "ONEWINDOW_JOB_LOCK_MS", default_value_t = 60_000)]
    job_lock_ms: i64,
    /// How often this process checks for due jobs.
    #[arg(long, env = "ONEWINDOW_JOB_TICK_MS", default_value_t = 1_000)]
    job_tick_ms: u64,
    /// Do not run background jobs in this process.
    #[arg(long, env = "ONEWINDOW_NO_JOBS")]
    no_jobs: bool,
}

/// The edge's guards (issue 19): who the client is behind a proxy, rate limits, readiness.
#[derive(clap::Args, Clone)]
struct EdgeArgs {
    /// Load balancers / reverse proxies whose X-Forwarded-For names the client: addresses or CIDR
    /// ranges, comma-separated (e.g. 10.0.0.0/8). Without it the header is ignored and the peer
    /// address is the client.
    #[arg(long, env = "ONEWINDOW_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// Rate limits to change, NAME=N/MINUTES comma-separated (e.g. portal-lookup-number=20/60);
    /// names: login-username, login-address, login-device, portal-lookup-address,
    /// portal-lookup-number, portal-lookup-phone, portal-submit-address, portal-submit-phone.
    #[arg(long, env = "ONEWINDOW_RATE_LIMITS", default_value = "")]
    rate_limits: String,
    /// How long /healthz waits for the database before answering 503.
    #[arg(long, env = "ONEWINDOW_READY_TIMEOUT_MS", default_value_t = 2_000)]
    ready_timeout_ms: i64,
    /// Where attachments are stored: a directory (default: beside the SQLite file, `DB.files/`;
    /// `./onewindow-files` on PostgreSQL) or `s3://bucket/prefix` for several replicas, with the
    /// usual AWS_* environment (AWS_ENDPOINT_URL for MinIO and other S3-compatible servers).
    #[arg(long, env = "ONEWINDOW_FILES")]
    files: Option<String>,
}

#[derive(Subcommand)]
enum TriageCmd {
    /// Evaluate the model on a JSON-lines file ({"text","category","department","nature","risk"}).
    Eval {
        file: std::path::PathBuf,
        /// Evaluate the model active in this database instead of the built-in one.
        #[arg(long, env = "ONEWINDOW_DB")]
        db: Option<String>,
    },
    /// Retrain on the built-in corpus plus the district's closed cases; activates the new model
    /// unless it is worse on the held-out set (override with --activate / --no-activate).
    Train {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        #[arg(long, conflicts_with = "no_activate")]
        activate: bool,
        #[arg(long)]
        no_activate: bool,
    },
    /// List stored model versions.
    Models {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
    },
    /// Activate a stored version (roll back), or `builtin`.
    Activate {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        version: String,
    },
}

#[derive(Subcommand)]
enum LedgerCmd {
    /// Validate and import a ledger; prints progress to stderr and the report (JSON) to stdout.
    Import {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        /// all-or-nothing (default) or valid-only.
        #[arg(long, default_value = "all-or-nothing")]
        mode: String,
        /// Validate only; import nothing.
        #[arg(long)]
        dry_run: bool,
        file: std::path::PathBuf,
    },
    /// Write the import template (.xlsx or .csv by the file's extension).
    Template { file: std::path::PathBuf },
}

#[derive(Subcommand)]
enum PolicyCmd {
    /// Print the policy as JSON.
    Export {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
    },
    /// Replace the policy with a JSON file (validated first).
    Import {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user.
    Add {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// citizen, clerk, dispatcher, handler, unit_lead, supervisor, leader, admin
        #[arg(long)]
        role: String,
        /// Unit code, e.g. 330188 (the district hub) or cgj.
        #[arg(long)]
        unit: String,
        /// Display name (defaults to the username).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum ApiKeyCmd {
    /// Create a key; it is printed once, as the last line.
    Create {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Print the due date N working days after START (START not counted).
    Due {
        #[arg(long)]
        start: String,
        #[arg(long = "working-days")]
        working_days: u32,
    },
    /// Print `true` if the date is a working day, else `false`.
    Workday { date: String },
    /// Import one year (the State Council's notice, in the calendar data-file format).
    Import {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
        /// Calendar name; `cn` is the national calendar.
        #[arg(long, default_value = "cn")]
        name: String,
        file: std::path::PathBuf,
    },
    /// List the calendars in a database and the years they cover.
    List {
        #[arg(long, env = "ONEWINDOW_DB")]
        db: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ONEWINDOW_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.cmd)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<(), Box<dyn std::error::Error>>;

async fn open(db: &str) -> Result<Arc<SqlStore>, Box<dyn std::error::Error>> {
    open_tuned(db, store::Tuning::SERVE).await
}

async fn open_tuned(
    db: &str,
    tuning: store::Tuning,
) -> Result<Arc<SqlStore>, Box<dyn std::error::Error>> {
    let store = SqlStore::connect_tuned(db, tuning).await?;
    store.migrate().await?;
    Ok(Arc::new(store))
}

fn app_for(store: Arc<SqlStore>) -> Arc<App> {
    Arc::new(new_app(store))
}

fn new_app(store: Arc<SqlStore>) -> App {
    App::new(
        store,
        Arc::new(SystemClock),
        Arc::new(triage::Triage::new()),
    )
}

/// The attachment store `--files` names, or the default one for the database.
fn files_of(
    spec: Option<&str>,
    db: &str,
) -> Result<app::attachments::Files, Box<dyn std::error::Error>> {
    Ok(match spec {
        Some(s) => store::files::open(s)?,
        None => store::files::open(&store::files::default_dir(db).to_string_lossy())?,
    })
}

/// A serving app with the edge's settings, and the HTTP settings that go with them.
fn serving_app(
    store: Arc<SqlStore>,
    edge: &EdgeArgs,
    body_limit: usize,
    db_url: &str,
) -> Result<(Arc<App>, web::WebConfig), Box<dyn std::error::Error>> {
    let mut app = new_app(store);
    app.files = match &edge.files {
        Some(spec) => store::files::open(spec)?,
        None => {
            if !db_url.starts_with("sqlite") {
                tracing::warn!(
                    "attachments go to ./onewindow-files; several replicas need --files s3://bucket/prefix"
                );
            }
            store::files::open(&store::files::default_dir(db_url).to_string_lossy())?
        }
    };
    tracing::info!(files = %app.files.describe(), "attachment storage");
    app.media = Arc::new(web::media::HttpFetcher::new(false));
    app.settings
        .limits
        .apply(&edge.rate_limits)
        .map_err(|e| format!("--rate-limits: {e}"))?;
    app.settings.ready_timeout_ms = edge.ready_timeout_ms.max(1);
    let trusted_proxies = web::guard::TrustedProxies::parse(&edge.trusted_proxies)
        .map_err(|e| format!("--trusted-proxies: {e}"))?;
    Ok((
        Arc::new(app),
        web::WebConfig {
            body_limit,
            trusted_proxies,
        },
    ))
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, Box<dyn std::error::Error>> {
    s.parse::<jiff::civil::Date>()
        .map_err(|e| format!("'{s}' is not a date (YYYY-MM-DD): {e}").into())
}

async fn run(cmd: Cmd) -> Res {
    match cmd {
        Cmd::Calendar {
            cmd: CalendarCmd::Import { db, name, file },
        } => {
            let app = app_for(open(&db).await?);
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let r = app.import_calendar_year(None, &name, &text).await?;
            println!("{r}");
            Ok(())
        }
        Cmd::Calendar {
            cmd: CalendarCmd::List { db },
        } => {
            let app = app_for(open(&db).await?);
            println!("{}", serde_json::to_string_pretty(&app.calendars().await?)?);
            Ok(())
        }
        Cmd::Triage { cmd } => match cmd {
            TriageCmd::Eval { file, db } => {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                let examples = triage::parse_jsonl(&text)
                    .map_err(|(l, m)| format!("{}:{l}: {m}", file.display()))?;
                let t = match db {
                    Some(db) => {
                        let app = app_for(open(&db).await?);
                        app.refresh_classifier().await?;
                        app.classifier()
                    }
                    None => Arc::new(triage::Triage::new()),
                };
                println!("model {}", t.model_version());
                println!("{}", triage::evaluate(&t, &examples));
                Ok(())
            }
            TriageCmd::Train {
                db,
                activate,
                no_activate,
            } => {
                let app = app_for(open(&db).await?);
                app.refresh_classifier().await?;
                let choice = if activate {
                    Some(true)
                } else if no_activate {
                    Some(false)
                } else {
                    None
                };
                let rec = app.train_triage(None, choice).await?;
                println!("{}", serde_json::to_string_pretty(&rec)?);
                Ok(())
            }
            TriageCmd::Models { db } => {
                let app = app_for(open(&db).await?);
                app.refresh_classifier().await?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&app.triage_models().await?)?
                );
                Ok(())
            }
            TriageCmd::Activate { db, version } => {
                let app = app_for(open(&db).await?);
                println!("{}", app.activate_triage_model(None, &version).await?);
                Ok(())
            }
        },
        Cmd::Ledger {
            cmd: LedgerCmd::Template { file },
        } => {
            let app = app_for(Arc::new(SqlStore::connect("sqlite::memory:").await?));
            let bytes = if file.extension().is_some_and(|e| e == "csv") {
                app.ledger_template_csv()
            } else {
                app.ledger_template_xlsx()?
            };
            std::fs::write(&file, bytes)?;
            eprintln!("wrote {}", file.display());
            Ok(())
        }
        Cmd::Ledger {
            cmd:
                LedgerCmd::Import {
                    db,
                    mode,
                    dry_run,
                    file,
                },
        } => {
            let app = app_for(open(&db).await?);
            let mode = app::ledger::ImportMode::parse(&mode)
                .ok_or("--mode must be all-or-nothing or valid-only")?;
            let input = if file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            {
                app::ledger::LedgerInput::XlsxFile(file.clone())
            } else {
                app::ledger::LedgerInput::CsvFile(file.clone())
            };
            // The operator's CLI acts as the district center's clerk.
            let hub = app.org.tree().await?.district_hub().map(|u| u.code.clone());
            let actor = app::scope::Principal {
                id: uuid::Uuid::nil(),
                username: "cli".into(),
                name: "台账导入（命令行）".into(),
                role: domain::Role::Clerk,
                unit: hub,
                kind: app::scope::PrincipalKind::User,
                must_change_password: false,
                client: None,
            };
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let started = std::time::Instant::now();
            let report = app
                .import_ledger(&actor, &input, &name, mode, dry_run, &|seen, done| {
                    eprintln!(
                        "… {done} imported ({seen} rows read, {:.1}s)",
                        started.elapsed().as_secs_f64()
                    )
                })
                .await?;
            eprintln!(
                "{} rows, {} valid, {} rejected, {} imported in {:.1}s",
                report.total_rows,
                report.valid_rows,
                report.rejected_rows,
                report.imported,
                started.elapsed().as_secs_f64()
            );
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Cmd::Export {
            db,
            files,
            files_out,
        } => {
            let store = open(&db).await?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let n = dump::export(&store, &mut out).await?;
            match files_out {
                Some(dir) => {
                    let source = files_of(files.as_deref(), &db)?;
                    let target = store::files::DirFiles::new(&dir)?;
                    let (k, bytes) = dump::copy_files(&store, &*source, &target).await?;
                    eprintln!(
                        "copied {k} attachment files ({bytes} bytes) to {}",
                        dir.display()
                    );
                }
                None => {
                    let k = dump::referenced_files(&store).await?;
                    if k > 0 {
                        eprintln!(
                            "the dump refers to {k} attachment files; export them with --files-out DIR"
                        );
                    }
                }
            }
            app_for(store)
                .audit_operator(
                    &backup::operator(),
                    app::audit::AuditAction::DumpDatabase,
                    format!("rows={n}"),
                )
                .await?;
            eprintln!("exported {n} rows");
            Ok(())
        }
        Cmd::RiskScan { db, as_of } => {
            let app = app_for(open(&db).await?);
            let at = match as_of {
                None => app.now(),
                Some(s) => app::cases::parse_instant(&s)
                    .ok_or_else(|| format!("--as-of '{s}' is not an RFC 3339 instant"))?,
            };
            let started = std::time::Instant::now();
            let r = app.run_risk_scan(at).await?;
            eprintln!(
                "scanned {} cases as of {} in {:.1}s: {} signals, {} alerts created, {} updated",
                r.cases_scanned,
                r.as_of,
                started.elapsed().as_secs_f64(),
                r.signals,
                r.created,
                r.updated
            );
            Ok(())
        }
        Cmd::Backup { db, file } => {
            let store = open(&db).await?;
            let app = app_for(store.clone());
            let started = std::time::Instant::now();
            let r = backup::backup(&app, &store, &db, &file).await?;
            let cases = r.cases.map(|n| format!(", {n} cases")).unwrap_or_default();
            eprintln!(
                "backup written to {} ({} bytes{cases}) in {:.1}s",
                file.display(),
                r.bytes,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Cmd::Restore { db, file } => {
            let started = std::time::Instant::now();
            let cases = backup::restore(&db, &file).await?;
            eprintln!(
                "restored {} into the new database ({cases} cases) in {:.1}s",
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Cmd::Import {
            db,
            files,
            files_in,
        } => {
            let store = open_tuned(&db, store::Tuning::BULK).await?;
            let app = app_for(store.clone());
            let n = dump::import(
                &app,
                &store,
                std::io::BufReader::new(std::io::stdin().lock()),
            )
            .await?;
            if let Some(dir) = files_in {
                let source = store::files::DirFiles::new(&dir)?;
                let target = files_of(files.as_deref(), &db)?;
                let (k, bytes) = dump::copy_files(&store, &source, &*target).await?;
                eprintln!(
                    "copied {k} attachment files ({bytes} bytes) into {}",
                    target.describe()
                );
            }
            // The cockpit's tallies are derived data, not part of the dump: count them afresh.
            let cases = app::ports::Store::rebuild_tallies(&*store).await?;
            let folded = app.rebuild_unit_metrics().await?;
            eprintln!(
                "imported {n} rows; cockpit tallies rebuilt from {cases} cases, unit metrics from {folded} timelines"
            );
            Ok(())
        }
        Cmd::Policy {
            cmd: PolicyCmd::Export { db },
        } => {
            let app = app_for(open(&db).await?);
            println!(
                "{}",
                serde_json::to_string_pretty(&app.policy_json().await?)?
            );
            Ok(())
        }
        Cmd::Policy {
            cmd: PolicyCmd::Import { db, file },
        } => {
            let app = app_for(open(&db).await?);
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
            app.set_policy(None, &v).await?;
            eprintln!("policy imported from {}", file.display());
            Ok(())
        }
        Cmd::Calendar { cmd } => {
            let cal = calendar::Calendar::china();
            match cmd {
                CalendarCmd::Due {
                    start,
                    working_days,
                } => {
                    let (due, provisional) =
                        cal.add_workdays_checked(parse_date(&start)?, working_days);
                    if provisional {
                        eprintln!(
                            "warning: the calendar has no data for part of this range; Monday–Friday were counted (provisional)"
                        );
                    }
                    println!("{due}");
                }
                CalendarCmd::Workday { date } => println!("{}", cal.is_workday(parse_date(&date)?)),
                CalendarCmd::Import { .. } | CalendarCmd::List { .. } => {}
            }
            Ok(())
        }
        Cmd::Migrate { db } => {
            let app = app_for(open(&db).await?);
            if let Some(n) = app.ensure_unit_metrics().await? {
                eprintln!("unit metrics built from {n} timelines");
            }
            eprintln!("migrated {db}");
            Ok(())
        }
        Cmd::Seed {
            db,
            cases,
            seed,
            years,
            batch,
        } => {
            let mut app = new_app(open_tuned(&db, store::Tuning::BULK).await?);
            // The demo's photos go where `serve` (without --files) will look for them.
            app.files = store::files::open(&store::files::default_dir(&db).to_string_lossy())?;
            let app = Arc::new(app);
            let units = app.install_demo_district().await?;
            let logins = app.install_demo_users().await?;
            let started = std::time::Instant::now();
            let days = i64::from(years.max(1)) * 365;
            let n = app
                .seed_history(cases, seed, batch.clamp(1, 20_000), days)
                .await?;
            let boards = app.seed_boards(6).await?;
            let items = app.seed_programs().await?;
            let visits = app.seed_campaign().await?;
            let bundles = app.seed_bundles().await?;
            eprintln!("installed {bundles} 一件事 applications and approval projects");
            let articles = app.seed_knowledge().await?;
            eprintln!("installed {articles} knowledge articles");
            let files = app.seed_attachments().await?;
            eprintln!("attached {files} photos and documents to demo cases");
            eprintln!(
                "installed {units} units, {} demo users, {n} synthetic cases, {boards} published boards, {items} program items, {visits} visits in {:.1}s",
                logins.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Cmd::User {
            cmd:
                UserCmd::Add {
                    db,
                    username,
                    password,
                    role,
                    unit,
                    name,
                },
        } => {
            let app = app_for(open(&db).await?);
            let u = app
                .create_user(&username, &password, &role, &unit, name.as_deref())
                .await?;
            println!(
                "created user {} ({}) in unit {}",
                u.username, u.role, u.unit
            );
            Ok(())
        }
        Cmd::ApiKey {
            cmd: ApiKeyCmd::Create { db, name },
        } => {
            let app = app_for(open(&db).await?);
            let key = app.create_api_key(&name).await?;
            eprintln!("API key '{name}' created; it is shown only once:");
            println!("{key}");
            Ok(())
        }
        Cmd::Serve {
            db,
            bind,
            body_limit,
            jobs,
            edge,
        } => {
            let (app, cfg) = serving_app(open(&db).await?, &edge, body_limit, &db)?;
            if let Some(n) = app.ensure_unit_metrics().await? {
                tracing::info!(cases = n, "built the unit metrics from the timelines");
            }
            // A stored policy that no longer parses fails the start, not the first request.
            app.rules().await?;
            if app.org.tree().await?.district_hub().is_none() {
                tracing::warn!(
                    "the database has no org tree yet; run `onewindow seed --db …` to install the demo district"
                );
            }
            serve(app, &bind, cfg, None, jobs).await
        }
        Cmd::Demo { bind, cases, edge } => {
            let dir = std::env::temp_dir().join(format!("onewindow-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let path = dir.join("demo.db");
            let url = format!("sqlite://{}", path.display());
            let (app, cfg) = serving_app(open(&url).await?, &edge, 1024 * 1024, &url)?;
            app.install_demo_district().await?;
            let logins = app.install_demo_users().await?;
            eprintln!("generating {cases} synthetic cases of the past year …");
            app.seed_cases(cases, 2026, 2000).await?;
            let boards = app.seed_boards(6).await?;
            let items = app.seed_programs().await?;
            let visits = app.seed_campaign().await?;
            app.seed_bundles().await?;
            app.seed_knowledge().await?;
            let files = app.seed_attachments().await?;
            eprintln!("attached {files} photos and documents to demo cases");
            eprintln!(
                "published {boards} months of 红黄黑榜 boards; {items} key-program items; {visits} campaign visits"
            );
            let tree = app.org.tree().await?;
            let mut banner = format!(
                "\n一窗 onewindow demo — 临江区 (database: {})\n\nLogins (password for all: {}):\n",
                path.display(),
                seed::DEMO_PASSWORD
            );
            for l in &logins {
                banner.push_str(&format!(
                    "  {:<18} {:<11} {}\n",
                    l.username,
                    l.role,
                    tree.name(&l.unit)
                ));
            }
            let jobs = JobArgs {
                sweep_interval_ms: 30_000,
                webhook_interval_ms: 10_000,
                retrain_interval_ms: 0,
                // The end-to-end suite sets 0, so that no scan of its own time adds alerts (and
                // their notifications) between a test's steps; its risk test scans on demand.
                risk_scan_interval_ms: std::env::var("ONEWINDOW_RISK_SCAN_INTERVAL_MS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(10 * 60_000),
                job_lock_ms: 60_000,
                job_tick_ms: 1_000,
                no_jobs: false,
            };
            serve(app, &bind, cfg, Some(banner), jobs).await?;
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        }
    }
}

/// Webhook calls over HTTP.
struct HttpSender(reqwest::Client);

#[async_trait::async_trait]
impl app::alerts::WebhookSender for HttpSender {
    async fn post(&self, url: &str, body: &str, signature: &str) -> Result<(), String> {
        let res = self
            .0
            .post(url)
            .header("content-type", "application/json")
            .header("x-onewindow-signature", signature)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", res.status()))
        }
    }
}

/// Ticks the job runner until the process stops.
fn spawn_jobs(app: Arc<App>, jobs: JobArgs) {
    if jobs.no_jobs {
        return;
    }
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    let cfg = app::alerts::JobSettings {
        sweep_interval_ms: jobs.sweep_interval_ms,
        webhook_interval_ms: jobs.webhook_interval_ms,
        retrain_interval_ms: jobs.retrain_interval_ms,
        risk_scan_interval_ms: jobs.risk_scan_interval_ms,
        board_interval_ms: app::alerts::JobSettings::default().board_interval_ms,
        knowledge_interval_ms: app::alerts::JobSettings::default().knowledge_interval_ms,
        lock_ms: jobs.job_lock_ms,
    };
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let sender = HttpSender(client);
    tokio::spawn(async move {
        let mut tick =
            tokio::time::interval(std::time::Duration::from_millis(jobs.job_tick_ms.max(50)));
        let mut last_model_check = std::time::Instant::now();
        loop {
            tick.tick().await;
            // Follow the model another replica (or an admin) activated.
            if last_model_check.elapsed() > std::time::Duration::from_secs(60) {
                last_model_check = std::time::Instant::now();
                if let Err(e) = app.refresh_classifier().await {
                    tracing::warn!(error = %e, "triage model refresh");
                }
            }
            if let Err(e) = app.run_due_jobs(&worker, &sender, &cfg).await {
                tracing::warn!(error = %e, "background jobs");
            }
        }
    });
}

async fn serve(
    app: Arc<App>,
    bind: &str,
    cfg: web::WebConfig,
    banner: Option<String>,
    jobs: JobArgs,
) -> Res {
    app.refresh_classifier().await?;
    spawn_jobs(app.clone(), jobs);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let router = web::router(app, cfg);
    if let Some(b) = banner {
        println!("{b}");
    }
    println!("onewindow listening on http://{addr}");
    // With the peer's address: the rate limits count per client (see web::guard).
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
