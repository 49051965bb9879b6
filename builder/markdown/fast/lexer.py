"""Pygments' RegexLexer loop, with each state's rules tried by one regex instead of many.

At every position, RegexLexer tries the rules of the current state one after another, a
Python call per rule, until one matches: for Python code about 90 calls per token, the
largest part of highlighting a post. Joined into one alternation, the rules are tried in
C, in the same order: Python's `re` takes the first alternative that matches, exactly as
Pygments takes the first rule. The joined match tells which rule won (each rule is wrapped
in a group of its own); a rule with a callback (`bygroups`, `using`) is then matched again
on its own, so the callback sees the match object Pygments would give it.

At a given character most of the joined rules cannot match (a keyword at a quote, a
string at a letter), yet the regex would try each in turn. So a state keeps one joined
regex per kind of character (see `_ByFirst`), of the rules whose match can begin with it
(first_chars.py): Python code is lexed 2.5 times as fast as with every rule joined.

A rule that cannot join others (a backreference would point at another group once its
rule is joined; flags a scoped group cannot express) is tried on its own, in its place.
Only lexers that use RegexLexer's own loop are sped up; the others are left as they are.
tests/builder/test_highlight.py compares the tokens with Pygments' for every such lexer.

Making the joined regexes costs far more than Pygments' compiling of the same rules
(Python's lexer: 110 ms against 30 ms), repaid only after about 100,000 characters of its
code (Python: 0.8 µs saved a character). So `speed_up(lexer, after=SETUP_CHARS)` lets
Pygments' own loop lex a language's first SETUP_CHARS characters in a process: a build
that highlights one post, the preview's first page and the inbox preview pay nothing
for the speed-up, and a long build or a server that lexes more loses at most that setup.
"""

from __future__ import annotations

import functools
import re
import string
import types
from collections.abc import Callable, Iterator, Sequence
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

from builder.markdown.fast.first_chars import first_chars, parse_tree

Rule = tuple[Callable[..., Any], Any, Any]  # (regex match, action, new state) as Pygments has it
# rules joined into one regex: (its match or None: none can match, group number -> rule)
Alternation = tuple[Callable[..., Any] | None, dict[int, int]]
# a run of rules joined: (alternations by first character, the rules, which are plain, None);
# four items, so that the lexing loop tells it from a lone rule by its length
Joined = tuple["_ByFirst", list[Rule], list[bool], None]
Segment = Joined | Rule

_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_SCOPED = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_SCOPABLE = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
_GROUPREFS = ("GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "GROUPREF_LOC_IGNORE")
_BACKREFERENCES = {
    getattr(sre_constants, name)
    for name in (*_GROUPREFS, "GROUPREF_UNI_IGNORE")
    if hasattr(sre_constants, name)
}
_states: dict[tuple[type, str], list[Segment]] = {}  # (lexer class, state) -> its segments
# characters of a language that make the joined rules worth making (see the module's doc)
SETUP_CHARS = 100_000
_lexed: dict[type, int] = {}  # lexer class -> characters Pygments' loop lexed so far


def speed_up(lexer: Lexer, *, after: int = 0) -> Lexer:
    """`lexer`, made to tokenise with joined rules when it uses RegexLexer's own loop: at
    once, or once `after` characters of its language were lexed in this process."""
    own_loop = type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
    # the rules are the class's (segments are kept per class), not changed for this one
    if own_loop and vars(type(lexer)).get("_tokens") is getattr(lexer, "_tokens", None):
        loop = functools.partial(_after, after) if after > 0 else _tokens
        lexer.get_tokens_unprocessed = types.MethodType(loop, lexer)  # type: ignore[method-assign]
    return lexer


def _after(
    after: int, self: RegexLexer, text: str, stack: tuple[str, ...] = ("root",)
) -> Iterator[tuple[int, Any, str]]:
    """Pygments' own loop until `after` characters of this lexer's language have been
    lexed in this process, the joined rules from then on."""
    lexed = _lexed.get(type(self), 0)
    if lexed >= after:
        return _tokens(self, text, stack)
    _lexed[type(self)] = lexed + len(text)
    return RegexLexer.get_tokens_unprocessed(self, text, stack)


def _tokens(
    self: RegexLexer, text: str, stack: tuple[str, ...] = ("root",)
) -> Iterator[tuple[int, Any, str]]:
    """RegexLexer.get_tokens_unprocessed, trying each segment of a state's rules at once."""
    pos = 0
    statestack = list(stack)
    segments = _segments(self, statestack[-1])
    while True:
        for segment in segments:
            if len(segment) == 4:  # joined rules
                by_first, rules, plain, _ = segment
                joined, rule_of = by_first[text[pos : pos + 1]]
                m = joined(text, pos) if joined is not None else None
                if m is None:
                    continue
                group = m.lastindex  # the wrapping group of the rule that matched
                number = rule_of[group]
                rexmatch, action, new_state = rules[number]
                if plain[number]:
                    yield pos, action, m.group(group)
                    pos = m.end(group)
                else:
                    m = rexmatch(text, pos)  # the match object Pygments gives callbacks
                    if action is not None:
                        yield from action(self, m)
                    pos = m.end()
            else:
                rexmatch, action, new_state = segment
                m = rexmatch(text, pos)
                if m is None:
                    continue
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(self, m)
                pos = m.end()
            if new_state is not None:
                _move(statestack, new_state)
                segments = _segments(self, statestack[-1])
            break
        else:  # no rule matched: as Pygments does
            if pos >= len(text):
                break
            if text[pos] == "\n":  # at a line end, back to the root state
                statestack = ["root"]
                segments = _segments(self, "root")
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1


def _move(statestack: list[str], new_state: Any) -> None:
    """A state transition, as RegexLexer makes it."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(statestack) > 1:
                    statestack.pop()
            elif state == "#push":
                statestack.append(statestack[-1])
            else:
                statestack.append(state)
    elif isinstance(new_state, int):  # pop, keeping at least one state
        if abs(new_state) >= len(statestack):
            del statestack[1:]
        else:
            del statestack[new_state:]
    elif new_state == "#push":
        statestack.append(statestack[-1])
    else:
        raise ValueError(f"wrong state definition: {new_state!r}")


def _segments(lexer: RegexLexer, state: str) -> list[Segment]:
    key = (type(lexer), state)
    found = _states.get(key)
    if found is None:
        rules = lexer._tokens[state]  # type: ignore[attr-defined]  # made by Pygments' metaclass
        found = _states[key] = _split(rules, lexer.flags | re.UNICODE)
    return found


def _split(rules: list[Rule], flags: int) -> list[Segment]:
    """The rules in order: runs of those that can be joined, joined; the rest alone."""
    segments: list[Segment] = []
    run: list[tuple[Rule, str]] = []
    for rule in rules:
        scoped = _scoped(rule[0], flags)
        if scoped is not None:
            run.append((rule, scoped))
            continue
        segments.extend(_join(run, flags))
        run = []
        segments.append(rule)
    segments.extend(_join(run, flags))
    return segments


def _join(run: list[tuple[Rule, str]], flags: int) -> list[Segment]:
    if len(run) < 2:
        return [rule for rule, _ in run]
    by_first = _ByFirst(run, flags)
    try:
        by_first.full = by_first.compile(range(len(run)))
    except (re.error, RecursionError, OverflowError):
        return [rule for rule, _ in run]
    rules = [rule for rule, _ in run]
    return [(by_first, rules, [type(action) is _TokenType for _, action, _ in rules], None)]


class _ByFirst(dict[str, Alternation]):
    """The joined rules to try at a position, by the character there: only those whose
    match can begin with it (see builder.markdown.fast.first_chars), in their order. One alternation
    serves all letters and `_` (the rules for any of them), one all digits, one each other
    ASCII character; at any other character, and at the end of the text, all the rules.
    Each is compiled the first time a lexer meets its character in this state: few, so
    that compiling them costs less than they save."""

    def __init__(self, run: list[tuple[Rule, str]], flags: int) -> None:
        super().__init__()
        self.flags = flags
        self.scoped = [scoped for _, scoped in run]
        patterns = [_joined_pattern(rule[0]) for rule, _ in run]
        self.groups = [pattern.groups for pattern in patterns]
        self.firsts = [first_chars(pattern) for pattern in patterns]
        self.full: Alternation = (None, {})
        self.made: dict[tuple[int, ...], Alternation] = {}

    def __missing__(self, char: str) -> Alternation:
        if len(char) != 1 or not char.isascii():
            self[char] = self.full
            return self.full
        kind = _WORD if char in _WORD else _DIGITS if char in _DIGITS else frozenset(char)
        numbers = tuple(
            number
            for number, first in enumerate(self.firsts)
            if first is None or not kind.isdisjoint(first)
        )
        made = self.made.get(numbers)
        if made is None:
            try:
                made = self.compile(numbers) if numbers else (None, {})
            except (re.error, RecursionError, OverflowError):
                made = self.full
            self.made[numbers] = made
        self[char] = made
        return made

    def compile(self, numbers: Sequence[int]) -> Alternation:
        """One regex trying the rules `numbers` in order, each in a group of its own."""
        if len(numbers) == len(self.scoped) and self.full[0] is not None:
            return self.full
        parts, rule_of, group = [], {}, 0
        for number in numbers:
            group += 1
            rule_of[group] = number
            parts.append(f"({self.scoped[number]})")
            group += self.groups[number]  # the rule's own groups, numbered after its wrapper
        return re.compile("|".join(parts), self.flags).match, rule_of


_WORD = frozenset(string.ascii_letters + "_")
_DIGITS = frozenset(string.digits)


def _joined_pattern(rexmatch: Callable[..., Any]) -> re.Pattern[str]:
    pattern = _pattern(rexmatch)
    assert pattern is not None  # _scoped found it
    return pattern


def _scoped(rexmatch: Callable[..., Any], flags: int) -> str | None:
    """The rule's regex as a group that keeps its own flags inside a regex compiled with
    `flags`; None when it cannot join others."""
    pattern = _pattern(rexmatch)
    if pattern is None or not isinstance(pattern.pattern, str):
        return None
    if (pattern.flags ^ flags) & ~_SCOPABLE or _has_backreference(pattern):
        return None
    text = pattern.pattern
    leading = _LEADING_FLAGS.match(text)
    if leading:  # global flags, already in pattern.flags
        text = text[leading.end() :]
    add = "".join(k for k, f in _SCOPED.items() if pattern.flags & f and not flags & f)
    drop = "".join(k for k, f in _SCOPED.items() if flags & f and not pattern.flags & f)
    if pattern.flags & re.VERBOSE:
        text += "\n"  # a trailing comment must not swallow the closing parenthesis
    return f"(?{add}-{drop}:{text})" if drop else f"(?{add}:{text})"


def _pattern(rexmatch: Callable[..., Any]) -> re.Pattern[str] | None:
    """The compiled regex whose `match` Pygments keeps for a rule (None: something else)."""
    pattern = getattr(rexmatch, "__self__", None)
    return pattern if isinstance(pattern, re.Pattern) else None


def _has_backreference(pattern: re.Pattern[str]) -> bool:
    tree = parse_tree(pattern)
    if tree is None:
        return True
    todo = [tree]
    while todo:
        for op, value in todo.pop():
            if op in _BACKREFERENCES:
                return True
            for item in value if isinstance(value, list | tuple) else (value,):
                if isinstance(item, sre_parse.SubPattern):
                    todo.append(item)
                elif isinstance(item, list | tuple):
                    todo.extend(x for x in item if isinstance(x, sre_parse.SubPattern))
    return False
