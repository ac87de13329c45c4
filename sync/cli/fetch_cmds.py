"""``paperfeed fetch`` and ``paperfeed list``."""

from __future__ import annotations

import click

from . import cli
