"""The manifest's fast serialiser writes exactly the bytes `json.dumps(indent=1)` wrote.

Publishing diffs manifests and a no-change build must not rewrite the file, so the
format may never drift: every byte is checked against the standard library's output.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from builder.manifest import FileEntry, Manifest, Thread, _dumps

ALPHABET = 'ab/é"\\\n\t\x00\x1f\u2028 😀<>&'


def _reference(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.randint(0, 9 if depth < 4 else 5)
    if roll == 0:
        return None
    if roll == 1:
        return rng.choice([True, False])
    if roll == 2:
        return rng.randint(-(10**20), 10**20)
    if roll == 3:
        return rng.choice([0.0, -0.0, 1.5, 1e300, -2.25e-7])
    if roll <= 5:
        return _text(rng)
    if roll <= 7:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("seed", range(40))
def test_random_values_serialise_like_json(seed: int) -> None:
    rng = random.Random(seed)
    value = {_text(rng): _value(rng) for _ in range(6)}
    assert _dumps(value) == _reference(value)


def test_manifest_bytes_match_json_dumps() -> None:
    manifest = Manifest(
        files={
            "posts/ü/index.html": FileEntry(
                "ab" * 32, 1234, "html", ("content/posts/ü.md", "theme")
            ),
            "feed.xml": FileEntry("cd" * 32, 0, "feed", ()),
        },
        threads={"t1": Thread("/posts/ü/", 'A "quoted" title\n', None, "content/posts/ü.md")},
        redirects={"/old/": "/posts/ü/"},
        base_url="https://example.com",
    )
    expected = {
        "version": manifest.version,
        "base_url": manifest.base_url,
        "files": {
            path: {"sha256": e.sha256, "size": e.size, "kind": e.kind, "inputs": list(e.inputs)}
            for path, e in manifest.files.items()
        },
        "threads": {
            "t1": {
                "url": "/posts/ü/",
                "title": 'A "quoted" title\n',
                "date": None,
                "source": "content/posts/ü.md",
            }
        },
        "redirects": {"/old/": "/posts/ü/"},
    }
    assert manifest.to_json() == _reference(expected) + "\n"
    assert Manifest.from_json(manifest.to_json()) == manifest


def test_mixed_keys_fail_like_json() -> None:
    with pytest.raises(TypeError):
        _reference({"a": {1: "x", "b": "y"}})
    with pytest.raises(TypeError):
        _dumps({"a": {1: "x", "b": "y"}})
