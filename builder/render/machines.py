"""The files made for machines rather than readers: the site's and each tag's Atom feed,
the JSON feed, sitemap.xml and robots.txt. Called by builder.render.site; they run in
the render pool like pages (see RenderContext.emit_made)."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

from builder.render import feeds
from builder.render.context import RenderContext
from builder.render.env import url_to_path
from builder.render.inputs import AUTHORS, CONFIG, as_cards, list_input
from builder.render.lists import term_of


def render_machines(r: RenderContext, edited: Collection[str] | None = None) -> None:
    """Feeds, sitemap.xml and robots.txt; with `edited`, only the feeds that show one of
    these sources (feeds carry whole posts, the sitemap only links)."""
    site, config = r.site, r.config
    newest = feeds.newest_first(site.posts, config.feed_items)
    sources = {d.source for d in newest} | {list_input("/")}

    def shows(shown: set[str]) -> bool:
        return edited is None or not shown.isdisjoint(edited)

    if shows(sources):
        _site_feeds(r, sources)
    for slug, posts in sorted(site.tags.items()):
        term = term_of(posts, slug, "tags")
        shown = {d.source for d in feeds.newest_first(posts, config.feed_items)}
        if not shows(shown):
            continue
        r.emit_made(
            url_to_path(term.url + "feed.xml") or f"tags/{slug}/feed.xml",
            partial(
                feeds.atom_feed,
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
    if edited is not None:
        return
    every = {d.source for d in (*site.posts, *site.pages)} | {list_input("/")}
    r.emit_made(
        "sitemap.xml",
        lambda: feeds.sitemap(config, r.sitemap),
        "meta",
        every | {CONFIG},
        as_cards(every) | {CONFIG},  # links and dates only
    )
    r.emit_made("robots.txt", lambda: feeds.robots_txt(config), "meta", {CONFIG})


def _site_feeds(r: RenderContext, sources: set[str]) -> None:
    site, config = r.site, r.config
    r.emit_made(
        "feed.xml",
        lambda: feeds.atom_feed(
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
    r.emit_made(
        "feed.json",
        lambda: feeds.json_feed(config, site.posts, site.authors),
        "feed",
        sources | {CONFIG, AUTHORS},
    )
