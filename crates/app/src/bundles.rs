//! 一件事 applications (issue 22): one form and one set of materials at one window (or on the
//! portal), each member matter a task for its department, released when the matters it waits for
//! are approved, each with its own working-day clock; the bundle's clock is the template's
//! promised limit. A correction (补正) pauses the task's clock and the bundle's; the citizen sees
//! one status and is told once when everything is ready (统一出件). The visits the applicant had to
//! make (跑动次数) are counted: a window submission is one, an online one none, each correction
//! handed in at the window one more.
//!
//! Templates are admin data ([`::bundles::Template`], validated by [`::bundles::validate`]); an
//! application keeps the template as it was at submission, so editing a template never changes
//! an application under way.

use crate::App;
use crate::deadlines::{date_of, format_instant};
use crate::error::AppError;
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::{BundleQuery, BundleRow, BundleTaskRow, Notification};
use crate::scope::{Principal, is_district_office};
use ::bundles::{
    BundleStatus, TaskAction, TaskStatus, Template, bundle_status, cancel_dependents, check_form,
    critical_path, eligibility, missing_materials, next_status, release, validate,
};
use calendar::Calendar;
use domain::{Role, UnitKind};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use uuid::Uuid;

/// The notification kind of 统一出件.
pub const READY: &str = "bundle_ready";

fn status_of(s: &str) -> TaskStatus {
    serde_json::from_value(json!(s)).unwrap_or(TaskStatus::Waiting)
}

/// Whether the caller takes applications at a window.
fn at_window(p: &Principal) -> bool {
    p.is_staff() && matches!(p.role, Role::Clerk | Role::Dispatcher | Role::Admin)
}

fn day(d: Date) -> String {
    d.to_string()
}

fn parse_day(v: &Value) -> Option<Date> {
    v.as_str().and_then(|s| s.parse().ok())
}

impl App {
    async fn bundle_calendar(&self, tree: &OrgTree) -> Result<Arc<Calendar>, AppError> {
        let region = tree
            .district_hub()
            .map(|u| u.region.clone())
            .unwrap_or_default();
        Ok(self.rules().await?.calendar_for(&region))
    }

    /// The stored templates, parsed (one that no longer parses is left out).
    pub async fn bundle_templates(&self) -> Result<Vec<Template>, AppError> {
        Ok(self
            .store
            .bundle_templates()
            .await?
            .into_iter()
            .filter_map(|(_, doc)| serde_json::from_value(doc).ok())
            .collect())
    }

    /// `GET /api/v1/bundles/templates`: the catalogue (public: 一次告知).
    pub async fn bundle_template_views(&self) -> Result<Vec<Value>, AppError> {
        let tree = self.org.tree().await?;
        Ok(self
            .bundle_templates()
            .await?
            .iter()
            .map(|t| template_view(t, &tree))
            .collect())
    }

    /// `PUT /api/v1/bundles/templates/{code}` (administrators): validated before it is stored.
    pub async fn put_bundle_template(
        &self,
        p: &Principal,
        code: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可编辑一件事模板",
                "only administrators edit bundle templates",
            ));
        }
        let tree = self.org.tree().await?;
        let t = self
            .install_bundle_template(Some(code), body, Some(p.id))
            .await?;
        Ok(template_view(&t, &tree))
    }

    /// Validates a template against the org tree and stores it (an edit, or the district's
    /// catalogue being installed). `code`, when given, must be the template's.
    pub async fn install_bundle_template(
        &self,
        code: Option<&str>,
        body: &Value,
        by: Option<Uuid>,
    ) -> Result<Template, AppError> {
        let t: Template = serde_json::from_value(body.clone()).map_err(|e| {
            AppError::field(
                "template",
                format!("模板格式不正确：{e}"),
                format!("the template is malformed: {e}"),
            )
        })?;
        if code.is_some_and(|c| c != t.code) {
            return Err(AppError::field(
                "code",
                format!("模板编码「{}」与地址中的不一致", t.code),
                "the template's code differs from the one in the path",
            ));
        }
        let tree = self.org.tree().await?;
        let errors = validate(&t, &|u| {
            tree.get(u)
                .is_some_and(|x| !x.disabled && x.kind == UnitKind::Department)
        });
        if let Some(first) = errors.first() {
            let all: Vec<String> = errors
                .iter()
                .map(|e| format!("{}：{}", e.path, e.message))
                .collect();
            return Err(AppError::field(
                first.path.clone(),
                all.join("；"),
                format!("the template has {} problem(s); see details", errors.len()),
            )
            .with_details(json!({ "errors": errors })));
        }
        let doc = serde_json::to_value(&t).map_err(AppError::internal)?;
        self.store
            .put_bundle_template(&t.code, &doc, self.now(), by)
            .await?;
        Ok(t)
    }

    /// `POST /api/v1/bundles`: a clerk at a window, or a citizen on the portal, applies.
    pub async fn create_bundle(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        let channel = if p.kind == crate::scope::PrincipalKind::User && p.role == Role::Citizen {
            "portal"
        } else if at_window(p) {
            "window"
        } else {
            return Err(AppError::forbidden(
                "仅窗口受理人员或登录的群众可提交一件事申请",
                "only window clerks and signed-in citizens apply",
            ));
        };
        let f = Fields::of(body, "")?;
        let code = f.req_str("template", 64)?;
        let t = self
            .bundle_templates()
            .await?
            .into_iter()
            .find(|t| t.code == code)
            .ok_or_else(|| {
                AppError::field("template", "没有这个一件事模板", "no such bundle template")
            })?;
        let a = f.object("applicant", "applicant.")?.ok_or_else(|| {
            AppError::field("applicant", "请填写申请人", "the applicant is required")
        })?;
        let name = a.req_str("name", 50)?;
        let phone = a.req_str("phone", 30)?;
        if name.trim().is_empty() {
            return Err(AppError::field("applicant.name", "必填", "is required"));
        }
        if !crate::cases::valid_phone(&phone) {
            return Err(AppError::field(
                "applicant.phone",
                "电话号码格式不正确",
                "is not a valid phone number",
            ));
        }
        let id_card = a.opt_str("id_card", 18)?.filter(|s| !s.trim().is_empty());
        if id_card
            .as_deref()
            .is_some_and(|s| !::bundles::id_card_ok(s.trim()))
        {
            return Err(AppError::field(
                "applicant.id_card",
                "身份证号码不正确（18 位，末位校验码）",
                "is not a valid resident ID number",
            ));
        }
        let empty = serde_json::Map::new();
        let form = match f.get("form") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(AppError::field("form", "应为对象", "must be an object"));
            }
        };
        for (k, v) in form {
            if let Some(s) = v.as_str()
                && let Some(c) = crate::input::control_char(s, false)
            {
                return Err(AppError::field(
                    format!("form.{k}"),
                    format!("含有控制字符 U+{:04X}", c as u32),
                    "contains a control character",
                ));
            }
        }
        if let Some(e) = check_form(&t, form).into_iter().next() {
            return Err(AppError::field(e.field, e.message.clone(), e.message));
        }
        let now = self.now();
        let today = date_of(now);
        let reasons = eligibility(&t, form, today);
        if !reasons.is_empty() {
            return Err(AppError::new(
                crate::error::ErrorKind::Unprocessable,
                "ineligible",
                format!("不符合「{}」的办理条件：{}", t.name, reasons.join("；")),
                format!("not eligible for {}: {}", t.code, reasons.join("; ")),
            )
            .with_details(json!({ "reasons": reasons })));
        }
        let mut given = BTreeSet::new();
        for (i, m) in f
            .get("materials")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let code = m.as_str().unwrap_or_default();
            if !t.materials.iter().any(|x| x.code == code) {
                return Err(AppError::field(
                    format!("materials[{i}]"),
                    format!("材料「{code}」不在「{}」的材料清单中", t.name),
                    "not a material of this bundle",
                ));
            }
            given.insert(code.to_string());
        }
        let (blocking, deferred) = missing_materials(&t, &given);
        if !blocking.is_empty() {
            let names: Vec<&str> = blocking.iter().map(|m| m.name.as_str()).collect();
            return Err(AppError::field(
                "materials",
                format!("缺少必交材料：{}", names.join("、")),
                format!(
                    "required materials missing: {}",
                    blocking
                        .iter()
                        .map(|m| m.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_details(
                json!({ "missing": blocking.iter().map(|m| &m.code).collect::<Vec<_>>() }),
            ));
        }
        let tree = self.org.tree().await?;
        if let Some(m) = t
            .matters
            .iter()
            .find(|m| tree.get(&m.unit).is_none_or(|u| u.disabled))
        {
            return Err(AppError::new(
                crate::error::ErrorKind::Unprocessable,
                "template_unit_gone",
                format!(
                    "事项「{}」的承办单位已不在组织机构中，请管理员更新模板",
                    m.name
                ),
                "a matter's department is no longer in the org tree; an administrator must update the template",
            ));
        }
        let cal = self.bundle_calendar(&tree).await?;
        let tasks: Vec<Value> = t
            .matters
            .iter()
            .map(|m| {
                let released = m.depends_on.is_empty();
                json!({
                    "id": Uuid::now_v7(), "matter": m.code, "name": m.name, "unit": m.unit,
                    "working_days": m.working_days, "legal_working_days": m.legal_working_days,
                    "depends_on": m.depends_on,
                    "status": if released { "pending" } else { "waiting" },
                    "version": 1,
                    "released_at": released.then_some(now),
                    "due": released.then(|| day(cal.add_workdays(today, m.working_days))),
                    "paused_working_days": 0, "correction_since": null,
                    "finished_at": null, "opinion": null,
                })
            })
            .collect();
        let id = Uuid::now_v7();
        let doc = json!({
            "template": serde_json::to_value(&t).map_err(AppError::internal)?,
            "applicant": { "name": name.trim(), "phone": phone.trim(), "id_card": id_card },
            "form": form, "materials": given, "deferred": deferred.iter().map(|m| &m.code).collect::<Vec<_>>(),
            "window_unit": (channel == "window").then(|| p.unit.clone()).flatten(),
            "due": day(cal.add_workdays(today, t.promised_working_days)),
            "paused_working_days": 0, "correction_since": null,
            "visits": i64::from(channel == "window"),
            "notified_at": null,
            "tasks": tasks,
            "events": [ { "at": now, "actor": p.name, "unit": p.unit, "action": "submit", "channel": channel } ],
        });
        let row = BundleRow {
            id,
            template: t.code.clone(),
            status: BundleStatus::InProgress.as_str().into(),
            channel: channel.into(),
            submitted_at: now,
            finished_at: None,
            created_by: Some(p.id),
            version: 1,
            doc,
        };
        self.store
            .insert_bundle(&row, &task_rows(&row.doc), &[])
            .await?;
        Ok(bundle_view(&row, &tree, &cal, date_of(self.now()), true))
    }

    fn may_see_bundle(p: &Principal, b: &BundleRow, tree: &OrgTree) -> bool {
        if !p.is_staff() {
            return b.created_by == Some(p.id);
        }
        if is_district_office(p, tree) {
            return true;
        }
        // A window sees what was submitted at a window of its area, or anything when it is the
        // district centre's (citizens' online applications are handled there).
        let own = p.unit.as_deref().unwrap_or_default();
        if at_window(p) {
            let district = tree.district_hub().is_some_and(|u| u.code == own);
            let here = b.doc["window_unit"]
                .as_str()
                .is_some_and(|w| tree.is_within(w, own));
            if district || here {
                return true;
            }
        }
        b.doc["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| tree.is_within(t["unit"].as_str().unwrap_or_default(), own))
    }

    /// `GET /api/v1/bundles/{id}`.
    pub async fn bundle(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        let b = self
            .store
            .bundle(id)
            .await?
            .filter(|b| Self::may_see_bundle(p, b, &tree))
            .ok_or_else(|| AppError::not_found("一件事申请", "bundle"))?;
        let cal = self.bundle_calendar(&tree).await?;
        // Staff opening an application see a citizen's phone and ID numbers: logged first.
        if p.is_staff() {
            self.audit_export(
                p,
                crate::audit::AuditAction::ViewBundle,
                format!("bundle={}", b.id),
                vec![b.id.to_string()],
            )
            .await?;
        }
        Ok(bundle_view(&b, &tree, &cal, date_of(self.now()), true))
    }

    /// `GET /api/v1/bundles?status=&template=&todo=true`: a citizen's own applications; a
    /// department's (`todo`: with a task waiting for it — pending, accepted or in correction);
    /// the window's and the district office's: all.
    pub async fn bundles(
        &self,
        p: &Principal,
        q: &std::collections::HashMap<String, String>,
    ) -> Result<Vec<Value>, AppError> {
        let tree = self.org.tree().await?;
        let mut query = BundleQuery {
            status: q.get("status").filter(|s| !s.is_empty()).cloned(),
            template: q.get("template").filter(|s| !s.is_empty()).cloned(),
            limit: 500,
            ..BundleQuery::default()
        };
        let todo = q.get("todo").is_some_and(|v| v == "true" || v == "1");
        if !p.is_staff() {
            query.created_by = Some(p.id);
        } else if todo || !(is_district_office(p, &tree) || at_window(p)) {
            // A unit's to-do is its own tasks; otherwise what its area's units handle.
            let own = p.unit.clone().unwrap_or_default();
            query.units = Some(if todo { vec![own] } else { tree.subtree(&own) });
            if todo {
                query.task_statuses = Some(vec![
                    "pending".into(),
                    "accepted".into(),
                    "correction".into(),
                ]);
            }
        }
        let cal = self.bundle_calendar(&tree).await?;
        let today = date_of(self.now());
        Ok(self
            .store
            .bundles(&query)
            .await?
            .iter()
            .filter(|b| Self::may_see_bundle(p, b, &tree))
            .map(|b| bundle_view(b, &tree, &cal, today, false))
            .collect())
    }

    /// `GET /api/v1/bundles/stats` (staff): the cockpit's figures — bundles handled, average
    /// working days against the promise, the visits applicants made (跑动次数) per 一件事, and per
    /// member matter its average working days against its own promise. Finished bundles only for
    /// the averages; one formula here, for every page that shows them.
    pub async fn bundle_stats(&self, p: &Principal) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let list = self
            .store
            .bundles(&BundleQuery {
                limit: 5000,
                ..BundleQuery::default()
            })
            .await?;
        let tree = self.org.tree().await?;
        let avg = |sum: f64, n: usize| -> Value {
            if n == 0 {
                Value::Null
            } else {
                json!((sum / n as f64 * 10.0).round() / 10.0)
            }
        };
        let finished: Vec<&BundleRow> = list.iter().filter(|b| b.finished_at.is_some()).collect();
        let days = |b: &BundleRow| b.doc["elapsed_working_days"].as_f64().unwrap_or(0.0);
        let promised = |b: &BundleRow| {
            b.doc["template"]["promised_working_days"]
                .as_f64()
                .unwrap_or(0.0)
        };
        let visits = |b: &BundleRow| b.doc["visits"].as_f64().unwrap_or(0.0);
        let on_time = finished.iter().filter(|b| days(b) <= promised(b)).count();
        let mut templates: Vec<(String, String, String, Vec<&BundleRow>)> = Vec::new();
        for b in &list {
            match templates.iter_mut().find(|t| t.0 == b.template) {
                Some(t) => t.3.push(b),
                None => templates.push((
                    b.template.clone(),
                    b.doc["template"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    b.doc["template"]["stage"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    vec![b],
                )),
            }
        }
        let by_template: Vec<Value> = templates
            .iter()
            .map(|(code, name, stage, bs)| {
                let done: Vec<&&BundleRow> = bs.iter().filter(|b| b.finished_at.is_some()).collect();
                json!({ "code": code, "name": name, "stage": stage, "count": bs.len(), "finished": done.len(),
                    "avg_working_days": avg(done.iter().map(|b| days(b)).sum(), done.len()),
                    "promised_working_days": bs.first().map(|b| promised(b)),
                    "avg_visits": avg(bs.iter().map(|b| visits(b)).sum(), bs.len()),
                    "online": bs.iter().filter(|b| b.channel == "portal").count() })
            })
            .collect();
        let mut matters: Vec<(String, String, String, f64, Vec<f64>)> = Vec::new();
        for b in &list {
            for t in b.doc["tasks"].as_array().into_iter().flatten() {
                let key = format!(
                    "{}/{}",
                    b.template,
                    t["matter"].as_str().unwrap_or_default()
                );
                let i = match matters.iter().position(|m| m.0 == key) {
                    Some(i) => i,
                    None => {
                        matters.push((
                            key,
                            t["name"].as_str().unwrap_or_default().to_string(),
                            t["unit"].as_str().unwrap_or_default().to_string(),
                            t["working_days"].as_f64().unwrap_or(0.0),
                            vec![],
                        ));
                        matters.len() - 1
                    }
                };
                if t["status"] == "approved"
                    && let Some(d) = t["elapsed_working_days"].as_f64()
                {
                    matters[i].4.push(d);
                }
            }
        }
        let by_matter: Vec<Value> = matters
            .iter()
            .map(|(key, name, unit, wd, done)| {
                json!({ "key": key, "name": name, "unit": unit, "unit_name": tree.name(unit), "working_days": wd,
                    "approved": done.len(), "avg_working_days": avg(done.iter().sum(), done.len()) })
            })
            .collect();
        Ok(json!({
            "total": list.len(),
            "in_progress": list.len() - finished.len(),
            "finished": finished.len(),
            "completed": list.iter().filter(|b| b.status == "completed").count(),
            "online": list.iter().filter(|b| b.channel == "portal").count(),
            "avg_working_days": avg(finished.iter().map(|b| days(b)).sum(), finished.len()),
            "avg_promised_working_days": avg(finished.iter().map(|b| promised(b)).sum(), finished.len()),
            "on_time_rate": if finished.is_empty() { Value::Null } else { json!(((on_time as f64 / finished.len() as f64) * 10_000.0).round() / 10_000.0) },
            "avg_visits": avg(list.iter().map(visits).sum(), list.len()),
            "by_template": by_template,
            "by_matter": by_matter,
        }))
    }

    /// `POST /api/v1/bundles/{id}/tasks/{task}/transitions {action, version, opinion?}`: the task's
    /// department accepts, asks for a correction, approves or refuses; the applicant (or the
    /// window for them) hands in a correction (`resubmit`). `version` is the task's.
    pub async fn bundle_task_transition(
        &self,
        p: &Principal,
        id: Uuid,
        task: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let action_s = f.req_str("action", 40)?;
        let action = TaskAction::parse(&action_s).ok_or_else(|| {
            AppError::field(
                "action",
                format!("可选：{}", TaskAction::ALL.join("、")),
                format!("use one of {}", TaskAction::ALL.join(", ")),
            )
        })?;
        let version = f.get("version").and_then(Value::as_i64).ok_or_else(|| {
            AppError::field(
                "version",
                "须给出事项的当前版本号",
                "the task's version is required",
            )
        })?;
        let opinion = f
            .opt_str("opinion", 2000)?
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if matches!(action, TaskAction::RequestCorrection | TaskAction::Refuse) && opinion.is_none()
        {
            return Err(AppError::field(
                "opinion",
                if action == TaskAction::Refuse {
                    "不予办理须写明理由"
                } else {
                    "请写明需要补正的内容"
                },
                "say why",
            ));
        }
        let tree = self.org.tree().await?;
        let cal = self.bundle_calendar(&tree).await?;
        // A write that loses the race to another task's transition is read again and retried;
        // the task's own version decides whether the caller's view is stale.
        for _ in 0..5 {
            let b = self
                .store
                .bundle(id)
                .await?
                .filter(|b| Self::may_see_bundle(p, b, &tree))
                .ok_or_else(|| AppError::not_found("一件事申请", "bundle"))?;
            let mut doc = b.doc.clone();
            let tasks = doc["tasks"].as_array().cloned().unwrap_or_default();
            let Some(ti) = tasks.iter().position(|t| t["id"].as_str() == Some(task)) else {
                return Err(AppError::not_found("事项", "task"));
            };
            let t = &tasks[ti];
            let unit = t["unit"].as_str().unwrap_or_default().to_string();
            let allowed = match action {
                TaskAction::Resubmit => b.created_by == Some(p.id) || at_window(p),
                _ => {
                    p.is_staff()
                        && tree.is_within(p.unit.as_deref().unwrap_or_default(), &unit)
                        && !matches!(p.role, Role::Citizen)
                }
            };
            if !allowed {
                return Err(AppError::forbidden(
                    if action == TaskAction::Resubmit {
                        "只有申请人或受理窗口可提交补正材料"
                    } else {
                        "只有该事项的承办单位可以办理"
                    },
                    "not yours to act on",
                ));
            }
            let current = t["version"].as_i64().unwrap_or(1);
            if current != version {
                return Err(AppError::stale_record("事项", "task", Some(current)));
            }
            let from = status_of(t["status"].as_str().unwrap_or_default());
            let Some(to) = next_status(from, action) else {
                return Err(AppError::new(
                    crate::error::ErrorKind::Conflict,
                    "invalid_transition",
                    format!("事项当前状态为「{}」，不能执行此操作", status_zh(from)),
                    format!("the task is {}; this action does not apply", from.as_str()),
                ));
            };
            let now = self.now();
            let today = date_of(now);
            let tref = &mut doc["tasks"][ti];
            tref["status"] = json!(to.as_str());
            tref["version"] = json!(current + 1);
            // The department's opinion (its correction request, its reasons) stays what the
            // applicant reads; the applicant's note on a correction is kept beside it.
            if let Some(o) = &opinion {
                let key = if action == TaskAction::Resubmit {
                    "resubmit_note"
                } else {
                    "opinion"
                };
                tref[key] = json!(o);
            }
            match action {
                TaskAction::Accept => tref["accepted_at"] = json!(now),
                TaskAction::RequestCorrection => tref["correction_since"] = json!(now),
                TaskAction::Resubmit => {
                    let since = tref["correction_since"].as_i64().unwrap_or(now);
                    let paused = cal.workdays_between(date_of(since), today).max(0);
                    let before = tref["paused_working_days"].as_i64().unwrap_or(0);
                    tref["paused_working_days"] = json!(before + paused);
                    if let Some(d) = parse_day(&tref["due"]) {
                        tref["due"] =
                            json!(day(cal.add_workdays(d, u32::try_from(paused).unwrap_or(0))));
                    }
                    tref["correction_since"] = Value::Null;
                    if at_window(p) {
                        doc["visits"] = json!(doc["visits"].as_i64().unwrap_or(0) + 1);
                    }
                }
                TaskAction::Approve | TaskAction::Refuse => {
                    tref["finished_at"] = json!(now);
                    let released = tref["released_at"].as_i64().unwrap_or(now);
                    let paused = tref["paused_working_days"].as_i64().unwrap_or(0);
                    tref["elapsed_working_days"] =
                        json!((cal.workdays_between(date_of(released), today) - paused).max(0));
                }
            }
            // The dependency graph moves on.
            let graph = |doc: &Value| -> Vec<(String, TaskStatus, Vec<String>)> {
                doc["tasks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| {
                        (
                            t["matter"].as_str().unwrap_or_default().to_string(),
                            status_of(t["status"].as_str().unwrap_or_default()),
                            t["depends_on"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|d| d.as_str().map(str::to_string))
                                .collect(),
                        )
                    })
                    .collect()
            };
            let mut released_now = Vec::new();
            if to == TaskStatus::Approved {
                for code in release(&graph(&doc)) {
                    if let Some(x) = doc["tasks"]
                        .as_array_mut()
                        .and_then(|l| l.iter_mut().find(|x| x["matter"] == code.as_str()))
                    {
                        let wd =
                            u32::try_from(x["working_days"].as_u64().unwrap_or(1)).unwrap_or(1);
                        x["status"] = json!("pending");
                        x["released_at"] = json!(now);
                        x["due"] = json!(day(cal.add_workdays(today, wd)));
                        x["version"] = json!(x["version"].as_i64().unwrap_or(1) + 1);
                        released_now.push(code);
                    }
                }
            }
            if to == TaskStatus::Refused {
                let matter = doc["tasks"][ti]["matter"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                for code in cancel_dependents(&graph(&doc), &matter) {
                    if let Some(x) = doc["tasks"]
                        .as_array_mut()
                        .and_then(|l| l.iter_mut().find(|x| x["matter"] == code.as_str()))
                    {
                        x["status"] = json!("cancelled");
                        x["finished_at"] = json!(now);
                        x["version"] = json!(x["version"].as_i64().unwrap_or(1) + 1);
                    }
                }
            }
            // The bundle's clock pauses while any task waits for a correction.
            let statuses: Vec<TaskStatus> = graph(&doc).into_iter().map(|g| g.1).collect();
            let any_correction = statuses.contains(&TaskStatus::Correction);
            match (doc["correction_since"].as_i64(), any_correction) {
                (None, true) => doc["correction_since"] = json!(now),
                (Some(since), false) => {
                    let paused = cal.workdays_between(date_of(since), today).max(0);
                    doc["paused_working_days"] =
                        json!(doc["paused_working_days"].as_i64().unwrap_or(0) + paused);
                    if let Some(d) = parse_day(&doc["due"]) {
                        doc["due"] =
                            json!(day(cal.add_workdays(d, u32::try_from(paused).unwrap_or(0))));
                    }
                    doc["correction_since"] = Value::Null;
                }
                _ => {}
            }
            let status = bundle_status(&statuses);
            let mut finished_at = b.finished_at;
            let mut notices: Vec<Notification> = Vec::new();
            if status.is_final() && b.finished_at.is_none() {
                finished_at = Some(now);
                let paused = doc["paused_working_days"].as_i64().unwrap_or(0);
                doc["elapsed_working_days"] =
                    json!((cal.workdays_between(date_of(b.submitted_at), today) - paused).max(0));
                // 统一出件: the applicant is told once, when everything is decided.
                if doc["notified_at"].is_null() {
                    doc["notified_at"] = json!(now);
                    if b.channel == "portal"
                        && let Some(user) = b.created_by
                    {
                        notices.push(ready_notice(user, &b, &doc, status, now));
                    }
                }
            }
            if let Some(events) = doc["events"].as_array_mut() {
                events.push(json!({ "at": now, "actor": p.name, "unit": p.unit, "action": action_s, "task": task,
                    "matter": tasks[ti]["matter"], "opinion": opinion, "released": released_now }));
            }
            let row = BundleRow {
                status: status.as_str().into(),
                finished_at,
                version: b.version + 1,
                doc,
                ..b.clone()
            };
            if self
                .store
                .update_bundle(&row, b.version, &task_rows(&row.doc), &notices)
                .await?
            {
                // The answer shows the applicant's data in full, like opening the application.
                if p.is_staff() {
                    self.audit_export(
                        p,
                        crate::audit::AuditAction::ViewBundle,
                        format!("bundle={} action={action_s}", row.id),
                        vec![row.id.to_string()],
                    )
                    .await?;
                }
                return Ok(bundle_view(&row, &tree, &cal, date_of(self.now()), true));
            }
        }
        Err(AppError::stale_record("一件事申请", "bundle", None))
    }
}

fn ready_notice(
    user: Uuid,
    b: &BundleRow,
    doc: &Value,
    status: BundleStatus,
    now: i64,
) -> Notification {
    let name = doc["template"]["name"].as_str().unwrap_or_default();
    let (title, body) = match status {
        BundleStatus::Completed => (
            format!("「{name}」已全部办结"),
            format!("您申请的「{name}」各事项已全部办结，可统一领取或等待寄送结果。"),
        ),
        _ => (
            format!("「{name}」已办理完毕"),
            format!("您申请的「{name}」已办理完毕，部分事项未予办理，请查看详情中的理由。"),
        ),
    };
    Notification {
        id: Uuid::now_v7(),
        user_id: user,
        case_id: None,
        case_number: None,
        kind: READY.into(),
        title,
        body,
        created_at: now,
        read_at: None,
        data: Some(
            json!({ "bundle_id": b.id, "template": b.template, "name": name, "status": status.as_str() }),
        ),
        digest_key: None,
    }
}

fn status_zh(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Waiting => "待前置事项办结",
        TaskStatus::Pending => "待受理",
        TaskStatus::Accepted => "办理中",
        TaskStatus::Correction => "待补正",
        TaskStatus::Approved => "已办结",
        TaskStatus::Refused => "不予办理",
        TaskStatus::Cancelled => "已取消",
    }
}

fn task_rows(doc: &Value) -> Vec<BundleTaskRow> {
    doc["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| BundleTaskRow {
            task_id: t["id"].as_str().unwrap_or_default().to_string(),
            unit: t["unit"].as_str().unwrap_or_default().to_string(),
            status: t["status"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

fn template_view(t: &Template, tree: &OrgTree) -> Value {
    let matters: Vec<Value> = t
        .matters
        .iter()
        .map(|m| {
            json!({ "code": m.code, "name": m.name, "unit": m.unit, "unit_name": tree.name(&m.unit),
                "working_days": m.working_days, "legal_working_days": m.legal_working_days,
                "depends_on": m.depends_on, "fields": m.fields, "materials": m.materials })
        })
        .collect();
    json!({ "code": t.code, "name": t.name, "kind": t.kind, "stage": t.stage, "description": t.description,
        "promised_working_days": t.promised_working_days, "critical_path_working_days": critical_path(&t.matters),
        "legal_working_days_total": t.matters.iter().map(|m| m.legal_working_days).sum::<u32>(),
        "fields": t.fields, "materials": t.materials, "eligibility": t.eligibility, "matters": matters })
}

/// An application as the API shows it: the contract's fields first (id, template, submitted_at,
/// status, due, tasks [{id, matter, unit, status, due, depends_on}]), then the rest — each
/// task's clock (working days elapsed so far, paused, overdue) and the bundle's.
/// `full`: the applicant's phone and ID number and the form as given (one application opened);
/// otherwise masked, without the form (lists).
fn bundle_view(b: &BundleRow, tree: &OrgTree, cal: &Calendar, today: Date, full: bool) -> Value {
    let doc = &b.doc;
    let tasks: Vec<Value> = doc["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let mut t = t.clone();
            let unit = t["unit"].as_str().unwrap_or_default().to_string();
            t["unit_name"] = json!(tree.name(&unit));
            let status = status_of(t["status"].as_str().unwrap_or_default());
            t["status_label"] = json!(status_zh(status));
            if t.get("elapsed_working_days").is_none_or(Value::is_null)
                && let Some(r) = t["released_at"].as_i64()
            {
                let until = t["correction_since"].as_i64().map_or(today, date_of);
                let paused = t["paused_working_days"].as_i64().unwrap_or(0);
                t["elapsed_working_days"] =
                    json!((cal.workdays_between(date_of(r), until) - paused).max(0));
            }
            // While a correction is open its working days so far show as paused already.
            if let Some(since) = t["correction_since"].as_i64() {
                let so_far = cal.workdays_between(date_of(since), today).max(0);
                t["paused_working_days"] =
                    json!(t["paused_working_days"].as_i64().unwrap_or(0) + so_far);
            }
            t["overdue"] = json!(
                !status.is_final()
                    && status != TaskStatus::Correction
                    && parse_day(&t["due"]).is_some_and(|d| d < today)
            );
            for k in [
                "released_at",
                "accepted_at",
                "finished_at",
                "correction_since",
            ] {
                if let Some(ms) = t[k].as_i64() {
                    t[k] = json!(format_instant(ms));
                }
            }
            t
        })
        .collect();
    let status = b.status.as_str();
    let mut elapsed = doc["elapsed_working_days"].clone();
    if elapsed.is_null() {
        let until = doc["correction_since"].as_i64().map_or(today, date_of);
        let paused = doc["paused_working_days"].as_i64().unwrap_or(0);
        elapsed = json!((cal.workdays_between(date_of(b.submitted_at), until) - paused).max(0));
    }
    let mut paused = doc["paused_working_days"].as_i64().unwrap_or(0);
    if let Some(since) = doc["correction_since"].as_i64() {
        paused += cal.workdays_between(date_of(since), today).max(0);
    }
    let template = &doc["template"];
    json!({
        "id": b.id, "template": b.template, "template_name": template["name"], "stage": template["stage"],
        "submitted_at": format_instant(b.submitted_at), "status": status,
        "due": doc["due"], "promised_working_days": template["promised_working_days"],
        "channel": b.channel, "version": b.version,
        "finished_at": b.finished_at.map(format_instant),
        "elapsed_working_days": elapsed, "paused_working_days": paused,
        "visits": doc["visits"], "notified_at": doc["notified_at"].as_i64().map(format_instant),
        "applicant": if full { doc["applicant"].clone() } else { json!({ "name": doc["applicant"]["name"], "phone": domain::mask_phone(doc["applicant"]["phone"].as_str().unwrap_or_default()) }) },
        "form": if full { doc["form"].clone() } else { Value::Null }, "fields": template["fields"],
        "materials": doc["materials"], "deferred": doc["deferred"], "material_list": template["materials"],
        "tasks": tasks,
        "events": doc["events"].as_array().into_iter().flatten().map(|e| {
            let mut e = e.clone();
            if let Some(ms) = e["at"].as_i64() { e["at"] = json!(format_instant(ms)); }
            if let Some(u) = e["unit"].as_str() { e["unit_name"] = json!(tree.name(u)); }
            e
        }).collect::<Vec<_>>(),
    })
}
