"""Differential test on the CommonMark spec examples and markdown-it-py's own fixtures.

No installed package ships them, so the source distribution of the installed
markdown-it-py is fetched from the package index with pip (once per test session), and
every example it holds (the 652 spec examples; tables, strikethrough, task lists, XSS,
normalisation, fatal cases) goes through the builder's fast parser and the plain one:
the HTML must be identical.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from importlib import metadata

import pytest
from markdown_it.utils import read_fixture_file
from test_markdown import _FAST_AND_PLAIN, _env


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """(where from, Markdown) for every example of markdown-it-py's spec and fixtures."""
    folder = tmp_path_factory.mktemp("markdown-it-py-sdist")
    wanted = f"markdown-it-py=={metadata.version('markdown-it-py')}"
    fetch = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    done = subprocess.run(
        [*fetch, "--no-binary", ":all:", wanted, "-d", str(folder)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, f"pip could not fetch {wanted}'s sources: {done.stderr}"
    (archive,) = folder.glob("*.tar.gz")
    with tarfile.open(archive) as tar:  # read, not extracted: only the files named here
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            wanted_file = member.name.endswith("/test_cmark_spec/commonmark.json") or (
                "/test_port/fixtures/" in member.name and name.endswith(".md")
            )
            source = tar.extractfile(member) if wanted_file else None
            if source is not None:
                (folder / name).write_bytes(source.read())
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("commonmark.json")):
        found += [
            (f"spec example {e['example']}", e["markdown"]) for e in json.loads(path.read_text())
        ]
    for path in sorted(folder.glob("*.md")):
        found += [
            (f"{path.name}:{line} {title}", text)
            for line, title, text, _ in read_fixture_file(path)
        ]
    return found


@pytest.mark.parametrize("allow_html", [False, True])
def test_the_spec_examples_render_as_the_plain_libraries_render_them(
    examples: list[tuple[str, str]], allow_html: bool
) -> None:
    assert sum(where.startswith("spec example") for where, _ in examples) > 600
    assert len(examples) > 1000
    fast, plain = _FAST_AND_PLAIN[allow_html]
    for where, text in examples:
        assert fast.render(text, _env()) == plain.render(text, _env()), where
        # as a whole document's part: after other blocks, so references and footnotes meet
        text = f"# Title\n\n{text}\n\n[ref]: /r\n"
        assert fast.render(text, _env()) == plain.render(text, _env()), where
