//! The case (工单) as the fold of its events, and the timeline event.

use crate::{FollowUpMethod, Nature, Outcome, Satisfaction, Source, Status, Urgency};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub address: String,
    /// 属地 region code (统计用区划代码 style: district 6 digits, street 9, community 12).
    pub region: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// An extension request waiting for the dispatcher's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingExtension {
    pub working_days: u32,
    pub reason: String,
    pub requested_at: i64,
}

/// Working time left on a clock when it was paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Remaining {
    WorkingDays(i64),
    WorkingMinutes(i64),
    Millis(i64),
}

/// 挂起: the handling clock is paused while the case waits on the citizen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suspension {
    pub at: i64,
    pub reason: String,
    pub remaining: Remaining,
}

/// A case. Instants are epoch milliseconds (UTC); they are shown in Asia/Shanghai at the edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: Uuid,
    /// Readable number, unique: `YYYY-NNNNNN`.
    pub number: String,
    pub title: String,
    pub description: String,
    pub nature: Nature,
    /// Two-level category `一级/二级`.
    pub category: String,
    pub urgency: Urgency,
    pub source: Source,
    pub reporter: Reporter,
    pub location: Location,
    pub reported_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub status: Status,
    /// Optimistic-concurrency version; every transition increments it.
    pub version: i64,
    /// The hub (中心/站) that accepts and dispatches this case; escalation moves it up.
    pub hub: String,
    /// Main handling unit (主办), once dispatched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Co-units (协办).
    pub co_units: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<i64>,
    /// When the current handling clock started (signing, or reopening).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_due: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_due: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_due: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_extension: Option<PendingExtension>,
    /// Set while the handling clock is paused (挂起).
    #[serde(default)]
    pub suspension: Option<Suspension>,
    pub extension_count: u32,
    pub return_count: u32,
    pub reopen_count: u32,
    pub urge_count: u32,
    pub supervised: bool,
    /// How many duplicates were merged into this case (重复诉求).
    pub repeat_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    /// The citizen's own answer at follow-up: was the problem solved?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen_resolved: Option<bool>,
    /// How the last follow-up was done (or tried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_method: Option<FollowUpMethod>,
    /// Follow-up attempts that did not reach the citizen since the case was last resolved.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub follow_up_attempts: u32,
    /// Closed as 无法回访: the citizen could not be reached after the policy's attempts. Such a
    /// case has no rating and is counted apart from satisfaction.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unreachable: bool,
    /// What triage suggested when the case was registered (read by the dispatch desk with the
    /// list, so opening the desk does not classify every row again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<TriageNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    /// Risk level from triage: none, low, medium, high.
    pub risk_level: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
fn is_false(b: &bool) -> bool {
    !*b
}

/// Triage's suggestion for a case, as stored at intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageNote {
    pub category: String,
    pub department: String,
    /// The unit the routing catalogue (or the model's department) gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_units: Vec<String>,
    pub confidence: f32,
    /// The next best candidates, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<TriageCandidate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageCandidate {
    pub category: String,
    pub department: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub score: f32,
}

/// What intake knows about a new case; everything else starts empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub nature: Nature,
    pub category: String,
    pub urgency: Urgency,
    pub source: Source,
    pub reporter: Reporter,
    pub location: Location,
    pub reported_at: i64,
    pub hub: String,
    pub created_by: Option<Uuid>,
    pub risk_level: String,
}

impl Case {
    /// A case as registered at `at`: version 1, no unit, no clocks, no outcome. The one place a
    /// case is born, whatever the channel (window, portal, Open311, ledger, synthetic history).
    pub fn registered(i: Intake, at: i64) -> Case {
        Case {
            id: i.id,
            number: String::new(),
            title: i.title,
            description: i.description,
            nature: i.nature,
            category: i.category,
            urgency: i.urgency,
            source: i.source,
            reporter: i.reporter,
            location: i.location,
            reported_at: i.reported_at,
            created_at: at,
            updated_at: at,
            status: Status::Registered,
            version: 1,
            hub: i.hub,
            unit: None,
            co_units: vec![],
            created_by: i.created_by,
            dispatched_at: None,
            signed_at: None,
            handle_started_at: None,
            resolved_at: None,
            closed_at: None,
            sign_due: None,
            handle_due: None,
            follow_up_due: None,
            pending_extension: None,
            suspension: None,
            extension_count: 0,
            return_count: 0,
            reopen_count: 0,
            urge_count: 0,
            supervised: false,
            repeat_count: 0,
            merged_into: None,
            reply: None,
            outcome: None,
            satisfaction: None,
            citizen_resolved: None,
            follow_up_method: None,
            follow_up_attempts: 0,
            unreachable: false,
            triage: None,
            reject_reason: None,
            risk_level: i.risk_level,
        }
    }
}

/// One entry of the append-only timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    pub case_id: Uuid,
    pub at: i64,
    pub actor: Option<Uuid>,
    pub actor_name: String,
    /// The actor's unit code.
    pub unit: Option<String>,
    /// The transition's name (`accept`, `dispatch`, …) or `register` / `merged_in`.
    pub action: String,
    pub opinion: Option<String>,
    pub data: serde_json::Value,
}

/// The form a phone is searched by: its digits, with a leading `+` kept (`0571-8877 6655` →
/// `057188776655`). Intake accepts digits, `+`, `-` and spaces; callers type it any way.
pub fn phone_key(phone: &str) -> String {
    let t = phone.trim();
    let plus = if t.starts_with('+') { "+" } else { "" };
    format!(
        "{plus}{}",
        t.chars().filter(char::is_ascii_digit).collect::<String>()
    )
}

/// Masks a phone number for roles that do not need it: `13812341234` → `138****1234`.
/// Short or odd numbers keep only their last 4 characters visible.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n >= 11 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else if n > 4 {
        let tail: String = chars[n - 4..].iter().collect();
        format!("{}{tail}", "*".repeat(n - 4))
    } else {
        "*".repeat(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_case_starts_empty() {
        let loc = Location {
            address: "a".into(),
            region: "330188001001".into(),
            lat: None,
            lon: None,
        };
        let i = Intake {
            id: Uuid::now_v7(),
            title: "t".into(),
            description: "d".into(),
            nature: Nature::Help,
            category: "城市管理/市容环境".into(),
            urgency: Urgency::Normal,
            source: Source::Web,
            reporter: Reporter {
                name: "n".into(),
                phone: "13800000000".into(),
            },
            location: loc,
            reported_at: 5,
            hub: "330188".into(),
            created_by: None,
            risk_level: "none".into(),
        };
        let c = Case::registered(i.clone(), 9);
        assert_eq!(
            (c.id, c.status, c.version, c.created_at, c.reported_at),
            (i.id, Status::Registered, 1, 9, 5)
        );
        assert!(
            c.unit.is_none() && c.sign_due.is_none() && c.number.is_empty() && c.reply.is_none()
        );
        // Stored compactly: absent fields are left out of the JSON, and read back as absent.
        let text = serde_json::to_string(&c).unwrap_or_default();
        assert!(!text.contains("\"unit\":null") && !text.contains("\"sign_due\""));
        let back: Case = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, c);
        // Documents written before (with explicit nulls) still read.
        let mut v = serde_json::to_value(&c).unwrap_or_default();
        v["unit"] = serde_json::Value::Null;
        assert_eq!(serde_json::from_value::<Case>(v).ok(), Some(c));
    }

    #[test]
    fn phone_keys_ignore_dashes_and_spaces() {
        assert_eq!(phone_key("0571-8877 6655"), "057188776655");
        assert_eq!(phone_key(" +86 138 1234 1234"), "+8613812341234");
        assert_eq!(phone_key("13812341234"), "13812341234");
    }

    #[test]
    fn masks_mobile_and_landline() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("0571-88776655"), "057****6655");
        assert_eq!(mask_phone("12345"), "*2345");
        assert_eq!(mask_phone("12"), "**");
    }
}
