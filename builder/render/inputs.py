"""The inputs a page can depend on: the names the render stage records for each output
file, and that the next build fingerprints to know whether the file can be reused.

Inputs are site-relative source paths plus pseudo-inputs: ``theme`` (any template),
``theme:static/<file>`` (one asset), ``config`` (quire.toml), ``authors`` (the authors
file), ``list:<url>`` (which posts the list at <url> holds, in order: "/" for the
whole site, a tag, series... URL otherwise), ``card:<source>`` (what pages other than its
own show of a document: Document.card) and ``comments:<thread id>`` (the thread's baked
comments, so a newly approved comment re-renders only its own article).
"""

from __future__ import annotations

THEME = "theme"  # pseudo-input: any template change affects the page
CONFIG = "config"  # pseudo-input: quire.toml
AUTHORS = "authors"  # pseudo-input: the authors file
# A page context may name more inputs of the page under this key, found while rendering
# it (the related posts, ranked in the render worker); the template never sees it.
MORE_INPUTS = "quire:more_inputs"


def comments_input(thread_id: str) -> str:
    """The pseudo-input naming a thread's baked comments."""
    return f"comments:{thread_id}"


def list_input(base: str) -> str:
    """Pseudo-input of pages that depend on which posts a list holds, and in what order.

    Numbered-page links, a post's prev/next and its related posts change when a post joins,
    leaves or moves in a list, even if none of the posts the page shows changed.
    """
    return f"list:{base}"


def card_input(source: str) -> str:
    """Pseudo-input: what pages other than its own show of a document (Document.card)."""
    return f"card:{source}"


def as_cards(inputs: set[str]) -> set[str]:
    """`inputs` with every content file replaced by its card."""
    return {card_input(i) if i.startswith("content/") else i for i in inputs}
