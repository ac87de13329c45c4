"""File mode of ranking: libraries and candidates from files, results as JSON Lines.

For evaluation and for users without Zotero. Candidates are JSON Lines with the
fields of the dev data set (``id``, ``title``, ``abstract``, ``authors``,
``categories``, ``announced``). A library may be the same JSON Lines, a BibTeX
file, or a Zotero JSON export (CSL-JSON from "Export Library...", or Zotero Web
API items). Bad input raises :class:`InvalidInputError` naming the file and line.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .errors import InvalidInputError
from .ids import canonical_id
from .models import LibraryItem, Paper
from .ranking import ScoredPaper
from .sample import paper_from_record


def _open_text(path: Path):
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rt", encoding="utf-8")
        return path.open("r", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc


def read_jsonl(path: Path) -> list[dict]:
    records = []
    with _open_text(path) as lines:
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
                if not isinstance(record, dict):
                    raise InvalidInputError(f"{path}:{number}: expected a JSON object")
                records.append(record)
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{path}: not UTF-8 text") from exc
    return records


def read_candidates(path: Path) -> list[Paper]:
    papers = []
    for number, record in enumerate(read_jsonl(path), start=1):
        if not record.get("id") or not record.get("title"):
            raise InvalidInputError(f"{path}: record {number} needs at least \"id\" and \"title\"")
        try:
            papers.append(paper_from_record(record))
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"{path}: record {number}: {exc}") from exc
    return papers


def read_library(path: Path) -> list[LibraryItem]:
    """Library items from JSON Lines, BibTeX (.bib) or a Zotero/CSL JSON export (.json)."""
    name = path.name.lower()
    if name.endswith((".bib", ".bibtex")):
        return _from_bibtex(path)
    if name.endswith(".json"):
        with _open_text(path) as handle:
            try:
                data = json.load(handle)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise InvalidInputError(f"{path}: not a JSON export ({exc})") from exc
        if isinstance(data, dict):
            data = data.get("items", [data])
        if not isinstance(data, list):
            raise InvalidInputError(f"{path}: expected a list of items")
        return [_from_json_item(r, n) for n, r in enumerate(data) if isinstance(r, dict) and _is_regular(r)]
    return [_from_record(r, n) for n, r in enumerate(read_jsonl(path))]


def _from_record(record: dict, n: int) -> LibraryItem:
    added = record.get("date_added") or record.get("announced")
    return LibraryItem(key=str(record.get("key") or f"FILE{n:05d}"), title=record.get("title") or "",
                       abstract=record.get("abstract") or "", date_added=_date(added),
                       creators=tuple(record.get("authors") or ()), tags=tuple(record.get("tags") or ()),
                       arxiv_id=_arxiv(record.get("id")))


def _is_regular(item: dict) -> bool:
    data = item.get("data", item)
    return data.get("itemType", data.get("type", "")) not in ("note", "attachment", "annotation")


def _from_json_item(item: dict, n: int) -> LibraryItem:
    """A Zotero Web API item ({"key", "data": {...}}) or a CSL-JSON entry."""
    data = item.get("data", item)
    creators = data.get("creators") or data.get("author") or []
    names = tuple(" ".join(p for p in (c.get("firstName") or c.get("given"), c.get("lastName") or c.get("family"))
                           if p) or c.get("name", "") for c in creators if isinstance(c, dict))
    tags = tuple(t.get("tag", "") if isinstance(t, dict) else str(t) for t in data.get("tags") or ())
    url = data.get("url") or data.get("URL") or ""
    return LibraryItem(
        key=str(item.get("key") or data.get("key") or data.get("id") or f"JSON{n:05d}"),
        title=data.get("title") or "", abstract=data.get("abstractNote") or data.get("abstract") or "",
        date_added=_date(data.get("dateAdded")), creators=names, tags=tuple(t for t in tags if t),
        collections=tuple(data.get("collections") or ()), arxiv_id=_arxiv(url) or _arxiv(data.get("archiveID")),
        doi=data.get("DOI") or None, url=url or None)


def _from_bibtex(path: Path) -> list[LibraryItem]:
    import bibtexparser

    with _open_text(path) as handle:
        try:
            database = bibtexparser.load(handle)
        except Exception as exc:  # bibtexparser raises plain exceptions on broken files
            raise InvalidInputError(f"{path}: not a BibTeX file ({exc})") from exc
    items = []
    for n, entry in enumerate(database.entries):
        authors = tuple(a.strip() for a in entry.get("author", "").replace("\n", " ").split(" and ") if a.strip())
        arxiv = _arxiv(entry.get("eprint")) if entry.get("archiveprefix", "").lower() == "arxiv" else None
        items.append(LibraryItem(
            key=entry.get("ID") or f"BIB{n:05d}", title=entry.get("title", "").strip("{}"),
            abstract=entry.get("abstract", ""), creators=authors, doi=entry.get("doi"),
            tags=tuple(k.strip() for k in entry.get("keywords", "").split(",") if k.strip()),
            arxiv_id=arxiv or _arxiv(entry.get("url")), url=entry.get("url")))
    return items


def _date(value) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _arxiv(value) -> str | None:
    if not value:
        return None
    try:
        return canonical_id(str(value))
    except Exception:
        return None


def write_results(path: Path, scored: Iterable[ScoredPaper]) -> int:
    """JSON Lines {id, score, reason, tags}, best first; written atomically (temp file, then rename)."""
    rows = [json.dumps({"id": s.paper.arxiv_id, "score": s.score, "reason": s.reason, "tags": list(s.tags)},
                       ensure_ascii=False) for s in scored]
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {exc}") from exc
    return len(rows)
