//! The references a case or an admin rule makes to the district's own data — a category of the
//! taxonomy, a region or a unit of the org tree — checked in one place. Every path that creates or
//! changes a case (staff intake, the portal, Open311, API keys, ledger import) and every admin
//! table that names them (time-limit rules, the routing catalogue, calendar regions) asks a
//! [`References`] snapshot, so a name that does not exist is refused the same way everywhere: a
//! 422 naming the field ([`Unknown::at`]), with the row's index in the field where a table is
//! stored whole (`rules[3].category`, `[3].unit`).
//!
//! Filters are not references: a list filtered on a category nobody uses matches nothing.
//! [`filter_value`] only keeps their values to a sane size and free of control characters.

use crate::App;
use crate::error::AppError;
use crate::org::OrgTree;
use crate::taxonomy::TaxonomyEntry;
use domain::UnitKind;
use std::sync::Arc;

/// The longest category (`一级/二级`), region code or unit code a request may name.
pub const MAX_REFERENCE: usize = 64;

/// What a case or rule may refer to, read once per request.
pub struct References {
    tree: Arc<OrgTree>,
    taxonomy: Arc<Vec<TaxonomyEntry>>,
}

/// A value as it may appear inside a message: short and on one line (a refused value may be
/// anything, e.g. markup; the message is JSON and the UI shows it as text, but it stays readable).
fn shown(value: &str) -> String {
    let one_line: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(40)
        .collect();
    if value.chars().count() > 40 {
        format!("{one_line}…")
    } else {
        one_line
    }
}

impl References {
    pub fn new(tree: Arc<OrgTree>, taxonomy: Arc<Vec<TaxonomyEntry>>) -> Self {
        References { tree, taxonomy }
    }

    pub fn tree(&self) -> &OrgTree {
        &self.tree
    }

    /// Every `一级/二级` of the taxonomy in use (not 停用), in its order.
    pub fn categories(&self) -> Vec<String> {
        self.taxonomy
            .iter()
            .filter(|e| !e.disabled)
            .map(|e| e.category.clone())
            .collect()
    }

    /// A category of the taxonomy, in use or not (rules and filters may name one out of use).
    pub fn has_category(&self, category: &str) -> bool {
        self.taxonomy.iter().any(|e| e.category == category)
    }

    /// A `一级` (top level) some category of the taxonomy has.
    pub fn has_group(&self, group: &str) -> bool {
        self.taxonomy
            .iter()
            .any(|e| e.category.split_once('/').is_some_and(|(t, _)| t == group))
    }

    /// A region code (属地) some hub of the org tree covers exactly: a community, a street or the
    /// district. A longer code that merely starts with one is not a region of ours.
    pub fn has_region(&self, region: &str) -> bool {
        self.tree
            .units
            .iter()
            .any(|u| u.kind == UnitKind::Hub && u.region == region)
    }

    /// A category of the taxonomy (`一级/二级`) in use: what a new case or a catalogue row may
    /// name.
    pub fn category(&self, value: &str) -> Result<(), Unknown> {
        let v = shown(value);
        match self.taxonomy.iter().find(|e| e.category == value) {
            Some(e) if !e.disabled => return Ok(()),
            Some(_) => {
                return Err(Unknown {
                    zh: format!("分类「{v}」已停用，请选择其他分类"),
                    en: format!("the category '{v}' is no longer in use; choose another"),
                });
            }
            None => {}
        }
        Err(Unknown {
            zh: format!("「{v}」不是分类目录中的分类，须为「一级/二级」，例如 城市管理/占道经营"),
            en: format!(
                "'{v}' is not a category of the taxonomy; use 'top/sub', e.g. 城市管理/占道经营"
            ),
        })
    }

    /// A category (`一级/二级`) or a whole group (`一级`) of the taxonomy, as a time-limit rule
    /// may name.
    pub fn category_or_group(&self, value: &str) -> Result<(), Unknown> {
        let known = if value.contains('/') {
            self.has_category(value)
        } else {
            self.has_group(value)
        };
        if known {
            return Ok(());
        }
        let v = shown(value);
        Err(Unknown {
            zh: format!(
                "「{v}」不是分类目录中的分类，须为「一级」或「一级/二级」，例如 城市管理 或 城市管理/占道经营"
            ),
            en: format!(
                "'{v}' is not in the taxonomy; use 'top' or 'top/sub', e.g. 城市管理 or 城市管理/占道经营"
            ),
        })
    }

    /// A region some hub covers (see [`References::has_region`]).
    pub fn region(&self, value: &str) -> Result<(), Unknown> {
        if self.has_region(value) {
            return Ok(());
        }
        let v = shown(value);
        Err(Unknown {
            zh: format!("区划代码「{v}」不是本区的区、镇街或村社"),
            en: format!("region '{v}' is not the district, a street or a community of ours"),
        })
    }

    /// A unit of the org tree.
    pub fn unit(&self, code: &str) -> Result<(), Unknown> {
        if self.tree.get(code).is_some() {
            return Ok(());
        }
        let v = shown(code);
        Err(Unknown {
            zh: format!("单位「{v}」不存在"),
            en: format!("unknown unit '{v}'"),
        })
    }
}

/// A name that does not exist, said in both languages; [`Unknown::at`] makes it the 422 of a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub zh: String,
    pub en: String,
}

impl Unknown {
    pub fn at(self, field: impl Into<String>) -> AppError {
        AppError::field(field, self.zh, self.en)
    }
}

/// A filter's value (category, region, unit): at most [`MAX_REFERENCE`] characters and no control
/// characters; 422 naming the parameter otherwise. Whether anything matches is the list's business.
pub fn filter_value(field: &str, value: &str) -> Result<(), AppError> {
    if value.chars().count() > MAX_REFERENCE {
        return Err(AppError::field(
            field,
            format!("不能超过 {MAX_REFERENCE} 个字"),
            format!("must be at most {MAX_REFERENCE} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::field(
            field,
            "不能含控制字符",
            "must not contain control characters",
        ));
    }
    Ok(())
}

impl App {
    /// The references as they stand now (the org tree and the catalogue are cached).
    pub async fn references(&self) -> Result<References, AppError> {
        Ok(References::new(
            self.org.tree().await?,
            self.taxonomy().await?,
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::org::Unit;
    use domain::Level;

    fn refs() -> References {
        let u = |code: &str, level, kind, parent: Option<&str>| Unit {
            code: code.into(),
            name: code.into(),
            level,
            kind,
            parent: parent.map(Into::into),
            region: if kind == UnitKind::Hub {
                code.into()
            } else {
                "330188".into()
            },
            disabled: false,
        };
        let tree = OrgTree::new(vec![
            u("330188", Level::District, UnitKind::Hub, None),
            u("cgj", Level::District, UnitKind::Department, Some("330188")),
            u("330188001", Level::Street, UnitKind::Hub, Some("330188")),
            u(
                "330188001001",
                Level::Community,
                UnitKind::Hub,
                Some("330188001"),
            ),
        ]);
        let mut taxonomy = crate::taxonomy::default_taxonomy();
        taxonomy.push(TaxonomyEntry {
            category: "城市管理/共享单车".into(),
            disabled: false,
        });
        taxonomy.push(TaxonomyEntry {
            category: "城市管理/报刊亭".into(),
            disabled: true,
        });
        References::new(Arc::new(tree), Arc::new(taxonomy))
    }

    #[test]
    fn categories_come_from_the_taxonomy() {
        let r = refs();
        assert!(r.category("城市管理/占道经营").is_ok());
        assert!(
            r.category("城市管理/共享单车").is_ok(),
            "added by an administrator"
        );
        let off = r.category("城市管理/报刊亭").unwrap_err().at("category");
        assert!(off.zh.contains("已停用"), "{}", off.zh);
        assert!(r.has_category("城市管理/报刊亭"), "rules may still name it");
        let e = r
            .category("<img src=x onerror=alert(1)>/x")
            .unwrap_err()
            .at("category");
        assert_eq!(e.field.as_deref(), Some("category"));
        assert_eq!(e.code, "invalid_field");
        assert!(r.category("城市管理").is_err(), "a group is not a category");
        assert!(r.category_or_group("城市管理").is_ok());
        assert!(r.category_or_group("城市管理/占道经营").is_ok());
        assert!(r.category_or_group("不存在").is_err());
        assert!(r.category_or_group("城市管理/不存在").is_err());
        assert_eq!(
            r.categories().len(),
            triage::TAXONOMY.len() + 1,
            "in use only"
        );
    }

    #[test]
    fn regions_are_exactly_those_of_hubs() {
        let r = refs();
        for ok in ["330188", "330188001", "330188001001"] {
            assert!(r.region(ok).is_ok(), "{ok}");
        }
        // Starting with the district's code is not enough.
        for bad in ["330188999", "3301880010019", "330188<b>", "", "33"] {
            let e = r.region(bad).unwrap_err().at("location.region");
            assert_eq!(e.field.as_deref(), Some("location.region"));
        }
        assert!(r.unit("cgj").is_ok());
        assert!(r.unit("nope").is_err());
    }

    #[test]
    fn filter_values_are_bounded() {
        assert!(filter_value("category", "城市管理/占道经营").is_ok());
        assert!(filter_value("category", "不存在的分类").is_ok());
        assert!(filter_value("category", &"长".repeat(65)).is_err());
        assert!(filter_value("region", "3301\u{0}88").is_err());
    }

    #[test]
    fn refused_values_are_shown_short() {
        assert_eq!(shown("a\nb"), "a b");
        assert_eq!(shown(&"x".repeat(50)).chars().count(), 41);
    }
}
