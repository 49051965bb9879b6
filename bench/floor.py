"""The rendering floor of issue 6: markdown-it-py with Pygments alone, on one core.

    .venv/bin/python bench/floor.py SITE

Reads every SITE/content/posts/*.md into memory (not timed), strips the YAML front matter,
then times rendering every body with CommonMark plus tables, fenced code highlighted by
Pygments, in this one process. Prints one JSON line: posts, seconds on one core, usable CPUs
and the floor (seconds / CPUs). bench/build.py runs it once per round in a fresh process.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


def body(text: str) -> str:
    """The text after the front matter between the first two `---` lines."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[index + 1 :])
    return text


def highlight_code(code: str, lang: str, _attrs: str) -> str:
    """Pygments HTML for a known language; "" lets markdown-it escape it as plain code."""
    if not lang:
        return ""
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, HtmlFormatter()))


def measure(site: Path) -> dict[str, float | int]:
    posts = sorted((site / "content" / "posts").glob("*.md"))
    bodies = [body(path.read_text(encoding="utf-8")) for path in posts]
    md = MarkdownIt("commonmark", {"highlight": highlight_code}).enable("table")
    start = time.perf_counter()
    size = 0
    for text in bodies:
        size += len(md.render(text))
    seconds = time.perf_counter() - start
    cpus = len(os.sched_getaffinity(0))
    return {"posts": len(bodies), "one_core_s": seconds, "cpus": cpus,
            "floor_s": seconds / cpus, "html_chars": size}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
