//! Risk in one text (矛盾风险, issue 20): the level as the combination it is in practice.
//!
//! A supervisor asks five questions of a request: **who** is endangered (a life, an old person
//! alone, a small child, several poisoned people), **how soon** (现在, 今晚, 已经), **how many**
//! (四百多户, 二十余人聚集), is there an **escalation** route (去省里, 去北京, 拉横幅, 找媒体, an
//! extreme act) and what **history** (第三次反映, 一直没解决). Each answer is a *factor* read by
//! phrases in the text ([`factors`]); a phrase counts only in a clause that does not put it in
//! the past (去年有人跳过楼), in a figure of speech (吵死了, 跳楼价) or in a place name (北京路).
//!
//! The level is not a rule over the factors but learned: three logistic regressions share the
//! factor features and their products (a vulnerable person *and* unreachable *and* alone; many
//! people *and* a route; a shove *and* no injury) and give P(level ≥ low), P(≥ medium) and
//! P(high). The level is the highest whose probability reaches its threshold, the score is
//! P(high), and the reasons are the phrases behind the factors that pushed P(high) up, in
//! Chinese, strongest first. The weights live in `data/risk.txt`, trained by
//! `examples/train_risk.rs` on `data/corpus/risk_train.jsonl`, `risk_dev.jsonl` and
//! `train.jsonl`; the thresholds are set on those texts scored by models that had not seen them
//! (cross-fitting, [`RiskModel::calibrate`]), never on a held-out file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::corpus::Example;
use crate::model::LEVELS;

// ---------------------------------------------------------------------------------------------
// Phrases

/// Clause markers that put a phrase in the past or in a hypothesis.
const PAST: &[&str] = &[
    "去年",
    "前年",
    "以前",
    "前几年",
    "曾经",
    "听说",
    "早些年",
    "那年",
    "当年",
    "万一",
    "一旦",
    "担心会",
    "怕会",
    "防止",
    "上次",
    "上回",
];

/// Figures of speech and names that contain risk words.
const FIGURATIVE: &[&str] = &[
    "跳楼价",
    "跳楼甩卖",
    "跳楼大甩卖",
    "吵死",
    "热死",
    "累死",
    "笑死",
    "气死",
    "烦死",
    "冷死",
    "臭死",
    "饿死了都没人",
    "打死我也",
    "打我电话",
    "打我手机",
    "打电话",
    "打死也",
    "北京路",
    "北京东路",
    "北京西路",
    "北京南路",
    "北京北路",
    "北京出差",
    "北京看病",
    "北京旅游",
    "省里的",
    "省里说",
    "省里要",
    "省里出台",
    "上访接待日",
    "信访接待日",
    "打他电话",
    "打她电话",
    "打他手机",
    "打她手机",
];

const SELF_HARM: &[&str] = &[
    "不想活",
    "活不下去",
    "活着没意思",
    "活着没什么意思",
    "活着有什么意思",
    "一死了之",
    "一了百了",
    "死了算了",
    "不如死了",
    "跳下去",
    "跳楼",
    "跳河",
    "跳江",
    "喝农药",
    "喝药",
    "割腕",
    "上吊",
    "自杀",
    "轻生",
    "寻死",
    "寻短见",
    "死给",
    "以死",
    "死在",
    "药都准备",
    "药我都攒",
    "药都攒",
    "准备了农药",
    "遗书",
    "想不开",
    "去死",
    "熬不下去",
    "不活了",
    "想死",
    "不想撑",
    "撑不下去",
    "没什么留恋",
    "活着太累",
    "活够了",
    "结束自己",
    "寻了短见",
    "安眠药",
    "死了就解脱",
    "就解脱了",
    "活着真没意思",
    "活着有啥意思",
    "人活着没意思",
    "不如走了",
    "走了干净",
    "命不要了",
    "不要这条命",
    "这条命",
    "去河里",
    "跳河里",
    "投河",
    "从楼上下去",
    "楼上跳",
    "往下跳",
    "结束生命",
    "百草枯",
    "烧炭",
    "跳海",
    "卧轨",
];

/// An act that endangers the actor now: on a crane, a roof, soaked in petrol.
const EXTREME_ACT: &[&str] = &[
    "塔吊上",
    "天台",
    "楼顶上",
    "顶楼边",
    "江边",
    "楼顶边",
    "站在楼顶",
    "爬上楼顶",
    "站在桥上",
    "脚手架上",
    "浇了汽油",
    "泼汽油",
    "浇汽油",
    "身上浇",
    "就不下来",
    "爬上了",
    "爬到了",
    "爬上去",
    "上了楼顶",
    "上了房顶",
    "房顶上",
    "上了塔吊",
    "爬塔吊",
    "坐在楼顶",
    "站在天台",
    "桥栏杆",
];

const WEAPON_OR_INJURY: &[&str] = &[
    "菜刀",
    "拿刀",
    "持刀",
    "挥着刀",
    "拿着刀",
    "砍",
    "捅",
    "铁棍",
    "棍子",
    "棍棒",
    "酒瓶砸",
    "拿酒瓶",
    "酒瓶子往",
    "铁锹",
    "拿着钢管",
    "拿钢管",
    "锄头",
    "头破血流",
    "是血",
    "满脸血",
    "打老婆",
    "打媳妇",
    "打女人",
    "救命",
    "砸了",
    "卸我",
    "打破",
    "打伤",
    "打得",
    "殴打",
    "家暴",
    "打进",
    "打断",
    "打群架",
    "掐",
    "打孩子",
    "流血",
    "缝了",
    "打我",
    "打了我",
    "把我打",
    "推倒",
    "推下",
    "动手打",
    "打了他",
    "打了她",
    "一巴掌",
    "拖到车上",
    "拖走",
    "钢筋",
    "倒在地上",
    "头都破",
    "被打",
    "肿了",
    "按在地上",
    "砸人",
    "扁担",
    "啤酒瓶",
    "撞到",
    "摔在地上",
    "抡",
    "抽我",
    "地上躺着",
    "躺着一个",
    "打她",
    "打他",
    "拳头",
    "挥刀",
    "持械",
    "打人",
    "打晕",
];

const KILL_THREAT: &[&str] = &[
    "弄死",
    "打死",
    "杀了",
    "杀人",
    "要我的命",
    "要你的命",
    "同归于尽",
    "放火",
    "烧房子",
    "房子烧了",
    "烧死",
    "烧了他",
    "烧了你",
    "家点了",
    "烧我家",
    "不会放过",
    "报复",
    "说要打",
    "要打他",
    "要打我",
    "要打人",
    "给我点颜色",
    "要杀",
    "砍死",
    "杀了她",
    "杀了他",
    "杀了我",
];

const MINOR_FORCE: &[&str] = &[
    "推了",
    "推搡",
    "推推搡搡",
    "拉扯",
    "推一下",
    "推一把",
    "扯了",
    "动手推",
    "打起来",
    "打了一架",
    "吵了一架",
    "互相推",
    "打了起来",
    "推我",
];

const NO_INJURY: &[&str] = &[
    "没受伤",
    "没伤着",
    "没伤人",
    "没有受伤",
    "人没事",
    "没什么大事",
    "劝开",
    "散了",
    "没出事",
    "没大碍",
    "不严重",
];

const ELDERLY: &[&str] = &[
    "老人",
    "老太",
    "大爷",
    "大妈",
    "奶奶",
    "爷爷",
    "外公",
    "外婆",
    "姥姥",
    "孤老",
    "五保户",
    "老爷子",
    "老伴",
    "父亲",
    "母亲",
    "我爸",
    "我妈",
    "老年",
    "阿姨",
    "阿婆",
    "退休老",
    "伯",
    "舅舅",
    "公公",
    "婆婆",
    "大娘",
    "姨",
    "老先生",
    "高龄",
    "七十岁",
    "八十岁",
    "九十岁",
    "七十多岁",
    "八十多岁",
    "九十多岁",
    "快八十",
    "快九十",
    "七十了",
    "八十了",
    "老头",
    "老娘",
    "岳父",
    "岳母",
    "老太太",
    "年纪大了",
    "年纪大",
    "老两口",
    "老大爷",
    "老大娘",
    "老汉",
    "老奶奶",
    "老爷爷",
    "老党员",
    "老同志",
    "空巢老人",
];

const CHILD: &[&str] = &[
    "孩子",
    "小孩",
    "宝宝",
    "婴儿",
    "娃",
    "儿子",
    "女儿",
    "幼儿",
    "个月大",
    "学生",
    "个月的娃",
    "个月的孩子",
    "娘俩",
    "娘儿俩",
    "母子",
    "母女",
    "小学生",
    "初中生",
    "高三",
    "未成年",
];

const FRAIL: &[&str] = &[
    "瘫",
    "残疾",
    "精神",
    "怀孕",
    "怀着孕",
    "卧床",
    "孕妇",
    "病人",
    "高血压",
    "心脏病",
    "智障",
    "老年痴呆",
    "眼睛不好",
    "看不见",
    "失明",
    "癌",
    "病重",
    "重病",
    "残疾人",
    "中风",
    "偏瘫",
];

const ALONE: &[&str] = &[
    "独居",
    "一个人住",
    "一个人过",
    "一个人在家",
    "一个人生活",
    "孤老",
    "孤寡",
    "空巢",
    "无人照顾",
    "没人照顾",
    "在国外",
    "在外地",
    "没人管他",
    "五保户",
    "家里没有别人",
    "单亲",
    "无儿无女",
    "孤身一人",
    "剩他一个",
    "剩她一个",
    "老光棍",
    "没有亲人",
    "无依无靠",
    "独自",
    "不在身边",
    "就他一个",
    "就她一个",
    "孤身",
    "身边没人",
    "没有子女",
    "没有大人",
    "没大人",
    "大人不在",
    "大人联系不上",
    "自己一个人",
    "一个亲人",
    "独门独户",
    "常年不回",
    "常年在外",
    "不在本地",
    "在外省",
    "外省打工",
    "老伴没了",
    "老伴走了",
    "老伴去世",
    "老伴过世",
    "子女在外",
    "父母在外",
    "留守",
    "没有家人",
    "一个人在",
    "孤零零",
];

const UNREACHABLE: &[&str] = &[
    "联系不上",
    "没人接",
    "打不通",
    "关机",
    "敲门没人",
    "敲门也没人",
    "敲不开",
    "反锁",
    "喊也不应",
    "没人应",
    "不见人",
    "没见他",
    "没见她",
    "没拿",
    "没人开门",
    "找不到人",
    "没回来",
    "没声音",
    "一点声音",
    "没见人影",
    "不见人影",
    "自动挂断",
    "没人回",
    "叫不应",
    "没反应",
    "联系不到",
    "找不到他",
    "找不到她",
    "无人接听",
    "不接",
    "不回",
    "没动静",
    "没人开",
    "没有回音",
    "没人应答",
    "失联",
    "忙音",
    "没回应",
    "无回应",
    "找不着",
    "没出门",
    "未出门",
    "没见出门",
    "堆着快递",
    "晕在家",
    "倒在家",
    "不知去向",
    "下落不明",
    "没开门",
    "没人答应",
    "不见了",
];

const NO_SHELTER: &[&str] = &[
    "没地方住",
    "没地方睡",
    "没地方去",
    "没处去",
    "没处住",
    "睡哪",
    "不知道去哪",
    "赶出来",
    "赶出家门",
    "撵出来",
    "睡楼道",
    "睡大街",
    "睡街上",
    "把锁换了",
    "锁换了",
    "坐了一晚上",
    "流落街头",
    "无家可归",
    "锁在门外",
    "关在门外",
    "进不了家",
    "凑合",
    "住不起",
    "睡车站",
    "桥洞",
    "扔出来",
    "无处可去",
    "在外面过夜",
    "没地方过夜",
    "哪过夜",
    "住哪",
    "不让住",
    "露宿",
    "被赶出",
    "没有住的",
    "撵了",
    "被撵",
    "赶出门",
    "落脚",
    "上哪去",
    "今晚去哪",
    "堆在马路边",
    "行李都堆",
    "睡公园",
    "锁在外面",
    "进不去家",
    "赶了出来",
];

const HARMED: &[&str] = &[
    "受伤",
    "受了伤",
    "伤了",
    "骨折",
    "肋骨",
    "摔断",
    "摔伤",
    "中毒",
    "呕吐",
    "上吐下泻",
    "拉肚子",
    "高烧",
    "抢救",
    "送医",
    "吐了",
    "急救",
    "挂水",
    "不省人事",
    "肚子疼",
    "送医院",
    "送了医院",
    "进医院",
    "昏迷",
    "抽筋",
    "发高烧",
    "冻得",
    "要水喝",
    "没吃饭",
    "吃不上饭",
    "晕倒",
    "摔倒",
    "满头大汗",
    "身上全是伤",
    "哭得",
    "叫得很惨",
    "水很深",
    "绞着疼",
    "疼得",
    "吐个不停",
    "晕过去",
    "晕了",
    "脸色发白",
    "打点滴",
    "住院",
    "起不来",
    "发烧",
    "头晕",
    "想吐",
    "腹痛",
    "急诊",
    "昏过去",
    "没气",
    "呼吸困难",
    "出血",
    "烧伤",
    "烫伤",
];

const RESPONSIBLE_GONE: &[&str] = &[
    "人跑了",
    "老板跑",
    "连夜跑",
    "已经跑了",
    "跑掉了",
    "就跑了",
    "都跑了",
    "关门跑",
    "溜了",
    "走了人",
    "解散",
    "人找不到",
    "跑路",
    "人不见",
    "不见了",
    "找不到",
    "关机",
    "打不通",
    "锁了人",
    "躲着不见",
    "失联",
    "没影",
    "一锁走了",
    "锁门走",
    "手机关了",
    "电话关了",
    "卷款",
    "联系不上",
    "一走了之",
    "溜走",
];

const NOW: &[&str] = &[
    "现在", "正在", "此刻", "马上", "刚才", "刚刚", "已经", "还在", "当场", "立刻",
];

const TONIGHT: &[&str] = &[
    "今晚",
    "今天晚上",
    "今夜",
    "天要黑",
    "天黑",
    "一晚上",
    "一夜",
    "晚上",
    "天黑了",
    "夜里",
    "半夜",
    "今天夜里",
    "这么晚",
];

const SOON: &[&str] = &[
    "明天",
    "下周",
    "周一",
    "过两天",
    "这两天",
    "准备",
    "打算",
    "约好",
    "商量好",
    "约着",
    "下午",
    "一会",
];

const GROUP_WORDS: &[&str] = &[
    "集体",
    "大家",
    "业主们",
    "村民们",
    "工友们",
    "家长们",
    "全体",
    "全村",
    "整栋楼",
    "群里",
    "一群人",
    "很多人",
    "好多人",
    "联名",
    "一起去",
    "都要一起",
    "好多村民",
    "很多村民",
    "好多业主",
    "很多业主",
    "全组",
    "一伙人",
    "大伙",
    "大家伙",
    "乡亲们",
    "股东们",
    "兄弟们",
    "一帮人",
    "一群",
    "家长群",
    "受害人们",
    "购房户们",
];

const GATHERING: &[&str] = &[
    "聚集",
    "水泄不通",
    "围得",
    "围了",
    "挤满",
    "一大群人",
    "冲进",
    "冲到",
    "堵门",
    "门堵",
    "堵在",
    "堵路",
    "堵住",
    "堵着",
    "围在",
    "围着",
    "拉横幅",
    "拉条幅",
    "拉着条幅",
    "横幅",
    "条幅",
    "静坐",
    "坐着不走",
    "不走",
    "不肯走",
    "不肯散",
    "不散",
    "组织去",
    "集体去",
    "围住",
    "守在",
    "僵持",
    "拦着",
    "闹",
    "喊口号",
    "举牌",
    "围堵",
    "游行",
    "闹事",
    "聚在",
    "拦下",
    "拦住",
    "不让走",
    "控制不住",
    "坐在马路",
    "马路中间",
    "标语",
    "车票",
    "火车票",
    "上街",
];

/// A demand made in person: 讨说法, 讨薪.
const DEMAND: &[&str] = &[
    "讨说法",
    "要说法",
    "要个说法",
    "给个说法",
    "讨薪",
    "讨工钱",
    "要工钱",
    "维权",
    "门口",
    "大厅",
    "讨个说法",
    "讨公道",
    "讨债",
];

const ROUTE: &[&str] = &[
    "上访",
    "信访",
    "越级",
    "去北京",
    "上北京",
    "到北京",
    "进京",
    "赴京",
    "去省里",
    "到省里",
    "去省城",
    "省城",
    "省信访",
    "省政府",
    "市政府",
    "区政府",
    "镇政府",
    "去区里",
    "到区里",
    "去市里",
    "到市里",
    "上级部门",
    "去省",
    "到省",
    "信访局",
    "去告",
    "告状",
    "上级",
    "市长信箱",
    "省委",
    "国务院",
    "京城",
    "首都",
];

const MEDIA: &[&str] = &[
    "媒体",
    "记者",
    "曝光",
    "抖音",
    "快手",
    "微博",
    "小红书",
    "电视台",
    "报社",
    "发到网上",
    "发网上",
    "视频号",
    "热搜",
    "报纸",
    "网上曝光",
    "央视",
    "焦点访谈",
];

const CONDITIONAL: &[&str] = &[
    "再不",
    "不解决就",
    "不给钱就",
    "不给就",
    "否则",
    "再没结果",
    "不处理就",
    "要不然",
    "实在不行",
    "如果还",
    "逼急了",
    "再这样",
    "这次不给",
    "不然",
    "再拖",
];

const REPEAT: &[&str] = &[
    "第二次",
    "第三次",
    "第四次",
    "第五次",
    "第六次",
    "第三回",
    "多次",
    "好几次",
    "几次",
    "反复",
    "反反复复",
    "屡次",
    "一再",
    "三番五次",
    "又来",
    "再次",
    "前前后后",
    "四五回",
    "好几回",
    "十几次",
    "七八次",
    "大半年",
    "就报过",
    "反映过",
    "投诉过",
    "之前反映",
    "好几趟",
    "几十趟",
    "二十多趟",
    "一年半",
    "两年多",
    "好几个月",
    "又一次",
    "又来了",
];

const UNRESOLVED: &[&str] = &[
    "一直没解决",
    "一直没有解决",
    "没解决",
    "不解决",
    "没人管",
    "还是没",
    "没结果",
    "没人处理",
    "不见人来",
    "还是这样",
    "没一个人",
    "都没用",
    "没有用",
    "推来推去",
    "踢皮球",
    "拖着",
    "拖了",
    "投诉了也没用",
    "至今",
    "一点动静没有",
    "没动静",
    "谁都不管",
    "没答复",
    "一直在处理",
    "说在处理",
    "没有下文",
    "石沉大海",
    "没回音",
    "不了了之",
];

const ANGRY: &[&str] = &[
    "气死",
    "太过分",
    "欺负",
    "寒心",
    "无语",
    "态度恶劣",
    "什么破",
    "到底管不管",
];

/// A request for information: how to apply, what is covered, when. Someone asking how to get a
/// 一键呼叫 for an old parent is not reporting one in danger; with `elderly`, `child`, `frail` or
/// `alone` it forms the products that let the weights say so.
const QUESTION: &[&str] = &[
    "请问",
    "咨询",
    "想问",
    "问一下",
    "问问",
    "想了解",
    "怎么办理",
    "如何办理",
    "怎么申请",
    "如何申请",
    "可以申请",
    "能申请",
    "申请条件",
    "什么条件",
    "什么材料",
    "哪些材料",
    "能报多少",
    "能不能报",
    "可以报销",
    "能报销",
    "要不要再",
    "需不需要",
    "是哪天",
    "什么时候开始",
    "有什么政策",
    "有没有补贴",
];

/// A suggestion for the future (建议给独居老人装烟感): a request to prevent, not a danger now.
const SUGGEST: &[&str] = &[
    "建议",
    "希望能",
    "希望在",
    "希望增设",
    "能否增设",
    "能否安排",
    "呼吁",
    "提个意见",
    "提议",
    "能不能增加",
    "可不可以增加",
];

/// Thanks and praise (表扬司机送我孕妇去医院): the danger in the story is over.
const PRAISE: &[&str] = &["表扬", "感谢", "点赞", "锦旗", "致谢", "谢谢你们"];

// ---------------------------------------------------------------------------------------------
// Factors

/// One reading of the text: a factor and the phrase that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Factor {
    pub(crate) name: &'static str,
    pub(crate) phrase: String,
}

/// Chinese label of a factor, for the reasons.
fn label(name: &str) -> &'static str {
    match name {
        "self_harm" => "轻生言语",
        "extreme_act" => "极端行为",
        "weapon_injury" => "殴打或伤人",
        "kill_threat" => "扬言伤害",
        "minor_force" => "推搡",
        "no_injury" => "未受伤",
        "elderly" => "老人",
        "child" => "儿童",
        "frail" => "病残",
        "alone" => "独居无人照料",
        "unreachable" => "联系不上",
        "no_shelter" => "无处安身",
        "harmed" => "身体受损",
        "responsible_gone" => "责任人失联",
        "now" => "正在发生",
        "tonight" => "今晚",
        "soon" => "即将",
        "several" => "多人",
        "many" => "人数众多",
        "very_many" => "规模大",
        "group_word" => "群体",
        "gathering" => "聚集",
        "route" => "越级或上访",
        "demand" => "当面讨要",
        "media" => "媒体曝光",
        "conditional" => "要挟",
        "repeat" => "反复反映",
        "unresolved" => "久拖未决",
        "angry" => "情绪激烈",
        "question" => "咨询",
        "suggest" => "建议",
        "praise" => "表扬",
        "past" => "过往或假设",
        "figurative" => "比喻或地名",
        "violence" => "暴力",
        "vulnerable_cue" => "弱势人员",
        "minor_only" => "仅推搡",
        _ => "",
    }
}

/// Clauses of a normalised text: split at punctuation (half-width after normalisation, plus
/// the ideographic marks normalisation keeps).
fn clauses(text: &str) -> Vec<&str> {
    text.split([
        ',', '.', '!', '?', ';', ':', '。', '、', '…', '】', '【', '~', ' ',
    ])
    .filter(|c| !c.is_empty())
    .collect()
}

/// The longest of `phrases` in the clause (the most telling one for the reasons: 没地方住
/// rather than 赶出来), the first listed on ties.
fn first_in<'a>(clause: &str, phrases: &'a [&'static str]) -> Option<&'a &'static str> {
    phrases
        .iter()
        .filter(|p| clause.contains(*p))
        .fold(None, |best: Option<&&str>, p| match best {
            Some(b) if b.chars().count() >= p.chars().count() => Some(b),
            _ => Some(p),
        })
}

/// A group size in the text: the largest count of people or households, with its phrase.
pub(crate) fn group_size(text: &str) -> Option<(u32, String)> {
    const UNITS: &[&str] = &[
        "户",
        "人",
        "家",
        "工人",
        "工友",
        "业主",
        "村民",
        "家长",
        "员工",
        "学生",
        "民工",
        "住户",
        "购房户",
        "居民",
        "学员",
        "会员",
        "老人",
        "职工",
        "商户",
        "租户",
        "孩子",
        "小孩",
        "农民工",
        "股东",
        "投资人",
        "购房者",
        "骑手",
        "司机",
        "商户",
        "摊主",
        "老乡",
        "兄弟",
        "保洁员",
        "乘客",
        "患者",
        "病人",
        "租客",
        "同事",
        "车主",
        "师傅",
        "拆迁户",
        "教师",
        "老师",
        "口人",
        "户人家",
        "个人",
        "受害人",
        "人家",
    ];
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let is_num = |c: char| c.is_ascii_digit() || "零一二两三四五六七八九十百千几".contains(c);
    // the longest unit first: 家长 before 家
    let mut units: Vec<&str> = UNITS.to_vec();
    units.sort_by_key(|u| std::cmp::Reverse(u.len()));
    let mut best: Option<(u32, String)> = None;
    let mut i = 0;
    while i < chars.len() {
        // 上百 近百 好几百 上千 数十 …
        let rest = &text[chars[i].0..];
        let (value, len) = if let Some(p) =
            ["上百", "近百", "好几百", "几百", "上千", "数十", "数百"]
                .iter()
                .find(|p| rest.starts_with(*p))
        {
            let v = match *p {
                "上百" | "近百" => 100,
                "上千" => 1000,
                "数十" => 30,
                _ => 300,
            };
            (Some(v), p.chars().count())
        } else if is_num(chars[i].1) {
            let mut j = i;
            while j < chars.len() && is_num(chars[j].1) {
                j += 1;
            }
            let run: String = chars[i..j].iter().map(|(_, c)| *c).collect();
            (parse_count(&run), j - i)
        } else {
            (None, 1)
        };
        let Some(value) = value else {
            i += len.max(1);
            continue;
        };
        // [多余来几] [个名位号家] unit
        let mut k = i + len;
        let start = chars[i].0;
        let at = |k: usize| chars.get(k).map(|(o, _)| *o).unwrap_or(text.len());
        let mut tail = &text[at(k)..];
        for skip in ["多", "余", "来", "几"] {
            if let Some(t) = tail.strip_prefix(skip) {
                tail = t;
                k += 1;
                break;
            }
        }
        let mut classifier = false;
        for skip in ["个", "名", "位", "号"] {
            if let Some(t) = tail.strip_prefix(skip) {
                tail = t;
                k += 1;
                classifier = true;
                break;
            }
        }
        // after a classifier, a word of up to two characters may stand before the unit:
        // 五十多个装修工人
        let gap = (0..=if classifier { 2 } else { 0 }).find_map(|g| {
            let rest = tail.char_indices().nth(g).map(|(o, _)| &tail[o..])?;
            let before = &tail[..tail.len() - rest.len()];
            if before
                .chars()
                .any(|c| !c.is_alphabetic() || "的了在和月天年岁次".contains(c))
            {
                return None;
            }
            units.iter().find(|u| rest.starts_with(*u)).map(|u| (g, *u))
        });
        if let Some((g, unit)) = gap {
            k += g;
            let end = at(k) + unit.len();
            let phrase = text[start..end].to_owned();
            if best.as_ref().is_none_or(|(b, _)| value > *b) {
                best = Some((value, phrase));
            }
        }
        i += len.max(1);
    }
    best
}

/// Value of a count written in digits or Chinese numerals: 412, 四百, 二十, 七八十 (the larger,
/// 80), 十几 (15), 几十 (30).
fn parse_count(run: &str) -> Option<u32> {
    if run.chars().all(|c| c.is_ascii_digit()) {
        return run.parse().ok().filter(|n: &u32| *n < 1_000_000);
    }
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|b| (b / 3) as u32);
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    let mut seen = false;
    let cs: Vec<char> = run.chars().collect();
    for (idx, &c) in cs.iter().enumerate() {
        let v = if c == '两' { Some(2) } else { digit(c) };
        if let Some(d) = v {
            current = Some(d); // 七八 keeps the larger, the later one
            seen = true;
        } else if c == '几' {
            // 几十 / 几百: a few (3); 十几 / 二十几: about half (5)
            let before_unit = cs.get(idx + 1).is_some_and(|n| "十百千".contains(*n));
            current = Some(if before_unit { 3 } else { 5 });
            seen = true;
        } else {
            let mult = match c {
                '十' => 10,
                '百' => 100,
                '千' => 1000,
                _ => return None,
            };
            total += current.unwrap_or(1) * mult;
            current = None;
            seen = true;
        }
    }
    seen.then_some(total + current.unwrap_or(0))
}

/// Phrases of [`EXTREME_ACT`] that name a place: an act only with someone on it.
const PLACES_OF_ACTS: &[&str] = &[
    "塔吊上",
    "天台",
    "楼顶上",
    "顶楼边",
    "江边",
    "楼顶边",
    "脚手架上",
    "房顶上",
    "窗台上",
];

/// Whether a clause puts a person on the place it names (站在, 坐在, 爬上, 不下来 …).
fn someone_on(clause: &str) -> bool {
    [
        "站",
        "坐",
        "爬",
        "蹲",
        "跳",
        "不下来",
        "不肯下",
        "上去了",
        "待在",
        "呆在",
    ]
    .iter()
    .any(|w| clause.contains(w))
}

/// The text without its channel labels: a short `【…】` at the start of a record (【信访接待登记】,
/// 【网格走访】, 【12345工单摘要】) names the channel, and a channel named 信访 is not a petition.
fn strip_labels(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('【') {
        let after = &rest[open + '【'.len_utf8()..];
        match after.find('】') {
            Some(close) if after[..close].chars().count() <= 12 => {
                out.push_str(&rest[..open]);
                out.push(',');
                rest = &after[close + '】'.len_utf8()..];
            }
            _ => {
                out.push_str(&rest[..open + '【'.len_utf8()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A spouse gone (老伴前年没了, 老伴去世了): the old person is alone now whatever the clause's tense.
fn widowed(clause: &str) -> Option<&'static str> {
    let at = clause.find("老伴")?;
    let rest = &clause[at..];
    ["没了", "走了", "去世", "过世", "不在了", "病逝"]
        .iter()
        .any(|w| rest.contains(w))
        .then_some("老伴")
}

/// An age in a clause: a number of years before 岁, 了, 的人, 多岁, 来岁, 高龄 (八十三了, 快八十的人).
/// From 60 it is an old person, under 14 (with 岁) a child; the phrase is the number with its
/// word. Months are left to the phrase list (三个月大的娃, not 三个月没发工资).
fn age_in(clause: &str) -> Option<(u32, String)> {
    let chars: Vec<char> = clause.chars().collect();
    let is_num = |c: char| c.is_ascii_digit() || "一二两三四五六七八九十".contains(c);
    let mut i = 0;
    while i < chars.len() {
        if !is_num(chars[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_num(chars[j]) {
            j += 1;
        }
        let run: String = chars[i..j].iter().collect();
        let tail: String = chars[j..chars.len().min(j + 3)].iter().collect();
        let value = parse_count(&run);
        // 第三 and 3幢 are not ages; a price or a count before 了 is ruled out by the range
        let ordinal = i > 0 && "第号".contains(chars[i - 1]);
        if let (Some(v), false) = (value, ordinal) {
            let words = ["岁", "多岁", "来岁", "了", "多了", "的人", "高龄"];
            if let Some(w) = words.iter().find(|w| tail.starts_with(*w)) {
                let years_word = w.contains('岁');
                if (60..=110).contains(&v) || (years_word && (1..14).contains(&v)) {
                    return Some((v, format!("{run}{w}")));
                }
            }
        }
        i = j;
    }
    None
}

/// The factors of a normalised text (see the module documentation).
pub(crate) fn factors(text: &str) -> Vec<Factor> {
    let mut out: Vec<Factor> = Vec::new();
    let mut push = |name: &'static str, phrase: &str| {
        if !out.iter().any(|f| f.name == name) {
            out.push(Factor {
                name,
                phrase: phrase.to_owned(),
            });
        }
    };
    let lists: &[(&'static str, &[&'static str])] = &[
        ("self_harm", SELF_HARM),
        ("extreme_act", EXTREME_ACT),
        ("weapon_injury", WEAPON_OR_INJURY),
        ("kill_threat", KILL_THREAT),
        ("minor_force", MINOR_FORCE),
        ("no_injury", NO_INJURY),
        ("elderly", ELDERLY),
        ("child", CHILD),
        ("frail", FRAIL),
        ("alone", ALONE),
        ("unreachable", UNREACHABLE),
        ("no_shelter", NO_SHELTER),
        ("harmed", HARMED),
        ("responsible_gone", RESPONSIBLE_GONE),
        ("now", NOW),
        ("tonight", TONIGHT),
        ("soon", SOON),
        ("group_word", GROUP_WORDS),
        ("gathering", GATHERING),
        ("route", ROUTE),
        ("demand", DEMAND),
        ("media", MEDIA),
        ("conditional", CONDITIONAL),
        ("repeat", REPEAT),
        ("unresolved", UNRESOLVED),
        ("angry", ANGRY),
        ("question", QUESTION),
        ("suggest", SUGGEST),
        ("praise", PRAISE),
    ];
    // a channel label (【信访接待登记】, 【网格走访】) says how the text came in, not what it says
    let text = &strip_labels(text);
    for clause in clauses(text) {
        // a state that a past event left behind still holds: 老伴前年没了 is alone now
        if let Some(p) = widowed(clause) {
            push("alone", p);
        }
        // a figure of speech is removed from its clause before the lookups
        let mut cleaned = clause.to_owned();
        for f in FIGURATIVE {
            if cleaned.contains(f) {
                push("figurative", f);
                cleaned = cleaned.replace(f, "□");
            }
        }
        if let Some(p) = first_in(&cleaned, PAST) {
            push("past", p);
            continue;
        }
        // an age: 八十三了, 快八十的人, 九十岁 is an old person, 五岁 a child (after the lists, so
        // that 孩子 rather than 两岁 is the reason when both are there)
        let age = age_in(&cleaned);
        for (name, phrases) in lists {
            if let Some(p) = first_in(&cleaned, phrases) {
                // a roof, a river bank or a scaffold is a place until someone is on it
                if *name == "extreme_act" && PLACES_OF_ACTS.contains(p) && !someone_on(&cleaned) {
                    continue;
                }
                push(name, p);
            }
        }
        if let Some((age, phrase)) = age {
            push(if age >= 60 { "elderly" } else { "child" }, &phrase);
        }
    }
    // the cue rules' phrases (`cues.rs`) feed the same factors, unless their clause is in the past
    for (signal, phrase) in crate::cues::signal_phrases(text, crate::cues::urgency(text)) {
        let name = match signal {
            "self_harm" => "self_harm",
            "violence" => "violence",
            "gathering" => "gathering",
            "petition" => "route",
            "media" => "media",
            "repeated" => "repeat",
            _ => "vulnerable_cue",
        };
        let past = clauses(text)
            .into_iter()
            .filter(|c| c.contains(phrase))
            .all(|c| {
                PAST.iter().any(|p| c.contains(p))
                    || FIGURATIVE
                        .iter()
                        .any(|f| c.contains(f) && f.contains(phrase))
            });
        if !past {
            push(name, phrase);
        }
    }
    // 反映了八次, 投诉了5次: a count of times in a clause about reporting
    for clause in clauses(text) {
        if !["反映", "投诉", "找了", "打了", "跑了", "举报"]
            .iter()
            .any(|w| clause.contains(w))
            || PAST.iter().any(|p| clause.contains(p))
        {
            continue;
        }
        let chars: Vec<char> = clause.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if (*c == '次' || *c == '趟' || *c == '回') && i > 0 {
                let mut j = i;
                while j > 0 && "0123456789两三四五六七八九十几多".contains(chars[j - 1])
                {
                    j -= 1;
                }
                if j < i && chars[j..i].iter().any(|c| *c != '多') {
                    let phrase: String = chars[j..=i].iter().collect();
                    push("repeat", &phrase);
                }
            }
        }
    }
    if let Some((n, phrase)) = group_size(text) {
        // five or more: 四户人家 is a few neighbours, not a group
        if n >= 5 {
            push("several", &phrase);
        }
        if n >= 10 {
            push("many", &phrase);
        }
        if n >= 50 {
            push("very_many", &phrase);
        }
    }
    let has = |n: &str| out.iter().any(|f| f.name == n);
    if has("minor_force") && !has("weapon_injury") && !has("kill_threat") {
        let phrase = out
            .iter()
            .find(|f| f.name == "minor_force")
            .map(|f| f.phrase.clone())
            .unwrap_or_default();
        out.push(Factor {
            name: "minor_only",
            phrase,
        });
    }
    out
}

/// Products of factors: the combinations that make a risk (or unmake one).
const PAIRS: &[(&str, &str)] = &[
    ("elderly", "unreachable"),
    ("alone", "unreachable"),
    ("elderly", "alone"),
    ("child", "no_shelter"),
    ("no_shelter", "tonight"),
    ("no_shelter", "now"),
    ("child", "alone"),
    ("child", "harmed"),
    ("child", "unreachable"),
    ("elderly", "harmed"),
    ("frail", "harmed"),
    ("frail", "alone"),
    ("harmed", "several"),
    ("harmed", "responsible_gone"),
    ("harmed", "now"),
    ("many", "gathering"),
    ("several", "gathering"),
    ("group_word", "gathering"),
    ("many", "route"),
    ("many", "media"),
    ("many", "repeat"),
    ("many", "soon"),
    ("many", "demand"),
    ("group_word", "demand"),
    ("several", "demand"),
    ("demand", "now"),
    ("group_word", "route"),
    ("route", "repeat"),
    ("route", "unresolved"),
    ("route", "conditional"),
    ("media", "repeat"),
    ("minor_force", "no_injury"),
    ("minor_force", "weapon_injury"),
    ("minor_force", "harmed"),
    ("violence", "minor_only"),
    ("violence", "no_injury"),
    ("violence", "child"),
    ("violence", "elderly"),
    ("violence", "now"),
    ("self_harm", "conditional"),
    ("minor_force", "elderly"),
    ("self_harm", "now"),
    ("kill_threat", "weapon_injury"),
    ("gathering", "now"),
    ("very_many", "unresolved"),
    ("question", "elderly"),
    ("question", "child"),
    ("question", "frail"),
    ("question", "alone"),
    ("question", "harmed"),
    ("suggest", "elderly"),
    ("suggest", "child"),
    ("suggest", "alone"),
    ("suggest", "several"),
    ("praise", "harmed"),
];

/// Names of the features of a text: its factors and the products of [`PAIRS`] present.
fn feature_names(factors: &[Factor]) -> Vec<String> {
    let has = |n: &str| factors.iter().any(|f| f.name == n);
    let mut out: Vec<String> = factors.iter().map(|f| f.name.to_owned()).collect();
    for (a, b) in PAIRS {
        if has(a) && has(b) {
            out.push(format!("{a}*{b}"));
        }
    }
    out
}

/// Character 2- and 3-grams of the Han runs of a text (`g:不想`, `g:没人接`): the wording no
/// phrase list names, learned from the corpus. Each weighs `1/√n` over the text's `n` grams,
/// so a long text does not outvote a short one.
fn grams(text: &str) -> Vec<(String, f32)> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut Vec<String>| {
        for n in 2..=3 {
            for w in run.windows(n) {
                let mut g = String::from("g:");
                g.extend(w.iter());
                out.push(g);
            }
        }
        run.clear();
    };
    for c in text.chars() {
        if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out.sort_unstable();
    out.dedup();
    let value = if out.is_empty() {
        0.0
    } else {
        1.0 / (out.len().max(20) as f32).sqrt()
    };
    out.into_iter().map(|g| (g, value)).collect()
}

/// Every feature of a text with its value: factors and their products (1) and grams.
fn features(factors: &[Factor], grams: &[(String, f32)]) -> Vec<(String, f32)> {
    feature_names(factors)
        .into_iter()
        .map(|n| (n, 1.0))
        .chain(grams.iter().cloned())
        .collect()
}

/// The risk signals the factors name (added to the cue rules' ones).
pub(crate) fn signals_of(factors: &[Factor]) -> Vec<&'static str> {
    let has = |n: &str| factors.iter().any(|f| f.name == n);
    let mut out = Vec::new();
    // a roof or a crane is a place until someone is on it now or names a condition
    if has("self_harm") || (has("extreme_act") && (has("now") || has("conditional"))) {
        out.push("self_harm");
    }
    if has("weapon_injury") || has("kill_threat") {
        out.push("violence");
    }
    if has("gathering") && (has("several") || has("group_word")) {
        out.push("gathering");
    }
    if has("route") {
        out.push("petition");
    }
    let person = has("elderly") || has("child") || has("frail");
    let danger = has("unreachable") || has("alone") || has("no_shelter") || has("harmed");
    if (person && danger) || (has("harmed") && has("several")) {
        out.push("vulnerable");
    }
    if has("repeat") {
        out.push("repeated");
    }
    if has("media") {
        out.push("media");
    }
    out
}

/// Factors (with their phrases) and feature names of a normalised text, for debugging.
pub(crate) fn debug_features(text: &str) -> Vec<String> {
    let f = factors(text);
    let mut out: Vec<String> = f
        .iter()
        .map(|f| format!("{}={}", f.name, f.phrase))
        .collect();
    out.extend(
        feature_names(&f)
            .into_iter()
            .filter(|n| n.contains('*') || n.starts_with("cue:")),
    );
    out
}

// ---------------------------------------------------------------------------------------------
// The learned combination

/// A training row: features (name or index) with their values, the level, the weight.
type Row<F> = (Vec<(F, f32)>, usize, f32);

/// Heads: P(≥ low), P(≥ medium), P(high).
const HEADS: usize = 3;

/// A text scored for calibration: the heads' probabilities and its labelled level.
pub type Scored = ([f32; 3], usize);
const MAGIC: &str = "onewindow-risk-model 1";

/// Weights of the risk combination (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct RiskModel {
    bias: [f32; HEADS],
    /// Feature name → weights per head.
    weights: BTreeMap<String, [f32; HEADS]>,
    /// Probability each head needs to set its level.
    thresholds: [f32; HEADS],
}

/// Risk reading computed by [`RiskModel::assess`].
#[derive(Debug, Clone)]
pub(crate) struct Assessment {
    pub(crate) level: usize,
    pub(crate) score: f32,
    pub(crate) reasons: Vec<String>,
    pub(crate) factors: Vec<Factor>,
}

/// Settings of [`RiskModel::train`].
#[derive(Debug, Clone)]
pub struct RiskTrainOptions {
    pub iterations: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Probability P(high) needs for the level high.
    pub high_threshold: f32,
    pub medium_threshold: f32,
    pub low_threshold: f32,
    /// Copies of each text with factors dropped (see `train_weighted`), and the probability a
    /// factor is dropped from a copy.
    pub dropout_copies: usize,
    pub dropout: f32,
    /// Whether character grams are features too, and the weight a gram needs (on some head)
    /// to be kept in the file.
    pub grams: bool,
    pub gram_prune: f32,
}

impl Default for RiskTrainOptions {
    fn default() -> Self {
        RiskTrainOptions {
            iterations: 1000,
            learning_rate: 0.3,
            l2: 1e-4,
            high_threshold: 0.5,
            medium_threshold: 0.5,
            low_threshold: 0.5,
            dropout_copies: 2,
            dropout: 0.2,
            grams: true,
            gram_prune: 0.05,
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl RiskModel {
    /// A model that reads nothing (level none).
    pub(crate) fn empty() -> RiskModel {
        RiskModel {
            bias: [-10.0; HEADS],
            weights: BTreeMap::new(),
            thresholds: [0.5; HEADS],
        }
    }

    fn probabilities(&self, features: &[(String, f32)]) -> [f32; HEADS] {
        let mut z = self.bias;
        for (f, v) in features {
            if let Some(w) = self.weights.get(f) {
                for k in 0..HEADS {
                    z[k] += v * w[k];
                }
            }
        }
        z.map(sigmoid)
    }

    /// Level, score and reasons of a normalised text.
    pub(crate) fn assess(&self, text: &str) -> Assessment {
        let factors = factors(text);
        let grams = grams(text);
        let features = features(&factors, &grams);
        let p = self.probabilities(&features);
        let mut level = 0;
        for (k, (p, t)) in p.iter().zip(self.thresholds).enumerate() {
            if *p >= t {
                level = k + 1;
            }
        }
        // reasons: the factors whose own weight or whose combinations raised P(high)
        let weight_of: Vec<(f32, &Factor)> = factors
            .iter()
            .map(|f| {
                let own = self.weights.get(f.name).map_or(0.0, |w| w[HEADS - 1]);
                let combined: f32 = features
                    .iter()
                    .map(|(x, _)| x)
                    .filter(|x| x.split('*').any(|part| part == f.name) && x.contains('*'))
                    .filter_map(|x| self.weights.get(x))
                    .map(|w| w[HEADS - 1].max(0.0) / 2.0)
                    .sum();
                (own + combined, f)
            })
            .filter(|(w, _)| *w > 0.1)
            .collect();
        let mut all: Vec<(f32, String)> = weight_of
            .iter()
            .map(|(w, f)| (*w, format!("{}:{}", label(f.name), f.phrase)))
            .collect();
        if all.is_empty() {
            // no factor weighed: name the wording that did (措辞:没人接)
            let mut by_gram: Vec<(f32, &str)> = grams
                .iter()
                .filter_map(|(g, v)| Some((v * self.weights.get(g)?[HEADS - 1], g.as_str())))
                .filter(|(w, _)| *w > 0.05)
                .collect();
            by_gram.sort_by(|a, b| b.0.total_cmp(&a.0));
            all.extend(
                by_gram
                    .into_iter()
                    .take(3)
                    .map(|(w, g)| (w, format!("措辞:{}", g.trim_start_matches("g:")))),
            );
        }
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        let reasons = if level == 0 {
            Vec::new()
        } else {
            all.into_iter().map(|(_, r)| r).collect()
        };
        Assessment {
            level,
            score: p[HEADS - 1],
            reasons,
            factors,
        }
    }

    /// Learns the weights from examples labelled with a risk level (others are skipped).
    /// Full-batch gradient descent on the logistic loss with L2: deterministic.
    pub fn train(examples: &[Example], opts: &RiskTrainOptions) -> RiskModel {
        let weighted: Vec<(&Example, f32)> = examples.iter().map(|e| (e, 1.0)).collect();
        Self::train_weighted(&weighted, opts)
    }

    /// [`RiskModel::train`] with a weight per example (e.g. a corpus labelled under another
    /// policy weighing less).
    pub fn train_weighted(examples: &[(&Example, f32)], opts: &RiskTrainOptions) -> RiskModel {
        // factor dropout: besides each text, `opts.dropout_copies` copies that each lose some of
        // its factors, so that a combination still weighs when one of its usual companions is
        // worded in a way no phrase list knows (独居 without 联系不上 …)
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut coin = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f32 / (1u64 << 53) as f32
        };
        let mut rows: Vec<Row<String>> = Vec::new();
        for (e, weight) in examples {
            let Some(level) = LEVELS.iter().position(|l| Some(*l) == e.risk.as_deref()) else {
                continue;
            };
            let text = crate::prepare(&e.text);
            let found = factors(&text);
            let grams = if opts.grams { grams(&text) } else { Vec::new() };
            rows.push((features(&found, &grams), level, *weight));
            let copies = opts.dropout_copies;
            for _ in 0..copies {
                let kept: Vec<Factor> = found
                    .iter()
                    .filter(|_| coin() >= opts.dropout)
                    .cloned()
                    .collect();
                rows.push((features(&kept, &grams), level, weight / copies as f32));
            }
        }
        let mut names: Vec<String> = rows
            .iter()
            .flat_map(|(f, _, _)| f.iter().map(|(n, _)| n.clone()))
            .collect();
        names.sort_unstable();
        names.dedup();
        let index: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let encoded: Vec<Row<usize>> = rows
            .iter()
            .map(|(f, l, w)| {
                (
                    f.iter().map(|(n, v)| (index[n.as_str()], *v)).collect(),
                    *l,
                    *w,
                )
            })
            .collect();
        let n = encoded.iter().map(|(_, _, w)| w).sum::<f32>().max(1.0);
        let mut w = vec![[0.0f32; HEADS]; names.len()];
        let mut bias = [0.0f32; HEADS];
        let mut squares = vec![[0.0f32; HEADS]; names.len()];
        let mut bias_squares = [0.0f32; HEADS];
        for _ in 0..opts.iterations {
            let mut gw = vec![[0.0f32; HEADS]; names.len()];
            let mut gb = [0.0f32; HEADS];
            for (row, level, weight) in &encoded {
                let mut z = bias;
                for &(f, v) in row {
                    for k in 0..HEADS {
                        z[k] += v * w[f][k];
                    }
                }
                for k in 0..HEADS {
                    let y = if *level > k { 1.0 } else { 0.0 };
                    let g = weight * (sigmoid(z[k]) - y);
                    gb[k] += g;
                    for &(f, v) in row {
                        gw[f][k] += g * v;
                    }
                }
            }
            // AdaGrad: a factor seen in twenty texts learns as fast as one seen in two thousand
            for k in 0..HEADS {
                let g = gb[k] / n;
                bias_squares[k] += g * g;
                bias[k] -= opts.learning_rate * g / (bias_squares[k].sqrt() + 1e-8);
            }
            for ((wf, g), sq) in w.iter_mut().zip(&gw).zip(squares.iter_mut()) {
                for k in 0..HEADS {
                    let g = g[k] / n + opts.l2 * wf[k];
                    sq[k] += g * g;
                    wf[k] -= opts.learning_rate * g / (sq[k].sqrt() + 1e-8);
                }
            }
        }
        let q = |x: f32| (x * 1000.0).round() / 1000.0;
        RiskModel {
            bias: bias.map(q),
            weights: names
                .into_iter()
                .zip(w)
                .map(|(n, w)| (n, w.map(q)))
                .filter(|(n, w)| {
                    let floor = if n.starts_with("g:") {
                        opts.gram_prune
                    } else {
                        0.0
                    };
                    w.iter().any(|x| x.abs() > floor)
                })
                .collect(),
            thresholds: [
                opts.low_threshold,
                opts.medium_threshold,
                opts.high_threshold,
            ]
            .map(q),
        }
    }

    /// Sets the thresholds from labelled texts the weights were *not* learned on (a development
    /// set; never the held-out one), returning the figures they give there:
    ///
    /// - high: the threshold with the best high-risk recall among those whose precision reaches
    ///   `precision` (the highest such threshold on ties), so the level high stays an alarm a
    ///   supervisor believes;
    /// - low: among the thresholds that keep `floor_recall` of the high-risk texts at low or
    ///   above (so a high-risk order is not left at none when the high head misses it), the one
    ///   that gets most levels right;
    /// - medium: the threshold that gets most levels right given the other two.
    ///
    /// `rows` are [`RiskModel::scored`] texts: scored by this model, or, when this model has
    /// learned on the development set too, by models that each left out the part they score
    /// (cross-fitting: `examples/train_risk.rs --calibrate`).
    ///
    /// `mix`, when given, is a subset of `rows` that has a hotline's prevalence (one text in
    /// eight high rather than one in three) with the precision the high threshold must keep
    /// there as well: a threshold set where danger is common flags too much of an ordinary day.
    pub fn calibrate(
        &mut self,
        rows: &[Scored],
        precision: f64,
        floor_recall: f64,
        mix: Option<(&[Scored], f64)>,
    ) -> String {
        let grid: Vec<f32> = (2..=95).map(|i| i as f32 / 100.0).collect();
        let high_support = rows.iter().filter(|(_, l)| *l == 3).count().max(1) as f64;
        let precision_at = |rows: &[Scored], t: f32| {
            let flagged = rows.iter().filter(|(p, _)| p[2] >= t).count();
            let correct = rows.iter().filter(|(p, l)| p[2] >= t && *l == 3).count();
            (flagged > 0).then(|| correct as f64 / flagged as f64)
        };
        let mut best: Option<(f64, f32)> = None;
        for &t in &grid {
            let correct = rows.iter().filter(|(p, l)| p[2] >= t && *l == 3).count();
            if precision_at(rows, t).is_none_or(|p| p < precision) {
                continue;
            }
            if let Some((mix, floor)) = mix
                && precision_at(mix, t).is_some_and(|p| p < floor)
            {
                continue;
            }
            let recall = correct as f64 / high_support;
            if best.is_none_or(|(r, _)| recall >= r) {
                best = Some((recall, t));
            }
        }
        self.thresholds[2] = best.map_or(0.5, |(_, t)| t);
        // a text is above none when any head reaches its threshold
        let above_none = |p: &[f32; HEADS], t: &[f32; HEADS]| (0..HEADS).any(|k| p[k] >= t[k]);
        let level_of = |p: &[f32; HEADS], th: &[f32; HEADS]| {
            (0..HEADS)
                .filter(|&k| p[k] >= th[k])
                .map(|k| k + 1)
                .max()
                .unwrap_or(0)
        };
        let mut best_low: Option<(usize, f32)> = None;
        for &t in &grid {
            let mut th = self.thresholds;
            th[0] = t;
            let kept = rows
                .iter()
                .filter(|(p, l)| *l == 3 && above_none(p, &th))
                .count();
            if (kept as f64 / high_support) < floor_recall {
                continue;
            }
            let right = rows.iter().filter(|(p, l)| level_of(p, &th) == *l).count();
            if best_low.is_none_or(|(r, _)| right > r) {
                best_low = Some((right, t));
            }
        }
        self.thresholds[0] = best_low.map_or(0.5, |(_, t)| t);
        let mut best_medium = (0usize, 0.5f32);
        for &t in &grid {
            let mut th = self.thresholds;
            th[1] = t;
            let right = rows.iter().filter(|(p, l)| level_of(p, &th) == *l).count();
            if right > best_medium.0 {
                best_medium = (right, t);
            }
        }
        self.thresholds[1] = best_medium.1;
        self.thresholds = self.thresholds.map(|x| (x * 1000.0).round() / 1000.0);
        let th = self.thresholds;
        let flagged = rows.iter().filter(|(p, _)| p[2] >= th[2]).count();
        let correct = rows
            .iter()
            .filter(|(p, l)| p[2] >= th[2] && *l == 3)
            .count();
        let at_none = rows
            .iter()
            .filter(|(p, l)| *l == 3 && level_of(p, &th) == 0)
            .count();
        let mut report = format!(
            "thresholds low {:.2} medium {:.2} high {:.2} on {} texts: high recall {:.1}% precision {:.1}%, high at none {at_none}, levels right {:.1}%",
            th[0],
            th[1],
            th[2],
            rows.len(),
            100.0 * correct as f64 / high_support,
            100.0 * correct as f64 / flagged.max(1) as f64,
            100.0 * best_medium.0 as f64 / rows.len().max(1) as f64,
        );
        if let Some((mix, _)) = mix {
            let support = mix.iter().filter(|(_, l)| *l == 3).count().max(1);
            let found = mix.iter().filter(|(p, l)| p[2] >= th[2] && *l == 3).count();
            let _ = write!(
                report,
                "; at a hotline's prevalence ({} texts): high recall {:.1}% precision {:.1}%",
                mix.len(),
                100.0 * found as f64 / support as f64,
                100.0 * precision_at(mix, th[2]).unwrap_or(0.0)
            );
        }
        report
    }

    /// The probabilities of the heads (P(≥ low), P(≥ medium), P(high)) and the labelled level
    /// (0 none … 3 high) of each example labelled with a risk level.
    pub fn scored(&self, examples: &[Example]) -> Vec<Scored> {
        examples
            .iter()
            .filter_map(|e| {
                let level = LEVELS.iter().position(|l| Some(*l) == e.risk.as_deref())?;
                let text = crate::prepare(&e.text);
                let f = factors(&text);
                Some((self.probabilities(&features(&f, &grams(&text))), level))
            })
            .collect()
    }

    /// The thresholds (P(≥ low), P(≥ medium), P(high)).
    pub fn thresholds(&self) -> [f32; HEADS] {
        self.thresholds
    }

    /// The weights as text: a header, the thresholds, the bias, then one feature a line.
    pub fn to_text(&self) -> String {
        let mut s = format!("{MAGIC}\n");
        let three = |a: [f32; HEADS]| {
            a.iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(s, "thresholds {}", three(self.thresholds));
        let _ = writeln!(s, "bias {}", three(self.bias));
        for (name, w) in &self.weights {
            let _ = writeln!(s, "{name} {}", three(*w));
        }
        s
    }

    /// Reads [`RiskModel::to_text`].
    pub fn from_text(text: &str) -> Result<RiskModel, String> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(MAGIC) {
            return Err(format!("not a risk model (expected `{MAGIC}`)"));
        }
        let mut read = |want: Option<&str>| -> Result<Option<(String, [f32; HEADS])>, String> {
            let Some(line) = lines.next() else {
                return Ok(None);
            };
            let mut parts = line.split_whitespace();
            let name = parts.next().ok_or("empty line")?.to_owned();
            if let Some(want) = want
                && name != want
            {
                return Err(format!("expected `{want}`, got `{line}`"));
            }
            let mut v = [0.0; HEADS];
            for x in &mut v {
                *x = parts
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| format!("bad line `{line}`"))?;
            }
            Ok(Some((name, v)))
        };
        let (_, thresholds) = read(Some("thresholds"))?.ok_or("missing thresholds")?;
        let (_, bias) = read(Some("bias"))?.ok_or("missing bias")?;
        let mut weights = BTreeMap::new();
        while let Some((name, w)) = read(None)? {
            weights.insert(name, w);
        }
        Ok(RiskModel {
            bias,
            weights,
            thresholds,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&'static str> {
        factors(&crate::normalise(text))
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("四百"), Some(400));
        assert_eq!(parse_count("二十"), Some(20));
        assert_eq!(parse_count("七八十"), Some(80));
        assert_eq!(parse_count("十几"), Some(15));
        assert_eq!(parse_count("几十"), Some(30));
        assert_eq!(parse_count("一百二十"), Some(120));
        assert_eq!(parse_count("412"), Some(412));
        assert_eq!(
            group_size("我们小区四百多户业主"),
            Some((400, "四百多户".to_owned()))
        );
        assert_eq!(group_size("二十余人聚集在门口").unwrap().0, 20);
        assert_eq!(group_size("三十来号人").unwrap().0, 30);
        assert_eq!(group_size("上百名工人").unwrap().0, 100);
        assert_eq!(group_size("13名员工").unwrap().0, 13);
        // times, ages and floors are not people
        assert_eq!(group_size("第三次反映,八十多岁,3幢"), None);
    }

    #[test]
    fn four_hundred_households_are_many() {
        let f = names("我们小区四百多户，再不解决就一起去省里");
        for want in ["several", "many", "very_many", "route", "conditional"] {
            assert!(f.contains(&want), "{want}: {f:?}");
        }
    }

    #[test]
    fn past_and_figures_do_not_count() {
        let f = names("去年这里有人跳过楼,现在楼顶门开着");
        assert!(!f.contains(&"self_harm"), "{f:?}");
        assert!(f.contains(&"past"), "{f:?}");
        let f = names("商场搞跳楼价大甩卖,北京路上吵死了");
        assert!(!f.contains(&"self_harm") && !f.contains(&"route"), "{f:?}");
        assert!(f.contains(&"figurative"), "{f:?}");
    }

    #[test]
    fn text_round_trip() {
        let m = RiskModel::from_text(crate::RISK_MODEL).unwrap();
        assert_eq!(m.to_text(), crate::RISK_MODEL);
        assert!(RiskModel::from_text("hello").is_err());
    }
}
