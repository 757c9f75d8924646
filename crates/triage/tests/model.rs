//! The shipped model against the held-out corpus, and the model file format.
//!
//! `data/corpus/heldout.jsonl` was written in a separate session and a different style from
//! `train.jsonl` (grid-worker visit notes, app messages, hotline summaries) and is never
//! trained on. The floors sit a little below what the shipped model achieves, so a regression
//! (a retrain, a feature change, a rule change) fails here.
//!
//! `cargo test -p triage --test model -- --nocapture` prints the full report.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use triage::{
    Example, HELDOUT_RISK_CORPUS, Model, TAXONOMY, TrainOptions, Triage, evaluate, parse_jsonl,
};

static TRIAGE: LazyLock<Triage> = LazyLock::new(Triage::new);

const TRAIN: &str = include_str!("../data/corpus/train.jsonl");
const HELDOUT: &str = include_str!("../data/corpus/heldout.jsonl");
const MODEL: &str = include_str!("../data/model.txt");

fn corpus(text: &str) -> Vec<Example> {
    parse_jsonl(text).unwrap_or_else(|(line, message)| panic!("line {line}: {message}"))
}

#[test]
fn held_out_floors() {
    let r = evaluate(&TRIAGE, &corpus(HELDOUT));
    println!("{r}");
    // the risk figures at a hotline's prevalence (50 high of 740): recall 88.0% (44/50),
    // precision 63.8% (44/69), none at none
    let risk = evaluate(&TRIAGE, &corpus(HELDOUT_RISK_CORPUS));
    println!("heldout_risk.jsonl\n{}", risk.risk_summary());
    assert_eq!(risk.high_at_none(), 0, "{}", risk.risk_summary());
    // the shipped model (740 examples): top-1 90.8%, top-3 98.8%, department 93.0%,
    // nature 87.7%, urgency 95.3%. Its risk labels follow the policy before issue 20 (any
    // violence high, an old person alone and unreachable low): the risk floors are held on the
    // same texts relabelled under issue 20's policy, `heldout_risk.jsonl` (above).
    let high = risk.risk("high").unwrap();
    let checks = [
        ("category top-1", r.top1_accuracy(), 0.89),
        ("category top-3", r.top3_accuracy(), 0.975),
        ("department", r.department_accuracy(), 0.915),
        ("nature", r.nature_accuracy(), 0.86),
        ("urgency", r.urgency_accuracy().unwrap(), 0.94),
        ("high-risk recall", high.recall().unwrap(), 0.85),
        ("high-risk precision", high.precision().unwrap(), 0.60),
    ];
    let below: Vec<String> = checks
        .iter()
        .filter(|(_, got, floor)| got < floor)
        .map(|(what, got, floor)| format!("{what} {got:.3} < {floor}"))
        .collect();
    assert!(below.is_empty(), "below the floor: {below:?}\n{r}");
}

#[test]
fn embedded_model_round_trips() {
    let model = Model::from_text(MODEL).unwrap();
    assert_eq!(
        model.to_text(),
        MODEL,
        "to_text(from_text(file)) must be the file"
    );
    assert_eq!(TRIAGE.model_version(), model.version());
    assert!(
        MODEL.len() < 5_000_000,
        "model file is {} bytes",
        MODEL.len()
    );
    // the same model behaves the same after a round trip through text
    let again = Triage::with_model(Model::from_text(&model.to_text()).unwrap());
    for text in ["夜里工地还在打桩", "老板拖欠工资三个月", "请问低保怎么申请"]
    {
        let (a, b) = (TRIAGE.classify(text), again.classify(text));
        assert_eq!(a.category, b.category);
        assert_eq!(a.confidence, b.confidence);
        assert_eq!(a.risk.signals, b.risk.signals);
    }
}

#[test]
fn corpus_is_well_formed() {
    let train = corpus(TRAIN);
    let heldout = corpus(HELDOUT);
    fn count(set: &[Example]) -> HashMap<&str, usize> {
        let mut n: HashMap<&str, usize> = HashMap::new();
        for e in set {
            *n.entry(e.category.as_str()).or_default() += 1;
        }
        n
    }
    let (in_train, in_heldout) = (count(&train), count(&heldout));
    for (category, _) in TAXONOMY {
        let (a, b) = (
            in_train.get(category).copied().unwrap_or(0),
            in_heldout.get(category).copied().unwrap_or(0),
        );
        assert!(a >= 40, "{category}: {a} training examples");
        assert!(b >= 10, "{category}: {b} held-out examples");
    }
    let share = heldout.len() as f64 / (train.len() + heldout.len()) as f64;
    assert!((0.15..0.25).contains(&share), "held-out share {share}");
    for set in [&train, &heldout] {
        for nature in [
            "complaint",
            "help",
            "consult",
            "suggestion",
            "report",
            "dispute",
            "praise",
        ] {
            assert!(set.iter().any(|e| e.nature == nature), "no {nature}");
        }
        for level in ["none", "low", "medium", "high"] {
            assert!(
                set.iter().any(|e| e.risk.as_deref() == Some(level)),
                "no {level}"
            );
        }
        for signal in [
            "self_harm",
            "violence",
            "gathering",
            "petition",
            "vulnerable",
            "repeated",
            "media",
        ] {
            assert!(set.iter().any(|e| e.signals.iter().any(|s| s == signal)));
        }
    }
    // no text is in both sets, nor twice in one
    let texts: HashSet<&str> = train.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts.len(), train.len(), "duplicate training texts");
    let leaked: Vec<&str> = heldout
        .iter()
        .map(|e| e.text.as_str())
        .filter(|t| texts.contains(t))
        .collect();
    assert!(leaked.is_empty(), "held-out texts in train: {leaked:?}");
}

/// The committed model is what the committed corpus and code train: retrain and compare.
/// Slow in a debug build; run with
/// `cargo test --release -p triage --test model -- --ignored shipped_model_is_reproducible`.
#[test]
#[ignore]
fn shipped_model_is_reproducible() {
    let shipped = Model::from_text(MODEL).unwrap();
    let date = shipped
        .version()
        .split_once('+')
        .map_or("unversioned", |(d, _)| d);
    let opts = TrainOptions {
        date: date.to_owned(),
        ..TrainOptions::default()
    };
    let retrained = Model::train(&corpus(TRAIN), &opts);
    assert_eq!(retrained.version(), shipped.version());
    assert!(retrained.to_text() == MODEL, "retrained model differs");
}
