"""The OpenAPI document and docs/api.md cover every route."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import schemathesis

from server.apidoc import openapi_path

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, openapi_path(rule.rule)))
    return found


def test_openapi_document_is_valid_and_complete(client, app):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.0.3"
    schemathesis.openapi.from_dict(document).validate()  # raises on an invalid OpenAPI 3 document
    documented = {(m.upper(), path) for path, ops in document["paths"].items() for m in ops}
    assert set(routes(app)) == documented
    assert len(documented) >= 14


def test_openapi_protected_operations_declare_bearer(client):
    document = client.get("/api/openapi.json").get_json()
    public = {"/api/health", "/api/openapi.json"}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            if path in public or path == "/feed.atom":
                continue
            assert op["security"] == [{"bearer": []}], (method, path)
            assert "401" in op["responses"]


def test_openapi_every_view_is_declared(app):
    missing = [rule.rule for rule in app.url_map.iter_rules()
               if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], "openapi")]
    assert not missing


def test_docs_api_documents_every_route_with_examples(app):
    text = API_DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## ([A-Z]+ \S+)\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S))
    for method, path in routes(app):
        heading = f"{method} {path}"
        assert heading in sections, f"docs/api.md has no section '## {heading}'"
        body = sections[heading]
        assert "```http" in body, f"{heading}: no example request"
        assert body.count("```") >= 4, f"{heading}: no example response"


@pytest.mark.parametrize("example", re.findall(r"```json\n(.*?)```", API_DOC.read_text(encoding="utf-8"), re.S))
def test_docs_api_json_examples_parse(example):
    import json

    json.loads(example)
