"""Other inputs to the same contrast model, on TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_representations.py --users 40 [--seed 1]

The fourth round of ablations of the issue-12 ranker (docs/benchmarks.md), with the phrases, constants and
model as shipped. The third round (``bench/ablate_models.py``) changed how the contrast model is built;
this one changes what it is given:

- **the embedding space reshaped**: the embeddings whitened by the background's covariance (centred, then
  scaled along each principal direction, with shrinkage), or mapped by random Fourier features (a Gaussian
  kernel: the logistic regression draws curved boundaries around several interests);
- **the embedding model's C** (1 as shipped) lower or higher;
- **the title embedded on its own**, beside the whole text: its own logistic regression averaged with the
  shipped one, or both vectors side by side in one;
- **hard negatives**: the background papers most like the library (cosine to their three nearest library
  papers) weigh more in both models, or the rest weigh less;
- **the arXiv comment** ("Accepted at INTERSPEECH 2025", "SIGGRAPH Asia", "14 pages"): its words added to
  the TF-IDF model's text, plain or as terms of their own. A venue names the community a paper is written
  for, which the category interests are about; the comment is not hidden from the rankers.

A margin that replaces the shipped embedding margin is either used as it is or rescaled to the shipped
margin's spread over the day's candidates ("std-matched"), so that the variant is not merely a different
weight. Run 2026-12-01; the rows are cited in docs/benchmarks.md. The titles' embeddings are computed once
into ``bench/.cache/``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ablate_evidence import (SHIPPED, SHIPPED_RAMP, anchor_scores, components, counted_rows, score,  # noqa: E402
                             table_printer, unit)
from ablate_models import tfidf_rows  # noqa: E402
from ablate_phrases import tuning_parser  # noqa: E402
from bench_ranking import CACHE_DIR, TUNING_DAYS, build_users, by_day, load_encoder, load_records  # noqa: E402
from sync.ranking import contrast  # noqa: E402
from sync.ranking.backends import SentenceEncoder  # noqa: E402
from sync.ranking.linear import balanced_costs, fit_logistic, fit_svm  # noqa: E402
from sync.ranking.text import document_text, plain_text  # noqa: E402

C, WEIGHT, SHARE = SHIPPED
FOURIER_FEATURES = 2000
_COMMENT_WORD = re.compile(r"[a-z][a-z0-9]+")


def weights_of(u: dict, background_weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(labels, sample weights) of the training rows, positives first."""
    inp = u["inputs"]
    n_pos, n_bg = len(inp["pos"]), len(inp["bg"])
    bg = np.ones(n_bg) if background_weights is None else background_weights
    return np.r_[np.ones(n_pos), np.zeros(n_bg)], np.r_[inp["pos_w"], bg]


def logistic_margin(u: dict, pos: np.ndarray, bg: np.ndarray, cand: np.ndarray, *, c: float = contrast.EMBEDDING_C,
                    background_weights: np.ndarray | None = None) -> np.ndarray:
    labels, weights = weights_of(u, background_weights)
    return fit_logistic(np.vstack([pos, bg]), labels, balanced_costs(labels, weights, c)).decision_function(cand)


def svm_margin(u: dict, rows, background_weights: np.ndarray | None = None) -> np.ndarray:
    labels, weights = weights_of(u, background_weights)
    n = len(labels)
    return fit_svm(rows[:n], labels, balanced_costs(labels, weights, C)).decision_function(rows[n:])


def spread_matched(u: dict, margin: np.ndarray) -> np.ndarray:
    """``margin`` rescaled to the shipped embedding margin's standard deviation over the day's candidates."""
    return margin * (np.std(u["lr"]) / max(float(np.std(margin)), 1e-9))


def embeddings(u: dict) -> list[np.ndarray]:
    """The library's, the background's and the candidates' embeddings, as the shipped model gets them."""
    return [u["vectors"][name] for name in ("pos", "bg", "cand")]


def whitened(u: dict, shrinkage: float, unit_rows: bool) -> list[np.ndarray]:
    """Library, background and candidate embeddings whitened by the background's covariance; ``shrinkage``
    is added to every eigenvalue as a share of their mean."""
    v = u["vectors"]
    mean = v["bg"].mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov((v["bg"] - mean).T))
    transform = vectors @ np.diag(1.0 / np.sqrt(values + shrinkage * values.mean())) @ vectors.T
    out = [(x - mean) @ transform for x in embeddings(u)]
    return [unit(x) for x in out] if unit_rows else out


def fourier_features(u: dict, gamma: float) -> list[np.ndarray]:
    """Random Fourier features of the unit embeddings for the kernel exp(-gamma |x - y|^2)."""
    rng = np.random.default_rng(0)
    v = u["vectors"]
    projection = rng.normal(0.0, np.sqrt(2.0 * gamma), (v["bg"].shape[1], FOURIER_FEATURES))
    phase = rng.uniform(0.0, 2.0 * np.pi, FOURIER_FEATURES)
    return [np.sqrt(2.0 / FOURIER_FEATURES) * np.cos(unit(x) @ projection + phase) for x in embeddings(u)]


def title_table(records: list[dict]) -> dict[str, np.ndarray]:
    """document text -> unit embedding of the title alone (cached in bench/.cache/)."""
    titles = {document_text(r["title"], r["abstract"]): plain_text(r["title"]) for r in records}
    texts = sorted(titles)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE_DIR / f"minilm-titles-{digest}.npz"
    if not path.is_file():
        print(f"embedding {len(texts)} titles once (cached in {path}) ...", file=sys.stderr, flush=True)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=SentenceEncoder.load().encode([titles[t] for t in texts]))
    return dict(zip(texts, np.load(path)["vectors"]))


def library_closeness(u: dict) -> np.ndarray:
    """Per background paper, the mean cosine to its three nearest library papers."""
    lib, bg = unit(u["vectors"]["pos"]), unit(u["vectors"]["bg"])
    return np.sort(bg @ lib.T, axis=1)[:, -3:].mean(axis=1)


def comment_terms(comment: str | None, prefixed: bool) -> str:
    words = _COMMENT_WORD.findall((comment or "").lower())
    return "".join(f" cm_{w}" for w in words) if prefixed else "".join(f" {w}" for w in words)


def main(argv: list[str] | None = None) -> int:
    args = tuning_parser(__doc__).parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records)
    days = by_day(records)
    users = [components(u, encoder, days) for u in build_users(records, count=args.users, days=TUNING_DAYS, seed=args.seed)]
    titles = title_table(records)
    comments = {document_text(r["title"], r["abstract"]): r.get("comment") for r in records}
    row = table_printer(users, args.seed)

    def shipped(u: dict, **parts) -> np.ndarray:
        return score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP, **parts)

    def replacing_embedding(name: str, margin_of) -> None:
        """Rows for an embedding margin used as it is and rescaled to the shipped margin's spread."""
        margins = {id(u): margin_of(u) for u in users}
        row(name, lambda u: shipped(u, lr=margins[id(u)]))
        row(name + ", std-matched", lambda u: shipped(u, lr=spread_matched(u, margins[id(u)])))

    row("arxiv-sanity-lite (anchor)", anchor_scores)
    row("**shipped**", shipped)
    for shrinkage in (0.1, 1.0):
        for unit_rows in (False, True):
            replacing_embedding(f"embeddings whitened (shrinkage {shrinkage:g}{', unit rows' if unit_rows else ''})",
                                lambda u: logistic_margin(u, *whitened(u, shrinkage, unit_rows)))
    for gamma in (1.0, 3.0):
        margins = {id(u): spread_matched(u, logistic_margin(u, *fourier_features(u, gamma), c=10.0)) for u in users}
        row(f"random Fourier features (gamma {gamma:g}, C 10) instead, std-matched",
            lambda u: shipped(u, lr=margins[id(u)]))
        row(f"random Fourier features (gamma {gamma:g}, C 10) averaged with the shipped embedding margin",
            lambda u: shipped(u, lr=(u["lr"] + margins[id(u)]) / 2))
    for c in (0.3, 3.0):
        replacing_embedding(f"embedding model C {c:g} (shipped: {contrast.EMBEDDING_C:g})",
                            lambda u: logistic_margin(u, *embeddings(u), c=c))

    def title_vectors(u: dict) -> list[np.ndarray]:
        inp = u["inputs"]
        return [np.stack([titles[t] for t in inp[name]]) for name in ("pos", "bg", "cand")]

    title_margin = {id(u): logistic_margin(u, *title_vectors(u)) for u in users}
    row("the title's own embedding model averaged with the shipped one",
        lambda u: shipped(u, lr=(u["lr"] + title_margin[id(u)]) / 2))
    replacing_embedding("one embedding model on the text's and the title's vectors side by side", lambda u: logistic_margin(
        u, *(np.hstack([text, title]) for text, title in zip(embeddings(u), title_vectors(u)))))
    for u in users:
        u["closeness"] = library_closeness(u)

    def with_background_weights(u: dict, top: float, near: float, far: float) -> np.ndarray:
        """The ranker's score with both models refitted, the ``top`` share of the background most like the
        library weighing ``near`` and the rest ``far``."""
        bg_w = np.where(u["closeness"] >= np.quantile(u["closeness"], 1.0 - top), near, far)
        return shipped(u, svm=svm_margin(u, tfidf_rows(u), bg_w),
                       lr=logistic_margin(u, *embeddings(u), background_weights=bg_w))

    for top, weight in ((0.03, 2.0), (0.03, 4.0), (0.1, 2.0), (0.1, 4.0), (0.3, 2.0)):
        row(f"the {top:.0%} of the background most like the library weigh {weight:g}",
            lambda u: with_background_weights(u, top, weight, 1.0))
    for top in (0.5, 0.25):
        row(f"only the {top:.0%} of the background most like the library at full weight (the rest 0.1)",
            lambda u: with_background_weights(u, top, 1.0, 0.1))
    for prefixed in (False, True):
        def with_comments(u: dict) -> np.ndarray:
            inp = u["inputs"]
            texts = [t + comment_terms(comments.get(t), prefixed) for t in inp["pos"] + inp["bg"] + inp["cand"]]
            return shipped(u, svm=svm_margin(u, counted_rows(texts, inp["pos_a"] + inp["bg_a"] + inp["cand_a"])))
        row(f"the arXiv comment's words in the TF-IDF model ({'terms of their own' if prefixed else 'as words'})",
            with_comments)
    with_comment = np.mean([np.mean([bool(comments.get(t)) for t in u["inputs"]["cand"]]) for u in users])
    print(f"\ncandidates with a comment: {with_comment:.0%}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
