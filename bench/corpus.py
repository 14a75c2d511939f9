"""A deterministic, realistic synthetic disclosure corpus: one generator of document records, one writer for this site.

python bench/corpus.py ROOT N [SEED] writes ROOT/config.yaml and ROOT/content/ with N documents.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from xxgk.identifiers import org_check_char, uscc_check_char  # noqa: E402

HERE = Path(__file__).resolve().parent
FIRST_YEAR, LAST_YEAR = 2015, 2025

# (district, pinyin, GB/T 2260 code) of Shenzhen's districts.
DISTRICTS = (
    ("福田区", "futian", "440304"),
    ("罗湖区", "luohu", "440303"),
    ("南山区", "nanshan", "440305"),
    ("盐田区", "yantian", "440308"),
    ("宝安区", "baoan", "440306"),
    ("龙岗区", "longgang", "440307"),
    ("龙华区", "longhua", "440309"),
    ("坪山区", "pingshan", "440310"),
    ("光明区", "guangming", "440311"),
)

# (full name suffix, short suffix, slug, 代字 part, favoured 主题分类 pairs).
DEPARTMENTS = (
    ("人民政府办公室", "府办", "fb", "府办", ("综合政务\\政务公开", "综合政务\\政务督查", "综合政务\\文秘工作")),
    (
        "发展和改革局",
        "发改局",
        "fgj",
        "发改",
        (
            "国民经济管理、国有资产监管\\宏观经济",
            "国民经济管理、国有资产监管\\重大建设项目",
            "国民经济管理、国有资产监管\\物价",
        ),
    ),
    ("教育局", "教育局", "jyj", "教", ("科技、教育\\教育",)),
    ("科技创新局", "科创局", "kcj", "科创", ("科技、教育\\科技", "科技、教育\\知识产权")),
    (
        "工业和信息化局",
        "工信局",
        "gxj",
        "工信",
        ("工业、交通\\信息产业（含电信）", "工业、交通\\轻工纺织", "工业、交通\\机械制造与重工业"),
    ),
    (
        "民政局",
        "民政局",
        "mzj",
        "民",
        ("民政、扶贫、救灾\\社会福利", "民政、扶贫、救灾\\社团管理", "民政、扶贫、救灾\\行政区划与地名"),
    ),
    ("司法局", "司法局", "sfj", "司", ("公安、安全、司法\\司法",)),
    ("财政局", "财政局", "czj", "财", ("财政、金融、审计\\财政", "财政、金融、审计\\审计")),
    (
        "人力资源局",
        "人力资源局",
        "rlzyj",
        "人力",
        ("劳动、人事、监察\\劳动就业", "劳动、人事、监察\\社会保障", "劳动、人事、监察\\人事工作"),
    ),
    ("住房和建设局", "住建局", "zjj", "建", ("城乡建设、环境保护\\城乡建设（含住房）", "城乡建设、环境保护\\城市规划")),
    ("交通运输局", "交通局", "jtj", "交", ("工业、交通\\公路", "工业、交通\\水运")),
    ("水务局", "水务局", "swj", "水", ("农业、林业、水利\\水利", "国土资源、能源\\水资源")),
    (
        "卫生健康局",
        "卫健局",
        "wjj",
        "卫",
        ("卫生、体育\\卫生", "卫生、体育\\医药管理", "人口与计划生育、妇女儿童工作\\人口与计划生育"),
    ),
    ("应急管理局", "应急局", "yjj", "应急", ("综合政务\\应急管理", "市场监管、安全生产监管\\安全生产监管")),
    (
        "市场监督管理局",
        "市场监管局",
        "scjgj",
        "市监",
        ("市场监管、安全生产监管\\食品药品监管", "市场监管、安全生产监管\\质量监督", "市场监管、安全生产监管\\标准"),
    ),
    (
        "文化广电旅游体育局",
        "文广旅体局",
        "wglt",
        "文",
        ("文化、广电、新闻出版\\文化", "文化、广电、新闻出版\\文物", "卫生、体育\\体育", "商贸、海关、旅游\\旅游"),
    ),
    (
        "生态环境局",
        "生态环境局",
        "sthjj",
        "环",
        ("城乡建设、环境保护\\环境监测、保护与治理", "城乡建设、环境保护\\节能与资源综合利用"),
    ),
    (
        "城市管理和综合执法局",
        "城管局",
        "cgj",
        "城管",
        ("城乡建设、环境保护\\城乡建设（含住房）", "农业、林业、水利\\林业"),
    ),
    ("政务服务数据管理局", "政数局", "zsj", "政数", ("综合政务\\电子政务", "综合政务\\政务公开")),
    ("统计局", "统计局", "tjj", "统", ("国民经济管理、国有资产监管\\统计",)),
)

# 主题分类 pairs from the State Council tree (domain reference section 5), drawn when a body writes off its topics.
CATEGORIES = (
    "综合政务\\政务公开",
    "综合政务\\政务督查",
    "综合政务\\应急管理",
    "综合政务\\电子政务",
    "综合政务\\文秘工作",
    "综合政务\\信访",
    "综合政务\\其他",
    "国民经济管理、国有资产监管\\宏观经济",
    "国民经济管理、国有资产监管\\统计",
    "国民经济管理、国有资产监管\\物价",
    "国民经济管理、国有资产监管\\国有资产监管",
    "国民经济管理、国有资产监管\\重大建设项目",
    "财政、金融、审计\\财政",
    "财政、金融、审计\\税务",
    "财政、金融、审计\\社会信用体系建设",
    "财政、金融、审计\\审计",
    "国土资源、能源\\土地",
    "国土资源、能源\\水资源",
    "国土资源、能源\\电力",
    "农业、林业、水利\\农业、畜牧业、渔业",
    "农业、林业、水利\\林业",
    "农业、林业、水利\\水利",
    "工业、交通\\信息产业（含电信）",
    "工业、交通\\公路",
    "工业、交通\\水运",
    "工业、交通\\邮政",
    "商贸、海关、旅游\\国内贸易（含供销）",
    "商贸、海关、旅游\\对外经贸合作",
    "商贸、海关、旅游\\旅游",
    "市场监管、安全生产监管\\工商",
    "市场监管、安全生产监管\\质量监督",
    "市场监管、安全生产监管\\食品药品监管",
    "市场监管、安全生产监管\\安全生产监管",
    "城乡建设、环境保护\\城市规划",
    "城乡建设、环境保护\\城乡建设（含住房）",
    "城乡建设、环境保护\\环境监测、保护与治理",
    "城乡建设、环境保护\\节能与资源综合利用",
    "城乡建设、环境保护\\气象、水文、测绘、地震",
    "科技、教育\\科技",
    "科技、教育\\教育",
    "科技、教育\\知识产权",
    "文化、广电、新闻出版\\文化",
    "文化、广电、新闻出版\\文物",
    "卫生、体育\\卫生",
    "卫生、体育\\体育",
    "人口与计划生育、妇女儿童工作\\妇女儿童",
    "劳动、人事、监察\\劳动就业",
    "劳动、人事、监察\\社会保障",
    "劳动、人事、监察\\人事工作",
    "劳动、人事、监察\\军转安置",
    "公安、安全、司法\\公安",
    "公安、安全、司法\\司法",
    "民政、扶贫、救灾\\减灾救灾",
    "民政、扶贫、救灾\\优抚安置",
    "民政、扶贫、救灾\\社会福利",
    "民政、扶贫、救灾\\扶贫",
    "民族、宗教\\民族事务",
    "民族、宗教\\宗教事务",
    "港澳台侨工作\\港澳工作",
    "国防\\国防动员",
)

# The 15 公文 kinds (命令 and 令 are one kind) with their share of a typical portal.
GENRES = (
    ("通知", 42),
    ("公告", 7),
    ("通告", 6),
    ("意见", 7),
    ("函", 8),
    ("通报", 6),
    ("报告", 6),
    ("批复", 6),
    ("决定", 4),
    ("请示", 2),
    ("纪要", 3),
    ("公报", 1),
    ("令", 0.6),
    ("命令", 0.2),
    ("决议", 0.5),
    ("议案", 0.3),
)

AREAS = (
    "重点项目建设",
    "安全生产",
    "城市更新",
    "义务教育学位",
    "公共卫生",
    "营商环境",
    "政务服务",
    "生态环境保护",
    "防汛防旱",
    "森林防火",
    "食品安全",
    "消防安全",
    "就业创业",
    "住房保障",
    "交通运输",
    "水污染治理",
    "科技创新",
    "中小企业发展",
    "老旧小区改造",
    "社区治理",
    "养老服务",
    "文化惠民",
    "全民健身",
    "知识产权保护",
    "统计调查",
    "财政预算管理",
    "政府采购",
    "信访工作",
    "应急管理",
    "档案管理",
    "数字政府建设",
    "低碳发展",
    "生活垃圾分类",
    "市容环境提升",
    "人才引进",
    "社会救助",
    "残疾人服务",
    "行政执法",
    "法治政府建设",
    "政务公开",
)

SUBJECTS = {
    "通知": (
        "印发《{place}{year}年{area}工作方案》",
        "印发《{place}{area}管理办法》",
        "开展{year}年{area}专项检查",
        "做好{year}年{area}工作",
        "进一步加强{area}工作",
        "组织申报{year}年{area}专项资金",
        "调整{area}工作领导小组成员",
    ),
    "意见": ("加快推进{area}", "深化{area}改革", "进一步加强{area}工作"),
    "通报": ("{year}年{area}工作情况", "{area}专项检查结果", "{year}年上半年{area}督查情况"),
    "报告": ("{year}年{area}工作情况", "{place}{area}工作开展情况"),
    "批复": ("{place}{area}项目立项", "{place}{year}年{area}实施方案"),
    "函": ("征求《{place}{area}管理办法（征求意见稿）》意见", "商请协助做好{area}工作"),
    "决定": ("表彰{year}年度{area}先进集体和先进个人", "废止部分{area}规范性文件"),
    "令": ("公布《{place}{area}管理规定》",),
}
GENERIC_SUBJECTS = ("{area}有关事项", "{year}年{area}实施", "{place}{area}有关工作")
EXTRA_KEYWORDS = ("工作方案", "专项检查", "管理办法", "督查", "资金", "实施", "规范性文件", "年度计划", "考核", "公示")
CN_DIGITS = "零一二三四五六七八九"
ENUMERATED = re.compile(r"^([一二三四五六七八九十]+是|其[一二三四五六七八九十])")


@dataclass(frozen=True, slots=True)
class Body:
    """An issuing body: its names, its 统一社会信用代码, a folder slug and its 文号 代字."""

    name: str
    code: str
    short: str
    slug: str
    daizi: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """One disclosure document as both writers need it."""

    index_no: str
    title: str
    publisher: str
    category: str
    genre: str
    doc_no: str
    written: date
    published: date
    keywords: tuple[str, ...]
    summary: str
    validity: str
    repealed: date | None
    column: str
    body: str
    rel_path: str  # <year>/<body-slug>/<serial>.md

    @property
    def slug(self) -> str:
        """The index number as a file-name-safe slug."""
        return self.index_no.replace("/", "-")


@dataclass(frozen=True, slots=True)
class Texts:
    """The sentences and headings bodies are built from."""

    sentences: tuple[str, ...]
    headings: tuple[str, ...]
    openers: tuple[str, ...]  # sentences fit to open a document (no 一是/二是 enumeration)


def read_lines(name: str) -> tuple[str, ...]:
    """The non-empty lines of a data file kept beside this module."""
    return tuple(line for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line)


def load_texts() -> Texts:
    """Read the sentence and heading data files."""
    sentences = read_lines("sentences.txt")
    openers = tuple(s for s in sentences if s[-1] == "。" and not ENUMERATED.match(s))
    return Texts(sentences, read_lines("headings.txt"), openers)


def make_bodies(rng: random.Random) -> list[Body]:
    """The 20 issuing bodies, one per department, spread over the districts, with valid codes."""
    bodies = []
    for i, (dept, short, slug, daizi, topics) in enumerate(DEPARTMENTS):
        district, pinyin, region = DISTRICTS[i % len(DISTRICTS)]
        org8 = "".join(rng.choice("0123456789") for _ in range(8))
        first17 = "11" + region + org8 + org_check_char(org8)
        bodies.append(
            Body(
                f"深圳市{district}{dept}",
                first17 + uscc_check_char(first17),
                district + short,
                f"{pinyin}-{slug}",
                f"深{district[0]}{daizi}",
                topics,
            )
        )
    return bodies


def cn_number(n: int) -> str:
    """Chinese numeral for 1..99, as used in 一、 and （一） headings."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def random_day(rng: random.Random, year: int) -> date:
    """A working day of the year, mostly (a few portals publish at weekends)."""
    day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    while day.weekday() >= 5 and rng.random() < 0.9:
        day += timedelta(days=1)
    return min(day, date(year, 12, 31))


def plan(rng: random.Random, bodies: list[Body], n: int) -> list[tuple[Body, date, int]]:
    """Who publishes what when: (body, published, serial), serials consecutive per body and year in date order."""
    weights = [1 / math.sqrt(i + 1) for i in range(len(bodies))]
    rng.shuffle(weights)
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    year_weights = [1 + 0.15 * (y - FIRST_YEAR) for y in years]
    counts = Counter(
        zip(rng.choices(range(len(bodies)), weights, k=n), rng.choices(years, year_weights, k=n), strict=True)
    )
    slots = []
    for (b, year), count in sorted(counts.items()):
        days = sorted(random_day(rng, year) for _ in range(count))
        slots += [(bodies[b], day, serial) for serial, day in enumerate(days, 1)]
    return slots


def body_bytes(rng: random.Random) -> int:
    """A body length in UTF-8 bytes: log-normal, mean about 3.6 KB, clipped to 0.5–20 KB."""
    return int(min(19_000, max(500, rng.lognormvariate(math.log(2_550), 0.68))))


def paragraph(rng: random.Random, texts: Texts, prefix: str = "") -> str:
    """One paragraph of 1–4 sampled sentences, ending with a full stop."""
    text = "".join(rng.choice(texts.sentences) for _ in range(rng.randint(1, 4)))
    return prefix + text[:-1] + "。"


def opening(rng: random.Random, texts: Texts) -> str:
    """The opening paragraph: 1–3 sentences that can start a document."""
    return "".join(rng.choice(texts.openers) for _ in range(rng.randint(1, 3)))


def table(rng: random.Random, year: int, place: str) -> str:
    """A Markdown task table such as portals attach to work plans."""
    rows = ["| 序号 | 工作任务 | 责任单位 | 完成时限 |", "| --- | --- | --- | --- |"]
    for i in range(1, rng.randint(3, 9)):
        area, unit = rng.choice(AREAS), place + rng.choice(DEPARTMENTS)[1]
        rows.append(f"| {i} | 推进{area}工作 | {unit} | {year}年{rng.randint(3, 12)}月底前 |")
    return "\n".join(rows)


def section(rng: random.Random, texts: Texts, number: int, budget: int) -> list[str]:
    """A 一、 heading and up to four paragraphs (some numbered （一）（二）) filling about budget bytes."""
    blocks = [f"## {cn_number(number)}、{rng.choice(texts.headings)}"]
    numbered, used = rng.random() < 0.35, 0
    for k in range(1, rng.randint(2, 5)):
        blocks.append(paragraph(rng, texts, f"（{cn_number(k)}）" if numbered else ""))
        used += len(blocks[-1].encode())
        if used >= budget:
            break
    return blocks


def make_body(rng: random.Random, texts: Texts, body: Body, written: date, closing: bool) -> str:
    """The Markdown body: opening paragraph, numbered sections, maybe a table, and the signature."""
    target, blocks, number = body_bytes(rng), [opening(rng, texts)], 0
    size, want_table = len(blocks[0].encode()), rng.random() < 0.10
    while size < target:
        number += 1
        new = section(rng, texts, number, target - size)
        if want_table and number == 1:
            new.append(table(rng, written.year, body.short[:3]))
        blocks += new
        size += sum(len(b.encode()) + 2 for b in new)
    blocks.append(f"{body.name}  \n{written.year}年{written.month}月{written.day}日")
    if closing:
        blocks.append("（此件公开发布）")
    return "\n\n".join(blocks) + "\n"


def make_title(rng: random.Random, genre: str, body: Body, year: int) -> str:
    """A title of the form （发文机关）关于……的<文种>, ending with its genre."""
    area, place = rng.choice(AREAS), body.short[:3]
    subject = rng.choice(SUBJECTS.get(genre, GENERIC_SUBJECTS)).format(area=area, place=place, year=year)
    if genre == "纪要":
        return f"{place}{area}工作专题会议纪要"
    if genre == "公报":
        return f"{place}{year - 1}年{area}统计公报"
    return (body.name if rng.random() < 0.3 else "") + f"关于{subject}的{genre}"


def make_doc_no(rng: random.Random, genre: str, body: Body, year: int, counters: Counter) -> str:
    """A GB/T 9704 文号 for about 60% of documents, "" otherwise."""
    if rng.random() >= 0.6:
        return ""
    counters[body.name, year] += rng.randint(1, 3)
    if genre in ("令", "命令"):
        return f"{body.daizi}令第{counters[body.name, year]}号"
    return f"{body.daizi}{'函' if genre == '函' else '发'}〔{year}〕{counters[body.name, year]}号"


def make_keywords(rng: random.Random, title: str) -> tuple[str, ...]:
    """Zero to three 主题词, mostly drawn from the title's own words."""
    if rng.random() < 0.25:
        return ()
    words = [a for a in AREAS if a in title] + rng.sample(EXTRA_KEYWORDS, 2)
    return tuple(dict.fromkeys(words))[: rng.randint(1, 3)]


def make_validity(rng: random.Random, published: date) -> tuple[str, date | None]:
    """有效 for most documents; about 3% 失效 or 废止 with the date it happened."""
    if rng.random() >= 0.03:
        return "有效", None
    repealed = min(published + timedelta(days=rng.randint(180, 1800)), date(LAST_YEAR, 12, 31))
    return rng.choice(("失效", "废止")), max(repealed, published + timedelta(days=1))


def summary_of(body: str) -> str:
    """The opening sentence of the body, at most 100 characters (内容概述)."""
    first = body.split("\n", 1)[0]
    end = first.find("。")
    return first[: end + 1] if 0 <= end < 100 else first[:99] + "…"


def special_column(rng: random.Random) -> str:
    """The column: ~2% 制度 (zd), ~1% 年报 (nb), the rest 法定主动公开内容."""
    roll = rng.random()
    return "zd" if roll < 0.02 else "nb" if roll < 0.03 else "fdzdgknr"


def make_document(rng: random.Random, texts: Texts, slot: tuple[Body, date, int], counters: Counter) -> Document:
    """One complete document record for a planned slot."""
    body, published, serial = slot
    column = special_column(rng)
    genre = "报告" if column == "nb" else rng.choices([g for g, _ in GENRES], [w for _, w in GENRES])[0]
    title = make_title(rng, genre, body, published.year)
    category = rng.choice(body.topics) if rng.random() < 0.7 else rng.choice(CATEGORIES)
    if column == "nb":
        title, category = f"{body.name}{published.year - 1}年政府信息公开工作年度报告", "综合政务\\政务公开"
    elif column == "zd":
        title, genre, category = f"关于印发《{body.name}政府信息公开工作制度》的通知", "通知", "综合政务\\政务公开"
    written = published - timedelta(days=rng.randint(0, 20))
    doc_no = make_doc_no(rng, genre, body, published.year, counters)
    text = make_body(rng, texts, body, written, closing=bool(doc_no))
    validity, repealed = make_validity(rng, published)
    return Document(
        f"{body.code}/{published.year}-{serial:05d}",
        title,
        body.name,
        category,
        genre,
        doc_no,
        written,
        published,
        make_keywords(rng, title),
        summary_of(text),
        validity,
        repealed,
        column,
        text,
        f"{published.year}/{body.slug}/{serial:05d}.md",
    )


def generate_documents(n: int, seed: int = 1) -> tuple[list[Body], Iterator[Document]]:
    """The bodies and a lazy stream of n documents; the same seed always gives the same corpus."""
    rng = random.Random(seed)
    bodies = make_bodies(rng)
    slots = plan(rng, bodies, n)
    texts, counters = load_texts(), Counter()
    return bodies, (make_document(rng, texts, slot, counters) for slot in slots)


def q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def front_matter(doc: Document) -> str:
    """The YAML front matter of docs/editing.md 一, every value a double-quoted string."""
    lines = [
        f"title: {q(doc.title)}",
        f"index_no: {q(doc.index_no)}",
        f"publisher: {q(doc.publisher)}",
        f"category: {q(doc.category)}",
        f"genre: {q(doc.genre)}",
        f"doc_no: {q(doc.doc_no)}",
        f"written: {q(doc.written.isoformat())}",
        f"published: {q(doc.published.isoformat())}",
        f"keywords: [{', '.join(q(k) for k in doc.keywords)}]",
        f"summary: {q(doc.summary)}",
        f"validity: {q(doc.validity)}",
    ]
    if doc.repealed:
        lines.append(f"repealed: {q(doc.repealed.isoformat())}")
    lines.append(f"column: {q(doc.column)}")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def config_yaml(bodies: list[Body]) -> str:
    """The site's config.yaml; templates and static come from the repository by absolute path."""
    body_lines = "".join(f'  - name: {b.name}\n    code: "{b.code}"\n    short: {b.short}\n' for b in bodies)
    return (
        "site_name: 示例市政府信息公开（基准测试）\n"
        "base_url: https://bench.example.gov.cn/xxgk/\n"
        f"bodies:\n{body_lines}"
        "page_size: 20\nhome_latest: 10\n"
        'footer: {sponsor: 示例市人民政府办公室, contact: "0755-12345678", site_code: "4403000001", '
        "icp: 粤ICP备00000000号, police: 粤公网安备 44030002000001号}\n"
        f"paths: {{content: content, templates: {q(str(REPO / 'templates'))}, "
        f"static: {q(str(REPO / 'static'))}, output: site}}\n"
    )


def generate(root: Path, n: int, seed: int = 1) -> None:
    """Write a complete site folder at root: config.yaml and content/ with n documents."""
    content = root / "content"
    shutil.rmtree(content, ignore_errors=True)
    bodies, documents = generate_documents(n, seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(config_yaml(bodies), encoding="utf-8")
    for doc in documents:
        path = content / doc.rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(doc) + doc.body, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python bench/corpus.py ROOT N [SEED]")
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 1)
