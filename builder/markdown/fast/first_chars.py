"""Which characters a regex can start a match at, from the regex's parse tree.

builder.markdown.fast.lexer tries a lexer state's rules as one alternation; Python's `re` then tries
every alternative, in order, at each position. Most cannot match there (a keyword rule at
a quote, a string rule at a letter). `first_chars` tells, for one rule, the ASCII
characters its match can begin with; a rule that might begin with anything else (or match
nothing at all, so anywhere) gets None. The answer is always a superset: a character
outside it is one the rule can never match at.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}
First = tuple[frozenset[str] | None, bool]  # (first characters or None: any, can be empty)
_ASCII = frozenset(map(chr, range(128)))


def _category(pattern: str) -> tuple[frozenset[str], frozenset[str]]:
    """The ASCII characters the category `pattern` (\\d, \\S, ...) matches: (those it
    matches with re.ASCII or without, those it matches both ways)."""
    unicode, ascii_only = re.compile(pattern), re.compile(pattern, re.ASCII)
    either = frozenset(c for c in _ASCII if unicode.match(c) or ascii_only.match(c))
    both = frozenset(c for c in either if unicode.match(c) and ascii_only.match(c))
    return either, both


_CATEGORIES = {
    getattr(sre_constants, f"CATEGORY_{name}"): _category(pattern)
    for name, pattern in (
        ("DIGIT", r"\d"), ("NOT_DIGIT", r"\D"), ("SPACE", r"\s"), ("NOT_SPACE", r"\S"),
        ("WORD", r"\w"), ("NOT_WORD", r"\W"),
    )
}  # fmt: skip


@functools.cache
def parse_tree(pattern: re.Pattern[str]) -> Any | None:
    """`pattern` as Python's `re` parses it (None if it cannot: too deep), parsed once."""
    try:
        return sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError, OverflowError):
        return None


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII characters a match of `pattern` can begin with; None when it may begin
    with any character or with none (an empty match, possible at every position)."""
    tree = parse_tree(pattern)
    if tree is None:
        return None
    chars, empty = _sequence(tree, bool(pattern.flags & re.IGNORECASE))
    return None if empty else chars


def _sequence(items: Any, nocase: bool) -> First:
    """Items matched one after another: the first's characters, and the next's while the
    ones before can match nothing (a `\\b`, a lookahead, an optional part)."""
    found: set[str] = set()
    for op, value in items:
        chars, empty = _item(op, value, nocase)
        if chars is None:
            return None, False
        found |= chars
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


def _item(op: Any, value: Any, nocase: bool) -> First:
    if op is sre_constants.LITERAL:
        return _cased({chr(value)}, nocase), False
    if op is sre_constants.IN:
        return _cased(_members(value), nocase), False
    if op is sre_constants.SUBPATTERN:
        _group, add, drop, inner = value
        return _sequence(inner, (nocase or bool(add & re.IGNORECASE)) and not drop & re.IGNORECASE)
    if op is sre_constants.ATOMIC_GROUP:
        return _sequence(value, nocase)
    if op is sre_constants.BRANCH:
        found: set[str] = set()
        any_empty = False
        for branch in value[1]:
            chars, empty = _sequence(branch, nocase)
            if chars is None:
                return None, False
            found |= chars
            any_empty = any_empty or empty
        return frozenset(found), any_empty
    if op in _REPEATS:
        least, _most, inner = value
        chars, empty = _sequence(inner, nocase)
        return chars, chars is not None and (least == 0 or empty)
    if op is sre_constants.NOT_LITERAL:
        return _ASCII - {chr(value)}, False
    if op is sre_constants.ANY:
        return _ASCII, False
    if op in _ZERO_WIDTH:  # matches no character: what follows decides
        return frozenset(), True
    return None, False  # a backreference, a conditional


def _members(items: Any) -> set[str] | None:
    """The characters of a class like [a-z_"] or [^\\s] (of a range beyond ASCII, its ASCII
    part and its last character).
    A negated class matches no more than the characters outside the fewest its members
    can be (a category as both re.ASCII and Unicode see it), whatever the case."""
    negated = any(op is sre_constants.NEGATE for op, _ in items)
    found: set[str] = set()
    for op, value in items:
        if op is sre_constants.LITERAL:
            found.add(chr(value))
        elif op is sre_constants.RANGE:
            low, high = value
            found.update(map(chr, range(low, min(high, 127) + 1)))
            if high > 127:  # the rest matters only ignoring case (see _cased)
                found.add(chr(high))
        elif op is sre_constants.CATEGORY and value in _CATEGORIES:
            found |= _CATEGORIES[value][1 if negated else 0]
        elif op is not sre_constants.NEGATE:
            return None
    return set(_ASCII - found) if negated else found


def _cased(chars: set[str] | None, nocase: bool) -> frozenset[str] | None:
    """`chars` as a pattern matches them: ignoring case, both cases of each ASCII letter.
    Non-ASCII characters are dropped, since only ASCII text is dispatched; but ignoring
    case, one may match an ASCII letter (the Kelvin sign matches k), so that is "any"."""
    if chars is None:
        return None
    if not nocase:
        return frozenset(c for c in chars if c.isascii())
    if not all(c.isascii() for c in chars):
        return None
    return frozenset(chars | {c.lower() for c in chars} | {c.upper() for c in chars})
