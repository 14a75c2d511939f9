"""Markdown body -> sanitised HTML, plain text and headings; the one place that decides what HTML is allowed."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.toc import remove_fnrefs, render_inner_html, slugify_unicode, strip_tags, unique
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .model import Heading

# Raw HTML in a body is allowed (editors paste tables) but only this markup survives.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# No style attribute survives, so pages satisfy a Content-Security-Policy without 'unsafe-inline' styles.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)
_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)")
_EVENT_ATTR = re.compile(r"<[^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
_URL_ATTR = re.compile(r"""(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SCRIPT_SCHEME = re.compile("(javascript|vbscript|data):")
# What a browser ignores in a URL's scheme: ASCII whitespace and control characters (WHATWG URL standard).
_URL_IGNORED = re.compile("[\x00-\x20]+")
_HEADING_TAG = re.compile("[Hh][1-6]")
_NEEDS_SERIALISING = re.compile("[&<>\x02\x03]")
_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)</h\1>', re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|table|blockquote|div|pre)>|<br\s*/?>")
# The closing signature of a 公文 (GB/T 9704-2012 §7.3.5): up to three lines naming the issuing bodies, then the
# 成文日期 (Arabic numerals, or the Chinese ones of older documents), before an optional 附注 such as （此件公开发布）.
_CN_DIGIT = "0-9〇零一二三四五六七八九十"
_SIGNATURE = re.compile(
    rf"(?P<lines>(?:<p>(?!特此|此复|此致)[^<。，,；;：:！？!?]{{2,40}}</p>\n){{0,3}}<p>[{_CN_DIGIT}]{{4}}年[{_CN_DIGIT}]{{1,2}}月[{_CN_DIGIT}]{{1,3}}日</p>)"
    r"(?P<note>\n<p>[（(][^<]{1,30}[）)]</p>)?\s*\Z"
)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A body turned into safe HTML, with its plain text, headings and what sanitising removed."""

    html: str
    text: str
    headings: tuple[Heading, ...]
    removed: tuple[str, ...]  # unsafe markup found in the source: "<script>", "onclick=", "javascript:"
    too_deep: int | None = None  # the 0-based line where nesting passed MAX_NESTING (then nothing is rendered)


# The inline patterns Python-Markdown registers with our extensions, and a character that each needs in order
# to match: `code`, \\escape, [links] and ![images] with references, <autolinks> and <html>, &entities;,
# the two-space line break, and the * and _ delimiters (read from the converter, so added ones count too).
INLINE_PATTERNS = (
    "backtick",
    "escape",
    "reference",
    "link",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
    "linebreak",
    "html",
    "entity",
    "em_strong",
)
_INLINE_NEEDS = "`\\[<&"
_LINE_BREAK = "  \n"


class _PlainTextShortcut(Treeprocessor):
    """Marks text that no inline pattern can match as atomic, so the inline processor skips it unchanged."""

    # Python-Markdown tries each of its ~14 inline patterns on every text node, which is two thirds of the
    # time it spends on a typical Chinese body; most paragraphs contain none of the characters they need.
    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        delimiters = md.delimiters.delimiters if md.delimiters is not None else {}
        self._needed = re.compile("[" + re.escape(_INLINE_NEEDS + "".join(delimiters)) + "]|" + _LINE_BREAK)

    def run(self, root) -> None:
        for element in root.iter():
            if element.text and not isinstance(element.text, AtomicString) and not self._needed.search(element.text):
                element.text = AtomicString(element.text)
            if element.tail and not isinstance(element.tail, AtomicString) and not self._needed.search(element.tail):
                element.tail = AtomicString(element.tail)


class _HeadingAnchors(Treeprocessor):
    """Gives every heading the id the toc extension would (Chinese kept), without building a table of contents."""

    # The toc extension also assembles, serialises and post-processes a table of contents on every body, a
    # quarter of its conversion time; pages build theirs from the headings, so only the ids are wanted.
    def run(self, root) -> None:
        used = {element.attrib["id"] for element in root.iter() if "id" in element.attrib} | PAGE_IDS
        counters: dict[str, int] = {}
        for element in root.iter():
            if isinstance(element.tag, str) and _HEADING_TAG.match(element.tag) and "id" not in element.attrib:
                element.attrib["id"] = unique(slugify_unicode(self._name(element), "-"), used, counters)

    def _name(self, heading) -> str:
        # A heading of plain text (no markup, nothing to escape or restore) is its own name; serialising it
        # and running every post-processor, as toc does for all headings, would give the same words.
        text = heading.text or ""
        if not len(heading) and not _NEEDS_SERIALISING.search(text):
            return " ".join(text.split())
        return html.unescape(strip_tags(render_inner_html(remove_fnrefs(heading), self.md)))


class MarkdownRenderer:
    """Converts Markdown bodies; keep one per process (building the converter is the costly part)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists"],
            # Table alignment as align="…" rather than style="text-align: …" keeps pages free of inline styles.
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html",
        )
        # Just before the inline processor (priority 20), which it spares most of its work.
        self._md.treeprocessors.register(_PlainTextShortcut(self._md), "plain_text_shortcut", 20.5)
        # Where the toc extension runs: after inline markup, before the unescape processor.
        self._md.treeprocessors.register(_HeadingAnchors(self._md), "heading_anchors", 5)

    def render(self, source: str) -> Rendered:
        """Render Markdown to sanitised HTML; never raises for any input text, and refuses too deep nesting."""
        deep = too_deep(source)
        if deep is not None:
            return Rendered("", "", (), (), too_deep=deep)
        raw = self._md.reset().convert(source)
        clean = mark_signature(_own_ids_kept(_CLEANER.clean(raw)))
        return Rendered(clean, to_text(clean), headings_of(clean), unsafe_markup(raw) if _may_be_unsafe(source) else ())


# Python-Markdown nests lists and quotes by recursion, and its time grows with the square of the depth:
# 200 levels take a second, 1,000 exhaust the stack after a minute. No real document nests past a handful.
MAX_NESTING = 20
_NESTING_MARK = re.compile(r"(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))[ \t]*")


def too_deep(source: str) -> int | None:
    """The 0-based line of source where lists and quotes nest deeper than MAX_NESTING, or None."""
    for offset, line in enumerate(source.split("\n")):
        if len(line) < MAX_NESTING:  # a line this short cannot open more levels than it has characters
            continue
        text = line.expandtabs(4)
        rest = text.lstrip(" ")
        depth = (len(text) - len(rest)) // 4
        marks = 0
        while (match := _NESTING_MARK.match(rest)) is not None and depth + marks <= MAX_NESTING:
            marks += 1
            rest = rest[match.end() :]
        if marks and depth + marks > MAX_NESTING:
            return offset
    return None


# The ids the page around a body uses (templates/*.html): a heading `## main` must not take one of them and
# capture the skip link or a script's element. A test keeps this list in step with the templates.
PAGE_IDS = frozenset(
    {
        "UCAP-CONTENT",
        "attachments-heading",
        "browse-heading",
        "columns-heading",
        "fubiao",
        "fuyisusong",
        "interpretations-heading",
        "latest-heading",
        "main",
        "original-heading",
        "qita",
        "search-box-q",
        "search-category",
        "search-publisher",
        "search-q",
        "search-tips",
        "search-year",
        "toc-heading",
        "wenti",
        "yishenqing",
        "zhudong",
        "zongti",
        # the generated 指南, 依申请公开 and 制度 pages (templates/partials/guide.html, application.html, national_rules.html)  # noqa: E501
        "application-title",
        "apply-content",
        "apply-fee",
        "apply-how",
        "apply-time",
        "apply-who",
        "form-title",
        "guide-active",
        "guide-application",
        "guide-office",
        "guide-redress",
        "guide-title",
        "national-rules-title",
        # the header's reading aids and menu, the phone's metadata fold, 返回顶部's target
        "care-mode",
        "font-size-label",
        "font-large",
        "font-medium",
        "font-small",
        "nav-toggle",
        "site-nav",
        "top",
        "meta-more",
        # the search page's further filters, the 二级分类 links, the 网站地图 and 订阅 pages
        "search-genre",
        "search-validity",
        "search-dates-label",
        "search-from",
        "search-to",
        "search-sort",
        "sublinks-heading",
        "sitemap-main",
        "subscribe-data",
        "subscribe-feeds",
    }
)
_ID_ATTR = re.compile(r' id="([^"]*)"')


def _own_ids_kept(clean_html: str) -> str:
    """Rename an id written in a body's raw HTML that the page itself uses (`<h2 id="main">`)."""
    if not any(found in PAGE_IDS for found in _ID_ATTR.findall(clean_html)):
        return clean_html
    used = set(_ID_ATTR.findall(clean_html)) | PAGE_IDS
    counters: dict[str, int] = {}

    def rename(match: re.Match) -> str:
        name = match.group(1)
        return f' id="{unique(name, used, counters)}"' if name in PAGE_IDS else match.group(0)

    return _ID_ATTR.sub(rename, clean_html)


def mark_signature(clean_html: str) -> str:
    """Wrap a body's closing 署名 and 成文日期 in <div class="signature">, which the stylesheet right-aligns."""
    # Added after sanitising: the class is ours, editors cannot set one (no class attribute survives nh3).
    return _SIGNATURE.sub(
        lambda m: f'<div class="signature">\n{m["lines"]}\n</div>{m["note"] or ""}\n', clean_html, count=1
    )


def _may_be_unsafe(source: str) -> bool:
    # Unsafe markup needs a raw tag, a character reference or a script/data URL in the source; most bodies
    # have none, which spares them the scan (the sanitiser runs on every body regardless).
    lowered = source.lower()
    return "<" in source or "&" in source or "script:" in lowered or "data:" in lowered


def unsafe_markup(raw_html: str) -> tuple[str, ...]:
    """Name the disallowed tags, event handlers and script URLs (however encoded) in HTML before sanitising."""
    found = {f"<{t.lower()}>" for t in _TAG.findall(raw_html) if t.lower() not in ALLOWED_TAGS}
    found |= {f"{a.lower()}=" for a in _EVENT_ATTR.findall(raw_html)}
    found |= {f"{scheme}:" for value in _URL_ATTR.findall(raw_html) if (scheme := script_scheme("".join(value)))}
    return tuple(sorted(found))


def script_scheme(url: str) -> str | None:
    """ "javascript", "vbscript" or "data" when a browser would run url as one: after decoding character references
    (`&#106;`, `&colon;`) and dropping the whitespace and controls it ignores (`jav&#x09;ascript:`)."""
    plain = _URL_IGNORED.sub("", html.unescape(url)).lower()
    match = _SCRIPT_SCHEME.match(plain)
    return match.group(1) if match else None


def line_of(markup: str, source: str) -> int:
    """The 0-based line of source where a name from unsafe_markup() appears, however it was encoded; else 0."""
    needle = markup.rstrip(">")
    for offset, line in enumerate(source.split("\n")):
        if needle in _URL_IGNORED.sub("", html.unescape(line)).lower():
            return offset
    return 0


def headings_of(clean_html: str) -> tuple[Heading, ...]:
    """The h2-h4 headings with their anchors, in document order."""
    return tuple(
        Heading(int(level), anchor, html.unescape(_ANY_TAG.sub("", inner)).strip())
        for level, anchor, inner in _HEADING.findall(clean_html)
        if level in "234"
    )


def to_text(clean_html: str) -> str:
    """Plain text of sanitised HTML, one line per block, for search and summaries."""
    text = _BLOCK_END.sub("\n", clean_html)
    text = html.unescape(_ANY_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
