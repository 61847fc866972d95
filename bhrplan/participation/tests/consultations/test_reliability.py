"""200 concurrent anonymous contributions to a real server: exactly 200 stored.

Starts gunicorn (2 workers × 4 threads) on a free port against a database this test
prepares: a temporary SQLite file (WAL) or, when DATABASE_URL points at PostgreSQL, a
dedicated `<name>_reliability` database. Each client first GETs the form (cookie, CSRF
and one-time token) like a browser; all then post at once. Replaying tokens must not
store anything new.
"""

import html
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[4]
CLIENTS = 200
REPLAYS = 20
SETTINGS = "bhrplan.participation.tests.consultations.reliability_settings"

# The server uses the database DATABASE_URL names (not through pytest-django).
pytestmark = pytest.mark.database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Database:
    """The server's own database, created and dropped by the test."""

    def __init__(self, tmp_path: Path) -> None:
        base = os.environ.get("DATABASE_URL", "")
        self.pg = base.startswith(("postgres://", "postgresql://"))
        if self.pg:
            parsed = dj_database_url.parse(base)
            self.name = f"{parsed['NAME']}_reliability"
            self.conninfo: dict[str, Any] = {
                "host": parsed["HOST"] or "127.0.0.1",
                "port": parsed["PORT"] or 5432,
                "user": parsed["USER"] or "postgres",
                "password": parsed["PASSWORD"] or None,
            }
            self.url = base.rsplit("/", 1)[0] + "/" + self.name
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.path = tmp_path / "reliability.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.conninfo) as conn:
            conn.execute(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.pg:
            import psycopg

            with psycopg.connect(dbname=self.name, **self.conninfo) as conn:
                return list(conn.execute(sql).fetchall())
        with sqlite3.connect(self.path) as conn:
            return list(conn.execute(sql).fetchall())

    def drop(self) -> None:
        if self.pg:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


class Browser:
    """One anonymous visitor: its own cookies, the form's CSRF value and token."""

    def __init__(self, url: str, index: int) -> None:
        self.url = url
        self.index = index
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.payload: bytes = b""

    def open_form(self) -> None:
        with self.opener.open(self.url, timeout=120) as response:
            body = response.read().decode()
        fields = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"', body
            )
        }
        assert set(fields) == {"csrfmiddlewaretoken", "token"}
        fields.update(
            {"element": "plan", "text": f"Aporte concurrente número {self.index}", "homepage": ""}
        )
        self.payload = urllib.parse.urlencode(fields).encode()

    def send(self) -> str:
        request = urllib.request.Request(self.url, data=self.payload, method="POST")
        with self.opener.open(request, timeout=120) as response:
            assert response.status == 200
            body = response.read().decode()
        match = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", body)
        assert match, body[:500]
        return match.group(1)


@pytest.fixture
def server(tmp_path: Path):
    database = Database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "1",
        "BHRPLAN_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "ERROR",
    }
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    seed = "bhrplan/participation/tests/consultations/reliability_seed.py"
    consultation_id = int(_run([python, seed], {**env, "PYTHONPATH": str(ROOT)}).strip())
    port = _free_port()
    gunicorn = str(Path(python).parent / "gunicorn")
    options = ["--workers", "2", "--threads", "4", "--timeout", "120", "--log-level", "warning"]
    process = subprocess.Popen(
        [gunicorn, "config.wsgi", *options, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/es/consultations/{consultation_id}/comment/"
    try:
        _wait_until_up(url, process)
        yield url, database
    finally:
        process.terminate()
        process.wait(timeout=30)
        database.drop()


def test_it_stores_exactly_200_concurrent_contributions(server):
    url, database = server
    browsers = [Browser(url, i) for i in range(CLIENTS)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(lambda b: b.open_form(), browsers))
    start = threading.Barrier(CLIENTS)

    def send(browser: Browser) -> str:
        start.wait(timeout=60)
        return browser.send()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        codes = list(pool.map(send, browsers))
    assert len(set(codes)) == CLIENTS

    replayed = browsers[:REPLAYS]
    with ThreadPoolExecutor(max_workers=REPLAYS) as pool:
        again = list(pool.map(lambda b: b.send(), replayed))
    assert again == codes[:REPLAYS]

    ((count, tokens, receipts),) = database.rows(
        "SELECT COUNT(*), COUNT(DISTINCT submission_token), COUNT(DISTINCT receipt_code)"
        " FROM participation_contribution"
    )
    assert (count, tokens, receipts) == (CLIENTS, CLIENTS, CLIENTS)
    texts = {row[0] for row in database.rows("SELECT text FROM participation_contribution")}
    assert texts == {f"Aporte concurrente número {i}" for i in range(CLIENTS)}
