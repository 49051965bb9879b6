"""Ways of making markdown-it parse faster that leave what it makes unchanged.

tests/builder/test_markdown.py compares the parser with and without them on random text
built from every block and inline construct, and on the starter site.
"""

from __future__ import annotations

import logging
import re
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline

# env[WORDS], when a list: markdown_render.QuickRenderer adds the text a reader counts as
# words to it (the text and inline code of every paragraph, heading, item, cell; every
# code block)
WORDS = "words"
FIRST_CHARACTER_RULE = "quire_first_character"
BY_CHARACTER_RULE = "quire_by_character"
# The first characters (after the indent) of the lines each block rule can take; it
# declines any other line at once. Rules not named here take lines starting with anything
# (table, lheading, deflist, paragraph), and code only indented lines.
_BLOCK_TRIGGERS = {
    "admonition": "!?", "fence": "`~", "blockquote": ">", "hr": "*-_",
    "list": "*-+0123456789", "footnote_def": "[", "reference": "[", "html_block": "<",
    "heading": "#",
}  # fmt: skip
# a link destination without `<`, `(`, a backslash, a space or a control character
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f\\()]+")
_TWO_LINES = {"table", "lheading"}  # they need a second line that is not blank
_KNOWN_RULES = {
    *_BLOCK_TRIGGERS, "table", "code", "lheading", "deflist", "paragraph",
}  # fmt: skip
# The characters each inline rule starts at (it returns False at once anywhere else).
_TRIGGERS = {
    "newline": "\n", "escape": "\\", "backticks": "`", "strikethrough": "~", "emphasis": "*_",
    "link": "[", "image": "!", "footnote_inline": "^", "footnote_ref": "[", "autolink": "<",
    "html_inline": "<", "entity": "&",
}  # fmt: skip
# What the inline parser does after its rules; none of them changes a lone text token.
_AFTER_INLINE = {"balance_pairs", "strikethrough", "emphasis", "fragments_join"}
# Core rules that change nothing in a text without any of these strings (see gate_core_rules):
# line ends other than "\n" and NUL characters (normalize); a task box, "[ ]" or "[x]"
# (tasklists); an escape or an entity, the only makers of the tokens text_join joins.
CORE_GATES = {
    "normalize": ("\r", "\0"),
    "github-tasklists": ("[ ]", "[x]", "[X]"),
    "text_join": ("\\", "&"),
}


def quiet_block_rules() -> None:
    """Drop markdown-it's per-line debug logging calls (about 7% of its parse time).

    Every block rule calls `LOGGER.debug(...)` for every line it looks at, which costs two
    Python calls even with logging off. `"".format` accepts any arguments and returns at
    once in C, so it stands in for `debug` on the rule modules' loggers.
    """
    quiet = SimpleNamespace(debug="".format)
    for name, module in list(sys.modules.items()):
        if name.startswith(("markdown_it.parser_block", "markdown_it.rules_block.")) and (
            isinstance(getattr(module, "LOGGER", None), logging.Logger)
        ):
            module.LOGGER = quiet  # type: ignore[attr-defined]


def add_first_character_rule(md: MarkdownIt) -> None:
    """Send each line straight to the block rules that can take a line starting as it does.

    markdown-it tries every block rule at the start of each block, in order, until one
    takes it: for a paragraph's line ten of them look at it and decline (about 6% of
    parsing), and five for a list item. All but four (table, lheading, deflist and
    paragraph, which take any text) decline a line at once unless its first character is
    one of theirs (see _BLOCK_TRIGGERS). This rule, first in the chain, tries the rules for
    that character, in markdown-it's order; an indented line (code, or a list item's
    continuation) goes down the usual chain. It is left out when the parser has a block
    rule it does not know (a plugin's, which might take such lines too).

    A line followed by a blank line (or by nothing) can start neither a table nor a setext
    heading (both need a second line), so those two are not tried for it; lheading, when
    it declines, leaves `parentType` at "paragraph", and so does this.
    """
    rules = md.block.ruler.__rules__
    if any(rule.name not in _KNOWN_RULES for rule in rules) or not rules:
        return
    enabled = set(md.block.ruler.get_active_rules())
    ordered = [(r.name, r.fn) for r in rules if r.name in enabled and r.name != "code"]
    lheading = "lheading" in enabled
    # first character -> (its rules, its rules when a blank line follows)
    chains: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

    def chains_for(character: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        takers = [(n, fn) for n, fn in ordered if character in _BLOCK_TRIGGERS.get(n, character)]
        found = chains[character] = (
            tuple(fn for _, fn in takers),
            tuple(fn for name, fn in takers if name not in _TWO_LINES),
        )
        return found

    def first_character(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.sCount[start] - state.blkIndent >= 4:  # indented code, or a list's text
            return False
        first = state.bMarks[start] + state.tShift[start]
        if first >= state.eMarks[start]:
            return False
        character = state.src[first]
        chain, alone = chains.get(character) or chains_for(character)
        after = start + 1
        if after >= end or state.bMarks[after] + state.tShift[after] >= state.eMarks[after]:
            if lheading:
                state.parentType = "paragraph"
            chain = alone
        for rule in chain:  # noqa: SIM110 - a loop, not any(): this runs for most lines
            if rule(state, start, end, silent):
                return True
        return False

    md.block.ruler.before(rules[0].name, FIRST_CHARACTER_RULE, first_character, {"alt": []})


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
    md.helpers = SimpleNamespace(**quick)  # type: ignore[assignment]


class _Destination:
    """A destination read (what markdown-it's reader returns when it finds one)."""

    __slots__ = ("ok", "pos", "str")

    def __init__(self, text: str, pos: int) -> None:
        self.ok, self.pos, self.str = True, pos, text


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


def gate_core_rules(md: MarkdownIt) -> None:
    """Skip a core rule (see CORE_GATES) for a text in which it has nothing to do.

    Each of these walks the whole text or every token of it, for every post, and most
    posts give it nothing to change: a Windows line end, a task box, an escaped character
    or an entity. A search of the text for those strings runs in C and costs far less.
    The rule itself is kept as the gate's `__wrapped__`.
    """
    for rule in md.core.ruler.__rules__:
        markers = CORE_GATES.get(rule.name)
        if markers is not None and not hasattr(rule.fn, "__wrapped__"):
            md.core.ruler.at(rule.name, _gated(rule.fn, markers))


def _gated(rule: Any, markers: tuple[str, ...]) -> Any:
    def gate(state: StateCore) -> None:
        text = state.src
        for marker in markers:
            if marker in text:
                rule(state)
                return

    gate.__wrapped__ = rule  # type: ignore[attr-defined]
    return gate


def _known_inline_rules(md: MarkdownIt) -> list[Any] | None:
    """The enabled inline rules after `text` (not counting this module's), when text comes
    first and every other one is in _TRIGGERS; else None."""
    rules = [r for r in md.inline.ruler.__rules__ if r.enabled and r.name != BY_CHARACTER_RULE]
    if not rules or rules[0].name != "text" or any(r.name not in _TRIGGERS for r in rules[1:]):
        return None
    return rules[1:]
