//! Related cases: duplicates merged into a case, other cases of the same reporter, and cases at
//! the same place around the same time — what a dispatcher checks before merging (并单), and what
//! the intake form shows as the clerk types.

use crate::audit::AuditAction;
use crate::error::AppError;
use crate::input::Fields;
use crate::ports::CaseQuery;
use crate::scope::{Principal, read_scope};
use crate::views::CaseView;
use crate::{App, search};
use serde_json::{Value, json};
use uuid::Uuid;

const DAY: i64 = 86_400_000;

impl App {
    async fn views_of(&self, p: &Principal, mut q: CaseQuery) -> Result<Vec<CaseView>, AppError> {
        let tree = self.org.tree().await?;
        q.scope = Some(read_scope(p, &tree));
        q.now = self.now();
        let (cases, _) = self.store.list_cases(&q).await?;
        let rules = self.rules().await?;
        Ok(cases
            .iter()
            .map(|c| self.view(&rules, c, p, &tree))
            .collect())
    }

    pub async fn related(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        let (c, _) = self.visible_case(p, id).await?;
        let merged = self
            .views_of(
                p,
                CaseQuery {
                    merged_into: Some(id),
                    limit: 50,
                    ..CaseQuery::default()
                },
            )
            .await?;
        // A reporter without a phone (Open311, a ledger row) is nobody's "same reporter".
        let same_reporter = if c.reporter.phone.trim().is_empty() {
            vec![]
        } else {
            self.views_of(
                p,
                CaseQuery {
                    reporter_phone: Some(c.reporter.phone.clone()),
                    exclude: Some(id),
                    limit: 10,
                    ..CaseQuery::default()
                },
            )
            .await?
        };
        let same_place = self
            .views_of(
                p,
                CaseQuery {
                    region: Some(c.location.region.clone()),
                    category: Some(c.category.clone()),
                    reported_from: Some(c.reported_at - 30 * DAY),
                    reported_to: Some(c.reported_at + 30 * DAY),
                    exclude: Some(id),
                    limit: 10,
                    ..CaseQuery::default()
                },
            )
            .await?;
        let shown: Vec<&CaseView> = merged
            .iter()
            .chain(&same_reporter)
            .chain(&same_place)
            .collect();
        self.audit_views(
            p,
            AuditAction::ListCases,
            format!("related={}", c.number),
            &shown,
        )
        .await?;
        Ok(json!({ "merged": merged, "same_reporter": same_reporter, "same_place": same_place }))
    }

    /// Possible duplicates of a request being registered: the same phone in the last 90 days, or
    /// the same address words in the same region in the last 30.
    pub async fn duplicates(
        &self,
        p: &Principal,
        params: &std::collections::HashMap<String, String>,
    ) -> Result<Vec<CaseView>, AppError> {
        let body = json!(params);
        let f = Fields::of(&body, "")?;
        let phone = f.opt_str("phone", 30)?;
        let region = f.opt_str("region", 20)?;
        let address = f.opt_str("address", 200)?;
        let now = self.now();
        let mut out: Vec<CaseView> = Vec::new();
        if let Some(phone) = phone.filter(|s| s.chars().filter(char::is_ascii_digit).count() >= 5) {
            out.extend(
                self.views_of(
                    p,
                    CaseQuery {
                        reporter_phone: Some(phone),
                        reported_from: Some(now - 90 * DAY),
                        limit: 5,
                        ..CaseQuery::default()
                    },
                )
                .await?,
            );
        }
        if let (Some(region), Some(address)) = (region, address)
            && let Some(text) = search::query_tokens(&self.triage, &address)
        {
            let found = self
                .views_of(
                    p,
                    CaseQuery {
                        region: Some(region),
                        text,
                        reported_from: Some(now - 30 * DAY),
                        limit: 5,
                        ..CaseQuery::default()
                    },
                )
                .await?;
            for v in found {
                if !out.iter().any(|o| o.id == v.id) {
                    out.push(v);
                }
            }
        }
        self.audit_views(
            p,
            AuditAction::ListCases,
            format!("duplicates?{}", crate::audit::filter_detail(params)),
            &out.iter().collect::<Vec<_>>(),
        )
        .await?;
        Ok(out)
    }
}
