"""Load from wrk (Debian package ``wrk``): a C event-loop client that does not itself compete for the
GIL the way Python client threads do. Used by bench_api.py and bench_lab.py."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from typing import Sequence


def run_wrk(url: str, *, clients: int, seconds: int, timeout: str, headers: Sequence[str] = (),
            script: str | None = None) -> dict:
    """``clients`` connections to ``url`` for ``seconds`` (optionally driven by a Lua ``script``):
    p50/p99 in ms, requests per second and the request count. Any failed request stops the benchmark."""
    cmd = ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds}s", "--latency",
           "--timeout", timeout]
    for header in headers:
        cmd += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            cmd += ["-s", lua.name]
        out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    percent = {p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        raise SystemExit(f"wrk saw failed requests: {errors.group(0)}\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"p50_ms": percent["50"], "p99_ms": percent["99"], "rps": rps, "n": total}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
