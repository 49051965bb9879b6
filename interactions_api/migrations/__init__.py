"""Alembic migrations of the interaction API (applied by `quire db upgrade`)."""
