"""Code fences without options skip Pygments' HtmlFormatter (builder.highlight._flat_html):
the HTML must stay exactly what the formatter makes, for every lexer Pygments ships."""

from __future__ import annotations

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.util import ClassNotFound

from builder.highlight import FenceInfo, highlight_code

# what makes a formatter's life hard: blank lines first and last, a multi-line string and
# comment, markup characters, quotes, tabs, CRLF, no final line end, non-ASCII text
SNIPPETS = (
    "\n\ndef f(a, b):\n    '''Doc\n\n    string'''\n    return a < b && \"x\" > 'y'  # c\n\n",
    '/* a\n   <b> & c */\nint main() { return 1 <= 2; }\r\n\tx = "é ✓";',
    'key: value\n- [1, 2]\n# comment\n<div class="a">&amp;</div>\n',
    "",
)


def _aliases() -> list[str]:
    names = []
    for _name, aliases, _files, _mimes in get_all_lexers():
        if aliases:
            names.append(aliases[0])
    return names


def test_every_lexer_gives_the_html_pygments_gives() -> None:
    """Differential: Pygments' own formatter, with the options the builder gives it."""
    formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
    compared = 0
    for alias in _aliases():
        try:
            lexer = get_lexer_by_name(alias, stripnl=False)
        except ClassNotFound:  # a lexer needing a package that is not installed
            continue
        for code in SNIPPETS:
            expected = highlight(code, lexer, formatter)
            got, warning = highlight_code(code, FenceInfo(alias))
            assert warning is None
            assert got == expected, f"{alias}: {code!r}"
            compared += 1
    assert compared > 1000  # most of Pygments' ~600 lexers took part


@pytest.mark.parametrize(
    ("info", "marker"),
    [
        (FenceInfo("python", linenos=True), "highlighttable"),
        (FenceInfo("python", hl_lines=(1,)), "hll"),
    ],
)
def test_fences_with_options_keep_pygments_layout(info: FenceInfo, marker: str) -> None:
    html, _ = highlight_code("x = 1\ny = 2\n", info)
    assert marker in html
