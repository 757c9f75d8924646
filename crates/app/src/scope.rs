//! Data scope (数据权限, RuoYi's "本部门及以下"): who sees and who may act on which case.
//!
//! A staff user sees cases in their unit's subtree — the hub that owns the case, its main unit or a
//! co-unit is in the subtree, or its location is in the region the unit's hub covers. Users of the
//! district hub see the whole district. Citizens and integrations see what they submitted.

use crate::error::AppError;
use crate::org::OrgTree;
use crate::ports::Scope;
use domain::machine::{Party, may_act, party_of};
use domain::{Action, Case, Level, Role, UnitKind};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalKind {
    User,
    ApiKey,
    /// An anonymous citizen on the public portal.
    Portal,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// User id, or API key id for integrations.
    pub id: Uuid,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub kind: PrincipalKind,
    /// An administrator reset the password: until the user sets their own, only signing out,
    /// `me` and changing the password are allowed.
    pub must_change_password: bool,
    /// The client's address as the edge saw it (through trusted proxies), for the audit log.
    pub client: Option<String>,
}

impl Principal {
    pub fn is_staff(&self) -> bool {
        self.kind == PrincipalKind::User && self.role != Role::Citizen
    }
}

/// The storage predicate for what `p` may read.
/// The district's office for the instruments that rank and steer units (红黄黑榜, key programs,
/// visit campaigns): administrators, and supervisors and leaders of the district's centre.
pub fn is_district_office(p: &Principal, tree: &OrgTree) -> bool {
    p.is_staff()
        && (p.role == Role::Admin
            || (matches!(p.role, Role::Supervisor | Role::Leader)
                && p.unit.as_deref() == tree.district_hub().map(|u| u.code.as_str())))
}

pub fn read_scope(p: &Principal, tree: &OrgTree) -> Scope {
    if !p.is_staff() {
        return Scope::CreatedBy(p.id);
    }
    let Some(unit) = p.unit.as_deref().and_then(|c| tree.get(c)) else {
        return Scope::Units {
            units: vec![],
            regions: vec![],
        };
    };
    if unit.level == Level::District && unit.kind == UnitKind::Hub {
        return Scope::All;
    }
    let regions = if unit.kind == UnitKind::Hub {
        vec![unit.region.clone()]
    } else {
        vec![]
    };
    Scope::Units {
        units: tree.subtree(&unit.code),
        regions,
    }
}

/// The same predicate as [`read_scope`], evaluated on one case in memory.
pub fn can_see(p: &Principal, tree: &OrgTree, case: &Case) -> bool {
    match read_scope(p, tree) {
        Scope::All => true,
        Scope::CreatedBy(id) => case.created_by == Some(id),
        Scope::Units { units, regions } => {
            let has = |c: &str| units.iter().any(|u| u == c);
            has(&case.hub)
                || case.unit.as_deref().is_some_and(has)
                || case.co_units.iter().any(|c| has(c))
                || regions
                    .iter()
                    .any(|r| case.location.region.starts_with(r.as_str()))
        }
    }
}

/// Whether `p` may take `action` on a case it can see: the role must be one DESIGN.md names for the
/// action, and the principal must belong to the party the action belongs to.
pub fn check_act(
    p: &Principal,
    tree: &OrgTree,
    case: &Case,
    action: Action,
) -> Result<(), AppError> {
    if !p.is_staff() || !may_act(p.role, action) {
        return Err(AppError::forbidden(
            format!(
                "角色「{}」不能执行「{}」",
                p.role.label_zh(),
                action.label_zh()
            ),
            format!("role {} may not {}", p.role, action),
        ));
    }
    let unit = p.unit.as_deref().unwrap_or_default();
    let ok = match party_of(action) {
        Party::Hub => {
            tree.get(unit).is_some_and(|u| u.kind == UnitKind::Hub)
                && tree.is_within(&case.hub, unit)
        }
        Party::Unit => case.unit.as_deref() == Some(unit),
        Party::Observer => can_see(p, tree, case),
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::forbidden(
            format!(
                "该工单不属于您的单位（{}），不能执行「{}」",
                tree.name(unit),
                action.label_zh()
            ),
            format!("this case does not belong to your unit ({unit}); you may not {action}"),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::org::Unit;
    use domain::{Location, Nature, Reporter, Source, Status, Urgency};

    fn tree() -> OrgTree {
        let u = |code: &str, level, kind, parent: Option<&str>, region: &str| Unit {
            code: code.into(),
            name: code.into(),
            level,
            kind,
            parent: parent.map(Into::into),
            region: region.into(),
            disabled: false,
        };
        OrgTree::new(vec![
            u("330188", Level::District, UnitKind::Hub, None, "330188"),
            u(
                "cgj",
                Level::District,
                UnitKind::Department,
                Some("330188"),
                "330188",
            ),
            u(
                "zjj",
                Level::District,
                UnitKind::Department,
                Some("330188"),
                "330188",
            ),
            u(
                "330188001",
                Level::Street,
                UnitKind::Hub,
                Some("330188"),
                "330188001",
            ),
            u(
                "330188001001",
                Level::Community,
                UnitKind::Hub,
                Some("330188001"),
                "330188001001",
            ),
            u(
                "330188002",
                Level::Street,
                UnitKind::Hub,
                Some("330188"),
                "330188002",
            ),
        ])
    }

    fn who(role: Role, unit: &str) -> Principal {
        Principal {
            id: Uuid::now_v7(),
            username: "u".into(),
            name: "u".into(),
            role,
            unit: Some(unit.into()),
            kind: PrincipalKind::User,
            must_change_password: false,
            client: None,
        }
    }

    fn case_at(region: &str, hub: &str, unit: Option<&str>) -> Case {
        Case {
            id: Uuid::now_v7(),
            number: "2026-000001".into(),
            title: "t".into(),
            description: "d".into(),
            nature: Nature::Complaint,
            category: "城市管理/占道经营".into(),
            urgency: Urgency::Normal,
            source: Source::Phone,
            reporter: Reporter {
                name: "n".into(),
                phone: "13800000000".into(),
                email: None,
            },
            location: Location {
                address: "a".into(),
                region: region.into(),
                lat: None,
                lon: None,
            },
            reported_at: 0,
            created_at: 0,
            updated_at: 0,
            status: Status::Dispatched,
            version: 1,
            hub: hub.into(),
            unit: unit.map(Into::into),
            co_units: vec![],
            created_by: None,
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
            risk_level: "none".into(),
        }
    }

    #[test]
    fn district_hub_sees_all_street_sees_its_region_department_sees_assigned() {
        let t = tree();
        let c = case_at("330188001001", "330188", Some("cgj"));
        assert_eq!(read_scope(&who(Role::Leader, "330188"), &t), Scope::All);
        assert!(
            can_see(&who(Role::Handler, "330188001"), &t, &c),
            "street sees its region"
        );
        assert!(
            can_see(&who(Role::Handler, "330188001001"), &t, &c),
            "community sees its region"
        );
        assert!(
            !can_see(&who(Role::Handler, "330188002"), &t, &c),
            "another street does not"
        );
        assert!(
            can_see(&who(Role::Handler, "cgj"), &t, &c),
            "the assigned department sees it"
        );
        assert!(
            !can_see(&who(Role::Handler, "zjj"), &t, &c),
            "another department does not"
        );
        let mut co = c.clone();
        co.co_units = vec!["330188002".into()];
        assert!(
            can_see(&who(Role::Handler, "330188002"), &t, &co),
            "a co-unit sees it"
        );
    }

    #[test]
    fn citizens_see_only_their_own() {
        let t = tree();
        let me = who(Role::Citizen, "330188");
        let mut c = case_at("330188001001", "330188", None);
        assert!(!can_see(&me, &t, &c));
        c.created_by = Some(me.id);
        assert!(can_see(&me, &t, &c));
    }

    #[test]
    fn acting_needs_role_and_party() {
        let t = tree();
        let c = case_at("330188001001", "330188", Some("cgj"));
        assert!(check_act(&who(Role::Handler, "cgj"), &t, &c, Action::Sign).is_ok());
        assert!(check_act(&who(Role::UnitLead, "cgj"), &t, &c, Action::Sign).is_ok());
        assert!(
            check_act(&who(Role::Handler, "zjj"), &t, &c, Action::Sign).is_err(),
            "not the assigned unit"
        );
        assert!(
            check_act(&who(Role::Dispatcher, "cgj"), &t, &c, Action::Sign).is_err(),
            "wrong role"
        );
        assert!(check_act(&who(Role::Dispatcher, "330188"), &t, &c, Action::Dispatch).is_ok());
        assert!(
            check_act(
                &who(Role::Dispatcher, "330188001"),
                &t,
                &c,
                Action::Dispatch
            )
            .is_err(),
            "the case belongs to the district hub"
        );
        assert!(check_act(&who(Role::Supervisor, "330188"), &t, &c, Action::Urge).is_ok());
        assert!(
            check_act(&who(Role::Supervisor, "330188002"), &t, &c, Action::Urge).is_err(),
            "supervisor must see the case"
        );
        assert!(
            check_act(&who(Role::Admin, "330188"), &t, &c, Action::Dispatch).is_err(),
            "admin does not handle cases"
        );
        let street = case_at("330188001001", "330188001", None);
        assert!(
            check_act(
                &who(Role::Dispatcher, "330188"),
                &t,
                &street,
                Action::Dispatch
            )
            .is_ok(),
            "a higher hub may act for a lower one"
        );
    }
}
