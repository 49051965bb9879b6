"""Ways of making markdown-it's block parser and core rules faster that leave what it makes
unchanged (the inline parser's are in builder.markdown.fast.inline).

tests/builder/test_markdown.py compares the parser with and without them on random text
built from every block and inline construct, and on the starter site.
"""

from __future__ import annotations

import logging
from types import FunctionType, SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore

# env[WORDS], when a list: renderer.QuickRenderer adds the text a reader counts as
# words to it (the text and inline code of every paragraph, heading, item, cell; every
# code block)
WORDS = "words"
FIRST_CHARACTER_RULE = "quire_first_character"
# The first characters (after the indent) of the lines each block rule can take; it
# declines any other line at once. Rules not named here take lines starting with anything
# (table, lheading, deflist, paragraph), and code only indented lines.
_BLOCK_TRIGGERS = {
    "admonition": "!?", "fence": "`~", "blockquote": ">", "hr": "*-_",
    "list": "*-+0123456789", "footnote_def": "[", "reference": "[", "html_block": "<",
    "heading": "#",
}  # fmt: skip
_TWO_LINES = {"table", "lheading"}  # they need a second line that is not blank
_KNOWN_RULES = {
    *_BLOCK_TRIGGERS, "table", "code", "lheading", "deflist", "paragraph",
}  # fmt: skip
# Core rules that change nothing in a text without any of these strings (see gate_core_rules):
# line ends other than "\n" and NUL characters (normalize); a task box, "[ ]" or "[x]"
# (tasklists); an escape or an entity, the only makers of the tokens text_join joins.
CORE_GATES = {
    "normalize": ("\r", "\0"),
    "github-tasklists": ("[ ]", "[x]", "[X]"),
    "text_join": ("\\", "&"),
}


def quiet_block_rules(md: MarkdownIt) -> None:
    """Drop markdown-it's per-line debug logging calls (about 7% of its parse time) from
    this parser's block rules.

    Every block rule calls `LOGGER.debug(...)` for every line it looks at, which costs two
    Python calls even with logging off. `"".format` accepts any arguments and returns at
    once in C, so it stands in for `debug`: each rule of `md` whose module has a `LOGGER`
    is replaced by a copy of the function that reads its globals from a copy of its
    module's, where LOGGER is that stand-in. markdown-it's modules, and so every other
    parser in the process (the API's comment renderer), keep their loggers.
    """
    quiet = SimpleNamespace(debug="".format)
    for rule in list(md.block.ruler.__rules__):
        fn = rule.fn
        scope = getattr(fn, "__globals__", {})
        if isinstance(fn, FunctionType) and isinstance(scope.get("LOGGER"), logging.Logger):
            copy = FunctionType(
                fn.__code__,
                {**scope, "LOGGER": quiet},
                fn.__name__,
                fn.__defaults__,
                fn.__closure__,
            )
            copy.__kwdefaults__ = fn.__kwdefaults__
            md.block.ruler.at(rule.name, copy, {"alt": rule.alt})


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


def linear_task_lists(md: MarkdownIt) -> None:
    """Run the task list plugin's rule once per list item, on that item's tokens only.

    For each item that starts with a task box, the plugin (mdit_py_plugins.tasklists)
    looks back through every token before it for its list: quadratic in the items of a
    long list (25,000 items, 200 KB, took minutes). This finds the list as it goes
    (the latest token one level up) and hands the plugin's own rule the item's three
    tokens after it, then the document's last token, where the plugin's search falls
    back when no list is found: the same changes to the same tokens, in linear time.
    Call it after gate_core_rules: it keeps the gated rule as its `__wrapped__`.
    """
    from markdown_it.token import Token

    rules = {rule.name: rule.fn for rule in md.core.ruler.__rules__}
    gated = rules.get("github-tasklists")
    if gated is None:
        return
    own = getattr(gated, "__wrapped__", gated)
    markers = CORE_GATES["github-tasklists"]
    no_list = Token("", "", 0)
    no_list.level = -2  # one below no item's level

    def task_lists(state: StateCore) -> None:
        if not any(marker in state.src for marker in markers):
            return
        tokens = state.tokens
        latest: dict[int, Any] = {}  # level -> the latest token at it, before the item
        for index in range(2, len(tokens) - 1):
            if index >= 3:
                before = tokens[index - 3]
                latest[before.level] = before
            item = tokens[index - 2]
            if item.type == "list_item_open" and tokens[index].type == "inline":
                found = latest.get(item.level - 1, no_list)
                window = [found, item, tokens[index - 1], tokens[index], tokens[-1]]
                own(SimpleNamespace(tokens=window))  # type: ignore[arg-type]  # reads only .tokens

    task_lists.__wrapped__ = gated  # type: ignore[attr-defined]
    md.core.ruler.at("github-tasklists", task_lists)
