"""`quire serve`: build, serve the output, rebuild on changes and reload the browser.

`serve.py` is the preview server (Starlette), `watch.py` the file watcher. Only what
serves imports them (`quire serve`, the platform's dev server): the server stack costs
start-up time that `quire build` and `quire --help` do not pay.
"""
