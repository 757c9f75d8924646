//! The audit log of personal data (issue 19.15; 个人信息保护法: a processor records what it does
//! with personal information and can show it). Every time staff are served a citizen's phone or
//! email unmasked — a case opened, a list or search, the related cases, a metric's cases — and
//! every export, one entry says who (user, role, unit, client address), when, what (the action,
//! the filter) and whose (the case numbers). Entries are written before the answer leaves: when the
//! log cannot be written the data is not served. The databases refuse to change or delete an entry
//! (triggers, see migration 0012); administrators review the log, each within their own units.
//!
//! Not logged: answers to a case action (the action itself is the case's event, with its actor and
//! time), a citizen reading their own cases, and roles that only ever see masked numbers (a
//! supervisor's or leader's list reveals nothing — their exports are still logged).

use crate::App;
use crate::error::AppError;
use crate::ports::{AuditEntry, AuditQuery};
use crate::scope::Principal;
use crate::views::CaseView;
use domain::Role;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// The most entries one export of the log holds; a wider period is exported in parts.
pub const MAX_AUDIT_EXPORT: u64 = 50_000;
/// The longest filter text kept in an entry.
const DETAIL_MAX: usize = 500;

/// What was done with personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// A case opened (its page, its print).
    ViewCase,
    /// A list, a search, a caller's earlier cases, related cases, a metric's cases.
    ListCases,
    /// 导出 of the case list (Excel or CSV).
    ExportCases,
    /// An export of this log.
    ExportAudit,
    /// A mediation's record opened (the parties' phones).
    ViewMediation,
    /// A 一件事 application opened (the applicant's phone, the form's ID numbers).
    ViewBundle,
    /// `onewindow export`: the whole database written to a file.
    DumpDatabase,
    /// `onewindow backup`: a copy of the database.
    BackupDatabase,
}

impl AuditAction {
    pub const ALL: [AuditAction; 8] = [
        AuditAction::ViewCase,
        AuditAction::ViewMediation,
        AuditAction::ViewBundle,
        AuditAction::ListCases,
        AuditAction::ExportCases,
        AuditAction::ExportAudit,
        AuditAction::DumpDatabase,
        AuditAction::BackupDatabase,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::ViewCase => "case.view",
            AuditAction::ListCases => "case.list",
            AuditAction::ExportCases => "case.export",
            AuditAction::ExportAudit => "audit.export",
            AuditAction::ViewMediation => "mediation.view",
            AuditAction::ViewBundle => "bundle.view",
            AuditAction::DumpDatabase => "db.export",
            AuditAction::BackupDatabase => "db.backup",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AuditAction::ViewCase => "查看工单",
            AuditAction::ListCases => "查询列表",
            AuditAction::ExportCases => "导出工单",
            AuditAction::ExportAudit => "导出审计日志",
            AuditAction::ViewMediation => "查看调解",
            AuditAction::ViewBundle => "查看一件事申请",
            AuditAction::DumpDatabase => "导出数据库",
            AuditAction::BackupDatabase => "备份数据库",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AuditAction::ViewCase => "Case opened",
            AuditAction::ListCases => "List or search",
            AuditAction::ExportCases => "Cases exported",
            AuditAction::ExportAudit => "Audit log exported",
            AuditAction::ViewMediation => "Mediation opened",
            AuditAction::ViewBundle => "Bundle application opened",
            AuditAction::DumpDatabase => "Database exported",
            AuditAction::BackupDatabase => "Database backed up",
        }
    }

    pub fn parse(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// A request's filter as one line (`k=v&k=v`, keys sorted), cut to [`DETAIL_MAX`] characters.
pub fn filter_detail(params: &HashMap<String, String>) -> String {
    let mut kv: Vec<_> = params
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    kv.sort();
    let s = kv
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    s.chars().take(DETAIL_MAX).collect()
}

fn require_admin(p: &Principal) -> Result<(), AppError> {
    if p.is_staff() && p.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "仅管理员可查看审计日志",
            "only administrators may review the audit log",
        ))
    }
}

impl App {
    fn audit_entry(
        &self,
        p: &Principal,
        action: AuditAction,
        detail: String,
        subjects: Vec<String>,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::now_v7(),
            at: self.now(),
            actor_id: p.id,
            actor: p.username.clone(),
            actor_name: p.name.clone(),
            role: p.role.code().to_string(),
            unit: p.unit.clone().unwrap_or_default(),
            action: action.code().to_string(),
            subjects,
            detail,
            client: p.client.clone(),
        }
    }

    /// Logs that `views` are about to be served to `p`, naming the cases whose reporter's phone or
    /// email they show unmasked; nothing when none does.
    pub async fn audit_views(
        &self,
        p: &Principal,
        action: AuditAction,
        detail: String,
        views: &[&CaseView],
    ) -> Result<(), AppError> {
        let subjects: Vec<String> = views
            .iter()
            .filter(|v| v.reveals_personal)
            .map(|v| v.number.clone())
            .collect();
        if subjects.is_empty() {
            return Ok(());
        }
        let entry = self.audit_entry(p, action, detail, subjects);
        self.store.append_audit(&entry).await?;
        Ok(())
    }

    /// Logs an export by `p`: always, whatever it shows, with every case it holds.
    pub async fn audit_export(
        &self,
        p: &Principal,
        action: AuditAction,
        detail: String,
        subjects: Vec<String>,
    ) -> Result<(), AppError> {
        let entry = self.audit_entry(p, action, detail, subjects);
        self.store.append_audit(&entry).await?;
        Ok(())
    }

    /// Logs what an operator did from the command line (`onewindow export`, `backup`): the actor is
    /// the operating-system user who ran it.
    pub async fn audit_operator(
        &self,
        operator: &str,
        action: AuditAction,
        detail: String,
    ) -> Result<(), AppError> {
        let entry = AuditEntry {
            id: Uuid::now_v7(),
            at: self.now(),
            actor_id: Uuid::nil(),
            actor: operator.to_string(),
            actor_name: "命令行".to_string(),
            role: "operator".to_string(),
            unit: String::new(),
            action: action.code().to_string(),
            subjects: vec![],
            detail: detail.chars().take(DETAIL_MAX).collect(),
            client: None,
        };
        self.store.append_audit(&entry).await?;
        Ok(())
    }

    /// The filter of `GET /api/v1/audit`: `from`, `to` (dates, Asia/Shanghai, inclusive), `actor`
    /// (username), `action` (code), `subject` (case number), `page`, `page_size`. An administrator
    /// sees the entries of users in their own units and below (a district administrator: all,
    /// the command line's included).
    async fn audit_query(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<AuditQuery, AppError> {
        require_admin(p)?;
        let get = |k: &str| {
            params
                .get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let date = |k: &str, end: bool| -> Result<Option<i64>, AppError> {
            let Some(s) = get(k) else { return Ok(None) };
            let v = crate::cases::parse_instant(&s)
                .filter(|_| s.len() == 10)
                .ok_or_else(|| {
                    AppError::field(
                        k,
                        format!("「{s}」不是有效日期（YYYY-MM-DD）"),
                        format!("'{s}' is not a valid date (YYYY-MM-DD)"),
                    )
                })?;
            Ok(Some(if end { v + 86_400_000 - 1 } else { v }))
        };
        let (from, to) = (date("from", false)?, date("to", true)?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AppError::field(
                "to",
                "结束日期早于开始日期",
                "the end date is before the start date",
            ));
        }
        let action = get("action");
        if let Some(a) = &action
            && AuditAction::parse(a).is_none()
        {
            let codes: Vec<&str> = AuditAction::ALL.iter().map(|a| a.code()).collect();
            return Err(AppError::field(
                "action",
                format!("「{a}」无效，可选：{}", codes.join(", ")),
                format!("'{a}' is not valid; use one of {}", codes.join(", ")),
            ));
        }
        for k in ["actor", "subject"] {
            if get(k).is_some_and(|v| v.chars().count() > 64) {
                return Err(AppError::field(
                    k,
                    "不能超过 64 个字",
                    "must be at most 64 characters",
                ));
            }
        }
        let num = |k: &str, default: u64, max: u64| {
            crate::input::count_param(k, get(k).as_deref(), default, max)
        };
        let page = num("page", 1, 100_000)?;
        let size = num("page_size", 20, 100)?;
        let tree = self.org.tree().await?;
        let own = p.unit.clone().unwrap_or_default();
        let units = match tree.get(&own) {
            Some(u) if u.parent.is_none() => None,
            _ => Some(tree.subtree(&own)),
        };
        Ok(AuditQuery {
            from,
            to,
            actor: get("actor"),
            action,
            subject: get("subject"),
            units,
            offset: (page - 1) * size,
            limit: u32::try_from(size).unwrap_or(100),
        })
    }

    /// `GET /api/v1/audit`: a page of the log, newest first.
    pub async fn audit_page(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Value, AppError> {
        let q = self.audit_query(p, params).await?;
        let (rows, total) = self.store.audit_page(&q).await?;
        let tree = self.org.tree().await?;
        let items: Vec<Value> = rows.iter().map(|e| audit_json(e, &tree)).collect();
        let size = u64::from(q.limit.max(1));
        Ok(json!({
            "items": items, "total": total, "page": q.offset / size + 1, "page_size": q.limit,
            "actions": AuditAction::ALL.iter().map(|a| json!({"code": a.code(), "label": a.label_zh(), "label_en": a.label_en()})).collect::<Vec<_>>(),
        }))
    }

    /// `GET /api/v1/audit/export.xlsx`: the filtered log as a workbook (at most
    /// [`MAX_AUDIT_EXPORT`] entries); the export is itself logged.
    pub async fn audit_export_xlsx(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Vec<u8>, AppError> {
        let mut q = self.audit_query(p, params).await?;
        q.offset = 0;
        q.limit = 1000;
        let mut rows = Vec::new();
        loop {
            let (page, total) = self.store.audit_page(&q).await?;
            if total > MAX_AUDIT_EXPORT {
                return Err(AppError::field(
                    "filter",
                    format!("符合条件的日志超过单次导出上限 {MAX_AUDIT_EXPORT} 条，请缩小时间范围"),
                    format!("more than {MAX_AUDIT_EXPORT} entries match; narrow the period"),
                ));
            }
            let n = page.len();
            rows.extend(page);
            if n < q.limit as usize {
                break;
            }
            q.offset += u64::from(q.limit);
        }
        self.audit_export(p, AuditAction::ExportAudit, filter_detail(params), vec![])
            .await?;
        let tree = self.org.tree().await?;
        audit_xlsx(&rows, &tree)
    }
}

fn action_label(code: &str) -> String {
    AuditAction::parse(code).map_or_else(|| code.to_string(), |a| a.label_zh().to_string())
}

fn role_label(code: &str) -> String {
    Role::parse(code).map_or_else(
        || {
            if code == "operator" {
                "运维".to_string()
            } else {
                code.to_string()
            }
        },
        |r| r.label_zh().to_string(),
    )
}

fn audit_json(e: &AuditEntry, tree: &crate::org::OrgTree) -> Value {
    json!({
        "id": e.id,
        "at": crate::deadlines::format_instant(e.at),
        "actor": e.actor, "actor_name": e.actor_name,
        "role": e.role, "role_label": role_label(&e.role),
        "unit": e.unit, "unit_name": if e.unit.is_empty() { String::new() } else { tree.name(&e.unit) },
        "action": e.action, "action_label": action_label(&e.action),
        "action_label_en": AuditAction::parse(&e.action).map_or("", AuditAction::label_en),
        "subjects": e.subjects, "subject_count": e.subjects.len(),
        "detail": e.detail, "client": e.client,
    })
}

fn audit_xlsx(rows: &[AuditEntry], tree: &crate::org::OrgTree) -> Result<Vec<u8>, AppError> {
    const HEADERS: [&str; 9] = [
        "时间",
        "用户名",
        "姓名",
        "角色",
        "单位",
        "操作",
        "涉及工单",
        "条件",
        "客户端地址",
    ];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("审计日志").map_err(AppError::internal)?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, *h, &bold)
            .map_err(AppError::internal)?;
        ws.set_column_width(col, if c >= 6 { 40 } else { 16 })
            .map_err(AppError::internal)?;
    }
    for (r, e) in rows.iter().enumerate() {
        let rr = u32::try_from(r + 1).unwrap_or(u32::MAX);
        let cells = [
            crate::deadlines::format_instant(e.at),
            e.actor.clone(),
            e.actor_name.clone(),
            role_label(&e.role),
            if e.unit.is_empty() {
                String::new()
            } else {
                tree.name(&e.unit)
            },
            action_label(&e.action),
            e.subjects.join(" "),
            e.detail.clone(),
            e.client.clone().unwrap_or_default(),
        ];
        for (c, cell) in cells.iter().enumerate() {
            ws.write_string(
                rr,
                u16::try_from(c).unwrap_or(u16::MAX),
                crate::export::safe_cell(cell),
            )
            .map_err(AppError::internal)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(AppError::internal)?;
    wb.save_to_buffer().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_codes_round_trip() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
        }
        assert_eq!(AuditAction::parse("case.delete"), None);
    }

    #[test]
    fn filter_detail_is_sorted_and_bounded() {
        let mut m = HashMap::new();
        m.insert("status".to_string(), "handling".to_string());
        m.insert("phone".to_string(), "1234".to_string());
        m.insert("q".to_string(), String::new());
        assert_eq!(filter_detail(&m), "phone=1234&status=handling");
        m.insert("x".to_string(), "长".repeat(1000));
        assert_eq!(filter_detail(&m).chars().count(), DETAIL_MAX);
    }
}
