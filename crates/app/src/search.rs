//! Chinese full-text search tokens.
//!
//! A document is indexed under every pair of neighbouring Chinese characters (its CJK bigrams;
//! a Chinese character standing alone is indexed as itself) and every run of letters or digits,
//! lower-cased. A query is cut the same way, and a document matches when it has all of the
//! query's tokens. That is the classic CJK indexing of search engines (Lucene's CJK analyzer,
//! PostgreSQL's pg_bigm): it needs no dictionary, and every query of two or more characters finds
//! the texts that contain it, including words no dictionary knows (占道 → 占道; a word-segmented
//! index would have 占 + 道, or the longer 占道经营, and miss). jieba's words were indexed too
//! before migration 0008, but no query ever looked them up: they only made the index larger.
//!
//! `triage` is still the normaliser (full-width forms, case, invisible characters), so that a
//! query and a document written differently meet.

use triage::Triage;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The tokens of a text: CJK bigrams (a lone CJK character as itself) and runs of other letters
/// and digits, lower-cased, in order, with repeats.
fn cut(normal: &str, out: &mut Vec<String>) {
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in normal.chars() {
        if is_cjk(c) {
            flush_word(&mut word, out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, out);
            word.extend(c.to_lowercase());
        } else {
            flush_cjk(&mut cjk, out);
            flush_word(&mut word, out);
        }
    }
    flush_cjk(&mut cjk, out);
    flush_word(&mut word, out);
}

/// The tokens a document is indexed under, deduplicated, space-separated.
pub fn index_tokens(_triage: &Triage, text: &str) -> String {
    let mut toks = Vec::new();
    cut(&triage::normalise(text), &mut toks);
    toks.sort();
    toks.dedup();
    toks.join(" ")
}

/// The tokens a case is indexed under: its title, description, address and number.
pub fn case_tokens(triage: &Triage, case: &domain::Case) -> String {
    index_tokens(
        triage,
        &format!(
            "{} {} {} {}",
            case.title, case.description, case.location.address, case.number
        ),
    )
}

impl crate::App {
    /// The search tokens of a case (as written with it; a dump's cases get them on import).
    pub fn case_search_tokens(&self, case: &domain::Case) -> String {
        case_tokens(&self.triage, case)
    }
}

/// The tokens all of which a matching document must have; `None` when the query is a single
/// Chinese character or has nothing to search (the caller falls back to matching titles and the
/// index's words that start with it).
pub fn query_tokens(_triage: &Triage, q: &str) -> Option<Vec<String>> {
    let normal = triage::normalise(q);
    let mut out = Vec::new();
    cut(&normal, &mut out);
    // A lone character would match only where it stands alone; leave it to the fallback.
    if out.len() == 1 && out[0].chars().count() == 1 && out[0].chars().all(is_cjk) {
        return None;
    }
    out.sort();
    out.dedup();
    if out.is_empty() { None } else { Some(out) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn t() -> Triage {
        Triage::new()
    }

    #[test]
    fn any_substring_of_two_or_more_characters_finds_its_text() {
        let t = t();
        let text = "小区门口有人占道经营，晚上还很吵。3号楼ABC单元";
        let doc = index_tokens(&t, text);
        let doc: Vec<&str> = doc.split(' ').collect();
        for q in [
            "占道经营",
            "占道",
            "门口有人",
            "很吵",
            "3号楼",
            "abc",
            "道经",
        ] {
            let qt = query_tokens(&t, q).unwrap();
            for tok in &qt {
                assert!(doc.contains(&tok.as_str()), "{q}: {tok} not in {doc:?}");
            }
        }
        assert_eq!(query_tokens(&t, "吵"), None);
        assert_eq!(query_tokens(&t, "，。"), None);
        assert_eq!(query_tokens(&t, "ＡＢＣ"), Some(vec!["abc".to_string()]));
    }

    #[test]
    fn a_text_without_the_query_is_not_matched() {
        let t = t();
        let doc = index_tokens(&t, "路灯不亮，晚上出行不便");
        let doc: Vec<&str> = doc.split(' ').collect();
        let q = query_tokens(&t, "路灯坏了").unwrap();
        assert!(q.iter().any(|tok| !doc.contains(&tok.as_str())));
    }

    #[test]
    fn tokens_are_bigrams_words_and_lone_characters() {
        let t = t();
        assert_eq!(index_tokens(&t, "路灯 A-12 吵"), "12 a 吵 路灯");
        assert_eq!(
            query_tokens(&t, "路灯不亮").unwrap(),
            vec!["不亮", "灯不", "路灯"]
        );
    }
}
