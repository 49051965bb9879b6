"""The order of uploads: nothing goes up before what it links to.

A published file may link only to files already published or uploaded in an earlier
group, so a publish stopped by a failure never leaves a page pointing at a missing page
or asset. Kinds give the coarse order (`plan.GROUPS`: assets, pages, search, feeds,
meta); the links found in the files refine it: a file that links to a file new in this
publish goes up in a later group than that file. So a new post's page goes up after its
images and before the home page, list pages and feeds that link to it, and the sitemap,
which links to everything, last. A link to a file that is only replaced needs no order:
its old version answers meanwhile. New files that link to each other (a new post and
its new tag page) cannot all wait for each other: there the links from articles up to
the lists are the ones that wait, and files still in a cycle share a group.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from builder.manifest import Manifest
from builder.publish.plan import GROUPS, Upload

# Text files whose links are followed; larger ones are not scanned (and need no order).
# Scripts are not: their URLs are built at run time, and a `/` in code is no link.
_SCANNED = (".html", ".htm", ".xml", ".json", ".css", ".txt", ".svg", ".webmanifest")
_MAX_SCAN = 4 << 20
# In a cycle, links from more to less leaf-like files wait: assets, articles (pages + 1),
# other pages, then feeds, search files and the sitemap.
_LEAFNESS = {"asset": 3, "static": 3, "html": 1, "redirect": 1}
# A URL is a run of characters between spaces, quotes, brackets, `=` and commas (srcset).
_SEPARATORS = str.maketrans(dict.fromkeys("\"'<>()=,\\`", " "))


def upload_groups(
    uploads: Sequence[Upload],
    output_dir: Path,
    *,
    base_url: str,
    articles: Collection[str] = frozenset(),
) -> list[tuple[str, list[Upload]]]:
    """The uploads in ordered, non-empty groups; each group only links to earlier ones
    (except inside a cycle of new files, where articles go before the lists)."""
    rank = {kind: i for i, (_name, kinds) in enumerate(GROUPS) for kind in kinds}
    names = [name for name, _kinds in GROUPS]
    by_key = {u.key: u for u in uploads}
    deps: dict[str, set[str]] = {}
    new = [u.key for u in uploads if not u.replaces]
    if new:  # nothing new, nothing to wait for
        links = _Links(new, base_url)
        for upload in uploads:
            deps[upload.key] = links.of(upload.key, output_dir)
    keys = [u.key for u in uploads]
    if deps:
        leafness = {u.key: _LEAFNESS.get(u.kind, 0) + (u.key in articles) for u in uploads}
        deps = _break_cycles(_components(keys, deps), deps, leafness)
    stage: dict[str, int] = {}
    for component in _components(keys, deps):
        inside = set(component)
        step = max(rank[by_key[k].kind] for k in component)
        for key in component:
            for dep in deps.get(key, ()):
                if dep not in inside:
                    step = max(step, stage[dep] + 1)
        for key in component:
            stage[key] = step
    groups: dict[int, list[Upload]] = {}
    for upload in uploads:
        groups.setdefault(stage[upload.key], []).append(upload)
    out = []
    for step in sorted(groups):
        batch = groups[step]
        kinds = sorted({rank[u.kind] for u in batch})
        out.append(("+".join(names[i] for i in kinds), batch))
    return out


class _Links:
    """Finds which of the new files a file links to (a text scan of URL-like runs)."""

    def __init__(self, new: Sequence[str], base_url: str) -> None:
        base = urlsplit(base_url)
        self.netloc = base.netloc
        self.prefix = base.path.rstrip("/")
        # Every site path a reader may use for each key: `/a/b/`, `/a/b`, `/a/b/index.html`.
        self.lookup: dict[str, str] = {}
        for key in new:
            self.lookup["/" + key] = key
            if key == "index.html" or key.endswith("/index.html"):
                folder = "/" + key[: -len("index.html")]
                self.lookup[folder] = key
                self.lookup.setdefault(folder.rstrip("/") or "/", key)
            elif key.endswith(".html"):
                self.lookup.setdefault("/" + key[: -len(".html")], key)
        # Last segments of those paths: most runs of text are dismissed by this alone.
        self.tails = {p.rstrip("/").rsplit("/", 1)[-1] for p in self.lookup} | {"", ".", ".."}

    def of(self, key: str, output_dir: Path) -> set[str]:
        """The new files `key` links to."""
        path = output_dir / key
        if not key.endswith(_SCANNED) or path.stat().st_size > _MAX_SCAN:
            return set()
        here = "/" + posixpath.dirname(key)
        found: set[str] = set()
        text = path.read_text(encoding="utf-8", errors="replace").translate(_SEPARATORS)
        for token in text.split():
            if "/" not in token and "." not in token:
                continue  # a word, not a path
            url = token.partition("#")[0].partition("?")[0]
            if "%" in url:
                url = unquote(url)
            if url.rstrip("/").rsplit("/", 1)[-1] not in self.tails:
                continue
            target = self._site_path(url, here)
            hit = self.lookup.get(target) if target else None
            if hit is not None and hit != key:
                found.add(hit)
        return found

    def _site_path(self, url: str, here: str) -> str | None:
        """The path in the site `url` names, seen from folder `here` (None: elsewhere)."""
        if "://" in url or url.startswith("//"):
            parts = urlsplit(url)
            if parts.netloc != self.netloc:
                return None  # another site
            url = parts.path
        elif not url.startswith("/"):
            if ":" in url.partition("/")[0]:
                return None  # mailto:, data:, javascript:
            slash = "/" if url.endswith("/") else ""
            return (posixpath.normpath(posixpath.join(here, url)) + slash).replace("//", "/")
        if self.prefix and url.startswith(self.prefix + "/"):
            url = url[len(self.prefix) :]
        return url


def _break_cycles(
    components: list[list[str]], deps: dict[str, set[str]], leafness: Mapping[str, int]
) -> dict[str, set[str]]:
    """Inside each cycle, drop the links from a file up to less leaf-like files (an
    article's links to its tag page, home page or feed; a page's links to a feed), so
    those go up after what they list; some link of a cycle must wait in any order.

    A file outside a cycle that links into it waits for the whole cycle: until then
    nothing published leads to the cycle's files, so none of its links is followed.
    """
    cycles = [set(c) for c in components if len(c) > 1]
    cycle_of = {key: cycle for cycle in cycles for key in cycle}
    kept: dict[str, set[str]] = {}
    for key, links in deps.items():
        own = cycle_of.get(key, set())
        kept[key] = {d for d in links if d not in own or leafness[d] >= leafness[key]}
        for dep in links:
            if dep not in own and dep in cycle_of:
                kept[key] |= cycle_of[dep]
    return kept


def article_keys(manifest: Manifest) -> frozenset[str]:
    """The pages of the manifest's articles (the leaves that lists and feeds link to)."""
    keys = set()
    for thread in manifest.threads.values():
        path = thread.url.lstrip("/")
        keys.add(path + "index.html" if not path or path.endswith("/") else path)
    return frozenset(keys)


def _components(nodes: Sequence[str], deps: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components, each listed after all it links to (Tarjan's)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in nodes:
        if root in index:
            continue
        visit(root)
        work = [(root, iter(sorted(deps.get(root, ()))))]
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    visit(nxt)
                    work.append((nxt, iter(sorted(deps.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while not component or component[-1] != node:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                    out.append(component)
    return out
