//! Chinese text handling of onewindow: normalisation, search tokens, and triage suggestions.
//!
//! Pure: no IO, no async, no global mutable state. Build one [`Triage`] at start-up (it loads
//! jieba's dictionary plus ours, a few hundred milliseconds at most) and share it: it is `Send +
//! Sync` and every method takes `&self`.
//!
//! # Search tokens
//!
//! Full-text search stores [`Triage::tokens`] of every case (SQLite FTS5 /
//! PostgreSQL `tsvector('simple')`) and segments the query with the *same* function. Chinese has
//! no spaces, so which words a text "contains" is whatever the segmenter says: a query is only
//! found if it is cut the way the document was. Hence one normaliser ([`normalise`]) and one
//! segmenter (jieba, search mode, with the domain dictionary `data/dict.txt` so that 占道经营
//! stays one word instead of 占 + 道 + 经营) serve both sides, and the output is deterministic.
//! Changing the dictionary changes the tokens of already indexed text: re-index after doing so.
//! Phone and identity numbers are masked before segmentation, so they never become searchable.
//!
//! # Suggestions
//!
//! [`Triage::classify`] suggests category and handling unit (from [`TAXONOMY`]), nature,
//! urgency and risk for `POST /api/v1/triage`; a dispatcher confirms or corrects them.
//! Category, nature, urgency and risk come from a trained [`Model`] (softmax regression over
//! jieba words, word pairs and character n-grams; see `model.rs` for why), trained on the
//! labelled corpus under `data/corpus/` and embedded as `data/model.txt`. Retrain with
//!
//! ```text
//! cargo run --release -p triage --example train -- \
//!     crates/triage/data/corpus/train.jsonl crates/triage/data/model.txt --date YYYY-MM-DD
//! ```
//!
//! and measure with [`evaluate`] (`onewindow triage eval FILE.jsonl`).
//!
//! Urgency also keeps the cue-phrase rules of `cues.rs` (the model only raises it). Risk is
//! the learned combination of `risk.rs` (issue 20): factors read by phrases — who is endangered,
//! how soon, how many, escalation, history — and the cue rules' phrases, combined by logistic
//! weights (`data/risk.txt`, `examples/train_risk.rs`) into a level, a score (P(high)) and the
//! reasons (the phrases that weighed, in Chinese). The signals name the kinds of risk: the cue
//! rules', the factors', and those the model's signal head is confident about; a text with a
//! signal is at least low.

mod corpus;
mod cues;
mod eval;
mod features;
mod model;
mod normalise;
mod risk;
mod taxonomy;

use jieba_rs::Jieba;
use serde::Serialize;

pub use crate::corpus::{Example, parse_jsonl};
pub use crate::eval::{EvalReport, LabelStats, evaluate};
pub use crate::model::{Model, ModelError, TrainOptions};
pub use crate::normalise::{ID_MASK, PHONE_MASK, normalise};
pub use crate::risk::{RiskModel, RiskTrainOptions};
pub use crate::taxonomy::{TAXONOMY, department_of};

use crate::model::{LEVELS, SIGNALS, URGENCIES, feature_hashes};

const DOMAIN_DICT: &str = include_str!("../data/dict.txt");
/// The default model, trained on `data/corpus/train.jsonl` by `examples/train.rs`.
const MODEL: &str = include_str!("../data/model.txt");

/// The shipped model's text (to store it as a version that can be re-activated).
pub const BUILTIN_MODEL: &str = MODEL;
/// The learned risk combination (`risk.rs`), trained by `examples/train_risk.rs`.
pub const RISK_MODEL: &str = include_str!("../data/risk.txt");
/// The risk corpus of issue 20: what the risk weights are learned on.
pub const RISK_TRAIN_CORPUS: &str = include_str!("../data/corpus/risk_train.jsonl");
/// The risk corpus's development part (written apart from the training part, looked at while
/// the factors were developed, then learned on too).
pub const RISK_DEV_CORPUS: &str = include_str!("../data/corpus/risk_dev.jsonl");
/// The risk corpus's held-out part, written after the weights were frozen, never learned on.
pub const RISK_HELDOUT_CORPUS: &str = include_str!("../data/corpus/risk_heldout.jsonl");
/// Realistic texts in ten voices (callers, clerks' summaries, WeChat, grid workers' notes, call
/// transcripts, villagers, staff reporting for others, relatives), not from the generator; not
/// yet learned on by the shipped weights (see the corpus README, "The realistic texts").
pub const RISK_REAL_CORPUS: &str = include_str!("../data/corpus/risk_real.jsonl");
/// The second set of realistic texts (four more voices).
pub const RISK_REAL2_CORPUS: &str = include_str!("../data/corpus/risk_real2.jsonl");
/// A hotline's ordinary day in eight voices (88% none/low/medium, mostly texts that mention
/// old people, children, illness or 联系不上 without danger): learned on, so that the weights
/// see the words of danger in harmless requests at a hotline's prevalence.
pub const RISK_ORDINARY_CORPUS: &str = include_str!("../data/corpus/risk_ordinary.jsonl");
/// Contrastive groups: one situation in three texts that differ in the detail that moves the
/// level (a mother unreachable for three days / living alone with the heating broken / a
/// suggestion to fit alarms). Learned on.
pub const RISK_PAIRS_CORPUS: &str = include_str!("../data/corpus/risk_pairs.jsonl");
/// Danger said indirectly (存折密码写在桌上了, 三天没见她倒垃圾) and ordinary texts that share
/// its words. Learned on.
pub const RISK_VOICES_CORPUS: &str = include_str!("../data/corpus/risk_voices.jsonl");
/// Realistic texts written by hand, independently of the generator's templates (issue 20):
/// never learned on, never used to set a threshold.
pub const RISK_INDEPENDENT_CORPUS: &str = include_str!("../data/corpus/risk_independent.jsonl");
/// A second independent set (400 texts, 100 high), written by a writer who read none of the
/// training texts, the phrase readers or the first independent set: never learned on, never
/// used to set a threshold or to choose between candidate weights.
pub const RISK_INDEPENDENT2_CORPUS: &str = include_str!("../data/corpus/risk_independent2.jsonl");
/// `heldout.jsonl` with its risk levels relabelled under the issue-20 policy (an old person
/// alone and unreachable is high, a shove without injury low): a hotline's prevalence (about
/// one text in seventeen high) for the false-alarm rate. `old_risk` keeps the earlier label.
pub const HELDOUT_RISK_CORPUS: &str = include_str!("../data/corpus/heldout_risk.jsonl");
/// The labelled training corpus shipped with the crate (JSON lines of [`Example`]).
pub const TRAIN_CORPUS: &str = include_str!("../data/corpus/train.jsonl");
/// The held-out corpus, never trained on.
pub const HELDOUT_CORPUS: &str = include_str!("../data/corpus/heldout.jsonl");

/// Frequency given to a dictionary word listed without one (see `data/dict.txt`).
const DEFAULT_WORD_FREQ: usize = 2000;
/// Classification reads at most this many characters: the gist of a request is at its start,
/// and it bounds the time of a call whatever is pasted into it.
const CLASSIFY_MAX_CHARS: usize = 2000;
/// How many candidates a suggestion lists.
const CANDIDATES: usize = 5;
/// How many words explain a suggestion.
const EXPLANATION_WORDS: usize = 5;

/// Suggested triage of a request text.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// `一级/二级`, verbatim from the taxonomy.
    pub category: String,
    /// The category's default handling unit, e.g. `城管局`.
    pub department: String,
    /// complaint | help | consult | suggestion | report | dispute | praise
    pub nature: &'static str,
    /// normal | urgent | critical
    pub urgency: &'static str,
    pub risk: Risk,
    /// Confidence in `category`, 0..1 (the first candidate's score).
    pub confidence: f32,
    /// The best categories, best first; the first is `category`.
    pub candidates: Vec<Candidate>,
    /// The words that weighed most for `category`.
    pub explanation: Vec<String>,
}

/// Conflict-risk reading of a request (矛盾风险).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Risk {
    /// none | low | medium | high
    pub level: &'static str,
    /// self_harm, violence, gathering, petition, vulnerable, repeated, media
    pub signals: Vec<&'static str>,
    /// Probability that the text is high risk, 0..1 (the learned combination's P(high)).
    pub score: f32,
    /// Why, in Chinese, strongest first: `因素:原文短语`, e.g. `独居无人照料:一个人住`,
    /// `人数众多:四百多户`, `越级或上访:去省里`. Empty at level none.
    pub reasons: Vec<String>,
}

/// One category the classifier considered.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub category: String,
    pub department: String,
    /// Share of the classifier's belief, 0..1; the scores of all 44 categories sum to 1.
    pub score: f32,
}

/// Segmenter and classifier, built once and shared.
#[derive(Debug)]
pub struct Triage {
    jieba: Jieba,
    model: Model,
    risk: risk::RiskModel,
}

// `Triage` is shared across request handlers.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Triage>();
};

impl Default for Triage {
    fn default() -> Self {
        Self::new()
    }
}

impl Triage {
    /// Loads jieba's default dictionary, the domain dictionary and the default model, all
    /// embedded in the binary.
    pub fn new() -> Self {
        // a test keeps the embedded model readable; should it not be, classification still
        // works (uniform scores, rules only) rather than the server failing to start
        Self::with_model(Model::from_text(MODEL).unwrap_or_else(|_| Model::empty()))
    }

    /// A triage with another model, e.g. one retrained on dispatchers' corrections.
    pub fn with_model(model: Model) -> Self {
        Triage {
            jieba: new_jieba(),
            model,
            risk: risk::RiskModel::from_text(RISK_MODEL)
                .unwrap_or_else(|_| risk::RiskModel::empty()),
        }
    }

    /// The same triage with another risk combination (e.g. one being trained).
    pub fn with_risk_model(mut self, risk: RiskModel) -> Self {
        self.risk = risk;
        self
    }

    /// Version of the model in use ([`Model::version`]), to record with each suggestion. The
    /// version names the risk weights too (`data/risk.txt`, see [`Model::restamped`]), so a
    /// retrained risk combination shows as a new version.
    pub fn model_version(&self) -> &str {
        self.model.version()
    }

    /// Search tokens of a text, in order, duplicates kept: normalised, segmented in jieba's
    /// search mode (a long word also yields the dictionary words inside it: 老旧小区改造 → 小区,
    /// 改造, 老旧小区, 老旧小区改造), without punctuation, whitespace and stop words.
    /// Use it for documents and queries alike.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let normalised = normalise(text);
        self.segment(&normalised)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn segment<'a>(&self, normalised: &'a str) -> Vec<&'a str> {
        segment(&self.jieba, normalised)
    }

    /// Suggests category, department, nature, urgency and risk for a request text.
    /// Never fails: an empty or unrelated text gets a low-confidence suggestion.
    pub fn classify(&self, text: &str) -> Suggestion {
        let prepared = prepare(text);
        let p = self.model.predict(
            feature_hashes(&self.jieba, &prepared),
            &cues::nature_scores(&prepared),
        );

        let mut order: Vec<usize> = (0..TAXONOMY.len()).collect();
        // stable sort: equal scores keep taxonomy order, so the result is deterministic
        order.sort_by(|&a, &b| p.category[b].total_cmp(&p.category[a]));
        let best = order[0];
        let candidates: Vec<Candidate> = order
            .iter()
            .take(CANDIDATES)
            .map(|&i| Candidate {
                category: TAXONOMY[i].0.to_owned(),
                department: TAXONOMY[i].1.to_owned(),
                score: p.category[i],
            })
            .collect();
        let (category, department) = TAXONOMY[best];

        // urgency: the rules' reading, raised (never lowered) by the model's
        let rule_urgency = cues::urgency(&prepared);
        let urgency = URGENCIES[rank(&URGENCIES, rule_urgency).max(argmax(&p.urgency))];

        // risk: the level, score and reasons from the learned combination of factors (who is
        // endangered × how soon × how many × escalation × history, `risk.rs`); the signals
        // name the kinds: the rules' ones, the factors', and those the model is confident about
        let assessment = self.risk.assess(&prepared);
        let mut signals = cues::signals(&prepared, urgency);
        for s in risk::signals_of(&assessment.factors) {
            if !signals.contains(&s) {
                signals.push(s);
            }
        }
        for (k, s) in SIGNALS.iter().enumerate() {
            if p.signals[k] >= self.model.signal_threshold() && !signals.contains(s) {
                signals.push(s);
            }
        }
        signals.sort_by_key(|s| rank(&SIGNALS, s));
        // a signal is worth a note: never level none beside one
        let level = if signals.is_empty() {
            assessment.level
        } else {
            assessment.level.max(1)
        };

        Suggestion {
            category: category.to_owned(),
            department: department.to_owned(),
            nature: cues::NATURES[argmax(&p.nature)],
            urgency,
            risk: Risk {
                level: LEVELS[level],
                signals,
                score: assessment.score,
                reasons: assessment.reasons,
            },
            confidence: p.category[best],
            candidates,
            explanation: self
                .model
                .explain(&p, best, EXPLANATION_WORDS, |w| self.jieba.has_word(w)),
        }
    }
}

impl Triage {
    /// The risk level the cue rules and the model's risk head gave before issue 20 (a signal
    /// of self-harm, violence or gathering is high, two signals medium …, raised by the risk
    /// head): kept only to measure the learned combination against it.
    #[doc(hidden)]
    pub fn risk_features(&self, text: &str) -> Vec<String> {
        risk::debug_features(&prepare(text))
    }

    #[doc(hidden)]
    pub fn cue_rule_level(&self, text: &str) -> &'static str {
        let prepared = prepare(text);
        let p = self.model.predict(
            feature_hashes(&self.jieba, &prepared),
            &cues::nature_scores(&prepared),
        );
        let urgency = URGENCIES[rank(&URGENCIES, cues::urgency(&prepared)).max(argmax(&p.urgency))];
        let mut signals = cues::signals(&prepared, urgency);
        for (k, s) in SIGNALS.iter().enumerate() {
            if p.signals[k] >= self.model.signal_threshold() && !signals.contains(s) {
                signals.push(s);
            }
        }
        let mut level = rank(&LEVELS, cues::level(&signals));
        let mut at_least = 0.0;
        for k in (1..LEVELS.len()).rev() {
            at_least += p.risk[k];
            if at_least >= self.model.level_threshold() {
                level = level.max(k);
                break;
            }
        }
        LEVELS[level]
    }
}

/// Search-mode segmentation of normalised text (see [`Triage::tokens`]).
fn segment<'a>(jieba: &Jieba, normalised: &'a str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for token in jieba.cut_for_search(normalised, true) {
        let word = token.word;
        if !word.chars().any(char::is_alphanumeric) || is_stop_word(word) {
            continue;
        }
        // jieba's search mode offers the 2- and 3-character dictionary words inside a long
        // word but not the 4-character ones, so 老旧小区改造 would not be found by 老旧小区
        if token.end - token.start > 4 {
            push_four_char_words(jieba, word, &mut out);
        }
        out.push(word);
    }
    out
}

fn push_four_char_words<'a>(jieba: &Jieba, word: &'a str, out: &mut Vec<&'a str>) {
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain([word.len()])
        .collect();
    for window in bounds.windows(5) {
        if let Some(sub) = word.get(window[0]..window[4])
            && jieba.has_word(sub)
        {
            out.push(sub);
        }
    }
}

/// Position of `label` in `labels` (0 when absent, which cannot happen for the constants here).
fn rank(labels: &[&str], label: &str) -> usize {
    labels.iter().position(|l| *l == label).unwrap_or(0)
}

/// Index of the largest score, the first on ties.
fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    best
}

/// The text classification sees: normalised and cut to [`CLASSIFY_MAX_CHARS`].
pub(crate) fn prepare(text: &str) -> String {
    let mut normalised = normalise(text);
    if let Some((cut, _)) = normalised.char_indices().nth(CLASSIFY_MAX_CHARS) {
        normalised.truncate(cut);
    }
    normalised
}

/// jieba with the domain dictionary: the one segmenter of search and classification.
pub(crate) fn new_jieba() -> Jieba {
    let mut jieba = Jieba::new();
    load_domain_dict(&mut jieba, DOMAIN_DICT);
    jieba
}

/// Adds `word [freq] [tag]` lines to jieba. A word without a frequency gets enough to be kept
/// whole (jieba's suggestion) and at least [`DEFAULT_WORD_FREQ`], never less than it had.
fn load_domain_dict(jieba: &mut Jieba, dict: &str) {
    for line in dict.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut parts = line.split_whitespace();
        let Some(word) = parts.next() else { continue };
        let freq = parts.next().and_then(|f| f.parse::<usize>().ok());
        let tag = parts.next();
        let freq = freq.unwrap_or_else(|| jieba.suggest_freq(word).max(DEFAULT_WORD_FREQ));
        jieba.add_word(word, Some(freq), tag);
    }
}

/// Function words that carry nothing for search or classification. Sorted (binary search).
const STOP_WORDS: &[&str] = &[
    "一下", "一个", "一些", "上", "与", "个", "么", "之", "也", "了", "于", "从", "他", "他们",
    "以", "们", "但", "你", "你们", "其", "吗", "吧", "呀", "呢", "和", "哦", "哪", "啊", "啦",
    "嗯", "在", "她", "它", "就", "并", "很", "得", "我", "我们", "或", "把", "是", "有点", "来",
    "此", "的", "着", "等", "给", "而", "能", "自己", "让", "这", "这个", "这些", "那", "那个",
    "那些", "都", "里", "麻烦",
];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static TRIAGE: LazyLock<Triage> = LazyLock::new(Triage::new);

    #[test]
    fn embedded_data_is_clean() {
        let model = Model::from_text(MODEL).unwrap();
        assert!(model.feature_count() > 1000);
        assert_eq!(TRIAGE.model_version(), model.version());
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS, "STOP_WORDS must be sorted and unique");
    }

    #[test]
    fn tokens_keep_domain_words() {
        assert!(TRIAGE.tokens("占道经营").contains(&"占道经营".to_owned()));
        let t = TRIAGE.tokens("小区门口有人占道经营！");
        assert!(t.contains(&"占道经营".to_owned()), "{t:?}");
        assert!(t.contains(&"小区".to_owned()), "{t:?}");
        assert!(
            !t.iter().any(|w| w == "!" || w == "！" || w == " "),
            "{t:?}"
        );
        // the query 占道 finds the document: search mode also indexes the sub-word
        assert!(t.contains(&"占道".to_owned()), "{t:?}");
        assert_eq!(TRIAGE.tokens("占道"), vec!["占道".to_owned()]);
        let t = TRIAGE.tokens("老旧小区改造工程");
        for word in ["老旧小区", "老旧小区改造", "小区", "改造"] {
            assert!(t.contains(&word.to_owned()), "{word}: {t:?}");
        }
        for word in [
            "违章搭建",
            "加装电梯",
            "网约车",
            "拖欠工资",
            "消防通道",
            "垃圾分类",
            "12345",
        ] {
            let t = TRIAGE.tokens(&format!("关于{word}的问题"));
            assert!(t.contains(&word.to_owned()), "{word}: {t:?}");
        }
    }

    #[test]
    fn tokens_are_normalised_and_deterministic() {
        let a = TRIAGE.tokens("樓上ＫＴＶ噪聲擾民，電話13812345678");
        assert_eq!(a, TRIAGE.tokens("楼上ktv噪声扰民, 电话 13812345678"));
        assert!(a.contains(&"ktv".to_owned()), "{a:?}");
        assert!(a.contains(&"噪声".to_owned()), "{a:?}");
        assert!(
            !a.iter().any(|t| t.contains("138")),
            "phone leaked into tokens: {a:?}"
        );
        assert!(!a.iter().any(|t| t == "的" || t == "了"));
        for _ in 0..3 {
            assert_eq!(
                TRIAGE.tokens("小区门口有人占道经营"),
                TRIAGE.tokens("小区门口有人占道经营")
            );
        }
        assert!(TRIAGE.tokens("").is_empty());
        assert!(TRIAGE.tokens("，。！？ 　").is_empty());
    }

    #[test]
    fn suggestion_shape() {
        let s = TRIAGE.classify("小区门口有人占道经营，摆摊卖水果，行人没法走");
        assert_eq!(s.category, "城市管理/占道经营");
        assert_eq!(s.department, "城管局");
        assert!(s.candidates.len() >= 3);
        assert_eq!(s.candidates[0].category, s.category);
        assert!(s.candidates.windows(2).all(|w| w[0].score >= w[1].score));
        assert!((s.confidence - s.candidates[0].score).abs() < f32::EPSILON);
        assert!(
            s.confidence > 0.5 && s.confidence <= 1.0,
            "{}",
            s.confidence
        );
        assert!(
            s.explanation.iter().any(|w| w.contains("占道")),
            "{:?}",
            s.explanation
        );
        for c in &s.candidates {
            assert_eq!(department_of(&c.category), Some(c.department.as_str()));
        }
    }

    #[test]
    fn empty_and_unrelated_text() {
        for text in ["", "   ", "？？？", "abc", "你好"] {
            let s = TRIAGE.classify(text);
            assert!(s.candidates.len() >= 3);
            assert!(s.confidence < 0.2, "{text:?}: {}", s.confidence);
            assert_eq!(s.risk.level, "none");
            assert_eq!(s.urgency, "normal");
        }
        // a very long text is fine too
        let long = "楼下烧烤店油烟很大。".repeat(2000);
        assert_eq!(TRIAGE.classify(&long).category, "环境保护/大气污染");
    }
}
