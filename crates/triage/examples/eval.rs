//! What `onewindow triage eval FILE.jsonl` prints, without building the binary: the shipped
//! model's version and its figures on each labelled file (category, nature, urgency, risk with
//! the confusion between levels).
//!
//! ```text
//! cargo run --release -p triage --example eval -- FILE.jsonl… [--risk] [--misses]
//! ```
//!
//! `--risk` prints the risk figures only; `--misses` also lists every high-risk text found at
//! another level and every false high alarm, with the level, P(high) and the reasons;
//! `--weights RISK.txt` measures other risk weights (a candidate of `train_risk`) instead of the
//! shipped ones.

use std::process::ExitCode;

use triage::{RiskModel, Triage, evaluate, parse_jsonl};

fn run() -> Result<(), String> {
    let mut files = Vec::new();
    let mut risk_only = false;
    let mut misses = false;
    let mut weights = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--risk" => risk_only = true,
            "--misses" => misses = true,
            "--weights" => weights = Some(args.next().ok_or("--weights needs a file")?),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        return Err("usage: eval FILE.jsonl… [--risk] [--misses] [--weights RISK.txt]".to_owned());
    }
    let mut t = Triage::new();
    if let Some(path) = &weights {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        t = t.with_risk_model(RiskModel::from_text(&text).map_err(|e| format!("{path}: {e}"))?);
        println!("risk weights {path}");
    }
    println!("model {}", t.model_version());
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let examples =
            parse_jsonl(&text).map_err(|(line, message)| format!("{path}:{line}: {message}"))?;
        let r = evaluate(&t, &examples);
        println!("== {path}");
        if risk_only {
            println!(
                "examples {}, category top-1 {:.1}%\n{}",
                r.examples,
                100.0 * r.top1_accuracy(),
                r.risk_summary()
            );
        } else {
            println!("{r}");
        }
        if misses {
            for e in &examples {
                let s = t.classify(&e.text);
                let want = e.risk.as_deref().unwrap_or("none");
                if (want == "high") != (s.risk.level == "high") {
                    println!(
                        "  {want:>6} → {:<6} {:.2} {:?} {}",
                        s.risk.level, s.risk.score, s.risk.reasons, e.text
                    );
                }
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
