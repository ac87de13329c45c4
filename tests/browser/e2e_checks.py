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


def assert_empty_day_says_why(live: LivePaperfeed, result: dict) -> None:
    """The popup on a ranked day without matches: the day, the server's reason, what to change."""
    from tests.browser.harness import SAMPLE_DATE  # noqa: PLC0415

    server, shown = result["server"], result["shown"]
    assert server["date"] == SAMPLE_DATE.isoformat(), server
    assert server["message"].startswith("none of the ") and "made your list (left out: " in server["message"], server
    assert "below threshold" in server["message"], server
    assert shown["title"].startswith("Nothing matched on ") and shown["title"].endswith(shown["day"]), shown
    candidates = server["message"].split()[3]
    assert shown["detail"].startswith(f"None of the {candidates} papers announced on {shown['day']} made your list (left out: "), shown
    assert "below threshold" in shown["detail"] and shown["detail"].endswith(").") and SAMPLE_DATE.isoformat() not in shown["detail"], shown
    for setting in ("arxiv.categories", "arxiv.keywords", "ranking.threshold"):
        assert setting in shown["hint"], shown
    assert min(result["fonts"].values()) >= 12 and result["fonts"]["body"] >= 13, result["fonts"]
