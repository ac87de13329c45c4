"""Feedback benchmark: does the ranking learn from every click? Run from the repository root:

    .venv/bin/python bench/bench_feedback.py [--users 36] [--first-day 2025-04-21] [--dump FILE] [--model M]

Simulated users (bench/users.py, one to three interests, ~150-paper libraries with 10% unrelated
papers, library drawn from papers announced before the first day) follow 10 consecutive
announcement days of the dev data set (2025-07-02 .. 2025-09-01; all papers of each day are the
candidates). Each day the user sees the top 10, saves every relevant paper among them and
dismisses the two highest-ranked irrelevant ones. Reported per day: nDCG@10 of paperfeed (library
+ all saves and dismissals so far, background = papers announced before that day) and of
arxiv-sanity-lite given the same saves as new positives (it has no "dismiss"; its database holds
every paper up to that day). "Gain from feedback": on each day from the second, the same day ranked
again without any of the user's clicks (paperfeed: library only; arxiv-sanity-lite: library only), so
that the day's own difficulty cancels out; the per-(user, day) difference of the two rankers' gains is
the measure of which one learns more from the same clicks. The clicks come from paperfeed's top 10, so
they tell arxiv-sanity-lite about papers it may have ranked low, and paperfeed about papers it already
ranked high; the column "own saves" gives arxiv-sanity-lite the saves its own user would make (every
relevant paper of its own top 10), and its gain from them. "Dismissal check": the same day re-ranked
right after the two dismissals must not score a lower nDCG@10 (the dismissed papers are irrelevant,
so they should only go down); the number of (user, day) pairs where it did is printed. "Dismissals on
the days after": each day from the second, the day's ranking with the saves and dismissals so far
against the same saves without the dismissals (new papers, which the dismissals were not about). "The
saves alone": the day ranked with the saves so far and no dismissal, against no clicks at all, beside
arxiv-sanity-lite's gain from the same saves (it has no dismissals): which of the two learns more from a
save. "Where both rankers had room to learn": the gains from feedback on the (user, day) pairs where
neither ranker scored 1.0 without the clicks (a ranker already perfect that day cannot gain). ``--dump
FILE`` writes each (user, day)'s numbers from the second day on as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_ranking import (add_model_option, anchor_asl, load_encoder, ndcg_at, ours_scored,  # noqa: E402
                           paired_bootstrap)
from dev_data import add_data_option  # noqa: E402
from users import build_users, by_day, has_interest, load_records  # noqa: E402

DAYS = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=36)  # the measurement of record (12 until 2026-12-02)
    parser.add_argument("--first-day", default="2025-07-02")
    parser.add_argument("--dump", type=Path, help="also write each (user, day)'s numbers from the second day on "
                        "to this file (JSON lines)")
    add_data_option(parser)
    add_model_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records, args.model)
    days_map = by_day(records)
    all_days = sorted(days_map)
    start = next(i for i, d in enumerate(all_days) if str(d) >= args.first_day)
    window = all_days[start:start + DAYS]
    users = build_users(records, count=args.users, days=(window[0], window[0]), seed=3)
    print(f"embedding model: {encoder.name}")
    print(f"{len(users)} users, days {window[0]} .. {window[-1]} ({len(window)} announcement days)\n")
    # by position: two users with the same interests share a name (interests@day) but not their clicks
    state = [{"saved": [], "dismissed": []} for _ in users]
    ours_curve = [[] for _ in window]
    asl_curve = [[] for _ in window]
    ours_gain = [[] for _ in window]  # nDCG@10 with the clicks so far minus without them, same day
    asl_gain = [[] for _ in window]
    asl_own_curve = [[] for _ in window]  # arxiv-sanity-lite learning from its own user's saves
    asl_own_gain = [[] for _ in window]
    asl_own_saved = [[] for _ in users]
    worse_after_dismiss = checks = 0
    dismissal_effect = []  # per (user, day) from the second: nDCG@10 with minus without the dismissals so far
    saves_effect = []  # per (user, day) with saves so far: (paperfeed with the saves alone minus no clicks, asl's gain)
    drops = []
    room = []  # per (user, day) with clicks where both rankers had room to learn: (paperfeed's gain, asl's)
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None

    def ours(u, **clicks) -> list[str]:
        """paperfeed's ranking of the user's day (hybrid backend), given ``saved=`` / ``dismissed=`` so far."""
        return [s.paper.arxiv_id for s in ours_scored(u, "hybrid", encoder, days_map, **clicks)]

    for n, day in enumerate(window):
        for index, user in enumerate(users):
            candidates = tuple(days_map[day])
            relevant = frozenset(r["id"] for r in candidates if any(has_interest(r, i) for i in user.interests))
            if not relevant:
                continue
            u = replace(user, day=day, candidates=candidates, relevant=relevant)
            st = state[index]
            ranked = ours(u, saved=st["saved"], dismissed=st["dismissed"])
            score = ndcg_at(ranked, relevant)
            ours_curve[n].append(score)
            asl_ranked = anchor_asl(u, days_map, extra_positives=st["saved"], day=day)
            asl_curve[n].append(ndcg_at(asl_ranked, relevant))
            own_ranked = anchor_asl(u, days_map, extra_positives=asl_own_saved[index], day=day)
            asl_own_curve[n].append(ndcg_at(own_ranked, relevant))
            saves_alone = score
            if st["dismissed"]:  # the dismissals of the days before, on a day of new papers
                saves_alone = ndcg_at(ours(u, saved=st["saved"]), relevant)
                dismissal_effect.append(score - saves_alone)
            if st["saved"] or st["dismissed"]:
                no_clicks = ndcg_at(ours(u), relevant)
                ours_gain[n].append(score - no_clicks)
                asl_alone = ndcg_at(anchor_asl(u, days_map, day=day), relevant)
                asl_gain[n].append(asl_curve[n][-1] - asl_alone)
                asl_own_gain[n].append(asl_own_curve[n][-1] - asl_alone)
                if st["saved"]:
                    saves_effect.append((saves_alone - no_clicks, asl_gain[n][-1]))
                if no_clicks < 1.0 - 1e-9 and asl_alone < 1.0 - 1e-9:
                    room.append((ours_gain[n][-1], asl_gain[n][-1]))
                if dump:
                    dump.write(json.dumps({
                        "user": index, "interests": list(user.interests), "library": len(user.library), "day": n + 1,
                        "paperfeed": score, "paperfeed_no_clicks": no_clicks, "paperfeed_saves_alone": saves_alone,
                        "asl": asl_curve[n][-1], "asl_no_clicks": asl_alone, "saved": len(st["saved"]),
                        "dismissed": len(st["dismissed"]), "relevant": len(relevant)}) + "\n")
            by_id = {r["id"]: r for r in candidates}
            asl_own_saved[index] += [by_id[i] for i in own_ranked[:10] if i in relevant]
            st["saved"] += [by_id[i] for i in ranked[:10] if i in relevant]
            dismiss = [by_id[i] for i in ranked[:10] if i not in relevant][:2]
            if dismiss:
                st["dismissed"] += dismiss
                again = ours(u, saved=st["saved"], dismissed=st["dismissed"])
                # the check isolates the dismissals: the saves of today also move things, so compare with
                # the ranking after today's saves alone
                saves_only = ours(u, saved=st["saved"], dismissed=st["dismissed"][:-len(dismiss)])
                checks += 1
                before, after = ndcg_at(saves_only, relevant), ndcg_at(again, relevant)
                if after < before - 1e-9:
                    worse_after_dismiss += 1
                    drops.append(before - after)
        print(f"day {n + 1} {day}: paperfeed {mean(ours_curve[n]):.3f}, arxiv-sanity-lite {mean(asl_curve[n]):.3f}"
              f" ({len(ours_curve[n])} users)", flush=True)
    if dump:
        dump.close()
    print("\n| day | date | paperfeed nDCG@10 | arxiv-sanity-lite nDCG@10 (same saves) | arxiv-sanity-lite (own saves) "
          "| gain from feedback: paperfeed | arxiv-sanity-lite (same saves) | arxiv-sanity-lite (own saves) |\n"
          "|---|---|---|---|---|---|---|---|")
    for n, day in enumerate(window):
        gains = (f"{mean(ours_gain[n]):+.3f} | {mean(asl_gain[n]):+.3f} | {mean(asl_own_gain[n]):+.3f}"
                 if ours_gain[n] else "- | - | -")
        print(f"| {n + 1} | {day} | {mean(ours_curve[n]):.3f} | {mean(asl_curve[n]):.3f} | {mean(asl_own_curve[n]):.3f}"
              f" | {gains} |")
    first, last = 0, len(window) - 1
    gain_ours = mean(ours_curve[last]) - mean(ours_curve[first])
    gain_asl = mean(asl_curve[last]) - mean(asl_curve[first])
    flat_ours = [s for day in ours_curve[1:] for s in day]
    flat_asl = [s for day in asl_curve[1:] for s in day]
    print(f"\nday 1 -> day {len(window)}: paperfeed {gain_ours:+.3f}, arxiv-sanity-lite {gain_asl:+.3f}")
    print(f"days 2-{len(window)} (after feedback), paperfeed minus arxiv-sanity-lite per (user, day): "
          f"{difference(flat_ours, flat_asl)}")
    flat_gain_ours = [g for day in ours_gain for g in day]
    flat_gain_asl = [g for day in asl_gain for g in day]
    print(f"gain from feedback over days 2-{len(window)} (same day with minus without the clicks so far): "
          f"paperfeed {mean(flat_gain_ours):+.3f}, arxiv-sanity-lite {mean(flat_gain_asl):+.3f}; "
          f"difference {difference(flat_gain_ours, flat_gain_asl)} over {len(flat_gain_ours)} (user, day) pairs")
    flat_gain_own = [g for day in asl_own_gain for g in day]
    print(f"arxiv-sanity-lite learning from its own user's saves instead: gain {mean(flat_gain_own):+.3f}; paperfeed "
          f"minus it {difference(flat_gain_ours, flat_gain_own)}")
    if saves_effect:
        ours_saves, asl_saves = zip(*saves_effect)
        print(f"the saves alone (same day with the saves so far, without any dismissal, minus no clicks): paperfeed "
              f"{mean(ours_saves):+.3f}, arxiv-sanity-lite {mean(asl_saves):+.3f} (same saves); difference "
              f"{difference(ours_saves, asl_saves)} over {len(ours_saves)} (user, day) pairs")
    if room:
        ours_room, asl_room = zip(*room)
        print(f"where both rankers had room to learn (each below 1.0 without the clicks): gain paperfeed "
              f"{mean(ours_room):+.3f}, arxiv-sanity-lite {mean(asl_room):+.3f}; difference "
              f"{difference(ours_room, asl_room)} over {len(room)} (user, day) pairs")
    print(f"dismissal check: nDCG@10 of the same day lower after dismissing two irrelevant papers in "
          f"{worse_after_dismiss} of {checks} (user, day) pairs"
          + (f" (largest drop {max(drops):.3f})" if drops else ""))
    worse = [e for e in dismissal_effect if e < -1e-9]
    if dismissal_effect:
        print(f"dismissals on the days after: nDCG@10 with minus without the dismissals so far (same saves) "
              f"{mean(dismissal_effect):+.3f} over {len(dismissal_effect)} (user, day) pairs; lower in {len(worse)}, "
              f"higher in {sum(e > 1e-9 for e in dismissal_effect)}"
              + (f" (largest drop {-min(worse):.3f})" if worse else ""))
    return 0


def difference(ours, theirs) -> str:
    """The mean per-(user, day) difference and its 95% paired bootstrap interval, as the report prints it."""
    low, mid, high = paired_bootstrap(ours, theirs)
    return f"{mid:+.3f} [95% paired bootstrap {low:+.3f}, {high:+.3f}]"


if __name__ == "__main__":
    sys.exit(main())
