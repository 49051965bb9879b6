"""Reading baked comments back out of HTML, as a browser without JavaScript would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class BakedItem:
    """One baked comment: its id, parent item, JSON record and the text a reader sees."""

    id: int
    parent: int | None
    record: dict[str, Any]
    text: list[str] = field(default_factory=list)


class BakedReader(HTMLParser):
    """Collects the comment section's items, nesting, text and any script-capable markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: dict[int, BakedItem] = {}
        self.section: dict[str, str] = {}
        self.dangerous: list[str] = []
        self._stack: list[tuple[str, int | None]] = []  # open tags, with comment ids on <li>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "section" and values.get("id") == "comments":
            self.section = values
        inside = any(c is not None for _, c in self._stack) or "data-quire-comment" in values
        risky = tag in {"script", "img", "iframe", "style", "object", "svg"}
        if inside and (risky or any(k.startswith("on") for k in values)):
            self.dangerous.append(tag)
        cid: int | None = None
        if tag == "li" and "data-quire-comment" in values:
            cid = int(values["data-quire-comment"])
            parents = [c for _, c in self._stack if c is not None]
            self.items[cid] = BakedItem(
                cid, parents[-1] if parents else None, json.loads(values["data-quire-json"])
            )
        if tag not in {"br", "hr", "meta", "link", "img", "input"}:
            self._stack.append((tag, cid))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        ids = [c for _, c in self._stack if c is not None]
        if ids and data.strip():
            self.items[ids[-1]].text.append(data.strip())


def read_baked(html: str) -> BakedReader:
    """Parse a page or fragment; the reader holds what it found."""
    reader = BakedReader()
    reader.feed(html)
    reader.close()
    return reader
