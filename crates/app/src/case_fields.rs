//! Which fields of a new case each caller may set: one table, [`FIELD_RIGHTS`], for every way a
//! case comes in (staff intake, the portal, a citizen's account, API keys, Open311, ledger import).
//!
//! Everyone gives the matter itself: description, title, nature, the reporter (name, phone,
//! email) and the place. What steers the case — its category (分类), urgency (紧急程度), the
//! time it was reported (it decides the month it is counted in) and the channel (来源) — is set
//! by staff and trusted integrations; for citizens the center's triage and the clock decide.
//!
//! **Refused, never ignored.** A field the caller may not set, when given (not null, not empty),
//! is a 403 `field_not_permitted` that names it, and nothing is stored — on every channel alike,
//! the portal included. A caller learns at once that the value was not taken instead of believing
//! it was. A channel with one possible source accepts that source (a citizen may send
//! `"source": "web"`) and refuses any other.

use crate::error::{AppError, ErrorKind};
use crate::scope::{Principal, PrincipalKind};
use domain::{Role, Source};
use serde_json::{Value, json};

/// The ways a case comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The public portal, without an account (`POST /api/v1/portal/cases`).
    Portal,
    /// A citizen's own account (`POST /api/v1/cases` signed in as `citizen`).
    CitizenAccount,
    /// One-window intake by staff (`POST /api/v1/cases` as clerk or dispatcher).
    StaffIntake,
    /// An integration's API key on `POST /api/v1/cases` (12345 transfers, a city app).
    Integration,
    /// An Open311 client with an API key (`POST /open311/v2/requests`): the category comes from
    /// the `service_code`.
    Open311,
    /// 走访问题台账 (`POST /api/v1/ledger/import`, `onewindow ledger import`): the category from its
    /// column, the time reported from the visit date.
    LedgerImport,
}

/// The fields that steer a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Category,
    Urgency,
    ReportedAt,
}

impl Field {
    pub fn key(self) -> &'static str {
        match self {
            Field::Category => "category",
            Field::Urgency => "urgency",
            Field::ReportedAt => "reported_at",
        }
    }
    fn label_zh(self) -> &'static str {
        match self {
            Field::Category => "分类",
            Field::Urgency => "紧急程度",
            Field::ReportedAt => "反映时间",
        }
    }
    const ALL: [Field; 3] = [Field::Category, Field::Urgency, Field::ReportedAt];
}

/// What one channel may do.
#[derive(Debug)]
pub struct FieldRights {
    pub channel: Channel,
    /// Who uses the channel: the roles of signed-in users, or the kind of caller.
    pub callers: Callers,
    /// The steering fields the caller may set; the others are refused when given.
    pub fields: &'static [Field],
    /// The sources (来源) the caller may give; the first is the default.
    pub sources: &'static [Source],
    /// The reporter's phone is required: the portal's tracking secret, and the 回访 call. Open311
    /// makes it optional (a case without one is followed up by email, or marked as not reachable
    /// for 回访); a ledger row may not have one.
    pub phone_required: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Callers {
    Users(&'static [Role]),
    ApiKeys,
    Anonymous,
}

/// The table. Tested row by row in `crates/onewindow/tests/case_fields.rs`.
pub const FIELD_RIGHTS: &[FieldRights] = &[
    FieldRights {
        channel: Channel::Portal,
        callers: Callers::Anonymous,
        fields: &[],
        sources: &[Source::Web],
        phone_required: true,
    },
    FieldRights {
        channel: Channel::CitizenAccount,
        callers: Callers::Users(&[Role::Citizen]),
        fields: &[],
        sources: &[Source::Web],
        phone_required: true,
    },
    FieldRights {
        channel: Channel::StaffIntake,
        callers: Callers::Users(&[Role::Clerk, Role::Dispatcher]),
        fields: &[Field::Category, Field::Urgency, Field::ReportedAt],
        // The channels a clerk records by hand; web, app, open311 and import have their own doors.
        sources: &[
            Source::Window,
            Source::Phone,
            Source::Visit,
            Source::Grid,
            Source::Inspector,
            Source::Transfer,
            Source::Leader,
            Source::Media,
        ],
        phone_required: true,
    },
    FieldRights {
        channel: Channel::Integration,
        callers: Callers::ApiKeys,
        fields: &[Field::Category, Field::Urgency, Field::ReportedAt],
        sources: &[Source::Transfer, Source::App, Source::Grid, Source::Media],
        phone_required: true,
    },
    FieldRights {
        channel: Channel::Open311,
        callers: Callers::ApiKeys,
        fields: &[Field::Category],
        sources: &[Source::Open311],
        phone_required: false,
    },
    FieldRights {
        channel: Channel::LedgerImport,
        callers: Callers::Users(&[Role::Clerk, Role::Dispatcher, Role::Admin]),
        fields: &[Field::Category, Field::ReportedAt],
        sources: &[Source::Visit],
        phone_required: false,
    },
];

pub fn rights(channel: Channel) -> &'static FieldRights {
    FIELD_RIGHTS
        .iter()
        .find(|r| r.channel == channel)
        .unwrap_or(&FIELD_RIGHTS[0])
}

/// The channel of `POST /api/v1/cases` for this caller; None when the caller may not register.
pub fn api_channel(p: &Principal) -> Option<Channel> {
    match p.kind {
        PrincipalKind::Portal => Some(Channel::Portal),
        PrincipalKind::ApiKey => Some(Channel::Integration),
        PrincipalKind::User => [Channel::CitizenAccount, Channel::StaffIntake]
            .into_iter()
            .find(|c| rights(*c).admits(p)),
    }
}

fn not_permitted(p: &Principal, field: &str, zh_what: &str, allowed: Value) -> AppError {
    let who_zh = match p.kind {
        PrincipalKind::Portal => "网上门户".to_string(),
        PrincipalKind::ApiKey => "接口密钥".to_string(),
        PrincipalKind::User => format!("角色「{}」", p.role.label_zh()),
    };
    let who_en = match p.kind {
        PrincipalKind::Portal => "the public portal".to_string(),
        PrincipalKind::ApiKey => "an API key".to_string(),
        PrincipalKind::User => format!("role {}", p.role),
    };
    AppError::new(
        ErrorKind::Forbidden,
        "field_not_permitted",
        format!("字段 {field}：{who_zh}不能设置{zh_what}，请去掉该字段（由受理中心确定）"),
        format!("field {field}: {who_en} may not set it; leave it out (the center decides it)"),
    )
    .with_details(json!({ "field": field, "allowed": allowed }))
    .with_field(field)
}

impl FieldRights {
    /// Whether `p` may use this channel.
    pub fn admits(&self, p: &Principal) -> bool {
        match self.callers {
            Callers::Users(roles) => p.kind == PrincipalKind::User && roles.contains(&p.role),
            Callers::ApiKeys => p.kind == PrincipalKind::ApiKey,
            Callers::Anonymous => p.kind == PrincipalKind::Portal,
        }
    }

    /// 403 unless `p` may use this channel.
    pub fn check_caller(&self, p: &Principal) -> Result<(), AppError> {
        if self.admits(p) {
            return Ok(());
        }
        Err(AppError::forbidden(
            format!("角色「{}」不能登记工单", p.role.label_zh()),
            format!("role {} may not register cases", p.role),
        ))
    }

    pub fn may_set(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }

    /// Refuses the steering fields of a request body that `p` may not set on this channel (a
    /// field that is absent, null or an empty string is not set).
    pub fn check_body(&self, p: &Principal, body: &Value) -> Result<(), AppError> {
        let given = |k: &str| {
            body.get(k)
                .is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
        };
        for f in Field::ALL {
            if given(f.key()) && !self.may_set(f) {
                return Err(not_permitted(p, f.key(), f.label_zh(), json!([])));
            }
        }
        Ok(())
    }

    /// The source of a new case: the one given, if the channel allows it, else the default.
    pub fn source(&self, p: &Principal, given: Option<Source>) -> Result<Source, AppError> {
        match given {
            None => Ok(self.sources[0]),
            Some(s) if self.sources.contains(&s) => Ok(s),
            Some(s) => Err(not_permitted(
                p,
                "source",
                &format!(
                    "来源「{}」（可用：{}）",
                    s.label_zh(),
                    self.sources
                        .iter()
                        .map(|s| s.label_zh())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                json!(self.sources.iter().map(|s| s.code()).collect::<Vec<_>>()),
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn who(kind: PrincipalKind, role: Role) -> Principal {
        Principal {
            id: Uuid::nil(),
            username: "u".into(),
            name: "u".into(),
            role,
            unit: None,
            kind,
            must_change_password: false,
            client: None,
        }
    }

    #[test]
    fn one_row_per_channel_and_a_default_source_each() {
        for c in [
            Channel::Portal,
            Channel::CitizenAccount,
            Channel::StaffIntake,
            Channel::Integration,
            Channel::Open311,
            Channel::LedgerImport,
        ] {
            assert_eq!(FIELD_RIGHTS.iter().filter(|r| r.channel == c).count(), 1);
            assert!(!rights(c).sources.is_empty());
        }
    }

    #[test]
    fn citizens_steer_nothing() {
        let citizen = who(PrincipalKind::User, Role::Citizen);
        assert_eq!(api_channel(&citizen), Some(Channel::CitizenAccount));
        let r = rights(Channel::CitizenAccount);
        for (k, v) in [
            ("category", json!("城市管理/占道经营")),
            ("urgency", json!("critical")),
            ("reported_at", json!("2020-01-01")),
        ] {
            let e = r.check_body(&citizen, &json!({ k: v })).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Forbidden);
            assert_eq!(e.field.as_deref(), Some(k));
        }
        assert!(
            r.check_body(&citizen, &json!({ "category": null, "urgency": "" }))
                .is_ok()
        );
        assert_eq!(r.source(&citizen, Some(Source::Web)).unwrap(), Source::Web);
        let e = r.source(&citizen, Some(Source::Leader)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("source"));
        assert_eq!(e.details.as_ref().unwrap()["allowed"], json!(["web"]));
    }

    #[test]
    fn callers_of_each_channel() {
        let clerk = who(PrincipalKind::User, Role::Clerk);
        let leader = who(PrincipalKind::User, Role::Leader);
        let admin = who(PrincipalKind::User, Role::Admin);
        let key = who(PrincipalKind::ApiKey, Role::Citizen);
        assert_eq!(api_channel(&clerk), Some(Channel::StaffIntake));
        assert_eq!(api_channel(&leader), None);
        assert_eq!(
            api_channel(&admin),
            None,
            "admins configure, they do not register"
        );
        assert!(rights(Channel::LedgerImport).admits(&admin));
        assert_eq!(api_channel(&key), Some(Channel::Integration));
        assert!(rights(Channel::Open311).admits(&key));
        assert!(!rights(Channel::Open311).admits(&clerk));
        let staff = rights(Channel::StaffIntake);
        assert_eq!(staff.source(&clerk, None).unwrap(), Source::Window);
        assert!(staff.source(&clerk, Some(Source::Open311)).is_err());
        assert!(
            staff
                .check_body(
                    &clerk,
                    &json!({ "category": "x", "urgency": "critical", "reported_at": "2026-01-01" })
                )
                .is_ok()
        );
        let o = rights(Channel::Open311);
        assert!(
            o.check_body(&key, &json!({ "urgency": "critical" }))
                .is_err()
        );
        assert!(!o.phone_required);
    }
}
