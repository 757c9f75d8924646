//! Property tests that fuzz the input parsers of `app` (issue 19): the CSV and XLSX readers
//! and the JSON text checks take any input without panicking, hold their limits, and read back
//! what a writer wrote. Case counts are fixed so the run takes a bounded time in CI (about
//! 20 s here); `FUZZ_CASES=N` multiplies them for a longer run.
#![allow(clippy::unwrap_used)]

mod support;

use app::sheet::{Cell, SheetLimits, read_csv, read_xlsx, text_cell};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::io::Write;
use support::xlsx::{SHEET_START, Store, workbook};

/// A fixed number of cases, scaled by `FUZZ_CASES` (a factor) for longer runs.
fn config(cases: u32) -> Config {
    let factor = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    Config {
        cases: cases * factor.max(1),
        failure_persistence: None,
        ..Config::default()
    }
}

fn tight() -> SheetLimits {
    SheetLimits {
        max_rows: 40,
        max_columns: 12,
        max_cell_bytes: 200,
        max_shared_strings: 30,
        max_shared_bytes: 2_000,
        max_part_bytes: 256 * 1024,
        max_total_bytes: 512 * 1024,
        ..SheetLimits::default()
    }
}

/// Whatever came out respects the limits it was read under.
fn within(rows: &[(usize, Vec<Cell>)], l: &SheetLimits) -> Result<(), TestCaseError> {
    prop_assert!(
        rows.len()
            <= l.max_rows
                + rows
                    .iter()
                    .filter(|r| r.1.iter().all(|c| *c == Cell::Empty))
                    .count()
    );
    for (_, cells) in rows {
        prop_assert!(cells.len() <= l.max_columns);
        for c in cells {
            if let Cell::Text(s) | Cell::Formula(s) = c {
                prop_assert!(s.len() <= l.max_cell_bytes);
            }
        }
    }
    Ok(())
}

fn csv_rows(bytes: &[u8], l: &SheetLimits) -> Result<Vec<(usize, Vec<Cell>)>, app::AppError> {
    let mut rows = vec![];
    read_csv(bytes, l, &mut |n, cells| {
        rows.push((n, cells));
        Ok(true)
    })?;
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8], l: &SheetLimits) -> Result<Vec<(usize, Vec<Cell>)>, app::AppError> {
    let mut rows = vec![];
    read_xlsx(
        std::io::Cursor::new(bytes),
        bytes.len() as u64,
        l,
        &mut |n, cells| {
            rows.push((n, cells));
            Ok(true)
        },
    )?;
    Ok(rows)
}

/// Text as people type it into cells, with the characters that trouble parsers.
fn cell_text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => proptest::char::range('a', 'z'),
        4 => proptest::char::range('一', '龥'),
        1 => Just(','),
        1 => Just('"'),
        1 => Just('\n'),
        1 => Just('\r'),
        1 => Just(' '),
        1 => Just('='),
        1 => Just('&'),
        1 => Just('<'),
        1 => Just('_'),
        1 => Just('\t'),
        1 => Just('\u{0}'),
        1 => Just('\u{1b}'),
        1 => any::<char>(),
    ];
    proptest::collection::vec(ch, 0..30).prop_map(|v| v.into_iter().collect())
}

#[test]
fn csv_takes_any_bytes() {
    TestRunner::new(config(3000))
        .run(&proptest::collection::vec(any::<u8>(), 0..2048), |bytes| {
            let l = tight();
            if let Ok(rows) = csv_rows(&bytes, &l) {
                within(&rows, &l)?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn csv_reads_back_what_was_written() {
    let records = proptest::collection::vec(proptest::collection::vec(cell_text(), 1..8), 1..20);
    TestRunner::new(config(1000))
        .run(&records, |records| {
            let mut csv = String::new();
            for r in &records {
                let fields: Vec<String> = r
                    .iter()
                    .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
                    .collect();
                csv.push_str(&fields.join(","));
                csv.push_str("\r\n");
            }
            let rows = csv_rows(csv.as_bytes(), &SheetLimits::default()).unwrap();
            let want: Vec<Vec<Cell>> = records
                .iter()
                .map(|r| r.iter().map(|f| text_cell(f)).collect())
                .collect();
            let got: Vec<Vec<Cell>> = rows.into_iter().map(|(_, c)| c).collect();
            prop_assert_eq!(got, want);
            Ok(())
        })
        .unwrap();
}

/// Pieces of worksheet XML, valid and not, in any order.
fn sheet_token() -> impl Strategy<Value = String> {
    let reference = (0usize..40, 0usize..60).prop_map(|(c, r)| {
        format!(
            "{}{}",
            support::xlsx::column(c * 700 % 16_400),
            r * 20_000 + 1
        )
    });
    prop_oneof![
        3 => (0u32..2_000_000).prop_map(|r| format!(r#"<row r="{r}">"#)),
        2 => Just("<row>".to_string()),
        3 => Just("</row>".to_string()),
        3 => (reference, prop_oneof![Just("s"), Just("inlineStr"), Just("n"), Just("b"), Just("e"), Just("str"), Just("d"), Just("x")])
            .prop_map(|(r, t)| format!(r#"<c r="{r}" t="{t}">"#)),
        1 => Just("<c>".to_string()),
        1 => Just(r#"<c r="A1" s="3"/>"#.to_string()),
        3 => Just("</c>".to_string()),
        2 => Just("<v>".to_string()),
        2 => Just("</v>".to_string()),
        1 => Just("<f>".to_string()),
        1 => Just("</f>".to_string()),
        1 => Just(r#"<f t="shared" si="0"/>"#.to_string()),
        2 => Just("<is><t>".to_string()),
        2 => Just("</t></is>".to_string()),
        1 => Just("<rPh><t>".to_string()),
        1 => Just("</t></rPh>".to_string()),
        4 => cell_text().prop_map(|t| t.replace('<', "&lt;").replace('&', "&amp;")),
        2 => (0u32..100).prop_map(|n| n.to_string()),
        1 => prop_oneof![Just("&amp;"), Just("&#0;"), Just("&#x1F600;"), Just("&#xD800;"), Just("&bogus;"), Just("&#99999999;"), Just("_x0000_"), Just("_x001B_")].prop_map(String::from),
        1 => Just(r#"<dimension ref="A1:XFD1048576"/>"#.to_string()),
        1 => Just("<![CDATA[x]]>".to_string()),
        1 => Just("<!DOCTYPE x [<!ENTITY a \"aaaa\">]>".to_string()),
    ]
}

#[test]
fn xlsx_takes_any_sheet_xml() {
    let sheets = proptest::collection::vec(sheet_token(), 0..120);
    let shared = proptest::collection::vec(cell_text(), 0..40);
    TestRunner::new(config(600))
        .run(
            &(sheets, shared, any::<bool>()),
            |(tokens, strings, close)| {
                let mut xml = format!("{SHEET_START}<sheetData>{}", tokens.concat());
                if close {
                    xml.push_str("</sheetData></worksheet>");
                }
                let sst = format!(
                    "<sst>{}</sst>",
                    strings
                        .iter()
                        .map(|s| format!(
                            "<si><t>{}</t></si>",
                            s.replace('&', "&amp;").replace('<', "&lt;")
                        ))
                        .collect::<String>()
                );
                let bytes = workbook(
                    Store::Deflated,
                    Box::new(move |w: &mut dyn Write| w.write_all(xml.as_bytes()).unwrap()),
                    Some(Box::new(move |w: &mut dyn Write| {
                        w.write_all(sst.as_bytes()).unwrap()
                    })),
                );
                let l = tight();
                if let Ok(rows) = xlsx_rows(&bytes, &l) {
                    within(&rows, &l)?;
                }
                Ok(())
            },
        )
        .unwrap();
}

#[derive(Debug, Clone)]
enum Written {
    Text(String),
    Number(f64),
}

#[test]
fn xlsx_reads_back_what_a_spreadsheet_library_wrote() {
    let value = prop_oneof![
        cell_text().prop_map(Written::Text),
        (-1e12f64..1e12).prop_map(Written::Number),
    ];
    let grid = proptest::collection::vec(proptest::collection::vec(value, 1..6), 1..8);
    TestRunner::new(config(300))
        .run(&grid, |grid| {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            for (r, row) in grid.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    match v {
                        Written::Text(s) => ws.write_string(r as u32, c as u16, s).map(|_| ()),
                        Written::Number(x) => ws.write_number(r as u32, c as u16, *x).map(|_| ()),
                    }
                    .unwrap();
                }
            }
            let bytes = wb.save_to_buffer().unwrap();
            let rows = xlsx_rows(&bytes, &SheetLimits::default()).unwrap();
            let want: Vec<Vec<Cell>> = grid
                .iter()
                .map(|row| {
                    let mut cells: Vec<Cell> = row
                        .iter()
                        .map(|v| match v {
                            Written::Text(s) => text_cell(s),
                            Written::Number(x) => Cell::Number(*x),
                        })
                        .collect();
                    while cells.last() == Some(&Cell::Empty) {
                        cells.pop();
                    }
                    cells
                })
                .filter(|r| !r.is_empty())
                .collect();
            let got: Vec<Vec<Cell>> = rows.into_iter().map(|(_, c)| c).collect();
            // Empty text is written as an empty cell or not at all: compare without them.
            let strip = |rows: Vec<Vec<Cell>>| -> Vec<Vec<Cell>> {
                rows.into_iter()
                    .map(|r| r.into_iter().filter(|c| *c != Cell::Empty).collect())
                    .collect()
            };
            prop_assert_eq!(strip(got), strip(want));
            Ok(())
        })
        .unwrap();
}

#[test]
fn xlsx_takes_any_corruption_of_a_workbook() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for r in 0..20u32 {
        for c in 0..6u16 {
            ws.write_string(r, c, format!("第{r}行第{c}列")).unwrap();
        }
    }
    let original = wb.save_to_buffer().unwrap();
    let len = original.len();
    let edits = proptest::collection::vec((0..len, any::<u8>()), 1..12);
    TestRunner::new(config(1000))
        .run(&(edits, 0..len + 1), |(edits, cut)| {
            let mut bytes = original.clone();
            for (at, b) in edits {
                bytes[at] = b;
            }
            bytes.truncate(cut.max(1));
            let l = tight();
            if let Ok(rows) = xlsx_rows(&bytes, &l) {
                within(&rows, &l)?;
            }
            Ok(())
        })
        .unwrap();
}

/// JSON values with strings that hold control characters anywhere.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("title".to_string()),
        Just("description".to_string()),
        Just("name".to_string()),
        Just("opinion".to_string()),
        cell_text(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        cell_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Whether a JSON value holds a string (or key) with a character its field may not hold.
fn has_bad_text(v: &Value, field: &str) -> bool {
    match v {
        Value::String(s) => {
            app::input::control_char(s.trim(), app::input::is_multiline(field)).is_some()
        }
        Value::Array(a) => a.iter().any(|x| has_bad_text(x, field)),
        Value::Object(m) => m
            .iter()
            .any(|(k, x)| app::input::control_char(k, false).is_some() || has_bad_text(x, k)),
        _ => false,
    }
}

#[test]
fn json_text_checks_agree_with_the_rule() {
    TestRunner::new(config(3000))
        .run(&json_value(), |v| {
            let refused = app::input::check_json_text(&v).is_err();
            prop_assert_eq!(refused, has_bad_text(&v, ""), "{}", v);
            // Reading fields never panics, whatever their types.
            if let Ok(f) = app::input::Fields::of(&v, "") {
                for k in ["title", "description", "name", "opinion"] {
                    let _ = f.opt_str(k, 50);
                    let _ = f.opt_i64(k);
                    let _ = f.str_list(k, 3);
                    let _ = f.object(k, "x.");
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn json_bodies_of_any_bytes() {
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        json_value().prop_map(|v| {
            let mut b = serde_json::to_vec(&v).unwrap();
            // A cut or a stray byte somewhere.
            let n = b.len();
            if n > 2 {
                b.truncate(n - n / 3);
            }
            b
        }),
    ];
    TestRunner::new(config(3000))
        .run(&bytes, |bytes| {
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                let _ = app::input::check_json_text(&v);
            }
            Ok(())
        })
        .unwrap();
}
