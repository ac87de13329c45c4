"""The ``paperfeed`` console script: the engine's commands plus ``serve``."""

from __future__ import annotations

from sync.cli import cli


def main() -> None:
    cli(prog_name="paperfeed")


if __name__ == "__main__":
    main()
