"""Characters that break formats are refused at their file and line, in every file an editor writes."""

from __future__ import annotations

import pytest

from ..conftest import GOOD_DOC, MINIMAL_CONFIG, previous_site
from .attempt import assert_refused, attempt
from .sites import snapshot

DOC = "content/fdzdgknr/a.md"
ADVICE = "它不可见，会使订阅源（XML）、CSV 和网页出错，多半是从其他软件复制时带入的。请删除它。"
LOOKALIKE = "它不可见，会让文字看起来相同却不相同（例如成为另一个发布机构）。请删除它，这一项只能是普通文字。"


def doc(old: str, new: str) -> str:
    assert old in GOOD_DOC
    return GOOD_DOC.replace(old, new, 1)


CASES = [
    # (what, files, the one error expected)
    (
        "vertical tab by YAML escape in the title",
        {DOC: doc("title: 坪山区委(区政府)办公室2017年工作亮点及2018年工作思路", 'title: "坪山\\v区委"')},
        f"{DOC}:2: 值中含有字符 U+000B（控制字符）（由转义写出）。{ADVICE}",
    ),
    (
        "NUL by YAML escape in the summary",
        {DOC: doc("validity: 有效", 'validity: 有效\nsummary: "概述\\0"')},
        f"{DOC}:12: 值中含有字符 U+0000（控制字符）（由转义写出）。{ADVICE}",
    ),
    (
        "raw control character in the front matter",
        {DOC: doc("genre: 报告", "genre: 报\x01告")},
        f"{DOC}:6: 含有字符 U+0001（控制字符）。{ADVICE}",
    ),
    (
        "raw NUL in the body",
        {DOC: doc("较好地完成", "较好地\x00完成")},
        f"{DOC}:16: 正文含有字符 U+0000（控制字符）。{ADVICE}",
    ),
    (
        "DEL in the body",
        {DOC: doc("较好地完成", "较好地\x7f完成")},
        f"{DOC}:16: 正文含有字符 U+007F（控制字符）。{ADVICE}",
    ),
    (
        "noncharacter U+FFFE in the body",
        {DOC: doc("较好地完成", "较好地\ufffe完成")},
        f"{DOC}:16: 正文含有字符 U+FFFE（非字符）。{ADVICE}",
    ),
    (
        "character reference to a control character in the body",
        {DOC: doc("较好地完成", "较好地&#x0b;完成")},
        f"{DOC}:16: 正文含有字符 U+000B（控制字符）。{ADVICE}",
    ),
    (
        "zero-width space in the publisher",
        {DOC: doc("publisher: 深圳市坪山区政府办公室", "publisher: 深圳市坪山区\u200b政府办公室")},
        f"{DOC}:4: “发布机构（publisher）”含有字符 U+200B（零宽字符）。{LOOKALIKE}",
    ),
    (
        "line separator by YAML escape in the title",
        {DOC: doc("title: 坪山区委(区政府)办公室2017年工作亮点及2018年工作思路", 'title: "坪山\\L区委"')},
        f"{DOC}:2: “标题（title）”含有字符 U+2028（行或段落分隔符）。{LOOKALIKE}",
    ),
    (
        "raw paragraph separator in the front matter",
        {DOC: doc("2017年工作亮点", "2017年\u2029工作亮点")},
        f"{DOC}:2: 含有字符 U+2029（行或段落分隔符）。{ADVICE}",
    ),
    (
        "right-to-left override in the document number",
        {DOC: doc('doc_no: ""', "doc_no: 深坪\u202e府〔2019〕1号")},
        f"{DOC}:7: “文号（doc_no）”含有字符 U+202E（双向文字控制符）。{LOOKALIKE}",
    ),
    (
        "full-width digits in the index number",
        {DOC: doc("index_no: 114403006955506492/2019-00001", "index_no: 114403006955506492/２０１９-00001")},
        f"{DOC}:3: 索引号“114403006955506492/２０１９-00001”含有全角数字或字母。请改用半角（英文输入法）重新输入，"
        "否则它与半角写法看起来相同，却是另一个索引号。",
    ),
    (
        "full-width digits in a date",
        {DOC: doc("published: 2019-03-06", "published: ２０１９-03-06")},
        f"{DOC}:9: “发布日期（published）”的值“２０１９-03-06”含有全角数字。请改用半角数字，写成 YYYY-MM-DD。",
    ),
    (
        "control character by escape in config.yaml",
        {
            "config.yaml": MINIMAL_CONFIG.replace(
                "site_name: 测试区政府信息公开", 'site_name: "测试区\\e政府信息公开"'
            ),
            DOC: GOOD_DOC,
        },
        f"config.yaml:1: 值中含有字符 U+001B（控制字符）（由转义写出）。{ADVICE}",
    ),
    (
        "zero-width joiner in a body's name in config.yaml",
        {"config.yaml": MINIMAL_CONFIG.replace("short: 坪山区政府办", "short: 坪山区\u200d政府办"), DOC: GOOD_DOC},
        f"config.yaml:6: “short”含有字符 U+200D（零宽字符）。{LOOKALIKE}",
    ),
    (
        "raw bell character in an annual-report file",
        {"reports/2019.yaml": "规章:\n  本年制发: 1\x07\n", DOC: GOOD_DOC},
        f"reports/2019.yaml:2: 含有字符 U+0007（控制字符）。{ADVICE}",
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_at_its_line(files, expected, make_site, run_cli):
    config = files.pop("config.yaml", MINIMAL_CONFIG)
    root = make_site(files, config)
    previous = snapshot(previous_site(root))
    result = attempt(run_cli, root, ["build"])
    assert_refused(result, expected)
    assert snapshot(root / "site") == previous
