//! District boundaries (区划边界) as GeoJSON: the district outline and one polygon per street/town,
//! as an administrator uploads them (a real district has its own survey data; no map is compiled
//! in). [`parse`] checks a FeatureCollection the way a person fixing it needs to hear about it —
//! every problem with the path of the feature and ring it is in — and [`locate`] finds the street
//! that contains a point, for intake's "pick a point, find the street".
//!
//! Coordinates are `[lon, lat]` as GeoJSON orders them, in whatever datum the district's data uses
//! (WGS84 or GCJ-02); the functions here are planar, which is exact enough for a district a few
//! tens of kilometres across. Pure: no IO.

use serde_json::Value;

/// A position `[lon, lat]`.
pub type Position = [f64; 2];
/// A closed ring: the first position repeated last.
pub type Ring = Vec<Position>;
/// An outer ring followed by its holes.
pub type Polygon = Vec<Ring>;

/// One feature: a street/town or the district outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// `properties.code`: the region code of the unit it bounds.
    pub code: String,
    /// `properties.name`, when given.
    pub name: Option<String>,
    /// `properties.level`, when given (`street` or `district`).
    pub level: Option<String>,
    /// A Polygon is one; a MultiPolygon several.
    pub polygons: Vec<Polygon>,
}

/// What is wrong, where (`features[3].geometry.coordinates[0]`), in Chinese and English.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub zh: String,
    pub en: String,
}

/// Bounds on an upload: a district's streets are tens of features of a few thousand vertices.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_features: usize,
    pub max_positions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_features: 500,
            max_positions: 200_000,
        }
    }
}

/// Stops collecting after this many problems: the first ones are what a person fixes first.
const MAX_PROBLEMS: usize = 20;

struct Checker {
    problems: Vec<Problem>,
    positions: usize,
    limits: Limits,
}

impl Checker {
    fn push(&mut self, path: &str, zh: impl Into<String>, en: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                path: path.to_string(),
                zh: zh.into(),
                en: en.into(),
            });
        }
    }

    fn position(&mut self, v: &Value, path: &str) -> Option<Position> {
        let arr = match v.as_array() {
            Some(a) if a.len() >= 2 => a,
            _ => {
                self.push(
                    path,
                    "坐标应为 [经度, 纬度] 数组",
                    "a position must be an array [lon, lat]",
                );
                return None;
            }
        };
        let (Some(lon), Some(lat)) = (arr[0].as_f64(), arr[1].as_f64()) else {
            self.push(path, "坐标须为数字", "coordinates must be numbers");
            return None;
        };
        if !lon.is_finite()
            || !lat.is_finite()
            || !(-180.0..=180.0).contains(&lon)
            || !(-90.0..=90.0).contains(&lat)
        {
            self.push(
                path,
                format!(
                    "坐标 [{lon}, {lat}] 超出经纬度范围（经度 ±180，纬度 ±90；顺序为 [经度, 纬度]）"
                ),
                format!(
                    "position [{lon}, {lat}] is out of range (lon ±180, lat ±90; order [lon, lat])"
                ),
            );
            return None;
        }
        Some([lon, lat])
    }

    fn ring(&mut self, v: &Value, path: &str) -> Option<Ring> {
        let Some(arr) = v.as_array() else {
            self.push(
                path,
                "环应为坐标数组",
                "a ring must be an array of positions",
            );
            return None;
        };
        self.positions += arr.len();
        if self.positions > self.limits.max_positions {
            return None;
        }
        let mut ring = Vec::with_capacity(arr.len());
        let mut ok = true;
        for (i, p) in arr.iter().enumerate() {
            match self.position(p, &format!("{path}[{i}]")) {
                Some(p) => ring.push(p),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if ring.len() < 4 {
            self.push(
                path,
                format!("环至少需要 4 个坐标（首尾相同），只有 {}", ring.len()),
                format!(
                    "a ring needs at least 4 positions (first = last), has {}",
                    ring.len()
                ),
            );
            return None;
        }
        if ring.first() != ring.last() {
            self.push(
                path,
                "环未闭合：最后一个坐标须与第一个相同",
                "the ring is not closed: its last position must equal its first",
            );
            return None;
        }
        if ring_area(&ring).abs() == 0.0 {
            self.push(path, "环的面积为零", "the ring has no area");
            return None;
        }
        Some(ring)
    }

    fn polygon(&mut self, v: &Value, path: &str) -> Option<Polygon> {
        match v.as_array() {
            Some(rings) if !rings.is_empty() => {
                let mut out = Vec::with_capacity(rings.len());
                let mut ok = true;
                for (i, r) in rings.iter().enumerate() {
                    match self.ring(r, &format!("{path}[{i}]")) {
                        Some(r) => out.push(r),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            _ => {
                self.push(
                    path,
                    "多边形应为非空的环数组",
                    "a polygon must be a non-empty array of rings",
                );
                None
            }
        }
    }
}

/// Checks a GeoJSON FeatureCollection of regions: `type`, every feature's `properties.code`
/// (unique), a Polygon or MultiPolygon geometry with closed rings of at least four finite
/// positions in range, and the size bounds. Returns every region, or the problems found (at most
/// twenty). Whether the codes are the district's is the caller's business (it knows the org tree).
pub fn parse(fc: &Value, limits: Limits) -> Result<Vec<Region>, Vec<Problem>> {
    let mut c = Checker {
        problems: Vec::new(),
        positions: 0,
        limits,
    };
    if fc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        c.push(
            "type",
            "须为 GeoJSON FeatureCollection（\"type\": \"FeatureCollection\"）",
            "must be a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\")",
        );
        return Err(c.problems);
    }
    let Some(features) = fc.get("features").and_then(Value::as_array) else {
        c.push(
            "features",
            "缺少 features 数组",
            "the features array is missing",
        );
        return Err(c.problems);
    };
    if features.is_empty() {
        c.push(
            "features",
            "至少需要一个要素",
            "at least one feature is required",
        );
        return Err(c.problems);
    }
    if features.len() > limits.max_features {
        c.push(
            "features",
            format!("要素不能超过 {} 个", limits.max_features),
            format!("at most {} features", limits.max_features),
        );
        return Err(c.problems);
    }
    let mut out = Vec::with_capacity(features.len());
    let mut seen = std::collections::HashSet::new();
    for (i, f) in features.iter().enumerate() {
        let path = format!("features[{i}]");
        if f.get("type").and_then(Value::as_str) != Some("Feature") {
            c.push(&format!("{path}.type"), "须为 Feature", "must be a Feature");
            continue;
        }
        let props = f.get("properties");
        let text = |k: &str| {
            props
                .and_then(|p| p.get(k))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let code = text("code");
        match &code {
            None => c.push(
                &format!("{path}.properties.code"),
                "缺少区划代码 code",
                "properties.code (the region code) is required",
            ),
            Some(code) if code.chars().count() > 32 => c.push(
                &format!("{path}.properties.code"),
                "区划代码过长",
                "the region code is too long",
            ),
            Some(code) if !seen.insert(code.clone()) => c.push(
                &format!("{path}.properties.code"),
                format!("区划代码 {code} 重复"),
                format!("region code {code} appears twice"),
            ),
            Some(_) => {}
        }
        let name = text("name").map(|n| n.chars().take(64).collect());
        let level = text("level");
        if let Some(l) = &level
            && l != "street"
            && l != "district"
        {
            c.push(
                &format!("{path}.properties.level"),
                format!("level「{l}」无效，可选：street, district"),
                format!("level '{l}' is not valid; use street or district"),
            );
        }
        let gpath = format!("{path}.geometry");
        let geom = f.get("geometry");
        let kind = geom.and_then(|g| g.get("type")).and_then(Value::as_str);
        let coords = geom.and_then(|g| g.get("coordinates"));
        let polygons = match (kind, coords) {
            (Some("Polygon"), Some(v)) => c
                .polygon(v, &format!("{gpath}.coordinates"))
                .map(|p| vec![p]),
            (Some("MultiPolygon"), Some(Value::Array(list))) if !list.is_empty() => {
                let mut ps = Vec::with_capacity(list.len());
                let mut ok = true;
                for (j, p) in list.iter().enumerate() {
                    match c.polygon(p, &format!("{gpath}.coordinates[{j}]")) {
                        Some(p) => ps.push(p),
                        None => ok = false,
                    }
                }
                ok.then_some(ps)
            }
            _ => {
                c.push(
                    &gpath,
                    "几何须为带坐标的 Polygon 或 MultiPolygon",
                    "the geometry must be a Polygon or MultiPolygon with coordinates",
                );
                None
            }
        };
        if c.positions > limits.max_positions {
            c.problems.clear();
            c.push(
                "features",
                format!("坐标点总数超过 {} 个，请先简化边界", limits.max_positions),
                format!(
                    "more than {} positions in all; simplify the boundaries first",
                    limits.max_positions
                ),
            );
            return Err(c.problems);
        }
        if let (Some(code), Some(polygons)) = (code, polygons) {
            out.push(Region {
                code,
                name,
                level,
                polygons,
            });
        }
    }
    if c.problems.is_empty() {
        Ok(out)
    } else {
        Err(c.problems)
    }
}

/// Twice the signed area of a ring (positive counter-clockwise).
fn ring_area(ring: &[Position]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum()
}

/// Whether a point is inside a ring (even-odd rule; a point exactly on an edge may go either
/// way, which is fine for a boundary drawn to a few metres).
pub fn ring_contains(ring: &[Position], lon: f64, lat: f64) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ([x1, y1], [x2, y2]) = (w[0], w[1]);
        if (y1 > lat) != (y2 > lat) {
            let x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1);
            if lon < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Inside the outer ring and in none of the holes.
pub fn polygon_contains(p: &Polygon, lon: f64, lat: f64) -> bool {
    match p.split_first() {
        Some((outer, holes)) => {
            ring_contains(outer, lon, lat) && !holes.iter().any(|h| ring_contains(h, lon, lat))
        }
        None => false,
    }
}

impl Region {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.polygons.iter().any(|p| polygon_contains(p, lon, lat))
    }

    /// `[min lon, min lat, max lon, max lat]` of the outer rings.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        let mut it = self.polygons.iter().filter_map(|p| p.first()).flatten();
        let first = it.next()?;
        Some(it.fold(
            [first[0], first[1], first[0], first[1]],
            |[a, b, c, d], p| [a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])],
        ))
    }
}

/// The region among `regions` that contains the point and for which `pick` holds (the caller
/// passes "is a street"); the first one when boundaries overlap.
pub fn locate(
    regions: &[Region],
    lon: f64,
    lat: f64,
    pick: impl Fn(&Region) -> bool,
) -> Option<&Region> {
    if !lon.is_finite() || !lat.is_finite() {
        return None;
    }
    regions.iter().filter(|r| pick(r)).find(|r| {
        r.bbox()
            .is_some_and(|[a, b, c, d]| (a..=c).contains(&lon) && (b..=d).contains(&lat))
            && r.contains(lon, lat)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn square(x: f64, y: f64, s: f64) -> Value {
        json!([[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]])
    }

    fn fc(features: Vec<Value>) -> Value {
        json!({ "type": "FeatureCollection", "features": features })
    }

    fn feature(code: &str, geometry: Value) -> Value {
        json!({ "type": "Feature", "properties": { "code": code, "name": code, "level": "street" }, "geometry": geometry })
    }

    #[test]
    fn a_good_collection_parses_and_locates() {
        let mut donut = square(0.0, 0.0, 10.0);
        donut.as_array_mut().unwrap().push(json!([
            [4.0, 4.0],
            [6.0, 4.0],
            [6.0, 6.0],
            [4.0, 6.0],
            [4.0, 4.0]
        ]));
        let v = fc(vec![
            feature("a", json!({ "type": "Polygon", "coordinates": donut })),
            feature(
                "b",
                json!({ "type": "MultiPolygon", "coordinates": [square(4.5, 4.5, 1.0), square(20.0, 0.0, 1.0)] }),
            ),
        ]);
        let r = parse(&v, Limits::default()).unwrap();
        assert_eq!(r.len(), 2);
        let at = |x, y| locate(&r, x, y, |_| true).map(|r| r.code.as_str());
        assert_eq!(at(1.0, 1.0), Some("a"));
        assert_eq!(at(5.0, 5.0), Some("b"), "the hole of a is b");
        assert_eq!(at(4.2, 5.0), None, "in the hole, outside b");
        assert_eq!(at(20.5, 0.5), Some("b"));
        assert_eq!(at(30.0, 0.5), None);
        assert_eq!(at(f64::NAN, 0.5), None);
        assert_eq!(locate(&r, 1.0, 1.0, |r| r.code == "b"), None);
    }

    #[test]
    fn problems_name_the_place() {
        let open = json!([[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]);
        let e = parse(
            &fc(vec![feature(
                "a",
                json!({ "type": "Polygon", "coordinates": open }),
            )]),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e[0].path, "features[0].geometry.coordinates[0]");
        assert!(e[0].en.contains("not closed"), "{e:?}");

        let bad = json!([[[0.0, 0.0], [1.0, "x"], [1.0, 1.0], [0.0, 0.0]]]);
        let e = parse(
            &fc(vec![feature(
                "a",
                json!({ "type": "Polygon", "coordinates": bad }),
            )]),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e[0].path, "features[0].geometry.coordinates[0][1]");

        let far = json!([[[0.0, 0.0], [200.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]);
        assert!(
            parse(
                &fc(vec![feature(
                    "a",
                    json!({ "type": "Polygon", "coordinates": far })
                )]),
                Limits::default()
            )
            .is_err()
        );

        let e = parse(
            &fc(vec![feature(
                "a",
                json!({ "type": "Point", "coordinates": [0.0, 0.0] }),
            )]),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e[0].path, "features[0].geometry");

        let e = parse(
            &fc(vec![
                feature(
                    "a",
                    json!({ "type": "Polygon", "coordinates": square(0.0, 0.0, 1.0) }),
                ),
                feature(
                    "a",
                    json!({ "type": "Polygon", "coordinates": square(2.0, 0.0, 1.0) }),
                ),
            ]),
            Limits::default(),
        )
        .unwrap_err();
        assert!(e[0].en.contains("twice"));

        assert_eq!(
            parse(&json!({ "type": "Feature" }), Limits::default()).unwrap_err()[0].path,
            "type"
        );
        assert!(parse(&fc(vec![]), Limits::default()).is_err());
        let flat = json!([[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 0.0]]]);
        assert!(
            parse(
                &fc(vec![feature(
                    "a",
                    json!({ "type": "Polygon", "coordinates": flat })
                )]),
                Limits::default()
            )
            .is_err()
        );
    }

    #[test]
    fn size_is_bounded() {
        let v = fc(vec![feature(
            "a",
            json!({ "type": "Polygon", "coordinates": square(0.0, 0.0, 1.0) }),
        )]);
        let tight = Limits {
            max_features: 10,
            max_positions: 4,
        };
        assert!(parse(&v, tight).is_err());
        let few = Limits {
            max_features: 0,
            max_positions: 100,
        };
        assert!(parse(&v, few).is_err());
    }

    proptest! {
        /// Inside a convex polygon exactly when inside its bounding square (for a square).
        #[test]
        fn squares_contain_what_they_cover(x in -100.0f64..100.0, y in -60.0f64..60.0, s in 0.01f64..10.0,
            px in 0.0f64..1.0, py in 0.0f64..1.0) {
            let ring: Ring = vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];
            // Strictly inside.
            let (ix, iy) = (x + s * (0.01 + 0.98 * px), y + s * (0.01 + 0.98 * py));
            prop_assert!(ring_contains(&ring, ix, iy));
            // Outside to the right and above.
            prop_assert!(!ring_contains(&ring, x + s * (1.01 + px), iy));
            prop_assert!(!ring_contains(&ring, ix, y + s * (1.01 + py)));
        }

        /// The orientation of a ring does not change what it contains.
        #[test]
        fn orientation_does_not_matter(px in 0.0f64..3.0, py in 0.0f64..3.0) {
            let ring: Ring = vec![[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0], [0.0, 0.0]];
            let mut rev = ring.clone();
            rev.reverse();
            prop_assert_eq!(ring_contains(&ring, px, py), ring_contains(&rev, px, py));
        }
    }
}
