"""What an inspector sees in a real browser: the signature block, the 目录 on a phone, the printable 申请表.

Debian's Chromium through Playwright against the sample site served over HTTP; skipped when either is missing.
"""

from __future__ import annotations

from .test_browser_controls import base_url, browser  # noqa: F401 - fixtures shared with the controls tests

SIGNED = "doc/11430405006982316D/2015-00001.html"  # seed 002: 珠晖区政府办 / 2015年3月20日 close the body


def test_signature_block_is_right_aligned_as_gbt_9704_lays_it_out(browser, base_url):  # noqa: F811
    """GB/T 9704-2012 §7.3.5: the issuing body's signature and the 成文日期 sit at the right, 右空二字."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + SIGNED)
    lines = page.locator(".doc-body .signature p")
    assert lines.all_inner_texts() == ["珠晖区政府办", "2015年3月20日"]
    assert lines.evaluate_all("ps => ps.map(p => getComputedStyle(p).textAlign)") == ["right", "right"]
    body = page.locator(".doc-body").bounding_box()
    date = page.evaluate("""() => { const r = document.createRange();
        r.selectNodeContents(document.querySelector('.doc-body .signature p:last-child'));
        const b = r.getBoundingClientRect(); return [b.left, b.right]; }""")
    two_chars = 2 * page.eval_on_selector(".doc-body", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert date[0] > body["x"] + body["width"] / 2  # on the right half
    assert abs(body["x"] + body["width"] - date[1] - two_chars) < 2  # 右空二字
    page.close()


def test_catalog_keeps_the_index_number_reachable_on_a_phone(browser, base_url):  # noqa: F811
    """条例 art. 12: the 目录's 索引号 column stays on a 360 px screen, in a keyboard-scrollable region."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(base_url + "catalog/index.html")
    region = page.get_by_role("region", name="政府信息公开目录：按发布日期从新到旧排列（表格可左右滚动）")
    assert region.get_attribute("tabindex") == "0"
    assert page.locator(".catalog-table th.col-index").is_visible()
    cell = page.locator(".catalog-table td.col-index").first
    assert cell.is_visible() and cell.inner_text().count("/") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page itself does not scroll sideways
    region.focus()
    before = region.evaluate("e => e.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("e => e.scrollLeft") > before
    page.close()


def test_printing_the_application_page_gives_the_form_alone(browser, base_url):  # noqa: F811
    """条例 art. 29: a printable 申请表 for 信函/当面 applications, no server needed."""
    page = browser.new_page()
    page.goto(base_url + "column/ysqgk/index.html")
    assert page.locator(".application-info").is_visible()
    page.emulate_media(media="print")
    for hidden in (".application-info", ".site-header", ".site-footer", ".breadcrumb", ".page-title"):
        assert not page.locator(hidden).first.is_visible(), f"{hidden} should not print"
    assert page.locator(".application-form .form-table").is_visible()
    assert page.get_by_role("heading", name="政府信息公开申请表").is_visible()
    page.close()
