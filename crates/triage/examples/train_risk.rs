//! Learns the risk combination (`src/risk.rs`) and writes its weights.
//!
//! ```text
//! cargo run --release -p triage --example train_risk -- OUT.txt TRAIN.jsonl[:WEIGHT]… [--eval FILE.jsonl]…
//!   [--high-threshold P] [--iterations N] [--l2 X]
//!   [--verbose] (list high-risk misses and false alarms) [--baseline] (also the cue rules' figures)
//! ```
//!
//! The shipped weights: `cargo run --release -p triage --example train_risk --
//! crates/triage/data/risk.txt crates/triage/data/corpus/train.jsonl
//! crates/triage/data/corpus/risk_train.jsonl`.

use std::process::ExitCode;

use triage::{Example, RiskModel, RiskTrainOptions, Triage, evaluate, parse_jsonl};

fn read(path: &str) -> Result<Vec<Example>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    parse_jsonl(&text).map_err(|(line, message)| format!("{path}:{line}: {message}"))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut train = Vec::new();
    let mut evals = Vec::new();
    let mut opts = RiskTrainOptions::default();
    let mut verbose = false;
    let mut baseline = false;
    while let Some(arg) = args.next() {
        let mut num = |flag: &str| -> Result<f32, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{flag} needs a number"))
        };
        match arg.as_str() {
            "--verbose" => verbose = true,
            "--features" => {
                let text = args.next().ok_or("--features needs a text")?;
                println!("{:?}", Triage::new().risk_features(&text));
                return Ok(());
            }
            "--baseline" => baseline = true,
            "--eval" => evals.push(args.next().ok_or("--eval needs a file")?),
            "--high-threshold" => opts.high_threshold = num(&arg)?,
            "--iterations" => opts.iterations = num(&arg)? as usize,
            "--l2" => opts.l2 = num(&arg)?,
            "--no-grams" => opts.grams = false,
            "--dropout" => opts.dropout = num(&arg)?,
            "--dropout-copies" => opts.dropout_copies = num(&arg)? as usize,
            _ if out.is_none() => out = Some(arg),
            _ => train.push(arg),
        }
    }
    let out = out.ok_or("usage: train_risk OUT.txt TRAIN.jsonl[:WEIGHT]… [--eval FILE.jsonl]")?;
    let mut examples = Vec::new();
    for arg in &train {
        // FILE or FILE:WEIGHT
        let (path, weight) = match arg.rsplit_once(':') {
            Some((p, w)) if w.parse::<f32>().is_ok() => (p, w.parse::<f32>().unwrap_or(1.0)),
            _ => (arg.as_str(), 1.0),
        };
        examples.extend(read(path)?.into_iter().map(|e| (e, weight)));
    }
    let weighted: Vec<(&Example, f32)> = examples.iter().map(|(e, w)| (e, *w)).collect();
    let model = RiskModel::train_weighted(&weighted, &opts);
    std::fs::write(&out, model.to_text()).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{} examples → {out}", examples.len());
    let t = Triage::new().with_risk_model(model);
    for path in &evals {
        let examples = read(path)?;
        let r = evaluate(&t, &examples);
        println!("== {path}\n{}", r.risk_summary());
        if verbose {
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
        if baseline {
            let mut confusion = [[0usize; 4]; 4];
            let at = |l: &str| {
                ["none", "low", "medium", "high"]
                    .iter()
                    .position(|x| *x == l)
                    .unwrap_or(0)
            };
            for e in &examples {
                let want = at(e.risk.as_deref().unwrap_or("none"));
                confusion[want][at(t.cue_rule_level(&e.text))] += 1;
            }
            let flagged: usize = (0..4).map(|i| confusion[i][3]).sum();
            let support: usize = confusion[3].iter().sum();
            println!(
                "cue rules before issue 20: high recall {:.1}% precision {:.1}% ({} of {support} found, {flagged} flagged), high at none {}\n  confusion {confusion:?}",
                100.0 * confusion[3][3] as f64 / support.max(1) as f64,
                100.0 * confusion[3][3] as f64 / flagged.max(1) as f64,
                confusion[3][3],
                confusion[3][0],
            );
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
