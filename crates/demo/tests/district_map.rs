//! The demo district's map (`data/district_map.geojson`, from `scripts/gen_district_map.py`)
//! agrees with its org tree: it is a valid FeatureCollection with the district and one feature
//! per street, every community's point lies in its own street, and so do the synthetic cases'
//! points (they are scattered around their community's point, so where two streets' communities
//! stand close a few fall across the line; the share is asserted, not all).
#![allow(clippy::unwrap_used)]

use regions::{Limits, locate};

fn map() -> Vec<regions::Region> {
    let v: serde_json::Value = serde_json::from_str(demo::DISTRICT_MAP).unwrap();
    regions::parse(&v, Limits::default()).unwrap()
}

fn street_at(r: &[regions::Region], lat: f64, lon: f64) -> Option<String> {
    locate(r, lon, lat, |x| x.level.as_deref() == Some("street")).map(|x| x.code.clone())
}

#[test]
fn the_map_has_the_district_and_every_street() {
    let r = map();
    let d = demo::district();
    assert!(
        r.iter()
            .any(|x| x.code == demo::DISTRICT_CODE && x.level.as_deref() == Some("district"))
    );
    for s in d.streets() {
        let f = r.iter().find(|x| x.code == s.region).unwrap();
        assert_eq!(f.level.as_deref(), Some("street"));
        assert_eq!(f.name.as_deref(), Some(s.area.as_str()));
    }
    assert_eq!(r.len(), d.streets().count() + 1);
    assert!(demo::DISTRICT_MAP.len() < 200 * 1024);
}

#[test]
fn every_community_lies_in_its_own_street() {
    let r = map();
    let d = demo::district();
    for c in d.communities() {
        let street = d.street_of(&c.code).unwrap();
        let at = street_at(&r, c.lat.unwrap(), c.lon.unwrap());
        assert_eq!(at.as_deref(), Some(street.region.as_str()), "{}", c.name);
    }
    // Street centres too, and a point far away is in none.
    for s in d.streets() {
        assert_eq!(
            street_at(&r, s.lat.unwrap(), s.lon.unwrap()).as_deref(),
            Some(s.region.as_str())
        );
    }
    assert_eq!(street_at(&r, 31.0, 121.0), None);
}

#[test]
fn nearly_every_case_lies_in_its_own_street() {
    let r = map();
    let d = demo::district();
    // 2026-12-01 in Shanghai; any instant gives the same scatter rules.
    let cases = demo::cases(2026, 4_000, 1_796_054_400_000, &d);
    let (mut with_point, mut inside) = (0, 0);
    for c in &cases {
        let (Some(lat), Some(lon)) = (c.lat, c.lon) else {
            continue;
        };
        with_point += 1;
        let street = d.street_of(&c.region).unwrap();
        // Every case point is within the district.
        assert!(
            locate(&r, lon, lat, |_| true).is_some(),
            "{lat},{lon} is outside the district"
        );
        if street_at(&r, lat, lon).as_deref() == Some(street.region.as_str()) {
            inside += 1;
        }
    }
    assert!(with_point > 2_000, "{with_point}");
    let share = f64::from(inside) / f64::from(with_point);
    eprintln!("case points in their own street: {inside} of {with_point} ({share:.3})");
    assert!(share > 0.97, "{inside} of {with_point} ({share:.3})");
}
