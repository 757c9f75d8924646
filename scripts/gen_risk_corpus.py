#!/usr/bin/env python3
"""Writes the risk corpus of issue 20 (deterministic):

    scripts/gen_risk_corpus.py crates/triage/data/corpus

gives `risk_train.jsonl` (author A: what the risk weights are learned on), `risk_dev.jsonl`
(authors B, C and D: each was the held-out part once, measured, then read while the factors were
developed, then learned on) and `risk_heldout.jsonl` (author E, written after the weights were
frozen, never learned on: what `onewindow triage eval` and the quality test measure).

Each author is a separate set of scenario functions below (`TRAIN`, `HELDOUT`, `HELDOUT_C`,
`HELDOUT_D`, `HELDOUT_E`): different sentence skeletons, channels, fillers and mostly different
wording for the same situations (联系不上 in one, 电话没人接、门反锁着 in another), not paraphrases
of each other. Only the list of place names and the counting words are shared.

Labelling policy (what a 矛盾风险 level means here; see the corpus README):

- high: a person's life or safety at stake now or very soon (self-harm talk, violence with a
  weapon, injury or a threat to kill, a vulnerable person in danger: an old person alone and
  unreachable, a mother and small child with nowhere to sleep tonight, several people poisoned);
  a group acting or about to act (聚集, 堵门, 拉横幅, ten or more people); a group of
  complainants with an escalation route or a long history; an individual's escalation route
  (去北京, 去省里) after repeated unresolved reports, or an extreme act (楼顶, 泼汽油).
- medium: one escalation without the rest (an individual's 上访 or media threat), many people
  affected without escalation, a vulnerable person at some risk, repeated violence threats
  that did not happen.
- low: a single weak signal: a shove between neighbours without injury, a repeated report, an
  angry complaint, an old person or child mentioned at mild risk.
- none: everything else, including historical or figurative mentions (去年这里有人跳过楼,
  跳楼价, 吵死了, 北京路, 省里的政策).
"""
import json
import os
import random
import sys

# ------------------------------------------------------------------------------------------
# shared: places and counting words

PLACES = ["翠苑小区", "金桥花园", "南苑新村", "东湖街道", "良睦路", "文一西路", "枫林湾",
          "江南华府", "北塘村", "上泗村", "星桥社区", "万家名城", "龙湖天街", "临平路",
          "和睦新村", "滨江一品", "五常街道", "三墩镇", "西溪里", "云栖苑", "半山村",
          "蒋村花园", "闲林镇", "乔司街道", "丁桥家园", "瓶窑镇", "勾庄村", "九堡社区"]
DIGITS = "零一二三四五六七八九"


def cn(n):
    """Chinese numeral for 1..999."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    h, r = divmod(n, 100)
    s = DIGITS[h] + "百"
    if r == 0:
        return s
    if r < 10:
        return s + "零" + DIGITS[r]
    return s + (DIGITS[r // 10] + "十" + (DIGITS[r % 10] if r % 10 else ""))


def count_phrase(r, lo, hi, units, forms):
    """A group size between lo and hi in one of `forms`: 四百多户, 二十余人, 30多名, 上百人…"""
    n = r.randint(lo, hi)
    unit = r.choice(units)
    form = r.choice(forms)
    round10 = max(10, n // 10 * 10)
    if form == "duo":
        return f"{cn(round10)}多{unit}"
    if form == "yu":
        return f"{cn(round10)}余{unit}"
    if form == "arabic":
        return f"{n}{unit}"
    if form == "arabic_duo":
        return f"{round10}多{unit}"
    if form == "ji":
        return r.choice(["十几", "二十几", "三十几", "几十"]) + unit
    if form == "range":
        a = r.randint(2, 8)
        return f"{DIGITS[a]}{DIGITS[a + 1]}十{unit}"
    if form == "shang":
        return r.choice(["上百", "近百", "好几百", "上千"]) + unit
    if form == "exact":
        return f"{cn(n)}{unit}"
    if form == "lai":
        return f"{cn(round10)}来{unit}"
    return f"{n}{unit}"


def pick(r, xs):
    return r.choice(xs)


def maybe(r, p, s, other=""):
    return s if r.random() < p else other


# ------------------------------------------------------------------------------------------
# the training part: author A

A_OPEN_PHONE = ["来电人反映：", "市民来电称，", "来电反映：", "", "", "", "市民来电：", "热线来电："]
A_OPEN_WEB = ["【网上留言】", "【市长信箱】", "", "网民留言："]


def a_wrap(r, body):
    k = r.random()
    if k < 0.45:
        return pick(r, A_OPEN_PHONE) + body
    if k < 0.7:
        return pick(r, A_OPEN_WEB) + body
    if k < 0.85:
        return "喂，你好，" + body + maybe(r, 0.5, "你们赶紧派人来看看吧。", "")
    return body


def a_place(r):
    return pick(r, PLACES) + maybe(r, 0.5, f"{r.randint(1, 30)}幢", "")


def a_elderly_unreachable(r):
    who = pick(r, ["我父亲", "我母亲", "我家老爷子", "我奶奶", "我外公", "邻居张大爷", "对门的李阿姨"])
    age = pick(r, ["八十多岁", "七十六岁", "快九十了", "八十二岁", "七十多岁"])
    since = pick(r, ["从前天开始", "两天了", "从昨天早上起", "已经三天", "这几天"])
    what = pick(r, ["电话一直联系不上", "联系不上", "手机关机，联系不上人", "打电话都没人接，联系不上"])
    tail = pick(r, ["我在外地一时赶不回来，担心出事", "家里没有别人，怕他摔倒在屋里", "他有高血压心脏病，很担心",
                    "门口的牛奶都没拿，怕出意外了", "求你们找人上门看一下"])
    body = f"{who}{age}，一个人住在{a_place(r)}，{since}{what}，{tail}"
    if r.random() < 0.5:
        body = body.replace("一个人住在", "独居在")
    return body, "民政养老/居家养老", "help", "urgent", "high", ["vulnerable"]


def a_self_harm(r):
    cause = pick(r, ["工资被拖了半年", "房子被强拆了", "孩子的病花光了积蓄", "被网贷逼得走投无路",
                     "老公跑了留下一屁股债", "生意赔光了", "低保被取消了"])
    talk = pick(r, ["我真的不想活了", "活着没意思了", "再这样下去我就从楼上跳下去", "我准备了农药，不行就喝了",
                    "我想一死了之", "我死了算了", "不如死了算了"])
    cat, nat = pick(r, [("劳动社保/拖欠工资", "complaint"), ("民政养老/低保救助", "help"),
                        ("公共安全/电信诈骗", "help"), ("邻里纠纷/家庭矛盾", "help")])
    body = f"{cause}，{talk}" + maybe(r, 0.5, "，没人管我们死活", "")
    return body, cat, nat, "critical", "high", ["self_harm"]


def a_mother_child(r):
    child = pick(r, ["两岁的孩子", "三个月大的宝宝", "刚上幼儿园的女儿", "一岁多的儿子", "两个小孩"])
    why = pick(r, ["被房东赶出来了", "老公喝酒把我们赶出家门", "出租屋被查封了", "钱包手机都被偷了"])
    when = pick(r, ["今晚没地方住", "今天晚上不知道去哪", "现在在街上没地方去", "晚上没地方睡"])
    body = f"我带着{child}{why}，{when}" + maybe(r, 0.5, "，身上一分钱也没有", "") + maybe(r, 0.4, "，求求你们帮帮我", "")
    return body, "民政养老/低保救助", "help", "urgent", "high", ["vulnerable"]


def a_poisoned(r):
    n = count_phrase(r, 5, 40, ["个工友", "个人", "名工人", "个学生"], ["exact", "ji", "range", "arabic"])
    where = pick(r, ["厂里食堂", "工地的饭", "学校门口的小饭馆", "公司食堂"])
    sym = pick(r, ["上吐下泻", "食物中毒", "头晕呕吐", "中毒送医院了"])
    boss = pick(r, ["老板已经跑了", "老板电话关机人不见了", "负责人已经找不到了", "老板连夜跑了"])
    body = f"{where}中午吃完饭，{n}{sym}，{boss}" + maybe(r, 0.5, "，医药费没人管", "")
    return body, "市场监管/食品安全", "help", "critical", "high", ["vulnerable"]


def a_group_gathering(r):
    n = count_phrase(r, 15, 300, ["人", "名工人", "个工人", "个业主", "户村民", "位家长"],
                     ["duo", "yu", "arabic", "shang", "ji", "range"])
    where = pick(r, ["项目部门口", "售楼处", "区政府门口", "公司大门口", "街道办", "工地大门"])
    act = pick(r, ["聚集讨薪", "聚集，要求给说法", "拉横幅", "把大门堵了", "静坐不走", "围着不让车出去"])
    when = pick(r, ["现在", "今天上午", "已经", "此刻", ""])
    cat = pick(r, ["劳动社保/拖欠工资", "住房建设/房屋质量", "邻里纠纷/土地山林", "教育/校外培训"])
    sig = ["gathering"]
    body = f"{when}{n}在{where}{act}" + maybe(r, 0.4, "，情绪很激动", "")
    return body, cat, "complaint", "urgent", "high", sig


def a_group_escalation(r):
    n = count_phrase(r, 30, 600, ["户", "户业主", "个业主", "名业主", "户居民"],
                     ["duo", "yu", "arabic", "arabic_duo", "shang", "exact"])
    issue = pick(r, ["房子交付两年了还办不了产证", "小区漏水问题", "开发商延期交房", "物业把公共收益私吞了",
                     "电梯一年坏了十几次", "小区一直没通天然气"])
    route = pick(r, ["一起去省里", "一起去北京", "集体去市政府上访", "拉横幅去区政府", "找媒体曝光",
                     "一起上访", "去信访局"])
    sig = ["gathering", "petition"] if "媒体" not in route else ["gathering", "media"]
    body = f"我们{a_place(r)}{n}，{issue}，再不解决大家就{route}"
    return body, "住房建设/房屋质量", "complaint", "normal", "high", sig


def a_violence(r):
    who = pick(r, ["隔壁的", "楼上那家男的", "包工头", "前夫", "村里一个人", "我老公"])
    act = pick(r, ["拿着菜刀在门口骂", "把我打得鼻子流血送医院了", "说要弄死我", "拿刀追着我砍",
                   "扬言要放火烧我家", "把我妈打得头破血流"])
    body = f"{who}{act}" + maybe(r, 0.5, "，现在还在外面", "") + maybe(r, 0.3, "，我们很害怕", "")
    cat = "邻里纠纷/家庭矛盾" if who in ("前夫", "我老公") else "公共安全/治安隐患"
    return body, cat, "help", "critical", "high", ["violence"]


def a_repeat_petition(r):
    k = pick(r, ["第三次", "第四次", "第五次", "第六次"])
    issue = pick(r, ["违建", "污水直排", "工伤赔偿", "拆迁补偿", "噪音", "欠薪"])
    route = pick(r, ["去北京上访", "去省里上访", "到省信访局去", "进京"])
    body = f"这是我{k}反映{issue}的问题了，一直没解决，再不处理我就{route}"
    sig = ["petition", "repeated"]
    cat = {"违建": "城市管理/违章搭建", "污水直排": "环境保护/水污染", "工伤赔偿": "劳动社保/劳动合同",
           "拆迁补偿": "邻里纠纷/土地山林", "噪音": "环境保护/噪声污染", "欠薪": "劳动社保/拖欠工资"}[issue]
    return body, cat, "complaint", "normal", "high", sig


def a_extreme(r):
    act = pick(r, ["已经爬到塔吊上了", "站在楼顶边上", "身上浇了汽油", "爬上了脚手架不下来"])
    who = pick(r, ["有个工人讨薪", "一个业主", "我老乡"])
    body = f"{who}{act}，说不给钱就跳下去" if r.random() < 0.6 else f"{who}{act}，情绪很激动"
    return body, "劳动社保/拖欠工资", "help", "critical", "high", ["self_harm"]


def a_child_danger(r):
    body = pick(r, [
        "小区停车场一辆车里锁着个小孩，哭得满头大汗，车主找不到",
        "隔壁家两个孩子一个人在家好几天了，大人不知道去哪了，孩子在阳台上哭",
        "我看见一个小孩在河边一个人玩，没有大人看着，水很深",
        "邻居家孩子身上全是伤，晚上经常听到打孩子的声音，孩子叫得很惨",
    ])
    return body, "公共安全/治安隐患", "report", "urgent", "high", ["vulnerable"]


# medium ----------------------------------------------------------------------------------

def a_single_petition(r):
    issue = pick(r, ["社保断缴", "医保报销", "低保审核", "学位分配", "停车罚款"])
    route = pick(r, ["去信访局反映", "去市里上访", "找上级领导", "写信到市长信箱投诉"])
    body = f"{issue}的事情办了一个月还没结果，如果还这样我只能{route}"
    cat = {"社保断缴": "劳动社保/社保缴纳", "医保报销": "卫生健康/医保报销", "低保审核": "民政养老/低保救助",
           "学位分配": "教育/入学招生", "停车罚款": "交通运输/停车管理"}[issue]
    sig = ["petition"] if "市长信箱" not in route else []
    lvl = "medium" if sig else "low"
    return body, cat, "complaint", "normal", lvl, sig


def a_media(r):
    issue = pick(r, ["餐馆卖过期食品", "健身房卷款", "物业乱收费", "4S店欺诈"])
    threat = pick(r, ["发抖音曝光", "找记者", "发到网上让大家看看", "找电视台"])
    body = f"{issue}，投诉了也没用，不解决我就{threat}"
    cat = {"餐馆卖过期食品": "市场监管/食品安全", "健身房卷款": "市场监管/消费维权",
           "物业乱收费": "邻里纠纷/物业纠纷", "4S店欺诈": "市场监管/消费维权"}[issue]
    return body, cat, "complaint", "normal", "medium", ["media"]


def a_many_affected(r):
    n = count_phrase(r, 50, 900, ["户", "户居民", "家"], ["duo", "arabic", "yu", "shang"])
    issue = pick(r, ["停水两天了", "停电一整天了", "燃气停了没人来修", "门口的路挖断了出不去"])
    cat = {"停水两天了": "水电气/供水", "停电一整天了": "水电气/供电", "燃气停了没人来修": "水电气/燃气",
           "门口的路挖断了出不去": "交通运输/道路设施"}[issue]
    body = f"{a_place(r)}{n}{issue}，请尽快处理"
    return body, cat, "complaint", "urgent", "medium", []


def a_threat_no_act(r):
    body = pick(r, ["楼下那个人每次吵架都说要给我点颜色看看，我有点担心",
                    "前夫经常打电话骂我，说不会放过我",
                    "隔壁因为宅基地跟我们吵了好几次，说下次要动真格的"])
    return body, "邻里纠纷/相邻关系", "dispute", "normal", "medium", ["repeated"]


# low ----------------------------------------------------------------------------------

def a_shove(r):
    cause = pick(r, ["停车位", "楼道堆物", "空调滴水", "垃圾桶放哪", "晾衣服", "装修噪音", "狗叫", "菜地边界",
                     "广场舞音响", "电动车充电"])
    who = pick(r, ["跟邻居", "跟楼上老头", "跟隔壁阿姨的儿子", "跟对门一家", "我妈跟楼下大妈", "我跟他们家孩子的爸爸"])
    shove = pick(r, ["他推了我一下", "推搡了几下", "推了我一把", "拉扯了几下", "互相推了两下", "动手推了我",
                     "他儿子过来推了我一下", "两个人推推搡搡"])
    after = pick(r, ["，没受伤", "，后来被劝开了", "，人没事", "，保安来了就散了", "，没什么大事", "", "", ""])
    ask = pick(r, ["，希望社区调解一下", "，想讨个公道", "，心里很不舒服", "，请物业管一管", "，要求对方道歉", ""])
    body = f"{who}因为{cause}吵起来，{shove}{after}{ask}"
    return body, "邻里纠纷/相邻关系", "dispute", "normal", "low", ["violence"]


def a_repeat_only(r):
    issue = pick(r, ["路灯不亮", "井盖松动", "垃圾清运不及时", "小区绿化没人修", "公交站牌歪了"])
    cat = {"路灯不亮": "城市管理/市容环境", "井盖松动": "交通运输/道路设施", "垃圾清运不及时": "环境保护/垃圾分类",
           "小区绿化没人修": "住房建设/物业管理", "公交站牌歪了": "交通运输/公交线路"}[issue]
    times = pick(r, ["之前反映过两次了", "多次反映了", "第二次反映", "反映了好几次"])
    body = f"{a_place(r)}{issue}，{times}，还是没人管"
    return body, cat, "complaint", "normal", "low", ["repeated"]


def a_angry(r):
    body = pick(r, ["什么破物业，收钱不干活，气死我了", "你们这个办事效率太差了，简直是欺负老百姓",
                    "窗口工作人员态度恶劣，我要投诉她", "太过分了，快递柜天天坏也没人管"])
    cat = pick(r, ["住房建设/物业管理", "市场监管/消费维权"])
    return body, cat, "complaint", "normal", "low", []


def a_elderly_mild(r):
    body = pick(r, ["小区老人多，楼梯没有扶手，希望装一下", "我奶奶腿脚不好，想申请居家养老服务",
                    "我家老人一个人住，想问能不能申请助餐"])
    return body, "民政养老/居家养老", pick(r, ["suggestion", "consult"]), "normal", "low", ["vulnerable"]


# none ---------------------------------------------------------------------------------

def a_historic(r):
    body, cat, nature = pick(r, [
        ("去年{p}有人跳过楼，现在楼顶的门还是开着，建议锁上", "住房建设/物业管理", "suggestion"),
        ("{p}以前闹过上访，现在问题解决了，想咨询一下后续的维修基金怎么用", "住房建设/物业管理", "consult"),
        ("前年这里打过群架，现在治安好多了，感谢派出所", "公共安全/治安隐患", "praise"),
        ("听说以前有业主拉横幅，现在物业换了，服务挺好的", "住房建设/物业管理", "praise"),
        ("{p}的超市搞跳楼价大甩卖，音响开得太响了", "环境保护/噪声污染", "complaint"),
    ])
    return body.format(p=a_place(r)), cat, nature, "normal", "none", []


def a_figurative(r):
    body, cat, nature = pick(r, [
        ("楼上装修吵死了，周末也不停", "环境保护/噪声污染", "complaint"),
        ("北京路上的路灯坏了三盏", "城市管理/市容环境", "complaint"),
        ("省里的新医保政策什么时候实施？", "卫生健康/医保报销", "consult"),
        ("天气热死了，公交车空调也不开", "交通运输/公交线路", "complaint"),
        ("打死我也想不到办个证这么麻烦，能不能简化一下", "民政养老/婚姻登记", "suggestion"),
        ("上访接待日是哪天？我想咨询一下流程", "民政养老/低保救助", "consult"),
        ("想问下去北京出差回来要不要报备", "卫生健康/疫苗接种", "consult"),
    ])
    return body, cat, nature, "normal", "none", []


def a_ordinary(r):
    body, cat, nature = pick(r, [
        ("{p}门口有人占道卖水果", "城市管理/占道经营", "complaint"),
        ("{p}楼下烧烤油烟很大", "环境保护/大气污染", "complaint"),
        ("{p}的共享单车乱停", "交通运输/停车管理", "complaint"),
        ("请问{p}附近哪里可以办社保卡", "劳动社保/社保缴纳", "consult"),
        ("{p}小区垃圾分类点太臭了", "环境保护/垃圾分类", "complaint"),
        ("{p}路口红绿灯时间太短", "交通运输/道路设施", "suggestion"),
        ("{p}有家店没有营业执照", "市场监管/无证经营", "report"),
        ("{p}夜里工地还在施工", "环境保护/噪声污染", "complaint"),
        ("{p}家门口的老人跟孩子天天在小广场玩，建议多放几张长椅", "城市管理/市容环境", "suggestion"),
        ("{p}几百户居民盼着加装电梯，请问补贴政策是什么", "住房建设/加装电梯", "consult"),
    ])
    return body.format(p=a_place(r)), cat, nature, "normal", "none", []


def a_lookalike(r):
    """Risk words in a harmless setting (issue 20 review: the factors fired on them): a roof or a
    river bank as a place, a shop or a hotline that cannot be reached, an old person living alone
    who asks for a service, a pregnant woman or a child mentioned in passing, a wall knocked
    through, a knife on a stall."""
    body, cat, nature, risk = pick(r, [
        ("{p}顶楼那户在天台上搭了个阳光房，挡了楼上的太阳能", "城市管理/违章搭建", "complaint", "none"),
        ("{p}楼顶上装了一排广告灯箱，晚上亮得刺眼", "城市管理/户外广告", "complaint", "none"),
        ("{p}江边的步道灯坏了好几盏，晚上散步看不清", "城市管理/市容环境", "complaint", "none"),
        ("{p}工地的脚手架上挂的防护网破了，建议换一下", "城市管理/市容环境", "suggestion", "none"),
        ("网购的衣服有质量问题，商家客服一直联系不上", "市场监管/消费维权", "complaint", "none"),
        ("{p}那家健身房的电话打不通，想问问什么时候开门", "市场监管/消费维权", "consult", "none"),
        ("快递丢了，快递员电话一直没人接，网点也找不到人", "市场监管/消费维权", "complaint", "none"),
        ("预约挂号的电话总是占线打不通，建议增加线路", "卫生健康/医疗服务", "suggestion", "none"),
        ("我家老人独居，身体还行，想给他申请一下助餐服务", "民政养老/居家养老", "consult", "low"),
        ("{p}的独居老人多，建议社区定期上门走访", "民政养老/居家养老", "suggestion", "low"),
        ("我父亲一个人住在老房子里，想问下适老化改造怎么申请", "民政养老/居家养老", "consult", "low"),
        ("我是孕妇，想问一下产检能不能用医保报销", "卫生健康/医保报销", "consult", "none"),
        ("表扬一下公交司机，看到我抱着孩子主动等我上车", "交通运输/公交线路", "praise", "none"),
        ("孩子发烧去社区医院看病，排队排了两个小时，建议多开几个窗口", "卫生健康/医疗服务", "suggestion", "none"),
        ("{p}楼上装修把承重墙砸了，墙上裂了好几条缝", "住房建设/房屋质量", "complaint", "none"),
        ("{p}路边堆着很多钢筋和建筑垃圾，没人清理", "城市管理/市容环境", "complaint", "none"),
        ("菜场门口有个磨刀的摊子天天占着人行道", "城市管理/占道经营", "complaint", "none"),
        ("{p}楼下的夜宵店晚上营业到三点，门口一直闹哄哄的", "环境保护/噪声污染", "complaint", "none"),
        ("房东说合同到期要收回房子，让我下个月搬走，押金能退吗", "市场监管/消费维权", "consult", "none"),
        ("公司停业了，老板电话打不通，我的离职证明怎么开", "劳动社保/劳动合同", "consult", "low"),
    ])
    return body.format(p=a_place(r)), cat, nature, "normal", risk, (["vulnerable"] if risk == "low" else [])


TRAIN = [(a_elderly_unreachable, 70), (a_self_harm, 80), (a_mother_child, 60), (a_poisoned, 50),
         (a_group_gathering, 80), (a_group_escalation, 80), (a_violence, 70), (a_repeat_petition, 45),
         (a_extreme, 25), (a_child_danger, 20),
         (a_single_petition, 50), (a_media, 45), (a_many_affected, 55), (a_threat_no_act, 20),
         (a_shove, 90), (a_repeat_only, 60), (a_angry, 40), (a_elderly_mild, 35),
         (a_historic, 60), (a_figurative, 60), (a_ordinary, 80), (a_lookalike, 60)]


# ------------------------------------------------------------------------------------------
# the held-out part: author B (other skeletons, channels and wording)

def b_wrap(r, body):
    k = r.random()
    if k < 0.3:
        return "【网格走访】" + pick(r, ["走访中发现，", "网格员上门了解到：", "入户时居民反映，"]) + body
    if k < 0.5:
        return "12345转办：" + body
    if k < 0.7:
        return "APP留言 " + body + pick(r, ["！！", "。", "……"])
    if k < 0.85:
        return pick(r, ["喂？那个，", "我跟你说啊，", "你好你好，"]) + body + pick(r, ["，你们快点啊", "，就这个事", ""])
    return body


def b_elderly(r):
    who = pick(r, ["住我隔壁的王奶奶", "我舅舅", "楼下孤老陈伯", "我爷爷", "我们村的五保户老周"])
    how = pick(r, ["老伴走了以后就一个人过", "子女都在国外，平时一个人", "一个人住了十几年"])
    sign = pick(r, ["电话打了二十多个都没人接", "门从里面反锁着敲不开，屋里灯一直亮着",
                    "两天没见他下楼倒垃圾了，喊也不应", "信箱里的报纸堆了三天没人拿，打电话关机"])
    body = f"{who}{how}，{sign}" + maybe(r, 0.6, pick(r, ["，怕是在家里出了什么事", "，能不能叫人来开门看看", "，急死了"]), "")
    return body, "民政养老/居家养老", "help", "urgent", "high", ["vulnerable"]


def b_self_harm(r):
    lead = pick(r, ["包工头欠我八万块钱躲着不见", "离婚了房子也没了", "被骗光了养老钱", "厂子倒闭了一分钱赔偿没有",
                    "病看不起，救助又批不下来"])
    talk = pick(r, ["这日子没法过了，活不下去了", "我现在就站在桥上，想跳下去", "家里的药我都攒好了",
                    "我不想活了，钱要不回来就死在他们公司门口", "实在熬不下去了，想一了百了"])
    cat = pick(r, ["劳动社保/拖欠工资", "邻里纠纷/家庭矛盾", "公共安全/电信诈骗", "民政养老/低保救助"])
    return f"{lead}，{talk}", cat, "help", "critical", "high", ["self_harm"]


def b_mother_child(r):
    body = pick(r, [
        "抱着孩子在火车站坐了一晚上了，孩子才八个月，今晚还不知道睡哪",
        "我一个人带着娃，房租交不起被撵出来，现在{p}公交站，天要黑了",
        "老公打我我带着女儿跑出来了，孩子三岁，身上没钱，今晚没处去",
        "单亲妈妈，两个孩子，房东今天把锁换了，我们娘仨今晚只能睡楼道",
    ]).format(p=pick(r, PLACES))
    return body, "民政养老/低保救助", "help", "urgent", "high", ["vulnerable"]


def b_poisoned(r):
    n = count_phrase(r, 4, 60, ["户", "个人", "名员工", "位老人"], ["exact", "range", "lai", "arabic"])
    src = pick(r, ["喝了村里的井水", "吃了厂里的工作餐", "养老院晚饭后", "喝了那家店的奶茶"])
    tail = pick(r, ["店老板门一关人就跑了", "老板把厂门锁了人找不到", "负责人电话打不通", "管事的都不见了"])
    body = f"{src}，{n}都在呕吐肚子疼送了医院，{tail}"
    return body, "市场监管/食品安全", "help", "critical", "high", ["vulnerable"]


def b_gathering(r):
    n = count_phrase(r, 12, 400, ["号人", "名民工", "个村民", "个学员家长", "位业主"],
                     ["lai", "shang", "range", "arabic_duo", "yu", "exact"])
    act = pick(r, ["堵在售楼部不让走", "围在工地门口讨工钱", "在镇政府门口坐着不走", "拉着条幅站在路口",
                   "把厂门堵了", "聚在培训机构门口要退费"])
    body = f"{n}{act}" + maybe(r, 0.5, pick(r, ["，有人在喊口号", "，派出所的人也来了", "，场面有点乱"]), "")
    cat = pick(r, ["劳动社保/拖欠工资", "住房建设/房屋质量", "教育/校外培训", "邻里纠纷/土地山林"])
    return body, cat, "complaint", "urgent", "high", ["gathering"]


def b_group_route(r):
    n = count_phrase(r, 40, 800, ["户人家", "户", "家住户", "名购房户"], ["duo", "arabic", "yu", "shang", "range"])
    issue = pick(r, ["地下室一下雨就淹", "回迁房拖了三年", "小区围墙被开发商拆了", "学区被划走了"])
    route = pick(r, ["大家商量好了下周去省城", "准备一起上北京讨说法", "已经在群里约着去市信访办",
                     "说要联系报社记者来拍", "打算周一集体去区里"])
    sig = ["gathering", "media"] if "记者" in route else ["gathering", "petition"]
    body = f"{pick(r, PLACES)}{n}，{issue}，{route}"
    return body, "住房建设/房屋质量", "complaint", "normal", "high", sig


def b_violence(r):
    body = pick(r, [
        "对门那个男的喝了酒拿着铁棍砸我家门，说要我的命",
        "我姐夫把我姐打进了医院，肋骨断了两根，还在找她",
        "收废品的跟人打起来了，有人被酒瓶砸了头，流了好多血",
        "有个人在菜场门口挥着刀乱砍，已经伤了人",
        "前男友天天在楼下堵我，昨天掐我脖子，说要杀了我全家",
        "村里为了分地的事有人扬言要把对方的房子烧了",
    ])
    cat = "邻里纠纷/家庭矛盾" if ("姐夫" in body or "前男友" in body) else "公共安全/治安隐患"
    return body, cat, "help", "critical", "high", ["violence"]


def b_repeat_route(r):
    times = pick(r, ["打了七八次热线", "反映了大半年", "找了社区四五回", "前前后后投诉了十几次"])
    issue = pick(r, ["违建的事", "隔壁厂的臭气", "工伤认定", "征地补偿款"])
    route = pick(r, ["我就去北京", "我自己到省里去讲", "过两天我就进京去", "我要去省信访局"])
    cat = {"违建的事": "城市管理/违章搭建", "隔壁厂的臭气": "环境保护/大气污染", "工伤认定": "劳动社保/劳动合同",
           "征地补偿款": "邻里纠纷/土地山林"}[issue]
    body = f"{issue}我{times}了，没一个人给我解决，这次再没结果{route}"
    return body, cat, "complaint", "normal", "high", ["petition", "repeated"]


def b_trapped_sick(r):
    body = pick(r, [
        "楼下瘫在床上的老太太，儿子出去打工三天没回，老人喊了一夜要水喝",
        "{p}有个精神不太好的人大冬天光着身子在路边，好像冻得不行了",
        "邻居家的小孩发高烧抽筋，大人联系不上，孩子一个人在家",
    ]).format(p=pick(r, PLACES))
    return body, "民政养老/居家养老", "help", "urgent", "high", ["vulnerable"]


# medium ----------------------------------------------------------------------------------

def b_single_route(r):
    body = pick(r, [
        "孩子入学的事一直拖着，实在不行我去教育局信访",
        "医保报销被卡了两个月，再不给答复我要去市信访局",
        "这个停车罚单明明不合理，我准备到上级部门上访",
    ])
    cat = "教育/入学招生" if "入学" in body else ("卫生健康/医保报销" if "医保" in body else "交通运输/停车管理")
    return body, cat, "complaint", "normal", "medium", ["petition"]


def b_media(r):
    body = pick(r, [
        "这家装修公司收了钱不干活，我已经录了视频，准备发小红书让大家避雷",
        "幼儿园伙食这么差，家长群里说要发微博让媒体来看看",
        "奶茶店里喝出虫子，老板不认账，我要发到抖音上去",
    ])
    cat = "教育/校外培训" if "幼儿园" in body else ("市场监管/食品安全" if "奶茶" in body else "市场监管/消费维权")
    return body, cat, "complaint", "normal", "medium", ["media"]


def b_many(r):
    n = count_phrase(r, 60, 1000, ["户", "户人家", "家"], ["duo", "arabic", "shang", "yu"])
    issue = pick(r, ["从早上起一直没水", "整栋楼没电，冰箱里的东西都坏了", "天然气断了做不了饭"])
    cat = "水电气/供水" if "水" in issue[:6] else ("水电气/供电" if "电" in issue else "水电气/燃气")
    return f"{pick(r, PLACES)}{n}{issue}", cat, "complaint", "urgent", "medium", []


# low ----------------------------------------------------------------------------------

def b_shove(r):
    body = pick(r, [
        "楼上楼下为了漏水的事吵了一架，他在楼梯口推了我老公一下，人倒没伤着，就是心里窝火",
        "抢车位的时候那个女的推了我一把，我想找个地方评评理",
        "跟隔壁摊主为了摊位界线推推搡搡的，市场管理员来了就散了",
        "两家老人为了菜地的事推了几下，没伤人，麻烦村里调解",
        "楼下大妈跳广场舞，我去说了几句，她儿子过来推了我一下",
    ])
    cat = "邻里纠纷/相邻关系" if "菜地" not in body else "邻里纠纷/土地山林"
    return body, cat, "dispute", "normal", "low", ["violence"]


def b_repeat(r):
    body = pick(r, [
        "{p}的公厕门坏了，上个月就报过，到现在还是这样",
        "{p}的树枝挡住了红绿灯，已经是第三回说这个事了",
        "{p}门口积水的事情反反复复说了好几次都不见人来",
    ]).format(p=pick(r, PLACES))
    cat = "城市管理/市容环境" if "公厕" in body else "交通运输/道路设施"
    return body, cat, "complaint", "normal", "low", ["repeated"]


def b_angry(r):
    body = pick(r, ["你们这些人到底管不管事啊，真是要把人气死", "办个证跑了五趟，什么服务态度，太让人寒心了",
                    "物业跟个大爷一样，业主说什么都不听，无语"])
    return body, "住房建设/物业管理", "complaint", "normal", "low", []


# none ---------------------------------------------------------------------------------

def b_none(r):
    body, cat, nature = pick(r, [
        ("{p}小区前几年有人上访过这个事，现在问一下停车位的新规定", "交通运输/停车管理", "consult"),
        ("商场门口天天喊跳楼价清仓，喇叭声太大", "环境保护/噪声污染", "complaint"),
        ("想咨询去北京看病的医保异地备案怎么办", "卫生健康/医保报销", "consult"),
        ("省里说今年要推老旧小区改造，我们{p}能不能排上", "住房建设/老旧小区改造", "consult"),
        ("笑死了，公交站的广告牌上有错别字", "城市管理/户外广告", "complaint"),
        ("以前这个路口出过车祸死过人，现在装了红绿灯挺好的，给交警点个赞", "交通运输/道路设施", "praise"),
        ("{p}的烧烤摊晚上烟太大了，熏得窗户都不敢开", "环境保护/大气污染", "complaint"),
        ("请问{p}附近的疫苗接种点周末开不开", "卫生健康/疫苗接种", "consult"),
        ("北京东路修路围挡占了一半的人行道", "交通运输/道路设施", "complaint"),
        ("累死了，排了两个小时队才办完社保", "劳动社保/社保缴纳", "complaint"),
        ("{p}三百多户的快递都堆在门卫室，能不能建个快递柜", "住房建设/物业管理", "suggestion"),
        ("我们几个老年人想在{p}活动室办个书法班，感谢社区支持", "民政养老/居家养老", "praise"),
    ])
    return body.format(p=pick(r, PLACES)), cat, nature, "normal", "none", []


HELDOUT = [(b_elderly, 25), (b_self_harm, 25), (b_mother_child, 20), (b_poisoned, 20), (b_gathering, 25),
           (b_group_route, 25), (b_violence, 20), (b_repeat_route, 20), (b_trapped_sick, 10),
           (b_single_route, 15), (b_media, 15), (b_many, 20),
           (b_shove, 30), (b_repeat, 20), (b_angry, 15),
           (b_none, 60)]


# ------------------------------------------------------------------------------------------
# the final held-out part: author C, written after the model was developed against A (training)
# and B (development, looked at once): spoken hotline transcripts and long web forms, with
# their own wording for every situation

def c_wrap(r, body):
    k = r.random()
    if k < 0.35:
        return "【来电记录】" + pick(r, ["市民", "一位女士", "一位老先生", "匿名市民"]) + "来电，" + body
    if k < 0.55:
        return "标题：" + pick(r, ["紧急求助", "反映问题", "投诉", "请领导重视"]) + "  内容：" + body
    if k < 0.75:
        return pick(r, ["嗯，就是，", "是这样的，", "我要反映个事情，", "同志你好，"]) + body + pick(r, ["，谢谢了", "，麻烦你们了", "，你们记一下", ""])
    if k < 0.85:
        return "网格员上报：" + body
    return body


def c_elderly(r):
    who = pick(r, ["我们楼里的赵老师", "我公公", "社区里的低保户刘大爷", "我老家的二姨", "院子里的孤寡老人"])
    age = pick(r, ["快八十了", "八十七岁", "今年七十九", "年纪很大了"])
    living = pick(r, ["老伴去年过世了，家里就他一个", "儿女不在身边", "一直一个人住", "平时没人照顾"])
    sign = pick(r, ["从昨天中午到现在电话都没人接", "这两天敲门一直没动静", "微信不回电话也不接已经两天了",
                    "送饭的阿姨说敲了半天门没人开", "手机一直无人接听，家里灯也没开"])
    body = f"{who}{age}，{living}，{sign}" + maybe(r, 0.6, pick(r, ["，大家都很担心", "，能不能派人上门看看", "，我怕老人倒在家里了"]), "")
    return body, "民政养老/居家养老", "help", "urgent", "high", ["vulnerable"]


def c_self_harm(r):
    lead = pick(r, ["我在工地干了一年一分钱没拿到", "家里的房子被人骗走了", "老婆带着孩子走了，欠了一身债",
                    "公司裁员把我开了，房贷还不上", "儿子得了白血病，钱都花完了"])
    talk = pick(r, ["我真的撑不住了，不想活了", "我现在在江边，想着跳下去算了", "活着太累了，想死",
                    "要是再没人管，我就从这楼上跳下去", "这个世界没什么留恋的了，我准备走了", "我写好遗书了"])
    cat = pick(r, ["劳动社保/拖欠工资", "邻里纠纷/家庭矛盾", "劳动社保/劳动合同", "民政养老/低保救助"])
    return f"{lead}，{talk}", cat, "help", "critical", "high", ["self_harm"]


def c_mother_child(r):
    body = pick(r, [
        "我是外地来的，带着四岁的儿子，租的房子今天到期房东不让住了，今晚没地方过夜，孩子还发着烧",
        "孩子刚满月，我被婆家赶出来了，现在抱着孩子在{p}的公园里，晚上实在没地方去",
        "我和女儿被前夫从家里赶了出来，女儿才三岁，今晚住哪儿都不知道，身上只剩二十块钱",
        "单位宿舍不让住了，我一个人带着两个孩子，今天晚上得在外面过夜",
    ]).format(p=pick(r, PLACES))
    return body, "民政养老/低保救助", "help", "urgent", "high", ["vulnerable"]


def c_poisoned(r):
    n = count_phrase(r, 5, 50, ["个工人", "名学生", "个老人", "户人家", "个人"], ["exact", "range", "arabic", "ji", "duo"])
    src = pick(r, ["昨天在一家酒席上吃了饭", "工地食堂晚饭后", "学校对面小吃店吃了炒粉", "村里自来水发黄以后"])
    sym = pick(r, ["上吐下泻进了医院", "食物中毒住院了", "头晕呕吐，有的还在抢救", "发烧拉肚子去了医院"])
    gone = pick(r, ["饭店老板现在人找不到了", "包食堂的老板电话关机了", "店主关门跑了", "负责人联系不上"])
    return f"{src}，{n}{sym}，{gone}", "市场监管/食品安全", "help", "critical", "high", ["vulnerable"]


def c_gathering(r):
    n = count_phrase(r, 15, 500, ["个工人", "名业主", "个村民", "个家长", "人"], ["yu", "duo", "arabic", "shang", "range", "ji"])
    where = pick(r, ["开发商办公楼下", "街道办事处门口", "工厂门口", "镇政府大院里", "项目工地门口", "学校门口"])
    act = pick(r, ["聚集着不肯散", "拉起了横幅", "把路堵住了", "坐在地上不走", "围着要老板出来"])
    body = f"现在{where}有{n}{act}" + maybe(r, 0.5, pick(r, ["，情绪比较激动", "，越来越多人过来", "，要求马上给说法"]), "")
    cat = pick(r, ["劳动社保/拖欠工资", "住房建设/房屋质量", "邻里纠纷/土地山林", "教育/校外培训"])
    return body, cat, "complaint", "urgent", "high", ["gathering"]


def c_group_route(r):
    n = count_phrase(r, 30, 900, ["户业主", "户村民", "户", "名职工"], ["duo", "yu", "arabic", "shang", "exact"])
    issue = pick(r, ["安置房五年了还没交", "厂里改制的补偿一直没给", "小区外墙脱落砸坏了车", "征地款被克扣"])
    route = pick(r, ["大家已经在商量去北京上访", "业主群里说要集体去省里反映", "说这周末组织去市政府",
                     "已经联系了电视台的记者", "准备联名上访"])
    sig = ["gathering", "media"] if "记者" in route else ["gathering", "petition"]
    return f"{pick(r, PLACES)}{n}，{issue}，{route}", "住房建设/房屋质量", "complaint", "normal", "high", sig


def c_violence(r):
    body = pick(r, [
        "我丈夫又喝多了，刚才拿着刀在屋里转，说要砍死我",
        "有人在{p}的麻将馆门口打架，一个人被打得满脸是血",
        "我家隔壁的男的天天打老婆，今天晚上又在打，女的一直在哭喊救命",
        "讨债的人把我堵在家里，拿棍子把我家东西都砸了，还说要卸我一条腿",
        "两个村为了水渠的事情打起来了，有人拿了锄头，已经有人受伤",
    ]).format(p=pick(r, PLACES))
    cat = "邻里纠纷/家庭矛盾" if ("丈夫" in body or "老婆" in body) else "公共安全/治安隐患"
    return body, cat, "help", "critical", "high", ["violence"]


def c_repeat_route(r):
    times = pick(r, ["这个事我已经找了你们六次", "反映了快一年", "12345打了不下十次", "跑了街道七八趟"])
    issue = pick(r, ["隔壁违建挡了我家采光", "工伤赔偿", "养殖场的臭味", "拆迁补偿"])
    route = pick(r, ["我就买票去北京", "我就去省里找领导", "我只能进京上访了", "我就到省信访局去"])
    cat = {"隔壁违建挡了我家采光": "城市管理/违章搭建", "工伤赔偿": "劳动社保/劳动合同",
           "养殖场的臭味": "环境保护/大气污染", "拆迁补偿": "邻里纠纷/土地山林"}[issue]
    return f"{issue}，{times}了，一直没解决，要是月底前还没个说法{route}", cat, "complaint", "normal", "high", ["petition", "repeated"]


def c_single_route(r):
    body = pick(r, [
        "低保复核一直不给结果，再拖下去我就去区信访局",
        "我家孩子学籍的事教育局推来推去，我打算去上访",
        "社保补缴的事情没人给我解释清楚，我要去市里信访",
    ])
    cat = "民政养老/低保救助" if "低保" in body else ("教育/入学招生" if "学籍" in body else "劳动社保/社保缴纳")
    return body, cat, "complaint", "normal", "medium", ["petition"]


def c_media(r):
    body = pick(r, [
        "这家培训班收了一万多学费就关门了，我准备把聊天记录发到网上曝光",
        "餐厅吃出了钢丝球，店家态度恶劣，我要找媒体",
        "物业乱收停车费，我已经拍了视频准备发抖音",
    ])
    cat = "教育/校外培训" if "培训" in body else ("市场监管/食品安全" if "餐厅" in body else "邻里纠纷/物业纠纷")
    return body, cat, "complaint", "normal", "medium", ["media"]


def c_many(r):
    n = count_phrase(r, 50, 900, ["户", "户居民", "多户人家"], ["duo", "arabic", "shang"]).replace("多多", "多")
    issue = pick(r, ["停水已经一天一夜了", "突然停电，到现在还没来", "燃气中断一整天了"])
    cat = "水电气/供水" if "水" in issue else ("水电气/供电" if "电" in issue else "水电气/燃气")
    return f"{pick(r, PLACES)}{n}{issue}，请尽快安排抢修", cat, "complaint", "urgent", "medium", []


def c_shove(r):
    body = pick(r, [
        "为了楼道里放鞋柜的事和对门吵了几句，她老公出来推了我一下，我想请社区来调解",
        "小区里遛狗不牵绳，我说了一句，狗主人推了我一把，还骂了几句",
        "排队做核酸的时候有人插队，争了几句推搡了一下，后来就走了",
        "跟楼下因为漏水的赔偿吵起来，拉扯了几下，人都没事，就是要个说法",
        "停车的时候跟一个司机有点摩擦，他下车推了我肩膀一下",
    ])
    cat = "邻里纠纷/相邻关系"
    return body, cat, "dispute", "normal", "low", ["violence"]


def c_repeat(r):
    body = pick(r, [
        "{p}的路灯坏了好几个月了，已经反映过三回了",
        "{p}垃圾站的臭味我反映了好几次，一直没人来处理",
        "{p}的窨井盖松了，上周报过，现在还是响",
    ]).format(p=pick(r, PLACES))
    cat = "城市管理/市容环境" if "路灯" in body else ("环境保护/垃圾分类" if "垃圾" in body else "交通运输/道路设施")
    return body, cat, "complaint", "normal", "low", ["repeated"]


def c_angry(r):
    body = pick(r, ["你们政府部门就是这样踢皮球的吗？我真是受够了", "快递员把东西扔在门口就走，打电话还骂人，太气人了",
                    "办事大厅排了一上午，轮到我就下班了，什么态度"])
    return body, "市场监管/消费维权", "complaint", "normal", "low", []


def c_none(r):
    body, cat, nature = pick(r, [
        ("以前我们村闹过几次上访，现在村里修了路，大家都挺满意的，谢谢政府", "交通运输/道路设施", "praise"),
        ("{p}服装店门口的喇叭整天喊跳楼价，吵得没法午休", "环境保护/噪声污染", "complaint"),
        ("想问一下老人去北京的子女那里住，养老金怎么领", "民政养老/居家养老", "consult"),
        ("省里出台了新的生育补贴，请问我们区什么时候开始申请", "卫生健康/医疗服务", "consult"),
        ("{p}的健身器材坏了，老人们锻炼不方便，希望修一下", "城市管理/市容环境", "suggestion"),
        ("这个夏天热死了，{p}的公交站能不能装个遮阳棚", "交通运输/公交线路", "suggestion"),
        ("{p}二百多户的小区只有一个出入口，早高峰很堵，建议再开一个门", "交通运输/道路设施", "suggestion"),
        ("前几年这里发生过火灾，现在消防通道又被电动车堵了", "公共安全/消防隐患", "complaint"),
        ("孩子明年上小学，请问户籍在{p}的学区怎么划分", "教育/入学招生", "consult"),
        ("表扬一下{p}的网格员，上次帮独居老人修了水管，很热心", "民政养老/居家养老", "praise"),
    ])
    return body.format(p=pick(r, PLACES)), cat, nature, "normal", "none", []


HELDOUT_C = [(c_elderly, 25), (c_self_harm, 25), (c_mother_child, 15), (c_poisoned, 20), (c_gathering, 25),
             (c_group_route, 25), (c_violence, 15), (c_repeat_route, 20),
             (c_single_route, 12), (c_media, 12), (c_many, 20),
             (c_shove, 25), (c_repeat, 18), (c_angry, 12),
             (c_none, 50)]


# ------------------------------------------------------------------------------------------
# the final held-out part: author D, written after the weights were frozen (A, B and C all
# served development): 110 transfers, WeChat messages to the 社区, long rambling calls

def d_wrap(r, body):
    k = r.random()
    if k < 0.25:
        return "110转12345：" + body
    if k < 0.45:
        return "【社区微信群】" + body + pick(r, ["@网格员", "，谁能帮忙看看", ""])
    if k < 0.7:
        return pick(r, ["哎，我跟你们讲，", "喂喂，听得到吗，", "不好意思打扰了，", "领导你好，"]) + body + pick(r, ["。就这样。", "，拜托了", "。"])
    return body


def d_elderly(r):
    who = pick(r, ["我们这栋三楼的钱阿婆", "我大伯", "村东头的老光棍老吴", "我爱人的姑妈", "隔壁单元的退休老工人"])
    state = pick(r, ["一个人在家", "无儿无女", "老伴住院了，家里剩他一个", "身体一直不好，一个人过日子"])
    sign = pick(r, ["我们在外面喊了半天，里面一点声音都没有", "打了一上午电话也没人接",
                    "好几天没见人影了，门口的菜都烂了", "电话响到自动挂断，门也敲不开"])
    body = f"{who}{state}，{sign}" + maybe(r, 0.5, pick(r, ["，会不会出什么事", "，想请你们联系一下开锁", "，我们心里很慌"]), "")
    return body, "民政养老/居家养老", "help", "urgent", "high", ["vulnerable"]


def d_self_harm(r):
    lead = pick(r, ["拆迁款被村里扣了三年", "我投进去的钱全被卷跑了", "老公出轨还把家里的钱转走了",
                    "我在厂里断了两根手指，老板一分钱不赔", "孩子没了，我也不想撑了"])
    talk = pick(r, ["我今天晚上就喝药", "我就从他们公司楼顶跳下去让他们看看", "活着还有什么意思",
                    "我已经在天台上了", "大不了我一死了之", "我真的想死了"])
    cat = pick(r, ["邻里纠纷/土地山林", "公共安全/电信诈骗", "邻里纠纷/家庭矛盾", "劳动社保/劳动合同"])
    return f"{lead}，{talk}", cat, "help", "critical", "high", ["self_harm"]


def d_mother_child(r):
    body = pick(r, [
        "我一个女的带着一岁半的孩子，被老公锁在门外了，天这么冷今晚不知道怎么办",
        "刚从老家来找工作，带着孩子，钱被偷了，旅馆住不起，今天晚上只能在车站凑合",
        "我怀着孕还带着大宝，房东把我们东西扔出来了，晚上没地方睡",
    ])
    return body, "民政养老/低保救助", "help", "urgent", "high", ["vulnerable"]


def d_poisoned(r):
    n = count_phrase(r, 5, 60, ["个人", "个孩子", "名工友", "户"], ["exact", "ji", "arabic", "range"])
    src = pick(r, ["村里办喜酒", "厂里发的盒饭", "托管班的午饭", "小区团购的熟食"])
    sym = pick(r, ["吃完都吐了，有几个送去急救了", "上吐下泻，躺了一医院", "都中毒了在医院挂水"])
    gone = pick(r, ["做菜的厨师连夜走了人", "卖东西的群主把群解散了人找不到", "托管班老板手机打不通了"])
    return f"{src}，{n}{sym}，{gone}", "市场监管/食品安全", "help", "critical", "high", ["vulnerable"]


def d_gathering(r):
    n = count_phrase(r, 20, 500, ["个农民工", "户业主", "个村民", "人", "名家长"], ["yu", "duo", "arabic", "shang", "ji"])
    act = pick(r, ["现在把售楼处围得水泄不通", "在政府门口举着牌子", "堵住了进厂的路", "在小区门口拉横幅不让施工车进",
                   "聚在公司楼下喊口号"])
    return f"{n}{act}" + maybe(r, 0.5, "，人越来越多", ""), pick(r, ["劳动社保/拖欠工资", "住房建设/房屋质量", "邻里纠纷/土地山林"]), "complaint", "urgent", "high", ["gathering"]


def d_group_route(r):
    n = count_phrase(r, 40, 900, ["户", "户业主", "个职工", "户村民"], ["duo", "arabic", "yu", "shang"])
    issue = pick(r, ["房子墙体开裂", "厂里欠了半年工资", "集资款要不回来", "小区被划出学区"])
    route = pick(r, ["大家说好了一起进京", "已经包了车要去省里", "商量着集体去市委门口", "准备请媒体来报道", "要去上访"])
    sig = ["gathering", "media"] if "媒体" in route else ["gathering", "petition"]
    return f"{pick(r, PLACES)}{n}，{issue}，{route}", "住房建设/房屋质量", "complaint", "normal", "high", sig


def d_violence(r):
    body = pick(r, [
        "楼下饭店里有人喝醉了拿啤酒瓶砸人，地上都是血",
        "我弟弟被催债的人拖到车上打，现在不知道被带到哪里去了",
        "我老公说再闹离婚就杀了我和孩子，他手里有刀",
        "邻居家的狗咬了我家孩子，我去理论，他拿扁担打我，头都破了",
        "工地上两拨人拿着钢筋在打，有人倒在地上了",
    ])
    cat = "邻里纠纷/家庭矛盾" if "老公" in body else "公共安全/治安隐患"
    return body, cat, "help", "critical", "high", ["violence"]


def d_repeat_route(r):
    body = pick(r, [
        "房子漏水的事我找了物业街道住建局，跑了一年多都没用，过完年我就去北京",
        "工伤认定拖了两年，打了无数次电话，再不给个答复我就去省里",
        "征地补偿差了我家三万，村里镇里都说不归他们管，我已经反映了八次了，下一步只能上访",
    ])
    cat = "住房建设/房屋质量" if "漏水" in body else ("劳动社保/劳动合同" if "工伤" in body else "邻里纠纷/土地山林")
    return body, cat, "complaint", "normal", "high", ["petition", "repeated"]


def d_single_route(r):
    body = pick(r, ["公积金提取被拒了，我想去信访部门问问", "这事你们不管我就去市里信访局", "我要越级反映这个城管执法的问题"])
    cat = "城市管理/市容环境" if "城管" in body else "劳动社保/社保缴纳"
    return body, cat, "complaint", "normal", "medium", ["petition"]


def d_media(r):
    body = pick(r, ["这个月子中心服务太差，我要在小红书上写出来", "装修公司跑单了，我去找电视台的帮忙栏目",
                    "小区电梯天天困人，业主说要找记者来看看"])
    cat = "住房建设/物业管理" if "电梯" in body else "市场监管/消费维权"
    return body, cat, "complaint", "normal", "medium", ["media"]


def d_many(r):
    n = count_phrase(r, 50, 900, ["户", "户居民"], ["duo", "arabic", "shang"])
    return f"{pick(r, PLACES)}{n}从昨晚开始停水，到现在还没恢复", "水电气/供水", "complaint", "urgent", "medium", []


def d_shove(r):
    body = pick(r, [
        "因为垃圾桶摆放的问题，和隔壁大姐争了几句，她推了我一下，我也没吃亏，就是想让社区说说她",
        "我家车位被人占了，跟车主理论时他推了我一把，然后开车走了",
        "在菜场为了一块钱跟摊主起了争执，他推搡了我几下，没伤到",
        "两家孩子玩闹，大人出来吵架，互相推了几下，现在都不说话了",
    ])
    return body, "邻里纠纷/相邻关系", "dispute", "normal", "low", ["violence"]


def d_repeat(r):
    body = pick(r, ["{p}的下水道又堵了，这是这个月第二次报了", "{p}那个废弃的车停了半年了，说过好几次",
                    "{p}的健身器材坏了好久，反映过还是没人修"]).format(p=pick(r, PLACES))
    cat = "住房建设/物业管理" if "下水道" in body else ("交通运输/停车管理" if "车" in body else "城市管理/市容环境")
    return body, cat, "complaint", "normal", "low", ["repeated"]


def d_angry(r):
    body = pick(r, ["你们客服说话能不能有点耐心，我问三遍都答非所问，真是气人", "投诉了三个部门，互相推，老百姓办个事怎么这么难"])
    return body, "市场监管/消费维权", "complaint", "normal", "low", []


def d_none(r):
    body, cat, nature = pick(r, [
        ("{p}的老年食堂饭菜挺好的，给社区点个赞", "民政养老/居家养老", "praise"),
        ("请问孩子在北京上的户口，回来上学要什么手续", "教育/入学招生", "consult"),
        ("听说以前{p}有人拉过横幅，现在换了物业好多了，想问问车位怎么租", "交通运输/停车管理", "consult"),
        ("{p}门口新开的店天天放音乐，吵死人了", "环境保护/噪声污染", "complaint"),
        ("几十户业主想一起申请加装电梯，请问要准备哪些材料", "住房建设/加装电梯", "consult"),
        ("{p}的公交车站牌字太小了，老人看不清", "交通运输/公交线路", "suggestion"),
        ("超市搞活动打出跳楼价，结果结账价格不一样，这算不算价格欺诈", "市场监管/价格投诉", "complaint"),
        ("我家小孩的疫苗本丢了，怎么补办", "卫生健康/疫苗接种", "consult"),
    ])
    return body.format(p=pick(r, PLACES)), cat, nature, "normal", "none", []


HELDOUT_D = [(d_elderly, 25), (d_self_harm, 25), (d_mother_child, 12), (d_poisoned, 20), (d_gathering, 25),
             (d_group_route, 25), (d_violence, 20), (d_repeat_route, 12),
             (d_single_route, 12), (d_media, 12), (d_many, 15),
             (d_shove, 20), (d_repeat, 15), (d_angry, 8),
             (d_none, 45)]


# ------------------------------------------------------------------------------------------
# the final held-out part since the second round: author E, written after D had been used for
# development and the weights frozen again: cadres' work logs, SMS shorthand, halting speech

def e_wrap(r, body):
    k = r.random()
    if k < 0.25:
        return pick(r, ["【村社工作日志】", "【街道值班记录】", "【信访接待登记】"]) + body
    if k < 0.45:
        return "短信：" + body.replace("，", " ")
    if k < 0.7:
        return pick(r, ["那个……", "就是说，", "我说一下啊，", "呃，"]) + body.replace("，", "，就是，", 1) + pick(r, ["……", "。", "，好吧"])
    return body


def e_elderly(r):
    who = pick(r, ["我老娘", "独门独户的孙老太", "楼下那个眼睛不好的老头", "我们村的困难户老马", "我岳父"])
    age = pick(r, ["八十三了", "九十岁的人了", "快八十的人", "年纪大了"])
    how = pick(r, ["身边一个亲人都没有", "一直是自己一个人", "儿子在外省打工常年不回来", "老伴前年没了"])
    sign = pick(r, ["昨天到今天都找不着人", "电话一直是忙音", "去他家敲门半天没回应", "三天没出来买菜了，门口堆着快递"])
    body = f"{who}{age}，{how}，{sign}" + maybe(r, 0.5, pick(r, ["，我这心里七上八下的", "，麻烦派人去看一眼", "，会不会晕在家里了"]), "")
    return body, "民政养老/居家养老", "help", "urgent", "high", ["vulnerable"]


def e_self_harm(r):
    lead = pick(r, ["干了一年活工钱一分没见着", "房子被法院拍卖了", "欠了网贷几十万还不上", "男人跟别人跑了", "看病把家底掏空了"])
    talk = pick(r, ["我想好了，今晚就去河里", "再这样我就抱着孩子从楼上下去", "我这条命不要了", "人活着真没意思，不如走了干净",
                    "我把遗言都写好了", "死了就解脱了"])
    cat = pick(r, ["劳动社保/拖欠工资", "邻里纠纷/家庭矛盾", "公共安全/电信诈骗", "卫生健康/医保报销"])
    return f"{lead}，{talk}", cat, "help", "critical", "high", ["self_harm"]


def e_mother_child(r):
    body = pick(r, [
        "我抱着三个月的娃被婆婆赶出门了，外面下着雨，今晚真不知道上哪去",
        "娘俩被房东撵了，孩子五岁，行李都堆在马路边，天黑了还没找到落脚的地方",
        "带着两个孩子从家里逃出来的，他喝醉了打人，现在在{p}路边，晚上没去处",
    ]).format(p=pick(r, PLACES))
    return body, "民政养老/低保救助", "help", "urgent", "high", ["vulnerable"]


def e_poisoned(r):
    n = count_phrase(r, 5, 60, ["个人", "户人家", "个小孩", "名工人"], ["exact", "ji", "range", "arabic", "lai"])
    src = pick(r, ["吃了村口流动摊卖的凉皮", "喝了厂里烧的开水", "幼儿园午饭以后", "在那家自助餐吃了海鲜"])
    sym = pick(r, ["都说肚子绞着疼吐个不停", "一个个脸色发白在卫生院打点滴", "好几个已经晕过去了"])
    gone = pick(r, ["摆摊的早就没影了", "厂长手机关了", "老板娘把店门一锁走了", "园长电话打不通"])
    return f"{src}，{n}{sym}，{gone}", "市场监管/食品安全", "help", "critical", "high", ["vulnerable"]


def e_gathering(r):
    n = count_phrase(r, 15, 400, ["号人", "个工友", "个业主", "个村民", "位家长"], ["lai", "duo", "yu", "arabic", "shang"])
    act = pick(r, ["把开发商的车拦下了不让走", "在区里信访局门口排成一排站着", "把村委会大门堵死了", "打着标语在工地门口",
                   "坐在马路中间不起来"])
    return f"{n}{act}" + maybe(r, 0.5, "，场面快控制不住了", ""), pick(r, ["劳动社保/拖欠工资", "住房建设/房屋质量", "邻里纠纷/土地山林"]), "complaint", "urgent", "high", ["gathering"]


def e_group_route(r):
    n = count_phrase(r, 40, 800, ["户", "户人家", "个股东", "户村民"], ["duo", "arabic", "yu", "shang"])
    issue = pick(r, ["安置款到现在没发", "楼盘停工两年了", "村里的地被低价卖了", "养老院的押金退不出来"])
    route = pick(r, ["大伙已经订了去北京的火车票", "说好了月底一起去省信访办", "都准备好横幅去市里", "约了好几家报纸的记者"])
    sig = ["gathering", "media"] if "记者" in route else ["gathering", "petition"]
    return f"{pick(r, PLACES)}{n}，{issue}，{route}", "住房建设/房屋质量", "complaint", "normal", "high", sig


def e_violence(r):
    body = pick(r, [
        "对面烧烤店两桌人打起来了，有人抡椅子，地上躺着一个",
        "我男人又动手了，把我头往墙上撞，我现在躲在厕所里",
        "几个小混混在学校后门围着一个学生打，学生满脸都是血",
        "包工头叫了一帮人，拿着钢管说今天不走就废了我们",
    ])
    cat = "邻里纠纷/家庭矛盾" if "男人" in body else "公共安全/治安隐患"
    return body, cat, "help", "critical", "high", ["violence"]


def e_repeat_route(r):
    body = pick(r, [
        "补偿款的事我前前后后跑了二十多趟，谁都不管，逼急了我就去北京",
        "这个违建我举报了一年半了，一点动静没有，再不拆我就到省里去告",
        "工钱的事找了劳动监察五回，每次都说在处理，这次不给我说法我就进京",
    ])
    cat = "邻里纠纷/土地山林" if "补偿" in body else ("城市管理/违章搭建" if "违建" in body else "劳动社保/拖欠工资")
    return body, cat, "complaint", "normal", "high", ["petition", "repeated"]


def e_single_route(r):
    body = pick(r, ["这个处罚我不服，我要去信访", "孩子转学的事我准备写信到省教育厅", "这事要是不给说法我就去上访"])
    cat = "教育/入学招生" if "转学" in body else "交通运输/停车管理"
    return body, cat, "complaint", "normal", "medium", ["petition"]


def e_media(r):
    body = pick(r, ["美容院办卡就关门，我们已经联系了记者", "这外卖吃出了头发，我拍了视频要发到网上", "小区电梯关人，业主们说要上新闻"])
    cat = "住房建设/物业管理" if "电梯" in body else "市场监管/消费维权"
    return body, cat, "complaint", "normal", "medium", ["media"]


def e_many(r):
    n = count_phrase(r, 50, 900, ["户", "户居民"], ["duo", "arabic", "shang"])
    return f"{pick(r, PLACES)}整个片区{n}从早上就没电了", "水电气/供电", "complaint", "urgent", "medium", []


def e_shove(r):
    body = pick(r, [
        "为了门口放电瓶车的事跟邻居吵了两句，他搡了我一把，人没事，就是气不过",
        "跳广场舞抢地方，两个阿姨推了几下，已经被劝开了",
        "物业保安不让我进，拉拉扯扯了几下，我想投诉他态度",
        "跟对门因为鞋架吵起来，她推了我老公一下，两家现在谁也不理谁",
    ])
    return body, "邻里纠纷/相邻关系", "dispute", "normal", "low", ["violence"]


def e_repeat(r):
    body = pick(r, ["{p}的路灯这都报了三次了还是黑的", "{p}门口的积水反映好几回了", "{p}垃圾桶满了没人清，上礼拜就说过"]).format(p=pick(r, PLACES))
    cat = "城市管理/市容环境" if "路灯" in body else ("交通运输/道路设施" if "积水" in body else "环境保护/垃圾分类")
    return body, cat, "complaint", "normal", "low", ["repeated"]


def e_angry(r):
    body = pick(r, ["打了三遍电话都是机器人，你们到底有没有人管事", "办个证要我跑五个地方，真是服了"])
    return body, "市场监管/消费维权", "complaint", "normal", "low", []


def e_none(r):
    body, cat, nature = pick(r, [
        ("想问问去北京看病能不能直接结算", "卫生健康/医保报销", "consult"),
        ("{p}的超市天天喊跳楼价，大喇叭吵人", "环境保护/噪声污染", "complaint"),
        ("早几年我们这里有人上访过，现在路修好了，谢谢", "交通运输/道路设施", "praise"),
        ("{p}有二百多户想装充电桩，怎么申请", "住房建设/物业管理", "consult"),
        ("{p}的老人活动中心什么时候开放", "民政养老/居家养老", "consult"),
        ("累死了，社保窗口排队两小时", "劳动社保/社保缴纳", "complaint"),
        ("省里的公积金新政策我们这边执行了吗", "劳动社保/社保缴纳", "consult"),
    ])
    return body.format(p=pick(r, PLACES)), cat, nature, "normal", "none", []


HELDOUT_E = [(e_elderly, 25), (e_self_harm, 25), (e_mother_child, 12), (e_poisoned, 20), (e_gathering, 25),
             (e_group_route, 25), (e_violence, 16), (e_repeat_route, 12),
             (e_single_route, 10), (e_media, 10), (e_many, 15),
             (e_shove, 20), (e_repeat, 15), (e_angry, 8),
             (e_none, 40)]


def generate(scenarios, wrap, seed):
    r = random.Random(seed)
    seen = set()
    out = []
    for fn, n in scenarios:
        tries = 0
        made = 0
        while made < n and tries < n * 30:
            tries += 1
            text, cat, nature, urgency, risk, signals = fn(r)
            text = wrap(r, text)
            if text in seen:
                continue
            seen.add(text)
            made += 1
            out.append({"text": text, "category": cat, "nature": nature, "urgency": urgency,
                        "risk": risk, "signals": signals})
    r.shuffle(out)
    return out


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "crates/triage/data/corpus"
    train = generate(TRAIN, a_wrap, 20261205)
    heldout = generate(HELDOUT, b_wrap, 97531)
    heldout += generate(HELDOUT_C, c_wrap, 424242)
    heldout += generate(HELDOUT_D, d_wrap, 8080)
    final = generate(HELDOUT_E, e_wrap, 5150)
    train_texts = {e["text"] for e in train}
    heldout = [e for e in heldout if e["text"] not in train_texts]
    dev_texts = {e["text"] for e in heldout}
    final = [e for e in final if e["text"] not in train_texts and e["text"] not in dev_texts]
    write(os.path.join(out, "risk_train.jsonl"), train)
    write(os.path.join(out, "risk_dev.jsonl"), heldout)
    write(os.path.join(out, "risk_heldout.jsonl"), final)
    for name, rows in (("risk_train", train), ("risk_dev", heldout), ("risk_heldout", final)):
        levels = {}
        for e in rows:
            levels[e["risk"]] = levels.get(e["risk"], 0) + 1
        print(name, len(rows), dict(sorted(levels.items())))


if __name__ == "__main__":
    main()
