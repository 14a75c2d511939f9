"""config.yaml: valid settings load into a Config; each invalid one gives its exact message, all at once."""

from __future__ import annotations

import pytest

from xxgk.config import STANDARD_COLUMNS, load_config
from xxgk.errors import ConfigError

from .conftest import MINIMAL_CONFIG, REPO, brief, write_config


def load(tmp_path, text):
    return load_config(write_config(tmp_path, text))


def problems(tmp_path, text) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return [brief(p).split(": ", 1)[1] if p.line is None else brief(p).split(":", 1)[1] for p in caught.value.problems]


def test_minimal_config(tmp_path):
    config = load(tmp_path, MINIMAL_CONFIG)
    assert config.base_path == "/xxgk/"
    assert config.columns == STANDARD_COLUMNS and config.default_column == "fdzdgknr"
    assert config.bodies[0].code == "114403006955506492" and config.bodies[0].slug == "ping-shan-qu-zheng-fu-ban"
    assert (
        config.page_size == 20 and config.output_dir == tmp_path / "site" and config.templates_dir == REPO / "templates"
    )
    assert config.index_form.example() == "114403006955506492/2019-00001"
    assert config.annual_column == "nb"  # the standard 政府信息公开年报 column


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "site_name: x\nbase_url: https://a.gov.cn/\nsite_nmae: y\n",
            ["3: 配置文件中有未知的键“site_nmae”。是否想写“site_name”？"],
        ),
        ("site_name: x\n", ["1: 缺少必填设置“base_url”。"]),
        (
            "site_name: x\nbase_url: www.a.gov.cn\n",
            ["2: base_url“www.a.gov.cn”应为完整网址，例如 https://www.example.gov.cn/xxgk/。"],
        ),
        (
            "site_name: x\nbase_url: https://a.gov.cn/xxgk\n",
            ["2: base_url 必须以“/”结尾（例如 https://a.gov.cn/xxgk/），站点位于该路径之下。"],
        ),
        (
            "site_name: x\nbase_url: https://a.gov.cn/\npage_size: ten\n",
            ["3: “page_size”应为 5 到 500 之间的整数，这里是“ten”。"],
        ),
        (
            "site_name: x\nbase_url: https://a.gov.cn/\nbodies:\n  - name: 某局\n    code: 12345\n",
            ["5: 机构代码“12345”应为 18 位统一社会信用代码或 9 位组织机构代码（大写字母和数字）。"],
        ),
        (
            "site_name: x\nbase_url: https://a.gov.cn/\ncolumns:\n  - key: 指南\n    title: 指南\n",
            ["4: 栏目 key“指南”只能由小写字母、数字和“-”组成（它会出现在网址中）。"],
        ),
        (
            "site_name: x\nbase_url: https://a.gov.cn/\nannual_column: nianbao\n",
            ["3: annual_column“nianbao”不是已配置的栏目 key。"],
        ),
        (
            'site_name: x\nbase_url: https://a.gov.cn/\nindex_no:\n  form: "{code}-{serial}"\n',
            ["4: 索引号格式无效：格式中必须恰好出现一次 {year}"],
        ),
        (
            "site_name: [x]\nbase_url: 1\npage_size: 1\nfooter: {icp: 2, x: 1}\n",
            [
                "1: “site_name”应为一段文字，这里是列表或子项。",
                "2: base_url“1”应为完整网址，例如 https://www.example.gov.cn/xxgk/。",
                "3: “page_size”应为 5 到 500 之间的整数，这里是“1”。",
                "4: footer中有未知的键“x”。可用的键：sponsor、contact、site_code、icp、police、error_report_url、conac_url、conac_image。",  # noqa: E501
            ],
        ),
    ],
)
def test_invalid_config(tmp_path, text, expected):
    assert [
        p
        for p in problems(tmp_path, text)
        if "页脚缺少" not in p and "guide-missing" not in p and "guide 设置" not in p
    ] == expected


def test_missing_footer_facts_warn_but_load(tmp_path):
    config = load(tmp_path, "site_name: x\nbase_url: https://a.gov.cn/\n")
    assert config.footer.icp == ""


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert "找不到配置文件" in str(caught.value)


def test_categories_extend_the_shipped_tree(tmp_path):
    config = load(tmp_path, MINIMAL_CONFIG + "categories:\n  公开制度:\n  综合政务: [新媒体]\n")
    assert config.extra_categories == (("公开制度", ()), ("综合政务", ("新媒体",)))


def test_configured_folders_must_exist(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "site_name: x\nbase_url: https://a.gov.cn/\npaths:\n  templates: layouts\n  static: assets\n", encoding="utf-8"
    )
    (tmp_path / "content").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.yaml")
    messages = [brief(p) for p in caught.value.problems if p.is_error]
    assert messages == [
        f"{tmp_path / 'config.yaml'}:4: 模板文件夹“{tmp_path / 'layouts'}”不存在。请检查 config.yaml 中 paths.templates 的设置（相对于 config.yaml 所在的文件夹）。",  # noqa: E501
        f"{tmp_path / 'config.yaml'}:5: 静态资源文件夹“{tmp_path / 'assets'}”不存在。请检查 config.yaml 中 paths.static 的设置（相对于 config.yaml 所在的文件夹）。",  # noqa: E501
    ]


def test_a_site_without_templates_or_static_uses_the_default_theme(tmp_path):
    (tmp_path / "config.yaml").write_text("site_name: x\nbase_url: https://a.gov.cn/\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    config = load_config(tmp_path / "config.yaml")
    assert config.templates_dir == tmp_path / "templates" and not config.templates_dir.exists()


def test_content_folder_must_exist(tmp_path):
    (tmp_path / "config.yaml").write_text("site_name: x\nbase_url: https://a.gov.cn/\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.yaml")
    assert [p.code for p in caught.value.problems if p.is_error] == ["config-folder"]
