"""Settings: declared once, read from TOML and the environment, secrets masked, bad values explained."""

from __future__ import annotations

import pytest

from sync.config_file import render_config
from sync.errors import ConfigError
from sync.settings import SETTINGS, load_config


def test_load_config_defaults_without_file(tmp_path):
    config = load_config(tmp_path / "absent.toml", environ={})
    assert not config.file_found
    assert config["arxiv.categories"] == ["cs.DC", "cs.PL", "cs.PF", "cs.NI"]
    assert config["arxiv.include_cross_lists"] is True


def test_load_config_file_then_env_override(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[arxiv]\ncategories = ["cs.DC"]\ndelay_seconds = 5\n[zotero]\nlibrary_id = "123"\n')
    config = load_config(path, environ={"PAPERFEED_ARXIV_CATEGORIES": "cs.PL, cs.PF",
                                        "PAPERFEED_ZOTERO_API_KEY": "secretsecret1234"})
    assert config["arxiv.categories"] == ["cs.PL", "cs.PF"]
    assert config["arxiv.delay_seconds"] == 5.0
    assert config["zotero.library_id"] == "123"
    assert config["zotero.api_key"] == "secretsecret1234"
    masked = config.masked()
    assert masked["zotero.api_key"] == "set" and "1234" not in str(masked)
    assert masked["email.password"] == "not set"


@pytest.mark.parametrize("content, message", [
    ("[arxiv]\ncategories = 3\n", "arxiv.categories"),
    ("[arxiv]\nnope = 1\n", "unknown setting 'arxiv.nope'"),
    ("[zotero]\nlibrary_type = \"team\"\n", "must be one of user, group"),
    ("[arxiv\n", "cannot read config file"),
    ("arxiv = 1\n", "must be a [section]"),
    ("[arxiv]\ninclude_cross_lists = \"maybe\"\n", "expected true or false"),
    ("[ranking]\nthreshold = 7\n", "ranking.threshold must be between 0 and 1"),
    ("[server]\nport = 99999\n", "server.port must be between 1 and 65535"),
    ("[arxiv]\ncategories = [\"cs.DC\", \"cs.XX\"]\n", "unknown arXiv category cs.XX"),
])
def test_load_config_bad_values_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_config(path, environ={})


def test_load_config_bad_env_value_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="PAPERFEED_ARXIV_MAX_RETRIES"):
        load_config(tmp_path / "absent.toml", environ={"PAPERFEED_ARXIV_MAX_RETRIES": "many"})


def test_rendered_config_is_valid_toml_listing_every_setting(tmp_path):
    text = render_config({"server.token": "tok"})
    for setting in SETTINGS:
        assert f"{setting.key} = " in text
    path = tmp_path / "c.toml"
    path.write_text(text)
    assert load_config(path, environ={})["server.token"] == "tok"


def test_replaced_setting_says_what_to_write_instead(tmp_path):
    from sync.errors import ConfigError
    from sync.settings import load_config

    path = tmp_path / "config.toml"
    path.write_text("[zotero]\npdf_attachment = false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match='zotero.pdf = "link"'):
        load_config(path)
