//! The default taxonomy and routing catalogue (派单目录) of `reference/taxonomy.md`, with the relative
//! volumes and monthly seasonality the synthetic history uses.

/// The 44 subcategories `一级/二级` and their default department (short name): the classifier's own
/// label set (`triage::TAXONOMY`, one copy in the workspace), which the demo district installs as
/// its taxonomy.
pub use triage::TAXONOMY;

/// The default handling department (short name) of a category, if it is in the taxonomy.
pub fn department_of(category: &str) -> Option<&'static str> {
    TAXONOMY
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, d)| *d)
}

/// The 二级 part of a category ("环境保护/噪声污染" → "噪声污染").
pub fn subcategory(category: &str) -> &str {
    category.rsplit('/').next().unwrap_or(category)
}

/// Relative yearly volume of each subcategory (same order as [`TAXONOMY`]): property management,
/// noise and wages dominate real 12345 traffic; funerals and land disputes are rare.
pub(crate) const BASE_WEIGHT: [f64; 44] = [
    4.0, 3.0, 4.0, 1.5, // 城市管理
    6.0, 2.5, 1.5, 2.5, // 环境保护
    6.0, 2.0, 1.5, 2.5, // 住房建设
    2.0, 1.5, 3.5, 3.5, // 交通运输
    2.5, 4.0, 1.5, 1.5, // 市场监管
    4.5, 4.0, 2.5, 2.5, // 劳动社保
    2.5, 1.5, 1.0, // 教育
    3.0, 1.5, 3.5, // 卫生健康
    2.0, 2.0, 1.0, 0.8, // 民政养老
    2.5, 1.5, 2.0, // 公共安全
    3.0, 2.5, 2.0, // 水电气
    2.5, 1.2, 1.5, 0.8, // 邻里纠纷
];

/// Monthly multiplier (January first) of a subcategory's volume: summer noise and power cuts,
/// winter gas and frozen pipes, school admissions in June–August, wage arrears before the Spring
/// Festival, 清明 and 冬至 for funerals, 520 and 七夕 for marriage registration.
pub(crate) fn seasonal(category_index: usize, month: u32) -> f64 {
    const FLAT: [f64; 12] = [1.0; 12];
    let table: [f64; 12] = match subcategory(TAXONOMY[category_index].0) {
        "噪声污染" => [0.8, 0.7, 0.9, 1.0, 1.3, 1.6, 1.9, 1.9, 1.4, 1.0, 0.9, 0.8],
        "燃气" => [2.0, 1.8, 1.3, 1.0, 0.7, 0.6, 0.5, 0.5, 0.6, 0.8, 1.2, 1.8],
        "供水" => [1.4, 1.2, 1.0, 1.0, 1.0, 1.1, 1.3, 1.3, 1.0, 1.0, 1.0, 1.2],
        "供电" => [1.1, 1.0, 0.9, 0.9, 1.0, 1.2, 1.8, 1.8, 1.2, 0.9, 0.9, 1.1],
        "入学招生" => [0.3, 0.3, 0.5, 1.0, 1.5, 3.0, 3.5, 3.0, 1.2, 0.4, 0.3, 0.3],
        "拖欠工资" => [2.0, 1.6, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.2, 2.2],
        "大气污染" => [1.2, 1.1, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 0.9, 1.2, 1.3, 1.2],
        "水污染" => [0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.1, 0.9, 0.8, 0.8],
        "校外培训" => [1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.5, 1.5, 1.2, 0.9, 0.8, 1.0],
        "校园安全" => [1.0, 0.7, 1.2, 1.2, 1.2, 1.1, 0.4, 0.4, 1.3, 1.2, 1.2, 1.1],
        "疫苗接种" => [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8, 1.3, 1.5, 1.4, 1.1],
        "殡葬管理" => [1.0, 1.0, 1.6, 2.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.6],
        "婚姻登记" => [1.0, 1.4, 1.0, 1.0, 1.6, 1.0, 1.0, 1.2, 1.0, 1.3, 1.0, 1.0],
        "道路设施" => [0.9, 0.9, 1.0, 1.0, 1.1, 1.4, 1.3, 1.2, 1.0, 0.9, 0.9, 0.9],
        "低保救助" => [1.3, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.3],
        _ => FLAT,
    };
    table[(month.clamp(1, 12) - 1) as usize]
}

/// Overall monthly volume of the hotline: a dip at the Spring Festival, a peak in the hot summer.
pub(crate) const MONTH_VOLUME: [f64; 12] = [
    0.85, 0.75, 0.95, 0.95, 1.0, 1.05, 1.15, 1.15, 1.0, 0.95, 0.95, 0.95,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_matches_the_reference() {
        assert_eq!(TAXONOMY.len(), 44);
        assert_eq!(BASE_WEIGHT.len(), TAXONOMY.len());
        let tops: std::collections::BTreeSet<&str> = TAXONOMY
            .iter()
            .filter_map(|(c, _)| c.split('/').next())
            .collect();
        assert_eq!(tops.len(), 12);
        let uniq: std::collections::HashSet<&str> = TAXONOMY.iter().map(|(c, _)| *c).collect();
        assert_eq!(uniq.len(), 44);
        assert_eq!(department_of("环境保护/垃圾分类"), Some("城管局"));
        assert_eq!(department_of("卫生健康/医保报销"), Some("医保局"));
        assert_eq!(department_of("邻里纠纷/土地山林"), Some("司法局"));
        assert_eq!(department_of("nope"), None);
        assert_eq!(subcategory("水电气/燃气"), "燃气");
    }

    #[test]
    fn seasonality_points_the_right_way() {
        let idx = |name: &str| {
            TAXONOMY
                .iter()
                .position(|(c, _)| c.ends_with(name))
                .unwrap_or(0)
        };
        assert!(seasonal(idx("噪声污染"), 7) > seasonal(idx("噪声污染"), 1));
        assert!(seasonal(idx("燃气"), 1) > seasonal(idx("燃气"), 7));
        assert!(seasonal(idx("入学招生"), 7) > 3.0 * seasonal(idx("入学招生"), 11));
        assert_eq!(seasonal(idx("物业管理"), 3), 1.0);
    }
}
