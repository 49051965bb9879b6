"""Quire's interaction API: accounts, comments, likes, bookmarks, moderation and the inbox.

Layered: routers (HTTP only) -> services (rules + database, no FastAPI) -> models;
`worker/` runs the jobs the API enqueues by name (tests/api/test_layers.py checks it all).
May import `builder`; `builder` never imports this package.
"""
