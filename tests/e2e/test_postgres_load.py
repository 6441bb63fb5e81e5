"""A crawl (schema version 2) loaded into a real PostgreSQL with the DDL that ``crawler schema
--ddl postgres`` prints. The server (Debian package ``postgresql``; ``.ci/run`` installs it) is a
throwaway cluster made by the test with ``initdb``/``pg_ctl`` in a temporary folder, listening
on 127.0.0.1 only; as root it runs as ``nobody`` (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.devserver import FixtureServer
from tests.support.crawl import FAST, FIXTURES, read_jsonl, run_scrapy

pytestmark = pytest.mark.e2e


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    assert initdb, "PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)"
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture()
def postgres():
    bindir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="crawler-pg-"))
    data = root / "data"
    port = _free_port()
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        shutil.chown(root, "nobody", "nogroup")
    try:
        subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                        "--locale=C"]), check=True, capture_output=True, timeout=120)
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(root / "log"),
                                        "-o", f"-h 127.0.0.1 -p {port} -k {root} -F", "start"]), check=True, capture_output=True, timeout=90)
        yield {"port": port, "psql": shutil.which("psql") or str(bindir / "psql")}
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _psql(pg, sql: str) -> str:
    proc = subprocess.run([pg["psql"], "-h", "127.0.0.1", "-p", str(pg["port"]), "-U", "postgres", "-d", "postgres",
                           "-v", "ON_ERROR_STOP=1", "-At", "-F", "|", "-c", sql], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_crawl_loads_into_postgresql_with_the_generated_ddl(postgres, tmp_path):
    out = tmp_path / "reviews.jsonl"
    with FixtureServer(FIXTURES / "avclub") as server:
        proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={server.base_url}", "-a", "mode=full", "-a", f"state={tmp_path / 's.sqlite'}",
                           "-O", str(out), *FAST])  # version 2: the default
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(out)
    assert len(records) >= 5 and all(r["schema_version"] == 2 for r in records)
    ddl = subprocess.run([sys.executable, "-m", "crawler.cli", "schema", "--ddl", "postgres"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}).stdout
    _psql(postgres, ddl)
    # JSON Lines in through COPY (one jsonb per line; csv with quote/delimiter bytes that never occur), then typed rows
    copy = (f"CREATE TABLE raw (doc jsonb); "
            f"\\copy raw FROM '{out}' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')")
    proc = subprocess.run([postgres["psql"], "-h", "127.0.0.1", "-p", str(postgres["port"]), "-U", "postgres", "-v", "ON_ERROR_STOP=1"],
                          input=copy.replace("; ", ";\n") + "\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    _psql(postgres, "INSERT INTO reviews SELECT (jsonb_populate_record(NULL::reviews, doc)).* FROM raw")
    assert _psql(postgres, "SELECT count(*) FROM reviews").strip() == str(len(records))
    rows = _psql(postgres, "SELECT id, title, (grade->>'score')::int, extract(epoch FROM published_at)::bigint, published_date, "
                           "array_length(authors, 1), credits->'director'->>0, word_count, change FROM reviews ORDER BY id")
    got = [line.split("|") for line in rows.strip().splitlines()]
    want = []
    for r in sorted(records, key=lambda r: r["id"]):
        epoch = str(int(datetime.strptime(r["published_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())) if r["published_at"] else ""
        want.append([r["id"], r["title"], str(r["grade"]["score"]) if r["grade"] and r["grade"]["score"] is not None else "",
                     epoch, r["published_date"] or "", str(len(r["authors"])) if r["authors"] else "",
                     r["credits"]["director"][0] if r["credits"]["director"] else "", str(r["word_count"]), r["change"]])
    assert got == want
    types = dict(line.split("|") for line in _psql(postgres, "SELECT column_name, data_type FROM information_schema.columns "
                                                             "WHERE table_name = 'reviews'").strip().splitlines())
    assert (types["published_at"], types["published_date"], types["grade"], types["authors"], types["word_count"]) == (
        "timestamp with time zone", "date", "jsonb", "ARRAY", "bigint")
