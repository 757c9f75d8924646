//! Time rules as data: the time-limit policy (时限规则) and the working-day calendars, stored in the
//! database, cached here and reloaded after local changes or at most `ttl` after another replica's.
//!
//! Calendars: the built-in national calendar (2019–2026) is the base; years imported by admins
//! (each November/December the State Council publishes the next year) replace or extend it. A
//! region may keep its own calendar: `calendar_regions` maps a region prefix to a calendar name.

use crate::App;
use crate::deadlines::CalendarDeadlines;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::ports::Store;
use crate::references::References;
use crate::scope::Principal;
use calendar::{Calendar, YearData};
use domain::policy::{Clocks, Limit, Policy};
use domain::{Case, Role, Status};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The national calendar's name.
pub const NATIONAL: &str = "cn";
const POLICY_KEY: &str = "policy";

#[derive(Debug)]
pub struct TimeRules {
    pub policy: Policy,
    pub calendars: HashMap<String, Arc<Calendar>>,
    /// (region prefix, calendar name), longest prefix wins.
    pub regions: Vec<(String, String)>,
}

impl Default for TimeRules {
    fn default() -> Self {
        TimeRules {
            policy: Policy::default(),
            calendars: HashMap::from([(NATIONAL.to_string(), Arc::new(Calendar::china()))]),
            regions: vec![],
        }
    }
}

impl TimeRules {
    pub fn calendar_for(&self, region: &str) -> Arc<Calendar> {
        let name = self
            .regions
            .iter()
            .filter(|(p, _)| region.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map_or(NATIONAL, |(_, n)| n.as_str());
        self.calendars
            .get(name)
            .or_else(|| self.calendars.get(NATIONAL))
            .cloned()
            .unwrap_or_else(|| Arc::new(Calendar::china()))
    }

    pub fn deadlines_for(&self, region: &str) -> CalendarDeadlines {
        CalendarDeadlines::with(self.calendar_for(region), self.policy.working_hours.clone())
    }

    pub fn clocks(&self, c: &Case) -> Clocks {
        self.policy
            .clocks_for_case(c.nature, c.urgency, &c.category, &c.location.region)
    }

    /// The limit of the clock that runs in the case's status.
    pub fn active_limit(&self, c: &Case) -> Option<Limit> {
        let clocks = self.clocks(c);
        match c.status {
            Status::Dispatched => Some(clocks.sign),
            Status::InProgress => Some(clocks.handle),
            Status::Resolved => Some(clocks.follow_up),
            _ => None,
        }
    }
}

pub struct RulesCache {
    store: Arc<dyn Store>,
    inner: RwLock<Option<(Instant, Arc<TimeRules>)>>,
    ttl: Duration,
}

impl RulesCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        RulesCache {
            store,
            inner: RwLock::new(None),
            ttl: Duration::from_secs(30),
        }
    }

    /// The stored rules, read again once they are older than the time to live (so a change on
    /// another replica is seen within it). Every path that computes a deadline takes its rules
    /// from here, so none falls back to defaults before a first load.
    pub async fn get(&self) -> Result<Arc<TimeRules>, AppError> {
        if let Ok(g) = self.inner.read()
            && let Some((at, r)) = g.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(r.clone());
        }
        self.reload().await
    }

    pub async fn reload(&self) -> Result<Arc<TimeRules>, AppError> {
        let policy = match self.store.get_setting(POLICY_KEY).await? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| AppError::internal(format!("stored policy: {e}")))?,
            None => Policy::default(),
        };
        let mut calendars: HashMap<String, Calendar> = HashMap::new();
        for (name, _year, text) in self.store.calendar_years().await? {
            let data = YearData::parse(&text)
                .map_err(|e| AppError::internal(format!("stored calendar {name}: {e}")))?;
            calendars
                .entry(name)
                .or_insert_with(Calendar::china)
                .insert_year(data);
        }
        calendars
            .entry(NATIONAL.to_string())
            .or_insert_with(Calendar::china);
        let rules = Arc::new(TimeRules {
            policy,
            calendars: calendars
                .into_iter()
                .map(|(k, v)| (k, Arc::new(v)))
                .collect(),
            regions: self.store.calendar_regions().await?,
        });
        if let Ok(mut g) = self.inner.write() {
            *g = Some((Instant::now(), rules.clone()));
        }
        Ok(rules)
    }
}

fn require_admin(p: &Principal) -> Result<(), AppError> {
    if p.is_staff() && p.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "仅管理员可修改时限规则和日历",
            "only administrators may change time rules and calendars",
        ))
    }
}

/// An error about rule `i` (from 0): the field is `rules[i].…`, the message says which rule
/// (counted from 1, as the admin page shows them), and `details.rule` is the index.
fn rule_error(i: usize, field: &str, zh: String, en: String) -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "invalid_field",
        format!("第 {} 条规则：{zh}", i + 1),
        format!("rule {}: {en}", i + 1),
    )
    .with_field(format!("rules[{i}].{field}"))
    .with_details(json!({ "rule": i, "field": field }))
}

/// Checks a policy before it is stored: at least one catch-all rule, sane limits and hours, and
/// that every category and region a rule names exists (see [`crate::references`]). An error about
/// a rule names it and its field: `rules[3].category`.
pub fn validate_policy(p: &Policy, refs: &References) -> Result<(), AppError> {
    let bad = |zh: String, en: String| Err(AppError::field("policy", zh, en));
    if !p.rules.iter().any(|r| {
        r.nature.is_none() && r.urgency.is_none() && r.category.is_none() && r.region.is_none()
    }) {
        return bad(
            "须有一条不限性质、紧急程度、分类和区划的默认规则".into(),
            "needs a default rule with no nature, urgency, category or region".into(),
        );
    }
    for (i, r) in p.rules.iter().enumerate() {
        if let Some(category) = &r.category {
            refs.category_or_group(category)
                .map_err(|u| rule_error(i, "category", u.zh, u.en))?;
        }
        if let Some(region) = &r.region {
            refs.region(region)
                .map_err(|u| rule_error(i, "region", u.zh, u.en))?;
        }
        let c = &r.clocks;
        for (name, zh, l) in [
            ("sign", "签收", c.sign),
            ("handle", "办理", c.handle),
            ("follow_up", "回访", c.follow_up),
        ] {
            let zero = matches!(
                l,
                Limit::WorkingDays(0) | Limit::WorkingMinutes(0) | Limit::Minutes(0)
            );
            if zero {
                return Err(rule_error(
                    i,
                    &format!("clocks.{name}"),
                    format!("{zh}时限不能为 0"),
                    format!("{name} must not be zero"),
                ));
            }
        }
        if !(0.0..1.0).contains(&c.near_due_share) {
            return Err(rule_error(
                i,
                "clocks.near_due_share",
                "临期比例须在 0 到 1 之间".into(),
                "near_due_share must be in [0, 1)".into(),
            ));
        }
        if c.extension_max_days > 60 {
            return Err(rule_error(
                i,
                "clocks.extension_max_days",
                "延期上限不能超过 60 个工作日".into(),
                "extension_max_days must be at most 60".into(),
            ));
        }
    }
    let mut last_end = 0;
    for w in &p.working_hours {
        if w.start >= w.end || w.start < last_end || w.end > 24 * 60 {
            return bad(
                "工作时间段须按时间先后排列且不重叠".into(),
                "working hours must be ordered and must not overlap".into(),
            );
        }
        last_end = w.end;
    }
    if p.working_hours.is_empty() {
        return bad(
            "至少需要一个工作时间段".into(),
            "at least one working period is needed".into(),
        );
    }
    Ok(())
}

impl App {
    pub async fn rules(&self) -> Result<Arc<TimeRules>, AppError> {
        self.rules.get().await
    }

    pub async fn policy_json(&self) -> Result<Value, AppError> {
        serde_json::to_value(&self.rules().await?.policy).map_err(AppError::internal)
    }

    /// Replaces the policy (API and `onewindow policy import`). Existing due dates are kept; new
    /// clocks follow the new rules.
    pub async fn set_policy(&self, p: Option<&Principal>, body: &Value) -> Result<Value, AppError> {
        if let Some(p) = p {
            require_admin(p)?;
        }
        let policy: Policy = serde_json::from_value(body.clone()).map_err(|e| {
            AppError::new(
                ErrorKind::Unprocessable,
                "invalid_policy",
                format!("时限规则格式错误：{e}"),
                format!("invalid policy: {e}"),
            )
        })?;
        validate_policy(&policy, &self.references().await?)?;
        let text = serde_json::to_string_pretty(&policy).map_err(AppError::internal)?;
        self.store.put_setting(POLICY_KEY, &text).await?;
        self.rules.reload().await?;
        self.policy_json().await
    }

    /// Which calendars exist, which years each covers, and which regions use them.
    pub async fn calendars(&self) -> Result<Value, AppError> {
        let rules = self.rules().await?;
        let mut names: Vec<&String> = rules.calendars.keys().collect();
        names.sort();
        let this_year = crate::deadlines::date_of(self.now()).year();
        Ok(json!(names
            .iter()
            .map(|n| {
                let cal = &rules.calendars[*n];
                let years = cal.years();
                json!({
                    "name": n,
                    "years": years,
                    "regions": rules.regions.iter().filter(|(_, c)| c == *n).map(|(r, _)| r.clone()).collect::<Vec<_>>(),
                    "next_year_missing": !cal.covers(this_year + 1),
                    "missing_year": (!cal.covers(this_year + 1)).then_some(this_year + 1),
                    "warning": (!cal.covers(this_year + 1)).then(|| format!("日历尚未导入 {} 年的节假日安排，该年的期限将按周一至周五计算并标记为暂定", this_year + 1)),
                })
            })
            .collect::<Vec<_>>()))
    }

    /// Imports one year of a calendar in the data-file format of the `calendar` crate.
    pub async fn import_calendar_year(
        &self,
        p: Option<&Principal>,
        name: &str,
        text: &str,
    ) -> Result<Value, AppError> {
        if let Some(p) = p {
            require_admin(p)?;
        }
        let name = name.trim();
        if name.is_empty()
            || name.len() > 32
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppError::field(
                "name",
                "日历名称须为字母、数字、- 或 _",
                "calendar names use letters, digits, - and _",
            ));
        }
        let data = YearData::parse(text).map_err(|e| {
            AppError::field(
                "text",
                format!("第 {} 行：{}", e.line, e.message_zh),
                format!("line {}: {}", e.line, e.message),
            )
        })?;
        self.store
            .put_calendar_year(name, i32::from(data.year()), text, self.now())
            .await?;
        self.rules.reload().await?;
        Ok(
            json!({ "name": name, "year": data.year(), "holidays": data.holidays().len(), "workdays": data.workdays().len() }),
        )
    }

    /// Assigns a region (prefix) to a calendar.
    pub async fn set_calendar_region(
        &self,
        p: &Principal,
        body: &Value,
    ) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let region = f.req_str("region", 20)?;
        self.references()
            .await?
            .region(&region)
            .map_err(|u| u.at("region"))?;
        let name = f.req_str("calendar", 32)?;
        if !self.rules().await?.calendars.contains_key(&name) {
            return Err(AppError::field(
                "calendar",
                format!("日历 {name} 不存在，请先导入"),
                format!("unknown calendar {name}; import it first"),
            ));
        }
        self.store.put_calendar_region(&region, &name).await?;
        self.rules.reload().await?;
        Ok(json!({ "region": region, "calendar": name }))
    }
}
