"""File-mode speed: `paperfeed rank --library L --candidates C --background B --out O --cache-dir D`.

    .venv/bin/python bench/bench_file_mode.py

Real papers of the dev data set: 150 library items, the 250 candidates of one day, and as background
the papers announced before that day (--background-size, default 2,000). Each call is a fresh
`paperfeed rank` process (what a script calling paperfeed pays: interpreter, imports, reading the
files, ranking, writing). Call 1 starts with an empty cache directory (cold: the model is loaded and
every text embedded); calls 2-4 reuse it (warm: nothing embedded, the model not even loaded).
Default backend (hybrid).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dev_data import REPO_ROOT, add_data_option, load_records  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--background-size", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=4)
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="reuse this embedding cache directory (e.g. bench/.cache/file-mode) instead of a fresh one")
    add_data_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    days = sorted({r["announced"] for r in records})
    day = next(d for d in days if sum(r["announced"] == d for r in records) >= 250
               and sum(r["announced"] < d for r in records) >= 150 + args.background_size)
    candidates = [r for r in records if r["announced"] == day][:250]
    earlier = sorted((r for r in records if r["announced"] < day), key=lambda r: r["announced"], reverse=True)
    library, background = earlier[:150], earlier[150:150 + args.background_size]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        files = {}
        for name, rows in (("library", library), ("candidates", candidates), ("background", background)):
            files[name] = tmp_path / f"{name}.jsonl"
            files[name].write_text("".join(json.dumps(r) + "\n" for r in rows))
        cmd = [sys.executable, "-m", "server.cli", "rank", "--library", str(files["library"]), "--candidates",
               str(files["candidates"]), "--background", str(files["background"]), "--out", str(tmp_path / "out.jsonl"),
               "--cache-dir", str(args.cache_dir or tmp_path / "cache")]
        cold = not (args.cache_dir and (args.cache_dir / "embeddings.sqlite3").exists())
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                   PAPERFEED_CONFIG=str(tmp_path / "config.toml"), PAPERFEED_STORAGE_DATA_DIR=str(tmp_path / "data"))
        print(f"day {day}: {len(candidates)} candidates, {len(library)} library items, background {len(background)}")
        print("| call | wall time | output |\n|---|---|---|")
        # baselines in the same run: the interpreter alone, and the CLI doing nothing but start
        for label, base_cmd in (("baseline: python -c pass", [sys.executable, "-c", "pass"]),
                                ("baseline: paperfeed --version", [sys.executable, "-m", "server.cli", "--version"])):
            start = time.perf_counter()
            subprocess.run(base_cmd, env=env, capture_output=True, text=True, cwd=REPO_ROOT, check=True)
            print(f"| {label} | {time.perf_counter() - start:.2f} s | |", flush=True)
        for call in range(1, args.calls + 1):
            start = time.perf_counter()
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO_ROOT)
            elapsed = time.perf_counter() - start
            if done.returncode:
                print(done.stdout, done.stderr)
                return 1
            label = "cold (empty cache)" if call == 1 and cold else "warm"
            print(f"| {call} {label} | {elapsed:.2f} s | {done.stdout.strip().split('; ', 1)[-1]} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
