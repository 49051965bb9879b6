"""The list pages of a site: home, tags, categories, series, authors and the yearly
archive, paginated (anchored at the oldest posts). Called by builder.render.site."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from builder.model import Document, Term
from builder.render import seo
from builder.render.context import RenderContext
from builder.render.feeds import last_change
from builder.render.inputs import AUTHORS, as_cards, list_input
from builder.render.pagination import Pager, paginate
from builder.settled import settled_pages


def term_of(posts: tuple[Document, ...], slug: str, kind: str) -> Term:
    """The Term (display name, URL) for a tag/category/series slug from its posts."""
    for doc in posts:
        terms: tuple[Term | None, ...] = (
            doc.tags if kind == "tags" else (doc.category if kind == "categories" else doc.series,)
        )
        for term in terms:
            if term is not None and term.slug == slug:
                return term
    return Term(name=slug, slug=slug, url=f"/{kind}/{slug}/")


def render_lists(r: RenderContext) -> None:
    """Home, tags, categories, series, authors and the yearly archive."""
    site, config = r.site, r.config
    list_pages(
        r,
        "list.html",
        site.posts,
        "/",
        {"list_kind": "home", "term": None, "feed": "/feed.xml"},
        title=config.title,
        description=config.description,
    )
    _tags(r)
    for slug, posts in sorted(site.categories.items()):
        term = term_of(posts, slug, "categories")
        list_pages(
            r,
            "list.html",
            posts,
            term.url,
            {"list_kind": "category", "term": term, "feed": "/feed.xml"},
            title=f"Category: {term.name}",
        )
    _series(r)
    for key, author in sorted(site.authors.items()):
        list_pages(
            r,
            "list.html",
            tuple(r.by_author.get(key, ())),
            r.author_url(key),
            {"list_kind": "author", "term": None, "author": author, "feed": "/feed.xml"},
            title=author.name,
            description=author.bio,
            extra_inputs=frozenset({AUTHORS}),
        )
    _archive(r)


def _tags(r: RenderContext) -> None:
    """The page of every tag, then each tag's list."""
    site = r.site
    terms = [(term_of(p, slug, "tags"), len(p)) for slug, p in site.tags.items()]
    terms.sort(key=lambda item: (item[0].name.casefold(), item[0].slug))
    r.page(
        "terms.html",
        "/tags/",
        {
            "terms": terms,
            "title": "Tags",
            "meta": seo.list_meta(r.config, title="Tags", path="/tags/"),
        },
        {d.source for d in site.posts if d.tags},
        cards=True,
    )
    for slug, posts in sorted(site.tags.items()):
        term = term_of(posts, slug, "tags")
        list_pages(
            r,
            "list.html",
            posts,
            term.url,
            {"list_kind": "tag", "term": term, "feed": term.url + "feed.xml"},
            title=f"Posts tagged “{term.name}”",
        )


def _series(r: RenderContext) -> None:
    """Each series, which reads in order: oldest first, on one page."""
    for slug, posts in sorted(r.site.series.items()):
        term = term_of(posts, slug, "series")
        pager = Pager(term.url, tuple(posts), None, None, None)
        title = f"Series: {term.name}"
        r.page(
            "list.html",
            term.url,
            {
                "list_kind": "series",
                "term": term,
                "feed": "/feed.xml",
                "pager": pager,
                "posts": pager.posts,
                "title": title,
                "author_url": r.author_url,
                "meta": seo.list_meta(r.config, title=title, path=term.url),
            },
            {d.source for d in posts},
            cards=True,
        )


def _archive(r: RenderContext) -> None:
    by_year: dict[int, list[Document]] = defaultdict(list)
    for doc in r.site.posts:
        if doc.date is not None:
            by_year[doc.date.year].append(doc)
    years = sorted(by_year, reverse=True)
    r.page(
        "archive.html",
        "/archive/",
        {
            "years": years,
            "year": None,
            "posts": (),
            "title": "Archive",
            "meta": seo.list_meta(r.config, title="Archive", path="/archive/"),
        },
        {d.source for d in r.site.posts},
        cards=True,
    )
    # One page per year: a new post only ever changes its own year's page.
    for year in years:
        title = f"Archive: {year}"
        r.page(
            "archive.html",
            f"/archive/{year}/",
            {
                "years": years,
                "year": year,
                "posts": tuple(reversed(by_year[year])),
                "title": title,
                "meta": seo.list_meta(r.config, title=title, path=f"/archive/{year}/"),
            },
            {d.source for d in by_year[year]},
            cards=True,
        )


def list_pages(
    r: RenderContext,
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
    pagers = paginate(posts, r.config.per_page, base)
    settled = settled_pages(r, base, pagers)
    for pager in pagers:
        quiet = pager.url in settled or (
            r.changes is not None and not any(d.source in r.changed_cards for d in pager.posts)
        )
        if quiet and r.reuse_unchecked([(pager.url, "html")], _newest(pager)):
            continue
        page_title = title if pager.is_landing else f"{title} (page {pager.number})"
        meta = seo.list_meta(r.config, title=page_title, path=pager.url, description=description)
        r.page(
            template,
            pager.url,
            {
                **context,
                "pager": pager,
                "posts": pager.posts,
                "meta": meta,
                "title": title,
                "author_url": r.author_url,
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


def _newest(pager: Pager) -> datetime | None:
    dates = [last_change(d) for d in pager.posts]
    return max(dates) if dates else None
