"""THE property of incremental builds: after any sequence of edits, a build that reuses the cache and the previous
output is byte for byte the build made from scratch, and its search index answers alike.

Edits: add a document, edit its body, title, date, category or publisher (with its index number), repeal it,
make it a draft, schedule it for later, delete it, rename its file, change a template, change the config.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import pipeline, search
from xxgk.cache import Memory
from xxgk.config import load_config

from .conftest import MINIMAL_CONFIG, REPO, TODAY

BODIES = [("深圳市坪山区政府办公室", "114403006955506492"), ("深圳市光明新区综合办公室", "114403110695741250")]
CATEGORIES = ["综合政务\\政务公开", "综合政务\\应急管理", "财政、金融、审计\\财政", "科技、教育\\教育"]
TITLES = [
    "关于做好防汛工作的通知",
    "财政预算执行情况的报告",
    "教育督导评估办法",
    "应急预案管理办法",
    "政务公开工作要点",
]
SENTENCES = [
    "各单位要高度重视，认真落实。",
    "本办法自发布之日起施行。",
    "请于每月五日前报送统计数据。",
    "加强财政资金监管。",
]
SECOND_BODY = """\
  - name: 深圳市光明新区综合办公室
    code: "114403110695741250"
    short: 光明新区综合办
"""

EDITS = [
    "add",
    "body",
    "title",
    "date",
    "category",
    "publisher",
    "repeal",
    "draft",
    "schedule",
    "delete",
    "rename",
    "template",
    "config",
]
QUERIES = ["通知", "财政", "办法", "教育督导", "应急", "政务公开工作要点", "施行", "114403006955506492"]


class Project:
    """A small site on disk, and the edits an editor makes to it."""

    def __init__(self, root: Path):
        self.root, self.serial, self.page_size = root, 0, 5
        shutil.copytree(REPO / "templates", root / "templates")
        self.docs: dict[str, dict] = {}  # file name -> fields and body
        self.write_config()
        for n in range(6):
            self.add(n)

    def write_config(self) -> None:
        text = MINIMAL_CONFIG.replace("footer:", f"{SECOND_BODY}page_size: {self.page_size}\nhome_latest: 3\nfooter:")
        text += f"paths:\n  static: {REPO / 'static'}\n"
        (self.root / "config.yaml").write_text(text, encoding="utf-8")

    def add(self, n: int) -> None:
        self.serial += 1
        name, code = BODIES[n % 2]
        published = date(2019 + n % 4, 1 + n % 12, 1 + n % 28)
        self.docs[f"doc-{self.serial}.md"] = {
            "title": f"{TITLES[n % len(TITLES)]}（{self.serial}）",
            "publisher": name,
            "index_no": f"{code}/{published.year}-{self.serial:05d}",
            "published": published.isoformat(),
            "category": CATEGORIES[n % len(CATEGORIES)],
            "genre": "通知",
            "body": [SENTENCES[n % len(SENTENCES)]],
        }

    def edit(self, kind: str, n: int) -> None:
        if kind == "add" or not self.docs:
            self.add(n)
        elif kind == "template":
            footer = self.root / "templates/partials/footer.html"
            footer.write_text(footer.read_text(encoding="utf-8") + f"<!-- 改动 {n} -->\n", encoding="utf-8")
        elif kind == "config":
            self.page_size = 5 if self.page_size == 6 else 6
            self.write_config()
        else:
            name = sorted(self.docs)[n % len(self.docs)]
            if kind == "delete":
                del self.docs[name]
            elif kind == "rename":
                self.docs[f"renamed-{n}-{name}"] = self.docs.pop(name)
            else:
                self.docs[name].update(self.changed_fields(kind, self.docs[name], n))

    def changed_fields(self, kind: str, doc: dict, n: int) -> dict:
        if kind == "publisher":
            other = next(b for b in BODIES if b[0] != doc["publisher"])
            self.serial += 1
            return {"publisher": other[0], "index_no": f"{other[1]}/{doc['published'][:4]}-{self.serial:05d}"}
        return {
            "body": lambda: {"body": [*doc["body"], SENTENCES[n % len(SENTENCES)]]},
            "title": lambda: {"title": f"{TITLES[n % len(TITLES)]}（改{n}）"},
            "date": lambda: {"published": date(2018 + n % 6, 1 + n % 12, 1 + n % 28).isoformat()},
            "category": lambda: {"category": CATEGORIES[(CATEGORIES.index(doc["category"]) + 1) % len(CATEGORIES)]},
            "repeal": lambda: {"validity": "废止", "repealed": max(doc["published"], "2024-01-01")},
            "draft": lambda: {"draft": not doc.get("draft", False)},
            "schedule": lambda: {
                "published": f"2027-0{1 + n % 9}-15",  # a repeal may not come before publication
                **({"repealed": f"2027-0{1 + n % 9}-15"} if "repealed" in doc else {}),
            },
        }[kind]()

    def write(self) -> None:
        content = self.root / "content"
        shutil.rmtree(content, ignore_errors=True)
        content.mkdir()
        for name, doc in self.docs.items():
            fields = "".join(
                f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in doc.items() if key != "body"
            )
            (content / name).write_text(f"---\n{fields}---\n\n" + "\n\n".join(doc["body"]) + "\n", encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def answers(site: Path) -> list:
    index = pipeline.index_dir(site)
    return [[(hit.index_no, hit.title) for hit in search.search(index, query, 50).hits] for query in QUERIES]


@pytest.mark.parametrize("serve", [False, True], ids=["build", "serve"])
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 99)), min_size=3, max_size=6))
def test_incremental_builds_equal_builds_from_scratch(serve, edits):
    # serve's builds keep what they read and worked out in one Memory, and swap the site in before the Whoosh index.
    today = date.fromisoformat(TODAY)
    memory = Memory() if serve else None
    published = (lambda: None) if serve else None
    with tempfile.TemporaryDirectory() as folder:
        project = Project(Path(folder))
        project.write()
        config = project.root / "config.yaml"
        pipeline.build(load_config(config), today, memory=memory, published=published)
        for step, (kind, n) in enumerate(edits):
            project.edit(kind, n)
            project.write()
            pipeline.build(load_config(config), today, memory=memory, published=published)
            fresh = project.root / f"fresh-{step}" / "site"
            pipeline.build(load_config(config, output_dir=fresh), today, reuse=False, full_index=True)
            assert tree(project.root / "site") == tree(fresh), f"after {edits[: step + 1]}"
            assert answers(project.root / "site") == answers(fresh), f"after {edits[: step + 1]}"
