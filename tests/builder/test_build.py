"""The whole pipeline: determinism, drafts, future posts, rewrites, a safe output folder."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from builder_testlib import NOW, MakeSite, options, post, tree_digest

from builder.build_result import report_lines
from builder.load import load_sources
from builder.manifest import MANIFEST_NAME, read_manifest
from builder.model import Diagnostic
from builder.pipeline import STAGES, ParseCache, build_site


def _bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_builds_of_the_same_input_are_byte_identical(basic_site: Path, tmp_path: Path) -> None:
    first = build_site(basic_site, options(output_dir=tmp_path / "one"))
    second = build_site(basic_site, options(output_dir=tmp_path / "two"))
    assert first.ok and second.ok
    one, two = _bytes(tmp_path / "one"), _bytes(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [p for p in one if one[p] != two[p]] == []
    assert any(p.startswith("search/t/") for p in one)  # the search index is covered too


def test_every_stage_is_timed_and_reported(basic_site: Path) -> None:
    seen: list[str] = []
    result = build_site(basic_site, options(), on_stage=lambda stage, i, n: seen.append(stage))
    assert seen == list(STAGES)
    # the search index was made within the write stage, and is timed on its own:
    # `--timings` tells a slow index from a slow build
    assert set(result.timings) == {*STAGES, "search"}
    assert result.timings["search"] > 0 and result.pages > 10


def test_search_time_is_reported_only_when_the_index_is_updated(basic_site: Path) -> None:
    assert build_site(basic_site, options()).ok
    about = basic_site / "content/about.md"
    about.write_text(about.read_text() + "\nNew words.\n")
    kept = build_site(basic_site, options(search_index=False))  # the index is kept
    assert kept.ok and "search" not in kept.timings and "write" in kept.timings
    about.write_text(about.read_text() + "\nMore words.\n")
    indexed = build_site(basic_site, options())  # the index catches up with the pages
    assert indexed.ok and indexed.timings["search"] > 0
    assert any(p.startswith("search/d/") for p in indexed.changed)


def test_drafts_and_future_posts(basic_site: Path) -> None:
    def slugs(**kwargs: object) -> list[str]:
        result = build_site(basic_site, options(**kwargs))
        assert result.ok and result.site is not None
        return [d.slug for d in result.site.posts]

    default = slugs()
    assert "unfinished-ideas" not in default and "from-the-future" not in default
    assert "unfinished-ideas" in slugs(drafts=True)
    assert slugs(future=True)[-1] == "from-the-future"
    # a later build (its date has come) publishes the future post without --future
    later = build_site(basic_site, options(now=NOW.replace(year=2030, month=1, day=2)))
    assert later.site is not None and later.site.posts[-1].slug == "from-the-future"
    assert (later.output_dir / "posts/from-the-future/index.html").is_file()


def test_posts_are_sorted_by_date_then_slug(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/b.md": post("B", "2024-01-02"),
            "content/posts/a.md": post("A", "2024-01-02"),
            "content/posts/c.md": post("C", "2024-01-01"),
            "content/posts/later.md": post("Later", "2025-06-01T12:00:01"),
        }
    )
    result = build_site(site, options())
    assert result.site is not None
    assert [d.slug for d in result.site.posts] == [
        "c",
        "a",
        "b",
    ]  # "later" is one second in the future
    assert list(result.site.tags) == []


def test_rebuild_rewrites_only_changed_files_and_removes_old_ones(basic_site: Path) -> None:
    first = build_site(basic_site, options())
    before = tree_digest(first.output_dir)
    again = build_site(basic_site, options())
    assert again.ok and again.changed == () and again.removed == ()
    assert tree_digest(again.output_dir) == before  # same bytes and same mtimes

    about = basic_site / "content/about.md"
    about.write_text(about.read_text().replace("small community", "tiny community"))
    (basic_site / "content/posts/2024-06-01-raw-html.md").unlink()
    third = build_site(basic_site, options())
    assert third.ok
    assert "about/index.html" in third.changed
    assert "posts/welcome/index.html" not in third.changed
    assert "posts/raw-html/index.html" in third.removed
    assert not (third.output_dir / "posts/raw-html").exists()
    after = tree_digest(third.output_dir)
    assert after["posts/welcome/index.html"] == before["posts/welcome/index.html"]
    assert after["about/index.html"] != before["about/index.html"]
    manifest = read_manifest(third.output_dir)
    assert manifest is not None and "posts/raw-html/index.html" not in manifest.files


def test_output_folder_not_made_by_quire_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post()})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = build_site(site, options(output_dir=precious))
    assert not result.ok
    assert [str(d) for d in result.errors] == [
        f"error: {precious}: the output folder exists and was not made by Quire; "
        "refusing to replace it Choose another --output folder, or empty this one."
    ]
    assert (precious / "thesis.txt").read_text() == "years of work"


@pytest.mark.parametrize("output", [".", "content/out", ".."])
def test_output_folder_cannot_overlap_the_site(make_site: MakeSite, output: str) -> None:
    site = make_site({"content/posts/a.md": post()})
    result = build_site(site, options(output_dir=site / output))
    assert not result.ok and len(result.errors) == 1
    assert (site / "content/posts/a.md").is_file()


def test_symlinks_out_of_the_site_are_refused(make_site: MakeSite, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(post("Secret"))
    site = make_site({"content/posts/a.md": post()})
    os.symlink(secret, site / "content/posts/leak.md")
    (site / "static").mkdir()
    os.symlink(tmp_path, site / "static/outside")
    sources, problems = load_sources(site)
    assert [s.path for s in sources.posts] == ["content/posts/a.md"]
    assert sources.static_files == ()
    assert [str(p) for p in problems] == [
        "error: content/posts/leak.md: is a symlink pointing outside the site folder "
        "Copy the file into the site instead; Quire never reads outside the site.",
        "error: static/outside: is a symlink pointing outside the site folder "
        "Copy the file into the site instead; Quire never reads outside the site.",
    ]
    assert not build_site(site, options()).ok


def test_static_files_are_copied_and_clashes_reported(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/a.md": post(),
            "static/robots.txt": "User-agent: *\n",
            "static/x/y.txt": "y",
        }
    )
    result = build_site(site, options())
    assert [str(d) for d in result.errors] == [
        "error: static/robots.txt: would overwrite robots.txt, which Quire generates "
        "Rename one of them (slug, alias or static file)."
    ]
    # the pages were rendered into a new tree beside the output: it is gone, none swapped in
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".public")) == []
    assert not result.output_dir.exists()
    (site / "static/robots.txt").unlink()
    result = build_site(site, options())
    assert result.ok
    assert (result.output_dir / "x/y.txt").read_text() == "y"
    assert result.manifest is not None and result.manifest.files["x/y.txt"].inputs == (
        "static/x/y.txt",
    )


def test_cross_file_errors_are_reported_together(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A", aliases="[/old/]"),
            "content/posts/b.md": post("B", aliases="[/old/]", authors="[zed]"),
            "content/posts/c.md": post("C", slug="Not Safe"),
            "content/posts/d.md": "no front matter\n",
            "content/tags.md": "---\ntitle: Tags\n---\n",
        },
        config='title = "T"\ndefault_authors = ["nobody"]\n',
    )
    result = build_site(site, options())
    assert [str(d) for d in result.errors] == [
        "error: content/posts/d.md:1: no front matter found "
        "Start the file with a `---` line, then `title: ...`, then another `---` line.",
        "error: quire.toml: `default_authors` names unknown author `nobody` "
        "Add it to authors.toml (known authors: ada, grace).",
        "error: content/posts/c.md:4: `slug` 'Not Safe' is not URL-safe "
        "Use lowercase letters, digits and `-`, e.g. `slug: not-safe`.",
        "error: content/posts/b.md:5: unknown author `zed` "
        "Add it to authors.toml (known authors: ada, grace).",
        "error: content/tags.md: page slug `tags` clashes with the built-in /tags/ section "
        "Give the page another `slug:`.",
        "error: content/posts/b.md:4: alias `/old/` is also claimed by content/posts/a.md "
        "An old URL can redirect to one page only.",
    ]
    assert not (site / "public").exists()


def test_timezone_of_naive_dates_decides_future(make_site: MakeSite) -> None:
    # 12:30 in Paris is 11:30 UTC, before NOW (12:00 UTC): published
    site = make_site(
        {"content/posts/a.md": post("A", "2025-06-01T12:30:00")},
        config='title = "T"\ntimezone = "Europe/Paris"\n',
    )
    result = build_site(site, options())
    assert result.site is not None and [d.slug for d in result.site.posts] == ["a"]
    assert result.site.posts[0].date is not None
    assert result.site.posts[0].date.utcoffset() == timedelta(hours=2)


def test_manifest_is_written_and_not_listed_in_itself(basic_site: Path) -> None:
    result = build_site(basic_site, options())
    manifest = read_manifest(result.output_dir)
    assert manifest is not None and MANIFEST_NAME not in manifest.files
    assert manifest.base_url == "https://blog.example.com"
    assert manifest.files["posts/markdown-tour/index.html"].kind == "html"
    assert manifest.files["2024/03/markdown.html"].kind == "redirect"


def test_parse_cache_reuses_unchanged_documents(basic_site: Path) -> None:
    cache: ParseCache = {}
    first = build_site(basic_site, options(), parse_cache=cache)
    assert first.site is not None and len(cache) == 8  # 7 posts and the About page
    about = basic_site / "content/about.md"
    about.write_text(about.read_text() + "\nOne more line.\n")
    (basic_site / "content/posts/2024-06-01-raw-html.md").unlink()
    second = build_site(basic_site, options(), parse_cache=cache)
    assert second.ok and second.site is not None
    assert second.site.posts[0] is first.site.posts[0]  # not parsed again
    assert "One more line." in second.site.pages[0].body_html
    assert second.site.pages[0] is not first.site.pages[0]
    assert len(cache) == 7  # the edited file's old entry and the deleted file are gone


def test_a_killed_build_is_cleaned_up_and_a_lost_output_restored(basic_site: Path) -> None:
    first = build_site(basic_site, options())
    before = tree_digest(first.output_dir)
    # as if a build was killed between "rename old away" and "rename new in"
    aside = basic_site / ".public.old-deadbeef"
    first.output_dir.rename(aside)
    (basic_site / ".public.new-cafebabe").mkdir()
    (basic_site / ".public.new-cafebabe/half.html").write_text("half")
    (basic_site / "content/posts/broken.md").write_text("---\ntitle: x\n---\n")
    failed = build_site(basic_site, options())
    assert not failed.ok
    assert tree_digest(failed.output_dir) == before
    (basic_site / "content/posts/broken.md").unlink()
    again = build_site(basic_site, options())
    assert again.ok and again.changed == ()  # the restored output was reused as is
    assert sorted(p.name for p in basic_site.iterdir() if p.name.startswith(".public")) == []


def test_drafts_and_future_posts_are_checked_before_they_are_published(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A"),
            "content/posts/later.md": post("Later", "2030-01-01", authors="[nobody]"),
            "content/posts/draft.md": post("Draft", slug="a", draft="true"),
        }
    )
    result = build_site(site, options())
    assert [str(d) for d in result.errors] == [
        "error: content/posts/later.md:4: unknown author `nobody` "
        "Add it to authors.toml (known authors: ada, grace).",
        "error: content/posts/draft.md:4: duplicate post slug `a`: also used by "
        "content/posts/a.md Give one of them a different `slug:`.",
    ]


def test_search_index_can_be_kept_for_fast_preview_rebuilds(basic_site: Path) -> None:
    first = build_site(basic_site, options())
    files = tree_digest(first.output_dir / "search")
    index = {p: d for p, d in files.items() if p.endswith(".json")}
    assert index and first.manifest is not None
    about = basic_site / "content/about.md"
    about.write_text(about.read_text() + "\nNew words.\n")
    kept = build_site(basic_site, options(search_index=False))
    assert kept.ok and not any(p.endswith(".json") for p in kept.changed)
    now = tree_digest(kept.output_dir / "search")
    assert {p: d for p, d in now.items() if p.endswith(".json")} == index  # not re-indexed
    assert kept.manifest is not None
    assert {p for p, e in kept.manifest.files.items() if e.kind == "search"} == {
        f"search/{p}" for p in index
    }


def test_search_index_is_built_when_there_is_none_to_keep(make_site: MakeSite) -> None:
    site = make_site({"content/posts/a.md": post()})
    result = build_site(site, options(search_index=False))
    assert result.ok and (result.output_dir / "search/meta.json").is_file()


def test_parse_progress_is_reported(basic_site: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = build_site(
        basic_site, options(), on_parsed=lambda done, total: seen.append((done, total))
    )
    assert result.ok and seen == [(8, 8)]  # fewer than 25 files: one report, at the end


def test_reports_count_a_warning_repeated_in_many_files() -> None:
    def warn(n: int, message: str = "unknown front matter key `author`") -> Diagnostic:
        return Diagnostic("warning", f"content/posts/p{n}.md", message, "Did you mean `authors`?")

    four = [warn(n) for n in range(4)]  # one summary line would save nothing: all shown
    assert report_lines(four) == [str(d) for d in four]
    many = [warn(n) for n in range(500)] + [warn(0, "other")]
    assert report_lines(many) == [
        *(str(d) for d in many[:3]),
        "warning: ...and in 497 more files: unknown front matter key `author` "
        "Did you mean `authors`?",
        str(many[-1]),
    ]
