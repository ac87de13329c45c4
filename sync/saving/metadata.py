"""The paper a save writes: from the store, else from arXiv; and its BibTeX with a stable key."""

from __future__ import annotations

from dataclasses import replace

from ..arxiv.source import ArxivSource
from ..bibtex import bibtex_entry, citation_key_candidates
from ..errors import NotFoundError
from ..models import Paper
from ..settings import Config


def find_paper(store, config: Config, arxiv_id: str) -> Paper:
    """The paper from the store, else from arXiv (then remembered); NotFoundError if arXiv has none."""
    paper = store.get_paper(arxiv_id)
    if paper is not None:
        return paper
    fetched = [p for p in ArxivSource(config).papers_by_id([arxiv_id]) if p.arxiv_id == arxiv_id]
    if not fetched:
        raise NotFoundError(f"arXiv has no paper {arxiv_id}", details={"arxiv_id": arxiv_id})
    paper = replace(fetched[0], announce_date=None, announce_type=None)
    store.remember_papers([paper])
    return paper


def paper_bibtex(store, paper: Paper) -> str:
    """The paper's BibTeX with its stable, collision-free citation key (assigned on first use)."""
    key = store.assign_citation_key(paper.arxiv_id, citation_key_candidates(paper))
    return bibtex_entry(paper, key=key)

