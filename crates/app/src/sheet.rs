//! Bounded readers for uploaded spreadsheets (`.xlsx` and `.csv`).
//!
//! Both read streaming and hand over one row at a time, so memory is bounded by the rows and
//! cells actually present, never by what a file declares: an XLSX sheet's `<dimension>`, its
//! shared-string `count` and a zip entry's declared size are not trusted. Every size is checked
//! against [`SheetLimits`] while it is read (compressed and decompressed bytes, the ratio between
//! them, zip entries, rows, columns, cell length, shared strings), and a file over a limit is
//! refused with 413 naming the limit; a file that is not what it claims is a 422.
//!
//! XLSX: the zip directory is checked before the zip library reads it, then `xl/workbook.xml`
//! and its relationships name the first sheet and the shared-string table; the shared strings
//! are kept in one buffer (bounded), the sheet is parsed as a stream of XML events.
//! CSV: `csv-core` reads field by field into a buffer that grows only up to the cell limit.

use crate::error::{AppError, ErrorKind};
use quick_xml::events::{BytesStart, Event};
use std::cell::Cell as Flag;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A formula (`=…`), an XLSX error value (`#…`), or text that starts with `=` (refused as
    /// a formula: a spreadsheet opened later would run it).
    Formula(String),
    Empty,
}

/// The limits every spreadsheet upload is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetLimits {
    /// The file itself (the zip for XLSX, the text for CSV).
    pub max_file_bytes: u64,
    /// Decompressed bytes of one XLSX part (the sheet, the shared strings…).
    pub max_part_bytes: u64,
    /// Decompressed bytes of all XLSX parts read together.
    pub max_total_bytes: u64,
    /// Decompressed bytes per compressed byte of an XLSX part, checked once a part has
    /// given [`RATIO_FLOOR`] bytes (a zip bomb's ratio is in the thousands; real sheets
    /// compress 5 to 30 times).
    pub max_ratio: u64,
    /// Entries in the zip directory.
    pub max_parts: u64,
    /// Rows that hold a value, the header included.
    pub max_rows: usize,
    /// Columns: no value may stand further right.
    pub max_columns: usize,
    /// UTF-8 bytes of one cell (or one shared string).
    pub max_cell_bytes: usize,
    /// Entries of the XLSX shared-string table.
    pub max_shared_strings: usize,
    /// UTF-8 bytes of all shared strings together.
    pub max_shared_bytes: usize,
}

/// Below this many decompressed bytes a part's ratio is not judged (tiny parts compress oddly).
pub const RATIO_FLOOR: u64 = 1024 * 1024;

impl Default for SheetLimits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        SheetLimits {
            max_file_bytes: 64 * MIB,
            max_part_bytes: 256 * MIB,
            max_total_bytes: 384 * MIB,
            max_ratio: 200,
            max_parts: 10_000,
            max_rows: 100_001,
            max_columns: 256,
            max_cell_bytes: 64 * 1024,
            max_shared_strings: 1_000_000,
            max_shared_bytes: 64 * MIB as usize,
        }
    }
}

/// A row as read: its 1-based number in the file and its cells (column A first).
pub type RowSink<'a> = dyn FnMut(usize, Vec<Cell>) -> Result<bool, AppError> + 'a;

/// The 413 of a limit: the code `limit_exceeded`, the limit's name and value in `details`.
pub fn over_limit(limit: &'static str, max: u64, zh: String, en: String) -> AppError {
    AppError::new(ErrorKind::PayloadTooLarge, "limit_exceeded", zh, en)
        .with_details(serde_json::json!({ "limit": limit, "max": max }))
}

/// The 422 of a file that cannot be read as what it claims to be.
pub fn bad_file(zh: impl std::fmt::Display, en: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "bad_file",
        format!("无法读取文件：{zh}"),
        format!("cannot read the file: {en}"),
    )
}

fn file_too_large(limits: &SheetLimits, size: u64) -> AppError {
    over_limit(
        "file_bytes",
        limits.max_file_bytes,
        format!(
            "文件有 {} 字节，超过上限 {} 字节",
            size, limits.max_file_bytes
        ),
        format!(
            "the file has {size} bytes, over the limit of {} bytes",
            limits.max_file_bytes
        ),
    )
}

fn too_many_rows(limits: &SheetLimits) -> AppError {
    over_limit(
        "rows",
        limits.max_rows as u64,
        format!(
            "行数超过上限：最多 {} 行（含表头），请分成几个文件导入",
            limits.max_rows
        ),
        format!(
            "too many rows: at most {} (the header included); split the file",
            limits.max_rows
        ),
    )
}

fn too_many_columns(limits: &SheetLimits, at: &str) -> AppError {
    over_limit(
        "columns",
        limits.max_columns as u64,
        format!("{at} 超出列数上限：最多 {} 列", limits.max_columns),
        format!(
            "{at} is beyond the column limit of {} columns",
            limits.max_columns
        ),
    )
}

fn cell_too_long(limits: &SheetLimits, at: &str) -> AppError {
    over_limit(
        "cell_bytes",
        limits.max_cell_bytes as u64,
        format!("{at} 的内容超过单元格上限 {} 字节", limits.max_cell_bytes),
        format!(
            "{at} is longer than the cell limit of {} bytes",
            limits.max_cell_bytes
        ),
    )
}

/// `0` → `A`, `26` → `AA`.
pub fn column_name(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Text as typed into a cell: a leading byte-order mark dropped, blank is empty, and text that
/// starts with `=` is a formula.
pub fn text_cell(s: &str) -> Cell {
    let t = s.trim_start_matches('\u{feff}');
    if t.starts_with('=') {
        Cell::Formula(t.to_string())
    } else if t.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(t.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Reads CSV (UTF-8, comma-separated, `"` quoting) row by row; `sink` returns false to stop.
pub fn read_csv(
    input: impl Read,
    limits: &SheetLimits,
    sink: &mut RowSink,
) -> Result<(), AppError> {
    let io_err = |e: std::io::Error| bad_file(e.to_string(), e.to_string());
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut parser = csv_core::ReaderBuilder::new().build();
    // The field being read grows as needed, up to one byte over the cell limit.
    let mut field: Vec<u8> = vec![0; 4096.min(limits.max_cell_bytes + 1)];
    let mut len = 0;
    let mut cells: Vec<Cell> = Vec::new();
    let mut row = 0usize;
    let mut rows_with_values = 0usize;
    let mut read_total: u64 = 0;
    loop {
        let chunk = input.fill_buf().map_err(io_err)?;
        let (res, nin, nout) = parser.read_field(chunk, &mut field[len..]);
        let at_eof = chunk.is_empty();
        input.consume(nin);
        read_total += nin as u64;
        if read_total > limits.max_file_bytes {
            return Err(file_too_large(limits, read_total));
        }
        len += nout;
        match res {
            csv_core::ReadFieldResult::InputEmpty => {
                if at_eof {
                    // csv-core was told the input ended and still wants more: nothing left.
                    break;
                }
            }
            csv_core::ReadFieldResult::OutputFull => {
                if field.len() > limits.max_cell_bytes {
                    let at = format!("{}{}", column_name(cells.len()), row + 1);
                    return Err(cell_too_long(limits, &at));
                }
                let grown = (field.len() * 2).min(limits.max_cell_bytes + 1);
                field.resize(grown, 0);
            }
            csv_core::ReadFieldResult::Field { record_end } => {
                if len > limits.max_cell_bytes {
                    let at = format!("{}{}", column_name(cells.len()), row + 1);
                    return Err(cell_too_long(limits, &at));
                }
                if cells.len() >= limits.max_columns {
                    let at = format!("{}{}", column_name(cells.len()), row + 1);
                    return Err(too_many_columns(limits, &at));
                }
                let text = std::str::from_utf8(&field[..len]).map_err(|_| {
                    bad_file(
                        format!(
                            "第 {} 行不是 UTF-8 编码，请在 Excel 中另存为「CSV UTF-8」",
                            row + 1
                        ),
                        format!(
                            "row {} is not UTF-8; save the file as \"CSV UTF-8\"",
                            row + 1
                        ),
                    )
                })?;
                cells.push(text_cell(text));
                len = 0;
                if record_end {
                    row += 1;
                    let cells = std::mem::take(&mut cells);
                    if cells.iter().any(|c| *c != Cell::Empty) {
                        rows_with_values += 1;
                        if rows_with_values > limits.max_rows {
                            return Err(too_many_rows(limits));
                        }
                    }
                    if !sink(row, cells)? {
                        return Ok(());
                    }
                }
            }
            csv_core::ReadFieldResult::End => break,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XLSX

/// The zip directory's own count of entries and size, read from its end record (and the
/// zip64 one) before the zip library reads the directory, so that a directory of millions of
/// entries is refused before anything is allocated for it.
fn check_directory<R: Read + Seek>(
    r: &mut R,
    size: u64,
    limits: &SheetLimits,
) -> Result<(), AppError> {
    let not_zip = || bad_file("不是 XLSX（zip）文件", "not an XLSX (zip) file");
    let io = |_: std::io::Error| not_zip();
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    let tail_len = size.min(22 + 65_535 + 20);
    if tail_len < 22 {
        return Err(not_zip());
    }
    r.seek(SeekFrom::Start(size - tail_len)).map_err(io)?;
    let mut tail = vec![0u8; tail_len as usize];
    r.read_exact(&mut tail).map_err(io)?;
    let p = (0..=tail.len() - 22)
        .rev()
        .find(|&p| tail[p..p + 4] == EOCD)
        .ok_or_else(not_zip)?;
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let u64_at = |b: &[u8], i: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(a)
    };
    let (mut entries, mut dir_bytes) = (u16_at(&tail, p + 10), u32_at(&tail, p + 12));
    if entries == 0xFFFF || dir_bytes == 0xFFFF_FFFF {
        // Zip64: the locator stands just before the end record and points at the zip64 one.
        if p >= 20 && tail[p - 20..p - 16] == [0x50, 0x4b, 0x06, 0x07] {
            let at = u64_at(&tail, p - 12);
            let mut rec = [0u8; 56];
            r.seek(SeekFrom::Start(at)).map_err(io)?;
            r.read_exact(&mut rec).map_err(io)?;
            if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
                return Err(not_zip());
            }
            entries = u64_at(&rec, 32);
            dir_bytes = u64_at(&rec, 40);
        }
    }
    if entries > limits.max_parts {
        return Err(over_limit(
            "zip_entries",
            limits.max_parts,
            format!("压缩包有 {entries} 个条目，超过上限 {}", limits.max_parts),
            format!(
                "the zip has {entries} entries, over the limit of {}",
                limits.max_parts
            ),
        ));
    }
    if dir_bytes > size {
        return Err(not_zip());
    }
    r.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(())
}

/// Counts what one zip part decompresses to, and stops it at the part's, the file's and the
/// ratio's limits. The limit tripped is kept in `tripped`, so the XML parser's I/O error can
/// be reported as the limit it was.
struct Bounded<'a, R> {
    inner: R,
    name: &'a str,
    compressed: u64,
    read: u64,
    total: &'a Flag<u64>,
    limits: &'a SheetLimits,
    tripped: &'a Flag<Option<&'static str>>,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.total.set(self.total.get() + n as u64);
        let l = self.limits;
        let trip = if self.read > l.max_part_bytes {
            Some("part_bytes")
        } else if self.total.get() > l.max_total_bytes {
            Some("total_bytes")
        } else if self.read > RATIO_FLOOR && self.read / self.compressed.max(1) > l.max_ratio {
            Some("ratio")
        } else {
            None
        };
        if let Some(t) = trip {
            self.tripped.set(Some(t));
            return Err(std::io::Error::other(format!("{}: {t}", self.name)));
        }
        Ok(n)
    }
}

/// Reads an XLSX workbook's first sheet row by row; `sink` returns false to stop.
pub fn read_xlsx<R: Read + Seek>(
    mut input: R,
    size: u64,
    limits: &SheetLimits,
    sink: &mut RowSink,
) -> Result<(), AppError> {
    if size > limits.max_file_bytes {
        return Err(file_too_large(limits, size));
    }
    check_directory(&mut input, size, limits)?;
    let mut zip = zip::ZipArchive::new(input).map_err(|e| {
        bad_file(
            format!("不是有效的 XLSX 文件（{e}）"),
            format!("not a valid XLSX file ({e})"),
        )
    })?;
    let total = Flag::new(0u64);
    let tripped = Flag::new(None);
    let mut parts = Parts {
        zip: &mut zip,
        limits,
        total: &total,
        tripped: &tripped,
    };
    let (sheet, shared) = parts.locate()?;
    let strings = match shared {
        Some(name) => parts.with_part(&name, |r| read_shared_strings(r, limits))?,
        None => SharedStrings::default(),
    };
    parts.with_part(&sheet, |r| read_sheet(r, &strings, limits, sink))
}

struct Parts<'z, R> {
    zip: &'z mut zip::ZipArchive<R>,
    limits: &'z SheetLimits,
    total: &'z Flag<u64>,
    tripped: &'z Flag<Option<&'static str>>,
}

/// An XML error inside a part, or the limit that cut the part short.
enum PartError {
    Xml(String),
    App(AppError),
}

impl From<AppError> for PartError {
    fn from(e: AppError) -> Self {
        PartError::App(e)
    }
}

impl From<quick_xml::Error> for PartError {
    fn from(e: quick_xml::Error) -> Self {
        PartError::Xml(e.to_string())
    }
}

impl<R: Read + Seek> Parts<'_, R> {
    /// The zip entry of a part, by exact name or else ignoring case.
    fn index_of(&self, name: &str) -> Option<usize> {
        self.zip.index_for_name(name).or_else(|| {
            self.zip
                .file_names()
                .position(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
        })
    }

    fn has(&self, name: &str) -> bool {
        self.index_of(name).is_some()
    }

    /// Runs `f` over a part's decompressed bytes, bounded.
    fn with_part<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut dyn BufRead) -> Result<T, PartError>,
    ) -> Result<T, AppError> {
        let missing = || {
            bad_file(
                format!("XLSX 缺少 {name}"),
                format!("the XLSX has no {name}"),
            )
        };
        let index = self.index_of(name).ok_or_else(missing)?;
        let limits = self.limits;
        let file = self
            .zip
            .by_index(index)
            .map_err(|e| bad_file(format!("{name}：{e}"), format!("{name}: {e}")))?;
        // The declared size can lie (it is checked again while reading), but one that is
        // already over the limit needs no reading.
        if file.size() > limits.max_part_bytes {
            return Err(part_limit("part_bytes", name, limits));
        }
        if file.size() > RATIO_FLOOR
            && file.size() / file.compressed_size().max(1) > limits.max_ratio
        {
            return Err(part_limit("ratio", name, limits));
        }
        let compressed = file.compressed_size();
        let mut reader = BufReader::with_capacity(
            64 * 1024,
            Bounded {
                inner: file,
                name,
                compressed,
                read: 0,
                total: self.total,
                limits,
                tripped: self.tripped,
            },
        );
        match f(&mut reader) {
            Ok(v) => Ok(v),
            Err(_) if self.tripped.get().is_some() => Err(part_limit(
                self.tripped.get().unwrap_or("part_bytes"),
                name,
                limits,
            )),
            Err(PartError::App(e)) => Err(e),
            Err(PartError::Xml(e)) => Err(bad_file(
                format!("{name} 不是有效的 XML（{e}）"),
                format!("{name} is not valid XML ({e})"),
            )),
        }
    }

    /// The first sheet's part and the shared strings' part, from the workbook and its
    /// relationships (the usual names when those are missing).
    fn locate(&mut self) -> Result<(String, Option<String>), AppError> {
        const WORKBOOK: &str = "xl/workbook.xml";
        const RELS: &str = "xl/_rels/workbook.xml.rels";
        let first_sheet = if self.has(WORKBOOK) {
            self.with_part(WORKBOOK, first_sheet_rel)?
        } else {
            None
        };
        let rels = if self.has(RELS) {
            self.with_part(RELS, read_rels)?
        } else {
            vec![]
        };
        let target = |t: &str| -> String {
            match t.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{}", t.trim_start_matches("./")),
            }
        };
        let sheet = first_sheet
            .and_then(|id| rels.iter().find(|r| r.id == id))
            .map(|r| target(&r.target))
            .unwrap_or_else(|| "xl/worksheets/sheet1.xml".into());
        let shared = rels
            .iter()
            .find(|r| r.kind.ends_with("/sharedStrings"))
            .map(|r| target(&r.target))
            .or_else(|| Some("xl/sharedStrings.xml".to_string()))
            .filter(|n| self.has(n));
        if !self.has(&sheet) {
            return Err(bad_file("找不到工作表", "the workbook has no sheet"));
        }
        Ok((sheet, shared))
    }
}

fn part_limit(which: &'static str, part: &str, l: &SheetLimits) -> AppError {
    match which {
        "total_bytes" => over_limit(
            "decompressed_bytes",
            l.max_total_bytes,
            format!(
                "解压后超过上限 {} 字节（读到 {part} 时）",
                l.max_total_bytes
            ),
            format!(
                "the file decompresses to more than {} bytes (at {part})",
                l.max_total_bytes
            ),
        ),
        "ratio" => over_limit(
            "compression_ratio",
            l.max_ratio,
            format!("{part} 的压缩比超过 {}:1，疑似压缩炸弹", l.max_ratio),
            format!(
                "{part} decompresses more than {} times its compressed size (a zip bomb?)",
                l.max_ratio
            ),
        ),
        _ => over_limit(
            "part_bytes",
            l.max_part_bytes,
            format!("{part} 解压后超过上限 {} 字节", l.max_part_bytes),
            format!(
                "{part} decompresses to more than {} bytes",
                l.max_part_bytes
            ),
        ),
    }
}

/// An attribute's value by its local name (`r:id` and `id` are both `id`).
fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The relationship id of the workbook's first `<sheet>`.
fn first_sheet_rel(r: &mut dyn BufRead) -> Result<Option<String>, PartError> {
    let mut xml = quick_xml::Reader::from_reader(r);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                return Ok(attr(&e, "id"));
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
        buf.clear();
    }
}

struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn read_rels(r: &mut dyn BufRead) -> Result<Vec<Rel>, PartError> {
    let mut xml = quick_xml::Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if out.len() >= 10_000 {
                    return Err(PartError::Xml("too many relationships".into()));
                }
                out.push(Rel {
                    id: attr(&e, "Id").unwrap_or_default(),
                    kind: attr(&e, "Type").unwrap_or_default(),
                    target: attr(&e, "Target").unwrap_or_default(),
                });
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// The shared-string table in one buffer: string `i` is `text[ends[i-1]..ends[i]]`.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }
}

/// The text of a general reference: the five predefined entities and character references.
/// Other entities are not expanded (a document type cannot define any that are).
fn resolve_ref(name: &str) -> Result<char, PartError> {
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        n => {
            let num = n
                .strip_prefix('#')
                .ok_or_else(|| PartError::Xml(format!("unknown entity &{n};")))?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => num.parse(),
            }
            .map_err(|_| PartError::Xml(format!("bad character reference &{n};")))?;
            char::from_u32(code)
                .ok_or_else(|| PartError::Xml(format!("bad character reference &{n};")))?
        }
    })
}

/// OOXML writes characters XML cannot carry as `_xHHHH_` (and a literal `_x` as `_x005F_x`).
fn unescape_ooxml(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let code = tail
            .get(2..6)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|_| tail.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// Appends text to a cell being read, within the cell limit.
fn push_text(
    buf: &mut String,
    s: &str,
    limits: &SheetLimits,
    at: impl Fn() -> String,
) -> Result<(), PartError> {
    if buf.len() + s.len() > limits.max_cell_bytes {
        return Err(cell_too_long(limits, &at()).into());
    }
    buf.push_str(s);
    Ok(())
}

fn read_shared_strings(
    r: &mut dyn BufRead,
    limits: &SheetLimits,
) -> Result<SharedStrings, PartError> {
    let mut xml = quick_xml::Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut out = SharedStrings::default();
    let mut current = String::new();
    let (mut in_si, mut in_t, mut phonetic) = (false, false, 0u32);
    let at = |n: usize| move || format!("共享字符串第 {} 条", n + 1);
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = true;
                    current.clear();
                }
                "t" if in_si && phonetic == 0 => in_t = true,
                "rPh" => phonetic += 1,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                finish_shared(&mut out, "", limits)?;
            }
            Event::End(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = false;
                    let text = unescape_ooxml(&current);
                    finish_shared(&mut out, &text, limits)?;
                }
                "t" => in_t = false,
                "rPh" => phonetic = phonetic.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if in_t => {
                push_text(&mut current, &t.xml10_content(), limits, at(out.ends.len()))?;
            }
            Event::CData(t) if in_t => {
                let s = t.xml10_content();
                push_text(&mut current, &s, limits, at(out.ends.len()))?;
            }
            Event::GeneralRef(g) if in_t => {
                let c = resolve_ref(&g)?;
                push_text(
                    &mut current,
                    c.encode_utf8(&mut [0; 4]),
                    limits,
                    at(out.ends.len()),
                )?;
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

fn finish_shared(out: &mut SharedStrings, s: &str, limits: &SheetLimits) -> Result<(), PartError> {
    if out.ends.len() >= limits.max_shared_strings {
        return Err(over_limit(
            "shared_strings",
            limits.max_shared_strings as u64,
            format!("共享字符串超过 {} 条", limits.max_shared_strings),
            format!("more than {} shared strings", limits.max_shared_strings),
        )
        .into());
    }
    if s.len() > limits.max_cell_bytes {
        let at = format!("共享字符串第 {} 条", out.ends.len() + 1);
        return Err(cell_too_long(limits, &at).into());
    }
    if out.text.len() + s.len() > limits.max_shared_bytes {
        return Err(over_limit(
            "shared_strings_bytes",
            limits.max_shared_bytes as u64,
            format!("共享字符串合计超过 {} 字节", limits.max_shared_bytes),
            format!(
                "the shared strings add up to more than {} bytes",
                limits.max_shared_bytes
            ),
        )
        .into());
    }
    out.text.push_str(s);
    out.ends.push(out.text.len() as u32);
    Ok(())
}

/// `B12` → (column 1, row 12). Columns beyond `XFD` and rows beyond 2^20 are not references.
fn parse_ref(r: &str) -> Option<(usize, Option<usize>)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = r[..letters].bytes().fold(0usize, |acc, b| {
        acc * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    let row = r[letters..]
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=1 << 20).contains(n));
    Some((col, row))
}

#[derive(Default)]
struct CellBeingRead {
    col: usize,
    kind: String,
    value: String,
    formula: Option<String>,
    inline: String,
    reading: Reading,
    /// Inside a phonetic run (`<rPh>`), whose text is not the cell's.
    phonetic: bool,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Reading {
    #[default]
    Nothing,
    Value,
    Formula,
    Inline,
}

impl CellBeingRead {
    fn finish(self, strings: &SharedStrings, at: &str) -> Result<Cell, PartError> {
        if let Some(f) = self.formula {
            return Ok(Cell::Formula(format!("={f}")));
        }
        let v = self.value.trim();
        Ok(match self.kind.as_str() {
            "s" => {
                if v.is_empty() {
                    return Ok(Cell::Empty);
                }
                let s = v
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| strings.get(i))
                    .ok_or_else(|| PartError::Xml(format!("{at}: no shared string {v}")))?;
                text_cell(s)
            }
            "inlineStr" => text_cell(&unescape_ooxml(&self.inline)),
            "str" => text_cell(&unescape_ooxml(&self.value)),
            "b" => match v {
                "1" => Cell::Text("true".into()),
                "0" => Cell::Text("false".into()),
                "" => Cell::Empty,
                o => Cell::Text(o.into()),
            },
            "e" => Cell::Formula(format!("#{v}")),
            // An ISO date: its day.
            "d" => text_cell(v.split('T').next().unwrap_or(v)),
            _ if v.is_empty() => Cell::Empty,
            _ => v.parse::<f64>().map_or_else(|_| text_cell(v), Cell::Number),
        })
    }
}

fn read_sheet(
    r: &mut dyn BufRead,
    strings: &SharedStrings,
    limits: &SheetLimits,
    sink: &mut RowSink,
) -> Result<(), PartError> {
    let mut xml = quick_xml::Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut row_no = 0usize;
    let mut cells: Vec<Cell> = Vec::new();
    let mut cell: Option<CellBeingRead> = None;
    let mut next_col = 0usize;
    let mut rows_with_values = 0usize;
    let mut in_data = false;
    let at = |row: usize, col: usize| format!("{}{row}", column_name(col));
    loop {
        let ev = xml.read_event_into(&mut buf)?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    "sheetData" => in_data = !empty,
                    "row" if in_data => {
                        row_no = attr(e, "r")
                            .and_then(|r| r.parse::<usize>().ok())
                            .filter(|n| (1..=1 << 20).contains(n))
                            .unwrap_or(row_no + 1);
                        cells.clear();
                        next_col = 0;
                    }
                    "c" if in_data => {
                        let col = attr(e, "r")
                            .and_then(|r| parse_ref(&r))
                            .map_or(next_col, |(c, _)| c);
                        next_col = col + 1;
                        if !empty {
                            cell = Some(CellBeingRead {
                                col,
                                kind: attr(e, "t").unwrap_or_default(),
                                ..CellBeingRead::default()
                            });
                        }
                    }
                    name => {
                        if let Some(c) = cell.as_mut() {
                            match name {
                                "v" if !empty => c.reading = Reading::Value,
                                "f" => {
                                    c.formula.get_or_insert_with(String::new);
                                    if !empty {
                                        c.reading = Reading::Formula;
                                    }
                                }
                                "t" if !empty && c.kind == "inlineStr" && !c.phonetic => {
                                    c.reading = Reading::Inline
                                }
                                "rPh" if !empty => c.phonetic = true,
                                _ => {}
                            }
                        }
                    }
                }
            }
            Event::Text(ref t) => {
                if let Some(c) = cell.as_mut() {
                    let text = t.xml10_content();
                    let where_ = || at(row_no, c.col);
                    match c.reading {
                        Reading::Value => push_text(&mut c.value, &text, limits, where_)?,
                        Reading::Inline => push_text(&mut c.inline, &text, limits, where_)?,
                        Reading::Formula => {
                            let f = c.formula.get_or_insert_with(String::new);
                            push_text(f, &text, limits, where_)?
                        }
                        Reading::Nothing => {}
                    }
                }
            }
            Event::CData(ref t) => {
                if let Some(c) = cell.as_mut()
                    && c.reading != Reading::Nothing
                {
                    let text = t.xml10_content();
                    let where_ = || at(row_no, c.col);
                    match c.reading {
                        Reading::Value => push_text(&mut c.value, &text, limits, where_)?,
                        Reading::Inline => push_text(&mut c.inline, &text, limits, where_)?,
                        _ => {}
                    }
                }
            }
            Event::GeneralRef(ref g) => {
                if let Some(c) = cell.as_mut() {
                    let ch = resolve_ref(g)?;
                    let mut b = [0u8; 4];
                    let s = ch.encode_utf8(&mut b);
                    let where_ = || at(row_no, c.col);
                    match c.reading {
                        Reading::Value => push_text(&mut c.value, s, limits, where_)?,
                        Reading::Inline => push_text(&mut c.inline, s, limits, where_)?,
                        Reading::Formula => {
                            let f = c.formula.get_or_insert_with(String::new);
                            push_text(f, s, limits, where_)?
                        }
                        Reading::Nothing => {}
                    }
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "v" | "f" | "t" => {
                    if let Some(c) = cell.as_mut() {
                        c.reading = Reading::Nothing;
                    }
                }
                "rPh" => {
                    if let Some(c) = cell.as_mut() {
                        c.phonetic = false;
                    }
                }
                "c" => {
                    if let Some(c) = cell.take() {
                        let col = c.col;
                        let value = c.finish(strings, &at(row_no, col))?;
                        if value != Cell::Empty {
                            if col >= limits.max_columns {
                                return Err(too_many_columns(limits, &at(row_no, col)).into());
                            }
                            if cells.len() <= col {
                                cells.resize(col + 1, Cell::Empty);
                            }
                            cells[col] = value;
                        }
                    }
                }
                // A row without values (styles only) is not handed over.
                "row" if !cells.is_empty() => {
                    rows_with_values += 1;
                    if rows_with_values > limits.max_rows {
                        return Err(too_many_rows(limits).into());
                    }
                    if !sink(row_no, std::mem::take(&mut cells))? {
                        return Ok(());
                    }
                }
                "sheetData" => in_data = false,
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn references_and_names() {
        assert_eq!(parse_ref("A1"), Some((0, Some(1))));
        assert_eq!(parse_ref("XFD1048576"), Some((16383, Some(1_048_576))));
        assert_eq!(parse_ref("AA7"), Some((26, Some(7))));
        assert_eq!(parse_ref("ABCD1"), None);
        assert_eq!(parse_ref("12"), None);
        for i in [0, 25, 26, 701, 702, 16383] {
            let name = column_name(i);
            assert_eq!(parse_ref(&format!("{name}1")), Some((i, Some(1))), "{name}");
        }
        assert_eq!(column_name(16383), "XFD");
    }

    #[test]
    fn ooxml_escapes() {
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("_x005F_x0041_"), "_x0041_");
        assert_eq!(unescape_ooxml("_xZZZZ_ _x12"), "_xZZZZ_ _x12");
        assert_eq!(unescape_ooxml("无转义"), "无转义");
    }

    fn rows_of_csv(text: &[u8], limits: &SheetLimits) -> Result<Vec<(usize, Vec<Cell>)>, AppError> {
        let mut out = vec![];
        read_csv(text, limits, &mut |n, cells| {
            out.push((n, cells));
            Ok(true)
        })?;
        Ok(out)
    }

    #[test]
    fn csv_quoting_bom_formulas_and_limits() {
        let rows = rows_of_csv(
            "\u{feff}a,\"b,\"\"c\"\"\",=1+1\r\n\r\n多行,\"x\ny\",\n".as_bytes(),
            &SheetLimits::default(),
        )
        .unwrap();
        assert_eq!(
            rows[0].1,
            vec![
                Cell::Text("a".into()),
                Cell::Text("b,\"c\"".into()),
                Cell::Formula("=1+1".into())
            ]
        );
        let last = rows.last().unwrap();
        assert_eq!(
            last.1,
            vec![
                Cell::Text("多行".into()),
                Cell::Text("x\ny".into()),
                Cell::Empty
            ]
        );
        let tight = SheetLimits {
            max_cell_bytes: 10,
            max_columns: 3,
            max_rows: 2,
            ..SheetLimits::default()
        };
        let e = rows_of_csv(b"a,b\n0123456789ab,c\n", &tight).unwrap_err();
        assert_eq!(
            (e.code, e.details.clone().unwrap()["limit"].clone()),
            ("limit_exceeded", "cell_bytes".into())
        );
        let e = rows_of_csv(b"a,b,c,d\n", &tight).unwrap_err();
        assert_eq!(e.details.clone().unwrap()["limit"], "columns");
        let e = rows_of_csv(b"a\nb\nc\n", &tight).unwrap_err();
        assert_eq!(e.details.clone().unwrap()["limit"], "rows");
        let e = rows_of_csv(b"\xff\xfe,x\n", &tight).unwrap_err();
        assert_eq!(e.code, "bad_file");
    }
}
