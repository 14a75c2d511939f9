"""The publication gate: `build` runs every rule `check` runs, with the same findings, and publishes nothing on an
error; the built pages are scanned before the swap; `allow:` with a reason is the only way past a rule."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import GOOD_DOC, MINIMAL_CONFIG, REPO, TODAY, copy_sample, lint_fixture, previous_site

LINT = sorted((Path(__file__).with_name("data") / "lint").glob("*.md"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def with_previous_site(root: Path) -> dict[str, bytes]:
    return snapshot(previous_site(root))


def staging_left(root: Path) -> list[str]:
    """The hidden folders beside the site other than the lock and the build cache (derived data a build keeps)."""
    return [p.name for p in root.iterdir() if p.name.startswith(".") and p.name not in (".site.lock", ".site-cache")]


def problems(run_cli, root: Path, command: str) -> tuple[int, list[dict]]:
    result = run_cli([command, "--today", TODAY, "--format", "json"], root)
    return result.code, json.loads(result.out)["problems"]


@pytest.mark.parametrize("document", LINT, ids=lambda p: p.stem)
def test_build_reports_exactly_what_check_reports_and_publishes_nothing_on_an_error(make_site, run_cli, document):
    root = make_site(lint_fixture(document))
    before = with_previous_site(root)
    check_code, check_problems = problems(run_cli, root, "check")
    build_code, build_problems = problems(run_cli, root, "build")
    assert (build_code, build_problems) == (check_code, check_problems)
    if any(p["level"] == "error" for p in check_problems):
        assert build_code == 1
        assert snapshot(root / "site") == before
        assert staging_left(root) == []
    else:
        assert build_code == 0 and snapshot(root / "site") != before


def test_an_id_number_in_the_body_is_never_published(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC + "\n联系人身份证号：11010519491231002X\n"})
    result = run_cli(["build", "--today", TODAY, "--since", "none"], root)
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("content/a.md:18:9: 错误 privacy-id-number 公开了居民身份证号码（110105********002X）")
    assert not (root / "site").exists()


def test_spam_brought_in_by_a_template_blocks_the_swap(make_site, run_cli, tmp_path):
    templates = shutil.copytree(REPO / "templates", tmp_path / "templates")
    base = templates / "base.html"
    assert "</body>" in base.read_text(encoding="utf-8")
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>皇冠体育</p></body>", 1), encoding="utf-8")
    config = MINIMAL_CONFIG + f"paths:\n  templates: {templates}\n  static: {REPO / 'static'}\n"
    root = make_site({"content/a.md": GOOD_DOC}, config)
    before = with_previous_site(root)
    code, found = problems(run_cli, root, "build")
    assert code == 1 and snapshot(root / "site") == before
    spam = [p for p in found if p["code"] == "spam-term"]
    assert spam and all(p["level"] == "error" and p["path"].startswith("site/") for p in spam)
    assert "site/index.html" in {p["path"] for p in spam}
    assert staging_left(root) == []


def test_an_allowed_finding_is_published_and_not_reported_again_from_the_pages(make_site, run_cli):
    notice = (
        GOOD_DOC.replace(
            "validity: 有效", "validity: 有效\nallow:\n  spam-term: 公安机关打击网络赌博的通报，须点名涉案网站名称"
        )
        + "\n近期查处“网上娱乐城”等赌博网站。\n"
    )
    root = make_site({"content/a.md": notice})
    code, found = problems(run_cli, root, "build")
    assert code == 0 and found == []
    assert "网上娱乐城" in (root / "site/doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8")


def test_the_text_format_is_the_same_for_build_and_check(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC + "\n皇冠体育\n"})
    built = run_cli(["build", "--today", TODAY, "--since", "none"], root)
    checked = run_cli(["check", "--today", TODAY, "--since", "none"], root)
    line = "content/a.md:18:1: 错误 spam-term 含疑似博彩/色情垃圾词“皇冠体育”"
    assert built.err.startswith(line) and checked.err.startswith(line)
    assert built.err.splitlines()[0] == checked.err.splitlines()[0]


def test_paths_outside_the_working_folder_are_absolute(make_site, run_cli, tmp_path):
    root = make_site({"content/a.md": GOOD_DOC + "\n皇冠体育\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(["build", "--config", str(root / "config.yaml"), "--today", TODAY, "--since", "none"], elsewhere)
    assert result.code == 1 and result.err.startswith(f"{root / 'content/a.md'}:18:1: 错误 spam-term ")


def test_serve_refuses_a_rebuild_with_a_leak_and_keeps_serving_the_last_good_site(tmp_path):
    from .test_serve import _eventually, _wait_for_address, fetch

    root = copy_sample(tmp_path / "src")
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--today", TODAY, "--since", "none"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        deadline = threading.Timer(120, process.terminate)  # a rebuild that never comes ends the test, not the suite
        try:
            address = _wait_for_address(process)
            time.sleep(2)  # the watcher takes its first look at the files after the address is printed
            deadline.start()
            page = sorted((root / "content").rglob("*.md"))[0]
            page.write_text(page.read_text(encoding="utf-8") + "\n联系人：张三，13812345678\n", encoding="utf-8")
            lines = []
            for line in process.stdout:
                lines.append(line)
                if line.startswith("重建失败"):
                    break
            leak = f"{page.relative_to(root).as_posix()}:"
            assert any(
                line.startswith(leak) and " 错误 privacy-mobile 公开了手机号码（138****5678）" in line for line in lines
            )
            assert _eventually(lambda: fetch(address)[0] == 200)
            assert "13812345678" not in "".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html"))
        finally:
            deadline.cancel()
            process.terminate()
            process.wait(10)


def test_the_footers_configured_links_are_not_off_site_warnings_unless_their_host_is_spam(make_site, run_cli):
    footer = (
        "  error_report_url: https://zfwzzc.www.gov.cn/check_web/x\n  conac_url: https://bszs.conac.cn/sitename?id=1\n"
    )
    config = MINIMAL_CONFIG.replace("footer:\n", "footer:\n" + footer)
    code, found = problems(run_cli, make_site({"content/a.md": GOOD_DOC}, config), "build")
    assert code == 0 and [p for p in found if p["code"] == "external-link"] == []
    spam = config.replace("zfwzzc.www.gov.cn", "365bet.example.com")
    code, found = problems(run_cli, make_site({"content/a.md": GOOD_DOC}, spam), "build")
    assert code == 1 and {(p["code"], p["level"]) for p in found if p["path"].startswith("site/")} == {
        ("external-link", "error")
    }
