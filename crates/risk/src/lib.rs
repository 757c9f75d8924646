//! Conflict-risk signals across cases (矛盾风险预警, issue 20). One angry call is visible to one
//! clerk; twenty-five households without water, buyers of one stalled project calling from
//! different towns, or one resident calling for the sixth time in a week are visible only across
//! cases. This crate finds them: pure functions from case summaries to candidate alerts, measured
//! on the cases' own `reported_at` so that imported history is scanned as it happened.
//!
//! - **Repeat callers** ([`Kind::RepeatCaller`]): one phone with several cases in a window, with
//!   the trend of their language and of our handling (returned, overdue, unsatisfied, reopened).
//! - **Clusters** ([`Kind::Cluster`], 群体性): many reporters about one object — an estate, a
//!   project, a company, a school, a site — named in the texts ([`objects`]), wherever the callers
//!   live; or many reporters of one community with the same problem in a short time (an outage).
//!   Members must be about the same thing (the same category group, or texts alike), so that
//!   neighbours who report unrelated things are not pulled in, and reporters are counted by phone,
//!   so that one person calling five times is not a crowd.
//! - **Language** ([`Kind::Language`]): one text that reads as high risk on its own.
//!
//! Each candidate has a stable `key` (the phone, the object, the case), so that a later scan
//! updates the alert it made before instead of making another.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

const DAY: i64 = 86_400_000;

/// What the scan needs of a case.
#[derive(Debug, Clone)]
pub struct ScanCase {
    /// The case's id (opaque to this crate).
    pub id: String,
    pub number: String,
    /// Epoch milliseconds: when the citizen reported it.
    pub reported_at: i64,
    /// The reporter's phone as digits (empty when none).
    pub phone: String,
    pub text: String,
    /// `一级/二级`.
    pub category: String,
    /// Region code of the place (community or street).
    pub region: String,
    /// The single-text risk level from triage: none | low | medium | high.
    pub text_risk: String,
    /// Handling that went wrong: returned (退单), overdue, rated unsatisfied, reopened.
    pub returned: bool,
    pub overdue: bool,
    pub unsatisfied: bool,
    pub reopened: bool,
    /// The main case this one was merged into as a duplicate (重复诉求). A duplicate is still a
    /// call: it counts for its caller and its crowd, and it joins the groups of its main case.
    pub merged_into: Option<String>,
}

/// A mediation that ended without settling the dispute (调解不成 or 终止), for the history signal.
#[derive(Debug, Clone)]
pub struct PastMediation {
    /// The mediation's id (opaque to this crate).
    pub id: String,
    /// failed | terminated
    pub outcome: String,
    /// Epoch milliseconds: when it ended.
    pub ended_at: i64,
    /// What the dispute was about: its case's text and the mediation's summary.
    pub text: String,
    /// The parties' phones as digits.
    pub phones: Vec<String>,
    /// Where it went after (仲裁, 诉讼, 信访…), as the route's label.
    pub route: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Cluster,
    RepeatCaller,
    Language,
    History,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Cluster => "cluster",
            Kind::RepeatCaller => "repeat_caller",
            Kind::Language => "language",
            Kind::History => "history",
        }
    }
}

/// The levels, lowest first (默认 蓝/黄/橙/红); the scale's names and thresholds are data of the
/// caller ([`Settings`]); here a level is its rank 1..=4.
pub const LEVELS: [&str; 4] = ["blue", "yellow", "orange", "red"];

/// Windows and thresholds of the scan (administrators' data; these are the defaults).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Repeat callers: cases of one phone within this many days…
    pub repeat_window_days: i64,
    /// …at least this many.
    pub repeat_min_cases: usize,
    /// Clusters about a named object: within this many days…
    pub cluster_window_days: i64,
    /// …at least this many distinct reporters.
    pub cluster_min_reporters: usize,
    /// Outages and the like (no object named): one community, one category, within this many
    /// hours, texts alike…
    pub burst_window_hours: i64,
    /// …at least this many distinct reporters.
    pub burst_min_reporters: usize,
    /// Texts are alike when their character-pair overlap (Jaccard) is at least this.
    pub similarity: f64,
    /// A burst's or a road's topic: character pairs at least this share of its members hold.
    pub topic_share: f64,
    /// Cluster levels by distinct reporters: yellow from the minimum, orange from this, red from
    /// this.
    pub cluster_orange: usize,
    pub cluster_red: usize,
    /// Repeat-caller levels by cases: orange from this, red from this.
    pub repeat_orange: usize,
    pub repeat_red: usize,
    /// History: how far back failed mediations and badly handled cases count…
    pub history_window_days: i64,
    /// …and how many badly handled earlier cases (overdue, unsatisfied, reopened, returned) about
    /// one object or from one phone make a new case about it an alert (one failed mediation is
    /// enough on its own).
    pub history_min_bad: usize,
    /// Review cadence (复核周期) by level, in days: an open alert nobody has worked on for this
    /// long is due for review, and its owner's supervisors are reminded.
    pub review_days_red: i64,
    pub review_days_orange: i64,
    pub review_days_yellow: i64,
    pub review_days_blue: i64,
}

impl Settings {
    /// Days between reviews of an alert at `level` (a name of [`LEVELS`]).
    pub fn review_days(&self, level: &str) -> i64 {
        match level {
            "red" => self.review_days_red,
            "orange" => self.review_days_orange,
            "yellow" => self.review_days_yellow,
            _ => self.review_days_blue,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            repeat_window_days: 7,
            repeat_min_cases: 3,
            cluster_window_days: 30,
            cluster_min_reporters: 5,
            burst_window_hours: 48,
            burst_min_reporters: 5,
            similarity: 0.12,
            topic_share: 0.6,
            cluster_orange: 10,
            cluster_red: 20,
            repeat_orange: 5,
            repeat_red: 8,
            history_window_days: 180,
            history_min_bad: 3,
            review_days_red: 1,
            review_days_orange: 3,
            review_days_yellow: 7,
            review_days_blue: 14,
        }
    }
}

/// A signal found by the scan.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub kind: Kind,
    /// Stable across scans: `phone:…`, `object:…`, `burst:region:category`, `case:…`.
    pub key: String,
    /// Rank 1..=4 in [`LEVELS`].
    pub level: u8,
    /// Ids of the cases, oldest first.
    pub case_ids: Vec<String>,
    /// Repeat callers: the phone.
    pub phone: Option<String>,
    /// One line in Chinese.
    pub summary: String,
    /// Why: counts, the object, the words that weighed, the handling, a timeline.
    pub evidence: serde_json::Value,
    /// The region the alert belongs to (the members' common region prefix: a community, a
    /// street, or the district when they spread across streets).
    pub region: String,
}

pub fn level_name(rank: u8) -> &'static str {
    LEVELS[usize::from(rank.clamp(1, 4)) - 1]
}

pub fn level_rank(name: &str) -> Option<u8> {
    LEVELS
        .iter()
        .position(|l| *l == name)
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// Runs every signal over `cases` as of `as_of` (epoch ms): only cases reported within each
/// signal's window before `as_of` count.
pub fn scan(cases: &[ScanCase], as_of: i64, s: &Settings) -> Vec<Candidate> {
    scan_with(cases, &[], as_of, s)
}

/// [`scan`] with the mediations that failed or were terminated (for [`history`]).
pub fn scan_with(
    cases: &[ScanCase],
    mediations: &[PastMediation],
    as_of: i64,
    s: &Settings,
) -> Vec<Candidate> {
    let mut out = repeat_callers(cases, as_of, s);
    out.extend(clusters(cases, as_of, s));
    out.extend(language(cases, as_of, s));
    out.extend(history(cases, mediations, as_of, s));
    out
}

fn within(c: &ScanCase, as_of: i64, window: i64) -> bool {
    c.reported_at <= as_of && c.reported_at > as_of - window
}

fn handling(members: &[&ScanCase]) -> serde_json::Value {
    serde_json::json!({
        "returned": members.iter().filter(|c| c.returned).count(),
        "overdue": members.iter().filter(|c| c.overdue).count(),
        "unsatisfied": members.iter().filter(|c| c.unsatisfied).count(),
        "reopened": members.iter().filter(|c| c.reopened).count(),
    })
}

fn bad_handling(members: &[&ScanCase]) -> bool {
    members
        .iter()
        .any(|c| c.overdue || c.unsatisfied || c.reopened || c.returned)
}

fn risk_rank(level: &str) -> u8 {
    match level {
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

fn timeline(members: &[&ScanCase]) -> serde_json::Value {
    serde_json::Value::Array(
        members
            .iter()
            .map(|c| {
                serde_json::json!({
                    "number": c.number, "reported_at": c.reported_at, "risk": c.text_risk,
                    "title": c.text.chars().take(40).collect::<String>(),
                })
            })
            .collect(),
    )
}

/// The longest common prefix of the members' regions, cut to a whole code level (community
/// codes extend their street's).
fn common_region(members: &[&ScanCase]) -> String {
    let mut it = members.iter().map(|c| c.region.as_str());
    let Some(first) = it.next() else {
        return String::new();
    };
    let mut prefix = first.to_string();
    for r in it {
        let n = prefix
            .chars()
            .zip(r.chars())
            .take_while(|(a, b)| a == b)
            .count();
        prefix = prefix.chars().take(n).collect();
    }
    // Whole levels only: district (6 digits), street (9), community (12).
    let len = prefix.chars().count();
    match [12, 9, 6].into_iter().find(|l| *l <= len) {
        Some(l) => prefix.chars().take(l).collect(),
        None => prefix,
    }
}

/// One phone, several cases in the window.
pub fn repeat_callers(cases: &[ScanCase], as_of: i64, s: &Settings) -> Vec<Candidate> {
    let window = s.repeat_window_days * DAY;
    let mut by_phone: BTreeMap<&str, Vec<&ScanCase>> = BTreeMap::new();
    for c in cases
        .iter()
        .filter(|c| c.phone.len() >= 5 && within(c, as_of, window))
    {
        by_phone.entry(c.phone.as_str()).or_default().push(c);
    }
    let mut out = Vec::new();
    for (phone, mut members) in by_phone {
        if members.len() < s.repeat_min_cases.max(2) {
            continue;
        }
        members.sort_by_key(|c| (c.reported_at, c.number.clone()));
        let n = members.len();
        let mut level: u8 = if n >= s.repeat_red {
            4
        } else if n >= s.repeat_orange {
            3
        } else {
            2
        };
        // The trend of the language: the latest text riskier than the first.
        let first = risk_rank(&members[0].text_risk);
        let last = risk_rank(&members[n - 1].text_risk);
        let rising = last > first;
        if rising || last >= 3 {
            level += 1;
        }
        if bad_handling(&members) {
            level += 1;
        }
        let level = level.min(4);
        out.push(Candidate {
            kind: Kind::RepeatCaller,
            key: format!("phone:{phone}"),
            level,
            case_ids: members.iter().map(|c| c.id.clone()).collect(),
            phone: Some(phone.to_string()),
            summary: format!(
                "同一来电人 {} 天内反映 {} 次{}",
                s.repeat_window_days,
                n,
                if rising { "，言辞趋于激烈" } else { "" }
            ),
            evidence: serde_json::json!({
                "cases": n, "window_days": s.repeat_window_days,
                "language": members.iter().map(|c| c.text_risk.clone()).collect::<Vec<_>>(),
                "language_rising": rising,
                "handling": handling(&members),
                "timeline": timeline(&members),
            }),
            region: common_region(&members),
        });
    }
    out
}

/// Suffixes of the objects texts name: estates, projects, companies, schools, sites, markets,
/// roads and villages (roads and villages are places more than objects: a cluster on them needs
/// its members to be about the same thing, as every cluster does).
const SUFFIXES: &[&str] = &[
    "幼儿园",
    "项目",
    "楼盘",
    "小区",
    "花园",
    "家园",
    "公寓",
    "大厦",
    "广场",
    "公司",
    "集团",
    "工厂",
    "学校",
    "小学",
    "中学",
    "医院",
    "市场",
    "工地",
    "商场",
    "酒店",
    "饭店",
    "餐厅",
    "网吧",
    "苑",
    "府",
    "厂",
    "路",
    "街",
    "村",
];

/// Characters that end a name when read backwards from its suffix: function words and pronouns
/// (我们小区 names nothing; 住在金桥花园 names 金桥花园).
const BOUNDARY: &str = "的在是了我们你他她它这那到去住从于和与及对向把被给个家里说有都也还就要位买交该本每上下来看找问询映诉请办卖进出打叫让等认为称现议需最近几解督促求应哪着";

/// Suffixes of places more than objects: a road or a village is shared by everybody living on
/// it, so a cluster on one needs texts alike, not only the same kind of problem.
const WEAK: &[&str] = &["路", "街", "村", "市场", "广场"];

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Words before a suffix that make it a common noun, not a name (老旧小区, 附近小区, 沿路, 线路).
const GENERIC: &[&str] = &[
    "老旧",
    "附近",
    "周边",
    "周围",
    "整个",
    "隔壁",
    "对面",
    "多个",
    "几个",
    "部分",
    "各个",
    "所在",
    "相关",
    "有关",
    "一些",
    "很多",
    "其他",
    "高档",
    "新建",
    "同一",
    "一个",
    "这些",
    "那些",
    "该",
    "学区",
    "一周",
    "一段时间",
    "几天",
    "两天",
    "三天",
    "这段时间",
    "一直",
    "每天",
    "天天",
];

/// A suffix that is part of a longer word here (街道 is an administrative unit, not a street;
/// 线路, 道路, 马路 are roads in general; 路灯 is a lamp).
fn false_suffix(suffix: &str, before: Option<char>, after: Option<char>) -> bool {
    match suffix {
        "街" => matches!(after, Some('道' | '头' | '面' | '坊' | '巷')),
        "路" => {
            matches!(
                before,
                Some(
                    '线' | '沿'
                        | '道'
                        | '马'
                        | '公'
                        | '铁'
                        | '水'
                        | '电'
                        | '网'
                        | '出'
                        | '走'
                        | '堵'
                        | '塞'
                        | '修'
                        | '问'
                        | '思'
                        | '套'
                )
            ) || matches!(
                after,
                Some('灯' | '面' | '段' | '况' | '线' | '费' | '政' | '由' | '过' | '人' | '边')
            )
        }
        "村" => matches!(after, Some('民' | '委' | '里' | '干' | '组')),
        "厂" => matches!(after, Some('家' | '商' | '房' | '区')),
        "府" => matches!(before, Some('政' | '官' | '首' | '王')),
        _ => false,
    }
}

/// Longest name before its suffix, in Han characters (letters and digits, as in 宏达7321电子厂,
/// do not count): a proper name is short; more is a clause that happens to end in a suffix.
const NAME_MAX: usize = 6;

/// The objects a text names (`金桥花园`, `万科城二期项目`, `宏达电子厂`), each once, in order.
pub fn objects(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut matched = None;
        for suf in SUFFIXES {
            let sc: Vec<char> = suf.chars().collect();
            if chars[i..].starts_with(&sc) {
                matched = Some((*suf, sc.len()));
                break;
            }
        }
        let Some((suffix, len)) = matched else {
            i += 1;
            continue;
        };
        let before = i.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(i + len).copied();
        if false_suffix(suffix, before, after) {
            i += len;
            continue;
        }
        // Walk back over the name: Han characters (at most NAME_MAX), digits and letters,
        // stopping at a boundary character.
        let mut start = i;
        let mut han = 0;
        while start > 0 {
            let c = chars[start - 1];
            if !(is_han(c) || c.is_ascii_alphanumeric()) || BOUNDARY.contains(c) {
                break;
            }
            if is_han(c) {
                if han == NAME_MAX {
                    // A clause, not a name: nothing here.
                    han = 0;
                    break;
                }
                han += 1;
            }
            start -= 1;
        }
        let name: String = chars[start..i].iter().collect();
        if han >= 2
            && !GENERIC
                .iter()
                .any(|g| name.ends_with(g) || name.starts_with(g))
        {
            let object: String = chars[start..i + len].iter().collect();
            if !out.contains(&object) {
                out.push(object);
            }
        }
        i += len;
    }
    out
}

/// Character pairs of a text's Han characters (the shape search indexes too).
fn pairs(text: &str) -> BTreeSet<(char, char)> {
    let han: Vec<char> = text.chars().filter(|c| is_han(*c)).collect();
    han.windows(2).map(|w| (w[0], w[1])).collect()
}

fn jaccard(a: &BTreeSet<(char, char)>, b: &BTreeSet<(char, char)>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn group_of(category: &str) -> &str {
    category.split('/').next().unwrap_or(category)
}

/// The group with the duplicates merged into its members (a duplicate's own words may not name
/// the object, but its caller is one more of the crowd).
fn with_duplicates<'a>(mut kept: Vec<&'a ScanCase>, recent: &[&'a ScanCase]) -> Vec<&'a ScanCase> {
    let ids: BTreeSet<&str> = kept.iter().map(|c| c.id.as_str()).collect();
    let extra: Vec<&ScanCase> = recent
        .iter()
        .copied()
        .filter(|c| {
            c.merged_into.as_deref().is_some_and(|m| ids.contains(m))
                && !ids.contains(c.id.as_str())
        })
        .collect();
    kept.extend(extra);
    kept
}

/// Distinct reporters: by phone; a case without one is a reporter of its own.
fn reporters(members: &[&ScanCase]) -> usize {
    let mut phones = BTreeSet::new();
    let mut anonymous = 0;
    for c in members {
        if c.phone.len() >= 5 {
            phones.insert(c.phone.as_str());
        } else {
            anonymous += 1;
        }
    }
    phones.len() + anonymous
}

/// The members about the same thing: those of the group's main category group, and those whose
/// text is alike one of them.
fn coherent<'a>(members: &[&'a ScanCase], object: &str, s: &Settings) -> Vec<&'a ScanCase> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for c in members {
        *count.entry(group_of(&c.category)).or_default() += 1;
    }
    let Some((main, _)) = count
        .iter()
        .max_by_key(|(g, n)| (**n, std::cmp::Reverse(**g)))
    else {
        return vec![];
    };
    let main = *main;
    if count[main] < 2 {
        // No two members about the same kind of thing.
        return vec![];
    }
    // Alike in what they say beyond the object's name (which every member shares).
    let said = |c: &ScanCase| pairs(&c.text.replace(object, "，"));
    let core: Vec<&ScanCase> = members
        .iter()
        .copied()
        .filter(|c| group_of(&c.category) == main)
        .collect();
    let core_pairs: Vec<BTreeSet<(char, char)>> = core.iter().map(|c| said(c)).collect();
    members
        .iter()
        .copied()
        .filter(|c| {
            group_of(&c.category) == main || {
                let p = said(c);
                core_pairs.iter().any(|q| jaccard(&p, q) >= s.similarity)
            }
        })
        .collect()
}

fn cluster_level(reporters: usize, members: &[&ScanCase], s: &Settings) -> u8 {
    let mut level: u8 = if reporters >= s.cluster_red {
        4
    } else if reporters >= s.cluster_orange {
        3
    } else {
        2
    };
    if members.iter().any(|c| risk_rank(&c.text_risk) >= 3) {
        level += 1;
    }
    level.min(4)
}

/// The members that talk about the same thing: a group's topic is the character pairs (the
/// object's name left out) that most of its members' texts hold (停水 in an outage); the members
/// holding one are kept. A road's members, each about something else, share no topic.
fn topical<'a>(members: &[&'a ScanCase], object: &str, share: f64) -> Vec<&'a ScanCase> {
    let ps: Vec<BTreeSet<(char, char)>> = members
        .iter()
        .map(|c| {
            if object.is_empty() {
                pairs(&c.text)
            } else {
                pairs(&c.text.replace(object, "，"))
            }
        })
        .collect();
    let mut count: HashMap<(char, char), usize> = HashMap::new();
    for p in &ps {
        for pair in p {
            *count.entry(*pair).or_default() += 1;
        }
    }
    let need = ((members.len() as f64 * share).ceil() as usize).max(2);
    let topic: BTreeSet<(char, char)> = count
        .into_iter()
        .filter(|(_, n)| *n >= need)
        .map(|(p, _)| p)
        .collect();
    members
        .iter()
        .zip(&ps)
        .filter(|(_, p)| p.iter().any(|pair| topic.contains(pair)))
        .map(|(c, _)| *c)
        .collect()
}

/// A group of cases about one thing, before groups naming the same cases are merged.
struct Group<'a> {
    key: String,
    /// The object named, or the burst's place and category.
    label: String,
    burst: bool,
    members: Vec<&'a ScanCase>,
}

/// Many reporters about one object, or one community's burst of the same problem.
pub fn clusters(cases: &[ScanCase], as_of: i64, s: &Settings) -> Vec<Candidate> {
    let window = s.cluster_window_days * DAY;
    let recent: Vec<&ScanCase> = cases.iter().filter(|c| within(c, as_of, window)).collect();
    let mut groups: Vec<Group> = Vec::new();
    // Named objects.
    let mut by_object: BTreeMap<String, Vec<&ScanCase>> = BTreeMap::new();
    for c in &recent {
        for o in objects(&c.text) {
            by_object.entry(o).or_default().push(c);
        }
    }
    for (object, members) in by_object {
        if reporters(&with_duplicates(members.clone(), &recent)) < s.cluster_min_reporters {
            continue;
        }
        let kept = if WEAK.iter().any(|w| object.ends_with(w)) {
            topical(&coherent(&members, &object, s), &object, s.topic_share)
        } else {
            coherent(&members, &object, s)
        };
        let kept = with_duplicates(kept, &recent);
        if reporters(&kept) >= s.cluster_min_reporters {
            groups.push(Group {
                key: format!("object:{object}"),
                label: object,
                burst: false,
                members: kept,
            });
        }
    }
    // Bursts: one community, one category, a short time, texts alike (an outage, a flood, a smell).
    let burst_window = s.burst_window_hours * 3_600_000;
    let mut by_place: BTreeMap<(&str, &str), Vec<&ScanCase>> = BTreeMap::new();
    for c in recent
        .iter()
        .copied()
        .filter(|c| within(c, as_of, burst_window))
    {
        by_place
            .entry((c.region.as_str(), c.category.as_str()))
            .or_default()
            .push(c);
    }
    for ((region, category), members) in by_place {
        if reporters(&members) < s.burst_min_reporters {
            continue;
        }
        // The topic is read from the calls in their own words; duplicates join their main case.
        let own: Vec<&ScanCase> = members
            .iter()
            .copied()
            .filter(|c| c.merged_into.is_none())
            .collect();
        let kept = with_duplicates(topical(&own, "", s.topic_share), &recent);
        if reporters(&kept) >= s.burst_min_reporters {
            groups.push(Group {
                key: format!("burst:{region}:{category}"),
                label: category.to_string(),
                burst: true,
                members: kept,
            });
        }
    }
    // One thing under two names (万科城 and 万科城二期项目, an outage and the water company it
    // names): a group most of whose cases are in a larger one joins it.
    // Larger first; of two the same size, the named object (it says more than a place does).
    groups.sort_by_key(|g| (std::cmp::Reverse(g.members.len()), g.burst, g.key.clone()));
    let mut merged: Vec<(Group, Vec<String>)> = Vec::new();
    for g in groups {
        let ids: BTreeSet<&str> = g.members.iter().map(|c| c.id.as_str()).collect();
        if let Some((big, names)) = merged.iter_mut().find(|(big, _)| {
            let shared = big
                .members
                .iter()
                .filter(|c| ids.contains(c.id.as_str()))
                .count();
            shared * 2 > ids.len()
        }) {
            if big.burst && !g.burst {
                // A burst that turns out to be about a named object is that object's alert, with
                // the object's members only: the name says more than a place and a category do
                // (a neighbour's wage complaint about another employer the same day is not one of
                // the factory's workers), and it keeps the key stable.
                names.push(std::mem::replace(&mut big.label, g.label));
                big.key = g.key;
                big.burst = false;
                big.members = g.members;
            } else if !big.burst && g.burst {
                // The object's alert keeps its own members (see above).
                names.push(g.label);
            } else {
                for c in g.members {
                    if !big.members.iter().any(|b| b.id == c.id) {
                        big.members.push(c);
                    }
                }
                names.push(g.label);
            }
        } else {
            merged.push((g, vec![]));
        }
    }
    merged
        .into_iter()
        .map(|(mut g, also)| {
            g.members.sort_by_key(|c| (c.reported_at, c.number.clone()));
            let n = reporters(&g.members);
            let summary = if g.burst {
                format!(
                    "{} 小时内 {} 名群众反映同一问题（{}）",
                    s.burst_window_hours, n, g.label
                )
            } else {
                format!("{} 名群众集中反映「{}」", n, g.label)
            };
            Candidate {
                kind: Kind::Cluster,
                level: cluster_level(n, &g.members, s),
                case_ids: g.members.iter().map(|c| c.id.clone()).collect(),
                phone: None,
                summary,
                evidence: serde_json::json!({
                    "object": if g.burst { None } else { Some(g.label.clone()) },
                    "category": if g.burst { Some(g.label.clone()) } else { None },
                    "also_named": also,
                    "reporters": n, "cases": g.members.len(),
                    "window_days": s.cluster_window_days,
                    "categories": g.members.iter().map(|c| c.category.clone()).collect::<BTreeSet<_>>(),
                    "handling": handling(&g.members),
                    "timeline": timeline(&g.members),
                }),
                region: common_region(&g.members),
                key: g.key,
            }
        })
        .collect()
}

/// One text that reads as high risk on its own (triage's reading, with its reasons).
pub fn language(cases: &[ScanCase], as_of: i64, s: &Settings) -> Vec<Candidate> {
    let window = s.repeat_window_days * DAY;
    cases
        .iter()
        .filter(|c| c.text_risk == "high" && c.merged_into.is_none() && within(c, as_of, window))
        .map(|c| Candidate {
            kind: Kind::Language,
            key: format!("case:{}", c.id),
            level: 3,
            case_ids: vec![c.id.clone()],
            phone: None,
            summary: format!("工单 {} 的诉求内容提示高风险", c.number),
            evidence: serde_json::json!({ "number": c.number, "text": c.text.chars().take(200).collect::<String>() }),
            region: c.region.clone(),
        })
        .collect()
}

/// Handling that went wrong on a case: a clock ran out, the citizen was unsatisfied, it was
/// reopened or returned.
fn went_wrong(c: &ScanCase) -> bool {
    c.overdue || c.unsatisfied || c.reopened || c.returned
}

/// A phone as shown in a summary: the first three and last four digits.
fn masked(phone: &str) -> String {
    let n = phone.chars().count();
    if n < 8 {
        return "****".into();
    }
    let head: String = phone.chars().take(3).collect();
    let tail: String = phone.chars().skip(n - 4).collect();
    format!("{head}****{tail}")
}

/// What a new case has behind it, for one key (an object, or a caller).
struct Hit<'a> {
    label: String,
    phone: Option<String>,
    recent: Vec<&'a ScanCase>,
    bad: Vec<&'a ScanCase>,
    failed: Vec<&'a PastMediation>,
}

fn add_unique<'a, T>(into: &mut Vec<&'a T>, from: &[&'a T], same: impl Fn(&T, &T) -> bool) {
    for x in from {
        if !into.iter().any(|y| same(x, y)) {
            into.push(x);
        }
    }
}

/// A road, a street, a village, a market or a square — or a part of one (丰收路背街): a place
/// everybody living on it shares. Its history is everyone's history, so it makes no history
/// alert (a crowd there still makes a cluster, by what its members say).
fn is_place(object: &str) -> bool {
    WEAK.iter().any(|w| object.contains(w))
}

/// History (历史积案): a new case (within the repeat window) about something that went wrong
/// before — an object the texts name, or the same caller — with a mediation about it that failed
/// or was terminated, or at least `history_min_bad` earlier cases about it whose handling went
/// wrong ([`went_wrong`]), within `history_window_days`. Earlier cases about an object count only
/// in the new case's category group, so that a road's potholes are not the history of a noise
/// complaint on the same road. A caller's history that is all about one object already found is
/// that object's alert.
pub fn history(
    cases: &[ScanCase],
    mediations: &[PastMediation],
    as_of: i64,
    s: &Settings,
) -> Vec<Candidate> {
    let recent_window = s.repeat_window_days * DAY;
    let long = s.history_window_days.max(s.repeat_window_days) * DAY;
    let recent: Vec<&ScanCase> = cases
        .iter()
        .filter(|c| c.merged_into.is_none() && within(c, as_of, recent_window))
        .collect();
    if recent.is_empty() {
        return vec![];
    }
    let mut bad_by_object: BTreeMap<String, Vec<&ScanCase>> = BTreeMap::new();
    let mut bad_by_phone: BTreeMap<&str, Vec<&ScanCase>> = BTreeMap::new();
    for c in cases.iter().filter(|c| {
        c.merged_into.is_none()
            && went_wrong(c)
            && within(c, as_of, long)
            && !within(c, as_of, recent_window)
    }) {
        for o in objects(&c.text).into_iter().filter(|o| !is_place(o)) {
            bad_by_object.entry(o).or_default().push(c);
        }
        if c.phone.len() >= 5 {
            bad_by_phone.entry(c.phone.as_str()).or_default().push(c);
        }
    }
    let mut failed_by_object: BTreeMap<String, Vec<&PastMediation>> = BTreeMap::new();
    let mut failed_by_phone: BTreeMap<&str, Vec<&PastMediation>> = BTreeMap::new();
    for m in mediations
        .iter()
        .filter(|m| m.ended_at <= as_of && m.ended_at > as_of - long)
    {
        for o in objects(&m.text).into_iter().filter(|o| !is_place(o)) {
            failed_by_object.entry(o).or_default().push(m);
        }
        for p in m.phones.iter().filter(|p| p.len() >= 5) {
            failed_by_phone.entry(p.as_str()).or_default().push(m);
        }
    }
    let mut hits: BTreeMap<String, Hit> = BTreeMap::new();
    // (key, label, phone, the new case, its earlier bad cases, its failed mediations)
    type Found<'a> = (
        String,
        String,
        Option<String>,
        &'a ScanCase,
        Vec<&'a ScanCase>,
        Vec<&'a PastMediation>,
    );
    let mut found: Vec<Found> = Vec::new();
    for c in &recent {
        for o in objects(&c.text) {
            let bad: Vec<&ScanCase> = bad_by_object
                .get(&o)
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|b| group_of(&b.category) == group_of(&c.category))
                        .collect()
                })
                .unwrap_or_default();
            let failed = failed_by_object.get(&o).cloned().unwrap_or_default();
            if failed.is_empty() && bad.len() < s.history_min_bad {
                continue;
            }
            found.push((format!("history:object:{o}"), o, None, c, bad, failed));
        }
        if c.phone.len() >= 5 {
            let bad = bad_by_phone
                .get(c.phone.as_str())
                .cloned()
                .unwrap_or_default();
            let failed = failed_by_phone
                .get(c.phone.as_str())
                .cloned()
                .unwrap_or_default();
            if failed.is_empty() && bad.len() < s.history_min_bad {
                continue;
            }
            found.push((
                format!("history:phone:{}", c.phone),
                format!("来电人 {}", masked(&c.phone)),
                Some(c.phone.clone()),
                c,
                bad,
                failed,
            ));
        }
    }
    for (key, label, phone, c, bad, failed) in found {
        let h = hits.entry(key).or_insert_with(|| Hit {
            label,
            phone,
            recent: vec![],
            bad: vec![],
            failed: vec![],
        });
        add_unique(&mut h.recent, &[c], |a, b| a.id == b.id);
        add_unique(&mut h.bad, &bad, |a, b| a.id == b.id);
        add_unique(&mut h.failed, &failed, |a, b| a.id == b.id);
    }
    // A caller whose new cases are all in an object's alert is that alert's, not one more.
    let object_cases: Vec<BTreeSet<&str>> = hits
        .iter()
        .filter(|(k, _)| k.starts_with("history:object:"))
        .map(|(_, h)| h.recent.iter().map(|c| c.id.as_str()).collect())
        .collect();
    hits.retain(|k, h| {
        !k.starts_with("history:phone:")
            || !object_cases
                .iter()
                .any(|set| h.recent.iter().all(|c| set.contains(c.id.as_str())))
    });
    hits.into_iter()
        .map(|(key, mut h)| {
            h.recent.sort_by_key(|c| (c.reported_at, c.number.clone()));
            h.bad.sort_by_key(|c| (c.reported_at, c.number.clone()));
            let mut level: u8 = 2;
            if (!h.failed.is_empty() && h.bad.len() >= s.history_min_bad) || h.failed.len() >= 2 {
                level += 1;
            }
            if h.recent.iter().any(|c| risk_rank(&c.text_risk) >= 3)
                || h.recent.len() >= s.repeat_min_cases
            {
                level += 1;
            }
            let mut before = Vec::new();
            if !h.failed.is_empty() {
                before.push(format!("调解未成 {} 次", h.failed.len()));
            }
            if !h.bad.is_empty() {
                before.push(format!("办理超期、不满意等 {} 件", h.bad.len()));
            }
            let all: Vec<&ScanCase> = h.bad.iter().chain(h.recent.iter()).copied().collect();
            Candidate {
                kind: Kind::History,
                level: level.min(4),
                case_ids: all.iter().map(|c| c.id.clone()).collect(),
                phone: h.phone.clone(),
                summary: format!(
                    "「{}」此前{}，近 {} 日又有 {} 件诉求",
                    h.label,
                    before.join("、"),
                    s.repeat_window_days,
                    h.recent.len()
                ),
                evidence: serde_json::json!({
                    "object": if h.phone.is_none() { Some(h.label.clone()) } else { None },
                    "window_days": s.history_window_days,
                    "recent": h.recent.len(),
                    "earlier": h.bad.len(),
                    "failed_mediations": h.failed.iter().map(|m| serde_json::json!({
                        "id": m.id, "outcome": m.outcome, "ended_at": m.ended_at, "route": m.route,
                    })).collect::<Vec<_>>(),
                    "handling": handling(&h.bad),
                    "timeline": timeline(&all),
                }),
                region: common_region(&h.recent),
                key,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
