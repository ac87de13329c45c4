"""Ranking: which of today's papers this user should see, in order, and why. Pure (no IO).

Entry point: :func:`rank_papers` (``sync.ranking.rank``). The IO around it (reading
the store, loading the model, caching embeddings) is ``sync/rank_stage.py``.
"""

from .backends import BACKENDS, MODEL_NAME, Encoder, SentenceEncoder, embeddings_available
from .profile import Profile
from .rank import RankOptions, RankResult, ScoredPaper, rank_papers

__all__ = ["BACKENDS", "MODEL_NAME", "Encoder", "SentenceEncoder", "embeddings_available", "Profile",
           "RankOptions", "RankResult", "ScoredPaper", "rank_papers"]
