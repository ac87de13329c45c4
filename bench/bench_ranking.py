"""Ranking benchmark: quality against the anchor rankers, and speed. Run from the repository root:

    .venv/bin/python bench/bench_ranking.py            # evaluation users + speed (a few minutes)
    .venv/bin/python bench/bench_ranking.py --tune     # tuning users only (to choose constants)
    .venv/bin/python bench/bench_ranking.py --no-speed # quality only

Quality: simulated users (bench/users.py), nDCG@10, P@10 and MAP over all of a day's candidates,
for our three backends and the two anchors, in one run on the same users and the same
embeddings. Speed: 2,000 candidates against a 5,000-item library through the real store cache
(sync/rank_stage.py), cold (empty cache) and warm (library embeddings cached), peak memory
(tracemalloc for Python allocations, ru_maxrss for the process).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import mean
from typing import Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from anchors import arxiv_sanity_lite, zotero_arxiv_daily  # noqa: E402
from dev_data import add_data_option  # noqa: E402
from users import EVALUATION_DAYS, TUNING_DAYS, SimUser, build_users, load_records  # noqa: E402

from sync.models import LibraryItem  # noqa: E402
from sync.ranking import Profile, RankOptions, SentenceEncoder, rank_papers  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402
from sync.sample import paper_from_record  # noqa: E402
from sync.settings import SETTINGS  # noqa: E402

CACHE_DIR = Path(os.environ.get("PAPERFEED_BENCH_CACHE", Path.home() / ".cache" / "paperfeed-bench"))


# metrics ---------------------------------------------------------------------------------
def ndcg_at(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, pid in enumerate(ranked[:k]) if pid in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def precision_at(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    return sum(1 for pid in ranked[:k] if pid in relevant) / k


def average_precision(ranked: Sequence[str], relevant: frozenset[str]) -> float:
    hits, total = 0, 0.0
    for i, pid in enumerate(ranked):
        if pid in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / len(relevant) if relevant else 0.0


# embeddings, computed once for the whole data set and kept on disk ---------------------------
class TableEncoder:
    """Looks texts up in precomputed embeddings; anything unknown goes to the model."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, table: dict[str, np.ndarray], model: SentenceEncoder):
        self.table, self.model = table, model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.table]
        if missing:
            for text, vector in zip(missing, self.model.encode(missing)):
                self.table[text] = vector
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.table[t] for t in texts])


def embedding_table(records: list[dict], model: SentenceEncoder) -> dict[str, np.ndarray]:
    texts = sorted({document_text(r["title"], r["abstract"]) for r in records}
                   | {r["abstract"] for r in records})
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE_DIR / f"minilm-{digest}.npz"
    if path.is_file():
        data = np.load(path)
        return dict(zip(texts, data["vectors"]))
    print(f"embedding {len(texts)} texts once (cached in {path}) ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    vectors = model.encode(texts)
    print(f"  {len(texts) / (time.perf_counter() - start):.0f} texts/s", file=sys.stderr)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(path, vectors=vectors)
    return dict(zip(texts, vectors))


# rankers ----------------------------------------------------------------------------------
def _with_dates(user: SimUser) -> list[dict]:
    return [dict(r, date_added=datetime.fromisoformat(r["announced"]).replace(tzinfo=timezone.utc)
                 + timedelta(minutes=n)) for n, r in enumerate(user.library)]


# what rank_day uses: the setting's default
BACKGROUND_SIZE = next(s.default for s in SETTINGS if s.name == "ranking.background_size")


def background_for(user: SimUser, records_by_day: dict[date, list[dict]]) -> tuple:
    """What the store would hold: the most recent papers announced before the candidate day, minus the library."""
    library_ids = {r["id"] for r in user.library}
    earlier = [r for d in sorted(records_by_day, reverse=True) if d < user.day for r in records_by_day[d]
               if r["id"] not in library_ids]
    return tuple(paper_from_record(r) for r in earlier[:BACKGROUND_SIZE])


def ours(user: SimUser, backend: str, encoder: TableEncoder, records_by_day: dict[date, list[dict]]) -> list[str]:
    library = tuple(LibraryItem(key=f"K{n:07d}", title=r["title"], abstract=r["abstract"], date_added=r["date_added"],
                                creators=tuple(r.get("authors") or ()), arxiv_id=None)
                    for n, r in enumerate(_with_dates(user)))
    now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
    result = rank_papers([paper_from_record(r) for r in user.candidates], Profile(library=library, background=background_for(user, records_by_day)), now=now,
                         options=RankOptions(backend=backend, threshold=0.0, max_results=10_000),
                         encoder=encoder if backend != "tfidf" else None)
    return [s.paper.arxiv_id for s in result.scored]


def anchor_zad(user: SimUser, encoder: TableEncoder) -> list[str]:
    scores = zotero_arxiv_daily(_with_dates(user), user.candidates,
                                lambda rs: encoder.encode([r["abstract"] for r in rs]))
    return _order(user.candidates, scores)


def anchor_asl(user: SimUser, records_by_day: dict[date, list[dict]]) -> list[str]:
    database = [r for d, rs in records_by_day.items() if d <= user.day for r in rs]
    scores = arxiv_sanity_lite(user.library, user.candidates, database)
    return _order(user.candidates, scores)


def _order(candidates: Sequence[dict], scores: np.ndarray) -> list[str]:
    return [candidates[i]["id"] for i in sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i]["id"]))]


def evaluate(users: list[SimUser], encoder: TableEncoder, records: list[dict]) -> dict[str, dict[str, float]]:
    by_day: dict[date, list[dict]] = {}
    for r in records:
        by_day.setdefault(date.fromisoformat(r["announced"]), []).append(r)
    methods = {
        "paperfeed hybrid": lambda u: ours(u, "hybrid", encoder, by_day),
        "paperfeed embeddings": lambda u: ours(u, "embeddings", encoder, by_day),
        "paperfeed tfidf": lambda u: ours(u, "tfidf", encoder, by_day),
        "anchor zotero-arxiv-daily": lambda u: anchor_zad(u, encoder),
        "anchor arxiv-sanity-lite": lambda u: anchor_asl(u, by_day),
    }
    table = {}
    for name, method in methods.items():
        scores = {"ndcg@10": [], "p@10": [], "map": []}
        start = time.perf_counter()
        for user in users:
            ranked = method(user)
            scores["ndcg@10"].append(ndcg_at(ranked, user.relevant))
            scores["p@10"].append(precision_at(ranked, user.relevant))
            scores["map"].append(average_precision(ranked, user.relevant))
        table[name] = {k: mean(v) for k, v in scores.items()}
        table[name]["seconds/user"] = (time.perf_counter() - start) / len(users)
        table[name]["wins"] = scores["ndcg@10"]
    return table


def paired_bootstrap(ours: Sequence[float], theirs: Sequence[float], rounds: int = 10_000,
                     seed: int = 0) -> tuple[float, float, float]:
    """2.5th percentile, mean and 97.5th percentile of the mean per-user difference (resampling users)."""
    diff = np.asarray(ours) - np.asarray(theirs)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(rounds, len(diff)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(diff.mean()), float(np.percentile(means, 97.5))


# speed ------------------------------------------------------------------------------------
def _forget_memos() -> None:
    from sync.ranking import backends, profile, text

    backends._count_cache.clear()
    text.plain_text.cache_clear()
    profile.author_key.cache_clear()


def speed(records: list[dict]) -> list[tuple[str, float, str]]:
    """2,000 candidates vs a 5,000-item library through rank_day and the store's embedding cache."""
    import tracemalloc

    from sync.rank_stage import rank_day
    from sync.settings import Config
    from sync.store import Store
    from sync.models import AnnouncementEntry, AnnounceType

    records = sorted(records, key=lambda r: r["id"])
    library_records, candidate_records = records[:5000], records[5000:] + records[:max(0, 7000 - len(records))]
    candidate_records = candidate_records[:2000]
    library = [LibraryItem(key=f"L{n:07d}", title=r["title"], abstract=r["abstract"],
                           date_added=datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(hours=n),
                           creators=tuple(r.get("authors") or ()))
               for n, r in enumerate(library_records)]
    day = date(2025, 10, 1)
    now = datetime(2025, 10, 1, 12, tzinfo=timezone.utc)
    out = []
    for backend in ("tfidf", "embeddings", "hybrid"):
        with tempfile.TemporaryDirectory() as tmp:
            config = Config({"storage.data_dir": tmp, "ranking.backend": backend, "ranking.threshold": 0.0})
            store = Store(config.store_path)
            entries = [AnnouncementEntry(paper_from_record(dict(r, announced=None)), AnnounceType.NEW)
                       for r in candidate_records]
            store.upsert_entries(entries, announce_date=day, source="feed")
            _forget_memos()  # cold means cold: nothing tokenised or embedded before, in this process either
            for label in ("cold", "warm", "memory"):
                store.clear_ranking(day)
                if label == "memory":  # tracemalloc slows Python code down: peak memory on a separate warm run
                    tracemalloc.start()
                start = time.perf_counter()
                summary = rank_day(store, config, day, now=now, library=library)
                elapsed = time.perf_counter() - start
                if label == "memory":
                    peak = tracemalloc.get_traced_memory()[1] / 2**20
                    tracemalloc.stop()
                    out.append((f"{backend} python peak memory (warm)", peak, "MiB"))
                    continue
                note = f"{summary.ranked} ranked"
                if backend != "tfidf" and summary.embedded:
                    note += f", embedded {summary.embedded} texts"
                out.append((f"{backend} {label}", elapsed, note))
            store.close()
    out.append(("process peak RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", action="store_true", help="report on the tuning users instead")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--no-speed", action="store_true")
    add_data_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    model = SentenceEncoder.load()
    encoder = TableEncoder(embedding_table(records, model), model)
    days, seed = (TUNING_DAYS, 1) if args.tune else (EVALUATION_DAYS, 2)
    users = build_users(records, count=args.users, days=days, seed=seed)
    print(f"{'tuning' if args.tune else 'evaluation'} users: {len(users)} "
          f"(candidate days {days[0]}..{days[1]}, {mean(len(u.candidates) for u in users):.0f} candidates, "
          f"{mean(len(u.library) for u in users):.0f} library items, {mean(len(u.relevant) for u in users):.0f}"
          " relevant on average)\n")
    table = evaluate(users, encoder, records)
    best_anchor = max(v["ndcg@10"] for k, v in table.items() if k.startswith("anchor"))
    print("| ranker | nDCG@10 | P@10 | MAP | s/user | users won vs best anchor |")
    print("|---|---|---|---|---|---|")
    anchors = [v["wins"] for k, v in table.items() if k.startswith("anchor")]
    for name, row in table.items():
        wins = sum(1 for i, s in enumerate(row["wins"]) if s > max(a[i] for a in anchors))  # noqa: F841
        ties = sum(1 for i, s in enumerate(row["wins"]) if s == max(a[i] for a in anchors))
        print(f"| {name} | {row['ndcg@10']:.3f} | {row['p@10']:.3f} | {row['map']:.3f} | {row['seconds/user']:.2f}"
              f" | {'-' if name.startswith('anchor') else f'{wins} (+{ties} ties)'} |")
    print(f"\nbest anchor nDCG@10 {best_anchor:.3f}")
    for anchor in (k for k in table if k.startswith("anchor")):
        low, mid, high = paired_bootstrap(table["paperfeed hybrid"]["wins"], table[anchor]["wins"])
        print(f"paperfeed hybrid - {anchor}, nDCG@10 per user: mean {mid:+.3f}, 95% paired bootstrap CI"
              f" [{low:+.3f}, {high:+.3f}]")
    if not args.no_speed:
        print("\n| speed: 2,000 candidates x 5,000 library | value | notes |\n|---|---|---|")
        for label, value, note in speed(records):
            unit = " MiB" if note == "MiB" else " s"
            print(f"| {label} | {value:.2f}{unit} | {'' if note == 'MiB' else note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
