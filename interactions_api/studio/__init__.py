"""Quire Studio: the server-rendered back office under /studio/ (see _notes or nav.py).

`nav.py` lists the screens per role, `deps.py` the signed-in/role dependencies,
`web.py` page rendering, flash messages and redirects, `routes/` the pages (every module
with a `router` is mounted, `routes/planned.py` last), `templates/studio/` the Jinja
templates and `static/` the one stylesheet.
"""
