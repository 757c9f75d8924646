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
pub fn query_tokens(triage: &Triage, q: &str) -> Option<Vec<String>> {
    let normal = triage::normalise(q);
    let toks = triage.tokens(&normal);
    let mut out = Vec::new();
    let mut singles = String::new();
    let flush = |singles: &mut String, out: &mut Vec<String>| {
        if singles.chars().count() >= 2 {
            cjk_bigrams(singles, out);
        } else if !singles.is_empty() {
            out.push(singles.clone());
        }
        singles.clear();
    };
    for t in toks {
        let mut cs = t.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) if is_cjk(c) => singles.push(c),
            _ => {
                flush(&mut singles, &mut out);
                out.push(t);
            }
        }
    }
    flush(&mut singles, &mut out);
    out.sort();
    out.dedup();
    let single_char = out.len() == 1 && out[0].chars().count() == 1 && out[0].chars().all(is_cjk);
    if out.is_empty() || single_char {
        None
    } else {
        Some(out)
    }
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
