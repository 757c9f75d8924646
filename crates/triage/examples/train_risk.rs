//! Learns the risk combination (`src/risk.rs`) and writes its weights.
//!
//! ```text
//! cargo run --release -p triage --example train_risk -- OUT.txt TRAIN.jsonl[:WEIGHT]… [--eval FILE.jsonl]…
//!   [--calibrate DEV.jsonl]… [--calibrate-mix MIX.jsonl]… [--precision P] [--mix-precision P]
//!   [--floor-recall R] [--restamp MODEL.txt]
//!   [--high-threshold P] [--iterations N] [--l2 X]
//!   [--verbose] (list high-risk misses and false alarms) [--baseline] (also the cue rules' figures)
//! ```
//!
//! `--calibrate DEV` first learns on the TRAIN files alone, sets the thresholds on DEV (which
//! that model has not seen: [`RiskModel::calibrate`], high-risk precision at least `--precision`,
//! default 0.8, and `--floor-recall` of the high-risk texts above none, default 0.99), then
//! learns the weights again on TRAIN and DEV together and keeps those thresholds. A held-out
//! file must never be given to `--calibrate` or as TRAIN. `--calibrate-mix MIX` is a DEV file at
//! a hotline's prevalence: it is calibrated on like the others, and the high threshold must also
//! keep `--mix-precision` (default 0.7) on it alone. `--restamp MODEL.txt` rewrites the
//! triage model's version line so that it names these risk weights too (see `Model::version`).
//!
//! The shipped weights (the corpus README has the alternatives tried and their figures):
//!
//! ```text
//! cargo run --release -p triage --example train_risk -- crates/triage/data/risk.txt \
//!   crates/triage/data/corpus/train.jsonl:0.5 crates/triage/data/corpus/risk_train.jsonl \
//!   --calibrate crates/triage/data/corpus/risk_dev.jsonl \
//!   --calibrate crates/triage/data/corpus/risk_real.jsonl \
//!   --calibrate crates/triage/data/corpus/risk_real2.jsonl \
//!   --calibrate crates/triage/data/corpus/risk_pairs.jsonl \
//!   --calibrate crates/triage/data/corpus/risk_voices.jsonl \
//!   --calibrate-mix crates/triage/data/corpus/risk_ordinary.jsonl \
//!   --folds 8 --precision 0.85 --mix-precision 0.5 --restamp crates/triage/data/model.txt
//! ```

use std::process::ExitCode;

use triage::{Example, Model, RiskModel, RiskTrainOptions, Triage, evaluate, parse_jsonl};

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
    let mut dev_files = Vec::new();
    let mut mix_files = Vec::new();
    let mut mix_precision = 0.7f64;
    let mut precision = 0.8f64;
    let mut floor_recall = 0.99f64;
    let mut restamp = None;
    let mut refit = true;
    let mut folds = 3usize;
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
            "--calibrate" => dev_files.push(args.next().ok_or("--calibrate needs a file")?),
            "--calibrate-mix" => {
                mix_files.push(args.next().ok_or("--calibrate-mix needs a file")?);
            }
            "--mix-precision" => mix_precision = f64::from(num(&arg)?),
            "--precision" => precision = f64::from(num(&arg)?),
            "--floor-recall" => floor_recall = f64::from(num(&arg)?),
            "--no-refit" => refit = false,
            "--folds" => folds = num(&arg)? as usize,
            "--restamp" => restamp = Some(args.next().ok_or("--restamp needs a file")?),
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
    let mut weighted: Vec<(&Example, f32)> = examples.iter().map(|(e, w)| (e, *w)).collect();
    let mut dev = Vec::new();
    // only texts with a risk level are scored, so only those are kept: the mix files come last
    // and their rows are then exactly the tail of the scored rows
    let labelled = |e: &Example| {
        ["none", "low", "medium", "high"]
            .iter()
            .any(|l| e.risk.as_deref() == Some(*l))
    };
    for path in &dev_files {
        dev.extend(read(path)?.into_iter().filter(labelled));
    }
    let mix_start = dev.len();
    for path in &mix_files {
        dev.extend(read(path)?.into_iter().filter(labelled));
    }
    dev_files.extend(mix_files.iter().cloned());
    let mut calibrated = None;
    if !dev.is_empty() {
        // thresholds from texts the weights being calibrated have not seen: without a refit,
        // the model learned on TRAIN scores DEV; with one (the default), each of `folds`
        // contiguous parts of DEV (its authors follow one another) is scored by a model learned
        // on TRAIN and the other parts, whose confidence is like the refitted model's
        let mut first = RiskModel::train_weighted(&weighted, &opts);
        let scored = if refit {
            let size = dev.len().div_ceil(folds.max(1));
            let mut scored = Vec::new();
            for part in dev.chunks(size.max(1)) {
                let start = scored.len();
                let mut rest: Vec<(&Example, f32)> = weighted.clone();
                rest.extend(
                    dev.iter()
                        .enumerate()
                        .filter(|(i, _)| *i < start || *i >= start + part.len())
                        .map(|(_, e)| (e, 1.0)),
                );
                scored.extend(RiskModel::train_weighted(&rest, &opts).scored(part));
            }
            scored
        } else {
            first.scored(&dev)
        };
        let mix = (!mix_files.is_empty()).then(|| (&scored[mix_start..], mix_precision));
        println!(
            "calibrated on {}: {}",
            dev_files.join(" "),
            first.calibrate(&scored, precision, floor_recall, mix)
        );
        let [low, medium, high] = first.thresholds();
        opts.low_threshold = low;
        opts.medium_threshold = medium;
        opts.high_threshold = high;
        if !refit {
            calibrated = Some(first);
        }
        weighted.extend(dev.iter().map(|e| (e, 1.0)));
    }
    let model = match calibrated {
        Some(m) => m,
        None => RiskModel::train_weighted(&weighted, &opts),
    };
    std::fs::write(&out, model.to_text()).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{} examples → {out}", weighted.len());
    if let Some(path) = &restamp {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let triage_model = Model::from_text(&text).map_err(|e| format!("{path}: {e:?}"))?;
        let stamped = triage_model.restamped(&model.to_text());
        std::fs::write(path, stamped.to_text()).map_err(|e| format!("{path}: {e}"))?;
        eprintln!("{path}: version {}", stamped.version());
    }
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
