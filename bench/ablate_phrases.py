"""Ablation of the phrases that mark the library, on TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_phrases.py --users 40 [--seed 1]

Ranks each tuning user once with the phrase evidence off (``RankOptions(phrase_weight=0)``), then adds
the phrase evidence for a grid of settings (the share of the library a phrase must be in, its lift over
the background, its weight) by the same noisy-OR the ranker uses, ``1 - (1 - score)(1 - weight x share)``.
The row "as shipped" is the ranker itself with its defaults, ranked again, so that the composition above
is checked against the real thing. ``--seed`` picks another set of tuning users (same tuning days).
Since this grid was made (2026-12-01 morning, docs/benchmarks.md) the ranker changed its constants and
weighs a phrase by its specificity (bench/ablate_evidence.py): the grid keeps its own rule (a phrase
counts fully from the grid's lift), so "as shipped" no longer equals one of its rows.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ranking import (METRICS, TUNING_DAYS, _cached, anchor_asl, background_for, build_users, by_day,  # noqa: E402
                           library_items, load_encoder, load_records, metrics, ours_scored, paired_bootstrap,
                           user_key)

from dev_data import add_data_option  # noqa: E402
from sync.ranking.phrases import MIN_LIBRARY_SHARE, MIN_LIFT, PHRASE_WEIGHT, library_phrases  # noqa: E402
from sync.ranking.profile import Profile, positive_documents  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402
from users import CATEGORY_INTERESTS, ranker_view  # noqa: E402

SHARES = (0.1, 0.2, 0.3)
LIFTS = (3.0, 5.0, 10.0, 20.0)
WEIGHTS = (0.1, 0.2, 0.3, 0.4)


def kind(user) -> str:
    """"category", "topic" or "both": what defines the user's interests."""
    kinds = {"category" if i in CATEGORY_INTERESTS else "topic" for i in user.interests}
    return "both" if len(kinds) == 2 else kinds.pop()


def phrase_shares(user, days, share: float, lift: float) -> dict[str, float]:
    """Per candidate id, the share of the library marked by the phrase the ranker would name (0: none)."""
    now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
    library = [d.text for d in positive_documents(Profile(library=library_items(user)), now)]
    background = [document_text(p.title, p.abstract) for p in background_for(user, days)]
    candidates = [ranker_view(r) for r in user.candidates]
    # the rule of this grid: a phrase counts fully from ``lift`` (the ranker now ramps up to FULL_LIFT,
    # bench/ablate_evidence.py)
    found = library_phrases(library, background, min_share=share, min_lift=lift, full_lift=lift).best(
        [document_text(r["title"], r["abstract"]) for r in candidates])
    return {r["id"]: (p.share if p else 0.0) for r, p in zip(candidates, found)}


def table_row(name: str, rankings: list[list[str]], relevant: list[frozenset[str]], kinds: list[str],
              asl_ndcg: list[float]) -> str:
    """One row of an ablation table: the metrics, nDCG@10 by kind of user, the interval against asl."""
    rows = [metrics(r, rel) for r, rel in zip(rankings, relevant)]
    nd = [r["ndcg@10"] for r in rows]
    per = "/".join(f"{mean(x for x, k in zip(nd, kinds) if k == kk):.3f}" if kk in kinds else "-"
                   for kk in ("category", "both", "topic"))
    low, mid, high = paired_bootstrap(nd, asl_ndcg)
    return (f"| {name} | " + " | ".join(f"{mean(r[m] for r in rows):.3f}" for m in METRICS)
            + f" | {per} | {mid:+.3f} [{low:+.3f}, {high:+.3f}] |")


def tuning_parser(doc: str) -> argparse.ArgumentParser:
    """The command line of the ablation scripts: how many tuning users, which set, where the data is."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1, help="which tuning users (1: those of bench_ranking --tune)")
    add_data_option(parser)
    return parser


def print_heading(kinds: list[str], seed: int) -> None:
    """Who the tuning users are, then the head of the table :func:`table_row` fills."""
    print(f"tuning users: {len(kinds)} (seed {seed}, candidate days {TUNING_DAYS[0]}..{TUNING_DAYS[1]}; "
          + ", ".join(f"{kinds.count(k)} {k}" for k in ("category", "both", "topic")) + " interests)\n")
    print("| variant | nDCG@10 | P@10 | MAP | nDCG@10 category/both/topic | nDCG@10 vs asl [95% CI] |")
    print("|---|---|---|---|---|---|")


def ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda i: (-scores[i], i))


def main(argv: list[str] | None = None) -> int:
    args = tuning_parser(__doc__).parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records)
    days = by_day(records)
    users = build_users(records, count=args.users, days=TUNING_DAYS, seed=args.seed)
    base, shipped, asl = [], [], []
    for user in users:
        base.append({s.paper.arxiv_id: s.raw_score for s in ours_scored(user, "hybrid", encoder, days,
                                                                        phrase_weight=0.0)})
        shipped.append([s.paper.arxiv_id for s in ours_scored(user, "hybrid", encoder, days)])
        asl.append(_cached("asl", user_key(user), lambda: anchor_asl(user, days)))
    kinds = [kind(u) for u in users]
    asl_ndcg = [metrics(r, u.relevant)["ndcg@10"] for r, u in zip(asl, users)]
    print_heading(kinds, args.seed)

    def row(name: str, rankings: list[list[str]]) -> None:
        print(table_row(name, rankings, [u.relevant for u in users], kinds, asl_ndcg), flush=True)

    row("arxiv-sanity-lite (anchor)", asl)
    row("without phrases (phrase_weight 0)", [ranked(b) for b in base])
    row(f"as shipped (share {MIN_LIBRARY_SHARE}, lift {MIN_LIFT:g}, weight {PHRASE_WEIGHT})", shipped)
    for share in SHARES:
        for lift in LIFTS:
            found = [phrase_shares(u, days, share, lift) for u in users]
            for weight in WEIGHTS:
                rankings = [ranked({i: 1 - (1 - s) * (1 - weight * f[i]) for i, s in b.items()})
                            for b, f in zip(base, found)]
                row(f"share {share}, lift {lift:g}, weight {weight}", rankings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
