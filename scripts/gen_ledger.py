#!/usr/bin/env python3
"""Writes a 走访问题台账 CSV of N rows for the import benchmark (deterministic)."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.argv[2] if len(sys.argv) > 2 else "ledger.csv"
rng = random.Random(2026)
problems = [
    "楼道里堆满杂物，消防通道被堵，存在火灾隐患",
    "小区东门路灯损坏两周无人修，晚上出行不便",
    "企业反映拖欠工人工资三个月，工人多次讨要未果",
    "村口垃圾桶满溢无人清运，气味很大",
    "希望在社区增设老年食堂，方便独居老人就餐",
    "沿街商户占道经营，影响行人通行",
    "夜间工地施工噪声扰民，影响休息",
    "自来水水压不足，高层住户用水困难",
    "企业咨询稳岗补贴申领流程",
    "邻里之间因漏水问题发生矛盾，需要调解",
]
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
given = ["建国", "秀英", "伟", "芳", "敏", "静", "磊", "丽", "强", "军", "洋", "勇", "艳", "杰", "娟"]
streets = [f"330188{s:03d}" for s in range(1, 13)]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("\ufeff走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话\r\n")
    for i in range(n):
        street = rng.choice(streets)
        region = f"{street}{rng.randint(1, 14):03d}"
        kind = "企业" if rng.random() < 0.2 else "住户"
        name = (rng.choice(surnames) + rng.choice(given)) if kind == "住户" else f"临江{rng.choice(['建材', '纺织', '机械', '电子'])}有限公司"
        day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
        phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        f.write(f"{name},{kind},{day},{rng.choice(surnames)}干部,{rng.choice(problems)}（第{i + 1}户）,临江区第{rng.randint(1, 300)}号,{region},,{phone}\r\n")
print(f"wrote {n} rows to {out}", file=sys.stderr)
