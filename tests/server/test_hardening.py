"""Hostile input over real HTTP (issue 13): every bad request is a clean 4xx in the one JSON error
shape, and nothing the API writes (feed, reports) breaks on text that XML forbids."""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree as ET

import feedparser
import pytest
import requests

from sync.store.rankings import RankingRow
from tests.server.conftest import AUTH, DAY, sample_papers, seed_day
from tests.server.live import raw_request, served

BELL = "\u0007"


def assert_json_error(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture
def url(app):
    with served(app) as base:
        yield base


# --- bodies the JSON parser or the store could not take ---------------------------------------
def test_deeply_nested_json_body_is_400(url):
    body = "[" * 20_000 + "]" * 20_000
    response = requests.post(f"{url}/api/sync", data=body, headers={**AUTH, "Content-Type": "application/json"},
                             timeout=10)
    error = assert_json_error(response, 400, "invalid_json")
    assert "nested" in error["message"]


@pytest.mark.parametrize("body", [
    '{"note": "\\ud800"}',
    '{"note": "ok \\udfff then"}',
    '{"tags": ["ml", "\\ud83d"]}',
    '{"collection": "\\ud800\\ud800"}',
    '{"\\ud800": 1}',
])
def test_lone_surrogate_in_any_json_string_is_400(url, api_store, body):
    arxiv_id = seed_day(api_store, sample_papers(1))[0].paper.arxiv_id
    response = requests.post(f"{url}/api/papers/{arxiv_id}/save", data=body.encode("ascii"),
                             headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
    error = assert_json_error(response, 400, "invalid_text")
    assert "surrogate" in error["message"]


def test_valid_surrogate_pair_is_text(url):
    response = requests.post(f"{url}/api/sync", data='{"sampl\\ud83d\\ude00": true}'.encode("ascii"),
                             headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
    error = assert_json_error(response, 400, "invalid_input")  # an unknown field, not a text error
    assert "sampl\U0001F600" in error["details"]["fields"]


def test_body_that_is_not_utf8_is_400(url):
    response = requests.post(f"{url}/api/sync", data=b'{"sample": "\xff"}',
                             headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
    assert_json_error(response, 400, "invalid_json")


# --- dates at the ends of the calendar ----------------------------------------------------------
@pytest.mark.parametrize("query", ["date=0001-01-01&week=true", "date=0001-01-03&week=true&format=html",
                                   "date=0001-01-01", "date=9999-12-31&week=true", "date=9999-12-31"])
def test_report_at_the_ends_of_the_calendar_answers(url, query):
    response = requests.get(f"{url}/api/report?{query}", headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text[:300]
    if "week=true" in query and query.startswith("date=0001-01-0"):
        assert "0001-01-01" in response.text


# --- text XML forbids ---------------------------------------------------------------------------
def _seed_control_characters(store) -> None:
    papers = [replace(p, title=f"Bell{BELL}title {p.title}", abstract=f"Abstract{BELL} with a bell",
                      comment=f"comment{BELL}") for p in sample_papers(3)]
    seed_day(store, papers)
    rows = [RankingRow(p.arxiv_id, score=0.9 - i * 0.01, reason=f"close to{BELL} item {i}",
                       tags=(f"tag{BELL}x", "ml")) for i, p in enumerate(papers)]
    store.save_ranking(DAY, rows)


def test_atom_feed_with_control_characters_is_well_formed(url, api_store):
    _seed_control_characters(api_store)
    response = requests.get(f"{url}/feed.atom", headers=AUTH, timeout=10)
    assert response.status_code == 200
    text = response.text
    assert BELL not in text
    root = ET.fromstring(response.content)
    entries = root.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 3
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 3
    assert parsed.entries[0].title.startswith("Belltitle ")
    assert any(t.term == "tagx" for t in parsed.entries[0].tags)


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("week", ["false", "true"])
def test_reports_with_control_characters_drop_them(url, api_store, fmt, week):
    _seed_control_characters(api_store)
    response = requests.get(f"{url}/api/report?date={DAY}&format={fmt}&week={week}", headers=AUTH, timeout=10)
    assert response.status_code == 200
    assert BELL not in response.text
    assert "Belltitle" in response.text


# --- waitress's own answers -------------------------------------------------------------------
def test_body_over_the_servers_limit_is_json_413(app):
    with served(app, max_request_body_size=100_000) as base:
        response = requests.post(f"{base}/api/sync", data=b"x" * 200_000,
                                 headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
        error = assert_json_error(response, 413, "payload_too_large")
        assert error["details"]["limit"] == 100_000


def test_body_over_the_apps_limit_is_json_413(url, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = requests.post(f"{url}/api/sync", data=b"x" * (limit + 1),
                             headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
    error = assert_json_error(response, 413, "payload_too_large")
    assert error["details"]["limit"] == limit


def test_chunked_body_over_the_servers_limit_is_json_413(app):
    with served(app, max_request_body_size=10_000) as base:
        chunk = b"x" * 4096
        request = (b"POST /api/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                   b"Content-Type: application/json\r\nAuthorization: " + AUTH["Authorization"].encode() + b"\r\n\r\n"
                   + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n")
        status, headers, body = raw_request(base, request)
        assert status == 413 and headers["content-type"] == "application/json"
        assert requests.models.complexjson.loads(body)["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("request_bytes,status,code", [
    (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon in this header\r\n\r\n", 400, "bad_request"),
    (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n", 400, "bad_request"),
    (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n", 431,
     "headers_too_large"),
])
def test_malformed_requests_are_json(url, request_bytes, status, code):
    got, headers, body = raw_request(url, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/json"
    import json
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"] and isinstance(error["details"], dict)


# --- Host allowlist (DNS rebinding) -------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.",
                                  "[::2]", "10.0.0.1"])
def test_unknown_host_is_421(url, host):
    if host == "localhost.":  # a trailing dot is the same name: allowed
        assert requests.get(f"{url}/api/health", headers={"Host": host}, timeout=10).status_code == 200
        return
    for path, headers in (("/api/health", {}), ("/api/papers", AUTH), ("/feed.atom", AUTH),
                          ("/api/openapi.json", {}), ("/api/nope", {})):
        response = requests.get(f"{url}{path}", headers={**headers, "Host": host}, timeout=10)
        error = assert_json_error(response, 421, "host_not_allowed")
        assert "last_fetch" not in response.text and host not in error["message"]
    preflight = requests.options(f"{url}/api/papers", timeout=10, headers={
        "Host": host, "Origin": "chrome-extension://abc", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 421


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8765", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:8765"])
def test_loopback_hosts_are_answered(url, host):
    response = requests.get(f"{url}/api/health", headers={"Host": host}, timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_allowed_hosts_and_public_url(server_config, api_store):
    from server import create_app

    config = server_config.with_values(server__allowed_hosts=["papers.internal"],
                                       server__public_url="https://papers.example.org/")
    with served(create_app(config, store=api_store)) as base:
        for host in ("papers.internal", "papers.example.org", "papers.example.org:443", "localhost"):
            assert requests.get(f"{base}/api/health", headers={"Host": host}, timeout=10).status_code == 200
        assert requests.get(f"{base}/api/health", headers={"Host": "evil.example"}, timeout=10).status_code == 421
        feed = requests.get(f"{base}/feed.atom", headers={**AUTH, "Host": "papers.internal"}, timeout=10)
        root = ET.fromstring(feed.content)
        atom = "{http://www.w3.org/2005/Atom}"
        assert root.find(f"{atom}id").text == "https://papers.example.org/feed.atom"
        assert root.find(f"{atom}link[@rel='self']").get("href") == "https://papers.example.org/feed.atom"


def test_feed_urls_never_come_from_the_request(url, server_config):
    response = requests.get(f"{url}/feed.atom", headers={**AUTH, "Host": "localhost:9999"}, timeout=10)
    assert response.status_code == 200
    assert "localhost:9999" not in response.text
    root = ET.fromstring(response.content)
    assert root.find("{http://www.w3.org/2005/Atom}id").text == \
        f"http://127.0.0.1:{server_config['server.port']}/feed.atom"


def test_bound_address_is_an_allowed_host(server_config, api_store):
    from server import create_app

    config = server_config.with_values(server__host="192.0.2.7")
    with served(create_app(config, store=api_store)) as base:
        assert requests.get(f"{base}/api/health", headers={"Host": "192.0.2.7:8765"}, timeout=10).status_code == 200
        assert requests.get(f"{base}/api/health", headers={"Host": "192.0.2.8"}, timeout=10).status_code == 421


# --- CORS: this extension only --------------------------------------------------------------------
def _chrome_id_of(manifest_key: str) -> str:
    """Chrome's extension id: SHA-256 of the DER public key, first 32 hex digits mapped 0-f -> a-p."""
    import base64
    import hashlib

    digest = hashlib.sha256(base64.b64decode(manifest_key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


def test_manifest_key_pins_the_allowed_chrome_id():
    import json

    from server import CHROME_EXTENSION_ID
    from tests.server.live import REPO

    manifest = json.loads((REPO / "extension" / "src" / "manifest.json").read_text(encoding="utf-8"))
    assert _chrome_id_of(manifest["key"]) == CHROME_EXTENSION_ID
    assert manifest["browser_specific_settings"]["gecko"]["id"] == "paperfeed@paperfeed.local"


def _preflight(base: str, origin: str) -> requests.Response:
    return requests.options(f"{base}/api/papers", timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})


@pytest.mark.parametrize("origin,allowed", [
    ("chrome-extension://ijncghfkfgbpkdpbnelhfmfkjdhnmjcn", True),
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", False),
    ("chrome-extension://ijncghfkfgbpkdpbnelhfmfkjdhnmjcnx", False),
    ("moz-extension://0f6c0e5c-6d0a-4c9e-9d61-2f1a3b7f0a11", False),
    ("http://localhost:8765", False),
    ("null", False),
])
def test_cors_answers_only_this_extension(url, origin, allowed):
    assert (_preflight(url, origin).headers.get("Access-Control-Allow-Origin") == origin) is allowed
    for path, headers in (("/api/papers", AUTH), ("/api/health", {})):
        response = requests.get(f"{url}{path}", headers={**headers, "Origin": origin}, timeout=10)
        assert response.status_code == 200
        assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed


def test_extension_ids_setting_adds_a_self_built_copy(server_config, api_store):
    from server import create_app

    chrome_id, firefox_uuid = "abcdefghijklmnopabcdefghijklmnop", "0F6C0E5C-6D0A-4C9E-9D61-2F1A3B7F0A11"
    config = server_config.with_values(server__extension_ids=[chrome_id, firefox_uuid])
    with served(create_app(config, store=api_store)) as base:
        for origin in (f"chrome-extension://{chrome_id}", f"moz-extension://{firefox_uuid.lower()}",
                       "chrome-extension://ijncghfkfgbpkdpbnelhfmfkjdhnmjcn"):
            assert _preflight(base, origin).headers.get("Access-Control-Allow-Origin") == origin
        assert "Access-Control-Allow-Origin" not in _preflight(base, "chrome-extension://" + "b" * 32).headers


def test_extension_ids_setting_refuses_what_is_not_an_id(tmp_path):
    from sync.errors import ConfigError
    from sync.settings import load_config

    path = tmp_path / "c.toml"
    path.write_text('[server]\nextension_ids = ["chrome-extension://*"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not an extension id"):
        load_config(path, environ={})


# --- the feed's own read-only token; the API token never in a URL -----------------------------------
def test_feed_takes_the_feed_token_in_its_url(url, api_store):
    from tests.server.conftest import FEED_TOKEN

    arxiv_id = seed_day(api_store, sample_papers(2))[0].paper.arxiv_id
    response = requests.get(f"{url}/feed.atom", params={"token": FEED_TOKEN}, timeout=10)
    assert response.status_code == 200 and arxiv_id in response.text
    assert FEED_TOKEN not in response.text
    assert_json_error(requests.get(f"{url}/feed.atom", params={"token": FEED_TOKEN + "x"}, timeout=10),
                      401, "invalid_feed_token")
    # the feed token opens the feed only
    for path in ("/api/papers", "/api/report", "/api/sync"):
        assert requests.get(f"{url}{path}", params={"token": FEED_TOKEN}, timeout=10).status_code in (400, 401)
        assert_json_error(requests.get(f"{url}{path}", headers={"Authorization": f"Bearer {FEED_TOKEN}"},
                                       timeout=10), 401, "invalid_token")


@pytest.mark.parametrize("path", ["/feed.atom", "/api/papers", "/api/health", "/api/openapi.json",
                                  "/api/report", "/api/nope"])
def test_api_token_in_any_query_string_is_401(url, path):
    from tests.server.conftest import TOKEN

    for params in ({"token": TOKEN}, {"limit": "1", "x": TOKEN}, {TOKEN: ""}):
        response = requests.get(f"{url}{path}", params=params, headers=AUTH, timeout=10)
        error = assert_json_error(response, 401, "token_in_url")
        assert "Authorization" in error["message"] and TOKEN not in response.text


def test_feed_without_a_feed_token_configured_is_503(server_config, api_store):
    from server import create_app

    with served(create_app(server_config.with_values(server__feed_token=""), store=api_store)) as base:
        assert_json_error(requests.get(f"{base}/feed.atom", params={"token": "anything"}, timeout=10),
                          503, "feed_token_not_configured")
        assert requests.get(f"{base}/feed.atom", headers=AUTH, timeout=10).status_code == 200


# --- the OpenAPI document is true ---------------------------------------------------------------
@pytest.mark.parametrize("action", ["save", "dismiss", "undo"])
def test_post_only_routes_advertise_only_post(url, action):
    for paper_id in ("2501.01234", "hep-th/9901001", "https%3A%2F%2Farxiv.org%2Fabs%2F2501.01234"):
        options = requests.options(f"{url}/api/papers/{paper_id}/{action}", headers=AUTH, timeout=10)
        assert options.status_code == 200
        assert {m.strip() for m in options.headers["Allow"].split(",")} == {"POST", "OPTIONS"}
        got = requests.get(f"{url}/api/papers/{paper_id}/{action}", headers=AUTH, timeout=10)
        error = assert_json_error(got, 405, "method_not_allowed")
        assert "GET" not in error["details"]["allowed"]
        assert "GET" not in got.headers["Allow"]


def test_get_routes_still_advertise_get(url):
    for path in ("/api/papers/2501.01234", "/api/papers/hep-th/9901001/bibtex", "/api/papers/2501.01234/bibtex"):
        allow = requests.options(f"{url}{path}", headers=AUTH, timeout=10).headers["Allow"]
        assert "GET" in allow and "POST" not in allow


def test_every_id_the_document_promises_is_accepted(url):
    """Strings matching the document's paper_id pattern are never a 400 (404: arXiv does not know them)."""
    from urllib.parse import quote

    from hypothesis import given, settings, strategies as st

    from server.schemas import PAPER_ID_PATTERN
    from sync.ids import parse_arxiv_id

    document = requests.get(f"{url}/api/openapi.json", timeout=10).json()
    param = document["paths"]["/api/papers/{paper_id}"]["get"]["parameters"][0]
    assert param["name"] == "paper_id" and param["schema"]["pattern"] == PAPER_ID_PATTERN

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.from_regex(PAPER_ID_PATTERN))
    def accepted(paper_id):
        parse_arxiv_id(paper_id)

    accepted()
    for paper_id in ("0704.0001", "arXiv:1412.9999v3", "2501.01234", " 9912.12345v12 ", "cond-mat/0012001"):
        response = requests.post(f"{url}/api/papers/{quote(paper_id, safe='')}/dismiss", headers=AUTH, timeout=10)
        assert response.status_code == 404, (paper_id, response.text)  # valid, just not stored


@pytest.mark.parametrize("body", ['{"sample": 0}', '{"sample": 1}', '{"sample": "true"}', '{"sample": null}'])
def test_sync_sample_flag_is_a_json_boolean(url, body):
    response = requests.post(f"{url}/api/sync", data=body, headers={**AUTH, "Content-Type": "application/json"},
                             timeout=10)
    assert_json_error(response, 400, "invalid_input")


@pytest.mark.parametrize("week", ["1", "yes", "True", "on"])
def test_report_week_flag_is_true_or_false(url, week):
    assert_json_error(requests.get(f"{url}/api/report?week={week}", headers=AUTH, timeout=10), 400, "invalid_input")


def test_docs_api_lists_every_error_code_with_its_status():
    """Every code the server can answer with is in docs/api.md's error table, on its status's row."""
    import re

    from server.errors import _HTTP_CODES
    from server.http_server import _CODES as WAITRESS_CODES
    from tests.server.live import REPO

    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    rows: dict[str, set[int]] = {}
    for status, codes in re.findall(r"^\| (\d{3}) \| (.+?) \|", text, re.MULTILINE):
        for code in re.findall(r"`([a-z_]+)`", codes):
            rows.setdefault(code, set()).add(int(status))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "server").rglob("*.py"))
    raised = {(int(s), c) for s, c in re.findall(r'(?:ApiError|error_response)\((\d{3}), "([a-z_]+)"', source)}
    raised |= {(s, c) for s, c in WAITRESS_CODES.items()}
    raised |= {(s, c) for s, c in _HTTP_CODES.items() if s in (400, 404, 405, 413, 415, 500)}
    missing = sorted((s, c) for s, c in raised if s not in rows.get(c, set()))
    assert not missing, f"error codes missing from docs/api.md's table: {missing}"


@pytest.mark.parametrize("target", ["/api/papers?status=%ED%A0%80", "/api/papers/%ED%A0%80", "/api/papers/%ED%A0%80/save",
                                    "/api/report?date=%ED%A0%80", "/feed.atom?token=%ED%A0%80", "/api/papers?%ED%A0%80=1",
                                    "/api/papers/2501.01234%00", "/api/papers?limit=%00"])
def test_encoded_surrogates_and_nul_in_urls_are_4xx(url, target):
    method = b"POST" if target.endswith("/save") else b"GET"
    status, headers, body = raw_request(url, method + b" " + target.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        b"Authorization: " + AUTH["Authorization"].encode() + b"\r\n"
                                        b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    assert 400 <= status < 500, (status, body[:300])
    assert headers["content-type"] == "application/json"


@pytest.mark.parametrize("body", [b"\t", b" ", b"\r\n"])
def test_body_of_only_blanks_is_not_json(url, body):
    response = requests.post(f"{url}/api/sync", data=body, headers={**AUTH, "Content-Type": "application/json"},
                             timeout=10)
    assert_json_error(response, 400, "invalid_json")
    assert requests.post(f"{url}/api/sync", headers=AUTH, timeout=10).status_code == 202  # no body: {}
