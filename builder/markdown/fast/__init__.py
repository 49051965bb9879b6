"""The speed-ups of the Markdown stage: the same HTML as the plain libraries, made faster.

This package is their one entry point: builder.markdown.convert and highlight use these
three functions and nothing else of it (the tests reach the modules themselves).

- `speed_up_parser(md)`: markdown-it's block rules, inline rules and core rules made
  faster (block.py, inline.py), after all of the parser's own rules are in place;
- `quick_renderer()`: markdown-it's HTML renderer with its commonest steps in its own
  loop, collecting the words a reader counts (renderer.py; see WORDS);
- `speed_up_lexer(lexer)`: a Pygments RegexLexer whose rules are tried as one regex per
  kind of first character, once a language's code adds up to repay making them
  (lexer.py, with first_chars.py); QUIRE_FAST_HIGHLIGHT=0 turns it off.

They use these private internals, which a new release of a library may change; the
version ranges in pyproject.toml are the releases tests/builder passed on, and
test_markdown.py, test_highlight.py and test_first_chars.py compare every speed-up with
the plain library's output, so an upgrade that breaks one fails a test, not a page.

markdown-it-py (block.py, inline.py, renderer.py):
- `Ruler.__rules__` (each rule's `name`, `fn`, `enabled`, `alt`), `Ruler.at`,
  `Ruler.getRules`, `Ruler.get_active_rules`: read and replace rules in place;
- the block rules' module-level `LOGGER` (each rule's `__globals__`), replaced in a copy
  of the rule, never in markdown-it's modules (quiet_block_rules);
- `ParserInline.tokenize`, `ParserInline.skipToken`, `ParserInline.terminator_re` (the
  text rule's regex), `ParserInline.ruler2` (the passes after the rules);
- `StateInline.append_pending`, `pending`, `pushPending`, `cache`, `pos`, `posMax`,
  `level`; `StateBlock.parentType`; the `text` rule function itself;
- `markdown_it.helpers` (`__all__`, `parseLinkDestination`, `parseLinkLabel`'s steps)
  and the parser's `md.helpers` namespace;
- `RendererHTML.rules`, `renderToken`, `renderInline`: the renderer's loop, redone.

Pygments (lexer.py, and highlight.py's `_flat_html`):
- `RegexLexer._tokens` (the compiled rules per state, made by its metaclass) and the
  shape of a rule: (the compiled regex's bound `match`, action, new state);
- `RegexLexer.get_tokens_unprocessed`'s loop, redone: state transitions (`#pop`,
  `#push`, tuples, ints), an `Error` token per unmatched character, back to "root" at
  a line end;
- `pygments.token._TokenType` (the class of token types, to tell a plain action from a
  callback) and the HTML `HtmlFormatter` makes for one token (`_flat_html`).

Python's `re` (lexer.py, first_chars.py):
- `re._parser.parse` and `re._constants` (the opcodes: AT, ASSERT, IN, LITERAL,
  BRANCH, SUBPATTERN, MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT, GROUPREF...): a rule's
  regex parse tree, to know its first characters and whether it has a backreference;
- that an alternation tries its alternatives in order and takes the first that matches,
  as Pygments tries its rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.markdown.fast.block import (
    WORDS,
    add_first_character_rule,
    gate_core_rules,
    linear_task_lists,
    quiet_block_rules,
)
from builder.markdown.fast.inline import (
    add_by_character_rule,
    add_inline_loop,
    add_plain_inline_rule,
    add_quick_link_destination,
    add_quick_skip,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from pygments.lexer import Lexer

__all__ = ["WORDS", "quick_renderer", "speed_up_lexer", "speed_up_parser"]


def speed_up_parser(md: MarkdownIt) -> None:
    """Make `md` parse faster, with the same tokens: call it once its rules are all added."""
    quiet_block_rules(md)  # before the rules below, which keep the rules they find
    add_first_character_rule(md)  # last: they need the whole chains of rules
    add_by_character_rule(md)
    add_inline_loop(md)
    add_quick_link_destination(md)
    add_quick_skip(md)
    add_plain_inline_rule(md)
    gate_core_rules(md)
    linear_task_lists(md)


def quick_renderer() -> type[RendererHTML]:
    """The renderer class to give MarkdownIt (markdown-it is imported only now)."""
    from builder.markdown.fast.renderer import QuickRenderer

    return QuickRenderer


def speed_up_lexer(lexer: Lexer) -> Lexer:
    """`lexer`, lexing with joined rules once its language's code repays making them."""
    from builder.markdown.fast.lexer import SETUP_CHARS, speed_up

    return speed_up(lexer, after=SETUP_CHARS)
