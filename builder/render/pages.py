"""The article pages of a site (posts, standalone pages and their alias redirects), and
the search and 404 pages. Called by builder.render.site with the render's context."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from markupsafe import Markup

from builder.manifest import FileKind
from builder.model import Document
from builder.render import seo
from builder.render.context import RenderContext
from builder.render.env import url_to_path
from builder.render.feeds import last_change
from builder.render.inputs import (
    AUTHORS,
    CONFIG,
    MORE_INPUTS,
    THEME,
    card_input,
    comments_input,
    list_input,
)
from builder.render.related import Related


def body(doc: Document) -> Markup:
    """The document's already-sanitised HTML, marked safe for the template."""
    return Markup(doc.body_html)  # noqa: S704  # sanitised by the parse stage


def summary(doc: Document) -> Markup:
    """The document's already-sanitised summary HTML."""
    return Markup(doc.summary_html)  # noqa: S704  # sanitised by the parse stage


def comments_enabled(config: Any, doc: Document) -> bool:
    """Posts get comments when the site allows them; pages only if they ask (`comments: true`)."""
    wanted = doc.extra.get("comments", doc.kind == "post")
    return bool(config.comments) and wanted is True


def render_documents(r: RenderContext) -> None:
    """Every post and standalone page, plus a redirect page at each alias."""
    posts = r.site.posts
    related_to = Related(r.site)
    dirty = _dirty_posts(r, related_to)
    for index, doc in enumerate(posts):
        if dirty is not None and doc.source not in dirty:
            pages: list[tuple[str, FileKind]] = [(doc.url, "html")]
            pages += [(alias, "redirect") for alias in doc.aliases]
            if r.reuse_unchecked(pages, last_change(doc) if doc.date else None):
                continue
        _post(r, related_to, index, doc)
    for doc in r.site.pages:
        _article(r, "page.html", doc, {}, set())


def render_edited(r: RenderContext, edited: Collection[str]) -> None:
    """Only the article pages of the `edited` sources (see render.render_edited)."""
    related_to = Related(r.site)
    for index, doc in enumerate(r.site.posts):
        if doc.source in edited:
            _post(r, related_to, index, doc)
    for doc in r.site.pages:
        if doc.source in edited:
            _article(r, "page.html", doc, {}, set())


def _post(r: RenderContext, related_to: Related, index: int, doc: Document) -> None:
    """The article page of the post at `index` (and its aliases' redirect pages)."""
    posts = r.site.posts
    older = posts[index - 1] if index > 0 else None
    newer = posts[index + 1] if index + 1 < len(posts) else None
    series = r.site.series.get(doc.series.slug, ()) if doc.series else ()
    # The page is a function of these (related posts are chosen from the window), so
    # they are its fingerprint: an unchanged page costs no ranking of related posts.
    # Other posts appear as cards (prev/next links, related posts, the series box).
    exact = related_to.window(doc)
    exact |= {card_input(d.source) for d in (*series, older, newer) if d is not None}
    exact |= {f"older={older.source}" if older else "older=", f"newer={newer.source}"
              if newer else "newer="}  # fmt: skip
    exact.add(doc.source)  # its own page shows all of it
    exact |= {AUTHORS} if doc.authors else set()
    exact |= {comments_input(doc.id)} if comments_enabled(r.config, doc) else set()
    previous = r.reusable(doc.url, exact)
    shown = {"older": older, "newer": newer, "series_posts": series}
    if previous is not None:  # reused as it is: no need to rank anything
        _article(r, "post.html", doc, {**shown, "related": []}, set(previous), exact)
        return

    def ranked() -> dict[str, Any]:  # where the page is rendered (a worker, on a cold build)
        related = related_to.of(doc)
        return {**shown, "related": related, MORE_INPUTS: {d.source for d in related}}

    neighbours = [d for d in (older, newer, *series) if d is not None]
    inputs = {d.source for d in neighbours} | {list_input("/")}
    inputs |= {list_input(tag.url) for tag in doc.tags}
    inputs |= {list_input(doc.series.url)} if doc.series else set()
    _article(r, "post.html", doc, ranked, inputs, exact)


def _dirty_posts(r: RenderContext, related_to: Related) -> set[str] | None:
    """The posts whose article page may differ from the last build's, or None (check all).

    After a quiet change (see RenderContext._quiet_changes) a post's page depends on its own
    source and baked comments, and on the cards of its neighbours: prev/next, its series
    and the related-posts window. Those relations are symmetric, so the pages a changed
    card reaches are the neighbours of the post it belongs to.
    """
    changed = r.changes
    if changed is None:
        return _dirty_after_list_changes(r, related_to)
    return _dirty_for(r, related_to, changed)


def _dirty_for(r: RenderContext, related_to: Related, changed: Collection[str]) -> set[str]:
    """The posts whose page shows one of these changed sources, cards or comments."""
    posts = r.site.posts
    place = {doc.source: index for index, doc in enumerate(posts)}
    by_id = {doc.id: doc.source for doc in posts}
    dirty: set[str] = set()
    for name in changed:
        if name.startswith("comments:"):
            dirty.add(by_id.get(name[9:], ""))
        elif name.startswith("card:"):
            index = place.get(name[5:])
            if index is None:
                continue  # a standalone page: not shown on other pages
            doc = posts[index]
            dirty.add(doc.source)
            dirty.update(card[5:] for card in related_to.window(doc))
            dirty.update(d.source for d in posts[max(0, index - 1) : index + 2])
            if doc.series:
                dirty.update(d.source for d in r.site.series.get(doc.series.slug, ()))
        else:
            dirty.add(name)  # a source file: its own page
    return dirty


def _dirty_after_list_changes(r: RenderContext, related_to: Related) -> set[str] | None:
    """After a change that adds to, removes from or reorders lists (a post added, deleted,
    retagged or redated; a scheduled post falling due), the posts whose article page may
    differ from the last build's; None (check all) when that is not known.

    Besides the pages `_dirty_for` finds from the changed cards (a new or moved post's
    neighbours and window now), a post's page changes when a post near it in one of its
    tag or series lists went away (every post of a changed list is checked), or when it
    linked to a post that changed or went away (the last build's page names those).
    """
    reuse = r.reuse
    if reuse is None or reuse.manifest is None or r.differences is None:
        return None
    changed, _ = r.differences
    dirty: set[str] = set()
    for name in changed:
        if name in {THEME, CONFIG, AUTHORS}:
            return None  # every page may differ
        # the home list: prev/next only; posts only added: their windows (below) only
        if name.startswith("list:") and name != "list:/" and not r.only_added:
            dirty.update(reuse.members.get(name[5:], ()))
        elif not name.startswith(("content/", "card:", "comments:", "list:")):
            return None  # an input this does not know about
    touched = {name for name in changed if name.startswith("content/")}  # edited or gone
    files = reuse.manifest.files
    for doc in r.site.posts:
        path = url_to_path(doc.url)
        entry = files.get(path) if path is not None else None
        if entry is not None and not touched.isdisjoint(entry.inputs):
            dirty.add(doc.source)
    shown = {name for name in changed if name.startswith(("card:", "comments:"))}
    return dirty | touched | _dirty_for(r, related_to, shown)


def _article(
    r: RenderContext,
    template: str,
    doc: Document,
    extra: dict[str, Any] | Callable[[], dict[str, Any]],
    inputs: set[str],
    exact: set[str] | None = None,
) -> None:
    def context() -> dict[str, Any]:
        authors = r.authors_of(doc)
        return {
            "doc": doc,
            "body": body(doc),
            "authors": authors,
            "comments": comments_enabled(r.config, doc),
            "baked": r.baked.get(doc.id),
            "meta": seo.article_meta(r.config, doc, authors),
            "title": doc.title,
            "author_url": r.author_url,
            **(extra() if callable(extra) else extra),
        }

    deps = inputs | {doc.source} | ({AUTHORS} if doc.authors else set())
    if comments_enabled(r.config, doc):
        deps.add(comments_input(doc.id))  # its baked comments are part of the page
        exact = None if exact is None else exact | {comments_input(doc.id)}
    r.page(
        template,
        doc.url,
        context,
        deps,
        lastmod=last_change(doc) if doc.date else None,
        exact=exact,
    )
    for alias in doc.aliases:
        meta = seo.PageMeta(doc.title, "", seo.absolute(r.config.base_url, doc.url), ())
        r.page(
            "redirect.html",
            alias,
            {"target": doc.url, "doc": doc, "meta": meta, "title": doc.title},
            {doc.source},
            kind="redirect",
            cards=True,
        )


def render_special(r: RenderContext) -> None:
    """The search page and the 404 page."""
    config = r.config
    r.page(
        "search.html",
        "/search/",
        {"title": "Search", "meta": seo.list_meta(config, title="Search", path="/search/")},
        set(),
        in_sitemap=False,
    )
    r.page(
        "404.html",
        "/404.html",
        {
            "title": "Page not found",
            "meta": seo.list_meta(config, title="Page not found", path="/404.html"),
        },
        set(),
        path="404.html",
        in_sitemap=False,
    )
