"""Ranking benchmark: quality against the anchor rankers (and speed). Run from the repository root:

    .venv/bin/python bench/bench_ranking.py --tune --users 30   # tuning users only (to choose constants)
    .venv/bin/python bench/bench_ranking.py --users 60          # evaluation users (once, at the end)
    .venv/bin/python bench/bench_ranking.py --speed             # also 2,000 x 5,000 speed through the store
    .venv/bin/python bench/bench_ranking.py --tune --model DIR  # with another embedding model (ranking.model)

Quality: simulated users (bench/users.py: one, two or three interests defined by categories and
topic phrases, ~150-paper libraries with 10% unrelated papers, what defines relevance hidden from
every ranker), candidates = every paper of one later announcement day. nDCG@10, P@10 and MAP for
paperfeed and both anchors on the same users and the same embeddings, with a paired bootstrap 95%
interval of the per-user difference to each anchor, and how often the suggested tag of a relevant
top-10 paper names one of its interests. Embeddings of the data set are computed once and kept in
bench/.cache/ (git-ignored), so are the anchors' scores per user.
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
from users import EVALUATION_DAYS, TUNING_DAYS, SimUser, build_users, by_day, load_records, ranker_view  # noqa: E402

from sync.models import LibraryItem  # noqa: E402
from sync.errors import ConfigError  # noqa: E402
from sync.ranking import MODEL_NAME, Profile, RankOptions, SentenceEncoder, rank_papers  # noqa: E402
from sync.ranking.backends import model_cache_name  # noqa: E402
from sync.ranking.phrases import PHRASE_WEIGHT  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402
from sync.sample import paper_from_record  # noqa: E402
from sync.settings import SETTINGS  # noqa: E402

CACHE_DIR = Path(os.environ.get("PAPERFEED_BENCH_CACHE", Path(__file__).resolve().parent / ".cache"))  # git-ignored


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
    """Looks texts up in precomputed embeddings; anything unknown goes to the model. ``name`` is the
    model's cache name, as the ranker and the store's embedding cache know it."""

    def __init__(self, table: dict[str, np.ndarray], model, name: str | None = None):
        self.table, self.model = table, model
        self.name = name or getattr(model, "name", MODEL_NAME)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.table]
        if missing:
            for text, vector in zip(missing, self.model.encode(missing)):
                self.table[text] = vector
        if not texts:
            dim = len(next(iter(self.table.values()))) if self.table else 384
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self.table[t] for t in texts])


def embedding_table(records: list[dict], model) -> dict[str, np.ndarray]:
    """Every text of the data set embedded by ``model`` (anything with ``name`` and ``encode``), kept in
    bench/.cache/ under the data set's digest and, for a model other than the bundled one, the model's name."""
    texts = sorted({document_text(r["title"], r["abstract"]) for r in records}
                   | {r["abstract"] for r in records})
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    prefix = "minilm" if model.name == MODEL_NAME else "model-" + hashlib.sha256(model.name.encode()).hexdigest()[:8]
    path = CACHE_DIR / f"{prefix}-{digest}.npz"
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


def background_for(user: SimUser, records_by_day: dict[date, list[dict]], exclude: set[str] = frozenset()) -> tuple:
    """What the store would hold: the most recent papers announced before the candidate day, minus the library."""
    library_ids = {r["id"] for r in user.library} | set(exclude)
    earlier = [r for d in sorted(records_by_day, reverse=True) if d < user.day for r in records_by_day[d]
               if r["id"] not in library_ids]
    return tuple(paper_from_record(ranker_view(r)) for r in earlier[:BACKGROUND_SIZE])


def library_items(user: SimUser) -> tuple[LibraryItem, ...]:
    return tuple(LibraryItem(key=f"K{n:07d}", title=r["title"], abstract=r["abstract"], date_added=r["date_added"],
                             creators=tuple(r.get("authors") or ()), tags=tuple(r.get("tags") or ()), arxiv_id=None)
                 for n, r in enumerate(_with_dates(user)))


def ours_scored(user: SimUser, backend: str, encoder: TableEncoder, records_by_day: dict[date, list[dict]], *,
                saved: Sequence[dict] = (), dismissed: Sequence[dict] = (), candidates: Sequence[dict] | None = None,
                phrase_weight: float = PHRASE_WEIGHT):
    """paperfeed's ranking of the user's candidate day: every candidate, best first (ScoredPaper)."""
    now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
    feedback_ids = {r["id"] for r in saved} | {r["id"] for r in dismissed}
    profile = Profile(library=library_items(user), background=background_for(user, records_by_day, feedback_ids),
                      saved=tuple(paper_from_record(ranker_view(r)) for r in saved),
                      dismissed=tuple(paper_from_record(ranker_view(r)) for r in dismissed))
    result = rank_papers([paper_from_record(ranker_view(r)) for r in (candidates or user.candidates)], profile,
                         now=now, options=RankOptions(backend=backend, threshold=0.0, max_results=10_000,
                                                      phrase_weight=phrase_weight),
                         encoder=encoder if backend != "tfidf" else None)
    return result.scored


def ours(user: SimUser, backend: str, encoder: TableEncoder, records_by_day: dict[date, list[dict]]) -> list[str]:
    return [s.paper.arxiv_id for s in ours_scored(user, backend, encoder, records_by_day)]


def anchor_zad(user: SimUser, encoder: TableEncoder) -> list[str]:
    scores = zotero_arxiv_daily(_with_dates(user), user.candidates,
                                lambda rs: encoder.encode([r["abstract"] for r in rs]))
    return _order(user.candidates, scores)


def anchor_asl(user: SimUser, records_by_day: dict[date, list[dict]], extra_positives: Sequence[dict] = (),
               day: date | None = None, candidates: Sequence[dict] | None = None) -> list[str]:
    day = day or user.day
    database = [r for d, rs in sorted(records_by_day.items()) if d <= day for r in rs]
    scores = arxiv_sanity_lite(list(user.library) + list(extra_positives), candidates or user.candidates, database)
    return _order(candidates or user.candidates, scores)


def _order(candidates: Sequence[dict], scores: np.ndarray) -> list[str]:
    return [candidates[i]["id"] for i in sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i]["id"]))]


def _cached(name: str, key: str, compute):
    """Anchor rankings are deterministic: kept in bench/.cache/ keyed by the user's content."""
    import json

    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    path = CACHE_DIR / f"{name}-{digest}.json"
    if path.is_file():
        return json.loads(path.read_text())
    value = compute()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))
    return value


def user_key(user: SimUser) -> str:
    return f"{user.day}|{','.join(sorted(r['id'] for r in user.library))}|{len(user.candidates)}"


METRICS = ("ndcg@10", "p@10", "map")


def metrics(ranked: Sequence[str], relevant: frozenset[str]) -> dict[str, float]:
    return {"ndcg@10": ndcg_at(ranked, relevant), "p@10": precision_at(ranked, relevant),
            "map": average_precision(ranked, relevant)}


def tag_hits(user: SimUser, scored) -> tuple[int, int]:
    """(right, asked): relevant papers in the top 10 whose first suggested tag is one of the paper's interests."""
    right = asked = 0
    for s in scored[:10]:
        if s.paper.arxiv_id in user.relevant:
            record = next(r for r in user.candidates if r["id"] == s.paper.arxiv_id)
            asked += 1
            right += bool(s.tags) and s.tags[0] in user.interests_of(record)
    return right, asked


def evaluate(users: list[SimUser], encoder: TableEncoder, records: list[dict],
             backends: Sequence[str] = ("hybrid",)) -> dict[str, dict]:
    """Per ranker: per-user metric lists, seconds per user; for paperfeed also the suggested-tag hits."""
    days = by_day(records)
    table: dict[str, dict] = {}
    for backend in backends:
        name = "paperfeed" if backend == "hybrid" else f"paperfeed {backend}"
        rows = {m: [] for m in METRICS}
        tags = [0, 0, 0, 0]  # right, asked; and the same for users with 2+ interests
        start = time.perf_counter()
        for user in users:
            scored = ours_scored(user, backend, encoder, days)
            for m, v in metrics([s.paper.arxiv_id for s in scored], user.relevant).items():
                rows[m].append(v)
            right, asked = tag_hits(user, scored)
            tags[0] += right
            tags[1] += asked
            if len(user.interests) > 1:
                tags[2] += right
                tags[3] += asked
        table[name] = {"per_user": rows, "seconds": (time.perf_counter() - start) / len(users), "tags": tags}
    anchors = {
        "arxiv-sanity-lite": lambda u: _cached("asl", user_key(u), lambda: anchor_asl(u, days)),
        "zotero-arxiv-daily": lambda u: anchor_zad(u, encoder),
    }
    for name, method in anchors.items():
        rows = {m: [] for m in METRICS}
        start = time.perf_counter()
        for user in users:
            for m, v in metrics(method(user), user.relevant).items():
                rows[m].append(v)
        table[f"anchor {name}"] = {"per_user": rows, "seconds": (time.perf_counter() - start) / len(users)}
    return table


def paired_bootstrap(ours: Sequence[float], theirs: Sequence[float], rounds: int = 10_000,
                     seed: int = 0) -> tuple[float, float, float]:
    """2.5th percentile, mean and 97.5th percentile of the mean per-user difference (resampling users)."""
    diff = np.asarray(ours) - np.asarray(theirs)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(rounds, len(diff)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(diff.mean()), float(np.percentile(means, 97.5))


def report(table: dict[str, dict], users: list[SimUser]) -> str:
    lines = ["| ranker | nDCG@10 | P@10 | MAP | s/user |", "|---|---|---|---|---|"]
    for name, row in table.items():
        vals = " | ".join(f"{mean(row['per_user'][m]):.3f}" for m in METRICS)
        lines.append(f"| {name} | {vals} | {row['seconds']:.2f} |")
    ours_row = table["paperfeed"]["per_user"]
    lines += ["", "| paperfeed minus | metric | mean difference | 95% paired bootstrap interval | ratio |",
              "|---|---|---|---|---|"]
    for anchor in (k for k in table if k.startswith("anchor")):
        for m in METRICS:
            low, mid, high = paired_bootstrap(ours_row[m], table[anchor]["per_user"][m])
            ratio = mean(ours_row[m]) / max(1e-9, mean(table[anchor]["per_user"][m]))
            lines.append(f"| {anchor.removeprefix('anchor ')} | {m} | {mid:+.3f} | [{low:+.3f}, {high:+.3f}] |"
                         f" {ratio:.2f}x |")
    by_count: dict[int, list[int]] = {}
    for n, user in enumerate(users):
        by_count.setdefault(len(user.interests), []).append(n)
    lines += ["", "| interests | users | paperfeed nDCG@10 | arxiv-sanity-lite nDCG@10 |", "|---|---|---|---|"]
    for count, idx in sorted(by_count.items()):
        lines.append(f"| {count} | {len(idx)} | {mean(ours_row['ndcg@10'][i] for i in idx):.3f} |"
                     f" {mean(table['anchor arxiv-sanity-lite']['per_user']['ndcg@10'][i] for i in idx):.3f} |")
    right, asked, right_multi, asked_multi = table["paperfeed"]["tags"]
    lines.append(f"\nsuggested tag of a relevant top-10 paper names one of its interests: {right}/{asked} = "
                 f"{right / max(1, asked):.3f} (users with 2-3 interests: {right_multi}/{asked_multi} = "
                 f"{right_multi / max(1, asked_multi):.3f})")
    return "\n".join(lines)


def load_encoder(records: list[dict], model: str = MODEL_NAME) -> TableEncoder:
    """The embeddings of every text of the data set by ``model``, what ``ranking.model`` would load: the
    bundled all-MiniLM-L6-v2 by default, or a sentence-transformers model name or model directory."""
    lazy = _LazyModel(model)
    return TableEncoder(embedding_table(records, lazy), lazy)


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=MODEL_NAME,
                        help="the embedding model, as the ranking.model setting takes it: a sentence-transformers "
                             "model name (offline: already in the Hugging Face cache) or a model directory; "
                             f"default: the bundled {MODEL_NAME}")


class _LazyModel:
    """The model is loaded only if a text is missing from the cached table; a model that cannot be loaded
    ends the run with the ranker's own message."""

    def __init__(self, spec: str = MODEL_NAME):
        self.spec, self.name, self._model = spec, model_cache_name(spec), None

    def encode(self, texts):
        if self._model is None:
            try:
                self._model = SentenceEncoder.load(self.spec)
            except ConfigError as exc:
                raise SystemExit(f"error: {exc}") from exc
        return self._model.encode(texts)


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
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--all-backends", action="store_true", help="also the embeddings and tfidf backends")
    parser.add_argument("--speed", action="store_true", help="also 2,000 x 5,000 speed through the store")
    add_data_option(parser)
    add_model_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records, args.model)
    days, seed = (TUNING_DAYS, 1) if args.tune else (EVALUATION_DAYS, 2)
    users = build_users(records, count=args.users, days=days, seed=seed)
    print(f"embedding model: {encoder.name}")
    print(f"{'tuning' if args.tune else 'evaluation'} users: {len(users)} "
          f"(candidate days {days[0]}..{days[1]}, {mean(len(u.candidates) for u in users):.0f} candidates, "
          f"{mean(len(u.library) for u in users):.0f} library items, {mean(len(u.relevant) for u in users):.1f}"
          " relevant on average)\n")
    backends = ("hybrid", "embeddings", "tfidf") if args.all_backends else ("hybrid",)
    table = evaluate(users, encoder, records, backends)
    print(report(table, users))
    if args.speed:
        print("\n| speed: 2,000 candidates x 5,000 library | value | notes |\n|---|---|---|")
        for label, value, note in speed(records):
            unit = " MiB" if note == "MiB" else " s"
            print(f"| {label} | {value:.2f}{unit} | {'' if note == 'MiB' else note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
