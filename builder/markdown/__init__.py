"""The Markdown stage's public face: Markdown text in, safe HTML out.

`render_markdown` (posts, the API's comments, the inbox preview) and `render_inline` live
in builder.markdown.convert, code highlighting in builder.markdown.highlight; the speed-ups
both use are in builder.markdown.fast, behind one entry point.
"""

from builder.markdown.convert import (
    FenceMemo,
    RenderedMarkdown,
    fence_key,
    render_inline,
    render_markdown,
    safe_url,
    slugify,
)
from builder.markdown.errors import MarkdownError

__all__ = [
    "FenceMemo",
    "MarkdownError",
    "RenderedMarkdown",
    "fence_key",
    "render_inline",
    "render_markdown",
    "safe_url",
    "slugify",
]
