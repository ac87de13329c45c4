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
would break a document. Citation keys are arXiv's: ``<first author's surname><year>
<first four significant title words>``, joined, hyphens removed
(``devlin2019bertpretrainingdeepbidirectional``); :func:`citation_key_candidates` lists
the fallbacks the store picks from so keys stay stable and collision-free.
"""

from __future__ import annotations

import re
import unicodedata

from .models import Paper
from .zotero.names import split_name

# arXiv's export drops function words and keeps content words: "Attention Is All You Need" ->
# "attentionneed" (is, all, you dropped); "Language Models are Few-Shot Learners" -> are dropped;
# "Did Aristotle Use a Laptop?" keeps "did" and "use"; "The Llama 3 Herd of Models" keeps "3".
# So: articles, prepositions, conjunctions, forms of "to be", pronouns and "all"; not verbs.
_STOPWORDS = frozenset("""a an the of and or nor but are is am was were be been being with without
all you your yours we our ours it its they their them he she his her i me my this that these those
for in on at to by from as into onto via per vs versus over under than then so if""".split())
TITLE_WORDS = 4  # arXiv's keys carry the first four significant title words
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
    title = re.sub(r"\$.*?\$", " ", paper.title)
    title = re.sub(r"(?<=\w)[-\u2010\u2011](?=\w)", "", title)  # hyphens removed: "Few-Shot" -> "fewshot"
    words = [w for w in (_fold(w) for w in re.split(r"[\s/:]+", title)) if w and w not in _STOPWORDS]
    key = f"{author or 'anonymous'}{_year(paper)}{''.join(words[:TITLE_WORDS])}"
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
