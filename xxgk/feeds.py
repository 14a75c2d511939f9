"""Machine-readable discovery files: sitemap (an index past 30,000 URLs), Atom feeds and robots.txt."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from .config import Config
from .model import Document, Listing, Output, Site

SITEMAP_LIMIT = 30_000  # Zola's threshold; the protocol allows 50,000 per file
FEED_ENTRIES = 20


def discovery_files(site: Site, config: Config, extra_pages: list[tuple[str, str]] = ()) -> list[Output]:
    """sitemap.xml (or an index of sitemaps) of the site's pages and extra_pages, every Atom feed, and robots.txt."""
    return [*sitemaps(site, config, list(extra_pages)), *feeds(site, config), robots(config)]


def page_paths(site: Site) -> list[tuple[str, str]]:
    """(site path, lastmod) of every HTML page, in a stable order."""
    listings: list[Listing] = [site.catalog, *site.columns, *(t for f in site.facets for t in f.terms)]
    newest = site.documents[0].published.isoformat() if site.documents else ""
    pages = [("index.html", newest), *((f.url, newest) for f in site.facets)]
    pages += [
        (p.url, p.documents[0].published.isoformat() if p.documents else newest) for lst in listings for p in lst.pages
    ]
    pages += [(d.path, d.published.isoformat()) for d in site.documents]
    return pages


def sitemaps(site: Site, config: Config, extra_pages: list[tuple[str, str]] = ()) -> list[Output]:
    """One sitemap.xml, or sitemap-N.xml files under a sitemap.xml index when there are too many URLs."""
    pages = page_paths(site) + list(extra_pages)
    if len(pages) <= SITEMAP_LIMIT:
        return [Output("sitemap.xml", _urlset(pages, config))]
    parts = [pages[i : i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
    files = [Output(f"sitemap-{n}.xml", _urlset(part, config)) for n, part in enumerate(parts, start=1)]
    index = "".join(f"<sitemap><loc>{escape(config.base_url + f.dest)}</loc></sitemap>\n" for f in files)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    return [*files, Output("sitemap.xml", (head + index + "</sitemapindex>\n").encode("utf-8"))]


def _urlset(pages: Iterable[tuple[str, str]], config: Config) -> bytes:
    rows = "".join(
        f"<url><loc>{escape(config.base_url + path.removesuffix('index.html'))}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</url>\n"
        for path, lastmod in pages
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    return (head + rows + "</urlset>\n").encode("utf-8")


def feeds(site: Site, config: Config) -> list[Output]:
    """feed.xml for the newest disclosures, and one beside each 发布机构 and 主题分类 listing."""
    outputs = [_feed("feed.xml", config.site_name, list(site.documents), config)]
    for facet in site.facets:
        if facet.kind in ("publisher", "category"):
            outputs += [
                _feed(feed_path(term), f"{term.title} - {config.site_name}", list(term.pages[0].documents), config)
                for term in facet.terms
            ]
    return outputs


def feed_path(listing: Listing) -> str:
    """The Atom feed that sits beside a listing's first page."""
    return listing.url.removesuffix("index.html") + "feed.xml"


def _feed(dest: str, title: str, documents: list[Document], config: Config) -> Output:
    entries = documents[:FEED_ENTRIES]
    # The feed changes only when its documents do: no build time in it, so equal input gives equal bytes.
    updated = f"{entries[0].published.isoformat()}T00:00:00+08:00" if entries else "1970-01-01T00:00:00Z"
    body = "".join(_entry(doc, config) for doc in entries)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
        f"<title>{escape(title)}</title>\n<id>{escape(config.base_url + dest)}</id>\n"
        f'<link rel="self" href={quoteattr(config.base_url + dest)}/>\n'
        f'<link rel="alternate" type="text/html" href={quoteattr(config.base_url)}/>\n'
        f"<updated>{updated}</updated>\n"
        f"<author><name>{escape(config.footer.sponsor or config.site_name)}</name></author>\n"
        f"{body}</feed>\n"
    )
    return Output(dest, xml.encode("utf-8"))


def _entry(doc: Document, config: Config) -> str:
    url = config.base_url + doc.path
    stamp = f"{doc.published.isoformat()}T00:00:00+08:00"
    summary = doc.summary or doc.body_text[:200]
    return (
        f"<entry><title>{escape(doc.title)}</title><id>{escape(url)}</id>"
        f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>'
        f"<published>{stamp}</published><updated>{stamp}</updated>"
        f"<author><name>{escape(doc.publisher)}</name></author>"
        + (f"<category term={quoteattr(doc.category)}/>" if doc.category else "")
        + f"<summary>{escape(summary)}</summary></entry>\n"
    )


def robots(config: Config) -> Output:
    """Allow every crawler and point it at the sitemap."""
    return Output("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode())
