//! `onewindow`: the one binary — CLI, configuration, wiring of store + use cases + HTTP.

use app::App;
use app::clock::SystemClock;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;
use store::SqlStore;

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
    let store = SqlStore::connect(db).await?;
    store.migrate().await?;
    Ok(Arc::new(store))
}

fn app_for(store: Arc<SqlStore>) -> Arc<App> {
    Arc::new(App::new(
        store,
        Arc::new(SystemClock),
        Arc::new(triage::Triage::new()),
    ))
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, Box<dyn std::error::Error>> {
    s.parse::<jiff::civil::Date>()
        .map_err(|e| format!("'{s}' is not a date (YYYY-MM-DD): {e}").into())
}

async fn run(cmd: Cmd) -> Res {
    match cmd {
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
            }
            Ok(())
        }
        Cmd::Migrate { db } => {
            open(&db).await?;
            eprintln!("migrated {db}");
            Ok(())
        }
        Cmd::Seed { db, cases, seed } => {
            let app = app_for(open(&db).await?);
            let units = app.install_demo_district().await?;
            let logins = app.install_demo_users().await?;
            let started = std::time::Instant::now();
            let n = app.seed_cases(cases, seed, 1000).await?;
            eprintln!(
                "installed {units} units, {} demo users, {n} synthetic cases in {:.1}s",
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
        } => {
            let app = app_for(open(&db).await?);
            if app.org.tree().await?.district_hub().is_none() {
                tracing::warn!(
                    "the database has no org tree yet; run `onewindow seed --db …` to install the demo district"
                );
            }
            serve(app, &bind, body_limit, None).await
        }
        Cmd::Demo { bind, cases } => {
            let dir = std::env::temp_dir().join(format!("onewindow-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let path = dir.join("demo.db");
            let url = format!("sqlite://{}", path.display());
            let app = app_for(open(&url).await?);
            app.install_demo_district().await?;
            let logins = app.install_demo_users().await?;
            eprintln!("generating {cases} synthetic cases of the past year …");
            app.seed_cases(cases, 2026, 2000).await?;
            let tree = app.org.tree().await?;
            let mut banner = format!(
                "\n一窗 onewindow demo — 临江区 (database: {})\n\nLogins (password for all: {}):\n",
                path.display(),
                app::seed::DEMO_PASSWORD
            );
            for l in &logins {
                banner.push_str(&format!(
                    "  {:<18} {:<11} {}\n",
                    l.username,
                    l.role,
                    tree.name(&l.unit)
                ));
            }
            serve(app, &bind, 1024 * 1024, Some(banner)).await?;
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        }
    }
}

async fn serve(app: Arc<App>, bind: &str, body_limit: usize, banner: Option<String>) -> Res {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let router = web::router(app, web::WebConfig { body_limit });
    if let Some(b) = banner {
        println!("{b}");
    }
    println!("onewindow listening on http://{addr}");
    axum::serve(listener, router)
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
