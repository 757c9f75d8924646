//! The bounded XLSX reader (`app::sheet`): what spreadsheet programs write reads back as written,
//! and hostile files are refused by the limit they break, before memory follows what they
//! declare.
#![allow(clippy::unwrap_used)]

mod support;

use app::AppError;
use app::sheet::{Cell, SheetLimits, read_xlsx};
use std::io::Write;
use support::xlsx::{Store, column, sheet_of, simple, text_cell, workbook, zip_of};

fn read(bytes: &[u8], limits: &SheetLimits) -> Result<Vec<(usize, Vec<Cell>)>, AppError> {
    let mut rows = vec![];
    read_xlsx(
        std::io::Cursor::new(bytes),
        bytes.len() as u64,
        limits,
        &mut |n, cells| {
            rows.push((n, cells));
            Ok(true)
        },
    )?;
    Ok(rows)
}

fn limit_of(e: &AppError) -> String {
    assert_eq!(e.code, "limit_exceeded", "{e}");
    e.details.as_ref().unwrap()["limit"]
        .as_str()
        .unwrap()
        .to_string()
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

#[test]
fn what_a_spreadsheet_program_writes_reads_back() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "走访对象").unwrap();
    ws.write_string(0, 1, "a & <b> \"c\"").unwrap();
    ws.write_string(0, 2, "两行\n文字\t制表").unwrap();
    ws.write_string(0, 3, "控制\u{1}字符").unwrap();
    ws.write_string(0, 4, "_x0041_ 原样").unwrap();
    ws.write_number(1, 0, 330_188_002_001.0).unwrap();
    ws.write_number(1, 1, -1.5).unwrap();
    ws.write_boolean(1, 2, true).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 3).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_datetime_with_format(1, 3, &date, &fmt).unwrap();
    ws.write_formula(1, 4, "=SUM(1,2)").unwrap();
    ws.write_string(3, 27, "AB4").unwrap();
    ws.write_string(4, 0, "=不是公式却以等号开头").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let rows = read(&bytes, &SheetLimits::default()).unwrap();
    assert_eq!(rows.len(), 4, "the empty row 3 is not handed over");
    assert_eq!(
        rows[0],
        (
            1,
            vec![
                text("走访对象"),
                text("a & <b> \"c\""),
                text("两行\n文字\t制表"),
                text("控制\u{1}字符"),
                text("_x0041_ 原样"),
            ]
        )
    );
    assert_eq!(
        rows[1],
        (
            2,
            vec![
                Cell::Number(330_188_002_001.0),
                Cell::Number(-1.5),
                text("true"),
                Cell::Number(46329.0),
                Cell::Formula("=SUM(1,2)".into()),
            ]
        )
    );
    assert_eq!(rows[2].0, 4);
    assert_eq!(rows[2].1.len(), 28);
    assert_eq!(rows[2].1[27], text("AB4"));
    assert_eq!(
        rows[3].1,
        vec![Cell::Formula("=不是公式却以等号开头".into())]
    );
}

#[test]
fn shared_strings_rich_text_and_entities() {
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="999999999" uniqueCount="999999999"><si><t>普通</t></si><si><r><rPr><b/></rPr><t>加</t></r><r><t xml:space="preserve">粗 &amp; &#x4E2D;&#25991;</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si/><si><t>a_x000D_b</t></si></sst>"#;
    let sheet = format!(
        r#"{}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="e"><v>#DIV/0!</v></c><c r="F1" s="3"/><c r="G1" t="inlineStr"><is><r><t>行</t></r><r><t>内</t></r><rPh sb="0" eb="1"><t>ぎょう</t></rPh></is></c></row></sheetData></worksheet>"#,
        support::xlsx::SHEET_START
    );
    let bytes = workbook(
        Store::Deflated,
        Box::new(move |w: &mut dyn Write| w.write_all(sheet.as_bytes()).unwrap()),
        Some(Box::new(move |w: &mut dyn Write| {
            w.write_all(shared.as_bytes()).unwrap()
        })),
    );
    let rows = read(&bytes, &SheetLimits::default()).unwrap();
    assert_eq!(
        rows,
        vec![(
            1,
            vec![
                text("普通"),
                text("加粗 & 中文"),
                Cell::Empty,
                text("a\rb"),
                Cell::Formula("##DIV/0!".into()),
                Cell::Empty,
                text("行内"),
            ]
        )],
        "the declared count and dimension are not trusted, phonetic runs are not text"
    );
}

#[test]
fn a_lying_dimension_costs_nothing_and_a_far_cell_is_refused() {
    // The probe's 7.7 KB file: a dimension of the whole grid and one cell at its far corner.
    let far = format!(
        r#"{}<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">{}</row></sheetData></worksheet>"#,
        support::xlsx::SHEET_START,
        text_cell("XFD1048576", "x")
    );
    let bytes = workbook(
        Store::Deflated,
        Box::new(move |w: &mut dyn Write| w.write_all(far.as_bytes()).unwrap()),
        None,
    );
    let e = read(&bytes, &SheetLimits::default()).unwrap_err();
    assert_eq!(limit_of(&e), "columns");
    assert!(e.en.contains("XFD1048576"), "{}", e.en);
    // The same dimension over a small sheet reads the small sheet.
    let xml = sheet_of(
        Some("A1:XFD1048576"),
        &[vec!["a".into(), "b".into()], vec!["c".into()]],
    );
    let bytes = workbook(
        Store::Deflated,
        Box::new(move |w: &mut dyn Write| w.write_all(xml.as_bytes()).unwrap()),
        None,
    );
    assert_eq!(read(&bytes, &SheetLimits::default()).unwrap().len(), 2);
}

#[test]
fn each_limit_names_itself() {
    let tight = SheetLimits {
        max_rows: 3,
        max_columns: 4,
        max_cell_bytes: 16,
        max_shared_strings: 2,
        max_shared_bytes: 20,
        ..SheetLimits::default()
    };
    let row = |n: usize| (0..n).map(|i| format!("v{i}")).collect::<Vec<_>>();
    // Rows: three are fine, four are not.
    assert_eq!(
        read(&simple(&[row(1), row(1), row(1)]), &tight)
            .unwrap()
            .len(),
        3
    );
    let e = read(&simple(&[row(1), row(1), row(1), row(1)]), &tight).unwrap_err();
    assert_eq!(limit_of(&e), "rows");
    // Columns.
    let e = read(&simple(&[row(5)]), &tight).unwrap_err();
    assert_eq!(limit_of(&e), "columns");
    assert!(e.en.contains(&format!("{}1", column(4))), "{}", e.en);
    // A cell.
    let e = read(&simple(&[vec!["长".repeat(6)]]), &tight).unwrap_err();
    assert_eq!(limit_of(&e), "cell_bytes");
    // Shared strings: count, bytes, one string.
    let shared = |items: &[&str]| {
        let xml = format!(
            "<sst>{}</sst>",
            items
                .iter()
                .map(|s| format!("<si><t>{s}</t></si>"))
                .collect::<String>()
        );
        let sheet = sheet_of(None, &[vec!["a".into()]]);
        workbook(
            Store::Deflated,
            Box::new(move |w: &mut dyn Write| w.write_all(sheet.as_bytes()).unwrap()),
            Some(Box::new(move |w: &mut dyn Write| {
                w.write_all(xml.as_bytes()).unwrap()
            })),
        )
    };
    assert!(read(&shared(&["a", "b"]), &tight).is_ok());
    assert_eq!(
        limit_of(&read(&shared(&["a", "b", "c"]), &tight).unwrap_err()),
        "shared_strings"
    );
    assert_eq!(
        limit_of(&read(&shared(&["0123456789ab", "0123456789ab"]), &tight).unwrap_err()),
        "shared_strings_bytes"
    );
    assert_eq!(
        limit_of(&read(&shared(&["0123456789abcdefg"]), &tight).unwrap_err()),
        "cell_bytes"
    );
    // The file itself, and the zip directory.
    let small = SheetLimits {
        max_file_bytes: 100,
        ..SheetLimits::default()
    };
    assert_eq!(
        limit_of(&read(&simple(&[row(1)]), &small).unwrap_err()),
        "file_bytes"
    );
    let few_parts = SheetLimits {
        max_parts: 3,
        ..SheetLimits::default()
    };
    assert_eq!(
        limit_of(&read(&simple(&[row(1)]), &few_parts).unwrap_err()),
        "zip_entries"
    );
}

#[test]
fn zip_bombs_are_refused_by_ratio_and_size() {
    // 64 MiB of blanks compress about a thousand times.
    let bomb = workbook(
        Store::Deflated,
        Box::new(move |w: &mut dyn Write| {
            w.write_all(support::xlsx::SHEET_START.as_bytes()).unwrap();
            let chunk = vec![b' '; 1024 * 1024];
            for _ in 0..64 {
                w.write_all(&chunk).unwrap();
            }
            w.write_all(b"<sheetData></sheetData></worksheet>").unwrap();
        }),
        None,
    );
    assert!(bomb.len() < 256 * 1024, "{}", bomb.len());
    let e = read(&bomb, &SheetLimits::default()).unwrap_err();
    assert_eq!(limit_of(&e), "compression_ratio");
    // Without the ratio check, the decompressed size stops it.
    let no_ratio = SheetLimits {
        max_ratio: u64::MAX,
        max_part_bytes: 8 * 1024 * 1024,
        ..SheetLimits::default()
    };
    assert_eq!(limit_of(&read(&bomb, &no_ratio).unwrap_err()), "part_bytes");
    let total = SheetLimits {
        max_ratio: u64::MAX,
        max_total_bytes: 8 * 1024 * 1024,
        ..SheetLimits::default()
    };
    assert_eq!(
        limit_of(&read(&bomb, &total).unwrap_err()),
        "decompressed_bytes"
    );
}

#[test]
fn files_that_are_not_workbooks_are_422() {
    let bad = |bytes: &[u8]| {
        let e = read(bytes, &SheetLimits::default()).unwrap_err();
        assert_eq!(e.code, "bad_file", "{e}");
        e
    };
    bad(b"not a zip");
    bad(b"");
    bad(&zip_of(vec![(
        "hello.txt",
        Store::Deflated,
        Box::new(|w: &mut dyn Write| w.write_all(b"hi").unwrap()),
    )]));
    for broken in [
        "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>x</t></is></c></row>",
        "<worksheet><sheetData><row><c><v>&bogus;</v></c></row></sheetData></worksheet>",
        "<worksheet><sheetData><row><c t=\"s\"><v>7</v></c></row></sheetData></worksheet>",
        "<worksheet><sheetData><row></c></row></sheetData></worksheet>",
    ] {
        let xml = broken.to_string();
        let bytes = workbook(
            Store::Deflated,
            Box::new(move |w: &mut dyn Write| w.write_all(xml.as_bytes()).unwrap()),
            None,
        );
        let r = read(&bytes, &SheetLimits::default());
        // A truncated document may end cleanly for a streaming reader; the others may not.
        if !broken.ends_with("</c></row>") {
            assert_eq!(r.unwrap_err().code, "bad_file", "{broken}");
        }
    }
}
