"""The render stage: a collected Site in, every page, feed and asset of the site out.

Rendering never reads content from disk: it gets plain data (``Site``) and returns plain
data (``OutputFile``), each file listing the inputs it was made from (the names are in
builder.render.inputs). Templates come only from the theme's ``templates/`` folder;
content is never compiled as a template (article HTML arrives already sanitised and is
passed in as Markup).

The pages are made by builder.render.pages (articles, search, 404), lists (home, terms,
authors, archive) and machines (feeds, sitemap, robots.txt), each given the one
RenderContext of the render (builder.render.context).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from pathlib import Path

from jinja2 import BytecodeCache

from builder.incremental import Reuse
from builder.model import Diagnostic, OutputFile, Site
from builder.render import lists, machines, pages
from builder.render.context import BakedThread, Place, RenderContext
from builder.render.inputs import comments_input
from builder.render.lists import term_of
from builder.settled import list_change, only_added


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
    r = _context(site, theme_dir, baked or {}, reuse, place, compiled)
    # every page type, then feeds and sitemap (which need the list of pages)
    pages.render_documents(r)
    lists.render_lists(r)
    pages.render_special(r)
    machines.render_machines(r)
    r.render_pending()
    return r.outputs, r.diagnostics


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
    r = _context(site, theme_dir, baked, reuse, compiled=compiled)
    if r.changes != set(edited):
        return None
    assets = len(r.outputs)  # the theme's, unchanged
    pages.render_edited(r, edited)
    machines.render_machines(r, edited)
    r.render_pending()
    if any(d.severity == "error" for d in r.diagnostics):
        return None
    return r.outputs[assets:], r.diagnostics


def _context(
    site: Site,
    theme_dir: Path,
    baked: Mapping[str, BakedThread],
    reuse: Reuse | None,
    place: Place | None = None,
    compiled: BytecodeCache | None = None,
) -> RenderContext:
    """The render's context, knowing what changed since the last build (with `reuse`)."""
    r = RenderContext(site, theme_dir, baked, reuse, place, compiled)
    if reuse is None:
        return r
    _declare_lists(r, reuse)  # before asking what differs: lists are inputs too
    differences = reuse.differences()
    changed_lists = list_change(differences)
    r.know_changes(differences, changed_lists, only_added(changed_lists, reuse.previous_values))
    return r


def _declare_lists(r: RenderContext, reuse: Reuse) -> None:
    """The value of each `list:<url>` input (the list's members, in order) and of each
    `comments:<thread id>` input (a hash of what is baked; absent threads are "-")."""
    for thread_id, thread in r.baked.items():
        raw = f"{thread.last_id}\0{thread.likes}\0{thread.html}".encode()
        reuse.set_value(comments_input(thread_id), hashlib.sha256(raw).hexdigest())
    site = r.site
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
        reuse.set_list(r.author_url(key), [d.source for d in r.by_author.get(key, ())])
