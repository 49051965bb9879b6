"""Theme assets with a content hash in their names, so the CDN can cache them forever.

Every file under ``<theme>/static/`` becomes ``assets/<dir>/<stem>.<hash><suffix>``; the
Pygments stylesheet (light, and dark under ``prefers-color-scheme``) is generated here too.
Templates call ``asset("css/main.css")`` to get the fingerprinted URL path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pygments.formatters import HtmlFormatter

from builder.model import OutputFile

ASSET_PREFIX = "assets"
PYGMENTS_CSS = "css/pygments.css"
HASH_LENGTH = 10
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
CODE_CSS_CLASS = "highlight"


class AssetError(KeyError):
    """A template asked for an asset the theme does not have."""


@dataclass(frozen=True, slots=True)
class Assets:
    """The fingerprinted files of a theme and the logical name -> URL path map."""

    files: tuple[OutputFile, ...] = ()
    urls: dict[str, str] = field(
        default_factory=dict
    )  # "css/main.css" -> "/assets/css/main.<h>.css"

    def has(self, name: str) -> bool:
        """Whether the theme ships the asset `name`."""
        return name in self.urls

    def url(self, name: str) -> str:
        """The fingerprinted site-relative URL of `name`; raises AssetError when unknown."""
        try:
            return self.urls[name]
        except KeyError:
            known = ", ".join(sorted(self.urls)) or "none"
            raise AssetError(f"theme asset {name!r} does not exist (known: {known})") from None


def fingerprint(name: str, data: bytes) -> str:
    """`css/main.css` -> `css/main.<hash>.css`, the hash taken from the content."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def pygments_css() -> bytes:
    """Light code colours, and dark ones when the reader prefers a dark scheme."""
    selector = f".{CODE_CSS_CLASS}"
    light: str = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(selector)  # type: ignore[no-untyped-call]
    dark: str = HtmlFormatter(style=DARK_STYLE).get_style_defs(selector)  # type: ignore[no-untyped-call]
    # The dark style's highlighted-line colour is too close to its text: use a calm blue;
    # and lift code blocks off the page background like the light style does.
    dark += f"\n{selector} .hll {{ background-color: #264f78 }}"
    dark += f"\n{selector} {{ background-color: #161b22 }}"
    dark_block = "\n".join(f"  {line}" for line in dark.splitlines())
    text = (
        f"/* Code highlighting: Pygments '{LIGHT_STYLE}' (light), '{DARK_STYLE}' (dark). */\n"
        f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark_block}\n}}\n"
    )
    return text.encode("utf-8")


def build_assets(theme_dir: Path) -> Assets:
    """Fingerprint every file under the theme's static folder, plus the Pygments CSS."""
    sources: list[tuple[str, bytes, str]] = [(PYGMENTS_CSS, pygments_css(), "theme")]
    static = theme_dir / "static"
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = path.relative_to(static).as_posix()
            sources.append((rel, path.read_bytes(), f"theme:static/{rel}"))
    files: list[OutputFile] = []
    urls: dict[str, str] = {}
    for name, data, origin in sources:
        out = f"{ASSET_PREFIX}/{fingerprint(name, data)}"
        urls[name] = f"/{out}"
        files.append(OutputFile(path=out, data=data, kind="asset", inputs=(origin,)))
    return Assets(files=tuple(files), urls=urls)
