"""`check`: every validation plus the linters, allow: with reasons, index numbers that changed in git, `new`."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from .conftest import GOOD_DOC, REPO, TODAY


def check(run_cli, root, *extra):
    result = run_cli(["check", "--today", TODAY, "--format", "json", *extra], root)
    return result.code, [
        (p["path"], p["line"], p["column"], p["level"], p["code"]) for p in json.loads(result.out)["problems"]
    ]


def with_body(body: str, front: str = "") -> str:
    return GOOD_DOC.replace("validity: 有效", "validity: 有效" + front) + body


def test_the_raw_spam_seed_is_flagged(make_site, run_cli):
    from xxgk.importer import import_text, to_markdown_file

    seed = (REPO / "tests/data/seeds/003_15d1990022740435.txt").read_text(encoding="utf-8")
    text = to_markdown_file(import_text(seed))
    text = (
        text.replace('index_no: ""', 'index_no: "114403006955506492/2019-00001"')
        .replace('publisher: ""', 'publisher: "深圳市坪山区政府办公室"')
        .replace('published: ""', 'published: "2019-01-11"')
    )
    code, problems = check(run_cli, make_site({"content/a.md": text}), "--since", "none")
    spam = [p for p in problems if p[4] == "spam-term"]
    assert code == 1 and len(spam) >= 30 and all(p[3] == "error" for p in spam)


def test_the_sample_content_is_clean(run_cli):
    code, problems = check(run_cli, REPO, "--since", "none")
    assert code == 0 and [p[4] for p in problems] == ["index-year"]  # seed 000's real index number says 2019


def test_an_id_number_is_an_error_at_its_line_and_column_and_a_masked_one_is_not(make_site, run_cli):
    code, problems = check(
        run_cli, make_site({"content/a.md": with_body("\n联系人身份证号：11010519491231002X\n")}), "--since", "none"
    )
    assert code == 1 and ("content/a.md", 18, 9, "error", "privacy-id-number") in problems
    code, problems = check(
        run_cli, make_site({"content/a.md": with_body("\n联系人身份证号：110105********002X\n")}), "--since", "none"
    )
    assert code == 0 and not [p for p in problems if p[4].startswith("privacy")]


def test_allow_silences_a_rule_only_with_a_reason(make_site, run_cli):
    body = "\n咨询电话：0755-28888888\n"
    code, problems = check(run_cli, make_site({"content/a.md": with_body(body)}), "--since", "none")
    assert ("content/a.md", 18, 6, "warning", "privacy-landline") in problems
    allowed = with_body(body, "\nallow:\n  privacy-landline: 本机关对外公布的咨询电话")
    code, problems = check(run_cli, make_site({"content/a.md": allowed}), "--since", "none")
    assert code == 0 and not [p for p in problems if p[4] == "privacy-landline"]
    bare = with_body(body, '\nallow:\n  privacy-landline: ""')
    code, problems = check(run_cli, make_site({"content/a.md": bare}), "--since", "none")
    assert code == 1 and ("content/a.md", 13, None, "error", "allow-without-reason") in problems
    typo = with_body(body, "\nallow:\n  privacy-landlin: 理由")
    code, problems = check(run_cli, make_site({"content/a.md": typo}), "--since", "none")
    assert ("content/a.md", 13, None, "error", "allow-unknown-rule") in problems


def committed(make_site, files: dict[str, str]):
    """A site of files committed to a new git repository."""
    root = make_site(files)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.gov.cn", "-C", str(root)]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return root, git


def test_a_changed_index_number_is_an_error(make_site, run_cli):
    root, _ = committed(make_site, {"content/a.md": GOOD_DOC})
    assert check(run_cli, root)[0] == 0
    page = root / "content/a.md"
    page.write_text(GOOD_DOC.replace("2019-00001", "2019-00007"), encoding="utf-8")
    code, problems = check(run_cli, root)
    assert code == 1 and ("content/a.md", 3, None, "error", "index-changed") in problems


CHANGED = GOOD_DOC.replace("2019-00001", "2019-00007")


@pytest.mark.parametrize(
    ("name", "text", "then", "expected"),
    [
        ("content/a.md", GOOD_DOC + "\n补充一段。\n", [], []),  # the body edited, the index number kept
        ("content/a.md", CHANGED, [], ["index-changed"]),
        ("content/a.md", CHANGED, [["add", "content/a.md"]], ["index-changed"]),  # staged
        ("content/a.md", CHANGED, [["update-index", "--assume-unchanged", "content/a.md"]], ["index-changed"]),
        ("content/a.md", CHANGED, [["update-index", "--skip-worktree", "content/a.md"]], ["index-changed"]),
        ("content/[2019]*/a.md", CHANGED, [], ["index-changed"]),  # a folder named like a pattern
        ("content/a.md", CHANGED, [["add", "content/a.md"], ["commit", "-qm", "renumbered"]], []),  # now committed
    ],
)
@pytest.mark.parametrize("named_at_most", [256, 0])  # the changed files listed from the revision by name, or not
def test_an_index_number_is_compared_with_the_commit_wherever_git_keeps_the_change(
    make_site, run_cli, monkeypatch, name, text, then, expected, named_at_most
):
    monkeypatch.setattr("xxgk.check.history._NAMED_AT_MOST", named_at_most)
    root, git = committed(make_site, {name: GOOD_DOC})
    (root / name).write_text(text, encoding="utf-8")
    for command in then:
        subprocess.run([*git, *command], check=True)
    code, problems = check(run_cli, root)
    assert [p[4] for p in problems if p[4].startswith("index-") and p[4] != "index-year"] == expected
    assert code == (1 if expected else 0)


def test_an_unknown_revision_is_a_warning_that_nothing_was_compared(make_site, run_cli):
    root, _ = committed(make_site, {"content/a.md": GOOD_DOC})
    (root / "content/a.md").write_text(CHANGED, encoding="utf-8")
    code, problems = check(run_cli, root, "--since", "no-such-branch")
    assert code == 0 and [p[3:] for p in problems if p[4].startswith("index-h")] == [("warning", "index-history")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving files to another user needs root")
def test_a_repository_git_refuses_as_another_users_is_a_warning_that_nothing_was_compared(make_site, run_cli):
    root, _ = committed(make_site, {"content/a.md": GOOD_DOC})
    (root / "content/a.md").write_text(CHANGED, encoding="utf-8")
    for folder, _, names in os.walk(root / ".git"):
        for name in [folder, *(os.path.join(folder, n) for n in names)]:
            os.chown(name, 65534, 65534)  # nobody
    code, problems = check(run_cli, root)
    assert code == 0 and [p[3:] for p in problems if p[4].startswith("index-h")] == [("warning", "index-history")]
    result = run_cli(["check", "--today", TODAY], root)
    assert "safe.directory" in result.err and str(root.resolve()) in result.err


def test_text_format_has_line_column_level_and_code(make_site, run_cli):
    result = run_cli(
        ["check", "--today", TODAY, "--since", "none"], make_site({"content/a.md": with_body("\n皇冠体育\n")})
    )
    assert result.code == 1
    assert result.err.startswith("content/a.md:18:1: 错误 spam-term ")
    assert result.err.endswith("检查未通过：错误 1 条，警告 0 条。\n")


def test_new_allocates_the_next_index_number_and_passes_check(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    first = run_cli(
        [
            "new",
            "--publisher",
            "深圳市坪山区政府办公室",
            "--title",
            "关于开展政务公开检查的通知",
            "--date",
            "2019-04-01",
            "--genre",
            "通知",
        ],
        root,
    )
    second = run_cli(
        ["new", "--publisher", "深圳市坪山区政府办公室", "--title", "第二份", "--date", "2019-05-01"], root
    )
    assert first.code == 0 and first.out.strip().endswith("content/fdzdgknr/114403006955506492-2019-00002.md")
    assert second.out.strip().endswith("114403006955506492-2019-00003.md")
    assert check(run_cli, root, "--since", "none")[0] == 0
    unknown = run_cli(["new", "--publisher", "某局", "--title", "x"], root)
    assert unknown.code == 1 and "未知的发布机构“某局”" in unknown.err


def test_a_gap_in_a_bodys_serials_warns(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC, "content/c.md": GOOD_DOC.replace("2019-00001", "2019-00004")})
    result = run_cli(["check", "--today", TODAY, "--since", "none"], root)
    assert result.code == 0
    assert (
        "content/c.md:3:1: 警告 index-serial-gap 索引号流水号不连续：114403006955506492/2019-00002 起缺少 2 个。"
        in result.err
    )


def test_check_site_catches_markup_injected_after_the_build(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert check(run_cli, root, "--since", "none", "--site", "site")[0] == 0
    page = root / "site/index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "</main>", '<p><a href="https://365bet.example.com/" style="display:none">皇冠体育</a></p></main>'
        ),
        encoding="utf-8",
    )
    code, problems = check(run_cli, root, "--since", "none", "--site", "site")
    assert code == 1
    assert {p[4] for p in problems if p[0] == "site/index.html"} == {"hidden-element", "external-link", "spam-term"}


def test_new_writes_the_chinese_labels_the_readme_teaches_and_english_keys_when_asked(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    first = run_cli(
        [
            "new",
            "--publisher",
            "深圳市坪山区政府办公室",
            "--title",
            '关于"政务公开"的通知',
            "--date",
            "2019-04-01",
            "--genre",
            "通知",
        ],
        root,
    )
    assert (root / first.out.strip()).read_text(encoding="utf-8") == (
        '---\n标题: "关于\\"政务公开\\"的通知"\n索引号: "114403006955506492/2019-00002"\n发布机构: "深圳市坪山区政府办公室"\n'  # noqa: E501
        '发布日期: "2019-04-01"\n成文日期: "2019-04-01"\n主题分类: ""  # 请填写主题分类，如 综合政务\\政务公开\n文种: "通知"\n'  # noqa: E501
        '文号: ""\n主题词: []\n有效性: "有效"\n草稿: true  # 草稿：写完并核对后删除这一行即可发布\n---\n\n（正文）\n'
    )
    second = run_cli(
        ["new", "--publisher", "深圳市坪山区政府办公室", "--title", "第二份", "--date", "2019-05-01", "--english-keys"],
        root,
    )
    text = (root / second.out.strip()).read_text(encoding="utf-8")
    assert (
        text.startswith('---\ntitle: "第二份"\nindex_no: "114403006955506492/2019-00003"\n')
        and '# genre: "通知"' in text
    )
    code, problems = check(run_cli, root, "--since", "none")
    assert code == 0 and {p[0] for p in problems} == {first.out.strip(), second.out.strip()}  # only the drafts' hints


def test_check_with_its_cache_finds_what_reading_every_document_finds(make_site, run_cli):
    # a.md is read back from the cache without its body after the first check: the rules between documents still
    # see its dates, title and lines (a late publication, an unmarked 办法), and b.md's serial leaves a gap.
    late = GOOD_DOC.replace("written: 2019-03-01", "written: 2019-01-02").replace("工作思路", "工作思路管理办法")
    later = GOOD_DOC.replace("2019-00001", "2019-00003").replace("2019-03-06", "2019-03-07")
    root = make_site({"content/a.md": late, "content/b.md": later})
    first = check(run_cli, root, "--since", "none")
    (root / "content/b.md").write_text(later + "\n又一段。\n", encoding="utf-8")
    for paths in (["content/a.md"], ["content/b.md"], []):
        cached = check(run_cli, root, "--since", "none", *paths)
        assert cached == check(run_cli, root, "--since", "none", "--no-cache", *paths)
    codes = {(p[0], p[4]) for p in first[1]}
    assert {("content/a.md", "publish-late"), ("content/a.md", "normative-unmarked")} <= codes
    assert ("content/b.md", "index-serial-gap") in codes and cached == first


def numbered(serial: int, *lines: str, published: str = "2019-03-06") -> str:
    """GOOD_DOC with index number serial, a publication date and more front-matter lines."""
    return (
        GOOD_DOC.replace("2019-00001", f"2019-{serial:05d}")
        .replace("2019-03-06", published)
        .replace("validity: 有效", "\n".join(("validity: 有效", *lines)))
    )


BETWEEN_DOCUMENTS = {
    "passes": (
        {
            "content/a.md": GOOD_DOC.replace("written: 2019-03-01", "written: 2019-01-02"),  # publish-late
            "content/b.md": numbered(3),  # index-serial-gap
            "content/c.md": numbered(4, "interprets: 114403006955506492/2019-00001", published="2019-06-03"),
            "content/d.md": numbered(5, "draft: true"),
            "content/e.md": numbered(6, published="2099-01-05"),  # scheduled; a year the calendar lacks
        },
        {"publish-late", "index-serial-gap", "interpretation-late", "calendar-year"},
    ),
    "fails": (
        {
            "content/a.md": GOOD_DOC,
            "content/b.md": numbered(2, "interprets: 114403006955506492/2019-00099"),
            "content/c.md": numbered(
                3, "validity: 失效", "repealed: 2019-05-01", "replaced_by: 114403006955506492/2019-00003"
            ).replace("validity: 有效\n", ""),
            "content/d.md": GOOD_DOC.replace("坪山区委", "坪山区"),  # the same index number
        },
        {"interprets-dangling", "replaced-by-loop", "index-duplicate"},
    ),
}


@pytest.mark.parametrize("case", BETWEEN_DOCUMENTS, ids=list(BETWEEN_DOCUMENTS))
def test_check_reads_back_what_every_rule_between_documents_needs(make_site, run_cli, case):
    # Read back from its cache, check has only each document's facts (model.Facts): every rule between documents,
    # and the counts of published, scheduled and draft documents, must come out as when every document is read.
    documents, codes = BETWEEN_DOCUMENTS[case]
    root = make_site(documents)

    def checked(*extra: str) -> tuple[int, str, str]:
        result = run_cli(["check", "--today", TODAY, "--format", "json", "--since", "none", *extra], root)
        return result.code, result.out, result.err

    first = checked()
    for paths in ([], ["content/b.md"], ["content/c.md"]):
        assert checked(*paths) == checked("--no-cache", *paths)
    assert checked() == first
    found = [p for p in json.loads(first[1])["problems"] if p["code"] in codes]
    assert {p["code"] for p in found} == codes and all(p["line"] for p in found)  # each at its field's line
    assert first[0] == (0 if case == "passes" else 1)


def test_a_draft_that_looks_normative_is_told_so_as_a_draft(make_site, run_cli):
    # The 文件类型 rule runs as each document is read, like every rule of one document: a draft's finding says so.
    draft = GOOD_DOC.replace("工作思路", "工作思路管理办法").replace("validity: 有效", "validity: 有效\ndraft: true")
    root = make_site({"content/a.md": draft})
    for _ in range(2):  # read, then read back from the cache
        result = run_cli(["check", "--today", TODAY, "--format", "json", "--since", "none"], root)
        found = [p for p in json.loads(result.out)["problems"] if p["code"] == "normative-unmarked"]
        assert result.code == 0 and [(p["level"], p["message"][:4]) for p in found] == [("warning", "（草稿）")]


def _facts(src: str, index_no: str, path: str = ""):
    from datetime import date

    from xxgk.model import Facts

    return Facts(src, index_no, date(2019, 3, 6), None, "", "", False, path or f"doc/{index_no}.html", {"index_no": 3})


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        ([("a.md", "X/1"), ("b.md", "X/2")], []),
        ([("a.md", "X/1"), ("b.md", "X/1")], [("a.md", "b.md"), ("b.md", "a.md")]),
        (
            [("c.md", "X/1"), ("a.md", "X/1"), ("b.md", "X/2"), ("d.md", "X/1")],
            [("c.md", "a.md、d.md"), ("a.md", "c.md、d.md"), ("d.md", "c.md、a.md")],
        ),
    ],
)
def test_a_shared_index_number_is_reported_at_every_file_naming_the_others(documents, expected):
    from xxgk.check import validate

    problems = validate._duplicate_index_numbers([_facts(src, index_no) for src, index_no in documents])
    assert [(p.path, p.code, p.line) for p in problems] == [(src, "index-duplicate", 3) for src, _ in expected]
    assert all(f"与 {others} 重复" in p.message for p, (_, others) in zip(problems, expected, strict=True))


def test_a_shared_url_is_reported_at_every_file_with_another_index_number():
    from xxgk.check import validate

    documents = [_facts("a.md", "X/1", "doc/x.html"), _facts("b.md", "X/2", "doc/x.html"), _facts("c.md", "X/3")]
    problems = validate._url_collisions(documents)
    assert [(p.path, p.code) for p in problems] == [("a.md", "url-collision"), ("b.md", "url-collision")]
    assert "与 b.md 的“X/2”会生成同一个网址 doc/x.html" in problems[0].message
    # The same number twice is a duplicate, told by its own rule, not a collision of URLs.
    assert validate._url_collisions([_facts("a.md", "X/1"), _facts("b.md", "X/1")]) == []
