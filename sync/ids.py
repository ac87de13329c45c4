"""arXiv identifiers in every form users paste, reduced to one canonical id.

Canonical id: versionless, new style ``2501.01234`` or old style ``hep-th/9901001``
(an old-style subject class such as ``math.CA/0611800`` is dropped, as arXiv does).
Accepted forms: bare ids with or without ``vN``, an ``arXiv:`` prefix, ``oai:arXiv.org:``
ids, abs/pdf/html/format/src URLs on arxiv.org / www.arxiv.org / export.arxiv.org
(http or https, optional ``.pdf``, query and fragment), and the DataCite DOI
``10.48550/arXiv.ID`` (bare, ``doi:`` or doi.org URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidArxivIdError

OLD_STYLE_ARCHIVES = frozenset(
    """acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph
    cmp-lg comp-gas cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th
    math math-ph mtrl-th nlin nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio
    quant-ph solv-int supr-con""".split()
)

_NEW = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
_OLD = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[A-Za-z]{2}))?/(?P<oldnum>\d{7})"
_VERSION = r"(?:v(?P<version>[1-9]\d{0,3}))?"
_ID = rf"(?:{_NEW}|{_OLD}){_VERSION}"

_BARE = re.compile(rf"^{_ID}$")
_URL = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format|src)/{_ID}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_DOI = re.compile(
    rf"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.{_ID}$", re.IGNORECASE
)
_PREFIXES = ("arxiv:", "oai:arxiv.org:")


@dataclass(frozen=True, order=True)
class ArxivId:
    """A parsed identifier: ``id`` is canonical and versionless."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id

    def __str__(self) -> str:
        return self.id


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse any accepted form; raise :class:`InvalidArxivIdError` with the input quoted."""
    if not isinstance(text, str):
        raise InvalidArxivIdError(f"not an arXiv identifier: {text!r:.80}")
    candidate = text.strip()
    lowered = candidate.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            candidate = candidate[len(prefix):].strip()
            break
    match = _BARE.match(candidate) or _URL.match(candidate) or _DOI.match(candidate)
    if match is None:
        raise InvalidArxivIdError(
            f"not an arXiv identifier: {_shown(text)} (expected e.g. 2501.01234, hep-th/9901001, "
            "arXiv:2501.01234v2, https://arxiv.org/abs/2501.01234)",
            details={"input": text[:200]},
        )
    groups = match.groupdict()
    version = int(groups["version"]) if groups.get("version") else None
    if groups.get("yymm"):
        _check_new_style(groups["yymm"], groups["num"], text)
        return ArxivId(f"{groups['yymm']}.{groups['num']}", version)
    archive = groups["archive"].lower()
    if archive not in OLD_STYLE_ARCHIVES:
        raise InvalidArxivIdError(f"unknown arXiv archive {archive!r} in {_shown(text)}", details={"input": text[:200]})
    _check_month(groups["oldnum"][2:4], text)
    return ArxivId(f"{archive}/{groups['oldnum']}", version)


def canonical_id(text: str) -> str:
    """The canonical versionless id of any accepted form."""
    return parse_arxiv_id(text).id


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidArxivIdError:
        return False
    return True


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


def arxiv_doi(arxiv_id: str) -> str:
    return f"10.48550/arXiv.{arxiv_id}"


def _shown(text: str) -> str:
    """The input as quoted in an error: long garbage is cut, not echoed back in full."""
    return repr(text if len(text) <= 80 else text[:80] + "...")


def _check_month(mm: str, text: str) -> None:
    if not 1 <= int(mm) <= 12:
        raise InvalidArxivIdError(f"not an arXiv identifier (month {mm}): {_shown(text)}", details={"input": text[:200]})


def _check_new_style(yymm: str, num: str, text: str) -> None:
    _check_month(yymm[2:], text)
    # New-style ids began in 2007-04; five-digit numbers in 2015-01.
    if int(yymm) < 704 or (len(num) == 5) != (int(yymm) >= 1501):
        raise InvalidArxivIdError(f"not an arXiv identifier: {_shown(text)}", details={"input": text[:200]})
