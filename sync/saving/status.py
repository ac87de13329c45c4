"""The per-paper result of a save, a push's summary, and the feedback a save records."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NotFoundError


@dataclass(frozen=True)
class SaveResult:
    """``status``: "saved" | "already_in_library" | "queued" | "failed"."""

    arxiv_id: str
    status: str
    item_key: str | None
    message: str


@dataclass
class PushSummary:
    saved: int = 0
    already_in_library: int = 0
    queued: int = 0  # still waiting (will be retried)
    failed: int = 0  # cannot succeed as is (shown by `paperfeed outbox`)
    requests: int = 0
    message: str = ""
    results: dict[str, SaveResult] = field(default_factory=dict)

    def line(self) -> str:
        text = (f"outbox: {self.saved} saved, {self.already_in_library} already in library, "
                f"{self.queued} still queued, {self.failed} failed")
        return text + (f" ({self.message})" if self.message else "")



def record_feedback(store, arxiv_id: str) -> None:
    """Tell ranking the user wants this paper."""
    try:
        store.set_feedback(arxiv_id, "saved")
    except NotFoundError:
        pass  # a paper the store does not hold yet (arXiv down): the push records it (record_pushed_feedback)


def record_pushed_feedback(store, arxiv_id: str, given: dict[str, str]) -> None:
    """After a push put the paper in the library: record "saved" unless the paper has feedback already.

    The accept could not record it when the paper was not in the store yet (arXiv down);
    the push has stored it by now. Feedback already there is left alone: "saved" was
    recorded at the accept, and a later "dismissed" is the user's newer word.
    """
    if arxiv_id in given:
        return
    record_feedback(store, arxiv_id)
    given[arxiv_id] = "saved"

