"""Front matter: split `---` fenced YAML from the body and load it safely.

Safe means: yaml's SafeLoader (the C one when available), a size cap, and anchors and
aliases refused (they allow "billion laughs" expansion and are never needed here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is ~10x faster; both are safe loaders
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml not compiled in
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that leaves dates as text, so Quire parses them with clear errors."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


MAX_FRONT_MATTER = 64 * 1024  # bytes of YAML


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The loaded YAML mapping, the body, and where things are for error messages."""

    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    key_lines: dict[str, int]  # top-level key -> 1-based line in the file


class FrontMatterError(ValueError):
    """The front matter is missing, too large or not valid YAML."""

    def __init__(self, message: str, hint: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.hint, self.line = message, hint, line


def split_front_matter(text: str) -> FrontMatter:
    """Split and load the front matter of a Markdown file (raises FrontMatterError)."""
    if "\r" in text:  # text that did not come through load (the inbox, the API)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        raise FrontMatterError(
            "no front matter found",
            hint="Start the file with a `---` line, then `title: ...`, then another `---` line.",
            line=1,
        )
    end = _closing_fence(text)
    if end is None:
        raise FrontMatterError(
            "front matter is not closed",
            hint="Add a line with just `---` after the last front matter field.",
            line=1,
        )
    yaml_text = text[4:end]
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER:
        raise FrontMatterError(
            f"front matter is larger than {MAX_FRONT_MATTER // 1024} KiB",
            hint="Move long text into the body of the post.",
            line=1,
        )
    after = text.find("\n", end + 1)
    body = "" if after == -1 else text[after + 1 :]
    body_line = yaml_text.count("\n") + 3
    data = _load_yaml(yaml_text)
    return FrontMatter(data, body, body_line, _key_lines(yaml_text))


def _closing_fence(text: str) -> int | None:
    """Index of the closing `---` line (which starts right after a newline)."""
    pos = 3
    while True:
        pos = text.find("\n---", pos)
        if pos == -1:
            return None
        tail = text[pos + 4 : pos + 5]
        if tail in ("", "\n"):
            return pos + 1
        pos += 4


_MARKERS = re.compile(r"[&*!]")


def _load_yaml(yaml_text: str) -> dict[str, Any]:
    # An anchor starts with `&`, an alias with `*`, a tag with `!`: without any of them
    # there is nothing to look for (most front matter), and the scan is half the cost.
    tokens = yaml.scan(yaml_text, Loader=_Loader) if _MARKERS.search(yaml_text) else ()
    try:
        for token in tokens:
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise FrontMatterError(
                    "YAML anchors and aliases (`&name`, `*name`) are not allowed in front matter",
                    hint="Write the value out in full.",
                    line=token.start_mark.line + 2,
                )
            if isinstance(token, yaml.TagToken):
                # !!set, !!binary, !!python/...: types templates cannot rely on, or worse
                raise FrontMatterError(
                    "YAML tags (`!!name`) are not allowed in front matter",
                    hint="Write plain text, numbers, lists and mappings.",
                    line=token.start_mark.line + 2,
                )
        data = yaml.load(yaml_text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        # the context mark is where the broken construct began: the line worth looking at
        mark = exc.context_mark or exc.problem_mark
        problem = exc.problem or "syntax error"
        if exc.context:
            problem += f" ({exc.context})"
        raise FrontMatterError(
            f"invalid YAML in front matter: {problem}",
            hint="Check the indentation, and quote values that contain `:` or `#`.",
            line=mark.line + 2 if mark is not None else None,
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"invalid YAML in front matter: {exc}") from None
    except RecursionError:  # absurdly deep nesting; the pure-Python parser recurses
        raise FrontMatterError(
            "front matter is nested too deeply", hint="Flatten the lists and mappings.", line=2
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            "front matter must be a set of `key: value` lines",
            hint="For example `title: Hello`.",
            line=2,
        )
    return {str(k): v for k, v in data.items()}


def _key_lines(yaml_text: str) -> dict[str, int]:
    """Top-level keys and their line numbers (unindented `key:` lines)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(yaml_text.splitlines(), start=2):
        if line and not line[0].isspace() and ":" in line and not line.startswith("#"):
            key = line.split(":", 1)[0].strip().strip("\"'")
            lines.setdefault(key, number)
    return lines
