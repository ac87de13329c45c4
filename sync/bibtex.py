"""BibTeX for a paper, in arXiv's own export style.

arXiv's "Export BibTeX citation" gives::

    @misc{vaswani2023attentionneed,
          title={Attention Is All You Need},
          author={Ashish Vaswani and Noam Shazeer and ...},
          year={2023},
          eprint={1706.03762},
          archivePrefix={arXiv},
          primaryClass={cs.CL},
          url={https://arxiv.org/abs/1706.03762},
    }

We write the same fields (plus ``doi`` for a paper with a journal DOI). Text is
escaped for LaTeX outside ``$...$`` math: ``& % # _`` and unbalanced braces
would break a document. Citation keys are ``<first author's last name><year>
<first two significant title words>``; :func:`citation_key_candidates` lists the
fallbacks the store picks from so keys stay stable and collision-free.
"""

from __future__ import annotations

import re
import unicodedata

from .models import Paper
from .zotero.names import split_name

_STOPWORDS = frozenset("""a an and are as at be by can do does for from has have how in into is it its
its of on or our the their this to towards toward via vs we what when where which who why with without
all you your not new using use based""".split())
_MATH = re.compile(r"(\$\$.+?\$\$|\$.+?\$)", re.DOTALL)
_SPECIALS = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
             "^": r"\textasciicircum{}"}


def _fold(text: str) -> str:
    """ASCII letters/digits only: "Müller-Lüdenscheidt" -> "mullerludenscheidt"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def _year(paper: Paper) -> str:
    when = paper.updated or paper.published
    if when:
        return str(when.year)
    if paper.announce_date:
        return str(paper.announce_date.year)
    match = re.match(r"^(\d{2})(\d{2})\.", paper.arxiv_id) or re.match(r"^[a-z-]+(?:\.[A-Z]{2})?/(\d{2})", paper.arxiv_id)
    if match:
        yy = int(match.group(1))
        return str(2000 + yy if yy < 91 else 1900 + yy)
    return ""


def base_citation_key(paper: Paper) -> str:
    author = _fold(split_name(paper.authors[0]).get("lastName") or split_name(paper.authors[0]).get("name", "")) \
        if paper.authors else ""
    words = [w for w in (_fold(w) for w in re.split(r"[\s\-/:]+", re.sub(r"\$.*?\$", " ", paper.title)))
             if w and w not in _STOPWORDS]
    key = f"{author or 'anonymous'}{_year(paper)}{''.join(words[:2])}"
    return key or _fold(paper.arxiv_id)


def citation_key_candidates(paper: Paper) -> list[str]:
    """The base key, then base+a ... base+z, then base + the arXiv id (always free)."""
    base = base_citation_key(paper)
    return [base, *(base + chr(c) for c in range(ord("a"), ord("z") + 1)), f"{base}_{_fold(paper.arxiv_id)}"]


def escape_latex(text: str) -> str:
    """Escape LaTeX specials outside math; replace braces only when they do not balance."""
    text = " ".join(text.split())
    parts = _MATH.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # math: keep as written
            out.append(part)
            continue
        escaped = re.sub(r"(?<!\\)[&%#_~^]", lambda m: _SPECIALS[m.group(0)], part)
        out.append(escaped)
    result = "".join(out)
    if not _balanced(result):
        # BibTeX counts even escaped braces, so unbalanced ones become brace-free commands
        result = re.sub(r"(?<!\\)[{}]",
                        lambda m: r"\textbraceleft{}" if m.group(0) == "{" else r"\textbraceright{}", result)
    return result


def _balanced(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        if index and text[index - 1] == "\\":
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _author(name: str) -> str:
    text = escape_latex(name)
    # a name that itself contains " and " (a collaboration) must stay one author
    return f"{{{text}}}" if re.search(r"\band\b", text) else text


def bibtex_entry(paper: Paper, *, key: str | None = None) -> str:
    """The entry for ``paper``; ``key`` is the citation key the store assigned (else the base key)."""
    fields = [
        ("title", escape_latex(paper.title)),
        ("author", " and ".join(_author(a) for a in paper.authors)),
        ("year", _year(paper)),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category),
        ("url", f"https://arxiv.org/abs/{paper.arxiv_id}"),
    ]
    if paper.doi:
        fields.append(("doi", paper.doi))
    body = "".join(f"      {name}={{{value}}},\n" for name, value in fields if value)
    return f"@misc{{{key or base_citation_key(paper)},\n{body}}}\n"
