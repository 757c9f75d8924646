//! Synthetic work orders: a year of realistic history for the demo district.
//!
//! Each case is drawn from its own generator (seed, index), so the stream is deterministic, can be
//! produced lazily in bounded memory, and case `i` does not change when `n` changes.
//!
//! Order of the draws: channel (source) → time (weekday/hour profile of the channel, monthly volume)
//! → nature → category (base volume × seasonality of the month) → template → region → texts →
//! reporter → urgency → lifecycle (which steps happened before `now`).

use serde::Serialize;

use crate::district::{District, UnitSpec};
use crate::names::*;
use crate::rng::{
    DAY_MS, HOUR_MS, SplitMix64, civil_from_days, cumulative, local_day, local_day_start_ms,
    weekday,
};
use crate::taxonomy::{BASE_WEIGHT, MONTH_VOLUME, TAXONOMY, seasonal, subcategory};
use crate::templates::{N, TEMPLATES, Tpl};

/// How far back the synthetic history goes.
pub const HISTORY_DAYS: i64 = 365;

/// One synthetic work order and how far it got in its lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSpec {
    /// Short title, at most 30 characters ("关于良睦路夜间施工噪声扰民的投诉").
    pub title: String,
    /// The work-order text as an operator or grid worker would record it.
    pub description: String,
    /// `complaint` | `help` | `consult` | `suggestion` | `report` | `dispute` | `praise`.
    pub nature: &'static str,
    /// `一级/二级`, verbatim from [`crate::TAXONOMY`].
    pub category: &'static str,
    /// Default handling department of the category (short name, e.g. "城管局").
    pub department: &'static str,
    /// `normal` | `urgent` | `critical`.
    pub urgency: &'static str,
    /// `window` | `phone` | `web` | `app` | `open311` | `visit` | `grid` | `inspector` | `transfer`
    /// | `leader` | `media` | `import`.
    pub source: &'static str,
    pub reporter_name: String,
    pub reporter_phone: String,
    /// "临江区东湖街道金桥社区良睦路88号金桥花园3幢2单元" style.
    pub address: String,
    /// Code of the community/village where the case is located.
    pub region: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub reported_at_ms: i64,
    /// The furthest point the case reached by `now`.
    pub fate: Fate,
    /// The lifecycle actions that happened by `now`, in order, with their instants: replaying them
    /// through the state machine yields `fate`.
    pub steps: Vec<(Step, i64)>,
}

impl CaseSpec {
    /// Whether the case was returned (退单) by a unit at some point.
    pub fn was_returned(&self) -> bool {
        self.steps.iter().any(|(s, _)| *s == Step::Return)
    }

    /// Whether an extension (延期) was requested.
    pub fn was_extended(&self) -> bool {
        self.steps.iter().any(|(s, _)| *s == Step::RequestExtension)
    }
}

/// The furthest point a case reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Fate {
    Registered,
    Accepted,
    Rejected,
    /// Answered directly by the clerk (直接办结), typically a 咨询.
    Answered,
    Dispatched,
    InProgress,
    /// Returned by the unit (退单), waiting to be re-dispatched.
    Returned,
    /// In progress with an extension requested/approved.
    Extended,
    /// Resolved by the unit, waiting for the follow-up call.
    Resolved,
    Closed {
        /// `satisfied` | `basically_satisfied` | `unsatisfied`.
        satisfaction: &'static str,
        resolved: bool,
    },
    /// The first follow-up was unsatisfied, the case was reopened, handled again and closed.
    ReopenedThenClosed,
    /// Merged (并单) into another case about the same matter.
    Merged,
}

impl Fate {
    /// Whether the case is finished (no more work expected).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Fate::Rejected
                | Fate::Answered
                | Fate::Closed { .. }
                | Fate::ReopenedThenClosed
                | Fate::Merged
        )
    }
}

/// A lifecycle action; [`Step::code`] is the action code of the domain's transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    Accept,
    Reject,
    Answer,
    Merge,
    Dispatch,
    Return,
    Sign,
    RequestExtension,
    /// The dispatcher approves the extension.
    DecideExtension,
    Resolve,
    FollowUp {
        satisfaction: &'static str,
        resolved: bool,
    },
    Reopen,
}

impl Step {
    pub fn code(&self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Reject => "reject",
            Step::Answer => "answer",
            Step::Merge => "merge",
            Step::Dispatch => "dispatch",
            Step::Return => "return",
            Step::Sign => "sign",
            Step::RequestExtension => "request_extension",
            Step::DecideExtension => "decide_extension",
            Step::Resolve => "resolve",
            Step::FollowUp { .. } => "follow_up",
            Step::Reopen => "reopen",
        }
    }
}

/// `n` cases reported during the [`HISTORY_DAYS`] days before `now_ms`, deterministic for `seed`,
/// in the order they were reported.
pub fn cases(seed: u64, n: usize, now_ms: i64, district: &District) -> Vec<CaseSpec> {
    case_stream(seed, n, now_ms, district).collect()
}

/// The same cases as [`cases`], produced lazily (memory stays bounded for millions of cases).
/// Yields nothing when the district has no hub units.
pub fn case_stream(seed: u64, n: usize, now_ms: i64, district: &District) -> CaseStream<'_> {
    CaseStream::new(seed, n, now_ms, district)
}

// ---------------------------------------------------------------------------------------------
// Channel, nature and urgency mixes.

/// Channel mix: phone dominates (连云港 60%), then grid/inspector rounds, apps, the walk-in window.
const SOURCES: &[(&str, f64)] = &[
    ("phone", 60.0),
    ("grid", 8.0),
    ("inspector", 7.0),
    ("app", 7.0),
    ("web", 5.0),
    ("window", 8.0),
    ("visit", 1.5),
    ("open311", 1.0),
    ("transfer", 1.5),
    ("leader", 0.3),
    ("media", 0.3),
    ("import", 0.4),
];

/// Grid workers and city-management inspectors report what they see on their rounds.
fn is_field(source: &str) -> bool {
    matches!(source, "grid" | "inspector")
}

/// Channels that report a problem at a place (rounds, Open311 "随手拍" clients) draw from the
/// templates a passer-by can see, not from consultations about pensions.
fn uses_field_pool(source: &str) -> bool {
    is_field(source) || source == "open311"
}

/// Nature weights (order of [`N::ALL`]) for citizen channels, chosen so that together with the
/// field reports the overall mix is about 咨询 35 / 求助 25 / 投诉 25 / 建议 5 / 举报 4 / 纠纷 5 / 表扬 1.
fn nature_weights(source: &str) -> [f64; 7] {
    // complaint, help, consult, suggestion, report, dispute, praise
    match source {
        "grid" | "inspector" | "open311" => [70.0, 15.0, 0.0, 0.0, 15.0, 0.0, 0.0],
        // The 矛调 centre's window is where disputes walk in.
        "window" | "visit" => [17.0, 27.0, 31.0, 6.0, 2.0, 16.0, 1.2],
        "leader" | "media" | "transfer" => [40.0, 25.0, 8.0, 10.0, 6.0, 10.0, 1.0],
        _ => [17.1, 27.0, 45.0, 5.9, 2.1, 4.8, 1.2],
    }
}

/// Hour-of-day profile (Beijing time) of a channel.
fn hour_weights(source: &str) -> [f64; 24] {
    match source {
        "grid" | "inspector" | "visit" => [
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 3.0, 5.0, 5.0, 4.0, 1.0, 2.0, 4.5, 4.5, 4.0,
            1.5, 0.3, 0.1, 0.0, 0.0, 0.0, 0.0,
        ],
        "window" => [
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 5.0, 5.0, 3.5, 0.5, 2.0, 4.5, 4.5, 3.5,
            0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ],
        "web" | "app" | "open311" => [
            0.6, 0.4, 0.2, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.0, 3.0, 2.8, 2.5, 2.5, 2.8, 2.8, 2.6,
            2.4, 2.5, 3.0, 3.4, 3.4, 2.6, 1.4,
        ],
        _ => [
            0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5.0, 5.0, 4.5, 3.0, 3.5, 4.5, 4.5, 4.0,
            3.5, 2.5, 2.5, 2.2, 1.8, 1.2, 0.6,
        ],
    }
}

/// Relative weekend volume of a channel (weekdays are 1.0).
fn weekend_factor(source: &str) -> f64 {
    match source {
        "window" => 0.08,
        "grid" | "inspector" | "visit" | "leader" | "transfer" => 0.3,
        "phone" => 0.55,
        _ => 0.75,
    }
}

// ---------------------------------------------------------------------------------------------
// The stream.

/// A community/village as the generator sees it.
struct Place<'a> {
    unit: &'a UnitSpec,
    street: &'a str,
    stem: String,
    index: usize,
    village: bool,
}

/// Lazily generated cases; see [`case_stream`].
pub struct CaseStream<'a> {
    seed: u64,
    n: usize,
    next: usize,
    now_ms: i64,
    /// How many days back reporting instants reach ([`HISTORY_DAYS`] unless set).
    history_days: i64,
    places: Vec<Place<'a>>,
    /// Cumulative weights over `places` (all / villages only, the latter zero for 社区).
    cum_all: Vec<f64>,
    cum_rural: Vec<f64>,
    cum_urban: Vec<f64>,
    /// `[field][nature][month]` → cumulative weights over the 44 categories.
    cat_tables: Vec<Vec<Vec<Vec<f64>>>>,
    /// `[category][field][nature]` → indices of the usable templates.
    tpl_index: Vec<[[Vec<usize>; 7]; 2]>,
    cum_sources: Vec<f64>,
    /// The order the cases come out in: `(second of the reporting instant from the start of the
    /// history) << 32 | index`, sorted. Worked out at the first `next` (see [`Self::chronological`]).
    order: Option<Vec<u64>>,
}

impl<'a> CaseStream<'a> {
    /// Spreads the cases over the `days` before now instead of one year (a bulk history of
    /// several years for load tests).
    pub fn over_days(mut self, days: i64) -> Self {
        self.history_days = days;
        self
    }

    fn new(seed: u64, n: usize, now_ms: i64, district: &'a District) -> Self {
        let mut places: Vec<Place<'a>> = Vec::new();
        let mut hubs: Vec<&UnitSpec> = district.communities().filter(|u| u.is_hub()).collect();
        if hubs.is_empty() {
            // A district without communities: locate cases at whatever hubs exist.
            hubs = district.units.iter().filter(|u| u.is_hub()).collect();
        }
        for (index, unit) in hubs.into_iter().enumerate() {
            let street = district
                .street_of(&unit.code)
                .map(|s| s.area.as_str())
                .unwrap_or("");
            let village = unit.is_village();
            let stem = unit
                .area
                .trim_end_matches("社区")
                .trim_end_matches('村')
                .to_string();
            places.push(Place {
                unit,
                street,
                stem,
                index,
                village,
            });
        }
        // Community sizes vary; villages are smaller than urban communities.
        let weight = |p: &Place| {
            let base = 0.6 + ((p.index * 7919 + 13) % 100) as f64 / 100.0 * 1.4;
            if p.village { base * 0.5 } else { base }
        };
        let cum_all = cumulative(places.iter().map(weight));
        let cum_rural = cumulative(
            places
                .iter()
                .map(|p| if p.village { weight(p) } else { 0.0 }),
        );
        let cum_urban = cumulative(
            places
                .iter()
                .map(|p| if p.village { 0.0 } else { weight(p) }),
        );

        let mut tpl_index: Vec<[[Vec<usize>; 7]; 2]> = Vec::with_capacity(TEMPLATES.len());
        for tpls in TEMPLATES.iter() {
            let mut by: [[Vec<usize>; 7]; 2] = Default::default();
            for (i, t) in tpls.iter().enumerate() {
                by[0][t.nature.index()].push(i);
                if t.field {
                    by[1][t.nature.index()].push(i);
                }
            }
            tpl_index.push(by);
        }
        let weight_of = |field: usize, nature: usize, month: u32| {
            cumulative(tpl_index.iter().enumerate().map(|(c, by)| {
                if by[field][nature].is_empty() {
                    0.0
                } else {
                    BASE_WEIGHT[c] * seasonal(c, month)
                }
            }))
        };
        let cat_tables: Vec<Vec<Vec<Vec<f64>>>> = (0..2)
            .map(|field| {
                (0..N::ALL.len())
                    .map(|nature| {
                        (1..=12u32)
                            .map(|month| weight_of(field, nature, month))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self {
            seed,
            n: if places.is_empty() { 0 } else { n },
            next: 0,
            now_ms,
            history_days: HISTORY_DAYS,
            places,
            cum_all,
            cum_rural,
            cum_urban,
            cat_tables,
            tpl_index,
            cum_sources: cumulative(SOURCES.iter().map(|(_, w)| *w)),
            order: None,
        }
    }

    /// Case `index`'s generator, channel and reporting instant: the first draws of
    /// [`Self::generate`], cheap enough to make for every case to put them in order.
    fn head(&self, index: usize) -> (SplitMix64, &'static str, i64) {
        let mut rng = SplitMix64::for_item(self.seed, index as u64);
        let source = SOURCES[rng.cumulative_pick(&self.cum_sources)].0;
        let reported_at_ms = self.draw_time(source, &mut rng);
        (rng, source, reported_at_ms)
    }

    /// The cases' indices in the order of their reporting instants (to the second), as a real
    /// district registers them: case numbers, ids and storage order then follow time, so an
    /// index walked newest entry first (search) meets the newest reports, and the rows of recent
    /// weeks sit together as they would. Eight bytes per case (80 MB for ten million).
    fn chronological(&self) -> Vec<u64> {
        let start_s = self.now_ms.div_euclid(1000) - (self.history_days.max(1) + 2) * 86_400;
        let mut keys: Vec<u64> = (0..self.n)
            .map(|i| {
                let (_, _, at) = self.head(i);
                let s = (at.div_euclid(1000) - start_s).clamp(0, i64::from(u32::MAX)) as u64;
                s << 32 | (i as u64 & 0xFFFF_FFFF)
            })
            .collect();
        keys.sort_unstable();
        keys
    }

    fn generate(&self, index: usize) -> CaseSpec {
        let (mut rng, source, reported_at_ms) = self.head(index);
        let field = uses_field_pool(source);
        let (_, month, _) = civil_from_days(local_day(reported_at_ms));

        // Nature, then a category that has a template of that nature for this channel.
        let mut nweights = nature_weights(source);
        let (cat, nature) = loop {
            let ni = rng.weighted(&nweights);
            let table = &self.cat_tables[usize::from(field)][ni][(month - 1) as usize];
            if table.last().copied().unwrap_or(0.0) > 0.0 {
                break (rng.cumulative_pick(table), N::ALL[ni]);
            }
            // No template of that nature for the channel (cannot happen with the shipped tables);
            // drop the nature and draw again.
            nweights[ni] = 0.0;
            if nweights.iter().all(|w| *w <= 0.0) {
                break (0, N::Complaint);
            }
        };
        let candidates = &self.tpl_index[cat][usize::from(field)][nature.index()];
        let tpl: Tpl = if candidates.is_empty() {
            TEMPLATES[cat][0]
        } else {
            TEMPLATES[cat][candidates[rng.index(candidates.len())]]
        };
        let nature = tpl.nature;

        // Estates with property companies and owners' committees are mostly urban; villages get
        // their share of those through their 农居点 now and then.
        let estate = tpl.body.contains("{est}") || tpl.body.contains("{home}");
        let has = |cum: &[f64]| cum.last().copied().unwrap_or(0.0) > 0.0;
        let place_i = if tpl.rural && has(&self.cum_rural) {
            rng.cumulative_pick(&self.cum_rural)
        } else if estate && has(&self.cum_urban) && rng.chance(0.9) {
            rng.cumulative_pick(&self.cum_urban)
        } else {
            rng.cumulative_pick(&self.cum_all)
        };
        let place = &self.places[place_i];
        let (category, department) = TAXONOMY[cat];

        let mut ctx = Slots::new(place, department);
        let person = person_word(source);
        let mut body = ctx.fill(tpl.body, &mut rng);
        if person != "来电人" {
            body = body.replace("特来电", "特此").replace("来电人", person);
        }
        let opener_tpl = opener(source, nature, &mut rng);
        let opener_text = ctx.fill(opener_tpl, &mut rng);
        if opener_text.contains(person) && body.starts_with(person) {
            // "来电人称：来电人的电动车…" → "来电人称：其电动车…", as operators write it.
            let rest = &body[person.len()..];
            body = format!("其{}", rest.strip_prefix('的').unwrap_or(rest));
        }
        let mut description = format!("{opener_text}{body}。");
        if !tpl.ask.is_empty() {
            let closer_tpl = closer(source, nature, &mut rng);
            let closer_text = ctx.fill(closer_tpl, &mut rng);
            description.push_str(&closer_text.replace("{ask}", tpl.ask));
        }
        if nature != N::Praise && rng.chance(0.15) {
            description.push_str(remark(source, nature, &mut rng));
        }
        let mut title = ctx.fill(tpl.title, &mut rng);
        if title.chars().count() > 30 {
            title = format!("关于{}问题的{}", subcategory(category), nature.label());
        }
        let address = ctx.address(&mut rng);

        let (reporter_name, reporter_phone) = reporter(source, &mut rng);
        let urgency = urgency(tpl.urg, &mut rng);
        let (lat, lon) = coordinates(place.unit, source, &mut rng);
        let (fate, steps) = lifecycle(
            nature,
            urgency,
            source,
            reported_at_ms,
            self.now_ms,
            &mut rng,
        );

        CaseSpec {
            title,
            description,
            nature: nature.code(),
            category,
            department,
            urgency,
            source,
            reporter_name,
            reporter_phone,
            address,
            region: place.unit.region.clone(),
            lat,
            lon,
            reported_at_ms,
            fate,
            steps,
        }
    }

    /// A reporting instant in the year before `now`: weekdays over weekends, the channel's working
    /// hours, more calls in the hot summer and fewer at the Spring Festival.
    fn draw_time(&self, source: &str, rng: &mut SplitMix64) -> i64 {
        let today = local_day(self.now_ms);
        let weekend = weekend_factor(source);
        let max_volume = MONTH_VOLUME.iter().copied().fold(0.0, f64::max);
        let mut day = today;
        for _ in 0..64 {
            day = today - rng.below(self.history_days.max(1) as u64) as i64;
            let wd = weekday(day);
            let (_, m, _) = civil_from_days(day);
            let w = if wd == 0 || wd == 6 { weekend } else { 1.0 } * MONTH_VOLUME[(m - 1) as usize]
                / max_volume;
            if rng.chance(w) {
                break;
            }
        }
        let hour = rng.weighted(&hour_weights(source)) as i64;
        let mut at = local_day_start_ms(day) + hour * HOUR_MS + rng.below(HOUR_MS as u64) as i64;
        if at > self.now_ms {
            // Later today than now: the same hour yesterday.
            at -= DAY_MS;
        }
        at
    }
}

impl Iterator for CaseStream<'_> {
    type Item = CaseSpec;

    fn next(&mut self) -> Option<CaseSpec> {
        if self.next >= self.n {
            return None;
        }
        if self.order.is_none() {
            self.order = Some(self.chronological());
        }
        let index = self
            .order
            .as_ref()
            .and_then(|o| o.get(self.next))
            .map_or(self.next, |k| (k & 0xFFFF_FFFF) as usize);
        let case = self.generate(index);
        self.next += 1;
        Some(case)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.n - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for CaseStream<'_> {}

// ---------------------------------------------------------------------------------------------
// Texts.

/// How the record calls the person who reported, per channel.
fn person_word(source: &str) -> &'static str {
    match source {
        "web" | "app" | "open311" => "留言人",
        "window" => "来访人",
        "visit" => "该居民",
        "leader" | "media" => "当事人",
        _ => "来电人",
    }
}

fn opener(source: &str, nature: N, rng: &mut SplitMix64) -> &'static str {
    let list: &[&str] = match (source, nature) {
        ("phone" | "import", N::Consult) => {
            &["市民来电咨询：", "来电人咨询：", "来电人称：", "市民来电："]
        }
        ("phone" | "import", N::Praise) => &["市民来电表扬：", "来电人称："],
        ("phone", _) => &[
            "市民来电反映：",
            "来电人反映：",
            "来电人称：",
            "市民来电：",
            "来电人表示：",
        ],
        ("import", _) => &["（历史工单）来电人反映：", "来电人反映：", "市民来电反映："],
        ("web", N::Consult) => &["市民通过12345网站咨询：", "网民留言咨询："],
        ("web", _) => &[
            "市民通过12345网站留言反映：",
            "网民留言：",
            "市民通过区长信箱反映：",
        ],
        ("app", _) => &[
            "市民通过“浙里办”APP反映：",
            "市民通过“临江发布”小程序留言：",
            "留言人通过APP反映：",
        ],
        ("open311", _) => &["Open311客户端提交：", "市民通过“城市大脑”随手拍上报："],
        ("window", _) => &[
            "群众到区社会治理中心窗口反映：",
            "来访人反映：",
            "群众到{s}社会治理中心来访反映：",
        ],
        ("visit", _) => &[
            "入户走访中，群众反映：",
            "“三服务”走访中群众反映：",
            "{c}“百姓说事”活动中居民反映：",
        ],
        ("grid", _) => &[
            "网格员巡查发现：",
            "网格员上报：",
            "{c}网格员日常巡查发现：",
        ],
        ("inspector", _) => &["城管监督员巡查发现：", "信息采集员上报：", "视频巡查发现："],
        ("transfer", _) => &[
            "省12345平台转办：来电人反映，",
            "市12345平台转办：来电人称，",
            "110非警务警情转办：来电人称，",
        ],
        ("leader", _) => &["区领导批示转办：群众反映，", "领导交办件：群众反映，"],
        ("media", _) => &[
            "媒体曝光：有网民在“临江论坛”发帖反映，",
            "舆情线索：有群众在短视频平台反映，",
        ],
        _ => &["市民反映："],
    };
    rng.pick(list)
}

fn closer(source: &str, nature: N, rng: &mut SplitMix64) -> &'static str {
    let list: &[&str] = match (source, nature) {
        ("grid" | "inspector", _) => &[
            "现场已拍照取证，请相关部门{ask}。",
            "经现场劝导未果，需{dept}{ask}。",
            "已告知{c}，请{dept}{ask}。",
            "建议{dept}{ask}。",
        ],
        ("leader", _) => &["请{dept}{ask}，并于五个工作日内反馈办理情况。"],
        ("media", _) => &["请{dept}核实情况，{ask}，并及时回应关切。"],
        (_, N::Suggestion) => &[
            "望相关部门{ask}。",
            "请相关部门{ask}。",
            "希望{dept}{ask}。",
        ],
        ("phone" | "transfer" | "import", N::Consult) => {
            &["诉求：{ask}。", "来电人希望{ask}。", "请相关部门{ask}。"]
        }
        (_, N::Consult) => &["诉求：{ask}。", "请相关部门{ask}。"],
        ("phone" | "transfer" | "import", _) => &[
            "诉求：{ask}。",
            "来电人希望{ask}。",
            "来电人要求{ask}。",
            "请相关部门{ask}。",
            "请{dept}核实后{ask}。",
        ],
        ("window", _) => &["诉求：{ask}。", "来访人希望{ask}。", "请相关部门{ask}。"],
        _ => &["诉求：{ask}。", "希望相关部门{ask}。", "请相关部门{ask}。"],
    };
    rng.pick(list)
}

fn remark(source: &str, nature: N, rng: &mut SplitMix64) -> &'static str {
    let calm = matches!(nature, N::Consult | N::Suggestion);
    let list: &[&str] = match source {
        "phone" | "transfer" | "import" if calm => &[
            "来电人要求回电告知。",
            "来电人希望不要透露其个人信息。",
            "来电人为老年人，听力不太好，回电时请耐心沟通。",
            "请承办单位核实后回复来电人。",
        ],
        "phone" | "transfer" | "import" => &[
            "来电人要求回电告知处理结果。",
            "来电人称此前已多次反映，问题一直未解决。",
            "来电人情绪较为激动。",
            "来电人希望不要透露其个人信息。",
            "请承办单位核实后回复来电人。",
            "来电人为老年人，听力不太好，回电时请耐心沟通。",
            "来电人表示如再不解决将向上级部门反映。",
        ],
        "web" | "app" | "open311" => &[
            "留言人要求回复处理结果。",
            "留言附现场照片3张。",
            "请承办单位及时回复留言人。",
        ],
        "grid" | "inspector" => &[
            "附现场照片2张。",
            "已纳入网格事件台账。",
            "已现场劝导，暂未整改。",
        ],
        _ if calm => &["请承办单位核实后回复。"],
        _ => &["请承办单位核实后回复。", "此前已多次反映。"],
    };
    rng.pick(list)
}

/// Values of the `{slot}`s of one case; a slot keeps its value within the case.
struct Slots<'p, 'a> {
    place: &'p Place<'a>,
    department: &'static str,
    values: Vec<(&'static str, String)>,
}

fn money(yuan: i64) -> String {
    if yuan >= 10_000 {
        let wan = yuan as f64 / 10_000.0;
        if (wan - wan.round()).abs() < 0.05 {
            format!("{}万元", wan.round() as i64)
        } else {
            format!("{wan:.1}万元")
        }
    } else {
        format!("{yuan}元")
    }
}

impl<'p, 'a> Slots<'p, 'a> {
    fn new(place: &'p Place<'a>, department: &'static str) -> Self {
        Self {
            place,
            department,
            values: Vec::with_capacity(12),
        }
    }

    fn used(&self, key: &str) -> bool {
        self.values.iter().any(|(k, _)| *k == key)
    }

    fn get(&mut self, key: &'static str, rng: &mut SplitMix64) -> String {
        if let Some((_, v)) = self.values.iter().find(|(k, _)| *k == key) {
            return v.clone();
        }
        let v = self.generate(key, rng);
        self.values.push((key, v.clone()));
        v
    }

    /// Replaces every `{key}` of a static template; unknown keys are left as they are.
    fn fill(&mut self, template: &'static str, rng: &mut SplitMix64) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let key = &after[..close];
                    if key == "ask" || !is_slot(key) {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    } else {
                        out.push_str(&self.get(key, rng));
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn road_of_place(&self, k: usize) -> &'static str {
        ROADS[(self.place.index * 7 + k * 11) % ROADS.len()]
    }

    fn estate(&self, k: usize) -> String {
        if self.place.village {
            let kinds = ["农居点", "安置小区", "农居点"];
            return format!("{}{}", self.place.unit.area, kinds[k % kinds.len()]);
        }
        let stem = &self.place.stem;
        if stem.ends_with('园') || stem.ends_with('苑') || stem.ends_with('庭') {
            let kinds = ["小区", "新村", "公寓", "东区", "西区"];
            return format!("{stem}{}", kinds[(self.place.index + k * 2) % kinds.len()]);
        }
        format!(
            "{stem}{}",
            ESTATE_SUFFIXES[(self.place.index * 5 + k * 3) % ESTATE_SUFFIXES.len()]
        )
    }

    fn generate(&mut self, key: &'static str, rng: &mut SplitMix64) -> String {
        match key {
            "c" => self.place.unit.area.clone(),
            "s" => self.place.street.to_string(),
            "dept" => self.department.to_string(),
            "est" => {
                let k = rng.index(3);
                self.estate(k)
            }
            "home" => {
                let est = self.get("est", rng);
                let b = self.get("b", rng);
                let u = self.get("u", rng);
                let room = self.get("room", rng);
                format!("{est}{b}幢{u}单元{room}室")
            }
            "b" => rng.range(1, 32).to_string(),
            "u" => rng.pick(&[1, 1, 2, 2, 3, 4]).to_string(),
            "room" => format!("{}0{}", rng.range(1, 18), rng.range(1, 4)),
            "g" => rng.range(1, 12).to_string(),
            "r" => {
                let k = rng.index(3);
                self.road_of_place(k).to_string()
            }
            "r2" => {
                let r = self.get("r", rng);
                let mut other = rng.pick(ROADS);
                for k in 0..3 {
                    let cand = self.road_of_place((k + 1 + rng.index(3)) % 3);
                    if cand != r {
                        other = cand;
                        break;
                    }
                }
                while other == r {
                    other = rng.pick(ROADS);
                }
                other.to_string()
            }
            "n" => rng.range(1, 388).to_string(),
            "shop" => format!("{}{}", rng.pick(SHOP_PREFIXES), rng.pick(SHOP_KINDS)),
            "shopt" => rng.pick(BUSINESS_KINDS).to_string(),
            "market" => format!("{}{}", rng.pick(MARKET_PREFIXES), rng.pick(MARKET_KINDS)),
            "gym" => format!("{}{}", rng.pick(PREPAID_PREFIXES), rng.pick(PREPAID_KINDS)),
            "train" => format!(
                "{}{}",
                rng.pick(TRAINING_PREFIXES),
                rng.pick(TRAINING_KINDS)
            ),
            "co" => {
                let city = rng.pick(&["杭州", "杭州", "临江", ""]);
                format!(
                    "{city}{}{}",
                    rng.pick(COMPANY_WORDS),
                    rng.pick(COMPANY_KINDS)
                )
            }
            "prop" => format!("{}{}", rng.pick(PROPERTY_WORDS), rng.pick(PROPERTY_KINDS)),
            "site" => {
                let road = rng.pick(ROADS);
                match rng.index(5) {
                    0 => format!("{road}道路改造工程"),
                    1 => format!(
                        "地铁{}号线{}站工地",
                        rng.range(3, 12),
                        road.trim_end_matches(['路', '街'])
                    ),
                    2 => format!("{road}雨污分流工程"),
                    3 => format!("{}项目工地", self.estate(2)),
                    _ => format!(
                        "{}商业综合体工地",
                        self.place.street.trim_end_matches(['街', '道', '镇'])
                    ),
                }
            }
            "school" => {
                let street_stem = self
                    .place
                    .street
                    .trim_end_matches("街道")
                    .trim_end_matches('镇');
                match rng.index(5) {
                    0 => "临江区实验小学".to_string(),
                    1 => format!("临江区第{}小学", rng.pick(&["一", "二", "三", "四", "五"])),
                    2 => format!("{}小学", self.place.stem),
                    3 => format!("{street_stem}中学"),
                    _ => format!("{street_stem}中心小学"),
                }
            }
            "hosp" => rng.pick(HOSPITALS).to_string(),
            "bus" => format!("{}路", rng.range(1, 399)),
            "plate" => plate(rng),
            "t" => rng.pick(TIME_WINDOWS).to_string(),
            "tn" => rng.pick(NIGHT_WINDOWS).to_string(),
            "d" => rng.pick(SINCE).to_string(),
            "dd" => rng.pick(LASTED).to_string(),
            "when" => rng.pick(WHEN).to_string(),
            "m" => money(rng.range(28, 600) * 100),
            "mbig" => money(rng.range(8, 90) * 10_000),
            "amt" => money(rng.pick(&[
                980, 1280, 1680, 2000, 2680, 3800, 5000, 6800, 9800, 12_000, 16_800, 23_000,
                36_000, 58_000,
            ])),
            "amt2" => money(rng.pick(&[
                20, 35, 48, 60, 80, 120, 150, 200, 260, 300, 380, 500, 680, 880,
            ])),
            "mo" => rng.pick(MONTHS).to_string(),
            "yrs" => rng.pick(YEARS).to_string(),
            "k" => rng.pick(HEADCOUNTS).to_string(),
            "wk" => rng.pick(WORK_KINDS).to_string(),
            "age" => rng.range(63, 92).to_string(),
            "age2" => rng.range(40, 55).to_string(),
            "ageret" => rng.pick(&["50", "55", "60"]).to_string(),
            "kid" => rng.pick(KIDS).to_string(),
            "grade" => rng
                .pick(&["今年要上一年级", "今年要上初一", "明年上小学"])
                .to_string(),
            "gradeN" => rng
                .pick(&["二年级", "三年级", "五年级", "初二", "四年级"])
                .to_string(),
            "day" => rng.range(1, 30).to_string(),
            "infm" => rng.pick(&["3", "6", "8", "12", "18"]).to_string(),
            "days" => rng.range(3, 21).to_string(),
            "hrs" => rng.pick(HOURS_PHRASES).to_string(),
            "date" => rng.pick(FUTURE_DATES).to_string(),
            "pfee" => {
                let base = rng.range(8, 22);
                self.values.push((
                    "pfee2",
                    format!("{:.1}", (base + rng.range(3, 9)) as f64 / 10.0),
                ));
                format!("{:.1}", base as f64 / 10.0)
            }
            "pfee2" => {
                let _ = self.get("pfee", rng);
                self.values
                    .iter()
                    .find(|(k, _)| *k == "pfee2")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            }
            "staff" => format!("{}{}", surname(rng), rng.pick(STAFF_TITLES)),
            "old" => format!("老{}", surname(rng)),
            _ => format!("{{{key}}}"),
        }
    }

    /// The case's location, consistent with the slots the texts used.
    fn address(&mut self, rng: &mut SplitMix64) -> String {
        let prefix = format!(
            "{DISTRICT_NAME}{}{}",
            self.place.street, self.place.unit.area
        );
        if self.used("est") || self.used("home") {
            let road = self.get("r", rng);
            let n = self.get("n", rng);
            let est = self.get("est", rng);
            if self.used("b") {
                let b = self.get("b", rng);
                if self.used("u") {
                    let u = self.get("u", rng);
                    return format!("{prefix}{road}{n}号{est}{b}幢{u}单元");
                }
                return format!("{prefix}{road}{n}号{est}{b}幢");
            }
            return format!("{prefix}{road}{n}号{est}");
        }
        if self.used("g") {
            let g = self.get("g", rng);
            let n = self.get("n", rng);
            return format!("{prefix}{g}组{n}号");
        }
        if self.used("r2") && !self.used("n") {
            let r = self.get("r", rng);
            let r2 = self.get("r2", rng);
            return format!("{prefix}{r}与{r2}交叉口");
        }
        if self.used("r") || rng.chance(0.5) {
            let r = self.get("r", rng);
            let n = self.get("n", rng);
            return format!("{prefix}{r}{n}号");
        }
        prefix
    }
}

/// Keys the slot filler knows (anything else in braces is left alone).
fn is_slot(key: &str) -> bool {
    matches!(
        key,
        "c" | "s"
            | "dept"
            | "est"
            | "home"
            | "b"
            | "u"
            | "room"
            | "g"
            | "r"
            | "r2"
            | "n"
            | "shop"
            | "shopt"
            | "market"
            | "gym"
            | "train"
            | "co"
            | "prop"
            | "site"
            | "school"
            | "hosp"
            | "bus"
            | "plate"
            | "t"
            | "tn"
            | "d"
            | "dd"
            | "when"
            | "m"
            | "mbig"
            | "amt"
            | "amt2"
            | "mo"
            | "yrs"
            | "k"
            | "wk"
            | "age"
            | "age2"
            | "ageret"
            | "kid"
            | "grade"
            | "gradeN"
            | "day"
            | "infm"
            | "days"
            | "hrs"
            | "date"
            | "pfee"
            | "pfee2"
            | "staff"
            | "old"
    )
}

fn plate(rng: &mut SplitMix64) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"0123456789";
    if rng.chance(0.15) {
        // New-energy plate: D/F + 5 digits.
        let mut s = String::from("浙A");
        s.push(if rng.chance(0.7) { 'D' } else { 'F' });
        for _ in 0..5 {
            s.push(char::from(rng.pick(DIGITS)));
        }
        return s;
    }
    let mut s = String::from("浙A");
    let letter_at = rng.index(5);
    let second_letter = if rng.chance(0.3) { rng.index(5) } else { 9 };
    for i in 0..5 {
        if i == letter_at || i == second_letter {
            s.push(char::from(rng.pick(LETTERS)));
        } else {
            s.push(char::from(rng.pick(DIGITS)));
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// People.

fn surname(rng: &mut SplitMix64) -> &'static str {
    if rng.chance(0.6) {
        rng.pick(TOP_SURNAMES)
    } else {
        rng.pick(MORE_SURNAMES)
    }
}

/// Whether a run of digits looks made up (1234, 8765, 0000): real numbers are not drawn like that.
fn looks_fake(digits: &[u8]) -> bool {
    digits.windows(4).any(|w| {
        let up = w.windows(2).all(|p| p[1] == p[0] + 1);
        let down = w.windows(2).all(|p| p[0] == p[1] + 1);
        let same = w.windows(2).all(|p| p[0] == p[1]);
        up || down || same
    })
}

/// `prefix` followed by `n` random digits, redrawn until the whole number looks real.
fn digits(rng: &mut SplitMix64, prefix: &str, n: usize) -> String {
    loop {
        let mut d: Vec<u8> = prefix.bytes().collect();
        d.extend((0..n).map(|_| b'0' + rng.below(10) as u8));
        if !looks_fake(&d) {
            return d.into_iter().map(char::from).collect();
        }
    }
}

/// A name and a phone number. Callers often give only a surname (王先生/李女士); grid workers
/// and inspectors always sign with their full name.
fn reporter(source: &str, rng: &mut SplitMix64) -> (String, String) {
    let family = surname(rng);
    let name = if !is_field(source) && rng.chance(0.22) {
        format!("{family}{}", if rng.chance(0.5) { "先生" } else { "女士" })
    } else {
        format!("{family}{}", rng.pick(GIVEN_NAMES))
    };
    let phone = if !is_field(source) && rng.chance(0.05) {
        format!("0571-{}", digits(rng, "8", 7))
    } else {
        let prefix = rng.pick(MOBILE_PREFIXES);
        digits(rng, prefix, 8)
    };
    (name, phone)
}

/// A point near the community centre. Field reports and apps always carry GPS; phone calls are
/// geocoded from the address most of the time.
fn coordinates(unit: &UnitSpec, source: &str, rng: &mut SplitMix64) -> (Option<f64>, Option<f64>) {
    let p = match source {
        "grid" | "inspector" | "app" | "open311" => 1.0,
        "phone" => 0.75,
        "web" => 0.6,
        _ => 0.5,
    };
    match (unit.lat, unit.lon) {
        (Some(lat), Some(lon)) if rng.chance(p) => {
            let round = |x: f64| (x * 1e6).round() / 1e6;
            (
                Some(round(lat + rng.uniform(-0.004, 0.004))),
                Some(round(lon + rng.uniform(-0.005, 0.005))),
            )
        }
        _ => (None, None),
    }
}

// ---------------------------------------------------------------------------------------------
// Urgency and lifecycle.

fn urgency(level: u8, rng: &mut SplitMix64) -> &'static str {
    let x = rng.unit();
    match level {
        2 if x < 0.4 => "critical",
        2 if x < 0.85 => "urgent",
        1 if x < 0.35 => "urgent",
        0 if x < 0.01 => "urgent",
        _ => "normal",
    }
}

fn hours(h: f64) -> i64 {
    (h * HOUR_MS as f64) as i64
}

/// Exponential-ish delay: `min + mean·(−ln u)`, capped.
fn delay(rng: &mut SplitMix64, min: f64, mean: f64, cap: f64) -> f64 {
    let u = rng.unit().max(1e-9);
    (min - mean * u.ln()).min(cap)
}

/// The whole planned life of a case, then cut at `now`.
fn lifecycle(
    nature: N,
    urgency: &str,
    source: &str,
    reported: i64,
    now: i64,
    rng: &mut SplitMix64,
) -> (Fate, Vec<(Step, i64)>) {
    let mut plan: Vec<(Step, f64)> = Vec::with_capacity(12);
    // Intake: phone and window cases are accepted while the person is there.
    let accept = match source {
        "phone" | "window" | "transfer" | "import" => rng.uniform(0.02, 0.4),
        "grid" | "inspector" | "visit" => delay(rng, 0.1, 1.5, 24.0),
        _ => delay(rng, 0.2, 4.0, 48.0),
    };
    let fate_roll = rng.unit();
    let critical = urgency == "critical";
    let urgent = urgency != "normal";
    if fate_roll < 0.02 && !urgent {
        plan.push((Step::Reject, accept));
    } else if fate_roll < 0.05 && !critical {
        plan.push((Step::Accept, accept));
        plan.push((Step::Merge, accept + delay(rng, 0.1, 2.0, 24.0)));
    } else if (nature == N::Consult && rng.chance(0.52)) || (nature == N::Help && rng.chance(0.06))
    {
        plan.push((Step::Accept, accept));
        plan.push((Step::Answer, accept + rng.uniform(0.01, 0.2)));
    } else {
        plan.push((Step::Accept, accept));
        let mut t = accept
            + if urgent {
                rng.uniform(0.03, 0.5)
            } else {
                delay(rng, 0.1, 2.5, 48.0)
            };
        plan.push((Step::Dispatch, t));
        if rng.chance(0.065) {
            t += rng.uniform(1.0, 30.0);
            plan.push((Step::Return, t));
            t += delay(rng, 0.5, 3.0, 24.0);
            plan.push((Step::Dispatch, t));
        }
        t += if critical {
            rng.uniform(0.05, 0.3)
        } else if urgent {
            rng.uniform(0.1, 0.5)
        } else if rng.chance(0.03) {
            rng.uniform(24.0, 72.0) // signed late
        } else {
            delay(rng, 0.2, 5.0, 24.0)
        };
        plan.push((Step::Sign, t));
        let mut handle = if nature == N::Consult {
            rng.uniform(2.0, 30.0)
        } else {
            let x = rng.unit();
            if x < 0.5 {
                rng.uniform(4.0, 48.0)
            } else if x < 0.85 {
                rng.uniform(48.0, 120.0)
            } else if x < 0.95 {
                rng.uniform(120.0, 170.0)
            } else {
                rng.uniform(170.0, 400.0) // overdue
            }
        };
        if critical {
            handle = rng.uniform(0.5, 8.0);
        } else if urgent {
            handle /= 3.0;
        }
        if nature != N::Consult && !critical && rng.chance(0.068) {
            let ask = t + handle * rng.uniform(0.4, 0.8);
            plan.push((Step::RequestExtension, ask));
            plan.push((Step::DecideExtension, ask + delay(rng, 1.0, 6.0, 48.0)));
            handle += rng.uniform(72.0, 240.0);
        }
        t += handle;
        plan.push((Step::Resolve, t));
        t += delay(rng, 4.0, 16.0, 72.0);
        if rng.chance(0.02) {
            plan.push((
                Step::FollowUp {
                    satisfaction: "unsatisfied",
                    resolved: false,
                },
                t,
            ));
            // The dispatcher reopens on the unsatisfied call itself (same instant), so a cut at
            // `now` never separates the two.
            plan.push((Step::Reopen, t));
            t += rng.uniform(24.0, 120.0);
            plan.push((Step::Resolve, t));
            t += delay(rng, 4.0, 12.0, 48.0);
            let satisfaction = if rng.chance(0.7) {
                "satisfied"
            } else {
                "basically_satisfied"
            };
            plan.push((
                Step::FollowUp {
                    satisfaction,
                    resolved: true,
                },
                t,
            ));
        } else {
            let x = rng.unit();
            let (satisfaction, p_resolved) = if x < 0.88 {
                ("satisfied", 0.97)
            } else if x < 0.96 {
                ("basically_satisfied", 0.75)
            } else {
                ("unsatisfied", 0.3)
            };
            let resolved = rng.chance(p_resolved);
            plan.push((
                Step::FollowUp {
                    satisfaction,
                    resolved,
                },
                t,
            ));
        }
    }

    let steps: Vec<(Step, i64)> = plan
        .into_iter()
        .map(|(s, h)| (s, reported + hours(h)))
        .take_while(|(_, at)| *at <= now)
        .collect();
    let reopened = steps.iter().any(|(s, _)| *s == Step::Reopen);
    let fate = match steps.last().map(|(s, _)| *s) {
        None => Fate::Registered,
        Some(Step::Accept) => Fate::Accepted,
        Some(Step::Reject) => Fate::Rejected,
        Some(Step::Answer) => Fate::Answered,
        Some(Step::Merge) => Fate::Merged,
        Some(Step::Dispatch) => Fate::Dispatched,
        Some(Step::Return) => Fate::Returned,
        Some(Step::Sign) | Some(Step::Reopen) => Fate::InProgress,
        Some(Step::RequestExtension) | Some(Step::DecideExtension) => Fate::Extended,
        Some(Step::Resolve) => Fate::Resolved,
        Some(Step::FollowUp { .. }) if reopened => Fate::ReopenedThenClosed,
        Some(Step::FollowUp {
            satisfaction,
            resolved,
        }) => Fate::Closed {
            satisfaction,
            resolved,
        },
    };
    (fate, steps)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::district::district;

    fn places(d: &District) -> Vec<Place<'_>> {
        CaseStream::new(1, 0, 0, d).places
    }

    #[test]
    fn every_category_has_enough_varied_templates() {
        assert_eq!(TEMPLATES.len(), TAXONOMY.len());
        for (i, tpls) in TEMPLATES.iter().enumerate() {
            assert!(tpls.len() >= 6, "{} has {}", TAXONOMY[i].0, tpls.len());
            let bodies: std::collections::HashSet<&str> = tpls.iter().map(|t| t.body).collect();
            assert_eq!(bodies.len(), tpls.len(), "{}", TAXONOMY[i].0);
        }
    }

    #[test]
    fn templates_fill_completely_and_titles_fit() {
        let d = district();
        let places = places(&d);
        let village = places.iter().position(|p| p.village).unwrap();
        let mut rng = SplitMix64::new(99);
        for (cat, tpls) in TEMPLATES.iter().enumerate() {
            for tpl in tpls.iter() {
                for round in 0..40 {
                    let place = if tpl.rural || round % 2 == 0 {
                        &places[village]
                    } else {
                        &places[(round * 17) % places.len()]
                    };
                    let mut slots = Slots::new(place, TAXONOMY[cat].1);
                    let body = slots.fill(tpl.body, &mut rng);
                    let title = slots.fill(tpl.title, &mut rng);
                    assert!(!body.contains(['{', '}']), "{body}");
                    assert!(!title.contains(['{', '}']), "{title}");
                    assert!(title.chars().count() <= 30, "title too long: {title}");
                    assert!(
                        !body.ends_with('。'),
                        "the generator adds the full stop: {body}"
                    );
                    let address = slots.address(&mut rng);
                    assert!(address.starts_with(DISTRICT_NAME), "{address}");
                    assert!(!address.contains(['{', '}']), "{address}");
                }
            }
        }
    }

    #[test]
    fn field_templates_read_like_observations() {
        for (cat, tpls) in TEMPLATES.iter().enumerate() {
            for tpl in tpls.iter().filter(|t| t.field) {
                assert!(
                    !tpl.body.contains("来电人"),
                    "{}: {}",
                    TAXONOMY[cat].0,
                    tpl.body
                );
                assert!(
                    !tpl.body.contains('我'),
                    "{}: {}",
                    TAXONOMY[cat].0,
                    tpl.body
                );
                assert!(
                    matches!(tpl.nature, N::Complaint | N::Report | N::Help),
                    "{}",
                    tpl.title
                );
            }
        }
        // The field channels can reach enough categories to look like real rounds.
        let reachable = TEMPLATES
            .iter()
            .filter(|t| t.iter().any(|x| x.field))
            .count();
        assert!(reachable >= 15, "{reachable}");
    }

    #[test]
    fn only_dangerous_texts_may_be_critical() {
        let allowed = ["消防隐患", "燃气", "供电", "供水", "道路设施", "居家养老"];
        for (cat, tpls) in TEMPLATES.iter().enumerate() {
            for tpl in tpls.iter().filter(|t| t.urg == 2) {
                assert!(
                    allowed.contains(&subcategory(TAXONOMY[cat].0)),
                    "{}",
                    tpl.title
                );
            }
        }
        let mut rng = SplitMix64::new(5);
        for _ in 0..2000 {
            assert_ne!(urgency(0, &mut rng), "critical");
            assert_ne!(urgency(1, &mut rng), "critical");
        }
    }

    #[test]
    fn slots_keep_their_value_within_a_case() {
        let d = district();
        let places = places(&d);
        let mut rng = SplitMix64::new(3);
        let mut slots = Slots::new(&places[0], "城管局");
        let a = slots.fill(
            "{r}|{r}|{r2}|{home}|{est}|{pfee}|{pfee2}|{dept}|{unknown}",
            &mut rng,
        );
        let parts: Vec<&str> = a.split('|').collect();
        assert_eq!(parts[0], parts[1]);
        assert_ne!(parts[0], parts[2]);
        assert!(parts[3].starts_with(parts[4]), "{a}");
        let (p1, p2): (f64, f64) = (parts[5].parse().unwrap(), parts[6].parse().unwrap());
        assert!(p2 > p1, "{a}");
        assert_eq!(parts[7], "城管局");
        assert_eq!(parts[8], "{unknown}");
    }

    #[test]
    fn phone_digits_never_look_made_up() {
        assert!(looks_fake(b"12345678"));
        assert!(looks_fake(b"90876543"));
        assert!(looks_fake(b"38888012"));
        assert!(!looks_fake(b"38152904"));
        let mut rng = SplitMix64::new(11);
        for _ in 0..500 {
            let d = digits(&mut rng, "188", 8);
            assert_eq!(d.len(), 11);
            assert!(d.starts_with("188"));
            assert!(!looks_fake(d.as_bytes()), "{d}");
        }
    }

    #[test]
    fn money_reads_naturally() {
        assert_eq!(money(8600), "8600元");
        assert_eq!(money(20_000), "2万元");
        assert_eq!(money(23_000), "2.3万元");
        assert_eq!(money(260_000), "26万元");
    }
}
