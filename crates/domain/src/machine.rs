//! The case state machine.
//!
//! `allowed` says which action may be taken from which status, `may_act` which role may take it,
//! and `apply` folds one command into the case, returning the new case and its timeline event.
//! Organisation checks (does this unit exist, is that hub above this one, is the actor in scope)
//! need the org tree and belong to the use-case layer; everything else is decided here.

use crate::policy::{Clocks, Limit};
use crate::{
    Action, Case, DomainError, Event, FollowUpMethod, Outcome, PendingExtension, Remaining, Role,
    Satisfaction, Status, Suspension,
};
use serde_json::json;
use uuid::Uuid;

/// Longest free text accepted for a reason, reply or opinion.
pub const MAX_TEXT: usize = 2000;

/// The arguments of a transition, already parsed (parse, don't validate).
#[derive(Debug, Clone, PartialEq)]
pub enum Args {
    None,
    /// reject, return: 理由.
    Reason(String),
    Dispatch {
        unit: String,
        co_units: Vec<String>,
    },
    RequestExtension {
        working_days: u32,
        reason: String,
    },
    DecideExtension {
        approve: bool,
    },
    /// resolve, answer: the reply to the citizen.
    Reply {
        reply: String,
        outcome: Outcome,
    },
    FollowUp {
        method: FollowUpMethod,
        result: FollowUpResult,
    },
    Escalate {
        unit: String,
    },
    Merge {
        into: Uuid,
    },
    /// suspend: why the case waits on the citizen.
    Suspend {
        reason: String,
    },
}

/// What a follow-up attempt found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FollowUpResult {
    /// The citizen rated the handling and said whether the problem was solved.
    Reached {
        satisfaction: Satisfaction,
        resolved: bool,
    },
    /// 未联系上: nobody answered (counted; after the policy's attempts the case closes as 无法回访).
    Unreachable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub action: Action,
    pub opinion: Option<String>,
    pub args: Args,
}

/// Who acts: recorded on the event.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub name: String,
    pub unit: Option<String>,
}

/// Computes due instants; implemented by the use-case layer over the working-day calendar.
pub trait Deadlines {
    /// The instant a clock of `limit` started at `from` runs out.
    fn due(&self, from: i64, limit: Limit) -> i64;
    /// A due instant moved later by `working_days` (an approved extension).
    fn extend(&self, due: i64, working_days: u32) -> i64;
    /// The working time left at `now` on a clock of `limit` kind due at `due` (for 挂起).
    fn remaining(&self, now: i64, due: i64, limit: Limit) -> Remaining;
    /// The due instant of a clock resumed at `from` with `left` time remaining.
    fn resume(&self, from: i64, left: Remaining) -> i64;
}

/// The statuses an action may be taken from.
pub fn allowed_from(action: Action) -> &'static [Status] {
    use Status::*;
    const OPEN: &[Status] = &[Registered, Accepted, Dispatched, InProgress, Resolved];
    match action {
        Action::Accept => &[Registered],
        Action::Reject | Action::Answer | Action::Merge => &[Registered, Accepted],
        Action::Dispatch => &[Accepted],
        Action::Sign | Action::Return | Action::Recall => &[Dispatched],
        Action::RequestExtension
        | Action::DecideExtension
        | Action::Resolve
        | Action::Suspend
        | Action::Resume => &[InProgress],
        Action::FollowUp | Action::Close => &[Resolved],
        Action::Reopen => &[Resolved, Closed],
        Action::Supervise | Action::Urge => OPEN,
        Action::Escalate => &[Accepted, Dispatched, InProgress],
    }
}

pub fn allowed(status: Status, action: Action) -> bool {
    allowed_from(action).contains(&status)
}

/// Every action allowed from a status (whatever the role), for 422 messages and the UI.
pub fn actions_from(status: Status) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| allowed(status, *a))
        .collect()
}

/// The roles that may take an action (DESIGN.md, "who may act").
pub fn roles_for(action: Action) -> &'static [Role] {
    match action {
        Action::Accept | Action::Reject | Action::Answer | Action::FollowUp => {
            &[Role::Clerk, Role::Dispatcher]
        }
        Action::Dispatch
        | Action::Recall
        | Action::DecideExtension
        | Action::Merge
        | Action::Escalate
        | Action::Close
        | Action::Reopen => &[Role::Dispatcher],
        Action::Sign
        | Action::Return
        | Action::RequestExtension
        | Action::Resolve
        | Action::Suspend
        | Action::Resume => &[Role::Handler, Role::UnitLead],
        Action::Supervise | Action::Urge => &[Role::Supervisor],
    }
}

pub fn may_act(role: Role, action: Action) -> bool {
    roles_for(action).contains(&role)
}

/// Which party of the case an action belongs to: the hub that dispatches, the unit that handles,
/// or anyone who can see the case (supervision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Hub,
    Unit,
    Observer,
}

pub fn party_of(action: Action) -> Party {
    match action {
        Action::Sign
        | Action::Return
        | Action::RequestExtension
        | Action::Resolve
        | Action::Suspend
        | Action::Resume => Party::Unit,
        Action::Supervise | Action::Urge => Party::Observer,
        _ => Party::Hub,
    }
}

fn text(field: &'static str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::field(field, "不能为空", "must not be empty"));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(DomainError::field(
            field,
            format!("不能超过 {MAX_TEXT} 个字"),
            format!("must be at most {MAX_TEXT} characters"),
        ));
    }
    Ok(v.to_string())
}

fn mismatch(action: Action) -> DomainError {
    DomainError::field(
        "action",
        format!("{} 的参数不完整", action.label_zh()),
        format!("arguments do not match action {action}"),
    )
}

/// Sends a case back to work after an unsatisfied follow-up or a dispatcher's reopen: a new
/// handling clock at the same unit, or back to the dispatcher if nobody handled it (直接办结).
fn reopen(case: &mut Case, now: i64, clocks: &Clocks, dl: &dyn Deadlines) {
    case.reopen_count += 1;
    case.follow_up_attempts = 0;
    case.unreachable = false;
    case.resolved_at = None;
    case.closed_at = None;
    case.follow_up_due = None;
    case.outcome = None;
    case.pending_extension = None;
    case.suspension = None;
    if case.unit.is_some() {
        case.status = Status::InProgress;
        case.handle_started_at = Some(now);
        case.handle_due = Some(dl.due(now, clocks.handle));
    } else {
        case.status = Status::Accepted;
        case.handle_due = None;
    }
}

/// Applies one command. The caller has checked version, role and scope; this checks the status and
/// the arguments and returns the new case (version incremented) with its event.
pub fn apply(
    case: &Case,
    cmd: &Command,
    actor: &Actor,
    now: i64,
    clocks: &Clocks,
    dl: &dyn Deadlines,
) -> Result<(Case, Event), DomainError> {
    let action = cmd.action;
    if !allowed(case.status, action) {
        return Err(DomainError::TransitionNotAllowed {
            action,
            status: case.status,
            allowed: actions_from(case.status),
        });
    }
    let opinion = match cmd.opinion.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(o) => Some(text("opinion", o)?),
    };
    let mut c = case.clone();
    let mut data = json!({});
    match (action, &cmd.args) {
        (Action::Accept, _) => c.status = Status::Accepted,
        (Action::Reject, Args::Reason(r)) => {
            let r = text("reason", r)?;
            data = json!({ "reason": r });
            c.reject_reason = Some(r);
            c.status = Status::Rejected;
            c.closed_at = Some(now);
        }
        (Action::Answer, Args::Reply { reply, outcome }) => {
            let reply = text("reply", reply)?;
            data = json!({ "reply": reply, "outcome": outcome.code() });
            c.reply = Some(reply);
            c.outcome = Some(*outcome);
            c.status = Status::Resolved;
            c.resolved_at = Some(now);
            c.follow_up_due = Some(dl.due(now, clocks.follow_up));
        }
        (Action::Dispatch, Args::Dispatch { unit, co_units }) => {
            if co_units.iter().any(|u| u == unit) {
                return Err(DomainError::field(
                    "co_units",
                    "协办单位不能与主办单位相同",
                    "a co-unit cannot also be the main unit",
                ));
            }
            let mut co = co_units.clone();
            co.sort();
            co.dedup();
            data = json!({ "unit": unit, "co_units": co });
            c.unit = Some(unit.clone());
            c.co_units = co;
            c.status = Status::Dispatched;
            c.dispatched_at = Some(now);
            c.sign_due = Some(dl.due(now, clocks.sign));
            c.handle_due = None;
            c.signed_at = None;
        }
        (Action::Recall, _) => {
            // 撤回: the dispatcher takes a dispatch back before the unit has signed for it (a
            // wrong unit picked); the case waits for dispatch again and the unit's sign-for
            // clock is void.
            data = json!({ "unit": c.unit, "co_units": c.co_units });
            c.status = Status::Accepted;
            c.unit = None;
            c.co_units.clear();
            c.sign_due = None;
            c.dispatched_at = None;
        }
        (Action::Sign, _) => {
            c.status = Status::InProgress;
            c.signed_at = Some(now);
            c.handle_started_at = Some(now);
            c.handle_due = Some(dl.due(now, clocks.handle));
        }
        (Action::Return, Args::Reason(r)) => {
            // The return window is the sign-for window (DESIGN.md) unless the policy sets its own:
            // once it has passed, the unit must handle the case or ask the dispatcher.
            let window_end = match (clocks.return_window, c.dispatched_at) {
                (Some(limit), Some(at)) => Some(dl.due(at, limit)),
                _ => c.sign_due,
            };
            if window_end.is_some_and(|due| now > due) {
                return Err(DomainError::rule(
                    "return_window_passed",
                    "已超过签收时限，不能退单，请联系派单员改派",
                    "the sign-for window has passed; the case can no longer be returned",
                ));
            }
            let r = text("reason", r)?;
            data = json!({ "reason": r, "unit": c.unit });
            c.status = Status::Accepted;
            c.return_count += 1;
            c.unit = None;
            c.co_units.clear();
            c.sign_due = None;
            c.dispatched_at = None;
        }
        (
            Action::RequestExtension,
            Args::RequestExtension {
                working_days,
                reason,
            },
        ) => {
            if c.suspension.is_some() {
                return Err(DomainError::rule(
                    "suspended",
                    "工单已挂起，请先恢复办理",
                    "the case is suspended; resume it first",
                ));
            }
            if c.pending_extension.is_some() {
                return Err(DomainError::rule(
                    "extension_pending",
                    "已有待审批的延期申请",
                    "an extension request is already waiting for a decision",
                ));
            }
            if c.extension_count >= clocks.extension_times {
                return Err(DomainError::rule(
                    "extension_limit",
                    format!("延期次数已达上限（{} 次）", clocks.extension_times),
                    format!(
                        "the case has used its {} extension(s)",
                        clocks.extension_times
                    ),
                ));
            }
            if *working_days == 0 || *working_days > clocks.extension_max_days {
                return Err(DomainError::field(
                    "working_days",
                    format!(
                        "延期天数须在 1 到 {} 个工作日之间",
                        clocks.extension_max_days
                    ),
                    format!(
                        "must be between 1 and {} working days",
                        clocks.extension_max_days
                    ),
                ));
            }
            let reason = text("reason", reason)?;
            data = json!({ "working_days": working_days, "reason": reason });
            c.pending_extension = Some(PendingExtension {
                working_days: *working_days,
                reason,
                requested_at: now,
            });
        }
        (Action::DecideExtension, Args::DecideExtension { approve }) => {
            let Some(p) = c.pending_extension.take() else {
                return Err(DomainError::rule(
                    "no_extension_pending",
                    "没有待审批的延期申请",
                    "there is no extension request to decide",
                ));
            };
            data = json!({ "approve": approve, "working_days": p.working_days });
            if *approve {
                let base = c.handle_due.unwrap_or(now);
                let due = dl.extend(base, p.working_days);
                data["handle_due"] = json!(due);
                c.handle_due = Some(due);
                c.extension_count += 1;
            }
        }
        (Action::Resolve, Args::Reply { reply, outcome }) => {
            let reply = text("reply", reply)?;
            data = json!({ "reply": reply, "outcome": outcome.code() });
            c.reply = Some(reply);
            c.outcome = Some(*outcome);
            c.pending_extension = None;
            c.suspension = None;
            c.status = Status::Resolved;
            c.resolved_at = Some(now);
            c.follow_up_due = Some(dl.due(now, clocks.follow_up));
        }
        (Action::FollowUp, Args::FollowUp { method, result }) => {
            c.follow_up_method = Some(*method);
            match result {
                FollowUpResult::Reached {
                    satisfaction,
                    resolved,
                } => {
                    c.satisfaction = Some(*satisfaction);
                    c.citizen_resolved = Some(*resolved);
                    c.follow_up_attempts = 0;
                    let reopened = *satisfaction == Satisfaction::Unsatisfied;
                    data = json!({ "method": method.code(), "satisfaction": satisfaction.code(), "resolved": resolved, "reopened": reopened });
                    if reopened {
                        reopen(&mut c, now, clocks, dl);
                    } else {
                        c.status = Status::Closed;
                        c.closed_at = Some(now);
                    }
                }
                FollowUpResult::Unreachable => {
                    c.follow_up_attempts += 1;
                    let give_up = c.follow_up_attempts >= clocks.follow_up_attempts.max(1);
                    data = json!({ "method": method.code(), "reached": false, "attempt": c.follow_up_attempts, "unreachable": give_up });
                    if give_up {
                        c.unreachable = true;
                        c.status = Status::Closed;
                        c.closed_at = Some(now);
                    }
                }
            }
        }
        (Action::Reopen, _) => {
            c.satisfaction = None;
            c.citizen_resolved = None;
            reopen(&mut c, now, clocks, dl);
        }
        (Action::Supervise, _) => {
            c.supervised = true;
        }
        (Action::Urge, _) => {
            c.urge_count += 1;
            data = json!({ "count": c.urge_count });
        }
        (Action::Escalate, Args::Escalate { unit }) => {
            data = json!({ "from": c.hub, "to": unit, "unit": c.unit });
            c.hub = unit.clone();
            c.status = Status::Accepted;
            c.unit = None;
            c.co_units.clear();
            c.sign_due = None;
            c.handle_due = None;
            c.signed_at = None;
            c.dispatched_at = None;
            c.pending_extension = None;
        }
        (Action::Merge, Args::Merge { into }) => {
            if *into == c.id {
                return Err(DomainError::field(
                    "into",
                    "不能并入自身",
                    "a case cannot be merged into itself",
                ));
            }
            data = json!({ "into": into });
            c.merged_into = Some(*into);
            c.status = Status::Merged;
            c.closed_at = Some(now);
        }
        (Action::Suspend, Args::Suspend { reason }) => {
            if c.suspension.is_some() {
                return Err(DomainError::rule(
                    "already_suspended",
                    "工单已处于挂起状态",
                    "the case is already suspended",
                ));
            }
            let reason = text("reason", reason)?;
            let due = c.handle_due.unwrap_or(now);
            let remaining = dl.remaining(now, due, clocks.handle);
            data = json!({ "reason": reason, "remaining": remaining });
            c.suspension = Some(Suspension {
                at: now,
                reason,
                remaining,
            });
        }
        (Action::Resume, _) => {
            let Some(s) = c.suspension.take() else {
                return Err(DomainError::rule(
                    "not_suspended",
                    "工单未挂起",
                    "the case is not suspended",
                ));
            };
            let due = dl.resume(now, s.remaining);
            data = json!({ "suspended_at": s.at, "handle_due": due });
            c.handle_due = Some(due);
        }
        (Action::Close, _) => {
            c.status = Status::Closed;
            c.closed_at = Some(now);
        }
        _ => return Err(mismatch(action)),
    }
    c.version += 1;
    c.updated_at = now;
    // Every event carries the clock state it left behind, so rates can be recounted from the
    // timeline alone (which unit held the case, by when it had to sign and to finish).
    if let Some(obj) = data.as_object_mut() {
        obj.insert("state".into(), json!({ "unit": c.unit, "sign_due": c.sign_due, "handle_due": c.handle_due, "status": c.status.code() }));
    }
    let event = Event {
        id: Uuid::now_v7(),
        case_id: c.id,
        at: now,
        actor: actor.id,
        actor_name: actor.name.clone(),
        unit: actor.unit.clone(),
        action: action.code().to_string(),
        opinion,
        data,
    };
    Ok((c, event))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
