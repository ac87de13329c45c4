"""One error shape for every failure, the token check, CORS and the body limit."""

from __future__ import annotations

import pytest

from server import create_app
from tests.server.conftest import AUTH, TOKEN


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


@pytest.mark.parametrize("method,url,kwargs,status,code", [
    ("get", "/api/nope", {}, 404, "not_found"),
    ("get", "/nope", {}, 404, "not_found"),
    ("post", "/api/papers", {}, 405, "method_not_allowed"),
    ("delete", "/api/papers/2501.01234", {}, 405, "method_not_allowed"),
    ("get", "/api/papers/2501.01234/save", {}, 405, "method_not_allowed"),
    ("get", "/api/papers/2501.01234/dismiss", {}, 405, "method_not_allowed"),
    ("post", "/api/health", {}, 405, "method_not_allowed"),
    ("get", "/api/papers/not-an-id", {}, 400, "invalid_arxiv_id"),
    ("get", "/api/papers/2513.01234", {}, 400, "invalid_arxiv_id"),
    ("post", "/api/papers/nonsense/save", {}, 400, "invalid_arxiv_id"),
    ("get", "/api/papers?limit=0", {}, 400, "invalid_input"),
    ("get", "/api/papers?limit=501", {}, 400, "invalid_input"),
    ("get", "/api/papers?limit=ten", {}, 400, "invalid_input"),
    ("get", "/api/papers?offset=-1", {}, 400, "invalid_input"),
    ("get", "/api/papers?date=2025-13-01", {}, 400, "invalid_input"),
    ("get", "/api/papers?min_score=nan", {}, 400, "invalid_input"),
    ("get", "/api/papers?status=liked", {}, 400, "invalid_input"),
    ("get", "/api/papers?min-score=0.5", {}, 400, "invalid_input"),
    ("get", "/api/papers?limit=1&limit=2", {}, 400, "invalid_input"),
    ("get", "/api/report?format=pdf", {}, 400, "invalid_input"),
    ("post", "/api/sync", {"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
    ("post", "/api/sync", {"json": [1, 2]}, 400, "invalid_input"),
    ("post", "/api/sync", {"json": {"sample": "maybe"}}, 400, "invalid_input"),
    ("post", "/api/papers/2501.01234/dismiss", {}, 404, "not_found"),
])
def test_errors_have_one_shape(client, method, url, kwargs, status, code):
    response = getattr(client, method)(url, headers=AUTH, **kwargs)
    assert_error(response, status, code)


def test_errors_405_lists_allowed_methods(client):
    error = assert_error(client.post("/api/papers", headers=AUTH), 405, "method_not_allowed")
    assert "GET" in error["details"]["allowed"]


def test_errors_invalid_query_names_the_field(client):
    error = assert_error(client.get("/api/papers?limit=0", headers=AUTH), 400, "invalid_input")
    assert "limit" in error["details"]["fields"]
    assert "limit" in error["message"]


def test_errors_oversized_body_is_413_json(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/papers/2501.01234/save", headers=AUTH,
                           json={"note": "x" * (limit + 10)})
    error = assert_error(response, 413, "payload_too_large")
    assert error["details"]["limit"] == limit


@pytest.mark.parametrize("headers,code", [
    ({}, "missing_token"),
    ({"Authorization": "Bearer "}, "missing_token"),
    ({"Authorization": f"Basic {TOKEN}"}, "missing_token"),
    ({"Authorization": "Bearer wrong-token"}, "invalid_token"),
    ({"Authorization": f"Bearer {TOKEN}x"}, "invalid_token"),
    ({"Authorization": f"Bearer {TOKEN[:-1]}"}, "invalid_token"),
])
@pytest.mark.parametrize("method,url", [
    ("get", "/api/papers"), ("get", "/api/papers/2501.01234"), ("post", "/api/papers/2501.01234/save"),
    ("post", "/api/papers/2501.01234/dismiss"), ("post", "/api/papers/2501.01234/undo"),
    ("get", "/api/papers/2501.01234/bibtex"), ("get", "/api/collections"), ("get", "/api/tags"),
    ("get", "/api/sync"), ("post", "/api/sync"), ("get", "/api/report"), ("get", "/feed.atom"),
])
def test_auth_protected_routes_refuse_without_the_token(client, headers, code, method, url):
    response = getattr(client, method)(url, headers=headers)
    assert_error(response, 401, code)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_auth_feed_accepts_token_in_query_only_when_right(client):
    assert_error(client.get("/feed.atom?token=wrong"), 401, "invalid_feed_token")


@pytest.mark.parametrize("url", ["/api/health", "/api/openapi.json"])
def test_auth_public_routes_need_no_token(client, url):
    assert client.get(url).status_code == 200


def test_auth_without_configured_token_refuses_with_init_hint(server_config, api_store):
    app = create_app(server_config.with_values(server__token=""), store=api_store)
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer anything"}):
        error = assert_error(client.get("/api/papers", headers=headers), 503, "token_not_configured")
        assert "paperfeed init" in error["message"]
    assert client.get("/api/health").status_code == 200


@pytest.mark.parametrize("origin,allowed", [
    ("chrome-extension://ijncghfkfgbpkdpbnelhfmfkjdhnmjcn", True),  # this extension (id pinned by its key)
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", False),  # another extension
    ("moz-extension://0f6c0e5c-6d0a-4c9e-9d61-2f1a3b7f0a11", False),
    ("https://evil.example", False),
    ("http://127.0.0.1:8000", False),
    ("null", False),
])
def test_cors_only_for_extension_origins(client, origin, allowed):
    preflight = client.options("/api/papers", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200  # preflight carries no token and must not be refused
    got = preflight.headers.get("Access-Control-Allow-Origin")
    assert (got == origin) is allowed
    if allowed:
        assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
        actual = client.get("/api/papers", headers={"Origin": origin, **AUTH})
        assert actual.headers["Access-Control-Allow-Origin"] == origin
    else:
        assert got is None


def test_cors_origins_setting_is_honoured(server_config, api_store):
    app = create_app(server_config.with_values(server__cors_origins=["chrome-extension://myid"]), store=api_store)
    client = app.test_client()
    ok = client.get("/api/health", headers={"Origin": "chrome-extension://myid"})
    other = client.get("/api/health", headers={"Origin": "chrome-extension://other"})
    assert ok.headers.get("Access-Control-Allow-Origin") == "chrome-extension://myid"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_responses_are_not_cached_or_sniffed(client):
    response = client.get("/api/papers", headers=AUTH)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unexpected_exception_is_500_json_without_traceback(app, client):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals")

    error = assert_error(client.get("/api/boom", headers=AUTH), 500, "internal_error")
    assert "secret internals" not in error["message"]
