"""Simulated users for the ranking benchmark, built from the dev data set.

A user has one or two interests (an arXiv category that papers carry as a
cross-list, e.g. cs.RO, or a keyword such as "point cloud"). Their library is
50-300 papers of those interests announced before a split day; the candidates
are every paper of one later announcement day; the relevant candidates are the
ones of the same interests. The ranker never sees the interest itself, only the
library's titles and abstracts (and dates).

Tuning users and evaluation users use disjoint candidate days (tuning: April to
June, evaluation: July to September) and different random seeds, so constants
chosen on tuning users say nothing about the evaluation days.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from dev_data import load_records  # noqa: F401  (re-exported for the benchmark scripts)
CATEGORY_INTERESTS = ("cs.RO", "cs.IR", "cs.GR", "eess.IV", "cs.LG", "cs.HC", "cs.CY", "cs.MM", "cs.SD", "cs.CR")
KEYWORD_INTERESTS = ("reinforcement learning", "diffusion", "medical", "autonomous driving", "point cloud", "speech",
                     "hallucination", "multilingual", "retrieval", "video", "segmentation")
TUNING_DAYS = (date(2025, 4, 21), date(2025, 6, 27))  # candidate days in this range (inclusive)
EVALUATION_DAYS = (date(2025, 7, 2), date(2025, 9, 24))


@dataclass(frozen=True)
class SimUser:
    name: str
    interests: tuple[str, ...]
    library: tuple[dict, ...]
    candidates: tuple[dict, ...]
    relevant: frozenset[str]
    day: date




def has_interest(record: dict, interest: str) -> bool:
    if interest in CATEGORY_INTERESTS:
        cats = record.get("categories") or []
        # a category that is not the paper's only one: cs.LG counts as a cross-list only
        return interest in cats and (interest != "cs.LG" or len(cats) > 1)
    text = (record.get("title", "") + " " + record.get("abstract", "")).lower()
    return re.search(r"\b" + re.escape(interest) + r"\b", text) is not None


def build_users(records: list[dict], *, count: int, days: tuple[date, date], seed: int) -> list[SimUser]:
    rng = random.Random(seed)
    by_day: dict[date, list[dict]] = {}
    for record in records:
        by_day.setdefault(date.fromisoformat(record["announced"]), []).append(record)
    candidate_days = sorted(d for d in by_day if days[0] <= d <= days[1])
    interests = CATEGORY_INTERESTS + KEYWORD_INTERESTS
    users: list[SimUser] = []
    attempts = 0
    while len(users) < count and attempts < count * 50:
        attempts += 1
        day = rng.choice(candidate_days)
        chosen = tuple(sorted(rng.sample(interests, rng.choice((1, 1, 2)))))
        earlier = [r for d, rs in sorted(by_day.items()) if d < day for r in rs]
        pool = [r for r in earlier if any(has_interest(r, i) for i in chosen)]
        if len(pool) < 50:
            continue
        size = rng.randint(50, min(300, len(pool)))
        library = rng.sample(pool, size)
        candidates = by_day[day]
        relevant = frozenset(r["id"] for r in candidates if any(has_interest(r, i) for i in chosen))
        if len(relevant) < 3 or len(relevant) > len(candidates) // 2:
            continue
        users.append(SimUser(name=f"{'+'.join(chosen)}@{day}", interests=chosen, library=tuple(library),
                             candidates=tuple(candidates), relevant=relevant, day=day))
    return users
