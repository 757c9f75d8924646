//! The district map over HTTP on both backends (issue 23): the demo district's boundaries as a
//! FeatureCollection whose street codes are the streets' region codes; an administrator's upload
//! checked (422 naming what is wrong) and stored; a point located to its street, or 404 outside;
//! the cases as points under the caller's data scope (a street's user sees only its street).
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Street centres of the demo district (crates/demo/src/names.rs): 临江街道 and 东湖街道.
const STREET0: (f64, f64) = (30.2712, 120.0035);
const STREET1: (f64, f64) = (30.2846, 120.0402);

fn streets(s: &TestServer) -> Vec<&Value> {
    s.units.iter().filter(|u| u["level"] == "street").collect()
}

async fn put(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call("PUT", "/api/v1/map/regions", Some(token), Some(body))
        .await
}

fn square(code: &str, level: &str, lon: f64, lat: f64, d: f64) -> Value {
    json!({ "type": "Feature", "properties": { "code": code, "level": level },
        "geometry": { "type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] } })
}

async fn regions_and_locate(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.login("admin").await;
    let clerk = s.login("clerk").await;

    // The demo district's map, installed with the district.
    let (st, fc) = s.get("/api/v1/map/regions", &clerk).await;
    assert_eq!(st, StatusCode::OK, "{fc}");
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    let street_codes: BTreeSet<&str> = streets(&s)
        .iter()
        .map(|u| u["region"].as_str().unwrap())
        .collect();
    let mapped: BTreeSet<&str> = features
        .iter()
        .filter(|f| f["properties"]["level"] == "street")
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        mapped, street_codes,
        "one feature per street, by region code"
    );
    let district: Vec<&Value> = features
        .iter()
        .filter(|f| f["properties"]["level"] == "district")
        .collect();
    assert_eq!(district.len(), 1);
    assert_eq!(district[0]["properties"]["code"], "330188");
    for f in features {
        let t = f["geometry"]["type"].as_str().unwrap();
        assert!(t == "Polygon" || t == "MultiPolygon", "{t}");
        assert!(f["properties"]["name"].is_string());
    }
    // Signed in only.
    let (st, _) = s.call("GET", "/api/v1/map/regions", None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Locate: a street's centre is in that street; far away is outside (404).
    let locate = |lat: f64, lon: f64| format!("/api/v1/map/locate?lat={lat}&lon={lon}");
    let (st, v) = s.get(&locate(STREET0.0, STREET0.1), &clerk).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["code"], "330188001");
    assert_eq!(v["name"], "临江街道");
    let (_, v) = s.get(&locate(STREET1.0, STREET1.1), &clerk).await;
    assert_eq!(v["code"], "330188002");
    let (st, v) = s.get(&locate(31.5, 121.3), &clerk).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    for q in [
        "lat=abc&lon=120",
        "lat=30.2",
        "lat=95&lon=120",
        "lat=30&lon=NaN",
    ] {
        let (st, v) = s.get(&format!("/api/v1/map/locate?{q}"), &clerk).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
    }

    // Uploads: administrators only; every problem a 422 naming where it is.
    let good = json!({ "type": "FeatureCollection", "features": [
        square("330188", "district", 120.0, 30.27, 0.2),
        square("330188001", "street", 120.0, 30.27, 0.01),
    ]});
    let (st, _) = put(&s, &clerk, good.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let mut open_ring = good.clone();
    open_ring["features"][1]["geometry"]["coordinates"][0]
        .as_array_mut()
        .unwrap()
        .pop();
    let mut text_coord = good.clone();
    text_coord["features"][1]["geometry"]["coordinates"][0][2] = json!(["120.01", 30.28]);
    let mut unknown = good.clone();
    unknown["features"][1]["properties"]["code"] = json!("330188099");
    let mut community = good.clone();
    community["features"][1]["properties"]["code"] = json!(s.community(0).0);
    let mut point = good.clone();
    point["features"][1]["geometry"] = json!({ "type": "Point", "coordinates": [120.0, 30.27] });
    let mut wrong_level = good.clone();
    wrong_level["features"][1]["properties"]["level"] = json!("district");
    let mut no_code = good.clone();
    no_code["features"][1]["properties"] = json!({});
    for (body, field) in [
        (open_ring, "features[1].geometry.coordinates[0]"),
        (text_coord, "features[1].geometry.coordinates[0][2]"),
        (unknown, "features[1].properties.code"),
        (community, "features[1].properties.code"),
        (point, "features[1].geometry"),
        (wrong_level, "features[1].properties.level"),
        (no_code, "features[1].properties.code"),
        (json!({ "type": "Feature" }), "type"),
        (
            json!({ "type": "FeatureCollection", "features": [] }),
            "features",
        ),
    ] {
        let (st, v) = put(&s, &admin, body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    // Nothing was stored by the refusals.
    let (_, still) = s.get("/api/v1/map/regions", &clerk).await;
    assert_eq!(still, fc);
    // The route takes more than the API's usual 1 MiB (a district's survey data is large)…
    let (st, v) = put(
        &s,
        &admin,
        json!({ "type": "FeatureCollection", "features": [], "pad": "x".repeat(2 * 1024 * 1024) }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // …but not more than 5 MiB: 413 (or the connection closed before the rest was sent).
    let huge = "x".repeat(6 * 1024 * 1024);
    let r = s
        .http
        .put(format!("{}/api/v1/map/regions", s.base))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(format!("{{\"pad\":\"{huge}\"}}"))
        .send()
        .await;
    match r {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request(), "{e}"),
    }

    // A good upload replaces the map; names come from the org tree when not given.
    let (st, v) = put(&s, &admin, good).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["features"], 2);
    let (_, now) = s.get("/api/v1/map/regions", &clerk).await;
    assert_eq!(now["features"].as_array().unwrap().len(), 2);
    assert_eq!(
        now["features"][1]["properties"]["name"],
        "临江街道社会治理中心"
    );
    let (_, v) = s.get(&locate(30.27, 120.005), &clerk).await;
    assert_eq!(v["code"], "330188001");
    let (st, _) = s.get(&locate(STREET1.0, STREET1.1), &clerk).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "no street there any more");
    // And back.
    let (st, _) = put(&s, &admin, fc.clone()).await;
    assert_eq!(st, StatusCode::OK);

    // The tile URL is an optional setting.
    let (_, c) = s.get("/api/v1/map/config", &clerk).await;
    assert_eq!(c, json!({ "tile_url": null }));
    let (st, _) = s
        .call(
            "PUT",
            "/api/v1/map/config",
            Some(&admin),
            Some(json!({ "tile_url": "ftp://x" })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, c) = s
        .call(
            "PUT",
            "/api/v1/map/config",
            Some(&admin),
            Some(json!({ "tile_url": "https://tiles.example/{z}/{x}/{y}.png" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let (_, c) = s.get("/api/v1/map/config", &clerk).await;
    assert_eq!(c["tile_url"], "https://tiles.example/{z}/{x}/{y}.png");
    s.shutdown().await;
}
on_both!(regions_upload_and_locate, regions_and_locate);

/// A community of street `i` with a point near the street's centre.
fn place(s: &TestServer, i: usize, at: (f64, f64)) -> Value {
    let (community, _) = s.community(i);
    json!({ "address": "演示地址", "region": community, "lat": at.0, "lon": at.1 })
}

async fn cases_in_scope(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let street0 = streets(&s)[0]["region"].as_str().unwrap().to_string();
    let street1 = streets(&s)[1]["region"].as_str().unwrap().to_string();
    let mut mine = vec![];
    for k in 0..3 {
        let c = s
            .new_case(
                &clerk,
                json!({ "title": format!("街道一的问题{k}"), "location": place(&s, 0, STREET0) }),
            )
            .await;
        mine.push(c["id"].as_str().unwrap().to_string());
    }
    let other = s
        .new_case(&clerk, json!({ "title": "街道二的问题", "nature": "consult", "location": place(&s, 1, STREET1) }))
        .await;
    // A case without a point counts for its street but is not a point.
    let mut no_point = place(&s, 1, STREET1);
    no_point["lat"] = Value::Null;
    no_point["lon"] = Value::Null;
    s.new_case(&clerk, json!({ "title": "没有坐标", "location": no_point }))
        .await;

    // The district sees everything.
    let dispatcher = s.login("dispatcher").await;
    let (st, all) = s.get("/api/v1/map/cases", &dispatcher).await;
    assert_eq!(st, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 5);
    assert_eq!(all["truncated"], false);
    let points = all["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    let p = points.iter().find(|p| p["id"] == other["id"]).unwrap();
    assert_eq!(p["number"], other["number"]);
    assert_eq!(p["street"], street1.as_str());
    assert_eq!(p["lat"], STREET1.0);
    assert_eq!(p["lon"], STREET1.1);
    assert_eq!(p["status"], "registered");
    assert_eq!(p["urgency"], "normal");
    assert!(p["title"].is_string());
    let counts: Vec<(String, u64)> = all["streets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().to_string(),
                x["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, vec![(street0.clone(), 3), (street1.clone(), 2)]);

    // A street's handler sees only its street's points.
    let street_handler = s.login("street_handler").await;
    let (_, theirs) = s.get("/api/v1/map/cases", &street_handler).await;
    let ids: BTreeSet<&str> = theirs["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, mine.iter().map(String::as_str).collect());
    assert!(
        theirs["points"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["street"] == street0.as_str())
    );
    let street2 = s.login("street2_handler").await;
    let (_, theirs) = s.get("/api/v1/map/cases", &street2).await;
    assert_eq!(theirs["points"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["total"], 2);

    // Filters: the list's own, and a street.
    let (_, f) = s
        .get(&format!("/api/v1/map/cases?street={street1}"), &dispatcher)
        .await;
    assert_eq!(f["points"].as_array().unwrap().len(), 1);
    let (_, f) = s.get("/api/v1/map/cases?nature=consult", &dispatcher).await;
    assert_eq!(f["points"].as_array().unwrap().len(), 1);
    let (_, f) = s.get("/api/v1/map/cases?status=closed", &dispatcher).await;
    assert_eq!(f["total"], 0);
    let (_, f) = s
        .get(
            "/api/v1/map/cases?from=2026-11-24&to=2026-11-24",
            &dispatcher,
        )
        .await;
    assert_eq!(f["total"], 5);
    for q in [
        "street=330188099",
        "status=maybe",
        "from=yesterday",
        "nature=x",
    ] {
        let (st, v) = s.get(&format!("/api/v1/map/cases?{q}"), &dispatcher).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
    }
    // Staff only.
    let citizen = s.login("citizen").await;
    let (st, _) = s.get("/api/v1/map/cases", &citizen).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    s.shutdown().await;
}
on_both!(case_points_in_scope, cases_in_scope);
