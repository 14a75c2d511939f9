"""The command line: exit codes, where messages go, no tracebacks for editors' mistakes, `import`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from xxgk import cli, pipeline
from xxgk.model import Site

from .conftest import GOOD_DOC, REPO, TODAY


def test_build_prints_a_report_and_exits_0(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 0
    assert result.out.startswith("构建完成：1 篇文件，") and "用时" in result.out
    assert (root / "site" / "index.html").is_file()


def test_a_build_hands_what_it_made_to_the_caller_that_keeps_it(make_site, monkeypatch):
    # run() keeps it until the process ends, so the documents and the site model are never freed one by one.
    root = make_site({"content/a.md": GOOD_DOC})
    monkeypatch.chdir(root)
    kept = []
    assert cli.main(["build", "--today", TODAY], keep=kept.append) == 0
    checked = next(made for made in kept if isinstance(made, pipeline.Checked))
    site = next(made for made in kept if isinstance(made, Site))
    assert [doc.title for doc in checked.documents] == [doc.title for doc in site.documents] and site.documents


def test_no_command_means_build(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    assert run_cli(["--today", TODAY, "--out", "out"], root).code == 0
    assert (root / "out" / "index.html").is_file()
    assert run_cli(["--today", TODAY, "build", "--out", "again"], root).code == 0  # options before the command stay
    assert (root / "again" / "index.html").is_file()


def test_content_errors_exit_1_without_a_traceback(make_site):
    root = make_site({"content/a.md": GOOD_DOC.replace("title:", "titel:")})
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "content/a.md:2:1: 错误 required 缺少必填字段标题（title）。\n"
        "content/a.md:2:1: 错误 unknown-key 元数据中有未知的键“titel”。是否想写“title”？\n"
        "失败：错误 2 条，警告 0 条。站点未更新，输出文件夹保持上一次成功构建的内容。\n"
    )
    assert not (root / "site").exists()


_BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def test_the_command_writes_all_its_buffered_output_before_it_exits(make_site, tmp_path):
    # Output to a file is block-buffered: the command flushes it before ending the process without a teardown.
    root = make_site({"content/a.md": GOOD_DOC})
    with (tmp_path / "out.txt").open("w") as out:
        code = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY], cwd=root, stdout=out, env=_BUFFERED
        ).returncode
    assert code == 0
    assert (tmp_path / "out.txt").read_text().startswith("构建完成：1 篇文件，")


def test_a_closed_pipe_ends_the_command_with_1_and_no_traceback(make_site):
    root = make_site({"content/a.md": GOOD_DOC})
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_BUFFERED,
    )
    proc.stdout.close()  # like `xxgk build | head -0`: nothing reads what it prints
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8")
    assert proc.wait() == 1
    assert "Traceback" not in err and "Exception ignored" not in err


def test_usage_errors_exit_2(run_cli, tmp_path):
    with pytest.raises(SystemExit) as caught:
        run_cli(["publish"], tmp_path)
    assert caught.value.code == 2


def test_bad_today_exits_2(make_site, run_cli, capsys):
    root = make_site({"content/a.md": GOOD_DOC})
    with pytest.raises(SystemExit) as caught:
        run_cli(["build", "--today", "2019-13-01"], root)
    assert caught.value.code == 2


def test_help_is_in_chinese_and_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0
    for word in ("build", "check", "serve", "import", "退出码"):
        assert word in out


def test_missing_config_is_reported(run_cli, tmp_path):
    result = run_cli(["build"], tmp_path)
    assert result.code == 1 and "config.yaml: 错误 config-missing 找不到配置文件" in result.err


def test_check_writes_nothing_and_reports_warnings(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC.replace("2019-00001", "2018-00001")})
    result = run_cli(["check", "--today", TODAY, "--since", "none"], root)
    assert result.code == 0 and not (root / "site").exists()
    assert "content/a.md:3:1: 警告 index-year 索引号中的年份 2018 与发布日期的年份 2019 不一致。" in result.err
    assert result.out.startswith("检查通过：1 篇已发布文件")


def test_check_paths_limit_the_report(make_site, run_cli):
    root = make_site(
        {
            "content/a.md": GOOD_DOC.replace("title:", "titel:"),
            "content/b.md": GOOD_DOC.replace("2019-00001", "2019-00002"),
        }
    )
    assert run_cli(["check", "--today", TODAY, "content/b.md"], root).code == 0
    assert run_cli(["check", "--today", TODAY, "content/a.md"], root).code == 1


def test_check_paths_never_pass_a_config_that_cannot_be_read(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    with (root / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("bogus_key: 1\n")
    result = run_cli(["check", "--today", TODAY, "content/a.md"], root)
    assert result.code == 1 and "bogus_key" in result.err and "检查未通过：错误 1 条" in result.err


def test_check_of_a_new_file_finds_the_index_number_it_shares_whatever_the_order_of_their_names(make_site, run_cli):
    root = make_site({"content/b.md": GOOD_DOC, "content/a-new.md": GOOD_DOC.replace("2017年", "2016年")})
    for named in ("content/a-new.md", "content/b.md"):
        result = run_cli(["check", "--today", TODAY, "--since", "none", named], root)
        assert result.code == 1 and f"{named}:3:1: 错误 index-duplicate" in result.err


def test_check_of_a_folder_reports_the_documents_under_it(make_site, run_cli):
    root = make_site({"content/a/x.md": GOOD_DOC.replace("title:", "titel:"), "content/b/y.md": GOOD_DOC})
    assert run_cli(["check", "--today", TODAY, "--since", "none", "content/a"], root).code == 1
    assert run_cli(["check", "--today", TODAY, "--since", "none", "content/b"], root).code == 0
    assert run_cli(["check", "--today", TODAY, "--since", "none", "content"], root).code == 1


def test_check_of_an_attachment_reports_the_documents_that_list_it(make_site, run_cli):
    listed = GOOD_DOC.replace("validity: 有效", "validity: 有效\nattachments:\n  - {file: list.txt, title: 名单}")
    root = make_site({"content/a.md": listed, "content/list.txt": "联系电话 13812345678\n"})
    result = run_cli(["check", "--today", TODAY, "--since", "none", "content/list.txt"], root)
    assert result.code == 1 and "content/a.md" in result.err and "privacy-mobile" in result.err


@pytest.mark.parametrize("named", ["content/notes.txt", "elsewhere.md", "static"])
def test_check_of_a_path_that_holds_nothing_to_check_says_so(make_site, run_cli, named):
    root = make_site({"content/a.md": GOOD_DOC, "content/notes.txt": "笔记", "elsewhere.md": GOOD_DOC})
    (root / "static").mkdir(exist_ok=True)
    result = run_cli(["check", "--today", TODAY, "--since", "none", named], root)
    assert result.code == 0 and f"{named}: 警告 path-unchecked" in result.err and "没有检查任何内容" in result.err


def test_check_of_a_clean_file_passes_and_says_other_files_have_errors(make_site, run_cli):
    root = make_site(
        {
            "content/a.md": GOOD_DOC.replace("title:", "titel:"),
            "content/b.md": GOOD_DOC.replace("2019-00001", "2019-00002"),
        }
    )
    result = run_cli(["check", "--today", TODAY, "--since", "none", "content/b.md"], root)
    assert result.code == 0 and "content/a.md" not in result.err
    assert "所查文件没有错误" in result.out and "其他文件还有 2 条错误" in result.out
    assert "检查未通过：错误 2 条" in run_cli(["check", "--today", TODAY, "--since", "none"], root).err


@pytest.mark.parametrize("named", ["content/../content/a.md", "{root}/content/a.md", "other/link.md"])
def test_check_finds_the_named_file_however_it_is_spelt_or_linked(make_site, run_cli, named):
    root = make_site({"content/a.md": GOOD_DOC.replace("title:", "titel:"), "content/b.md": GOOD_DOC})
    (root / "other").mkdir()
    (root / "other/link.md").symlink_to(root / "content/a.md")
    assert run_cli(["check", "--today", TODAY, named.format(root=root)], root).code == 1


def test_check_reports_a_document_named_through_its_link_in_the_content(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC.replace("title:", "titel:")})
    (root / "content/alias.md").symlink_to("a.md")  # a link to a file inside content is read as a document
    result = run_cli(["check", "--today", TODAY, "--since", "none", "content/a.md"], root)
    assert result.code == 1 and "content/alias.md" in result.err and "content/a.md" in result.err


def _site_checked(make_site, run_cli, files: dict, links: dict, named: str) -> tuple[Path, object]:
    """A site of a.md and files, with links (link -> target), and the outcome of checking the named path in it."""
    root = make_site({"content/a.md": GOOD_DOC, **files})
    for link, target in links.items():
        (root / link).symlink_to(target)
    return root, run_cli(["check", "--today", TODAY, "--since", "none", named], root)


OTHER = GOOD_DOC.replace("2019-00001", "2019-00002")


# What a check of one named path reports must be what a check of the whole content folder reports for it: each named
# path, the files it is made of, and the exact finding (path and code) or warning it must give.
@pytest.mark.parametrize(
    ("files", "links", "named", "code", "expected"),
    [
        # Misnamed: the walk refuses them.
        pytest.param(
            {"content/x.MD": OTHER}, {}, "content/x.MD", 1, "content/x.MD: 错误 file-name", id="upper-case .MD"
        ),
        pytest.param(
            {"content/x.markdown": OTHER},
            {},
            "content/x.markdown",
            1,
            "content/x.markdown: 错误 file-name",
            id=".markdown",
        ),
        pytest.param(
            {"outside.md": OTHER},
            {"content/out.md": "../outside.md"},
            "content/out.md",
            1,
            "content/out.md: 错误 file-kind",
            id="link out",
        ),
        pytest.param(
            {},
            {"content/dangling.md": "nowhere.md"},
            "content/dangling.md",
            1,
            "content/dangling.md: 错误 file-kind",
            id="broken link",
        ),
        # A link named x.md is a document, whatever its target is called; here it repeats a.md's 索引号.
        pytest.param(
            {"content/body.txt": GOOD_DOC},
            {"content/x.md": "body.txt"},
            "content/x.md",
            1,
            "content/x.md:3:1: 错误 index-duplicate",
            id="link to a .txt",
        ),
        pytest.param(
            {"content/.drafts/d.md": OTHER},
            {},
            "content/.drafts/d.md",
            0,
            "content/.drafts/d.md: 警告 path-unchecked 在以“.”开头的隐藏文件夹中",
            id="hidden folder's file",
        ),
        pytest.param(
            {"content/.drafts/d.md": OTHER},
            {},
            "content/.drafts",
            0,
            "content/.drafts: 警告 path-unchecked 在以“.”开头的隐藏文件夹中",
            id="hidden folder",
        ),
        # A folder that holds the content folder: all of it.
        pytest.param(
            {"content/b.md": OTHER.replace("title:", "titel:")},
            {},
            ".",
            1,
            "content/b.md:2:1: 错误 unknown-key",
            id=".",
        ),
    ],
)
def test_check_of_a_named_path_reports_what_a_whole_check_reports_for_it(
    make_site, run_cli, files, links, named, code, expected
):
    root, result = _site_checked(make_site, run_cli, files, links, named)
    assert result.code == code and expected in result.err, result.err
    if code:
        assert expected.split(":")[0] in run_cli(["check", "--today", TODAY, "--since", "none"], root).err


def _listing(*files: str, body: str = "") -> str:
    """OTHER listing files as its attachments, with a line added to its body."""
    listed = "".join(f"\n  - {{file: '{file}', title: 附件}}" for file in files)
    return (
        OTHER.replace("validity: 有效", f"validity: 有效\nattachments:{listed}" if files else "validity: 有效") + body
    )


# A named file is checked with every document that names it (as an attachment or in a body link), wherever it lies;
# a link in the content folder is a file where it is, even one to a folder; a folder with nothing to check says so.
@pytest.mark.parametrize(
    ("files", "links", "named", "code", "expected"),
    [
        pytest.param(
            {"content/b.md": _listing(body="\n见[说明](a.md)。\n")},
            {},
            "content/a.md",
            1,
            "content/b.md:",
            id="a .md a body links",
        ),
        pytest.param(
            {"content/b.md": _listing(".att/x.txt"), "content/.att/x.txt": "名单"},
            {},
            "content/.att/x.txt",
            1,
            "content/b.md:",
            id="hidden attachment",
        ),
        pytest.param(
            {"content/b.md": _listing("../ext.txt"), "ext.txt": "名单"},
            {},
            "ext.txt",
            1,
            "content/b.md:",
            id="attachment outside",
        ),
        # The attachment's path goes through a link and back up: it is the file the system reaches, other/a.txt.
        pytest.param(
            {"content/sub/b.md": _listing(".lnk/../a.txt"), "content/other/a.txt": "", "content/other/in/x.txt": "x"},
            {"content/sub/.lnk": "../other/in"},
            "content/other/a.txt",
            1,
            "content/sub/b.md:",
            id="link then ..",
        ),
        pytest.param(
            {"content/sub/c.md": _listing()},
            {"content/alias": "sub"},
            "content/alias",
            1,
            "content/alias: 错误 file-kind",
            id="folder link",
        ),
        pytest.param(
            {"content/empty/.keep": ""},
            {},
            "content/empty",
            0,
            "content/empty: 警告 path-unchecked 其中没有 Markdown 文件",
            id="empty folder",
        ),
        # A link no file can name (a NUL byte) in another document: no crash, and nothing of it is reported here.
        pytest.param(
            {
                "content/b.md": _listing("list.txt"),
                "content/c.md": GOOD_DOC.replace("2019-00001", "2019-00003") + "\n[附件](x%00y/c.txt)\n",
                "content/list.txt": "名单",
            },
            {},
            "content/list.txt",
            0,
            "其他文件还有 1 条错误",
            id="NUL link",
        ),
        pytest.param(
            {
                "content/b.md": _listing("list.txt").replace("published:", "published: 2019-13-01\npublished_old:"),
                "content/list.txt": "名单",
            },
            {},
            "content/list.txt",
            0,
            "content/list.txt: 警告 path-unchecked 不是 Markdown 文件，也没有哪篇能读取的文件",
            id="unreadable lister",
        ),
    ],
)
def test_check_of_a_named_file_reports_the_documents_that_name_it(
    make_site, run_cli, files, links, named, code, expected
):
    _, result = _site_checked(make_site, run_cli, files, links, named)
    assert result.code == code and expected in result.err + result.out, result.err
    assert "内部错误" not in result.err


@pytest.mark.parametrize("broken", [b"", b"<html><script>alert(1)</script></html>"])
def test_check_of_an_attachment_the_rules_now_refuse_reports_the_document_that_lists_it(make_site, run_cli, broken):
    # A commit that changes only the attachment: the pre-commit check names it alone.
    listed = GOOD_DOC.replace("validity: 有效", "validity: 有效\nattachments:\n  - {file: list.txt, title: 名单}")
    root = make_site({"content/a.md": listed, "content/list.txt": "名单\n"})
    assert run_cli(["check", "--today", TODAY, "--since", "none", "content/list.txt"], root).code == 0
    (root / "content/list.txt").write_bytes(broken)
    result = run_cli(["check", "--today", TODAY, "--since", "none", "content/list.txt"], root)
    assert result.code == 1 and "content/a.md:" in result.err and "错误 attachment" in result.err, result.err


def test_check_from_inside_the_content_folder_reports_the_named_file_alone(make_site, run_cli):
    root = make_site({"content/sub/a.md": GOOD_DOC, "content/sub/copy.md": GOOD_DOC, "content/sub/b.md": OTHER})
    args = ["check", "--config", "../../config.yaml", "--today", TODAY, "--since", "none"]
    result = run_cli([*args, "b.md"], root / "content/sub")
    assert result.code == 0 and "index-duplicate" not in result.err and "其他文件还有 2 条错误" in result.out
    assert run_cli([*args, "copy.md"], root / "content/sub").code == 1


@pytest.mark.parametrize(
    ("env", "option", "expected"),
    [
        ({}, "2020-02-02", date(2020, 2, 2)),
        (
            {"SOURCE_DATE_EPOCH": "1577836799"},
            None,
            date(2020, 1, 1),
        ),  # 2019-12-31 23:59:59 UTC is already 1 Jan in China
    ],
)
def test_today(monkeypatch, env, option, expected):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli.today(option) == expected


def test_import_writes_content_and_lists_what_is_missing(make_site, run_cli):
    seed = (REPO / "tests/data/seeds/002_9b3a2121861a2b8f.txt").read_text(encoding="utf-8")
    root = make_site({"inbox/珠晖.txt": seed})
    result = run_cli(["import", "inbox/珠晖.txt"], root)
    target = root / "content/fdzdgknr/zhu-hui.md"
    assert result.code == 0 and target.is_file()
    assert "请补充：索引号（index_no）、发布日期（published）、主题分类（category）" in result.out
    assert 'title: "珠晖区政府办2014年工作总结及2015年工作思路"' in target.read_text(encoding="utf-8")
    again = run_cli(["import", "inbox/珠晖.txt"], root)
    assert again.code == 1 and "已存在，未覆盖" in again.err


def test_import_refuses_unreadable_input(make_site, run_cli):
    root = make_site({"inbox/gbk.txt": "关于做好工作的通知".encode("gbk")})
    result = run_cli(["import", "inbox/gbk.txt", "inbox/none.txt"], root)
    assert result.code == 1
    assert "inbox/gbk.txt: 不是 UTF-8 编码" in result.err and "inbox/none.txt: 无法读取" in result.err
