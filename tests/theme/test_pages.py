"""What a reader sees: every page type at its clean URL, with the right links and widgets."""

from __future__ import annotations

from dataclasses import replace

from themekit import (
    Rendered,
    find_all,
    html,
    links,
    make_site,
    page,
    post,
    render,
)

from builder.model import Site


def test_every_page_type_exists_at_a_clean_url(rendered: Rendered) -> None:
    expected = {
        "index.html",
        "posts/post-1/index.html",
        "about/index.html",
        "tags/index.html",
        "tags/python/index.html",
        "tags/web/index.html",
        "categories/guides/index.html",
        "series/learning/index.html",
        "authors/ada/index.html",
        "archive/index.html",
        "archive/2024/index.html",
        "archive/2025/index.html",
        "search/index.html",
        "404.html",
        "old/post-two/index.html",
        "2024/02/post-two.html",
    }
    assert expected <= set(rendered)
    assert rendered["posts/post-1/index.html"].kind == "html"
    assert rendered["old/post-two/index.html"].kind == "redirect"


def test_post_page_shows_metadata_neighbours_and_author(rendered: Rendered) -> None:
    text = html(rendered, "posts/post-2/index.html")
    assert find_all(text, "h1")[0].text == "Post number 2"
    assert find_all(text, "time", class_="dt-published")[0].attrs["datetime"] == (
        "2024-01-03T09:30:00Z"
    )
    assert "January 3, 2024" in text
    assert "2 min read" in text  # 460 words at 230 words a minute
    older = find_all(text, "a", rel="prev")[0]
    newer = find_all(text, "a", rel="next")[0]
    assert (older.attrs["href"], newer.attrs["href"]) == ("/posts/post-1/", "/posts/post-3/")
    tags = [a.text for a in find_all(text, "a", rel="tag")]
    assert tags == ["Python", "Web"]
    box = find_all(text, "section", class_="author-box")[0]
    assert "Ada Lovelace" in box.text and "Writes about engines." in box.text
    toc = find_all(text, "nav", class_="toc")[0]
    assert "First" in toc.text and "Second" in toc.text
    assert "#first" in links(text)
    assert "Part 2 of 2 in the series" in text


def test_first_and_last_posts_have_one_neighbour(rendered: Rendered) -> None:
    first = html(rendered, "posts/post-1/index.html")
    last = html(rendered, "posts/post-5/index.html")
    assert find_all(first, "a", rel="prev") == []
    assert find_all(first, "a", rel="next")[0].attrs["href"] == "/posts/post-2/"
    assert find_all(last, "a", rel="next") == []


def test_related_posts_share_tags_most_shared_first() -> None:
    posts = [
        post(1, tags=["a", "b"]),
        post(2, tags=["a"]),
        post(3, tags=["a", "b"]),
        post(4, tags=["c"]),
        post(5, tags=["a", "b"]),
    ]
    out = render(make_site(posts))
    section = find_all(html(out, "posts/post-3/index.html"), "section", class_="related")[0]
    hrefs = links(html(out, "posts/post-3/index.html").split('class="related"')[1])
    # post-1 and post-5 share two tags (both two days away: URL order), post-2 shares one.
    assert hrefs[:3] == ["/posts/post-1/", "/posts/post-5/", "/posts/post-2/"]
    assert "Post number 4" not in section.text
    lonely = html(out, "posts/post-4/index.html")
    assert find_all(lonely, "section", class_="related") == []


def test_cover_has_alt_text(rendered: Rendered) -> None:
    images = find_all(html(rendered, "posts/post-1/index.html"), "img", src="/images/c.png")
    assert images[0].attrs["alt"] == "A cover"


def test_comment_and_like_mount_points_carry_thread_and_api(full_site: Site) -> None:
    site = replace(
        full_site,
        config=full_site.config.model_copy(update={"api_base": "https://api.example.com"}),
    )
    text = html(render(site), "posts/post-3/index.html")
    section = find_all(text, "section", id="comments")[0]
    assert section.attrs["data-quire-thread"] == "post-3"
    assert section.attrs["data-quire-api"] == "https://api.example.com"
    assert section.attrs["data-quire-baked-until"] == "0"
    assert "quire-comments" in section.attrs["class"]
    like = find_all(text, "div", class_="quire-like")[0]
    assert like.attrs["data-quire-thread"] == "post-3"
    assert like.attrs["data-quire-likes"] == "0"
    assert find_all(text, "noscript")


def test_comments_off_removes_the_widgets(full_site: Site) -> None:
    site = replace(full_site, config=full_site.config.model_copy(update={"comments": False}))
    text = html(render(site), "posts/post-3/index.html")
    assert find_all(text, "section", id="comments") == []
    assert find_all(text, "div", class_="quire-like") == []


def test_list_items_carry_count_mount_points(rendered: Rendered) -> None:
    items = find_all(html(rendered, "index.html"), "article", class_="post-item")
    assert [i.attrs["data-quire-count"] for i in items] == ["post-5", "post-4", "post-3"]


def test_content_is_never_compiled_as_a_template_and_is_escaped() -> None:
    sneaky = post(
        1,
        title='Braces {{ 7*7 }} and <script>alert("t")</script>',
        body="<p>{{ config.title }} {% if true %}x{% endif %}</p>",
    )
    text = html(render(make_site([sneaky])), "posts/post-1/index.html")
    assert "{{ config.title }} {% if true %}x{% endif %}" in text
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert" in text
    # "49" alone could be part of an asset's content hash: look for it as rendered text
    assert "Braces {{ 7*7 }}" in text and "Braces 49" not in text


def test_alias_pages_redirect_to_the_post(rendered: Rendered) -> None:
    for path in ("old/post-two/index.html", "2024/02/post-two.html"):
        text = html(rendered, path)
        refresh = find_all(text, "meta", http_equiv="refresh")[0]
        assert refresh.attrs["content"] == "0; url=/posts/post-2/"
        assert find_all(text, "link", rel="canonical")[0].attrs["href"] == (
            "https://blog.example.com/posts/post-2/"
        )
        assert "/posts/post-2/" in links(text)
        assert rendered[path].inputs == ("config", "content/posts/post-2.md", "theme")


def test_unsafe_alias_is_an_error_naming_the_file() -> None:
    from themekit import REPO

    from builder.render import render_site
    from builder.themes import resolve_theme

    bad = post(1, aliases=("/../../etc/x/",))
    outputs, diagnostics = render_site(make_site([bad]), theme_dir=resolve_theme("default", REPO))
    assert [d.file for d in diagnostics] == ["content/posts/post-1.md"]
    assert "escape the output folder" in diagnostics[0].message
    assert not any("etc" in f.path for f in outputs)


def test_alias_colliding_with_a_page_is_reported() -> None:
    from themekit import REPO

    from builder.render import render_site
    from builder.themes import resolve_theme

    clash = post(2, aliases=("/posts/post-1/",))
    _, diagnostics = render_site(
        make_site([post(1), clash]), theme_dir=resolve_theme("default", REPO)
    )
    assert len(diagnostics) == 1
    assert diagnostics[0].file == "content/posts/post-2.md"
    assert "posts/post-1/index.html" in diagnostics[0].message


def test_taxonomy_author_archive_and_standalone_pages(rendered: Rendered) -> None:
    tag_index = html(rendered, "tags/index.html")
    assert {"/tags/python/", "/tags/web/"} <= set(links(tag_index))
    web = html(rendered, "tags/web/index.html")
    assert [i.attrs["data-quire-count"] for i in find_all(web, "article")] == ["post-3", "post-2"]
    assert "/tags/web/feed.xml" in links(web)
    category = html(rendered, "categories/guides/index.html")
    assert "Category: Guides" in find_all(category, "h1")[0].text
    series = html(rendered, "series/learning/index.html")
    # A series reads in order: oldest first.
    assert [i.attrs["data-quire-count"] for i in find_all(series, "article")] == [
        "post-1",
        "post-2",
    ]
    author = html(rendered, "authors/ada/index.html")
    assert "Writes about engines." in author and "https://ada.example.org" in links(author)
    archive = html(rendered, "archive/index.html")
    assert links(archive).index("/archive/2025/") < links(archive).index("/archive/2024/")
    year = html(rendered, "archive/2024/index.html")
    assert "Post number 5" not in year and "Post number 4" in year
    about = html(rendered, "about/index.html")
    assert find_all(about, "h1")[0].text == "About"
    assert find_all(about, "section", id="comments") == []  # pages: comments only on request
    nav = find_all(html(rendered, "about/index.html"), "nav", aria_label="Site")[0]
    assert "About" in nav.text


def test_page_can_ask_for_comments() -> None:
    out = render(make_site([post(1)], [page("guestbook", extra={"comments": True})]))
    section = find_all(html(out, "guestbook/index.html"), "section", id="comments")[0]
    assert section.attrs["data-quire-thread"] == "guestbook"


def test_landmarks_and_skip_link_on_every_html_page(rendered: Rendered) -> None:
    for path, file in rendered.items():
        if file.kind != "html":
            continue
        text = file.data.decode()
        assert find_all(text, "html", lang="en"), path
        for landmark in ("header", "nav", "main", "footer"):
            assert find_all(text, landmark), (path, landmark)
        assert find_all(text, "a", class_="skip-link")[0].attrs["href"] == "#main", path
        assert find_all(text, "main", id="main"), path


def test_search_and_404_pages(rendered: Rendered) -> None:
    search = html(rendered, "search/index.html")
    scripts = [s.attrs.get("src", "") for s in find_all(search, "script")]
    assert any(s.startswith("/assets/js/search.") for s in scripts)
    assert all("defer" in s.attrs for s in find_all(search, "script") if "src" in s.attrs)
    form = find_all(search, "form", id="search")  # a search landmark, labelled fields
    assert form and form[0].attrs["role"] == "search" and form[0].attrs["data-index"] == "/search/"
    assert {label.attrs["for"] for label in find_all(search, "label")} == {
        "search-q",
        "search-tag",
        "search-author",
    }
    missing = html(rendered, "404.html")
    assert "Page not found" in missing and "/" in links(missing)


def test_article_bodies_are_marked_for_the_search_index(rendered: Rendered) -> None:
    body = find_all(html(rendered, "posts/post-1/index.html"), "div", data_pagefind_body="")
    assert "Body of post 1." in body[0].text
    assert find_all(html(rendered, "index.html"), "div", data_pagefind_body="") == []


def test_site_under_a_sub_path_prefixes_links() -> None:
    out = render(make_site([post(1), post(2)], base_url="https://example.com/blog"))
    text = html(out, "posts/post-2/index.html")
    assert "/blog/posts/post-1/" in links(text)
    assert "/blog/" in links(text)
    assert all(not h.startswith("/posts/") for h in links(text))


def test_rendering_is_deterministic(full_site: Site) -> None:
    first = render(full_site)
    second = render(full_site)
    assert {p: f.data for p, f in first.items()} == {p: f.data for p, f in second.items()}
    assert [f.path for f in first.values()] == [f.path for f in second.values()]


def test_every_page_lists_theme_and_config_as_inputs(rendered: Rendered) -> None:
    for path, file in rendered.items():
        if file.kind in {"html", "redirect"}:
            assert {"theme", "config"} <= set(file.inputs), path
    post_inputs = rendered["posts/post-2/index.html"].inputs
    assert {
        "content/posts/post-1.md",
        "content/posts/post-2.md",
        "content/posts/post-3.md",
        "authors",
    } <= set(post_inputs)
    assert list(post_inputs) == sorted(post_inputs)


def test_baked_comments_are_in_the_page_for_readers_without_javascript() -> None:
    from themekit import REPO

    from builder.render import BakedThread, render_site
    from builder.themes import resolve_theme

    baked = BakedThread(
        html='<ol class="quire-list"><li data-quire-comment="7">Nice post</li></ol>',
        last_id=7,
        likes=3,
    )
    outputs, _ = render_site(
        make_site([post(1), post(2)]),
        theme_dir=resolve_theme("default", REPO),
        baked={"post-1": baked},
    )
    text = next(f for f in outputs if f.path == "posts/post-1/index.html").data.decode()
    section = find_all(text, "section", id="comments")[0]
    assert section.attrs["data-quire-baked-until"] == "7"
    assert "Nice post" in section.text
    assert find_all(text, "div", class_="quire-like")[0].attrs["data-quire-likes"] == "3"
    other = next(f for f in outputs if f.path == "posts/post-2/index.html").data.decode()
    assert find_all(other, "section", id="comments")[0].attrs["data-quire-baked-until"] == "0"


def test_list_pages_tell_the_count_widget_where_the_api_is(full_site: Site) -> None:
    site = replace(
        full_site,
        config=full_site.config.model_copy(update={"api_base": "https://api.example.com"}),
    )
    out = render(site)
    for path in ("index.html", "tags/python/index.html", "archive/2024/index.html"):
        assert find_all(
            html(out, path),
            "div" if "archive" not in path else "ol",
            data_quire_api="https://api.example.com",
        ), path


def test_list_membership_is_a_declared_input(rendered: Rendered) -> None:
    # A post joining or leaving a list changes links on pages that do not show it.
    assert "list:/" in rendered["index.html"].inputs
    assert "list:/tags/python/" in rendered["tags/python/index.html"].inputs
    post_inputs = rendered["posts/post-2/index.html"].inputs
    assert {"list:/", "list:/tags/python/", "list:/tags/web/", "list:/series/learning/"} <= set(
        post_inputs
    )


def test_a_draft_preview_is_marked_and_not_indexed() -> None:
    out = render(make_site([post(1, draft=True), post(2)]))
    draft = html(out, "posts/post-1/index.html")
    assert find_all(draft, "p", class_="draft-note")
    assert find_all(draft, "meta", name="robots")[0].attrs["content"] == "noindex"
    assert find_all(html(out, "posts/post-2/index.html"), "meta", name="robots") == []


def test_script_links_from_the_authors_file_never_become_links() -> None:
    from builder.model import Author

    site = make_site([post(1)])
    evil = Author(
        key="ada", name="Ada", links=(("x", "javascript:alert(1)"), ("ok", "https://ok.example"))
    )
    text = html(render(replace(site, authors={"ada": evil})), "posts/post-1/index.html")
    assert "javascript:" not in text
    assert "https://ok.example" in links(text)
