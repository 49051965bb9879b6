"""Stage 3, collect: every parsed Document gathered into one Site before anything renders.

Decides what is published (drafts, future posts), orders it, builds the tag, category and
series maps, and reports the problems only visible across files (duplicate slugs, unknown
authors, clashing aliases).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC

from builder.config import BuildOptions, SiteConfig
from builder.markdown import slugify
from builder.model import Author, Diagnostic, Document, Site

_URL_SAFE = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")
_ALIAS = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
# Top-level folders the theme writes into: a page slug must not take one of them.
RESERVED = frozenset(
    {"posts", "tags", "categories", "series", "authors", "archive", "page", "search",
     "assets", "feeds", "api", "__quire", "pagefind", "404"}
)  # fmt: skip


def collect_site(
    documents: Sequence[Document],
    *,
    authors: Mapping[str, Author],
    config: SiteConfig,
    options: BuildOptions,
    static_files: Sequence[str] = (),
) -> tuple[Site, list[Diagnostic]]:
    """Choose, order and cross-reference the documents of a build."""
    problems: list[Diagnostic] = []
    now = options.now if options.now.tzinfo else options.now.replace(tzinfo=UTC)
    for key in config.default_authors:
        if key not in authors:
            problems.append(
                Diagnostic(
                    "error",
                    "quire.toml",
                    f"`default_authors` names unknown author `{key}`",
                    _author_hint(authors),
                    field="default_authors",
                )
            )
    all_posts = sorted(
        (d for d in documents if d.kind == "post"), key=lambda d: (d.date or now, d.slug, d.source)
    )
    all_pages = sorted((d for d in documents if d.kind == "page"), key=lambda d: (d.slug, d.source))

    def published(doc: Document) -> bool:
        if doc.draft and not options.drafts:
            return False
        future = doc.kind == "post" and doc.date is not None and doc.date > now
        return options.future or not future

    posts = [d for d in all_posts if published(d)]
    pages = [d for d in all_pages if published(d)]

    # Drafts and future posts are checked too: a scheduled rebuild publishing them later
    # must not be the first to find out they are broken.
    everything = [*all_posts, *all_pages]
    for doc in everything:
        problems.extend(_check_document(doc, authors, set(config.default_authors)))
    slug_clashes = [
        *_duplicates(all_posts, "slug", "post slug"),
        *_duplicates(all_pages, "slug", "page slug"),
    ]
    problems.extend(slug_clashes)
    # an id defaults to the slug: a slug clash already reported need not be repeated as an id clash
    reported = {d.file for d in slug_clashes}
    problems.extend(_duplicates([d for d in everything if d.source not in reported], "id", "id"))
    problems.extend(_check_aliases(everything, authors))

    site = Site(
        config=config,
        posts=tuple(posts),
        pages=tuple(pages),
        authors=authors,
        tags=_group(posts, lambda d: (t.slug for t in d.tags)),
        categories=_group(posts, lambda d: (d.category.slug,) if d.category else ()),
        series=_group(posts, lambda d: (d.series.slug,) if d.series else ()),
        static_files=tuple(static_files),
    )
    return site, problems


def _error(doc: Document, key: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic("error", doc.source, message, hint, doc.field_lines.get(key), key)


def _check_document(
    doc: Document, authors: Mapping[str, Author], defaults: set[str]
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if "/" in doc.slug or "\\" in doc.slug or doc.slug.startswith("."):
        found.append(
            _error(
                doc,
                "slug",
                f"`slug` {doc.slug!r} would escape the output folder",
                "A slug is one URL segment: letters, digits and `-`, no `/` or `..`.",
            )
        )
    elif not _URL_SAFE.match(doc.slug) or doc.slug != doc.slug.lower():
        suggestion = slugify(doc.slug)
        found.append(
            _error(
                doc,
                "slug",
                f"`slug` {doc.slug!r} is not URL-safe",
                f"Use lowercase letters, digits and `-`, e.g. `slug: {suggestion}`."
                if suggestion
                else "Use lowercase letters, digits and `-`.",
            )
        )
    elif doc.kind == "page" and doc.slug in RESERVED:
        found.append(
            _error(
                doc,
                "slug",
                f"page slug `{doc.slug}` clashes with the built-in /{doc.slug}/ section",
                "Give the page another `slug:`.",
            )
        )
    for key in doc.authors:
        if key not in authors and key not in defaults:
            found.append(_error(doc, "authors", f"unknown author `{key}`", _author_hint(authors)))
    return found


def _author_hint(authors: Mapping[str, Author]) -> str:
    known = ", ".join(sorted(authors)) or "none yet"
    return f"Add it to authors.toml (known authors: {known})."


def _duplicates(docs: Iterable[Document], attr: str, label: str) -> list[Diagnostic]:
    seen: dict[str, Document] = {}
    found: list[Diagnostic] = []
    for doc in docs:
        value = getattr(doc, attr)
        first = seen.setdefault(value, doc)
        if first is not doc:
            found.append(
                _error(
                    doc,
                    attr,
                    f"duplicate {label} `{value}`: also used by {first.source}",
                    f"Give one of them a different `{attr}:`.",
                )
            )
    return found


def _check_aliases(docs: Sequence[Document], authors: Mapping[str, Author]) -> list[Diagnostic]:
    urls = {d.url for d in docs} | {a.url for a in authors.values()}
    taken: dict[str, Document] = {}
    found: list[Diagnostic] = []
    for doc in docs:
        for alias in doc.aliases:
            path = alias if alias.startswith("/") else "/" + alias
            if not _ALIAS.match(path) or ".." in path.split("/"):
                found.append(
                    _error(
                        doc,
                        "aliases",
                        f"alias {alias!r} is not a URL path on this site",
                        "Write the old path, e.g. `/2019/05/old-post.html`, without `..`.",
                    )
                )
            elif path in urls or path.rstrip("/") + "/" in urls:
                found.append(
                    _error(
                        doc,
                        "aliases",
                        f"alias `{alias}` clashes with an existing page at that URL",
                        "Remove the alias; the page already lives there.",
                    )
                )
            elif (other := taken.setdefault(path, doc)) is not doc:
                found.append(
                    _error(
                        doc,
                        "aliases",
                        f"alias `{alias}` is also claimed by {other.source}",
                        "An old URL can redirect to one page only.",
                    )
                )
    return found


def _group(
    posts: Sequence[Document], keys: Callable[[Document], Iterable[str]]
) -> dict[str, tuple[Document, ...]]:
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in posts:
        for slug in keys(doc):
            if slug:
                groups[slug].append(doc)
    return {slug: tuple(group) for slug, group in sorted(groups.items())}
