//! The demo district of onewindow and its synthetic history.
//!
//! - [`district()`]: the fictional 临江区 — the district hub, 12 streets/towns (街道/镇), about 200
//!   communities/villages (社区/村) and about 27 district departments, as an org tree.
//! - [`TAXONOMY`]: the default 44 subcategories and their handling departments (taxonomy.md).
//! - [`cases`] / [`case_stream`]: realistic synthetic work orders over the past year, deterministic
//!   for a seed, with texts in the style of real 12345 工单 and a lifecycle cut at `now`.
//!
//! Pure: no IO, no clock, no randomness other than the seed.

mod cases;
mod district;
mod names;
mod rng;
mod taxonomy;
mod templates;

pub use cases::{CaseSpec, CaseStream, Fate, HISTORY_DAYS, Step, case_stream, cases};
pub use district::{
    DEPARTMENTS, District, KIND_DEPARTMENT, KIND_HUB, LEVEL_COMMUNITY, LEVEL_DISTRICT,
    LEVEL_STREET, UnitSpec, department_for, district,
};
pub use names::{DISTRICT_CODE, DISTRICT_DOMAIN, DISTRICT_NAME};
pub use taxonomy::{TAXONOMY, department_of, subcategory};

/// The demo district's 一件事 catalogue (issue 22): 出生、企业开办、退休、身后 and more, by life
/// stage, each matter handled by one of the demo's departments (`bundles::Template` as JSON).
pub const BUNDLE_TEMPLATES: &str = include_str!("../data/bundle_templates.json");

/// The demo district's 工程建设项目审批 process (issue 22): four stages, each with its lead and
/// its parallel reviews (`bundles::approval::StageDef` as JSON).
pub const APPROVAL_PROCESS: &str = include_str!("../data/approval_process.json");
