"""Schemathesis over the whole OpenAPI schema: no input makes the API fail with a 5xx.

Every operation gets generated valid and invalid requests against the real app (ASGI, real
database and Redis), signed in as an admin so role-gated handlers run too, with the headers
the widget sends (allowed Origin, JSON content type). Errors must keep the JSON shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlmodel import Session

from interactions_api.models.user import Role, User
from interactions_api.services import sessions
from tests.api.conftest import ORIGIN, ApiClient

EXAMPLES = 8  # per operation and generation mode: keeps the whole run well under a minute
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
COOKIE = "__Host-quire_session"


@pytest.mark.slow
def test_no_request_makes_the_api_fail(
    app: FastAPI,
    client: ApiClient,
    redis: Any,
    manifest: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    manifest("hello-world", "second-post")
    admin = make_user(Role.admin)
    make_user(Role.admin)  # a second admin: role changes on the first are then allowed
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []

    def session_token() -> str:
        # A fresh session per request: a generated sign-out or password change ends them.
        with Session(app.state.engine) as db:
            token = sessions.start_session(db, admin)
            db.commit()
        return token

    def exercise(case: Any) -> None:
        redis.flushall()  # rate limits would otherwise stop requests before the handlers
        headers = {"Origin": ORIGIN}
        if case.method.upper() in UNSAFE and (case.body is None or _unset(case.body)):
            headers["Content-Type"] = "application/json"
        where = f"{case.method.upper()} {case.formatted_path}"
        try:
            response = case.call(headers=headers, cookies={COOKIE: session_token()})
        except Exception as exc:  # the app raised instead of answering: a 500 in production
            failures.append(f"{where} -> crash: {type(exc).__name__}: {str(exc)[:200]}")
            return
        label = f"{where} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{label}: {response.text[:300]}")
        elif (
            response.status_code >= 400
            and response.status_code != 405
            and not _content_type(response).startswith("text/html")
        ):  # HTML routes (pages opened from mails, the inbox) answer errors as pages
            body = _json(response.text)
            if not (isinstance(body, dict) and "code" in body and "message" in body):
                failures.append(f"{label}: error body without code/message: {response.text[:200]}")

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                exercise(case)

            try:
                run()
            except Unsatisfiable:
                # No invalid request exists for an operation without inputs (e.g. /health).
                assert mode == GenerationMode.NEGATIVE, operation.label
    assert failures == [], "\n".join(sorted(set(failures))[:30])


def _content_type(response: Any) -> str:
    value = response.headers.get("content-type", "")
    return str(value[0] if isinstance(value, list) and value else value)


def _unset(value: Any) -> bool:
    return type(value).__name__ == "NotSet"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
