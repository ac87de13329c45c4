"""A lab server follows PostgreSQL's change notifications: cached requests run no SQL at all, and
changes made by other processes (another worker, the admin CLI) reach its caches through
``LISTEN``/``NOTIFY`` (sync/store/notifications.py). Real PostgreSQL, real other processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from sync.store import notifications
from tests.server.conftest import pg_activity, statements_during
from tests.server.test_lab_isolation import ALICE, BOB, auth, lab  # noqa: F401 - lab is a fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def observer(pg_url):
    """A connection of the test's own, to watch the server's connections from the database's side."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        yield conn
    notifications.disable(pg_url)


def _listener_pids(observer) -> set[int]:
    return {pid for pid, (app, _) in pg_activity(observer).items() if app == "paperfeed-listener"}


def _in_another_process(pg_url: str, code: str) -> None:
    """Run ``code`` (with ``store = Store(pg_url)``) in a separate Python process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = f"from sync.store import Store\nstore = Store({pg_url!r})\n{code}\nstore.close()\n"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)


def _cli(pg_url: str, *args: str) -> str:
    """The admin CLI (``paperfeed ...``) in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PAPERFEED_STORE_URL": pg_url}
    done = subprocess.run([sys.executable, "-c", "from server.cli import main; main()", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _eventually(check, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def _user_services(client, user):
    return client.application.extensions["paperfeed_users"][user.id][1]


def test_cached_requests_run_no_sql_while_listening_and_one_query_each_without(lab, observer, pg_url):
    client, users, _ = lab
    for token in (ALICE, BOB):  # warm: the token map and both users' page caches
        assert client.get("/api/papers", headers=auth(token)).status_code == 200
    assert len(_listener_pids(observer)) == 1  # the process's one listening connection

    def cached_requests():
        for _ in range(20):
            for token in (ALICE, BOB):
                assert client.get("/api/papers", headers=auth(token)).status_code == 200

    hits = _user_services(client, users["alice"][0]).responses.hits
    assert statements_during(observer, cached_requests) == 0
    assert _user_services(client, users["alice"][0]).responses.hits == hits + 20  # served from the page cache

    # the same requests without the listener: the measure does see the per-request query
    notifications.disable(pg_url)
    assert statements_during(observer, cached_requests) > 0


def test_a_write_in_another_process_invalidates_that_users_page_only(lab, observer, pg_url):
    client, users, _ = lab
    alice, bob = users["alice"][0], users["bob"][0]
    first = {name: client.get("/api/papers", headers=auth(token)) for name, token in (("alice", ALICE), ("bob", BOB))}
    assert statements_during(observer, lambda: client.get("/api/papers", headers=auth(ALICE))) == 0  # cached
    target = users["alice"][2][0].arxiv_id
    _in_another_process(pg_url, f"store.user_store({alice.id}).set_feedback({target!r}, 'dismissed')")

    def alice_sees_it() -> bool:
        page = client.get("/api/papers", headers={**auth(ALICE), "If-None-Match": first["alice"].headers["ETag"]})
        return page.status_code == 200 and \
            {i["paper"]["id"]: i["status"] for i in page.get_json()["items"]}[target] == "dismissed"

    assert _eventually(alice_sees_it)
    # Bob's cached page did not move: answered from his page cache, without SQL
    bob_misses = _user_services(client, bob).responses.misses
    assert statements_during(observer, lambda: client.get(
        "/api/papers", headers={**auth(BOB), "If-None-Match": first["bob"].headers["ETag"]}).status_code == 304) == 0
    assert client.get("/api/papers", headers={**auth(BOB), "If-None-Match": first["bob"].headers["ETag"]}).status_code \
        == 304
    assert _user_services(client, bob).responses.misses == bob_misses


def test_a_token_rotated_or_a_user_removed_by_the_admin_cli_is_refused_within_2_seconds(lab, observer, pg_url):
    client, _, _ = lab
    for token in (ALICE, BOB):
        assert client.get("/api/papers", headers=auth(token)).status_code == 200
    # accepted from the token map (no query) before the change: the cache really is in use
    assert statements_during(observer, lambda: client.get("/api/papers", headers=auth(ALICE))) == 0

    rotated = _cli(pg_url, "users", "token", "alice", "--rotate")
    new_token = re.search(r"shown once.*\n\s+(\S+)", rotated).group(1)
    assert _eventually(lambda: client.get("/api/papers", headers=auth(ALICE)).status_code == 401)
    assert client.get("/api/papers", headers=auth(new_token)).status_code == 200

    # an admin's write to the users table is a shared write: pages are rebuilt, Bob's token stays known
    assert client.get("/api/papers", headers=auth(BOB)).status_code == 200
    assert statements_during(observer, lambda: client.get("/api/papers", headers=auth(BOB))) == 0
    _cli(pg_url, "users", "remove", "bob", "--yes")
    assert _eventually(lambda: client.get("/api/papers", headers=auth(BOB)).status_code == 401)


def test_a_killed_listener_falls_back_to_queries_and_comes_back(lab, observer, pg_url):
    client, users, _ = lab
    alice = users["alice"][0]
    first = client.get("/api/papers", headers=auth(ALICE))
    listener = notifications.listener(pg_url)
    assert listener.retry_seconds == notifications.RETRY_SECONDS == 2.0
    (pid,) = _listener_pids(observer)
    assert observer.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]

    # nobody hears this write's notification: the server must notice the lost listener and ask the database
    target = users["alice"][2][0].arxiv_id
    _in_another_process(pg_url, f"store.user_store({alice.id}).set_feedback({target!r}, 'dismissed')")
    after = client.get("/api/papers", headers={**auth(ALICE), "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert {i["paper"]["id"]: i["status"] for i in after.get_json()["items"]}[target] == "dismissed"
    assert listener.failures >= 1 and listener.connections == 1
    # until the listener is back (at most one attempt every 2 s), every request asks the database
    assert not _listener_pids(observer)
    assert statements_during(observer, lambda: client.get("/api/papers", headers=auth(ALICE))) >= 1

    # later the listener is back: cached requests run no SQL again, and other processes' writes arrive
    time.sleep(listener.retry_seconds + 0.1)
    client.get("/api/papers", headers=auth(ALICE))
    assert listener.connections == 2 and len(_listener_pids(observer)) == 1
    client.get("/api/papers", headers=auth(ALICE))
    assert statements_during(observer, lambda: client.get("/api/papers", headers=auth(ALICE))) == 0
    _in_another_process(pg_url, f"store.user_store({alice.id}).clear_feedback({target!r})")
    assert _eventually(lambda: {i["paper"]["id"]: i["status"] for i in client.get(
        "/api/papers", headers=auth(ALICE)).get_json()["items"]}[target] != "dismissed")


def test_tables_changed_by_hand_reach_the_server_with_notify_all(lab, observer):
    client, _, _ = lab
    assert client.get("/api/papers", headers=auth(ALICE)).status_code == 200
    observer.execute("UPDATE users SET token_hash = 'changed-by-hand' WHERE name = 'alice'")  # no notification
    assert client.get("/api/papers", headers=auth(ALICE)).status_code == 200  # still known: docs/lab.md says so
    observer.execute("NOTIFY paperfeed_changes, 'all'")
    assert _eventually(lambda: client.get("/api/papers", headers=auth(ALICE)).status_code == 401)


def test_a_forked_worker_listens_on_its_own_connection_and_leaves_the_parents_alone(pg_url, observer):
    from sync.store import Store

    Store(pg_url).listen_for_changes()
    parent = notifications.listener(pg_url)
    assert parent.marker("user_1") is not None
    parent_backend = parent.backend_pid
    child = os.fork()
    if child == 0:  # the worker: a listener of its own; the parent's connection is inherited, never used
        code = 1
        try:
            mine = notifications.listener(pg_url)
            if mine is not parent and mine.marker("user_1") is not None and mine.backend_pid != parent_backend:
                code = 0
        finally:
            os._exit(code)
    assert os.waitpid(child, 0)[1] == 0
    before = parent.marker("user_1")
    observer.execute("NOTIFY paperfeed_changes, 'user_1'")
    assert _eventually(lambda: parent.marker("user_1") not in (None, before))
    assert parent.backend_pid == parent_backend and parent.connections == 1
