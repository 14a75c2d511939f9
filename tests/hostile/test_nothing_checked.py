"""Asking to check or search for something that does not exist is an error, never a quiet pass."""

from __future__ import annotations

from ..conftest import GOOD_DOC, TODAY

SUMMARY = "检查未通过：错误 1 条，警告 0 条。"


def test_check_site_that_does_not_exist(make_site, run_cli, tmp_path):
    root = make_site({"content/a.md": GOOD_DOC})
    missing = tmp_path / "nowhere"
    result = run_cli(["check", "--today", TODAY, "--since", "none", "--site", str(missing)], root)
    assert (result.code, result.err) == (
        1,
        f"{missing}: 错误 path-missing --site 指定的站点文件夹不存在。请检查路径是否写错。\n{SUMMARY}\n",
    )


def test_check_a_path_that_does_not_exist(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    result = run_cli(["check", "--today", TODAY, "--since", "none", "content/b.md"], root)
    assert (result.code, result.err) == (
        1,
        f"content/b.md: 错误 path-missing 要检查的文件不存在。请检查路径是否写错。\n{SUMMARY}\n",
    )


def test_an_unknown_search_field_lists_the_fields(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    assert run_cli(["build", "--today", TODAY], root).code == 0
    result = run_cli(["search", "nosuchfield:abc"], root)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "检索式有误：没有“nosuchfield”这个检索字段。可用的字段：index_no:（索引号）、doc_no:（文号）、"
        "publisher:（发布机构）、category:（主题分类）、genre:（文种）、validity:（有效性）、published:（发布日期）、"
        "written:（成文日期）、year:（年份）、title:（标题）。\n"
    )
    assert run_cli(["search", "东进战略：工作"], root).code == 0  # a full-width colon in words stays a search for words
