"""deploy/nginx.conf served by a real nginx: security headers, MIME types, caching and gzip on every response kind.

The sample site is served at the shipped sub-path /xxgk/ and at the root of a host, by Debian's nginx on 127.0.0.1
(tests/nginx.py); skipped with the reason when nginx or openssl is missing.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from xxgk import manifest

from . import nginx

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
)
PAGE = "no-cache"
STATIC = "max-age=3600"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Kind:
    """One kind of response the site gives, and what nginx must send with it."""

    name: str
    path: str
    status: int
    content_type: str
    cache_control: str | None  # None: the header must be absent (error responses are not cached by max-age)


def kinds(site: Path) -> list[Kind]:
    """Every kind of response of a built site: pages, 404s, search page and data, static files, feeds, manifest."""

    def first(pattern: str) -> str:
        return sorted(site.glob(pattern))[0].relative_to(site).as_posix()

    return [
        Kind("home page", "", 200, HTML, PAGE),
        Kind("目录 page", "catalog/", 200, HTML, PAGE),
        Kind("document page", first("doc/*/*.html"), 200, HTML, PAGE),
        Kind("folder without its slash", "catalog", 301, "text/html", PAGE),
        Kind("404 page", "no-such-page/", 404, HTML, None),
        Kind("404 under static/", "static/css/no-such.css", 404, HTML, None),
        Kind("search page", "search/", 200, HTML, PAGE),
        Kind("search page with a query", "search/?q=%3Cscript%3E", 200, HTML, PAGE),
        Kind("search metadata", "search/meta.json", 200, "application/json; charset=utf-8", PAGE),
        Kind("search shard", first("search/t/*.bin"), 200, "application/octet-stream", PAGE),
        Kind("search text", first("search/d/*.txt"), 200, "text/plain; charset=utf-8", PAGE),
        Kind("search record", first("search/d/*.json"), 200, "application/json; charset=utf-8", PAGE),
        Kind("stylesheet", "static/css/site.css", 200, "text/css; charset=utf-8", STATIC),
        Kind("script", "static/js/search.js", 200, "application/javascript; charset=utf-8", STATIC),
        Kind("image", "static/img/favicon.svg", 200, "image/svg+xml; charset=utf-8", STATIC),
        Kind("site feed", "feed.xml", 200, "application/atom+xml; charset=utf-8", PAGE),
        Kind("publisher feed", first("publisher/*/feed.xml"), 200, "application/atom+xml; charset=utf-8", PAGE),
        Kind("sitemap", "sitemap.xml", 200, "text/xml; charset=utf-8", PAGE),
        Kind("robots.txt", "robots.txt", 200, "text/plain; charset=utf-8", PAGE),
        Kind("目录 CSV", "catalog.csv", 200, "text/csv; charset=utf-8", PAGE),
        Kind("目录 JSON", "catalog.json", 200, "application/json; charset=utf-8", PAGE),
        Kind("document JSON", first("doc/*/*.json"), 200, "application/json; charset=utf-8", PAGE),
        Kind("manifest", manifest.MANIFEST, 200, "text/plain; charset=utf-8", PAGE),
    ]


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(url: str, server: nginx.Server, *, gzip_ok: bool = False) -> Response:
    """One GET, redirects not followed, over HTTPS checked against the server's own certificate."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=server.tls, timeout=10)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Accept-Encoding": "gzip" if gzip_ok else "identity"})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def security_problems(headers: http.client.HTTPMessage) -> list[str]:
    """What is missing or too weak among the security headers of one HTTPS response."""
    csp = headers.get("Content-Security-Policy", "")
    hsts = re.fullmatch(r"max-age=(\d+)(; includeSubDomains)?", headers.get("Strict-Transport-Security", ""))
    checks = {
        "Content-Security-Policy": "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "object-src 'none'" in csp
        and "frame-ancestors 'self'" in csp
        and "unsafe-" not in csp,
        "X-Content-Type-Options": headers.get("X-Content-Type-Options") == "nosniff",
        "X-Frame-Options": headers.get("X-Frame-Options") == "SAMEORIGIN",
        "Referrer-Policy": headers.get("Referrer-Policy") == "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=()" in headers.get("Permissions-Policy", ""),
        "Strict-Transport-Security": bool(hsts) and int(hsts.group(1)) >= 180 * 86400,
    }
    doubled = [name for name in SECURITY_HEADERS if len(headers.get_all(name) or []) > 1]
    return [name for name, ok in checks.items() if not ok] + [f"{name} twice" for name in doubled]


def kind_problems(server: nginx.Server) -> list[str]:
    """Every response kind whose security headers fall short, as 'kind: header' lines."""
    problems = []
    for kind in kinds(server.site):
        for problem in security_problems(fetch(server.url + kind.path, server).headers):
            problems.append(f"{kind.name} ({kind.path}): {problem}")
    return problems


@pytest.fixture(scope="module", params=[nginx.SUB_PATH, "/"], ids=["sub-path", "root"])
def served(request, built_sample_site, built_root_site, tmp_path_factory) -> Iterator[nginx.Server]:
    """The sample site built for the sub-path or for the root of its host, served there by nginx."""
    site = built_sample_site if request.param == nginx.SUB_PATH else built_root_site
    with nginx.serve(site, tmp_path_factory.mktemp("nginx"), request.param) as server:
        yield server


def test_the_shipped_config_loads_without_a_warning(served):
    log = served.log()
    assert not re.search(r"\[(warn|error|crit|alert|emerg)\]", log), log


def test_every_response_kind_carries_the_security_headers(served):
    assert kind_problems(served) == []


def test_status_type_and_caching_of_every_response_kind(served):
    found, wanted = [], []
    for kind in kinds(served.site):
        response = fetch(served.url + kind.path, served)
        found.append(
            (kind.name, response.status, response.headers["Content-Type"], response.headers.get("Cache-Control"))
        )
        wanted.append((kind.name, kind.status, kind.content_type, kind.cache_control))
        assert "nginx/" not in response.headers.get("Server", ""), "server_tokens off: no version for scanners"
    assert found == wanted


def test_missing_pages_get_the_sites_own_404_page(served):
    response = fetch(served.url + "no-such-page/", served)
    assert response.status == 404
    assert response.body == (served.site / "404.html").read_bytes()
    moved = fetch(served.url + "catalog", served)
    assert moved.headers["Location"] == urlsplit(served.url).path + "catalog/"  # relative: scheme and port kept


def test_text_kinds_are_gzipped_and_arrive_intact(served):
    compressed = [
        kind
        for kind in kinds(served.site)
        if kind.status == 200
        and kind.path
        and (served.site / kind.path).is_file()
        and (served.site / kind.path).stat().st_size >= 256
    ]
    assert {kind.name for kind in compressed} >= {"search shard", "search text", "stylesheet", "site feed", "目录 CSV"}
    for kind in compressed:
        response = fetch(served.url + kind.path, served, gzip_ok=True)
        assert response.headers.get("Content-Encoding") == "gzip", kind.name
        assert "Accept-Encoding" in response.headers.get("Vary", ""), kind.name
        assert gzip.decompress(response.body) == (served.site / kind.path).read_bytes(), kind.name


def test_every_file_of_the_manifest_is_served_byte_for_byte(served):
    listed = manifest.parse((served.site / manifest.MANIFEST).read_text(encoding="utf-8"))
    assert len(listed) > 50
    differ = [
        path
        for path, digest in listed.items()
        if hashlib.sha256(fetch(served.url + path, served).body).hexdigest() != digest
    ]
    assert differ == []


def test_plain_http_only_redirects_to_https_and_sends_no_hsts(served):
    response = fetch(served.http_url + "catalog/?q=1", served)
    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1{urlsplit(served.url).path}catalog/?q=1"
    assert "Strict-Transport-Security" not in response.headers  # browsers ignore it over HTTP; only HTTPS sends it


def test_the_host_root_leads_to_the_portal(served):
    response = fetch(served.url.replace(urlsplit(served.url).path, "/"), served)
    if urlsplit(served.url).path == "/":
        assert response.status == 200 and response.body == (served.site / "index.html").read_bytes()
    else:
        assert (response.status, response.headers["Location"]) == (302, nginx.SUB_PATH)


def test_a_location_with_its_own_add_header_is_caught(built_sample_site, tmp_path):
    """nginx's trap: one add_header in a location drops the server's; the header check above must notice."""
    shipped = nginx.SHIPPED.read_text(encoding="utf-8")
    static = "        location /xxgk/static/ {\n"
    assert static in shipped
    trapped = shipped.replace(static, static + '            add_header Cache-Control "public";\n')
    with nginx.serve(built_sample_site, tmp_path, config=trapped) as server:
        problems = kind_problems(server)
    assert "stylesheet (static/css/site.css): Content-Security-Policy" in problems
    assert not [p for p in problems if p.startswith(("home page", "search page", "manifest"))]


def test_attachments_go_out_as_uploaded_without_a_claimed_charset(built_sample_site, tmp_path):
    site = shutil.copytree(built_sample_site, tmp_path / "site")
    folder = sorted(site.glob("doc/*/*.html"))[0].with_suffix("")
    folder.mkdir()
    (folder / "说明.txt").write_bytes("本机关咨询电话另行公布。".encode("gbk"))
    (folder / "名单.csv").write_bytes("姓名,金额\n张三,100\n".encode("gbk"))
    with nginx.serve(site, tmp_path / "nginx") as server:
        url = server.url + folder.relative_to(site).as_posix() + "/"
        text, table = fetch(url + quote("说明.txt"), server), fetch(url + quote("名单.csv"), server)
    assert (text.status, text.headers["Content-Type"], text.body) == (
        200,
        "text/plain",
        (folder / "说明.txt").read_bytes(),
    )
    assert (table.status, table.headers["Content-Type"]) == (200, "application/octet-stream")  # downloaded, not shown
    assert security_problems(text.headers) == [] and security_problems(table.headers) == []
