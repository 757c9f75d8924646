//! What happens right after intake: high-risk cases reach supervisors at once, and cases the
//! classifier is sure about are dispatched automatically along the routing catalogue.

use crate::App;
use crate::error::AppError;
use crate::input::Fields;
use crate::ports::AlertWrite;
use crate::rules::TimeRules;
use crate::scope::{Principal, PrincipalKind};
use domain::machine::{Actor, Args, Command, apply};
use domain::{Action, Case, Event, Nature, Role, Source};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

const SETTINGS_KEY: &str = "triage";

/// Intake automation settings (`GET/PUT /api/v1/triage/settings`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IntakeSettings {
    /// Dispatch automatically when the classifier's confidence reaches `min_confidence`.
    pub auto_dispatch: bool,
    pub min_confidence: f32,
    /// Channels auto-dispatch applies to. Cases a clerk registers (window, phone) wait for the
    /// clerk and the dispatcher, who see the suggestions.
    pub channels: Vec<Source>,
    /// The intake form fills triage's category and unit in only from this confidence; below
    /// it the suggestion is shown beside the form for the clerk to take or leave.
    #[serde(default = "default_fill_min_confidence")]
    pub fill_min_confidence: f32,
}

fn default_fill_min_confidence() -> f32 {
    0.6
}

impl Default for IntakeSettings {
    fn default() -> Self {
        IntakeSettings {
            auto_dispatch: true,
            min_confidence: 0.9,
            channels: vec![Source::Web, Source::App, Source::Open311, Source::Transfer],
            fill_min_confidence: default_fill_min_confidence(),
        }
    }
}

impl App {
    pub async fn intake_settings(&self) -> Result<IntakeSettings, AppError> {
        let s = self
            .intake_settings_cache
            .get(|| async {
                Ok::<_, AppError>(match self.store.get_setting(SETTINGS_KEY).await? {
                    Some(t) => serde_json::from_str(&t).unwrap_or_default(),
                    None => IntakeSettings::default(),
                })
            })
            .await?;
        Ok((*s).clone())
    }

    pub async fn set_intake_settings(
        &self,
        p: &Principal,
        body: &Value,
    ) -> Result<IntakeSettings, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden("仅管理员可修改", "administrators only"));
        }
        let f = Fields::of(body, "")?;
        let mut s = self.intake_settings().await?;
        if let Some(b) = f.opt_bool("auto_dispatch")? {
            s.auto_dispatch = b;
        }
        if let Some(c) = f.opt_f64("min_confidence")? {
            if !(0.0..=1.0).contains(&c) {
                return Err(AppError::field(
                    "min_confidence",
                    "须在 0 到 1 之间",
                    "must be between 0 and 1",
                ));
            }
            s.min_confidence = c as f32;
        }
        if let Some(c) = f.opt_f64("fill_min_confidence")? {
            if !(0.0..=1.0).contains(&c) {
                return Err(AppError::field(
                    "fill_min_confidence",
                    "须在 0 到 1 之间",
                    "must be between 0 and 1",
                ));
            }
            s.fill_min_confidence = c as f32;
        }
        if body.get("channels").is_some() {
            let list = f.str_list("channels", 20)?;
            s.channels = list
                .iter()
                .map(|c| {
                    Source::parse(c).ok_or_else(|| {
                        AppError::field(
                            "channels",
                            format!("「{c}」不是来源渠道"),
                            format!("'{c}' is not a source"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        self.store
            .put_setting(
                SETTINGS_KEY,
                &serde_json::to_string(&s).map_err(AppError::internal)?,
            )
            .await?;
        self.intake_settings_cache.invalidate();
        Ok(s)
    }

    /// Notifies supervisors of a high-risk case at once (once: the alert key is unique).
    pub(crate) async fn alert_high_risk(&self, c: &Case, signals: &[&str]) -> Result<(), AppError> {
        let tree = self.org.tree().await?;
        let now = self.now();
        let users = self.users_cached().await?;
        let hub = tree
            .hub_for_region(&c.location.region)
            .map(|u| u.code.clone());
        let notifications = users
            .iter()
            .filter(|u| {
                !u.disabled && u.role == Role::Supervisor && tree.is_within(&c.hub, &u.unit)
            })
            .map(|u| {
                crate::notify::notice(
                    u,
                    c,
                    crate::notify::kind::HIGH_RISK,
                    json!({ "title": c.title, "signals": signals, "hub": hub }),
                    now,
                    &tree,
                )
            })
            .collect();
        let event = Event {
            id: Uuid::now_v7(),
            case_id: c.id,
            at: now,
            actor: None,
            actor_name: "系统（风险预警）".into(),
            unit: None,
            action: "risk_alert".into(),
            opinion: None,
            data: json!({ "level": "high", "signals": signals }),
        };
        self.store
            .record_alert(AlertWrite {
                case_id: c.id,
                key: "risk:high".into(),
                at: now,
                event: Some(event),
                notifications,
                deliveries: vec![],
                case_update: None,
            })
            .await?;
        Ok(())
    }

    /// Accepts and dispatches a new case along the catalogue when the classifier is confident:
    /// the case as it will be stored, with the accept and dispatch events to store with it.
    ///
    /// Applied before the case is written, so that registration, acceptance and dispatch are one
    /// durable write: done as two transitions after the insert, a citizen's intake cost three
    /// commits one after another, and Open311 intake ran at a third of the rate of the cases a
    /// clerk registers (about 800 against 2,600 a second on the development machine). If the
    /// dispatch cannot be applied the case is stored accepted, as before; if the acceptance cannot
    /// be, it is stored as registered.
    pub(crate) async fn auto_dispatched(
        &self,
        rules: &TimeRules,
        c: &Case,
        p: &Principal,
        confidence: f32,
    ) -> Result<Option<(Case, Vec<Event>)>, AppError> {
        let s = self.intake_settings().await?;
        let eligible = s.auto_dispatch
            && confidence >= s.min_confidence
            && s.channels.contains(&c.source)
            && !matches!(c.nature, Nature::Consult | Nature::Praise)
            && (p.kind != PrincipalKind::User || p.role == Role::Citizen);
        if !eligible {
            return Ok(None);
        }
        let Some(routing) = self.routing_for(&c.category, &c.location.region).await? else {
            return Ok(None);
        };
        let actor = Actor {
            id: None,
            name: "智能分拨".into(),
            unit: Some(c.hub.clone()),
        };
        let accept = Command {
            action: Action::Accept,
            opinion: Some(format!(
                "系统按分类「{}」自动受理（置信度 {:.2}）",
                c.category, confidence
            )),
            args: Args::None,
        };
        let dispatch = Command {
            action: Action::Dispatch,
            opinion: Some("依派单目录自动派单".into()),
            args: Args::Dispatch {
                unit: routing.unit,
                co_units: routing.co_units,
            },
        };
        let now = self.now();
        let deadlines = rules.deadlines_for(&c.location.region);
        let step = |case: &Case, cmd: &Command| {
            apply(case, cmd, &actor, now, &rules.clocks(case), &deadlines).ok()
        };
        let Some((accepted, accept_event)) = step(c, &accept) else {
            return Ok(None);
        };
        Ok(Some(match step(&accepted, &dispatch) {
            Some((dispatched, dispatch_event)) => (dispatched, vec![accept_event, dispatch_event]),
            None => (accepted, vec![accept_event]),
        }))
    }
}
