"""Ablations of the ranker with the library's phrases in place, on TUNING users only:

    .venv/bin/python bench/ablate_evidence.py --users 40 [--seed 1] [--grid-only | --tfidf-grid] [--model M]

Per tuning user (the users of ``bench_ranking.py --tune`` for seed 1; ``--seed 5`` gives 40 others on the
same tuning days) the pieces of the score are computed once: the TF-IDF SVM margin (with author terms)
for each C of the grid, the embedding logistic-regression margin, the library's phrases each candidate
contains, the embedding cosine to the nearest library paper, and arxiv-sanity-lite's ranking. Variants
then recombine them the way the ranker does (``sigmoid((2.5 svm + s 0.25 lr) / (1 + s) - 1)``, then a
noisy-OR with ``weight x share`` of the best phrase). The grid and the variants after it use the phrase
rule under which the constants were chosen (a phrase counts fully from a lift of 3, not at all below);
the ranker now weighs a phrase by its *specificity* (0 at a lift of 2, full from 4), whose rows are
marked:

- the grid: SVM C x phrase weight x embedding share (the constants chosen together); with
  ``--tfidf-grid`` instead, C x phrase weight for the TF-IDF backend (embedding share 0, the shipped
  phrase rule);
- the phrase's specificity: the ramp shipped (2 -> 4) and two others, with the chosen constants;
- other ways to weigh a phrase (by its lift; a Bayes estimate from the lift);
- closeness to the nearest library paper as extra evidence (embeddings);
- fusion with arxiv-sanity-lite's own ranking (reciprocal rank);
- refits: the authors as a separately scaled block, the day's top 5 as pseudo-positives
  (self-training), a lower ``max_df`` of the TF-IDF terms;
- with the shipped phrase rule (2026-12-01, second round): library papers far from the rest of the
  library weighing less, the background papers most like the library dropped from the negatives
  (positive-unlabelled learning), the class-balanced share of library papers among a candidate's
  nearest papers (embeddings) added to the margin, the title counted twice in the TF-IDF model.

Every row is computed from the same users; the last column is the paired bootstrap interval of the
nDCG@10 difference to arxiv-sanity-lite. docs/benchmarks.md cites this table.
"""

from __future__ import annotations

import math
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ablate_phrases import kind, print_heading, table_row, tuning_parser  # noqa: E402
from bench_ranking import (TUNING_DAYS, _cached, add_model_option, anchor_asl, background_for,  # noqa: E402
                           build_users, by_day, library_items, load_encoder, load_records, metrics, user_key)
from sync.ranking import contrast, phrases  # noqa: E402
from sync.ranking.backends import tfidf_vectors  # noqa: E402
from sync.ranking.contrast import author_terms, counted_text  # noqa: E402
from sync.ranking.linear import balanced_costs, fit_logistic, fit_svm  # noqa: E402
from sync.ranking.profile import Profile, positive_documents  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402
from users import ranker_view  # noqa: E402

C_GRID = (0.3, 0.5, 1.0, 2.0)
WEIGHT_GRID = (0.3, 0.4, 0.5)
SHARE_GRID = (0.5, 0.75, 1.0)
SHIPPED = (contrast.TFIDF_C, phrases.PHRASE_WEIGHT, contrast.EMBEDDING_SHARE)
BEFORE = (0.3, 0.3, 0.5)  # the constants before this ablation (2026-12-01 morning)


def user_inputs(user, days) -> dict:
    """The texts, authors and weights the ranker would see for this user (no feedback)."""
    now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
    positives = positive_documents(Profile(library=library_items(user)), now)
    background: dict[str, tuple] = {}
    for paper in background_for(user, days):
        text = document_text(paper.title, paper.abstract)
        if text:
            background.setdefault(text, tuple(paper.authors))
    candidates = [ranker_view(r) for r in user.candidates]
    return {"pos": [d.text for d in positives], "pos_w": np.array([d.weight for d in positives]),
            "pos_a": [d.authors for d in positives], "bg": list(background), "bg_a": list(background.values()),
            "cand": [document_text(r["title"], r["abstract"]) for r in candidates],
            "cand_a": [tuple(r.get("authors") or ()) for r in candidates], "ids": [r["id"] for r in candidates]}


def svm_margin(inp: dict, c: float, **variant) -> np.ndarray:
    """The contrast model's TF-IDF SVM margin per candidate, as the ranker fits it (or a variant, below)."""
    svm, matrix, _, n_train = fit_tfidf_svm(inp, c, **variant)
    return svm.decision_function(matrix[n_train:])


def fit_tfidf_svm(inp: dict, c: float, *, extra: list[tuple[str, tuple]] = (), extra_weight: float = 0.5,
                  author_scale: float | None = None, max_df: float | None = None,
                  pos_scale: np.ndarray | None = None, bg_keep: np.ndarray | None = None, text=None):
    """(SVM, TF-IDF rows of positives + kept background + candidates, number of positives, number of training
    rows): the contrast model's TF-IDF SVM or a variant. ``extra``: more positives with ``extra_weight``;
    ``author_scale``: the authors as a separate, scaled block; ``pos_scale`` multiplies the library's
    weights, ``bg_keep`` selects the background's negatives, ``text`` rewrites every text before counting."""
    pos = inp["pos"] + [t for t, _ in extra]
    pos_a = inp["pos_a"] + [a for _, a in extra]
    bg, bg_a = _kept(inp["bg"], bg_keep), _kept(inp["bg_a"], bg_keep)
    train = pos + bg
    labels = np.r_[np.ones(len(pos)), np.zeros(len(bg))]
    weights = np.r_[inp["pos_w"] * (1.0 if pos_scale is None else pos_scale), np.full(len(extra), extra_weight),
                    np.ones(len(bg))]
    names = pos_a + bg_a + inp["cand_a"]
    texts = train + inp["cand"]
    if text is not None:
        texts = [text(t) for t in texts]
    if author_scale is not None:  # text and authors as two blocks, the authors scaled, rows normalised again
        from scipy.sparse import diags, hstack

        matrix = hstack([tfidf_vectors(texts, min_df=2),
                         author_scale * tfidf_vectors([author_terms(a) for a in names], min_df=2)]).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = (diags(1.0 / np.maximum(norms, 1e-12)) @ matrix).tocsr().astype(np.float32)
    else:
        matrix = counted_rows(texts, names, **({} if max_df is None else {"max_df": max_df}))
    svm = fit_svm(matrix[:len(train)], labels, balanced_costs(labels, weights, c))
    return svm, matrix, len(pos), len(train)


def counted_rows(texts: list[str], names: list, **tfidf_options):
    """TF-IDF rows of papers as the contrast model counts them: text plus author terms, terms in 2 or more."""
    return tfidf_vectors(list(map(counted_text, texts, names)), min_df=2, **tfidf_options)


def lr_margin(u: dict, *, pos_scale: np.ndarray | None = None, bg_keep: np.ndarray | None = None) -> np.ndarray:
    """The contrast model's embedding margin per candidate, refitted with the same variants as :func:`svm_margin`."""
    inp, vectors = u["inputs"], u["vectors"]
    bg = vectors["bg"] if bg_keep is None else vectors["bg"][bg_keep]
    labels = np.r_[np.ones(len(vectors["pos"])), np.zeros(len(bg))]
    weights = np.r_[inp["pos_w"] * (1.0 if pos_scale is None else pos_scale), np.ones(len(bg))]
    lr = fit_logistic(np.vstack([vectors["pos"], bg]), labels, balanced_costs(labels, weights, contrast.EMBEDDING_C))
    return lr.decision_function(vectors["cand"])


def _kept(items: list, keep: np.ndarray | None) -> list:
    return list(items) if keep is None else [x for x, k in zip(items, keep) if k]


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def outlier_scale(u: dict, low: float, k: int = 3) -> np.ndarray:
    """Per library paper, ``low`` -> 1 by the cosine to its k-th nearest library paper (embeddings), from the
    library's 10th to its 50th percentile of that cosine: a paper nothing else in the library is near
    counts less."""
    lib = unit(u["vectors"]["pos"])
    sims = lib @ lib.T
    np.fill_diagonal(sims, -1.0)
    kth = np.sort(sims, axis=1)[:, -k]
    a, b = np.percentile(kth, [10, 50])
    return low + (1.0 - low) * np.clip((kth - a) / max(b - a, 1e-6), 0.0, 1.0)


def unlike_library(u: dict, c: float, share: float) -> np.ndarray:
    """The background papers to keep as negatives: all but the ``share`` the contrast model's own SVM (as
    fitted on them) scores most like the library."""
    if "background_margin" not in u:  # one fit per user, whatever the share
        svm, matrix, n_pos, n_train = fit_tfidf_svm(u["inputs"], c)
        u["background_margin"] = svm.decision_function(matrix[n_pos:n_train])
    margin = u["background_margin"]
    return margin < np.quantile(margin, 1.0 - share)


def library_share_nearby(u: dict, k: int) -> np.ndarray:
    """Per candidate, the class-balanced share of library papers among its k nearest library and
    background papers (embedding cosine): 0.5 when the neighbourhood is as mixed as the two sets' sizes."""
    cand, lib, bg = (unit(u["vectors"][name]) for name in ("cand", "pos", "bg"))
    sims = np.hstack([cand @ lib.T, cand @ bg.T])
    is_library = np.r_[np.ones(len(lib)), np.zeros(len(bg))]
    nearest = np.argsort(-sims, axis=1)[:, :k]
    weight = np.where(is_library[nearest] > 0, len(bg) / len(lib), 1.0)
    return (weight * is_library[nearest]).sum(axis=1) / weight.sum(axis=1)


def components(user, encoder, days) -> dict:
    inp = user_inputs(user, days)
    x = np.vstack([encoder.encode(inp["pos"]), encoder.encode(inp["bg"])])
    labels = np.r_[np.ones(len(inp["pos"])), np.zeros(len(inp["bg"]))]
    lr = fit_logistic(x, labels, balanced_costs(labels, np.r_[inp["pos_w"], np.ones(len(inp["bg"]))],
                                                contrast.EMBEDDING_C))
    cand_v = encoder.encode(inp["cand"])
    lib_v = encoder.encode(inp["pos"])
    # every phrase from a lift of 2 (or the ranker's lower minimum): the rules below pick their own
    found = phrases.library_phrases(inp["pos"], [counted_text(t, a) for t, a in zip(inp["bg"], inp["bg_a"])],
                                    min_lift=min(2.0, phrases.MIN_LIFT))
    contained = found.contained([counted_text(t, a) for t, a in zip(inp["cand"], inp["cand_a"])])
    listed = list(found.phrases.values())
    hits = [[(listed[i].share, listed[i].lift) for i in np.flatnonzero(row)] for row in contained]
    return {"inputs": inp, "vectors": {"pos": lib_v, "bg": x[len(lib_v):], "cand": cand_v}, "ids": inp["ids"], "relevant": user.relevant, "kind": kind(user),
            "svm": {c: svm_margin(inp, c) for c in C_GRID}, "lr": lr.decision_function(cand_v),
            "phrases": hits, "nearest": (unit(cand_v) @ unit(lib_v).T).max(axis=1),
            "asl": _cached("asl", user_key(user), lambda: anchor_asl(user, days))}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def step_at_3(share: float, lift: float) -> float:
    """The phrase rule when the constants were chosen: the share, from a lift of 3."""
    return share if lift >= 3.0 else 0.0


def ramp(low: float, full: float):
    """The share times the specificity (:func:`sync.ranking.phrases.specificity`) from ``low`` to ``full``."""
    return lambda share, lift: share * phrases.specificity(lift, low, full)


SHIPPED_RAMP = ramp(phrases.MIN_LIFT, phrases.FULL_LIFT)


def score(u: dict, c: float = BEFORE[0], weight: float = BEFORE[1], share: float = BEFORE[2], *,
          svm: np.ndarray | None = None, lr: np.ndarray | None = None, phrase_value=step_at_3,
          extra: np.ndarray | None = None, extra_margin: np.ndarray | float = 0.0) -> np.ndarray:
    """The ranker's combination: contrast probability, noisy-OR with the best phrase (and ``extra``)."""
    margin = u["svm"][c] if svm is None else svm
    lr = u["lr"] if lr is None else lr
    base = sigmoid((2.5 * margin + share * 0.25 * lr) / (1.0 + share) - 1.0 + extra_margin)
    phrase = np.array([max((weight * phrase_value(s, lift) for s, lift in hits), default=0.0) for hits in u["phrases"]])
    out = 1.0 - (1.0 - base) * (1.0 - phrase)
    return out if extra is None else 1.0 - (1.0 - out) * (1.0 - extra)


def order(u: dict, scores: np.ndarray) -> list[str]:
    return [u["ids"][i] for i in sorted(range(len(scores)), key=lambda i: (-scores[i], u["ids"][i]))]


def rrf_with_asl(u: dict, scores: np.ndarray, asl_share: float, k: float = 10.0) -> np.ndarray:
    ours = {i: n for n, i in enumerate(order(u, scores))}
    theirs = {i: n for n, i in enumerate(u["asl"])}
    return np.array([(1 - asl_share) / (k + ours[i]) + asl_share / (k + theirs[i]) for i in u["ids"]])


def table_printer(users: list[dict], seed: int):
    """Print the table's heading and return ``row(name, scores)``, which ranks every user's candidates by
    ``scores(u)`` (higher first) and prints the row."""
    asl = [metrics(u["asl"], u["relevant"])["ndcg@10"] for u in users]
    kinds = [u["kind"] for u in users]
    print_heading(kinds, seed)

    def row(name: str, scores) -> None:
        rankings = [order(u, scores(u)) for u in users]
        print(table_row(name, rankings, [u["relevant"] for u in users], kinds, asl), flush=True)

    return row


def anchor_scores(u: dict) -> np.ndarray:
    """arxiv-sanity-lite's ranking of the user's candidates as scores (its first the highest)."""
    return -np.array([u["asl"].index(i) for i in u["ids"]], dtype=float)


def main(argv: list[str] | None = None) -> int:
    parser = tuning_parser(__doc__)
    parser.add_argument("--grid-only", action="store_true", help="only the grid of C, phrase weight, embedding share")
    parser.add_argument("--tfidf-grid", action="store_true",
                        help="only the TF-IDF backend's grid (embedding share 0): C x phrase weight 0.2-0.6")
    add_model_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records, args.model)
    print(f"embedding model: {encoder.name}")
    days = by_day(records)
    users = [components(u, encoder, days)
             for u in build_users(records, count=args.users, days=TUNING_DAYS, seed=args.seed)]
    row = table_printer(users, args.seed)
    row("arxiv-sanity-lite (anchor)", anchor_scores)
    row("before: C %g, phrase weight %g, embedding share %g" % BEFORE, lambda u: score(u, *BEFORE))
    row("chosen: C %g, phrase weight %g, embedding share %g" % SHIPPED, lambda u: score(u, *SHIPPED))
    row("**shipped: the chosen constants, phrase specificity from lift %g to %g**"
        % (phrases.MIN_LIFT, phrases.FULL_LIFT), lambda u: score(u, *SHIPPED, phrase_value=SHIPPED_RAMP))
    if args.tfidf_grid:  # the backend of a plain install (no embeddings extra): the SVM and the phrases
        for c in C_GRID:
            for weight in (0.2,) + WEIGHT_GRID + (0.6,):
                row(f"TF-IDF backend: C {c}, phrase weight {weight}",
                    lambda u: score(u, c, weight, 0.0, phrase_value=SHIPPED_RAMP))
        return 0
    for c in C_GRID:
        for weight in WEIGHT_GRID:
            for share in SHARE_GRID:
                row(f"C {c}, phrase weight {weight}, embedding share {share}",
                    lambda u: score(u, c, weight, share))
    if args.grid_only:
        return 0
    for low, full in ((3.0, 5.0), (2.0, 6.0)):
        row(f"specificity from lift {low:g} to {full:g}",
            lambda u: score(u, *SHIPPED, phrase_value=ramp(low, full)))
    for top in (5.0, 10.0, 30.0):
        row(f"phrase weighed by its lift (full at {top:g}x)", lambda u: score(
            u, *SHIPPED, phrase_value=lambda s, lift: step_at_3(s, lift) * min(1.0, math.log(lift) / math.log(top))))
    for prior in (0.03, 0.07):
        row(f"phrase as a Bayes estimate from its lift (prior {prior})", lambda u: score(
            u, *SHIPPED, phrase_value=lambda s, lift: (lift >= 3.0) * prior * lift / (prior * lift + 1.0)))
    for low, high in ((0.5, 0.8), (0.6, 0.9)):
        for weight in (0.1, 0.2):
            row(f"+ nearest library paper, cosine {low}-{high} -> 0-{weight}", lambda u: score(
                u, *SHIPPED, extra=weight * np.clip((u["nearest"] - low) / (high - low), 0.0, 1.0)))
    for asl_share in (0.2, 0.35):
        row(f"reciprocal-rank fusion with arxiv-sanity-lite ({asl_share:.0%} its share)",
            lambda u: rrf_with_asl(u, score(u, *SHIPPED), asl_share))
    c = SHIPPED[0]
    for scale in (0.5, 1.0):
        row(f"authors as a separate block x{scale}", lambda u: score(
            u, *SHIPPED, svm=svm_margin(u["inputs"], c, author_scale=scale)))
    row("self-training: the day's top 5 as positives (weight 0.5)", lambda u: score(u, *SHIPPED, svm=svm_margin(
        u["inputs"], c, extra=[(u["inputs"]["cand"][i], u["inputs"]["cand_a"][i])
                               for i in np.argsort(-score(u, *SHIPPED), kind="stable")[:5]])))
    for max_df in (0.1, 0.2):
        row(f"TF-IDF terms in at most {max_df:.0%} of the papers (ranker: 50%)", lambda u: score(
            u, *SHIPPED, svm=svm_margin(u["inputs"], c, max_df=max_df)))
    # second round, with the phrase rule shipped
    shipped = lambda u, **kw: score(u, *SHIPPED, phrase_value=SHIPPED_RAMP, **kw)  # noqa: E731
    for low in (0.3, 0.5):
        row(f"library papers far from the rest of the library weigh {low:g} -> 1 (shipped phrases)",
            lambda u: shipped(u, svm=svm_margin(u["inputs"], c, pos_scale=outlier_scale(u, low)),
                              lr=lr_margin(u, pos_scale=outlier_scale(u, low))))

    def without_likely_positives(u: dict, share: float) -> np.ndarray:
        keep = unlike_library(u, c, share)
        return shipped(u, svm=svm_margin(u["inputs"], c, bg_keep=keep), lr=lr_margin(u, bg_keep=keep))

    for share in (0.01, 0.03):
        row(f"the {share:.0%} of the background most like the library dropped from the negatives (shipped phrases)",
            lambda u: without_likely_positives(u, share))
    for k in (10, 30, 100):
        row(f"+ (share of the library among the {k} nearest papers - 0.5) in the margin (shipped phrases)",
            lambda u: shipped(u, extra_margin=library_share_nearby(u, k) - 0.5))
    row("the title counted twice in the TF-IDF model (shipped phrases)", lambda u: shipped(
        u, svm=svm_margin(u["inputs"], c, text=lambda t: t.split(". ", 1)[0] + ". " + t)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
