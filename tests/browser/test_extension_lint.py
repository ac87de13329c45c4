"""Static checks of the extension: web-ext lint, no HTML-string sinks, permissions documented."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.browser.harness import EXTENSION, REPO, node_bin, require_node_modules

SOURCE = EXTENSION / "src"
MANIFEST = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
# Chromium needs background.service_worker, Firefox background.scripts; Firefox ignores the
# former and addons-linter says so. That one warning is the price of one manifest for both.
EXPECTED_WARNINGS = {("MANIFEST_FIELD_UNSUPPORTED", '"/background/service_worker" is not supported.')}


def test_extension_web_ext_lint_is_clean() -> None:
    require_node_modules()
    done = subprocess.run([node_bin(), "node_modules/web-ext/bin/web-ext.js", "lint", "--source-dir", "src",
                           "--self-hosted=false", "--output", "json"], cwd=EXTENSION, capture_output=True, text=True,
                          timeout=120)
    report = json.loads(done.stdout)
    assert report["errors"] == [] and report["notices"] == [], report
    assert {(w["code"], w["message"]) for w in report["warnings"]} <= EXPECTED_WARNINGS, report["warnings"]


SINKS = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|"
                   r"setTimeout\(\s*['\"`]|<script[^>]*>[^<]")


@pytest.mark.parametrize("path", sorted(p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*")
                                        if p.suffix in (".js", ".html")))
def test_extension_source_has_no_html_string_sinks(path: str) -> None:
    text = (SOURCE / path).read_text(encoding="utf-8")
    assert not SINKS.search(text), f"{path} builds HTML from strings or runs code from strings"
    if path.endswith(".html"):
        assert not re.search(r"\son\w+=", text), f"{path} has an inline event handler"
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"{path} has an inline script"
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), f"{path} loads something remote"


def test_extension_permissions_are_minimal_and_each_justified() -> None:
    docs = (REPO / "docs" / "extension.md").read_text(encoding="utf-8")
    requested = MANIFEST["permissions"] + MANIFEST["host_permissions"] + [
        match for script in MANIFEST["content_scripts"] for match in script["matches"]]
    assert set(MANIFEST["permissions"]) == {"storage", "alarms", "contextMenus", "activeTab"}
    assert "tabs" not in MANIFEST["permissions"] and "<all_urls>" not in requested
    for permission in requested:
        assert f"`{permission}`" in docs, f"docs/extension.md does not justify {permission}"


def test_extension_manifest_serves_chromium_and_firefox() -> None:
    assert MANIFEST["manifest_version"] == 3
    assert MANIFEST["background"]["service_worker"] == "bg.js" and MANIFEST["background"]["scripts"] == ["bg.js"]
    gecko = MANIFEST["browser_specific_settings"]["gecko"]
    assert gecko["id"] and gecko["data_collection_permissions"]["required"] == ["none"]
    assert "save-this-paper" in MANIFEST["commands"]
    for relative in [MANIFEST["background"]["service_worker"], MANIFEST["action"]["default_popup"],
                     MANIFEST["options_ui"]["page"], *MANIFEST["icons"].values(),
                     *(f for script in MANIFEST["content_scripts"] for f in script["js"] + script["css"])]:
        assert (SOURCE / relative).is_file(), relative


def test_extension_package_builds_both_store_zips_without_test_files(tmp_path) -> None:
    """`npm run package` (scripts/package.mjs): a Firefox and a Chrome zip from one command; a
    test copy's test-hooks.json (the ?url= hook) never ships."""
    import shutil
    import zipfile

    require_node_modules()
    copy = tmp_path / "src"
    shutil.copytree(SOURCE, copy)
    (copy / "test-hooks.json").write_text('{"popupUrl": true}\n', encoding="utf-8")
    done = subprocess.run([node_bin(), "scripts/package.mjs", "--source", str(copy), "--out", str(tmp_path / "dist")],
                          cwd=EXTENSION, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    built = json.loads(done.stdout.strip().splitlines()[-1])
    shipped = {p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*") if p.is_file()}
    for browser in ("firefox", "chrome"):
        with zipfile.ZipFile(built[browser]) as archive:
            names = {name for name in archive.namelist() if not name.endswith("/")}
            manifest = json.loads(archive.read("manifest.json"))
        assert "test-hooks.json" not in names, browser
        assert not any(name.startswith(("tests/", "node_modules/")) for name in names), browser
        assert names == shipped, (browser, names ^ shipped)
        assert manifest["version"] == MANIFEST["version"]
        if browser == "firefox":
            assert manifest["browser_specific_settings"]["gecko"]["id"] == MANIFEST["browser_specific_settings"]["gecko"]["id"]
        else:
            assert "browser_specific_settings" not in manifest and "scripts" not in manifest["background"]
            assert manifest["background"]["service_worker"] == "bg.js"


def test_extension_url_hook_only_behind_the_test_hooks_file() -> None:
    popup = (SOURCE / "popup" / "popup.js").read_text(encoding="utf-8")
    assert "popupUrlOverride(location.search, hooks)" in popup
    assert not (SOURCE / "test-hooks.json").exists(), "src/ is what gets installed: it carries no test hooks"
