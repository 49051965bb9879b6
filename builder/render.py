"""The render stage: a collected Site in, every page, feed and asset of the site out.

Rendering never reads content from disk: it gets plain data (``Site``) and returns plain
data (``OutputFile``), each file listing the inputs it was made from. Templates come only
from the theme's ``templates/`` folder; content is never compiled as a template (article
HTML arrives already sanitised and is passed in as Markup).

Inputs are site-relative source paths plus pseudo-inputs: ``theme`` (any template),
``theme:static/<file>`` (one asset), ``config`` (quire.toml), ``authors`` (the authors
file) and ``list:<url>`` (which posts the list at <url> holds, in order: "/" for the
whole site, a tag, series... URL otherwise).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    select_autoescape,
)

from builder import feeds, render_pages, seo
from builder.assets import AssetError, Assets, build_assets
from builder.manifest import FileKind
from builder.model import Author, Diagnostic, Document, OutputFile, Site
from builder.pagination import Pager, paginate
from builder.render_pages import list_input, term_of

THEME = "theme"  # pseudo-input: any template change affects the page
CONFIG = "config"  # pseudo-input: quire.toml
AUTHORS = "authors"  # pseudo-input: the authors file
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class BakedThread:
    """A thread's approved comments as of publishing, baked into the page for no-JS readers.

    `html` is the interaction API's sanitised HTML (an ``<ol class="quire-list">``);
    `last_id` becomes ``data-quire-baked-until`` so the widget fetches only newer comments.
    """

    html: str = ""
    last_id: int = 0
    likes: int = 0


def render_site(
    site: Site, *, theme_dir: Path, baked: Mapping[str, BakedThread] | None = None
) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Render every page, feed and theme asset of `site` with the theme in `theme_dir`.

    `baked` (thread id -> BakedThread) is what the publisher knows of each thread's
    comments; without it, pages carry empty comment sections that the widget fills.
    """
    renderer = _Renderer(site, theme_dir, baked or {})
    renderer.render_all()
    return renderer.outputs, renderer.diagnostics


def make_environment(theme_dir: Path, config: Any, assets: Assets) -> Environment:
    """A Jinja environment that loads only the theme's templates, autoescaped and strict."""
    env = Environment(
        loader=FileSystemLoader(str(theme_dir / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    base_path = urlsplit(config.base_url).path.rstrip("/")

    def url(path: str) -> str:
        return path if "://" in path or not path.startswith("/") else base_path + path

    env.filters["url"] = url
    env.filters["abs_url"] = lambda path: seo.absolute(config.base_url, path)
    env.filters["date"] = human_date
    env.filters["iso"] = seo.iso
    env.tests["safe_link"] = is_safe_link
    env.globals.update(
        config=config,
        asset=lambda name: url(assets.url(name)),
        has_asset=assets.has,
        menu=config.menu,
    )
    return env


def is_safe_link(value: str) -> bool:
    """Whether a link from data (author links, menu) may become an href: no script schemes."""
    scheme = urlsplit(value.strip()).scheme.lower()
    return scheme in {"", "http", "https", "mailto"}


def human_date(value: datetime) -> str:
    """'March 5, 2024': from the document's own date, independent of the machine's locale."""
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return f"{months[value.month - 1]} {value.day}, {value.year}"


def url_to_path(url: str) -> str | None:
    """The output file for a site URL path ("/a/b/" -> "a/b/index.html"); None if unsafe."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "\\" in path or "\x00" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in {".", ".."} for p in parts):
        return None
    if not parts:
        return "index.html"
    if not path.endswith("/") and PurePosixPath(parts[-1]).suffix:  # a file: feed.xml, a.html
        return "/".join(parts)
    return "/".join([*parts, "index.html"])


class _Renderer:
    """Holds the environment and the files produced so far for one render."""

    def __init__(self, site: Site, theme_dir: Path, baked: Mapping[str, BakedThread]) -> None:
        self.site = site
        self.baked = baked
        self.config = site.config
        self.assets = build_assets(theme_dir)
        self.env = make_environment(theme_dir, self.config, self.assets)
        self.outputs: list[OutputFile] = list(self.assets.files)
        self.diagnostics: list[Diagnostic] = []
        self.sitemap: list[tuple[str, datetime | None]] = []
        self._paths: set[str] = {f.path for f in self.outputs}
        self.by_author: dict[str, list[Document]] = defaultdict(list)
        for post in site.posts:
            for key in post.authors:
                self.by_author[key].append(post)

    # -- output helpers -------------------------------------------------------------
    def emit(self, path: str, data: bytes, kind: FileKind, inputs: set[str]) -> None:
        """Add one output file, refusing a second file at the same path."""
        if path in self._paths:
            self.diagnostics.append(
                Diagnostic(
                    "error",
                    _origin(inputs),
                    f"two outputs would be written to `{path}`",
                    hint="Change a slug or an alias so each URL is unique.",
                )
            )
            return
        self._paths.add(path)
        self.outputs.append(OutputFile(path, data, kind, tuple(sorted(inputs))))

    def page(
        self,
        template: str,
        url: str,
        context: dict[str, Any],
        inputs: set[str],
        *,
        kind: FileKind = "html",
        path: str | None = None,
        lastmod: datetime | None = None,
        in_sitemap: bool = True,
    ) -> None:
        """Render `template` for the page at `url` and emit it."""
        out = path or url_to_path(url)
        if out is None:
            self.diagnostics.append(
                Diagnostic(
                    "error",
                    _origin(inputs),
                    f"URL {url!r} would escape the output folder",
                    hint="Use a plain path such as /old/post/.",
                )
            )
            return
        try:
            html = self.env.get_template(template).render(page_url=url, **context)
        except TemplateNotFound as exc:
            self.diagnostics.append(
                Diagnostic(
                    "error",
                    f"theme templates/{exc.name}",
                    "template is missing",
                    hint=f"The theme must provide {exc.name} (needed for {url}).",
                )
            )
            return
        except (TemplateError, AssetError) as exc:
            self.diagnostics.append(
                Diagnostic(
                    "error",
                    f"theme templates/{template}",
                    f"template failed while rendering {url}: {exc}",
                )
            )
            return
        self.emit(out, html.encode("utf-8"), kind, inputs | {THEME, CONFIG})
        if kind == "html" and in_sitemap:
            self.sitemap.append((url, lastmod))

    # -- the site ---------------------------------------------------------------------
    def render_all(self) -> None:
        """Every page type, then feeds and sitemap (which need the list of pages)."""
        render_pages.render_documents(self)
        render_pages.render_lists(self)
        render_pages.render_special(self)
        self.render_machines()

    def render_machines(self) -> None:
        """Feeds, sitemap.xml and robots.txt."""
        site, config = self.site, self.config
        newest = feeds.newest_first(site.posts, config.feed_items)
        sources = {d.source for d in newest} | {list_input("/")}
        self.emit(
            "feed.xml",
            feeds.atom_feed(
                config,
                site.posts,
                site.authors,
                feed_path="/feed.xml",
                page_path="/",
                title=config.title,
            ),
            "feed",
            sources | {CONFIG, AUTHORS},
        )
        self.emit(
            "feed.json",
            feeds.json_feed(config, site.posts, site.authors),
            "feed",
            sources | {CONFIG, AUTHORS},
        )
        for slug, posts in sorted(site.tags.items()):
            term = term_of(posts, slug, "tags")
            shown = {d.source for d in feeds.newest_first(posts, config.feed_items)}
            self.emit(
                url_to_path(term.url + "feed.xml") or f"tags/{slug}/feed.xml",
                feeds.atom_feed(
                    config,
                    posts,
                    site.authors,
                    feed_path=term.url + "feed.xml",
                    page_path=term.url,
                    title=f"{config.title}: {term.name}",
                ),
                "feed",
                shown | {CONFIG, AUTHORS, list_input(term.url)},
            )
        every = {d.source for d in (*site.posts, *site.pages)} | {list_input("/")}
        self.emit("sitemap.xml", feeds.sitemap(config, self.sitemap), "meta", every | {CONFIG})
        self.emit("robots.txt", feeds.robots_txt(config), "meta", {CONFIG})

    # -- helpers used by render_pages --------------------------------------------------
    def authors_of(self, doc: Document) -> list[Author]:
        """The Author records of a document, in front matter order."""
        return [self.site.authors[k] for k in doc.authors if k in self.site.authors]

    def author_url(self, key: str) -> str:
        """The page of author `key`."""
        author = self.site.authors.get(key)
        return author.url if author and author.url else f"/authors/{key}/"

    def list_pages(
        self,
        template: str,
        posts: tuple[Document, ...],
        base: str,
        context: dict[str, Any],
        *,
        title: str,
        description: str = "",
        extra_inputs: frozenset[str] = frozenset(),
    ) -> None:
        """A paginated list (anchored at the oldest posts) at `base` and `base`page/N/."""
        for pager in paginate(posts, self.config.per_page, base):
            page_title = title if pager.is_landing else f"{title} (page {pager.number})"
            meta = seo.list_meta(
                self.config, title=page_title, path=pager.url, description=description
            )
            self.page(
                template,
                pager.url,
                {
                    **context,
                    "pager": pager,
                    "posts": pager.posts,
                    "meta": meta,
                    "title": title,
                    "author_url": self.author_url,
                },
                {d.source for d in pager.posts} | set(extra_inputs) | {list_input(base)},
                lastmod=_newest(pager),
            )


def _origin(inputs: set[str]) -> str:
    """The content file to name in an error about a page: its first real source."""
    real = sorted(i for i in inputs if i not in {THEME, CONFIG, AUTHORS} and ":" not in i)
    return real[0] if real else "quire.toml"


def _newest(pager: Pager) -> datetime | None:
    dates = [feeds.last_change(d) for d in pager.posts]
    return max(dates) if dates else None
