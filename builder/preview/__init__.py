"""`quire serve`: build, serve the output, rebuild on changes and reload the browser.

Imported only by the command that serves (the server stack costs start-up time).
"""
