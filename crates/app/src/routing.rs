//! The routing catalogue (派单目录): which unit handles a category in a region, and which co-units
//! join it. Admin data; the demo district's default comes from the taxonomy.

use crate::App;
use crate::error::AppError;
use crate::org::OrgTree;
use crate::ports::Route;
use serde::Serialize;
use utoipa::ToSchema;

/// A category with the unit the catalogue routes it to (without region override).
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub category: String,
    pub top: String,
    pub sub: String,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
}

/// The routing decision for a category at a region.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Routing {
    pub unit: String,
    pub co_units: Vec<String>,
}

/// The most specific route for `category` at `region` (longest matching region prefix), skipping
/// rows whose unit is out of service (停用): such a case waits for a dispatcher instead.
pub fn route(routes: &[Route], tree: &OrgTree, category: &str, region: &str) -> Option<Routing> {
    let r = routes
        .iter()
        .filter(|r| r.category == category && region.starts_with(&r.region))
        .filter(|r| tree.get(&r.unit).is_none_or(|u| !u.disabled))
        .max_by_key(|r| r.region.len())?;
    let co_units = if r.co_street {
        tree.street_of_region(region)
            .map(|s| s.code.clone())
            .into_iter()
            .filter(|s| *s != r.unit)
            .collect()
    } else {
        vec![]
    };
    Some(Routing {
        unit: r.unit.clone(),
        co_units,
    })
}

impl App {
    /// Installs the default catalogue: each taxonomy category to its department, street as co-unit.
    pub async fn install_default_catalogue(&self) -> Result<usize, AppError> {
        let routes: Vec<Route> = demo::TAXONOMY
            .iter()
            .filter_map(|(category, dept)| {
                demo::department_for(dept).map(|unit| Route {
                    category: (*category).to_string(),
                    region: String::new(),
                    unit: unit.to_string(),
                    co_street: true,
                })
            })
            .collect();
        self.store.put_catalogue(&routes).await?;
        self.catalogue_cache.invalidate();
        Ok(routes.len())
    }

    pub async fn categories(&self) -> Result<Vec<CategoryView>, AppError> {
        let tree = self.org.tree().await?;
        let routes = self.store.catalogue().await?;
        let mut cats: Vec<String> = triage::TAXONOMY
            .iter()
            .map(|(c, _)| (*c).to_string())
            .collect();
        for r in &routes {
            if !cats.contains(&r.category) {
                cats.push(r.category.clone());
            }
        }
        Ok(cats
            .into_iter()
            .map(|category| {
                let (top, sub) = category
                    .split_once('/')
                    .map_or((category.clone(), String::new()), |(a, b)| {
                        (a.to_string(), b.to_string())
                    });
                let unit = routes
                    .iter()
                    .find(|r| r.category == category && r.region.is_empty())
                    .map(|r| r.unit.clone());
                CategoryView {
                    unit_name: unit.as_deref().map(|u| tree.name(u)),
                    unit,
                    top,
                    sub,
                    category,
                }
            })
            .collect())
    }

    pub async fn catalogue(&self) -> Result<Vec<Route>, AppError> {
        Ok((*self.catalogue_cached().await?).clone())
    }

    /// The routing catalogue, kept for a short while (every intake and triage call reads it).
    pub(crate) async fn catalogue_cached(&self) -> Result<std::sync::Arc<Vec<Route>>, AppError> {
        self.catalogue_cache
            .get(|| async { Ok::<_, AppError>(self.store.catalogue().await?) })
            .await
    }

    /// Users, kept for a short while (high-risk intakes look for supervisors among them).
    pub(crate) async fn users_cached(
        &self,
    ) -> Result<std::sync::Arc<Vec<crate::ports::UserRecord>>, AppError> {
        self.users_cache
            .get(|| async { Ok::<_, AppError>(self.store.users().await?) })
            .await
    }

    /// Replaces the routing catalogue (admin). Every row must name a `一级/二级` category, an
    /// existing unit and, when given, a region some hub covers; a category × region pair once.
    pub async fn set_catalogue(
        &self,
        p: &crate::scope::Principal,
        body: &serde_json::Value,
    ) -> Result<Vec<Route>, AppError> {
        if !(p.is_staff() && p.role == domain::Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可修改派单目录",
                "only administrators may change the routing catalogue",
            ));
        }
        let items = body
            .as_array()
            .ok_or_else(|| AppError::field("body", "应为数组", "must be an array of routes"))?;
        let tree = self.org.tree().await?;
        let mut routes: Vec<Route> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = |f: &str| format!("[{i}].{f}");
            let f = crate::input::Fields::of(item, "")?;
            let category = f.req_str("category", 64).map_err(|_| {
                AppError::field(
                    at("category"),
                    "必填，格式为「一级/二级」",
                    "required, as 'top/sub'",
                )
            })?;
            if !category.contains('/') {
                return Err(AppError::field(
                    at("category"),
                    "格式为「一级/二级」",
                    "must be 'top/sub'",
                ));
            }
            let unit = f
                .req_str("unit", 64)
                .map_err(|_| AppError::field(at("unit"), "必填", "is required"))?;
            if tree.get(&unit).is_none() {
                return Err(AppError::field(
                    at("unit"),
                    format!("单位 {unit} 不存在"),
                    format!("unknown unit {unit}"),
                ));
            }
            let region = f.opt_str("region", 20)?.unwrap_or_default();
            if !region.is_empty() && !tree.units.iter().any(|u| u.region == region) {
                return Err(AppError::field(
                    at("region"),
                    format!("区划代码 {region} 不存在"),
                    format!("unknown region {region}"),
                ));
            }
            let co_street = f.opt_bool("co_street")?.unwrap_or(true);
            if routes
                .iter()
                .any(|r| r.category == category && r.region == region)
            {
                return Err(AppError::field(
                    at("category"),
                    "同一分类和区划重复",
                    "duplicate category and region",
                ));
            }
            routes.push(Route {
                category,
                region,
                unit,
                co_street,
            });
        }
        self.store.put_catalogue(&routes).await?;
        self.catalogue_cache.invalidate();
        Ok(routes)
    }

    /// The catalogue's routing for a category at a region.
    pub async fn routing_for(
        &self,
        category: &str,
        region: &str,
    ) -> Result<Option<Routing>, AppError> {
        let tree = self.org.tree().await?;
        let routes = self.catalogue_cached().await?;
        Ok(route(&routes, &tree, category, region))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::org::Unit;
    use domain::{Level, UnitKind};

    #[test]
    fn longest_region_prefix_wins_and_street_joins() {
        let u = |code: &str, level, kind, parent: Option<&str>| Unit {
            code: code.into(),
            name: code.into(),
            level,
            kind,
            parent: parent.map(Into::into),
            region: code.into(),
            disabled: false,
        };
        let tree = OrgTree::new(vec![
            u("330188", Level::District, UnitKind::Hub, None),
            u("330188001", Level::Street, UnitKind::Hub, Some("330188")),
            u(
                "330188001001",
                Level::Community,
                UnitKind::Hub,
                Some("330188001"),
            ),
        ]);
        let routes = vec![
            Route {
                category: "邻里纠纷/相邻关系".into(),
                region: String::new(),
                unit: "sfj".into(),
                co_street: true,
            },
            Route {
                category: "邻里纠纷/相邻关系".into(),
                region: "330188001".into(),
                unit: "330188001001".into(),
                co_street: false,
            },
        ];
        assert_eq!(
            route(&routes, &tree, "邻里纠纷/相邻关系", "330188002003").unwrap(),
            Routing {
                unit: "sfj".into(),
                co_units: vec![]
            }
        );
        assert_eq!(
            route(&routes, &tree, "邻里纠纷/相邻关系", "330188001001")
                .unwrap()
                .unit,
            "330188001001"
        );
        let r = route(&routes[..1], &tree, "邻里纠纷/相邻关系", "330188001001").unwrap();
        assert_eq!(r.co_units, vec!["330188001".to_string()]);
        assert!(route(&routes, &tree, "城市管理/占道经营", "330188001001").is_none());
    }
}
