"""The state of one render: the site, the theme's environment, the files made so far.

`RenderContext` is what every page maker of the render stage (builder.render.pages,
lists, machines) is given: it queues a page's template to run (`page`, `emit_made`),
reuses the last build's file when the page's inputs are unchanged (`reusable`,
`reuse_unchecked`), and runs the queued templates across processes (`render_pending`).
What changed since the last build is worked out once, before any page, by
builder.render.site (`know_changes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    TemplateError,
    TemplateNotFound,
)

from builder.incremental import Reuse
from builder.manifest import FileKind
from builder.model import Author, Diagnostic, Document, OutputFile, Placed, Site
from builder.parallel import run_indexed
from builder.render.assets import AssetError, build_assets
from builder.render.env import make_environment, url_to_path
from builder.render.inputs import AUTHORS, CONFIG, MORE_INPUTS, THEME, as_cards

# a page whose template is still to run: (index in outputs, template, url, context)
# (a file `make()` returns, such as a feed: template MADE and `make` as the context)
_Job = tuple[int, str, str, "dict[str, Any] | Callable[[], dict[str, Any] | bytes]"]
MADE = ""
Place = Callable[[str, bytes], Placed]


@dataclass(frozen=True, slots=True)
class BakedThread:
    """A thread's approved comments as of publishing, baked into the page for no-JS readers.

    `html` is the interaction API's sanitised HTML (an ``<ol class="quire-list">``);
    `last_id` becomes ``data-quire-baked-until`` so the widget fetches only newer comments.
    """

    html: str = ""
    last_id: int = 0
    likes: int = 0


class RenderContext:
    """Holds the environment and the files produced so far for one render."""

    def __init__(
        self,
        site: Site,
        theme_dir: Path,
        baked: Mapping[str, BakedThread],
        reuse: Reuse | None = None,
        place: Place | None = None,
        compiled: BytecodeCache | None = None,
    ) -> None:
        self.site = site
        self.baked = baked
        self.reuse = reuse
        self.place = place
        self.config = site.config
        self.assets = build_assets(theme_dir)
        self.env = make_environment(theme_dir, self.config, self.assets, compiled)
        self.outputs: list[OutputFile] = list(self.assets.files)
        self.diagnostics: list[Diagnostic] = []
        self._pending: list[_Job] = []
        self._fingerprints: dict[str, str] = {}  # path -> fingerprint from `reusable`
        self.sitemap: list[tuple[str, datetime | None]] = []
        self._paths: set[str] = {f.path for f in self.outputs}
        self.by_author: dict[str, list[Document]] = defaultdict(list)
        for post in site.posts:
            for key in post.authors:
                self.by_author[key].append(post)
        # what differs from the last build: nothing known until `know_changes`
        self.differences: tuple[set[str], bool] | None = None
        self.changes: set[str] | None = None
        self.changed_cards: set[str] = set()
        self.list_changes: set[str] | None = None
        self.changed_card_sources: set[str] = set()
        self.only_added = False

    def know_changes(
        self,
        differences: tuple[set[str], bool] | None,
        list_changes: set[str] | None,
        only_added: bool,
    ) -> None:
        """What differs from the last build (see Reuse.differences), worked out once."""
        self.differences = differences
        self.changes = self._quiet_changes()
        self.changed_cards = (
            {name[5:] for name in self.changes if name.startswith("card:")}
            if self.changes is not None
            else set()
        )
        # a post added or deleted: the list pages it cannot reach are reused (settled.py)
        self.list_changes = list_changes
        self.changed_card_sources = {n[5:] for n in list_changes or () if n[:5] == "card:"}
        self.only_added = only_added

    def _quiet_changes(self) -> set[str] | None:
        """The inputs changed since the last build when that change is "quiet": no list
        changed (no post added, removed or moved; no tag or series changed) and neither
        the theme, the settings nor the authors file. Then every page's set of inputs is
        what it was, and a page none of whose inputs changed can be reused unchecked.
        None: anything else (or no previous build): every page is checked."""
        if self.differences is None:
            return None
        changed, same_inputs = self.differences
        if not same_inputs or any(
            name in {THEME, CONFIG, AUTHORS} or name.startswith("list:") for name in changed
        ):
            return None
        return changed

    # -- output helpers -------------------------------------------------------------
    def emit(
        self,
        path: str,
        data: bytes,
        kind: FileKind,
        inputs: Collection[str],
        *,
        fingerprint: str | None = None,
        reused: bool = False,
    ) -> None:
        """Add one output file, refusing a second file at the same path."""
        if path in self._paths:
            self.diagnostics.append(
                Diagnostic(
                    "error",
                    _origin(inputs),
                    f"two outputs would be written to `{path}`",
                    hint="Change a slug or an alias so each URL is unique.",
                )
            )
            return
        self._paths.add(path)
        self.outputs.append(OutputFile(path, data, kind, tuple(sorted(inputs)), reused=reused))
        if self.reuse is not None:
            self.reuse.record(path, fingerprint or self.reuse.fingerprint(inputs))

    def reuse_unchecked(self, pages: list[tuple[str, FileKind]], lastmod: datetime | None) -> bool:
        """Emit the last build's files at these URLs as they are, without fingerprinting
        them, when all are still as written (the caller knows none of their inputs
        changed); False, emitting nothing, when any is not."""
        if self.reuse is None:
            return False
        found = []
        for url, kind in pages:
            path = url_to_path(url)
            known = self.reuse.reuse_unchecked(path) if path is not None else None
            if path is None or known is None or path in self._paths:
                return False
            found.append((url, path, kind, *known))
        for url, path, kind, fingerprint, inputs in found:
            self.emit(path, b"", kind, inputs, fingerprint=fingerprint, reused=True)
            if kind == "html":
                self.sitemap.append((url, lastmod))
        return True

    def reusable(self, url: str, exact: set[str]) -> tuple[str, ...] | None:
        """The manifest inputs of the page at `url` from the last build, if the `exact`
        inputs its bytes are made from (see `page`) are unchanged; else None."""
        path = url_to_path(url)
        if self.reuse is None or path is None:
            return None
        fingerprint = self.reuse.fingerprint(exact | {THEME, CONFIG})
        self._fingerprints[path] = fingerprint  # page() needs it again
        known = self.reuse.reuse_unchecked(path)
        return known[1] if known is not None and known[0] == fingerprint else None

    def emit_made(
        self,
        path: str,
        make: Callable[[], bytes],
        kind: FileKind,
        inputs: set[str],
        exact: set[str] | None = None,
    ) -> None:
        """Emit the file `make()` returns, or the last build's file if its inputs (or the
        narrower `exact` ones, see `page`) are the same. `make` runs with the templates
        (render_pending), across processes when there are many."""
        fingerprint = None
        if self.reuse is not None:
            fingerprint = self.reuse.fingerprint(inputs if exact is None else exact)
            if self.reuse.unchanged(path, fingerprint):
                self.emit(path, b"", kind, inputs, fingerprint=fingerprint, reused=True)
                return
        index = len(self.outputs)
        self.emit(path, b"", kind, inputs, fingerprint=fingerprint)
        if len(self.outputs) > index:
            self._pending.append((index, MADE, path, make))

    def page(
        self,
        template: str,
        url: str,
        context: dict[str, Any] | Callable[[], dict[str, Any]],
        inputs: set[str],
        *,
        kind: FileKind = "html",
        path: str | None = None,
        lastmod: datetime | None = None,
        in_sitemap: bool = True,
        exact: set[str] | None = None,
        cards: bool = False,
    ) -> None:
        """Render `template` for the page at `url` and emit it.

        `context` may be a function, so a page reused from the last build costs nothing.
        `exact`: what the page's bytes are a function of, when narrower than `inputs` (the
        dependencies recorded in the manifest); its fingerprint is made from these.
        `cards`: the page shows its source documents only as cards (title, link, summary:
        see Document.card), never their bodies, so a body edit does not concern it.
        """
        if exact is None and cards:
            exact = as_cards(inputs)
        out = path or url_to_path(url)
        if out is None:
            self.diagnostics.append(
                Diagnostic(
                    "error",
                    _origin(inputs),
                    f"URL {url!r} would escape the output folder",
                    hint="Use a plain path such as /old/post/.",
                )
            )
            return
        deps = inputs | {THEME, CONFIG}
        fingerprint = None
        if self.reuse is not None:
            fingerprint = self._fingerprints.pop(out, None)
            if fingerprint is None:
                fingerprint = self.reuse.fingerprint(
                    deps if exact is None else exact | {THEME, CONFIG}
                )
            if self.reuse.unchanged(out, fingerprint):
                self.emit(out, b"", kind, deps, fingerprint=fingerprint, reused=True)
                if kind == "html" and in_sitemap:
                    self.sitemap.append((url, lastmod))
                return
        index = len(self.outputs)
        self.emit(out, b"", kind, deps, fingerprint=fingerprint)  # filled in by render_all
        if len(self.outputs) == index:
            return  # a second page at the same path: already reported
        self._pending.append((index, template, url, context))
        if kind == "html" and in_sitemap:
            self.sitemap.append((url, lastmod))

    def _made(self, job: _Job) -> tuple[bytes | Placed | Diagnostic, tuple[str, ...]]:
        """One page rendered, and placed when there is somewhere to place it; with the
        inputs its context found (see render_pages.MORE_INPUTS)."""
        made, more = self._render_page(job)
        if self.place is None or not isinstance(made, bytes):
            return made, more
        return self.place(self.outputs[job[0]].path, made), more

    def _render_page(self, job: _Job) -> tuple[bytes | Diagnostic, tuple[str, ...]]:
        """Run one page's template (in this process or a forked worker)."""
        _, template, url, context = job
        try:
            values = context() if callable(context) else context
            if isinstance(values, bytes):  # a MADE file
                return values, ()
            more = tuple(values.pop(MORE_INPUTS, ()))  # a context made for this call
            html = self.env.get_template(template).render(page_url=url, **values)
            return html.encode(), more
        except TemplateNotFound as exc:
            problem = Diagnostic(
                "error",
                f"theme templates/{exc.name}",
                "template is missing",
                hint=f"The theme must provide {exc.name} (needed for {url}).",
            )
        except (TemplateError, AssetError) as exc:
            problem = Diagnostic(
                "error",
                f"theme templates/{template}",
                f"template failed while rendering {url}: {exc}",
            )
        return problem, ()

    def render_pending(self) -> None:
        """Run the templates of every page queued by `page`, across processes if many."""
        # MADE files (feeds with whole posts, the sitemap) take longest: first, so that no
        # worker is left with one of them at the end while the other idles
        jobs = sorted(self._pending, key=lambda job: job[1] != MADE)
        self._pending = []
        results = run_indexed(lambda i: self._made(jobs[i]), len(jobs), min_jobs=200)
        for job, (result, more) in zip(jobs, results, strict=True):
            out = self.outputs[job[0]]
            if more:
                out = replace(out, inputs=tuple(sorted({*out.inputs, *more})))
            if isinstance(result, Diagnostic):
                self.diagnostics.append(result)
            elif isinstance(result, bytes):
                out = replace(out, data=result)
            else:
                out = replace(out, placed=result)
            self.outputs[job[0]] = out

    # -- helpers used by render_pages --------------------------------------------------
    def authors_of(self, doc: Document) -> list[Author]:
        """The Author records of a document, in front matter order."""
        return [self.site.authors[k] for k in doc.authors if k in self.site.authors]

    def author_url(self, key: str) -> str:
        """The page of author `key`."""
        author = self.site.authors.get(key)
        return author.url if author and author.url else f"/authors/{key}/"


def _origin(inputs: Collection[str]) -> str:
    """The content file to name in an error about a page: its first real source."""
    real = sorted(i for i in inputs if i not in {THEME, CONFIG, AUTHORS} and ":" not in i)
    return real[0] if real else "quire.toml"
