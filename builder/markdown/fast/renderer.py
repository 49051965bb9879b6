"""markdown-it's HTML renderer with its commonest steps done in its own loops: the same
HTML, made with fewer Python calls (tests/builder/test_markdown.py compares them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from builder.markdown.fast.block import WORDS

_WORDS = frozenset({"text", "code_inline"})
_CODE_BLOCKS = frozenset({"fence", "code_block"})


class QuickRenderer(RendererHTML):
    """markdown-it's HTML renderer, with its commonest steps done in its loops.

    A post has about 350 tokens; for each, markdown-it's loop looks up its rule and calls
    it, and most are plain tags (`<p>`, `</li>`) made by the general `renderToken`, or
    text escaped by the `text` rule. Here an opening or closing tag without attributes
    is made in place, with `renderToken`'s line ends, and text is escaped in place while
    `text` is still markdown-it's own. Anything else (a tag with attributes, a hidden
    one, a self-closing one) goes to the rules and `renderToken` as before.

    It also collects the words of what it renders (see WORDS): one more walk over every
    token, after rendering, would cost as much again.
    """

    def __init__(self, parser: Any = None) -> None:
        super().__init__(parser)
        self._own_text = self.rules["text"]  # replaced by add_render_rule("text", ...)

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        rules, out = self.rules, []
        words = env.get(WORDS)
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))
                continue
            if words is not None and kind in _CODE_BLOCKS:
                words.append(token.content)
            if kind in rules:
                out.append(rules[kind](tokens, index, options, env))
            elif token.nesting and not token.attrs and not token.hidden:
                out.append(_block_tag(tokens, index, token) if token.block else _tag(token))
            else:
                out.append(self.renderToken(tokens, index, options, env))
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        rules, out = self.rules, []
        own_text = rules.get("text") is self._own_text
        words = env.get(WORDS)
        for index, token in enumerate(tokens):
            kind = token.type
            if words is not None and kind in _WORDS:
                words.append(token.content)
            if kind == "text" and own_text:
                out.append(escapeHtml(token.content))
            elif kind in rules:
                out.append(rules[kind](tokens, index, options, env))
            elif token.nesting and not token.attrs and not token.hidden and not token.block:
                out.append(_tag(token))
            else:
                out.append(self.renderToken(tokens, index, options, env))
        return "".join(out)


def _tag(token: Token) -> str:
    """What renderToken makes of an inline opening or closing tag without attributes
    (`<em>`, `</strong>`)."""
    return ("</" if token.nesting == -1 else "<") + token.tag + ">"


def _block_tag(tokens: Sequence[Token], index: int, token: Token) -> str:
    """What renderToken makes of a block opening or closing tag without attributes, with
    its line ends: one after it, except after an opening tag whose content is inline or
    hidden, or that closes at once; one before an opening tag that follows a hidden
    (tight list) paragraph."""
    if token.nesting == -1:
        return "</" + token.tag + ">\n"
    lead = "\n" if index and tokens[index - 1].hidden else ""
    if index + 1 < len(tokens):
        after = tokens[index + 1]
        if (
            after.type == "inline"
            or after.hidden
            or (after.nesting == -1 and after.tag == token.tag)
        ):
            return lead + "<" + token.tag + ">"
    return lead + "<" + token.tag + ">\n"
