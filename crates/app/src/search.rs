//! Chinese full-text search tokens.
//!
//! Documents are indexed as their jieba search-mode tokens plus every CJK character bigram, and a
//! query is segmented with the same jieba dictionary. jieba splits words it does not know into
//! single characters (占道 → 占 + 道); such runs of single characters are searched as their bigrams,
//! which the index always has, so any query of two or more characters finds its text.

use triage::Triage;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

fn cjk_bigrams(text: &str, out: &mut Vec<String>) {
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut Vec<String>| {
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
        } else {
            flush(&mut run, out);
        }
    }
    flush(&mut run, out);
}

/// The tokens a document is indexed under, deduplicated, space-separated.
pub fn index_tokens(triage: &Triage, text: &str) -> String {
    let normal = triage::normalise(text);
    let mut toks = triage.tokens(&normal);
    cjk_bigrams(&normal, &mut toks);
    toks.retain(|t| !t.trim().is_empty());
    toks.sort();
    toks.dedup();
    toks.join(" ")
}

/// The tokens all of which a matching document must have; `None` when the query is a single
/// character the token index cannot answer (the caller falls back to a substring match).
///
/// Chinese runs of the query are matched by their character bigrams: jieba may segment a short
/// query differently from the same words inside a longer document, but the bigrams are always in
/// the index, so every query of two or more characters finds the texts that contain it. Words
/// that are not Chinese (numbers, Latin) come from the same jieba segmentation as the index.
pub fn query_tokens(triage: &Triage, q: &str) -> Option<Vec<String>> {
    let normal = triage::normalise(q);
    let mut out = Vec::new();
    cjk_bigrams(&normal, &mut out);
    out.extend(
        triage
            .tokens(&normal)
            .into_iter()
            .filter(|t| !t.chars().any(is_cjk) && !t.trim().is_empty()),
    );
    out.sort();
    out.dedup();
    if out.is_empty() { None } else { Some(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_for_unknown_word_uses_bigrams_present_in_index() {
        let t = Triage::new();
        let doc = index_tokens(&t, "小区门口有人占道经营，晚上还很吵");
        let doc: Vec<&str> = doc.split(' ').collect();
        for q in ["占道经营", "占道", "门口有人", "很吵"] {
            let qt = query_tokens(&t, q).unwrap_or_default();
            assert!(!qt.is_empty(), "{q}");
            for tok in &qt {
                assert!(
                    doc.contains(&tok.as_str()),
                    "{q}: {tok} not indexed in {doc:?}"
                );
            }
        }
        assert_eq!(query_tokens(&t, "吵"), None);
    }
}
