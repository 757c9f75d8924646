//! 红黄黑榜 (issue 21, item 3): each month's board, computed from the unit metrics into a draft,
//! appealed by units (申诉) before a deadline, reviewed by the board office, then published. A
//! published board never changes (database triggers refuse it); a correction is the next version,
//! published with its reason.
//!
//! Every number on a board is a unit metric (`App::metrics_json`, the one formula of each rate):
//! a metric named like one of `GET /api/v1/metrics/units?period=` has that unit's `rate` there.
//! The ranking itself — scores, ranks, lists, reasons — is the pure `boards` crate; this module
//! gathers its inputs (peer groups from the org tree, the previous period's misses, exemptions and
//! accepted appeals) and keeps the records.
//!
//! Who: administrators compute (and the monthly job does, under the jobs table's lease); the board
//! office (administrators, and supervisors and leaders of the district's centre) decides appeals
//! and publishes; unit leads, dispatchers, supervisors and leaders of a unit see its own entry on
//! a draft and may appeal it; everyone — the public too, at `/portal/boards` — sees published
//! boards.

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::metrics::{month_bounds, month_of, period_of};
use crate::org::OrgTree;
use crate::ports::{BoardAppeal, BoardRecord};
use crate::scope::{Principal, is_district_office};
use boards::{Rules, UnitInput};
use domain::Role;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

const DAY: i64 = 86_400_000;
/// The setting holding the rules ([`boards::Rules`], JSON).
pub const RULES_KEY: &str = "boards";

fn month_only(period: &str) -> Result<String, AppError> {
    let p = period.trim();
    if p.len() == 7 && month_bounds(p).is_some() {
        Ok(p.to_string())
    } else {
        Err(AppError::field(
            "period",
            format!("「{period}」不是有效月份，格式为 2026-10"),
            format!("'{period}' is not a month like 2026-10"),
        ))
    }
}

/// Units whose own entries the caller sees on a draft and may appeal: its unit and those below.
fn own_units(p: &Principal, tree: &OrgTree) -> BTreeSet<String> {
    if !p.is_staff()
        || !matches!(
            p.role,
            Role::UnitLead | Role::Dispatcher | Role::Supervisor | Role::Leader
        )
    {
        return BTreeSet::new();
    }
    p.unit
        .as_deref()
        .map(|u| tree.subtree(u).into_iter().collect())
        .unwrap_or_default()
}

fn status_label(s: &str) -> &'static str {
    match s {
        "draft" => "草稿（待发布）",
        "published" => "已发布",
        _ => "未知",
    }
}

impl App {
    /// The board rules: the stored setting, else the defaults.
    pub async fn board_rules(&self) -> Result<Rules, AppError> {
        Ok(self
            .store
            .get_setting(RULES_KEY)
            .await?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// `GET /api/v1/boards/rules` (staff).
    pub async fn board_rules_json(&self, p: &Principal) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let mut v = serde_json::to_value(self.board_rules().await?).map_err(AppError::internal)?;
        v["metric_labels"] = json!(
            boards::METRICS
                .iter()
                .map(|(n, l)| (n.to_string(), Value::from(*l)))
                .collect::<serde_json::Map<_, _>>()
        );
        Ok(v)
    }

    /// `PUT /api/v1/boards/rules` (administrators): the whole rules, checked.
    pub async fn put_board_rules(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可修改榜单规则",
                "only administrators may change the board rules",
            ));
        }
        let mut body = body.clone();
        if let Some(o) = body.as_object_mut() {
            o.remove("metric_labels");
        }
        let rules: Rules = serde_json::from_value(body).map_err(|e| {
            AppError::field(
                "rules",
                format!("规则格式不正确：{e}"),
                format!("the rules do not parse: {e}"),
            )
        })?;
        rules
            .check()
            .map_err(|(f, zh, en)| AppError::field(&f, zh, en))?;
        let tree = self.org.tree().await?;
        for (i, g) in rules.groups.iter().enumerate() {
            if let Some(u) = g.units.iter().find(|u| tree.get(u).is_none()) {
                return Err(AppError::field(
                    format!("groups[{i}].units"),
                    format!("单位「{u}」不存在"),
                    format!("no such unit '{u}'"),
                ));
            }
        }
        for (i, x) in rules.exemptions.iter().enumerate() {
            month_only(&x.period).map_err(|_| {
                AppError::field(
                    format!("exemptions[{i}].period"),
                    "格式为 2026-10",
                    "a month like 2026-10",
                )
            })?;
            if tree.get(&x.unit).is_none() || x.reason.trim().is_empty() {
                return Err(AppError::field(
                    format!("exemptions[{i}]"),
                    "须为存在的单位，并写明理由",
                    "an existing unit, with a reason",
                ));
            }
        }
        let text = serde_json::to_string(&rules).map_err(AppError::internal)?;
        self.store.put_setting(RULES_KEY, &text).await?;
        self.board_rules_json(p).await
    }

    /// The peer groups' units: those listed by a group, then every unit in service of a group's
    /// level and kind that no group lists.
    fn group_units(rules: &Rules, tree: &OrgTree) -> Vec<Vec<String>> {
        let listed: BTreeSet<&str> = rules
            .groups
            .iter()
            .flat_map(|g| g.units.iter().map(String::as_str))
            .collect();
        rules
            .groups
            .iter()
            .map(|g| {
                if !g.units.is_empty() {
                    return g.units.clone();
                }
                tree.units
                    .iter()
                    .filter(|u| !u.disabled && !listed.contains(u.code.as_str()))
                    .filter(|u| g.level.as_deref().is_none_or(|l| u.level.code() == l))
                    .filter(|u| g.kind.as_deref().is_none_or(|k| u.kind.code() == k))
                    .map(|u| u.code.clone())
                    .collect()
            })
            .collect()
    }

    /// Computes the period's board into a draft: the draft there is (recomputed), or — when the
    /// period has been published — the next version, a correction to be published with a reason.
    pub async fn compute_board(&self, period: &str) -> Result<BoardRecord, AppError> {
        let period = month_only(period)?;
        let rules = self.board_rules().await?;
        let (from, _) = month_bounds(&period).ok_or_else(|| AppError::internal("bad month"))?;
        let month = month_of(from);
        let (rolled, tree) = self.figures_over(month, month).await?;
        // Who missed the target on the previous period's published board.
        let previous = self.store.boards(Some(&period_of(month - 1))).await?;
        let missed: BTreeSet<String> = previous
            .iter()
            .rev()
            .find(|b| b.status == "published")
            .map(|b| {
                let target = b.doc["rules"]["target"].as_f64().unwrap_or(rules.target);
                entries(&b.doc)
                    .filter(|e| e["score"].as_f64().is_some_and(|s| s < target))
                    .filter_map(|e| e["unit"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut exempt: HashMap<String, String> = rules
            .exemptions
            .iter()
            .filter(|x| x.period == period)
            .map(|x| (x.unit.clone(), x.reason.clone()))
            .collect();
        for a in self.store.board_appeals(&period).await? {
            if a.status == "accepted" {
                exempt.insert(a.unit.clone(), format!("申诉已采纳：{}", a.reason));
            }
        }
        let extra = self.instrument_rates(&rules, &tree, &period).await?;
        let none = crate::metrics::UnitFigures::default();
        let groups: Vec<Value> = rules
            .groups
            .iter()
            .zip(Self::group_units(&rules, &tree))
            .map(|(g, units)| {
                let inputs: Vec<UnitInput> = units
                    .iter()
                    .map(|u| {
                        // The one formula of every number: the unit metrics' own JSON.
                        let m =
                            Self::metrics_json(u, &tree.name(u), rolled.get(u).unwrap_or(&none));
                        UnitInput {
                            unit: u.clone(),
                            name: tree.name(u),
                            sample: m["sign_on_time"]["denominator"].as_i64().unwrap_or(0),
                            metrics: boards::METRICS
                                .iter()
                                .map(|(n, _)| {
                                    let v = match extra.get(&(u.clone(), n.to_string())) {
                                        Some(v) => *v,
                                        None => m[*n]["rate"].as_f64(),
                                    };
                                    (n.to_string(), v)
                                })
                                .filter(|(n, _)| rules.metrics.iter().any(|r| &r.name == n))
                                .collect::<BTreeMap<_, _>>(),
                            exempt: exempt.get(u).cloned(),
                            missed_before: missed.contains(u),
                        }
                    })
                    .collect();
                json!({ "name": g.name, "entries": boards::rank_group(&rules, &inputs) })
            })
            .collect();
        let now = self.now();
        let rows = self.store.boards(Some(&period)).await?;
        let (version, appeal_due) = match rows.last() {
            Some(b) if b.status == "draft" => (b.version, b.appeal_due),
            Some(b) => (b.version + 1, now + rules.appeal_days * DAY),
            None => (1, now + rules.appeal_days * DAY),
        };
        let record = BoardRecord {
            period: period.clone(),
            version,
            status: "draft".into(),
            doc: json!({ "groups": groups, "rules": rules }),
            computed_at: now,
            appeal_due,
            published_at: None,
            published_by: None,
            reason: None,
        };
        if !self.store.put_board_draft(&record).await? {
            // Published between our read and our write: the next compute makes the correction.
            return Err(AppError::new(
                ErrorKind::Conflict,
                "board_published",
                "该版本榜单刚刚发布，请重新计算",
                "this version was just published; compute again",
            ));
        }
        Ok(record)
    }

    /// The boards' metrics that come from the key programs and the visit campaigns, per unit (over
    /// its subtree), for the rules that weigh them, as of the end of `period` (or now, if sooner):
    /// - `program_progress`: the mean over the unit's items (it or a unit below it leads) of the
    ///   approved progress against the progress planned by then, at most 1 each;
    /// - `visit_coverage`: households and enterprises visited by the unit's cadres in campaigns
    ///   running in the period, against the unit's targets there;
    /// - `visit_solved`: of the problems those visits found, the share resolved or closed.
    ///
    /// A unit with no items, or no campaign targets, has no value (the metric is left out of its
    /// score, its weight with it).
    async fn instrument_rates(
        &self,
        rules: &Rules,
        tree: &OrgTree,
        period: &str,
    ) -> Result<HashMap<(String, String), Option<f64>>, AppError> {
        let wants = |n: &str| rules.metrics.iter().any(|m| m.name == n);
        let mut out: HashMap<(String, String), Option<f64>> = HashMap::new();
        let (from, to) = month_bounds(period).ok_or_else(|| AppError::internal("bad month"))?;
        let as_of = to.min(self.now());
        let day = crate::deadlines::date_of(as_of - 1);
        let units: Vec<String> = tree.units.iter().map(|u| u.code.clone()).collect();
        if wants("program_progress") {
            let cal = self.rules().await?.calendar_for("");
            let mut per: HashMap<String, Vec<f64>> = HashMap::new();
            for program in self.store.programs().await? {
                let rule: programs::Rule =
                    serde_json::from_value(program.doc["rule"].clone()).unwrap_or_default();
                for item in self.store.program_items(program.id).await? {
                    let Some(start) = item.doc["start"].as_str().and_then(|s| s.parse().ok())
                    else {
                        continue;
                    };
                    let ms = crate::programs::milestones_of(&item.doc);
                    let progress = item.doc["progress"].as_f64().unwrap_or(0.0);
                    let st = programs::standing(&rule, start, &ms, progress, day, &cal);
                    let ratio = if st.planned_percent <= 0.0 {
                        1.0
                    } else {
                        (progress / st.planned_percent).min(1.0)
                    };
                    for u in &units {
                        if tree.is_within(&item.lead_unit, u) {
                            per.entry(u.clone()).or_default().push(ratio);
                        }
                    }
                }
            }
            for (u, v) in per {
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                out.insert(
                    (u, "program_progress".into()),
                    Some((mean * 10_000.0).round() / 10_000.0),
                );
            }
        }
        if wants("visit_coverage") || wants("visit_solved") {
            let (first, last) = (crate::deadlines::date_of(from).to_string(), day.to_string());
            let mut target: HashMap<String, i64> = HashMap::new();
            let mut visited: HashMap<String, BTreeSet<Uuid>> = HashMap::new();
            let mut found: HashMap<String, (usize, usize)> = HashMap::new();
            for c in self.store.campaigns().await? {
                if c.ends_on < first || c.starts_on > last {
                    continue;
                }
                let members: Vec<(String, i64)> = c.doc["units"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|u| {
                        let t = u["households"].as_i64().unwrap_or(0)
                            + u["enterprises"].as_i64().unwrap_or(0);
                        u["unit"].as_str().map(|code| (code.to_string(), t))
                    })
                    .collect();
                for (code, t) in &members {
                    *target.entry(code.clone()).or_default() += t;
                }
                for v in self.store.visits(c.id).await? {
                    if v.visited_at >= as_of {
                        continue;
                    }
                    for (code, _) in members
                        .iter()
                        .filter(|(code, _)| tree.is_within(&v.unit, code))
                    {
                        visited
                            .entry(code.clone())
                            .or_default()
                            .insert(v.subject_id);
                        for pr in v.doc["problems"].as_array().into_iter().flatten() {
                            let Some(id) =
                                pr["case_id"].as_str().and_then(|s| Uuid::parse_str(s).ok())
                            else {
                                continue;
                            };
                            let solved = self.store.get_case(id).await?.is_some_and(|k| {
                                matches!(
                                    k.status,
                                    domain::Status::Resolved | domain::Status::Closed
                                )
                            });
                            let e = found.entry(code.clone()).or_default();
                            e.0 += 1;
                            e.1 += usize::from(solved);
                        }
                    }
                }
            }
            let ratio = |n: usize, d: usize| {
                (d > 0).then(|| ((n as f64 / d as f64).min(1.0) * 10_000.0).round() / 10_000.0)
            };
            for (code, t) in target {
                let n = visited.get(&code).map_or(0, BTreeSet::len);
                out.insert(
                    (code.clone(), "visit_coverage".into()),
                    ratio(n, usize::try_from(t).unwrap_or(0)),
                );
                let (p, s) = found.get(&code).copied().unwrap_or_default();
                out.insert((code, "visit_solved".into()), ratio(s, p));
            }
        }
        Ok(out)
    }

    /// `POST /api/v1/boards/compute {"period"}` (administrators).
    pub async fn board_compute(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可计算榜单",
                "only administrators may compute boards",
            ));
        }
        let f = Fields::of(body, "")?;
        let period = month_only(&f.req_str("period", 10)?)?;
        let b = self.compute_board(&period).await?;
        let tree = self.org.tree().await?;
        self.board_json(&b, p, &tree, true).await
    }

    /// The monthly job: the previous month's draft, computed once when the month is over.
    pub async fn compute_due_board(&self) -> Result<Option<String>, AppError> {
        let month = month_of(self.now());
        let period = period_of(month - 1);
        if self.store.boards(Some(&period)).await?.is_empty() {
            self.compute_board(&period).await?;
            return Ok(Some(period));
        }
        Ok(None)
    }

    async fn board_json(
        &self,
        b: &BoardRecord,
        p: &Principal,
        tree: &OrgTree,
        office: bool,
    ) -> Result<Value, AppError> {
        let own = own_units(p, tree);
        let mut doc = b.doc.clone();
        if b.status == "draft"
            && !office
            && let Some(groups) = doc["groups"].as_array_mut()
        {
            // A draft is the office's: a unit sees its own entries only.
            for g in groups.iter_mut() {
                if let Some(list) = g["entries"].as_array_mut() {
                    list.retain(|e| e["unit"].as_str().is_some_and(|u| own.contains(u)));
                }
            }
        }
        let appeals = if b.status == "draft" {
            self.store
                .board_appeals(&b.period)
                .await?
                .into_iter()
                .filter(|a| office || own.contains(&a.unit))
                .map(|a| appeal_json(&a, tree))
                .collect()
        } else {
            vec![]
        };
        let published_versions: Vec<i64> = self
            .store
            .boards(Some(&b.period))
            .await?
            .iter()
            .filter(|r| r.status == "published")
            .map(|r| r.version)
            .collect();
        // Every month that has a board, with what it has (the month picker).
        let mut periods: Vec<Value> = Vec::new();
        for r in self.store.boards(None).await? {
            match periods.last_mut() {
                Some(last) if last["period"] == r.period.as_str() => {
                    if let Some(v) = last["versions"].as_array_mut() {
                        v.push(json!({ "version": r.version, "status": r.status }));
                    }
                    if r.status == "published" {
                        last["published"] = json!(true);
                    } else {
                        last["draft"] = json!(true);
                    }
                }
                _ => periods.push(json!({
                    "period": r.period, "published": r.status == "published", "draft": r.status == "draft",
                    "versions": [{ "version": r.version, "status": r.status }],
                })),
            }
        }
        periods.reverse();
        Ok(json!({
            "periods": periods,
            "period": b.period, "status": b.status, "status_label": status_label(&b.status),
            "version": b.version, "groups": doc["groups"], "rules": doc["rules"],
            "computed_at": crate::deadlines::format_instant(b.computed_at),
            "appeal_due": crate::deadlines::format_instant(b.appeal_due),
            "appeal_open": b.status == "draft" && self.now() <= b.appeal_due,
            "published_at": b.published_at.map(crate::deadlines::format_instant),
            "reason": b.reason,
            "published_versions": published_versions,
            "appeals": appeals,
            "office": office,
        }))
    }

    /// `GET /api/v1/boards?period=YYYY-MM[&draft=1]`: the period's latest published board; the
    /// draft when none is published yet, or when the office asks for it (`draft=1`). Without a
    /// period, the latest period that has a board.
    pub async fn board(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        let office = is_district_office(p, &tree);
        let period = match params
            .get("period")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            Some(s) => month_only(s)?,
            None => self
                .store
                .boards(None)
                .await?
                .last()
                .map(|b| b.period.clone())
                .ok_or_else(|| AppError::not_found("榜单", "board"))?,
        };
        let rows = self.store.boards(Some(&period)).await?;
        let want_draft = params.get("draft").is_some_and(|v| v == "1" || v == "true");
        let published = rows.iter().rev().find(|b| b.status == "published");
        let draft = rows.iter().rev().find(|b| b.status == "draft");
        let b = match (published, draft) {
            (_, Some(d)) if want_draft => d,
            (Some(pb), _) => pb,
            (None, Some(d)) => d,
            (None, None) => {
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    "not_found",
                    format!("{period} 的榜单尚未生成"),
                    format!("no board for {period} yet"),
                ));
            }
        };
        self.board_json(b, p, &tree, office).await
    }

    /// `GET /api/v1/public/boards?period=`: published boards only, for everyone; with the list of
    /// published periods. The reasons are public; nothing else about the cases is.
    pub async fn public_board(&self, params: &HashMap<String, String>) -> Result<Value, AppError> {
        let all = self.store.boards(None).await?;
        let published: Vec<&BoardRecord> = all.iter().filter(|b| b.status == "published").collect();
        let periods: BTreeSet<&str> = published.iter().map(|b| b.period.as_str()).collect();
        let period = match params
            .get("period")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            Some(s) => month_only(s)?,
            None => match periods.iter().next_back() {
                Some(p) => p.to_string(),
                None => return Ok(json!({ "periods": [], "board": null })),
            },
        };
        let b = published
            .iter()
            .rev()
            .find(|b| b.period == period)
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    "not_found",
                    format!("{period} 的榜单尚未发布"),
                    format!("the board of {period} is not published"),
                )
            })?;
        Ok(json!({
            "periods": periods.iter().rev().collect::<Vec<_>>(),
            "board": {
                "period": b.period, "status": b.status, "version": b.version,
                "groups": b.doc["groups"], "published_at": b.published_at.map(crate::deadlines::format_instant),
                "reason": b.reason,
                "rules": { "target": b.doc["rules"]["target"], "min_sample": b.doc["rules"]["min_sample"],
                           "red_top": b.doc["rules"]["red_top"], "black_floor": b.doc["rules"]["black_floor"],
                           "black_bottom": b.doc["rules"]["black_bottom"], "metrics": b.doc["rules"]["metrics"] },
            },
        }))
    }

    /// `GET /api/v1/public/boards/history?unit=`: a unit's place on every published board (the
    /// latest version of each period), oldest first, with its months on each list.
    pub async fn board_history(&self, params: &HashMap<String, String>) -> Result<Value, AppError> {
        let unit = params
            .get("unit")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AppError::field("unit", "必填", "is required"))?;
        let tree = self.org.tree().await?;
        if tree.get(&unit).is_none() {
            return Err(AppError::not_found("单位", "unit"));
        }
        let all = self.store.boards(None).await?;
        let mut latest: BTreeMap<&str, &BoardRecord> = BTreeMap::new();
        for b in all.iter().filter(|b| b.status == "published") {
            latest.insert(b.period.as_str(), b);
        }
        let mut months = Vec::new();
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for (period, b) in &latest {
            for (gi, g) in b.doc["groups"].as_array().into_iter().flatten().enumerate() {
                for e in g["entries"].as_array().into_iter().flatten() {
                    if e["unit"] == unit.as_str() {
                        if let Some(list) = e["board"].as_str() {
                            *counts
                                .entry(match list {
                                    "red" => "red",
                                    "yellow" => "yellow",
                                    _ => "black",
                                })
                                .or_default() += 1;
                        }
                        months.push(json!({ "period": period, "version": b.version, "group": g["name"], "group_index": gi,
                            "rank": e["rank"], "score": e["score"], "board": e["board"], "reasons": e["reasons"] }));
                    }
                }
            }
        }
        Ok(
            json!({ "unit": unit, "unit_name": tree.name(&unit), "months": months,
            "red": counts.get("red").copied().unwrap_or(0),
            "yellow": counts.get("yellow").copied().unwrap_or(0),
            "black": counts.get("black").copied().unwrap_or(0) }),
        )
    }

    /// `POST /api/v1/boards/appeals {"period", "unit", "reason"}`: a unit appeals its entry on the
    /// period's draft, before the appeal deadline; one pending appeal per unit and period.
    pub async fn board_appeal(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let period = month_only(&f.req_str("period", 10)?)?;
        let unit = f.req_str("unit", 64)?;
        let reason = f.req_str("reason", 2000)?;
        if reason.trim().chars().count() < 4 {
            return Err(AppError::field(
                "reason",
                "请写明申诉理由（至少 4 个字）",
                "give the reason (at least 4 characters)",
            ));
        }
        let tree = self.org.tree().await?;
        if !own_units(p, &tree).contains(&unit) {
            return Err(AppError::forbidden(
                "只能为本单位（及下属单位）申诉",
                "you may appeal only for your own unit and those below it",
            ));
        }
        let rows = self.store.boards(Some(&period)).await?;
        let Some(draft) = rows.iter().rev().find(|b| b.status == "draft") else {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                "invalid_state",
                format!("{period} 没有待发布的榜单，不能申诉"),
                format!("there is no draft board for {period} to appeal"),
            ));
        };
        if self.now() > draft.appeal_due {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                "appeal_closed",
                format!(
                    "申诉期已于 {} 截止",
                    crate::deadlines::format_instant(draft.appeal_due)
                ),
                format!(
                    "appeals closed at {}",
                    crate::deadlines::format_instant(draft.appeal_due)
                ),
            ));
        }
        if !entries(&draft.doc).any(|e| e["unit"] == unit.as_str()) {
            return Err(AppError::field(
                "unit",
                "该单位不在本期榜单上",
                "the unit is not on this board",
            ));
        }
        let appeals = self.store.board_appeals(&period).await?;
        if appeals
            .iter()
            .any(|a| a.unit == unit && a.status == "pending")
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "appeal_pending",
                "该单位已有待处理的申诉",
                "the unit has an appeal pending",
            ));
        }
        let a = BoardAppeal {
            id: Uuid::now_v7(),
            period,
            unit,
            reason: reason.trim().to_string(),
            status: "pending".into(),
            note: None,
            created_by: Some(p.id),
            created_by_name: p.name.clone(),
            created_at: self.now(),
            decided_by_name: None,
            decided_at: None,
        };
        self.store.insert_board_appeal(&a).await?;
        Ok(appeal_json(&a, &tree))
    }

    /// `POST /api/v1/boards/appeals/{id}/decide {"decision": "accept" | "reject", "note"}` (the
    /// board office). An accepted appeal keeps the unit off yellow and black this period, with its
    /// reason, and the draft is computed again.
    pub async fn decide_board_appeal(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        if !is_district_office(p, &tree) {
            return Err(AppError::forbidden(
                "仅榜单办公室（管理员、区中心督办员或领导）可处理申诉",
                "only the board office decides appeals",
            ));
        }
        let f = Fields::of(body, "")?;
        let decision = f.req_str("decision", 10)?;
        let status = match decision.as_str() {
            "accept" => "accepted",
            "reject" => "rejected",
            _ => {
                return Err(AppError::field(
                    "decision",
                    "可选：accept, reject",
                    "use accept or reject",
                ));
            }
        };
        let note = f.req_str("note", 2000)?;
        if note.trim().is_empty() {
            return Err(AppError::field("note", "请填写处理意见", "is required"));
        }
        let period = f.opt_str("period", 10)?;
        // Find the appeal (by its period when given, else among every period's).
        let periods: Vec<String> = match period {
            Some(p) => vec![month_only(&p)?],
            None => self
                .store
                .boards(None)
                .await?
                .iter()
                .filter(|b| b.status == "draft")
                .map(|b| b.period.clone())
                .collect(),
        };
        let mut found = None;
        for per in periods {
            if let Some(a) = self
                .store
                .board_appeals(&per)
                .await?
                .into_iter()
                .find(|a| a.id == id)
            {
                found = Some(a);
                break;
            }
        }
        let mut a = found.ok_or_else(|| AppError::not_found("申诉", "appeal"))?;
        if a.status != "pending"
            || !self
                .store
                .decide_board_appeal(id, status, note.trim(), &p.name, self.now())
                .await?
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "appeal_decided",
                "该申诉已处理",
                "the appeal was decided already",
            ));
        }
        a.status = status.into();
        a.note = Some(note.trim().to_string());
        a.decided_by_name = Some(p.name.clone());
        a.decided_at = Some(self.now());
        if status == "accepted" {
            self.compute_board(&a.period).await?;
        }
        Ok(appeal_json(&a, &tree))
    }

    /// `POST /api/v1/boards/publish {"period", "reason"?}` (the board office): publishes the
    /// period's draft once no appeal is pending. A period already published gets its correction
    /// published only with the reason.
    pub async fn publish_board(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        if !is_district_office(p, &tree) {
            return Err(AppError::forbidden(
                "仅榜单办公室（管理员、区中心督办员或领导）可发布榜单",
                "only the board office publishes boards",
            ));
        }
        let f = Fields::of(body, "")?;
        let period = month_only(&f.req_str("period", 10)?)?;
        let reason = f.opt_str("reason", 2000)?.filter(|r| !r.trim().is_empty());
        let rows = self.store.boards(Some(&period)).await?;
        let Some(draft) = rows.iter().rev().find(|b| b.status == "draft") else {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                "invalid_state",
                format!("{period} 没有待发布的榜单，请先计算"),
                format!("there is no draft for {period}; compute it first"),
            ));
        };
        let pending = self
            .store
            .board_appeals(&period)
            .await?
            .iter()
            .filter(|a| a.status == "pending")
            .count();
        if pending > 0 {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                "appeals_pending",
                format!("尚有 {pending} 件申诉未处理，处理后才能发布"),
                format!("{pending} appeals are pending; decide them first"),
            ));
        }
        let correction = rows.iter().any(|b| b.status == "published");
        if correction && reason.is_none() {
            return Err(AppError::field(
                "reason",
                "本期榜单已发布过，发布更正版须说明理由",
                "this period was published already: a correction needs its reason",
            ));
        }
        if !self
            .store
            .publish_board(
                &period,
                draft.version,
                self.now(),
                &p.name,
                reason.as_deref(),
            )
            .await?
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "board_published",
                "该版本已发布",
                "this version was published already",
            ));
        }
        let rows = self.store.boards(Some(&period)).await?;
        let b = rows
            .iter()
            .find(|b| b.version == draft.version)
            .ok_or_else(|| AppError::internal("published board missing"))?;
        self.board_json(b, p, &tree, true).await
    }
}

/// Every entry of every group of a board's doc.
fn entries(doc: &Value) -> impl Iterator<Item = &Value> {
    doc["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["entries"].as_array().into_iter().flatten())
}

fn appeal_json(a: &BoardAppeal, tree: &OrgTree) -> Value {
    json!({
        "id": a.id, "period": a.period, "unit": a.unit, "unit_name": tree.name(&a.unit),
        "reason": a.reason, "status": a.status,
        "status_label": match a.status.as_str() { "pending" => "待处理", "accepted" => "已采纳", _ => "未采纳" },
        "note": a.note, "created_by_name": a.created_by_name,
        "created_at": crate::deadlines::format_instant(a.created_at),
        "decided_by_name": a.decided_by_name,
        "decided_at": a.decided_at.map(crate::deadlines::format_instant),
    })
}
