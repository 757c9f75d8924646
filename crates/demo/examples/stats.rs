//! Mix statistics of the synthetic history: `cargo run -p demo --example stats -- [n]`.
use std::collections::BTreeMap;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let now_ms = 1_750_039_200_000;
    let district = demo::district();
    let mut by: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut bump = |k: &'static str, v: String| *by.entry((k, v)).or_default() += 1;
    for c in demo::case_stream(7, n, now_ms, &district) {
        bump("nature", c.nature.to_string());
        bump("source", c.source.to_string());
        bump("urgency", c.urgency.to_string());
        let fate = match c.fate {
            demo::Fate::Closed { satisfaction, .. } => format!("Closed/{satisfaction}"),
            f => format!("{f:?}"),
        };
        bump("fate", fate.clone());
        let age_days = (now_ms - c.reported_at_ms) / 86_400_000;
        if age_days < 10 {
            bump("fate<10d", fate);
        }
        if c.was_returned() {
            bump("path", "returned".into());
        }
        if c.was_extended() {
            bump("path", "extended".into());
        }
        if c.urgency == "critical" {
            bump("critical", c.category.to_string());
        }
    }
    for ((k, v), count) in &by {
        println!(
            "{k:10} {v:32} {count:7} {:6.2}%",
            *count as f64 * 100.0 / n as f64
        );
    }
}
