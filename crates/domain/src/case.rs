//! The case (工单) as the fold of its events, and the timeline event.

use crate::{Nature, Outcome, Satisfaction, Source, Status, Urgency};
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
    pub unit: Option<String>,
    /// Co-units (协办).
    pub co_units: Vec<String>,
    pub created_by: Option<Uuid>,
    pub dispatched_at: Option<i64>,
    pub signed_at: Option<i64>,
    /// When the current handling clock started (signing, or reopening).
    pub handle_started_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub sign_due: Option<i64>,
    pub handle_due: Option<i64>,
    pub follow_up_due: Option<i64>,
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
    pub merged_into: Option<Uuid>,
    pub reply: Option<String>,
    pub outcome: Option<Outcome>,
    pub satisfaction: Option<Satisfaction>,
    /// The citizen's own answer at follow-up: was the problem solved?
    pub citizen_resolved: Option<bool>,
    pub reject_reason: Option<String>,
    /// Risk level from triage: none, low, medium, high.
    pub risk_level: String,
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
    fn masks_mobile_and_landline() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("0571-88776655"), "057****6655");
        assert_eq!(mask_phone("12345"), "*2345");
        assert_eq!(mask_phone("12"), "**");
    }
}
