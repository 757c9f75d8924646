#!/usr/bin/env python3
"""Writes a 走访问题台账 of N rows for the import benchmark (deterministic): CSV, or XLSX (shared
strings, as Excel writes them) when OUT ends in .xlsx.

`gen_ledger.py hostile DIR` writes the hostile files of issue 19 instead: the dimension bomb
(the whole grid declared, one cell at XFD1048576), a zip bomb (1 GiB of blanks in a ~1 MB sheet) and
a 50 MB sheet of 2 million rows (stored)."""
import os
import random
import sys
import zipfile

HEADER = ["走访对象", "对象类型", "走访日期", "走访人", "问题描述", "地址", "区划代码", "问题分类", "联系电话"]
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
SHEET_START = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def workbook(path, sheet_chunks, shared=None, stored=False):
    """A workbook whose sheet XML is written chunk by chunk (never held whole)."""
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES, zipfile.ZIP_DEFLATED)
        z.writestr("xl/workbook.xml", WORKBOOK, zipfile.ZIP_DEFLATED)
        z.writestr("xl/_rels/workbook.xml.rels", RELS, zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = method
        with z.open(info, "w") as f:
            for chunk in sheet_chunks:
                f.write(chunk.encode("utf-8"))
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared, zipfile.ZIP_DEFLATED)


def hostile(d):
    os.makedirs(d, exist_ok=True)
    bomb = f'{SHEET_START}<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    workbook(os.path.join(d, "dimension-bomb.xlsx"), [bomb])

    def blanks():
        yield SHEET_START
        for _ in range(1024):
            yield " " * (1024 * 1024)
        yield "<sheetData></sheetData></worksheet>"

    workbook(os.path.join(d, "zip-bomb.xlsx"), blanks())

    def fifty():
        yield SHEET_START + "<sheetData><row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER) + "</row>"
        for r in range(2_000_000):
            yield f"<row><c><v>{r}</v></c></row>"
        yield "</sheetData></worksheet>"

    workbook(os.path.join(d, "sheet-50mb.xlsx"), fifty(), stored=True)
    for name in ["dimension-bomb.xlsx", "zip-bomb.xlsx", "sheet-50mb.xlsx"]:
        print(f"wrote {name}: {os.path.getsize(os.path.join(d, name)):,} bytes", file=sys.stderr)


if len(sys.argv) > 1 and sys.argv[1] == "hostile":
    hostile(sys.argv[2] if len(sys.argv) > 2 else ".")
    sys.exit(0)

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


def rows():
    for i in range(n):
        street = rng.choice(streets)
        region = f"{street}{rng.randint(1, 14):03d}"
        kind = "企业" if rng.random() < 0.2 else "住户"
        name = (rng.choice(surnames) + rng.choice(given)) if kind == "住户" else f"临江{rng.choice(['建材', '纺织', '机械', '电子'])}有限公司"
        day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
        phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        yield [name, kind, day, f"{rng.choice(surnames)}干部", f"{rng.choice(problems)}（第{i + 1}户）", f"临江区第{rng.randint(1, 300)}号", region, "", phone]


if out.endswith(".xlsx"):
    strings, index = [], {}

    def sst(t):
        if t not in index:
            index[t] = len(strings)
            strings.append(t)
        return index[t]

    def sheet():
        yield SHEET_START + "<sheetData>"
        for r, row in enumerate([HEADER] + list(rows()), start=1):
            cells = []
            for c, v in enumerate(row):
                if not v:
                    continue
                if c == 6 and r > 1:
                    cells.append(f'<c r="{col(c)}{r}"><v>{v}</v></c>')
                else:
                    cells.append(f'<c r="{col(c)}{r}" t="s"><v>{sst(v)}</v></c>')
            yield f'<row r="{r}">{"".join(cells)}</row>'
        yield "</sheetData></worksheet>"

    chunks = list(sheet())
    shared = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + "".join(f"<si><t>{esc(t)}</t></si>" for t in strings) + "</sst>"
    workbook(out, chunks, shared)
else:
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + ",".join(HEADER) + "\r\n")
        for row in rows():
            f.write(",".join(row) + "\r\n")
print(f"wrote {n} rows to {out}", file=sys.stderr)
