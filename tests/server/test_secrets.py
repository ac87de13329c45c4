"""No response ever carries a secret (the Zotero API key, the server token, other secret settings)."""

from __future__ import annotations

from sync.settings import SETTINGS
from tests.server.conftest import AUTH, TOKEN, sample_papers, seed_day, seed_library


def test_secrets_never_appear_in_any_response(app, client, server_config, api_store):
    ranked = seed_day(api_store, sample_papers(5))
    seed_library(api_store, in_library={ranked[0].paper.arxiv_id: "ITEMKEY1"})
    arxiv_id = ranked[0].paper.arxiv_id
    secrets = [server_config[s.name] for s in SETTINGS if s.secret and server_config[s.name]]
    assert "ZOTERO-SECRET-KEY-abcdef123456" in secrets and TOKEN in secrets
    calls = [("get", rule.rule) for rule in app.url_map.iter_rules() if "<" not in rule.rule]
    calls += [("get", f"/api/papers/{arxiv_id}"), ("get", f"/api/papers/{arxiv_id}/bibtex"),
              ("post", f"/api/papers/{arxiv_id}/dismiss"), ("post", f"/api/papers/{arxiv_id}/undo"),
              ("get", "/api/papers?limit=0"), ("get", "/api/nope"), ("post", "/api/papers"),
              ("get", "/api/report?format=html"), ("get", "/api/sync")]
    seen = 0
    for method, url in calls:
        for headers in (AUTH, {}, {"Authorization": "Bearer wrong"}):
            response = getattr(client, method)(url, headers=headers)
            text = response.get_data(as_text=True) + str(response.headers)
            for secret in secrets:
                assert secret not in text, (method, url, response.status_code)
            seen += 1
    assert seen > 40
