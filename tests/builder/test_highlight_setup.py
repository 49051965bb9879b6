"""The highlighting speed-up pays for itself: a process that highlights little (one post,
the preview's first page, the inbox preview) never makes the joined regexes of
builder.markdown.fast.lexer, whose making costs more than that little highlighting; one that lexes a
lot of a language switches to them, with the same tokens throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pygments.lexer import RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Token

from builder.markdown import highlight
from builder.markdown.fast import lexer as fastlex
from builder.markdown.fast.lexer import speed_up
from builder.markdown.highlight import FenceInfo, highlight_code

ROOT = Path(__file__).resolve().parents[2]
POST_CODE = {  # one post's code blocks, as the shared corpus has them
    "python": "import os\n\ndef load(path: str) -> dict:\n    with open(path) as f:\n"
    '        return {k: v for k, v in (line.split("=", 1) for line in f)}  # env\n',
    "bash": 'set -euo pipefail\nfor f in *.md; do echo "$f: $(wc -l < "$f")"; done\n',
    "sql": "SELECT id, title FROM posts WHERE date >= '2024-01-01' ORDER BY date DESC;\n",
}


class Words(RegexLexer):
    """A lexer of its own, so that no other test has lexed its language yet."""

    tokens = {  # Pygments' convention: a class-level dict
        "root": [
            (r"[a-z]+", Token.Name),
            (r"[0-9]+", Token.Number),
            (r"\s+", Token.Whitespace),
            (r".", Token.Punctuation),
        ]
    }


def test_pygments_loop_until_a_language_adds_up_then_the_joined_rules() -> None:
    lexer = speed_up(Words(), after=50)
    text = "abc 123, def 456; and more words\n"  # 33 characters
    expected = list(Words().get_tokens(text))
    made = []
    for _ in range(3):
        assert list(lexer.get_tokens(text)) == expected
        made.append((Words, "root") in fastlex._states)
    assert made == [False, False, True]  # 33, then 66 >= 50 characters lexed: joined


def test_one_post_in_a_fresh_process_makes_no_joined_rules(tmp_path: Path) -> None:
    """What `quire build` does for one edited post, `quire serve` for its first page and
    the inbox for a preview: the same HTML as Pygments', and no joined regex made."""
    probe = (
        "import json, sys\n"
        "from builder.markdown.fast import lexer as fastlex\n"
        "from builder.markdown.highlight import FenceInfo, highlight_code\n"
        "code = json.loads(sys.argv[1])\n"
        "html = {lang: highlight_code(text, FenceInfo(lang))[0] for lang, text in code.items()}\n"
        "print(json.dumps({'html': html, 'joined': len(fastlex._states)}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(POST_CODE)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    got = json.loads(done.stdout)
    assert got["joined"] == 0
    with _fast_highlight("0"):
        assert got["html"] == {
            lang: highlight_code(text, FenceInfo(lang))[0] for lang, text in POST_CODE.items()
        }


def test_the_switch_turns_the_speed_ups_off() -> None:
    with _fast_highlight("0"):
        lexer = highlight._lexer("python")
        assert lexer is not None
        assert lexer.get_tokens_unprocessed.__func__ is RegexLexer.get_tokens_unprocessed  # type: ignore[attr-defined]
        plain = highlight_code(POST_CODE["python"], FenceInfo("python"))
    with _fast_highlight("1"):
        lexer = highlight._lexer("python")
        assert lexer is not None
        assert lexer.get_tokens_unprocessed.__func__ is not RegexLexer.get_tokens_unprocessed  # type: ignore[attr-defined]
        assert highlight_code(POST_CODE["python"], FenceInfo("python")) == plain
    assert get_lexer_by_name("python").get_tokens_unprocessed.__func__ is (  # type: ignore[attr-defined]
        RegexLexer.get_tokens_unprocessed
    )  # the switch never changed Pygments' own lexers


@pytest.fixture(autouse=True)
def _fresh_lexers() -> Iterator[None]:
    highlight._lexer.cache_clear()
    yield
    highlight._lexer.cache_clear()


@contextmanager
def _fast_highlight(value: str) -> Iterator[None]:
    """QUIRE_FAST_HIGHLIGHT set to `value` inside the block (and the lexers made again)."""
    before = os.environ.get("QUIRE_FAST_HIGHLIGHT")
    os.environ["QUIRE_FAST_HIGHLIGHT"] = value
    highlight._lexer.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("QUIRE_FAST_HIGHLIGHT", None)
        else:
            os.environ["QUIRE_FAST_HIGHLIGHT"] = before
        highlight._lexer.cache_clear()
