"""Text made safe for XML 1.0 output (the Atom feed, HTML and Markdown reports, email).

XML 1.0 allows only tab, newline, carriage return and the characters from U+0020 up,
minus the surrogates and U+FFFE/U+FFFF. Titles, abstracts and Zotero tags can carry
others (U+0007 from a pasted PDF); one such character makes a feed unreadable to every
parser, so they are dropped before any output format is written.
"""

from __future__ import annotations

import re

_XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF)."""
    return _XML_FORBIDDEN.sub("", text)


__all__ = ["xml_safe"]
