//! Administration: users and the org tree. Only the admin role configures; it does not handle cases.

use crate::App;
use crate::error::AppError;
use crate::input::Fields;
use crate::org::Unit;
use crate::scope::Principal;
use domain::{Level, Role, UnitKind};
use serde_json::{Value, json};

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
            .map(|u| {
                json!({
                    "id": u.id, "username": u.username, "name": u.display_name, "role": u.role.code(), "role_label": u.role.label_zh(),
                    "unit": u.unit, "unit_name": tree.name(&u.unit), "disabled": u.disabled,
                    "created_at": crate::deadlines::format_instant(u.created_at),
                })
            })
            .collect())
    }

    pub async fn admin_create_user(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let u = self
            .create_user(
                &f.req_str("username", 64)?,
                &f.req_str("password", 256)?,
                &f.req_str("role", 32)?,
                &f.req_str("unit", 64)?,
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
        let unit = Unit {
            code,
            name,
            level,
            kind,
            parent,
            region,
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
}
