"""Code fences: Pygments highlighting with CSS classes, line numbers and highlighted lines.

Fence info syntax (one syntax, documented in the sample posts):

    ```python {linenos=true hl_lines="2-3 5"}

`linenos` turns on line numbers, `hl_lines` lists lines or ranges to highlight.
An unknown language renders as plain, escaped code and reports a warning.

QUIRE_FAST_HIGHLIGHT=0 turns the speed-ups off (builder.markdown.fast.lexer's joined rules, and
`_flat_html` in place of Pygments' formatter): the same HTML, by Pygments' own code, to
compare with or to rule them out.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import _TokenType  # the class of token types; no public name
from pygments.util import ClassNotFound

from builder.markdown.fast import speed_up_lexer
from builder.markdown.highlight_budget import HIGHLIGHT_BUDGET, Overtime, counted, cpu_budget

_OPTION = re.compile(r"""([A-Za-z_]+)\s*=\s*("[^"]*"|'[^']*'|\S+)|([A-Za-z_]+)""")
_KNOWN_OPTIONS = {"linenos", "hl_lines"}
_MAX_LINES = 100_000


@dataclass(frozen=True, slots=True)
class FenceInfo:
    """A fence's language and display options."""

    language: str
    linenos: bool = False
    hl_lines: tuple[int, ...] = ()
    problems: tuple[str, ...] = ()  # option errors, reported as warnings


def parse_fence_info(info: str) -> FenceInfo:
    """Split ```lang {linenos=true hl_lines="2-3"} into a language and options."""
    info = info.strip()
    language, _, rest = info.partition(" ")
    if "{" in language:  # ```python{linenos=true}
        language, _, tail = language.partition("{")
        rest = "{" + tail + " " + rest
    rest = rest.strip()
    if rest.startswith("{") and rest.endswith("}"):
        rest = rest[1:-1]
    linenos = False
    hl: list[int] = []
    problems: list[str] = []
    for match in _OPTION.finditer(rest):
        key = match.group(1) or match.group(3)
        value = (match.group(2) or "true").strip("\"'")
        if key not in _KNOWN_OPTIONS:
            problems.append(f"unknown code fence option `{key}` (known: linenos, hl_lines)")
        elif key == "linenos":
            linenos = value.lower() in {"true", "1", "yes", "table", "inline"}
        else:
            parsed = _parse_lines(value)
            if parsed is None:
                problems.append(f'`hl_lines="{value}"` is not a list of lines like "2-3 5"')
            else:
                hl.extend(parsed)
    return FenceInfo(language.lower(), linenos, tuple(sorted(set(hl))), tuple(problems))


def _parse_lines(value: str) -> list[int] | None:
    lines: list[int] = []
    for part in re.split(r"[,\s]+", value.strip()):
        if not part:
            continue
        start, sep, end = part.partition("-")
        if not start.isdigit() or (sep and not end.isdigit()):
            return None
        first, last = int(start), int(end) if sep else int(start)
        if first < 1 or last < first or last > _MAX_LINES:
            return None
        lines.extend(range(first, last + 1))
    return lines


def fast_highlight() -> bool:
    """Whether the speed-ups are on (QUIRE_FAST_HIGHLIGHT=0 turns them off)."""
    return os.environ.get("QUIRE_FAST_HIGHLIGHT", "1").strip().lower() not in _OFF


_OFF = {"0", "false", "no", "off"}


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        # stripnl=False keeps leading blank lines, so hl_lines numbers match the source
        lexer = get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        return None
    # joined rules once a language's code adds up to enough to repay making them
    return speed_up_lexer(lexer) if fast_highlight() else lexer


@lru_cache(maxsize=64)
def _formatter(linenos: bool, hl_lines: tuple[int, ...]) -> HtmlFormatter[str]:
    return HtmlFormatter(
        cssclass="highlight",
        linenos="table" if linenos else False,
        hl_lines=list(hl_lines),
        wrapcode=True,
    )


def highlight_code(code: str, info: FenceInfo) -> tuple[str, str | None]:
    """Render a code block to HTML; returns (html, warning or None)."""
    if not info.language:
        return _plain(code, ""), None
    lexer = _lexer(info.language)
    if lexer is None:
        warning = (
            f"unknown code language `{info.language}`, shown as plain text; "
            "see https://pygments.org/languages/ for names"
        )
        return _plain(code, info.language), warning
    try:
        with cpu_budget(HIGHLIGHT_BUDGET):
            tokens = counted(lexer.get_tokens(code), HIGHLIGHT_BUDGET)
            if info.linenos or info.hl_lines or not fast_highlight():
                out = io.StringIO()  # as pygments.highlight() does
                _formatter(info.linenos, info.hl_lines).format(tokens, out)
                return out.getvalue(), None
            return _flat_html(tokens), None
    except Overtime:
        warning = (
            f"highlighting this `{info.language}` code block took over "
            f"{HIGHLIGHT_BUDGET:g} s of CPU time (the lexer backtracks on something in "
            "it), so it is shown as plain text"
        )
        return _plain(code, info.language), warning


def _flat_html(tokens: Iterable[tuple[_TokenType, str]]) -> str:
    """What `highlight(code, lexer, _formatter(False, ()))` returns, made in one loop from
    `lexer.get_tokens(code)`.

    Pygments' HtmlFormatter passes every line through a stack of generators (lines, code,
    pre, div): about a tenth of highlighting a post, and the common fence needs none of
    them. Like Pygments: a span per run of tokens of one CSS class, closed at each line
    end. tests/builder/test_highlight.py compares both, for every lexer Pygments ships."""
    out = ['<div class="highlight"><pre><span></span><code>']
    add = out.append
    open_span = ""  # the span the line being written is in
    mid_line = False  # something was written since the last line end
    for token_type, text in tokens:
        if not text:
            continue
        span = _OPENERS.get(token_type)
        if span is None:
            span = _OPENERS[token_type] = _opener(token_type)
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if "\n" in text:
            *ended, text = text.split("\n")
            for part in ended:  # each ends a line: spans never cross one
                if part:
                    if span != open_span:
                        add("</span>" + span if open_span else span)
                    add(part + "</span>\n" if span else part + "\n")
                else:
                    add("</span>\n" if open_span else "\n")
                open_span, mid_line = "", False
            if not text:
                continue
        if span != open_span:
            add("</span>" + span if open_span else span)
            open_span = span
        add(text)
        mid_line = True
    if mid_line:  # code not ending in a line end (lexers normally add one)
        add("</span>\n" if open_span else "\n")
    add("</code></pre></div>\n")
    return "".join(out)


_OPENERS: dict[_TokenType, str] = {}  # token type -> its opening tag
_MARK = "\x01"  # a character no CSS class holds, and that escaping leaves alone


def _opener(token_type: _TokenType) -> str:
    """The tag Pygments opens for `token_type` (``<span class="k">``; "" for plain text),
    asked of Pygments itself so the classes are always its own."""
    out = io.StringIO()
    HtmlFormatter(nowrap=True).format([(token_type, _MARK)], out)
    return out.getvalue().partition(_MARK)[0]


def _plain(code: str, language: str) -> str:
    lang = f' class="language-{escape(language)}"' if language else ""
    return (
        f'<div class="highlight"><pre><code{lang}>{escape(code, quote=False)}</code></pre></div>\n'
    )
