//! Key programs (issue 21, item 2): 十大攻坚, 十大民生实事, 整治清单. The program office
//! (administrators; supervisors and leaders of the district's centre) creates a program and its
//! items — lead unit, co-units, milestones with planned dates and planned cumulative progress;
//! the lead unit reports progress (percent, evidence, milestones reached) and the office reviews
//! each report: an approved report becomes the item's progress. Each item's traffic light is the
//! pure `programs` rule on today's date (the app's clock, Shanghai), late days counted on the
//! working-day calendar where the rule says so; the list shows the 整改 ledger ("217 items, 214
//! done").

use crate::App;
use crate::deadlines::date_of;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::{Program, ProgramItem};
use crate::scope::{Principal, is_district_office};
use domain::Role;
use jiff::civil::Date;
use programs::{Light, Milestone, Rule};
use serde_json::{Value, json};
use uuid::Uuid;

pub const KINDS: [(&str, &str); 3] = [
    ("key_project", "十大攻坚"),
    ("livelihood", "十大民生实事"),
    ("rectification", "整治清单"),
];

fn kind_label(k: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(c, _)| *c == k)
        .map_or("其他", |(_, l)| l)
}

fn date_field(v: &Value, field: &str) -> Result<Date, AppError> {
    v.as_str()
        .and_then(|s| s.parse::<Date>().ok())
        .ok_or_else(|| {
            AppError::field(
                field,
                "不是有效日期，格式为 2026-10-31",
                "is not a date like 2026-10-31",
            )
        })
}

pub(crate) fn milestones_of(doc: &Value) -> Vec<Milestone> {
    doc["milestones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some(Milestone {
                name: m["name"].as_str()?.to_string(),
                planned: m["planned"].as_str()?.parse().ok()?,
                planned_percent: m["planned_percent"].as_f64()?,
                actual: m["actual"].as_str().and_then(|s| s.parse().ok()),
            })
        })
        .collect()
}

/// Staff of the lead unit (or of a unit above it), other than clerks, report its progress.
fn may_report(p: &Principal, tree: &OrgTree, lead: &str) -> bool {
    p.is_staff()
        && !matches!(p.role, Role::Clerk | Role::Citizen)
        && p.unit.as_deref().is_some_and(|u| tree.is_within(lead, u))
}

fn rule_of(program: &Program) -> Rule {
    serde_json::from_value(program.doc["rule"].clone()).unwrap_or_default()
}

impl App {
    fn today(&self) -> Date {
        date_of(self.now())
    }

    /// An item with its traffic light today.
    async fn item_json(
        &self,
        p: &Principal,
        program: &Program,
        i: &ProgramItem,
        tree: &OrgTree,
    ) -> Result<Value, AppError> {
        let rules = self.rules().await?;
        let cal = rules.calendar_for("");
        let rule = rule_of(program);
        let start: Date = i.doc["start"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| self.today());
        let ms = milestones_of(&i.doc);
        let progress = i.doc["progress"].as_f64().unwrap_or(0.0);
        let s = programs::standing(&rule, start, &ms, progress, self.today(), &cal);
        let co: Vec<Value> = i.doc["co_units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|u| json!({ "unit": u, "name": tree.name(u) }))
            .collect();
        Ok(json!({
            "id": i.id, "program_id": i.program_id, "seq": i.seq, "name": i.doc["name"],
            "lead_unit": i.lead_unit, "lead_unit_name": tree.name(&i.lead_unit), "co_units": co,
            "start": i.doc["start"], "milestones": i.doc["milestones"], "progress": progress,
            "light": s.light.code(), "light_label": s.light.label(),
            "planned_percent": s.planned_percent, "behind_pp": s.behind_pp, "late_days": s.late_days,
            "reasons": s.reasons, "reports": i.doc["reports"], "version": i.version,
            // What the caller may do with it (the page shows only those buttons).
            "can_report": may_report(p, tree, &i.lead_unit),
            "can_review": is_district_office(p, tree),
        }))
    }

    async fn program_json(
        &self,
        p: &Principal,
        program: &Program,
        with_items: bool,
    ) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        let mut items = Vec::new();
        for i in self.store.program_items(program.id).await? {
            items.push(self.item_json(p, program, &i, &tree).await?);
        }
        let count = |light: Light| items.iter().filter(|i| i["light"] == light.code()).count();
        let pending = items
            .iter()
            .flat_map(|i| i["reports"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["status"] == "pending")
            .count();
        let mut v = json!({
            "id": program.id, "name": program.name, "kind": program.kind,
            "kind_label": kind_label(&program.kind), "year": program.year,
            "description": program.doc["description"], "rule": rule_of(program),
            "office": is_district_office(p, &tree),
            // The 整改 ledger: "217 items, 214 done".
            "ledger": { "items": items.len(), "done": count(Light::Done), "on_plan": count(Light::OnPlan),
                        "yellow": count(Light::Yellow), "red": count(Light::Red), "reports_pending": pending },
        });
        if with_items {
            v["items"] = Value::Array(items);
        }
        Ok(v)
    }

    /// `POST /api/v1/programs {name, kind, year, description?, rule?}` (the program office).
    pub async fn create_program(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        if !is_district_office(p, &tree) {
            return Err(AppError::forbidden(
                "仅管理员或区中心督办员、领导可建立重点工作",
                "only the program office creates programs",
            ));
        }
        let f = Fields::of(body, "")?;
        let name = f.req_str("name", 100)?;
        if name.trim().is_empty() {
            return Err(AppError::field("name", "必填", "is required"));
        }
        let kind = f.req_str("kind", 20)?;
        if !KINDS.iter().any(|(k, _)| *k == kind) {
            return Err(AppError::field(
                "kind",
                "可选：key_project（十大攻坚）、livelihood（十大民生实事）、rectification（整治清单）",
                "use key_project, livelihood or rectification",
            ));
        }
        let year = f.req_i64("year")?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::field("year", "年份无效", "is not a year"));
        }
        let rule: Rule = match f.get("rule") {
            None | Some(Value::Null) => Rule::default(),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                AppError::field(
                    "rule",
                    format!("规则格式不正确：{e}"),
                    format!("the rule does not parse: {e}"),
                )
            })?,
        };
        rule.check()
            .map_err(|(k, zh, en)| AppError::field(format!("rule.{k}"), zh, en))?;
        let now = self.now();
        let program = Program {
            id: Uuid::now_v7(),
            name: name.trim().to_string(),
            kind,
            year,
            doc: json!({ "description": f.opt_str("description", 2000)?, "rule": rule }),
            created_at: now,
            updated_at: now,
        };
        self.store.insert_program(&program).await?;
        self.program_json(p, &program, true).await
    }

    /// `GET /api/v1/programs`: every program with its ledger (staff).
    pub async fn programs(&self, p: &Principal) -> Result<Vec<Value>, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let mut out = Vec::new();
        for program in self.store.programs().await? {
            out.push(self.program_json(p, &program, false).await?);
        }
        Ok(out)
    }

    async fn program_of(&self, id: Uuid) -> Result<Program, AppError> {
        self.store
            .program(id)
            .await?
            .ok_or_else(|| AppError::not_found("重点工作", "program"))
    }

    /// `GET /api/v1/programs/{id}`: the program with its items and their lights (staff).
    pub async fn program_detail(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let program = self.program_of(id).await?;
        self.program_json(p, &program, true).await
    }

    /// `POST /api/v1/programs/{id}/items {name, lead_unit, co_units?, start, milestones: [{name,
    /// planned, planned_percent}]}` (the program office). Milestones in date order, their planned
    /// progress rising to at most 100.
    pub async fn add_program_item(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        if !is_district_office(p, &tree) {
            return Err(AppError::forbidden(
                "仅管理员或区中心督办员、领导可添加事项",
                "only the program office adds items",
            ));
        }
        let program = self.program_of(id).await?;
        let f = Fields::of(body, "")?;
        let name = f.req_str("name", 200)?;
        if name.trim().is_empty() {
            return Err(AppError::field("name", "必填", "is required"));
        }
        let lead = f.req_str("lead_unit", 64)?;
        if tree.get(&lead).is_none_or(|u| u.disabled) {
            return Err(AppError::field(
                "lead_unit",
                "单位不存在或已停用",
                "no such unit in service",
            ));
        }
        let co = f.str_list("co_units", 20)?;
        if let Some(u) = co.iter().find(|u| tree.get(u).is_none()) {
            return Err(AppError::field(
                "co_units",
                format!("单位「{u}」不存在"),
                format!("no such unit '{u}'"),
            ));
        }
        let start = date_field(f.get("start").unwrap_or(&Value::Null), "start")?;
        let list = f
            .get("milestones")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty() && l.len() <= 30)
            .ok_or_else(|| {
                AppError::field(
                    "milestones",
                    "须有 1 到 30 个节点",
                    "1 to 30 milestones are required",
                )
            })?;
        let mut milestones = Vec::new();
        let (mut last_date, mut last_pct) = (start, 0.0);
        for (n, m) in list.iter().enumerate() {
            let field = |k: &str| format!("milestones[{n}].{k}");
            let mname = m["name"]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.chars().count() <= 100)
                .ok_or_else(|| {
                    AppError::field(
                        field("name"),
                        "必填（100 字以内）",
                        "is required (up to 100 characters)",
                    )
                })?;
            let planned = date_field(&m["planned"], &field("planned"))?;
            let pct = m["planned_percent"]
                .as_f64()
                .filter(|v| (0.0..=100.0).contains(v))
                .ok_or_else(|| {
                    AppError::field(
                        field("planned_percent"),
                        "应在 0 到 100 之间",
                        "must be 0 to 100",
                    )
                })?;
            if planned < last_date || pct < last_pct {
                return Err(AppError::field(
                    field("planned"),
                    "节点须按日期先后排列，计划进度逐个不减",
                    "milestones must follow in date order with rising planned progress",
                ));
            }
            (last_date, last_pct) = (planned, pct);
            milestones.push(json!({ "name": mname, "planned": planned.to_string(), "planned_percent": pct, "actual": null }));
        }
        let seq = self.store.program_items(program.id).await?.len() as i64 + 1;
        let now = self.now();
        let item = ProgramItem {
            id: Uuid::now_v7(),
            program_id: program.id,
            seq,
            lead_unit: lead,
            doc: json!({ "name": name.trim(), "co_units": co, "start": start.to_string(),
                         "milestones": milestones, "progress": 0.0, "reports": [] }),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_program_item(&item).await?;
        self.item_json(p, &program, &item, &tree).await
    }

    async fn item_of(&self, program: Uuid, item: Uuid) -> Result<(Program, ProgramItem), AppError> {
        let program = self.program_of(program).await?;
        let item = self
            .store
            .program_items(program.id)
            .await?
            .into_iter()
            .find(|i| i.id == item)
            .ok_or_else(|| AppError::not_found("事项", "item"))?;
        Ok((program, item))
    }

    /// `POST /api/v1/programs/{id}/items/{item}/reports {version, percent, text, milestones_done?:
    /// [{index, date}]}`: the lead unit reports progress, pending the office's review.
    pub async fn report_program_progress(
        &self,
        p: &Principal,
        id: Uuid,
        item: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        let (program, old) = self.item_of(id, item).await?;
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        if old.version != version {
            return Err(AppError::stale_record("事项", "item", Some(old.version)));
        }
        if !may_report(p, &tree, &old.lead_unit) {
            return Err(AppError::forbidden(
                "只有牵头单位可以报送进度",
                "only the lead unit reports progress",
            ));
        }
        let percent = f
            .opt_f64("percent")?
            .filter(|v| (0.0..=100.0).contains(v))
            .ok_or_else(|| AppError::field("percent", "应在 0 到 100 之间", "must be 0 to 100"))?;
        let text = f.req_str("text", 2000)?;
        if text.trim().chars().count() < 4 {
            return Err(AppError::field(
                "text",
                "请写明进展与佐证（至少 4 个字）",
                "describe the progress and its evidence (at least 4 characters)",
            ));
        }
        let count = old.doc["milestones"].as_array().map_or(0, Vec::len);
        let mut done = Vec::new();
        for (n, d) in f
            .get("milestones_done")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let index = d["index"]
                .as_u64()
                .filter(|i| (*i as usize) < count)
                .ok_or_else(|| {
                    AppError::field(
                        format!("milestones_done[{n}].index"),
                        "没有这个节点",
                        "no such milestone",
                    )
                })?;
            let date = date_field(&d["date"], &format!("milestones_done[{n}].date"))?;
            if date > self.today() {
                return Err(AppError::field(
                    format!("milestones_done[{n}].date"),
                    "完成日期不能晚于今天",
                    "cannot be after today",
                ));
            }
            done.push(json!({ "index": index, "date": date.to_string() }));
        }
        let mut next = old.clone();
        let report = json!({
            "n": old.doc["reports"].as_array().map_or(0, Vec::len) + 1,
            "at": crate::deadlines::format_instant(self.now()), "by": p.name, "unit": p.unit,
            "percent": percent, "text": text.trim(), "milestones_done": done,
            "status": "pending", "review": null,
        });
        if let Some(list) = next.doc["reports"].as_array_mut() {
            list.push(report);
        }
        next.version = old.version + 1;
        next.updated_at = self.now();
        if !self.store.update_program_item(&next, old.version).await? {
            return Err(AppError::stale_record("事项", "item", None));
        }
        self.item_json(p, &program, &next, &tree).await
    }

    /// `POST /api/v1/programs/{id}/items/{item}/reports/{n}/review {version, decision: approve |
    /// reject, note}` (the program office). An approved report's percent becomes the item's
    /// progress, and its milestones get their actual dates.
    pub async fn review_program_report(
        &self,
        p: &Principal,
        id: Uuid,
        item: Uuid,
        n: usize,
        body: &Value,
    ) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        let (program, old) = self.item_of(id, item).await?;
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        if old.version != version {
            return Err(AppError::stale_record("事项", "item", Some(old.version)));
        }
        if !is_district_office(p, &tree) {
            return Err(AppError::forbidden(
                "仅管理员或区中心督办员、领导可审核进度",
                "only the program office reviews reports",
            ));
        }
        let decision = f.req_str("decision", 10)?;
        if !matches!(decision.as_str(), "approve" | "reject") {
            return Err(AppError::field(
                "decision",
                "可选：approve、reject",
                "use approve or reject",
            ));
        }
        let note = f.opt_str("note", 2000)?.unwrap_or_default();
        if decision == "reject" && note.trim().is_empty() {
            return Err(AppError::field(
                "note",
                "退回须说明理由",
                "a reason is required",
            ));
        }
        let mut next = old.clone();
        let report = next.doc["reports"]
            .as_array()
            .and_then(|l| l.get(n.wrapping_sub(1)))
            .cloned()
            .ok_or_else(|| AppError::not_found("进度报告", "report"))?;
        if report["status"] != "pending" {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "report_reviewed",
                "该报告已审核",
                "the report was reviewed already",
            ));
        }
        let status = if decision == "approve" {
            "approved"
        } else {
            "rejected"
        };
        next.doc["reports"][n - 1]["status"] = json!(status);
        next.doc["reports"][n - 1]["review"] = json!({
            "by": p.name, "at": crate::deadlines::format_instant(self.now()), "note": note.trim(),
        });
        if decision == "approve" {
            next.doc["progress"] = report["percent"].clone();
            for d in report["milestones_done"].as_array().into_iter().flatten() {
                if let Some(i) = d["index"].as_u64() {
                    next.doc["milestones"][i as usize]["actual"] = d["date"].clone();
                }
            }
        }
        next.version = old.version + 1;
        next.updated_at = self.now();
        if !self.store.update_program_item(&next, old.version).await? {
            return Err(AppError::stale_record("事项", "item", None));
        }
        self.item_json(p, &program, &next, &tree).await
    }
}
