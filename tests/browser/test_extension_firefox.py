"""The extension in headless Firefox ESR against a live ``paperfeed serve`` and the Zotero test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.e2e_checks import (assert_empty_day_says_why, assert_page_saves_queued_then_settled,
                                      assert_real_listing_and_abs_page, assert_saved_exactly_once,
                                      assert_url_hook_only_in_test_copy)
from tests.browser.harness import (LivePaperfeed, ZoteroComesBack, rank_nothing_above_threshold, run_e2e,
                                   unpacked_store_build)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_extension_firefox_core_flow_saves_each_paper_once(live_paperfeed: LivePaperfeed) -> None:
    assert live_paperfeed.matches > 2, "the seeded day has matches to show"
    result = run_e2e("firefox.mjs", live_paperfeed)
    assert result["browser"] == "firefox"
    assert_saved_exactly_once(live_paperfeed, result)
    assert_real_listing_and_abs_page(live_paperfeed, result)
    assert len(result["screenshots"]) >= 8
    assert min(sizes["body"] for sizes in result["fonts"].values()) >= 13, result["fonts"]


def test_extension_firefox_empty_day_says_why_nothing_matched(live_paperfeed: LivePaperfeed) -> None:
    rank_nothing_above_threshold(live_paperfeed)
    result = run_e2e("empty-day.mjs", live_paperfeed, BROWSER="firefox")
    assert_empty_day_says_why(live_paperfeed, result)


def test_extension_firefox_queued_saves_on_arxiv_pages_turn_into_saved_by_themselves(live_paperfeed: LivePaperfeed,
                                                                                  tmp_path: Path) -> None:
    back = ZoteroComesBack(live_paperfeed, tmp_path / "queued.flag")
    result = run_e2e("page-save-outcome.mjs", live_paperfeed, BROWSER="firefox", EXPECT_STATE="queued",
                     EXPECT_MESSAGE=r"saving items: Zotero answered HTTP 503", QUEUED_FLAG=str(back.flag))
    back.join()
    assert_page_saves_queued_then_settled(live_paperfeed, result, back)


def test_extension_firefox_store_build_ignores_the_url_hook(live_paperfeed: LivePaperfeed, tmp_path: Path) -> None:
    """The firefox zip of `npm run package` (no test-hooks.json), unpacked and loaded: popup.html?url=
    <an arXiv abs URL> does not describe that paper; the test copy opening the same URL does."""
    build = unpacked_store_build(tmp_path, "firefox")
    result = run_e2e("url-hook.mjs", live_paperfeed, BROWSER="firefox", PROD_EXTENSION_DIR=str(build))
    assert_url_hook_only_in_test_copy(result)
