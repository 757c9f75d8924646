//! In-app notifications (消息): who is told what, and how a notification reads.
//!
//! A notification is stored with its kind and its parameters (`data`), and its text is written
//! when it is read, in the reader's language, with dates as people write them ("12月5日 17:30").
//! The Chinese text is also stored (`title`/`body`), for rows from before parameters were kept and
//! for anything that reads the table directly.
//!
//! Who is told (issue 18): a unit when a case is dispatched to it (main or co-unit), taken back
//! from it (撤回), sent back to it for rework (重办), or its extension request decided; the
//! dispatchers of a hub when a unit returns a case (退单), asks for an extension (待审批), or a
//! case is escalated to the hub. Deadline warnings (临期/超期) are not one bell each: they gather in
//! one digest per user, unit and day ([`digest_key`]).

use crate::App;
use crate::deadlines::{date_of, shanghai};
use crate::error::AppError;
use crate::org::OrgTree;
use crate::ports::{Notification, UserRecord};
use crate::scope::Principal;
use domain::machine::Actor;
use domain::{Action, Case, Event, Role};
use serde_json::{Value, json};
use uuid::Uuid;

/// Kinds of notification (the `kind` column).
pub mod kind {
    pub const DISPATCHED: &str = "dispatched";
    pub const RECALLED: &str = "recalled";
    pub const RETURNED: &str = "returned";
    pub const REOPENED: &str = "reopened";
    pub const EXTENSION_REQUESTED: &str = "extension_requested";
    pub const EXTENSION_DECIDED: &str = "extension_decided";
    pub const ESCALATED: &str = "escalated";
    pub const URGED: &str = "urged";
    pub const SUPERVISED: &str = "supervised";
    /// The day's 临期/超期 warnings of one unit, for one user.
    pub const DEADLINE_DIGEST: &str = "deadline_digest";
    pub const HIGH_RISK: &str = "high_risk";
    /// A mediation agreement's 司法确认 window or performance deadline is near or has passed.
    pub const MEDIATION_DUE: &str = "mediation_due";
    /// A risk alert's review (复核) is due.
    pub const RISK_REVIEW: &str = "risk_review";
    /// The deadline sweeper's automatic 催办 (to the unit lead) and 督办 (to supervisors).
    pub const AUTO_URGE: &str = "urge";
    pub const AUTO_SUPERVISE: &str = "supervise";
}

/// Most cases listed in one digest (the count keeps growing beyond it).
pub const DIGEST_ITEMS: usize = 200;

/// `12月5日 17:30` / `Dec 5, 17:30`: how a deadline reads in a message.
pub fn human_instant(ms: i64, english: bool) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let z = ts.to_zoned_datetime(shanghai());
    if english {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let m = MONTHS[usize::try_from(z.month() - 1).unwrap_or(0).min(11)];
        format!("{m} {}, {:02}:{:02}", z.day(), z.hour(), z.minute())
    } else {
        format!(
            "{}月{}日 {:02}:{:02}",
            z.month(),
            z.day(),
            z.hour(),
            z.minute()
        )
    }
}

/// The digest a deadline warning of `unit` at `now` goes into.
pub fn digest_key(unit: &str, now: i64) -> String {
    format!("deadline:{unit}:{}", date_of(now))
}

fn s<'a>(d: &'a Value, k: &str) -> &'a str {
    d.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// The title and body of a notification in the reader's language; `None` for rows stored
/// without parameters (their stored Chinese text is shown).
pub fn render(n: &Notification, tree: &OrgTree, english: bool) -> Option<(String, String)> {
    let d = n.data.as_ref()?;
    let number = n.case_number.as_deref().unwrap_or_default();
    let title = s(d, "title");
    let unit_name = |k: &str| {
        let code = s(d, k);
        if code.is_empty() {
            String::new()
        } else {
            tree.name(code)
        }
    };
    let when = |k: &str| {
        d.get(k)
            .and_then(Value::as_i64)
            .map(|ms| human_instant(ms, english))
            .unwrap_or_default()
    };
    let by = s(d, "by");
    let reason = s(d, "reason");
    let out = match (n.kind.as_str(), english) {
        (kind::DISPATCHED, false) => (
            format!(
                "新派单：{number}{}",
                if d["co"].as_bool() == Some(true) {
                    "（协办）"
                } else {
                    ""
                }
            ),
            format!("{title}；派单人 {by}；请于 {} 前签收", when("sign_due")),
        ),
        (kind::DISPATCHED, true) => (
            format!(
                "New case {number}{}",
                if d["co"].as_bool() == Some(true) {
                    " (co-unit)"
                } else {
                    ""
                }
            ),
            format!(
                "{title}; dispatched by {by}; sign for it by {}",
                when("sign_due")
            ),
        ),
        (kind::RECALLED, false) => (
            format!("派单已撤回：{number}"),
            format!(
                "{title}；{by} 已撤回对{}的派单，无需签收",
                unit_name("unit")
            ),
        ),
        (kind::RECALLED, true) => (
            format!("Dispatch recalled: {number}"),
            format!(
                "{title}; {by} took the case back from {}; nothing to sign",
                unit_name("unit")
            ),
        ),
        (kind::RETURNED, false) => (
            format!("退单待重新派单：{number}"),
            format!("{title}；{} 退回，理由：{reason}", unit_name("unit")),
        ),
        (kind::RETURNED, true) => (
            format!("Returned, to dispatch again: {number}"),
            format!("{title}; returned by {}: {reason}", unit_name("unit")),
        ),
        (kind::REOPENED, false) => (
            format!("重办：{number}"),
            format!(
                "{title}；{}，请于 {} 前重新办结",
                if s(d, "why") == "unsatisfied" {
                    "群众回访不满意"
                } else {
                    "派单员要求重办"
                },
                when("handle_due")
            ),
        ),
        (kind::REOPENED, true) => (
            format!("Reopened: {number}"),
            format!(
                "{title}; {}; resolve it again by {}",
                if s(d, "why") == "unsatisfied" {
                    "the citizen was not satisfied"
                } else {
                    "the dispatcher reopened it"
                },
                when("handle_due")
            ),
        ),
        (kind::EXTENSION_REQUESTED, false) => (
            format!("延期待审批：{number}"),
            format!(
                "{title}；{} 申请延期 {} 个工作日，理由：{reason}",
                unit_name("unit"),
                d["days"].as_i64().unwrap_or_default()
            ),
        ),
        (kind::EXTENSION_REQUESTED, true) => {
            let days = d["days"].as_i64().unwrap_or_default();
            (
                format!("Extension to decide: {number}"),
                format!(
                    "{title}; {} asks for {days} more working day{}: {reason}",
                    unit_name("unit"),
                    if days == 1 { "" } else { "s" }
                ),
            )
        }
        (kind::EXTENSION_DECIDED, false) => {
            if d["approve"].as_bool() == Some(true) {
                (
                    format!("延期已批准：{number}"),
                    format!("{title}；新的办理期限 {}", when("handle_due")),
                )
            } else {
                (
                    format!("延期未批准：{number}"),
                    format!("{title}；请按原期限 {} 办结", when("handle_due")),
                )
            }
        }
        (kind::EXTENSION_DECIDED, true) => {
            if d["approve"].as_bool() == Some(true) {
                (
                    format!("Extension approved: {number}"),
                    format!("{title}; now due {}", when("handle_due")),
                )
            } else {
                (
                    format!("Extension denied: {number}"),
                    format!("{title}; still due {}", when("handle_due")),
                )
            }
        }
        (kind::ESCALATED, false) => (
            format!("上报待派单：{number}"),
            format!("{title}；由{}上报", unit_name("from")),
        ),
        (kind::ESCALATED, true) => (
            format!("Escalated to you: {number}"),
            format!("{title}; escalated by {}", unit_name("from")),
        ),
        (kind::URGED, false) => (
            format!("催办：{number}"),
            format!("{title}；{by} 催办，请尽快处理"),
        ),
        (kind::URGED, true) => (
            format!("Urged: {number}"),
            format!("{title}; {by} asks for it to be dealt with soon"),
        ),
        (kind::SUPERVISED, false) => (
            format!("督办：{number}"),
            format!("{title}；{by} 将其列入督办"),
        ),
        (kind::SUPERVISED, true) => (
            format!("Under supervision: {number}"),
            format!("{title}; {by} put it under supervision"),
        ),
        (kind::AUTO_URGE | kind::AUTO_SUPERVISE, _) => {
            let clock = match (s(d, "clock"), english) {
                ("sign", false) => "签收",
                ("handle", false) => "办理",
                ("follow_up", false) => "回访",
                ("sign", true) => "sign-for",
                ("handle", true) => "handling",
                ("follow_up", true) => "follow-up",
                (_, false) => "办理",
                (_, true) => "handling",
            };
            match (n.kind.as_str(), english) {
                (kind::AUTO_URGE, false) => (
                    format!("催办：{number} 超过{clock}时限"),
                    format!("{title}；{clock}期限 {}，请尽快处理", when("due")),
                ),
                (kind::AUTO_URGE, true) => (
                    format!("Urged: {number} is past its {clock} deadline"),
                    format!("{title}; it was due {}", when("due")),
                ),
                (_, false) => (
                    format!("督办：{number} 已超期"),
                    format!("{title}；{clock}期限 {}，已列入督办", when("due")),
                ),
                (_, true) => (
                    format!("Supervised: {number} is overdue"),
                    format!("{title}; it was due {}", when("due")),
                ),
            }
        }
        (kind::DEADLINE_DIGEST, _) => {
            let items = d["items"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            // The digest's counts go on beyond the cases it lists.
            let count = |w: &str| {
                d.get("counts")
                    .and_then(|c| c.get(w))
                    .and_then(Value::as_u64)
                    .map_or_else(
                        || items.iter().filter(|i| s(i, "warning") == w).count(),
                        |n| usize::try_from(n).unwrap_or(usize::MAX),
                    )
            };
            let (near, overdue) = (count("near"), count("overdue"));
            let date = s(d, "date");
            let list: Vec<&str> = items.iter().take(5).map(|i| s(i, "number")).collect();
            if english {
                (
                    format!(
                        "Deadlines {date}: {near} near due, {overdue} overdue ({})",
                        unit_name("unit")
                    ),
                    format!(
                        "{}{}",
                        list.join(", "),
                        if items.len() > 5 { " …" } else { "" }
                    ),
                )
            } else {
                (
                    format!(
                        "时限提醒 {date}：临期 {near} 件，超期 {overdue} 件（{}）",
                        unit_name("unit")
                    ),
                    format!(
                        "{}{}",
                        list.join("、"),
                        if items.len() > 5 { " 等" } else { "" }
                    ),
                )
            }
        }
        (kind::HIGH_RISK, false) => (
            format!("高风险预警：{number} {title}"),
            format!(
                "风险信号：{}；属地：{}",
                d["signals"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .join("、"),
                unit_name("hub")
            ),
        ),
        (kind::HIGH_RISK, true) => (
            format!("High-risk case: {number} {title}"),
            format!(
                "Signals: {}; place: {}",
                d["signals"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .join(", "),
                unit_name("hub")
            ),
        ),
        (kind::RISK_REVIEW, false) => (
            format!(
                "{}预警待复核：{}",
                crate::risk::level_label(s(d, "level")),
                s(d, "summary")
            ),
            format!(
                "{}预警每 {} 日复核一次，已到期（{}），请签收、填写意见或调整等级",
                crate::risk::level_label(s(d, "level")),
                d["days"].as_i64().unwrap_or_default(),
                when("due")
            ),
        ),
        (kind::RISK_REVIEW, true) => (
            format!("Risk alert due for review ({} level)", s(d, "level")),
            format!(
                "Alerts of this level are reviewed every {} days; this one was due {}. Acknowledge, comment or relevel it.",
                d["days"].as_i64().unwrap_or_default(),
                when("due")
            ),
        ),
        (kind::MEDIATION_DUE, _) => {
            let due = when("due");
            let subject = if number.is_empty() {
                s(d, "summary").to_string()
            } else {
                number.to_string()
            };
            match (s(d, "warning"), english) {
                ("judicial_near", false) => (
                    format!("司法确认申请期限临近：{subject}"),
                    format!("调解协议的司法确认申请期限至 {due}，请告知当事人及时申请"),
                ),
                ("judicial_near", true) => (
                    format!("Judicial confirmation window closing: {subject}"),
                    format!(
                        "The parties may apply for judicial confirmation until {due}; remind them"
                    ),
                ),
                ("judicial_passed", false) => (
                    format!("司法确认申请期限已届满：{subject}"),
                    format!("调解协议的司法确认申请期限已于 {due} 届满"),
                ),
                ("judicial_passed", true) => (
                    format!("Judicial confirmation window closed: {subject}"),
                    format!("The window to apply for judicial confirmation closed on {due}"),
                ),
                ("performance_near", false) => (
                    format!("调解协议履行期限临近：{subject}"),
                    format!("协议约定的履行期限至 {due}，请跟进履行情况"),
                ),
                ("performance_near", true) => (
                    format!("Agreement due soon: {subject}"),
                    format!("The agreement is to be performed by {due}; follow it up"),
                ),
                (_, false) => (
                    format!("调解协议履行期限已到：{subject}"),
                    format!("协议约定的履行期限 {due} 已到，请回访核实是否履行"),
                ),
                (_, true) => (
                    format!("Agreement due: {subject}"),
                    format!(
                        "The agreement was to be performed by {due}; visit the parties to check it was kept"
                    ),
                ),
            }
        }
        // Issue 23: the knowledge base's expiry and review notices (`knowledge::knowledge_review`).
        (crate::knowledge::NOTICE_EXPIRED | crate::knowledge::NOTICE_REVIEW, _) => {
            let question = s(d, "question");
            let date = s(d, "date");
            let owner = unit_name("unit");
            match (n.kind == crate::knowledge::NOTICE_EXPIRED, english) {
                (true, false) => (
                    format!("知识条目已过期：{question}"),
                    format!(
                        "「{question}」的有效期已于 {date} 截止，已不再对外提供检索；请复核后续期或停用。负责单位：{owner}"
                    ),
                ),
                (true, true) => (
                    format!("Knowledge article expired: {question}"),
                    format!(
                        "Valid until {date}; it is no longer shown in search or on the portal. Review it, then renew or retire it. Owner: {owner}"
                    ),
                ),
                (false, false) => (
                    format!("知识条目待复核：{question}"),
                    format!(
                        "「{question}」的复核日期为 {date}，请核对政策依据是否仍然有效，并续期或修改。负责单位：{owner}"
                    ),
                ),
                (false, true) => (
                    format!("Knowledge article due for review: {question}"),
                    format!(
                        "Its review date was {date}; check that its policy source still holds, then renew or edit it. Owner: {owner}"
                    ),
                ),
            }
        }
        _ => return None,
    };
    Some(out)
}

/// Users of `unit` who handle its cases (承办人 and 单位负责人).
fn unit_staff<'a>(users: &'a [UserRecord], unit: &str) -> impl Iterator<Item = &'a UserRecord> {
    users.iter().filter(move |u| {
        !u.disabled && u.unit == unit && matches!(u.role, Role::Handler | Role::UnitLead)
    })
}

/// The dispatchers of a hub.
fn dispatchers<'a>(users: &'a [UserRecord], hub: &str) -> impl Iterator<Item = &'a UserRecord> {
    users
        .iter()
        .filter(move |u| !u.disabled && u.unit == hub && u.role == Role::Dispatcher)
}

/// One notification to `user` (its Chinese text written now, see the module docs).
pub fn notice(
    user: &UserRecord,
    case: &Case,
    kind: &str,
    data: Value,
    now: i64,
    tree: &OrgTree,
) -> Notification {
    let mut n = Notification {
        id: Uuid::now_v7(),
        user_id: user.id,
        case_id: Some(case.id),
        case_number: Some(case.number.clone()),
        kind: kind.to_string(),
        title: String::new(),
        body: String::new(),
        created_at: now,
        read_at: None,
        data: Some(data),
        digest_key: None,
    };
    if let Some((title, body)) = render(&n, tree, false) {
        n.title = title;
        n.body = body;
    }
    n
}

/// Who must hear of a transition from `before` to `after` (recorded as `event`), and what they
/// read.
#[allow(clippy::too_many_arguments)] // the transition's parts and its context, all needed
pub fn transition_notices(
    before: &Case,
    after: &Case,
    event: &Event,
    actor: &Actor,
    users: &[UserRecord],
    tree: &OrgTree,
    now: i64,
) -> Vec<Notification> {
    let mut out: Vec<Notification> = Vec::new();
    let mut tell = |targets: Vec<&UserRecord>, kind: &str, data: Value| {
        for u in targets {
            if Some(u.id) == actor.id || out.iter().any(|n| n.user_id == u.id) {
                continue;
            }
            out.push(notice(u, after, kind, data.clone(), now, tree));
        }
    };
    let by = actor.name.as_str();
    let title = after.title.as_str();
    let Some(action) = Action::parse(&event.action) else {
        return out;
    };
    match action {
        Action::Dispatch => {
            if let Some(unit) = &after.unit {
                tell(
                    unit_staff(users, unit).collect(),
                    kind::DISPATCHED,
                    json!({ "title": title, "by": by, "unit": unit, "co": false, "sign_due": after.sign_due }),
                );
            }
            for co in &after.co_units {
                tell(
                    unit_staff(users, co).collect(),
                    kind::DISPATCHED,
                    json!({ "title": title, "by": by, "unit": co, "co": true, "sign_due": after.sign_due }),
                );
            }
        }
        Action::Recall => {
            for unit in before.unit.iter().chain(&before.co_units) {
                tell(
                    unit_staff(users, unit).collect(),
                    kind::RECALLED,
                    json!({ "title": title, "by": by, "unit": unit }),
                );
            }
        }
        Action::Return => {
            let reason = s(&event.data, "reason");
            tell(
                dispatchers(users, &after.hub).collect(),
                kind::RETURNED,
                json!({ "title": title, "by": by, "unit": before.unit, "reason": reason }),
            );
        }
        Action::RequestExtension => {
            if let Some(p) = &after.pending_extension {
                tell(
                    dispatchers(users, &after.hub).collect(),
                    kind::EXTENSION_REQUESTED,
                    json!({ "title": title, "by": by, "unit": after.unit, "days": p.working_days, "reason": p.reason }),
                );
            }
        }
        Action::DecideExtension => {
            if let Some(unit) = &after.unit {
                let approve = after.extension_count > before.extension_count;
                tell(
                    unit_staff(users, unit).collect(),
                    kind::EXTENSION_DECIDED,
                    json!({ "title": title, "by": by, "approve": approve, "handle_due": after.handle_due }),
                );
            }
        }
        Action::FollowUp | Action::Reopen if after.reopen_count > before.reopen_count => {
            let why = if action == Action::FollowUp {
                "unsatisfied"
            } else {
                "reopen"
            };
            let data =
                json!({ "title": title, "by": by, "why": why, "handle_due": after.handle_due });
            match &after.unit {
                Some(unit) => tell(unit_staff(users, unit).collect(), kind::REOPENED, data),
                None => tell(
                    dispatchers(users, &after.hub).collect(),
                    kind::REOPENED,
                    data,
                ),
            }
        }
        Action::Escalate => tell(
            dispatchers(users, &after.hub).collect(),
            kind::ESCALATED,
            json!({ "title": title, "by": by, "from": before.hub }),
        ),
        Action::Urge => {
            let data = json!({ "title": title, "by": by });
            match &after.unit {
                Some(unit) => tell(unit_staff(users, unit).collect(), kind::URGED, data),
                None => tell(dispatchers(users, &after.hub).collect(), kind::URGED, data),
            }
        }
        Action::Supervise => {
            let data = json!({ "title": title, "by": by });
            match &after.unit {
                Some(unit) => tell(
                    users
                        .iter()
                        .filter(|u| !u.disabled && &u.unit == unit && u.role == Role::UnitLead)
                        .collect(),
                    kind::SUPERVISED,
                    data,
                ),
                None => tell(
                    dispatchers(users, &after.hub).collect(),
                    kind::SUPERVISED,
                    data,
                ),
            }
        }
        _ => {}
    }
    out
}

impl App {
    /// `GET /api/v1/notifications?page=&page_size=&unread=`: the caller's notifications, newest
    /// first, written in the reader's language.
    pub async fn notification_page(
        &self,
        p: &Principal,
        unread_only: bool,
        page: u64,
        page_size: u32,
        english: bool,
    ) -> Result<Value, AppError> {
        let page = page.max(1);
        let size = page_size.clamp(1, 100);
        let offset = (page - 1).saturating_mul(u64::from(size));
        let (items, total) = self
            .store
            .notifications_page(p.id, unread_only, offset, size)
            .await?;
        let tree = self.org.tree().await?;
        let unread = self.store.unread_count(p.id).await?;
        let rows: Vec<Value> = items
            .iter()
            .map(|n| {
                let (title, body) =
                    render(n, &tree, english).unwrap_or_else(|| (n.title.clone(), n.body.clone()));
                json!({
                    "id": n.id, "case_id": n.case_id, "case_number": n.case_number, "kind": n.kind,
                    "title": title, "body": body,
                    "items": n.data.as_ref().and_then(|d| d.get("items")).cloned(),
                    // What a notification about a risk alert or a mediation opens.
                    "alert_id": n.data.as_ref().and_then(|d| d.get("alert_id")).cloned(),
                    "mediation_id": n.data.as_ref().and_then(|d| d.get("mediation_id")).cloned(),
                    "created_at": crate::deadlines::format_instant(n.created_at),
                    "read": n.read_at.is_some(),
                })
            })
            .collect();
        Ok(
            json!({ "items": rows, "total": total, "unread": unread, "page": page, "page_size": size }),
        )
    }
}
