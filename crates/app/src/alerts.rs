//! The deadline engine's background work: the sweeper that records 临期/超期 warnings and applies
//! automatic escalations, in-app notifications, outgoing webhooks with retries, and the job runner
//! that makes N replicas run each job one at a time.
//!
//! Exactly once: every warning and escalation of a clock has a key (`near:sign:<start>:<due>` …)
//! that is unique per case in the database and is written in the same transaction as its event,
//! notifications and webhook deliveries. Two sweepers racing, or a sweeper killed and restarted,
//! can only find the key taken — nothing is lost (state is re-derived from the cases) and nothing
//! is repeated.

use crate::App;
use crate::error::AppError;
use crate::notify;
use crate::ports::{AlertOutcome, AlertWrite, Delivery, UserRecord};
use crate::rules::TimeRules;
use crate::scope::Principal;
use crate::views::active_clock;
use async_trait::async_trait;
use domain::machine::Deadlines;
use domain::policy::{ClockKind, EscalationAction, Limit};
use domain::{Case, EVENT_NEAR_DUE, EVENT_OVERDUE, Event, Role, Status};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Delivers webhook calls; implemented over HTTP by the binary.
#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn post(&self, url: &str, body: &str, signature: &str) -> Result<(), String>;
}

/// Backoff after the n-th failed attempt; after the last one the delivery is marked failed.
pub const WEBHOOK_BACKOFF_MS: &[i64] =
    &[60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 3_600_000];

/// HMAC-SHA256 (RFC 2104), hex: the `X-Onewindow-Signature: sha256=…` a receiver checks.
pub fn hmac_sha256_hex(key: &[u8], msg: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.iter().map(|b| b ^ 0x5c).collect::<Vec<u8>>());
    outer.update(inner.finalize());
    hex::encode(outer.finalize())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Near,
    Overdue,
    Escalate(EscalationAction, usize),
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub examined: usize,
    pub recorded: usize,
    pub already: usize,
    pub conflicts: usize,
}

/// Intervals of the background jobs.
#[derive(Debug, Clone, Copy)]
pub struct JobSettings {
    pub sweep_interval_ms: i64,
    pub webhook_interval_ms: i64,
    /// A claimed job not finished within this is taken over by another replica (a process
    /// killed mid-run delays its job at most this long). Taking over a run that is merely slow
    /// is harmless: every alert is recorded at most once whoever records it.
    pub lock_ms: i64,
    /// How often the triage model is retrained on closed cases (0: never).
    pub retrain_interval_ms: i64,
    /// How often the conflict-risk scan runs (0: never; on demand only).
    pub risk_scan_interval_ms: i64,
    /// How often the 红黄黑榜 job looks whether the month just ended has its draft (0: never).
    pub board_interval_ms: i64,
    /// How often the knowledge base is checked for expired articles and due reviews (0: never).
    pub knowledge_interval_ms: i64,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            sweep_interval_ms: 30_000,
            webhook_interval_ms: 10_000,
            lock_ms: 5 * 60_000,
            retrain_interval_ms: 7 * 86_400_000,
            risk_scan_interval_ms: 10 * 60_000,
            board_interval_ms: 3_600_000,
            knowledge_interval_ms: 3_600_000,
        }
    }
}

fn clock_of(c: &Case) -> Option<ClockKind> {
    match c.status {
        Status::Dispatched => Some(ClockKind::Sign),
        Status::InProgress => Some(ClockKind::Handle),
        Status::Resolved => Some(ClockKind::FollowUp),
        _ => None,
    }
}

impl App {
    /// The alerts of a case's running clock: (instant, key, kind), in time order.
    fn planned_alerts(&self, rules: &TimeRules, c: &Case) -> Vec<(i64, String, Kind)> {
        let (Some((start, due)), Some(kind), Some(limit)) =
            (active_clock(c), clock_of(c), rules.active_limit(c))
        else {
            return vec![];
        };
        let dl = rules.deadlines_for(&c.location.region);
        let share = rules.clocks(c).near_due_share;
        let base = format!("{}:{start}:{due}", kind.code());
        let mut out = vec![
            (
                dl.warn_at(start, due, limit, share),
                format!("near:{base}"),
                Kind::Near,
            ),
            (due + 1, format!("overdue:{base}"), Kind::Overdue),
        ];
        for (i, e) in rules.policy.escalations.iter().enumerate() {
            if e.clock == kind {
                let at = match e.after {
                    Limit::Minutes(_) | Limit::WorkingMinutes(_) => dl.due(due, e.after),
                    Limit::WorkingDays(_) => dl.due(due, e.after).max(due + 1),
                };
                let code = match e.action {
                    EscalationAction::Urge => "urge",
                    EscalationAction::Supervise => "supervise",
                };
                out.push((at, format!("{code}{i}:{base}"), Kind::Escalate(e.action, i)));
            }
        }
        out.sort_by_key(|(at, _, _)| *at);
        out
    }

    fn recipients<'a>(
        &self,
        users: &'a [UserRecord],
        tree: &crate::org::OrgTree,
        c: &Case,
        kind: ClockKind,
        k: Kind,
    ) -> Vec<&'a UserRecord> {
        users
            .iter()
            .filter(|u| !u.disabled)
            .filter(|u| match (k, kind) {
                (Kind::Escalate(EscalationAction::Supervise, _), _) => {
                    u.role == Role::Supervisor && tree.is_within(&c.hub, &u.unit)
                }
                (Kind::Escalate(EscalationAction::Urge, _), _) => {
                    u.role == Role::UnitLead && c.unit.as_deref() == Some(u.unit.as_str())
                }
                (_, ClockKind::FollowUp) => {
                    matches!(u.role, Role::Clerk | Role::Dispatcher) && u.unit == c.hub
                }
                _ => {
                    matches!(u.role, Role::Handler | Role::UnitLead)
                        && c.unit.as_deref() == Some(u.unit.as_str())
                }
            })
            .collect()
    }

    /// Records every warning and escalation that has come due by now, once.
    pub async fn sweep(&self) -> Result<SweepReport, AppError> {
        let mut report = SweepReport::default();
        let rules = self.rules().await?;
        let tree = self.org.tree().await?;
        let users = self.store.users().await?;
        // Bounded: a backlog is worked off over successive runs.
        for _ in 0..50 {
            let now = self.now();
            let batch = self.store.alert_candidates(now, 200).await?;
            if batch.is_empty() {
                break;
            }
            let mut progressed = false;
            for case in batch {
                report.examined += 1;
                let (version, changed) = self
                    .sweep_case(&rules, &tree, &users, case, now, &mut report)
                    .await?;
                progressed |= version.is_some() || changed;
            }
            if !progressed {
                break;
            }
        }
        report.recorded += self.sweep_mediation_deadlines().await?;
        report.recorded += self.sweep_risk_reviews().await?;
        Ok(report)
    }

    /// Returns (the version for which next_alert_at was set, whether the case was changed).
    async fn sweep_case(
        &self,
        rules: &TimeRules,
        tree: &crate::org::OrgTree,
        users: &[UserRecord],
        mut case: Case,
        now: i64,
        report: &mut SweepReport,
    ) -> Result<(Option<i64>, bool), AppError> {
        let plan = self.planned_alerts(rules, &case);
        let Some(kind) = clock_of(&case) else {
            self.store
                .set_next_alert(case.id, case.version, None)
                .await?;
            return Ok((Some(case.version), false));
        };
        let mut changed = false;
        let overdue_now = plan
            .iter()
            .any(|(at, _, k)| *k == Kind::Overdue && *at <= now);
        for (at, key, k) in plan.iter().filter(|(at, _, _)| *at <= now) {
            let due = active_clock(&case).map(|(_, d)| d).unwrap_or_default();
            // A clock found already past its due instant (the sweeper was down, or the time was
            // short) is not also reported 临期 at the same moment: that warning is spent silently.
            if *k == Kind::Near && overdue_now {
                let outcome = self
                    .store
                    .record_alert(AlertWrite {
                        case_id: case.id,
                        key: key.clone(),
                        at: now,
                        event: None,
                        notifications: vec![],
                        deliveries: vec![],
                        case_update: None,
                    })
                    .await?;
                match outcome {
                    AlertOutcome::Recorded => report.recorded += 1,
                    AlertOutcome::AlreadyRecorded => report.already += 1,
                    AlertOutcome::CaseChanged => {}
                }
                continue;
            }
            let system = (None, "系统（时限监控）".to_string());
            let action = match k {
                Kind::Near => EVENT_NEAR_DUE,
                Kind::Overdue => EVENT_OVERDUE,
                Kind::Escalate(EscalationAction::Urge, _) => "urge",
                Kind::Escalate(EscalationAction::Supervise, _) => "supervise",
            };
            let event = Event {
                id: Uuid::now_v7(),
                case_id: case.id,
                at: now,
                actor: system.0,
                actor_name: system.1,
                unit: None,
                action: action.to_string(),
                opinion: None,
                data: json!({ "clock": kind.code(), "due": due, "due_at": crate::deadlines::format_instant(due), "automatic": true, "scheduled_at": at }),
            };
            let notifications = self
                .recipients(users, tree, &case, kind, *k)
                .into_iter()
                .map(|u| match k {
                    // 临期/超期: one digest per user, unit and day.
                    Kind::Near | Kind::Overdue => {
                        let warning = if *k == Kind::Near { "near" } else { "overdue" };
                        let mut n = notify::notice(
                            u,
                            &case,
                            notify::kind::DEADLINE_DIGEST,
                            json!({ "unit": u.unit, "date": crate::deadlines::date_of(now).to_string(),
                                "items": [{ "case_id": case.id, "number": case.number, "title": case.title, "warning": warning, "clock": kind.code(), "due": due }] }),
                            now,
                            tree,
                        );
                        n.case_id = None;
                        n.digest_key = Some(notify::digest_key(&u.unit, now));
                        n
                    }
                    Kind::Escalate(..) => notify::notice(
                        u,
                        &case,
                        action,
                        json!({ "title": case.title, "clock": kind.code(), "due": due }),
                        now,
                        tree,
                    ),
                })
                .collect();
            let hook_unit = if kind == ClockKind::FollowUp {
                Some(case.hub.clone())
            } else {
                case.unit.clone()
            };
            let mut deliveries = vec![];
            if let Some(unit) = hook_unit
                && let Some((url, _secret)) = self.store.unit_webhook(&unit).await?
            {
                let payload = json!({ "event": format!("case.{action}"), "at": crate::deadlines::format_instant(now), "case": { "id": case.id, "number": case.number, "title": case.title, "status": case.status.code(), "unit": case.unit, "clock": kind.code(), "due_at": crate::deadlines::format_instant(due) } });
                deliveries.push(Delivery {
                    id: Uuid::now_v7(),
                    unit,
                    url,
                    payload: payload.to_string(),
                    attempts: 0,
                    next_attempt_at: now,
                    delivered_at: None,
                    failed: false,
                    last_error: None,
                    created_at: now,
                });
            }
            let case_update = match k {
                Kind::Escalate(a, _) => {
                    let mut next = case.clone();
                    match a {
                        EscalationAction::Urge => next.urge_count += 1,
                        EscalationAction::Supervise => next.supervised = true,
                    }
                    next.version += 1;
                    next.updated_at = now;
                    Some(self.write_of(rules, next, Some(&case), vec![], false))
                }
                _ => None,
            };
            let updated = case_update.as_ref().map(|w| w.case.clone());
            match self
                .store
                .record_alert(AlertWrite {
                    case_id: case.id,
                    key: key.clone(),
                    at: now,
                    event: Some(event),
                    notifications,
                    deliveries,
                    case_update,
                })
                .await?
            {
                AlertOutcome::Recorded => {
                    report.recorded += 1;
                    if let Some(u) = updated {
                        case = u;
                        changed = true;
                    }
                }
                AlertOutcome::AlreadyRecorded => report.already += 1,
                AlertOutcome::CaseChanged => {
                    // Someone acted on the case meanwhile; their write reset its next look.
                    report.conflicts += 1;
                    return Ok((None, changed));
                }
            }
        }
        let next = plan
            .iter()
            .map(|(at, _, _)| *at)
            .filter(|at| *at > now)
            .min();
        self.store
            .set_next_alert(case.id, case.version, next)
            .await?;
        Ok((Some(case.version), changed))
    }

    /// Sends due webhook deliveries, with retries and backoff.
    pub async fn deliver_webhooks(&self, sender: &dyn WebhookSender) -> Result<usize, AppError> {
        let now = self.now();
        let mut sent = 0;
        for mut d in self.store.due_deliveries(now, 100).await? {
            let secret = self
                .store
                .unit_webhook(&d.unit)
                .await?
                .map(|(_, s)| s)
                .unwrap_or_default();
            let signature = format!(
                "sha256={}",
                hmac_sha256_hex(secret.as_bytes(), d.payload.as_bytes())
            );
            d.attempts += 1;
            match sender.post(&d.url, &d.payload, &signature).await {
                Ok(()) => {
                    d.delivered_at = Some(self.now());
                    d.last_error = None;
                    sent += 1;
                }
                Err(e) => {
                    d.last_error = Some(e);
                    match WEBHOOK_BACKOFF_MS
                        .get(usize::try_from(d.attempts - 1).unwrap_or(usize::MAX))
                    {
                        Some(wait) => d.next_attempt_at = self.now() + wait,
                        None => d.failed = true,
                    }
                }
            }
            self.store.update_delivery(&d).await?;
        }
        Ok(sent)
    }

    /// Runs each background job that is due and not running elsewhere. Called on a timer by
    /// every `serve` process; the jobs table decides who runs.
    pub async fn run_due_jobs(
        &self,
        worker: &str,
        sender: &dyn WebhookSender,
        cfg: &JobSettings,
    ) -> Result<(), AppError> {
        if self
            .store
            .claim_job(
                "deadline_sweep",
                worker,
                self.now(),
                cfg.sweep_interval_ms,
                cfg.lock_ms,
                self.now(),
            )
            .await?
        {
            let r = self.sweep().await;
            let err = r.as_ref().err().map(ToString::to_string);
            self.store
                .finish_job("deadline_sweep", worker, self.now(), err.as_deref())
                .await?;
            if let Ok(rep) = r
                && rep.recorded > 0
            {
                tracing::info!(
                    recorded = rep.recorded,
                    examined = rep.examined,
                    "deadline sweep"
                );
                metrics::counter!("onewindow_deadline_alerts_total").increment(rep.recorded as u64);
            }
        }
        // The first run of a new schedule is a week out: a fresh install keeps the shipped model.
        if cfg.retrain_interval_ms > 0
            && self
                .store
                .claim_job(
                    "triage_retrain",
                    worker,
                    self.now(),
                    cfg.retrain_interval_ms,
                    30 * 60_000,
                    self.now() + cfg.retrain_interval_ms,
                )
                .await?
        {
            let r = self.train_triage(None, None).await;
            let err = r.as_ref().err().map(ToString::to_string);
            if let Ok(m) = &r {
                tracing::info!(version = %m.version, active = m.active, "triage model retrained");
            }
            self.store
                .finish_job("triage_retrain", worker, self.now(), err.as_deref())
                .await?;
        }
        if cfg.risk_scan_interval_ms > 0
            && self
                .store
                .claim_job(
                    "risk_scan",
                    worker,
                    self.now(),
                    cfg.risk_scan_interval_ms,
                    cfg.lock_ms,
                    self.now(),
                )
                .await?
        {
            let r = self.run_risk_scan(self.now()).await;
            let err = r.as_ref().err().map(ToString::to_string);
            if let Ok(rep) = &r
                && rep.created + rep.updated > 0
            {
                tracing::info!(
                    created = rep.created,
                    updated = rep.updated,
                    scanned = rep.cases_scanned,
                    "risk scan"
                );
            }
            self.store
                .finish_job("risk_scan", worker, self.now(), err.as_deref())
                .await?;
        }
        // 红黄黑榜: the month just ended gets its draft (checked hourly; once it exists, nothing).
        if cfg.board_interval_ms > 0
            && self
                .store
                .claim_job(
                    "board_compute",
                    worker,
                    self.now(),
                    cfg.board_interval_ms,
                    cfg.lock_ms,
                    self.now(),
                )
                .await?
        {
            let r = self.compute_due_board().await;
            let err = r.as_ref().err().map(ToString::to_string);
            if let Ok(Some(period)) = &r {
                tracing::info!(%period, "board draft computed");
            }
            self.store
                .finish_job("board_compute", worker, self.now(), err.as_deref())
                .await?;
        }
        // 知识库: owners are told of articles that expired or are due for review (issue 23).
        if cfg.knowledge_interval_ms > 0
            && self
                .store
                .claim_job(
                    "knowledge_review",
                    worker,
                    self.now(),
                    cfg.knowledge_interval_ms,
                    cfg.lock_ms,
                    self.now(),
                )
                .await?
        {
            let r = self.knowledge_review().await;
            let err = r.as_ref().err().map(ToString::to_string);
            if let Ok(n) = &r
                && *n > 0
            {
                tracing::info!(articles = n, "knowledge review notices");
            }
            self.store
                .finish_job("knowledge_review", worker, self.now(), err.as_deref())
                .await?;
        }
        // Attachments: bytes no row refers to (an upload killed between the two), hourly.
        if self
            .store
            .claim_job(
                "orphan_files",
                worker,
                self.now(),
                3_600_000,
                cfg.lock_ms.max(10 * 60_000),
                self.now() + 3_600_000,
            )
            .await?
        {
            let r = self.collect_orphan_files().await;
            let err = r.as_ref().err().map(ToString::to_string);
            self.store
                .finish_job("orphan_files", worker, self.now(), err.as_deref())
                .await?;
        }
        if self
            .store
            .claim_job(
                "webhook_delivery",
                worker,
                self.now(),
                cfg.webhook_interval_ms,
                cfg.lock_ms,
                self.now(),
            )
            .await?
        {
            let r = self.deliver_webhooks(sender).await;
            let err = r.as_ref().err().map(ToString::to_string);
            self.store
                .finish_job("webhook_delivery", worker, self.now(), err.as_deref())
                .await?;
        }
        Ok(())
    }

    pub async fn unread_notifications(&self, p: &Principal) -> Result<i64, AppError> {
        Ok(self.store.unread_count(p.id).await?)
    }

    pub async fn mark_notifications_read(
        &self,
        p: &Principal,
        id: Option<Uuid>,
    ) -> Result<u64, AppError> {
        Ok(self.store.mark_read(p.id, id, self.now()).await?)
    }

    /// Configures a unit's outgoing webhook (admin).
    pub async fn set_unit_webhook(
        &self,
        p: &Principal,
        unit: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可配置推送地址",
                "administrators only",
            ));
        }
        if self.org.tree().await?.get(unit).is_none() {
            return Err(AppError::not_found("单位", "unit"));
        }
        let f = crate::input::Fields::of(body, "")?;
        let url = f.req_str("url", 500)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(AppError::field(
                "url",
                "须以 http:// 或 https:// 开头",
                "must start with http:// or https://",
            ));
        }
        let secret = f.req_str("secret", 200)?;
        self.store.put_unit_webhook(unit, &url, &secret).await?;
        Ok(json!({ "unit": unit, "url": url }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
