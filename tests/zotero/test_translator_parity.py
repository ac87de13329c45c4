"""What paperfeed writes vs what Zotero's own arXiv translator (the Connector) saves, field by field.

The expected items are the translator's embedded test cases (../shared/fixtures/zotero/
translator-arxiv-cases.json, provenance in the README beside it). The arXiv metadata of these
papers is not included, so each paper is built from the case's own fields. Remaining differences
(docs/zotero.md, "Differences from Zotero's arXiv translator"):

- papers with a journal DOI: the translator looks the DOI up at doi.org and saves a
  journalArticle / conferencePaper with the journal's fields; paperfeed keeps the preprint (with
  the arXiv DOI, repository, archive ID) and puts the journal DOI in ``extra``;
- no "Snapshot" attachment; the "Preprint PDF" follows ``zotero.pdf``.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sync.arxiv.taxonomy import CATEGORIES, category_tag
from sync.ids import parse_arxiv_id
from sync.models import Paper
from sync.zotero.mapping import build_item_set

ROOT = Path(__file__).resolve().parents[2]
CASES_PATH = ROOT / ".." / "shared" / "fixtures" / "zotero" / "translator-arxiv-cases.json"
PREPRINT_FIELDS = ("title", "abstractNote", "url", "libraryCatalog", "DOI", "archiveID", "repository")
_TAG_TO_CODE = {category_tag(code): code for code in CATEGORIES}
_TAG_TO_CODE.update({CATEGORIES[code]: code for code in CATEGORIES if "." not in code})


def _single_cases() -> list[tuple[str, dict]]:
    if not CASES_PATH.exists():
        return []
    cases = json.loads(CASES_PATH.read_text(encoding="utf-8"))["cases"]
    found = []
    for case in cases:
        if case["items"] == "multiple":
            continue
        for item in case["items"]:
            found.append((case.get("url") or item["url"], item))
    return found


CASES = _single_cases()
pytestmark = pytest.mark.skipif(not CASES, reason="../shared fixtures not present")


def _paper(url: str, item: dict) -> tuple[Paper, int | None]:
    """The paper as arXiv would give it, from the case's own fields; and the version the URL asks for."""
    asked = parse_arxiv_id(url.rstrip("#"))
    first_line = item["extra"].splitlines()[0]
    match = re.match(r"arXiv:(\S+)(?: \[(\S+)\])?", first_line)
    codes = [_TAG_TO_CODE[t["tag"]] for t in item["tags"]]
    primary = match.group(2) or codes[0]  # an old-style id's extra names no category
    categories = tuple(dict.fromkeys([primary, *codes]))
    journal_doi = item["DOI"] if not item["DOI"].lower().startswith("10.48550/") else None
    comment = next((n["note"].removeprefix("Comment: ") for n in item["notes"]
                    if n["note"].startswith("Comment: ")), None)
    date = item["date"]
    updated = datetime.fromisoformat(date).replace(tzinfo=timezone.utc) if re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", date) else datetime(2000, 1, 1, tzinfo=timezone.utc)
    authors = tuple(f"{c['firstName']} {c['lastName']}" for c in item["creators"])
    return Paper(arxiv_id=asked.id, version=asked.version or 1, title=item["title"], authors=authors,
                 abstract=item["abstractNote"], categories=categories, primary_category=primary,
                 comment=comment, doi=journal_doi, updated=updated), asked.version


def _text(note_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", note_html))


@pytest.mark.parametrize("url, expected", CASES, ids=[url.rsplit("/", 2)[-1] or url for url, _ in CASES])
def test_item_matches_zotero_arxiv_translator_field_by_field(url, expected):
    paper, version = _paper(url, expected)
    items = build_item_set(paper, library="users/1", marker_tag="", version=version)
    parent = items.parent
    preprint = expected["itemType"] == "preprint"

    # item type: the translator's journal/conference types come from a doi.org lookup we do not make
    assert parent["itemType"] == "preprint"
    fields = PREPRINT_FIELDS if preprint else ("title", "abstractNote", "url", "libraryCatalog")
    for name in fields:
        assert parent.get(name) == expected.get(name), name
    if preprint:
        assert parent["date"] == expected["date"]
    else:
        # the journal's own fields stay out; the arXiv record's identifiers stay in
        for name in ("publicationTitle", "proceedingsTitle", "volume", "issue", "pages", "ISSN",
                     "journalAbbreviation"):
            assert name not in parent, name
        assert parent["DOI"] == f"10.48550/arXiv.{paper.arxiv_id}"
        assert f"Journal DOI: {expected['DOI']}" in parent["extra"].splitlines()
    # extra: "arXiv:ID [cat]" and "version: N" for a versioned URL, exactly the translator's lines first
    expected_extra = expected["extra"].splitlines()
    assert parent["extra"].splitlines()[:len(expected_extra)] == expected_extra
    assert ("version: " in parent["extra"]) == ("version: " in expected["extra"])
    assert parent.get("shortTitle") == expected.get("shortTitle")
    assert [{k: c[k] for k in ("firstName", "lastName", "creatorType")} for c in parent["creators"]] == \
        expected["creators"]
    assert sorted(t["tag"] for t in parent["tags"]) == sorted(t["tag"] for t in expected["tags"])
    notes = [_text(c["note"]) for c in items.children if c["itemType"] == "note"]
    assert notes == [n["note"] for n in expected["notes"]]
    titles = [c["title"] for c in items.children if c["itemType"] == "attachment"]
    assert titles == [a["title"] for a in expected["attachments"] if a["title"] != "Snapshot"]


def test_parity_covers_every_single_item_case():
    assert len(CASES) == 9
    assert {item["itemType"] for _, item in CASES} == {"preprint", "journalArticle", "conferencePaper"}
