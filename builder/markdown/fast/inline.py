"""Ways of making markdown-it's inline parser faster that leave what it makes unchanged.

The inline parser reads the text of every paragraph, heading, list item and table cell.
tests/builder/test_markdown.py compares the parser with and without these on random text
built from every inline construct, and on the starter site.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline

BY_CHARACTER_RULE = "quire_by_character"
# The characters each inline rule starts at (it returns False at once anywhere else).
_TRIGGERS = {
    "newline": "\n", "escape": "\\", "backticks": "`", "strikethrough": "~", "emphasis": "*_",
    "link": "[", "image": "!", "footnote_inline": "^", "footnote_ref": "[", "autolink": "<",
    "html_inline": "<", "entity": "&",
}  # fmt: skip
# What the inline parser does after its rules; none of them changes a lone text token.
_AFTER_INLINE = {"balance_pairs", "strikethrough", "emphasis", "fragments_join"}
# Steps (tokens) markdown-it may take reading link labels in one document (see _link_label)
LABEL_STEPS = 200_000
LABEL_STEPS_LEFT = "quire_label_steps_left"  # in the parser's env
# a link destination without `<`, `(`, a backslash, a space or a control character
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f\\()]+")


def add_by_character_rule(md: MarkdownIt) -> None:
    """After the text rule, try only the inline rules that start at the character found.

    The text rule takes runs of ordinary characters; at any other character markdown-it
    tries every inline rule in turn (thirteen, for a `!` that ends a sentence). This rule,
    right after text, calls just the rules that start at that character, in markdown-it's
    order, and when none takes it, adds the character to the text as markdown-it does. It
    is left out when the parser has an inline rule it does not know.
    """
    rules = _known_inline_rules(md)
    if rules is None:
        return
    starting: dict[str, list[Any]] = {}
    for rule in rules:
        for character in _TRIGGERS[rule.name]:
            starting.setdefault(character, []).append(rule.fn)
    chains = {character: tuple(fns) for character, fns in starting.items()}
    nothing: tuple[Any, ...] = ()

    def by_character(state: StateInline, silent: bool) -> bool:
        if state.pos >= state.posMax:
            return False
        character = state.src[state.pos]
        for rule in chains.get(character, nothing):
            if rule(state, silent):
                return True
        if not silent:  # no rule takes it: plain text (markdown-it's own fallback)
            state.append_pending(character)
        state.pos += 1
        return True

    md.inline.ruler.after("text", BY_CHARACTER_RULE, by_character)


def add_inline_loop(md: MarkdownIt) -> None:
    """Run the inline parser's loop with the text rule done in place.

    markdown-it's loop calls the rules in turn at each position: the text rule takes a run
    of ordinary characters, or declines at any other character, which the by-character
    rule (see add_by_character_rule) then always takes. This loop does the text rule's
    search itself and calls the by-character rule directly: the same steps, in the same
    order, without a call and a loop over the rules for each of them. While the chain of
    rules is not text then by-character (a rule added or disabled since), or when the
    text is nested too deeply for any rule to run, markdown-it's own loop runs. (Of the
    rules known here, only links nest, one level, so the level is the same all through
    one call.)
    """
    from markdown_it.rules_inline import text as text_rule

    inline = md.inline
    rules = [rule for rule in inline.ruler.__rules__ if rule.enabled]
    if len(rules) < 2 or rules[0].fn is not text_rule or rules[1].name != BY_CHARACTER_RULE:
        return
    by_character, own_loop = rules[1].fn, inline.tokenize

    def tokenize(state: StateInline) -> None:
        chain = inline.ruler.getRules("")
        if (
            len(chain) < 2
            or chain[0] is not text_rule
            or chain[1] is not by_character
            or state.level >= state.md.options["maxNesting"]  # no rule runs then
        ):
            own_loop(state)
            return
        src, end, search = state.src, state.posMax, inline.terminator_re.search
        while state.pos < end:
            pos = state.pos
            found = search(src, pos)  # the text rule, as markdown-it has it
            stop = found.start() if found else end
            if stop != pos:
                state.append_pending(src[pos:stop])
                state.pos = stop
            else:
                by_character(state, False)  # always moves on at least one character
        if state.pending:
            state.pushPending()

    inline.tokenize = tokenize  # type: ignore[method-assign]


def add_quick_link_destination(md: MarkdownIt) -> None:
    """Read a plain link destination (`[text](/a/b)`) with one regex match.

    markdown-it reads a link's destination a character at a time, a Python call each
    (about 8 µs for a typical URL, for every link and image of a post). A destination
    without `<`, `(` or a backslash ends at the first space, control character or `)`,
    which one match finds; any other goes to markdown-it's own reader. Only this parser's
    helpers change (markdown-it's module is shared with other parsers).
    """
    from markdown_it import helpers
    from markdown_it.common.utils import unescapeAll

    if md.helpers is not helpers:
        return
    own = helpers.parseLinkDestination

    def destination(string: str, pos: int, maximum: int) -> Any:
        found = _PLAIN_DESTINATION.match(string, pos, maximum)
        if found is not None and string[pos] != "<":
            end = found.end()
            if end == maximum or string[end] not in "\\(":
                return _Destination(unescapeAll(string[pos:end]), end)
        return own(string, pos, maximum)

    quick = {name: getattr(helpers, name) for name in helpers.__all__}
    quick["parseLinkDestination"] = destination
    quick["parseLinkLabel"] = _link_label
    md.helpers = SimpleNamespace(**quick)  # type: ignore[assignment]


def _link_label(state: StateInline, start: int, disable_nested: bool = False) -> int:
    """markdown-it's parseLinkLabel, stepping over what the inline cache already knows
    without a call per step.

    The label of a `[` is read token by token to the matching `]`; each token is skipped
    by trying every inline rule, remembered in `state.cache`. In a run of `[` without a
    `]`, each `[` walks the cached steps of the ones after it (about 20: markdown-it's
    nesting limit), so that 200 KB of `[` took seconds; looked up here, they cost a
    dictionary lookup each. Same steps, same result as markdown-it's, but for a document
    that has used up LABEL_STEPS: its later labels are not read to their end, so their
    `[` stay text (a post with thousands of links uses a few percent of them)."""
    src, cache, end, env = state.src, state.cache, state.posMax, state.env
    budget = env.get(LABEL_STEPS_LEFT, LABEL_STEPS)
    old_pos, pos, level, found = state.pos, start + 1, 1, -1
    skip = state.md.inline.skipToken
    steps = 0
    while pos < end and steps < budget:
        steps += 1
        marker = src[pos]
        if marker == "]":
            level -= 1
            if level == 0:
                found = pos
                break
        after = cache.get(pos)
        if after is None:
            state.pos = pos
            skip(state)  # counts its own steps (and those of labels inside)
            after = state.pos
        if marker == "[":
            if after == pos + 1:  # a `[` that is not part of any token
                level += 1
            elif disable_nested:
                break
        pos = after
    state.pos = old_pos
    env[LABEL_STEPS_LEFT] = env.get(LABEL_STEPS_LEFT, LABEL_STEPS) - steps
    return found


class _Destination:
    """A destination read (what markdown-it's reader returns when it finds one)."""

    __slots__ = ("ok", "pos", "str")

    def __init__(self, text: str, pos: int) -> None:
        self.ok, self.pos, self.str = True, pos, text


def add_quick_skip(md: MarkdownIt) -> None:
    """Skip a token the inline cache knows without markdown-it's preamble, and stop reading
    labels in a document that has used up LABEL_STEPS (see _link_label).

    Link labels are read by skipping one token at a time; footnotes (`^[...]`) read theirs
    with markdown-it's own reader, which calls this for each step. Past the budget, the
    label is skipped to its end, as markdown-it does when nesting is too deep: it is not
    closed, so its `[` stays text."""
    own = md.inline.skipToken

    def skip(state: StateInline) -> None:
        env = state.env
        left = env.get(LABEL_STEPS_LEFT, LABEL_STEPS) - 1
        env[LABEL_STEPS_LEFT] = left
        if left < 0:
            state.pos = state.posMax
            return
        after = state.cache.get(state.pos)
        if after is None:
            own(state)
        else:
            state.pos = after

    md.inline.skipToken = skip  # type: ignore[method-assign]


def add_plain_inline_rule(md: MarkdownIt) -> None:
    """Give inline text without any special character its one text token directly.

    markdown-it parses the text of every paragraph, heading, list item and table cell with
    the inline parser: a parser state, the rules, then four passes over the result. For
    text without any character an inline rule starts at (half of them in a typical post),
    all that makes one text token holding the text; this makes it directly. It replaces
    markdown-it's `inline` core rule, and is left out when an inline rule or pass is one it
    does not know.
    """
    inline = md.inline
    passes = {rule.name for rule in inline.ruler2.__rules__ if rule.enabled}
    if _known_inline_rules(md) is None or not passes <= _AFTER_INLINE:
        return
    from markdown_it.token import Token

    def plain_inline(state: StateCore) -> None:
        special = inline.terminator_re.search
        for token in state.tokens:
            if token.type != "inline":
                continue
            if token.children is None:
                token.children = []
            text = token.content
            if text and special(text) is None:
                child = Token("text", "", 0)
                child.content = text
                token.children.append(child)
            else:
                inline.parse(text, md, state.env, token.children)

    md.core.ruler.at("inline", plain_inline)


def _known_inline_rules(md: MarkdownIt) -> list[Any] | None:
    """The enabled inline rules after `text` (not counting this module's), when text comes
    first and every other one is in _TRIGGERS; else None."""
    rules = [r for r in md.inline.ruler.__rules__ if r.enabled and r.name != BY_CHARACTER_RULE]
    if not rules or rules[0].name != "text" or any(r.name not in _TRIGGERS for r in rules[1:]):
        return None
    return rules[1:]
