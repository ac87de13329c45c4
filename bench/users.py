"""Simulated users for the ranking benchmarks, built from the dev data set (real arXiv papers, 2025).

A user has one, two or three interests. An interest is either an arXiv category that papers carry
as a cross-list (cs.RO, cs.IR, eess.IV, ...: "category interests") or a topic phrase found in the
title or abstract ("point cloud", "speech", ...: "topic interests"). Their library is about 150
papers: papers of those interests announced before the candidate day, split evenly between the
interests, plus 10% unrelated papers (what real libraries hold). Each library item carries the
name of the interest it was drawn for as its tag (none for the unrelated ones), so suggested tags
can be measured. The candidates are every paper of one later announcement day; the relevant ones
are those with any of the user's interests.

What defines relevance is hidden from every ranker: records given to rankers have no category
field (``ranker_view``), and no ranker is given the topic phrase as a keyword; they see titles,
abstracts, authors and dates only.

Tuning users and evaluation users use disjoint candidate days (tuning: April 21 to June 27,
evaluation: July 2 to September 24) and different random seeds, so constants chosen on tuning
users say nothing about the evaluation days.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from dev_data import load_records  # noqa: F401  (re-exported for the benchmark scripts)

CATEGORY_INTERESTS = ("cs.RO", "cs.IR", "cs.GR", "eess.IV", "cs.LG", "cs.HC", "cs.CY", "cs.MM", "cs.SD", "cs.CR",
                      "eess.AS")
TOPIC_INTERESTS = ("reinforcement learning", "diffusion", "medical", "autonomous driving", "point cloud", "speech",
                   "hallucination", "multilingual", "retrieval", "video", "segmentation", "knowledge graph",
                   "federated learning", "code generation", "remote sensing", "3d gaussian", "time series",
                   "mixture of experts", "jailbreak", "quantization")
KEYWORD_INTERESTS = TOPIC_INTERESTS  # former name
TUNING_DAYS = (date(2025, 4, 21), date(2025, 6, 27))  # candidate days in this range (inclusive)
EVALUATION_DAYS = (date(2025, 7, 2), date(2025, 9, 24))
LIBRARY_SIZE = 150
UNRELATED_SHARE = 0.10
MIN_PER_INTEREST = 25


@dataclass(frozen=True)
class SimUser:
    name: str
    interests: tuple[str, ...]
    library: tuple[dict, ...]  # records with "tags": the interest each was drawn for ([] when unrelated)
    candidates: tuple[dict, ...]
    relevant: frozenset[str]
    day: date

    def interests_of(self, record: dict) -> set[str]:
        return {i for i in self.interests if has_interest(record, i)}


def has_interest(record: dict, interest: str) -> bool:
    if interest in CATEGORY_INTERESTS:
        cats = record.get("categories") or []
        # a category that is not the paper's only one: cs.LG counts as a cross-list only
        return interest in cats and (interest != "cs.LG" or len(cats) > 1)
    text = (record.get("title", "") + " " + record.get("abstract", "")).lower()
    return interest in text and re.search(r"\b" + re.escape(interest) + r"s?\b", text) is not None


def ranker_view(record: dict) -> dict:
    """What a ranker may see of a paper: no categories (they define category interests)."""
    return {k: v for k, v in record.items() if k not in ("categories", "tags")} | {"categories": []}


def by_day(records: list[dict]) -> dict[date, list[dict]]:
    out: dict[date, list[dict]] = {}
    for record in records:
        out.setdefault(date.fromisoformat(record["announced"]), []).append(record)
    return out


def build_users(records: list[dict], *, count: int, days: tuple[date, date], seed: int,
                interest_counts: tuple[int, ...] = (1, 2, 3)) -> list[SimUser]:
    """``count`` users, cycling through ``interest_counts`` interests; each mixes category and topic interests."""
    rng = random.Random(seed)
    days_map = by_day(records)
    all_interests = CATEGORY_INTERESTS + TOPIC_INTERESTS
    tagged = {r["id"]: frozenset(i for i in all_interests if has_interest(r, i)) for r in records}
    candidate_days = sorted(d for d in days_map if days[0] <= d <= days[1])
    users: list[SimUser] = []
    attempts = 0
    while len(users) < count and attempts < count * 100:
        attempts += 1
        n_interests = interest_counts[len(users) % len(interest_counts)]
        day = rng.choice(candidate_days)
        # at least one category interest and one topic interest once a user has two or more
        kinds = [CATEGORY_INTERESTS, TOPIC_INTERESTS] if n_interests >= 2 else [rng.choice(
            (CATEGORY_INTERESTS, TOPIC_INTERESTS))]
        while len(kinds) < n_interests:
            kinds.append(rng.choice((CATEGORY_INTERESTS, TOPIC_INTERESTS)))
        chosen: list[str] = []
        for kind in kinds:
            options = [i for i in kind if i not in chosen]
            chosen.append(rng.choice(options))
        chosen_t = tuple(sorted(chosen))
        earlier = [r for d, rs in sorted(days_map.items()) if d < day for r in rs]
        per_interest = round(LIBRARY_SIZE * (1 - UNRELATED_SHARE)) // n_interests
        library: dict[str, dict] = {}
        ok = True
        for interest in chosen_t:
            pool = [r for r in earlier if interest in tagged[r["id"]] and r["id"] not in library]
            if len(pool) < MIN_PER_INTEREST:
                ok = False
                break
            for r in rng.sample(pool, min(per_interest, len(pool))):
                library[r["id"]] = dict(r, tags=[interest])
        if not ok:
            continue
        unrelated = [r for r in earlier if not tagged[r["id"]] & set(chosen_t)]
        n_unrelated = round(len(library) * UNRELATED_SHARE / (1 - UNRELATED_SHARE))
        for r in rng.sample(unrelated, n_unrelated):
            library[r["id"]] = dict(r, tags=[])
        items = list(library.values())
        rng.shuffle(items)
        candidates = days_map[day]
        relevant = frozenset(r["id"] for r in candidates if tagged[r["id"]] & set(chosen_t))
        if len(relevant) < 3 or len(relevant) > len(candidates) // 2:
            continue
        users.append(SimUser(name=f"{'+'.join(chosen_t)}@{day}", interests=chosen_t, library=tuple(items),
                             candidates=tuple(candidates), relevant=relevant, day=day))
    return users
