"""Look-alike spellings of an address find the one account; mixed scripts are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from rq import Queue
from rq.serializers import JSONSerializer
from sqlmodel import Session, col, func, select

from interactions_api.config import Settings
from interactions_api.db import alembic_config, make_engine, run_migrations
from interactions_api.main import create_app
from interactions_api.models.user import User
from interactions_api.services.passwords import hash_password
from tests.api.conftest import PASSWORD, ApiClient, new_client


def fullwidth(text: str) -> str:
    """ASCII letters as their fullwidth forms (U+FF41 for `a`), which look the same."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isalpha() else ch for ch in text)


OWNER = "alice@example.org"
LOOKALIKES = {
    "fullwidth letters": fullwidth("alice") + "@example.org",
    "trailing zero-width space": "alice@example.org\u200b",
    "zero-width space inside": "ali\u200bce@example.org",
    "soft hyphen": "al\u00adice@example.org",
    "fullwidth domain": "alice@" + fullwidth("EXAMPLE") + ".org",
    "capitals": "ALICE@Example.ORG",
}


def _accounts(db: Session) -> int:
    db.rollback()  # see the app's latest commits
    return int(db.exec(select(func.count()).select_from(User)).one())


def _signup(client: ApiClient, email: str) -> Any:
    body = {"email": email, "display_name": "Look-alike", "password": "another fine passphrase"}
    return client.post("/api/auth/signup", json=body)


@pytest.mark.parametrize("variant", list(LOOKALIKES.values()), ids=list(LOOKALIKES))
def test_a_lookalike_address_is_the_same_account(
    client: ApiClient, db: Session, make_user: Callable[..., User], variant: str
) -> None:
    owner = make_user(email=OWNER)
    assert _signup(client, variant).status_code == 202  # answered as for any taken address
    assert _accounts(db) == 1
    signin = client.post("/api/auth/signin", json={"email": variant, "password": PASSWORD})
    assert signin.status_code == 200, signin.text
    assert signin.json()["user"]["id"] == owner.id


@pytest.mark.parametrize(
    "email", ["\u0430lice@example.org", "p\u0430ypal@example.org", "g\u03bfogle@example.org"]
)
def test_a_local_part_mixing_lookalike_scripts_is_refused(
    client: ApiClient, db: Session, email: str
) -> None:
    response = _signup(client, email)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "confusable_email"
    assert [f["field"] for f in body["fields"]] == ["email"]
    assert "Latin" in body["message"]
    assert _accounts(db) == 0


@pytest.mark.parametrize("email", ["иван@example.org", "山田taro@example.jp", "bob@bücher.de"])
def test_single_script_and_international_addresses_are_welcome(
    client: ApiClient, db: Session, email: str
) -> None:
    assert _signup(client, email).status_code == 202
    assert _accounts(db) == 1


def test_an_international_domain_is_one_account_in_either_spelling(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    owner = make_user(email="bob@BÜCHER.de")
    for spelling in ("bob@bücher.de", "bob@xn--bcher-kva.de"):
        signin = client.post("/api/auth/signin", json={"email": spelling, "password": PASSWORD})
        assert signin.json()["user"]["id"] == owner.id


def test_a_reset_for_a_lookalike_goes_to_the_account(
    make_settings: Callable[..., Settings], redis: Any, make_user: Callable[..., User]
) -> None:
    make_user(email=OWNER)
    app = create_app(make_settings(smtp_host="smtp.invalid"), redis=redis)  # mail is queued
    with new_client(app) as client:
        body = {"email": LOOKALIKES["fullwidth letters"]}
        assert client.post("/api/auth/reset-request", json=body).status_code == 202
    [job] = Queue("default", connection=redis, serializer=JSONSerializer).get_jobs()
    assert (job.kwargs["to"], job.kwargs["subject"]) == (OWNER, "Reset your password")


def test_the_migration_normalises_stored_addresses_and_keeps_the_oldest_of_lookalikes(
    database_url: str, client: ApiClient
) -> None:
    # Rows as the code before normalisation stored them (only stripped and lower-cased).
    stored = [
        LOOKALIKES["fullwidth letters"],
        "alice@example.org\u200b",  # a look-alike made later: left as it is
        "carol@bücher.de",
        "dave@example.org",
    ]
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(engine), "0004_reply_notifications")
        # The table as 0004 left it (today's model has columns added since).
        old_user = sa.table(
            "user", *(sa.column(c) for c in ("email", "display_name", "password_hash", "role",
                                             "email_verified", "created_at", "bio", "website",
                                             "expertise", "ban_reason")),
        )  # fmt: skip
        with engine.begin() as conn:
            for n, email in enumerate(stored):
                conn.execute(sa.insert(old_user).values(
                    email=email, display_name=f"U{n}", password_hash=hash_password(PASSWORD),
                    role=10, email_verified=False, created_at=sa.func.current_timestamp(),
                    bio="", website="", expertise="", ban_reason="",
                ))  # fmt: skip
        run_migrations(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(User.id, User.email).order_by(col(User.id))).all()
    finally:
        engine.dispose()
    emails = [email for _id, email in rows]
    assert emails == [
        "alice@example.org",
        "alice@example.org\u200b",
        "carol@xn--bcher-kva.de",
        "dave@example.org",
    ]
    for typed, expected in (("alice@example.org", rows[0][0]), ("carol@BÜCHER.de", rows[2][0])):
        signin = client.post("/api/auth/signin", json={"email": typed, "password": PASSWORD})
        assert signin.json()["user"]["id"] == expected
