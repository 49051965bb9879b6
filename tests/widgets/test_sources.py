"""A guard on the widget sources: the only markup they insert is the API's sanitised HTML."""

from __future__ import annotations

import re
from pathlib import Path

JS = Path(__file__).resolve().parents[2] / "themes" / "default" / "static" / "js"


def _sources() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(JS.glob("*.js"))}


def test_markup_comes_only_from_the_apis_sanitised_html_field() -> None:
    sources = _sources()
    assert {"quire-widgets.js", "quire-widgets-editor.js"} <= set(sources)
    for name, text in sources.items():
        # Every innerHTML assignment takes an API response's `html` field, nothing else.
        for line in re.findall(r".*\binnerHTML\b.*", text):
            assert re.search(r"\.innerHTML = (c|r)\.html;", line), f"{name}: {line.strip()}"
        for risky in ("outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
            assert risky not in text, f"{name} uses {risky}"
