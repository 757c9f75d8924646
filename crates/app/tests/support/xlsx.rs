//! Builds XLSX files by hand for the tests of the bounded readers: minimal workbooks whose sheet
//! XML the test writes itself, so that hostile files (a lying `<dimension>`, a cell at XFD, a
//! zip bomb, a huge shared string) can be made without a spreadsheet library refusing them.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;

/// How a part is stored in the zip.
#[derive(Clone, Copy)]
pub enum Store {
    Deflated,
    Stored,
}

/// Writes a part's bytes.
pub type Body<'a> = Box<dyn FnOnce(&mut dyn Write) + 'a>;

/// A zip of the given parts; a part's bytes come from a function called with a writer, so
/// large parts are streamed into the compressor, never held whole.
pub fn zip_of(parts: Vec<(&str, Store, Body<'_>)>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, store, body) in parts {
        let opts = zip::write::SimpleFileOptions::default()
            .large_file(false)
            .compression_method(match store {
                Store::Deflated => zip::CompressionMethod::Deflated,
                Store::Stored => zip::CompressionMethod::Stored,
            })
            .compression_level(None);
        w.start_file(name, opts).unwrap();
        body(&mut w);
    }
    w.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

pub const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// A workbook of one sheet: `sheet` writes the worksheet XML, `shared` the shared strings XML.
pub fn workbook<'a>(store: Store, sheet: Body<'a>, shared: Option<Body<'a>>) -> Vec<u8> {
    let fixed = |s: &'static str| -> Body<'a> {
        Box::new(move |w: &mut dyn Write| w.write_all(s.as_bytes()).unwrap())
    };
    let mut parts = vec![
        ("[Content_Types].xml", Store::Deflated, fixed(CONTENT_TYPES)),
        ("xl/workbook.xml", Store::Deflated, fixed(WORKBOOK)),
        ("xl/_rels/workbook.xml.rels", Store::Deflated, fixed(RELS)),
        ("xl/worksheets/sheet1.xml", store, sheet),
    ];
    if let Some(s) = shared {
        parts.push(("xl/sharedStrings.xml", Store::Deflated, s));
    }
    zip_of(parts)
}

/// An inline-string cell.
pub fn text_cell(reference: &str, text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        r#"<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>"#
    )
}

/// A worksheet of rows of inline strings (row 1 first), with an optional `<dimension>`.
pub fn sheet_of(dimension: Option<&str>, rows: &[Vec<String>]) -> String {
    let mut s = String::from(SHEET_START);
    if let Some(d) = dimension {
        s.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    s.push_str("<sheetData>");
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        s.push_str(&format!(r#"<row r="{n}">"#));
        for (j, v) in row.iter().enumerate() {
            s.push_str(&text_cell(&format!("{}{n}", column(j)), v));
        }
        s.push_str("</row>");
    }
    s.push_str("</sheetData></worksheet>");
    s
}

/// `0` → `A`.
pub fn column(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

/// A small workbook from rows of text.
pub fn simple(rows: &[Vec<String>]) -> Vec<u8> {
    let xml = sheet_of(None, rows);
    workbook(
        Store::Deflated,
        Box::new(move |w: &mut dyn Write| w.write_all(xml.as_bytes()).unwrap()),
        None,
    )
}
