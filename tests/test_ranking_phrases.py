"""Phrases that mark the library: learned from it, named in the reason, lifting papers the contrast model misses."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from sync.models import LibraryItem, Paper
from sync.ranking import Profile, RankOptions, rank_papers
from sync.ranking.phrases import (DISMISSAL_BLAME, FEEDBACK_PRIOR, MIN_BACKGROUND_DOCS, PHRASE_WEIGHT, library_phrases,
                                  phrase_evidence, phrases_of)
from tests.support.dev_data import dev_records

NOW = datetime(2025, 9, 24, 12, tzinfo=timezone.utc)
FILLER = ("We study a model and report results on standard benchmarks with a new training method that "
          "improves accuracy over strong baselines.")


def _background(n: int = 200) -> list[str]:
    topics = ("language models", "graph networks", "protein folding")
    return [f"Paper {i} on {topics[i % len(topics)]}. {FILLER}" for i in range(n)]


def test_phrases_pair_words_after_stop_words_and_ignore_a_plural_s():
    found = phrases_of("Point clouds for the analysis of 3D scenes")
    assert found == {"point": "point", "cloud": "clouds", "analysis": "analysis", "scene": "scenes",
                     "point cloud": "point clouds", "cloud analysis": "clouds analysis",
                     "analysis 3d": "analysis 3d", "3d scene": "3d scenes"}  # "3d" alone is too short; no "analysi"


def test_library_phrases_need_a_share_of_the_library_and_a_lift_over_the_background():
    library = [f"Point clouds number {i}. {FILLER}" for i in range(12)] + \
              [f"Language models number {i}. {FILLER}" for i in range(28)]
    phrases = library_phrases(library, _background()).phrases
    point_cloud = phrases["point cloud"]
    assert point_cloud.text == "point clouds"  # the library's own wording
    assert point_cloud.share == pytest.approx(12 / 40)
    assert point_cloud.lift == pytest.approx(0.3 / (0.5 / 201))
    assert point_cloud.specificity == 1.0  # far more than FULL_LIFT times rarer in the background
    # in 70% of the library but common in the background too (every 3rd paper there): lift 2.1, just over
    # MIN_LIFT, so it counts for almost nothing and is never named as the reason
    language_model = phrases["language model"]
    assert language_model.lift == pytest.approx(0.7 / (67.5 / 201))
    assert language_model.specificity == pytest.approx(math.log(language_model.lift / 2) / math.log(2))
    assert language_model.specificity < 0.1 and phrase_evidence(language_model)[1] == ""
    assert language_model.strength < point_cloud.strength / 3
    assert "benchmark" not in phrases and "accuracy" not in phrases  # everywhere
    # a phrase in fewer than a tenth of the library's papers is not kept, however rare elsewhere
    rare = library_phrases(library[:3] + library[12:], _background()).phrases
    assert "point cloud" not in rare


@pytest.mark.parametrize("library, background", [
    ([f"Point clouds {i}." for i in range(9)], _background()),  # too few library papers to speak of a share
    ([f"Point clouds {i}." for i in range(20)], _background(MIN_BACKGROUND_DOCS - 1)),  # nothing to compare with
])
def test_no_phrases_from_too_little_evidence(library, background):
    assert not library_phrases(library, background) and library_phrases(library, background).phrases == {}


def test_best_phrase_is_the_one_marking_most_of_the_library():
    library = [f"Point clouds and lidar scans {i}." for i in range(10)] + [f"Lidar scans {i}." for i in range(10)]
    phrases = library_phrases(library, _background())
    lidar, hit, none = phrases.best(["A lidar point cloud detector", "Denoising one point cloud", "Nothing here"])
    assert lidar.text == "lidar" and lidar.share == 1.0  # in all of the library; "point cloud" in half
    assert hit.text == "point clouds" and hit.share == pytest.approx(0.5)  # the singular counts too
    assert none is None
    value, reason = phrase_evidence(hit)
    assert value == pytest.approx(PHRASE_WEIGHT * 0.5)
    assert reason == "mentions “point clouds”, like 50% of your library"


def test_a_paper_with_a_library_phrase_is_lifted_and_told_why():
    """A library of two interests: the phrase lifts a paper on one of them that the rest of its text hides."""
    library = tuple(LibraryItem(key=f"K{i:03d}", title=f"Point cloud completion {i}", abstract=FILLER)
                    for i in range(20)) + \
        tuple(LibraryItem(key=f"L{i:03d}", title=f"Protein folding {i}", abstract=FILLER) for i in range(20))
    background = tuple(Paper(arxiv_id=f"2508.{i:05d}", title=text.split(".")[0], abstract=FILLER)
                       for i, text in enumerate(_background()))
    day = [Paper(arxiv_id="2509.00001", title="Sentiment of tweets",
                 abstract="We classify tweets by sentiment with point clouds of word vectors."),
           Paper(arxiv_id="2509.00002", title="Sentiment of posts", abstract="We classify posts by sentiment.")]
    result = rank_papers(day, Profile(library=library, background=background), now=NOW,
                         options=RankOptions(backend="tfidf", threshold=0.0))
    by_id = {s.paper.arxiv_id: s for s in result.scored}
    assert by_id["2509.00001"].score > by_id["2509.00002"].score + 0.05
    assert "mentions “point cloud”, like 50% of your library" in by_id["2509.00001"].reason
    assert "mentions" not in by_id["2509.00002"].reason


def test_real_library_phrases_are_the_topic_not_the_field():
    """150 real papers on speech among real arXiv papers: "speech" marks the library, "model" does not."""
    records = dev_records()
    speech = [r for r in records if "speech" in (r["title"] + " " + r["abstract"]).lower()][:150]
    others = [r for r in records if "speech" not in (r["title"] + " " + r["abstract"]).lower()][:2000]
    phrases = library_phrases([f"{r['title']}. {r['abstract']}" for r in speech],
                              [f"{r['title']}. {r['abstract']}" for r in others]).phrases
    assert phrases["speech"].share > 0.9 and phrases["speech"].lift > 100  # the rest say "speech-to-text" etc.
    assert "model" not in phrases and "method" not in phrases and "result" not in phrases


def test_dismissing_papers_with_a_phrase_lowers_its_trust_and_saving_them_restores_it():
    library = [f"Point clouds number {i}. {FILLER}" for i in range(12)] + \
              [f"Language models number {i}. {FILLER}" for i in range(28)]
    dismissed = [f"Point cloud paper {i} you did not want." for i in range(5)]
    untouched = library_phrases(library, _background()).phrases["point cloud"]
    doubted = library_phrases(library, _background(), dismissed_texts=dismissed[:1]).phrases["point cloud"]
    # one dismissal, no save: it weighs DISMISSAL_BLAME papers against the prior of FEEDBACK_PRIOR
    assert untouched.trust == 1.0
    assert doubted.trust == pytest.approx(FEEDBACK_PRIOR / (FEEDBACK_PRIOR + DISMISSAL_BLAME)) == pytest.approx(5 / 7)
    assert doubted.share == untouched.share and doubted.strength == pytest.approx(untouched.strength * 5 / 7)
    confirmed = library_phrases(library + dismissed[:2], _background(), saved_texts=dismissed[:2],
                                dismissed_texts=dismissed[2:]).phrases["point cloud"]
    assert confirmed.trust == pytest.approx((2 + 5) / (2 + 2 * 3 + 5))
    # still trusted more than half: named as the reason
    assert phrase_evidence(doubted) == (pytest.approx(PHRASE_WEIGHT * doubted.strength), "mentions “point clouds”, "
                                        "like 30% of your library")
    fading = library_phrases(library, _background(), dismissed_texts=dismissed[:3]).phrases["point cloud"]
    assert fading.trust == pytest.approx(5 / 11)  # under half: counts a little, no longer named
    assert phrase_evidence(fading) == (pytest.approx(PHRASE_WEIGHT * fading.strength), "")


def test_a_dismissal_blames_only_the_phrase_that_lifted_the_paper_not_every_phrase_it_contains():
    """A paper on sea ice that also mentions point clouds was shown for "sea ice" (70% of the library,
    against 30%): dismissing it says "not this", not "not point clouds"."""
    library = [f"Point clouds, study {i}. {FILLER}" for i in range(12)] + \
              [f"Sea ice, study {i}. {FILLER}" for i in range(28)]
    dismissed = ["Sea ice seen as point clouds, a paper you did not want."]
    phrases = library_phrases(library, _background(), dismissed_texts=dismissed).phrases
    assert phrases["sea ice"].trust == pytest.approx(5 / 7)
    assert phrases["point cloud"].trust == 1.0 and phrases["point"].trust == 1.0 and phrases["ice"].trust == 1.0


def test_phrase_weight_zero_turns_the_evidence_off_and_must_be_a_share():
    with pytest.raises(ValueError, match="phrase_weight"):
        RankOptions(phrase_weight=1.5)
    library = tuple(LibraryItem(key=f"K{i:03d}", title=f"Point cloud completion {i}", abstract=FILLER)
                    for i in range(20))
    background = tuple(Paper(arxiv_id=f"2508.{i:05d}", title=text.split(".")[0], abstract=FILLER)
                       for i, text in enumerate(_background()))
    day = [Paper(arxiv_id="2509.00001", title="Tweets", abstract="Point clouds of word vectors.")]
    off = rank_papers(day, Profile(library=library, background=background), now=NOW,
                      options=RankOptions(backend="tfidf", threshold=0.0, phrase_weight=0.0))
    assert "mentions" not in off.scored[0].reason


def test_a_phrase_common_in_the_background_still_counts_but_is_not_named():
    """"findings" in 60% of a small library and 15% of arXiv marks the library (lift 4) yet says nothing
    about a paper: it lifts the paper as before, and the reason names something else."""
    library = [f"Our findings on interfaces {i}. {FILLER}" for i in range(12)] + \
              [f"Gesture typing study {i}. {FILLER}" for i in range(8)]
    background = [f"Background paper {i} with findings. {FILLER}" if i % 20 < 3 else f"Background paper {i}. {FILLER}"
                  for i in range(400)]
    found = library_phrases(library, background).phrases
    findings, gesture = found["finding"], found["gesture typing"]
    assert findings.specificity > 0.95 and findings.background_share == pytest.approx(0.15, abs=0.01)
    value, reason = phrase_evidence(findings)
    assert value == pytest.approx(PHRASE_WEIGHT * findings.strength) and value > 0 and reason == ""
    assert gesture.background_share < 0.01
    assert phrase_evidence(gesture)[1] == "mentions “gesture typing”, like 40% of your library"
