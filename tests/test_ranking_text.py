"""Plain text for the backends: LaTeX reduced to its words, every kind of whitespace collapsed."""

from __future__ import annotations

import sys

import pytest

from sync.ranking.text import document_text, plain_text

UNICODE_SPACES = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


@pytest.mark.parametrize("raw, plain", [
    (r"An $\mathcal{O}(n^2)$ bound for \emph{sparse} graphs", "An O(n 2) bound for sparse graphs"),
    (r"\emph{\textbf{Nested}} wrappers and \cite{x} commands", "Nested wrappers and x commands"),
    ("ﬁne-tuning of ｆｕｌｌ width text", "fine-tuning of full width text"),  # NFKC
    ("plain  ascii\ttext\n", "plain ascii text"),
    ("", ""),
])
def test_plain_text(raw, plain):
    assert plain_text(raw) == plain


def test_every_unicode_whitespace_collapses_to_one_space_with_or_without_markup():
    assert plain_text(f"{UNICODE_SPACES}a{UNICODE_SPACES}b{UNICODE_SPACES}") == "a b"
    assert plain_text(f"{UNICODE_SPACES}$a${UNICODE_SPACES}b{UNICODE_SPACES}") == "a b"


def test_document_text_is_title_then_abstract():
    assert document_text(" A  title ", "An\nabstract.") == "A title. An abstract."
    assert document_text("", "Only abstract") == "Only abstract"
