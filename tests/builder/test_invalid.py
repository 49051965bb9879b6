"""One broken input per error message: the exact message, a non-zero result, old output untouched.

Each tests/builder/invalid/<case>/ folder is laid over a valid base site (invalid/_base)
that was built first; `expected.txt` holds the exact diagnostics, one a line.
Regenerate after a reviewed wording change:
    QUIRE_UPDATE_GOLDEN=1 pytest tests/builder/test_invalid.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from builder_testlib import INVALID, options, tree_digest

from builder.pipeline import build_site

CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir() and not p.name.startswith("_"))


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_exact_errors_and_keeps_old_output(case: str, tmp_path: Path) -> None:
    site = Path(shutil.copytree(INVALID / "_base", tmp_path / "site"))
    first = build_site(site, options())
    assert first.ok, [str(d) for d in first.diagnostics]
    before = tree_digest(first.output_dir)

    shutil.copytree(
        INVALID / case, site, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt")
    )
    result = build_site(site, options())

    lines = [str(d) for d in result.diagnostics if d.severity == "error"]
    expected_file = INVALID / case / "expected.txt"
    if os.environ.get("QUIRE_UPDATE_GOLDEN") == "1":
        expected_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lines == expected_file.read_text(encoding="utf-8").splitlines()
    assert not result.ok
    assert result.manifest is None
    assert tree_digest(first.output_dir) == before, "the previous output folder was modified"
    assert not [p for p in site.iterdir() if p.name.startswith(".public")], (
        "temporary folder left behind"
    )
