"""Destinations the tests load into: a DuckDB file, and a real PostgreSQL server on loopback.

The PostgreSQL server is a throwaway cluster in a temp dir (Debian's postgresql package, which
`make test` installs when missing), started once per test session; each test gets a database.
"""

from __future__ import annotations

import functools
import glob
import os
import pwd
import shutil
import socket
import subprocess
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import duckdb

from pipelines import destinations
from sources.common.tables import Tables


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


class DuckDBWarehouse:
    name = "duckdb"

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def destination(self) -> Any:
        return destinations.duckdb_destination(self.path)

    def reading_destination(self) -> Any:
        """As `report` reads: DuckDB at its defaults, not a load's memory limit."""
        return destinations.reading_destination("duckdb", self.path)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with duckdb.connect(self.path, read_only=True) as con:
            con.execute("set TimeZone = 'UTC'")
            return [tuple(map(_utc, row)) for row in con.execute(sql, list(params)).fetchall()]


class PostgresWarehouse:
    name = "postgres"

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def destination(self) -> Any:
        return dlt.destinations.postgres(self.dsn)

    def reading_destination(self) -> Any:
        return self.destination()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        import psycopg2

        with psycopg2.connect(self.dsn) as con, con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), tuple(params))
            result = [tuple(map(_utc, row)) for row in cur.fetchall()]
        con.close()
        return result


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin dir (Debian layout), if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """initdb + pg_ctl in `root_dir`, listening on 127.0.0.1 only, trust auth, fsync off."""

    def __init__(self, bin_dir: Path, root_dir: Path) -> None:
        self.bin_dir, self.root = bin_dir, root_dir
        self.data, self.port = root_dir / "data", _free_port()
        # initdb refuses to run as root: run the server as the package's postgres user then
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> ThrowawayPostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                  "-o", options, "start")  # fmt: skip
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    @functools.cached_property
    def version(self) -> str:
        return PostgresWarehouse(self.dsn()).rows("show server_version")[0][0].split()[0]

    def dsn(self, database: str = "postgres") -> str:
        # trust auth takes any password; dlt wants one in its credentials
        return f"postgresql://postgres:throwaway@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> PostgresWarehouse:
        import psycopg2

        name = f"t_{uuid.uuid4().hex[:12]}"
        con = psycopg2.connect(self.dsn())
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"create database {name}")
        con.close()
        return PostgresWarehouse(self.dsn(name))


class DeltaLake:
    """The filesystem destination's Delta tables (pipelines.lake), on a folder or a bucket, read
    back with the `deltalake` reader (delta-rs) into DuckDB as they are: one row per record, no
    dedupe, so a duplicate would show."""

    name = "filesystem"

    def __init__(self, root: str | Path, tables: Tables, dataset: str,
                 storage_options: dict[str, str] | None = None) -> None:  # fmt: skip
        self.root, self.tables, self.dataset = str(root), tables, dataset
        self.storage_options = storage_options

    def destination(self) -> Any:
        return dlt.destinations.filesystem(self.root)

    def table(self, name: str) -> Any:
        """The table's DeltaTable, or None when there is none."""
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError

        try:
            return DeltaTable(f"{self.root}/{self.dataset}/{name}",
                              storage_options=self.storage_options)  # fmt: skip
        except TableNotFoundError:
            return None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with duckdb.connect() as con:
            con.execute(f"create schema {self.dataset}; set TimeZone = 'UTC'")
            for name in sorted(self.tables.contracts):
                table = self.table(name)
                if table is None:
                    continue
                data = table.to_pyarrow_table()  # noqa: F841 - read by the query below
                con.execute(f"create table {self.dataset}.{name} as select * from data")
            return [tuple(map(_utc, row)) for row in con.execute(sql, list(params)).fetchall()]
