"""The render stage's public face: a collected Site in, every page, feed and asset out.

See builder.render.site for the stage itself and the inputs a page can depend on.
"""

from builder.render.site import BakedThread, render_edited, render_site

__all__ = ["BakedThread", "render_edited", "render_site"]
