"""Code fences without options skip Pygments' HtmlFormatter (builder.markdown.highlight._flat_html),
and lexers try a state's rules with one regex (builder.markdown.fast.lexer): the HTML and the tokens
must stay exactly what Pygments makes, for every lexer Pygments ships."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer
from pygments.lexers import get_all_lexers, get_lexer_by_name, get_lexer_for_filename
from pygments.token import Token
from pygments.util import ClassNotFound

from builder.markdown.fast import lexer as fastlex
from builder.markdown.fast.lexer import speed_up
from builder.markdown.highlight import FenceInfo, highlight_code

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


def test_every_lexer_gives_the_html_pygments_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Differential: Pygments' own formatter, with the options the builder gives it."""
    # The budget is not what this compares: a big lexer's first use (its regexes compiled)
    # on a machine busy with the rest of the suite can pass 1 s of CPU time.
    monkeypatch.setattr("builder.markdown.highlight.HIGHLIGHT_BUDGET", 60.0)
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


REPO = Path(__file__).resolve().parents[2]
_MAX_CHARS = 12_000  # per file: long enough for real structure, short enough to stay fast
_NOT_OURS = {"node_modules", ".venv", ".git", ".run", "build", ".mypy_cache", ".ruff_cache"}
_BY_NAME = {"run": "bash", "Makefile": "make", "script.py.mako": "mako"}  # no telling suffix


def _real_code() -> list[tuple[str, str, str]]:
    """(name, lexer alias, code): the project's own files in every language it has, and
    Python's own library and C headers."""
    found = [REPO / ".ci" / "run", REPO / "Makefile", REPO / "pyproject.toml"]
    folders = [p for p in sorted(REPO.iterdir()) if p.is_dir() and p.name not in _NOT_OURS]
    for suffix in ("py", "html", "css", "js", "json", "xml", "svg", "yaml", "lua", "mako", "sh"):
        found += sorted(p for folder in folders for p in folder.rglob(f"*.{suffix}"))[:3]
    stdlib = Path(sysconfig.get_path("stdlib"))
    found += [stdlib / "textwrap.py", stdlib / "json" / "decoder.py", stdlib / "shlex.py"]
    include = Path(sysconfig.get_path("include"))
    found += sorted(include.glob("*.h"))[:4]
    corpus = []
    for path in found:
        code = path.read_text(encoding="utf-8")[:_MAX_CHARS]
        alias = _BY_NAME.get(path.name) or get_lexer_for_filename(path.name, code).aliases[0]
        corpus.append((path.name, alias, code))
        if path.suffix == ".html":  # the theme's templates
            corpus.append((path.name, "html+jinja", code))
    return corpus


def test_real_code_in_many_languages_gives_the_html_pygments_gives() -> None:
    """Differential on whole files: what a post quotes is longer and more varied than the
    snippets above (nested strings, heredocs, templates, preprocessor lines)."""
    formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
    corpus = _real_code()
    assert len({alias for _name, alias, _code in corpus}) >= 12
    for name, alias, code in corpus:
        expected = highlight(code, get_lexer_by_name(alias, stripnl=False), formatter)
        got, warning = highlight_code(code, FenceInfo(alias))
        assert warning is None
        assert got == expected, f"{name} as {alias}"


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


# code in many languages, with what lexers switch states on: strings with escapes and
# interpolation, nested comments, heredocs (backreferences), regex literals, templates
CODE = (
    'import re\n@dataclass\nclass A(B, metaclass=M):\n    """Doc."""\n    x: int = 0x1F\n'
    '    async def f(self, *a, **k) -> "A":\n        s = f"{self.x!r:>{w}} {{}}" + rb\'\\x00\'\n'
    "        return [i async for i in g() if i is not None]  # comment\n",
    "SELECT a.id, COUNT(*) AS n FROM posts a LEFT JOIN tags t ON t.post_id = a.id\n"
    "WHERE a.title LIKE 'it''s %' AND a.date >= DATE '2024-01-01' -- note\n"
    "GROUP BY a.id HAVING n > 1 ORDER BY n DESC; /* block\ncomment */\n",
    '#!/bin/bash\nset -euo pipefail\nfor f in "${files[@]}"; do echo "$(wc -l < "$f")"; done\n'
    "cat <<-EOF > out.txt\n\tvalue=${HOME:-/root} `date`\n\tEOF\n"
    "case $1 in\n  a|b) x=$((1+2));;\nesac\n",
    "const re = /a\\/b[^/]*/gi; let t = `x ${a + `inner ${b}`} y`;\n"
    "function* g(a = {b: [1, 2]}) { yield* a?.b ?? []; } // done\nclass C extends D { #p = 1; }\n",
    "#include <stdio.h>\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
    'int main(void) { char *s = "a\\"b"; /* c */ return printf("%d\\n", MAX(1, 2)); }\n',
    '<!DOCTYPE html>\n<html lang="en"><head><style>a { color: #fff; }</style>\n'
    "<script>if (a < b && c) { x(); }</script></head>\n<body><!-- c --><p class=x>&amp;</p>"
    "</body></html>\n",
    'fn main() -> Result<(), Box<dyn Error>> {\n    let r#type = r#"raw "str""#;\n'
    '    let v: Vec<&\'static str> = vec!["a"]; /* /* nested */ */\n    Ok(())\n}\n',
    'package main\n\nimport "fmt"\n\nfunc main() {\n\ts := `raw\nstring`\n'
    "\tch := make(chan int, 1)\n\tgo func() { ch <- 1 }()\n\tfmt.Println(s, <-ch)\n}\n",
    '[section]\nkey = "value" # comment\narr = [1, 2.5, true]\n[[items]]\n'
    "date = 2024-01-01T00:00:00Z\nmultiline = '''\nline\n'''\n",
    "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-old\n+new\n context\n",
    "FROM python:3.12-slim AS build\nRUN pip install --no-cache-dir -r requirements.txt \\\n"
    '    && rm -rf /var/lib/apt/lists/*\nENV A=1 B="two"\nCMD ["python", "-m", "app"]\n',
    # every ASCII punctuation character, and non-ASCII letters, some that match ASCII ones
    # when case is ignored (the Kelvin sign, a long s): fastlex picks rules by character
    "K \u212a \u017f \u0130 é_ẞ = x\x1c; !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ 0x1F 1e-3 _a Z\n",
    '<?php\nnamespace App;\n$a = <<<EOT\nHello {$name}\nEOT;\necho "x $a[0] {$b->c}";\n'
    "function f(?int $x = null): static { return $this; }\n",
)


def _regex_lexers() -> list[str]:
    names = []
    for _name, aliases, _files, _mimes in get_all_lexers():
        if not aliases:
            continue
        try:
            lexer = get_lexer_by_name(aliases[0], stripnl=False)
        except ClassNotFound:
            continue
        if type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed:
            names.append(aliases[0])
    return names


def test_every_regex_lexer_gives_pygments_tokens() -> None:
    lexers = _regex_lexers()
    assert len(lexers) > 300  # most of Pygments' lexers use RegexLexer's loop
    for alias in lexers:
        stock = get_lexer_by_name(alias, stripnl=False)
        fast = speed_up(get_lexer_by_name(alias, stripnl=False))
        assert fast.get_tokens_unprocessed != stock.get_tokens_unprocessed
        for code in (*SNIPPETS, *CODE):
            assert list(fast.get_tokens(code)) == list(stock.get_tokens(code)), alias


def test_rules_are_joined_and_backreferences_kept_apart() -> None:
    """The speed comes from joined rules: Python's are joined; Bash's heredoc rule (a
    backreference to its delimiter) is tried on its own, between two joined runs."""
    code = "cat <<EOF\n$HOME\nEOF\necho done\n"
    tokens = list(speed_up(get_lexer_by_name("bash")).get_tokens(code))
    assert (Token.Literal.String, "<<EOF\n$HOME\nEOF") in tokens
    list(speed_up(get_lexer_by_name("python")).get_tokens("x = 1\n"))
    python_root = fastlex._states[(type(get_lexer_by_name("python")), "root")]
    assert all(len(segment) == 4 for segment in python_root)
    bash_root = [len(s) for s in fastlex._states[(type(get_lexer_by_name("bash")), "root")]]
    assert bash_root.count(3) >= 1 and bash_root.count(4) >= 2


def test_a_rule_with_its_own_flags_keeps_them() -> None:
    """A rule compiled with flags the lexer does not have (here IGNORECASE) keeps them
    inside the joined regex, and one without the lexer's (VERBOSE) does not get them."""

    class Mixed(RegexLexer):
        flags = re.VERBOSE
        tokens = {  # Pygments' own convention: a class-level dict
            "root": [
                (re.compile(r"(?i)select").pattern, Token.Keyword),
                (r"a b  # comment", Token.Name),
                (r"\s+", Token.Whitespace),
                (r".", Token.Text),
            ]
        }

    code = "SELECT ab a b\n"
    expected = list(Mixed().get_tokens(code))
    assert (Token.Keyword, "SELECT") in expected and (Token.Name, "ab") in expected
    assert list(speed_up(Mixed()).get_tokens(code)) == expected
