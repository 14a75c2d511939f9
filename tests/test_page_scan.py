"""The order in which the built-page scan reads a site's pages: it decides how much the scan remembers between
pages that share rows, never what it finds."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import pipeline, render
from xxgk.check import page_scan
from xxgk.config import load_config
from xxgk.errors import shown_path

from .conftest import MINIMAL_CONFIG, TODAY
from .test_build import many_documents


def test_pages_named_first_come_first_in_that_order_and_the_rest_in_path_order():
    unseen = {"d1": "doc/b.html", "d2": "catalog/index.html", "d3": "category/x/2/index.html", "d4": "a.html"}
    first = ["category/x/2/index.html", "gone/index.html", "catalog/index.html"]
    assert page_scan.in_scan_order(unseen, first) == [
        ("d3", "category/x/2/index.html"),
        ("d2", "catalog/index.html"),
        ("d4", "a.html"),
        ("d1", "doc/b.html"),
    ]


def test_the_listings_are_swept_together_and_the_findings_stay_the_same(make_site, run_cli):
    root = make_site(many_documents(40), MINIMAL_CONFIG + "page_size: 5\n")
    assert run_cli(["build", "--today", TODAY], root).code == 0
    config = load_config(root / "config.yaml")
    today = date.fromisoformat(TODAY)
    site = pipeline.site_model(pipeline.check(config, today, since=None), config, today)
    sweep = [page.url for _, page, _ in render.listing_sweep(site)]
    listings = [site.catalog, *site.columns, *(term for facet in site.facets for term in facet.terms)]
    pages = {page.url: page for listing in listings for page in listing.pages}
    assert sorted(sweep) == sorted(pages) and len(set(sweep)) == len(sweep)
    rank = {doc.index_no: at for at, doc in enumerate(row for page in site.catalog.pages for row in page.documents)}
    where = [rank[pages[url].documents[0].index_no] if pages[url].documents else 0 for url in sweep]
    assert where == sorted(where) and where[-1] == 35  # 40 documents, 5 a page: the pages whose first row is the 36th
    assert all((config.output_dir / url).is_file() for url in sweep)
    documents = list(site.documents)
    by_path = pipeline.scan_pages(config.output_dir, config, documents, shown_path)
    assert by_path == pipeline.scan_pages(config.output_dir, config, documents, shown_path, site=site)
    hosts = pipeline.scanned_hosts(config)
    backwards = page_scan.scan(config.output_dir, hosts, shown_path, first=lambda: list(reversed(sweep)))
    assert backwards == page_scan.scan(config.output_dir, hosts, shown_path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([b"a", "页".encode(), b"\r", b"\n", b"\r\n", b"\xe9", b"\xe9\xa1", b"\xff", b"<p>"])))
def test_a_page_is_read_as_text_mode_reads_it(tmp_path, pieces):
    path = tmp_path / "page.html"
    path.write_bytes(b"".join(pieces))
    assert page_scan.page_text(str(path)) == path.read_text("utf-8", "replace")
