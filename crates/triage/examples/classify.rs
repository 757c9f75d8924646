//! Prints the suggestion for each argument (or each line of stdin):
//! `cargo run -p triage --example classify -- "隔壁工地半夜还在施工"`.

use std::io::BufRead;

fn main() {
    let triage = triage::Triage::new();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        args
    };
    for text in texts {
        let s = triage.classify(&text);
        let candidates: Vec<String> = s
            .candidates
            .iter()
            .take(3)
            .map(|c| format!("{} {:.2}", c.category, c.score))
            .collect();
        println!(
            "{text}\n  → {} | {} | {} | risk {} {:.2} {:?} | {}\n  because {:?}\n  risk reasons {:?}",
            candidates.join(", "),
            s.nature,
            s.urgency,
            s.risk.level,
            s.risk.score,
            s.risk.signals,
            s.department,
            s.explanation,
            s.risk.reasons
        );
    }
}
