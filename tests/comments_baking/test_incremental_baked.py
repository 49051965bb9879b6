"""The builder side: baked comments are an input of their article page and nothing else.

A thread's baked comments are the pseudo-input `comments:<thread id>` of its article, so
an incremental rebuild re-renders only the article whose comments changed, and its bytes
are the same as a clean build's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from builder.config import BuildOptions
from builder.pipeline import BuildResult, build_site
from builder.render import BakedThread
from builder.uptodate import forget_stamp

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = 'title = "Baked"\nbase_url = "https://blog.example.com"\n'
BAKED = BakedThread(
    html='<ol class="quire-list"><li class="quire-c" id="comment-7" data-quire-comment="7" '
    'data-quire-json="{}"><article><div class="quire-body"><p>Baked words</p></div>'
    "</article></li></ol>",
    last_id=7,
    likes=3,
)


def make_site(root: Path) -> Path:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "quire.toml").write_text(CONFIG, encoding="utf-8")
    for n in range(3):
        text = f"---\ntitle: Post {n}\ndate: 2024-01-0{n + 1}\n---\n\nBody {n}.\n"
        (root / "content" / "posts" / f"post-{n}.md").write_text(text, encoding="utf-8")
    return root


def build(
    site: Path, out: Path, baked: dict[str, BakedThread], *, cache: bool = True
) -> BuildResult:
    result = build_site(site, BuildOptions(output_dir=out, now=NOW, cache=cache), baked=baked)
    assert result.ok, result.errors
    return result


def test_only_the_article_whose_comments_changed_is_rendered_again(tmp_path: Path) -> None:
    site, out = make_site(tmp_path / "site"), tmp_path / "public"
    first = build(site, out, {})
    assert first.manifest is not None
    # Some small files (the theme's assets) are made by every build that does not find
    # itself up to date (builder.uptodate); they are the baseline.
    forget_stamp(site)
    baseline = build(site, out, {}).rendered
    thread = next(t for t, info in first.manifest.threads.items() if info.url.endswith("post-1/"))
    page = out / first.manifest.threads[thread].url.strip("/") / "index.html"
    plain = page.read_bytes()
    assert b'data-quire-baked-until="0"' in plain

    baked = build(site, out, {thread: BAKED})
    assert baked.rendered == baseline + 1
    assert [p for p in baked.changed if p.endswith(".html")] == [page.relative_to(out).as_posix()]
    html = page.read_text(encoding="utf-8")
    assert "Baked words" in html
    assert 'data-quire-baked-until="7"' in html and 'data-quire-likes="3"' in html

    # Same bytes as a clean build with the same comments; an unchanged rebuild writes nothing.
    clean = tmp_path / "clean"
    build(site, clean, {thread: BAKED}, cache=False)
    assert (clean / page.relative_to(out)).read_bytes() == page.read_bytes()
    again = build(site, out, {thread: BAKED})
    assert again.rendered in {0, baseline} and again.changed == ()  # 0: up to date

    # Comments gone (all removed by moderation): the page goes back to its plain form.
    gone = build(site, out, {})
    assert gone.rendered == baseline + 1 and page.read_bytes() == plain
