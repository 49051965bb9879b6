"""The manifest's bytes (and the sitemap's): deterministic, one line per entry, read back exactly.

Publishing compares manifests and a no-change build must not rewrite the file, so the
same manifest must always give the same bytes, whatever order it was built in.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from types import SimpleNamespace

import pytest

from builder.manifest import FileEntry, Manifest, Thread, _block, _files_block, _threads_block
from builder.render.feeds import sitemap

ALPHABET = 'ab/é"\\\n\t\x00\x1f\u2028 😀<>&'


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8)))


def _manifest(rng: random.Random) -> Manifest:
    kinds = ("asset", "static", "html", "redirect", "search", "feed", "meta")
    files = {
        _text(rng): FileEntry(
            _text(rng), rng.randint(0, 10**12), rng.choice(kinds),
            tuple(sorted(_text(rng) for _ in range(rng.randint(0, 3)))),
        )
        for _ in range(rng.randint(0, 6))
    }  # fmt: skip
    threads = {
        _text(rng): Thread(_text(rng), _text(rng), rng.choice([None, _text(rng)]), _text(rng))
        for _ in range(rng.randint(0, 4))
    }
    redirects = {_text(rng): _text(rng) for _ in range(rng.randint(0, 3))}
    return Manifest(files, threads, redirects, base_url=_text(rng))


@pytest.mark.parametrize("seed", range(40))
def test_any_manifest_reads_back_exactly(seed: int) -> None:
    manifest = _manifest(random.Random(seed))
    text = manifest.to_json()
    assert Manifest.from_json(text) == manifest
    json.loads(text)  # plain JSON for any other reader (the CloudFront function script)


@pytest.mark.parametrize("seed", range(10))
def test_the_same_manifest_gives_the_same_bytes(seed: int) -> None:
    manifest = _manifest(random.Random(seed))
    shuffled = Manifest(
        dict(reversed(manifest.files.items())),
        dict(reversed(manifest.threads.items())),
        dict(reversed(manifest.redirects.items())),
        base_url=manifest.base_url,
    )
    assert shuffled.to_json() == manifest.to_json()


def test_one_line_per_file_so_a_diff_shows_what_changed() -> None:
    files = {f"posts/{n}/index.html": FileEntry("ab" * 32, n, "html", ("theme",)) for n in range(5)}
    before = Manifest(files, base_url="https://example.com").to_json().splitlines()
    files["posts/3/index.html"] = FileEntry("cd" * 32, 3, "html", ("theme",))
    after = Manifest(files, base_url="https://example.com").to_json().splitlines()
    assert len(before) == len(after)
    changed = [a for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0].startswith('"posts/3/index.html":')


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_file_lines_are_the_generic_json(seed: int) -> None:
    files = _manifest(random.Random(seed)).files
    generic = _block(
        (path, {"sha256": e.sha256, "size": e.size, "kind": e.kind, "inputs": list(e.inputs)})
        for path, e in sorted(files.items())
    )
    assert _files_block(files) == generic


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_thread_lines_are_the_generic_json(seed: int) -> None:
    threads = _manifest(random.Random(seed)).threads
    generic = _block((key, asdict(t)) for key, t in sorted(threads.items()))
    assert _threads_block(threads) == generic


def test_sitemap_locations_are_percent_encoded_and_escaped_only_when_needed() -> None:
    config = SimpleNamespace(base_url="https://example.com")
    text = sitemap(config, [("/tags/café/", None), ("/a&b/", None), ("/posts/plain-1/", None)])
    locs = [line.strip() for line in text.decode().splitlines() if "<loc>" in line]
    assert locs == [
        "<loc>https://example.com/a&amp;b/</loc>",
        "<loc>https://example.com/posts/plain-1/</loc>",
        "<loc>https://example.com/tags/caf%C3%A9/</loc>",
    ]


@pytest.mark.parametrize("seed", range(20))
def test_a_manifest_read_back_and_changed_writes_what_a_new_one_would(seed: int) -> None:
    rng = random.Random(seed)
    before, after = _manifest(rng), _manifest(rng)
    read = Manifest.from_json(before.to_json())
    assert len(read.lines) == len(before.files)  # every line is known
    files = {**dict(list(read.files.items())[::2]), **after.files}  # kept, changed, added
    changed = Manifest(files, after.threads, after.redirects, after.base_url, lines=read.lines)
    assert (
        changed.to_json()
        == Manifest(files, after.threads, after.redirects, after.base_url).to_json()
    )
