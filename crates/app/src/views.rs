//! The JSON shapes of the API. Codes and Chinese labels side by side; instants as ISO 8601 in
//! Asia/Shanghai; the phone masked for roles that do not need it.

use crate::deadlines::format_instant;
use crate::org::{OrgTree, Unit};
use crate::scope::{Principal, can_see, check_act};
use domain::machine::actions_from;
use domain::{Action, Case, Event, Status, mask_phone};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReporterView {
    pub name: String,
    /// Masked as `138****1234` unless the role needs the number. Empty when none was given.
    pub phone: String,
    // Issue 19.12: a reporter without a phone (Open311) is followed up by email, or not at all.
    /// Masked like the phone (`a***@example.com`) unless the role sees the phone.
    pub email: Option<String>,
    /// How 回访 reaches the reporter: `phone`, `email`, or `none` (not reachable for 回访).
    pub contact: &'static str,
    pub contact_label: &'static str,
}

/// `a***@example.com`: enough for a colleague to recognise the address, not to write to it.
fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => {
            format!("{}***@{domain}", local.chars().next().unwrap_or('*'))
        }
        None => "***".into(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub address: String,
    pub region: String,
    pub region_name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuspensionView {
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionView {
    pub working_days: u32,
    pub reason: String,
    pub requested_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// The view shows the reporter's phone or email unmasked to staff: serving it is logged
    /// (see [`crate::audit`]). Not part of the answer.
    #[serde(skip)]
    pub reveals_personal: bool,
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub nature: &'static str,
    pub nature_label: &'static str,
    pub category: String,
    pub urgency: &'static str,
    pub urgency_label: &'static str,
    pub source: &'static str,
    pub source_label: &'static str,
    pub reporter: ReporterView,
    pub location: LocationView,
    pub reported_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// The hub that accepts and dispatches the case.
    pub hub: String,
    pub hub_name: String,
    /// Main handling unit (主办).
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    /// Co-units (协办).
    pub co_units: Vec<String>,
    pub co_unit_names: Vec<String>,
    pub sign_due: Option<String>,
    pub handle_due: Option<String>,
    pub follow_up_due: Option<String>,
    /// State of the clock that runs now: `normal`, `near` (临期) or `overdue` (超期); null when none runs.
    pub due_state: Option<&'static str>,
    /// The due date was computed for a year the calendar has no data for (Monday–Friday counted).
    pub due_provisional: bool,
    /// Set while the case is suspended (挂起) waiting on the citizen.
    pub suspended: Option<SuspensionView>,
    pub dispatched_at: Option<String>,
    pub signed_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub pending_extension: Option<ExtensionView>,
    pub extension_count: u32,
    pub return_count: u32,
    pub reopen_count: u32,
    pub urge_count: u32,
    pub supervised: bool,
    pub repeat_count: u32,
    pub merged_into: Option<Uuid>,
    pub reply: Option<String>,
    pub outcome: Option<&'static str>,
    pub outcome_label: Option<&'static str>,
    pub satisfaction: Option<&'static str>,
    pub satisfaction_label: Option<&'static str>,
    pub citizen_resolved: Option<bool>,
    /// How the last follow-up was done (回访方式).
    pub follow_up_method: Option<&'static str>,
    pub follow_up_method_label: Option<&'static str>,
    /// Follow-up attempts that did not reach the citizen since the last resolution.
    pub follow_up_attempts: u32,
    /// Closed as 无法回访 (no rating; counted apart from satisfaction).
    pub unreachable: bool,
    pub reject_reason: Option<String>,
    pub risk_level: String,
    /// What triage suggested at intake (staff only): category, unit, co-units, candidates.
    #[schema(value_type = Option<Object>)]
    pub triage: Option<domain::TriageNote>,
    /// The limits of the case's rules that its forms need (the longest extension, the
    /// follow-up attempts), so the UI states them instead of silently capping input.
    pub limits: Option<LimitsView>,
    /// The actions the caller may take now.
    pub allowed_actions: Vec<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LimitsView {
    /// Longest extension a handler may ask for, in working days.
    pub extension_max_days: u32,
    /// Extensions the case may still get.
    pub extensions_left: u32,
    /// Follow-up attempts before the case closes as 无法回访.
    pub follow_up_attempts: u32,
    /// The time limits the case runs under (what a 受理回执 promises):
    /// `{"unit": "working_days"|"working_minutes"|"minutes", "value": n}`.
    #[schema(value_type = Object)]
    pub sign: domain::policy::Limit,
    #[schema(value_type = Object)]
    pub handle: domain::policy::Limit,
    #[schema(value_type = Object)]
    pub follow_up: domain::policy::Limit,
}

/// The clock that runs in the case's status: (started, due).
pub fn active_clock(c: &Case) -> Option<(i64, i64)> {
    if c.suspension.is_some() {
        return None; // 挂起: the clock does not run
    }
    match c.status {
        Status::Dispatched => Some((c.dispatched_at?, c.sign_due?)),
        Status::InProgress => Some((c.handle_started_at.or(c.signed_at)?, c.handle_due?)),
        Status::Resolved => Some((c.resolved_at?, c.follow_up_due?)),
        _ => None,
    }
}

/// The state of the running clock given its (warn, due) instants.
pub fn due_state(clock: Option<(i64, i64)>, now: i64) -> Option<&'static str> {
    let (warn, due) = clock?;
    Some(if now > due {
        "overdue"
    } else if now >= warn {
        "near"
    } else {
        "normal"
    })
}

/// The actions `p` may take on `c` now (role, party and status all allow it).
pub fn allowed_actions(p: &Principal, tree: &OrgTree, c: &Case) -> Vec<&'static str> {
    actions_from(c.status)
        .into_iter()
        .filter(|a| match a {
            Action::RequestExtension => c.pending_extension.is_none() && c.suspension.is_none(),
            Action::DecideExtension => c.pending_extension.is_some(),
            Action::Suspend => c.suspension.is_none(),
            Action::Resume => c.suspension.is_some(),
            _ => true,
        })
        .filter(|a| check_act(p, tree, c, *a).is_ok())
        .map(|a| a.code())
        .collect()
}

/// `clock` is the running clock's (warn, due) instants; `provisional` marks a due date computed
/// without calendar data for its year.
pub fn case_view(
    c: &Case,
    p: &Principal,
    tree: &OrgTree,
    now: i64,
    clock: Option<(i64, i64)>,
    provisional: bool,
) -> CaseView {
    let full_phone =
        p.role.sees_full_phone() && p.is_staff() || (!p.is_staff() && c.created_by == Some(p.id));
    let opt = |v: Option<i64>| v.map(format_instant);
    CaseView {
        reveals_personal: full_phone
            && p.is_staff()
            && (!c.reporter.phone.trim().is_empty() || c.reporter.email.is_some()),
        id: c.id,
        number: c.number.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        status: c.status.code(),
        status_label: c.status.label_zh(),
        nature: c.nature.code(),
        nature_label: c.nature.label_zh(),
        category: c.category.clone(),
        urgency: c.urgency.code(),
        urgency_label: c.urgency.label_zh(),
        source: c.source.code(),
        source_label: c.source.label_zh(),
        reporter: ReporterView {
            name: c.reporter.name.clone(),
            phone: if full_phone {
                c.reporter.phone.clone()
            } else {
                mask_phone(&c.reporter.phone)
            },
            email: c.reporter.email.as_deref().map(|e| {
                if full_phone {
                    e.to_string()
                } else {
                    mask_email(e)
                }
            }),
            contact: c.reporter.contact().code(),
            contact_label: c.reporter.contact().label_zh(),
        },
        location: LocationView {
            address: c.location.address.clone(),
            region: c.location.region.clone(),
            region_name: tree
                .hub_for_region(&c.location.region)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            lat: c.location.lat,
            lon: c.location.lon,
        },
        reported_at: format_instant(c.reported_at),
        created_at: format_instant(c.created_at),
        updated_at: format_instant(c.updated_at),
        version: c.version,
        hub: c.hub.clone(),
        hub_name: tree.name(&c.hub),
        unit: c.unit.clone(),
        unit_name: c.unit.as_deref().map(|u| tree.name(u)),
        co_units: c.co_units.clone(),
        co_unit_names: c.co_units.iter().map(|u| tree.name(u)).collect(),
        sign_due: opt(c.sign_due),
        handle_due: opt(c.handle_due),
        follow_up_due: opt(c.follow_up_due),
        due_state: due_state(clock, now),
        due_provisional: provisional,
        suspended: c.suspension.as_ref().map(|s| SuspensionView {
            at: format_instant(s.at),
            reason: s.reason.clone(),
        }),
        dispatched_at: opt(c.dispatched_at),
        signed_at: opt(c.signed_at),
        resolved_at: opt(c.resolved_at),
        closed_at: opt(c.closed_at),
        pending_extension: c.pending_extension.as_ref().map(|e| ExtensionView {
            working_days: e.working_days,
            reason: e.reason.clone(),
            requested_at: format_instant(e.requested_at),
        }),
        extension_count: c.extension_count,
        return_count: c.return_count,
        reopen_count: c.reopen_count,
        urge_count: c.urge_count,
        supervised: c.supervised,
        repeat_count: c.repeat_count,
        merged_into: c.merged_into,
        reply: c.reply.clone(),
        outcome: c.outcome.map(|o| o.code()),
        outcome_label: c.outcome.map(|o| o.label_zh()),
        satisfaction: c.satisfaction.map(|s| s.code()),
        satisfaction_label: c.satisfaction.map(|s| s.label_zh()),
        citizen_resolved: c.citizen_resolved,
        follow_up_method: c.follow_up_method.map(|m| m.code()),
        follow_up_method_label: c.follow_up_method.map(|m| m.label_zh()),
        follow_up_attempts: c.follow_up_attempts,
        unreachable: c.unreachable,
        reject_reason: c.reject_reason.clone(),
        risk_level: c.risk_level.clone(),
        triage: if p.is_staff() { c.triage.clone() } else { None },
        limits: None,
        allowed_actions: if can_see(p, tree, c) {
            allowed_actions(p, tree, c)
        } else {
            vec![]
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub at: String,
    pub actor: Option<Uuid>,
    pub actor_name: String,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub action: String,
    pub action_label: String,
    pub opinion: Option<String>,
    pub data: Value,
}

pub fn event_view(e: &Event, tree: &OrgTree) -> EventView {
    let label = match e.action.as_str() {
        domain::EVENT_REGISTER => "登记".to_string(),
        domain::EVENT_MERGED_IN => "重复诉求并入".to_string(),
        domain::EVENT_NEAR_DUE => "临期预警".to_string(),
        domain::EVENT_OVERDUE => "超期".to_string(),
        other => {
            Action::parse(other).map_or_else(|| other.to_string(), |a| a.label_zh().to_string())
        }
    };
    EventView {
        id: e.id,
        at: format_instant(e.at),
        actor: e.actor,
        actor_name: e.actor_name.clone(),
        unit: e.unit.clone(),
        unit_name: e.unit.as_deref().map(|u| tree.name(u)),
        action: e.action.clone(),
        action_label: label,
        opinion: e.opinion.clone(),
        data: e.data.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub level_label: &'static str,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub parent: Option<String>,
    pub region: String,
    /// Out of service (停用): kept for history, not offered for new work.
    pub disabled: bool,
}

pub fn unit_view(u: &Unit) -> UnitView {
    UnitView {
        code: u.code.clone(),
        name: u.name.clone(),
        level: u.level.code(),
        level_label: u.level.label_zh(),
        kind: u.kind.code(),
        kind_label: u.kind.label_zh(),
        parent: u.parent.clone(),
        region: u.region.clone(),
        disabled: u.disabled,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Matches, counted up to [`crate::cases::LIST_COUNT_CAP`]; `total_capped` says there are more.
    pub total: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_capped: bool,
    pub page: u64,
    pub page_size: u32,
}
