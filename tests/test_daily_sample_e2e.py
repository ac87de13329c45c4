"""``paperfeed daily`` end to end on the bundled sample: real fetch, ranking, store and report files."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli
from sync.sample import SAMPLE_DATE


def _data_dir() -> Path:
    return Path(os.environ["PAPERFEED_STORAGE_DATA_DIR"])


class _Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]


def test_daily_without_zotero_runs_sample_end_to_end():
    runner = CliRunner()
    result = runner.invoke(cli, ["daily"])
    assert result.exit_code == 0, result.output
    assert "Zotero is not configured: running on the bundled real sample of 2025-09-24" in result.output
    reports = _data_dir() / "reports"
    md_path, html_path = reports / f"paperfeed-{SAMPLE_DATE}.md", reports / f"paperfeed-{SAMPLE_DATE}.html"
    assert f"report written to {md_path}" in result.output
    assert f"report written to {html_path}" in result.output
    md = md_path.read_text()
    assert md.startswith("# arXiv cs.AI, cs.CL, cs.CV, cs.LG daily report")
    assert "Found " in md and "## 1. [" in md and "**Score:**" in md
    assert "## Keyword watches" in md
    parsed = _Links(html_path.read_text())
    assert "details" in parsed.tags and all(h.startswith("https://arxiv.org/") for h in parsed.hrefs)

    again = runner.invoke(cli, ["daily", "--sample"])  # idempotent: same papers, same report body
    assert again.exit_code == 0, again.output
    assert _body(md_path.read_text()) == _body(md)

    shown = runner.invoke(cli, ["report", "--date", str(SAMPLE_DATE)])
    assert shown.exit_code == 0 and _body(shown.output) == _body(md)
    out = _data_dir() / "out" / "week.html"
    week = runner.invoke(cli, ["report", "--week", "--format", "html", "--out", str(out)])
    assert week.exit_code == 0 and f"wrote {out}" in week.output
    assert "arXiv cs.AI, cs.CL, cs.CV, cs.LG weekly digest" in out.read_text()


def _body(markdown: str) -> str:
    """The report without its generation time."""
    return "\n".join(line for line in markdown.splitlines() if "generated" not in line)
