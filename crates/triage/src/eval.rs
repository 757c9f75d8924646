//! Evaluation of a [`Triage`] on labelled examples (`onewindow triage eval FILE.jsonl`).

use std::collections::HashMap;
use std::fmt;

use crate::Triage;
use crate::corpus::Example;
use crate::cues::NATURES;
use crate::model::{LEVELS, SIGNALS, URGENCIES};
use crate::taxonomy::TAXONOMY;

/// Counts for one label: how often it was expected, predicted, and both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelStats {
    pub label: String,
    /// Examples whose expected label this is.
    pub support: usize,
    /// Examples predicted with this label.
    pub predicted: usize,
    /// Examples both expected and predicted with it.
    pub correct: usize,
}

impl LabelStats {
    fn new(label: &str) -> Self {
        LabelStats {
            label: label.to_owned(),
            ..LabelStats::default()
        }
    }

    /// Share of the expected ones that were found; `None` without any.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.correct, self.support)
    }

    /// Share of the predicted ones that were right; `None` without any.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.correct, self.predicted)
    }
}

/// Accuracy figures of a triage on a labelled set.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub examples: usize,
    /// Examples whose category was the first suggestion.
    pub top1: usize,
    /// Examples whose category was among the first three.
    pub top3: usize,
    /// Examples whose top-level category (一级) was right.
    pub top_level: usize,
    /// Examples whose department was right.
    pub department: usize,
    /// Per category, in taxonomy order.
    pub categories: Vec<LabelStats>,
    /// (expected, suggested, count) of wrong first suggestions, most frequent first.
    pub confusions: Vec<(String, String, usize)>,
    /// Per nature; `nature_correct` of `examples` right.
    pub natures: Vec<LabelStats>,
    pub nature_correct: usize,
    /// Per urgency, over the examples labelled with one.
    pub urgencies: Vec<LabelStats>,
    pub urgency_labelled: usize,
    pub urgency_correct: usize,
    /// Per risk level, over the examples labelled with one.
    pub risk_levels: Vec<LabelStats>,
    pub risk_labelled: usize,
    pub risk_correct: usize,
    /// Per risk signal, over the examples labelled with a risk level.
    pub signals: Vec<LabelStats>,
    /// Risk levels, expected (row) × suggested (column), in `none low medium high` order.
    pub risk_confusion: [[usize; 4]; 4],
}

impl EvalReport {
    pub fn top1_accuracy(&self) -> f64 {
        ratio(self.top1, self.examples).unwrap_or(0.0)
    }

    pub fn top3_accuracy(&self) -> f64 {
        ratio(self.top3, self.examples).unwrap_or(0.0)
    }

    pub fn department_accuracy(&self) -> f64 {
        ratio(self.department, self.examples).unwrap_or(0.0)
    }

    pub fn nature_accuracy(&self) -> f64 {
        ratio(self.nature_correct, self.examples).unwrap_or(0.0)
    }

    pub fn urgency_accuracy(&self) -> Option<f64> {
        ratio(self.urgency_correct, self.urgency_labelled)
    }

    /// Figures of one risk level (`none`, `low`, `medium`, `high`).
    pub fn risk(&self, level: &str) -> Option<&LabelStats> {
        self.risk_levels.iter().find(|s| s.label == level)
    }

    /// High-risk examples suggested at level none: the miss that must not happen.
    pub fn high_at_none(&self) -> usize {
        self.risk_confusion[3][0]
    }

    /// The risk figures alone: level accuracy, high-risk recall and precision, and the
    /// confusion between levels.
    pub fn risk_summary(&self) -> String {
        let mut s = String::new();
        let _ = self.write_risk_summary(&mut s);
        s
    }

    fn write_risk_summary(&self, f: &mut impl fmt::Write) -> fmt::Result {
        writeln!(
            f,
            "risk level          {}/{} ({})",
            self.risk_correct,
            self.risk_labelled,
            pct(ratio(self.risk_correct, self.risk_labelled)).trim()
        )?;
        if let Some(high) = self.risk("high") {
            writeln!(
                f,
                "high risk           recall {} precision {} ({} expected, {} flagged, {} correct)",
                pct(high.recall()).trim(),
                pct(high.precision()).trim(),
                high.support,
                high.predicted,
                high.correct
            )?;
        }
        writeln!(f, "high risk at none   {}", self.high_at_none())?;
        writeln!(f, "risk confusion (rows expected, columns suggested)")?;
        write!(f, "  {:<10}", "")?;
        for l in LEVELS {
            write!(f, " {l:>7}")?;
        }
        writeln!(f)?;
        for (i, row) in self.risk_confusion.iter().enumerate() {
            write!(f, "  {:<10}", LEVELS[i])?;
            for n in row {
                write!(f, " {n:>7}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn stats(labels: &[&str]) -> Vec<LabelStats> {
    labels.iter().map(|l| LabelStats::new(l)).collect()
}

fn count(stats: &mut [LabelStats], expected: &str, predicted: &str) {
    for s in stats.iter_mut() {
        let e = s.label == expected;
        let p = s.label == predicted;
        s.support += usize::from(e);
        s.predicted += usize::from(p);
        s.correct += usize::from(e && p);
    }
}

/// Classifies every example and compares the suggestion with its labels.
pub fn evaluate(t: &Triage, examples: &[Example]) -> EvalReport {
    let categories: Vec<&str> = TAXONOMY.iter().map(|(c, _)| *c).collect();
    let mut r = EvalReport {
        categories: stats(&categories),
        natures: stats(&NATURES),
        urgencies: stats(&URGENCIES),
        risk_levels: stats(&LEVELS),
        signals: stats(&SIGNALS),
        ..EvalReport::default()
    };
    let mut confusions: HashMap<(String, String), usize> = HashMap::new();
    for e in examples {
        let s = t.classify(&e.text);
        r.examples += 1;
        r.top1 += usize::from(s.category == e.category);
        r.top3 += usize::from(
            s.candidates
                .iter()
                .take(3)
                .any(|c| c.category == e.category),
        );
        r.top_level += usize::from(s.category.split('/').next() == e.category.split('/').next());
        r.department += usize::from(s.department == e.expected_department());
        count(&mut r.categories, &e.category, &s.category);
        if s.category != e.category {
            *confusions
                .entry((e.category.clone(), s.category.clone()))
                .or_default() += 1;
        }
        r.nature_correct += usize::from(s.nature == e.nature);
        count(&mut r.natures, &e.nature, s.nature);
        if let Some(u) = &e.urgency {
            r.urgency_labelled += 1;
            r.urgency_correct += usize::from(s.urgency == u);
            count(&mut r.urgencies, u, s.urgency);
        }
        if let Some(level) = &e.risk {
            r.risk_labelled += 1;
            r.risk_correct += usize::from(s.risk.level == level);
            count(&mut r.risk_levels, level, s.risk.level);
            let at = |l: &str| LEVELS.iter().position(|x| *x == l);
            if let (Some(a), Some(b)) = (at(level), at(s.risk.level)) {
                r.risk_confusion[a][b] += 1;
            }
            for st in &mut r.signals {
                let expected = e.signals.contains(&st.label);
                let predicted = s.risk.signals.iter().any(|x| *x == st.label);
                st.support += usize::from(expected);
                st.predicted += usize::from(predicted);
                st.correct += usize::from(expected && predicted);
            }
        }
    }
    let mut confusions: Vec<(String, String, usize)> = confusions
        .into_iter()
        .map(|((a, b), n)| (a, b, n))
        .collect();
    confusions.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    r.confusions = confusions;
    r
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "   -  ".to_owned(), |x| format!("{:5.1}%", 100.0 * x))
}

fn table(f: &mut fmt::Formatter<'_>, title: &str, rows: &[LabelStats]) -> fmt::Result {
    writeln!(f, "{title}")?;
    writeln!(
        f,
        "  {:<22} {:>7} {:>9} {:>7} {:>7}",
        "", "support", "predicted", "recall", "precis."
    )?;
    for s in rows {
        writeln!(
            f,
            "  {:<22} {:>7} {:>9} {:>7} {:>7}",
            s.label,
            s.support,
            s.predicted,
            pct(s.recall()),
            pct(s.precision())
        )?;
    }
    Ok(())
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.examples;
        let of = |a: usize| format!("{a}/{n} ({})", pct(ratio(a, n)).trim());
        writeln!(f, "examples            {n}")?;
        writeln!(f, "category top-1      {}", of(self.top1))?;
        writeln!(f, "category top-3      {}", of(self.top3))?;
        writeln!(f, "top-level category  {}", of(self.top_level))?;
        writeln!(f, "department          {}", of(self.department))?;
        writeln!(f, "nature              {}", of(self.nature_correct))?;
        if self.urgency_labelled > 0 {
            writeln!(
                f,
                "urgency             {}/{} ({})",
                self.urgency_correct,
                self.urgency_labelled,
                pct(self.urgency_accuracy()).trim()
            )?;
        }
        if self.risk_labelled > 0 {
            writeln!(
                f,
                "risk level          {}/{} ({})",
                self.risk_correct,
                self.risk_labelled,
                pct(ratio(self.risk_correct, self.risk_labelled)).trim()
            )?;
            if let Some(high) = self.risk("high") {
                writeln!(
                    f,
                    "high risk           recall {} precision {} ({} expected, {} flagged)",
                    pct(high.recall()).trim(),
                    pct(high.precision()).trim(),
                    high.support,
                    high.predicted
                )?;
            }
        }
        writeln!(f)?;
        let categories: Vec<LabelStats> = self
            .categories
            .iter()
            .filter(|s| s.support > 0 || s.predicted > 0)
            .cloned()
            .collect();
        table(f, "per category", &categories)?;
        if !self.confusions.is_empty() {
            writeln!(f, "\nmost frequent confusions (expected → suggested)")?;
            for (a, b, k) in self.confusions.iter().take(15) {
                writeln!(f, "  {k:>3}  {a} → {b}")?;
            }
        }
        writeln!(f)?;
        table(f, "nature", &self.natures)?;
        if self.urgency_labelled > 0 {
            writeln!(f)?;
            table(f, "urgency", &self.urgencies)?;
        }
        if self.risk_labelled > 0 {
            writeln!(f)?;
            table(f, "risk level", &self.risk_levels)?;
            writeln!(f)?;
            self.write_risk_summary(f)?;
            writeln!(f)?;
            table(f, "risk signals", &self.signals)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_prints() {
        let t = Triage::new();
        let examples = crate::parse_jsonl(concat!(
            r#"{"text":"隔壁工地施工噪音大，希望能控制一下施工时间","category":"环境保护/噪声污染","nature":"suggestion","risk":"none"}"#,
            "\n",
            r#"{"text":"老板拖欠三个月工资，我们几十个人明天去拉横幅","category":"劳动社保/拖欠工资","nature":"complaint","risk":"high","signals":["gathering"]}"#,
            "\n",
            r#"{"text":"请问结婚登记要带什么","category":"教育/入学招生","nature":"consult"}"#,
        ))
        .unwrap();
        let r = evaluate(&t, &examples);
        assert_eq!(r.examples, 3);
        assert_eq!(r.top1, 2, "{r}");
        assert_eq!(r.confusions.len(), 1);
        assert_eq!(r.confusions[0].0, "教育/入学招生");
        assert_eq!(r.risk_labelled, 2);
        let high = r.risk("high").unwrap();
        assert_eq!((high.support, high.correct), (1, 1), "{r}");
        assert_eq!(r.risk_confusion[3][3], 1);
        assert_eq!(r.risk_confusion[0][0], 1);
        assert_eq!(r.high_at_none(), 0);
        let text = r.to_string();
        for needle in [
            "category top-1",
            "top-3",
            "department",
            "nature",
            "high risk",
            "risk confusion",
            "→",
        ] {
            assert!(text.contains(needle), "{needle} missing:\n{text}");
        }
    }
}
