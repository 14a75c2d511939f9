"""The default theme and per-site overrides: a site's own template or static file wins, the theme fills the rest."""

from __future__ import annotations

import filecmp

from xxgk import theme

from .conftest import GOOD_DOC, MINIMAL_CONFIG, REPO, TODAY


def _site(tmp_path, files: dict[str, str]):
    """A site folder with only config.yaml, one document and the given files: no paths: section, no theme copy."""
    root = tmp_path / "portal"
    for name, text in {"config.yaml": MINIMAL_CONFIG, "content/a.md": GOOD_DOC, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_in_a_checkout_the_default_theme_is_the_top_level_folders():
    assert theme.default_folder("templates") == REPO / "templates"
    assert theme.default_folder("static") == REPO / "static"


def test_a_site_without_templates_or_static_builds_with_the_default_theme(tmp_path, run_cli):
    root = _site(tmp_path, {})
    assert run_cli(["build", "--today", TODAY], root).code == 0
    site = root / "site"
    assert "测试区政府信息公开" in (site / "index.html").read_text(encoding="utf-8")
    shipped = sorted(p.relative_to(REPO / "static") for p in (REPO / "static").rglob("*") if p.is_file())
    assert sorted(p.relative_to(site / "static") for p in (site / "static").rglob("*") if p.is_file()) == shipped


def test_a_site_overriding_one_template_builds_with_it(tmp_path, run_cli):
    footer = '<footer class="site-footer"><p>本站由{{ footer.sponsor }}自行维护</p></footer>\n'
    root = _site(tmp_path, {"templates/partials/footer.html": footer})
    assert run_cli(["build", "--today", TODAY], root).code == 0
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "<p>本站由测试区人民政府办公室自行维护</p>" in home
    assert '<nav class="site-nav"' in home  # every other template still comes from the default theme


def test_a_site_static_file_wins_and_the_theme_provides_the_rest(tmp_path, run_cli):
    root = _site(tmp_path, {"static/css/site.css": "body { color: #000; }\n", "static/img/seal.svg": "<svg/>\n"})
    assert run_cli(["build", "--today", TODAY], root).code == 0
    static = root / "site" / "static"
    assert (static / "css" / "site.css").read_text(encoding="utf-8") == "body { color: #000; }\n"
    assert (static / "img" / "seal.svg").is_file()
    assert filecmp.cmp(static / "js" / "page.js", REPO / "static" / "js" / "page.js", shallow=False)
    manifest = (root / "site" / "manifest.sha256").read_text(encoding="utf-8")
    assert manifest.count("static/css/site.css") == 1


def test_a_template_error_in_an_override_names_the_site_file(tmp_path, run_cli):
    root = _site(
        tmp_path, {"templates/404.html": "{% extends 'base.html' %}\n{% block main %}{{ 1 + }}{% endblock %}\n"}
    )
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1
    assert result.err.startswith("templates/404.html:2:1: 错误 template-syntax 模板语法错误：")
    assert not (root / "site").exists()
