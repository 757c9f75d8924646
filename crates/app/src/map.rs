//! The district map (issue 23): the boundaries of the district and its streets/towns as GeoJSON
//! that an administrator uploads (a setting: a real district has its own survey data, the demo
//! ships a made-up one), the street a point lies in, and the cases as points under the caller's
//! data scope. No tile server is assumed: the UI draws the boundaries themselves; a tile URL is an
//! optional setting.

use crate::App;
use crate::error::AppError;
use crate::input::Fields;
use crate::scope::{Principal, read_scope};
use domain::{Level, Role, UnitKind};
use regions::{Limits, Region};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// The setting that holds the uploaded FeatureCollection (as normalised by [`App::put_regions`]).
pub const REGIONS_SETTING: &str = "map_regions";
/// The optional tile URL template (`https://…/{z}/{x}/{y}.png`).
pub const TILE_URL_SETTING: &str = "map_tile_url";
/// At most this many points: the newest cases of the filter.
pub const MAX_POINTS: u32 = 5_000;
/// Largest upload accepted on `PUT /map/regions` (the route's body limit).
pub const MAX_REGIONS_BYTES: usize = 5 * 1024 * 1024;

fn empty_collection() -> Value {
    json!({ "type": "FeatureCollection", "features": [] })
}

impl App {
    /// The stored regions, parsed (none when nothing was uploaded or it no longer parses).
    async fn stored_regions(&self) -> Result<(Value, Vec<Region>), AppError> {
        let Some(text) = self.store.get_setting(REGIONS_SETTING).await? else {
            return Ok((empty_collection(), vec![]));
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            return Ok((empty_collection(), vec![]));
        };
        let parsed = regions::parse(&v, Limits::default()).unwrap_or_default();
        Ok((v, parsed))
    }

    /// `GET /api/v1/map/regions`: the FeatureCollection (empty when none was uploaded).
    pub async fn map_regions(&self, p: &Principal) -> Result<Value, AppError> {
        let _ = p;
        Ok(self.stored_regions().await?.0)
    }

    /// `PUT /api/v1/map/regions` (administrators): checks and stores a FeatureCollection.
    pub async fn put_map_regions(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可导入区划边界",
                "only administrators import the boundaries",
            ));
        }
        let n = self.install_regions(body).await?;
        Ok(json!({ "features": n }))
    }

    /// Checks a FeatureCollection against the org tree and stores it: every feature is the
    /// district (its hub's region code) or one of its streets/towns (a street hub's region code);
    /// names and levels missing from the properties are filled in from the tree, so the UI can
    /// rely on `code`, `name` and `level`. Returns how many features were stored.
    pub async fn install_regions(&self, body: &Value) -> Result<usize, AppError> {
        let parsed = regions::parse(body, Limits::default()).map_err(|problems| {
            let first = problems.first().cloned().unwrap_or(regions::Problem {
                path: "body".into(),
                zh: "格式不正确".into(),
                en: "malformed".into(),
            });
            let zh: Vec<String> = problems
                .iter()
                .map(|p| format!("{}：{}", p.path, p.zh))
                .collect();
            AppError::field(
                first.path.clone(),
                zh.join("；"),
                format!("{} ({} problem(s); see details)", first.en, problems.len()),
            )
            .with_details(json!({ "errors": problems.iter().map(|p| json!({ "path": p.path, "message": p.zh, "message_en": p.en })).collect::<Vec<_>>() }))
        })?;
        let tree = self.org.tree().await?;
        let district = tree
            .district_hub()
            .map(|u| u.region.clone())
            .unwrap_or_default();
        let mut features = Vec::with_capacity(parsed.len());
        for (i, r) in parsed.iter().enumerate() {
            let street = tree.units.iter().find(|u| {
                u.kind == UnitKind::Hub && u.level == Level::Street && u.region == r.code
            });
            let (level, unit_name) = if r.code == district && !district.is_empty() {
                ("district", tree.district_hub().map(|u| u.name.clone()))
            } else if let Some(s) = street {
                ("street", Some(s.name.clone()))
            } else {
                return Err(AppError::field(
                    format!("features[{i}].properties.code"),
                    format!("区划代码「{}」不是本区或本区的镇街", r.code),
                    format!(
                        "'{}' is not the district or one of its streets/towns",
                        r.code
                    ),
                ));
            };
            if r.level.as_deref().is_some_and(|l| l != level) {
                return Err(AppError::field(
                    format!("features[{i}].properties.level"),
                    format!("区划代码「{}」的层级应为 {level}", r.code),
                    format!("the level of '{}' is {level}", r.code),
                ));
            }
            let name = r
                .name
                .clone()
                .or(unit_name)
                .unwrap_or_else(|| r.code.clone());
            let geometry = body["features"][i]["geometry"].clone();
            features.push(json!({
                "type": "Feature",
                "properties": { "code": r.code, "name": name, "level": level },
                "geometry": geometry,
            }));
        }
        let fc = json!({ "type": "FeatureCollection", "features": features });
        self.store
            .put_setting(REGIONS_SETTING, &fc.to_string())
            .await?;
        Ok(features_len(&fc))
    }

    /// `GET /api/v1/map/locate?lat=&lon=`: the street/town containing the point; 404 outside.
    pub async fn map_locate(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Value, AppError> {
        let _ = p;
        let coord = |k: &str, max: f64| -> Result<f64, AppError> {
            let raw = params.get(k).map(|s| s.trim()).unwrap_or_default();
            if raw.is_empty() {
                return Err(AppError::field(k, "必填", "is required"));
            }
            raw.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= max)
                .ok_or_else(|| {
                    AppError::field(
                        k,
                        format!("「{raw}」不是有效坐标（±{max}）"),
                        format!("'{raw}' is not a valid coordinate (±{max})"),
                    )
                })
        };
        let lat = coord("lat", 90.0)?;
        let lon = coord("lon", 180.0)?;
        let (_, parsed) = self.stored_regions().await?;
        let hit = regions::locate(&parsed, lon, lat, |r| r.level.as_deref() == Some("street"));
        match hit {
            Some(r) => Ok(json!({ "code": r.code, "name": r.name })),
            None => Err(AppError::not_found(
                "该位置所在镇街（不在本区范围内）",
                "street at this point (outside the district)",
            )),
        }
    }

    /// `GET /api/v1/map/config`: what the UI needs besides the boundaries.
    pub async fn map_config(&self) -> Result<Value, AppError> {
        let tile = self
            .store
            .get_setting(TILE_URL_SETTING)
            .await?
            .filter(|s| !s.trim().is_empty());
        Ok(json!({ "tile_url": tile }))
    }

    /// `PUT /api/v1/map/config` (administrators): `{"tile_url": "https://…/{z}/{x}/{y}.png" | null}`.
    pub async fn put_map_config(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !(p.is_staff() && p.role == Role::Admin) {
            return Err(AppError::forbidden(
                "仅管理员可设置地图底图",
                "only administrators set the map's tiles",
            ));
        }
        let f = Fields::of(body, "")?;
        let url = f.opt_str("tile_url", 500)?;
        if let Some(u) = &url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(AppError::field(
                "tile_url",
                "须以 http:// 或 https:// 开头",
                "must start with http:// or https://",
            ));
        }
        self.store
            .put_setting(TILE_URL_SETTING, url.as_deref().unwrap_or_default())
            .await?;
        self.map_config().await
    }

    /// `GET /api/v1/map/cases`: the newest cases of the filter (at most [`MAX_POINTS`]) that
    /// the caller may see, as points, with counts per street over the same cases (with or
    /// without a point: the street comes from the case's region, not its coordinates).
    pub async fn map_cases(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden(
                "仅工作人员可查看工单地图",
                "only staff see the case map",
            ));
        }
        // The list's own parser, so the filters mean what they mean on the case list.
        let mut list_params: HashMap<String, String> = HashMap::new();
        for k in [
            "from", "to", "status", "category", "nature", "urgency", "source", "unit", "q",
        ] {
            if let Some(v) = params.get(k) {
                list_params.insert(k.to_string(), v.clone());
            }
        }
        let tree = self.org.tree().await?;
        if let Some(street) = params
            .get("street")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            crate::references::filter_value("street", street)?;
            let known = tree
                .units
                .iter()
                .any(|u| u.kind == UnitKind::Hub && u.level == Level::Street && u.region == street);
            if !known {
                return Err(AppError::field(
                    "street",
                    format!("「{street}」不是本区的镇街区划代码"),
                    format!("'{street}' is not the region code of one of our streets/towns"),
                ));
            }
            list_params.insert("region".into(), street.to_string());
        }
        let mut q = self.parse_case_query(&list_params)?;
        q.scope = Some(read_scope(p, &tree));
        q.offset = 0;
        q.limit = MAX_POINTS;
        q.sort = crate::ports::SortKey::ReportedDesc;
        q.count_limit = Some(100_000);
        let (cases, total) = self.store.list_cases(&q).await?;
        let mut points = Vec::with_capacity(cases.len());
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for c in &cases {
            let street = tree
                .street_of_region(&c.location.region)
                .map(|u| u.region.clone());
            if let Some(s) = &street {
                *counts.entry(s.clone()).or_default() += 1;
            }
            if let (Some(lat), Some(lon)) = (c.location.lat, c.location.lon) {
                points.push(json!({
                    "id": c.id,
                    "number": c.number,
                    "title": c.title,
                    "lat": lat,
                    "lon": lon,
                    "status": c.status.code(),
                    "urgency": c.urgency.code(),
                    "street": street,
                }));
            }
        }
        let streets: Vec<Value> = counts
            .into_iter()
            .map(|(code, count)| {
                let name = tree
                    .units
                    .iter()
                    .find(|u| {
                        u.level == Level::Street && u.kind == UnitKind::Hub && u.region == code
                    })
                    .map(|u| u.name.clone())
                    .unwrap_or_else(|| code.clone());
                json!({ "code": code, "name": name, "count": count })
            })
            .collect();
        Ok(json!({
            "total": total,
            "truncated": total > u64::from(MAX_POINTS),
            "points": points,
            "streets": streets,
        }))
    }
}

fn features_len(fc: &Value) -> usize {
    fc["features"].as_array().map_or(0, Vec::len)
}
