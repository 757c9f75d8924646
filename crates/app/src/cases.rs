//! Case use cases: intake (一窗受理), reading with data scope, lists and search, and transitions.

use crate::audit::AuditAction;
use crate::case_fields::{self, Channel};
use crate::deadlines::{date_of, start_of_day};
use crate::error::AppError;
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::{CaseQuery, CaseWrite, DueFilter, SortKey};
use crate::rules::TimeRules;
use crate::scope::{Principal, PrincipalKind, can_see, check_act, read_scope};
use crate::views::{CaseView, EventView, Page, active_clock, case_view, event_view};
use crate::{App, search};
use domain::machine::{Actor, Args, Command, FollowUpResult, apply};
use domain::{
    Action, Case, EVENT_MERGED_IN, EVENT_REGISTER, Event, FollowUpMethod, Location, Nature,
    Outcome, Reporter, Satisfaction, Source, Status, Urgency,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5000;
pub const MAX_PAGE_SIZE: u32 = 100;
/// The last page a list may ask for (a larger one was a 500: its offset overflowed).
pub const MAX_PAGE: u64 = 100_000;

/// A parsed intake request.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub title: Option<String>,
    pub description: String,
    pub nature: Nature,
    pub category: Option<String>,
    pub urgency: Option<Urgency>,
    pub source: Option<Source>,
    pub reporter: Reporter,
    pub location: Location,
    pub reported_at: Option<i64>,
}

pub const MAX_EMAIL: usize = 254;

/// An address the follow-up can write to: one `@` with text on both sides, no spaces or markup.
pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && e.chars().count() <= MAX_EMAIL
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','))
}

pub(crate) fn valid_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && p.chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ')
}

/// The urgency to suggest for a classified text, and the risk signals behind it when the text is
/// high-risk: such a text is at least urgent whatever its words of urgency say, and the form says
/// why (and fills the urgency in even when it is unsure of the category).
pub fn suggested_urgency(s: &triage::Suggestion) -> (&'static str, Option<Vec<&'static str>>) {
    match (s.risk.level, s.urgency) {
        ("high", "normal") => ("urgent", Some(s.risk.signals.clone())),
        ("high", u) => (u, Some(s.risk.signals.clone())),
        (_, u) => (u, None),
    }
}

/// How a phone typed into a search is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneSearch {
    /// Seven digits or more: the whole number (digits only, see `domain::phone_key`).
    Whole(String),
    /// Four to six digits: the end of the number (尾号).
    Tail(String),
}

/// Whether a search text is a phone number: only digits, `+`, `-` and spaces, with 4 to 20
/// digits (a case number `2026-000123` is recognised before this).
pub fn phone_search(text: &str) -> Option<PhoneSearch> {
    let t = text.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
    {
        return None;
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    match digits {
        4..=6 => Some(PhoneSearch::Tail(domain::phone_key(t))),
        7..=20 => Some(PhoneSearch::Whole(domain::phone_key(t))),
        _ => None,
    }
}

/// Lists count their matches up to this many: beyond it the workbench says "2,000+" (no one
/// pages through more; they narrow the filter), and a broad filter over ten million cases stays
/// as fast as a narrow one.
/// Counting is most of a queue page's cost: 2.3 ms for 10,000 index entries, 0.15 ms for 2,000
/// (1M cases, SQLite); the queue tabs' own counts (`/queues`) stay exact.
pub const LIST_COUNT_CAP: u64 = 2_000;
/// The same for full-text searches ("1,000+": refine the words).
pub const SEARCH_COUNT_CAP: u64 = 1_000;

/// Parses an instant given as RFC 3339 (`2026-11-26T09:30:00+08:00`) or a civil date
/// (`2026-11-26`, taken as the start of that day in Shanghai).
pub fn parse_instant(s: &str) -> Option<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    s.parse::<jiff::civil::Date>().ok().map(start_of_day)
}

impl NewCase {
    pub fn from_json(v: &Value) -> Result<NewCase, AppError> {
        let f = Fields::of(v, "")?;
        let description = f.req_str("description", MAX_DESCRIPTION)?;
        let title = f.opt_str("title", MAX_TITLE)?;
        let nature = f.req_enum("nature", Nature::parse, Nature::codes)?;
        let category = f.opt_str("category", crate::references::MAX_REFERENCE)?;
        let urgency = f.opt_enum("urgency", Urgency::parse, Urgency::codes)?;
        let source = f.opt_enum("source", Source::parse, Source::codes)?;
        let r = f
            .object("reporter", "reporter.")?
            .ok_or_else(|| AppError::field("reporter", "必填", "is required"))?;
        // Whether the phone is required depends on the channel (see `case_fields`).
        let reporter = Reporter {
            name: r.req_str("name", 50)?,
            phone: r.opt_str("phone", 30)?.unwrap_or_default(),
            email: r.opt_str("email", MAX_EMAIL)?,
        };
        if !reporter.phone.is_empty() && !valid_phone(&reporter.phone) {
            return Err(AppError::field(
                "reporter.phone",
                "电话号码格式不正确",
                "is not a valid phone number",
            ));
        }
        if reporter.email.as_deref().is_some_and(|e| !valid_email(e)) {
            return Err(AppError::field(
                "reporter.email",
                "电子邮箱格式不正确",
                "is not a valid email address",
            ));
        }
        let l = f
            .object("location", "location.")?
            .ok_or_else(|| AppError::field("location", "必填", "is required"))?;
        let lat = l.opt_f64("lat")?;
        let lon = l.opt_f64("lon")?;
        if lat.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            return Err(AppError::field(
                "location.lat",
                "纬度须在 -90 到 90 之间",
                "must be between -90 and 90",
            ));
        }
        if lon.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
            return Err(AppError::field(
                "location.lon",
                "经度须在 -180 到 180 之间",
                "must be between -180 and 180",
            ));
        }
        let location = Location {
            address: l.req_str("address", 200)?,
            region: l.req_str("region", 20)?,
            lat,
            lon,
        };
        let reported_at = match f.opt_str("reported_at", 40)? {
            None => None,
            Some(s) => Some(parse_instant(&s).ok_or_else(|| {
                AppError::field(
                    "reported_at",
                    format!("「{s}」不是有效的时间，请用 2026-11-26T09:30:00+08:00 或 2026-11-26"),
                    format!(
                        "'{s}' is not a valid instant; use 2026-11-26T09:30:00+08:00 or 2026-11-26"
                    ),
                )
            })?),
        };
        Ok(NewCase {
            title,
            description,
            nature,
            category,
            urgency,
            source,
            reporter,
            location,
            reported_at,
        })
    }
}

/// Derives a short title from the description when the caller gave none.
fn title_from(description: &str) -> String {
    let first = description
        .split(['。', '！', '？', '\n', '，'])
        .next()
        .unwrap_or(description);
    let t: String = first.chars().take(30).collect();
    if t.is_empty() {
        description.chars().take(30).collect()
    } else {
        t
    }
}

fn actor_of(p: &Principal) -> Actor {
    Actor {
        id: Some(p.id),
        name: p.name.clone(),
        unit: p.unit.clone(),
    }
}

impl App {
    /// The columns derived for queues and search, next to the case row.
    /// The running clock's (warn, due) instants under the current rules.
    pub fn clock_instants(&self, rules: &TimeRules, case: &Case) -> Option<(i64, i64)> {
        let (start, due) = active_clock(case)?;
        let limit = rules.active_limit(case)?;
        let share = rules.clocks(case).near_due_share;
        let warn = rules
            .deadlines_for(&case.location.region)
            .warn_at(start, due, limit, share);
        Some((warn, due))
    }

    /// The row to write for a case, with the columns derived for queues, search and the sweeper.
    pub fn write_of(
        &self,
        rules: &TimeRules,
        case: Case,
        previous: Option<&Case>,
        events: Vec<Event>,
        reindex: bool,
    ) -> CaseWrite {
        let clock = self.clock_instants(rules, &case);
        let search_tokens = reindex.then(|| search::case_tokens(&self.triage, &case));
        CaseWrite {
            tallies: domain::tally::delta(previous, Some(&case)),
            due_at: clock.map(|(_, due)| due),
            warn_at: clock.map(|(warn, _)| warn),
            next_alert_at: clock.map(|(warn, _)| warn),
            case,
            expected_version: previous.map(|p| p.version),
            events,
            search_tokens,
            metrics: crate::ports::MetricsWrite::default(),
            notifications: vec![],
        }
    }

    /// What a principal sees of a case, with its deadlines under `rules` (the caller loads them
    /// once per request: a page of views shares them).
    pub fn view(&self, rules: &TimeRules, c: &Case, p: &Principal, tree: &OrgTree) -> CaseView {
        let clock = self.clock_instants(rules, c);
        let provisional =
            clock.is_some_and(|(_, due)| rules.deadlines_for(&c.location.region).provisional(due));
        let mut v = case_view(c, p, tree, self.now(), clock, provisional);
        if p.is_staff() {
            let clocks = rules.clocks(c);
            v.limits = Some(crate::views::LimitsView {
                extension_max_days: clocks.extension_max_days,
                extensions_left: clocks.extension_times.saturating_sub(c.extension_count),
                follow_up_attempts: clocks.follow_up_attempts,
                sign: clocks.sign,
                handle: clocks.handle,
                follow_up: clocks.follow_up,
            });
        }
        v
    }

    /// 一窗受理: registers a case. Triage fills the category when the caller gave none and
    /// records the risk level. The caller's channel (staff, citizen account, API key) decides
    /// which fields it may set (see [`crate::case_fields`]).
    pub async fn create_case(&self, p: &Principal, body: &Value) -> Result<CaseView, AppError> {
        let channel = case_fields::api_channel(p).ok_or_else(|| {
            AppError::forbidden(
                format!("角色「{}」不能登记工单", p.role.label_zh()),
                format!("role {} may not register cases", p.role),
            )
        })?;
        if channel == case_fields::Channel::CitizenAccount {
            // A citizen's account submits under the portal's limits (issue 19.4): per account as
            // per phone, and per client address.
            let l = &self.settings.limits;
            let addr = p.client.as_deref().and_then(|a| a.parse().ok());
            let buckets = [
                crate::throttle::Bucket::new(
                    "portal.submit.addr",
                    &crate::throttle::address_key(addr),
                    l.portal_submit_per_address,
                ),
                crate::throttle::Bucket::new(
                    "citizen.submit.account",
                    &p.id.to_string(),
                    l.portal_submit_per_phone,
                ),
            ];
            self.ration(&buckets, crate::throttle::Refusal::Portal)
                .await?;
        }
        self.register_case(p, channel, body).await
    }

    /// Registers a case that came in on `channel` (the portal and Open311 call this with their
    /// own channel). Checks, in order: the caller may use the channel (403), the body is well
    /// formed (422), the caller may set the fields it gave (403 naming the field), the category
    /// and region exist (422 naming the field).
    pub(crate) async fn register_case(
        &self,
        p: &Principal,
        channel: Channel,
        body: &Value,
    ) -> Result<CaseView, AppError> {
        let rights = case_fields::rights(channel);
        rights.check_caller(p)?;
        let new = NewCase::from_json(body)?;
        rights.check_body(p, body)?;
        let source = rights.source(p, new.source)?;
        if rights.phone_required && new.reporter.phone.is_empty() {
            return Err(AppError::field("reporter.phone", "必填", "is required"));
        }
        let refs = self.references().await?;
        if let Some(c) = &new.category {
            refs.category(c).map_err(|u| u.at("category"))?;
        }
        refs.region(&new.location.region)
            .map_err(|u| u.at("location.region"))?;
        let tree = self.org.tree().await?;
        let now = self.now();
        let reported_at = new.reported_at.unwrap_or(now);
        if reported_at > now + 5 * 60_000 {
            return Err(AppError::field(
                "reported_at",
                "不能晚于当前时间",
                "must not be in the future",
            ));
        }
        if reported_at < 946_684_800_000 {
            return Err(AppError::field(
                "reported_at",
                "不能早于 2000 年",
                "must not be before 2000",
            ));
        }
        let classifier = self.classifier();
        let suggestion = classifier.classify(&format!(
            "{} {}",
            new.title.as_deref().unwrap_or_default(),
            new.description
        ));
        let model_version = classifier.model_version().to_string();
        let category = new.category.unwrap_or_else(|| suggestion.category.clone());
        // Staff at a hub register for their hub; everything else is accepted by the district hub.
        let hub = p
            .unit
            .as_deref()
            .and_then(|u| tree.get(u))
            .filter(|u| u.kind == domain::UnitKind::Hub)
            .or_else(|| tree.district_hub())
            .map(|u| u.code.clone())
            .ok_or_else(|| AppError::internal("the org tree has no district hub"))?;
        let id = Uuid::now_v7();
        let case = Case::registered(
            domain::Intake {
                id,
                title: new.title.unwrap_or_else(|| title_from(&new.description)),
                description: new.description,
                nature: new.nature,
                category,
                urgency: new.urgency.unwrap_or(Urgency::Normal),
                source,
                reporter: new.reporter,
                location: new.location,
                reported_at,
                hub,
                created_by: (p.kind != PrincipalKind::Portal).then_some(p.id),
                risk_level: suggestion.risk.level.to_string(),
            },
            now,
        );
        let event = Event {
            id: Uuid::now_v7(),
            case_id: id,
            at: now,
            actor: Some(p.id),
            actor_name: p.name.clone(),
            unit: p.unit.clone(),
            action: EVENT_REGISTER.into(),
            opinion: None,
            data: json!({
                "source": case.source.code(),
                "triage": { "category": suggestion.category, "department": suggestion.department, "confidence": suggestion.confidence, "risk": suggestion.risk.level, "signals": suggestion.risk.signals, "model": model_version },
            }),
        };
        let year = i32::from(date_of(now).year());
        let rules = self.rules().await?;
        let mut case = case;
        case.triage = Some(self.triage_note(&suggestion, &case.location.region).await?);
        let mut events = vec![event];
        // A case the classifier is sure about is stored accepted and dispatched, in the same
        // write as its registration (see `auto_dispatched`).
        let case = match self
            .auto_dispatched(&rules, &case, p, suggestion.confidence)
            .await?
        {
            Some((dispatched, steps)) => {
                events.extend(steps);
                dispatched
            }
            None => case,
        };
        let metrics = self.metrics_of_new(&events).await?;
        // The unit a case was dispatched to at intake hears of it like any dispatch.
        let notices = match events.iter().find(|e| e.action == Action::Dispatch.code()) {
            Some(dispatch) => {
                let users = self.users_cached().await?;
                let routing = Actor {
                    id: None,
                    name: dispatch.actor_name.clone(),
                    unit: None,
                };
                crate::notify::transition_notices(
                    &case, &case, dispatch, &routing, &users, &tree, now,
                )
            }
            None => vec![],
        };
        let mut write = self.write_of(&rules, case, None, events, true);
        write.metrics = metrics;
        write.notifications = notices;
        let stored = self.store.insert_case(write, year).await?;
        if stored.risk_level == "high" {
            self.alert_high_risk(&stored, &suggestion.risk.signals)
                .await?;
        }
        Ok(self.view(&rules, &stored, p, &tree))
    }

    /// A case the principal may see; 404 otherwise (existence is not revealed).
    pub async fn visible_case(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<(Case, std::sync::Arc<OrgTree>), AppError> {
        let tree = self.org.tree().await?;
        match self.store.get_case(id).await? {
            Some(c) if can_see(p, &tree, &c) => Ok((c, tree)),
            _ => Err(AppError::not_found("工单", "case")),
        }
    }

    pub async fn get_case(&self, p: &Principal, id: Uuid) -> Result<CaseView, AppError> {
        let (c, tree) = self.visible_case(p, id).await?;
        let rules = self.rules().await?;
        let v = self.view(&rules, &c, p, &tree);
        self.audit_views(p, AuditAction::ViewCase, String::new(), &[&v])
            .await?;
        Ok(v)
    }

    pub async fn case_events(&self, p: &Principal, id: Uuid) -> Result<Vec<EventView>, AppError> {
        let (_, tree) = self.visible_case(p, id).await?;
        let events = self.store.events(id).await?;
        Ok(events.iter().map(|e| event_view(e, &tree)).collect())
    }

    /// Parses list filters from query parameters; every bad value is a 422 naming the parameter.
    pub fn parse_case_query(
        &self,
        params: &HashMap<String, String>,
    ) -> Result<CaseQuery, AppError> {
        fn list<T>(
            params: &HashMap<String, String>,
            key: &str,
            parse: fn(&str) -> Option<T>,
            codes: fn() -> String,
        ) -> Result<Vec<T>, AppError> {
            let Some(raw) = params.get(key).filter(|s| !s.trim().is_empty()) else {
                return Ok(vec![]);
            };
            raw.split(',')
                .map(|s| {
                    parse(s).ok_or_else(|| {
                        AppError::field(
                            key,
                            format!("「{s}」无效，可选：{}", codes()),
                            format!("'{s}' is not valid; use one of {}", codes()),
                        )
                    })
                })
                .collect()
        }
        let get = |k: &str| {
            params
                .get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let instant = |k: &str, end: bool| -> Result<Option<i64>, AppError> {
            match get(k) {
                None => Ok(None),
                Some(s) => {
                    let is_date = s.len() == 10;
                    let v = parse_instant(&s).ok_or_else(|| {
                        AppError::field(
                            k,
                            format!("「{s}」不是有效日期（YYYY-MM-DD）"),
                            format!("'{s}' is not a valid date (YYYY-MM-DD)"),
                        )
                    })?;
                    // A date as the upper bound means "through the end of that day".
                    Ok(Some(if end && is_date {
                        v + 86_400_000 - 1
                    } else {
                        v
                    }))
                }
            }
        };
        // A filter on a category, region or unit nobody uses matches nothing; only its form is checked.
        for k in ["unit", "category", "region"] {
            if let Some(v) = get(k) {
                crate::references::filter_value(k, &v)?;
            }
        }
        let mut q = CaseQuery {
            status: list(params, "status", Status::parse, Status::codes)?,
            nature: list(params, "nature", Nature::parse, Nature::codes)?,
            urgency: list(params, "urgency", Urgency::parse, Urgency::codes)?,
            source: list(params, "source", Source::parse, Source::codes)?,
            unit: get("unit"),
            category: get("category"),
            region: get("region"),
            reported_from: instant("from", false)?,
            reported_to: instant("to", true)?,
            number: get("number"),
            now: self.now(),
            ..CaseQuery::default()
        };
        if let Some(phone) = get("phone") {
            match phone_search(&phone) {
                Some(PhoneSearch::Whole(p)) => q.reporter_phone = Some(p),
                Some(PhoneSearch::Tail(t)) => q.reporter_phone_tail = Some(t),
                None => {
                    return Err(AppError::field(
                        "phone",
                        "电话须为完整号码或至少后 4 位数字",
                        "give the whole number or at least its last 4 digits",
                    ));
                }
            }
        }
        q.pending = match get("pending").as_deref() {
            None => None,
            Some("extension") => Some("extension".into()),
            Some(o) => {
                return Err(AppError::field(
                    "pending",
                    format!("「{o}」无效，可选：extension"),
                    format!("'{o}' is not valid; use extension"),
                ));
            }
        };
        q.due = match get("due").as_deref() {
            None => None,
            Some("near") => Some(DueFilter::Near),
            Some("overdue") => Some(DueFilter::Overdue),
            Some(o) => {
                return Err(AppError::field(
                    "due",
                    format!("「{o}」无效，可选：near, overdue"),
                    format!("'{o}' is not valid; use near or overdue"),
                ));
            }
        };
        q.supervised = match get("supervised").as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Err(AppError::field(
                    "supervised",
                    "应为 true 或 false",
                    "must be true or false",
                ));
            }
        };
        q.sort = match get("sort").as_deref() {
            None | Some("-reported_at") => SortKey::ReportedDesc,
            Some("reported_at") => SortKey::ReportedAsc,
            Some("due") => SortKey::DueAsc,
            Some("-number") => SortKey::NumberDesc,
            Some(o) => {
                return Err(AppError::field(
                    "sort",
                    format!("「{o}」无效，可选：-reported_at, reported_at, due, -number"),
                    format!("'{o}' is not valid; use -reported_at, reported_at, due or -number"),
                ));
            }
        };
        // Issue 19: bounded, so that the offset stays a number the databases take.
        let num = |k: &str, default: u64, max: u64| {
            crate::input::count_param(k, get(k).as_deref(), default, max)
        };
        let page = num("page", 1, MAX_PAGE)?;
        let size = num("page_size", 20, u64::from(MAX_PAGE_SIZE))?;
        q.limit = u32::try_from(size).unwrap_or(MAX_PAGE_SIZE);
        q.offset = (page - 1).saturating_mul(size);
        if let Some(text) = get("q") {
            if text.chars().count() > 100 {
                return Err(AppError::field(
                    "q",
                    "检索词不能超过 100 个字",
                    "must be at most 100 characters",
                ));
            }
            // A case number typed into the search box finds that case.
            let is_number = text.len() == 11
                && text.as_bytes()[4] == b'-'
                && text
                    .chars()
                    .enumerate()
                    .all(|(i, c)| if i == 4 { c == '-' } else { c.is_ascii_digit() });
            if is_number {
                q.number = Some(text);
            } else if let Some(phone) = phone_search(&text) {
                // A clerk's first move on a call: the caller's number, whole or its last digits.
                match phone {
                    PhoneSearch::Whole(p) => q.reporter_phone = Some(p),
                    PhoneSearch::Tail(t) => q.reporter_phone_tail = Some(t),
                }
            } else {
                match search::query_tokens(&self.triage, &text) {
                    Some(t) => q.text = t,
                    None => q.text_like = Some(text),
                }
            }
        }
        Ok(q)
    }

    pub async fn list_cases(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Page<CaseView>, AppError> {
        let mut q = self.parse_case_query(params)?;
        let tree = self.org.tree().await?;
        let rules = self.rules().await?;
        q.scope = Some(read_scope(p, &tree));
        // A word common over years matches tens of thousands of cases: a search counts fewer.
        let cap = if q.text.is_empty() {
            LIST_COUNT_CAP
        } else {
            SEARCH_COUNT_CAP
        };
        q.count_limit = Some(cap);
        let (cases, total) = self.store.list_cases(&q).await?;
        let items: Vec<CaseView> = cases
            .iter()
            .map(|c| self.view(&rules, c, p, &tree))
            .collect();
        self.audit_views(
            p,
            AuditAction::ListCases,
            crate::audit::filter_detail(params),
            &items.iter().collect::<Vec<_>>(),
        )
        .await?;
        Ok(Page {
            items,
            total: total.min(cap),
            total_capped: total > cap,
            page: q.offset / u64::from(q.limit.max(1)) + 1,
            page_size: q.limit,
        })
    }

    /// Takes one transition. Order of checks: the body's version, the case is visible (404), the
    /// version is current (409 — before anything else about the request), role and unit (403),
    /// status (422 with the allowed actions), then the action's arguments (422 naming the field).
    pub async fn transition(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<CaseView, AppError> {
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        let (case, tree) = self.visible_case(p, id).await?;
        if case.version != version {
            return Err(AppError::stale_case(
                case.version,
                &case.number,
                case.id,
                case.version,
                false,
            ));
        }
        let action = f.req_enum("action", Action::parse, Action::codes)?;
        check_act(p, &tree, &case, action)?;
        if !domain::machine::allowed(case.status, action) {
            return Err(domain::DomainError::TransitionNotAllowed {
                action,
                status: case.status,
                allowed: domain::machine::actions_from(case.status),
            }
            .into());
        }
        let opinion = f.opt_str("opinion", domain::machine::MAX_TEXT)?;
        let args = self.parse_args(&f, action, &case, p, &tree).await?;
        if action == Action::Resolve {
            self.check_evidence(&case).await?;
        }
        // Issue 23: a 直接办结 may name the knowledge article that answered the call.
        let article = if action == Action::Answer {
            self.answering_article(&f).await?
        } else {
            None
        };
        let merge_into = match &args {
            Args::Merge { into } => Some(*into),
            _ => None,
        };
        let cmd = Command {
            action,
            opinion,
            args,
        };
        let next = self.commit(&case, &cmd, &actor_of(p), merge_into).await?;
        if let Some(a) = article {
            self.record_article_use(a, case.id, p).await?;
        }
        let rules = self.rules().await?;
        Ok(self.view(&rules, &next, p, &tree))
    }

    /// Applies a command to a case read at its current version and saves the new row with its
    /// event in one transaction (and, for 并单, the main case's repeat count).
    pub(crate) async fn commit(
        &self,
        case: &Case,
        cmd: &Command,
        actor: &Actor,
        merge_into: Option<Uuid>,
    ) -> Result<Case, AppError> {
        let now = self.now();
        let rules = self.rules().await?;
        let clocks = rules.clocks(case);
        let (next, event) = apply(
            case,
            cmd,
            actor,
            now,
            &clocks,
            &rules.deadlines_for(&case.location.region),
        )?;
        let users = self.users_cached().await?;
        let tree = self.org.tree().await?;
        let notices =
            crate::notify::transition_notices(case, &next, &event, actor, &users, &tree, now);
        let mut first = self.write_of(&rules, next.clone(), Some(case), vec![event], false);
        first.metrics = self.metrics_of_append(case.id, &first.events).await?;
        first.notifications = notices;
        let mut writes = vec![first];
        // (id, number, version read) of the main case of a 并单, to say which case conflicted.
        let mut main_read = None;
        if let Some(main_id) = merge_into {
            // 并单: the main case counts a repeat; the duplicate keeps its reporter for follow-up.
            let mut main = self.store.get_case(main_id).await?.ok_or_else(|| {
                AppError::field("into", "主工单不存在", "the main case does not exist")
            })?;
            let before = main.clone();
            main_read = Some((main.id, main.number.clone(), main.version));
            main.repeat_count += 1;
            main.version += 1;
            main.updated_at = now;
            let ev = Event {
                id: Uuid::now_v7(),
                case_id: main.id,
                at: now,
                actor: actor.id,
                actor_name: actor.name.clone(),
                unit: actor.unit.clone(),
                action: EVENT_MERGED_IN.into(),
                opinion: None,
                data: json!({ "duplicate": case.id, "number": case.number, "repeat_count": main.repeat_count }),
            };
            writes.push(self.write_of(&rules, main, Some(&before), vec![ev], false));
        }
        if !self.store.save_cases(writes).await? {
            // Nothing was written. Which row had moved: the caller's case, or the main case?
            let current = self
                .store
                .get_case(case.id)
                .await?
                .map_or(case.version, |c| c.version);
            if current == case.version
                && let Some((main_id, number, read)) = main_read
            {
                let now_main = self
                    .store
                    .get_case(main_id)
                    .await?
                    .map_or(read, |m| m.version);
                return Err(AppError::stale_case(
                    current, &number, main_id, now_main, true,
                ));
            }
            return Err(AppError::stale_case(
                current,
                &case.number,
                case.id,
                current,
                false,
            ));
        }
        Ok(next)
    }

    async fn parse_args(
        &self,
        f: &Fields<'_>,
        action: Action,
        case: &Case,
        p: &Principal,
        tree: &OrgTree,
    ) -> Result<Args, AppError> {
        let known = |field: &'static str, code: &str| -> Result<(), AppError> {
            match tree.get(code) {
                Some(u) if u.disabled => Err(AppError::field(
                    field,
                    format!("单位「{}」已停用，不能派单或上报给它", u.name),
                    format!("unit {code} is disabled"),
                )),
                Some(_) => Ok(()),
                None => Err(AppError::field(
                    field,
                    format!("单位 {code} 不存在"),
                    format!("unknown unit {code}"),
                )),
            }
        };
        Ok(match action {
            Action::Reject | Action::Return => {
                Args::Reason(f.req_str("reason", domain::machine::MAX_TEXT)?)
            }
            Action::Dispatch => {
                let unit = f.req_str("unit", 64)?;
                known("unit", &unit)?;
                let co_units = f.str_list("co_units", 10)?;
                for c in &co_units {
                    known("co_units", c)?;
                }
                Args::Dispatch { unit, co_units }
            }
            Action::RequestExtension => {
                let days = f.req_i64("working_days")?;
                let working_days = u32::try_from(days).map_err(|_| {
                    AppError::field("working_days", "应为正整数", "must be a positive integer")
                })?;
                Args::RequestExtension {
                    working_days,
                    reason: f.req_str("reason", domain::machine::MAX_TEXT)?,
                }
            }
            Action::Suspend => Args::Suspend {
                reason: f.req_str("reason", domain::machine::MAX_TEXT)?,
            },
            Action::DecideExtension => Args::DecideExtension {
                approve: f.req_bool("approve")?,
            },
            Action::Resolve => Args::Reply {
                reply: f.req_str("reply", domain::machine::MAX_TEXT)?,
                outcome: f.req_enum("outcome", Outcome::parse, Outcome::codes)?,
            },
            Action::Answer => Args::Reply {
                reply: f.req_str("reply", domain::machine::MAX_TEXT)?,
                outcome: f
                    .opt_enum("outcome", Outcome::parse, Outcome::codes)?
                    .unwrap_or(Outcome::Resolved),
            },
            Action::FollowUp => {
                // `reached: false` records an attempt that did not reach the citizen (未联系上);
                // without it, a rating is required as before.
                let method = f
                    .opt_enum("method", FollowUpMethod::parse, FollowUpMethod::codes)?
                    .unwrap_or(FollowUpMethod::Phone);
                let reached = f.opt_bool("reached")?.unwrap_or(true);
                let result = if reached {
                    FollowUpResult::Reached {
                        satisfaction: f.req_enum(
                            "satisfaction",
                            Satisfaction::parse,
                            Satisfaction::codes,
                        )?,
                        resolved: f.req_bool("resolved")?,
                    }
                } else {
                    FollowUpResult::Unreachable
                };
                Args::FollowUp { method, result }
            }
            Action::Escalate => {
                let unit = f.req_str("unit", 64)?;
                known("unit", &unit)?;
                let higher_hub = tree
                    .get(&unit)
                    .is_some_and(|u| u.kind == domain::UnitKind::Hub)
                    && tree.ancestors(&case.hub).contains(&unit);
                if !higher_hub {
                    return Err(AppError::field(
                        "unit",
                        format!("须为当前受理中心（{}）的上级中心", tree.name(&case.hub)),
                        format!("must be a hub above the current hub {}", case.hub),
                    ));
                }
                Args::Escalate { unit }
            }
            Action::Merge => {
                let raw = f.req_str("into", 64)?;
                let into = Uuid::parse_str(&raw)
                    .map_err(|_| AppError::field("into", "应为工单 ID", "must be a case id"))?;
                let main = self
                    .store
                    .get_case(into)
                    .await?
                    .filter(|m| can_see(p, tree, m));
                match main {
                    None => {
                        return Err(AppError::field(
                            "into",
                            "主工单不存在或无权查看",
                            "the main case does not exist or is not visible to you",
                        ));
                    }
                    Some(m) if !m.status.is_open() => {
                        return Err(AppError::field(
                            "into",
                            format!("主工单状态为「{}」，不能并入", m.status.label_zh()),
                            format!("the main case is {}; cannot merge into it", m.status),
                        ));
                    }
                    Some(_) => {}
                }
                Args::Merge { into }
            }
            _ => Args::None,
        })
    }

    /// Triage suggestions for a text, with the routing catalogue's unit for the department.
    pub async fn triage(&self, body: &Value) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let text = f.req_str("text", MAX_DESCRIPTION)?;
        let region = f.opt_str("region", 20)?.unwrap_or_default();
        let classifier = self.classifier();
        let s = classifier.classify(&text);
        let note = self.triage_note(&s, &region).await?;
        let settings = self.intake_settings().await?;
        let (urgency, urgency_reason) = suggested_urgency(&s);
        Ok(json!({
            "category": note.category,
            "department": note.department,
            "unit": note.unit,
            "co_units": note.co_units,
            // Whether the form may fill the suggestion in; below the threshold it is only shown.
            "fill": s.confidence >= settings.fill_min_confidence,
            "fill_min_confidence": settings.fill_min_confidence,
            "nature": s.nature,
            "urgency": urgency,
            "urgency_reason": urgency_reason,
            // score: P(high); reasons: the phrases that weighed, in Chinese (issue 20)
            "risk": { "level": s.risk.level, "signals": s.risk.signals, "score": s.risk.score, "reasons": s.risk.reasons },
            "confidence": s.confidence,
            "candidates": note.candidates,
            "explanation": s.explanation,
            "model_version": classifier.model_version(),
        }))
    }

    /// A classification with the units that would handle it in `region`: the routing
    /// catalogue's unit for each category, failing that the department the model names. Kept on
    /// the case at intake (the dispatch desk reads it with the list).
    pub async fn triage_note(
        &self,
        s: &triage::Suggestion,
        region: &str,
    ) -> Result<domain::TriageNote, AppError> {
        let tree = self.org.tree().await?;
        let routes = self.catalogue_cached().await?;
        let unit_for = |category: &str, dept: &str| {
            crate::routing::route(&routes, &tree, category, region)
                .map(|r| r.unit)
                .or_else(|| {
                    tree.units
                        .iter()
                        .find(|u| u.name == dept)
                        .map(|u| u.code.clone())
                })
        };
        let co_units = crate::routing::route(&routes, &tree, &s.category, region)
            .map(|r| r.co_units)
            .unwrap_or_default();
        Ok(domain::TriageNote {
            category: s.category.clone(),
            department: s.department.clone(),
            unit: unit_for(&s.category, &s.department),
            co_units,
            confidence: s.confidence,
            candidates: s
                .candidates
                .iter()
                .map(|c| domain::TriageCandidate {
                    category: c.category.clone(),
                    department: c.department.clone(),
                    unit: unit_for(&c.category, &c.department),
                    score: c.score,
                })
                .collect(),
        })
    }
}

impl App {
    /// The row a new case would be written as under `rules` (for bulk tools and tests that build
    /// cases directly).
    pub fn write_of_new(&self, rules: &TimeRules, case: Case) -> CaseWrite {
        self.write_of(rules, case, None, vec![], true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggestion(level: &'static str, urgency: &'static str) -> triage::Suggestion {
        triage::Suggestion {
            category: "劳动社保/拖欠工资".into(),
            department: "人社局".into(),
            nature: "complaint",
            urgency,
            risk: triage::Risk {
                level,
                signals: vec!["self_harm", "gathering"],
                ..triage::Risk::default()
            },
            confidence: 0.9,
            candidates: vec![],
            explanation: vec![],
        }
    }

    #[test]
    fn high_risk_is_never_suggested_as_normal() {
        assert_eq!(
            suggested_urgency(&suggestion("high", "normal")),
            ("urgent", Some(vec!["self_harm", "gathering"]))
        );
        assert_eq!(
            suggested_urgency(&suggestion("high", "critical")),
            ("critical", Some(vec!["self_harm", "gathering"]))
        );
        assert_eq!(
            suggested_urgency(&suggestion("medium", "normal")),
            ("normal", None)
        );
    }

    #[test]
    fn phones_whole_or_by_their_last_digits() {
        assert_eq!(
            phone_search("0571-8877 6655"),
            Some(PhoneSearch::Whole("057188776655".into()))
        );
        assert_eq!(phone_search("6655"), Some(PhoneSearch::Tail("6655".into())));
        assert_eq!(phone_search("123"), None);
        assert_eq!(phone_search("占道 6655"), None);
        assert_eq!(phone_search(""), None);
    }
}
