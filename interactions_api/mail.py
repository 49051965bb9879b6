"""Outgoing mail: built here, sent by the `interactions_api.worker.jobs.send_mail` RQ job.

Without `smtp_host` (development) there is nothing to send to: the mail is written to the
log instead, from the API process itself, so a developer sees links without a worker.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from interactions_api import mailspool
from interactions_api.config import Settings

log = logging.getLogger("quire.mail")
# RFC 5322's real line limit: a long link in a header (List-Unsubscribe) has no space to
# fold at, and the default 78 would turn it into an encoded word mail clients cannot use.
_POLICY = email.policy.default.clone(max_line_length=998)

SEND_MAIL_JOB = "interactions_api.worker.jobs.send_mail"  # enqueued by name: no worker imports here


def build_message(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text message from the configured sender (`headers`: e.g. List-Unsubscribe)."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="quire.invalid")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def send_now(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one mail over SMTP, or write it to the log when no SMTP host is configured."""
    message = build_message(settings, to=to, subject=subject, body=body, headers=headers)
    if not settings.smtp_host:
        log.warning(
            "mail not sent (no QUIRE_SMTP_HOST set):\nTo: %s\nSubject: %s\n\n%s", to, subject, body
        )
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def queue_mail(
    redis: Any,
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Hand a mail to the background worker (or to the log in development).

    While Redis is away the mail is spooled on disk, and queued with the next mail (or
    when the rate limiter sees Redis back): a Redis outage delays mail, never loses it.
    """
    if not settings.smtp_host:
        send_now(settings, to=to, subject=subject, body=body, headers=headers)
        return
    kwargs: dict[str, Any] = {"to": to, "subject": subject, "body": body}
    if headers:
        kwargs["headers"] = headers  # only when set: jobs queued before this still match
    try:
        _enqueue(redis, kwargs)
    except (RedisError, OSError) as exc:
        mailspool.keep(settings.data_dir, kwargs, exc)  # queued when Redis answers again
        return
    resume_spooled(redis, settings)


def resume_spooled(redis: Any, settings: Settings) -> int:
    """Queue the mails kept while Redis was away; how many (0 if it is still away)."""
    try:
        return mailspool.replay(settings.data_dir, lambda kwargs: _enqueue(redis, kwargs))
    except (RedisError, OSError) as exc:
        log.warning("kept mails not queued yet (%s)", exc)
        return 0


def _enqueue(redis: Any, kwargs: dict[str, Any]) -> None:
    Queue("default", connection=redis, serializer=JSONSerializer).enqueue(
        SEND_MAIL_JOB,
        kwargs=kwargs,
        retry=Retry(max=3, interval=[10, 60, 300]),  # SMTP hiccups are common
        result_ttl=0,
        failure_ttl=7 * 86400,
    )
