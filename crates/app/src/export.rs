//! Excel (.xlsx) and CSV export of a case list: Chinese headers, instants in Asia/Shanghai, phones
//! masked unless the role may see them (the same view the list shows).

use crate::App;
use crate::error::AppError;
use crate::scope::{Principal, read_scope};
use crate::views::CaseView;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;

/// The most rows one export returns; larger selections should be narrowed by filters.
pub const MAX_EXPORT_ROWS: u64 = 50_000;

const HEADERS: &[&str] = &[
    "工单编号",
    "标题",
    "诉求性质",
    "分类",
    "紧急程度",
    "来源渠道",
    "状态",
    "诉求人",
    "联系电话",
    "地址",
    "属地",
    "受理中心",
    "承办单位",
    "协办单位",
    "登记时间",
    "签收期限",
    "办理期限",
    "办结时间",
    "满意度",
    "诉求内容",
];

fn row(v: &CaseView) -> Vec<String> {
    let o = |x: &Option<String>| x.clone().unwrap_or_default();
    vec![
        v.number.clone(),
        v.title.clone(),
        v.nature_label.to_string(),
        v.category.clone(),
        v.urgency_label.to_string(),
        v.source_label.to_string(),
        v.status_label.to_string(),
        v.reporter.name.clone(),
        v.reporter.phone.clone(),
        v.location.address.clone(),
        v.location.region_name.clone(),
        v.hub_name.clone(),
        o(&v.unit_name),
        v.co_unit_names.join("、"),
        v.reported_at.replace('T', " ").replace("+08:00", ""),
        o(&v.sign_due).replace('T', " ").replace("+08:00", ""),
        o(&v.handle_due).replace('T', " ").replace("+08:00", ""),
        o(&v.resolved_at).replace('T', " ").replace("+08:00", ""),
        v.satisfaction_label.unwrap_or_default().to_string(),
        v.description.clone(),
    ]
}

/// A cell must never be read as a formula by Excel (CSV injection): prefix risky leading characters.
pub(crate) fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

impl App {
    /// Every case of the caller's current filter (up to [`MAX_EXPORT_ROWS`]); the export, in
    /// `format`, is logged with every case it holds before it is served.
    pub async fn export_views(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
        format: &str,
    ) -> Result<Vec<CaseView>, AppError> {
        let mut q = self.parse_case_query(params)?;
        let tree = self.org.tree().await?;
        let rules = self.rules().await?;
        q.scope = Some(read_scope(p, &tree));
        q.offset = 0;
        q.limit = 1000;
        q.count_limit = Some(MAX_EXPORT_ROWS);
        let mut out = Vec::new();
        loop {
            let (cases, total) = self.store.list_cases(&q).await?;
            if total > MAX_EXPORT_ROWS {
                return Err(AppError::field(
                    "filter",
                    format!("符合条件的工单超过单次导出上限 {MAX_EXPORT_ROWS} 条，请缩小筛选范围"),
                    format!("more than {MAX_EXPORT_ROWS} cases match; narrow the filter"),
                ));
            }
            let n = cases.len();
            out.extend(cases.iter().map(|c| self.view(&rules, c, p, &tree)));
            if n < q.limit as usize {
                break;
            }
            q.offset += u64::from(q.limit);
        }
        let detail = format!("format={format}&{}", crate::audit::filter_detail(params));
        let subjects = out.iter().map(|v| v.number.clone()).collect();
        self.audit_export(p, crate::audit::AuditAction::ExportCases, detail, subjects)
            .await?;
        Ok(out)
    }

    pub fn export_xlsx(&self, views: &[CaseView]) -> Result<Vec<u8>, AppError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("工单").map_err(AppError::internal)?;
        let bold = Format::new().set_bold();
        for (c, h) in HEADERS.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *h, &bold)
                .map_err(AppError::internal)?;
            ws.set_column_width(col, if c == HEADERS.len() - 1 { 60 } else { 16 })
                .map_err(AppError::internal)?;
        }
        for (r, v) in views.iter().enumerate() {
            let rr = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row(v).iter().enumerate() {
                ws.write_string(rr, u16::try_from(c).unwrap_or(u16::MAX), safe_cell(cell))
                    .map_err(AppError::internal)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(AppError::internal)?;
        wb.save_to_buffer().map_err(AppError::internal)
    }

    /// UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.
    pub fn export_csv(&self, views: &[CaseView]) -> Vec<u8> {
        fn field(s: &str) -> String {
            let s = safe_cell(s);
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        }
        let mut out = String::from("\u{feff}");
        out.push_str(&HEADERS.join(","));
        out.push_str("\r\n");
        for v in views {
            out.push_str(
                &row(v)
                    .iter()
                    .map(|c| field(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("正常文本"), "正常文本");
    }
}
