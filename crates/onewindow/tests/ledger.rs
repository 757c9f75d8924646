//! 走访问题台账 import: template, validation report (row, column, reason), all-or-nothing vs
//! valid-rows-only, CSV and XLSX, formulas and oversized cells refused.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

async fn upload(
    s: &TestServer,
    token: &str,
    query: &str,
    body: Vec<u8>,
    ctype: &str,
) -> (StatusCode, Value) {
    let r = s
        .http
        .post(format!("{}/api/v1/ledger/import?{query}", s.base))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(
        "\u{feff}走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话\r\n",
    );
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

async fn ledger(db: Db) {
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let (community, street) = s.community(0);
    // Templates.
    let r = s
        .http
        .get(format!("{}/api/v1/ledger/template.xlsx", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    let t = s
        .http
        .get(format!("{}/api/v1/ledger/template.csv", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(t.contains("走访对象,对象类型,走访日期"));

    let good = |i: usize| {
        format!(
            "住户{i},住户,2026-11-0{},李明,楼道里堆满杂物，消防通道被堵，存在火灾隐患,金桥花园{i}幢,{community},,1380000{i:04}",
            1 + i % 9
        )
    };
    let big = "长".repeat(3_500_000); // over 10 MB as UTF-8
    let rows = vec![
        good(1),
        format!("张三,住户,2026-13-45,李明,路灯坏了,金桥路,{community},,"),
        format!("李四,住户,2026-11-02,李明,路灯坏了,金桥路,999999999999,,"),
        format!("王五,住户,2026-11-02,李明,,金桥路,{community},,"),
        format!("赵六,企业,2026-11-02,李明,=HYPERLINK(\"http://x\"),金桥路,{community},,"),
        format!("钱七,住户,2026-11-02,李明,{big},金桥路,{community},,"),
        format!("孙八,学校,2026-11-02,李明,围墙倒塌,金桥路,{community},没有这个分类,call"),
        good(2),
    ];
    let body = csv(&rows);
    assert!(body.len() > 10_000_000);
    let before = s.store.count_cases().await.unwrap();
    // All or nothing: a precise report and nothing imported.
    let (st, rep) = upload(&s, &clerk, "mode=all_or_nothing", body.clone(), "text/csv").await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(
        (
            rep["total_rows"].as_u64(),
            rep["valid_rows"].as_u64(),
            rep["rejected_rows"].as_u64(),
            rep["imported"].as_u64()
        ),
        (Some(8), Some(2), Some(6), Some(0))
    );
    let errs = rep["errors"].as_array().unwrap();
    let has = |row: u64, col: &str, word: &str| {
        errs.iter().any(|e| {
            e["row"] == row && e["column"] == col && e["reason"].as_str().unwrap().contains(word)
        })
    };
    assert!(has(3, "走访日期", "不是有效日期"), "{errs:?}");
    assert!(has(4, "区划代码", "999999999999"));
    assert!(has(5, "问题描述", "必填"));
    assert!(has(6, "问题描述", "公式"));
    assert!(has(7, "问题描述", "过长"));
    assert!(
        has(8, "对象类型", "学校")
            && has(8, "问题分类", "没有这个分类")
            && has(8, "联系电话", "格式")
    );
    assert!(
        serde_json::to_string(&rep).unwrap().len() < 100_000,
        "the report does not echo the 10 MB cell"
    );
    assert_eq!(s.store.count_cases().await.unwrap(), before);
    // Valid rows only.
    let (_, rep) = upload(
        &s,
        &clerk,
        "mode=valid_only&dry_run=true",
        body.clone(),
        "text/csv",
    )
    .await;
    assert_eq!(rep["imported"], 0, "dry run");
    let (_, rep) = upload(
        &s,
        &clerk,
        "mode=valid_only&filename=11月台账.csv",
        body,
        "text/csv",
    )
    .await;
    assert_eq!(rep["imported"], 2);
    assert_eq!(s.store.count_cases().await.unwrap(), before + 2);
    let (_, l) = s.get("/api/v1/cases?source=visit", &clerk).await;
    assert_eq!(l["total"], 2);
    let c = &l["items"][0];
    assert_eq!(c["status"], "registered");
    assert_eq!(
        c["hub"],
        street.as_str(),
        "visit problems go to the street's center"
    );
    assert_eq!(c["category"], "公共安全/消防隐患", "triaged");
    let ev = s.events(&clerk, c).await;
    assert_eq!(ev[0]["data"]["ledger"]["file"], "11月台账.csv");
    // All rows valid, all or nothing: everything imported.
    let (_, rep) = upload(
        &s,
        &clerk,
        "",
        csv(&[good(3), good(4), good(5)]),
        "text/csv",
    )
    .await;
    assert_eq!(rep["imported"], 3);
    // A missing column is reported on the header row.
    let (_, rep) = upload(
        &s,
        &clerk,
        "",
        "走访对象,走访日期\r\n张三,2026-11-01\r\n"
            .as_bytes()
            .to_vec(),
        "text/csv",
    )
    .await;
    assert!(
        rep["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["row"] == 1 && e["column"] == "问题描述")
    );
    // XLSX: a date cell, a formula, a number region.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in [
        "走访对象",
        "对象类型",
        "走访日期",
        "走访人",
        "问题描述",
        "地址",
        "区划代码",
        "问题分类",
        "联系电话",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 3).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, formula) in [(1u32, false), (2, true)] {
        ws.write_string(r, 0, "临江建材有限公司").unwrap();
        ws.write_string(r, 1, "企业").unwrap();
        ws.write_datetime_with_format(r, 2, &date, &fmt).unwrap();
        ws.write_string(r, 3, "王科长").unwrap();
        if formula {
            ws.write_formula(r, 4, "=CONCATENATE(\"a\",\"b\")").unwrap();
        } else {
            ws.write_string(r, 4, "企业反映拖欠工人工资三个月，工人多次讨要未果")
                .unwrap();
        }
        ws.write_string(r, 5, "仓前镇工业园8号").unwrap();
        ws.write_number(r, 6, community.parse::<f64>().unwrap())
            .unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let (st, rep) = upload(
        &s,
        &clerk,
        "mode=valid_only",
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(rep["imported"], 1, "{rep}");
    assert!(
        rep["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["row"] == 3
                && e["column"] == "问题描述"
                && e["reason"].as_str().unwrap().contains("公式"))
    );
    // Handlers may not import; unreadable files are a clear 422.
    let h = s.login("handler").await;
    let (st, _) = upload(&s, &h, "", csv(&[good(6)]), "text/csv").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, e) = upload(
        &s,
        &clerk,
        "format=xlsx",
        b"not a zip".to_vec(),
        "application/octet-stream",
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    s.shutdown().await;
}
on_both!(visit_ledger_import, ledger);
