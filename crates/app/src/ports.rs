//! The storage the use cases need. Implemented by the `store` crate for SQLite and PostgreSQL;
//! owned here so that storage depends on the use cases and not the other way round.

use crate::error::StoreError;
use crate::org::Unit;
use async_trait::async_trait;
use domain::tally::{TallyCounts, TallyKey};
use domain::{Case, Event, Nature, Role, Source, Status, Urgency};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: i64,
    /// Set by an administrator's password reset: the user must choose a new password before
    /// doing anything else.
    #[serde(default)]
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub name: String,
    /// SHA-256 of the key; the key itself is shown once and never stored.
    pub key_hash: String,
    pub created_at: i64,
    pub revoked: bool,
}

/// A case row to write, with the columns derived by the use case for queues.
#[derive(Debug, Clone)]
pub struct CaseWrite {
    pub case: Case,
    /// The version the row must still have (None for an insert).
    pub expected_version: Option<i64>,
    pub events: Vec<Event>,
    /// Due instant of the clock that currently runs (sign, handle or follow-up), if any.
    pub due_at: Option<i64>,
    /// When that clock turns 临期 (near due).
    pub warn_at: Option<i64>,
    /// Space-separated search tokens (jieba) when the searchable text changed.
    pub search_tokens: Option<String>,
    /// When the sweeper should next look at this case.
    pub next_alert_at: Option<i64>,
    /// What this write changes in the cockpit's pre-aggregated counters (`domain::tally::delta`
    /// of the row as it was and as it will be), applied in the same transaction.
    pub tallies: Vec<(TallyKey, TallyCounts)>,
    /// What this write changes in the unit metrics (`metrics::metrics_write` of the timeline as it
    /// was and as it will be), applied in the same transaction.
    pub metrics: MetricsWrite,
    /// Who is told of this change (`crate::notify`), written in the same transaction.
    pub notifications: Vec<Notification>,
}

/// A change to the stored unit metrics of one case (see `crate::metrics`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsWrite {
    /// Added to `(month, unit, metric)`: (Δ count, Δ total of the marks' values).
    pub counts: Vec<(MetricKey, i64, i64)>,
    /// The case's marks in each month where they changed (`None`: it has none there any more).
    pub months: Vec<(i64, Option<String>)>,
    /// The case's running handling clock, when it changed: `Some(None)` for none.
    pub clock: Option<Option<FiledClock>>,
}

impl MetricsWrite {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.months.is_empty() && self.clock.is_none()
    }
}

/// Month index (`year * 12 + month - 1`, Shanghai), unit code, metric code.
pub type MetricKey = (i64, String, String);

/// A running handling clock, filed under the month of its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledClock {
    pub month: i64,
    pub unit: String,
    pub due: i64,
}

/// One row of the stored unit metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricCount {
    pub unit: String,
    pub metric: String,
    pub n: i64,
    pub total: i64,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    pub case_id: Option<Uuid>,
    /// The case's number, for showing (read with the notification; not stored with it).
    #[serde(default)]
    pub case_number: Option<String>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// The kind's parameters, from which the text is written in the reader's language (see
    /// `crate::notify`); `None` for rows from before they were kept.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// Set on a digest: a second notification with the same key for the same user is merged
    /// into the first (its `data.items` appended) and marks it unread again.
    #[serde(default)]
    pub digest_key: Option<String>,
}

/// An outgoing webhook call, queued and retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    pub unit: String,
    pub url: String,
    pub payload: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub failed: bool,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// One warning or escalation of a case's clock, written atomically and at most once (`key` is
/// unique per case).
#[derive(Debug, Clone)]
pub struct AlertWrite {
    pub case_id: Uuid,
    pub key: String,
    pub at: i64,
    /// The timeline entry; `None` for a warning spent without one (see `App::sweep`).
    pub event: Option<Event>,
    pub notifications: Vec<Notification>,
    pub deliveries: Vec<Delivery>,
    /// For escalations that change the case (催办 count, 督办 flag).
    pub case_update: Option<CaseWrite>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOutcome {
    Recorded,
    /// Another sweeper (or an earlier run) recorded it.
    AlreadyRecorded,
    /// The case changed meanwhile; the next sweep looks again.
    CaseChanged,
}

/// Which cases a principal may see, as a storage-level predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// District-wide.
    All,
    /// Cases whose hub, main unit or a co-unit is one of `units`, or whose region starts with one of
    /// `regions`.
    Units {
        units: Vec<String>,
        regions: Vec<String>,
    },
    /// Only cases this principal created (citizens, integrations).
    CreatedBy(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFilter {
    Near,
    Overdue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    ReportedDesc,
    ReportedAsc,
    DueAsc,
    NumberDesc,
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub scope: Option<Scope>,
    pub status: Vec<Status>,
    pub nature: Vec<Nature>,
    pub urgency: Vec<Urgency>,
    pub source: Vec<Source>,
    /// Main unit or co-unit code.
    pub unit: Option<String>,
    /// Exact `一级/二级`, or a `一级` prefix.
    pub category: Option<String>,
    /// Region code prefix.
    pub region: Option<String>,
    pub reported_from: Option<i64>,
    pub reported_to: Option<i64>,
    /// Last change on or after / on or before (Open311's `updated_after`/`updated_before`).
    pub updated_from: Option<i64>,
    pub updated_to: Option<i64>,
    pub due: Option<DueFilter>,
    /// Search tokens, all of which must match.
    pub text: Vec<String>,
    /// A single-character query that the token index cannot answer: matched as a substring.
    pub text_like: Option<String>,
    pub number: Option<String>,
    pub reporter_phone: Option<String>,
    /// The last four digits of the reporter's phone (a caller's 尾号); with `reporter_phone_tail`
    /// longer digits, those must end the phone too.
    pub reporter_phone_tail: Option<String>,
    /// What the case waits for from its hub (`extension`: the 待审批 queue).
    pub pending: Option<String>,
    pub supervised: Option<bool>,
    /// Duplicates merged into this case.
    pub merged_into: Option<Uuid>,
    /// Exclude this case (related-case lookups).
    pub exclude: Option<Uuid>,
    pub now: i64,
    pub sort: SortKey,
    pub offset: u64,
    pub limit: u32,
    /// Count matches only up to this many (plus one, to tell "more"): an exact count of a broad
    /// filter over years of history reads every matching row; a list page does not need it.
    pub count_limit: Option<u64>,
}

/// A stored triage model (without its weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub version: String,
    pub created_at: i64,
    /// `builtin` or `trained`.
    pub source: String,
    pub examples: i64,
    /// Held-out evaluation as JSON.
    pub metrics: String,
    pub active: bool,
}

/// One row of the routing catalogue (派单目录).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Route {
    /// `一级/二级`.
    pub category: String,
    /// Region code prefix this row applies to; empty for everywhere.
    pub region: String,
    /// Main handling unit.
    pub unit: String,
    /// Add the street/town of the address as co-unit (属地协办).
    pub co_street: bool,
}

/// Case counts per work queue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueueCounts {
    /// 待受理
    pub registered: i64,
    /// 待派单
    pub accepted: i64,
    /// 待签收
    pub dispatched: i64,
    /// 办理中
    pub in_progress: i64,
    /// 临期
    pub near: i64,
    /// 超期
    pub overdue: i64,
    /// 待回访
    pub resolved: i64,
    /// 待审批: extension requests waiting for the hub's decision.
    pub pending_approval: i64,
}

/// Per-unit counts behind the on-time rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitCounts {
    pub unit: String,
    pub dispatched: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
}

/// Aggregates over the cases a query selects; days are Shanghai day numbers since 1970-01-01.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawStats {
    pub total: i64,
    pub by_day: Vec<(i64, i64)>,
    pub by_category: Vec<(String, i64)>,
    /// Keyed by the 9-digit street region code.
    pub by_street: Vec<(String, i64)>,
    pub units: Vec<UnitCounts>,
    pub overdue_by_unit: Vec<(String, i64)>,
    /// (closing month as `year * 12 + month - 1`, rated, satisfied or basically satisfied).
    pub satisfaction_by_month: Vec<(i64, i64, i64)>,
}

// Guards of the edge (issue 19): rate limits, known sign-in devices, readiness.
/// What the guards of the edge need from storage: rate-limit counters shared by every replica, the
/// browsers that signed in before, and a readiness check. Implemented beside [`Store`] (its
/// supertrait) so that a store is one object.
#[async_trait]
pub trait Guard: Send + Sync {
    /// Counts one hit on each `(bucket, window_start)`: a bucket whose stored window started
    /// earlier starts again at 1. Returns each bucket with the hits of its window now.
    async fn rate_hit(&self, hits: &[(String, i64)]) -> StoreResult<Vec<(String, i64)>>;
    /// Takes one hit back from a bucket's window (an attempt that turned out to be allowed).
    async fn rate_unhit(&self, bucket: &str, window_start: i64) -> StoreResult<()>;
    /// Forgets a bucket (e.g. a username's failures after the right password).
    async fn rate_clear(&self, bucket: &str) -> StoreResult<()>;
    /// Deletes counters of windows that started before `windows_before` and device tokens issued
    /// before `devices_before`.
    async fn purge_guards(&self, windows_before: i64, devices_before: i64) -> StoreResult<u64>;
    async fn insert_login_device(
        &self,
        token_hash: &str,
        username: &str,
        at: i64,
    ) -> StoreResult<()>;
    /// The username a device token was issued to, if issued at or after `since`.
    async fn login_device(&self, token_hash: &str, since: i64) -> StoreResult<Option<String>>;
    /// Proves the database answers now: no cache, a real round trip (and, on SQLite, that the
    /// file served is still the one at its path). Callers bound it with a timeout.
    async fn ping(&self) -> StoreResult<()>;
}

// The audit log (issue 19.15, 个人信息保护法): who read or exported citizens' personal data.
/// One line of the audit log: a staff member's read of citizens' personal data (their phone or
/// email shown unmasked) or an export. Written by the use case that reveals the data, before the
/// answer leaves; never changed or deleted afterwards (the databases refuse it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Time-ordered (UUID v7), so a page of the log is ordered by it.
    pub id: Uuid,
    pub at: i64,
    pub actor_id: Uuid,
    /// Username at the time (a user renamed later is still found under the old name).
    pub actor: String,
    pub actor_name: String,
    pub role: String,
    pub unit: String,
    /// See [`crate::audit::AuditAction`].
    pub action: String,
    /// Numbers of the cases whose personal data was revealed.
    pub subjects: Vec<String>,
    /// What was asked: the filter of a list or an export, the format of an export.
    pub detail: String,
    /// The client's address as the edge saw it.
    pub client: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// A case number: entries that revealed that case.
    pub subject: Option<String>,
    /// Entries by actors of these units only (an administrator's units); `None` is every unit.
    pub units: Option<Vec<String>>,
    pub offset: u64,
    pub limit: u32,
}

/// Append-only storage of the audit log. Implemented beside [`Store`] (its supertrait).
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Entries matching `q`, newest first, and how many match.
    async fn audit_page(&self, q: &AuditQuery) -> StoreResult<(Vec<AuditEntry>, u64)>;
}

// Risk alerts (issue 20): signals across cases, worked by supervisors.
/// A risk alert (矛盾风险预警): a signal the scan found across cases, and what supervisors did
/// with it. One alert per open key: a later scan updates it as cases join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskAlert {
    pub id: Uuid,
    /// cluster | repeat_caller | language
    pub kind: String,
    /// What makes it the same alert from scan to scan (`phone:…`, `object:…`).
    pub key: String,
    /// blue | yellow | orange | red
    pub level: String,
    /// open | acknowledged | closed
    pub status: String,
    pub case_ids: Vec<Uuid>,
    pub phone: Option<String>,
    pub summary: String,
    pub evidence: serde_json::Value,
    /// The region the members share (community, street, or the district).
    pub region: String,
    /// The unit in charge (包案): by level, or assigned.
    pub owner_unit: Option<String>,
    /// A supervisor set the level: scans may raise it but never lower it again.
    pub level_by_hand: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub result: Option<String>,
    /// The last step a supervisor took (复核); the review cadence counts from it, or from the
    /// alert's creation.
    #[serde(default)]
    pub reviewed_at: Option<i64>,
    /// The review deadline last reminded of (written only by the sweep's reminder).
    #[serde(default)]
    pub review_reminded: Option<i64>,
}

/// One step in an alert's life (raised, updated by a scan, acknowledged, assigned, commented,
/// relevelled, closed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskEvent {
    pub id: Uuid,
    pub alert_id: Uuid,
    pub at: i64,
    /// None for the scan.
    pub actor: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub note: Option<String>,
    pub data: Option<serde_json::Value>,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct RiskQuery {
    pub kind: Option<String>,
    pub level: Option<String>,
    pub status: Option<String>,
    /// Alerts whose region starts with this (the caller's scope).
    pub region_prefix: Option<String>,
    pub owner_unit: Option<String>,
    /// Alerts this case belongs to.
    pub case_id: Option<Uuid>,
    /// Alerts of this key (any status).
    pub key: Option<String>,
    pub limit: u32,
}

/// What an alert's write sends with it: in-app notifications and webhook calls, written in the
/// same transaction so that they exist exactly when the alert's step does.
#[derive(Debug, Clone, Default)]
pub struct RiskOutbox {
    pub notices: Vec<Notification>,
    pub deliveries: Vec<Delivery>,
}

#[async_trait]
pub trait RiskStore: Send + Sync {
    async fn risk_alerts(&self, q: &RiskQuery) -> StoreResult<Vec<RiskAlert>>;
    async fn risk_alert(&self, id: Uuid) -> StoreResult<Option<RiskAlert>>;
    /// The alert not yet closed with this key.
    async fn open_risk_alert(&self, key: &str) -> StoreResult<Option<RiskAlert>>;
    /// Writes a new alert (version 1), its first event and what it sends, in one transaction.
    async fn insert_risk_alert(
        &self,
        a: &RiskAlert,
        e: &RiskEvent,
        out: &RiskOutbox,
    ) -> StoreResult<()>;
    /// Writes the alert if it is still at `expected_version` (false otherwise), with its event and
    /// what it sends.
    async fn update_risk_alert(
        &self,
        a: &RiskAlert,
        expected_version: i64,
        e: &RiskEvent,
        out: &RiskOutbox,
    ) -> StoreResult<bool>;
    async fn risk_events(&self, alert: Uuid) -> StoreResult<Vec<RiskEvent>>;
    /// Records the reminder of a missed review (deadline `due`) if the alert is still open and
    /// not yet reminded of that deadline (false otherwise), with its event and notifications, in
    /// one transaction; the version is not changed.
    async fn remind_risk_review(
        &self,
        id: Uuid,
        due: i64,
        e: &RiskEvent,
        out: &RiskOutbox,
    ) -> StoreResult<bool>;
}

// 人民调解 (issue 20): a dispute's mediation.
/// A mediation: the organisation (a hub unit) that mediates, its status and its record (`doc`:
/// parties, mediators, sessions, agreement, judicial confirmation, route, follow-up), with the
/// two deadlines lifted out so that lists can find what is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mediation {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    pub alert_id: Option<Uuid>,
    pub org_unit: String,
    /// applied | mediating | agreed | failed | terminated | closed
    pub status: String,
    pub doc: serde_json::Value,
    pub judicial_due: Option<i64>,
    pub performance_due: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The deadline warnings sent, comma-separated (`judicial_near,performance_passed`).
    #[serde(default)]
    pub warned: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationEvent {
    pub id: Uuid,
    pub mediation_id: Uuid,
    pub at: i64,
    pub actor: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct MediationQuery {
    pub status: Option<String>,
    /// Mediations of these organisations only (the caller's units); `None` is all.
    pub org_units: Option<Vec<String>>,
    pub case_id: Option<Uuid>,
    /// Agreed, not yet applied for 司法确认, due before this instant.
    pub judicial_due_before: Option<i64>,
    /// Last changed at or after this instant (a failed mediation's end, for the history signal).
    pub updated_from: Option<i64>,
    pub limit: u32,
}

#[async_trait]
pub trait MediationStore: Send + Sync {
    async fn insert_mediation(&self, m: &Mediation, e: &MediationEvent) -> StoreResult<()>;
    /// Writes the mediation if it is still at `expected_version` (false otherwise), with its event.
    /// The warnings it has had (`warned`) are not written here: see `record_mediation_warning`.
    async fn update_mediation(
        &self,
        m: &Mediation,
        expected_version: i64,
        e: &MediationEvent,
    ) -> StoreResult<bool>;
    /// Records deadline warnings: sets `warned` from `warned_before` to `warned_after` if it is
    /// still `warned_before` (false otherwise: another sweep sent them), with the event and the
    /// notifications, in one transaction. The version is not changed.
    async fn record_mediation_warning(
        &self,
        id: Uuid,
        warned_before: &str,
        warned_after: &str,
        e: &MediationEvent,
        notices: &[Notification],
    ) -> StoreResult<bool>;
    async fn mediation(&self, id: Uuid) -> StoreResult<Option<Mediation>>;
    async fn mediations(&self, q: &MediationQuery) -> StoreResult<Vec<Mediation>>;
    async fn mediation_events(&self, id: Uuid) -> StoreResult<Vec<MediationEvent>>;
}

/// A 红黄黑榜 of one period and version (issue 21).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardRecord {
    /// `YYYY-MM`.
    pub period: String,
    pub version: i64,
    /// draft | published
    pub status: String,
    /// The groups with their entries, and the rules they were computed with.
    pub doc: serde_json::Value,
    pub computed_at: i64,
    /// Units may appeal the draft until then.
    pub appeal_due: i64,
    pub published_at: Option<i64>,
    pub published_by: Option<String>,
    /// Why a correction (a version after the first) was published.
    pub reason: Option<String>,
}

/// A unit's appeal (申诉) against its entry on a draft board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardAppeal {
    pub id: Uuid,
    pub period: String,
    pub unit: String,
    pub reason: String,
    /// pending | accepted | rejected
    pub status: String,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: String,
    pub created_at: i64,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
}

#[async_trait]
pub trait BoardStore: Send + Sync {
    /// Every version of the period's board (all periods when `None`), by period and version.
    async fn boards(&self, period: Option<&str>) -> StoreResult<Vec<BoardRecord>>;
    /// Writes a draft: inserts it, or replaces that version while it is still a draft (false when
    /// it has been published: a published board never changes).
    async fn put_board_draft(&self, b: &BoardRecord) -> StoreResult<bool>;
    /// Publishes a draft (false when it is no longer a draft).
    async fn publish_board(
        &self,
        period: &str,
        version: i64,
        at: i64,
        by: &str,
        reason: Option<&str>,
    ) -> StoreResult<bool>;
    async fn board_appeals(&self, period: &str) -> StoreResult<Vec<BoardAppeal>>;
    async fn insert_board_appeal(&self, a: &BoardAppeal) -> StoreResult<()>;
    /// Decides a pending appeal (false when it was decided already).
    async fn decide_board_appeal(
        &self,
        id: Uuid,
        status: &str,
        note: &str,
        by_name: &str,
        at: i64,
    ) -> StoreResult<bool>;
}

/// A key program (十大攻坚, 十大民生实事, 整治清单; issue 21).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub id: Uuid,
    pub name: String,
    /// key_project | livelihood | rectification
    pub kind: String,
    pub year: i64,
    /// Description and the traffic-light rule.
    pub doc: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An item of a program: lead unit, co-units, milestones, approved progress, reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramItem {
    pub id: Uuid,
    pub program_id: Uuid,
    pub seq: i64,
    pub lead_unit: String,
    pub doc: serde_json::Value,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[async_trait]
pub trait ProgramStore: Send + Sync {
    async fn insert_program(&self, p: &Program) -> StoreResult<()>;
    async fn programs(&self) -> StoreResult<Vec<Program>>;
    async fn program(&self, id: Uuid) -> StoreResult<Option<Program>>;
    async fn insert_program_item(&self, i: &ProgramItem) -> StoreResult<()>;
    /// The items of a program, by number.
    async fn program_items(&self, program: Uuid) -> StoreResult<Vec<ProgramItem>>;
    /// Writes the item if it is still at `expected_version` (false otherwise).
    async fn update_program_item(
        &self,
        i: &ProgramItem,
        expected_version: i64,
    ) -> StoreResult<bool>;
}

/// A visit campaign (走访; issue 21).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: Uuid,
    pub name: String,
    /// `YYYY-MM-DD`, inclusive.
    pub starts_on: String,
    pub ends_on: String,
    /// Description and the units taking part with their targets.
    pub doc: serde_json::Value,
    pub created_at: i64,
}

/// A household or an enterprise of a community's registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitSubject {
    pub id: Uuid,
    /// The community's region code.
    pub community: String,
    /// household | enterprise
    pub kind: String,
    pub name: String,
    pub address: String,
    pub doc: serde_json::Value,
    pub created_at: i64,
}

/// One visit of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub unit: String,
    pub subject_id: Uuid,
    pub kind: String,
    pub visited_at: i64,
    /// Visitor, what was found, the problems' cases.
    pub doc: serde_json::Value,
    pub created_at: i64,
}

#[async_trait]
pub trait CampaignStore: Send + Sync {
    async fn insert_campaign(&self, c: &Campaign) -> StoreResult<()>;
    async fn campaigns(&self) -> StoreResult<Vec<Campaign>>;
    /// The registry entry with this key, inserted if new (the stored one when it exists).
    async fn upsert_visit_subject(&self, s: &VisitSubject) -> StoreResult<VisitSubject>;
    /// Adds registry entries in one transaction (a registry import's batch); an entry whose key
    /// (community, kind, name, address) is already there is left as it is. Returns how many
    /// were new.
    async fn insert_visit_subjects(&self, list: &[VisitSubject]) -> StoreResult<usize>;
    async fn visit_subject(&self, id: Uuid) -> StoreResult<Option<VisitSubject>>;
    /// A community's registry (region code prefix), by kind and name.
    async fn visit_subjects(
        &self,
        community_prefix: &str,
        limit: u32,
    ) -> StoreResult<Vec<VisitSubject>>;
    async fn insert_visit(&self, v: &Visit) -> StoreResult<()>;
    async fn visits(&self, campaign: Uuid) -> StoreResult<Vec<Visit>>;
}

/// A 一件事 application as stored (issue 22): the columns lists filter on, and the document
/// (the template as it was at submission, the form, materials, tasks with their clocks, events).
#[derive(Debug, Clone)]
pub struct BundleRow {
    pub id: Uuid,
    pub template: String,
    pub status: String,
    /// `window` or `portal`.
    pub channel: String,
    pub submitted_at: i64,
    pub finished_at: Option<i64>,
    /// The citizen's account when submitted on the portal; the clerk's at a window.
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub doc: serde_json::Value,
}

/// A member task as the departments' lists find it.
#[derive(Debug, Clone)]
pub struct BundleTaskRow {
    pub task_id: String,
    pub unit: String,
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct BundleQuery {
    pub created_by: Option<Uuid>,
    /// Only bundles with a task of one of these units (in one of `task_statuses`, when given).
    pub units: Option<Vec<String>>,
    pub task_statuses: Option<Vec<String>>,
    pub status: Option<String>,
    pub template: Option<String>,
    pub limit: u32,
}

#[async_trait]
pub trait BundleStore: Send + Sync {
    /// The stored templates (code, document).
    async fn bundle_templates(&self) -> StoreResult<Vec<(String, serde_json::Value)>>;
    async fn put_bundle_template(
        &self,
        code: &str,
        doc: &serde_json::Value,
        at: i64,
        by: Option<Uuid>,
    ) -> StoreResult<()>;
    async fn insert_bundle(
        &self,
        b: &BundleRow,
        tasks: &[BundleTaskRow],
        notices: &[Notification],
    ) -> StoreResult<()>;
    /// Writes the bundle, its tasks' rows and the notices in one transaction if it still has
    /// `expected_version` (false, writing nothing, otherwise).
    async fn update_bundle(
        &self,
        b: &BundleRow,
        expected_version: i64,
        tasks: &[BundleTaskRow],
        notices: &[Notification],
    ) -> StoreResult<bool>;
    async fn bundle(&self, id: Uuid) -> StoreResult<Option<BundleRow>>;
    /// Newest first.
    async fn bundles(&self, q: &BundleQuery) -> StoreResult<Vec<BundleRow>>;
}

/// A 工程建设项目审批 project as stored (issue 22).
#[derive(Debug, Clone)]
pub struct ApprovalRow {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub created_at: i64,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub doc: serde_json::Value,
}

#[async_trait]
pub trait ApprovalStore: Send + Sync {
    async fn insert_approval(&self, a: &ApprovalRow) -> StoreResult<()>;
    /// Writes the project if it still has `expected_version` (false, writing nothing, otherwise).
    async fn update_approval(&self, a: &ApprovalRow, expected_version: i64) -> StoreResult<bool>;
    async fn approval(&self, id: Uuid) -> StoreResult<Option<ApprovalRow>>;
    /// Newest first.
    async fn approvals(&self, limit: u32) -> StoreResult<Vec<ApprovalRow>>;
}

/// A knowledge-base article as stored (issue 23). Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeRow {
    pub id: Uuid,
    pub question: String,
    pub answer: String,
    pub category: String,
    /// The owning unit: it reviews, publishes and is told when the article expires.
    pub unit: String,
    /// The policy the answer rests on (文件名及文号).
    pub source: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub review_at: Option<String>,
    /// draft | proposed | published | retired
    pub status: String,
    pub uses: i64,
    pub version: i64,
    pub proposed_from: Option<Uuid>,
    /// Search tokens (`search::index_tokens` of question and answer), space-separated.
    pub tokens: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: Option<Uuid>,
    /// The last expiry or review notice sent (`expired:DATE` / `review:DATE`), so the hourly
    /// job tells the owners once.
    pub notified: Option<String>,
    /// `{"history": [...]}`.
    pub doc: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct KnowledgeQuery {
    /// None: any status.
    pub statuses: Option<Vec<String>>,
    /// A category, or a top level (`一级`) matching its categories.
    pub category: Option<String>,
    pub unit: Option<String>,
    /// Every one of these tokens (a search); with `any_token`, at least one of them.
    pub tokens: Vec<String>,
    pub any_token: bool,
    /// A substring of the question or answer (a one-character search).
    pub like: Option<String>,
    /// Only articles in force on this day (valid_from and valid_until around it).
    pub in_force_on: Option<String>,
    pub proposed_from: Option<Uuid>,
    pub limit: u32,
}

#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    async fn insert_article(&self, a: &KnowledgeRow) -> StoreResult<()>;
    /// Writes the article if it still has `expected_version` (false, writing nothing, otherwise).
    async fn update_article(&self, a: &KnowledgeRow, expected_version: i64) -> StoreResult<bool>;
    async fn article(&self, id: Uuid) -> StoreResult<Option<KnowledgeRow>>;
    /// Most used first, then newest.
    async fn articles(&self, q: &KnowledgeQuery) -> StoreResult<Vec<KnowledgeRow>>;
    /// Records that the article answered the case and counts a use; false (nothing changed) when
    /// that case was already counted.
    async fn record_knowledge_use(
        &self,
        article: Uuid,
        case: Uuid,
        at: i64,
        by: Option<Uuid>,
    ) -> StoreResult<bool>;
    /// (case, when, by) of the article's uses, newest first.
    async fn knowledge_uses(
        &self,
        article: Uuid,
        limit: u32,
    ) -> StoreResult<Vec<(Uuid, i64, Option<Uuid>)>>;
    /// Published articles whose validity ended before `today` or whose review date is due.
    async fn articles_due_notice(&self, today: &str) -> StoreResult<Vec<KnowledgeRow>>;
    /// Sets the article's `notified` key and writes the notices, in one transaction.
    async fn mark_article_notified(
        &self,
        id: Uuid,
        key: &str,
        notices: &[Notification],
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait Store:
    Guard
    + AuditLog
    + RiskStore
    + MediationStore
    + BoardStore
    + ProgramStore
    + CampaignStore
    + BundleStore
    + ApprovalStore
    + KnowledgeStore
    + AttachmentStore
    + Send
    + Sync
    + 'static
{
    // Org.
    async fn units(&self) -> StoreResult<Vec<Unit>>;
    async fn put_units(&self, units: &[Unit]) -> StoreResult<()>;

    // People and credentials.
    /// Fails with Conflict when the username is taken.
    async fn insert_user(&self, user: &UserRecord) -> StoreResult<()>;
    /// Writes a user's name, role, unit, password hash and flags; false if there is no such user.
    async fn update_user(&self, user: &UserRecord) -> StoreResult<bool>;
    /// Ends a user's sessions (all, or all but the one whose token hash is `keep`).
    async fn revoke_sessions(&self, user: Uuid, keep: Option<&str>) -> StoreResult<u64>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;
    async fn users(&self) -> StoreResult<Vec<UserRecord>>;
    async fn insert_session(
        &self,
        token_hash: &str,
        user: Uuid,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The user of a live session.
    async fn session_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<Uuid>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn insert_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()>;
    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>>;

    // Cases.
    /// Inserts a new case, assigning its number `YYYY-NNNNNN` from the per-year counter in the same
    /// transaction as the row, its events and its search entry. Returns the stored case.
    async fn insert_case(&self, write: CaseWrite, year: i32) -> StoreResult<Case>;
    /// Inserts many new cases in one transaction (bulk paths: seeding and imports), numbering
    /// each from the per-year counter like [`Store::insert_case`].
    async fn insert_cases_bulk(&self, writes: Vec<(CaseWrite, i32)>) -> StoreResult<()>;
    /// After a bulk load: whatever the database needs to serve the loaded rows well at once
    /// (PostgreSQL: planner statistics and visibility, which autovacuum would otherwise catch up
    /// on minutes later, planning the first searches without them).
    async fn finish_bulk_load(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Writes all rows and events atomically. Returns false, writing nothing, if any row no longer
    /// has its expected version (optimistic concurrency: no lost update).
    async fn save_cases(&self, writes: Vec<CaseWrite>) -> StoreResult<bool>;
    async fn get_case(&self, id: Uuid) -> StoreResult<Option<Case>>;
    async fn get_case_by_number(&self, number: &str) -> StoreResult<Option<Case>>;
    async fn list_cases(&self, q: &CaseQuery) -> StoreResult<(Vec<Case>, u64)>;
    async fn events(&self, case_id: Uuid) -> StoreResult<Vec<Event>>;
    /// Up to `limit` case ids after `after`, in id order (for scans of every case: recounts and
    /// rebuilds).
    async fn case_ids_after(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Uuid>>;
    /// Every event of the given cases, grouped by case (in id order), each timeline in order.
    async fn events_of_cases(&self, ids: &[Uuid]) -> StoreResult<Vec<Event>>;

    // Unit metrics (see `crate::metrics`), kept in step by every case write's `metrics`.
    /// The sums of a month's marks per unit and metric.
    async fn metric_counts(&self, month: i64) -> StoreResult<Vec<MetricCount>>;
    /// The running handling clocks filed under a month whose deadline is before `before`:
    /// (case, unit).
    async fn metric_clocks(&self, month: i64, before: i64) -> StoreResult<Vec<(Uuid, String)>>;
    /// Every case's marks in a month.
    async fn metric_marks(&self, month: i64) -> StoreResult<Vec<(Uuid, String)>>;
    /// Whether the metrics have to be built from the timelines (a database from before they
    /// existed, or restored from a dump): there are dispatched cases and no counts.
    async fn metrics_missing(&self) -> StoreResult<bool>;
    /// Empties the stored metrics (before a rebuild).
    async fn clear_metrics(&self) -> StoreResult<()>;
    /// Applies the metrics of many cases in one transaction (rebuilds).
    async fn put_metrics(&self, writes: Vec<(Uuid, MetricsWrite)>) -> StoreResult<()>;
    /// Counts per work queue of the open cases a query selects.
    async fn queue_counts(&self, q: &CaseQuery) -> StoreResult<QueueCounts>;
    /// Dashboard aggregates of the cases a query selects, counted from the case rows.
    async fn stats(&self, q: &CaseQuery) -> StoreResult<RawStats>;
    /// The same aggregates (without `overdue_by_unit`, which depends on the moment) from the
    /// pre-aggregated tallies: cases reported on Shanghai days `first_day..=last_day`, in streets
    /// whose code starts with `street_prefix`. Equal to `stats` over the same cases.
    async fn tally_stats(
        &self,
        first_day: i64,
        last_day: i64,
        street_prefix: Option<&str>,
    ) -> StoreResult<RawStats>;
    /// Open cases past their due instant (超期 now: the workbench's 超期 count, split), per unit
    /// whose clock it is — the main unit for 签收/办理, the hub for 回访 — most first.
    async fn overdue_by_unit(&self, q: &CaseQuery) -> StoreResult<Vec<(String, i64)>>;
    /// Recomputes the tallies from the case rows; returns how many cases were counted.
    async fn rebuild_tallies(&self) -> StoreResult<u64>;

    // Time rules.
    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()>;
    /// (calendar name, year, text) of every imported year.
    async fn calendar_years(&self) -> StoreResult<Vec<(String, i32, String)>>;
    async fn put_calendar_year(
        &self,
        name: &str,
        year: i32,
        text: &str,
        at: i64,
    ) -> StoreResult<()>;
    /// (region prefix, calendar name).
    async fn calendar_regions(&self) -> StoreResult<Vec<(String, String)>>;
    async fn put_calendar_region(&self, region: &str, name: &str) -> StoreResult<()>;

    // Background jobs: claiming is one conditional UPDATE, so one replica runs a job at a time.
    /// Claims `name` if it is due and not locked (or its lock expired); schedules its next run.
    /// `first_run_at` schedules the job's first run when it has never run.
    async fn claim_job(
        &self,
        name: &str,
        worker: &str,
        now: i64,
        interval_ms: i64,
        lock_ms: i64,
        first_run_at: i64,
    ) -> StoreResult<bool>;
    async fn finish_job(
        &self,
        name: &str,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> StoreResult<()>;

    // Deadline alerts.
    /// Open cases whose next alert instant has come.
    async fn alert_candidates(&self, now: i64, limit: u32) -> StoreResult<Vec<Case>>;
    async fn record_alert(&self, alert: AlertWrite) -> StoreResult<AlertOutcome>;
    /// Sets when the sweeper looks next, unless the case changed since `version` was read (a
    /// newer write has set it already).
    async fn set_next_alert(&self, case_id: Uuid, version: i64, at: Option<i64>)
    -> StoreResult<()>;

    // Notifications.
    async fn notifications(
        &self,
        user: Uuid,
        unread_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    /// A page of a user's notifications, newest first, with how many there are in all.
    async fn notifications_page(
        &self,
        user: Uuid,
        unread_only: bool,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Notification>, u64)>;
    async fn unread_count(&self, user: Uuid) -> StoreResult<i64>;
    /// Marks one notification (or all of the user's) read; returns how many changed.
    async fn mark_read(&self, user: Uuid, id: Option<Uuid>, now: i64) -> StoreResult<u64>;

    // Webhooks.
    /// (url, secret) of a unit's webhook.
    async fn unit_webhook(&self, unit: &str) -> StoreResult<Option<(String, String)>>;
    async fn put_unit_webhook(&self, unit: &str, url: &str, secret: &str) -> StoreResult<()>;
    async fn due_deliveries(&self, now: i64, limit: u32) -> StoreResult<Vec<Delivery>>;
    async fn update_delivery(&self, d: &Delivery) -> StoreResult<()>;

    // Triage models.
    async fn triage_models(&self) -> StoreResult<Vec<ModelRecord>>;
    /// The active model's version and text, if one was stored.
    async fn active_triage_model(&self) -> StoreResult<Option<(String, String)>>;
    async fn triage_model_body(&self, version: &str) -> StoreResult<Option<String>>;
    /// Stores a model (inactive).
    async fn put_triage_model(&self, m: &ModelRecord, body: &str) -> StoreResult<()>;
    /// Makes one stored version the active one; false if there is no such version.
    async fn activate_triage_model(&self, version: &str) -> StoreResult<bool>;

    // Routing catalogue.
    async fn catalogue(&self) -> StoreResult<Vec<Route>>;
    /// Replaces the whole catalogue.
    async fn put_catalogue(&self, routes: &[Route]) -> StoreResult<()>;
}

/// A file on a case as stored (issue 23, migration 0022). The bytes live in the file store
/// (`attachments::FileStore`) under `file_key`; the row is written only after them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    /// image | document
    pub kind: String,
    /// The step it belongs to: intake | resolve | return | follow_up | extension | mediation | report | other
    pub step: String,
    /// citizen | staff
    pub source: String,
    /// Shown on the public portal and in Open311.
    pub public: bool,
    /// SHA-256 of the bytes (content-addressed storage key).
    pub file_key: String,
    /// Key of the JPEG thumbnail (images).
    pub thumb_key: Option<String>,
    /// EXIF GPS position of a photo (staff only).
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: i64,
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Inserts the row unless the case already has `max_per_case` files; false (nothing
    /// written) when it has.
    async fn insert_attachment(
        &self,
        row: &AttachmentRow,
        max_per_case: usize,
    ) -> StoreResult<bool>;
    /// A case's files, oldest first.
    async fn attachments_of_case(&self, case_id: Uuid) -> StoreResult<Vec<AttachmentRow>>;
    async fn attachment(&self, id: Uuid) -> StoreResult<Option<AttachmentRow>>;
    /// Sets whether the file is public; false if there is no such file.
    async fn set_attachment_public(&self, id: Uuid, public: bool) -> StoreResult<bool>;
    /// Whether some row refers to this storage key (as its file or its thumbnail).
    async fn file_key_used(&self, key: &str) -> StoreResult<bool>;
    /// The first public image of each of the given cases (Open311's `media_url`).
    async fn first_public_images(&self, case_ids: &[Uuid]) -> StoreResult<Vec<AttachmentRow>>;
    /// Every row, in id order, after `after` (dumps).
    async fn attachments_after(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<AttachmentRow>>;
}
