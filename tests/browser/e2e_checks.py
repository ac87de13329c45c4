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


def assert_page_saves_queued_then_settled(live: LivePaperfeed, result: dict, back) -> None:
    """Both arXiv-page saves were queued while Zotero answered 503, then saved once, by themselves."""
    ids = result["ids"]
    assert back.items_while_down == {ids["listing"]: [], ids["abs"]: []}, "nothing reached Zotero while it answered 503"
    assert back.sync is not None and back.sync.returncode == 0, back.sync and (back.sync.stdout + back.sync.stderr)
    for where in ("listing", "abs"):
        outcome, settled = result["outcomes"][where], result["settled"][where]
        assert outcome["state"] == "queued" and outcome["button"] == "Queued…" and not outcome["red"], outcome
        assert outcome["status"].startswith("queued: paperfeed retries by itself"), outcome
        why = outcome["tooltip"] if where == "listing" else outcome["status"]  # a listing line: the reason is its tooltip
        assert "Zotero answered HTTP 503" in why, outcome
        assert settled["state"] == "saved" and settled["button"] == "In Zotero ✓", settled
        assert "queued" in settled["seen"] and settled["seen"][-1] == "saved", settled["seen"]
        assert not any(s.startswith("failed") or s.endswith("+red") for s in settled["seen"]), settled["seen"]
        assert result["in_library"][ids[where]] is True
        assert len(live.items_for(ids[where])) == 1, f"{where}: Zotero holds the paper once"


def refuse_next_writes(live: LivePaperfeed, count: int) -> None:
    """Zotero refuses the next ``count`` item writes (a per-object 400 in its write answer)."""
    import json

    refused = json.dumps({"successful": {}, "success": {}, "unchanged": {},
                          "failed": {"0": {"code": 400, "message": "Invalid value for field 'title'"}}})
    live.zotero.add_fault(200, method="POST", path="/items", count=count, body=refused)


def assert_page_saves_fail_then_retry(live: LivePaperfeed, result: dict) -> None:
    ids = result["ids"]
    for where in ("listing", "abs"):
        outcome = result["outcomes"][where]
        assert outcome["state"] == "failed" and outcome["button"] == "Retry save" and outcome["red"], outcome
        assert "refused the item: 400" in outcome["status"], outcome
        assert result["retried"][where]["state"] == "saved", result["retried"]
        assert result["in_library"][ids[where]] is True
        assert len(live.items_for(ids[where])) == 1, f"{where}: Zotero holds the paper once after the retry"


def assert_url_hook_only_in_test_copy(result: dict) -> None:
    """popup.html?url=<abs URL>: ignored by the store build, followed by the test copy."""
    from tests.browser.harness import ABS_ID  # noqa: PLC0415

    production, test_copy = result["production"], result["test_copy"]
    assert production["hooksFile"] is False and test_copy["hooksFile"] is True, result
    assert production["cards"] > 0 and production["notice"] == "", production
    assert production["thisPaperHidden"] is True and production["thisPaperTitle"] is None, production
    assert ABS_ID not in production["thisPaperText"], production
    assert test_copy["thisPaperHidden"] is False and test_copy["thisPaperTitle"] == "CompLLM: Compression for Long Context Q&A", test_copy
