"""Citation keys are arXiv's own (its "Export BibTeX citation"), and names split like a person would."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sync.bibtex import base_citation_key, citation_key_candidates
from sync.models import Paper
from sync.zotero.names import split_name


def _paper(arxiv_id: str, title: str, first_author: str, year: int) -> Paper:
    return Paper(arxiv_id=arxiv_id, title=title, authors=(first_author, "Someone Else"), abstract="",
                 categories=("cs.CL",), updated=datetime(year, 6, 1, tzinfo=timezone.utc))


# real keys of arXiv's BibTeX export (the six examples)
ARXIV_KEYS = [
    ("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
     "Jacob Devlin", 2019, "devlin2019bertpretrainingdeepbidirectional"),
    ("2005.14165", "Language Models are Few-Shot Learners", "Tom B. Brown", 2020,
     "brown2020languagemodelsfewshotlearners"),
    ("2104.09864", "RoFormer: Enhanced Transformer with Rotary Position Embedding", "Jianlin Su", 2023,
     "su2023roformerenhancedtransformerrotary"),
    ("2407.21783", "The Llama 3 Herd of Models", "Aaron Grattafiori", 2024, "grattafiori2024llama3herdmodels"),
    ("2101.02235", "Did Aristotle Use a Laptop? A Question Answering Benchmark with Implicit Reasoning Strategies",
     "Mor Geva", 2021, "geva2021didaristotleuselaptop"),
    ("1706.03762", "Attention Is All You Need", "Ashish Vaswani", 2023, "vaswani2023attentionneed"),
]


@pytest.mark.parametrize("arxiv_id, title, author, year, key", ARXIV_KEYS, ids=[k[-1] for k in ARXIV_KEYS])
def test_citation_key_is_arxivs_own(arxiv_id, title, author, year, key):
    assert base_citation_key(_paper(arxiv_id, title, author, year)) == key


def test_citation_key_collisions_resolve_stably(store):
    a = _paper("2501.00001", "Attention Is All You Need", "Ashish Vaswani", 2023)
    b = _paper("2501.00002", "Attention is all you need", "A. Vaswani", 2023)
    assert base_citation_key(a) == base_citation_key(b)
    first = store.assign_citation_key(a.arxiv_id, citation_key_candidates(a))
    second = store.assign_citation_key(b.arxiv_id, citation_key_candidates(b))
    assert (first, second) == ("vaswani2023attentionneed", "vaswani2023attentionneeda")
    # stable: asked again (in any order), each paper keeps its key
    assert store.assign_citation_key(b.arxiv_id, citation_key_candidates(b)) == second
    assert store.assign_citation_key(a.arxiv_id, citation_key_candidates(a)) == first


@pytest.mark.parametrize("name, expected", [
    ("Ramesh Kumar V", {"firstName": "Ramesh V", "lastName": "Kumar"}),
    ("Ramesh Kumar V.", {"firstName": "Ramesh V.", "lastName": "Kumar"}),
    ("Martin Luther King Jr.", {"firstName": "Martin Luther, Jr.", "lastName": "King"}),
    ("Johannes Diderik van der Waals", {"firstName": "Johannes Diderik", "lastName": "van der Waals"}),
    ("Tom B. Brown", {"firstName": "Tom B.", "lastName": "Brown"}),
    ("J. R. R. Tolkien", {"firstName": "J. R. R.", "lastName": "Tolkien"}),
])
def test_split_name_trailing_initial_is_a_given_name(name, expected):
    assert split_name(name) == expected
