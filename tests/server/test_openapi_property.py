"""Property-based run of the whole API against its own OpenAPI document (schemathesis).

Every operation gets generated valid and invalid requests, with and without the
token, over a real socket (the app in waitress, as ``paperfeed serve`` runs it), with
every check: no 5xx, every response matches the document, valid data is accepted
and invalid data rejected, ``Allow`` headers are true. The schemathesis CLI runs too
(all checks, all phases, bounded examples, fixed seed), as an attacker would run it.
arXiv is a local server that knows no paper (lookups end in 404) and the daily
cycle is a stand-in that returns at once, so the run needs no network.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from server import create_app
from tests.server.conftest import AUTH, TOKEN, sample_papers, seed_day, seed_library
from tests.server.live import served
from tests.support.arxiv_server import LocalArxiv


@pytest.fixture(scope="module")
def property_app(tmp_path_factory):
    from sync.settings import Config
    from sync.cycle import CycleResult
    from sync.store import Store
    from tests.server.conftest import TOKEN

    data = tmp_path_factory.mktemp("data")
    with LocalArxiv() as arxiv:
        config = Config({"storage.data_dir": str(data), "server.token": TOKEN, "server.feed_token": "feed-" + TOKEN,
                         "zotero.api_key": "ZOTERO-SECRET-KEY-abcdef123456", "zotero.library_id": "12345",
                         # a Zotero that refuses connections at once: saves are queued, fast
                         "zotero.api_url": "http://127.0.0.1:9", "zotero.max_retries": 0,
                         "zotero.retry_base_seconds": 0.01,
                         **arxiv.settings(), "arxiv.max_retries": 0})
        store = Store(config.store_path)
        ranked = seed_day(store, sample_papers(20))
        seed_library(store, in_library={ranked[0].paper.arxiv_id: "ITEMKEY1"})
        app = create_app(config, store=store)
        app.extensions["paperfeed"].cycle_runner = lambda config, store, *, sample=False, progress=None: CycleResult()
        with served(app) as url:
            yield app, url
        store.close()


# A body over server.max_body_bytes is rejected with 413 (documented): schemathesis's list of
# statuses that reject invalid data does not name 413, so it is added. Nothing else is changed.
SCHEMATHESIS_CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""


def operations(url: str):
    config = schemathesis.config.SchemathesisConfig.from_str(SCHEMATHESIS_CONFIG)
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json", config=config)
    return [result.ok() for result in schema.get_all_operations()]


def run_operation(operation, mode: GenerationMode, headers: dict, examples: int, check) -> None:
    @given(case=operation.as_strategy(mode))
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        check(case, headers)

    run()


def test_api_never_answers_5xx_and_matches_its_document(property_app):
    app, url = property_app
    statuses: list[int] = []

    def check(case, headers):
        response = case.call_and_validate(headers=headers)  # every check, none excluded
        assert response.status_code < 500
        statuses.append(response.status_code)
        app.extensions["paperfeed"].sync_job.wait(5)

    ops = operations(url)
    assert len(ops) >= 12
    for operation in ops:
        run_operation(operation, GenerationMode.POSITIVE, AUTH, 25, check)
    assert len(statuses) >= 100 and statuses.count(200) >= 50, sorted(set(statuses))


@pytest.mark.parametrize("headers", [AUTH, {"Authorization": "Bearer not-the-token"}])
def test_api_invalid_requests_never_answer_5xx(property_app, headers):
    app, url = property_app

    def check(case, headers):
        # Every check but negative_data_rejection: this test forces its own Authorization header, so a
        # case whose invalid part was a missing header is sent valid (and requests drops None-valued
        # query parameters). The schemathesis CLI run below has that check too, on its own terms.
        response = case.call_and_validate(headers=headers, excluded_checks=[negative_data_rejection])
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}
        app.extensions["paperfeed"].sync_job.wait(5)

    fuzzed = 0
    for operation in operations(url):
        try:
            run_operation(operation, GenerationMode.NEGATIVE, headers, 15, check)
            fuzzed += 1
        except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
            continue
    assert fuzzed >= 8


def test_schemathesis_cli_all_checks_all_phases_finds_nothing(property_app, tmp_path):
    """``st run --checks all`` (examples, coverage, fuzzing, stateful), bounded and seeded."""
    _app, url = property_app
    st = Path(sys.executable).with_name("st")
    (tmp_path / "schemathesis.toml").write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    done = subprocess.run([str(st), "--config-file", str(tmp_path / "schemathesis.toml"), "run",
                           f"{url}/api/openapi.json", "--checks", "all", "-H",
                           f"Authorization: Bearer {TOKEN}", "--max-examples", "10", "--seed", "1", "--no-color",
                           "--workers", "1"], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)  # its cache goes to tmp_path/.schemathesis, not the repository
    assert done.returncode == 0 and "No issues found" in done.stdout, done.stdout[-6000:]
    import re

    selected = re.search(r"Selected: (\d+)/(\d+)", done.stdout)
    assert selected and selected.group(1) == selected.group(2) and int(selected.group(1)) >= 12, done.stdout[-3000:]
