"""Mail about submissions, through a real SMTP server (aiosmtpd) and the real mail job."""

from __future__ import annotations

from typing import Any

import pytest
from inbox_helpers import approve, mail_overrides, submit
from inbox_helpers import send_mail as _send_mail


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any], smtp_server: Any) -> dict[str, Any]:
    """Mail goes to the test's SMTP server."""
    return mail_overrides(settings_overrides, smtp_server)


def test_editors_hear_of_new_work_and_authors_of_decisions(
    author: Any, editor: Any, redis: Any, worker_env: None, work: Any, smtp_server: Any
) -> None:
    sub = submit(author, title="Mail <b>me</b>\nBcc: victim@example.org")
    _send_mail(redis)
    (to_editor,) = smtp_server.to(editor.user.email)
    assert to_editor["Subject"] == "To review: Mail <b>me</b> Bcc: victim@example.org"
    assert f"/studio/submissions/{sub['id']}" in to_editor.get_payload()
    assert to_editor.get_content_type() == "text/plain"

    approve(editor, sub, note="Lovely.")
    _send_mail(redis)
    work()
    subjects = [m["Subject"] for m in smtp_server.to(author.user.email)]
    assert subjects[0].startswith("Approved: Mail")
    assert subjects[1].startswith("Published: Mail")
    published = smtp_server.to(author.user.email)[1].get_payload()
    assert "https://blog.example.com/posts/" in published
    assert not smtp_server.to("victim@example.org")
