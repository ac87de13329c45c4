"""Hashed unigram + bigram term counts of texts, without importing scikit-learn.

The same counts as scikit-learn's ``HashingVectorizer(ngram_range=(1, 2), stop_words="english",
alternate_sign=False, norm=None, token_pattern=TOKEN_PATTERN)``: lower-cased text, tokens by
:data:`TOKEN_PATTERN`, English stop words removed, then every token and every pair of neighbouring
tokens, each hashed with MurmurHash3 (32 bit, seed 0; the ``mmh3`` package, the hash
scikit-learn uses) into :data:`HASH_FEATURES` columns. ``tests/test_ranking_terms.py`` checks that
the two agree. Why not scikit-learn itself: importing it takes 2-4 s on a 2-core machine (it pulls
in much of SciPy), which is most of a ``paperfeed rank`` file-mode call.
"""

from __future__ import annotations

import re
from itertools import filterfalse
from typing import Sequence

import mmh3
import numpy as np

HASH_FEATURES = 2**20
# words of two or more characters (inner hyphens kept: "self-supervised"), or single characters
TOKEN_PATTERN = r"(?u)\b\w[\w-]*\w\b|\b\w\b"
# the same tokens, found faster: trailing hyphens removed first, then runs of word characters and hyphens
_trailing_hyphens = re.compile(r"-+(?![\w-])").sub
_runs = re.compile(r"\w[\w-]*").findall

# scikit-learn's ENGLISH_STOP_WORDS (BSD-3-Clause), from the Glasgow Information Retrieval Group's
# list; copied so that tokenising needs no scikit-learn import.
STOP_WORDS = frozenset(" ".join([
    "a about above across after afterwards again against all almost alone along already also although",
    "always am among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere",
    "are around as at back be became because become becomes becoming been before beforehand behind being",
    "below beside besides between beyond bill both bottom but by call can cannot cant co con could",
    "couldnt cry de describe detail do done down due during each eg eight either eleven else elsewhere",
    "empty enough etc even ever every everyone everything everywhere except few fifteen fifty fill find",
    "fire first five for former formerly forty found four from front full further get give go had has",
    "hasnt have he hence her here hereafter hereby herein hereupon hers herself him himself his how",
    "however hundred i ie if in inc indeed interest into is it its itself keep last latter latterly least",
    "less ltd made many may me meanwhile might mill mine more moreover most mostly move much must my",
    "myself name namely neither never nevertheless next nine no nobody none noone nor not nothing now",
    "nowhere of off often on once one only onto or other others otherwise our ours ourselves out over own",
    "part per perhaps please put rather re same see seem seemed seeming seems serious several she should",
    "show side since sincere six sixty so some somehow someone something sometime sometimes somewhere",
    "still such system take ten than that the their them themselves then thence there thereafter thereby",
    "therefore therein thereupon these they thick thin third this those though three through throughout",
    "thru thus to together too top toward towards twelve twenty two un under until up upon us very via",
    "was we well were what whatever when whence whenever where whereafter whereas whereby wherein",
    "whereupon wherever whether which while whither who whoever whole whom whose why will with within",
    "without would yet you your yours yourself yourselves",
]).split())


def terms(text: str) -> list[str]:
    """The unigrams and bigrams of ``text`` after stop-word removal, in scikit-learn's order."""
    words = list(filterfalse(STOP_WORDS.__contains__, _runs(_trailing_hyphens(" ", text.lower()))))
    return words + list(map(" ".join, zip(words, words[1:])))


def term_columns(hashes: np.ndarray) -> np.ndarray:
    """Hashed columns of signed 32-bit MurmurHash3 values (scikit-learn's rule: |h| mod HASH_FEATURES)."""
    hashes = hashes.astype(np.int64)
    columns = np.abs(hashes) % HASH_FEATURES
    columns[hashes == -2**31] = (2**31 - 1 - (HASH_FEATURES - 1)) % HASH_FEATURES
    return columns


def hashed_counts(texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per text: sorted column indices (int32) and their term counts (float32)."""
    per_text = [terms(text) for text in texts]
    flat = [term for text_terms in per_text for term in text_terms]
    distinct = dict.fromkeys(flat)
    # mmh3.hash's defaults are scikit-learn's: seed 0, signed
    hashes = np.fromiter(map(mmh3.hash, distinct), dtype=np.int64, count=len(distinct))
    for term, column in zip(distinct, term_columns(hashes).tolist()):
        distinct[term] = column
    columns = np.fromiter(map(distinct.__getitem__, flat), dtype=np.int64, count=len(flat))
    rows = np.repeat(np.arange(len(per_text), dtype=np.int64), [len(t) for t in per_text])
    keys, counts = np.unique(rows * HASH_FEATURES + columns, return_counts=True)
    bounds = np.searchsorted(keys // HASH_FEATURES, np.arange(len(per_text) + 1))
    index = (keys % HASH_FEATURES).astype(np.int32)
    counts = counts.astype(np.float32)
    return [(index[lo:hi], counts[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
