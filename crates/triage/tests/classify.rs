//! Behaviour of the classifier on realistic requests.
//!
//! The category sentences live in `tests/sentences.tsv`, written for the first (hand-weighted)
//! classifier and grouped in sets whose history decides what their figures mean (see the
//! file's header). The trained model never saw any of them: none is in its corpus, so every
//! set is held out for it; each must stay above a floor set a little below what the shipped
//! model achieves. The first classifier's figures, for comparison: tuning 100%, held_out 97.7%,
//! hard 95.5%, records 95.5%, final 70.5% top-1.
//!
//! `cargo test -p triage --test classify -- --nocapture accuracy` prints them.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use triage::{TAXONOMY, Triage};

static TRIAGE: LazyLock<Triage> = LazyLock::new(Triage::new);

const SENTENCES: &str = include_str!("sentences.tsv");

/// A labelled sentence: (set, category, text).
type Labelled = (&'static str, &'static str, &'static str);

static LABELLED: LazyLock<Vec<Labelled>> = LazyLock::new(|| {
    SENTENCES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let set = cols.next().unwrap();
            let category = cols.next().unwrap();
            let text = cols.next().unwrap_or_else(|| panic!("bad line {l:?}"));
            (set, category, text)
        })
        .collect()
});

/// (category, text) pairs of one set.
fn set(name: &str) -> Vec<(&'static str, &'static str)> {
    LABELLED
        .iter()
        .filter(|(s, _, _)| *s == name)
        .map(|(_, c, t)| (*c, *t))
        .collect()
}

fn misses(set: &[(&str, &str)]) -> Vec<String> {
    set.iter()
        .filter_map(|(want, text)| {
            let s = TRIAGE.classify(text);
            (s.category != *want).then(|| {
                format!(
                    "{text}\n    want {want}, got {} ({:.2}) because {:?}",
                    s.category, s.confidence, s.explanation
                )
            })
        })
        .collect()
}

#[test]
fn sentence_sets_cover_the_taxonomy() {
    for (set, category, _) in LABELLED.iter() {
        assert!(
            ["tuning", "held_out", "hard", "records", "final"].contains(set),
            "unknown set {set}"
        );
        assert!(
            TAXONOMY.iter().any(|(t, _)| t == category),
            "{category} is not in the taxonomy"
        );
    }
    for (category, _) in TAXONOMY {
        let n = set("tuning").iter().filter(|(c, _)| c == category).count();
        assert!(n >= 2, "{category} has {n} tuning sentences");
        for name in ["held_out", "hard", "records", "final"] {
            assert!(
                set(name).iter().any(|(c, _)| c == category),
                "{category} missing from {name}"
            );
        }
    }
}

#[test]
fn accuracy() {
    let top3 = |set: &[(&str, &str)]| {
        set.iter()
            .filter(|(want, text)| {
                TRIAGE
                    .classify(text)
                    .candidates
                    .iter()
                    .take(3)
                    .any(|c| c.category == *want)
            })
            .count()
    };
    let top_level = |set: &[(&str, &str)]| {
        set.iter()
            .filter(|(want, text)| {
                let got = TRIAGE.classify(text).category;
                got.split('/').next() == want.split('/').next()
            })
            .count()
    };
    // (set, minimum top-1 %, minimum top-3 %): floors a change must not break; the shipped
    // model scores 100/100, 100/100, 90/97, 100/100 and 97/100
    let floors = [
        ("tuning", 96, 100),
        ("held_out", 95, 100),
        ("hard", 85, 95),
        ("records", 95, 100),
        ("final", 90, 97),
    ];
    let mut failures = Vec::new();
    for (name, min1, min3) in floors {
        let sentences = set(name);
        let n = sentences.len();
        let wrong = misses(&sentences);
        let (t1, t3, tl) = (n - wrong.len(), top3(&sentences), top_level(&sentences));
        println!(
            "{name}: {n} sentences, top-1 {t1} ({}%), top-3 {t3} ({}%), top-level {tl} ({}%)",
            t1 * 100 / n,
            t3 * 100 / n,
            tl * 100 / n,
        );
        for w in &wrong {
            println!("  {w}");
        }
        if t1 * 100 < n * min1 || t3 * 100 < n * min3 {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "below the floor: {failures:?}");
}

/// Night-time construction noise is noise pollution (生态环境局), not illegal building.
#[test]
fn trap_night_construction_noise() {
    for text in [
        "晚上十二点了旁边工地还在施工，电钻声吵得孩子睡不着",
        "对面楼盘夜间施工，打桩的声音一直到凌晨两点",
        "隔壁在搭建新楼，每天半夜施工噪音扰民",
    ] {
        let s = TRIAGE.classify(text);
        assert_eq!(s.category, "环境保护/噪声污染", "{text}: {s:?}");
        assert_eq!(s.department, "生态环境局");
    }
}

/// Unpaid wages on a building site are a labour case (人社局), not a housing one.
#[test]
fn trap_unpaid_wages_on_a_building_site() {
    for text in [
        "我们在小区改造工地上干活，包工头拖欠了三个月的工资",
        "建筑工地的开发商和施工队互相推，农民工的工钱一直没人给",
        "老旧小区改造的施工单位欠我们工人工资，年底了还不结",
    ] {
        let s = TRIAGE.classify(text);
        assert_eq!(s.category, "劳动社保/拖欠工资", "{text}: {s:?}");
        assert_eq!(s.department, "人社局");
    }
}

#[test]
fn nature() {
    for (want, text) in [
        ("consult", "请问办理居住证需要什么材料"),
        ("consult", "结婚登记需要带什么材料，户口本不在身边可以吗"),
        ("complaint", "投诉楼下烧烤店油烟扰民，严重影响休息"),
        ("complaint", "小区门口有人占道经营"),
        ("report", "举报：巷子里有个黑作坊在偷偷生产食品"),
        ("suggestion", "建议在小区门口增设一个公交站"),
        ("help", "我一个人带孩子，生活困难，求助"),
        ("dispute", "和邻居因为楼道堆放东西吵架了，希望社区调解"),
        ("praise", "感谢社区王书记帮我们解决了楼道灯的问题，给他点赞"),
        ("praise", "表扬城管队员，及时处理了门口的占道问题，非常满意"),
        ("complaint", "处理结果不满意，要求重新处理，请尽快"),
    ] {
        let s = TRIAGE.classify(text);
        assert_eq!(s.nature, want, "{text}");
    }
}

#[test]
fn urgency() {
    for (want, text) in [
        ("critical", "厨房燃气泄漏了，味道很大，不敢开灯"),
        ("critical", "对面楼顶有人要跳楼"),
        ("critical", "村里的老房子坍塌了，里面可能有人"),
        ("critical", "三楼着火了，楼道里全是烟"),
        ("urgent", "整个小区突然停电了，电梯也停了"),
        ("urgent", "马路上水管爆裂，水喷得老高"),
        ("urgent", "隔壁独居老人生病了，几天没出门，没人照顾"),
        ("normal", "路灯不亮，晚上走路不方便"),
        ("normal", "楼道堆满杂物，存在火灾隐患"),
        ("normal", "商场跳楼价大甩卖，价格有问题"),
    ] {
        let s = TRIAGE.classify(text);
        assert_eq!(s.urgency, want, "{text}");
    }
}

#[test]
fn risk() {
    for (level, signals, text) in [
        ("high", &["self_harm"][..], "再不给我工资我就从楼上跳下去"),
        ("high", &["violence"][..], "邻居说要拿刀砍了我全家"),
        (
            "high",
            &["gathering"][..],
            "几十个工人准备明天去公司门口拉横幅讨薪",
        ),
        // an ultimatum about something already unresolved, naming Beijing: the route after
        // unresolved reports that the issue-20 policy calls high (an individual's 上访 with no
        // history stays medium: below)
        ("high", &["petition"][..], "这件事再不解决我就去北京上访"),
        ("medium", &["petition"][..], "我要去信访局反映这个事"),
        ("medium", &["media"][..], "再不处理我就发抖音曝光你们"),
        ("low", &["repeated"][..], "路灯坏了，已经反映多次了"),
        ("low", &["vulnerable"][..], "小区井盖没了，小孩路过很危险"),
        // an old person nearly hurt, and nothing done after several calls: a near miss reported
        // again, one weak signal each (issue 20's policy): low
        (
            "low",
            &["vulnerable", "repeated"][..],
            "反映多次都没解决，我家老人差点摔伤",
        ),
        // three escalation signals from one person (媒体, 去省里上访, 多次): high
        (
            "high",
            &["petition", "repeated", "media"][..],
            "反映多次都不解决，我要找记者曝光，还要去省里上访",
        ),
        ("none", &[][..], "小区门口有人摆摊"),
        ("none", &[][..], "商场跳楼价大甩卖，价格有问题"),
        // a dispute over land: a weak signal, worth a note (issue 20's low level keeps 99% of
        // the high-risk texts above none, so it is generous)
        ("low", &[][..], "村集体土地被人占用了"),
        (
            "high",
            &["violence", "repeated"][..],
            "老公喝了酒就打我，已经好几次了",
        ),
        ("none", &[][..], "有事请打我电话"),
    ] {
        let s = TRIAGE.classify(text);
        assert_eq!(s.risk.level, level, "{text}: {:?}", s.risk);
        let mut got = s.risk.signals.clone();
        got.sort_unstable();
        let mut want = signals.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{text}");
    }
    // the self-harm threat is also critical and still routed to the wage case
    let s = TRIAGE.classify("包工头欠了我半年工资，再不给我就从楼上跳下去");
    assert_eq!(s.category, "劳动社保/拖欠工资");
    assert_eq!(s.urgency, "critical");
    assert_eq!(s.risk.level, "high");
}

#[test]
fn traditional_and_full_width_input_classify_alike() {
    let a = TRIAGE.classify("樓下燒烤店油煙很大，嚴重擾民");
    let b = TRIAGE.classify("楼下烧烤店油烟很大，严重扰民");
    assert_eq!(a.category, b.category);
    assert_eq!(a.category, "环境保护/大气污染");
    assert_eq!(a.explanation, b.explanation);
}
