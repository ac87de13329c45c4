"""What both browser runs must have left behind in Zotero (asked over the test server's HTTP API)."""

from __future__ import annotations

from tests.browser.harness import LivePaperfeed


def assert_saved_exactly_once(live: LivePaperfeed, result: dict) -> None:
    saved = result["saved"]
    assert len(saved) == 3 and len({s["id"] for s in saved}) == 3, saved
    for entry in saved:
        items = live.items_for(entry["id"])
        assert len(items) == 1, f"Zotero holds {len(items)} items for {entry['id']}"
        tags = {tag["tag"] for tag in items[0].get("tags", [])}
        if entry["tags"]:
            assert set(entry["tags"]) <= tags, (entry, tags)
    popup_saved = live.items_for(saved[0]["id"])[0]
    assert "paperfeed-e2e" in {tag["tag"] for tag in popup_saved["tags"]}, "the tag typed in the popup reached Zotero"


def assert_real_listing_and_abs_page(live: LivePaperfeed, result: dict) -> None:
    """The real saved listing page: marks on every ranked day, the older day's save reached Zotero."""
    real = result["real_listing"]
    assert real["entries"] == 397 and real["marks"] >= 4, real
    assert len(live.items_for(real["saved"])) == 1, "the save from the real listing page reached Zotero once"
    assert live.items_for(real["dismissed"]) == []
    assert result["abs_page"]["afterTitle"] and result["abs_page"]["button"] == "Save to Zotero"
