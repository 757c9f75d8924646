//! 走访问题台账 import: template, validation report (row, column, reason), all-or-nothing vs
//! valid-rows-only, CSV and XLSX, formulas and oversized cells refused; hostile files (the
//! dimension bomb, a zip bomb, too many rows or columns, a huge shared string, a 50 MB sheet)
//! refused with 413 naming the limit, nothing written, the server still answering.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../app/tests/support/xlsx.rs"]
mod xlsx;

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
    let big = "长".repeat(12_000); // over the 10,000 characters of a cell
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
        serde_json::to_string(&rep).unwrap().len() < 10_000,
        "the report does not echo the long cell"
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

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn refused(got: (StatusCode, Value), limit: &str) {
    let (st, e) = got;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{limit}: {e}");
    assert_eq!(e["error"]["code"], "limit_exceeded", "{e}");
    assert_eq!(e["error"]["details"]["limit"], limit, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().len() > 10, "{e}");
}

/// The template's header as the first row of a hand-made sheet (a file with another header is
/// not read past it).
fn header_row() -> String {
    let cells: String = [
        "走访对象",
        "对象类型",
        "走访日期",
        "走访人",
        "问题描述",
        "地址",
        "区划代码",
    ]
    .iter()
    .enumerate()
    .map(|(i, h)| xlsx::text_cell(&format!("{}1", xlsx::column(i)), h))
    .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

fn sheet_writer(xml: String) -> xlsx::Body<'static> {
    Box::new(move |w: &mut dyn std::io::Write| w.write_all(xml.as_bytes()).unwrap())
}

async fn hostile_files(db: Db) {
    use std::io::Write;
    use xlsx::{SHEET_START, Store, text_cell, workbook};
    let s = TestServer::start(db).await;
    let clerk = s.login("clerk").await;
    let (community, _) = s.community(0);
    let before = s.store.count_cases().await.unwrap();

    // The probe's 7.7 KB dimension bomb: the whole grid declared, one cell at its far corner.
    let bomb = format!(
        r#"{SHEET_START}<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">{}</row></sheetData></worksheet>"#,
        text_cell("XFD1048576", "x")
    );
    let file = workbook(Store::Deflated, sheet_writer(bomb), None);
    assert!(file.len() < 8 * 1024);
    refused(upload(&s, &clerk, "", file, XLSX).await, "columns");

    // A zip bomb: 200 MiB of blanks in a sheet of a few hundred KB.
    let zip_bomb = workbook(
        Store::Deflated,
        Box::new(|w: &mut dyn Write| {
            w.write_all(SHEET_START.as_bytes()).unwrap();
            let chunk = vec![b' '; 1024 * 1024];
            for _ in 0..200 {
                w.write_all(&chunk).unwrap();
            }
            w.write_all(b"<sheetData></sheetData></worksheet>").unwrap();
        }),
        None,
    );
    assert!(zip_bomb.len() < 1024 * 1024, "{}", zip_bomb.len());
    refused(
        upload(&s, &clerk, "", zip_bomb, XLSX).await,
        "compression_ratio",
    );

    // Too many rows: the header and 100,001 rows of one cell.
    let many = Box::new(|w: &mut dyn Write| {
        w.write_all(SHEET_START.as_bytes()).unwrap();
        w.write_all(b"<sheetData>").unwrap();
        w.write_all(header_row().as_bytes()).unwrap();
        for r in 2..=100_002 {
            write!(w, r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#).unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    refused(
        upload(&s, &clerk, "", workbook(Store::Deflated, many, None), XLSX).await,
        "rows",
    );

    // Too many columns: a value in column 257.
    let wide = format!(
        r#"{SHEET_START}<sheetData><row r="1">{}</row></sheetData></worksheet>"#,
        text_cell("IW1", "x")
    );
    refused(
        upload(
            &s,
            &clerk,
            "",
            workbook(Store::Deflated, sheet_writer(wide), None),
            XLSX,
        )
        .await,
        "columns",
    );

    // A huge shared string: 10 MB in one cell (varied text, so that it is not also a zip bomb).
    let sheet = format!(
        r#"{SHEET_START}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
    );
    let shared = Box::new(|w: &mut dyn Write| {
        w.write_all(b"<sst><si><t>").unwrap();
        let mut x: u32 = 7;
        let text: String = (0..3_500_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from_u32(0x4E00 + (x >> 8) % 20_000).unwrap()
            })
            .collect();
        w.write_all(text.as_bytes()).unwrap();
        w.write_all(b"</t></si></sst>").unwrap();
    });
    refused(
        upload(
            &s,
            &clerk,
            "",
            workbook(Store::Deflated, sheet_writer(sheet), Some(shared)),
            XLSX,
        )
        .await,
        "cell_bytes",
    );

    // A 50 MB sheet, stored uncompressed: 2 million rows.
    let fifty = Box::new(|w: &mut dyn Write| {
        w.write_all(SHEET_START.as_bytes()).unwrap();
        w.write_all(b"<sheetData>").unwrap();
        w.write_all(header_row().as_bytes()).unwrap();
        for r in 1..=2_000_000 {
            write!(w, r#"<row><c><v>{r}</v></c></row>"#).unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    let file = workbook(Store::Stored, fifty, None);
    assert!(file.len() > 50_000_000, "{}", file.len());
    refused(upload(&s, &clerk, "", file, XLSX).await, "rows");

    // Over the upload limit: refused from its declared length. The server answers 413 and closes
    // without reading the rest, so a client still writing may see the connection close (broken
    // pipe) before it reads the answer — a refusal all the same; then the server must still serve.
    let over = s
        .http
        .post(format!("{}/api/v1/ledger/import", s.base))
        .bearer_auth(&clerk)
        .header("content-type", "text/csv")
        .body(vec![b'a'; 65 * 1024 * 1024])
        .send()
        .await;
    match over {
        Ok(r) => {
            let st = r.status();
            refused((st, r.json().await.unwrap_or(Value::Null)), "file_bytes");
        }
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    let (st, _) = s.get("/healthz", &clerk).await;
    assert_eq!(
        st,
        StatusCode::OK,
        "the server serves after an oversize upload"
    );

    // CSV: a 10 MB cell, too many columns, and 100,001 valid rows in valid-only mode — refused
    // whole, before any row is written.
    let long = csv(&[format!(
        "张三,住户,2026-11-02,李明,{},金桥路,{community},,",
        "长".repeat(3_500_000)
    )]);
    refused(upload(&s, &clerk, "", long, "text/csv").await, "cell_bytes");
    refused(
        upload(&s, &clerk, "", ",".repeat(300).into_bytes(), "text/csv").await,
        "columns",
    );
    let rows: Vec<String> = (0..100_001)
        .map(|i| format!("住户{i},住户,2026-11-02,李明,楼道堆放杂物,金桥花园{i}幢,{community},,"))
        .collect();
    refused(
        upload(&s, &clerk, "mode=valid_only", csv(&rows), "text/csv").await,
        "rows",
    );
    assert_eq!(
        s.store.count_cases().await.unwrap(),
        before,
        "nothing written"
    );

    // Not a workbook at all: 422.
    let (st, e) = upload(
        &s,
        &clerk,
        "format=xlsx",
        b"PK\x03\x04 broken".to_vec(),
        XLSX,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "bad_file");

    // Control characters in cells: reported by row and column; 问题描述 may span lines.
    let (st, rep) = upload(
        &s,
        &clerk,
        "mode=valid_only",
        csv(&[
            format!("王\u{0}五,住户,2026-11-02,李明,路灯坏了,金桥路,{community},,"),
            format!(
                "赵六,住户,2026-11-02,李明,\"路灯坏了\r\n已经两周\",金桥路\u{1b},{community},,"
            ),
            format!("钱七,住户,2026-11-02,李明,\"路灯坏了\n已经两周\",金桥路,{community},,"),
        ]),
        "text/csv",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    let errs = rep["errors"].as_array().unwrap();
    assert!(
        errs.iter().any(|e| e["row"] == 2
            && e["column"] == "走访对象"
            && e["reason"].as_str().unwrap().contains("U+0000")),
        "{rep}"
    );
    assert!(
        errs.iter().any(|e| e["row"] == 3
            && e["column"] == "地址"
            && e["reason"].as_str().unwrap().contains("U+001B")),
        "{rep}"
    );
    assert_eq!(rep["imported"], 1, "{rep}");

    // The server still answers, and a good file still imports.
    let r = s
        .http
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let good = xlsx::simple(&[
        [
            "走访对象",
            "对象类型",
            "走访日期",
            "走访人",
            "问题描述",
            "地址",
            "区划代码",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect(),
        vec![
            "临江建材有限公司".into(),
            "企业".into(),
            "2026-11-03".into(),
            "王科长".into(),
            "企业反映拖欠工人工资三个月".into(),
            "仓前镇工业园8号".into(),
            community.clone(),
        ],
    ]);
    let (st, rep) = upload(&s, &clerk, "", good, XLSX).await;
    assert_eq!(
        (st, rep["imported"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{rep}"
    );
    assert_eq!(s.store.count_cases().await.unwrap(), before + 2);
    s.shutdown().await;
}
on_both!(hostile_ledger_files, hostile_files);
