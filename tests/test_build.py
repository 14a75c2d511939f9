"""The sample site end to end: golden tree, determinism, scheduling, drafts, links under any base path.

Regenerate the golden tree (then review the diff) with: UPDATE_GOLDEN=1 ./dev test tests/test_build.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from xxgk import content

from .conftest import GOOD_DOC, MINIMAL_CONFIG, REPO, TODAY
from .linkcheck import broken_links, external_resources

GOLDEN = Path(__file__).with_name("golden") / "site"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sample_site_matches_the_golden_tree(built_sample_site):
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(built_sample_site, GOLDEN)
    built, golden = tree(built_sample_site), tree(GOLDEN)
    assert sorted(built) == sorted(golden)
    for name in golden:
        assert built[name] == golden[name], f"{name} differs from tests/golden/site/{name}"


def test_sample_site_has_the_portal_pages(built_sample_site):
    for page in [
        "index.html",
        "404.html",
        "catalog/index.html",
        "column/fdzdgknr/index.html",
        "column/zn/index.html",
        "category/index.html",
        "publisher/index.html",
        "year/index.html",
        "genre/index.html",
        "doc/114403006955506492/2019-00001.html",
        "static/css/site.css",
        "static/js/page.js",
    ]:
        assert (built_sample_site / page).is_file(), page
    # No blank 指南 or 依申请公开 column (空白栏目, a veto item in inspections): both are generated from config.yaml.
    for column, heading in [("zn", "政府信息公开指南</h2>"), ("ysqgk", "政府信息公开申请表</h2>")]:
        page = (built_sample_site / f"column/{column}/index.html").read_text(encoding="utf-8")
        assert heading in page and "暂无公开信息" not in page


def test_sample_site_links_resolve_and_nothing_is_external(built_sample_site):
    assert broken_links(built_sample_site, "/xxgk/") == []
    assert external_resources(built_sample_site) == []


def test_the_same_input_gives_the_same_bytes(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    run_cli(["build", "--today", TODAY, "--out", "one"], root)
    run_cli(["build", "--today", TODAY, "--out", "two"], root)
    assert tree(root / "one") == tree(root / "two")


def many_documents(count: int) -> dict[str, str]:
    return {
        f"content/{n:03d}.md": GOOD_DOC.replace("2019-00001", f"2019-{n:05d}").replace(
            "2019-03-06", f"2019-03-{n % 28 + 1:02d}"
        )
        for n in range(1, count + 1)
    }


def test_parallel_and_serial_reading_give_the_same_site(make_site, run_cli, monkeypatch):
    root = make_site(many_documents(60))
    assert run_cli(["build", "--today", TODAY, "--out", "parallel"], root).code == 0
    monkeypatch.setattr(content, "_PARALLEL_FROM", 10_000)
    assert run_cli(["build", "--today", TODAY, "--out", "serial"], root).code == 0
    assert tree(root / "parallel") == tree(root / "serial")
    assert len(list((root / "serial" / "doc").rglob("*.html"))) == 60
    assert (root / "serial" / "catalog" / "3" / "index.html").is_file()  # 60 documents, 20 a page


def test_scheduled_documents_wait_for_their_day(make_site, run_cli, monkeypatch):
    future = GOOD_DOC.replace("2019-00001", "2019-00002").replace("published: 2019-03-06", "published: 2030-01-01")
    root = make_site({"content/a.md": GOOD_DOC, "content/b.md": future})
    result = run_cli(["build", "--today", TODAY], root)
    assert "定时发布：content/b.md 将于 2030-01-01 发布，本次未生成。" in result.out
    assert not (root / "site/doc/114403006955506492/2019-00002.html").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01 00:00 UTC = 08:00 in China
    assert run_cli(["build"], root).code == 0
    assert (root / "site/doc/114403006955506492/2019-00002.html").exists()


def test_drafts_are_never_built(make_site, run_cli):
    draft = GOOD_DOC.replace("2019-00001", "2019-00002").replace("validity: 有效", "validity: 有效\ndraft: true")
    root = make_site({"content/a.md": GOOD_DOC, "content/b.md": draft})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 0 and "草稿：1 篇未发布。" in result.out
    assert not (root / "site/doc/114403006955506492/2019-00002.html").exists()
    assert "2019-00002" not in (root / "site/catalog/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("base_url", "base_path"), [("https://www.example.gov.cn/", "/"), ("https://www.example.gov.cn/xxgk/", "/xxgk/")]
)
def test_links_resolve_at_the_root_and_under_a_sub_path(make_site, run_cli, base_url, base_path):
    config = MINIMAL_CONFIG.replace("https://www.example.gov.cn/xxgk/", base_url)
    root = make_site(
        {
            **many_documents(45),
            "content/files/表.pdf": b"%PDF-1.4\n",
            "content/att.md": GOOD_DOC.replace("2019-00001", "2019-00099").replace(
                "validity: 有效", "validity: 有效\nattachments:\n  - file: files/表.pdf\n    title: 统计表"
            ),
        },
        config,
    )
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert broken_links(root / "site", base_path) == []
    page = (root / "site/doc/114403006955506492/2019-00099.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base_url}doc/114403006955506492/2019-00099.html">' in page
    assert (root / "site/doc/114403006955506492/2019-00099/表.pdf").read_bytes() == b"%PDF-1.4\n"


def test_a_template_error_is_reported_and_keeps_the_old_site(make_site, run_cli, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "home.html").write_text("{% if %}", encoding="utf-8")
    config = MINIMAL_CONFIG + f"paths:\n  templates: {templates}\n  static: {REPO / 'static'}\n"
    root = make_site({"content/a.md": GOOD_DOC}, config)
    (root / "site").mkdir()
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1 and f"{templates / 'home.html'}:1:1: 错误 template-syntax 模板语法错误" in result.err
    assert list((root / "site").iterdir()) == []
