"""The golden sample site: its whole output, file by file, against sites/basic.expected.

Accept a reviewed change in output with one command:
    QUIRE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/builder/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from builder_testlib import SITES

from builder.pipeline import BuildResult

EXPECTED = SITES / "basic.expected"
# every file is compared, the search index's too (JSON of Quire's own: builder.search_shards)
SKIP_PREFIXES: tuple[str, ...] = ()
MAX_DIFFS = 8  # show this many diffs in full, then only the names


def _files(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(SKIP_PREFIXES)
    }


def _describe(rel: str, expected: Path, actual: Path) -> str:
    """A readable difference: a unified diff for text, sizes for binary files."""
    old, new = expected.read_bytes(), actual.read_bytes()
    try:
        old_lines = old.decode("utf-8").splitlines()
        new_lines = new.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{rel}: binary file differs ({len(old)} -> {len(new)} bytes)"
    diff = difflib.unified_diff(
        old_lines, new_lines, f"expected/{rel}", f"actual/{rel}", lineterm="", n=2
    )
    lines = list(diff)
    shown = lines[:40] + ([f"... {len(lines) - 40} more diff lines"] if len(lines) > 40 else [])
    return "\n".join(shown)


def test_golden_site_output_matches_expected(built_site: BuildResult) -> None:
    actual = _files(built_site.output_dir)
    if os.environ.get("QUIRE_UPDATE_GOLDEN") == "1":
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, path in actual.items():
            target = EXPECTED / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    expected = _files(EXPECTED)
    problems: list[str] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        problems.append("files no longer produced:\n  " + "\n  ".join(missing))
    if extra:
        problems.append("new files:\n  " + "\n  ".join(extra))
    differing = [
        rel
        for rel in sorted(set(expected) & set(actual))
        if expected[rel].read_bytes() != actual[rel].read_bytes()
    ]
    problems.extend(_describe(rel, expected[rel], actual[rel]) for rel in differing[:MAX_DIFFS])
    if len(differing) > MAX_DIFFS:
        problems.append("also differ:\n  " + "\n  ".join(differing[MAX_DIFFS:]))
    assert not problems, (
        "built output differs from tests/builder/sites/basic.expected "
        "(if intended: QUIRE_UPDATE_GOLDEN=1 pytest tests/builder/test_golden.py)\n\n"
        + "\n\n".join(problems)
    )


def test_golden_site_contents(built_site: BuildResult) -> None:
    """What the golden site must contain, independent of the theme's markup."""
    out = built_site.output_dir
    assert built_site.site is not None
    slugs = [d.slug for d in built_site.site.posts]
    # oldest first; the draft and the future post are left out
    assert slugs == ["welcome", "highlighting-code", "markdown-tour", "series-and-tags", "raw-html"]
    assert (out / "posts/welcome/index.html").is_file()
    assert not (out / "posts/unfinished-ideas").exists()
    assert not (out / "posts/from-the-future").exists()
    assert (out / "about/index.html").is_file()
    assert (out / "images/cover.svg").read_bytes() == (
        SITES / "basic/static/images/cover.svg"
    ).read_bytes()
    manifest = built_site.manifest
    assert manifest is not None
    assert manifest.redirects == {"/2024/03/markdown.html": "/posts/markdown-tour/"}
    assert set(manifest.threads) == {
        "welcome-to-quire",
        "highlighting-code",
        "markdown-tour",
        "series-and-tags",
        "raw-html",
        "about",
    }
    assert manifest.threads["welcome-to-quire"].url == "/posts/welcome/"
    assert manifest.files["posts/welcome/index.html"].kind == "html"
    assert (
        "content/posts/2024-01-15-welcome.md" in manifest.files["posts/welcome/index.html"].inputs
    )
    assert manifest.files["images/cover.svg"].kind == "static"
