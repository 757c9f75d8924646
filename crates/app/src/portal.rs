//! The public portal: citizens submit without an account, track a case by its number and their
//! phone, and rate the outcome once it is resolved. The phone is the secret: a wrong one is
//! answered exactly like an unknown number, so numbers cannot be probed. Every attempt is rationed
//! (see `throttle`): look-ups per client address, per case number (guessing one case's phone) and
//! per phone (walking the sequential numbers with a known phone); submissions per client address
//! and per reporter phone.

use crate::App;
use crate::deadlines::format_instant;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::scope::{Principal, PrincipalKind};
use crate::throttle::{Bucket, Client, Refusal, address_key};
use domain::machine::{Actor, Args, Command};
use domain::{Action, Role, Satisfaction, Status};
use serde_json::{Value, json};
use uuid::Uuid;

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn portal_principal() -> Principal {
    Principal {
        id: Uuid::nil(),
        username: "portal".into(),
        name: "群众（网上门户）".into(),
        role: Role::Citizen,
        unit: None,
        kind: PrincipalKind::Portal,
        must_change_password: false,
        client: None,
    }
}

/// Timeline entries a citizen sees: the step and when, not the staff's internal opinions.
fn public_label(action: &str) -> Option<&'static str> {
    Some(match action {
        domain::EVENT_REGISTER => "已登记",
        "accept" => "已受理",
        "reject" => "不予受理",
        "answer" => "已直接答复",
        "dispatch" => "已派至承办单位",
        "sign" => "承办单位已签收",
        "return" => "重新派单中",
        "decide_extension" => "办理期限已调整",
        "resolve" => "已办结答复",
        "follow_up" => "已回访评价",
        "reopen" => "重新办理",
        "escalate" => "已上报上级中心",
        "merge" => "已与同一诉求合并办理",
        "close" => "已结案",
        _ => return None,
    })
}

/// Keys are bounded: a 10 KB "case number" is charged like any other wrong one.
fn bounded(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

impl App {
    /// Charges a portal look-up (track or rate) to the client, the number and the phone.
    pub(crate) async fn ration_lookup(
        &self,
        number: &str,
        phone: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let l = &self.settings.limits;
        let mut buckets = vec![
            Bucket::new(
                "portal.lookup.addr",
                &address_key(client.addr),
                l.portal_lookup_per_address,
            ),
            Bucket::new(
                "portal.lookup.number",
                &bounded(number, 40),
                l.portal_lookup_per_number,
            ),
        ];
        let phone = bounded(&digits(phone), 32);
        if !phone.is_empty() {
            buckets.push(Bucket::new(
                "portal.lookup.phone",
                &phone,
                l.portal_lookup_per_phone,
            ));
        }
        self.ration(&buckets, Refusal::Portal).await.map(|_| ())
    }

    /// Submits a request from the portal: a registered case with source `web`, charged to the
    /// client address and the phone (rate limits). Category, urgency and the time reported are
    /// the center's to set: given here, they are refused with a 403 naming the field, as on every
    /// channel (`case_fields`).
    pub async fn portal_submit(&self, body: &Value, client: &Client) -> Result<Value, AppError> {
        let l = &self.settings.limits;
        let mut buckets = vec![Bucket::new(
            "portal.submit.addr",
            &address_key(client.addr),
            l.portal_submit_per_address,
        )];
        let phone = body
            .pointer("/reporter/phone")
            .and_then(Value::as_str)
            .map(|p| bounded(&digits(p), 32))
            .unwrap_or_default();
        if !phone.is_empty() {
            buckets.push(Bucket::new(
                "portal.submit.phone",
                &phone,
                l.portal_submit_per_phone,
            ));
        }
        self.ration(&buckets, Refusal::Portal).await?;
        let v = self
            .register_case(
                &portal_principal(),
                crate::case_fields::Channel::Portal,
                body,
            )
            .await?;
        Ok(json!({
            "number": v.number,
            "status": v.status,
            "status_label": v.status_label,
            "created_at": v.created_at,
            "message": format!("您的诉求已登记，工单编号 {}。请凭编号和手机号查询办理进度。", v.number),
        }))
    }

    pub(crate) async fn portal_case(
        &self,
        number: &str,
        phone: &str,
    ) -> Result<domain::Case, AppError> {
        let not_found = || {
            AppError::new(
                ErrorKind::NotFound,
                "not_found",
                "未找到该工单，请核对工单编号和手机号",
                "no case with this number and phone; check both",
            )
        };
        let case = self
            .store
            .get_case_by_number(number.trim())
            .await?
            .ok_or_else(not_found)?;
        let given = digits(phone);
        if given.is_empty() || digits(&case.reporter.phone) != given {
            return Err(not_found());
        }
        Ok(case)
    }

    pub async fn portal_track(
        &self,
        number: &str,
        phone: &str,
        client: &Client,
    ) -> Result<Value, AppError> {
        self.ration_lookup(number, phone, client).await?;
        self.portal_view(number, phone).await
    }

    async fn portal_view(&self, number: &str, phone: &str) -> Result<Value, AppError> {
        let case = self.portal_case(number, phone).await?;
        let tree = self.org.tree().await?;
        let events = self.store.events(case.id).await?;
        let timeline: Vec<Value> = events
            .iter()
            .filter_map(|e| public_label(&e.action).map(|l| json!({ "at": format_instant(e.at), "action": e.action, "action_label": l })))
            .collect();
        Ok(json!({
            "number": case.number,
            "title": case.title,
            "status": case.status.code(),
            "status_label": case.status.label_zh(),
            "category": case.category,
            "unit_name": case.unit.as_deref().map(|u| tree.name(u)),
            "reported_at": format_instant(case.reported_at),
            "reply": case.reply,
            "satisfaction": case.satisfaction.map(|s| s.code()),
            "can_rate": case.status == Status::Resolved,
            "timeline": timeline,
            "attachments": self.public_attachments(case.id).await?,
        }))
    }

    /// The citizen's own rating of a resolved case: recorded as the follow-up (回访).
    pub async fn portal_rate(
        &self,
        number: &str,
        body: &Value,
        client: &Client,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let phone = f.req_str("phone", 30)?;
        let satisfaction = f.req_enum("satisfaction", Satisfaction::parse, Satisfaction::codes)?;
        let resolved = f.req_bool("resolved")?;
        let comment = f.opt_str("comment", domain::machine::MAX_TEXT)?;
        self.ration_lookup(number, &phone, client).await?;
        let case = self.portal_case(number, &phone).await?;
        if case.status != Status::Resolved {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                "not_ratable",
                format!(
                    "工单当前状态为「{}」，办结后才能评价",
                    case.status.label_zh()
                ),
                format!("the case is {}; it can be rated once resolved", case.status),
            ));
        }
        let actor = Actor {
            id: None,
            name: format!("诉求人 {}", case.reporter.name),
            unit: None,
        };
        let cmd = Command {
            action: Action::FollowUp,
            opinion: comment,
            args: Args::FollowUp {
                method: domain::FollowUpMethod::Portal,
                result: domain::machine::FollowUpResult::Reached {
                    satisfaction,
                    resolved,
                },
            },
        };
        self.commit(&case, &cmd, &actor, None).await?;
        self.portal_view(number, &phone).await
    }
}
