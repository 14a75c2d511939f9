"""Property tests: whatever an editor types, the reader reports problems and never crashes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk.config import load_config
from xxgk.content import parse_document
from xxgk.frontmatter import KNOWN_KEYS
from xxgk.markup import MarkdownRenderer
from xxgk.taxonomy import load_tree

from .conftest import GOOD_DOC, MINIMAL_CONFIG, write_config

RENDERER = MarkdownRenderer()
TREE = load_tree()

keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=8))
scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "no",
            "yes",
            "0012",
            "1.10",
            "2019-02-30",
            "2019-03-06",
            "~",
            "null",
            "[]",
            "{}",
            "'",
            '"',
            "- x",
            ": x",
            "&a",
            "*a",
        ]
    ),
)
lines = st.lists(st.tuples(keys, scalars).map(lambda kv: f"{kv[0]}: {kv[1]}"), max_size=12)


def config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("cfg"), MINIMAL_CONFIG))


def check(text: str, cfg) -> None:
    parsed, problems = parse_document(text, "content/a.md", cfg, TREE, RENDERER)
    assert parsed is not None or any(p.is_error for p in problems)
    for problem in problems:
        assert problem.path == "content/a.md" and problem.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=lines, body=st.text(max_size=200))
def test_random_front_matter_never_crashes(tmp_path_factory, front, body):
    check("---\n" + "\n".join(front) + "\n---\n" + body, config(tmp_path_factory))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=st.sampled_from(list("<>/\"'=&#;:[]()!*_`|-\n 信息公开abcjsvrpt123")), max_size=300))
def test_random_markdown_never_crashes_and_stays_clean(tmp_path_factory, body):
    rendered = RENDERER.render(body)
    assert "<script" not in rendered.html.lower() and "javascript:" not in rendered.html.lower()
    check(GOOD_DOC + body, config(tmp_path_factory))
