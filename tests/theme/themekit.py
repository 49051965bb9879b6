"""Helpers for the theme tests: hand-made Site objects, rendering, HTML inspection.

The Site is built from real Documents (the parse stage's output shape), so the render
stage is tested on its own. (A uniquely named module: every tests/ folder has a conftest.)
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from builder.config import SiteConfig
from builder.model import Author, Document, OutputFile, Site, Term
from builder.render import render_site
from builder.themes import resolve_theme

REPO = Path(__file__).resolve().parents[2]
BASE_URL = "https://blog.example.com"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; driven by Playwright
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """`directory` on a loopback static file server, as a CDN would serve it: its URL."""
    handler = partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def term(kind: str, name: str) -> Term:
    slug = name.lower().replace(" ", "-")
    return Term(name=name, slug=slug, url=f"/{kind}/{slug}/")


def post(
    n: int,
    *,
    tags: Iterable[str] = (),
    day: int | None = None,
    **changes: Any,
) -> Document:
    """Post number `n`, dated n days after 2024-01-01 unless `day` says otherwise."""
    date = datetime(2024, 1, 1, 9, 30, tzinfo=UTC) + timedelta(days=day if day is not None else n)
    doc = Document(
        source=f"content/posts/post-{n}.md",
        kind="post",
        id=f"post-{n}",
        slug=f"post-{n}",
        url=f"/posts/post-{n}/",
        title=f"Post number {n}",
        date=date,
        updated=None,
        tags=tuple(term("tags", t) for t in tags),
        category=None,
        series=None,
        authors=("ada",),
        summary_html=f"<p>Summary of post {n} &amp; more.</p>",
        body=f"<p>Summary of post {n} &amp; more.</p>\n<p>Body of post {n}.</p>",
        toc=(),
        word_count=460,
    )
    return replace(doc, **changes)


def page(slug: str, **changes: Any) -> Document:
    doc = Document(
        source=f"content/{slug}.md",
        kind="page",
        id=slug,
        slug=slug,
        url=f"/{slug}/",
        title=slug.title(),
        date=None,
        updated=None,
        tags=(),
        category=None,
        series=None,
        authors=(),
        summary_html="<p>A page.</p>",
        body="<p>A page.</p>",
        toc=(),
        word_count=2,
    )
    return replace(doc, **changes)


AUTHORS = {
    "ada": Author(
        key="ada",
        name="Ada Lovelace",
        bio="Writes about engines.",
        avatar="/images/ada.png",
        links=(("Website", "https://ada.example.org"),),
        url="/authors/ada/",
    )
}


def make_site(posts: Iterable[Document], pages: Iterable[Document] = (), **config: Any) -> Site:
    """A collected Site: posts sorted oldest first, tag/category/series maps built."""
    ordered = tuple(sorted(posts, key=lambda d: (d.date, d.slug)))
    tags: dict[str, list[Document]] = defaultdict(list)
    categories: dict[str, list[Document]] = defaultdict(list)
    series: dict[str, list[Document]] = defaultdict(list)
    for doc in ordered:
        for t in doc.tags:
            tags[t.slug].append(doc)
        if doc.category:
            categories[doc.category.slug].append(doc)
        if doc.series:
            series[doc.series.slug].append(doc)
    settings = {"title": "Test Blog", "base_url": BASE_URL, "per_page": 3, **config}
    return Site(
        config=SiteConfig.model_validate(settings),
        posts=ordered,
        pages=tuple(sorted(pages, key=lambda d: d.slug)),
        authors=AUTHORS,
        tags={k: tuple(v) for k, v in tags.items()},
        categories={k: tuple(v) for k, v in categories.items()},
        series={k: tuple(v) for k, v in series.items()},
    )


Rendered = dict[str, OutputFile]


def render(site: Site, theme: Path | None = None) -> Rendered:
    """Render `site` with the default theme; fail on any diagnostic."""
    outputs, diagnostics = render_site(site, theme_dir=theme or resolve_theme("default", REPO))
    assert [str(d) for d in diagnostics] == []
    return {f.path: f for f in outputs}


def write(outputs: Rendered, out_dir: Path) -> Path:
    for path, file in outputs.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
    return out_dir


def html(outputs: Rendered, path: str) -> str:
    return outputs[path].data.decode("utf-8")


SiteFactory = Callable[..., Site]


class _Collector(HTMLParser):
    """Collects every element's attributes and text (enough for assertions on pages)."""

    VOID = frozenset(
        [
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "source",
            "track",
            "wbr",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


def find_all(markup: str, tag: str, **attrs: str) -> list[Element]:
    """Elements named `tag` whose attributes include `attrs` (class_ matches one class)."""
    collector = _Collector()
    collector.feed(markup)
    found = []
    for element in collector.elements:
        if element.tag != tag:
            continue
        ok = True
        for key, value in attrs.items():
            if key == "class_":
                ok = ok and value in element.attrs.get("class", "").split()
            else:
                ok = ok and element.attrs.get(key.replace("_", "-")) == value
        if ok:
            found.append(element)
    return found


def links(markup: str) -> list[str]:
    return [a.attrs["href"] for a in find_all(markup, "a") if "href" in a.attrs]
