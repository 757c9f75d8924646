//! Trains the triage model.
//!
//! ```text
//! cargo run --release -p triage --example train -- TRAIN.jsonl MODEL.txt [options]
//!   --date YYYY-MM-DD     version prefix (default: unversioned)
//!   --epochs N  --feature-floor N  --lr X  --l2 X  --min-count N  --prune X  --seed N
//!   --positive-weight W  --signal-threshold P  --level-threshold P
//!   --nature-prior W
//!   --eval FILE.jsonl     evaluate the new model on a labelled file (repeatable)
//!   --cv K                also report K-fold cross-validation on TRAIN (no file written
//!                         unless MODEL.txt is given)
//!   --verbose             with --cv: print the first fold's report and every high-risk miss
//!                         and false alarm
//! ```
//!
//! The shipped model: `cargo run --release -p triage --example train --
//! crates/triage/data/corpus/train.jsonl crates/triage/data/model.txt --date YYYY-MM-DD`.

use std::process::ExitCode;
use std::time::Instant;

use triage::{Example, Model, TrainOptions, Triage, evaluate, parse_jsonl};

fn read(path: &str) -> Result<Vec<Example>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    parse_jsonl(&text).map_err(|(line, message)| format!("{path}:{line}: {message}"))
}

fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    flag: &str,
) -> Result<T, String> {
    args.next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{flag} needs a valid value"))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut opts = TrainOptions::default();
    let mut evals = Vec::new();
    let mut folds = 0usize;
    let mut verbose = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--date" => opts.date = value(&mut args, &arg)?,
            "--epochs" => opts.epochs = value(&mut args, &arg)?,
            "--feature-floor" => opts.feature_floor = value(&mut args, &arg)?,
            "--lr" => opts.learning_rate = value(&mut args, &arg)?,
            "--l2" => opts.l2 = value(&mut args, &arg)?,
            "--min-count" => opts.min_count = value(&mut args, &arg)?,
            "--prune" => opts.prune = value(&mut args, &arg)?,
            "--seed" => opts.seed = value(&mut args, &arg)?,
            "--positive-weight" => opts.positive_weight = value(&mut args, &arg)?,
            "--signal-threshold" => opts.signal_threshold = value(&mut args, &arg)?,
            "--level-threshold" => opts.level_threshold = value(&mut args, &arg)?,
            "--nature-prior" => opts.nature_prior_weight = value(&mut args, &arg)?,
            "--eval" => evals.push(value::<String>(&mut args, &arg)?),
            "--cv" => folds = value(&mut args, &arg)?,
            "--verbose" => verbose = true,
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => positional.push(arg),
        }
    }
    let Some(train_path) = positional.first() else {
        return Err("usage: train TRAIN.jsonl [MODEL.txt] [options]".to_owned());
    };
    let examples = read(train_path)?;
    println!(
        "{} training examples from {train_path}; {opts:?}",
        examples.len()
    );

    if folds > 1 {
        cross_validate(&examples, &opts, folds, verbose);
    }

    let start = Instant::now();
    let model = Model::train(&examples, &opts);
    println!(
        "trained in {:.1?}: {} features, version {}",
        start.elapsed(),
        model.feature_count(),
        model.version()
    );
    let text = model.to_text();
    let start = Instant::now();
    let reread = Model::from_text(&text).map_err(|e| e.to_string())?;
    println!(
        "model text {:.2} MB, read back in {:.1?}",
        text.len() as f64 / 1e6,
        start.elapsed()
    );
    if let Some(out) = positional.get(1) {
        std::fs::write(out, &text).map_err(|e| format!("{out}: {e}"))?;
        println!("wrote {out}");
    }
    let triage = Triage::with_model(reread);
    for path in evals {
        let examples = read(&path)?;
        println!("\n== {path}\n{}", evaluate(&triage, &examples));
    }
    Ok(())
}

/// K-fold cross-validation (folds by position modulo K, so every category is spread evenly).
fn cross_validate(examples: &[Example], opts: &TrainOptions, k: usize, verbose: bool) {
    let (
        mut n,
        mut top1,
        mut top3,
        mut nature,
        mut high,
        mut high_found,
        mut flagged,
        mut flagged_right,
    ) = (0, 0, 0, 0, 0, 0, 0, 0);
    let (mut urgent_n, mut urgent_ok, mut dept) = (0, 0, 0);
    for fold in 0..k {
        let train: Vec<Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k != fold)
            .map(|(_, e)| e.clone())
            .collect();
        let test: Vec<Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k == fold)
            .map(|(_, e)| e.clone())
            .collect();
        let triage = Triage::with_model(Model::train(&train, opts));
        if verbose {
            for e in &test {
                let s = triage.classify(&e.text);
                let want = e.risk.as_deref() == Some("high");
                if want != (s.risk.level == "high") {
                    println!(
                        "{} {:?} want {:?} got {} {:?}",
                        if want { "MISS" } else { "FALSE" },
                        e.text,
                        e.signals,
                        s.risk.level,
                        s.risk.signals
                    );
                }
            }
        }
        let r = evaluate(&triage, &test);
        if fold == 0 && verbose {
            println!("fold 0:\n{r}");
        }
        n += r.examples;
        top1 += r.top1;
        top3 += r.top3;
        nature += r.nature_correct;
        urgent_n += r.urgency_labelled;
        urgent_ok += r.urgency_correct;
        dept += r.department;
        if let Some(h) = r.risk("high") {
            high += h.support;
            high_found += h.correct;
            flagged += h.predicted;
            flagged_right += h.correct;
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "{k}-fold CV: top-1 {:.1}%  top-3 {:.1}%  dept {:.1}%  nature {:.1}%  urgency {:.1}%  high recall {:.1}% precision {:.1}%",
        pct(top1, n),
        pct(top3, n),
        pct(dept, n),
        pct(nature, n),
        pct(urgent_ok, urgent_n),
        pct(high_found, high),
        pct(flagged_right, flagged)
    );
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
