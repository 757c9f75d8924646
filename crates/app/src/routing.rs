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

/// An error about row `i` of the catalogue (from 0): the field is `[i].…`, the message says which
/// row (counted from 1), and `details.row` is the index.
fn row_error(i: usize, field: &str, zh: String, en: String) -> AppError {
    AppError::new(
        crate::error::ErrorKind::Unprocessable,
        "invalid_field",
        format!("派单目录第 {} 行：{zh}", i + 1),
        format!("catalogue row {}: {en}", i + 1),
    )
    .with_field(format!("[{i}].{field}"))
    .with_details(serde_json::json!({ "row": i, "field": field }))
}

impl App {
    /// Installs a catalogue as it is (installers: `seed`, imports; administrators use
    /// `set_catalogue`, which checks every row).
    pub async fn install_catalogue(&self, routes: &[Route]) -> Result<(), AppError> {
        self.store.put_catalogue(routes).await?;
        self.catalogue_cache.invalidate();
        Ok(())
    }

    /// The taxonomy with each category's catalogue unit (the same list intake checks against,
    /// see [`crate::references`]).
    pub async fn categories(&self) -> Result<Vec<CategoryView>, AppError> {
        let refs = self.references().await?;
        let tree = refs.tree();
        let routes = self.catalogue_cached().await?;
        Ok(refs
            .categories()
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

    /// Replaces the routing catalogue (admin). Every row must name a category of the taxonomy
    /// (the built-in list and the categories the catalogue already routes), an existing unit and,
    /// when given, a region some hub covers; a category × region pair once. An error names the
    /// row and the field (`[3].unit`).
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
        let refs = self.references().await?;
        let mut routes: Vec<Route> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            // `[3].unit`, said as 派单目录第 4 行 (rows counted from 1, as the page shows them).
            let at = |f: &str, zh: &str, en: &str| row_error(i, f, zh.to_string(), en.to_string());
            let f = crate::input::Fields::of(item, "")?;
            let category = f
                .req_str("category", crate::references::MAX_REFERENCE)
                .map_err(|_| {
                    at(
                        "category",
                        "分类必填，格式为「一级/二级」",
                        "category is required, as 'top/sub'",
                    )
                })?;
            refs.category(&category)
                .map_err(|u| at("category", &u.zh, &u.en))?;
            let unit = f
                .req_str("unit", crate::references::MAX_REFERENCE)
                .map_err(|_| at("unit", "承办单位必填", "unit is required"))?;
            refs.unit(&unit).map_err(|u| at("unit", &u.zh, &u.en))?;
            let region = match item.get("region") {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.trim().to_string(),
                Some(_) => {
                    return Err(at(
                        "region",
                        "区划应为区划代码字符串",
                        "region must be a region code string",
                    ));
                }
            };
            if !region.is_empty() {
                refs.region(&region)
                    .map_err(|u| at("region", &u.zh, &u.en))?;
            }
            let co_street = match item.get("co_street") {
                None | Some(serde_json::Value::Null) => true,
                Some(serde_json::Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(at(
                        "co_street",
                        "属地协办应为 true 或 false",
                        "co_street must be true or false",
                    ));
                }
            };
            if routes
                .iter()
                .any(|r| r.category == category && r.region == region)
            {
                return Err(at(
                    "category",
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
