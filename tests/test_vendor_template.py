"""Adding a vendor is adding its folders. The template vendor (templates/vendor/: Acme, a
fictional API) copied into a copy of the checkout is loaded, reported and modelled by the
command line, and its own tests and the vendor-neutral ones find it, with no file outside its
folders edited (docs/adding-a-vendor.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.support.cli import ROOT, clean_env, copy_tracked

TEMPLATE = ROOT / "templates" / "vendor"
VENDOR = "acme"
# the only places a vendor's files go
FOLDERS = ("sources/{v}/", "sandbox/{v}/", "tests/{v}/", "dbt/models/staging/{v}/",
           "dbt/models/reporting/{v}/", "bench/{v}/", "docs/vendors/{v}.md")  # fmt: skip


def template_files() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATE)) for p in TEMPLATE.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)  # fmt: skip


def test_the_template_adds_files_in_its_own_folders_only():
    allowed = tuple(folder.format(v=VENDOR) for folder in FOLDERS)
    files = template_files()
    assert files and [f for f in files if not f.startswith(allowed)] == []
    assert [f for f in files if (ROOT / f).exists()] == []  # nothing of the checkout's replaced


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed files of the checkout, and the template's beside them."""
    copy = copy_tracked(tmp_path_factory.mktemp("checkout"))
    for name in template_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(TEMPLATE / name, copy / name)
    return copy


@pytest.fixture
def sandbox(checkout: Path) -> Iterator[str]:
    """`python -m sandbox acme` of the copy, on a free loopback port: its base URL."""
    server = subprocess.Popen([sys.executable, "-m", "sandbox", VENDOR, "--port", "0"],
                              cwd=checkout, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        banner = "".join(server.stdout.readline() for _ in range(2))
        found = re.search(r"base URL: (http://127\.0\.0\.1:\d+/v1)", banner)
        assert found, banner
        yield found.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


def sequence_funnel(checkout: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], cwd=checkout, env=env,
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_the_template_vendor_loads_reports_and_builds_the_funnel(checkout, sandbox, tmp_path):
    database = tmp_path / "warehouse.duckdb"
    env = clean_env() | {
        "SOURCES__ACME__API_KEY": "acme-sandbox-key", "SOURCES__ACME__BASE_URL": sandbox,
        "DESTINATION__DUCKDB__CREDENTIALS": str(database), "FUNNEL__BUILD": "true",
    }  # fmt: skip
    where = ("--pipelines-dir", str(tmp_path / "pipelines"))
    loaded = sequence_funnel(checkout, env, "load", VENDOR, "--quiet", *where)
    assert "enrollments" in loaded and "funnel models" in loaded, loaded
    with duckdb.connect(str(database), read_only=True) as con:
        (loaded_rows,) = con.execute("select count(*) from acme.enrollments").fetchone()
        view = con.execute("select sum(enrolled) from acme.funnel_by_sequence").fetchone()
        mart = con.execute("select enrollments, enrolled from funnel.funnel_by_vendor"
                       " where vendor = 'acme'").fetchone()  # fmt: skip
        states = con.execute("select count(*) from funnel.enrollments"
                         " where vendor = 'acme' and state = 'unknown'").fetchone()  # fmt: skip
    assert loaded_rows == 500 and mart is not None and mart[0] == 500
    assert view == (mart[1],) and states == (0,)  # its statuses mapped, its view the marts'

    shown = sequence_funnel(checkout, env, "report", VENDOR, *where)
    assert "Acme sequence" in shown and "total (people per sequence)" in shown, shown
    across = sequence_funnel(checkout, env, "report", "--all", *where)
    assert "Acme" in across, across


def test_its_own_tests_and_the_vendor_neutral_ones_find_it(checkout):
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    env = clean_env()
    own = subprocess.run([*run, f"tests/{VENDOR}"], cwd=checkout, env=env,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert own.returncode == 0 and " passed" in own.stdout, own.stdout[-3000:]
    listed = subprocess.run([*run, "--collect-only", "tests/test_warehouses.py"], cwd=checkout,
                            env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert f"[{VENDOR}]" in listed.stdout, listed.stdout[-3000:]
