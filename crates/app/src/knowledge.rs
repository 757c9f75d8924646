//! The knowledge base (知识库, issue 23): questions citizens ask again and again, each answered once
//! with the policy it rests on, so a clerk answers the call directly (直接办结) instead of
//! dispatching it. An article belongs to the unit whose policy it states: that unit reviews it
//! before it is published and is told when it runs out (有效期) or is due for review (复核),
//! because an outdated answer given on the phone is worse than none. Expired articles are hidden
//! from search and from the portal's FAQ at once, whether or not the hourly job has run.
//!
//! Search uses the cases' CJK tokens ([`crate::search`]): the clerk types a few characters of the
//! caller's question and gets the articles that contain them, best first.

use crate::App;
use crate::deadlines::{date_of, format_instant};
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::{KnowledgeQuery, KnowledgeRow, Notification};
use crate::scope::{Principal, can_see};
use crate::search;
use domain::{Nature, Role, Status};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const DRAFT: &str = "draft";
pub const PROPOSED: &str = "proposed";
pub const PUBLISHED: &str = "published";
pub const RETIRED: &str = "retired";
const STATUSES: [&str; 4] = [DRAFT, PROPOSED, PUBLISHED, RETIRED];

/// Notification kinds sent to an article's owners.
pub const NOTICE_EXPIRED: &str = "knowledge_expired";
pub const NOTICE_REVIEW: &str = "knowledge_review";

const MAX_QUESTION: usize = 300;
const MAX_ANSWER: usize = 5_000;
const MAX_SOURCE: usize = 300;
const MAX_NOTE: usize = 500;
/// Candidates read for one search before ranking; a query matching more is too vague to rank.
const SEARCH_CANDIDATES: u32 = 500;
/// Most tokens of an any-word search (a sentence of about 40 characters).
const MAX_ANY_TOKENS: usize = 40;

fn not_found() -> AppError {
    AppError::not_found("知识条目", "article")
}

/// Who may list articles of any unit in any status (the knowledge base's managers).
fn is_manager(p: &Principal) -> bool {
    p.is_staff()
        && matches!(
            p.role,
            Role::Admin | Role::Supervisor | Role::Leader | Role::Dispatcher
        )
}

/// Who may publish, reject, retire or renew: the owning unit's lead, administrators and
/// supervisors (督办 keeps the whole base honest).
fn may_review(p: &Principal, a: &KnowledgeRow) -> bool {
    p.is_staff()
        && (matches!(p.role, Role::Admin | Role::Supervisor)
            || (p.role == Role::UnitLead && p.unit.as_deref() == Some(a.unit.as_str())))
}

/// Who may edit: reviewers, the owning unit's staff, and the author of an unpublished draft.
fn may_edit(p: &Principal, a: &KnowledgeRow) -> bool {
    p.is_staff()
        && p.role != Role::Leader
        && (may_review(p, a)
            || p.unit.as_deref() == Some(a.unit.as_str())
            || (a.created_by == Some(p.id) && matches!(a.status.as_str(), DRAFT | PROPOSED)))
}

fn parse_date(field: &str, s: &str) -> Result<Date, AppError> {
    let ok = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    s.parse::<Date>().ok().filter(|_| ok).ok_or_else(|| {
        AppError::field(
            field,
            format!("「{s}」不是有效日期（YYYY-MM-DD）"),
            format!("'{s}' is not a valid date (YYYY-MM-DD)"),
        )
    })
}

/// A date field of a body: absent or null → `None` (unchanged), `""` → `Some(None)` (cleared),
/// a date → `Some(Some(date))`.
fn date_field(f: &Fields<'_>, key: &str) -> Result<Option<Option<String>>, AppError> {
    match f.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
        Some(_) => {
            let s = f.req_str(key, 10)?;
            Ok(Some(Some(parse_date(key, &s)?.to_string())))
        }
    }
}

fn expired(a: &KnowledgeRow, today: &str) -> bool {
    a.valid_until.as_deref().is_some_and(|d| d < today)
}

/// The article as the API shows it to staff.
pub fn article_view(a: &KnowledgeRow, tree: &OrgTree, today: &str) -> Value {
    json!({
        "id": a.id,
        "question": a.question,
        "answer": a.answer,
        "category": a.category,
        "unit": a.unit,
        "unit_name": tree.name(&a.unit),
        "source": a.source,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "review_at": a.review_at,
        "status": a.status,
        "expired": expired(a, today),
        "uses": a.uses,
        "version": a.version,
        "proposed_from": a.proposed_from,
        "created_at": format_instant(a.created_at),
        "updated_at": format_instant(a.updated_at),
        "history": a.doc.get("history").cloned().unwrap_or_else(|| json!([])),
    })
}

/// The public FAQ's subset.
fn public_view(a: &KnowledgeRow, tree: &OrgTree) -> Value {
    json!({
        "id": a.id,
        "question": a.question,
        "answer": a.answer,
        "category": a.category,
        "unit_name": tree.name(&a.unit),
        "source": a.source,
    })
}

/// How well an article answers a query: a token in the question weighs three times one in the
/// answer, the whole query standing in the question more still, and articles that answered many
/// calls come first among equals.
pub fn score(
    a: &KnowledgeRow,
    query_tokens: &[String],
    normal_query: &str,
    t: &triage::Triage,
) -> f64 {
    let q: HashSet<String> = search::index_tokens(t, &a.question)
        .split(' ')
        .map(str::to_string)
        .collect();
    let ans: HashSet<String> = search::index_tokens(t, &a.answer)
        .split(' ')
        .map(str::to_string)
        .collect();
    let mut s = 0.0;
    for tok in query_tokens {
        if q.contains(tok) {
            s += 3.0;
        }
        if ans.contains(tok) {
            s += 1.0;
        }
    }
    if !normal_query.is_empty() && triage::normalise(&a.question).contains(normal_query) {
        s += 5.0;
    }
    s + (1.0 + a.uses.max(0) as f64).ln() * 0.5
}

/// How many of the query's tokens the article has (in its question or answer).
fn matched_tokens(a: &KnowledgeRow, query_tokens: &[String], t: &triage::Triage) -> usize {
    let have: HashSet<String> = search::index_tokens(t, &format!("{} {}", a.question, a.answer))
        .split(' ')
        .map(str::to_string)
        .collect();
    query_tokens.iter().filter(|q| have.contains(*q)).count()
}

/// `match=all` (the default: every token of the query) or `match=any` (ranked by how many).
fn any_match(v: Option<&str>) -> Result<bool, AppError> {
    match v.map(str::trim) {
        None | Some("") | Some("all") => Ok(false),
        Some("any") => Ok(true),
        Some(o) => Err(AppError::field(
            "match",
            format!("「{o}」无效，可选：all, any"),
            format!("'{o}' is not valid; use all or any"),
        )),
    }
}

fn history_entry(p: &Principal, action: &str, note: Option<&str>, now: i64) -> Value {
    json!({ "at": format_instant(now), "by": p.name, "action": action, "note": note })
}

fn push_history(doc: &mut Value, entry: Value) {
    if !doc.is_object() {
        *doc = json!({});
    }
    match doc.get_mut("history").and_then(Value::as_array_mut) {
        Some(list) => list.push(entry),
        None => doc["history"] = json!([entry]),
    }
}

impl App {
    fn knowledge_today(&self) -> String {
        date_of(self.now()).to_string()
    }

    async fn visible_article(&self, p: &Principal, id: Uuid) -> Result<KnowledgeRow, AppError> {
        if !p.is_staff() {
            return Err(not_found());
        }
        self.store.article(id).await?.ok_or_else(not_found)
    }

    /// Checks a category (a taxonomy category or group) and a unit of the org tree.
    async fn check_article_refs(&self, category: &str, unit: &str) -> Result<(), AppError> {
        let refs = self.references().await?;
        refs.category_or_group(category)
            .map_err(|u| u.at("category"))?;
        refs.unit(unit).map_err(|u| u.at("unit"))?;
        Ok(())
    }

    fn check_validity(valid_from: Option<&str>, valid_until: Option<&str>) -> Result<(), AppError> {
        if let (Some(a), Some(b)) = (valid_from, valid_until)
            && b < a
        {
            return Err(AppError::field(
                "valid_until",
                "有效期截止日期不能早于生效日期",
                "must not be before valid_from",
            ));
        }
        Ok(())
    }

    /// `POST /api/v1/knowledge`: a draft, owned by the unit named (the author's by default).
    pub async fn create_article(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !p.is_staff() || p.role == Role::Leader {
            return Err(AppError::forbidden(
                "仅工作人员可编写知识条目",
                "only staff write knowledge articles",
            ));
        }
        let f = Fields::of(body, "")?;
        let question = f.req_str("question", MAX_QUESTION)?;
        let answer = f.req_str("answer", MAX_ANSWER)?;
        let category = f.req_str("category", 100)?;
        let unit = match f.opt_str("unit", 64)? {
            Some(u) => u,
            None => p.unit.clone().ok_or_else(|| {
                AppError::field("unit", "请指定负责单位", "the owning unit is required")
            })?,
        };
        let source = f.opt_str("source", MAX_SOURCE)?.unwrap_or_default();
        let valid_from = date_field(&f, "valid_from")?.flatten();
        let valid_until = date_field(&f, "valid_until")?.flatten();
        let review_at = date_field(&f, "review_at")?.flatten();
        Self::check_validity(valid_from.as_deref(), valid_until.as_deref())?;
        self.check_article_refs(&category, &unit).await?;
        let now = self.now();
        let mut doc = json!({ "history": [] });
        push_history(&mut doc, history_entry(p, "create", None, now));
        let row = KnowledgeRow {
            id: Uuid::now_v7(),
            tokens: search::index_tokens(&self.triage, &format!("{question} {answer}")),
            question,
            answer,
            category,
            unit,
            source,
            valid_from,
            valid_until,
            review_at,
            status: DRAFT.into(),
            uses: 0,
            version: 1,
            proposed_from: None,
            created_at: now,
            updated_at: now,
            created_by: Some(p.id),
            notified: None,
            doc,
        };
        self.store.insert_article(&row).await?;
        let tree = self.org.tree().await?;
        Ok(article_view(&row, &tree, &self.knowledge_today()))
    }

    /// `GET /api/v1/knowledge/{id}` (staff, any status).
    pub async fn article(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        let a = self.visible_article(p, id).await?;
        let tree = self.org.tree().await?;
        Ok(article_view(&a, &tree, &self.knowledge_today()))
    }

    /// `PATCH /api/v1/knowledge/{id}`: changes the fields given, at the version read (409 if
    /// someone changed it since: the version is checked before anything else about the request).
    pub async fn edit_article(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        let mut a = self.visible_article(p, id).await?;
        if a.version != version {
            return Err(AppError::stale_record(
                "知识条目",
                "article",
                Some(a.version),
            ));
        }
        if !may_edit(p, &a) {
            return Err(AppError::forbidden(
                "只有负责单位、管理员、督办员或草稿作者可修改该条目",
                "only the owning unit, administrators, supervisors or the draft's author edit this article",
            ));
        }
        let mut changed = Vec::new();
        if let Some(q) = f.opt_str("question", MAX_QUESTION)? {
            a.question = q;
            changed.push("question");
        }
        if let Some(ans) = f.opt_str("answer", MAX_ANSWER)? {
            a.answer = ans;
            changed.push("answer");
        }
        if let Some(c) = f.opt_str("category", 100)? {
            a.category = c;
            changed.push("category");
        }
        if let Some(u) = f.opt_str("unit", 64)? {
            // Handing an article to another unit is a reviewer's decision.
            if u != a.unit && !may_review(p, &a) {
                return Err(AppError::forbidden(
                    "只有负责单位负责人、管理员或督办员可变更负责单位",
                    "only the owning unit's lead, administrators or supervisors change the owner",
                )
                .with_field("unit"));
            }
            a.unit = u;
            changed.push("unit");
        }
        if f.get("source").is_some() {
            a.source = f.opt_str("source", MAX_SOURCE)?.unwrap_or_default();
            changed.push("source");
        }
        for (key, slot) in [
            ("valid_from", &mut a.valid_from),
            ("valid_until", &mut a.valid_until),
            ("review_at", &mut a.review_at),
        ] {
            if let Some(v) = date_field(&f, key)? {
                *slot = v;
                changed.push(key);
            }
        }
        Self::check_validity(a.valid_from.as_deref(), a.valid_until.as_deref())?;
        self.check_article_refs(&a.category, &a.unit).await?;
        if changed
            .iter()
            .any(|k| matches!(*k, "valid_until" | "review_at"))
        {
            // New dates: the owners are told again when these run out.
            a.notified = None;
        }
        let now = self.now();
        let note = changed.join(", ");
        push_history(&mut a.doc, history_entry(p, "edit", Some(&note), now));
        a.tokens = search::index_tokens(&self.triage, &format!("{} {}", a.question, a.answer));
        a.updated_at = now;
        a.version += 1;
        self.save_article(&a, version).await
    }

    async fn save_article(&self, a: &KnowledgeRow, expected: i64) -> Result<Value, AppError> {
        if !self.store.update_article(a, expected).await? {
            let current = self.store.article(a.id).await?.map(|x| x.version);
            return Err(AppError::stale_record("知识条目", "article", current));
        }
        // The stored row, so that `uses` counted meanwhile shows.
        let stored = self.store.article(a.id).await?.unwrap_or_else(|| a.clone());
        let tree = self.org.tree().await?;
        Ok(article_view(&stored, &tree, &self.knowledge_today()))
    }

    /// `POST /api/v1/knowledge/{id}/actions`: publish | reject | retire | renew, by a reviewer.
    pub async fn article_action(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let f = Fields::of(body, "")?;
        let version = f.req_i64("version")?;
        let mut a = self.visible_article(p, id).await?;
        if a.version != version {
            return Err(AppError::stale_record(
                "知识条目",
                "article",
                Some(a.version),
            ));
        }
        let action = f.req_str("action", 20)?;
        if !matches!(action.as_str(), "publish" | "reject" | "retire" | "renew") {
            return Err(AppError::field(
                "action",
                format!("「{action}」无效，可选：publish, reject, retire, renew"),
                format!("'{action}' is not valid; use publish, reject, retire or renew"),
            ));
        }
        if !may_review(p, &a) {
            return Err(AppError::forbidden(
                format!(
                    "只有负责单位（{}）负责人、管理员或督办员可审核该条目",
                    self.org.tree().await?.name(&a.unit)
                ),
                "only the owning unit's lead, administrators or supervisors review this article",
            ));
        }
        let note = f.opt_str("note", MAX_NOTE)?;
        let today = self.knowledge_today();
        let not_now = |allowed: &str| {
            AppError::field(
                "action",
                format!(
                    "条目状态为「{}」，不能执行「{action}」（仅 {allowed}）",
                    a.status
                ),
                format!(
                    "the article is {}; '{action}' applies to {allowed} only",
                    a.status
                ),
            )
        };
        match action.as_str() {
            "publish" => {
                if !matches!(a.status.as_str(), DRAFT | PROPOSED | RETIRED) {
                    return Err(not_now("draft, proposed, retired"));
                }
                if expired(&a, &today) {
                    return Err(AppError::field(
                        "valid_until",
                        "条目已过有效期，请先修改有效期再发布",
                        "the article has expired; change valid_until before publishing",
                    ));
                }
                a.status = PUBLISHED.into();
                a.notified = None;
            }
            "reject" => {
                if !matches!(a.status.as_str(), DRAFT | PROPOSED) {
                    return Err(not_now("draft, proposed"));
                }
                a.status = RETIRED.into();
            }
            "retire" => {
                if a.status != PUBLISHED {
                    return Err(not_now("published"));
                }
                a.status = RETIRED.into();
            }
            _ => {
                // renew: still valid after review, or valid again until a new date.
                if a.status != PUBLISHED {
                    return Err(not_now("published"));
                }
                let until = match date_field(&f, "valid_until")? {
                    Some(Some(d)) => d,
                    Some(None) | None => date_of(self.now())
                        .checked_add(jiff::Span::new().years(1))
                        .map_err(AppError::internal)?
                        .to_string(),
                };
                if until < today {
                    return Err(AppError::field(
                        "valid_until",
                        "续期后的有效期不能早于今天",
                        "must not be before today",
                    ));
                }
                Self::check_validity(a.valid_from.as_deref(), Some(&until))?;
                a.valid_until = Some(until);
                if a.review_at.as_deref().is_some_and(|r| r <= today.as_str()) {
                    a.review_at = None;
                }
                a.notified = None;
            }
        }
        let now = self.now();
        push_history(&mut a.doc, history_entry(p, &action, note.as_deref(), now));
        a.updated_at = now;
        a.version += 1;
        self.save_article(&a, version).await
    }

    /// `GET /api/v1/knowledge`: staff search. Without `status`, published articles in force;
    /// `status` (all | draft | proposed | published | retired) lists others, for managers over
    /// every unit and for other staff over their own unit.
    pub async fn articles(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Vec<Value>, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden(
                "仅工作人员可检索知识库",
                "only staff search the knowledge base",
            ));
        }
        let get = |k: &str| {
            params
                .get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let today = self.knowledge_today();
        let mut q = KnowledgeQuery::default();
        match get("status").as_deref() {
            None => {
                q.statuses = Some(vec![PUBLISHED.into()]);
                q.in_force_on = Some(today.clone());
            }
            Some(s) => {
                if s == "all" {
                    q.statuses = None;
                } else if STATUSES.contains(&s) {
                    q.statuses = Some(vec![s.to_string()]);
                } else {
                    return Err(AppError::field(
                        "status",
                        format!("「{s}」无效，可选：all, draft, proposed, published, retired"),
                        format!(
                            "'{s}' is not valid; use all, draft, proposed, published or retired"
                        ),
                    ));
                }
                // Unpublished work is its unit's until it is published.
                if s != PUBLISHED && !is_manager(p) {
                    q.unit = p.unit.clone();
                }
            }
        }
        for k in ["category", "unit"] {
            if let Some(v) = get(k) {
                crate::references::filter_value(k, &v)?;
            }
        }
        q.category = get("category");
        if let Some(u) = get("unit") {
            if q.unit.as_ref().is_some_and(|own| *own != u) {
                return Ok(vec![]);
            }
            q.unit = Some(u);
        }
        let limit = u32::try_from(crate::input::count_param(
            "limit",
            get("limit").as_deref(),
            50,
            200,
        )?)
        .unwrap_or(50);
        let text = get("q");
        q.any_token = any_match(get("match").as_deref())?;
        let rows = self.search_articles(q, text.as_deref(), limit).await?;
        let tree = self.org.tree().await?;
        Ok(rows
            .iter()
            .map(|a| article_view(a, &tree, &today))
            .collect())
    }

    /// Runs a query with an optional search text, ranked best first.
    async fn search_articles(
        &self,
        mut q: KnowledgeQuery,
        text: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KnowledgeRow>, AppError> {
        let Some(text) = text else {
            q.limit = limit;
            return Ok(self.store.articles(&q).await?);
        };
        if text.chars().count() > 100 {
            return Err(AppError::field(
                "q",
                "检索词不能超过 100 个字",
                "must be at most 100 characters",
            ));
        }
        crate::references::filter_value("q", text)?;
        let mut tokens = search::query_tokens(&self.triage, text);
        if q.any_token
            && let Some(t) = tokens.as_mut()
        {
            // A clerk's whole sentence: its bigrams, bounded so the query stays small.
            t.truncate(MAX_ANY_TOKENS);
        }
        match &tokens {
            Some(t) => q.tokens = t.clone(),
            None => q.like = Some(text.to_string()),
        }
        q.limit = SEARCH_CANDIDATES;
        let any = q.any_token;
        let mut rows = self.store.articles(&q).await?;
        let toks = tokens.unwrap_or_default();
        let normal = triage::normalise(text);
        // Any-word mode: an article sharing a single bigram with a long sentence is noise; it
        // must share two (or the query's only one).
        let needed = toks.len().min(2);
        let mut scored: Vec<(f64, KnowledgeRow)> = rows
            .drain(..)
            .filter(|a| !any || matched_tokens(a, &toks, &self.triage) >= needed)
            .map(|a| (score(&a, &toks, &normal, &self.triage), a))
            .collect();
        scored.sort_by(|x, y| {
            y.0.total_cmp(&x.0)
                .then(y.1.uses.cmp(&x.1.uses))
                .then(y.1.updated_at.cmp(&x.1.updated_at))
        });
        Ok(scored
            .into_iter()
            .take(limit as usize)
            .map(|(_, a)| a)
            .collect())
    }

    /// `GET /api/v1/portal/knowledge?q=` (public): published articles in force.
    pub async fn portal_articles(
        &self,
        text: Option<&str>,
        matching: Option<&str>,
    ) -> Result<Vec<Value>, AppError> {
        let q = KnowledgeQuery {
            statuses: Some(vec![PUBLISHED.into()]),
            in_force_on: Some(self.knowledge_today()),
            any_token: any_match(matching)?,
            ..Default::default()
        };
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let limit = if text.is_some() { 20 } else { 50 };
        let rows = self.search_articles(q, text, limit).await?;
        let tree = self.org.tree().await?;
        Ok(rows.iter().map(|a| public_view(a, &tree)).collect())
    }

    /// `POST /api/v1/knowledge/proposals`: an article drafted from a consultation (咨询) case that
    /// has been answered, for the owning unit to review: the question from the case's title (and
    /// its description when short), the answer from its reply.
    pub async fn propose_article(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        if !p.is_staff() || p.role == Role::Leader {
            return Err(AppError::forbidden(
                "仅工作人员可提议知识条目",
                "only staff propose knowledge articles",
            ));
        }
        let f = Fields::of(body, "")?;
        let raw = f.req_str("case_id", 64)?;
        let case_id = Uuid::parse_str(&raw)
            .map_err(|_| AppError::field("case_id", "应为工单 ID", "must be a case id"))?;
        let (case, tree) = match self.visible_case(p, case_id).await {
            Ok(x) => x,
            Err(e) if e.kind == ErrorKind::NotFound => {
                return Err(AppError::field(
                    "case_id",
                    "工单不存在或无权查看",
                    "the case does not exist or is not visible to you",
                ));
            }
            Err(e) => return Err(e),
        };
        if case.nature != Nature::Consult {
            return Err(AppError::field(
                "case_id",
                "只有咨询类工单可提议为知识条目",
                "only consultation cases become articles",
            ));
        }
        if !matches!(case.status, Status::Resolved | Status::Closed) {
            return Err(AppError::field(
                "case_id",
                format!("工单状态为「{}」，办结后才能提议", case.status.label_zh()),
                format!("the case is {}; propose it once answered", case.status),
            ));
        }
        let Some(reply) = case.reply.clone().filter(|r| !r.trim().is_empty()) else {
            return Err(AppError::field(
                "case_id",
                "该工单没有答复内容",
                "the case has no reply to draft the answer from",
            ));
        };
        let existing = self
            .store
            .articles(&KnowledgeQuery {
                proposed_from: Some(case.id),
                limit: 1,
                ..Default::default()
            })
            .await?;
        if let Some(e) = existing.first() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "duplicate",
                "该工单已提议过知识条目",
                "an article was already proposed from this case",
            )
            .with_details(json!({ "article_id": e.id })));
        }
        let mut question = case.title.trim().to_string();
        let desc = case.description.trim();
        if !desc.is_empty() && desc.chars().count() <= 120 && !desc.contains(&question) {
            question = format!("{question}：{desc}");
        }
        let question: String = question.chars().take(MAX_QUESTION).collect();
        let answer: String = reply.chars().take(MAX_ANSWER).collect();
        let unit = case
            .unit
            .clone()
            .filter(|u| tree.get(u).is_some())
            .unwrap_or_else(|| case.hub.clone());
        let now = self.now();
        let mut doc = json!({ "history": [] });
        push_history(
            &mut doc,
            history_entry(p, "propose", Some(&case.number), now),
        );
        let row = KnowledgeRow {
            id: Uuid::now_v7(),
            tokens: search::index_tokens(&self.triage, &format!("{question} {answer}")),
            question,
            answer,
            category: case.category.clone(),
            unit,
            source: String::new(),
            valid_from: None,
            valid_until: None,
            review_at: None,
            status: PROPOSED.into(),
            uses: 0,
            version: 1,
            proposed_from: Some(case.id),
            created_at: now,
            updated_at: now,
            created_by: Some(p.id),
            notified: None,
            doc,
        };
        self.store.insert_article(&row).await?;
        Ok(article_view(&row, &tree, &self.knowledge_today()))
    }

    /// `GET /api/v1/knowledge/{id}/uses`: the cases the article answered that the caller sees.
    pub async fn article_uses(&self, p: &Principal, id: Uuid) -> Result<Vec<Value>, AppError> {
        let a = self.visible_article(p, id).await?;
        let tree = self.org.tree().await?;
        let users = self.users_cached().await?;
        let mut out = Vec::new();
        for (case_id, at, by) in self.store.knowledge_uses(a.id, 200).await? {
            let Some(c) = self.store.get_case(case_id).await? else {
                continue;
            };
            if !can_see(p, &tree, &c) {
                continue;
            }
            let by_name = by.and_then(|u| {
                users
                    .iter()
                    .find(|x| x.id == u)
                    .map(|x| x.display_name.clone())
            });
            out.push(json!({
                "case_id": c.id,
                "number": c.number,
                "title": c.title,
                "status": c.status.code(),
                "used_at": format_instant(at),
                "used_by": by_name,
            }));
        }
        Ok(out)
    }

    /// The article a 直接办结 (`answer`) names in `knowledge_id`, checked before the transition
    /// is taken: it must exist, be published and be in force (422 on `knowledge_id` otherwise).
    pub(crate) async fn answering_article(&self, f: &Fields<'_>) -> Result<Option<Uuid>, AppError> {
        let Some(raw) = f.opt_str("knowledge_id", 64)? else {
            return Ok(None);
        };
        let id = Uuid::parse_str(&raw).map_err(|_| {
            AppError::field("knowledge_id", "应为知识条目 ID", "must be an article id")
        })?;
        let a =
            self.store.article(id).await?.ok_or_else(|| {
                AppError::field("knowledge_id", "知识条目不存在", "no such article")
            })?;
        if a.status != PUBLISHED {
            return Err(AppError::field(
                "knowledge_id",
                "该知识条目尚未发布，不能用于答复",
                "the article is not published",
            ));
        }
        let today = self.knowledge_today();
        if expired(&a, &today) || a.valid_from.as_deref().is_some_and(|d| d > today.as_str()) {
            return Err(AppError::field(
                "knowledge_id",
                "该知识条目不在有效期内，不能用于答复",
                "the article is not in force",
            ));
        }
        Ok(Some(id))
    }

    /// Counts the use of an article that answered a case (after the answer was saved).
    pub(crate) async fn record_article_use(
        &self,
        article: Uuid,
        case: Uuid,
        p: &Principal,
    ) -> Result<(), AppError> {
        self.store
            .record_knowledge_use(article, case, self.now(), Some(p.id))
            .await?;
        Ok(())
    }

    /// The hourly job: tells the owners of published articles that expired or are due for
    /// review, once per date. Returns how many articles were notified about.
    pub async fn knowledge_review(&self) -> Result<usize, AppError> {
        let today = self.knowledge_today();
        let due = self.store.articles_due_notice(&today).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let users = self.users_cached().await?;
        let tree = self.org.tree().await?;
        let now = self.now();
        let mut n = 0;
        for a in due {
            let (kind, key, date) = match (&a.valid_until, &a.review_at) {
                (Some(u), _) if u.as_str() < today.as_str() => {
                    (NOTICE_EXPIRED, format!("expired:{u}"), u.clone())
                }
                (_, Some(r)) => (NOTICE_REVIEW, format!("review:{r}"), r.clone()),
                _ => continue,
            };
            if a.notified.as_deref() == Some(key.as_str()) {
                continue;
            }
            // The unit's leads decide; without one, whoever works there; without anyone, the
            // administrators keep the base.
            let active = |u: &&crate::ports::UserRecord| !u.disabled;
            let mut owners: Vec<Uuid> = users
                .iter()
                .filter(active)
                .filter(|u| u.unit == a.unit && u.role == Role::UnitLead)
                .map(|u| u.id)
                .collect();
            if owners.is_empty() {
                owners = users
                    .iter()
                    .filter(active)
                    .filter(|u| u.unit == a.unit && u.role != Role::Citizen)
                    .map(|u| u.id)
                    .collect();
            }
            if owners.is_empty() {
                owners = users
                    .iter()
                    .filter(active)
                    .filter(|u| u.role == Role::Admin)
                    .map(|u| u.id)
                    .collect();
            }
            let (title, body) = if kind == NOTICE_EXPIRED {
                (
                    format!("知识条目已过期：{}", a.question),
                    format!(
                        "「{}」的有效期已于 {date} 截止，已不再对外提供检索；请复核后续期或停用。负责单位：{}",
                        a.question,
                        tree.name(&a.unit)
                    ),
                )
            } else {
                (
                    format!("知识条目待复核：{}", a.question),
                    format!(
                        "「{}」的复核日期为 {date}，请核对政策依据是否仍然有效，并续期或修改。负责单位：{}",
                        a.question,
                        tree.name(&a.unit)
                    ),
                )
            };
            let notices: Vec<Notification> = owners
                .into_iter()
                .map(|user| Notification {
                    id: Uuid::now_v7(),
                    user_id: user,
                    case_id: None,
                    case_number: None,
                    kind: kind.into(),
                    title: title.clone(),
                    body: body.clone(),
                    created_at: now,
                    read_at: None,
                    data: Some(json!({ "article_id": a.id, "question": a.question, "date": date, "unit": a.unit })),
                    digest_key: None,
                })
                .collect();
            self.store
                .mark_article_notified(a.id, &key, &notices)
                .await?;
            n += 1;
        }
        Ok(n)
    }

    /// Installs articles given as JSON (the demo's, or a district's own), each as its owners
    /// would have written and reviewed it; `status` and dates are taken as given. Skipped when
    /// the base has articles already. Returns how many were written.
    pub async fn install_articles(&self, list: &[Value]) -> Result<usize, AppError> {
        if !self
            .store
            .articles(&KnowledgeQuery {
                limit: 1,
                ..Default::default()
            })
            .await?
            .is_empty()
        {
            return Ok(0);
        }
        let now = self.now();
        let mut n = 0;
        for (i, v) in list.iter().enumerate() {
            let f = Fields::of(v, "")?;
            let question = f.req_str("question", MAX_QUESTION)?;
            let answer = f.req_str("answer", MAX_ANSWER)?;
            let category = f.req_str("category", 100)?;
            let unit = f.req_str("unit", 64)?;
            self.check_article_refs(&category, &unit)
                .await
                .map_err(|e| AppError::internal(format!("article {i}: {}", e.en)))?;
            let status = f.opt_str("status", 20)?.unwrap_or_else(|| PUBLISHED.into());
            if !STATUSES.contains(&status.as_str()) {
                return Err(AppError::internal(format!("article {i}: status {status}")));
            }
            let valid_from = date_field(&f, "valid_from")?.flatten();
            let valid_until = date_field(&f, "valid_until")?.flatten();
            let review_at = date_field(&f, "review_at")?.flatten();
            let uses = f.opt_i64("uses")?.unwrap_or(0).max(0);
            let mut doc = json!({ "history": [] });
            push_history(
                &mut doc,
                json!({ "at": format_instant(now), "by": "系统导入", "action": "import", "note": null }),
            );
            let row = KnowledgeRow {
                id: Uuid::now_v7(),
                tokens: search::index_tokens(&self.triage, &format!("{question} {answer}")),
                question,
                answer,
                category,
                unit,
                source: f.opt_str("source", MAX_SOURCE)?.unwrap_or_default(),
                valid_from,
                valid_until,
                review_at,
                status,
                uses,
                version: 1,
                proposed_from: None,
                created_at: now,
                updated_at: now,
                created_by: None,
                notified: None,
                doc,
            };
            self.store.insert_article(&row).await?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(question: &str, answer: &str, uses: i64) -> KnowledgeRow {
        KnowledgeRow {
            id: Uuid::now_v7(),
            question: question.into(),
            answer: answer.into(),
            category: "医疗卫生/医保".into(),
            unit: "ybj".into(),
            source: String::new(),
            valid_from: None,
            valid_until: Some("2026-12-31".into()),
            review_at: None,
            status: PUBLISHED.into(),
            uses,
            version: 1,
            proposed_from: None,
            tokens: String::new(),
            created_at: 0,
            updated_at: 0,
            created_by: None,
            notified: None,
            doc: json!({}),
        }
    }

    #[test]
    fn the_question_outranks_the_answer_and_uses_break_ties() {
        let t = triage::Triage::new();
        let q = search::query_tokens(&t, "异地就医").unwrap();
        let in_question = row("异地就医怎么备案？", "通过国家医保服务平台办理。", 0);
        let in_answer = row("医保报销比例是多少？", "异地就医的报销比例另有规定。", 40);
        let n = triage::normalise("异地就医");
        assert!(score(&in_question, &q, &n, &t) > score(&in_answer, &q, &n, &t));
        let popular = row("异地就医怎么备案？", "通过国家医保服务平台办理。", 30);
        assert!(score(&popular, &q, &n, &t) > score(&in_question, &q, &n, &t));
    }

    #[test]
    fn expiry_is_a_date_comparison() {
        let a = row("q", "a", 0);
        assert!(!expired(&a, "2026-12-31"));
        assert!(expired(&a, "2027-01-01"));
    }

    #[test]
    fn dates_must_be_exact() {
        assert!(parse_date("d", "2026-02-30").is_err());
        assert!(parse_date("d", "2026-2-3").is_err());
        assert_eq!(
            parse_date("d", "2026-02-03").unwrap().to_string(),
            "2026-02-03"
        );
    }
}
