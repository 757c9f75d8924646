//! 矛盾风险预警 (issue 20): the scan that turns signals across cases into alerts, and the queue in
//! which supervisors work them. The signals themselves are the pure `risk` crate; this module
//! loads the cases of the scan's windows (on their own `reported_at`, so imported history is
//! scanned as it happened), keeps one alert per open key (a later scan updates it as cases join,
//! never makes a second), puts each alert in the charge of the tier its level asks for
//! (红: district 包案; 橙: the street; 黄/蓝: the community's hub), and takes the supervisors'
//! steps (acknowledge, assign, comment, relevel, close) with version checks, each an event.
//!
//! The scan runs as a background job (the jobs table's lease: one replica at a time) and on
//! demand (`POST /api/v1/risk/scan`).

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::{
    CaseQuery, Delivery, MediationQuery, Notification, RiskAlert, RiskEvent, RiskOutbox, RiskQuery,
    Scope,
};
use crate::scope::Principal;
use domain::{Case, Role, Satisfaction};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

const DAY: i64 = 86_400_000;
/// The setting holding the scan's windows and thresholds ([`risk::Settings`], JSON).
pub const SETTINGS_KEY: &str = "risk";

pub const KINDS: [&str; 4] = ["cluster", "repeat_caller", "language", "history"];
pub const STATUSES: [&str; 3] = ["open", "acknowledged", "closed"];
pub const ACTIONS: [&str; 5] = ["acknowledge", "assign", "comment", "relevel", "close"];

pub fn kind_label(k: &str) -> &'static str {
    match k {
        "cluster" => "群体性",
        "repeat_caller" => "重复来电",
        "language" => "高风险言辞",
        "history" => "历史积案",
        _ => "其他",
    }
}

pub fn level_label(l: &str) -> &'static str {
    match l {
        "red" => "红色",
        "orange" => "橙色",
        "yellow" => "黄色",
        "blue" => "蓝色",
        _ => "未定级",
    }
}

pub fn status_label(s: &str) -> &'static str {
    match s {
        "open" => "待处置",
        "acknowledged" => "处置中",
        "closed" => "已关闭",
        _ => "未知",
    }
}

/// What a scan did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ScanReport {
    pub as_of: String,
    pub cases_scanned: usize,
    pub signals: usize,
    pub created: usize,
    pub updated: usize,
}

/// The scan's view of a case. Handling counts as gone wrong when a clock ran out (签收 or 办理
/// after its due time), the citizen was unsatisfied, the case was reopened or returned.
fn scan_case(c: &Case, as_of: i64) -> risk::ScanCase {
    let late = |done: Option<i64>, due: Option<i64>| due.is_some_and(|d| done.unwrap_or(as_of) > d);
    risk::ScanCase {
        id: c.id.to_string(),
        number: c.number.clone(),
        reported_at: c.reported_at,
        phone: c
            .reporter
            .phone
            .chars()
            .filter(char::is_ascii_digit)
            .collect(),
        text: format!("{}。{}", c.title, c.description),
        category: c.category.clone(),
        region: c.location.region.clone(),
        text_risk: c.risk_level.clone(),
        returned: c.return_count > 0,
        overdue: late(c.signed_at, c.sign_due) || late(c.resolved_at, c.handle_due),
        unsatisfied: c.satisfaction == Some(Satisfaction::Unsatisfied),
        reopened: c.reopen_count > 0,
        merged_into: c.merged_into.map(|m| m.to_string()),
    }
}

/// The unit in charge of an alert at `level` in `region`: 红 the district's hub (区级包案), 橙 the
/// street's, 黄/蓝 the most specific hub of the region.
fn owner_for(tree: &OrgTree, level: &str, region: &str) -> Option<String> {
    let unit = match level {
        "red" => tree.district_hub(),
        "orange" => tree
            .street_of_region(region)
            .or_else(|| tree.district_hub()),
        _ => tree.hub_for_region(region),
    };
    unit.map(|u| u.code.clone())
}

fn may_read(p: &Principal) -> bool {
    p.is_staff()
        && matches!(
            p.role,
            Role::Supervisor | Role::Leader | Role::Admin | Role::Dispatcher
        )
}

fn may_act(p: &Principal) -> bool {
    p.is_staff() && matches!(p.role, Role::Supervisor | Role::Leader)
}

fn may_scan(p: &Principal) -> bool {
    p.is_staff() && matches!(p.role, Role::Supervisor | Role::Leader | Role::Admin)
}

impl App {
    /// The scan's windows and thresholds: the stored setting, else the defaults.
    pub async fn risk_settings(&self) -> Result<risk::Settings, AppError> {
        Ok(self
            .store
            .get_setting(SETTINGS_KEY)
            .await?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// `GET /api/v1/risk/settings`: the scan's windows and thresholds.
    pub async fn risk_settings_json(&self, p: &Principal) -> Result<Value, AppError> {
        self.risk_read_check(p)?;
        serde_json::to_value(self.risk_settings().await?).map_err(AppError::internal)
    }

    /// `PUT /api/v1/risk/settings` (administrators): every field optional (the rest keep their
    /// value), each checked against its range with a 422 naming it; the levels' thresholds must
    /// rise (orange below red).
    pub async fn put_risk_settings(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可修改风险预警参数",
                "only administrators may change the risk settings",
            ));
        }
        let f = Fields::of(body, "")?;
        let mut s = self.risk_settings().await?;
        let int = |k: &str, lo: i64, hi: i64| -> Result<Option<i64>, AppError> {
            match f.opt_i64(k)? {
                Some(v) if !(lo..=hi).contains(&v) => Err(AppError::field(
                    k,
                    format!("应在 {lo} 到 {hi} 之间"),
                    format!("must be from {lo} to {hi}"),
                )),
                v => Ok(v),
            }
        };
        let share = |k: &str, lo: f64, hi: f64| -> Result<Option<f64>, AppError> {
            match f.opt_f64(k)? {
                Some(v) if !(lo..=hi).contains(&v) => Err(AppError::field(
                    k,
                    format!("应在 {lo} 到 {hi} 之间"),
                    format!("must be from {lo} to {hi}"),
                )),
                v => Ok(v),
            }
        };
        let count = |v: i64| usize::try_from(v).unwrap_or(0);
        if let Some(v) = int("repeat_window_days", 1, 90)? {
            s.repeat_window_days = v;
        }
        if let Some(v) = int("repeat_min_cases", 2, 100)? {
            s.repeat_min_cases = count(v);
        }
        if let Some(v) = int("cluster_window_days", 1, 180)? {
            s.cluster_window_days = v;
        }
        if let Some(v) = int("cluster_min_reporters", 2, 1000)? {
            s.cluster_min_reporters = count(v);
        }
        if let Some(v) = int("burst_window_hours", 1, 720)? {
            s.burst_window_hours = v;
        }
        if let Some(v) = int("burst_min_reporters", 2, 1000)? {
            s.burst_min_reporters = count(v);
        }
        if let Some(v) = int("history_window_days", 7, 730)? {
            s.history_window_days = v;
        }
        if let Some(v) = int("history_min_bad", 1, 100)? {
            s.history_min_bad = count(v);
        }
        for (k, slot) in [
            ("review_days_red", &mut s.review_days_red),
            ("review_days_orange", &mut s.review_days_orange),
            ("review_days_yellow", &mut s.review_days_yellow),
            ("review_days_blue", &mut s.review_days_blue),
        ] {
            if let Some(v) = int(k, 1, 90)? {
                *slot = v;
            }
        }
        if let Some(v) = share("similarity", 0.01, 1.0)? {
            s.similarity = v;
        }
        if let Some(v) = share("topic_share", 0.1, 1.0)? {
            s.topic_share = v;
        }
        for (k, slot) in [
            ("cluster_orange", &mut s.cluster_orange),
            ("cluster_red", &mut s.cluster_red),
            ("repeat_orange", &mut s.repeat_orange),
            ("repeat_red", &mut s.repeat_red),
        ] {
            if let Some(v) = int(k, 2, 10_000)? {
                *slot = count(v);
            }
        }
        if s.cluster_orange >= s.cluster_red || s.cluster_min_reporters > s.cluster_orange {
            return Err(AppError::field(
                "cluster_red",
                "须满足：最少人数 ≤ 橙色人数 < 红色人数",
                "must rise: minimum ≤ orange < red",
            ));
        }
        if s.repeat_orange >= s.repeat_red || s.repeat_min_cases > s.repeat_orange {
            return Err(AppError::field(
                "repeat_red",
                "须满足：最少次数 ≤ 橙色次数 < 红色次数",
                "must rise: minimum ≤ orange < red",
            ));
        }
        let text = serde_json::to_string(&s).map_err(AppError::internal)?;
        self.store.put_setting(SETTINGS_KEY, &text).await?;
        serde_json::to_value(&s).map_err(AppError::internal)
    }

    /// Scans the cases reported in the windows before `as_of` and writes what it finds.
    pub async fn run_risk_scan(&self, as_of: i64) -> Result<ScanReport, AppError> {
        let s = self.risk_settings().await?;
        let window = s.cluster_window_days.max(s.repeat_window_days).max(1) * DAY;
        // History reaches further back, but only for cases whose handling went wrong: those are
        // kept from the longer window, the rest only from the signals' own.
        let long = s.history_window_days.max(1) * DAY;
        let mut q = CaseQuery {
            scope: Some(Scope::All),
            reported_from: Some(as_of - window.max(long)),
            reported_to: Some(as_of),
            now: as_of,
            limit: 1000,
            ..CaseQuery::default()
        };
        let mut cases = Vec::new();
        loop {
            let (page, _) = self.store.list_cases(&q).await?;
            let n = page.len();
            cases.extend(page.iter().map(|c| scan_case(c, as_of)).filter(|c| {
                c.reported_at > as_of - window
                    || c.overdue
                    || c.unsatisfied
                    || c.reopened
                    || c.returned
            }));
            if n < q.limit as usize {
                break;
            }
            q.offset += u64::from(q.limit);
        }
        let mediations = self.failed_mediations(as_of - long, as_of).await?;
        let mut found = risk::scan_with(&cases, &mediations, as_of, &s);
        // The words that weighed: triage's reasons for the members' risky texts (read again
        // here: a case keeps its level, not its reasons), at most eight, strongest cases first.
        let by_id: HashMap<&str, &risk::ScanCase> =
            cases.iter().map(|c| (c.id.as_str(), c)).collect();
        let classifier = self.classifier();
        for cand in &mut found {
            let mut risky: Vec<&risk::ScanCase> = cand
                .case_ids
                .iter()
                .filter_map(|id| by_id.get(id.as_str()).copied())
                .filter(|c| matches!(c.text_risk.as_str(), "high" | "medium"))
                .collect();
            risky.sort_by_key(|c| c.text_risk != "high");
            let mut words: Vec<String> = Vec::new();
            for c in risky.into_iter().take(20) {
                for r in classifier.classify(&c.text).risk.reasons {
                    if words.len() < 8 && !words.contains(&r) {
                        words.push(r);
                    }
                }
            }
            if !words.is_empty() {
                cand.evidence["words"] = json!(words);
            }
        }
        let tree = self.org.tree().await?;
        let mut report = ScanReport {
            as_of: crate::deadlines::format_instant(as_of),
            cases_scanned: cases.len(),
            signals: found.len(),
            ..ScanReport::default()
        };
        let now = self.now();
        for cand in found {
            let level = risk::level_name(cand.level).to_string();
            let ids: Vec<Uuid> = cand
                .case_ids
                .iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect();
            match self.store.open_risk_alert(&cand.key).await? {
                None if self.closed_with(&cand.key, &ids).await? => {
                    // Closed with these very cases: nothing new to raise.
                }
                None => {
                    let a = RiskAlert {
                        id: Uuid::now_v7(),
                        kind: cand.kind.code().to_string(),
                        key: cand.key.clone(),
                        owner_unit: owner_for(&tree, &level, &cand.region),
                        level,
                        status: "open".into(),
                        case_ids: ids,
                        phone: cand.phone.clone(),
                        summary: cand.summary.clone(),
                        evidence: cand.evidence.clone(),
                        region: cand.region.clone(),
                        level_by_hand: false,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        closed_at: None,
                        result: None,
                        reviewed_at: None,
                        review_reminded: None,
                    };
                    let e = scan_event(a.id, now, "raised", json!({ "cases": a.case_ids.len() }));
                    let out = if a.level == "red" {
                        self.red_alert_outbox(&a, &tree).await?
                    } else {
                        RiskOutbox::default()
                    };
                    match self.store.insert_risk_alert(&a, &e, &out).await {
                        Ok(()) => report.created += 1,
                        // A scan on another replica (or on demand) opened it a moment ago: one
                        // alert per key holds, and the next scan updates that one.
                        Err(crate::error::StoreError::Conflict(_)) => {}
                        Err(err) => return Err(err.into()),
                    }
                }
                Some(old) => {
                    let added: Vec<Uuid> = ids
                        .iter()
                        .filter(|id| !old.case_ids.contains(id))
                        .copied()
                        .collect();
                    let old_rank = risk::level_rank(&old.level).unwrap_or(1);
                    let raised = cand.level > old_rank;
                    if added.is_empty() && !raised {
                        continue;
                    }
                    let mut a = old.clone();
                    a.case_ids.extend(added.iter().copied());
                    a.summary = cand.summary.clone();
                    a.evidence = cand.evidence.clone();
                    a.region = cand.region.clone();
                    if raised {
                        a.level = level.clone();
                        // The tier follows the level unless a supervisor assigned the alert.
                        if old.owner_unit == owner_for(&tree, &old.level, &old.region) {
                            a.owner_unit = owner_for(&tree, &level, &cand.region);
                        }
                    }
                    a.version = old.version + 1;
                    a.updated_at = now;
                    let e = scan_event(
                        a.id,
                        now,
                        "updated",
                        json!({ "added": added.len(), "level_from": old.level, "level_to": a.level }),
                    );
                    let out = if a.level == "red" && old.level != "red" {
                        self.red_alert_outbox(&a, &tree).await?
                    } else {
                        RiskOutbox::default()
                    };
                    // Another replica's scan or a supervisor got there first: the next scan
                    // looks again.
                    if self
                        .store
                        .update_risk_alert(&a, old.version, &e, &out)
                        .await?
                    {
                        report.updated += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    /// `POST /api/v1/risk/scan` `{"as_of": optional RFC 3339 instant}`.
    pub async fn risk_scan(&self, p: &Principal, body: &Value) -> Result<ScanReport, AppError> {
        if !may_scan(p) {
            return Err(AppError::forbidden(
                "仅督办员、领导或管理员可发起风险扫描",
                "only supervisors, leaders and administrators may run the risk scan",
            ));
        }
        let f = Fields::of(body, "")?;
        let as_of = match f.opt_str("as_of", 40)? {
            None => self.now(),
            Some(s) => crate::cases::parse_instant(&s).ok_or_else(|| {
                AppError::field(
                    "as_of",
                    format!("「{s}」不是有效时间（RFC 3339，如 2026-11-24T10:00:00+08:00）"),
                    format!("'{s}' is not an RFC 3339 instant"),
                )
            })?,
        };
        self.run_risk_scan(as_of).await
    }

    fn risk_read_check(&self, p: &Principal) -> Result<(), AppError> {
        if may_read(p) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "无权查看风险预警",
                "your role may not see risk alerts",
            ))
        }
    }

    /// The caller's region: alerts whose region is in it are theirs.
    async fn risk_region(
        &self,
        p: &Principal,
    ) -> Result<(String, std::sync::Arc<OrgTree>), AppError> {
        let tree = self.org.tree().await?;
        let region = p
            .unit
            .as_deref()
            .and_then(|u| tree.get(u))
            .map(|u| u.region.clone())
            .unwrap_or_default();
        Ok((region, tree))
    }

    /// `GET /api/v1/risk/alerts?kind=&level=&status=&unit=`: the caller's alerts, newest first.
    pub async fn risk_alerts(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Vec<Value>, AppError> {
        self.risk_read_check(p)?;
        let get = |k: &str| {
            params
                .get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let check = |k: &str, allowed: &[&str]| -> Result<Option<String>, AppError> {
            match get(k) {
                Some(v) if !allowed.contains(&v.as_str()) => Err(AppError::field(
                    k,
                    format!("「{v}」无效，可选：{}", allowed.join(", ")),
                    format!("'{v}' is not valid; use one of {}", allowed.join(", ")),
                )),
                v => Ok(v),
            }
        };
        let (region, tree) = self.risk_region(p).await?;
        let owner_unit = get("unit");
        if let Some(u) = &owner_unit
            && tree.get(u).is_none()
        {
            return Err(AppError::field("unit", "单位不存在", "no such unit"));
        }
        let case_id = match get("case_id") {
            None => None,
            Some(v) => Some(Uuid::parse_str(&v).map_err(|_| {
                AppError::field("case_id", "不是有效的工单 ID", "is not a case id")
            })?),
        };
        let q = RiskQuery {
            key: None,
            case_id,
            kind: check("kind", &KINDS)?,
            level: check("level", &risk::LEVELS)?,
            status: check("status", &STATUSES)?,
            region_prefix: Some(region),
            owner_unit,
            limit: 500,
        };
        let review = check("review", &["overdue"])?;
        let alerts = self.store.risk_alerts(&q).await?;
        let s = self.risk_settings().await?;
        let now = self.now();
        Ok(alerts
            .iter()
            .map(|a| (a, review_due(a, &s)))
            .filter(|(_, due)| review.is_none() || due.is_some_and(|d| d <= now))
            .map(|(a, due)| alert_json(a, p, &tree, due, now))
            .collect())
    }

    async fn visible_alert(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<(RiskAlert, std::sync::Arc<OrgTree>), AppError> {
        self.risk_read_check(p)?;
        let (region, tree) = self.risk_region(p).await?;
        match self.store.risk_alert(id).await? {
            Some(a) if a.region.starts_with(&region) => Ok((a, tree)),
            _ => Err(AppError::not_found("风险预警", "risk alert")),
        }
    }

    /// `GET /api/v1/risk/alerts/{id}`: the alert, its cases and its events.
    pub async fn risk_alert(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        let (a, tree) = self.visible_alert(p, id).await?;
        let s = self.risk_settings().await?;
        let mut v = alert_json(&a, p, &tree, review_due(&a, &s), self.now());
        let mut cases = Vec::new();
        for cid in a.case_ids.iter().take(200) {
            if let Some(c) = self.store.get_case(*cid).await? {
                cases.push(json!({
                    "id": c.id, "number": c.number, "title": c.title, "status": c.status.code(),
                    "status_label": c.status.label_zh(), "category": c.category,
                    "reported_at": crate::deadlines::format_instant(c.reported_at),
                    "risk_level": c.risk_level,
                }));
            }
        }
        v["cases"] = Value::Array(cases);
        v["events"] = Value::Array(
            self.store
                .risk_events(id)
                .await?
                .iter()
                .map(|e| {
                    json!({
                        "at": crate::deadlines::format_instant(e.at), "actor_name": e.actor_name,
                        "action": e.action, "action_label": action_label(&e.action),
                        "note": e.note, "data": e.data,
                    })
                })
                .collect(),
        );
        Ok(v)
    }

    /// `POST /api/v1/risk/alerts/{id}/actions`: `{"action", "version", …}` — acknowledge;
    /// assign `{unit}`; comment `{note}`; relevel `{level, note}`; close `{result}`. The version
    /// is checked first (409), then the role (403), then the alert's status and the arguments
    /// (422 naming the field).
    pub async fn risk_alert_action(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        let action = f.req_str("action", 20)?;
        let (old, tree) = self.visible_alert(p, id).await?;
        if old.version != version {
            return Err(AppError::stale_record("预警", "alert", Some(old.version)));
        }
        if !may_act(p) {
            return Err(AppError::forbidden(
                "仅督办员或领导可处置风险预警",
                "only supervisors and leaders may act on risk alerts",
            ));
        }
        if !ACTIONS.contains(&action.as_str()) {
            return Err(AppError::field(
                "action",
                format!("「{action}」无效，可选：{}", ACTIONS.join(", ")),
                format!("'{action}' is not valid; use one of {}", ACTIONS.join(", ")),
            ));
        }
        if old.status == "closed" {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                "invalid_state",
                "预警已关闭，不能再处置",
                "the alert is closed",
            ));
        }
        let note = f.opt_str("note", 2000)?;
        let mut a = old.clone();
        let mut data = Value::Null;
        match action.as_str() {
            "acknowledge" => {
                if old.status != "open" {
                    return Err(AppError::new(
                        ErrorKind::Unprocessable,
                        "invalid_state",
                        "预警已在处置中",
                        "the alert is already acknowledged",
                    ));
                }
                a.status = "acknowledged".into();
            }
            "assign" => {
                let unit = f.req_str("unit", 64)?;
                let u = tree.get(&unit).filter(|u| !u.disabled).ok_or_else(|| {
                    AppError::field("unit", "单位不存在或已停用", "no such unit in service")
                })?;
                data = json!({ "unit": u.code, "unit_name": u.name });
                a.owner_unit = Some(u.code.clone());
                if a.status == "open" {
                    a.status = "acknowledged".into();
                }
            }
            "comment" => {
                if note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    return Err(AppError::field("note", "请填写意见", "is required"));
                }
            }
            "relevel" => {
                let level = f.req_str("level", 10)?;
                if risk::level_rank(&level).is_none() {
                    return Err(AppError::field(
                        "level",
                        format!("「{level}」无效，可选：{}", risk::LEVELS.join(", ")),
                        format!(
                            "'{level}' is not valid; use one of {}",
                            risk::LEVELS.join(", ")
                        ),
                    ));
                }
                if note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    return Err(AppError::field(
                        "note",
                        "调整等级须说明理由",
                        "a reason is required",
                    ));
                }
                data = json!({ "from": old.level, "to": level });
                a.level = level;
                a.level_by_hand = true;
            }
            _ => {
                let result = f.req_str("result", 2000)?;
                if result.trim().is_empty() {
                    return Err(AppError::field("result", "请填写处置结果", "is required"));
                }
                a.status = "closed".into();
                a.closed_at = Some(self.now());
                a.result = Some(result);
            }
        }
        a.version = old.version + 1;
        a.updated_at = self.now();
        // Every step of a supervisor's is a review: the cadence counts from it.
        a.reviewed_at = Some(self.now());
        let e = RiskEvent {
            id: Uuid::now_v7(),
            alert_id: id,
            at: self.now(),
            actor: Some(p.id),
            actor_name: p.name.clone(),
            action: action.clone(),
            note,
            data: (!data.is_null()).then_some(data),
        };
        if !self
            .store
            .update_risk_alert(&a, old.version, &e, &RiskOutbox::default())
            .await?
        {
            return Err(AppError::stale_record("预警", "alert", None));
        }
        let s = self.risk_settings().await?;
        Ok(alert_json(&a, p, &tree, review_due(&a, &s), self.now()))
    }

    /// Reminds the owners of open alerts whose review is due (part of the deadline sweep): once
    /// per missed review, to the supervisors and leaders of the owner unit (or, where it has
    /// none, of the nearest unit above with some), in-app, with a `review_overdue` event on the
    /// alert — compare-and-set on the deadline reminded, so replicas never both send it.
    pub async fn sweep_risk_reviews(&self) -> Result<usize, AppError> {
        let now = self.now();
        let s = self.risk_settings().await?;
        let tree = self.org.tree().await?;
        let users = self.store.users().await?;
        let mut sent = 0;
        for status in ["open", "acknowledged"] {
            let alerts = self
                .store
                .risk_alerts(&RiskQuery {
                    status: Some(status.into()),
                    limit: 1000,
                    ..RiskQuery::default()
                })
                .await?;
            for a in alerts {
                let Some(due) = review_due(&a, &s).filter(|d| *d <= now) else {
                    continue;
                };
                if a.review_reminded == Some(due) {
                    continue;
                }
                let owner = a.owner_unit.clone().unwrap_or_default();
                let chain = std::iter::once(owner.clone()).chain(tree.ancestors(&owner));
                let mut to = Vec::new();
                for unit in chain {
                    to = users
                        .iter()
                        .filter(|u| {
                            !u.disabled
                                && u.unit == unit
                                && matches!(u.role, Role::Supervisor | Role::Leader)
                        })
                        .collect::<Vec<_>>();
                    if !to.is_empty() {
                        break;
                    }
                }
                let days = s.review_days(&a.level);
                let notices = to
                    .into_iter()
                    .map(|u| Notification {
                        id: Uuid::now_v7(),
                        user_id: u.id,
                        case_id: None,
                        case_number: None,
                        kind: crate::notify::kind::RISK_REVIEW.into(),
                        title: String::new(),
                        body: String::new(),
                        created_at: now,
                        read_at: None,
                        data: Some(json!({ "alert_id": a.id, "level": a.level, "due": due, "days": days, "summary": a.summary })),
                        digest_key: None,
                    })
                    .map(|mut n| {
                        // Stored in Chinese (the record); each reader's language is rendered anew.
                        if let Some((t, b)) = crate::notify::render(&n, &tree, false) {
                            n.title = t;
                            n.body = b;
                        }
                        n
                    })
                    .collect();
                let e = RiskEvent {
                    id: Uuid::now_v7(),
                    alert_id: a.id,
                    at: now,
                    actor: None,
                    actor_name: "系统（复核提醒）".into(),
                    action: "review_overdue".into(),
                    note: None,
                    data: Some(
                        json!({ "due": crate::deadlines::format_instant(due), "days": days }),
                    ),
                };
                let out = RiskOutbox {
                    notices,
                    deliveries: vec![],
                };
                if self.store.remind_risk_review(a.id, due, &e, &out).await? {
                    sent += 1;
                }
            }
        }
        Ok(sent)
    }
}

impl App {
    /// The latest closed alert of `key` already held every one of `ids`: a supervisor closed it,
    /// and a scan must not raise it again until a new case joins.
    /// Mediations that failed or were terminated between `from` and `to` (the history signal's
    /// evidence): what they were about (the case's words and the summary) and the parties' phones.
    async fn failed_mediations(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<risk::PastMediation>, AppError> {
        let mut out = Vec::new();
        for status in ["failed", "terminated"] {
            let list = self
                .store
                .mediations(&MediationQuery {
                    status: Some(status.into()),
                    updated_from: Some(from),
                    limit: 1000,
                    ..MediationQuery::default()
                })
                .await?;
            for m in list.into_iter().filter(|m| m.updated_at <= to) {
                let mut text = m.doc["summary"].as_str().unwrap_or_default().to_string();
                if let Some(id) = m.case_id
                    && let Some(c) = self.store.get_case(id).await?
                {
                    text = format!("{}。{}。{text}", c.title, c.description);
                }
                let phones = m.doc["parties"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter_map(|p| p["phone"].as_str())
                            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
                            .filter(|p| !p.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(risk::PastMediation {
                    id: m.id.to_string(),
                    outcome: status.into(),
                    ended_at: m.updated_at,
                    text,
                    phones,
                    route: m.doc["route"]["label"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                });
            }
        }
        Ok(out)
    }

    async fn closed_with(&self, key: &str, ids: &[Uuid]) -> Result<bool, AppError> {
        let last = self
            .store
            .risk_alerts(&RiskQuery {
                key: Some(key.to_string()),
                status: Some("closed".into()),
                limit: 1,
                ..RiskQuery::default()
            })
            .await?;
        Ok(last
            .first()
            .is_some_and(|a| ids.iter().all(|id| a.case_ids.contains(id))))
    }

    /// A new red alert is told at once to the supervisors and leaders of its owner tier (the
    /// active users of those roles whose unit is the owner unit or above it), and to the owner
    /// unit's webhook if it has one.
    async fn red_alert_outbox(
        &self,
        a: &RiskAlert,
        tree: &OrgTree,
    ) -> Result<RiskOutbox, AppError> {
        let Some(owner) = a.owner_unit.as_deref() else {
            return Ok(RiskOutbox::default());
        };
        let mut deliveries = vec![];
        if let Some((url, _secret)) = self.store.unit_webhook(owner).await? {
            let payload = json!({
                "event": "risk.alert.red",
                "at": crate::deadlines::format_instant(a.updated_at),
                "alert": {
                    "id": a.id, "kind": a.kind, "level": a.level, "summary": a.summary,
                    "case_count": a.case_ids.len(), "region": a.region, "owner_unit": owner,
                },
            });
            deliveries.push(Delivery {
                id: Uuid::now_v7(),
                unit: owner.to_string(),
                url,
                payload: payload.to_string(),
                attempts: 0,
                next_attempt_at: a.updated_at,
                delivered_at: None,
                failed: false,
                last_error: None,
                created_at: a.updated_at,
            });
        }
        let notices = self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                !u.disabled
                    && matches!(u.role, Role::Supervisor | Role::Leader)
                    && tree.is_within(owner, &u.unit)
            })
            .map(|u| Notification {
                id: Uuid::now_v7(),
                user_id: u.id,
                case_id: None,
                case_number: None,
                kind: "risk_alert".into(),
                title: format!("红色风险预警：{}", a.summary),
                body: format!(
                    "{}，涉及工单 {} 件，请{}立即包案处置",
                    kind_label(&a.kind),
                    a.case_ids.len(),
                    tree.name(owner)
                ),
                created_at: a.updated_at,
                read_at: None,
                data: None,
                digest_key: None,
            })
            .collect();
        Ok(RiskOutbox {
            notices,
            deliveries,
        })
    }
}

fn scan_event(alert: Uuid, at: i64, action: &str, data: Value) -> RiskEvent {
    RiskEvent {
        id: Uuid::now_v7(),
        alert_id: alert,
        at,
        actor: None,
        actor_name: "风险扫描".into(),
        action: action.into(),
        note: None,
        data: Some(data),
    }
}

fn action_label(a: &str) -> &'static str {
    match a {
        "raised" => "生成预警",
        "updated" => "扫描更新",
        "acknowledge" => "签收处置",
        "assign" => "指定包案单位",
        "comment" => "填写意见",
        "relevel" => "调整等级",
        "close" => "关闭预警",
        "review_overdue" => "复核到期提醒",
        _ => "其他",
    }
}

/// When an open alert is due for review: its level's cadence after the last step a supervisor
/// took on it, or after it was raised.
pub fn review_due(a: &RiskAlert, s: &risk::Settings) -> Option<i64> {
    (a.status != "closed")
        .then(|| a.reviewed_at.unwrap_or(a.created_at) + s.review_days(&a.level) * DAY)
}

fn alert_json(
    a: &RiskAlert,
    p: &Principal,
    tree: &OrgTree,
    review: Option<i64>,
    now: i64,
) -> Value {
    let phone = a.phone.as_ref().map(|ph| {
        if p.role.sees_full_phone() {
            ph.clone()
        } else {
            domain::mask_phone(ph)
        }
    });
    let region_name = tree
        .hub_for_region(&a.region)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    json!({
        "id": a.id, "kind": a.kind, "kind_label": kind_label(&a.kind),
        "level": a.level, "level_label": level_label(&a.level),
        "status": a.status, "status_label": status_label(&a.status),
        "case_ids": a.case_ids, "case_count": a.case_ids.len(),
        "phone": phone, "summary": a.summary, "evidence": a.evidence,
        "region": a.region, "region_name": region_name,
        "owner_unit": a.owner_unit,
        "owner_unit_name": a.owner_unit.as_deref().map(|u| tree.name(u)),
        "level_by_hand": a.level_by_hand, "version": a.version,
        "created_at": crate::deadlines::format_instant(a.created_at),
        "updated_at": crate::deadlines::format_instant(a.updated_at),
        "closed_at": a.closed_at.map(crate::deadlines::format_instant),
        "result": a.result,
        "reviewed_at": a.reviewed_at.map(crate::deadlines::format_instant),
        "review_due": review.map(crate::deadlines::format_instant),
        "review_overdue": review.is_some_and(|d| d <= now),
    })
}
