//! The org tree (区 → 镇街 → 村社, with functional departments) and a cache of it: units change
//! rarely and are consulted on every request for data scope.

use crate::error::AppError;
use crate::ports::Store;
use domain::{Level, UnitKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub kind: UnitKind,
    pub parent: Option<String>,
    /// Region code (属地) the unit covers; for departments, the region of their level.
    pub region: String,
    /// A unit taken out of service: no new dispatches, not in pickers; its history stays.
    #[serde(default)]
    pub disabled: bool,
}

/// A snapshot of the tree with the lookups scope checks need.
#[derive(Debug, Default)]
pub struct OrgTree {
    pub units: Vec<Unit>,
    by_code: HashMap<String, usize>,
    children: HashMap<String, Vec<String>>,
}

impl OrgTree {
    pub fn new(units: Vec<Unit>) -> Self {
        let by_code = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.clone(), i))
            .collect();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for u in &units {
            if let Some(p) = &u.parent {
                children.entry(p.clone()).or_default().push(u.code.clone());
            }
        }
        OrgTree {
            units,
            by_code,
            children,
        }
    }

    pub fn get(&self, code: &str) -> Option<&Unit> {
        self.by_code.get(code).map(|&i| &self.units[i])
    }

    pub fn name(&self, code: &str) -> String {
        self.get(code)
            .map_or_else(|| code.to_string(), |u| u.name.clone())
    }

    /// The unit and everything below it.
    pub fn subtree(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_string()];
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = self.children.get(&out[i]) {
                out.extend(kids.iter().cloned());
            }
            i += 1;
        }
        out
    }

    /// The units directly below one.
    pub fn children(&self, code: &str) -> &[String] {
        self.children.get(code).map_or(&[], Vec::as_slice)
    }

    /// Parents from the nearest up to the root (the unit itself excluded).
    pub fn ancestors(&self, code: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = self.get(code).and_then(|u| u.parent.clone());
        while let Some(c) = cur {
            if out.contains(&c) {
                break; // a cycle in bad data must not hang a request
            }
            cur = self.get(&c).and_then(|u| u.parent.clone());
            out.push(c);
        }
        out
    }

    pub fn is_within(&self, code: &str, root: &str) -> bool {
        code == root || self.ancestors(code).iter().any(|a| a == root)
    }

    /// The district hub: the root hub of the tree.
    pub fn district_hub(&self) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.parent.is_none() && u.kind == UnitKind::Hub)
    }

    /// The most specific hub covering a region code (a community, else its street, else the district).
    pub fn hub_for_region(&self, region: &str) -> Option<&Unit> {
        self.units
            .iter()
            .filter(|u| u.kind == UnitKind::Hub && region.starts_with(&u.region))
            .max_by_key(|u| u.region.len())
    }

    /// The street/town hub of a region, the usual co-unit (属地协办).
    pub fn street_of_region(&self, region: &str) -> Option<&Unit> {
        self.units.iter().find(|u| {
            u.kind == UnitKind::Hub && u.level == Level::Street && region.starts_with(&u.region)
        })
    }
}

/// The tree cached in memory; reloaded after changes made through this process and at most
/// `ttl` after changes made by another replica.
pub struct OrgCache {
    store: Arc<dyn Store>,
    inner: RwLock<Option<(Instant, Arc<OrgTree>)>>,
    ttl: Duration,
}

impl OrgCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        OrgCache {
            store,
            inner: RwLock::new(None),
            ttl: Duration::from_secs(30),
        }
    }

    pub async fn tree(&self) -> Result<Arc<OrgTree>, AppError> {
        if let Ok(g) = self.inner.read()
            && let Some((at, t)) = g.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(t.clone());
        }
        self.reload().await
    }

    pub async fn reload(&self) -> Result<Arc<OrgTree>, AppError> {
        let tree = Arc::new(OrgTree::new(self.store.units().await?));
        if let Ok(mut g) = self.inner.write() {
            *g = Some((Instant::now(), tree.clone()));
        }
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> OrgTree {
        let u = |code: &str, level, kind, parent: Option<&str>, region: &str| Unit {
            code: code.into(),
            name: code.into(),
            level,
            kind,
            parent: parent.map(Into::into),
            region: region.into(),
            disabled: false,
        };
        OrgTree::new(vec![
            u("330188", Level::District, UnitKind::Hub, None, "330188"),
            u(
                "cgj",
                Level::District,
                UnitKind::Department,
                Some("330188"),
                "330188",
            ),
            u(
                "330188001",
                Level::Street,
                UnitKind::Hub,
                Some("330188"),
                "330188001",
            ),
            u(
                "330188001001",
                Level::Community,
                UnitKind::Hub,
                Some("330188001"),
                "330188001001",
            ),
            u(
                "330188002",
                Level::Street,
                UnitKind::Hub,
                Some("330188"),
                "330188002",
            ),
        ])
    }

    #[test]
    fn subtree_and_ancestors() {
        let t = sample();
        assert_eq!(t.subtree("330188001"), vec!["330188001", "330188001001"]);
        assert_eq!(t.ancestors("330188001001"), vec!["330188001", "330188"]);
        assert!(t.is_within("330188001001", "330188"));
        assert!(!t.is_within("330188001001", "330188002"));
        assert_eq!(
            t.hub_for_region("330188001001").map(|u| u.code.as_str()),
            Some("330188001001")
        );
        assert_eq!(
            t.hub_for_region("330188002005").map(|u| u.code.as_str()),
            Some("330188002")
        );
        assert_eq!(
            t.street_of_region("330188001001").map(|u| u.code.as_str()),
            Some("330188001")
        );
        assert_eq!(t.district_hub().map(|u| u.code.as_str()), Some("330188"));
    }
}
