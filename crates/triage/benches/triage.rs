//! `cargo bench -p triage`: construction time (jieba + the embedded model), model load alone,
//! per-call cost of `classify` and `tokens`, and training time on the shipped corpus.
//! Plain `Instant` timing (no benchmark framework dependency), one thread; figures go to
//! BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use triage::{Model, TrainOptions, Triage, parse_jsonl};

const MODEL: &str = include_str!("../data/model.txt");
const TRAIN: &str = include_str!("../data/corpus/train.jsonl");
const HELDOUT: &str = include_str!("../data/corpus/heldout.jsonl");

const TEXTS: &[&str] = &[
    "小区门口每天晚上都有人摆摊卖水果，把人行道都占满了，行人只能走到马路上",
    "隔壁工地每天晚上十一点以后还在施工，噪音大得根本睡不着",
    "市民来电反映：某某路菜场门口每天下午有商贩把蔬菜筐摆到非机动车道上售卖，影响通行，请相关部门核实处理。联系电话13812345678。",
    "我在工地干了半年活，包工头一直拖欠工资不给，过年回家路费都没有，再不给钱我就去市政府门口拉横幅",
    "楼上邻居家卫生间漏水，渗到我家天花板，跟他说了好几次都不理",
    "请问老旧小区加装电梯政府有多少补贴，需要什么条件",
    "厨房里有一股很浓的煤气味，是不是燃气管道漏气了",
    "家里的自来水放出来发黄浑浊，还有一股异味",
];

fn per_call(iterations: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed() / iterations
}

fn main() {
    let start = Instant::now();
    let triage = black_box(Triage::new());
    println!("Triage::new()            {:>10.1?}", start.elapsed());
    let start = Instant::now();
    let model = black_box(Model::from_text(black_box(MODEL)));
    println!(
        "Model::from_text         {:>10.1?}  ({:.2} MB, {} features)",
        start.elapsed(),
        MODEL.len() as f64 / 1e6,
        model.as_ref().map_or(0, Model::feature_count)
    );

    let n = 2000;
    let classify = per_call(n, || {
        for t in TEXTS {
            black_box(triage.classify(black_box(t)));
        }
    }) / TEXTS.len() as u32;
    println!(
        "classify (per text)      {classify:>10.1?}  ({:.0} calls/s on one core)",
        1.0 / classify.as_secs_f64()
    );
    let heldout = parse_jsonl(HELDOUT).unwrap_or_default();
    let start = Instant::now();
    for e in &heldout {
        black_box(triage.classify(black_box(&e.text)));
    }
    let per = start.elapsed() / heldout.len().max(1) as u32;
    println!(
        "classify (held-out set)  {per:>10.1?}  ({:.0} calls/s, {} texts)",
        1.0 / per.as_secs_f64(),
        heldout.len()
    );

    let tokens = per_call(n, || {
        for t in TEXTS {
            black_box(triage.tokens(black_box(t)));
        }
    }) / TEXTS.len() as u32;
    println!("tokens (per text)        {tokens:>10.1?}");

    let long = TEXTS.concat().repeat(4);
    let chars = long.chars().count();
    let classify_long = per_call(200, || {
        black_box(triage.classify(black_box(&long)));
    });
    println!("classify ({chars} chars)   {classify_long:>10.1?}");

    let normalise = per_call(n, || {
        for t in TEXTS {
            black_box(triage::normalise(black_box(t)));
        }
    }) / TEXTS.len() as u32;
    println!("normalise (per text)     {normalise:>10.1?}");

    let examples = parse_jsonl(TRAIN).unwrap_or_default();
    let start = Instant::now();
    let trained = black_box(Model::train(&examples, &TrainOptions::default()));
    println!(
        "Model::train             {:>10.1?}  ({} examples, {} features)",
        start.elapsed(),
        examples.len(),
        trained.feature_count()
    );
}
