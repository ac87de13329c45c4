"""Other models of the same evidence, on TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_models.py --users 40 [--seed 1]

The third round of ablations of the issue-12 ranker (docs/benchmarks.md), after the constants were chosen
(``bench/ablate_evidence.py``). Each variant changes *how* the contrast model is built from the library,
the background and the candidates, with the phrases and constants as shipped:

- **the constants chosen per user**: 5-fold cross-validation inside the user's own library and background
  (the library's held-out papers ranked among the background's held-out papers, average precision)
  picks C and the embedding share from C 0.3-2 x share 0.5-1.5 for that user alone;
- **one model on both representations**: a single SVM on the TF-IDF row and the unit embedding scaled by
  ``alpha`` side by side (early fusion) instead of two models whose margins are added;
- **the whole abstract embedded**: the model reads 128 word pieces (``MAX_SEQ_LENGTH``), about the title
  and the abstract's first 80 words; here each paper is embedded in windows of 90 words and the
  windows' vectors averaged (about 2.5 windows per paper, so 2.5x the embedding time);
- **one model per tag of the library**: the library's items carry their interest's name as a tag in this
  benchmark (exactly the interests, a best case for real tags); one contrast model per tag with 10 or
  more items, against the same background, combined with the model of the whole library.

Run 2026-12-01; the rows are cited in docs/benchmarks.md. The embeddings of the windows are computed
once into ``bench/.cache/``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ablate_evidence import (C_GRID, SHIPPED, SHIPPED_RAMP, anchor_scores, components, counted_rows, score,  # noqa: E402
                             table_printer, unit)
from ablate_phrases import tuning_parser  # noqa: E402
from bench_ranking import (CACHE_DIR, TUNING_DAYS, average_precision, build_users, by_day, load_encoder,  # noqa: E402
                           load_records)
from sync.ranking import contrast  # noqa: E402
from sync.ranking.backends import SentenceEncoder  # noqa: E402
from sync.ranking.linear import balanced_costs, fit_logistic, fit_svm  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402

C, WEIGHT, SHARE = SHIPPED
CV_SHARES = (0.5, 0.75, 1.0, 1.5)
CV_FOLDS = 5
WINDOW_WORDS = 90  # a window of the abstract: about the 128 word pieces the model reads
WINDOW_STEP = 80
MIN_TAG_ITEMS = 10


def tfidf_rows(u: dict):
    """The contrast model's TF-IDF rows of positives, background and candidates (authors as terms)."""
    if "tfidf" not in u:
        inp = u["inputs"]
        u["tfidf"] = counted_rows(inp["pos"] + inp["bg"] + inp["cand"], inp["pos_a"] + inp["bg_a"] + inp["cand_a"])
    return u["tfidf"]


def training(u: dict) -> tuple[int, np.ndarray, np.ndarray]:
    """(number of positives, labels, sample weights) of the contrast model's training rows."""
    inp = u["inputs"]
    n_pos, n_bg = len(inp["pos"]), len(inp["bg"])
    return n_pos, np.r_[np.ones(n_pos), np.zeros(n_bg)], np.r_[inp["pos_w"], np.ones(n_bg)]


def combined(svm: np.ndarray, lr: np.ndarray, share: float) -> np.ndarray:
    """The ranker's contrast margin before its sigmoid (``sync.ranking.contrast``)."""
    return (2.5 * svm + share * 0.25 * lr) / (1.0 + share)


def with_margin(u: dict, margin: np.ndarray) -> np.ndarray:
    """The ranker's score (phrases as shipped) for a contrast margin given as :func:`combined` returns it."""
    return score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP, svm=margin * (1.0 + SHARE) / 2.5,
                 lr=np.zeros(len(margin)))


def cross_validated_choice(u: dict) -> tuple[float, float]:
    """(C, embedding share) whose held-out library papers rank best among held-out background papers."""
    n_pos, labels, weights = training(u)
    rows = tfidf_rows(u)[:len(labels)]
    vectors = np.vstack([u["vectors"]["pos"], u["vectors"]["bg"]])
    rng = np.random.default_rng(0)
    fold = np.r_[rng.permutation(n_pos), rng.permutation(len(labels) - n_pos)] % CV_FOLDS
    svm_out = {c: np.zeros(len(labels)) for c in C_GRID}
    lr_out = np.zeros(len(labels))
    for f in range(CV_FOLDS):
        train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        costs = lambda c: balanced_costs(labels[train], weights[train], c)  # noqa: E731
        for c in C_GRID:
            svm_out[c][test] = fit_svm(rows[train], labels[train], costs(c)).decision_function(rows[test])
        lr_out[test] = fit_logistic(vectors[train], labels[train], costs(contrast.EMBEDDING_C)).decision_function(
            vectors[test])
    held_out_library = frozenset(range(n_pos))
    return max(((average_precision(np.argsort(-combined(svm_out[c], lr_out, s), kind="stable").tolist(),
                                   held_out_library), c, s) for c in C_GRID for s in CV_SHARES))[1:]


def early_fusion(u: dict, alpha: float, c: float) -> np.ndarray:
    """One SVM on [TF-IDF row | alpha x unit embedding]; its margin on the ranker's scale (x2.5)."""
    n_pos, labels, weights = training(u)
    vectors = unit(np.vstack([u["vectors"]["pos"], u["vectors"]["bg"], u["vectors"]["cand"]])) * alpha
    rows = hstack([tfidf_rows(u), csr_matrix(vectors.astype(np.float32))]).tocsr()
    svm = fit_svm(rows[:len(labels)], labels, balanced_costs(labels, weights, c))
    return 2.5 * svm.decision_function(rows[len(labels):])


def windows(text: str) -> list[str]:
    words = text.split()
    out = [" ".join(words[:WINDOW_WORDS])]
    for start in range(WINDOW_STEP, len(words), WINDOW_STEP):
        if len(words) - start >= 25:  # a short tail is already in the previous window
            out.append(" ".join(words[start:start + WINDOW_WORDS]))
    return out


def window_table(records: list[dict]) -> dict[str, np.ndarray]:
    """document text -> mean of its windows' unit embeddings, normalised (cached in bench/.cache/)."""
    texts = sorted({document_text(r["title"], r["abstract"]) for r in records})
    digest = hashlib.sha256(("\n".join(texts) + f"|{WINDOW_WORDS}/{WINDOW_STEP}").encode()).hexdigest()[:16]
    path = CACHE_DIR / f"minilm-windows-{digest}.npz"
    if not path.is_file():
        pieces = [windows(t) for t in texts]
        print(f"embedding {sum(map(len, pieces))} windows of {len(texts)} papers once (cached in {path}) ...",
              file=sys.stderr, flush=True)
        flat = SentenceEncoder.load().encode([w for p in pieces for w in p])
        owner = np.repeat(np.arange(len(texts)), [len(p) for p in pieces])
        sums = np.zeros((len(texts), flat.shape[1]), dtype=np.float32)
        np.add.at(sums, owner, flat)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=unit(sums))
    return dict(zip(texts, np.load(path)["vectors"]))


def whole_abstract_lr(u: dict, table: dict[str, np.ndarray]) -> np.ndarray:
    inp = u["inputs"]
    _, labels, weights = training(u)
    x = np.stack([table[t] for t in inp["pos"] + inp["bg"]])
    lr = fit_logistic(x, labels, balanced_costs(labels, weights, contrast.EMBEDDING_C))
    return lr.decision_function(np.stack([table[t] for t in inp["cand"]]))


def tag_margins(u: dict) -> list[np.ndarray]:
    """One contrast margin (:func:`combined`) per tag of the library with MIN_TAG_ITEMS items or more;
    none for a library with fewer than two such tags (its one model is the library's)."""
    n_pos, _, weights = training(u)
    n_bg = len(u["inputs"]["bg"])
    groups: dict[str, list[int]] = {}
    for index, tags in enumerate(u["tags"]):
        for tag in tags:
            groups.setdefault(tag, []).append(index)
    groups = {t: i for t, i in groups.items() if len(i) >= MIN_TAG_ITEMS}
    if len(groups) < 2:
        return []
    rows = tfidf_rows(u)
    vectors = np.vstack([u["vectors"]["pos"], u["vectors"]["bg"]])
    out = []
    for items in groups.values():
        train = np.r_[np.array(items), np.arange(n_pos, n_pos + n_bg)]
        labels = np.r_[np.ones(len(items)), np.zeros(n_bg)]
        costs = balanced_costs(labels, weights[train], 1.0)
        svm = fit_svm(rows[train], labels, costs * C).decision_function(rows[n_pos + n_bg:])
        lr = fit_logistic(vectors[train], labels, costs * contrast.EMBEDDING_C).decision_function(u["vectors"]["cand"])
        out.append(combined(svm, lr, SHARE))
    return out


def main(argv: list[str] | None = None) -> int:
    args = tuning_parser(__doc__).parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records)
    days = by_day(records)
    users = []
    for user in build_users(records, count=args.users, days=TUNING_DAYS, seed=args.seed):
        u = components(user, encoder, days)
        tags = {document_text(r["title"], r["abstract"]): tuple(r.get("tags") or ()) for r in user.library}
        u["tags"] = [tags.get(text, ()) for text in u["inputs"]["pos"]]
        users.append(u)
    table = window_table(records)
    row = table_printer(users, args.seed)
    shipped = lambda u: score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP)  # noqa: E731
    row("arxiv-sanity-lite (anchor)", anchor_scores)
    row("**shipped**", shipped)
    for u in users:
        u["cv"] = cross_validated_choice(u)
    picks = [u["cv"] for u in users]
    print(f"\nchosen per user (C, share): {sorted(set(picks))}\n", flush=True)
    row("C and embedding share chosen per user (5-fold CV in library + background)",
        lambda u: score(u, u["cv"][0], WEIGHT, u["cv"][1], phrase_value=SHIPPED_RAMP))
    for alpha in (0.5, 1.0):
        for c in (1.0, 2.0):
            row(f"one SVM on TF-IDF + {alpha:g} x embedding (early fusion), C {c:g}",
                lambda u: with_margin(u, early_fusion(u, alpha, c)))
    for u in users:
        u["whole"] = whole_abstract_lr(u, table)
    row("the whole abstract embedded (mean of 90-word windows) instead",
        lambda u: with_margin(u, combined(u["svm"][C], u["whole"], SHARE)))
    row("the whole abstract embedded, averaged with the shipped embedding's margin",
        lambda u: with_margin(u, combined(u["svm"][C], (u["whole"] + u["lr"]) / 2, SHARE)))
    for u in users:
        u["per_tag"] = tag_margins(u)
    print(f"\nusers with a model per tag: {sum(1 for u in users if u['per_tag'])} of {len(users)}\n", flush=True)

    def per_tag(u: dict, how: str) -> np.ndarray:
        library = combined(u["svm"][C], u["lr"], SHARE)
        if not u["per_tag"]:
            return with_margin(u, library)
        best = np.max(np.vstack(u["per_tag"]), axis=0)
        return with_margin(u, np.maximum(library, best) if how == "max" else (library + best) / 2)

    row("one model per tag, the better of it and the library's model", lambda u: per_tag(u, "max"))
    row("one model per tag, averaged with the library's model", lambda u: per_tag(u, "mean"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
