"""Execution reports rendered by a real browser (Debian's headless `chromium`): the page's script runs to
its end (it writes a marker into the DOM, read back with --dump-dom), the console logs no error, and a
screenshot is produced. A deliberately broken page must fail the same check, or the check proves nothing."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ddbflow.engine import Engine, Execution
from ddbflow.history import visits
from ddbflow.report import render
from helpers import load_event

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)


def _chromium(page: Path, profile: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", *mode, page.as_uri(),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def page_problems(page: Path, profile: Path) -> list[str]:
    """What went wrong rendering ``page``: script errors in the console, a script that did not finish."""
    result = _chromium(page, profile, "--dump-dom")
    problems = [
        line.split("CONSOLE", 1)[1]
        for line in result.stderr.splitlines()
        if ":CONSOLE" in line and "Uncaught" in line
    ]
    if result.returncode != 0:
        problems.append(f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
    if 'data-report-ready="1"' not in result.stdout:
        problems.append("the page's script did not run to its end (no data-report-ready marker)")
    return problems


def _report(engine: Engine, execution: Execution, machine: str, folder: Path) -> Path:
    definition = json.loads(
        engine.sfn.describe_state_machine(stateMachineArn=engine.machines[machine])["definition"]
    )
    page = folder / f"{machine}.html"
    page.write_text(render(execution, definition, machine))
    return page


def test_reports_render_without_errors_and_a_broken_page_is_caught(engine: Engine, tmp_path: Path) -> None:
    # GIVEN a scale-down check (a Map over every target) and a cache rebuild that fails on bad input
    check = engine.run("scale-down", load_event("schedule.json"))
    failed = engine.run("cache-rebuild", {"key": "top-products#books"})
    assert (check.status, failed.status) == ("SUCCEEDED", "FAILED")
    pages = [
        _report(engine, check, "scale-down", tmp_path),
        _report(engine, failed, "cache-rebuild", tmp_path),
    ]
    profile = tmp_path / "profile"

    # WHEN Chromium renders them THEN the script finishes and nothing is logged as an error
    for page in pages:
        assert page_problems(page, profile) == [], page.name
        dom = _chromium(page, profile, "--dump-dom").stdout
        visits = dom.count('class="visit')
        assert f"rendered {len(set(_states(page)))} states, {visits} visits" in dom

    # AND a screenshot is produced
    shot = tmp_path / "scale-down.png"
    _chromium(pages[0], profile, f"--screenshot={shot}", "--window-size=1400,2000", "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    # AND the same check fails a page whose script throws
    broken = tmp_path / "broken.html"
    broken.write_text(pages[0].read_text().replace("(function () {", "(function () { null.boom();", 1))
    problems = page_problems(broken, profile)
    assert any("Uncaught TypeError" in p for p in problems), problems
    assert any("did not run to its end" in p for p in problems)


def test_the_failed_state_is_red_and_the_failure_is_on_top(engine: Engine, tmp_path: Path) -> None:
    failed = engine.run("cache-rebuild", {"key": "top-products#books"})
    html = _report(engine, failed, "cache-rebuild", tmp_path).read_text()
    assert failed.error and f"<strong>{failed.error}</strong>" in html
    last = visits(failed.events)[-1]
    assert last.kind == "Fail"
    assert f'class="state failed fail" data-state="{last.name}"' in html
    assert 'class="state visited' in html and 'class="state unvisited' in html


def _states(page: Path) -> list[str]:
    text = page.read_text()
    data = text.split('id="report-data">', 1)[1].split("</script>", 1)[0]
    return list(json.loads(data)["states"])
