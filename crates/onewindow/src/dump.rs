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

pub async fn import(
    app: &App,
    store: &SqlStore,
    input: impl BufRead,
) -> Result<u64, Box<dyn std::error::Error>> {
    if !store.is_empty().await? {
        return Err("the target database is not empty: import only into a new database".into());
    }
    let mut lines = input.lines();
    let header: Value = match lines.next() {
        Some(l) => serde_json::from_str(&l?)?,
        None => return Err("empty input: expected a dump made by `onewindow export`".into()),
    };
    if header.get("onewindow_dump") != Some(&json!(1)) {
        return Err("the first line is not a onewindow dump header".into());
    }
    let mut current: Option<String> = None;
    let mut batch: Vec<Map<String, Value>> = Vec::with_capacity(PAGE as usize);
    let mut n = 0u64;
    let mut case_ids: Vec<String> = vec![];
    for (i, line) in lines.enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 2))?;
        let table = v
            .get("table")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("line {}: no table", i + 2))?
            .to_string();
        let row = v
            .get("row")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| format!("line {}: no row", i + 2))?;
        if current.as_deref() != Some(table.as_str()) || batch.len() >= PAGE as usize {
            if let Some(t) = &current {
                store.import_rows(t, &batch).await?;
            }
            batch.clear();
            current = Some(table.clone());
        }
        if table == "cases"
            && let Some(id) = row.get("id").and_then(Value::as_str)
        {
            case_ids.push(id.to_string());
        }
        batch.push(row);
        n += 1;
    }
    if let Some(t) = &current {
        store.import_rows(t, &batch).await?;
    }
    // Rebuild the search index from the cases.
    let rules = app.rules().await?;
    for chunk in case_ids.chunks(500) {
        let mut entries = vec![];
        for id in chunk {
            if let Ok(uuid) = uuid::Uuid::parse_str(id)
                && let Some(c) = app::ports::Store::get_case(store, uuid).await?
            {
                let w = app.write_of_new(&rules, c);
                entries.push((uuid, w.search_tokens.unwrap_or_default()));
            }
        }
        store.put_search_tokens(&entries).await?;
    }
    Ok(n)
}
