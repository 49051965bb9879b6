"""Markdown rendering: features, code highlighting and safety by construction."""

from __future__ import annotations

import importlib
import logging
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import helpers as markdown_it_helpers
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import inline as markdown_it_inline

from builder.markdown import render_markdown, safe_url
from builder.markdown.convert import _parser
from builder.markdown.fast.block import CORE_GATES, FIRST_CHARACTER_RULE
from builder.markdown.fast.inline import BY_CHARACTER_RULE
from builder.markdown.fast.renderer import QuickRenderer

STARTER = Path(__file__).resolve().parents[2] / "content_templates"

DANGEROUS_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
]


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("source", DANGEROUS_LINKS)
def test_dangerous_link_schemes_never_become_links(source: str, allow_html: bool) -> None:
    html = render_markdown(source, allow_html=allow_html).html.lower()
    assert "href=" not in html and "src=" not in html, html


def test_safe_url_rejects_obfuscated_schemes() -> None:
    assert not safe_url(" \x01JAVAscript:alert(1)")
    assert not safe_url("data:image/png;base64,AAAA")
    assert not safe_url("&#x6a;avascript:alert(1)")
    assert safe_url("https://example.com/a?b=javascript:")
    assert safe_url("/posts/hello/")


def test_normal_links_still_work() -> None:
    html = render_markdown("[docs](https://example.com/docs) and [home](/)").html
    assert '<a href="https://example.com/docs">docs</a>' in html
    assert '<a href="/">home</a>' in html


def test_raw_html_is_escaped_by_default() -> None:
    html = render_markdown(
        'Hi <script>alert(1)</script> <b onclick="x()">b</b>\n\n<div>block</div>'
    ).html
    assert "<script" not in html and "<b " not in html and "<div>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;div&gt;block&lt;/div&gt;" in html


def test_allowed_html_is_sanitised() -> None:
    source = (
        'Keep <b>bold</b> and <kbd>Ctrl</kbd>, drop <b onclick="steal()">handlers</b>,\n'
        '<a href="javascript:alert(1)">js links</a> and <img src=x onerror="alert(1)">.\n\n'
        '<script>alert(1)</script>\n\n<iframe src="https://evil.example"></iframe>\n\n'
        '<div id="comments" style="position:fixed">clobber</div>\n'
    )
    html = render_markdown(source, allow_html=True).html
    assert "<b>bold</b>" in html and "<kbd>Ctrl</kbd>" in html
    assert "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html
    assert "<script" not in html and "alert(1)</script>" not in html
    assert "<iframe" not in html
    assert "<div>clobber</div>" in html  # no id (DOM clobbering), no style


def test_extensions_render() -> None:
    source = """\
| a | b |
|--:|---|
| 1 | ~~2~~ |

- [x] done
- [ ] todo

Term
: Definition

!!! note "Heads up"
    Inside.

Text.[^1]

[^1]: The note.
"""
    html = render_markdown(source).html
    assert '<th style="text-align:right">a</th>' in html
    assert "<s>2</s>" in html
    assert 'checked="checked" disabled="disabled" type="checkbox"> done' in html
    assert "<dt>Term</dt>\n<dd>Definition</dd>" in html
    assert '<div class="admonition note">\n<p class="admonition-title">Heads up</p>' in html
    assert '<li id="fn1" class="footnote-item"><p>The note.' in html


def test_heading_ids_are_stable_unique_and_linked() -> None:
    result = render_markdown("# Intro\n\n## Intro\n\n## Café & `code`!\n\n### ???\n")
    assert [h.anchor for h in result.headings] == ["intro", "intro-1", "café-code", "section"]
    assert [h.level for h in result.headings] == [1, 2, 2, 3]
    assert '<h2 id="intro-1">Intro <a class="heading-anchor" href="#intro-1"' in result.html
    assert result.headings[2].text == "Café & code!"


def test_summary_is_first_paragraph_without_footnotes() -> None:
    result = render_markdown("# Title\n\nFirst *para*.[^n]\n\nSecond.\n\n[^n]: note\n")
    assert result.summary_html == "First <em>para</em>."


def test_word_count_counts_text_and_code() -> None:
    assert render_markdown("One two three.\n\n```\nfour five\n```\n").word_count == 5


def test_code_is_highlighted_with_line_numbers_and_highlighted_lines() -> None:
    source = '```python {linenos=true hl_lines="2"}\na = 1\nb = 2\n```\n'
    result = render_markdown(source)
    assert result.html.startswith('<div class="highlight"><table class="highlighttable">')
    assert '<td class="linenos">' in result.html
    assert '<span class="hll"><span class="n">b</span>' in result.html
    assert result.warnings == ()


def test_unknown_language_is_plain_code_and_a_warning() -> None:
    result = render_markdown("Text.\n\n```klingon\nx < y\n```\n")
    assert '<pre><code class="language-klingon">x &lt; y\n</code></pre>' in result.html
    assert len(result.warnings) == 1
    line, message = result.warnings[0]
    assert line == 3 and "unknown code language `klingon`" in message


def test_bad_fence_options_warn_but_render() -> None:
    result = render_markdown('```python {hl_lines="x-2" wrap=1}\npass\n```\n')
    assert "highlight" in result.html
    messages = [m for _, m in result.warnings]
    assert any("hl_lines" in m for m in messages)
    assert any("unknown code fence option `wrap`" in m for m in messages)


def test_rendering_is_deterministic() -> None:
    source = "# A\n\n- [ ] x\n\nText[^a]\n\n[^a]: b\n\n```python\nx = 1\n```\n"
    assert render_markdown(source).html == render_markdown(source).html


def test_unsafe_links_are_defused_even_if_validation_is_bypassed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the second line of defence: a plugin or a bug letting a link past validateLink
    monkeypatch.setattr(_parser(False), "validateLink", lambda url: True)
    html = render_markdown("[x](javascript:alert(1)) ![y](data:image/png;base64,AA)").html
    assert "javascript:" not in html and "data:" not in html
    assert "<a>x</a>" in html


# Lines of every block construct the parser knows, and inline text using every inline one:
# the rules of builder.markdown.fast.block and fast.inline must change no output,
# whatever follows what.
_LINES = (
    "Plain words", "word | other", "|---|---|", "--|--", "===", "---", ": a definition",
    "~ a definition", "- item", "* item", "1. item", "2) item", "> quoted", "    indented",
    "\tTabbed", "```python", "```", "~~~", "!!! note", "??? tip", "[^1]: a note", "[a]: /url",
    "# Heading", "## Sub", "<div>", "***", "", "", "  Two spaces", "Text with *em* and `code`",
    "A[^1] footnote", "Term", "Z", "x", "- [ ] task", "- [x] done", "* [X] Done", "Windows\r",
    "a\rb", "- [ ]\r", "&copy; \\*", "nul\0", "9. nine", "0) zero", "+ plus", "___", "_ _ _",
    "* * *", "#NoSpace", "<!-- c -->", "[^n]", "|a|b|", ":-:|", ".dot", "2025 was", "'quote",
)  # fmt: skip
_INLINE = (
    "a", "b ", " ", "\n", "!", "![", "[", "]", "(", ")", "*", "_", "`", "-", ":", "#", "$",
    ">", "<", "~", "~~", "^", "[^", "^[", "&amp;", "&", "\\", "=", "@", "{", "}", "**", "__",
    "http://x.y", "<http://a.b>", "<b>", "](/u)", "](javascript:x)", '"t"', "  \n", "[a]",
    "\r\n", "\r", "\0", "[ ] ", "[X]\t", "&#42;", "](/a(b)c)", "](<a b>)", "](a\\)b)", "](a b)",
    '](/x "t")', "](/p?q=1&amp;r)", "](", "](\t/t)", "](/é)", "](/x\x7fy)", "]()", "](<>)",
)  # fmt: skip


def _fast_and_plain(allow_html: bool) -> tuple[Any, Any]:
    fast = _parser.__wrapped__(allow_html)
    plain = _parser.__wrapped__(allow_html)
    assert FIRST_CHARACTER_RULE in fast.block.ruler.get_active_rules()
    assert BY_CHARACTER_RULE in fast.inline.ruler.get_active_rules()
    core = {rule.name: rule.fn for rule in fast.core.ruler.__rules__}
    assert core["inline"] is not markdown_it_inline  # builder.markdown.fast.inline's
    plain.block.ruler.disable(FIRST_CHARACTER_RULE)
    plain.inline.ruler.disable(BY_CHARACTER_RULE)
    assert "tokenize" in vars(fast.inline)  # builder.markdown.fast.inline's loop
    del plain.inline.tokenize  # markdown-it's own
    assert "skipToken" in vars(fast.inline)  # builder.markdown.fast.inline's
    del plain.inline.skipToken
    assert fast.helpers is not markdown_it_helpers
    plain.helpers = markdown_it_helpers
    plain.core.ruler.at("inline", markdown_it_inline)  # markdown-it's own
    assert type(fast.renderer) is QuickRenderer
    plain.renderer.__class__ = RendererHTML  # markdown-it's own loops, same rules
    for name in CORE_GATES:  # the core rules themselves, not their gates
        assert hasattr(core[name], "__wrapped__"), name
        plain.core.ruler.at(name, core[name].__wrapped__)
    return fast, plain


@pytest.mark.parametrize("allow_html", [False, True])
def test_speed_rules_change_no_output(allow_html: bool) -> None:
    fast, plain = _fast_and_plain(allow_html)
    rng = random.Random(6)
    for _ in range(3000):
        lines = [rng.choice(_LINES) for _ in range(rng.randint(1, 12))]
        indent = "  " * rng.randint(0, 2)
        text = "\n".join(indent + line if rng.random() < 0.3 else line for line in lines)
        assert fast.render(text, _env()) == plain.render(text, _env()), text
        text = "".join(rng.choice(_INLINE) for _ in range(rng.randint(1, 30)))
        assert fast.render(text, _env()) == plain.render(text, _env()), text
    for path in sorted(STARTER.rglob("*.md")):  # the starter site's posts and archetypes
        text = path.read_text(encoding="utf-8")
        assert fast.render(text, _env()) == plain.render(text, _env()), path


def _env() -> dict[str, Any]:
    return {"headings": [], "warnings": [], "memo": None, "fences": []}


def test_quick_renderer_keeps_a_replaced_text_rule() -> None:
    md = _parser.__wrapped__(False)
    md.add_render_rule("text", lambda self, tokens, idx, options, env: tokens[idx].content.upper())
    assert md.render("Some *loud* words", _env()) == "<p>SOME <em>LOUD</em> WORDS</p>\n"


def _words_by_walking(text: str, allow_html: bool) -> int:
    """The word count as defined: the text and inline code of every inline token (not an
    image's alt text) and every code block, split at white space."""
    texts: list[str] = []
    for token in _parser(allow_html).parse(text, _env()):
        if token.type == "inline":
            texts += [c.content for c in token.children or () if c.type in {"text", "code_inline"}]
        elif token.type in {"fence", "code_block"}:
            texts.append(token.content)
    return len(" ".join(texts).split())


@pytest.mark.parametrize("allow_html", [False, True])
def test_renderer_counts_the_words_of_every_construct(allow_html: bool) -> None:
    rng = random.Random(7)
    texts = [path.read_text(encoding="utf-8") for path in sorted(STARTER.rglob("*.md"))]
    for _ in range(1000):
        lines = [rng.choice(_LINES) for _ in range(rng.randint(1, 12))]
        texts.append("\n".join(lines).replace("item", "item ![alt words](/i.png) `co de`"))
        texts.append("".join(rng.choice(_INLINE) for _ in range(rng.randint(1, 30))))
    for text in texts:
        expected = _words_by_walking(text, allow_html)
        assert render_markdown(text, allow_html=allow_html).word_count == expected, text


def test_the_builder_leaves_the_api_comment_renderer_as_markdown_it_has_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The builder's speed-ups (its block rules' debug logging dropped among them) are its
    parser's own: the API's comment renderer, in the same process, still logs and renders
    as plain markdown-it."""
    from markdown_it import MarkdownIt

    from interactions_api.services import markup

    text = "# Title\n\nSome *words*\n\n- item\n\n> quoted\n\n    code\n"
    render_markdown(text)  # the builder's parser, made and used
    paragraph = importlib.import_module("markdown_it.rules_block.paragraph")
    assert isinstance(paragraph.LOGGER, logging.Logger)
    builders = {rule.name: rule.fn for rule in _parser(False).block.ruler.__rules__}
    assert not isinstance(builders["paragraph"].__globals__["LOGGER"], logging.Logger)  # quiet
    with caplog.at_level(logging.DEBUG, logger="markdown_it"):
        html = markup.render(text)
    ruled = {record.name for record in caplog.records}
    assert {"markdown_it.rules_block.paragraph", "markdown_it.rules_block.list"} <= ruled
    plain = MarkdownIt("commonmark").render(text).replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    assert html == plain.strip()


# A grammar of Markdown documents: blocks nested in quotes and list items, each holding
# inline text built from every inline construct, so that hypothesis finds documents the
# line shuffling above cannot make (a fence inside an item inside a quote, a table whose
# cells hold links, a reference defined after its use).
_WORD = st.sampled_from(["word", "Other", "é✓", "x_y", "a*b", "2025", "&amp;", "&copy", "\\*"])
_SPAN = st.one_of(
    _WORD,
    st.sampled_from(["*", "_", "**", "`", "[", "]", "(", ")", "<", ">", "!", "~~", "\\", "  \n"]),
    _WORD.map(lambda w: f"*{w}*"),
    _WORD.map(lambda w: f"__{w}__"),
    _WORD.map(lambda w: f"`{w}`"),
    _WORD.map(lambda w: f"~~{w}~~"),
    st.tuples(_WORD, st.sampled_from(["/a", "/b c", "<x y>", "javascript:x", '/t "t"'])).map(
        lambda p: f"[{p[0]}]({p[1]})"
    ),
    _WORD.map(lambda w: f"![{w}](/i.png)"),
    st.sampled_from(["[ref]", "[^1]", "<http://a.b>", "<b>x</b>", "<!-- c -->", "&#42;"]),
)
_INLINE_TEXT = st.lists(_SPAN, min_size=1, max_size=8).map(" ".join)
_LEAF = st.one_of(
    _INLINE_TEXT,
    _INLINE_TEXT.map(lambda t: "# " + t),
    _INLINE_TEXT.map(lambda t: t + "\n---"),
    st.tuples(st.sampled_from(["```", "~~~"]), st.sampled_from(["", "python", "js {1}"])).map(
        lambda f: f"{f[0]}{f[1]}\nif a < b:\n    x = '&'\n{f[0]}"
    ),
    _INLINE_TEXT.map(lambda t: "    indented " + t),
    st.tuples(_INLINE_TEXT, _INLINE_TEXT).map(lambda c: f"| {c[0]} | b |\n|---|:-:|\n| {c[1]} | |"),
    _INLINE_TEXT.map(lambda t: f"Term\n: {t}"),
    _INLINE_TEXT.map(lambda t: f"!!! note\n    {t}"),
    st.sampled_from(["[ref]: /r 'title'", "[^1]: the note", "<div>\nraw\n</div>", "***"]),
    st.sampled_from(["- [ ] task", "- [x] done"]),
)


def _indent(prefix: str, block: str) -> str:
    lines = block.split("\n")
    rest = " " * len(prefix) if not prefix.startswith(">") else ">"
    return "\n".join([prefix + lines[0], *(rest + " " + line for line in lines[1:])])


_BLOCKS = st.recursive(
    _LEAF,
    lambda inner: st.tuples(st.sampled_from(["> ", "- ", "* ", "1. ", "3) "]), inner).map(
        lambda p: _indent(*p)
    ),
    max_leaves=6,
)
_DOCUMENTS = st.lists(
    st.tuples(_BLOCKS, st.sampled_from(["\n\n", "\n"])), min_size=1, max_size=6
).map(lambda parts: "".join(block + gap for block, gap in parts))


@pytest.mark.parametrize("allow_html", [False, True])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_DOCUMENTS)
def test_speed_rules_change_no_output_on_generated_documents(text: str, allow_html: bool) -> None:
    fast, plain = _FAST_AND_PLAIN[allow_html]
    assert fast.render(text, _env()) == plain.render(text, _env())


_FAST_AND_PLAIN = {allow_html: _fast_and_plain(allow_html) for allow_html in (False, True)}


def test_speed_rules_change_no_output_on_the_projects_own_documents() -> None:
    """Every Markdown file of the project (README, docs, the starter site), long and
    varied, rendered whole: the fast path must give the plain libraries' HTML."""
    root = STARTER.parent
    paths = [root / "README.md", *sorted((root / "docs").rglob("*.md")), *STARTER.rglob("*.md")]
    assert len(paths) > 5
    for allow_html in (False, True):
        fast, plain = _FAST_AND_PLAIN[allow_html]
        for path in paths:
            text = path.read_text(encoding="utf-8")
            assert fast.render(text, _env()) == plain.render(text, _env()), path
