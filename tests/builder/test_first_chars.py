"""builder.markdown.fast.first_chars tells which characters a regex's match can begin
with; builder.markdown.fast.lexer then tries only those rules there. A wrong answer would
silently skip a rule that matches, so every answer is checked against real matches, over
whole lexers and tricky patterns."""

from __future__ import annotations

import re
import string

import pytest
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.util import ClassNotFound

from builder.markdown.fast.first_chars import first_chars
from tests.builder.test_highlight import CODE, SNIPPETS

# every ASCII character in and out of context, and non-ASCII ones that match ASCII letters
# when case is ignored (Kelvin sign, long s, dotted I)
SOUP = "".join(map(chr, range(128))) + " \u212a \u017f \u0130 é ✓ " + string.printable * 2
TEXTS = (*SNIPPETS, *CODE, SOUP)


def _rules() -> set[re.Pattern[str]]:
    """The rules of every lexer that has them (RegexLexer and its kin)."""
    found = set()
    for _name, aliases, _files, _mimes in get_all_lexers():
        try:
            lexer = get_lexer_by_name(aliases[0])
        except (ClassNotFound, IndexError):
            continue
        for rules in getattr(lexer, "_tokens", {}).values():
            for rexmatch, _action, _state in rules:
                pattern = getattr(rexmatch, "__self__", None)
                if isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str):
                    found.add(pattern)
    return found


def test_no_lexer_rule_matches_where_first_chars_rules_it_out() -> None:
    checked = 0
    for pattern in _rules():
        first = first_chars(pattern)
        if first is None:
            continue
        for text in TEXTS:
            assert pattern.match(text, len(text)) is None, pattern.pattern  # never empty
            for pos, char in enumerate(text):
                if char.isascii() and char not in first and pattern.match(text, pos):
                    pytest.fail(f"{pattern.pattern!r} matches at {char!r}")
        checked += 1
    assert checked > 8000  # most rules have a known first character


@pytest.mark.parametrize(
    ("pattern", "starts", "never"),
    [
        (r"\s+", " \t\n\x1c", "a0"),  # \x1c..\x1f are spaces to Unicode, not to re.ASCII
        (r"(?a)[^\s]", "a\x1c", " \t"),  # so a negated class must keep them
        (r"[^\S\n]+", " \t", "\na"),
        (r"\d+|\.\d", "05.", "a "),
        (r"(?i)select\b", "sS", "e "),
        (r"(?i:ab)|c", "aAc", "bC"),
        (r"\b(?:if|else)\b", "ie", "f "),
        (r"(?=x)\w+", "xa_", " "),  # a lookahead: what follows decides, a superset is fine
        (r"(?<!\.)abs", "a", "."),
        (r"a?b*c", "abc", "d"),
        (r"[A-Z_a-zª-ÿ]\w*", "Az_", "0 ª"),
        (r"[^a-zª-ÿ]", "A0 ", "az"),
        (r".", "a \x00", ""),
        (r"[^x]", "ay\n", "x"),
    ],
)
def test_first_chars_of(pattern: str, starts: str, never: str) -> None:
    first = first_chars(re.compile(pattern))
    assert first is not None
    for char in starts:
        if char.isascii():
            assert char in first
    assert not set(never) & first


@pytest.mark.parametrize(
    "pattern",
    [
        r"",  # matches nothing, so at every position
        r"a?",
        r"\b",
        r"(?i)[\u212a]",  # the Kelvin sign: ignoring case it matches k
        r"(?i)[a-\u017f]",  # a range beyond ASCII, ignoring case
    ],
)
def test_anything_or_nothing_is_none(pattern: str) -> None:
    assert first_chars(re.compile(pattern)) is None
