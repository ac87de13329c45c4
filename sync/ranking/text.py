"""Turning papers and library items into the text the backends compare.

Abstracts on arXiv are full of LaTeX (``$\\mathcal{O}(n^2)$``, ``\\emph{...}``) and
sometimes not in English; both backends do better on plain words, so markup is
reduced to its words before anything is compared. The content hash keys the
embedding cache: it changes exactly when the text we would embed changes.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_LATEX_WRAPPER = re.compile(r"\\(?:emph|textbf|textit|texttt|mathrm|mathbf|mathcal|mathbb|text|textsc|operatorname)\s*\{([^{}]*)\}")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")
_LATEX_SYMBOLS = re.compile(r"[\\{}$^_~]")
_WORD = re.compile(r"\w+", re.UNICODE)


@functools.lru_cache(maxsize=65_536)  # the same library texts come back every run; regexes cost ~0.1 ms each
def plain_text(text: str) -> str:
    """Text with LaTeX markup reduced to its words and whitespace collapsed."""
    if not text:
        return ""
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    if _LATEX_SYMBOLS.search(text) is None:  # no backslash, brace or $^_~: no markup to reduce
        return " ".join(text.split())
    for _ in range(3):  # nested wrappers: \emph{\textbf{x}}
        new = _LATEX_WRAPPER.sub(r"\1", text)
        if new == text:
            break
        text = new
    text = _LATEX_COMMAND.sub(" ", text)
    text = _LATEX_SYMBOLS.sub(" ", text)
    return " ".join(text.split())  # whitespace runs collapsed (str.split's whitespace is re's \s)


def document_text(title: str, abstract: str) -> str:
    """What a paper or library item "is about": its title then its abstract."""
    title, abstract = plain_text(title), plain_text(abstract)
    if title and abstract:
        return f"{title}. {abstract}"
    return title or abstract


def content_hash(text: str) -> str:
    """Stable key of a text for the embedding cache (sha256, hex, first 32 chars)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def normalise_phrase(phrase: str) -> str:
    return " ".join(_WORD.findall(plain_text(phrase).lower()))


def phrase_in(phrase: str, text: str) -> bool:
    """Whole-word, case-insensitive match of ``phrase`` in ``text`` ("graph" does not match "paragraph")."""
    wanted = normalise_phrase(phrase)
    if not wanted:
        return False
    haystack = " " + " ".join(_WORD.findall(text.lower())) + " "
    return f" {wanted} " in haystack


def words(text: str) -> str:
    """Lower-cased words joined by single spaces (for repeated phrase matching)."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def shorten(title: str, limit: int = 60) -> str:
    title = plain_text(title)
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
