"""What becomes of an exception raised by the Markdown libraries (markdown-it, its plugins,
Pygments, nh3): a MarkdownError saying where in the text it happened, which the build
reports as an error naming the file and line, instead of a traceback."""

from __future__ import annotations

from types import TracebackType
from typing import Any

HINT = (
    "A Markdown library failed on the text near this line (a bug in the library, not in "
    "your post); rewording or reformatting that part usually avoids it."
)


class MarkdownError(Exception):
    """The Markdown text could not be rendered; `line` is 1-based in the text, if known."""

    def __init__(self, message: str, line: int | None = None, hint: str = HINT) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


def from_library(exc: Exception) -> MarkdownError:
    """A MarkdownError for an exception a library raised, with the line it was reading."""
    line, module = _where(exc.__traceback__)
    cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    place = f" in {module}" if module else ""
    return MarkdownError(f"Markdown could not be rendered ({cause}{place})", line)


def _where(tb: TracebackType | None) -> tuple[int | None, str]:
    """The line being read in the innermost frame that tells it (a block rule's
    `startLine`, a renderer rule's token), and the module that raised."""
    line, module = None, ""
    while tb is not None:
        frame = tb.tb_frame
        module = str(frame.f_globals.get("__name__", ""))
        found = _line(frame.f_locals)
        if found is not None:
            line = found
        tb = tb.tb_next
    return line, module


def _line(names: dict[str, Any]) -> int | None:
    start = names.get("startLine")
    if type(start) is int:
        return start + 1
    tokens, index = names.get("tokens"), names.get("idx")
    if isinstance(tokens, list) and type(index) is int and 0 <= index < len(tokens):
        found = getattr(tokens[index], "map", None)
        if isinstance(found, list) and found:
            return int(found[0]) + 1
    return None
