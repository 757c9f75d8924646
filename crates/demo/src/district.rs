//! The demo district 临江区: one district hub, 12 streets/towns, about 200 communities/villages and
//! the district-level functional departments that handle dispatched cases.

use serde::Serialize;

use crate::names::{
    DISTRICT_CODE, DISTRICT_NAME, RURAL_STEMS, STREETS, TOWN_URBAN_COMMUNITIES, URBAN_STEMS,
};

pub const LEVEL_DISTRICT: &str = "district";
pub const LEVEL_STREET: &str = "street";
pub const LEVEL_COMMUNITY: &str = "community";
pub const KIND_HUB: &str = "hub";
pub const KIND_DEPARTMENT: &str = "department";

/// Centre of the fictional district (west of Hangzhou's old town).
pub const DISTRICT_LAT: f64 = 30.27;
pub const DISTRICT_LON: f64 = 120.00;

/// District-level departments: code, short name (as the routing catalogue names it), full name.
/// The first 16 are the handling units of the default taxonomy.
pub const DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("cgj", "城管局", "临江区综合行政执法局（城管局）"),
    ("sthjj", "生态环境局", "杭州市生态环境局临江分局"),
    ("zjj", "住建局", "临江区住房和城乡建设局"),
    ("jtysj", "交通运输局", "临江区交通运输局"),
    ("scjgj", "市场监管局", "临江区市场监督管理局"),
    ("rsj", "人社局", "临江区人力资源和社会保障局"),
    ("jyj", "教育局", "临江区教育局"),
    ("wjw", "卫健委", "临江区卫生健康委员会"),
    ("ybj", "医保局", "临江区医疗保障局"),
    ("mzj", "民政局", "临江区民政局"),
    ("gaj", "公安局", "杭州市公安局临江分局"),
    ("xfjydd", "消防救援大队", "临江区消防救援大队"),
    ("swjt", "水务集团", "临江水务集团有限公司"),
    ("gdgs", "供电公司", "国网杭州市临江区供电公司"),
    ("rqgs", "燃气公司", "临江燃气有限公司"),
    ("sfj", "司法局", "临江区司法局"),
    ("xfj", "信访局", "临江区信访局"),
    ("yjglj", "应急管理局", "临江区应急管理局"),
    (
        "zrzyj",
        "自然资源和规划分局",
        "杭州市规划和自然资源局临江分局",
    ),
    ("nyncj", "农业农村局", "临江区农业农村局"),
    ("wgltj", "文化广电旅游体育局", "临江区文化广电旅游体育局"),
    ("tyjrj", "退役军人事务局", "临江区退役军人事务局"),
    ("cl", "残联", "临江区残疾人联合会"),
    ("swj", "税务局", "国家税务总局杭州市临江区税务局"),
    ("fl", "妇联", "临江区妇女联合会"),
    ("tqw", "团区委", "共青团临江区委员会"),
    ("kjj", "科技局", "临江区科学技术局"),
];

/// The unit code of a district department given its short name ("城管局" → "cgj").
pub fn department_for(short_name: &str) -> Option<&'static str> {
    DEPARTMENTS
        .iter()
        .find(|(_, short, _)| *short == short_name.trim())
        .map(|(code, _, _)| *code)
}

/// One node of the org tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitSpec {
    /// Unique code: the region code for hubs, a short pinyin code for departments.
    pub code: String,
    /// Display name; for departments the short name the routing catalogue uses ("城管局").
    pub name: String,
    /// Official full name ("临江区综合行政执法局（城管局）"); equal to `name` for hubs.
    pub full_name: String,
    /// `district` | `street` | `community`.
    pub level: &'static str,
    /// `hub` | `department`.
    pub kind: &'static str,
    /// Code of the parent unit; `None` only for the district hub.
    pub parent: Option<String>,
    /// 属地 code of the area the unit serves.
    pub region: String,
    /// Name of that area as used in addresses: "临江区", "东湖街道", "金桥社区", "南塘村".
    pub area: String,
    /// Centre of the area (hubs only).
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl UnitSpec {
    pub fn is_hub(&self) -> bool {
        self.kind == KIND_HUB
    }

    pub fn is_community(&self) -> bool {
        self.level == LEVEL_COMMUNITY
    }

    /// A 村 rather than a 社区.
    pub fn is_village(&self) -> bool {
        self.is_community() && self.area.ends_with('村')
    }
}

/// The whole org tree of the demo district, parents before children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct District {
    pub units: Vec<UnitSpec>,
}

impl District {
    pub fn get(&self, code: &str) -> Option<&UnitSpec> {
        self.units.iter().find(|u| u.code == code)
    }

    pub fn streets(&self) -> impl Iterator<Item = &UnitSpec> {
        self.units.iter().filter(|u| u.level == LEVEL_STREET)
    }

    pub fn communities(&self) -> impl Iterator<Item = &UnitSpec> {
        self.units.iter().filter(|u| u.is_community())
    }

    pub fn departments(&self) -> impl Iterator<Item = &UnitSpec> {
        self.units.iter().filter(|u| u.kind == KIND_DEPARTMENT)
    }

    /// The street/town hub above a community (or the street itself).
    pub fn street_of(&self, code: &str) -> Option<&UnitSpec> {
        let unit = self.get(code)?;
        match unit.level {
            LEVEL_STREET => Some(unit),
            LEVEL_COMMUNITY => self.get(unit.parent.as_deref()?),
            _ => None,
        }
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A small deterministic spread around a street centre, so communities do not sit on one point.
fn community_offset(global_index: usize) -> (f64, f64) {
    let a = (global_index * 37 % 23) as f64 - 11.0;
    let b = (global_index * 53 % 19) as f64 - 9.0;
    (a * 0.0011, b * 0.0014)
}

/// The demo district. Deterministic: the same tree every time.
pub fn district() -> District {
    let mut units = Vec::with_capacity(260);
    units.push(UnitSpec {
        code: DISTRICT_CODE.to_string(),
        name: format!("{DISTRICT_NAME}社会治理综合服务中心"),
        full_name: format!("{DISTRICT_NAME}社会治理综合服务中心"),
        level: LEVEL_DISTRICT,
        kind: KIND_HUB,
        parent: None,
        region: DISTRICT_CODE.to_string(),
        area: DISTRICT_NAME.to_string(),
        lat: Some(DISTRICT_LAT),
        lon: Some(DISTRICT_LON),
    });
    for (code, short, full) in DEPARTMENTS {
        units.push(UnitSpec {
            code: (*code).to_string(),
            name: (*short).to_string(),
            full_name: (*full).to_string(),
            level: LEVEL_DISTRICT,
            kind: KIND_DEPARTMENT,
            parent: Some(DISTRICT_CODE.to_string()),
            region: DISTRICT_CODE.to_string(),
            area: DISTRICT_NAME.to_string(),
            lat: None,
            lon: None,
        });
    }
    let mut urban = URBAN_STEMS.iter();
    let mut rural = RURAL_STEMS.iter();
    let mut global = 0usize;
    for (i, (street, count, lat, lon)) in STREETS.iter().enumerate() {
        let street_code = format!("{DISTRICT_CODE}{:03}", i + 1);
        let hub = format!("{street}社会治理中心");
        units.push(UnitSpec {
            code: street_code.clone(),
            name: hub.clone(),
            full_name: hub,
            level: LEVEL_STREET,
            kind: KIND_HUB,
            parent: Some(DISTRICT_CODE.to_string()),
            region: street_code.clone(),
            area: (*street).to_string(),
            lat: Some(*lat),
            lon: Some(*lon),
        });
        let town = street.ends_with('镇');
        for j in 0..*count {
            // Towns: a few 社区 around the town centre, villages beyond; the pools are sized so
            // neither runs out (checked by a test), and a fallback keeps names unique anyway.
            let name = if town && j >= TOWN_URBAN_COMMUNITIES {
                match rural.next() {
                    Some(stem) => format!("{stem}村"),
                    None => format!("{}{}村", street.trim_end_matches('镇'), j + 1),
                }
            } else {
                match urban.next() {
                    Some(stem) => format!("{stem}社区"),
                    None => format!("{}{}社区", street.trim_end_matches("街道"), j + 1),
                }
            };
            let code = format!("{street_code}{:03}", j + 1);
            let (dlat, dlon) = community_offset(global);
            // Villages lie further out than the town's urban core.
            let spread = if name.ends_with('村') { 1.8 } else { 1.0 };
            units.push(UnitSpec {
                code: code.clone(),
                name: name.clone(),
                full_name: name.clone(),
                level: LEVEL_COMMUNITY,
                kind: KIND_HUB,
                parent: Some(street_code.clone()),
                region: code,
                area: name,
                lat: Some(round6(lat + dlat * spread)),
                lon: Some(round6(lon + dlon * spread)),
            });
            global += 1;
        }
    }
    District { units }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::TAXONOMY;

    #[test]
    fn shape_of_the_district() {
        let d = district();
        assert_eq!(d.streets().count(), 12);
        let communities = d.communities().count();
        assert!((180..=220).contains(&communities), "{communities}");
        let non_community = d.units.len() - communities;
        assert!((38..=42).contains(&non_community), "{non_community}");
        for s in d.streets() {
            let n = d
                .communities()
                .filter(|c| c.parent.as_deref() == Some(&s.code))
                .count();
            assert!((14..=20).contains(&n), "{} has {n}", s.name);
            assert!(s.name.ends_with("街道社会治理中心") || s.name.ends_with("镇社会治理中心"));
            assert_eq!(s.code.len(), 9);
        }
        assert!(d.communities().any(|c| c.is_village()));
        assert!(d.communities().filter(|c| c.is_village()).count() >= 40);
    }

    #[test]
    fn codes_and_names_are_unique_and_parents_exist() {
        let d = district();
        let codes: HashSet<&str> = d.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), d.units.len());
        let names: HashSet<&str> = d.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names.len(), d.units.len());
        let mut seen = HashSet::new();
        for u in &d.units {
            match &u.parent {
                None => assert_eq!(u.code, DISTRICT_CODE),
                // Parents come first, so the tree can be inserted in order.
                Some(p) => assert!(
                    seen.contains(p.as_str()),
                    "{} before its parent {p}",
                    u.code
                ),
            }
            seen.insert(u.code.as_str());
            if u.is_community() {
                assert_eq!(u.code.len(), 12);
                assert_eq!(u.region, u.code);
                assert!(u.code.starts_with(u.parent.as_deref().unwrap()));
                assert!(u.name.ends_with("社区") || u.name.ends_with('村'));
            }
            if u.is_hub() {
                let (lat, lon) = (u.lat.unwrap(), u.lon.unwrap());
                assert!((lat - DISTRICT_LAT).abs() < 0.15 && (lon - DISTRICT_LON).abs() < 0.15);
            }
        }
    }

    #[test]
    fn every_taxonomy_department_exists() {
        let d = district();
        for (category, dept) in TAXONOMY {
            let code = department_for(dept).unwrap_or_else(|| panic!("{category}: {dept}"));
            let unit = d.get(code).unwrap();
            assert_eq!(unit.name, *dept);
            assert_eq!(unit.kind, KIND_DEPARTMENT);
            assert_eq!(unit.parent.as_deref(), Some(DISTRICT_CODE));
        }
        assert_eq!(department_for("城管局"), Some("cgj"));
        assert_eq!(department_for("消防救援大队"), Some("xfjydd"));
        assert_eq!(department_for("不存在的局"), None);
        assert_eq!(d.departments().count(), DEPARTMENTS.len());
    }

    #[test]
    fn street_of_walks_up() {
        let d = district();
        assert_eq!(d.street_of("330188003007").unwrap().code, "330188003");
        assert_eq!(d.street_of("330188003").unwrap().code, "330188003");
        assert!(d.street_of("cgj").is_none());
        assert!(d.street_of("nope").is_none());
    }
}
