"""One blueprint per resource; :func:`register_blueprints` wires them into the app."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import health, library, openapi, papers, reports, sync_runs

    app.url_map.converters["paper"] = papers.PaperPathConverter
    for module in (health, openapi, papers, library, sync_runs, reports):
        app.register_blueprint(module.bp)
