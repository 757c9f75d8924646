//! 工程建设项目审批 (issue 22, item 3): a project walks the district's process — four stages by
//! default, each led by one department, its reviews by several departments in parallel, one form
//! per stage, stage limits in working days, 补正 and 中介 time not counted, 联合验收 as the last
//! stage's one round. Working days are counted by [`::bundles::approval`] on the district's
//! calendar; the report compares the parallel process with the same reviews done one after
//! another.
//!
//! The process is admin data (setting [`PROCESS_SETTING`], the demo installs its own); a project
//! keeps the process it started with.

use crate::App;
use crate::deadlines::{date_of, format_instant};
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::ApprovalRow;
use crate::scope::Principal;
use ::bundles::approval::{Pause, ReviewSpan, StageDef, review_days, stage_days, validate_process};
use calendar::Calendar;
use domain::{Role, UnitKind};
use jiff::civil::Date;
use serde_json::{Value, json};
use uuid::Uuid;

/// The setting holding the process (a JSON array of stages).
pub const PROCESS_SETTING: &str = "approval_process";
const PAUSE_KINDS: [&str; 2] = ["correction", "intermediary"];

fn window(p: &Principal) -> bool {
    p.is_staff() && matches!(p.role, Role::Clerk | Role::Dispatcher | Role::Admin)
}

fn span_of(r: &Value) -> Option<ReviewSpan> {
    let started = date_of(r["started_at"].as_i64()?);
    let pauses = r["pauses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Pause {
                kind: p["kind"].as_str()?.to_string(),
                from: p["from"].as_str()?.parse().ok()?,
                to: p["to"].as_str().and_then(|s| s.parse().ok()),
            })
        })
        .collect();
    Some(ReviewSpan {
        started,
        finished: r["finished_at"].as_i64().map(date_of),
        pauses,
    })
}

impl App {
    /// Installs (or replaces) the process after checking it against the org tree.
    pub async fn install_approval_process(&self, stages: &Value) -> Result<(), AppError> {
        let defs: Vec<StageDef> = serde_json::from_value(stages.clone()).map_err(|e| {
            AppError::field(
                "stages",
                format!("流程格式不正确：{e}"),
                format!("malformed: {e}"),
            )
        })?;
        let tree = self.org.tree().await?;
        let errors = validate_process(&defs, &|u| {
            tree.get(u)
                .is_some_and(|x| !x.disabled && x.kind == UnitKind::Department)
        });
        if !errors.is_empty() {
            return Err(AppError::field(
                "stages",
                errors.join("；"),
                errors.join("; "),
            ));
        }
        let text = serde_json::to_string(&defs).map_err(AppError::internal)?;
        self.store.put_setting(PROCESS_SETTING, &text).await?;
        Ok(())
    }

    async fn approval_process(&self) -> Result<Vec<StageDef>, AppError> {
        let text = self
            .store
            .get_setting(PROCESS_SETTING)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Unprocessable,
                    "no_process",
                    "尚未配置工程建设项目审批流程",
                    "no approval process is configured",
                )
            })?;
        serde_json::from_str(&text).map_err(AppError::internal)
    }

    async fn approval_calendar(
        &self,
        tree: &OrgTree,
    ) -> Result<std::sync::Arc<Calendar>, AppError> {
        let region = tree
            .district_hub()
            .map(|u| u.region.clone())
            .unwrap_or_default();
        Ok(self.rules().await?.calendar_for(&region))
    }

    /// `POST /api/v1/approvals {name, project_code, applicant: {name, phone}, kind?}` (the window).
    pub async fn create_approval(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !window(p) {
            return Err(AppError::forbidden(
                "仅窗口受理人员可登记工程建设项目",
                "only window staff register projects",
            ));
        }
        let f = Fields::of(body, "")?;
        let name = f.req_str("name", 100)?;
        if name.trim().is_empty() {
            return Err(AppError::field("name", "必填", "is required"));
        }
        let code = f.opt_str("project_code", 40)?.unwrap_or_default();
        let a = f.object("applicant", "applicant.")?.ok_or_else(|| {
            AppError::field("applicant", "请填写建设单位", "the applicant is required")
        })?;
        let applicant = a.req_str("name", 100)?;
        let phone = a.req_str("phone", 30)?;
        if !crate::cases::valid_phone(&phone) {
            return Err(AppError::field(
                "applicant.phone",
                "电话号码格式不正确",
                "is not a valid phone number",
            ));
        }
        let stages: Vec<Value> = self
            .approval_process()
            .await?
            .into_iter()
            .map(|s| {
                let reviews: Vec<Value> = s
                    .reviews
                    .iter()
                    .map(|r| json!({ "code": r.code, "name": r.name, "unit": r.unit, "limit_working_days": r.limit_working_days,
                        "status": "pending", "version": 1, "started_at": null, "finished_at": null, "pauses": [], "opinion": null }))
                    .collect();
                json!({ "code": s.code, "name": s.name, "lead_unit": s.lead_unit, "limit_working_days": s.limit_working_days,
                    "joint": s.joint, "status": "pending", "form": null, "started_at": null, "finished_at": null, "reviews": reviews })
            })
            .collect();
        let now = self.now();
        let row = ApprovalRow {
            id: Uuid::now_v7(),
            name: name.trim().to_string(),
            status: "in_progress".into(),
            created_at: now,
            created_by: Some(p.id),
            version: 1,
            doc: json!({ "project_code": code, "kind": f.opt_str("kind", 40)?, "applicant": { "name": applicant, "phone": phone },
                "stages": stages, "events": [{ "at": now, "actor": p.name, "action": "register" }] }),
        };
        self.store.insert_approval(&row).await?;
        let tree = self.org.tree().await?;
        let cal = self.approval_calendar(&tree).await?;
        Ok(approval_view(&row, &tree, &cal, date_of(now)))
    }

    /// `GET /api/v1/approvals/{id}` (staff).
    pub async fn approval(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let a = self
            .store
            .approval(id)
            .await?
            .ok_or_else(|| AppError::not_found("审批项目", "approval project"))?;
        let tree = self.org.tree().await?;
        let cal = self.approval_calendar(&tree).await?;
        Ok(approval_view(&a, &tree, &cal, date_of(self.now())))
    }

    /// `GET /api/v1/approvals` (staff): newest first.
    pub async fn approvals(&self, p: &Principal) -> Result<Vec<Value>, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        let cal = self.approval_calendar(&tree).await?;
        let today = date_of(self.now());
        Ok(self
            .store
            .approvals(500)
            .await?
            .iter()
            .map(|a| approval_view(a, &tree, &cal, today))
            .collect())
    }

    /// `GET /api/v1/approvals/report`: by stage the finished stages' average working days against
    /// the limit, and over completed projects the parallel total against the serial one.
    pub async fn approval_report(&self, p: &Principal) -> Result<Value, AppError> {
        let list = self.approvals(p).await?;
        let mut stages: Vec<(String, String, i64, Vec<i64>)> = Vec::new();
        for a in &list {
            for s in a["stages"].as_array().into_iter().flatten() {
                let code = s["code"].as_str().unwrap_or_default().to_string();
                let i = match stages.iter().position(|x| x.0 == code) {
                    Some(i) => i,
                    None => {
                        stages.push((
                            code,
                            s["name"].as_str().unwrap_or_default().to_string(),
                            s["limit_working_days"].as_i64().unwrap_or(0),
                            vec![],
                        ));
                        stages.len() - 1
                    }
                };
                if s["status"] == "approved"
                    && let Some(d) = s["working_days"].as_i64()
                {
                    stages[i].3.push(d);
                }
            }
        }
        let avg = |v: &[i64]| -> Value {
            if v.is_empty() {
                Value::Null
            } else {
                json!((v.iter().sum::<i64>() as f64 / v.len() as f64 * 10.0).round() / 10.0)
            }
        };
        let done: Vec<&Value> = list.iter().filter(|a| a["status"] == "completed").collect();
        let par: Vec<i64> = done
            .iter()
            .filter_map(|a| a["report"]["parallel_working_days"].as_i64())
            .collect();
        let ser: Vec<i64> = done
            .iter()
            .filter_map(|a| a["report"]["serial_working_days"].as_i64())
            .collect();
        Ok(json!({
            "projects": list.len(), "completed": done.len(),
            "stages": stages.iter().map(|(c, n, l, v)| json!({ "code": c, "name": n, "limit_working_days": l, "finished": v.len(), "avg_working_days": avg(v) })).collect::<Vec<_>>(),
            "avg_parallel_working_days": avg(&par), "avg_serial_working_days": avg(&ser),
        }))
    }

    /// `POST /api/v1/approvals/{id}/stages/{stage}/submit {version, form}`: the window submits the
    /// stage's one form; its reviews start together. The stage before must be approved.
    pub async fn submit_approval_stage(
        &self,
        p: &Principal,
        id: Uuid,
        stage: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        if !window(p) {
            return Err(AppError::forbidden(
                "仅窗口受理人员可提交阶段申请",
                "only window staff submit a stage",
            ));
        }
        let f = Fields::of(body, "")?;
        let version = f.get("version").and_then(Value::as_i64).ok_or_else(|| {
            AppError::field(
                "version",
                "须给出项目的当前版本号",
                "the project's version is required",
            )
        })?;
        let form = match f.get("form") {
            Some(Value::Object(m)) if !m.is_empty() && m.len() <= 60 => Value::Object(m.clone()),
            _ => {
                return Err(AppError::field(
                    "form",
                    "请填写本阶段的申请表（1 到 60 项）",
                    "the stage's form (1 to 60 fields) is required",
                ));
            }
        };
        let a = self
            .store
            .approval(id)
            .await?
            .ok_or_else(|| AppError::not_found("审批项目", "approval project"))?;
        if a.version != version {
            return Err(AppError::stale_record(
                "审批项目",
                "approval project",
                Some(a.version),
            ));
        }
        let mut doc = a.doc.clone();
        let stages = doc["stages"].as_array().cloned().unwrap_or_default();
        let Some(i) = stages.iter().position(|s| s["code"] == stage) else {
            return Err(AppError::not_found("审批阶段", "stage"));
        };
        if stages[i]["status"] != "pending"
            || (i > 0 && stages[i - 1]["status"] != "approved")
            || a.status != "in_progress"
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "invalid_transition",
                "该阶段不能提交：上一阶段尚未办结，或本阶段已提交",
                "this stage cannot be submitted: the stage before is not approved, or it was submitted",
            ));
        }
        let now = self.now();
        let s = &mut doc["stages"][i];
        s["status"] = json!("in_progress");
        s["form"] = form;
        s["started_at"] = json!(now);
        for r in s["reviews"].as_array_mut().into_iter().flatten() {
            r["status"] = json!("in_progress");
            r["started_at"] = json!(now);
            r["version"] = json!(r["version"].as_i64().unwrap_or(1) + 1);
        }
        if let Some(e) = doc["events"].as_array_mut() {
            e.push(json!({ "at": now, "actor": p.name, "action": "submit", "stage": stage }));
        }
        let row = ApprovalRow {
            version: a.version + 1,
            doc,
            ..a.clone()
        };
        if !self.store.update_approval(&row, a.version).await? {
            return Err(AppError::stale_record("审批项目", "approval project", None));
        }
        let tree = self.org.tree().await?;
        let cal = self.approval_calendar(&tree).await?;
        Ok(approval_view(&row, &tree, &cal, date_of(now)))
    }

    /// `POST /api/v1/approvals/{id}/reviews/{review}/actions {action: approve|refuse|pause|resume,
    /// version, kind? (pause: correction|intermediary), opinion?}` by the reviewing department.
    pub async fn approval_review_action(
        &self,
        p: &Principal,
        id: Uuid,
        review: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let action = f.req_str("action", 20)?;
        if !["approve", "refuse", "pause", "resume"].contains(&action.as_str()) {
            return Err(AppError::field(
                "action",
                "可选：approve、refuse、pause、resume",
                "use approve, refuse, pause or resume",
            ));
        }
        let version = f.get("version").and_then(Value::as_i64).ok_or_else(|| {
            AppError::field(
                "version",
                "须给出审查事项的当前版本号",
                "the review's version is required",
            )
        })?;
        let opinion = f
            .opt_str("opinion", 2000)?
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let kind = f.opt_str("kind", 20)?;
        if action == "pause" && !kind.as_deref().is_some_and(|k| PAUSE_KINDS.contains(&k)) {
            return Err(AppError::field(
                "kind",
                "暂停须说明原因：correction（补正）或 intermediary（中介服务）",
                "pause needs kind correction or intermediary",
            ));
        }
        if action == "refuse" && opinion.is_none() {
            return Err(AppError::field("opinion", "不予许可须写明理由", "say why"));
        }
        let tree = self.org.tree().await?;
        for _ in 0..5 {
            let a = self
                .store
                .approval(id)
                .await?
                .ok_or_else(|| AppError::not_found("审批项目", "approval project"))?;
            let mut doc = a.doc.clone();
            let mut at = None;
            for (si, s) in doc["stages"].as_array().into_iter().flatten().enumerate() {
                if let Some(ri) = s["reviews"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .position(|r| r["code"] == review)
                {
                    at = Some((si, ri));
                }
            }
            let Some((si, ri)) = at else {
                return Err(AppError::not_found("审查事项", "review"));
            };
            let r = doc["stages"][si]["reviews"][ri].clone();
            let unit = r["unit"].as_str().unwrap_or_default();
            if !(p.is_staff() && tree.is_within(p.unit.as_deref().unwrap_or_default(), unit)) {
                return Err(AppError::forbidden(
                    "只有该审查事项的承办部门可以办理",
                    "only the reviewing department acts",
                ));
            }
            let current = r["version"].as_i64().unwrap_or(1);
            if current != version {
                return Err(AppError::stale_record("审查事项", "review", Some(current)));
            }
            let status = r["status"].as_str().unwrap_or_default();
            let next = match (status, action.as_str()) {
                ("in_progress", "approve") => "approved",
                ("in_progress" | "paused", "refuse") => "refused",
                ("in_progress", "pause") => "paused",
                ("paused", "resume") => "in_progress",
                _ => {
                    return Err(AppError::new(
                        ErrorKind::Conflict,
                        "invalid_transition",
                        format!("审查事项当前状态为「{status}」，不能执行此操作"),
                        format!("the review is {status}; this action does not apply"),
                    ));
                }
            };
            let now = self.now();
            let today = date_of(now).to_string();
            let rr = &mut doc["stages"][si]["reviews"][ri];
            rr["status"] = json!(next);
            rr["version"] = json!(current + 1);
            if let Some(o) = &opinion {
                rr["opinion"] = json!(o);
            }
            match action.as_str() {
                "pause" => {
                    if let Some(l) = rr["pauses"].as_array_mut() {
                        l.push(json!({ "kind": kind, "from": today, "to": null, "note": opinion }));
                    }
                }
                "resume" => {
                    if let Some(last) = rr["pauses"].as_array_mut().and_then(|l| l.last_mut()) {
                        last["to"] = json!(today);
                    }
                }
                _ => {
                    rr["finished_at"] = json!(now);
                    if let Some(last) = rr["pauses"].as_array_mut().and_then(|l| l.last_mut())
                        && last["to"].is_null()
                    {
                        last["to"] = json!(today);
                    }
                }
            }
            // The stage ends when every review is approved, or with the first refusal.
            let stage = &mut doc["stages"][si];
            let statuses: Vec<String> = stage["reviews"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| r["status"].as_str().unwrap_or_default().to_string())
                .collect();
            let mut project = a.status.clone();
            if next == "refused" {
                stage["status"] = json!("refused");
                stage["finished_at"] = json!(now);
                project = "refused".into();
                // The stage's other reviews stop with it: their clocks end today (a paused one stays
                // paused through today: its pause ends the day after).
                let after = date_of(now)
                    .tomorrow()
                    .map_or_else(|_| today.clone(), |d| d.to_string());
                for other in stage["reviews"].as_array_mut().into_iter().flatten() {
                    if matches!(other["status"].as_str(), Some("in_progress" | "paused")) {
                        other["status"] = json!("stopped");
                        other["finished_at"] = json!(now);
                        other["version"] = json!(other["version"].as_i64().unwrap_or(1) + 1);
                        if let Some(last) =
                            other["pauses"].as_array_mut().and_then(|l| l.last_mut())
                            && last["to"].is_null()
                        {
                            last["to"] = json!(after);
                        }
                    }
                }
            } else if statuses.iter().all(|s| s == "approved") {
                stage["status"] = json!("approved");
                stage["finished_at"] = json!(now);
                let last = doc["stages"].as_array().is_some_and(|l| l.len() == si + 1);
                if last {
                    project = "completed".into();
                }
            }
            if let Some(e) = doc["events"].as_array_mut() {
                e.push(json!({ "at": now, "actor": p.name, "unit": p.unit, "action": action, "review": review, "kind": kind, "opinion": opinion }));
            }
            let row = ApprovalRow {
                status: project,
                version: a.version + 1,
                doc,
                ..a.clone()
            };
            if self.store.update_approval(&row, a.version).await? {
                let cal = self.approval_calendar(&tree).await?;
                return Ok(approval_view(&row, &tree, &cal, date_of(now)));
            }
        }
        Err(AppError::stale_record("审批项目", "approval project", None))
    }
}

/// A project as the API shows it: per stage `started`, `finished`, `working_days` (elapsed, on the
/// calendar, 补正 and 中介 days not counted), and the project's `working_days`; per review its own;
/// the report's parallel and serial totals.
fn approval_view(a: &ApprovalRow, tree: &OrgTree, cal: &Calendar, today: Date) -> Value {
    let workday = |d: Date| cal.is_workday(d);
    let mut total = 0i64;
    let mut serial = 0i64;
    let stages: Vec<Value> = a.doc["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let mut s = s.clone();
            let spans: Vec<ReviewSpan> = s["reviews"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(span_of)
                .collect();
            let started = s["started_at"].as_i64();
            let finished = s["finished_at"].as_i64();
            let days = started
                .map(|st| stage_days(date_of(st), finished.map(date_of), &spans, today, &workday));
            total += days.unwrap_or(0);
            for r in s["reviews"].as_array_mut().into_iter().flatten() {
                let span = span_of(r);
                let d = span.as_ref().map(|sp| review_days(sp, today, &workday));
                serial += d.unwrap_or(0);
                // Working days after the start up to the finish (or today) that were paused.
                let paused = span.as_ref().map_or(0, |sp| {
                    let end = sp.finished.unwrap_or(today);
                    cal.workdays_between(sp.started, end).max(0) - review_days(sp, today, &workday)
                });
                r["working_days"] = json!(d);
                r["paused_working_days"] = json!(paused);
                r["over_limit"] = json!(
                    d.is_some_and(|d| d > r["limit_working_days"].as_i64().unwrap_or(i64::MAX))
                );
                let unit = r["unit"].as_str().unwrap_or_default().to_string();
                r["unit_name"] = json!(tree.name(&unit));
                for k in ["started_at", "finished_at"] {
                    r[k] = r[k]
                        .as_i64()
                        .map_or(Value::Null, |ms| json!(format_instant(ms)));
                }
            }
            let lead = s["lead_unit"].as_str().unwrap_or_default().to_string();
            s["lead_unit_name"] = json!(tree.name(&lead));
            s["working_days"] = json!(days);
            s["over_limit"] = json!(
                days.is_some_and(|d| d > s["limit_working_days"].as_i64().unwrap_or(i64::MAX))
            );
            s["started"] = started.map_or(Value::Null, |ms| json!(format_instant(ms)));
            s["finished"] = finished.map_or(Value::Null, |ms| json!(format_instant(ms)));
            if let Some(o) = s.as_object_mut() {
                o.remove("started_at");
                o.remove("finished_at");
            }
            s
        })
        .collect();
    json!({
        "id": a.id, "name": a.name, "status": a.status, "version": a.version,
        "created_at": format_instant(a.created_at),
        "project_code": a.doc["project_code"], "kind": a.doc["kind"], "applicant": a.doc["applicant"],
        "stages": stages, "working_days": total,
        "report": { "parallel_working_days": total, "serial_working_days": serial, "saved_working_days": serial - total },
        "events": a.doc["events"].as_array().into_iter().flatten().map(|e| {
            let mut e = e.clone();
            if let Some(ms) = e["at"].as_i64() { e["at"] = json!(format_instant(ms)); }
            e
        }).collect::<Vec<_>>(),
    })
}
