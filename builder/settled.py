"""List pages a post added or deleted elsewhere cannot have changed, found without
fingerprinting them.

After a change that only adds, removes or re-cards posts (no theme, settings or authors
file change), the render stage would fingerprint every page of every list (two thousand
at 5,000 posts) to find the handful that differ. Two kinds of list page are known to be
the same as the last build's without that:

- every page of a list whose members are the same, in the same order, none of whose
  cards changed (its title and pagination follow from those alone);
- a numbered page of a list that holds the same posts as last time, none of whose cards
  changed, and is not the newest numbered page now or then: pagination is anchored at the
  oldest post, so its number and its older and newer links are the same. Its title is the
  site's, an author's (the authors file is unchanged) or a term's, which is named as the
  list's oldest post names it: so a term's pages count only when its first page does
  (same oldest posts, same cards).

Such pages are reused as written (RenderContext.reuse_unchecked, which still checks
that the file is what the last build wrote). Anything else is fingerprinted as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from builder.render.env import url_to_path
from builder.render.inputs import AUTHORS, CONFIG, THEME, list_input
from builder.render.pagination import Pager

if TYPE_CHECKING:
    from builder.render.context import RenderContext

_KNOWN = ("content/", "card:", "comments:", "list:")  # inputs a post's change moves


def list_change(differences: tuple[set[str], bool] | None) -> set[str] | None:
    """The changed inputs when they are only posts, cards, comments and lists (a post
    added, deleted, retagged or redated); None when anything else changed or the last
    build's inputs are unknown."""
    if differences is None:
        return None
    changed, _ = differences
    if any(name in {THEME, CONFIG, AUTHORS} or not name.startswith(_KNOWN) for name in changed):
        return None
    return changed


def only_added(changed: set[str] | None, before: Mapping[str, str] | None) -> bool:
    """Whether the change is posts added and nothing else (no post edited, deleted,
    retagged or redated): every changed source and card is one the last build did not
    have. Then an article page's related-posts window moves only near a new post (the
    windows are symmetric), so its tags' other posts need no checking."""
    if changed is None or before is None:
        return False
    for name in changed:
        if name.startswith("card:"):
            name = name[5:]
        elif not name.startswith("content/"):
            continue
        if name in before:
            return False
    return True


def settled_pages(r: RenderContext, base: str, pagers: Sequence[Pager]) -> set[str]:
    """The URLs of the pages of the list at `base` that are as the last build left them
    (see the module's docstring); empty when that is not known."""
    changed, reuse = r.list_changes, r.reuse
    if changed is None or reuse is None or reuse.manifest is None:
        return set()
    cards = r.changed_card_sources
    if list_input(base) not in changed:
        members = reuse.members.get(base, ())
        return {p.url for p in pagers} if cards.isdisjoint(members) else set()
    settled = set()
    for pager, following in pairwise(pagers[1:]):  # every numbered page but the newest
        path, after = url_to_path(pager.url), url_to_path(following.url)
        known = reuse.reuse_unchecked(path) if path is not None else None
        if known is None or after is None or reuse.reuse_unchecked(after) is None:
            continue  # new, or the newest numbered page last time (its "newer" link moves)
        sources = {d.source for d in pager.posts}
        if cards.isdisjoint(sources) and sources == {
            name for name in known[1] if name.startswith("content/")
        }:
            settled.add(pager.url)
    first = pagers[1].url if len(pagers) > 1 else None
    return settled if base == "/" or first in settled else set()
