//! 人民调解 (issue 20, item 5): a dispute's mediation from application to agreement — and then the
//! 30-day window to apply for 司法确认 and the agreement's performance — or to its transfer
//! (arbitration, litigation, 信访, another organisation) or termination. The mediating
//! organisation is a hub unit (a community's or street's 调委会, the district's centre); sessions
//! may seat several departments at one table (一揽子调处), each with its commitment and deadline.
//!
//! Statuses: applied → mediating → agreed → closed (follow-up found it kept), or mediating →
//! failed (with its route) / terminated. Every step is an event, checked against the version.
//! 人民调解法 Art. 28–29: an agreement is written (调解协议书) or oral (recorded by the mediator),
//! states its terms and the manner and period of performance; Art. 33: within 30 days of a written
//! agreement taking effect the parties may apply for 司法确认.

use crate::App;
use crate::audit::AuditAction;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::notify;
use crate::org::OrgTree;
use crate::ports::{Mediation, MediationEvent, MediationQuery, Notification};
use crate::scope::Principal;
use domain::{Nature, Role};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

const DAY: i64 = 86_400_000;
/// 人民调解法 Art. 33: the parties may apply for 司法确认 within 30 days of the agreement.
pub const JUDICIAL_DAYS: i64 = 30;
/// A judicial deadline this close is 临期 in the list's `due=judicial` view and is warned of.
const JUDICIAL_WARN_DAYS: i64 = 7;
/// An agreement's performance deadline this close is warned of.
const PERFORMANCE_WARN_DAYS: i64 = 3;

pub const STATUSES: [&str; 6] = [
    "applied",
    "mediating",
    "agreed",
    "failed",
    "terminated",
    "closed",
];
pub const ROUTES: [&str; 4] = ["arbitration", "litigation", "petition", "other_org"];
const PARTY_ROLES: [&str; 3] = ["applicant", "respondent", "third_party"];

pub fn status_label(s: &str) -> &'static str {
    match s {
        "applied" => "待受理",
        "mediating" => "调解中",
        "agreed" => "达成协议",
        "failed" => "调解不成",
        "terminated" => "终止调解",
        "closed" => "已结案",
        _ => "未知",
    }
}

fn route_label(r: &str) -> &'static str {
    match r {
        "arbitration" => "转仲裁",
        "litigation" => "转诉讼",
        "petition" => "转信访",
        "other_org" => "转其他调解组织",
        _ => "其他",
    }
}

/// A step's name in Chinese (for messages).
fn action_label(a: &str) -> &'static str {
    match a {
        "accept" => "受理",
        "session" => "登记调解",
        "agree" => "达成协议",
        "judicial" => "申请司法确认",
        "fail" => "调解不成",
        "terminate" => "终止调解",
        "follow_up" => "回访",
        _ => "该操作",
    }
}

fn may_mediate(p: &Principal) -> bool {
    p.is_staff()
        && matches!(
            p.role,
            Role::Dispatcher | Role::Supervisor | Role::UnitLead | Role::Handler
        )
}

fn may_read(p: &Principal) -> bool {
    may_mediate(p) || (p.is_staff() && p.role == Role::Leader)
}

fn invalid_state(zh: &str, en: &str) -> AppError {
    AppError::new(ErrorKind::Unprocessable, "invalid_state", zh, en)
}

/// A date (`YYYY-MM-DD`) or instant (RFC 3339) field, as epoch ms. A date given for a deadline
/// (`end_of_day`) runs to the end of that day; a date given for when something happened is its
/// start (so that "today" is never in the future).
fn instant_field(f: &Fields, key: &str, end_of_day: bool) -> Result<Option<i64>, AppError> {
    let Some(s) = f.opt_str(key, 40)? else {
        return Ok(None);
    };
    let v = crate::cases::parse_instant(&s).ok_or_else(|| {
        AppError::field(
            key,
            format!("「{s}」不是有效日期（YYYY-MM-DD）"),
            format!("'{s}' is not a valid date (YYYY-MM-DD)"),
        )
    })?;
    Ok(Some(if s.len() == 10 && end_of_day {
        v + DAY - 1
    } else {
        v
    }))
}

/// The names in a list of strings (1..=max, each 1..=40 characters).
fn names(f: &Fields, key: &str, max: usize) -> Result<Vec<String>, AppError> {
    let v = f.get(key).cloned().unwrap_or(Value::Null);
    let list = v
        .as_array()
        .filter(|l| !l.is_empty() && l.len() <= max)
        .ok_or_else(|| {
            AppError::field(
                key,
                format!("应为 1 到 {max} 个姓名"),
                format!("must list 1 to {max} names"),
            )
        })?;
    list.iter()
        .map(|n| {
            n.as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.chars().count() <= 40)
                .map(str::to_string)
                .ok_or_else(|| {
                    AppError::field(
                        key,
                        "姓名应为 1 到 40 个字",
                        "each name: 1 to 40 characters",
                    )
                })
        })
        .collect()
}

impl App {
    async fn mediation_scope(
        &self,
        p: &Principal,
    ) -> Result<(Vec<String>, std::sync::Arc<OrgTree>), AppError> {
        let tree = self.org.tree().await?;
        let own = p.unit.clone().unwrap_or_default();
        Ok((tree.subtree(&own), tree))
    }

    async fn visible_mediation(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<(Mediation, std::sync::Arc<OrgTree>), AppError> {
        if !may_read(p) {
            return Err(AppError::forbidden(
                "无权查看调解",
                "your role may not see mediations",
            ));
        }
        let (units, tree) = self.mediation_scope(p).await?;
        match self.store.mediation(id).await? {
            Some(m) if units.contains(&m.org_unit) => Ok((m, tree)),
            _ => Err(AppError::not_found("调解", "mediation")),
        }
    }

    /// `POST /api/v1/mediations`: `{case_id | alert_id, org_unit, mediators: [..], parties:
    /// [{role, name, phone?, representative?}], summary?}`. A case must be a dispute (纠纷) and
    /// have no mediation under way.
    pub async fn apply_mediation(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !may_mediate(p) {
            return Err(AppError::forbidden(
                "仅派单员、督办员、承办单位可登记调解",
                "your role may not register mediations",
            ));
        }
        let f = Fields::of(body, "")?;
        let (units, tree) = self.mediation_scope(p).await?;
        let org = f.req_str("org_unit", 64)?;
        let org_unit = tree
            .get(&org)
            .filter(|u| !u.disabled && u.kind == domain::UnitKind::Hub)
            .ok_or_else(|| {
                AppError::field(
                    "org_unit",
                    "调解组织应为在用的社会治理中心",
                    "must be a hub in service",
                )
            })?;
        if !units.contains(&org_unit.code) {
            return Err(AppError::forbidden(
                "只能登记本单位及下级的调解",
                "only for your unit and below",
            ));
        }
        let mut case_id = None;
        let mut case_number = None;
        if let Some(c) = f.opt_str("case_id", 40)? {
            let id = Uuid::parse_str(&c)
                .map_err(|_| AppError::field("case_id", "不是有效的工单 ID", "is not a case id"))?;
            let (case, _) = self.visible_case(p, id).await?;
            if case.nature != Nature::Dispute {
                return Err(AppError::field(
                    "case_id",
                    "只有诉求性质为「纠纷」的工单可申请调解",
                    "only cases of nature dispute are mediated",
                ));
            }
            let open = self
                .store
                .mediations(&MediationQuery {
                    case_id: Some(id),
                    limit: 10,
                    ..MediationQuery::default()
                })
                .await?
                .into_iter()
                .any(|m| matches!(m.status.as_str(), "applied" | "mediating" | "agreed"));
            if open {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    "mediation_exists",
                    "该工单已有进行中的调解",
                    "this case already has a mediation under way",
                ));
            }
            case_id = Some(id);
            case_number = Some(case.number);
        }
        let alert_id = match f.opt_str("alert_id", 40)? {
            None => None,
            Some(a) => {
                let id = Uuid::parse_str(&a).map_err(|_| {
                    AppError::field("alert_id", "不是有效的预警 ID", "is not an alert id")
                })?;
                self.store
                    .risk_alert(id)
                    .await?
                    .ok_or_else(|| AppError::field("alert_id", "预警不存在", "no such alert"))?;
                Some(id)
            }
        };
        if case_id.is_none() && alert_id.is_none() {
            return Err(AppError::field(
                "case_id",
                "请指明工单或风险预警",
                "name a case or a risk alert",
            ));
        }
        let mediators = names(&f, "mediators", 5)?;
        let parties = f
            .get("parties")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty() && l.len() <= 50)
            .ok_or_else(|| {
                AppError::field(
                    "parties",
                    "请填写当事人（1 到 50 人）",
                    "list 1 to 50 parties",
                )
            })?;
        let mut clean = Vec::new();
        for (i, party) in parties.iter().enumerate() {
            let pf = Fields::of(party, "parties.")?;
            let role = pf.req_str("role", 20)?;
            if !PARTY_ROLES.contains(&role.as_str()) {
                return Err(AppError::field(
                    format!("parties[{i}].role"),
                    format!("可选：{}", PARTY_ROLES.join(", ")),
                    format!("use one of {}", PARTY_ROLES.join(", ")),
                ));
            }
            clean.push(json!({
                "role": role, "name": pf.req_str("name", 40)?,
                "phone": pf.opt_str("phone", 30)?, "representative": pf.opt_str("representative", 40)?,
            }));
        }
        for needed in ["applicant", "respondent"] {
            if !clean.iter().any(|c| c["role"] == needed) {
                return Err(AppError::field(
                    "parties",
                    "当事人须有申请人和被申请人",
                    "an applicant and a respondent are required",
                ));
            }
        }
        let now = self.now();
        let m = Mediation {
            id: Uuid::now_v7(),
            case_id,
            alert_id,
            org_unit: org_unit.code.clone(),
            status: "applied".into(),
            doc: json!({
                "case_number": case_number, "summary": f.opt_str("summary", 2000)?,
                "mediators": mediators, "parties": clean, "sessions": [], "follow_ups": [],
            }),
            judicial_due: None,
            performance_due: None,
            version: 1,
            created_at: now,
            updated_at: now,
            warned: String::new(),
        };
        let e = self.mediation_event(p, m.id, "applied", None);
        self.store.insert_mediation(&m, &e).await?;
        Ok(mediation_json(&m, p, &tree, now))
    }

    fn mediation_event(
        &self,
        p: &Principal,
        id: Uuid,
        action: &str,
        data: Option<Value>,
    ) -> MediationEvent {
        MediationEvent {
            id: Uuid::now_v7(),
            mediation_id: id,
            at: self.now(),
            actor: Some(p.id),
            actor_name: p.name.clone(),
            action: action.into(),
            data,
        }
    }

    /// `GET /api/v1/mediations?status=&case_id=&due=judicial`: the caller's units' mediations;
    /// `due=judicial` lists agreements whose 司法确认 window ends within 7 days or has ended.
    pub async fn mediations(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Vec<Value>, AppError> {
        if !may_read(p) {
            return Err(AppError::forbidden(
                "无权查看调解",
                "your role may not see mediations",
            ));
        }
        let get = |k: &str| {
            params
                .get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let status = get("status");
        if let Some(s) = &status
            && !STATUSES.contains(&s.as_str())
        {
            return Err(AppError::field(
                "status",
                format!("可选：{}", STATUSES.join(", ")),
                format!("use one of {}", STATUSES.join(", ")),
            ));
        }
        let case_id = match get("case_id") {
            None => None,
            Some(v) => Some(Uuid::parse_str(&v).map_err(|_| {
                AppError::field("case_id", "不是有效的工单 ID", "is not a case id")
            })?),
        };
        let now = self.now();
        let judicial_due_before = match get("due").as_deref() {
            None => None,
            Some("judicial") => Some(now + JUDICIAL_WARN_DAYS * DAY),
            Some(_) => return Err(AppError::field("due", "可选：judicial", "use judicial")),
        };
        // 工单编号: the dispute's case number, whole or its end.
        let number = get("number");
        let (units, tree) = self.mediation_scope(p).await?;
        let list = self
            .store
            .mediations(&MediationQuery {
                status,
                org_units: Some(units),
                case_id,
                judicial_due_before,
                updated_from: None,
                limit: 500,
            })
            .await?;
        Ok(list
            .iter()
            .filter(|m| {
                number.as_deref().is_none_or(|n| {
                    m.doc["case_number"]
                        .as_str()
                        .is_some_and(|c| c.ends_with(n))
                })
            })
            .map(|m| mediation_json(m, p, &tree, now))
            .collect())
    }

    /// `GET /api/v1/mediations/{id}`: the record and its events. Showing the parties' phones in
    /// full is logged like a case's.
    pub async fn mediation_detail(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        let (m, tree) = self.visible_mediation(p, id).await?;
        if p.role.sees_full_phone() {
            let number = m.doc["case_number"].as_str().map(str::to_string);
            self.audit_export(
                p,
                AuditAction::ViewMediation,
                format!("mediation={}", m.id),
                number.into_iter().collect(),
            )
            .await?;
        }
        let mut v = mediation_json(&m, p, &tree, self.now());
        // A dispute raised from a risk alert: what the alert says.
        if let Some(a) = m.alert_id
            && let Some(alert) = self.store.risk_alert(a).await?
        {
            v["alert_summary"] = json!(alert.summary);
            v["alert_level"] = json!(alert.level);
        }
        v["events"] = Value::Array(
            self.store
                .mediation_events(id)
                .await?
                .iter()
                .map(|e| {
                    json!({ "at": crate::deadlines::format_instant(e.at), "actor_name": e.actor_name,
                            "action": e.action, "data": e.data })
                })
                .collect(),
        );
        Ok(v)
    }

    /// `POST /api/v1/mediations/{id}/actions` `{"action", "version", …}`: accept; session
    /// `{at?, place, attendees, record, units?: [{unit, commitment, deadline}]}`; agree `{form:
    /// written|oral, terms, performance_due, effective_at?}`; judicial `{applied_at?, result?:
    /// confirmed|rejected}`; fail `{route, note}`; terminate `{reason}`; follow_up `{kept, note}`.
    /// Version first (409), then role and scope (403), then status and fields (422).
    pub async fn mediation_action(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        let action = f.req_str("action", 20)?;
        let (old, tree) = self.visible_mediation(p, id).await?;
        if old.version != version {
            return Err(AppError::stale_record(
                "调解记录",
                "mediation",
                Some(old.version),
            ));
        }
        if !may_mediate(p) {
            return Err(AppError::forbidden(
                "无权办理调解",
                "your role may not act on mediations",
            ));
        }
        let now = self.now();
        let mut m = old.clone();
        let mut data = None;
        let need = |states: &[&str]| -> Result<(), AppError> {
            if states.contains(&old.status.as_str()) {
                Ok(())
            } else {
                Err(invalid_state(
                    &format!(
                        "调解状态为「{}」，不能「{}」",
                        status_label(&old.status),
                        action_label(&action)
                    ),
                    &format!(
                        "the mediation is {}; '{action}' is not possible",
                        old.status
                    ),
                ))
            }
        };
        match action.as_str() {
            "accept" => {
                need(&["applied"])?;
                m.status = "mediating".into();
            }
            "session" => {
                need(&["mediating"])?;
                let at = instant_field(&f, "at", false)?.unwrap_or(now);
                let place = f.req_str("place", 200)?;
                let attendees = names(&f, "attendees", 50)?;
                let record = f.req_str("record", 10_000)?;
                let mut joint = Vec::new();
                if let Some(list) = f.get("units").and_then(Value::as_array) {
                    for (i, u) in list.iter().enumerate() {
                        let uf = Fields::of(u, "units.")?;
                        let code = uf.req_str("unit", 64)?;
                        let unit = tree.get(&code).ok_or_else(|| {
                            AppError::field(
                                format!("units[{i}].unit"),
                                "单位不存在",
                                "no such unit",
                            )
                        })?;
                        let deadline = instant_field(&uf, "deadline", true)?.ok_or_else(|| {
                            AppError::field(format!("units[{i}].deadline"), "必填", "is required")
                        })?;
                        joint.push(json!({ "unit": unit.code, "unit_name": unit.name,
                            "commitment": uf.req_str("commitment", 1000)?,
                            "deadline": crate::deadlines::format_instant(deadline) }));
                    }
                }
                let session = json!({ "at": crate::deadlines::format_instant(at), "place": place,
                    "attendees": attendees, "record": record, "units": joint });
                if let Some(list) = m.doc["sessions"].as_array_mut() {
                    list.push(session.clone());
                }
                data = Some(json!({ "place": session["place"], "units": session["units"] }));
            }
            "agree" => {
                need(&["mediating"])?;
                let form = f.req_str("form", 10)?;
                if !matches!(form.as_str(), "written" | "oral") {
                    return Err(AppError::field(
                        "form",
                        "可选：written（书面）、oral（口头）",
                        "use written or oral",
                    ));
                }
                let terms = f.req_str("terms", 10_000)?;
                let effective = instant_field(&f, "effective_at", false)?.unwrap_or(now);
                if effective > now {
                    return Err(AppError::field(
                        "effective_at",
                        "生效时间不能晚于现在",
                        "cannot be in the future",
                    ));
                }
                let due = instant_field(&f, "performance_due", true)?
                    .ok_or_else(|| AppError::field("performance_due", "必填", "is required"))?;
                if due < effective {
                    return Err(AppError::field(
                        "performance_due",
                        "履行期限不能早于协议生效",
                        "is before the agreement",
                    ));
                }
                m.status = "agreed".into();
                m.performance_due = Some(due);
                // Art. 33 concerns the written agreement (调解协议书); an oral one is recorded only.
                m.judicial_due = (form == "written").then_some(effective + JUDICIAL_DAYS * DAY);
                m.doc["agreement"] = json!({ "form": form, "terms": terms,
                    "effective_at": crate::deadlines::format_instant(effective),
                    "performance_due": crate::deadlines::format_instant(due) });
                data = Some(json!({ "form": form }));
            }
            "judicial" => {
                need(&["agreed"])?;
                if m.doc["agreement"]["form"] != "written" {
                    return Err(invalid_state(
                        "口头协议不能申请司法确认",
                        "an oral agreement cannot be judicially confirmed",
                    ));
                }
                let applied = instant_field(&f, "applied_at", false)?.unwrap_or(now);
                if let Some(due) = old.judicial_due
                    && applied > due
                {
                    return Err(AppError::field(
                        "applied_at",
                        format!(
                            "已超过协议生效后 {JUDICIAL_DAYS} 日的申请期限（{}）",
                            crate::deadlines::format_instant(due)
                        ),
                        format!(
                            "past the {JUDICIAL_DAYS}-day window ({})",
                            crate::deadlines::format_instant(due)
                        ),
                    ));
                }
                let result = f.opt_str("result", 20)?;
                if let Some(r) = &result
                    && !matches!(r.as_str(), "confirmed" | "rejected")
                {
                    return Err(AppError::field(
                        "result",
                        "可选：confirmed、rejected",
                        "use confirmed or rejected",
                    ));
                }
                // The window's end stays on the record (the documents and the page show it).
                let window_end = old.judicial_due.map(crate::deadlines::format_instant);
                m.doc["judicial"] = json!({ "applied_at": crate::deadlines::format_instant(applied), "result": result, "window_end": window_end });
                // Applied for: the window no longer runs.
                m.judicial_due = None;
                data = Some(m.doc["judicial"].clone());
            }
            "fail" => {
                need(&["mediating"])?;
                let route = f.req_str("route", 20)?;
                if !ROUTES.contains(&route.as_str()) {
                    return Err(AppError::field(
                        "route",
                        format!("可选：{}", ROUTES.join(", ")),
                        format!("use one of {}", ROUTES.join(", ")),
                    ));
                }
                let note = f.req_str("note", 2000)?;
                m.status = "failed".into();
                m.doc["route"] =
                    json!({ "route": route, "label": route_label(&route), "note": note });
                data = Some(m.doc["route"].clone());
            }
            "terminate" => {
                need(&["applied", "mediating"])?;
                let reason = f.req_str("reason", 2000)?;
                m.status = "terminated".into();
                m.doc["termination"] = json!({ "reason": reason });
                data = Some(json!({ "reason": m.doc["termination"]["reason"] }));
            }
            "follow_up" => {
                need(&["agreed"])?;
                let kept = f
                    .opt_bool("kept")?
                    .ok_or_else(|| AppError::field("kept", "必填", "is required"))?;
                let note = f.req_str("note", 2000)?;
                let entry = json!({ "at": crate::deadlines::format_instant(now), "kept": kept, "note": note });
                if let Some(list) = m.doc["follow_ups"].as_array_mut() {
                    list.push(entry.clone());
                }
                if kept {
                    m.status = "closed".into();
                }
                data = Some(entry);
            }
            _ => {
                return Err(AppError::field(
                    "action",
                    "可选：accept, session, agree, judicial, fail, terminate, follow_up",
                    "use accept, session, agree, judicial, fail, terminate or follow_up",
                ));
            }
        }
        m.version = old.version + 1;
        m.updated_at = now;
        let e = self.mediation_event(p, id, &action, data);
        if !self.store.update_mediation(&m, old.version, &e).await? {
            return Err(AppError::stale_record("调解记录", "mediation", None));
        }
        Ok(mediation_json(&m, p, &tree, now))
    }
}

/// The warnings an agreed mediation is due at `now` and has not had yet: the 司法确认 window
/// (临期 from [`JUDICIAL_WARN_DAYS`] before its end; then its end) and the performance deadline
/// (from [`PERFORMANCE_WARN_DAYS`] before; then the deadline itself, when a follow-up visit should
/// check the agreement was kept). A warning missed while the sweeper was down is not sent late
/// once the next one is due.
pub fn due_warnings(m: &Mediation, now: i64) -> Vec<(&'static str, i64)> {
    if m.status != "agreed" {
        return vec![];
    }
    let mut out = Vec::new();
    let mut check = |due: Option<i64>, warn_days: i64, near: &'static str, passed: &'static str| {
        if let Some(d) = due {
            if now >= d {
                out.push((passed, d));
            } else if now >= d - warn_days * DAY {
                out.push((near, d));
            }
        }
    };
    check(
        m.judicial_due,
        JUDICIAL_WARN_DAYS,
        "judicial_near",
        "judicial_passed",
    );
    check(
        m.performance_due,
        PERFORMANCE_WARN_DAYS,
        "performance_near",
        "performance_passed",
    );
    out.retain(|(w, _)| !m.warned.split(',').any(|x| x == *w));
    out
}

impl App {
    /// Sends the deadline warnings of agreed mediations that have come due (part of the deadline
    /// sweep): each once, to the mediating organisation's staff and those who worked on it, with an event on the record —
    /// compare-and-set on the warnings already sent, so two replicas never both send one, and
    /// without touching the version, so a mediator's open form does not conflict with a reminder.
    pub async fn sweep_mediation_deadlines(&self) -> Result<usize, AppError> {
        let now = self.now();
        let horizon = now + JUDICIAL_WARN_DAYS.max(PERFORMANCE_WARN_DAYS) * DAY;
        let mut seen = std::collections::HashSet::new();
        let mut list = self
            .store
            .mediations(&MediationQuery {
                judicial_due_before: Some(horizon),
                limit: 1000,
                ..MediationQuery::default()
            })
            .await?;
        list.extend(
            self.store
                .mediations(&MediationQuery {
                    status: Some("agreed".into()),
                    limit: 1000,
                    ..MediationQuery::default()
                })
                .await?,
        );
        let users = self.store.users().await?;
        let tree = self.org.tree().await?;
        let mut sent = 0;
        for old in list {
            if !seen.insert(old.id) {
                continue;
            }
            let warnings = due_warnings(&old, now);
            if warnings.is_empty() {
                continue;
            }
            // Told to the organisation's staff and to everyone who worked on it (a district
            // dispatcher who registered it for a street's 调委会).
            let actors: std::collections::HashSet<Uuid> = self
                .store
                .mediation_events(old.id)
                .await?
                .iter()
                .filter_map(|e| e.actor)
                .collect();
            let mut notices = Vec::new();
            let mut warned: Vec<&str> = old.warned.split(',').filter(|w| !w.is_empty()).collect();
            warned.extend(warnings.iter().map(|(w, _)| *w));
            let m = &old;
            for (warning, due) in &warnings {
                let data = json!({
                    "mediation_id": m.id, "warning": warning, "due": due,
                    "summary": m.doc["summary"],
                });
                for u in users.iter().filter(|u| {
                    !u.disabled
                        && (actors.contains(&u.id)
                            || (u.unit == m.org_unit
                                && matches!(
                                    u.role,
                                    Role::Dispatcher
                                        | Role::Supervisor
                                        | Role::UnitLead
                                        | Role::Handler
                                )))
                }) {
                    let mut n = Notification {
                        id: Uuid::now_v7(),
                        user_id: u.id,
                        case_id: m.case_id,
                        case_number: m.doc["case_number"].as_str().map(str::to_string),
                        kind: notify::kind::MEDIATION_DUE.into(),
                        title: String::new(),
                        body: String::new(),
                        created_at: now,
                        read_at: None,
                        data: Some(data.clone()),
                        digest_key: None,
                    };
                    // Stored in Chinese (the record); each reader's language is rendered anew.
                    if let Some((t, b)) = notify::render(&n, &tree, false) {
                        n.title = t;
                        n.body = b;
                    }
                    notices.push(n);
                }
            }
            let e = MediationEvent {
                id: Uuid::now_v7(),
                mediation_id: m.id,
                at: now,
                actor: None,
                actor_name: "系统（时限监控）".into(),
                action: "warned".into(),
                data: Some(json!({
                    "warnings": warnings.iter().map(|(w, d)| json!({
                        "warning": w, "due": crate::deadlines::format_instant(*d),
                    })).collect::<Vec<_>>(),
                })),
            };
            // Another sweep sent them a moment ago: nothing more to do.
            if self
                .store
                .record_mediation_warning(old.id, &old.warned, &warned.join(","), &e, &notices)
                .await?
            {
                sent += warnings.len();
            }
        }
        Ok(sent)
    }
}

fn mediation_json(m: &Mediation, p: &Principal, tree: &OrgTree, now: i64) -> Value {
    let mut doc = m.doc.clone();
    if !p.role.sees_full_phone()
        && let Some(parties) = doc["parties"].as_array_mut()
    {
        for party in parties {
            if let Some(ph) = party["phone"].as_str() {
                party["phone"] = Value::from(domain::mask_phone(ph));
            }
        }
    }
    let days_left = |due: Option<i64>| due.map(|d| (d - now).div_euclid(DAY));
    json!({
        "id": m.id, "case_id": m.case_id, "case_number": doc["case_number"], "alert_id": m.alert_id,
        "org_unit": m.org_unit, "org_unit_name": tree.name(&m.org_unit),
        "status": m.status, "status_label": status_label(&m.status),
        "summary": doc["summary"], "mediators": doc["mediators"], "parties": doc["parties"],
        "sessions": doc["sessions"], "agreement": doc["agreement"], "judicial": doc["judicial"],
        "route": doc["route"], "termination": doc["termination"], "follow_ups": doc["follow_ups"],
        "warned": m.warned.split(',').filter(|w| !w.is_empty()).collect::<Vec<_>>(),
        "judicial_due": m.judicial_due.map(crate::deadlines::format_instant),
        "judicial_days_left": days_left(m.judicial_due),
        "performance_due": m.performance_due.map(crate::deadlines::format_instant),
        "version": m.version,
        "created_at": crate::deadlines::format_instant(m.created_at),
        "updated_at": crate::deadlines::format_instant(m.updated_at),
    })
}
