"""One-paragraph paper summaries for the weekly digest.

Extractive by default: picks the abstract's most informative sentences, so the
digest works offline and costs nothing. When the user configures an
OpenAI-compatible endpoint (``reports.summary_url``/``_model``/``_api_key``) we ask
it instead, with a timeout; any failure falls back to the extractive summary, and
after the first failure the endpoint is not asked again in the same run (a dead
endpoint must not cost one timeout per paper).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from .models import Paper
from .settings import Config

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.", "resp.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")
_CUES = re.compile(r"\bwe (?:\w+ )?(?:propose|present|introduce|show|find|develop|demonstrate)|\bthis paper\b|"
                   r"\bour (?:method|results|approach)\b|\boutperform|\bachiev|state-of-the-art|\bimprov",
                   re.IGNORECASE)
_STOP = frozenset("""a an and are as at be been being but by can could do does for from has have how in
into is it its may more most not of on or our over such than that the their them then there these this
those through to under up use used using via was we were what when where which while with within would
also both each only other some very new paper approach method methods results show propose""".split())


def split_sentences(text: str) -> list[str]:
    """Sentences of an abstract; common abbreviations and decimals do not end a sentence."""
    text = " ".join(text.split())
    if not text:
        return []
    protected = text
    for abbr in _ABBREVIATIONS:
        protected = protected.replace(abbr + " ", abbr.replace(".", "\0") + " ")
    return [part.replace("\0", ".").strip() for part in _SENTENCE_END.split(protected) if part.strip()]


def extractive_summary(text: str, *, max_words: int = 70) -> str:
    """The abstract's opening sentence plus its best-scoring others, in order, within ``max_words``.

    A sentence scores by how frequent its content words are in the whole abstract
    (it is about the main subject) plus a bonus for contribution cues
    ("we propose", "outperforms"); the first sentence usually states the problem.
    """
    sentences = split_sentences(text)
    if not sentences:
        return ""
    words = [[w.lower() for w in _WORD.findall(s) if w.lower() not in _STOP] for s in sentences]
    freq = Counter(w for ws in words for w in ws)
    top = max(freq.values(), default=1)

    def score(index: int) -> float:
        ws = words[index]
        base = sum(freq[w] / top for w in ws) / (len(ws) ** 0.5 or 1)
        cue = len(_CUES.findall(sentences[index]))
        return base + 0.8 * cue + (0.6 if index == 0 else 0.0)

    chosen: list[int] = []
    budget = max_words
    for index in sorted(range(len(sentences)), key=lambda i: (-score(i), i)):
        length = len(sentences[index].split())
        if length <= budget:
            chosen.append(index)
            budget -= length
        if budget < 8:
            break
    if not chosen:  # one sentence longer than the budget: cut it at a word boundary
        cut = sentences[0].split()[:max_words]
        return " ".join(cut).rstrip(",;:") + "…"
    return " ".join(sentences[i] for i in sorted(chosen))


class Summarizer:
    """Summaries for one report run; remembers an endpoint failure so it asks only once."""

    def __init__(self, config: Config, *, session: requests.Session | None = None):
        self.url = (config["reports.summary_url"] or "").strip()
        self.model = config["reports.summary_model"] or ""
        self._api_key = config["reports.summary_api_key"] or ""
        self.timeout = float(config["reports.summary_timeout_seconds"])
        if session is None:
            import requests  # here, not at the top: every CLI command imports this module, few summarise

            session = requests.Session()
        self._session = session
        self._endpoint_failed = False
        self.used_fallback = False

    @property
    def uses_endpoint(self) -> bool:
        return bool(self.url and self.model) and not self._endpoint_failed

    def summarize(self, paper: Paper) -> str:
        if self.uses_endpoint:
            try:
                return self._ask_endpoint(paper)
            except Exception as exc:  # any failure: the digest must still go out
                self._endpoint_failed = True
                self.used_fallback = True
                log.warning("summary endpoint failed (%s); using extractive summaries", _describe(exc))
        return extractive_summary(paper.abstract or paper.title)

    def _ask_endpoint(self, paper: Paper) -> str:
        url = self.url.rstrip("/")
        if not url.endswith("/chat/completions"):
            url += "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        body: dict[str, Any] = {
            "model": self.model,
            "temperature": 0.2,
            "max_tokens": 220,
            "messages": [
                {"role": "system", "content": "You summarise arXiv papers for a researcher's weekly digest. "
                 "Answer with one plain-text paragraph of at most three sentences: the problem, "
                 "the method, the main result. No preamble, no markdown."},
                {"role": "user", "content": f"Title: {paper.title}\n\nAbstract: {paper.abstract}"},
            ],
        }
        response = self._session.post(url, json=body, headers=headers, timeout=self.timeout)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        text = " ".join(str(content).split())
        if not text:
            raise ValueError("empty summary")
        return text


def _describe(exc: Exception) -> str:
    """An error line without the request (whose headers hold the API key)."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__
