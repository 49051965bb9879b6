"""Uploaded images belong to the submission, not to the revision they were uploaded in.

An image uploaded to revision 1 and placed in the text by revision 2 was left out of the
publish: revision 2 started with no images. Each submission's images now live in
`submission_image`; every image any of its revisions had is moved there (upload order
kept), then `revision.images` is dropped.

Revision ID: 0006_submission_images
Revises: 0005_email_normalised
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006_submission_images"
down_revision: str | None = "0005_email_normalised"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_revision = sa.table(
    "revision",
    sa.column("id", sa.Integer()),
    sa.column("submission_id", sa.Integer()),
    sa.column("number", sa.Integer()),
    sa.column("images", sa.JSON()),
    sa.column("created_by", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _names(value: Any) -> list[str]:
    """A stored JSON list (a string on drivers that do not decode JSON columns)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [str(name) for name in value or []]


def upgrade() -> None:
    """Create `submission_image`, move every revision's images into it, drop the column."""
    images = op.create_table(
        "submission_image",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey("submission.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("submission_id", "name"),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_revision).order_by(_revision.c.submission_id, _revision.c.number)
    ).all()
    seen: set[tuple[int, str]] = set()
    moved: list[dict[str, Any]] = []
    for row in rows:
        for name in _names(row.images):
            if (row.submission_id, name) not in seen:
                seen.add((row.submission_id, name))
                moved.append(
                    {
                        "submission_id": row.submission_id,
                        "name": name[:40],
                        "uploaded_by": row.created_by,
                        "created_at": row.created_at,
                    }
                )
    if moved:
        op.bulk_insert(images, moved)
    # SQLite 3.35+ and PostgreSQL both drop a column in place: no table rebuild, so the
    # revision ids the outbox points at stay as they are.
    op.drop_column("revision", "images")


def downgrade() -> None:
    """Give every revision its submission's images again, then drop `submission_image`."""
    op.add_column("revision", sa.Column("images", sa.JSON(), nullable=False, server_default="[]"))
    conn = op.get_bind()
    images = sa.table(
        "submission_image", sa.column("submission_id", sa.Integer()), sa.column("name")
    )
    names: dict[int, list[str]] = {}
    for sub_id, name in conn.execute(
        sa.select(images.c.submission_id, images.c.name).order_by(sa.text("id"))
    ).all():
        names.setdefault(sub_id, []).append(name)
    for sub_id, listed in names.items():
        conn.execute(
            sa.update(_revision).where(_revision.c.submission_id == sub_id).values(images=listed)
        )
    op.drop_table("submission_image")
