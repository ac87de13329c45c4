"""Paper -> the Zotero objects Zotero's own arXiv translator would save; Zotero item -> LibraryItem.

Parent item: a ``preprint`` with the fields the arXiv.org translator sets
(checked field by field against the translator's own test cases in
tests/zotero/test_translator_parity.py): ``extra`` is ``arXiv:ID [primary]``, then
``version: N`` when a versioned id was saved, then ``Journal reference: ...`` and
the journal DOI (``Journal DOI: ...``) when arXiv lists them (the translator turns such a paper into a
journal article through a doi.org lookup; paperfeed does not contact doi.org and
keeps the preprint, never putting a reference string into ``publicationTitle``);
``shortTitle`` is the part before a colon, as the translator sets it. One automatic
tag (type 1) per category with its full name; the user's and suggested tags
(type 0) and the marker tag (type 1). Children: a "Comment: ..." note, the BibTeX
note, the user's note, and a linked-URL "Preprint PDF" attachment. Every object
carries a deterministic key and ``version: 0`` (see :mod:`sync.zotero.keys`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from ..arxiv.taxonomy import category_tag
from ..errors import InvalidArxivIdError
from ..ids import parse_arxiv_id
from ..models import LibraryItem, Paper
from .keys import item_key
from .names import display_name, split_name
from .schema import validate_item

ARXIV_DOI_PREFIX = "10.48550/arxiv."


@dataclass(frozen=True)
class ItemSet:
    """A paper's parent item and its children, ready to POST (parent first)."""

    arxiv_id: str
    key: str
    parent: dict
    children: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def objects(self) -> list[dict]:
        return [self.parent, *self.children]


def journal_doi(paper: Paper) -> str | None:
    """The paper's journal DOI (not arXiv's own 10.48550 DOI), if arXiv lists one."""
    if paper.doi and not paper.doi.lower().startswith(ARXIV_DOI_PREFIX):
        return paper.doi.strip()
    return None


def _date(paper: Paper) -> str:
    when = paper.updated or paper.published
    if when:
        return when.date().isoformat()
    return paper.announce_date.isoformat() if paper.announce_date else ""


def _tags(paper: Paper, user_tags: tuple[str, ...], marker_tag: str) -> list[dict]:
    tags: list[dict] = []
    seen: set[str] = set()

    def add(text: str, kind: int) -> None:
        text = " ".join(text.split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            tags.append({"tag": text, "type": kind} if kind else {"tag": text})

    for category in paper.categories or ((paper.primary_category,) if paper.primary_category else ()):
        add(category_tag(category), 1)
    for tag in user_tags:
        add(tag, 0)
    if marker_tag:
        add(marker_tag, 1)
    return tags


def _note_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip()) or "<p></p>"


def build_item_set(paper: Paper, *, library: str, tags: tuple[str, ...] = (), collections: tuple[str, ...] = (),
                   marker_tag: str = "paperfeed", citation_key: str = "", bibtex: str = "",
                   note: str | None = None, pdf: str = "link", version: int | None = None) -> ItemSet:
    """The objects to write for ``paper`` into ``library`` ("users/1"), validated against the schema."""
    arxiv_id = paper.arxiv_id
    key = item_key(library, arxiv_id)
    doi = journal_doi(paper)
    primary = paper.primary_category or (paper.categories[0] if paper.categories else "")
    old_style = "/" in arxiv_id
    title = " ".join(paper.title.split())
    extra = [f"arXiv:{arxiv_id}" if old_style or not primary else f"arXiv:{arxiv_id} [{primary}]"]
    if version:
        extra.append(f"version: {version}")
    if paper.journal_ref and paper.journal_ref.strip():
        extra.append(f"Journal reference: {' '.join(paper.journal_ref.split())}")
    if doi:
        extra.append(f"Journal DOI: {doi}")
    parent: dict = {
        "key": key, "version": 0,
        "itemType": "preprint",
        "title": title,
        "creators": [{"creatorType": "author", **split_name(a)} for a in paper.authors if a.strip()],
        "abstractNote": " ".join(paper.abstract.split()),
        "date": _date(paper),
        "url": f"http://arxiv.org/abs/{arxiv_id}",
        "libraryCatalog": "arXiv.org",
        "extra": "\n".join(extra),
        "repository": "arXiv", "archiveID": f"arXiv:{arxiv_id}", "DOI": f"10.48550/arXiv.{arxiv_id}",
        "tags": _tags(paper, tuple(tags), marker_tag),
        "collections": list(dict.fromkeys(collections)),
        "relations": {},
    }
    short = title.split(":", 1)[0].strip() if ":" in title else ""
    if short and short != title:
        parent["shortTitle"] = short
    if citation_key:
        parent["citationKey"] = citation_key
    children: list[dict] = []

    def child(role: str, data: dict) -> None:
        children.append({"key": item_key(library, arxiv_id, role), "version": 0, "parentItem": key,
                         "tags": [], "relations": {}, **data})

    if paper.comment and paper.comment.strip():
        child("note:comment", {"itemType": "note", "note": _note_html("Comment: " + " ".join(paper.comment.split()))})
    if bibtex:
        child("note:bibtex", {"itemType": "note",
                              "note": f"<h2>BibTeX</h2>\n<pre>{html.escape(bibtex.strip())}</pre>"})
    if note and note.strip():
        child("note:user", {"itemType": "note", "note": _note_html(note.strip())})
    if pdf == "link":
        child("attachment:pdf", pdf_link(paper))
    elif pdf == "file":
        # the Connector's "Preprint PDF": a stored file (its bytes go up through the upload protocol)
        child("attachment:pdf-file", {"itemType": "attachment", "linkMode": "imported_url", "title": "Preprint PDF",
                                      "url": f"http://arxiv.org/pdf/{arxiv_id}v{paper.version}",
                                      "contentType": "application/pdf", "charset": "",
                                      "filename": pdf_filename(paper)})
    for obj in (parent, *children):
        validate_item(obj)
    return ItemSet(arxiv_id=arxiv_id, key=key, parent=parent, children=tuple(children))


def pdf_link(paper: Paper) -> dict:
    """A linked-URL "Preprint PDF" attachment's fields (no upload, no storage quota)."""
    return {"itemType": "attachment", "linkMode": "linked_url", "title": "Preprint PDF",
            "url": f"http://arxiv.org/pdf/{paper.arxiv_id}v{paper.version}", "contentType": "application/pdf",
            "charset": ""}


def pdf_filename(paper: Paper) -> str:
    return f"{paper.arxiv_id.replace('/', '_')}v{paper.version}.pdf"


def file_attachment(items: ItemSet) -> dict | None:
    """The stored-file PDF attachment of an item set (``zotero.pdf = file``), if any."""
    return next((c for c in items.children if c.get("linkMode") == "imported_url"), None)


# Zotero -> our index ---------------------------------------------------------------------
NON_REGULAR_TYPES = frozenset({"note", "attachment", "annotation"})


def arxiv_id_of(data: dict) -> str | None:
    """The arXiv id of a Zotero item saved by any means (archiveID, url, DOI, extra), else None."""
    candidates = [data.get("archiveID", ""), data.get("url", ""), data.get("DOI", "")]
    for line in (data.get("extra") or "").splitlines():
        if line.lower().startswith("arxiv"):
            candidates.append(line.split(":", 1)[-1].strip().split(" ")[0])
    # "arXiv:ID" anywhere in extra (e.g. "Preprint arXiv:2501.00100v2", as some importers write it)
    candidates += re.findall(r"arxiv:\s*([\w./-]+)", data.get("extra") or "", re.IGNORECASE)
    if "arxiv" in (data.get("repository", "") + data.get("publisher", "") + data.get("libraryCatalog", "")).lower():
        candidates.append(data.get("number", ""))
    for text in candidates:
        if not text:
            continue
        text = text.strip()
        if text.lower().startswith("arxiv:"):
            text = text[6:].strip()
        try:
            return parse_arxiv_id(text.split(" ")[0]).id
        except InvalidArxivIdError:
            continue
    return None


def citation_key_of(data: dict) -> str | None:
    if data.get("citationKey"):
        return data["citationKey"]
    match = re.search(r"^Citation Key:\s*(\S+)", data.get("extra") or "", re.MULTILINE)
    return match.group(1) if match else None


def library_item_from_zotero(data: dict) -> LibraryItem | None:
    """Our index entry for an item's ``data``; None for notes, attachments and annotations."""
    if data.get("itemType") in NON_REGULAR_TYPES or data.get("parentItem"):
        return None
    added = data.get("dateAdded")
    doi = data.get("DOI") or None
    if not doi:
        match = re.search(r"^DOI:\s*(\S+)", data.get("extra") or "", re.MULTILINE)
        doi = match.group(1) if match else None
    return LibraryItem(
        key=data["key"], version=int(data.get("version", 0)), title=data.get("title", "") or "",
        abstract=data.get("abstractNote", "") or "", item_type=data.get("itemType", ""),
        date_added=datetime.fromisoformat(added.replace("Z", "+00:00")) if added else None,
        creators=tuple(display_name(c) for c in data.get("creators", []) if display_name(c)),
        tags=tuple(t["tag"] for t in data.get("tags", []) if t.get("tag")),
        collections=tuple(data.get("collections", [])), arxiv_id=arxiv_id_of(data), doi=doi,
        url=data.get("url") or None,
    )
