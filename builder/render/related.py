"""Related posts: the few posts an article suggests next, by shared tags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

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
        tags = site.tags
        # per tag, made when first asked for: an incremental build asks for a few tags
        self.position = _PerTag(lambda slug: {d.url: n for n, d in enumerate(tags[slug])})
        self.urls = _PerTag(lambda slug: [d.url for d in tags[slug]])
        self.cards = _PerTag(lambda slug: [card_input(d.source) for d in tags[slug]])
        # each post's tags as bits of an int (shared tags: one AND and a bit count) and its
        # date in whole microseconds since EPOCH (exact: ties rank as with timedeltas)
        self.bits = {slug: 1 << number for number, slug in enumerate(tags)}
        self.facts: dict[str, tuple[int, int]] = {}  # URL -> (tag bits, date), as needed

    def _index(self, slug: str, doc: Document) -> int | None:
        return self.position[slug].get(doc.url) if slug in self.site.tags else None

    def window(self, doc: Document) -> set[str]:
        """The cards `of(doc)` chooses from: its neighbours in each of its tags' lists."""
        found: set[str] = set()
        for tag in doc.tags:
            index = self._index(tag.slug, doc)
            if index is not None:
                cards = self.cards[tag.slug]
                found.update(cards[max(0, index - RELATED_WINDOW) : index + RELATED_WINDOW + 1])
        return found

    def of(self, doc: Document, limit: int = RELATED_COUNT) -> list[Document]:
        """The `limit` posts most related to `doc`."""
        candidates: dict[str, Document] = {}
        for tag in doc.tags:
            index = self._index(tag.slug, doc)
            if index is not None:
                start, end = max(0, index - RELATED_WINDOW), index + RELATED_WINDOW + 1
                urls, posts = self.urls[tag.slug], self.site.tags[tag.slug]
                candidates.update(zip(urls[start:end], posts[start:end], strict=True))
        candidates.pop(doc.url, None)
        mask, when, facts = self._mask(doc), _microseconds(doc), self.facts
        for url, other in candidates.items():
            if url not in facts:
                facts[url] = (self._mask(other), _microseconds(other))
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


class _PerTag(dict[str, Any]):
    """Tag slug -> a value made from the tag's posts when first asked for."""

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, slug: str) -> Any:
        value = self[slug] = self.make(slug)
        return value


def _microseconds(doc: Document) -> int:
    return ((doc.date or EPOCH) - EPOCH) // _TICK
