//! Administration: users and the org tree. Only the admin role configures; it does not handle cases.
//!
//! Data scope (数据权限, "本部门及以下"): an administrator manages the units and users at and below
//! their own unit; a district administrator manages the whole district.

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::org::Unit;
use crate::ports::UserRecord;
use crate::scope::Principal;
use domain::{Level, Role, UnitKind};
use serde_json::{Value, json};
use uuid::Uuid;

/// The administrator may manage `unit`: it is their own unit or below it.
fn manages(p: &Principal, tree: &crate::org::OrgTree, unit: &str) -> bool {
    p.unit
        .as_deref()
        .is_some_and(|own| tree.is_within(unit, own))
}

fn out_of_scope() -> AppError {
    AppError::forbidden(
        "超出您的管理范围（本单位及下级单位）",
        "outside the units you administer (your unit and below)",
    )
}

fn user_json(u: &UserRecord, tree: &crate::org::OrgTree) -> Value {
    json!({
        "id": u.id, "username": u.username, "name": u.display_name, "role": u.role.code(), "role_label": u.role.label_zh(),
        "unit": u.unit, "unit_name": tree.name(&u.unit), "disabled": u.disabled,
        "must_change_password": u.must_change_password,
        "created_at": crate::deadlines::format_instant(u.created_at),
    })
}

/// A password an administrator hands over after a reset: 12 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I), read out or written down once and changed at the next sign-in.
fn temporary_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
    let mut buf = [0u8; 12];
    getrandom::fill(&mut buf).map_err(AppError::internal)?;
    let mut s: String = buf
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    // Always a digit and a symbol, for policies that count character classes.
    s.push('7');
    s.push('#');
    Ok(s)
}

fn require_admin(p: &Principal) -> Result<(), AppError> {
    if p.is_staff() && p.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("仅管理员可操作", "administrators only"))
    }
}

impl App {
    pub async fn list_users(&self, p: &Principal) -> Result<Vec<Value>, AppError> {
        if !(p.is_staff() && matches!(p.role, Role::Admin | Role::Leader | Role::Supervisor)) {
            return Err(AppError::forbidden(
                "无权查看用户列表",
                "you may not list users",
            ));
        }
        let tree = self.org.tree().await?;
        Ok(self
            .store
            .users()
            .await?
            .iter()
            .filter(|u| p.role != Role::Admin || manages(p, &tree, &u.unit) || u.id == p.id)
            .map(|u| user_json(u, &tree))
            .collect())
    }

    pub async fn admin_create_user(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let unit = f.req_str("unit", 64)?;
        let tree = self.org.tree().await?;
        if tree.get(&unit).is_some() && !manages(p, &tree, &unit) {
            return Err(out_of_scope());
        }
        let u = self
            .create_user(
                &f.req_str("username", 64)?,
                &f.req_str("password", 256)?,
                &f.req_str("role", 32)?,
                &unit,
                f.opt_str("name", 50)?.as_deref(),
            )
            .await?;
        Ok(
            json!({ "id": u.id, "username": u.username, "name": u.display_name, "role": u.role.code(), "unit": u.unit }),
        )
    }

    /// Adds or updates a unit of the org tree.
    pub async fn put_unit(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let code = f.req_str("code", 64)?;
        let name = f.req_str("name", 100)?;
        let level = f.req_enum("level", Level::parse, Level::codes)?;
        let kind = f.req_enum("kind", UnitKind::parse, UnitKind::codes)?;
        let parent = f.opt_str("parent", 64)?;
        let region = f.req_str("region", 20)?;
        let tree = self.org.reload().await?;
        match &parent {
            Some(pc) if tree.get(pc).is_none() => {
                return Err(AppError::field(
                    "parent",
                    format!("上级单位 {pc} 不存在"),
                    format!("unknown parent unit {pc}"),
                ));
            }
            Some(pc) if *pc == code || tree.is_within(pc, &code) => {
                return Err(AppError::field(
                    "parent",
                    "上级单位不能是自身或下级",
                    "the parent cannot be the unit itself or below it",
                ));
            }
            None if tree.get(&code).is_none_or(|u| u.parent.is_some())
                && tree.district_hub().is_some_and(|d| d.code != code) =>
            {
                return Err(AppError::field(
                    "parent",
                    "只有区级中心可以没有上级单位",
                    "only the district hub has no parent",
                ));
            }
            _ => {}
        }
        let disabled = tree.get(&code).is_some_and(|u| u.disabled);
        let unit = Unit {
            code,
            name,
            level,
            kind,
            parent,
            region,
            disabled,
        };
        let mut units = tree.units.clone();
        match units.iter_mut().find(|u| u.code == unit.code) {
            Some(u) => *u = unit.clone(),
            None => units.push(unit.clone()),
        }
        self.store.put_units(&units).await?;
        self.org.reload().await?;
        Ok(json!(crate::views::unit_view(&unit)))
    }

    /// `PATCH /api/v1/units/{code}`: renames a unit, or takes it out of service (停用) and back.
    /// A unit that still holds open cases or enabled users is not disabled: the message says how
    /// many, so the administrator can move them first.
    pub async fn update_unit(
        &self,
        p: &Principal,
        code: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let tree = self.org.reload().await?;
        let Some(current) = tree.get(code).cloned() else {
            return Err(AppError::not_found("单位", "unit"));
        };
        if !manages(p, &tree, code) {
            return Err(out_of_scope());
        }
        let mut unit = current.clone();
        if let Some(name) = f.opt_str("name", 100)? {
            unit.name = name;
        }
        if let Some(disabled) = f.opt_bool("disabled")? {
            if disabled && !current.disabled {
                if p.unit.as_deref() == Some(code) || current.parent.is_none() {
                    return Err(AppError::field(
                        "disabled",
                        "不能停用本人所在单位或区级中心",
                        "you cannot disable your own unit or the district hub",
                    ));
                }
                let q = crate::ports::CaseQuery {
                    unit: Some(code.to_string()),
                    status: domain::Status::ALL
                        .iter()
                        .copied()
                        .filter(|s| s.is_open())
                        .collect(),
                    limit: 1,
                    count_limit: Some(10_000),
                    now: self.now(),
                    ..Default::default()
                };
                let (_, open) = self.store.list_cases(&q).await?;
                let users = self
                    .store
                    .users()
                    .await?
                    .into_iter()
                    .filter(|u| u.unit == code && !u.disabled)
                    .count();
                if open > 0 || users > 0 {
                    return Err(AppError::new(
                        ErrorKind::Unprocessable,
                        "unit_in_use",
                        format!("该单位仍有 {open} 件在办工单、{users} 个启用的用户，请先改派工单、调整或停用用户"),
                        format!("the unit still has {open} open case(s) and {users} enabled user(s); move them first"),
                    )
                    .with_field("disabled"));
                }
            }
            unit.disabled = disabled;
        }
        let units: Vec<_> = tree
            .units
            .iter()
            .map(|u| {
                if u.code == code {
                    unit.clone()
                } else {
                    u.clone()
                }
            })
            .collect();
        self.store.put_units(&units).await?;
        self.org.reload().await?;
        Ok(json!(crate::views::unit_view(&unit)))
    }

    /// The user an administrator acts on, within their scope.
    async fn managed_user(&self, p: &Principal, id: &str) -> Result<UserRecord, AppError> {
        require_admin(p)?;
        let id = Uuid::parse_str(id).map_err(|_| AppError::not_found("用户", "user"))?;
        let user = self
            .store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("用户", "user"))?;
        let tree = self.org.tree().await?;
        if !manages(p, &tree, &user.unit) {
            return Err(AppError::not_found("用户", "user"));
        }
        Ok(user)
    }

    /// Ends every session of a user at once, here and (within the credential cache's few
    /// seconds) on the other replicas.
    async fn end_sessions(&self, user: Uuid, keep: Option<&str>) -> Result<(), AppError> {
        self.store.revoke_sessions(user, keep).await?;
        // Every cached credential of the user is dropped, the kept one too: it is read again
        // from the database with what changed (a cleared must-change flag, a new role).
        if let Ok(mut c) = self.credentials_cache.lock() {
            c.retain(|_, (_, principal)| principal.id != user);
        }
        self.users_cache.invalidate();
        Ok(())
    }

    /// `PATCH /api/v1/users/{id}`: name, role, unit, or 停用/启用. Disabling ends the user's
    /// sessions at once. Administrators cannot disable or demote themselves (a district would be
    /// left without one).
    pub async fn update_user(
        &self,
        p: &Principal,
        id: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        let mut user = self.managed_user(p, id).await?;
        let f = Fields::of(body, "")?;
        let tree = self.org.tree().await?;
        if let Some(name) = f.opt_str("name", 50)? {
            user.display_name = name;
        }
        if let Some(role) = f.opt_enum("role", Role::parse, Role::codes)? {
            if user.id == p.id && role != Role::Admin {
                return Err(AppError::field(
                    "role",
                    "不能取消本人的管理员角色",
                    "you cannot take away your own administrator role",
                ));
            }
            user.role = role;
        }
        if let Some(unit) = f.opt_str("unit", 64)? {
            match tree.get(&unit) {
                None => {
                    return Err(AppError::field(
                        "unit",
                        format!("单位 {unit} 不存在"),
                        format!("unknown unit {unit}"),
                    ));
                }
                Some(u) if u.disabled => {
                    return Err(AppError::field(
                        "unit",
                        format!("单位「{}」已停用", u.name),
                        format!("unit {unit} is disabled"),
                    ));
                }
                Some(_) if !manages(p, &tree, &unit) => return Err(out_of_scope()),
                Some(_) => user.unit = unit,
            }
        }
        let mut revoke = false;
        if let Some(disabled) = f.opt_bool("disabled")? {
            if disabled && user.id == p.id {
                return Err(AppError::field(
                    "disabled",
                    "不能停用本人账号",
                    "you cannot disable your own account",
                ));
            }
            revoke = disabled && !user.disabled;
            user.disabled = disabled;
        }
        if !self.store.update_user(&user).await? {
            return Err(AppError::not_found("用户", "user"));
        }
        // A changed role or unit changes what the user may see: their sessions start again.
        if revoke || body.get("role").is_some() || body.get("unit").is_some() {
            self.end_sessions(user.id, None).await?;
        }
        self.users_cache.invalidate();
        Ok(user_json(&user, &tree))
    }

    /// `POST /api/v1/users/{id}/password`: an administrator sets a temporary password (given, or
    /// generated and shown once); the user must change it at the next sign-in, and their
    /// sessions end now.
    pub async fn reset_password(
        &self,
        p: &Principal,
        id: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        let mut user = self.managed_user(p, id).await?;
        let f = Fields::of(body, "")?;
        let (password, generated) = match f.opt_str("password", 256)? {
            Some(pw) => (pw, false),
            None => (temporary_password()?, true),
        };
        crate::auth::check_password("password", &password, &user.username)?;
        user.password_hash = crate::auth::hash_password(&password)?;
        user.must_change_password = true;
        self.store.update_user(&user).await?;
        self.end_sessions(user.id, None).await?;
        Ok(json!({
            "id": user.id, "username": user.username, "must_change_password": true,
            "temporary_password": generated.then_some(password),
        }))
    }

    /// `POST /api/v1/auth/password` {current, new}: the signed-in user changes their password
    /// (required after a reset). Other sessions of the user end; this one stays.
    pub async fn change_own_password(
        &self,
        p: &Principal,
        token: &str,
        body: &Value,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员", "staff only"));
        }
        let f = Fields::of(body, "")?;
        let current = f.req_str("current", 256)?;
        let new = f.req_str("new", 256)?;
        let mut user = self
            .store
            .user_by_id(p.id)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        if !crate::auth::verify_password(&current, &user.password_hash) {
            return Err(AppError::field(
                "current",
                "当前密码不正确",
                "the current password is wrong",
            ));
        }
        if new == current {
            return Err(AppError::field(
                "new",
                "新密码不能与当前密码相同",
                "the new password must differ from the current one",
            ));
        }
        crate::auth::check_password("new", &new, &user.username)?;
        user.password_hash = crate::auth::hash_password(&new)?;
        user.must_change_password = false;
        self.store.update_user(&user).await?;
        self.end_sessions(user.id, Some(&crate::auth::token_hash(token)))
            .await?;
        Ok(json!({ "changed": true }))
    }
}
