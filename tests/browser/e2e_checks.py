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
