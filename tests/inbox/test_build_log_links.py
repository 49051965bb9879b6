"""The worker's build log carries the builder's broken-link warnings (issue 19 item 11)."""

from __future__ import annotations

from typing import Any

from tests.inbox.inbox_helpers import approve, builds, submit


def test_a_broken_internal_link_is_named_in_the_build_log(
    author: Any, editor: Any, work: Any, engine: Any
) -> None:
    body = "Intro.\n\nSee [the old post](/posts/nowhere/) and ![chart](/images/none.png)."
    sub = submit(author, body=body)
    assert approve(editor, sub).status_code == 200
    work()
    (build,) = builds(engine)
    assert build.status == "succeeded", build.log
    assert "links to /posts/nowhere/, which no page or file of the site provides" in build.log
    assert "shows the image /images/none.png, which is not in the site" in build.log
