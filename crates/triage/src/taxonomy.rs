//! The default taxonomy of `reference/taxonomy.md`, verbatim: the strings are identifiers that
//! imports, exports and evaluations compare byte for byte.

/// The 44 subcategories as `("一级/二级", default handling unit)`, in the order of the taxonomy
/// table. Classifier outputs are indices into this table.
pub const TAXONOMY: &[(&str, &str)] = &[
    ("城市管理/占道经营", "城管局"),
    ("城市管理/违章搭建", "城管局"),
    ("城市管理/市容环境", "城管局"),
    ("城市管理/户外广告", "城管局"),
    ("环境保护/噪声污染", "生态环境局"),
    ("环境保护/大气污染", "生态环境局"),
    ("环境保护/水污染", "生态环境局"),
    ("环境保护/垃圾分类", "城管局"),
    ("住房建设/物业管理", "住建局"),
    ("住房建设/老旧小区改造", "住建局"),
    ("住房建设/加装电梯", "住建局"),
    ("住房建设/房屋质量", "住建局"),
    ("交通运输/公交线路", "交通运输局"),
    ("交通运输/出租网约车", "交通运输局"),
    ("交通运输/道路设施", "交通运输局"),
    ("交通运输/停车管理", "城管局"),
    ("市场监管/食品安全", "市场监管局"),
    ("市场监管/消费维权", "市场监管局"),
    ("市场监管/价格投诉", "市场监管局"),
    ("市场监管/无证经营", "市场监管局"),
    ("劳动社保/拖欠工资", "人社局"),
    ("劳动社保/社保缴纳", "人社局"),
    ("劳动社保/就业服务", "人社局"),
    ("劳动社保/劳动合同", "人社局"),
    ("教育/入学招生", "教育局"),
    ("教育/校外培训", "教育局"),
    ("教育/校园安全", "教育局"),
    ("卫生健康/医疗服务", "卫健委"),
    ("卫生健康/疫苗接种", "卫健委"),
    ("卫生健康/医保报销", "医保局"),
    ("民政养老/居家养老", "民政局"),
    ("民政养老/低保救助", "民政局"),
    ("民政养老/婚姻登记", "民政局"),
    ("民政养老/殡葬管理", "民政局"),
    ("公共安全/治安隐患", "公安局"),
    ("公共安全/电信诈骗", "公安局"),
    ("公共安全/消防隐患", "消防救援大队"),
    ("水电气/供水", "水务集团"),
    ("水电气/供电", "供电公司"),
    ("水电气/燃气", "燃气公司"),
    ("邻里纠纷/相邻关系", "司法局"),
    ("邻里纠纷/家庭矛盾", "司法局"),
    ("邻里纠纷/物业纠纷", "司法局"),
    ("邻里纠纷/土地山林", "司法局"),
];

/// The default handling unit of a `一级/二级` category, if it is in [`TAXONOMY`].
pub fn department_of(category: &str) -> Option<&'static str> {
    TAXONOMY
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, d)| *d)
}

/// Index of a category in [`TAXONOMY`].
pub(crate) fn index_of(category: &str) -> Option<usize> {
    TAXONOMY.iter().position(|(c, _)| *c == category)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table must match `reference/taxonomy.md`: 12 top-level categories, 44 subcategories.
    #[test]
    fn shape_of_the_taxonomy() {
        assert_eq!(TAXONOMY.len(), 44);
        let mut top: Vec<&str> = TAXONOMY
            .iter()
            .filter_map(|(c, _)| c.split_once('/').map(|(t, _)| t))
            .collect();
        top.dedup();
        assert_eq!(
            top.len(),
            12,
            "top-level categories must be contiguous: {top:?}"
        );
        let mut names: Vec<&str> = TAXONOMY.iter().map(|(c, _)| *c).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 44);
        assert_eq!(department_of("环境保护/垃圾分类"), Some("城管局"));
        assert_eq!(department_of("卫生健康/医保报销"), Some("医保局"));
        assert_eq!(department_of("公共安全/消防隐患"), Some("消防救援大队"));
        assert_eq!(department_of("交通运输/停车管理"), Some("城管局"));
        assert_eq!(department_of("其他"), None);
    }
}
