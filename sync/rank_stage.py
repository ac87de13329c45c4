"""The rank stage: store -> pure ranking -> store, with a rank run recorded.

Reads one day's candidates (that day's new papers and cross-lists, not pure
replacements, plus papers the keyword watches found that day), the library
index, the user's feedback and a background of earlier announcements; loads the
text model once per process; caches every text embedding in the store keyed by
(content hash, model) so a library item is embedded once, not every day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Collection, Sequence

import numpy as np

from .arxiv.calendar import has_announcement
from .models import LibraryItem, Paper
from .ranking import Profile, RankOptions, rank_papers
from .ranking.backends import MODEL_NAME, embeddings_available, model_cache_name, shared_encoder
from .ranking.text import content_hash
from .settings import Config
from .store.rankings import RankingRow

RANKED_TYPES = ("new", "cross")
# A background shorter than this (a new installation's first days; file mode without --background, where
# the day's candidates are all there is) is completed with the day's candidates and the bundled starter
# papers (sync/sample.py). On two sets of tuning users of the ranking benchmark: +0.14 / +0.19 nDCG@10 on
# a first day with nothing stored, +0.03 / +0.06 in file mode without a background (docs/benchmarks.md,
# bench/bench_starter_background.py).
STARTER_BACKGROUND_BELOW = 1000


@dataclass
class RankSummary:
    day: date | None
    backend: str = ""
    outcome: str = "ok"  # ok | no_candidates
    candidates: int = 0
    ranked: int = 0
    library_size: int = 0
    library_source: str = "zotero"  # zotero | sample | given | empty
    embedded: int = 0  # texts newly embedded (cache misses)
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None

    def line(self) -> str:
        if self.outcome == "no_candidates":
            return f"nothing to rank{f' for {self.day}' if self.day else ''}: " + "; ".join(self.notes)
        head = (f"{self.day}: {self.ranked} of {self.candidates} papers selected ({self.backend},"
                f" library {self.library_size} items{_LIBRARY_SOURCE_NOTE.get(self.library_source, '')})")
        if self.dropped:
            head += "; left out: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.dropped.items())
        return head + ("" if not self.notes else "; " + "; ".join(self.notes))


class CachingEncoder:
    """An encoder in front of the store's embedding cache: only unseen texts reach the model."""

    def __init__(self, store, loader=shared_encoder, model: str = MODEL_NAME):
        self._store, self._loader, self._model = store, loader, None
        self._spec = model or MODEL_NAME
        # the cache key: a model directory is keyed like SentenceEncoder names it
        self.name = model_cache_name(self._spec)
        self.embedded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        hashes = [content_hash(t) for t in texts]
        found = self._store.get_embeddings(hashes, self.name)
        missing = {h: t for h, t in zip(hashes, texts) if h not in found}
        if missing:
            if self._model is None:
                self._model = self._loader(self._spec)
            vectors = self._model.encode(list(missing.values()))
            fresh = dict(zip(missing.keys(), vectors))
            self._store.put_embeddings(fresh, self.name)
            found.update(fresh)
            self.embedded += len(fresh)
        return np.stack([found[h] for h in hashes]).astype(np.float32)


class KnownVectorsEncoder:
    """An encoder that answers the texts whose vectors it was given (the starter background's, embedded
    when the package was built) and asks the encoder behind it only for the others."""

    def __init__(self, inner, known: dict[str, np.ndarray]):
        self._inner, self._known = inner, known
        self.name = inner.name

    @property
    def embedded(self) -> int:
        return getattr(self._inner, "embedded", 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self._inner.encode([])
        hashes = [content_hash(t) for t in texts]
        missing = list(dict.fromkeys(t for t, h in zip(texts, hashes) if h not in self._known))
        fresh = dict(zip(missing, self._inner.encode(missing))) if missing else {}
        return np.stack([self._known[h] if h in self._known else fresh[t]
                         for t, h in zip(texts, hashes)]).astype(np.float32)


@dataclass(frozen=True)
class CompletedBackground:
    papers: tuple[Paper, ...]
    candidates: int = 0  # of the day's candidates added
    starters: int = 0  # of the bundled starter papers added


def with_starter_background(background: Sequence[Paper], *, limit: int, candidates: Sequence[Paper] = (),
                            exclude: Collection[str] = ()) -> CompletedBackground:
    """``background`` as it is, or, when it holds fewer than :data:`STARTER_BACKGROUND_BELOW` papers, followed
    by the day's ``candidates`` and then the bundled starter papers (none in ``exclude`` or already there;
    at most ``limit`` papers in all).

    The starter papers say what arXiv in general looks like; the candidates are papers of your own
    fields, whatever they are (the starter papers are mostly cs.AI/CL/CV/LG), so the contrast model
    learns what sets your library apart from its own field and not only from computer science.
    """
    background = tuple(background)
    if len(background) >= min(STARTER_BACKGROUND_BELOW, limit):
        return CompletedBackground(background)
    from .sample import starter_background

    have = {p.arxiv_id for p in background}
    day = tuple(p for p in dict((p.arxiv_id, p) for p in candidates).values() if p.arxiv_id not in have)
    day = day[:limit - len(background)]
    have |= {p.arxiv_id for p in day} | set(exclude)
    room = limit - len(background) - len(day)
    extra = tuple(p for p in starter_background() if p.arxiv_id not in have)[:max(0, room)]
    return CompletedBackground(background + day + extra, len(day), len(extra))


def with_starter_vectors(encoder, added: int):
    """``encoder`` answering the starter papers from their bundled vectors, when they were added and are
    in the default model's space."""
    if not added or encoder is None or encoder.name != MODEL_NAME:
        return encoder
    from .sample import starter_background_vectors

    return KnownVectorsEncoder(encoder, starter_background_vectors())


def options_from_config(config: Config, *, backend: str, already_shown: frozenset[str] = frozenset()) -> RankOptions:
    return RankOptions(backend=backend, threshold=float(config["ranking.threshold"]),
                       max_results=int(config["ranking.max_results"]),
                       include_keywords=tuple(config["ranking.include_keywords"]),
                       exclude_keywords=tuple(config["ranking.exclude_keywords"]), already_shown=already_shown)


def effective_backend(config: Config) -> tuple[str, str | None]:
    """The configured backend, or tfidf with a note when the embeddings extra is missing."""
    backend = config["ranking.backend"]
    if backend != "tfidf" and not embeddings_available():
        return "tfidf", (f"ranking.backend={backend} needs the embeddings extra"
                         " (pip install 'paperfeed[embeddings]'); used tfidf")
    return backend, None


def rank_day(store, config: Config, day: date | None = None, *, now: datetime,
             library: Sequence[LibraryItem] | None = None, encoder=None) -> RankSummary:
    """Rank ``day`` (default: the newest stored announcement) and store the result; see module doc."""
    if day is None:
        dates = store.announcement_dates(1)
        if not dates:
            return RankSummary(day=None, outcome="no_candidates",
                               notes=["no announcement stored yet (run `paperfeed fetch` first)"])
        day = dates[0]
    backend, note = effective_backend(config)
    summary = RankSummary(day=day, backend=backend, notes=[note] if note else [])
    run_id = store.start_rank_run(day=day, backend=backend)
    summary.run_id = run_id
    try:
        candidates = _candidates(store, day)
        if getattr(store, "user_id", None) is not None:  # a lab user: the shared fetch holds everyone's
            candidates = _own_candidates(store, config, day, candidates)
        summary.candidates = len(candidates)
        items, summary.library_source = _library(store, day, library)
        summary.library_size = len(items)
        if not candidates:
            summary.outcome = "no_candidates"
            summary.notes.append(f"no new papers or cross-lists stored for {day}")
            store.save_ranking(day, [], run_id=run_id)
            store.finish_rank_run(run_id, outcome="no_candidates", library_size=len(items),
                                  message="; ".join(summary.notes))
            return summary
        feedback = store.feedback()
        feedback_papers = store.get_papers(feedback)
        saved = tuple(feedback_papers[i] for i, a in sorted(feedback.items()) if a == "saved" and i in feedback_papers)
        dismissed = tuple(feedback_papers[i] for i, a in sorted(feedback.items())
                          if a == "dismissed" and i in feedback_papers)
        candidate_ids = {p.arxiv_id for p in candidates}
        background_size = int(config.get("ranking.background_size", 10000))
        completed = CompletedBackground(())
        if background_size > 0:
            stored = store.background_papers(day, exclude=candidate_ids | set(feedback), limit=background_size)
            completed = with_starter_background(stored, limit=background_size, candidates=candidates,
                                                exclude=set(feedback))
            if completed.candidates or completed.starters:
                summary.notes.append(f"background {len(stored)} stored papers, {completed.candidates} of the day's"
                                     f" and {completed.starters} bundled ones")
        profile = Profile(library=tuple(items), keywords=tuple(config["arxiv.keywords"]),
                          categories=_categories(store, config, day),
                          favourite_authors=tuple(config["ranking.favourite_authors"]),
                          saved=saved, dismissed=dismissed, background=completed.papers)
        options = options_from_config(config, backend=backend, already_shown=frozenset(store.shown_before(day)))
        caching = encoder or (CachingEncoder(store, model=config["ranking.model"]) if backend != "tfidf" else None)
        caching = with_starter_vectors(caching, completed.starters)
        result = rank_papers(candidates, profile, now=now, options=options, encoder=caching)
        rows = [RankingRow(s.paper.arxiv_id, s.score, s.reason, s.tags, s.collection) for s in result.selected]
        store.save_ranking(day, rows, run_id=run_id)
        summary.ranked, summary.dropped = len(rows), result.dropped
        summary.embedded = getattr(caching, "embedded", 0)
        store.finish_rank_run(run_id, outcome="ok", candidates=len(candidates), ranked=len(rows),
                              library_size=len(items), message=summary.line())
        return summary
    except BaseException as exc:
        store.finish_rank_run(run_id, outcome="error", message=str(exc) or type(exc).__name__)
        raise


def _listed(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def _candidates(store, day: date) -> list[Paper]:
    papers = {p.arxiv_id: p for p in store.announced_papers(day, types=RANKED_TYPES)}
    for hit_day in _keyword_days(day):
        for paper in store.keyword_hit_papers(hit_day):
            papers.setdefault(paper.arxiv_id, paper)
    return list(papers.values())


def _own_candidates(store, config: Config, day: date, candidates: list[Paper]) -> list[Paper]:
    """On a lab server, a user's candidates: papers in their categories or found by their keyword watches.

    The fetch is one for the union of all users' categories and keywords; each user ranks only what
    their own settings would have fetched.
    """
    wanted = tuple(config["arxiv.categories"])
    keywords = tuple(config["arxiv.keywords"])
    hits = {p.arxiv_id for d in _keyword_days(day) for p in store.keyword_hit_papers(d, keywords=keywords)} \
        if keywords else set()

    def in_categories(paper: Paper) -> bool:
        return any(c == w or c.startswith(w + ".") for c in paper.categories for w in wanted)

    return [p for p in candidates if p.arxiv_id in hits or in_categories(p)]


def _keyword_days(day: date, *, limit: int = 14) -> list[date]:
    """``day`` and the days without announcement just before it.

    A keyword watch run on a weekend or holiday records its hits on that day, which is never
    ranked; the next announcement day takes them, or they would never be shown.
    """
    days = [day]
    previous = day - timedelta(days=1)
    while len(days) < limit and not has_announcement(previous):
        days.append(previous)
        previous -= timedelta(days=1)
    return days


_LIBRARY_SOURCE_NOTE = {"sample": " from the bundled sample", "empty": ": empty, keywords and categories only"}


def _library(store, day: date, given: Sequence[LibraryItem] | None) -> tuple[list[LibraryItem], str]:
    if given is not None:
        return list(given), "given"
    items = _library_from_index(store)
    if items:
        return items, "zotero"
    if store.announcement_sources(day) == {"sample"}:
        from .sample import sample_library

        return sample_library(), "sample"
    return [], "empty"


def _categories(store, config: Config, day: date) -> tuple[str, ...]:
    """The bundled sample day is ranked with the sample's categories, as ``paperfeed daily --sample`` does."""
    if store.announcement_sources(day) == {"sample"}:
        from .sample import SAMPLE_CATEGORIES

        return tuple(SAMPLE_CATEGORIES)
    return tuple(config["arxiv.categories"])


def _library_from_index(store) -> list[LibraryItem]:
    """The synced Zotero library index (sync/store/library.py)."""
    return list(store.library_items())


def rank_files(config: Config, library_file, candidates_file, out_file, *, now: datetime,
               background_file=None, cache_dir=None) -> str:
    """File mode: rank every candidate against a library file; all candidates are written, best first.

    ``background_file``: papers announced before the candidates' day (JSON Lines), what a running
    installation's store holds; without it the candidates themselves serve as the background.
    ``cache_dir``: a directory keeping every embedded text (an SQLite store of embeddings only),
    so a second call embeds only texts it has not seen and does not even load the model when
    nothing is new.
    """
    from .ranking_files import read_candidates, read_library, write_results

    library = read_library(library_file)
    candidates = read_candidates(candidates_file)
    given = read_candidates(background_file) if background_file else list(candidates)
    background_size = int(config["ranking.background_size"])
    completed = with_starter_background(given, limit=background_size, candidates=candidates) \
        if background_size > 0 else CompletedBackground(tuple(given))
    background = completed.papers
    backend, note = effective_backend(config)
    profile = Profile(library=tuple(library), keywords=tuple(config["ranking.include_keywords"]),
                      favourite_authors=tuple(config["ranking.favourite_authors"]),
                      background=tuple(background))
    options = RankOptions(backend=backend, threshold=0.0, max_results=max(1, len(candidates)),
                          exclude_keywords=tuple(config["ranking.exclude_keywords"]))
    cache = None
    if backend == "tfidf":
        encoder = None
    elif cache_dir is not None:
        from pathlib import Path

        from .store import Store

        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        cache = Store(Path(cache_dir) / "embeddings.sqlite3")
        encoder = CachingEncoder(cache, model=config["ranking.model"])
    else:
        encoder = shared_encoder(config["ranking.model"])
    encoder = with_starter_vectors(encoder, completed.starters)
    try:
        result = rank_papers(candidates, profile, now=now, options=options, encoder=encoder)
    finally:
        if cache is not None:
            cache.close()
    written = write_results(out_file, result.scored)
    parts = [f"{len(given)} {'given' if background_file else 'candidates'}",
             f"{completed.candidates} candidates" if completed.candidates else "",
             f"{completed.starters} bundled" if completed.starters else ""]
    extra = [f"background {len(background)} papers ({_listed([p for p in parts if p])})"]
    if cache is not None:
        extra.append(f"embedded {encoder.embedded} new texts")
    if note:
        extra.append(note)
    return (f"ranked {written} candidates against {len(library)} library items ({backend}) -> {out_file}; "
            + "; ".join(extra))
