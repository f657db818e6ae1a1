"""What every vendor's benchmark shares: its sandbox in a process of its own, child processes
measured for wall time, peak RSS and the requests the sandbox counted, and our CLI's load."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import httpx

from bench.replay import ReplayProxy

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def source_env(vendor: str, api_key: str, base_url: str, **settings: str) -> dict[str, str]:
    """The vendor's source against a sandbox: its key, its address and `settings`, as the
    `SOURCES__<VENDOR>__*` variables a scheduled load reads."""
    section = f"SOURCES__{vendor.upper()}__"
    given = {"api_key": api_key, "base_url": base_url} | settings
    return {section + name.upper(): value for name, value in given.items()}


def found(pattern: str, text: str) -> str:
    """The first group of `pattern` in a child's output, or an error showing the output."""
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"no {pattern!r} in the output:\n{text[-2000:]}")
    return match.group(1)


def high_water_kb(pid: int) -> int:
    """A running process's peak RSS so far (VmHWM), 0 once it is gone. Not wait4's ru_maxrss:
    Linux folds into that the RSS of the process before its exec, which for a child of this
    one (spawned by vfork) is this process's own, the replay proxy's pages included."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def machine() -> str:
    cpu = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        names = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = names[0] if names else cpu
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import dlt

    versions = (
        f"Python {platform.python_version()}, dlt {dlt.__version__}, duckdb {duckdb.__version__}"
    )
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}, {versions}"


@dataclass
class Result:
    scenario: str
    label: str
    rows: int
    seconds: float
    peak_rss_mb: float
    requests: int
    rows_per_s: float = 0.0
    ratio: float | None = None
    ceiling: str = "a"  # the scenario this one is compared with ("": none, a wall time only)
    parts: dict[str, int] = field(default_factory=dict)  # rows per counted table
    paths: dict[str, int] = field(default_factory=dict)  # requests per "METHOD /path"


class Sandbox:
    """`python -m sandbox <vendor>` on a free loopback port, clock frozen unless not `frozen`,
    without rate limits unless `limited` (then the vendor's documented ones)."""

    def __init__(
        self, vendor: str, world: list[str], limited: bool = False, frozen: bool = True
    ) -> None:
        limits = [] if limited else ["--no-rate-limit"]
        clock = ["--frozen-clock"] if frozen else []
        command = [PY, "-m", "sandbox", vendor, "--port", "0", *world, *limits, *clock,
                   "--seed", "42"]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if match := re.search(r"base URL: ((http://127\.0\.0\.1:\d+)\S*)", line):
                self.base_url, self.server = match.group(1), match.group(2)
                break
        else:
            raise RuntimeError(f"the {vendor} sandbox did not start: {' '.join(command)}")
        time.sleep(0.5)

    def requests(self) -> tuple[int, dict[str, int]]:
        """Requests served so far: in all, and per "METHOD /path"."""
        stats = httpx.get(self.server + "/_sandbox/stats").json()
        return stats["requests"].get("requests", 0), stats.get("by_path", {})

    def touch(self, count: int) -> None:
        """Change `count` records (the sandbox picks them), stamped a second ago: the clock is
        frozen, and a run bounds its range by the API's clock, to the second (the Date header),
        so a change stamped this very millisecond would wait for the clock to move."""
        body = {"count": count, "backdate_seconds": 1}
        httpx.post(self.server + "/_sandbox/touch", json=body).raise_for_status()

    def faults(self, **config: float) -> None:
        httpx.put(self.server + "/_sandbox/faults", json=config).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class Bench:
    """One vendor's run: its sandbox, a work dir, and the environment its loads start from."""

    vendor: str
    counted: str | tuple[str, ...]  # the table(s) whose loaded rows a scenario reports
    sandbox: Sandbox
    work: Path
    base_env: dict[str, str]
    last_paths: dict[str, int] = field(default_factory=dict)

    def measure(self, command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
        """Wall seconds, peak RSS (MB), requests made, and stdout of one child process (the
        requests per path of the last one measured: `last_paths`)."""
        before, paths_before = self.sandbox.requests()
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            child = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
            peak_kb = 0
            while True:
                pid, status, _ = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                peak_kb = max(peak_kb, high_water_kb(child.pid))
                time.sleep(0.02)
            seconds = time.perf_counter() - started
            out.seek(0)
            text = out.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{text[-2000:]}")
        after, paths_after = self.sandbox.requests()
        self.last_paths = {p: n - paths_before.get(p, 0) for p, n in paths_after.items()
                           if n > paths_before.get(p, 0)}  # fmt: skip
        return seconds, peak_kb / 1024, after - before, text

    def ceiling(
        self,
        module: str,
        api_key: str,
        label: str,
        args: tuple[str, ...] = (),
        name: str = "a",
        base_url: str = "",
    ) -> Result:
        """A ceiling (`name`, "a" unless told): `python -m <module> <base URL> <key> <args>`, a
        raw fetch that prints `ROWS=n` and, for each counted table, `<TABLE>=n`; compared with
        itself. `base_url`: another address than the sandbox's (a replay proxy's)."""
        command = [PY, "-m", module, base_url or self.sandbox.base_url, api_key, *args]
        seconds, rss, requests, text = self.measure(command, self.base_env)
        tables = (self.counted,) if isinstance(self.counted, str) else self.counted
        parts = {t: int(found(rf"{t.upper()}=(\d+)", text)) for t in tables if len(tables) > 1}
        rows = int(found(r"ROWS=(\d+)", text))
        return Result(name, label, rows, seconds, rss, requests, ceiling=name, parts=parts,
                      paths=self.last_paths)  # fmt: skip

    @contextmanager
    def against(self, sandbox: Sandbox) -> Iterator[None]:
        """Loads go to `sandbox` (a second one: limited, say) inside, and it is stopped after."""
        own, self.sandbox = self.sandbox, sandbox
        try:
            yield
        finally:
            self.sandbox = own
            sandbox.stop()

    def backfill_and_nothing_new(self, skip: set[str]) -> list[Result]:
        """(b) every table on a fresh pipeline, compared with the ceiling (a); (d) a run at
        once after it, on its state, where nothing is new."""
        results = []
        if "b" not in skip:
            results.append(self.ours("b", "backfill, all tables (this project)"))
        if "d" not in skip:
            results.append(self.ours("b2", "nothing-new incremental run", fresh=False, ceiling=""))
            results[-1].scenario = "d"
        return results

    def replayed(self, module: str, api_key: str, what: str) -> list[Result]:
        """(ar) the ceiling and (br) the backfill again, each on the pages its own first run
        recorded (bench.replay), sent back at once: the sandbox's rendering, which shares the
        two cores with the connector, is off them, as a real API's is, and what is left is
        the client alone. `what`: the counted tables, as the labels name them."""
        proxy = ReplayProxy(self.sandbox.server)
        base_url = proxy.server + self.sandbox.base_url[len(self.sandbox.server) :]
        env = {f"SOURCES__{self.vendor.upper()}__BASE_URL": base_url}
        try:
            self.ceiling(module, api_key, "recording", name="ar", base_url=base_url)
            self.ours("br", "recording", **env)
            proxy.replay(latency_ms=0)
            runs = [self.ceiling(module, api_key, f"ceiling on replayed pages ({what})",
                                 name="ar", base_url=base_url),
                    self.ours("br", "backfill, all tables, on replayed pages", ceiling="ar",
                              **env)]  # fmt: skip
        finally:
            proxy.stop()
        for run in runs:
            run.label += f" ({proxy.misses} not recorded)" if proxy.misses else ""
        return runs

    def limited(self, sandbox: Sandbox, label: str, env: dict[str, str]) -> Result:
        """(g) a backfill against `sandbox`, which keeps the vendor's documented limits, with
        the client paced by `env`."""
        with self.against(sandbox):
            return self.ours("g", label, True, **env)

    def folder(self, name: str, fresh: bool = True) -> Path:
        folder = self.work / name.rstrip("0123456789")
        if fresh:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        return folder

    def ours(
        self, name: str, label: str, fresh: bool = True, ceiling: str = "a", **env: str
    ) -> Result:
        """`sequence-funnel load <vendor>` into a DuckDB file, as a runtime-only virtualenv runs
        it (bench.runtime_only), compared with `ceiling`; a scenario ending in a digit reuses
        the folder (and so the pipeline state) of the one it is named after."""
        folder = self.folder(name, fresh)
        database = folder / "warehouse.duckdb"
        child_env = self.base_env | {"DESTINATION__DUCKDB__CREDENTIALS": str(database)} | env
        command = [PY, "-m", "bench.runtime_only", "load", self.vendor, "--quiet",
                   "--pipelines-dir", str(folder / "p")]  # fmt: skip
        seconds, rss, requests, text = self.measure(command, child_env)
        tables = (self.counted,) if isinstance(self.counted, str) else self.counted
        parts = {}
        for table in tables:
            loaded = re.search(rf"^\s+{table}\s+([\d,]+)", text, re.MULTILINE)
            parts[table] = int(loaded.group(1).replace(",", "")) if loaded else 0
        return Result(name, label, sum(parts.values()), seconds, rss, requests, ceiling=ceiling,
                      parts=parts, paths=self.last_paths)  # fmt: skip

    @staticmethod
    def table_rows(database: Path, dataset: str, table: str) -> int:
        with duckdb.connect(str(database), read_only=True) as con:
            return int(con.sql(f"select count(*) from {dataset}.{table}").fetchall()[0][0])
