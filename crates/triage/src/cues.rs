//! Nature (诉求性质), urgency and risk language: cue phrases looked up in the normalised text.
//!
//! Urgency and risk are rules first on purpose: a risk signal must be explainable to the
//! supervisor who acts on it ("the text says 拉横幅"), and the phrases are few and stable. The
//! trained model only adds to them (see `lib.rs`). The nature cues are a prior of the model's
//! nature head: their scores are added to its own, in training as in classification, so a
//! change here needs a retrain.

/// A phrase that counts when it occurs in the text, except inside one of `unless` (跳楼 inside
/// 跳楼价), and only if one of `needs` also occurs (漏气 only with 燃气/煤气).
pub(crate) struct Cue {
    text: &'static str,
    weight: f32,
    unless: &'static [&'static str],
    needs: &'static [&'static str],
}

const fn c(text: &'static str, weight: f32) -> Cue {
    Cue {
        text,
        weight,
        unless: &[],
        needs: &[],
    }
}

const fn unless(text: &'static str, weight: f32, unless: &'static [&'static str]) -> Cue {
    Cue {
        text,
        weight,
        unless,
        needs: &[],
    }
}

const fn needs(text: &'static str, weight: f32, needs: &'static [&'static str]) -> Cue {
    Cue {
        text,
        weight,
        unless: &[],
        needs,
    }
}

/// A text with the set of its character pairs. Nearly every cue is absent from a given text, and
/// one lookup of a phrase's first two characters rules it out; a substring search for each of
/// the few hundred cues was most of the cost of classifying.
pub(crate) struct Text<'a> {
    s: &'a str,
    pairs: Vec<u64>,
}

fn pair(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl<'a> Text<'a> {
    pub(crate) fn new(s: &'a str) -> Text<'a> {
        let mut pairs: Vec<u64> = s
            .chars()
            .zip(s.chars().skip(1))
            .map(|(a, b)| pair(a, b))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Text { s, pairs }
    }

    /// False only when `phrase` cannot occur in the text.
    fn may_contain(&self, phrase: &str) -> bool {
        let mut cs = phrase.chars();
        match (cs.next(), cs.next()) {
            (Some(a), Some(b)) => self.pairs.binary_search(&pair(a, b)).is_ok(),
            _ => true,
        }
    }

    fn contains(&self, phrase: &str) -> bool {
        self.may_contain(phrase) && self.s.contains(phrase)
    }
}

impl Cue {
    #[cfg(test)]
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.matches_in(&Text::new(text))
    }

    pub(crate) fn matches_in(&self, t: &Text) -> bool {
        if !t.may_contain(self.text) {
            return false;
        }
        if !self.needs.is_empty() && !self.needs.iter().any(|n| t.contains(n)) {
            return false;
        }
        let text = t.s;
        text.match_indices(self.text)
            .any(|(pos, _)| !self.unless.iter().any(|u| covers(text, pos, self.text, u)))
    }
}

/// Whether the occurrence of `cue` at byte `pos` of `text` lies inside an occurrence of `phrase`.
fn covers(text: &str, pos: usize, cue: &str, phrase: &str) -> bool {
    phrase.match_indices(cue).any(|(k, _)| {
        pos.checked_sub(k)
            .and_then(|start| text.get(start..))
            .is_some_and(|rest| rest.starts_with(phrase))
    })
}

fn sum(text: &Text, cues: &[Cue]) -> f32 {
    cues.iter()
        .filter(|c| c.matches_in(text))
        .map(|c| c.weight)
        .sum()
}

fn any(text: &Text, cues: &[Cue]) -> bool {
    cues.iter().any(|c| c.matches_in(text))
}

// ---------------------------------------------------------------------------------------------
// Nature

/// Natures in the order ties are broken (complaint, the usual case, first).
pub(crate) const NATURES: [&str; 7] = [
    "complaint",
    "consult",
    "help",
    "report",
    "suggestion",
    "dispute",
    "praise",
];

/// A complaint needs no cue: it is what a case is when nothing says otherwise.
const COMPLAINT_BASE: f32 = 1.0;

const COMPLAINT: &[Cue] = &[
    c("投诉", 3.0),
    c("扰民", 1.5),
    c("不作为", 2.0),
    c("没人管", 1.5),
    c("严重影响", 2.0),
    c("强烈要求", 2.0),
    c("要求", 0.5),
    c("请尽快", 1.0),
    c("尽快处理", 1.5),
    c("不满", 1.5),
    c("态度恶劣", 2.0),
    c("态度差", 1.5),
    c("推诿", 2.0),
    c("敷衍", 2.0),
    c("管一管", 1.5),
    c("管管", 1.5),
    c("处理一下", 1.0),
    c("太吵", 1.0),
    c("乱收费", 1.0),
    c("反映", 0.5),
];

const CONSULT: &[Cue] = &[
    c("请问", 3.0),
    c("咨询", 3.0),
    c("想问", 2.5),
    c("想了解", 2.5),
    c("问一下", 2.5),
    c("怎么办理", 3.0),
    c("如何办理", 3.0),
    c("怎么申请", 3.0),
    c("如何申请", 3.0),
    c("需要什么材料", 3.0),
    c("需要哪些", 2.5),
    c("要什么材料", 3.0),
    c("什么手续", 2.5),
    c("哪里办", 2.5),
    c("去哪里", 1.5),
    c("在哪里", 1.0),
    c("是否", 1.0),
    c("能不能", 1.0),
    c("可不可以", 1.0),
    c("可以吗", 1.5),
    c("吗?", 1.5),
    c("吗", 0.5),
    c("?", 0.5),
    c("什么时候", 1.0),
    c("多久", 1.0),
    c("流程", 1.5),
    c("条件", 1.0),
    c("政策", 1.5),
    c("怎么", 0.5),
    c("如何", 0.5),
    c("有没有", 0.5),
];

const HELP: &[Cue] = &[
    c("求助", 4.0),
    c("求求", 2.5),
    c("帮帮", 2.5),
    c("救救", 3.0),
    c("救命", 3.0),
    c("帮忙", 2.0),
    c("帮助", 1.5),
    c("怎么办", 1.0),
    c("不知道怎么办", 1.5),
    c("急需", 2.0),
    c("生活困难", 2.0),
    c("困难", 1.0),
    c("没钱", 1.0),
    c("无力", 1.5),
    c("无依无靠", 2.0),
    c("无人照顾", 1.5),
    c("没人照顾", 1.5),
    c("被困", 2.0),
    c("走投无路", 3.0),
    c("联系不上", 1.5),
];

const REPORT: &[Cue] = &[
    c("举报", 4.0),
    c("非法", 1.5),
    c("违法", 1.5),
    c("偷偷", 1.5),
    c("涉嫌", 2.0),
    c("私自", 1.0),
    c("黑作坊", 1.5),
    c("偷排", 1.5),
    c("无证", 1.0),
    c("传销", 2.0),
    c("赌博", 1.5),
    c("吸毒", 1.5),
    c("卖淫", 1.5),
];

const SUGGESTION: &[Cue] = &[
    c("建议", 3.5),
    c("提个建议", 1.0),
    c("希望能", 1.5),
    c("希望可以", 1.5),
    c("能否", 1.5),
    c("是否可以考虑", 2.5),
    c("可否", 1.5),
    c("增设", 2.0),
    c("增加", 1.0),
    c("增开", 2.0),
    c("开通", 1.0),
    c("优化", 1.5),
    c("提议", 3.0),
    c("呼吁", 2.0),
    c("改进", 1.5),
];

const DISPUTE: &[Cue] = &[
    c("纠纷", 3.0),
    c("矛盾", 2.5),
    c("吵架", 2.5),
    c("争吵", 2.0),
    c("争执", 2.0),
    c("调解", 3.0),
    c("邻居", 1.5),
    c("打架", 1.5),
    c("协商不成", 2.0),
    c("协商", 1.0),
    c("起诉", 1.5),
    c("拒不", 1.0),
];

const PRAISE: &[Cue] = &[
    c("表扬", 4.0),
    c("锦旗", 4.0),
    c("点赞", 3.0),
    c("感谢信", 3.0),
    c("致谢", 3.0),
    c("感谢", 1.5),
    c("非常感谢", 1.0),
    c("特别感谢", 1.0),
    c("辛苦了", 1.5),
    c("好评", 2.0),
    c("值得学习", 2.0),
    unless("很满意", 1.5, &["不很满意"]),
    unless("满意", 1.0, &["不满意", "不太满意"]),
    c("及时", 0.5),
    c("热情", 1.0),
    c("耐心", 1.0),
    unless("负责", 0.5, &["不负责", "负责人"]),
];

/// The cue score of every nature, in [`NATURES`] order: the prior of the model's nature head.
pub(crate) fn nature_scores(text: &str) -> [f32; 7] {
    let text = &Text::new(text);
    [
        COMPLAINT_BASE + sum(text, COMPLAINT),
        sum(text, CONSULT),
        sum(text, HELP),
        sum(text, REPORT),
        sum(text, SUGGESTION),
        sum(text, DISPUTE),
        sum(text, PRAISE),
    ]
}

// ---------------------------------------------------------------------------------------------
// Urgency

const HYPOTHETICAL: &[&str] = &[
    "一旦", "万一", "容易", "防止", "隐患", "可能", "风险", "担心", "害怕", "怕", "会",
];

/// Immediate danger to life: 特急.
const CRITICAL: &[Cue] = &[
    c("燃气泄漏", 1.0),
    c("煤气泄漏", 1.0),
    c("天然气泄漏", 1.0),
    c("燃气泄露", 1.0),
    c("煤气泄露", 1.0),
    c("天然气泄露", 1.0),
    needs("漏气", 1.0, &["燃气", "煤气", "天然气", "液化气"]),
    c("煤气味", 1.0),
    c("燃气味", 1.0),
    c("天然气味", 1.0),
    c("着火了", 1.0),
    c("起火了", 1.0),
    c("失火", 1.0),
    c("烧起来", 1.0),
    c("浓烟", 1.0),
    unless("着火", 1.0, &["着火点", "不着火", "点着火", "打着火"]),
    unless("起火", 1.0, &["起火点", "引起火"]),
    unless("火灾", 1.0, &["火灾隐患", "火灾风险", "消防火灾"]),
    unless("冒烟", 1.0, &["冒烟了吗"]),
    unless("爆炸", 1.0, &["爆炸隐患", "爆炸风险"]),
    unless("坍塌", 1.0, &["坍塌隐患", "坍塌风险"]),
    unless("倒塌", 1.0, &["倒塌隐患", "倒塌风险"]),
    c("塌了", 1.0),
    c("塌方", 1.0),
    unless("跳楼", 1.0, &["跳楼价", "跳楼甩卖", "跳楼大甩卖"]),
    c("要跳河", 1.0),
    c("跳下去", 1.0),
    c("轻生", 1.0),
    c("喝农药", 1.0),
    c("割腕", 1.0),
    c("上吊", 1.0),
    c("自杀", 1.0),
    c("寻短见", 1.0),
    c("拿刀", 1.0),
    c("持刀", 1.0),
    c("砍人", 1.0),
    c("捅人", 1.0),
    c("触电", 1.0),
    unless("被困", 1.0, &["被困电梯", "被困在电梯"]),
    c("溺水", 1.0),
    c("落水", 1.0),
    c("掉进河", 1.0),
    c("生命危险", 1.0),
    c("昏迷", 1.0),
    c("不省人事", 1.0),
    c("没有呼吸", 1.0),
    c("大出血", 1.0),
];

/// Needs action within hours: 紧急.
const URGENT: &[Cue] = &[
    unless("停水", 1.0, &["停水通知", "计划停水"]),
    unless("停电", 1.0, &["停电通知", "计划停电"]),
    c("断水", 1.0),
    c("断电", 1.0),
    c("没水", 1.0),
    c("没电", 1.0),
    c("停气", 1.0),
    c("爆管", 1.0),
    c("水管爆裂", 1.0),
    c("水管破裂", 1.0),
    c("爆裂", 1.0),
    c("喷水", 1.0),
    c("漏水严重", 1.0),
    c("淹水", 1.0),
    c("被淹", 1.0),
    c("水漫", 1.0),
    c("电线掉", 1.0),
    c("电线断", 1.0),
    c("电线杆倒", 1.0),
    c("井盖丢", 1.0),
    c("井盖没了", 1.0),
    c("井盖被偷", 1.0),
    c("树倒", 1.0),
    c("摇摇欲坠", 1.0),
    c("随时可能", 1.0),
    c("电梯困人", 1.0),
    c("困在电梯", 1.0),
    c("被困电梯", 1.0),
    c("关在电梯", 1.0),
    c("食物中毒", 1.0),
    c("家暴", 1.0),
    c("正在打", 1.0),
    c("晕倒", 1.0),
    c("摔倒在家", 1.0),
    needs(
        "摔倒",
        1.0,
        &["老人", "独居", "爷爷", "奶奶", "老太", "老大爷"],
    ),
    needs(
        "独居老人",
        1.0,
        &[
            "生病",
            "病了",
            "摔",
            "晕",
            "联系不上",
            "几天没",
            "没人照顾",
            "发烧",
            "卧床",
        ],
    ),
    c("走失", 1.0),
    c("失踪", 1.0),
    c("被咬", 1.0),
    c("咬伤", 1.0),
];

/// Whether a critical cue is phrased as a risk rather than as happening (一旦着火, 容易起火).
fn hypothetical(text: &str, cue: &Cue) -> bool {
    text.match_indices(cue.text).all(|(pos, _)| {
        let before = text.get(..pos).unwrap_or("");
        let start = before.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
        let window = before.get(start..).unwrap_or("");
        HYPOTHETICAL.iter().any(|h| window.contains(h))
    })
}

pub(crate) fn urgency(text: &str) -> &'static str {
    let t = &Text::new(text);
    let critical = CRITICAL
        .iter()
        .filter(|c| c.matches_in(t))
        .any(|c| !hypothetical(text, c));
    if critical {
        "critical"
    } else if any(t, URGENT) {
        "urgent"
    } else {
        "normal"
    }
}

// ---------------------------------------------------------------------------------------------
// Risk

pub(crate) const SELF_HARM: &[Cue] = &[
    unless("跳楼", 1.0, &["跳楼价", "跳楼甩卖", "跳楼大甩卖"]),
    c("跳下去", 1.0),
    c("喝农药", 1.0),
    c("不想活", 1.0),
    unless("活不下去", 1.0, &["生活不下去"]),
    c("轻生", 1.0),
    c("自杀", 1.0),
    c("寻死", 1.0),
    c("寻短见", 1.0),
    c("割腕", 1.0),
    c("上吊", 1.0),
    c("一死了之", 1.0),
    c("死给你们看", 1.0),
    c("以死相逼", 1.0),
    c("想不开", 1.0),
    c("活着没意思", 1.0),
    c("不如死了", 1.0),
    c("死了算了", 1.0),
    c("想去死", 1.0),
    c("一起去死", 1.0),
    c("一起死", 1.0),
    c("我就死在", 1.0),
    c("死在我面前", 1.0),
    c("死在你面前", 1.0),
    c("死给", 1.0),
    c("活着还有什么意思", 1.0),
    c("活着有什么意思", 1.0),
    c("遗书", 1.0),
    c("喝药", 1.0),
    c("跳河", 1.0),
    c("跳江", 1.0),
    c("一起走了", 1.0),
];

pub(crate) const VIOLENCE: &[Cue] = &[
    c("拿刀", 1.0),
    c("持刀", 1.0),
    c("砍人", 1.0),
    c("砍死", 1.0),
    c("砍伤", 1.0),
    c("捅死", 1.0),
    c("捅人", 1.0),
    c("同归于尽", 1.0),
    c("打死", 1.0),
    c("弄死", 1.0),
    c("杀了他", 1.0),
    c("杀了你", 1.0),
    c("杀人", 1.0),
    c("报复社会", 1.0),
    c("放火", 1.0),
    c("泼汽油", 1.0),
    c("炸了", 1.0),
    c("动手打人", 1.0),
    unless("打我", 1.0, &["打我电话", "打我手机", "打我的电话"]),
    c("殴打", 1.0),
    c("家暴", 1.0),
    unless("动手", 1.0, &["动手术", "自己动手", "动手能力"]),
    unless("打伤", 1.0, &["孩子打伤", "同学打伤"]),
    c("打破了头", 1.0),
    c("头被打破", 1.0),
    c("打破头", 1.0),
    c("头破血流", 1.0),
    unless(
        "打起来",
        1.0,
        &[
            "差点打起来",
            "差点跟他打起来",
            "差点就打起来",
            "差点和他打起来",
        ],
    ),
    c("打了一顿", 1.0),
    c("打了我", 1.0),
    c("打了值班", 1.0),
    c("打断腿", 1.0),
    c("推搡", 1.0),
    unless("推倒", 1.0, &["同学推倒", "孩子推倒"]),
    c("还推了", 1.0),
    c("推下", 1.0),
    c("扭打", 1.0),
    c("拉扯", 1.0),
    c("拽着我", 1.0),
    c("砸店", 1.0),
    c("打了老师", 1.0),
    c("老公打", 1.0),
    c("丈夫打", 1.0),
    needs(
        "威胁",
        1.0,
        &["小心点", "要打", "打他", "打断", "弄死", "砍", "杀"],
    ),
    c("推了我", 1.0),
    c("把我们打", 1.0),
    c("踹门", 1.0),
    c("踹我家", 1.0),
    c("砸门", 1.0),
    c("砸我家", 1.0),
    c("砸人", 1.0),
    c("在打架", 1.0),
    c("拿着刀", 1.0),
    c("拿着菜刀", 1.0),
    c("拿着砍刀", 1.0),
    c("拿着棍", 1.0),
    c("拿着铁", 1.0),
    c("拿着锄头", 1.0),
    c("棍棒", 1.0),
    c("砍谁", 1.0),
    c("砍了我", 1.0),
    c("揍我", 1.0),
    c("要揍", 1.0),
    c("拼命", 1.0),
    c("打人", 1.0),
    needs("点火", 1.0, &["煤气", "汽油", "谁"]),
];

pub(crate) const GATHERING: &[Cue] = &[
    c("拉横幅", 1.0),
    c("拉条幅", 1.0),
    c("打横幅", 1.0),
    c("堵路", 1.0),
    c("堵门", 1.0),
    c("堵大门", 1.0),
    c("围堵", 1.0),
    unless(
        "聚集",
        1.0,
        &[
            "人员聚集",
            "多人聚集",
            "聚集赌博",
            "门口聚集",
            "每日人员聚集",
        ],
    ),
    c("静坐", 1.0),
    c("游行", 1.0),
    c("几十个人", 1.0),
    c("几十人", 1.0),
    c("上百人", 1.0),
    c("一百多人", 1.0),
    c("几百人", 1.0),
    c("一群人一起", 1.0),
    c("组织大家", 1.0),
    c("集体上访", 1.0),
    c("集体去", 1.0),
    c("联名", 1.0),
    c("堵厂", 1.0),
    c("聚着", 1.0),
    c("围在", 1.0),
    c("举着牌子", 1.0),
    c("举牌", 1.0),
    needs(
        "集合",
        1.0,
        &["工人", "业主", "村民", "家长", "几十", "几百", "上百"],
    ),
    needs(
        "不肯走",
        1.0,
        &[
            "工人", "业主", "村民", "家长", "员工", "几十", "几百", "上百",
        ],
    ),
    c("去围", 1.0),
    needs(
        "堵在",
        1.0,
        &["工人", "业主", "村民", "家长", "会员", "员工"],
    ),
    needs(
        "就不走",
        1.0,
        &["工人", "业主", "村民", "家长", "会员", "员工"],
    ),
    needs(
        "一起去",
        1.0,
        &[
            "讨说法",
            "要说法",
            "门口",
            "政府",
            "闹",
            "堵",
            "讨薪",
            "维权",
        ],
    ),
    needs(
        "一起到",
        1.0,
        &[
            "讨说法",
            "要说法",
            "门口",
            "政府",
            "闹",
            "堵",
            "讨薪",
            "维权",
        ],
    ),
    needs(
        "大家约好",
        1.0,
        &[
            "讨说法",
            "要说法",
            "门口",
            "政府",
            "闹",
            "堵",
            "讨薪",
            "维权",
        ],
    ),
];

pub(crate) const PETITION: &[Cue] = &[
    c("上访", 1.0),
    c("信访", 1.0),
    c("去北京", 1.0),
    c("到北京", 1.0),
    c("上北京", 1.0),
    c("进京", 1.0),
    c("赴京", 1.0),
    c("到省里", 1.0),
    c("去省里", 1.0),
    c("省政府", 1.0),
    c("到市政府", 1.0),
    c("去市政府", 1.0),
    c("市政府门口", 1.0),
    c("区政府门口", 1.0),
    c("越级", 1.0),
    c("找领导", 1.0),
];

pub(crate) const MEDIA: &[Cue] = &[
    c("曝光", 1.0),
    c("抖音", 1.0),
    c("快手", 1.0),
    c("找记者", 1.0),
    c("记者", 1.0),
    c("媒体", 1.0),
    c("发到网上", 1.0),
    c("发网上", 1.0),
    c("微博", 1.0),
    c("热搜", 1.0),
    c("电视台", 1.0),
    c("报社", 1.0),
    c("视频号", 1.0),
    c("小红书", 1.0),
];

pub(crate) const REPEATED: &[Cue] = &[
    c("好几次", 1.0),
    c("多次", 1.0),
    c("反复", 1.0),
    c("屡次", 1.0),
    c("一再", 1.0),
    c("三番五次", 1.0),
    c("几次三番", 1.0),
    c("没人管", 1.0),
    c("无人管", 1.0),
    c("没人处理", 1.0),
    c("一直没解决", 1.0),
    c("一直没有解决", 1.0),
    c("一直没有处理", 1.0),
    c("至今没", 1.0),
    c("至今未", 1.0),
    c("还是没", 1.0),
    c("仍未", 1.0),
    c("仍然没", 1.0),
    c("再次反映", 1.0),
    c("又来反映", 1.0),
    c("第二次反映", 1.0),
    c("第三次", 1.0),
    c("打了很多次", 1.0),
];

const VULNERABLE_PERSON: &[Cue] = &[
    c("独居老人", 1.0),
    c("孤寡老人", 1.0),
    c("空巢老人", 1.0),
    c("老人", 1.0),
    c("老年人", 1.0),
    c("小孩", 1.0),
    c("孩子", 1.0),
    c("儿童", 1.0),
    c("婴儿", 1.0),
    c("宝宝", 1.0),
    c("学生", 1.0),
    c("孕妇", 1.0),
    c("残疾", 1.0),
    c("瘫痪", 1.0),
    c("智障", 1.0),
    c("精神病", 1.0),
];

const DANGER: &[Cue] = &[
    c("危险", 1.0),
    c("受伤", 1.0),
    c("摔倒", 1.0),
    c("摔伤", 1.0),
    c("生病", 1.0),
    c("病倒", 1.0),
    c("晕倒", 1.0),
    c("昏倒", 1.0),
    c("无人照顾", 1.0),
    c("没人照顾", 1.0),
    c("安全隐患", 1.0),
    c("出事", 1.0),
    c("被打", 1.0),
    c("欺负", 1.0),
    c("霸凌", 1.0),
    c("吃不上饭", 1.0),
    c("饿", 1.0),
    c("冻", 1.0),
    c("联系不上", 1.0),
    c("走失", 1.0),
    c("被咬", 1.0),
];

/// Risk signal codes, in the order they are reported.
pub(crate) fn signals(text: &str, urgency: &str) -> Vec<&'static str> {
    signal_phrases(text, urgency)
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

fn first(text: &Text, cues: &[Cue]) -> Option<&'static str> {
    cues.iter().find(|c| c.matches_in(text)).map(|c| c.text)
}

/// Risk signal codes with the phrase that raised each (for the vulnerable signal, the person).
pub(crate) fn signal_phrases(text: &str, urgency: &str) -> Vec<(&'static str, &'static str)> {
    let text = &Text::new(text);
    let mut out = Vec::new();
    let mut add = |signal: &'static str, phrase: Option<&'static str>| {
        if let Some(p) = phrase {
            out.push((signal, p));
        }
    };
    add("self_harm", first(text, SELF_HARM));
    add("violence", first(text, VIOLENCE));
    add("gathering", first(text, GATHERING));
    add("petition", first(text, PETITION));
    add(
        "vulnerable",
        first(text, VULNERABLE_PERSON).filter(|_| urgency != "normal" || any(text, DANGER)),
    );
    add("repeated", first(text, REPEATED));
    add("media", first(text, MEDIA));
    out
}

/// none / low / medium / high from the signals: self-harm, violence and gatherings are high on
/// their own; petitions and media threats medium; a single weaker signal (vulnerable person,
/// repeated report) low; and signals add up (two medium, three high).
pub(crate) fn level(signals: &[&str]) -> &'static str {
    let strong = signals
        .iter()
        .any(|s| matches!(*s, "self_harm" | "violence" | "gathering"));
    let medium = signals.iter().any(|s| matches!(*s, "petition" | "media"));
    match signals.len() {
        _ if strong => "high",
        n if n >= 3 => "high",
        2 => "medium",
        _ if medium => "medium",
        1 => "low",
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_exceptions_and_requirements() {
        let jump = unless("跳楼", 1.0, &["跳楼价", "跳楼大甩卖"]);
        assert!(jump.matches("再不解决我就去跳楼"));
        assert!(!jump.matches("商场跳楼价大甩卖"));
        assert!(jump.matches("跳楼价是骗人的,我要跳楼"));
        let leak = needs("漏气", 1.0, &["燃气", "煤气"]);
        assert!(leak.matches("厨房燃气管漏气"));
        assert!(!leak.matches("自行车轮胎漏气"));
    }

    #[test]
    fn covers_is_boundary_safe() {
        // the phrase would start before the text: no panic, no match
        assert!(!covers("跳楼", 0, "跳楼", "大跳楼"));
        assert!(covers("大跳楼", 3, "跳楼", "大跳楼"));
    }

    #[test]
    fn levels() {
        assert_eq!(level(&[]), "none");
        assert_eq!(level(&["repeated"]), "low");
        assert_eq!(level(&["vulnerable"]), "low");
        assert_eq!(level(&["media"]), "medium");
        assert_eq!(level(&["petition"]), "medium");
        assert_eq!(level(&["repeated", "vulnerable"]), "medium");
        assert_eq!(level(&["self_harm"]), "high");
        assert_eq!(level(&["gathering"]), "high");
        assert_eq!(level(&["petition", "media", "repeated"]), "high");
    }

    #[test]
    fn hypothetical_danger_is_not_critical() {
        assert_eq!(urgency("楼道堆满杂物,一旦着火后果不堪设想"), "normal");
        assert_eq!(urgency("3楼厨房着火了,浓烟很大"), "critical");
        assert_eq!(urgency("楼道里存在火灾隐患"), "normal");
        assert_eq!(urgency("小区突然停水了,到现在还没来水"), "urgent");
        assert_eq!(urgency("收到停水通知,想问恢复时间"), "normal");
        assert_eq!(urgency("路灯不亮"), "normal");
        assert_eq!(urgency("燃气灶点不着火"), "normal");
    }
}
