//! Scenario tests: a district's ordinary month of cases (the background), with the situations the
//! warning exists for laid into it. Every cluster must be found with exactly its members, every
//! repeat caller with its count, and nothing made of background cases that merely share a street,
//! a community or a week.
#![allow(clippy::unwrap_used)]

use super::*;

const T: i64 = 1_795_485_600_000; // 2026-11-24 10:00 Shanghai
const HOUR: i64 = 3_600_000;

/// A small deterministic generator (no dependency for tests).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

const COMMUNITIES: [&str; 8] = [
    "330188001001",
    "330188001002",
    "330188001003",
    "330188002001",
    "330188002002",
    "330188003001",
    "330188003002",
    "330188004001",
];

/// Ordinary requests: different problems, places and people; some share a community and a week,
/// as ordinary requests do.
const BACKGROUND: &[(&str, &str)] = &[
    (
        "城市管理/占道经营",
        "菜场门口晚上有流动摊贩占道经营，行人不好走",
    ),
    ("环境保护/噪声污染", "楼下棋牌室每天半夜还很吵，影响休息"),
    (
        "交通运输/停车管理",
        "小区门口的路边经常有车乱停，堵住消防通道",
    ),
    ("住房建设/物业管理", "电梯坏了三天了物业一直没来修"),
    ("市场监管/消费维权", "在超市买的牛奶过期了，商家不肯退"),
    (
        "邻里纠纷/相邻关系",
        "楼上邻居装修把我家天花板弄漏水了，协商不成",
    ),
    ("民政养老/居家养老", "想咨询一下高龄补贴怎么申请"),
    ("城市管理/市容环境", "垃圾桶满了好几天没人清运，味道很大"),
    ("交通运输/道路设施", "路灯坏了晚上很黑，希望尽快修理"),
    ("教育/入学招生", "咨询孩子明年上小学的学区划分"),
    ("环境保护/大气污染", "附近餐馆油烟直排，窗户都不敢开"),
    ("卫生健康/医保报销", "异地就医的医保报销流程是什么"),
    ("公共安全/消防隐患", "楼道里堆满了杂物，还有人给电动车充电"),
    ("水电气/供电", "家里电压不稳，灯一闪一闪的"),
];

fn case(id: usize, at: i64, phone: &str, text: &str, category: &str, region: &str) -> ScanCase {
    ScanCase {
        id: format!("c{id}"),
        number: format!("2026-{id:06}"),
        reported_at: at,
        phone: phone.into(),
        text: text.into(),
        category: category.into(),
        region: region.into(),
        text_risk: "none".into(),
        returned: false,
        overdue: false,
        unsatisfied: false,
        reopened: false,
        merged_into: None,
    }
}

/// 600 ordinary cases over the 30 days before T, each from its own phone.
fn background() -> Vec<ScanCase> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    (0..600)
        .map(|i| {
            let (cat, text) = *r.pick(BACKGROUND);
            let region = *r.pick(&COMMUNITIES);
            let at = T - (r.next() % (30 * 24)) as i64 * HOUR;
            case(i, at, &format!("1390000{i:04}"), text, cat, region)
        })
        .collect()
}

fn ids(c: &Candidate) -> BTreeSet<String> {
    c.case_ids.iter().cloned().collect()
}

fn found(all: &[Candidate], kind: Kind) -> Vec<&Candidate> {
    all.iter().filter(|c| c.kind == kind).collect()
}

#[test]
fn the_background_alone_raises_nothing() {
    let all = scan(&background(), T, &Settings::default());
    assert!(
        all.is_empty(),
        "{:#?}",
        all.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
}

#[test]
fn buyers_of_one_project_from_many_towns_are_one_cluster() {
    let mut cases = background();
    // 28 buyers of one stalled project, calling from four streets over three weeks, in their own
    // words; some name the phase, some only the project.
    let texts = [
        "我是万科城二期项目的业主，交房时间过了半年还没交房，开发商也联系不上",
        "万科城二期项目烂尾了，我们首付都交了，要求政府出面",
        "买的万科城二期项目房子停工好几个月了，每个月还在还房贷",
        "万科城二期项目工地已经没人施工，业主们都很着急，准备一起去售楼处讨说法",
        "反映万科城二期项目逾期交房问题，开发商一直拖",
    ];
    let first = cases.len();
    for i in 0..28 {
        let region = COMMUNITIES[i % 7];
        let at = T - (i as i64 % 21) * 24 * HOUR - 3 * HOUR;
        let mut c = case(
            first + i,
            at,
            &format!("1358888{i:04}"),
            texts[i % texts.len()],
            "住房建设/房屋质量",
            region,
        );
        if i == 27 {
            c.text_risk = "high".into();
        }
        cases.push(c);
    }
    let all = scan(&cases, T, &Settings::default());
    let clusters = found(&all, Kind::Cluster);
    assert_eq!(
        clusters.len(),
        1,
        "{:#?}",
        clusters.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    let c = clusters[0];
    let want: BTreeSet<String> = (first..first + 28).map(|i| format!("c{i}")).collect();
    assert_eq!(ids(c), want);
    assert_eq!(c.evidence["reporters"], 28);
    assert_eq!(c.evidence["object"], "万科城二期项目");
    assert_eq!(level_name(c.level), "red");
    // Spread over streets: the district's alert.
    assert_eq!(c.region, "330188");
}

#[test]
fn an_outage_is_a_burst_of_one_community() {
    let mut cases = background();
    let texts = [
        "家里停水了，从早上到现在一滴水都没有",
        "我们这里停水一整天了，也没有通知",
        "小区停水了，老人孩子没水用，什么时候来水",
        "停水一天了没人管，打自来水公司电话打不通",
        "突然停水，也没看到停水通知",
    ];
    let first = cases.len();
    for i in 0..25 {
        cases.push(case(
            first + i,
            T - (i as i64 % 20) * HOUR,
            &format!("1367777{i:04}"),
            texts[i % texts.len()],
            "水电气/供水",
            COMMUNITIES[2],
        ));
    }
    let all = scan(&cases, T, &Settings::default());
    let clusters = found(&all, Kind::Cluster);
    assert_eq!(
        clusters.len(),
        1,
        "{:#?}",
        clusters.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    let want: BTreeSet<String> = (first..first + 25).map(|i| format!("c{i}")).collect();
    assert_eq!(ids(clusters[0]), want);
    assert_eq!(clusters[0].region, COMMUNITIES[2]);
    assert_eq!(level_name(clusters[0].level), "red");
}

#[test]
fn neighbours_of_an_estate_with_unrelated_problems_are_not_a_cluster() {
    let mut cases = background();
    // Seven residents of one estate within a fortnight, each about something else.
    let unrelated = [
        ("环境保护/噪声污染", "金桥花园楼下广场舞音响太响"),
        ("交通运输/停车管理", "金桥花园门口乱停车"),
        ("民政养老/居家养老", "金桥花园的老人想申请助餐服务"),
        ("市场监管/消费维权", "在金桥花园旁边的理发店办卡后店跑了"),
        ("教育/入学招生", "金桥花园对口哪个小学"),
        ("水电气/燃气", "金桥花园的燃气费怎么涨了"),
        ("卫生健康/医疗服务", "金桥花园附近社区医院周末不开门"),
    ];
    let first = cases.len();
    for (i, (cat, text)) in unrelated.iter().enumerate() {
        cases.push(case(
            first + i,
            T - i as i64 * 40 * HOUR,
            &format!("1356666{i:04}"),
            text,
            cat,
            COMMUNITIES[0],
        ));
    }
    let all = scan(&cases, T, &Settings::default());
    assert!(
        found(&all, Kind::Cluster).is_empty(),
        "{:#?}",
        all.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
}

#[test]
fn one_caller_six_times_is_a_repeat_caller_not_a_crowd() {
    let mut cases = background();
    let first = cases.len();
    let texts = [
        "楼上装修太吵，中午都不停",
        "又是楼上装修的噪音，上次反映了没人管",
        "楼上还在吵，你们到底管不管",
        "第四次反映了，装修噪音一点没改",
        "已经反映很多次了还是没人处理，再不处理我就自己上去解决",
        "再不管我就去找媒体，去省里反映",
    ];
    for (i, text) in texts.iter().enumerate() {
        let mut c = case(
            first + i,
            T - (6 - i as i64) * 24 * HOUR,
            "13912345678",
            text,
            "环境保护/噪声污染",
            COMMUNITIES[1],
        );
        c.text_risk = match i {
            0..=2 => "none",
            3 => "low",
            4 => "medium",
            _ => "high",
        }
        .into();
        c.unsatisfied = i == 2;
        cases.push(c);
    }
    let all = scan(&cases, T, &Settings::default());
    let repeat = found(&all, Kind::RepeatCaller);
    assert_eq!(repeat.len(), 1);
    let r = repeat[0];
    assert_eq!(r.case_ids.len(), 6);
    assert_eq!(r.phone.as_deref(), Some("13912345678"));
    assert_eq!(r.evidence["language_rising"], true);
    assert_eq!(r.evidence["handling"]["unsatisfied"], 1);
    assert_eq!(level_name(r.level), "red");
    // One person is one reporter: no cluster of them.
    assert!(found(&all, Kind::Cluster).is_empty());
    // The last text is high on its own.
    assert_eq!(found(&all, Kind::Language).len(), 1);
}

#[test]
fn windows_are_measured_on_reported_at() {
    // Three calls of one phone, the first eight days before `as_of`: two in a 7-day window, no
    // alert; three in a 10-day one. Scanned as of an earlier instant (imported history), cases
    // reported after it do not count.
    let cases: Vec<ScanCase> = (0..3)
        .map(|i| {
            case(
                i,
                T - [8 * 24, 3 * 24, 1][i] * HOUR,
                "13800001111",
                "门口占道经营",
                "城市管理/占道经营",
                COMMUNITIES[0],
            )
        })
        .collect();
    let s = Settings::default();
    assert!(
        repeat_callers(&cases, T, &s).is_empty(),
        "8 days before is outside 7"
    );
    let wide = Settings {
        repeat_window_days: 10,
        ..Settings::default()
    };
    let r = repeat_callers(&cases, T, &wide);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].case_ids, vec!["c0", "c1", "c2"]);
    // Cases reported after `as_of` do not count.
    assert!(repeat_callers(&cases, T - 4 * 24 * HOUR, &wide).is_empty());
}

#[test]
fn objects_are_read_from_the_text() {
    assert_eq!(objects("我住在金桥花园3幢"), vec!["金桥花园"]);
    assert_eq!(objects("我们小区停水了"), Vec::<String>::new());
    assert_eq!(objects("万科城二期项目的业主"), vec!["万科城二期项目"]);
    assert_eq!(
        objects("宏达电子厂拖欠工资，工人在临江路聚集"),
        vec!["宏达电子厂", "临江路"]
    );
    assert_eq!(objects("孩子在实验小学被欺负"), vec!["实验小学"]);
    // Common nouns and longer words that end like a name are not objects.
    for text in [
        "老旧小区改造进度太慢",
        "附近小区的车乱停",
        "临江街道的工作人员",
        "公交线路调整后很不方便",
        "渣土车经过时沿路洒落",
        "道路坑洼不平",
        "路灯不亮",
        "希望在附近增设公厕或推动沿街商铺整改",
        "希望了解政府的补贴政策",
        "来电人认为公司做得不对",
        "下雨后堵塞路段积水",
        "请督促学校整改",
        "孩子应该上哪所学校",
    ] {
        assert_eq!(objects(text), Vec::<String>::new(), "{text}");
    }
    assert_eq!(objects("文昌路口的红绿灯坏了"), vec!["文昌路"]);
}

#[test]
fn the_key_of_an_alert_is_stable_as_members_join() {
    let mut cases = background();
    let first = cases.len();
    for i in 0..6 {
        cases.push(case(
            first + i,
            T - (10 - i as i64) * 24 * HOUR,
            &format!("1351111{i:04}"),
            "宏达电子厂拖欠工人工资三个月了",
            "劳动社保/拖欠工资",
            COMMUNITIES[5],
        ));
    }
    let s = Settings::default();
    let before = found(&scan(&cases, T - 8 * 24 * HOUR, &s), Kind::Cluster)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let after = found(&scan(&cases, T, &s), Kind::Cluster)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(before.is_empty(), "5 reporters needed; 3 by then");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].key, "object:宏达电子厂");
    assert_eq!(level_name(after[0].level), "yellow");
}

#[test]
fn a_busy_road_is_not_a_crowd() {
    let mut cases = background();
    // Thirty people over two weeks mention the same road, about all sorts of things (some of the
    // same kind, 城市管理; each problem reported twice, from either end of the road).
    let problems = [
        ("城市管理/占道经营", "菜场门口的摊贩占道"),
        ("城市管理/市容环境", "垃圾桶满了没人清"),
        ("城市管理/户外广告", "广告牌被风吹歪了"),
        ("交通运输/道路设施", "有个井盖松动"),
        ("交通运输/停车管理", "人行道上停满了车"),
        ("环境保护/噪声污染", "夜里渣土车很吵"),
        ("交通运输/道路设施", "路灯晚上不亮"),
        ("城市管理/市容环境", "行道树的枝条挡住了路"),
        ("交通运输/道路设施", "下雨积水严重"),
        ("交通运输/公交线路", "公交站牌坏了"),
        ("城市管理/市容环境", "绿化带被踩坏了"),
        ("交通运输/停车管理", "共享单车乱放"),
        ("环境保护/大气污染", "一家烧烤店油烟大"),
        ("城市管理/违章搭建", "施工围挡倒在人行道上"),
        ("交通运输/道路设施", "红绿灯时间太短"),
    ];
    let first = cases.len();
    for i in 0..30 {
        let (cat, what) = problems[i % problems.len()];
        let end = if i < 15 { "东段" } else { "西段" };
        cases.push(case(
            first + i,
            T - (i as i64 % 14) * 24 * HOUR - 5 * HOUR,
            &format!("1352222{i:04}"),
            &format!("临江路{end}{what}"),
            cat,
            COMMUNITIES[i % 3],
        ));
    }
    let all = scan(&cases, T, &Settings::default());
    assert!(
        found(&all, Kind::Cluster).is_empty(),
        "{:#?}",
        all.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
}

#[test]
fn workers_of_one_factory_are_a_cluster_and_the_rest_of_its_street_is_not() {
    let mut cases = background();
    let texts = [
        "宏达电子厂拖欠我们三个月工资了，老板电话打不通",
        "我在宏达电子厂上班，工资一直不发，二十多个工友都一样",
        "宏达电子厂欠薪，我们准备明天去厂门口拉横幅",
        "宏达电子厂老板跑了，工资没人发",
    ];
    let first = cases.len();
    for i in 0..12 {
        cases.push(case(
            first + i,
            T - (i as i64 % 6) * 24 * HOUR,
            &format!("1353333{i:04}"),
            texts[i % texts.len()],
            "劳动社保/拖欠工资",
            COMMUNITIES[5 + i % 2],
        ));
    }
    // A neighbour complains about the factory's noise: about the factory, not about wages.
    cases.push(case(
        first + 12,
        T - 2 * HOUR,
        "13533339999",
        "宏达电子厂晚上机器太吵",
        "环境保护/噪声污染",
        COMMUNITIES[5],
    ));
    let all = scan(&cases, T, &Settings::default());
    let clusters = found(&all, Kind::Cluster);
    assert_eq!(
        clusters.len(),
        1,
        "{:#?}",
        clusters.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    let want: BTreeSet<String> = (first..first + 12).map(|i| format!("c{i}")).collect();
    assert_eq!(ids(clusters[0]), want);
    assert_eq!(level_name(clusters[0].level), "orange");
    assert_eq!(clusters[0].key, "object:宏达电子厂");
    assert_eq!(clusters[0].region, "330188003");
}

#[test]
fn a_crowd_in_one_community_on_one_day_keeps_the_object_it_names() {
    let mut cases = background();
    let first = cases.len();
    for i in 0..6 {
        cases.push(case(
            first + i,
            T - i as i64 * HOUR,
            &format!("1354444{i:04}"),
            &format!("我在宏达7321电子厂上班，工资{}个月没发了", 2 + i % 3),
            "劳动社保/拖欠工资",
            COMMUNITIES[0],
        ));
    }
    let all = scan(&cases, T, &Settings::default());
    let clusters = found(&all, Kind::Cluster);
    assert_eq!(
        clusters.len(),
        1,
        "{:#?}",
        clusters.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    assert_eq!(clusters[0].key, "object:宏达7321电子厂");
    assert_eq!(clusters[0].case_ids.len(), 6);
}

#[test]
fn a_burst_about_a_named_object_is_that_objects_alert() {
    let mut cases = background();
    let first = cases.len();
    // Six workers name the factory; a seventh of the same community and day does not.
    for i in 0..6 {
        cases.push(case(
            first + i,
            T - i as i64 * HOUR,
            &format!("1355555{i:04}"),
            &format!("我在宏达7321电子厂上班，工资{}个月没发了", 2 + i % 3),
            "劳动社保/拖欠工资",
            COMMUNITIES[0],
        ));
    }
    cases.push(case(
        first + 6,
        T - 7 * HOUR,
        "13555559999",
        "厂里工资三个月没发了，老板找不到",
        "劳动社保/拖欠工资",
        COMMUNITIES[0],
    ));
    let all = scan(&cases, T, &Settings::default());
    let clusters = found(&all, Kind::Cluster);
    assert_eq!(
        clusters.len(),
        1,
        "{:#?}",
        clusters.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    assert_eq!(clusters[0].key, "object:宏达7321电子厂");
    assert!(
        clusters[0].summary.contains("宏达7321电子厂"),
        "{}",
        clusters[0].summary
    );
    // The seventh, who names no factory, is not counted among its workers.
    assert_eq!(clusters[0].case_ids.len(), 6);
    assert!(!clusters[0].case_ids.contains(&format!("c{}", first + 6)));
}

/// A background over half a year (for history): the month's background repeated back in time,
/// a tenth of it badly handled, as a district's record is.
fn half_year() -> Vec<ScanCase> {
    let mut out = Vec::new();
    for month in 0..6 {
        for (j, mut c) in background().into_iter().enumerate() {
            c.id = format!("m{month}-{}", c.id);
            c.number = format!("M{month}-{}", c.number);
            c.reported_at -= i64::from(month) * 30 * 24 * HOUR;
            // Other people every month: one person's own history is a scenario of its own.
            c.phone = format!("15{month}{j:08}");
            c.overdue = j % 10 == 0;
            out.push(c);
        }
    }
    out
}

fn failed_mediation(id: &str, days_ago: i64, text: &str, phones: &[&str]) -> PastMediation {
    PastMediation {
        id: id.into(),
        outcome: "failed".into(),
        ended_at: T - days_ago * 24 * HOUR,
        text: text.into(),
        phones: phones.iter().map(|p| (*p).to_string()).collect(),
        route: "诉讼".into(),
    }
}

#[test]
fn a_new_case_about_an_object_whose_mediation_failed_is_a_history_alert() {
    let mut cases = half_year();
    let n = cases.len();
    // Two months ago the wage dispute at 宏达电子厂 went to mediation and failed.
    let m = failed_mediation(
        "med-1",
        60,
        "宏达电子厂拖欠三十名工人工资纠纷。工人与厂方就欠薪数额分歧较大",
        &["13900002222"],
    );
    // Today one worker calls again (from another phone), and one unrelated case names another
    // factory.
    cases.push(case(
        n,
        T - 5 * HOUR,
        "13711112222",
        "宏达电子厂还是不发工资，调解也没用，我们准备去区政府门口拉横幅",
        "劳动保障/欠薪",
        COMMUNITIES[3],
    ));
    cases.push(case(
        n + 1,
        T - 4 * HOUR,
        "13711113333",
        "恒信机械厂加班费没给，想咨询怎么维权",
        "劳动保障/欠薪",
        COMMUNITIES[4],
    ));
    let all = scan_with(&cases, &[m], T, &Settings::default());
    let hist = found(&all, Kind::History);
    assert_eq!(
        hist.len(),
        1,
        "{:#?}",
        hist.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    let h = hist[0];
    assert_eq!(h.key, "history:object:宏达电子厂");
    assert_eq!(ids(h), BTreeSet::from([format!("c{n}")]));
    assert_eq!(h.evidence["failed_mediations"][0]["id"], "med-1");
    assert_eq!(h.evidence["failed_mediations"][0]["route"], "诉讼");
    assert!(h.summary.contains("调解未成 1 次"), "{}", h.summary);
    // Without the mediation, the same cases raise no history alert.
    let none = scan_with(&cases, &[], T, &Settings::default());
    assert!(found(&none, Kind::History).is_empty());
    // A mediation that ended before the window counts no more.
    let old = failed_mediation("med-0", 200, "宏达电子厂欠薪纠纷", &[]);
    assert!(
        found(
            &scan_with(&cases, &[old], T, &Settings::default()),
            Kind::History
        )
        .is_empty()
    );
}

#[test]
fn an_object_with_badly_handled_cases_before_is_history_but_only_in_its_own_topic() {
    let mut cases = half_year();
    let n = cases.len();
    // Over four months, three complaints about 金桥花园's water pressure went overdue or
    // unsatisfied; a fourth about its parking was handled well.
    for (i, (days, cat, text)) in [
        (120, "水电气/供水", "金桥花园高层水压不够，六楼以上没水"),
        (90, "水电气/供水", "金桥花园又没水了，上次说修好了根本没修"),
        (45, "水电气/供水", "金桥花园供水问题反映多次一直没解决"),
        (30, "交通运输/停车管理", "金桥花园门口车辆乱停"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = case(
            n + i,
            T - days * 24 * HOUR,
            &format!("1360000{i:04}"),
            text,
            cat,
            COMMUNITIES[1],
        );
        c.overdue = i == 0 || i == 3;
        c.unsatisfied = i == 1 || i == 2;
        cases.push(c);
    }
    // Now: one more about its water, and one about noise in the same estate.
    cases.push(case(
        n + 10,
        T - 2 * HOUR,
        "13600009999",
        "金桥花园今天又停水，老人孩子都没水喝",
        "水电气/供水",
        COMMUNITIES[1],
    ));
    cases.push(case(
        n + 11,
        T - HOUR,
        "13600008888",
        "金桥花园楼下广场舞太吵",
        "环境保护/噪声污染",
        COMMUNITIES[1],
    ));
    let all = scan_with(&cases, &[], T, &Settings::default());
    let hist = found(&all, Kind::History);
    assert_eq!(
        hist.len(),
        1,
        "{:#?}",
        hist.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    let h = hist[0];
    assert_eq!(h.key, "history:object:金桥花园");
    // The three badly handled water cases and the new water case; not the parking case (handled
    // in another topic), not the noise complaint.
    assert_eq!(
        ids(h),
        BTreeSet::from([
            format!("c{n}"),
            format!("c{}", n + 1),
            format!("c{}", n + 2),
            format!("c{}", n + 10)
        ])
    );
    assert_eq!(h.evidence["earlier"], 3);
    assert_eq!(h.evidence["recent"], 1);
}

#[test]
fn a_caller_whose_earlier_cases_went_wrong_is_history_and_the_background_is_not() {
    let mut cases = half_year();
    // The half year's background alone (a tenth of it overdue) raises no history alert.
    assert!(
        found(
            &scan_with(&cases, &[], T, &Settings::default()),
            Kind::History
        )
        .is_empty()
    );
    let n = cases.len();
    for (i, days) in [150, 100, 40].into_iter().enumerate() {
        let mut c = case(
            n + i,
            T - days * 24 * HOUR,
            "13855550000",
            "楼上漏水到我家，物业不管",
            "邻里纠纷/相邻关系",
            COMMUNITIES[2],
        );
        c.returned = true;
        cases.push(c);
    }
    // A failed mediation in which the same person was a party.
    let m = failed_mediation("med-9", 20, "邻里漏水纠纷，双方各执一词", &["13855550000"]);
    cases.push(case(
        n + 5,
        T - HOUR,
        "13855550000",
        "楼上还是漏水，再不解决我就自己上去砸了",
        "邻里纠纷/相邻关系",
        COMMUNITIES[2],
    ));
    let all = scan_with(&cases, &[m], T, &Settings::default());
    let hist = found(&all, Kind::History);
    assert_eq!(
        hist.len(),
        1,
        "{:#?}",
        hist.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    let h = hist[0];
    assert_eq!(h.key, "history:phone:13855550000");
    assert_eq!(h.phone.as_deref(), Some("13855550000"));
    assert_eq!(h.case_ids.len(), 4);
    // A failed mediation and three earlier cases gone wrong: orange.
    assert_eq!(h.level, 3);
    assert!(
        !h.summary.contains("13855550000"),
        "the summary masks the phone: {}",
        h.summary
    );
}

#[test]
fn duplicates_merged_into_a_case_count_as_callers_of_its_cluster() {
    let mut cases = background();
    let n = cases.len();
    // An outage in one community: three calls in their own words, and four more callers whose
    // calls the dispatcher merged into the first as duplicates (their words are short).
    for i in 0..3 {
        cases.push(case(
            n + i,
            T - (3 - i as i64) * HOUR,
            &format!("1371234{i:04}"),
            "东方花园整栋楼停水一上午了，没有任何通知",
            "水电气/供水",
            COMMUNITIES[5],
        ));
    }
    for i in 3..7 {
        let mut c = case(
            n + i,
            T - HOUR,
            &format!("1371234{i:04}"),
            "同上",
            "水电气/供水",
            COMMUNITIES[5],
        );
        c.merged_into = Some(format!("c{n}"));
        cases.push(c);
    }
    let all = scan(&cases, T, &Settings::default());
    let clusters = found(&all, Kind::Cluster);
    assert_eq!(
        clusters.len(),
        1,
        "{:#?}",
        clusters.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    assert_eq!(clusters[0].case_ids.len(), 7);
    assert_eq!(clusters[0].evidence["reporters"], 7);
    // A duplicate is a call of its caller: one phone, three calls, two of them merged.
    let mut cases = background();
    let n = cases.len();
    for i in 0..3 {
        let mut c = case(
            n + i,
            T - (10 - i as i64) * HOUR,
            "13999990000",
            "小区门口工地夜间施工噪音扰民",
            "环境保护/噪声污染",
            COMMUNITIES[0],
        );
        if i > 0 {
            c.merged_into = Some(format!("c{n}"));
        }
        cases.push(c);
    }
    let all = scan(&cases, T, &Settings::default());
    let callers = found(&all, Kind::RepeatCaller);
    assert_eq!(callers.len(), 1);
    assert_eq!(callers[0].evidence["cases"], 3);
    // …and a high-risk duplicate is told by its main case, not again.
    assert!(found(&all, Kind::Language).is_empty());
}

#[test]
fn a_road_with_badly_handled_cases_is_no_history_and_time_words_name_nothing() {
    let mut cases = half_year();
    let n = cases.len();
    // A busy road: many potholes reported over months, several went overdue.
    for i in 0..8 {
        let mut c = case(
            n + i,
            T - (20 + 15 * i as i64) * 24 * HOUR,
            &format!("1361111{i:04}"),
            "丰收路上井盖松动，车开过去哐哐响",
            "交通运输/道路设施",
            COMMUNITIES[3],
        );
        c.overdue = true;
        cases.push(c);
    }
    cases.push(case(
        n + 20,
        T - HOUR,
        "13611119999",
        "丰收路上又有一个井盖坏了",
        "交通运输/道路设施",
        COMMUNITIES[3],
    ));
    let all = scan_with(&cases, &[], T, &Settings::default());
    assert!(
        found(&all, Kind::History).is_empty(),
        "{:#?}",
        found(&all, Kind::History)
            .iter()
            .map(|c| &c.summary)
            .collect::<Vec<_>>()
    );
    assert!(
        objects("这一周小区里天天停水").is_empty(),
        "{:?}",
        objects("这一周小区里天天停水")
    );
    assert!(objects("有一段时间小区门口很堵").is_empty());
}
