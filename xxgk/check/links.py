"""Links to hosts outside the allow-list: a warning, or an error when the link text or host is spam."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ..errors import ERROR
from .rules import Finding
from .spam import terms_in
from .tags import Clues, tags_to_read, tags_with

# A Markdown link or image (its "!" changes neither its text nor its URL, so the pattern starts at the "[").
_MARKDOWN = re.compile(r"\[([^\[\]\n]*)\]\(\s*<?((?:https?:)?//[^\s()<>]+)", re.IGNORECASE)
_ATTRIBUTE_URL = re.compile(
    r"""\s(href|src|action|formaction)\s*=\s*["']?\s*((?:https?:)?//[^\s"'<>]+)""", re.IGNORECASE
)
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)(\s[^<>]*)>")
_BARE = re.compile(r"https?://[^\s<>\"'()\[\]{}（）【】，。；！？、“”‘’《》]+", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")
# <link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">: a metadata vocabulary's name, never fetched.
_SCHEMA_REL = re.compile(r"""\srel\s*=\s*["']?schema\.""", re.IGNORECASE)
_ANCHOR_END = re.compile(r"</a\s*>", re.IGNORECASE)
# Every URL _ATTRIBUTE_URL takes is absolute or protocol-relative: a tag without "//" links nowhere off site.
_URL_CLUES = Clues("//")


@dataclass(frozen=True, slots=True)
class Link:
    """One link as written: where its URL starts, the URL, and the text shown for it (or where an <a>'s text
    starts in the raw text, read only when the link is reported)."""

    offset: int
    url: str
    text: str = ""
    anchor: int = -1


def find_source(raw: str, allowed_hosts: frozenset[str]) -> list[Finding]:
    """Off-site links in a document's source: Markdown links, raw HTML attributes and bare URLs."""
    links = [*_markdown_links(raw), *_tag_links(raw)]
    starts = {link.offset for link in links}
    links += [Link(m.start(), m.group()) for m in _BARE.finditer(raw) if m.start() not in starts]
    return _check(links, allowed_hosts, raw)


def find_html(raw: str, allowed_hosts: frozenset[str], candidates: list[int] | None = None) -> list[Finding]:
    """Off-site links and resources in a built page's tags (candidates, when given, are candidate_tags(raw, ...)
    worked out piece by piece by a caller that remembers them)."""
    return _check(list(_tag_links(raw, candidates)), allowed_hosts, raw)


def candidate_tags(raw: str, allowed_hosts: frozenset[str]) -> list[int]:
    """Where the start tags that hold a URL to a host not allowed begin in raw (no other tag gives a finding)."""
    allowed = _normalized(allowed_hosts)
    return [
        tag.start()
        for tag in tags_with(raw, _URL_CLUES, _TAG)
        if any(not _is_allowed_url(url, allowed) for _, url in _tag_urls(tag))
    ]


def _markdown_links(raw: str) -> Iterator[Link]:
    """Markdown links and images with an absolute or protocol-relative URL."""
    for match in _MARKDOWN.finditer(raw):
        yield Link(match.start(2), match.group(2), match.group(1))


def _tag_links(raw: str, candidates: list[int] | None = None) -> Iterator[Link]:
    """URLs in href, src and action attributes of HTML tags (not metadata vocabularies)."""
    for tag in tags_to_read(raw, _URL_CLUES, _TAG, candidates):
        anchor = tag.end() if tag.group(1).lower() == "a" else -1
        for offset, url in _tag_urls(tag):
            yield Link(offset, url, anchor=anchor)


def _tag_urls(tag: re.Match) -> Iterator[tuple[int, str]]:
    """Where each absolute or protocol-relative URL of one tag starts, and the URL (none for a vocabulary's name)."""
    if tag.group(1).lower() == "link" and _SCHEMA_REL.search(tag.group(2)):
        return
    for attribute in _ATTRIBUTE_URL.finditer(tag.group(2)):
        yield tag.start(2) + attribute.start(2), attribute.group(2)


def _anchor_text(raw: str, start: int) -> str:
    """The text of a link up to its </a> (at most 500 characters), without tags."""
    end = _ANCHOR_END.search(raw, start, start + 500)
    return _ANY_TAG.sub("", raw[start : end.start() if end else start + 500])


def _check(links: list[Link], allowed_hosts: frozenset[str], raw: str) -> list[Finding]:
    """A finding for each link whose host is not allowed."""
    allowed = _normalized(allowed_hosts)
    return [_finding(link, host_of(link.url), raw) for link in links if not _is_allowed_url(link.url, allowed)]


def _is_allowed_url(url: str, allowed: frozenset[str]) -> bool:
    """Whether a URL stays on the site: it names no host, or an allowed one (hosts from _normalized)."""
    host = host_of(url)
    return not host or is_allowed(host, allowed)


@lru_cache(maxsize=64)
def _normalized(allowed_hosts: frozenset[str]) -> frozenset[str]:
    """Allowed hosts in lower case without a leading "*." or a trailing dot (a site has one list: worked out once)."""
    return frozenset(h.strip().lower().lstrip("*.").rstrip(".") for h in allowed_hosts)


# A URL whose host is plain letters, digits, dots and hyphens, followed by nothing or a path, query or fragment:
# its host is that text in lower case, as urlsplit would give it (a page's own URLs are nearly all like this).
_PLAIN_HOST = re.compile(r"(?:https?:)?//([a-zA-Z0-9.-]+)(?:[/?#][^\t\n\r]*)?", re.ASCII)


@lru_cache(maxsize=4096)
def host_of(url: str) -> str:
    """The lower-case host of an absolute or protocol-relative URL, or "" when it has none."""
    plain = _PLAIN_HOST.fullmatch(url)
    if plain:
        return plain.group(1).lower().rstrip(".")
    try:
        host = urlsplit("http:" + url if url.startswith("//") else url).hostname
    except ValueError:
        return ""
    return (host or "").rstrip(".")


def is_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether a host is an allowed host or one of its subdomains."""
    return any(host == a or host.endswith("." + a) for a in allowed if a)


def _finding(link: Link, host: str, raw: str) -> Finding:
    """An error for a spam link, a warning for any other off-site link."""
    text = _anchor_text(raw, link.anchor) if link.anchor >= 0 else link.text
    spam = terms_in(host) + terms_in(text)
    url = link.url if len(link.url) <= 80 else link.url[:80] + "…"
    if spam:
        return Finding(
            "external-link",
            link.offset,
            f"链接 {url} 指向疑似博彩/色情网站（含“{spam[0]}”）：请删除该链接，并排查页面是否被篡改。",
            ERROR,
        )
    return Finding(
        "external-link",
        link.offset,
        f"链接 {url} 指向站外网站“{host}”：请确认链接必要且可信，"
        "可信的站点请加入配置的允许域名列表，否则请删除该链接。",
    )
