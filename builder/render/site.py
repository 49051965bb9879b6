"""The render stage: a collected Site in, every page, feed and asset of the site out.

Rendering never reads content from disk: it gets plain data (``Site``) and returns plain
data (``OutputFile``), each file listing the inputs it was made from. Templates come only
from the theme's ``templates/`` folder; content is never compiled as a template (article
HTML arrives already sanitised and is passed in as Markup).

Inputs are site-relative source paths plus pseudo-inputs: ``theme`` (any template),
``theme:static/<file>`` (one asset), ``config`` (quire.toml), ``authors`` (the authors
file), ``list:<url>`` (which posts the list at <url> holds, in order: "/" for the
whole site, a tag, series... URL otherwise), ``card:<source>`` (what pages other than its
own show of a document: Document.card) and ``comments:<thread id>`` (the thread's baked
comments, so a newly approved comment re-renders only its own article).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    TemplateError,
    TemplateNotFound,
)

from builder.incremental import Reuse
from builder.manifest import FileKind
from builder.model import Author, Diagnostic, Document, OutputFile, Placed, Site
from builder.parallel import run_indexed
from builder.render import feeds, seo
from builder.render import machines as render_feeds
from builder.render import pages as render_pages
from builder.render.assets import AssetError, build_assets
from builder.render.env import make_environment, url_to_path
from builder.render.pages import (
    AUTHORS,
    CONFIG,
    MORE_INPUTS,
    THEME,
    as_cards,
    comments_input,
    list_input,
    term_of,
)
from builder.render.pagination import Pager, paginate
from builder.settled import list_change, only_added, settled_pages

# a page whose template is still to run: (index in outputs, template, url, context)
# (a file `make()` returns, such as a feed: template MADE and `make` as the context)
_Job = tuple[int, str, str, "dict[str, Any] | Callable[[], dict[str, Any] | bytes]"]
MADE = ""
Place = Callable[[str, bytes], Placed]


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
    site: Site,
    *,
    theme_dir: Path,
    baked: Mapping[str, BakedThread] | None = None,
    reuse: Reuse | None = None,
    place: Place | None = None,
    compiled: BytecodeCache | None = None,
) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Render every page, feed and theme asset of `site` with the theme in `theme_dir`.

    `baked` (thread id -> BakedThread) is what the publisher knows of each thread's
    comments; without it, pages carry empty comment sections that the widget fills.
    With `reuse`, a page whose inputs are unchanged since the last build is not rendered
    again: it comes back as an OutputFile with `reused=True` and no data.
    `place(path, bytes)` writes a page where it is rendered (in the render workers, for a
    new output tree: see write.Tree): the page then comes back `placed`, without data.
    `compiled` keeps the theme's compiled templates between builds.
    """
    renderer = _Renderer(site, theme_dir, baked or {}, reuse, place, compiled)
    renderer.render_all()
    return renderer.outputs, renderer.diagnostics


def render_edited(
    site: Site,
    *,
    theme_dir: Path,
    baked: Mapping[str, BakedThread],
    reuse: Reuse,
    edited: Collection[str],
    compiled: BytecodeCache | None = None,
) -> tuple[list[OutputFile], list[Diagnostic]] | None:
    """The article pages of the `edited` sources alone, when nothing else can differ from
    the last build: the only inputs that changed are those sources (their cards, which is
    all other pages show of them, are the same); with the feeds that carry them in full.
    None otherwise, or when a template failed: the caller renders the whole site (and
    reports the failure). See builder.quick."""
    renderer = _Renderer(site, theme_dir, baked, reuse, compiled=compiled)
    if renderer.changes != set(edited):
        return None
    assets = len(renderer.outputs)  # the theme's, unchanged
    render_pages.render_edited(renderer, edited)
    render_feeds.render_machines(renderer, edited)
    renderer.render_pending()
    if any(d.severity == "error" for d in renderer.diagnostics):
        return None
    return renderer.outputs[assets:], renderer.diagnostics


class _Renderer:
    """Holds the environment and the files produced so far for one render."""

    def __init__(
        self,
        site: Site,
        theme_dir: Path,
        baked: Mapping[str, BakedThread],
        reuse: Reuse | None = None,
        place: Place | None = None,
        compiled: BytecodeCache | None = None,
    ) -> None:
        self.site = site
        self.baked = baked
        self.reuse = reuse
        self.place = place
        self.config = site.config
        self.assets = build_assets(theme_dir)
        self.env = make_environment(theme_dir, self.config, self.assets, compiled)
        self.outputs: list[OutputFile] = list(self.assets.files)
        self.diagnostics: list[Diagnostic] = []
        self._pending: list[_Job] = []
        self._fingerprints: dict[str, str] = {}  # path -> fingerprint from `reusable`
        self.sitemap: list[tuple[str, datetime | None]] = []
        self._paths: set[str] = {f.path for f in self.outputs}
        self.by_author: dict[str, list[Document]] = defaultdict(list)
        for post in site.posts:
            for key in post.authors:
                self.by_author[key].append(post)
        if reuse is not None:
            self._declare_lists(reuse)
        # what differs from the last build (see Reuse.differences), worked out once
        self.differences = reuse.differences() if reuse is not None else None
        self.changes = self._quiet_changes()
        self.changed_cards = (
            {name[5:] for name in self.changes if name.startswith("card:")}
            if self.changes is not None
            else set()
        )
        # a post added or deleted: the list pages it cannot reach are reused (settled.py)
        self.list_changes = list_change(self.differences)
        self.changed_card_sources = {n[5:] for n in self.list_changes or () if n[:5] == "card:"}
        self.only_added = only_added(self.list_changes, reuse.previous_values if reuse else None)

    def _quiet_changes(self) -> set[str] | None:
        """The inputs changed since the last build when that change is "quiet": no list
        changed (no post added, removed or moved; no tag or series changed) and neither
        the theme, the settings nor the authors file. Then every page's set of inputs is
        what it was, and a page none of whose inputs changed can be reused unchecked.
        None: anything else (or no previous build): every page is checked."""
        if self.differences is None:
            return None
        changed, same_inputs = self.differences
        if not same_inputs or any(
            name in {THEME, CONFIG, AUTHORS} or name.startswith("list:") for name in changed
        ):
            return None
        return changed

    def _declare_lists(self, reuse: Reuse) -> None:
        """The value of each `list:<url>` input (the list's members, in order) and of each
        `comments:<thread id>` input (a hash of what is baked; absent threads are "-")."""
        for thread_id, thread in self.baked.items():
            raw = f"{thread.last_id}\0{thread.likes}\0{thread.html}".encode()
            reuse.set_value(comments_input(thread_id), hashlib.sha256(raw).hexdigest())
        site = self.site
        reuse.docs = {d.source: d for d in (*site.posts, *site.pages)}
        reuse.set_list("/", [d.source for d in site.posts])
        for kind, groups in (
            ("tags", site.tags),
            ("categories", site.categories),
            ("series", site.series),
        ):
            for slug, posts in groups.items():
                reuse.set_list(term_of(posts, slug, kind).url, [d.source for d in posts])
        for key in site.authors:
            reuse.set_list(self.author_url(key), [d.source for d in self.by_author.get(key, ())])

    # -- output helpers -------------------------------------------------------------
    def emit(
        self,
        path: str,
        data: bytes,
        kind: FileKind,
        inputs: Collection[str],
        *,
        fingerprint: str | None = None,
        reused: bool = False,
    ) -> None:
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
        self.outputs.append(OutputFile(path, data, kind, tuple(sorted(inputs)), reused=reused))
        if self.reuse is not None:
            self.reuse.record(path, fingerprint or self.reuse.fingerprint(inputs))

    def reuse_unchecked(self, pages: list[tuple[str, FileKind]], lastmod: datetime | None) -> bool:
        """Emit the last build's files at these URLs as they are, without fingerprinting
        them, when all are still as written (the caller knows none of their inputs
        changed); False, emitting nothing, when any is not."""
        if self.reuse is None:
            return False
        found = []
        for url, kind in pages:
            path = url_to_path(url)
            known = self.reuse.reuse_unchecked(path) if path is not None else None
            if path is None or known is None or path in self._paths:
                return False
            found.append((url, path, kind, *known))
        for url, path, kind, fingerprint, inputs in found:
            self.emit(path, b"", kind, inputs, fingerprint=fingerprint, reused=True)
            if kind == "html":
                self.sitemap.append((url, lastmod))
        return True

    def reusable(self, url: str, exact: set[str]) -> tuple[str, ...] | None:
        """The manifest inputs of the page at `url` from the last build, if the `exact`
        inputs its bytes are made from (see `page`) are unchanged; else None."""
        path = url_to_path(url)
        if self.reuse is None or path is None:
            return None
        fingerprint = self.reuse.fingerprint(exact | {THEME, CONFIG})
        self._fingerprints[path] = fingerprint  # page() needs it again
        known = self.reuse.reuse_unchecked(path)
        return known[1] if known is not None and known[0] == fingerprint else None

    def emit_made(
        self,
        path: str,
        make: Callable[[], bytes],
        kind: FileKind,
        inputs: set[str],
        exact: set[str] | None = None,
    ) -> None:
        """Emit the file `make()` returns, or the last build's file if its inputs (or the
        narrower `exact` ones, see `page`) are the same. `make` runs with the templates
        (render_pending), across processes when there are many."""
        fingerprint = None
        if self.reuse is not None:
            fingerprint = self.reuse.fingerprint(inputs if exact is None else exact)
            if self.reuse.unchanged(path, fingerprint):
                self.emit(path, b"", kind, inputs, fingerprint=fingerprint, reused=True)
                return
        index = len(self.outputs)
        self.emit(path, b"", kind, inputs, fingerprint=fingerprint)
        if len(self.outputs) > index:
            self._pending.append((index, MADE, path, make))

    def page(
        self,
        template: str,
        url: str,
        context: dict[str, Any] | Callable[[], dict[str, Any]],
        inputs: set[str],
        *,
        kind: FileKind = "html",
        path: str | None = None,
        lastmod: datetime | None = None,
        in_sitemap: bool = True,
        exact: set[str] | None = None,
        cards: bool = False,
    ) -> None:
        """Render `template` for the page at `url` and emit it.

        `context` may be a function, so a page reused from the last build costs nothing.
        `exact`: what the page's bytes are a function of, when narrower than `inputs` (the
        dependencies recorded in the manifest); its fingerprint is made from these.
        `cards`: the page shows its source documents only as cards (title, link, summary:
        see Document.card), never their bodies, so a body edit does not concern it.
        """
        if exact is None and cards:
            exact = as_cards(inputs)
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
        deps = inputs | {THEME, CONFIG}
        fingerprint = None
        if self.reuse is not None:
            fingerprint = self._fingerprints.pop(out, None)
            if fingerprint is None:
                fingerprint = self.reuse.fingerprint(
                    deps if exact is None else exact | {THEME, CONFIG}
                )
            if self.reuse.unchanged(out, fingerprint):
                self.emit(out, b"", kind, deps, fingerprint=fingerprint, reused=True)
                if kind == "html" and in_sitemap:
                    self.sitemap.append((url, lastmod))
                return
        index = len(self.outputs)
        self.emit(out, b"", kind, deps, fingerprint=fingerprint)  # filled in by render_all
        if len(self.outputs) == index:
            return  # a second page at the same path: already reported
        self._pending.append((index, template, url, context))
        if kind == "html" and in_sitemap:
            self.sitemap.append((url, lastmod))

    def _made(self, job: _Job) -> tuple[bytes | Placed | Diagnostic, tuple[str, ...]]:
        """One page rendered, and placed when there is somewhere to place it; with the
        inputs its context found (see render_pages.MORE_INPUTS)."""
        made, more = self._render_page(job)
        if self.place is None or not isinstance(made, bytes):
            return made, more
        return self.place(self.outputs[job[0]].path, made), more

    def _render_page(self, job: _Job) -> tuple[bytes | Diagnostic, tuple[str, ...]]:
        """Run one page's template (in this process or a forked worker)."""
        _, template, url, context = job
        try:
            values = context() if callable(context) else context
            if isinstance(values, bytes):  # a MADE file
                return values, ()
            more = tuple(values.pop(MORE_INPUTS, ()))  # a context made for this call
            html = self.env.get_template(template).render(page_url=url, **values)
            return html.encode(), more
        except TemplateNotFound as exc:
            problem = Diagnostic(
                "error",
                f"theme templates/{exc.name}",
                "template is missing",
                hint=f"The theme must provide {exc.name} (needed for {url}).",
            )
        except (TemplateError, AssetError) as exc:
            problem = Diagnostic(
                "error",
                f"theme templates/{template}",
                f"template failed while rendering {url}: {exc}",
            )
        return problem, ()

    def render_pending(self) -> None:
        """Run the templates of every page queued by `page`, across processes if many."""
        # MADE files (feeds with whole posts, the sitemap) take longest: first, so that no
        # worker is left with one of them at the end while the other idles
        jobs = sorted(self._pending, key=lambda job: job[1] != MADE)
        self._pending = []
        results = run_indexed(lambda i: self._made(jobs[i]), len(jobs), min_jobs=200)
        for job, (result, more) in zip(jobs, results, strict=True):
            out = self.outputs[job[0]]
            if more:
                out = replace(out, inputs=tuple(sorted({*out.inputs, *more})))
            if isinstance(result, Diagnostic):
                self.diagnostics.append(result)
            elif isinstance(result, bytes):
                out = replace(out, data=result)
            else:
                out = replace(out, placed=result)
            self.outputs[job[0]] = out

    # -- the site ---------------------------------------------------------------------
    def render_all(self) -> None:
        """Every page type, then feeds and sitemap (which need the list of pages)."""
        render_pages.render_documents(self)
        render_pages.render_lists(self)
        render_pages.render_special(self)
        render_feeds.render_machines(self)
        self.render_pending()

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
        pagers = paginate(posts, self.config.per_page, base)
        settled = settled_pages(self, base, pagers)
        for pager in pagers:
            quiet = pager.url in settled or (
                self.changes is not None
                and not any(d.source in self.changed_cards for d in pager.posts)
            )
            if quiet and self.reuse_unchecked([(pager.url, "html")], _newest(pager)):
                continue
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
                # its bytes: the cards it shows and where it sits in the list, not the
                # whole list (anchored pages stay as they are when a post is added)
                exact=as_cards({d.source for d in pager.posts} | set(extra_inputs))
                | {_placed_in_list(pager, page_title, description)},
            )


def _placed_in_list(pager: Pager, title: str, description: str) -> str:
    """A pseudo-input naming everything a list page shows besides its posts' cards: its
    number, its neighbours, its posts' order, its title and description (the name is
    the value: it changes when any of them does)."""
    order = ",".join(d.source for d in pager.posts)
    return f"pager={pager.number}|{pager.older_url}|{pager.newer_url}|{title}|{description}|{order}"


def _origin(inputs: Collection[str]) -> str:
    """The content file to name in an error about a page: its first real source."""
    real = sorted(i for i in inputs if i not in {THEME, CONFIG, AUTHORS} and ":" not in i)
    return real[0] if real else "quire.toml"


def _newest(pager: Pager) -> datetime | None:
    dates = [feeds.last_change(d) for d in pager.posts]
    return max(dates) if dates else None
