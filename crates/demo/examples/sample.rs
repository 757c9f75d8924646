//! Prints a few synthetic cases, to read what the demo looks like:
//! `cargo run -p demo --example sample -- [seed] [n]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(42);
    let n = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    // 2025-06-16 10:00 Beijing time.
    let now_ms = 1_750_039_200_000;
    let district = demo::district();
    for case in demo::case_stream(seed, n, now_ms, &district) {
        println!(
            "【{}】{} | {} | {} | {} | {}\n  {}\n  {} {} | {} | {:?} | steps {}\n",
            case.category,
            case.title,
            case.nature,
            case.urgency,
            case.source,
            case.reported_at_ms,
            case.description,
            case.reporter_name,
            case.reporter_phone,
            case.address,
            case.fate,
            case.steps.len(),
        );
    }
}
