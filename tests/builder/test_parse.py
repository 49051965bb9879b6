"""Front matter and per-file parsing: fields, defaults, typos and warnings."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

from builder.model import Document, Source
from builder.parse import ParseSettings, parse_source

P = "content/posts/2024-01-31-hello-world.md"
SETTINGS = ParseSettings(allow_html=False, timezone="Europe/Paris", default_authors=("ada",))


def parse(
    text: str, path: str = "content/posts/2024-01-31-hello-world.md"
) -> tuple[Document | None, list[str]]:
    doc, problems = parse_source(Source(path, text, "0" * 64), SETTINGS)
    return doc, [str(p) for p in problems]


def test_defaults_come_from_file_name_body_and_settings() -> None:
    doc, problems = parse(
        "---\ntitle: Hello\ndate: 2024-01-31\n---\n\nFirst paragraph.\n\nSecond.\n"
    )
    assert problems == []
    assert doc is not None
    assert (doc.slug, doc.id, doc.url, doc.kind) == (
        "hello-world",
        "hello-world",
        "/posts/hello-world/",
        "post",
    )
    assert doc.authors == ("ada",)
    assert doc.summary_html == "First paragraph."
    # a date without an offset is in the site's time zone
    assert doc.date == datetime(2024, 1, 31, tzinfo=timezone(timedelta(hours=1))).astimezone(UTC)
    assert doc.toc == ()


def test_all_fields() -> None:
    text = """\
---
title: "Everything: a post"
date: 2024-03-10T18:00:00+02:00
updated: 2024-03-12
slug: everything
id: everything-1
tags: [Python, Web Dev]
category: Guides
series: Basics
authors: [grace]
summary: A *short* summary.
cover: {src: /images/a.png, alt: A diagram}
aliases: [old/everything.html, /2024/everything/]
canonical: https://elsewhere.example/everything/
toc: true
mood: happy
---

## One

## Two
"""
    doc, problems = parse(text)
    assert problems == []
    assert doc is not None
    assert doc.title == "Everything: a post" and doc.id == "everything-1"
    assert doc.date is not None and doc.date.utcoffset() == timedelta(hours=2)
    assert [(t.name, t.slug, t.url) for t in doc.tags] == [
        ("Python", "python", "/tags/python/"),
        ("Web Dev", "web-dev", "/tags/web-dev/"),
    ]
    assert doc.category is not None and doc.category.url == "/categories/guides/"
    assert doc.series is not None and doc.series.url == "/series/basics/"
    assert doc.authors == ("grace",)
    assert doc.summary_html == "A <em>short</em> summary."
    assert doc.cover is not None and doc.cover.alt == "A diagram"
    assert doc.aliases == ("/old/everything.html", "/2024/everything/")
    assert doc.canonical == "https://elsewhere.example/everything/"
    assert [h.anchor for h in doc.toc] == ["one", "two"]
    assert doc.extra == {"mood": "happy"}


def test_unknown_keys_are_kept_and_typos_warned() -> None:
    doc, problems = parse(
        "---\ntitle: T\ndate: 2024-01-01\ntitel: X\ntgas: [a]\ncolour: red\n---\n"
    )
    assert doc is not None and doc.extra == {"titel": "X", "tgas": ["a"], "colour": "red"}
    assert problems == [
        f"warning: {P}:4: unknown front matter key `titel` Did you mean `title`?",
        f"warning: {P}:5: unknown front matter key `tgas` Did you mean `tags`?",
    ]


def test_pages_need_no_date() -> None:
    doc, problems = parse("---\ntitle: About\n---\n\nHi.\n", path="content/about.md")
    assert problems == [] and doc is not None
    assert (doc.kind, doc.url, doc.date) == ("page", "/about/", None)


def test_markdown_warnings_carry_the_file_line() -> None:
    doc, problems = parse(
        "---\ntitle: T\ndate: 2024-01-01\n---\n\nText.\n\n```nosuchlang\nx\n```\n"
    )
    assert doc is not None
    assert len(problems) == 1
    assert problems[0].startswith(f"warning: {P}:8: unknown code language")


def test_wrong_types_are_errors_naming_the_field() -> None:
    doc, problems = parse("---\ntitle: [a]\ndate: 2024-01-01\ndraft: maybe\ntags: {a: 1}\n---\n")
    assert doc is None
    assert problems == [
        f"error: {P}:2: `title` must be text Add `title: My Post` to the front matter.",
        f"error: {P}:4: `draft` must be true or false, not 'maybe' Write `draft: true`.",
        f"error: {P}:5: `tags` must be a list of names Write `tags: [first, second]`.",
    ]


def test_front_matter_must_be_closed_and_a_mapping() -> None:
    assert parse("---\ntitle: T\n")[1] == [
        f"error: {P}:1: front matter is not closed "
        "Add a line with just `---` after the last front matter field."
    ]
    assert parse("---\n- a\n- b\n---\n")[1] == [
        f"error: {P}:2: front matter must be a set of "
        "`key: value` lines For example `title: Hello`."
    ]


def test_yaml_tags_cannot_build_python_objects() -> None:
    doc, problems = parse(
        "---\ntitle: !!python/object/apply:os.system [echo hi]\ndate: 2024-01-01\n---\n"
    )
    assert doc is None
    assert problems == [
        f"error: {P}:2: YAML tags (`!!name`) are not allowed in front matter "
        "Write plain text, numbers, lists and mappings."
    ]
    assert parse("---\ntitle: T\ndate: 2024-01-01\nx: !!set {a, b}\n---\n")[1][0].startswith(
        f"error: {P}:4: YAML tags"
    )


def test_cover_src_must_be_an_image_url() -> None:
    doc, problems = parse(
        "---\ntitle: T\ndate: 2024-01-01\ncover: {src: 'javascript:alert(1)', alt: x}\n---\n"
    )
    assert doc is None
    assert problems == [
        f"error: {P}:4: `cover` src 'javascript:alert(1)' is not an image URL "
        "Use a path such as /images/photo.jpg or an https:// URL."
    ]


def test_documents_survive_pickling_for_a_process_pool() -> None:
    doc, _ = parse("---\ntitle: T\ndate: 2024-01-01\ntags: [a]\nx: {y: [1]}\n---\n\n# H\n\nText.\n")
    assert doc is not None
    copy = pickle.loads(pickle.dumps(doc))
    assert copy == doc and copy.field_lines == doc.field_lines


def test_marker_characters_in_plain_values_are_fine_but_anchors_are_not() -> None:
    doc, problems = parse('---\ntitle: "Fast & safe!"\ndate: 2024-01-01\nsummary: 2 * 3!\n---\n')
    assert problems == [] and doc is not None
    assert (doc.title, doc.summary_html) == ("Fast & safe!", "2 * 3!")
    assert parse("---\ntitle: T\ndate: 2024-01-01\nx: &anchor 1\n---\n")[1] == [
        f"error: {P}:4: YAML anchors and aliases (`&name`, `*name`) are not allowed in front "
        "matter Write the value out in full."
    ]
