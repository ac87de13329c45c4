"""``paperfeed users ...``: the admin CLI of a lab server, against a real PostgreSQL."""

from __future__ import annotations

import re

from click.testing import CliRunner

from sync.cli import cli
from sync.lab import decrypt_zotero, hash_token, user_config
from sync.settings import load_config
from sync.store import Store

SECRET = "lab-secret-for-cli-tests-0123456789"


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def _token(output: str) -> str:
    return re.search(r"shown once.*\n\s+(\S+)", output).group(1)


def test_users_add_list_token_zotero_set_remove(pg_url, monkeypatch):
    monkeypatch.setenv("PAPERFEED_STORE_URL", pg_url)
    monkeypatch.setenv("PAPERFEED_LAB_SECRET", SECRET)
    added = _run("users", "add", "ada", "--email", "ada@lab.example")
    assert added.exit_code == 0 and "added user ada" in added.output
    token = _token(added.output)
    store = Store(pg_url)
    ada = store.user("ada")
    assert store.user_by_token_hash(hash_token(token)).name == "ada"
    assert token not in repr(store.query("SELECT * FROM users"))  # stored hashed only
    assert _run("users", "add", "ada").exit_code == 1  # names are unique

    zot = _run("users", "zotero", "ada", "--library-id", "4242", input="SECRET-ZOTERO-KEY-0123\n")
    assert zot.exit_code == 0 and "SECRET-ZOTERO-KEY" not in zot.output
    sealed = store.user_zotero_secret(ada.id)
    assert "SECRET-ZOTERO-KEY" not in sealed
    config = load_config()
    assert decrypt_zotero(config, sealed) == {"library_id": "4242", "library_type": "user",
                                              "api_key": "SECRET-ZOTERO-KEY-0123"}

    assert _run("users", "set", "ada", "arxiv.categories", "cs.PL, hep-th").exit_code == 0
    assert _run("users", "set", "ada", "ranking.threshold", "2").exit_code == 1  # checked like the config file
    ada = store.user("ada")
    mine = user_config(config, ada, ada.zotero_sealed)
    assert mine["arxiv.categories"] == ["cs.PL", "hep-th"] and mine["zotero.library_id"] == "4242"
    assert mine["email.recipients"] == ["ada@lab.example"]

    listed = _run("users", "list")
    assert listed.output.startswith("ada\tada@lab.example\tzotero=yes") and "SECRET" not in listed.output

    rotated = _run("users", "token", "ada", "--rotate")
    new = _token(rotated.output)
    assert new != token and store.user_by_token_hash(hash_token(token)) is None
    assert store.user_by_token_hash(hash_token(new)).name == "ada"

    schema = ada.schema
    assert _run("users", "remove", "ada", "--yes").exit_code == 0
    assert store.users() == []
    assert store.query("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", (schema,))[0][0] == 0
    store.close()


def test_users_need_a_lab_server():
    result = _run("users", "list")
    assert result.exit_code == 1 and "store.url" in result.output
