//! Paper records into the campaign (issue 21, item 1), over HTTP on both backends: a campaign's
//! visit ledger imported from the ledger template (every row a visit, rows with a problem also
//! cases linked from their visit, dates outside the campaign and communities not taking part
//! refused by row), and a community's registry of households and enterprises imported from Excel
//! (own area only, importing the same list twice adds nothing).
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn upload(s: &TestServer, token: &str, path: &str, body: String) -> (StatusCode, Value) {
    let r = s
        .http
        .post(format!("{}{path}", s.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.into_bytes())
        .send()
        .await
        .unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

const LEDGER_HEADER: &str =
    "走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话,走访情况\r\n";

async fn visit_ledger(db: Db) {
    let s = TestServer::start(db).await;
    let (sup, clerk) = (s.login("supervisor").await, s.login("clerk").await);
    let (community, street) = s.community(0);
    let (community2, _) = s.community(1);
    let (st, c) = s
        .post(
            "/api/v1/campaigns",
            &sup,
            json!({ "name": "冬季走访", "starts_on": "2026-11-01", "ends_on": "2026-12-31",
                "units": [{ "unit": street, "households": 10, "enterprises": 2 }] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/campaigns/{id}/visits/import");
    let rows = [
        // A household with a problem: a visit and a case.
        format!(
            "王建国,住户,2026-11-20,李明,楼道灯坏了一个多月，老人晚上出行不便,金桥花园3幢,{community},,13800001234,反映楼道灯不亮"
        ),
        // An enterprise visit that found nothing: a visit only.
        format!(
            "金桥五金有限公司,企业,2026/11/21,李明,,金桥路18号,{community},,,生产经营正常，无诉求"
        ),
        // The same household again: visited twice, counted once.
        format!("王建国,住户,2026-11-22,张华,,金桥花园3幢,{community},,13800001234,回访楼道灯情况"),
        // Before the campaign began.
        format!("赵六,住户,2026-10-20,李明,,金桥花园5幢,{community},,,无"),
        // A community of a street that does not take part.
        format!("钱七,住户,2026-11-20,李明,,幸福里1号,{community2},,,无"),
    ];
    let file = format!("\u{feff}{LEDGER_HEADER}{}\r\n", rows.join("\r\n"));
    // All or nothing: two wrong rows, nothing written, each named by row and column.
    let (st, r) = upload(&s, &clerk, &path, file.clone()).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["valid_rows"].as_u64(),
            r["rejected_rows"].as_u64(),
            r["imported"].as_u64()
        ),
        (Some(3), Some(2), Some(0)),
        "{r}"
    );
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["row"] == 5
            && e["column"] == "走访日期"
            && e["reason"].as_str().unwrap().contains("不在走访活动期间")),
        "{r}"
    );
    assert!(
        errors.iter().any(|e| e["row"] == 6
            && e["column"] == "区划代码"
            && e["reason"].as_str().unwrap().contains("参与单位")),
        "{r}"
    );
    let (_, sum) = s
        .get(&format!("/api/v1/campaigns/{id}/summary"), &sup)
        .await;
    assert_eq!(sum["totals"]["visits"], 0, "{sum}");
    // Valid rows only: three visits, one problem case.
    let (st, r) = upload(
        &s,
        &clerk,
        &format!("{path}?mode=valid_only&filename=走访台账.csv"),
        file,
    )
    .await;
    assert_eq!(
        (st, r["imported"].as_u64()),
        (StatusCode::OK, Some(3)),
        "{r}"
    );
    let (_, sum) = s
        .get(&format!("/api/v1/campaigns/{id}/summary"), &sup)
        .await;
    let t = &sum["totals"];
    assert_eq!(
        (
            t["visits"].as_u64(),
            t["households"].as_u64(),
            t["enterprises"].as_u64(),
            t["problems"].as_u64(),
            t["solved"].as_u64()
        ),
        (Some(3), Some(1), Some(1), Some(1), Some(0)),
        "{sum}"
    );
    assert_eq!(sum["units"][0]["households"], 1, "{sum}");
    // The problem is a case with source visit, reported on its visit's day.
    let (_, list) = s.get("/api/v1/cases?source=visit", &sup).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let (_, case) = s
        .get(
            &format!("/api/v1/cases/{}", items[0]["id"].as_str().unwrap()),
            &sup,
        )
        .await;
    assert_eq!(case["source"], "visit", "{case}");
    assert!(
        case["reported_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-20"),
        "{case}"
    );
    // The households and the enterprise joined the community's registry, once each.
    let (_, reg) = s
        .get(
            &format!("/api/v1/visit-subjects?community={community}"),
            &sup,
        )
        .await;
    let names: Vec<&str> = reg
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{reg}");
    assert!(
        names.contains(&"王建国") && names.contains(&"金桥五金有限公司"),
        "{reg}"
    );
    // The visits, newest first, with their cases; by kind; another street's staff see none of them.
    let (st, vs) = s.get(&format!("/api/v1/campaigns/{id}/visits"), &sup).await;
    assert_eq!(
        (st, vs["total"].as_u64()),
        (StatusCode::OK, Some(3)),
        "{vs}"
    );
    let items = vs["items"].as_array().unwrap();
    assert!(
        items[0]["visited_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-22"),
        "{vs}"
    );
    let with_case: Vec<&Value> = items
        .iter()
        .filter(|v| v["problems"].as_array().is_some_and(|p| !p.is_empty()))
        .collect();
    assert_eq!(with_case.len(), 1, "{vs}");
    assert!(
        with_case[0]["problems"][0]["number"].as_str().is_some(),
        "{vs}"
    );
    assert_eq!(with_case[0]["found"], "反映楼道灯不亮", "{vs}");
    let (_, vs) = s
        .get(
            &format!("/api/v1/campaigns/{id}/visits?kind=enterprise"),
            &sup,
        )
        .await;
    assert_eq!(vs["total"], 1, "{vs}");
    assert_eq!(
        vs["items"][0]["subject"]["name"], "金桥五金有限公司",
        "{vs}"
    );
    let other = s.login("street2_handler").await;
    let (_, vs) = s
        .get(&format!("/api/v1/campaigns/{id}/visits"), &other)
        .await;
    assert_eq!(vs["total"], 0, "{vs}");
    let (st, _) = s
        .get(&format!("/api/v1/campaigns/{id}/visits?page_size=0"), &sup)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Who may: a citizen may not; an unknown campaign is 404.
    let citizen = s.login("citizen").await;
    let (st, _) = upload(
        &s,
        &citizen,
        &path,
        format!("{LEDGER_HEADER}{}\r\n", rows[1]),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = upload(
        &s,
        &clerk,
        "/api/v1/campaigns/0190a4b2-0000-7000-8000-000000000000/visits/import",
        format!("{LEDGER_HEADER}{}\r\n", rows[1]),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Without a campaign the ledger still needs its problem.
    let (st, r) = upload(
        &s,
        &clerk,
        "/api/v1/ledger/import",
        format!("{LEDGER_HEADER}{}\r\n", rows[1]),
    )
    .await;
    assert_eq!(
        (st, r["rejected_rows"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{r}"
    );
    assert_eq!(r["errors"][0]["column"], "问题描述", "{r}");
}

async fn registry(db: Db) {
    let s = TestServer::start(db).await;
    let handler = s.login("street_handler").await;
    let (community, _) = s.community(0);
    let (community2, _) = s.community(1);
    let path = "/api/v1/visit-subjects/import";
    let (st, t) = {
        let r = s
            .http
            .get(format!("{}/api/v1/visit-subjects/template.csv", s.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert_eq!(st, StatusCode::OK);
    assert!(t.contains("区划代码,对象类型,名称,地址,联系电话"), "{t}");
    let header = "区划代码,对象类型,名称,地址,联系电话\r\n";
    let mut rows: Vec<String> = (0..40)
        .map(|i| format!("{community},住户,住户{i},金桥花园{i}幢,1380000{i:04}"))
        .collect();
    rows.push(format!("{community},企业,金桥五金有限公司,金桥路18号,"));
    let good = format!("{header}{}\r\n", rows.join("\r\n"));
    // Another street's community, a wrong kind, a missing name: refused by row, nothing written.
    let bad = format!(
        "{good}{community2},住户,外街道住户,幸福里1号,\r\n{community},商户,某商户,金桥路1号,\r\n{community},住户,,金桥路2号,\r\n"
    );
    let (st, r) = upload(&s, &handler, path, bad).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["valid_rows"].as_u64(),
            r["rejected_rows"].as_u64(),
            r["imported"].as_u64()
        ),
        (Some(41), Some(3), Some(0)),
        "{r}"
    );
    let cols: Vec<(u64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cols,
        vec![(43, "区划代码"), (44, "对象类型"), (45, "名称")],
        "{r}"
    );
    let (_, reg) = s
        .get(
            &format!("/api/v1/visit-subjects?community={community}"),
            &handler,
        )
        .await;
    assert_eq!(reg.as_array().unwrap().len(), 0, "{reg}");
    // The good list: 41 new entries; the same list again adds none.
    let (st, r) = upload(&s, &handler, path, good.clone()).await;
    assert_eq!(
        (st, r["imported"].as_u64()),
        (StatusCode::OK, Some(41)),
        "{r}"
    );
    let (st, r) = upload(&s, &handler, path, good).await;
    assert_eq!(
        (st, r["imported"].as_u64(), r["valid_rows"].as_u64()),
        (StatusCode::OK, Some(0), Some(41)),
        "{r}"
    );
    let (_, reg) = s
        .get(
            &format!("/api/v1/visit-subjects?community={community}"),
            &handler,
        )
        .await;
    let list = reg.as_array().unwrap();
    assert_eq!(list.len(), 41, "{reg}");
    assert_eq!(list.iter().filter(|x| x["kind"] == "enterprise").count(), 1);
    // A hostile cell is refused by row, not stored.
    let (_, r) = upload(
        &s,
        &handler,
        path,
        format!("{header}{community},住户,=HYPERLINK(\"x\"),金桥路3号,\r\n"),
    )
    .await;
    assert_eq!(r["imported"], 0, "{r}");
    let (st, r) = upload(&s, &handler, path, String::new()).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{r}");
}

on_both!(campaign_visit_ledger, visit_ledger);
on_both!(visit_registry_import, registry);
