"""Item mapping: what we save equals what Zotero's arXiv translator saves, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from tests.zotero.helpers import fixture_papers, make_paper

from sync.arxiv.taxonomy import CATEGORIES, category_tag
from sync.bibtex import base_citation_key, bibtex_entry, escape_latex
from sync.errors import InvalidInputError
from sync.zotero.keys import KEY_ALPHABET, item_key
from sync.zotero.mapping import arxiv_id_of, build_item_set, library_item_from_zotero
from sync.zotero.names import split_name
from sync.zotero.schema import validate_item

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("api_2026-05_id_astro-ph_0601001_affiliations_jref.xml", "astro-ph/0601001"),  # old-style id
    ("api_2026-04_search_testing_m10_doi.xml", "2202.12139"),  # journal DOI: a preprint, reference in extra
    ("api_new_idlist_missing_ids_2025-11.xml", "2201.13452"),  # new-style preprint with a comment
]


@pytest.mark.parametrize("fixture, arxiv_id", CASES)
def test_build_item_set_matches_translator_field_by_field(fixture, arxiv_id):
    paper = fixture_papers(fixture)[arxiv_id]
    expected = json.loads((GOLDEN / f"{arxiv_id.replace('/', '_')}.json").read_text(encoding="utf-8"))
    items = build_item_set(paper, library="users/1", marker_tag="")
    parent = items.parent
    for field in ("itemType", "title", "date", "abstractNote", "url", "libraryCatalog", "extra", "DOI",
                  "repository", "archiveID"):
        assert parent.get(field) == expected.get(field), field
    assert [{k: c[k] for k in ("firstName", "lastName", "creatorType")} for c in parent["creators"]] == \
        expected["creators"]
    assert [t["tag"] for t in parent["tags"]] == [t["tag"] for t in expected["tags"]]
    assert all(t["type"] == 1 for t in parent["tags"])  # automatic tags, as translators write them
    notes = [c for c in items.children if c["itemType"] == "note"]
    assert [n["note"] for n in notes] == [f"<p>{e['note']}</p>" for e in expected["notes"]]
    [pdf] = [c for c in items.children if c["itemType"] == "attachment"]
    assert (pdf["title"], pdf["contentType"], pdf["url"], pdf["linkMode"]) == (
        "Preprint PDF", "application/pdf", expected["attachments"][0]["url"], "linked_url")
    assert "publicationTitle" not in parent  # a journal reference string is never a publication title
    assert parent.get("shortTitle") == expected.get("shortTitle")


def test_build_item_set_adds_user_tags_marker_collection_bibtex_and_keys():
    paper = make_paper(1)
    items = build_item_set(paper, library="users/1", tags=("to read", "Computer Science - Machine Learning"),
                           collections=("ABCD2345",), marker_tag="paperfeed", citation_key="lovelace2025study",
                           bibtex="@misc{x,}", note="look at section 3")
    tags = [(t["tag"], t.get("type", 0)) for t in items.parent["tags"]]
    assert tags == [("Computer Science - Distributed, Parallel, and Cluster Computing", 1),
                    ("Computer Science - Machine Learning", 1), ("to read", 0), ("paperfeed", 1)]
    assert items.parent["collections"] == ["ABCD2345"] and items.parent["citationKey"] == "lovelace2025study"
    assert items.parent["version"] == 0 and items.key == item_key("users/1", "2501.00001")
    assert [c["key"] for c in items.children] == [item_key("users/1", "2501.00001", r) for r in
                                                   ("note:comment", "note:bibtex", "note:user", "attachment:pdf")]
    assert all(c["parentItem"] == items.key and c["version"] == 0 for c in items.children)


def test_item_key_is_deterministic_per_library_and_paper():
    key = item_key("users/1", "2501.00001")
    assert key == item_key("users/1", "2501.00001") and len(key) == 8 and set(key) <= set(KEY_ALPHABET)
    assert key != item_key("groups/1", "2501.00001") and key != item_key("users/1", "2501.00002")


@pytest.mark.parametrize("data, message", [
    ({"itemType": "preprint", "journalAbbreviation": "x"}, "not a valid field"),
    ({"itemType": "preprintt"}, "unknown Zotero item type"),
    ({"itemType": "preprint", "title": 3}, "must be a string"),
    ({"itemType": "preprint", "creators": [{"creatorType": "bookAuthor", "name": "X"}]}, "creator type"),
    ({"itemType": "preprint", "tags": [{"tag": "x" * 256}]}, "longer than 255"),
    ({"itemType": "preprint", "tags": [{"tag": " "}]}, "non-empty"),
])
def test_validate_item_rejects_what_the_schema_forbids(data, message):
    with pytest.raises(InvalidInputError, match=message):
        validate_item(data)


@pytest.mark.parametrize("name, expected", [
    ("Johannes Diderik van der Waals", {"firstName": "Johannes Diderik", "lastName": "van der Waals"}),
    ("Oscar de la Hoya", {"firstName": "Oscar", "lastName": "de la Hoya"}),
    ("Ludwig van Beethoven", {"firstName": "Ludwig", "lastName": "van Beethoven"}),
    ("Martin Luther King Jr.", {"firstName": "Martin Luther, Jr.", "lastName": "King"}),
    ("Lovelace, Ada", {"firstName": "Ada", "lastName": "Lovelace"}),
    ("Aristotle", {"name": "Aristotle"}),
    ("ATLAS Collaboration", {"name": "ATLAS Collaboration"}),
    ("Jean-Pierre  Serre", {"firstName": "Jean-Pierre", "lastName": "Serre"}),
    ("B. Scott Gaudi", {"firstName": "B. Scott", "lastName": "Gaudi"}),
])
def test_split_name_handles_particles_suffixes_and_single_names(name, expected):
    assert split_name(name) == expected


@pytest.mark.parametrize("code, tag", [
    ("cs.DC", "Computer Science - Distributed, Parallel, and Cluster Computing"),
    ("math-ph", "Mathematical Physics"), ("astro-ph", "Astrophysics"),
    ("astro-ph.GA", "Astrophysics - Astrophysics of Galaxies"), ("q-bio.NC", "Quantitative Biology - Neurons and Cognition"),
    ("stat.ML", "Statistics - Machine Learning"), ("eess.SY", "Electrical Engineering and Systems Science - Systems and Control"),
    ("not.AREAL", "not.AREAL"),
])
def test_category_tag_uses_full_official_names(code, tag):
    assert category_tag(code) == tag


def test_taxonomy_covers_every_category_of_the_fixtures():
    for fixture, _ in CASES:
        for paper in fixture_papers(fixture).values():
            assert all(c in CATEGORIES for c in paper.categories if "." in c or "-" in c), paper.categories


@pytest.mark.parametrize("data, arxiv_id", [
    ({"archiveID": "arXiv:2501.01234"}, "2501.01234"),
    ({"url": "https://arxiv.org/abs/2501.01234v3"}, "2501.01234"),
    ({"DOI": "10.48550/arXiv.hep-th/9901001"}, "hep-th/9901001"),
    ({"extra": "Some note\narXiv: 2501.01234 [cs.LG]"}, "2501.01234"),
    ({"url": "https://example.org/paper", "DOI": "10.1000/x"}, None),
])
def test_arxiv_id_of_recognises_items_saved_by_other_means(data, arxiv_id):
    assert arxiv_id_of(data) == arxiv_id


def test_library_item_from_zotero_skips_children_and_reads_fields():
    assert library_item_from_zotero({"key": "A2345678", "itemType": "note", "note": "x"}) is None
    item = library_item_from_zotero({
        "key": "A2345678", "version": 7, "itemType": "journalArticle", "title": "T", "abstractNote": "A",
        "creators": [{"creatorType": "author", "firstName": "Ada", "lastName": "Lovelace"}, {"name": "CERN"}],
        "tags": [{"tag": "x"}, {"tag": "y", "type": 1}], "collections": ["C2345678"], "DOI": "10.1/X",
        "url": "http://arxiv.org/abs/2501.01234", "dateAdded": "2024-05-01T10:00:00Z"})
    assert (item.version, item.creators, item.tags, item.arxiv_id, item.doi) == (
        7, ("Ada Lovelace", "CERN"), ("x", "y"), "2501.01234", "10.1/X")


# BibTeX ------------------------------------------------------------------------------------
def _parse(entry: str) -> dict:
    parser = bibtexparser.bparser.BibTexParser(common_strings=True)
    [parsed] = bibtexparser.loads(entry, parser=parser).entries
    return parsed


@pytest.mark.parametrize("fixture, arxiv_id", CASES)
def test_bibtex_entry_round_trips_through_bibtexparser(fixture, arxiv_id):
    paper = fixture_papers(fixture)[arxiv_id]
    parsed = _parse(bibtex_entry(paper))
    assert parsed["ENTRYTYPE"] == "misc" and parsed["ID"] == base_citation_key(paper)
    assert (parsed["eprint"], parsed["archiveprefix"], parsed["primaryclass"], parsed["url"]) == (
        arxiv_id, "arXiv", paper.primary_category, f"https://arxiv.org/abs/{arxiv_id}")
    assert parsed["year"] == str(paper.updated.year)
    assert parsed["author"].split(" and ") == list(paper.authors)
    assert parsed.get("doi") == paper.doi


def test_bibtex_entry_escapes_latex_specials_and_unbalanced_braces():
    paper = make_paper(3, title="50% faster R&D for C# with snake_case {oops", authors=("ATLAS and CMS Collaborations",))
    parsed = _parse(bibtex_entry(paper))
    assert parsed["title"] == r"50\% faster R\&D for C\# with snake\_case \textbraceleft{}oops"
    assert parsed["author"] == "{ATLAS and CMS Collaborations}"


@pytest.mark.parametrize("text, escaped", [
    ("$O(n^2)$ time & space", r"$O(n^2)$ time \& space"),
    ("the {B}-meson", "the {B}-meson"),
    ("already \\& escaped", "already \\& escaped"),
    ("a ~ b ^ c", r"a \textasciitilde{} b \textasciicircum{} c"),
    ("x} and {y} {z", r"x\textbraceright{} and \textbraceleft{}y\textbraceright{} \textbraceleft{}z"),
])
def test_escape_latex_keeps_math_and_balanced_braces(text, escaped):
    assert escape_latex(text) == escaped


def test_base_citation_key_follows_arxiv_style():
    paper = make_paper(4, title="Attention Is All You Need", authors=("Ashish Vaswani",))
    assert base_citation_key(paper) == "vaswani2025attentionneed"
    paper = make_paper(5, title="Über Größen", authors=("José Müller van den Berg",))
    assert base_citation_key(paper) == "vandenberg2025ubergroen"
