"""`report --all --html`: one self-contained page, opened in headless Chromium with the network
cut off: every chart drawn, no error in the console, nothing fetched, names in every script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipelines import funnel
from tests.funnel.test_models import _load
from tests.sequenzy.environment import cli_env
from tests.support.cli import ROOT
from tests.support.warehouses import DuckDBWarehouse

CHROMIUM = Path("/usr/bin/chromium")
# as the machine's notes say: without the background-networking flags Chromium reaches out
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not installed (/usr/bin/chromium): `make test` installs Debian's"
                    " chromium package when it can")  # fmt: skip
    return CHROMIUM


def test_the_page_draws_every_chart_offline(chromium, unify, instantly, sequenzy, tmp_path):
    from playwright.sync_api import sync_playwright

    servers = {"unify": unify(enrollments=300, shared_people=40),
               "instantly": instantly(leads=200, shared_people=40),
               "sequenzy": sequenzy(enrollments=300, shared_people=40)}  # fmt: skip
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    _load(tuple(servers), servers, warehouse, tmp_path, False)
    funnel.build(warehouse.destination(), pipelines_dir=str(tmp_path / "pipelines"))
    page_path = tmp_path / "out" / "funnel.html"
    env = cli_env(servers["sequenzy"].base_url, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "report", "--all", "--html", str(page_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert str(page_path) in result.stdout and page_path.is_file()

    errors: list[str] = []
    fetched: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: fetched.append(r.url))
        page.route("http*://**", lambda route: route.abort())  # no network: all must be inside
        page.goto(page_path.as_uri())
        page.wait_for_selector("#chart-2 .main-svg")
        charts = page.locator(".js-plotly-plot")
        axes = [charts.nth(k).locator(".cartesianlayer").count() for k in range(charts.count())]
        marks = [page.locator(f"#chart-{k} {mark}").count()
                 for k, mark in enumerate((".point", ".scatterlayer .trace", ".point"))]  # fmt: skip
        text = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        browser.close()

    assert not errors, errors
    assert [u for u in fetched if not u.startswith("file:")] == []
    assert axes == [1, 1, 1]  # three charts, each drawn with its axes
    # the funnel by tool: five stages of three tools (Sequenzy's replies are n/a); the reply
    # rate of the two tools that give replies; the people of each pair of tools
    assert marks[0] >= 13 and marks[1] >= 1 and marks[2] >= 2, marks
    names = [s.body["name"] for s in servers["unify"].state.world.sequences]
    names += [c["name"] for c in servers["instantly"].state.world.campaigns]
    names += [s.body["name"] for s in servers["sequenzy"].state.world.sequences]
    assert any(not n.isascii() for n in names)  # the worlds' names are in several scripts
    assert all(n in text for n in names), [n for n in names if n not in text]
    shot = Image.open(tmp_path / "page.png").convert("RGB")
    assert shot.height > 1600 and len(shot.resize((200, 400)).getcolors(80_000) or []) > 50


def test_the_weekly_line_breaks_where_no_cohort_is_and_sets_apart_the_weeks_still_running():
    from datetime import date, timedelta

    from pipelines.funnel.page import weekly

    monday = date(2026, 7, 6)
    week = [monday + timedelta(days=7 * k) for k in range(12)]
    rows = [  # vendor, cohort_week, enrolled, reached, in_progress, reply %
        ("instantly", week[0], 40, 30, 0, 10.0),
        ("instantly", week[1], 40, 30, 1, 12.0),
        ("instantly", week[2], 40, 5, 0, 20.0),  # too few reached to draw
        ("instantly", week[9], 40, 30, 2, 11.0),  # after six weeks without a cohort
        ("instantly", week[11], 40, 30, 35, 3.5),  # most still in their sequence
        ("sequenzy", week[3], 10, 10, 0, None),  # replies unknown: nothing to draw
    ]
    series = weekly(rows)
    instantly = series["instantly"]
    assert instantly.weeks == week  # every week from the first to the last, gaps included
    assert instantly.rates == [10.0, 12.0, *[None] * 7, 11.0, None, None]
    assert instantly.still_running == [*[None] * 11, 3.5]
    assert series["sequenzy"].rates == [None] and series["sequenzy"].still_running == [None]


def test_with_several_workspaces_the_page_shows_one_at_a_time(chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.support.cli import run_cli
    from tests.unify.test_workspaces import served_worlds, workspaces_env

    keys = {name: f"unify-key-{name}" for name in ("acme", "beta")}
    with served_worlds(keys, {"acme": 200, "beta": 120}) as servers:
        env = workspaces_env(servers, tmp_path, keys)
        assert run_cli(tmp_path, env).returncode == 0
        names = {s.body["name"] for s in servers["beta"].state.world.sequences}
    page_path = tmp_path / "funnel.html"
    shown = run_cli(tmp_path, env, "--html", str(page_path), command="report", vendor="--all")
    assert shown.returncode == 0, shown.stderr
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.route("http*://**", lambda route: route.abort())
        page.goto(page_path.as_uri())
        page.wait_for_selector("#chart-0 .main-svg")
        options = page.locator("#workspace option").all_inner_texts()
        whole = page.locator("section.view:not([hidden])").inner_text()
        page.select_option("#workspace", "beta")
        page.wait_for_selector("#chart-2-0 .main-svg")
        beta = page.locator("section.view:not([hidden])").all_inner_texts()
        browser.close()
    assert options == ["every workspace", "acme", "beta"]
    assert "Unify · acme" in whole and "Unify · beta" in whole  # the whole, each apart
    assert len(beta) == 1  # one view at a time: the chosen workspace's
    assert "Unify · acme" not in beta[0] and "Unify · beta" not in beta[0]  # one workspace
    assert any(name in beta[0] for name in names)
