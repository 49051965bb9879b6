"""Markdown to safe HTML: one reusable renderer for posts, the API and the inbox preview.

Safe by construction: raw HTML is escaped unless `allow_html`, in which case the whole
output goes through nh3 with an allow-list; javascript:/vbscript:/data:/file: links never
become links.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape
from typing import TYPE_CHECKING, Any

from builder.markdown.errors import from_library
from builder.markdown.fast import WORDS, quick_renderer, speed_up_parser
from builder.model import Heading

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

# markdown-it, its plugins, nh3 and Pygments are imported where Markdown is rendered: a
# build that renders no Markdown (nothing changed) and the modules that only need
# `safe_url`/`slugify` (config, collect) do not pay for importing them.

_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")

# What the renderer itself emits; user HTML (allow_html) is cut down to this.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "input", "kbd", "li", "mark", "ol", "p", "pre", "s", "section", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
# `id` only where the renderer puts one (headings, footnotes): less room for DOM clobbering
_ATTRIBUTES = {
    "*": {"class", "title", "lang", "aria-label", "aria-hidden"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "li": {"id"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"checked", "disabled"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
}


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """A Markdown text rendered to HTML, with what templates and reports need."""

    html: str
    summary_html: str  # the first paragraph, without footnote references
    headings: tuple[Heading, ...]
    word_count: int
    warnings: tuple[tuple[int | None, str], ...] = ()  # (1-based line in the text, message)
    # each highlighted code block: (fence_key, start, end) of its HTML within `html`
    fences: tuple[tuple[str, int, int], ...] = ()


# A code block's highlighted HTML by its fence_key, when known from an earlier build.
FenceMemo = Callable[[str], str | None]


def fence_key(info: str, code: str) -> str:
    """What a code block's HTML is a function of (its fence line and its code)."""
    return hashlib.sha256(f"{info}\0{code}".encode()).hexdigest()[:32]


def safe_url(url: str) -> bool:
    """False for URLs whose scheme could run code (javascript:, vbscript:, data:, file:)."""
    cleaned = _CONTROL.sub("", unescape(url)).lower()
    return not cleaned.startswith(_BAD_SCHEMES)


_LINKS = 8192  # distinct link targets remembered per process (see _parser)
_link_is_safe = lru_cache(maxsize=_LINKS)(safe_url)


def slugify(text: str) -> str:
    """A URL- and id-safe slug: lowercase words joined by hyphens, Unicode letters kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-")


def render_markdown(
    text: str, *, allow_html: bool = False, fences: FenceMemo | None = None
) -> RenderedMarkdown:
    """Render Markdown to safe HTML, collecting headings, a summary and warnings.

    `fences`: code blocks highlighted by an earlier build (a post edited around its code
    costs no Pygments work, not even loading a lexer).
    Raises builder.markdown.errors.MarkdownError (with the line) when a Markdown library
    fails on the text.
    """
    try:
        return _render(text, allow_html, fences)
    except Exception as exc:  # markdown-it, a plugin, Pygments or nh3 failed: say where
        raise from_library(exc) from exc


def _render(text: str, allow_html: bool, fences: FenceMemo | None) -> RenderedMarkdown:
    md = _parser(allow_html)
    env: dict[str, Any] = {"headings": [], "warnings": [], "memo": fences, "fences": []}
    tokens = md.parse(text, env)
    words: list[str] = []
    html = md.renderer.render(tokens, md.options, {**env, WORDS: words})  # fills `words`
    summary = _summary(md, tokens, env)
    if allow_html:
        html, summary = _sanitise(html), _sanitise(summary)
    return RenderedMarkdown(
        html=html,
        summary_html=summary,
        headings=tuple(env["headings"]),
        # words as a reader counts them: runs of non-space characters (one str.split over
        # all of them runs in C, several times faster than a word regex or a split each)
        word_count=len(" ".join(words).split()),
        warnings=tuple(env["warnings"]),
        fences=_placed(html, env["fences"]),
    )


def _placed(html: str, fences: list[tuple[str, str]]) -> tuple[tuple[str, int, int], ...]:
    """Where each code block's HTML is in the page's (in order; skipped when the
    sanitiser changed it)."""
    found, at = [], 0
    for key, block in fences:
        start = html.find(block, at)
        if start >= 0:
            at = start + len(block)
            found.append((key, start, at))
    return tuple(found)


def render_inline(text: str) -> str:
    """Render one line of Markdown (a front matter summary) without raw HTML; raises
    MarkdownError when a Markdown library fails on it."""
    md = _parser(False)
    try:
        return str(md.renderInline(text, {"headings": [], "warnings": []}))
    except Exception as exc:
        raise from_library(exc) from exc


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt(
        "commonmark", {"html": allow_html, "typographer": False}, renderer_cls=quick_renderer()
    )
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(admon_plugin)
    # A site's posts link to the same addresses again and again (its own pages, the docs
    # they cite): normalising one (parse, punycode, percent-encoding) costs about 15 µs,
    # looking it up far less. Both are functions of the URL alone.
    md.validateLink = _link_is_safe  # type: ignore[method-assign]
    md.normalizeLink = lru_cache(maxsize=_LINKS)(md.normalizeLink)  # type: ignore[method-assign]
    md.core.ruler.push("quire_anchors", _anchors)
    md.core.ruler.push("quire_safe_links", _defuse_links)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_fence)
    speed_up_parser(md)  # last: the speed-ups need the whole chains of rules
    return md


def _anchors(state: StateCore) -> None:
    """Give every heading a stable unique id and a `#` link shown on hover."""
    from markdown_it.token import Token

    used: set[str] = set()
    # per slug, the number its next duplicate tries first: `used` only grows, so the
    # numbers tried before are still taken (linear, not a scan from 1 per duplicate)
    next_number: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text = "".join(
            child.content
            for child in inline.children or ()
            if child.type in {"text", "code_inline"}
        )
        base = slugify(text) or "section"
        n = next_number.get(base, 0)
        anchor, n = (f"{base}-{n}", n + 1) if n else (base, 1)
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        next_number[base] = n
        used.add(anchor)
        token.attrSet("id", anchor)
        state.env["headings"].append(Heading(int(token.tag[1]), text, anchor))
        link = Token("html_inline", "", 0)
        link.content = (
            f' <a class="heading-anchor" href="#{anchor}" '
            f'aria-label="Link to this section: {escape(text)}">#</a>'
        )
        inline.children = [*(inline.children or ()), link]


def _defuse_links(state: StateCore) -> None:
    """Belt and braces behind validateLink: no unsafe href/src survives, whatever made it."""
    for token in state.tokens:
        for child in token.children or ():
            if not child.attrs:  # most inline tokens (text, emphasis...) carry none
                continue
            for attr in ("href", "src"):
                value = child.attrGet(attr)
                if value is not None and not _link_is_safe(str(value)):
                    child.attrs.pop(attr, None)


def _render_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    key = fence_key(token.info, token.content)
    known: str | None = env["memo"](key) if env.get("memo") else None
    if known is not None:  # only blocks that gave no warning are remembered
        env["fences"].append((key, known))
        return known
    from builder.markdown.highlight import highlight_code, parse_fence_info

    info = parse_fence_info(unescape(token.info) if token.info else "")
    line = token.map[0] + 1 if token.map else None
    for problem in info.problems:
        env["warnings"].append((line, problem))
    html, warning = highlight_code(token.content, info)
    if warning:
        env["warnings"].append((line, warning))
    elif not info.problems and "fences" in env:
        env["fences"].append((key, html))
    return html


def _summary(md: MarkdownIt, tokens: list[Token], env: dict[str, Any]) -> str:
    """The first top-level paragraph, without footnote references."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            inline = tokens[index + 1]
            children = [c for c in inline.children or () if c.type != "footnote_ref"]
            return str(md.renderer.render(children, md.options, env)).strip()
    return ""


def _sanitise(html: str) -> str:
    import nh3

    return str(
        nh3.clean(
            html,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            tag_attribute_values={"input": {"type": {"checkbox"}}},
            url_schemes={"http", "https", "mailto"},
            link_rel=None,
            strip_comments=True,
            filter_style_properties={"text-align"},
        )
    )
