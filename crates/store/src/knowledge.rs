//! The knowledge base (知识库, issue 23, migration 0023): articles and the cases they answered.
//!
//! Search is by the same CJK tokens as cases, kept on the row space-padded (` a b c `) so that
//! one `LIKE '% tok %'` per token finds them on both backends: a district has thousands of
//! articles, not millions, and the use case ranks what comes back.

use crate::notifications::bind_notice;
use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::ports::{KnowledgeQuery, KnowledgeRow, KnowledgeStore, Notification, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const COLS: &str = "id, question, answer, category, unit, source, valid_from, valid_until, review_at, status, uses, version, proposed_from, tokens, created_at, updated_at, created_by, notified, doc";

fn article_from<R: Row>(r: &R) -> StoreResult<KnowledgeRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    let opt_uuid =
        |k: &str| -> StoreResult<Option<Uuid>> { opt(k)?.map(|s| uuid_of(&s)).transpose() };
    Ok(KnowledgeRow {
        id: uuid_of(&text("id")?)?,
        question: text("question")?,
        answer: text("answer")?,
        category: text("category")?,
        unit: text("unit")?,
        source: text("source")?,
        valid_from: opt("valid_from")?,
        valid_until: opt("valid_until")?,
        review_at: opt("review_at")?,
        status: text("status")?,
        uses: r.try_get("uses").map_err(backend_err)?,
        version: r.try_get("version").map_err(backend_err)?,
        proposed_from: opt_uuid("proposed_from")?,
        tokens: text("tokens")?.trim().to_string(),
        created_at: r.try_get("created_at").map_err(backend_err)?,
        updated_at: r.try_get("updated_at").map_err(backend_err)?,
        created_by: opt_uuid("created_by")?,
        notified: opt("notified")?,
        doc: json_of(&text("doc")?)?,
    })
}

/// The stored form of the tokens: padded, so every token is delimited by spaces.
fn padded(tokens: &str) -> String {
    format!(" {} ", tokens.trim())
}

/// `%` and `_` in a user's text are literal in LIKE (escaped with `\`).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[async_trait]
impl KnowledgeStore for SqlStore {
    async fn insert_article(&self, a: &KnowledgeRow) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO knowledge_articles ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        );
        on_pool!(self, write, |p| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(a.id.to_string())
                .bind(a.question.clone())
                .bind(a.answer.clone())
                .bind(a.category.clone())
                .bind(a.unit.clone())
                .bind(a.source.clone())
                .bind(a.valid_from.clone())
                .bind(a.valid_until.clone())
                .bind(a.review_at.clone())
                .bind(a.status.clone())
                .bind(a.uses)
                .bind(a.version)
                .bind(a.proposed_from.map(|u| u.to_string()))
                .bind(padded(&a.tokens))
                .bind(a.created_at)
                .bind(a.updated_at)
                .bind(a.created_by.map(|u| u.to_string()))
                .bind(a.notified.clone())
                .bind(a.doc.to_string())
                .execute(p)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn update_article(&self, a: &KnowledgeRow, expected_version: i64) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            // `uses` is not written: it is counted by `record_knowledge_use` alone, so an edit
            // made while a clerk answers a call never loses a use.
            let done = sqlx::query(
                "UPDATE knowledge_articles SET question = $1, answer = $2, category = $3, unit = $4, source = $5, \
                 valid_from = $6, valid_until = $7, review_at = $8, status = $9, version = $10, tokens = $11, \
                 updated_at = $12, notified = $13, doc = $14 WHERE id = $15 AND version = $16",
            )
            .bind(a.question.clone())
            .bind(a.answer.clone())
            .bind(a.category.clone())
            .bind(a.unit.clone())
            .bind(a.source.clone())
            .bind(a.valid_from.clone())
            .bind(a.valid_until.clone())
            .bind(a.review_at.clone())
            .bind(a.status.clone())
            .bind(a.version)
            .bind(padded(&a.tokens))
            .bind(a.updated_at)
            .bind(a.notified.clone())
            .bind(a.doc.to_string())
            .bind(a.id.to_string())
            .bind(expected_version)
            .execute(p)
            .await
            .map_err(backend_err)?;
            Ok(done.rows_affected() == 1)
        })
    }

    async fn article(&self, id: Uuid) -> StoreResult<Option<KnowledgeRow>> {
        let sql = format!("SELECT {COLS} FROM knowledge_articles WHERE id = $1");
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(article_from).transpose()
        })
    }

    async fn articles(&self, q: &KnowledgeQuery) -> StoreResult<Vec<KnowledgeRow>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let param = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(st) = &q.statuses {
            if st.is_empty() {
                return Ok(vec![]);
            }
            let list: Vec<String> = st.iter().map(|s| param(s.clone(), &mut binds)).collect();
            clauses.push(format!("status IN ({})", list.join(", ")));
        }
        if let Some(c) = &q.category {
            if c.contains('/') {
                let ph = param(c.clone(), &mut binds);
                clauses.push(format!("category = {ph}"));
            } else {
                let ph = param(format!("{}/%", like_escape(c)), &mut binds);
                let eq = param(c.clone(), &mut binds);
                clauses.push(format!(
                    "(category LIKE {ph} ESCAPE '\\' OR category = {eq})"
                ));
            }
        }
        if let Some(u) = &q.unit {
            let ph = param(u.clone(), &mut binds);
            clauses.push(format!("unit = {ph}"));
        }
        let likes: Vec<String> = q
            .tokens
            .iter()
            .map(|t| {
                let ph = param(format!("% {} %", like_escape(t)), &mut binds);
                format!("tokens LIKE {ph} ESCAPE '\\'")
            })
            .collect();
        if q.any_token && !likes.is_empty() {
            clauses.push(format!("({})", likes.join(" OR ")));
        } else {
            clauses.extend(likes);
        }
        if let Some(text) = &q.like {
            let ph = param(format!("%{}%", like_escape(text)), &mut binds);
            clauses.push(format!(
                "(question LIKE {ph} ESCAPE '\\' OR answer LIKE {ph} ESCAPE '\\')"
            ));
        }
        if let Some(day) = &q.in_force_on {
            let ph = param(day.clone(), &mut binds);
            clauses.push(format!(
                "(valid_from IS NULL OR valid_from <= {ph}) AND (valid_until IS NULL OR valid_until >= {ph})"
            ));
        }
        if let Some(c) = q.proposed_from {
            let ph = param(c.to_string(), &mut binds);
            clauses.push(format!("proposed_from = {ph}"));
        }
        let mut sql = format!("SELECT {COLS} FROM knowledge_articles");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(&format!(
            " ORDER BY uses DESC, updated_at DESC, id DESC LIMIT {}",
            q.limit.clamp(1, 5000)
        ));
        on_pool!(self, read, |p| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                query = query.bind(b.clone());
            }
            let rows = query.fetch_all(p).await.map_err(backend_err)?;
            rows.iter().map(article_from).collect()
        })
    }

    async fn record_knowledge_use(
        &self,
        article: Uuid,
        case: Uuid,
        at: i64,
        by: Option<Uuid>,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let added = sqlx::query(
                "INSERT INTO knowledge_uses (article_id, case_id, used_at, used_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (article_id, case_id) DO NOTHING",
            )
            .bind(article.to_string())
            .bind(case.to_string())
            .bind(at)
            .bind(by.map(|u| u.to_string()))
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?
            .rows_affected();
            if added == 1 {
                sqlx::query("UPDATE knowledge_articles SET uses = uses + 1 WHERE id = $1")
                    .bind(article.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)?;
            Ok(added == 1)
        })
    }

    async fn knowledge_uses(
        &self,
        article: Uuid,
        limit: u32,
    ) -> StoreResult<Vec<(Uuid, i64, Option<Uuid>)>> {
        let sql = format!(
            "SELECT case_id, used_at, used_by FROM knowledge_uses WHERE article_id = $1 ORDER BY used_at DESC, case_id DESC LIMIT {}",
            limit.clamp(1, 5000)
        );
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(article.to_string())
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    let case: String = r.try_get("case_id").map_err(backend_err)?;
                    let at: i64 = r.try_get("used_at").map_err(backend_err)?;
                    let by: Option<String> = r.try_get("used_by").map_err(backend_err)?;
                    Ok((uuid_of(&case)?, at, by.map(|b| uuid_of(&b)).transpose()?))
                })
                .collect()
        })
    }

    async fn articles_due_notice(&self, today: &str) -> StoreResult<Vec<KnowledgeRow>> {
        let sql = format!(
            "SELECT {COLS} FROM knowledge_articles WHERE status = 'published' AND \
             ((valid_until IS NOT NULL AND valid_until < $1) OR (review_at IS NOT NULL AND review_at <= $1)) \
             ORDER BY id LIMIT 5000"
        );
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(today.to_string())
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter().map(article_from).collect()
        })
    }

    async fn mark_article_notified(
        &self,
        id: Uuid,
        key: &str,
        notices: &[Notification],
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            sqlx::query("UPDATE knowledge_articles SET notified = $1 WHERE id = $2")
                .bind(key.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            for n in notices {
                bind_notice!(n)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)?;
            Ok(())
        })
    }
}
