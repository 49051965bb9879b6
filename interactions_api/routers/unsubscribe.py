"""One-click unsubscribe from reply mails (RFC 8058), signed by the token in the link.

GET shows a tiny confirmation page with one button (a GET must not change anything: mail
scanners follow links); POST turns the mails off. A mail provider's one-click POST carries
no cookie, origin or JSON body: the signed token in the URL is the whole credential, so
the request guard lets this path through without the session CSRF token. Both are
rate limited per client address (each checks a signature, the POST writes to the
database); like a bad link, a refusal is a small HTML page (429), not a JSON error body.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from interactions_api import pages
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
    request: Request, title: str, text: str, *, form_token: str | None = None,
    status: int = 200, state: str = "",
) -> HTMLResponse:  # fmt: skip
    """A Studio-styled page saying what became of the link (a button to confirm, if any)."""
    action = None
    if form_token is not None:
        action = f"{replies.UNSUBSCRIBE_PATH}?token={quote(form_token, safe='')}"
    response = pages.render(
        request, request.app.state.settings, None, "studio/unsubscribe.html", status=status,
        title=title, text=text, action=action, state=state,
    )  # fmt: skip
    response.headers.update(_HEADERS)
    return response


def _too_fast(request: Request, guard: Guard, address: str) -> HTMLResponse | None:
    """A 429 page when this address asked too often this minute, else None."""
    decision = guard.unsubscribe(address=address)
    if decision.allowed:
        return None
    page = _page(request, "Too many requests",
                 "Please wait a minute, then open the link again.", status=429)  # fmt: skip
    page.headers["Retry-After"] = str(decision.retry_after)
    return page


@router.get(
    "/unsubscribe",
    response_class=HTMLResponse,
    responses=error_responses(422),
    openapi_extra=SIGNED_LINK,
)
def confirm_unsubscribe(
    request: Request, db: SessionDep, settings: SettingsDep, guard: GuardDep,
    address: ClientIP, token: str = TOKEN,
) -> HTMLResponse:  # fmt: skip
    """A confirmation page for the unsubscribe link of a reply mail. Public (token)."""
    if (refused := _too_fast(request, guard, address)) is not None:
        return refused
    state = replies.link_state(db, settings, token)
    if state in ("expired", "invalid"):
        return _page(request, "Link expired" if state == "expired" else "Link not valid",
                     _INVALID, status=400, state=state)  # fmt: skip
    if state == "used":
        return _page(request, "Already unsubscribed",
                     "Reply mails for this comment are already off.", state=state)  # fmt: skip
    return _page(
        request,
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
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    address: ClientIP,
    token: str = TOKEN,
) -> HTMLResponse:
    """Turn reply mails off for the token's comment (RFC 8058 one-click). Public (token)."""
    if (refused := _too_fast(request, guard, address)) is not None:
        return refused
    try:
        replies.unsubscribe(db, settings, token)
    except replies.InvalidLink:
        return _page(request, "Link expired", _INVALID, status=400, state="expired")
    db.commit()
    done = "You will get no more mails about replies to this comment."
    return _page(request, "Unsubscribed", done, state="done")
