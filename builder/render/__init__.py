"""The render stage's public face: a collected Site in, every page, feed and asset out.

See builder.render.site for the stage itself, builder.render.context for the state every
page maker is given and builder.render.inputs for the inputs a page can depend on.
"""

from builder.render.context import BakedThread, RenderContext
from builder.render.site import render_edited, render_site

__all__ = ["BakedThread", "RenderContext", "render_edited", "render_site"]
