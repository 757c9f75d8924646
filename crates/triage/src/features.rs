//! Text features of the trained model, shared by training and classification so the two can
//! never drift apart.
//!
//! A text (already [`normalise`](crate::normalise)d and cut to the classification length) gives
//! four kinds of feature, each a short string with a kind prefix:
//!
//! - `w:占道经营` — a jieba word (standard mode, with the domain dictionary);
//! - `b:夜间 施工` — two consecutive words, which carry phrases a unigram misses (`工资 拖欠`,
//!   `夜间 施工`) and the negations of cue words;
//! - `c:噪` `c:躁音` `c:物叶费` — character 1-, 2- and 3-grams inside runs of letters, digits and
//!   Han characters: they survive segmentation mistakes, typos and homophones (躁音 for 噪音
//!   still shares 音 and the n-grams around it) and unknown place names;
//! - `p:?` — a question mark, which a consult request often has.
//!
//! Digits are folded to `0` first (3个月 and 5个月 are the same feature). Features are binary
//! (present or not) and scaled by `1/√n` over the `n` distinct features of the text, so a long
//! rambling call does not outvote a terse one.
//!
//! Classification never builds these strings: it hashes the same bytes incrementally
//! ([`FeatureHash`]) and looks the 64-bit hash up, so a call allocates only the token list.

use jieba_rs::Jieba;

/// FNV-1a, 64 bit: tiny, deterministic across platforms and runs, and good enough for a
/// vocabulary of a few hundred thousand strings (collisions are checked when a model is built
/// or loaded).
#[derive(Clone, Copy)]
pub(crate) struct FeatureHash(u64);

impl FeatureHash {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;

    pub(crate) fn new() -> Self {
        FeatureHash(Self::OFFSET)
    }

    pub(crate) fn bytes(mut self, bytes: &[u8]) -> Self {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
        self
    }

    pub(crate) fn str(self, s: &str) -> Self {
        self.bytes(s.as_bytes())
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// Hash of a feature string as stored in a model file (`w:占道`): the same value classification
/// computes piecewise.
pub(crate) fn hash_of(feature: &str) -> u64 {
    FeatureHash::new().str(feature).finish()
}

/// Receives the features of a text, in order, duplicates included.
pub(crate) trait Sink {
    /// A feature made of `kind` (with its `:`), then `a`, then optionally a space and `b`.
    fn feature(&mut self, kind: &str, a: &str, b: Option<&str>);
}

/// Collects feature hashes (classification).
pub(crate) struct Hashes(pub(crate) Vec<u64>);

impl Sink for Hashes {
    fn feature(&mut self, kind: &str, a: &str, b: Option<&str>) {
        let mut h = FeatureHash::new().str(kind).str(a);
        if let Some(b) = b {
            h = h.bytes(b" ").str(b);
        }
        self.0.push(h.finish());
    }
}

/// Collects feature strings (training, explanation).
pub(crate) struct Strings(pub(crate) Vec<String>);

impl Sink for Strings {
    fn feature(&mut self, kind: &str, a: &str, b: Option<&str>) {
        let mut s = String::with_capacity(kind.len() + a.len() + b.map_or(0, |b| b.len() + 1));
        s.push_str(kind);
        s.push_str(a);
        if let Some(b) = b {
            s.push(' ');
            s.push_str(b);
        }
        self.0.push(s);
    }
}

/// Characters that make up words: letters, digits, Han. Everything else (punctuation, spaces,
/// the `<` `>` of masks) ends a run.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Folds ASCII digits to `0`. Returns the text unchanged (no copy) when it has none.
pub(crate) fn fold_digits(normalised: &str) -> std::borrow::Cow<'_, str> {
    if normalised.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        std::borrow::Cow::Owned(
            normalised
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(normalised)
    }
}

/// Emits every feature of `folded` (normalised, digit-folded text) into `sink`.
pub(crate) fn extract(jieba: &Jieba, folded: &str, sink: &mut impl Sink) {
    // words and word pairs; a pair never spans punctuation
    let mut previous: Option<&str> = None;
    for token in jieba.cut(folded, true) {
        let word = token.word;
        if word.chars().any(is_word_char) {
            sink.feature("w:", word, None);
            if let Some(p) = previous {
                sink.feature("b:", p, Some(word));
            }
            previous = Some(word);
        } else if !word.chars().all(char::is_whitespace) {
            previous = None;
        }
    }
    // character n-grams inside runs of word characters
    let mut run: Vec<usize> = Vec::with_capacity(64);
    let mut run_end = 0;
    for (offset, c) in folded.char_indices() {
        if is_word_char(c) {
            run.push(offset);
            run_end = offset + c.len_utf8();
        } else {
            char_grams(folded, &run, run_end, sink);
            run.clear();
        }
    }
    char_grams(folded, &run, run_end, sink);
    if folded.contains('?') {
        sink.feature("p:", "?", None);
    }
}

/// The 1-, 2- and 3-grams of one run; `run` holds the byte offsets of its characters and `end`
/// is the byte after the last one.
fn char_grams(text: &str, run: &[usize], end: usize, sink: &mut impl Sink) {
    for n in 1..=3 {
        for start in 0..run.len().saturating_sub(n - 1) {
            let stop = run.get(start + n).copied().unwrap_or(end);
            if let Some(gram) = text.get(run[start]..stop) {
                sink.feature("c:", gram, None);
            }
        }
    }
}

/// The word or phrase a feature stands for, for explanations: `w:占道` → `占道`,
/// `b:夜间 施工` → `夜间施工`; `None` for features too small to explain anything (single
/// characters, punctuation).
pub(crate) fn display(feature: &str) -> Option<String> {
    let (kind, body) = feature.split_at_checked(2)?;
    let text: String = match kind {
        "w:" | "c:" => body.to_owned(),
        "b:" => body.split(' ').collect(),
        _ => return None,
    };
    (text.chars().count() >= 2).then_some(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        let jieba = Jieba::new();
        let mut s = Strings(Vec::new());
        extract(&jieba, &fold_digits(text), &mut s);
        s.0
    }

    #[test]
    fn kinds_of_features() {
        let f = strings("门口摆摊,ok占道?");
        for want in [
            "c:门",
            "c:门口",
            "c:口摆摊",
            "c:ok",
            "c:k占道",
            "p:?",
            "w:门口",
        ] {
            assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
        }
        assert!(f.iter().any(|x| x.starts_with("b:")), "{f:?}");
        // n-grams never cross punctuation
        assert!(!f.iter().any(|x| x.contains(',')), "{f:?}");
        assert!(!f.iter().any(|x| x == "c:摊o"), "{f:?}");
    }

    #[test]
    fn digits_fold() {
        assert_eq!(fold_digits("欠了3个月"), "欠了0个月");
        assert!(matches!(
            fold_digits("没有数字"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(strings("欠了3个月"), strings("欠了5个月"));
    }

    #[test]
    fn hashes_match_strings() {
        let jieba = Jieba::new();
        let text = fold_digits("楼下KTV噪音扰民, 夜间施工到凌晨2点?");
        let mut s = Strings(Vec::new());
        extract(&jieba, &text, &mut s);
        let mut h = Hashes(Vec::new());
        extract(&jieba, &text, &mut h);
        let from_strings: Vec<u64> = s.0.iter().map(|f| hash_of(f)).collect();
        assert_eq!(from_strings, h.0);
    }

    #[test]
    fn displays() {
        assert_eq!(display("w:占道").as_deref(), Some("占道"));
        assert_eq!(display("b:夜间 施工").as_deref(), Some("夜间施工"));
        assert_eq!(display("c:噪"), None);
        assert_eq!(display("p:?"), None);
        assert_eq!(display(""), None);
    }
}
