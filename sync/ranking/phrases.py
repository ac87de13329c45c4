"""Phrases that mark your library, learned from it rather than given as keywords.

A phrase (a word, or two words in a row once stop words are dropped) found in a good share of the
library's papers and several times rarer in the background (what arXiv announced before the day)
marks one of the user's interests: "point cloud" in a third of the library and in 1% of arXiv. A
candidate that contains such a phrase gets evidence in proportion to the share of the library the
phrase marks, whatever else its abstract says. The linear contrast model sums over all of a paper's
words, so a paper on your topic written mostly in another field's words scores low there; the
phrase still lifts it. Chosen on tuning users of the issue-12 benchmark (+0.016 and +0.044 nDCG@10 on
two sets of 40); on its evaluation users +0.061 (docs/benchmarks.md). Your saves and dismissals of
papers containing a phrase set how far it is trusted (``trust``).

Words are those of the TF-IDF model (:mod:`sync.ranking.terms`), with a plural "s" ignored: "point
clouds" counts as "point cloud". The papers' term counts come from the same per-process memo as
TF-IDF's (:func:`sync.ranking.backends.term_counts`), so looking for the phrases in thousands of
background papers costs a sparse column slice, not a second tokenisation; the texts looked up may carry
the contrast model's author terms (they never match a phrase). Pure: texts in, phrases out.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass, replace
from itertools import product
from typing import Sequence

import mmh3
import numpy as np

from .backends import term_counts
from .terms import term_columns, terms

MIN_LIBRARY_SHARE = 0.10  # in at least a tenth of the library's papers
MIN_LIFT = 2.0  # and more than twice as common there as in the background,
FULL_LIFT = 4.0  # counting fully from four times: in between its weight rises with the log of the lift
MIN_LIBRARY_DOCS = 10  # with fewer papers a share says nothing
MIN_BACKGROUND_DOCS = 50  # nor does a lift against a handful of papers
PHRASE_WEIGHT = 0.4  # evidence = weight x share of the library it marks x trust x specificity
# Feedback on a phrase: trust = (saved + prior) / (saved + DISMISSAL_BLAME x blamed + prior), where
# "saved" counts your saved papers that contain it and "blamed" your dismissed papers whose strongest
# phrase it was (the one that lifted them to you). Two such dismissals and no save: trust 5/9. The
# library counts as the prior. Blaming only the strongest phrase, instead of every library phrase a
# dismissed paper contains, is what keeps a dismissal from teaching "not this subject" (tuning window of
# the feedback benchmark, docs/benchmarks.md).
FEEDBACK_PRIOR = 5.0
DISMISSAL_BLAME = 2.0
NAMED_TRUST = 0.5  # a phrase trusted less than this still counts a little but is not named as the reason
NAMED_SPECIFICITY = 0.5  # nor is one barely more common in the library than elsewhere (lift < 2.8)
# nor one in a tenth or more of the background's papers: "findings", "research", "human" (12-16% of arXiv)
# can mark a small library yet say nothing about a paper; "point cloud" (2%), "speech" (3%), "video" (9%)
# are named. Only the reason changes: the phrase counts the same.
NAMED_MAX_BACKGROUND_SHARE = 0.10
MAX_PHRASES = 200  # the strongest phrases kept (a library has a few dozen)

_KEEP_S = ("ss", "is", "us", "os", "as")  # analysis, corpus, bias: not plurals


@dataclass(frozen=True)
class LibraryPhrase:
    """A phrase that marks the library: its most common wording there, and how strongly it marks it."""

    text: str
    share: float  # of the library's papers that contain it
    lift: float  # share in the library / share in the background
    trust: float = 1.0  # how far your saves and dismissals of papers with it confirm it (below)
    specificity: float = 1.0  # 0 at the minimum lift, 1 from FULL_LIFT (see library_phrases)

    @property
    def strength(self) -> float:
        return self.share * self.trust * self.specificity

    @property
    def background_share(self) -> float:
        """About the share of the background's papers that contain it (its share over its lift)."""
        return self.share / self.lift if self.lift else 1.0


@functools.lru_cache(maxsize=65_536)
def singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S) else word


def phrases_of(text: str) -> dict[str, str]:
    """Normalised phrase -> its wording in ``text``; single words of one or two letters are left out."""
    found = terms(text)  # the words, then each pair of neighbouring words
    words = found[:(len(found) + 1) // 2]
    norm = list(map(singular, words))
    out = {n: w for n, w in zip(norm, words) if len(w) > 2}
    pairs = map(" ".join, zip(norm, norm[1:]))
    out.update(zip(pairs, found[len(words):]))
    return out


def _spellings(phrase: str) -> list[str]:
    """Every wording that normalises to ``phrase``: each word with and without a plural "s"."""
    forms = [(w, w + "s") if singular(w + "s") == w else (w,) for w in phrase.split(" ")]
    return [" ".join(words) for words in product(*forms)]


class LibraryPhrases:
    """The phrases that mark a library, and which of them a paper contains."""

    def __init__(self, phrases: Sequence[tuple[str, LibraryPhrase]]):
        self.phrases = dict(phrases)
        self._found = [p for _, p in phrases]
        columns: dict[int, set[int]] = {}
        for index, (phrase, _) in enumerate(phrases):
            spellings = _spellings(phrase)
            hashes = np.fromiter(map(mmh3.hash, spellings), dtype=np.int64, count=len(spellings))
            for column in term_columns(hashes).tolist():
                columns.setdefault(column, set()).add(index)
        self._columns = np.array(sorted(columns), dtype=np.int64)
        # column -> phrase incidence, so a paper contains a phrase if it has any of its spellings
        self._incidence = np.zeros((len(self._columns), len(phrases)), dtype=np.float32)
        for row, column in enumerate(self._columns.tolist()):
            self._incidence[row, sorted(columns[column])] = 1.0

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def contained(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), len(phrases)) booleans: which phrases each text contains."""
        if not self.phrases or not texts:
            return np.zeros((len(texts), len(self.phrases)), dtype=bool)
        present = (term_counts(texts)[:, self._columns] > 0).astype(np.float32)
        return np.asarray(present @ self._incidence) > 0

    def best(self, texts: Sequence[str]) -> list[LibraryPhrase | None]:
        """Per text, its strongest phrase (:attr:`LibraryPhrase.strength`; None: none).

        A pair of words is named instead of one of its words when it is nearly as strong (90% or
        more): "point cloud" says more than "point".
        """
        out: list[LibraryPhrase | None] = []
        for row in self.contained(texts):
            hits = [self._found[i] for i in np.flatnonzero(row)]  # strongest first
            if not hits:
                out.append(None)
                continue
            pairs = [p for p in hits if " " in p.text and p.strength >= 0.9 * hits[0].strength]
            out.append(max(pairs, key=lambda p: p.strength) if pairs else hits[0])
        return out


def library_phrases(library_texts: Sequence[str], background_texts: Sequence[str], *,
                    saved_texts: Sequence[str] = (), dismissed_texts: Sequence[str] = (),
                    min_share: float = MIN_LIBRARY_SHARE, min_lift: float = MIN_LIFT,
                    full_lift: float = FULL_LIFT) -> LibraryPhrases:
    """Phrases in >= ``min_share`` of the library and >= ``min_lift`` times rarer in the background.

    ``library_texts`` are every positive (library items and saved papers); ``saved_texts`` and
    ``dismissed_texts`` the papers you judged in the popup, which set each phrase's trust. A phrase's
    *specificity* rises from 0 at ``min_lift`` to 1 at ``full_lift`` (with the log of its lift; always 1
    when ``full_lift <= min_lift``), so a common word whose lift hovers near the cut, such as "network"
    in a library on imaging, cannot jump from nothing to the strongest evidence because a few saves
    moved its lift across the cut.
    """
    library_texts = list(dict.fromkeys(t for t in library_texts if t))
    if len(library_texts) < MIN_LIBRARY_DOCS or len(background_texts) < MIN_BACKGROUND_DOCS:
        return LibraryPhrases(())
    wordings: Counter = Counter()  # (phrase, wording) -> papers
    counts: Counter = Counter()  # phrase -> papers
    for text in library_texts:
        found = phrases_of(text)
        counts.update(found.keys())
        wordings.update(found.items())
    needed = min_share * len(library_texts)
    common = sorted(p for p, n in counts.items() if n >= needed)
    if not common:
        return LibraryPhrases(())
    probe = LibraryPhrases([(p, LibraryPhrase(p, 0.0, 0.0)) for p in common])
    in_background = probe.contained(background_texts).sum(axis=0)
    usual: dict[str, tuple[str, int]] = {}  # the library's most common wording of each (first seen on a tie)
    for (phrase, wording), n in wordings.items():
        if counts[phrase] >= needed and n > usual.get(phrase, ("", 0))[1]:
            usual[phrase] = (wording, n)
    found = []
    for phrase, count in zip(common, in_background.tolist()):
        share = counts[phrase] / len(library_texts)
        lift = share / ((count + 0.5) / (len(background_texts) + 1))
        if lift >= min_lift:
            found.append((phrase, LibraryPhrase(usual[phrase][0], share, lift, 1.0,
                                                specificity(lift, min_lift, full_lift))))
    found.sort(key=_strongest_first)
    if dismissed_texts:  # without any, every trust is (saved + prior) / (saved + prior) = 1
        saved = dict(zip(common, probe.contained(list(saved_texts)).sum(axis=0).tolist())) if saved_texts else {}
        blamed = _blamed(found, dismissed_texts)
        found = [(phrase, replace(p, trust=_trust(saved.get(phrase, 0), blamed[id(p)]))) for phrase, p in found]
        found.sort(key=_strongest_first)
    return LibraryPhrases(found[:MAX_PHRASES])


def _strongest_first(item: tuple[str, LibraryPhrase]):
    phrase, p = item
    return -p.strength, -p.lift, -phrase.count(" "), phrase


def _blamed(found: Sequence[tuple[str, LibraryPhrase]], dismissed_texts: Sequence[str]) -> Counter:
    """``id`` of a phrase of ``found`` -> how many dismissed papers it was the strongest phrase of (as
    :meth:`LibraryPhrases.best` names it for a candidate, before any feedback)."""
    return Counter(id(p) for p in LibraryPhrases(found).best(list(dismissed_texts)) if p is not None)


def _trust(saved: float, blamed: float) -> float:
    return float((saved + FEEDBACK_PRIOR) / (saved + DISMISSAL_BLAME * blamed + FEEDBACK_PRIOR))


def specificity(lift: float, min_lift: float = MIN_LIFT, full_lift: float = FULL_LIFT) -> float:
    """How far a phrase ``lift`` times commoner in the library than elsewhere counts: 0 at ``min_lift``, rising
    with the log of the lift to 1 at ``full_lift`` (1 from ``min_lift`` on when ``full_lift <= min_lift``)."""
    if full_lift <= min_lift:
        return 1.0 if lift >= min_lift else 0.0
    return min(1.0, max(0.0, math.log(lift / min_lift) / math.log(full_lift / min_lift)))


def phrase_evidence(phrase: LibraryPhrase, weight: float = PHRASE_WEIGHT) -> tuple[float, str]:
    """Evidence value and reason (empty: not worth naming) for a candidate that contains ``phrase``."""
    reason = f"mentions “{phrase.text}”, like {phrase.share:.0%} of your library"
    named = (phrase.trust >= NAMED_TRUST and phrase.specificity >= NAMED_SPECIFICITY
             and phrase.background_share < NAMED_MAX_BACKGROUND_SHARE)
    return weight * phrase.strength, reason if named else ""
