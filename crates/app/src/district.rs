//! The district's own profile, as data: its name, the Open311 jurisdiction it answers for, and
//! the centre points of its streets (for placing an Open311 report that gives only coordinates).
//! Installed by `seed` for the demo district and by an operator for a real one; nothing of a real
//! district is compiled in.

use crate::App;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The setting the profile is stored under.
pub const SETTING: &str = "district";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DistrictProfile {
    /// The district's name (区名), shown on printed forms and the portal.
    #[serde(default)]
    pub name: String,
    /// Open311 `jurisdiction_id` (the district's web domain, as the standard suggests). `None`:
    /// any given `jurisdiction_id` is accepted (a single jurisdiction, not yet named).
    #[serde(default)]
    pub jurisdiction_id: Option<String>,
    /// Centre points of streets/towns, by region code.
    #[serde(default)]
    pub centres: Vec<RegionCentre>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionCentre {
    pub region: String,
    pub lat: f64,
    pub lon: f64,
}

impl App {
    /// The profile as stored (empty when none was installed), kept like the catalogue.
    pub async fn district(&self) -> Result<Arc<DistrictProfile>, AppError> {
        self.district_cache
            .get(|| async {
                Ok::<_, AppError>(match self.store.get_setting(SETTING).await? {
                    Some(t) => serde_json::from_str(&t).unwrap_or_default(),
                    None => DistrictProfile::default(),
                })
            })
            .await
    }

    /// Stores the profile (installers: `seed`, an operator's import).
    pub async fn put_district(&self, profile: &DistrictProfile) -> Result<(), AppError> {
        self.store
            .put_setting(
                SETTING,
                &serde_json::to_string(profile).map_err(AppError::internal)?,
            )
            .await?;
        self.district_cache.invalidate();
        Ok(())
    }
}
