"""The build cache's key follows every file of Quire's builder, wherever it sits.

Each case edits a copy of the `builder` package and asks a fresh Python process, importing
that copy, for its `cache_version()`: the key a site's `.quire-cache` is checked against.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import builder

PACKAGE = Path(builder.__file__).parent
_PRINT_KEY = "from builder.cache import cache_version; print(cache_version())"


def _key(root: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PRINT_KEY],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def copy_and_key(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], tuple[Path, str]]:
    """A fresh copy of the builder package (without byte code) and its cache key."""
    first: dict[str, str] = {}

    def make() -> tuple[Path, str]:
        root = tmp_path_factory.mktemp("quire")
        shutil.copytree(PACKAGE, root / "builder", ignore=shutil.ignore_patterns("__pycache__"))
        if not first:
            first["key"] = _key(root)
        return root / "builder", first["key"]

    return make


def _edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit a top-level module": lambda pkg: _edit(pkg / "model.py"),
    "edit a module that writes no page": lambda pkg: _edit(pkg / "preview" / "serve.py"),
    "edit a module in a subfolder": lambda pkg: _edit(pkg / "render" / "seo.py"),
    "edit a module two folders down": lambda pkg: _edit(pkg / "markdown" / "fast" / "lexer.py"),
    "edit a package's __init__": lambda pkg: _edit(pkg / "markdown" / "fast" / "__init__.py"),
    "add a module": lambda pkg: (pkg / "extra.py").write_text("X = 1\n"),
    "add a module in a new subfolder": lambda pkg: (
        (pkg / "stages").mkdir(),
        (pkg / "stages" / "__init__.py").write_text(""),
        (pkg / "stages" / "extra.py").write_text("X = 1\n"),
    ),
    "move a module into another subfolder": lambda pkg: (
        (pkg / "publish" / "seo.py").write_bytes((pkg / "render" / "seo.py").read_bytes()),
        (pkg / "render" / "seo.py").unlink(),
    ),
    "move a module up to the top": lambda pkg: (
        (pkg / "render" / "seo.py").rename(pkg / "seo.py"),
    ),
    "rename a module": lambda pkg: (pkg / "render" / "seo.py").rename(
        pkg / "render" / "search_seo.py"
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_to_the_builder_changes_the_cache_key(
    change: str, copy_and_key: Callable[[], tuple[Path, str]]
) -> None:
    package, before = copy_and_key()
    CHANGES[change](package)
    assert _key(package.parent) != before


def test_byte_code_and_the_installed_themes_do_not_count(
    copy_and_key: Callable[[], tuple[Path, str]],
) -> None:
    """What a run leaves behind (byte code) and the themes a wheel ships inside the
    package (every build hashes its theme's files itself) leave the key alone."""
    package, before = copy_and_key()
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0byte code")
    (package / "_data" / "themes" / "plain").mkdir(parents=True)
    (package / "_data" / "themes" / "plain" / "base.html").write_text("<html></html>")
    assert _key(package.parent) == before
