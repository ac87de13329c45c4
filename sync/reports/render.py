"""Format report models as Markdown and HTML, from the same templates' content.

HTML uses Jinja2 with autoescaping on, so paper titles, abstracts and comments
(text from arXiv, i.e. from strangers) can never become markup. Markdown has no
escaping library: ``md_escape`` backslash-escapes the characters CommonMark
would interpret, so ``<script>`` in a title stays text in any Markdown viewer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..models import AnnounceType, Paper
from ..safe_text import xml_safe
from .model import DailyReport, WeeklyReport

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_MAX_AUTHORS = 15


def md_escape(text: str) -> str:
    """Inline Markdown text: one line, CommonMark punctuation escaped."""
    one_line = " ".join(str(text).split())
    return _ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", one_line))


def abs_url(paper: Paper) -> str:
    return "https://arxiv.org/abs/" + quote(paper.arxiv_id, safe="/")


def pdf_url(paper: Paper) -> str:
    return "https://arxiv.org/pdf/" + quote(paper.arxiv_id, safe="/")


def authors_line(authors: tuple[str, ...]) -> str:
    if not authors:
        return "unknown authors"
    if len(authors) <= _MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:_MAX_AUTHORS]) + f" and {len(authors) - _MAX_AUTHORS} more"


def categories_line(paper: Paper) -> str:
    others = [c for c in paper.categories if c != paper.primary_category]
    head = f"{paper.primary_category} (primary)" if paper.primary_category else ""
    return ", ".join([head, *others] if head else others)


def listing_note(paper: Paper) -> str:
    notes = {AnnounceType.CROSS: " · cross-list", AnnounceType.REPLACE: " · updated version",
             AnnounceType.REPLACE_CROSS: " · updated cross-list"}
    return notes.get(paper.announce_type, "") if paper.announce_type else ""


def paper_date(paper: Paper) -> str:
    if paper.published:
        return paper.published.date().isoformat()
    return paper.announce_date.isoformat() if paper.announce_date else ""


def _codes(labels: tuple[str, ...]) -> str:
    return " ".join(f"`{label.replace('`', '')}`" for label in labels)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _environment(mode: str) -> Environment:
    """``mode``: "html" (autoescaped), "md" (Markdown-escaped) or "text" (plain, for email)."""
    env = Environment(
        loader=PackageLoader("sync.reports", "templates"),
        autoescape=select_autoescape(["html.j2"]) if mode == "html" else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=_one_line if mode == "text" else md_escape, cell=_one_line if mode == "text" else md_escape,
        abs_url=abs_url, pdf_url=pdf_url, authors=authors_line,
        categories=categories_line, listing=listing_note, paper_date=paper_date, codes=_codes,
    )
    env.globals["plain"] = mode == "text"
    return env


@lru_cache(maxsize=3)
def _env(mode: str) -> Environment:
    return _environment(mode)


def _tidy_markdown(text: str) -> str:
    """Collapse the blank-line runs that template conditionals leave behind."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _render(kind: str, report: DailyReport | WeeklyReport, fmt: str) -> str:
    """``fmt``: "md", "html", or "text" (the Markdown layout unescaped: an email's plain-text part)."""
    if fmt == "html":
        return xml_safe(_env("html").get_template(f"{kind}.html.j2").render(r=report))
    return xml_safe(_tidy_markdown(_env(fmt).get_template(f"{kind}.md.j2").render(r=report)))


def render_daily(report: DailyReport, fmt: str) -> str:
    return _render("daily", report, fmt)


def render_weekly(report: WeeklyReport, fmt: str) -> str:
    return _render("weekly", report, fmt)
