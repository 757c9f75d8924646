//! Builds the web UI (`web/`, Vue + Vite) into `web/dist` when it is missing or older than its sources, so a fresh
//! clone needs nothing but `cargo run --release -p onewindow -- demo`. `ui.rs` embeds `web/dist`.
//!
//! Set `ONEWINDOW_SKIP_WEB=1` to build the server without (re)building the UI.

use std::path::{Path, PathBuf};
use std::process::{Command, exit};
use std::time::SystemTime;

/// The files whose change makes the built UI stale.
const SOURCES: [&str; 6] = [
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let web = manifest.join("../../web");
    println!("cargo:rerun-if-env-changed=ONEWINDOW_SKIP_WEB");
    for s in SOURCES {
        println!("cargo:rerun-if-changed={}", web.join(s).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        web.join("dist/index.html").display()
    );

    if !web.join("package.json").exists() {
        println!("cargo:warning=web/ is not there: building the server without the UI");
        return;
    }
    if std::env::var_os("ONEWINDOW_SKIP_WEB").is_some_and(|v| !v.is_empty() && v != "0") {
        println!("cargo:warning=ONEWINDOW_SKIP_WEB is set: the web UI is not rebuilt");
        return;
    }
    let built = mtime(&web.join("dist/index.html"));
    let newest = SOURCES.iter().filter_map(|s| newest_in(&web.join(s))).max();
    if let (Some(b), Some(n)) = (built, newest)
        && b >= n
    {
        return;
    }

    if !works("npm", &["--version"], &web) {
        let msg = "the web UI (web/) must be built, and that needs Node.js 20 or later with npm, which \
                   were not found on PATH. Install them (Debian/Ubuntu: `apt-get install nodejs npm`), or set \
                   ONEWINDOW_SKIP_WEB=1 to build the server without the UI.";
        if built.is_some() {
            // A stale build still serves; say so and go on.
            println!("cargo:warning=web/dist is older than web/src, and {msg}");
            return;
        }
        eprintln!("error: {msg}");
        exit(1);
    }
    let lock = mtime(&web.join("package-lock.json"));
    let installed = mtime(&web.join("node_modules/.package-lock.json"));
    if installed.is_none() || lock > installed {
        run("npm", &["ci", "--no-audit", "--no-fund"], &web);
    }
    run("npm", &["run", "build"], &web);
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a directory.
fn newest_in(p: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(p).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let mut newest = meta.modified().ok();
    for entry in std::fs::read_dir(p).ok()?.flatten() {
        newest = newest.max(newest_in(&entry.path()));
    }
    newest
}

fn works(cmd: &str, args: &[&str], dir: &Path) -> bool {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &str, args: &[&str], dir: &Path) {
    let status = Command::new(cmd).args(args).current_dir(dir).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!(
                "error: `{cmd} {}` in {} failed ({s}); see its output above. Set ONEWINDOW_SKIP_WEB=1 to build \
                 the server without the UI.",
                args.join(" "),
                dir.display()
            );
            exit(1);
        }
        Err(e) => {
            eprintln!("error: could not run `{cmd}`: {e}");
            exit(1);
        }
    }
}
