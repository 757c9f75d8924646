//! The trained model: multinomial logistic regression over word and character n-gram
//! features (looked up by a 64-bit hash, see `features.rs`).
//!
//! # Why this model
//!
//! Work orders are short (a sentence or three), the labelled corpus is a few thousand texts,
//! and the cue that decides a category is usually a word or two (占道, 欠薪, 漏气) whose
//! surroundings decide the traps (夜间施工 is noise, not building; 工地 + 工资 is labour, not
//! housing). A linear model over sparse word, word-pair and character n-gram features is the
//! strongest family at that size: it learns those cues and their interactions with neighbouring
//! words, is robust to typos through the character n-grams, trains in a second, classifies in
//! microseconds, and its scores are explainable (each word's weight). Softmax regression rather
//! than an averaged perceptron, because its scores are calibrated probabilities: the dispatcher
//! sees a confidence and the candidates' shares, and the risk heads need a threshold.
//! Trained with AdaGrad (per-feature step sizes suit features of very different frequency) and
//! L2, a fixed number of epochs over a seeded shuffle, so training is deterministic.
//!
//! Measured on the held-out corpus (740 texts written apart from the training ones): 90.8%
//! top-1 category against 75.2% for the hand-set cue weights it replaces. Those cues were also
//! tried as a prior (their scores added to the model's, and trained with): +3.5 points in
//! cross-validation on the training corpus but no gain on held-out text (one text worse), so
//! they were dropped. The nature cues of `cues.rs` are kept as a prior of the nature head
//! (about +1 point in cross-validation, no loss held out).
//!
//! One set of features feeds five heads: category (44, softmax), nature (7, softmax), urgency
//! (3, softmax), risk level (4, softmax) and risk signals (7 independent sigmoids). The rules of
//! `cues.rs` stay in charge of explicit risk and urgency language; the heads add recall (see
//! `lib.rs` for how they are combined).
//!
//! # File format
//!
//! A versioned text file, one feature per line with its non-zero weights per head, weights as
//! integers in thousandths (so a model read back is bit-identical to the one written), and an
//! FNV-1a checksum over everything above the last line:
//!
//! ```text
//! onewindow-triage-model 1
//! version 2026-11-27+1a2b3c4d
//! head category softmax 城市管理/占道经营 城市管理/违章搭建 …
//! head nature softmax complaint consult …
//! …
//! param signal_threshold 500
//! param level_threshold 300
//! param nature_prior_weight 1000
//! param feature_floor 60000
//! bias category 120 -35 …
//! …
//! features 41234
//! c:占道<TAB>0:2315 1:-120<TAB><TAB>…
//! …
//! checksum 0123456789abcdef
//! ```

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use jieba_rs::Jieba;

use crate::corpus::Example;
use crate::cues::NATURES;
use crate::features::{self, FeatureHash, Hashes, Strings, hash_of};
use crate::taxonomy::{TAXONOMY, index_of};

/// The first line of a model file, followed by the format number.
const MAGIC: &str = "onewindow-triage-model";
const FORMAT: u32 = 1;
/// Weights are stored as integers in units of `1 / QUANT`.
const QUANT: f32 = 1000.0;

pub(crate) const URGENCIES: [&str; 3] = ["normal", "urgent", "critical"];
pub(crate) const LEVELS: [&str; 4] = ["none", "low", "medium", "high"];
pub(crate) const SIGNALS: [&str; 7] = [
    "self_harm",
    "violence",
    "gathering",
    "petition",
    "vulnerable",
    "repeated",
    "media",
];

/// The heads of a model, in file and weight-row order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Head {
    Category,
    Nature,
    Urgency,
    Risk,
    Signals,
}

impl Head {
    pub(crate) const ALL: [Head; 5] = [
        Head::Category,
        Head::Nature,
        Head::Urgency,
        Head::Risk,
        Head::Signals,
    ];

    fn name(self) -> &'static str {
        match self {
            Head::Category => "category",
            Head::Nature => "nature",
            Head::Urgency => "urgency",
            Head::Risk => "risk",
            Head::Signals => "signals",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Head::Signals => "sigmoid",
            _ => "softmax",
        }
    }

    fn labels(self) -> Vec<&'static str> {
        match self {
            Head::Category => TAXONOMY.iter().map(|(c, _)| *c).collect(),
            Head::Nature => NATURES.to_vec(),
            Head::Urgency => URGENCIES.to_vec(),
            Head::Risk => LEVELS.to_vec(),
            Head::Signals => SIGNALS.to_vec(),
        }
    }

    fn len(self) -> usize {
        match self {
            Head::Category => TAXONOMY.len(),
            Head::Nature => NATURES.len(),
            Head::Urgency => URGENCIES.len(),
            Head::Risk => LEVELS.len(),
            Head::Signals => SIGNALS.len(),
        }
    }

    /// Offset of the head's first label in a weight row.
    fn offset(self) -> usize {
        Head::ALL
            .iter()
            .take_while(|h| **h != self)
            .map(|h| h.len())
            .sum()
    }
}

/// Labels in a weight row: all heads side by side.
const STRIDE: usize = 44 + 7 + 3 + 4 + 7;

const _: () = assert!(STRIDE == TAXONOMY.len() + NATURES.len() + 3 + 4 + 7);

/// Training settings. `Default` gives the settings the shipped model was trained with.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the examples.
    pub epochs: usize,
    /// Texts with fewer distinct features weigh each as if they had this many (see
    /// `feature_value`).
    pub feature_floor: usize,
    /// AdaGrad base step size.
    pub learning_rate: f32,
    /// L2 penalty, applied to a feature's weights whenever the feature occurs.
    pub l2: f32,
    /// A feature must occur in at least this many examples to enter the vocabulary.
    pub min_count: usize,
    /// Weights smaller than this (in absolute value) are dropped after training: they change
    /// nothing measurable and would make up most of the file.
    pub prune: f32,
    /// Seed of the shuffle.
    pub seed: u64,
    /// Weight of the rare positive examples of the risk heads (a signal present, a level above
    /// none): risk is the case where a miss costs most, and positives are a few percent.
    pub positive_weight: f32,
    /// Probability above which the signals head adds a risk signal to the rules' ones.
    pub signal_threshold: f32,
    /// The risk head raises the level the signals give to `k` when it puts at least this
    /// probability on levels `≥ k`.
    pub level_threshold: f32,
    /// Weight of the nature cue scores of `cues.rs` added to the nature head's scores (0: not
    /// used); the model is trained with them, so it learns what the cues miss.
    pub nature_prior_weight: f32,
    /// Prefix of the model version, e.g. the training date `2025-06-01`.
    pub date: String,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 20,
            feature_floor: 60,
            learning_rate: 1.0,
            l2: 1e-5,
            min_count: 2,
            prune: 0.1,
            seed: 20_240_601,
            positive_weight: 3.0,
            signal_threshold: 0.5,
            level_threshold: 0.3,
            nature_prior_weight: 1.0,
            date: "unversioned".to_owned(),
        }
    }
}

/// Why a model text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// Not a model file (the first line is not `onewindow-triage-model N`).
    NotAModel,
    /// A model of a format this build cannot read.
    UnsupportedFormat(u32),
    /// The labels of a head are not the ones this build classifies into (another taxonomy).
    Labels { head: String },
    /// The text was changed or cut after it was written.
    Checksum,
    /// A malformed line (1-based).
    Line { line: usize, message: String },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::NotAModel => write!(f, "not a triage model (expected `{MAGIC} {FORMAT}`)"),
            ModelError::UnsupportedFormat(n) => {
                write!(
                    f,
                    "model format {n} is not supported (this build reads {FORMAT})"
                )
            }
            ModelError::Labels { head } => write!(
                f,
                "the {head} labels of the model differ from this build's; retrain the model"
            ),
            ModelError::Checksum => write!(f, "model checksum mismatch: the file is damaged"),
            ModelError::Line { line, message } => write!(f, "model line {line}: {message}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// The 64-bit feature hashes are already uniformly spread: use them as they are.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type FeatureIndex = HashMap<u64, u32, BuildHasherDefault<IdHasher>>;

/// Probabilities of every head for one text.
#[derive(Debug, Clone)]
pub(crate) struct Prediction {
    pub(crate) category: Vec<f32>,
    pub(crate) nature: Vec<f32>,
    pub(crate) urgency: Vec<f32>,
    pub(crate) risk: Vec<f32>,
    pub(crate) signals: Vec<f32>,
    /// Indices of the model features the text has.
    features: Vec<u32>,
}

/// A trained triage model (see the module documentation). Immutable once built; share it.
#[derive(Clone)]
pub struct Model {
    version: String,
    signal_threshold: f32,
    level_threshold: f32,
    nature_prior_weight: f32,
    feature_floor: usize,
    /// Feature strings, sorted; row `i` of `weights` belongs to `features[i]`.
    features: Vec<Box<str>>,
    index: FeatureIndex,
    /// `features.len() × STRIDE`, already de-quantised.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("version", &self.version)
            .field("features", &self.features.len())
            .field("signal_threshold", &self.signal_threshold)
            .field("level_threshold", &self.level_threshold)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// The model's version: the date given at training plus a hash of its weights and of the
    /// risk weights (`data/risk.txt`) it was trained beside. A suggestion records this version,
    /// and its risk level comes from those risk weights: a new risk combination must show as a
    /// new version even when the category weights did not change (see [`Model::restamped`]).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The same model with its version naming `risk_weights` (the text of a risk model) instead
    /// of the ones it was stamped with; the date prefix is kept. `examples/train_risk.rs
    /// --restamp` does this to the shipped model when the risk weights are retrained.
    pub fn restamped(mut self, risk_weights: &str) -> Model {
        let date = self
            .version
            .split_once('+')
            .map_or(self.version.as_str(), |(d, _)| d)
            .to_owned();
        self.stamp(&date, risk_weights);
        self
    }

    /// Sets the version: `date+hash`, the hash over the model's text without the version and
    /// over the risk weights.
    fn stamp(&mut self, date: &str, risk_weights: &str) {
        self.version = String::new();
        let text = self.to_text();
        let hash = FeatureHash::new().str(&text).str(risk_weights).finish();
        self.version = format!("{date}+{:08x}", hash >> 32);
    }

    /// A model that knows nothing: uniform scores, no signals of its own.
    pub(crate) fn empty() -> Model {
        Model {
            version: "empty".to_owned(),
            signal_threshold: 1.0,
            level_threshold: 1.0,
            nature_prior_weight: 0.0,
            feature_floor: 1,
            features: Vec::new(),
            index: FeatureIndex::default(),
            weights: Vec::new(),
            bias: vec![0.0; STRIDE],
        }
    }

    /// Number of features with a weight.
    pub fn feature_count(&self) -> usize {
        self.features.len()
    }

    pub(crate) fn signal_threshold(&self) -> f32 {
        self.signal_threshold
    }

    pub(crate) fn level_threshold(&self) -> f32 {
        self.level_threshold
    }

    /// Scores a text given as the (unsorted, repeated) hashes of its features.
    /// `nature_cues` are the nature cue scores of the text ([`crate::cues::nature_scores`]).
    pub(crate) fn predict(&self, mut hashes: Vec<u64>, nature_cues: &[f32; 7]) -> Prediction {
        hashes.sort_unstable();
        hashes.dedup();
        let value = feature_value(hashes.len(), self.feature_floor);
        let mut features: Vec<u32> = hashes
            .iter()
            .filter_map(|h| self.index.get(h).copied())
            .collect();
        features.sort_unstable();
        let mut z = self.bias.clone();
        add_nature_cues(&mut z, nature_cues, self.nature_prior_weight);
        for &f in &features {
            let row = row(&self.weights, f);
            for (s, w) in z.iter_mut().zip(row) {
                *s += value * w;
            }
        }
        let head = |h: Head| z[h.offset()..h.offset() + h.len()].to_vec();
        let mut signals = head(Head::Signals);
        for s in &mut signals {
            *s = sigmoid(*s);
        }
        Prediction {
            category: softmax(head(Head::Category)),
            nature: softmax(head(Head::Nature)),
            urgency: softmax(head(Head::Urgency)),
            risk: softmax(head(Head::Risk)),
            signals,
            features,
        }
    }

    /// The words that set category `class` apart the most, strongest first: by how much more
    /// they weigh for it than for any other category (so 我们 or 每天, which weigh on many, do
    /// not explain anything), leaving out one contained in a word already listed (占道经营
    /// makes 占道 redundant).
    /// A character n-gram is only shown when `is_word` accepts it (摊卖 is a fragment, 摆摊 a
    /// word).
    pub(crate) fn explain(
        &self,
        prediction: &Prediction,
        class: usize,
        limit: usize,
        is_word: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let categories = Head::Category.offset()..Head::Category.offset() + Head::Category.len();
        let column = Head::Category.offset() + class;
        let mut contributions: Vec<(String, f32)> = prediction
            .features
            .iter()
            .filter_map(|&f| {
                let row = row(&self.weights, f);
                let own = row.get(column).copied()?;
                let other = row
                    .get(categories.clone())?
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != class)
                    .map(|(_, w)| *w)
                    .fold(0.0f32, f32::max);
                let margin = own - other;
                let name = self.features.get(f as usize)?;
                let shown = features::display(name)?;
                let readable = !name.starts_with("c:") || is_word(&shown);
                (own > 0.0 && margin > 0.0 && readable).then_some((shown, margin))
            })
            .collect();
        contributions.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.0.len().cmp(&a.0.len()))
                .then(a.0.cmp(&b.0))
        });
        let mut out: Vec<String> = Vec::with_capacity(limit);
        for (word, _) in contributions {
            if out.len() == limit {
                break;
            }
            if out
                .iter()
                .any(|kept| kept.contains(word.as_str()) || word.contains(kept.as_str()))
            {
                continue;
            }
            out.push(word);
        }
        out
    }

    /// Trains a model on labelled examples (see [`TrainOptions`]). Deterministic: the same
    /// examples and options give the same model, byte for byte.
    pub fn train(examples: &[Example], opts: &TrainOptions) -> Model {
        let jieba = crate::new_jieba();
        Trainer::new(&jieba, examples, opts).run()
    }

    /// The model as text (see the module documentation for the format).
    pub fn to_text(&self) -> String {
        let mut body = String::with_capacity(self.features.len() * 40);
        for head in Head::ALL {
            body.push_str(&format!(
                "head {} {} {}\n",
                head.name(),
                head.kind(),
                head.labels().join(" ")
            ));
        }
        body.push_str(&format!(
            "param signal_threshold {}\nparam level_threshold {}\nparam nature_prior_weight {}\nparam feature_floor {}\n",
            quantise(self.signal_threshold),
            quantise(self.level_threshold),
            quantise(self.nature_prior_weight),
            quantise(self.feature_floor as f32)
        ));
        for head in Head::ALL {
            let values: Vec<String> = self.bias[head.offset()..head.offset() + head.len()]
                .iter()
                .map(|b| quantise(*b).to_string())
                .collect();
            body.push_str(&format!("bias {} {}\n", head.name(), values.join(" ")));
        }
        body.push_str(&format!("features {}\n", self.features.len()));
        for (i, name) in self.features.iter().enumerate() {
            body.push_str(name);
            let row = row(&self.weights, i as u32);
            for head in Head::ALL {
                body.push('\t');
                let mut first = true;
                for k in 0..head.len() {
                    let q = quantise(row[head.offset() + k]);
                    if q != 0 {
                        if !first {
                            body.push(' ');
                        }
                        first = false;
                        body.push_str(&format!("{k}:{q}"));
                    }
                }
            }
            body.push('\n');
        }
        let mut text = format!("{MAGIC} {FORMAT}\nversion {}\n", self.version);
        text.push_str(&body);
        let sum = FeatureHash::new().str(&text).finish();
        text.push_str(&format!("checksum {sum:016x}\n"));
        text
    }

    /// Reads a model written by [`Model::to_text`].
    pub fn from_text(text: &str) -> Result<Model, ModelError> {
        // a checkout that turned the line ends into CRLF is still the same model
        let unix;
        let text = if text.contains('\r') {
            unix = text.replace("\r\n", "\n");
            unix.as_str()
        } else {
            text
        };
        let Some(last_start) = text.trim_end_matches('\n').rfind('\n').map(|i| i + 1) else {
            return Err(ModelError::NotAModel);
        };
        let (content, last) = text.split_at(last_start);
        let mut lines = content.lines().enumerate().map(|(i, l)| (i + 1, l));
        let err = |line: usize, message: &str| ModelError::Line {
            line,
            message: message.to_owned(),
        };

        let (_, first) = lines.next().ok_or(ModelError::NotAModel)?;
        let format = first
            .strip_prefix(MAGIC)
            .and_then(|rest| rest.trim().parse::<u32>().ok())
            .ok_or(ModelError::NotAModel)?;
        if format != FORMAT {
            return Err(ModelError::UnsupportedFormat(format));
        }
        let expected = last
            .trim()
            .strip_prefix("checksum ")
            .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
            .ok_or(ModelError::Checksum)?;
        if FeatureHash::new().str(content).finish() != expected {
            return Err(ModelError::Checksum);
        }

        let (n, line) = lines.next().ok_or_else(|| err(2, "missing version"))?;
        let version = line
            .strip_prefix("version ")
            .ok_or_else(|| err(n, "expected `version …`"))?
            .trim()
            .to_owned();

        for head in Head::ALL {
            let (n, line) = lines.next().ok_or_else(|| err(0, "missing head line"))?;
            let mut parts = line.split(' ');
            if parts.next() != Some("head") || parts.next() != Some(head.name()) {
                return Err(err(n, &format!("expected `head {}`", head.name())));
            }
            if parts.next() != Some(head.kind()) {
                return Err(err(n, "wrong head kind"));
            }
            let labels: Vec<&str> = parts.collect();
            if labels != head.labels() {
                return Err(ModelError::Labels {
                    head: head.name().to_owned(),
                });
            }
        }

        let mut param = |name: &str| -> Result<f32, ModelError> {
            let (n, line) = lines.next().ok_or_else(|| err(0, "missing param line"))?;
            line.strip_prefix("param ")
                .and_then(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse::<i32>().ok())
                .map(dequantise)
                .ok_or_else(|| err(n, &format!("expected `param {name} N`")))
        };
        let signal_threshold = param("signal_threshold")?;
        let level_threshold = param("level_threshold")?;
        let nature_prior_weight = param("nature_prior_weight")?;
        let feature_floor = param("feature_floor")?.round().max(1.0) as usize;

        let mut bias = vec![0.0; STRIDE];
        for head in Head::ALL {
            let (n, line) = lines.next().ok_or_else(|| err(0, "missing bias line"))?;
            let values = line
                .strip_prefix("bias ")
                .and_then(|l| l.strip_prefix(head.name()))
                .ok_or_else(|| err(n, &format!("expected `bias {}`", head.name())))?;
            let values: Vec<i32> = values
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| err(n, "bad bias value"))?;
            if values.len() != head.len() {
                return Err(err(n, "wrong number of bias values"));
            }
            for (k, q) in values.into_iter().enumerate() {
                bias[head.offset() + k] = dequantise(q);
            }
        }

        let (n, line) = lines
            .next()
            .ok_or_else(|| err(0, "missing features line"))?;
        let count: usize = line
            .strip_prefix("features ")
            .and_then(|c| c.trim().parse().ok())
            .ok_or_else(|| err(n, "expected `features N`"))?;
        // every feature takes a line of at least two bytes: a larger count is a lie, and must
        // not make us allocate for it
        if count > content.len() / 2 {
            return Err(err(n, "more features announced than the text can hold"));
        }
        let mut features: Vec<Box<str>> = Vec::with_capacity(count);
        let mut weights = vec![0.0f32; count.saturating_mul(STRIDE)];
        let mut index = FeatureIndex::with_capacity_and_hasher(count, Default::default());
        for (n, line) in lines {
            let i = features.len();
            if i == count {
                return Err(err(n, "more features than announced"));
            }
            let mut cols = line.split('\t');
            let name = cols
                .next()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err(n, "empty feature"))?;
            if index.insert(hash_of(name), i as u32).is_some() {
                return Err(err(n, "duplicate feature (or hash collision)"));
            }
            for head in Head::ALL {
                let col = cols.next().ok_or_else(|| err(n, "missing weight column"))?;
                for entry in col.split_whitespace() {
                    let (k, q) = entry
                        .split_once(':')
                        .and_then(|(k, q)| Some((k.parse::<usize>().ok()?, q.parse::<i32>().ok()?)))
                        .filter(|(k, _)| *k < head.len())
                        .ok_or_else(|| err(n, "bad weight"))?;
                    weights[i * STRIDE + head.offset() + k] = dequantise(q);
                }
            }
            if cols.next().is_some() {
                return Err(err(n, "too many columns"));
            }
            features.push(name.into());
        }
        if features.len() != count {
            return Err(err(0, "fewer features than announced"));
        }
        Ok(Model {
            version,
            signal_threshold,
            level_threshold,
            nature_prior_weight,
            feature_floor,
            features,
            index,
            weights,
            bias,
        })
    }
}

/// Adds `weight ×` the nature cue scores to the nature head's scores.
fn add_nature_cues(z: &mut [f32], cues: &[f32; 7], weight: f32) {
    if weight != 0.0 {
        let o = Head::Nature.offset();
        for (s, c) in z[o..o + Head::Nature.len()].iter_mut().zip(cues) {
            *s += weight * c;
        }
    }
}

fn row(weights: &[f32], feature: u32) -> &[f32] {
    let start = feature as usize * STRIDE;
    weights.get(start..start + STRIDE).unwrap_or(&[])
}

/// Value of each present feature of a text with `n` distinct features: `1/√n`, so a long text
/// does not outvote a short one, but never more than `1/√floor`, so a text of two words (你好,
/// ？？？) does not get the certainty of a full sentence from them.
fn feature_value(n: usize, floor: usize) -> f32 {
    if n == 0 {
        0.0
    } else {
        1.0 / (n.max(floor) as f32).sqrt()
    }
}

fn quantise(w: f32) -> i32 {
    (w * QUANT).round() as i32
}

fn dequantise(q: i32) -> f32 {
    q as f32 / QUANT
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Softmax of scores.
pub(crate) fn softmax(mut z: Vec<f32>) -> Vec<f32> {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in &mut z {
        *s = (*s - max).exp();
        sum += *s;
    }
    if sum > 0.0 {
        for s in &mut z {
            *s /= sum;
        }
    }
    z
}

/// The features of a text (normalised and cut, as `Triage::classify` sees it) as strings.
pub(crate) fn feature_strings(jieba: &Jieba, prepared: &str) -> Vec<String> {
    let mut sink = Strings(Vec::new());
    features::extract(jieba, &features::fold_digits(prepared), &mut sink);
    let mut out = sink.0;
    out.sort_unstable();
    out.dedup();
    out
}

/// The feature hashes of a text (normalised and cut), unsorted, with repeats.
pub(crate) fn feature_hashes(jieba: &Jieba, prepared: &str) -> Vec<u64> {
    let mut sink = Hashes(Vec::with_capacity(prepared.len()));
    features::extract(jieba, &features::fold_digits(prepared), &mut sink);
    sink.0
}

/// Targets of one training example; `None` where the example says nothing.
struct Target {
    category: usize,
    nature: Option<usize>,
    urgency: Option<usize>,
    risk: Option<usize>,
    /// Present when the risk reading is labelled (then no signal means none).
    signals: Option<[bool; SIGNALS.len()]>,
}

struct Row {
    nature_cues: [f32; 7],
    features: Vec<u32>,
    value: f32,
    target: Target,
}

struct Trainer<'a> {
    opts: &'a TrainOptions,
    vocabulary: Vec<String>,
    rows: Vec<Row>,
}

impl<'a> Trainer<'a> {
    fn new(jieba: &Jieba, examples: &[Example], opts: &'a TrainOptions) -> Self {
        let texts: Vec<Vec<String>> = examples
            .iter()
            .map(|e| feature_strings(jieba, &crate::prepare(&e.text)))
            .collect();
        let mut frequency: HashMap<&str, usize> = HashMap::new();
        for t in &texts {
            for f in t {
                *frequency.entry(f.as_str()).or_default() += 1;
            }
        }
        let mut vocabulary: Vec<String> = frequency
            .into_iter()
            .filter(|(_, n)| *n >= opts.min_count.max(1))
            .map(|(f, _)| f.to_owned())
            .collect();
        vocabulary.sort_unstable();
        // a 64-bit collision inside the vocabulary would make two features one: keep the first
        let mut seen = std::collections::HashSet::new();
        vocabulary.retain(|f| seen.insert(hash_of(f)));
        let position: HashMap<&str, u32> = vocabulary
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), i as u32))
            .collect();

        let rows = examples
            .iter()
            .zip(&texts)
            .filter_map(|(e, t)| {
                let category = index_of(&e.category)?;
                let mut features: Vec<u32> = t
                    .iter()
                    .filter_map(|f| position.get(f.as_str()).copied())
                    .collect();
                features.sort_unstable();
                let signals = e.risk.as_ref().map(|_| {
                    let mut s = [false; SIGNALS.len()];
                    for (k, name) in SIGNALS.iter().enumerate() {
                        s[k] = e.signals.iter().any(|x| x == name);
                    }
                    s
                });
                Some(Row {
                    nature_cues: crate::cues::nature_scores(&crate::prepare(&e.text)),
                    features,
                    value: feature_value(t.len(), opts.feature_floor),
                    target: Target {
                        category,
                        nature: NATURES.iter().position(|n| *n == e.nature),
                        urgency: e
                            .urgency
                            .as_ref()
                            .and_then(|u| URGENCIES.iter().position(|x| x == u)),
                        risk: e
                            .risk
                            .as_ref()
                            .and_then(|r| LEVELS.iter().position(|x| x == r)),
                        signals,
                    },
                })
            })
            .collect();
        Trainer {
            opts,
            vocabulary,
            rows,
        }
    }

    fn run(self) -> Model {
        let opts = self.opts;
        let n = self.vocabulary.len();
        let mut weights = vec![0.0f32; n * STRIDE];
        let mut squares = vec![ADAGRAD_INIT; n * STRIDE];
        let mut bias = vec![0.0f32; STRIDE];
        let mut bias_squares = vec![ADAGRAD_INIT; STRIDE];
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let mut rng = XorShift(opts.seed | 1);
        let mut gradient = vec![0.0f32; STRIDE];
        let mut active = [false; STRIDE];
        const EPS: f32 = 1e-6;

        for _ in 0..opts.epochs {
            rng.shuffle(&mut order);
            for &r in &order {
                let row = &self.rows[r];
                let mut z = bias.clone();
                add_nature_cues(&mut z, &row.nature_cues, opts.nature_prior_weight);
                for &f in &row.features {
                    let w = &weights[f as usize * STRIDE..(f as usize + 1) * STRIDE];
                    for (s, w) in z.iter_mut().zip(w) {
                        *s += row.value * w;
                    }
                }
                gradient.fill(0.0);
                active.fill(false);
                let t = &row.target;
                softmax_gradient(
                    &z,
                    Head::Category,
                    Some(t.category),
                    &mut gradient,
                    &mut active,
                );
                softmax_gradient(&z, Head::Nature, t.nature, &mut gradient, &mut active);
                softmax_gradient(&z, Head::Urgency, t.urgency, &mut gradient, &mut active);
                softmax_gradient(&z, Head::Risk, t.risk, &mut gradient, &mut active);
                if t.risk.is_some_and(|r| r > 0) {
                    let o = Head::Risk.offset();
                    for g in &mut gradient[o..o + Head::Risk.len()] {
                        *g *= opts.positive_weight;
                    }
                }
                if let Some(signals) = t.signals {
                    let o = Head::Signals.offset();
                    for (k, on) in signals.iter().enumerate() {
                        gradient[o + k] = if *on {
                            opts.positive_weight * (sigmoid(z[o + k]) - 1.0)
                        } else {
                            sigmoid(z[o + k])
                        };
                        active[o + k] = true;
                    }
                }
                for k in 0..STRIDE {
                    if !active[k] {
                        continue;
                    }
                    let g = gradient[k];
                    bias_squares[k] += g * g;
                    bias[k] -= opts.learning_rate * g / (bias_squares[k].sqrt() + EPS);
                }
                for &f in &row.features {
                    let base = f as usize * STRIDE;
                    for k in 0..STRIDE {
                        if !active[k] {
                            continue;
                        }
                        let w = &mut weights[base + k];
                        let g = gradient[k] * row.value + opts.l2 * *w;
                        let s = &mut squares[base + k];
                        *s += g * g;
                        *w -= opts.learning_rate * g / (s.sqrt() + EPS);
                    }
                }
            }
        }
        self.finish(weights, bias)
    }

    /// Quantises, prunes, drops empty features and stamps the version.
    fn finish(self, weights: Vec<f32>, bias: Vec<f32>) -> Model {
        let opts = self.opts;
        let prune = quantise(opts.prune.abs()).max(1);
        let mut features: Vec<Box<str>> = Vec::new();
        let mut kept: Vec<f32> = Vec::new();
        for (i, name) in self.vocabulary.into_iter().enumerate() {
            let row: Vec<f32> = weights[i * STRIDE..(i + 1) * STRIDE]
                .iter()
                .map(|w| {
                    let q = quantise(*w);
                    if q.abs() < prune { 0.0 } else { dequantise(q) }
                })
                .collect();
            if row.iter().any(|w| *w != 0.0) {
                features.push(name.into_boxed_str());
                kept.extend(row);
            }
        }
        let bias = bias.into_iter().map(|b| dequantise(quantise(b))).collect();
        let index = features
            .iter()
            .enumerate()
            .map(|(i, f)| (hash_of(f), i as u32))
            .collect();
        let mut model = Model {
            version: String::new(),
            signal_threshold: dequantise(quantise(opts.signal_threshold)),
            level_threshold: dequantise(quantise(opts.level_threshold)),
            nature_prior_weight: dequantise(quantise(opts.nature_prior_weight)),
            feature_floor: opts.feature_floor.max(1),
            features,
            index,
            weights: kept,
            bias,
        };
        let date = opts.date.split_whitespace().collect::<Vec<_>>().join("-");
        model.stamp(&date, crate::RISK_MODEL);
        model
    }
}

/// Adds the softmax cross-entropy gradient of one head.
fn softmax_gradient(
    z: &[f32],
    head: Head,
    target: Option<usize>,
    gradient: &mut [f32],
    active: &mut [bool],
) {
    let Some(target) = target else { return };
    let o = head.offset();
    let p = softmax(z[o..o + head.len()].to_vec());
    for (k, p) in p.into_iter().enumerate() {
        gradient[o + k] = p - if k == target { 1.0 } else { 0.0 };
        active[o + k] = true;
    }
}

/// Initial AdaGrad accumulator. Without one, a weight's first step is the full learning rate
/// whatever its gradient, so every label of every feature gets a sizeable weight (a larger,
/// noisier model); with it, small gradients make small steps.
const ADAGRAD_INIT: f32 = 0.1;

/// Deterministic shuffle (xorshift64*): no dependency, same order on every platform.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn example(text: &str, category: &str, nature: &str) -> Example {
        Example {
            text: text.to_owned(),
            category: category.to_owned(),
            department: None,
            nature: nature.to_owned(),
            urgency: Some("normal".to_owned()),
            risk: Some("none".to_owned()),
            signals: Vec::new(),
        }
    }

    fn tiny() -> Vec<Example> {
        let mut out = Vec::new();
        for i in 0..6 {
            out.push(example(
                &format!("门口有人摆摊占道经营{i}号"),
                "城市管理/占道经营",
                "complaint",
            ));
            out.push(example(
                &format!("老板拖欠工资{i}个月了怎么办?"),
                "劳动社保/拖欠工资",
                "consult",
            ));
        }
        out
    }

    #[test]
    fn heads_fill_the_row() {
        assert_eq!(Head::Signals.offset() + Head::Signals.len(), STRIDE);
        assert_eq!(Head::Nature.offset(), TAXONOMY.len());
    }

    #[test]
    fn trains_and_round_trips() {
        let opts = TrainOptions {
            min_count: 1,
            date: "2025-01-01".to_owned(),
            ..TrainOptions::default()
        };
        let model = Model::train(&tiny(), &opts);
        assert!(
            model.version().starts_with("2025-01-01+"),
            "{}",
            model.version()
        );
        let text = model.to_text();
        let back = Model::from_text(&text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.version(), model.version());
        // deterministic
        assert_eq!(Model::train(&tiny(), &opts).to_text(), text);

        let jieba = crate::new_jieba();
        let p = back.predict(feature_hashes(&jieba, "门口摆摊占道"), &[0.0; 7]);
        let best = (0..p.category.len())
            .max_by(|a, b| p.category[*a].total_cmp(&p.category[*b]))
            .unwrap();
        assert_eq!(TAXONOMY[best].0, "城市管理/占道经营");
        assert!(!back.explain(&p, best, 3, |_| true).is_empty());
    }

    #[test]
    fn damaged_texts_are_rejected() {
        let text = Model::train(
            &tiny(),
            &TrainOptions {
                min_count: 1,
                ..TrainOptions::default()
            },
        )
        .to_text();
        assert_eq!(Model::from_text("").err(), Some(ModelError::NotAModel));
        assert_eq!(
            Model::from_text("hello\nworld\n").err(),
            Some(ModelError::NotAModel)
        );
        assert_eq!(
            Model::from_text(&text.replacen("model 1", "model 9", 1)).err(),
            Some(ModelError::UnsupportedFormat(9))
        );
        let changed = text.replacen("c:摆", "c:摊", 1);
        assert_eq!(Model::from_text(&changed).err(), Some(ModelError::Checksum));
        let cut = &text[..text.len() / 2];
        assert!(Model::from_text(cut).is_err());
        // a well-formed file with a bad line: re-stamp the checksum so parsing gets that far
        let body = text
            .rsplit_once("checksum")
            .unwrap()
            .0
            .replacen("bias nature", "bias natur", 1);
        let restamped = format!(
            "{body}checksum {:016x}\n",
            FeatureHash::new().str(&body).finish()
        );
        assert!(matches!(
            Model::from_text(&restamped),
            Err(ModelError::Line { .. })
        ));
    }
}
