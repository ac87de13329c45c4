"""Summaries: extractive by default; a real local OpenAI-compatible server for the endpoint path."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync.models import Paper
from sync.summarize import Summarizer, extractive_summary, split_sentences

ABSTRACT = ("Large language models struggle with long contexts. Prior work, e.g. sparse attention, trades "
            "accuracy for speed. We propose RingCache, a cache layout that keeps attention exact while "
            "cutting memory by 3.5x. Experiments on 12 benchmarks show that RingCache outperforms "
            "state-of-the-art baselines. Code is available online.")
PAPER = Paper(arxiv_id="2509.00001", title="RingCache", abstract=ABSTRACT)


@pytest.mark.parametrize("text, expected", [
    ("One. Two.", ["One.", "Two."]),
    ("We use e.g. caches. It works.", ["We use e.g. caches.", "It works."]),
    ("Speed-up of 3.5x over Smith et al. in 2020. Done.", ["Speed-up of 3.5x over Smith et al. in 2020.", "Done."]),
    ("", []),
    ("  no final stop  ", ["no final stop"]),
])
def test_split_sentences_handles_abbreviations(text, expected):
    assert split_sentences(text) == expected


def test_extractive_summary_keeps_problem_and_contribution():
    summary = extractive_summary(ABSTRACT, max_words=45)
    assert summary.startswith("Large language models struggle with long contexts.")
    assert "We propose RingCache" in summary
    assert "Code is available online." not in summary
    assert len(summary.split()) <= 45


def test_extractive_summary_cuts_one_long_sentence():
    long = " ".join(["word"] * 200) + "."
    summary = extractive_summary(long, max_words=20)
    assert summary.endswith("…") and len(summary.split()) == 20


def test_extractive_summary_empty_abstract():
    assert extractive_summary("") == ""


class ChatServer:
    """A local server speaking the chat-completions shape; ``mode`` picks its behaviour."""

    def __init__(self, mode: str):
        self.mode = mode
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                       "body": body})
                if owner.mode == "hang":
                    time.sleep(1.2)
                if owner.mode == "error":
                    self._send(500, {"error": {"message": "overloaded", "type": "server_error"}})
                elif owner.mode == "garbage":
                    self._send(200, {"unexpected": True})
                else:
                    self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                                     "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                         "role": "assistant", "content": "RingCache makes attention\n exact."}}]})

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server(request):
    server = ChatServer(request.param)
    yield server
    server.close()


def _config(config, url):
    return config.with_values(reports__summary_url=url, reports__summary_model="tiny-model",
                              reports__summary_api_key="sk-test-secret", reports__summary_timeout_seconds=0.5)


@pytest.mark.parametrize("chat_server", ["ok"], indirect=True)
def test_summarizer_uses_endpoint(chat_server, config):
    summarizer = Summarizer(_config(config, chat_server.url))
    assert summarizer.summarize(PAPER) == "RingCache makes attention exact."
    request = chat_server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test-secret"
    assert request["body"]["model"] == "tiny-model"
    assert ABSTRACT in request["body"]["messages"][-1]["content"]


@pytest.mark.parametrize("chat_server", ["error", "hang", "garbage"], indirect=True)
def test_summarizer_falls_back_to_extractive_and_asks_once(chat_server, config, caplog):
    summarizer = Summarizer(_config(config, chat_server.url))
    first = summarizer.summarize(PAPER)
    second = summarizer.summarize(PAPER)
    assert first == second == extractive_summary(ABSTRACT)
    assert len(chat_server.requests) == 1 and summarizer.used_fallback
    assert "sk-test-secret" not in caplog.text


def test_summarizer_unreachable_endpoint_falls_back(config):
    summarizer = Summarizer(_config(config, "http://127.0.0.1:9/v1"))  # discard port: connection refused
    assert summarizer.summarize(PAPER) == extractive_summary(ABSTRACT)


def test_summarizer_without_endpoint_is_extractive(config):
    summarizer = Summarizer(config)
    assert not summarizer.uses_endpoint
    assert summarizer.summarize(PAPER) == extractive_summary(ABSTRACT)


def test_extractive_summary_prefers_contribution_with_adverb():
    text = ("Agents learn slowly from sparse rewards. Prior work uses dense labels that are costly. "
            "Annotators disagree often and at length about many labels in many settings. "
            "We therefore introduce OPRL, a credit-assignment method. Appendix details follow.")
    assert "We therefore introduce OPRL" in extractive_summary(text, max_words=20)
