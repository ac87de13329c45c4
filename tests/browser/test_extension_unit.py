"""The extension's pure helpers and HTTP client, tested by node's own test runner."""

from __future__ import annotations

import re
import subprocess

from tests.browser.harness import EXTENSION, node_bin


def test_extension_node_unit_tests_pass() -> None:
    done = subprocess.run([node_bin(), "--test", "tests/unit/"], cwd=EXTENSION, capture_output=True, text=True,
                          timeout=120)
    summary = dict(re.findall(r"^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$", done.stdout, re.MULTILINE))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert int(summary["tests"]) >= 90 and summary["fail"] == "0" and summary["skipped"] == "0", summary
