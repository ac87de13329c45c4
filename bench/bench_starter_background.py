"""The bundled starter background: what it does when a ranker has little or no background of its own.
Run from the repository root:

    .venv/bin/python bench/bench_starter_background.py --tune --users 40 [--seed 5] [--backend tfidf]

The users of bench/bench_ranking.py (tuning users with --tune: candidate days 2025-04-21..06-27, seed 1
unless --seed; evaluation users without it), ranked by paperfeed (hybrid backend, or --backend tfidf)
with three backgrounds, each as it is and completed the way the rank stage completes a background of
fewer than 1,000 papers (``sync.rank_stage.with_starter_background``: the day's candidates, then the 882 bundled starter papers
announced 2025-04-01..04-16, before every candidate day):

- **nothing stored**: a new installation's first day (the store holds only the day itself). As it is,
  the contrast model has nothing to contrast with and the ranker falls back to similarity.
- **the candidates**: ``paperfeed rank`` file mode without ``--background``: the day's candidates are
  the background.
- **the store**: every paper announced before the day, as bench_ranking.py measures it (for tuning users
  of the earliest days fewer than 1,000 papers, so it is completed too; the starter papers are already
  there).

Reported: nDCG@10 per row, the paired bootstrap interval of "completed minus as it is", and each row
against arxiv-sanity-lite as deployed (its TF-IDF and negatives from every paper up to the day).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_ranking import (BACKGROUND_SIZE, _cached, anchor_asl, background_for,  # noqa: E402
                           library_items, load_encoder, ndcg_at, paired_bootstrap, user_key)
from dev_data import add_data_option  # noqa: E402
from users import EVALUATION_DAYS, TUNING_DAYS, build_users, by_day, load_records, ranker_view  # noqa: E402

from sync.rank_stage import with_starter_background  # noqa: E402
from sync.ranking import Profile, RankOptions, rank_papers  # noqa: E402
from sync.sample import paper_from_record  # noqa: E402


@dataclass(frozen=True)
class Setting:
    name: str
    background: object  # user, candidates (Papers), days -> tuple of Papers


SETTINGS = (
    Setting("nothing stored (a new installation's first day)", lambda u, cands, days: ()),
    Setting("the candidates (file mode without --background)", lambda u, cands, days: tuple(cands)),
    Setting("the store: every earlier paper (bench_ranking.py)", lambda u, cands, days: background_for(u, days)),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", action="store_true", help="tuning users instead of evaluation users")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seed", type=int, help="users' seed (default: 1 with --tune, 2 without)")
    parser.add_argument("--backend", default="hybrid", choices=("hybrid", "tfidf"),
                        help="tfidf: the backend of a plain install (no embeddings extra)")
    add_data_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records)
    days = by_day(records)
    window, seed = (TUNING_DAYS, 1) if args.tune else (EVALUATION_DAYS, 2)
    users = build_users(records, count=args.users, days=window, seed=args.seed or seed)
    print(f"{'tuning' if args.tune else 'evaluation'} users: {len(users)} (seed {args.seed or seed}), "
          f"{args.backend} backend\n", flush=True)
    asl = [ndcg_at(_cached("asl", user_key(u), lambda: anchor_asl(u, days)), u.relevant) for u in users]
    options = RankOptions(backend=args.backend, threshold=0.0, max_results=10_000)
    text_model = encoder if args.backend != "tfidf" else None
    rows = {}
    for setting in SETTINGS:
        before, after, sizes = [], [], []
        for user in users:
            now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
            candidates = [paper_from_record(ranker_view(r)) for r in user.candidates]
            own = setting.background(user, candidates, days)
            completed = with_starter_background(own, limit=BACKGROUND_SIZE, candidates=candidates)
            topped = completed.papers
            sizes.append((len(own), completed.candidates, completed.starters))
            for background, out in ((own, before), (topped, after)):
                result = rank_papers(candidates, Profile(library=library_items(user), background=background),
                                     now=now, options=options, encoder=text_model)
                out.append(ndcg_at([s.paper.arxiv_id for s in result.scored], user.relevant))
        rows[setting.name] = (before, after, sizes)
        print(f"{setting.name}: without {mean(before):.3f}, with {mean(after):.3f}", flush=True)
    print(f"\narxiv-sanity-lite as deployed: nDCG@10 {mean(asl):.3f}\n")
    print("| background | papers (own + candidates + starter) | nDCG@10 without / with | with minus without "
          "[95%] | with minus arxiv-sanity-lite [95%] | ratio |\n|---|---|---|---|---|---|")
    for name, (before, after, sizes) in rows.items():
        low, mid, high = paired_bootstrap(after, before)
        a_low, a_mid, a_high = paired_bootstrap(after, asl)
        own, day, added = (mean(s[k] for s in sizes) for k in range(3))
        print(f"| {name} | {own:.0f} + {day:.0f} + {added:.0f} | {mean(before):.3f} / {mean(after):.3f} | {mid:+.3f} "
              f"[{low:+.3f}, {high:+.3f}] | {a_mid:+.3f} [{a_low:+.3f}, {a_high:+.3f}] | "
              f"{mean(after) / mean(asl):.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
