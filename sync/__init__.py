"""paperfeed's engine: fetch arXiv, keep the store, rank, talk to Zotero.

Nothing in this package imports Flask or the ``server`` package.
"""

__version__ = "0.1.0"
