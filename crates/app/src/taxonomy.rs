//! The taxonomy (分类目录): the district's `一级/二级` categories, as data an administrator edits.
//!
//! It is stored as one setting (a short list, read by every intake through a 30 s cache). A
//! category is never renamed or removed — cases, rules and the boards refer to it by name — but it
//! may be taken out of use (停用): hidden from the intake pickers and refused for new cases, kept
//! for history, filters and rules. A database without a stored taxonomy uses the classifier's own
//! categories (the labels it was trained on), which is also what `seed` installs.

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::input::Fields;
use crate::scope::Principal;
use domain::Role;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// The setting the taxonomy is stored under.
pub const SETTING: &str = "taxonomy";
/// Longest name of one level (一级 or 二级).
pub const MAX_LEVEL_NAME: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomyEntry {
    /// `一级/二级`.
    pub category: String,
    /// 停用: not offered for new cases.
    #[serde(default)]
    pub disabled: bool,
}

/// The categories a fresh database starts with: the classifier's labels.
pub fn default_taxonomy() -> Vec<TaxonomyEntry> {
    triage::TAXONOMY
        .iter()
        .map(|(c, _)| TaxonomyEntry {
            category: (*c).to_string(),
            disabled: false,
        })
        .collect()
}

/// A new category's name: `一级/二级`, each level 1–20 characters of text (no slashes, no
/// control characters, no markup).
pub fn parse_category(value: &str) -> Result<String, AppError> {
    let v = value.trim();
    let bad = |zh: &str, en: &str| Err(AppError::field("category", zh.to_string(), en.to_string()));
    let Some((top, sub)) = v.split_once('/') else {
        return bad(
            "分类须为「一级/二级」，例如 城市管理/占道经营",
            "must be 'top/sub', e.g. 城市管理/占道经营",
        );
    };
    for part in [top, sub] {
        let n = part.trim().chars().count();
        if n == 0 || n > MAX_LEVEL_NAME {
            return bad(
                &format!("每一级须为 1 到 {MAX_LEVEL_NAME} 个字"),
                &format!("each level must be 1 to {MAX_LEVEL_NAME} characters"),
            );
        }
        if part.contains('/')
            || part
                .chars()
                .any(|c| c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '&'))
        {
            return bad(
                "分类名称不能含斜杠、控制字符或 < > \" ' &",
                "a category name must not contain slashes, control characters or < > \" ' &",
            );
        }
    }
    Ok(format!("{}/{}", top.trim(), sub.trim()))
}

impl App {
    /// The taxonomy as stored (or the default), cached like the catalogue.
    pub async fn taxonomy(&self) -> Result<Arc<Vec<TaxonomyEntry>>, AppError> {
        self.taxonomy_cache
            .get(|| async {
                Ok::<_, AppError>(match self.store.get_setting(SETTING).await? {
                    Some(t) => serde_json::from_str(&t).unwrap_or_else(|_| default_taxonomy()),
                    None => default_taxonomy(),
                })
            })
            .await
    }

    /// Replaces the stored taxonomy (seed and the admin edits below).
    pub async fn put_taxonomy(&self, entries: &[TaxonomyEntry]) -> Result<(), AppError> {
        self.store
            .put_setting(
                SETTING,
                &serde_json::to_string(entries).map_err(AppError::internal)?,
            )
            .await?;
        self.taxonomy_cache.invalidate();
        Ok(())
    }

    /// `GET /api/v1/taxonomy`: every category with its state (administrators; the pickers use
    /// `/categories`, which lists the ones in use).
    pub async fn taxonomy_json(&self, p: &Principal) -> Result<Value, AppError> {
        require_admin(p)?;
        Ok(json!(*self.taxonomy().await?))
    }

    /// `POST /api/v1/taxonomy` {category}: adds a category (409 if it is there already).
    pub async fn add_category(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let category = parse_category(&f.req_str("category", 2 * MAX_LEVEL_NAME + 1)?)?;
        let mut all = (*self.taxonomy().await?).clone();
        if all.iter().any(|e| e.category == category) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "category_exists",
                format!("分类「{category}」已存在"),
                format!("the category {category} exists already"),
            )
            .with_field("category"));
        }
        all.push(TaxonomyEntry {
            category: category.clone(),
            disabled: false,
        });
        self.put_taxonomy(&all).await?;
        Ok(json!({ "category": category, "disabled": false }))
    }

    /// `PATCH /api/v1/taxonomy` {category, disabled}: takes a category out of use, or back.
    pub async fn set_category_disabled(
        &self,
        p: &Principal,
        body: &Value,
    ) -> Result<Value, AppError> {
        require_admin(p)?;
        let f = Fields::of(body, "")?;
        let category = f.req_str("category", 2 * MAX_LEVEL_NAME + 1)?;
        let disabled = f.req_bool("disabled")?;
        let mut all = (*self.taxonomy().await?).clone();
        let Some(e) = all.iter_mut().find(|e| e.category == category) else {
            return Err(AppError::not_found("分类", "category"));
        };
        e.disabled = disabled;
        self.put_taxonomy(&all).await?;
        Ok(json!({ "category": category, "disabled": disabled }))
    }
}

fn require_admin(p: &Principal) -> Result<(), AppError> {
    if p.is_staff() && p.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("仅管理员可操作", "administrators only"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_categories_are_two_levels_of_plain_text() {
        assert_eq!(
            parse_category(" 城市管理 / 共享单车 ").ok().as_deref(),
            Some("城市管理/共享单车")
        );
        for bad in [
            "城市管理",
            "/x",
            "a/",
            "a/b/c",
            "<b>x</b>/y",
            "城市管理/共享单车停放秩序混乱问题长期得不到解决的情况",
        ] {
            assert!(parse_category(bad).is_err(), "{bad}");
        }
    }
}
