"""Stored email addresses in their normalised form (NFKC, no invisibles, IDNA domain).

Lookups now normalise what the user types (`services/emails.py`), so a stored address must
be in that form to be found. Addresses that normalise to one already taken by an older
account (look-alikes made before this rule) are left as they are and logged: the older
account keeps the address; an admin can find the newer one in the user list.

Revision ID: 0005_email_normalised
Revises: 0004_reply_notifications
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interactions_api.services.emails import normalize_email

revision: str = "0005_email_normalised"
down_revision: str | None = "0004_reply_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
_user = sa.table("user", sa.column("id", sa.Integer()), sa.column("email", sa.String()))


def upgrade() -> None:
    """Rewrite each address to its normalised form, oldest account first."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(_user.c.id, _user.c.email).order_by(_user.c.id)).all()
    taken = {email for _id, email in rows}
    for user_id, email in rows:
        normal = normalize_email(email)
        if normal == email:
            continue
        if normal in taken:
            log.warning("user %s keeps %r: %r belongs to an older account", user_id, email, normal)
            continue
        conn.execute(sa.update(_user).where(_user.c.id == user_id).values(email=normal))
        taken.discard(email)
        taken.add(normal)


def downgrade() -> None:
    """Nothing to undo: the normalised addresses are valid in the older schema too."""
