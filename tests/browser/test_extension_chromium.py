"""The extension in headless Chromium against a live ``paperfeed serve`` and the Zotero test server."""

from __future__ import annotations

import pytest

from tests.browser.e2e_checks import assert_saved_exactly_once
from tests.browser.harness import LivePaperfeed, run_e2e

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_extension_chromium_core_flow_saves_each_paper_once(live_paperfeed: LivePaperfeed) -> None:
    assert live_paperfeed.matches > 2, "the seeded day has matches to show"
    result = run_e2e("chromium.mjs", live_paperfeed)
    assert result["browser"] == "chromium"
    assert_saved_exactly_once(live_paperfeed, result)
    assert len(result["screenshots"]) >= 8


def test_extension_chromium_save_while_zotero_is_down_shows_queued(live_paperfeed: LivePaperfeed) -> None:
    live_paperfeed.zotero.add_fault(503, method="POST", count=1000)
    result = run_e2e("save-outcome.mjs", live_paperfeed, EXPECT_STATE="queued", EXPECT_MESSAGE=r"^Queued, will retry: .*503")
    assert result["outcome"]["state"] == "queued"
    assert live_paperfeed.items_for(result["id"]) == [], "nothing reached Zotero while it answered 503"
