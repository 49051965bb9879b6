"""The test client every API test uses: the allowed Origin, and DELETE with a JSON body.

A module of its own (not conftest) so that helpers in any test folder can import it by a
name no other folder uses.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interactions_api.models.user import User

ORIGIN = "https://testserver"


class ApiClient(TestClient):
    """A TestClient whose `delete` accepts a JSON body like the other verbs."""

    user: User | None = None

    def delete(self, url: Any, *, json: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        """DELETE with an optional JSON body (the guard wants application/json)."""
        return self.request("DELETE", url, json=json, **kwargs)


def new_client(app: FastAPI, **kwargs: Any) -> ApiClient:
    """A client on https://testserver sending the allowed Origin header."""
    headers = {"Origin": ORIGIN, **kwargs.pop("headers", {})}
    return ApiClient(app, base_url=ORIGIN, headers=headers, **kwargs)
