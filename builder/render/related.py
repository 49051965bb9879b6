"""Related posts: the few posts an article suggests next, by shared tags."""

from __future__ import annotations

from datetime import timedelta

from builder.model import Document, Site
from builder.render.feeds import EPOCH
from builder.render.inputs import card_input

RELATED_COUNT = 3
_TICK = timedelta(microseconds=1)
RELATED_WINDOW = 12  # candidates per tag on each side of a post, in date order


class Related:
    """Related posts by shared tags, computed from each tag's date-ordered post list.

    Candidates are the posts within RELATED_WINDOW places of a post in each of its tags'
    lists (so the work stays linear in the number of posts); they are ranked by the number
    of tags shared, then by closeness in time, then by URL. Closeness in time (not
    recency) keeps a new post out of the related list of every post that shares a tag.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.position = {
            slug: {doc.url: index for index, doc in enumerate(posts)}
            for slug, posts in site.tags.items()
        }
        # each post's tags as bits of an int (shared tags: one AND and a bit count) and its
        # date in whole microseconds since EPOCH (exact: ties rank as with timedeltas)
        self.bits = {slug: 1 << number for number, slug in enumerate(site.tags)}
        self.facts = {doc.url: (self._mask(doc), _microseconds(doc)) for doc in site.posts}
        self.urls = {slug: [d.url for d in posts] for slug, posts in site.tags.items()}
        self.cards = {
            slug: [card_input(d.source) for d in posts] for slug, posts in site.tags.items()
        }

    def window(self, doc: Document) -> set[str]:
        """The cards `of(doc)` chooses from: its neighbours in each of its tags' lists."""
        found: set[str] = set()
        for tag in doc.tags:
            index = self.position.get(tag.slug, {}).get(doc.url)
            if index is not None:
                cards = self.cards[tag.slug]
                found.update(cards[max(0, index - RELATED_WINDOW) : index + RELATED_WINDOW + 1])
        return found

    def of(self, doc: Document, limit: int = RELATED_COUNT) -> list[Document]:
        """The `limit` posts most related to `doc`."""
        candidates: dict[str, Document] = {}
        for tag in doc.tags:
            index = self.position.get(tag.slug, {}).get(doc.url)
            if index is not None:
                start, end = max(0, index - RELATED_WINDOW), index + RELATED_WINDOW + 1
                urls, posts = self.urls[tag.slug], self.site.tags[tag.slug]
                candidates.update(zip(urls[start:end], posts[start:end], strict=True))
        candidates.pop(doc.url, None)
        mask, when, facts = self._mask(doc), _microseconds(doc), self.facts
        ranked = [
            (-(mask & tags).bit_count(), abs(stamp - when), url)
            for url in candidates
            for tags, stamp in [facts[url]]
        ]
        ranked.sort()
        return [candidates[url] for _, _, url in ranked[:limit]]

    def _mask(self, doc: Document) -> int:
        bits = self.bits
        return sum({bits.get(tag.slug, 0) for tag in doc.tags})


def _microseconds(doc: Document) -> int:
    return ((doc.date or EPOCH) - EPOCH) // _TICK
