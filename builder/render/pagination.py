"""List pagination anchored at the OLDEST posts, so a new post touches only a few files.

Page 1 holds the oldest ``per_page`` posts, page 2 the next ones, and the last numbered
page the newest remainder. A new post therefore changes only the newest numbered page
(or creates a new one, which also changes the "newer" link of the previous last page) and
the landing page (``/``, ``/tags/<slug>/``...), which always shows the newest ``per_page``
posts and links to the numbered page that continues below them. Nothing on a numbered page
depends on the total number of pages, so older pages stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from builder.model import Document


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a list: its posts (newest first), URL and neighbours."""

    url: str  # site path, e.g. "/" or "/page/3/"
    posts: tuple[Document, ...]  # newest first, for display
    number: int | None  # None for the landing page
    older_url: str | None
    newer_url: str | None

    @property
    def is_landing(self) -> bool:
        """Whether this is the list's landing page (newest posts)."""
        return self.number is None


def page_url(base: str, number: int) -> str:
    """URL of numbered page `number` of the list whose landing page is `base`."""
    return f"{base}page/{number}/"


def paginate(posts: Sequence[Document], per_page: int, base: str) -> list[Pager]:
    """The landing page then numbered pages 1..K (oldest first) for `posts` (oldest first)."""
    total = len(posts)
    newest = tuple(reversed(posts[max(0, total - per_page) :]))
    if total <= per_page:
        # Everything fits on the landing page: no numbered pages to keep stable.
        return [Pager(base, newest, None, None, None)]
    count = -(-total // per_page)  # ceil
    # The landing page shows posts total-per_page..total-1; "older" continues with the
    # numbered page that holds the newest post it does not show.
    continues = (total - per_page - 1) // per_page + 1
    pagers = [Pager(base, newest, None, page_url(base, continues), None)]
    for number in range(1, count + 1):
        chunk = posts[(number - 1) * per_page : number * per_page]
        pagers.append(
            Pager(
                url=page_url(base, number),
                posts=tuple(reversed(chunk)),
                number=number,
                older_url=page_url(base, number - 1) if number > 1 else None,
                newer_url=page_url(base, number + 1) if number < count else base,
            )
        )
    return pagers
