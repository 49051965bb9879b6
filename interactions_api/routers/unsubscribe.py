"""One-click unsubscribe from reply mails (RFC 8058), signed by the token in the link.

GET shows a tiny confirmation page with one button (a GET must not change anything: mail
scanners follow links); POST turns the mails off. A mail provider's one-click POST carries
no cookie, origin or JSON body: the signed token in the URL is the whole credential, so
the request guard lets this path through without the session CSRF token. Both are
rate limited per client address (each checks a signature, the POST writes to the
database); like a bad link, a refusal is a small HTML page (429), not a JSON error body.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from interactions_api.deps import ClientIP, GuardDep, SessionDep, SettingsDep
from interactions_api.errors import error_responses
from interactions_api.routers._interactions import role_doc
from interactions_api.services import replies
from interactions_api.services.guard import Guard

router = APIRouter(prefix="/api/comments", tags=["comments"])

SIGNED_LINK = role_doc("anyone holding the signed link of a reply mail")
TOKEN = Query(max_length=2000, description="The signed token from the reply mail.")
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_INVALID = (
    "This unsubscribe link is invalid or has expired. Links in reply mails work for a limited "
    "time; the next reply mail brings a fresh one."
)


def _page(
    title: str, text: str, *, form_token: str | None = None, status: int = 200
) -> HTMLResponse:
    button = ""
    if form_token is not None:
        action = escape(f"{replies.UNSUBSCRIBE_PATH}?token={quote(form_token, safe='')}")
        button = (
            f'<form method="post" action="{action}">'
            '<button type="submit">Stop reply mails for this comment</button></form>'
        )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title></head><body><main>"
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{button}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _too_fast(guard: Guard, address: str) -> HTMLResponse | None:
    """A 429 page when this address asked too often this minute, else None."""
    decision = guard.unsubscribe(address=address)
    if decision.allowed:
        return None
    page = _page("Too many requests", "Please wait a minute, then open the link again.",
                 status=429)  # fmt: skip
    page.headers["Retry-After"] = str(decision.retry_after)
    return page


@router.get(
    "/unsubscribe",
    response_class=HTMLResponse,
    responses=error_responses(422),
    openapi_extra=SIGNED_LINK,
)
def confirm_unsubscribe(
    settings: SettingsDep, guard: GuardDep, address: ClientIP, token: str = TOKEN
) -> HTMLResponse:
    """A confirmation page for the unsubscribe link of a reply mail. Public (token)."""
    if (refused := _too_fast(guard, address)) is not None:
        return refused
    try:
        replies.read_token(settings, token)
    except replies.InvalidLink:
        return _page("Link expired", _INVALID, status=400)
    return _page(
        "Stop reply mails?",
        "You will no longer get a mail when someone replies to this comment.",
        form_token=token,
    )


@router.post(
    "/unsubscribe",
    response_class=HTMLResponse,
    responses=error_responses(413, 415, 422),
    openapi_extra=SIGNED_LINK,
)
def unsubscribe(
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    address: ClientIP,
    token: str = TOKEN,
) -> HTMLResponse:
    """Turn reply mails off for the token's comment (RFC 8058 one-click). Public (token)."""
    if (refused := _too_fast(guard, address)) is not None:
        return refused
    try:
        replies.unsubscribe(db, settings, token)
    except replies.InvalidLink:
        return _page("Link expired", _INVALID, status=400)
    db.commit()
    return _page("Unsubscribed", "You will get no more mails about replies to this comment.")
