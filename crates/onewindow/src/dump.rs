//! `onewindow export` / `onewindow import`: the whole database as JSON lines, one row per line,
//! tables in dependency order. Streams in pages, so memory stays bounded for any size.

use app::App;
use serde_json::{Map, Value, json};
use std::io::{BufRead, Write};
use store::{SqlStore, TABLES};

const PAGE: u32 = 1000;

pub async fn export(
    store: &SqlStore,
    out: &mut impl Write,
) -> Result<u64, Box<dyn std::error::Error>> {
    writeln!(
        out,
        "{}",
        json!({ "onewindow_dump": 1, "tables": TABLES.iter().map(|(t, _, _)| *t).collect::<Vec<_>>() })
    )?;
    let mut n = 0;
    for (table, keys, _) in TABLES {
        let mut after: Option<Map<String, Value>> = None;
        loop {
            let rows = store.export_page(table, after.as_ref(), PAGE).await?;
            for r in &rows {
                writeln!(out, "{}", json!({ "table": table, "row": r }))?;
                n += 1;
            }
            match rows.last() {
                Some(last) if rows.len() == PAGE as usize => {
                    after = Some(
                        keys.iter()
                            .map(|k| {
                                (
                                    (*k).to_string(),
                                    last.get(*k).cloned().unwrap_or(Value::Null),
                                )
                            })
                            .collect(),
                    );
                }
                _ => break,
            }
        }
    }
    out.flush()?;
    Ok(n)
}

/// Every storage key (file and thumbnail) the attachments refer to, once each.
async fn file_keys(store: &SqlStore) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use app::ports::AttachmentStore as _;
    let mut keys = std::collections::BTreeSet::new();
    let mut after = None;
    loop {
        let rows = store.attachments_after(after, PAGE).await?;
        for r in &rows {
            if !r.file_key.is_empty() {
                keys.insert(r.file_key.clone());
            }
            if let Some(t) = &r.thumb_key {
                keys.insert(t.clone());
            }
        }
        match rows.last() {
            Some(l) if rows.len() == PAGE as usize => after = Some(l.id),
            _ => break,
        }
    }
    Ok(keys.into_iter().collect())
}

/// How many stored files the database's attachments refer to.
pub async fn referenced_files(store: &SqlStore) -> Result<usize, Box<dyn std::error::Error>> {
    Ok(file_keys(store).await?.len())
}

/// Copies every file the attachments refer to from one store to another, checking each against
/// its content hash (a damaged or missing file stops the copy, naming it). Returns (files, bytes).
pub async fn copy_files(
    store: &SqlStore,
    from: &dyn app::attachments::FileStore,
    to: &dyn app::attachments::FileStore,
) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let (mut n, mut bytes) = (0, 0);
    for key in file_keys(store).await? {
        let body = from
            .get(&key)
            .await?
            .ok_or_else(|| format!("attachment file {key} is missing from {}", from.describe()))?;
        if files::content_key(&body) != key {
            return Err(format!("attachment file {key} in {} is damaged", from.describe()).into());
        }
        bytes += body.len() as u64;
        to.put(&key, body).await?;
        n += 1;
    }
    Ok((n, bytes))
}

/// Longest line of a dump read: one row (the largest are trained triage models, a few MB), so
/// that a file without line breaks cannot make the import hold it whole.
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// Reads one line of at most `max` bytes (without its line break); `None` at the end.
fn read_line<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> Result<Option<()>, String> {
    buf.clear();
    let n = std::io::Read::take(&mut *input, max as u64 + 1)
        .read_until(b'\n', buf)
        .map_err(|e| e.to_string())?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    } else if buf.len() > max {
        return Err(format!("longer than {max} bytes"));
    }
    Ok(Some(()))
}

/// Loads a dump into a new, empty database, all or nothing: every row goes into one
/// transaction (the search index too), committed after the last line. A bad line — malformed
/// JSON, an unknown table or column, a value of the wrong type, a NUL in text, a row the
/// database refuses — stops the import with its line number and leaves the target empty, so it
/// can be run again once the dump is fixed; so does a process killed part way.
pub async fn import(
    app: &App,
    store: &SqlStore,
    mut input: impl BufRead,
) -> Result<u64, Box<dyn std::error::Error>> {
    if !store.is_empty().await? {
        return Err("the target database is not empty: import only into a new database".into());
    }
    let rolled_back = |line: u64, e: &dyn std::fmt::Display| -> Box<dyn std::error::Error> {
        format!("line {line}: {e}; nothing was imported (the target is still empty)").into()
    };
    let mut buf = Vec::new();
    let header: Value =
        match read_line(&mut input, &mut buf, MAX_LINE).map_err(|e| rolled_back(1, &e))? {
            Some(()) => serde_json::from_slice(&buf).map_err(|e| rolled_back(1, &e))?,
            None => return Err("empty input: expected a dump made by `onewindow export`".into()),
        };
    if header.get("onewindow_dump") != Some(&json!(1)) {
        return Err("the first line is not a onewindow dump header".into());
    }
    let mut load = store.begin_load().await?;
    let mut current: Option<String> = None;
    let mut batch: Vec<Map<String, Value>> = Vec::with_capacity(PAGE as usize);
    let mut batch_lines: Vec<u64> = Vec::with_capacity(PAGE as usize);
    // Search entries of the cases in `batch`, written right after them.
    let mut tokens: Vec<(uuid::Uuid, String)> = vec![];
    let mut n = 0u64;
    let mut line_no = 1u64;
    async fn flush(
        load: &mut store::DumpLoad,
        table: &str,
        batch: &mut Vec<Map<String, Value>>,
        lines: &mut Vec<u64>,
        tokens: &mut Vec<(uuid::Uuid, String)>,
    ) -> Result<(), String> {
        let r = load.insert(table, batch).await.map_err(|(i, e)| {
            let line = lines.get(i).copied().unwrap_or_default();
            format!("line {line}: table {table}: {e}")
        });
        batch.clear();
        lines.clear();
        r?;
        let r = load
            .put_search_tokens(tokens)
            .await
            .map_err(|e| format!("search index: {e}"));
        tokens.clear();
        r
    }
    let failed = |e: String| -> Box<dyn std::error::Error> {
        format!("{e}; nothing was imported (the target is still empty)").into()
    };
    while read_line(&mut input, &mut buf, MAX_LINE)
        .map_err(|e| rolled_back(line_no + 1, &e))?
        .is_some()
    {
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: Value = serde_json::from_slice(&buf).map_err(|e| rolled_back(line_no, &e))?;
        let table = v
            .get("table")
            .and_then(Value::as_str)
            .ok_or_else(|| rolled_back(line_no, &"no table"))?
            .to_string();
        if !TABLES.iter().any(|(t, _, _)| *t == table) {
            return Err(rolled_back(line_no, &format!("unknown table {table}")));
        }
        let row = match v.get("row") {
            Some(Value::Object(m)) => m.clone(),
            _ => return Err(rolled_back(line_no, &"no row")),
        };
        if current.as_deref() != Some(table.as_str()) || batch.len() >= PAGE as usize {
            if let Some(t) = &current {
                flush(&mut load, t, &mut batch, &mut batch_lines, &mut tokens)
                    .await
                    .map_err(failed)?;
            }
            current = Some(table.clone());
        }
        if table == "cases" {
            // The search index is not dumped: the case's tokens, from its document.
            let case = case_of_dump_row(&row).map_err(|e| rolled_back(line_no, &e))?;
            tokens.push((case.id, app.case_search_tokens(&case)));
        }
        batch.push(row);
        batch_lines.push(line_no);
        n += 1;
    }
    if let Some(t) = &current {
        flush(&mut load, t, &mut batch, &mut batch_lines, &mut tokens)
            .await
            .map_err(failed)?;
    }
    load.commit().await?;
    Ok(n)
}

/// A case from its dump row: the document (JSON text) with the number of its own column.
fn case_of_dump_row(row: &Map<String, Value>) -> Result<domain::Case, String> {
    let doc = row
        .get("doc")
        .and_then(Value::as_str)
        .ok_or("table cases: the row has no doc")?;
    let mut case: domain::Case =
        serde_json::from_str(doc).map_err(|e| format!("table cases: column doc: {e}"))?;
    if let Some(number) = row.get("number").and_then(Value::as_str) {
        case.number = number.to_string();
    }
    Ok(case)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded() {
        let mut input = std::io::Cursor::new(b"short\r\n0123456789ab\nlast".to_vec());
        let mut buf = vec![];
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Some(()));
        assert_eq!(buf, b"short");
        assert!(
            read_line(&mut input, &mut buf, 10)
                .unwrap_err()
                .contains("longer than 10")
        );
        let mut input = std::io::Cursor::new(b"0123456789\nlast".to_vec());
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Some(()));
        assert_eq!(buf, b"0123456789");
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Some(()));
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), None);
    }
}
