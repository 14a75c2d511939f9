"""YAML bombs, aliases, deep nesting and libyaml's English errors: each refused at its line, in Chinese, quickly."""

from __future__ import annotations

import time

import pytest

from ..conftest import GOOD_DOC, MINIMAL_CONFIG
from .attempt import assert_refused, attempt

DOC = "content/fdzdgknr/a.md"
BOMB = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9) if n else 'x'}]\n" for n in range(10))


def front(extra: str) -> str:
    """GOOD_DOC with lines added at the end of its front matter (from line 12)."""
    return GOOD_DOC.replace("validity: 有效\n", "validity: 有效\n" + extra, 1)


ALIAS = "不支持 YAML 的锚点和别名（“&名称”“*名称”）。请把内容直接写出来。"
CASES = [
    (
        "exponential alias bomb in front matter",
        {DOC: front("extra:\n" + "".join("  " + line for line in BOMB.splitlines(True)))},
        f"{DOC}:13: {ALIAS}",
    ),
    ("self-referencing alias", {DOC: front("extra: &a [*a]\n")}, f"{DOC}:12: {ALIAS}"),
    ("an anchor alone", {DOC: front("summary: &s 概述\n")}, f"{DOC}:12: {ALIAS}"),
    ("alias bomb in config.yaml", {"config.yaml": BOMB + MINIMAL_CONFIG, DOC: GOOD_DOC}, f"config.yaml:1: {ALIAS}"),
    (
        "alias in an annual-report file",
        {"reports/2019.yaml": "a: &x 1\nb: *x\n", DOC: GOOD_DOC},
        f"reports/2019.yaml:1: {ALIAS}",
    ),
    (
        "5,000 nested brackets",
        {DOC: front("extra: " + "[" * 5000 + "]" * 5000 + "\n")},
        f"{DOC}:12: YAML 嵌套过深（超过 16 层）。请检查括号和缩进。",
    ),
    (
        "5,000 nested brackets in config.yaml",
        {"config.yaml": MINIMAL_CONFIG + "genres: " + "[" * 5000 + "]" * 5000 + "\n", DOC: GOOD_DOC},
        f"config.yaml:{MINIMAL_CONFIG.count(chr(10)) + 1}: YAML 嵌套过深（超过 16 层）。请检查括号和缩进。",
    ),
    (
        "1,000 nested Markdown list levels",
        {DOC: GOOD_DOC + "".join("    " * n + "- 项\n" for n in range(1000))},
        f"{DOC}:37: 正文的列表或引用嵌套超过 20 层，无法生成页面。请减少缩进层次（每层缩进 4 个空格）。",
    ),
    (
        "5,000 nested block quotes",
        {DOC: GOOD_DOC + "\n" + ">" * 5000 + " 引文\n"},
        f"{DOC}:18: 正文的列表或引用嵌套超过 20 层，无法生成页面。请减少缩进层次（每层缩进 4 个空格）。",
    ),
    (
        "tab indentation",
        {DOC: front("extra:\n\tk: v\n")},
        f"{DOC}:13: YAML 格式错误：含有制表符（Tab），请改用空格缩进。请检查这一行的缩进、冒号和引号。",
    ),
    (
        "a value starting with a backquote",
        {DOC: front("summary: `概述`\n")},
        f"{DOC}:12: YAML 格式错误：值不能以“`”开头，请用引号把整个值括起来。请检查这一行的缩进、冒号和引号。",
    ),
    (
        "a stray line in config.yaml",
        {"config.yaml": "- 多余\n" + MINIMAL_CONFIG, DOC: GOOD_DOC},
        "config.yaml:2: YAML 格式错误：列表项“- ”的缩进与上一项不一致。请检查这一行的缩进、冒号和引号。",
    ),
    (
        "a line without a colon",
        {DOC: front('"概述" 多余\n')},
        f"{DOC}:12: YAML 格式错误：缺少冒号“:”。请检查这一行的缩进、冒号和引号。",
    ),
    (
        "a second YAML document",
        {"reports/2019.yaml": "a: b\n--- x\n", DOC: GOOD_DOC},
        "reports/2019.yaml:2: YAML 格式错误：这里开始了第二个文档（“---”或“...”）。一个文件只能有一组“键: 值”。",
    ),
    (
        "backslash in double quotes",
        {DOC: front('category: "综合政务\\政务公开"\n')},
        f"{DOC}:12: YAML 格式错误：双引号中的反斜杠“\\”后面不是可识别的转义。值中含“\\”（如主题分类）时，请改用单引号或不加引号。"  # noqa: E501
        "请检查这一行的缩进、冒号和引号。",
    ),
    (
        "full-width colon after the first key",
        {DOC: GOOD_DOC.replace("index_no: ", "索引号：", 1)},
        f"{DOC}:3: “索引号”后面是全角冒号“：”。键和值之间请用半角冒号加一个空格，例如“索引号: …”（输入法切换到英文标点）。",  # noqa: E501
    ),
    (
        "full-width colon on the only line",
        {DOC: "---\n标题：关于做好2019年工作的通知\n---\n正文\n"},
        f"{DOC}:2: “标题”后面是全角冒号“：”。键和值之间请用半角冒号加一个空格，例如“标题: …”（输入法切换到英文标点）。",
    ),
    (
        "full-width colon in config.yaml",
        {"config.yaml": MINIMAL_CONFIG.replace("site_name: ", "site_name：", 1), DOC: GOOD_DOC},
        "config.yaml:1: “site_name”后面是全角冒号“：”。键和值之间请用半角冒号加一个空格，例如“site_name: …”（输入法切换到英文标点）。",  # noqa: E501
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_quickly_at_its_line(files, expected, make_site, run_cli):
    config = files.pop("config.yaml", MINIMAL_CONFIG)
    root = make_site(files, config)
    started = time.perf_counter()
    result = attempt(run_cli, root, ["build"])
    assert time.perf_counter() - started < 20  # a bomb or deep nesting used to hang or exhaust memory
    assert_refused(result, expected)
    assert not (root / "site").exists()
