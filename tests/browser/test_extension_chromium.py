"""The extension in headless Chromium against a live ``paperfeed serve`` and the Zotero test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.e2e_checks import (assert_empty_day_says_why, assert_page_saves_fail_then_retry,
                                      assert_page_saves_queued_then_settled, assert_real_listing_and_abs_page,
                                      assert_saved_exactly_once, assert_url_hook_only_in_test_copy,
                                      refuse_next_writes)
from tests.browser.harness import (LivePaperfeed, ZoteroComesBack, publish_screenshots, rank_nothing_above_threshold,
                                   run_e2e, unpacked_store_build)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_extension_chromium_core_flow_saves_each_paper_once(live_paperfeed: LivePaperfeed) -> None:
    assert live_paperfeed.matches > 2, "the seeded day has matches to show"
    result = run_e2e("chromium.mjs", live_paperfeed)
    assert result["browser"] == "chromium"
    assert_saved_exactly_once(live_paperfeed, result)
    assert_real_listing_and_abs_page(live_paperfeed, result)
    publish_screenshots({f"chromium-{name}.png": f"extension-{name}.png" for name in (
        "popup", "popup-dark", "options", "popup-not-configured", "popup-bad-token", "popup-unreachable",
        "popup-this-paper", "popup-saved", "arxiv-abs")} | {"chromium-arxiv-listing-real.png": "extension-arxiv-listing.png"})
    assert len(result["screenshots"]) >= 8
    assert min(sizes["body"] for sizes in result["fonts"].values()) >= 13, result["fonts"]


def test_extension_chromium_queued_save_turns_into_saved_by_itself(live_paperfeed: LivePaperfeed, tmp_path: Path) -> None:
    """Zotero answers 503: the save is queued (no red retry); once Zotero is back and the server
    pushes its outbox, the open popup turns the card into "In Zotero ✓" without a click."""
    back = ZoteroComesBack(live_paperfeed, tmp_path / "queued.flag")
    result = run_e2e("save-outcome.mjs", live_paperfeed, EXPECT_STATE="queued", EXPECT_MESSAGE=r"^Queued: .*503",
                     QUEUED_FLAG=str(back.flag), EXPECT_SETTLED="saved")
    back.join()
    assert result["outcome"]["state"] == "queued" and result["outcome"]["button"] == "Queued…"
    assert back.items_while_down == {result["id"]: []}, "nothing reached Zotero while it answered 503"
    assert back.sync is not None and back.sync.returncode == 0, back.sync and (back.sync.stdout + back.sync.stderr)
    assert result["settled"] == "saved" and result["in_library"] is True
    assert len(live_paperfeed.items_for(result["id"])) == 1
    publish_screenshots({"chromium-popup-save-queued.png": "extension-popup-save-queued.png",
                         "chromium-popup-save-settled.png": "extension-popup-save-settled.png"})


def test_extension_chromium_save_refused_by_zotero_shows_failed_and_retry_works(live_paperfeed: LivePaperfeed) -> None:
    """Zotero refuses the item once (a per-object 400 in its write answer): the popup says why with
    a red "Retry save"; the retry, with Zotero answering normally again, saves it."""
    refuse_next_writes(live_paperfeed, 1)
    result = run_e2e("save-outcome.mjs", live_paperfeed, EXPECT_STATE="failed",
                     EXPECT_MESSAGE=r"^Failed: .*refused the item: 400", RETRY_EXPECT="saved")
    assert result["outcome"]["button"] == "Retry save"
    assert result["retried"]["state"] == "saved" and result["in_library"] is True
    assert len(live_paperfeed.items_for(result["id"])) == 1
    publish_screenshots({"chromium-popup-save-failed.png": "extension-popup-save-failed.png"})


def test_extension_chromium_empty_day_says_why_nothing_matched(live_paperfeed: LivePaperfeed) -> None:
    """The newest day ranked with nothing above the threshold: the popup shows that day, empty,
    with the rank run's reason and what to change (not an older day's list, not a fetch error)."""
    rank_nothing_above_threshold(live_paperfeed)
    result = run_e2e("empty-day.mjs", live_paperfeed, BROWSER="chromium")
    assert_empty_day_says_why(live_paperfeed, result)
    assert result["screenshots"] == ["chromium-popup-empty-day.png", "chromium-popup-empty-day-dark.png"]
    publish_screenshots({"chromium-popup-empty-day.png": "extension-popup-empty-day.png",
                         "chromium-popup-empty-day-dark.png": "extension-popup-empty-day-dark.png"})


def test_extension_chromium_queued_saves_on_arxiv_pages_turn_into_saved_by_themselves(live_paperfeed: LivePaperfeed,
                                                                                   tmp_path: Path) -> None:
    """Zotero answers 503: a save from a mark on the real listing page and one from the abstract
    page's box are queued (no red retry); once Zotero is back and the server pushes, both widgets
    turn into "In Zotero ✓" without a click, never passing through a failure."""
    back = ZoteroComesBack(live_paperfeed, tmp_path / "queued.flag")
    result = run_e2e("page-save-outcome.mjs", live_paperfeed, BROWSER="chromium", EXPECT_STATE="queued",
                     EXPECT_MESSAGE=r"saving items: Zotero answered HTTP 503", QUEUED_FLAG=str(back.flag))
    back.join()
    assert_page_saves_queued_then_settled(live_paperfeed, result, back)
    publish_screenshots({"chromium-arxiv-abs-save-queued.png": "extension-arxiv-abs-queued.png"})


def test_extension_chromium_save_refused_on_arxiv_pages_shows_failed_and_retry_works(live_paperfeed: LivePaperfeed) -> None:
    """Zotero refuses the item (a per-object 400 in its write answer) for the listing page's and the
    abstract page's save: each shows why with a red "Retry save"; the retry saves it."""
    refuse_next_writes(live_paperfeed, 2)
    result = run_e2e("page-save-outcome.mjs", live_paperfeed, BROWSER="chromium", EXPECT_STATE="failed",
                     EXPECT_MESSAGE=r"refused the item: 400", RETRY_EXPECT="saved")
    assert_page_saves_fail_then_retry(live_paperfeed, result)


def test_extension_chromium_store_build_ignores_the_url_hook(live_paperfeed: LivePaperfeed, tmp_path: Path) -> None:
    """The chrome zip of `npm run package` (no test-hooks.json), unpacked and loaded: popup.html?url=
    <an arXiv abs URL> does not describe that paper; the test copy opening the same URL does."""
    build = unpacked_store_build(tmp_path, "chrome")
    result = run_e2e("url-hook.mjs", live_paperfeed, BROWSER="chromium", PROD_EXTENSION_DIR=str(build))
    assert_url_hook_only_in_test_copy(result)
