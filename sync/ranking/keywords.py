"""Keyword evidence weighted by how specific a keyword is on the day being ranked.

A keyword found in half of the day's abstracts ("performance", "model") says nothing
about which of them you want: it lifts every paper equally. Its weight therefore shrinks
with the share of the day's candidates that contain it, on a log scale, and such a
keyword is not named as the reason. A keyword found in a few papers keeps its full weight.
Pure: the share is computed from the candidates handed in.
"""

from __future__ import annotations

import math
from typing import Sequence

# share of the day's candidates containing the keyword -> specificity in [0, 1]
RARE_SHARE = 0.05  # in at most 5% of the day's papers: full weight
COMMON_SHARE = 0.40  # in 40% or more: no weight at all
MIN_CANDIDATES = 20  # with fewer candidates a share says nothing: every keyword counts fully
NAMED_SPECIFICITY = 0.5  # a keyword this specific or more is named in the reason


def keyword_specificity(matches: int, total: int) -> float:
    """1.0 for a keyword in few of the ``total`` candidates, falling (log-linearly) to 0.0 for a common one."""
    if total < MIN_CANDIDATES or matches <= 0:
        return 1.0
    share = matches / total
    if share <= RARE_SHARE:
        return 1.0
    if share >= COMMON_SHARE:
        return 0.0
    return math.log(COMMON_SHARE / share) / math.log(COMMON_SHARE / RARE_SHARE)


def keyword_specificities(phrases: Sequence[str], haystacks: Sequence[str]) -> dict[str, float]:
    """Specificity per normalised phrase; ``haystacks`` are the candidates' ``words()`` strings."""
    total = len(haystacks)
    return {p: keyword_specificity(sum(1 for h in haystacks if f" {p} " in h), total) for p in phrases}
