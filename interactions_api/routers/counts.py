"""Batch counts for list pages: comments and likes of many threads in one request."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request, Response

from interactions_api.deps import SessionDep
from interactions_api.errors import Unprocessable, error_responses
from interactions_api.models.comment_io import CountsOut
from interactions_api.routers._cache import response_cache
from interactions_api.routers._interactions import ThreadsDep, cacheable_json, role_doc
from interactions_api.services import listing

router = APIRouter(prefix="/api", tags=["comments"])

MAX_THREADS = 100
COUNTS_S_MAXAGE = 10


@router.get(
    "/counts",
    response_model=CountsOut,
    responses={304: {"description": "Not modified (If-None-Match)"}, **error_responses(422)},
    openapi_extra=role_doc("public"),
)
def thread_counts(
    request: Request,
    db: SessionDep,
    threads: ThreadsDep,
    thread_ids: str = Query(
        "", alias="threads", max_length=20_000, description="Comma-separated thread ids."
    ),
) -> Response:
    """Comment and like counts of published threads; unknown ids are left out. Public."""
    wanted = list(dict.fromkeys(t.strip() for t in thread_ids.split(",") if t.strip()))
    if len(wanted) > MAX_THREADS:
        raise Unprocessable(
            f"At most {MAX_THREADS} threads per request ({len(wanted)} given).", code="too_many"
        )
    known = threads.known(wanted)
    cache, key = response_cache(request), ("counts", "", *sorted(known))
    body = cache.get(key)
    if body is None:
        data = {"counts": listing.counts(db, known)}
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()
        cache.put(key, body)
    return cacheable_json(request, body, s_maxage=COUNTS_S_MAXAGE)
