//! Importing a community's registry of households and enterprises (走访对象名册) from `.xlsx` or
//! `.csv` (issue 21, item 1): the list cadres pick from on the phone visit form, and what a
//! campaign's coverage is counted against. Streets and communities keep these lists in Excel.
//!
//! The file is read by the bounded readers of [`crate::sheet`] and every row validated before
//! anything is written (all-or-nothing by default, or valid rows only); entries are keyed by
//! (community, kind, name, address), so importing the same list twice adds nothing, and the
//! report says how many entries were new.

use crate::App;
use crate::error::AppError;
use crate::ledger::{ImportMode, LedgerInput, LedgerReport, cell_text, limits, read_rows};
use crate::ports::VisitSubject;
use crate::scope::Principal;
use crate::sheet::Cell;
use serde_json::json;
use uuid::Uuid;

/// The template's columns: (header, required, note).
pub const COLUMNS: &[(&str, bool, &str)] = &[
    (
        "区划代码",
        true,
        "所在村社的 12 位区划代码（或镇街的 9 位）",
    ),
    ("对象类型", true, "住户 / 企业"),
    ("名称", true, "户主姓名或企业名称"),
    ("地址", true, "详细地址"),
    ("联系电话", false, "可留空"),
];
const BATCH: usize = 1000;

impl App {
    /// `POST /api/v1/visit-subjects/import`: staff add their own area's households and
    /// enterprises (a district-level user: any community of the district).
    pub async fn import_visit_registry(
        &self,
        actor: &Principal,
        input: &LedgerInput,
        mode: ImportMode,
        dry_run: bool,
    ) -> Result<LedgerReport, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden(
                "仅限工作人员导入走访对象名册",
                "staff only",
            ));
        }
        let tree = self.org.tree().await?;
        let own = tree
            .get(actor.unit.as_deref().unwrap_or_default())
            .map(|u| u.region.clone())
            .unwrap_or_default();
        let regions: std::collections::HashSet<String> = tree
            .units
            .iter()
            .filter(|u| {
                u.kind == domain::UnitKind::Hub && u.level != domain::Level::District && !u.disabled
            })
            .map(|u| u.region.clone())
            .collect();
        let now = self.now();
        let input = input.clone();
        let (mut report, subjects) = tokio::task::spawn_blocking(move || {
            let mut report = LedgerReport::default();
            let mut subjects: Vec<VisitSubject> = Vec::new();
            let mut columns: Vec<Option<usize>> = vec![];
            let mut header_seen = false;
            read_rows(&input, &limits(), &mut |row, cells| {
                if !header_seen {
                    header_seen = true;
                    let names: Vec<String> = cells
                        .iter()
                        .map(|c| cell_text(c).unwrap_or_default())
                        .collect();
                    columns = COLUMNS
                        .iter()
                        .map(|(h, _, _)| names.iter().position(|n| n == h))
                        .collect();
                    let mut ok = true;
                    for ((h, required, _), idx) in COLUMNS.iter().zip(&columns) {
                        if *required && idx.is_none() {
                            report.error(row, h, format!("缺少必填列「{h}」，请使用下载的模板"));
                            ok = false;
                        }
                    }
                    return Ok(ok);
                }
                if cells.iter().all(|c| *c == Cell::Empty) {
                    return Ok(true);
                }
                report.total_rows += 1;
                let mut errs: Vec<(&str, String)> = vec![];
                let mut text = |i: usize, max: usize| -> Option<String> {
                    let (h, required, _) = COLUMNS[i];
                    let cell = columns[i]
                        .and_then(|c| cells.get(c))
                        .unwrap_or(&Cell::Empty);
                    if let Cell::Formula(_) = cell {
                        errs.push((h, "不允许公式，请填写文本".into()));
                        return None;
                    }
                    match cell_text(cell).filter(|s| !s.is_empty()) {
                        None if required => {
                            errs.push((h, "必填，不能为空".into()));
                            None
                        }
                        None => None,
                        Some(s) if s.chars().count() > max => {
                            errs.push((h, format!("不能超过 {max} 字")));
                            None
                        }
                        Some(s) => match crate::input::control_char(&s, false) {
                            Some(c) => {
                                errs.push((h, format!("含有控制字符 U+{:04X}，请删除", c as u32)));
                                None
                            }
                            None => Some(s),
                        },
                    }
                };
                let region = text(0, 20);
                let kind = text(1, 10);
                let name = text(2, 100);
                let address = text(3, 200);
                let phone = text(4, 30);
                if let Some(r) = &region {
                    if !regions.contains(r) {
                        errs.push(("区划代码", format!("{r} 不是本区的村社或镇街")));
                    } else if !r.starts_with(&own) {
                        errs.push(("区划代码", format!("{r} 不在本单位辖区内")));
                    }
                }
                let kind = match kind.as_deref() {
                    Some("住户") => Some("household"),
                    Some("企业") => Some("enterprise"),
                    Some(k) => {
                        errs.push(("对象类型", format!("「{k}」无效，应为 住户 或 企业")));
                        None
                    }
                    None => None,
                };
                if phone
                    .as_deref()
                    .is_some_and(|p| !crate::cases::valid_phone(p))
                {
                    errs.push(("联系电话", "电话号码格式不正确".into()));
                }
                match (region, kind, name, address, errs.is_empty()) {
                    (Some(community), Some(kind), Some(name), Some(address), true) => {
                        report.valid_rows += 1;
                        subjects.push(VisitSubject {
                            id: Uuid::now_v7(),
                            community,
                            kind: kind.into(),
                            name,
                            address,
                            doc: json!({ "contact": phone }),
                            created_at: now,
                        });
                    }
                    _ => {
                        report.rejected_rows += 1;
                        for (col, reason) in errs {
                            report.error(row, col, reason);
                        }
                    }
                }
                Ok(true)
            })?;
            Ok::<_, AppError>((report, subjects))
        })
        .await
        .map_err(AppError::internal)??;
        report.mode = Some(mode);
        report.dry_run = dry_run;
        if dry_run || (mode == ImportMode::AllOrNothing && report.rejected_rows > 0) {
            return Ok(report);
        }
        for batch in subjects.chunks(BATCH) {
            report.imported += self.store.insert_visit_subjects(batch).await?;
        }
        Ok(report)
    }

    /// The registry template (CSV, UTF-8 with BOM): headers and one example of each kind.
    pub fn visit_registry_template_csv(&self) -> Vec<u8> {
        let mut s = String::from("\u{feff}");
        s.push_str(
            &COLUMNS
                .iter()
                .map(|(h, _, _)| *h)
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push_str("\r\n330188002001,住户,王建国,金桥花园 3 幢 2 单元 501,13800001234\r\n330188002001,企业,临江金桥五金有限公司,金桥路 18 号,0571-86001234\r\n");
        s.into_bytes()
    }
}
