"""Quire's interaction API: accounts, comments, likes, bookmarks, moderation and the inbox.

Layered: routers (HTTP only) -> services (rules + database, no FastAPI) -> models.
May import `builder`; `builder` never imports this package.
"""
