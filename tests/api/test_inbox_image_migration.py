"""Migration 0006: images uploaded before it (kept per revision) move to their submission."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from interactions_api.db import alembic_config, make_engine


def _table(engine: sa.Engine, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=engine)


def test_revision_images_move_to_the_submission_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        command.downgrade(config, "0005_email_normalised")
        user, sub, rev = (_table(engine, n) for n in ("user", "submission", "revision"))
        with engine.begin() as conn:
            conn.execute(
                sa.insert(user).values(
                    id=1,
                    email="a@example.org",
                    display_name="A",
                    password_hash="",
                    role=2,
                    email_verified=True,
                    bio="",
                    website="",
                    expertise="",
                    created_at=now,
                    ban_reason="",
                )
            )
            conn.execute(
                sa.insert(sub).values(
                    id=1,
                    author_id=1,
                    slug="old",
                    status="draft",
                    version=2,
                    live_url="",
                    created_at=now,
                    updated_at=now,
                )
            )
            for number, images in ((1, ["aaaaaaaaaaaaaaaa.png"]), (2, [])):
                conn.execute(
                    sa.insert(rev).values(
                        submission_id=1,
                        number=number,
                        title="Old",
                        tags=[],
                        summary="",
                        cover_src="",
                        cover_alt="",
                        body="",
                        images=images,
                        created_by=1,
                        created_at=now,
                    )
                )
        command.upgrade(config, "head")
        images = _table(engine, "submission_image")
        with engine.connect() as conn:
            rows = conn.execute(sa.select(images.c.submission_id, images.c.name)).all()
        assert [tuple(r) for r in rows] == [(1, "aaaaaaaaaaaaaaaa.png")]
        assert "images" not in {c["name"] for c in sa.inspect(engine).get_columns("revision")}

        command.downgrade(config, "0005_email_normalised")
        rev = _table(engine, "revision")
        with engine.connect() as conn:
            kept = conn.execute(sa.select(rev.c.images).order_by(rev.c.number)).scalars().all()
        assert kept == [["aaaaaaaaaaaaaaaa.png"], ["aaaaaaaaaaaaaaaa.png"]]
        command.upgrade(config, "head")
    finally:
        engine.dispose()
