"""Quire's builder: a site folder of Markdown in, a complete static blog out.

Data flows one way: load -> parse -> collect -> render -> write -> publish.
The builder knows nothing of the interaction API's database.
"""

__version__ = "0.1.0"
