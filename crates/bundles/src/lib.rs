//! 一件事 (issue 22): a life event's matters bundled into one application that several departments
//! handle in parallel behind one window.
//!
//! A [`Template`] is data an administrator edits: the life stage, the shared form (one set of
//! fields every matter reads from), one set of materials (uploaded once, reused; some may be
//! handed in later — 容缺受理), eligibility rules checked before acceptance, and the member
//! matters with their department, statutory and promised working days and the matters each
//! waits for (出生医学证明 before 户口登记, 户口 before 医保 and 社保卡). [`validate`] refuses a
//! template with a cycle, a field no matter uses, a matter naming an unknown field, material or
//! department, or a promise shorter than its own critical path.
//!
//! An application's tasks move by [`next_status`]; [`release`] hands a waiting task to its
//! department once everything it depends on is approved, and [`cancel_dependents`] ends the tasks
//! that can no longer happen after a refusal. [`bundle_status`] is the one status the citizen
//! sees. Clocks (working days on the calendar) are the use case's business.

pub mod approval;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The personal life stages of the Zhejiang guide (《群众和企业全生命周期"一件事"工作指南》).
pub const PERSONAL_STAGES: [&str; 10] = [
    "出生", "上学", "就业", "婚育", "置业", "救助", "就医", "退休", "养老", "身后",
];
/// The enterprise life stages of the same guide.
pub const ENTERPRISE_STAGES: [&str; 6] = [
    "企业开办",
    "场地获得",
    "员工招聘",
    "生产经营",
    "权益保护",
    "清算注销",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub code: String,
    pub name: String,
    /// `personal` or `enterprise`.
    pub kind: String,
    pub stage: String,
    #[serde(default)]
    pub description: String,
    pub promised_working_days: u32,
    pub fields: Vec<Field>,
    #[serde(default)]
    pub materials: Vec<Material>,
    #[serde(default)]
    pub eligibility: Vec<Rule>,
    pub matters: Vec<Matter>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Date,
    Phone,
    IdCard,
    Number,
    Choice,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub required: bool,
    /// 容缺受理: the application is accepted without it; it is handed in later.
    #[serde(default)]
    pub deferrable: bool,
}

/// An eligibility rule of the pre-check (预审), with the reason shown when it fails.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// A date field no more than `days` days before the submission day, and not after it.
    MaxAgeDays {
        field: String,
        days: u32,
        message: String,
    },
    /// A field equal to `value`.
    Equals {
        field: String,
        value: String,
        message: String,
    },
    /// A number field at least `value`.
    MinNumber {
        field: String,
        value: f64,
        message: String,
    },
}

impl Rule {
    pub fn field(&self) -> &str {
        match self {
            Rule::MaxAgeDays { field, .. }
            | Rule::Equals { field, .. }
            | Rule::MinNumber { field, .. } => field,
        }
    }
    pub fn message(&self) -> &str {
        match self {
            Rule::MaxAgeDays { message, .. }
            | Rule::Equals { message, .. }
            | Rule::MinNumber { message, .. } => message,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Matter {
    /// The matter's code (权力事项编码 or a local one), unique in its template.
    pub code: String,
    pub name: String,
    /// The handling department's unit code.
    pub unit: String,
    /// 法定办结时限.
    pub legal_working_days: u32,
    /// 承诺办结时限: the task's own clock from its release.
    pub working_days: u32,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The shared form's fields this matter reads.
    #[serde(default)]
    pub fields: Vec<String>,
    /// The shared materials this matter needs.
    #[serde(default)]
    pub materials: Vec<String>,
}

/// A refusal of a template: where (`matters[2].depends_on`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateError {
    pub path: String,
    pub message: String,
}

fn err(path: impl Into<String>, message: impl Into<String>) -> TemplateError {
    TemplateError {
        path: path.into(),
        message: message.into(),
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Every problem of a template; empty when it may be stored. `unit_exists` says whether a unit
/// code is a department in service in the org tree.
pub fn validate(t: &Template, unit_exists: &dyn Fn(&str) -> bool) -> Vec<TemplateError> {
    let mut out = Vec::new();
    if !is_code(&t.code) {
        out.push(err(
            "code",
            "编码只能由小写字母、数字、下划线组成（1 到 64 位）",
        ));
    }
    if t.name.trim().is_empty() || t.name.chars().count() > 50 {
        out.push(err("name", "名称必填，不超过 50 字"));
    }
    let stages: &[&str] = match t.kind.as_str() {
        "personal" => &PERSONAL_STAGES,
        "enterprise" => &ENTERPRISE_STAGES,
        _ => {
            out.push(err("kind", "应为 personal（个人）或 enterprise（企业）"));
            &[]
        }
    };
    if !stages.is_empty() && !stages.contains(&t.stage.as_str()) {
        out.push(err(
            "stage",
            format!(
                "「{}」不是该类的生命周期阶段，可选：{}",
                t.stage,
                stages.join("、")
            ),
        ));
    }
    if !(1..=250).contains(&t.promised_working_days) {
        out.push(err("promised_working_days", "应为 1 到 250 个工作日"));
    }
    if t.fields.is_empty() || t.fields.len() > 60 {
        out.push(err("fields", "须有 1 到 60 个表单字段"));
    }
    if t.matters.is_empty() || t.matters.len() > 30 {
        out.push(err("matters", "须有 1 到 30 个事项"));
    }
    let mut names = BTreeSet::new();
    for (i, f) in t.fields.iter().enumerate() {
        if !is_code(&f.name) {
            out.push(err(
                format!("fields[{i}].name"),
                "字段名只能由小写字母、数字、下划线组成",
            ));
        }
        if !names.insert(f.name.as_str()) {
            out.push(err(
                format!("fields[{i}].name"),
                format!("字段「{}」重复", f.name),
            ));
        }
        if f.label.trim().is_empty() {
            out.push(err(format!("fields[{i}].label"), "须有显示名称"));
        }
        match (&f.kind, &f.options) {
            (FieldType::Choice, Some(o)) if o.len() >= 2 => {}
            (FieldType::Choice, _) => out.push(err(
                format!("fields[{i}].options"),
                "选择字段须列出至少 2 个选项",
            )),
            (_, Some(_)) => out.push(err(
                format!("fields[{i}].options"),
                "只有选择字段（choice）才有选项",
            )),
            _ => {}
        }
    }
    let mut materials = BTreeSet::new();
    for (i, m) in t.materials.iter().enumerate() {
        if !is_code(&m.code) || !materials.insert(m.code.as_str()) {
            out.push(err(
                format!("materials[{i}].code"),
                format!("材料编码「{}」无效或重复", m.code),
            ));
        }
        if m.name.trim().is_empty() {
            out.push(err(format!("materials[{i}].name"), "须有材料名称"));
        }
    }
    let codes: BTreeSet<&str> = t.matters.iter().map(|m| m.code.as_str()).collect();
    let mut seen = BTreeSet::new();
    let (mut used_fields, mut used_materials) = (BTreeSet::new(), BTreeSet::new());
    for (i, m) in t.matters.iter().enumerate() {
        if !is_code(&m.code) || !seen.insert(m.code.as_str()) {
            out.push(err(
                format!("matters[{i}].code"),
                format!("事项编码「{}」无效或重复", m.code),
            ));
        }
        if m.name.trim().is_empty() {
            out.push(err(format!("matters[{i}].name"), "须有事项名称"));
        }
        if !unit_exists(&m.unit) {
            out.push(err(
                format!("matters[{i}].unit"),
                format!("单位「{}」不在组织机构中（或已停用）", m.unit),
            ));
        }
        if m.working_days == 0 || m.legal_working_days == 0 || m.legal_working_days > 250 {
            out.push(err(
                format!("matters[{i}].working_days"),
                "承诺和法定时限应为 1 到 250 个工作日",
            ));
        } else if m.working_days > m.legal_working_days {
            out.push(err(
                format!("matters[{i}].working_days"),
                format!(
                    "承诺时限 {} 个工作日超过法定时限 {} 个工作日",
                    m.working_days, m.legal_working_days
                ),
            ));
        }
        for (j, d) in m.depends_on.iter().enumerate() {
            if d == &m.code {
                out.push(err(
                    format!("matters[{i}].depends_on[{j}]"),
                    "事项不能依赖自身",
                ));
            } else if !codes.contains(d.as_str()) {
                out.push(err(
                    format!("matters[{i}].depends_on[{j}]"),
                    format!("依赖的事项「{d}」不在本模板中"),
                ));
            }
        }
        for (j, f) in m.fields.iter().enumerate() {
            if names.contains(f.as_str()) {
                used_fields.insert(f.as_str());
            } else {
                out.push(err(
                    format!("matters[{i}].fields[{j}]"),
                    format!("表单中没有字段「{f}」"),
                ));
            }
        }
        for (j, c) in m.materials.iter().enumerate() {
            if materials.contains(c.as_str()) {
                used_materials.insert(c.as_str());
            } else {
                out.push(err(
                    format!("matters[{i}].materials[{j}]"),
                    format!("材料清单中没有「{c}」"),
                ));
            }
        }
    }
    for (i, f) in t.fields.iter().enumerate() {
        if !used_fields.contains(f.name.as_str()) {
            out.push(err(
                format!("fields[{i}]"),
                format!("字段「{}」（{}）没有映射到任何事项", f.name, f.label),
            ));
        }
    }
    for (i, m) in t.materials.iter().enumerate() {
        if !used_materials.contains(m.code.as_str()) {
            out.push(err(
                format!("materials[{i}]"),
                format!("材料「{}」没有任何事项使用", m.name),
            ));
        }
    }
    for (i, r) in t.eligibility.iter().enumerate() {
        let field = t.fields.iter().find(|f| f.name == r.field());
        let fits = matches!(
            (r, field.map(|f| f.kind)),
            (Rule::MaxAgeDays { .. }, Some(FieldType::Date))
                | (Rule::MinNumber { .. }, Some(FieldType::Number))
                | (
                    Rule::Equals { .. },
                    Some(FieldType::Choice | FieldType::Text)
                )
        );
        if !fits {
            out.push(err(
                format!("eligibility[{i}].field"),
                format!("字段「{}」不存在或类型不适用此规则", r.field()),
            ));
        }
        if r.message().trim().is_empty() {
            out.push(err(
                format!("eligibility[{i}].message"),
                "须写明不符合时的原因",
            ));
        }
    }
    match find_cycle(&t.matters) {
        Some(cycle) => out.push(err(
            "matters",
            format!("事项依赖形成循环：{}", cycle.join(" → ")),
        )),
        None => {
            // Only meaningful without a cycle.
            let path = critical_path(&t.matters);
            if out.is_empty() && path > t.promised_working_days {
                out.push(err(
                    "promised_working_days",
                    format!(
                        "承诺时限 {} 个工作日短于事项依赖的关键路径 {} 个工作日",
                        t.promised_working_days, path
                    ),
                ));
            }
        }
    }
    out
}

/// A dependency cycle, as the codes along it (first repeated at the end), if there is one.
pub fn find_cycle(matters: &[Matter]) -> Option<Vec<String>> {
    let deps: BTreeMap<&str, &[String]> = matters
        .iter()
        .map(|m| (m.code.as_str(), m.depends_on.as_slice()))
        .collect();
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        n: &'a str,
        deps: &BTreeMap<&'a str, &'a [String]>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|x| *x == n).unwrap_or(0);
                let mut cycle: Vec<String> = stack[from..].iter().map(|s| s.to_string()).collect();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n, 1);
        stack.push(n);
        for d in deps.get(n).copied().unwrap_or_default() {
            if deps.contains_key(d.as_str())
                && let Some(c) = visit(d.as_str(), deps, state, stack)
            {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    for m in matters {
        let mut stack = Vec::new();
        if let Some(c) = visit(m.code.as_str(), &deps, &mut state, &mut stack) {
            return Some(c);
        }
    }
    None
}

/// The longest chain of promised working days through the dependencies (a graph without
/// cycles; a cycle's matters count once).
pub fn critical_path(matters: &[Matter]) -> u32 {
    let by_code: BTreeMap<&str, &Matter> = matters.iter().map(|m| (m.code.as_str(), m)).collect();
    let mut memo: BTreeMap<&str, u32> = BTreeMap::new();
    fn finish<'a>(
        m: &'a Matter,
        by_code: &BTreeMap<&'a str, &'a Matter>,
        memo: &mut BTreeMap<&'a str, u32>,
        depth: usize,
    ) -> u32 {
        if let Some(v) = memo.get(m.code.as_str()) {
            return *v;
        }
        let before = if depth > by_code.len() {
            0
        } else {
            m.depends_on
                .iter()
                .filter_map(|d| by_code.get(d.as_str()))
                .map(|d| finish(d, by_code, memo, depth + 1))
                .max()
                .unwrap_or(0)
        };
        let v = before + m.working_days;
        memo.insert(m.code.as_str(), v);
        v
    }
    matters
        .iter()
        .map(|m| finish(m, &by_code, &mut memo, 0))
        .max()
        .unwrap_or(0)
}

/// A problem of a filled-in form: the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

/// Checks the shared form against the template's fields: required ones present, each value of
/// its type (a date `YYYY-MM-DD`, a phone, an 18-digit ID number with its check digit, a number,
/// one of a choice's options), no field the template does not have.
pub fn check_form(t: &Template, form: &Map<String, Value>) -> Vec<FormError> {
    let mut out = Vec::new();
    let e = |field: &str, message: String| FormError {
        field: format!("form.{field}"),
        message,
    };
    for k in form.keys() {
        if !t.fields.iter().any(|f| &f.name == k) {
            out.push(e(k, "表单中没有此字段".into()));
        }
    }
    for f in &t.fields {
        let v = form.get(&f.name).filter(|v| !v.is_null());
        let text = match v {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) if f.kind == FieldType::Number => Some(n.to_string()),
            Some(_) => {
                out.push(e(&f.name, format!("「{}」应为文本", f.label)));
                continue;
            }
        };
        let Some(s) = text else {
            if f.required {
                out.push(e(&f.name, format!("「{}」为必填项", f.label)));
            }
            continue;
        };
        if s.chars().count() > 500 {
            out.push(e(&f.name, format!("「{}」不能超过 500 字", f.label)));
            continue;
        }
        let ok = match f.kind {
            FieldType::Text => true,
            FieldType::Date => s.parse::<Date>().is_ok(),
            FieldType::Phone => {
                let digits = s.chars().filter(char::is_ascii_digit).count();
                (7..=15).contains(&digits)
                    && s.chars()
                        .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ')
            }
            FieldType::IdCard => id_card_ok(&s),
            FieldType::Number => s.parse::<f64>().is_ok_and(f64::is_finite),
            FieldType::Choice => f.options.as_ref().is_some_and(|o| o.contains(&s)),
        };
        if !ok {
            let hint = match f.kind {
                FieldType::Date => "应为日期，如 2026-12-01".to_string(),
                FieldType::Phone => "电话号码格式不正确".to_string(),
                FieldType::IdCard => "身份证号码不正确（18 位，末位校验码）".to_string(),
                FieldType::Number => "应为数字".to_string(),
                FieldType::Choice => format!(
                    "可选：{}",
                    f.options.as_deref().unwrap_or_default().join("、")
                ),
                FieldType::Text => String::new(),
            };
            out.push(e(&f.name, format!("「{}」{hint}", f.label)));
        }
    }
    out
}

/// An 18-digit resident ID number (GB 11643) with its ISO 7064 MOD 11-2 check character.
pub fn id_card_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == check
}

/// The eligibility pre-check (预审): the reasons the application does not qualify, empty when it
/// does. `today` is the submission day.
pub fn eligibility(t: &Template, form: &Map<String, Value>, today: Date) -> Vec<String> {
    let text = |f: &str| -> Option<String> {
        match form.get(f) {
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    };
    t.eligibility
        .iter()
        .filter(|r| {
            let v = text(r.field());
            let ok = match r {
                Rule::MaxAgeDays { days, .. } => {
                    v.and_then(|s| s.parse::<Date>().ok()).is_some_and(|d| {
                        d <= today
                            && today
                                .since((jiff::Unit::Day, d))
                                .is_ok_and(|sp| i64::from(sp.get_days()) <= i64::from(*days))
                    })
                }
                Rule::Equals { value, .. } => v.is_some_and(|s| &s == value),
                Rule::MinNumber { value, .. } => v
                    .and_then(|s| s.parse::<f64>().ok())
                    .is_some_and(|n| n >= *value),
            };
            !ok
        })
        .map(|r| r.message().to_string())
        .collect()
}

/// What the given materials leave out: the required ones that stop acceptance, and those that
/// may follow later (容缺).
pub fn missing_materials<'a>(
    t: &'a Template,
    given: &BTreeSet<String>,
) -> (Vec<&'a Material>, Vec<&'a Material>) {
    let missing: Vec<&Material> = t
        .materials
        .iter()
        .filter(|m| m.required && !given.contains(&m.code))
        .collect();
    missing.into_iter().partition(|m| !m.deferrable)
}

/// A member task's state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not yet released: a matter it depends on is not approved.
    Waiting,
    /// Released to its department, not yet accepted.
    Pending,
    /// Accepted and being handled.
    Accepted,
    /// 补正: the department asked for a correction; the clock is paused.
    Correction,
    Approved,
    Refused,
    /// Cannot happen any more: a matter it depends on was refused.
    Cancelled,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Waiting => "waiting",
            TaskStatus::Pending => "pending",
            TaskStatus::Accepted => "accepted",
            TaskStatus::Correction => "correction",
            TaskStatus::Approved => "approved",
            TaskStatus::Refused => "refused",
            TaskStatus::Cancelled => "cancelled",
        }
    }
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Approved | TaskStatus::Refused | TaskStatus::Cancelled
        )
    }
}

/// What may be done to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    /// The department accepts (受理).
    Accept,
    /// The department asks for a correction (补正).
    RequestCorrection,
    /// The applicant (or the window for them) hands in the correction.
    Resubmit,
    Approve,
    Refuse,
}

impl TaskAction {
    pub fn parse(s: &str) -> Option<TaskAction> {
        Some(match s {
            "accept" => TaskAction::Accept,
            "request_correction" => TaskAction::RequestCorrection,
            "resubmit" => TaskAction::Resubmit,
            "approve" => TaskAction::Approve,
            "refuse" => TaskAction::Refuse,
            _ => return None,
        })
    }
    pub const ALL: [&'static str; 5] = [
        "accept",
        "request_correction",
        "resubmit",
        "approve",
        "refuse",
    ];
}

/// The state an action leads to, or None when it does not apply in this state.
pub fn next_status(s: TaskStatus, a: TaskAction) -> Option<TaskStatus> {
    use TaskAction as A;
    use TaskStatus as S;
    match (s, a) {
        (S::Pending, A::Accept) => Some(S::Accepted),
        (S::Pending | S::Accepted, A::RequestCorrection) => Some(S::Correction),
        (S::Correction, A::Resubmit) => Some(S::Accepted),
        (S::Accepted, A::Approve) => Some(S::Approved),
        (S::Pending | S::Accepted, A::Refuse) => Some(S::Refused),
        _ => None,
    }
}

/// The tasks to release now: waiting ones whose every dependency is approved. `tasks` is
/// (matter code, status, depends_on).
pub fn release(tasks: &[(String, TaskStatus, Vec<String>)]) -> Vec<String> {
    let approved: BTreeSet<&str> = tasks
        .iter()
        .filter(|t| t.1 == TaskStatus::Approved)
        .map(|t| t.0.as_str())
        .collect();
    tasks
        .iter()
        .filter(|t| t.1 == TaskStatus::Waiting && t.2.iter().all(|d| approved.contains(d.as_str())))
        .map(|t| t.0.clone())
        .collect()
}

/// The not-yet-final tasks that depend, directly or not, on `refused`.
pub fn cancel_dependents(
    tasks: &[(String, TaskStatus, Vec<String>)],
    refused: &str,
) -> Vec<String> {
    let mut gone: BTreeSet<String> = BTreeSet::from([refused.to_string()]);
    loop {
        let more: Vec<String> = tasks
            .iter()
            .filter(|t| !gone.contains(&t.0) && !t.1.is_final())
            .filter(|t| t.2.iter().any(|d| gone.contains(d)))
            .map(|t| t.0.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        gone.extend(more);
    }
    gone.remove(refused);
    gone.into_iter().collect()
}

/// The one status the applicant sees.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BundleStatus {
    /// Being handled.
    InProgress,
    /// A department waits for a correction from the applicant.
    Correction,
    /// Every matter approved: ready to hand over at once (统一出件).
    Completed,
    /// Finished with some matters refused (and those after them cancelled).
    PartlyCompleted,
    /// Finished with nothing approved.
    Refused,
}

impl BundleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleStatus::InProgress => "in_progress",
            BundleStatus::Correction => "correction",
            BundleStatus::Completed => "completed",
            BundleStatus::PartlyCompleted => "partly_completed",
            BundleStatus::Refused => "refused",
        }
    }
    pub fn is_final(self) -> bool {
        !matches!(self, BundleStatus::InProgress | BundleStatus::Correction)
    }
}

pub fn bundle_status(tasks: &[TaskStatus]) -> BundleStatus {
    if tasks.iter().any(|t| !t.is_final()) {
        if tasks.contains(&TaskStatus::Correction) {
            BundleStatus::Correction
        } else {
            BundleStatus::InProgress
        }
    } else if tasks.iter().all(|t| *t == TaskStatus::Approved) {
        BundleStatus::Completed
    } else if tasks.contains(&TaskStatus::Approved) {
        BundleStatus::PartlyCompleted
    } else {
        BundleStatus::Refused
    }
}

#[cfg(test)]
mod tests;
