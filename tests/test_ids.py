"""arXiv identifier parsing: every valid form round-trips to the canonical versionless id."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from sync.errors import InvalidArxivIdError
from sync.ids import OLD_STYLE_ARCHIVES, abs_url, arxiv_doi, canonical_id, parse_arxiv_id

months = st.integers(1, 12)
new_style = st.one_of(
    st.builds(lambda y, m, n: f"{y:02d}{m:02d}.{n:04d}", st.integers(7, 14), months, st.integers(0, 9999))
    .filter(lambda s: s >= "0704"),
    st.builds(lambda y, m, n: f"{y:02d}{m:02d}.{n:05d}", st.integers(15, 99), months, st.integers(0, 99999)),
)
old_style = st.builds(lambda a, y, m, n: f"{a}/{y:02d}{m:02d}{n:03d}", st.sampled_from(sorted(OLD_STYLE_ARCHIVES)),
                      st.sampled_from([91, 95, 99, 0, 3, 7]), months, st.integers(0, 999))
canonical = st.one_of(new_style, old_style)
versions = st.one_of(st.just(""), st.integers(1, 30).map(lambda v: f"v{v}"))
forms = st.sampled_from([
    "{id}{v}", "arXiv:{id}{v}", "arxiv:{id}{v}", " {id}{v} ", "oai:arXiv.org:{id}{v}",
    "https://arxiv.org/abs/{id}{v}", "http://arxiv.org/abs/{id}{v}", "https://www.arxiv.org/abs/{id}{v}",
    "https://export.arxiv.org/abs/{id}{v}", "https://arxiv.org/pdf/{id}{v}", "https://arxiv.org/pdf/{id}{v}.pdf",
    "https://arxiv.org/html/{id}{v}", "https://arxiv.org/format/{id}{v}", "https://arxiv.org/src/{id}{v}",
    "arxiv.org/abs/{id}{v}?context=cs", "https://arxiv.org/abs/{id}{v}#section", "https://arxiv.org/abs/{id}{v}/",
])
doi_forms = st.sampled_from(["10.48550/arXiv.{id}", "doi:10.48550/arXiv.{id}", "https://doi.org/10.48550/arXiv.{id}",
                             "10.48550/ARXIV.{id}"])


@given(canonical, versions, forms)
def test_parse_every_form_round_trips_to_canonical(arxiv_id, version, form):
    parsed = parse_arxiv_id(form.format(id=arxiv_id, v=version))
    assert parsed.id == arxiv_id
    assert parsed.version == (int(version[1:]) if version else None)
    assert canonical_id(parsed.versioned) == arxiv_id


@given(canonical, doi_forms)
def test_parse_doi_forms_round_trip(arxiv_id, form):
    assert canonical_id(form.format(id=arxiv_id)) == arxiv_id
    assert canonical_id(arxiv_doi(arxiv_id)) == arxiv_id
    assert canonical_id(abs_url(arxiv_id)) == arxiv_id


@pytest.mark.parametrize("text, expected", [
    ("math.CA/0611800v2", "math/0611800"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("https://arxiv.org/abs/cs.DC/0101001v1", "cs/0101001"),
    ("2501.01234v12", "2501.01234"),
    ("0704.0001", "0704.0001"),
])
def test_parse_examples(text, expected):
    assert canonical_id(text) == expected


@pytest.mark.parametrize("garbage", [
    "", "   ", "hello", "2501.1234", "2501.123456", "1413.00001", "0703.0001", "1501.0001", "2500.00001",
    "foo/9901001", "hep-th/990100", "https://example.com/abs/2501.01234", "2501.01234v0",
    "10.1000/arXiv.2501.01234", "arXiv:", "https://arxiv.org/list/cs.DC/new", "2501.01234v1v2",
])
def test_parse_garbage_is_a_clear_error(garbage):
    with pytest.raises(InvalidArxivIdError, match="arXiv identifier|arXiv archive"):
        parse_arxiv_id(garbage)


@given(st.text(max_size=40))
def test_parse_never_crashes_on_arbitrary_text(text):
    try:
        parsed = parse_arxiv_id(text)
    except InvalidArxivIdError:
        return
    assert canonical_id(parsed.id) == parsed.id


def test_parse_long_garbage_is_not_echoed_in_full():
    with pytest.raises(InvalidArxivIdError) as info:
        parse_arxiv_id("x" * 200_000)
    assert len(info.value.message) < 300
