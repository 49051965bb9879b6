"""A guard on the widget sources: the only markup they insert is the API's sanitised HTML."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "widgets" / "src"
SHIPPED = REPO / "themes" / "default" / "static" / "js"


def _read(paths: list[Path]) -> dict[str, str]:
    return {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def test_markup_comes_only_from_the_apis_sanitised_html_field() -> None:
    sources = _read(sorted(SOURCES.rglob("*.js")))
    assert "widgets/src/comment-view.js" in sources and "widgets/src/editor/composer.js" in sources
    assigned = 0
    for name, text in sources.items():
        # Every innerHTML assignment takes an API answer's `html` field, nothing else.
        for line in re.findall(r".*\binnerHTML\b.*", text):
            safe = re.search(r"\.innerHTML = (comment|answer)\.html;", line)
            assert safe, f"{name}: {line.strip()}"
            assigned += 1
    assert assigned == 2  # a comment's body and the editor's preview


def test_no_other_way_to_insert_markup_or_code_in_sources_or_built_files() -> None:
    files = _read(sorted(SOURCES.rglob("*.js")) + sorted(SHIPPED.glob("*.js")))
    assert {"themes/default/static/js/quire-widgets.js"} <= set(files)
    for name, text in files.items():
        for risky in ("outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
            assert risky not in text, f"{name} uses {risky}"
