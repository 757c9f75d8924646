//! Importing a visit-campaign problem ledger (走访问题台账) from `.xlsx` or `.csv`.
//!
//! Each row is a problem found on a household or enterprise visit; valid rows become cases with
//! source `visit`, triaged like any other. Every row is validated and the report names row, column
//! and reason for each rejected one. The operator chooses all-or-nothing (validate everything
//! first, import only if no row is wrong) or valid-rows-only. Files are read by the bounded
//! readers of [`crate::sheet`] (streaming, limits on size, decompression, rows, columns and
//! cells); the whole file is read and validated before anything is written, so a file over a
//! limit, or with a wrong row in all-or-nothing mode, changes nothing. Rows are then imported in
//! batches as the file is read a second time, so memory stays bounded for large files.
//!
//! Imported into a visit campaign ([`App::import_visit_ledger`]), the same file is the campaign's
//! visit ledger (走访台账) for cadres who record on paper: every row is a visit (the household or
//! enterprise joins its community's registry), 问题描述 may be left empty for a visit that found
//! nothing, a row's date must fall in the campaign and its community belong to a unit taking part;
//! a row with a problem also becomes a case, linked from its visit like one recorded on the phone.

use crate::App;
use crate::deadlines::{date_of, start_of_day};
use crate::error::AppError;
use crate::org::OrgTree;
use crate::ports::{CaseWrite, Visit, VisitSubject};
use crate::rules::TimeRules;
use crate::scope::Principal;
use crate::sheet::{self, RowSink, SheetLimits};
use domain::{Case, EVENT_REGISTER, Event, Location, Nature, Reporter, Source, Urgency};
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

/// Longest cell accepted (a 10 MB cell is refused, not stored).
pub const MAX_CELL: usize = 10_000;
const MAX_REPORTED_ERRORS: usize = 1000;
/// The column of 问题描述 in [`COLUMNS`], the one multi-line text.
const DESCRIPTION: usize = 4;
const BATCH: usize = 1000;

/// Where a batch of rows goes: who imports, from which file, into which campaign (if any).
struct Target<'a> {
    actor: &'a Principal,
    tree: &'a OrgTree,
    file: &'a str,
    now: i64,
    campaign: Option<Uuid>,
}

/// The template's columns: (header, required, note).
pub const COLUMNS: &[(&str, bool, &str)] = &[
    ("走访对象", true, "住户姓名或企业名称"),
    ("对象类型", false, "住户 / 企业，默认住户"),
    ("走访日期", true, "YYYY-MM-DD"),
    ("走访人", true, "走访干部姓名"),
    ("问题描述", true, "群众或企业反映的问题"),
    ("地址", true, "详细地址"),
    ("区划代码", true, "村社或镇街的 12/9 位区划代码"),
    ("问题分类", false, "一级/二级，可留空由系统分类"),
    ("联系电话", false, "可留空"),
    (
        "走访情况",
        false,
        "走访发现的情况；导入走访活动时，未发现问题的走访可只填此列",
    ),
    (
        "照片链接",
        false,
        "现场照片或材料的网址（http/https），多个用空格或分号分隔，每行最多 5 个",
    ),
];
/// The column of 走访情况 in [`COLUMNS`].
const FOUND: usize = 9;
/// The column of 照片链接 in [`COLUMNS`]: each link is fetched onto the row's case like an
/// Open311 `media_url` (public addresses only), or kept on it as a link.
const PHOTOS: usize = 10;
/// Most links on one row.
const MAX_PHOTOS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    AllOrNothing,
    ValidOnly,
}

impl ImportMode {
    pub fn parse(s: &str) -> Option<ImportMode> {
        match s.trim() {
            "all_or_nothing" | "all-or-nothing" => Some(ImportMode::AllOrNothing),
            "valid_only" | "valid-only" => Some(ImportMode::ValidOnly),
            _ => None,
        }
    }
}

/// Where the rows come from. Bytes are shared, not copied, between the two readings.
#[derive(Clone)]
pub enum LedgerInput {
    Csv(std::sync::Arc<Vec<u8>>),
    CsvFile(std::path::PathBuf),
    Xlsx(std::sync::Arc<Vec<u8>>),
    XlsxFile(std::path::PathBuf),
}

pub use crate::sheet::Cell;

/// The limits a ledger file is read under (HTTP and the command line alike).
pub fn limits() -> SheetLimits {
    SheetLimits::default()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct LedgerReport {
    pub total_rows: usize,
    pub valid_rows: usize,
    pub rejected_rows: usize,
    pub imported: usize,
    pub errors: Vec<RowError>,
    /// More errors than listed.
    pub errors_truncated: bool,
    pub mode: Option<ImportMode>,
    pub dry_run: bool,
}

impl LedgerReport {
    pub(crate) fn error(&mut self, row: usize, column: &str, reason: String) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RowError {
                row,
                column: column.to_string(),
                reason,
            });
        } else {
            self.errors_truncated = true;
        }
    }
}

/// A validated ledger row.
#[derive(Debug, Clone)]
struct Problem {
    row: usize,
    object: String,
    object_kind: String,
    visited_on: i64,
    visitor: String,
    /// The problem (None: a campaign visit that found nothing).
    text: Option<String>,
    address: String,
    region: String,
    category: Option<String>,
    phone: String,
    found: Option<String>,
    /// The unit the visit counts for (campaign imports): the community's or street's hub.
    unit: Option<String>,
    /// 照片链接: files to attach to the row's case.
    photos: Vec<String>,
}

/// What a campaign import checks each row against.
struct CampaignRows {
    id: Uuid,
    name: String,
    starts_on: String,
    ends_on: String,
    units: Vec<String>,
}

pub(crate) fn read_rows(
    input: &LedgerInput,
    limits: &SheetLimits,
    f: &mut RowSink,
) -> Result<(), AppError> {
    let open = |p: &std::path::Path| {
        std::fs::File::open(p).map_err(|e| {
            sheet::bad_file(
                format!("{}（{e}）", p.display()),
                format!("{} ({e})", p.display()),
            )
        })
    };
    match input {
        LedgerInput::Csv(bytes) => sheet::read_csv(bytes.as_slice(), limits, f),
        LedgerInput::CsvFile(p) => sheet::read_csv(open(p)?, limits, f),
        LedgerInput::Xlsx(bytes) => sheet::read_xlsx(
            std::io::Cursor::new(bytes.as_slice()),
            bytes.len() as u64,
            limits,
            f,
        ),
        LedgerInput::XlsxFile(p) => {
            let file = open(p)?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            sheet::read_xlsx(file, size, limits, f)
        }
    }
}

pub(crate) fn cell_text(c: &Cell) -> Option<String> {
    match c {
        Cell::Text(s) => Some(s.trim().to_string()),
        Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", *x as i64)),
        Cell::Number(x) => Some(x.to_string()),
        _ => None,
    }
}

/// Parses a visit date: `2026-11-02`, `2026/11/2`, `2026.11.2`, or an Excel date serial.
fn parse_date(c: &Cell) -> Option<jiff::civil::Date> {
    match c {
        // An Excel date serial (days since 1899-12-30) of the years 1954 to 2119.
        Cell::Number(serial) if *serial > 20_000.0 && *serial < 80_000.0 => {
            jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(serial.floor() as i64))
                .ok()
        }
        Cell::Text(s) => {
            let parts: Vec<&str> = s
                .trim()
                .split(['-', '/', '.', '年', '月', '日'])
                .filter(|p| !p.is_empty())
                .collect();
            let [y, m, d] = parts.as_slice() else {
                return None;
            };
            jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
        }
        _ => None,
    }
}

struct Validator {
    tree: std::sync::Arc<OrgTree>,
    categories: HashSet<String>,
    columns: Vec<Option<usize>>,
    now: i64,
    campaign: Option<CampaignRows>,
}

impl Validator {
    fn header(&mut self, row: usize, cells: &[Cell], report: &mut LedgerReport) -> bool {
        let names: Vec<String> = cells
            .iter()
            .map(|c| cell_text(c).unwrap_or_default())
            .collect();
        self.columns = COLUMNS
            .iter()
            .map(|(h, _, _)| names.iter().position(|n| n == h))
            .collect();
        let mut ok = true;
        for ((h, required, _), idx) in COLUMNS.iter().zip(&self.columns) {
            if *required && idx.is_none() {
                report.error(row, h, format!("缺少必填列「{h}」，请使用下载的模板"));
                ok = false;
            }
        }
        ok
    }

    fn row(&self, row: usize, cells: &[Cell], report: &mut LedgerReport) -> Option<Problem> {
        let mut errs: Vec<(String, String)> = vec![];
        let get = |i: usize| -> &Cell {
            self.columns[i]
                .and_then(|c| cells.get(c))
                .unwrap_or(&Cell::Empty)
        };
        let text_of = |i: usize, errs: &mut Vec<(String, String)>| -> Option<String> {
            let (h, required, _) = COLUMNS[i];
            // In a campaign's visit ledger a visit may have found nothing.
            let required = required && !(i == DESCRIPTION && self.campaign.is_some());
            match get(i) {
                Cell::Formula(f) => {
                    let shown: String = f.chars().take(40).collect();
                    errs.push((h.into(), format!("不允许公式（{shown}），请填写数值或文本")));
                    None
                }
                c => match cell_text(c) {
                    Some(s) if s.chars().count() > MAX_CELL => {
                        errs.push((
                            h.into(),
                            format!("内容过长（{} 字），上限 {MAX_CELL} 字", s.chars().count()),
                        ));
                        None
                    }
                    Some(s) if !s.is_empty() => {
                        // 问题描述 may run over several lines; no cell may hold other control
                        // characters.
                        match crate::input::control_char(&s, i == DESCRIPTION) {
                            Some(c) => {
                                errs.push((
                                    h.into(),
                                    format!("含有控制字符 U+{:04X}，请删除", c as u32),
                                ));
                                None
                            }
                            None => Some(s),
                        }
                    }
                    _ => {
                        if required {
                            errs.push((h.into(), "必填，不能为空".into()));
                        }
                        None
                    }
                },
            }
        };
        let object = text_of(0, &mut errs);
        let kind = text_of(1, &mut errs).unwrap_or_else(|| "住户".into());
        if !matches!(kind.as_str(), "住户" | "企业") {
            errs.push((
                "对象类型".into(),
                format!("「{kind}」无效，应为 住户 或 企业"),
            ));
        }
        let visited_on = match get(2) {
            Cell::Empty => {
                errs.push(("走访日期".into(), "必填，不能为空".into()));
                None
            }
            Cell::Formula(_) => {
                errs.push(("走访日期".into(), "不允许公式，请填写日期".into()));
                None
            }
            c => match parse_date(c) {
                Some(d) if start_of_day(d) > self.now => {
                    errs.push(("走访日期".into(), format!("{d} 晚于今天")));
                    None
                }
                Some(d) if d.year() < 2000 => {
                    errs.push(("走访日期".into(), format!("{d} 早于 2000 年")));
                    None
                }
                Some(d)
                    if self.campaign.as_ref().is_some_and(|c| {
                        d.to_string() < c.starts_on || d.to_string() > c.ends_on
                    }) =>
                {
                    let (from, to) = self
                        .campaign
                        .as_ref()
                        .map(|c| (c.starts_on.as_str(), c.ends_on.as_str()))
                        .unwrap_or_default();
                    errs.push((
                        "走访日期".into(),
                        format!("{d} 不在走访活动期间（{from} 至 {to}）"),
                    ));
                    None
                }
                Some(d) => Some(start_of_day(d) + 9 * 3_600_000),
                None => {
                    let shown: String = cell_text(c).unwrap_or_default().chars().take(30).collect();
                    errs.push((
                        "走访日期".into(),
                        format!("「{shown}」不是有效日期，应为 YYYY-MM-DD"),
                    ));
                    None
                }
            },
        };
        let visitor = text_of(3, &mut errs);
        let text = text_of(4, &mut errs);
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > crate::cases::MAX_DESCRIPTION)
        {
            errs.push((
                "问题描述".into(),
                format!("不能超过 {} 字", crate::cases::MAX_DESCRIPTION),
            ));
        }
        let address = text_of(5, &mut errs);
        let region = text_of(6, &mut errs);
        if let Some(r) = &region
            && !self.tree.units.iter().any(|u| {
                u.kind == domain::UnitKind::Hub
                    && u.region == *r
                    && u.level != domain::Level::District
            })
        {
            errs.push((
                "区划代码".into(),
                format!("区划代码 {r} 不是本区的村社或镇街"),
            ));
        }
        // A campaign's visit counts for the community's (or street's) hub, which must take part.
        let mut unit = None;
        if let (Some(c), Some(r)) = (&self.campaign, &region) {
            let hub = self.tree.units.iter().find(|u| {
                u.kind == domain::UnitKind::Hub
                    && u.region == *r
                    && u.level != domain::Level::District
            });
            match hub {
                Some(h) if c.units.iter().any(|t| self.tree.is_within(&h.code, t)) => {
                    unit = Some(h.code.clone());
                }
                Some(h) => errs.push((
                    "区划代码".into(),
                    format!("{} 不是走访活动「{}」的参与单位", h.name, c.name),
                )),
                None => {}
            }
        }
        let category = text_of(7, &mut errs);
        if let Some(c) = &category
            && !self.categories.contains(c)
        {
            errs.push((
                "问题分类".into(),
                format!("「{c}」不是分类目录中的「一级/二级」"),
            ));
        }
        let phone = text_of(8, &mut errs).unwrap_or_default();
        let found = text_of(FOUND, &mut errs);
        let photos: Vec<String> = text_of(PHOTOS, &mut errs)
            .map(|t| {
                t.split(|c: char| c.is_whitespace() || matches!(c, ';' | '；' | ',' | '，'))
                    .filter(|u| !u.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if photos.len() > MAX_PHOTOS {
            errs.push((
                "照片链接".into(),
                format!("每行最多 {MAX_PHOTOS} 个链接，本行 {} 个", photos.len()),
            ));
        }
        if let Some(bad) = photos.iter().find(|u| {
            !(u.starts_with("http://") || u.starts_with("https://")) || u.chars().count() > 1000
        }) {
            let shown: String = bad.chars().take(40).collect();
            errs.push((
                "照片链接".into(),
                format!("「{shown}」不是 http/https 网址"),
            ));
        }
        if found.as_ref().is_some_and(|t| t.chars().count() > 2000) {
            errs.push(("走访情况".into(), "不能超过 2000 字".into()));
        }
        let phone_ok = phone.chars().filter(char::is_ascii_digit).count() >= 5
            && phone
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ');
        if !phone.is_empty() && !phone_ok {
            errs.push(("联系电话".into(), "电话号码格式不正确".into()));
        }
        if !errs.is_empty() {
            for (col, reason) in errs {
                report.error(row, &col, reason);
            }
            return None;
        }
        Some(Problem {
            row,
            object: object?,
            object_kind: kind,
            visited_on: visited_on?,
            visitor: visitor?,
            text,
            address: address?,
            region: region?,
            category,
            phone,
            found,
            unit,
            photos,
        })
    }
}

impl App {
    fn problem_case(
        &self,
        rules: &TimeRules,
        p: &Problem,
        text: &str,
        t: &Target<'_>,
    ) -> CaseWrite {
        let (tree, actor, file, now) = (t.tree, t.actor, t.file, t.now);
        let s = self.classifier().classify(text);
        let hub = tree
            .street_of_region(&p.region)
            .or_else(|| tree.district_hub())
            .map(|u| u.code.clone())
            .unwrap_or_default();
        let id = Uuid::now_v7();
        let title: String = text
            .split(['。', '，', '！', '\n'])
            .next()
            .unwrap_or(text)
            .chars()
            .take(30)
            .collect();
        let case = Case::registered(
            domain::Intake {
                id,
                title,
                description: format!(
                    "【走访问题】{}（{}）反映：{}",
                    p.object, p.object_kind, text
                ),
                nature: Nature::parse(s.nature).unwrap_or(Nature::Help),
                category: p.category.clone().unwrap_or_else(|| s.category.clone()),
                urgency: Urgency::parse(s.urgency).unwrap_or(Urgency::Normal),
                source: Source::Visit,
                reporter: Reporter {
                    name: p.object.clone(),
                    phone: p.phone.clone(),
                    email: None,
                },
                location: Location {
                    address: p.address.clone(),
                    region: p.region.clone(),
                    lat: None,
                    lon: None,
                },
                reported_at: p.visited_on,
                hub,
                created_by: Some(actor.id),
                risk_level: s.risk.level.to_string(),
            },
            now,
        );
        let event = Event {
            id: Uuid::now_v7(),
            case_id: id,
            at: now,
            actor: Some(actor.id),
            actor_name: actor.name.clone(),
            unit: actor.unit.clone(),
            action: EVENT_REGISTER.into(),
            opinion: None,
            data: json!({ "source": "visit", "ledger": { "file": file, "row": p.row, "visitor": p.visitor, "visited_at": crate::deadlines::format_instant(p.visited_on) }, "triage": { "category": s.category, "confidence": s.confidence, "risk": s.risk.level } }),
        };
        self.write_of(rules, case, None, vec![event], true)
    }

    /// Validates and (unless `dry_run`) imports a ledger. `progress` is told (rows seen, imported).
    pub async fn import_ledger(
        &self,
        actor: &Principal,
        input: &LedgerInput,
        file: &str,
        mode: ImportMode,
        dry_run: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<LedgerReport, AppError> {
        self.import_rows(actor, None, input, file, mode, dry_run, progress)
            .await
    }

    /// Imports the file as campaign `campaign`'s visit ledger: every row is a visit, a row with a
    /// problem is also a case (see the module's notes).
    #[allow(clippy::too_many_arguments)]
    pub async fn import_visit_ledger(
        &self,
        actor: &Principal,
        campaign: Uuid,
        input: &LedgerInput,
        file: &str,
        mode: ImportMode,
        dry_run: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<LedgerReport, AppError> {
        let c = self
            .store
            .campaigns()
            .await?
            .into_iter()
            .find(|c| c.id == campaign)
            .ok_or_else(|| AppError::not_found("走访活动", "campaign"))?;
        let units = c.doc["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["unit"].as_str().map(str::to_string))
            .collect();
        let rows = CampaignRows {
            id: c.id,
            name: c.name,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            units,
        };
        self.import_rows(actor, Some(rows), input, file, mode, dry_run, progress)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_rows(
        &self,
        actor: &Principal,
        campaign: Option<CampaignRows>,
        input: &LedgerInput,
        file: &str,
        mode: ImportMode,
        dry_run: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<LedgerReport, AppError> {
        // Who imports, and which fields a row sets: `case_fields` (category, reported_at, source visit).
        if !crate::case_fields::rights(crate::case_fields::Channel::LedgerImport).admits(actor) {
            return Err(AppError::forbidden(
                "仅受理员、派单员或管理员可导入台账",
                "only clerks, dispatchers and admins may import ledgers",
            ));
        }
        let tree = self.org.tree().await?;
        // The same taxonomy every intake checks against (`references`).
        let categories: HashSet<String> =
            self.references().await?.categories().into_iter().collect();
        let now = self.now();
        let campaign_id = campaign.as_ref().map(|c| c.id);
        let validator = std::sync::Arc::new(std::sync::Mutex::new(Validator {
            tree: tree.clone(),
            categories,
            columns: vec![],
            now,
            campaign,
        }));
        let target = Target {
            actor,
            tree: &tree,
            file,
            now,
            campaign: campaign_id,
        };
        // Pass 1 reads and validates the whole file and writes nothing: a file over a limit
        // (refused with 413 part way through) or, in all-or-nothing mode, with one wrong row
        // leaves the database as it was.
        let mut report = self
            .scan(input.clone(), validator.clone(), false, &target, progress)
            .await?;
        report.mode = Some(mode);
        report.dry_run = dry_run;
        let import = !dry_run
            && report.valid_rows > 0
            && (mode == ImportMode::ValidOnly || report.rejected_rows == 0);
        if !import {
            return Ok(report);
        }
        // Pass 2 reads again and writes the valid rows in batches as they come.
        let second = self
            .scan(input.clone(), validator, true, &target, progress)
            .await?;
        report.imported = second.imported;
        Ok(report)
    }

    /// Reads and validates the rows on a blocking thread; when `import` is set, valid rows are
    /// written in batches as they arrive.
    async fn scan(
        &self,
        input: LedgerInput,
        validator: std::sync::Arc<std::sync::Mutex<Validator>>,
        import: bool,
        target: &Target<'_>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<LedgerReport, AppError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Vec<Problem>)>(2);
        let reader = tokio::task::spawn_blocking(move || -> Result<LedgerReport, AppError> {
            let mut report = LedgerReport::default();
            let mut v = validator
                .lock()
                .map_err(|_| AppError::internal("ledger validator poisoned"))?;
            let mut batch: Vec<Problem> = Vec::with_capacity(BATCH);
            let mut header_seen = false;
            read_rows(&input, &limits(), &mut |row, cells| {
                // The first row holding anything is the header.
                if !header_seen {
                    header_seen = true;
                    return Ok(v.header(row, &cells, &mut report));
                }
                if cells.iter().all(|c| *c == Cell::Empty) {
                    return Ok(true);
                }
                report.total_rows += 1;
                match v.row(row, &cells, &mut report) {
                    Some(p) => {
                        report.valid_rows += 1;
                        if import {
                            batch.push(p);
                            if batch.len() >= BATCH
                                && tx
                                    .blocking_send((report.total_rows, std::mem::take(&mut batch)))
                                    .is_err()
                            {
                                return Ok(false);
                            }
                        }
                    }
                    None => report.rejected_rows += 1,
                }
                Ok(true)
            })?;
            if import && !batch.is_empty() {
                let _ = tx.blocking_send((report.total_rows, batch));
            }
            Ok(report)
        });
        let mut imported = 0;
        while let Some((seen, batch)) = rx.recv().await {
            self.write_problems(target, &batch).await?;
            imported += batch.len();
            progress(seen, imported);
        }
        let mut report = reader.await.map_err(AppError::internal)??;
        report.imported = imported;
        Ok(report)
    }

    /// Writes a batch: the problems' cases in one transaction, then (campaign imports) each
    /// row's registry entry and visit linking its case.
    async fn write_problems(&self, t: &Target<'_>, problems: &[Problem]) -> Result<(), AppError> {
        if problems.is_empty() {
            return Ok(());
        }
        let year = i32::from(date_of(t.now).year());
        let rules = self.rules().await?;
        let mut linked: Vec<Option<(Uuid, String)>> = Vec::with_capacity(problems.len());
        let mut writes = Vec::new();
        for p in problems {
            match &p.text {
                Some(text) => {
                    let w = self.problem_case(&rules, p, text, t);
                    linked.push(Some((w.case.id, w.case.title.clone())));
                    writes.push((w, year));
                }
                None => linked.push(None),
            }
        }
        if !writes.is_empty() {
            self.store.insert_cases_bulk(writes).await?;
        }
        // The rows' photo links, onto their cases (after the cases exist).
        for (p, case) in problems.iter().zip(&linked) {
            if let (Some((id, _)), false) = (case, p.photos.is_empty())
                && let Some(c) = self.store.get_case(*id).await?
            {
                for url in &p.photos {
                    self.attach_from_url(&c, url, &t.actor.name).await?;
                }
            }
        }
        let Some(campaign) = t.campaign else {
            return Ok(());
        };
        for (p, case) in problems.iter().zip(linked) {
            let kind = if p.object_kind == "企业" {
                "enterprise"
            } else {
                "household"
            };
            let subject = self
                .store
                .upsert_visit_subject(&VisitSubject {
                    id: Uuid::now_v7(),
                    community: p.region.clone(),
                    kind: kind.into(),
                    name: p.object.clone(),
                    address: p.address.clone(),
                    doc: json!({ "contact": (!p.phone.is_empty()).then_some(&p.phone) }),
                    created_at: t.now,
                })
                .await?;
            let mut listed = Vec::new();
            if let Some((id, title)) = case {
                let number = self.store.get_case(id).await?.map(|c| c.number);
                listed.push(json!({ "case_id": id, "number": number, "title": title }));
            }
            let found = p.found.clone().unwrap_or_else(|| match &p.text {
                Some(text) => text.clone(),
                None => "未发现问题".into(),
            });
            self.store
                .insert_visit(&Visit {
                    id: Uuid::now_v7(),
                    campaign_id: campaign,
                    unit: p.unit.clone().unwrap_or_default(),
                    subject_id: subject.id,
                    kind: kind.into(),
                    visited_at: p.visited_on,
                    doc: json!({ "visitor": p.visitor, "visitor_id": null, "found": found, "problems": listed,
                                 "subject": { "name": subject.name, "address": subject.address, "community": subject.community },
                                 "ledger": { "file": t.file, "row": p.row, "imported_by": t.actor.name } }),
                    created_at: t.now,
                })
                .await?;
        }
        Ok(())
    }

    /// The template: headers, a note row, and one example.
    pub fn ledger_template_csv(&self) -> Vec<u8> {
        let mut s = String::from("\u{feff}");
        s.push_str(
            &COLUMNS
                .iter()
                .map(|(h, _, _)| *h)
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push_str("\r\n王建国,住户,2026-11-02,李明,小区东门路灯损坏两周无人修,临江区东湖街道金桥社区金桥花园东门,330188002001,城市管理/市容环境,13800001234,东门路灯不亮，住户反映夜间出行不便,\r\n");
        s.into_bytes()
    }

    pub fn ledger_template_xlsx(&self) -> Result<Vec<u8>, AppError> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("走访问题台账").map_err(AppError::internal)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (i, (h, required, note)) in COLUMNS.iter().enumerate() {
            let c = u16::try_from(i).unwrap_or(0);
            ws.write_string_with_format(0, c, *h, &bold)
                .map_err(AppError::internal)?;
            let note = if *required {
                format!("必填：{note}")
            } else {
                format!("选填：{note}")
            };
            ws.insert_note(0, c, &rust_xlsxwriter::Note::new(note))
                .map_err(AppError::internal)?;
            ws.set_column_width(c, if i == 4 { 48 } else { 16 })
                .map_err(AppError::internal)?;
        }
        let example = [
            "王建国",
            "住户",
            "2026-11-02",
            "李明",
            "小区东门路灯损坏两周无人修",
            "临江区东湖街道金桥社区金桥花园东门",
            "330188002001",
            "城市管理/市容环境",
            "13800001234",
            "东门路灯不亮，住户反映夜间出行不便",
        ];
        for (i, v) in example.iter().enumerate() {
            ws.write_string(1, u16::try_from(i).unwrap_or(0), *v)
                .map_err(AppError::internal)?;
        }
        wb.save_to_buffer().map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_people_type() {
        for s in ["2026-11-02", "2026/11/2", "2026.11.02", "2026年11月2日"] {
            assert_eq!(
                parse_date(&Cell::Text(s.into())).map(|d| d.to_string()),
                Some("2026-11-02".to_string()),
                "{s}"
            );
        }
        assert_eq!(
            parse_date(&Cell::Number(46328.0)).map(|d| d.to_string()),
            Some("2026-11-02".to_string())
        );
        assert_eq!(parse_date(&Cell::Text("2026-02-30".into())), None);
        assert_eq!(parse_date(&Cell::Text("昨天".into())), None);
    }
}
