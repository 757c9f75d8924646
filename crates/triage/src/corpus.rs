//! Labelled examples: the training corpus and evaluation files, one JSON object per line.
//!
//! ```json
//! {"text":"…","category":"环境保护/噪声污染","department":"生态环境局","nature":"complaint",
//!  "urgency":"normal","risk":"none","signals":[]}
//! ```
//!
//! `text`, `category` and `nature` are required; `department` (the category's default unit),
//! `urgency`, `risk` and `signals` may be left out, and a head without its label is neither
//! trained nor scored on that line.

use serde::{Deserialize, Serialize};

use crate::cues::NATURES;
use crate::model::{LEVELS, SIGNALS, URGENCIES};
use crate::taxonomy::{TAXONOMY, department_of};

/// One labelled request text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    /// `一级/二级`, verbatim from the taxonomy.
    pub category: String,
    /// The handling unit; the category's default unit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// complaint | help | consult | suggestion | report | dispute | praise
    pub nature: String,
    /// normal | urgent | critical
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// none | low | medium | high
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    /// self_harm, violence, gathering, petition, vulnerable, repeated, media
    #[serde(default)]
    pub signals: Vec<String>,
}

impl Example {
    /// The unit the example expects: its own, or the category's default one.
    pub fn expected_department(&self) -> &str {
        self.department
            .as_deref()
            .or_else(|| department_of(&self.category))
            .unwrap_or("")
    }
}

/// Parses JSON lines of [`Example`]s. Blank lines are skipped. On the first bad line, returns
/// its 1-based number and what is wrong with it (bad JSON, an unknown category, nature, urgency,
/// risk level, signal or department, an empty text).
pub fn parse_jsonl(text: &str) -> Result<Vec<Example>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let example: Example =
            serde_json::from_str(line).map_err(|e| (n, format!("invalid JSON: {e}")))?;
        validate(&example).map_err(|m| (n, m))?;
        out.push(example);
    }
    Ok(out)
}

fn validate(e: &Example) -> Result<(), String> {
    if e.text.trim().is_empty() {
        return Err("empty text".to_owned());
    }
    if department_of(&e.category).is_none() {
        return Err(format!(
            "unknown category {:?} (expected 一级/二级 from the taxonomy)",
            e.category
        ));
    }
    if let Some(d) = &e.department
        && !TAXONOMY.iter().any(|(_, unit)| unit == d)
    {
        return Err(format!("unknown department {d:?}"));
    }
    one_of("nature", &e.nature, &NATURES)?;
    if let Some(u) = &e.urgency {
        one_of("urgency", u, &URGENCIES)?;
    }
    if let Some(r) = &e.risk {
        one_of("risk", r, &LEVELS)?;
    }
    for s in &e.signals {
        one_of("signal", s, &SIGNALS)?;
    }
    Ok(())
}

fn one_of(what: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "unknown {what} {value:?} (expected one of {})",
            allowed.join(", ")
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_and_minimal_lines() {
        let text = concat!(
            r#"{"text":"夜里工地还在打桩","category":"环境保护/噪声污染","department":"生态环境局","nature":"complaint","urgency":"normal","risk":"none","signals":[]}"#,
            "\n\n",
            r#"{"text":"请问低保怎么申请","category":"民政养老/低保救助","nature":"consult","risk":"low","signals":["vulnerable"]}"#,
            "\n"
        );
        let examples = parse_jsonl(text).unwrap();
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].expected_department(), "生态环境局");
        assert_eq!(examples[1].department, None);
        assert_eq!(examples[1].expected_department(), "民政局");
        assert_eq!(examples[1].urgency, None);
        assert_eq!(examples[1].signals, vec!["vulnerable".to_owned()]);
        // round trip through serde
        let line = serde_json::to_string(&examples[1]).unwrap();
        assert_eq!(parse_jsonl(&line).unwrap()[0], examples[1]);
    }

    #[test]
    fn reports_the_bad_line() {
        let good = r#"{"text":"x","category":"教育/入学招生","nature":"consult"}"#;
        for (bad, needle) in [
            ("{not json", "invalid JSON"),
            (
                r#"{"text":"x","category":"教育","nature":"consult"}"#,
                "unknown category",
            ),
            (
                r#"{"text":"x","category":"教育/入学招生","nature":"ask"}"#,
                "unknown nature",
            ),
            (
                r#"{"text":" ","category":"教育/入学招生","nature":"consult"}"#,
                "empty text",
            ),
            (
                r#"{"text":"x","category":"教育/入学招生","nature":"consult","risk":"huge"}"#,
                "unknown risk",
            ),
            (
                r#"{"text":"x","category":"教育/入学招生","nature":"consult","urgency":"now"}"#,
                "unknown urgency",
            ),
            (
                r#"{"text":"x","category":"教育/入学招生","nature":"consult","signals":["x"]}"#,
                "unknown signal",
            ),
            (
                r#"{"text":"x","category":"教育/入学招生","nature":"consult","department":"市长"}"#,
                "unknown department",
            ),
            (
                r#"{"category":"教育/入学招生","nature":"consult"}"#,
                "invalid JSON",
            ),
        ] {
            let text = format!("{good}\n{good}\n{bad}\n{good}");
            let (line, message) = parse_jsonl(&text).unwrap_err();
            assert_eq!(line, 3, "{bad}");
            assert!(message.contains(needle), "{bad}: {message}");
        }
    }
}
