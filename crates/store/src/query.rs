//! The dynamic WHERE clause of case lists, with `$N` parameters valid on both backends.

use crate::Backend;
use app::ports::{CaseQuery, DueFilter, Scope, SortKey};

/// A bound parameter.
pub enum Arg {
    Str(String),
    I64(i64),
    Bool(bool),
    Uuid(uuid::Uuid),
}

impl Arg {
    pub fn bind_to<'q, DB: sqlx::Database>(
        &self,
        q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    ) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
    where
        String: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
        i64: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
        bool: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
        uuid::Uuid: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    {
        match self {
            Arg::Str(s) => q.bind(s.clone()),
            Arg::I64(v) => q.bind(*v),
            Arg::Bool(b) => q.bind(*b),
            Arg::Uuid(u) => q.bind(*u),
        }
    }
}

struct Builder {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            clauses: vec![],
            args: vec![],
        }
    }
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
    fn str(&mut self, s: &str) -> String {
        self.arg(Arg::Str(s.to_string()))
    }
    fn list(&mut self, items: &[String]) -> String {
        let ps: Vec<String> = items.iter().map(|s| self.str(s)).collect();
        ps.join(", ")
    }
}

/// Escapes LIKE wildcards so a user's `%` or `_` matches itself.
fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn case_filter(q: &CaseQuery, backend: Backend) -> (String, Vec<Arg>) {
    case_filter_with(q, backend, false)
}

/// Whether a list should be driven by the full-text index: a text search in the default order.
/// The matches are walked newest entry first (SQLite: the index's rowid, the case's `seq`;
/// PostgreSQL: the index table's key, the case's time-ordered UUIDv7 id) and the walk stops after
/// the page, instead of collecting every match (tens of thousands for a common word over years)
/// and reading each one's case row to sort them by date. "Newest entry" is the order cases were
/// registered in, which is the order of their report times but for backdated entries (a visit
/// ledger imported a week later sits with that week's registrations).
pub fn fts_driven(q: &CaseQuery) -> bool {
    !q.text.is_empty() && q.sort == SortKey::ReportedDesc
}

/// How many of the newest index rows a PostgreSQL text search looks at before all its matches.
pub const RECENT_ENTRIES: u32 = 5_000;

/// How a list driven by the full-text index ([`fts_driven`]) walks it: the index's key, newest
/// entry last, and the case column it names.
pub struct FtsWalk {
    pub key: &'static str,
    pub case_col: &'static str,
}

pub fn fts_walk(backend: Backend) -> FtsWalk {
    match backend {
        Backend::Sqlite => FtsWalk {
            key: "case_search.rowid",
            case_col: "c.seq",
        },
        Backend::Postgres => FtsWalk {
            key: "case_search.case_id",
            case_col: "c.id",
        },
    }
}

impl FtsWalk {
    /// The page of a search with conditions on the case row: index entries joined to their cases
    /// newest first, until the page is full.
    pub fn page_sql(&self, where_sql: &str, limit: u32, offset: u64) -> String {
        format!(
            "SELECT c.number, c.doc FROM case_search JOIN cases c ON {} = {} WHERE {where_sql} ORDER BY {} DESC LIMIT {limit} OFFSET {offset}",
            self.case_col, self.key, self.key
        )
    }

    /// PostgreSQL, a search with nothing but its text, first step: the page among the newest
    /// [`RECENT_ENTRIES`] index rows, which sit together at the end of the table and stay in
    /// memory. A word in the news fills its page there in a few milliseconds. (Left to itself the
    /// planner walks the whole index newest first for a word it thinks common, reading every row
    /// back to the last one that has it: 8 s at 1M for 「噪声」 behind 360,000 newer cases
    /// without it; or, for an AND of pairs it thinks rare, reads every match's case row.)
    pub fn recent_page_sql(&self, where_sql: &str, limit: u32, offset: u64) -> String {
        format!(
            "SELECT c.number, c.doc FROM (SELECT case_search.case_id AS k FROM (SELECT case_id, tsv FROM case_search ORDER BY case_id DESC LIMIT {RECENT_ENTRIES}) case_search WHERE {where_sql} ORDER BY case_search.case_id DESC LIMIT {limit} OFFSET {offset}) s JOIN cases c ON c.id = s.k ORDER BY s.k DESC"
        )
    }

    /// PostgreSQL, second step when the newest entries do not fill the page: every match from the
    /// full-text index (the `OFFSET 0` keeps the planner from walking the key instead), sorted,
    /// cut to the page, and only then joined to the cases. Its cost grows with the matches.
    pub fn all_matches_page_sql(&self, where_sql: &str, limit: u32, offset: u64) -> String {
        format!(
            "SELECT c.number, c.doc FROM (SELECT k FROM (SELECT case_search.case_id AS k FROM case_search WHERE {where_sql} OFFSET 0) m ORDER BY k DESC LIMIT {limit} OFFSET {offset}) s JOIN cases c ON c.id = s.k ORDER BY s.k DESC"
        )
    }

    /// The page of a search with nothing but its text ([`text_only`]): the page is cut from the
    /// index first and only its rows are read. (PostgreSQL estimates an AND of character pairs
    /// as far rarer than it is and would otherwise read every match's case row before sorting.)
    pub fn text_page_sql(&self, where_sql: &str, limit: u32, offset: u64) -> String {
        format!(
            "SELECT c.number, c.doc FROM (SELECT {key} AS k FROM case_search WHERE {where_sql} ORDER BY {key} DESC LIMIT {limit} OFFSET {offset}) s JOIN cases c ON {} = s.k ORDER BY s.k DESC",
            self.case_col,
            key = self.key
        )
    }
}

/// Whether the text is a query's only condition (no scope, no other filter): the conditions
/// besides the text, built as for the list itself, are none.
pub fn text_only(q: &CaseQuery) -> bool {
    let mut b = Builder::new();
    push_conditions(&mut b, q, Backend::Sqlite);
    !q.text.is_empty() && q.text_like.is_none() && b.clauses.is_empty()
}

/// `case_filter`, with the text condition written for a query that joins `case_search` (see
/// [`fts_driven`]) when `fts_join` is set.
pub fn case_filter_with(q: &CaseQuery, backend: Backend, fts_join: bool) -> (String, Vec<Arg>) {
    let mut b = Builder::new();
    push_conditions(&mut b, q, backend);
    push_text(&mut b, q, backend, fts_join);
    finish(b)
}

/// Every condition of a case list but its text: scope, codes, unit, category, region, dates,
/// deadlines, number, phone, flags.
fn push_conditions(b: &mut Builder, q: &CaseQuery, backend: Backend) {
    match &q.scope {
        None | Some(Scope::All) => {}
        Some(Scope::CreatedBy(id)) => {
            let p = b.arg(Arg::Uuid(*id));
            b.clauses.push(format!("c.created_by = {p}"));
        }
        Some(Scope::Units { units, regions }) => {
            let mut ors = vec![];
            if !units.is_empty() {
                let l = b.list(units);
                ors.push(format!("c.hub IN ({l})"));
                let l = b.list(units);
                ors.push(format!(
                    "c.id IN (SELECT case_id FROM case_units WHERE unit IN ({l}))"
                ));
            }
            for r in regions {
                let p = b.str(&format!("{}%", like_prefix(r)));
                ors.push(format!("c.region LIKE {p} ESCAPE '\\'"));
            }
            if ors.is_empty() {
                b.clauses.push("1 = 0".into());
            } else {
                b.clauses.push(format!("({})", ors.join(" OR ")));
            }
        }
    }
    let codes = |b: &mut Builder, col: &str, vals: Vec<&'static str>| {
        if !vals.is_empty() {
            let owned: Vec<String> = vals.into_iter().map(String::from).collect();
            let l = b.list(&owned);
            b.clauses.push(format!("c.{col} IN ({l})"));
        }
    };
    codes(b, "status", q.status.iter().map(|s| s.code()).collect());
    codes(b, "nature", q.nature.iter().map(|s| s.code()).collect());
    codes(b, "urgency", q.urgency.iter().map(|s| s.code()).collect());
    codes(b, "source", q.source.iter().map(|s| s.code()).collect());
    if let Some(u) = &q.unit {
        let p = b.str(u);
        b.clauses.push(format!(
            "c.id IN (SELECT case_id FROM case_units WHERE unit = {p})"
        ));
    }
    if let Some(cat) = &q.category {
        if cat.contains('/') {
            let p = b.str(cat);
            b.clauses.push(format!("c.category = {p}"));
        } else {
            let p = b.str(&format!("{}/%", like_prefix(cat)));
            b.clauses.push(format!("c.category LIKE {p} ESCAPE '\\'"));
        }
    }
    if let Some(r) = &q.region {
        let p = b.str(&format!("{}%", like_prefix(r)));
        b.clauses.push(format!("c.region LIKE {p} ESCAPE '\\'"));
    }
    if let Some(from) = q.reported_from {
        let p = b.arg(Arg::I64(from));
        b.clauses.push(format!("c.reported_at >= {p}"));
    }
    if let Some(to) = q.reported_to {
        let p = b.arg(Arg::I64(to));
        b.clauses.push(format!("c.reported_at <= {p}"));
    }
    if let Some(from) = q.updated_from {
        let p = b.arg(Arg::I64(from));
        b.clauses.push(format!("c.updated_at >= {p}"));
    }
    if let Some(to) = q.updated_to {
        let p = b.arg(Arg::I64(to));
        b.clauses.push(format!("c.updated_at <= {p}"));
    }
    match q.due {
        None => {}
        Some(DueFilter::Near) => {
            let n1 = b.arg(Arg::I64(q.now));
            let n2 = b.arg(Arg::I64(q.now));
            b.clauses
                .push(format!("c.warn_at <= {n1} AND c.due_at >= {n2}"));
        }
        Some(DueFilter::Overdue) => {
            let n = b.arg(Arg::I64(q.now));
            b.clauses.push(format!("c.due_at < {n}"));
        }
    }
    if let Some(n) = &q.number {
        let p = b.str(n);
        b.clauses.push(format!("c.number = {p}"));
    }
    if let Some(ph) = &q.reporter_phone {
        let p = b.str(&domain::phone_key(ph));
        b.clauses.push(format!("c.reporter_phone = {p}"));
    }
    if let Some(tail) = &q.reporter_phone_tail {
        // The last four digits go through the expression index of migration 0009; more digits
        // must end the phone as well.
        let digits = domain::phone_key(tail);
        let last4: String = digits
            .chars()
            .skip(digits.chars().count().saturating_sub(4))
            .collect();
        let p = b.str(&last4);
        b.clauses.push(match backend {
            Backend::Sqlite => format!("substr(c.reporter_phone, -4) = {p}"),
            Backend::Postgres => format!("right(c.reporter_phone, 4) = {p}"),
        });
        if digits.len() > 4 {
            let p = b.str(&format!("%{}", like_prefix(&digits)));
            b.clauses
                .push(format!("c.reporter_phone LIKE {p} ESCAPE '\\'"));
        }
    }
    if let Some(pending) = &q.pending {
        let p = b.str(pending);
        b.clauses.push(format!("c.pending = {p}"));
    }
    if let Some(s) = q.supervised {
        let p = b.arg(Arg::Bool(s));
        b.clauses.push(format!("c.supervised = {p}"));
    }
    if let Some(m) = q.merged_into {
        let p = b.arg(Arg::Uuid(m));
        b.clauses.push(format!("c.merged_into = {p}"));
    }
    if let Some(x) = q.exclude {
        let p = b.arg(Arg::Uuid(x));
        b.clauses.push(format!("c.id <> {p}"));
    }
}

/// The text conditions: all search tokens (through the full-text index), or one character.
fn push_text(b: &mut Builder, q: &CaseQuery, backend: Backend, fts_join: bool) {
    if !q.text.is_empty() {
        match backend {
            Backend::Sqlite => {
                let Some(m) = fts_match(&q.text) else {
                    b.clauses.push("1 = 0".into());
                    return;
                };
                let p = b.str(&m);
                if fts_join {
                    b.clauses.push(format!("case_search MATCH {p}"));
                } else {
                    b.clauses.push(format!(
                        "c.seq IN (SELECT rowid FROM case_search WHERE case_search MATCH {p})"
                    ));
                }
            }
            Backend::Postgres => {
                let p = b.str(&q.text.join(" "));
                if fts_join {
                    b.clauses
                        .push(format!("case_search.tsv @@ plainto_tsquery('simple', {p})"));
                } else {
                    b.clauses.push(format!("c.id IN (SELECT case_id FROM case_search WHERE tsv @@ plainto_tsquery('simple', {p}))"));
                }
            }
        }
    }
    if let Some(t) = &q.text_like {
        // One character: the titles that contain it, and the texts with an indexed word that
        // starts with it (the index keeps no copy of the text to scan).
        let p = b.str(&format!("%{}%", like_prefix(t)));
        let word: String = t.chars().filter(|c| c.is_alphanumeric()).collect();
        let words = match backend {
            _ if word.is_empty() => String::new(),
            Backend::Sqlite => {
                let m = b.str(&format!("\"{word}\"*"));
                format!(" OR c.seq IN (SELECT rowid FROM case_search WHERE case_search MATCH {m})")
            }
            Backend::Postgres => {
                let m = b.str(&format!("{word}:*"));
                format!(
                    " OR c.id IN (SELECT case_id FROM case_search WHERE tsv @@ to_tsquery('simple', {m}))"
                )
            }
        };
        b.clauses
            .push(format!("(c.title LIKE {p} ESCAPE '\\'{words})"));
    }
}

fn finish(b: Builder) -> (String, Vec<Arg>) {
    let sql = if b.clauses.is_empty() {
        "1 = 1".to_string()
    } else {
        b.clauses.join(" AND ")
    };
    (sql, b.args)
}

/// An FTS5 query that every one of `tokens` must match. The index has no positions
/// (`detail=none`), so a quoted string must be a single token of FTS5's own tokenizer: a token
/// with punctuation inside (`3-1`) is split where that tokenizer splits it.
/// `None` when no token has anything searchable.
pub fn fts_match(tokens: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    for t in tokens {
        for piece in t.split(|c: char| !c.is_alphanumeric()) {
            if !piece.is_empty() {
                parts.push(format!("\"{piece}\""));
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

pub fn order_by(sort: SortKey) -> &'static str {
    match sort {
        SortKey::ReportedDesc => "c.reported_at DESC, c.id DESC",
        SortKey::ReportedAsc => "c.reported_at ASC, c.id ASC",
        SortKey::DueAsc => "c.due_at IS NULL, c.due_at ASC, c.id ASC",
        SortKey::NumberDesc => "c.number DESC",
    }
}
