//! The category model: a sparse linear model over text features.
//!
//! `score(c) = bias(c) + Σ weight(f, c)` over the distinct features `f` of a text. Today the
//! weights are hand-set (`data/weights.txt`); a trained linear model (logistic regression over
//! the same features) is the planned replacement and needs no change outside this module —
//! [`Features`] is what it consumes and [`LinearModel::score`] what it produces.

use std::collections::HashMap;

use crate::taxonomy::{TAXONOMY, index_of};

/// Number of categories the model scores.
pub(crate) const CLASSES: usize = TAXONOMY.len();

/// The distinct features of one text, borrowed from its normalised form and its tokens.
pub(crate) struct Features<'a> {
    items: Vec<&'a str>,
}

impl<'a> Features<'a> {
    /// Tokens (as produced by the search segmenter) plus the 2-, 3- and 4-grams of every run of
    /// Han characters in `normalised`. N-grams make a cue independent of how jieba happened to
    /// split a sentence; tokens carry longer words, Latin words and numbers.
    pub(crate) fn extract(normalised: &'a str, tokens: &[&'a str]) -> Self {
        let mut items: Vec<&'a str> = Vec::with_capacity(tokens.len() + normalised.len());
        items.extend_from_slice(tokens);
        let mut run: Vec<usize> = Vec::with_capacity(64);
        let flush = |run: &mut Vec<usize>, end: usize, items: &mut Vec<&'a str>| {
            // run holds the byte offsets of consecutive Han characters; `end` is the byte after
            // the last one
            for n in 2..=4 {
                for start in 0..run.len().saturating_sub(n - 1) {
                    let stop = run.get(start + n).copied().unwrap_or(end);
                    if let Some(gram) = normalised.get(run[start]..stop) {
                        items.push(gram);
                    }
                }
            }
            run.clear();
        };
        let mut last_end = 0;
        for (offset, c) in normalised.char_indices() {
            if is_han(c) {
                run.push(offset);
                last_end = offset + c.len_utf8();
            } else if !run.is_empty() {
                flush(&mut run, last_end, &mut items);
            }
        }
        if !run.is_empty() {
            flush(&mut run, last_end, &mut items);
        }
        items.sort_unstable();
        items.dedup();
        Features { items }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.items.iter().copied()
    }
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// A sparse linear model: per feature, the categories it weighs on.
#[derive(Debug, Clone)]
pub(crate) struct LinearModel {
    bias: [f32; CLASSES],
    weights: HashMap<Box<str>, Vec<(u8, f32)>>,
}

/// Scores of every category, in [`TAXONOMY`] order.
pub(crate) type Scores = [f32; CLASSES];

impl LinearModel {
    /// Parses the weights format (see `data/weights.txt`). Malformed lines are skipped and
    /// reported, so embedded data can never make construction fail; a test keeps the shipped
    /// file free of them.
    pub(crate) fn parse(text: &str) -> (Self, Vec<String>) {
        let mut model = LinearModel {
            bias: [0.0; CLASSES],
            weights: HashMap::new(),
        };
        let mut errors = Vec::new();
        let mut current: Option<usize> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let lineno = n + 1;
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = index_of(name.trim());
                if current.is_none() {
                    errors.push(format!("line {lineno}: unknown category {name}"));
                }
                continue;
            }
            let Some(class) = current else {
                errors.push(format!("line {lineno}: weights outside a category"));
                continue;
            };
            let Some((head, cues)) = line.split_once(':') else {
                errors.push(format!("line {lineno}: expected `weight: cues`"));
                continue;
            };
            let head = head.trim();
            if head == "bias" {
                match cues.trim().parse::<f32>() {
                    Ok(b) => model.bias[class] = b,
                    Err(_) => errors.push(format!("line {lineno}: bad bias")),
                }
                continue;
            }
            let Ok(weight) = head.parse::<f32>() else {
                errors.push(format!("line {lineno}: bad weight {head}"));
                continue;
            };
            for cue in cues.split_whitespace() {
                let entry = model.weights.entry(cue.into()).or_default();
                if entry.iter().any(|(c, _)| usize::from(*c) == class) {
                    errors.push(format!(
                        "line {lineno}: {cue} twice in {}",
                        TAXONOMY[class].0
                    ));
                    continue;
                }
                // CLASSES is 44, so a class index always fits in u8
                entry.push((u8::try_from(class).unwrap_or(u8::MAX), weight));
            }
        }
        (model, errors)
    }

    pub(crate) fn score(&self, features: &Features<'_>) -> Scores {
        let mut scores = self.bias;
        for f in features.iter() {
            if let Some(ws) = self.weights.get(f) {
                for &(class, w) in ws {
                    if let Some(s) = scores.get_mut(usize::from(class)) {
                        *s += w;
                    }
                }
            }
        }
        scores
    }

    /// The features that pushed `class` up the most, strongest first, leaving out a feature
    /// contained in one already listed (占道经营 makes 占道 redundant).
    pub(crate) fn explain(
        &self,
        features: &Features<'_>,
        class: usize,
        limit: usize,
    ) -> Vec<String> {
        let mut contributions: Vec<(&str, f32)> = features
            .iter()
            .filter_map(|f| {
                let w = self
                    .weights
                    .get(f)?
                    .iter()
                    .find(|(c, _)| usize::from(*c) == class)?
                    .1;
                (w > 0.0).then_some((f, w))
            })
            .collect();
        contributions.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.0.len().cmp(&a.0.len()))
                .then(a.0.cmp(b.0))
        });
        let mut out: Vec<String> = Vec::with_capacity(limit);
        for (f, _) in contributions {
            if out.len() == limit {
                break;
            }
            if out
                .iter()
                .any(|kept| kept.contains(f) || f.contains(kept.as_str()))
            {
                continue;
            }
            out.push(f.to_owned());
        }
        out
    }

    /// Every cue of the model, for tests that check the cues are reachable.
    #[cfg(test)]
    pub(crate) fn cues(&self) -> impl Iterator<Item = &str> {
        self.weights.keys().map(|k| &**k)
    }
}

/// Softmax of the scores: the probability-like confidence of each category.
pub(crate) fn softmax(scores: &Scores) -> Scores {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut out = [0.0; CLASSES];
    let mut sum = 0.0;
    for (o, s) in out.iter_mut().zip(scores) {
        *o = (s - max).exp();
        sum += *o;
    }
    if sum > 0.0 {
        for o in &mut out {
            *o /= sum;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_of_han_runs() {
        let f = Features::extract("门口摆摊,ok占道", &["门口", "ok"]);
        let items: Vec<&str> = f.iter().collect();
        for want in [
            "门口",
            "口摆",
            "摆摊",
            "门口摆",
            "口摆摊",
            "门口摆摊",
            "占道",
            "ok",
        ] {
            assert!(items.contains(&want), "{want} missing from {items:?}");
        }
        // n-grams never cross a non-Han character
        assert!(!items.iter().any(|i| i.contains(',') || i.contains("摊o")));
    }

    #[test]
    fn parse_reports_errors() {
        let (m, errors) = LinearModel::parse(
            "[城市管理/占道经营]\n3: 摆摊 占道\nbias: 0.5\n[不存在/分类]\n2: x\nzz\n[城市管理/占道经营]\n1: 摆摊\n",
        );
        assert_eq!(errors.len(), 4, "{errors:?}");
        let f = Features::extract("摆摊", &[]);
        let s = m.score(&f);
        assert!((s[0] - 3.5).abs() < 1e-6);
    }

    #[test]
    fn softmax_is_a_distribution() {
        let mut s = [0.0; CLASSES];
        s[3] = 4.0;
        let p = softmax(&s);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(p[3] > 0.5);
        let uniform = softmax(&[0.0; CLASSES]);
        assert!((uniform[0] - 1.0 / CLASSES as f32).abs() < 1e-6);
    }
}
