"""Feeds, sitemap, robots.txt and the metadata that sharing and search engines read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

from themekit import BASE_URL, Rendered, find_all, html, make_site, post, render

from builder.model import Site
from builder.render.feeds import sitemap

A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _atom(out: Rendered, path: str) -> ET.Element:
    assert out[path].kind == "feed"
    return ET.fromstring(out[path].data)


def test_site_atom_feed_lists_the_newest_posts_with_absolute_urls(rendered: Rendered) -> None:
    feed = _atom(rendered, "feed.xml")
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}title") == "Test Blog"
    assert feed.findtext(f"{A}id") == f"{BASE_URL}/feed.xml"
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in entries] == [
        f"{BASE_URL}/posts/post-{n}/" for n in (5, 4, 3, 2, 1)
    ]
    first = entries[0]
    assert first.find(f"{A}link").get("href") == f"{BASE_URL}/posts/post-5/"
    assert first.findtext(f"{A}published") == "2025-02-04T09:30:00Z"
    assert first.findtext(f"{A}author/{A}name") == "Ada Lovelace"
    assert "Body of post 5." in first.findtext(f"{A}content")
    # Feed `updated` comes from the content (post 5 is newest), never the build time.
    assert feed.findtext(f"{A}updated") == "2025-02-04T09:30:00Z"
    updated = entries[2]  # post 3 has an `updated` date
    assert updated.findtext(f"{A}updated") == "2024-03-01T00:00:00Z"


def test_feed_items_limits_the_entries(full_site: Site) -> None:
    config = full_site.config.model_copy(update={"feed_items": 2})
    out = render(replace(full_site, config=config))
    assert len(_atom(out, "feed.xml").findall(f"{A}entry")) == 2
    assert len(json.loads(out["feed.json"].data)["items"]) == 2


def test_tag_feed_holds_only_that_tag(rendered: Rendered) -> None:
    feed = _atom(rendered, "tags/web/feed.xml")
    assert [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")] == [
        "Post number 3",
        "Post number 2",
    ]
    alternate = next(x for x in feed.findall(f"{A}link") if x.get("rel") == "alternate")
    assert alternate.get("href") == f"{BASE_URL}/tags/web/"
    assert [c.get("term") for c in feed.findall(f"{A}entry/{A}category")] == [
        "web",
        "python",
        "web",
    ]


def test_json_feed_has_the_1_1_shape(rendered: Rendered) -> None:
    feed = json.loads(rendered["feed.json"].data)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == f"{BASE_URL}/"
    assert feed["feed_url"] == f"{BASE_URL}/feed.json"
    item = feed["items"][-1]  # post 1: oldest, has a cover and tags
    assert item["id"] == item["url"] == f"{BASE_URL}/posts/post-1/"
    assert item["title"] == "Post number 1"
    assert item["content_html"].startswith("<p>")
    assert item["summary"] == "Summary of post 1 & more."
    assert item["date_published"] == "2024-01-02T09:30:00Z"
    assert item["image"] == f"{BASE_URL}/images/c.png"
    assert item["tags"] == ["Python"]
    assert item["authors"] == [
        {
            "name": "Ada Lovelace",
            "url": f"{BASE_URL}/authors/ada/",
            "avatar": f"{BASE_URL}/images/ada.png",
        }
    ]


def test_sitemap_lists_pages_but_not_redirects_404_or_search(rendered: Rendered) -> None:
    root = ET.fromstring(rendered["sitemap.xml"].data)
    locs = [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")]
    assert locs == sorted(locs)
    assert all(loc.startswith(BASE_URL + "/") for loc in locs)
    for expected in ("/", "/posts/post-1/", "/about/", "/tags/python/", "/archive/2024/"):
        assert BASE_URL + expected in locs
    for absent in ("/404.html", "/search/", "/old/post-two/", "/2024/02/post-two.html"):
        assert BASE_URL + absent not in locs
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    assert lastmod[f"{BASE_URL}/posts/post-3/"] == "2024-03-01T00:00:00Z"
    assert rendered["sitemap.xml"].kind == "meta"


def test_robots_points_at_the_sitemap(rendered: Rendered) -> None:
    text = rendered["robots.txt"].data.decode()
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in text.splitlines()
    assert "User-agent: *" in text


def test_post_head_has_canonical_opengraph_twitter_and_jsonld(rendered: Rendered) -> None:
    text = html(rendered, "posts/post-1/index.html")
    assert find_all(text, "link", rel="canonical")[0].attrs["href"] == f"{BASE_URL}/posts/post-1/"
    og = {
        m.attrs["property"]: m.attrs["content"]
        for m in find_all(text, "meta")
        if "property" in m.attrs
    }
    assert og["og:type"] == "article"
    assert og["og:title"] == "Post number 1"
    assert og["og:url"] == f"{BASE_URL}/posts/post-1/"
    assert og["og:image"] == f"{BASE_URL}/images/c.png"
    assert og["og:image:alt"] == "A cover"
    assert og["article:published_time"] == "2024-01-02T09:30:00Z"
    twitter = {
        m.attrs["name"]: m.attrs["content"]
        for m in find_all(text, "meta")
        if m.attrs.get("name", "").startswith("twitter:")
    }
    assert twitter["twitter:card"] == "summary_large_image"
    assert twitter["twitter:description"] == "Summary of post 1 & more."
    script = find_all(text, "script", type="application/ld+json")[0]
    data = json.loads(script.text)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Post number 1"
    assert data["datePublished"] == "2024-01-02T09:30:00Z"
    assert data["author"] == [
        {"@type": "Person", "name": "Ada Lovelace", "url": f"{BASE_URL}/authors/ada/"}
    ]
    assert data["image"] == f"{BASE_URL}/images/c.png"
    assert data["mainEntityOfPage"]["@id"] == f"{BASE_URL}/posts/post-1/"


def test_front_matter_canonical_wins() -> None:
    moved = post(1, canonical="https://elsewhere.example.org/original/")
    text = html(render(make_site([moved])), "posts/post-1/index.html")
    assert find_all(text, "link", rel="canonical")[0].attrs["href"] == (
        "https://elsewhere.example.org/original/"
    )
    data = json.loads(find_all(text, "script", type="application/ld+json")[0].text)
    assert data["mainEntityOfPage"]["@id"] == "https://elsewhere.example.org/original/"


def test_jsonld_cannot_break_out_of_its_script() -> None:
    evil = post(1, title="</script><script>alert(1)</script>")
    text = html(render(make_site([evil])), "posts/post-1/index.html")
    script = find_all(text, "script", type="application/ld+json")[0]
    assert json.loads(script.text)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in text


def test_meta_values_cannot_break_out_of_their_attribute() -> None:
    title = 'Say "hi" & <b>bye</b> it\'s'
    text = html(render(make_site([post(1, title=title)])), "posts/post-1/index.html")
    og = {m.attrs["property"]: m.attrs["content"] for m in find_all(text, "meta")
          if "property" in m.attrs}  # fmt: skip
    assert og["og:title"] == title
    assert "<b>bye" not in text


def test_list_pages_have_website_metadata(rendered: Rendered) -> None:
    text = html(rendered, "tags/python/index.html")
    og = {
        m.attrs["property"]: m.attrs["content"]
        for m in find_all(text, "meta")
        if "property" in m.attrs
    }
    assert og["og:type"] == "website"
    assert og["og:url"] == f"{BASE_URL}/tags/python/"
    assert find_all(text, "script", type="application/ld+json") == []


def test_feeds_do_not_depend_on_the_clock() -> None:
    site = make_site([post(1, updated=datetime(2024, 6, 1, tzinfo=UTC))])
    assert render(site)["feed.xml"].data == render(site)["feed.xml"].data
    empty = render(make_site([]))
    feed = _atom(empty, "feed.xml")
    assert feed.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    assert feed.findall(f"{A}entry") == []


def test_sitemap_percent_encodes_unicode_slugs() -> None:
    out = render(make_site([post(1, tags=["Café"])]))
    assert "tags/café/index.html" in out
    locs = [u.findtext(f"{SM}loc") for u in ET.fromstring(out["sitemap.xml"].data)]
    assert f"{BASE_URL}/tags/caf%C3%A9/" in locs
    assert all(loc.isascii() for loc in locs)


def test_sitemap_is_well_formed_xml_whatever_the_paths() -> None:
    entries = [("/a&b/<c>/", datetime(2024, 1, 2, tzinfo=UTC)), ("/plain/", None)]
    config = make_site([post(1)]).config
    urls = ET.fromstring(sitemap(config, entries)).findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [
        f"{BASE_URL}/a&b/%3Cc%3E/",
        f"{BASE_URL}/plain/",
    ]
    assert [u.findtext(f"{SM}lastmod") for u in urls] == ["2024-01-02T00:00:00Z", None]
    assert ET.fromstring(sitemap(config, [])).findall(f"{SM}url") == []
